//! The bit reader of entropy-coded data: undoes 0xFF00 byte stuffing, stops at the first
//! marker (the end of a scan, a restart marker, or a cut), and reports bits needed beyond that
//! point as [`Damage::Truncated`]: a decoder that pads with zeros (as libjpeg and jpeg-decoder
//! do) cannot tell a cut file from a whole one.
//!
//! The buffer holds up to 64 bits, most significant first; the refill loads 8 bytes at once when
//! none of them is 0xFF.

use super::Damage;

pub(super) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    buffer: u64,
    count: u32,
    /// A marker sits at `pos` (its 0xFF); no more data until it is consumed.
    marker: bool,
}

/// Whether any of the first `n` (1 to 7) bytes of the big-endian `word` is 0xFF: a byte of
/// `!word` is zero there, found with the classic has-zero-byte trick (its false positives only
/// ever sit above a true zero byte); the mask keeps the first `n` bytes only.
fn has_ff_byte(word: u64, n: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let inverted = !word;
    let zero_bytes = inverted.wrapping_sub(ONES) & !inverted & HIGHS;
    zero_bytes & !(u64::MAX >> (8 * n)) != 0
}

impl<'a> BitReader<'a> {
    pub(super) fn new(data: &'a [u8], pos: usize) -> Self {
        BitReader {
            data,
            pos,
            buffer: 0,
            count: 0,
            marker: false,
        }
    }

    /// Bits available without reading further.
    #[inline(always)]
    pub(super) fn count(&self) -> u32 {
        self.count
    }

    /// Tops the buffer up to at least `need` (at most 57) bits if the data allows.
    #[inline(always)]
    pub(super) fn fill(&mut self, need: u32) {
        if self.count < need {
            self.refill();
        }
    }

    fn refill(&mut self) {
        let n = ((56 - self.count) / 8) as usize;
        if !self.marker && n > 0 {
            if let Some(eight) = self.data.get(self.pos..self.pos + 8) {
                let word = u64::from_be_bytes(eight.try_into().unwrap_or([0; 8]));
                if !has_ff_byte(word, n) {
                    let bits = 8 * n as u32;
                    self.buffer |= (word >> (64 - bits)) << (64 - bits - self.count);
                    self.count += bits;
                    self.pos += n;
                    return;
                }
            }
        }
        while self.count <= 48 && !self.marker {
            let Some(&byte) = self.data.get(self.pos) else {
                return;
            };
            if byte == 0xFF {
                // Fill bytes (0xFF repeated) may precede a marker.
                let mut next = self.pos + 1;
                while self.data.get(next) == Some(&0xFF) {
                    next += 1;
                }
                match self.data.get(next) {
                    Some(0x00) => self.pos = next + 1,
                    Some(_) => {
                        self.pos = next - 1; // at the 0xFF before the marker byte
                        self.marker = true;
                        return;
                    }
                    None => return,
                }
            } else {
                self.pos += 1;
            }
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// The next `n` (1 to 32) bits without consuming them, zeros past the available ones.
    #[inline(always)]
    pub(super) fn peek(&self, n: u32) -> u32 {
        (self.buffer >> (64 - n)) as u32
    }

    /// Drops `n` bits the caller has checked are available.
    #[inline(always)]
    pub(super) fn consume(&mut self, n: u32) {
        debug_assert!(n <= self.count);
        self.buffer <<= n;
        self.count -= n;
    }

    /// Reads `n` (0 to 16) bits as an unsigned number.
    #[inline(always)]
    pub(super) fn bits(&mut self, n: u32) -> Result<u32, Damage> {
        if n == 0 {
            return Ok(0);
        }
        self.fill(n);
        if self.count < n {
            return Err(Damage::Truncated);
        }
        let value = self.peek(n);
        self.consume(n);
        Ok(value)
    }

    /// Reads the `size` extra bits of a coefficient and sign-extends them (JPEG F.2.2.1).
    #[inline(always)]
    pub(super) fn receive_extend(&mut self, size: u32) -> Result<i32, Damage> {
        if size == 0 {
            return Ok(0);
        }
        let value = self.bits(size)? as i32;
        Ok(extend(value, size))
    }

    /// Ends a restart interval: drops the padding bits and consumes the RSTn marker that must
    /// follow. Another marker there means the scan was cut short; data there is corrupt (and
    /// jpeg-decoder refuses it too).
    pub(super) fn restart(&mut self) -> Result<(), Damage> {
        self.buffer = 0;
        self.count = 0;
        let mut at = self.pos;
        if self.data.get(at) != Some(&0xFF) {
            return Err(if at >= self.data.len() {
                Damage::Truncated
            } else {
                Damage::Corrupt
            });
        }
        while self.data.get(at) == Some(&0xFF) {
            at += 1;
        }
        match self.data.get(at) {
            Some(0xD0..=0xD7) => {
                self.pos = at + 1;
                self.marker = false;
                Ok(())
            }
            Some(0x00) => Err(Damage::Corrupt),
            _ => Err(Damage::Truncated),
        }
    }

    /// Where the data goes on after the bits read so far: the marker that stopped the reader, or
    /// the byte after the last one loaded (bits left in the buffer are the scan's padding).
    pub(super) fn position(&self) -> usize {
        self.pos
    }
}

/// A `size`-bit value as the signed number it codes: the low half of the range is negative.
#[inline(always)]
pub(super) fn extend(value: i32, size: u32) -> i32 {
    if value < 1 << (size - 1) {
        value - (1 << size) + 1
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffed_bytes_are_data_and_markers_stop_the_bits() {
        let data = [0xFF, 0x00, 0xAB, 0xFF, 0xD9];
        let mut bits = BitReader::new(&data, 0);
        assert_eq!(bits.bits(8), Ok(0xFF));
        assert_eq!(bits.bits(8), Ok(0xAB));
        assert_eq!(bits.bits(1), Err(Damage::Truncated));
        assert_eq!(bits.position(), 3);
    }

    #[test]
    fn values_extend_to_their_signed_ranges() {
        assert_eq!(extend(0, 1), -1);
        assert_eq!(extend(1, 1), 1);
        assert_eq!(extend(0, 3), -7);
        assert_eq!(extend(3, 3), -4);
        assert_eq!(extend(4, 3), 4);
        assert_eq!(extend(0x7FF, 11), 0x7FF);
        assert_eq!(extend(0, 15), -0x7FFF);
    }

    #[test]
    fn a_restart_marker_resets_the_reader_and_a_cut_before_it_is_a_truncation() {
        let data = [0b1010_0000, 0xFF, 0xFF, 0xD3, 0x80];
        let mut bits = BitReader::new(&data, 0);
        assert_eq!(bits.bits(3), Ok(0b101));
        assert_eq!(bits.restart(), Ok(()));
        assert_eq!(bits.bits(1), Ok(1));
        let mut cut = BitReader::new(&data[..1], 0);
        assert_eq!(cut.bits(3), Ok(0b101));
        assert_eq!(cut.restart(), Err(Damage::Truncated));
        let eoi = [0x00, 0xFF, 0xD9];
        let mut early = BitReader::new(&eoi, 0);
        assert_eq!(early.bits(8), Ok(0));
        assert_eq!(early.restart(), Err(Damage::Truncated));
    }
}
