//! The token never appears in tracing logs, at any level, across retries, refused nextLinks,
//! redirects and echoed error bodies.
//!
//! This test has a binary of its own: it installs a thread-local subscriber, and tests running
//! concurrently on other threads without one would make tracing cache "not interested" for
//! the callsites first hit there, so spans would go missing from the capture.

mod runtime_support;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use futures::StreamExt;
use pim_api::runtime::{GetRequest, ListRequest, ODataPath, RetryPolicy};
use runtime_support::{ManualClock, TOKEN, builder};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{any, method, path as path_is, query_param},
};

fn items() -> ODataPath {
    ODataPath::new().segment("items")
}

/// A `MakeWriter` collecting everything into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn token_is_absent_from_tracing_output() {
    let graph = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&other)
        .await;
    Mock::given(path_is("/beta/items"))
        .and(query_param("$top", "1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("request-id", "rid-1")
                .set_body_json(json!({
                    "value": [1],
                    "@odata.nextLink": format!("{}/beta/items?page=2", other.uri()),
                })),
        )
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path_is("/beta/redirect"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/r", other.uri()).as_str()),
        )
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/denied"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(format!("echo: Bearer {TOKEN}? no.")),
        )
        .mount(&graph)
        .await;

    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = builder(&graph.uri(), ManualClock::new())
        .retry_policy(RetryPolicy::new().jitter(false))
        .build()
        .unwrap();
    let mut stream = ListRequest::<u32>::new(&client, items())
        .top(1)
        .operation("listItems")
        .into_stream();
    while let Some(item) = stream.next().await {
        if item.is_err() {
            break;
        }
    }
    let _ = GetRequest::<Value>::new(&client, ODataPath::new().segment("redirect")).await;
    let _ = GetRequest::<Value>::new(&client, ODataPath::new().segment("denied")).await;
    drop(_guard);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("graph.request"), "{logs}");
    assert!(logs.contains("/items"), "template recorded: {logs}");
    assert!(logs.contains("listItems"));
    assert!(logs.contains("retrying"));
    assert!(logs.contains("rid-1"), "request-id recorded");
    assert!(logs.contains("refusing @odata.nextLink"));
    assert!(
        !logs.contains("tok-SECRET"),
        "token leaked into logs:\n{logs}"
    );
}
