//! Huffman tables (JPEG Annex C) as DHT segments define them, built only when a scan uses them,
//! and the decoding of one code plus the extra bits that follow it (F.2.2.3).
//!
//! The lookup is indexed by the next [`LOOKUP_BITS`] bits. Each entry holds the code's length
//! and symbol, and, when the code and its extra bits both fit in those bits, the sign-extended
//! value too: one load and one shift decode most coefficients of a photo. Longer codes take the
//! spec's maxcode/valptr search.

use super::bits::{extend, BitReader};
use super::Damage;

/// 9 bits: a 4 KiB table (8-byte entries), the four tables of a colour scan stay in L1.
const LOOKUP_BITS: u32 = 9;

/// Our choice: a progressive file redefining both tables before each of 100 scans needs 200
/// definitions; a hostile file may define millions.
pub(super) const MAX_TABLE_DEFINITIONS: usize = 1024;

#[derive(Clone, Copy, Default)]
struct Entry {
    /// Code length; 0 where the bits start a longer code (or none).
    code_len: u8,
    symbol: u8,
    /// Code length plus extra bits when both fit in the lookup; 0 otherwise.
    total_len: u8,
    /// The count of extra bits after the code (its symbol's size).
    size: u8,
    /// The extra bits, sign-extended, when `total_len` is not 0.
    value: i16,
}

pub(super) struct Table {
    lookup: Box<[Entry; 1 << LOOKUP_BITS]>,
    maxcode: [i32; 17],
    valptr: [i32; 17],
    mincode: [i32; 17],
    symbols: Vec<u8>,
    /// DC symbols are the count of extra bits; AC symbols hold it in their low nibble.
    dc: bool,
}

impl Table {
    /// Builds the canonical code from the count of codes of each length and the symbols.
    /// `None` when the counts overflow the code space, or when a DC table names more than 15
    /// extra bits (libjpeg refuses both).
    pub(super) fn new(counts: &[u8; 16], symbols: &[u8], dc: bool) -> Option<Table> {
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let symbols = symbols.get(..total)?;
        if dc && symbols.iter().any(|&s| s > 15) {
            return None;
        }
        let size_of = |symbol: u8| u32::from(if dc { symbol } else { symbol & 0x0F });
        let mut lookup = Box::new([Entry::default(); 1 << LOOKUP_BITS]);
        let (mut maxcode, mut valptr, mut mincode) = ([-1i32; 17], [0i32; 17], [0i32; 17]);
        let mut code = 0u32;
        let mut k = 0usize;
        for len in 1..=16u32 {
            let n = u32::from(counts[len as usize - 1]);
            if n > 0 {
                valptr[len as usize] = k as i32;
                mincode[len as usize] = code as i32;
                for _ in 0..n {
                    let symbol = symbols[k];
                    if len <= LOOKUP_BITS {
                        let shift = LOOKUP_BITS - len;
                        let first = (code << shift) as usize;
                        for index in first..first + (1 << shift) {
                            let size = size_of(symbol);
                            let mut entry = Entry {
                                code_len: len as u8,
                                symbol,
                                total_len: 0,
                                size: size as u8,
                                value: 0,
                            };
                            if len + size <= LOOKUP_BITS {
                                entry.total_len = (len + size) as u8;
                                if size > 0 {
                                    let raw = (index >> (LOOKUP_BITS - len - size)) & ((1 << size) - 1);
                                    entry.value = extend(raw as i32, size) as i16;
                                }
                            }
                            *lookup.get_mut(index)? = entry;
                        }
                    }
                    code += 1;
                    k += 1;
                }
                maxcode[len as usize] = code as i32 - 1;
            }
            // More codes than the length allows: the counts are impossible.
            if code > (1 << len) {
                return None;
            }
            code <<= 1;
        }
        Some(Table {
            lookup,
            maxcode,
            valptr,
            mincode,
            symbols: symbols.to_vec(),
            dc,
        })
    }

    /// Decodes one code and its extra bits: the symbol and the sign-extended value (0 when the
    /// symbol has no extra bits). Bits missing before the code is whole are a truncation; bits
    /// that are no code of the table are corruption.
    #[inline(always)]
    pub(super) fn decode(&self, bits: &mut BitReader<'_>) -> Result<(u8, i32), Damage> {
        bits.fill(32);
        let entry = self.lookup[bits.peek(LOOKUP_BITS) as usize];
        if entry.total_len > 0 && u32::from(entry.total_len) <= bits.count() {
            bits.consume(u32::from(entry.total_len));
            return Ok((entry.symbol, i32::from(entry.value)));
        }
        // A code in the lookup whose extra bits reach past it (large coefficients): both are in
        // the buffer (a code of at most 9 bits and at most 15 extra bits, 32 bits filled).
        let size = u32::from(entry.size);
        let (code_len, total) = (u32::from(entry.code_len), u32::from(entry.code_len) + size);
        if code_len > 0 && size > 0 && total <= bits.count() {
            let raw = (bits.peek(total) & ((1 << size) - 1)) as i32;
            bits.consume(total);
            return Ok((entry.symbol, extend(raw, size)));
        }
        self.decode_slowly(bits, entry)
    }

    #[cold]
    fn decode_slowly(&self, bits: &mut BitReader<'_>, entry: Entry) -> Result<(u8, i32), Damage> {
        let symbol = self.symbol(bits, entry)?;
        let size = u32::from(if self.dc { symbol } else { symbol & 0x0F });
        Ok((symbol, bits.receive_extend(size)?))
    }

    fn symbol(&self, bits: &mut BitReader<'_>, entry: Entry) -> Result<u8, Damage> {
        if entry.code_len > 0 {
            if u32::from(entry.code_len) > bits.count() {
                return Err(Damage::Truncated);
            }
            bits.consume(u32::from(entry.code_len));
            return Ok(entry.symbol);
        }
        for len in LOOKUP_BITS + 1..=16 {
            if len > bits.count() {
                return Err(Damage::Truncated);
            }
            let code = bits.peek(len) as i32;
            let l = len as usize;
            if self.maxcode[l] >= 0 && code <= self.maxcode[l] && code >= self.mincode[l] {
                let index = self.valptr[l] + code - self.mincode[l];
                let symbol = *self.symbols.get(index as usize).ok_or(Damage::Corrupt)?;
                bits.consume(len);
                return Ok(symbol);
            }
        }
        Err(Damage::Corrupt)
    }
}

/// A DHT table definition: the count of codes of each length 1 to 16, then the symbols.
type Definition<'a> = (&'a [u8; 16], &'a [u8]);

/// Huffman tables as the file defines them (borrowed), built only when a scan uses them: a
/// hostile file may redefine its tables a million times without ever scanning with them.
#[derive(Default)]
pub(super) struct Tables<'a> {
    /// [DC, AC] x table slot.
    defined: [[Option<Definition<'a>>; 4]; 2],
    built: [[Option<Table>; 4]; 2],
    definitions: usize,
}

impl<'a> Tables<'a> {
    /// Reads a DHT segment: one or more table definitions.
    pub(super) fn define(&mut self, mut body: &'a [u8]) -> Result<(), Damage> {
        while let [class_id, rest @ ..] = body {
            let counts: &[u8; 16] = rest
                .get(..16)
                .and_then(|c| c.try_into().ok())
                .ok_or(Damage::Corrupt)?;
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            if total > 256 {
                return Err(Damage::Corrupt);
            }
            let symbols = rest.get(16..16 + total).ok_or(Damage::Corrupt)?;
            let class = usize::from(class_id >> 4);
            let slot = usize::from(class_id & 0x0F);
            *self
                .defined
                .get_mut(class)
                .and_then(|c| c.get_mut(slot))
                .ok_or(Damage::Corrupt)? = Some((counts, symbols));
            self.built[class][slot] = None;
            self.definitions += 1;
            if self.definitions > MAX_TABLE_DEFINITIONS {
                return Err(Damage::Excessive);
            }
            body = &rest[16 + total..];
        }
        Ok(())
    }

    /// The table of `class` (0 = DC, 1 = AC) in `slot`, built on first use; a scan naming an
    /// undefined table is corrupt.
    pub(super) fn get(&mut self, class: usize, slot: usize) -> Result<&Table, Damage> {
        let definition = *self
            .defined
            .get(class)
            .and_then(|c| c.get(slot))
            .ok_or(Damage::Corrupt)?;
        let (counts, symbols) = definition.ok_or(Damage::Corrupt)?;
        let built = &mut self.built[class][slot];
        if built.is_none() {
            *built = Some(Table::new(counts, symbols, class == 0).ok_or(Damage::Corrupt)?);
        }
        built.as_ref().ok_or(Damage::Corrupt)
    }
}

impl Tables<'_> {
    /// A table [`Tables::get`] has built.
    pub(super) fn built(&self, class: usize, slot: usize) -> Option<&Table> {
        self.built.get(class)?.get(slot)?.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(table: &Table, data: &[u8], n: usize) -> Result<Vec<(u8, i32)>, Damage> {
        let mut bits = BitReader::new(data, 0);
        (0..n).map(|_| table.decode(&mut bits)).collect()
    }

    #[test]
    fn impossible_code_counts_are_refused() {
        let mut counts = [0u8; 16];
        counts[0] = 3; // three 1-bit codes cannot exist
        assert!(Table::new(&counts, &[1, 2, 3], true).is_none());
        counts[0] = 2;
        assert!(Table::new(&counts, &[1, 2], true).is_some());
        // Two 1-bit codes fill the code space: a 2-bit code after them overflows it.
        counts[1] = 1;
        assert!(Table::new(&counts, &[1, 2, 3], true).is_none());
        // Fewer symbols than the counts promise.
        assert!(Table::new(&counts, &[1, 2], false).is_none());
    }

    #[test]
    fn a_dc_table_with_more_than_15_extra_bits_is_refused_as_libjpeg_does() {
        let mut counts = [0u8; 16];
        counts[0] = 1;
        assert!(Table::new(&counts, &[16], true).is_none());
        assert!(Table::new(&counts, &[16], false).is_some());
    }

    #[test]
    fn one_code_of_each_length_up_to_16_bits_decodes() {
        // Codes 0, 10, 110, ..., 1111111111111110 (16 bits): every length, lookup and search.
        let counts = [1u8; 16];
        let symbols: Vec<u8> = (0..16).map(|n| (n as u8) << 4).collect(); // AC, no extra bits
        let table = Table::new(&counts, &symbols, false).unwrap();
        for len in 1..=16u32 {
            // len - 1 one bits, then a zero, at the top of the word.
            let ones: u32 = (1 << (len - 1)) - 1;
            let data = ones.checked_shl(33 - len).unwrap_or(0).to_be_bytes();
            let bytes: Vec<u8> = data
                .iter()
                .flat_map(|&b| if b == 0xFF { vec![0xFF, 0] } else { vec![b] })
                .collect();
            let mut bits = BitReader::new(&bytes, 0);
            assert_eq!(
                table.decode(&mut bits),
                Ok((((len - 1) as u8) << 4, 0)),
                "length {len}"
            );
        }
    }

    #[test]
    fn the_all_ones_code_is_corrupt_and_a_cut_code_is_truncated() {
        let counts = [1u8; 16];
        let symbols: Vec<u8> = (0..16).collect();
        let table = Table::new(&counts, &symbols, true).unwrap();
        // 16 one bits (stuffed) are no code: 1111111111111110 is the longest.
        assert_eq!(
            decode_all(&table, &[0xFF, 0x00, 0xFF, 0x00, 0x00], 1),
            Err(Damage::Corrupt)
        );
        // 12 one bits and then the end of the data: the code may go on, so it is cut.
        assert_eq!(
            decode_all(&table, &[0xFF, 0x00, 0xF0, 0xFF, 0xD9], 1).map(|_| ()),
            Err(Damage::Truncated)
        );
    }

    #[test]
    fn extra_bits_are_sign_extended_in_the_lookup_and_beyond_it() {
        // DC table: one 2-bit code "00" for size 3, one 2-bit code "01" for size 11.
        let mut counts = [0u8; 16];
        counts[1] = 2;
        let table = Table::new(&counts, &[3, 11], true).unwrap();
        // 00 011 -> -4 (in the lookup), then 01 + 11 bits 00000000001 -> -2046 (beyond it).
        // Bits: 00011 01 00000000001 + padding.
        let data = [0b0001_1010, 0b0000_0000, 0b0100_0000];
        assert_eq!(decode_all(&table, &data, 2), Ok(vec![(3, -4), (11, -2046)]));
        // An extra bit missing at the end of the data is a truncation.
        let data = [0b0001_1010, 0xFF, 0xD9];
        assert_eq!(decode_all(&table, &data, 2), Err(Damage::Truncated));
    }

    #[test]
    fn table_definitions_past_the_flood_limit_are_excessive() {
        let mut segment = vec![0x00];
        segment.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        segment.push(0);
        let mut tables = Tables::default();
        for _ in 0..MAX_TABLE_DEFINITIONS {
            assert_eq!(tables.define(&segment), Ok(()));
        }
        assert_eq!(tables.define(&segment), Err(Damage::Excessive));
        assert!(tables.get(0, 0).is_ok());
        assert!(tables.get(1, 0).is_err(), "an undefined table");
        assert_eq!(Tables::default().define(&[0x24]).err(), Some(Damage::Corrupt));
    }
}
