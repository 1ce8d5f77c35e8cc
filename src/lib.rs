//! Turns any profile picture a person uploads into one correct, small JPEG, or says precisely
//! why it cannot.
//!
//! The endpoint this crate serves takes "image/jpeg, image/png" and promises the picture "will be
//! rescaled (1200x1200) and converted to mime type image/jpeg". Doing that right for the photos
//! people really upload means more than a resize: phones store photos sideways with an EXIF
//! orientation, iPhones tag them Display P3, PNGs carry transparency, CMYK JPEGs store inverted
//! ink, uploads arrive truncated, and some files are built to exhaust a server. This crate does
//! all of it in one call, with no I/O.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let upload = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photo-2000x1500.jpg"))?;
//!
//! let jpeg = profile_image::normalize_profile_image(&upload)?;
//! assert_eq!((jpeg.width(), jpeg.height()), (1200, 1200));
//! assert_eq!(jpeg.mime_type(), "image/jpeg");
//! assert_eq!(jpeg.source().stored_width, 2000);
//!
//! // A bad upload is a value carrying the spec's error body.
//! let error = profile_image::normalize_profile_image(b"GIF89a...").unwrap_err();
//! assert_eq!(error.code().as_str(), "image.unsupported_type");
//! assert_eq!(error.http_status(), 400);
//! assert_eq!(error.to_string(), "the uploaded file is GIF, which is not supported; supported types are image/jpeg and image/png");
//! # Ok(())
//! # }
//! ```
//!
//! # Guarantees
//! - **No I/O**: bytes in, bytes out.
//! - **No panics** on any input; every failure is a [`ValidationError`] with a stable code.
//! - **Bounded memory**: width, height, pixel count, scan count and the exact memory the decode
//!   needs are checked against [`Limits`] from the header, before any pixel is allocated.
//! - **Nothing half-written**: truncated or corrupt data is an error unless
//!   [`DamagedInput::AcceptPartial`] says otherwise.
//! - **No metadata out**: the output carries pixels only (no EXIF, GPS, XMP, ICC or comments).
//! - **Deterministic**: the same input and options give the same bytes.
//! - **No `unsafe`** in this crate; SIMD comes from fast_image_resize (SSE4.1/AVX2/NEON, chosen
//!   at run time), jpeg-encoder (AVX2), moxcms, and pulp, whose run-time dispatch compiles the
//!   JPEG decoder's vectorised passes for AVX2.
//!
//! # Pipeline
//! `sniff → decode → resize → colour → flatten → orient → encode`, one module each, data flowing
//! one way. Between the header and the pixels, one plan per input decides what each stage does:
//! decoding downscales JPEGs in the DCT domain when the result still covers the target; the
//! colour conversion runs before the resize for sources far from sRGB (CMYK, linear curves) or
//! smaller than the target, and after it otherwise, on the small resized picture where it is
//! cheap, as the rotation is. Alpha of an sRGB or untagged PNG is flattened inside the decoder,
//! before the resize, which gives the same picture with a quarter less to resize. A YCbCr or
//! gray JPEG whose colours need no conversion never becomes RGB: its Y, Cb and Cr planes are
//! resized one by one (chroma straight to the output's subsampled size, sited as JFIF says),
//! turned upright and encoded as they are.
//!
//! # Errors
//! | code | when | status |
//! |---|---|---|
//! | `image.empty` | no bytes | 400 |
//! | `image.file_too_large` | more bytes than `max_input_bytes` | 400 |
//! | `image.unsupported_type` | not JPEG or PNG (names GIF, WebP, BMP, TIFF, HEIC/HEIF, AVIF, JPEG XL, ICO, SVG, XML, PDF or "an unknown type") | 400 |
//! | `image.extension_not_allowed` | declared file name not .jpg, .jpeg or .png | 400 |
//! | `image.declared_type_mismatch` | declared name or Content-Type disagrees with the content | 400 |
//! | `image.dimensions_too_large` | width or height over the limit | 400 |
//! | `image.too_many_pixels` | width x height over the limit | 400 |
//! | `image.memory_limit_exceeded` | the decode would need more memory than the limit | 400 |
//! | `image.too_many_scans` | a JPEG with more scans than the limit | 400 |
//! | `image.zero_dimensions` | a zero width, or a zero PNG height (a JPEG height of 0 means "given by DNL": unsupported) | 400 |
//! | `image.truncated` | the data ends early: before the image is complete or before the end marker (JPEG EOI, PNG IEND), even inside the signature | 400 |
//! | `image.corrupt` | malformed data | 400 |
//! | `image.unsupported_encoding` | a valid JPEG the decoders here cannot read: arithmetic or hierarchical coding, 12-bit samples, lossless samples of other than 8 bits, a DNL-defined height, 2 or 5+ components, a subsampling without whole upsampling ratios | 400 |
//! | `image.invalid_options` | the caller's options are out of range | 500 |
//! | `image.internal_error` | a failure inside the pipeline | 500 |
//!
//! # Use it in a service
//! The call is CPU-bound (tens of milliseconds for a phone photo): run it off the async executor
//! (`tokio::task::spawn_blocking`), at most `budget / (max_input_bytes + peak_heap_bound())` at
//! once for a memory budget when each upload is held in one buffer ([`Limits::peak_heap_bound`]),
//! refuse an over-long body while
//! streaming it with [`Limits::check_input_length`], and answer an error with
//! [`ValidationError::http_status`] and [`ValidationError::body`]. The service's own errors
//! (401, 404, a missing field) use [`ErrorBody::new`], the same type and shape. The workspace's
//! `profile-image-axum` crate does all of this for axum.
//!
//! # Features
//! - `serde`: [`ErrorBody`] implements `Serialize` and `Deserialize`, in the spec's JSON shape.
//! - `cli`: the `profile-image` command-line tool (`cargo install profile-image --features cli`).
//! - `fuzzing` and `stages` are internal, for this repository's fuzz targets and per-stage
//!   benchmarks: not part of the API, and they may change or go in any release.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod color;
mod decode;
mod encode;
mod error;
mod exif;
mod flatten;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod options;
mod orient;
mod output;
mod pixels;
mod plan;
mod resize;
mod sniff;
#[cfg(feature = "stages")]
#[doc(hidden)]
pub mod stages;

use decode::Samples;
use plan::{ColourAt, Flatten, Plan};

pub use color::ColorConversion;
pub use error::{ArgType, ArgValue, ErrorBody, ErrorCode, Fault, TypedArg, ValidationError, REFERENCE};
pub use options::{ChromaSubsampling, CropAnchor, DamagedInput, Limits, Options, Upload};
pub use orient::Orientation;
pub use output::{Jpeg, SourceInfo};
pub use sniff::{detect, FileType, ImageFormat};

/// Normalizes an upload with the spec's defaults: a 1200x1200 sRGB JPEG at quality 85.
///
/// No declaration is checked: the magic bytes alone decide the type.
///
/// # Errors
/// A [`ValidationError`] for every bad upload; see the crate docs for the codes.
pub fn normalize_profile_image(bytes: &[u8]) -> Result<Jpeg, ValidationError> {
    normalize_profile_image_with(Upload::new(bytes), &Options::default())
}

/// Normalizes an upload, checking its declared file name and Content-Type if given, with the
/// given options.
///
/// # Errors
/// A [`ValidationError`] for every bad upload, and `image.invalid_options` (a 500) if `options`
/// are out of range.
pub fn normalize_profile_image_with(upload: Upload<'_>, options: &Options) -> Result<Jpeg, ValidationError> {
    options.validate()?;
    let format = sniff::accept(&upload, &options.limits)?;
    let header = decode::read_header(format, upload.bytes, options)?;
    let plan = Plan::new(&header, options);
    let decoded = decode::decode(header, &plan, options)?;
    let (bytes, (width, height)) = match decoded.samples {
        Samples::Interleaved(pixels) => {
            let crop = plan.crop.within_part_at(decoded.origin);
            let source = prepare_stage(pixels, &plan, options)?;
            let resized = resize::cover(&source, plan.target, crop)?;
            // The source is the largest buffer: freed before the later stages allocate theirs.
            drop(source);
            let upright = finish_stage(resized, &plan, options)?;
            (encode::jpeg(&upright, options)?, (upright.width, upright.height))
        }
        Samples::Planar(planes) => {
            let resized = resize_planes_stage(&planes, &plan)?;
            drop(planes);
            let upright = orient::upright_planes(resized, plan.orientation);
            let size = (upright.width as u32, upright.height as u32);
            (encode::planes(&upright, options), size)
        }
    };

    let (displayed_width, displayed_height) = plan.orientation.oriented_size(plan.stored);
    Ok(Jpeg {
        bytes,
        width,
        height,
        source: SourceInfo {
            format,
            stored_width: plan.stored.0,
            stored_height: plan.stored.1,
            displayed_width,
            displayed_height,
            orientation: plan.orientation,
            color: plan.colour.outcome(),
            alpha_flattened: plan.flatten != Flatten::Opaque,
            partial: decoded.partial,
        },
    })
}

/// The planar path's resize: each plane to the target (Y) or the output's chroma size, in
/// stored axes, the odd chroma sample placed where the upright picture ends.
fn resize_planes_stage(
    planes: &pixels::Planes,
    plan: &Plan,
) -> Result<encode::ycc::YccPlanes, ValidationError> {
    let at_start = plan.orientation.reads_stored_axes_backwards();
    resize::cover_planes(planes, plan.target, plan.crop, plan.chroma, at_start)
}

/// Before the resize, what the plan puts there: the colour conversion of a source far from sRGB
/// or smaller than the target, and the flattening of its alpha once it is sRGB.
fn prepare_stage(
    decoded: pixels::Pixels,
    plan: &Plan,
    options: &Options,
) -> Result<pixels::Pixels, ValidationError> {
    if plan.colour_at != ColourAt::BeforeResize {
        return Ok(decoded);
    }
    let srgb = plan.colour.apply(decoded)?;
    Ok(match plan.flatten {
        Flatten::BeforeResize => flatten::onto(srgb, options.background),
        _ => srgb,
    })
}

/// After the resize, on the target's pixels: the colour conversion (unless it ran before),
/// alpha flattening and the turn upright, each a pass over the target's pixels instead of the
/// source's.
fn finish_stage(
    resized: pixels::Pixels,
    plan: &Plan,
    options: &Options,
) -> Result<pixels::Pixels, ValidationError> {
    let srgb = match plan.colour_at {
        ColourAt::AfterResize => color::to_srgb(resized, &plan.colour)?,
        ColourAt::BeforeResize => color::expand(resized),
    };
    let flat = flatten::onto(srgb, options.background);
    Ok(orient::upright(flat, plan.orientation))
}
