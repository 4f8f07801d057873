//! The request builders' HTTP shapes: methods, bodies, and how each result kind is
//! decoded (entity, `{"value": ...}`, no content).

mod runtime_support;

use pim_api::runtime::{
    ActionRequest, CreateRequest, DeleteRequest, ErrorKind, FunctionRequest, GetRequest, ODataPath,
    UpdateRequest,
};
use runtime_support::{client, header};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, method, path},
};

#[derive(Debug, Serialize)]
struct NewRequest<'a> {
    action: &'a str,
    #[serde(rename = "principalId")]
    principal_id: &'a str,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Created {
    id: String,
    status: String,
}

fn p(s: &str) -> ODataPath {
    ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment(s)
}

#[tokio::test]
async fn create_update_delete_get() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/beta/roleManagement/directory/roleAssignmentScheduleRequests",
        ))
        .and(body_json(
            json!({"action": "adminAssign", "principalId": "p1"}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "r1", "status": "Provisioned", "extra": true})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/beta/roleManagement/directory/roleDefinitions/d1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/beta/roleManagement/directory/roleDefinitions/d2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "d2", "whatever": [1, 2]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/beta/roleManagement/directory/roleDefinitions/d1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/beta/roleManagement/directory/roleAssignmentScheduleRequests/r1",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "r1", "status": "Granted"})),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let created: Created = CreateRequest::new(
        &client,
        p("roleAssignmentScheduleRequests"),
        &NewRequest {
            action: "adminAssign",
            principal_id: "p1",
        },
    )
    .await
    .unwrap();
    assert_eq!(
        created,
        Created {
            id: "r1".into(),
            status: "Provisioned".into()
        }
    );

    UpdateRequest::new(
        &client,
        p("roleDefinitions").key("d1"),
        &json!({"description": "x"}),
    )
    .await
    .unwrap();
    UpdateRequest::new(
        &client,
        p("roleDefinitions").key("d2"),
        &json!({"description": "y"}),
    )
    .header("Prefer", "return=representation")
    .await
    .unwrap();
    DeleteRequest::new(&client, p("roleDefinitions").key("d1"))
        .header("If-Match", "W/\"1\"")
        .await
        .unwrap();
    let got: Created = GetRequest::new(&client, p("roleAssignmentScheduleRequests").key("r1"))
        .await
        .unwrap();
    assert_eq!(got.status, "Granted");

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(header(&reqs[0], "content-type"), Some("application/json"));
    assert_eq!(header(&reqs[1], "content-type"), Some("application/json"));
    assert_eq!(
        reqs[1].body_json::<Value>().unwrap(),
        json!({"description": "x"})
    );
    assert_eq!(header(&reqs[3], "if-match"), Some("W/\"1\""));
    assert!(reqs[3].body.is_empty());
}

#[tokio::test]
async fn action_and_function_result_shapes() {
    let server = MockServer::start().await;
    let mount = |route: &'static str, resp: ResponseTemplate| {
        let server = &server;
        async move {
            Mock::given(path(route))
                .respond_with(resp)
                .mount(server)
                .await
        }
    };
    mount("/beta/a/none", ResponseTemplate::new(204)).await;
    mount(
        "/beta/a/none200",
        ResponseTemplate::new(200).set_body_json(json!({"ignored": 1})),
    )
    .await;
    mount(
        "/beta/a/entity",
        ResponseTemplate::new(200)
            .set_body_json(json!({"id": "e", "status": "s", "@odata.context": "c"})),
    )
    .await;
    mount(
        "/beta/a/primitive",
        ResponseTemplate::new(200).set_body_json(json!({"@odata.context": "c", "value": true})),
    )
    .await;
    mount(
        "/beta/a/collection",
        ResponseTemplate::new(200).set_body_json(json!({"value": ["x", "y"]})),
    )
    .await;
    mount("/beta/a/empty", ResponseTemplate::new(204)).await;
    mount(
        "/beta/a/f()",
        ResponseTemplate::new(200).set_body_json(json!({"value": 42})),
    )
    .await;
    let client = client(&server.uri());
    let a = |s: &str| ODataPath::new().segment("a").segment(s);

    ActionRequest::new(&client, a("none")).await.unwrap();
    ActionRequest::new(&client, a("none200")).await.unwrap();
    let e: Created = ActionRequest::entity(&client, a("entity"))
        .body(&json!({"justification": "because"}))
        .await
        .unwrap();
    assert_eq!(e.id, "e");
    let b: bool = ActionRequest::value(&client, a("primitive")).await.unwrap();
    assert!(b);
    let c: Vec<String> = ActionRequest::value(&client, a("collection"))
        .await
        .unwrap();
    assert_eq!(c, ["x", "y"]);
    let nothing: Option<Vec<String>> = ActionRequest::value(&client, a("empty")).await.unwrap();
    assert!(nothing.is_none());
    let err = ActionRequest::<Vec<String>>::value(&client, a("empty"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let n: i64 = FunctionRequest::value(&client, ODataPath::new().segment("a").function("f", &[]))
        .await
        .unwrap();
    assert_eq!(n, 42);

    let reqs = server.received_requests().await.unwrap();
    // Parameterless actions send an explicit empty body (Content-Length: 0), no JSON type.
    assert_eq!(reqs[0].method.as_str(), "POST");
    assert_eq!(header(&reqs[0], "content-length"), Some("0"));
    assert!(reqs[0].headers.get("content-type").is_none());
    assert_eq!(
        reqs[2].body_json::<Value>().unwrap(),
        json!({"justification": "because"})
    );
    assert_eq!(reqs.last().unwrap().method.as_str(), "GET");
}

#[tokio::test]
async fn unserializable_body_fails_without_sending() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    let mut bad = std::collections::HashMap::new();
    bad.insert(vec![1u8], 1); // non-string map keys cannot be JSON
    let err = CreateRequest::<Value>::new(&client, p("x"), &bad)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Encode);
    let err = ActionRequest::new(&client, p("x"))
        .body(&bad)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Encode);
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

/// Polling a finished request future again is a caller bug; it gets an error, not a panic,
/// whether the request ran or failed in the builder.
#[tokio::test]
async fn a_finished_request_future_polled_again_is_an_error() {
    use std::future::IntoFuture;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1", "status": "x"})))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let mut ran = GetRequest::<Created>::new(&client, p("x")).into_future();
    assert_eq!((&mut ran).await.unwrap().id, "1");
    let again = (&mut ran).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Config);

    let mut failed = GetRequest::<Created>::new(&client, p("x"))
        .header("bad header", "x")
        .into_future();
    assert_eq!((&mut failed).await.unwrap_err().kind(), ErrorKind::Config);
    assert!(format!("{failed:?}").contains("done"));
    assert_eq!((&mut failed).await.unwrap_err().kind(), ErrorKind::Config);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// Generated methods return these builders and users spawn them on multi-threaded
/// runtimes, so they (and what they turn into) must be `Send + 'static`; the client
/// is shared across tasks, so it must also be `Sync`.
#[test]
fn builders_and_streams_are_send_and_static() {
    fn send_static<T: Send + 'static>() {}
    fn sync<T: Sync>() {}
    #[derive(Deserialize)]
    struct NotClone;
    send_static::<pim_api::runtime::Client>();
    sync::<pim_api::runtime::Client>();
    send_static::<pim_api::runtime::ListRequest<NotClone>>();
    send_static::<pim_api::runtime::GetRequest<NotClone>>();
    send_static::<CreateRequest<NotClone>>();
    send_static::<UpdateRequest>();
    send_static::<DeleteRequest>();
    send_static::<ActionRequest<NotClone>>();
    send_static::<FunctionRequest<NotClone>>();
    send_static::<pim_api::runtime::Pager<NotClone>>();
    send_static::<pim_api::runtime::ItemStream<NotClone>>();
    send_static::<<pim_api::runtime::ListRequest<NotClone> as std::future::IntoFuture>::IntoFuture>(
    );
    send_static::<pim_api::runtime::ResponseFuture<NotClone>>();
    fn unpin<T: Unpin>() {}
    unpin::<pim_api::runtime::ResponseFuture<NotClone>>();
    send_static::<pim_api::runtime::Error>();
    sync::<pim_api::runtime::Error>();
}
