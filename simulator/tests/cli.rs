//! The `pim-sim` binary: the lines it prints are shell-sourceable and point at a working
//! service; a broken tenant file is a clear error and exit status 2.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn prints_sourceable_variables_of_a_working_service() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pim-sim"))
        .arg("--quiet")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("pim-sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .take_while(|l| !l.starts_with("PIM_SIM_ROLE_USER_ADMINISTRATOR"))
            .collect::<Vec<_>>()
    });
    let lines = tokio::time::timeout(Duration::from_secs(30), lines)
        .await
        .expect("the variables are printed")
        .expect("reader");
    let vars: BTreeMap<&str, &str> = lines
        .iter()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("NAME=value");
            assert!(
                k.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{l}"
            );
            (k, v.split("  #").next().unwrap_or(v))
        })
        .collect();
    let base = vars["GRAPH_BASE_URL"];
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/beta"),
        "{base}"
    );
    assert_eq!(vars["GRAPH_TOKEN"], "sim-ada");
    assert_eq!(vars["PIM_SIM_BEN_TOKEN_2"], "sim-ben-mfa");
    let resp = reqwest::Client::new()
        .get(format!(
            "{base}/roleManagement/directory/roleDefinitions?$top=1"
        ))
        .bearer_auth(vars["PIM_SIM_DANA_TOKEN"])
        .send()
        .await
        .expect("the service answers");
    assert_eq!(resp.status(), 200);
    child.kill().ok();
    child.wait().ok();
}

#[test]
fn a_broken_tenant_file_is_reported() {
    let dir = std::env::temp_dir().join(format!("pim-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("bad.toml");
    std::fs::write(
        &toml,
        "[[users]]\nname = \"a\"\n[[eligibilities]]\nprincipal = \"a\"\nrole = \"Nope\"\n",
    )
    .unwrap();
    let json = dir.join("bad.json");
    std::fs::write(&json, "{\"users\": [}").unwrap();
    for (path, needle) in [
        (
            toml.as_path(),
            "eligibilities[0].role: no role definition \"Nope\"",
        ),
        (json.as_path(), "invalid tenant file"),
        (
            dir.join("missing.toml").as_path(),
            "cannot read tenant file",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pim-sim"))
            .arg("--tenant")
            .arg(path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        assert!(stderr.contains(needle), "{}: {stderr}", path.display());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_pim-sim"))
        .args(["--throttle", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
