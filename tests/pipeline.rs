//! The pipeline's promises, each checked on real files: the committed fixtures (see
//! `fixtures/README.md`) and a few larger pictures built here. Outputs are decoded with the
//! `image` crate (zune-jpeg), a decoder independent of the one this crate uses, and compared by
//! pixels with a stated tolerance, never by encoded bytes.

#[path = "support/colour.rs"]
mod colour;
#[path = "support/helpers.rs"]
mod helpers;
#[path = "support/synth.rs"]
mod synth;

use colour::{gamma_to_srgb, to_srgb, Space};
use helpers::{assert_near, decode_rgb, fixture, mean, normalize, segments, BLUE, GREEN, RED, WHITE, YELLOW};
use profile_image::{
    normalize_profile_image, normalize_profile_image_with, ColorConversion, CropAnchor, DamagedInput,
    ErrorCode, Options, Orientation, Upload, ValidationError,
};

fn error_of(bytes: &[u8]) -> ValidationError {
    normalize_profile_image(bytes).expect_err("must be refused")
}

/// Corners of a 1200x1200 output, away from the quadrant borders at 600.
fn corners(img: &image::RgbImage) -> [[i32; 3]; 4] {
    [
        mean(img, 200, 200),
        mean(img, 1000, 200),
        mean(img, 200, 1000),
        mean(img, 1000, 1000),
    ]
}

#[test]
fn every_exif_orientation_comes_out_upright() {
    let files = [
        ("orientation-1.jpg", 1),
        ("orientation-2.jpg", 2),
        ("orientation-3.jpg", 3),
        ("orientation-4.jpg", 4),
        ("orientation-5.jpg", 5),
        ("orientation-6.jpg", 6),
        ("orientation-7.jpg", 7),
        ("orientation-8.jpg", 8),
        ("orientation-6-little-endian.jpg", 6),
        ("orientation-6.png", 6),
    ];
    for (name, tag) in files {
        let jpeg = normalize(name);
        assert_eq!(
            jpeg.source().orientation,
            Orientation::from_exif(tag).unwrap(),
            "{name}"
        );
        assert_eq!(
            (jpeg.source().displayed_width, jpeg.source().displayed_height),
            (300, 200),
            "{name}"
        );
        let img = decode_rgb(jpeg.bytes());
        let [tl, tr, bl, br] = corners(&img);
        assert_near(tl, RED, 6, &format!("{name} top-left"));
        assert_near(tr, GREEN, 6, &format!("{name} top-right"));
        assert_near(bl, BLUE, 6, &format!("{name} bottom-left"));
        assert_near(br, YELLOW, 6, &format!("{name} bottom-right"));
    }
}

/// The colour oracle's sRGB value of `colour` in `space`, as `assert_near` takes it.
fn srgb_of(colour: [u8; 3], space: Space) -> [i32; 3] {
    to_srgb(colour, space).map(i32::from)
}

#[test]
fn display_p3_photo_is_converted_not_washed_out() {
    // Bottom-left patch is P3 (180, 80, 60): inside sRGB's gamut, so the conversion is exact.
    let expected = srgb_of([180, 80, 60], Space::DisplayP3);
    assert!(
        (expected[0] - 180).abs() > 10,
        "the patch must tell converted from unconverted"
    );
    for name in ["display-p3-patches.jpg", "display-p3-split-icc.jpg", "icc-p3.png"] {
        let jpeg = normalize(name);
        assert_eq!(jpeg.source().color, ColorConversion::Converted, "{name}");
        let img = decode_rgb(jpeg.bytes());
        let [tl, _, bl, br] = corners(&img);
        assert_near(bl, expected, 4, name);
        assert_near(tl, RED, 6, name);
        assert_near(br, [128, 128, 128], 4, name);
    }
}

#[test]
fn adobe_rgb_photo_is_converted() {
    let expected = srgb_of([180, 80, 60], Space::AdobeRgb);
    let jpeg = normalize("adobe-rgb-patches.jpg");
    assert_eq!(jpeg.source().color, ColorConversion::Converted);
    let [_, _, bl, _] = corners(&decode_rgb(jpeg.bytes()));
    assert_near(bl, expected, 4, "Adobe RGB (180, 80, 60)");
}

#[test]
fn broken_icc_profile_falls_back_to_srgb() {
    let jpeg = normalize("broken-icc.jpg");
    assert_eq!(jpeg.source().color, ColorConversion::InvalidProfileIgnored);
    let [_, _, bl, _] = corners(&decode_rgb(jpeg.bytes()));
    assert_near(bl, [180, 80, 60], 4, "unconverted patch");
}

#[test]
fn cmyk_and_ycck_jpegs_are_not_inverted() {
    // Quadrants of pure ink: cyan, magenta / yellow, none.
    let expected = [[0, 255, 255], [255, 0, 255], [255, 255, 0], WHITE];
    for name in ["cmyk-adobe.jpg", "ycck-adobe.jpg", "cmyk-no-adobe.jpg"] {
        let got = corners(&decode_rgb(normalize(name).bytes()));
        for (corner, (g, e)) in got.into_iter().zip(expected).enumerate() {
            assert_near(g, e, 8, &format!("{name} corner {corner}"));
        }
    }
}

#[test]
fn transparent_png_is_flattened_onto_white_never_black() {
    let jpeg = normalize("transparent-half.png");
    assert!(jpeg.source().alpha_flattened);
    let img = decode_rgb(jpeg.bytes());
    assert_near(mean(&img, 200, 600), WHITE, 3, "transparent half");
    assert_near(mean(&img, 1000, 600), BLUE, 6, "opaque half");
    // Right at the edge, premultiplied resizing must not pull in the hidden black.
    let edge = mean(&img, 560, 600);
    assert!(
        edge.iter().all(|&c| c >= 230),
        "left of the edge stays white: {edge:?}"
    );

    let img = decode_rgb(normalize("semi-transparent.png").bytes());
    assert_near(
        mean(&img, 600, 600),
        [255, 127, 127],
        4,
        "half-transparent red over white",
    );
}

#[test]
fn background_colour_is_an_option() {
    let mut options = Options::default();
    options.background = [0, 0, 0];
    let jpeg = normalize_profile_image_with(Upload::new(&fixture("transparent-half.png")), &options).unwrap();
    assert_near(
        mean(&decode_rgb(jpeg.bytes()), 200, 600),
        [0, 0, 0],
        3,
        "black background",
    );
}

#[test]
fn output_uses_the_quality_85_tables() {
    // The quantisation tables of any quality-85 jpeg-encoder file are the reference.
    let mut reference = Vec::new();
    jpeg_encoder::Encoder::new(&mut reference, 85)
        .encode(&[0; 16 * 16 * 3], 16, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    // The tables in file order, whether one DQT segment holds both or each has its own.
    let tables = |jpeg: &[u8]| -> Vec<u8> {
        segments(jpeg)
            .into_iter()
            .filter(|(m, _)| *m == 0xDB)
            .flat_map(|(_, t)| t)
            .collect()
    };
    let ours = tables(normalize("photo-2000x1500.jpg").bytes());
    assert!(!ours.is_empty());
    assert_eq!(ours, tables(&reference));
    let mut options = Options::default();
    options.quality = 60;
    let lower = normalize_profile_image_with(Upload::new(&fixture("photo-2000x1500.jpg")), &options).unwrap();
    assert_ne!(
        tables(lower.bytes()),
        tables(&reference),
        "the quality option reaches the encoder"
    );
}

#[test]
fn same_input_gives_the_same_bytes() {
    let bytes = fixture("photo-2000x1500.jpg");
    let a = normalize_profile_image(&bytes).unwrap();
    let b = normalize_profile_image(&bytes).unwrap();
    assert_eq!(a.bytes(), b.bytes());
}

/// A JPEG of `w` x `h` whose quadrants are red, green / blue, yellow, built here.
fn quadrant_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut data = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let c = match (x < w / 2, y < h / 2) {
                (true, true) => [255, 0, 0],
                (false, true) => [0, 255, 0],
                (true, false) => [0, 0, 255],
                (false, false) => [255, 255, 0],
            };
            data.extend_from_slice(&c);
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder.encode(&data, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

#[test]
fn large_jpegs_downscaled_in_the_dct_domain_keep_their_geometry() {
    // 4800x3600 decodes at 1/2 (2400x1800 still covers 1200x1200); 9600x9600 at 1/8.
    for (w, h) in [(4800, 3600), (9600, 9600)] {
        let jpeg = normalize_profile_image(&quadrant_jpeg(w, h)).unwrap();
        let [tl, tr, bl, br] = corners(&decode_rgb(jpeg.bytes()));
        let what = format!("{w}x{h}");
        assert_near(tl, RED, 6, &what);
        assert_near(tr, GREEN, 6, &what);
        assert_near(bl, BLUE, 6, &what);
        assert_near(br, YELLOW, 6, &what);
    }
}

/// A JPEG of three equal bands, red, green and blue, stacked down (`vertical`) or across.
fn bands_jpeg(w: u16, h: u16, vertical: bool) -> Vec<u8> {
    let band = |x: u16, y: u16| if vertical { y * 3 / h } else { x * 3 / w };
    let colours = [[255u8, 0, 0], [0, 255, 0], [0, 0, 255]];
    let data: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).flat_map(move |x| colours[usize::from(band(x, y))]))
        .collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 90)
        .encode(&data, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    bytes
}

#[test]
fn each_crop_anchor_keeps_its_edge() {
    // A 200x600 portrait covered to a square keeps one band: the top, middle or bottom one.
    let portrait = bands_jpeg(200, 600, true);
    let landscape = bands_jpeg(600, 200, false);
    let cases = [
        (&portrait, CropAnchor::Top, RED),
        (&portrait, CropAnchor::Center, GREEN),
        (&portrait, CropAnchor::Bottom, BLUE),
        (&landscape, CropAnchor::Left, RED),
        (&landscape, CropAnchor::Center, GREEN),
        (&landscape, CropAnchor::Right, BLUE),
    ];
    for (bytes, anchor, colour) in cases {
        let mut options = Options::default();
        options.anchor = anchor;
        let img = decode_rgb(
            normalize_profile_image_with(Upload::new(bytes), &options)
                .unwrap()
                .bytes(),
        );
        for (x, y) in [(100, 100), (600, 600), (1100, 1100)] {
            assert_near(mean(&img, x, y), colour, 8, &format!("{anchor:?} at ({x}, {y})"));
        }
    }
}

#[test]
fn top_anchor_means_the_displayed_top_of_a_rotated_photo() {
    // orientation-6 shows 300x200 with red/green on top. Cover to a 300x100 banner with the top
    // anchor: the kept band must be the red/green one, whichever way the pixels are stored.
    let mut options = Options::default();
    (options.width, options.height, options.anchor) = (300, 100, CropAnchor::Top);
    for name in [
        "orientation-1.jpg",
        "orientation-6.jpg",
        "orientation-8.jpg",
        "orientation-3.jpg",
    ] {
        let jpeg = normalize_profile_image_with(Upload::new(&fixture(name)), &options).unwrap();
        let img = decode_rgb(jpeg.bytes());
        assert_near(mean(&img, 40, 50), RED, 8, name);
        assert_near(mean(&img, 260, 50), GREEN, 8, name);
    }
}

#[test]
fn truncated_uploads_are_refused_by_default_and_kept_on_request() {
    for name in [
        "truncated-half.jpg",
        "truncated-half-then-eoi.jpg",
        "truncated-half.png",
    ] {
        let bytes = fixture(name);
        assert_eq!(error_of(&bytes).code(), ErrorCode::Truncated, "{name}");
        let mut options = Options::default();
        options.damaged_input = DamagedInput::AcceptPartial;
        let jpeg = normalize_profile_image_with(Upload::new(&bytes), &options).expect(name);
        assert!(jpeg.source().partial, "{name}");
        assert_eq!((jpeg.width(), jpeg.height()), (1200, 1200));
        // The picture is there where data arrived. Where it did not, a PNG has zero rows
        // (black); a JPEG has blocks decoded from zero bits, a regular pattern, not checked here.
        let img = decode_rgb(jpeg.bytes());
        let spread = |y0: u32| {
            let lumas: Vec<f64> = (y0..y0 + 40)
                .flat_map(|y| (200..1000).map(move |x| (x, y)))
                .map(|(x, y)| {
                    f64::from(img.get_pixel(x, y).0.iter().map(|&c| u32::from(c)).sum::<u32>()) / 3.0
                })
                .collect();
            let m = lumas.iter().sum::<f64>() / lumas.len() as f64;
            (lumas.iter().map(|l| (l - m).powi(2)).sum::<f64>() / lumas.len() as f64).sqrt()
        };
        assert!(spread(100) > 10.0, "{name}: top is the picture ({})", spread(100));
        if name.ends_with(".png") {
            assert!(spread(1100) < 1.0, "{name}: bottom is flat ({})", spread(1100));
            assert_near(mean(&img, 600, 1150), [0, 0, 0], 4, "missing PNG rows are black");
        }
    }
}

/// An sRGB RGBA PNG is flattened row by row while it decodes; the rows that never arrive must
/// still become the background, as transparent rows would.
#[test]
fn a_cut_rgba_png_kept_on_request_shows_the_background_where_rows_are_missing() {
    let whole = synth::photo_png_rgba(600, 400);
    let cut = &whole[..whole.len() / 2];
    assert_eq!(error_of(cut).code(), ErrorCode::Truncated);
    let mut options = Options::default();
    options.damaged_input = DamagedInput::AcceptPartial;
    options.background = [255, 0, 0];
    let jpeg = normalize_profile_image_with(Upload::new(cut), &options).unwrap();
    assert!(jpeg.source().partial && jpeg.source().alpha_flattened);
    let img = decode_rgb(jpeg.bytes());
    // Top left: the opaque picture, not the background; bottom: all background.
    let top = mean(&img, 330, 100);
    assert!(top[1] > 40 || top[2] > 40, "picture at the top: {top:?}");
    for x in [330, 870] {
        assert_near(
            mean(&img, x, 1150),
            [255, 0, 0],
            6,
            "missing rows are the background",
        );
    }
}

/// Chroma is subsampled by averaging each 2x2 block: keeping one pixel of each block (the
/// encoder's own default) would turn one-pixel red and blue stripes all red, or all blue.
#[test]
fn fine_colour_detail_averages_in_the_subsampled_chroma() {
    let (red, blue) = ([255u8, 0, 0], [0u8, 0, 255]);
    let mut pixels = Vec::with_capacity(1200 * 1200 * 3);
    for _ in 0..1200 {
        for x in 0..1200 {
            pixels.extend_from_slice(if x % 2 == 0 { &red } else { &blue });
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, 1200, 1200);
    encoder.set_color(png::ColorType::Rgb);
    encoder.write_header().unwrap().write_image_data(&pixels).unwrap();
    let img = decode_rgb(normalize_profile_image(&png).unwrap().bytes());
    let [r, _, b] = mean(&img, 600, 600);
    assert!((r - b).abs() <= 12, "red and blue stay balanced: {r} vs {b}");
}

#[test]
fn narrow_strips_with_small_targets_keep_exact_sizes() {
    // jpeg-decoder picks its DCT scale by either axis; a 297x2 strip must not come out 38x1.
    let data = [90u8, 160, 200].repeat(297 * 2);
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 90)
        .encode(&data, 297, 2, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    for (w, h) in [(100, 1), (2, 1), (1, 1), (297, 2), (64, 64)] {
        let mut options = Options::default();
        (options.width, options.height) = (w, h);
        let jpeg = normalize_profile_image_with(Upload::new(&bytes), &options)
            .unwrap_or_else(|e| panic!("{w}x{h}: {e}"));
        let img = decode_rgb(jpeg.bytes());
        assert_eq!((img.width(), img.height()), (w, h));
    }
}

#[test]
fn png_variants_keep_their_colours() {
    // APNG: the default (IDAT) image is the RGBY quadrants; frame 2 would be magenta.
    // sRGB chunk: nothing to convert.
    for name in ["apng-two-frames.png", "srgb-chunk.png"] {
        let [tl, tr, bl, br] = corners(&decode_rgb(normalize(name).bytes()));
        for (got, want) in [(tl, RED), (tr, GREEN), (bl, BLUE), (br, YELLOW)] {
            assert_near(got, want, 6, name);
        }
    }
    // Palette with tRNS: the transparent frame (black in the palette) must come out white.
    let img = decode_rgb(normalize("palette-trns.png").bytes());
    assert_near(mean(&img, 60, 600), WHITE, 4, "transparent palette entry");
    assert_near(mean(&img, 300, 600), RED, 6, "first stripe");
    assert_near(mean(&img, 600, 600), GREEN, 6, "second stripe");
    assert_near(mean(&img, 900, 600), BLUE, 6, "third stripe");
    // 16-bit RGB: quadrants at (96 + y) / 192 of full scale; the crop keeps rows 0..96.
    let img = decode_rgb(normalize("rgb-16bit.png").bytes());
    let scale = |y_out: u32| (96.0 + f64::from(y_out) * 96.0 / 1200.0) / 192.0;
    let level = |y_out: u32| (255.0 * scale(y_out)).round() as i32;
    assert_near(mean(&img, 200, 200), [level(200), 0, 0], 6, "16-bit red, upper");
    assert_near(
        mean(&img, 1000, 1000),
        [level(1000), level(1000), 0],
        6,
        "16-bit yellow, lower",
    );
    // 16-bit gray ramp over 256 columns; the centred crop keeps columns 96..160.
    let img = decode_rgb(normalize("gray-16bit.png").bytes());
    assert_near(
        mean(&img, 600, 600),
        [128, 128, 128],
        3,
        "16-bit gray ramp middle",
    );
    assert!(
        mean(&img, 100, 600)[0] + 40 < mean(&img, 1100, 600)[0],
        "the ramp still rises"
    );
    // 1-bit checkerboard of 8x8 squares: 64x48 cropped to 48x48, so each square is 200 output
    // pixels; neighbours alternate between black and white.
    let img = decode_rgb(normalize("gray-1bit.png").bytes());
    for (a, b) in [
        ((100, 100), (300, 100)),
        ((300, 300), (300, 500)),
        ((700, 900), (900, 900)),
    ] {
        let (pa, pb) = (mean(&img, a.0, a.1)[0], mean(&img, b.0, b.1)[0]);
        assert!(
            (pa - pb).abs() > 230 && pa.min(pb) < 15 && pa.max(pb) > 240,
            "{a:?} {pa} vs {b:?} {pb}"
        );
    }
    // Gray + alpha: gray 2x over white with alpha 255 - 2y, composited: (g a + 255 (255 - a)) / 255.
    let img = decode_rgb(normalize("gray-alpha.png").bytes());
    for (x, y) in [(300, 300), (900, 300), (300, 900), (900, 900)] {
        let (sx, sy) = (f64::from(x) * 128.0 / 1200.0, f64::from(y) * 128.0 / 1200.0);
        let (g, a) = (2.0 * sx, 255.0 - 2.0 * sy);
        let expected = ((g * a + 255.0 * (255.0 - a)) / 255.0).round() as i32;
        assert_near(
            mean(&img, x, y),
            [expected; 3],
            5,
            &format!("gray+alpha at ({x}, {y})"),
        );
    }
    // gAMA 1/1.8 alone: the ramp's 128 is (128/255)^1.8 in linear light, sRGB 146.
    let img = decode_rgb(normalize("gamma-chunk.png").bytes());
    let expected = i32::from(gamma_to_srgb(128, 1.8));
    assert_near(mean(&img, 600, 600), [expected; 3], 4, "gAMA 1/1.8");
}

#[test]
fn a_linear_png_is_converted_before_the_resize_and_the_other_order_is_visibly_wrong() {
    use profile_image::stages;
    let options = Options::default();
    for name in ["gamma-1.0-rgb-32x32.png", "gamma-1.0-gray-2400x1600.png"] {
        let bytes = fixture(name);
        assert!(
            stages::converts_before_resize(&bytes, &options).unwrap(),
            "{name}"
        );
        let default = normalize_profile_image(&bytes).unwrap();
        let before = stages::normalize_with_colour_order(Upload::new(&bytes), &options, true).unwrap();
        let after = stages::normalize_with_colour_order(Upload::new(&bytes), &options, false).unwrap();
        assert_eq!(default.bytes(), before.bytes(), "{name}");
        let (a, b) = (decode_rgb(before.bytes()), decode_rgb(after.bytes()));
        let worst = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap();
        // Blended in linear light and converted afterwards, every edge moves by tens of levels.
        assert!(worst > 40, "{name}: the two orders differ by only {worst}");
    }
    // A large photo-like Display P3 file keeps the cheap order; a small one converts first.
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let large = synth::with_icc_profile(&quadrant_jpeg(2400, 2400), &p3);
    assert!(!stages::converts_before_resize(&large, &options).unwrap());
    assert!(stages::converts_before_resize(&fixture("display-p3-patches.jpg"), &options).unwrap());
}

#[test]
fn transparency_of_a_tagged_png_comes_out_on_the_background_in_either_order() {
    // 1600x1600: the left half transparent black, the right half opaque blue. gAMA 1.0 converts
    // before the resize (and flattens right after), gAMA 1/2.4 after it (and flattens after);
    // untagged, it is flattened in the decoder. Black and blue are the same samples in all three
    // encodings, so all three must come out alike: white, blue, and no darker band between them
    // than the untagged picture's own (JPEG's subsampled chroma at the edge).
    let png_with = |gamma: Option<u32>| {
        let mut data = Vec::new();
        for _ in 0..1600 {
            for x in 0..1600 {
                data.extend_from_slice(if x < 800 { &[0, 0, 0, 0] } else { &[0, 0, 255, 255] });
            }
        }
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, 1600, 1600);
        encoder.set_color(png::ColorType::Rgba);
        if let Some(gamma) = gamma {
            encoder.set_source_gamma(png::ScaledFloat::from_scaled(gamma));
        }
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        png
    };
    let darkest = |img: &image::RgbImage| {
        (0..1200)
            .map(|x| img.get_pixel(x, 600).0.iter().map(|&c| i32::from(c)).sum::<i32>())
            .min()
            .unwrap()
    };
    let untagged = decode_rgb(normalize_profile_image(&png_with(None)).unwrap().bytes());
    for (gamma, before) in [(100_000, true), (41_667, false)] {
        let png = png_with(Some(gamma));
        let options = Options::default();
        assert_eq!(
            profile_image::stages::converts_before_resize(&png, &options).unwrap(),
            before
        );
        let jpeg = normalize_profile_image(&png).unwrap();
        assert!(jpeg.source().alpha_flattened);
        let img = decode_rgb(jpeg.bytes());
        assert_near(mean(&img, 200, 600), WHITE, 3, "transparent half");
        assert_near(mean(&img, 1000, 600), BLUE, 3, "opaque half");
        let (got, want) = (darkest(&img), darkest(&untagged));
        assert!(
            got >= want - 15,
            "gAMA {gamma}: the border darkens to {got}, untagged {want}"
        );
    }
}
