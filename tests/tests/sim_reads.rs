//! The reads the generator now binds beyond the containment tree, against the local PIM
//! service: the related entities of requests, schedules, instances and policy assignments
//! (`principal()`, `role_definition()`, `activated_using()`, `target_schedule()`, `group()`,
//! `policy()`), `count()` on collections at every depth, and the filtered lists
//! (`list_by_…`, `count_by_…`) of the collections the service lists only filtered.

use std::time::Duration;

use pim_api::pim::{self, Activation, GroupAccess, Outcome, Wait};
use pim_api::runtime::{ErrorKind, Literal};
use pim_sim::{Simulator, Tenant};

const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

fn quick() -> Wait {
    Wait {
        timeout: Duration::from_secs(10),
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

async fn sim() -> Simulator {
    Simulator::builder(Tenant::default_tenant())
        .provisioning_delay(Duration::from_millis(50))
        .page_size(3)
        .spawn()
        .await
        .unwrap()
}

#[tokio::test]
async fn related_entities_of_a_role_activation() {
    let sim = sim().await;
    let ben = sim.principal_id("ben").unwrap();
    let activation = Activation::role(&ben, USER_ADMIN)
        .duration(Duration::from_secs(3600))
        .justification("incident 4711");
    let outcome = pim::activate_and_wait(&sim.client("sim-ben").unwrap(), &activation, quick())
        .await
        .unwrap();
    let Outcome::Provisioned(request) = outcome else {
        panic!("{outcome:?}")
    };
    let request_id = request.id().unwrap().to_owned();

    let admin = sim.client("sim-ada").unwrap();
    let directory = admin.role_management().directory();
    let eligibility = directory
        .role_eligibility_schedules()
        .list()
        .filter(format!(
            "principalId eq {} and roleDefinitionId eq {}",
            Literal::string(&ben),
            Literal::string(USER_ADMIN)
        ))
        .await
        .unwrap()
        .value
        .remove(0);

    // The request's relationships.
    let req = directory
        .role_assignment_schedule_requests()
        .by_id(&request_id);
    let principal = req.principal().get().await.unwrap();
    assert_eq!(principal.id.as_deref(), Some(ben.as_str()));
    // A reference type: the rest of the directory object is kept, `@odata.type` included.
    assert_eq!(
        principal.additional_properties.get("@odata.type"),
        Some(&serde_json::json!("#microsoft.graph.user"))
    );
    let role = req.role_definition().get().await.unwrap();
    assert_eq!(role.id.as_deref(), Some(USER_ADMIN));
    assert_eq!(role.display_name.as_deref(), Some("User Administrator"));
    let used = req.activated_using().get().await.unwrap();
    assert_eq!(used.id, eligibility.id);
    let target = req.target_schedule().get().await.unwrap();
    assert_eq!(target.principal_id.as_deref(), Some(ben.as_str()));
    // The active schedule and instance lead back to the same eligibility.
    let schedule = directory
        .role_assignment_schedules()
        .by_id(target.id.as_deref().unwrap());
    assert_eq!(
        schedule.activated_using().get().await.unwrap().id,
        eligibility.id
    );
    assert_eq!(
        schedule
            .role_definition()
            .get()
            .await
            .unwrap()
            .id
            .as_deref(),
        Some(USER_ADMIN)
    );
    let instances = directory
        .role_assignment_schedule_instances()
        .list()
        .filter(format!("principalId eq {}", Literal::string(&ben)))
        .collect_all()
        .await
        .unwrap();
    let instance = directory
        .role_assignment_schedule_instances()
        .by_id(instances[0].id.as_deref().unwrap());
    let used = instance.activated_using().get().await.unwrap();
    assert_eq!(used.principal_id.as_deref(), Some(ben.as_str()));
    assert_eq!(used.role_definition_id.as_deref(), Some(USER_ADMIN));
    // The directory scope `/` is not a directory object: Graph's 404, typed.
    let err = req.directory_scope().get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    // An unknown request is a 404 too, whatever the relationship.
    let err = directory
        .role_assignment_schedule_requests()
        .by_id("no-such-request")
        .principal()
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn counts_agree_with_the_lists() {
    let sim = sim().await;
    let admin = sim.client("sim-ada").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let directory = admin.role_management().directory();

    // Several pages of three; the count is the whole collection.
    let roles = directory
        .role_definitions()
        .list()
        .collect_all()
        .await
        .unwrap();
    assert!(roles.len() > 3);
    assert_eq!(
        directory.role_definitions().count().await.unwrap(),
        roles.len() as u64
    );
    let eligible = directory
        .role_eligibility_schedules()
        .list()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        directory
            .role_eligibility_schedules()
            .count()
            .await
            .unwrap(),
        eligible.len() as u64
    );
    // `$filter` applies to the count.
    let bens = eligible
        .iter()
        .filter(|s| s.principal_id.as_deref() == Some(ben.as_str()))
        .count();
    assert!(bens >= 5);
    assert_eq!(
        directory
            .role_eligibility_schedules()
            .count()
            .filter(format!("principalId eq {}", Literal::string(&ben)))
            .await
            .unwrap(),
        bens as u64
    );
    // A collection below an entity: a policy's rules.
    let assignment = admin
        .policies()
        .role_management_policy_assignments()
        .list_by_scope_id_and_scope_type("/", "DirectoryRole")
        .filter(format!(
            "roleDefinitionId eq {}",
            Literal::string(USER_ADMIN)
        ))
        .await
        .unwrap()
        .value
        .remove(0);
    let policy_id = assignment.policy_id.clone().unwrap();
    let policy = admin
        .policies()
        .role_management_policies()
        .by_id(&policy_id);
    let rules = policy.rules().list().collect_all().await.unwrap();
    assert!(rules.len() > 5);
    assert_eq!(policy.rules().count().await.unwrap(), rules.len() as u64);
    assert_eq!(
        policy.effective_rules().count().await.unwrap(),
        rules.len() as u64
    );
    // The assignment's relationship to its policy.
    let related = admin
        .policies()
        .role_management_policy_assignments()
        .by_id(assignment.id.as_deref().unwrap())
        .policy()
        .get()
        .await
        .unwrap();
    assert_eq!(related.id.as_deref(), Some(policy_id.as_str()));
    // Collection-valued relationships are collections (a built-in role inherits nothing).
    let definition = directory.role_definitions().by_id(USER_ADMIN);
    assert!(
        definition
            .inherits_permissions_from()
            .list()
            .await
            .unwrap()
            .value
            .is_empty()
    );
    assert_eq!(
        definition
            .inherits_permissions_from()
            .count()
            .await
            .unwrap(),
        0
    );
    let err = definition
        .inherits_permissions_from()
        .by_id(USER_ADMIN)
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn group_lists_take_their_required_filter() {
    let sim = sim().await;
    let admin = sim.client("sim-ada").unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let operators = sim.principal_id("operators").unwrap();
    let group = admin.identity_governance().privileged_access().group();

    let by_group = group
        .eligibility_schedules()
        .list_by_group_id(&operators)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(by_group.len(), 1);
    assert_eq!(by_group[0].principal_id.as_deref(), Some(ben.as_str()));
    let by_principal = group
        .eligibility_schedules()
        .list_by_principal_id(&ben)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(by_principal.len(), by_group.len());
    assert_eq!(
        group
            .eligibility_schedules()
            .count_by_group_id(&operators)
            .await
            .unwrap(),
        1
    );
    // The caller's filter is and-ed to the required one.
    assert_eq!(
        group
            .eligibility_schedules()
            .count_by_group_id(&operators)
            .filter(format!("accessId eq {}", Literal::enum_str("owner")))
            .await
            .unwrap(),
        0
    );
    // A hostile id stays a value.
    assert_eq!(
        group
            .eligibility_schedules()
            .count_by_group_id("x' or groupId ne 'y")
            .await
            .unwrap(),
        0
    );

    // The relationships of a group schedule.
    let schedule = group
        .eligibility_schedules()
        .by_id(by_group[0].id.as_deref().unwrap());
    assert_eq!(
        schedule.group().get().await.unwrap().id.as_deref(),
        Some(operators.as_str())
    );
    assert_eq!(
        schedule.principal().get().await.unwrap().id.as_deref(),
        Some(ben.as_str())
    );

    // Activating the membership: the assignment leads back to the eligibility.
    let join = Activation::group(&ben, &operators, GroupAccess::Member)
        .duration(Duration::from_secs(3600))
        .justification("on call");
    let outcome = pim::activate_and_wait(&sim.client("sim-ben").unwrap(), &join, quick())
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Provisioned(_)), "{outcome:?}");
    let active = group
        .assignment_schedules()
        .list_by_group_id(&operators)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(active.len(), 1);
    let used = group
        .assignment_schedules()
        .by_id(active[0].id.as_deref().unwrap())
        .activated_using()
        .get()
        .await
        .unwrap();
    assert_eq!(used.id, by_group[0].id);
    assert_eq!(
        group
            .assignment_schedule_requests()
            .count_by_principal_id(&ben)
            .await
            .unwrap(),
        1
    );
}
