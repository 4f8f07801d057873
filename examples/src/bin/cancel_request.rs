//! Cancels a pending request: a Microsoft Entra role assignment request by default, or
//! another kind with a flag.
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin cancel_request -- <requestId> [--eligibility | --group-assignment | --group-eligibility]
//! ```

use pim_api_examples::flows::{self, RequestKind};
use pim_api_examples::{args, client_from_env, fail};

#[tokio::main]
async fn main() {
    let usage = "<requestId> [--eligibility | --group-assignment | --group-eligibility]";
    let args = args(usage, 1);
    let kind = match args.get(1).map(String::as_str) {
        None => RequestKind::RoleAssignment,
        Some("--eligibility") => RequestKind::RoleEligibility,
        Some("--group-assignment") => RequestKind::GroupAssignment,
        Some("--group-eligibility") => RequestKind::GroupEligibility,
        Some(other) => {
            eprintln!("unknown flag {other:?}; usage: {usage}");
            std::process::exit(2);
        }
    };
    let client = client_from_env();
    flows::cancel(&client, kind, &args[0])
        .await
        .unwrap_or_else(|e| fail(e));
    println!("request {} canceled", args[0]);
}
