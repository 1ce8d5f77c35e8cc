//! The EXIF (TIFF) orientation walker on its own: total, and always an orientation from 1 to 8.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|tiff: &[u8]| {
    let orientation = profile_image::fuzzing::exif_orientation(tiff);
    assert!((1..=8).contains(&orientation));
});
