//! The conformance suite over the committed corpus: one trial per line of `fixtures/manifest.tsv`
//! and of `fixtures/regressions/manifest.tsv`, so one failure never hides another.
//!
//! A fixture expected to fail must fail with exactly its manifest code, with an error body that
//! has the spec's fields. A fixture expected to succeed must give an output that:
//! - is a baseline, 8-bit, three-component JPEG of exactly 1200x1200 with no APP1 (EXIF/XMP),
//!   APP2 (ICC), APP13 (IPTC) or COM segment, and reports the manifest's upright source size;
//! - decodes with two decoders independent of the encoder (zune-jpeg through the `image` crate,
//!   and jpeg-decoder), which agree with each other;
//! - is byte-for-byte the same when the input is normalized a second time;
//! - looks like the fixture's reference rendering (see `Tolerance`).
//!
//! The reference rendering starts from the picture the generator meant the file to show
//! (`looks_like` in `tests/support/corpus.rs`: upright, sRGB, over white; for photo-like lossy
//! JPEGs, the file as the `image` crate decodes it), cover-crops it to 1200x1200 about its centre
//! with a naive separable Lanczos3 in floating point (written here, sharing nothing with the
//! pipeline), and averages it over a 24x24 grid of 50x50-pixel cells. The output is averaged
//! over the same cells. Cells, not pixels, because JPEG quantisation legitimately moves single
//! pixels by tens of levels, while a wrong rotation, crop, colour conversion or background moves
//! whole cells (see `Tolerance` for the limits and why edge cells get more room). When a trial's
//! picture differs, the output, the reference rendering and an amplified difference image are
//! written to `target/tmp/conformance/<fixture>/`.
//!
//! Every fixture that succeeds is also cut at each of its boundaries (inside the signature, and
//! before every JPEG marker or PNG chunk, the end marker included): each cut must be refused as
//! `image.truncated`, never accepted as a smaller or greyed picture, never reported as another
//! type or as corrupt.
//!
//! Regressions (minimized inputs that once crashed, hung or exhausted memory) are checked for
//! their outcome and, when they succeed, for the output invariants.

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/helpers.rs"]
mod helpers;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use corpus::Raster;
use libtest_mimic::{Arguments, Failed, Trial};
use profile_image::{normalize_profile_image, ValidationError};

const TARGET: u32 = 1200;
/// Cells per side of the comparison grid.
const CELLS: u32 = 24;
const CELL: u32 = TARGET / CELLS;

/// What an output is compared with.
enum Reference {
    /// The picture the generator meant the file to show; `strict` holds its edge cells to the
    /// flat-cell tolerance (`Fixture::strict_edges`).
    Intended { picture: Raster, strict: bool },
    /// The output for an untagged sRGB PNG of this picture (`Fixture::against_twin`), every cell
    /// held to the flat-cell tolerance.
    Twin(Raster),
    /// The file as the `image` crate decodes it (for photo-like lossy JPEGs, whose own coding
    /// loss exceeds the tolerance; they carry no EXIF or profile, so that decoding is complete).
    TheFileDecoded,
}

/// How far the output's cell means may be from the reference's, in 8-bit levels per channel.
///
/// A cell is *flat* when the reference rendering varies by at most `edge_range` levels inside it
/// (per channel), and an *edge* cell otherwise. Flat cells must match within `flat_cell`: there
/// only JPEG quantisation separates output from reference, and a wrong rotation, crop,
/// background or colour conversion moves them by more (an unconverted Display P3 skin tone by
/// 14). Edge cells get `edge_cell`, because there the result legitimately depends on choices
/// the reference cannot share: chroma subsampling smearing saturated colours into each other,
/// and, for large gamma-2.2-like sources, the colour conversion running after the resize (on the
/// 1.44 MP result, to save time), so
/// a blend of two colours is converted rather than two conversions blended. `mean` (over all
/// cells and channels) catches any broad shift. Largest seen over the corpus when these were set:
/// flat 2.0 (adobe-rgb-patches.jpg), edge 13.1 (cmyk-icc-profile.jpg), mean 0.67 (the strips);
/// since the CMYK conversion runs before the resize, its edge cells are within 1.6 and held to
/// the flat-cell tolerance, as are the gAMA fixtures' (`Fixture::strict_edges`; largest 3.9).
/// `CONFORMANCE_REPORT=1 cargo test --test conformance` prints each fixture's figures.
struct Tolerance {
    edge_range: f64,
    flat_cell: f64,
    edge_cell: f64,
    mean: f64,
}

const TOLERANCE: Tolerance = Tolerance {
    edge_range: 16.0,
    flat_cell: 4.0,
    edge_cell: 16.0,
    mean: 1.0,
};

/// Largest difference allowed between the two decoders' pixels: IDCT and upsampling rounding.
const DECODER_AGREEMENT: u8 = 8;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut references: BTreeMap<&str, Reference> = corpus::all()
        .into_iter()
        .filter_map(|f| match (f.lossy, f.looks_like) {
            (true, _) => Some((f.name, Reference::TheFileDecoded)),
            (false, Some(picture)) if f.against_twin => Some((f.name, Reference::Twin(picture))),
            (false, Some(picture)) => Some((
                f.name,
                Reference::Intended {
                    picture,
                    strict: f.strict_edges,
                },
            )),
            (false, None) => None,
        })
        .collect();

    let mut trials = Vec::new();
    for (name, expected) in manifest(&root.join("manifest.tsv")) {
        let path = root.join(&name);
        if expected.starts_with("ok") {
            let path = path.clone();
            trials.push(Trial::test(format!("cut::{name}"), move || check_cuts(&path)));
        }
        let reference = references.remove(name.as_str());
        trials.push(Trial::test(format!("fixture::{name}"), move || {
            check(&name, &path, &expected, reference)
        }));
    }
    let regressions = root.join("regressions");
    for (name, expected) in manifest(&regressions.join("manifest.tsv")) {
        let path = regressions.join(&name);
        trials.push(Trial::test(format!("regression::{name}"), move || {
            check(&name, &path, &expected, None)
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// The (name, expected outcome) lines of a manifest, after its header line.
fn manifest(path: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|line| {
            let (name, expected) = line.split_once('\t').expect("name<TAB>expected");
            (name.to_string(), expected.to_string())
        })
        .collect()
}

fn check(name: &str, path: &Path, expected: &str, reference: Option<Reference>) -> Result<(), Failed> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    match (normalize_profile_image(&bytes), expected.split_once(' ')) {
        (Err(error), Some(("error", code))) => check_error(&error, code),
        (Ok(jpeg), Some(("ok", size))) => {
            let source = jpeg.source();
            let displayed = format!("{}x{}", source.displayed_width, source.displayed_height);
            if displayed != size {
                return Err(format!("upright source size {displayed}, manifest says {size}").into());
            }
            let decoded = check_output(jpeg.bytes())?;
            let again = normalize_profile_image(&bytes).map_err(|e| format!("second run: {e}"))?;
            if again.bytes() != jpeg.bytes() {
                return Err("a second run gave different bytes".into());
            }
            match reference {
                Some(Reference::Intended { picture, strict }) => {
                    check_picture(name, &decoded, &picture, strict)
                }
                Some(Reference::TheFileDecoded) => {
                    let source = image::load_from_memory(&bytes)
                        .map_err(|e| format!("the image crate cannot decode the fixture: {e}"))?
                        .to_rgb8();
                    let picture = Raster {
                        width: source.width(),
                        height: source.height(),
                        data: source.into_raw(),
                    };
                    check_picture(name, &decoded, &picture, false)
                }
                Some(Reference::Twin(picture)) => check_against_twin(name, &decoded, &picture),
                None => Ok(()),
            }
        }
        (Ok(_), _) => Err(format!("succeeded; expected {expected}").into()),
        (Err(error), _) => Err(format!("failed with {}: {error}; expected {expected}", error.code()).into()),
    }
}

fn check_error(error: &ValidationError, code: &str) -> Result<(), Failed> {
    if error.code().as_str() != code {
        return Err(format!("failed with {} ({error}); expected {code}", error.code()).into());
    }
    let body = serde_json::to_value(error.body()).expect("error bodies serialise");
    let message = body["errorMessage"].as_str().unwrap_or_default();
    if message.is_empty() || body["errorCode"] != code || body["reference"] != "image" {
        return Err(format!("error body {body}").into());
    }
    Ok(())
}

/// Offsets at which a file can be cut between its parts: inside the signature (two to seven
/// bytes of a PNG signature, SOI alone for a JPEG), and before each part `part_starts` finds.
fn boundaries(bytes: &[u8]) -> Vec<usize> {
    let signature_cuts = if bytes.starts_with(b"\x89PNG") { 2..8 } else { 2..3 };
    signature_cuts.chain(helpers::part_starts(bytes)).collect()
}

fn check_cuts(path: &Path) -> Result<(), Failed> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let cuts = boundaries(&bytes);
    if cuts.len() < 4 {
        return Err(format!("only {} boundaries found", cuts.len()).into());
    }
    let wrong: Vec<String> = cuts
        .iter()
        .filter_map(|&at| match normalize_profile_image(&bytes[..at]) {
            Err(e) if e.code().as_str() == "image.truncated" => None,
            Err(e) => Some(format!("cut at {at}: {}", e.code())),
            Ok(_) => Some(format!("cut at {at}: accepted")),
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} cuts: {}", wrong.len(), cuts.len(), wrong.join("; ")).into())
    }
}

/// The output invariants; returns the output decoded to RGB.
fn check_output(jpeg: &[u8]) -> Result<image::RgbImage, Failed> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) || !jpeg.ends_with(&[0xFF, 0xD9]) {
        return Err("output does not start with SOI and end with EOI".into());
    }
    let mut pos = 2;
    let mut frame = None;
    loop {
        let [0xFF, marker, hi, lo] = *jpeg.get(pos..pos + 4).ok_or("segment runs past the end")? else {
            return Err(format!("no marker at offset {pos}").into());
        };
        let end = pos + 2 + usize::from(u16::from_be_bytes([hi, lo]));
        let payload = jpeg.get(pos + 4..end).ok_or("segment runs past the end")?;
        match marker {
            0xC0 => frame = Some(payload.to_vec()),
            0xDA => break,
            0xE0 | 0xDB | 0xC4 | 0xDD => {}
            other => return Err(format!("output has segment FF{other:02X}").into()),
        }
        pos = end;
    }
    let frame = frame.ok_or("no SOF0 (baseline) frame header")?;
    let header = (
        frame[0],
        u16::from_be_bytes([frame[1], frame[2]]),
        u16::from_be_bytes([frame[3], frame[4]]),
        frame[5],
    );
    if header != (8, TARGET as u16, TARGET as u16, 3) {
        return Err(format!("frame (precision, height, width, components) = {header:?}").into());
    }

    let zune = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map_err(|e| format!("the image crate cannot decode the output: {e}"))?
        .to_rgb8();
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let other = decoder
        .decode()
        .map_err(|e| format!("jpeg-decoder cannot decode the output: {e}"))?;
    if zune.dimensions() != (TARGET, TARGET) || other.len() != zune.as_raw().len() {
        return Err(format!("decoded size {:?}", zune.dimensions()).into());
    }
    let worst = zune
        .as_raw()
        .iter()
        .zip(&other)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(0);
    if worst > DECODER_AGREEMENT {
        return Err(format!("the two decoders differ by up to {worst} levels").into());
    }
    Ok(zune)
}

/// Compares cell means of the output with those of the reference rendering; `strict` holds edge
/// cells to the flat-cell tolerance.
fn check_picture(
    name: &str,
    output: &image::RgbImage,
    reference: &Raster,
    strict: bool,
) -> Result<(), Failed> {
    let edge_limit = if strict {
        TOLERANCE.flat_cell
    } else {
        TOLERANCE.edge_cell
    };
    let rendered = render(reference);
    let expected = reference_cells(&rendered);
    // Worst (difference, cell) among flat cells and among edge cells.
    let mut worst = [(0.0f64, (0, 0)); 2];
    let mut total = 0.0;
    for cy in 0..CELLS {
        for cx in 0..CELLS {
            let got = output_cell(output, cx, cy);
            let want = &expected[(cy * CELLS + cx) as usize];
            let edge = usize::from(want.range > TOLERANCE.edge_range);
            for (g, w) in got.iter().zip(want.mean) {
                let d = (g - w).abs();
                total += d;
                if d > worst[edge].0 {
                    worst[edge] = (d, (cx, cy));
                }
            }
        }
    }
    let mean = total / f64::from(CELLS * CELLS * 3);
    let [flat, edge] = worst;
    let summary = format!(
        "worst flat cell {:.1} at {:?} (limit {}), worst edge cell {:.1} at {:?} (limit {}), \
         mean {mean:.2} (limit {})",
        flat.0, flat.1, TOLERANCE.flat_cell, edge.0, edge.1, edge_limit, TOLERANCE.mean
    );
    if std::env::var_os("CONFORMANCE_REPORT").is_some() {
        eprintln!("{name}: {summary}");
    }
    if flat.0 <= TOLERANCE.flat_cell && edge.0 <= edge_limit && mean <= TOLERANCE.mean {
        return Ok(());
    }
    let dir = write_diff(name, output, &rendered);
    Err(format!(
        "differs from the reference rendering: {summary}; images in {}",
        dir.display()
    )
    .into())
}

/// Compares the output's cells with those of the output for `picture` as an untagged sRGB PNG.
fn check_against_twin(name: &str, output: &image::RgbImage, picture: &Raster) -> Result<(), Failed> {
    let twin = image::RgbImage::from_raw(picture.width, picture.height, picture.data.clone())
        .ok_or("the twin's size")?;
    let mut png = std::io::Cursor::new(Vec::new());
    twin.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("the twin does not encode: {e}"))?;
    let twin_jpeg = normalize_profile_image(png.get_ref()).map_err(|e| format!("the twin fails: {e}"))?;
    let twin_output = check_output(twin_jpeg.bytes())?;
    let mut worst = (0.0f64, (0, 0));
    for cy in 0..CELLS {
        for cx in 0..CELLS {
            let (got, want) = (output_cell(output, cx, cy), output_cell(&twin_output, cx, cy));
            for (g, w) in got.iter().zip(want) {
                if (g - w).abs() > worst.0 {
                    worst = ((g - w).abs(), (cx, cy));
                }
            }
        }
    }
    if std::env::var_os("CONFORMANCE_REPORT").is_some() {
        eprintln!(
            "{name}: worst cell against the untagged twin {:.1} at {:?}",
            worst.0, worst.1
        );
    }
    if worst.0 <= TOLERANCE.flat_cell {
        return Ok(());
    }
    Err(format!(
        "differs from its untagged twin's output by {:.1} at cell {:?} (limit {})",
        worst.0, worst.1, TOLERANCE.flat_cell
    )
    .into())
}

fn output_cell(output: &image::RgbImage, cx: u32, cy: u32) -> [f64; 3] {
    let mut sum = [0u64; 3];
    for y in cy * CELL..(cy + 1) * CELL {
        for x in cx * CELL..(cx + 1) * CELL {
            let p = output.get_pixel(x, y).0;
            for c in 0..3 {
                sum[c] += u64::from(p[c]);
            }
        }
    }
    sum.map(|s| s as f64 / f64::from(CELL * CELL))
}

/// The centred cover crop of a `width` x `height` picture: (left, top, side length in source
/// pixels of one output pixel).
fn cover(width: u32, height: u32) -> (f64, f64, f64) {
    let step = (f64::from(width) / f64::from(TARGET)).min(f64::from(height) / f64::from(TARGET));
    let left = (f64::from(width) - step * f64::from(TARGET)) / 2.0;
    let top = (f64::from(height) - step * f64::from(TARGET)) / 2.0;
    (left, top, step)
}

fn lanczos3(x: f64) -> f64 {
    use std::f64::consts::PI;
    match x.abs() {
        0.0 => 1.0,
        a if a < 3.0 => 3.0 * (PI * a).sin() * (PI * a / 3.0).sin() / (PI * PI * a * a),
        _ => 0.0,
    }
}

/// For each of the `TARGET` outputs along one axis, the normalised Lanczos3 weights of the source
/// pixels (index, weight). The kernel widens by the scale when shrinking; taps outside the
/// picture are dropped and the rest renormalised.
fn weights(size: u32, start: f64, step: f64) -> Vec<Vec<(usize, f64)>> {
    let stretch = step.max(1.0);
    (0..TARGET)
        .map(|o| {
            let centre = start + (f64::from(o) + 0.5) * step;
            let first = (centre - 3.0 * stretch).floor().max(0.0) as usize;
            let last = ((centre + 3.0 * stretch).ceil() as usize).min(size as usize);
            let taps: Vec<(usize, f64)> = (first..last)
                .map(|i| (i, lanczos3((i as f64 + 0.5 - centre) / stretch)))
                .collect();
            let total: f64 = taps.iter().map(|t| t.1).sum();
            taps.into_iter().map(|(i, w)| (i, w / total)).collect()
        })
        .collect()
}

/// The reference rendering: `reference` cover-cropped about its centre and resampled to
/// `TARGET` x `TARGET` with a separable Lanczos3 filter in floating point, clipped to 0..=255.
/// RGB, row-major.
fn render(reference: &Raster) -> Vec<f64> {
    let (left, top, step) = cover(reference.width, reference.height);
    let columns = weights(reference.width, left, step);
    let rows = weights(reference.height, top, step);
    let width = reference.width as usize;
    let target = TARGET as usize;
    // Horizontal pass over every source row, then the vertical pass.
    let mut wide = vec![0.0; reference.height as usize * target * 3];
    for y in 0..reference.height as usize {
        for (x, taps) in columns.iter().enumerate() {
            for &(i, w) in taps {
                for c in 0..3 {
                    wide[(y * target + x) * 3 + c] += w * f64::from(reference.data[(y * width + i) * 3 + c]);
                }
            }
        }
    }
    let mut out = vec![0.0; target * target * 3];
    for (y, taps) in rows.iter().enumerate() {
        for &(i, w) in taps {
            for x in 0..target * 3 {
                out[y * target * 3 + x] += w * wide[i * target * 3 + x];
            }
        }
    }
    out.iter_mut().for_each(|v| *v = v.clamp(0.0, 255.0));
    out
}

/// One cell of the reference rendering.
struct Cell {
    mean: [f64; 3],
    /// The largest (max - min) over the three channels inside the cell.
    range: f64,
}

/// Means and ranges of the rendering over each output cell.
fn reference_cells(rendered: &[f64]) -> Vec<Cell> {
    let mut cells = Vec::new();
    for cy in 0..CELLS {
        for cx in 0..CELLS {
            let mut sum = [0.0; 3];
            let (mut low, mut high) = ([f64::MAX; 3], [f64::MIN; 3]);
            for y in cy * CELL..(cy + 1) * CELL {
                for x in cx * CELL..(cx + 1) * CELL {
                    let i = ((y * TARGET + x) * 3) as usize;
                    for c in 0..3 {
                        sum[c] += rendered[i + c];
                        low[c] = low[c].min(rendered[i + c]);
                        high[c] = high[c].max(rendered[i + c]);
                    }
                }
            }
            let range = (0..3).map(|c| high[c] - low[c]).fold(0.0, f64::max);
            let mean = sum.map(|s| s / f64::from(CELL * CELL));
            cells.push(Cell { mean, range });
        }
    }
    cells
}

/// Writes the output, the reference rendering and their difference times four.
fn write_diff(name: &str, output: &image::RgbImage, rendered: &[f64]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("conformance")
        .join(name);
    let rendered = image::RgbImage::from_fn(TARGET, TARGET, |x, y| {
        let i = ((y * TARGET + x) * 3) as usize;
        image::Rgb([0, 1, 2].map(|c| rendered[i + c].round() as u8))
    });
    let diff = image::RgbImage::from_fn(TARGET, TARGET, |x, y| {
        let (a, b) = (output.get_pixel(x, y).0, rendered.get_pixel(x, y).0);
        image::Rgb([0, 1, 2].map(|c| a[c].abs_diff(b[c]).saturating_mul(4)))
    });
    let written = fs::create_dir_all(&dir).and_then(|()| {
        for (file, picture) in [
            ("output.png", output),
            ("reference.png", &rendered),
            ("diff.png", &diff),
        ] {
            picture.save(dir.join(file)).map_err(std::io::Error::other)?;
        }
        Ok(())
    });
    if let Err(e) = written {
        eprintln!("{name}: could not write the diff images: {e}");
    }
    dir
}
