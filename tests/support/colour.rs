//! The colour oracle shared by the fixture generator (for reference pictures) and the pipeline
//! tests: the sRGB transfer curve and the published conversions of Display P3, Adobe RGB (1998)
//! and pure power-law encodings to sRGB, in floating point. Written from the specifications,
//! sharing nothing with the pipeline (which converts with moxcms).
#![allow(dead_code)]

/// RGB colour spaces with a published conversion to sRGB.
#[derive(Clone, Copy)]
pub enum Space {
    DisplayP3,
    AdobeRgb,
}

/// A colour in `space` as sRGB, clipped to its gamut: the published D65 matrices from linear
/// Display P3 and Adobe RGB (1998) to linear sRGB; P3 uses the sRGB curve, Adobe RGB a pure
/// power of 563/256.
pub fn to_srgb(colour: [u8; 3], space: Space) -> [u8; 3] {
    const P3_TO_SRGB: [[f64; 3]; 3] = [
        [1.224_940, -0.224_940, 0.0],
        [-0.042_057, 1.042_057, 0.0],
        [-0.019_638, -0.078_636, 1.098_274],
    ];
    const ADOBE_TO_SRGB: [[f64; 3]; 3] = [
        [1.398_283, -0.398_283, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, -0.042_930, 1.042_930],
    ];
    let (linear, m) = match space {
        Space::DisplayP3 => (colour.map(srgb_to_linear), P3_TO_SRGB),
        Space::AdobeRgb => (
            colour.map(|c| (f64::from(c) / 255.0).powf(563.0 / 256.0)),
            ADOBE_TO_SRGB,
        ),
    };
    [0, 1, 2].map(|r| linear_to_srgb(m[r][0] * linear[0] + m[r][1] * linear[1] + m[r][2] * linear[2]))
}

/// A value encoded with a pure power-law `gamma` (as a gray profile or a PNG gAMA chunk says),
/// re-encoded with the sRGB curve.
pub fn gamma_to_srgb(value: u8, gamma: f64) -> u8 {
    linear_to_srgb((f64::from(value) / 255.0).powf(gamma))
}

pub fn srgb_to_linear(value: u8) -> f64 {
    let v = f64::from(value) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

pub fn linear_to_srgb(linear: f64) -> u8 {
    let v = linear.clamp(0.0, 1.0);
    let encoded = if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    };
    (encoded * 255.0).round() as u8
}
