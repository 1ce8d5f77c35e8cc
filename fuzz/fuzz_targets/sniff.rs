//! Sniffing and the declared-type check. `detect` must agree with a plain prefix check for the
//! two accepted types, and an upload whose declared name has an extension other than .jpg, .jpeg
//! or .png, or that names the other accepted type, must never be accepted.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use profile_image::{detect, normalize_profile_image_with, ErrorCode, FileType, Options, Upload};

#[derive(Arbitrary, Debug)]
struct Declared<'a> {
    file_name: Option<&'a str>,
    content_type: Option<&'a str>,
    bytes: &'a [u8],
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

fuzz_target!(|input: Declared<'_>| {
    let bytes = input.bytes;
    let detected = detect(bytes);
    let jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes == [0xFF, 0xD8];
    let png = bytes.starts_with(PNG) || (bytes.len() >= 2 && PNG.starts_with(bytes));
    assert_eq!(detected == FileType::Jpeg, jpeg);
    assert_eq!(detected == FileType::Png, png);

    let mut upload = Upload::new(bytes);
    if let Some(name) = input.file_name {
        upload = upload.with_file_name(name);
    }
    if let Some(content_type) = input.content_type {
        upload = upload.with_content_type(content_type);
    }
    let mut options = Options::default();
    (options.width, options.height) = (16, 16);
    options.limits.max_pixels = 1 << 20;
    options.limits.max_decode_memory = 16 << 20;
    match normalize_profile_image_with(upload, &options) {
        Ok(_) => {
            assert!(jpeg || png);
            if let Some(name) = input.file_name {
                let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                let expected: &[&str] = if jpeg { &["jpg", "jpeg"] } else { &["png"] };
                assert!(
                    extension.as_deref().is_some_and(|e| expected.contains(&e)),
                    "accepted {detected:?} declared as {name:?}"
                );
            }
        }
        Err(error) => assert!(ErrorCode::ALL.contains(&error.code())),
    }
});
