//! A baseline JPEG writer of our own for the one file this crate writes: 8-bit YCbCr planes,
//! 4:4:4, 4:2:2 or 4:2:0, one interleaved scan, the quantisation tables of JPEG K.1 scaled to
//! the quality as libjpeg scales them, and the Huffman tables of K.3 or ones built for the picture
//! (K.2). Optimised tables stay in one interleaved scan: zune-jpeg misreads baseline files with a
//! scan per subsampled component.
//!
//! It takes planes, so a caller holding YCbCr (a JPEG decoder's output, resized) writes them as
//! they are: no RGB round trip, no chroma averaging. Segments: SOI, JFIF APP0, DQT, SOF0, DHT,
//! SOS, the scan, EOI; nothing else. The transform and the coding are integer arithmetic, so a
//! picture gives the same bytes on every machine.

use super::entropy::{self, BitWriter, Codes, Counter, SymbolCounts, TableSpec, Writer};
use super::fdct;
use super::ycc::YccPlanes;
use crate::decode::jpeg::NATURAL_ORDER;

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

/// A table scaled to `quality` (1 to 100) as libjpeg scales it, each entry kept within 1..=255.
fn scaled(table: &[u16; 64], quality: u8) -> [u16; 64] {
    let quality = u32::from(quality.clamp(1, 100));
    let scale = if quality < 50 {
        5000 / quality
    } else {
        200 - 2 * quality
    };
    table.map(|q| ((u32::from(q) * scale + 50) / 100).clamp(1, 255) as u16)
}

/// Division by one table entry (times 8, the transform's scale) rounded to nearest, as a multiply
/// and a shift: exact for every dividend below 2^16, and the transform's outputs stay below 2^14.
#[derive(Clone, Copy)]
struct Divisor {
    half: u32,
    multiplier: u64,
    shift: u32,
}

impl Divisor {
    fn new(entry: u16) -> Divisor {
        let divisor = u64::from(entry) * 8;
        // ceil(log2(divisor)) extra bits beyond the 16 of the dividend (JPEG's values need 14).
        let extra = 64 - (divisor - 1).leading_zeros();
        let shift = 16 + extra;
        Divisor {
            half: (divisor / 2) as u32,
            multiplier: (1u64 << shift).div_ceil(divisor),
            shift,
        }
    }

    #[inline(always)]
    fn quantise(self, value: i32) -> i32 {
        // Without a branch on the sign, which is as good as random: `sign` is 0 or -1, and
        // `(x ^ sign) - sign` negates x where it is -1.
        let sign = value >> 31;
        let magnitude = (((value ^ sign) - sign) as u32 + self.half) as u64;
        let quotient = ((magnitude * self.multiplier) >> self.shift) as i32;
        (quotient ^ sign) - sign
    }
}

/// One component as the scan interleaves it.
struct Component<'a> {
    plane: &'a [u8],
    width: usize,
    height: usize,
    /// Blocks per MCU across and down.
    h: usize,
    v: usize,
    divisors: &'a [Divisor; 64],
    /// Its pair of Huffman tables (DC, AC): 0 for luma, 1 for chroma (Cb and Cr share theirs).
    tables: usize,
}

impl Component<'_> {
    /// The block at (x, y) transformed and quantised, zigzag order.
    #[inline(always)]
    fn quantised_block(&self, x: usize, y: usize) -> [i16; 64] {
        let mut samples = [0i32; 64];
        load_block(self.plane, self.width, self.height, x, y, &mut samples);
        fdct::forward(&mut samples);
        let mut zigzag = [0i16; 64];
        for (k, &natural) in NATURAL_ORDER[..64].iter().enumerate() {
            let natural = usize::from(natural);
            // Well within i16: the transform's outputs stay below 2^14, the divisors are 8 or more.
            zigzag[k] = self.divisors[natural].quantise(samples[natural]) as i16;
        }
        zigzag
    }
}

/// Writes `planes` as a baseline JPEG at `quality` (1 to 100), with the Huffman tables of K.3 or,
/// when `optimize_huffman`, with tables built for the picture (a second pass over its quantised
/// blocks, which it keeps: 128 bytes per block).
pub(crate) fn encode(planes: &YccPlanes, quality: u8, optimize_huffman: bool) -> Vec<u8> {
    let luminance = scaled(&LUMINANCE, quality);
    let chrominance = scaled(&CHROMINANCE, quality);
    let luma_divisors = luminance.map(Divisor::new);
    let chroma_divisors = chrominance.map(Divisor::new);
    let (chroma_width, chroma_height) = planes.chroma_size();
    let chroma = |plane| Component {
        plane,
        width: chroma_width,
        height: chroma_height,
        h: 1,
        v: 1,
        divisors: &chroma_divisors,
        tables: 1,
    };
    let components = [
        Component {
            plane: &planes.y,
            width: planes.width,
            height: planes.height,
            h: planes.h,
            v: planes.v,
            divisors: &luma_divisors,
            tables: 0,
        },
        chroma(&planes.cb),
        chroma(&planes.cr),
    ];
    let scan = Scan {
        components,
        mcus_across: planes.width.div_ceil(8 * planes.h),
        mcus_down: planes.height.div_ceil(8 * planes.v),
    };

    let mut out = Vec::with_capacity(planes.width * planes.height / 4 + 1024);
    if optimize_huffman {
        // First pass: the blocks quantised and kept, their symbols counted as the second pass
        // codes them.
        let mut counts: [[SymbolCounts; 2]; 2] = Default::default();
        let mut blocks = Vec::with_capacity(scan.blocks());
        let mut predictors = [0; 3];
        scan.each_block(|index, component, x, y| {
            let block = component.quantised_block(x, y);
            let [dc, ac] = &mut counts[component.tables];
            entropy::code_block(&block, &mut predictors[index], &mut Counter { dc, ac });
            blocks.push(block);
        });
        let [[dc_luma, ac_luma], [dc_chroma, ac_chroma]] = counts.map(|pair| pair.map(|c| c.table()));
        let tables = [dc_luma.spec(), ac_luma.spec(), dc_chroma.spec(), ac_chroma.spec()];
        headers(&mut out, planes, &luminance, &chrominance, &tables);
        let mut stored = blocks.iter();
        scan.write(&mut out, &tables, |_, _, _| {
            *stored
                .next()
                .expect("the second pass visits the blocks of the first")
        });
        debug_assert!(stored.next().is_none(), "and no more");
    } else {
        let tables = [
            entropy::DC_LUMINANCE,
            entropy::AC_LUMINANCE,
            entropy::DC_CHROMINANCE,
            entropy::AC_CHROMINANCE,
        ];
        headers(&mut out, planes, &luminance, &chrominance, &tables);
        scan.write(&mut out, &tables, Component::quantised_block);
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// The interleaved scan's components and its MCUs.
struct Scan<'a> {
    components: [Component<'a>; 3],
    mcus_across: usize,
    mcus_down: usize,
}

impl<'a> Scan<'a> {
    fn blocks(&self) -> usize {
        let per_mcu: usize = self.components.iter().map(|c| c.h * c.v).sum();
        self.mcus_across * self.mcus_down * per_mcu
    }

    /// Calls `visit` on each block in the scan's order (JPEG A.2.3: MCU by MCU; in each, the
    /// components in turn, their blocks left to right, top to bottom) with the component's index,
    /// the component and the block's position in its plane.
    #[inline(always)]
    fn each_block(&self, mut visit: impl FnMut(usize, &Component<'a>, usize, usize)) {
        for mcu_y in 0..self.mcus_down {
            for mcu_x in 0..self.mcus_across {
                for (index, component) in self.components.iter().enumerate() {
                    for block_y in 0..component.v {
                        for block_x in 0..component.h {
                            let x = (mcu_x * component.h + block_x) * 8;
                            let y = (mcu_y * component.v + block_y) * 8;
                            visit(index, component, x, y);
                        }
                    }
                }
            }
        }
    }

    /// Appends the entropy-coded scan: each block as `block` gives it, coded with `tables` (DC
    /// and AC for luma, then for chroma).
    fn write(
        &self,
        out: &mut Vec<u8>,
        tables: &[TableSpec; 4],
        mut block: impl FnMut(&Component<'a>, usize, usize) -> [i16; 64],
    ) {
        let codes = [
            [Codes::new(&tables[0]), Codes::new(&tables[1])],
            [Codes::new(&tables[2]), Codes::new(&tables[3])],
        ];
        let mut bits = BitWriter::new(out);
        let mut predictors = [0; 3];
        self.each_block(|index, component, x, y| {
            let block = block(component, x, y);
            let [dc, ac] = &codes[component.tables];
            let mut writer = Writer {
                bits: &mut bits,
                dc,
                ac,
            };
            entropy::code_block(&block, &mut predictors[index], &mut writer);
        });
        bits.finish();
    }
}

/// The 8x8 block at (x, y), level-shifted; past the plane's right and bottom edges its last
/// column and row repeat, as libjpeg pads (smoother than zeros, so cheaper to code).
#[inline(always)]
fn load_block(plane: &[u8], width: usize, height: usize, x: usize, y: usize, block: &mut [i32; 64]) {
    for row in 0..8 {
        let line = &plane[(y + row).min(height - 1) * width..][..width];
        let target = &mut block[row * 8..row * 8 + 8];
        if x + 8 <= width {
            for (out, &sample) in target.iter_mut().zip(&line[x..x + 8]) {
                *out = i32::from(sample) - 128;
            }
        } else {
            for (column, out) in target.iter_mut().enumerate() {
                *out = i32::from(line[(x + column).min(width - 1)]) - 128;
            }
        }
    }
}

fn segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(body);
}

/// The segments before the scan; `tables` are DC and AC for luma, then for chroma.
fn headers(
    out: &mut Vec<u8>,
    planes: &YccPlanes,
    luminance: &[u16; 64],
    chrominance: &[u16; 64],
    tables: &[TableSpec; 4],
) {
    out.extend_from_slice(&[0xFF, 0xD8]);
    // JFIF 1.01, no units, 1:1 pixel aspect, no thumbnail.
    segment(out, 0xE0, &[b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    let mut dqt = Vec::with_capacity(130);
    for (id, table) in [luminance, chrominance].into_iter().enumerate() {
        dqt.push(id as u8);
        dqt.extend(
            NATURAL_ORDER[..64]
                .iter()
                .map(|&natural| table[usize::from(natural)] as u8),
        );
    }
    segment(out, 0xDB, &dqt);
    let (width, height) = (planes.width as u16, planes.height as u16);
    let sampling = (planes.h << 4 | planes.v) as u8;
    let mut sof = vec![8];
    sof.extend_from_slice(&height.to_be_bytes());
    sof.extend_from_slice(&width.to_be_bytes());
    sof.extend_from_slice(&[3, 1, sampling, 0, 2, 0x11, 1, 3, 0x11, 1]);
    segment(out, 0xC0, &sof);
    let mut dht = Vec::with_capacity(420);
    for (class_and_id, spec) in [0x00, 0x10, 0x01, 0x11].into_iter().zip(tables) {
        dht.push(class_and_id);
        dht.extend_from_slice(&spec.counts);
        dht.extend_from_slice(spec.symbols);
    }
    segment(out, 0xC4, &dht);
    segment(out, 0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

#[cfg(test)]
mod tests {
    use super::super::ycc;
    use super::*;

    #[test]
    fn quantisation_rounds_to_nearest_like_a_division() {
        for entry in [1u16, 2, 3, 7, 16, 99, 100, 255] {
            let divisor = Divisor::new(entry);
            let d = i32::from(entry) * 8;
            for value in -16383i32..=16383 {
                let magnitude = (value.abs() + d / 2) / d;
                let expected = if value < 0 { -magnitude } else { magnitude };
                assert_eq!(divisor.quantise(value), expected, "{value} / {d}");
            }
        }
    }

    #[test]
    fn quality_scales_the_tables_as_libjpeg_does() {
        assert_eq!(scaled(&LUMINANCE, 50), LUMINANCE);
        assert_eq!(scaled(&LUMINANCE, 100), [1; 64]);
        assert_eq!(scaled(&LUMINANCE, 85)[0], 5); // 16 x 30% = 4.8
        assert_eq!(scaled(&CHROMINANCE, 1)[63], 255);
    }

    /// A photo-like test picture: gradients, a sharp-edged disc and a fine pattern.
    fn picture(width: usize, height: usize) -> Vec<u8> {
        let mut rgb = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            for x in 0..width {
                let (fx, fy) = (x as f64 / width as f64, y as f64 / height as f64);
                let inside = (fx - 0.5).powi(2) + (fy - 0.5).powi(2) < 0.08;
                let stripe = if (x / 3 + y / 5) % 2 == 0 { 20.0 } else { 0.0 };
                let r = if inside { 230.0 } else { 40.0 + 180.0 * fx + stripe };
                let g = if inside { 60.0 } else { 200.0 * fy };
                let b = 120.0 + 100.0 * (fx * 7.0).sin() * (fy * 5.0).cos();
                rgb.extend([r, g, b].map(|c| c.clamp(0.0, 255.0) as u8));
            }
        }
        rgb
    }

    fn decode(jpeg: &[u8]) -> (Vec<u8>, usize, usize) {
        let mut decoder = jpeg_decoder::Decoder::new(jpeg);
        let pixels = decoder.decode().expect("jpeg-decoder reads our output");
        let info = decoder.info().unwrap();
        (pixels, usize::from(info.width), usize::from(info.height))
    }

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let mse = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum::<f64>()
            / a.len() as f64;
        10.0 * (255.0f64.powi(2) / mse).log10()
    }

    #[test]
    fn the_output_decodes_as_the_picture_as_well_as_jpeg_encoders_does() {
        use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};
        let (width, height) = (203, 157);
        let rgb = picture(width, height);
        for (sampling, factor) in [
            ((1, 1), SamplingFactor::R_4_4_4),
            ((2, 1), SamplingFactor::R_4_2_2),
            ((2, 2), SamplingFactor::R_4_2_0),
        ] {
            for quality in [50u8, 85, 100] {
                let ours = encode(&ycc::from_rgb(&rgb, width, height, sampling), quality, false);
                let mut theirs = Vec::new();
                let mut encoder = Encoder::new(&mut theirs, quality);
                encoder.set_sampling_factor(factor);
                encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
                encoder
                    .encode(&rgb, width as u16, height as u16, ColorType::Rgb)
                    .unwrap();

                let (decoded, w, h) = decode(&ours);
                assert_eq!((w, h), (width, height));
                // zune-jpeg (through the image crate) reads it too, to the same picture.
                let zune = image::load_from_memory(&ours)
                    .expect("zune-jpeg reads our output")
                    .to_rgb8();
                assert_eq!(zune.dimensions(), (width as u32, height as u32));
                assert!(
                    psnr(zune.as_raw(), &decoded) > 40.0,
                    "{sampling:?} q{quality}: zune-jpeg disagrees"
                );
                let (reference, _, _) = decode(&theirs);
                let (ours_db, theirs_db) = (psnr(&decoded, &rgb), psnr(&reference, &rgb));
                let ratio = ours.len() as f64 / theirs.len() as f64;
                println!("{sampling:?} q{quality}: {ours_db:.2} dB, {} bytes; jpeg-encoder {theirs_db:.2} dB, {} bytes", ours.len(), theirs.len());
                assert!(
                    ours_db > theirs_db - 0.1,
                    "{sampling:?} q{quality}: {ours_db} vs {theirs_db} dB"
                );
                assert!(
                    (0.97..1.03).contains(&ratio),
                    "{sampling:?} q{quality}: {ratio} of the bytes"
                );
            }
        }
    }

    #[test]
    fn every_small_size_and_uniform_colours_survive_exactly() {
        for sampling in [(1, 1), (2, 1), (2, 2)] {
            for width in 1..=18 {
                for height in [1, 2, 7, 8, 9, 16, 17] {
                    let colour = [200u8, 30, 90];
                    let rgb = colour.repeat(width * height);
                    let jpeg = encode(&ycc::from_rgb(&rgb, width, height, sampling), 85, false);
                    let (decoded, w, h) = decode(&jpeg);
                    assert_eq!((w, h), (width, height));
                    for pixel in decoded.chunks_exact(3) {
                        for (got, want) in pixel.iter().zip(colour) {
                            assert!(
                                got.abs_diff(want) <= 2,
                                "{sampling:?} {width}x{height}: {pixel:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_file_has_only_the_baseline_segments() {
        for optimize_huffman in [false, true] {
            let jpeg = encode(
                &ycc::from_rgb(&picture(40, 30), 40, 30, (2, 2)),
                85,
                optimize_huffman,
            );
            let mut markers = Vec::new();
            let mut at = 2;
            while jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
                markers.push(jpeg[at + 1]);
                at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            }
            assert_eq!(markers, [0xE0, 0xDB, 0xC0, 0xC4]);
            assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
            assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9]);
            // One scan, all three components in it (the coded data stuffs every FF it holds).
            assert_eq!(jpeg.windows(2).filter(|w| w == &[0xFF, 0xDA]).count(), 1);
            assert_eq!(jpeg[at + 4], 3);
        }
    }

    #[test]
    fn optimised_tables_give_the_same_pixels_in_fewer_bytes() {
        for (width, height) in [(203, 157), (1, 1), (17, 9)] {
            let rgb = picture(width, height);
            for sampling in [(1, 1), (2, 1), (2, 2)] {
                let planes = ycc::from_rgb(&rgb, width, height, sampling);
                for quality in [1u8, 50, 85, 100] {
                    let standard = encode(&planes, quality, false);
                    let optimised = encode(&planes, quality, true);
                    let what = format!("{width}x{height} {sampling:?} q{quality}");
                    assert_ne!(standard, optimised, "{what}");
                    // The coding is lossless: the same coefficients, so the same pixels.
                    assert_eq!(decode(&optimised), decode(&standard), "{what}");
                    let zune = |jpeg| {
                        image::load_from_memory(jpeg)
                            .expect("zune-jpeg reads it")
                            .to_rgb8()
                    };
                    assert_eq!(zune(&optimised), zune(&standard), "{what}: zune-jpeg");
                    if width > 100 {
                        println!(
                            "{what}: {} bytes, {} with K.3's tables",
                            optimised.len(),
                            standard.len()
                        );
                        assert!(
                            optimised.len() * 100 < standard.len() * 97,
                            "{what}: {} bytes against {}",
                            optimised.len(),
                            standard.len()
                        );
                    }
                }
            }
        }
    }
}
