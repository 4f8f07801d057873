//! Approves or denies a pending Microsoft Entra role request (PIM iteration 3) as one of its
//! approvers: the step of the request's approval that is assigned to you and in progress gets
//! the decision (`PATCH /roleManagement/directory/roleAssignmentApprovals/{approvalId}/steps/{stepId}`
//! with `reviewResult` and `justification`). Without arguments, lists the requests awaiting
//! your approval with their approval ids.
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin approve_role
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin approve_role -- approve <approvalId> "<justification>"
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin approve_role -- deny <approvalId> "<justification>"
//! ```
//!
//! The approval id of a role request is its `approvalId` (the listing prints it). The token
//! needs `RoleManagement.ReadWrite.Directory` (delegated: approvers act as themselves, and
//! cannot approve their own requests).

use pim_api_examples::{args, client_from_env, decision, fail, flows};

#[tokio::main]
async fn main() {
    let usage = "[<approve|deny> <approvalId> <justification>]";
    let args = args(usage, 0);
    let Some((word, rest)) = args.split_first() else {
        list_pending().await;
        return;
    };
    let approve = decision(word, usage);
    let [approval, justification, ..] = rest else {
        eprintln!("usage: {usage}");
        std::process::exit(2);
    };
    let client = client_from_env();
    match flows::decide_role_approval(&client, approval, approve, justification)
        .await
        .unwrap_or_else(|e| fail(e))
    {
        Some(step) => println!(
            "approval {approval}: step {step} {}",
            if approve { "approved" } else { "denied" }
        ),
        None => {
            eprintln!("approval {approval}: no step in progress is assigned to you");
            std::process::exit(1);
        }
    }
}

/// Prints the role requests awaiting the caller's approval, with their approval ids.
async fn list_pending() {
    let client = client_from_env();
    let pending = flows::pending_role_approvals(&client)
        .await
        .unwrap_or_else(|e| fail(e));
    println!("{} role requests await your approval", pending.len());
    for r in &pending {
        println!(
            "  approval {}: {} asks for role {} ({}): {}",
            r.approval_id.as_deref().unwrap_or("?"),
            r.principal_id.as_deref().unwrap_or("?"),
            r.role_definition_id.as_deref().unwrap_or("?"),
            r.action.as_deref().unwrap_or("?"),
            r.justification.as_deref().unwrap_or("")
        );
    }
}
