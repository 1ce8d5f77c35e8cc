//! The pipeline's stages one at a time, for the per-stage benchmarks in `benches/`. Compiled
//! only with the `stages` feature and hidden from the documentation: not part of the public API,
//! no stability promised. Each function is the one [`crate::normalize_profile_image_with`] calls.

use crate::{decode, encode, pixels, sniff, ColorConversion, Options, Upload, ValidationError};

/// Decoded pixels in stored orientation, with what the later stages need to know.
pub struct Decoded(decode::Decoded);

/// A picture between stages.
pub struct Picture(pixels::Pixels);

/// Sniffing, the header checks and decoding (JPEGs scaled in the DCT domain where it pays).
pub fn decode(bytes: &[u8], options: &Options) -> Result<Decoded, ValidationError> {
    let format = sniff::accept(&Upload::new(bytes), &options.limits)?;
    decode::decode(format, bytes, options).map(Decoded)
}

/// The cover crop and resize, in stored axes.
pub fn resize(decoded: &Decoded, options: &Options) -> Result<Picture, ValidationError> {
    crate::resize_stage(&decoded.0, options).map(Picture)
}

/// Colour conversion to sRGB, flattening and the turn upright.
pub fn finish(resized: Picture, decoded: &Decoded, options: &Options) -> (Picture, ColorConversion) {
    let (picture, color) = crate::finish_stage(resized.0, &decoded.0.color, decoded.0.orientation, options);
    (Picture(picture), color)
}

/// JPEG encoding of an upright sRGB picture.
pub fn encode(picture: &Picture, options: &Options) -> Result<Vec<u8>, ValidationError> {
    encode::jpeg(&picture.0, options)
}

/// The JPEG header walk and the entropy walk that checks every scan is whole, without decoding:
/// the share of the decode stage our own checks cost.
pub fn check_jpeg(bytes: &[u8]) -> Result<(), ValidationError> {
    crate::decode::jpeg::probe(bytes).map(|_| ())
}

/// The crate's own JPEG decoder (not yet on the normalize path) at `1 / divisor` (1, 2, 4 or
/// 8): width, height, samples per pixel (1, 3 or 4) and the interleaved samples, four-component
/// ones as jpeg-decoder returns them.
pub fn decode_jpeg_own(bytes: &[u8], divisor: u32) -> Result<(u32, u32, usize, Vec<u8>), ValidationError> {
    crate::decode::jpeg::decode_own(bytes, divisor)
}
