//! Differential: the crate's own JPEG decoder against jpeg-decoder on arbitrary bytes, at the
//! scale the input's length picks (1/1, 1/2, 1/4 or 1/8: every fixture seeds the corpus as it
//! is), with 4 MP and 64 MiB limits. Ours must
//! refuse only with a known code; where both decode, the sizes and sample counts must agree
//! and the pictures must be the same picture: a mean difference of at most 12 levels
//! (jpeg-decoder upsamples, scales and clamps its own way; on the fixtures the mean difference
//! is at most 5 levels, `tests/decoder.rs`), unless more than 1% of either picture's samples are 0 or
//! 255: mangled data makes coefficients far out of range, where the transforms part ways by
//! design (ours wraps in 32 bits, libjpeg's C code widens, jpeg-decoder and libjpeg-turbo's SIMD
//! code saturate); nor where bytes outside every segment and scan were skipped (libjpeg and this
//! crate skip them before the next marker, jpeg-decoder reads on differently). Where only one
//! decodes, that is a known leniency (jpeg-decoder reads cut files closed with EOI and pads bad
//! data) or strictness (it refuses zero quantiser entries), not a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_image::fuzzing::decode_jpeg;
use profile_image::{ErrorCode, Limits};

const MAX_PIXELS: u64 = 4_000_000;

/// jpeg-decoder at `1 / divisor`, when its own choice of scale is that one and the frame is
/// within the same limits.
fn reference(bytes: &[u8], divisor: u32) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(64 << 20);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    if u64::from(info.width) * u64::from(info.height) > MAX_PIXELS {
        return None;
    }
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
    Some((w, h, decoder.decode().ok()?))
}

fuzz_target!(|data: &[u8]| {
    let bytes = data;
    let divisor = [1, 2, 4, 8][bytes.len() % 4];
    let mut limits = Limits::default();
    limits.max_pixels = MAX_PIXELS;
    limits.max_decode_memory = 64 << 20;
    let ours = decode_jpeg(bytes, divisor, &limits);
    let ((w, h, channels, ours), extraneous) = match ours {
        Ok(decoded) => decoded,
        Err(error) => {
            assert!(ErrorCode::ALL.contains(&error.code()), "{error:?}");
            return;
        }
    };
    assert_eq!(ours.len(), w as usize * h as usize * channels);
    let Some((tw, th, theirs)) = reference(bytes, divisor) else {
        return;
    };
    assert_eq!((w, h), (tw, th), "size");
    assert_eq!(ours.len(), theirs.len(), "samples per pixel");
    let clipped = |samples: &[u8]| samples.iter().filter(|&&v| v == 0 || v == 255).count();
    if extraneous || clipped(&ours).max(clipped(&theirs)) * 100 > ours.len() {
        return;
    }
    let total: u64 = ours
        .iter()
        .zip(&theirs)
        .map(|(&a, &b)| u64::from(a.abs_diff(b)))
        .sum();
    let mean = total as f64 / ours.len().max(1) as f64;
    assert!(mean <= 12.0, "mean difference {mean:.2} at 1/{divisor}");
});
