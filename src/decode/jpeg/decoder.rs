//! The crate's own JPEG decoder (issue 11), first step: baseline (SOF0) and extended sequential
//! 8-bit (SOF1) Huffman-coded files, interleaved and non-interleaved scans, restart intervals,
//! 1, 3 and 4 components, every sampling factor from 1 to 4 that makes whole upsampling ratios
//! (libjpeg refuses the others too), decoded at 1/1, 1/2, 1/4 or 1/8 of the frame's size.
//!
//! One pass over the file finds damage where it happens: a scan that ends before all of its
//! blocks (end of data, or any marker) is `image.truncated`, a bad code `image.corrupt`; there
//! is no separate walk. The output is what `djpeg -scale 1/d` writes (libjpeg's islow and reduced
//! transforms, its "fancy" upsampling and colour arithmetic), except that four-component output is
//! inverted as jpeg-decoder returns it (see [`colour`]).
//!
//! Not in this step: progressive (SOF2) files are `image.unsupported_encoding` here, to be
//! followed by progressive DC/AC first and refinement scans; so are lossless, hierarchical,
//! arithmetic-coded and 12-bit files. A scan naming a Huffman table the file never defined is
//! corrupt (libjpeg-turbo falls back to the standard tables there).
//!
//! Allocation: the component planes (from the frame's size, which the caller has checked against
//! the limits) and the interleaved output; nothing else grows with the file.
//!
//! File layout: one concern each, named for the JPEG concept: [`bits`] (the bit reader),
//! [`huffman`] (tables and code lookup), [`quant`] (quantisation tables, zigzag order),
//! [`scan`] (scan headers, sequential entropy decoding), [`idct`] (dequantisation and the
//! transforms), [`planes`] (component planes and their geometry), [`upsample`] and
//! [`colour`] (the interleaved output).

#[path = "bits.rs"]
mod bits;
#[path = "colour.rs"]
mod colour;
#[path = "huffman.rs"]
mod huffman;
#[path = "idct.rs"]
mod idct;
#[path = "planes.rs"]
mod planes;
#[path = "quant.rs"]
mod quant;
#[path = "scan.rs"]
mod scan;
#[path = "upsample.rs"]
mod upsample;

use super::header::{self, read_header};
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
    /// Fancy upsampling applies (not at 1/8, as in libjpeg).
    fancy: bool,
}

/// Decodes `bytes` at `1 / divisor` (1, 2, 4 or 8) into interleaved samples: gray, RGB, or
/// four-component as jpeg-decoder returns it, `ceil(w / divisor)` x `ceil(h / divisor)`.
///
/// # Errors
/// `image.truncated` and `image.corrupt` for damage, `image.unsupported_encoding` for what this
/// step does not decode, `image.internal_error` for a divisor other than 1, 2, 4 or 8.
pub(crate) fn decode(bytes: &[u8], divisor: u32) -> Result<Vec<u8>, ValidationError> {
    Ok(decode_planes(bytes, divisor)?.interleave())
}

/// Decodes `bytes` at `1 / divisor` into component planes, before upsampling and colour
/// conversion.
///
/// # Errors
/// As [`decode`].
pub(crate) fn decode_planes(bytes: &[u8], divisor: u32) -> Result<Picture, ValidationError> {
    if !matches!(divisor, 1 | 2 | 4 | 8) {
        return Err(ValidationError::internal("JPEG decoding"));
    }
    let header = read_header(bytes).map_err(Damage::into_error)?;
    let frame = header
        .frame
        .as_ref()
        .ok_or_else(|| ValidationError::corrupt(NAME))?;
    let unsupported = |feature: &str| Err(ValidationError::unsupported_encoding(NAME, feature));
    match frame.marker {
        0xC0 | 0xC1 => {}
        0xC2 => return unsupported("progressive coding (not yet in this decoder)"),
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
    let mut planes = planes::allocate(frame, divisor)
        .map_err(|_| ValidationError::unsupported_encoding(NAME, "an unusual chroma subsampling"))?;
    read_scans(bytes, frame, &mut planes).map_err(Damage::into_error)?;
    Ok(Picture {
        width: frame.width.div_ceil(divisor) as usize,
        height: frame.height.div_ceil(divisor) as usize,
        space: ColourSpace::of(
            frame.sampling.len(),
            header.jfif,
            header.adobe_transform,
            &frame.ids,
        ),
        planes,
        fancy: divisor != 8,
    })
}

/// Walks every segment from SOI to EOI, reading tables as they come and decoding each scan.
/// The file must end with EOI after every component has had a scan.
fn read_scans(bytes: &[u8], frame: &header::Frame, planes: &mut [Plane]) -> Result<(), Damage> {
    let mut huffman = huffman::Tables::default();
    let mut quant = quant::QuantTables::default();
    let mut restart_interval = 0u32;
    let mut scanned = vec![false; frame.sampling.len()];
    let mut frames = 0;
    let mut pos = 2;
    loop {
        // The next marker, tolerating junk before it as libjpeg does.
        while *bytes.get(pos).ok_or(Damage::Truncated)? != 0xFF {
            pos += 1;
        }
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
                let scan = scan::read_scan(body, frame)?;
                let context = scan::Context {
                    frame,
                    huffman: &mut huffman,
                    quant: &quant,
                    restart_interval,
                };
                pos = scan::decode_sequential(bytes, pos, &scan, context, planes)?;
                for c in &scan.components {
                    scanned[c.index] = true;
                }
            }
            _ => {}
        }
    }
}

impl Picture {
    /// Upsamples and converts the planes into interleaved output rows.
    pub(crate) fn interleave(&self) -> Vec<u8> {
        let channels = self.space.channels();
        let row_len = self.width * channels;
        let mut out = vec![0u8; row_len * self.height];
        let mut rows: Vec<Vec<u8>> = vec![vec![0; self.width]; self.planes.len()];
        let mut scratch: Vec<Vec<u8>> = self.planes.iter().map(|p| vec![0; p.width * p.ratio.0]).collect();
        for (y, line) in out.chunks_exact_mut(row_len).enumerate() {
            for ((plane, row), scratch) in self.planes.iter().zip(&mut rows).zip(&mut scratch) {
                upsample::row(plane, y, self.fancy, scratch, row);
            }
            colour::convert(self.space, &rows, line);
        }
        out
    }
}
