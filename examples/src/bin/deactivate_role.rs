//! A user ends the activation of a Microsoft Entra role early (`selfDeactivate`).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin deactivate_role -- <principalId> <roleDefinitionId>
//! ```

use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let args = args("<principalId> <roleDefinitionId>", 2);
    let client = client_from_env();
    let request = flows::deactivate(&client, &args[0], &args[1])
        .await
        .unwrap_or_else(|e| fail(e));
    println!(
        "deactivation request {}: {}",
        request.id.as_deref().unwrap_or("?"),
        request.status.as_deref().unwrap_or("?")
    );
}
