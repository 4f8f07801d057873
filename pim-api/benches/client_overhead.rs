//! Per-request overhead of the runtime versus raw reqwest.
//!
//! Both sides perform the same GET of one small JSON entity against a minimal keep-alive
//! HTTP/1.1 server on loopback (written here on a tokio `TcpListener`, running on its own
//! thread) and decode it into the same struct. The difference is what the runtime adds:
//! path encoding, URL assembly, client-request-id, token provider call, tracing span,
//! retry bookkeeping and bounded body reading.
//!
//! Besides criterion's per-variant timings, the bench runs an interleaved A/B measurement
//! (alternating batches so drift hits both sides equally) and prints the client/raw
//! ratio; the target is <= 1.10.
//!
//! Run: `cargo bench -p pim-api --bench client_overhead -- --measurement-time 3`
//!
//! On a busy machine wall-clock and even CPU-time ratios swing by +-10% between runs.
//! For a load-independent figure, count instructions: `PIM_BENCH_FIXED=raw:3000` (or
//! `client:3000`) runs exactly that many requests of one variant and exits, so
//! `valgrind --tool=callgrind --separate-threads=yes` at two request counts gives
//! per-request instructions of the client thread by difference.

use std::{
    hint::black_box,
    net::SocketAddr,
    time::{Duration, Instant},
};

use criterion::{Criterion, criterion_group};
use pim_api::runtime::{Client, GetRequest, ODataPath, RetryPolicy, StaticToken};
use serde::Deserialize;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    runtime::Runtime,
};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.bench.token";
const ID: &str = "lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1-e";

const BODY: &str = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#roleManagement/directory/roleAssignments/$entity","id":"lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1-e","principalId":"4ab3b2b0-9b46-4cb4-8b1a-6f8d1f6b2e11","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/","appScopeId":null,"condition":null}"#;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct RoleAssignment {
    id: String,
    #[serde(rename = "principalId")]
    principal_id: String,
    #[serde(rename = "roleDefinitionId")]
    role_definition_id: String,
    #[serde(rename = "directoryScopeId")]
    directory_scope_id: Option<String>,
}

/// Starts the loopback server on its own thread and returns its address.
fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr"))
                .expect("send addr");
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream));
            }
        });
    });
    rx.recv().expect("server address")
}

/// Answers every request head on the connection with the fixed response (GETs only,
/// so there is never a request body to skip).
async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nrequest-id: 7f1d3c52-5c1a-4a51-9a0e-3b1b2f0c9d11\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes();
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            if stream.write_all(&response).await.is_err() {
                return;
            }
            let consumed = end + 4;
            buf.copy_within(consumed..filled, 0);
            filled -= consumed;
            continue;
        }
        if filled == buf.len() {
            return;
        }
        match stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
    }
}

struct Setup {
    rt: Runtime,
    client: Client,
    /// reqwest with default settings (no timeouts).
    raw: reqwest::Client,
    /// reqwest configured like the runtime configures it (timeouts, no redirects), to
    /// separate reqwest's own timeout cost from the runtime's.
    raw_same_config: reqwest::Client,
    raw_url: String,
}

fn setup() -> Setup {
    let addr = start_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let client = Client::builder()
        .base_url(format!("http://{addr}/beta"))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new(TOKEN))
        .retry_policy(RetryPolicy::new())
        .build()
        .expect("client");
    let raw = reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("raw client");
    let raw_same_config = reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(100))
        .build()
        .expect("raw client");
    let raw_url = format!("http://{addr}/beta/roleManagement/directory/roleAssignments/{ID}");
    Setup {
        rt,
        client,
        raw,
        raw_same_config,
        raw_url,
    }
}

async fn via_client(client: &Client) -> RoleAssignment {
    // Exactly what a generated `get_role_assignment(id)` would build.
    let path = ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment("roleAssignments")
        .key(ID);
    GetRequest::<RoleAssignment>::new(client, path)
        .operation("getRoleAssignment")
        .await
        .expect("client request")
}

async fn via_raw(raw: &reqwest::Client, url: &str) -> RoleAssignment {
    let resp = raw
        .get(url)
        .bearer_auth(TOKEN)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .expect("raw request");
    let bytes = resp.bytes().await.expect("raw body");
    serde_json::from_slice(&bytes).expect("raw decode")
}

fn bench(c: &mut Criterion) {
    let s = setup();
    // Warm both connection pools.
    s.rt.block_on(async {
        via_client(&s.client).await;
        via_raw(&s.raw, &s.raw_url).await;
    });

    let mut group = c.benchmark_group("get_entity_loopback");
    group.bench_function("raw_reqwest", |b| {
        b.iter_custom(|iters| {
            s.rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(via_raw(&s.raw, &s.raw_url).await);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("pim_api_client", |b| {
        b.iter_custom(|iters| {
            s.rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(via_client(&s.client).await);
                }
                start.elapsed()
            })
        })
    });
    group.finish();

    // Skippable so a profiler can look at one variant in isolation.
    if std::env::var_os("PIM_BENCH_SKIP_INTERLEAVED").is_none() {
        interleaved_ratio(&s);
    }
}

/// On-CPU time of the calling thread in nanoseconds (Linux `schedstat`), or `None`.
///
/// The client runtime is single-threaded and runs on this thread (including hyper's
/// connection task), while the server has its own thread, so this is exactly the
/// client-side CPU cost, unaffected by time spent waiting for a core on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Samples {
    fn median(v: &mut [Duration]) -> Duration {
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }
}

/// Runs one batch of `n` requests with `f`, recording per-request wall and CPU time.
async fn batch<F, Fut>(samples: &mut Samples, n: u32, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = RoleAssignment>,
{
    let cpu0 = thread_cpu_ns();
    let t = Instant::now();
    for _ in 0..n {
        black_box(f().await);
    }
    samples.wall.push(t.elapsed() / n);
    if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
        samples
            .cpu
            .push(Duration::from_nanos(b.saturating_sub(a)) / n);
    }
}

/// Alternating batches of each variant (order rotated every round so position effects
/// cancel out); prints per-request medians and the client/raw ratios.
fn interleaved_ratio(s: &Setup) {
    const ROUNDS: usize = 60;
    const BATCH: u32 = 400;
    let mut raw = Samples::default();
    let mut raw_cfg = Samples::default();
    let mut ours = Samples::default();
    s.rt.block_on(async {
        for round in 0..ROUNDS {
            for slot in 0..3 {
                match (round + slot) % 3 {
                    0 => batch(&mut raw, BATCH, || via_raw(&s.raw, &s.raw_url)).await,
                    1 => batch(&mut ours, BATCH, || via_client(&s.client)).await,
                    _ => {
                        batch(&mut raw_cfg, BATCH, || {
                            via_raw(&s.raw_same_config, &s.raw_url)
                        })
                        .await
                    }
                }
            }
        }
    });
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let verdict = |r: f64| if r <= 1.10 { "met" } else { "NOT met" };
    println!();
    println!("interleaved, {ROUNDS} rounds x {BATCH} GETs per variant, median per request:");
    for (label, pick) in [("wall-clock", 0), ("client-thread CPU", 1)] {
        let m = |x: &mut Samples| Samples::median(if pick == 0 { &mut x.wall } else { &mut x.cpu });
        let (r, c, o) = (m(&mut raw), m(&mut raw_cfg), m(&mut ours));
        if r.is_zero() || c.is_zero() {
            continue;
        }
        let ratio = o.as_secs_f64() / r.as_secs_f64();
        let ratio_cfg = o.as_secs_f64() / c.as_secs_f64();
        println!("  [{label}]");
        println!("    raw reqwest (defaults)           : {:>8.2} us", us(r));
        println!("    raw reqwest (runtime's timeouts) : {:>8.2} us", us(c));
        println!("    pim-api client                   : {:>8.2} us", us(o));
        println!(
            "    ratio client/raw(defaults)       = {ratio:.3} (target <= 1.10: {})",
            verdict(ratio)
        );
        println!(
            "    ratio client/raw(same timeouts)  = {ratio_cfg:.3} (target <= 1.10: {})",
            verdict(ratio_cfg)
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = bench
}

fn main() {
    // `PIM_BENCH_FIXED=raw|client:N` runs exactly N requests of one variant and exits,
    // for `perf stat` comparisons (instructions, syscalls per request).
    if let Some(spec) = std::env::var_os("PIM_BENCH_FIXED") {
        let spec = spec.to_string_lossy().into_owned();
        let (variant, n) = spec.split_once(':').unwrap_or((spec.as_str(), "10000"));
        let n: u32 = n.parse().unwrap_or(10_000);
        let s = setup();
        s.rt.block_on(async {
            for _ in 0..n {
                match variant {
                    "raw" => black_box(via_raw(&s.raw, &s.raw_url).await),
                    _ => black_box(via_client(&s.client).await),
                };
            }
        });
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
