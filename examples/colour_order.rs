//! The colour conversion before the resize against after it, per fixture that converts.
//!
//! ```text
//! cargo run --release --example colour_order [-- --runs N] [--only TEXT]
//! ```
//!
//! Prints one Markdown row per fixture whose colours are converted, then for 12 MP photo-like
//! JPEGs tagged with Display P3, Adobe RGB and ProPhoto RGB profiles: where the plan's rule puts
//! the conversion, the difference between the two orders' outputs (decoded: largest and mean
//! difference per sample, PSNR), and the median time of each order over N runs (default 5).
//! `--only TEXT` keeps the inputs whose name contains TEXT.

use std::time::Instant;

use profile_image::{stages, Options, Upload};

#[path = "../tests/support/synth.rs"]
mod synth;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 5;
    let mut only = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            "--only" => only = args.next().ok_or("--only needs a text")?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let manifest = std::fs::read_to_string(root.join("manifest.tsv"))?;
    let options = Options::default();
    println!("| fixture | rule | max diff | mean diff | PSNR dB | before | after |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let mut inputs = Vec::new();
    for line in manifest.lines().skip(1) {
        let Some((name, "ok")) = line.split_once('\t').map(|(n, e)| (n, &e[..2])) else {
            continue;
        };
        inputs.push((name.to_string(), std::fs::read(root.join(name))?));
    }
    let photo = synth::photo_jpeg(4000, 3000, false);
    for (name, profile) in [
        ("12 MP JPEG, Display P3", moxcms::ColorProfile::new_display_p3()),
        ("12 MP JPEG, Adobe RGB", moxcms::ColorProfile::new_adobe_rgb()),
        (
            "12 MP JPEG, ProPhoto RGB",
            moxcms::ColorProfile::new_pro_photo_rgb(),
        ),
    ] {
        let icc = profile.encode().expect("moxcms encodes its own profiles");
        inputs.push((name.to_string(), synth::with_icc_profile(&photo, &icc)));
    }
    for (name, bytes) in inputs.iter().filter(|(name, _)| name.contains(&only)) {
        let run = |before: bool| stages::normalize_with_colour_order(Upload::new(bytes), &options, before);
        let first = run(true)?;
        if format!("{:?}", first.source().color) != "Converted"
            && !name.contains("cmyk")
            && !name.contains("ycck")
        {
            continue;
        }
        let time = |before: bool| -> Result<f64, Box<dyn std::error::Error>> {
            let mut times = Vec::new();
            for _ in 0..runs {
                let start = Instant::now();
                run(before)?;
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            Ok(times[times.len() / 2])
        };
        let decode = |jpeg: &[u8]| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
            Ok(jpeg_decoder::Decoder::new(jpeg).decode()?)
        };
        let (a, b) = (decode(first.bytes())?, decode(run(false)?.bytes())?);
        let max = a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0);
        let sum: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x.abs_diff(*y))).sum();
        let squares: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum();
        let mse = squares / a.len() as f64;
        let psnr = if mse == 0.0 {
            f64::INFINITY
        } else {
            10.0 * (255.0 * 255.0 / mse).log10()
        };
        let rule = if stages::converts_before_resize(bytes, &options)? {
            "before"
        } else {
            "after"
        };
        println!(
            "| {name} | {rule} | {max} | {:.2} | {psnr:.1} | {:.1} ms | {:.1} ms |",
            sum / a.len() as f64,
            time(true)?,
            time(false)?
        );
    }
    Ok(())
}
