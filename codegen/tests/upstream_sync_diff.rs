//! `sync` and `diff` on the real upstream snapshots in `../shared/upstream`.
//!
//! Skipped, with the reason printed, when `../shared` is absent (a fresh machine).

use std::path::PathBuf;

use pim_codegen::diff::{Impact, diff};
use pim_codegen::sync::{Lock, check_pin, sync};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn upstream(name: &str) -> Option<Vec<u8>> {
    let path = workspace().join("../shared/upstream").join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!(
                "skipped: {} is absent (../shared is not beside the checkout)",
                path.display()
            );
            None
        }
    }
}

fn selection() -> String {
    std::fs::read_to_string(workspace().join("metadata/selection.toml"))
        .expect("metadata/selection.toml")
}

#[test]
fn committed_pin_is_what_sync_writes_from_the_2026_snapshot() {
    let Some(bytes) = upstream("beta-2026-08-04.csdl") else {
        return;
    };
    let out = sync(
        &bytes,
        "beta-2026-08-04.csdl",
        None,
        &selection(),
        "pim-beta.csdl",
    )
    .expect("sync succeeds");
    let pin = std::fs::read_to_string(workspace().join("metadata/pim-beta.csdl")).unwrap();
    let lock = std::fs::read_to_string(workspace().join("metadata/pim-beta.lock")).unwrap();
    assert!(
        out.pin == pin,
        "metadata/pim-beta.csdl differs from `pim-codegen sync` output; run it again"
    );
    assert_eq!(out.lock.to_toml(), lock);
    let lock = Lock::from_toml(&lock).unwrap();
    assert_eq!(lock.upstream.size, bytes.len() as u64);
    assert_eq!(
        lock.upstream.sha256, "ec7d088d00e439ce0ab9524e459238256ed2e67f070becc21bdc6bbda0c3482b",
        "the README of ../shared/upstream lists this hash"
    );
}

#[test]
fn committed_pin_matches_its_lock() {
    // Needs nothing from ../shared: this is what `pim-codegen check` verifies.
    let pin = std::fs::read(workspace().join("metadata/pim-beta.csdl")).unwrap();
    let lock = Lock::from_toml(
        &std::fs::read_to_string(workspace().join("metadata/pim-beta.lock")).unwrap(),
    )
    .unwrap();
    let problems = check_pin(&pin, &lock, &selection());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn sync_of_2025_reads_back_to_the_same_closure() {
    let Some(bytes) = upstream("beta-2025-11-05.csdl") else {
        return;
    };
    let out = sync(
        &bytes,
        "beta-2025-11-05.csdl",
        None,
        &selection(),
        "pim-beta.csdl",
    )
    .unwrap();
    let again = sync(
        out.pin.as_bytes(),
        "pin",
        None,
        &selection(),
        "pim-beta.csdl",
    )
    .unwrap();
    assert_eq!(again.explanation, out.explanation);
    assert_eq!(again.pin, out.pin, "sync of a pin is a fixed point");
}

#[test]
fn diff_2025_to_2026_reports_iteration_2_deprecation_and_identity_additions() {
    let (Some(old), Some(new)) = (
        upstream("beta-2025-11-05.csdl"),
        upstream("beta-2026-08-04.csdl"),
    ) else {
        return;
    };
    let report = diff(&old, &new, &selection()).unwrap();
    print!("{}", report.to_text());
    let deprecated = report
        .changes
        .iter()
        .find(|c| c.kind == "deprecated" && c.subject == "microsoft.graph.privilegedAccess")
        .expect("PIM iteration 2 deprecation");
    assert!(
        deprecated.detail.contains("PIM Iteration 2"),
        "{}",
        deprecated.detail
    );
    assert!(
        deprecated.detail.contains("2026-10-28"),
        "{}",
        deprecated.detail
    );
    for added in [
        "microsoft.graph.groupIdentity",
        "microsoft.graph.sharePointGroupIdentity",
    ] {
        let c = report
            .changes
            .iter()
            .find(|c| c.kind == "type-added" && c.subject == added)
            .unwrap_or_else(|| panic!("{added} not reported"));
        assert_eq!(c.impact, Impact::Additive);
        assert!(
            c.detail.contains("microsoft.graph.identity"),
            "{}",
            c.detail
        );
    }
    assert!(!report.has_breaking(), "{}", report.to_text());
}

#[test]
fn diff_2022_to_2026_reports_pim_for_groups_as_added() {
    let (Some(old), Some(new)) = (
        upstream("beta-2022-06-13.csdl"),
        upstream("beta-2026-08-04.csdl"),
    ) else {
        return;
    };
    let report = diff(&old, &new, &selection()).unwrap();
    let path = report
        .changes
        .iter()
        .find(|c| c.kind == "path-added")
        .expect("a path was added");
    assert_eq!(path.subject, "/identityGovernance/privilegedAccess/group");
    assert!(report.changes.iter().any(|c| c.kind == "type-added" && c.subject == "microsoft.graph.privilegedAccessGroup"));
    // And back: removing it is breaking.
    let back = diff(&new, &old, &selection()).unwrap();
    assert!(
        back.changes
            .iter()
            .any(|c| c.kind == "path-removed" && c.impact == Impact::Breaking)
    );
    assert!(back.has_breaking());
}
