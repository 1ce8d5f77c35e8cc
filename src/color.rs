//! Colour: every picture leaves this stage as sRGB, RGB or RGBA.
//!
//! Input: pixels (any channels) and the [`Conversion`] prepared from the source's
//! [`ColorSource`] when the input was planned. Output: RGB or RGBA pixels in sRGB; the
//! conversion's [`ColorConversion`] says what was done. No error codes but
//! `image.internal_error`: a profile that does not parse, or does not fit the pixels, falls back
//! to treating the pixels as sRGB, because a slightly off colour is better than refusing a
//! person's photo.
//!
//! Conversions use moxcms, a pure-Rust colour management engine (matrix/shaper and LUT profiles,
//! gray and CMYK), with relative colorimetric intent, the usual choice for photos between display
//! spaces. Where the conversion runs (before the resize, on the source, or after it, on the
//! target) is the plan's choice, made from [`Conversion::far_from_srgb`] and the sizes: see
//! `plan`. Either way it runs in place, a slice of rows at a time, so no second picture of the
//! source's size is ever made.

use std::sync::Arc;

use moxcms::{
    CicpColorPrimaries, CicpProfile, ColorPrimaries, ColorProfile, DataColorSpace, Layout,
    MatrixCoefficients, TransferCharacteristics, TransformExecutor, TransformOptions, XyY,
};

use crate::decode::ColorSource;
use crate::error::ValidationError;
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

/// How far (in 8-bit levels) a neutral ramp may move through the source-to-sRGB conversion
/// before converting after the resize is visibly wrong. A resize blends neighbours; blended in
/// the source's encoding and then converted, a blend is off by up to the curve's bow against a
/// straight line, which is what the ramp measures. Ramps through moxcms: Display P3 0 levels
/// (the sRGB curve), Adobe RGB and a gray gamma 2.2 profile 9 (a pure power has no linear toe),
/// gAMA 1/2.4 13, BT.2020 16 (gamma-2.2-like: after the resize); ProPhoto RGB and gAMA 1/1.8 19,
/// gAMA 1.0 73 (before it). The README's colour section has the measured difference of the two
/// orders per fixture.
const FAR_FROM_SRGB_LEVELS: u8 = 16;

/// Pixels converted per call of a moxcms transform: the slice is copied aside first, so that
/// the result can be written over the source in place. 64 KiB of CMYK or RGBA at most.
const SLICE_PIXELS: usize = 16 * 1024;

/// The conversion to sRGB of one source, prepared once from its header: the profile parsed, the
/// transform built and tried on a neutral ramp.
pub(crate) struct Conversion {
    kind: Kind,
    outcome: ColorConversion,
    /// Largest move of a neutral ramp (0 to 255, every channel) through the conversion.
    ramp_deviation: u8,
}

enum Kind {
    /// The samples are sRGB already, or taken as such: gray is only replicated to RGB.
    AsIs,
    /// A gray profile: one table for the 256 levels (the gray channel of a gray+alpha picture).
    GrayTable(Box<[u8; 256]>),
    /// RGB or RGBA through a moxcms transform, the layout kept; `lut` when the profile is
    /// table-based (A2B tags), whose curves no ramp summarises.
    Rgb {
        transform: Arc<dyn TransformExecutor<u8> + Send + Sync>,
        lut: bool,
    },
    /// CMYK inks through a CMYK profile, to RGB.
    CmykProfile(Arc<dyn TransformExecutor<u8> + Send + Sync>),
    /// CMYK inks without a (usable) profile: each ink subtracted from white.
    NaiveCmyk,
}

impl Conversion {
    /// Prepares the conversion of pixels laid out as `channels` described by `source`.
    pub(crate) fn new(source: &ColorSource, channels: Channels) -> Conversion {
        let (profile, outcome) = match source_profile(source) {
            Described::Nothing => (None, ColorConversion::AssumedSrgb),
            Described::Srgb => (None, ColorConversion::Srgb),
            Described::Invalid => (None, ColorConversion::InvalidProfileIgnored),
            Described::Profile(profile) => (Some(profile), ColorConversion::Converted),
        };
        let fallback = |outcome| Conversion {
            kind: if channels == Channels::Cmyk {
                Kind::NaiveCmyk
            } else {
                Kind::AsIs
            },
            outcome,
            ramp_deviation: 0,
        };
        let Some(profile) = profile else {
            return fallback(outcome);
        };
        // gAMA and cICP describe gray samples too; an ICC profile must be a gray one.
        let describes_gray = matches!(source, ColorSource::Gamma { .. } | ColorSource::Cicp { .. });
        match prepare(&profile, channels, describes_gray) {
            Some(kind) => {
                let mut conversion = Conversion {
                    kind,
                    outcome,
                    ramp_deviation: 0,
                };
                // The ramp both measures the curve and proves the transform runs on these pixels.
                match conversion.measure_ramp() {
                    Some(deviation) => {
                        conversion.ramp_deviation = deviation;
                        conversion
                    }
                    None => fallback(ColorConversion::InvalidProfileIgnored),
                }
            }
            None => fallback(ColorConversion::InvalidProfileIgnored),
        }
    }

    /// What converting does, for [`crate::SourceInfo::color`].
    pub(crate) fn outcome(&self) -> ColorConversion {
        self.outcome
    }

    /// Whether the samples are taken as they are (sRGB, said or assumed): nothing but gray
    /// replication happens, so alpha may be composited in the source's own encoding.
    pub(crate) fn is_identity(&self) -> bool {
        matches!(self.kind, Kind::AsIs)
    }

    /// Whether the source's encoding is so far from sRGB's that resizing in it and converting
    /// afterwards is visibly wrong: ink (CMYK, whose conversion multiplies inks), table-based
    /// profiles, and curves that move a neutral ramp by more than [`FAR_FROM_SRGB_LEVELS`]
    /// (linear and near-linear gamma). Resizing is a weighted mean; a mean of encoded values
    /// converted is the conversion's mean only where the conversion is nearly linear.
    pub(crate) fn far_from_srgb(&self) -> bool {
        match self.kind {
            Kind::AsIs => false,
            Kind::NaiveCmyk | Kind::CmykProfile(_) | Kind::Rgb { lut: true, .. } => true,
            Kind::GrayTable(_) | Kind::Rgb { lut: false, .. } => self.ramp_deviation > FAR_FROM_SRGB_LEVELS,
        }
    }

    /// The channel layout `apply` turns `channels` into: CMYK becomes RGB, the rest keep theirs.
    pub(crate) fn converted_channels(&self, channels: Channels) -> Channels {
        match (&self.kind, channels) {
            (Kind::NaiveCmyk | Kind::CmykProfile(_), Channels::Cmyk) => Channels::Rgb,
            _ => channels,
        }
    }

    /// Converts the samples to sRGB in place (CMYK shrinks to RGB in the same buffer); gray
    /// stays one channel until [`expand`].
    pub(crate) fn apply(&self, pixels: Pixels) -> Result<Pixels, ValidationError> {
        let Pixels {
            width,
            height,
            channels,
            mut data,
        } = pixels;
        let out_channels = self.converted_channels(channels);
        match (&self.kind, channels) {
            (Kind::AsIs, _) => {}
            (Kind::GrayTable(table), Channels::Gray) => {
                data.iter_mut().for_each(|v| *v = table[usize::from(*v)])
            }
            (Kind::GrayTable(table), Channels::GrayAlpha) => {
                data.iter_mut()
                    .step_by(2)
                    .for_each(|v| *v = table[usize::from(*v)]);
            }
            (Kind::Rgb { transform, .. }, Channels::Rgb | Channels::Rgba) => {
                in_place(transform.as_ref(), &mut data, channels.count(), channels.count())?;
            }
            (Kind::CmykProfile(transform), Channels::Cmyk) => {
                in_place(transform.as_ref(), &mut data, 4, 3)?;
                data.truncate(data.len() / 4 * 3);
            }
            (Kind::NaiveCmyk, Channels::Cmyk) => {
                let pixels = data.len() / 4;
                for i in 0..pixels {
                    let [c, m, y, k] = [data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3]];
                    data[3 * i..3 * i + 3].copy_from_slice(&naive_cmyk([c, m, y, k]));
                }
                data.truncate(pixels * 3);
            }
            // Prepared for other channels than these: never built by `new`.
            _ => return Err(ValidationError::internal("colour conversion")),
        }
        Pixels::new(width, height, out_channels, data)
            .ok_or_else(|| ValidationError::internal("colour conversion"))
    }

    /// The largest move of a neutral ramp through the conversion, or `None` when the transform
    /// fails on these pixels (a profile that does not fit them).
    fn measure_ramp(&self) -> Option<u8> {
        let levels = || 0..=255u8;
        let deviation = |out: &[u8], step: usize| {
            out.chunks_exact(step)
                .zip(levels())
                .flat_map(|(px, v)| px.iter().take(3).map(move |&c| c.abs_diff(v)))
                .max()
                .unwrap_or(0)
        };
        match &self.kind {
            Kind::AsIs => Some(0),
            Kind::GrayTable(table) => Some(
                table
                    .iter()
                    .zip(levels())
                    .map(|(&t, v)| t.abs_diff(v))
                    .max()
                    .unwrap_or(0),
            ),
            Kind::Rgb { transform, .. } => {
                let ramp: Vec<u8> = levels().flat_map(|v| [v, v, v]).collect();
                let mut out = vec![0u8; ramp.len()];
                transform.transform(&ramp, &mut out).ok()?;
                Some(deviation(&out, 3))
            }
            // No ink to a full ink of black: the neutral axis of a CMYK picture.
            Kind::CmykProfile(transform) => {
                let ramp: Vec<u8> = levels().flat_map(|v| [0, 0, 0, 255 - v]).collect();
                let mut out = vec![0u8; 256 * 3];
                transform.transform(&ramp, &mut out).ok()?;
                Some(deviation(&out, 3))
            }
            Kind::NaiveCmyk => Some(0),
        }
    }
}

/// Builds the transform of `profile` for pixels laid out as `channels`; `None` when the profile
/// does not fit them (an RGB ICC profile on a gray JPEG, say) or moxcms refuses it. An RGB
/// profile made from a PNG's gAMA or cICP (`describes_gray`) applies to gray samples as to
/// neutral RGB ones.
fn prepare(profile: &ColorProfile, channels: Channels, describes_gray: bool) -> Option<Kind> {
    let srgb = ColorProfile::new_srgb();
    let options = TransformOptions::default();
    let lut = profile.lut_a_to_b_perceptual.is_some()
        || profile.lut_a_to_b_colorimetric.is_some()
        || profile.lut_a_to_b_saturation.is_some();
    match (channels, profile.color_space) {
        (Channels::Gray | Channels::GrayAlpha, DataColorSpace::Gray) => {
            let transform = profile
                .create_transform_8bit(Layout::Gray, &srgb, Layout::Rgb, options)
                .ok()?;
            gray_table(transform.as_ref(), &(0..=255).collect::<Vec<u8>>())
        }
        (Channels::Gray | Channels::GrayAlpha, DataColorSpace::Rgb) if describes_gray => {
            let transform = profile
                .create_transform_8bit(Layout::Rgb, &srgb, Layout::Rgb, options)
                .ok()?;
            gray_table(
                transform.as_ref(),
                &(0..=255).flat_map(|v| [v, v, v]).collect::<Vec<u8>>(),
            )
        }
        (Channels::Rgb | Channels::Rgba, DataColorSpace::Rgb) => {
            let layout = if channels == Channels::Rgb {
                Layout::Rgb
            } else {
                Layout::Rgba
            };
            let transform = profile
                .create_transform_8bit(layout, &srgb, layout, options)
                .ok()?;
            Some(Kind::Rgb { transform, lut })
        }
        (Channels::Cmyk, DataColorSpace::Cmyk) => {
            let transform = profile
                .create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgb, options)
                .ok()?;
            Some(Kind::CmykProfile(transform))
        }
        _ => None,
    }
}

/// The table of a gray conversion: `ramp` (the 256 levels, gray or as neutral RGB) through
/// `transform` to sRGB RGB, whose green sample is the level (gray stays neutral).
fn gray_table(transform: &(dyn TransformExecutor<u8> + Send + Sync), ramp: &[u8]) -> Option<Kind> {
    let mut rgb = [0u8; 256 * 3];
    transform.transform(ramp, &mut rgb).ok()?;
    let mut table = Box::new([0u8; 256]);
    for (level, px) in table.iter_mut().zip(rgb.chunks_exact(3)) {
        *level = px[1];
    }
    Some(Kind::GrayTable(table))
}

/// Runs `transform` over `data` in slices, each copied aside first so that its result (of
/// `out_step` bytes a pixel, at most `in_step`) can be written over the samples it came from.
fn in_place(
    transform: &(dyn TransformExecutor<u8> + Send + Sync),
    data: &mut [u8],
    in_step: usize,
    out_step: usize,
) -> Result<(), ValidationError> {
    debug_assert!(out_step <= in_step);
    let pixels = data.len() / in_step;
    let mut aside = vec![0u8; SLICE_PIXELS.min(pixels) * in_step];
    let mut done = 0;
    while done < pixels {
        let n = SLICE_PIXELS.min(pixels - done);
        let source = &mut aside[..n * in_step];
        source.copy_from_slice(&data[done * in_step..(done + n) * in_step]);
        transform
            .transform(source, &mut data[done * out_step..(done + n) * out_step])
            .map_err(|_| ValidationError::internal("colour conversion"))?;
        done += n;
    }
    Ok(())
}

/// Converts resized pixels to sRGB and to the RGB or RGBA layout: [`Conversion::apply`], then
/// [`expand`].
pub(crate) fn to_srgb(pixels: Pixels, conversion: &Conversion) -> Result<Pixels, ValidationError> {
    conversion.apply(pixels).map(expand)
}

/// sRGB samples to the RGB or RGBA layout: gray is replicated; RGB and RGBA pass through.
pub(crate) fn expand(pixels: Pixels) -> Pixels {
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
        // Ink left unconverted: never handed here (the conversion of a CMYK source is never
        // `AsIs`), but subtracted from white rather than misread.
        Channels::Cmyk => (
            Channels::Rgb,
            pixels
                .data
                .chunks_exact(4)
                .flat_map(|p| naive_cmyk([p[0], p[1], p[2], p[3]]))
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

/// One pixel of ink amounts, subtracted from white (the naive conversion, used only when no
/// CMYK profile came with the file).
fn naive_cmyk([c, m, y, k]: [u8; 4]) -> [u8; 3] {
    let white = |ink: u8| (((255 - u16::from(ink)) * (255 - u16::from(k)) + 127) / 255) as u8;
    [white(c), white(m), white(y)]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn one(channels: Channels, px: &[u8]) -> Pixels {
        Pixels::new(1, 1, channels, px.to_vec()).unwrap()
    }

    /// Prepares the conversion for `source` and runs it on one pixel.
    fn convert(channels: Channels, px: &[u8], source: &ColorSource) -> (Pixels, ColorConversion) {
        let conversion = Conversion::new(source, channels);
        (
            to_srgb(one(channels, px), &conversion).unwrap(),
            conversion.outcome(),
        )
    }

    #[test]
    fn naive_cmyk_subtracts_ink_from_white() {
        let (out, outcome) = convert(Channels::Cmyk, &[255, 0, 0, 0], &ColorSource::Unspecified);
        assert_eq!(
            (out.data, outcome),
            (vec![0, 255, 255], ColorConversion::AssumedSrgb)
        );
        let (out, _) = convert(Channels::Cmyk, &[0, 0, 0, 255], &ColorSource::Unspecified);
        assert_eq!(out.data, vec![0, 0, 0]);
    }

    #[test]
    fn garbage_profile_falls_back_to_srgb() {
        let (out, outcome) = convert(Channels::Rgb, &[1, 2, 3], &ColorSource::Icc(vec![0xA5; 300]));
        assert_eq!(
            (out.data, outcome),
            (vec![1, 2, 3], ColorConversion::InvalidProfileIgnored)
        );
    }

    #[test]
    fn a_profile_for_other_channels_is_ignored() {
        // A gray profile on RGB pixels, an RGB profile on gray ones.
        let gray = ColorSource::Icc(ColorProfile::new_gray_with_gamma(1.0).encode().unwrap());
        let (out, outcome) = convert(Channels::Rgb, &[1, 2, 3], &gray);
        assert_eq!(
            (out.data, outcome),
            (vec![1, 2, 3], ColorConversion::InvalidProfileIgnored)
        );
        let p3 = ColorSource::Icc(ColorProfile::new_display_p3().encode().unwrap());
        let (out, outcome) = convert(Channels::Gray, &[9], &p3);
        assert_eq!(
            (out.data, outcome),
            (vec![9, 9, 9], ColorConversion::InvalidProfileIgnored)
        );
    }

    #[test]
    fn gray_with_gray_profile_becomes_rgb() {
        // A linear gray profile: 50% linear light is sRGB 188, far from an unconverted 128.
        let icc = ColorProfile::new_gray_with_gamma(1.0).encode().unwrap();
        let (out, outcome) = convert(Channels::Gray, &[128], &ColorSource::Icc(icc));
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
        let (out, outcome) = convert(Channels::Rgb, &[180, 80, 60], &source);
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
            convert(Channels::Rgb, &[1, 2, 3], &srgb),
            (one(Channels::Rgb, &[1, 2, 3]), ColorConversion::Srgb)
        );
    }

    #[test]
    fn gamma_of_a_gray_png_converts_its_levels() {
        let (out, outcome) = convert(
            Channels::GrayAlpha,
            &[128, 77],
            &ColorSource::Gamma {
                gamma: 1.0,
                chromaticities: None,
            },
        );
        assert_eq!(outcome, ColorConversion::Converted);
        assert_eq!(out.channels, Channels::Rgba);
        assert!(
            (i32::from(out.data[0]) - 188).abs() <= 2 && out.data[3] == 77,
            "{:?}",
            out.data
        );
    }

    #[test]
    fn linear_gamma_png_is_brightened() {
        // Linear 50% gray is sRGB 188.
        let (out, outcome) = convert(
            Channels::Rgb,
            &[128, 128, 128],
            &ColorSource::Gamma {
                gamma: 1.0,
                chromaticities: None,
            },
        );
        assert_eq!(outcome, ColorConversion::Converted);
        assert!((i32::from(out.data[0]) - 188).abs() <= 2, "{:?}", out.data);
    }

    #[test]
    fn far_from_srgb_picks_linear_curves_ink_and_tables_not_gamma_2_2_spaces() {
        let gamma = |gamma: f32| ColorSource::Gamma {
            gamma,
            chromaticities: None,
        };
        let icc = |profile: ColorProfile| ColorSource::Icc(profile.encode().unwrap());
        let far = |source: &ColorSource, channels| Conversion::new(source, channels).far_from_srgb();
        assert!(far(&gamma(1.0), Channels::Rgb));
        assert!(far(&gamma(1.0 / 1.8), Channels::Rgba));
        assert!(far(&icc(ColorProfile::new_gray_with_gamma(1.0)), Channels::Gray));
        assert!(far(&ColorSource::Unspecified, Channels::Cmyk));
        assert!(far(&icc(ColorProfile::new_pro_photo_rgb()), Channels::Rgb));
        assert!(!far(&icc(ColorProfile::new_display_p3()), Channels::Rgb));
        assert!(!far(&icc(ColorProfile::new_bt2020()), Channels::Rgb));
        assert!(!far(&icc(ColorProfile::new_adobe_rgb()), Channels::Rgb));
        assert!(!far(&icc(ColorProfile::new_gray_with_gamma(2.2)), Channels::Gray));
        assert!(!far(&ColorSource::Unspecified, Channels::Rgb));
        assert!(!far(&ColorSource::Srgb, Channels::Rgba));
    }

    #[test]
    fn converting_in_place_over_many_slices_equals_one_transform() {
        // More pixels than one slice, in RGBA (kept layout) and from gamma 1.0.
        let source = ColorSource::Gamma {
            gamma: 1.0,
            chromaticities: None,
        };
        let count = SLICE_PIXELS * 2 + 7;
        let data: Vec<u8> = (0..count * 4).map(|i| (i * 7 % 251) as u8).collect();
        let conversion = Conversion::new(&source, Channels::Rgba);
        let Kind::Rgb { transform, .. } = &conversion.kind else {
            panic!("an RGB transform");
        };
        let mut expected = vec![0u8; data.len()];
        transform.transform(&data, &mut expected).unwrap();
        let pixels = Pixels::new(count as u32, 1, Channels::Rgba, data).unwrap();
        assert_eq!(conversion.apply(pixels).unwrap().data, expected);
    }
}
