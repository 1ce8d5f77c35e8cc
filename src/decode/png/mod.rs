//! PNG: the IHDR is read by hand and checked against the limits before the png crate sees the
//! file; the png crate then reads the metadata chunks (bounded by its own byte limit), the output
//! size is checked against the memory limit, and only then is the pixel buffer reserved.
//!
//! Every colour type and bit depth is expanded to 8-bit gray, gray+alpha, RGB or RGBA (palette
//! and tRNS become alpha; 16-bit samples keep their high byte). Adam7 is de-interlaced by the png
//! crate. For an APNG the default image (the IDAT image) is what is normalized.

use std::io::{self, Cursor};
use std::ops::Range;

mod idat;

use png::{ColorType, DecodingError, Transformations};

use super::{check_dimensions, check_memory, ColorSource, Decoded};
use crate::error::ValidationError;
use crate::exif;
use crate::options::{DamagedInput, Limits, Options};
use crate::orient::Orientation;
use crate::pixels::{Channels, Pixels};
use crate::plan::{Flatten, Plan};

const NAME: &str = "PNG";

/// What the png crate may allocate for the chunks before the image data (iCCP, text, eXIf...).
/// Our choice: 4 MiB holds any real ICC profile and EXIF block many times over.
const METADATA_BUDGET: usize = 4 << 20;

/// Deflate cannot expand data more than 1032 times; 1100 leaves room for zlib and chunk framing.
const MAX_INFLATE_RATIO: u64 = 1100;

struct Ihdr {
    width: u32,
    height: u32,
    bits_per_pixel: u64,
    indexed: bool,
}

/// The IHDR chunk, which the PNG spec requires right after the signature.
fn read_ihdr(bytes: &[u8]) -> Result<Ihdr, ValidationError> {
    let Some(chunk) = bytes.get(8..26) else {
        return Err(ValidationError::truncated(NAME));
    };
    if chunk[0..8] != *b"\0\0\0\x0dIHDR" {
        return Err(ValidationError::corrupt(NAME));
    }
    let samples = match chunk[17] {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        6 => 4,
        _ => return Err(ValidationError::corrupt(NAME)),
    };
    Ok(Ihdr {
        width: u32::from_be_bytes([chunk[8], chunk[9], chunk[10], chunk[11]]),
        height: u32::from_be_bytes([chunk[12], chunk[13], chunk[14], chunk[15]]),
        bits_per_pixel: samples * u64::from(chunk[16]),
        indexed: chunk[17] == 3,
    })
}

/// What a walk over the chunk headers finds (no CRC, no inflate).
struct ChunkWalk {
    /// Total length of the IDAT chunks present.
    idat_bytes: u64,
    /// Whether a whole IEND chunk ends the walk.
    ends_with_iend: bool,
    /// Whether every PLTE chunk holds 1 to 256 whole RGB entries (3 to 768 bytes, a multiple of 3).
    palettes_whole: bool,
    /// Where the data of the first whole eXIf chunk lies, before or after the image data.
    exif: Option<Range<usize>>,
}

fn walk_chunks(bytes: &[u8]) -> ChunkWalk {
    let mut walk = ChunkWalk {
        idat_bytes: 0,
        ends_with_iend: false,
        palettes_whole: true,
        exif: None,
    };
    for chunk in chunks(bytes) {
        match &chunk.kind {
            b"IDAT" => walk.idat_bytes += chunk.data.len() as u64,
            b"PLTE" => walk.palettes_whole &= chunk.len.is_multiple_of(3) && (3..=768).contains(&chunk.len),
            b"eXIf" if chunk.whole && walk.exif.is_none() => walk.exif = Some(chunk.data.clone()),
            b"IEND" => {
                walk.ends_with_iend = chunk.whole;
                break;
            }
            _ => {}
        }
    }
    walk
}

/// One chunk as its header describes it.
struct Chunk {
    kind: [u8; 4],
    /// The length its header claims.
    len: usize,
    /// Where its data lies, cut to the end of the file.
    data: Range<usize>,
    /// Whether the data and the CRC are all there.
    whole: bool,
}

/// The chunks after the signature, up to the end of the file or of the last whole header.
fn chunks(bytes: &[u8]) -> impl Iterator<Item = Chunk> + '_ {
    let mut pos = 8usize;
    std::iter::from_fn(move || {
        let header = bytes.get(pos..pos.checked_add(8)?)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        let end = pos.saturating_add(12).saturating_add(len);
        let data = pos + 8..(pos + 8).saturating_add(len).min(bytes.len());
        let chunk = Chunk {
            kind,
            len,
            data,
            whole: end <= bytes.len(),
        };
        pos = end;
        Some(chunk)
    })
}

/// The IHDR read and the chunk walk on their own, for the fuzz targets: (width, height, IDAT
/// bytes, ends with IEND), or the damage found in IHDR.
#[cfg(feature = "fuzzing")]
pub(crate) fn probe(bytes: &[u8]) -> Result<(u32, u32, u64, bool), ValidationError> {
    let ihdr = read_ihdr(bytes)?;
    let chunks = walk_chunks(bytes);
    Ok((ihdr.width, ihdr.height, chunks.idat_bytes, chunks.ends_with_iend))
}

/// A PNG whose header and metadata chunks have been read, waiting for the plan.
pub(crate) struct Pending<'a> {
    bytes: &'a [u8],
    ihdr: Ihdr,
    chunks: ChunkWalk,
    reader: png::Reader<Cursor<&'a [u8]>>,
}

pub(super) fn read_header<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<super::Header<'a>, ValidationError> {
    let ihdr = read_ihdr(bytes)?;
    check_dimensions(ihdr.width, ihdr.height, limits)?;
    let chunks = walk_chunks(bytes);
    // png 0.18.1 checks a PLTE's length only against 3..=768, and panics when expanding an
    // indexed image whose palette length is not a multiple of 3 (image-png issues 671 and 694).
    // The PNG specification (11.2.3) makes such a palette an error, so it is refused here,
    // before the png crate sees it.
    if ihdr.indexed && !chunks.palettes_whole {
        return Err(ValidationError::corrupt(NAME));
    }

    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: METADATA_BUDGET,
        },
    );
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    // Text chunks are never used; skipping them keeps a PNG with megabytes of text from
    // filling the metadata budget.
    decoder.set_ignore_text_chunk(true);
    let reader = decoder.read_info().map_err(map_error)?;

    let (color_type, _) = reader.output_color_type();
    let channels = match color_type {
        ColorType::Grayscale => Channels::Gray,
        ColorType::GrayscaleAlpha => Channels::GrayAlpha,
        ColorType::Rgb => Channels::Rgb,
        ColorType::Rgba => Channels::Rgba,
        ColorType::Indexed => return Err(ValidationError::internal("PNG palette expansion")),
    };
    // Colour chunks must come before the image data, so they are all known now. An eXIf chunk
    // may come after it: our own walk found it wherever it is.
    let color = color_source(reader.info());
    let orientation = chunks
        .exif
        .clone()
        .and_then(|range| bytes.get(range))
        .map_or(Orientation::Normal, exif::orientation);
    Ok(super::Header {
        stored_width: ihdr.width,
        stored_height: ihdr.height,
        channels,
        orientation,
        color,
        pending: super::Pending::Png(Box::new(Pending {
            bytes,
            ihdr,
            chunks,
            reader,
        })),
    })
}

pub(super) fn decode(
    pending: Pending<'_>,
    plan: &Plan,
    options: &Options,
) -> Result<Decoded, ValidationError> {
    let Pending {
        bytes,
        ihdr,
        chunks,
        mut reader,
    } = pending;
    let limits = &options.limits;
    let (width, height) = (ihdr.width, ihdr.height);
    let (w, h) = (u64::from(width), u64::from(height));
    let channels = plan.channels;
    // The plan flattens an sRGB RGBA picture here, before the resize (see `flatten` for why that
    // is the same picture): row by row as it decodes, so the four-channel picture never exists,
    // or in place after decoding when it is interlaced.
    let flatten = plan.flatten == Flatten::InDecoder;
    let flatten_rows = flatten && !reader.info().interlaced;
    let out_channels = if flatten_rows { Channels::Rgb } else { channels };
    // Exact now that tRNS is known: the 8-bit output buffer (and the one decoded row when
    // flattening rows), the metadata budget, and what the later stages need. Checked before the
    // buffer is reserved.
    // Saturating: a caller may raise the limits as far as u32 sides allow.
    let output_bytes = w.saturating_mul(h).saturating_mul(out_channels.count() as u64);
    let row_bytes = if flatten_rows { w.saturating_mul(4) } else { 0 };
    let needed = output_bytes
        .saturating_add(row_bytes)
        .saturating_add(METADATA_BUDGET as u64)
        .saturating_add(plan.after_decode_bytes());
    check_memory(needed, limits)?;
    // A file whose compressed data could not hold the pixels it claims even at deflate's best
    // ratio is cut short: refuse it before anything is allocated for those pixels.
    let pixel_bytes = w
        .saturating_mul(h)
        .saturating_mul(ihdr.bits_per_pixel)
        .div_ceil(8);
    if chunks.idat_bytes.saturating_mul(MAX_INFLATE_RATIO) < pixel_bytes {
        return Err(ValidationError::truncated(NAME));
    }

    let buffer_len = match reader.output_buffer_size() {
        // The png crate's size for its own (unflattened) output must agree with ours.
        Some(len) if len as u64 == w * h * channels.count() as u64 => output_bytes as usize,
        _ => return Err(ValidationError::internal("PNG buffer size")),
    };

    let mut data = Vec::new();
    data.try_reserve_exact(buffer_len).map_err(|_| {
        ValidationError::memory_limit_exceeded(buffer_len as u64, limits.max_decode_memory as u64)
    })?;
    data.resize(buffer_len, 0);
    let frame = if flatten_rows {
        read_flattened(&mut reader, &mut data, width as usize, options.background)
    } else {
        reader.next_frame(&mut data).map(|_| ())
    };
    let partial = match frame {
        Ok(_) => false,
        Err(error) => {
            let error = map_error(error);
            // The png crate cannot say why the image data ran out before the image was whole:
            // our own look at the image data can. A stream that ends early is a cut file, even
            // when a whole IEND follows it (a repair tool or a proxy closed it).
            let error = if error.code() == crate::ErrorCode::Corrupt
                && idat::ends_early(bytes, &ihdr, reader.info().interlaced)
            {
                ValidationError::truncated(NAME).with_source(idat::EndsEarly)
            } else {
                error
            };
            let recoverable = matches!(
                error.code(),
                crate::ErrorCode::Truncated | crate::ErrorCode::Corrupt
            );
            if !(recoverable && options.damaged_input == DamagedInput::AcceptPartial) {
                return Err(error);
            }
            // Rows that did not decode stay zero: black, or transparent and so background.
            true
        }
    };
    if !partial {
        // Chunks after the image (an eXIf placed late) are read here. Damage in them (a bad
        // CRC in a late text chunk) does not touch the picture, so errors here are ignored...
        let _ = reader.finish();
        // ...but the file must be whole: one that stops before IEND was cut short, even when
        // the default image is complete (an APNG cut among its later frames, say). The png
        // crate itself only notices a missing IEND when nothing follows the image data.
        if !chunks.ends_with_iend && options.damaged_input == DamagedInput::Reject {
            return Err(ValidationError::truncated(NAME));
        }
    }

    let pixels = Pixels::new(width, height, out_channels, data)
        .ok_or_else(|| ValidationError::internal("PNG decoding"))?;
    // An interlaced picture arrives in passes, not rows: flattened now, in place.
    let pixels = if flatten && !flatten_rows {
        crate::flatten::onto(pixels, options.background)
    } else {
        pixels
    };
    Ok(Decoded {
        samples: super::Samples::Interleaved(pixels),
        origin: (0, 0),
        partial,
    })
}

/// Decodes the RGBA rows one at a time into one reused row, each flattened onto `background`
/// into its RGB row of `out`. Rows after a decoding error are left as the background, which is
/// what the transparent (zeroed) rows of a whole-frame decode become.
fn read_flattened(
    reader: &mut png::Reader<Cursor<&[u8]>>,
    out: &mut [u8],
    width: usize,
    background: [u8; 3],
) -> Result<(), DecodingError> {
    let mut row = vec![0u8; width * 4];
    let mut rows_done = 0;
    let mut result = Ok(());
    for out_row in out.chunks_exact_mut(width * 3) {
        match reader.read_row(&mut row) {
            Ok(Some(_)) => crate::flatten::row_onto(&row, out_row, background),
            Ok(None) => result = Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Err(error) => result = Err(error),
        }
        if result.is_err() {
            break;
        }
        rows_done += 1;
    }
    if result.is_ok() {
        // The call after the last row reads to the end of the image data, as a whole-frame
        // decode does, so damage after the last row is still found.
        return reader.read_row(&mut row).map(|_| ());
    }
    for pixel in out[rows_done * width * 3..].chunks_exact_mut(3) {
        pixel.copy_from_slice(&background);
    }
    result
}

/// PNG's own precedence (PNG third edition, 4.3): cICP over iCCP over sRGB over gAMA/cHRM.
fn color_source(info: &png::Info<'_>) -> ColorSource {
    if let Some(cicp) = &info.coding_independent_code_points {
        return ColorSource::Cicp {
            primaries: cicp.color_primaries,
            transfer: cicp.transfer_function,
        };
    }
    if let Some(icc) = &info.icc_profile {
        return ColorSource::Icc(icc.to_vec());
    }
    if info.srgb.is_some() {
        return ColorSource::Srgb;
    }
    if let Some(gamma) = info.gama_chunk {
        let chromaticities = info.chrm_chunk.map(|c| {
            let xy = |(x, y): (png::ScaledFloat, png::ScaledFloat)| (x.into_value(), y.into_value());
            [xy(c.white), xy(c.red), xy(c.green), xy(c.blue)]
        });
        return ColorSource::Gamma {
            gamma: gamma.into_value(),
            chromaticities,
        };
    }
    ColorSource::Unspecified
}

fn map_error(error: DecodingError) -> ValidationError {
    match error {
        DecodingError::IoError(ref io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            ValidationError::truncated(NAME).with_source(error)
        }
        // Only the metadata budget is enforced by the png crate; the pixel buffer is ours.
        DecodingError::LimitsExceeded => {
            let budget = METADATA_BUDGET as u64;
            ValidationError::memory_limit_exceeded(budget + 1, budget).with_source(error)
        }
        DecodingError::Parameter(_) => ValidationError::internal("PNG decoding").with_source(error),
        _ => ValidationError::corrupt(NAME).with_source(error),
    }
}
