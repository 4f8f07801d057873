//! A user activates a Microsoft Entra role they are eligible for (`selfActivate`), with a
//! justification, for a duration (at most what the role's policy allows; `list_roles` shows
//! it). The principal is the signed-in user's object id. With `--wait`, waits (up to two
//! minutes) until the activation is in effect (`Provisioned`) or will not be by itself
//! (pending approval, denied, failed).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin activate_role -- <principalId> <roleDefinitionId> "<justification>" PT4H --wait
//! ```

use pim_api::pim::{self, Activation, ActivationRequest, RequestStatus, Wait};
use pim_api_examples::{args, client_from_env, fail};

#[tokio::main]
async fn main() {
    let usage =
        "<principalId> <roleDefinitionId> <justification> [duration, default PT1H] [--wait]";
    let mut args = args(usage, 3);
    let wait = args.iter().any(|a| a == "--wait");
    args.retain(|a| a != "--wait");
    if args.len() < 3 {
        eprintln!("usage: activate_role {usage}");
        std::process::exit(2);
    }
    let client = client_from_env();
    let duration = args.get(3).map_or("PT1H", String::as_str);
    let Ok(duration) = pim_api::edm::Duration::from_raw(duration).to_std() else {
        eprintln!("{duration:?} is not an ISO 8601 duration (PT1H, PT30M, ...)");
        std::process::exit(2);
    };
    let activation = Activation::role(&args[0], &args[1])
        .justification(&args[2])
        .duration(duration);
    let request = pim::activate(&client, &activation)
        .await
        .unwrap_or_else(|e| fail(e));
    let id = request.id().unwrap_or("?").to_owned();
    println!("activation request {id}: {}", status(&request));
    let request = if wait {
        let outcome = pim::wait(&client, &request, Wait::default())
            .await
            .unwrap_or_else(|e| fail(e));
        println!("activation request {id}: {}", status(outcome.request()));
        outcome.request().clone()
    } else {
        request
    };
    match request.status() {
        Some(RequestStatus::Provisioned) => {}
        Some(s) if s.needs_approval() => println!(
            "it needs approval {} (an approver runs `approve_role approve {}`)",
            request.approval_id().unwrap_or("?"),
            request.approval_id().unwrap_or("<approvalId>")
        ),
        _ => println!("cancel it with `cancel_request {id}` while it is pending"),
    }
}

fn status(request: &ActivationRequest) -> String {
    request
        .status()
        .map_or_else(|| "?".to_owned(), |s| s.to_string())
}
