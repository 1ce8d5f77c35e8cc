//! JPEG: our own marker walk reads the header (size, coding process, sampling, EXIF, ICC chunks,
//! Adobe APP14) so every limit is checked before anything is allocated; our own decoder
//! ([`decoder`]) then decodes in one pass that also finds damage, scaled down in the DCT domain
//! (1/2, 1/4, 1/8) whenever the result still covers the target, the largest single speed-up for
//! photos. When the plan keeps a YCbCr or gray file planar, the decoder hands on its component
//! planes, each at its own resolution, instead of upsampling and converting them to RGB.
//!
//! Lossless files (SOF3), rare outside medical imaging, are the one exception: their segments
//! are checked by the same walk, then jpeg-decoder decodes them at full size.

use std::io::{self, Read};

mod decoder;
pub(crate) mod header;

use decoder::OnDamage;
pub(crate) use decoder::NATURAL_ORDER;
use header::{read_header as read_header_segments, reassemble_icc, too_short_for_frame, Frame};

use super::{check_dimensions, check_memory, ColorSource, Decoded};
use crate::error::ValidationError;
use crate::exif;
use crate::options::{DamagedInput, Limits, Options};
use crate::orient::Orientation;
use crate::pixels::{Channels, Pixels};
use crate::plan::Plan;

const NAME: &str = "JPEG";

/// What our own reading of the file (the header walk and the decoder) found wrong.
#[derive(Debug, PartialEq, Eq)]
enum Damage {
    /// The data ends (end of file, or a marker inside a scan) before a segment or a scan is
    /// complete.
    Truncated,
    /// A malformed segment, an impossible Huffman table or code.
    Corrupt,
    /// More Huffman table definitions than `MAX_TABLE_DEFINITIONS` (1024): no encoder writes
    /// that many, and a decoder that builds every one spends about half a second per million.
    /// Fatal in every damaged-input mode.
    Excessive,
}

impl Damage {
    fn into_error(self) -> ValidationError {
        match self {
            Damage::Truncated => ValidationError::truncated(NAME).with_source(self),
            Damage::Corrupt | Damage::Excessive => ValidationError::corrupt(NAME).with_source(self),
        }
    }
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Damage::Truncated => "the data ends before a marker segment or a scan is complete",
            Damage::Corrupt => "a malformed marker segment, Huffman table or code",
            Damage::Excessive => "more Huffman table definitions than any encoder writes",
        })
    }
}

impl std::error::Error for Damage {}

/// Refuses what neither our decoder nor the lossless fallback reads, with the feature named.
fn check_supported(frame: &Frame) -> Result<(), ValidationError> {
    let feature = match frame.marker {
        0xC9..=0xCB | 0xCD..=0xCF => Some("arithmetic coding".to_string()),
        0xC5..=0xC7 => Some("hierarchical coding".to_string()),
        // jpeg-decoder returns 16-bit samples for any lossless precision but 8.
        0xC3 if frame.precision != 8 => Some(format!("{}-bit lossless samples", frame.precision)),
        0xC3 => None,
        _ if frame.precision != 8 => Some(format!("{}-bit samples", frame.precision)),
        _ => None,
    };
    let feature = feature.or_else(|| {
        (!matches!(frame.sampling.len(), 1 | 3 | 4))
            .then(|| format!("{} colour components", frame.sampling.len()))
    });
    match feature {
        Some(feature) => Err(ValidationError::unsupported_encoding(NAME, &feature)),
        None => Ok(()),
    }
}

/// The largest DCT scale divisor (8, 4, 2 or 1) whose output still covers the target in both
/// axes, so the resizer only ever shrinks and quality does not suffer.
fn scale_divisor(frame: &Frame, target: (u32, u32)) -> u32 {
    if frame.marker == 0xC3 {
        return 1; // lossless coding has no DCT to scale in
    }
    let (w, h) = (frame.width, frame.height);
    [8, 4, 2]
        .into_iter()
        .find(|&d| w.div_ceil(d) >= target.0 && h.div_ceil(d) >= target.1)
        .unwrap_or(1)
}

/// Bytes the decode will hold at once for this frame at this scale: for our decoder its planes,
/// coefficients (those of `region`, the output pixels needed; all when `None`) and output,
/// interleaved or `planar` ([`decoder::memory`]); for a lossless file jpeg-decoder's buffers.
fn decode_bytes(frame: &Frame, divisor: u32, region: Option<decoder::Region>, planar: bool) -> u64 {
    if frame.marker == 0xC3 {
        // Lossless: per sample a u16 result, an i32 difference, a u16 copy and an 8-bit plane
        // (measured peak: 9.6 bytes per sample), then the output.
        let samples = u64::from(frame.width) * u64::from(frame.height);
        let out_channels = if frame.sampling.len() == 1 {
            1
        } else {
            frame.sampling.len() as u64
        };
        return samples * (frame.sampling.len() as u64 * (2 + 4 + 2 + 2) + out_channels);
    }
    // A sampling the decoder refuses allocates nothing before it says so.
    let whole = (0, 0, usize::MAX, usize::MAX);
    decoder::memory(frame, divisor, region.unwrap_or(whole), planar).unwrap_or(0)
}

/// A JPEG whose header passed the size limits, waiting for the plan.
pub(crate) struct Pending<'a> {
    bytes: &'a [u8],
    header: header::Header<'a>,
    frame: Frame,
}

impl Pending<'_> {
    pub(super) fn largest_scale_covering(&self, target: (u32, u32)) -> u32 {
        scale_divisor(&self.frame, target)
    }

    pub(super) fn planar_ratio(&self) -> Option<(u32, u32)> {
        decoder::planar_ratio(&self.header)
    }
}

pub(super) fn read_header<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<super::Header<'a>, ValidationError> {
    let header = read_header_segments(bytes).map_err(Damage::into_error)?;
    let Some(frame) = header.frame.clone() else {
        return Err(ValidationError::corrupt(NAME));
    };
    // Height 0 in the frame means "given by a DNL marker after the first scan", which
    // jpeg-decoder cannot read: a valid but unsupported file, not a zero-sized one.
    if frame.height == 0 && frame.width > 0 {
        return Err(ValidationError::unsupported_encoding(
            NAME,
            "a DNL-defined height",
        ));
    }
    check_dimensions(frame.width, frame.height, limits)?;
    check_supported(&frame)?;
    if header.scans > limits.max_jpeg_scans {
        return Err(ValidationError::too_many_scans(
            header.scans,
            limits.max_jpeg_scans,
        ));
    }
    let channels = match frame.sampling.len() {
        1 => Channels::Gray,
        3 => Channels::Rgb,
        _ => Channels::Cmyk,
    };
    Ok(super::Header {
        stored_width: frame.width,
        stored_height: frame.height,
        channels,
        orientation: header.exif.map_or(Orientation::Normal, exif::orientation),
        color: reassemble_icc(&header.icc_chunks).map_or(ColorSource::Unspecified, ColorSource::Icc),
        pending: super::Pending::Jpeg(Box::new(Pending { bytes, header, frame })),
    })
}

pub(super) fn decode(
    pending: Pending<'_>,
    plan: &Plan,
    options: &Options,
) -> Result<Decoded, ValidationError> {
    let Pending { bytes, header, frame } = pending;
    let limits = &options.limits;
    let divisor = plan.divisor;
    let (width, height) = plan.decoded;
    let (left, top, right, bottom) = plan.needed_region();
    let region = Some((left as usize, top as usize, right as usize, bottom as usize));
    check_memory(
        decode_bytes(&frame, divisor, region, plan.planar) + plan.after_decode_bytes(),
        limits,
    )?;
    // Refused in both damaged-input modes: nothing can be kept of a file this short.
    if too_short_for_frame(&frame, header.scan_bytes) {
        return Err(ValidationError::truncated(NAME));
    }
    let on_damage = match options.damaged_input {
        DamagedInput::AcceptPartial => OnDamage::KeepPartial,
        _ => OnDamage::Refuse,
    };
    if plan.planar {
        let picture = decoder::decode_planes(bytes, &header, divisor, on_damage, region, true)?;
        let partial = picture.partial;
        return Ok(Decoded {
            samples: super::Samples::Planar(picture.into_planes()),
            origin: (0, 0),
            partial,
        });
    }
    let (data, partial, (origin, size)) = if frame.marker == 0xC3 {
        let (data, partial) = decode_lossless(bytes, &frame, options)?;
        (data, partial, ((0, 0), (width, height)))
    } else {
        let picture = decoder::decode_planes(bytes, &header, divisor, on_damage, region, false)?;
        // Only the region is interleaved: the rest of the picture is never read.
        let (left, top, right, bottom) = picture.region();
        let part = (
            (left as u32, top as u32),
            ((right - left) as u32, (bottom - top) as u32),
        );
        (picture.interleave(), picture.partial, part)
    };
    let data = match plan.channels {
        Channels::Cmyk => cmyk_as_ink(data, header.adobe_transform),
        _ => data,
    };
    let pixels = Pixels::new(size.0, size.1, plan.channels, data)
        .ok_or_else(|| ValidationError::internal("JPEG decoding"))?;
    Ok(Decoded {
        samples: super::Samples::Interleaved(pixels),
        origin,
        partial,
    })
}

/// A lossless file through jpeg-decoder, at full size, once our walk has checked its segments.
fn decode_lossless(
    bytes: &[u8],
    frame: &Frame,
    options: &Options,
) -> Result<(Vec<u8>, bool), ValidationError> {
    let size = (frame.width, frame.height);
    let max_memory = options.limits.max_decode_memory;
    let accept_partial = options.damaged_input == DamagedInput::AcceptPartial;
    let segments_whole = match decoder::check_lossless(bytes, frame) {
        Ok(()) => true,
        Err(damage @ Damage::Excessive) => return Err(damage.into_error()),
        Err(_) if accept_partial => false,
        Err(damage) => return Err(damage.into_error()),
    };
    match run_decoder(bytes, size, 1, max_memory) {
        Ok(data) => Ok((data, !segments_whole)),
        Err(error) if error.code() == crate::ErrorCode::Truncated && accept_partial => {
            // An EOI marker where the data stops makes jpeg-decoder end the scan there and keep
            // what it has, like libjpeg's "premature end of data" recovery. Chained, not copied.
            let closed = bytes.chain(&[0xFF, 0xD9][..]);
            let data = run_decoder(closed, size, 1, max_memory).map_err(|_| error)?;
            Ok((data, true))
        }
        Err(error) => Err(error),
    }
}

/// The header walk, ICC reassembly and size check, then (for a frame with both sides and at most
/// 16 MiB at 1/8) a decode at 1/8, which reads every scan: for the fuzz targets. The number of
/// scans and the reassembled profile's length, or what is wrong.
#[cfg(feature = "fuzzing")]
pub(crate) fn probe(bytes: &[u8]) -> Result<(u32, Option<usize>), ValidationError> {
    let header = read_header_segments(bytes).map_err(Damage::into_error)?;
    let icc = reassemble_icc(&header.icc_chunks).map(|profile| profile.len());
    let frame = header
        .frame
        .clone()
        .ok_or_else(|| ValidationError::corrupt(NAME))?;
    if too_short_for_frame(&frame, header.scan_bytes) {
        return Err(ValidationError::truncated(NAME));
    }
    check_supported(&frame)?;
    if frame.marker == 0xC3 {
        decoder::check_lossless(bytes, &frame).map_err(Damage::into_error)?;
    } else if decode_bytes(&frame, 8, None, false) <= 16 << 20 && frame.width > 0 && frame.height > 0 {
        decoder::decode_planes(bytes, &header, 8, OnDamage::Refuse, None, false)?;
    }
    Ok((header.scans, icc))
}

/// Our own decoder at `1 / divisor` (1, 2, 4 or 8), refusing damage, once the header has passed
/// `limits` (sizes, scans, the decode's memory): width, height, samples per pixel and the
/// interleaved samples (four-component ones as jpeg-decoder returns them; outside `region`,
/// when given, zero). For the tests and the fuzz targets that compare it with jpeg-decoder and
/// djpeg.
#[cfg(feature = "stages")]
pub(crate) fn decode_own(
    bytes: &[u8],
    divisor: u32,
    limits: &Limits,
    region: Option<decoder::Region>,
) -> Result<Samples, ValidationError> {
    decode_own_noting_extraneous(bytes, divisor, limits, region).map(|(picture, _)| picture)
}

/// Width, height, samples per pixel and the interleaved samples of a decode.
#[cfg(any(feature = "fuzzing", feature = "stages"))]
pub(crate) type Samples = (u32, u32, usize, Vec<u8>);

/// [`decode_own`], and whether bytes that belong to no segment and no scan were skipped (as
/// libjpeg skips them, with a warning): decoders part ways there.
#[cfg(any(feature = "fuzzing", feature = "stages"))]
pub(crate) fn decode_own_noting_extraneous(
    bytes: &[u8],
    divisor: u32,
    limits: &Limits,
    region: Option<decoder::Region>,
) -> Result<(Samples, bool), ValidationError> {
    let checked = read_header(bytes, limits)?;
    let super::Pending::Jpeg(pending) = checked.pending else {
        return Err(ValidationError::internal("JPEG decoding"));
    };
    check_memory(decode_bytes(&pending.frame, divisor, region, false), limits)?;
    if too_short_for_frame(&pending.frame, pending.header.scan_bytes) {
        return Err(ValidationError::truncated(NAME));
    }
    let picture = decoder::decode_planes(bytes, &pending.header, divisor, OnDamage::Refuse, region, false)?;
    let channels = picture.space.channels();
    // The region's samples in place in the whole picture.
    let (left, top, right, _) = picture.region();
    let mut data = vec![0; picture.width * picture.height * channels];
    let row_len = (right - left) * channels;
    for (y, row) in picture.interleave().chunks_exact(row_len.max(1)).enumerate() {
        let at = ((top + y) * picture.width + left) * channels;
        data[at..at + row_len].copy_from_slice(row);
    }
    let size = (picture.width as u32, picture.height as u32, channels);
    Ok(((size.0, size.1, size.2, data), picture.extraneous))
}

/// jpeg-decoder at `1 / divisor` (its own choice of scale for the size that divisor gives),
/// no limits applied: the reference the per-stage benchmarks time our decoder against.
#[cfg(feature = "stages")]
pub(crate) fn decode_with_jpeg_decoder(bytes: &[u8], divisor: u32) -> Result<Vec<u8>, ValidationError> {
    let header = read_header_segments(bytes).map_err(Damage::into_error)?;
    let frame = header.frame.ok_or_else(|| ValidationError::corrupt(NAME))?;
    let size = (frame.width.div_ceil(divisor), frame.height.div_ceil(divisor));
    run_decoder(bytes, size, divisor, usize::MAX)
}

/// jpeg-decoder at `1 / divisor`, where its own choice of scale for the request `size` is
/// exactly that one (the lossless fallback asks for 1/1).
fn run_decoder(
    reader: impl Read,
    size: (u32, u32),
    divisor: u32,
    max_memory: usize,
) -> Result<Vec<u8>, ValidationError> {
    let mut decoder = jpeg_decoder::Decoder::new(reader);
    decoder.set_max_decoding_buffer_size(max_memory);
    if divisor > 1 {
        // Both sides fit in u16: they are at most the frame's, which a JPEG stores as u16.
        let w = u16::try_from(size.0).unwrap_or(u16::MAX);
        let h = u16::try_from(size.1).unwrap_or(u16::MAX);
        decoder.scale(w, h).map_err(map_error)?;
    }
    decoder.decode().map_err(map_error)
}

fn map_error(error: jpeg_decoder::Error) -> ValidationError {
    use jpeg_decoder::{Error, UnsupportedFeature};
    match error {
        Error::Io(ref io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            ValidationError::truncated(NAME).with_source(error)
        }
        Error::Unsupported(ref feature) => {
            let name = match feature {
                UnsupportedFeature::ArithmeticEntropyCoding => "arithmetic coding".to_string(),
                UnsupportedFeature::Hierarchical => "hierarchical coding".to_string(),
                UnsupportedFeature::SamplePrecision(p) => format!("{p}-bit samples"),
                UnsupportedFeature::ComponentCount(n) => format!("{n} colour components"),
                UnsupportedFeature::DNL => "a DNL-defined height".to_string(),
                UnsupportedFeature::SubsamplingRatio | UnsupportedFeature::NonIntegerSubsamplingRatio => {
                    "an unusual chroma subsampling".to_string()
                }
                UnsupportedFeature::ColorTransform(_) => "an unusual colour transform".to_string(),
            };
            ValidationError::unsupported_encoding(NAME, &name).with_source(error)
        }
        // Reading from memory fails only at the end of the data; any other I/O error comes from
        // jpeg-decoder's worker threads (a failed spawn), which is our failure, not the upload's.
        Error::Io(_) | Error::Internal(_) => ValidationError::internal("JPEG decoding").with_source(error),
        Error::Format(_) => ValidationError::corrupt(NAME).with_source(error),
    }
}

/// jpeg-decoder returns 255 minus each stored CMYK sample, which is the ink amount when the file
/// follows Adobe's inverted convention (signalled by APP14, as Photoshop writes). Files without
/// APP14 store ink amounts directly, so the inversion is undone for them.
fn cmyk_as_ink(mut data: Vec<u8>, adobe_transform: Option<u8>) -> Vec<u8> {
    if adobe_transform.is_none() {
        for v in &mut data {
            *v = 255 - *v;
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(marker: u8, width: u32, height: u32, sampling: &[(u8, u8)]) -> Frame {
        Frame {
            marker,
            precision: 8,
            width,
            height,
            ids: (1..=sampling.len() as u8).collect(),
            sampling: sampling.to_vec(),
            quant: vec![0; sampling.len()],
        }
    }

    #[test]
    fn dct_scale_keeps_the_target_covered() {
        let yuv = [(2, 2), (1, 1), (1, 1)];
        assert_eq!(scale_divisor(&frame(0xC0, 4000, 3000, &yuv), (1200, 1200)), 2);
        assert_eq!(scale_divisor(&frame(0xC0, 9600, 9600, &yuv), (1200, 1200)), 8);
        assert_eq!(scale_divisor(&frame(0xC0, 9590, 9600, &yuv), (1200, 1200)), 4);
        assert_eq!(scale_divisor(&frame(0xC0, 1000, 5000, &yuv), (1200, 1200)), 1);
        assert_eq!(scale_divisor(&frame(0xC3, 9600, 9600, &yuv), (1200, 1200)), 1);
        // A narrow strip scales as far as its short side allows.
        assert_eq!(scale_divisor(&frame(0xC0, 297, 2, &yuv), (100, 1)), 2);
    }

    #[test]
    fn a_header_claiming_more_blocks_than_its_bits_is_too_short() {
        let yuv = [(2, 2), (1, 1), (1, 1)];
        // 1600x1600 4:2:0: 40000 luma + 2 x 10000 chroma blocks need at least 7500 bytes.
        assert!(too_short_for_frame(&frame(0xC2, 1600, 1600, &yuv), 7499));
        assert!(!too_short_for_frame(&frame(0xC2, 1600, 1600, &yuv), 7500));
    }

    #[test]
    fn lossless_frames_are_costed_per_sample_and_need_8_bit_samples() {
        let rgb = [(1, 1), (1, 1), (1, 1)];
        assert_eq!(
            decode_bytes(&frame(0xC3, 100, 100, &rgb), 1, None, false),
            100 * 100 * (3 * 10 + 3)
        );
        let mut seven_bit = frame(0xC3, 64, 64, &rgb);
        seven_bit.precision = 7;
        let error = check_supported(&seven_bit).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the JPEG uses 7-bit lossless samples, which is not supported"
        );
        assert!(check_supported(&frame(0xC3, 64, 64, &rgb)).is_ok());
        // At least one bit per sample: 64x64x3 samples need 1536 bytes.
        assert!(header::too_short_for_frame(&frame(0xC3, 64, 64, &rgb), 1535));
        assert!(!header::too_short_for_frame(&frame(0xC3, 64, 64, &rgb), 1536));
    }

    #[test]
    fn progressive_frames_count_their_coefficients() {
        let yuv = [(2, 2), (1, 1), (1, 1)];
        let baseline = decode_bytes(&frame(0xC0, 1600, 1600, &yuv), 1, None, false);
        let progressive = decode_bytes(&frame(0xC2, 1600, 1600, &yuv), 1, None, false);
        // 1.5 samples per pixel of planes, then 3 bytes of output.
        assert_eq!(baseline, 1600 * 1600 * 3 / 2 + 1600 * 1600 * 3);
        // The planes, and at most 128 bytes per block of coefficients, plus a row's and a
        // column's worth per component (200 + 200 luma blocks, 100 + 100 twice for chroma); the
        // output comes once the coefficients are freed.
        let blocks = 200 * 200 + 2 * 100 * 100;
        assert_eq!(progressive, 1600 * 1600 * 3 / 2 + (blocks + 400 + 2 * 200) * 128);
        // For the right half: the coefficients of its blocks (rounded out to whole blocks, with
        // one sample more) and a nonzero bit per coefficient of the others; planes hold whole
        // rows.
        let region = decode_bytes(
            &frame(0xC2, 1600, 1600, &yuv),
            1,
            Some((800, 0, 1600, 1600)),
            false,
        );
        let kept = 101 * 200 + 2 * 51 * 100;
        let rows_and_columns = (200 + 101 + 2 * (100 + 51)) * 128;
        let planes = 1600 * 1600 * 3 / 2;
        assert_eq!(region, planes + kept * 128 + rows_and_columns + blocks * 8);
    }
}
