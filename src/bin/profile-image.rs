//! The command-line tool: normalizes one file the way the endpoint would. Built only with the
//! `cli` feature, so that running it compiles the library's own dependencies and `serde_json`,
//! nothing of the test and bench tooling.
//!
//! ```text
//! cargo run --release --features cli -- [--declared-name NAME] [--content-type TYPE]
//!     [--size WxH] [--quality Q] [--optimize-huffman] IN OUT
//! cargo install --path . --features cli    # then: profile-image IN OUT
//! ```
//!
//! Exit status: 0 with OUT written; 2 on a validation error, whose body is printed as one line of
//! JSON on stdout and no OUT is written; 1 on a usage or I/O error. IN's own file name is not taken
//! as a declaration (a file saved without an extension must still work); pass `--declared-name`
//! to check one.

use std::process::ExitCode;

use profile_image::{normalize_profile_image_with, Options, Upload};

struct Args {
    input: String,
    output: String,
    declared_name: Option<String>,
    content_type: Option<String>,
    options: Options,
}

const USAGE: &str =
    "usage: profile-image [--declared-name NAME] [--content-type TYPE] [--size WxH] [--quality Q] \
                     [--optimize-huffman] IN OUT";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut declared_name = None;
    let mut content_type = None;
    let mut options = Options::default();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--declared-name" => declared_name = Some(value("--declared-name")?),
            "--content-type" => content_type = Some(value("--content-type")?),
            "--size" => {
                let size = value("--size")?;
                let (w, h) = size.split_once('x').ok_or("--size takes WxH, e.g. 400x400")?;
                options.width = w.parse().map_err(|_| format!("bad width in --size {size}"))?;
                options.height = h.parse().map_err(|_| format!("bad height in --size {size}"))?;
            }
            "--quality" => {
                let q = value("--quality")?;
                options.quality = q.parse().map_err(|_| format!("bad --quality {q}"))?;
            }
            "--optimize-huffman" => options.optimize_huffman = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}\n{USAGE}")),
            _ => positional.push(arg),
        }
    }
    let [input, output]: [String; 2] = positional.try_into().map_err(|_| USAGE.to_string())?;
    Ok(Args {
        input,
        output,
        declared_name,
        content_type,
        options,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    let bytes = match std::fs::read(&args.input) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.input);
            return ExitCode::from(1);
        }
    };
    let mut upload = Upload::new(&bytes);
    if let Some(name) = &args.declared_name {
        upload = upload.with_file_name(name);
    }
    if let Some(content_type) = &args.content_type {
        upload = upload.with_content_type(content_type);
    }
    match normalize_profile_image_with(upload, &args.options) {
        Ok(jpeg) => {
            if let Err(e) = std::fs::write(&args.output, jpeg.bytes()) {
                eprintln!("cannot write {}: {e}", args.output);
                return ExitCode::from(1);
            }
            let s = jpeg.source();
            eprintln!(
                "{} {}x{} (shown {}x{}, orientation {}, colour {:?}, alpha flattened {}) -> {}x{} JPEG, {} bytes",
                s.format.name(),
                s.stored_width,
                s.stored_height,
                s.displayed_width,
                s.displayed_height,
                s.orientation.to_exif(),
                s.color,
                s.alpha_flattened,
                jpeg.width(),
                jpeg.height(),
                jpeg.bytes().len()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            match serde_json::to_string(&error.body()) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("cannot serialise the error body: {e}"),
            }
            ExitCode::from(2)
        }
    }
}
