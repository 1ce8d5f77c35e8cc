//! The crate's own JPEG decoder: baseline (SOF0), extended sequential 8-bit (SOF1) and
//! progressive (SOF2) Huffman-coded files, interleaved and non-interleaved scans, DC and AC
//! first and refinement scans, restart intervals, 1, 3 and 4 components, every sampling factor
//! from 1 to 4 that makes whole upsampling ratios (libjpeg refuses the others too), decoded at
//! 1/1, 1/2, 1/4 or 1/8 of the frame's size.
//!
//! One pass over the file finds damage where it happens: a scan that ends before all of its
//! blocks (end of data, or any marker) is `image.truncated`, a bad code `image.corrupt`; there
//! is no separate walk. A progressive file may end (with EOI) after any whole scan once every
//! component has had one: that is a coarser picture, not damage. The output is what
//! `djpeg -scale 1/d` writes (libjpeg's islow and reduced transforms, its "fancy" upsampling
//! and colour arithmetic), except that four-component output is inverted as jpeg-decoder
//! returns it (see [`colour`]).
//!
//! Not read here: lossless files (the decode stage hands them to jpeg-decoder after
//! [`check_lossless`]), hierarchical, arithmetic-coded and 12-bit files. A scan naming a Huffman
//! table the file never defined is corrupt (libjpeg-turbo falls back to the standard tables).
//!
//! Allocation: for progressive files the coefficients, the component planes' block rows that
//! the output region needs (allocated as they are reached; in a progressive file as the
//! coefficients are freed), and the region's interleaved output, all from the frame's size,
//! which the caller has checked against the limits ([`memory`]); nothing else grows with the
//! file. One thread.
//!
//! File layout: one concern each, named for the JPEG concept: [`bits`] (the bit reader),
//! [`huffman`] (tables and code lookup), [`quant`] (quantisation tables, zigzag order),
//! [`scan`] (scan headers, the MCU walk, sequential decoding), [`progressive`] (the four
//! progressive scans), [`coefficients`] (what progressive scans build up), [`idct`]
//! (dequantisation and the transforms), [`planes`] (component planes and their geometry),
//! [`upsample`] and [`colour`] (the interleaved output).

#[path = "bits.rs"]
mod bits;
#[path = "coefficients.rs"]
mod coefficients;
#[path = "colour.rs"]
mod colour;
#[path = "huffman.rs"]
mod huffman;
#[path = "idct.rs"]
mod idct;
#[path = "planes.rs"]
mod planes;
#[path = "progressive.rs"]
mod progressive;
#[path = "quant.rs"]
mod quant;
/// The zigzag order, which the encoder writes its coefficients in too.
pub(crate) use quant::NATURAL_ORDER;
#[path = "scan.rs"]
mod scan;
#[path = "upsample.rs"]
mod upsample;

use super::header::{self, Header};
use super::{Damage, NAME};
use crate::error::ValidationError;
pub(crate) use colour::ColourSpace;
pub(crate) use planes::Plane;

/// A decoded picture as component planes at the chosen scale.
#[derive(Debug)]
pub(crate) struct Picture {
    /// Output size: the frame's divided by the scale divisor, rounded up.
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) space: ColourSpace,
    pub(crate) planes: Vec<Plane>,
    /// What the planes hold picture for (output pixels), and all that is interleaved.
    region: Region,
    /// Fancy upsampling applies (not at 1/8, as in libjpeg).
    fancy: bool,
    /// The scans broke off and what decoded was kept (only when damage is accepted).
    pub(crate) partial: bool,
    /// Bytes that belong to no segment and no scan lay before a marker after the first scan
    /// (libjpeg warns of "extraneous bytes" and skips them, as this decoder does).
    /// (Read by the fuzz targets and the decoder tests, through the hidden features only.)
    #[cfg_attr(not(any(feature = "fuzzing", feature = "stages")), allow(dead_code))]
    pub(crate) extraneous: bool,
}

/// What to do when the scans break off (the data ends, a marker comes early, a code is bad).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnDamage {
    Refuse,
    /// Keep what decoded: blocks never reached stay mid-grey. Damage before the first scan, and
    /// a Huffman table flood, are refused all the same.
    KeepPartial,
}

/// An output rectangle, (left, top, right, bottom) in output pixels: what the caller needs.
pub(crate) type Region = (usize, usize, usize, usize);

/// Decodes `bytes` at `1 / divisor` (1, 2, 4 or 8) into component planes, before upsampling and
/// colour conversion; `header` is the marker walk's reading of the same bytes. Only the blocks
/// that `region` needs are transformed (and, in a progressive file, kept); every block is still
/// entropy-decoded, since the data is serial. Outside `region` the planes hold no picture.
/// `planar`: the planes will be handed on as they are ([`Picture::into_planes`]), so each keeps
/// its own resolution ([`planes::layout`]).
///
/// # Errors
/// `image.truncated` and `image.corrupt` for damage, `image.unsupported_encoding` for what this
/// decoder does not read, `image.internal_error` for a divisor other than 1, 2, 4 or 8.
pub(crate) fn decode_planes(
    bytes: &[u8],
    header: &Header<'_>,
    divisor: u32,
    on_damage: OnDamage,
    region: Option<Region>,
    planar: bool,
) -> Result<Picture, ValidationError> {
    if !matches!(divisor, 1 | 2 | 4 | 8) {
        return Err(ValidationError::internal("JPEG decoding"));
    }
    let frame = header
        .frame
        .as_ref()
        .ok_or_else(|| ValidationError::corrupt(NAME))?;
    let unsupported = |feature: &str| Err(ValidationError::unsupported_encoding(NAME, feature));
    match frame.marker {
        0xC0..=0xC2 => {}
        0xC3 => return unsupported("lossless coding"),
        0xC5..=0xC7 => return unsupported("hierarchical coding"),
        _ => return unsupported("arithmetic coding"),
    }
    if frame.precision != 8 {
        return unsupported(&format!("{}-bit samples", frame.precision));
    }
    if !matches!(frame.sampling.len(), 1 | 3 | 4) {
        return unsupported(&format!("{} colour components", frame.sampling.len()));
    }
    if frame.height == 0 {
        return unsupported("a DNL-defined height");
    }
    if frame.width == 0 {
        return Err(ValidationError::zero_dimensions(frame.width, frame.height));
    }
    let mut planes = planes::layout(frame, divisor, planar)
        .map_err(|_| ValidationError::unsupported_encoding(NAME, "an unusual chroma subsampling"))?;
    let (width, height) = (
        frame.width.div_ceil(divisor) as usize,
        frame.height.div_ceil(divisor) as usize,
    );
    let region = region.unwrap_or((0, 0, width, height));
    let windows: Vec<planes::Window> = planes.iter().map(|p| p.window(region)).collect();
    let mut progress = Progress::default();
    let partial = match read_scans(bytes, frame, (&mut planes, &windows), on_damage, &mut progress) {
        Ok(()) => false,
        Err(damage) => {
            if on_damage == OnDamage::Refuse || !progress.in_scans || damage == Damage::Excessive {
                return Err(damage.into_error());
            }
            true
        }
    };
    Ok(Picture {
        width,
        height,
        region,
        space: ColourSpace::of(
            frame.sampling.len(),
            header.jfif,
            header.adobe_transform,
            &frame.ids,
        ),
        planes,
        fancy: divisor != 8,
        partial,
        extraneous: progress.extraneous,
    })
}

/// Bytes [`decode_planes`] and then [`Picture::interleave`] (or, `planar`,
/// [`Picture::into_planes`]) hold at once, at most, for `frame` at `1 / divisor` and the output
/// `region`: for a progressive file its coefficients (and then the planes, as the coefficients
/// are freed: no more than they took), the planes of the blocks the region needs, and the
/// interleaved output of the region or the planes' kept samples; `None` for a sampling it
/// refuses.
pub(crate) fn memory(frame: &header::Frame, divisor: u32, region: Region, planar: bool) -> Option<u64> {
    let windows = planes::windows(frame, divisor, planar, region).ok()?;
    let planes = planes::bytes(frame, divisor, planar, &windows).ok()?;
    let coefficients = if frame.marker == 0xC2 {
        coefficients::Coefficients::bytes(frame, &windows)
    } else {
        0
    };
    let (width, height) = (
        frame.width.div_ceil(divisor) as usize,
        frame.height.div_ceil(divisor) as usize,
    );
    let (left, top, right, bottom) = region;
    let output = if planar {
        planes::kept_bytes(frame, divisor, &windows).ok()?
    } else {
        (right.min(width).saturating_sub(left) as u64)
            * (bottom.min(height).saturating_sub(top) as u64)
            * frame.sampling.len() as u64
    };
    Some((planes + output).max(coefficients + planes))
}

/// The segments of a lossless file from SOI to EOI, its scans skipped undecoded: what this
/// crate checks before handing such a file to jpeg-decoder (a Huffman table flood, a
/// malformed segment, a missing EOI).
pub(crate) fn check_lossless(bytes: &[u8], frame: &header::Frame) -> Result<(), Damage> {
    read_segments(bytes, frame, (&mut [], &[]), None, &mut Progress::default())
}

/// How far the reading got, and what it passed over.
#[derive(Default)]
struct Progress {
    /// The first scan has begun: damage from here on can be kept as a partial picture.
    in_scans: bool,
    /// Bytes skipped before a marker after the first scan began.
    extraneous: bool,
}

/// Walks every segment from SOI to EOI, reading tables as they come and decoding each scan
/// (into `planes` at once for sequential files, into kept coefficients for progressive ones,
/// transformed at the end, or where damage stops the reading). The file must end with EOI
/// after every component has had a scan.
fn read_scans(
    bytes: &[u8],
    frame: &header::Frame,
    (planes, windows): (&mut [Plane], &[planes::Window]),
    on_damage: OnDamage,
    progress: &mut Progress,
) -> Result<(), Damage> {
    let mut coefficients =
        (frame.marker == 0xC2).then(|| coefficients::Coefficients::new(frame, windows.to_vec()));
    let result = read_segments(
        bytes,
        frame,
        (&mut *planes, windows),
        coefficients.as_mut(),
        progress,
    );
    if let Some(coefficients) = coefficients {
        if result.is_ok() || on_damage == OnDamage::KeepPartial {
            coefficients.transform_into(planes);
        }
    }
    result
}

fn read_segments(
    bytes: &[u8],
    frame: &header::Frame,
    (planes, windows): (&mut [Plane], &[planes::Window]),
    mut coefficients: Option<&mut coefficients::Coefficients>,
    progress: &mut Progress,
) -> Result<(), Damage> {
    let mut huffman = huffman::Tables::default();
    let mut quant = quant::QuantTables::default();
    let mut restart_interval = 0u32;
    let mut scanned = vec![false; frame.sampling.len()];
    let mut frames = 0;
    let mut pos = 2;
    loop {
        // The next marker, tolerating junk before it as libjpeg does.
        let junk_from = pos;
        while *bytes.get(pos).ok_or(Damage::Truncated)? != 0xFF {
            pos += 1;
        }
        progress.extraneous |= progress.in_scans && pos > junk_from;
        while *bytes.get(pos).ok_or(Damage::Truncated)? == 0xFF {
            pos += 1;
        }
        let marker = bytes[pos];
        pos += 1;
        match marker {
            0xD9 if scanned.iter().all(|&s| s) => return Ok(()),
            0xD9 => return Err(Damage::Truncated),
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let length = bytes.get(pos..pos + 2).ok_or(Damage::Truncated)?;
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        if length < 2 {
            return Err(Damage::Corrupt);
        }
        let body = bytes.get(pos + 2..pos + length).ok_or(Damage::Truncated)?;
        pos += length;
        match marker {
            0xC4 => huffman.define(body)?,
            0xDB => quant::define(&mut quant, body)?,
            0xDD => {
                let interval = body.get(..2).ok_or(Damage::Corrupt)?;
                restart_interval = u32::from(u16::from_be_bytes([interval[0], interval[1]]));
            }
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                frames += 1;
                if frames > 1 {
                    return Err(Damage::Corrupt);
                }
            }
            0xDA => {
                if frames == 0 {
                    return Err(Damage::Corrupt);
                }
                progress.in_scans = true;
                let scan = scan::read_scan(body, frame)?;
                let context = scan::Context {
                    frame,
                    huffman: &mut huffman,
                    quant: &quant,
                    restart_interval,
                };
                pos = match coefficients.as_deref_mut() {
                    _ if frame.marker == 0xC3 => skip_scan(bytes, pos),
                    Some(store) => progressive::decode_progressive(bytes, pos, &scan, context, store)?,
                    None => scan::decode_sequential(bytes, pos, &scan, context, (&mut *planes, windows))?,
                };
                for c in &scan.components {
                    scanned[c.index] = true;
                }
            }
            _ => {}
        }
    }
}

/// Where the marker after the entropy-coded data starting at `pos` begins (its first 0xFF),
/// stuffed bytes and restart markers passed over; the end of the data if there is none.
fn skip_scan(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(at) = bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
    {
        let ff = pos + at;
        let mut next = ff + 1;
        while bytes.get(next) == Some(&0xFF) {
            next += 1;
        }
        match bytes.get(next) {
            Some(0x00 | 0xD0..=0xD7) => pos = next + 1,
            Some(_) => return next - 1,
            None => return bytes.len(),
        }
    }
    bytes.len()
}

impl Picture {
    /// The output region (left, top, right, bottom), within the picture.
    pub(crate) fn region(&self) -> Region {
        let (left, top, right, bottom) = self.region;
        let (right, bottom) = (right.min(self.width), bottom.min(self.height));
        (left.min(right), top.min(bottom), right, bottom)
    }

    /// Upsamples and converts the planes into interleaved output rows: the region's only, row
    /// by row.
    pub(crate) fn interleave(&self) -> Vec<u8> {
        let channels = self.space.channels();
        let (left, top, right, bottom) = self.region();
        let row_len = (right - left) * channels;
        let mut out = vec![0u8; row_len * (bottom - top)];
        let mut rows: Vec<Vec<u8>> = vec![vec![0; self.width]; self.planes.len()];
        let mut scratch: Vec<Vec<u8>> = self.planes.iter().map(|p| vec![0; p.width * p.ratio.0]).collect();
        for (line, y) in out.chunks_exact_mut(row_len.max(1)).zip(top..bottom) {
            for ((plane, row), scratch) in self.planes.iter().zip(&mut rows).zip(&mut scratch) {
                upsample::row(plane, y, self.fancy, scratch, row);
            }
            colour::convert(self.space, &rows, (left, right), line);
        }
        out
    }

    /// The planes as they are, each cut to the samples of the blocks the region needs: for a
    /// YCbCr or gray picture that the resizer takes planar (no upsampling, no colour
    /// conversion). Block rows never decoded read mid-grey, as in [`Picture::interleave`].
    pub(crate) fn into_planes(self) -> crate::pixels::Planes {
        self.planes
            .iter()
            .map(|plane| {
                let (columns, rows) = plane.kept(&plane.window(self.region));
                let mut data = Vec::with_capacity(columns.len() * rows.len());
                for y in rows.clone() {
                    data.extend_from_slice(&plane.row(y)[columns.clone()]);
                }
                crate::pixels::Plane {
                    width: columns.len() as u32,
                    height: rows.len() as u32,
                    data,
                    ratio: (plane.ratio.0 as u32, plane.ratio.1 as u32),
                    first: (columns.start as u32, rows.start as u32),
                }
            })
            .collect()
    }
}

/// For a file this decoder reads whose components are YCbCr or gray (as libjpeg decides, see
/// [`ColourSpace`]): the largest number of picture pixels per component sample, across and
/// down, at full scale. `None` for RGB, CMYK and YCCK files and for codings it does not read.
pub(crate) fn planar_ratio(header: &Header<'_>) -> Option<(u32, u32)> {
    let frame = header.frame.as_ref()?;
    let space = ColourSpace::of(
        frame.sampling.len(),
        header.jfif,
        header.adobe_transform,
        &frame.ids,
    );
    if !matches!(frame.marker, 0xC0..=0xC2) || !matches!(space, ColourSpace::YCbCr | ColourSpace::Gray) {
        return None;
    }
    // Cb and Cr are resized together, sample beside sample: their grids must be the same.
    if frame.sampling.len() == 3 && frame.sampling[1] != frame.sampling[2] {
        return None;
    }
    let ratio = |factor: fn(&(u8, u8)) -> u8| {
        let most = frame.sampling.iter().map(factor).max()?;
        let least = frame.sampling.iter().map(factor).min()?;
        Some(u32::from(most.div_ceil(least.max(1))).max(1))
    };
    Some((ratio(|s| s.0)?, ratio(|s| s.1)?))
}
