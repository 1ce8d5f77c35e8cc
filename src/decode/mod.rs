//! Decoding: header first, limits checked, then pixels.
//!
//! Two steps, with the plan between them. [`read_header`] takes the accepted bytes and their
//! format and gives a [`Header`]: the stored size, the channels, the colour description and the
//! EXIF orientation, with the size checked against the limits; nothing of the picture's size is
//! allocated. [`decode`] then takes the header and the [`Plan`] made from it and gives
//! [`Decoded`]: the stored (not yet upright) pixels at the plan's DCT scale, alpha flattened
//! if the plan says so, and whether data was missing.
//! Errors: `image.dimensions_too_large`, `image.too_many_pixels`, `image.memory_limit_exceeded`,
//! `image.too_many_scans`, `image.zero_dimensions`, `image.truncated`, `image.corrupt`,
//! `image.unsupported_encoding`, `image.internal_error`.
//!
//! Every limit is checked against the header, with checked arithmetic, before the decoder is
//! allowed to allocate a single pixel: this module is the only place where sizes read from the
//! file turn into allocations.

pub(crate) mod jpeg;
pub(crate) mod png;

use crate::error::ValidationError;
use crate::options::{Limits, Options};
use crate::orient::Orientation;
use crate::pixels::{Channels, Pixels, Planes};
use crate::plan::Plan;
use crate::sniff::ImageFormat;

/// How the source describes its colours, in the order the colour stage honours them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ColorSource {
    /// Nothing said: sRGB is assumed, as browsers do.
    Unspecified,
    /// Explicitly sRGB (PNG sRGB chunk).
    Srgb,
    /// An embedded ICC profile (JPEG APP2, reassembled; PNG iCCP).
    Icc(Vec<u8>),
    /// PNG cICP: H.273 colour primaries and transfer characteristics.
    Cicp { primaries: u8, transfer: u8 },
    /// PNG gAMA, with cHRM chromaticities (white, red, green, blue) when present.
    Gamma {
        gamma: f32,
        chromaticities: Option<[(f32, f32); 4]>,
    },
}

/// What the header says, read and checked against the size limits; what the decoder has read so
/// far waits in it for the plan.
pub(crate) struct Header<'a> {
    pub(crate) stored_width: u32,
    pub(crate) stored_height: u32,
    /// Channels as the decoder will produce them, before any flattening.
    pub(crate) channels: Channels,
    pub(crate) orientation: Orientation,
    pub(crate) color: ColorSource,
    pending: Pending<'a>,
}

enum Pending<'a> {
    Jpeg(Box<jpeg::Pending<'a>>),
    Png(Box<png::Pending<'a>>),
}

impl Header<'_> {
    /// The largest DCT scale divisor (1, 2, 4 or 8) whose decode still covers `target` in both
    /// axes; 1 for a PNG.
    pub(crate) fn largest_scale_covering(&self, target: (u32, u32)) -> u32 {
        match &self.pending {
            Pending::Jpeg(pending) => pending.largest_scale_covering(target),
            Pending::Png(_) => 1,
        }
    }

    /// For a JPEG whose components are YCbCr or gray and decode in the DCT domain: the largest
    /// number of picture pixels per component sample, across and down, at full scale. Such a
    /// file can go to the resizer as its component planes instead of as RGB. `None` for
    /// everything else (PNG, RGB, CMYK and YCCK JPEGs, lossless coding).
    pub(crate) fn planar_ratio(&self) -> Option<(u32, u32)> {
        match &self.pending {
            Pending::Jpeg(pending) => pending.planar_ratio(),
            Pending::Png(_) => None,
        }
    }
}

/// Decoded samples as a decoder hands them to the resizer.
pub(crate) enum Samples {
    /// Interleaved pixels of the plan's channels.
    Interleaved(Pixels),
    /// A YCbCr or gray JPEG's component planes, when the plan keeps them planar.
    Planar(Planes),
}

pub(crate) struct Decoded {
    /// The decoded picture, or the part of it that the plan's crop and resize read
    /// ([`Plan::needed_region`](crate::plan::Plan::needed_region)).
    pub(crate) samples: Samples,
    /// Where interleaved samples begin in the decoded picture: (0, 0) unless only a part was
    /// decoded. (Planes say where they begin themselves.)
    pub(crate) origin: (u32, u32),
    /// The data ended early or broke off and what decoded was kept (only when the options allow).
    pub(crate) partial: bool,
}

/// Reads the header of a JPEG or PNG and checks its size against the limits.
pub(crate) fn read_header<'a>(
    format: ImageFormat,
    bytes: &'a [u8],
    options: &Options,
) -> Result<Header<'a>, ValidationError> {
    contain_panics(|| match format {
        ImageFormat::Jpeg => jpeg::read_header(bytes, &options.limits),
        ImageFormat::Png => png::read_header(bytes, &options.limits),
    })
}

/// Decodes the picture as `plan` says, once the memory it needs passes the limit.
pub(crate) fn decode(header: Header<'_>, plan: &Plan, options: &Options) -> Result<Decoded, ValidationError> {
    contain_panics(|| match header.pending {
        Pending::Jpeg(pending) => jpeg::decode(*pending, plan, options),
        Pending::Png(pending) => png::decode(*pending, plan, options),
    })
}

/// The last resort against a bug in a decoder that a malformed file reaches (png 0.18.1 had one,
/// now kept away by a check in `png`): its panic becomes `image.internal_error` instead of
/// unwinding into the caller's request handler. Nothing decoded survives the panic, so no broken
/// state can be observed afterwards. Fuzzing builds let the panic through, so that the fuzzer
/// reports it; a caller built with `panic = "abort"` gets no protection from this.
fn contain_panics<T>(run: impl FnOnce() -> Result<T, ValidationError>) -> Result<T, ValidationError> {
    if cfg!(fuzzing) {
        return run();
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(ValidationError::internal("decoding")))
}

/// The per-side and pixel-count limits, checked on the header's numbers.
fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<(), ValidationError> {
    if width == 0 || height == 0 {
        return Err(ValidationError::zero_dimensions(width, height));
    }
    if width > limits.max_width || height > limits.max_height {
        return Err(ValidationError::dimensions_too_large(
            width,
            height,
            limits.max_width,
            limits.max_height,
        ));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(ValidationError::too_many_pixels(pixels, limits.max_pixels));
    }
    Ok(())
}

/// Refuses a decode whose estimated memory exceeds the limit.
fn check_memory(needed: u64, limits: &Limits) -> Result<(), ValidationError> {
    let limit = limits.max_decode_memory as u64;
    if needed > limit {
        return Err(ValidationError::memory_limit_exceeded(needed, limit));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn a_panicking_decoder_becomes_an_internal_error() {
        let result: Result<(), ValidationError> = contain_panics(|| panic!("a decoder bug"));
        assert_eq!(result.unwrap_err().code(), ErrorCode::Internal);
        assert_eq!(contain_panics(|| Ok(7)).unwrap(), 7);
    }
}
