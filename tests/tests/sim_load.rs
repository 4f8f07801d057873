//! 1,000 activation requests from 50 principals at once, through pim-api's client, against
//! a simulator that throttles 10% of them (429 with `Retry-After`, before processing) and
//! fails 2% with a 503 *after* processing them (no `Retry-After`: the client cannot know
//! whether the request took effect).
//!
//! Every call must end with a result or a typed error, within the client's retry policy;
//! and the simulator's log must show that no request was processed twice: a client that
//! re-sent a POST the service had processed would file a second activation (the service
//! refuses it as `PendingRoleAssignmentRequest`, but the log would show the same
//! `client-request-id` processed twice).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::future::join_all;
use pim_api::models::UnifiedRoleAssignmentScheduleRequest;
use pim_api::runtime::RetryPolicy;
use pim_api_examples::flows;
use pim_sim::{Fault, FaultProfile, Simulator, Tenant};

const PRINCIPALS: usize = 50;
const ROLES_EACH: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_activations_under_throttling_and_503s() {
    let roles = Tenant::builtin_role_names();
    assert_eq!(roles.len(), ROLES_EACH);
    let sim = Simulator::builder(Tenant::crowd(PRINCIPALS, &roles))
        .faults(FaultProfile {
            seed: 42,
            throttle: 0.10,
            ambiguous: 0.02,
            retry_after_secs: 1,
            ..FaultProfile::default()
        })
        .spawn()
        .await
        .unwrap();
    let policy = RetryPolicy::new();
    let max_attempts = policy.retries() as usize + 1;
    let mut calls = Vec::new();
    for p in 0..PRINCIPALS {
        let name = format!("user{p:02}");
        let principal = sim.principal_id(&name).unwrap();
        let client = sim
            .client_builder(&format!("token-{name}"))
            .retry_policy(policy.clone())
            .build()
            .unwrap();
        for role_name in roles.iter().take(ROLES_EACH) {
            let role = sim.role_id(role_name).unwrap();
            let (client, principal) = (client.clone(), principal.clone());
            calls.push(async move {
                let body: UnifiedRoleAssignmentScheduleRequest = flows::role_request(
                    "selfActivate",
                    &principal,
                    &role,
                    Some("load test"),
                    Some("PT1H"),
                );
                client
                    .role_management()
                    .directory()
                    .role_assignment_schedule_requests()
                    .create(&body)
                    .await
            });
        }
    }
    assert_eq!(calls.len(), 1000);
    let results = tokio::time::timeout(Duration::from_secs(90), join_all(calls))
        .await
        .expect("every call ends (none hangs)");

    let mut ok = 0;
    let mut ambiguous = Vec::new();
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(request) => {
                assert_eq!(request.status.as_deref(), Some("Granted"));
                ok += 1;
            }
            Err(e) => {
                // The only failure the client may surface: a 503 it must not repeat.
                assert_eq!(e.status().map(|s| s.as_u16()), Some(503), "{e}");
                assert!(e.is_retryable(), "{e}");
                assert!(e.may_have_taken_effect(), "{e}");
                // Throttled attempts before it may have been retried; the 503 was not
                // (the log check below shows each call processed once).
                assert!((1..=5).contains(&e.attempts()), "{e}");
                ambiguous.push(i);
            }
        }
    }
    // Reconciling a lost answer: look the activation up instead of sending it again.
    sim.set_faults(FaultProfile::default());
    for &i in &ambiguous {
        let (p, r) = (i / ROLES_EACH, i % ROLES_EACH);
        let name = format!("user{p:02}");
        let client = sim.client(&format!("token-{name}")).unwrap();
        let role = sim.role_id(roles[r]).unwrap();
        let found = flows::find_open_request(&client, &role, "selfActivate")
            .await
            .unwrap();
        let found = found.expect("the activation the 503 hid");
        assert_eq!(found.principal_id, sim.principal_id(&name));
    }
    let ambiguous = ambiguous.len();
    assert_eq!(ok + ambiguous, 1000);

    // The log: attempts per logical request (one client-request-id each).
    let log: Vec<_> = sim
        .log()
        .into_iter()
        .filter(|e| e.method == "POST")
        .collect();
    let mut by_id: BTreeMap<String, Vec<&pim_sim::LogEntry>> = BTreeMap::new();
    for e in &log {
        by_id
            .entry(e.client_request_id.clone().expect("client-request-id"))
            .or_default()
            .push(e);
    }
    assert_eq!(by_id.len(), 1000, "one client-request-id per call");
    let throttled = log
        .iter()
        .filter(|e| e.fault == Some(Fault::Throttle))
        .count();
    let mut max_seen = 0;
    for (id, attempts) in &by_id {
        max_seen = max_seen.max(attempts.len());
        assert!(
            attempts.len() <= max_attempts,
            "{id}: {} attempts",
            attempts.len()
        );
        let processed = attempts.iter().filter(|e| e.processed).count();
        assert_eq!(
            processed, 1,
            "{id}: processed {processed} times: {attempts:#?}"
        );
        for pair in attempts.windows(2) {
            assert_eq!(
                pair[0].fault,
                Some(Fault::Throttle),
                "only throttled attempts are retried"
            );
            let gap = pair[1].received.duration_since(pair[0].received).unwrap();
            assert!(
                gap >= Duration::from_millis(950),
                "{id}: retried after {gap:?}, Retry-After is 1 s"
            );
        }
    }
    // No activation was created twice, and every call's activation exists exactly once.
    let stored = sim.stored_requests();
    let targets: BTreeSet<_> = stored
        .iter()
        .map(|r| (r.principal_id.clone(), r.role.clone()))
        .collect();
    assert_eq!(stored.len(), 1000);
    assert_eq!(targets.len(), 1000);
    // The profile did what it says (seeded: the same every run).
    assert!((60..=140).contains(&throttled), "{throttled} throttled");
    assert!((5..=40).contains(&ambiguous), "{ambiguous} ambiguous 503s");
    println!(
        "1000 activations: {ok} created, {ambiguous} ambiguous 503s (processed once, not repeated), \
         {throttled} throttled attempts retried, at most {max_seen} attempts per call"
    );
}
