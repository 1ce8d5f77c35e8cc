//! The PNG IHDR read and chunk walk on their own: total, only damage codes, and never more IDAT
//! bytes counted than the file holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_image::ErrorCode;

fuzz_target!(|data: &[u8]| {
    match profile_image::fuzzing::probe_png(data) {
        Ok((_, _, idat_bytes, _)) => assert!(idat_bytes <= data.len() as u64),
        Err(error) => assert!(
            matches!(error.code(), ErrorCode::Truncated | ErrorCode::Corrupt),
            "{error:?}"
        ),
    }
});
