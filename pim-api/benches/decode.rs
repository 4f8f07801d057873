//! Decoding a 1000-item page of `unifiedRoleAssignmentScheduleInstance` (the item of the Graph
//! docs example, repeated with varied ids) three ways, in one group:
//!
//! - `generated`: the generated model (`pim_api::models::UnifiedRoleAssignmentScheduleInstance`),
//!   which keeps unknown members and tells `null` from absent;
//! - `hand_written`: a `#[derive(Deserialize)]` struct with the same fields and field types,
//!   which keeps nothing else (the baseline a hand-written client would have);
//! - `value`: `serde_json::Value` (what a client without models does).
//!
//! Targets: `generated` at least 0.95× the speed of `hand_written`, and at least 1.5× the speed
//! of `value`. Run: `cargo bench -p pim-api --bench decode`.

#![allow(dead_code)] // the hand-written baseline's fields are decoded, never read

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use pim_api::edm::DateTimeOffset;
use pim_api::models::{
    AppScope, DirectoryObject, UnifiedRoleAssignmentScheduleInstance, UnifiedRoleDefinition,
    UnifiedRoleEligibilityScheduleInstance,
};
use serde::Deserialize;
use std::hint::black_box;

/// The collection wrapper, the same for the three contenders.
#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
}

/// The same fields, with the same types, as the generated model; plain serde derive.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandWritten {
    id: Option<String>,
    app_scope_id: Option<String>,
    directory_scope_id: Option<String>,
    principal_id: Option<String>,
    role_definition_id: Option<String>,
    assignment_type: Option<String>,
    end_date_time: Option<DateTimeOffset>,
    member_type: Option<String>,
    role_assignment_origin_id: Option<String>,
    role_assignment_schedule_id: Option<String>,
    start_date_time: Option<DateTimeOffset>,
    app_scope: Option<Box<AppScope>>,
    directory_scope: Option<Box<DirectoryObject>>,
    principal: Option<Box<DirectoryObject>>,
    role_definition: Option<Box<UnifiedRoleDefinition>>,
    activated_using: Option<Box<UnifiedRoleEligibilityScheduleInstance>>,
}

/// A page like Graph's: the docs example's item, 1000 times with distinct ids and times.
fn page(items: usize) -> String {
    let items: Vec<serde_json::Value> = (0..items)
        .map(|i| {
            serde_json::json!({
                "id": format!("4-PYiFWPHkqVOpuYmLiHa_8KmpPnrkhHmG41_UYRbUY-{i}"),
                "principalId": format!("939a0aff-aee7-4748-986e-{i:012}"),
                "roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": format!("2021-07-27T13:{:02}:{:02}.33Z", i / 60 % 60, i % 60),
                "endDateTime": null,
                "assignmentType": "Assigned",
                "memberType": "Direct",
                "roleAssignmentOriginId": format!("4-PYiFWPHkqVOpuYmLiHa_8KmpPnrkhHmG41_UYRbUY-{i}"),
                "roleAssignmentScheduleId": format!("4-PYiFWPHkqVOpuYmLiHa_8KmpPnrkhHmG41_UYRbUY-{i}")
            })
        })
        .collect();
    serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#roleManagement/directory/roleAssignmentScheduleInstances",
        "value": items
    })
    .to_string()
}

fn decode(c: &mut Criterion) {
    let text = page(1000);
    // The three decode the same page (and the generated model loses nothing).
    let generated: Page<UnifiedRoleAssignmentScheduleInstance> =
        serde_json::from_str(&text).unwrap();
    assert_eq!(generated.value.len(), 1000);
    let back = serde_json::to_value(&generated.value).unwrap();
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, original["value"]);

    interleaved(&text);

    let mut group = c.benchmark_group("decode_1000_schedule_instances");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("generated"), |b| {
        b.iter(|| {
            let page: Page<UnifiedRoleAssignmentScheduleInstance> =
                serde_json::from_str(black_box(&text)).unwrap();
            black_box(page)
        })
    });
    group.bench_function(BenchmarkId::from_parameter("hand_written"), |b| {
        b.iter(|| {
            let page: Page<HandWritten> = serde_json::from_str(black_box(&text)).unwrap();
            black_box(page)
        })
    });
    group.bench_function(BenchmarkId::from_parameter("value"), |b| {
        b.iter(|| {
            let page: Page<serde_json::Value> = serde_json::from_str(black_box(&text)).unwrap();
            black_box(page)
        })
    });
    group.finish();
}

/// The three contenders run in turn, many rounds, and the median of each is compared: on a
/// shared, busy machine this is steadier than criterion's one-after-the-other sampling.
fn interleaved(text: &str) {
    use std::time::{Duration, Instant};
    fn time(f: impl Fn()) -> Duration {
        let start = Instant::now();
        f();
        start.elapsed()
    }
    let (mut g, mut h, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..300 {
        // The order rotates every round: a contender that always ran right after the
        // `Value` decoder (which leaves the most fragmented heap) would pay for it.
        for turn in 0..3 {
            match (round + turn) % 3 {
                0 => g.push(time(|| {
                    let p: Page<UnifiedRoleAssignmentScheduleInstance> =
                        serde_json::from_str(black_box(text)).unwrap();
                    black_box(p);
                })),
                1 => h.push(time(|| {
                    let p: Page<HandWritten> = serde_json::from_str(black_box(text)).unwrap();
                    black_box(p);
                })),
                _ => v.push(time(|| {
                    let p: Page<serde_json::Value> = serde_json::from_str(black_box(text)).unwrap();
                    black_box(p);
                })),
            }
        }
    }
    let median = |d: &mut Vec<Duration>| {
        d.sort();
        d[d.len() / 2]
    };
    let (g, h, v) = (median(&mut g), median(&mut h), median(&mut v));
    eprintln!(
        "interleaved medians: generated {g:?}, hand-written {h:?}, Value {v:?}; \
         generated is {:.2}x the speed of hand-written and {:.2}x the speed of Value",
        h.as_secs_f64() / g.as_secs_f64(),
        v.as_secs_f64() / g.as_secs_f64()
    );
}

criterion_group!(benches, decode);

fn main() {
    // `PIM_BENCH_FIXED=generated|hand_written|value:N` decodes the page N times with one
    // contender and exits: run it under `valgrind --tool=callgrind` at two values of N for
    // per-page instruction counts that a busy machine cannot disturb.
    if let Some(spec) = std::env::var_os("PIM_BENCH_FIXED") {
        let spec = spec.to_string_lossy().into_owned();
        let (variant, n) = spec.split_once(':').unwrap_or((spec.as_str(), "100"));
        let n: usize = n.parse().unwrap_or(100);
        let text = page(1000);
        for _ in 0..n {
            match variant {
                "hand_written" => {
                    black_box(serde_json::from_str::<Page<HandWritten>>(black_box(&text)).unwrap());
                }
                "value" => {
                    black_box(
                        serde_json::from_str::<Page<serde_json::Value>>(black_box(&text)).unwrap(),
                    );
                }
                _ => {
                    black_box(
                        serde_json::from_str::<Page<UnifiedRoleAssignmentScheduleInstance>>(
                            black_box(&text),
                        )
                        .unwrap(),
                    );
                }
            }
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
