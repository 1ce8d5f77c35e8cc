//! Large synthetic inputs built at run time (too big to commit): photo-like pixels and their JPEG
//! and PNG encodings. Shared by `tests/memory.rs` and `benches/normalize.rs` through
//! `#[path = "..."] mod synth;`. Deterministic: a fixed-seed xorshift, no clock.
#![allow(dead_code)]

/// Photo-like pixels, made to cost about what a real camera photograph costs once encoded by
/// jpeg-encoder at quality 90, 4:2:0: about 215 KB per megapixel (real photos re-encoded the same
/// way: 120 to 320, about 205 on average), and about the same decode time per megapixel
/// in jpeg-decoder (full and DCT-scaled) and zune-jpeg.
///
/// A photograph is not white noise: most of its energy is at low frequencies (a roughly 1/f
/// spectrum), parts are smooth (sky, out-of-focus background) and parts busy (foliage, rock),
/// and objects have hard edges. So the image is built from value-noise layers:
/// - a smooth base colour per channel (cells of 1/2.5 of the long side: the scene layout);
/// - a texture mask (cells of 1/5 of the long side) choosing smooth or textured regions;
/// - in textured regions, four octaves of luminance detail (cells of 90, 28, 9 and 3 pixels,
///   amplitude falling with size), hard-edged blobs (a 40-pixel field thresholded at its middle)
///   and some chroma detail (24-pixel cells);
/// - everywhere, mild per-pixel luminance noise (uniform, +-3.5 levels), like sensor noise.
///
/// Detail cells are in pixels, so bytes per megapixel stay about the same at any size
/// (400x400 to 6000x3400 measured). 20 megapixels take about 0.3 to 0.6 s.
///
/// Deterministic: fixed seeds, an integer hash for the lattices and a xorshift for the noise; no
/// clock, no external crate. `channels` is 3 (RGB) or 4 (RGBA: opaque, with a transparent disc
/// of radius w/4 in the middle).
pub fn photo_pixels(w: u32, h: u32, channels: usize) -> Vec<u8> {
    // Luminance detail octave amplitudes (fractions of 255), largest cell first.
    const DETAIL_AMP: [f32; 4] = [0.30, 0.22, 0.16, 0.11];
    const EDGE: f32 = 0.12; // half the luminance step at an edge, as a fraction of 255
    const CHROMA: f32 = 40.0; // chroma detail amplitude, in levels
    const NOISE: f32 = 3.5; // per-pixel noise amplitude, in levels

    let (wu, hu) = (w as usize, h as usize);
    let long = w.max(h).max(1) as f32;

    // Layers and their rows: each is evaluated one image row at a time into `rows[i]`.
    // 0..3: base colour (R, G, B); 3: texture mask; 4: edge field; 5: chroma detail;
    // 6..10: luminance detail octaves (amplitudes in DETAIL_AMP).
    let layout = (long / 2.5) as u32;
    let layers = [
        Layer::new(w, h, layout, 11),
        Layer::new(w, h, layout, 12),
        Layer::new(w, h, layout, 13),
        Layer::new(w, h, (long / 5.0) as u32, 21),
        Layer::new(w, h, 40, 31),
        Layer::new(w, h, 24, 51),
        Layer::new(w, h, 90, 41),
        Layer::new(w, h, 28, 42),
        Layer::new(w, h, 9, 43),
        Layer::new(w, h, 3, 44),
    ];

    let mut rows = vec![vec![0f32; wu]; layers.len()];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(wu * hu * channels);
    let (cx, cy, r2) = (w as i64 / 2, h as i64 / 2, (w as i64 / 4).pow(2));
    for y in 0..h {
        for (layer, row) in layers.iter().zip(rows.iter_mut()) {
            layer.row(y, row);
        }
        let [r, g, b, mask, edge, chroma, d0, d1, d2, d3] = &rows[..] else {
            unreachable!()
        };
        for x in 0..wu {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Texture amount: 0 in smooth regions, 1 in busy ones, with soft transitions.
            let m = smoothstep(0.35, 0.65, mask[x]);
            let detail = (d0[x] - 0.5) * DETAIL_AMP[0]
                + (d1[x] - 0.5) * DETAIL_AMP[1]
                + (d2[x] - 0.5) * DETAIL_AMP[2]
                + (d3[x] - 0.5) * DETAIL_AMP[3];
            let step = if edge[x] > 0.5 { EDGE } else { -EDGE };
            let lum = (detail + step) * m * 255.0;
            let chroma = (chroma[x] - 0.5) * CHROMA * m;
            let noise = ((state & 0xFF) as f32 / 255.0 - 0.5) * 2.0 * NOISE;
            let common = 28.0 + lum + noise;
            // `as u8` saturates, so over- and undershoots clip like blown highlights.
            let px = [
                (r[x] * 200.0 + common + chroma) as u8,
                (g[x] * 200.0 + common) as u8,
                (b[x] * 200.0 + common - chroma) as u8,
                // Alpha: opaque with a transparent disc in the middle.
                if (x as i64 - cx).pow(2) + (y as i64 - cy).pow(2) < r2 {
                    0
                } else {
                    255
                },
            ];
            data.extend_from_slice(&px[..channels]);
        }
    }
    data
}

/// Value noise: a lattice of pseudo-random values in [0, 1], one every `cell` pixels, smoothly
/// interpolated in between (smoothstep weights, so no visible lattice creases).
struct Layer {
    cell: usize,
    gw: usize,
    grid: Vec<f32>,
}

impl Layer {
    fn new(w: u32, h: u32, cell: u32, seed: u32) -> Layer {
        let cell = cell.max(1) as usize;
        let gw = w as usize / cell + 2;
        let gh = h as usize / cell + 2;
        let grid = (0..gw * gh)
            .map(|i| hash(i as u32 ^ seed.wrapping_mul(0x9E37_79B9)) as f32 / u32::MAX as f32)
            .collect();
        Layer { cell, gw, grid }
    }

    /// Fills `out` (one image row) with the layer's values for row `y`.
    fn row(&self, y: u32, out: &mut [f32]) {
        let c = self.cell;
        let gy = y as usize / c;
        let ty = smoothstep(0.0, 1.0, (y as usize % c) as f32 / c as f32);
        let r0 = &self.grid[gy * self.gw..(gy + 1) * self.gw];
        let r1 = &self.grid[(gy + 1) * self.gw..(gy + 2) * self.gw];
        // Interpolate vertically once per lattice column, then horizontally cell by cell.
        let col: Vec<f32> = r0.iter().zip(r1).map(|(a, b)| a + (b - a) * ty).collect();
        let weights: Vec<f32> = (0..c)
            .map(|i| smoothstep(0.0, 1.0, i as f32 / c as f32))
            .collect();
        for (gx, chunk) in out.chunks_mut(c).enumerate() {
            let (a, d) = (col[gx], col[gx + 1] - col[gx]);
            for (o, t) in chunk.iter_mut().zip(&weights) {
                *o = a + d * t;
            }
        }
    }
}

fn smoothstep(a: f32, b: f32, v: f32) -> f32 {
    let t = ((v - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A 32-bit integer hash (lowbias32 by Chris Wellons): well-mixed lattice values from indices.
fn hash(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846C_A68B);
    x ^= x >> 16;
    x
}

/// A photo-like RGB JPEG, 4:2:0, quality 90; baseline or progressive.
pub fn photo_jpeg(w: u16, h: u16, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder.set_progressive(progressive);
    encoder
        .encode(
            &photo_pixels(w.into(), h.into(), 3),
            w,
            h,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

/// A photo-like RGBA PNG with a transparent disc, compressed as most tools do (zlib default
/// level, adaptive filters).
pub fn photo_png_rgba(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_compression(png::Compression::Balanced);
    encoder.set_filter(png::Filter::Adaptive);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&photo_pixels(w, h, 4))
        .unwrap();
    out
}

/// A real 16x16 JPEG (baseline or progressive) whose frame header is patched to claim `w` x `h`:
/// a header-only bomb.
pub fn claim_jpeg(w: u16, h: u16, progressive: bool) -> Vec<u8> {
    let mut bytes = photo_jpeg(16, 16, progressive);
    let marker = if progressive { 0xC2 } else { 0xC0 };
    let sof = bytes
        .windows(2)
        .position(|m| m == [0xFF, marker])
        .expect("frame header");
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

/// A 1x1 RGB or RGBA PNG whose IHDR is patched (with a correct CRC) to claim `w` x `h`.
pub fn claim_png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 1, 1);
    encoder.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    let pixel: &[u8] = if alpha { &[1, 2, 3, 4] } else { &[1, 2, 3] };
    encoder.write_header().unwrap().write_image_data(pixel).unwrap();
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// CRC-32 as PNG uses it (bitwise; only for test data).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `jpeg` with an EXIF APP1 segment right after SOI that says `orientation` (1 to 8): a minimal
/// big-endian TIFF with one IFD entry, as phones write it among many others.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2A\0\0\0\x08\0\x01".to_vec();
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]); // tag 0x0112, SHORT, count 1
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // value padding, no next IFD
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(2 + 6 + tiff.len() as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// `jpeg` with the ICC profile `icc` in one APP2 segment right after SOI.
pub fn with_icc_profile(jpeg: &[u8], icc: &[u8]) -> Vec<u8> {
    let payload = [b"ICC_PROFILE\0".as_slice(), &[1, 1], icc].concat();
    let length = u16::try_from(payload.len() + 2).expect("the profile fits one segment");
    [
        &jpeg[..2],
        &[0xFF, 0xE2],
        &length.to_be_bytes(),
        &payload,
        &jpeg[2..],
    ]
    .concat()
}

/// A screenshot-like RGB PNG: flat panels, hard-edged bars and rows of glyph-sized dark marks,
/// compressed as most tools do (zlib default level, adaptive filters). Such files are mostly
/// long runs, so they inflate far faster per pixel than photos.
pub fn screenshot_png(w: u32, h: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut data = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        // A 48-pixel grid of rows: a coloured header bar, then text lines with gaps.
        let row = y / 48;
        let in_line = y % 48;
        for x in 0..w {
            let px: [u8; 3] = if y < 160 {
                [0x1F, 0x6F, 0xEB]
            } else if x < 24 || x + 24 >= w {
                [0xF2, 0xF2, 0xF7]
            } else if (14..34).contains(&in_line) && (x / 11 + row * 7) % 9 != 0 {
                // Glyph-sized marks: pseudo-random strokes inside each 11-pixel cell.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if (x % 11) < 8 && state.is_multiple_of(3) {
                    [0x22, 0x22, 0x26]
                } else {
                    [0xFF, 0xFF, 0xFF]
                }
            } else {
                [0xFF, 0xFF, 0xFF]
            };
            data.extend_from_slice(&px);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_compression(png::Compression::Balanced);
    encoder.set_filter(png::Filter::Adaptive);
    encoder.write_header().unwrap().write_image_data(&data).unwrap();
    out
}

/// One input of the benchmarks and of the `measure` example.
pub struct BenchInput {
    /// Short name, also the file name with `--write-inputs`.
    pub name: &'static str,
    /// What it stands for.
    pub what: &'static str,
    /// Source pixels (the throughput unit).
    pub pixels: u64,
    pub bytes: Vec<u8>,
}

/// The inputs the performance figures are measured on: what phones and desktops upload.
pub fn bench_inputs() -> Vec<BenchInput> {
    let input = |name, what, (w, h): (u32, u32), bytes| BenchInput {
        name,
        what,
        pixels: u64::from(w) * u64::from(h),
        bytes,
    };
    let photo_12mp = photo_jpeg(4000, 3000, false);
    vec![
        input(
            "jpeg-12mp.jpg",
            "12 MP JPEG, baseline 4:2:0 q90",
            (4000, 3000),
            photo_12mp.clone(),
        ),
        input(
            "jpeg-12mp-progressive.jpg",
            "12 MP JPEG, progressive",
            (4000, 3000),
            photo_jpeg(4000, 3000, true),
        ),
        input(
            "jpeg-12mp-exif-6.jpg",
            "12 MP JPEG, EXIF orientation 6 (portrait)",
            (4000, 3000),
            with_exif_orientation(&photo_12mp, 6),
        ),
        input(
            "jpeg-20mp.jpg",
            "20 MP JPEG, baseline",
            (5472, 3648),
            photo_jpeg(5472, 3648, false),
        ),
        input(
            "jpeg-20mp-progressive.jpg",
            "20 MP JPEG, progressive",
            (5472, 3648),
            photo_jpeg(5472, 3648, true),
        ),
        input(
            "png-9mp-rgba.png",
            "9 MP RGBA PNG photo",
            (3000, 3000),
            photo_png_rgba(3000, 3000),
        ),
        input(
            "png-screenshot.png",
            "1290x2796 RGB PNG screenshot",
            (1290, 2796),
            screenshot_png(1290, 2796),
        ),
        input(
            "jpeg-400x400.jpg",
            "400x400 JPEG (upscaled)",
            (400, 400),
            photo_jpeg(400, 400, false),
        ),
    ]
}
