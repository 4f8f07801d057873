//! Retry behaviour: Retry-After (seconds and HTTP date), backoff, limits, total budget,
//! idempotency rules and client-request-id stability. A virtual clock records the
//! delays the client asked for, so no test actually waits.

mod runtime_support;

use std::time::{Duration, Instant};

use pim_api::runtime::{
    ActionRequest, Client, ErrorKind, GetRequest, ListRequest, ODataPath, RetryPolicy, StaticToken,
};
use runtime_support::{ManualClock, builder, header};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{any, method},
};

fn path() -> ODataPath {
    ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment("roleAssignments")
}

/// Mounts `first` for the first `n` requests, then 200 `{"value":[]}`.
async fn flaky(first: ResponseTemplate, n: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(n)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "ok"}]})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn retry_after_seconds_is_honoured_and_client_request_id_is_stable() {
    let server = flaky(
        ResponseTemplate::new(429).insert_header("Retry-After", "2"),
        2,
    )
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone()).build().unwrap();

    let page = ListRequest::<Value>::new(&client, path()).await.unwrap();
    assert_eq!(page.value.len(), 1);
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(2), Duration::from_secs(2)]
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    let ids: Vec<&str> = received
        .iter()
        .map(|r| header(r, "client-request-id").unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let id = uuid::Uuid::parse_str(ids[0]).unwrap();
    assert_eq!(id.get_version_num(), 4);

    // A new logical request gets a new id.
    let _ = ListRequest::<Value>::new(&client, path()).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_ne!(header(&received[3], "client-request-id").unwrap(), ids[0]);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let clock = ManualClock::new();
    let at = httpdate::fmt_http_date(clock_now(&clock) + Duration::from_secs(3));
    let server = flaky(
        ResponseTemplate::new(503).insert_header("Retry-After", at.as_str()),
        1,
    )
    .await;
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    let v: Value = GetRequest::new(&client, path()).await.unwrap();
    assert_eq!(v["value"][0]["id"], "ok");
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
}

fn clock_now(clock: &ManualClock) -> std::time::SystemTime {
    pim_api::runtime::Clock::now(clock)
}

#[tokio::test]
async fn exponential_backoff_until_the_retry_limit() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone())
        .retry_policy(
            RetryPolicy::new()
                .jitter(false)
                .max_retries(3)
                .initial_delay(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let err = ListRequest::<Value>::new(&client, path())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), 4);
    assert!(err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
    assert_eq!(
        clock.sleeps(),
        [100, 200, 400].map(Duration::from_millis).to_vec()
    );
}

#[tokio::test]
async fn jittered_backoff_stays_under_the_cap() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone())
        .retry_policy(
            RetryPolicy::new()
                .max_retries(6)
                .initial_delay(Duration::from_secs(1))
                .max_delay(Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.attempts(), 7);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 6);
    for (i, d) in sleeps.iter().enumerate() {
        let cap = Duration::from_secs(1u64 << i).min(Duration::from_secs(5));
        assert!(*d <= cap, "retry {i}: {d:?} > {cap:?}");
    }
}

#[tokio::test]
async fn a_429_storm_is_bounded_by_count_and_total_time() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "10")
                .set_body_json(
                    json!({"error": {"code": "TooManyRequests", "message": "Too many requests"}}),
                ),
        )
        .mount(&server)
        .await;

    // Count bound: default policy, 4 retries.
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    let started = Instant::now();
    let err = ListRequest::<Value>::new(&client, path())
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 5);
    assert_eq!(err.code(), Some("TooManyRequests"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(10)));
    assert_eq!(clock.sleeps().len(), 4);
    assert_eq!(server.received_requests().await.unwrap().len(), 5);

    // Time bound: unlimited count, 35 s budget -> three 10 s waits, then give up.
    server.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "10"))
        .mount(&server)
        .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone())
        .retry_policy(
            RetryPolicy::new()
                .max_retries(1000)
                .max_elapsed(Duration::from_secs(35)),
        )
        .build()
        .unwrap();
    let err = ListRequest::<Value>::new(&client, path())
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 4);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(10); 3]);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn retry_after_beyond_the_budget_fails_fast() {
    let server = flaky(
        ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
        1,
    )
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    let err = ListRequest::<Value>::new(&client, path())
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn service_unavailable_then_success_with_the_real_clock() {
    let server = flaky(ResponseTemplate::new(503), 1).await;
    let client = Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("t"))
        .retry_policy(RetryPolicy::new().initial_delay(Duration::from_millis(20)))
        .build()
        .unwrap();
    let started = Instant::now();
    let page = ListRequest::<Value>::new(&client, path()).await.unwrap();
    assert_eq!(page.value[0]["id"], "ok");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn post_is_retried_on_429_but_not_on_504() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    let err = ActionRequest::new(&client, path().segment("act"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(504));
    assert_eq!(
        err.attempts(),
        1,
        "a POST that may have executed is not repeated"
    );
    assert!(err.is_retryable(), "but the caller learns it is transient");

    let server = flaky(
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        1,
    )
    .await;
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    ActionRequest::new(&client, path().segment("act"))
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

/// A 503 says the service is unavailable, not whether it acted: with `Retry-After` it is
/// Graph's throttling answer (not processed) and a POST is sent again; without, the POST
/// may have been processed and is not repeated.
#[tokio::test]
async fn post_is_retried_on_503_only_with_retry_after() {
    let clock = ManualClock::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    let err = ActionRequest::new(&client, path().segment("act"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        err.attempts(),
        1,
        "a POST that may have executed is not repeated"
    );
    assert!(err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let server = flaky(
        ResponseTemplate::new(503).insert_header("Retry-After", "2"),
        1,
    )
    .await;
    let client = builder(&server.uri(), clock.clone()).build().unwrap();
    ActionRequest::new(&client, path().segment("act"))
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);

    // A GET is idempotent: a bare 503 is retried.
    let server = flaky(ResponseTemplate::new(503), 1).await;
    let client = builder(&server.uri(), ManualClock::new()).build().unwrap();
    ListRequest::<Value>::new(&client, path()).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Reserve a port, then close it so connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let clock = ManualClock::new();
    let client = builder(&uri, clock.clone())
        .retry_policy(RetryPolicy::new().jitter(false).max_retries(2))
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert_eq!(clock.sleeps().len(), 2);
    // Connect failures are safe to retry for POST too: nothing reached the server.
    let err = ActionRequest::new(&client, path()).await.unwrap_err();
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn non_retryable_statuses_are_not_retried() {
    for status in [400u16, 401, 403, 404, 409, 500] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let clock = ManualClock::new();
        let client = builder(&server.uri(), clock.clone()).build().unwrap();
        let err = GetRequest::<Value>::new(&client, path()).await.unwrap_err();
        assert_eq!(err.attempts(), 1, "status {status}");
        assert!(!err.is_retryable());
        assert!(clock.sleeps().is_empty());
    }
}
