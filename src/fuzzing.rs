//! Entry points for the fuzz targets in `fuzz/`: the crate's own parsers one by one, and the
//! JPEG path without DCT-domain scaling. Compiled only with the `fuzzing` feature and hidden from
//! the documentation: not part of the public API, no stability promised.

use crate::decode::jpeg::header::{reassemble_icc, IccChunk};
use crate::{normalize_profile_image_with, Jpeg, Options, Upload, ValidationError};

/// The EXIF orientation value (1 to 8) the TIFF walker reads from `tiff`; 1 when it finds none.
pub fn exif_orientation(tiff: &[u8]) -> u16 {
    crate::exif::orientation(tiff).to_exif()
}

/// Joins ICC profile chunks given as (sequence number, chunk count, data), as found in JPEG APP2
/// segments; `None` when they do not make one whole profile.
pub fn reassemble_icc_chunks(chunks: &[(u8, u8, &[u8])]) -> Option<Vec<u8>> {
    let chunks: Vec<IccChunk<'_>> = chunks
        .iter()
        .map(|&(seq, count, data)| IccChunk { seq, count, data })
        .collect();
    reassemble_icc(&chunks)
}

/// The JPEG header walk, ICC reassembly and size check, then (for frames of at most 16 MiB at
/// 1/8) our decoder at 1/8, which reads every scan: the number of scans and the reassembled
/// profile's length.
pub fn probe_jpeg(bytes: &[u8]) -> Result<(u32, Option<usize>), ValidationError> {
    crate::decode::jpeg::probe(bytes)
}

/// The crate's own JPEG decoder at `1 / divisor` (1, 2, 4 or 8), refusing damage, once the
/// header has passed `limits`: width, height, samples per pixel (1, 3 or 4) and the
/// interleaved samples, four-component ones as jpeg-decoder returns them (255 minus libjpeg's);
/// and whether bytes outside every segment and scan were skipped (libjpeg's "extraneous bytes").
pub fn decode_jpeg(
    bytes: &[u8],
    divisor: u32,
    limits: &crate::Limits,
) -> Result<(crate::decode::jpeg::Samples, bool), ValidationError> {
    crate::decode::jpeg::decode_own_noting_extraneous(bytes, divisor, limits, None)
}

/// The PNG IHDR read and chunk walk: width, height, IDAT bytes, whether a whole IEND ends it.
pub fn probe_png(bytes: &[u8]) -> Result<(u32, u32, u64, bool), ValidationError> {
    crate::decode::png::probe(bytes)
}

/// [`normalize_profile_image_with`], but decoding JPEGs at full size, never scaled in the DCT
/// domain: the other side of the shrink-on-load differential.
pub fn normalize_without_shrink_on_load(
    upload: Upload<'_>,
    options: &Options,
) -> Result<Jpeg, ValidationError> {
    let mut options = *options;
    options.shrink_on_load = false;
    normalize_profile_image_with(upload, &options)
}
