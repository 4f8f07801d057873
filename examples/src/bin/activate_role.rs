//! A user activates a Microsoft Entra role they are eligible for (`selfActivate`), with a
//! justification, for a duration (at most what the role's policy allows; `list_roles` shows
//! it). The principal is the signed-in user's object id. With `--wait`, waits (up to two
//! minutes) until the activation is in effect (`Provisioned`) or will not be by itself
//! (pending approval, denied, failed).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin activate_role -- <principalId> <roleDefinitionId> "<justification>" PT4H --wait
//! ```

use std::time::Duration;

use pim_api_examples::{args, client_from_env, fail, flows};

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
    let mut request = flows::activate(&client, &args[0], &args[1], &args[2], duration)
        .await
        .unwrap_or_else(|e| fail(e));
    let id = request.id.clone().unwrap_or_default();
    println!(
        "activation request {id}: {}",
        request.status.as_deref().unwrap_or("?")
    );
    if wait && !id.is_empty() {
        request = flows::wait_until_settled(&client, &id, Duration::from_secs(120))
            .await
            .unwrap_or_else(|e| fail(e));
        println!(
            "activation request {id}: {}",
            request.status.as_deref().unwrap_or("?")
        );
    }
    match request.status.as_deref() {
        Some("Provisioned") => {}
        Some("PendingApproval") => println!(
            "it needs approval {} (an approver runs `approve_role approve {}`)",
            request.approval_id.as_deref().unwrap_or("?"),
            request.approval_id.as_deref().unwrap_or("<approvalId>")
        ),
        _ => println!("cancel it with `cancel_request {id}` while it is pending"),
    }
}
