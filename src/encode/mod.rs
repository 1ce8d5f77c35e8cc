//! Encoding: the upright picture becomes a baseline JPEG.
//!
//! Input: the planar path's YCbCr planes of the target size (written by the crate's own encoder,
//! [`baseline`], as they are), or RGB pixels of the target size (written by jpeg-encoder, which
//! converts them). Output: JPEG bytes with SOI, a JFIF APP0, quantisation and Huffman tables,
//! one baseline frame of three YCbCr components, and EOI. Nothing else: no EXIF (GPS positions in
//! avatars are a known privacy leak), no XMP, no ICC (the pixels are sRGB, which is what an
//! untagged JPEG means), no comment. Same pixels and options give the same bytes. Error:
//! `image.internal_error`.

pub(crate) mod baseline;
mod entropy;
mod fdct;
// The conversion from RGB serves the tests and the per-stage benchmarks until the RGB path
// writes through this encoder too.
#[cfg_attr(not(any(test, feature = "stages")), allow(dead_code))]
pub(crate) mod ycc;

use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};

use crate::error::ValidationError;
use crate::options::{ChromaSubsampling, Options};
use crate::pixels::{Channels, Pixels};

/// The planar path's encoding: YCbCr planes of the output, upright, written as they are.
pub(crate) fn planes(planes: &ycc::YccPlanes, options: &Options) -> Vec<u8> {
    baseline::encode(planes, options.quality, options.optimize_huffman)
}

pub(crate) fn jpeg(pixels: &Pixels, options: &Options) -> Result<Vec<u8>, ValidationError> {
    debug_assert_eq!(pixels.channels, Channels::Rgb);
    let internal = || ValidationError::internal("JPEG encoding");
    let width = u16::try_from(pixels.width).map_err(|_| internal())?;
    let height = u16::try_from(pixels.height).map_err(|_| internal())?;
    let mut out = Vec::with_capacity(pixels.data.len() / 8);
    let mut encoder = Encoder::new(&mut out, options.quality);
    // Set explicitly: jpeg-encoder's own default switches to 4:4:4 from quality 90 up.
    encoder.set_sampling_factor(match options.subsampling {
        ChromaSubsampling::Yuv444 => SamplingFactor::R_4_4_4,
        ChromaSubsampling::Yuv422 => SamplingFactor::R_4_2_2,
        ChromaSubsampling::Yuv420 => SamplingFactor::R_4_2_0,
    });
    // jpeg-encoder's default keeps the top-left pixel of each 2x2 (or 2x1) block as its chroma:
    // aliased colour edges, and colour shifted half a pixel up and left. Averaging the block,
    // as libjpeg does, is what the peers' outputs are measured against.
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    encoder.set_optimized_huffman_tables(options.optimize_huffman);
    encoder.set_progressive(false);
    encoder
        .encode(&pixels.data, width, height, ColorType::Rgb)
        .map_err(|e| internal().with_source(e))?;
    Ok(out)
}
