//! The pipeline's stages one at a time, for the per-stage benchmarks in `benches/`. Compiled
//! only with the `stages` feature and hidden from the documentation: not part of the public API,
//! no stability promised. Each function is what [`crate::normalize_profile_image_with`] does.

use crate::plan::{ColourAt, Plan};
use crate::{decode, encode, pixels, resize, sniff, ColorConversion, Options, Upload, ValidationError};

/// The picture the resizer takes (stored orientation), with the plan made for it.
pub struct Decoded {
    pixels: pixels::Pixels,
    /// Where `pixels` begin in the decoded picture.
    origin: (u32, u32),
    plan: Plan,
}

/// A picture between stages.
pub struct Picture(pixels::Pixels);

/// Sniffing, the header checks, the plan and decoding (JPEGs scaled in the DCT domain where it
/// pays), and whatever the plan puts before the resize (a colour conversion far from sRGB).
pub fn decode(bytes: &[u8], options: &Options) -> Result<Decoded, ValidationError> {
    let format = sniff::accept(&Upload::new(bytes), &options.limits)?;
    let header = decode::read_header(format, bytes, options)?;
    let plan = Plan::new(&header, options);
    let decoded = decode::decode(header, &plan, options)?;
    let pixels = crate::prepare_stage(decoded.pixels, &plan, options)?;
    Ok(Decoded {
        pixels,
        origin: decoded.origin,
        plan,
    })
}

/// The cover crop and resize, in stored axes.
pub fn resize(decoded: &Decoded, _options: &Options) -> Result<Picture, ValidationError> {
    let crop = decoded.plan.crop.within_part_at(decoded.origin);
    resize::cover(&decoded.pixels, decoded.plan.target, crop).map(Picture)
}

/// Colour conversion to sRGB (unless it ran before the resize), flattening and the turn upright.
pub fn finish(
    resized: Picture,
    decoded: &Decoded,
    options: &Options,
) -> Result<(Picture, ColorConversion), ValidationError> {
    let picture = crate::finish_stage(resized.0, &decoded.plan, options)?;
    Ok((Picture(picture), decoded.plan.colour.outcome()))
}

/// JPEG encoding of an upright sRGB picture.
pub fn encode(picture: &Picture, options: &Options) -> Result<Vec<u8>, ValidationError> {
    encode::jpeg(&picture.0, options)
}

/// The encoder of our own (`encode::baseline`), which will replace jpeg-encoder: the RGB picture
/// converted to YCbCr planes at the options' subsampling, then written at their quality.
pub fn encode_own(picture: &Picture, options: &Options) -> Vec<u8> {
    let pixels = &picture.0;
    encode_own_rgb(&pixels.data, pixels.width, pixels.height, options)
}

/// [`encode_own`] of interleaved RGB samples.
pub fn encode_own_rgb(rgb: &[u8], width: u32, height: u32, options: &Options) -> Vec<u8> {
    let sampling = match options.subsampling {
        crate::ChromaSubsampling::Yuv444 => (1, 1),
        crate::ChromaSubsampling::Yuv422 => (2, 1),
        crate::ChromaSubsampling::Yuv420 => (2, 2),
    };
    let planes = encode::ycc::from_rgb(rgb, width as usize, height as usize, sampling);
    encode::baseline::encode(&planes, options.quality, options.optimize_huffman)
}

/// [`crate::normalize_profile_image_with`] with the colour conversion forced before the resize
/// (`before`) or after it, whatever the plan's rule says; and where the rule puts it.
pub fn normalize_with_colour_order(
    upload: Upload<'_>,
    options: &Options,
    before: bool,
) -> Result<crate::Jpeg, ValidationError> {
    let mut options = *options;
    options.colour_at = Some(if before {
        ColourAt::BeforeResize
    } else {
        ColourAt::AfterResize
    });
    crate::normalize_profile_image_with(upload, &options)
}

/// Whether the plan's rule converts the colours of `bytes` before the resize.
pub fn converts_before_resize(bytes: &[u8], options: &Options) -> Result<bool, ValidationError> {
    let format = sniff::accept(&Upload::new(bytes), &options.limits)?;
    let header = decode::read_header(format, bytes, options)?;
    Ok(Plan::new(&header, options).colour_at == ColourAt::BeforeResize)
}

/// The crate's own JPEG decoder at `1 / divisor` (1, 2, 4 or 8), refusing damage, with the
/// default limits: width, height, samples per pixel (1, 3 or 4) and the interleaved samples,
/// four-component ones as jpeg-decoder returns them.
pub fn decode_jpeg_own(bytes: &[u8], divisor: u32) -> Result<(u32, u32, usize, Vec<u8>), ValidationError> {
    crate::decode::jpeg::decode_own(bytes, divisor, &crate::Limits::default(), None)
}

/// [`decode_jpeg_own`] asked for the output pixels `left..right` x `top..bottom` only, as the
/// pipeline asks for its crop: outside them the samples are zero.
pub fn decode_jpeg_own_region(
    bytes: &[u8],
    divisor: u32,
    (left, top, right, bottom): (u32, u32, u32, u32),
) -> Result<(u32, u32, usize, Vec<u8>), ValidationError> {
    let region = (left as usize, top as usize, right as usize, bottom as usize);
    crate::decode::jpeg::decode_own(bytes, divisor, &crate::Limits::default(), Some(region))
}

/// jpeg-decoder at `1 / divisor` (where its own choice of scale agrees), the decoder the
/// pipeline used before its own: the reference of the per-stage benchmarks.
pub fn decode_jpeg_with_jpeg_decoder(bytes: &[u8], divisor: u32) -> Result<Vec<u8>, ValidationError> {
    crate::decode::jpeg::decode_with_jpeg_decoder(bytes, divisor)
}

/// The DCT scale divisor the plan picks for `bytes` (1 for a PNG).
pub fn scale_divisor(bytes: &[u8], options: &Options) -> Result<u32, ValidationError> {
    let format = sniff::accept(&Upload::new(bytes), &options.limits)?;
    let header = decode::read_header(format, bytes, options)?;
    Ok(Plan::new(&header, options).divisor)
}
