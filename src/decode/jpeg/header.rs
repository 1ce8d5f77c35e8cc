//! The JPEG header, read by our own marker walk before any decoder sees the file: the frame
//! (size, coding process, precision, components and sampling), EXIF, ICC chunks, Adobe APP14, and
//! how many scans and scan bytes follow. Untrusted input: every length is bounds-checked.

use super::Damage;

/// What the marker walk learned before the first scan.
#[derive(Debug, Default)]
pub(super) struct Header<'a> {
    pub(super) frame: Option<Frame>,
    pub(super) exif: Option<&'a [u8]>,
    pub(super) icc_chunks: Vec<IccChunk<'a>>,
    /// The transform byte of an Adobe APP14 segment: 0 = CMYK or RGB, 1 = YCbCr, 2 = YCCK.
    pub(super) adobe_transform: Option<u8>,
    /// A JFIF APP0 segment came before the first scan (libjpeg then reads 3 components as
    /// YCbCr whatever else the file says).
    pub(super) jfif: bool,
    /// Start-of-scan markers in the whole file (progressive files have several).
    pub(super) scans: u32,
    /// Bytes from the end of the first scan header to the end of the file: an upper bound on the
    /// entropy-coded data.
    pub(super) scan_bytes: usize,
}

#[derive(Debug, Clone)]
pub(super) struct Frame {
    pub(super) marker: u8,
    pub(super) precision: u8,
    pub(super) width: u32,
    pub(super) height: u32,
    /// Component identifiers, in frame order (scans name components by them).
    pub(super) ids: Vec<u8>,
    /// (horizontal, vertical) sampling factor per component.
    pub(super) sampling: Vec<(u8, u8)>,
    /// Quantisation table slot per component (0 to 3; larger values are kept and refused by
    /// the decoder when a scan needs them).
    pub(super) quant: Vec<u8>,
}

impl Frame {
    fn max_sampling(&self) -> (u32, u32) {
        let h = self.sampling.iter().map(|s| s.0).max().unwrap_or(1);
        let v = self.sampling.iter().map(|s| s.1).max().unwrap_or(1);
        (u32::from(h), u32::from(v))
    }

    /// MCUs across and down: the grid of an interleaved scan.
    pub(super) fn mcus(&self) -> (u32, u32) {
        let (hmax, vmax) = self.max_sampling();
        (self.width.div_ceil(8 * hmax), self.height.div_ceil(8 * vmax))
    }

    /// Blocks across and down of one component, without the MCU padding: the grid of a
    /// non-interleaved scan.
    pub(super) fn component_blocks(&self, index: usize) -> (u32, u32) {
        let (hmax, vmax) = self.max_sampling();
        let (h, v) = self.sampling[index];
        let w = (u64::from(self.width) * u64::from(h)).div_ceil(u64::from(hmax));
        let ht = (u64::from(self.height) * u64::from(v)).div_ceil(u64::from(vmax));
        (w.div_ceil(8) as u32, ht.div_ceil(8) as u32)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct IccChunk<'a> {
    pub(crate) seq: u8,
    pub(crate) count: u8,
    pub(crate) data: &'a [u8],
}

/// Walks the segments from SOI to the first SOS, then counts the remaining SOS markers.
pub(super) fn read_header(bytes: &[u8]) -> Result<Header<'_>, Damage> {
    let mut header = Header::default();
    let mut pos = 2; // after SOI
    loop {
        // Skip anything up to a marker: libjpeg and jpeg-decoder tolerate junk between segments.
        while *bytes.get(pos).ok_or(Damage::Truncated)? != 0xFF {
            pos += 1;
        }
        while *bytes.get(pos).ok_or(Damage::Truncated)? == 0xFF {
            pos += 1; // fill bytes
        }
        let marker = bytes[pos];
        pos += 1;
        match marker {
            0xD0..=0xD7 | 0x01 | 0xD8 => continue,
            0xD9 => return Err(Damage::Corrupt), // EOI before any scan
            _ => {}
        }
        let len = u16::from_be_bytes([
            *bytes.get(pos).ok_or(Damage::Truncated)?,
            *bytes.get(pos + 1).ok_or(Damage::Truncated)?,
        ]) as usize;
        if len < 2 {
            return Err(Damage::Corrupt);
        }
        let body = bytes.get(pos + 2..pos + len).ok_or(Damage::Truncated)?;
        pos += len;
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if header.frame.is_some() {
                    return Err(Damage::Corrupt);
                }
                header.frame = Some(read_frame(marker, body).ok_or(Damage::Corrupt)?);
            }
            0xDA => {
                if header.frame.is_none() {
                    return Err(Damage::Corrupt);
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
            // A profile has at most 255 chunks (the count is a byte); past that the profile is
            // unusable anyway, and the list must not grow with a hostile file's size.
            0xE2 if header.icc_chunks.len() <= 255 => {
                if let Some([seq, count, data @ ..]) = body.strip_prefix(b"ICC_PROFILE\0") {
                    header.icc_chunks.push(IccChunk {
                        seq: *seq,
                        count: *count,
                        data,
                    });
                }
            }
            0xE0 if body.starts_with(b"JFIF\0") => header.jfif = true,
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
    let mut ids = Vec::with_capacity(n);
    let mut quant = Vec::with_capacity(n);
    for c in rest[..n * 3].chunks_exact(3) {
        ids.push(c[0]);
        quant.push(c[2]);
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
        ids,
        sampling,
        quant,
    })
}

/// Every 8x8 block of every component costs at least one bit of Huffman code (its DC
/// difference, in sequential and progressive files alike), so a file whose scans are shorter
/// than a bit per block cannot hold the picture its header claims.
pub(super) fn too_short_for_frame(frame: &Frame, scan_bytes: usize) -> bool {
    if frame.marker == 0xC3 {
        // Lossless coding spends at least one bit on every sample.
        let samples = u64::from(frame.width) * u64::from(frame.height) * frame.sampling.len() as u64;
        return (scan_bytes as u64) * 8 < samples;
    }
    let blocks: u64 = (0..frame.sampling.len())
        .map(|i| {
            let (w, h) = frame.component_blocks(i);
            u64::from(w) * u64::from(h)
        })
        .sum();
    (scan_bytes as u64) * 8 < blocks
}

/// In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so every FF DA is a
/// real start-of-scan marker.
fn count_later_scans(rest: &[u8]) -> u32 {
    let Some(next) = rest.get(1..) else {
        return 0;
    };
    // Pairs of neighbours as two zipped slices: a loop the compiler vectorises, unlike windows().
    rest.iter()
        .zip(next)
        .filter(|&(&a, &b)| a == 0xFF && b == 0xDA)
        .count()
        .try_into()
        .unwrap_or(u32::MAX)
}

/// ICC chunks are numbered 1..=count; any gap, duplicate or disagreement means the profile is
/// unusable, and the picture falls back to sRGB rather than failing.
pub(crate) fn reassemble_icc(chunks: &[IccChunk<'_>]) -> Option<Vec<u8>> {
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
}
