//! Comparing two schemas within the selection, classified by what the change does to the
//! generated Rust API.
//!
//! Both schemas are resolved and selected with the same selection file; bound paths that do
//! not resolve in one of them are reported as added or removed instead of failing. Types,
//! members and operations are matched by qualified name (operations by name and binding
//! type), so the report is independent of document order.
//!
//! Classification, from the point of view of code using pim-api:
//! - removals, type changes, nullability changes (they change required constructor
//!   arguments), base-type changes, new required operation parameters: **breaking**;
//! - additions (structs and enums are `#[non_exhaustive]`, enums are open), deprecations
//!   added or lifted: **additive**.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::csdl::{self, OperationKind};
use crate::diag::Diagnostic;
use crate::model::{Model, TypeDefKind, TypeId, vocab::Core};
use crate::select::{Selection, SelectionConfig, select};

/// Whether a change breaks code written against the old bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Code written against the old bindings may stop compiling or behave differently.
    Breaking,
    /// Code written against the old bindings keeps working.
    Additive,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Breaking or additive.
    pub impact: Impact,
    /// Stable kind (`type-added`, `property-removed`, `deprecated`, ...).
    pub kind: &'static str,
    /// What changed: a qualified name, `Type/member`, or a path.
    pub subject: String,
    /// Details for humans.
    pub detail: String,
}

/// The result of a comparison.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffReport {
    /// Every change, breaking first, then by subject.
    pub changes: Vec<Change>,
    /// Number of breaking changes.
    pub breaking: usize,
    /// Number of additive changes.
    pub additive: usize,
}

impl DiffReport {
    /// Human-readable text, one change per line and a summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let impact = match c.impact {
                Impact::Breaking => "breaking",
                Impact::Additive => "additive",
            };
            out.push_str(&format!("{impact:<9} {:<22} {}", c.kind, c.subject));
            if !c.detail.is_empty() {
                out.push_str(&format!(": {}", c.detail));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "{} changes: {} breaking, {} additive\n",
            self.changes.len(),
            self.breaking,
            self.additive
        ));
        out
    }

    /// True when any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.breaking > 0
    }
}

/// One side of the comparison.
struct Side<'m, 'a> {
    model: &'m Model<'a>,
    selection: Selection,
    paths: BTreeSet<String>,
}

impl<'m, 'a> Side<'m, 'a> {
    fn new(model: &'m Model<'a>, config: &SelectionConfig) -> Side<'m, 'a> {
        // Select bind by bind, keeping those that resolve, then all of them together.
        let resolvable: Vec<_> = config
            .binds
            .iter()
            .filter(|b| {
                let one = SelectionConfig {
                    binds: vec![(*b).clone()],
                    ..SelectionConfig::default()
                };
                select(model, &one).is_ok()
            })
            .cloned()
            .collect();
        let paths = resolvable.iter().map(|b| b.path.clone()).collect();
        // `[[server_set]]` entries change no closure, and one may name a property only one
        // side has: the comparison leaves them out.
        let only_binds = SelectionConfig {
            binds: resolvable,
            ..SelectionConfig::default()
        };
        let selection = select(model, &only_binds).unwrap_or_default();
        Side {
            model,
            selection,
            paths,
        }
    }

    fn full_types(&self) -> BTreeMap<String, TypeId> {
        self.selection
            .types
            .keys()
            .map(|id| (self.model.ty(*id).qualified.clone(), *id))
            .collect()
    }

    fn operations(&self) -> BTreeMap<(String, String), crate::model::OperationId> {
        self.selection
            .operations
            .iter()
            .map(|op| {
                let o = self.model.operation(*op);
                let binding = o
                    .binding
                    .as_ref()
                    .map(|b| self.model.type_ref_name(b))
                    .unwrap_or_default();
                ((o.qualified.clone(), binding), *op)
            })
            .collect()
    }

    fn deprecation(&self, target: &str) -> Option<String> {
        let core = Core::from_annotations(self.model.annotations_on(target));
        core.deprecation().map(|r| {
            let mut s = r.description.clone().unwrap_or_default();
            if let Some(d) = &r.date {
                s.push_str(&format!(" (since {d}"));
                if let Some(rd) = &r.removal_date {
                    s.push_str(&format!(", removal {rd}"));
                }
                s.push(')');
            }
            s.trim().to_owned()
        })
    }
}

/// Compares `old` and `new` (CSDL bytes) within the selection.
pub fn diff(old: &[u8], new: &[u8], selection_toml: &str) -> Result<DiffReport, Vec<Diagnostic>> {
    let config = SelectionConfig::from_toml(selection_toml).map_err(|d| vec![d])?;
    let old_parsed = csdl::parse_bytes(old, csdl::ReadOptions::default());
    let new_parsed = csdl::parse_bytes(new, csdl::ReadOptions::default());
    for p in [&old_parsed, &new_parsed] {
        if crate::diag::has_errors(&p.diagnostics) {
            return Err(p.diagnostics.clone());
        }
    }
    let old_model = crate::model::resolve(&old_parsed.document, old);
    let new_model = crate::model::resolve(&new_parsed.document, new);
    let old_side = Side::new(&old_model, &config);
    let new_side = Side::new(&new_model, &config);
    Ok(compare(&old_side, &new_side))
}

fn compare(old: &Side<'_, '_>, new: &Side<'_, '_>) -> DiffReport {
    let mut changes = Vec::new();
    let mut push = |impact, kind, subject: String, detail: String| {
        changes.push(Change {
            impact,
            kind,
            subject,
            detail,
        })
    };

    for p in new.paths.difference(&old.paths) {
        push(
            Impact::Additive,
            "path-added",
            format!("/{p}"),
            String::new(),
        );
    }
    for p in old.paths.difference(&new.paths) {
        push(
            Impact::Breaking,
            "path-removed",
            format!("/{p}"),
            String::new(),
        );
    }

    let old_types = old.full_types();
    let new_types = new.full_types();
    for (name, id) in &new_types {
        if !old_types.contains_key(name) {
            let reason = &new.selection.types[id];
            push(
                Impact::Additive,
                "type-added",
                name.clone(),
                reason.to_string(),
            );
        }
    }
    for name in old_types.keys() {
        if !new_types.contains_key(name) {
            push(
                Impact::Breaking,
                "type-removed",
                name.clone(),
                String::new(),
            );
        }
    }
    for (name, &new_id) in &new_types {
        let Some(&old_id) = old_types.get(name) else {
            continue;
        };
        let (om, nm) = (old.model, new.model);
        // Deprecation of the type.
        match (old.deprecation(name), new.deprecation(name)) {
            (None, Some(d)) => push(Impact::Additive, "deprecated", name.clone(), d),
            (Some(_), None) => push(
                Impact::Additive,
                "undeprecated",
                name.clone(),
                String::new(),
            ),
            _ => {}
        }
        match (&om.ty(old_id).kind, &nm.ty(new_id).kind) {
            (TypeDefKind::Structured(os), TypeDefKind::Structured(ns)) => {
                let base = |m: &Model<'_>, b: Option<TypeId>| b.map(|b| m.ty(b).qualified.clone());
                let (ob, nb) = (base(om, os.base), base(nm, ns.base));
                if ob != nb {
                    push(
                        Impact::Breaking,
                        "base-type-changed",
                        name.clone(),
                        format!("{} → {}", ob.unwrap_or_default(), nb.unwrap_or_default()),
                    );
                }
                let props = |m: &Model<'_>, id| -> BTreeMap<String, (String, bool)> {
                    m.all_properties(id)
                        .into_iter()
                        .map(|(_, p)| (p.name().to_owned(), (m.type_ref_name(&p.ty), p.nullable)))
                        .collect()
                };
                compare_members(
                    &mut push,
                    name,
                    "property",
                    &props(om, old_id),
                    &props(nm, new_id),
                );
                let navs = |m: &Model<'_>, id| -> BTreeMap<String, (String, bool)> {
                    m.all_navigation(id)
                        .into_iter()
                        .map(|(_, p)| (p.name().to_owned(), (m.type_ref_name(&p.ty), p.nullable)))
                        .collect()
                };
                compare_members(
                    &mut push,
                    name,
                    "navigation",
                    &navs(om, old_id),
                    &navs(nm, new_id),
                );
                // Deprecation of members present on both sides.
                for (_, p) in nm.all_properties(new_id) {
                    let member = format!("{name}/{}", p.name());
                    if om
                        .all_properties(old_id)
                        .iter()
                        .any(|(_, q)| q.name() == p.name())
                    {
                        match (old.deprecation(&member), new.deprecation(&member)) {
                            (None, Some(d)) => push(Impact::Additive, "deprecated", member, d),
                            (Some(_), None) => {
                                push(Impact::Additive, "undeprecated", member, String::new())
                            }
                            _ => {}
                        }
                    }
                }
            }
            (TypeDefKind::Enum(oe), TypeDefKind::Enum(ne)) => {
                let om: BTreeSet<&str> = oe.members.iter().map(|(n, _)| *n).collect();
                let nm: BTreeSet<&str> = ne.members.iter().map(|(n, _)| *n).collect();
                for m in nm.difference(&om) {
                    push(
                        Impact::Additive,
                        "enum-member-added",
                        format!("{name}/{m}"),
                        String::new(),
                    );
                }
                for m in om.difference(&nm) {
                    push(
                        Impact::Breaking,
                        "enum-member-removed",
                        format!("{name}/{m}"),
                        String::new(),
                    );
                }
                if oe.raw.is_flags != ne.raw.is_flags {
                    push(
                        Impact::Breaking,
                        "enum-flags-changed",
                        name.clone(),
                        format!("IsFlags {} → {}", oe.raw.is_flags, ne.raw.is_flags),
                    );
                }
            }
            (TypeDefKind::Definition(od), TypeDefKind::Definition(nd)) => {
                if od.underlying != nd.underlying {
                    push(
                        Impact::Breaking,
                        "type-changed",
                        name.clone(),
                        format!(
                            "{} → {}",
                            od.underlying.edm_name(),
                            nd.underlying.edm_name()
                        ),
                    );
                }
            }
            _ => push(
                Impact::Breaking,
                "type-kind-changed",
                name.clone(),
                String::new(),
            ),
        }
    }

    // Operations.
    let old_ops = old.operations();
    let new_ops = new.operations();
    for ((q, binding), id) in &new_ops {
        let subject = format!("{q} on {binding}");
        let Some(old_id) = old_ops.get(&(q.clone(), binding.clone())) else {
            let kind = match new.model.operation(*id).kind() {
                OperationKind::Action => "action-added",
                OperationKind::Function => "function-added",
            };
            push(Impact::Additive, kind, subject, String::new());
            continue;
        };
        let (oo, no) = (old.model.operation(*old_id), new.model.operation(*id));
        let params = |m: &Model<'_>,
                      o: &crate::model::OperationDef<'_>|
         -> BTreeMap<String, (String, bool)> {
            o.parameters
                .iter()
                .skip(usize::from(o.binding.is_some()))
                .map(|(p, t)| {
                    (
                        p.name.to_string(),
                        (m.type_ref_name(t), p.facets.nullable.unwrap_or(true)),
                    )
                })
                .collect()
        };
        let (op_, np_) = (params(old.model, oo), params(new.model, no));
        let optional: BTreeSet<String> = no
            .parameters
            .iter()
            .filter(|(p, _)| {
                Core::from_annotations(&p.annotations.iter().collect::<Vec<_>>()).optional_parameter
            })
            .map(|(p, _)| p.name.to_string())
            .collect();
        for (p, (t, _)) in &np_ {
            if !op_.contains_key(p) {
                let impact = if optional.contains(p) {
                    Impact::Additive
                } else {
                    Impact::Breaking
                };
                push(
                    impact,
                    "parameter-added",
                    format!("{subject}/{p}"),
                    t.clone(),
                );
            }
        }
        for (p, (t, _)) in &op_ {
            match np_.get(p) {
                None => push(
                    Impact::Breaking,
                    "parameter-removed",
                    format!("{subject}/{p}"),
                    String::new(),
                ),
                Some((nt, _)) if nt != t => push(
                    Impact::Breaking,
                    "parameter-type-changed",
                    format!("{subject}/{p}"),
                    format!("{t} → {nt}"),
                ),
                _ => {}
            }
        }
        let ret = |m: &Model<'_>, o: &crate::model::OperationDef<'_>| {
            o.return_type.as_ref().map(|t| m.type_ref_name(t))
        };
        let (or, nr) = (ret(old.model, oo), ret(new.model, no));
        if or != nr {
            push(
                Impact::Breaking,
                "return-type-changed",
                subject.clone(),
                format!("{} → {}", or.unwrap_or_default(), nr.unwrap_or_default()),
            );
        }
    }
    for (q, binding) in old_ops.keys() {
        if !new_ops.contains_key(&(q.clone(), binding.clone())) {
            push(
                Impact::Breaking,
                "operation-removed",
                format!("{q} on {binding}"),
                String::new(),
            );
        }
    }

    changes.sort();
    changes.dedup();
    let breaking = changes
        .iter()
        .filter(|c| c.impact == Impact::Breaking)
        .count();
    DiffReport {
        additive: changes.len() - breaking,
        breaking,
        changes,
    }
}

/// Compares members (`name → (type, nullable)`) of a type present on both sides.
fn compare_members(
    push: &mut impl FnMut(Impact, &'static str, String, String),
    owner: &str,
    what: &str,
    old: &BTreeMap<String, (String, bool)>,
    new: &BTreeMap<String, (String, bool)>,
) {
    let (added, removed, type_changed, null_changed) = match what {
        "property" => (
            "property-added",
            "property-removed",
            "property-type-changed",
            "nullability-changed",
        ),
        _ => (
            "navigation-added",
            "navigation-removed",
            "navigation-type-changed",
            "nullability-changed",
        ),
    };
    for (name, (t, nullable)) in new {
        match old.get(name) {
            None => push(
                Impact::Additive,
                added,
                format!("{owner}/{name}"),
                format!("{t}{}", if *nullable { "" } else { ", not nullable" }),
            ),
            Some((ot, onull)) => {
                if ot != t {
                    push(
                        Impact::Breaking,
                        type_changed,
                        format!("{owner}/{name}"),
                        format!("{ot} → {t}"),
                    );
                }
                if onull != nullable {
                    push(
                        Impact::Breaking,
                        null_changed,
                        format!("{owner}/{name}"),
                        format!("Nullable {onull} → {nullable}"),
                    );
                }
            }
        }
    }
    for name in old.keys() {
        if !new.contains_key(name) {
            push(
                Impact::Breaking,
                removed,
                format!("{owner}/{name}"),
                String::new(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(extra_prop: &str, enum_members: &str, deprecated: bool) -> String {
        let dep = if deprecated {
            r#"<Annotations Target="microsoft.graph.thing"><Annotation Term="Org.OData.Core.V1.Revisions"><Collection><Record>
<PropertyValue Property="Date" Date="2026-01-01"/><PropertyValue Property="RemovalDate" Date="2027-01-01"/>
<PropertyValue Property="Kind"><EnumMember>Org.OData.Core.V1.RevisionKind/Deprecated</EnumMember></PropertyValue>
<PropertyValue Property="Description" String="Use other instead."/></Record></Collection></Annotation></Annotations>"#
        } else {
            ""
        };
        format!(
            r#"<edmx:Edmx Version="4.0" xmlns:edmx="x"><edmx:DataServices><Schema Namespace="microsoft.graph" Alias="graph">
<EntityType Name="thing"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/>{extra_prop}<Property Name="state" Type="graph.state"/></EntityType>
<EnumType Name="state">{enum_members}</EnumType>
<EntityContainer Name="GraphService"><EntitySet Name="things" EntityType="graph.thing"/></EntityContainer>
{dep}
</Schema></edmx:DataServices></edmx:Edmx>"#
        )
    }

    const SELECTION: &str = "[[bind]]\npath = \"things\"\n[[bind]]\npath = \"others\"\n";

    #[test]
    fn classifies_additions_removals_and_deprecations() {
        let old = schema(
            r#"<Property Name="gone" Type="Edm.Int32"/>"#,
            r#"<Member Name="a" Value="0"/>"#,
            false,
        );
        let new = schema(
            r#"<Property Name="fresh" Type="Edm.String"/>"#,
            r#"<Member Name="a" Value="0"/><Member Name="b" Value="1"/>"#,
            true,
        );
        let report = diff(old.as_bytes(), new.as_bytes(), SELECTION).unwrap();
        let kinds: Vec<_> = report
            .changes
            .iter()
            .map(|c| (c.impact, c.kind, c.subject.as_str()))
            .collect();
        assert!(kinds.contains(&(
            Impact::Breaking,
            "property-removed",
            "microsoft.graph.thing/gone"
        )));
        assert!(kinds.contains(&(
            Impact::Additive,
            "property-added",
            "microsoft.graph.thing/fresh"
        )));
        assert!(kinds.contains(&(
            Impact::Additive,
            "enum-member-added",
            "microsoft.graph.state/b"
        )));
        assert!(kinds.contains(&(Impact::Additive, "deprecated", "microsoft.graph.thing")));
        assert_eq!(report.breaking, 1);
        assert!(report.has_breaking());
        let dep = report
            .changes
            .iter()
            .find(|c| c.kind == "deprecated")
            .unwrap();
        assert!(dep.detail.contains("2027-01-01"), "{}", dep.detail);
        // The unresolvable path is ignored on both sides, not an error.
        assert!(!kinds.iter().any(|(_, k, _)| *k == "path-added"));
        // Same input: no changes.
        let same = diff(new.as_bytes(), new.as_bytes(), SELECTION).unwrap();
        assert!(same.changes.is_empty(), "{}", same.to_text());
        assert!(report.to_text().contains("1 breaking"));
    }
}
