//! Regression guard for constant-memory paging: walking many pages with `ItemStream`
//! must not use more heap than walking two. Heap use of the client thread is measured
//! with a counting global allocator; the loopback server runs on another thread and is
//! not counted. (The criterion bench `paging_memory` reports the same figures for
//! 200 pages in release mode.)

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    net::SocketAddr,
    sync::atomic::{AtomicIsize, Ordering},
};

use futures::StreamExt;
use pim_api::runtime::{Client, ListRequest, ODataPath, StaticToken};
use serde::Deserialize;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

struct Counting;

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}

fn add(delta: isize) {
    if TRACKED.try_with(Cell::get).unwrap_or(false) {
        let now = CURRENT.fetch_add(delta, Ordering::Relaxed) + delta;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: defers to `System`, only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn page(addr: SocketAddr, pages: usize, n: usize) -> String {
    let mut body = String::from(r#"{"value":["#);
    for i in 0..100 {
        if i > 0 {
            body.push(',');
        }
        // Fixed-width ids keep every page the same size.
        body.push_str(&format!(
            r#"{{"id":"assignment-{:08}","principalId":"4ab3b2b0-9b46-4cb4-8b1a-6f8d1f6b2e11","directoryScopeId":"/"}}"#,
            n * 100 + i
        ));
    }
    body.push(']');
    if n + 1 < pages {
        body.push_str(&format!(
            r#","@odata.nextLink":"http://{addr}/beta/items?pages={pages}&$skiptoken={}""#,
            n + 1
        ));
    }
    body.push('}');
    body
}

async fn serve(mut s: TcpStream, addr: SocketAddr) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let (mut pages, mut n) = (1, 0);
            for pair in query.split('&') {
                match pair.split_once('=') {
                    Some(("pages", v)) => pages = v.parse().unwrap_or(1),
                    Some(("$skiptoken", v)) => n = v.parse().unwrap_or(0),
                    _ => {}
                }
            }
            let body = page(addr, pages, n);
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if s.write_all(resp.as_bytes()).await.is_err() {
                return;
            }
            buf.copy_within(end + 4..filled, 0);
            filled -= end + 4;
            continue;
        }
        match s.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
    }
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Item {
    id: String,
    #[serde(rename = "principalId")]
    principal_id: String,
}

#[test]
fn item_stream_memory_does_not_grow_with_page_count() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(addr).unwrap();
            while let Ok((s, _)) = listener.accept().await {
                tokio::spawn(serve(s, addr));
            }
        });
    });
    let addr = rx.recv().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(format!("http://{addr}/beta"))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("t"))
        .build()
        .unwrap();
    TRACKED.with(|t| t.set(true));

    let walk = |pages: usize| {
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let seen = rt.block_on(async {
            let mut stream = ListRequest::<Item>::new(&client, ODataPath::new().segment("items"))
                .query_param("pages", pages.to_string())
                .into_stream();
            let mut seen = 0;
            while let Some(item) = stream.next().await {
                item.unwrap();
                seen += 1;
            }
            seen
        });
        assert_eq!(seen, pages * 100);
        PEAK.load(Ordering::Relaxed) - base
    };

    // Warm-up over the same data so pooled connection buffers reach their steady size.
    walk(60);
    let two = (0..3).map(|_| walk(2)).max().unwrap();
    let many = (0..2).map(|_| walk(60)).max().unwrap();
    TRACKED.with(|t| t.set(false));
    eprintln!("peak heap growth of the client thread: 2 pages {two} B, 60 pages {many} B");
    assert!(two > 0);
    assert!(
        (many as f64) <= (two as f64) * 1.10,
        "peak heap growth: 2 pages {two} bytes, 60 pages {many} bytes"
    );
}
