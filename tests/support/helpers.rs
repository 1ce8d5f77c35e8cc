//! Helpers shared by the test files that check outputs by pixels: reading fixtures, decoding an
//! output with the `image` crate (zune-jpeg, independent of this crate's decoder), averaging a
//! patch, and walking the output's marker segments.
#![allow(dead_code)]

use std::path::PathBuf;

use profile_image::{normalize_profile_image, ValidationError};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn decode_rgb(jpeg: &[u8]) -> image::RgbImage {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .expect("output decodes")
        .to_rgb8()
}

/// Mean colour of the 21x21 square centred on (x, y): averages out JPEG ringing on flat areas.
pub fn mean(img: &image::RgbImage, x: u32, y: u32) -> [i32; 3] {
    let mut sum = [0u32; 3];
    let mut n = 0;
    for yy in y.saturating_sub(10)..=(y + 10).min(img.height() - 1) {
        for xx in x.saturating_sub(10)..=(x + 10).min(img.width() - 1) {
            let p = img.get_pixel(xx, yy).0;
            for c in 0..3 {
                sum[c] += u32::from(p[c]);
            }
            n += 1;
        }
    }
    sum.map(|s| (s / n) as i32)
}

#[track_caller]
pub fn assert_near(actual: [i32; 3], expected: [i32; 3], tolerance: i32, what: &str) {
    let ok = actual
        .iter()
        .zip(expected)
        .all(|(a, e)| (a - e).abs() <= tolerance);
    assert!(
        ok,
        "{what}: got {actual:?}, expected {expected:?} within {tolerance}"
    );
}

pub fn normalize(name: &str) -> profile_image::Jpeg {
    normalize_profile_image(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

pub const RED: [i32; 3] = [255, 0, 0];
pub const GREEN: [i32; 3] = [0, 255, 0];
pub const BLUE: [i32; 3] = [0, 0, 255];
pub const YELLOW: [i32; 3] = [255, 255, 0];
pub const WHITE: [i32; 3] = [255, 255, 255];

/// Walks the output's marker segments: (marker, payload).
pub fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "starts with SOI");
    assert_eq!(&jpeg[jpeg.len() - 2..], [0xFF, 0xD9], "ends with EOI");
    let mut out = Vec::new();
    let mut pos = 2;
    loop {
        assert_eq!(jpeg[pos], 0xFF, "marker at {pos}");
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        out.push((marker, jpeg[pos + 4..pos + 2 + len].to_vec()));
        pos += 2 + len;
        if marker == 0xDA {
            return out;
        }
    }
}

/// An error's JSON body, as the endpoint sends it.
pub fn body(error: &ValidationError) -> serde_json::Value {
    serde_json::to_value(error.body()).unwrap()
}

/// The error has this code, this English message and these typed arguments.
#[track_caller]
pub fn assert_error(error: ValidationError, code: &str, message: &str, typed_args: serde_json::Value) {
    assert_eq!(error.code().as_str(), code);
    assert_eq!(error.to_string(), message);
    assert_eq!(body(&error)["typedArgs"], typed_args, "{code}");
}

/// Where the parts of a file after its signature start: each PNG chunk, or each JPEG marker (a
/// 0xFF followed by a byte other than 0x00 or 0xFF, which inside scan data is only ever a marker,
/// RST markers included).
pub fn part_starts(bytes: &[u8]) -> Vec<usize> {
    if bytes.starts_with(b"\x89P") {
        let mut starts = Vec::new();
        let mut pos = 8;
        while let Some(len) = bytes.get(pos..pos + 4) {
            starts.push(pos);
            pos += 12 + u32::from_be_bytes(len.try_into().expect("four bytes")) as usize;
        }
        starts
    } else {
        let markers = bytes.windows(2).enumerate().skip(2);
        markers
            .filter(|(_, w)| w[0] == 0xFF && w[1] != 0x00 && w[1] != 0xFF)
            .map(|(i, _)| i)
            .collect()
    }
}
