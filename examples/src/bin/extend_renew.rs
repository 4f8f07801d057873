//! An administrator extends an assignment that is about to expire (`adminExtend`) or renews
//! an expired one (`adminRenew`).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin extend_renew -- extend <principalId> <roleDefinitionId> "<justification>" P90D
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin extend_renew -- renew  <principalId> <roleDefinitionId> "<justification>" P90D
//! ```

use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let usage = "<extend|renew> <principalId> <roleDefinitionId> <justification> <duration>";
    let args = args(usage, 5);
    let client = client_from_env();
    let (principal, role, justification, duration) = (&args[1], &args[2], &args[3], &args[4]);
    let result = match args[0].as_str() {
        "extend" => flows::extend(&client, principal, role, justification, duration).await,
        "renew" => flows::renew(&client, principal, role, justification, duration).await,
        other => {
            eprintln!("unknown operation {other:?}; usage: {usage}");
            std::process::exit(2);
        }
    };
    let request = result.unwrap_or_else(|e| fail(e));
    println!(
        "{} request {}: {}",
        args[0],
        request.id.as_deref().unwrap_or("?"),
        request.status.as_deref().unwrap_or("?")
    );
}
