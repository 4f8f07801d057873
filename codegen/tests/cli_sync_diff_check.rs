//! The `sync`, `diff`, `check` and `explain` subcommands, run as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pim-codegen"))
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("binary runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn schema(extra: &str) -> String {
    format!(
        r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="thing"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/>{extra}</EntityType>
<EntityContainer Name="GraphService"><EntitySet Name="things" EntityType="graph.thing"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>"#
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pim-codegen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn sync_check_diff_and_explain_on_a_small_schema() {
    let dir = temp_dir("small");
    write(&dir, "selection.toml", "[[bind]]\npath = \"things\"\n");
    let old = write(
        &dir,
        "old-2026-01-01.xml",
        &schema(r#"<Property Name="gone" Type="Edm.String"/>"#),
    );
    let new = write(
        &dir,
        "new.xml",
        &schema(r#"<Property Name="fresh" Type="Edm.String"/>"#),
    );

    let (code, out, err) = run(bin()
        .arg("sync")
        .arg("--from")
        .arg(&old)
        .arg("--metadata")
        .arg(&dir));
    assert_eq!(code, 0, "{out}{err}");
    let lock = std::fs::read_to_string(dir.join("pim-beta.lock")).unwrap();
    assert!(lock.contains("date = \"2026-01-01\""), "{lock}");
    assert!(lock.contains("source = \"old-2026-01-01.xml\""), "{lock}");

    let (code, out, err) = run(bin().arg("check").arg("--metadata").arg(&dir));
    assert_eq!(code, 0, "{out}{err}");

    // A sync from the new schema reports the change against the previous pin.
    let (code, out, _) = run(bin()
        .arg("sync")
        .arg("--from")
        .arg(&new)
        .arg("--metadata")
        .arg(&dir));
    assert_eq!(code, 0);
    assert!(out.contains("property-removed"), "{out}");
    assert!(out.contains("microsoft.graph.thing/fresh"), "{out}");

    // Hand-editing the pin makes check fail.
    let pin = dir.join("pim-beta.csdl");
    let edited = std::fs::read_to_string(&pin)
        .unwrap()
        .replace("fresh", "fresher");
    std::fs::write(&pin, edited).unwrap();
    let (code, _, err) = run(bin().arg("check").arg("--metadata").arg(&dir));
    assert_eq!(code, 1);
    assert!(err.contains("SHA-256"), "{err}");

    let (code, out, _) = run(bin()
        .args(["diff", "--fail-on-breaking", "--metadata"])
        .arg(&dir)
        .arg(&old)
        .arg(&new));
    assert_eq!(code, 3, "{out}");
    let (code, out, _) = run(bin()
        .args(["diff", "--json", "--metadata"])
        .arg(&dir)
        .arg(&old)
        .arg(&new));
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["breaking"], 1);
    assert_eq!(json["additive"], 1);

    let (code, out, _) = run(bin().arg("explain").arg(&old).arg("--metadata").arg(&dir));
    assert_eq!(code, 0);
    assert!(
        out.contains("full       microsoft.graph.thing  (bound at `/things`)"),
        "{out}"
    );

    // Broken input: diagnostics with line:column, exit 1, nothing written.
    let broken = write(
        &dir,
        "broken.xml",
        "<edmx:Edmx Version=\"4.0\">\n<edmx:DataServices>\n<Schema Namespace=\"x\">\n<EntityType Name=\"a\">",
    );
    let before = std::fs::read(dir.join("pim-beta.lock")).unwrap();
    let (code, _, err) = run(bin()
        .arg("sync")
        .arg("--from")
        .arg(&broken)
        .arg("--metadata")
        .arg(&dir)
        .arg("--color")
        .arg("never"));
    assert_eq!(code, 1);
    assert!(err.contains("CSDL001"), "{err}");
    assert!(err.contains("broken.xml:4:"), "{err}");
    assert_eq!(std::fs::read(dir.join("pim-beta.lock")).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_passes_on_the_committed_pin() {
    let (code, out, err) = run(bin()
        .arg("check")
        .arg("--metadata")
        .arg(workspace().join("metadata")));
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn sync_from_the_2026_snapshot_reproduces_the_committed_pin() {
    let upstream = workspace().join("../shared/upstream/beta-2026-08-04.csdl");
    if !upstream.exists() {
        eprintln!("skipped: {} is absent", upstream.display());
        return;
    }
    let dir = temp_dir("real");
    std::fs::copy(
        workspace().join("metadata/selection.toml"),
        dir.join("selection.toml"),
    )
    .unwrap();
    let (code, out, err) = run(bin()
        .arg("sync")
        .arg("--from")
        .arg(&upstream)
        .arg("--metadata")
        .arg(&dir));
    assert_eq!(code, 0, "{out}{err}");
    for file in ["pim-beta.csdl", "pim-beta.lock"] {
        assert!(
            std::fs::read(dir.join(file)).unwrap()
                == std::fs::read(workspace().join("metadata").join(file)).unwrap(),
            "{file} differs from the committed one"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
