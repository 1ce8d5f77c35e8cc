//! The coefficients of a progressive file, kept between its scans: every scan adds to blocks
//! that earlier scans began, so nothing can be transformed before the last one. After it (or
//! after the data breaks off, when damage is accepted) each block is dequantised and
//! transformed into its plane at the chosen scale.
//!
//! Allocation: 64 coefficients of 16 bits per block of each component's own grid, from the
//! frame's size, which the caller has checked against the limits.

use super::header::Frame;
use super::idct;
use super::planes::Plane;

pub(super) struct Coefficients {
    /// Per component: its blocks row by row, each in natural order.
    pub(super) blocks: Vec<Vec<[i16; 64]>>,
    /// Per component: blocks across.
    pub(super) blocks_wide: Vec<usize>,
    /// Per component: the quantisation table as it stood at the component's first scan
    /// (libjpeg latches it there; a later DQT does not change the component).
    pub(super) quant: Vec<Option<[u16; 64]>>,
}

impl Coefficients {
    /// Zeroed coefficients for every block of every component of `frame`.
    pub(super) fn new(frame: &Frame) -> Coefficients {
        let grids: Vec<(usize, usize)> = (0..frame.sampling.len())
            .map(|index| {
                let (w, h) = frame.component_blocks(index);
                (w as usize, h as usize)
            })
            .collect();
        Coefficients {
            blocks: grids.iter().map(|&(w, h)| vec![[0; 64]; w * h]).collect(),
            blocks_wide: grids.iter().map(|&(w, _)| w).collect(),
            quant: vec![None; grids.len()],
        }
    }

    /// Bytes [`Coefficients::new`] allocates for `frame`.
    pub(super) fn bytes(frame: &Frame) -> u64 {
        (0..frame.sampling.len())
            .map(|index| {
                let (w, h) = frame.component_blocks(index);
                u64::from(w) * u64::from(h) * 128
            })
            .sum()
    }

    /// Transforms every block into `planes` (one per component, at the chosen scale). A
    /// component that never had a scan (only when damage is accepted) stays mid-grey.
    pub(super) fn transform_into(&self, planes: &mut [Plane]) {
        for ((blocks, quant), plane) in self.blocks.iter().zip(&self.quant).zip(planes) {
            let Some(quant) = quant else { continue };
            let side = plane.side;
            for (i, block) in blocks.iter().enumerate() {
                let (bx, by) = (i % plane.blocks_wide, i / plane.blocks_wide);
                let at = by * side * plane.stride + bx * side;
                idct::transform(side, block, quant, &mut plane.data[at..], plane.stride);
            }
        }
    }
}
