//! Component planes at the chosen DCT scale, and their geometry as libjpeg computes it.
//!
//! At a reduced scale libjpeg gives a subsampled component a larger inverse DCT instead of
//! upsampling it afterwards (`jpeg_core_output_dimensions`): the component's block side doubles
//! from the scale's side while the output still divides evenly, so at 1/2 the chroma of a 4:2:0
//! file comes out of an 8x8 transform at the luma's resolution and needs no upsampling at all.
//! Matching `djpeg` needs the same choice, so [`Geometry`] makes it.

use super::header::Frame;

/// One component's samples: `blocks_wide * side` columns by `blocks_high * side` rows, of which
/// the first `width` x `height` are picture (the rest is the padding of the last blocks).
#[derive(Debug)]
pub(crate) struct Plane {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) stride: usize,
    pub(crate) data: Vec<u8>,
    /// Side of each block in this plane: 8, 4, 2 or 1.
    pub(crate) side: usize,
    /// Blocks across and down that hold picture (a non-interleaved scan's grid).
    pub(crate) blocks_wide: usize,
    pub(crate) blocks_high: usize,
    /// Output samples per plane sample across and down (1 to 4).
    pub(crate) ratio: (usize, usize),
}

impl Plane {
    pub(crate) fn row(&self, y: usize) -> &[u8] {
        &self.data[y * self.stride..(y + 1) * self.stride]
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

/// The planes of a frame at `1 / divisor`, allocated mid-grey (128: what a missing part of a
/// damaged file shows) from the frame's own size, which the caller has checked against the
/// limits; the arithmetic is checked all the same.
pub(super) fn allocate(frame: &Frame, divisor: u32) -> Result<Vec<Plane>, FractionalSampling> {
    layout(frame, divisor)?
        .into_iter()
        .map(|mut plane| {
            let size = plane.stride.checked_mul(plane.blocks_high * plane.side);
            plane.data = vec![128; size.ok_or(FractionalSampling)?];
            Ok(plane)
        })
        .collect()
}

/// Bytes the planes of [`allocate`] take, without allocating them.
pub(super) fn bytes(frame: &Frame, divisor: u32) -> Result<u64, FractionalSampling> {
    Ok(layout(frame, divisor)?
        .iter()
        .map(|p| p.stride as u64 * (p.blocks_high * p.side) as u64)
        .sum())
}

/// Each plane's [`Window`] for the output region `(left, top, right, bottom)`.
pub(super) fn windows(
    frame: &Frame,
    divisor: u32,
    region: (usize, usize, usize, usize),
) -> Result<Vec<Window>, FractionalSampling> {
    Ok(layout(frame, divisor)?.iter().map(|p| p.window(region)).collect())
}

/// The planes' geometry, with no samples yet.
fn layout(frame: &Frame, divisor: u32) -> Result<Vec<Plane>, FractionalSampling> {
    let min_side = 8 / divisor as usize;
    let hmax = frame.sampling.iter().map(|s| usize::from(s.0)).max().unwrap_or(1);
    let vmax = frame.sampling.iter().map(|s| usize::from(s.1)).max().unwrap_or(1);
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut planes = Vec::with_capacity(frame.sampling.len());
    for (index, &(h, v)) in frame.sampling.iter().enumerate() {
        let (h, v) = (usize::from(h), usize::from(v));
        let mut side = min_side;
        while side < 8
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
            data: Vec::new(),
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

    fn layout(planes: &[Plane]) -> Vec<(usize, usize, usize, (usize, usize))> {
        planes
            .iter()
            .map(|p| (p.width, p.height, p.side, p.ratio))
            .collect()
    }

    #[test]
    fn subsampled_chroma_gets_a_larger_transform_at_reduced_scales_as_in_libjpeg() {
        let yuv420 = frame(333, 177, &[(2, 2), (1, 1), (1, 1)]);
        let full = allocate(&yuv420, 1).unwrap();
        assert_eq!(layout(&full)[..2], [(333, 177, 8, (1, 1)), (167, 89, 8, (2, 2))]);
        assert_eq!((full[1].stride, full[1].data.len()), (168, 168 * 96));
        let half = allocate(&yuv420, 2).unwrap();
        assert_eq!(layout(&half)[..2], [(167, 89, 4, (1, 1)), (167, 89, 8, (1, 1))]);
        let eighth = allocate(&yuv420, 8).unwrap();
        assert_eq!(layout(&eighth)[..2], [(42, 23, 1, (1, 1)), (42, 23, 2, (1, 1))]);
        let yuv411 = frame(400, 300, &[(4, 1), (1, 1), (1, 1)]);
        // Vertically the chroma is not subsampled, so its transform cannot grow.
        assert_eq!(layout(&allocate(&yuv411, 2).unwrap())[1], (50, 150, 4, (4, 1)));
        assert_eq!(layout(&allocate(&yuv411, 4).unwrap())[1], (25, 75, 2, (4, 1)));
        let yuv420_wide = frame(64, 64, &[(4, 2), (2, 1), (2, 1)]);
        assert_eq!(
            layout(&allocate(&yuv420_wide, 2).unwrap())[1],
            (32, 32, 8, (1, 1))
        );
    }

    #[test]
    fn sampling_ratios_that_do_not_divide_are_refused() {
        assert_eq!(
            allocate(&frame(64, 64, &[(3, 1), (2, 1), (1, 1)]), 1).err(),
            Some(FractionalSampling)
        );
        assert!(allocate(&frame(64, 64, &[(4, 4), (1, 1), (2, 2)]), 1).is_ok());
    }
}
