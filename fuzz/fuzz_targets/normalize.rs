//! The whole pipeline on arbitrary bytes, with small limits so each run is fast and memory stays
//! low. Every success must be exactly the target size; every error must carry a known code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_image::{normalize_profile_image_with, ErrorCode, Options, Upload};

fuzz_target!(|data: &[u8]| {
    let mut options = Options::default();
    (options.width, options.height) = (64, 64);
    options.limits.max_pixels = 4_000_000;
    options.limits.max_decode_memory = 64 << 20;
    match normalize_profile_image_with(Upload::new(data), &options) {
        Ok(jpeg) => {
            assert_eq!((jpeg.width(), jpeg.height()), (64, 64));
            assert_eq!(&jpeg.bytes()[..2], &[0xFF, 0xD8]);
        }
        Err(error) => assert!(ErrorCode::ALL.contains(&error.code())),
    }
});
