//! Decoding: header first, limits checked, then pixels.
//!
//! Input: the accepted bytes, their format and the options. Output: [`Decoded`], the stored
//! (not yet upright) pixels, possibly already downscaled in the JPEG DCT domain, with what the
//! later stages need to know: EXIF orientation, colour description, whether data was missing.
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
use crate::pixels::Pixels;
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

pub(crate) struct Decoded {
    pub(crate) pixels: Pixels,
    /// Size declared by the header, before any DCT-domain downscaling.
    pub(crate) stored_width: u32,
    pub(crate) stored_height: u32,
    pub(crate) orientation: Orientation,
    pub(crate) color: ColorSource,
    /// The data ended early or broke off and what decoded was kept (only when the options allow).
    pub(crate) partial: bool,
    /// The source had alpha, already flattened onto the background while decoding.
    pub(crate) alpha_flattened: bool,
}

/// Decodes a JPEG or PNG whose header passes the limits.
pub(crate) fn decode(
    format: ImageFormat,
    bytes: &[u8],
    options: &Options,
) -> Result<Decoded, ValidationError> {
    contain_panics(|| match format {
        ImageFormat::Jpeg => jpeg::decode(bytes, options),
        ImageFormat::Png => png::decode(bytes, options),
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

/// Memory the stages after decoding need for a decoded picture of `decoded_w` x `decoded_h`
/// with `channels` channels: a premultiplied copy of the source when the resizer makes one (for
/// alpha not flattened before the resize), the resizer's intermediate, and the fixed-size
/// buffers of the target.
fn pipeline_bytes(
    decoded_w: u64,
    decoded_h: u64,
    channels: u64,
    premultiplies: bool,
    options: &Options,
) -> u64 {
    let (tw, th) = (u64::from(options.width), u64::from(options.height));
    // Saturating throughout: a caller may raise the limits as far as u32 sides allow.
    let premultiplied = if premultiplies {
        decoded_w.saturating_mul(decoded_h).saturating_mul(channels)
    } else {
        0
    };
    // The target may still be turned by the EXIF orientation: take the larger of both ways.
    let intermediate = resize_intermediate(decoded_w, decoded_h, tw, th)
        .max(resize_intermediate(decoded_w, decoded_h, th, tw));
    // Then the resized, converted, flattened, upright and encoded pictures.
    premultiplied
        .saturating_add(intermediate.saturating_mul(channels))
        .saturating_add(tw * th * (4 + 4 + 3 + 3 + 3))
}

/// Pixels in fast_image_resize's intermediate for a cover resize of `w` x `h` to `tw` x `th`:
/// for 8-bit pixels it runs the vertical pass first, into the crop's source columns (plus the
/// Lanczos3 filter's reach of 3 source steps each side) by the target's rows.
fn resize_intermediate(w: u64, h: u64, tw: u64, th: u64) -> u64 {
    let crop_w = w.min(h.saturating_mul(tw).div_ceil(th));
    let reach = 6 * w.div_ceil(tw) + 8;
    w.min(crop_w + reach).saturating_mul(th)
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
