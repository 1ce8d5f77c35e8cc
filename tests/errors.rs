//! The error contract: every code from a real input, its typed arguments and its English wording
//! frozen verbatim, so that a change to the translation keys or messages is always deliberate.
//! (The body's shape and the declaration checks, as promises of the spec, are in `tests/spec.rs`.)
//!
//! A change here is a change to the translation contract the endpoint's clients rely on.

#[path = "support/helpers.rs"]
mod helpers;

use helpers::{assert_error, fixture};
use profile_image::{
    normalize_profile_image, normalize_profile_image_with, ErrorCode, Fault, Limits, Options, Upload,
    ValidationError,
};
use serde_json::json;

fn with_limits(bytes: &[u8], edit: impl FnOnce(&mut Limits)) -> ValidationError {
    let mut options = Options::default();
    edit(&mut options.limits);
    normalize_profile_image_with(Upload::new(bytes), &options).expect_err("over the limit")
}

#[test]
fn each_code_has_its_frozen_message_and_arguments() {
    let err = |name: &str| normalize_profile_image(&fixture(name)).expect_err(name);
    assert_error(
        err("empty.jpg"),
        "image.empty",
        "the uploaded image is empty",
        json!([]),
    );
    assert_error(
        with_limits(&fixture("gray.jpg"), |l| l.max_input_bytes = 100),
        "image.file_too_large",
        &format!(
            "the uploaded image is {} bytes, more than the limit of 100 bytes",
            fixture("gray.jpg").len()
        ),
        json!([{"value": fixture("gray.jpg").len(), "type": "INTEGER"}, {"value": 100, "type": "INTEGER"}]),
    );
    assert_error(
        err("heic-ftyp.heic"),
        "image.unsupported_type",
        "the uploaded file is HEIC/HEIF, which is not supported; supported types are image/jpeg and image/png",
        json!([{"value": "HEIC/HEIF", "type": "TERM"}, {"value": ["image/jpeg", "image/png"], "type": "TERM_LIST"}]),
    );
    assert_error(
        err("bomb-65535x65535.jpg"),
        "image.dimensions_too_large",
        "the image is 65535x65535 pixels, larger than the limit of 32768x32768",
        json!([
            {"value": 65535, "type": "INTEGER"}, {"value": 65535, "type": "INTEGER"},
            {"value": 32768, "type": "INTEGER"}, {"value": 32768, "type": "INTEGER"}
        ]),
    );
    assert_error(
        err("bomb-20000x20000.png"),
        "image.too_many_pixels",
        "the image has 400000000 pixels, more than the limit of 200000000",
        json!([{"value": 400000000, "type": "INTEGER"}, {"value": 200000000, "type": "INTEGER"}]),
    );
    let memory = with_limits(&fixture("photo-2000x1500.jpg"), |l| l.max_decode_memory = 1 << 20);
    let needed = memory.typed_args()[0].value.to_string();
    // At least the decoded 2000x1500 RGB output, at most the default limit.
    let needed_bytes: u64 = needed.parse().unwrap();
    assert!(
        (2000 * 1500 * 3..256 << 20).contains(&needed_bytes),
        "{needed_bytes}"
    );
    assert_error(
        memory,
        "image.memory_limit_exceeded",
        &format!(
            "decoding the image would need {needed} bytes of memory, more than the limit of 1048576 bytes"
        ),
        json!([{"value": needed.parse::<u64>().unwrap(), "type": "INTEGER"}, {"value": 1048576, "type": "INTEGER"}]),
    );
    assert_error(
        with_limits(&fixture("progressive.jpg"), |l| l.max_jpeg_scans = 2),
        "image.too_many_scans",
        &format!(
            "the JPEG has {} scans, more than the limit of 2",
            count_scans(&fixture("progressive.jpg"))
        ),
        json!([{"value": count_scans(&fixture("progressive.jpg")), "type": "INTEGER"}, {"value": 2, "type": "INTEGER"}]),
    );
    assert_error(
        err("zero-width.png"),
        "image.zero_dimensions",
        "the image declares a size of 0x16 pixels",
        json!([{"value": 0, "type": "INTEGER"}, {"value": 16, "type": "INTEGER"}]),
    );
    assert_error(
        err("truncated-half.jpg"),
        "image.truncated",
        "the JPEG data ends before the image is complete",
        json!([{"value": "JPEG", "type": "TERM"}]),
    );
    assert_error(
        err("crc-error.png"),
        "image.corrupt",
        "the PNG data is corrupt",
        json!([{"value": "PNG", "type": "TERM"}]),
    );
    assert_error(
        err("arithmetic-coded.jpg"),
        "image.unsupported_encoding",
        "the JPEG uses arithmetic coding, which is not supported",
        json!([{"value": "JPEG", "type": "TERM"}, {"value": "arithmetic coding", "type": "STRING"}]),
    );
    assert_error(
        err("precision-12bit.jpg"),
        "image.unsupported_encoding",
        "the JPEG uses 12-bit samples, which is not supported",
        json!([{"value": "JPEG", "type": "TERM"}, {"value": "12-bit samples", "type": "STRING"}]),
    );
    let mut options = Options::default();
    options.quality = 0;
    let invalid = normalize_profile_image_with(Upload::new(&fixture("gray.jpg")), &options).unwrap_err();
    assert_eq!(invalid.fault(), Fault::Internal);
    assert_eq!(invalid.http_status(), 500);
    assert_error(
        invalid,
        "image.invalid_options",
        "the normalization options are invalid: quality must be between 1 and 100",
        json!([{"value": "quality must be between 1 and 100", "type": "STRING"}]),
    );
}

fn count_scans(jpeg: &[u8]) -> usize {
    jpeg.windows(2).filter(|w| w == &[0xFF, 0xDA]).count()
}

#[test]
fn codes_are_unique_dotted_keys_and_only_internal_ones_are_500() {
    let keys: std::collections::BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(keys.len(), ErrorCode::ALL.len());
    for code in ErrorCode::ALL {
        assert!(
            code.as_str().starts_with("image.")
                && code
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
        );
        let internal = matches!(code, ErrorCode::Internal | ErrorCode::InvalidOptions);
        assert_eq!(code.fault() == Fault::Internal, internal, "{code}");
    }
}

#[test]
fn messages_are_lower_case_without_a_trailing_period() {
    for name in [
        "empty.jpg",
        "gif89a.gif",
        "truncated-half.png",
        "bomb-100000x100000.png",
        "zero-height.jpg",
    ] {
        let message = normalize_profile_image(&fixture(name)).unwrap_err().to_string();
        assert!(message.starts_with(|c: char| c.is_lowercase()), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

#[test]
fn decoder_details_go_to_source_not_to_the_message() {
    let error = normalize_profile_image(&fixture("corrupt-huffman.jpg")).unwrap_err();
    assert_eq!(error.to_string(), "the JPEG data is corrupt");
    let source = std::error::Error::source(&error).expect("the decoder's error is kept for logs");
    assert!(!source.to_string().is_empty());
}

#[test]
fn options_out_of_range_are_the_callers_500() {
    let bytes = fixture("tiny-1x1.png");
    type Edit = fn(&mut Options);
    let cases: [(Edit, &str); 4] = [
        (|o| o.quality = 101, "quality must be between 1 and 100"),
        (|o| o.width = 0, "width and height must be between 1 and 65535"),
        (
            |o| o.height = 65536,
            "width and height must be between 1 and 65535",
        ),
        (|o| o.quality = 0, "quality must be between 1 and 100"),
    ];
    for (edit, reason) in cases {
        let mut options = Options::default();
        edit(&mut options);
        let error = normalize_profile_image_with(Upload::new(&bytes), &options).unwrap_err();
        assert_eq!(
            (error.code(), error.http_status()),
            (ErrorCode::InvalidOptions, 500)
        );
        assert_eq!(
            error.to_string(),
            format!("the normalization options are invalid: {reason}")
        );
    }
}

#[test]
fn limits_are_inclusive() {
    // gray.jpg is 320x240: exactly at each limit passes, one below refuses with that limit's code.
    let bytes = fixture("gray.jpg");
    let run = |edit: &dyn Fn(&mut Limits)| {
        let mut options = Options::default();
        edit(&mut options.limits);
        normalize_profile_image_with(Upload::new(&bytes), &options)
            .map(|_| ())
            .map_err(|e| e.code())
    };
    let len = bytes.len();
    assert_eq!(run(&|l| l.max_input_bytes = len), Ok(()));
    assert_eq!(
        run(&|l| l.max_input_bytes = len - 1),
        Err(ErrorCode::FileTooLarge)
    );
    assert_eq!(run(&|l| (l.max_width, l.max_height) = (320, 240)), Ok(()));
    assert_eq!(run(&|l| l.max_width = 319), Err(ErrorCode::DimensionsTooLarge));
    assert_eq!(run(&|l| l.max_height = 239), Err(ErrorCode::DimensionsTooLarge));
    assert_eq!(run(&|l| l.max_pixels = 320 * 240), Ok(()));
    assert_eq!(
        run(&|l| l.max_pixels = 320 * 240 - 1),
        Err(ErrorCode::TooManyPixels)
    );
}

#[test]
fn a_dnl_height_is_an_unsupported_encoding_not_an_empty_picture() {
    let error = normalize_profile_image(&fixture("zero-height.jpg")).unwrap_err();
    assert_error(
        error,
        "image.unsupported_encoding",
        "the JPEG uses a DNL-defined height, which is not supported",
        json!([{"value": "JPEG", "type": "TERM"}, {"value": "a DNL-defined height", "type": "STRING"}]),
    );
    assert_eq!(
        normalize_profile_image(&fixture("zero-width.jpg"))
            .unwrap_err()
            .code(),
        ErrorCode::ZeroDimensions
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<ValidationError>();
    check::<profile_image::Jpeg>();
    check::<Options>();
    check::<profile_image::ErrorBody>();
}
