//! Time and peak heap of `normalize_profile_image` on large synthetic inputs, in one process.
//!
//! ```text
//! cargo run --release --example measure [-- --runs N] [--write-inputs DIR | --dir DIR]
//! ```
//!
//! Prints one Markdown row per input: median wall time over N runs (default 7), the peak heap
//! above the input bytes (counting allocator), and the output size. `--write-inputs DIR` also
//! saves the inputs, so other tools can be timed on them; `--dir DIR` measures the `.jpg` and
//! `.png` files in DIR instead (real photographs, say), and skips the accepted-sizes search.

use std::time::Instant;

use profile_image::normalize_profile_image;

#[path = "../tests/support/counting.rs"]
mod counting;
#[path = "../tests/support/synth.rs"]
mod synth;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 7;
    let mut write_inputs = None;
    let mut dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            "--write-inputs" => write_inputs = Some(args.next().ok_or("--write-inputs needs a folder")?),
            "--dir" => dir = Some(args.next().ok_or("--dir needs a folder")?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if let Some(dir) = &write_inputs {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("--write-inputs {dir}: cannot create the folder: {e}"))?;
    }
    println!("| input | bytes | median time | peak heap | output bytes |");
    println!("|---|---|---|---|---|");
    let inputs = match &dir {
        Some(dir) => files_in(dir)?,
        None => synth::bench_inputs()
            .into_iter()
            .map(|input| (input.what.to_string(), input.name.to_string(), input.bytes))
            .collect(),
    };
    for (what, name, bytes) in inputs {
        if let Some(dir) = &write_inputs {
            let path = std::path::Path::new(dir).join(&name);
            std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let mut times = Vec::with_capacity(runs);
        let mut peak = 0;
        let mut out_len = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let (jpeg, run_peak) = counting::peak_of(|| normalize_profile_image(&bytes));
            times.push(start.elapsed());
            peak = peak.max(run_peak);
            out_len = jpeg?.bytes().len();
        }
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "| {what} | {} | {:.1} ms | {:.1} MiB | {out_len} |",
            bytes.len(),
            median.as_secs_f64() * 1e3,
            peak as f64 / (1 << 20) as f64
        );
    }
    if dir.is_none() {
        largest_accepted();
    }
    Ok(())
}

/// An input to measure: its label, file name and bytes.
type Input = (String, String, Vec<u8>);

/// The `.jpg` and `.png` files of `dir`, by name.
fn files_in(dir: &str) -> Result<Vec<Input>, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".jpg") || name.ends_with(".png") {
            files.push((name.clone(), name, std::fs::read(&path)?));
        }
    }
    files.sort();
    Ok(files)
}

/// Which sizes of each kind the default limits accept, from header-only files: refused sizes
/// get `image.memory_limit_exceeded` (or a size limit's code), accepted ones get as far as the
/// data check (`image.truncated`). Squares are bisected; for panoramas 32768 wide every height
/// is tried, since the JPEG DCT scale makes the cost fall again as the height grows.
fn largest_accepted() {
    type Claim = fn(u32) -> Vec<u8>;
    let kinds: [(&str, bool, Claim); 6] = [
        ("baseline JPEG 4:2:0", true, |n| {
            synth::claim_jpeg(n as u16, n as u16, false)
        }),
        ("progressive JPEG 4:2:0", true, |n| {
            synth::claim_jpeg(n as u16, n as u16, true)
        }),
        ("RGB PNG", true, |n| synth::claim_png(n, n, false)),
        ("RGBA PNG", true, |n| synth::claim_png(n, n, true)),
        ("baseline JPEG 4:2:0, 32768 wide", false, |n| {
            synth::claim_jpeg(32768, n as u16, false)
        }),
        ("RGB PNG, 32768 wide", false, |n| {
            synth::claim_png(32768, n, false)
        }),
    ];
    let fits = |claim: Claim, n: u32| {
        let code = normalize_profile_image(&claim(n))
            .map(|_| ())
            .map_err(|e| e.code());
        code != Err(profile_image::ErrorCode::MemoryLimitExceeded)
            && code != Err(profile_image::ErrorCode::TooManyPixels)
            && code != Err(profile_image::ErrorCode::DimensionsTooLarge)
    };
    println!();
    println!("| kind | accepted by the default limits |");
    println!("|---|---|");
    for (kind, square, claim) in kinds {
        if square {
            let (mut lo, mut hi) = (16u32, 32768u32);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if fits(claim, mid) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            println!(
                "| {kind} | up to {lo}x{lo} ({:.0} MP) |",
                f64::from(lo) * f64::from(lo) / 1e6
            );
        } else {
            // Runs of accepted heights, as "a-b".
            let mut runs: Vec<(u32, u32)> = Vec::new();
            for n in 1..=32768 {
                if fits(claim, n) {
                    match runs.last_mut() {
                        Some((_, end)) if *end == n - 1 => *end = n,
                        _ => runs.push((n, n)),
                    }
                }
            }
            let text: Vec<String> = runs.iter().map(|(a, b)| format!("{a} to {b}")).collect();
            println!("| {kind} | heights {} |", text.join(", "));
        }
    }
}
