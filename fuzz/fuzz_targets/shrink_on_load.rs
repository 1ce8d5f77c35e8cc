//! Differential: the same JPEG normalized with DCT-domain scaling (the default for large JPEGs)
//! and decoded at full size must agree. The input is a smooth picture (a bilinear blend of four
//! corner colours) of 128 to 640 pixels a side, so that scaling to 1/2, 1/4 or 1/8 is chosen for
//! the 64x64 target; both outputs are decoded and must differ by at most 6 levels on average and
//! 40 at any pixel.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use profile_image::fuzzing::normalize_without_shrink_on_load;
use profile_image::{normalize_profile_image_with, Options, Upload};

#[derive(Debug)]
struct Smooth {
    width: u16,
    height: u16,
    corners: [[u8; 3]; 4],
    quality: u8,
    sampling: u8,
    progressive: bool,
}

impl<'a> Arbitrary<'a> for Smooth {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Smooth {
            width: u.int_in_range(128..=640)?,
            height: u.int_in_range(128..=640)?,
            corners: u.arbitrary()?,
            quality: u.int_in_range(60..=100)?,
            sampling: u.int_in_range(0..=3)?,
            progressive: u.arbitrary()?,
        })
    }
}

fn decode(jpeg: &[u8]) -> Vec<u8> {
    jpeg_decoder::Decoder::new(jpeg)
        .decode()
        .expect("the output decodes")
}

fuzz_target!(|smooth: Smooth| {
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
    let (w, h) = (u32::from(smooth.width), u32::from(smooth.height));
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let [a, b, d, e] = smooth.corners.map(|k| u32::from(k[c]));
                let top = a * (w - 1 - x) + b * x;
                let bottom = d * (w - 1 - x) + e * x;
                let v = (top * (h - 1 - y) + bottom * y) / ((w - 1) * (h - 1));
                pixels.push(v as u8);
            }
        }
    }
    let mut file = Vec::new();
    let mut encoder = Encoder::new(&mut file, smooth.quality);
    encoder.set_progressive(smooth.progressive);
    encoder.set_sampling_factor(
        [
            SamplingFactor::F_1_1,
            SamplingFactor::F_2_1,
            SamplingFactor::F_2_2,
            SamplingFactor::F_4_1,
        ][usize::from(smooth.sampling)],
    );
    encoder
        .encode(&pixels, smooth.width, smooth.height, ColorType::Rgb)
        .expect("valid picture");

    let mut options = Options::default();
    (options.width, options.height) = (64, 64);
    let scaled = normalize_profile_image_with(Upload::new(&file), &options).expect("valid JPEG");
    let full = normalize_without_shrink_on_load(Upload::new(&file), &options).expect("valid JPEG");
    let (a, b) = (decode(scaled.bytes()), decode(full.bytes()));
    assert_eq!(a.len(), b.len());
    let total: u64 = a.iter().zip(&b).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    let mean = total as f64 / a.len() as f64;
    let worst = a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0);
    assert!(
        mean <= 6.0 && worst <= 40,
        "{smooth:?}: mean difference {mean:.2}, worst {worst}"
    );
});
