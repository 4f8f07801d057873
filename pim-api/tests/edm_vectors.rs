//! Every timestamp- or duration-looking string in the Graph docs vectors
//! (`shared/vectors/beta/*.json`) must round-trip through the Edm types and parse.
//!
//! The vectors live outside the repository: `<repo>/../shared` (CI lays a copy beside the
//! clone). Without them the test prints why and passes.

use pim_api::edm::{DateTimeOffset, Duration};
use serde_json::Value;
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/beta")
}

/// `yyyy-mm-ddT…`: the shape of every Edm.DateTimeOffset Graph sends.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'T'
}

/// `P…` / `-P…` made only of digits, `.` and designators (so `Provisioned` is not one).
fn looks_like_duration(s: &str) -> bool {
    let rest = s.strip_prefix('-').unwrap_or(s);
    let Some(rest) = rest.strip_prefix('P') else {
        return false;
    };
    rest.bytes().any(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b".TDHMSYW".contains(&b))
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// The contents of the double-quoted strings of a body that is not strict JSON (the docs cut
/// it with `...` or left trailing commas); escapes are not needed for the values looked for.
fn quoted_strings(text: &str, out: &mut Vec<String>) {
    let mut parts = text.split('"');
    parts.next();
    while let Some(inside) = parts.next() {
        out.push(inside.to_owned());
        parts.next();
    }
}

#[test]
fn vector_timestamps_and_durations_round_trip_and_parse() {
    let dir = vectors_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipped: no test vectors at {} (shared/ is laid beside the repository)",
            dir.display()
        );
        return;
    };
    let mut strings = Vec::new();
    let mut files = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for example in doc["examples"].as_array().into_iter().flatten() {
            for side in ["request", "response"] {
                let part = &example[side];
                match &part["body"] {
                    Value::Null => {
                        if let Some(text) = part["body_text"].as_str() {
                            quoted_strings(text, &mut strings);
                        }
                    }
                    body => collect_strings(body, &mut strings),
                }
            }
        }
    }
    assert!(files > 0, "no vector files in {}", dir.display());

    let mut timestamps = 0;
    let mut durations = 0;
    let mut failures = Vec::new();
    for s in &strings {
        let json = serde_json::to_string(s).unwrap();
        if looks_like_timestamp(s) {
            timestamps += 1;
            let v: DateTimeOffset = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
            match v.to_datetime() {
                // The canonical re-encoding names the same instant.
                Ok(t) => assert_eq!(DateTimeOffset::from(t).to_datetime().unwrap(), t, "{s}"),
                Err(e) => failures.push(e.to_string()),
            }
        } else if looks_like_duration(s) {
            durations += 1;
            let v: Duration = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
            match v.to_time_delta() {
                Ok(d) => assert_eq!(Duration::from(d).to_time_delta().unwrap(), d, "{s}"),
                Err(e) => failures.push(e.to_string()),
            }
        }
    }
    eprintln!("{files} vector files: {timestamps} timestamps and {durations} durations checked");
    assert!(
        failures.is_empty(),
        "values that do not parse:\n{}",
        failures.join("\n")
    );
    // The README promises these; if the scan found none, the scan is broken.
    assert!(timestamps >= 50, "only {timestamps} timestamps found");
    assert!(durations >= 5, "only {durations} durations found");
    for expected in ["0001-01-01T00:00:00Z", "PT0S", "P365D"] {
        assert!(
            strings.iter().any(|s| s == expected),
            "{expected} not found"
        );
    }
}
