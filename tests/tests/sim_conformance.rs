//! Conformance of the local PIM service with the Graph docs: every docs example in
//! `../shared/vectors/beta` whose request the simulator implements (PIM iteration 3) is
//! replayed against a tenant built to hold the example's objects — its principals, groups,
//! roles, schedules, instances, requests and policies, with the docs' ids — by a caller who
//! may make it (the principal itself for `filterByCurrentUser` and self-service requests, an
//! administrator app otherwise). The response must have the docs' status and, for each
//! object, the same properties with the same JSON types (ids, times and values aside; a
//! `null` on either side fits any type).
//!
//! An example whose answer differs because the docs are wrong (a placeholder in the URL, a
//! property the schema does not have, a list the service refuses without a filter) is
//! listed in [`DOCS_MISTAKES`] with the reason; the test fails if a listed example starts
//! to match (so the list cannot go stale) or an unlisted one does not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pim_sim::tenant::{
    GrantSpec, GroupSpec, PolicySpec, RequestSpec, RoleDefinitionSpec, TokenSpec, UserSpec,
};
use pim_sim::{Simulator, Tenant};
use serde_json::Value;

/// `(file stem, example index)` → why the simulator's answer differs from the docs.
const DOCS_MISTAKES: &[(&str, usize, &str)] = &[
    (
        "privilegedaccessgroup-list-eligibilityschedulerequests",
        0,
        "lists the group's eligibility requests without a groupId or principalId filter, which the service refuses (microsoft-graph-docs#21801, docs-contrib#1103)",
    ),
    (
        "privilegedaccessgroup-list-eligibilityschedulerequests",
        1,
        "the same list without a filter, with $select",
    ),
    (
        "privilegedaccessgroup-list-eligibilityschedules",
        1,
        "lists the group's eligibility schedules without a groupId or principalId filter, which the service refuses",
    ),
    (
        "unifiedroleassignmentschedule-filterbycurrentuser",
        0,
        "calls filterByCurrentUser(on='parameterValue'): a placeholder, not a value of roleAssignmentScheduleFilterByCurrentUserOptions",
    ),
    (
        "unifiedrolemanagementpolicyrule-update",
        0,
        "the URL has {unifiedRoleManagementPolicyId} and {unifiedRoleManagementPolicyRuleId} placeholders instead of ids",
    ),
    (
        "unifiedroleeligibilityschedule-get",
        0,
        "shows assignmentType on an eligibility schedule, a property unifiedRoleEligibilitySchedule does not have",
    ),
    (
        "privilegedaccessgroupeligibilityscheduleinstance-get",
        0,
        "gets the instance by its group's id (d5f0ad2e…, the instance is b88fc7b0…), wraps it in {\"value\": {...}} as if it were a collection, and shows memberEligibilityScheduleId, which the schema does not have",
    ),
    (
        "rbacapplication-list-roleassignmentschedules",
        0,
        "leaves out assignmentType (Assigned or Activated), a property of unifiedRoleAssignmentSchedule that the service writes",
    ),
    (
        "unifiedrolemanagementpolicy-list-effectiverules",
        0,
        "shortens the rules to an id and an empty target, without @odata.type, where the service writes each derived rule whole",
    ),
];

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/beta")
}

/// Where the example's objects come from.
#[derive(Default)]
struct Seed {
    tenant_id: Option<String>,
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
    roles: BTreeSet<String>,
    grants: Vec<(bool, GrantSpec)>,
    requests: Vec<RequestSpec>,
    policies: Vec<PolicySpec>,
}

fn is_guid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// GUIDs quoted after `name eq` in a URL.
fn filter_ids(url: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let needle = format!("{name} eq '");
    let mut rest = url;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('\'') {
            out.push(rest[..end].to_owned());
        }
    }
    out
}

impl Seed {
    fn principal(&mut self, id: Option<&str>) {
        if let Some(id) = id.filter(|i| is_guid(i)) {
            self.users.insert(id.to_ascii_lowercase());
        }
    }

    /// The objects of one entity of the set at `set` (the collection's segment name), with
    /// `key` as its id when the docs' object has none (after `$select`).
    fn entity(&mut self, set: &str, e: &Value, key: Option<&str>) {
        let group = set_is_group(set);
        // Placeholders ("String") name nothing the tenant could hold.
        if !str_of(e, "principalId").is_some_and(is_guid) {
            return;
        }
        let mut e = e.clone();
        if e.get("id").is_none()
            && let Some(k) = key
        {
            e["id"] = Value::String(k.to_owned());
        }
        let e = &e;
        self.principal(str_of(e, "principalId"));
        if let Some(r) = str_of(e, "roleDefinitionId") {
            self.roles.insert(r.to_owned());
        }
        if let Some(g) = str_of(e, "groupId").filter(|g| is_guid(g)) {
            self.groups.insert(g.to_owned());
        }
        let grant = |id: Option<&str>, instance: Option<&str>| GrantSpec {
            principal: str_of(e, "principalId").unwrap_or_default().to_owned(),
            role: (!group).then(|| str_of(e, "roleDefinitionId").unwrap_or_default().to_owned()),
            group: group.then(|| str_of(e, "groupId").unwrap_or_default().to_owned()),
            access: group.then(|| str_of(e, "accessId").unwrap_or("member").to_owned()),
            scope: str_of(e, "directoryScopeId").map(str::to_owned),
            id: id.map(str::to_owned),
            instance_id: instance.map(str::to_owned),
            ..GrantSpec::default()
        };
        let eligible = set.to_ascii_lowercase().contains("eligibility");
        let lower = set.to_ascii_lowercase();
        if lower.ends_with("schedules") {
            self.grants.push((eligible, grant(str_of(e, "id"), None)));
        } else if lower.ends_with("scheduleinstances") {
            let schedule = [
                "roleAssignmentScheduleId",
                "roleEligibilityScheduleId",
                "assignmentScheduleId",
                "eligibilityScheduleId",
            ]
            .iter()
            .find_map(|k| str_of(e, k));
            self.grants
                .push((eligible, grant(schedule, str_of(e, "id"))));
        } else if lower.ends_with("schedulerequests") {
            let status = str_of(e, "status").unwrap_or("Provisioned");
            self.requests.push(RequestSpec {
                id: str_of(e, "id").map(str::to_owned),
                kind: Some(
                    if eligible {
                        "eligibility"
                    } else {
                        "assignment"
                    }
                    .into(),
                ),
                action: str_of(e, "action").map(str::to_owned),
                status: Some(if status.contains("Pending") {
                    "Granted".into()
                } else {
                    status.to_owned()
                }),
                principal: str_of(e, "principalId").unwrap_or_default().to_owned(),
                role: (!group)
                    .then(|| str_of(e, "roleDefinitionId").unwrap_or_default().to_owned()),
                group: group.then(|| str_of(e, "groupId").unwrap_or_default().to_owned()),
                access: group.then(|| str_of(e, "accessId").unwrap_or("member").to_owned()),
                justification: str_of(e, "justification").map(str::to_owned),
                ..RequestSpec::default()
            });
        }
    }

    /// A policy with the docs' id (`DirectoryRole_<tenant>_<guid>`, `Group_<group>_<guid>`
    /// or a bare GUID), on `role` (or the group's member access).
    fn policy(&mut self, id: &str, role: Option<&str>) {
        if self.policies.iter().any(|p| p.id.as_deref() == Some(id)) {
            return;
        }
        let parts: Vec<&str> = id.split('_').collect();
        let mut spec = PolicySpec {
            id: Some(id.to_owned()),
            ..PolicySpec::default()
        };
        match parts.as_slice() {
            ["DirectoryRole", tenant, _guid, ..] => {
                self.tenant_id = Some((*tenant).to_owned());
                let role = role.unwrap_or("29232cdf-9323-42fd-ade2-1d097af3e4de");
                self.roles.insert(role.to_owned());
                spec.role = Some(role.to_owned());
            }
            ["Group", group, _guid, ..] => {
                self.groups.insert((*group).to_owned());
                spec.group = Some((*group).to_owned());
                spec.access = Some(role.unwrap_or("member").to_owned());
            }
            _ => {
                spec.role = Some(
                    role.unwrap_or("fe930be7-5e62-47db-91af-98c3a49a38b1")
                        .to_owned(),
                )
            }
        }
        self.policies.push(spec);
    }

    fn tenant(self) -> Tenant {
        let mut t = Tenant::empty();
        if let Some(id) = self.tenant_id {
            t.tenant.id = id;
        }
        // Keep granted requests granted while the example runs.
        t.settings.provisioning_delay = "PT1H".into();
        for (i, u) in self.users.iter().enumerate() {
            t.users.push(UserSpec {
                name: format!("user{i}"),
                id: Some(u.clone()),
                ..UserSpec::default()
            });
            t.tokens.push(TokenSpec {
                value: format!("token-{u}"),
                principal: u.clone(),
                mfa: true,
                acrs: vec!["c1".into()],
                ..TokenSpec::default()
            });
        }
        for (i, g) in self.groups.iter().enumerate() {
            t.groups.push(GroupSpec {
                name: format!("group{i}"),
                id: Some(g.clone()),
                ..GroupSpec::default()
            });
        }
        let builtin = Tenant::empty();
        let _ = builtin;
        for r in &self.roles {
            if !BUILTIN.contains(&r.as_str()) {
                t.role_definitions.push(RoleDefinitionSpec {
                    id: Some(r.clone()),
                    display_name: format!("Custom role {r}"),
                    ..RoleDefinitionSpec::default()
                });
            }
        }
        let mut seen = BTreeSet::new();
        for (eligible, g) in self.grants {
            // A schedule and its instance name the same grant.
            let key = (
                eligible,
                g.principal.to_ascii_lowercase(),
                g.role.clone(),
                g.group.clone(),
                g.access.clone(),
            );
            if !seen.insert(key) {
                continue;
            }
            if eligible {
                t.eligibilities.push(g);
            } else {
                t.assignments.push(g);
            }
        }
        t.requests = self.requests;
        t.policies = self.policies;
        // The administrator who makes the calls that are not self-service (as in the docs,
        // a user: requests record who created them).
        t.users.push(UserSpec {
            name: "pim-admin".into(),
            ..UserSpec::default()
        });
        t.assigned("pim-admin", "Privileged Role Administrator");
        t.tokens.push(TokenSpec {
            value: "token-admin".into(),
            principal: "pim-admin".into(),
            mfa: true,
            ..TokenSpec::default()
        });
        t
    }
}

const BUILTIN: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "5d6b6bb7-de71-4623-b4af-96380a352509",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c",
    "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "4a5d8f65-41da-4de4-8968-e035b65339cf",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
];

fn set_is_group(set: &str) -> bool {
    !set.to_ascii_lowercase().starts_with("role")
}

/// The path after `/beta` and its segments.
fn path_of(url: &str) -> (String, Vec<String>) {
    let after = url.split_once("/beta").map_or(url, |(_, rest)| rest);
    let path = after.split('?').next().unwrap_or_default().to_owned();
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (after.to_owned(), segments)
}

/// Does the simulator implement this request?
fn implemented(url: &str) -> bool {
    let (_, segs) = path_of(url);
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    matches!(
        lower.first().map(String::as_str),
        Some("rolemanagement" | "identitygovernance" | "policies")
    )
}

/// The tenant, the caller's token and the URL path (after `/beta`) for one example.
fn setup(example: &Value) -> (Tenant, String, String, String) {
    let request = &example["request"];
    let response = &example["response"];
    let url = request["url"].as_str().unwrap_or_default();
    let method = request["method"].as_str().unwrap_or("GET").to_owned();
    let (after, segs) = path_of(url);
    let mut seed = Seed::default();
    // The collection segment: the last before a key, function or action.
    let set = segs
        .iter()
        .rev()
        .find(|s| s.ends_with('s') && !s.contains('(') && !s.eq_ignore_ascii_case("policies"))
        .cloned()
        .unwrap_or_default();
    let set_index = segs.iter().position(|s| *s == set);
    let key = set_index
        .and_then(|i| segs.get(i + 1))
        .filter(|k| !k.starts_with("filterByCurrentUser") && *k != "$count")
        .cloned();
    let body = response.get("body").filter(|b| !b.is_null());
    // The objects of the response.
    let items: Vec<Value> = match body {
        Some(b) if b.get("value").is_some_and(Value::is_array) => {
            b["value"].as_array().cloned().unwrap_or_default()
        }
        Some(b) if b.get("value").is_some_and(Value::is_object) => vec![b["value"].clone()],
        Some(b) => vec![b.clone()],
        None => Vec::new(),
    };
    let lower_set = set.to_ascii_lowercase();
    let is_policy_set = lower_set.contains("rolemanagementpolic")
        || lower_set == "rules"
        || lower_set == "effectiverules";
    if !is_policy_set && method == "GET" {
        for item in &items {
            seed.entity(&set, item, key.as_deref());
        }
        // A get whose docs body is not JSON: the object named by the key.
        if items.is_empty()
            && let Some(key) = &key
        {
            let group = set_is_group(&set);
            let mut object = serde_json::json!({
                "id": key,
                "principalId": "3cce9d87-3986-4f19-8335-7ed075408ca2",
            });
            if group {
                object["groupId"] = "2b5ed229-4072-478d-9504-a047ebd4b07d".into();
                object["accessId"] = "member".into();
            } else {
                object["roleDefinitionId"] = "fe930be7-5e62-47db-91af-98c3a49a38b1".into();
            }
            seed.entity(&set, &object, None);
        }
    }
    for g in filter_ids(url, "groupId") {
        seed.groups.insert(g);
    }
    for p in filter_ids(url, "principalId") {
        seed.principal(Some(&p));
    }
    // Policies: the ids in the URL and the responses.
    if is_policy_set {
        if lower_set == "rolemanagementpolicyassignments" {
            for item in &items {
                if let (Some(policy), Some(role)) =
                    (str_of(item, "policyId"), str_of(item, "roleDefinitionId"))
                {
                    seed.policy(policy, Some(role));
                }
            }
        } else if lower_set == "rolemanagementpolicies" {
            match &key {
                Some(id) => seed.policy(id, None),
                None => {
                    for g in filter_ids(url, "scopeId")
                        .into_iter()
                        .filter(|s| is_guid(s))
                    {
                        seed.groups.insert(g);
                    }
                    for (i, item) in items.iter().enumerate() {
                        if let Some(id) = str_of(item, "id") {
                            let role = BUILTIN.get(i).copied();
                            let group = id.starts_with("Group_");
                            seed.policy(id, if group { None } else { role });
                        }
                    }
                }
            }
        } else if let Some(i) = set_index
            && let Some(id) = segs.get(i.wrapping_sub(1))
        {
            seed.policy(id, None);
        }
    }
    // A key names an object the tenant must hold (a get, a cancel).
    if let Some(key) = &key
        && !is_policy_set
        && items.is_empty()
        && after.contains("/cancel")
    {
        let group = set_is_group(&set);
        let principal = "3cce9d87-3986-4f19-8335-7ed075408ca2".to_owned();
        seed.principal(Some(&principal));
        if group {
            seed.groups
                .insert("2b5ed229-4072-478d-9504-a047ebd4b07d".into());
        }
        seed.requests.push(RequestSpec {
            id: Some(key.clone()),
            kind: Some(
                if lower_set.contains("eligibility") {
                    "eligibility"
                } else {
                    "assignment"
                }
                .into(),
            ),
            action: Some("adminAssign".into()),
            status: Some("Granted".into()),
            principal,
            role: (!group).then(|| "fe930be7-5e62-47db-91af-98c3a49a38b1".into()),
            group: group.then(|| "2b5ed229-4072-478d-9504-a047ebd4b07d".into()),
            access: group.then(|| "member".into()),
            ..RequestSpec::default()
        });
    }
    // A create needs its principal, role or group, and for an activation an eligibility.
    let mut caller = "token-admin".to_owned();
    if method == "POST" && !after.contains("/cancel") {
        let b = &request["body"];
        seed.principal(str_of(b, "principalId"));
        if let Some(r) = str_of(b, "roleDefinitionId") {
            seed.roles.insert(r.to_owned());
        }
        if let Some(g) = str_of(b, "groupId") {
            seed.groups.insert(g.to_owned());
        }
        let action = str_of(b, "action").unwrap_or_default().to_ascii_lowercase();
        if action.starts_with("self") {
            let group = set_is_group(&set);
            seed.grants.push((
                true,
                GrantSpec {
                    principal: str_of(b, "principalId").unwrap_or_default().to_owned(),
                    role: str_of(b, "roleDefinitionId").map(str::to_owned),
                    group: group.then(|| str_of(b, "groupId").unwrap_or_default().to_owned()),
                    access: group.then(|| str_of(b, "accessId").unwrap_or("member").to_owned()),
                    ..GrantSpec::default()
                },
            ));
            caller = format!(
                "token-{}",
                str_of(b, "principalId")
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            );
        }
        // Changing or removing a grant needs the grant.
        if matches!(
            action.as_str(),
            "adminremove" | "adminupdate" | "adminextend" | "adminrenew"
        ) {
            let group = set_is_group(&set);
            seed.grants.push((
                lower_set.contains("eligibility"),
                GrantSpec {
                    principal: str_of(b, "principalId").unwrap_or_default().to_owned(),
                    role: str_of(b, "roleDefinitionId").map(str::to_owned),
                    group: group.then(|| str_of(b, "groupId").unwrap_or_default().to_owned()),
                    access: group.then(|| str_of(b, "accessId").unwrap_or("member").to_owned()),
                    duration: Some("P30D".into()),
                    ..GrantSpec::default()
                },
            ));
        }
    }
    // A patch of a policy names its rules; the policy must exist.
    if method == "PATCH"
        && is_policy_set
        && let Some(id) = &key
    {
        seed.policy(id, None);
    }
    if after.contains("filterByCurrentUser") {
        let first = items
            .iter()
            .filter_map(|i| str_of(i, "principalId"))
            .find(|p| is_guid(p))
            .unwrap_or("3cce9d87-3986-4f19-8335-7ed075408ca2");
        seed.principal(Some(first));
        caller = format!("token-{}", first.to_ascii_lowercase());
    }
    // The docs write spaces unencoded; a client would not.
    let path = after.replace(' ', "%20");
    (seed.tenant(), caller, path, method)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Property and type differences of `ours` against `docs`, annotations aside. A property
/// the simulator writes as `null` and the docs leave out is not a difference (Graph writes
/// every property; the docs shorten); list items are paired by `id` where both have one.
fn compare(at: &str, docs: &Value, ours: &Value, out: &mut Vec<String>) {
    match (docs, ours) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(d), Value::Object(o)) => {
            let keys = |m: &serde_json::Map<String, Value>| -> BTreeSet<String> {
                m.keys().filter(|k| !k.contains('@')).cloned().collect()
            };
            let (dk, ok) = (keys(d), keys(o));
            for k in dk.difference(&ok) {
                out.push(format!(
                    "{at}/{k}: in the docs, not in the simulator's answer"
                ));
            }
            for k in ok.difference(&dk).filter(|k| !o[*k].is_null()) {
                out.push(format!(
                    "{at}/{k}: in the simulator's answer, not in the docs"
                ));
            }
            for k in dk.intersection(&ok) {
                compare(&format!("{at}/{k}"), &d[k], &o[k], out);
            }
        }
        (Value::Array(d), Value::Array(o)) => {
            for (i, a) in d.iter().enumerate() {
                let by_id = a
                    .get("id")
                    .and_then(|id| o.iter().find(|b| b.get("id") == Some(id)));
                if let Some(b) = by_id.or(o.get(i)).or(o.first()) {
                    compare(&format!("{at}[{i}]"), a, b, out);
                }
            }
        }
        (d, o) if json_type(d) != json_type(o) => {
            out.push(format!(
                "{at}: {} in the docs, {} from the simulator",
                json_type(d),
                json_type(o)
            ));
        }
        _ => {}
    }
}

/// Moves every date-time in a request body so the earliest is a minute from now: the docs'
/// examples ask for schedules in years long past ("times aside").
fn rebase_times(body: &mut Value) {
    fn times(v: &Value, out: &mut Vec<chrono::DateTime<chrono::Utc>>) {
        match v {
            Value::String(s) => out.extend(
                chrono::DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| t.to_utc()),
            ),
            Value::Array(a) => a.iter().for_each(|x| times(x, out)),
            Value::Object(m) => m.values().for_each(|x| times(x, out)),
            _ => {}
        }
    }
    fn shift(v: &mut Value, by: chrono::TimeDelta) {
        match v {
            Value::String(s) => {
                if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                    *s = (t.to_utc() + by).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| shift(x, by)),
            Value::Object(m) => m.values_mut().for_each(|x| shift(x, by)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    times(body, &mut all);
    if let Some(earliest) = all.iter().min() {
        shift(
            body,
            chrono::Utc::now() + chrono::TimeDelta::minutes(1) - *earliest,
        );
    }
}

async fn replay(example: &Value) -> Result<(), String> {
    let (tenant, token, path, method) = setup(example);
    let sim = Simulator::builder(tenant)
        .spawn()
        .await
        .map_err(|e| format!("tenant: {e}"))?;
    let request = &example["request"];
    let url = format!("{}{path}", sim.base_url());
    let client = reqwest::Client::new();
    let mut req = client
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            &url,
        )
        .bearer_auth(&token);
    if let Some(body) = request.get("body").filter(|b| !b.is_null()) {
        let mut body = body.clone();
        rebase_times(&mut body);
        req = req.json(&body);
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let want = example["response"]["status"].as_u64().unwrap_or(0) as u16;
    if status != want {
        return Err(format!(
            "status {status}, the docs say {want}: {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    let Some(docs) = example["response"].get("body").filter(|b| !b.is_null()) else {
        return Ok(());
    };
    let ours: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let mut diffs = Vec::new();
    match (docs.get("value"), ours.get("value")) {
        (Some(Value::Array(d)), Some(Value::Array(o))) => {
            if !d.is_empty() && o.is_empty() {
                diffs.push("the simulator's list is empty".to_owned());
            }
            compare(
                "value",
                &Value::Array(d.clone()),
                &Value::Array(o.clone()),
                &mut diffs,
            );
        }
        _ => compare("", docs, &ours, &mut diffs),
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[tokio::test]
#[ignore = "needs ../shared"]
async fn docs_examples_replay_against_the_simulator() {
    let dir = vectors_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut total, mut replayed, mut matched) = (0, 0, 0);
    let mut mismatches: BTreeMap<(String, usize), String> = BTreeMap::new();
    for file in &files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for (i, example) in doc["examples"].as_array().into_iter().flatten().enumerate() {
            total += 1;
            if !implemented(example["request"]["url"].as_str().unwrap_or_default()) {
                continue;
            }
            replayed += 1;
            match replay(example).await {
                Ok(()) => matched += 1,
                Err(why) => {
                    mismatches.insert((stem.clone(), i), why);
                }
            }
        }
    }
    let listed: BTreeMap<(String, usize), &str> = DOCS_MISTAKES
        .iter()
        .map(|(s, i, r)| ((s.to_string(), *i), *r))
        .collect();
    let unexplained: Vec<String> = mismatches
        .iter()
        .filter(|(k, _)| !listed.contains_key(*k))
        .map(|((s, i), why)| format!("{s} #{i}: {why}"))
        .collect();
    let stale: Vec<String> = listed
        .keys()
        .filter(|k| !mismatches.contains_key(*k))
        .map(|(s, i)| format!("{s} #{i}"))
        .collect();
    println!(
        "{total} docs examples; {replayed} on paths the simulator implements (the others are PIM iteration 2, \
         which the service removed); {matched} match; {} differ because of the docs:",
        mismatches.len()
    );
    for ((s, i), why) in &mismatches {
        println!(
            "  {s} #{i}: {} — {why}",
            listed.get(&(s.clone(), *i)).unwrap_or(&"UNEXPLAINED")
        );
    }
    assert!(
        unexplained.is_empty(),
        "mismatches without a reason:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed as docs mistakes but now match: {stale:?}"
    );
    assert!(replayed >= 40, "{replayed} replayed");
}
