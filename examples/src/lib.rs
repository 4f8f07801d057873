//! The PIM flows the runnable examples in `src/bin/` perform, written once against the
//! generated request builders, and the few helpers the binaries share.
//!
//! Each flow is a plain async function over a [`Client`], so the same code runs against a real
//! tenant (the binaries: a token from `GRAPH_TOKEN`), against the local PIM service `pim-sim`
//! (`GRAPH_BASE_URL`; the workspace test `tests/tests/sim_flows.rs` runs every flow end to end
//! there, and `examples/tests/binaries.rs` every binary), and against a loopback mock server
//! (`tests/tests/flows.rs`, which asserts the method, path and body of every request). The
//! binaries only parse arguments and print.
//!
//! | flow | request |
//! |---|---|
//! | [`flows::role_definitions`] | `GET /roleManagement/directory/roleDefinitions?$filter=displayName eq '…'` (all pages) |
//! | [`flows::role_settings`] | `GET /policies/roleManagementPolicyAssignments?$filter=…&$expand=policy($expand=rules)` |
//! | `flows::iteration2::roles` (feature `iteration2`) | `GET /privilegedAccess/{provider}/resources/{id}/roleDefinitions`, `…/roleSettings` |
//! | [`flows::set_max_activation`] | `PATCH /policies/roleManagementPolicies/{id}/rules/Expiration_EndUser_Assignment` |
//! | [`flows::list_assignments`] | `GET /roleManagement/directory/roleAssignmentScheduleInstances` (all pages) |
//! | `flows::iteration2::export_assignments` (feature `iteration2`) | `GET /privilegedAccess/{provider}/roleAssignments/export?$filter=…` |
//! | [`flows::create_assignment`], [`flows::activate`], [`flows::deactivate`], [`flows::extend`], [`flows::renew`] | `POST /roleManagement/directory/roleAssignmentScheduleRequests` |
//! | [`flows::export_assignments`] | `GET /roleManagement/directory/roleEligibilitySchedules`, `…/roleAssignmentSchedules` (all pages) as CSV |
//! | [`flows::create_eligibility`], [`flows::remove_eligibility`] | `POST /roleManagement/directory/roleEligibilityScheduleRequests` |
//! | [`flows::remove_assignment`] | `POST /roleManagement/directory/roleAssignmentScheduleRequests` (`adminRemove`) |
//! | [`flows::find_open_request`] | `GET …/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')?$filter=…` (after a lost answer) |
//! | [`flows::wait_until_settled`] | `GET /roleManagement/directory/roleAssignmentScheduleRequests/{id}` until the request leaves `Granted`/`PendingProvisioning` |
//! | [`flows::pending_role_approvals`] | `GET /roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=…` |
//! | [`flows::decide_role_approval`] | `GET /roleManagement/directory/roleAssignmentApprovals/{id}/steps`, `PATCH …/steps/{id}` |
//! | [`flows::decide_group_approval`] | `GET …/group/assignmentApprovals/{id}/steps`, `PATCH …/steps/{id}` |
//! | `flows::iteration2::decide` (feature `iteration2`) | `POST /privilegedAccess/{provider}/roleAssignmentRequests/{id}/updateRequest` |
//! | [`flows::cancel`] | `POST /roleManagement/directory/roleAssignmentScheduleRequests/{id}/cancel` |

use pim_api::runtime::{Client, Error, StaticToken};

pub mod flows;

/// The environment variable holding the bearer token.
pub const TOKEN_VAR: &str = "GRAPH_TOKEN";

/// A client for the tenant the `GRAPH_TOKEN` bearer token belongs to; `GRAPH_BASE_URL`
/// overrides the endpoint (default `https://graph.microsoft.com/beta`), for example to run
/// against the local PIM service (`cargo run -p pim-sim`, which prints both variables).
///
/// Exits with status 2 and says how to get a token when `GRAPH_TOKEN` is not set: the
/// examples never guess credentials.
pub fn client_from_env() -> Client {
    let token = match std::env::var(TOKEN_VAR) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => {
            eprintln!(
                "{TOKEN_VAR} is not set. These examples call Microsoft Graph; give them a bearer \
                 token with the PIM permissions they need (RoleManagement.ReadWrite.Directory, \
                 PrivilegedAccess.ReadWrite.AzureADGroup, RoleManagementPolicy.ReadWrite.Directory, \
                 ...), for example:\n\n    \
                 export {TOKEN_VAR}=$(az account get-access-token --resource-type ms-graph \
                 --query accessToken -o tsv)\n\n\
                 or try them without a tenant against the local PIM service:\n\n    \
                 cargo run -p pim-sim > sim.env &  sleep 5; set -a; . ./sim.env; set +a"
            );
            std::process::exit(2);
        }
    };
    let mut builder = Client::builder().token_provider(StaticToken::new(token.trim()));
    if let Ok(url) = std::env::var("GRAPH_BASE_URL") {
        // Plain http is accepted for loopback hosts only (the local PIM service); any
        // other http URL is still refused by the client.
        builder = builder.base_url(url).allow_http_loopback(true);
    }
    builder.build().unwrap_or_else(|e| fail(e))
}

/// The positional arguments, or the usage and exit status 2 when fewer than `required`.
pub fn args(usage: &str, required: usize) -> Vec<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < required || args.iter().any(|a| a == "-h" || a == "--help") {
        let name = std::env::args().next().unwrap_or_default();
        eprintln!("usage: {name} {usage}");
        std::process::exit(2);
    }
    args
}

/// `approve` → `true`, `deny` → `false`; anything else prints the usage and exits with
/// status 2.
pub fn decision(word: &str, usage: &str) -> bool {
    match word {
        "approve" => true,
        "deny" => false,
        other => {
            eprintln!("expected approve or deny, not {other:?}; usage: {usage}");
            std::process::exit(2);
        }
    }
}

/// Exits (status 2) because the binary was built without the `iteration2` feature that an
/// argument asks for.
pub fn needs_iteration2() -> ! {
    eprintln!(
        "error: PIM iteration 2 needs the `iteration2` feature (`--features iteration2`); the \
         service stopped serving it on 2026-10-28"
    );
    std::process::exit(2)
}

/// Prints a Graph or transport error with what Graph said, and exits with status 1.
pub fn fail(e: Error) -> ! {
    eprintln!("error: {e}");
    if let Some(id) = e.request_id() {
        eprintln!("request-id: {id}");
    }
    std::process::exit(1)
}
