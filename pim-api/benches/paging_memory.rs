//! Paging memory: walking 200 pages x 100 items must peak at no more than 1.1x the
//! memory of walking 2 pages, i.e. `ItemStream` holds one page at a time.
//!
//! A counting global allocator tracks current and peak heap bytes for the whole
//! process. Each walk resets the peak to the current level first and reports
//! `peak - baseline`. The loopback server (its own thread, a minimal HTTP/1.1 loop on a
//! tokio `TcpListener`) renders each page on demand, so its footprint is per page too.
//!
//! After the memory report, criterion times a 20-page walk for throughput.
//!
//! Run: `cargo bench -p pim-api --bench paging_memory -- --measurement-time 3`

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    hint::black_box,
    net::SocketAddr,
    sync::atomic::{AtomicIsize, Ordering},
    time::Duration,
};

use criterion::Criterion;
use futures::StreamExt;
use pim_api::runtime::{Client, ListRequest, ODataPath, StaticToken};
use serde::Deserialize;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    runtime::Runtime,
};

// ---- counting allocator -------------------------------------------------------------------

/// Counts heap bytes twice: for the whole process, and for allocations made on threads
/// that opted in with [`track_this_thread`] (the client thread). The client runtime is
/// single-threaded, so the client side (our pager, reqwest, hyper's connection task) does
/// all its work on that thread, while the server fixture runs on its own thread.
///
/// The client-side figure is the metric: the process-wide peak also contains the
/// server's transient per-response buffers, and whether those happen to overlap the
/// client's decode of a page is a race — a 200-page walk simply has 100x more chances to
/// hit the unlucky overlap than a 2-page walk, which says nothing about the pager.
struct Counting;

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static CLIENT_CURRENT: AtomicIsize = AtomicIsize::new(0);
static CLIENT_PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    // `const` initialisation: no lazy allocation inside the allocator.
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}

fn track_this_thread() {
    TRACKED.with(|t| t.set(true));
}

fn tracked() -> bool {
    TRACKED.try_with(Cell::get).unwrap_or(false)
}

fn add(delta: isize) {
    let now = CURRENT.fetch_add(delta, Ordering::Relaxed) + delta;
    PEAK.fetch_max(now, Ordering::Relaxed);
    if tracked() {
        let now = CLIENT_CURRENT.fetch_add(delta, Ordering::Relaxed) + delta;
        CLIENT_PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

// SAFETY: defers every allocation to `System` and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(signed(layout.size()));
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(signed(layout.size()));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        add(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr`/`layout` come from a previous allocation by `System`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(signed(new_size) - signed(layout.size()));
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

// ---- loopback page server -----------------------------------------------------------------

const ITEMS_PER_PAGE: usize = 100;

/// Renders page `n` of a `pages`-page collection, with a nextLink unless it is the last.
fn page_body(addr: SocketAddr, pages: usize, n: usize) -> String {
    let mut body = String::with_capacity(32 * 1024);
    body.push_str(r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#roleManagement/directory/roleAssignments","value":["#);
    for i in 0..ITEMS_PER_PAGE {
        if i > 0 {
            body.push(',');
        }
        let id = n * ITEMS_PER_PAGE + i;
        body.push_str(&format!(
            r#"{{"id":"lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-{id}-e","principalId":"4ab3b2b0-9b46-4cb4-8b1a-{id:012}","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/","appScopeId":null,"condition":null}}"#
        ));
    }
    body.push(']');
    if n + 1 < pages {
        body.push_str(&format!(
            r#","@odata.nextLink":"http://{addr}/beta/roleManagement/directory/roleAssignments?pages={pages}&$skiptoken={}""#,
            n + 1
        ));
    }
    body.push('}');
    body
}

/// `pages=N` and `$skiptoken=K` from the request line.
fn parse_target(head: &str) -> (usize, usize) {
    let target = head.split_whitespace().nth(1).unwrap_or("");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut pages = 1;
    let mut page = 0;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("pages", v)) => pages = v.parse().unwrap_or(1),
            Some(("$skiptoken", v)) => page = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    (pages, page)
}

fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            tx.send(addr).expect("send addr");
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, addr));
            }
        });
    });
    rx.recv().expect("server address")
}

async fn serve(mut stream: TcpStream, addr: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            let (pages, page) = parse_target(&String::from_utf8_lossy(&buf[..end]));
            let body = page_body(addr, pages, page);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(response.as_bytes()).await.is_err() {
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

// ---- the walk -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct RoleAssignment {
    id: String,
    #[serde(rename = "principalId")]
    principal_id: String,
    #[serde(rename = "roleDefinitionId")]
    role_definition_id: String,
}

fn setup() -> (Runtime, Client) {
    let addr = start_server();
    track_this_thread();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let client = Client::builder()
        .base_url(format!("http://{addr}/beta"))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("bench-token"))
        .build()
        .expect("client");
    (rt, client)
}

/// Streams every item of a `pages`-page collection, touching each one. Returns the
/// number of items seen.
async fn walk(client: &Client, pages: usize) -> usize {
    let path = ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment("roleAssignments");
    let mut stream = ListRequest::<RoleAssignment>::new(client, path)
        .query_param("pages", pages.to_string())
        .into_stream();
    let mut seen = 0;
    let mut checksum = 0usize;
    while let Some(item) = stream.next().await {
        let item = item.expect("page");
        checksum = checksum
            .wrapping_add(item.id.len() + item.principal_id.len() + item.role_definition_id.len());
        seen += 1;
    }
    black_box(checksum);
    seen
}

/// Peak heap growth (bytes above the starting level) during one walk:
/// `(client thread, whole process)`.
fn measure(rt: &Runtime, client: &Client, pages: usize) -> (usize, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    let client_base = CLIENT_CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    CLIENT_PEAK.store(client_base, Ordering::Relaxed);
    let seen = rt.block_on(walk(client, pages));
    assert_eq!(seen, pages * ITEMS_PER_PAGE);
    let growth = |peak: isize, base: isize| usize::try_from(peak - base).unwrap_or(0);
    (
        growth(CLIENT_PEAK.load(Ordering::Relaxed), client_base),
        growth(PEAK.load(Ordering::Relaxed), base),
    )
}

fn memory_report(rt: &Runtime, client: &Client) {
    // Warm-up over the same data as the measured walks (including the largest pages),
    // so connection-level buffers that are kept between requests (hyper's read buffer,
    // the pool) have reached their steady size and are part of the baseline.
    measure(rt, client, 2);
    measure(rt, client, 200);
    // Worst of several runs each, so a one-off spike on either side counts.
    let worst = |pages: usize, runs: usize| {
        (0..runs)
            .map(|_| measure(rt, client, pages))
            .fold((0, 0), |(c, p), (c2, p2)| (c.max(c2), p.max(p2)))
    };
    let (small, small_process) = worst(2, 5);
    let (large, large_process) = worst(200, 3);
    let kib = |b: usize| b as f64 / 1024.0;
    let ratio = large as f64 / small as f64;
    println!("paging peak heap growth, worst of several runs ({ITEMS_PER_PAGE} items per page):");
    println!("  client thread (pager + reqwest + hyper):");
    println!("    2 pages  : {small:>9} bytes ({:.1} KiB)", kib(small));
    println!("    200 pages: {large:>9} bytes ({:.1} KiB)", kib(large));
    println!(
        "    ratio 200/2 = {ratio:.3} (target <= 1.10: {})",
        if ratio <= 1.10 { "met" } else { "NOT met" }
    );
    println!(
        "  whole process, incl. the server fixture's per-response buffers (racy, informational):"
    );
    println!(
        "    2 pages  : {small_process:>9} bytes ({:.1} KiB)",
        kib(small_process)
    );
    println!(
        "    200 pages: {large_process:>9} bytes ({:.1} KiB)",
        kib(large_process)
    );
    println!();
}

fn main() {
    let (rt, client) = setup();
    if std::env::var_os("PIM_BENCH_SERIES").is_some() {
        // Peak growth for a range of walk lengths, to see the curve rather than 2 points.
        measure(&rt, &client, 2);
        for pages in [1, 2, 3, 5, 10, 20, 50, 100, 200, 2, 200] {
            let (c, p) = measure(&rt, &client, pages);
            println!("{pages:>4} pages: client {c:>7} bytes, process {p:>7} bytes");
        }
        return;
    }
    memory_report(&rt, &client);

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    c.bench_function("paging/stream_20_pages_x_100_items", |b| {
        b.iter(|| rt.block_on(walk(&client, 20)))
    });
    c.final_summary();
}
