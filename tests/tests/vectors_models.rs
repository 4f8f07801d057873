//! Every JSON body of the Graph docs examples (`../shared/vectors/beta/*.json`, relative to the
//! workspace root) through the generated models: decode into the type the example names, encode
//! back, and compare with the original JSON value.
//!
//! - Responses decode into the type named by `odata_type` (the item type for collections, whose
//!   payloads are `{"value": [...]}`; every item is checked). Types with derived types decode
//!   into their `…Kind` enum, as a property of that type would.
//! - Requests decode into the request type: the created entity for a POST to a collection, the
//!   `…Update` body for a PATCH (for a polymorphic rule, the one its `@odata.type` names).
//! - Equality ignores key order and the casing of enum members (open enums write the schema's
//!   spelling: `AdminAssign` comes back as `adminAssign`); every such normalization is counted.
//! - Bodies that are not JSON (docs cuts with `...`, trailing commas) are reported, not tested:
//!   there is nothing to decode. A body that cannot pass because the example contradicts the
//!   schema would be listed in [`KNOWN_FAILURES`] with its reason, and is asserted to still
//!   fail (so the list cannot go stale); no example is skipped silently.
//!
//! Run with `--nocapture` to see the pass counts per file.

#![allow(deprecated)] // PIM iteration 2 types are deprecated in the schema, and tested here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// serde through pim-api's re-export: this crate has no serde dependency of its own.
use pim_api::edm::derive_support::Model;
use pim_api::edm::derive_support::serde::Serialize;
use pim_api::edm::derive_support::serde::de::DeserializeOwned;
use pim_api::models::*;
use serde_json::Value;

/// `(file stem, example index, "request"|"response")` of bodies that contradict the schema,
/// with the reason. Currently none: every JSON body round-trips.
const KNOWN_FAILURES: &[(&str, usize, &str, &str)] = &[];

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
        .join("vectors")
        .join("beta")
}

/// How to check a body: the round trip, and the wire names the type declares (to report the
/// members that went to `additional_properties`; `None` for polymorphic enums).
type Check = (
    fn(&Value) -> Result<Value, String>,
    Option<&'static [&'static str]>,
);

/// The check of a struct.
fn m<T: DeserializeOwned + Serialize + Model>() -> Check {
    (roundtrip::<T>, Some(T::FIELDS))
}

/// The check of a polymorphic enum.
fn k<T: DeserializeOwned + Serialize>() -> Check {
    (roundtrip::<T>, None)
}

/// Decodes `value` (from its JSON text, as the client does) as `T` and encodes it back.
fn roundtrip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let decoded: T = serde_json::from_str(&text).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&decoded).map_err(|e| format!("encode: {e}"))
}

/// The model of each entity type the examples name (lower-cased qualified name).
fn model_for(qualified: &str) -> Option<Check> {
    Some(match qualified.to_ascii_lowercase().as_str() {
        #[cfg(feature = "iteration2")]
        "microsoft.graph.governanceresource" => m::<GovernanceResource>(),
        #[cfg(feature = "iteration2")]
        "microsoft.graph.governanceroleassignment" => m::<GovernanceRoleAssignment>(),
        #[cfg(feature = "iteration2")]
        "microsoft.graph.governanceroleassignmentrequest" => m::<GovernanceRoleAssignmentRequest>(),
        #[cfg(feature = "iteration2")]
        "microsoft.graph.governanceroledefinition" => m::<GovernanceRoleDefinition>(),
        #[cfg(feature = "iteration2")]
        "microsoft.graph.governancerolesetting" => m::<GovernanceRoleSetting>(),
        "microsoft.graph.privilegedaccessgroupassignmentschedule" => {
            m::<PrivilegedAccessGroupAssignmentSchedule>()
        }
        "microsoft.graph.privilegedaccessgroupassignmentscheduleinstance" => {
            m::<PrivilegedAccessGroupAssignmentScheduleInstance>()
        }
        "microsoft.graph.privilegedaccessgroupassignmentschedulerequest" => {
            m::<PrivilegedAccessGroupAssignmentScheduleRequest>()
        }
        "microsoft.graph.privilegedaccessgroupeligibilityschedule" => {
            m::<PrivilegedAccessGroupEligibilitySchedule>()
        }
        "microsoft.graph.privilegedaccessgroupeligibilityscheduleinstance" => {
            m::<PrivilegedAccessGroupEligibilityScheduleInstance>()
        }
        "microsoft.graph.privilegedaccessgroupeligibilityschedulerequest" => {
            m::<PrivilegedAccessGroupEligibilityScheduleRequest>()
        }
        "microsoft.graph.unifiedroleassignmentschedule" => m::<UnifiedRoleAssignmentSchedule>(),
        "microsoft.graph.unifiedroleassignmentscheduleinstance" => {
            m::<UnifiedRoleAssignmentScheduleInstance>()
        }
        "microsoft.graph.unifiedroleassignmentschedulerequest" => {
            m::<UnifiedRoleAssignmentScheduleRequest>()
        }
        "microsoft.graph.unifiedroleeligibilityschedule" => m::<UnifiedRoleEligibilitySchedule>(),
        "microsoft.graph.unifiedroleeligibilityscheduleinstance" => {
            m::<UnifiedRoleEligibilityScheduleInstance>()
        }
        "microsoft.graph.unifiedroleeligibilityschedulerequest" => {
            m::<UnifiedRoleEligibilityScheduleRequest>()
        }
        "microsoft.graph.unifiedrolemanagementpolicy" => m::<UnifiedRoleManagementPolicy>(),
        "microsoft.graph.unifiedrolemanagementpolicyassignment" => {
            m::<UnifiedRoleManagementPolicyAssignment>()
        }
        // Rules are polymorphic: decode as a property declared with the base type would.
        "microsoft.graph.unifiedrolemanagementpolicyrule" => {
            k::<UnifiedRoleManagementPolicyRuleKind>()
        }
        _ => return None,
    })
}

/// The PATCH body of each entity type the examples update.
fn update_for(qualified: &str) -> Option<Check> {
    Some(match qualified.to_ascii_lowercase().as_str() {
        #[cfg(feature = "iteration2")]
        "microsoft.graph.governancerolesetting" => m::<GovernanceRoleSettingUpdate>(),
        "microsoft.graph.unifiedrolemanagementpolicy" => m::<UnifiedRoleManagementPolicyUpdate>(),
        "microsoft.graph.unifiedrolemanagementpolicyapprovalrule" => {
            m::<UnifiedRoleManagementPolicyApprovalRuleUpdate>()
        }
        "microsoft.graph.unifiedrolemanagementpolicyauthenticationcontextrule" => {
            m::<UnifiedRoleManagementPolicyAuthenticationContextRuleUpdate>()
        }
        "microsoft.graph.unifiedrolemanagementpolicyenablementrule" => {
            m::<UnifiedRoleManagementPolicyEnablementRuleUpdate>()
        }
        "microsoft.graph.unifiedrolemanagementpolicyexpirationrule" => {
            m::<UnifiedRoleManagementPolicyExpirationRuleUpdate>()
        }
        "microsoft.graph.unifiedrolemanagementpolicynotificationrule" => {
            m::<UnifiedRoleManagementPolicyNotificationRuleUpdate>()
        }
        _ => return None,
    })
}

/// `Collection(ns.T)` / `ns.T` (any casing of the namespace) → `ns.T`.
fn item_type(odata_type: &str) -> &str {
    let t = odata_type.trim();
    let t = t.strip_prefix('#').unwrap_or(t);
    match t.get(..11) {
        Some(p) if p.eq_ignore_ascii_case("Collection(") => {
            t[11..].strip_suffix(')').unwrap_or(&t[11..])
        }
        _ => t,
    }
}

/// The entity type a PATCH URL addresses (the docs' URLs end in the entity's key).
fn patched_type(url: &str) -> Option<&'static str> {
    let path = url.split('?').next().unwrap_or(url);
    if path.contains("/rules/") {
        Some("microsoft.graph.unifiedRoleManagementPolicyRule")
    } else if path.contains("/roleManagementPolicies/") {
        Some("microsoft.graph.unifiedRoleManagementPolicy")
    } else if path.contains("/roleSettings/") {
        Some("microsoft.graph.governanceRoleSetting")
    } else {
        None
    }
}

/// Counts of one comparison.
#[derive(Default)]
struct Diff {
    /// Strings equal only ignoring ASCII case (enum members normalized to schema spelling).
    casing: usize,
    /// Where the values differ, if they do.
    mismatch: Option<String>,
}

fn compare(path: &str, a: &Value, b: &Value, diff: &mut Diff) {
    if diff.mismatch.is_some() {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => compare(&format!("{path}/{k}"), u, v, diff),
                    (u, _) => {
                        diff.mismatch = Some(format!(
                            "{path}/{k}: {} in the original only",
                            if u.is_some() { "present" } else { "absent" }
                        ));
                        return;
                    }
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                compare(&format!("{path}/{i}"), u, v, diff);
            }
        }
        (Value::String(x), Value::String(y)) if x != y && x.eq_ignore_ascii_case(y) => {
            diff.casing += 1;
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => diff.mismatch = Some(format!("{path}: {a} became {b}")),
    }
}

#[derive(Default)]
struct FileReport {
    passed: usize,
    failed: Vec<String>,
    known: usize,
    not_json: usize,
    no_body: usize,
    casing: usize,
    /// Members (not annotations) that no field declares: kept in `additional_properties`.
    untyped: std::collections::BTreeSet<String>,
}

/// Checks one body; returns `Err(why)` when it does not round-trip.
fn check(
    (check, fields): Check,
    body: &Value,
    casing: &mut usize,
    untyped: &mut std::collections::BTreeSet<String>,
) -> Result<(), String> {
    let encoded = check(body)?;
    if let (Some(fields), Some(object)) = (fields, body.as_object()) {
        untyped.extend(
            object
                .keys()
                .filter(|k| !k.contains('@') && !fields.contains(&k.as_str()))
                .cloned(),
        );
    }
    let mut diff = Diff::default();
    compare("", body, &encoded, &mut diff);
    *casing += diff.casing;
    match diff.mismatch {
        None => Ok(()),
        Some(m) => Err(m),
    }
}

#[test]
fn the_comparison_sees_what_matters() {
    let json = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    let differs = |a: &str, b: &str| {
        let mut d = Diff::default();
        compare("", &json(a), &json(b), &mut d);
        d.mismatch.is_some()
    };
    assert!(differs(r#"{"a":null}"#, r#"{}"#));
    assert!(differs(r#"{"a":[1]}"#, r#"{"a":[]}"#));
    assert!(differs(r#"{"a":"x"}"#, r#"{"a":"y"}"#));
    assert!(differs(r#"{"a":1}"#, r#"{"a":"1"}"#));
    assert!(!differs(
        r#"{"a":1,"b":"AdminAssign"}"#,
        r#"{"b":"adminAssign","a":1}"#
    ));
}

#[test]
fn every_docs_body_round_trips_through_the_models() {
    let dir = vectors_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "skipped: no vectors at {} (they live outside the repository)",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vectors in {}", dir.display());
    // PIM iteration 2's models exist only with the `iteration2` feature.
    if !cfg!(feature = "iteration2") {
        let before = files.len();
        files.retain(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("governance"))
        });
        println!(
            "{} PIM iteration 2 vector files skipped (run with `--features iteration2`)",
            before - files.len()
        );
    }

    let mut reports: BTreeMap<String, FileReport> = BTreeMap::new();
    let mut known_seen = Vec::new();
    for path in &files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let report = reports.entry(stem.clone()).or_default();
        let examples = doc["examples"].as_array().cloned().unwrap_or_default();
        for (index, example) in examples.iter().enumerate() {
            for side in ["request", "response"] {
                let part = &example[side];
                let body = &part["body"];
                if body.is_null() {
                    if part["json_error"].is_string() {
                        report.not_json += 1;
                    } else {
                        report.no_body += 1;
                    }
                    continue;
                }
                let known = KNOWN_FAILURES
                    .iter()
                    .find(|(f, i, s, _)| *f == stem && *i == index && *s == side);
                let mut bodies: Vec<(String, Check, Value)> = Vec::new();
                let label = format!("{stem}#{index} {side}");
                if side == "response" {
                    let odata = part["odata_type"].as_str().unwrap_or("");
                    let collection = part["is_collection"].as_bool().unwrap_or(false)
                        || odata
                            .trim_start_matches('#')
                            .to_ascii_lowercase()
                            .starts_with("collection(");
                    let Some(check) = model_for(item_type(odata)) else {
                        report
                            .failed
                            .push(format!("{label}: no model for `{odata}`"));
                        continue;
                    };
                    match (collection, body.get("value")) {
                        (true, Some(Value::Array(items))) => {
                            for (i, item) in items.iter().enumerate() {
                                bodies.push((format!("{label} value[{i}]"), check, item.clone()));
                            }
                        }
                        _ => bodies.push((label.clone(), check, body.clone())),
                    }
                } else {
                    let method = part["method"].as_str().unwrap_or("");
                    let url = part["url"].as_str().unwrap_or("");
                    let check = match method {
                        #[cfg(feature = "iteration2")]
                        "POST" if url.trim_end_matches('/').ends_with("/register") => {
                            // Action parameters: the request builders' `RegisterParams` is
                            // write-only, so build it from the body and compare its encoding.
                            let mut params = pim_api::requests::RegisterParams::new();
                            params.external_id = body["externalId"].as_str().map(str::to_owned);
                            let encoded = serde_json::to_value(&params).unwrap();
                            if encoded == *body {
                                report.passed += 1;
                            } else {
                                report.failed.push(format!("{label}: {encoded} != {body}"));
                            }
                            continue;
                        }
                        "POST" => {
                            let odata = example["response"]["odata_type"].as_str().unwrap_or("");
                            model_for(item_type(odata))
                        }
                        "PATCH" => {
                            let declared = patched_type(url);
                            // A rule PATCH names its derived type; use that type's body.
                            let named = body["@odata.type"]
                                .as_str()
                                .map(|t| t.trim_start_matches('#').to_owned());
                            named
                                .as_deref()
                                .and_then(update_for)
                                .or_else(|| declared.and_then(update_for))
                        }
                        _ => None,
                    };
                    let Some(check) = check else {
                        report
                            .failed
                            .push(format!("{label}: no request type for {method} {url}"));
                        continue;
                    };
                    bodies.push((label.clone(), check, body.clone()));
                }
                for (what, check_fn, value) in bodies {
                    let result = check(check_fn, &value, &mut report.casing, &mut report.untyped);
                    match (result, known) {
                        (Ok(()), None) => report.passed += 1,
                        (Err(why), None) => report.failed.push(format!("{what}: {why}")),
                        (Err(_), Some(_)) => {
                            report.known += 1;
                            known_seen.push((stem.clone(), index, side));
                        }
                        (Ok(()), Some((_, _, _, reason))) => report.failed.push(format!(
                            "{what}: listed as a known failure ({reason}) but passes now; \
                             remove it from KNOWN_FAILURES"
                        )),
                    }
                }
            }
        }
    }

    let mut failures = Vec::new();
    let (mut passed, mut not_json, mut casing) = (0, 0, 0);
    println!(
        "{:<75} {:>6} {:>6} {:>5} {:>8} {:>7} {:>6}",
        "file", "passed", "failed", "known", "not JSON", "no body", "casing"
    );
    for (stem, r) in &reports {
        println!(
            "{stem:<75} {:>6} {:>6} {:>5} {:>8} {:>7} {:>6}",
            r.passed,
            r.failed.len(),
            r.known,
            r.not_json,
            r.no_body,
            r.casing
        );
        if !r.untyped.is_empty() {
            println!("    kept in additional_properties: {:?}", r.untyped);
        }
        passed += r.passed;
        not_json += r.not_json;
        casing += r.casing;
        failures.extend(r.failed.iter().cloned());
    }
    println!(
        "total: {passed} bodies round-trip, {} fail, {not_json} bodies are not JSON, \
         {casing} enum members re-cased",
        failures.len()
    );
    for (f, i, s, reason) in KNOWN_FAILURES {
        assert!(
            known_seen
                .iter()
                .any(|(a, b, c)| a == f && b == i && c == s),
            "KNOWN_FAILURES lists {f}#{i} {s} ({reason}), which was not seen failing"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed > 50, "only {passed} bodies checked");
}
