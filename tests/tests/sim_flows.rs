//! Every seed flow of `pim_api_examples::flows`, end to end against the local PIM service:
//! the same functions the example binaries call, with typed results checked against what
//! the simulated service did. (`tests/flows.rs` checks the exact requests against mocks;
//! here the service is real enough to answer them.)

use std::time::Duration;

use pim_api::models::UnifiedRoleManagementPolicyRuleKind as Rule;
use pim_api::runtime::ErrorKind;
use pim_api_examples::flows::{self, RequestKind};
use pim_sim::{Simulator, Tenant};

const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const APP_ADMIN: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

async fn sim() -> Simulator {
    Simulator::builder(Tenant::default_tenant())
        .provisioning_delay(Duration::from_millis(200))
        .page_size(4)
        .spawn()
        .await
        .expect("simulator")
}

#[tokio::test]
async fn list_role_definitions() {
    let sim = sim().await;
    let client = sim.client("sim-dana").unwrap();
    // Several pages of four.
    let all = flows::role_definitions(&client, None).await.unwrap();
    assert!(all.len() > 8);
    let reader = flows::role_definitions(&client, Some("Global Reader"))
        .await
        .unwrap();
    assert_eq!(reader.len(), 1);
    assert_eq!(reader[0].id.as_deref(), Some(GLOBAL_READER));
    assert_eq!(reader[0].is_built_in, Some(true));
    // A quote in the name is escaped by the client and unescaped by the service.
    assert!(
        flows::role_definitions(&client, Some("O'Brien's role"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn read_and_update_a_role_setting() {
    let sim = sim().await;
    let client = sim.client("sim-ada").unwrap();
    let settings = flows::role_settings(&client).await.unwrap();
    let user_admin = settings
        .iter()
        .find(|a| a.role_definition_id.as_deref() == Some(USER_ADMIN))
        .expect("the User Administrator policy");
    let policy = user_admin.policy.as_ref().expect("expanded");
    let max = |policy: &pim_api::models::UnifiedRoleManagementPolicy| {
        policy.rules.iter().flatten().find_map(|r| match r {
            Rule::UnifiedRoleManagementPolicyExpirationRule(e)
                if e.id.as_deref() == Some(flows::ACTIVATION_RULE) =>
            {
                e.maximum_duration.as_ref().map(|d| d.as_str().to_owned())
            }
            _ => None,
        })
    };
    assert_eq!(max(policy).as_deref(), Some("PT8H"));
    let policy_id = policy.id.clone().unwrap();
    flows::set_max_activation(&client, &policy_id, "PT4H")
        .await
        .unwrap();
    let settings = flows::role_settings(&client).await.unwrap();
    let after = settings
        .iter()
        .find(|a| a.role_definition_id.as_deref() == Some(USER_ADMIN))
        .and_then(|a| a.policy.as_ref())
        .unwrap();
    assert_eq!(max(after).as_deref(), Some("PT4H"));
    // Only administrators may change it.
    let ben = sim.client("sim-ben").unwrap();
    let err = flows::set_max_activation(&ben, &policy_id, "PT8H")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn list_and_export_assignments() {
    let sim = sim().await;
    let client = sim.client("sim-ada").unwrap();
    let active = flows::list_assignments(&client, None).await.unwrap();
    assert_eq!(active.len(), 2, "Ada's and Cleo's permanent assignments");
    let ada = sim.principal_id("ada").unwrap();
    let adas = flows::list_assignments(&client, Some(&ada)).await.unwrap();
    assert_eq!(adas.len(), 1);
    assert_eq!(adas[0].assignment_type.as_deref(), Some("Assigned"));
    let csv = flows::export_assignments(&client).await.unwrap();
    assert_eq!(csv.lines().count(), 1 + 6 + 2, "{csv}");
    assert!(csv.contains(&format!(
        "eligible,{},{USER_ADMIN},/,Direct,",
        sim.principal_id("ben").unwrap()
    )));
}

#[tokio::test]
async fn create_and_remove_eligible_and_active_assignments() {
    let sim = sim().await;
    let client = sim.client("sim-ada").unwrap();
    let dana = sim.principal_id("dana").unwrap();
    let r = flows::create_eligibility(&client, &dana, USER_ADMIN, "new admin", Some("P90D"))
        .await
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("Granted"));
    let r = flows::create_assignment(&client, &dana, GLOBAL_READER, "audit", Some("P7D"))
        .await
        .unwrap();
    let settled =
        flows::wait_until_settled(&client, r.id.as_deref().unwrap(), Duration::from_secs(10))
            .await
            .unwrap();
    assert_eq!(settled.status.as_deref(), Some("Provisioned"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let danas = flows::list_assignments(&client, Some(&dana)).await.unwrap();
    assert_eq!(danas.len(), 1);
    assert!(
        flows::export_assignments(&client)
            .await
            .unwrap()
            .contains(&format!("eligible,{dana},{USER_ADMIN}"))
    );
    // Removing: active at once, eligible at once.
    let r = flows::remove_assignment(&client, &dana, GLOBAL_READER)
        .await
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("Revoked"));
    assert!(
        flows::list_assignments(&client, Some(&dana))
            .await
            .unwrap()
            .is_empty()
    );
    let r = flows::remove_eligibility(&client, &dana, USER_ADMIN)
        .await
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("Revoked"));
    assert!(
        !flows::export_assignments(&client)
            .await
            .unwrap()
            .contains(&dana)
    );
    // Removing what does not exist.
    let err = flows::remove_assignment(&client, &dana, GLOBAL_READER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RoleAssignmentDoesNotExist"));
}

#[tokio::test]
async fn activate_wait_and_deactivate() {
    let sim = sim().await;
    let client = sim.client("sim-ben").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let r = flows::activate(&client, &ben, USER_ADMIN, "incident 4711", "PT1H")
        .await
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("Granted"));
    let settled =
        flows::wait_until_settled(&client, r.id.as_deref().unwrap(), Duration::from_secs(10))
            .await
            .unwrap();
    assert_eq!(settled.status.as_deref(), Some("Provisioned"));
    // Ben cannot list everyone's assignments, but his own activation is there for Ada.
    let ada = sim.client("sim-ada").unwrap();
    let bens = flows::list_assignments(&ada, Some(&ben)).await.unwrap();
    assert_eq!(bens[0].assignment_type.as_deref(), Some("Activated"));
    let early = flows::deactivate(&client, &ben, USER_ADMIN)
        .await
        .unwrap_err();
    assert_eq!(early.code(), Some("ActiveDurationTooShort"));
    sim.clock().advance(Duration::from_secs(300));
    let r = flows::deactivate(&client, &ben, USER_ADMIN).await.unwrap();
    assert_eq!(r.status.as_deref(), Some("Revoked"));
    assert!(
        flows::list_assignments(&ada, Some(&ben))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn approval_by_a_second_principal_then_denial() {
    let sim = sim().await;
    let ben = sim.principal_id("ben").unwrap();
    let bens = sim.client("sim-ben").unwrap();
    let cleos = sim.client("sim-cleo").unwrap();
    let r = flows::activate(&bens, &ben, SECURITY_ADMIN, "review alerts", "PT2H")
        .await
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("PendingApproval"));
    let pending = flows::pending_role_approvals(&cleos).await.unwrap();
    assert_eq!(pending.len(), 1);
    let approval = pending[0].approval_id.clone().unwrap();
    // Ben is not an approver of his own request.
    assert_eq!(
        flows::decide_role_approval(&bens, &approval, true, "me")
            .await
            .unwrap(),
        None
    );
    let step = flows::decide_role_approval(&cleos, &approval, true, "ok")
        .await
        .unwrap();
    assert!(step.is_some());
    let settled =
        flows::wait_until_settled(&bens, r.id.as_deref().unwrap(), Duration::from_secs(10))
            .await
            .unwrap();
    assert_eq!(settled.status.as_deref(), Some("Provisioned"));
    assert!(
        flows::pending_role_approvals(&cleos)
            .await
            .unwrap()
            .is_empty()
    );
    // Deny: Ada's Global Administrator activation.
    let ada = sim.principal_id("ada").unwrap();
    let adas = sim.client("sim-ada").unwrap();
    let r = flows::activate(
        &adas,
        &ada,
        "62e90394-69f5-4237-9190-012177145e10",
        "break glass",
        "PT1H",
    )
    .await
    .unwrap();
    let approval = r.approval_id.clone().unwrap();
    flows::decide_role_approval(&cleos, &approval, false, "no incident open")
        .await
        .unwrap()
        .unwrap();
    let settled =
        flows::wait_until_settled(&adas, r.id.as_deref().unwrap(), Duration::from_secs(10))
            .await
            .unwrap();
    assert_eq!(settled.status.as_deref(), Some("Denied"));
}

#[tokio::test]
async fn cancel_a_pending_request() {
    let sim = sim().await;
    let ben = sim.principal_id("ben").unwrap();
    let client = sim.client("sim-ben").unwrap();
    let r = flows::activate(&client, &ben, SECURITY_ADMIN, "x", "PT1H")
        .await
        .unwrap();
    let id = r.id.clone().unwrap();
    flows::cancel(&client, RequestKind::RoleAssignment, &id)
        .await
        .unwrap();
    let settled = flows::wait_until_settled(&client, &id, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(settled.status.as_deref(), Some("Canceled"));
    let again = flows::cancel(&client, RequestKind::RoleAssignment, &id)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("RequestCannotBeCancelled"));
    // Approvers no longer see it.
    assert!(
        flows::pending_role_approvals(&sim.client("sim-cleo").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn mfa_and_authentication_context_failures_as_the_caller_sees_them() {
    let sim = sim().await;
    let ben = sim.principal_id("ben").unwrap();
    let client = sim.client("sim-ben").unwrap();
    let err = flows::activate(&client, &ben, EXCHANGE_ADMIN, "mail flow", "PT1H")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        err.code(),
        Some("RoleAssignmentRequestPolicyValidationFailed")
    );
    let graph = err.graph_error().unwrap();
    assert_eq!(
        graph.message,
        "The following policy rules failed: [\"MfaRule\"]"
    );
    assert!(err.request_id().is_some());
    assert!(err.to_string().contains("MfaRule"), "{err}");
    // The application role needs authentication context c1: the claims challenge is in
    // the message, URL-escaped, as the service sends it.
    let mut request = flows::role_request(
        "selfActivate",
        &ben,
        APP_ADMIN,
        Some("deploy"),
        Some("PT1H"),
    );
    let mut ticket = pim_api::models::TicketInfo::new();
    ticket.ticket_number = Some("CHG-42".into());
    ticket.ticket_system = Some("ServiceNow".into());
    request.ticket_info = Some(ticket);
    let assignments = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests();
    let err = assignments.create(&request).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some("RoleAssignmentRequestAcrsValidationFailed")
    );
    let message = &err.graph_error().unwrap().message;
    let claims = percent_encoding::percent_decode_str(message.strip_prefix("&claims=").unwrap())
        .decode_utf8()
        .unwrap();
    let claims: serde_json::Value = serde_json::from_str(&claims).unwrap();
    assert_eq!(claims["access_token"]["acrs"]["value"], "c1");
    // A token from a sign-in that satisfied c1 (and MFA) passes.
    let stepped_up = sim.client("sim-ben-mfa").unwrap();
    let ok = stepped_up
        .role_management()
        .directory()
        .role_assignment_schedule_requests()
        .create(&request)
        .await
        .unwrap();
    assert_eq!(ok.status.as_deref(), Some("Granted"));
}
