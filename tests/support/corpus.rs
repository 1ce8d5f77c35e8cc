//! The fixture corpus: every file under `fixtures/`, generated in memory.
//!
//! `all()` builds each fixture from code, so that its provenance is this file and nothing else.
//! It is pure and deterministic: no I/O, no clock, no floating point in anything that becomes a
//! file (integer arithmetic gives the same pixels on every platform), and the only "randomness"
//! is a fixed-seed SplitMix64 generator written below.
//!
//! Every fixture that must succeed also carries `looks_like`: the upright sRGB picture, over
//! white, that the file is meant to display as. It is the reference the conformance suite renders
//! the expected output from. It is known here, where the file is made, not read back from the
//! file; the few colour-managed references use the published conversion matrices in floating
//! point (they are compared within a tolerance and never written to disk).
//!
//! Two programs share this module through `#[path = "..."] mod corpus;`:
//! `examples/generate_fixtures.rs` writes the files, and `tests/fixtures_up_to_date.rs` checks
//! that the committed files are byte-identical to what this module produces. The bytes depend on
//! the exact versions of jpeg-encoder, png and moxcms in `Cargo.lock`; a dependency update that
//! changes them makes that test fail until the generator is run again.
//!
//! Each `*_fixtures` function below is one family; `fixtures/README.md` describes every file.
#![allow(dead_code)]

use jpeg_encoder::{ColorType, Encoder as JpegEncoder, SamplingFactor};

#[path = "colour.rs"]
mod colour;
#[path = "scan_writer.rs"]
mod scan_writer;

use colour::{gamma_to_srgb, linear_to_srgb, to_srgb, Space};

/// One generated file and what the library must do with it.
pub struct Fixture {
    /// File name under `fixtures/`.
    pub name: &'static str,
    /// Exact file contents.
    pub bytes: Vec<u8>,
    /// Expected outcome of normalising the file with default options and limits.
    pub expect: Expect,
    /// For a fixture that must succeed: the upright, sRGB, opaque RGB picture it displays as.
    pub looks_like: Option<Raster>,
    /// The file is photo-like content in a lossy JPEG: small features (lit windows a pixel wide,
    /// grain) lose more to the file's own chroma subsampling and quantisation than the
    /// conformance tolerance allows once upscaled, so outputs are compared with the file as an
    /// independent decoder reads it rather than with `looks_like`.
    pub lossy: bool,
    /// Edge cells are held to the flat-cell tolerance too: for colour-managed sources whose
    /// conversion must run before the resize, where the edges are what a wrong order moves.
    pub strict_edges: bool,
    /// Compared with the output for an untagged sRGB PNG of `looks_like` (its twin) rather than
    /// with the suite's float rendering: for tiny sources scaled up hundreds of times, where the
    /// resizer's 8-bit passes and the float rendering part by more than the tolerance whatever
    /// the colours (the twin itself is 8 levels off at 3x3), so only the twin isolates what the
    /// colour handling does.
    pub against_twin: bool,
}

/// Expected outcome for a fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Success. The size is that of the source as displayed, after applying EXIF orientation
    /// (not the output size, which is always 1200x1200).
    Ok { width: u32, height: u32 },
    /// Failure with this error code.
    Error(&'static str),
}

impl Expect {
    /// The second column of `manifest.tsv`: `ok WxH` or `error CODE`.
    pub fn manifest_value(&self) -> String {
        match self {
            Expect::Ok { width, height } => format!("ok {width}x{height}"),
            Expect::Error(code) => format!("error {code}"),
        }
    }
}

/// Contents of `fixtures/manifest.tsv`: a header line, then one line per fixture sorted by name.
pub fn manifest(fixtures: &[Fixture]) -> String {
    let mut lines: Vec<String> = fixtures
        .iter()
        .map(|f| format!("{}\t{}\n", f.name, f.expect.manifest_value()))
        .collect();
    lines.sort();
    let mut out = String::from("name\texpected\n");
    out.extend(lines);
    out
}

/// Every fixture, sorted by name.
pub fn all() -> Vec<Fixture> {
    let mut out = Vec::new();
    photo_fixtures(&mut out);
    orientation_fixtures(&mut out);
    colour_profile_fixtures(&mut out);
    jpeg_variant_fixtures(&mut out);
    cmyk_fixtures(&mut out);
    alpha_fixtures(&mut out);
    png_variant_fixtures(&mut out);
    colour_order_fixtures(&mut out);
    size_edge_fixtures(&mut out);
    foreign_format_fixtures(&mut out);
    damaged_fixtures(&mut out);
    limit_fixtures(&mut out);
    unsupported_jpeg_fixtures(&mut out);
    out.sort_by(|a, b| a.name.cmp(b.name));
    for pair in out.windows(2) {
        assert_ne!(pair[0].name, pair[1].name, "duplicate fixture name");
    }
    out
}

const EMPTY: &str = "image.empty";
const UNSUPPORTED_TYPE: &str = "image.unsupported_type";
const DIMENSIONS_TOO_LARGE: &str = "image.dimensions_too_large";
const TOO_MANY_PIXELS: &str = "image.too_many_pixels";
const ZERO_DIMENSIONS: &str = "image.zero_dimensions";
const TRUNCATED: &str = "image.truncated";
const CORRUPT: &str = "image.corrupt";
const UNSUPPORTED_ENCODING: &str = "image.unsupported_encoding";

/// A fixture that must succeed and display as `looks_like` (RGB, upright, sRGB, over white).
fn ok(name: &'static str, bytes: Vec<u8>, looks_like: Raster) -> Fixture {
    assert_eq!(
        looks_like.data.len(),
        (looks_like.width * looks_like.height * 3) as usize
    );
    let expect = Expect::Ok {
        width: looks_like.width,
        height: looks_like.height,
    };
    let looks_like = Some(looks_like);
    Fixture {
        name,
        bytes,
        expect,
        looks_like,
        lossy: false,
        strict_edges: false,
        against_twin: false,
    }
}

/// A tiny colour-managed fixture compared with its untagged twin, every cell held to the
/// flat-cell tolerance (see `Fixture::against_twin`).
fn ok_twin(name: &'static str, bytes: Vec<u8>, looks_like: Raster) -> Fixture {
    Fixture {
        against_twin: true,
        ..ok_strict(name, bytes, looks_like)
    }
}

/// A fixture that must succeed, with its edge cells held to the flat-cell tolerance.
fn ok_strict(name: &'static str, bytes: Vec<u8>, looks_like: Raster) -> Fixture {
    Fixture {
        strict_edges: true,
        ..ok(name, bytes, looks_like)
    }
}

/// A photo-like lossy JPEG that must succeed (see `Fixture::lossy`); no EXIF, no profile.
fn ok_lossy(name: &'static str, bytes: Vec<u8>, looks_like: Raster) -> Fixture {
    Fixture {
        lossy: true,
        ..ok(name, bytes, looks_like)
    }
}

fn error(name: &'static str, bytes: Vec<u8>, code: &'static str) -> Fixture {
    let expect = Expect::Error(code);
    Fixture {
        name,
        bytes,
        expect,
        looks_like: None,
        lossy: false,
        strict_edges: false,
        against_twin: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Families of fixtures
// ---------------------------------------------------------------------------------------------

/// The photo-like JPEG that the README example runs on: a phone-sized 4:2:0 baseline file.
fn photo_fixtures(out: &mut Vec<Fixture>) {
    let picture = photo(2000, 1500);
    let bytes = plain_jpeg(&picture, rgb(90, S420));
    out.push(ok_lossy("photo-2000x1500.jpg", bytes, picture));
}

/// EXIF orientations 1 to 8. Every file displays as the same upright 300x200 picture; the stored
/// pixels are that picture transformed by the inverse of the orientation.
fn orientation_fixtures(out: &mut Vec<Fixture>) {
    const NAMES: [&str; 8] = [
        "orientation-1.jpg",
        "orientation-2.jpg",
        "orientation-3.jpg",
        "orientation-4.jpg",
        "orientation-5.jpg",
        "orientation-6.jpg",
        "orientation-7.jpg",
        "orientation-8.jpg",
    ];
    let display = quadrants(300, 200, RGBY);
    for (orientation, name) in (1u16..).zip(NAMES) {
        let stored = store_for_orientation(&display, orientation);
        let app1 = exif_app1(&orientation_tiff(Endian::Big, orientation));
        let bytes = jpeg(&stored, rgb(95, S444), |e| {
            e.add_app_segment(1, app1).expect("EXIF fits in APP1");
        });
        out.push(ok(name, bytes, display.clone()));
    }

    // Same as orientation 6, but little-endian TIFF with other tags around the orientation, some
    // with out-of-line values, so that a parser has to walk the IFD properly.
    let stored = store_for_orientation(&display, 6);
    let app1 = exif_app1(&camera_tiff_le(6));
    let bytes = jpeg(&stored, rgb(95, S444), |e| {
        e.add_app_segment(1, app1).expect("EXIF fits in APP1");
    });
    out.push(ok("orientation-6-little-endian.jpg", bytes, display.clone()));

    // PNG keeps EXIF in an eXIf chunk: raw TIFF without the "Exif\0\0" prefix. The png encoder
    // writes it before IDAT.
    let mut info = png_info(&stored, png::ColorType::Rgb, png::BitDepth::Eight);
    info.exif_metadata = Some(orientation_tiff(Endian::Big, 6).into());
    out.push(ok("orientation-6.png", png_encode(info, &stored.data), display));
}

/// Embedded ICC profiles: wide-gamut sources that must be converted to sRGB, a profile split over
/// several APP2 segments, and a garbage profile (the library must fall back to sRGB).
fn colour_profile_fixtures(out: &mut Vec<Fixture>) {
    let pixels = quadrants(256, 256, WIDE_GAMUT_PATCHES);
    let p3 = icc(moxcms::ColorProfile::new_display_p3());
    let adobe = icc(moxcms::ColorProfile::new_adobe_rgb());

    let bytes = jpeg(&pixels, rgb(95, S444), |e| {
        e.add_icc_profile(&p3).expect("profile fits");
    });
    let p3_in_srgb = quadrants(256, 256, WIDE_GAMUT_PATCHES.map(|c| to_srgb(c, Space::DisplayP3)));
    out.push(ok("display-p3-patches.jpg", bytes, p3_in_srgb.clone()));

    // ICC.1 Annex B.4: each APP2 holds "ICC_PROFILE\0", a 1-based sequence number, the number of
    // chunks, then a piece of the profile. 200-byte pieces force several segments.
    let pieces: Vec<&[u8]> = p3.chunks(200).collect();
    assert!(pieces.len() >= 3, "the profile should need 3 pieces or more");
    let count = u8::try_from(pieces.len()).expect("few pieces");
    let bytes = jpeg(&pixels, rgb(95, S444), |e| {
        for (seq, piece) in (1u8..).zip(&pieces) {
            let data = [b"ICC_PROFILE\0".as_slice(), &[seq, count], piece].concat();
            e.add_app_segment(2, data).expect("piece fits");
        }
    });
    out.push(ok("display-p3-split-icc.jpg", bytes, p3_in_srgb.clone()));

    let bytes = jpeg(&pixels, rgb(95, S444), |e| {
        e.add_icc_profile(&adobe).expect("profile fits");
    });
    let adobe_in_srgb = quadrants(256, 256, WIDE_GAMUT_PATCHES.map(|c| to_srgb(c, Space::AdobeRgb)));
    out.push(ok("adobe-rgb-patches.jpg", bytes, adobe_in_srgb));

    // A well-formed single APP2 ICC segment whose 300-byte profile is garbage: the header's size
    // field says 300, but there is no "acsp" signature and no tag table.
    let mut garbage = vec![0xA5; 300];
    garbage[..4].copy_from_slice(&300u32.to_be_bytes());
    let bytes = jpeg(&pixels, rgb(95, S444), |e| {
        e.add_icc_profile(&garbage).expect("profile fits");
    });
    out.push(ok("broken-icc.jpg", bytes, pixels.clone()));

    // PNG keeps the profile zlib-compressed in iCCP.
    let mut info = png_info(&pixels, png::ColorType::Rgb, png::BitDepth::Eight);
    info.icc_profile = Some(p3.clone().into());
    out.push(ok("icc-p3.png", png_encode(info, &pixels.data), p3_in_srgb));

    // The split profile again with its second piece left out: an incomplete profile is ignored
    // (the picture is taken as sRGB), never half-applied.
    let bytes = jpeg(&pixels, rgb(95, S444), |e| {
        for (seq, piece) in (1u8..).zip(&pieces).filter(|(seq, _)| *seq != 2) {
            let data = [b"ICC_PROFILE\0".as_slice(), &[seq, count], piece].concat();
            e.add_app_segment(2, data).expect("piece fits");
        }
    });
    out.push(ok("icc-missing-chunk.jpg", bytes, pixels.clone()));

    // A real profile cut to half its length (its header still gives the full size).
    let bytes = jpeg(&pixels, rgb(95, S444), |e| {
        e.add_icc_profile(&p3[..p3.len() / 2]).expect("profile fits");
    });
    out.push(ok("icc-truncated.jpg", bytes, pixels));

    // A grayscale JPEG with a gray profile of gamma 2.2: mid-tones come out lighter in sRGB.
    let ramp = Raster::from_fn(256, 64, |x, _| vec![x as u8]);
    let gray_profile = icc(moxcms::ColorProfile::new_gray_with_gamma(2.2));
    let settings = JpegSettings {
        colour: ColorType::Luma,
        quality: 95,
        sampling: S444,
    };
    let bytes = jpeg(&ramp, settings, |e| {
        e.add_icc_profile(&gray_profile).expect("profile fits");
    });
    let looks = Raster::from_fn(256, 64, |x, _| vec![gamma_to_srgb(x as u8, 2.2); 3]);
    out.push(ok("gray-icc-gamma-2.2.jpg", bytes, looks));
}

/// Encodes a moxcms profile. moxcms stamps the header's creation date (bytes 24..36: year, month,
/// day, hours, minutes, seconds as big-endian u16) with the current time, so it is overwritten
/// with a fixed date to keep the output deterministic. moxcms leaves the profile ID (an MD5 of
/// the profile) zero, meaning "not computed", so nothing else depends on those bytes.
fn icc(profile: moxcms::ColorProfile) -> Vec<u8> {
    let mut bytes = profile.encode().expect("moxcms encodes its own profiles");
    assert_eq!(&bytes[36..40], b"acsp", "ICC header layout");
    assert!(bytes[84..100].iter().all(|&b| b == 0), "profile ID not computed");
    let date = [2025u16, 1, 1, 0, 0, 0].map(u16::to_be_bytes);
    bytes[24..36].copy_from_slice(date.as_flattened());
    bytes
}

/// JPEG coding variants the decoder must handle: grayscale, progressive, restart markers,
/// chroma subsampling other than 4:2:0, and sizes that are not a multiple of the MCU size.
fn jpeg_variant_fixtures(out: &mut Vec<Fixture>) {
    let ramp = Raster::from_fn(320, 240, |x, _| vec![(x * 255 / 319) as u8]);
    let gray = JpegSettings {
        colour: ColorType::Luma,
        quality: 90,
        sampling: S444,
    };
    out.push(ok("gray.jpg", plain_jpeg(&ramp, gray), gray_to_rgb(&ramp)));

    let picture = photo(800, 600);
    let bytes = jpeg(&picture, rgb(85, S420), |e| e.set_progressive(true));
    out.push(ok_lossy("progressive.jpg", bytes, picture));

    let pixels = photo(400, 300);
    let bytes = jpeg(&pixels, rgb(85, S420), |e| e.set_restart_interval(4));
    out.push(ok_lossy("restart-interval.jpg", bytes, pixels.clone()));

    let bytes = plain_jpeg(&pixels, rgb(85, S444));
    out.push(ok_lossy("subsampling-444.jpg", bytes, pixels.clone()));

    let bytes = plain_jpeg(&pixels, rgb(85, S422));
    out.push(ok_lossy("subsampling-422.jpg", bytes, pixels.clone()));

    // 4:1:1 makes 32x8 MCUs; 400 is not a multiple of 32, so the last MCU column is partial.
    let bytes = plain_jpeg(&pixels, rgb(85, S411));
    out.push(ok_lossy("subsampling-411.jpg", bytes, pixels));

    let picture = photo(333, 177);
    let bytes = plain_jpeg(&picture, rgb(85, S420));
    out.push(ok_lossy("odd-size-333x177.jpg", bytes, picture));

    // Codings jpeg-encoder does not write, from this crate's own small scan writer. The
    // non-interleaved file is compared with the picture it was made from, not with the `image`
    // crate's decode: zune-jpeg 0.5.15 decodes non-interleaved subsampled files to garbage
    // (zune-image issue 422, fixed after that release).
    let picture = photo(203, 150);
    let bytes = scan_writer::encode(&picture.data, 203, 150, scan_writer::Coding::NonInterleaved);
    out.push(ok("non-interleaved.jpg", bytes, picture.clone()));
    let bytes = scan_writer::encode(
        &picture.data,
        203,
        150,
        scan_writer::Coding::ProgressiveRefinement,
    );
    out.push(ok_lossy("progressive-refinement.jpg", bytes, picture));

    // A quantisation table with a zero entry (the last luminance one), which libjpeg reads.
    let picture = photo(160, 120);
    let mut bytes = plain_jpeg(&picture, rgb(85, S420));
    let (dqt, _) = segment(&bytes, 0xDB);
    assert_eq!(bytes[dqt + 4], 0, "the luminance table comes first");
    bytes[dqt + 5 + 63] = 0;
    out.push(ok_lossy("zero-quantisation-entry.jpg", bytes, picture));

    // 4:2:0 pictures smaller than one MCU, down to a single pixel.
    for (side, name) in [
        (1, "tiny-420-1x1.jpg"),
        (2, "tiny-420-2x2.jpg"),
        (3, "tiny-420-3x3.jpg"),
        (4, "tiny-420-4x4.jpg"),
        (5, "tiny-420-5x5.jpg"),
        (6, "tiny-420-6x6.jpg"),
        (7, "tiny-420-7x7.jpg"),
    ] {
        let flat = Raster::from_fn(side, side, |_, _| vec![230, 120, 40]);
        out.push(ok(name, plain_jpeg(&flat, rgb(95, S420)), flat));
    }
}

/// Four-component JPEGs, 128x128. The intended colours, as ink amounts (255 = full ink), are:
/// top-left cyan only, top-right magenta only, bottom-left yellow only, bottom-right no ink
/// (white). K is 0 everywhere.
///
/// Adobe (Photoshop) CMYK JPEGs store inverted samples: stored = 255 - ink. jpeg-encoder 0.7.1
/// already does that inversion, so it is given ink amounts: for `ColorType::Cmyk` it writes
/// `255 - input` for every channel, and for `ColorType::CmykAsYcck` it converts (C, M, Y) as if
/// they were (R, G, B) to YCbCr and writes `255 - K`, which is the inverse of Adobe's YCCK
/// decoding (YCbCr to RGB, then CMY = 255 - RGB, K as stored).
fn cmyk_fixtures(out: &mut Vec<Fixture>) {
    const INKS: [[u8; 4]; 4] = [[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 0, 0, 0]];
    let ink = Raster::from_fn(128, 128, |x, y| INKS[quadrant(x, y, 128, 128)].to_vec());
    let cmyk = JpegSettings {
        colour: ColorType::Cmyk,
        quality: 95,
        sampling: S444,
    };
    let ycck = JpegSettings {
        colour: ColorType::CmykAsYcck,
        ..cmyk
    };

    // Without a CMYK profile, ink converts naively: each ink removes its complementary primary.
    let looks = quadrants(128, 128, [[0, 255, 255], [255, 0, 255], [255, 255, 0], WHITE]);

    let bytes = plain_jpeg(&ink, cmyk);
    debug_assert_eq!(adobe_transform(&bytes), Some(0));
    out.push(ok("cmyk-adobe.jpg", bytes, looks.clone()));

    let bytes = plain_jpeg(&ink, ycck);
    debug_assert_eq!(adobe_transform(&bytes), Some(2));
    out.push(ok("ycck-adobe.jpg", bytes, looks.clone()));

    // Without an Adobe APP14 segment the convention is plain CMYK (stored = ink), so give the
    // encoder 255 - ink to cancel its own inversion, then cut the APP14 segment out.
    let pre_inverted = Raster {
        data: ink.data.iter().map(|v| 255 - v).collect(),
        ..ink
    };
    let bytes = plain_jpeg(&pre_inverted, cmyk);
    let (start, end) = segment(&bytes, 0xEE);
    let bytes = [&bytes[..start], &bytes[end..]].concat();
    debug_assert_eq!(adobe_transform(&bytes), None);
    out.push(ok("cmyk-no-adobe.jpg", bytes, looks));

    // Adobe CMYK inks with a CMYK output profile: colours come from the profile, not from the
    // naive formula, so cyan is a printed cyan (about Lab 55/-37/-50), far from (0, 255, 255).
    // Where two inks meet, resizing in ink space would make an overprint that the profile
    // darkens, while the reference, converted first, blends the two colours: the conversion must
    // run before the resize, and the edge cells are held to the flat-cell tolerance.
    let bytes = jpeg(&ink, cmyk, |e| {
        e.add_icc_profile(&cmyk_profile()).expect("profile fits");
    });
    let colours = [0b1000, 0b0100, 0b0010, 0].map(|corner| xyz16_to_srgb(CMYK_XYZ[corner]));
    let looks = Raster::from_fn(128, 128, |x, y| colours[quadrant(x, y, 128, 128)].to_vec());
    out.push(ok_strict("cmyk-icc-profile.jpg", bytes, looks));
}

/// XYZ (D50) of every corner of the CMYK cube, in the u1Fixed15 encoding of lut16Type (1.0 is
/// 0x8000), indexed by C M Y K bits (C the highest). The inks are typical offset-press values:
/// cyan Lab(55, -37, -50), magenta Lab(48, 74, -3), yellow Lab(89, -5, 93), black Lab(16, 0, 0),
/// on a paper of the D50 white; an overprint multiplies the inks' XYZ ratios to the paper.
/// Computed once in floating point and written down here, so that the file's bytes do not depend
/// on float rounding. XYZ rather than Lab as the PCS: its lut16 encoding has one reading.
const CMYK_XYZ: [[u16; 3]; 16] = [
    [31595, 32768, 27030],
    [663, 688, 567],
    [22664, 24302, 2305],
    [476, 510, 48],
    [10824, 5503, 4920],
    [227, 116, 103],
    [7765, 4081, 420],
    [163, 86, 9],
    [4922, 7514, 17317],
    [103, 158, 364],
    [3531, 5572, 1477],
    [74, 117, 31],
    [1686, 1262, 3152],
    [35, 26, 66],
    [1210, 936, 269],
    [25, 20, 6],
];

/// A minimal CMYK output profile: one lut16Type AToB0 (perceptual) table whose CLUT has two grid
/// points per ink (the corners in `CMYK_XYZ`, interpolated multilinearly), identity input and
/// output curves, XYZ PCS, encoded by moxcms.
fn cmyk_profile() -> Vec<u8> {
    let identity = |channels: usize| (0..channels).flat_map(|_| [0u16, 65535]).collect::<Vec<u16>>();
    let lut = moxcms::LutDataType {
        num_input_channels: 4,
        num_output_channels: 3,
        num_clut_grid_points: 2,
        matrix: moxcms::Matrix3d::IDENTITY,
        num_input_table_entries: 2,
        num_output_table_entries: 2,
        input_table: moxcms::LutStore::Store16(identity(4)),
        clut_table: moxcms::LutStore::Store16(CMYK_XYZ.as_flattened().to_vec()),
        output_table: moxcms::LutStore::Store16(identity(3)),
        lut_type: moxcms::LutType::Lut16,
    };
    let d50 = moxcms::Xyzd {
        x: 0.9642,
        y: 1.0,
        z: 0.8249,
    };
    let mut profile = moxcms::ColorProfile::default();
    profile.pcs = moxcms::DataColorSpace::Xyz;
    profile.color_space = moxcms::DataColorSpace::Cmyk;
    profile.profile_class = moxcms::ProfileClass::OutputDevice;
    profile.white_point = d50;
    profile.media_white_point = Some(d50);
    profile.lut_a_to_b_perceptual = Some(moxcms::LutWarehouse::Lut(lut));
    icc(profile)
}

/// Alpha that must be composited over white.
fn alpha_fixtures(out: &mut Vec<Fixture>) {
    // Left half: alpha 0 with RGB (0, 0, 0). Ignoring alpha, or compositing over black, turns it
    // black; the right answer is white. Right half: opaque blue.
    let half = Raster::from_fn(200, 200, |x, _| {
        if x < 100 {
            vec![0, 0, 0, 0]
        } else {
            vec![0, 0, 255, 255]
        }
    });
    let info = png_info(&half, png::ColorType::Rgba, png::BitDepth::Eight);
    out.push(ok(
        "transparent-half.png",
        png_encode(info, &half.data),
        over_white(&half),
    ));

    // Red at alpha 128: over white that is about (255, 127, 127).
    let red = Raster::from_fn(100, 100, |_, _| vec![255, 0, 0, 128]);
    let info = png_info(&red, png::ColorType::Rgba, png::BitDepth::Eight);
    out.push(ok(
        "semi-transparent.png",
        png_encode(info, &red.data),
        over_white(&red),
    ));

    // Nothing visible at all, over colours that differ per pixel: the output is plain white.
    let ghost = Raster::from_fn(80, 60, |x, y| vec![(x * 3) as u8, (y * 4) as u8, 90, 0]);
    let info = png_info(&ghost, png::ColorType::Rgba, png::BitDepth::Eight);
    out.push(ok(
        "fully-transparent.png",
        png_encode(info, &ghost.data),
        over_white(&ghost),
    ));
}

/// PNG colour types, bit depths, interlacing, animation and colour chunks.
fn png_variant_fixtures(out: &mut Vec<Fixture>) {
    // 1-bit gray, 64x48: a checkerboard of 8x8 squares, so each byte is one square's row.
    let bits = Raster::from_fn(8, 48, |byte, y| {
        vec![if (byte + y / 8) % 2 == 0 { 0xFF } else { 0 }]
    });
    let mut info = png_info(&bits, png::ColorType::Grayscale, png::BitDepth::One);
    info.width = 64; // 8 bytes of 8 pixels
    let looks = Raster::from_fn(64, 48, |x, y| {
        vec![if (x / 8 + y / 8) % 2 == 0 { 255 } else { 0 }; 3]
    });
    out.push(ok("gray-1bit.png", png_encode(info, &bits.data), looks));

    // 2-bit and 4-bit gray: four and sixteen vertical bands of every level, 64x32. Levels scale
    // to 8 bits by bit replication (PNG spec 13.12): 2-bit 1 is 0x55, 4-bit 1 is 0x11.
    for (bits, depth, name) in [
        (2u32, png::BitDepth::Two, "gray-2bit.png"),
        (4, png::BitDepth::Four, "gray-4bit.png"),
    ] {
        let levels = 1u32 << bits;
        let level = |x: u32| x * levels / 64;
        let per_byte = 8 / bits;
        let packed = Raster::from_fn(64 / per_byte, 32, |byte, _| {
            let mut value = 0u32;
            for i in 0..per_byte {
                value = value << bits | level(byte * per_byte + i);
            }
            vec![value as u8]
        });
        let mut info = png_info(&packed, png::ColorType::Grayscale, depth);
        info.width = 64;
        let looks = Raster::from_fn(64, 32, |x, _| vec![(level(x) * 255 / (levels - 1)) as u8; 3]);
        out.push(ok(name, png_encode(info, &packed.data), looks));
    }

    // 8-bit gray: a diagonal ramp.
    let diagonal = Raster::from_fn(96, 64, |x, y| vec![((x + y) * 255 / 158) as u8]);
    let info = png_info(&diagonal, png::ColorType::Grayscale, png::BitDepth::Eight);
    out.push(ok(
        "gray-8bit.png",
        png_encode(info, &diagonal.data),
        gray_to_rgb(&diagonal),
    ));

    // 16-bit gray: a horizontal ramp over the full 16-bit range (PNG samples are big-endian).
    let ramp = Raster::from_fn(256, 64, |x, _| ((x * 65535 / 255) as u16).to_be_bytes().to_vec());
    let info = png_info(&ramp, png::ColorType::Grayscale, png::BitDepth::Sixteen);
    let looks = Raster::from_fn(256, 64, |x, _| vec![x as u8; 3]);
    out.push(ok("gray-16bit.png", png_encode(info, &ramp.data), looks));

    // Gray + alpha: gray ramps left to right, alpha from opaque (top) to transparent (bottom).
    let fade = Raster::from_fn(128, 128, |x, y| vec![(x * 2) as u8, (255 - y * 2) as u8]);
    let info = png_info(&fade, png::ColorType::GrayscaleAlpha, png::BitDepth::Eight);
    let looks = Raster::from_fn(128, 128, |x, y| {
        let [v] = over_white_pixel(&[(x * 2) as u8], (255 - y * 2) as u8);
        vec![v; 3]
    });
    out.push(ok("gray-alpha.png", png_encode(info, &fade.data), looks));

    // 16-bit RGB: the RGBY quadrants, darkening upwards in 16-bit steps.
    let deep = Raster::from_fn(128, 96, |x, y| {
        let colour = RGBY[quadrant(x, y, 128, 96)];
        let scale = |c: u8| (u32::from(c) * 257 * (96 + y) / 192) as u16;
        colour.iter().flat_map(|&c| scale(c).to_be_bytes()).collect()
    });
    let info = png_info(&deep, png::ColorType::Rgb, png::BitDepth::Sixteen);
    let looks = Raster::from_fn(128, 96, |x, y| {
        let colour = RGBY[quadrant(x, y, 128, 96)];
        colour
            .iter()
            .map(|&c| (u32::from(c) * (96 + y) / 192) as u8)
            .collect()
    });
    out.push(ok("rgb-16bit.png", png_encode(info, &deep.data), looks));

    // 4-bit palette with tRNS: entry 0 is fully transparent (its colour, black, must not show),
    // entries 1-3 are opaque red, green and blue. An 8-pixel transparent frame around three
    // vertical stripes. Two pixels per byte.
    let index = |x: u32, y: u32| match (x, y) {
        (8..56, 8..56) => 1 + ((x - 8) / 16) as u8,
        _ => 0,
    };
    let packed = Raster::from_fn(32, 64, |pair, y| {
        vec![index(pair * 2, y) << 4 | index(pair * 2 + 1, y)]
    });
    let mut info = png_info(&packed, png::ColorType::Indexed, png::BitDepth::Four);
    info.width = 64; // 32 bytes of 2 pixels
    info.palette = Some(vec![0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255].into());
    info.trns = Some(vec![0, 255, 255, 255].into());
    let looks = Raster::from_fn(64, 64, |x, y| match index(x, y) {
        0 => WHITE.to_vec(),
        i => [RED, GREEN, BLUE][usize::from(i) - 1].to_vec(),
    });
    out.push(ok("palette-trns.png", png_encode(info, &packed.data), looks));

    // 8-bit palette, no tRNS: 216 web-safe colours as 12x18 tiles of 4x4 pixels.
    let palette: Vec<u8> = (0..216u32)
        .flat_map(|i| [i / 36, i / 6 % 6, i % 6].map(|c| (c * 51) as u8))
        .collect();
    let tile = |x: u32, y: u32| (y / 4 * 12 + x / 4) as usize;
    let indices = Raster::from_fn(48, 72, |x, y| vec![tile(x, y) as u8]);
    let mut info = png_info(&indices, png::ColorType::Indexed, png::BitDepth::Eight);
    info.palette = Some(palette.clone().into());
    let looks = Raster::from_fn(48, 72, |x, y| {
        palette[tile(x, y) * 3..tile(x, y) * 3 + 3].to_vec()
    });
    out.push(ok("palette-8bit.png", png_encode(info, &indices.data), looks));

    // 2-bit palette: four horizontal bands, four pixels per byte.
    const BANDS: [[u8; 3]; 4] = [[20, 40, 160], [250, 250, 250], [200, 30, 30], [30, 140, 60]];
    let packed = Raster::from_fn(10, 40, |_, y| vec![(y / 10) as u8 * 0x55]);
    let mut info = png_info(&packed, png::ColorType::Indexed, png::BitDepth::Two);
    info.width = 40;
    info.palette = Some(BANDS.as_flattened().to_vec().into());
    let looks = Raster::from_fn(40, 40, |_, y| BANDS[(y / 10) as usize].to_vec());
    out.push(ok("palette-2bit.png", png_encode(info, &packed.data), looks));

    let (bytes, looks) = interlaced_png(61, 43, false);
    out.push(ok("interlaced-adam7.png", bytes, looks));
    let (bytes, looks) = interlaced_png(61, 43, true);
    out.push(ok("interlaced-adam7-rgba.png", bytes, looks));
    out.push(ok(
        "apng-two-frames.png",
        apng_two_frames(),
        quadrants(64, 64, RGBY),
    ));

    let pixels = quadrants(64, 64, RGBY);
    let mut info = png_info(&pixels, png::ColorType::Rgb, png::BitDepth::Eight);
    info.srgb = Some(png::SrgbRenderingIntent::Perceptual);
    out.push(ok(
        "srgb-chunk.png",
        png_encode(info, &pixels.data),
        pixels.clone(),
    ));

    // cICP (PNG third edition): primaries 12 (Display P3), transfer 13 (the sRGB curve), matrix 0
    // (RGB), full range. The png encoder does not write cICP from its Info, so it goes in as a raw
    // chunk before IDAT, where the specification puts it.
    let patches = quadrants(64, 64, WIDE_GAMUT_PATCHES);
    let info = png_info(&patches, png::ColorType::Rgb, png::BitDepth::Eight);
    let bytes = png_encode_with_chunk(info, &patches.data, *b"cICP", &[12, 13, 0, 1]);
    let looks = quadrants(64, 64, WIDE_GAMUT_PATCHES.map(|c| to_srgb(c, Space::DisplayP3)));
    out.push(ok("cicp-display-p3.png", bytes, looks));

    // gAMA alone, with gamma 1/1.8 (the old Mac convention), stored as 100000 / 1.8 = 55556.
    let ramp = Raster::from_fn(64, 64, |x, _| vec![(x * 4) as u8; 3]);
    let mut info = png_info(&ramp, png::ColorType::Rgb, png::BitDepth::Eight);
    info.source_gamma = Some(png::ScaledFloat::from_scaled(55556));
    let looks = Raster::from_fn(64, 64, |x, _| vec![gamma_to_srgb((x * 4) as u8, 1.8); 3]);
    out.push(ok("gamma-chunk.png", png_encode(info, &ramp.data), looks));
}

/// Sources whose encoding is far from sRGB's, where the colour conversion must run before the
/// resize: PNGs tagged gAMA 1.0 (linear samples) and gAMA 1/1.8 with hard-edged cells of
/// saturated red, green and blue and a mid-tone, as palette and RGB images at 32x32, 8x8 and
/// 3x3 (scaled up), and a large gray gAMA 1.0 picture (scaled down). Converted after the
/// resize, the filter's overshoot at every edge is stretched by the curve into dark seams.
/// Their references are colour-managed at the source size; edge cells are held to the
/// flat-cell tolerance. The 8x8 and 3x3 ones are compared with their untagged twins.
fn colour_order_fixtures(out: &mut Vec<Fixture>) {
    // Stored samples that display as saturated red, green and blue and a mid-tone, (224, 32,
    // 32), (32, 224, 32), (32, 32, 224) and (160, 128, 64) in sRGB, encoded with each gamma
    // (worked out once in floating point and written down, so the files need none). Not 0 and
    // 255: the resizer's 8-bit intermediate clips a Lanczos3 overshoot past them, which the
    // float reference does not, and at a 400-fold upscale that alone moves whole cells.
    const STORED: [[[u8; 3]; 4]; 2] = [
        [[190, 4, 4], [4, 190, 4], [4, 4, 190], [90, 55, 13]],
        [[217, 24, 24], [24, 217, 24], [24, 24, 217], [143, 109, 49]],
    ];
    let names = [
        ("gamma-1.0-rgb-32x32.png", "gamma-1.0-palette-32x32.png"),
        ("gamma-1.0-rgb-8x8.png", "gamma-1.0-palette-8x8.png"),
        ("gamma-1.0-rgb-3x3.png", "gamma-1.0-palette-3x3.png"),
        ("gamma-1.8-rgb-32x32.png", "gamma-1.8-palette-32x32.png"),
        ("gamma-1.8-rgb-8x8.png", "gamma-1.8-palette-8x8.png"),
        ("gamma-1.8-rgb-3x3.png", "gamma-1.8-palette-3x3.png"),
    ];
    // gAMA holds the encoding exponent times 100000; decoding raises to 1 / that.
    let gammas = [(100_000u32, 1.0f64), (55_556, 1.8)];
    for (i, (rgb_name, palette_name)) in names.into_iter().enumerate() {
        let (scaled, decoding) = gammas[i / 3];
        let stored_colours = STORED[i / 3];
        let side = [32u32, 8, 3][i % 3];
        // Diagonal stripes of cells, a quarter of the side wide (one pixel at 3x3).
        let cell = (side / 4).max(1);
        let index = |x: u32, y: u32| ((x / cell + y / cell) % 4) as usize;
        let looks = Raster::from_fn(side, side, |x, y| {
            stored_colours[index(x, y)]
                .map(|c| gamma_to_srgb(c, decoding))
                .to_vec()
        });

        let stored = Raster::from_fn(side, side, |x, y| stored_colours[index(x, y)].to_vec());
        let mut info = png_info(&stored, png::ColorType::Rgb, png::BitDepth::Eight);
        info.source_gamma = Some(png::ScaledFloat::from_scaled(scaled));
        let fixture = if side == 32 { ok_strict } else { ok_twin };
        out.push(fixture(rgb_name, png_encode(info, &stored.data), looks.clone()));

        let indices = Raster::from_fn(side, side, |x, y| vec![index(x, y) as u8]);
        let mut info = png_info(&indices, png::ColorType::Indexed, png::BitDepth::Eight);
        info.palette = Some(stored_colours.as_flattened().to_vec().into());
        info.source_gamma = Some(png::ScaledFloat::from_scaled(scaled));
        out.push(fixture(palette_name, png_encode(info, &indices.data), looks));
    }

    // 2400x1600 gray, gAMA 1.0: a ramp of linear light left to right, and across the middle
    // third a band of 50-pixel black and white squares, whose hard edges a downscale blends.
    let level = |x: u32, y: u32| -> u8 {
        if (534..1067).contains(&y) {
            if (x / 50 + y / 50).is_multiple_of(2) {
                255
            } else {
                0
            }
        } else {
            (x * 255 / 2399) as u8
        }
    };
    let gray = Raster::from_fn(2400, 1600, |x, y| vec![level(x, y)]);
    let mut info = png_info(&gray, png::ColorType::Grayscale, png::BitDepth::Eight);
    info.source_gamma = Some(png::ScaledFloat::from_scaled(100_000));
    let looks = Raster::from_fn(2400, 1600, |x, y| vec![gamma_to_srgb(level(x, y), 1.0); 3]);
    out.push(ok_strict(
        "gamma-1.0-gray-2400x1600.png",
        png_encode(info, &gray.data),
        looks,
    ));
}

/// Extreme but valid sizes: the smallest, very thin strips, the exact target, and an upscale.
fn size_edge_fixtures(out: &mut Vec<Fixture>) {
    let dot = Raster::from_fn(1, 1, |_, _| vec![200, 40, 120]);
    let info = png_info(&dot, png::ColorType::Rgb, png::BitDepth::Eight);
    out.push(ok("tiny-1x1.png", png_encode(info, &dot.data), dot.clone()));

    // 1:5000 strips: the cover crop keeps one pixel of the long side's 5000 (its middle).
    let tall = Raster::from_fn(1, 5000, |_, y| vec![(y * 255 / 4999) as u8, 64, 192]);
    let info = png_info(&tall, png::ColorType::Rgb, png::BitDepth::Eight);
    out.push(ok("strip-1x5000.png", png_encode(info, &tall.data), tall.clone()));

    let wide = Raster::from_fn(5000, 1, |x, _| vec![192, (x * 255 / 4999) as u8, 64]);
    out.push(ok("strip-5000x1.jpg", plain_jpeg(&wide, rgb(90, S420)), wide));

    // Smooth content (no grain, faint texture) keeps this 1.4-megapixel file small.
    let picture = scene(1200, 1200, 0, 20);
    let bytes = plain_jpeg(&picture, rgb(80, S420));
    out.push(ok_lossy("exact-1200x1200.jpg", bytes, picture));

    let picture = photo(100, 80);
    let bytes = plain_jpeg(&picture, rgb(90, S420));
    out.push(ok_lossy("small-100x80.jpg", bytes, picture));
}

/// Files of other formats, starting as such files do in the wild: none may be taken for a JPEG
/// or a PNG.
fn foreign_format_fixtures(out: &mut Vec<Fixture>) {
    out.push(error("empty.jpg", Vec::new(), EMPTY));
    out.push(error("gif89a.gif", gif_1x1(), UNSUPPORTED_TYPE));
    out.push(error(
        "webp-lossy.webp",
        WEBP_LOSSY_1X1.to_vec(),
        UNSUPPORTED_TYPE,
    ));
    out.push(error("bmp.bmp", bmp_2x2(), UNSUPPORTED_TYPE));
    out.push(error("tiff-le.tif", tiff_2x2_le(), UNSUPPORTED_TYPE));
    let heic = isobmff_start(b"heic", &[b"mif1", b"heic"]);
    out.push(error("heic-ftyp.heic", heic, UNSUPPORTED_TYPE));
    let avif = isobmff_start(b"avif", &[b"avif", b"mif1", b"miaf"]);
    out.push(error("avif-ftyp.avif", avif, UNSUPPORTED_TYPE));
    out.push(error(
        "jxl-codestream.jxl",
        jxl_codestream_start(),
        UNSUPPORTED_TYPE,
    ));
    out.push(error("ico.ico", ico_4x4(), UNSUPPORTED_TYPE));
    out.push(error("svg.svg", SVG.as_bytes().to_vec(), UNSUPPORTED_TYPE));
    // XML that is not SVG (an RSS feed): refused and named as XML.
    let rss = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>t</title></channel></rss>\n";
    out.push(error("rss.xml", rss.as_bytes().to_vec(), UNSUPPORTED_TYPE));
    out.push(error("pdf.pdf", pdf_one_page(), UNSUPPORTED_TYPE));

    let mut rng = SplitMix64(0x005E_ED0B_17E5);
    let random: Vec<u8> = (0..512).map(|_| rng.byte()).collect();
    assert!(!random.starts_with(&[0xFF, 0xD8]) && !random.starts_with(&[0x89, b'P']));
    out.push(error("random-bytes.bin", random, UNSUPPORTED_TYPE));
}

/// Real files that were cut short or damaged.
fn damaged_fixtures(out: &mut Vec<Fixture>) {
    let whole = plain_jpeg(&photo(300, 200), rgb(90, S420));
    let (_, scan_data_start) = segment(&whole, 0xDA);
    let cut = whole.len() / 2;
    assert!(
        cut > scan_data_start,
        "the cut must fall in the entropy-coded data"
    );
    out.push(error("truncated-half.jpg", whole[..cut].to_vec(), TRUNCATED));
    // The same cut, closed with an EOI marker as some repair tools and proxies do. Decoders pad
    // the missing blocks with zero bits and "succeed" with a flat lower half; it must still be
    // reported as truncated.
    let mut closed = whole[..cut].to_vec();
    closed.extend_from_slice(&[0xFF, 0xD9]);
    out.push(error("truncated-half-then-eoi.jpg", closed, TRUNCATED));
    // A progressive file cut inside its first (DC) scan and closed with EOI.
    let progressive = jpeg(&photo(300, 200), rgb(90, S420), |e| e.set_progressive(true));
    let (_, first_scan) = segment(&progressive, 0xDA);
    let mut closed = progressive[..first_scan + 40].to_vec();
    closed.extend_from_slice(&[0xFF, 0xD9]);
    out.push(error(
        "progressive-cut-in-dc-scan-then-eoi.jpg",
        closed,
        TRUNCATED,
    ));

    // The progressive file with refinement scans, cut halfway into its last scan (a luma AC
    // refinement) and closed with EOI.
    let progressive = scan_writer::encode(
        &photo(203, 150).data,
        203,
        150,
        scan_writer::Coding::ProgressiveRefinement,
    );
    let last_scan = (0..progressive.len() - 1)
        .rev()
        .find(|&i| progressive[i] == 0xFF && progressive[i + 1] == 0xDA)
        .expect("a scan");
    let cut = last_scan + (progressive.len() - last_scan) / 2;
    let mut closed = progressive[..cut].to_vec();
    closed.extend_from_slice(&[0xFF, 0xD9]);
    out.push(error(
        "progressive-cut-in-refinement-scan-then-eoi.jpg",
        closed,
        TRUNCATED,
    ));

    // Restart markers every 4 MCUs; the file cut right after the third one, between two
    // intervals, and closed with EOI: the intervals before it are whole, the scan is not.
    let restarts = jpeg(&photo(400, 300), rgb(85, S420), |e| e.set_restart_interval(4));
    let (_, scan_start) = segment(&restarts, 0xDA);
    let third = (scan_start..restarts.len() - 1)
        .filter(|&i| restarts[i] == 0xFF && (0xD0..=0xD7).contains(&restarts[i + 1]))
        .nth(2)
        .expect("three restart markers");
    let mut closed = restarts[..third + 2].to_vec();
    closed.extend_from_slice(&[0xFF, 0xD9]);
    out.push(error(
        "restart-cut-between-intervals-then-eoi.jpg",
        closed,
        TRUNCATED,
    ));

    let (_, sof_end) = segment(&whole, 0xC0);
    out.push(error(
        "truncated-after-sof.jpg",
        whole[..sof_end].to_vec(),
        TRUNCATED,
    ));

    let pixels = photo(160, 120);
    let whole = png_encode(
        png_info(&pixels, png::ColorType::Rgb, png::BitDepth::Eight),
        &pixels.data,
    );
    let cut = whole.len() / 2;
    let idat = &idat_chunks(&whole)[0];
    assert!(
        idat.data_start < cut && cut < idat.data_end,
        "the cut must fall inside IDAT"
    );
    out.push(error("truncated-half.png", whole[..cut].to_vec(), TRUNCATED));

    // Image data that ends early, then a whole IEND, as a repair tool or a proxy closes a cut
    // upload: every colour type, plain (deflate-compressed by the png crate) and Adam7
    // (stored blocks). The zlib stream is cut in half and moved into one IDAT with its CRC
    // right, so only the missing data says the file is cut.
    let picture = photo(64, 48);
    let palette: Vec<u8> = (0..64u32)
        .flat_map(|i| [i / 16, i / 4 % 4, i % 4].map(|c| (c * 85) as u8))
        .collect();
    let pixel = |colour_type: u8, x: u32, y: u32| -> Vec<u8> {
        let i = ((y * 64 + x) * 3) as usize;
        let [r, g, b] = [picture.data[i], picture.data[i + 1], picture.data[i + 2]];
        match colour_type {
            0 => vec![g],
            2 => vec![r, g, b],
            3 => vec![(r / 64) * 16 + (g / 64) * 4 + b / 64],
            4 => vec![g, (x * 4) as u8],
            _ => vec![r, g, b, (255 - y * 4) as u8],
        }
    };
    let kinds = [
        (0u8, png::ColorType::Grayscale, "gray"),
        (2, png::ColorType::Rgb, "rgb"),
        (3, png::ColorType::Indexed, "palette"),
        (4, png::ColorType::GrayscaleAlpha, "gray-alpha"),
        (6, png::ColorType::Rgba, "rgba"),
    ];
    const CUT_NAMES: [[&str; 2]; 5] = [
        [
            "cut-image-data-then-iend-gray.png",
            "cut-image-data-then-iend-gray-adam7.png",
        ],
        [
            "cut-image-data-then-iend-rgb.png",
            "cut-image-data-then-iend-rgb-adam7.png",
        ],
        [
            "cut-image-data-then-iend-palette.png",
            "cut-image-data-then-iend-palette-adam7.png",
        ],
        [
            "cut-image-data-then-iend-gray-alpha.png",
            "cut-image-data-then-iend-gray-alpha-adam7.png",
        ],
        [
            "cut-image-data-then-iend-rgba.png",
            "cut-image-data-then-iend-rgba-adam7.png",
        ],
    ];
    for ((colour_type, colour, kind), [plain_name, adam7_name]) in kinds.into_iter().zip(CUT_NAMES) {
        assert!(plain_name.contains(kind));
        let stored = Raster::from_fn(64, 48, |x, y| pixel(colour_type, x, y));
        let mut info = png_info(&stored, colour, png::BitDepth::Eight);
        let mut chunks = Vec::new();
        if colour_type == 3 {
            info.palette = Some(palette.clone().into());
            chunks.push((b"PLTE", palette.clone()));
        }
        let plain = png_encode(info, &stored.data);
        out.push(error(plain_name, cut_image_data_then_iend(&plain), TRUNCATED));
        let adam7 = adam7_png(64, 48, colour_type, &chunks, |x, y| pixel(colour_type, x, y));
        out.push(error(adam7_name, cut_image_data_then_iend(&adam7), TRUNCATED));
    }

    // Split the image data over 512-byte IDAT chunks, then flip one bit of the first chunk's CRC.
    // With several chunks a decoder meets the bad CRC before it has all the pixels.
    let pixels = photo(64, 64);
    let clean = png_encode(
        png_info(&pixels, png::ColorType::Rgb, png::BitDepth::Eight),
        &pixels.data,
    );
    let mut bytes = rechunk_idat(&clean, 512);
    let idats = idat_chunks(&bytes);
    assert!(idats.len() >= 3, "several IDAT chunks");
    bytes[idats[0].data_end] ^= 0x01;
    out.push(error("crc-error.png", bytes, CORRUPT));

    // 0xFF 0x00 is a stuffed 0xFF byte, so a run of them is a run of 1 bits. No code in the
    // standard Huffman tables that jpeg-encoder uses is all ones, so decoding must fail there
    // (jpeg-decoder 0.3.2: "failed to decode huffman code").
    let mut bytes = plain_jpeg(&photo(128, 128), rgb(90, S420));
    let (_, scan_data_start) = segment(&bytes, 0xDA);
    let middle = (scan_data_start + bytes.len() - 2) / 2;
    for pair in bytes[middle..middle + 32].chunks_exact_mut(2) {
        pair.copy_from_slice(&[0xFF, 0x00]);
    }
    out.push(error("corrupt-huffman.jpg", bytes, CORRUPT));
}

/// Headers that declare sizes beyond the default limits (or zero), with just enough real
/// structure around them to look like a normal file. Nothing past the header is a real picture
/// of that size, so no decoder should get that far.
fn limit_fixtures(out: &mut Vec<Fixture>) {
    let small = small_jpeg();
    let bomb = patch_sof(&small, 0xC0, |sof| {
        sof[5..7].copy_from_slice(&65535u16.to_be_bytes()); // height
        sof[7..9].copy_from_slice(&65535u16.to_be_bytes()); // width
    });
    out.push(error("bomb-65535x65535.jpg", bomb, DIMENSIONS_TOO_LARGE));
    // Height 0 is JPEG's "height given later by a DNL marker": valid, but unsupported.
    let flat = patch_sof(&small, 0xC0, |sof| sof[5..7].copy_from_slice(&[0, 0]));
    out.push(error("zero-height.jpg", flat, UNSUPPORTED_ENCODING));
    // Width 0 has no such meaning: the picture is empty.
    let thin = patch_sof(&small, 0xC0, |sof| sof[7..9].copy_from_slice(&[0, 0]));
    out.push(error("zero-width.jpg", thin, ZERO_DIMENSIONS));
    // 1100 redefinitions of one tiny Huffman table before the real ones: more than any encoder
    // writes (the limit is 1024); a million of them made decoding take seconds.
    let (dht, _) = segment(&small, 0xC4);
    let tiny_table = [
        0xFF, 0xC4, 0x00, 0x14, 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
    ];
    let mut flood = small[..dht].to_vec();
    for _ in 0..1100 {
        flood.extend_from_slice(&tiny_table);
    }
    flood.extend_from_slice(&small[dht..]);
    out.push(error("huffman-table-flood.jpg", flood, CORRUPT));

    let bomb = png_header_only(100_000, 100_000);
    out.push(error("bomb-100000x100000.png", bomb, DIMENSIONS_TOO_LARGE));
    // 400 megapixels, each side within the 32768 limit.
    out.push(error(
        "bomb-20000x20000.png",
        png_header_only(20_000, 20_000),
        TOO_MANY_PIXELS,
    ));
    out.push(error("zero-width.png", png_header_only(0, 16), ZERO_DIMENSIONS));
}

/// JPEG coding processes other than 8-bit baseline, extended Huffman and progressive.
fn unsupported_jpeg_fixtures(out: &mut Vec<Fixture>) {
    let small = small_jpeg();
    // SOF9 = extended sequential, arithmetic coding. Only the marker changes; the data after it
    // is still Huffman-coded, which does not matter because decoding must stop at the SOF.
    let arithmetic = patch_sof(&small, 0xC9, |_| {});
    out.push(error("arithmetic-coded.jpg", arithmetic, UNSUPPORTED_ENCODING));
    // SOF1 = extended sequential Huffman, here with 12-bit samples.
    let deep = patch_sof(&small, 0xC1, |sof| sof[4] = 12);
    out.push(error("precision-12bit.jpg", deep, UNSUPPORTED_ENCODING));
}

// ---------------------------------------------------------------------------------------------
// Pixel content
// ---------------------------------------------------------------------------------------------

/// Row-major pixels; the layout of each pixel (or packed byte) is up to the user.
#[derive(Clone)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Raster {
    /// Builds a raster from the bytes `pixel(x, y)` returns for each position, row by row.
    fn from_fn(width: u32, height: u32, mut pixel: impl FnMut(u32, u32) -> Vec<u8>) -> Raster {
        let mut data = Vec::new();
        for y in 0..height {
            for x in 0..width {
                data.extend(pixel(x, y));
            }
        }
        Raster { width, height, data }
    }
}

const RED: [u8; 3] = [255, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];
const BLUE: [u8; 3] = [0, 0, 255];
const YELLOW: [u8; 3] = [255, 255, 0];
const WHITE: [u8; 3] = [255, 255, 255];

/// Quadrant colours (top-left, top-right, bottom-left, bottom-right) used wherever the upright
/// position of the picture matters.
const RGBY: [[u8; 3]; 4] = [RED, GREEN, BLUE, YELLOW];

/// Quadrant colours for the colour-profile fixtures, as values in the embedded profile's space:
/// the two primaries show gamut mapping, the skin-like tone and the mid gray the tone curve.
const WIDE_GAMUT_PATCHES: [[u8; 3]; 4] = [RED, GREEN, [180, 80, 60], [128, 128, 128]];

/// Which quadrant (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) holds (x, y). Odd
/// sizes give the extra column or row to the right or bottom quadrants.
fn quadrant(x: u32, y: u32, width: u32, height: u32) -> usize {
    usize::from(y >= height / 2) * 2 + usize::from(x >= width / 2)
}

/// RGB picture of four solid quadrants.
fn quadrants(width: u32, height: u32, colours: [[u8; 3]; 4]) -> Raster {
    Raster::from_fn(width, height, |x, y| {
        colours[quadrant(x, y, width, height)].to_vec()
    })
}

/// Photo-like RGB content with sensor-like grain.
fn photo(width: u32, height: u32) -> Raster {
    scene(width, height, 2, 100)
}

/// A landscape: sky gradient, a sun with a glow, a sloping horizon (hard edge), three buildings
/// with lit windows, a road in perspective with a dashed centre line, textured ground (value
/// noise at two scales, weighted by `texture_percent`), and per-pixel grain of +-`grain`.
fn scene(width: u32, height: u32, grain: i64, texture_percent: i64) -> Raster {
    const BUILDINGS: [(i64, i64, i64, i64); 3] =
        [(60, 150, 380, 70), (150, 230, 300, 95), (240, 300, 450, 60)];
    let (w, h) = (i64::from(width), i64::from(height));
    let coarse = ValueNoise::new(width, height, 48, 0x00C0_A25E);
    let fine = ValueNoise::new(width, height, 9, 0xF1_4E);
    let mut rng = SplitMix64(0x6A_A1_4E);
    let (sun_x, sun_y, sun_r) = (w * 3 / 4, h * 22 / 100, (w.min(h) * 8 / 100).max(1));
    Raster::from_fn(width, height, |x, y| {
        let (x, y) = (i64::from(x), i64::from(y));
        // Fixed-point coordinates in 0..1024.
        let (u, v) = (x * 1024 / w, y * 1024 / h);
        let horizon = 600 + (u - 512) / 10;
        let texture = (coarse.at(x, y) + fine.at(x, y) / 2) * texture_percent / 100;
        let mut rgb = if v < horizon {
            // Sky: deep blue at the top to pale at the horizon, faint cloud texture.
            let t = v * 256 / horizon;
            let sky = [40 + t * 150 / 256, 90 + t * 120 / 256, 170 + t * 60 / 256];
            let sky = sky.map(|c| c + texture / 16);
            let d2 = (x - sun_x).pow(2) + (y - sun_y).pow(2);
            let r2 = sun_r * sun_r;
            if d2 <= r2 {
                [255, 232, 150]
            } else if d2 < 9 * r2 {
                let glow = (9 * r2 - d2) * 90 / (8 * r2);
                [sky[0] + glow, sky[1] + glow * 3 / 4, sky[2] + glow / 4]
            } else {
                sky
            }
        } else {
            // Ground: green fields fading to brown, strongly textured, with a road: a
            // trapezoid widening towards the bottom, with a dashed centre line.
            let t = (v - horizon) * 256 / (1024 - horizon);
            let half_width = 8 + (v - horizon) * 3 / 5;
            let offset = (u - 512).abs();
            if offset < 2 + half_width / 30 && (v / 24) % 2 == 0 {
                [235, 230, 210]
            } else if offset < half_width {
                [88, 88, 92].map(|c| c + texture / 8)
            } else {
                [70 + t * 50 / 256, 115 - t * 30 / 256, 40 + t * 15 / 256].map(|c| c + texture / 3)
            }
        };
        for (left, right, top, shade) in BUILDINGS {
            if (left..right).contains(&u) && (top..horizon).contains(&v) {
                let (wx, wy) = ((u - left) % 20, (v - top) % 28);
                let lit = (u / 20 + v / 28) % 3 != 0;
                rgb = if (6..14).contains(&wx) && (8..20).contains(&wy) && lit {
                    [250, 215, 120]
                } else {
                    [shade, shade, shade + 10]
                };
            }
        }
        let noise = if grain > 0 {
            (rng.next() % (2 * grain as u64 + 1)) as i64 - grain
        } else {
            0
        };
        rgb.iter().map(|c| (c + noise).clamp(0, 255) as u8).collect()
    })
}

/// Bilinearly interpolated lattice noise in -128..=127, with lattice points `cell` pixels apart.
struct ValueNoise {
    cell: i64,
    columns: usize,
    lattice: Vec<i64>,
}

impl ValueNoise {
    fn new(width: u32, height: u32, cell: u32, seed: u64) -> Self {
        let columns = (width / cell + 2) as usize;
        let rows = (height / cell + 2) as usize;
        let mut rng = SplitMix64(seed);
        let lattice = (0..columns * rows).map(|_| i64::from(rng.byte()) - 128).collect();
        ValueNoise {
            cell: i64::from(cell),
            columns,
            lattice,
        }
    }

    fn at(&self, x: i64, y: i64) -> i64 {
        let n = self.cell;
        let (fx, fy) = (x % n, y % n);
        let i = (y / n) as usize * self.columns + (x / n) as usize;
        let j = i + self.columns;
        let (a, b, c, d) = (
            self.lattice[i],
            self.lattice[i + 1],
            self.lattice[j],
            self.lattice[j + 1],
        );
        (a * (n - fx) * (n - fy) + b * fx * (n - fy) + c * (n - fx) * fy + d * fx * fy) / (n * n)
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fixed-seed, the same everywhere.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
}

// ---------------------------------------------------------------------------------------------
// Reference colours (never written to a file)
// ---------------------------------------------------------------------------------------------

/// Gray (one byte per pixel) to RGB.
fn gray_to_rgb(gray: &Raster) -> Raster {
    Raster {
        data: gray.data.iter().flat_map(|&v| [v; 3]).collect(),
        ..gray.clone()
    }
}

/// Colour channels composited over white by their alpha, rounded.
fn over_white_pixel<const N: usize>(colour: &[u8; N], alpha: u8) -> [u8; N] {
    let a = u32::from(alpha);
    colour.map(|c| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8)
}

/// RGBA to RGB over white.
fn over_white(rgba: &Raster) -> Raster {
    let data = rgba
        .data
        .chunks_exact(4)
        .flat_map(|p| over_white_pixel(&[p[0], p[1], p[2]], p[3]))
        .collect();
    Raster { data, ..rgba.clone() }
}

/// A lut16 XYZ value (D50, see `CMYK_XYZ`) as sRGB, clipped to its gamut: the D50-adapted
/// (Bradford) sRGB matrix, as the ICC reference pipeline uses.
fn xyz16_to_srgb(xyz: [u16; 3]) -> [u8; 3] {
    const XYZ_D50_TO_LINEAR_SRGB: [[f64; 3]; 3] = [
        [3.133_856_1, -1.616_866_7, -0.490_614_6],
        [-0.978_768_4, 1.916_141_5, 0.033_454_0],
        [0.071_945_3, -0.228_991_4, 1.405_242_7],
    ];
    let xyz = xyz.map(|v| f64::from(v) / 32768.0);
    let m = XYZ_D50_TO_LINEAR_SRGB;
    [0, 1, 2].map(|r| linear_to_srgb(m[r][0] * xyz[0] + m[r][1] * xyz[1] + m[r][2] * xyz[2]))
}

// ---------------------------------------------------------------------------------------------
// EXIF orientation
// ---------------------------------------------------------------------------------------------

/// Returns the stored RGB pixels for a picture that must look like `display` once a viewer
/// applies EXIF `orientation`.
///
/// The match below maps each display position (x, y) to its stored position, where (sw, sh) is
/// the stored size:
/// 1 (x, y); 2 mirror horizontal (sw-1-x, y); 3 rotate 180 (sw-1-x, sh-1-y);
/// 4 mirror vertical (x, sh-1-y); 5 transpose (y, x); 6 stored is rotated 90 degrees clockwise
/// to display (y, sh-1-x); 7 transverse (sw-1-y, sh-1-x); 8 stored is rotated 90 degrees
/// counter-clockwise to display (sw-1-y, x).
fn store_for_orientation(display: &Raster, orientation: u16) -> Raster {
    let (dw, dh) = (display.width, display.height);
    let (sw, sh) = if orientation >= 5 { (dh, dw) } else { (dw, dh) };
    let mut stored = Raster {
        width: sw,
        height: sh,
        data: vec![0; display.data.len()],
    };
    for y in 0..dh {
        for x in 0..dw {
            let (sx, sy) = match orientation {
                1 => (x, y),
                2 => (sw - 1 - x, y),
                3 => (sw - 1 - x, sh - 1 - y),
                4 => (x, sh - 1 - y),
                5 => (y, x),
                6 => (y, sh - 1 - x),
                7 => (sw - 1 - y, sh - 1 - x),
                8 => (sw - 1 - y, x),
                _ => unreachable!("EXIF orientation is 1 to 8"),
            };
            let from = ((y * dw + x) * 3) as usize;
            let to = ((sy * sw + sx) * 3) as usize;
            stored.data[to..to + 3].copy_from_slice(&display.data[from..from + 3]);
        }
    }
    if display.data == quadrants(dw, dh, RGBY).data {
        assert_eq!(quadrant_centres(&stored), expected_stored_quadrants(orientation));
    }
    stored
}

/// Self-check, worked out from the orientation descriptions independently of the coordinate map
/// above: for the RGBY picture, the colours of the stored top-left, top-right, bottom-left and
/// bottom-right quadrants.
fn expected_stored_quadrants(orientation: u16) -> [[u8; 3]; 4] {
    match orientation {
        1 => [RED, GREEN, BLUE, YELLOW],
        2 => [GREEN, RED, YELLOW, BLUE], // left and right swapped
        3 => [YELLOW, BLUE, GREEN, RED], // upside down
        4 => [BLUE, YELLOW, RED, GREEN], // top and bottom swapped
        5 => [RED, BLUE, GREEN, YELLOW], // top-left and bottom-right stay, the others swap
        6 => [GREEN, YELLOW, RED, BLUE], // the display turned a quarter counter-clockwise
        7 => [YELLOW, GREEN, BLUE, RED], // top-right and bottom-left stay, the others swap
        8 => [BLUE, RED, YELLOW, GREEN], // the display turned a quarter clockwise
        _ => unreachable!("EXIF orientation is 1 to 8"),
    }
}

/// The colours at the centres of the four quadrants of an RGB raster.
fn quadrant_centres(rgb: &Raster) -> [[u8; 3]; 4] {
    let (w, h) = (rgb.width, rgb.height);
    [(1, 1), (3, 1), (1, 3), (3, 3)].map(|(qx, qy)| {
        let i = ((qy * h / 4 * w + qx * w / 4) * 3) as usize;
        [rgb.data[i], rgb.data[i + 1], rgb.data[i + 2]]
    })
}

#[derive(Clone, Copy)]
enum Endian {
    Big,
    Little,
}

impl Endian {
    fn u16(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Big => v.to_be_bytes(),
            Endian::Little => v.to_le_bytes(),
        }
    }

    fn u32(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Big => v.to_be_bytes(),
            Endian::Little => v.to_le_bytes(),
        }
    }
}

/// One TIFF IFD entry. `value` holds the value bytes already in the file's byte order; values
/// longer than 4 bytes are placed after the IFD and referenced by offset.
struct IfdEntry {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

impl IfdEntry {
    fn ascii(tag: u16, text: &str) -> IfdEntry {
        let value = [text.as_bytes(), &[0]].concat();
        IfdEntry {
            tag,
            kind: 2,
            count: value.len() as u32,
            value,
        }
    }

    fn shorts(e: Endian, tag: u16, values: &[u16]) -> IfdEntry {
        let value = values.iter().flat_map(|&v| e.u16(v)).collect();
        IfdEntry {
            tag,
            kind: 3,
            count: values.len() as u32,
            value,
        }
    }

    fn long(e: Endian, tag: u16, v: u32) -> IfdEntry {
        IfdEntry {
            tag,
            kind: 4,
            count: 1,
            value: e.u32(v).to_vec(),
        }
    }

    fn rational(e: Endian, tag: u16, numerator: u32, denominator: u32) -> IfdEntry {
        let value = [e.u32(numerator), e.u32(denominator)].concat();
        IfdEntry {
            tag,
            kind: 5,
            count: 1,
            value,
        }
    }
}

/// A TIFF structure: header, IFD0 (entries must be in ascending tag order), no next IFD, then
/// the out-of-line values.
fn tiff(e: Endian, entries: &[IfdEntry]) -> Vec<u8> {
    assert!(
        entries.windows(2).all(|p| p[0].tag < p[1].tag),
        "TIFF requires sorted tags"
    );
    let mut out = match e {
        Endian::Big => b"MM".to_vec(),
        Endian::Little => b"II".to_vec(),
    };
    out.extend(e.u16(42));
    out.extend(e.u32(8)); // IFD0 right after the header
    out.extend(e.u16(entries.len() as u16));
    let mut extra = Vec::new();
    let extra_start = 8 + 2 + 12 * entries.len() + 4;
    for entry in entries {
        out.extend(e.u16(entry.tag));
        out.extend(e.u16(entry.kind));
        out.extend(e.u32(entry.count));
        if entry.value.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..entry.value.len()].copy_from_slice(&entry.value);
            out.extend(inline);
        } else {
            out.extend(e.u32((extra_start + extra.len()) as u32));
            extra.extend_from_slice(&entry.value);
            if extra.len() % 2 == 1 {
                extra.push(0); // values start on word boundaries
            }
        }
    }
    out.extend(e.u32(0)); // no IFD1
    out.extend(extra);
    out
}

/// TIFF whose IFD0 holds only Orientation (0x0112, SHORT).
fn orientation_tiff(e: Endian, orientation: u16) -> Vec<u8> {
    tiff(e, &[IfdEntry::shorts(e, 0x0112, &[orientation])])
}

/// Little-endian TIFF like a camera writes: Make and Model (ASCII, out of line), Orientation,
/// X/YResolution (RATIONAL, out of line) and ResolutionUnit.
fn camera_tiff_le(orientation: u16) -> Vec<u8> {
    let e = Endian::Little;
    tiff(
        e,
        &[
            IfdEntry::ascii(0x010F, "Fixture Camera Co."),
            IfdEntry::ascii(0x0110, "FX-1"),
            IfdEntry::shorts(e, 0x0112, &[orientation]),
            IfdEntry::rational(e, 0x011A, 72, 1),
            IfdEntry::rational(e, 0x011B, 72, 1),
            IfdEntry::shorts(e, 0x0128, &[2]), // inches
        ],
    )
}

/// APP1 payload: "Exif\0\0", then the TIFF structure.
fn exif_app1(tiff: &[u8]) -> Vec<u8> {
    [b"Exif\0\0".as_slice(), tiff].concat()
}

// ---------------------------------------------------------------------------------------------
// JPEG helpers
// ---------------------------------------------------------------------------------------------

const S444: SamplingFactor = SamplingFactor::F_1_1;
const S422: SamplingFactor = SamplingFactor::F_2_1;
const S420: SamplingFactor = SamplingFactor::F_2_2;
const S411: SamplingFactor = SamplingFactor::F_4_1;

/// jpeg-encoder settings for one file. jpeg-encoder always writes a JFIF APP0 segment and uses
/// the standard (Annex K) Huffman tables unless told otherwise.
#[derive(Clone, Copy)]
struct JpegSettings {
    colour: ColorType,
    quality: u8,
    sampling: SamplingFactor,
}

fn rgb(quality: u8, sampling: SamplingFactor) -> JpegSettings {
    JpegSettings {
        colour: ColorType::Rgb,
        quality,
        sampling,
    }
}

/// Encodes with jpeg-encoder; `configure` adds segments or changes settings before encoding.
fn jpeg(
    image: &Raster,
    settings: JpegSettings,
    configure: impl FnOnce(&mut JpegEncoder<&mut Vec<u8>>),
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new(&mut out, settings.quality);
    encoder.set_sampling_factor(settings.sampling);
    configure(&mut encoder);
    let width = u16::try_from(image.width).expect("JPEG width fits u16");
    let height = u16::try_from(image.height).expect("JPEG height fits u16");
    encoder
        .encode(&image.data, width, height, settings.colour)
        .expect("jpeg-encoder accepts the fixture");
    out
}

fn plain_jpeg(image: &Raster, settings: JpegSettings) -> Vec<u8> {
    jpeg(image, settings, |_| {})
}

/// A 16x16 baseline JPEG to patch headers into.
fn small_jpeg() -> Vec<u8> {
    plain_jpeg(&quadrants(16, 16, RGBY), rgb(90, S420))
}

/// (start, end) of the first marker segment with code `marker`, from its 0xFF to the end of its
/// payload, searching the segments before the entropy-coded data (SOS included).
fn segment(jpeg: &[u8], marker: u8) -> (usize, usize) {
    let mut pos = 2; // after SOI
    loop {
        assert_eq!(jpeg[pos], 0xFF, "marker expected at {pos}");
        let end = pos + 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if jpeg[pos + 1] == marker {
            return (pos, end);
        }
        assert_ne!(
            jpeg[pos + 1],
            0xDA,
            "marker {marker:02X} not found before the scan"
        );
        pos = end;
    }
}

/// The Adobe APP14 colour transform byte, if the file has that segment.
fn adobe_transform(jpeg: &[u8]) -> Option<u8> {
    let mut pos = 2;
    while jpeg[pos + 1] != 0xDA {
        let end = pos + 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if jpeg[pos + 1] == 0xEE && jpeg[pos + 4..].starts_with(b"Adobe") {
            return Some(jpeg[end - 1]);
        }
        pos = end;
    }
    None
}

/// Copies `jpeg` with its SOF0 segment changed to SOF `marker` and edited by `edit`, which sees
/// the segment from its 0xFF on: [FF, marker, length (2), precision, height (2), width (2), ...].
fn patch_sof(jpeg: &[u8], marker: u8, edit: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let (start, end) = segment(jpeg, 0xC0);
    let mut out = jpeg.to_vec();
    out[start + 1] = marker;
    edit(&mut out[start..end]);
    out
}

// ---------------------------------------------------------------------------------------------
// PNG helpers
// ---------------------------------------------------------------------------------------------

fn png_info(image: &Raster, colour: png::ColorType, depth: png::BitDepth) -> png::Info<'static> {
    let mut info = png::Info::with_size(image.width, image.height);
    info.color_type = colour;
    info.bit_depth = depth;
    info
}

/// Encodes one image with the png crate's default compression and adaptive filtering.
fn png_encode(info: png::Info<'_>, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = png::Encoder::with_info(&mut out, info).expect("valid PNG info");
    let mut writer = encoder.write_header().expect("png writes the header");
    writer.write_image_data(data).expect("png accepts the fixture");
    writer.finish().expect("png finishes");
    out
}

/// Like `png_encode`, with one extra chunk written after IHDR (and after what `info` adds), before
/// the image data.
fn png_encode_with_chunk(info: png::Info<'_>, data: &[u8], kind: [u8; 4], chunk: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = png::Encoder::with_info(&mut out, info).expect("valid PNG info");
    let mut writer = encoder.write_header().expect("png writes the header");
    writer
        .write_chunk(png::chunk::ChunkType(kind), chunk)
        .expect("png writes the chunk");
    writer.write_image_data(data).expect("png accepts the fixture");
    writer.finish().expect("png finishes");
    out
}

/// Two-frame APNG, 64x64. The default image (IDAT, which is also frame 1) is the RGBY quadrant
/// picture; frame 2 (fdAT) is solid magenta, so showing frame 2 instead is easy to spot.
fn apng_two_frames() -> Vec<u8> {
    let first = quadrants(64, 64, RGBY);
    let second = Raster::from_fn(64, 64, |_, _| vec![255, 0, 255]);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 64, 64);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_animated(2, 0).expect("two frames");
    encoder.set_frame_delay(1, 2).expect("animated");
    let mut writer = encoder.write_header().expect("png writes the header");
    writer.write_image_data(&first.data).expect("frame 1");
    writer.write_image_data(&second.data).expect("frame 2");
    writer.finish().expect("png finishes");
    out
}

/// Adam7-interlaced 8-bit RGB PNG, written by hand because the png crate's encoder does not
/// interlace. The picture is the RGBY quadrants with a white diagonal line, so pixels from the
/// passes put in the wrong places show. Each pass is a run of rows with filter type 0; empty
/// passes are left out (PNG spec 8.2). The zlib stream uses stored (uncompressed) blocks.
fn interlaced_png(width: u32, height: u32, alpha: bool) -> (Vec<u8>, Raster) {
    // With alpha, the diagonal is transparent black (white once flattened, black if the alpha
    // were dropped) and the yellow quadrant half transparent.
    let stored = |x: u32, y: u32| -> Vec<u8> {
        let diagonal = x == y * (width - 1) / (height - 1);
        let q = quadrant(x, y, width, height);
        match (diagonal, alpha) {
            (true, false) => vec![255; 3],
            (true, true) => vec![0; 4],
            (false, false) => RGBY[q].to_vec(),
            (false, true) => [&RGBY[q][..], &[if q == 3 { 128 } else { 255 }]].concat(),
        }
    };
    let looks = Raster::from_fn(width, height, |x, y| {
        let p = stored(x, y);
        let a = if alpha { u32::from(p[3]) } else { 255 };
        p[..3]
            .iter()
            .map(|&c| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8)
            .collect()
    });
    let colour_type = if alpha { 6 } else { 2 };
    (adam7_png(width, height, colour_type, &[], stored), looks)
}

/// An Adam7-interlaced 8-bit PNG of `colour_type` whose pixel at (x, y) is `stored(x, y)`, with
/// `chunks` (PLTE, tRNS...) before the image data. Each pass is a run of rows with filter type 0;
/// empty passes are left out (PNG spec 8.2). The zlib stream uses stored (uncompressed) blocks.
fn adam7_png(
    width: u32,
    height: u32,
    colour_type: u8,
    chunks: &[(&[u8; 4], Vec<u8>)],
    stored: impl Fn(u32, u32) -> Vec<u8>,
) -> Vec<u8> {
    const PASSES: [(u32, u32, u32, u32); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in PASSES {
        if x0 >= width || y0 >= height {
            continue;
        }
        for y in (y0..height).step_by(dy as usize) {
            raw.push(0); // filter type None
            for x in (x0..width).step_by(dx as usize) {
                raw.extend_from_slice(&stored(x, y));
            }
        }
    }
    let ihdr = [
        &width.to_be_bytes()[..],
        &height.to_be_bytes(),
        &[8, colour_type, 0, 0, 1],
    ]
    .concat(); // 1 = Adam7
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr);
    for (kind, data) in chunks {
        png_chunk(&mut out, kind, data);
    }
    png_chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// Signature, an 8-bit RGB IHDR with the given (possibly absurd) size, one tiny IDAT holding the
/// start of the first row, and IEND. All CRCs are correct.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let ihdr = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 2, 0, 0, 0]].concat();
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &zlib_stored(&[0; 16]));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Appends one chunk: length, type, data, CRC-32 of type and data.
fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    out.extend(crc32(&[kind.as_slice(), data].concat()).to_be_bytes());
}

/// Where one chunk's data lies in a PNG file; its CRC starts at `data_end`.
struct PngChunk {
    kind: [u8; 4],
    data_start: usize,
    data_end: usize,
}

/// All chunks, in file order.
fn png_chunks(png: &[u8]) -> Vec<PngChunk> {
    let mut out = Vec::new();
    let mut pos = PNG_SIGNATURE.len();
    while pos + 12 <= png.len() {
        let len = u32::from_be_bytes(png[pos..pos + 4].try_into().expect("4 bytes")) as usize;
        out.push(PngChunk {
            kind: png[pos + 4..pos + 8].try_into().expect("4 bytes"),
            data_start: pos + 8,
            data_end: pos + 8 + len,
        });
        pos += 12 + len;
    }
    out
}

fn idat_chunks(png: &[u8]) -> Vec<PngChunk> {
    png_chunks(png)
        .into_iter()
        .filter(|c| c.kind == *b"IDAT")
        .collect()
}

/// The image data of a PNG: its IDAT chunks' data, joined.
fn image_data(png: &[u8]) -> Vec<u8> {
    idat_chunks(png)
        .iter()
        .flat_map(|c| &png[c.data_start..c.data_end])
        .copied()
        .collect()
}

/// The same PNG with its IDAT chunks replaced by one IDAT per piece, where the first was; the
/// chunks after the image data are kept when `keep_after`.
fn with_image_data<'a>(png: &[u8], pieces: impl IntoIterator<Item = &'a [u8]>, keep_after: bool) -> Vec<u8> {
    let first = idat_chunks(png)[0].data_start;
    let mut pieces = Some(pieces);
    let mut out = PNG_SIGNATURE.to_vec();
    for chunk in png_chunks(png) {
        if chunk.data_start == first {
            for piece in pieces.take().into_iter().flatten() {
                png_chunk(&mut out, b"IDAT", piece);
            }
        } else if chunk.kind != *b"IDAT" && (keep_after || pieces.is_some()) {
            png_chunk(&mut out, &chunk.kind, &png[chunk.data_start..chunk.data_end]);
        }
    }
    out
}

/// The same PNG with its image data re-split into IDAT chunks of at most `size` bytes.
fn rechunk_idat(png: &[u8], size: usize) -> Vec<u8> {
    with_image_data(png, image_data(png).chunks(size), true)
}

/// The same PNG with only the first half of its zlib stream, in one IDAT chunk (its CRC right),
/// followed by IEND; the chunks before the image data are kept.
fn cut_image_data_then_iend(png: &[u8]) -> Vec<u8> {
    let data = image_data(png);
    let mut out = with_image_data(png, [&data[..data.len() / 2]], false);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951, 3.2.4).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len())); // BFINAL on the last block, BTYPE 00
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend(adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    b << 16 | a
}

/// CRC-32 as PNG uses it (ISO-HDLC), bit by bit: slow, but only used on small data.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// ---------------------------------------------------------------------------------------------
// Other formats (image.unsupported_type)
// ---------------------------------------------------------------------------------------------

/// The classic 43-byte 1x1 transparent GIF89a.
fn gif_1x1() -> Vec<u8> {
    [
        b"GIF89a".as_slice(),
        &[1, 0, 1, 0, 0x80, 0, 0],          // 1x1, global colour table of 2 entries
        &[0, 0, 0, 0xFF, 0xFF, 0xFF],       // black, white
        &[0x21, 0xF9, 4, 1, 0, 0, 0, 0],    // graphic control: index 0 is transparent
        &[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0], // image descriptor
        &[2, 2, 0x44, 0x01, 0],             // LZW minimum code size 2, one sub-block
        &[0x3B],                            // trailer
    ]
    .concat()
}

/// A 1x1 lossy WebP (RIFF, "WEBP", a "VP8 " chunk holding a key frame with start code 9D 01 2A):
/// the 42-byte file widely used to detect WebP support.
const WEBP_LOSSY_1X1: [u8; 42] = [
    b'R', b'I', b'F', b'F', 0x22, 0, 0, 0, b'W', b'E', b'B', b'P', b'V', b'P', b'8', b' ', 0x16, 0, 0, 0,
    0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x01, 0x00, 0x01, 0x00, 0x0E, 0xC0, 0xFE, 0x25, 0xA4, 0x00, 0x03,
    0x70, 0x00, 0x00, 0x00, 0x00,
];

/// A complete 2x2 24-bit BMP: BITMAPFILEHEADER, BITMAPINFOHEADER, bottom-up BGR rows padded to
/// 4 bytes.
fn bmp_2x2() -> Vec<u8> {
    let mut out = b"BM".to_vec();
    out.extend(70u32.to_le_bytes()); // file size
    out.extend([0; 4]);
    out.extend(54u32.to_le_bytes()); // pixel data offset
    out.extend(40u32.to_le_bytes()); // BITMAPINFOHEADER size
    out.extend(2i32.to_le_bytes()); // width
    out.extend(2i32.to_le_bytes()); // height (positive: bottom-up)
    out.extend(1u16.to_le_bytes()); // planes
    out.extend(24u16.to_le_bytes()); // bits per pixel
    out.extend(0u32.to_le_bytes()); // BI_RGB
    out.extend(16u32.to_le_bytes()); // image size
    out.extend(2835i32.to_le_bytes()); // 72 dpi
    out.extend(2835i32.to_le_bytes());
    out.extend([0; 8]); // palette counts
    out.extend([255, 0, 0, 0, 255, 0, 0, 0]); // bottom row: blue, green, padding
    out.extend([0, 0, 255, 255, 255, 255, 0, 0]); // top row: red, white, padding
    out
}

/// A complete 2x2 uncompressed RGB baseline TIFF, little-endian.
fn tiff_2x2_le() -> Vec<u8> {
    let e = Endian::Little;
    // 10 entries: 8 + 2 + 120 + 4 = 134 bytes, BitsPerSample's 6 bytes at 134, pixels at 140.
    let mut out = tiff(
        e,
        &[
            IfdEntry::shorts(e, 0x0100, &[2]),       // ImageWidth
            IfdEntry::shorts(e, 0x0101, &[2]),       // ImageLength
            IfdEntry::shorts(e, 0x0102, &[8, 8, 8]), // BitsPerSample
            IfdEntry::shorts(e, 0x0103, &[1]),       // Compression: none
            IfdEntry::shorts(e, 0x0106, &[2]),       // PhotometricInterpretation: RGB
            IfdEntry::long(e, 0x0111, 140),          // StripOffsets
            IfdEntry::shorts(e, 0x0115, &[3]),       // SamplesPerPixel
            IfdEntry::shorts(e, 0x0116, &[2]),       // RowsPerStrip
            IfdEntry::long(e, 0x0117, 12),           // StripByteCounts
            IfdEntry::shorts(e, 0x011C, &[1]),       // PlanarConfiguration: chunky
        ],
    );
    assert_eq!(out.len(), 140);
    out.extend([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    out
}

/// The first two boxes of a HEIF-family file: `ftyp` with the given brands, then a `meta` box
/// holding only its `hdlr` ('pict'). Not a decodable picture: there are no items or data.
fn isobmff_start(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let mut ftyp = major.to_vec();
    ftyp.extend(0u32.to_be_bytes()); // minor version
    for brand in compatible {
        ftyp.extend(*brand);
    }
    let mut hdlr = vec![0; 8]; // version and flags, pre_defined
    hdlr.extend(b"pict");
    hdlr.extend([0; 13]); // reserved (12), empty name
    let mut meta = vec![0; 4]; // version and flags
    push_box(&mut meta, b"hdlr", &hdlr);
    let mut out = Vec::new();
    push_box(&mut out, b"ftyp", &ftyp);
    push_box(&mut out, b"meta", &meta);
    out
}

fn push_box(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
    out.extend((8 + body.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(body);
}

/// A bare JPEG XL codestream start: the FF 0A signature, then 62 filler bytes. Only the
/// signature is meaningful; the rest is not a valid size header.
fn jxl_codestream_start() -> Vec<u8> {
    let mut rng = SplitMix64(0x000A_11CE);
    let mut out = vec![0xFF, 0x0A];
    out.extend((0..62).map(|_| rng.byte()));
    out
}

/// A complete ICO with one 4x4 32-bit image stored as a DIB (height doubled for the AND mask).
fn ico_4x4() -> Vec<u8> {
    let dib_len: u32 = 40 + 4 * 4 * 4 + 4 * 4; // header, BGRA pixels, four 4-byte AND mask rows
    let mut out = vec![0, 0, 1, 0, 1, 0]; // reserved, type icon, one image
    out.extend([4, 4, 0, 0]); // 4x4, no palette, reserved
    out.extend(1u16.to_le_bytes()); // planes
    out.extend(32u16.to_le_bytes()); // bits per pixel
    out.extend(dib_len.to_le_bytes());
    out.extend(22u32.to_le_bytes()); // offset of the image
    out.extend(40u32.to_le_bytes()); // BITMAPINFOHEADER size
    out.extend(4i32.to_le_bytes()); // width
    out.extend(8i32.to_le_bytes()); // XOR + AND heights
    out.extend(1u16.to_le_bytes());
    out.extend(32u16.to_le_bytes());
    out.extend([0; 24]); // BI_RGB, sizes, resolution, palette counts
    for i in 0..16u8 {
        out.extend([i * 16, 128, 255 - i * 16, 255]);
    }
    out.extend([0; 16]); // AND mask: all visible
    out
}

const SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="#3366cc"/>
  <circle cx="32" cy="32" r="20" fill="#ffcc00"/>
</svg>
"##;

/// A complete one-page PDF 1.7 (a blue square) with a correct cross-reference table.
fn pdf_one_page() -> Vec<u8> {
    let content = "0 0 1 rg 8 8 48 48 re f";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 64 64] /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in (1..).zip(&objects) {
        offsets.push(out.len());
        out.extend(format!("{number} 0 obj\n{body}\nendobj\n").bytes());
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend(format!("xref\n0 {size}\n0000000000 65535 f \n").bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes());
    out
}
