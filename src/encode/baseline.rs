//! A baseline JPEG writer of our own for the one file this crate writes: 8-bit YCbCr planes,
//! 4:4:4, 4:2:2 or 4:2:0, one interleaved scan, the quantisation tables of JPEG K.1 scaled to
//! the quality as libjpeg scales them, and the Huffman tables of K.3.
//!
//! It takes planes, so a caller holding YCbCr (a JPEG decoder's output, resized) writes them as
//! they are: no RGB round trip, no chroma averaging. Segments: SOI, JFIF APP0, DQT, SOF0, DHT,
//! SOS, the scan, EOI; nothing else. The transform and the coding are integer arithmetic, so a
//! picture gives the same bytes on every machine.

use super::entropy::{self, BitWriter, Codes};
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
        let magnitude = (value.unsigned_abs() + self.half) as u64;
        let quotient = ((magnitude * self.multiplier) >> self.shift) as i32;
        if value < 0 {
            -quotient
        } else {
            quotient
        }
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
    dc: &'a Codes,
    ac: &'a Codes,
    predictor: i32,
}

/// Writes `planes` as a baseline JPEG at `quality` (1 to 100).
pub(crate) fn encode(planes: &YccPlanes, quality: u8) -> Vec<u8> {
    let luminance = scaled(&LUMINANCE, quality);
    let chrominance = scaled(&CHROMINANCE, quality);
    let mut out = Vec::with_capacity(planes.width * planes.height / 4 + 1024);
    headers(&mut out, planes, &luminance, &chrominance);

    let luma_divisors = luminance.map(Divisor::new);
    let chroma_divisors = chrominance.map(Divisor::new);
    let (dc_luma, ac_luma) = (
        Codes::new(&entropy::DC_LUMINANCE),
        Codes::new(&entropy::AC_LUMINANCE),
    );
    let (dc_chroma, ac_chroma) = (
        Codes::new(&entropy::DC_CHROMINANCE),
        Codes::new(&entropy::AC_CHROMINANCE),
    );
    let (chroma_width, chroma_height) = planes.chroma_size();
    let chroma = |plane| Component {
        plane,
        width: chroma_width,
        height: chroma_height,
        h: 1,
        v: 1,
        divisors: &chroma_divisors,
        dc: &dc_chroma,
        ac: &ac_chroma,
        predictor: 0,
    };
    let mut components = [
        Component {
            plane: &planes.y,
            width: planes.width,
            height: planes.height,
            h: planes.h,
            v: planes.v,
            divisors: &luma_divisors,
            dc: &dc_luma,
            ac: &ac_luma,
            predictor: 0,
        },
        chroma(&planes.cb),
        chroma(&planes.cr),
    ];

    let mcus_across = planes.width.div_ceil(8 * planes.h);
    let mcus_down = planes.height.div_ceil(8 * planes.v);
    let mut bits = BitWriter::new(&mut out);
    let mut samples = [0i32; 64];
    let mut zigzag = [0i32; 64];
    for mcu_y in 0..mcus_down {
        for mcu_x in 0..mcus_across {
            for component in &mut components {
                for block_y in 0..component.v {
                    for block_x in 0..component.h {
                        let x = (mcu_x * component.h + block_x) * 8;
                        let y = (mcu_y * component.v + block_y) * 8;
                        load_block(
                            component.plane,
                            component.width,
                            component.height,
                            x,
                            y,
                            &mut samples,
                        );
                        fdct::forward(&mut samples);
                        for (k, &natural) in NATURAL_ORDER[..64].iter().enumerate() {
                            let natural = usize::from(natural);
                            zigzag[k] = component.divisors[natural].quantise(samples[natural]);
                        }
                        bits.block(&zigzag, &mut component.predictor, component.dc, component.ac);
                    }
                }
            }
        }
    }
    bits.finish();
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
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

fn headers(out: &mut Vec<u8>, planes: &YccPlanes, luminance: &[u16; 64], chrominance: &[u16; 64]) {
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
    for (class_and_id, spec) in [
        (0x00, &entropy::DC_LUMINANCE),
        (0x10, &entropy::AC_LUMINANCE),
        (0x01, &entropy::DC_CHROMINANCE),
        (0x11, &entropy::AC_CHROMINANCE),
    ] {
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
                let ours = encode(&ycc::from_rgb(&rgb, width, height, sampling), quality);
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
                    let jpeg = encode(&ycc::from_rgb(&rgb, width, height, sampling), 85);
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
        let jpeg = encode(&ycc::from_rgb(&picture(40, 30), 40, 30, (2, 2)), 85);
        let mut markers = Vec::new();
        let mut at = 2;
        while jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
            markers.push(jpeg[at + 1]);
            at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        }
        assert_eq!(markers, [0xE0, 0xDB, 0xC0, 0xC4]);
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9]);
    }
}
