//! Front-end speed against quick-xml's bare event loop, on the real upstream snapshots.
//!
//! One group per input, each with two functions:
//! - `raw_scan`: UTF-8 validation plus quick-xml's event loop reading (and normalizing) every
//!   attribute of every start tag, lengths summed into `black_box`: the floor any reader built
//!   on quick-xml pays;
//! - `parse_resolve`: `csdl::parse_bytes` + `model::resolve`, the first two pipeline stages.
//!
//! The ratio `parse_resolve / raw_scan` is the number to watch (target ≤ 1.5×). Criterion
//! measures the two one after the other, so drift on a shared machine lands on one side; after
//! each group the bench also alternates single runs of the two (150 each) and prints the ratio
//! of their medians, which drift hits equally. Inputs are read from `shared/upstream/` beside
//! the checkout; when absent the bench prints why and measures nothing.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pim_codegen::csdl::{self, ReadOptions};
use pim_codegen::model;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

const INPUTS: [&str; 2] = ["beta-2021-07-13-full.xml", "beta-2026-08-04.csdl"];

/// Sums the lengths of every normalized attribute value; the sum keeps the work observable.
/// Never inlined (nor is `parse_resolve`), so that how the bench calls it cannot change the
/// code being measured.
#[inline(never)]
fn raw_scan(bytes: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return 0;
    };
    let mut reader = Reader::from_str(text);
    let mut total = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for attr in e.attributes().flatten() {
                    if let Ok(value) = attr.normalized_value(XmlVersion::Implicit1_0) {
                        total += value.len();
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    total
}

fn bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream");
    for name in INPUTS {
        let path = dir.join(name);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("skipping {name}: cannot read {} ({err})", path.display());
                continue;
            }
        };
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        // Inputs of megabytes: fewer, longer samples keep a run to about a minute per group.
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(15));
        group.bench_function("raw_scan", |b| {
            b.iter(|| black_box(raw_scan(black_box(&bytes))))
        });
        group.bench_function("parse_resolve", |b| b.iter(|| parse_resolve(&bytes)));
        group.finish();
        interleaved_ratio(name, &bytes);
    }
}

#[inline(never)]
fn parse_resolve(bytes: &[u8]) {
    let parsed = csdl::parse_bytes(black_box(bytes), ReadOptions::default());
    let model = model::resolve(&parsed.document, bytes);
    black_box(&model);
}

/// Alternates single runs of both functions and prints the ratio of their medians.
fn interleaved_ratio(name: &str, bytes: &[u8]) {
    const ROUNDS: usize = 150;
    let (mut raw, mut ours) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for _ in 0..ROUNDS {
        let t = Instant::now();
        black_box(raw_scan(black_box(bytes)));
        raw.push(t.elapsed());
        let t = Instant::now();
        parse_resolve(bytes);
        ours.push(t.elapsed());
    }
    raw.sort();
    ours.sort();
    let (r, o) = (raw[ROUNDS / 2], ours[ROUNDS / 2]);
    let ratio = o.as_secs_f64() / r.as_secs_f64();
    println!(
        "{name}: interleaved medians over {ROUNDS} rounds: raw_scan {r:?}, parse_resolve {o:?}, \
         ratio {ratio:.3} (target <= 1.5: {})",
        if ratio <= 1.5 { "met" } else { "NOT met" }
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
