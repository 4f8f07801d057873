//! Each injected fault as pim-api's client meets it: what the client does (retry or not) and
//! the typed error it returns, and what the simulator's log says the service did.

use std::time::{Duration, Instant};

use pim_api::runtime::{ErrorKind, RetryPolicy};
use pim_sim::{Fault, FaultProfile, RateLimit, Simulator, Tenant};

async fn sim_with(faults: FaultProfile) -> Simulator {
    Simulator::builder(Tenant::default_tenant())
        .faults(faults)
        .spawn()
        .await
        .expect("simulator")
}

fn always(fault: impl Fn(&mut FaultProfile)) -> FaultProfile {
    let mut p = FaultProfile {
        retry_after_secs: 1,
        ..FaultProfile::default()
    };
    fault(&mut p);
    p
}

/// A GET of role definitions with a client that retries at most `retries` times.
async fn list(sim: &Simulator, retries: u32) -> pim_api::runtime::Result<usize> {
    let client = sim
        .client_builder("sim-dana")
        .retry_policy(
            RetryPolicy::new()
                .max_retries(retries)
                .jitter(false)
                .initial_delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let page = client
        .role_management()
        .directory()
        .role_definitions()
        .list()
        .await?;
    Ok(page.value.len())
}

#[tokio::test]
async fn throttling_and_unavailability_before_processing_are_retried_after_retry_after() {
    for (name, profile, status) in [
        ("throttle", always(|p| p.throttle = 1.0), 429),
        ("unavailable", always(|p| p.unavailable = 1.0), 503),
    ] {
        let sim = sim_with(profile).await;
        let started = Instant::now();
        let err = list(&sim, 1).await.unwrap_err();
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "{name}: waited {:?}",
            started.elapsed()
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{name}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(1)), "{name}");
        assert_eq!(err.attempts(), 2, "{name}");
        let log = sim.log();
        assert_eq!(log.len(), 2);
        assert!(
            log.iter().all(|e| !e.processed),
            "{name}: refused before processing"
        );
        // Back to normal: the next call goes through.
        sim.set_faults(FaultProfile::default());
        assert!(list(&sim, 0).await.unwrap() > 0);
    }
}

#[tokio::test]
async fn faults_after_processing_reach_the_caller_as_typed_errors() {
    for (name, profile, kind) in [
        (
            "ambiguous 503",
            always(|p| p.ambiguous = 1.0),
            ErrorKind::Api,
        ),
        ("504", always(|p| p.gateway_timeout = 1.0), ErrorKind::Api),
        (
            "dropped mid-body",
            always(|p| p.drop = 1.0),
            ErrorKind::Transport,
        ),
        (
            "truncated body",
            always(|p| p.truncate = 1.0),
            ErrorKind::Decode,
        ),
    ] {
        let sim = sim_with(profile).await;
        let err = list(&sim, 0).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err}");
        let log = sim.log();
        assert!(log.iter().all(|e| e.processed), "{name}: the service acted");
    }
    // A GET is idempotent: the client retries a 504 and a dropped connection.
    let sim = sim_with(always(|p| p.gateway_timeout = 1.0)).await;
    let err = list(&sim, 2).await.unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(sim.log().len(), 3);
}

#[tokio::test]
async fn a_post_that_may_have_been_processed_is_not_repeated() {
    let sim = sim_with(always(|p| {
        p.ambiguous = 1.0;
        p.methods = vec!["POST".into()];
    }))
    .await;
    let ben = sim.principal_id("ben").unwrap();
    let client = sim.client("sim-ben").unwrap();
    let mut body = pim_api::models::UnifiedRoleAssignmentScheduleRequest::new();
    body.action = Some("selfActivate".into());
    body.principal_id = Some(ben);
    body.role_definition_id = sim.role_id("Global Reader");
    body.directory_scope_id = Some("/".into());
    body.schedule_info = Some(pim_api_schedule());
    let err = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests()
        .create(&body)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), 1);
    assert!(err.is_retryable());
    // The activation happened: the caller must look it up, not send it again.
    let stored = sim.stored_requests();
    assert_eq!(stored.len(), 1);
    assert_eq!(sim.log().iter().filter(|e| e.method == "POST").count(), 1);
}

fn pim_api_schedule() -> pim_api::models::RequestSchedule {
    let mut e = pim_api::models::ExpirationPattern::new();
    e.r#type = Some(pim_api::models::ExpirationPatternType::AfterDuration);
    e.duration = Some(pim_api::edm::Duration::from_raw("PT1H"));
    let mut s = pim_api::models::RequestSchedule::new();
    s.expiration = Some(e);
    s
}

#[tokio::test]
async fn slow_answers_hit_the_clients_attempt_timeout() {
    let sim = sim_with(always(|p| {
        p.slow = 1.0;
        p.slow_delay_ms = 2_000;
    }))
    .await;
    let client = sim
        .client_builder("sim-dana")
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .role_management()
        .directory()
        .role_definitions()
        .list()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn token_buckets_throttle_per_token_and_refill() {
    let sim = sim_with(FaultProfile {
        rate_limit: Some(RateLimit {
            per_token_capacity: 3.0,
            per_token_per_second: 2.0,
            tenant_capacity: 100.0,
            tenant_per_second: 100.0,
        }),
        ..FaultProfile::default()
    })
    .await;
    for _ in 0..3 {
        list(&sim, 0).await.unwrap();
    }
    let err = list(&sim, 0).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(
        sim.log().last().and_then(|e| e.fault),
        Some(Fault::RateLimited)
    );
    // Another token has its own bucket.
    let other = sim.client("sim-ada").unwrap();
    other
        .role_management()
        .directory()
        .role_definitions()
        .list()
        .await
        .unwrap();
    // The client waits as told and gets through.
    assert!(list(&sim, 1).await.is_ok());
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let profile = FaultProfile {
        seed: 99,
        throttle: 0.3,
        gateway_timeout: 0.2,
        retry_after_secs: 1,
        ..FaultProfile::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = sim_with(profile.clone()).await;
        for _ in 0..20 {
            let _ = list(&sim, 0).await;
        }
        runs.push(sim.log().into_iter().map(|e| e.fault).collect::<Vec<_>>());
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].iter().any(Option::is_some) && runs[0].iter().any(Option::is_none));
}
