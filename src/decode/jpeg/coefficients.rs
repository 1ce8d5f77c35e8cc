//! The coefficients of a progressive file, kept between its scans: every scan adds to blocks
//! that earlier scans began, so nothing can be transformed before the last one. After it (or
//! after the data breaks off, when damage is accepted) each kept block is dequantised and
//! transformed into its plane at the chosen scale.
//!
//! Only the blocks of each component's [`Window`] (what the output region needs) keep their
//! values. Every other block keeps one bit per coefficient, whether it is nonzero: an AC
//! refinement scan reads a correction bit for each nonzero coefficient it passes, so without
//! those bits the rest of the scan could not be read.
//!
//! Allocation, from the frame's size (checked against the limits by the caller): 128 bytes per
//! kept block, 8 per other block.

use super::header::Frame;
use super::idct;
use super::planes::{Plane, Window};

pub(super) struct Coefficients {
    /// Per component: the blocks of its window, row by row, each in natural order.
    blocks: Vec<Vec<[i16; 64]>>,
    windows: Vec<Window>,
    /// Per component: for each block of its grid (row by row), its nonzero coefficients as bits
    /// (natural order); kept up to date for the blocks outside the window only.
    nonzero: Vec<Vec<u64>>,
    /// Per component: blocks across and down in its grid.
    grids: Vec<(usize, usize)>,
    /// Per component: the quantisation table as it stood at the component's first scan
    /// (libjpeg latches it there; a later DQT does not change the component).
    pub(super) quant: Vec<Option<[u16; 64]>>,
}

/// Where a block of a scan goes.
pub(super) enum Slot<'c> {
    /// A kept block: its coefficients.
    Kept(&'c mut [i16; 64]),
    /// A block outside the window: its nonzero bits.
    Dropped(&'c mut u64),
    /// Padding of an interleaved scan's MCU, beyond the component's blocks.
    Padding,
}

/// Per component: blocks across and down.
fn grids(frame: &Frame) -> Vec<(usize, usize)> {
    (0..frame.sampling.len())
        .map(|index| {
            let (w, h) = frame.component_blocks(index);
            (w as usize, h as usize)
        })
        .collect()
}

impl Coefficients {
    /// Zeroed coefficients for the blocks of `windows` (one per component of `frame`).
    pub(super) fn new(frame: &Frame, windows: Vec<Window>) -> Coefficients {
        let grids = grids(frame);
        let nonzero = grids
            .iter()
            .zip(&windows)
            .map(|(&(w, h), window)| {
                let whole = window.blocks() == w * h;
                vec![0; if whole { 0 } else { w * h }]
            })
            .collect();
        Coefficients {
            blocks: windows.iter().map(|w| vec![[0; 64]; w.blocks()]).collect(),
            nonzero,
            quant: vec![None; grids.len()],
            grids,
            windows,
        }
    }

    /// Bytes [`Coefficients::new`] allocates for `frame` and `windows`.
    pub(super) fn bytes(frame: &Frame, windows: &[Window]) -> u64 {
        grids(frame)
            .iter()
            .zip(windows)
            .map(|(&(w, h), window)| {
                let kept = window.blocks() as u64;
                let all = (w * h) as u64;
                kept * 128 + if kept == all { 0 } else { all * 8 }
            })
            .sum()
    }

    /// The block at (`bx`, `by`) of component `index`.
    #[inline(always)]
    pub(super) fn slot(&mut self, index: usize, bx: usize, by: usize) -> Slot<'_> {
        let window = &self.windows[index];
        if window.contains(bx, by) {
            let i = (by - window.rows.start) * window.columns.len() + (bx - window.columns.start);
            return Slot::Kept(&mut self.blocks[index][i]);
        }
        let (w, h) = self.grids[index];
        match self.nonzero[index].get_mut(by * w + bx) {
            Some(bits) if bx < w && by < h => Slot::Dropped(bits),
            _ => Slot::Padding,
        }
    }

    /// Transforms every kept block into `planes` (one per component, at the chosen scale). A
    /// component that never had a scan (only when damage is accepted) stays mid-grey.
    pub(super) fn transform_into(&self, planes: &mut [Plane]) {
        for (((blocks, window), quant), plane) in
            self.blocks.iter().zip(&self.windows).zip(&self.quant).zip(planes)
        {
            let Some(quant) = quant else { continue };
            let side = plane.side;
            let wide = window.columns.len();
            let arch = pulp::Arch::new();
            for (i, block) in blocks.iter().enumerate() {
                let (bx, by) = (window.columns.start + i % wide, window.rows.start + i / wide);
                let at = by * side * plane.stride + bx * side;
                idct::transform(arch, side, block, quant, &mut plane.data[at..], plane.stride);
            }
        }
    }
}
