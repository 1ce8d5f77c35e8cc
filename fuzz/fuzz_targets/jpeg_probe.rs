//! The JPEG header walk, ICC reassembly, size check and entropy walk on their own (the crate's
//! own JPEG parsing, before jpeg-decoder sees anything): total, and only damage codes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_image::ErrorCode;

fuzz_target!(|data: &[u8]| {
    if let Err(error) = profile_image::fuzzing::probe_jpeg(data) {
        assert!(
            matches!(error.code(), ErrorCode::Truncated | ErrorCode::Corrupt),
            "{error:?}"
        );
    }
});
