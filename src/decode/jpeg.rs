//! JPEG: our own marker walk reads the header (size, coding process, sampling, EXIF, ICC chunks,
//! Adobe APP14) so every limit is checked before jpeg-decoder allocates; jpeg-decoder then
//! decodes, scaled down in the DCT domain (1/2, 1/4, 1/8) whenever the result still covers the
//! target, the largest single speed-up for photos.
//!
//! jpeg-decoder is chosen over zune-jpeg because it reports truncated data as an error instead
//! of grey-filling it, and because it is the only pure-Rust decoder with DCT-domain scaling.

use std::io;

use super::{check_dimensions, check_memory, pipeline_bytes, ColorSource, Decoded};
use crate::error::ValidationError;
use crate::exif;
use crate::options::{DamagedInput, Options};
use crate::orient::Orientation;
use crate::pixels::{Channels, Pixels};

const NAME: &str = "JPEG";

/// What the marker walk learned before the first scan.
#[derive(Debug, Default)]
struct Header<'a> {
    frame: Option<Frame>,
    exif: Option<&'a [u8]>,
    icc_chunks: Vec<IccChunk<'a>>,
    /// The transform byte of an Adobe APP14 segment: 0 = CMYK or RGB, 1 = YCbCr, 2 = YCCK.
    adobe_transform: Option<u8>,
    /// Start-of-scan markers in the whole file (progressive files have several).
    scans: u32,
    /// Bytes from the end of the first scan header to the end of the file: an upper bound on the
    /// entropy-coded data.
    scan_bytes: usize,
}

#[derive(Debug, Clone)]
struct Frame {
    marker: u8,
    precision: u8,
    width: u32,
    height: u32,
    /// (horizontal, vertical) sampling factor per component.
    sampling: Vec<(u8, u8)>,
}

#[derive(Debug, Clone, Copy)]
struct IccChunk<'a> {
    seq: u8,
    count: u8,
    data: &'a [u8],
}

enum Walk {
    Truncated,
    Corrupt,
}

/// Walks the segments from SOI to the first SOS, then counts the remaining SOS markers.
fn read_header(bytes: &[u8]) -> Result<Header<'_>, Walk> {
    let mut header = Header::default();
    let mut pos = 2; // after SOI
    loop {
        // Skip anything up to a marker: libjpeg and jpeg-decoder tolerate junk between segments.
        while *bytes.get(pos).ok_or(Walk::Truncated)? != 0xFF {
            pos += 1;
        }
        while *bytes.get(pos).ok_or(Walk::Truncated)? == 0xFF {
            pos += 1; // fill bytes
        }
        let marker = bytes[pos];
        pos += 1;
        match marker {
            0xD0..=0xD7 | 0x01 | 0xD8 => continue,
            0xD9 => return Err(Walk::Corrupt), // EOI before any scan
            _ => {}
        }
        let len = u16::from_be_bytes([
            *bytes.get(pos).ok_or(Walk::Truncated)?,
            *bytes.get(pos + 1).ok_or(Walk::Truncated)?,
        ]) as usize;
        if len < 2 {
            return Err(Walk::Corrupt);
        }
        let body = bytes.get(pos + 2..pos + len).ok_or(Walk::Truncated)?;
        pos += len;
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if header.frame.is_some() {
                    return Err(Walk::Corrupt);
                }
                header.frame = Some(read_frame(marker, body).ok_or(Walk::Corrupt)?);
            }
            0xDA => {
                if header.frame.is_none() {
                    return Err(Walk::Corrupt);
                }
                header.scans = 1 + count_later_scans(&bytes[pos..]);
                header.scan_bytes = bytes.len() - pos;
                return Ok(header);
            }
            0xE1 if header.exif.is_none() => {
                if let Some(tiff) = body.strip_prefix(b"Exif\0\0") {
                    header.exif = Some(tiff);
                }
            }
            0xE2 => {
                if let Some([seq, count, data @ ..]) = body.strip_prefix(b"ICC_PROFILE\0") {
                    header.icc_chunks.push(IccChunk {
                        seq: *seq,
                        count: *count,
                        data,
                    });
                }
            }
            0xEE if body.len() >= 12 && body.starts_with(b"Adobe") => {
                header.adobe_transform = Some(body[11]);
            }
            _ => {}
        }
    }
}

fn read_frame(marker: u8, body: &[u8]) -> Option<Frame> {
    let [precision, h0, h1, w0, w1, n, rest @ ..] = body else {
        return None;
    };
    let n = usize::from(*n);
    if n == 0 || rest.len() < n * 3 {
        return None;
    }
    let mut sampling = Vec::with_capacity(n);
    for c in rest[..n * 3].chunks_exact(3) {
        let (h, v) = (c[1] >> 4, c[1] & 0x0F);
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return None;
        }
        sampling.push((h, v));
    }
    Some(Frame {
        marker,
        precision: *precision,
        width: u32::from(u16::from_be_bytes([*w0, *w1])),
        height: u32::from(u16::from_be_bytes([*h0, *h1])),
        sampling,
    })
}

/// Every 8x8 block of every component costs at least one bit of Huffman code (its DC
/// difference, in sequential and progressive files alike), so a file whose scans are shorter
/// than a bit per block cannot hold the picture its header claims.
fn too_short_for_frame(frame: &Frame, scan_bytes: usize) -> bool {
    let hmax = frame.sampling.iter().map(|s| u64::from(s.0)).max().unwrap_or(1);
    let vmax = frame.sampling.iter().map(|s| u64::from(s.1)).max().unwrap_or(1);
    let blocks: u64 = frame
        .sampling
        .iter()
        .map(|&(h, v)| {
            let w = (u64::from(frame.width) * u64::from(h)).div_ceil(hmax);
            let ht = (u64::from(frame.height) * u64::from(v)).div_ceil(vmax);
            w.div_ceil(8) * ht.div_ceil(8)
        })
        .sum();
    (scan_bytes as u64) * 8 < blocks
}

/// In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so every FF DA is a
/// real start-of-scan marker.
fn count_later_scans(rest: &[u8]) -> u32 {
    rest.windows(2)
        .filter(|w| w == &[0xFF, 0xDA])
        .count()
        .try_into()
        .unwrap_or(u32::MAX)
}

/// ICC chunks are numbered 1..=count; any gap, duplicate or disagreement means the profile is
/// unusable, and the picture falls back to sRGB rather than failing.
fn reassemble_icc(chunks: &[IccChunk<'_>]) -> Option<Vec<u8>> {
    let count = chunks.first()?.count;
    if count == 0 || chunks.len() != usize::from(count) {
        return None;
    }
    let mut ordered: Vec<Option<&[u8]>> = vec![None; usize::from(count)];
    for chunk in chunks {
        if chunk.count != count || chunk.seq == 0 || chunk.seq > count {
            return None;
        }
        let slot = &mut ordered[usize::from(chunk.seq - 1)];
        if slot.replace(chunk.data).is_some() {
            return None;
        }
    }
    ordered.into_iter().try_fold(Vec::new(), |mut profile, part| {
        profile.extend_from_slice(part?);
        Some(profile)
    })
}

/// Refuses what jpeg-decoder cannot read, with the feature named.
fn check_supported(frame: &Frame) -> Result<(), ValidationError> {
    let feature = match frame.marker {
        0xC9..=0xCB | 0xCD..=0xCF => Some("arithmetic coding".to_string()),
        0xC5..=0xC7 => Some("hierarchical coding".to_string()),
        0xC3 if frame.precision > 8 => Some(format!("{}-bit lossless samples", frame.precision)),
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
    [8, 4, 2]
        .into_iter()
        .find(|d| frame.width.div_ceil(*d) >= target.0 && frame.height.div_ceil(*d) >= target.1)
        .unwrap_or(1)
}

/// Bytes jpeg-decoder will hold at once for this frame at this scale: one plane per component at
/// its own (scaled) resolution, the interleaved output, and for progressive files the
/// coefficients of every block at full resolution (they must survive between scans).
fn decode_bytes(frame: &Frame, divisor: u32) -> u64 {
    let hmax = frame.sampling.iter().map(|s| u64::from(s.0)).max().unwrap_or(1);
    let vmax = frame.sampling.iter().map(|s| u64::from(s.1)).max().unwrap_or(1);
    let mcus_x = u64::from(frame.width).div_ceil(8 * hmax);
    let mcus_y = u64::from(frame.height).div_ceil(8 * vmax);
    let block_side = 8 / u64::from(divisor);
    let progressive = matches!(frame.marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
    let mut total = 0u64;
    for &(h, v) in &frame.sampling {
        let blocks = mcus_x * u64::from(h) * mcus_y * u64::from(v);
        total += blocks * block_side * block_side;
        if progressive {
            total += blocks * 64 * 2;
        }
    }
    let out_channels = if frame.sampling.len() == 1 {
        1
    } else {
        frame.sampling.len() as u64
    };
    let (w, h) = (
        u64::from(frame.width.div_ceil(divisor)),
        u64::from(frame.height.div_ceil(divisor)),
    );
    total + w * h * out_channels
}

pub(super) fn decode(bytes: &[u8], options: &Options) -> Result<Decoded, ValidationError> {
    let limits = &options.limits;
    let header = read_header(bytes).map_err(|walk| match walk {
        Walk::Truncated => ValidationError::truncated(NAME),
        Walk::Corrupt => ValidationError::corrupt(NAME),
    })?;
    let Some(frame) = header.frame.clone() else {
        return Err(ValidationError::corrupt(NAME));
    };
    check_dimensions(frame.width, frame.height, limits)?;
    check_supported(&frame)?;
    if header.scans > limits.max_jpeg_scans {
        return Err(ValidationError::too_many_scans(
            header.scans,
            limits.max_jpeg_scans,
        ));
    }

    let orientation = header.exif.map_or(Orientation::Normal, exif::orientation);
    let divisor = scale_divisor(&frame, orientation.oriented_size((options.width, options.height)));
    let channels = if frame.sampling.len() == 1 {
        1
    } else {
        frame.sampling.len() as u64
    };
    let decoded = (
        u64::from(frame.width.div_ceil(divisor)),
        u64::from(frame.height.div_ceil(divisor)),
    );
    let needed =
        decode_bytes(&frame, divisor) + pipeline_bytes(decoded.0, decoded.1, channels, false, options);
    check_memory(needed, limits)?;
    // Refused in both damaged-input modes: jpeg-decoder would allocate the whole frame first.
    if too_short_for_frame(&frame, header.scan_bytes) {
        return Err(ValidationError::truncated(NAME));
    }

    let (data, partial) = match run_decoder(bytes, &frame, divisor, limits.max_decode_memory) {
        Ok(data) => (data, false),
        Err(error)
            if error.code() == crate::ErrorCode::Truncated
                && options.damaged_input == DamagedInput::AcceptPartial =>
        {
            // An EOI marker where the data stops makes jpeg-decoder end the scan there and keep
            // what it has, like libjpeg's "premature end of data" recovery.
            let mut patched = Vec::new();
            patched
                .try_reserve_exact(bytes.len() + 2)
                .map_err(|_| ValidationError::internal("JPEG decoding"))?;
            patched.extend_from_slice(bytes);
            patched.extend_from_slice(&[0xFF, 0xD9]);
            (
                run_decoder(&patched, &frame, divisor, limits.max_decode_memory).map_err(|_| error)?,
                true,
            )
        }
        Err(error) => return Err(error),
    };

    let (width, height) = (frame.width.div_ceil(divisor), frame.height.div_ceil(divisor));
    let (channels, data) = match frame.sampling.len() {
        1 => (Channels::Gray, data),
        3 => (Channels::Rgb, data),
        _ => (Channels::Cmyk, cmyk_as_ink(data, header.adobe_transform)),
    };
    let pixels = Pixels::new(width, height, channels, data)
        .ok_or_else(|| ValidationError::internal("JPEG decoding"))?;
    let color = reassemble_icc(&header.icc_chunks).map_or(ColorSource::Unspecified, ColorSource::Icc);
    Ok(Decoded {
        pixels,
        stored_width: frame.width,
        stored_height: frame.height,
        orientation,
        color,
        partial,
    })
}

fn run_decoder(
    bytes: &[u8],
    frame: &Frame,
    divisor: u32,
    max_memory: usize,
) -> Result<Vec<u8>, ValidationError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(max_memory);
    if divisor > 1 {
        // Both requested sides fit in u16: they are at most the frame's, which a JPEG stores as u16.
        let w = u16::try_from(frame.width.div_ceil(divisor)).unwrap_or(u16::MAX);
        let h = u16::try_from(frame.height.div_ceil(divisor)).unwrap_or(u16::MAX);
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
        Error::Internal(_) => ValidationError::internal("JPEG decoding").with_source(error),
        _ => ValidationError::corrupt(NAME).with_source(error),
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

    fn chunk(seq: u8, count: u8, data: &[u8]) -> IccChunk<'_> {
        IccChunk { seq, count, data }
    }

    #[test]
    fn icc_chunks_are_joined_in_sequence_order() {
        let chunks = [chunk(2, 3, b"bb"), chunk(3, 3, b"c"), chunk(1, 3, b"aaa")];
        assert_eq!(reassemble_icc(&chunks).as_deref(), Some(&b"aaabbc"[..]));
    }

    #[test]
    fn inconsistent_icc_chunks_are_dropped() {
        assert_eq!(reassemble_icc(&[]), None);
        assert_eq!(reassemble_icc(&[chunk(1, 2, b"a")]), None, "missing chunk");
        assert_eq!(
            reassemble_icc(&[chunk(1, 2, b"a"), chunk(1, 2, b"b")]),
            None,
            "duplicate"
        );
        assert_eq!(reassemble_icc(&[chunk(0, 1, b"a")]), None, "seq 0");
        assert_eq!(
            reassemble_icc(&[chunk(1, 1, b"a"), chunk(2, 2, b"b")]),
            None,
            "count disagrees"
        );
    }

    fn frame(marker: u8, width: u32, height: u32, sampling: &[(u8, u8)]) -> Frame {
        Frame {
            marker,
            precision: 8,
            width,
            height,
            sampling: sampling.to_vec(),
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
    }

    #[test]
    fn a_header_claiming_more_blocks_than_its_bits_is_too_short() {
        let yuv = [(2, 2), (1, 1), (1, 1)];
        // 1600x1600 4:2:0: 40000 luma + 2 x 10000 chroma blocks need at least 7500 bytes.
        assert!(too_short_for_frame(&frame(0xC2, 1600, 1600, &yuv), 7499));
        assert!(!too_short_for_frame(&frame(0xC2, 1600, 1600, &yuv), 7500));
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
