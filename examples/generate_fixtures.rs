//! Writes every fixture from `tests/support/corpus.rs` into `fixtures/`, plus
//! `fixtures/manifest.tsv`.
//!
//! Run with `cargo run --example generate_fixtures`. The output is deterministic: running it
//! twice gives identical files. Files in `fixtures/` that the corpus no longer produces are
//! reported, not deleted.

#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    fs::create_dir_all(&dir)?;
    let fixtures = corpus::all();
    let mut changed = 0;
    for fixture in &fixtures {
        let path = dir.join(fixture.name);
        if fs::read(&path).ok().as_deref() != Some(fixture.bytes.as_slice()) {
            fs::write(&path, &fixture.bytes)?;
            changed += 1;
            println!("wrote {} ({} bytes)", fixture.name, fixture.bytes.len());
        }
    }
    let manifest = corpus::manifest(&fixtures);
    if fs::read_to_string(dir.join("manifest.tsv")).ok().as_deref() != Some(manifest.as_str()) {
        fs::write(dir.join("manifest.tsv"), manifest)?;
        changed += 1;
        println!("wrote manifest.tsv");
    }

    let known: BTreeSet<&str> = fixtures
        .iter()
        .map(|f| f.name)
        .chain(["manifest.tsv", "README.md"])
        .collect();
    for entry in fs::read_dir(&dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !known.contains(name.as_str()) {
            println!("warning: fixtures/{name} is not produced by the generator; delete it if it is stale");
        }
    }
    println!("{} fixtures, {changed} file(s) written", fixtures.len());
    Ok(())
}
