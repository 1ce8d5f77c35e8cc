//! The endpoint's specification, promise by promise: each test is named after a sentence of
//! `update-customer-profile-image` (quoted in its doc comment) and checks it on real files from
//! `fixtures/`. Outputs are decoded with the `image` crate (zune-jpeg), a decoder independent of
//! this crate's, and compared by pixels, never by encoded bytes.
//!
//! The per-file detail (every fixture's outcome, every cut, every reference rendering) is in
//! `tests/conformance.rs`; the wording of every error in `tests/errors.rs`.

#[path = "support/helpers.rs"]
mod helpers;

use helpers::{assert_error, assert_near, body, decode_rgb, fixture, mean, normalize, segments, RED, YELLOW};
use profile_image::{
    normalize_profile_image, normalize_profile_image_with, ArgType, ArgValue, ErrorBody, ErrorCode, Limits,
    Options, TypedArg, Upload,
};
use serde_json::json;

/// "errorMessage required": every refusal in the corpus carries a non-empty message, and its
/// typedArgs use only the spec's types.
#[test]
fn error_message_is_always_present_and_typed_args_use_the_spec_types() {
    let spec: Vec<&str> = ArgType::ALL.iter().map(|t| t.as_str()).collect();
    let manifest = std::fs::read_to_string(helpers::fixtures_dir().join("manifest.tsv")).unwrap();
    let mut refused = 0;
    for line in manifest.lines().skip(1) {
        let (name, expected) = line.split_once('\t').unwrap();
        if !expected.starts_with("error") {
            continue;
        }
        refused += 1;
        let value = body(&normalize_profile_image(&fixture(name)).unwrap_err());
        let message = value["errorMessage"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{name}: {value}");
        assert_eq!(value["reference"], "image", "{name}: the upload's field");
        for arg in value["typedArgs"].as_array().unwrap() {
            let kind = arg["type"].as_str().unwrap_or_default();
            assert!(spec.contains(&kind), "{name}: type {kind}");
        }
    }
    assert!(refused >= 25, "only {refused} refused fixtures");
}

/// "The image will be rescaled(1200x1200)": whatever the source shape (1x1, 1:5000 strips, smaller than
/// the target, exactly the target, odd sizes), the output is exactly 1200x1200; other sizes are an option.
#[test]
fn the_image_is_rescaled_to_1200x1200() {
    for name in [
        "tiny-1x1.png",
        "strip-1x5000.png",
        "strip-5000x1.jpg",
        "small-100x80.jpg",
        "exact-1200x1200.jpg",
        "odd-size-333x177.jpg",
    ] {
        let jpeg = normalize(name);
        let img = decode_rgb(jpeg.bytes());
        assert_eq!(
            (jpeg.width(), jpeg.height(), img.width(), img.height()),
            (1200, 1200, 1200, 1200),
            "{name}"
        );
    }
    let mut options = Options::default();
    (options.width, options.height) = (400, 300);
    let jpeg = normalize_profile_image_with(Upload::new(&fixture("orientation-6.jpg")), &options).unwrap();
    let img = decode_rgb(jpeg.bytes());
    assert_eq!((img.width(), img.height()), (400, 300));
    // 300x200 shown, covered to 400x300: the whole height is kept, 33 columns trimmed each side.
    assert_near(
        mean(&img, 50, 50),
        RED,
        6,
        "top-left of a rotated, non-square output",
    );
    assert_near(
        mean(&img, 350, 250),
        YELLOW,
        6,
        "bottom-right of a rotated, non-square output",
    );
}

/// "...and converted to mime type `image/jpeg`": a baseline YCbCr JPEG, from JPEG and PNG sources alike,
/// that keeps none of the source's metadata (EXIF, ICC).
#[test]
fn the_image_is_converted_to_mime_type_image_jpeg() {
    // The orientation-6 files carry EXIF, the P3 files ICC: none may survive. PNG sources too.
    for name in [
        "orientation-6-little-endian.jpg",
        "orientation-6.png",
        "display-p3-patches.jpg",
        "icc-p3.png",
        "photo-2000x1500.jpg",
    ] {
        let jpeg = normalize(name);
        let markers: Vec<u8> = segments(jpeg.bytes()).iter().map(|(m, _)| *m).collect();
        for forbidden in [0xE1, 0xE2, 0xED, 0xFE] {
            assert!(
                !markers.contains(&forbidden),
                "{name}: marker FF{forbidden:02X} in {markers:02X?}"
            );
        }
        assert!(
            markers
                .iter()
                .all(|m| matches!(m, 0xE0 | 0xDB | 0xC4 | 0xC0 | 0xDA)),
            "{name}: {markers:02X?}"
        );
        let (_, sof) = segments(jpeg.bytes())
            .into_iter()
            .find(|(m, _)| *m == 0xC0)
            .expect("SOF0: baseline");
        assert_eq!(sof[0], 8, "8-bit");
        assert_eq!(u16::from_be_bytes([sof[1], sof[2]]), 1200, "height");
        assert_eq!(u16::from_be_bytes([sof[3], sof[4]]), 1200, "width");
        assert_eq!(sof[5], 3, "three components");
        assert_eq!(sof[7], 0x22, "4:2:0 luma sampling");
        assert_eq!(jpeg.mime_type(), "image/jpeg");
    }
}

/// "Supported mime types: `image/jpeg, image/png`": both are accepted, judged by content; every other type
/// people upload is refused as `image.unsupported_type`, naming what was found.
#[test]
fn supported_mime_types_are_image_jpeg_and_image_png_only() {
    for name in ["photo-2000x1500.jpg", "tiny-1x1.png"] {
        assert_eq!(normalize(name).mime_type(), "image/jpeg", "{name}");
    }
    let cases = [
        ("gif89a.gif", "GIF"),
        ("webp-lossy.webp", "WebP"),
        ("bmp.bmp", "BMP"),
        ("tiff-le.tif", "TIFF"),
        ("heic-ftyp.heic", "HEIC/HEIF"),
        ("avif-ftyp.avif", "AVIF"),
        ("jxl-codestream.jxl", "JPEG XL"),
        ("ico.ico", "ICO"),
        ("svg.svg", "SVG"),
        ("rss.xml", "XML"),
        ("pdf.pdf", "PDF"),
        ("random-bytes.bin", "an unknown type"),
    ];
    for (name, detected) in cases {
        let error = normalize_profile_image(&fixture(name)).unwrap_err();
        assert_eq!(error.code(), ErrorCode::UnsupportedType, "{name}");
        assert_eq!(error.typed_args()[0].value.to_string(), detected, "{name}");
        assert!(error.to_string().contains(detected), "{name}: {error}");
    }
}

/// The type is judged by the content, never by the name: a HEIC renamed to .jpg is a HEIC.
#[test]
fn the_content_decides_the_type_not_the_name() {
    let upload = fixture("heic-ftyp.heic");
    let error = normalize_profile_image_with(
        Upload::new(&upload).with_file_name("IMG_0001.jpg"),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::UnsupportedType);
    assert!(error.to_string().contains("HEIC/HEIF"));
}

/// "Upload image with correct extension": a declared file name must end in .jpg, .jpeg or .png.
#[test]
fn upload_image_with_correct_extension() {
    let png = fixture("tiny-1x1.png");
    for ok in ["avatar.png", "AVATAR.PNG", "me.Png"] {
        assert!(
            normalize_profile_image_with(Upload::new(&png).with_file_name(ok), &Options::default()).is_ok(),
            "{ok}"
        );
    }
    let error = normalize_profile_image_with(
        Upload::new(&png).with_file_name("avatar.gif"),
        &Options::default(),
    )
    .unwrap_err();
    assert_error(
        error,
        "image.extension_not_allowed",
        "the file name \"avatar.gif\" has the extension .gif; allowed extensions are .jpg, .jpeg and .png",
        json!([
            {"value": "avatar.gif", "type": "STRING"},
            {"value": "gif", "type": "STRING"},
            {"value": [".jpg", ".jpeg", ".png"], "type": "TERM_LIST"}
        ]),
    );
    let error = normalize_profile_image_with(Upload::new(&png).with_file_name("avatar"), &Options::default())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the file name \"avatar\" has no extension; allowed extensions are .jpg, .jpeg and .png"
    );
}

/// "Correct" extension: one that names what the file is; a name or Content-Type that disagrees with the
/// content is refused, naming both.
#[test]
fn the_extension_and_content_type_must_match_the_content() {
    let jpeg = fixture("gray.jpg");
    let error = normalize_profile_image_with(
        Upload::new(&jpeg).with_file_name("photo.png"),
        &Options::default(),
    )
    .unwrap_err();
    assert_error(
        error,
        "image.declared_type_mismatch",
        "the upload's file name declares image/png but its content is image/jpeg",
        json!([
            {"value": "FILE_NAME", "type": "ENUM"},
            {"value": "image/png", "type": "STRING"},
            {"value": "image/jpeg", "type": "STRING"}
        ]),
    );
    let error = normalize_profile_image_with(
        Upload::new(&jpeg).with_content_type("image/png; charset=binary"),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the upload's content type declares image/png but its content is image/jpeg"
    );
    // Common aliases and generic types are accepted.
    for content_type in [
        "image/jpeg",
        "IMAGE/JPG",
        "image/pjpeg",
        "application/octet-stream",
        "",
    ] {
        let upload = Upload::new(&jpeg)
            .with_content_type(content_type)
            .with_file_name("x.JPEG");
        assert!(
            normalize_profile_image_with(upload, &Options::default()).is_ok(),
            "{content_type}"
        );
    }
}

/// The PNG content types clients really send are accepted.
#[test]
fn png_content_type_aliases_are_accepted() {
    let png = fixture("tiny-1x1.png");
    for content_type in ["image/png", "image/x-png", "image/apng", "Image/PNG; q=1"] {
        let upload = Upload::new(&png).with_content_type(content_type);
        assert!(
            normalize_profile_image_with(upload, &Options::default()).is_ok(),
            "{content_type}"
        );
    }
}

/// "Validation of the request failed": the body has errorMessage, errorCode, traceId, args, typedArgs
/// (value, type) and reference, with the spec's names, and nothing else.
#[test]
fn validation_error_body_has_exactly_the_spec_fields() {
    let error = normalize_profile_image(&fixture("gif89a.gif")).unwrap_err();
    let value = serde_json::to_value(error.body().with_trace_id("abc123")).unwrap();
    assert_eq!(
        value,
        json!({
            "errorMessage": "the uploaded file is GIF, which is not supported; supported types are image/jpeg and image/png",
            "errorCode": "image.unsupported_type",
            "traceId": "abc123",
            "args": ["GIF", ["image/jpeg", "image/png"]],
            "typedArgs": [
                {"value": "GIF", "type": "TERM"},
                {"value": ["image/jpeg", "image/png"], "type": "TERM_LIST"}
            ],
            "reference": "image"
        })
    );
    // Without a trace id the field is left out, not sent as null.
    assert!(body(&error).get("traceId").is_none());
}

/// typedArgs `type` "Allowed values": exactly the spec's seventeen names.
#[test]
fn typed_args_types_are_the_spec_enumeration() {
    let spec = "TIMESTAMP BOOLEAN DATE MONTH_DAY TIME TERM TERM_LIST INTEGER DECIMAL STRING MONEY \
                LIMITABLE_CONFIG_PROPERTY I18N_KEY I18N_KEY_LIST PERMISSION_LIST ENUM AVAILABILITY_LIST";
    let ours: Vec<String> = ArgType::ALL
        .iter()
        .map(|t| serde_json::to_value(t).unwrap().as_str().unwrap().to_string())
        .collect();
    assert_eq!(ours.join(" "), spec);
    assert!(ArgType::ALL
        .iter()
        .all(|t| serde_json::to_value(t).unwrap() == t.as_str()));
}

/// A service's own errors (401, 404, a missing field) are built in the same type and shape as the
/// crate's, with owned strings; a body read back from JSON is the body that was sent.
#[test]
fn a_service_builds_its_own_errors_in_the_spec_shape() {
    let body = ErrorBody::new("customer.not_found", "customer 42 does not exist")
        .with_arg(TypedArg::new(42u64, ArgType::Integer))
        .with_arg(TypedArg::new(String::from("CUSTOMER_WRITE"), ArgType::I18nKey))
        .with_reference("customerId")
        .with_trace_id("t-1");
    let value = serde_json::to_value(&body).unwrap();
    assert_eq!(
        value,
        json!({
            "errorMessage": "customer 42 does not exist",
            "errorCode": "customer.not_found",
            "traceId": "t-1",
            "args": [42, "CUSTOMER_WRITE"],
            "typedArgs": [
                {"value": 42, "type": "INTEGER"},
                {"value": "CUSTOMER_WRITE", "type": "I18N_KEY"}
            ],
            "reference": "customerId"
        })
    );
    let read_back: ErrorBody = serde_json::from_value(value).unwrap();
    assert_eq!(read_back, body);

    // Without a reference (an authentication failure refers to no field) it is left out.
    let unauthorized = serde_json::to_value(ErrorBody::new("auth.unauthorized", "no api key")).unwrap();
    assert_eq!(
        unauthorized,
        json!({"errorMessage": "no api key", "errorCode": "auth.unauthorized", "args": [], "typedArgs": []})
    );

    // Every error of the crate survives the round trip too.
    let error = normalize_profile_image(&fixture("gif89a.gif")).unwrap_err();
    let read_back: ErrorBody = serde_json::from_value(serde_json::to_value(error.body()).unwrap()).unwrap();
    assert_eq!(read_back, error.body());
}

/// A service that streams the upload refuses it with the crate's own `image.file_too_large` as
/// soon as the count passes the limit: the same code, arguments and message as a buffered upload.
#[test]
fn an_over_long_upload_is_refused_from_its_length_alone() {
    let mut limits = Limits::default();
    limits.max_input_bytes = 10;
    assert!(limits.check_input_length(10).is_ok());
    let counted = limits.check_input_length(11).unwrap_err();
    let mut options = Options::default();
    options.limits = limits;
    let buffered = normalize_profile_image_with(Upload::new(&[0xFF; 11]), &options).unwrap_err();
    assert_eq!(counted.code(), ErrorCode::FileTooLarge);
    assert_eq!(counted.body(), buffered.body());
    assert_eq!(
        counted.to_string(),
        "the uploaded image is 11 bytes, more than the limit of 10 bytes"
    );
    // Lengths past what memory could hold are still reported exactly.
    let huge = Limits::default().check_input_length(u64::MAX).unwrap_err();
    assert_eq!(huge.typed_args()[0].value, ArgValue::Integer(u64::MAX));
}
