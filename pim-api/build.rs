//! Generates `pim_api::models` from the pinned Graph schema, at build time.
//!
//! Inputs (both looked up in this package's own directory, `CARGO_MANIFEST_DIR`):
//! - `metadata/pim-beta.csdl`: the pinned, trimmed Graph beta schema written by
//!   `pim-codegen sync`;
//! - `metadata/selection.toml`: what pim-api binds.
//!
//! In the workspace, `pim-api/metadata/` holds symlinks to the workspace's `metadata/` files
//! (the single source of truth); `cargo package` stores a symlink's target as a regular file,
//! so the packaged crate carries its own copies and builds from its tarball alone. (On Windows
//! checkouts without symlink support, copy the two files there.)
//!
//! Cargo features named by a `[[bind]]` of the selection (`iteration2`) add those binds.
//!
//! Output: `$OUT_DIR/models/*.rs`, which `src/models.rs` includes through the index
//! `$OUT_DIR/models/mod.rs`. The generator is a build-dependency, so cargo reruns this script
//! when it changes; otherwise only a change of the two inputs does.

use std::path::{Path, PathBuf};
use std::process::exit;

fn main() {
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let schema_path = manifest_dir.join("metadata").join("pim-beta.csdl");
    let selection_path = manifest_dir.join("metadata").join("selection.toml");
    println!("cargo:rerun-if-changed={}", schema_path.display());
    println!("cargo:rerun-if-changed={}", selection_path.display());

    let schema = read(
        &schema_path,
        "the pinned schema; run `pim-codegen sync` to write it",
    );
    let selection = read(&selection_path, "the selection of what pim-api binds");
    let selection = String::from_utf8(selection).unwrap_or_else(|e| {
        eprintln!("error: `{}` is not UTF-8: {e}", selection_path.display());
        exit(1)
    });

    // Cargo tells a build script its package's enabled features as `CARGO_FEATURE_<NAME>`
    // (upper case, `-` as `_`); the selection's feature-gated binds use pim-api's names.
    let features = std::env::vars_os()
        .filter_map(|(k, _)| {
            k.to_str()?
                .strip_prefix("CARGO_FEATURE_")
                .map(|f| f.to_ascii_lowercase().replace('_', "-"))
        })
        .collect::<Vec<_>>();
    let settings = pim_codegen::Settings::with_features(features);
    let generated = match pim_codegen::generate_with(&schema, &selection, &settings) {
        Ok(generated) => generated,
        Err(diagnostics) => {
            eprintln!(
                "error: cannot generate pim-api's models from `{}` and `{}`:",
                schema_path.display(),
                selection_path.display()
            );
            let shown = pim_codegen::diag::render(
                &schema_path.display().to_string(),
                &schema,
                &diagnostics,
                false,
            );
            eprintln!("{shown}");
            exit(1)
        }
    };
    // Renames change the public API: make them visible.
    for d in &generated.diagnostics {
        if d.code == pim_codegen::diag::Code::NameCollision {
            println!("cargo:warning=pim-api models: {d}");
        }
    }
    let models_dir = out_dir.join("models");
    if let Err(e) = generated.write_to(&models_dir) {
        eprintln!("error: cannot write `{}`: {e}", models_dir.display());
        exit(1)
    }
}

fn read(path: &Path, what: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        eprintln!(
            "error: cannot read `{}` ({what}): {e}.\n\
             pim-api generates its models at build time from `metadata/pim-beta.csdl` and \
             `metadata/selection.toml` in its package directory (symlinks to the workspace's \
             `metadata/` files).",
            path.display()
        );
        exit(1)
    })
}
