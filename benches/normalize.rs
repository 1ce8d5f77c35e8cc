//! Criterion benchmarks of the public API on realistic inputs, beside the naive pipeline a user
//! would otherwise write with the `image` crate, in the same run so the ratio is visible; then
//! each stage on its own.
//!
//! `cargo bench --bench normalize` (add a filter such as `normalize/` or `stages/` to run a
//! part). Throughput is in source pixels per second. Pin to one core (`taskset -c 0`) to measure
//! what one request costs; the medians are the figures the README quotes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use profile_image::{normalize_profile_image, stages, Options};

#[path = "../tests/support/synth.rs"]
mod synth;

/// The pipeline people write first: decode, `resize_to_fill` with Lanczos3, encode at q85.
/// (It ignores EXIF orientation and ICC profiles and drops alpha: it does less than ours.)
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

/// Few samples and short windows: the large inputs take a quarter of a second each, and the
/// median of ten is steady enough for ratios measured in the same run.
fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group
}

fn end_to_end(c: &mut Criterion) {
    let mut group = configure(c, "normalize");
    for input in synth::bench_inputs() {
        group.throughput(Throughput::Elements(input.pixels));
        group.bench_with_input(
            BenchmarkId::new("profile_image", input.name),
            &input.bytes,
            |b, bytes| b.iter(|| normalize_profile_image(black_box(bytes)).unwrap()),
        );
        let rgb_path = stages::without_planes(&Options::default());
        if stages::is_planar(&input.bytes, &Options::default()).unwrap_or(false) {
            // The same job through RGB, as before the planar path: what the planes gain.
            group.bench_with_input(
                BenchmarkId::new("profile_image_rgb_path", input.name),
                &input.bytes,
                |b, bytes| {
                    b.iter(|| {
                        let upload = profile_image::Upload::new(black_box(bytes));
                        profile_image::normalize_profile_image_with(upload, &rgb_path).unwrap()
                    })
                },
            );
        }
        group.bench_with_input(
            BenchmarkId::new("naive_image_crate", input.name),
            &input.bytes,
            |b, bytes| b.iter(|| naive(black_box(bytes))),
        );
    }
    group.finish();
}

/// Each stage on the output of the one before, as the pipeline runs them. A JPEG that takes the
/// planar path runs its stages twice: as planes, and (ids ending in `_rgb_path`) through RGB as
/// before the planar path.
fn per_stage(c: &mut Criterion) {
    let mut group = configure(c, "stages");
    let options = Options::default();
    for input in synth::bench_inputs() {
        let bytes = &input.bytes;
        if input.name.ends_with(".jpg") {
            // The JPEG decode alone at the pipeline's scale: ours, and jpeg-decoder's (which the
            // pipeline ran before, with a separate walk for damage) as the reference.
            group.throughput(Throughput::Elements(input.pixels));
            let divisor = stages::scale_divisor(bytes, &options).unwrap();
            group.bench_function(BenchmarkId::new("jpeg_decode_own", input.name), |b| {
                b.iter(|| stages::decode_jpeg_own(black_box(bytes), divisor).unwrap())
            });
            group.bench_function(BenchmarkId::new("jpeg_decode_jpeg_decoder", input.name), |b| {
                b.iter(|| stages::decode_jpeg_with_jpeg_decoder(black_box(bytes), divisor).unwrap())
            });
        }
        let mut paths = vec![("", options)];
        if stages::is_planar(bytes, &options).unwrap() {
            paths.push(("_rgb_path", stages::without_planes(&options)));
        }
        for (suffix, options) in paths {
            let id = |stage: &str| BenchmarkId::new(format!("{stage}{suffix}"), input.name);
            let mut huffman = options;
            huffman.optimize_huffman = true;
            group.throughput(Throughput::Elements(input.pixels));
            group.bench_function(id("decode"), |b| {
                b.iter(|| stages::decode(black_box(bytes), &options).unwrap())
            });
            let decoded = stages::decode(bytes, &options).unwrap();
            group.bench_function(id("resize"), |b| {
                b.iter(|| stages::resize(black_box(&decoded), &options).unwrap())
            });
            let resized = stages::resize(&decoded, &options).unwrap();
            group.throughput(Throughput::Elements(1200 * 1200));
            group.bench_function(id("colour_flatten_orient"), |b| {
                b.iter_batched(
                    || stages::resize(&decoded, &options).unwrap(),
                    |resized| stages::finish(resized, &decoded, &options).unwrap(),
                    criterion::BatchSize::LargeInput,
                )
            });
            let (upright, _) = stages::finish(resized, &decoded, &options).unwrap();
            group.bench_function(id("encode"), |b| {
                b.iter(|| stages::encode(black_box(&upright), &options).unwrap())
            });
            group.bench_function(id("encode_optimized_huffman"), |b| {
                b.iter(|| stages::encode(black_box(&upright), &huffman).unwrap())
            });
            if stages::is_planar(bytes, &options).unwrap() {
                continue; // the planar path's encode is the crate's own encoder already
            }
            // The RGB path encodes with jpeg-encoder; the crate's own encoder beside it.
            group.bench_function(id("encode_own"), |b| {
                b.iter(|| stages::encode_own(black_box(&upright), &options))
            });
            group.bench_function(id("encode_own_optimized"), |b| {
                b.iter(|| stages::encode_own(black_box(&upright), &huffman))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, end_to_end, per_stage);
criterion_main!(benches);
