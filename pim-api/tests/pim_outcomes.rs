//! Typed PIM outcomes: request statuses and service errors, on the real messages the
//! service sends (shared/research/landscape-2026.md §2) and against the local PIM service.

use std::time::Duration;

use pim_api::models::UnifiedRoleAssignmentScheduleRequest;
use pim_api::pim::{ClaimsSource, PimError, PolicyRule, RequestStatus};
use pim_api::runtime::{Client, GetRequest, ODataPath, RetryPolicy, StaticToken};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The error a GET gets from a server answering `status` with `body` (and headers).
async fn error_from(
    status: u16,
    body: serde_json::Value,
    headers: &[(&str, &str)],
) -> pim_api::runtime::Error {
    let server = MockServer::start().await;
    let mut t = ResponseTemplate::new(status).set_body_json(body);
    for (k, v) in headers {
        t = t.insert_header(*k, *v);
    }
    Mock::given(any()).respond_with(t).mount(&server).await;
    let client = Client::builder()
        .base_url(format!("{}/beta", server.uri()))
        .allow_http_loopback(true)
        .token_provider(StaticToken::new("t0ken-for-tests"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    GetRequest::<serde_json::Value>::new(&client, ODataPath::new().segment("x"))
        .await
        .unwrap_err()
}

fn graph(code: &str, message: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": message, "innerError": {"date": "2024-07-01T00:00:00", "request-id": "r"}}})
}

#[tokio::test]
async fn the_services_real_messages_become_typed_errors() {
    let claims = r#"{"access_token":{"acrs":{"essential":true, "value":"c1"}}}"#;
    let cases = [
        (
            graph("RoleAssignmentRequestPolicyValidationFailed", r#"The following policy rules failed: ["ExpirationRule"]"#),
            PimError::PolicyViolation(vec![PolicyRule::Expiration]),
        ),
        (
            graph("RoleAssignmentRequestPolicyValidationFailed", r#"The following policy rules failed: ["EligibilityRule","ExpirationRule"]"#),
            PimError::PolicyViolation(vec![PolicyRule::Eligibility, PolicyRule::Expiration]),
        ),
        (
            graph("RoleAssignmentRequestPolicyValidationFailed", r#"The following policy rules failed: ["MfaRule"]"#),
            PimError::PolicyViolation(vec![PolicyRule::Mfa]),
        ),
        (graph("RoleAssignmentExists", "The Role assignment already exists."), PimError::AssignmentExists),
        // ARM's variant: a generic code with the phrase.
        (graph("BadRequest", "The Role assignment already exists at scope /subscriptions/x."), PimError::AssignmentExists),
        (graph("RoleAssignmentDoesNotExist", "The Role assignment does not exist."), PimError::AssignmentDoesNotExist),
        (
            graph("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes."),
            PimError::ActiveDurationTooShort,
        ),
        (graph("RequestCannotBeCancelled", "Request is not in cancellable state."), PimError::CannotCancel),
        (
            graph("InvalidRoleAssignmentRequest", "The role assignment request is invalid."),
            PimError::InvalidRequest { message: "The role assignment request is invalid.".into() },
        ),
        (
            graph("TooManyRequests", "Too many requests from Identifier:x under category:aadgraph.app.tenant_large. Please try again later."),
            PimError::Other {
                code: "TooManyRequests".into(),
                message: "Too many requests from Identifier:x under category:aadgraph.app.tenant_large. Please try again later.".into(),
            },
        ),
    ];
    for (body, want) in cases {
        let err = error_from(400, body.clone(), &[]).await;
        assert_eq!(err.pim(), Some(want), "{body}");
    }
    // The authentication-context challenge, escaped inside the message (azure-powershell#25421)…
    let err = error_from(
        400,
        graph(
            "RoleAssignmentRequestAcrsValidationFailed",
            "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D",
        ),
        &[],
    )
    .await;
    let Some(PimError::ClaimsChallenge(c)) = err.pim() else {
        panic!("{:?}", err.pim())
    };
    assert_eq!(
        (c.claims(), c.acrs(), c.source()),
        (claims, vec!["c1".to_owned()], ClaimsSource::Message)
    );
    // …plain after a generic code (PIM for groups)…
    let err = error_from(
        400,
        graph(
            "UnknownError",
            &format!("RoleAssignmentRequestAcrsValidationFailed claims={claims}"),
        ),
        &[],
    )
    .await;
    assert!(matches!(err.pim(), Some(PimError::ClaimsChallenge(c)) if c.acrs() == ["c1"]));
    // …and in a 401's WWW-Authenticate (base64).
    let b64 = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19";
    let header = format!(
        r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="{b64}""#
    );
    let err = error_from(
        401,
        graph(
            "InvalidAuthenticationToken",
            "Continuous access evaluation resulted in challenge",
        ),
        &[("WWW-Authenticate", &header)],
    )
    .await;
    let Some(PimError::ClaimsChallenge(c)) = err.pim() else {
        panic!("{:?}", err.pim())
    };
    assert_eq!(c.source(), ClaimsSource::WwwAuthenticate);
    assert_eq!(c.acrs(), ["c1"]);
    assert_eq!(c.claims_base64(), b64);
}

#[tokio::test]
async fn statuses_and_errors_against_the_local_pim_service() {
    let sim = pim_sim::Simulator::builder(pim_sim::Tenant::default_tenant())
        .provisioning_delay(Duration::from_millis(100))
        .spawn()
        .await
        .unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let client = sim.client("sim-ben").unwrap();
    let requests = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests();
    let activation = |role: &str, justification: Option<&str>| {
        let mut r: UnifiedRoleAssignmentScheduleRequest =
            serde_json::from_value(json!({"action": "selfActivate", "principalId": ben, "roleDefinitionId": role,
                "directoryScopeId": "/", "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "PT1H"}}}))
                .unwrap();
        r.justification = justification.map(str::to_owned);
        r
    };
    // Each rule the policy checks, as the service names it.
    for (role, justification, rules) in [
        (
            "fe930be7-5e62-47db-91af-98c3a49a38b1",
            None,
            vec![PolicyRule::Justification],
        ),
        (
            "29232cdf-9323-42fd-ade2-1d097af3e4de",
            Some("x"),
            vec![PolicyRule::Mfa],
        ),
        (
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            Some("x"),
            vec![PolicyRule::Ticketing],
        ),
        (
            // Ben is not eligible for Global Administrator, whose policy also wants MFA.
            "62e90394-69f5-4237-9190-012177145e10",
            Some("x"),
            vec![PolicyRule::Eligibility, PolicyRule::Mfa],
        ),
    ] {
        let err = requests
            .create(&activation(role, justification))
            .await
            .unwrap_err();
        assert_eq!(err.pim(), Some(PimError::PolicyViolation(rules)), "{err}");
    }
    let mut needs_context = activation("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", Some("deploy"));
    needs_context.ticket_info =
        serde_json::from_value(json!({"ticketNumber": "1", "ticketSystem": "s"})).unwrap();
    let err = requests.create(&needs_context).await.unwrap_err();
    let Some(PimError::ClaimsChallenge(challenge)) = err.pim() else {
        panic!("{err}")
    };
    assert_eq!(challenge.acrs(), ["c1"]);
    assert!(challenge.how_to_satisfy().contains("--claims-challenge"));
    // A request's status through its life.
    let created = requests
        .create(&activation(
            "fe930be7-5e62-47db-91af-98c3a49a38b1",
            Some("x"),
        ))
        .await
        .unwrap();
    assert_eq!(created.request_status(), Some(RequestStatus::Granted));
    assert!(created.request_status().unwrap().is_in_flight());
    let id = created.id.clone().unwrap();
    let mut status = created.request_status().unwrap();
    for _ in 0..50 {
        if status.is_terminal() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = requests
            .by_id(&id)
            .get()
            .await
            .unwrap()
            .request_status()
            .unwrap();
    }
    assert_eq!(status, RequestStatus::Provisioned);
    let again = requests
        .create(&activation(
            "fe930be7-5e62-47db-91af-98c3a49a38b1",
            Some("x"),
        ))
        .await
        .unwrap_err();
    assert_eq!(again.pim(), Some(PimError::AssignmentExists));
    // Approval-bound requests need a person.
    let pending = requests
        .create(&activation(
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
            Some("x"),
        ))
        .await
        .unwrap();
    assert!(pending.request_status().unwrap().needs_approval());
}

#[test]
fn the_status_field_stays_lossless() {
    // Old docs write statuses with a space; the model keeps the text, the accessor types it.
    let text = r#"{"id":"1","status":"Pending Provisioning"}"#;
    let r: UnifiedRoleAssignmentScheduleRequest = serde_json::from_str(text).unwrap();
    assert_eq!(r.request_status(), Some(RequestStatus::PendingProvisioning));
    assert_eq!(serde_json::to_string(&r).unwrap(), text);
}
