//! Keeping the pin in sync with the beta schema: trimming an upstream `$metadata` document to
//! what the selection needs, and the lock file that records where the pin came from.
//!
//! [`trim`] is a pure function from (raw document, model, selection) to a smaller raw
//! document; `csdl::write_document` turns it into normalized text. The result is a valid CSDL
//! document that reads back to the same selection closure:
//! - fully selected types, selected operations and their annotations are kept whole;
//! - reference-only types keep their key (declared directly, so their base hierarchy can go)
//!   and only the navigation properties the path API walks through;
//! - the container keeps the children that bound paths start from;
//! - external `Annotations` are kept when their target is kept; terms are dropped unless a
//!   kept annotation uses them (Graph's own terms are for other workloads).
//!
//! Everything is in document order of the upstream file, so the same input gives the same
//! bytes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::csdl::{self, Document, Str, StructuredKind};
use crate::model::{Model, TypeId};
use crate::select::Selection;

/// Builds the trimmed document.
pub fn trim<'a>(doc: &Document<'a>, model: &Model<'a>, sel: &Selection) -> Document<'a> {
    let kept_ops: BTreeSet<(String, Option<String>)> = sel
        .operations
        .iter()
        .map(|op| {
            let o = model.operation(*op);
            (
                o.qualified.clone(),
                o.binding.as_ref().map(|b| model.type_ref_name(b)),
            )
        })
        .collect();
    let kept_children: BTreeSet<&str> = sel
        .bound
        .iter()
        .filter_map(|b| b.segments.first().map(|s| s.name.as_str()))
        .collect();

    let mut out = Document {
        version: doc.version.clone(),
        references: doc.references.clone(),
        schemas: Vec::new(),
        line_index: Default::default(),
    };
    let mut used_terms: BTreeSet<String> = BTreeSet::new();

    for s in &doc.schemas {
        let ns = s.namespace.as_ref();
        let lookup = |name: &str| model.type_id(&format!("{ns}.{name}"));
        let mut schema = csdl::Schema {
            namespace: s.namespace.clone(),
            alias: s.alias.clone(),
            pos: s.pos,
            ..csdl::Schema::default()
        };
        for (raw_list, out_list) in [
            (&s.entity_types, &mut schema.entity_types),
            (&s.complex_types, &mut schema.complex_types),
        ] {
            for t in raw_list {
                let Some(id) = lookup(&t.name) else { continue };
                if sel.is_full(id) {
                    out_list.push(t.clone());
                } else if sel.reference_only.contains_key(&id) {
                    out_list.push(reference_type(model, sel, id, t));
                }
            }
        }
        for t in &s.enum_types {
            if lookup(&t.name).is_some_and(|id| sel.is_full(id)) {
                schema.enum_types.push(t.clone());
            }
        }
        for t in &s.type_definitions {
            if lookup(&t.name).is_some_and(|id| sel.is_full(id)) {
                schema.type_definitions.push(t.clone());
            }
        }
        for (raw_list, out_list) in [
            (&s.actions, &mut schema.actions),
            (&s.functions, &mut schema.functions),
        ] {
            for op in raw_list {
                let qualified = format!("{ns}.{}", op.name);
                let binding = if op.is_bound {
                    op.parameters
                        .first()
                        .map(|p| model.normalize_name(&p.type_name))
                } else {
                    None
                };
                if kept_ops.contains(&(qualified, binding)) {
                    out_list.push(op.clone());
                }
            }
        }
        for c in &s.entity_containers {
            let mut container = csdl::EntityContainer {
                name: c.name.clone(),
                extends: c.extends.clone(),
                annotations: c.annotations.clone(),
                pos: c.pos,
                ..csdl::EntityContainer::default()
            };
            let target_kept = |b: &csdl::NavigationPropertyBinding<'_>| {
                let target = b.target.rsplit('/').next().unwrap_or(&b.target);
                kept_children.contains(target)
            };
            for set in &c.entity_sets {
                if kept_children.contains(set.name.as_ref()) {
                    let mut set = set.clone();
                    set.navigation_bindings.retain(target_kept);
                    container.entity_sets.push(set);
                }
            }
            for single in &c.singletons {
                if kept_children.contains(single.name.as_ref()) {
                    let mut single = single.clone();
                    single.navigation_bindings.retain(target_kept);
                    container.singletons.push(single);
                }
            }
            schema.entity_containers.push(container);
        }
        schema.annotations = s.annotations.clone();
        for group in &s.annotation_groups {
            if target_kept(model, sel, &kept_ops, &kept_children, &group.target) {
                schema.annotation_groups.push(group.clone());
            }
        }
        out.schemas.push(schema);
    }

    // Terms: only those used by kept annotations.
    for s in &out.schemas {
        collect_terms(s, model, &mut used_terms);
    }
    for (s, raw) in out.schemas.iter_mut().zip(&doc.schemas) {
        let ns = raw.namespace.as_ref();
        s.terms = raw
            .terms
            .iter()
            .filter(|t| used_terms.contains(&format!("{ns}.{}", t.name)))
            .cloned()
            .collect();
    }
    out.schemas.retain(|s| {
        !(s.entity_types.is_empty()
            && s.complex_types.is_empty()
            && s.enum_types.is_empty()
            && s.type_definitions.is_empty()
            && s.actions.is_empty()
            && s.functions.is_empty()
            && s.terms.is_empty()
            && s.entity_containers.is_empty()
            && s.annotation_groups.is_empty())
    });
    out
}

/// A reference-only type: key declared directly, plus the navigation hops of bound paths.
fn reference_type<'a>(
    model: &Model<'a>,
    sel: &Selection,
    id: TypeId,
    raw: &csdl::StructuredType<'a>,
) -> csdl::StructuredType<'a> {
    let key_names = model.key(id);
    let mut properties = Vec::new();
    for name in &key_names {
        if let Some((_, p)) = model
            .all_properties(id)
            .into_iter()
            .find(|(_, p)| p.name() == *name)
        {
            properties.push(csdl::Property {
                name: Str::Owned(p.name().to_owned()),
                type_name: Str::Owned(p.raw.type_name.to_string()),
                facets: p.raw.facets.clone(),
                annotations: Vec::new(),
                pos: p.raw.pos,
            });
        }
    }
    let hops: Vec<&str> = sel
        .addressable
        .get(&id)
        .map(|e| e.iter().map(|(n, _, _)| n.as_str()).collect())
        .unwrap_or_default();
    let navigation_properties = model
        .all_navigation(id)
        .into_iter()
        .filter(|(_, n)| hops.contains(&n.name()))
        .map(|(_, n)| {
            let mut n = n.raw.clone();
            n.type_name = Str::Owned(model.normalize_name(&n.type_name));
            n.annotations.clear();
            n
        })
        .collect();
    csdl::StructuredType {
        kind: StructuredKind::Entity,
        name: raw.name.clone(),
        base_type: None,
        is_abstract: false,
        open_type: raw.open_type,
        has_stream: false,
        key: (!key_names.is_empty()).then(|| {
            key_names
                .iter()
                .map(|k| csdl::PropertyRef {
                    name: Str::Owned((*k).to_owned()),
                    alias: None,
                    pos: raw.pos,
                })
                .collect()
        }),
        properties,
        navigation_properties,
        annotations: Vec::new(),
        pos: raw.pos,
    }
}

/// True when an external annotation target refers to something the pin keeps.
fn target_kept(
    model: &Model<'_>,
    sel: &Selection,
    kept_ops: &BTreeSet<(String, Option<String>)>,
    kept_children: &BTreeSet<&str>,
    target: &str,
) -> bool {
    let target = model.normalize_name(target);
    let head_end = target.find(['/', '(']).unwrap_or(target.len());
    let (head, rest) = target.split_at(head_end);
    if let Some(id) = model.type_id(head) {
        if sel.is_full(id) {
            return true;
        }
        // A reference-only type keeps no annotations but those on its hops.
        return false;
    }
    if model.container_name.as_deref() == Some(head) {
        let child = rest.trim_start_matches('/').split('/').next().unwrap_or("");
        return child.is_empty() || kept_children.contains(child);
    }
    // An operation: kept when any overload with that name is kept and the signature, if
    // given, names the kept binding type.
    kept_ops.iter().any(|(q, binding)| {
        q == head
            && match (rest.strip_prefix('('), binding) {
                (None, _) => true,
                (Some(sig), Some(b)) => sig.split([',', ')']).next() == Some(b.as_str()),
                (Some(sig), None) => sig.starts_with(')'),
            }
    })
}

fn collect_terms(s: &csdl::Schema<'_>, model: &Model<'_>, used: &mut BTreeSet<String>) {
    fn walk(list: &[csdl::Annotation<'_>], model: &Model<'_>, used: &mut BTreeSet<String>) {
        for a in list {
            used.insert(model.normalize_name(&a.term));
            walk(&a.annotations, model, used);
        }
    }
    walk(&s.annotations, model, used);
    for t in s.entity_types.iter().chain(&s.complex_types) {
        walk(&t.annotations, model, used);
        for p in &t.properties {
            walk(&p.annotations, model, used);
        }
        for p in &t.navigation_properties {
            walk(&p.annotations, model, used);
        }
    }
    for t in &s.enum_types {
        walk(&t.annotations, model, used);
        for m in &t.members {
            walk(&m.annotations, model, used);
        }
    }
    for o in s.actions.iter().chain(&s.functions) {
        walk(&o.annotations, model, used);
        for p in &o.parameters {
            walk(&p.annotations, model, used);
        }
    }
    for g in &s.annotation_groups {
        walk(&g.annotations, model, used);
    }
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The lock file next to the pin: where it came from and what it hashes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The upstream document the pin was trimmed from.
    pub upstream: Upstream,
    /// The pin itself.
    pub pin: PinInfo,
}

/// The upstream half of the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// File name of the upstream `$metadata` document (no directories: machines differ).
    pub source: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The date the upstream document was published (from `--date`, else the file name).
    pub date: Option<String>,
}

/// The pin half of the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinInfo {
    /// File name of the pin, relative to the lock.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// SHA-256 of the selection file it was trimmed for.
    pub selection_sha256: String,
}

impl Lock {
    /// The TOML text of the lock, with a header saying how to regenerate it.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# Written by `pim-codegen sync`; do not edit. Records where the pin came from.\n{body}"
        )
    }

    /// Parses a lock file.
    pub fn from_toml(text: &str) -> Result<Lock, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

/// A `YYYY-MM-DD` date found in a file name, if any.
pub fn date_in_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = &b[i..i + 10];
        let digits = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
        (digits(0..4) && s[4] == b'-' && digits(5..7) && s[7] == b'-' && digits(8..10))
            .then(|| String::from_utf8_lossy(s).into_owned())
    })
}

/// Everything `sync` produces, before it is written to disk.
#[derive(Debug, Clone)]
pub struct SyncOutput {
    /// The trimmed, normalized CSDL text.
    pub pin: String,
    /// The lock.
    pub lock: Lock,
    /// The selection explanation for the pin (for the report).
    pub explanation: String,
}

/// Trims `upstream` for `selection_toml` and builds the lock. Pure: no I/O.
pub fn sync(
    upstream: &[u8],
    upstream_name: &str,
    date: Option<String>,
    selection_toml: &str,
    pin_file: &str,
) -> Result<SyncOutput, Vec<crate::diag::Diagnostic>> {
    let parsed = csdl::parse_bytes(upstream, csdl::ReadOptions::default());
    if crate::diag::has_errors(&parsed.diagnostics) {
        return Err(parsed.diagnostics);
    }
    let model = crate::model::resolve(&parsed.document, upstream);
    let config = crate::select::SelectionConfig::from_toml(selection_toml).map_err(|d| vec![d])?;
    let sel = crate::select::select(&model, &config)?;
    let trimmed = trim(&parsed.document, &model, &sel);
    let pin = csdl::write_document(&trimmed);
    let explanation = sel.explain(&model);
    let lock = Lock {
        upstream: Upstream {
            source: upstream_name.to_owned(),
            sha256: sha256_hex(upstream),
            size: upstream.len() as u64,
            date: date.or_else(|| date_in_name(upstream_name)),
        },
        pin: PinInfo {
            file: pin_file.to_owned(),
            sha256: sha256_hex(pin.as_bytes()),
            selection_sha256: sha256_hex(selection_toml.as_bytes()),
        },
    };
    Ok(SyncOutput {
        pin,
        lock,
        explanation,
    })
}

/// What `check` found wrong with a pin, one sentence each.
pub fn check_pin(pin: &[u8], lock: &Lock, selection_toml: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let sha = sha256_hex(pin);
    if sha != lock.pin.sha256 {
        problems.push(format!(
            "the pin's SHA-256 is {sha}, the lock says {}: it was edited by hand or the lock is stale; run `pim-codegen sync`",
            lock.pin.sha256
        ));
    }
    let sel_sha = sha256_hex(selection_toml.as_bytes());
    if sel_sha != lock.pin.selection_sha256 {
        problems.push(format!(
            "the selection file changed since the pin was written (SHA-256 {sel_sha}, lock says {}); run `pim-codegen sync`",
            lock.pin.selection_sha256
        ));
    }
    let parsed = csdl::parse_bytes(pin, csdl::ReadOptions::default());
    for d in parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
    {
        problems.push(format!("the pin does not parse: {d}"));
    }
    let model = crate::model::resolve(&parsed.document, pin);
    for d in model
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
    {
        problems.push(format!("the pin does not resolve: {d}"));
    }
    match crate::select::SelectionConfig::from_toml(selection_toml) {
        Ok(config) => {
            if let Err(errors) = crate::select::select(&model, &config) {
                for d in errors {
                    problems.push(format!("the selection does not hold on the pin: {d}"));
                }
            }
        }
        Err(d) => problems.push(format!("the selection file is malformed: {d}")),
    }
    problems
}

/// Reads the structural kinds of the kept types, for tests and reports.
pub fn kept_type_names(doc: &Document<'_>) -> Vec<String> {
    let mut names = Vec::new();
    for s in &doc.schemas {
        for t in s.entity_types.iter().chain(&s.complex_types) {
            names.push(format!("{}.{}", s.namespace, t.name));
        }
        for t in &s.enum_types {
            names.push(format!("{}.{}", s.namespace, t.name));
        }
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::{SelectionConfig, select};

    const UPSTREAM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices><Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="directoryObject" BaseType="graph.entity"><Property Name="deletedDateTime" Type="Edm.DateTimeOffset"/></EntityType>
<EntityType Name="user" BaseType="graph.directoryObject"><Property Name="mail" Type="Edm.String"/><NavigationProperty Name="manager" Type="graph.directoryObject"/></EntityType>
<EntityType Name="root" BaseType="graph.entity"><NavigationProperty Name="things" Type="Collection(graph.thing)" ContainsTarget="true"/><NavigationProperty Name="unrelated" Type="Collection(graph.user)" ContainsTarget="true"/></EntityType>
<EntityType Name="thing" BaseType="graph.entity"><Property Name="state" Type="graph.state"/><NavigationProperty Name="owner" Type="graph.user"/></EntityType>
<EntityType Name="noise" BaseType="graph.entity"/>
<EnumType Name="state"><Member Name="on" Value="0"/><Member Name="off" Value="1"/></EnumType>
<Action Name="cancel" IsBound="true"><Parameter Name="bindingParameter" Type="graph.thing"/></Action>
<Action Name="cancel" IsBound="true"><Parameter Name="bindingParameter" Type="graph.noise"/></Action>
<Term Name="unused" Type="Edm.String"/>
<EntityContainer Name="GraphService">
  <Singleton Name="top" Type="graph.root"><NavigationPropertyBinding Path="things/owner" Target="users"/></Singleton>
  <EntitySet Name="users" EntityType="graph.user"/>
  <EntitySet Name="noises" EntityType="graph.noise"/>
</EntityContainer>
<Annotations Target="graph.thing/state"><Annotation Term="Org.OData.Core.V1.Computed"/></Annotations>
<Annotations Target="graph.noise"><Annotation Term="Org.OData.Core.V1.Description" String="gone"/></Annotations>
<Annotations Target="graph.cancel(graph.thing)"><Annotation Term="Org.OData.Core.V1.Description" String="Cancels."/></Annotations>
</Schema></edmx:DataServices></edmx:Edmx>"#;

    const SELECTION: &str = "[[bind]]\npath = \"top/things\"\n";

    fn closure(text: &str) -> String {
        let parsed = csdl::parse(text, csdl::ReadOptions::default());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let model = crate::model::resolve(&parsed.document, text.as_bytes());
        assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
        let config = SelectionConfig::from_toml(SELECTION).unwrap();
        select(&model, &config).unwrap().explain(&model)
    }

    #[test]
    fn pin_reads_back_to_the_same_closure() {
        let out = sync(
            UPSTREAM.as_bytes(),
            "beta-2026-08-04.csdl",
            None,
            SELECTION,
            "pim-beta.csdl",
        )
        .unwrap();
        assert_eq!(closure(&out.pin), closure(UPSTREAM));
        // Trimmed: unrelated types, the unused term, the other overload and its annotations
        // are gone; the kept overload's annotation stays.
        assert!(!out.pin.contains("noise"), "{}", out.pin);
        assert!(!out.pin.contains("unused"));
        assert!(out.pin.contains("Cancels."));
        assert!(out.pin.contains("Org.OData.Core.V1.Computed"));
        // Reference-only `user` keeps its key, not its hierarchy or properties.
        assert!(!out.pin.contains("mail"));
        assert!(!out.pin.contains("deletedDateTime"));
        // The binding to a dropped entity set is dropped with it.
        assert!(!out.pin.contains("NavigationPropertyBinding"));
        assert_eq!(out.lock.upstream.date.as_deref(), Some("2026-08-04"));
        assert_eq!(out.lock.pin.sha256, sha256_hex(out.pin.as_bytes()));
    }

    #[test]
    fn sync_is_byte_for_byte_deterministic() {
        let a = sync(
            UPSTREAM.as_bytes(),
            "u.xml",
            Some("2026-01-01".into()),
            SELECTION,
            "p.csdl",
        )
        .unwrap();
        let b = sync(
            UPSTREAM.as_bytes(),
            "u.xml",
            Some("2026-01-01".into()),
            SELECTION,
            "p.csdl",
        )
        .unwrap();
        assert_eq!(a.pin, b.pin);
        assert_eq!(a.lock.to_toml(), b.lock.to_toml());
        // Syncing the pin itself changes nothing.
        let again = sync(a.pin.as_bytes(), "u.xml", None, SELECTION, "p.csdl").unwrap();
        assert_eq!(again.pin, a.pin);
    }

    #[test]
    fn lock_round_trips_and_check_finds_drift() {
        let out = sync(UPSTREAM.as_bytes(), "u.xml", None, SELECTION, "p.csdl").unwrap();
        let lock = Lock::from_toml(&out.lock.to_toml()).unwrap();
        assert_eq!(lock, out.lock);
        assert!(check_pin(out.pin.as_bytes(), &lock, SELECTION).is_empty());
        let edited = out.pin.replace("Cancels.", "Cancels!");
        let problems = check_pin(edited.as_bytes(), &lock, SELECTION);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("SHA-256"));
        let problems = check_pin(out.pin.as_bytes(), &lock, "[[bind]]\npath = \"top\"\n");
        assert!(
            problems[0].contains("selection file changed"),
            "{problems:?}"
        );
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_in_name("beta-2025-11-05.csdl").as_deref(),
            Some("2025-11-05")
        );
        assert_eq!(date_in_name("metadata.xml"), None);
        assert_eq!(date_in_name("2025-1"), None);
    }
}
