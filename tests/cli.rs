//! The command-line tool (`src/bin/profile-image.rs`, feature `cli`) as the README promises it:
//! exit 0 with the JPEG written, 2 with the error body as one line of JSON on stdout and nothing
//! written, 1 for a usage or I/O error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_profile-image"))
        .args(args)
        .output()
        .expect("the tool runs")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A fresh output path under the target directory's scratch space.
fn output(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn jpeg_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("the output was written");
    assert_eq!(bytes[..3], [0xFF, 0xD8, 0xFF]);
    let mut decoder = jpeg_decoder::Decoder::new(&bytes[..]);
    decoder.read_info().unwrap();
    let info = decoder.info().unwrap();
    (u32::from(info.width), u32::from(info.height))
}

#[test]
fn the_main_job_writes_a_1200x1200_jpeg_and_exits_0() {
    let out = output("avatar.jpg");
    let result = run(&[&fixture("photo-2000x1500.jpg"), out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(0), "{result:?}");
    assert_eq!(jpeg_size(&out), (1200, 1200));
    let report = String::from_utf8(result.stderr).unwrap();
    assert!(report.starts_with("JPEG 2000x1500 "), "{report}");
    assert!(report.contains("-> 1200x1200 JPEG"), "{report}");
}

#[test]
fn options_change_the_output() {
    let out = output("small.jpg");
    let result = run(&[
        "--size",
        "400x300",
        "--quality",
        "70",
        "--optimize-huffman",
        &fixture("photo-2000x1500.jpg"),
        out.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{result:?}");
    assert_eq!(jpeg_size(&out), (400, 300));
}

#[test]
fn a_validation_error_prints_its_body_as_json_writes_nothing_and_exits_2() {
    let out = output("refused.jpg");
    let result = run(&[
        "--declared-name",
        "avatar.png",
        &fixture("gray.jpg"),
        out.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2), "{result:?}");
    let body: serde_json::Value = serde_json::from_slice(&result.stdout).expect("one JSON body");
    assert_eq!(body["errorCode"], "image.declared_type_mismatch");
    assert_eq!(body["typedArgs"][0]["type"], "ENUM");
    assert!(!out.exists(), "nothing is written on an error");
    // Options out of range are a validation error too.
    let result = run(&["--quality", "0", &fixture("gray.jpg"), out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2), "{result:?}");
    let body: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(body["errorCode"], "image.invalid_options");
}

#[test]
fn usage_and_io_errors_exit_1() {
    let cases: [(&[&str], &str); 4] = [
        (&[], "usage: profile-image"),
        (&["only-one-path"], "usage: profile-image"),
        (&["--size", "12", "a", "b"], "--size takes WxH"),
        (&["--bogus", "a", "b"], "unknown flag --bogus"),
    ];
    for (args, message) in cases {
        let result = run(args);
        assert_eq!(result.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let out = output("never.jpg");
    let result = run(&["no-such-file.jpg", out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).starts_with("cannot read no-such-file.jpg"));
}
