//! The committed files under `fixtures/` are exactly what `tests/support/corpus.rs` generates,
//! `fixtures/README.md` describes each of them, and every fixture expected to succeed is a
//! picture that an independent decoder (the `image` crate) reads at the upright size the
//! manifest claims.

#[path = "support/corpus.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::fs;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

use corpus::{Expect, Fixture};
use image::ImageDecoder;

const REGENERATE: &str = "run `cargo run --example generate_fixtures` and commit the changes in fixtures/";

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The corpus, generated once for all tests in this file.
fn corpus() -> &'static [Fixture] {
    static CORPUS: OnceLock<Vec<Fixture>> = OnceLock::new();
    CORPUS.get_or_init(corpus::all)
}

#[test]
fn committed_fixtures_match_the_generator() {
    let dir = fixtures_dir();
    let mut problems = Vec::new();
    for fixture in corpus() {
        match fs::read(dir.join(fixture.name)) {
            Ok(bytes) if bytes == fixture.bytes => {}
            Ok(bytes) => problems.push(format!(
                "{} differs from the generator ({} bytes committed, {} generated)",
                fixture.name,
                bytes.len(),
                fixture.bytes.len()
            )),
            Err(err) => problems.push(format!("{} cannot be read: {err}", fixture.name)),
        }
    }
    match fs::read_to_string(dir.join("manifest.tsv")) {
        Ok(text) if text == corpus::manifest(corpus()) => {}
        Ok(_) => problems.push("manifest.tsv differs from the generator".to_string()),
        Err(err) => problems.push(format!("manifest.tsv cannot be read: {err}")),
    }
    let known: BTreeSet<&str> = corpus()
        .iter()
        .map(|f| f.name)
        .chain(["manifest.tsv", "README.md", "regressions"])
        .collect();
    for entry in fs::read_dir(&dir).expect("fixtures/ is readable") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        if !known.contains(name.as_ref()) {
            problems.push(format!(
                "{name} is not produced by the generator (delete it, or add it to tests/support/corpus.rs)"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixtures/ is out of date with tests/support/corpus.rs; {REGENERATE}.\n{}",
        problems.join("\n")
    );
}

#[test]
fn fixtures_readme_describes_every_fixture() {
    let readme = fs::read_to_string(fixtures_dir().join("README.md")).expect("fixtures/README.md exists");
    let missing: Vec<&str> = corpus()
        .iter()
        .map(|f| f.name)
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures/README.md does not describe: {}",
        missing.join(", ")
    );
}

/// Decodes with the `image` crate, applies the EXIF orientation it reports, and compares the
/// size with the manifest. For the orientation fixtures it also checks that the picture is
/// upright: red, green, blue and yellow quadrants from top-left to bottom-right (tolerance 8 per
/// channel, for JPEG loss). This checks the generator's orientation mapping against an
/// independent implementation.
#[test]
fn success_fixtures_decode_with_the_image_crate_at_their_upright_size() {
    const UPRIGHT: [[u8; 3]; 4] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
    let mut problems = Vec::new();
    for fixture in corpus() {
        let Expect::Ok { width, height } = fixture.expect else {
            continue;
        };
        let decoded = image::ImageReader::new(Cursor::new(&fixture.bytes))
            .with_guessed_format()
            .expect("reading from memory cannot fail")
            .into_decoder()
            .and_then(|mut decoder| {
                let orientation = decoder.orientation()?;
                let mut picture = image::DynamicImage::from_decoder(decoder)?;
                picture.apply_orientation(orientation);
                Ok(picture)
            });
        let picture = match decoded {
            Ok(picture) => picture,
            Err(err) => {
                problems.push(format!("{}: {err}", fixture.name));
                continue;
            }
        };
        if (picture.width(), picture.height()) != (width, height) {
            problems.push(format!(
                "{}: upright size {}x{}, manifest says {width}x{height}",
                fixture.name,
                picture.width(),
                picture.height()
            ));
        }
        if fixture.name.starts_with("orientation-") {
            let rgb = picture.to_rgb8();
            let centres = [(1, 1), (3, 1), (1, 3), (3, 3)]
                .map(|(qx, qy)| rgb.get_pixel(qx * width / 4, qy * height / 4).0);
            let upright = centres
                .iter()
                .zip(UPRIGHT)
                .all(|(got, want)| got.iter().zip(want).all(|(&g, w)| g.abs_diff(w) <= 8));
            if !upright {
                problems.push(format!(
                    "{}: quadrant centres {centres:?} are not upright",
                    fixture.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
