//! JSON batching against the local PIM service: 45 activations in $batches of 20 with
//! throttled items retried after their (decimal) Retry-After, each processed exactly once;
//! typed per-item results matched by id though the answers come back in another order;
//! dependsOn, within one $batch and across a split.

use std::collections::BTreeMap;
use std::time::Duration;

use pim_api::models::{UnifiedRoleDefinition, UnifiedRoleEligibilityScheduleRequest};
use pim_api::pim::{self, Activation};
use pim_api::runtime::{Page, RetryPolicy};
use pim_sim::{Fault, FaultProfile, Simulator, Tenant};

#[tokio::test]
async fn forty_five_activations_in_batches_with_throttled_items() {
    let roles = Tenant::builtin_role_names();
    let sim = Simulator::builder(Tenant::crowd(3, &roles[..15]))
        .faults(FaultProfile {
            seed: 3,
            throttle: 0.2,
            retry_after_secs: 1,
            ..FaultProfile::default()
        })
        .spawn()
        .await
        .unwrap();
    let mut handles = Vec::new();
    let mut all = Vec::new();
    for p in 0..3 {
        let name = format!("user{p:02}");
        let principal = sim.principal_id(&name).unwrap();
        let client = sim
            .client_builder(&format!("token-{name}"))
            .retry_policy(RetryPolicy::new())
            .build()
            .unwrap();
        let activations: Vec<Activation> = roles[..15]
            .iter()
            .map(|r| Activation::role(&principal, sim.role_id(r).unwrap()).justification("batch"))
            .collect();
        all.push((principal.clone(), activations.clone()));
        handles.push(tokio::spawn(async move {
            pim::activate_batched(&client, &activations).await
        }));
    }
    let mut created = 0;
    for ((principal, activations), handle) in all.iter().zip(handles) {
        let results = tokio::time::timeout(Duration::from_secs(60), handle)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(results.len(), activations.len());
        for (a, r) in activations.iter().zip(&results) {
            let r = r.as_ref().unwrap_or_else(|e| panic!("{e}"));
            // Results are in the order of the activations, though the service answers
            // items in another order.
            let pim::ActivationRequest::Role(req) = r else {
                panic!()
            };
            assert_eq!(req.principal_id.as_deref(), Some(principal.as_str()));
            let pim::Target::Role {
                role_definition_id, ..
            } = a.target()
            else {
                panic!()
            };
            assert_eq!(req.role_definition_id.as_ref(), Some(role_definition_id));
            created += 1;
        }
    }
    assert_eq!(created, 45);
    let log = sim.log();
    let envelopes = log.iter().filter(|e| e.path.ends_with("/$batch")).count();
    let throttled = log
        .iter()
        .filter(|e| e.batch.is_some() && e.fault == Some(Fault::Throttle))
        .count();
    assert!(throttled > 0, "the profile throttled some items");
    assert!(
        envelopes > 3,
        "one envelope per principal, and more for the retried items: {envelopes}"
    );
    // Each activation was processed exactly once.
    let mut processed: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in log.iter().filter(|e| e.batch.is_some() && e.processed) {
        *processed
            .entry((
                e.principal.clone().unwrap_or_default(),
                e.batch_item.clone().unwrap_or_default(),
            ))
            .or_default() += 1;
    }
    assert_eq!(processed.len(), 45);
    assert!(processed.values().all(|n| *n == 1), "{processed:?}");
    assert_eq!(sim.stored_requests().len(), 45);
    println!("45 activations: {envelopes} $batch envelopes, {throttled} throttled items retried");
}

#[tokio::test]
async fn typed_items_depends_on_and_splitting() {
    let sim = pim_sim::spawn(Tenant::default_tenant()).await.unwrap();
    let client = sim.client("sim-ada").unwrap();
    let directory = client.role_management().directory();
    let dana = sim.principal_id("dana").unwrap();
    let mut batch = client.batch();
    // A read, and a write that depends on a failing one.
    let roles = batch.add(directory.role_definitions().list().top(3).into_batch());
    let mut bad = UnifiedRoleEligibilityScheduleRequest::new();
    bad.action = Some("adminRemove".into());
    bad.principal_id = Some(dana.clone());
    bad.role_definition_id = Some("fe930be7-5e62-47db-91af-98c3a49a38b1".into());
    bad.directory_scope_id = Some("/".into());
    let failing = batch.add(
        directory
            .role_eligibility_schedule_requests()
            .create(&bad)
            .into_batch(),
    );
    let mut good = bad.clone();
    good.action = Some("adminAssign".into());
    good.justification = Some("x".into());
    let dependent = batch.add_after(
        &failing,
        directory
            .role_eligibility_schedule_requests()
            .create(&good)
            .into_batch(),
    );
    // 25 more reads: the batch is split in two.
    let ids: Vec<_> = (0..25)
        .map(|_| {
            batch.add(
                directory
                    .role_definitions()
                    .by_id("62e90394-69f5-4237-9190-012177145e10")
                    .get()
                    .into_batch(),
            )
        })
        .collect();
    // A dependency across the split.
    let after_split = batch.add_after(
        &ids[20],
        directory.role_definitions().list().top(1).into_batch(),
    );
    assert_eq!(batch.len(), 29);
    let mut results = batch.send().await;
    let page: Page<UnifiedRoleDefinition> = results.take(&roles).unwrap();
    assert_eq!(page.value.len(), 3);
    let err = results.take(&failing).unwrap_err();
    assert_eq!(err.code(), Some("RoleAssignmentDoesNotExist"));
    let err = results.take(&dependent).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(424), "{err}");
    for id in &ids {
        let role: UnifiedRoleDefinition = results.take(id).unwrap();
        assert_eq!(role.display_name.as_deref(), Some("Global Administrator"));
    }
    assert_eq!(results.take(&after_split).unwrap().value.len(), 1);
    assert!(results.take(&roles).is_err(), "taken once");
    let envelopes = sim
        .log()
        .iter()
        .filter(|e| e.path.ends_with("/$batch"))
        .count();
    assert_eq!(envelopes, 2, "29 requests: 20 + 9");
    assert!(sim.stored_requests().is_empty(), "the dependent never ran");
    // Items carry relative URLs.
    assert!(
        sim.log()
            .iter()
            .filter(|e| e.batch.is_some())
            .all(|e| e.path.starts_with("/roleManagement/"))
    );
}

#[tokio::test]
async fn the_simulator_refuses_malformed_batches() {
    let sim = pim_sim::spawn(Tenant::default_tenant()).await.unwrap();
    let post = |body: serde_json::Value| {
        let url = format!("{}/$batch", sim.base_url());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth("sim-ada")
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let item = |id: &str| serde_json::json!({"id": id, "method": "GET", "url": "/roleManagement/directory/roleDefinitions?$top=1"});
    assert_eq!(
        post(serde_json::json!({"requests": []})).await.status(),
        400
    );
    assert_eq!(post(serde_json::json!({"requests": (0..21).map(|i| item(&i.to_string())).collect::<Vec<_>>()})).await.status(), 400);
    assert_eq!(
        post(serde_json::json!({"requests": [item("a"), item("A")]}))
            .await
            .status(),
        400,
        "ids are unique without regard to case"
    );
    assert_eq!(post(serde_json::json!({"requests": [{"id": "1", "method": "GET", "url": "/x", "dependsOn": ["9"]}]})).await.status(), 400);
    let absolute = serde_json::json!({"requests": [{"id": "1", "method": "GET", "url": "https://evil.example/beta/roleManagement"}]});
    let resp = post(absolute).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["responses"][0]["status"], 400);
}
