//! The crate's own JPEG decoder against libjpeg-turbo's `djpeg` (required within 1 level per
//! sample where `djpeg` is installed) and against jpeg-decoder and zune-jpeg (agreement reported,
//! loosely bounded), on every decodable JPEG fixture, on small inputs built here with jpeg-encoder
//! (tiny 4:2:0 pictures, odd MCU counts, every sampling factor jpeg-encoder writes, restart
//! intervals, a zero quantiser entry), on a non-interleaved file from `cjpeg`, and on
//! `jpegtran -progressive` re-encodings with refinement scans; a decode of a region must equal
//! the whole decode there; and every cut of the scans, with and without an EOI after it, must be
//! `image.truncated`.
//!
//! Run with `--nocapture` to see the agreement tables.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use profile_image::stages::{decode_jpeg_own, encode_own_rgb};
use profile_image::{ChromaSubsampling, Options};

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
    decodable_fixtures(&[0xC0, 0xC1])
}

/// Every fixture that the manifest says decodes and whose frame is one of `markers`.
fn decodable_fixtures(markers: &[u8]) -> Vec<(String, Vec<u8>)> {
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
            markers.contains(&frame_marker(&bytes)?).then_some((name, bytes))
        })
        .collect()
}

/// Runs `program` with `args` and `input` on its standard input: its standard output, or `None`
/// when the program is not installed. Panics when it fails.
fn pipe(program: &str, args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = child.ok()?;
    // Fed from another thread: the program writes while it reads, and both pipes would fill.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(output.status.success(), "{program} {args:?} failed");
    Some(output.stdout)
}

/// libjpeg-turbo's decode of `bytes` at `1 / divisor`, or `None` when `djpeg` is not installed.
/// CMYK comes out as djpeg writes it to a PPM: R = C x K / 255 on libjpeg's CMYK.
fn djpeg(bytes: &[u8], divisor: u32) -> Option<Image> {
    let scale = format!("1/{divisor}");
    let output = pipe("djpeg", &["-scale", &scale, "-pnm"], bytes)?;
    Some(parse_pnm(&output))
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

/// jpeg-decoder at `1 / divisor`, when its own choice of scale is that one; otherwise why not.
fn jpeg_decoder(bytes: &[u8], divisor: u32) -> Result<Image, &'static str> {
    const REFUSED: &str = "jpeg-decoder refuses the file";
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(|_| REFUSED)?;
    let info = decoder.info().ok_or(REFUSED)?;
    let (w, h) = (
        u32::from(info.width).div_ceil(divisor),
        u32::from(info.height).div_ceil(divisor),
    );
    if divisor > 1 {
        let (sw, sh) = decoder.scale(w as u16, h as u16).map_err(|_| REFUSED)?;
        if (u32::from(sw), u32::from(sh)) != (w, h) {
            return Err("jpeg-decoder picks another scale");
        }
    }
    let data = decoder.decode().map_err(|_| REFUSED)?;
    let channels = data.len() / (w as usize * h as usize);
    Ok((w, h, channels, data))
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
fn every_decodable_fixture_matches_djpeg_within_one_level_at_every_scale() {
    if !djpeg_installed() {
        return;
    }
    let fixtures = decodable_fixtures(&[0xC0, 0xC1, 0xC2]);
    assert!(fixtures.len() >= 25, "{} decodable fixtures", fixtures.len());
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
fn every_decodable_fixture_agrees_with_jpeg_decoder() {
    let mut table = String::from("jpeg-decoder agreement (max / mean absolute difference per sample)\n");
    table += "| fixture | 1/1 | 1/2 | 1/4 | 1/8 |\n|---|---|---|---|---|\n";
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, bytes) in &decodable_fixtures(&[0xC0, 0xC1, 0xC2]) {
        table += &format!("| {name} |");
        for divisor in SCALES {
            let ours = own(bytes, divisor, name);
            match jpeg_decoder(bytes, divisor) {
                Ok(theirs) => {
                    compared += 1;
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
                Err(why) => table += &format!(" ({why}) |"),
            }
        }
        table += "\n";
    }
    println!("{table}");
    assert!(compared >= 120, "{compared} decodes compared");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Fixtures zune-jpeg 0.5.15 decodes wrongly: non-interleaved scans of subsampled components
/// (zune-image issue 422, fixed after that release; libjpeg and jpeg-decoder read them right).
const ZUNE_MISDECODES: &[&str] = &["non-interleaved.jpg"];

#[test]
fn every_decodable_fixture_agrees_with_zune_jpeg_at_full_size() {
    // zune-jpeg (through the `image` crate) has no DCT scaling, and converts four-component
    // files itself: gray and colour files at 1/1 only.
    let mut table = String::from("zune-jpeg agreement at 1/1 (max / mean absolute difference per sample)\n");
    table += "| fixture | 1/1 |\n|---|---|\n";
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, bytes) in &decodable_fixtures(&[0xC0, 0xC1, 0xC2]) {
        let (w, h, channels, ours) = own(bytes, 1, name);
        if channels == 4 {
            continue;
        }
        if ZUNE_MISDECODES.contains(&name.as_str()) {
            table += &format!("| {name} | not compared (zune-jpeg decodes it wrongly) |\n");
            continue;
        }
        let decoded = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
            .unwrap_or_else(|e| panic!("{name}: zune-jpeg: {e}"));
        assert_eq!((decoded.width(), decoded.height()), (w, h), "{name}");
        let theirs = if channels == 1 {
            decoded.to_luma8().into_raw()
        } else {
            decoded.to_rgb8().into_raw()
        };
        let (max, mean) = difference(&ours, &theirs);
        table += &format!("| {name} | {max} / {mean:.3} |\n");
        if mean >= 6.0 {
            failures.push(format!("{name}: mean {mean}"));
        }
        compared += 1;
    }
    println!("{table}");
    assert!(compared >= 20, "{compared} fixtures compared");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Where the first scan header starts (its FF DA).
fn first_scan(bytes: &[u8]) -> usize {
    (2..bytes.len() - 1)
        .find(|&i| bytes[i] == 0xFF && bytes[i + 1] == 0xDA)
        .expect("a scan")
}

/// A deterministic picture with gradients, edges and grain, so that every coefficient matters.
fn picture(width: u32, height: u32, channels: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ u64::from(width * 131 + height);
    (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| {
            (0..channels)
                .map(|c| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let grain = (state >> 59) as u32;
                    let edge = if (x / 5 + y / 3 + c as u32).is_multiple_of(2) {
                        60
                    } else {
                        0
                    };
                    ((x * 7 + y * 3 + c as u32 * 50 + grain + edge) % 256) as u8
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn encode(
    width: u32,
    height: u32,
    colour: ColorType,
    sampling: SamplingFactor,
    restart: Option<u16>,
) -> Vec<u8> {
    let channels = match colour {
        ColorType::Luma => 1,
        ColorType::Cmyk | ColorType::CmykAsYcck => 4,
        _ => 3,
    };
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, 85);
    encoder.set_sampling_factor(sampling);
    if let Some(interval) = restart {
        encoder.set_restart_interval(interval);
    }
    let data = picture(width, height, channels);
    encoder
        .encode(&data, width as u16, height as u16, colour)
        .unwrap();
    out
}

/// Our decode matches djpeg within 1 level at every scale (nothing checked without djpeg).
fn assert_matches_djpeg(bytes: &[u8], what: &str) {
    for divisor in SCALES {
        if let Some((max, mean)) = against_djpeg(bytes, divisor, what) {
            assert!(max <= 1, "{what} at 1/{divisor}: max {max}, mean {mean:.3}");
        }
    }
}

/// The crate's own encoder (which will replace jpeg-encoder) writes files libjpeg-turbo reads as
/// the crate's decoder does, at every subsampling, size class and quality; with Huffman tables
/// built for the picture too, and then djpeg, jpeg-decoder, zune-jpeg and the crate's decoder
/// each read exactly the pixels they read from the file with K.3's tables.
#[test]
fn the_crates_own_encoder_writes_what_djpeg_reads_alike() {
    if !djpeg_installed() {
        return;
    }
    let zune = |bytes: &[u8]| {
        image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
            .expect("zune-jpeg reads the file")
            .to_rgb8()
            .into_raw()
    };
    for subsampling in [
        ChromaSubsampling::Yuv444,
        ChromaSubsampling::Yuv422,
        ChromaSubsampling::Yuv420,
    ] {
        for (w, h) in [(1, 1), (7, 5), (16, 16), (17, 33), (203, 157)] {
            for quality in [1, 85, 100] {
                let mut options = Options::default();
                options.subsampling = subsampling;
                options.quality = quality;
                let rgb = picture(w, h, 3);
                let what = format!("own encoder {w}x{h} {subsampling:?} q{quality}");
                let bytes = encode_own_rgb(&rgb, w, h, &options);
                assert_matches_djpeg(&bytes, &what);

                options.optimize_huffman = true;
                let optimised = encode_own_rgb(&rgb, w, h, &options);
                let what = format!("{what}, optimised Huffman tables");
                assert_ne!(optimised, bytes, "{what}");
                assert_matches_djpeg(&optimised, &what);
                assert_eq!(djpeg(&optimised, 1), djpeg(&bytes, 1), "{what}: djpeg");
                let jpeg_decoder = |bytes| jpeg_decoder(bytes, 1).expect("jpeg-decoder reads the file");
                assert_eq!(
                    jpeg_decoder(&optimised),
                    jpeg_decoder(&bytes),
                    "{what}: jpeg-decoder"
                );
                assert_eq!(zune(&optimised), zune(&bytes), "{what}: zune-jpeg");
                assert_eq!(own(&optimised, 1, &what), own(&bytes, 1, &what), "{what}: ours");
            }
        }
    }
}

#[test]
fn tiny_420_pictures_of_1x1_to_7x7_match_djpeg() {
    if !djpeg_installed() {
        return;
    }
    for w in 1..=7 {
        for h in 1..=7 {
            let bytes = encode(w, h, ColorType::Rgb, SamplingFactor::F_2_2, None);
            assert_matches_djpeg(&bytes, &format!("{w}x{h} 4:2:0"));
        }
    }
}

#[test]
fn every_sampling_factor_and_odd_mcu_counts_match_djpeg() {
    if !djpeg_installed() {
        return;
    }
    use SamplingFactor::*;
    for sampling in [F_1_1, F_2_1, F_1_2, F_2_2, F_4_1, F_4_2, F_1_4, F_2_4] {
        for (w, h) in [(17, 9), (33, 31), (65, 3), (9, 66), (1, 35)] {
            let bytes = encode(w, h, ColorType::Rgb, sampling, None);
            assert_matches_djpeg(&bytes, &format!("{w}x{h} {sampling:?}"));
        }
    }
    for (w, h) in [(1, 1), (13, 7), (40, 33)] {
        assert_matches_djpeg(
            &encode(w, h, ColorType::Luma, F_1_1, None),
            &format!("gray {w}x{h}"),
        );
        assert_matches_djpeg(
            &encode(w, h, ColorType::Cmyk, F_1_1, None),
            &format!("cmyk {w}x{h}"),
        );
        assert_matches_djpeg(
            &encode(w, h, ColorType::CmykAsYcck, F_2_2, None),
            &format!("ycck {w}x{h}"),
        );
    }
}

#[test]
fn restart_intervals_match_djpeg() {
    if !djpeg_installed() {
        return;
    }
    for interval in [1, 2, 3, 7] {
        let bytes = encode(37, 29, ColorType::Rgb, SamplingFactor::F_2_2, Some(interval));
        assert_matches_djpeg(&bytes, &format!("restart interval {interval}"));
    }
}

/// The first DQT segment's first table entry at zigzag position `k`, as a byte offset.
fn quant_entry(bytes: &[u8], k: usize) -> usize {
    let dqt = (2..bytes.len() - 1)
        .find(|&i| bytes[i] == 0xFF && bytes[i + 1] == 0xDB)
        .unwrap();
    assert_eq!(bytes[dqt + 4] >> 4, 0, "8-bit entries");
    dqt + 5 + k
}

#[test]
fn a_zero_quantisation_entry_is_read_as_libjpeg_reads_it() {
    let mut bytes = encode(48, 40, ColorType::Rgb, SamplingFactor::F_2_2, None);
    for k in [1, 2, 9, 20] {
        let at = quant_entry(&bytes, k);
        bytes[at] = 0;
    }
    // jpeg-decoder refuses such a table; libjpeg and we zero those coefficients.
    assert!(jpeg_decoder::Decoder::new(&bytes[..]).decode().is_err());
    let (w, h, channels, data) = own(&bytes, 1, "zero quantiser");
    assert_eq!((w, h, channels, data.len()), (48, 40, 3, 48 * 40 * 3));
    assert_matches_djpeg(&bytes, "zero quantiser");
}

#[test]
fn a_non_interleaved_baseline_file_matches_djpeg() {
    // cjpeg writes one scan per component from a scan script; jpeg-encoder cannot.
    let script = std::env::temp_dir().join(format!("non-interleaved-{}.txt", std::process::id()));
    std::fs::write(&script, "0;\n1;\n2;\n").unwrap();
    let (w, h) = (45u32, 27u32);
    let mut ppm = format!("P6\n{w} {h}\n255\n").into_bytes();
    ppm.extend(picture(w, h, 3));
    let script_arg = script.to_string_lossy().into_owned();
    let output = pipe("cjpeg", &["-sample", "2x2,1x1,1x1", "-scans", &script_arg], &ppm);
    std::fs::remove_file(&script).ok();
    let Some(bytes) = output else {
        println!("cjpeg not found: skipping the non-interleaved file");
        return;
    };
    let scans = (0..bytes.len() - 1)
        .filter(|&i| bytes[i] == 0xFF && bytes[i + 1] == 0xDA)
        .count();
    assert_eq!((frame_marker(&bytes), scans), (Some(0xC0), 3));
    assert_matches_djpeg(&bytes, "non-interleaved 4:2:0");
    let ours = own(&bytes, 1, "non-interleaved");
    let (max, mean) = difference(
        &ours.3,
        &jpeg_decoder(&bytes, 1).expect("jpeg-decoder reads it").3,
    );
    assert!(mean < 1.0, "against jpeg-decoder: max {max}, mean {mean}");
}

fn error_code(bytes: &[u8], divisor: u32) -> Option<&'static str> {
    decode_jpeg_own(bytes, divisor).err().map(|e| e.code().as_str())
}

/// Cuts inside the scans, from the first scan's entropy-coded data to its EOI: every one when
/// there are few, else an even sample plus the last 24. (A cut inside a marker segment is the
/// header walk's case, tested elsewhere.)
fn cuts(bytes: &[u8]) -> Vec<usize> {
    let sos = first_scan(bytes);
    let sos_length = usize::from(u16::from_be_bytes([bytes[sos + 2], bytes[sos + 3]]));
    let (start, end) = (sos + 2 + sos_length, bytes.len() - 2);
    let span = end - start;
    if span <= 600 {
        return (start..end).collect();
    }
    let mut cuts: Vec<usize> = (0..300).map(|i| start + i * span / 300).collect();
    cuts.extend(end - 24..end);
    cuts
}

#[test]
fn every_cut_of_a_sequential_scan_is_truncated_with_or_without_eoi() {
    let mut inputs = sequential_fixtures();
    for interval in [1, 4] {
        let bytes = encode(37, 29, ColorType::Rgb, SamplingFactor::F_2_2, Some(interval));
        inputs.push((format!("restart interval {interval}"), bytes));
    }
    inputs.push((
        "7x7 4:2:0".into(),
        encode(7, 7, ColorType::Rgb, SamplingFactor::F_2_2, None),
    ));
    let mut checked = 0;
    for (name, bytes) in &inputs {
        assert_eq!(error_code(bytes, 8), None, "{name} whole");
        for cut in cuts(bytes) {
            let divisor = if cut.is_multiple_of(7) { 1 } else { 8 };
            let mut closed = bytes[..cut].to_vec();
            assert_eq!(
                error_code(&closed, divisor),
                Some("image.truncated"),
                "{name} cut at {cut}"
            );
            closed.extend_from_slice(&[0xFF, 0xD9]);
            assert_eq!(
                error_code(&closed, divisor),
                Some("image.truncated"),
                "{name} cut at {cut}, then EOI"
            );
            checked += 1;
        }
    }
    assert!(checked > 5000, "{checked} cuts");
}

#[test]
fn damaged_and_unsupported_fixtures_are_reported_as_such() {
    let read = |name: &str| std::fs::read(fixture_dir().join(name)).unwrap();
    for (name, code) in [
        ("corrupt-huffman.jpg", "image.corrupt"),
        ("huffman-table-flood.jpg", "image.corrupt"),
        ("truncated-half.jpg", "image.truncated"),
        ("truncated-half-then-eoi.jpg", "image.truncated"),
        ("truncated-after-sof.jpg", "image.truncated"),
        ("progressive-cut-in-dc-scan-then-eoi.jpg", "image.truncated"),
        ("arithmetic-coded.jpg", "image.unsupported_encoding"),
        ("precision-12bit.jpg", "image.unsupported_encoding"),
    ] {
        for divisor in SCALES {
            assert_eq!(
                error_code(&read(name), divisor),
                Some(code),
                "{name} at 1/{divisor}"
            );
        }
    }
}

/// `jpegtran -progressive` with `extra` arguments: libjpeg's default progression, spectral
/// selection with successive approximation, so DC and AC refinement scans; lossless, the same
/// coefficients as `bytes`. `None` without jpegtran.
fn progressive(bytes: &[u8], extra: &[&str]) -> Option<Vec<u8>> {
    let mut args = vec!["-progressive"];
    args.extend_from_slice(extra);
    let output = pipe("jpegtran", &args, bytes);
    if output.is_none() {
        println!("jpegtran not found: skipping the progressive re-encodings");
    }
    output
}

/// Each scan header's spectral selection and successive approximation: (Ss, Se, Ah, Al).
fn scan_parameters(bytes: &[u8]) -> Vec<(u8, u8, u8, u8)> {
    (2..bytes.len() - 1)
        .filter(|&i| bytes[i] == 0xFF && bytes[i + 1] == 0xDA)
        .map(|sos| {
            let at = sos + 5 + 2 * usize::from(bytes[sos + 4]);
            (bytes[at], bytes[at + 1], bytes[at + 2] >> 4, bytes[at + 2] & 0x0F)
        })
        .collect()
}

/// Small pictures of every colour type and several samplings, then every sequential fixture.
fn progressive_sources() -> Vec<(String, Vec<u8>)> {
    use SamplingFactor::*;
    let mut sources = vec![
        (
            "gray 13x7".to_string(),
            encode(13, 7, ColorType::Luma, F_1_1, None),
        ),
        ("cmyk 40x33".into(), encode(40, 33, ColorType::Cmyk, F_1_1, None)),
        (
            "ycck 40x33".into(),
            encode(40, 33, ColorType::CmykAsYcck, F_2_2, None),
        ),
        ("4:2:2 33x31".into(), encode(33, 31, ColorType::Rgb, F_2_1, None)),
        ("4:1:1 65x3".into(), encode(65, 3, ColorType::Rgb, F_4_1, None)),
        ("4:2:0 7x7".into(), encode(7, 7, ColorType::Rgb, F_2_2, None)),
    ];
    // Quality 100 and a hard checkerboard: AC coefficients far outside 8 bits (about 1000), in
    // one block of each 8-block row, then in 4 of each 12, where the decoder's 8-bit coefficient
    // store spills single blocks and then widens whole rows.
    for (width, checkered) in [(64, 8), (96, 32)] {
        sources.push((
            format!("q100 checkerboard in {checkered} of {width} columns"),
            checkerboard(width, 40, checkered),
        ));
    }
    sources.extend(sequential_fixtures());
    sources
}

/// A 4:2:0 quality-100 JPEG, `width` x `height`, whose first `checkered` columns are a
/// one-pixel red and green checkerboard and the rest a soft gradient.
fn checkerboard(width: u32, height: u32, checkered: u32) -> Vec<u8> {
    let data: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| match (x < checkered, (x + y) % 2 == 0) {
            (true, true) => [255, 0, 0],
            (true, false) => [0, 255, 0],
            (false, _) => [(x * 2) as u8, (y * 3) as u8, 128],
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, 100);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder
        .encode(&data, width as u16, height as u16, ColorType::Rgb)
        .unwrap();
    out
}

#[test]
fn progressive_files_with_refinement_scans_decode_as_their_sources_and_match_djpeg() {
    let mut checked = 0;
    for (name, source) in progressive_sources() {
        for extra in [&[][..], &["-restart", "2B"]] {
            let Some(bytes) = progressive(&source, extra) else {
                return;
            };
            let what = format!("{name}, progressive {extra:?}");
            assert_eq!(frame_marker(&bytes), Some(0xC2), "{what}");
            let refinements = scan_parameters(&bytes).iter().filter(|p| p.2 > 0).count();
            assert!(refinements >= 1, "{what}: no refinement scan");
            for divisor in SCALES {
                // The same coefficients: the same picture, sample for sample.
                assert!(
                    own(&bytes, divisor, &what) == own(&source, divisor, &name),
                    "{what} at 1/{divisor} differs from its source"
                );
            }
            assert_matches_djpeg(&bytes, &what);
            checked += 1;
        }
    }
    assert!(checked >= 44, "{checked} progressive files");
}

/// Whether the data at `at` starts a marker (not a stuffed byte or a restart marker).
fn at_marker(bytes: &[u8], at: usize) -> bool {
    bytes[at] == 0xFF && !matches!(bytes[at + 1], 0x00 | 0xD0..=0xD7 | 0xFF)
}

/// Where the marker after the first scans that together name every component starts.
fn whole_scans_covering_every_component(bytes: &[u8]) -> usize {
    let sof = (2..bytes.len() - 1)
        .find(|&i| bytes[i] == 0xFF && bytes[i + 1] == 0xC2)
        .unwrap();
    let components = usize::from(bytes[sof + 9]);
    let mut seen = std::collections::BTreeSet::new();
    let mut sos = first_scan(bytes);
    loop {
        let n = usize::from(bytes[sos + 4]);
        seen.extend((0..n).map(|c| bytes[sos + 5 + 2 * c]));
        let end = (sos + 2..bytes.len() - 1).find(|&i| at_marker(bytes, i)).unwrap();
        if seen.len() == components {
            return end;
        }
        sos = (end..bytes.len() - 1)
            .find(|&i| bytes[i] == 0xFF && bytes[i + 1] == 0xDA)
            .unwrap();
    }
}

#[test]
fn every_cut_of_a_progressive_file_is_truncated_and_whole_scans_before_eoi_decode() {
    let read = |name: &str| std::fs::read(fixture_dir().join(name)).unwrap();
    let mut inputs = vec![("progressive.jpg".to_string(), read("progressive.jpg"))];
    for (name, source) in [
        ("odd-size-333x177.jpg", read("odd-size-333x177.jpg")),
        ("restart-interval.jpg", read("restart-interval.jpg")),
        ("cmyk-adobe.jpg", read("cmyk-adobe.jpg")),
        (
            "4:2:0 37x29",
            encode(37, 29, ColorType::Rgb, SamplingFactor::F_2_2, None),
        ),
    ] {
        for extra in [&[][..], &["-restart", "1B"]] {
            let Some(bytes) = progressive(&source, extra) else {
                return;
            };
            inputs.push((format!("{name}, progressive {extra:?}"), bytes));
        }
    }
    let mut checked = 0;
    for (name, bytes) in &inputs {
        assert_eq!(error_code(bytes, 1), None, "{name} whole");
        // Marker segments between the scans: (start, end) in bytes.
        let segments: Vec<(usize, usize)> = (first_scan(bytes) + 2..bytes.len() - 3)
            .filter(|&i| at_marker(bytes, i) && bytes[i + 1] != 0xD9)
            .map(|i| {
                (
                    i,
                    i + 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]])),
                )
            })
            .collect();
        for cut in cuts(bytes) {
            let divisor = [1, 2, 4, 8][cut % 4];
            let mut closed = bytes[..cut].to_vec();
            assert_eq!(
                error_code(&closed, divisor),
                Some("image.truncated"),
                "{name} cut at {cut}"
            );
            closed.extend_from_slice(&[0xFF, 0xD9]);
            let code = error_code(&closed, divisor);
            // At a marker (or between its 0xFF and its code, the 0xFF then a fill byte before
            // the EOI) every scan before it is whole: a coarser picture, or truncated when some
            // component has had no scan yet.
            let between_scans = at_marker(bytes, cut) || at_marker(bytes, cut - 1);
            // Inside a table or scan header the EOI's two bytes may be read as its last ones.
            let in_segment = segments.iter().any(|&(start, end)| start + 1 < cut && cut < end);
            if in_segment {
                assert!(
                    matches!(code, Some("image.truncated" | "image.corrupt")),
                    "{name} cut at {cut}, then EOI: {code:?}"
                );
            } else if !(between_scans && code.is_none()) {
                assert_eq!(code, Some("image.truncated"), "{name} cut at {cut}, then EOI");
            }
            checked += 1;
        }
        // Cut after the first scans that cover every component, the file is a coarse picture
        // of the full size. (libjpeg smooths the blocks of such a file, guessing low AC
        // coefficients from the neighbours' DC values; we do not, so no djpeg comparison.)
        let coarse_end = whole_scans_covering_every_component(bytes);
        let mut coarse = bytes[..coarse_end].to_vec();
        coarse.extend_from_slice(&[0xFF, 0xD9]);
        for divisor in SCALES {
            let full = own(bytes, divisor, name);
            let rough = own(&coarse, divisor, &format!("{name}, first scans only"));
            assert_eq!(
                (rough.0, rough.1, rough.2),
                (full.0, full.1, full.2),
                "{name} at 1/{divisor}"
            );
        }
    }
    assert!(checked >= 2500, "{checked} cuts");
}

#[test]
fn a_decode_of_a_region_equals_the_whole_decode_there_at_every_scale() {
    use profile_image::stages::decode_jpeg_own_region;
    let mut inputs = decodable_fixtures(&[0xC0, 0xC1, 0xC2]);
    if let Some(bytes) = progressive(&encode(61, 45, ColorType::Rgb, SamplingFactor::F_2_2, None), &[]) {
        inputs.push(("61x45 4:2:0 with refinement scans".into(), bytes));
    }
    if let Some(bytes) = progressive(&checkerboard(96, 40, 32), &[]) {
        inputs.push(("q100 checkerboard with refinement scans".into(), bytes));
    }
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |below: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(below.max(1))) as u32
    };
    let mut checked = 0;
    for (name, bytes) in &inputs {
        for divisor in SCALES {
            let (w, h, channels, whole) = own(bytes, divisor, name);
            for _ in 0..3 {
                let (left, top) = (next(w), next(h));
                let (right, bottom) = (left + 1 + next(w - left), top + 1 + next(h - top));
                let region = (left, top, right, bottom);
                let (_, _, _, part) = decode_jpeg_own_region(bytes, divisor, region).unwrap();
                for y in top..bottom {
                    let row = (y * w) as usize * channels;
                    let span = row + left as usize * channels..row + right as usize * channels;
                    assert!(
                        part[span.clone()] == whole[span],
                        "{name} at 1/{divisor}, region {region:?}, row {y}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked} regions");
}
