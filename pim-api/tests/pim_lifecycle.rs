//! The activation lifecycle against the local PIM service: activate and wait, approval by a
//! second principal, denial, a deadline, deactivation, extension, cancellation, a dry run,
//! many at once, PIM for groups, and an answer lost after the request was sent.

use std::time::Duration;

use pim_api::pim::{
    self, Activation, GroupAccess, Outcome, PimError, PolicyRule, RequestStatus, Wait,
};
use pim_sim::{FaultProfile, Simulator, Tenant};

const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";

async fn sim(delay_ms: u64) -> Simulator {
    Simulator::builder(Tenant::default_tenant())
        .provisioning_delay(Duration::from_millis(delay_ms))
        .spawn()
        .await
        .unwrap()
}

fn quick() -> Wait {
    Wait {
        timeout: Duration::from_secs(10),
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

#[tokio::test]
async fn activate_wait_and_deactivate() {
    let sim = sim(200).await;
    let client = sim.client("sim-ben").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let activation = Activation::role(&ben, USER_ADMIN)
        .duration(Duration::from_secs(2 * 3600))
        .justification("incident 4711");
    let outcome = pim::activate_and_wait(&client, &activation, quick())
        .await
        .unwrap();
    let Outcome::Provisioned(request) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(request.status(), Some(RequestStatus::Provisioned));
    // The duration went out as ISO 8601.
    let stored = sim.stored_requests();
    assert_eq!(stored.len(), 1);
    // Deactivating at once is refused; five minutes later it works.
    let err = pim::deactivate(&client, &activation).await.unwrap_err();
    assert_eq!(err.pim(), Some(PimError::ActiveDurationTooShort));
    sim.clock().advance(Duration::from_secs(300));
    let done = pim::deactivate(&client, &activation).await.unwrap();
    assert_eq!(done.status(), Some(RequestStatus::Revoked));
    // The policy's verdict, typed.
    let too_long = Activation::role(&ben, USER_ADMIN).duration(Duration::from_secs(9 * 3600));
    let err = pim::activate(&client, &too_long).await.unwrap_err();
    assert_eq!(
        err.pim(),
        Some(PimError::PolicyViolation(vec![
            PolicyRule::Expiration,
            PolicyRule::Justification
        ]))
    );
}

#[tokio::test]
async fn approval_denial_deadline_and_cancellation() {
    let sim = sim(200).await;
    let client = sim.client("sim-ben").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let needs_approval = Activation::role(&ben, SECURITY_ADMIN).justification("review alerts");
    let outcome = pim::activate_and_wait(&client, &needs_approval, quick())
        .await
        .unwrap();
    let Outcome::PendingApproval(request) = outcome else {
        panic!("{outcome:?}")
    };
    let approval = request.approval_id().unwrap().to_owned();
    // Cleo approves; waiting again ends provisioned.
    let cleo = sim.client("sim-cleo").unwrap();
    let steps = cleo
        .role_management()
        .directory()
        .role_assignment_approvals()
        .by_id(&approval)
        .steps();
    let step = steps.list().collect_all().await.unwrap().remove(0);
    let mut decision = pim_api::models::ApprovalStepUpdate::new();
    decision.review_result = pim_api::edm::Patch::Value("Approve".into());
    decision.justification = pim_api::edm::Patch::Value("ok".into());
    steps
        .by_id(step.id.unwrap())
        .update(&decision)
        .await
        .unwrap();
    let outcome = pim::wait(&client, &request, quick()).await.unwrap();
    assert!(outcome.is_provisioned(), "{outcome:?}");

    // Ada's Global Administrator activation (MFA and approval): denied.
    let ada = sim.principal_id("ada").unwrap();
    let adas = sim.client("sim-ada").unwrap();
    let request = pim::activate(
        &adas,
        &Activation::role(&ada, "62e90394-69f5-4237-9190-012177145e10").justification("x"),
    )
    .await
    .unwrap();
    let steps = cleo
        .role_management()
        .directory()
        .role_assignment_approvals()
        .by_id(request.approval_id().unwrap())
        .steps();
    let step = steps.list().collect_all().await.unwrap().remove(0);
    decision.review_result = pim_api::edm::Patch::Value("Deny".into());
    steps
        .by_id(step.id.unwrap())
        .update(&decision)
        .await
        .unwrap();
    assert!(matches!(
        pim::wait(&adas, &request, quick()).await.unwrap(),
        Outcome::Denied(_)
    ));

    // A pending request cancelled.
    let again = pim::activate(
        &adas,
        &Activation::role(&ada, "62e90394-69f5-4237-9190-012177145e10").justification("y"),
    )
    .await
    .unwrap();
    pim::cancel(&adas, &again).await.unwrap();
    assert!(matches!(
        pim::wait(&adas, &again, quick()).await.unwrap(),
        Outcome::Canceled(_)
    ));
    let err = pim::cancel(&adas, &again).await.unwrap_err();
    assert_eq!(err.pim(), Some(PimError::CannotCancel));

    // A deadline: provisioning takes longer than the wait allows.
    let slow = Simulator::builder(Tenant::default_tenant())
        .provisioning_delay(Duration::from_secs(3600))
        .spawn()
        .await
        .unwrap();
    let bens = slow.client("sim-ben").unwrap();
    let short = Wait {
        timeout: Duration::from_millis(300),
        ..quick()
    };
    let outcome = pim::activate_and_wait(&bens, &Activation::role(&ben, GLOBAL_READER), short)
        .await
        .unwrap();
    let Outcome::TimedOut(r) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(r.status().unwrap().is_in_flight());
}

#[tokio::test]
async fn dry_run_extend_and_many_at_once() {
    let sim = sim(100).await;
    let client = sim.client("sim-ben-mfa").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    // A dry run says what would happen and stores nothing.
    let checked = pim::dry_run(
        &client,
        &Activation::role(&ben, USER_ADMIN).justification("x"),
    )
    .await
    .unwrap();
    assert_eq!(checked.status(), Some(RequestStatus::Granted));
    let err = pim::dry_run(&client, &Activation::role(&ben, USER_ADMIN))
        .await
        .unwrap_err();
    assert_eq!(
        err.pim(),
        Some(PimError::PolicyViolation(vec![PolicyRule::Justification]))
    );
    assert!(sim.stored_requests().is_empty());
    // Several roles at once, two at a time, one result each, in order.
    let batch = [
        Activation::role(&ben, USER_ADMIN).justification("a"),
        Activation::role(&ben, GLOBAL_READER),
        Activation::role(&ben, EXCHANGE_ADMIN).justification("c"),
        Activation::role(&ben, "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3").justification("d"),
    ];
    let results = pim::activate_many(&client, &batch, 2).await;
    assert_eq!(results.len(), 4);
    assert!(results[0].is_ok() && results[1].is_ok() && results[2].is_ok());
    let err = results[3].as_ref().unwrap_err();
    assert_eq!(
        err.pim(),
        Some(PimError::PolicyViolation(vec![PolicyRule::Ticketing]))
    );
    // An extension is an administrator's decision.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let asked = pim::extend(
        &client,
        &Activation::role(&ben, GLOBAL_READER).duration(Duration::from_secs(7200)),
    )
    .await
    .unwrap();
    assert_eq!(asked.status(), Some(RequestStatus::PendingAdminDecision));
    assert!(matches!(
        pim::wait(&client, &asked, quick()).await.unwrap(),
        Outcome::PendingApproval(_)
    ));
}

#[tokio::test]
async fn group_membership_is_activated_and_waited_for() {
    let sim = sim(100).await;
    let client = sim.client("sim-ben").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let group = sim.principal_id("operators").unwrap();
    let activation = Activation::group(&ben, &group, GroupAccess::Member).justification("on call");
    let outcome = pim::activate_and_wait(&client, &activation, quick())
        .await
        .unwrap();
    assert!(outcome.is_provisioned(), "{outcome:?}");
    let err = pim::activate(
        &client,
        &Activation::group(&ben, &group, GroupAccess::Owner).justification("x"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.pim(),
        Some(PimError::PolicyViolation(vec![PolicyRule::Eligibility]))
    );
}

#[tokio::test]
async fn a_lost_answer_is_looked_up_not_sent_again() {
    let sim = Simulator::builder(Tenant::default_tenant())
        .faults(FaultProfile {
            ambiguous: 1.0,
            methods: vec!["POST".into()],
            ..FaultProfile::default()
        })
        .spawn()
        .await
        .unwrap();
    let client = sim.client("sim-ben").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    // Every POST is answered 503 after the service processed it.
    let request = pim::activate(
        &client,
        &Activation::role(&ben, USER_ADMIN).justification("x"),
    )
    .await
    .unwrap();
    assert!(request.id().is_some());
    assert_eq!(sim.stored_requests().len(), 1);
    assert_eq!(
        sim.log().iter().filter(|e| e.method == "POST").count(),
        1,
        "sent once"
    );
    // A refusal is not hidden: with the policy failing, the lookup finds nothing.
    let err = pim::activate(
        &client,
        &Activation::role(&ben, GLOBAL_READER).duration(Duration::from_secs(5 * 3600)),
    )
    .await
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}
