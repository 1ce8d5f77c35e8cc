//! The planar path (a YCbCr or gray JPEG resized as its planes and written as they are) against
//! the RGB path (upsampled, converted, resized as RGB, converted back) that every other source
//! takes: the same pictures within a stated tolerance on every JPEG fixture that succeeds, and
//! chroma sited where it belongs, in every source subsampling and orientation. Outputs are
//! decoded with the `image` crate (zune-jpeg), independent of this crate's decoder.

#[path = "support/helpers.rs"]
mod helpers;
#[path = "support/synth.rs"]
mod synth;

use helpers::{decode_rgb, fixtures_dir};
use profile_image::{normalize_profile_image_with, stages, ChromaSubsampling, Options, Upload};

/// Mean and largest absolute difference per sample of two outputs of the same size.
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> (f64, u8) {
    assert_eq!(a.dimensions(), b.dimensions());
    let (sum, max) = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .fold((0u64, 0u8), |(sum, max), (x, y)| {
            let d = x.abs_diff(*y);
            (sum + u64::from(d), max.max(d))
        });
    (sum as f64 / a.as_raw().len() as f64, max)
}

fn both_paths(bytes: &[u8], options: &Options) -> (image::RgbImage, image::RgbImage) {
    let planar = normalize_profile_image_with(Upload::new(bytes), options).expect("planar path");
    let rgb =
        normalize_profile_image_with(Upload::new(bytes), &stages::without_planes(options)).expect("RGB path");
    assert_eq!(planar.source(), rgb.source());
    (decode_rgb(planar.bytes()), decode_rgb(rgb.bytes()))
}

/// The two paths differ where the RGB path clips: converting to RGB clamps out-of-gamut YCbCr
/// (saturated edges after quantisation), and rounds once more each way; and in how chroma is
/// interpolated when it is scaled up (Lanczos alone, against Lanczos after libjpeg's triangle
/// upsampling). On average that is a fraction of a level (1.1 on the small input scaled up
/// twelve times); at a saturated edge's pixel it reaches tens of levels.
#[test]
fn the_planar_and_rgb_paths_agree_on_every_jpeg_fixture() {
    let mut compared = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jpg"))
        .collect();
    paths.sort();
    let options = Options::default();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rgb_path = stages::without_planes(&options);
        if !matches!(stages::is_planar(&bytes, &options), Ok(true))
            || normalize_profile_image_with(Upload::new(&bytes), &rgb_path).is_err()
        {
            continue;
        }
        let (planar, rgb) = both_paths(&bytes, &options);
        let (mean, max) = difference(&planar, &rgb);
        println!("{name}: mean {mean:.3}, max {max}");
        assert!(mean < 1.5, "{name}: mean difference {mean:.3}");
        compared.push(name);
    }
    // The photo fixtures and the rotated ones at least: the test must not pass by skipping.
    assert!(compared.len() >= 8, "only {compared:?} took the planar path");
    assert!(
        compared.iter().any(|name| name == "photo-2000x1500.jpg"),
        "{compared:?}"
    );
}

#[test]
fn the_planar_path_takes_ycbcr_and_gray_jpegs_only() {
    let options = Options::default();
    let planar = |name: &str| stages::is_planar(&helpers::fixture(name), &options).unwrap();
    assert!(planar("photo-2000x1500.jpg"));
    assert!(planar("gray.jpg"));
    // Colours that need converting, and ink, go through RGB.
    assert!(!planar("display-p3-patches.jpg"));
    assert!(!planar("cmyk-adobe.jpg"));
    assert!(!planar("palette-8bit.png"));
}

/// Where the line shows in an output, along `axis` (0: columns, for a vertical line): the
/// centroid of the luma's and of the chroma's departure from the background, in pixel centres.
fn line_centroid(img: &image::RgbImage, axis: usize, background: [u8; 3]) -> (f64, f64) {
    let (w, h) = img.dimensions();
    let along = if axis == 0 { w } else { h };
    let across = if axis == 0 { h } else { w };
    let ycc = |p: [u8; 3]| {
        let [r, g, b] = p.map(f64::from);
        (
            0.299 * r + 0.587 * g + 0.114 * b,
            -0.168736 * r - 0.331264 * g + 0.5 * b,
            0.5 * r - 0.418688 * g - 0.081312 * b,
        )
    };
    let bg = ycc(background);
    let (mut luma, mut chroma) = ((0.0, 0.0), (0.0, 0.0));
    for i in 0..along {
        let (mut dl, mut dc) = (0.0, 0.0);
        // The middle half of the line, away from the picture's edges.
        for j in across / 4..across * 3 / 4 {
            let (x, y) = if axis == 0 { (i, j) } else { (j, i) };
            let (l, cb, cr) = ycc(img.get_pixel(x, y).0);
            dl += (l - bg.0).abs();
            dc += (cb - bg.1).hypot(cr - bg.2);
        }
        luma = (luma.0 + f64::from(i) * dl, luma.1 + dl);
        chroma = (chroma.0 + f64::from(i) * dc, chroma.1 + dc);
    }
    (luma.0 / luma.1, chroma.0 / chroma.1)
}

/// A one-pixel coloured line at an odd offset, near the middle and near the far end, in 4:2:0,
/// 4:2:2 and 4:4:4 sources under every EXIF orientation, scaled up three times (so that half a
/// source pixel of misplaced chroma is a pixel and a half of output), to an even target and to
/// an odd one (whose last chroma sample covers a pixel past the picture: a chroma grid stretched
/// to fit would drift by up to a pixel at the far end): in both paths the luma and the chroma of
/// the line are where the orientation puts the line, and the two paths agree.
#[test]
fn chroma_stays_on_the_line_in_every_sampling_and_orientation() {
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
    let (w, h) = (96u16, 64u16);
    let background = [120u8, 120, 120];
    let line = [200u8, 40, 60];
    for (axis, at) in [(0usize, 37u32), (0, 85), (1, 21), (1, 57)] {
        let mut rgb = background.repeat(usize::from(w) * usize::from(h));
        for y in 0..u32::from(h) {
            for x in 0..u32::from(w) {
                if [x, y][axis] == at {
                    let i = (y * u32::from(w) + x) as usize * 3;
                    rgb[i..i + 3].copy_from_slice(&line);
                }
            }
        }
        for (sampling, name) in [
            (SamplingFactor::R_4_2_0, "4:2:0"),
            (SamplingFactor::R_4_2_2, "4:2:2"),
            (SamplingFactor::R_4_4_4, "4:4:4"),
        ] {
            let mut source = Vec::new();
            let mut encoder = Encoder::new(&mut source, 100);
            encoder.set_sampling_factor(sampling);
            encoder.encode(&rgb, w, h, ColorType::Rgb).unwrap();
            for (orientation, odd) in (1..=8u16).flat_map(|o| [(o, false), (o, true)]) {
                let bytes = synth::with_exif_orientation(&source, orientation);
                let swaps = orientation >= 5;
                let (uw, uh) = if swaps { (h, w) } else { (w, h) };
                let (uw, uh) = (f64::from(uw), f64::from(uh));
                let mut options = Options::default();
                let shrink = if odd { 1 } else { 0 };
                (options.width, options.height) = (uw as u32 * 3 - shrink, uh as u32 * 3 - shrink);
                options.subsampling = ChromaSubsampling::Yuv420;
                assert!(stages::is_planar(&bytes, &options).unwrap());
                // Where the line's centre (stored at + 0.5) lands upright, in output pixel
                // centres: the stored axis becomes the upright one named by `upright_axis`,
                // backwards for the mirrored orientations, then the centred cover crop and the
                // scale apply.
                let upright_axis = if swaps { 1 - axis } else { axis };
                let stored_length = f64::from([w, h][axis]);
                let backwards = matches!((orientation, axis), (2 | 3 | 7 | 8, 0) | (3 | 4 | 6 | 7, 1));
                let centre = f64::from(at) + 0.5;
                let upright = if backwards { stored_length - centre } else { centre };
                let scale = (f64::from(options.width) / uw).max(f64::from(options.height) / uh);
                let target = f64::from([options.width, options.height][upright_axis]);
                let crop_start = ([uw, uh][upright_axis] - target / scale) / 2.0;
                let expected = (upright - crop_start) * scale - 0.5;
                let (planar, rgb) = both_paths(&bytes, &options);
                let what = format!(
                    "{name}, line at {at} on stored axis {axis}, orientation {orientation}, {}x{}",
                    options.width, options.height
                );
                let planar_at = line_centroid(&planar, upright_axis, background);
                let rgb_at = line_centroid(&rgb, upright_axis, background);
                println!("{what}: expected {expected:.2}, planar {planar_at:.2?}, rgb {rgb_at:.2?}");
                for (path, (luma, chroma)) in [("planar", planar_at), ("rgb", rgb_at)] {
                    assert!(
                        (luma - expected).abs() < 0.3,
                        "{what}: {path} luma at {luma:.2}, not {expected:.2}"
                    );
                    // The output's chroma samples are two pixels apart: a line between two of
                    // them shows up to a pixel off (1.19 at most) on both paths alike.
                    assert!(
                        (chroma - expected).abs() < 1.25,
                        "{what}: {path} chroma at {chroma:.2}, not {expected:.2}"
                    );
                }
                // The paths sample the line's chroma at different phases (a resize straight to
                // the chroma grid against pairs of resized pixels averaged), and the centroid of
                // a ringing filter's response moves with the phase: up to 0.54 pixels apart at
                // odd targets, where a chroma sample misplaced by half a source pixel would be
                // 1.5 apart.
                assert!(
                    (planar_at.1 - rgb_at.1).abs() < 0.75,
                    "{what}: {planar_at:.2?} vs {rgb_at:.2?}"
                );
            }
        }
    }
}

/// Large photos decode at 1/2 and 1/4 of their size, where the planar path gives the chroma its
/// own, smaller transform (libjpeg's larger one brings it to the luma's resolution): the two
/// paths still agree (within the bound above; about 0.9 at 1/2, from the chroma's own
/// transform), baseline and progressive, upright and rotated.
#[test]
fn the_paths_agree_on_photos_scaled_in_the_dct_domain() {
    let options = Options::default();
    for (w, h, progressive, orientation) in [
        (2600, 2500, false, 1),
        (2600, 2500, true, 6),
        (5000, 4800, false, 8),
    ] {
        let bytes = synth::with_exif_orientation(&synth::photo_jpeg(w, h, progressive), orientation);
        assert!(stages::is_planar(&bytes, &options).unwrap());
        let divisor = stages::scale_divisor(&bytes, &options).unwrap();
        let (planar, rgb) = both_paths(&bytes, &options);
        let (mean, max) = difference(&planar, &rgb);
        println!("{w}x{h} progressive {progressive}, orientation {orientation}, 1/{divisor}: mean {mean:.3}, max {max}");
        assert!(divisor >= 2);
        assert!(mean < 1.5, "{w}x{h}: mean difference {mean:.3}");
    }
}

/// Every output subsampling, optimised Huffman tables or not, tiny and odd targets, and
/// orientations that swap the axes (where 4:2:2's chroma is subsampled down the stored picture,
/// not across): the planar path gives the target size, and the RGB path's picture.
#[test]
fn the_paths_agree_for_every_subsampling_and_odd_or_tiny_targets() {
    let photo = helpers::fixture("photo-2000x1500.jpg");
    for orientation in [1, 3, 6] {
        let bytes = synth::with_exif_orientation(&photo, orientation);
        for subsampling in [
            ChromaSubsampling::Yuv420,
            ChromaSubsampling::Yuv422,
            ChromaSubsampling::Yuv444,
        ] {
            for (width, height) in [(1, 1), (2, 3), (287, 193), (640, 480)] {
                let mut options = Options::default();
                (options.width, options.height) = (width, height);
                options.subsampling = subsampling;
                options.optimize_huffman = width == 287;
                assert!(stages::is_planar(&bytes, &options).unwrap());
                // The RGB path writes optimised tables through jpeg-encoder, one scan per
                // component, which zune-jpeg misreads; its pixels are the same without them.
                let planar = normalize_profile_image_with(Upload::new(&bytes), &options).unwrap();
                let mut plain = stages::without_planes(&options);
                plain.optimize_huffman = false;
                let rgb = normalize_profile_image_with(Upload::new(&bytes), &plain).unwrap();
                let (planar, rgb) = (decode_rgb(planar.bytes()), decode_rgb(rgb.bytes()));
                assert_eq!(planar.dimensions(), (width, height));
                let (mean, max) = difference(&planar, &rgb);
                let what = format!("orientation {orientation}, {subsampling:?}, {width}x{height}");
                println!("{what}: mean {mean:.3}, max {max}");
                // Two or three pixels across, the last chroma sample's half outside the picture is
                // most of it, and the paths' edge rules part (the RGB path repeats the last
                // pixel, the planar path the last band of source): a few levels.
                let bound = if width.min(height) < 8 { 6.0 } else { 1.5 };
                assert!(mean < bound, "{what}: mean difference {mean:.3}");
            }
        }
    }
}
