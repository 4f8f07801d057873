//! Drift test of the committed generated code under `pim-api/golden/`:
//!
//! - `pim-api/golden/*.rs`: what pim-api's build script generates from the pin
//!   (`metadata/pim-beta.csdl` + `metadata/selection.toml`), byte for byte;
//! - `pim-api/golden/fixtures/edge/`: the models of `codegen/tests/fixtures/edge.csdl`;
//! - `pim-api/golden/fixtures/recursive/`: every type of `codegen/tests/fixtures/recursive.csdl`
//!   (`generate_all`).
//!
//! The fixture copies are compiled and exercised by `pim-api/tests/models_edge.rs`.
//!
//! A difference fails the test with the file and first differing line. To accept an intended
//! change of the generator or the pin, run
//!
//! ```text
//! EXPECTORATE=overwrite cargo test -p pim-codegen --test golden
//! ```
//!
//! and review the diff of `pim-api/golden/` before committing it.

use std::path::{Path, PathBuf};

use pim_codegen::Generated;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn overwrite() -> bool {
    std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite")
}

/// Compares (or, in overwrite mode, writes) every file of `generated` with `dir`, and fails on
/// committed files that are no longer generated.
fn assert_golden(generated: &Generated, dir: &Path) {
    if overwrite() {
        std::fs::create_dir_all(dir).unwrap();
        let drift = pim_codegen::check_golden(generated, dir).unwrap();
        for stale in &drift.stale {
            std::fs::remove_file(dir.join(stale)).unwrap();
        }
    }
    for (name, source) in &generated.files {
        expectorate::assert_contents(dir.join(name), source);
    }
    let drift = pim_codegen::check_golden(generated, dir).unwrap();
    assert!(
        drift.is_empty(),
        "{} drifted from the generator:\n{drift}\naccept with: \
         EXPECTORATE=overwrite cargo test -p pim-codegen --test golden",
        dir.display()
    );
}

#[test]
fn pim_models_match_the_committed_copy() {
    let root = workspace();
    let schema = std::fs::read(root.join("metadata/pim-beta.csdl")).unwrap();
    let selection = std::fs::read_to_string(root.join("metadata/selection.toml")).unwrap();
    let generated = pim_codegen::generate(&schema, &selection).unwrap();
    assert_golden(&generated, &root.join("pim-api/golden"));
}

#[test]
fn edge_fixture_matches_the_committed_copy() {
    let root = workspace();
    let dir = root.join("codegen/tests/fixtures");
    let schema = std::fs::read(dir.join("edge.csdl")).unwrap();
    let selection = std::fs::read_to_string(dir.join("edge.toml")).unwrap();
    let mut generated = pim_codegen::generate(&schema, &selection).unwrap();
    // The request builders name `pim_api::models`, which is not where the fixture lives.
    generated.files.retain(|(name, _)| name != "requests.rs");
    assert_golden(&generated, &root.join("pim-api/golden/fixtures/edge"));
}

#[test]
fn recursive_fixture_matches_the_committed_copy() {
    let root = workspace();
    let schema = std::fs::read(root.join("codegen/tests/fixtures/recursive.csdl")).unwrap();
    let generated = pim_codegen::generate_all(&schema).unwrap();
    assert_golden(&generated, &root.join("pim-api/golden/fixtures/recursive"));
}
