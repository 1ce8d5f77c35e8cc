//! A small JPEG writer for two codings jpeg-encoder does not write, so the fixtures can hold them:
//! a baseline file with one scan per component (non-interleaved), and a progressive file with
//! successive approximation (libjpeg's default progression: DC and AC first scans at reduced
//! precision, then refinement scans). 4:2:0 YCbCr, quality 90 (the standard tables, scaled as
//! libjpeg scales them), one DC and one AC Huffman table holding every symbol (4-bit DC codes,
//! 8- and 9-bit AC codes: larger files than optimal tables make, but valid for every scan).
//!
//! Deterministic on every platform: the forward DCT uses fixed cosines and only IEEE arithmetic
//! (no library trigonometry), and rounds half away from zero.

/// How the scans are laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// Baseline (SOF0), one scan per component.
    NonInterleaved,
    /// Progressive (SOF2) with libjpeg's default script: 10 scans, 4 of them AC refinements.
    ProgressiveRefinement,
}

/// `rgb` (`width` x `height`, 3 bytes a pixel) as a JPEG coded as `coding` says.
pub fn encode(rgb: &[u8], width: u32, height: u32, coding: Coding) -> Vec<u8> {
    let components = components(rgb, width, height);
    let mut out = vec![0xFF, 0xD8];
    quant_tables(&mut out);
    frame_header(&mut out, width, height, coding);
    huffman_tables(&mut out);
    match coding {
        Coding::NonInterleaved => {
            for (index, component) in components.iter().enumerate() {
                let mut bits = scan_header(&mut out, &[index], (0, 63), (0, 0));
                sequential(&mut bits, component);
                out.extend(bits.finish());
            }
        }
        Coding::ProgressiveRefinement => {
            // libjpeg's jpeg_simple_progression for YCbCr.
            let script: [Scan; 10] = [
                (&[0, 1, 2], (0, 0), (0, 1)),
                (&[0], (1, 5), (0, 2)),
                (&[2], (1, 63), (0, 1)),
                (&[1], (1, 63), (0, 1)),
                (&[0], (6, 63), (0, 2)),
                (&[0], (1, 63), (2, 1)),
                (&[0, 1, 2], (0, 0), (1, 0)),
                (&[2], (1, 63), (1, 0)),
                (&[1], (1, 63), (1, 0)),
                (&[0], (1, 63), (1, 0)),
            ];
            for (scan, band, (high, low)) in script {
                let mut bits = scan_header(&mut out, scan, band, (high, low));
                if band.0 == 0 {
                    dc_scan(&mut bits, &components, high, low);
                } else {
                    let component = &components[scan[0]];
                    for block in component.own_blocks() {
                        if high == 0 {
                            ac_first(&mut bits, block, band, low);
                        } else {
                            ac_refine(&mut bits, block, band, low);
                        }
                    }
                }
                out.extend(bits.finish());
            }
        }
    }
    out.extend([0xFF, 0xD9]);
    out
}

/// A progressive scan: its components, spectral band and successive approximation (Ah, Al).
type Scan = (&'static [usize], (u8, u8), (u8, u8));

/// Natural-order position of each zigzag index.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
    14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39,
    46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// JPEG K.1's tables, natural order.
const LUMINANCE: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17,
    22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78,
    87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMINANCE: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/// A table at quality 90, as libjpeg scales it (200 - 2 x quality percent).
fn scaled(table: &[u16; 64]) -> [u16; 64] {
    table.map(|q| ((q * 20 + 50) / 100).clamp(1, 255))
}

/// cos(k x pi / 16) from eight fixed values.
fn cos16(k: usize) -> f64 {
    const FIRST_QUADRANT: [f64; 9] = [
        1.0,
        0.980_785_280_403_230_4,
        0.923_879_532_511_286_7,
        0.831_469_612_302_545_2,
        std::f64::consts::FRAC_1_SQRT_2,
        0.555_570_233_019_602_2,
        0.382_683_432_365_089_8,
        0.195_090_322_016_128_3,
        0.0,
    ];
    let k = k % 32;
    let k = if k > 16 { 32 - k } else { k };
    if k > 8 {
        -FIRST_QUADRANT[16 - k]
    } else {
        FIRST_QUADRANT[k]
    }
}

/// One component: its quantised blocks (natural order) over the MCU grid, row by row.
struct Component {
    blocks: Vec<[i16; 64]>,
    /// Blocks across in `blocks` (the MCU grid's).
    stride: usize,
    /// Blocks across and down that cover the component's own samples (a non-interleaved scan's).
    own: (usize, usize),
}

impl Component {
    fn block(&self, bx: usize, by: usize) -> &[i16; 64] {
        &self.blocks[by * self.stride + bx]
    }

    fn own_blocks(&self) -> impl Iterator<Item = &[i16; 64]> {
        let (w, h) = self.own;
        (0..h).flat_map(move |by| (0..w).map(move |bx| self.block(bx, by)))
    }
}

/// Y at full resolution and Cb, Cr averaged over 2x2 pixels, edges replicated, transformed and
/// quantised.
fn components(rgb: &[u8], width: u32, height: u32) -> Vec<Component> {
    let (w, h) = (width as usize, height as usize);
    let pixel = |x: usize, y: usize| {
        let at = (y.min(h - 1) * w + x.min(w - 1)) * 3;
        [0, 1, 2].map(|c| f64::from(rgb[at + c]))
    };
    let ycc = |[r, g, b]: [f64; 3]| {
        [
            0.299 * r + 0.587 * g + 0.114 * b,
            -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0,
            0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0,
        ]
    };
    let (mcus_wide, mcus_high) = (w.div_ceil(16), h.div_ceil(16));
    (0..3)
        .map(|c| {
            let factor = if c == 0 { 2 } else { 1 };
            let (stride, rows) = (mcus_wide * factor, mcus_high * factor);
            let sample = |x: usize, y: usize| {
                if c == 0 {
                    ycc(pixel(x, y))[0]
                } else {
                    let sum: f64 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                        .iter()
                        .map(|&(dx, dy)| ycc(pixel(2 * x + dx, 2 * y + dy))[c])
                        .sum();
                    sum / 4.0
                }
            };
            let quant = scaled(if c == 0 { &LUMINANCE } else { &CHROMINANCE });
            let blocks = (0..rows)
                .flat_map(|by| (0..stride).map(move |bx| (bx, by)))
                .map(|(bx, by)| {
                    let samples: Vec<f64> = (0..64)
                        .map(|i| sample(bx * 8 + i % 8, by * 8 + i / 8) - 128.0)
                        .collect();
                    forward_dct(&samples, &quant)
                })
                .collect();
            let (cw, ch) = if c == 0 {
                (w, h)
            } else {
                (w.div_ceil(2), h.div_ceil(2))
            };
            Component {
                blocks,
                stride,
                own: (cw.div_ceil(8), ch.div_ceil(8)),
            }
        })
        .collect()
}

/// The 8x8 DCT-II of `samples` (level-shifted, row by row), divided by `quant` and rounded.
fn forward_dct(samples: &[f64], quant: &[u16; 64]) -> [i16; 64] {
    let mut out = [0i16; 64];
    for v in 0..8 {
        for u in 0..8 {
            let mut sum = 0.0;
            for y in 0..8 {
                for x in 0..8 {
                    sum += samples[y * 8 + x] * cos16((2 * x + 1) * u) * cos16((2 * y + 1) * v);
                }
            }
            let scale = |k: usize| {
                if k == 0 {
                    std::f64::consts::FRAC_1_SQRT_2
                } else {
                    1.0
                }
            };
            let coefficient = 0.25 * scale(u) * scale(v) * sum;
            out[v * 8 + u] = (coefficient / f64::from(quant[v * 8 + u])).round() as i16;
        }
    }
    out
}

fn segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend([0xFF, marker]);
    out.extend(((body.len() + 2) as u16).to_be_bytes());
    out.extend(body);
}

fn quant_tables(out: &mut Vec<u8>) {
    let mut body = Vec::new();
    for (id, table) in [LUMINANCE, CHROMINANCE].iter().enumerate() {
        let table = scaled(table);
        body.push(id as u8);
        body.extend(ZIGZAG.iter().map(|&natural| table[natural] as u8));
    }
    segment(out, 0xDB, &body);
}

fn frame_header(out: &mut Vec<u8>, width: u32, height: u32, coding: Coding) {
    let mut body = vec![8];
    body.extend((height as u16).to_be_bytes());
    body.extend((width as u16).to_be_bytes());
    body.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    let marker = match coding {
        Coding::NonInterleaved => 0xC0,
        Coding::ProgressiveRefinement => 0xC2,
    };
    segment(out, marker, &body);
}

/// DC table 0: the 12 sizes, 4-bit codes. AC table 0: all 256 symbols, 255 8-bit codes and one
/// of 9 bits (canonical codes; the all-ones code stays unused).
fn huffman_tables(out: &mut Vec<u8>) {
    let mut body = vec![0x00];
    let mut counts = [0u8; 16];
    counts[3] = 12;
    body.extend(counts);
    body.extend(0..12u8);
    body.push(0x10);
    let mut counts = [0u8; 16];
    counts[7] = 255;
    counts[8] = 1;
    body.extend(counts);
    body.extend(0..=255u8);
    segment(out, 0xC4, &body);
}

fn scan_header(out: &mut Vec<u8>, components: &[usize], band: (u8, u8), (high, low): (u8, u8)) -> Bits {
    let mut body = vec![components.len() as u8];
    for &c in components {
        body.extend([c as u8 + 1, 0x00]);
    }
    body.extend([band.0, band.1, high << 4 | low]);
    segment(out, 0xDA, &body);
    Bits::default()
}

/// Entropy-coded data: bits most significant first, 0xFF followed by a stuffed 0x00.
#[derive(Default)]
struct Bits {
    data: Vec<u8>,
    buffer: u32,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u32, length: u32) {
        for i in (0..length).rev() {
            self.buffer = self.buffer << 1 | (value >> i & 1);
            self.count += 1;
            if self.count == 8 {
                let byte = self.buffer as u8;
                self.data.push(byte);
                if byte == 0xFF {
                    self.data.push(0);
                }
                self.buffer = 0;
                self.count = 0;
            }
        }
    }

    fn dc(&mut self, size: u32) {
        self.put(size, 4);
    }

    fn ac(&mut self, symbol: u32) {
        if symbol < 255 {
            self.put(symbol, 8);
        } else {
            self.put(510, 9);
        }
    }

    /// The bits of `value` after its size symbol (negative values as value - 1, JPEG F.1.2.1).
    fn magnitude(&mut self, value: i32, size: u32) {
        let bits = if value < 0 { value - 1 } else { value };
        self.put(bits as u32 & ((1 << size) - 1), size);
    }

    /// The data, its last byte padded with 1 bits.
    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            let pad = 8 - self.count;
            self.put((1 << pad) - 1, pad);
        }
        self.data
    }
}

fn size_of(value: i32) -> u32 {
    32 - value.unsigned_abs().leading_zeros()
}

fn sequential(bits: &mut Bits, component: &Component) {
    let mut predictor = 0;
    for block in component.own_blocks() {
        let dc = i32::from(block[0]);
        let diff = dc - predictor;
        predictor = dc;
        bits.dc(size_of(diff));
        bits.magnitude(diff, size_of(diff));
        ac_first(bits, block, (1, 63), 0);
    }
}

/// A DC first or refinement scan over all three components, interleaved in MCU order (2x2 luma
/// blocks, then one of each chroma): the only DC scans the script has.
fn dc_scan(bits: &mut Bits, components: &[Component], high: u8, low: u8) {
    let mut predictors = [0i32; 3];
    let mut code = |bits: &mut Bits, c: usize, block: &[i16; 64]| {
        let value = i32::from(block[0]) >> low;
        if high == 0 {
            let diff = value - predictors[c];
            predictors[c] = value;
            bits.dc(size_of(diff));
            bits.magnitude(diff, size_of(diff));
        } else {
            bits.put(value as u32 & 1, 1);
        }
    };
    let (luma, mcus_wide) = (&components[0], components[1].stride);
    for my in 0..components[1].blocks.len() / mcus_wide {
        for mx in 0..mcus_wide {
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                code(bits, 0, luma.block(2 * mx + dx, 2 * my + dy));
            }
            code(bits, 1, components[1].block(mx, my));
            code(bits, 2, components[2].block(mx, my));
        }
    }
}

/// An AC first scan's block (and a sequential block's AC part): runs, sizes and values of the
/// band at point transform `low`, each block ending with its own end-of-band.
fn ac_first(bits: &mut Bits, block: &[i16; 64], (start, end): (u8, u8), low: u8) {
    let mut run = 0;
    for k in usize::from(start)..=usize::from(end) {
        let value = i32::from(block[ZIGZAG[k]]);
        let magnitude = value.abs() >> low;
        if magnitude == 0 {
            run += 1;
            continue;
        }
        while run > 15 {
            bits.ac(0xF0);
            run -= 16;
        }
        let size = size_of(magnitude);
        bits.ac(run << 4 | size);
        bits.magnitude(if value < 0 { -magnitude } else { magnitude }, size);
        run = 0;
    }
    if run > 0 {
        bits.ac(0x00);
    }
}

/// An AC refinement scan's block (JPEG G.1.2.3, as libjpeg's encoder writes it, each block
/// ending with its own end-of-band): newly nonzero coefficients with their runs and signs, and
/// the correction bits of those already nonzero, buffered until the next symbol.
fn ac_refine(bits: &mut Bits, block: &[i16; 64], (start, end): (u8, u8), low: u8) {
    let band = usize::from(start)..=usize::from(end);
    let magnitude = |k: usize| i32::from(block[ZIGZAG[k]]).abs() >> low;
    let last_new = band.clone().filter(|&k| magnitude(k) == 1).max();
    let mut run = 0;
    let mut corrections: Vec<u32> = Vec::new();
    let flush = |bits: &mut Bits, corrections: &mut Vec<u32>| {
        for bit in corrections.drain(..) {
            bits.put(bit, 1);
        }
    };
    for k in band {
        let value = magnitude(k);
        if value == 0 {
            run += 1;
            continue;
        }
        while run > 15 && last_new.is_some_and(|last| k <= last) {
            bits.ac(0xF0);
            flush(bits, &mut corrections);
            run -= 16;
        }
        if value > 1 {
            corrections.push(value as u32 & 1);
            continue;
        }
        bits.ac(run << 4 | 1);
        bits.put(u32::from(block[ZIGZAG[k]] > 0), 1);
        flush(bits, &mut corrections);
        run = 0;
    }
    if run > 0 || !corrections.is_empty() {
        bits.ac(0x00);
        flush(bits, &mut corrections);
    }
}
