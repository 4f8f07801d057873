//! A user activates a Microsoft Entra role they are eligible for (`selfActivate`), with a
//! justification, for a duration (at most what the role's policy allows; `list_roles` shows
//! it). The principal is the signed-in user's object id.
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin activate_role -- <principalId> <roleDefinitionId> "<justification>" PT4H
//! ```

use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let args = args(
        "<principalId> <roleDefinitionId> <justification> [duration, default PT1H]",
        3,
    );
    let client = client_from_env();
    let duration = args.get(3).map_or("PT1H", String::as_str);
    let request = flows::activate(&client, &args[0], &args[1], &args[2], duration)
        .await
        .unwrap_or_else(|e| fail(e));
    println!(
        "activation request {}: {} (cancel it with `cancel_request {}` while it is pending)",
        request.id.as_deref().unwrap_or("?"),
        request.status.as_deref().unwrap_or("?"),
        request.id.as_deref().unwrap_or("<id>")
    );
}
