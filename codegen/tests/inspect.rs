//! `pim-codegen inspect`, run as the built binary: counts on the real upstream files equal the
//! independent count in `shared/upstream/README.md`, the JSON has the documented shape, and
//! the exit codes are 0 (clean), 1 (errors or unreadable file) and 2 (usage).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pim-codegen"));
    // Diagnostics must be plain text here whatever the environment says.
    cmd.arg("--color=never");
    cmd
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn upstream_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (CI puts shared/ beside the checkout)",
            dir.display()
        );
        None
    }
}

/// A scratch file under the target directory, unique per test.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspect-test");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The README's table: schemas, entity, complex, enum, actions, functions, terms, entity sets,
/// singletons.
const TABLE: [(&str, [u64; 9]); 4] = [
    (
        "beta-2021-07-13-full.xml",
        [7, 1322, 1279, 874, 925, 335, 8, 73, 35],
    ),
    (
        "beta-2022-06-13.csdl",
        [1, 316, 433, 195, 134, 66, 3, 61, 17],
    ),
    (
        "beta-2025-11-05.csdl",
        [6, 558, 901, 397, 225, 167, 10, 67, 22],
    ),
    (
        "beta-2026-08-04.csdl",
        [6, 722, 1044, 479, 705, 251, 12, 58, 23],
    ),
];

const KEYS: [&str; 9] = [
    "schemas",
    "entity_types",
    "complex_types",
    "enum_types",
    "actions",
    "functions",
    "terms",
    "entity_sets",
    "singletons",
];

#[test]
fn counts_match_the_readme_table() {
    let Some(dir) = upstream_dir() else { return };
    // The table in the README is the source of truth; check the copy above against it so the
    // two cannot drift apart silently.
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README");
    for (file, counts) in TABLE {
        let row = format!("| {file} | {} |", counts.map(|n| n.to_string()).join(" | "));
        assert!(readme.contains(&row), "README has no row `{row}`");
    }
    for (file, counts) in TABLE {
        let path = dir.join(file);
        let output = run(&["inspect", "--json", path.to_str().expect("utf-8 path")]);
        assert_eq!(output.status.code(), Some(0), "{file}: {output:?}");
        let value = json(&output);
        for (key, expected) in KEYS.iter().zip(counts) {
            assert_eq!(value[key].as_u64(), Some(expected), "{file}: {key}");
        }
    }
}

#[test]
fn json_shape() {
    let Some(dir) = upstream_dir() else { return };
    let path = dir.join("beta-2026-08-04.csdl");
    let output = run(&["inspect", path.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let value = json(&output);
    let object = value.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "action_imports",
            "actions",
            "complex_types",
            "diagnostics",
            "entity_sets",
            "entity_types",
            "enum_types",
            "function_imports",
            "functions",
            "schemas",
            "singletons",
            "terms",
            "type_definitions",
        ]
    );
    for (key, v) in object {
        if key != "diagnostics" {
            assert!(v.is_u64(), "{key} is not an integer: {v}");
        }
    }
    // The stray parenthesis in a `Term`'s `AppliesTo` (a known defect of this snapshot) is a
    // warning, not an error.
    let diagnostics = object["diagnostics"].as_array().expect("a list");
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        let d = d.as_object().expect("diagnostic object");
        let mut keys: Vec<&str> = d.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["code", "column", "line", "message", "severity"]);
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["code"], "CSDL005");
        assert!(d["line"].as_u64().is_some_and(|l| l > 1));
        assert!(d["column"].as_u64().is_some_and(|c| c >= 1));
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("groundingItem)"))
        );
    }
}

const CLEAN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <ComplexType Name="c">
        <Property Name="x" Type="Edm.String"/>
      </ComplexType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

#[test]
fn exit_0_on_a_clean_file_with_a_text_table() {
    let path = scratch("clean.xml", CLEAN.as_bytes());
    let output = run(&["inspect", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("complex types           1\n"), "{stdout}");
    assert!(stdout.contains("0 error(s), 0 warning(s)"), "{stdout}");
    assert!(output.stderr.is_empty(), "{output:?}");
}

#[test]
fn exit_1_on_errors_with_rendered_diagnostics() {
    let broken = CLEAN.replace("Edm.String", "n.missing");
    let path = scratch("unresolved.xml", broken.as_bytes());
    let output = run(&["inspect", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Rendered by codespan: code, file:line:column, and the source line.
    assert!(stderr.contains("error[CSDL010]"), "{stderr}");
    assert!(stderr.contains("unresolved.xml:6:9"), "{stderr}");
    assert!(
        stderr.contains("<Property Name=\"x\" Type=\"n.missing\"/>"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "no color when not a terminal");

    let output = run(&["inspect", "--json", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let value = json(&output);
    let d = &value["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "CSDL010");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(9))
    );

    // Malformed XML and invalid UTF-8 are errors too, not panics.
    let path = scratch("truncated.xml", &CLEAN.as_bytes()[..200]);
    assert_eq!(
        run(&["inspect", path.to_str().expect("utf-8 path")])
            .status
            .code(),
        Some(1)
    );
    let path = scratch("latin1.xml", b"<edmx:Edmx Version=\"4.0\">\xe9</edmx:Edmx>");
    let output = run(&["inspect", "--json", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["diagnostics"][0]["code"], "CSDL002");
}

#[test]
fn exit_1_on_an_unreadable_file() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-file.xml");
    let output = run(&["inspect", missing.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: cannot read `"), "{stderr}");
    assert!(stderr.contains("no-such-file.xml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // A directory is unreadable as a file.
    let output = run(&["inspect", env!("CARGO_TARGET_TMPDIR")]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
}

#[test]
fn exit_2_on_usage_errors() {
    for args in [
        &["inspect"][..],
        &["inspect", "a.xml", "--bogus"],
        &["no-such-command"],
        &[],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty());
    }
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert_eq!(run(&["inspect", "--help"]).status.code(), Some(0));
}
