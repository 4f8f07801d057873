//! An administrator assigns a Microsoft Entra role to a principal (`adminAssign`), for the
//! whole directory, permanently or for a duration.
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin create_assignment -- <principalId> <roleDefinitionId> "<justification>" [P30D]
//! ```

use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let args = args(
        "<principalId> <roleDefinitionId> <justification> [duration, e.g. P30D]",
        3,
    );
    let client = client_from_env();
    let request = flows::create_assignment(
        &client,
        &args[0],
        &args[1],
        &args[2],
        args.get(3).map(String::as_str),
    )
    .await
    .unwrap_or_else(|e| fail(e));
    println!(
        "request {}: {}",
        request.id.as_deref().unwrap_or("?"),
        request.status.as_deref().unwrap_or("?")
    );
}
