//! Where pim-api's build script spends its time: `pim_codegen::generate` on the pin, and each
//! of its stages, as medians of 15 runs. A profiling aid, not a check (speed targets are
//! checked by the benches; see BENCHMARKS.md):
//!
//! ```text
//! cargo run -p pim-codegen --release --example stage_timings
//! ```
//!
//! The build script itself runs the generator as a build-dependency, which cargo compiles
//! with `opt-level = 0` unless the workspace sets `[profile.dev.build-override] opt-level`;
//! run without `--release` to see that figure.

use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema = std::fs::read(root.join("metadata/pim-beta.csdl")).unwrap();
    let selection = std::fs::read_to_string(root.join("metadata/selection.toml")).unwrap();
    let config = pim_codegen::select::SelectionConfig::from_toml(&selection).unwrap();
    // Warm up (page cache, allocator).
    let _ = pim_codegen::generate(&schema, &selection).unwrap();

    let runs = 15;
    let mut total = Vec::new();
    let mut stages: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs {
        let start = Instant::now();
        let generated = pim_codegen::generate(&schema, &selection).unwrap();
        total.push(start.elapsed());
        assert!(generated.files.len() > 5);

        let t = Instant::now();
        let parsed = pim_codegen::csdl::parse_bytes(&schema, Default::default());
        let model = pim_codegen::model::resolve(&parsed.document, &schema);
        let selected = pim_codegen::select::select(&model, &config).unwrap();
        stages[0].push(t.elapsed());
        let t = Instant::now();
        let options = pim_codegen::ir::Options::by_bind(&model, &config);
        let ir = pim_codegen::ir::build(&model, &selected, &options);
        stages[1].push(t.elapsed());
        let t = Instant::now();
        let files = pim_codegen::emit::emit(&ir);
        stages[2].push(t.elapsed());
        let t = Instant::now();
        let requests = pim_codegen::builders::build(&model, &selected, &ir);
        let _ = pim_codegen::builders::emit(&requests);
        stages[3].push(t.elapsed());
        assert!(!files.is_empty());
    }
    let [front, ir, emit, builders] = stages.map(median);
    let total = median(total);
    println!(
        "generate() on the pin ({} build): median {total:?} over {runs} runs \
         [parse+resolve+select {front:?}, models IR {ir:?}, models emit {emit:?}, \
         request builders {builders:?}]",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}
