//! The generated path API against a loopback server: hostile ids in every key position reach
//! the server as exactly one encoded segment and never touch the query; `$filter` literals and
//! function parameters are escaped on the way through a builder.

// PIM iteration 2 (`privilegedAccess`) is deprecated in the schema; its key positions are
// tested like the others.
#![allow(deprecated)]

mod runtime_support;

use futures::future::BoxFuture;
use pim_api::models::{
    RoleAssignmentScheduleRequestFilterByCurrentUserOptions as RequestFilter,
    UnifiedRoleManagementPolicyExpirationRuleUpdate,
};
use pim_api::runtime::{Client, GetRequest, Literal, Result};
use runtime_support::client;
use serde::de::DeserializeOwned;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};

/// The ids the key positions are tested with.
const HOSTILE: &[&str] = &[
    "a/b", "?x=1", "#f", "%2F", "O'Neil", "a b  c", "é✓", "..", ".",
];

/// An independent encoder of a key segment: everything but RFC 3986 unreserved characters
/// is percent-encoded; `.` and `..` (which URL parsers would remove as dot segments) use the
/// parenthesised key form. Returns what replaces `/{placeholder}` in a template.
fn encoded_key(id: &str) -> String {
    if id == "." || id == ".." {
        return format!("('{}')", "%2E".repeat(id.len()));
    }
    let mut out = String::from("/");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path the server must receive for `template` with every key set to `id`.
fn expected_path(template: &str, id: &str) -> String {
    let mut out = String::from("/beta");
    let mut rest = template;
    while let Some(start) = rest.find("/{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closed placeholder") + start;
        out.push_str(&encoded_key(id));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

type Sent = (String, BoxFuture<'static, Result<()>>);

/// Builds one request with the given id in every key position.
type Probe = fn(&Client, &str) -> Sent;

/// A GET with `$select=id`, plus its path template.
fn get<T: DeserializeOwned + Send + 'static>(r: GetRequest<T>) -> Sent {
    let template = r.path().template().to_owned();
    (
        template,
        Box::pin(async move { r.select(["id"]).await.map(|_| ()) }),
    )
}

/// One probe per key position of the path API: every `by_id` of every collection builder
/// appears at least once, with the id in every key position of the path.
fn probes() -> Vec<(&'static str, Probe)> {
    #[cfg_attr(not(feature = "iteration2"), allow(unused_mut))]
    let mut probes = iteration3_probes();
    #[cfg(feature = "iteration2")]
    probes.extend(iteration2_probes());
    probes
}

/// PIM iteration 2's key positions (the `iteration2` feature).
#[cfg(feature = "iteration2")]
#[allow(deprecated)]
fn iteration2_probes() -> Vec<(&'static str, Probe)> {
    vec![
        ("privilegedAccess", |c, id| {
            get(c.privileged_access().by_id(id).get())
        }),
        ("resources", |c, id| {
            get(c.privileged_access().by_id(id).resources().by_id(id).get())
        }),
        ("resources parent parent", |c, id| {
            get(c
                .privileged_access()
                .by_id(id)
                .resources()
                .by_id(id)
                .parent()
                .parent()
                .get())
        }),
        ("resources roleAssignmentRequests", |c, id| {
            get(c
                .privileged_access()
                .by_id(id)
                .resources()
                .by_id(id)
                .role_assignment_requests()
                .by_id(id)
                .get())
        }),
        ("roleAssignments", |c, id| {
            get(c
                .privileged_access()
                .by_id(id)
                .role_assignments()
                .by_id(id)
                .get())
        }),
        ("roleDefinitions", |c, id| {
            get(c
                .privileged_access()
                .by_id(id)
                .role_definitions()
                .by_id(id)
                .get())
        }),
        ("resources roleSettings", |c, id| {
            get(c
                .privileged_access()
                .by_id(id)
                .resources()
                .by_id(id)
                .role_settings()
                .by_id(id)
                .get())
        }),
    ]
}

fn iteration3_probes() -> Vec<(&'static str, Probe)> {
    vec![
        ("roleAssignmentSchedules", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_assignment_schedules()
                .by_id(id)
                .get())
        }),
        ("roleAssignmentScheduleInstances", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_assignment_schedule_instances()
                .by_id(id)
                .get())
        }),
        ("roleAssignmentScheduleRequests", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_assignment_schedule_requests()
                .by_id(id)
                .get())
        }),
        ("roleEligibilitySchedules", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_eligibility_schedules()
                .by_id(id)
                .get())
        }),
        ("roleEligibilityScheduleInstances", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_eligibility_schedule_instances()
                .by_id(id)
                .get())
        }),
        ("roleEligibilityScheduleRequests approval steps", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_eligibility_schedule_requests()
                .by_id(id)
                .approval()
                .steps()
                .by_id(id)
                .get())
        }),
        (
            "directory roleDefinitions inheritsPermissionsFrom",
            |c, id| {
                get(c
                    .role_management()
                    .directory()
                    .role_definitions()
                    .by_id(id)
                    .inherits_permissions_from()
                    .by_id(id)
                    .get())
            },
        ),
        ("directory roleAssignmentApprovals steps", |c, id| {
            get(c
                .role_management()
                .directory()
                .role_assignment_approvals()
                .by_id(id)
                .steps()
                .by_id(id)
                .get())
        }),
        ("roleManagementPolicies rules", |c, id| {
            get(c
                .policies()
                .role_management_policies()
                .by_id(id)
                .rules()
                .by_id(id)
                .get())
        }),
        ("roleManagementPolicies effectiveRules", |c, id| {
            get(c
                .policies()
                .role_management_policies()
                .by_id(id)
                .effective_rules()
                .by_id(id)
                .get())
        }),
        ("roleManagementPolicyAssignments", |c, id| {
            get(c
                .policies()
                .role_management_policy_assignments()
                .by_id(id)
                .get())
        }),
        ("group assignmentApprovals steps", |c, id| {
            get(c
                .identity_governance()
                .privileged_access()
                .group()
                .assignment_approvals()
                .by_id(id)
                .steps()
                .by_id(id)
                .get())
        }),
        ("group assignmentScheduleInstances", |c, id| {
            get(c
                .identity_governance()
                .privileged_access()
                .group()
                .assignment_schedule_instances()
                .by_id(id)
                .get())
        }),
        (
            "group assignmentScheduleRequests approval pendingSteps",
            |c, id| {
                get(c
                    .identity_governance()
                    .privileged_access()
                    .group()
                    .assignment_schedule_requests()
                    .by_id(id)
                    .approval()
                    .pending_steps()
                    .by_id(id)
                    .get())
            },
        ),
        ("group assignmentSchedules", |c, id| {
            get(c
                .identity_governance()
                .privileged_access()
                .group()
                .assignment_schedules()
                .by_id(id)
                .get())
        }),
        ("group eligibilityScheduleInstances", |c, id| {
            get(c
                .identity_governance()
                .privileged_access()
                .group()
                .eligibility_schedule_instances()
                .by_id(id)
                .get())
        }),
        ("group eligibilityScheduleRequests", |c, id| {
            get(c
                .identity_governance()
                .privileged_access()
                .group()
                .eligibility_schedule_requests()
                .by_id(id)
                .get())
        }),
        ("group eligibilitySchedules", |c, id| {
            get(c
                .identity_governance()
                .privileged_access()
                .group()
                .eligibility_schedules()
                .by_id(id)
                .get())
        }),
    ]
}

async fn last_request(server: &MockServer) -> Request {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .pop()
        .expect("a request was received")
}

#[tokio::test]
async fn hostile_ids_stay_one_segment_in_every_key_position() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "x"})))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let mut placeholders = std::collections::BTreeSet::new();
    let mut checked = 0;
    for (name, probe) in probes() {
        for id in HOSTILE {
            let (template, request) = probe(&client, id);
            request
                .await
                .unwrap_or_else(|e| panic!("{name} with {id:?}: {e}"));
            let received = last_request(&server).await;
            assert_eq!(
                received.url.path(),
                expected_path(&template, id),
                "{name} with {id:?} (template {template})"
            );
            // The query is exactly what the builder set: no id leaked into it.
            assert_eq!(
                received.url.query(),
                Some("$select=id"),
                "{name} with {id:?}"
            );
            assert_eq!(received.url.fragment(), None);
            checked += 1;
            let mut rest = template.as_str();
            while let Some(start) = rest.find('{') {
                let end = rest[start..].find('}').unwrap() + start;
                placeholders.insert(rest[start + 1..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    println!(
        "{checked} hostile-id requests over {} key placeholders",
        placeholders.len()
    );
    // Every key the generated API has is covered: compare with the generated builders this
    // test is compiled against (the build script's output).
    let generated_file = std::path::Path::new(env!("OUT_DIR")).join("models/requests.rs");
    let text = std::fs::read_to_string(&generated_file).expect("the generated builders");
    let mut generated = std::collections::BTreeSet::new();
    for part in text.split("key_named(\"").skip(1) {
        generated.insert(part.split('"').next().unwrap().to_owned());
    }
    assert_eq!(
        placeholders, generated,
        "every key position of the generated builders is probed"
    );
}

#[tokio::test]
async fn hostile_ids_before_operations_and_writes() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let requests = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests();
    for id in HOSTILE {
        let key = encoded_key(id);
        let base = "/beta/roleManagement/directory/roleAssignmentScheduleRequests";

        requests.by_id(id).cancel().await.unwrap();
        let r = last_request(&server).await;
        assert_eq!(r.method.as_str(), "POST");
        assert_eq!(r.url.path(), format!("{base}{key}/cancel"), "{id:?}");
        assert_eq!(r.url.query(), None);

        // Requests cannot be deleted (the service refuses it); custom role definitions can.
        client
            .role_management()
            .directory()
            .role_definitions()
            .by_id(id)
            .delete()
            .await
            .unwrap();
        let r = last_request(&server).await;
        assert_eq!(r.method.as_str(), "DELETE");
        assert_eq!(
            r.url.path(),
            format!("/beta/roleManagement/directory/roleDefinitions{key}"),
            "{id:?}"
        );

        let mut body = UnifiedRoleManagementPolicyExpirationRuleUpdate::new();
        body.is_expiration_required = pim_api::edm::Patch::Value(true);
        client
            .policies()
            .role_management_policies()
            .by_id(id)
            .rules()
            .by_id(id)
            .update(&body)
            .await
            .unwrap();
        let r = last_request(&server).await;
        assert_eq!(r.method.as_str(), "PATCH");
        assert_eq!(
            r.url.path(),
            format!("/beta/policies/roleManagementPolicies{key}/rules{key}"),
            "{id:?}"
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
            json!({
                "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                "isExpirationRequired": true
            })
        );
    }
}

#[tokio::test]
async fn filter_literals_are_escaped_through_a_builder() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let page = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests()
        .list()
        .filter(format!(
            "principalId eq {} and status eq {}",
            Literal::string("O'Neil"),
            Literal::string("a&b=c#d%e+f")
        ))
        .top(5)
        .await
        .unwrap();
    assert!(page.value.is_empty());
    let r = last_request(&server).await;
    assert_eq!(
        r.url.path(),
        "/beta/roleManagement/directory/roleAssignmentScheduleRequests"
    );
    // `O'Neil` → `'O''Neil'`, then percent-encoded; `&`, `=`, `#`, `%`, `+` cannot end
    // the parameter or the query.
    assert_eq!(
        r.url.query(),
        Some(
            "$filter=principalId%20eq%20%27O%27%27Neil%27%20and%20status%20eq%20%27a%26b%3Dc%23d%25e%2Bf%27&$top=5"
        )
    );
    let pairs: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            (
                "$filter".to_owned(),
                "principalId eq 'O''Neil' and status eq 'a&b=c#d%e+f'".to_owned()
            ),
            ("$top".to_owned(), "5".to_owned())
        ]
    );
}

#[tokio::test]
async fn function_parameters_are_inline_and_escaped() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let requests = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests();
    requests
        .filter_by_current_user(RequestFilter::Principal)
        .filter("status eq 'Provisioned'")
        .await
        .unwrap();
    let r = last_request(&server).await;
    assert_eq!(
        r.url.path(),
        "/beta/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')"
    );
    assert_eq!(
        r.url.query(),
        Some("$filter=status%20eq%20%27Provisioned%27")
    );
    // A value the schema does not know is still a quoted, escaped literal: it cannot close
    // the parameter list or start the query.
    requests
        .filter_by_current_user(RequestFilter::Unknown("x') or (on='y ?#".into()))
        .await
        .unwrap();
    let r = last_request(&server).await;
    assert_eq!(
        r.url.path(),
        "/beta/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='x''%29%20or%20%28on%3D''y%20%3F%23')"
    );
    assert_eq!(r.url.query(), None);
}
