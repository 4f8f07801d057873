//! OData query options as PIM uses them: `$filter`, `$select`, `$expand` (nested
//! `$expand`/`$select`), `$orderby`, `$top`, `$count`, server-driven paging with
//! `@odata.nextLink`, and `@odata.context`.
//!
//! Options are read in two steps: [`RawQuery::parse`] splits and decodes the query string
//! (option names with or without `$`, any case, as Graph accepts them) and refuses what the
//! simulator does not implement (`$search`, `$skip`, an unknown `$option`, a repeated
//! option); [`RawQuery::bind`] checks the options against the entity type being queried
//! (its properties and which navigations can be expanded). Both fail with an
//! [`ODataError`], which the HTTP layer turns into Graph's 400.
//!
//! Entities are handled as `serde_json::Value`s made from pim-api's models, so filtering,
//! selecting and expanding see exactly the JSON a client would receive.

pub mod filter;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

pub use filter::{Expr, PropType};

/// The largest `$top` Graph accepts.
pub const MAX_TOP: usize = 999;
/// How deeply `$expand` options may nest.
const MAX_EXPAND_DEPTH: usize = 3;

/// A refused query; the message is the 400's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ODataError(pub String);

impl From<filter::FilterError> for ODataError {
    fn from(e: filter::FilterError) -> Self {
        ODataError(format!("Invalid filter clause: {}", e.0))
    }
}

/// What the query options are checked against: one entity type.
#[derive(Clone, Copy, Debug)]
pub struct EntityInfo {
    /// Qualified name, for messages (`microsoft.graph.unifiedRoleDefinition`).
    pub type_name: &'static str,
    /// Every declared property's wire name (structural and navigation).
    pub properties: &'static [&'static str],
    /// The navigation properties the simulator can expand.
    pub expandable: &'static [&'static str],
}

impl EntityInfo {
    /// Whether `name` is a declared property.
    pub fn has(&self, name: &str) -> bool {
        self.properties.contains(&name)
    }

    /// The type of a property for `$filter` and `$orderby`, or `None` when undeclared.
    pub fn prop_type(&self, name: &str) -> Option<PropType> {
        if !self.has(name) {
            return None;
        }
        Some(
            if NAVIGATIONS.contains(&name)
                || COMPLEX.contains(&name)
                || self.expandable.contains(&name)
            {
                PropType::Unfilterable
            } else if name.ends_with("DateTime") {
                PropType::DateTime
            } else if name == "assignedToMe"
                || (name.starts_with("is")
                    && name[2..].starts_with(|c: char| c.is_ascii_uppercase()))
            {
                PropType::Bool
            } else {
                PropType::String
            },
        )
    }
}

/// The navigation properties of the PIM types (Graph's names are unique enough across these
/// types that one list serves them all): written only when expanded, never filterable.
pub const NAVIGATIONS: &[&str] = &[
    "principal",
    "roleDefinition",
    "directoryScope",
    "appScope",
    "activatedUsing",
    "targetSchedule",
    "approval",
    "group",
    "policy",
    "rules",
    "effectiveRules",
    "steps",
    "stages",
    "completedSteps",
    "pendingSteps",
    "request",
    "inheritsPermissionsFrom",
];

/// Structural properties of the PIM types that are complex values or collections.
const COMPLEX: &[&str] = &[
    "scheduleInfo",
    "ticketInfo",
    "createdBy",
    "target",
    "setting",
    "rolePermissions",
    "resourceScopes",
    "lastModifiedBy",
    "reviewedBy",
    "notificationRecipients",
    "enabledRules",
];

/// The query options of one request, decoded but not yet checked against a type.
#[derive(Clone, Debug, Default)]
pub struct RawQuery {
    filter: Option<String>,
    select: Option<String>,
    expand: Option<String>,
    orderby: Option<String>,
    top: Option<String>,
    count: Option<String>,
    skiptoken: Option<String>,
    /// Every parameter except `$skiptoken`, re-encoded, for `@odata.nextLink`.
    passthrough: Vec<(String, String)>,
}

/// Checked query options.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// `$filter`.
    pub filter: Option<Expr>,
    /// `$select` (`None`: every property).
    pub select: Option<Vec<String>>,
    /// `$expand`, each with its nested options.
    pub expand: Vec<Expand>,
    /// `$orderby`: property and descending.
    pub orderby: Vec<(String, bool)>,
    /// `$top`.
    pub top: Option<usize>,
    /// `$count=true`.
    pub count: bool,
    /// Where this page starts (from our `$skiptoken`).
    pub offset: usize,
    passthrough: Vec<(String, String)>,
}

/// One `$expand` item.
#[derive(Clone, Debug)]
pub struct Expand {
    /// The navigation property.
    pub name: String,
    /// Its nested `$expand` and `$select` (options of the related type are checked when
    /// the related entity is rendered).
    pub nested: RawQuery,
}

impl RawQuery {
    /// Splits and decodes a query string (without the `?`).
    pub fn parse(query: Option<&str>) -> Result<RawQuery, ODataError> {
        let mut raw = RawQuery::default();
        let Some(query) = query else {
            return Ok(raw);
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(k)?;
            let value = decode(v)?;
            raw.set(&key, value)?;
        }
        Ok(raw)
    }

    /// Decodes options given as `$name=value` pairs separated by `;` (inside `$expand`).
    fn parse_nested(text: &str) -> Result<RawQuery, ODataError> {
        let mut raw = RawQuery::default();
        for part in split_top_level(text, b';')? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            raw.set(k.trim(), v.trim().to_string())?;
        }
        Ok(raw)
    }

    fn set(&mut self, key: &str, value: String) -> Result<(), ODataError> {
        let dollar = key.starts_with('$');
        let name = key.trim_start_matches('$').to_ascii_lowercase();
        let slot = match name.as_str() {
            "filter" => &mut self.filter,
            "select" => &mut self.select,
            "expand" => &mut self.expand,
            "orderby" => &mut self.orderby,
            "top" => &mut self.top,
            "count" => &mut self.count,
            "skiptoken" => &mut self.skiptoken,
            "search" | "skip" | "apply" | "compute" | "levels" | "deltatoken" if dollar => {
                return Err(ODataError(format!(
                    "The query parameter '{key}' is not supported on this resource."
                )));
            }
            "format" if dollar => return Ok(()),
            _ if dollar => {
                return Err(ODataError(format!(
                    "The query parameter '{}' is not supported.",
                    shorten(key)
                )));
            }
            // Graph ignores parameters that are not OData options; so do we.
            _ => {
                self.passthrough.push((key.to_string(), value));
                return Ok(());
            }
        };
        if slot.is_some() {
            return Err(ODataError(format!(
                "Query option '{}' was specified more than once, but it must be specified at most once.",
                name
            )));
        }
        if name != "skiptoken" {
            self.passthrough.push((format!("${name}"), value.clone()));
        }
        *slot = Some(value);
        Ok(())
    }

    /// Whether any option was given.
    pub fn is_empty(&self) -> bool {
        self.filter.is_none()
            && self.select.is_none()
            && self.expand.is_none()
            && self.orderby.is_none()
            && self.top.is_none()
            && self.count.is_none()
            && self.skiptoken.is_none()
    }

    /// Checks the options against `info`.
    pub fn bind(&self, info: &EntityInfo) -> Result<Query, ODataError> {
        self.bind_at(info, 0)
    }

    fn bind_at(&self, info: &EntityInfo, depth: usize) -> Result<Query, ODataError> {
        let filter = match &self.filter {
            Some(text) => Some(filter::parse(text, info.type_name, &|p| info.prop_type(p))?),
            None => None,
        };
        let select = match &self.select {
            None => None,
            Some(text) if text.trim() == "*" => None,
            Some(text) => {
                let mut names = Vec::new();
                for name in text.split(',').map(str::trim) {
                    if !info.has(name) {
                        return Err(no_property(name, info));
                    }
                    names.push(name.to_string());
                }
                Some(names)
            }
        };
        let mut expand = Vec::new();
        if let Some(text) = &self.expand {
            if depth >= MAX_EXPAND_DEPTH {
                return Err(ODataError(format!(
                    "The request includes a $expand path which is too deep. The maximum depth allowed is {MAX_EXPAND_DEPTH}."
                )));
            }
            for item in split_top_level(text, b',')? {
                let item = item.trim();
                let (name, nested) = match item.find('(') {
                    Some(open) if item.ends_with(')') => (
                        item[..open].trim(),
                        RawQuery::parse_nested(&item[open + 1..item.len() - 1])?,
                    ),
                    Some(_) => {
                        return Err(ODataError(format!(
                            "Syntax error in $expand: '{}' has unbalanced parentheses.",
                            shorten(item)
                        )));
                    }
                    None => (item, RawQuery::default()),
                };
                if name == "*" {
                    return Err(ODataError(
                        "$expand=* is not supported on this resource.".into(),
                    ));
                }
                if !info.has(name) {
                    return Err(no_property(name, info));
                }
                if !info.expandable.contains(&name) {
                    return Err(ODataError(format!(
                        "Property '{name}' on type '{}' is not a navigation property or complex property. Only navigation properties can be expanded.",
                        info.type_name
                    )));
                }
                expand.push(Expand {
                    name: name.to_string(),
                    nested,
                });
            }
        }
        let mut orderby = Vec::new();
        if let Some(text) = &self.orderby {
            for item in text.split(',').map(str::trim) {
                let mut words = item.split_whitespace();
                let name = words.next().unwrap_or_default();
                let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                    None | Some("asc") => false,
                    Some("desc") => true,
                    Some(other) => {
                        return Err(ODataError(format!(
                            "Syntax error in $orderby: '{}' is not asc or desc.",
                            shorten(other)
                        )));
                    }
                };
                match info.prop_type(name) {
                    None => return Err(no_property(name, info)),
                    Some(PropType::Unfilterable) => {
                        return Err(ODataError(format!(
                            "The property '{name}' cannot be used in the $orderby query option."
                        )));
                    }
                    Some(_) => orderby.push((name.to_string(), desc)),
                }
            }
        }
        let top = match &self.top {
            None => None,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_TOP).contains(&n) => Some(n),
                _ => {
                    return Err(ODataError(format!(
                        "Invalid page size specified: '{}'. Must be between 1 and {MAX_TOP} inclusive.",
                        shorten(text)
                    )));
                }
            },
        };
        let count = match self.count.as_deref().map(str::trim) {
            None => false,
            Some(t) if t.eq_ignore_ascii_case("true") => true,
            Some(t) if t.eq_ignore_ascii_case("false") => false,
            Some(t) => {
                return Err(ODataError(format!(
                    "Invalid value '{}' for $count: expected true or false.",
                    shorten(t)
                )));
            }
        };
        let offset = match &self.skiptoken {
            None => 0,
            Some(token) => parse_skiptoken(token)?,
        };
        Ok(Query {
            filter,
            select,
            expand,
            orderby,
            top,
            count,
            offset,
            passthrough: self.passthrough.clone(),
        })
    }
}

fn no_property(name: &str, info: &EntityInfo) -> ODataError {
    ODataError(format!(
        "Could not find a property named '{}' on type '{}'.",
        shorten(name),
        info.type_name
    ))
}

fn shorten(text: &str) -> String {
    text.chars().take(100).collect()
}

fn decode(text: &str) -> Result<String, ODataError> {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| {
            ODataError("The query string is not valid UTF-8 after percent-decoding.".into())
        })
}

/// Splits at `sep` outside parentheses and quoted strings.
fn split_top_level(text: &str, sep: u8) -> Result<Vec<&str>, ODataError> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    ODataError("Syntax error: unbalanced parentheses in $expand.".into())
                })?;
            }
            b if b == sep && depth == 0 && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 || quoted {
        return Err(ODataError(
            "Syntax error: unbalanced parentheses or quotes in $expand.".into(),
        ));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

const SKIPTOKEN_PREFIX: &str = "sim-";

fn parse_skiptoken(token: &str) -> Result<usize, ODataError> {
    token
        .strip_prefix(SKIPTOKEN_PREFIX)
        .and_then(|n| n.parse::<usize>().ok())
        .ok_or_else(|| ODataError(format!("Invalid $skiptoken '{}'.", shorten(token))))
}

/// Percent-encodes a query component (everything but unreserved characters).
fn encode(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'$')
        .remove(b'\'');
    percent_encoding::utf8_percent_encode(text, SET).to_string()
}

/// One page of a collection, ready to be written.
#[derive(Debug)]
pub struct PageOut {
    /// The items of this page.
    pub items: Vec<Value>,
    /// The total after filtering (for `$count=true` and `/$count`).
    pub total: usize,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
}

impl Query {
    /// Filters, orders and pages `entities` (`page_size` applies without `$top`).
    pub fn page(&self, entities: Vec<Value>, page_size: usize) -> PageOut {
        let mut items: Vec<Value> = match &self.filter {
            Some(expr) => entities
                .into_iter()
                .filter(|e| filter::matches(expr, e))
                .collect(),
            None => entities,
        };
        if !self.orderby.is_empty() {
            items.sort_by(|a, b| {
                for (name, desc) in &self.orderby {
                    let ord = compare_json(a.get(name), b.get(name));
                    let ord = if *desc { ord.reverse() } else { ord };
                    if ord.is_ne() {
                        return ord;
                    }
                }
                std::cmp::Ordering::Equal
            });
        }
        let total = items.len();
        let size = self.top.unwrap_or(page_size).max(1);
        let start = self.offset.min(total);
        let end = start.saturating_add(size).min(total);
        let next_offset = (end < total).then_some(end);
        let items = items.drain(start..end).collect();
        PageOut {
            items,
            total,
            next_offset,
        }
    }

    /// The count of matching entities only (`/$count`).
    pub fn count_matching(&self, entities: &[Value]) -> usize {
        match &self.filter {
            Some(expr) => entities.iter().filter(|e| filter::matches(expr, e)).count(),
            None => entities.len(),
        }
    }

    /// Keeps the selected properties (and expanded navigations) of `entity`.
    pub fn apply_select(&self, entity: &mut Value) {
        let Some(select) = &self.select else {
            return;
        };
        if let Value::Object(map) = entity {
            let keep = |k: &str| {
                k.starts_with('@')
                    || k.contains("@odata.")
                    || select.iter().any(|s| s == k)
                    || self.expand.iter().any(|e| e.name == k)
            };
            map.retain(|k, _| keep(k));
        }
    }

    /// The `@odata.nextLink` for the page that starts at `offset`.
    pub fn next_link(&self, url_without_query: &str, offset: usize) -> String {
        let mut link = String::from(url_without_query);
        let mut sep = '?';
        for (k, v) in &self.passthrough {
            link.push(sep);
            link.push_str(&encode(k));
            link.push('=');
            link.push_str(&encode(v));
            sep = '&';
        }
        link.push(sep);
        link.push_str("$skiptoken=");
        link.push_str(SKIPTOKEN_PREFIX);
        link.push_str(&offset.to_string());
        link
    }

    /// The `$select` list for `@odata.context`, e.g. `(principalId,action)`.
    pub fn context_suffix(&self) -> String {
        match &self.select {
            Some(names) => format!("({})", names.join(",")),
            None => String::new(),
        }
    }
}

/// Orders JSON scalars: null first, then by value (strings without regard to ASCII case).
fn compare_json(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null)) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::String(x), Value::String(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    }
}

/// A collection response body: `@odata.context`, `@odata.count`, `@odata.nextLink`,
/// `value`.
pub fn collection_body(
    context: String,
    count: Option<usize>,
    next_link: Option<String>,
    items: Vec<Value>,
) -> Value {
    let mut map = Map::new();
    map.insert("@odata.context".into(), Value::String(context));
    if let Some(n) = count {
        map.insert("@odata.count".into(), Value::from(n));
    }
    if let Some(link) = next_link {
        map.insert("@odata.nextLink".into(), Value::String(link));
    }
    map.insert("value".into(), Value::Array(items));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INFO: EntityInfo = EntityInfo {
        type_name: "microsoft.graph.thing",
        properties: &[
            "id",
            "status",
            "principalId",
            "createdDateTime",
            "isValidationOnly",
            "principal",
            "scheduleInfo",
        ],
        expandable: &["principal"],
    };

    fn bind(q: &str) -> Result<Query, ODataError> {
        RawQuery::parse(Some(q))?.bind(&INFO)
    }

    #[test]
    fn names_with_or_without_dollar_and_plus_as_space() {
        let q = bind("filter=status+eq+'A'&$TOP=2&$count=true").expect("query");
        assert!(q.filter.is_some());
        assert_eq!(q.top, Some(2));
        assert!(q.count);
    }

    #[test]
    fn refusals() {
        for (query, needle) in [
            ("$search=x", "not supported"),
            ("$skip=1", "not supported"),
            ("$bogus=1", "not supported"),
            ("$filter=a&$filter=b", "more than once"),
            ("$top=0", "Invalid page size"),
            ("$top=1000", "Invalid page size"),
            ("$top=-1", "Invalid page size"),
            ("$count=maybe", "$count"),
            ("$select=nope", "Could not find a property named 'nope'"),
            ("$expand=status", "not a navigation property"),
            ("$expand=nope", "Could not find"),
            ("$expand=principal($expand=x", "unbalanced"),
            ("$orderby=scheduleInfo", "cannot be used"),
            ("$orderby=status sideways", "asc or desc"),
            ("$skiptoken=../../etc", "Invalid $skiptoken"),
            ("$filter=%FF", "UTF-8"),
        ] {
            let err = bind(query).expect_err(query);
            assert!(err.0.contains(needle), "{query}: {}", err.0);
        }
    }

    #[test]
    fn paging_filters_orders_and_links() {
        let q = bind("$filter=status eq 'a'&$orderby=id desc&$top=2&$count=true").expect("query");
        let items: Vec<Value> = (0..5)
            .map(|i| json!({"id": format!("{i}"), "status": if i == 3 { "b" } else { "a" }}))
            .collect();
        let page = q.page(items, 100);
        assert_eq!(page.total, 4);
        let ids: Vec<_> = page
            .items
            .iter()
            .map(|v| v["id"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(ids, ["4", "2"]);
        assert_eq!(page.next_offset, Some(2));
        let link = q.next_link("http://h/beta/things", 2);
        assert!(
            link.starts_with("http://h/beta/things?$filter=status%20eq%20'a'"),
            "{link}"
        );
        assert!(link.ends_with("&$skiptoken=sim-2"), "{link}");
        // Following the link gives the rest.
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let q2 = bind(query).expect("next");
        assert_eq!(q2.offset, 2);
    }

    #[test]
    fn select_keeps_annotations_and_expanded_navigations() {
        let q = bind("$select=status&$expand=principal").expect("query");
        let mut v = json!({"@odata.type": "#x", "id": "1", "status": "a", "principal": {"id": "p"}, "principalId": "p"});
        q.apply_select(&mut v);
        assert_eq!(
            v,
            json!({"@odata.type": "#x", "status": "a", "principal": {"id": "p"}})
        );
        assert_eq!(q.context_suffix(), "(status)");
    }

    #[test]
    fn nested_expand_options_are_kept_for_the_related_type() {
        let q = bind("$expand=principal($select=id;$expand=x)").expect("query");
        assert_eq!(q.expand.len(), 1);
        assert_eq!(q.expand[0].nested.select.as_deref(), Some("id"));
        assert_eq!(q.expand[0].nested.expand.as_deref(), Some("x"));
    }
}
