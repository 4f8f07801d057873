//! Which requests a resource supports, from Org.OData.Capabilities and the spec's defaults.
//!
//! A resource (entity set, singleton, navigation property reached along a path) is looked up
//! at several annotation targets, most specific first (CAP-05); the first target that sets a
//! record property wins for that property ([`Capabilities::or`]), and what none sets takes
//! the term's default, "supported" (CAP-04). `NavigationRestrictions/RestrictedProperties`
//! (the nested form the vocabulary discourages) is not read.

use crate::csdl::{Annotation, Expr};
use crate::model::Model;
use crate::model::vocab::Capabilities;
use crate::select::{Refused, Restriction};

/// How a resource is addressed, which decides the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// An entity set or collection-valued navigation property (and the items in it).
    Collection,
    /// A singleton.
    Singleton,
    /// A single-valued containment navigation property; a nullable one can be deleted
    /// (the entity it contains goes away), a non-nullable one cannot.
    SingleNavigation {
        /// `Nullable` of the navigation property.
        nullable: bool,
    },
}

/// The requests a resource supports, plus notes on unsupported query options (for docs).
///
/// For a collection, `get`, `update` and `delete` describe its items (the same annotations
/// govern both, CAP-08/CAP-10/CAP-11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Access {
    /// `GET` of the collection.
    pub list: bool,
    /// `POST` to the collection.
    pub create: bool,
    /// `GET` of the entity.
    pub get: bool,
    /// `PATCH` of the entity.
    pub update: bool,
    /// `DELETE` of the entity.
    pub delete: bool,
    /// Query options the schema says the collection does not support (`$top`, ...).
    pub unsupported_options: Vec<&'static str>,
    /// From the selection's `[[restrict]]`: the filter combinations without which the
    /// service refuses to list the collection (empty: `list` needs none).
    pub list_filter: Vec<Vec<String>>,
    /// From the selection's `[[restrict]]`: navigation properties of the items the service
    /// does not serve.
    pub refuses_navigation: Vec<String>,
    /// From the selection's `[[restrict]]`: the requests taken away here (that the schema
    /// would allow), and the pages that say the service refuses them.
    pub refused: Vec<&'static str>,
    /// The pages behind [`Access::refused`], `list_filter` and `refuses_navigation`.
    pub restricted_by: Vec<String>,
}

impl Access {
    /// What a `[[restrict]]` entry leaves of `self`.
    pub fn restricted(mut self, r: &Restriction) -> Access {
        for (verb, allowed) in [
            (Refused::Create, &mut self.create),
            (Refused::Update, &mut self.update),
            (Refused::Delete, &mut self.delete),
        ] {
            if *allowed && r.refuses.contains(&verb) {
                *allowed = false;
                self.refused.push(verb.as_str());
            }
        }
        self.list_filter = r.list_filter.clone();
        self.refuses_navigation = r.refuses_navigation.iter().cloned().collect();
        self.restricted_by = r.docs.clone();
        self
    }

    /// What a builder reached by a non-containment navigation offers: the reads.
    pub fn read_only(self, collection: bool) -> Access {
        Access {
            list: collection && self.list,
            get: self.get,
            unsupported_options: self.unsupported_options,
            ..Access::default()
        }
    }

    /// Whether the collection can be counted (`/$count`): listed and not declared
    /// non-countable.
    pub fn countable(&self) -> bool {
        self.list && !self.unsupported_options.contains(&"$count")
    }
}

/// The effective capabilities at `targets` (most specific first).
pub fn resolve(model: &Model<'_>, targets: &[String], resource: Resource) -> Access {
    let mut caps = Capabilities::default();
    let mut read_by_key = None;
    for t in targets {
        let annotations = model.annotations_on(t);
        caps = caps.or(&Capabilities::from_annotations(annotations));
        read_by_key = read_by_key.or_else(|| readable_by_key(annotations));
    }
    let not_false = |v: Option<bool>| v != Some(false);
    let get = not_false(read_by_key.or(caps.readable));
    match resource {
        Resource::Collection => {
            let options = [
                (caps.filterable, "$filter"),
                (caps.selectable, "$select"),
                (caps.expandable, "$expand"),
                (caps.sortable, "$orderby"),
                (caps.top_supported, "$top"),
                (caps.skip_supported, "$skip"),
                (caps.countable, "$count"),
                (caps.searchable, "$search"),
            ];
            Access {
                list: not_false(caps.readable),
                create: not_false(caps.insertable),
                get,
                update: not_false(caps.updatable),
                delete: not_false(caps.deletable),
                unsupported_options: options
                    .iter()
                    .filter(|(v, _)| *v == Some(false))
                    .map(|(_, o)| *o)
                    .collect(),
                ..Access::default()
            }
        }
        // A singleton cannot be deleted (the protocol has no such request); the entity of a
        // single-valued containment navigation can, unless the property is non-nullable.
        // Such an entity is then addressed like a collection item, and shares its builder.
        Resource::Singleton => Access {
            get,
            update: not_false(caps.updatable),
            ..Access::default()
        },
        Resource::SingleNavigation { nullable } => Access {
            get,
            update: not_false(caps.updatable),
            delete: nullable && not_false(caps.deletable),
            ..Access::default()
        },
    }
}

/// `ReadRestrictions/ReadByKeyRestrictions/Readable` (CAP-11), which [`Capabilities`] does
/// not read.
fn readable_by_key(annotations: &[&Annotation<'_>]) -> Option<bool> {
    annotations
        .iter()
        .rev()
        .find(|a| {
            a.qualifier.is_none()
                && matches!(
                    a.term.as_ref(),
                    "Org.OData.Capabilities.V1.ReadRestrictions" | "Capabilities.ReadRestrictions"
                )
        })
        .and_then(|a| a.value.as_ref())
        .and_then(Expr::as_record)
        .and_then(|r| r.get("ReadByKeyRestrictions"))
        .and_then(Expr::as_record)
        .and_then(|r| r.get("Readable"))
        .and_then(Expr::as_bool)
}
