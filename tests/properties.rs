//! Properties over generated inputs (case count from `PROPTEST_CASES`, default 256):
//! - sniffing is total and agrees with a plain prefix check;
//! - any small picture, JPEG or PNG, with or without alpha, in any EXIF orientation, normalizes
//!   to a decodable JPEG of exactly the target size, and a uniform one keeps its colour;
//! - valid files with bytes flipped, cut off, or with a chunk or segment of another file spliced
//!   in never panic and fail only with the codes that describe damaged input, never with an
//!   internal error.
//!
//! Targets are small (48x32) so each case takes milliseconds.

#[path = "support/helpers.rs"]
mod helpers;

use helpers::fixture;
use profile_image::{detect, normalize_profile_image_with, ErrorCode, FileType, Options, Upload};
use proptest::prelude::*;

fn options() -> Options {
    let mut options = Options::default();
    (options.width, options.height) = (48, 32);
    options
}

/// Big-endian TIFF with one IFD entry: orientation.
fn orientation_tiff(value: u16) -> Vec<u8> {
    let mut t = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    t.extend(value.to_be_bytes());
    t.extend([0, 0, 0, 0, 0, 0]);
    t
}

fn encode_jpeg(w: u16, h: u16, rgb: &[u8], orientation: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 95);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(orientation_tiff(orientation));
    encoder.add_app_segment(1, app1).unwrap();
    encoder.encode(rgb, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

fn encode_png(w: u32, h: u32, pixels: &[u8], alpha: bool, orientation: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_chunk(png::chunk::ChunkType(*b"eXIf"), &orientation_tiff(orientation))
        .unwrap();
    writer.write_image_data(pixels).unwrap();
    writer.finish().unwrap();
    out
}

fn small_picture() -> impl Strategy<Value = (u32, u32, bool, bool, u16, Vec<u8>)> {
    (1u32..=64, 1u32..=64, any::<bool>(), any::<bool>(), 1u16..=8).prop_flat_map(|(w, h, png, alpha, o)| {
        let alpha = png && alpha;
        let len = (w * h) as usize * if alpha { 4 } else { 3 };
        (
            Just(w),
            Just(h),
            Just(png),
            Just(alpha),
            Just(o),
            prop::collection::vec(any::<u8>(), len),
        )
    })
}

fn encode(w: u32, h: u32, png: bool, alpha: bool, orientation: u16, pixels: &[u8]) -> Vec<u8> {
    if png {
        encode_png(w, h, pixels, alpha, orientation)
    } else {
        encode_jpeg(w as u16, h as u16, pixels, orientation)
    }
}

const VALID: [&str; 10] = [
    "gray.jpg",
    "progressive.jpg",
    "restart-interval.jpg",
    "cmyk-adobe.jpg",
    "display-p3-split-icc.jpg",
    "orientation-6-little-endian.jpg",
    "interlaced-adam7.png",
    "palette-trns.png",
    "orientation-6.png",
    "icc-p3.png",
];

/// What damaged input may be reported as. Never `Internal`, never a panic.
const DAMAGE_CODES: [ErrorCode; 10] = [
    ErrorCode::Empty,
    ErrorCode::Truncated,
    ErrorCode::Corrupt,
    ErrorCode::UnsupportedEncoding,
    ErrorCode::UnsupportedType,
    ErrorCode::ZeroDimensions,
    ErrorCode::DimensionsTooLarge,
    ErrorCode::TooManyPixels,
    ErrorCode::MemoryLimitExceeded,
    ErrorCode::TooManyScans,
];

proptest! {
    #[test]
    fn sniffing_is_total_and_agrees_with_a_prefix_check(
        prefix in prop_oneof![
            Just(&b""[..]), Just(&b"\xFF\xD8\xFF"[..]), Just(&b"\xFF\xD8"[..]),
            Just(&b"\x89PNG\r\n\x1a\n"[..]), Just(&b"\x89PNG\r\n"[..]), Just(&b"\x89P"[..]), Just(&b"GIF89a"[..]),
        ],
        tail in prop_oneof![Just(Vec::new()), prop::collection::vec(any::<u8>(), 0..64)],
    ) {
        // Random bytes alone almost never start with a signature: prefixes make both sides occur.
        let bytes = [prefix, &tail[..]].concat();
        let detected = detect(&bytes);
        // A signature, or a file that ends inside one (at least two bytes of it).
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
        let jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes == [0xFF, 0xD8];
        let png = bytes.starts_with(PNG) || (bytes.len() >= 2 && PNG.starts_with(&bytes));
        prop_assert_eq!(detected == FileType::Jpeg, jpeg);
        prop_assert_eq!(detected == FileType::Png, png);
    }

    #[test]
    fn any_small_picture_normalizes_to_the_target_size((w, h, png, alpha, o, pixels) in small_picture()) {
        let bytes = encode(w, h, png, alpha, o, &pixels);
        let jpeg = normalize_profile_image_with(Upload::new(&bytes), &options()).unwrap();
        prop_assert_eq!((jpeg.width(), jpeg.height()), (48, 32));
        prop_assert_eq!(jpeg.source().orientation.to_exif(), o);
        let decoded = image::load_from_memory(jpeg.bytes()).unwrap();
        prop_assert_eq!((decoded.width(), decoded.height()), (48, 32));
    }

    #[test]
    fn a_uniform_picture_keeps_its_colour(w in 1u32..=40, h in 1u32..=40, png: bool, o in 1u16..=8, rgb: [u8; 3]) {
        let pixels = rgb.repeat((w * h) as usize);
        let bytes = encode(w, h, png, false, o, &pixels);
        let jpeg = normalize_profile_image_with(Upload::new(&bytes), &options()).unwrap();
        let decoded = image::load_from_memory(jpeg.bytes()).unwrap().to_rgb8();
        let centre = decoded.get_pixel(24, 16).0;
        // Two lossy encodes (q95 in, q85 4:2:0 out) of a flat colour; JPEG input adds its own.
        let tolerance = if png { 6 } else { 10 };
        for c in 0..3 {
            prop_assert!((i32::from(centre[c]) - i32::from(rgb[c])).abs() <= tolerance, "{:?} -> {:?}", rgb, centre);
        }
    }

    #[test]
    fn files_with_parts_spliced_in_from_others_fail_cleanly(
        which in 0..VALID.len(), donor in any::<prop::sample::Index>(), part in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(), replace: bool,
    ) {
        // A whole chunk or marker segment of one fixture put into another of the same format, in
        // place of one of its own or between two: a repeated IHDR, a second SOF, a foreign DHT
        // or IDAT, a scan of the wrong size...
        let same_format: Vec<&str> = VALID.iter().copied().filter(|n| n[n.len() - 3..] == VALID[which][VALID[which].len() - 3..]).collect();
        let donor = same_format[donor.index(same_format.len())];
        let bytes = fixture(VALID[which]);
        let other = fixture(donor);
        let (parts, donor_parts) = (parts(&bytes), parts(&other));
        let piece = &other[donor_parts[part.index(donor_parts.len())].clone()];
        let target = parts[at.index(parts.len())].clone();
        let end = if replace { target.end } else { target.start };
        let spliced = [&bytes[..target.start], piece, &bytes[end..]].concat();
        match normalize_profile_image_with(Upload::new(&spliced), &options()) {
            Ok(jpeg) => prop_assert_eq!((jpeg.width(), jpeg.height()), (48, 32)),
            Err(error) => prop_assert!(DAMAGE_CODES.contains(&error.code()), "{} + {}: {:?}", VALID[which], donor, error),
        }
    }

    #[test]
    fn damaged_files_fail_cleanly(which in 0..VALID.len(), cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..4), truncate: bool) {
        let mut bytes = fixture(VALID[which]);
        for (at, xor) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= xor;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        match normalize_profile_image_with(Upload::new(&bytes), &options()) {
            Ok(jpeg) => prop_assert_eq!((jpeg.width(), jpeg.height()), (48, 32)),
            Err(error) => prop_assert!(DAMAGE_CODES.contains(&error.code()), "{}: {:?}", VALID[which], error),
        }
    }
}

/// The parts of a file after its signature: PNG chunks, or JPEG marker segments (a scan's
/// entropy-coded data counts as part of its SOS segment; RST markers start parts of their own).
fn parts(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut starts = helpers::part_starts(bytes);
    starts.retain(|&s| s < bytes.len());
    starts.push(bytes.len());
    starts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Sequential JPEG fixtures: every byte of their scans is needed.
const SEQUENTIAL: [&str; 6] = [
    "gray.jpg",
    "restart-interval.jpg",
    "subsampling-411.jpg",
    "odd-size-333x177.jpg",
    "cmyk-adobe.jpg",
    "ycck-adobe.jpg",
];

/// Byte ranges of the marker segments from the first SOS on (header only, not scan data).
fn segments_after_first_scan(jpeg: &[u8]) -> Vec<std::ops::Range<usize>> {
    let first = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let mut segments = Vec::new();
    let mut pos = first;
    while pos + 3 < jpeg.len() {
        let marker = jpeg[pos + 1];
        if jpeg[pos] == 0xFF && !matches!(marker, 0x00 | 0xFF | 0xD0..=0xD9) {
            let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
            segments.push(pos..pos + 2 + len);
            pos += 2 + len;
        } else {
            pos += 1;
        }
    }
    segments
}

/// Every cut point of every scan, not a sample: a cut file closed with EOI, as repair tools do,
/// is truncated wherever the cut falls in the entropy-coded data or between two scans. (Cuts
/// inside a marker segment's header, which leave a malformed segment, may be called corrupt.)
#[test]
fn a_sequential_jpeg_cut_anywhere_in_its_scans_and_closed_with_eoi_is_truncated() {
    for name in SEQUENTIAL {
        let whole = fixture(name);
        let headers = segments_after_first_scan(&whole);
        let first_data = headers[0].end;
        let eoi = whole.len() - 2;
        let mut checked = 0;
        for cut in first_data..eoi {
            if headers.iter().any(|h| h.start < cut && cut < h.end) {
                continue;
            }
            let mut bytes = whole[..cut].to_vec();
            bytes.extend_from_slice(&[0xFF, 0xD9]);
            let error = normalize_profile_image_with(Upload::new(&bytes), &options()).unwrap_err();
            assert_eq!(
                error.code(),
                ErrorCode::Truncated,
                "{name} cut at {cut} of {}",
                whole.len()
            );
            checked += 1;
        }
        assert!(checked > 500, "{name}: only {checked} cut points");
    }
}
