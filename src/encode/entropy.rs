//! Huffman coding of quantised blocks (JPEG F.1.2) with the example tables of JPEG K.3, which
//! every decoder reads, or with tables built for one picture from its symbol counts (JPEG K.2);
//! and the bit writer that stuffs a zero byte after each 0xFF.

use std::cmp::Reverse;

/// One table as DHT writes it: the number of codes of each length 1 to 16, then the symbols.
pub(super) struct TableSpec<'a> {
    pub counts: [u8; 16],
    pub symbols: &'a [u8],
}

pub(super) const DC_LUMINANCE: TableSpec<'static> = TableSpec {
    counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    symbols: &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

pub(super) const DC_CHROMINANCE: TableSpec<'static> = TableSpec {
    counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    symbols: &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

pub(super) const AC_LUMINANCE: TableSpec<'static> = TableSpec {
    counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
    symbols: &[
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22,
        0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33,
        0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34,
        0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55,
        0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76,
        0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96,
        0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5,
        0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4,
        0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1,
        0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ],
};

pub(super) const AC_CHROMINANCE: TableSpec<'static> = TableSpec {
    counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
    symbols: &[
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13,
        0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62,
        0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29,
        0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54,
        0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75,
        0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94,
        0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3,
        0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2,
        0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
        0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ],
};

/// Each symbol's code and its length (JPEG C.2: canonical codes in order of length).
pub(super) struct Codes {
    code: [u16; 256],
    length: [u8; 256],
}

impl Codes {
    pub(super) fn new(spec: &TableSpec) -> Codes {
        let mut codes = Codes {
            code: [0; 256],
            length: [0; 256],
        };
        let mut next = 0u16;
        let mut symbols = spec.symbols.iter();
        for (index, &count) in spec.counts.iter().enumerate() {
            for _ in 0..count {
                if let Some(&symbol) = symbols.next() {
                    codes.code[usize::from(symbol)] = next;
                    codes.length[usize::from(symbol)] = index as u8 + 1;
                }
                next += 1;
            }
            next <<= 1;
        }
        codes
    }
}

/// A table built for one picture, as DHT writes it (see [`TableSpec`]).
pub(super) struct Table {
    counts: [u8; 16],
    symbols: Vec<u8>,
}

impl Table {
    pub(super) fn spec(&self) -> TableSpec<'_> {
        TableSpec {
            counts: self.counts,
            symbols: &self.symbols,
        }
    }
}

/// How often each symbol of one table is coded.
pub(super) struct SymbolCounts([u64; 256]);

impl Default for SymbolCounts {
    fn default() -> SymbolCounts {
        SymbolCounts([0; 256])
    }
}

impl SymbolCounts {
    /// The table for these counts by JPEG K.2's procedure, as libjpeg's `jpeg_gen_optimal_table`
    /// builds it (ties broken the same way): a Huffman code with one extra symbol of count 1,
    /// whose code is then dropped, so no code is all ones (a decoder would take it for padding,
    /// F.1.2.3); lengths over 16 folded into shorter ones (K.2's Adjust_BITS). A symbol never
    /// coded gets no code.
    pub(super) fn table(&self) -> Table {
        const RESERVED: usize = 256;
        let mut count = [0u64; 257];
        count[..256].copy_from_slice(&self.0);
        count[RESERVED] = 1;
        // Each symbol's code length so far, and the next symbol in the same subtree.
        let mut length = [0usize; 257];
        let mut next_in_tree = [None::<usize>; 257];
        // Merge the two rarest subtrees (ties to the higher symbol) until one is left.
        while let Some(first) = rarest(&count, None) {
            let Some(second) = rarest(&count, Some(first)) else {
                break;
            };
            count[first] += count[second];
            count[second] = 0;
            // Every symbol of both subtrees goes one level deeper; the two lists become one.
            let last = deepen(first, &mut length, &next_in_tree);
            next_in_tree[last] = Some(second);
            deepen(second, &mut length, &next_in_tree);
        }
        // Codes of each length; 257 symbols make at most 256 levels.
        let mut per_length = [0u32; 257];
        for &l in length.iter().filter(|&&l| l > 0) {
            per_length[l] += 1;
        }
        // K.2's Adjust_BITS (figure K.3), for codes over 16 bits, two siblings at a time: one takes
        // their parent's place, the other becomes the sibling of a shorter code moved one down.
        for deep in (17..per_length.len()).rev() {
            while per_length[deep] > 0 {
                let mut shorter = deep - 2;
                while per_length[shorter] == 0 {
                    shorter -= 1;
                }
                per_length[deep] -= 2;
                per_length[deep - 1] += 1;
                per_length[shorter + 1] += 2;
                per_length[shorter] -= 1;
            }
        }
        // The reserved symbol, the rarest, has the last of the longest codes: drop it.
        if let Some(longest) = (1..=16).rev().find(|&l| per_length[l] > 0) {
            per_length[longest] -= 1;
        }
        // The symbols by length, the more frequent first within one. (libjpeg orders those by
        // value: where Adjust_BITS splits a length between two, a rarer symbol can then get the
        // shorter code.)
        let mut symbols: Vec<u8> = (0..=255).filter(|&s| length[usize::from(s)] > 0).collect();
        symbols.sort_unstable_by_key(|&s| (length[usize::from(s)], Reverse(self.0[usize::from(s)]), s));
        Table {
            counts: std::array::from_fn(|i| per_length[i + 1] as u8),
            symbols,
        }
    }
}

/// The symbol of least nonzero count other than `except`, the higher one among equals.
fn rarest(count: &[u64; 257], except: Option<usize>) -> Option<usize> {
    let mut found = None;
    let mut least = u64::MAX;
    for (symbol, &c) in count.iter().enumerate() {
        if c > 0 && c <= least && Some(symbol) != except {
            least = c;
            found = Some(symbol);
        }
    }
    found
}

/// Puts each symbol of the subtree listed from `symbol` one level deeper; returns the last one.
fn deepen(mut symbol: usize, length: &mut [usize; 257], next_in_tree: &[Option<usize>; 257]) -> usize {
    length[symbol] += 1;
    while let Some(next) = next_in_tree[symbol] {
        symbol = next;
        length[symbol] += 1;
    }
    symbol
}

/// Where the symbols of blocks go: written with their codes, or counted to build the codes.
pub(super) trait SymbolSink {
    /// A DC difference's size category, then its `size` extra bits.
    fn dc(&mut self, symbol: usize, extra: u32, size: u32);
    /// An AC run/size symbol (EOB and ZRL too), then its `size` extra bits.
    fn ac(&mut self, symbol: usize, extra: u32, size: u32);
}

/// The symbols of one quantised block, zigzag order, against its component's DC predictor
/// (JPEG F.1.2): the one sequence that both the counting and the writing see.
#[inline(always)]
pub(super) fn code_block(block: &[i16; 64], predictor: &mut i32, sink: &mut impl SymbolSink) {
    let dc = i32::from(block[0]);
    let (size, bits) = magnitude(dc - *predictor);
    *predictor = dc;
    sink.dc(size as usize, bits, size);
    // The nonzero AC values found by their bits, not by a branch on each value (which the
    // processor mispredicts as often as a photo's zeros and nonzeros alternate).
    let mut nonzero = block[1..]
        .iter()
        .enumerate()
        .fold(0u64, |mask, (i, &value)| mask | u64::from(value != 0) << i);
    let mut next = 0;
    while nonzero != 0 {
        let at = nonzero.trailing_zeros() as usize;
        let mut run = at - next;
        while run > 15 {
            // ZRL: sixteen zeros.
            sink.ac(0xF0, 0, 0);
            run -= 16;
        }
        let (size, bits) = magnitude(i32::from(block[1 + at]));
        sink.ac(run << 4 | size as usize, bits, size);
        next = at + 1;
        nonzero &= nonzero - 1;
    }
    if next < 63 {
        // EOB: the rest of the block is zero.
        sink.ac(0x00, 0, 0);
    }
}

/// Writes symbols with one component's codes.
pub(super) struct Writer<'w, 'o> {
    pub bits: &'w mut BitWriter<'o>,
    pub dc: &'w Codes,
    pub ac: &'w Codes,
}

impl SymbolSink for Writer<'_, '_> {
    #[inline(always)]
    fn dc(&mut self, symbol: usize, extra: u32, size: u32) {
        let (code, length) = (self.dc.code[symbol], self.dc.length[symbol]);
        self.bits
            .put(u32::from(code) << size | extra, u32::from(length) + size);
    }

    #[inline(always)]
    fn ac(&mut self, symbol: usize, extra: u32, size: u32) {
        let (code, length) = (self.ac.code[symbol], self.ac.length[symbol]);
        self.bits
            .put(u32::from(code) << size | extra, u32::from(length) + size);
    }
}

/// Counts symbols into one component's tables' counts.
pub(super) struct Counter<'c> {
    pub dc: &'c mut SymbolCounts,
    pub ac: &'c mut SymbolCounts,
}

impl SymbolSink for Counter<'_> {
    #[inline(always)]
    fn dc(&mut self, symbol: usize, _extra: u32, _size: u32) {
        self.dc.0[symbol] += 1;
    }

    #[inline(always)]
    fn ac(&mut self, symbol: usize, _extra: u32, _size: u32) {
        self.ac.0[symbol] += 1;
    }
}

/// Writes entropy-coded bits most significant first, a zero byte after each 0xFF.
pub(super) struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    // The pending bits are the low `count` bits; higher ones are stale and ignored.
    bits: u64,
    count: u32,
}

impl<'a> BitWriter<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter {
            out,
            bits: 0,
            count: 0,
        }
    }

    /// Appends the low `length` bits of `value`; `length` is at most 32.
    #[inline(always)]
    fn put(&mut self, value: u32, length: u32) {
        self.bits = self.bits << length | u64::from(value);
        self.count += length;
        if self.count >= 32 {
            self.count -= 32;
            let word = (self.bits >> self.count) as u32;
            self.emit(word.to_be_bytes());
        }
    }

    #[inline(always)]
    fn emit(&mut self, bytes: [u8; 4]) {
        if bytes.contains(&0xFF) {
            for byte in bytes {
                self.out.push(byte);
                if byte == 0xFF {
                    self.out.push(0);
                }
            }
        } else {
            self.out.extend_from_slice(&bytes);
        }
    }

    /// Pads the last byte with 1 bits (JPEG F.1.2.3) and writes what is pending.
    pub(super) fn finish(mut self) {
        let pad = (8 - self.count % 8) % 8;
        self.put((1 << pad) - 1, pad);
        while self.count >= 8 {
            self.count -= 8;
            let byte = (self.bits >> self.count) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
    }
}

/// A value's size category and its extra bits (negative values as value - 1, JPEG F.1.2.1).
#[inline(always)]
fn magnitude(value: i32) -> (u32, u32) {
    // Branch-free, as the quantiser: `sign` is 0 or -1.
    let sign = value >> 31;
    let size = 32 - ((value ^ sign) - sign).leading_zeros();
    let bits = (value + sign) as u32 & ((1u32 << size) - 1);
    (size, bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_tables_give_the_codes_jpeg_k3_lists() {
        let dc = Codes::new(&DC_LUMINANCE);
        // K.3.1: category 0 is 00, 1 is 010, 11 is 111111110.
        assert_eq!((dc.code[0], dc.length[0]), (0b00, 2));
        assert_eq!((dc.code[1], dc.length[1]), (0b010, 3));
        assert_eq!((dc.code[11], dc.length[11]), (0b1_1111_1110, 9));
        let ac = Codes::new(&AC_LUMINANCE);
        // K.3.2: EOB is 1010, 0/1 is 00, ZRL is 11111111001, 15/10 is 1111111111111110.
        assert_eq!((ac.code[0x00], ac.length[0x00]), (0b1010, 4));
        assert_eq!((ac.code[0x01], ac.length[0x01]), (0b00, 2));
        assert_eq!((ac.code[0xF0], ac.length[0xF0]), (0b111_1111_1001, 11));
        assert_eq!((ac.code[0xFA], ac.length[0xFA]), (0xFFFE, 16));
        assert_eq!(AC_LUMINANCE.symbols.len(), 162);
        assert_eq!(AC_CHROMINANCE.symbols.len(), 162);
        for spec in [&DC_LUMINANCE, &DC_CHROMINANCE, &AC_LUMINANCE, &AC_CHROMINANCE] {
            let total: usize = spec.counts.iter().map(|&n| usize::from(n)).sum();
            assert_eq!(total, spec.symbols.len());
        }
    }

    #[test]
    fn bits_are_written_most_significant_first_with_0xff_stuffed() {
        let mut out = Vec::new();
        let mut writer = BitWriter::new(&mut out);
        writer.put(0b1111_1111, 8);
        writer.put(0b101, 3);
        writer.put(0xFFFF_FFFF, 32);
        writer.finish();
        // The first 32 bits are FF BF FF FF; the 11 ones left, padded with five more, FF FF. Each
        // FF is followed by a stuffed 00.
        assert_eq!(
            out,
            [0xFF, 0x00, 0xBF, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00]
        );
        assert_eq!(magnitude(-1), (1, 0));
        assert_eq!(magnitude(1), (1, 1));
        assert_eq!(magnitude(-3), (2, 0b00));
        assert_eq!(magnitude(5), (3, 0b101));
        assert_eq!(magnitude(0), (0, 0));
    }

    /// Each symbol's code length in `table` (0: no code), checked to form a prefix code with
    /// lengths 1 to 16 that leaves the all-ones code unused and codes exactly the symbols counted,
    /// the more frequent never longer.
    fn checked_lengths(counts: &[u64; 256]) -> [u32; 256] {
        let table = SymbolCounts(*counts).table();
        let mut lengths = [0u32; 256];
        let mut symbols = table.symbols.iter();
        for (index, &n) in table.counts.iter().enumerate() {
            for _ in 0..n {
                let symbol = usize::from(*symbols.next().expect("as many symbols as codes"));
                assert_eq!(lengths[symbol], 0, "symbol {symbol} twice");
                lengths[symbol] = index as u32 + 1;
            }
        }
        assert_eq!(symbols.next(), None, "as many codes as symbols");
        // Kraft's sum, in units of 2^-16: under 1, so the canonical codes never reach all ones.
        let used: u32 = lengths.iter().filter(|&&l| l > 0).map(|&l| 1 << (16 - l)).sum();
        assert!(used < 1 << 16, "Kraft sum {used} / 65536");
        let codes = Codes::new(&table.spec());
        for symbol in 0..256 {
            assert_eq!(lengths[symbol] > 0, counts[symbol] > 0, "symbol {symbol}");
            assert_eq!(u32::from(codes.length[symbol]), lengths[symbol]);
            if lengths[symbol] > 0 {
                assert_ne!(u32::from(codes.code[symbol]), (1 << lengths[symbol]) - 1);
            }
            for other in 0..256 {
                if counts[symbol] > counts[other] && counts[other] > 0 {
                    assert!(lengths[symbol] <= lengths[other], "{symbol} vs {other}");
                }
            }
        }
        lengths
    }

    /// The bits of an optimal code for `counts` and a reserved symbol of count 1, without a
    /// length limit: the sum of the Huffman tree's inner weights.
    fn huffman_bits(counts: &[u64]) -> u64 {
        let mut heap: std::collections::BinaryHeap<_> = counts
            .iter()
            .filter(|&&c| c > 0)
            .chain([&1])
            .map(|&c| Reverse(c))
            .collect();
        let mut bits = 0;
        while let (Some(Reverse(a)), Some(Reverse(b))) = (heap.pop(), heap.pop()) {
            bits += a + b;
            heap.push(Reverse(a + b));
        }
        bits
    }

    /// The bits `counts` take with `lengths`, counting the reserved symbol at the longest length
    /// (it shares the deepest level with another symbol).
    fn bits_with_reserved(counts: &[u64; 256], lengths: &[u32; 256]) -> u64 {
        let longest = u64::from(*lengths.iter().max().unwrap());
        longest
            + counts
                .iter()
                .zip(lengths)
                .map(|(&c, &l)| c * u64::from(l))
                .sum::<u64>()
    }

    #[test]
    fn a_table_of_one_symbol_gives_it_a_one_bit_code() {
        for symbol in [0, 0x11, 0xF0, 255] {
            let mut counts = [0; 256];
            counts[symbol] = 7;
            let lengths = checked_lengths(&counts);
            assert_eq!(lengths[symbol], 1);
            let table = SymbolCounts(counts).table();
            assert_eq!(table.counts[0], 1);
            assert_eq!(table.symbols, [symbol as u8]);
        }
    }

    #[test]
    fn all_256_symbols_equally_frequent_take_8_bits_but_one_9() {
        let lengths = checked_lengths(&[1000; 256]);
        assert_eq!(lengths.iter().filter(|&&l| l == 8).count(), 255);
        assert_eq!(lengths.iter().filter(|&&l| l == 9).count(), 1);
        // Ties go as libjpeg breaks them: the highest symbol pairs with the reserved one.
        assert_eq!(lengths[255], 9);
    }

    #[test]
    fn fibonacci_counts_are_limited_to_16_bits() {
        // Unlimited, the Huffman code for these (and the reserved symbol) reaches 21 bits.
        let mut counts = [0; 256];
        let (mut a, mut b) = (1u64, 1u64);
        for symbol in (0..40).map(|i| i * 6) {
            counts[symbol] = a;
            (a, b) = (b, a + b);
        }
        let lengths = checked_lengths(&counts);
        assert_eq!(*lengths.iter().max().unwrap(), 16);
        // Dearer than the unlimited code, but not by much: the limit only touches rare symbols.
        let (limited, unlimited) = (bits_with_reserved(&counts, &lengths), huffman_bits(&counts));
        assert!(
            unlimited < limited && limited < unlimited + unlimited / 100,
            "{limited} vs {unlimited}"
        );
        // Limiting a code that needs 256 levels: 256 symbols of counts 2^k and more.
        let mut steep = [0; 256];
        for (symbol, count) in steep.iter_mut().enumerate() {
            *count = 1u64 << (symbol / 5);
        }
        checked_lengths(&steep);
    }

    #[test]
    fn tables_for_varied_counts_are_huffman_codes() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut random = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        };
        for round in 0..300 {
            let mut counts = [0u64; 256];
            let present = 1 + random(256);
            for _ in 0..present {
                let symbol = random(256) as usize;
                counts[symbol] = if round % 2 == 0 {
                    // Within a factor of 10 of each other: no code reaches 16 bits.
                    100 + random(900)
                } else {
                    let magnitude = random(40);
                    1 + random(1 << magnitude)
                };
            }
            let lengths = checked_lengths(&counts);
            let (ours, optimal) = (bits_with_reserved(&counts, &lengths), huffman_bits(&counts));
            if round % 2 == 0 {
                assert_eq!(ours, optimal, "round {round}");
            } else {
                assert!(ours >= optimal, "round {round}");
            }
        }
    }

    #[test]
    fn counted_and_written_symbols_are_the_same() {
        // A block with a DC difference, runs of 16 and more (ZRL), and zeros to the end (EOB).
        let mut block = [0i16; 64];
        block[0] = -37;
        block[1] = 5;
        block[20] = -1;
        block[40] = 1000;
        let mut counts: [SymbolCounts; 2] = Default::default();
        let [dc, ac] = &mut counts;
        let mut predictor = 3;
        code_block(&block, &mut predictor, &mut Counter { dc, ac });
        assert_eq!(predictor, -37);
        let mut expected_ac = [0; 256];
        expected_ac[0x03] = 1; // 5: run 0, size 3
        expected_ac[0xF0] = 1; // 18 zeros: ZRL, then
        expected_ac[0x21] = 1; // -1: run 2, size 1
        expected_ac[0x3A] = 1; // 1000: run 19 - 16 = 3, size 10, after a second ZRL
        expected_ac[0xF0] += 1;
        expected_ac[0x00] = 1; // EOB
        assert_eq!(counts[1].0, expected_ac);
        assert_eq!(counts[0].0.iter().sum::<u64>(), 1);
        assert_eq!(counts[0].0[6], 1); // -40: size 6
                                       // Written with codes built from these counts, the block takes what the counts say.
        let (dc_table, ac_table) = (counts[0].table(), counts[1].table());
        let (dc, ac) = (Codes::new(&dc_table.spec()), Codes::new(&ac_table.spec()));
        let mut out = Vec::new();
        let mut bits = BitWriter::new(&mut out);
        code_block(
            &block,
            &mut 3,
            &mut Writer {
                bits: &mut bits,
                dc: &dc,
                ac: &ac,
            },
        );
        bits.finish();
        let coded: u32 = (0..256)
            .map(|s| {
                counts[0].0[s] as u32 * u32::from(dc.length[s])
                    + counts[1].0[s] as u32 * u32::from(ac.length[s])
            })
            .sum::<u32>()
            + 6
            + 3
            + 1
            + 10;
        let stuffed = out.iter().filter(|&&byte| byte == 0xFF).count();
        assert_eq!(out.len() - stuffed, coded.div_ceil(8) as usize, "{coded} bits");
    }
}
