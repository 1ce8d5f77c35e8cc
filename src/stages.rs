//! The pipeline's stages one at a time, for the per-stage benchmarks in `benches/`. Compiled
//! only with the `stages` feature and hidden from the documentation: not part of the public API,
//! no stability promised. Each function is what [`crate::normalize_profile_image_with`] does.

use crate::encode::ycc::YccPlanes;
use crate::plan::{ColourAt, Plan};
use crate::{
    decode, encode, orient, pixels, resize, sniff, ColorConversion, Options, Upload, ValidationError,
};

/// The picture the resizer takes (stored orientation), with the plan made for it.
pub struct Decoded {
    samples: decode::Samples,
    /// Where interleaved samples begin in the decoded picture.
    origin: (u32, u32),
    plan: Plan,
}

/// A picture between stages.
pub struct Picture(Resized);

/// Interleaved pixels, or the planar path's YCbCr planes of the output.
enum Resized {
    Pixels(pixels::Pixels),
    Planes(YccPlanes),
}

/// Sniffing, the header checks, the plan and decoding (JPEGs scaled in the DCT domain where it
/// pays, YCbCr and gray ones kept as planes), and whatever the plan puts before the resize (a
/// colour conversion far from sRGB).
pub fn decode(bytes: &[u8], options: &Options) -> Result<Decoded, ValidationError> {
    let format = sniff::accept(&Upload::new(bytes), &options.limits)?;
    let header = decode::read_header(format, bytes, options)?;
    let plan = Plan::new(&header, options);
    let decoded = decode::decode(header, &plan, options)?;
    let samples = match decoded.samples {
        decode::Samples::Interleaved(pixels) => {
            decode::Samples::Interleaved(crate::prepare_stage(pixels, &plan, options)?)
        }
        planar => planar,
    };
    Ok(Decoded {
        samples,
        origin: decoded.origin,
        plan,
    })
}

/// The cover crop and resize, in stored axes.
pub fn resize(decoded: &Decoded, _options: &Options) -> Result<Picture, ValidationError> {
    match &decoded.samples {
        decode::Samples::Interleaved(pixels) => {
            let crop = decoded.plan.crop.within_part_at(decoded.origin);
            resize::cover(pixels, decoded.plan.target, crop).map(|p| Picture(Resized::Pixels(p)))
        }
        decode::Samples::Planar(planes) => {
            crate::resize_planes_stage(planes, &decoded.plan).map(|p| Picture(Resized::Planes(p)))
        }
    }
}

/// Colour conversion to sRGB (unless it ran before the resize), flattening and the turn upright.
pub fn finish(
    resized: Picture,
    decoded: &Decoded,
    options: &Options,
) -> Result<(Picture, ColorConversion), ValidationError> {
    let picture = match resized.0 {
        Resized::Pixels(pixels) => Resized::Pixels(crate::finish_stage(pixels, &decoded.plan, options)?),
        Resized::Planes(planes) => Resized::Planes(orient::upright_planes(planes, decoded.plan.orientation)),
    };
    Ok((Picture(picture), decoded.plan.colour.outcome()))
}

/// JPEG encoding of an upright sRGB picture, or of upright planes.
pub fn encode(picture: &Picture, options: &Options) -> Result<Vec<u8>, ValidationError> {
    match &picture.0 {
        Resized::Pixels(pixels) => encode::jpeg(pixels, options),
        Resized::Planes(planes) => Ok(encode::planes(planes, options)),
    }
}

/// The encoder of our own (`encode::baseline`), which will replace jpeg-encoder: an RGB picture
/// converted to YCbCr planes at the options' subsampling, then written at their quality and with
/// their Huffman tables; planes written as they are.
pub fn encode_own(picture: &Picture, options: &Options) -> Vec<u8> {
    match &picture.0 {
        Resized::Pixels(pixels) => encode_own_rgb(&pixels.data, pixels.width, pixels.height, options),
        Resized::Planes(planes) => encode::planes(planes, options),
    }
}

/// The options with the planar path off: YCbCr and gray JPEGs go through RGB as every other
/// source does (to compare the two paths).
pub fn without_planes(options: &Options) -> Options {
    Options {
        planar: false,
        ..*options
    }
}

/// Whether the plan takes `bytes` through the planar path.
pub fn is_planar(bytes: &[u8], options: &Options) -> Result<bool, ValidationError> {
    let format = sniff::accept(&Upload::new(bytes), &options.limits)?;
    let header = decode::read_header(format, bytes, options)?;
    Ok(Plan::new(&header, options).planar)
}

/// [`encode_own`] of interleaved RGB samples.
pub fn encode_own_rgb(rgb: &[u8], width: u32, height: u32, options: &Options) -> Vec<u8> {
    let (h, v) = options.subsampling.factors();
    let planes = encode::ycc::from_rgb(rgb, width as usize, height as usize, (h as usize, v as usize));
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
