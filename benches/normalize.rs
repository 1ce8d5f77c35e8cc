//! Criterion benchmarks of the public API on realistic inputs, beside the naive pipeline a user
//! would otherwise write with the `image` crate, in the same run so the ratio is visible.
//!
//! `cargo bench --bench normalize`; throughput is reported in source pixels per second.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use profile_image::normalize_profile_image;

#[path = "../tests/support/synth.rs"]
mod synth;

/// The pipeline people write first: decode, `resize_to_fill` with Lanczos3, encode at q85.
fn naive(bytes: &[u8]) -> Vec<u8> {
    let img = image::load_from_memory(bytes).unwrap();
    let img = img
        .resize_to_fill(1200, 1200, image::imageops::FilterType::Lanczos3)
        .to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

fn inputs() -> Vec<(&'static str, u64, Vec<u8>)> {
    vec![
        (
            "jpeg-12mp-baseline",
            4000 * 3000,
            synth::photo_jpeg(4000, 3000, false),
        ),
        (
            "jpeg-12mp-progressive",
            4000 * 3000,
            synth::photo_jpeg(4000, 3000, true),
        ),
        ("png-4mp-rgba", 2000 * 2000, synth::photo_png_rgba(2000, 2000)),
        (
            "jpeg-400x400-upscaled",
            400 * 400,
            synth::photo_jpeg(400, 400, false),
        ),
    ]
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("normalize");
    group.sample_size(10);
    for (name, pixels, bytes) in inputs() {
        group.throughput(Throughput::Elements(pixels));
        group.bench_with_input(BenchmarkId::new("profile_image", name), &bytes, |b, bytes| {
            b.iter(|| normalize_profile_image(black_box(bytes)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("naive_image_crate", name), &bytes, |b, bytes| {
            b.iter(|| naive(black_box(bytes)))
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
