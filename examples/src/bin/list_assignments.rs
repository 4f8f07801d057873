//! Lists the active Microsoft Entra role assignments (every page, lazily), optionally of one
//! principal; with `--export`, prints every eligible and active assignment as CSV (with a
//! provider and resource id: the export of a PIM iteration 2 resource).
//!
//! ```text
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin list_assignments -- [principalId]
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --bin list_assignments -- --export > assignments.csv
//! GRAPH_TOKEN=… cargo run -p pim-api-examples --features iteration2 --bin list_assignments -- --export azureResources <resourceId>
//! ```

use pim_api_examples::{args, client_from_env, fail, flows};

#[tokio::main]
async fn main() {
    let args = args(
        "[principalId] | --export [<aadroles|azureResources> <resourceId>]",
        0,
    );
    let client = client_from_env();
    if let [flag, provider, resource, ..] = args.as_slice()
        && flag == "--export"
    {
        #[cfg(feature = "iteration2")]
        {
            #[allow(deprecated)]
            let csv = flows::iteration2::export_assignments(&client, provider, resource)
                .await
                .unwrap_or_else(|e| fail(e));
            print!("{csv}");
            return;
        }
        #[cfg(not(feature = "iteration2"))]
        {
            let _ = (provider, resource);
            pim_api_examples::needs_iteration2();
        }
    }
    if args.first().is_some_and(|a| a == "--export") {
        let csv = flows::export_assignments(&client)
            .await
            .unwrap_or_else(|e| fail(e));
        print!("{csv}");
        return;
    }
    let assignments = flows::list_assignments(&client, args.first().map(String::as_str))
        .await
        .unwrap_or_else(|e| fail(e));
    println!("{} active role assignments", assignments.len());
    for a in &assignments {
        println!(
            "{} role {} principal {} ({}, {} → {})",
            a.id.as_deref().unwrap_or("?"),
            a.role_definition_id.as_deref().unwrap_or("?"),
            a.principal_id.as_deref().unwrap_or("?"),
            a.assignment_type.as_deref().unwrap_or("?"),
            a.start_date_time.as_ref().map_or("-", |t| t.as_str()),
            a.end_date_time.as_ref().map_or("permanent", |t| t.as_str()),
        );
    }
}
