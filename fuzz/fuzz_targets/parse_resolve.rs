//! Arbitrary bytes through the whole front end: read, resolve, render diagnostics, inspect,
//! and write the document back.
//!
//! Beyond "no panic, no hang, no unbounded memory", two properties of the writer are checked
//! on whatever the reader made of the input:
//! - its output is well-formed: reading it back reports no XML syntax error;
//! - it is a fixed point: writing the re-read document gives the same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pim_codegen::csdl::{self, ReadOptions};
use pim_codegen::diag::{self, Code};
use pim_codegen::{inspect, model};

fuzz_target!(|data: &[u8]| {
    let parsed = csdl::parse_bytes(data, ReadOptions::default());
    let model = model::resolve(&parsed.document, data);
    let _ = diag::render("fuzz.xml", data, &parsed.diagnostics, false);
    let _ = diag::render("fuzz.xml", data, &model.diagnostics, true);
    let report = inspect::inspect(data);
    let _ = report.to_json_pretty();

    let written = csdl::write_document(&parsed.document);
    let reparsed = csdl::parse(&written, ReadOptions::default());
    if let Some(d) = reparsed
        .diagnostics
        .iter()
        .find(|d| d.code == Code::XmlSyntax || d.code == Code::InvalidUtf8)
    {
        panic!("the writer produced malformed XML: {d}\n{written}");
    }
    let rewritten = csdl::write_document(&reparsed.document);
    assert!(
        rewritten == written,
        "writing is not a fixed point:\n--- first\n{written}\n--- second\n{rewritten}"
    );
});
