//! What a hostile server can no longer do to the client (each test would have caught the
//! gap it closes): loop `@odata.nextLink` forever, get the token into error output or
//! logs, hold a call past the retry budget, have a POST it may have processed sent again,
//! or have a POST's body replayed to another origin by a redirect.

mod runtime_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use pim_api::runtime::{
    ActionRequest, Client, CreateRequest, ErrorKind, GetRequest, ListRequest, ODataPath,
    RetryPolicy, StaticToken,
};
use runtime_support::{ManualClock, builder, client, raw_server, read_head};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use wiremock::matchers::{any, method, path as path_is, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn items() -> ODataPath {
    ODataPath::new().segment("items")
}

#[tokio::test]
async fn a_next_link_loop_stops_after_yielding_every_item() {
    let graph = MockServer::start().await;
    let first = format!("{}/beta/items", graph.uri());
    Mock::given(path_is("/beta/items"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [3], "@odata.nextLink": first})),
        )
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/items"))
        .and(query_param_is_missing("page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [1, 2], "@odata.nextLink": format!("{}/beta/items?page=2", graph.uri())
        })))
        .mount(&graph)
        .await;
    let client = client(&graph.uri());
    let mut stream = ListRequest::<u32>::new(&client, items()).into_stream();
    let mut got = Vec::new();
    // Before the loop check this never ended: fail instead of hanging.
    let err = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.next().await.expect("ends with an error") {
                Ok(v) => got.push(v),
                Err(e) => break e,
            }
        }
    })
    .await
    .expect("the stream ends");
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(err.kind(), ErrorKind::Paging);
    assert!(
        err.to_string()
            .contains("leads back to a page already fetched"),
        "{err}"
    );
    assert_eq!(stream.next_link(), Some(first.as_str()), "where it stopped");
    assert!(stream.next().await.is_none());
    assert_eq!(graph.received_requests().await.unwrap().len(), 2);
    // collect_all returns (it used to run forever); collect_partial keeps the items.
    let err = ListRequest::<u32>::new(&client, items())
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Paging);
    let (items_seen, err) = ListRequest::<u32>::new(&client, items())
        .collect_partial()
        .await;
    assert_eq!(items_seen, [1, 2, 3]);
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Paging));

    // A page linking to itself.
    let server = MockServer::start().await;
    let me = format!("{}/beta/items", server.uri());
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [7], "@odata.nextLink": me})),
        )
        .mount(&server)
        .await;
    let (seen, err) = ListRequest::<u32>::new(&client_for(&server), items())
        .collect_partial()
        .await;
    assert_eq!(seen, [7]);
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Paging));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

fn client_for(server: &MockServer) -> Client {
    client(&server.uri())
}

#[tokio::test]
async fn max_pages_bounds_an_endless_collection_and_resumes() {
    let server = MockServer::start().await;
    let base = format!("{}/beta/items", server.uri());
    let responder = move |req: &Request| {
        let page: u32 = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        ResponseTemplate::new(200).set_body_json(json!({
            "value": [page],
            "@odata.nextLink": format!("{base}?page={}", page + 1),
        }))
    };
    Mock::given(any())
        .respond_with(responder)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let mut pages = ListRequest::<u32>::new(&client, items())
        .max_pages(3)
        .into_pages();
    let mut got = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => got.extend(p.value),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Paging);
                assert!(e.to_string().contains("stopped after 3 pages"), "{e}");
                break;
            }
        }
    }
    assert_eq!(got, [1, 2, 3]);
    let next = pages.next_link().expect("where to resume").to_owned();
    assert!(next.ends_with("page=4"), "{next}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let mut resumed = client.resume::<u32>(&next).unwrap().max_pages(1);
    assert_eq!(resumed.next().await.unwrap().unwrap().value, [4]);
    assert_eq!(
        resumed.next().await.unwrap().unwrap_err().kind(),
        ErrorKind::Paging
    );
}

/// A three-character token: short tokens used to escape redaction.
const SHORT: &str = "k9x";

fn short_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new(SHORT))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn assert_clean(err: &pim_api::runtime::Error, what: &str) {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        texts.push(s.to_string());
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    if let Some(g) = err.graph_error() {
        texts.push(format!("{g:?}"));
    }
    if let Some(h) = err.headers() {
        texts.push(format!(
            "{:?}",
            h.values()
                .map(|v| v.to_str().unwrap_or(""))
                .collect::<Vec<_>>()
        ));
    }
    texts.extend(err.request_id().map(str::to_owned));
    texts.extend(err.client_request_id().map(str::to_owned));
    for t in &texts {
        assert!(!t.contains(SHORT), "{what}: the token is in {t}");
    }
}

#[tokio::test]
async fn the_token_is_scrubbed_from_every_error_string_whatever_its_length() {
    let server = MockServer::start().await;
    Mock::given(path_is("/beta/echo"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("request-id", format!("rid-{SHORT}").as_str())
                .set_body_json(json!({"error": {
                    "code": format!("Bad{SHORT}"), "message": format!("you sent Bearer {SHORT}"),
                    "target": SHORT, "details": [{"code": SHORT, "message": SHORT, "target": SHORT}],
                    "innerError": {"request-id": SHORT, "client-request-id": SHORT, "date": SHORT,
                                   "extra": {"deep": [SHORT]}}
                }})),
        )
        .mount(&server)
        .await;
    Mock::given(path_is("/beta/decode"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(format!("token {SHORT}"))))
        .mount(&server)
        .await;
    Mock::given(path_is("/beta/text"))
        .respond_with(ResponseTemplate::new(502).set_body_string(format!("proxy saw {SHORT}")))
        .mount(&server)
        .await;
    let client = short_client(&server);
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("echo"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Bad<redacted>"));
    assert_clean(&err, "Graph error");
    assert!(
        String::from_utf8_lossy(err.body().unwrap()).contains(SHORT),
        "the raw body is kept"
    );

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        id: String,
    }
    let err = GetRequest::<Thing>::new(&client, ODataPath::new().segment("decode"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(
        err.attempts(),
        1,
        "a decode error happens after a request was sent"
    );
    assert_clean(&err, "decode error");
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("text"))
        .await
        .unwrap_err();
    assert_clean(&err, "non-JSON body");

    // The runtime's own tracing of the failure.
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || Capture(writer.clone()))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        let _ = GetRequest::<Value>::new(&client, ODataPath::new().segment("echo")).await;
        let _ = GetRequest::<Thing>::new(&client, ODataPath::new().segment("decode")).await;
    }
    let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("Graph request failed"), "{logs}");
    assert!(!logs.contains(SHORT), "{logs}");
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn attempts_are_counted_for_decode_errors_after_retries() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .mount(&server)
        .await;
    let client = builder(&server.uri(), ManualClock::new()).build().unwrap();
    let err = GetRequest::<Value>::new(&client, items())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.attempts(), 2);
    assert!(err.may_have_taken_effect());
}

/// A client with the default attempt timeout (100 s) and a 1.5 s total budget, on the
/// real clock.
fn budget_client(uri: &str) -> Client {
    Client::builder()
        .base_url(format!("{uri}/beta"))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("budget-token"))
        .retry_policy(RetryPolicy::new().max_elapsed(Duration::from_millis(1500)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_retry_budget_bounds_a_call_to_a_silent_or_trickling_server() {
    // Accepts, reads the request, never answers.
    let (silent, _) = raw_server(|mut stream| async move {
        let _ = read_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(600)).await;
        drop(stream);
    })
    .await;
    // Answers one byte of a promised kilobyte every 200 ms.
    let (trickle, _) = raw_server(|mut stream| async move {
        let _ = read_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
            .await;
        for _ in 0..3000 {
            if stream.write_all(b" ").await.is_err() {
                return;
            }
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    for (name, uri) in [("silent", &silent), ("trickling", &trickle)] {
        let client = budget_client(uri);
        for post in [false, true] {
            let started = Instant::now();
            let err = if post {
                ActionRequest::<()>::new(&client, items())
                    .await
                    .unwrap_err()
            } else {
                GetRequest::<Value>::new(&client, items())
                    .await
                    .unwrap_err()
            };
            let took = started.elapsed();
            assert_eq!(err.kind(), ErrorKind::Timeout, "{name}: {err}");
            assert!(err.to_string().contains("total budget"), "{name}: {err}");
            assert!(
                took >= Duration::from_millis(1400) && took < Duration::from_millis(3000),
                "{name} (post {post}): the call took {took:?}, the budget is 1.5 s"
            );
            assert!(err.may_have_taken_effect(), "{name}: the request was sent");
        }
    }
}

#[tokio::test]
async fn a_redirect_does_not_replay_a_post_to_another_origin() {
    let graph = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "elsewhere"})))
        .mount(&other)
        .await;
    for (status, path) in [(307u16, "/beta/t307"), (308, "/beta/t308")] {
        Mock::given(path_is(path))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Location", format!("{}/take", other.uri()).as_str()),
            )
            .mount(&graph)
            .await;
    }
    Mock::given(method("POST"))
        .and(path_is("/beta/local"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/beta/landing"))
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/landing"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "here"})))
        .mount(&graph)
        .await;
    let client = client(&graph.uri());
    let body = json!({"action": "selfActivate", "justification": "secret plans"});
    for segment in ["t307", "t308"] {
        let err = CreateRequest::<Value>::new(&client, ODataPath::new().segment(segment), &body)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UntrustedUrl, "{segment}: {err}");
        assert!(
            err.to_string().contains("refusing to replay a POST"),
            "{err}"
        );
    }
    assert!(
        other.received_requests().await.unwrap().is_empty(),
        "the body went elsewhere"
    );
    // Within the Graph origin the redirect is followed, body and all.
    let v: Value = CreateRequest::new(&client, ODataPath::new().segment("local"), &body)
        .await
        .unwrap();
    assert_eq!(v["id"], "here");
    let landing = graph
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/beta/landing")
        .unwrap();
    assert_eq!(landing.method.as_str(), "POST");
    assert_eq!(
        serde_json::from_slice::<Value>(&landing.body).unwrap(),
        body
    );
    // A GET may still go elsewhere (without the token; runtime_security.rs).
    let v: Value = GetRequest::new(&client, ODataPath::new().segment("t307"))
        .await
        .unwrap();
    assert_eq!(v["id"], "elsewhere");
}

#[tokio::test]
async fn may_have_taken_effect_tells_refusals_from_ambiguous_failures() {
    let cases: [(ResponseTemplate, bool); 6] = [
        (ResponseTemplate::new(503), true),
        (
            ResponseTemplate::new(503).insert_header("Retry-After", "1"),
            false,
        ),
        (
            ResponseTemplate::new(429).insert_header("Retry-After", "1"),
            false,
        ),
        (ResponseTemplate::new(504), true),
        (ResponseTemplate::new(500), true),
        (ResponseTemplate::new(400), false),
    ];
    for (template, ambiguous) in cases {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(template)
            .mount(&server)
            .await;
        let client = builder(&server.uri(), ManualClock::new())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = ActionRequest::<()>::new(&client, items())
            .await
            .unwrap_err();
        assert_eq!(err.may_have_taken_effect(), ambiguous, "{err}");
    }
    // Nothing reached a closed port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = builder(&uri, ManualClock::new())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = ActionRequest::<()>::new(&client, items())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.may_have_taken_effect(), "{err}");
}
