//! The JPEG header walk, ICC reassembly and size check, then our decoder at 1/8 (every scan
//! read): total, and only damage codes or a feature named as unsupported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_image::ErrorCode;

fuzz_target!(|data: &[u8]| {
    if let Err(error) = profile_image::fuzzing::probe_jpeg(data) {
        assert!(
            matches!(
                error.code(),
                ErrorCode::Truncated | ErrorCode::Corrupt | ErrorCode::UnsupportedEncoding
            ),
            "{error:?}"
        );
    }
});
