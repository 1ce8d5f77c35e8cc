//! JPEG: our own marker walk reads the header (size, coding process, sampling, EXIF, ICC chunks,
//! Adobe APP14) so every limit is checked before jpeg-decoder allocates; jpeg-decoder then
//! decodes, scaled down in the DCT domain (1/2, 1/4, 1/8) whenever the result still covers the
//! target, the largest single speed-up for photos.
//!
//! jpeg-decoder is chosen over zune-jpeg because it reports truncated data as an error instead
//! of grey-filling it, and because it is the only pure-Rust decoder with DCT-domain scaling.

use std::io::{self, Read};

// Not yet on the normalize path (issue 11, step 1): reached only through `decode_own`.
#[allow(dead_code)]
mod decoder;
mod entropy;
pub(crate) mod header;

use header::{read_header as read_header_segments, reassemble_icc, too_short_for_frame, Frame};

use super::{check_dimensions, check_memory, ColorSource, Decoded};
use crate::error::ValidationError;
use crate::exif;
use crate::options::{DamagedInput, Limits, Options};
use crate::orient::Orientation;
use crate::pixels::{Channels, Pixels};
use crate::plan::Plan;

const NAME: &str = "JPEG";

/// What our own walks over the file (the header walk and the entropy walk) found wrong.
#[derive(Debug, PartialEq, Eq)]
enum Damage {
    /// The data ends (end of file, or a marker inside a scan) before a segment or a scan is
    /// complete.
    Truncated,
    /// A malformed segment, an impossible Huffman table or code.
    Corrupt,
    /// More Huffman table definitions than [`entropy::MAX_TABLE_DEFINITIONS`]: no encoder writes
    /// that many, and jpeg-decoder builds every one (about half a second per million). Fatal in
    /// every damaged-input mode.
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

/// Refuses what jpeg-decoder cannot read, with the feature named.
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
///
/// jpeg-decoder picks the smallest scale whose output reaches the request in *either* axis, which
/// for a narrow strip can be smaller than the one asked for; a divisor is used only where its
/// choice agrees.
fn scale_divisor(frame: &Frame, target: (u32, u32)) -> u32 {
    if frame.marker == 0xC3 {
        return 1; // lossless coding has no DCT to scale in
    }
    let (w, h) = (frame.width, frame.height);
    let decoder_choice = |request: (u32, u32)| {
        [8, 4, 2]
            .into_iter()
            .find(|d| w.div_ceil(*d) >= request.0 || h.div_ceil(*d) >= request.1)
            .unwrap_or(1)
    };
    [8, 4, 2]
        .into_iter()
        .find(|&d| {
            let size = (w.div_ceil(d), h.div_ceil(d));
            size.0 >= target.0 && size.1 >= target.1 && decoder_choice(size) == d
        })
        .unwrap_or(1)
}

/// Bytes jpeg-decoder will hold at once for this frame at this scale: one plane per component at
/// its own (scaled) resolution, the interleaved output, and for progressive files the
/// coefficients of every block at full resolution (they must survive between scans).
fn decode_bytes(frame: &Frame, divisor: u32) -> u64 {
    let (mcus_x, mcus_y) = frame.mcus();
    let (mcus_x, mcus_y) = (u64::from(mcus_x), u64::from(mcus_y));
    let block_side = 8 / u64::from(divisor);
    let out_channels = if frame.sampling.len() == 1 {
        1
    } else {
        frame.sampling.len() as u64
    };
    let (w, h) = (
        u64::from(frame.width.div_ceil(divisor)),
        u64::from(frame.height.div_ceil(divisor)),
    );
    if frame.marker == 0xC3 {
        // Lossless: per sample a u16 result, an i32 difference, a u16 copy and an 8-bit plane
        // (measured peak: 9.6 bytes per sample), then the output.
        return w * h * (frame.sampling.len() as u64 * (2 + 4 + 2 + 2) + out_channels);
    }
    let progressive = matches!(frame.marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
    let mut total = 0u64;
    for &(h, v) in &frame.sampling {
        let blocks = mcus_x * u64::from(h) * mcus_y * u64::from(v);
        total += blocks * block_side * block_side;
        if progressive {
            total += blocks * 64 * 2;
        }
    }
    total + w * h * out_channels
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
    // jpeg-decoder also keeps copies of the APP segments it reads (ICC, EXIF, XMP): at most the
    // file's size.
    let needed = decode_bytes(&frame, divisor) + plan.after_decode_bytes() + bytes.len() as u64;
    check_memory(needed, limits)?;
    // Refused in both damaged-input modes: jpeg-decoder would allocate the whole frame first.
    if too_short_for_frame(&frame, header.scan_bytes) {
        return Err(ValidationError::truncated(NAME));
    }
    // Run in both modes: under AcceptPartial a damaged scan is kept, but reported as partial.
    let scans_complete = match entropy::check(bytes, &frame) {
        Ok(()) => true,
        Err(damage @ Damage::Excessive) => return Err(damage.into_error()),
        Err(_) if options.damaged_input == DamagedInput::AcceptPartial => false,
        Err(damage) => return Err(damage.into_error()),
    };

    let max_memory = limits.max_decode_memory;
    let (data, partial) = match run_decoder(bytes, (width, height), divisor, max_memory) {
        Ok(data) => (data, !scans_complete),
        Err(error)
            if error.code() == crate::ErrorCode::Truncated
                && options.damaged_input == DamagedInput::AcceptPartial =>
        {
            // An EOI marker where the data stops makes jpeg-decoder end the scan there and keep
            // what it has, like libjpeg's "premature end of data" recovery. Chained, not copied.
            let closed = bytes.chain(&[0xFF, 0xD9][..]);
            (
                run_decoder(closed, (width, height), divisor, max_memory).map_err(|_| error)?,
                true,
            )
        }
        Err(error) => return Err(error),
    };

    let data = match plan.channels {
        Channels::Cmyk => cmyk_as_ink(data, header.adobe_transform),
        _ => data,
    };
    let pixels = Pixels::new(width, height, plan.channels, data)
        .ok_or_else(|| ValidationError::internal("JPEG decoding"))?;
    Ok(Decoded { pixels, partial })
}

/// The header walk, ICC reassembly, size check and entropy walk on their own, for the fuzz
/// targets: the number of scans and the reassembled profile's length, or the damage found.
#[cfg(any(feature = "fuzzing", feature = "stages"))]
pub(crate) fn probe(bytes: &[u8]) -> Result<(u32, Option<usize>), ValidationError> {
    let header = read_header_segments(bytes).map_err(Damage::into_error)?;
    let icc = reassemble_icc(&header.icc_chunks).map(|profile| profile.len());
    let frame = header.frame.ok_or_else(|| ValidationError::corrupt(NAME))?;
    if too_short_for_frame(&frame, header.scan_bytes) {
        return Err(ValidationError::truncated(NAME));
    }
    entropy::check(bytes, &frame).map_err(Damage::into_error)?;
    Ok((header.scans, icc))
}

/// Our own decoder at `1 / divisor` (1, 2, 4 or 8): width, height, samples per pixel and the
/// interleaved samples (four-component ones as jpeg-decoder returns them), for the tests that
/// compare it with jpeg-decoder and djpeg before it is on the normalize path.
#[cfg(feature = "stages")]
pub(crate) fn decode_own(bytes: &[u8], divisor: u32) -> Result<(u32, u32, usize, Vec<u8>), ValidationError> {
    let picture = decoder::decode_planes(bytes, divisor)?;
    let data = picture.interleave();
    Ok((
        picture.width as u32,
        picture.height as u32,
        picture.space.channels(),
        data,
    ))
}

/// Decodes at `1 / divisor`, which [`scale_divisor`] chose so that jpeg-decoder's own choice of
/// scale for the request `size` is exactly that one.
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
        // jpeg-decoder would pick 1/8 for a 297x2 strip asked for 149x1: 1/2 is not used.
        assert_eq!(scale_divisor(&frame(0xC0, 297, 2, &yuv), (100, 1)), 1);
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
            decode_bytes(&frame(0xC3, 100, 100, &rgb), 1),
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
        let baseline = decode_bytes(&frame(0xC0, 1600, 1600, &yuv), 1);
        let progressive = decode_bytes(&frame(0xC2, 1600, 1600, &yuv), 1);
        // 1.5 samples per pixel of planes, 3 bytes of output, and 2 bytes per coefficient.
        assert_eq!(baseline, 1600 * 1600 * 3 / 2 + 1600 * 1600 * 3);
        assert_eq!(progressive - baseline, 1600 * 1600 * 3 / 2 * 2);
    }
}
