//! Component planes at the chosen DCT scale, and their geometry as libjpeg computes it.
//!
//! At a reduced scale libjpeg gives a subsampled component a larger inverse DCT instead of
//! upsampling it afterwards (`jpeg_core_output_dimensions`): the component's block side doubles
//! from the scale's side while the output still divides evenly, so at 1/2 the chroma of a 4:2:0
//! file comes out of an 8x8 transform at the luma's resolution and needs no upsampling at all.
//! Matching `djpeg` needs the same choice, so [`layout`] makes it.

use super::header::Frame;

/// One component's samples: `blocks_wide * side` columns by `blocks_high * side` rows, of which
/// the first `width` x `height` are picture (the rest is the padding of the last blocks). Only
/// the block rows of the decoded [`Window`] are ever allocated, each on its own, so a progressive
/// decode can hand memory over from a row of coefficients to its samples one row at a time.
#[derive(Debug)]
pub(crate) struct Plane {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) stride: usize,
    /// Per block row: `side` rows of `stride` samples once allocated ([`Plane::block_row`]);
    /// empty outside the window.
    block_rows: Vec<Vec<u8>>,
    /// One row of `stride` mid-grey samples.
    grey: Vec<u8>,
    /// Side of each block in this plane: 8, 4, 2 or 1.
    pub(crate) side: usize,
    /// Blocks across and down that hold picture (a non-interleaved scan's grid).
    pub(crate) blocks_wide: usize,
    pub(crate) blocks_high: usize,
    /// Output samples per plane sample across and down (1 to 4).
    pub(crate) ratio: (usize, usize),
}

impl Plane {
    /// Sample row `y`; mid-grey for a row outside the allocated block rows (nothing of the output
    /// region comes from one, but a reader must never fail on it).
    pub(crate) fn row(&self, y: usize) -> &[u8] {
        match self.block_rows.get(y / self.side) {
            Some(block_row) if !block_row.is_empty() => {
                let at = (y % self.side) * self.stride;
                &block_row[at..at + self.stride]
            }
            _ => &self.grey,
        }
    }

    /// Block row `by` (`side` rows of `stride` samples), allocated mid-grey on first use: 128
    /// is what a block the scans never reached shows. `None` past the plane's block rows.
    #[inline(always)]
    pub(super) fn block_row(&mut self, by: usize) -> Option<&mut [u8]> {
        let size = self.stride * self.side;
        let block_row = self.block_rows.get_mut(by)?;
        if block_row.is_empty() {
            *block_row = grey(size);
        }
        Some(block_row)
    }

    /// The blocks (columns, rows) whose samples the output region `(left, top, right, bottom)`
    /// (output pixels) needs: the region's samples in this plane, one more on each side for the
    /// upsampling filters, rounded out to whole blocks.
    pub(super) fn window(&self, region: (usize, usize, usize, usize)) -> Window {
        let (left, top, right, bottom) = region;
        let span = |from: usize, to: usize, ratio: usize, blocks: usize| {
            let first = (from / ratio).saturating_sub(1) / self.side;
            let last = to.div_ceil(ratio).saturating_add(1).div_ceil(self.side);
            first.min(blocks)..last.min(blocks)
        };
        Window {
            columns: span(left, right, self.ratio.0, self.blocks_wide),
            rows: span(top, bottom, self.ratio.1, self.blocks_high),
        }
    }
}

impl Plane {
    /// The samples of `window`'s blocks that hold picture, as (columns, rows): what a planar
    /// decode hands on.
    pub(super) fn kept(&self, window: &Window) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let clip = |blocks: &std::ops::Range<usize>, size: usize| {
            (blocks.start * self.side).min(size)..(blocks.end * self.side).min(size)
        };
        (clip(&window.columns, self.width), clip(&window.rows, self.height))
    }
}

/// `size` mid-grey samples: once per block row, kept out of the decoding loops.
#[cold]
#[inline(never)]
fn grey(size: usize) -> Vec<u8> {
    vec![128; size]
}

#[cfg(test)]
impl Plane {
    /// A plane of 8x8 blocks, 1:1 with the output unless `ratio` says otherwise, holding
    /// `samples` (`stride` per row, whole blocks down).
    pub(super) fn from_samples(
        (width, height): (usize, usize),
        stride: usize,
        samples: &[u8],
        ratio: (usize, usize),
    ) -> Plane {
        let block_rows: Vec<Vec<u8>> = samples.chunks(stride * 8).map(<[u8]>::to_vec).collect();
        Plane {
            width,
            height,
            stride,
            side: 8,
            blocks_wide: stride / 8,
            blocks_high: block_rows.len(),
            block_rows,
            grey: vec![128; stride],
            ratio,
        }
    }
}

/// A rectangle of one plane's blocks: the ones a decode keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) columns: std::ops::Range<usize>,
    pub(crate) rows: std::ops::Range<usize>,
}

impl Window {
    #[inline(always)]
    pub(super) fn contains(&self, bx: usize, by: usize) -> bool {
        self.columns.contains(&bx) && self.rows.contains(&by)
    }

    pub(super) fn blocks(&self) -> usize {
        self.columns.len() * self.rows.len()
    }
}

/// Why a frame cannot be laid out: libjpeg refuses the same frames.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct FractionalSampling;

/// Bytes the planes take once the block rows of `windows` are allocated.
pub(super) fn bytes(
    frame: &Frame,
    divisor: u32,
    planar: bool,
    windows: &[Window],
) -> Result<u64, FractionalSampling> {
    Ok(layout(frame, divisor, planar)?
        .iter()
        .zip(windows)
        .map(|(p, w)| p.stride as u64 * (w.rows.len() * p.side) as u64)
        .sum())
}

/// Bytes of the samples [`Plane::kept`] keeps of each plane's window.
pub(super) fn kept_bytes(frame: &Frame, divisor: u32, windows: &[Window]) -> Result<u64, FractionalSampling> {
    Ok(layout(frame, divisor, true)?
        .iter()
        .zip(windows)
        .map(|(p, w)| {
            let (columns, rows) = p.kept(w);
            columns.len() as u64 * rows.len() as u64
        })
        .sum())
}

/// Each plane's [`Window`] for the output region `(left, top, right, bottom)`.
pub(super) fn windows(
    frame: &Frame,
    divisor: u32,
    planar: bool,
    region: (usize, usize, usize, usize),
) -> Result<Vec<Window>, FractionalSampling> {
    Ok(layout(frame, divisor, planar)?
        .iter()
        .map(|p| p.window(region))
        .collect())
}

/// The planes of a frame at `1 / divisor`, from the frame's own size (which the caller has
/// checked against the limits): their geometry, no samples yet ([`Plane::block_row`] allocates
/// them row by row). Every component gets the scale's transform when the planes are handed on
/// as they are (`planar`: each at its own resolution, subsampled chroma a quarter of the work);
/// otherwise a subsampled one gets libjpeg's larger one.
pub(super) fn layout(frame: &Frame, divisor: u32, planar: bool) -> Result<Vec<Plane>, FractionalSampling> {
    let min_side = 8 / divisor as usize;
    let hmax = frame.sampling.iter().map(|s| usize::from(s.0)).max().unwrap_or(1);
    let vmax = frame.sampling.iter().map(|s| usize::from(s.1)).max().unwrap_or(1);
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut planes = Vec::with_capacity(frame.sampling.len());
    for (index, &(h, v)) in frame.sampling.iter().enumerate() {
        let (h, v) = (usize::from(h), usize::from(v));
        let mut side = min_side;
        while !planar
            && side < 8
            && (hmax * min_side).is_multiple_of(h * side * 2)
            && (vmax * min_side).is_multiple_of(v * side * 2)
        {
            side *= 2;
        }
        // Samples per output group of hmax x vmax: libjpeg upsamples by whole ratios only.
        let (h_in, v_in) = (h * side / min_side, v * side / min_side);
        if hmax % h_in != 0 || vmax % v_in != 0 {
            return Err(FractionalSampling);
        }
        let (blocks_wide, blocks_high) = frame.component_blocks(index);
        let (blocks_wide, blocks_high) = (blocks_wide as usize, blocks_high as usize);
        planes.push(Plane {
            width: (width * h * side).div_ceil(hmax * 8),
            height: (height * v * side).div_ceil(vmax * 8),
            stride: blocks_wide.checked_mul(side).ok_or(FractionalSampling)?,
            block_rows: (0..blocks_high).map(|_| Vec::new()).collect(),
            grey: vec![128; blocks_wide * side],
            side,
            blocks_wide,
            blocks_high,
            ratio: (hmax / h_in, vmax / v_in),
        });
    }
    Ok(planes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(width: u32, height: u32, sampling: &[(u8, u8)]) -> Frame {
        Frame {
            marker: 0xC0,
            precision: 8,
            width,
            height,
            ids: (1..=sampling.len() as u8).collect(),
            sampling: sampling.to_vec(),
            quant: vec![0; sampling.len()],
        }
    }

    fn geometry(planes: &[Plane]) -> Vec<(usize, usize, usize, (usize, usize))> {
        planes
            .iter()
            .map(|p| (p.width, p.height, p.side, p.ratio))
            .collect()
    }

    #[test]
    fn subsampled_chroma_gets_a_larger_transform_at_reduced_scales_as_in_libjpeg() {
        let yuv420 = frame(333, 177, &[(2, 2), (1, 1), (1, 1)]);
        let full = layout(&yuv420, 1, false).unwrap();
        assert_eq!(
            geometry(&full)[..2],
            [(333, 177, 8, (1, 1)), (167, 89, 8, (2, 2))]
        );
        assert_eq!((full[1].stride, full[1].blocks_high), (168, 12));
        let half = layout(&yuv420, 2, false).unwrap();
        assert_eq!(geometry(&half)[..2], [(167, 89, 4, (1, 1)), (167, 89, 8, (1, 1))]);
        let eighth = layout(&yuv420, 8, false).unwrap();
        assert_eq!(geometry(&eighth)[..2], [(42, 23, 1, (1, 1)), (42, 23, 2, (1, 1))]);
        // Handed on as planes, each component keeps its own resolution.
        let planar = layout(&yuv420, 2, true).unwrap();
        assert_eq!(
            geometry(&planar)[..2],
            [(167, 89, 4, (1, 1)), (84, 45, 4, (2, 2))]
        );
        let yuv411 = frame(400, 300, &[(4, 1), (1, 1), (1, 1)]);
        // Vertically the chroma is not subsampled, so its transform cannot grow.
        assert_eq!(
            geometry(&layout(&yuv411, 2, false).unwrap())[1],
            (50, 150, 4, (4, 1))
        );
        assert_eq!(
            geometry(&layout(&yuv411, 4, false).unwrap())[1],
            (25, 75, 2, (4, 1))
        );
        let yuv420_wide = frame(64, 64, &[(4, 2), (2, 1), (2, 1)]);
        assert_eq!(
            geometry(&layout(&yuv420_wide, 2, false).unwrap())[1],
            (32, 32, 8, (1, 1))
        );
    }

    #[test]
    fn block_rows_are_allocated_mid_grey_on_first_use_and_others_read_as_grey() {
        let mut planes = layout(&frame(20, 20, &[(1, 1)]), 1, false).unwrap();
        let plane = &mut planes[0];
        assert_eq!((plane.stride, plane.blocks_high), (24, 3));
        plane.block_row(1).unwrap()[24 * 2 + 5] = 7;
        assert!(plane.block_row(3).is_none());
        assert_eq!(plane.row(10)[5], 7);
        assert_eq!(plane.row(10).len(), 24);
        assert_eq!(plane.row(9), [128; 24]);
        assert_eq!(plane.row(0), [128; 24]); // never allocated
        assert_eq!(plane.row(23), [128; 24]);
    }

    #[test]
    fn sampling_ratios_that_do_not_divide_are_refused() {
        assert_eq!(
            layout(&frame(64, 64, &[(3, 1), (2, 1), (1, 1)]), 1, false).err(),
            Some(FractionalSampling)
        );
        assert!(layout(&frame(64, 64, &[(4, 4), (1, 1), (2, 2)]), 1, false).is_ok());
    }
}
