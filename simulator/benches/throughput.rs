//! Two figures for the local PIM service, each a ratio against a baseline measured in the
//! same run:
//!
//! 1. **Throughput on loopback**: the simulator answering a realistic PIM read
//!    (`filterByCurrentUser` of a user's eligibility instances: authentication, the lazy
//!    clock tick, rendering through pim-api's models, OData paging) against a bare axum
//!    handler that returns the same JSON bytes. Servers and client (sequential keep-alive
//!    GETs with reqwest) share one thread, so the figure is the servers' work and not the
//!    machine's thread wake-ups. The bench prints the ratio of medians of interleaved
//!    batches (simulator / bare); criterion's groups give the per-request times.
//! 2. **The client under throttling**: 1,000 activations from 50 principals through
//!    pim-api's client, 10% of the attempts throttled with `Retry-After: 1`, against the
//!    ideal: the larger of the same 1,000 without faults and the longest `Retry-After` wait
//!    any one request was owed (from the simulator's log) — no client can beat either. A
//!    ratio near 1 means the client waits what the service asks and no longer.
//!
//! Run: `cargo bench -p pim-sim --bench throughput`

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use futures::future::join_all;
use pim_api::models::UnifiedRoleAssignmentScheduleRequest;
use pim_sim::{Fault, FaultProfile, Simulator, Tenant};

use tokio::runtime::Runtime;

const PATH: &str = "/beta/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')";

/// A bare axum server answering every request with `body`, on the current runtime.
async fn start_bare(body: Vec<u8>) -> SocketAddr {
    let body = bytes::Bytes::from(body);
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move {
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
                )],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn get(client: &reqwest::Client, url: &str) -> usize {
    let resp = client
        .get(url)
        .bearer_auth("sim-ben")
        .send()
        .await
        .expect("send");
    assert!(resp.status().is_success());
    resp.bytes().await.expect("body").len()
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn throughput(c: &mut Criterion) {
    // Servers and client share one thread: what is compared is the work each server does
    // per request, not how fast this machine wakes a thread (which on 2 busy cores varies
    // from 20 to 100 µs per round trip and would swamp the difference).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sim = rt
        .block_on(pim_sim::spawn(Tenant::default_tenant()))
        .expect("sim");
    let sim_url = format!("http://{}{PATH}", sim.addr());
    let client = reqwest::Client::new();
    let body = rt.block_on(async {
        client
            .get(&sim_url)
            .bearer_auth("sim-ben")
            .send()
            .await
            .expect("probe")
            .bytes()
            .await
            .expect("probe body")
            .to_vec()
    });
    let bare = rt.block_on(start_bare(body.clone()));
    let bare_url = format!("http://{bare}{PATH}");
    rt.block_on(async {
        assert_eq!(get(&client, &bare_url).await, body.len());
    });

    let mut group = c.benchmark_group("loopback_get");
    group.bench_function("simulator", |b| {
        b.to_async(&rt).iter(|| get(&client, &sim_url))
    });
    group.bench_function("bare_axum", |b| {
        b.to_async(&rt).iter(|| get(&client, &bare_url))
    });
    group.finish();

    // Interleaved batches, so drift hits both sides alike.
    const ROUNDS: usize = 40;
    const BATCH: u32 = 200;
    let (mut ours, mut baseline) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for round in 0..ROUNDS {
            for slot in 0..2 {
                let (url, out) = if (round + slot) % 2 == 0 {
                    (&sim_url, &mut ours)
                } else {
                    (&bare_url, &mut baseline)
                };
                let t = Instant::now();
                for _ in 0..BATCH {
                    get(&client, url).await;
                }
                out.push(t.elapsed() / BATCH);
            }
        }
    });
    let (s, b) = (median(&mut ours), median(&mut baseline));
    println!(
        "loopback GET ({} bytes): simulator {s:?}, bare axum {b:?} per request: ratio {:.2}",
        body.len(),
        s.as_secs_f64() / b.as_secs_f64()
    );
}

const PRINCIPALS: usize = 50;

fn one_hour() -> pim_api::models::RequestSchedule {
    let mut expiration = pim_api::models::ExpirationPattern::new();
    expiration.r#type = Some(pim_api::models::ExpirationPatternType::AfterDuration);
    expiration.duration = Some(pim_api::edm::Duration::from_raw("PT1H"));
    let mut schedule = pim_api::models::RequestSchedule::new();
    schedule.expiration = Some(expiration);
    schedule
}

/// 1,000 activations; returns the wall time and the longest `Retry-After` wait one request
/// was owed.
async fn thousand(faults: FaultProfile) -> (Duration, Duration) {
    let roles = Tenant::builtin_role_names();
    let sim = Simulator::builder(Tenant::crowd(PRINCIPALS, &roles))
        .faults(faults)
        .spawn()
        .await
        .expect("sim");
    let mut calls = Vec::new();
    for p in 0..PRINCIPALS {
        let name = format!("user{p:02}");
        let principal = sim.principal_id(&name).expect("principal");
        let client = sim.client(&format!("token-{name}")).expect("client");
        for role in &roles {
            let mut body = UnifiedRoleAssignmentScheduleRequest::new();
            body.action = Some("selfActivate".into());
            body.principal_id = Some(principal.clone());
            body.role_definition_id = sim.role_id(role);
            body.directory_scope_id = Some("/".into());
            body.justification = Some("bench".into());
            body.schedule_info = Some(one_hour());
            let client = client.clone();
            calls.push(async move {
                client
                    .role_management()
                    .directory()
                    .role_assignment_schedule_requests()
                    .create(&body)
                    .await
            });
        }
    }
    let t = Instant::now();
    let results = join_all(calls).await;
    let wall = t.elapsed();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        panic!("an activation failed: {e}");
    }
    let mut owed = std::collections::HashMap::<String, u32>::new();
    for e in sim.log() {
        if e.fault == Some(Fault::Throttle) {
            *owed
                .entry(e.client_request_id.unwrap_or_default())
                .or_default() += 1;
        }
    }
    let longest = owed.values().max().copied().unwrap_or(0);
    (wall, Duration::from_secs(u64::from(longest)))
}

fn throttled_client(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let throttled = FaultProfile {
        seed: 7,
        throttle: 0.10,
        retry_after_secs: 1,
        ..FaultProfile::default()
    };
    let mut group = c.benchmark_group("thousand_activations");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("throttled_10pct", |b| {
        b.to_async(&rt).iter(|| thousand(throttled.clone()))
    });
    group.finish();
    let mut ratios = Vec::new();
    for _ in 0..5 {
        let (clean, _) = rt.block_on(thousand(FaultProfile::default()));
        let (wall, owed) = rt.block_on(thousand(throttled.clone()));
        // No client can finish before the work itself is done, nor before the longest
        // wait the service asked one request for.
        let ideal = clean.max(owed);
        ratios.push(wall.as_secs_f64() / ideal.as_secs_f64());
        println!(
            "1000 activations: {wall:?} throttled; ideal {ideal:?} (the larger of {clean:?} without faults and {owed:?} owed): ratio {:.3}",
            wall.as_secs_f64() / ideal.as_secs_f64()
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("throttled client / ideal, median of 5: {:.3}", ratios[2]);
}

criterion_group!(benches, throughput, throttled_client);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
