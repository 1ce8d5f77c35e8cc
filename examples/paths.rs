//! The planar path against the RGB path on the same files, timed in one process and alternating
//! run by run, so that the machine's drift falls on both alike: the end-to-end job on each file
//! given (or on the bench inputs), median wall time of each path.
//!
//! `taskset -c 0 cargo run --release --example paths -- [--runs N] [FILE...]`

use std::time::Instant;

use profile_image::{normalize_profile_image_with, stages, Options, Upload};

#[path = "../tests/support/synth.rs"]
mod synth;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 61;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            file => files.push((file.to_string(), std::fs::read(file)?)),
        }
    }
    if files.is_empty() {
        files = synth::bench_inputs()
            .into_iter()
            .map(|input| (input.what.to_string(), input.bytes))
            .collect();
    }
    let planar = Options::default();
    let rgb = stages::without_planes(&planar);
    println!("| input | planar | through RGB | ratio |");
    println!("|---|---:|---:|---:|");
    for (name, bytes) in files {
        if !stages::is_planar(&bytes, &planar)? {
            continue;
        }
        let mut times = [Vec::with_capacity(runs), Vec::with_capacity(runs)];
        for _ in 0..runs {
            for (times, options) in times.iter_mut().zip([&planar, &rgb]) {
                let start = Instant::now();
                std::hint::black_box(normalize_profile_image_with(Upload::new(&bytes), options)?);
                times.push(start.elapsed().as_secs_f64() * 1e3);
            }
        }
        let [planar_ms, rgb_ms] = times.map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        });
        println!(
            "| {name} | {planar_ms:.1} ms | {rgb_ms:.1} ms | {:.2} |",
            planar_ms / rgb_ms
        );
    }
    Ok(())
}
