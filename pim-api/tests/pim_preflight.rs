//! Policy pre-flight against the local PIM service: for every combination tried, the rules
//! the local check reports are the rules the service refuses with, and an activation the
//! check passes (with a token that satisfies the MFA and authentication-context
//! requirements) is accepted.

use std::time::Duration;

use pim_api::pim::{self, Activation, GroupAccess, PimError, PolicyRule};
use pim_sim::{Simulator, Tenant};

#[tokio::test]
async fn pre_flight_and_the_service_agree() {
    let sim = Simulator::builder(Tenant::default_tenant())
        .spawn()
        .await
        .unwrap();
    let ben = sim.principal_id("ben").unwrap();
    let reader = sim.client("sim-ada").unwrap();
    let roles = [
        "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator: justification, 8 h
        "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator: approval, 4 h
        "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator: MFA
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator: ticket, context c1
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451", // Global Reader: no justification, 2 h
    ];
    let mut compared = 0;
    let mut accepted = 0;
    for role in roles {
        let req = pim::requirements(&reader, &Activation::role(&ben, role).target().clone())
            .await
            .unwrap()
            .expect("a policy");
        for hours in [1, 3, 9] {
            for justification in [None, Some("why")] {
                for ticket in [false, true] {
                    for (token, mfa, acrs) in
                        [("sim-ben", false, false), ("sim-ben-mfa", true, true)]
                    {
                        let mut a = Activation::role(&ben, role)
                            .duration(Duration::from_secs(hours * 3600));
                        if let Some(j) = justification {
                            a = a.justification(j);
                        }
                        if ticket {
                            a = a.ticket("CHG-1", "ServiceNow");
                        }
                        let local = req.check_with_mfa(&a, mfa);
                        let client = sim.client(token).unwrap();
                        let service = pim::dry_run(&client, &a).await;
                        compared += 1;
                        match service {
                            Ok(_) => {
                                assert!(
                                    local.is_empty(),
                                    "{role} {hours}h {justification:?} {ticket}: local {local:?}"
                                );
                                accepted += 1;
                            }
                            Err(e) => match e.pim() {
                                Some(PimError::PolicyViolation(rules)) => assert_eq!(
                                    rules, local,
                                    "{role} {hours}h {justification:?} ticket {ticket} mfa {mfa}"
                                ),
                                Some(PimError::ClaimsChallenge(c)) => {
                                    assert!(
                                        local.is_empty(),
                                        "the service checks the rules first: {local:?}"
                                    );
                                    assert!(!acrs, "a token with c1 is not challenged");
                                    assert_eq!(req.authentication_context.as_deref(), Some("c1"));
                                    assert_eq!(c.acrs(), ["c1"]);
                                }
                                other => panic!("{role}: {other:?}"),
                            },
                        }
                    }
                }
            }
        }
        // What pre-flight read from the policies.
        match role {
            "194ae4cb-b126-40b2-bd5b-6091b380977d" => {
                assert!(req.approval);
                assert_eq!(req.max_duration, Some(Duration::from_secs(4 * 3600)));
            }
            "29232cdf-9323-42fd-ade2-1d097af3e4de" => assert!(req.mfa),
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" => assert!(req.ticket),
            "f2ef992c-3afb-46b9-b7cf-a126ee74c451" => assert!(!req.justification),
            _ => assert!(req.justification && !req.mfa && !req.approval),
        }
        assert_eq!(req.minimum_active, Duration::from_secs(300));
    }
    assert_eq!(compared, 5 * 3 * 2 * 2 * 2);
    assert!(accepted > 10, "{accepted}");
    // A group's membership policy.
    let group = sim.principal_id("operators").unwrap();
    let req = pim::requirements(
        &reader,
        Activation::group(&ben, &group, GroupAccess::Member).target(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(req.max_duration, Some(Duration::from_secs(4 * 3600)));
    let too_long = Activation::group(&ben, &group, GroupAccess::Member)
        .duration(Duration::from_secs(5 * 3600));
    assert_eq!(
        req.check(&too_long),
        [PolicyRule::Expiration, PolicyRule::Justification]
    );
}
