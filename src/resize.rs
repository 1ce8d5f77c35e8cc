//! Resizing: the cover crop and the scale to the target, in one SIMD convolution pass.
//!
//! Input: decoded pixels in stored orientation, the target in the same axes, and the crop box the
//! plan chose with [`cover_box`]. Output: pixels of exactly the target size, same channels. Alpha is premultiplied
//! for the convolution and divided back after it, so transparent pixels never bleed their
//! (often black) colour into the edges. The crop box is folded into the convolution, so no
//! intermediate larger than the target is ever made, whatever the aspect ratio (a 1x1000 strip
//! becomes a 1x1 crop scaled up, not a 1200x1200000 picture). Error: `image.internal_error`.
//!
//! A YCbCr or gray JPEG comes as its component planes instead ([`cover_planes`]): each plane is
//! resized on its own, Y to the target and Cb and Cr straight to the output's chroma size, so
//! one convolution does the chroma subsampling whatever the source's was, and nothing is
//! upsampled or converted to RGB and back.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::encode::ycc::YccPlanes;
use crate::error::ValidationError;
use crate::pixels::{Channels, Pixels, Planes};

/// A crop rectangle in source pixels; fractional, because the convolution samples sub-pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CropBox {
    pub(crate) left: f64,
    pub(crate) top: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

impl CropBox {
    /// The same box in a part of the picture that begins at `origin`.
    pub(crate) fn within_part_at(self, origin: (u32, u32)) -> CropBox {
        CropBox {
            left: self.left - f64::from(origin.0),
            top: self.top - f64::from(origin.1),
            ..self
        }
    }
}

/// The largest box with the target's aspect ratio that fits the source, placed at `anchor`
/// (fractions of the free space before the box: 0.5 centres it).
pub(crate) fn cover_box(source: (u32, u32), target: (u32, u32), anchor: (f64, f64)) -> CropBox {
    let (sw, sh) = (f64::from(source.0), f64::from(source.1));
    let (tw, th) = (f64::from(target.0), f64::from(target.1));
    let scale = (tw / sw).max(th / sh);
    let (left, width) = place((tw / scale).min(sw), sw, anchor.0);
    let (top, height) = place((th / scale).min(sh), sh, anchor.1);
    CropBox {
        left,
        top,
        width,
        height,
    }
}

/// Puts a span of `length` at `anchor` of the free space in `0..full`, shrinking it by the last
/// ulp if rounding would make it end past `full` (the resizer refuses such a box).
fn place(mut length: f64, full: f64, anchor: f64) -> (f64, f64) {
    let start = ((full - length) * anchor.clamp(0.0, 1.0)).clamp(0.0, full - length);
    while start + length > full {
        length = f64::from_bits(length.to_bits() - 1);
    }
    (start, length)
}

/// Crops to `crop` (a [`cover_box`] of the picture, chosen by the plan before decoding) and
/// scales to exactly `target` with Lanczos3.
pub(crate) fn cover(pixels: &Pixels, target: (u32, u32), crop: CropBox) -> Result<Pixels, ValidationError> {
    let pixel_type = match pixels.channels {
        Channels::Gray => PixelType::U8,
        Channels::GrayAlpha => PixelType::U8x2,
        Channels::Rgb => PixelType::U8x3,
        Channels::Rgba | Channels::Cmyk => PixelType::U8x4,
    };
    let source = ImageRef::new(pixels.width, pixels.height, &pixels.data, pixel_type)
        .map_err(|e| ValidationError::internal("resizing").with_source(e))?;
    let mut resized = Image::new(target.0, target.1, pixel_type);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(crop.left, crop.top, crop.width, crop.height)
        // The fourth CMYK channel is black ink, not alpha: it must not be multiplied in.
        .use_alpha(pixels.channels.has_alpha());
    Resizer::new()
        .resize(&source, &mut resized, &options)
        .map_err(|e| ValidationError::internal("resizing").with_source(e))?;
    Pixels::new(target.0, target.1, pixels.channels, resized.into_vec())
        .ok_or_else(|| ValidationError::internal("resizing"))
}

/// [`cover`] of a YCbCr (or gray) picture's planes, `crop` and `target` in picture pixels:
/// Y to `target`, Cb and Cr to `ceil(target / chroma)` (`chroma` = picture pixels per chroma
/// sample of the output, across and down), each sample of every plane centred on the pixels it
/// covers (JFIF siting), so the planes stay aligned whatever their ratios. Where the target is
/// not a multiple of `chroma`, the output's last chroma sample covers one pixel more than the
/// target; it lies at the far end of each axis unless `at_start` says the output reads that
/// axis backwards (a mirrored orientation), and the chroma's box grows on that side (past the
/// decoded part, over repeated edge samples). A gray picture gets neutral chroma.
pub(crate) fn cover_planes(
    planes: &Planes,
    target: (u32, u32),
    crop: CropBox,
    chroma: (u32, u32),
    at_start: (bool, bool),
) -> Result<YccPlanes, ValidationError> {
    let internal = || ValidationError::internal("resizing");
    if planes.iter().any(|p| p.width == 0 || p.height == 0) {
        return Err(internal());
    }
    let mut resizer = Resizer::new();
    let mut resize = |source: Source<'_>, size: (u32, u32), (left, top, width, height)| {
        let image = ImageRef::new(source.width, source.height, &source.data, source.pixel_type)
            .map_err(|e| internal().with_source(e))?;
        let mut resized = Image::new(size.0, size.1, source.pixel_type);
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
            .crop(left, top, width, height)
            // The second of the chroma pair is Cr, not alpha.
            .use_alpha(false);
        resizer
            .resize(&image, &mut resized, &options)
            .map_err(|e| internal().with_source(e))?;
        Ok::<_, ValidationError>(resized.into_vec())
    };

    let luma = &planes[0];
    let span = |start: f64, length: f64, ratio: u32, first: u32| {
        let from = start / f64::from(ratio) - f64::from(first);
        (from, from + length / f64::from(ratio))
    };
    // Kept within the decoded part (against rounding: the crop lies inside the picture).
    let (x0, x1) = span(crop.left, crop.width, luma.ratio.0, luma.first.0);
    let (y0, y1) = span(crop.top, crop.height, luma.ratio.1, luma.first.1);
    let (x0, x1) = (x0.max(0.0), x1.min(f64::from(luma.width)));
    let (y0, y1) = (y0.max(0.0), y1.min(f64::from(luma.height)));
    let y = resize(
        Source::plane(luma),
        target,
        (x0, y0, (x1 - x0).max(0.0), (y1 - y0).max(0.0)),
    )?;

    let chroma_size = (target.0.div_ceil(chroma.0), target.1.div_ceil(chroma.1));
    let (cb, cr) = if let [_, cb, cr] = &planes[..] {
        // The chroma's box: the crop, grown by what the last chroma sample covers past the
        // target. Where that reaches past the decoded part, the samples just inside the edge
        // are repeated beyond it (as an encoder repeats the last pixels to fill the last chroma
        // sample), so the box keeps its size and the chroma grid its spacing.
        // A single chroma sample across has no spacing to keep: it covers the crop.
        let grow = |start: f64, length: f64, target: u32, factor: u32, at_start: bool| {
            if target <= factor {
                return (start, length);
            }
            let extra = f64::from(target.div_ceil(factor) * factor - target) * length / f64::from(target);
            (if at_start { start - extra } else { start }, length + extra)
        };
        let (left, width) = grow(crop.left, crop.width, target.0, chroma.0, at_start.0);
        let (top, height) = grow(crop.top, crop.height, target.1, chroma.1, at_start.1);
        let (x0, x1) = span(left, width, cb.ratio.0, cb.first.0);
        let (y0, y1) = span(top, height, cb.ratio.1, cb.first.1);
        // Samples to repeat on each side: at most the plane's own size (an output three pixels
        // across grows its box by a third of the crop).
        let outside = |past: f64, samples: u32| past.max(0.0).ceil().min(f64::from(samples)) as u32;
        let pad = (
            (
                outside(-x0, cb.width),
                outside(x1 - f64::from(cb.width), cb.width),
            ),
            (
                outside(-y0, cb.height),
                outside(y1 - f64::from(cb.height), cb.height),
            ),
        );
        let source = Source::chroma_pair(cb, cr, pad);
        let (x0, x1) = (x0 + f64::from(pad.0 .0), x1 + f64::from(pad.0 .0));
        let (y0, y1) = (y0 + f64::from(pad.1 .0), y1 + f64::from(pad.1 .0));
        let (x0, x1) = (x0.max(0.0), x1.min(f64::from(source.width)));
        let (y0, y1) = (y0.max(0.0), y1.min(f64::from(source.height)));
        let pairs = resize(
            source,
            chroma_size,
            (x0, y0, (x1 - x0).max(0.0), (y1 - y0).max(0.0)),
        )?;
        (
            pairs.iter().step_by(2).copied().collect(),
            pairs.iter().skip(1).step_by(2).copied().collect(),
        )
    } else {
        let neutral = vec![128; chroma_size.0 as usize * chroma_size.1 as usize];
        (neutral.clone(), neutral)
    };
    Ok(YccPlanes {
        width: target.0 as usize,
        height: target.1 as usize,
        h: chroma.0 as usize,
        v: chroma.1 as usize,
        y,
        cb,
        cr,
    })
}

/// What one resize reads: a plane as it is, or the chroma pair interleaved.
struct Source<'a> {
    data: std::borrow::Cow<'a, [u8]>,
    width: u32,
    height: u32,
    pixel_type: PixelType,
}

impl<'a> Source<'a> {
    fn plane(plane: &'a crate::pixels::Plane) -> Source<'a> {
        Source {
            data: std::borrow::Cow::Borrowed(&plane.data),
            width: plane.width,
            height: plane.height,
            pixel_type: PixelType::U8,
        }
    }

    /// Cb and Cr (of the same geometry) as one two-channel picture, so one convolution resizes
    /// both, grown by `((left, right), (top, bottom))` samples (each at most the plane's size):
    /// the band that many samples wide just inside each edge, repeated outside it.
    fn chroma_pair(
        cb: &crate::pixels::Plane,
        cr: &crate::pixels::Plane,
        ((left, right), (top, bottom)): ((u32, u32), (u32, u32)),
    ) -> Source<'a> {
        let (w, h) = (cb.width as usize, cb.height as usize);
        let (left, right, top, bottom) = (left as usize, right as usize, top as usize, bottom as usize);
        let width = w + left + right;
        let mut data = Vec::with_capacity(width * (h + top + bottom) * 2);
        let pairs = |b: &[u8], r: &[u8], columns: std::ops::Range<usize>| {
            b[columns.clone()]
                .iter()
                .zip(&r[columns])
                .flat_map(|(&b, &r)| [b, r])
                .collect::<Vec<u8>>()
        };
        for row in 0..h + top + bottom {
            // The first `top` rows before the plane, the last `bottom` after it.
            let y = if row < top {
                row
            } else if row < top + h {
                row - top
            } else {
                row - top - bottom
            };
            let (b, r) = (&cb.data[y * w..][..w], &cr.data[y * w..][..w]);
            data.extend(pairs(b, r, 0..left));
            data.extend(b.iter().zip(r).flat_map(|(&b, &r)| [b, r]));
            data.extend(pairs(b, r, w - right..w));
        }
        Source {
            data: std::borrow::Cow::Owned(data),
            width: width as u32,
            height: (h + top + bottom) as u32,
            pixel_type: PixelType::U8x2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_box_of_a_landscape_keeps_full_height_centred() {
        let b = cover_box((4000, 3000), (1200, 1200), (0.5, 0.5));
        assert_eq!(
            b,
            CropBox {
                left: 500.0,
                top: 0.0,
                width: 3000.0,
                height: 3000.0
            }
        );
    }

    #[test]
    fn cover_box_of_a_strip_is_a_single_pixel_not_a_huge_intermediate() {
        let b = cover_box((1, 1000), (1200, 1200), (0.5, 0.5));
        assert_eq!((b.width, b.height), (1.0, 1.0));
        assert_eq!(b.top, 499.5);
    }

    #[test]
    fn top_anchor_keeps_the_top_of_a_portrait() {
        let b = cover_box((3000, 4000), (1200, 1200), (0.5, 0.0));
        assert_eq!(
            b,
            CropBox {
                left: 0.0,
                top: 0.0,
                width: 3000.0,
                height: 3000.0
            }
        );
    }

    proptest::proptest! {
        #[test]
        fn cover_box_stays_inside_keeps_the_aspect_and_honours_the_anchor(
            sw in 1u32..100_000, sh in 1u32..100_000, tw in 1u32..65_536, th in 1u32..65_536,
            ax in 0.0f64..=1.0, ay in 0.0f64..=1.0,
        ) {
            let b = cover_box((sw, sh), (tw, th), (ax, ay));
            let (fw, fh) = (f64::from(sw), f64::from(sh));
            proptest::prop_assert!(b.left >= 0.0 && b.top >= 0.0);
            proptest::prop_assert!(b.left + b.width <= fw && b.top + b.height <= fh);
            // One side is the whole source side; the other keeps the target's aspect.
            proptest::prop_assert!((b.width - fw).abs() < 1e-6 * fw || (b.height - fh).abs() < 1e-6 * fh);
            let aspect = (b.width / b.height) / (f64::from(tw) / f64::from(th));
            proptest::prop_assert!((aspect - 1.0).abs() < 1e-9, "aspect off by {}", aspect);
            // The box leaves `anchor` of the free space before it, on both axes.
            proptest::prop_assert!((b.left - ax * (fw - b.width)).abs() <= 1e-6 * fw);
            proptest::prop_assert!((b.top - ay * (fh - b.height)).abs() <= 1e-6 * fh);
            // Centred means equal margins on both axes.
            let c = cover_box((sw, sh), (tw, th), (0.5, 0.5));
            proptest::prop_assert!((c.left - (fw - c.left - c.width)).abs() < 1e-6 * fw);
            proptest::prop_assert!((c.top - (fh - c.top - c.height)).abs() < 1e-6 * fh);
        }
    }

    #[test]
    fn a_uniform_picture_stays_uniform_at_any_size() {
        for (w, h) in [(1, 1), (3, 7), (1000, 10)] {
            let p = Pixels::new(w, h, Channels::Rgb, [10u8, 200, 30].repeat((w * h) as usize)).unwrap();
            let out = cover(&p, (64, 48), cover_box((w, h), (64, 48), (0.5, 0.5))).unwrap();
            assert_eq!((out.width, out.height), (64, 48));
            assert!(out.data.chunks(3).all(|px| px == [10, 200, 30]), "{w}x{h}");
        }
    }
}
