//! The CSDL writer loses nothing the reader holds, on every real upstream file.
//!
//! For each file in `shared/upstream/`: parse → write → parse must give a document equal to
//! the first one (compared as a debug dump with byte positions zeroed, since the text moved),
//! writing again must give the same bytes (the writer's output is a fixed point), and the
//! element counts must not change. Skipped with a printed reason when `shared/` is absent.

use std::path::PathBuf;

use pim_codegen::csdl::{self, Document, ReadOptions, write_document};
use pim_codegen::diag::Severity;
use pim_codegen::inspect::Counts;

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

const FILES: [&str; 4] = [
    "beta-2021-07-13-full.xml",
    "beta-2022-06-13.csdl",
    "beta-2025-11-05.csdl",
    "beta-2026-08-04.csdl",
];

/// Debug dump of everything the document holds, with positions zeroed. The line index is
/// left out: it is a cache, filled or not depending on whether diagnostics were reported.
fn dump(doc: &Document<'_>) -> String {
    let raw = format!("{:?}\n{:?}\n{:?}", doc.version, doc.references, doc.schemas);
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw.as_str();
    while let Some(i) = rest.find("Pos(") {
        out.push_str(&rest[..i + 4]);
        rest = rest[i + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('0');
    }
    out.push_str(rest);
    out
}

/// Panics showing where two dumps first differ.
fn assert_same(file: &str, a: &str, b: &str) {
    if a == b {
        return;
    }
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = at.saturating_sub(400);
    panic!(
        "{file}: the document read back differs from the original at byte {at} of the dump:\n original: …{}\n  re-read: …{}",
        String::from_utf8_lossy(&a.as_bytes()[from..(at + 200).min(a.len())]),
        String::from_utf8_lossy(&b.as_bytes()[from..(at + 200).min(b.len())]),
    );
}

#[test]
fn write_then_read_gives_the_same_document() {
    let Some(dir) = upstream_dir() else { return };
    for file in FILES {
        let source = std::fs::read(dir.join(file)).expect("readable upstream file");
        let parsed = csdl::parse_bytes(&source, ReadOptions::default());
        assert!(
            !pim_codegen::diag::has_errors(&parsed.diagnostics),
            "{file}: {:?}",
            parsed.diagnostics
        );
        let written = write_document(&parsed.document);

        let reparsed = csdl::parse(&written, ReadOptions::default());
        // The writer only writes what the reader knows, so reading it back reports nothing,
        // not even the warnings (unknown attributes) the original may have had.
        assert!(
            reparsed.diagnostics.is_empty(),
            "{file}: reading the written document reported {:?}",
            &reparsed.diagnostics[..reparsed.diagnostics.len().min(5)]
        );
        assert_eq!(
            Counts::of(&parsed.document),
            Counts::of(&reparsed.document),
            "{file}"
        );
        assert_same(file, &dump(&parsed.document), &dump(&reparsed.document));

        let rewritten = write_document(&reparsed.document);
        assert!(
            rewritten == written,
            "{file}: writing the re-read document gave different bytes"
        );

        // The resolver sees the same model: same diagnostics, apart from positions.
        let before = pim_codegen::model::resolve(&parsed.document, &source);
        let after = pim_codegen::model::resolve(&reparsed.document, written.as_bytes());
        let key = |d: &pim_codegen::diag::Diagnostic| (d.severity, d.code, d.message.clone());
        assert_eq!(
            before.diagnostics.iter().map(key).collect::<Vec<_>>(),
            after.diagnostics.iter().map(key).collect::<Vec<_>>(),
            "{file}"
        );
        assert_eq!(before.types.len(), after.types.len(), "{file}");
        assert!(
            !before
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.code.as_str() == "CSDL001"),
            "{file}"
        );
        eprintln!(
            "{file}: {} bytes read, {} bytes written, round trip exact",
            source.len(),
            written.len()
        );
    }
}

#[test]
fn output_is_normalized() {
    let Some(dir) = upstream_dir() else { return };
    let source = std::fs::read(dir.join("beta-2026-08-04.csdl")).expect("readable upstream file");
    let parsed = csdl::parse_bytes(&source, ReadOptions::default());
    let written = write_document(&parsed.document);
    assert!(written.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n"
    ));
    assert!(written.contains(
        "\n    <Schema Namespace=\"microsoft.graph\" Alias=\"graph\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n"
    ));
    for line in written.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        assert_eq!(indent % 2, 0, "odd indentation: {line:?}");
        assert!(!line.contains('\t') && !line.ends_with(' '), "{line:?}");
    }
    assert!(!written.contains('\r'));
}
