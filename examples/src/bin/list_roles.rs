//! Lists the Microsoft Entra roles (PIM iteration 3: the directory's role definitions, and each
//! role's settings: its policy and the policy's rules) and, given a PIM iteration 2 resource,
//! its role definitions and settings (built with the `iteration2` feature).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin list_roles
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --features iteration2 --bin list_roles -- azureResources <resourceId>
//! ```

use std::collections::BTreeMap;

use pim_api::models::UnifiedRoleManagementPolicyRuleKind as Rule;
use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let args = args("[<aadroles|azureResources> <resourceId>]", 0);
    let client = client_from_env();

    let definitions = flows::role_definitions(&client, None)
        .await
        .unwrap_or_else(|e| fail(e));
    println!("{} directory role definitions", definitions.len());
    let names: BTreeMap<&str, &str> = definitions
        .iter()
        .filter_map(|d| Some((d.id.as_deref()?, d.display_name.as_deref()?)))
        .collect();

    let assignments = flows::role_settings(&client)
        .await
        .unwrap_or_else(|e| fail(e));
    println!("{} directory role policies", assignments.len());
    for a in &assignments {
        let id = a.role_definition_id.as_deref().unwrap_or("?");
        let role = names
            .get(id)
            .map_or(id.to_owned(), |n| format!("{n} ({id})"));
        let Some(policy) = &a.policy else {
            println!(
                "role {role}: policy {}",
                a.policy_id.as_deref().unwrap_or("?")
            );
            continue;
        };
        println!(
            "role {role}: policy {} ({} rules)",
            policy.id.as_deref().unwrap_or("?"),
            policy.rules.as_ref().map_or(0, Vec::len)
        );
        for rule in policy.rules.iter().flatten() {
            match rule {
                Rule::UnifiedRoleManagementPolicyExpirationRule(r) => println!(
                    "  {}: expiration required {:?}, at most {}",
                    r.id.as_deref().unwrap_or("?"),
                    r.is_expiration_required,
                    r.maximum_duration.as_ref().map_or("-", |d| d.as_str())
                ),
                Rule::UnifiedRoleManagementPolicyEnablementRule(r) => println!(
                    "  {}: requires {:?}",
                    r.id.as_deref().unwrap_or("?"),
                    r.enabled_rules.as_deref().unwrap_or_default()
                ),
                Rule::UnifiedRoleManagementPolicyApprovalRule(r) => println!(
                    "  {}: approval required {:?}",
                    r.id.as_deref().unwrap_or("?"),
                    r.setting.as_ref().and_then(|s| s.is_approval_required)
                ),
                other => println!("  {}", serde_json::to_string(other).unwrap_or_default()),
            }
        }
    }

    if let [provider, resource, ..] = args.as_slice() {
        iteration2(&client, provider, resource).await;
    }
}

#[cfg(not(feature = "iteration2"))]
async fn iteration2(_: &pim_api::runtime::Client, _: &str, _: &str) {
    pim_api_examples::needs_iteration2()
}

/// PIM iteration 2, deprecated in the schema: used knowingly.
#[cfg(feature = "iteration2")]
#[allow(deprecated)]
async fn iteration2(client: &pim_api::runtime::Client, provider: &str, resource: &str) {
    let (definitions, settings) = flows::iteration2::roles(client, provider, resource)
        .await
        .unwrap_or_else(|e| fail(e));
    println!(
        "\n{provider}/{resource}: {} role definitions",
        definitions.len()
    );
    for d in &definitions {
        println!(
            "  {} {}",
            d.id.as_deref().unwrap_or("?"),
            d.display_name.as_deref().unwrap_or("")
        );
    }
    println!("{} role settings", settings.len());
    for s in &settings {
        println!(
            "  {} for role {}",
            s.id.as_deref().unwrap_or("?"),
            s.role_definition_id.as_deref().unwrap_or("?")
        );
    }
}
