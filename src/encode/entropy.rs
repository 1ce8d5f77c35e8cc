//! Huffman coding of quantised blocks (JPEG F.1.2) with the example tables of JPEG K.3, which
//! every decoder reads, and the bit writer that stuffs a zero byte after each 0xFF.

/// One table as DHT writes it: the number of codes of each length 1 to 16, then the symbols.
pub(super) struct TableSpec {
    pub counts: [u8; 16],
    pub symbols: &'static [u8],
}

pub(super) const DC_LUMINANCE: TableSpec = TableSpec {
    counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    symbols: &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

pub(super) const DC_CHROMINANCE: TableSpec = TableSpec {
    counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    symbols: &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

pub(super) const AC_LUMINANCE: TableSpec = TableSpec {
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

pub(super) const AC_CHROMINANCE: TableSpec = TableSpec {
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

    /// Codes one quantised block, zigzag order, against the component's DC predictor.
    pub(super) fn block(&mut self, block: &[i32; 64], predictor: &mut i32, dc: &Codes, ac: &Codes) {
        let diff = block[0] - *predictor;
        *predictor = block[0];
        let (size, bits) = magnitude(diff);
        let symbol = size as usize;
        self.put(
            u32::from(dc.code[symbol]) << size | bits,
            u32::from(dc.length[symbol]) + size,
        );
        let mut run = 0;
        for &value in &block[1..] {
            if value == 0 {
                run += 1;
                continue;
            }
            while run > 15 {
                // ZRL: sixteen zeros.
                self.put(u32::from(ac.code[0xF0]), u32::from(ac.length[0xF0]));
                run -= 16;
            }
            let (size, bits) = magnitude(value);
            let symbol = (run << 4 | size) as usize;
            self.put(
                u32::from(ac.code[symbol]) << size | bits,
                u32::from(ac.length[symbol]) + size,
            );
            run = 0;
        }
        if run > 0 {
            // EOB: the rest of the block is zero.
            self.put(u32::from(ac.code[0]), u32::from(ac.length[0]));
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
    let size = 32 - value.unsigned_abs().leading_zeros();
    let bits = if value < 0 { value - 1 } else { value } as u32 & ((1u32 << size) - 1);
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
}
