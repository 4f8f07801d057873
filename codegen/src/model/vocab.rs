//! Typed access to the vocabulary annotations a client generator needs: Org.OData.Core.V1
//! (descriptions, revisions/deprecation, computed, immutable, optional parameters) and
//! Org.OData.Capabilities.V1 (what a collection supports).
//!
//! Terms are matched by namespace-qualified name or by the conventional aliases `Core` and
//! `Capabilities`; unknown record properties are ignored (Graph adds `Date` and `RemovalDate`
//! to `Core.RevisionType`); a missing value takes the term's default (`Core.Computed` alone
//! means true).

use crate::csdl::{Annotation, Expr};

const CORE: &str = "Org.OData.Core.V1";
const CAPABILITIES: &str = "Org.OData.Capabilities.V1";

/// True when `annotation` applies `term` of `vocabulary` (namespace or its usual alias).
fn is_term(annotation: &Annotation<'_>, vocabulary: &str, term: &str) -> bool {
    let Some((ns, name)) = annotation.term.rsplit_once('.') else {
        return false;
    };
    let alias = vocabulary
        .strip_prefix("Org.OData.")
        .and_then(|v| v.strip_suffix(".V1"))
        .unwrap_or("");
    name == term && (ns == vocabulary || ns == alias) && annotation.qualifier.is_none()
}

fn find<'x, 'a>(
    annotations: &[&'x Annotation<'a>],
    vocabulary: &str,
    term: &str,
) -> Option<&'x Annotation<'a>> {
    annotations
        .iter()
        .rev() // external annotations come after inline ones and override them
        .find(|a| is_term(a, vocabulary, term))
        .copied()
}

/// A tag term (`Core.Computed`): present without a value means true.
fn tag(annotations: &[&Annotation<'_>], vocabulary: &str, term: &str) -> bool {
    find(annotations, vocabulary, term)
        .map(|a| a.value.as_ref().and_then(Expr::as_bool).unwrap_or(true))
        .unwrap_or(false)
}

/// The kind of a `Core.Revisions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionKind {
    /// `Added`.
    Added,
    /// `Modified`.
    Modified,
    /// `Deprecated`.
    Deprecated,
    /// Anything else, kept verbatim.
    Other(String),
}

/// One `Core.Revisions` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// `Kind`.
    pub kind: RevisionKind,
    /// `Version`.
    pub version: Option<String>,
    /// `Date` (a Graph extension).
    pub date: Option<String>,
    /// `RemovalDate` (a Graph extension).
    pub removal_date: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// The Core annotations of one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Core {
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
    /// `Core.Revisions`.
    pub revisions: Vec<Revision>,
    /// `Core.Computed`.
    pub computed: bool,
    /// `Core.Immutable`.
    pub immutable: bool,
    /// `Core.OptionalParameter` (present, whatever its default value).
    pub optional_parameter: bool,
}

impl Core {
    /// Reads the Core annotations among `annotations`.
    pub fn from_annotations(annotations: &[&Annotation<'_>]) -> Core {
        let text = |term: &str| {
            find(annotations, CORE, term)
                .and_then(|a| a.value.as_ref())
                .and_then(Expr::const_text)
                .map(str::to_owned)
        };
        let revisions = find(annotations, CORE, "Revisions")
            .and_then(|a| a.value.as_ref())
            .map(|v| match v {
                Expr::Collection(items) => items.iter().filter_map(revision).collect(),
                other => revision(other).into_iter().collect(),
            })
            .unwrap_or_default();
        Core {
            description: text("Description"),
            long_description: text("LongDescription"),
            revisions,
            computed: tag(annotations, CORE, "Computed"),
            immutable: tag(annotations, CORE, "Immutable"),
            optional_parameter: find(annotations, CORE, "OptionalParameter").is_some(),
        }
    }

    /// The deprecation revision, if there is one.
    pub fn deprecation(&self) -> Option<&Revision> {
        self.revisions
            .iter()
            .find(|r| r.kind == RevisionKind::Deprecated)
    }
}

fn revision(e: &Expr<'_>) -> Option<Revision> {
    let r = e.as_record()?;
    let text = |name: &str| r.get(name).and_then(Expr::const_text).map(str::to_owned);
    let kind = match r.get("Kind") {
        Some(Expr::EnumMember(members)) => {
            let m = members.first().map(|m| m.as_ref()).unwrap_or("");
            match m.rsplit('/').next().unwrap_or(m) {
                "Added" => RevisionKind::Added,
                "Modified" => RevisionKind::Modified,
                "Deprecated" => RevisionKind::Deprecated,
                other => RevisionKind::Other(other.to_owned()),
            }
        }
        _ => RevisionKind::Other(String::new()),
    };
    Some(Revision {
        kind,
        version: text("Version"),
        date: text("Date"),
        removal_date: text("RemovalDate"),
        description: text("Description"),
    })
}

/// A restriction record's `…able` flag, `None` when the annotation is absent (the spec's
/// default, "supported", then applies).
fn restriction_flag(annotations: &[&Annotation<'_>], term: &str, property: &str) -> Option<bool> {
    let a = find(annotations, CAPABILITIES, term)?;
    let record = a.value.as_ref().and_then(Expr::as_record)?;
    record.get(property).and_then(Expr::as_bool)
}

fn bool_term(annotations: &[&Annotation<'_>], term: &str) -> Option<bool> {
    find(annotations, CAPABILITIES, term)
        .map(|a| a.value.as_ref().and_then(Expr::as_bool).unwrap_or(true))
}

/// What a collection or entity supports, per Org.OData.Capabilities.V1. Each field is
/// `None` when the schema does not say, so callers apply the specification's defaults
/// (everything supported) explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `InsertRestrictions/Insertable`.
    pub insertable: Option<bool>,
    /// `UpdateRestrictions/Updatable`.
    pub updatable: Option<bool>,
    /// `DeleteRestrictions/Deletable`.
    pub deletable: Option<bool>,
    /// `ReadRestrictions/Readable`.
    pub readable: Option<bool>,
    /// `NavigationRestrictions/Navigability` (`None`, `Single`, `Recursive`).
    pub navigability: Option<String>,
    /// `FilterRestrictions/Filterable`.
    pub filterable: Option<bool>,
    /// `SortRestrictions/Sortable`.
    pub sortable: Option<bool>,
    /// `CountRestrictions/Countable`.
    pub countable: Option<bool>,
    /// `SearchRestrictions/Searchable`.
    pub searchable: Option<bool>,
    /// `ExpandRestrictions/Expandable`.
    pub expandable: Option<bool>,
    /// `SelectSupport/Supported` (or `SelectRestrictions/Selectable`).
    pub selectable: Option<bool>,
    /// `TopSupported`.
    pub top_supported: Option<bool>,
    /// `SkipSupported`.
    pub skip_supported: Option<bool>,
}

impl Capabilities {
    /// Reads the Capabilities annotations among `annotations`.
    pub fn from_annotations(annotations: &[&Annotation<'_>]) -> Capabilities {
        let navigability = find(annotations, CAPABILITIES, "NavigationRestrictions")
            .and_then(|a| a.value.as_ref())
            .and_then(Expr::as_record)
            .and_then(|r| match r.get("Navigability") {
                Some(Expr::EnumMember(m)) => m
                    .first()
                    .map(|m| m.rsplit('/').next().unwrap_or(m).to_owned()),
                _ => None,
            });
        Capabilities {
            insertable: restriction_flag(annotations, "InsertRestrictions", "Insertable"),
            updatable: restriction_flag(annotations, "UpdateRestrictions", "Updatable"),
            deletable: restriction_flag(annotations, "DeleteRestrictions", "Deletable"),
            readable: restriction_flag(annotations, "ReadRestrictions", "Readable"),
            navigability,
            filterable: restriction_flag(annotations, "FilterRestrictions", "Filterable"),
            sortable: restriction_flag(annotations, "SortRestrictions", "Sortable"),
            countable: restriction_flag(annotations, "CountRestrictions", "Countable"),
            searchable: restriction_flag(annotations, "SearchRestrictions", "Searchable"),
            expandable: restriction_flag(annotations, "ExpandRestrictions", "Expandable"),
            selectable: restriction_flag(annotations, "SelectSupport", "Supported")
                .or_else(|| restriction_flag(annotations, "SelectRestrictions", "Selectable")),
            top_supported: bool_term(annotations, "TopSupported"),
            skip_supported: bool_term(annotations, "SkipSupported"),
        }
    }

    /// Fills every field the schema left open from `fallback` (e.g. the entity type's
    /// annotations under those of the entity set, CSDL-102).
    pub fn or(self, fallback: &Capabilities) -> Capabilities {
        Capabilities {
            insertable: self.insertable.or(fallback.insertable),
            updatable: self.updatable.or(fallback.updatable),
            deletable: self.deletable.or(fallback.deletable),
            readable: self.readable.or(fallback.readable),
            navigability: self.navigability.or_else(|| fallback.navigability.clone()),
            filterable: self.filterable.or(fallback.filterable),
            sortable: self.sortable.or(fallback.sortable),
            countable: self.countable.or(fallback.countable),
            searchable: self.searchable.or(fallback.searchable),
            expandable: self.expandable.or(fallback.expandable),
            selectable: self.selectable.or(fallback.selectable),
            top_supported: self.top_supported.or(fallback.top_supported),
            skip_supported: self.skip_supported.or(fallback.skip_supported),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csdl::{ReadOptions, parse};

    const TEXT: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="x"><edmx:DataServices><Schema Namespace="n">
<EntityType Name="t">
  <Annotation Term="Core.Description" String="inline"/>
  <Annotation Term="Org.OData.Core.V1.Computed"/>
  <Annotation Term="Org.OData.Core.V1.Revisions"><Collection><Record>
    <PropertyValue Property="Date" Date="2025-01-01"/>
    <PropertyValue Property="Version" String="2025-01/PrivilegedIdentityManagement"/>
    <PropertyValue Property="Kind"><EnumMember>Org.OData.Core.V1.RevisionKind/Deprecated</EnumMember></PropertyValue>
    <PropertyValue Property="Description" String="Use unifiedRoleAssignment instead."/>
    <PropertyValue Property="RemovalDate" Date="2026-01-01"/>
    <PropertyValue Property="Unheard" String="ignored"/>
  </Record></Collection></Annotation>
  <Annotation Term="Org.OData.Capabilities.V1.InsertRestrictions"><Record><PropertyValue Property="Insertable" Bool="false"/></Record></Annotation>
  <Annotation Term="Org.OData.Capabilities.V1.TopSupported" Bool="false"/>
  <Annotation Term="Capabilities.SkipSupported"/>
</EntityType></Schema></edmx:DataServices></edmx:Edmx>"#;

    #[test]
    fn reads_core_and_capabilities() {
        let parsed = parse(TEXT, ReadOptions::default());
        let list: Vec<_> = parsed.document.schemas[0].entity_types[0]
            .annotations
            .iter()
            .collect();
        let core = Core::from_annotations(&list);
        assert_eq!(core.description.as_deref(), Some("inline"));
        assert!(core.computed);
        assert!(!core.immutable);
        let dep = core.deprecation().unwrap();
        assert_eq!(dep.date.as_deref(), Some("2025-01-01"));
        assert_eq!(dep.removal_date.as_deref(), Some("2026-01-01"));
        assert_eq!(
            dep.description.as_deref(),
            Some("Use unifiedRoleAssignment instead.")
        );
        let caps = Capabilities::from_annotations(&list);
        assert_eq!(caps.insertable, Some(false));
        assert_eq!(caps.updatable, None);
        assert_eq!(caps.top_supported, Some(false));
        assert_eq!(caps.skip_supported, Some(true));
        let merged = Capabilities {
            updatable: Some(false),
            ..Capabilities::default()
        }
        .or(&caps);
        assert_eq!(merged.insertable, Some(false));
        assert_eq!(merged.updatable, Some(false));
    }
}
