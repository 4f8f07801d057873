//! Shared helpers for the `runtime_*` integration tests: a virtual clock, client
//! presets for loopback mock servers, and a raw TCP server for broken-HTTP cases.
#![allow(dead_code)]

use std::{
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use pim_api::runtime::{Client, ClientBuilder, Clock, RetryPolicy, StaticToken};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// The bearer token every test client uses; tests grep logs and Debug output for it.
pub const TOKEN: &str = "tok-SECRET-5f1c9a7e-never-print-me";

/// A clock whose sleeps return immediately but advance virtual time, recording each
/// requested delay. Wall time starts at a fixed instant so HTTP-date tests are exact.
#[derive(Debug)]
pub struct ManualClock {
    wall_start: SystemTime,
    mono_start: Instant,
    offset: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl ManualClock {
    pub fn new() -> Arc<Self> {
        Arc::new(ManualClock {
            // 2030-01-01T00:00:00Z, whole seconds so HTTP dates round-trip exactly.
            wall_start: SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000),
            mono_start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
            sleeps: Mutex::new(Vec::new()),
        })
    }

    pub fn advance(&self, d: Duration) {
        *self.offset.lock().unwrap() += d;
    }

    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.wall_start + *self.offset.lock().unwrap()
    }

    fn instant(&self) -> Instant {
        self.mono_start + *self.offset.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.sleeps.lock().unwrap().push(duration);
        self.advance(duration);
        Box::pin(std::future::ready(()))
    }
}

/// A builder for a client against `server_uri` + `/beta`, with loopback http allowed,
/// the static test token, a deterministic retry policy and the given virtual clock.
pub fn builder(server_uri: &str, clock: Arc<ManualClock>) -> ClientBuilder {
    Client::builder()
        .base_url(format!("{server_uri}/beta"))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new(TOKEN))
        .retry_policy(RetryPolicy::new().jitter(false))
        .timeout(Duration::from_secs(5))
        .clock(clock)
}

/// `builder(..).build()` with a fresh virtual clock.
pub fn client(server_uri: &str) -> Client {
    builder(server_uri, ManualClock::new())
        .build()
        .expect("client builds")
}

/// A raw TCP server on 127.0.0.1 running `handler` for every accepted connection.
/// Returns its base URI and a counter of accepted connections.
pub async fn raw_server<F, Fut>(handler: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handler(stream));
        }
    });
    (format!("http://{addr}"), count)
}

/// Reads one request head (up to the blank line) and returns it as text.
pub async fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&byte[..n]),
        }
        if buf.len() > 64 * 1024 {
            break;
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes `bytes` and closes the connection.
pub async fn write_and_close(mut stream: TcpStream, bytes: &[u8]) {
    let _ = stream.write_all(bytes).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

/// The value of header `name` in the request, if any (case-insensitive name).
pub fn header<'a>(req: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}
