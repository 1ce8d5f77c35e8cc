//! The memory promise, measured with a counting global allocator:
//! - a file that merely claims a huge size is refused before more than a few KiB are allocated;
//! - for accepted inputs the peak heap stays within the estimate that `Limits::max_decode_memory`
//!   is checked against, so the limit bounds the real peak;
//! - the largest input of each kind a limit accepts peaks below `Limits::peak_heap_bound` (the
//!   limit plus 1 MiB), and one pixel more is refused.
//!
//! One test function only: the allocator's counters are global to this binary.

#[path = "support/helpers.rs"]
mod helpers;

use counting::peak_of;
use helpers::fixture;
use profile_image::{normalize_profile_image_with, ErrorCode, Options, Upload};

#[path = "support/counting.rs"]
mod counting;
#[path = "support/synth.rs"]
mod synth;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

/// The memory the pipeline estimates for `bytes`, read from the error a zero limit provokes.
fn estimate(bytes: &[u8]) -> usize {
    let mut options = Options::default();
    options.limits.max_decode_memory = 0;
    let error = normalize_profile_image_with(Upload::new(bytes), &options).unwrap_err();
    assert_eq!(error.code(), ErrorCode::MemoryLimitExceeded);
    error.typed_args()[0].value.to_string().parse().unwrap()
}

#[test]
fn memory_stays_within_what_the_limits_promise() {
    // Bombs: tiny files claiming gigapixels are refused after reading the header alone.
    for (name, code) in [
        ("bomb-65535x65535.jpg", ErrorCode::DimensionsTooLarge),
        ("bomb-100000x100000.png", ErrorCode::DimensionsTooLarge),
        ("bomb-20000x20000.png", ErrorCode::TooManyPixels),
    ] {
        let bytes = fixture(name);
        let (result, peak) =
            peak_of(|| normalize_profile_image_with(Upload::new(&bytes), &Options::default()));
        assert_eq!(result.unwrap_err().code(), code, "{name}");
        println!("{name}: refused after {peak} bytes");
        assert!(
            peak < 16 << 10,
            "{name} allocated {peak} bytes before being refused"
        );
    }

    // Headers within every limit whose data could not possibly hold the pixels they claim: refused
    // as truncated before the decoder allocates for the claimed size. The PNG decoder has set up
    // its row buffers and inflate state by then (proportional to the width, at most 32768).
    for (what, bytes) in [
        (
            "8000x8000 progressive JPEG header",
            synth::claim_jpeg(8000, 8000, true),
        ),
        ("8000x8000 RGB PNG header", synth::claim_png(8000, 8000, false)),
    ] {
        let (result, peak) =
            peak_of(|| normalize_profile_image_with(Upload::new(&bytes), &Options::default()));
        assert_eq!(result.unwrap_err().code(), ErrorCode::Truncated, "{what}");
        println!("{what}: refused after {peak} bytes");
        assert!(
            peak < 256 << 10,
            "{what} allocated {peak} bytes before being refused"
        );
    }

    // Accepted inputs: the real peak never exceeds the estimate the limit is checked against
    // (allowing 1 MiB for the decoders' tables and row buffers, which the estimate leaves out).
    let inputs = [
        ("12 MP baseline JPEG", synth::photo_jpeg(4000, 3000, false)),
        ("12 MP progressive JPEG", synth::photo_jpeg(4000, 3000, true)),
        (
            "1000x1000 JPEG (no DCT scaling)",
            synth::photo_jpeg(1000, 1000, false),
        ),
        ("4 MP RGBA PNG", synth::photo_png_rgba(2000, 2000)),
    ];
    for (what, bytes) in &inputs {
        let estimated = estimate(bytes);
        let (result, peak) =
            peak_of(|| normalize_profile_image_with(Upload::new(bytes), &Options::default()));
        let jpeg = result.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!((jpeg.width(), jpeg.height()), (1200, 1200));
        println!("{what}: peak {peak} bytes, estimate {estimated} bytes");
        assert!(
            peak <= estimated + (1 << 20),
            "{what}: peak {peak} bytes over the estimate {estimated}"
        );
    }

    // Maximal accepted inputs: under a 44 MiB limit, the largest square of each kind the limit
    // accepts, made for real and normalized; one pixel more is refused. The peak stays under the
    // limit plus the same 1 MiB, so the documented bound (`Limits::peak_heap_bound`) holds at the
    // edge, not only for typical inputs. Sides are searched by bisection between 1200 and 2300, where no
    // DCT scaling applies yet and the estimate grows with the side (it counts the file's bytes
    // too, so real files are made at each step, not header-only ones).
    const LIMIT: usize = 44 << 20;
    type Make = fn(u32) -> Vec<u8>;
    let kinds: [(&str, Make); 3] = [
        ("baseline JPEG", |s| synth::photo_jpeg(s as u16, s as u16, false)),
        ("progressive JPEG", |s| {
            synth::photo_jpeg(s as u16, s as u16, true)
        }),
        ("RGBA PNG", |s| synth::photo_png_rgba(s, s)),
    ];
    for (what, make) in kinds {
        let (mut accepted, mut refused) = (1200u32, 2300u32);
        assert!(estimate(&make(accepted)) <= LIMIT && estimate(&make(refused)) > LIMIT);
        while refused - accepted > 1 {
            let side = (accepted + refused) / 2;
            if estimate(&make(side)) <= LIMIT {
                accepted = side;
            } else {
                refused = side;
            }
        }
        let bytes = make(accepted);
        let mut options = Options::default();
        options.limits.max_decode_memory = LIMIT;
        let (result, peak) = peak_of(|| normalize_profile_image_with(Upload::new(&bytes), &options));
        let jpeg = result.unwrap_or_else(|e| panic!("{what} {accepted}x{accepted}: {e}"));
        assert_eq!((jpeg.width(), jpeg.height()), (1200, 1200));
        println!("largest {what} under {LIMIT} bytes: {accepted}x{accepted}, peak {peak} bytes");
        let bound = options.limits.peak_heap_bound();
        assert_eq!(bound, LIMIT + (1 << 20));
        assert!(
            peak <= bound,
            "{what} {accepted}x{accepted}: peak {peak} bytes over the bound {bound}"
        );
        let error = normalize_profile_image_with(Upload::new(&make(accepted + 1)), &options).unwrap_err();
        assert_eq!(
            error.code(),
            ErrorCode::MemoryLimitExceeded,
            "{what} one pixel larger"
        );
    }
}
