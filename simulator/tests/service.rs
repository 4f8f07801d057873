//! The simulated service over HTTP: the request state machine, policy evaluation with the
//! service's codes and messages, approvals, cancellation, permissions, policy edits, PIM
//! for groups, Graph's error envelope, OData query options, and bad input.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn activation_is_granted_then_provisioned_and_deactivation_waits_five_minutes() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let created = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT1H", Some("incident 4711"))),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["status"], "Granted");
    assert_eq!(created.json["isValidationOnly"], false);
    assert!(
        created.json["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("roleAssignmentScheduleRequests/$entity")
    );
    let rid = created.json["id"].as_str().unwrap().to_owned();
    // Frozen clock: nothing moves.
    let got = call(&sim, "GET", &format!("{REQUESTS}/{rid}"), "sim-ben", None).await;
    assert_eq!(got.json["status"], "Granted");
    sim.clock().advance(Duration::from_millis(500));
    let got = call(&sim, "GET", &format!("{REQUESTS}/{rid}"), "sim-ben", None).await;
    assert_eq!(got.json["status"], "PendingProvisioning");
    let mine = format!("{INSTANCES}/filterByCurrentUser(on='principal')");
    assert_eq!(
        call(&sim, "GET", &mine, "sim-ben", None).await.json["value"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    sim.clock().advance(Duration::from_secs(2));
    let got = call(&sim, "GET", &format!("{REQUESTS}/{rid}"), "sim-ben", None).await;
    assert_eq!(got.json["status"], "Provisioned");
    assert!(got.json["completedDateTime"].is_string());
    let instances = call(&sim, "GET", &mine, "sim-ben", None).await;
    let value = instances.json["value"].as_array().unwrap();
    assert_eq!(value.len(), 1, "{}", instances.text);
    assert_eq!(value[0]["assignmentType"], "Activated");
    assert_eq!(value[0]["roleDefinitionId"], USER_ADMIN);
    // The eligibility stays.
    let eligible = call(&sim, "GET", "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')", "sim-ben", None).await;
    assert!(
        eligible.json["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["roleDefinitionId"] == USER_ADMIN)
    );
    // A second activation of the same role.
    let again = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT1H", Some("again"))),
    )
    .await;
    assert_eq!((again.status, again.code()), (400, "RoleAssignmentExists"));
    assert_eq!(again.message(), "The Role assignment already exists.");
    // Deactivating within five minutes.
    let deactivate = json!({"action": "selfDeactivate", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/"});
    let early = call(&sim, "POST", REQUESTS, "sim-ben", Some(&deactivate)).await;
    assert_eq!(
        (early.status, early.code()),
        (400, "ActiveDurationTooShort")
    );
    assert_eq!(
        early.message(),
        "The Active duration is too short. Miniumum Required is 5 minutes."
    );
    sim.clock().advance(Duration::from_secs(5 * 60));
    let done = call(&sim, "POST", REQUESTS, "sim-ben", Some(&deactivate)).await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.json["status"], "Revoked");
    assert_eq!(
        call(&sim, "GET", &mine, "sim-ben", None).await.json["value"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let twice = call(&sim, "POST", REQUESTS, "sim-ben", Some(&deactivate)).await;
    assert_eq!(
        (twice.status, twice.code()),
        (400, "RoleAssignmentDoesNotExist")
    );
}

#[tokio::test]
async fn activations_expire_with_the_clock() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT1H", Some("x"))),
    )
    .await;
    assert_eq!(r.status, 201);
    sim.clock().advance(Duration::from_secs(10));
    let path = format!("{INSTANCES}/filterByCurrentUser(on='principal')");
    assert_eq!(
        call(&sim, "GET", &path, "sim-ben", None).await.json["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    sim.clock().advance(Duration::from_secs(3600));
    assert_eq!(
        call(&sim, "GET", &path, "sim-ben", None).await.json["value"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let schedules = call(
        &sim,
        "GET",
        "/roleManagement/directory/roleAssignmentSchedules/filterByCurrentUser(on='principal')",
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(schedules.json["value"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn every_policy_rule_fails_with_the_services_code_and_message() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let dana = id(&sim, "dana");
    let failed = |rules: &str| format!("The following policy rules failed: {rules}");
    for (token, body, want) in [
        // No justification, and longer than the 8 hours the policy allows.
        (
            "sim-ben",
            activation(&ben, USER_ADMIN, "PT9H", None),
            failed(r#"["ExpirationRule","JustificationRule"]"#),
        ),
        (
            "sim-ben",
            activation(&ben, USER_ADMIN, "PT8H", None),
            failed(r#"["JustificationRule"]"#),
        ),
        // Exchange Administrator needs MFA; sim-ben signed in without it.
        (
            "sim-ben",
            activation(&ben, EXCHANGE_ADMIN, "PT1H", Some("x")),
            failed(r#"["MfaRule"]"#),
        ),
        // Application Administrator needs a ticket (and an authentication context).
        (
            "sim-ben-mfa",
            activation(&ben, APP_ADMIN, "PT1H", Some("x")),
            failed(r#"["TicketingRule"]"#),
        ),
        // Dana is not eligible for anything.
        (
            "sim-dana",
            activation(&dana, USER_ADMIN, "PT1H", Some("x")),
            failed(r#"["EligibilityRule"]"#),
        ),
    ] {
        let r = call(&sim, "POST", REQUESTS, token, Some(&body)).await;
        assert_eq!(
            (r.status, r.code()),
            (400, "RoleAssignmentRequestPolicyValidationFailed"),
            "{}",
            r.text
        );
        assert_eq!(r.message(), want);
    }
    // The authentication context: the claims challenge inside the message.
    let mut body = activation(&ben, APP_ADMIN, "PT1H", Some("x"));
    body["ticketInfo"] = json!({"ticketNumber": "CHG-1", "ticketSystem": "ServiceNow"});
    let r = call(&sim, "POST", REQUESTS, "sim-ben", Some(&body)).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "RoleAssignmentRequestAcrsValidationFailed"),
        "{}",
        r.text
    );
    assert_eq!(
        r.message(),
        "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"
    );
    // A token that satisfies c1 (and has MFA) passes both.
    let ok = call(&sim, "POST", REQUESTS, "sim-ben-mfa", Some(&body)).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let ok = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben-mfa",
        Some(&activation(&ben, EXCHANGE_ADMIN, "PT1H", Some("x"))),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    // Global Reader needs no justification but allows at most 2 hours.
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, GLOBAL_READER, "PT3H", None)),
    )
    .await;
    assert_eq!(r.message(), failed(r#"["ExpirationRule"]"#));
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, GLOBAL_READER, "PT2H", None)),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // An activation without an end, where the policy requires one.
    let mut forever = activation(&ben, SECURITY_ADMIN, "PT1H", Some("x"));
    forever["scheduleInfo"] = json!({"expiration": {"type": "noExpiration"}});
    let r = call(&sim, "POST", REQUESTS, "sim-ben", Some(&forever)).await;
    assert_eq!(r.message(), failed(r#"["ExpirationRule"]"#));
}

#[tokio::test]
async fn validation_only_checks_everything_and_changes_nothing() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let mut body = activation(&ben, USER_ADMIN, "PT1H", Some("x"));
    body["isValidationOnly"] = json!(true);
    let r = call(&sim, "POST", REQUESTS, "sim-ben", Some(&body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["isValidationOnly"], true);
    assert!(sim.stored_requests().is_empty());
    body["justification"] = Value::Null;
    let r = call(&sim, "POST", REQUESTS, "sim-ben", Some(&body)).await;
    assert_eq!(r.code(), "RoleAssignmentRequestPolicyValidationFailed");
    assert!(sim.stored_requests().is_empty());
}

#[tokio::test]
async fn approval_by_a_second_principal_then_provisioning() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let cleo = id(&sim, "cleo");
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(
            &ben,
            SECURITY_ADMIN,
            "PT2H",
            Some("review alerts"),
        )),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["status"], "PendingApproval");
    let approval = r.json["approvalId"]
        .as_str()
        .expect("approvalId")
        .to_owned();
    let rid = r.json["id"].as_str().unwrap().to_owned();
    // Cleo sees it among the requests she approves.
    let pending = call(
        &sim,
        "GET",
        &format!("{REQUESTS}/filterByCurrentUser(on='approver')"),
        "sim-cleo",
        None,
    )
    .await;
    let ids: Vec<_> = pending.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(rid)]);
    let steps_path = format!("/roleManagement/directory/roleAssignmentApprovals/{approval}/steps");
    let steps = call(&sim, "GET", &steps_path, "sim-cleo", None).await;
    let step = &steps.json["value"][0];
    assert_eq!(step["assignedToMe"], true, "{}", steps.text);
    assert_eq!(step["status"], "InProgress");
    assert_eq!(step["reviewResult"], "NotReviewed");
    let step_id = step["id"].as_str().unwrap().to_owned();
    // The requestor cannot approve, nor can anyone else who is not an approver.
    let decision = json!({"reviewResult": "Approve", "justification": "looks right"});
    for token in ["sim-ben", "sim-dana"] {
        let r = call(
            &sim,
            "PATCH",
            &format!("{steps_path}/{step_id}"),
            token,
            Some(&decision),
        )
        .await;
        assert_eq!(r.status, 403, "{token}: {}", r.text);
    }
    // A decision needs a justification here.
    let r = call(
        &sim,
        "PATCH",
        &format!("{steps_path}/{step_id}"),
        "sim-cleo",
        Some(&json!({"reviewResult": "Approve"})),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = call(
        &sim,
        "PATCH",
        &format!("{steps_path}/{step_id}"),
        "sim-cleo",
        Some(&decision),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let again = call(
        &sim,
        "PATCH",
        &format!("{steps_path}/{step_id}"),
        "sim-cleo",
        Some(&decision),
    )
    .await;
    assert_eq!(again.status, 400);
    let got = call(&sim, "GET", &format!("{REQUESTS}/{rid}"), "sim-ben", None).await;
    assert_eq!(got.json["status"], "Granted");
    sim.clock().advance(Duration::from_secs(3));
    let got = call(
        &sim,
        "GET",
        &format!("{REQUESTS}/{rid}?$expand=approval"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(got.json["status"], "Provisioned", "{}", got.text);
    let reviewed = &got.json["approval"]["steps"][0];
    assert_eq!(reviewed["reviewResult"], "Approve");
    assert_eq!(reviewed["reviewedBy"]["id"], json!(cleo));
    assert_eq!(reviewed["assignedToMe"], false);
}

#[tokio::test]
async fn denial_and_cancellation() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, SECURITY_ADMIN, "PT2H", Some("x"))),
    )
    .await;
    let approval = r.json["approvalId"].as_str().unwrap().to_owned();
    let rid = r.json["id"].as_str().unwrap().to_owned();
    let steps_path = format!("/roleManagement/directory/roleAssignmentApprovals/{approval}/steps");
    let step = call(&sim, "GET", &steps_path, "sim-cleo", None).await.json["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = call(
        &sim,
        "PATCH",
        &format!("{steps_path}/{step}"),
        "sim-cleo",
        Some(&json!({"reviewResult": "deny", "justification": "not now"})),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        call(&sim, "GET", &format!("{REQUESTS}/{rid}"), "sim-ben", None)
            .await
            .json["status"],
        "Denied"
    );
    // A denied request cannot be cancelled.
    let r = call(
        &sim,
        "POST",
        &format!("{REQUESTS}/{rid}/cancel"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            400,
            "RequestCannotBeCancelled",
            "Request is not in cancellable state."
        )
    );
    // A pending one can, by its requestor.
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, SECURITY_ADMIN, "PT2H", Some("x"))),
    )
    .await;
    let rid = r.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        call(
            &sim,
            "POST",
            &format!("{REQUESTS}/{rid}/cancel"),
            "sim-dana",
            None
        )
        .await
        .status,
        403
    );
    let c = call(
        &sim,
        "POST",
        &format!("{REQUESTS}/{rid}/cancel"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(c.status, 204, "{}", c.text);
    assert_eq!(
        call(&sim, "GET", &format!("{REQUESTS}/{rid}"), "sim-ben", None)
            .await
            .json["status"],
        "Canceled"
    );
    // No approval remains for Cleo.
    let pending = call(
        &sim,
        "GET",
        &format!("{REQUESTS}/filterByCurrentUser(on='approver')"),
        "sim-cleo",
        None,
    )
    .await;
    assert_eq!(pending.json["value"].as_array().unwrap().len(), 0);
    // Cancelling an eligibility request revokes it.
    let body = json!({"action": "adminAssign", "principalId": id(&sim, "dana"), "roleDefinitionId": GLOBAL_READER,
        "directoryScopeId": "/", "justification": "onboarding"});
    let r = call(
        &sim,
        "POST",
        "/roleManagement/directory/roleEligibilityScheduleRequests",
        "sim-ada",
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let eid = r.json["id"].as_str().unwrap();
    let c = call(
        &sim,
        "POST",
        &format!("/roleManagement/directory/roleEligibilityScheduleRequests/{eid}/cancel"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(c.status, 204, "{}", c.text);
    let got = call(
        &sim,
        "GET",
        &format!("/roleManagement/directory/roleEligibilityScheduleRequests/{eid}"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(got.json["status"], "Revoked");
    // Unknown ids.
    let r = call(
        &sim,
        "POST",
        &format!("{REQUESTS}/00000000-0000-0000-0000-000000000000/cancel"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn administrators_assign_update_extend_and_remove() {
    let sim = sim().await;
    let dana = id(&sim, "dana");
    let assign = |action: &str, duration: Option<&str>| {
        let mut b = json!({"action": action, "principalId": dana, "roleDefinitionId": GLOBAL_READER,
            "directoryScopeId": "/", "justification": "audit"});
        if let Some(d) = duration {
            b["scheduleInfo"] = json!({"expiration": {"type": "afterDuration", "duration": d}});
        }
        b
    };
    // Dana is no administrator.
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-dana",
        Some(&assign("adminAssign", Some("P1D"))),
    )
    .await;
    assert_eq!((r.status, r.code()), (403, "UnauthorizedAccessException"));
    assert_eq!(
        r.message(),
        "Attempted to perform an unauthorized operation."
    );
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ada",
        Some(&assign("adminAssign", Some("P1D"))),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.clock().advance(Duration::from_secs(3));
    assert_eq!(
        call(
            &sim,
            "GET",
            &format!("{REQUESTS}/{}", r.json["id"].as_str().unwrap()),
            "sim-ada",
            None
        )
        .await
        .json["status"],
        "Provisioned"
    );
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ada",
        Some(&assign("adminAssign", Some("P1D"))),
    )
    .await;
    assert_eq!(r.code(), "RoleAssignmentExists");
    // Longer than the 180 days an active assignment may last.
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ada",
        Some(&assign("adminExtend", Some("P200D"))),
    )
    .await;
    assert_eq!(
        r.message(),
        "The following policy rules failed: [\"ExpirationRule\"]"
    );
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ada",
        Some(&assign("adminExtend", Some("P30D"))),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.clock().advance(Duration::from_secs(3));
    let schedules = call(
        &sim,
        "GET",
        &format!(
            "/roleManagement/directory/roleAssignmentSchedules?$filter=principalId eq '{dana}'"
        ),
        "sim-ada",
        None,
    )
    .await;
    let end = schedules.json["value"][0]["scheduleInfo"]["expiration"]["endDateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    let end = chrono::DateTime::parse_from_rfc3339(&end).unwrap().to_utc();
    assert!(
        end - chrono::Utc::now() > chrono::TimeDelta::days(29),
        "{end}"
    );
    // Dana now holds Global Reader: she may read everything.
    assert_eq!(
        call(&sim, "GET", REQUESTS, "sim-dana", None).await.status,
        200
    );
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ada",
        Some(&assign("adminRemove", None)),
    )
    .await;
    assert_eq!(
        (r.status, r.json["status"].as_str()),
        (201, Some("Revoked")),
        "{}",
        r.text
    );
    assert_eq!(
        call(&sim, "GET", REQUESTS, "sim-dana", None).await.status,
        403
    );
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ada",
        Some(&assign("adminRemove", None)),
    )
    .await;
    assert_eq!(r.code(), "RoleAssignmentDoesNotExist");
    // The automation app (an app-only token with RoleManagement.ReadWrite.Directory).
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-automation",
        Some(&assign("adminAssign", Some("PT4H"))),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json["createdBy"]["application"]["id"],
        json!(id(&sim, "automation"))
    );
}

#[tokio::test]
async fn activating_privileged_role_administrator_grants_the_right() {
    let sim = sim().await;
    let mut tenant = pim_sim::Tenant::default_tenant();
    tenant.eligible("dana", "Privileged Role Administrator");
    let sim2 = pim_sim::spawn(tenant).await.expect("spawn");
    drop(sim);
    sim2.clock().freeze();
    let dana = id(&sim2, "dana");
    let body = json!({"action": "adminAssign", "principalId": id(&sim2, "ben"), "roleDefinitionId": GLOBAL_READER,
        "directoryScopeId": "/", "justification": "x"});
    let before = call(
        &sim2,
        "POST",
        "/roleManagement/directory/roleEligibilityScheduleRequests",
        "sim-dana",
        Some(&body),
    )
    .await;
    assert_eq!(before.status, 403);
    let r = call(
        &sim2,
        "POST",
        REQUESTS,
        "sim-dana",
        Some(&activation(&dana, PRA, "PT1H", Some("x"))),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim2.clock().advance(Duration::from_secs(3));
    // Ben is already eligible for Global Reader; a new eligibility is a duplicate.
    let after = call(
        &sim2,
        "POST",
        "/roleManagement/directory/roleEligibilityScheduleRequests",
        "sim-dana",
        Some(&body),
    )
    .await;
    assert_eq!(
        (after.status, after.code()),
        (400, "RoleAssignmentExists"),
        "{}",
        after.text
    );
}

#[tokio::test]
async fn policy_rules_are_read_and_patched() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let q = format!(
        "/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{USER_ADMIN}'&$expand=policy($expand=rules)"
    );
    let r = call(&sim, "GET", &q, "sim-ada", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let assignment = &r.json["value"][0];
    let policy_id = assignment["policyId"].as_str().unwrap().to_owned();
    assert!(
        policy_id.starts_with("DirectoryRole_5b1f6b8e-0d57-4a56-9d5c-0a6e2c1f7e21_"),
        "{policy_id}"
    );
    let rules = assignment["policy"]["rules"].as_array().unwrap();
    let expiry = rules
        .iter()
        .find(|r| r["id"] == "Expiration_EndUser_Assignment")
        .unwrap();
    assert_eq!(
        expiry["@odata.type"],
        "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"
    );
    assert_eq!(expiry["maximumDuration"], "PT8H");
    assert!(assignment["policy"]["rules@odata.context"].is_string());
    // Without the scope filter the service refuses the list.
    assert_eq!(
        call(
            &sim,
            "GET",
            "/policies/roleManagementPolicies",
            "sim-ada",
            None
        )
        .await
        .status,
        400
    );
    let rule_path =
        format!("/policies/roleManagementPolicies/{policy_id}/rules/Expiration_EndUser_Assignment");
    let patch = json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
        "isExpirationRequired": true, "maximumDuration": "PT1H"});
    assert_eq!(
        call(&sim, "PATCH", &rule_path, "sim-ben", Some(&patch))
            .await
            .status,
        403
    );
    let r = call(&sim, "PATCH", &rule_path, "sim-ada", Some(&patch)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = call(&sim, "GET", &rule_path, "sim-ada", None).await;
    assert_eq!(r.json["maximumDuration"], "PT1H", "{}", r.text);
    let effective = call(
        &sim,
        "GET",
        &format!("/policies/roleManagementPolicies/{policy_id}/effectiveRules"),
        "sim-ada",
        None,
    )
    .await;
    assert!(
        effective.json["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["maximumDuration"] == "PT1H")
    );
    // The new maximum applies.
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT2H", Some("x"))),
    )
    .await;
    assert_eq!(
        r.message(),
        "The following policy rules failed: [\"ExpirationRule\"]"
    );
    // Invalid edits.
    for (body, code) in [
        (
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "enabledRules": []}),
            "InvalidPolicy",
        ),
        (json!({"maximumDuration": "soon"}), "InvalidPolicy"),
        (json!({"maximumDuration": 3600}), "BadRequest"),
        (json!({"bogus": 1}), "BadRequest"),
        (json!({"id": "Other_Rule"}), "InvalidPolicy"),
    ] {
        let r = call(&sim, "PATCH", &rule_path, "sim-ada", Some(&body)).await;
        assert_eq!((r.status, r.code()), (400, code), "{body}: {}", r.text);
    }
    assert_eq!(
        call(&sim, "GET", &rule_path, "sim-ada", None).await.json["maximumDuration"],
        "PT1H"
    );
    // Enabling MFA through a PATCH of the whole policy.
    let policy_path = format!("/policies/roleManagementPolicies/{policy_id}");
    let body = json!({"rules": [{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
        "id": "Enablement_EndUser_Assignment", "enabledRules": ["Justification", "MultiFactorAuthentication"]}]});
    let r = call(&sim, "PATCH", &policy_path, "sim-ada", Some(&body)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT1H", Some("x"))),
    )
    .await;
    assert_eq!(
        r.message(),
        "The following policy rules failed: [\"MfaRule\"]"
    );
}

#[tokio::test]
async fn groups_need_a_filter_and_follow_the_same_state_machine() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let group = id(&sim, "operators");
    let base = "/identityGovernance/privilegedAccess/group";
    let r = call(
        &sim,
        "GET",
        &format!("{base}/eligibilityScheduleInstances"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = call(
        &sim,
        "GET",
        &format!("{base}/eligibilityScheduleInstances?$filter=groupId eq '{group}'"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["value"][0]["accessId"], "member");
    assert_eq!(r.json["value"][0]["principalId"], json!(ben));
    let body = json!({"action": "selfActivate", "principalId": ben, "groupId": group, "accessId": "member",
        "justification": "on call", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "PT2H"}}});
    let r = call(
        &sim,
        "POST",
        &format!("{base}/assignmentScheduleRequests"),
        "sim-ben",
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["accessId"], "member");
    let long = json!({"action": "selfActivate", "principalId": ben, "groupId": group, "accessId": "member",
        "justification": "x", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "PT5H"}}});
    // The first request is still being provisioned: the state is checked before the policy.
    let dup = call(
        &sim,
        "POST",
        &format!("{base}/assignmentScheduleRequests"),
        "sim-ben",
        Some(&long),
    )
    .await;
    assert_eq!(dup.code(), "PendingRoleAssignmentRequest", "{}", dup.text);
    sim.clock().advance(Duration::from_secs(3));
    let mine = call(
        &sim,
        "GET",
        &format!("{base}/assignmentScheduleInstances/filterByCurrentUser(on='principal')"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(
        mine.json["value"][0]["assignmentType"], "activated",
        "{}",
        mine.text
    );
    // Ada owns the group: she may assign its owners.
    let owner = json!({"action": "adminAssign", "principalId": id(&sim, "dana"), "groupId": group, "accessId": "owner",
        "justification": "x", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P30D"}}});
    let r = call(
        &sim,
        "POST",
        &format!("{base}/eligibilityScheduleRequests"),
        "sim-ada",
        Some(&owner),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let bad = json!({"action": "adminAssign", "principalId": ben, "groupId": group, "accessId": "admin", "justification": "x"});
    let r = call(
        &sim,
        "POST",
        &format!("{base}/eligibilityScheduleRequests"),
        "sim-ada",
        Some(&bad),
    )
    .await;
    assert_eq!((r.status, r.code()), (400, "InvalidRoleAssignmentRequest"));
}

#[tokio::test]
async fn graph_error_envelope_and_headers() {
    let sim = sim().await;
    let r = call_raw(&sim, "GET", REQUESTS, None, None).await;
    assert_eq!((r.status, r.code()), (401, "InvalidAuthenticationToken"));
    assert!(r.headers.contains_key("www-authenticate"));
    let r = call(&sim, "GET", REQUESTS, "forged", None).await;
    assert_eq!((r.status, r.code()), (401, "InvalidAuthenticationToken"));
    let inner = &r.json["error"]["innerError"];
    let rid = r.headers["request-id"].to_str().unwrap();
    assert_eq!(inner["request-id"], rid);
    assert!(inner["date"].is_string());
    assert_eq!(r.json["error"].as_object().unwrap().len(), 3, "{}", r.text);
    // client-request-id is echoed.
    let resp = reqwest::Client::new()
        .get(format!("{}{REQUESTS}", sim.base_url()))
        .bearer_auth("sim-ada")
        .header("client-request-id", "my-correlation-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["client-request-id"], "my-correlation-1");
    // Unknown segments, methods and ids.
    let r = call(
        &sim,
        "GET",
        "/roleManagement/directory/nothingHere",
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.message()),
        (400, "Resource not found for the segment 'nothingHere'.")
    );
    assert_eq!(
        call(&sim, "DELETE", &format!("{INSTANCES}/x"), "sim-ada", None)
            .await
            .status,
        405
    );
    assert_eq!(
        call(&sim, "PATCH", REQUESTS, "sim-ada", Some(&json!({})))
            .await
            .status,
        405
    );
    assert_eq!(
        call(
            &sim,
            "GET",
            &format!("{REQUESTS}/no-such-id"),
            "sim-ada",
            None
        )
        .await
        .status,
        404
    );
    // Dana reads nothing but her own.
    assert_eq!(
        call(&sim, "GET", INSTANCES, "sim-dana", None).await.status,
        403
    );
    assert_eq!(
        call(
            &sim,
            "GET",
            &format!("{INSTANCES}/filterByCurrentUser(on='principal')"),
            "sim-dana",
            None
        )
        .await
        .status,
        200
    );
    let r = call(
        &sim,
        "GET",
        &format!("{INSTANCES}/filterByCurrentUser(on='approver')"),
        "sim-dana",
        None,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // Case-insensitive segments, as Graph (and the docs' examples) use them.
    let r = call(&sim, "GET", "/roleManagement/directory/RoleAssignmentScheduleRequests/filterByCurrentUser(on='principal')", "sim-ben", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Token expiry follows the simulated clock.
    let mut tenant = pim_sim::Tenant::default_tenant();
    tenant.tokens[0].expires =
        Some((chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339());
    let sim = pim_sim::spawn(tenant).await.unwrap();
    assert_eq!(
        call(&sim, "GET", REQUESTS, "sim-ada", None).await.status,
        200
    );
    sim.clock().advance(Duration::from_secs(7200));
    let r = call(&sim, "GET", REQUESTS, "sim-ada", None).await;
    assert_eq!(
        (r.status, r.message()),
        (401, "Lifetime validation failed, the token is expired.")
    );
}

#[tokio::test]
async fn odata_query_options() {
    let sim = pim_sim::Simulator::builder(pim_sim::Tenant::default_tenant())
        .page_size(3)
        .spawn()
        .await
        .unwrap();
    let defs = "/roleManagement/directory/roleDefinitions";
    // Server-driven paging: follow every nextLink.
    let mut url = format!("{defs}?$count=true&$select=id,displayName");
    let mut seen = Vec::new();
    let mut total = None;
    for _ in 0..50 {
        let r = call(&sim, "GET", &url, "sim-dana", None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        total = total.or(r.json["@odata.count"].as_u64());
        assert!(
            r.json["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("roleDefinitions(id,displayName)")
        );
        for v in r.json["value"].as_array().unwrap() {
            assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
            seen.push(v["displayName"].as_str().unwrap().to_owned());
        }
        match r.json["@odata.nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(sim.base_url()).unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(total, Some(seen.len() as u64));
    assert!(seen.len() > 10);
    assert!(seen.contains(&"Global Reader".to_owned()));
    // $top sets the page size.
    let r = call(&sim, "GET", &format!("{defs}?$top=5"), "sim-dana", None).await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 5);
    // /$count is plain text.
    let r = call(
        &sim,
        "GET",
        &format!("{defs}/$count?$filter=isPrivileged eq false"),
        "sim-dana",
        None,
    )
    .await;
    assert_eq!(r.headers["content-type"], "text/plain");
    let privileged: usize = r.text.parse().unwrap();
    assert!(privileged > 0 && privileged < seen.len());
    // eq, ne, in, and, or, not; GUIDs and dates.
    for (filter, want) in [
        (format!("id eq '{GLOBAL_READER}'"), 1),
        (format!("id eq {GLOBAL_READER}"), 1),
        (
            "displayName in ('Global Reader', 'Global Administrator')".to_owned(),
            2,
        ),
        (
            "displayName eq 'Global Reader' or displayName eq 'Nope'".to_owned(),
            1,
        ),
        (
            "isBuiltIn eq true and not (isPrivileged eq true)".to_owned(),
            privileged,
        ),
        ("displayName ne 'Global Reader'".to_owned(), seen.len() - 1),
    ] {
        let r = call(
            &sim,
            "GET",
            &format!("{defs}/$count?$filter={filter}"),
            "sim-dana",
            None,
        )
        .await;
        assert_eq!(r.text, want.to_string(), "{filter}: {}", r.text);
    }
    // $orderby.
    let r = call(
        &sim,
        "GET",
        &format!("{defs}?$orderby=displayName desc&$top=1&$select=displayName"),
        "sim-dana",
        None,
    )
    .await;
    assert_eq!(r.json["value"][0]["displayName"], "User Administrator");
    // Anything else is a 400 with the reason, never ignored.
    for (query, needle) in [
        (
            "$filter=startswith(displayName,'G')",
            "function 'startswith'",
        ),
        ("$filter=version gt '1'", "operator 'gt'"),
        ("$filter=rolePermissions eq null", "cannot be used"),
        ("$filter=displayName eq 'unterminated", "unterminated"),
        ("$search=\"admin\"", "not supported"),
        (
            "$select=bogus",
            "Could not find a property named 'bogus' on type 'microsoft.graph.unifiedRoleDefinition'",
        ),
        ("$expand=displayName", "not a navigation property"),
        ("$top=1000", "Invalid page size"),
    ] {
        let r = call(&sim, "GET", &format!("{defs}?{query}"), "sim-dana", None).await;
        assert_eq!(r.status, 400, "{query}");
        assert!(r.message().contains(needle), "{query}: {}", r.message());
    }
}

#[tokio::test]
async fn bad_input_is_a_400_and_changes_nothing() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let before = sim.stored_requests();
    let body = |v: Value| Some(v.to_string().into_bytes());
    let cases: Vec<(Option<Vec<u8>>, &str)> = vec![
        (
            Some(b"{not json".to_vec()),
            "Unable to read JSON request payload",
        ),
        (Some(b"".to_vec()), "Unable to read JSON request payload"),
        (Some(b"[1,2]".to_vec()), "The model is invalid"),
        (body(json!({"action": 7})), "The model is invalid"),
        (
            body(
                json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/",
            "justification": "x", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": 3600}}}),
            ),
            "The model is invalid",
        ),
        (
            body(
                json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/",
            "justification": "x", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "8 hours"}}}),
            ),
            "The model is invalid",
        ),
        (
            body(
                json!({"principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/"}),
            ),
            "Parameter name: action",
        ),
        (
            body(
                json!({"action": "selfDestruct", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/"}),
            ),
            "is not a request action",
        ),
        (
            body(
                json!({"action": "selfActivate", "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/"}),
            ),
            "Parameter name: principalId",
        ),
        (
            body(json!({"action": "selfActivate", "principalId": ben, "directoryScopeId": "/"})),
            "Parameter name: roleDefinitionId",
        ),
        (
            body(
                json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": USER_ADMIN}),
            ),
            "Parameter name: directoryScopeId",
        ),
        (
            body(
                json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": "../../x", "directoryScopeId": "/"}),
            ),
            "does not exist",
        ),
        (
            body(
                json!({"action": "selfActivate", "principalId": id(&sim, "ada"), "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/"}),
            ),
            "by the principal itself",
        ),
        (
            body(
                json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/", "surprise": true}),
            ),
            "The property 'surprise' does not exist",
        ),
        (
            body(
                json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/", "justification": "x",
            "scheduleInfo": {"startDateTime": "yesterday-ish"}}),
            ),
            "The model is invalid",
        ),
    ];
    for (payload, needle) in cases {
        let r = call_raw(&sim, "POST", REQUESTS, Some("sim-ben"), payload.clone()).await;
        assert_eq!(
            r.status,
            400,
            "{:?}: {}",
            payload.map(String::from_utf8),
            r.text
        );
        assert!(r.message().contains(needle), "{needle}: {}", r.text);
        assert!(r.json["error"]["innerError"]["request-id"].is_string());
    }
    // Oversized bodies.
    let big = vec![b' '; 2 * 1024 * 1024];
    let r = call_raw(&sim, "POST", REQUESTS, Some("sim-ben"), Some(big)).await;
    assert_eq!(r.status, 413, "{}", r.text);
    // Hostile ids and filter values.
    for path in [
        format!("{REQUESTS}/..%2F..%2Fpolicies"),
        format!("{REQUESTS}/%27%20or%201%20eq%201"),
        format!("{REQUESTS}('x''y')"),
        format!("{REQUESTS}/{}", "a".repeat(10_000)),
        format!("{REQUESTS}/%F0%9F%92%A3"),
        format!("{REQUESTS}/%FF%FE"),
        format!("{REQUESTS}?$filter=principalId eq '' or ''=''"),
        format!("{REQUESTS}?$filter={}", "(".repeat(5000)),
        format!("{REQUESTS}?$filter=principalId eq '%00'"),
        format!("{REQUESTS}?$expand={}", "policy($expand=".repeat(50)),
        format!("{REQUESTS}?$skiptoken=sim-99999999999999999999999"),
        "/policies/roleManagementPolicies('x')/rules('..')".to_owned(),
    ] {
        let r = call(&sim, "GET", &path, "sim-ada", None).await;
        assert!(
            matches!(r.status, 200 | 400 | 404),
            "{path}: {} {}",
            r.status,
            r.text
        );
        if r.status != 200 {
            assert!(!r.code().is_empty(), "{path}: {}", r.text);
        }
    }
    assert_eq!(sim.stored_requests(), before);
    // The service still works.
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT1H", Some("x"))),
    )
    .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn update_renew_self_extension_and_a_request_that_fails() {
    let sim = sim().await;
    let dana = id(&sim, "dana");
    let ben = id(&sim, "ben");
    let admin = |action: &str, duration: Option<&str>| {
        let mut b = json!({"action": action, "principalId": dana, "roleDefinitionId": GLOBAL_READER,
            "directoryScopeId": "/", "justification": "audit"});
        if let Some(d) = duration {
            b["scheduleInfo"] = json!({"expiration": {"type": "afterDuration", "duration": d}});
        }
        b
    };
    let post = |body: Value| {
        let sim = &sim;
        async move { call(sim, "POST", REQUESTS, "sim-ada", Some(&body)).await }
    };
    assert_eq!(post(admin("adminAssign", Some("PT2H"))).await.status, 201);
    sim.clock().advance(Duration::from_secs(3));
    // adminUpdate changes the schedule in place.
    let r = post(admin("adminUpdate", Some("PT5H"))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.clock().advance(Duration::from_secs(3));
    let instances = call(
        &sim,
        "GET",
        &format!("{INSTANCES}?$filter=principalId eq '{dana}'"),
        "sim-ada",
        None,
    )
    .await;
    let end = instances.json["value"][0]["endDateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = instances.json["value"][0]["startDateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    let hours = chrono::DateTime::parse_from_rfc3339(&end).unwrap()
        - chrono::DateTime::parse_from_rfc3339(&start).unwrap();
    assert_eq!(hours.num_hours(), 5, "{}", instances.text);
    // After it expires, adminRenew revives it.
    sim.clock().advance(Duration::from_secs(6 * 3600));
    let gone = call(
        &sim,
        "GET",
        &format!("{INSTANCES}?$filter=principalId eq '{dana}'"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(gone.json["value"].as_array().unwrap().len(), 0);
    let r = post(admin("adminExtend", Some("PT1H"))).await;
    assert_eq!(
        r.code(),
        "RoleAssignmentDoesNotExist",
        "an expired assignment is renewed, not extended"
    );
    let r = post(admin("adminRenew", Some("PT1H"))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    sim.clock().advance(Duration::from_secs(3));
    let back = call(
        &sim,
        "GET",
        &format!("{INSTANCES}?$filter=principalId eq '{dana}'"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(
        back.json["value"].as_array().unwrap().len(),
        1,
        "{}",
        back.text
    );
    // A user asks for an extension: an administrator decides.
    let r = call(&sim, "POST", "/roleManagement/directory/roleEligibilityScheduleRequests", "sim-ben", Some(&json!({
        "action": "selfExtend", "principalId": ben, "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/",
        "justification": "still needed", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P30D"}}
    }))).await;
    assert_eq!(
        (r.status, r.json["status"].as_str()),
        (201, Some("PendingAdminDecision")),
        "{}",
        r.text
    );
    // A request whose target disappears before it takes effect fails.
    let r = post(admin("adminUpdate", Some("PT3H"))).await;
    assert_eq!(r.status, 201);
    let update = r.json["id"].as_str().unwrap().to_owned();
    let r = post(admin("adminRemove", None)).await;
    assert_eq!(r.json["status"], "Revoked", "{}", r.text);
    sim.clock().advance(Duration::from_secs(3));
    let got = call(
        &sim,
        "GET",
        &format!("{REQUESTS}/{update}"),
        "sim-ada",
        None,
    )
    .await;
    assert_eq!(got.json["status"], "Failed", "{}", got.text);
}

#[tokio::test]
async fn related_entities_are_expanded_and_navigable() {
    let sim = sim().await;
    let ben = id(&sim, "ben");
    let r = call(
        &sim,
        "POST",
        REQUESTS,
        "sim-ben",
        Some(&activation(&ben, USER_ADMIN, "PT1H", Some("x"))),
    )
    .await;
    let rid = r.json["id"].as_str().unwrap().to_owned();
    sim.clock().advance(Duration::from_secs(3));
    let q = format!(
        "{REQUESTS}/{rid}?$expand=principal,roleDefinition($select=displayName),targetSchedule,activatedUsing&$select=id,status"
    );
    let got = call(&sim, "GET", &q, "sim-ben", None).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(
        got.json["principal"]["@odata.type"],
        "#microsoft.graph.user"
    );
    assert_eq!(got.json["principal"]["displayName"], "Ben Okafor");
    assert_eq!(
        got.json["roleDefinition"],
        json!({"displayName": "User Administrator"})
    );
    assert_eq!(got.json["targetSchedule"]["assignmentType"], "Activated");
    assert_eq!(got.json["activatedUsing"]["roleDefinitionId"], USER_ADMIN);
    assert!(
        got.json.get("principalId").is_none(),
        "$select keeps only what was asked"
    );
    assert!(
        got.json["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("roleAssignmentScheduleRequests(id,status)/$entity")
    );
    // The same navigations as paths.
    let role = call(
        &sim,
        "GET",
        &format!("{REQUESTS}/{rid}/roleDefinition"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(role.json["id"], USER_ADMIN, "{}", role.text);
    let instance = call(
        &sim,
        "GET",
        &format!("{INSTANCES}/filterByCurrentUser(on='principal')?$expand=roleDefinition"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(
        instance.json["value"][0]["roleDefinition"]["displayName"], "User Administrator",
        "{}",
        instance.text
    );
    let none = call(
        &sim,
        "GET",
        &format!("{REQUESTS}/{rid}/approval"),
        "sim-ben",
        None,
    )
    .await;
    assert_eq!(none.status, 404, "no approval: {}", none.text);
}
