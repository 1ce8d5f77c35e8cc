//! Colour: every picture leaves this stage as sRGB, RGB or RGBA.
//!
//! Input: resized pixels (any channels) and the source's [`ColorSource`]. Output: RGB or RGBA
//! pixels in sRGB and what was done, as a [`ColorConversion`]. No error codes: a profile that
//! does not parse, or does not fit the pixels, falls back to treating the pixels as sRGB, because
//! a slightly off colour is better than refusing a person's photo.
//!
//! The conversion runs after the resize, on the 1.44 megapixels of the target rather than on the
//! source's tens of megapixels; the difference of resizing in the source's encoding instead of in
//! sRGB's is far below what a JPEG at quality 85 keeps. Conversions use moxcms, a pure-Rust colour
//! management engine (matrix/shaper and LUT profiles, gray and CMYK), with relative colorimetric
//! intent, the usual choice for photos between display spaces.

use moxcms::{
    CicpColorPrimaries, CicpProfile, ColorPrimaries, ColorProfile, DataColorSpace, Layout,
    MatrixCoefficients, TransferCharacteristics, TransformOptions, XyY,
};

use crate::decode::ColorSource;
use crate::pixels::{Channels, Pixels};

/// What the colour stage did, for the caller's logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColorConversion {
    /// The source said nothing about its colours; they were taken as sRGB.
    AssumedSrgb,
    /// The source declared sRGB; nothing to convert.
    Srgb,
    /// An ICC profile, cICP or gAMA/cHRM description was converted to sRGB.
    Converted,
    /// The source's colour description was unusable and sRGB was assumed instead.
    InvalidProfileIgnored,
}

/// Converts to sRGB RGB (or RGBA when there is alpha).
pub(crate) fn to_srgb(pixels: Pixels, source: &ColorSource) -> (Pixels, ColorConversion) {
    let (profile, outcome) = match source_profile(source) {
        Described::Nothing => (None, ColorConversion::AssumedSrgb),
        Described::Srgb => (None, ColorConversion::Srgb),
        Described::Invalid => (None, ColorConversion::InvalidProfileIgnored),
        Described::Profile(profile) => (Some(profile), ColorConversion::Converted),
    };
    if let Some(profile) = profile {
        match convert(&pixels, &profile) {
            Some(converted) => return (converted, outcome),
            None => return (without_profile(pixels), ColorConversion::InvalidProfileIgnored),
        }
    }
    (without_profile(pixels), outcome)
}

/// Whether the source's colours are sRGB already (said so, or said nothing), so that no
/// conversion will run and the pixels may be composited in their own encoding before resizing.
pub(crate) fn is_srgb(source: &ColorSource) -> bool {
    // An ICC profile is converted even if it describes sRGB: parsing it here would cost as much.
    !matches!(source, ColorSource::Icc(_))
        && matches!(source_profile(source), Described::Nothing | Described::Srgb)
}

enum Described {
    Nothing,
    Srgb,
    Invalid,
    Profile(Box<ColorProfile>),
}

fn source_profile(source: &ColorSource) -> Described {
    match source {
        ColorSource::Unspecified => Described::Nothing,
        ColorSource::Srgb => Described::Srgb,
        ColorSource::Icc(bytes) => match ColorProfile::new_from_slice(bytes) {
            Ok(profile) => Described::Profile(Box::new(profile)),
            Err(_) => Described::Invalid,
        },
        ColorSource::Cicp { primaries, transfer } => cicp_profile(*primaries, *transfer),
        ColorSource::Gamma {
            gamma,
            chromaticities,
        } => gamma_profile(*gamma, *chromaticities),
    }
}

fn cicp_profile(primaries: u8, transfer: u8) -> Described {
    // BT.709 primaries with the sRGB transfer is sRGB itself.
    if (primaries, transfer) == (1, 13) {
        return Described::Srgb;
    }
    let (Ok(color_primaries), Ok(transfer_characteristics)) = (
        CicpColorPrimaries::try_from(primaries),
        TransferCharacteristics::try_from(transfer),
    ) else {
        return Described::Invalid;
    };
    let cicp = CicpProfile {
        color_primaries,
        transfer_characteristics,
        matrix_coefficients: MatrixCoefficients::Identity,
        full_range: true,
    };
    Described::Profile(Box::new(ColorProfile::new_from_cicp(cicp)))
}

/// gAMA holds the encoding exponent (0.45455 for a 2.2 display gamma); cHRM the chromaticities.
fn gamma_profile(gamma: f32, chromaticities: Option<[(f32, f32); 4]>) -> Described {
    if !(0.01..=10.0).contains(&gamma) {
        return Described::Invalid;
    }
    // gAMA 1/2.2 without cHRM is what sRGB-producing tools write next to (or instead of) an sRGB
    // chunk; browsers show it as sRGB, and so do we.
    if chromaticities.is_none() && (gamma - 1.0 / 2.2).abs() < 0.005 {
        return Described::Srgb;
    }
    let mut profile = ColorProfile::new_srgb();
    if let Some([white, red, green, blue]) = chromaticities {
        let chromaticity = |(x, y): (f32, f32)| moxcms::Chromaticity::new(x, y);
        if [white, red, green, blue]
            .iter()
            .any(|&(x, y)| !(x > 0.0 && y > 0.0 && x + y <= 1.0))
        {
            return Described::Invalid;
        }
        let primaries = ColorPrimaries {
            red: chromaticity(red),
            green: chromaticity(green),
            blue: chromaticity(blue),
        };
        let white = XyY {
            x: f64::from(white.0),
            y: f64::from(white.1),
            yb: 1.0,
        };
        profile.update_rgb_colorimetry(white, primaries);
    }
    let curve = moxcms::curve_from_gamma(1.0 / gamma);
    profile.red_trc = Some(curve.clone());
    profile.green_trc = Some(curve.clone());
    profile.blue_trc = Some(curve);
    profile.cicp = None;
    Described::Profile(Box::new(profile))
}

/// Runs the transform; `None` when the profile does not fit the pixels (an RGB profile on a
/// gray JPEG, say) or moxcms refuses it.
fn convert(pixels: &Pixels, profile: &ColorProfile) -> Option<Pixels> {
    let (src_layout, dst_layout, dst_channels) = match (pixels.channels, profile.color_space) {
        (Channels::Gray, DataColorSpace::Gray) => (Layout::Gray, Layout::Rgb, Channels::Rgb),
        (Channels::GrayAlpha, DataColorSpace::Gray) => (Layout::GrayAlpha, Layout::Rgba, Channels::Rgba),
        (Channels::Rgb, DataColorSpace::Rgb) => (Layout::Rgb, Layout::Rgb, Channels::Rgb),
        (Channels::Rgba, DataColorSpace::Rgb) => (Layout::Rgba, Layout::Rgba, Channels::Rgba),
        (Channels::Cmyk, DataColorSpace::Cmyk) => (Layout::Rgba, Layout::Rgb, Channels::Rgb),
        _ => return None,
    };
    let srgb = ColorProfile::new_srgb();
    let transform = profile
        .create_transform_8bit(src_layout, &srgb, dst_layout, TransformOptions::default())
        .ok()?;
    let len = pixels.width as usize * pixels.height as usize * dst_channels.count();
    let mut data = vec![0u8; len];
    transform.transform(&pixels.data, &mut data).ok()?;
    Pixels::new(pixels.width, pixels.height, dst_channels, data)
}

/// sRGB assumed: gray is replicated, CMYK inks are subtracted from white (the naive conversion,
/// used only when no CMYK profile came with the file).
fn without_profile(pixels: Pixels) -> Pixels {
    let (channels, data) = match pixels.channels {
        Channels::Rgb | Channels::Rgba => return pixels,
        Channels::Gray => (
            Channels::Rgb,
            pixels.data.iter().flat_map(|&v| [v, v, v]).collect(),
        ),
        Channels::GrayAlpha => (
            Channels::Rgba,
            pixels
                .data
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
        ),
        Channels::Cmyk => (
            Channels::Rgb,
            pixels
                .data
                .chunks_exact(4)
                .flat_map(|p| {
                    let white = |ink: u8| ((255 - u16::from(ink)) * (255 - u16::from(p[3])) + 127) / 255;
                    [white(p[0]) as u8, white(p[1]) as u8, white(p[2]) as u8]
                })
                .collect(),
        ),
    };
    Pixels {
        width: pixels.width,
        height: pixels.height,
        channels,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(channels: Channels, px: &[u8]) -> Pixels {
        Pixels::new(1, 1, channels, px.to_vec()).unwrap()
    }

    #[test]
    fn naive_cmyk_subtracts_ink_from_white() {
        let (out, outcome) = to_srgb(one(Channels::Cmyk, &[255, 0, 0, 0]), &ColorSource::Unspecified);
        assert_eq!(
            (out.data, outcome),
            (vec![0, 255, 255], ColorConversion::AssumedSrgb)
        );
        let (out, _) = to_srgb(one(Channels::Cmyk, &[0, 0, 0, 255]), &ColorSource::Unspecified);
        assert_eq!(out.data, vec![0, 0, 0]);
    }

    #[test]
    fn garbage_profile_falls_back_to_srgb() {
        let (out, outcome) = to_srgb(one(Channels::Rgb, &[1, 2, 3]), &ColorSource::Icc(vec![0xA5; 300]));
        assert_eq!(
            (out.data, outcome),
            (vec![1, 2, 3], ColorConversion::InvalidProfileIgnored)
        );
    }

    #[test]
    fn gray_with_gray_profile_becomes_rgb() {
        // A linear gray profile: 50% linear light is sRGB 188, far from an unconverted 128.
        let icc = ColorProfile::new_gray_with_gamma(1.0).encode().unwrap();
        let (out, outcome) = to_srgb(one(Channels::Gray, &[128]), &ColorSource::Icc(icc));
        assert_eq!(outcome, ColorConversion::Converted);
        assert_eq!(out.channels, Channels::Rgb);
        assert!(out.data[0] == out.data[1] && out.data[1] == out.data[2]);
        assert!((i32::from(out.data[0]) - 188).abs() <= 2, "{:?}", out.data);
    }

    #[test]
    fn cicp_display_p3_is_converted_and_cicp_srgb_is_left_alone() {
        // Primaries 12 (P3-D65) with the sRGB transfer (13): P3 (180, 80, 60) is sRGB (194, 72, 54).
        let source = ColorSource::Cicp {
            primaries: 12,
            transfer: 13,
        };
        let (out, outcome) = to_srgb(one(Channels::Rgb, &[180, 80, 60]), &source);
        assert_eq!(outcome, ColorConversion::Converted);
        let expected = [194, 72, 54];
        assert!(
            out.data
                .iter()
                .zip(expected)
                .all(|(&a, e)| (i32::from(a) - e).abs() <= 2),
            "{:?}",
            out.data
        );

        let srgb = ColorSource::Cicp {
            primaries: 1,
            transfer: 13,
        };
        assert_eq!(
            to_srgb(one(Channels::Rgb, &[1, 2, 3]), &srgb),
            (one(Channels::Rgb, &[1, 2, 3]), ColorConversion::Srgb)
        );
    }

    #[test]
    fn linear_gamma_png_is_brightened() {
        // Linear 50% gray is sRGB 188.
        let (out, outcome) = to_srgb(
            one(Channels::Rgb, &[128, 128, 128]),
            &ColorSource::Gamma {
                gamma: 1.0,
                chromaticities: None,
            },
        );
        assert_eq!(outcome, ColorConversion::Converted);
        assert!((i32::from(out.data[0]) - 188).abs() <= 2, "{:?}", out.data);
    }
}
