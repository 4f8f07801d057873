//! Approves or denies a pending request: a PIM for groups approval (the step assigned to the
//! caller gets the decision), or, with `--iteration2`, a PIM iteration 2 role assignment
//! request (`updateRequest`).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin approve_deny -- approve <approvalId> "<justification>"
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --features iteration2 --bin approve_deny -- --iteration2 deny azureResources <requestId> "<reason>"
//! ```
//!
//! The approval id of a PIM for groups request is its `approvalId`. Microsoft Entra role
//! requests (PIM iteration 3) are approved with the `approve_role` example.

use pim_api_examples::{args, client_from_env, decision, fail, flows};

#[tokio::main]
// PIM iteration 2 (`--iteration2`) is deprecated in the schema: used knowingly.
#[allow(deprecated)]
async fn main() {
    let usage = "<approve|deny> <approvalId> <justification> \
                 | --iteration2 <approve|deny> <aadroles|azureResources> <requestId> <reason>";
    let args = args(usage, 3);
    if args[0] == "--iteration2" {
        let [_, word, provider, request, reason, ..] = args.as_slice() else {
            eprintln!("usage: {usage}");
            std::process::exit(2);
        };
        let approve = decision(word, usage);
        #[cfg(not(feature = "iteration2"))]
        {
            let _ = (approve, provider, request, reason);
            pim_api_examples::needs_iteration2();
        }
        #[cfg(feature = "iteration2")]
        {
            let client = client_from_env();
            let updated = flows::iteration2::decide(&client, provider, request, approve, reason)
                .await
                .unwrap_or_else(|e| fail(e));
            println!(
                "request {request}: {}{}",
                past(approve),
                updated
                    .and_then(|r| r.status)
                    .map(|s| format!(", status {s:?}"))
                    .unwrap_or_default()
            );
            return;
        }
    }
    let approve = decision(&args[0], usage);
    let client = client_from_env();
    match flows::decide_group_approval(&client, &args[1], approve, &args[2])
        .await
        .unwrap_or_else(|e| fail(e))
    {
        Some(step) => println!("approval {}: step {step} {}", args[1], past(approve)),
        None => {
            eprintln!(
                "approval {}: no step in progress is assigned to you",
                args[1]
            );
            std::process::exit(1);
        }
    }
}

fn past(approve: bool) -> &'static str {
    if approve { "approved" } else { "denied" }
}
