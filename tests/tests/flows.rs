//! The PIM flows of the examples (`pim_api_examples::flows`), run against a loopback server:
//! each mock matches the exact method, path, query and JSON body Graph expects and must be
//! hit exactly once (checked when the server drops), and the typed results are checked.

use pim_api::models::{AllowedRolePrincipalTypes, UnifiedRoleManagementPolicyRuleKind as Rule};
use pim_api::runtime::{Client, StaticToken};
use pim_api_examples::flows::{self, RequestKind};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REQUESTS: &str = "/beta/roleManagement/directory/roleAssignmentScheduleRequests";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("flow-token"))
        .build()
        .unwrap()
}

/// A created request as Graph echoes it.
fn created(action: &str) -> serde_json::Value {
    json!({"id": "req-1", "status": "Provisioned", "action": action})
}

#[tokio::test]
async fn role_definitions_are_listed_with_a_filter() {
    let server = MockServer::start().await;
    let base = "/beta/roleManagement/directory/roleDefinitions";
    Mock::given(method("GET"))
        .and(path(base))
        .and(query_param("$filter", "displayName eq 'Owner''s Helper'"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{
                "id": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
                "displayName": "Owner's Helper",
                "isBuiltIn": false, "isEnabled": true, "isPrivileged": true,
                "allowedPrincipalTypes": "user,servicePrincipal",
                "resourceScopes": ["/"],
                "rolePermissions": [{"allowedResourceActions": [
                    "microsoft.directory/applications/basic/update"
                ], "condition": null}],
                "templateId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "version": "1"
            }],
            "@odata.nextLink": format!("{}{base}?$skiptoken=2", server.uri())
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(base))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    let roles = flows::role_definitions(&client(&server), Some("Owner's Helper"))
        .await
        .unwrap();
    assert_eq!(roles.len(), 1);
    let role = &roles[0];
    assert_eq!(role.display_name.as_deref(), Some("Owner's Helper"));
    assert_eq!(role.is_privileged, Some(true));
    // A flags enum: both members, typed.
    let types = role.allowed_principal_types.as_ref().unwrap();
    assert!(types.contains(&AllowedRolePrincipalTypes::User));
    assert!(types.contains(&AllowedRolePrincipalTypes::ServicePrincipal));
    assert!(!types.contains(&AllowedRolePrincipalTypes::Group));
    let permissions = role.role_permissions.as_ref().unwrap();
    assert_eq!(
        permissions[0].allowed_resource_actions.as_deref().unwrap(),
        ["microsoft.directory/applications/basic/update"]
    );
}

#[tokio::test]
async fn role_settings_follow_pages_and_decode_polymorphic_rules() {
    let server = MockServer::start().await;
    let base = "/beta/policies/roleManagementPolicyAssignments";
    Mock::given(method("GET"))
        .and(path(base))
        .and(query_param(
            "$filter",
            "scopeId eq '/' and scopeType eq 'DirectoryRole'",
        ))
        .and(query_param("$expand", "policy($expand=rules)"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{
                "id": "Directory_t_p1_r1", "policyId": "Directory_t_p1", "scopeId": "/",
                "scopeType": "DirectoryRole", "roleDefinitionId": "r1",
                "policy": {"id": "Directory_t_p1", "displayName": "DirectoryRole", "description": "",
                    "scopeId": "/", "scopeType": "DirectoryRole",
                    "rules": [
                        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                         "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT8H"},
                        {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
                         "id": "Enablement_EndUser_Assignment", "enabledRules": ["Justification", "MultiFactorAuthentication"]}
                    ]}
            }],
            "@odata.nextLink": format!("{}{base}?$skiptoken=page2", server.uri())
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(base))
        .and(query_param("$skiptoken", "page2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "Directory_t_p2_r2", "policyId": "Directory_t_p2", "scopeId": "/",
                       "scopeType": "DirectoryRole", "roleDefinitionId": "r2"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let assignments = flows::role_settings(&client(&server)).await.unwrap();
    assert_eq!(assignments.len(), 2);
    let rules = assignments[0]
        .policy
        .as_ref()
        .unwrap()
        .rules
        .as_ref()
        .unwrap();
    let Rule::UnifiedRoleManagementPolicyExpirationRule(expiry) = &rules[0] else {
        panic!("dispatched on @odata.type: {rules:?}")
    };
    assert_eq!(expiry.maximum_duration.as_ref().unwrap().as_str(), "PT8H");
    assert!(matches!(
        rules[1],
        Rule::UnifiedRoleManagementPolicyEnablementRule(_)
    ));
}

#[tokio::test]
async fn policy_rule_update_sends_only_what_changes() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(
            "/beta/policies/roleManagementPolicies/Directory_t_p1/rules/Expiration_EndUser_Assignment",
        ))
        .and(body_json(json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "isExpirationRequired": true,
            "maximumDuration": "PT4H"
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    flows::set_max_activation(&client(&server), "Directory_t_p1", "PT4H")
        .await
        .unwrap();
}

#[tokio::test]
async fn assignments_are_listed_across_pages() {
    let server = MockServer::start().await;
    let base = "/beta/roleManagement/directory/roleAssignmentScheduleInstances";
    Mock::given(method("GET"))
        .and(path(base))
        .and(query_param("$filter", "principalId eq 'p''1'"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "a1", "principalId": "p'1", "roleDefinitionId": "r1", "assignmentType": "Activated"}],
            "@odata.nextLink": format!("{}{base}?$skiptoken=2", server.uri())
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(base))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": "a2", "principalId": "p'1", "roleDefinitionId": "r2", "assignmentType": "Assigned"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let all = flows::list_assignments(&client(&server), Some("p'1"))
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|a| a.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["a1", "a2"]);
}

/// Mounts the POST of one role assignment schedule request with exactly `body`.
async fn expect_request(server: &MockServer, body: serde_json::Value) {
    let action = body["action"].as_str().unwrap().to_owned();
    Mock::given(method("POST"))
        .and(path(REQUESTS))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(201).set_body_json(created(&action)))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn assignment_requests_for_each_action() {
    let server = MockServer::start().await;
    let c = client(&server);
    let base = |action: &str, justification: Option<&str>| {
        let mut v = json!({
            "action": action,
            "principalId": "p1",
            "roleDefinitionId": "r1",
            "directoryScopeId": "/"
        });
        if let Some(j) = justification {
            v["justification"] = json!(j);
        }
        v
    };
    let for_duration = |d: &str| json!({"expiration": {"type": "afterDuration", "duration": d}});

    let mut body = base("adminAssign", Some("on call"));
    body["scheduleInfo"] = json!({"expiration": {"type": "noExpiration"}});
    expect_request(&server, body).await;
    let r = flows::create_assignment(&c, "p1", "r1", "on call", None)
        .await
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("Provisioned"));

    let mut body = base("selfActivate", Some("INC-42: fix the outage"));
    body["scheduleInfo"] = for_duration("PT4H");
    expect_request(&server, body).await;
    let r = flows::activate(&c, "p1", "r1", "INC-42: fix the outage", "PT4H")
        .await
        .unwrap();
    assert_eq!(r.action.as_deref(), Some("selfActivate"));

    // Deactivation carries neither a schedule nor a justification.
    expect_request(&server, base("selfDeactivate", None)).await;
    flows::deactivate(&c, "p1", "r1").await.unwrap();

    let mut body = base("adminExtend", Some("project extended"));
    body["scheduleInfo"] = for_duration("P90D");
    expect_request(&server, body).await;
    flows::extend(&c, "p1", "r1", "project extended", "P90D")
        .await
        .unwrap();

    let mut body = base("adminRenew", Some("new term"));
    body["scheduleInfo"] = for_duration("P180D");
    expect_request(&server, body).await;
    flows::renew(&c, "p1", "r1", "new term", "P180D")
        .await
        .unwrap();
}

/// Mounts the PATCH of the approval step at `step_path` with exactly the decision's body
/// (Graph answers 204).
async fn expect_decision(server: &MockServer, step_path: &str, result: &str, justification: &str) {
    Mock::given(method("PATCH"))
        .and(path(step_path))
        .and(body_json(
            json!({"reviewResult": result, "justification": justification}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn group_approval_decides_the_step_assigned_to_me() {
    let server = MockServer::start().await;
    let steps = "/beta/identityGovernance/privilegedAccess/group/assignmentApprovals/ap-1/steps";
    Mock::given(method("GET"))
        .and(path(steps))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [
            {"id": "s0", "assignedToMe": false, "status": "Completed", "reviewResult": "Approve"},
            {"id": "s1", "assignedToMe": true, "status": "InProgress", "reviewResult": "NotReviewed"}
        ]})))
        .expect(2)
        .mount(&server)
        .await;
    let step = format!("{steps}/s1");
    expect_decision(&server, &step, "Deny", "not on call").await;
    expect_decision(&server, &step, "Approve", "ok").await;
    let c = client(&server);
    let step = flows::decide_group_approval(&c, "ap-1", false, "not on call")
        .await
        .unwrap();
    assert_eq!(step.as_deref(), Some("s1"));
    let step = flows::decide_group_approval(&c, "ap-1", true, "ok")
        .await
        .unwrap();
    assert_eq!(step.as_deref(), Some("s1"));
}

#[tokio::test]
async fn role_approval_step_is_approved_with_a_typed_patch() {
    let server = MockServer::start().await;
    // The approval id of a role request is the request's `approvalId`.
    let approval = "/beta/roleManagement/directory/roleAssignmentApprovals/9f2b5ddb-a50e-44a1-a6f4-f616322262ea";
    Mock::given(method("GET"))
        .and(path(
            "/beta/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')",
        ))
        .and(query_param("$filter", "status eq 'PendingApproval'"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{
            "id": "9f2b5ddb-a50e-44a1-a6f4-f616322262ea", "status": "PendingApproval",
            "approvalId": "9f2b5ddb-a50e-44a1-a6f4-f616322262ea", "action": "SelfActivate",
            "principalId": "d96ea738-3b95-4ae7-9e19-78a083066d5b",
            "roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "justification": "test"
        }]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{approval}/steps")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [
            {"id": "st-0", "assignedToMe": false, "status": "InProgress", "reviewResult": "NotReviewed"},
            {"id": "st-1", "assignedToMe": true, "status": "InProgress", "reviewResult": "NotReviewed",
             "justification": "", "reviewedBy": null, "reviewedDateTime": null}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    expect_decision(
        &server,
        &format!("{approval}/steps/st-1"),
        "Approve",
        "Trusted User",
    )
    .await;
    let c = client(&server);
    let pending = flows::pending_role_approvals(&c).await.unwrap();
    let approval_id = pending[0].approval_id.as_deref().unwrap();
    let step = flows::decide_role_approval(&c, approval_id, true, "Trusted User")
        .await
        .unwrap();
    assert_eq!(step.as_deref(), Some("st-1"));
    // Exactly the three requests, in order, and the PATCH carries nothing else.
    let received = server.received_requests().await.unwrap();
    let methods: Vec<&str> = received.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "GET", "PATCH"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&received[2].body).unwrap(),
        json!({"reviewResult": "Approve", "justification": "Trusted User"})
    );
}

#[tokio::test]
async fn cancel_each_kind_of_request() {
    let server = MockServer::start().await;
    let c = client(&server);
    let kinds = [
        (RequestKind::RoleAssignment, REQUESTS.to_owned()),
        (
            RequestKind::RoleEligibility,
            "/beta/roleManagement/directory/roleEligibilityScheduleRequests".to_owned(),
        ),
        (
            RequestKind::GroupAssignment,
            "/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests".to_owned(),
        ),
        (
            RequestKind::GroupEligibility,
            "/beta/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests"
                .to_owned(),
        ),
    ];
    for (kind, base) in kinds {
        // An id with a slash stays one segment.
        Mock::given(method("POST"))
            .and(path(format!("{base}/req%2F1/cancel")))
            .and(body_string(""))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        flows::cancel(&c, kind, "req/1").await.unwrap();
    }
}

#[cfg(feature = "iteration2")]
#[allow(deprecated)]
mod iteration2 {
    use super::*;
    use pim_api_examples::flows::iteration2;

    #[tokio::test]
    async fn roles_and_settings() {
        let server = MockServer::start().await;
        let resource = "/beta/privilegedAccess/azureResources/resources/res-1";
        Mock::given(method("GET"))
            .and(path(format!("{resource}/roleDefinitions")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [
                {"id": "d1", "displayName": "Reader", "resourceId": "res-1"}
            ]})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{resource}/roleSettings")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [
                {"id": "s1", "roleDefinitionId": "d1", "isDefault": true}
            ]})))
            .expect(1)
            .mount(&server)
            .await;
        let (definitions, settings) =
            iteration2::roles(&client(&server), "azureResources", "res-1")
                .await
                .unwrap();
        assert_eq!(definitions[0].display_name.as_deref(), Some("Reader"));
        assert_eq!(settings[0].role_definition_id.as_deref(), Some("d1"));
    }

    #[tokio::test]
    async fn export_returns_the_csv_graph_sends() {
        let server = MockServer::start().await;
        let csv = "\u{feff}Assignment Level,User Group Name,Role Name\r\nResource,Alex,Reader\r\n";
        Mock::given(method("GET"))
            .and(path(
                "/beta/privilegedAccess/azureResources/roleAssignments/export",
            ))
            .and(query_param("$filter", "resourceId eq 'res-1'"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(csv.as_bytes().to_vec(), "application/octet-stream"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let exported = iteration2::export_assignments(&client(&server), "azureResources", "res-1")
            .await
            .unwrap();
        assert_eq!(exported, csv.trim_start_matches('\u{feff}'));
    }

    #[tokio::test]
    async fn approve_and_deny_with_update_request() {
        let server = MockServer::start().await;
        let url = "/beta/privilegedAccess/aadroles/roleAssignmentRequests/rq-1/updateRequest";
        Mock::given(method("POST"))
            .and(path(url))
            .and(body_json(
                json!({"decision": "AdminApproved", "reason": "ok"}),
            ))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(url))
            .and(body_json(
                json!({"decision": "AdminDenied", "reason": "no"}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "rq-1", "assignmentState": "Eligible", "type": "AdminAdd",
                "status": {"status": "Closed", "subStatus": "Denied"}
            })))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server);
        // 204: the nullable result is `None`.
        let approved = iteration2::decide(&c, "aadroles", "rq-1", true, "ok")
            .await
            .unwrap();
        assert!(approved.is_none());
        let denied = iteration2::decide(&c, "aadroles", "rq-1", false, "no")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(denied.status.unwrap().sub_status.as_deref(), Some("Denied"));
    }
}
