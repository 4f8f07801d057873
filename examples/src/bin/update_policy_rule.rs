//! Sets the longest activation a role's policy allows: a PATCH of the policy's
//! `Expiration_EndUser_Assignment` rule with a tri-state update body (only the properties set
//! are sent).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin update_policy_rule -- <policyId> PT4H
//! ```
//!
//! Find the policy of a role with `list_roles`.

use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let args = args("<policyId> <maximumDuration, e.g. PT4H>", 2);
    let client = client_from_env();
    flows::set_max_activation(&client, &args[0], &args[1])
        .await
        .unwrap_or_else(|e| fail(e));
    println!(
        "policy {}: activations now last at most {} ({})",
        args[0],
        args[1],
        flows::ACTIVATION_RULE
    );
}
