//! URL building end to end: hostile key values, OData literal escaping in `$filter`,
//! function-call segments and query options, checked against what a loopback server
//! actually receives.

mod runtime_support;

use pim_api::runtime::{
    ErrorKind, FunctionRequest, GetRequest, ListRequest, Literal, ODataPath, QueryOptions,
};
use runtime_support::{client, header};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

async fn json_server(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn hostile_ids_reach_the_server_as_exactly_one_segment() {
    let server = json_server(json!({"id": "x"})).await;
    let client = client(&server.uri());
    let prefix = "/beta/privilegedAccess/aadRoles/resources";
    let cases: &[(&str, &str)] = &[
        ("plain-id_1~", "/plain-id_1~"),
        ("a/b", "/a%2Fb"),
        ("a?$filter=x", "/a%3F%24filter%3Dx"),
        ("a#frag", "/a%23frag"),
        ("100%", "/100%25"),
        ("%2F%2e%2E", "/%252F%252e%252E"),
        ("o'neil", "/o%27neil"),
        ("a b+c", "/a%20b%2Bc"),
        ("é😀", "/%C3%A9%F0%9F%98%80"),
        ("a\\b", "/a%5Cb"),
        ("../../me", "/..%2F..%2Fme"),
        ("...", "/..."),
        ("..", "('%2E%2E')"),
        (".", "('%2E')"),
        ("", "('')"),
        ("\r\nX-Injected: 1", "/%0D%0AX-Injected%3A%201"),
    ];
    for (id, _) in cases {
        let path = ODataPath::new()
            .segment("privilegedAccess")
            .segment("aadRoles")
            .segment("resources")
            .key(id)
            .segment("roleAssignments");
        assert_eq!(
            path.template(),
            "/privilegedAccess/aadRoles/resources/{id}/roleAssignments"
        );
        let _: Value = GetRequest::new(&client, path)
            .select(["id"])
            .await
            .expect("request succeeds");
    }
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), cases.len());
    for ((id, encoded), req) in cases.iter().zip(&received) {
        assert_eq!(
            req.url.path(),
            format!("{prefix}{encoded}/roleAssignments"),
            "id {id:?}"
        );
        assert_eq!(
            req.url.query(),
            Some("$select=id"),
            "id {id:?} must not touch the query"
        );
        assert!(req.headers.get("x-injected").is_none());
    }
}

#[tokio::test]
async fn filter_literals_are_escaped_and_percent_encoded() {
    let server = json_server(json!({"value": []})).await;
    let client = client(&server.uri());
    let hostile = "O'Brien & co #1+2% ' or 1 eq 1";
    let filter = format!(
        "displayName eq {} and principalId eq {}",
        Literal::string(hostile),
        Literal::guid(uuid::Uuid::nil())
    );
    assert_eq!(
        filter,
        "displayName eq 'O''Brien & co #1+2% '' or 1 eq 1' and principalId eq 00000000-0000-0000-0000-000000000000"
    );
    let path = ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment("roleAssignments");
    let page = ListRequest::<Value>::new(&client, path)
        .filter(filter.clone())
        .await
        .unwrap();
    assert!(page.value.is_empty());

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        req.url.query(),
        Some(
            "$filter=displayName%20eq%20%27O%27%27Brien%20%26%20co%20%231%2B2%25%20%27%27%20or%201%20eq%201%27\
             %20and%20principalId%20eq%2000000000-0000-0000-0000-000000000000"
        )
    );
    // Decoding the query gives back exactly one parameter with exactly our filter
    // (in particular '+' was not turned into a space, and '&' did not split it).
    let pairs: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
    assert_eq!(pairs, vec![("$filter".to_owned(), filter)]);
}

#[tokio::test]
async fn function_segments_query_options_and_headers() {
    let server = json_server(json!({"value": [{"id": "1"}], "@odata.count": 1})).await;
    let client = client(&server.uri());
    let path = ODataPath::new()
        .segment("roleManagement")
        .segment("directory")
        .segment("roleAssignmentScheduleRequests")
        .function(
            "filterByCurrentUser",
            &[("on", Literal::enum_str("principal"))],
        );
    assert_eq!(
        path.template(),
        "/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on={on})"
    );
    let page = ListRequest::<Value>::new(&client, path)
        .operation("filterByCurrentUser")
        .select(["id", "status"])
        .expand(["roleDefinition($select=id,displayName)"])
        .orderby(["createdDateTime desc"])
        .top(5)
        .skip(10)
        .count(true)
        .search("displayName:\"Global Admin\"")
        .query_param("$skiptoken", "a b")
        .consistency_level_eventual()
        .header("Prefer", "odata.maxpagesize=5")
        .await
        .unwrap();
    assert_eq!(page.count, Some(1));

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        req.url.path(),
        "/beta/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')"
    );
    assert_eq!(
        req.url.query(),
        Some(
            "$select=id,status&$expand=roleDefinition($select%3Did,displayName)\
             &$orderby=createdDateTime%20desc&$top=5&$skip=10&$count=true\
             &$search=%22displayName:%5C%22Global%20Admin%5C%22%22&$skiptoken=a%20b"
        )
    );
    assert_eq!(header(req, "consistencylevel"), Some("eventual"));
    assert_eq!(header(req, "prefer"), Some("odata.maxpagesize=5"));
    assert_eq!(header(req, "accept"), Some("application/json"));
    assert!(header(req, "user-agent").unwrap().starts_with("pim-api/"));

    // A function parameter value cannot break out of its parentheses.
    let path = ODataPath::new()
        .segment("x")
        .function("f", &[("p", Literal::string("a'),g(b='"))]);
    let _ = FunctionRequest::<Value>::entity(&client, path)
        .await
        .unwrap();
    let req = &server.received_requests().await.unwrap()[1];
    assert_eq!(req.url.path(), "/beta/x/f(p='a''%29%2Cg%28b%3D''')");
    assert_eq!(req.url.query(), None);
}

#[tokio::test]
async fn prepared_query_options_merge() {
    let server = json_server(json!({"value": []})).await;
    let client = client(&server.uri());
    let opts = QueryOptions::new().filter("a eq 1").top(3).select(["id"]);
    let req = ListRequest::<Value>::new(&client, ODataPath::new().segment("c"))
        .select(["x"])
        .query(opts);
    assert_eq!(
        req.url().unwrap().as_str(),
        format!(
            "{}/beta/c?$filter=a%20eq%201&$select=x,id&$top=3",
            server.uri()
        )
    );
}

/// Request URLs start from a pre-sized copy of the base URL with a placeholder path; the
/// placeholder must be fully replaced whatever the path's length.
#[tokio::test]
async fn request_urls_are_exact_for_empty_short_and_very_long_paths() {
    let server = json_server(json!({})).await;
    let client = client(&server.uri());
    let long_id = "k".repeat(1000);
    let cases = [
        (ODataPath::new(), String::from("/beta")),
        (ODataPath::new().segment("me"), String::from("/beta/me")),
        (
            ODataPath::new().segment("r").key(&long_id),
            format!("/beta/r/{long_id}"),
        ),
    ];
    for (path, expected) in cases {
        let url = GetRequest::<Value>::new(&client, path).url().unwrap();
        assert_eq!(url.as_str(), format!("{}{expected}", server.uri()));
        assert!(!url.as_str().contains("xxx"), "placeholder leaked: {url}");
    }
}

#[tokio::test]
async fn builder_misuse_fails_without_sending() {
    let server = json_server(json!({})).await;
    let client = client(&server.uri());
    let p = || ODataPath::new().segment("c");
    let bad_header = GetRequest::<Value>::new(&client, p())
        .header("X-Bad", "line\nbreak")
        .await;
    assert_eq!(bad_header.unwrap_err().kind(), ErrorKind::Config);
    let bad_name = GetRequest::<Value>::new(&client, p())
        .header("bad name", "v")
        .await;
    assert_eq!(bad_name.unwrap_err().kind(), ErrorKind::Config);
    let auth = GetRequest::<Value>::new(&client, p())
        .header("Authorization", "Bearer other")
        .await;
    assert_eq!(auth.unwrap_err().kind(), ErrorKind::Config);
    let dot_segment = GetRequest::<Value>::new(&client, ODataPath::new().segment("..")).await;
    assert_eq!(dot_segment.unwrap_err().kind(), ErrorKind::InvalidUrl);
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}
