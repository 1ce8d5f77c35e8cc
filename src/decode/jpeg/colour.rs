//! Colour conversion of upsampled component rows to the output samples, with libjpeg's
//! arithmetic (`jdcolor.c`: 16-bit fixed point, tables of rounded products): YCbCr to RGB, gray
//! and RGB copied, CMYK passed through and YCCK turned to CMYK.
//!
//! Four-component output is 255 minus what libjpeg returns (for CMYK files the stored samples,
//! for YCCK the inverted RGB of the YCC part with K as stored), which is what jpeg-decoder has
//! always returned; the decode stage's `cmyk_as_ink` expects exactly that.

/// How the components code colour, decided as libjpeg decides it (`default_decompress_parms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColourSpace {
    Gray,
    YCbCr,
    Rgb,
    Cmyk,
    Ycck,
}

impl ColourSpace {
    /// For 3 components: a JFIF marker means YCbCr, else an Adobe marker decides (transform 0
    /// = RGB), else the component identifiers ('R', 'G', 'B' = RGB); YCbCr otherwise. For 4: an
    /// Adobe transform 0 is CMYK and any other YCCK; CMYK without an Adobe marker.
    pub(super) fn of(components: usize, jfif: bool, adobe_transform: Option<u8>, ids: &[u8]) -> ColourSpace {
        match components {
            1 => ColourSpace::Gray,
            3 if jfif => ColourSpace::YCbCr,
            3 => match adobe_transform {
                Some(0) => ColourSpace::Rgb,
                Some(_) => ColourSpace::YCbCr,
                None if ids == b"RGB" => ColourSpace::Rgb,
                None => ColourSpace::YCbCr,
            },
            _ => match adobe_transform {
                None | Some(0) => ColourSpace::Cmyk,
                Some(_) => ColourSpace::Ycck,
            },
        }
    }

    /// Output samples per pixel.
    pub(crate) fn channels(self) -> usize {
        match self {
            ColourSpace::Gray => 1,
            ColourSpace::YCbCr | ColourSpace::Rgb => 3,
            ColourSpace::Cmyk | ColourSpace::Ycck => 4,
        }
    }
}

const SCALE_BITS: u32 = 16;
const ONE_HALF: i32 = 1 << (SCALE_BITS - 1);

/// round(x * 2^16), as libjpeg's FIX().
const fn fix(x_times_1e5: i64) -> i32 {
    ((x_times_1e5 * (1 << SCALE_BITS) + 50_000) / 100_000) as i32
}

const CR_R: i32 = fix(140_200);
const CB_B: i32 = fix(177_200);
const CR_G: i32 = fix(71_414);
const CB_G: i32 = fix(34_414);

/// libjpeg's four tables (`build_ycc_rgb_table`): each term of the conversion for every
/// chroma sample, already shifted (R and B) or still scaled by 2^16 with the rounding half
/// included (G's two terms, shifted after they are added).
struct Tables {
    cr_r: [i32; 256],
    cb_b: [i32; 256],
    cr_g: [i32; 256],
    cb_g: [i32; 256],
}

const TABLES: Tables = {
    let mut t = Tables {
        cr_r: [0; 256],
        cb_b: [0; 256],
        cr_g: [0; 256],
        cb_g: [0; 256],
    };
    let mut i = 0;
    while i < 256 {
        let x = i as i32 - 128;
        t.cr_r[i] = (CR_R * x + ONE_HALF) >> SCALE_BITS;
        t.cb_b[i] = (CB_B * x + ONE_HALF) >> SCALE_BITS;
        t.cr_g[i] = -CR_G * x;
        t.cb_g[i] = -CB_G * x + ONE_HALF;
        i += 1;
    }
    t
};

/// R, G and B from Y, Cb and Cr as libjpeg's tables compute them.
#[inline(always)]
fn ycc_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let t = &TABLES;
    let (y, cb, cr) = (i32::from(y), usize::from(cb), usize::from(cr));
    let r = y + t.cr_r[cr];
    let g = y + ((t.cb_g[cb] + t.cr_g[cr]) >> SCALE_BITS);
    let b = y + t.cb_b[cb];
    [r, g, b].map(|v| v.clamp(0, 255) as u8)
}

/// Pixels converted together: what lets the compiler turn the arithmetic into vector code.
const LANES: usize = 16;

/// A row of YCbCr to RGB, [`LANES`] pixels at a time with the tables' arithmetic written out
/// (no lookups, so it vectorises; the same integers as the tables give), the rest through them.
#[inline(always)]
fn ycc_row_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    let pixels = out.len() / 3;
    let (y, cb, cr) = (&y[..pixels], &cb[..pixels], &cr[..pixels]);
    let whole = pixels / LANES * LANES;
    let chunks = out[..whole * 3]
        .chunks_exact_mut(3 * LANES)
        .zip(y.chunks_exact(LANES))
        .zip(cb.chunks_exact(LANES).zip(cr.chunks_exact(LANES)));
    for ((out, y), (cb, cr)) in chunks {
        let mut rgb = [[0i32; LANES]; 3];
        for i in 0..LANES {
            let (luma, blue, red) = (i32::from(y[i]), i32::from(cb[i]) - 128, i32::from(cr[i]) - 128);
            rgb[0][i] = luma + ((CR_R * red + ONE_HALF) >> SCALE_BITS);
            rgb[1][i] = luma + ((-CB_G * blue + ONE_HALF - CR_G * red) >> SCALE_BITS);
            rgb[2][i] = luma + ((CB_B * blue + ONE_HALF) >> SCALE_BITS);
        }
        for (i, pixel) in out.chunks_exact_mut(3).enumerate() {
            for (sample, channel) in pixel.iter_mut().zip(&rgb) {
                *sample = channel[i].clamp(0, 255) as u8;
            }
        }
    }
    let rest = out[whole * 3..].chunks_exact_mut(3).zip(&y[whole..]);
    for ((pixel, &y), (&cb, &cr)) in rest.zip(cb[whole..].iter().zip(&cr[whole..])) {
        pixel.copy_from_slice(&ycc_to_rgb(y, cb, cr));
    }
}

/// [`ycc_row_to_rgb`] for [`pulp::Arch::dispatch`]: compiled for each instruction set (AVX2
/// does 8 lanes of it at once) and run with the best the processor has.
struct YccRow<'a> {
    y: &'a [u8],
    cb: &'a [u8],
    cr: &'a [u8],
    out: &'a mut [u8],
}

impl pulp::WithSimd for YccRow<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        ycc_row_to_rgb(self.y, self.cb, self.cr, self.out);
    }
}

/// Converts the columns `left..right` of one row: `rows` holds each component's upsampled row,
/// `out` the interleaved samples of those columns.
pub(super) fn convert(space: ColourSpace, rows: &[Vec<u8>], (left, right): (usize, usize), out: &mut [u8]) {
    let row = |c: usize| &rows[c][left..right];
    match space {
        ColourSpace::Gray => out.copy_from_slice(row(0)),
        ColourSpace::YCbCr => pulp::Arch::new().dispatch(YccRow {
            y: row(0),
            cb: row(1),
            cr: row(2),
            out,
        }),
        ColourSpace::Rgb => {
            for (((pixel, &r), &g), &b) in out.chunks_exact_mut(3).zip(row(0)).zip(row(1)).zip(row(2)) {
                pixel.copy_from_slice(&[r, g, b]);
            }
        }
        ColourSpace::Cmyk => {
            let inks = row(0).iter().zip(row(1)).zip(row(2)).zip(row(3));
            for (pixel, (((&c, &m), &y), &k)) in out.chunks_exact_mut(4).zip(inks) {
                pixel.copy_from_slice(&[255 - c, 255 - m, 255 - y, 255 - k]);
            }
        }
        ColourSpace::Ycck => {
            let samples = row(0).iter().zip(row(1)).zip(row(2)).zip(row(3));
            for (pixel, (((&y, &cb), &cr), &k)) in out.chunks_exact_mut(4).zip(samples) {
                // libjpeg: C = 255 - R and so on; inverted here, that is R itself.
                let [r, g, b] = ycc_to_rgb(y, cb, cr);
                pixel.copy_from_slice(&[r, g, b, 255 - k]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_point_factors_are_libjpegs() {
        assert_eq!((CR_R, CB_B, CR_G, CB_G), (91881, 116130, 46802, 22554));
    }

    #[test]
    fn ycbcr_converts_within_half_a_level_of_the_exact_formula() {
        for y in (0..=255u8).step_by(5) {
            for cb in (0..=255u8).step_by(3) {
                for cr in (0..=255u8).step_by(7) {
                    let got = ycc_to_rgb(y, cb, cr);
                    let (yf, cbf, crf) = (f64::from(y), f64::from(cb) - 128.0, f64::from(cr) - 128.0);
                    let exact = [
                        yf + 1.402 * crf,
                        yf - 0.344136 * cbf - 0.714136 * crf,
                        yf + 1.772 * cbf,
                    ];
                    for (g, e) in got.iter().zip(exact) {
                        assert!(
                            (f64::from(*g) - e.clamp(0.0, 255.0)).abs() <= 0.51,
                            "{y} {cb} {cr}: {got:?} {exact:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn rows_convert_exactly_as_the_tables_do() {
        // Every (Cb, Cr) pair for several Y, in rows of 259 pixels: whole vector chunks and a
        // remainder.
        for y in [0u8, 1, 16, 77, 128, 200, 235, 254, 255] {
            let pairs: Vec<(u8, u8)> = (0..=255u8)
                .flat_map(|cb| (0..=255u8).map(move |cr| (cb, cr)))
                .collect();
            for chunk in pairs.chunks(259) {
                let rows = vec![
                    vec![y; chunk.len()],
                    chunk.iter().map(|p| p.0).collect(),
                    chunk.iter().map(|p| p.1).collect(),
                ];
                let mut out = vec![0u8; chunk.len() * 3];
                convert(ColourSpace::YCbCr, &rows, (0, chunk.len()), &mut out);
                for (pixel, &(cb, cr)) in out.chunks_exact(3).zip(chunk) {
                    assert_eq!(pixel, ycc_to_rgb(y, cb, cr), "{y} {cb} {cr}");
                }
            }
        }
    }

    #[test]
    fn the_colour_space_is_chosen_as_libjpeg_chooses_it() {
        assert_eq!(ColourSpace::of(3, false, Some(0), &[1, 2, 3]), ColourSpace::Rgb);
        assert_eq!(ColourSpace::of(3, true, Some(0), &[1, 2, 3]), ColourSpace::YCbCr);
        assert_eq!(ColourSpace::of(3, false, None, b"RGB"), ColourSpace::Rgb);
        assert_eq!(ColourSpace::of(3, false, None, &[1, 2, 3]), ColourSpace::YCbCr);
        assert_eq!(ColourSpace::of(4, false, None, &[1, 2, 3, 4]), ColourSpace::Cmyk);
        assert_eq!(
            ColourSpace::of(4, false, Some(2), &[1, 2, 3, 4]),
            ColourSpace::Ycck
        );
        assert_eq!(
            ColourSpace::of(4, false, Some(1), &[1, 2, 3, 4]),
            ColourSpace::Ycck
        );
    }

    #[test]
    fn four_components_come_out_inverted_as_jpeg_decoder_returns_them() {
        let rows = vec![vec![0, 255], vec![10, 128], vec![200, 128], vec![30, 0]];
        let mut out = [0u8; 8];
        convert(ColourSpace::Cmyk, &rows, (0, 2), &mut out);
        assert_eq!(out, [255, 245, 55, 225, 0, 127, 127, 255]);
        convert(ColourSpace::Ycck, &rows, (0, 2), &mut out);
        assert_eq!(out[4..], [255, 255, 255, 255]);
    }
}
