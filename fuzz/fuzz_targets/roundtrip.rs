//! Structure-aware round trip: an arbitrary description (size, colour, noise, alpha, colour type,
//! bit depth, JPEG settings, EXIF orientation) is encoded here as a valid JPEG or PNG, normalized
//! to 48x32, and decoded back. It must succeed, be exactly 48x32, and keep the colour: the
//! output's mean is within 12 levels, plus the noise amplitude, of the source colour (as gray for
//! gray sources, over white for translucent ones). The noise allowance is needed because the
//! cover crop of a thin strip keeps a pixel or two, whose noise the output then shows.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use profile_image::{normalize_profile_image_with, Options, Upload};

#[derive(Debug)]
struct Picture {
    width: u32,
    height: u32,
    colour: [u8; 3],
    alpha: u8,
    noise: u8,
    seed: u64,
    orientation: u16,
    format: Format,
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Jpeg {
        quality: u8,
        sampling: u8,
        progressive: bool,
        gray: bool,
    },
    Png {
        colour_type: u8,
        sixteen: bool,
    },
}

impl<'a> Arbitrary<'a> for Picture {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let format = if u.arbitrary()? {
            Format::Jpeg {
                quality: u.int_in_range(50..=100)?,
                sampling: u.int_in_range(0..=5)?,
                progressive: u.arbitrary()?,
                gray: u.arbitrary()?,
            }
        } else {
            Format::Png {
                colour_type: u.int_in_range(0..=3)?,
                sixteen: u.arbitrary()?,
            }
        };
        Ok(Picture {
            width: u.int_in_range(1..=96)?,
            height: u.int_in_range(1..=96)?,
            colour: u.arbitrary()?,
            alpha: u.arbitrary()?,
            noise: u.int_in_range(0..=12)?,
            seed: u.arbitrary()?,
            orientation: u.int_in_range(1..=8)?,
            format,
        })
    }
}

/// Big-endian TIFF whose IFD0 holds only the orientation.
fn orientation_tiff(value: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    tiff.extend(value.to_be_bytes());
    tiff.extend([0; 6]);
    tiff
}

fn luma(c: [u8; 3]) -> u8 {
    ((299 * u32::from(c[0]) + 587 * u32::from(c[1]) + 114 * u32::from(c[2]) + 500) / 1000) as u8
}

impl Picture {
    /// Channel values with noise, `channels` per pixel, from `base`.
    fn samples(&self, base: &[u8]) -> Vec<u8> {
        let mut state = self.seed | 1;
        let mut out = Vec::with_capacity((self.width * self.height) as usize * base.len());
        let amplitude = i32::from(self.noise);
        for _ in 0..self.width * self.height {
            for &b in base {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let n = (state % (2 * amplitude as u64 + 1)) as i32 - amplitude;
                out.push((i32::from(b) + n).clamp(0, 255) as u8);
            }
        }
        out
    }

    /// The encoded file and the colour the output must show.
    fn encode(&self) -> (Vec<u8>, [u8; 3]) {
        let over_white = |c: u8| {
            ((u32::from(c) * u32::from(self.alpha) + 255 * (255 - u32::from(self.alpha)) + 127) / 255) as u8
        };
        match self.format {
            Format::Jpeg {
                quality,
                sampling,
                progressive,
                gray,
            } => {
                use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
                let mut out = Vec::new();
                let mut encoder = Encoder::new(&mut out, quality);
                encoder.set_progressive(progressive);
                encoder.set_sampling_factor(
                    [
                        SamplingFactor::F_1_1,
                        SamplingFactor::F_2_1,
                        SamplingFactor::F_2_2,
                        SamplingFactor::F_4_1,
                        SamplingFactor::F_1_2,
                        SamplingFactor::F_4_2,
                    ][usize::from(sampling)],
                );
                let mut app1 = b"Exif\0\0".to_vec();
                app1.extend(orientation_tiff(self.orientation));
                encoder.add_app_segment(1, app1).expect("small segment");
                let (base, colour_type, expected) = if gray {
                    (vec![luma(self.colour)], ColorType::Luma, [luma(self.colour); 3])
                } else {
                    (self.colour.to_vec(), ColorType::Rgb, self.colour)
                };
                encoder
                    .encode(
                        &self.samples(&base),
                        self.width as u16,
                        self.height as u16,
                        colour_type,
                    )
                    .expect("valid picture");
                (out, expected)
            }
            Format::Png { colour_type, sixteen } => {
                let g = luma(self.colour);
                let (base, kind, expected): (Vec<u8>, png::ColorType, [u8; 3]) = match colour_type {
                    0 => (vec![g], png::ColorType::Grayscale, [g; 3]),
                    1 => (
                        vec![g, self.alpha],
                        png::ColorType::GrayscaleAlpha,
                        [over_white(g); 3],
                    ),
                    2 => (self.colour.to_vec(), png::ColorType::Rgb, self.colour),
                    _ => (
                        [&self.colour[..], &[self.alpha]].concat(),
                        png::ColorType::Rgba,
                        self.colour.map(over_white),
                    ),
                };
                // Alpha gets no noise: translucency is not what this checks.
                let mut samples = self.samples(&base);
                if matches!(kind, png::ColorType::GrayscaleAlpha | png::ColorType::Rgba) {
                    let n = base.len();
                    samples
                        .iter_mut()
                        .skip(n - 1)
                        .step_by(n)
                        .for_each(|a| *a = self.alpha);
                }
                let data = if sixteen {
                    samples.iter().flat_map(|&s| [s, s]).collect()
                } else {
                    samples
                };
                let mut out = Vec::new();
                let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
                encoder.set_color(kind);
                encoder.set_depth(if sixteen {
                    png::BitDepth::Sixteen
                } else {
                    png::BitDepth::Eight
                });
                let mut writer = encoder.write_header().expect("valid header");
                writer
                    .write_chunk(
                        png::chunk::ChunkType(*b"eXIf"),
                        &orientation_tiff(self.orientation),
                    )
                    .expect("small chunk");
                writer.write_image_data(&data).expect("valid data");
                writer.finish().expect("finishes");
                (out, expected)
            }
        }
    }
}

fuzz_target!(|picture: Picture| {
    let (file, expected) = picture.encode();
    let mut options = Options::default();
    (options.width, options.height) = (48, 32);
    let jpeg = normalize_profile_image_with(Upload::new(&file), &options)
        .unwrap_or_else(|e| panic!("{picture:?}: {e:?}"));
    assert_eq!((jpeg.width(), jpeg.height()), (48, 32));
    let mut decoder = jpeg_decoder::Decoder::new(jpeg.bytes());
    let pixels = decoder.decode().expect("the output decodes");
    let info = decoder.info().expect("decoded");
    assert_eq!((info.width, info.height), (48, 32));
    assert_eq!(pixels.len(), 48 * 32 * 3);
    for (c, &want) in expected.iter().enumerate() {
        let mean = pixels
            .iter()
            .skip(c)
            .step_by(3)
            .map(|&v| u32::from(v))
            .sum::<u32>()
            / (48 * 32);
        let diff = mean.abs_diff(u32::from(want));
        assert!(
            diff <= 12 + u32::from(picture.noise),
            "{picture:?}: channel {c} mean {mean}, expected {want}"
        );
    }
});
