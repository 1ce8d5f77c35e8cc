//! Large synthetic inputs built at run time (too big to commit): photo-like pixels and their JPEG
//! and PNG encodings. Shared by `tests/memory.rs` and `benches/normalize.rs` through
//! `#[path = "..."] mod synth;`. Deterministic: a fixed-seed xorshift, no clock.
#![allow(dead_code)]

/// Gradients plus per-pixel noise and a repeating pattern: decodes at a cost per megapixel
/// closer to a photo's than a smooth gradient does.
pub fn photo_pixels(w: u32, h: u32, channels: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(w as usize * h as usize * channels);
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state & 0x1F) as u32;
            let px = [
                (x * 255 / w + noise) as u8,
                (y * 255 / h + noise) as u8,
                ((x + y) % 256) as u8,
                // Alpha: opaque with a transparent disc in the middle.
                if (x as i64 - w as i64 / 2).pow(2) + (y as i64 - h as i64 / 2).pow(2) < (w as i64 / 4).pow(2)
                {
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

/// A photo-like RGBA PNG with a transparent disc, fast compression.
pub fn photo_png_rgba(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_compression(png::Compression::Fast);
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
