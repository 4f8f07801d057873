//! Token safety: foreign nextLinks are refused without a request, redirects drop
//! `Authorization` when they leave the Graph origin, and the token never appears in
//! `Debug` output (tracing logs: `runtime_tracing.rs`).

mod runtime_support;

use futures::StreamExt;
use pim_api::runtime::{
    AccessToken, ActionRequest, Client, CreateRequest, ErrorKind, GetRequest, ListRequest,
    ODataPath, Pager, StaticToken,
};
use runtime_support::{ManualClock, TOKEN, builder, client, header};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{any, path as path_is},
};

fn items() -> ODataPath {
    ODataPath::new().segment("items")
}

#[tokio::test]
async fn foreign_next_link_is_refused_and_never_requested() {
    let graph = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&other)
        .await;
    // Same host (127.0.0.1), different port: a different origin.
    let foreign = format!("{}/beta/items?$skiptoken=2", other.uri());
    Mock::given(path_is("/beta/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [1, 2],
            "@odata.nextLink": foreign,
        })))
        .mount(&graph)
        .await;
    let client = client(&graph.uri());

    let mut stream = ListRequest::<u32>::new(&client, items()).into_stream();
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    assert_eq!(stream.next().await.unwrap().unwrap(), 2);
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UntrustedUrl);
    assert!(
        err.to_string()
            .contains(&other.address().port().to_string())
    );
    assert!(stream.next().await.is_none());

    // Resuming from a foreign link is refused up front.
    let err = Pager::<u32>::from_next_link(&client, &foreign).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UntrustedUrl);
    for link in [
        "https://127.0.0.1/beta/items".to_owned(),
        format!("{}/beta/items", graph.uri().replace("http://", "https://")),
        format!(
            "{}/beta/items",
            graph.uri().replace("127.0.0.1", "localhost")
        ),
        "https://graph.microsoft.com/beta/items".to_owned(),
    ] {
        assert_eq!(
            client.resume::<u32>(&link).unwrap_err().kind(),
            ErrorKind::UntrustedUrl,
            "{link}"
        );
    }

    assert_eq!(other.received_requests().await.unwrap().len(), 0);
    assert_eq!(graph.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn cross_origin_redirect_drops_authorization() {
    let graph = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "moved"})))
        .mount(&other)
        .await;
    Mock::given(path_is("/beta/x"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/elsewhere", other.uri()).as_str()),
        )
        .mount(&graph)
        .await;
    let client = client(&graph.uri());
    let v: Value = GetRequest::new(&client, ODataPath::new().segment("x"))
        .await
        .unwrap();
    assert_eq!(v["id"], "moved");

    let at_graph = &graph.received_requests().await.unwrap()[0];
    assert_eq!(
        header(at_graph, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let at_other = &other.received_requests().await.unwrap()[0];
    assert_eq!(at_other.url.path(), "/elsewhere");
    assert!(
        at_other.headers.get("authorization").is_none(),
        "token leaked cross-origin"
    );
    // Correlation survives the hop.
    assert_eq!(
        header(at_other, "client-request-id"),
        header(at_graph, "client-request-id")
    );
}

#[tokio::test]
async fn same_origin_redirect_keeps_authorization_and_303_becomes_get() {
    let graph = MockServer::start().await;
    Mock::given(path_is("/beta/old"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/beta/new"))
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "new"})))
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/create"))
        .respond_with(ResponseTemplate::new(303).insert_header("Location", "new"))
        .mount(&graph)
        .await;
    let client = client(&graph.uri());
    let v: Value = GetRequest::new(&client, ODataPath::new().segment("old"))
        .await
        .unwrap();
    assert_eq!(v["id"], "new");
    let created: Value = CreateRequest::new(
        &client,
        ODataPath::new().segment("create"),
        &json!({"a": 1}),
    )
    .await
    .unwrap();
    assert_eq!(created["id"], "new");

    let reqs = graph.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 4);
    for r in &reqs {
        assert_eq!(
            header(r, "authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{}",
            r.url
        );
    }
    assert_eq!(reqs[3].method.as_str(), "GET");
    assert!(reqs[3].body.is_empty());
    assert!(reqs[3].headers.get("content-type").is_none());
}

#[tokio::test]
async fn redirects_are_bounded_and_never_downgrade() {
    let graph = MockServer::start().await;
    Mock::given(path_is("/beta/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/beta/loop"))
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/downgrade"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("Location", "http://graph.invalid/x"),
        )
        .mount(&graph)
        .await;
    Mock::given(path_is("/beta/scheme"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "file:///etc/passwd"))
        .mount(&graph)
        .await;
    let client = builder(&graph.uri(), ManualClock::new())
        .max_redirects(3)
        .build()
        .unwrap();
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("loop"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect);
    assert_eq!(graph.received_requests().await.unwrap().len(), 4);
    let err = ActionRequest::new(&client, ODataPath::new().segment("downgrade"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UntrustedUrl);
    let err = GetRequest::<Value>::new(&client, ODataPath::new().segment("scheme"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UntrustedUrl);
}

#[test]
fn plain_http_needs_loopback_and_opt_in() {
    let b = || Client::builder().token_provider(StaticToken::new(TOKEN));
    assert_eq!(
        b().base_url("http://graph.microsoft.com/beta")
            .build()
            .unwrap_err()
            .kind(),
        ErrorKind::UntrustedUrl
    );
    assert_eq!(
        b().base_url("http://127.0.0.1:9/beta")
            .build()
            .unwrap_err()
            .kind(),
        ErrorKind::UntrustedUrl
    );
    assert_eq!(
        b().base_url("http://192.0.2.1/beta")
            .allow_http_loopback(true)
            .build()
            .unwrap_err()
            .kind(),
        ErrorKind::UntrustedUrl
    );
    assert!(
        b().base_url("http://127.0.0.1:9/beta")
            .allow_http_loopback(true)
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn token_is_absent_from_debug_output() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}})))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let req = ListRequest::<Value>::new(&client, items())
        .filter("a eq 1")
        .header("ConsistencyLevel", "eventual");
    let err = req.clone().await.unwrap_err();
    let pager = req.clone().into_pages();
    let stream = req.clone().into_stream();
    let token = AccessToken::new(TOKEN);
    let rendered = format!(
        "{client:?}\n{client:#?}\n{req:?}\n{err:?}\n{err}\n{pager:?}\n{stream:?}\n{token:?}\n{:?}\n{:?}",
        token.secret(),
        StaticToken::new(TOKEN),
    );
    assert!(!rendered.contains(TOKEN), "{rendered}");
    assert!(!rendered.contains("tok-SECRET"));
    assert_eq!(token.secret().expose(), TOKEN);
}
