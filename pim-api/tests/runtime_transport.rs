//! Broken and hostile responses: truncated bodies, dropped connections, timeouts,
//! garbage, oversized bodies, Graph and non-JSON error bodies, undecodable success
//! bodies. Every case must produce a typed error, never a panic.

mod runtime_support;

use std::time::{Duration, Instant};

use pim_api::runtime::{ErrorKind, GetRequest, ListRequest, ODataPath, RetryPolicy};
use runtime_support::{ManualClock, builder, client, raw_server, read_head, write_and_close};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

fn path() -> ODataPath {
    ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment("roleDefinitions")
}

fn no_retry(uri: &str) -> pim_api::runtime::Client {
    builder(uri, ManualClock::new())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn truncated_body_is_a_transport_error() {
    let (uri, conns) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        write_and_close(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"value\":[",
        )
        .await;
    })
    .await;
    let err = ListRequest::<Value>::new(&no_retry(&uri), path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 1);

    // GET is idempotent, so with retries enabled the truncated read is retried.
    let clock = ManualClock::new();
    let client = builder(&uri, clock.clone())
        .retry_policy(RetryPolicy::new().jitter(false).max_retries(2))
        .build()
        .unwrap();
    let err = ListRequest::<Value>::new(&client, path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn connection_dropped_mid_chunked_body() {
    let (uri, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        write_and_close(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"val\r\n",
        )
        .await;
    })
    .await;
    let err = ListRequest::<Value>::new(&no_retry(&uri), path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn garbage_instead_of_http() {
    let (uri, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        write_and_close(s, b"\x00\xffNOT HTTP AT ALL\r\n\r\n").await;
    })
    .await;
    let err = ListRequest::<Value>::new(&no_retry(&uri), path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
}

#[tokio::test]
async fn slow_server_hits_the_timeout() {
    // Never answers.
    let (uri, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(s);
    })
    .await;
    let client = builder(&uri, ManualClock::new())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));

    // Headers arrive, then the body trickles: the timeout covers the body too.
    let (uri, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{",
            )
            .await;
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let client = builder(&uri, ManualClock::new())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn graph_error_is_parsed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("request-id", "8d4b8e3c-rid")
                .set_body_json(json!({"error": {
                    "code": "Authorization_RequestDenied",
                    "message": "Insufficient privileges to complete the operation.",
                    "target": "roleAssignments",
                    "details": [{"code": "MissingPermission", "message": "RoleManagement.Read.Directory", "target": "scope"}],
                    "innerError": {"date": "2024-05-01T08:30:00", "request-id": "8d4b8e3c-rid", "client-request-id": "c1"}
                }})),
        )
        .mount(&server)
        .await;
    let err = GetRequest::<Value>::new(&client(&server.uri()), path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(err.code(), Some("Authorization_RequestDenied"));
    let g = err.graph_error().unwrap();
    assert_eq!(
        g.message,
        "Insufficient privileges to complete the operation."
    );
    assert_eq!(g.target.as_deref(), Some("roleAssignments"));
    assert_eq!(g.details[0].code, "MissingPermission");
    assert_eq!(g.details[0].target.as_deref(), Some("scope"));
    let inner = g.inner_error.as_ref().unwrap();
    assert_eq!(inner.date.as_deref(), Some("2024-05-01T08:30:00"));
    assert_eq!(inner.client_request_id.as_deref(), Some("c1"));
    assert_eq!(err.request_id(), Some("8d4b8e3c-rid"));
    assert!(err.headers().unwrap().contains_key("request-id"));
    assert!(err.body().unwrap().starts_with(b"{\"error\""));
    assert!(!err.is_retryable());
    let shown = err.to_string();
    assert!(
        shown.contains("403")
            && shown.contains("Authorization_RequestDenied")
            && shown.contains("8d4b8e3c-rid"),
        "{shown}"
    );
}

#[tokio::test]
async fn non_json_and_huge_error_bodies() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><body>Bad gateway</body></html>", "text/html"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("x".repeat(1024 * 1024)))
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert!(err.graph_error().is_none());
    assert_eq!(
        err.body().unwrap().as_ref(),
        b"<html><body>Bad gateway</body></html>"
    );
    assert!(err.to_string().contains("Bad gateway"));

    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.body().unwrap().len(), 64 * 1024);
    assert!(err.body_truncated());
    assert!(err.to_string().len() < 1024, "Display stays one short line");
}

#[tokio::test]
async fn oversized_success_body_is_refused() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_string(format!("\"{}\"", "y".repeat(4096))),
        )
        .mount(&server)
        .await;
    let client = builder(&server.uri(), ManualClock::new())
        .max_response_size(1024)
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);

    // Same limit without a Content-Length (chunked): enforced while reading.
    let (uri, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let mut resp = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..8 {
            resp.extend_from_slice(b"200\r\n");
            resp.extend_from_slice(&[b' '; 0x200]);
            resp.extend_from_slice(b"\r\n");
        }
        resp.extend_from_slice(b"0\r\n\r\n");
        write_and_close(s, &resp).await;
    })
    .await;
    let client = builder(&uri, ManualClock::new())
        .max_response_size(1024)
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct RoleDefinition {
    id: String,
    #[serde(rename = "displayName")]
    display_name: String,
}

#[tokio::test]
async fn decode_errors_keep_the_body_and_the_serde_error() {
    let server = MockServer::start().await;
    let body = r#"{"id": 42, "displayName": "Global Administrator"}"#;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = GetRequest::<RoleDefinition>::new(&client(&server.uri()), path().key("62e90394"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.body().unwrap().as_ref(), body.as_bytes());
    let serde_err = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<serde_json::Error>())
        .expect("source is the serde_json error");
    assert_eq!(serde_err.line(), 1);
    assert!(
        err.to_string().contains("invalid type: integer `42`"),
        "{err}"
    );

    // An empty 200 body for an entity is a decode error too, not a panic.
    server.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let err = GetRequest::<RoleDefinition>::new(&client(&server.uri()), path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    // ...but Option<T> accepts it.
    let none: Option<RoleDefinition> = GetRequest::new(&client(&server.uri()), path())
        .await
        .unwrap();
    assert!(none.is_none());
}
