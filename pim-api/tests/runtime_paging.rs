//! Paging over `@odata.nextLink`: items and pages as streams, laziness, `@odata.count`,
//! annotations, resuming from a saved link, errors mid-stream.

mod runtime_support;

use futures::{StreamExt, TryStreamExt};
use pim_api::runtime::{ErrorKind, ListRequest, ODataPath, Page, Pager};
use runtime_support::{client, header};
use serde::Deserialize;
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{path, query_param, query_param_is_missing},
};

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    id: u32,
}

/// Three pages of three items; page 1 carries `@odata.count` and `@odata.context`.
async fn three_pages() -> MockServer {
    let server = MockServer::start().await;
    let link = |token: &str| format!("{}/beta/roleAssignments?$skiptoken={token}", server.uri());
    Mock::given(path("/beta/roleAssignments"))
        .and(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#roleAssignments",
            "@odata.count": 9,
            "value": [{"id": 1}, {"id": 2}, {"id": 3}],
            "@odata.nextLink": link("p2"),
        })))
        .mount(&server)
        .await;
    Mock::given(path("/beta/roleAssignments"))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": 4}, {"id": 5}, {"id": 6}],
            "@odata.nextLink": link("p3"),
        })))
        .mount(&server)
        .await;
    Mock::given(path("/beta/roleAssignments"))
        .and(query_param("$skiptoken", "p3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": 7}, {"id": 8}, {"id": 9}],
            "@odata.deltaLink": "https://graph.microsoft.com/beta/roleAssignments?$deltatoken=d",
        })))
        .mount(&server)
        .await;
    server
}

fn path_() -> ODataPath {
    ODataPath::new().segment("roleAssignments")
}

#[tokio::test]
async fn items_stream_across_three_pages_lazily() {
    let server = three_pages().await;
    let client = client(&server.uri());
    let mut stream = ListRequest::<Item>::new(&client, path_())
        .count(true)
        .consistency_level_eventual()
        .into_stream();

    // Nothing is sent until polled; one page per three items.
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
    assert_eq!(stream.next().await.unwrap().unwrap(), Item { id: 1 });
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(stream.total_count(), Some(9));
    assert_eq!(stream.buffered_len(), 2);
    assert!(stream.next_link().unwrap().ends_with("$skiptoken=p2"));

    let rest: Vec<u32> = stream.map_ok(|i| i.id).try_collect().await.unwrap();
    assert_eq!(rest, (2..=9).collect::<Vec<_>>());

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].url.query(), Some("$count=true"));
    assert_eq!(reqs[1].url.query(), Some("$skiptoken=p2"));
    // Headers are re-sent on follow-ups; query options are not (they live in the link).
    for r in &reqs {
        assert_eq!(header(r, "consistencylevel"), Some("eventual"));
        assert!(header(r, "authorization").is_some());
    }
    // Every page is its own logical request with its own correlation id.
    assert_ne!(
        header(&reqs[0], "client-request-id"),
        header(&reqs[1], "client-request-id")
    );
}

#[tokio::test]
async fn pages_stream_keeps_annotations() {
    let server = three_pages().await;
    let client = client(&server.uri());
    let pages: Vec<Page<Item>> = ListRequest::new(&client, path_())
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.iter().map(|p| p.value.len()).sum::<usize>(), 9);
    assert_eq!(pages[0].count, Some(9));
    assert_eq!(
        pages[0].context(),
        Some("https://graph.microsoft.com/beta/$metadata#roleAssignments")
    );
    assert!(pages[0].has_next() && pages[1].has_next() && !pages[2].has_next());
    assert!(pages[2].delta_link().unwrap().contains("deltatoken"));

    // First page only, via IntoFuture.
    let first = ListRequest::<Item>::new(&client, path_()).await.unwrap();
    assert_eq!(first.value.len(), 3);
    assert!(first.next_link.unwrap().ends_with("p2"));

    let all = ListRequest::<Item>::new(&client, path_())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 9);
}

#[tokio::test]
async fn resume_from_a_saved_next_link() {
    let server = three_pages().await;
    let client = client(&server.uri());
    let mut pager = ListRequest::<Item>::new(&client, path_()).into_pages();
    assert!(pager.next_link().is_none());
    let first = pager.next().await.unwrap().unwrap();
    assert_eq!(first.value[0].id, 1);
    let saved = pager.next_link().unwrap().to_owned();
    assert_eq!(pager.pages_fetched(), 1);
    drop(pager);

    let resumed: Vec<Page<Item>> = client
        .resume::<Item>(&saved)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(resumed.len(), 2);
    assert_eq!(resumed[0].value[0].id, 4);
    assert_eq!(resumed[1].value[2].id, 9);

    let items: Vec<Item> = Pager::<Item>::from_next_link(&client, &saved)
        .unwrap()
        .header("ConsistencyLevel", "eventual")
        .unwrap()
        .into_items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 6);
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(header(&last, "consistencylevel"), Some("eventual"));
}

#[tokio::test]
async fn error_mid_stream_ends_the_stream_and_keeps_the_resume_point() {
    let server = MockServer::start().await;
    let next = format!("{}/beta/roleAssignments?$skiptoken=gone", server.uri());
    Mock::given(query_param_is_missing("$skiptoken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"id": 1}], "@odata.nextLink": next})),
        )
        .mount(&server)
        .await;
    Mock::given(query_param("$skiptoken", "gone"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "BadSkipToken", "message": "expired"}})),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let mut stream = ListRequest::<Item>::new(&client, path_()).into_stream();
    assert_eq!(stream.next().await.unwrap().unwrap().id, 1);
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.code(), Some("BadSkipToken"));
    assert!(stream.next().await.is_none());
    assert_eq!(stream.next_link(), Some(next.as_str()));
}

#[tokio::test]
async fn builder_errors_surface_through_streams() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    let mut stream = ListRequest::<Item>::new(&client, path_())
        .header("bad\nname", "x")
        .into_stream();
    assert_eq!(
        stream.next().await.unwrap().unwrap_err().kind(),
        ErrorKind::Config
    );
    assert!(stream.next().await.is_none());
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}
