//! Every example binary, run as a user would run it, against the local PIM service: the
//! simulator runs in this test, the binaries get `GRAPH_BASE_URL` and `GRAPH_TOKEN` from the
//! environment, and each run's exit status and output are checked. Between runs the test
//! moves the simulator's clock where a flow waits on time (the five minutes before a
//! deactivation).

use std::time::Duration;

use pim_sim::{Simulator, Tenant};
use tokio::process::Command;

const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn run(sim: &Simulator, bin: &str, token: &str, args: &[&str]) -> Run {
    let path = match bin {
        "activate_role" => env!("CARGO_BIN_EXE_activate_role"),
        "approve_deny" => env!("CARGO_BIN_EXE_approve_deny"),
        "approve_role" => env!("CARGO_BIN_EXE_approve_role"),
        "cancel_request" => env!("CARGO_BIN_EXE_cancel_request"),
        "create_assignment" => env!("CARGO_BIN_EXE_create_assignment"),
        "deactivate_role" => env!("CARGO_BIN_EXE_deactivate_role"),
        "extend_renew" => env!("CARGO_BIN_EXE_extend_renew"),
        "list_assignments" => env!("CARGO_BIN_EXE_list_assignments"),
        "list_roles" => env!("CARGO_BIN_EXE_list_roles"),
        "update_policy_rule" => env!("CARGO_BIN_EXE_update_policy_rule"),
        other => panic!("no example {other}"),
    };
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        Command::new(path)
            .args(args)
            .env("GRAPH_BASE_URL", sim.base_url())
            .env("GRAPH_TOKEN", token)
            .output(),
    )
    .await
    .expect("the example finishes")
    .expect("the example starts");
    let run = Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        run.ok,
        "{bin} {args:?} failed:\n{}\n{}",
        run.stdout, run.stderr
    );
    run
}

/// The id in `… request <id>: …` of an example's output.
fn request_id(stdout: &str) -> String {
    stdout
        .split_whitespace()
        .skip_while(|w| *w != "request")
        .nth(1)
        .map(|w| w.trim_end_matches(':').to_owned())
        .expect("a request id in the output")
}

#[tokio::test]
async fn every_example_runs_against_the_simulator() {
    let mut tenant = Tenant::default_tenant();
    // Group activations need Cleo's approval in this tenant, for approve_deny.
    let operators = tenant
        .policies
        .iter_mut()
        .find(|p| p.group.as_deref() == Some("operators"))
        .expect("the operators policy");
    operators.approvers = vec!["cleo".into()];
    let sim = Simulator::builder(tenant)
        .provisioning_delay(Duration::from_millis(300))
        .spawn()
        .await
        .expect("simulator");
    let ben = sim.principal_id("ben").unwrap();
    let dana = sim.principal_id("dana").unwrap();

    let roles = run(&sim, "list_roles", "sim-ada", &[]).await;
    assert!(
        roles.stdout.contains("directory role definitions"),
        "{}",
        roles.stdout
    );
    assert!(
        roles.stdout.contains(
            "Expiration_EndUser_Assignment: expiration required Some(true), at most PT8H"
        )
    );

    let listed = run(&sim, "list_assignments", "sim-ada", &[]).await;
    assert!(
        listed.stdout.starts_with("2 active role assignments"),
        "{}",
        listed.stdout
    );

    // Activate and wait until provisioned.
    let activated = run(
        &sim,
        "activate_role",
        "sim-ben",
        &[&ben, USER_ADMIN, "incident 4711", "PT1H", "--wait"],
    )
    .await;
    assert!(
        activated.stdout.contains(": Granted"),
        "{}",
        activated.stdout
    );
    assert!(
        activated.stdout.contains(": Provisioned"),
        "{}",
        activated.stdout
    );
    let mine = run(&sim, "list_assignments", "sim-ada", &[&ben]).await;
    assert!(mine.stdout.contains("Activated"), "{}", mine.stdout);

    // Deactivation after the five minutes the service insists on.
    sim.clock().advance(Duration::from_secs(6 * 60));
    let deactivated = run(&sim, "deactivate_role", "sim-ben", &[&ben, USER_ADMIN]).await;
    assert!(
        deactivated.stdout.contains(": Revoked"),
        "{}",
        deactivated.stdout
    );

    // An administrator assigns, extends and renews.
    let created = run(
        &sim,
        "create_assignment",
        "sim-ada",
        &[&dana, GLOBAL_READER, "audit", "P30D"],
    )
    .await;
    assert!(created.stdout.contains(": Granted"), "{}", created.stdout);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let extended = run(
        &sim,
        "extend_renew",
        "sim-ada",
        &["extend", &dana, GLOBAL_READER, "audit", "P60D"],
    )
    .await;
    assert!(
        extended.stdout.starts_with("extend request"),
        "{}",
        extended.stdout
    );

    // A policy change.
    let policy = roles
        .stdout
        .lines()
        .find(|l| l.contains(&format!("({USER_ADMIN}): policy")))
        .and_then(|l| l.split("policy ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the User Administrator policy")
        .to_owned();
    let updated = run(&sim, "update_policy_rule", "sim-ada", &[&policy, "PT4H"]).await;
    assert!(
        updated.stdout.contains("at most PT4H"),
        "{}",
        updated.stdout
    );

    // Approval of a role request by a second principal.
    let pending = run(
        &sim,
        "activate_role",
        "sim-ben",
        &[&ben, SECURITY_ADMIN, "review alerts", "PT2H", "--wait"],
    )
    .await;
    assert!(
        pending.stdout.contains(": PendingApproval"),
        "{}",
        pending.stdout
    );
    let listing = run(&sim, "approve_role", "sim-cleo", &[]).await;
    assert!(
        listing
            .stdout
            .starts_with("1 role requests await your approval"),
        "{}",
        listing.stdout
    );
    let approval = listing
        .stdout
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(1))
        .map(|w| w.trim_end_matches(':').to_owned())
        .expect("an approval id");
    let approved = run(
        &sim,
        "approve_role",
        "sim-cleo",
        &["approve", &approval, "looks right"],
    )
    .await;
    assert!(approved.stdout.contains("approved"), "{}", approved.stdout);

    // A group request denied by its approver (approve_deny), then one cancelled.
    let client = sim.client("sim-ben").unwrap();
    let group = sim.principal_id("operators").unwrap();
    let mut body = pim_api::models::PrivilegedAccessGroupAssignmentScheduleRequest::new();
    body.action = Some(pim_api::edm::parse_open_enum("selfActivate"));
    body.principal_id = Some(ben.clone());
    body.group_id = Some(group);
    body.access_id = Some(pim_api::edm::parse_open_enum("member"));
    body.justification = Some("on call".into());
    body.schedule_info = Some(pim_api_examples::flows::schedule(Some("PT1H")));
    let request = client
        .identity_governance()
        .privileged_access()
        .group()
        .assignment_schedule_requests()
        .create(&body)
        .await
        .expect("group activation");
    assert_eq!(request.status.as_deref(), Some("PendingApproval"));
    let denied = run(
        &sim,
        "approve_deny",
        "sim-cleo",
        &["deny", request.approval_id.as_deref().unwrap(), "not today"],
    )
    .await;
    assert!(denied.stdout.ends_with("denied\n"), "{}", denied.stdout);

    // Ada's Global Administrator activation needs approval too; she cancels it.
    let ada = sim.principal_id("ada").unwrap();
    let waiting = run(
        &sim,
        "activate_role",
        "sim-ada",
        &[&ada, GLOBAL_ADMIN, "break glass", "PT1H"],
    )
    .await;
    assert!(
        waiting.stdout.contains(": PendingApproval"),
        "{}",
        waiting.stdout
    );
    let canceled = run(
        &sim,
        "cancel_request",
        "sim-ada",
        &[&request_id(&waiting.stdout)],
    )
    .await;
    assert!(canceled.stdout.contains("canceled"), "{}", canceled.stdout);

    // What a user sees when the policy refuses: the service's words, and exit status 1.
    let out = Command::new(env!("CARGO_BIN_EXE_activate_role"))
        .args([&ben, USER_ADMIN, "x", "PT9H"])
        .env("GRAPH_BASE_URL", sim.base_url())
        .env("GRAPH_TOKEN", "sim-ben")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ExpirationRule"), "{stderr}");
    // Without a token the examples say how to get one, or how to use the simulator.
    let out = Command::new(env!("CARGO_BIN_EXE_list_roles"))
        .env_remove("GRAPH_TOKEN")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pim-sim"));
}
