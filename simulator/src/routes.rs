//! Which resource a URL names, and what each method does to it.
//!
//! Paths are resolved by hand rather than by a router: Graph matches segments without
//! regard to case (the docs write `RoleAssignmentScheduleRequests`), writes keys both as a
//! segment (`/requests/{id}`) and in parentheses (`/requests('{id}')`), and calls functions
//! inside a segment (`filterByCurrentUser(on='principal')`). [`resolve`] turns the decoded
//! segments into a [`Route`]; [`handle`] runs it against the world under one lock and
//! returns the status and JSON body.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::odata::{self, Expand, Query, RawQuery};
use crate::pim::Caller;
use crate::render::{self, Set};
use crate::world::{Kind, Surface, World};

/// What comes after the entity set (and key) in a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tail {
    /// Nothing.
    None,
    /// `/$count`.
    Count,
    /// `/filterByCurrentUser(on='…')`.
    ForCurrentUser(String),
    /// `/cancel`.
    Cancel,
    /// A navigation property of the entity.
    Nav(String),
    /// `/$count` of a collection-valued navigation property.
    NavCount(String),
    /// One entity of a collection-valued navigation property, by key.
    NavKey(String, String),
}

/// A resolved resource.
#[derive(Clone, Debug)]
pub struct Route {
    /// The entity set.
    pub set: Set,
    /// The entity that contains the set (a policy for its rules, an approval for its steps).
    pub parent: Option<String>,
    /// `effectiveRules` rather than `rules`.
    pub effective: bool,
    /// The entity's key.
    pub key: Option<String>,
    /// What follows.
    pub tail: Tail,
    /// The canonical path of the set, for `@odata.context` and links.
    pub set_path: String,
}

/// The body of a successful response.
#[derive(Debug)]
pub enum Reply {
    /// JSON with this status.
    Json(u16, Value),
    /// A `/$count` result.
    Count(usize),
    /// 204 No Content.
    NoContent,
}

const DIRECTORY_SETS: &[(&str, Set)] = &[
    ("roleDefinitions", Set::RoleDefinitions),
    (
        "roleAssignmentScheduleRequests",
        Set::Requests(Surface::Directory, Kind::Assignment),
    ),
    (
        "roleEligibilityScheduleRequests",
        Set::Requests(Surface::Directory, Kind::Eligibility),
    ),
    (
        "roleAssignmentSchedules",
        Set::Schedules(Surface::Directory, Kind::Assignment),
    ),
    (
        "roleEligibilitySchedules",
        Set::Schedules(Surface::Directory, Kind::Eligibility),
    ),
    (
        "roleAssignmentScheduleInstances",
        Set::Instances(Surface::Directory, Kind::Assignment),
    ),
    (
        "roleEligibilityScheduleInstances",
        Set::Instances(Surface::Directory, Kind::Eligibility),
    ),
    (
        "roleAssignmentApprovals",
        Set::Approvals(Surface::Directory),
    ),
];

const GROUP_SETS: &[(&str, Set)] = &[
    (
        "assignmentScheduleRequests",
        Set::Requests(Surface::Group, Kind::Assignment),
    ),
    (
        "eligibilityScheduleRequests",
        Set::Requests(Surface::Group, Kind::Eligibility),
    ),
    (
        "assignmentSchedules",
        Set::Schedules(Surface::Group, Kind::Assignment),
    ),
    (
        "eligibilitySchedules",
        Set::Schedules(Surface::Group, Kind::Eligibility),
    ),
    (
        "assignmentScheduleInstances",
        Set::Instances(Surface::Group, Kind::Assignment),
    ),
    (
        "eligibilityScheduleInstances",
        Set::Instances(Surface::Group, Kind::Eligibility),
    ),
    ("assignmentApprovals", Set::Approvals(Surface::Group)),
];

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Splits `name('key')` into the name and the key (quotes doubled inside).
fn paren_key(segment: &str) -> Result<(&str, Option<String>), ApiError> {
    let Some(open) = segment.find('(') else {
        return Ok((segment, None));
    };
    let inner = segment[open + 1..]
        .strip_suffix(')')
        .ok_or_else(|| ApiError::bad_request("Bad Request - Error in query syntax."))?;
    let key = match inner.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => inner.to_owned(),
    };
    Ok((&segment[..open], Some(key)))
}

/// Resolves the segments after the version (`/beta`).
pub fn resolve(segments: &[String]) -> Result<Route, ApiError> {
    let seg = |i: usize| segments.get(i).map(String::as_str);
    let (set, set_path, rest) = match (seg(0), seg(1), seg(2)) {
        (Some(a), Some(b), Some(c)) if eq(a, "roleManagement") && eq(b, "directory") => {
            let (name, key) = paren_key(c)?;
            let (canon, set) = DIRECTORY_SETS
                .iter()
                .find(|(n, _)| eq(n, name))
                .ok_or_else(|| ApiError::no_segment(name))?;
            (*set, format!("roleManagement/directory/{canon}"), (key, 3))
        }
        (Some(a), Some(b), Some(c))
            if eq(a, "identityGovernance") && eq(b, "privilegedAccess") && eq(c, "group") =>
        {
            let d = seg(3).ok_or_else(|| ApiError::method_not_allowed("GET"))?;
            let (name, key) = paren_key(d)?;
            let (canon, set) = GROUP_SETS
                .iter()
                .find(|(n, _)| eq(n, name))
                .ok_or_else(|| ApiError::no_segment(name))?;
            (
                *set,
                format!("identityGovernance/privilegedAccess/group/{canon}"),
                (key, 4),
            )
        }
        (Some(a), Some(b), _) if eq(a, "policies") => {
            let (name, key) = paren_key(b)?;
            if eq(name, "roleManagementPolicies") {
                (
                    Set::Policies,
                    "policies/roleManagementPolicies".to_owned(),
                    (key, 2),
                )
            } else if eq(name, "roleManagementPolicyAssignments") {
                (
                    Set::PolicyAssignments,
                    "policies/roleManagementPolicyAssignments".to_owned(),
                    (key, 2),
                )
            } else {
                return Err(ApiError::no_segment(name));
            }
        }
        (Some(first), ..) => return Err(ApiError::no_segment(first)),
        (None, ..) => return Err(ApiError::no_segment("")),
    };
    let (mut key, mut i) = rest;
    let mut route = Route {
        set,
        parent: None,
        effective: false,
        key: None,
        tail: Tail::None,
        set_path,
    };
    if key.is_none()
        && let Some(s) = seg(i)
    {
        if s == "$count" {
            route.tail = Tail::Count;
            return expect_end(route, segments, i + 1);
        }
        if let Some(on) = for_current_user(s)? {
            route.tail = Tail::ForCurrentUser(on);
            return expect_end(route, segments, i + 1);
        }
        key = Some(s.to_owned());
        i += 1;
    }
    route.key = key;
    let Some(next) = seg(i) else {
        return Ok(route);
    };
    // Below an entity: an action, a navigation, or a contained collection.
    match route.set {
        Set::Requests(..) if eq(next, "cancel") => {
            route.tail = Tail::Cancel;
            expect_end(route, segments, i + 1)
        }
        Set::Approvals(surface) if eq(next, "steps") => {
            let parent = route.key.take();
            let mut steps = Route {
                set: Set::Steps(surface),
                parent,
                effective: false,
                key: None,
                tail: Tail::None,
                set_path: format!("{}/steps", route.set_path),
            };
            if let Some(s) = seg(i + 1) {
                if s == "$count" {
                    steps.tail = Tail::Count;
                } else {
                    steps.key = Some(s.to_owned());
                }
                return expect_end(steps, segments, i + 2);
            }
            Ok(steps)
        }
        Set::Policies if eq(next, "rules") || eq(next, "effectiveRules") => {
            let effective = eq(next, "effectiveRules");
            let parent = route.key.take();
            let mut rules = Route {
                set: Set::Rules,
                parent: parent.clone(),
                effective,
                key: None,
                tail: Tail::None,
                set_path: format!(
                    "policies/roleManagementPolicies('{}')/{}",
                    parent.unwrap_or_default(),
                    if effective { "effectiveRules" } else { "rules" }
                ),
            };
            if let Some(s) = seg(i + 1) {
                if s == "$count" {
                    rules.tail = Tail::Count;
                } else {
                    rules.key = Some(s.to_owned());
                }
                return expect_end(rules, segments, i + 2);
            }
            Ok(rules)
        }
        _ => {
            let info = route.set.info();
            match info.expandable.iter().find(|n| eq(n, next)) {
                Some(nav) => {
                    let nav = (*nav).to_owned();
                    route.tail = match seg(i + 1) {
                        None => Tail::Nav(nav),
                        Some("$count") => Tail::NavCount(nav),
                        Some(key) => Tail::NavKey(nav, key.to_owned()),
                    };
                    let end = if matches!(route.tail, Tail::Nav(_)) {
                        i + 1
                    } else {
                        i + 2
                    };
                    expect_end(route, segments, end)
                }
                None => Err(ApiError::no_segment(next)),
            }
        }
    }
}

fn expect_end(route: Route, segments: &[String], at: usize) -> Result<Route, ApiError> {
    match segments.get(at) {
        None => Ok(route),
        Some(extra) => Err(ApiError::no_segment(extra)),
    }
}

/// `filterByCurrentUser(on='principal')` → `Some("principal")`.
fn for_current_user(segment: &str) -> Result<Option<String>, ApiError> {
    let (name, _) = segment.split_once('(').unwrap_or((segment, ""));
    if !eq(name, "filterByCurrentUser") && !eq(name, "microsoft.graph.filterByCurrentUser") {
        return Ok(None);
    }
    let args = segment[name.len()..]
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .ok_or_else(|| ApiError::missing("on"))?;
    let value = args
        .split_once('=')
        .filter(|(k, _)| eq(k.trim(), "on"))
        .map(|(_, v)| v.trim())
        .and_then(|v| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .ok_or_else(|| ApiError::missing("on"))?;
    Ok(Some(value.to_owned()))
}

/// Where links point: the origin the client used and the version segment.
pub struct Links<'a> {
    /// `http://host:port/beta`.
    pub base: &'a str,
}

impl Links<'_> {
    fn context(&self, fragment: &str) -> String {
        format!("{}/$metadata#{fragment}", self.base)
    }
}

/// One request, resolved and authenticated.
pub struct Call<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The resource.
    pub route: &'a Route,
    /// The query options.
    pub raw: &'a RawQuery,
    /// The request body.
    pub body: &'a [u8],
    /// Who is calling.
    pub caller: &'a Caller,
    /// The simulated time.
    pub now: DateTime<Utc>,
    /// Where links point.
    pub links: Links<'a>,
}

/// Runs one request against the world.
pub fn handle(world: &mut World, call: &Call<'_>) -> Result<(Reply, Option<String>), ApiError> {
    let Call {
        method,
        route,
        raw,
        body,
        caller,
        now,
        ref links,
    } = *call;
    let set = route.set;
    match (method, &route.key, &route.tail) {
        ("GET", None, Tail::None | Tail::ForCurrentUser(_) | Tail::Count) => {
            let on = match &route.tail {
                Tail::ForCurrentUser(on) => Some(on.as_str()),
                _ => None,
            };
            list(world, route, on, raw, caller, now, links).map(|r| (r, None))
        }
        ("GET", Some(key), Tail::None) => {
            let query = raw.bind(&set.info())?;
            let mut entity = get(world, route, key, caller, now)?;
            expand_all(world, set, &mut entity, &query.expand, caller, now, links)?;
            query.apply_select(&mut entity);
            if let Value::Object(map) = &mut entity {
                let context = links.context(&format!(
                    "{}{}/$entity",
                    route.set_path,
                    query.context_suffix()
                ));
                map.insert("@odata.context".into(), Value::String(context));
            }
            Ok((Reply::Json(200, entity), None))
        }
        ("GET", Some(key), Tail::Nav(nav)) => {
            let entity = get(world, route, key, caller, now)?;
            let expand = Expand {
                name: nav.clone(),
                nested: raw.clone(),
            };
            let related = related(world, set, &entity, &expand, caller, now, links)?;
            match related {
                Value::Null => Err(ApiError::not_found(nav, key)),
                // A collection-valued navigation is answered like any collection.
                Value::Array(items) => {
                    let context = links.context(&format!("{}('{key}')/{nav}", route.set_path));
                    Ok((
                        Reply::Json(200, odata::collection_body(context, None, None, items)),
                        None,
                    ))
                }
                v => Ok((Reply::Json(200, v), None)),
            }
        }
        ("GET", Some(key), Tail::NavCount(nav) | Tail::NavKey(nav, _)) => {
            // Options on these are refused rather than silently ignored.
            reject_query(raw)?;
            let entity = get(world, route, key, caller, now)?;
            let expand = Expand {
                name: nav.clone(),
                nested: RawQuery::default(),
            };
            let Value::Array(items) = related(world, set, &entity, &expand, caller, now, links)?
            else {
                return Err(ApiError::bad_request(format!(
                    "'{nav}' is not a collection-valued navigation property."
                )));
            };
            match &route.tail {
                Tail::NavKey(_, id) => items
                    .into_iter()
                    .find(|v| {
                        v.get("id")
                            .and_then(Value::as_str)
                            .is_some_and(|i| i.eq_ignore_ascii_case(id))
                    })
                    .map(|v| (Reply::Json(200, v), None))
                    .ok_or_else(|| ApiError::not_found(nav, id)),
                _ => Ok((Reply::Count(items.len()), None)),
            }
        }
        ("POST", None, Tail::None) => match set {
            Set::Requests(surface, kind) => {
                reject_query(raw)?;
                let (mut body, created) = world.create_request(surface, kind, body, caller, now)?;
                if let Value::Object(map) = &mut body {
                    let context = links.context(&format!("{}/$entity", route.set_path));
                    map.insert("@odata.context".into(), Value::String(context));
                }
                Ok((Reply::Json(201, body), created))
            }
            _ => Err(ApiError::method_not_allowed(method)),
        },
        ("POST", Some(key), Tail::Cancel) => match set {
            Set::Requests(surface, kind) => {
                world.cancel_request(surface, kind, key, caller, now)?;
                Ok((Reply::NoContent, None))
            }
            _ => Err(ApiError::method_not_allowed(method)),
        },
        ("PATCH", Some(key), Tail::None) => match set {
            Set::Steps(surface) => {
                let parent = route.parent.as_deref().unwrap_or_default();
                world.decide_step(surface, parent, key, body, caller, now)?;
                Ok((Reply::NoContent, None))
            }
            Set::Rules if !route.effective => {
                let parent = route.parent.as_deref().unwrap_or_default();
                world.patch_rule(parent, key, body, caller, now)?;
                Ok((Reply::NoContent, None))
            }
            Set::Policies => {
                world.patch_policy(key, body, caller, now)?;
                let mut entity = get(world, route, key, caller, now)?;
                if let Value::Object(map) = &mut entity {
                    let context = links.context(&format!("{}/$entity", route.set_path));
                    map.insert("@odata.context".into(), Value::String(context));
                }
                Ok((Reply::Json(200, entity), None))
            }
            _ => Err(ApiError::method_not_allowed(method)),
        },
        _ => Err(ApiError::method_not_allowed(method)),
    }
}

fn reject_query(raw: &RawQuery) -> Result<(), ApiError> {
    if raw.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "Query options are not allowed on this request.",
        ))
    }
}

fn require(allowed: bool) -> Result<(), ApiError> {
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Every entity of a set the caller may list, as JSON, before query options.
fn entities(
    world: &World,
    route: &Route,
    on: Option<&str>,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, ApiError> {
    let me = caller.principal_id.as_str();
    let mine = |p: &str| p.eq_ignore_ascii_case(me);
    let reader = world.is_reader(caller, now);
    if let Some(on) = on {
        let allowed: &[&str] = match route.set {
            Set::Requests(..) => &["principal", "createdBy", "approver"],
            Set::Schedules(..) | Set::Instances(..) => &["principal"],
            Set::Approvals(..) => &["approver"],
            _ => &[],
        };
        if allowed.is_empty() {
            return Err(ApiError::no_segment("filterByCurrentUser"));
        }
        if !allowed.iter().any(|a| eq(a, on)) {
            return Err(ApiError::bad_request(format!(
                "The value '{}' is not valid for the parameter 'on': expected one of {}.",
                on.chars().take(50).collect::<String>(),
                allowed.join(", ")
            )));
        }
    } else {
        require(reader || matches!(route.set, Set::RoleDefinitions | Set::Steps(_)))?;
    }
    let on = on.map(str::to_ascii_lowercase);
    Ok(match route.set {
        Set::RoleDefinitions => world.roles.iter().map(render::role).collect(),
        Set::Requests(surface, kind) => world
            .requests
            .iter()
            .filter(|r| r.surface == surface && r.kind == kind)
            .filter(|r| match on.as_deref() {
                None => true,
                Some("principal") => mine(&r.target.principal_id),
                Some("createdby") => mine(&r.created_by),
                _ => r.approval_id.as_ref().is_some_and(|a| {
                    world.approvals.iter().any(|x| {
                        &x.id == a
                            && x.steps.iter().any(|s| {
                                s.status == "InProgress" && s.approvers.iter().any(|p| mine(p))
                            })
                    })
                }),
            })
            .map(|r| render::request(world, r))
            .collect(),
        Set::Schedules(surface, kind) => world
            .schedules
            .iter()
            .filter(|s| s.surface == surface && s.kind == kind && s.current())
            .filter(|s| on.is_none() || mine(&s.target.principal_id))
            .map(render::schedule)
            .collect(),
        Set::Instances(surface, kind) => world
            .schedules
            .iter()
            .filter(|s| s.surface == surface && s.kind == kind && s.active_at(now))
            .filter(|s| on.is_none() || mine(&s.target.principal_id))
            .map(render::instance)
            .collect(),
        Set::Approvals(surface) => world
            .approvals
            .iter()
            .filter(|a| a.surface == surface)
            .filter(|a| on.is_none() || a.steps.iter().any(|s| s.approvers.iter().any(|p| mine(p))))
            .map(|a| render::approval(world, a, me))
            .collect(),
        Set::Steps(surface) => {
            let id = route.parent.as_deref().unwrap_or_default();
            let a = world
                .approvals
                .iter()
                .find(|a| a.surface == surface && a.id.eq_ignore_ascii_case(id))
                .ok_or_else(|| ApiError::not_found("Approval", id))?;
            let involved = a.steps.iter().any(|s| s.approvers.iter().any(|p| mine(p)))
                || world.requests.iter().any(|r| {
                    r.id == a.request_id && (mine(&r.target.principal_id) || mine(&r.created_by))
                });
            require(reader || involved)?;
            a.steps.iter().map(|s| render::step(world, s, me)).collect()
        }
        Set::Policies => world.policies.iter().map(render::policy).collect(),
        Set::Rules => {
            let id = route.parent.as_deref().unwrap_or_default();
            let p = world
                .policies
                .iter()
                .find(|p| p.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
                .ok_or_else(|| ApiError::not_found("Policy", id))?;
            p.rules.iter().flatten().map(render::rule).collect()
        }
        Set::PolicyAssignments => world
            .policy_assignments
            .iter()
            .map(render::policy_assignment)
            .collect(),
    })
}

fn list(
    world: &World,
    route: &Route,
    on: Option<&str>,
    raw: &RawQuery,
    caller: &Caller,
    now: DateTime<Utc>,
    links: &Links<'_>,
) -> Result<Reply, ApiError> {
    let set = route.set;
    let query = raw.bind(&set.info())?;
    let all = entities(world, route, on, caller, now)?;
    required_filters(route, on, &query)?;
    if route.tail == Tail::Count {
        return Ok(Reply::Count(query.count_matching(&all)));
    }
    let page = query.page(all, world.settings.page_size);
    let mut items = page.items;
    for item in &mut items {
        expand_all(world, set, item, &query.expand, caller, now, links)?;
        query.apply_select(item);
    }
    let path = match &route.tail {
        Tail::ForCurrentUser(on) => format!("{}/filterByCurrentUser(on='{on}')", route.set_path),
        _ => route.set_path.clone(),
    };
    let context = match &route.tail {
        Tail::ForCurrentUser(_) => links.context(&format!("Collection({})", set.info().type_name)),
        _ => links.context(&format!("{}{}", route.set_path, query.context_suffix())),
    };
    let next = page
        .next_offset
        .map(|o| query.next_link(&format!("{}/{path}", links.base), o));
    Ok(Reply::Json(
        200,
        odata::collection_body(context, query.count.then_some(page.total), next, items),
    ))
}

/// The lists the service refuses without a narrowing filter.
fn required_filters(route: &Route, on: Option<&str>, query: &Query) -> Result<(), ApiError> {
    if on.is_some() || route.parent.is_some() {
        return Ok(());
    }
    let mentions = |names: &[&str]| {
        query
            .filter
            .as_ref()
            .is_some_and(|f| names.iter().all(|n| filter_mentions(f, n)))
    };
    match route.set {
        Set::Requests(Surface::Group, _)
        | Set::Schedules(Surface::Group, _)
        | Set::Instances(Surface::Group, _)
            if !mentions(&["groupId"]) && !mentions(&["principalId"]) =>
        {
            Err(ApiError::bad_request(
                "The filter must contain the groupId or principalId property.",
            ))
        }
        Set::Policies | Set::PolicyAssignments if !mentions(&["scopeId", "scopeType"]) => Err(
            ApiError::bad_request("The filter must contain the scopeId and scopeType properties."),
        ),
        _ => Ok(()),
    }
}

fn filter_mentions(expr: &odata::Expr, name: &str) -> bool {
    use odata::Expr;
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => filter_mentions(a, name) || filter_mentions(b, name),
        Expr::Not(a) => filter_mentions(a, name),
        Expr::Compare { property, .. } | Expr::In { property, .. } => property == name,
    }
}

/// One entity of a set, if the caller may see it.
fn get(
    world: &World,
    route: &Route,
    key: &str,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let me = &caller.principal_id;
    let reader = world.is_reader(caller, now);
    let own = |p: &str| p.eq_ignore_ascii_case(me);
    let same = |id: &str| id.eq_ignore_ascii_case(key);
    let not_found = || ApiError::not_found("Resource", key);
    match route.set {
        Set::RoleDefinitions => world.role(key).map(render::role).ok_or_else(not_found),
        Set::Requests(surface, kind) => {
            let r = world
                .requests
                .iter()
                .find(|r| r.surface == surface && r.kind == kind && same(&r.id))
                .ok_or_else(not_found)?;
            require(reader || own(&r.target.principal_id) || own(&r.created_by))?;
            Ok(render::request(world, r))
        }
        Set::Schedules(surface, kind) => {
            let s = world
                .schedules
                .iter()
                .find(|s| s.surface == surface && s.kind == kind && s.current() && same(&s.id))
                .ok_or_else(not_found)?;
            require(reader || own(&s.target.principal_id))?;
            Ok(render::schedule(s))
        }
        Set::Instances(surface, kind) => {
            let s = world
                .schedules
                .iter()
                .find(|s| {
                    s.surface == surface
                        && s.kind == kind
                        && s.active_at(now)
                        && same(&s.instance_id)
                })
                .ok_or_else(not_found)?;
            require(reader || own(&s.target.principal_id))?;
            Ok(render::instance(s))
        }
        Set::Approvals(surface) => {
            let a = world
                .approvals
                .iter()
                .find(|a| a.surface == surface && same(&a.id))
                .ok_or_else(not_found)?;
            let involved = a.steps.iter().any(|s| s.approvers.iter().any(|p| own(p)))
                || world
                    .requests
                    .iter()
                    .any(|r| r.id == a.request_id && own(&r.target.principal_id));
            require(reader || involved)?;
            Ok(render::approval(world, a, me))
        }
        Set::Steps(_) => {
            let steps = entities(world, route, None, caller, now)?;
            steps
                .into_iter()
                .find(|s| s.get("id").and_then(Value::as_str).is_some_and(same))
                .ok_or_else(not_found)
        }
        Set::Policies => {
            require(reader || world.is_admin(caller, Surface::Group, None, now))?;
            world
                .policies
                .iter()
                .find(|p| p.id.as_deref().is_some_and(same))
                .map(render::policy)
                .ok_or_else(not_found)
        }
        Set::Rules => {
            require(reader)?;
            let rules = entities(world, route, None, caller, now)?;
            rules
                .into_iter()
                .find(|r| r.get("id").and_then(Value::as_str).is_some_and(same))
                .ok_or_else(not_found)
        }
        Set::PolicyAssignments => {
            require(reader)?;
            world
                .policy_assignments
                .iter()
                .find(|a| a.id.as_deref().is_some_and(same))
                .map(render::policy_assignment)
                .ok_or_else(not_found)
        }
    }
}

fn expand_all(
    world: &World,
    set: Set,
    entity: &mut Value,
    expand: &[Expand],
    caller: &Caller,
    now: DateTime<Utc>,
    links: &Links<'_>,
) -> Result<(), ApiError> {
    for e in expand {
        let value = related(world, set, entity, e, caller, now, links)?;
        if let Value::Object(map) = entity {
            if matches!(e.name.as_str(), "rules" | "effectiveRules")
                && let Some(id) = map.get("id").and_then(Value::as_str)
            {
                let context = links.context(&format!(
                    "policies/roleManagementPolicies('{id}')/{}",
                    e.name
                ));
                map.insert(format!("{}@odata.context", e.name), Value::String(context));
            }
            map.insert(e.name.clone(), value);
        }
    }
    Ok(())
}

/// The related entity (or collection) a navigation property of `entity` names, with the
/// expansion's nested options applied.
fn related(
    world: &World,
    set: Set,
    entity: &Value,
    e: &Expand,
    caller: &Caller,
    now: DateTime<Utc>,
    links: &Links<'_>,
) -> Result<Value, ApiError> {
    let field = |name: &str| entity.get(name).and_then(Value::as_str).map(str::to_owned);
    let id = field("id").unwrap_or_default();
    let (related_set, value): (Option<Set>, Value) = match e.name.as_str() {
        "principal" => (
            None,
            field("principalId").map_or(Value::Null, |p| render::directory_object(world, &p)),
        ),
        "group" => (
            None,
            field("groupId").map_or(Value::Null, |g| render::directory_object(world, &g)),
        ),
        "directoryScope" | "appScope" => (None, Value::Null),
        "roleDefinition" => (
            Some(Set::RoleDefinitions),
            field("roleDefinitionId")
                .and_then(|r| world.role(&r))
                .map_or(Value::Null, render::role),
        ),
        "inheritsPermissionsFrom" => (Some(Set::RoleDefinitions), Value::Array(Vec::new())),
        "approval" => {
            let surface = match set {
                Set::Requests(s, _) => s,
                _ => Surface::Directory,
            };
            (
                Some(Set::Approvals(surface)),
                field("approvalId")
                    .and_then(|a| world.approvals.iter().find(|x| x.id == a))
                    .map_or(Value::Null, |a| {
                        render::approval(world, a, &caller.principal_id)
                    }),
            )
        }
        "targetSchedule" => match set {
            Set::Requests(surface, kind) => (
                Some(Set::Schedules(surface, kind)),
                field("targetScheduleId")
                    .and_then(|t| {
                        world
                            .schedules
                            .iter()
                            .find(|s| s.surface == surface && s.kind == kind && s.id == t)
                    })
                    .map_or(Value::Null, render::schedule),
            ),
            _ => (None, Value::Null),
        },
        "activatedUsing" => {
            let eligibility = match set {
                Set::Requests(..) => world
                    .requests
                    .iter()
                    .find(|r| r.id == id)
                    .and_then(|r| r.activated_using.clone()),
                Set::Schedules(..) => world
                    .schedules
                    .iter()
                    .find(|s| s.id == id)
                    .and_then(|s| s.activated_using.clone()),
                Set::Instances(..) => world
                    .schedules
                    .iter()
                    .find(|s| s.instance_id == id)
                    .and_then(|s| s.activated_using.clone()),
                _ => None,
            };
            let schedule = eligibility.and_then(|e| world.schedules.iter().find(|s| s.id == e));
            match (set, schedule) {
                (Set::Instances(surface, _), Some(s)) => (
                    Some(Set::Instances(surface, Kind::Eligibility)),
                    render::instance(s),
                ),
                (Set::Requests(surface, _) | Set::Schedules(surface, _), Some(s)) => (
                    Some(Set::Schedules(surface, Kind::Eligibility)),
                    render::schedule(s),
                ),
                _ => (None, Value::Null),
            }
        }
        "policy" => (
            Some(Set::Policies),
            field("policyId")
                .and_then(|p| {
                    world
                        .policies
                        .iter()
                        .find(|x| x.id.as_deref() == Some(p.as_str()))
                })
                .map_or(Value::Null, render::policy),
        ),
        "rules" | "effectiveRules" => (
            Some(Set::Rules),
            world
                .policies
                .iter()
                .find(|p| p.id.as_deref() == Some(id.as_str()))
                .map_or(Value::Array(Vec::new()), |p| {
                    Value::Array(p.rules.iter().flatten().map(render::rule).collect())
                }),
        ),
        "steps" => (
            Some(Set::Steps(Surface::Directory)),
            entity.get("steps").cloned().unwrap_or(json!([])),
        ),
        _ => (None, Value::Null),
    };
    // Nested options apply to the related type; directory objects are references here
    // (their few members are always written).
    let Some(related_set) = related_set.filter(|_| !e.nested.is_empty()) else {
        return Ok(value);
    };
    let nested = e.nested.bind(&related_set.info())?;
    let apply = |mut v: Value| -> Result<Value, ApiError> {
        expand_all(
            world,
            related_set,
            &mut v,
            &nested.expand,
            caller,
            now,
            links,
        )?;
        nested.apply_select(&mut v);
        Ok(v)
    };
    match value {
        Value::Array(items) => {
            let items = match &nested.filter {
                Some(f) => items
                    .into_iter()
                    .filter(|v| odata::filter::matches(f, v))
                    .collect(),
                None => items,
            };
            Ok(Value::Array(
                items.into_iter().map(apply).collect::<Result<_, _>>()?,
            ))
        }
        Value::Null => Ok(Value::Null),
        v => apply(v),
    }
}
