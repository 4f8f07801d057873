//! Stage 3: selection. Which part of Graph pim-api binds, and the closure of types it needs.
//!
//! The input is a declarative file (`metadata/selection.toml`) naming URL paths from the entity
//! container, e.g. `roleManagement/directory/roleAssignmentScheduleRequests`. The output is a
//! [`Selection`]: a deterministic closure computed by fixed rules, each selected type carrying
//! the [`Reason`] it was selected for (so `pim-codegen explain` can say why a type is there).
//!
//! Rules, in the order they are applied until nothing changes:
//! 1. the last segment of every bound path is *addressable*: its entity type is selected in
//!    full, and so is every containment navigation below it (recursively, cycles allowed),
//!    limited by the entry's `follow` / `exclude` lists;
//! 2. the segments before it are *path-only*: the path API goes through them, their types are
//!    reference-only;
//! 3. a fully selected structured type pulls in its base types (in full: their properties are
//!    flattened into it), the types of its structural properties, and — because payloads are
//!    polymorphic — every type derived from it, except for types reached only as a base;
//! 4. operations bound to an addressable type (or a collection of it) are selected; their
//!    parameter and return types are pulled in like property types;
//! 5. an entity type reached by a non-containment navigation property, or as an operation's
//!    parameter or return, that is not otherwise selected becomes *reference-only*: a small
//!    type with its key instead of its whole hierarchy.
//!
//! The file may also list `[[server_set]]` properties: wire properties the service fills in
//! although the schema does not annotate them `Core.Computed` (e.g. `microsoft.graph.request/status`,
//! declared non-nullable). They do not change the closure; [`select`] checks that each names a
//! structural property of a fully selected type that declares it, and stage 4 leaves them out
//! of the required arguments of `new()` (see [`Selection::server_set`]).
//!
//! `[[restrict]]` tables say what the service refuses on a bound collection although the
//! schema carries no Capabilities annotation to say so (schedules are read-only, requests
//! are never patched, PIM for groups lists only with a `groupId` or `principalId` filter),
//! each with the docs pages that say it. They do not change the closure either; [`select`]
//! checks each against the schema and the path API (the path must reach a collection the
//! selection binds, filter properties must be primitive properties of its entity type,
//! refused navigations must exist) and hands them on as [`Selection::restrictions`] for the
//! request builders.
//!
//! A `[[bind]]` may name a cargo `feature`: it is bound only when that feature is enabled
//! ([`SelectionConfig::with_features`]); PIM iteration 2 is bound behind `iteration2`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::csdl::{OperationKind, StructuredKind};
use crate::diag::{Code, Diagnostic, Pos, Severity};
use crate::model::{Model, OperationId, TypeDefKind, TypeId, TypeKind, TypeRef, vocab::Core};

/// The selection file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SelectionConfig {
    /// The bound paths.
    #[serde(rename = "bind")]
    pub binds: Vec<Bind>,
    /// Properties the service sets (`[[server_set]]` tables; none when absent).
    #[serde(default, rename = "server_set")]
    pub server_set: Vec<ServerSet>,
    /// What the service refuses on bound collections (`[[restrict]]` tables).
    #[serde(default, rename = "restrict")]
    pub restrict: Vec<Restrict>,
}

/// What the service refuses on one bound collection, which the schema does not say.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Restrict {
    /// The collection (or single entity), as a `[[bind]]` path; containment navigation
    /// properties below a bound path may follow
    /// (`roleManagement/directory/roleAssignmentScheduleRequests/approval`).
    pub path: String,
    /// Requests the service refuses: `create` (POST to the collection), `update` and
    /// `delete` (PATCH and DELETE of an item). The builders do not offer them.
    #[serde(default)]
    pub refuses: Vec<String>,
    /// The service lists (and counts) the collection only when `$filter` compares these
    /// properties with `eq`: each entry is one accepted combination. The builders offer
    /// `list_by_<a>[_and_<b>]` (and `count_by_…`) taking the values, instead of `list`.
    #[serde(default)]
    pub list_filter: Vec<Vec<String>>,
    /// Navigation properties of the collection's items the service does not serve.
    #[serde(default)]
    pub refuses_navigation: Vec<String>,
    /// The docs pages that say so (https URLs, at least one).
    pub docs: Vec<String>,
    /// Free text for humans.
    #[serde(default)]
    pub note: Option<String>,
}

/// A request a [`Restriction`] takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Refused {
    /// POST to the collection.
    Create,
    /// PATCH of an item.
    Update,
    /// DELETE of an item.
    Delete,
}

impl Refused {
    /// The word used in `refuses` (and the method it removes).
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Create => "create",
            Refused::Update => "update",
            Refused::Delete => "delete",
        }
    }

    fn parse(text: &str) -> Option<Refused> {
        [Refused::Create, Refused::Update, Refused::Delete]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A checked `[[restrict]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    /// The requests taken away.
    pub refuses: BTreeSet<Refused>,
    /// Accepted filter combinations (wire property names); empty when an unfiltered list is
    /// fine.
    pub list_filter: Vec<Vec<String>>,
    /// Navigation properties of the items not offered.
    pub refuses_navigation: BTreeSet<String>,
    /// Where the service says so.
    pub docs: Vec<String>,
}

/// A property the service fills in, which a create body need not carry although the schema
/// declares it non-nullable and not computed.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServerSet {
    /// `namespace.type/property`, naming the type that declares the property (not one that
    /// inherits it): e.g. `microsoft.graph.request/status`. Applies to every type that
    /// inherits it.
    pub property: String,
    /// Free text for humans: why the service sets it.
    #[serde(default)]
    pub note: Option<String>,
}

/// One bound URL path.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Bind {
    /// `/`-separated path from the entity container: an entity set or singleton, then
    /// navigation properties.
    pub path: String,
    /// Free text for humans (e.g. "PIM iteration 3").
    #[serde(default)]
    pub note: Option<String>,
    /// When set, only these containment navigation properties are followed below the bound
    /// path (at any depth).
    #[serde(default)]
    pub follow: Option<Vec<String>>,
    /// Containment navigation properties never followed below the bound path.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// A cargo feature of pim-api: the path is bound only when it is enabled (see
    /// [`SelectionConfig::with_features`]).
    #[serde(default)]
    pub feature: Option<String>,
}

impl SelectionConfig {
    /// The configuration with the binds of disabled features left out (and the
    /// `[[restrict]]` entries below them, which would otherwise name nothing).
    pub fn with_features(&self, enabled: &BTreeSet<String>) -> SelectionConfig {
        let on = |b: &Bind| b.feature.as_ref().is_none_or(|f| enabled.contains(f));
        let off: Vec<String> = self
            .binds
            .iter()
            .filter(|b| !on(b))
            .map(|b| b.path.trim_matches('/').to_owned())
            .collect();
        let below_off = |path: &str| {
            let path = path.trim_matches('/');
            off.iter()
                .any(|o| path == o || path.starts_with(&format!("{o}/")))
        };
        SelectionConfig {
            binds: self.binds.iter().filter(|b| on(b)).cloned().collect(),
            server_set: self.server_set.clone(),
            restrict: self
                .restrict
                .iter()
                .filter(|r| !below_off(&r.path))
                .cloned()
                .collect(),
        }
    }

    /// The features some `[[bind]]` names, sorted.
    pub fn features(&self) -> BTreeSet<String> {
        self.binds
            .iter()
            .filter_map(|b| b.feature.clone())
            .collect()
    }

    /// Parses the TOML text of a selection file.
    pub fn from_toml(text: &str) -> Result<SelectionConfig, Diagnostic> {
        toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() as u32 + 1;
            let column = before
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count())
                .unwrap_or(0) as u32
                + 1;
            Diagnostic {
                severity: Severity::Error,
                code: Code::SelectionSyntax,
                message: e.message().to_owned(),
                pos: Pos::from_usize(offset),
                line,
                column,
            }
        })
    }
}

/// Why a type is in the selection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// It is the type at the end of a bound path.
    Bound(String),
    /// It is the target of a followed containment navigation property.
    Containment { parent: String, navigation: String },
    /// It is the type of a structural property.
    Property { owner: String, property: String },
    /// It is a base type of a selected type.
    Base { of: String },
    /// It derives from a selected type (polymorphic payloads).
    Derived { from: String },
    /// A parameter or the return type of a selected operation uses it.
    Operation { operation: String },
    /// It is the target of a navigation property that the selection does not follow.
    Navigation { owner: String, navigation: String },
    /// A segment of a bound path goes through it.
    PathSegment(String),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Bound(path) => write!(f, "bound at `/{path}`"),
            Reason::Containment { parent, navigation } => {
                write!(f, "contained in `{parent}` as `{navigation}`")
            }
            Reason::Property { owner, property } => {
                write!(f, "type of property `{owner}/{property}`")
            }
            Reason::Base { of } => write!(f, "base type of `{of}`"),
            Reason::Derived { from } => write!(f, "derives from `{from}`"),
            Reason::Operation { operation } => write!(f, "used by operation `{operation}`"),
            Reason::Navigation { owner, navigation } => {
                write!(
                    f,
                    "target of navigation `{owner}/{navigation}` (not followed)"
                )
            }
            Reason::PathSegment(path) => write!(f, "on the path `/{path}`"),
        }
    }
}

/// A segment of a bound path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The wire name (container child or navigation property).
    pub name: String,
    /// The entity type reached.
    pub ty: TypeId,
    /// True when the segment addresses a collection (an entity set or collection navigation).
    pub collection: bool,
}

/// A resolved bound path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundPath {
    /// The path as written in the selection file.
    pub path: String,
    /// Its segments, container child first.
    pub segments: Vec<Segment>,
}

/// The result of selection.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The bound paths, in file order.
    pub bound: Vec<BoundPath>,
    /// Types generated in full, with the first reason found (BFS order, so the shortest).
    pub types: BTreeMap<TypeId, Reason>,
    /// Entity types generated as references only (key plus extra properties).
    pub reference_only: BTreeMap<TypeId, Reason>,
    /// Entity types that can be addressed by URL and the containment navigation properties
    /// the path API follows from them (name → target type, collection).
    pub addressable: BTreeMap<TypeId, Vec<(String, TypeId, bool)>>,
    /// Selected operations (bound to addressable types).
    pub operations: BTreeSet<OperationId>,
    /// The `[[server_set]]` properties, as normalized annotation targets
    /// (`namespace.type/property` of the declaring type, as
    /// [`Model::member_target`] writes them): never required by a constructor.
    pub server_set: BTreeSet<String>,
    /// The `[[restrict]]` entries, by path (`a/b/c`, as written without outer slashes).
    pub restrictions: BTreeMap<String, Restriction>,
}

impl Selection {
    /// True when `id` is generated in full.
    pub fn is_full(&self, id: TypeId) -> bool {
        self.types.contains_key(&id)
    }

    /// True when `id` is generated in any form.
    pub fn contains(&self, id: TypeId) -> bool {
        self.types.contains_key(&id) || self.reference_only.contains_key(&id)
    }

    /// Human-readable explanation of the closure: one line per type, sorted by name.
    pub fn explain(&self, model: &Model<'_>) -> String {
        let mut lines: Vec<String> =
            self.types
                .iter()
                .map(|(id, reason)| format!("full       {}  ({reason})", model.ty(*id).qualified))
                .chain(self.reference_only.iter().map(|(id, reason)| {
                    format!("reference  {}  ({reason})", model.ty(*id).qualified)
                }))
                .collect();
        lines.sort_by(|a, b| a[11..].cmp(&b[11..]));
        let mut out = String::new();
        for b in &self.bound {
            out.push_str(&format!("bound /{}\n", b.path));
        }
        for op in &self.operations {
            let op = model.operation(*op);
            let kind = match op.kind() {
                OperationKind::Action => "action",
                OperationKind::Function => "function",
            };
            let binding = op
                .binding
                .as_ref()
                .map(|b| model.type_ref_name(b))
                .unwrap_or_default();
            out.push_str(&format!("{kind:<10} {} on {binding}\n", op.qualified));
        }
        for target in &self.server_set {
            out.push_str(&format!(
                "server-set {target}  (set by the service: not required by `new`)\n"
            ));
        }
        for (path, r) in &self.restrictions {
            let mut what = Vec::new();
            if !r.refuses.is_empty() {
                let verbs: Vec<&str> = r.refuses.iter().map(|v| v.as_str()).collect();
                what.push(format!("no {}", verbs.join(", ")));
            }
            if !r.list_filter.is_empty() {
                let combos: Vec<String> = r.list_filter.iter().map(|c| c.join(" and ")).collect();
                what.push(format!("lists only filtered on {}", combos.join(" | ")));
            }
            if !r.refuses_navigation.is_empty() {
                let navs: Vec<&str> = r.refuses_navigation.iter().map(String::as_str).collect();
                what.push(format!("no navigation {}", navs.join(", ")));
            }
            out.push_str(&format!(
                "restrict   /{path}: {}  (see {})\n",
                what.join("; "),
                r.docs.join(" ")
            ));
        }
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

/// Computes the selection. Errors: a path that does not resolve, and any unresolved type
/// reference or error diagnostic of the model that touches a selected type.
pub fn select(model: &Model<'_>, config: &SelectionConfig) -> Result<Selection, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut sel = Selection::default();
    let mut work = Work::default();

    // Rules 1 and 2: resolve the bound paths.
    for bind in &config.binds {
        let mut segments: Vec<Segment> = Vec::new();
        let names: Vec<&str> = bind.path.split('/').filter(|s| !s.is_empty()).collect();
        let mut failed = false;
        for (i, name) in names.iter().enumerate() {
            let step = if i == 0 {
                model
                    .container_child(name)
                    .and_then(|c| c.ty.map(|t| (t, c.is_set)))
            } else {
                let parent = segments[i - 1].ty;
                model
                    .all_navigation(parent)
                    .into_iter()
                    .find(|(_, n)| n.name() == *name)
                    .and_then(|(_, n)| n.ty.named().map(|t| (t, n.ty.collection)))
            };
            match step {
                Some((ty, collection)) => segments.push(Segment {
                    name: (*name).to_owned(),
                    ty,
                    collection,
                }),
                None => {
                    errors.push(selection_error(format!(
                        "selection path `{}`: segment `{name}` does not resolve",
                        bind.path
                    )));
                    failed = true;
                    break;
                }
            }
        }
        if failed || segments.is_empty() {
            if segments.is_empty() && !failed {
                errors.push(selection_error(format!(
                    "selection path `{}` is empty",
                    bind.path
                )));
            }
            continue;
        }
        let path = names.join("/");
        for (i, seg) in segments.iter().enumerate().take(segments.len() - 1) {
            work.reference(seg.ty, Reason::PathSegment(names[..=i].join("/")));
            // The path API needs the hop from this segment to the next.
            let next = &segments[i + 1];
            work.edge(seg.ty, &next.name, next.ty, next.collection);
        }
        let last = segments.last().map(|s| s.ty).unwrap_or(TypeId(0));
        work.full(last, Reason::Bound(path.clone()));
        work.addressable(model, last, bind);
        sel.bound.push(BoundPath {
            path: bind.path.clone(),
            segments,
        });
    }

    // Rules 3 to 5, to a fixed point.
    work.close(model);

    sel.types = work.full;
    sel.reference_only = work
        .reference
        .into_iter()
        .filter(|(t, _)| !sel.types.contains_key(t))
        .collect();
    sel.addressable = work.edges;
    sel.operations = work.operations;

    // Errors of the model that touch the selection stop generation; others do not. Only
    // full types count: a reference-only type is generated from its key alone.
    for id in sel.types.keys() {
        let t = model.ty(*id);
        if let TypeDefKind::Structured(s) = &t.kind {
            for p in &s.properties {
                if p.ty.kind == TypeKind::Unresolved {
                    errors.push(selection_error(format!(
                        "`{}/{}` has type `{}`, which does not exist",
                        t.qualified,
                        p.name(),
                        p.raw.type_name
                    )));
                }
            }
        }
    }
    sel.server_set = server_set(model, config, &sel, &mut errors);
    sel.restrictions = restrictions(model, config, &sel, &mut errors);
    for op in &sel.operations {
        let o = model.operation(*op);
        for (p, t) in &o.parameters {
            if t.kind == TypeKind::Unresolved {
                errors.push(selection_error(format!(
                    "parameter `{}` of `{}` has type `{}`, which does not exist",
                    p.name, o.qualified, p.type_name
                )));
            }
        }
    }

    if errors.is_empty() {
        Ok(sel)
    } else {
        Err(errors)
    }
}

/// Resolves the `[[server_set]]` entries: each must name a structural property declared by a
/// type the selection generates in full. Anything else is an error, so that a misspelt entry
/// or one left behind by a schema change does not silently stop applying.
fn server_set(
    model: &Model<'_>,
    config: &SelectionConfig,
    sel: &Selection,
    errors: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in &config.server_set {
        let text = entry.property.trim();
        let fail = |why: String| {
            selection_error(format!("server_set property `{}`: {why}", entry.property))
        };
        let Some((ty, property)) = text.rsplit_once('/') else {
            errors.push(fail(
                "expected `namespace.type/property`, e.g. `microsoft.graph.request/status`"
                    .to_owned(),
            ));
            continue;
        };
        let Some(id) = model.type_id(ty) else {
            errors.push(fail(format!(
                "no type `{ty}` (write it namespace-qualified, without an alias)"
            )));
            continue;
        };
        if !sel.is_full(id) {
            errors.push(fail(format!(
                "`{ty}` is not generated in full by this selection"
            )));
            continue;
        }
        let declares = |t: TypeId| {
            model
                .structured(t)
                .is_some_and(|s| s.properties.iter().any(|p| p.name() == property))
        };
        if !declares(id) {
            let inherited = model
                .base_chain(id)
                .into_iter()
                .skip(1)
                .find(|b| declares(*b))
                .map(|b| {
                    format!(
                        "; it is declared by `{}`, name that type",
                        model.ty(b).qualified
                    )
                });
            errors.push(fail(format!(
                "`{ty}` declares no structural property `{property}`{}",
                inherited.unwrap_or_default()
            )));
            continue;
        }
        out.insert(model.member_target(id, property));
    }
    out
}

/// Resolves the `[[restrict]]` entries. Each must name a resource the path API reaches
/// (a bound path, or containment navigation below one), take away something real, and name
/// only properties and navigations of its entity type; anything else is an error, so an
/// entry cannot silently stop applying when the schema or the selection changes.
fn restrictions(
    model: &Model<'_>,
    config: &SelectionConfig,
    sel: &Selection,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Restriction> {
    let mut out = BTreeMap::new();
    for entry in &config.restrict {
        let path = entry.path.trim_matches('/').to_owned();
        let fail = |why: String| selection_error(format!("restrict `{}`: {why}", entry.path));
        let Some((ty, collection)) = reachable(model, sel, &path) else {
            errors.push(fail(
                "the path does not reach a resource of the selection (write a bound path, \
                 optionally followed by containment navigation properties below it)"
                    .to_owned(),
            ));
            continue;
        };
        if !collection
            && (entry.refuses.iter().any(|r| r == "create") || !entry.list_filter.is_empty())
        {
            errors.push(fail(
                "the path reaches a single entity, which has no `create` or list to filter"
                    .to_owned(),
            ));
            continue;
        }
        if out.contains_key(&path) {
            errors.push(fail("a second entry for the same path".to_owned()));
            continue;
        }
        let before = errors.len();
        let mut refuses = BTreeSet::new();
        for r in &entry.refuses {
            match Refused::parse(r) {
                Some(v) => {
                    refuses.insert(v);
                }
                None => errors.push(fail(format!(
                    "`{r}` is not a request it can refuse (`create`, `update` or `delete`)"
                ))),
            }
        }
        let t = model.ty(ty).qualified.clone();
        for combo in &entry.list_filter {
            if combo.is_empty() {
                errors.push(fail("an empty `list_filter` combination".to_owned()));
            }
            for property in combo {
                let found = model
                    .all_properties(ty)
                    .into_iter()
                    .find(|(_, p)| p.name() == property);
                match found {
                    Some((_, p)) if filterable(model, &p.ty) => {}
                    Some(_) => errors.push(fail(format!(
                        "`{t}/{property}` is not a single primitive or enum value with an \
                         inline literal, so it cannot be compared with `eq` in `$filter`"
                    ))),
                    None => errors.push(fail(format!(
                        "`{t}` has no structural property `{property}`"
                    ))),
                }
            }
        }
        let mut refuses_navigation = BTreeSet::new();
        for nav in &entry.refuses_navigation {
            if model
                .all_navigation(ty)
                .iter()
                .any(|(_, n)| n.name() == nav)
            {
                refuses_navigation.insert(nav.clone());
            } else {
                errors.push(fail(format!("`{t}` has no navigation property `{nav}`")));
            }
        }
        if entry.docs.is_empty() || entry.docs.iter().any(|d| !d.starts_with("https://")) {
            errors.push(fail(
                "`docs` must list the pages that say so, as https URLs".to_owned(),
            ));
        }
        if refuses.is_empty() && entry.list_filter.is_empty() && refuses_navigation.is_empty() {
            errors.push(fail(
                "restricts nothing (give `refuses`, `list_filter` or `refuses_navigation`)"
                    .to_owned(),
            ));
        }
        if errors.len() == before {
            out.insert(
                path,
                Restriction {
                    refuses,
                    list_filter: entry.list_filter.clone(),
                    refuses_navigation,
                    docs: entry.docs.clone(),
                },
            );
        }
    }
    out
}

/// Whether a property of type `ty` can be compared with `eq` in a generated filter: a single
/// primitive with an inline OData literal (not `Single`, `Decimal`, `Binary`, streams or
/// geography, which the runtime writes only as JSON aliases), or a non-flags enum.
fn filterable(model: &Model<'_>, ty: &TypeRef) -> bool {
    use crate::model::Primitive as P;
    let literal = |p: P| {
        matches!(
            p,
            P::String
                | P::Boolean
                | P::Byte
                | P::SByte
                | P::Int16
                | P::Int32
                | P::Int64
                | P::Double
                | P::Guid
                | P::Date
                | P::DateTimeOffset
                | P::Duration
                | P::TimeOfDay
        )
    };
    if ty.collection {
        return false;
    }
    match ty.kind {
        TypeKind::Primitive(p) => literal(p),
        TypeKind::Named(id) => match &model.ty(id).kind {
            TypeDefKind::Enum(e) => !e.raw.is_flags,
            TypeDefKind::Definition(d) => literal(d.underlying),
            TypeDefKind::Structured(_) => false,
        },
        TypeKind::Unresolved => false,
    }
}

/// The entity type at the end of `path` and whether it is a collection, when the path API
/// reaches it: from a container child through hops the selection has (bound path segments
/// and followed containment).
fn reachable(model: &Model<'_>, sel: &Selection, path: &str) -> Option<(TypeId, bool)> {
    let mut names = path.split('/');
    let child = model.container_child(names.next()?)?;
    let (mut ty, mut collection) = (child.ty?, child.is_set);
    sel.bound
        .iter()
        .any(|b| b.segments.first().is_some_and(|s| s.name == child.name))
        .then_some(())?;
    for name in names {
        let (_, to, c) = sel
            .addressable
            .get(&ty)?
            .iter()
            .find(|(n, _, _)| n == name)?;
        (ty, collection) = (*to, *c);
    }
    sel.is_full(ty).then_some((ty, collection))
}

fn selection_error(message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: Code::SelectionUnresolved,
        message,
        pos: Pos(0),
        line: 0,
        column: 0,
    }
}

/// The work lists of the closure computation.
#[derive(Default)]
struct Work {
    full: BTreeMap<TypeId, Reason>,
    reference: BTreeMap<TypeId, Reason>,
    edges: BTreeMap<TypeId, Vec<(String, TypeId, bool)>>,
    operations: BTreeSet<OperationId>,
    /// Fully selected types whose dependencies are not yet added.
    pending: Vec<TypeId>,
    /// Types reached only as a base type: their derived types are not pulled in.
    base_only: BTreeSet<TypeId>,
}

impl Work {
    fn full(&mut self, id: TypeId, reason: Reason) {
        // Re-queue a known type only when it was so far selected as a base alone: then its
        // derived types become relevant. Re-queueing on every reason never ends on a type that
        // contains itself (a complex type with a property of its own type).
        let was_base_only = self.base_only.remove(&id);
        let again = was_base_only && !matches!(reason, Reason::Base { .. });
        match self.full.entry(id) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(reason);
                self.pending.push(id);
            }
            // Selected again for a reason that makes derived types relevant.
            std::collections::btree_map::Entry::Occupied(_) if again => self.pending.push(id),
            std::collections::btree_map::Entry::Occupied(_) => {}
        }
    }

    fn reference(&mut self, id: TypeId, reason: Reason) {
        self.reference.entry(id).or_insert(reason);
    }

    fn edge(&mut self, from: TypeId, name: &str, to: TypeId, collection: bool) {
        let edges = self.edges.entry(from).or_default();
        if !edges.iter().any(|(n, _, _)| n == name) {
            edges.push((name.to_owned(), to, collection));
        }
    }

    /// Rule 1: the containment tree below an addressable type.
    fn addressable(&mut self, model: &Model<'_>, root: TypeId, bind: &Bind) {
        let mut stack = vec![root];
        let mut seen = BTreeSet::new();
        while let Some(t) = stack.pop() {
            if !seen.insert(t) {
                continue;
            }
            self.edges.entry(t).or_default();
            for (_, nav) in model.all_navigation(t) {
                let name = nav.name();
                if !nav.raw.contains_target
                    || bind.exclude.iter().any(|e| e == name)
                    || bind
                        .follow
                        .as_ref()
                        .is_some_and(|f| !f.iter().any(|x| x == name))
                {
                    continue;
                }
                let Some(target) = nav.ty.named() else {
                    continue;
                };
                self.edge(t, name, target, nav.ty.collection);
                self.full(
                    target,
                    Reason::Containment {
                        parent: model.ty(t).qualified.clone(),
                        navigation: name.to_owned(),
                    },
                );
                stack.push(target);
            }
        }
    }

    fn close(&mut self, model: &Model<'_>) {
        let mut derived_done = BTreeSet::new();
        let mut ops_done = BTreeSet::new();
        while let Some(id) = self.pending.pop() {
            let qualified = model.ty(id).qualified.clone();
            let Some(s) = model.structured(id) else {
                continue;
            };
            // Rule 3: base types (in full, but their derived types are not pulled in).
            if let Some(base) = s.base
                && !self.full.contains_key(&base)
            {
                self.base_only.insert(base);
                self.full.insert(
                    base,
                    Reason::Base {
                        of: qualified.clone(),
                    },
                );
                self.pending.push(base);
            }
            for p in &s.properties {
                self.use_type(
                    model,
                    &p.ty,
                    Reason::Property {
                        owner: qualified.clone(),
                        property: p.name().to_owned(),
                    },
                );
            }
            // Rule 5: navigation targets not followed become references.
            for nav in &s.navigation {
                if let Some(target) = nav.ty.named()
                    && !self.full.contains_key(&target)
                    && !self
                        .edges
                        .get(&id)
                        .is_some_and(|e| e.iter().any(|(n, _, _)| n == nav.name()))
                {
                    self.reference(
                        target,
                        Reason::Navigation {
                            owner: qualified.clone(),
                            navigation: nav.name().to_owned(),
                        },
                    );
                }
            }
            // Rule 3: derived types, unless this type is only here as a base.
            if !self.base_only.contains(&id) && derived_done.insert(id) {
                for d in model.all_derived(id) {
                    self.full(
                        d,
                        Reason::Derived {
                            from: qualified.clone(),
                        },
                    );
                }
            }
            // Rule 4: operations bound to addressable types (and to their base types).
            if self.edges.contains_key(&id) && ops_done.insert(id) {
                for t in model.base_chain(id) {
                    for &op in model.bound_operations(t) {
                        // Operations bound to the shared base `entity` (none in PIM) would
                        // apply to everything; only take those bound to this very type or
                        // to a base that is itself addressable.
                        if t != id && !self.edges.contains_key(&t) {
                            continue;
                        }
                        if self.operations.insert(op) {
                            let o = model.operation(op);
                            let reason = Reason::Operation {
                                operation: o.qualified.clone(),
                            };
                            for (_, ty) in o.parameters.iter().skip(1) {
                                self.use_type(model, ty, reason.clone());
                            }
                            if let Some(r) = &o.return_type {
                                self.use_type(model, r, reason.clone());
                            }
                        }
                    }
                }
            }
        }
        // A type selected in full later no longer needs its reference entry.
        let full = &self.full;
        self.reference.retain(|t, _| !full.contains_key(t));
    }

    /// A type used by a property, parameter or return type.
    fn use_type(&mut self, model: &Model<'_>, ty: &TypeRef, reason: Reason) {
        let Some(id) = ty.named() else { return };
        match &model.ty(id).kind {
            TypeDefKind::Structured(s) if s.kind() == StructuredKind::Entity => {
                if !self.full.contains_key(&id) {
                    self.reference(id, reason);
                }
            }
            _ => self.full(id, reason),
        }
    }
}

/// True when the type or any of its base types is deprecated by `Core.Revisions`.
pub fn is_deprecated(model: &Model<'_>, id: TypeId) -> bool {
    let target = model.type_target(id);
    Core::from_annotations(model.annotations_on(&target))
        .deprecation()
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csdl::{ReadOptions, parse};
    use crate::model::resolve;

    const SCHEMA: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="x"><edmx:DataServices>
<Schema Namespace="microsoft.graph" Alias="graph">
<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="root" BaseType="graph.entity">
  <NavigationProperty Name="resources" Type="Collection(graph.resource)" ContainsTarget="true"/>
  <NavigationProperty Name="other" Type="Collection(graph.unrelated)" ContainsTarget="true"/>
</EntityType>
<EntityType Name="resource" BaseType="graph.entity">
  <Property Name="by" Type="graph.identity"/>
  <Property Name="state" Type="graph.state"/>
  <NavigationProperty Name="parent" Type="graph.resource" ContainsTarget="true"/>
  <NavigationProperty Name="owner" Type="graph.user"/>
</EntityType>
<EntityType Name="unrelated" BaseType="graph.entity"/>
<EntityType Name="directoryObject" BaseType="graph.entity"><Property Name="deletedDateTime" Type="Edm.DateTimeOffset"/></EntityType>
<EntityType Name="user" BaseType="graph.directoryObject"><Property Name="manager" Type="graph.identity"/></EntityType>
<EntityType Name="group" BaseType="graph.directoryObject"/>
<ComplexType Name="identity"><Property Name="displayName" Type="Edm.String"/></ComplexType>
<ComplexType Name="userIdentity" BaseType="graph.identity"/>
<EnumType Name="state"><Member Name="on"/><Member Name="off"/></EnumType>
<Action Name="register" IsBound="true"><Parameter Name="bindingParameter" Type="Collection(graph.resource)"/><Parameter Name="who" Type="graph.group"/></Action>
<Action Name="ignored" IsBound="true"><Parameter Name="bindingParameter" Type="graph.unrelated"/></Action>
<EntityContainer Name="GraphService"><EntitySet Name="roots" EntityType="graph.root"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>"#;

    fn names(model: &Model<'_>, ids: impl Iterator<Item = TypeId>) -> Vec<String> {
        let mut v: Vec<String> = ids.map(|t| model.ty(t).name.to_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn closure_follows_the_rules() {
        let parsed = parse(SCHEMA, ReadOptions::default());
        let model = resolve(&parsed.document, SCHEMA.as_bytes());
        assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
        let config =
            SelectionConfig::from_toml("[[bind]]\npath = \"roots\"\nexclude = [\"other\"]\n")
                .unwrap();
        let sel = select(&model, &config).unwrap();
        assert_eq!(
            names(&model, sel.types.keys().copied()),
            [
                "entity",
                "identity",
                "resource",
                "root",
                "state",
                "userIdentity"
            ]
        );
        // Navigation and operation targets that are not followed are references, and `user`
        // does not drag in `directoryObject`'s hierarchy.
        assert_eq!(
            names(&model, sel.reference_only.keys().copied()),
            ["group", "unrelated", "user"]
        );
        let ops: Vec<_> = sel
            .operations
            .iter()
            .map(|o| model.operation(*o).name().to_owned())
            .collect();
        assert_eq!(ops, ["register"]);
        // The cycle `resource.parent` is an edge of the path API.
        let resource = model.type_id("microsoft.graph.resource").unwrap();
        assert!(
            sel.addressable[&resource]
                .iter()
                .any(|(n, t, c)| n == "parent" && *t == resource && !c)
        );
        let explained = sel.explain(&model);
        assert!(
            explained.contains("derives from `microsoft.graph.identity`"),
            "{explained}"
        );
    }

    #[test]
    fn a_type_containing_itself_terminates() {
        let text = SCHEMA.replace(
            "<ComplexType Name=\"identity\"><Property Name=\"displayName\" Type=\"Edm.String\"/></ComplexType>",
            "<ComplexType Name=\"identity\"><Property Name=\"displayName\" Type=\"Edm.String\"/><Property Name=\"inner\" Type=\"graph.identity\"/><Property Name=\"list\" Type=\"Collection(graph.identity)\"/></ComplexType>",
        );
        assert!(text.contains("inner"));
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let config = SelectionConfig::from_toml("[[bind]]\npath = \"roots\"\n").unwrap();
        let sel = select(&model, &config).unwrap();
        let identity = model.type_id("microsoft.graph.identity").unwrap();
        assert!(sel.is_full(identity));
    }

    #[test]
    fn selection_is_deterministic() {
        let parsed = parse(SCHEMA, ReadOptions::default());
        let model = resolve(&parsed.document, SCHEMA.as_bytes());
        let config = SelectionConfig::from_toml("[[bind]]\npath = \"roots\"\n").unwrap();
        let a = select(&model, &config).unwrap().explain(&model);
        let b = select(&model, &config).unwrap().explain(&model);
        assert_eq!(a, b);
        assert!(a.contains("unrelated"));
    }

    #[test]
    fn unresolvable_paths_and_bad_files_are_errors() {
        let parsed = parse(SCHEMA, ReadOptions::default());
        let model = resolve(&parsed.document, SCHEMA.as_bytes());
        let config = SelectionConfig::from_toml("[[bind]]\npath = \"roots/nothing\"\n").unwrap();
        let errors = select(&model, &config).unwrap_err();
        assert_eq!(errors[0].code, Code::SelectionUnresolved);
        assert!(errors[0].message.contains("nothing"));
        let bad = SelectionConfig::from_toml("[[bind]]\npath = 3\n").unwrap_err();
        assert_eq!(bad.code, Code::SelectionSyntax);
        assert_eq!(bad.line, 2);
        let unknown = SelectionConfig::from_toml("[[bind]]\npath = \"x\"\nfollw = []\n");
        assert!(unknown.is_err());
    }

    #[test]
    fn server_set_properties_must_be_declared_by_a_full_type() {
        let text = SCHEMA.replace(
            "<Property Name=\"by\" Type=\"graph.identity\"/>",
            "<Property Name=\"by\" Type=\"graph.identity\"/><Property Name=\"status\" Type=\"Edm.String\" Nullable=\"false\"/>",
        );
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let with = |entry: &str| {
            let toml = format!(
                "[[bind]]\npath = \"roots\"\n[[server_set]]\nproperty = \"{entry}\"\nnote = \"x\"\n"
            );
            select(&model, &SelectionConfig::from_toml(&toml).unwrap())
        };
        let sel = with("microsoft.graph.resource/status").unwrap();
        assert_eq!(
            sel.server_set.iter().collect::<Vec<_>>(),
            ["microsoft.graph.resource/status"]
        );
        assert!(
            sel.explain(&model)
                .contains("server-set microsoft.graph.resource/status"),
        );
        // Without the table, nothing is server-set.
        let plain = SelectionConfig::from_toml("[[bind]]\npath = \"roots\"\n").unwrap();
        assert!(select(&model, &plain).unwrap().server_set.is_empty());
        // Misspelt, inherited, navigation, outside the closure, malformed: all errors.
        for (entry, says) in [
            (
                "microsoft.graph.resource/stat",
                "declares no structural property `stat`",
            ),
            (
                "microsoft.graph.resource/id",
                "declared by `microsoft.graph.entity`",
            ),
            (
                "microsoft.graph.resource/owner",
                "declares no structural property",
            ),
            (
                "microsoft.graph.directoryObject/deletedDateTime",
                "not generated in full",
            ),
            (
                "microsoft.graph.nothing/id",
                "no type `microsoft.graph.nothing`",
            ),
            ("graph.resource/status", "no type `graph.resource`"),
            ("status", "expected `namespace.type/property`"),
        ] {
            let errors = with(entry).unwrap_err();
            assert_eq!(errors[0].code, Code::SelectionUnresolved, "{entry}");
            assert!(errors[0].message.contains(says), "{entry}: {errors:?}");
        }
        let unknown =
            SelectionConfig::from_toml("[[bind]]\npath = \"x\"\n[[server_set]]\nprop = \"y\"\n");
        assert!(unknown.is_err());
    }

    #[test]
    fn restrictions_are_checked_against_the_schema_and_the_path_api() {
        let parsed = parse(SCHEMA, ReadOptions::default());
        let model = resolve(&parsed.document, SCHEMA.as_bytes());
        let with = |entry: &str| {
            let toml = format!(
                "[[bind]]\npath = \"roots\"\nexclude = [\"other\"]\n[[restrict]]\n{entry}\n"
            );
            select(&model, &SelectionConfig::from_toml(&toml).unwrap())
        };
        let docs = "docs = [\"https://example.com/x\"]";
        let sel = with(&format!(
            "path = \"roots/resources\"\nrefuses = [\"create\", \"delete\"]\n\
             list_filter = [[\"state\"]]\nrefuses_navigation = [\"owner\"]\n{docs}"
        ))
        .unwrap();
        let r = &sel.restrictions["roots/resources"];
        assert_eq!(
            r.refuses.iter().copied().collect::<Vec<_>>(),
            [Refused::Create, Refused::Delete]
        );
        assert_eq!(r.list_filter, [["state"]]);
        assert!(r.refuses_navigation.contains("owner"));
        let explained = sel.explain(&model);
        assert!(
            explained.contains("restrict   /roots/resources: no create, delete; lists only filtered on state; no navigation owner"),
            "{explained}"
        );
        // A single entity may lose update, delete and navigations.
        assert!(
            with(&format!(
                "path = \"roots/resources/parent\"\nrefuses = [\"update\"]\n{docs}"
            ))
            .is_ok()
        );
        for (entry, says) in [
            (
                format!("path = \"roots/nothing\"\nrefuses = [\"create\"]\n{docs}"),
                "does not reach",
            ),
            (
                format!("path = \"roots/other\"\nrefuses = [\"create\"]\n{docs}"),
                "does not reach",
            ),
            (
                format!("path = \"roots\"\nrefuses = [\"patch\"]\n{docs}"),
                "`patch` is not a request",
            ),
            (
                format!("path = \"roots\"\nrestricts = 1\n{docs}"),
                "unknown field",
            ),
            (
                format!("path = \"roots/resources\"\nlist_filter = [[\"nope\"]]\n{docs}"),
                "no structural property `nope`",
            ),
            (
                format!("path = \"roots/resources\"\nlist_filter = [[\"by\"]]\n{docs}"),
                "cannot be compared",
            ),
            (
                format!("path = \"roots/resources\"\nlist_filter = [[]]\n{docs}"),
                "empty `list_filter`",
            ),
            (
                format!("path = \"roots/resources\"\nrefuses_navigation = [\"boss\"]\n{docs}"),
                "no navigation property `boss`",
            ),
            (
                "path = \"roots\"\nrefuses = [\"create\"]\ndocs = []".to_owned(),
                "https URLs",
            ),
            (
                "path = \"roots\"\nrefuses = [\"create\"]\ndocs = [\"http://x\"]".to_owned(),
                "https URLs",
            ),
            (format!("path = \"roots\"\n{docs}"), "restricts nothing"),
            (
                format!("path = \"roots/resources/parent\"\nrefuses = [\"create\"]\n{docs}"),
                "single entity",
            ),
            (
                format!(
                    "path = \"roots\"\nrefuses = [\"create\"]\n{docs}\n[[restrict]]\npath = \"/roots/\"\nrefuses = [\"delete\"]\n{docs}"
                ),
                "a second entry",
            ),
        ] {
            let toml = format!(
                "[[bind]]\npath = \"roots\"\nexclude = [\"other\"]\n[[restrict]]\n{entry}\n"
            );
            let errors = match SelectionConfig::from_toml(&toml) {
                Err(e) => vec![e],
                Ok(config) => select(&model, &config).unwrap_err(),
            };
            assert!(
                errors.iter().any(|e| e.message.contains(says)),
                "{entry}: {errors:?}"
            );
        }
    }

    #[test]
    fn binds_of_disabled_features_are_left_out() {
        let config = SelectionConfig::from_toml(
            "[[bind]]\npath = \"roots\"\nfeature = \"old\"\n\
             [[restrict]]\npath = \"roots\"\nrefuses = [\"create\"]\ndocs = [\"https://x\"]\n",
        )
        .unwrap();
        assert_eq!(config.features().into_iter().collect::<Vec<_>>(), ["old"]);
        let off = config.with_features(&BTreeSet::new());
        assert!(off.binds.is_empty() && off.restrict.is_empty());
        let on = config.with_features(&BTreeSet::from(["old".to_owned()]));
        assert_eq!(on, config);
    }

    #[test]
    fn unresolved_types_in_the_selection_are_errors() {
        let text = SCHEMA.replace(
            "<Property Name=\"state\" Type=\"graph.state\"/>",
            "<Property Name=\"state\" Type=\"graph.missing\"/>",
        );
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let config = SelectionConfig::from_toml("[[bind]]\npath = \"roots\"\n").unwrap();
        let errors = select(&model, &config).unwrap_err();
        assert!(errors[0].message.contains("graph.missing"), "{errors:?}");
        // Outside the selection, the same defect does not stop generation.
        let text = SCHEMA.replace(
            "<EntityType Name=\"unrelated\" BaseType=\"graph.entity\"/>",
            "<EntityType Name=\"unrelated\" BaseType=\"graph.entity\"><Property Name=\"x\" Type=\"graph.missing\"/></EntityType>",
        );
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let config =
            SelectionConfig::from_toml("[[bind]]\npath = \"roots\"\nexclude = [\"other\"]\n")
                .unwrap();
        assert!(select(&model, &config).is_ok());
    }
}
