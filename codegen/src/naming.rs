//! The naming provider: every Rust identifier the generator emits is decided here, and only
//! here, deterministically from the CSDL names.
//!
//! Rules (each function documents its own):
//! - types and enum variants are `UpperCamelCase`, fields and modules `snake_case` (heck);
//! - characters that cannot appear in an identifier become `_` (non-ASCII letters and digits
//!   become `u<hex>` so distinct names stay distinct), and a leading digit gets a `_` prefix;
//! - Rust keywords become raw identifiers (`r#type`), except `self`, `Self`, `crate` and
//!   `super`, which cannot be raw and get a `_` suffix instead;
//! - type names that would shadow a prelude item (`Option`, `String`, `Vec`, `Box`, ...) get a
//!   `_` suffix, so generated code (and users' glob imports) can keep using the prelude;
//! - names that collide after conversion are disambiguated by [`NameTable`]: candidates are
//!   sorted by their source name, the first keeps the name, the others get `_2`, `_3`, ...
//!   (`2`, `3`, ... for `UpperCamelCase` names, which the `non_camel_case_types` lint requires);
//!   every rename is reported so the generator can emit a `NameCollision` warning;
//! - the catch-all variant of an open enum is `Unknown`, or `UnknownValue` when a member is
//!   named `unknown` (a fixed rule, decided in `ir`, so not reported as a rename);
//! - type names are unique across namespaces: on a collision, the types of the main namespace
//!   (the one declaring the most types) keep the plain name and the others are prefixed with
//!   their namespace's last segment (`security.alert` → `SecurityAlert`), see [`type_names`].
//!
//! The wire name is never derived back from the Rust name: the IR keeps both, and the
//! generated serde code matches the exact wire name.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// A Rust identifier decided by this module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// The identifier text, without any `r#` prefix.
    pub ident: String,
    /// Whether it must be written as a raw identifier (`r#type`).
    pub raw: bool,
}

impl Name {
    /// A plain (non-raw) identifier. `text` must already be a valid identifier.
    pub fn plain(text: impl Into<String>) -> Name {
        Name {
            ident: text.into(),
            raw: false,
        }
    }

    /// The identifier as it appears in source (`r#type` for raw ones).
    pub fn as_source(&self) -> String {
        if self.raw {
            format!("r#{}", self.ident)
        } else {
            self.ident.clone()
        }
    }

    /// The `proc_macro2` identifier to interpolate into `quote!`.
    pub fn to_ident(&self) -> proc_macro2::Ident {
        let span = proc_macro2::Span::call_site();
        if self.raw {
            proc_macro2::Ident::new_raw(&self.ident, span)
        } else {
            proc_macro2::Ident::new(&self.ident, span)
        }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_source())
    }
}

/// Strict and reserved keywords of Rust 2024 (including `gen`, reserved since 2024, and `try`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "crate", "super", "_"];

/// Type names of the Rust 2024 prelude (and `core`/`std` roots), which generated type names must
/// not shadow.
const PRELUDE_TYPES: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Whether `s` is a Rust keyword (strict or reserved).
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Replaces what cannot be part of an identifier: ASCII letters, digits and `_` stay,
/// non-ASCII letters and digits become `_u<hex>_` (distinct names stay distinct), anything
/// else becomes `_`. Case conversion later drops redundant underscores.
fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.push_str(&format!("_u{:x}_", c as u32));
        } else {
            out.push('_');
        }
    }
    out
}

/// A leading digit cannot start an identifier; prefix `_` (which neither case lint minds).
fn fix_leading_digit(mut s: String) -> String {
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// `UpperCamelCase` name for a structured, enum or type-definition type (before
/// de-duplication). Keywords (only `Self` has this shape) and prelude names get a `_` suffix.
pub fn type_name(csdl: &str) -> Name {
    let mut s = fix_leading_digit(sanitize(csdl).to_upper_camel_case());
    if s.is_empty() {
        s.push_str("Type_");
    } else if is_keyword(&s) || PRELUDE_TYPES.contains(&s.as_str()) {
        s.push('_');
    }
    Name::plain(s)
}

/// `UpperCamelCase` name for an enum variant (before de-duplication). Prelude names are fine
/// here (variants are always written `Enum::Variant`); only `Self` needs a suffix.
pub fn variant_name(csdl: &str) -> Name {
    let mut s = fix_leading_digit(sanitize(csdl).to_upper_camel_case());
    if s.is_empty() {
        s.push_str("Member_");
    } else if is_keyword(&s) {
        s.push('_');
    }
    Name::plain(s)
}

/// `snake_case` name for a field, parameter or method (before de-duplication). Keywords become
/// raw identifiers, except those that cannot be raw, which get a `_` suffix.
pub fn field_name(csdl: &str) -> Name {
    let mut s = fix_leading_digit(sanitize(csdl).to_snake_case());
    if s.is_empty() {
        s.push_str("field_");
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
        Name::plain(s)
    } else if is_keyword(&s) {
        Name {
            ident: s,
            raw: true,
        }
    } else {
        Name::plain(s)
    }
}

/// The method reading a collection the service serves only filtered on `properties`
/// (compared with `eq`, `and`-ed): `list_by_group_id`, `count_by_scope_id_and_scope_type`.
pub fn filtered_method(verb: &str, properties: &[String]) -> Name {
    let words: Vec<String> = properties
        .iter()
        .map(|p| sanitize(p).to_snake_case())
        .collect();
    field_name(&format!("{verb}_by_{}", words.join("_and_")))
}

/// `snake_case` name for a module or file (keywords get a `_` suffix: raw module names would be
/// legal but odd in file names).
pub fn module_name(name: &str) -> Name {
    let mut s = fix_leading_digit(sanitize(name).to_snake_case());
    if s.is_empty() {
        s.push_str("module_");
    } else if is_keyword(&s) || NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    }
    Name::plain(s)
}

/// How a de-duplicated name was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The source name (wire name, qualified name) whose Rust name changed.
    pub source: String,
    /// The name it would have had.
    pub wanted: String,
    /// The name it got.
    pub given: String,
    /// Who kept the wanted name (or why it was unavailable).
    pub because: String,
}

/// The suffix style of a name space: `snake_case` names take `_2`, `UpperCamelCase` names `2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `snake_case` (fields, modules).
    Snake,
    /// `UpperCamelCase` (types, variants).
    Camel,
}

/// Assigns unique names within one Rust name space (the fields of a struct, the variants of an
/// enum, the types of the models module).
///
/// Names are requested with a source name; [`NameTable::finish`] decides. Reserved names are
/// never given out (e.g. the `additional_properties` field of every struct).
#[derive(Debug, Clone)]
pub struct NameTable {
    style: Style,
    reserved: BTreeSet<String>,
    /// (priority, source name, wanted name); a lower priority wins a collision.
    requests: Vec<(u8, String, Name)>,
}

impl NameTable {
    /// An empty table.
    pub fn new(style: Style) -> NameTable {
        NameTable {
            style,
            reserved: BTreeSet::new(),
            requests: Vec::new(),
        }
    }

    /// Marks `ident` as unavailable.
    pub fn reserve(&mut self, ident: &str) {
        self.reserved.insert(ident.to_owned());
    }

    /// Requests `wanted` for `source`; returns the request's index into [`NameTable::finish`]'s
    /// result.
    pub fn request(&mut self, source: impl Into<String>, wanted: Name) -> usize {
        self.request_with_priority(0, source, wanted)
    }

    /// Like [`NameTable::request`], but a collision is won by the lowest `priority` first
    /// (then by source name): derived names (a namespace prefix, a `Kind` suffix) yield to
    /// names taken straight from the schema.
    pub fn request_with_priority(
        &mut self,
        priority: u8,
        source: impl Into<String>,
        wanted: Name,
    ) -> usize {
        self.requests.push((priority, source.into(), wanted));
        self.requests.len() - 1
    }

    fn suffixed(&self, name: &Name, n: usize) -> Name {
        let ident = match self.style {
            Style::Snake => format!("{}_{n}", name.ident),
            Style::Camel => format!("{}{n}", name.ident),
        };
        // A suffix makes any keyword an ordinary identifier.
        Name::plain(ident)
    }

    /// Decides every name: the result is indexed like the requests, and the renames say what
    /// changed and why. Deterministic: depends only on the set of requests and reservations,
    /// not on their order.
    pub fn finish(self) -> (Vec<Name>, Vec<Rename>) {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, (_, _, name)) in self.requests.iter().enumerate() {
            groups.entry(name.ident.as_str()).or_default().push(i);
        }
        let mut taken: BTreeSet<String> = self.reserved.clone();
        taken.extend(groups.keys().map(|k| (*k).to_owned()));
        let mut out: Vec<Option<Name>> = vec![None; self.requests.len()];
        let mut renames = Vec::new();
        for (ident, mut members) in groups {
            members.sort_by(|a, b| {
                let (pa, sa, _) = &self.requests[*a];
                let (pb, sb, _) = &self.requests[*b];
                pa.cmp(pb).then(sa.cmp(sb)).then(a.cmp(b))
            });
            let reserved = self.reserved.contains(ident);
            let keeper = (!reserved).then(|| members[0]);
            let mut n = 2;
            for &m in &members {
                let (_, source, wanted) = &self.requests[m];
                if Some(m) == keeper {
                    out[m] = Some(wanted.clone());
                    continue;
                }
                let given = loop {
                    let candidate = self.suffixed(wanted, n);
                    n += 1;
                    if taken.insert(candidate.ident.clone()) {
                        break candidate;
                    }
                };
                let because = match keeper {
                    Some(k) => format!("`{}` has it", self.requests[k].1),
                    None => "the name is reserved".to_owned(),
                };
                renames.push(Rename {
                    source: source.clone(),
                    wanted: wanted.as_source(),
                    given: given.as_source(),
                    because,
                });
                out[m] = Some(given);
            }
        }
        (
            out.into_iter()
                .map(|n| n.unwrap_or_else(|| Name::plain("_")))
                .collect(),
            renames,
        )
    }
}

/// A type to be named by [`type_names`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRequest<'a> {
    /// Namespace of the declaring schema.
    pub namespace: &'a str,
    /// Simple CSDL name.
    pub name: &'a str,
}

/// Names every type of the models module so that names are unique across namespaces.
///
/// A type whose plain name (see [`type_name`]) is shared by types of several namespaces keeps
/// it only if it belongs to `main_namespace`; the others are prefixed with the last segment of
/// their namespace (`microsoft.graph.security.alert` → `SecurityAlert`). Whatever still
/// collides (names differing only in case within a namespace, a prefixed name that already
/// exists) goes through a [`NameTable`]. `reserved` names are never given to a type.
pub fn type_names(
    types: &[TypeRequest<'_>],
    main_namespace: &str,
    reserved: &[&str],
) -> (Vec<Name>, Vec<Rename>) {
    let plain: Vec<Name> = types.iter().map(|t| type_name(t.name)).collect();
    let mut namespaces_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (t, n) in types.iter().zip(&plain) {
        namespaces_of
            .entry(n.ident.as_str())
            .or_default()
            .insert(t.namespace);
    }
    let mut table = NameTable::new(Style::Camel);
    for r in reserved {
        table.reserve(r);
    }
    let mut prefixed = Vec::new();
    for (t, n) in types.iter().zip(&plain) {
        let shared = namespaces_of[n.ident.as_str()].len() > 1;
        let source = format!("{}.{}", t.namespace, t.name);
        if shared && t.namespace != main_namespace {
            let segment = t.namespace.rsplit('.').next().unwrap_or(t.namespace);
            let name = type_name(&format!("{segment}_{}", t.name));
            prefixed.push((source.clone(), n.clone(), name.clone()));
            table.request_with_priority(1, source, name);
        } else {
            table.request(source, n.clone());
        }
    }
    let (names, mut renames) = table.finish();
    for (source, wanted, given) in prefixed {
        // Report the namespace prefix too, unless the table renamed it again (then that
        // rename, which names the final result, is reported instead).
        if !renames.iter().any(|r| r.source == source) {
            renames.push(Rename {
                source,
                wanted: wanted.as_source(),
                given: given.as_source(),
                because: "types of other namespaces share the name".to_owned(),
            });
        }
    }
    renames.sort_by(|a, b| a.source.cmp(&b.source));
    (names, renames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_and_keywords() {
        assert_eq!(
            field_name("roleDefinitionId").as_source(),
            "role_definition_id"
        );
        assert_eq!(field_name("type").as_source(), "r#type");
        assert_eq!(field_name("ref").as_source(), "r#ref");
        assert_eq!(field_name("gen").as_source(), "r#gen");
        assert_eq!(field_name("async").as_source(), "r#async");
        assert_eq!(field_name("self").as_source(), "self_");
        assert_eq!(field_name("Self").as_source(), "self_");
        assert_eq!(field_name("crate").as_source(), "crate_");
        assert_eq!(field_name("super").as_source(), "super_");
        assert_eq!(field_name("3dModel").as_source(), "_3d_model");
        assert_eq!(field_name("@odata.type").as_source(), "odata_type");
        assert_eq!(field_name("größe").as_source(), "gr_uf6_udf_e");
        assert_eq!(
            type_name("unifiedRoleManagementPolicy").ident,
            "UnifiedRoleManagementPolicy"
        );
        assert_eq!(type_name("option").ident, "Option_");
        assert_eq!(type_name("string").ident, "String_");
        assert_eq!(type_name("self").ident, "Self_");
        assert_eq!(type_name("1x").ident, "_1x");
        assert_eq!(variant_name("none").ident, "None");
        assert_eq!(variant_name("self").ident, "Self_");
        assert_eq!(variant_name("AdminAssign").ident, "AdminAssign");
        assert_eq!(module_name("roleManagement").ident, "role_management");
        assert_eq!(module_name("mod").ident, "mod_");
    }

    #[test]
    fn filtered_methods_name_their_properties() {
        let props = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            filtered_method("list", &props(&["groupId"])).as_source(),
            "list_by_group_id"
        );
        assert_eq!(
            filtered_method("count", &props(&["scopeId", "scopeType"])).as_source(),
            "count_by_scope_id_and_scope_type"
        );
        // Odd property names still give an identifier.
        assert_eq!(
            filtered_method("list", &props(&["a-b", "9x"])).as_source(),
            "list_by_a_b_and_9x"
        );
    }

    #[test]
    fn raw_identifiers_are_valid() {
        for k in KEYWORDS {
            let n = field_name(k);
            // Must not panic: every produced name is a valid identifier.
            let _ = n.to_ident();
            let _ = type_name(k).to_ident();
            let _ = variant_name(k).to_ident();
        }
    }

    #[test]
    fn collisions_are_sorted_and_reported() {
        let mut t = NameTable::new(Style::Snake);
        t.reserve("additional_properties");
        let a = t.request("roleId", field_name("roleId"));
        let b = t.request("RoleId", field_name("RoleId"));
        let c = t.request("additionalProperties", field_name("additionalProperties"));
        let d = t.request("role_id_2", field_name("role_id_2"));
        let (names, renames) = t.finish();
        // "RoleId" < "roleId": the capitalized one sorts first and keeps the name; the
        // suffix skips `role_id_2`, which is taken by a real property.
        assert_eq!(names[b].ident, "role_id");
        assert_eq!(names[a].ident, "role_id_3");
        assert_eq!(names[d].ident, "role_id_2");
        assert_eq!(names[c].ident, "additional_properties_2");
        assert_eq!(renames.len(), 2);
        assert!(
            renames
                .iter()
                .any(|r| r.source == "roleId" && r.because.contains("RoleId"))
        );
    }

    #[test]
    fn order_of_requests_does_not_matter() {
        let run = |order: &[&str]| {
            let mut t = NameTable::new(Style::Camel);
            for s in order {
                t.request(*s, variant_name(s));
            }
            let (names, _) = t.finish();
            let mut pairs: Vec<(String, String)> = order
                .iter()
                .zip(names)
                .map(|(s, n)| ((*s).to_owned(), n.ident))
                .collect();
            pairs.sort();
            pairs
        };
        let a = run(&["value", "Value", "VALUE", "other"]);
        let b = run(&["other", "VALUE", "value", "Value"]);
        assert_eq!(a, b);
        // "VALUE" sorts first; the others get camel-case suffixes (no underscore).
        assert!(a.contains(&("VALUE".into(), "Value".into())));
        assert!(a.contains(&("Value".into(), "Value2".into())));
        assert!(a.contains(&("value".into(), "Value3".into())));
    }

    #[test]
    fn types_are_unique_across_namespaces() {
        let types = [
            TypeRequest {
                namespace: "microsoft.graph",
                name: "alert",
            },
            TypeRequest {
                namespace: "microsoft.graph.security",
                name: "alert",
            },
            TypeRequest {
                namespace: "microsoft.graph",
                name: "securityAlert",
            },
            TypeRequest {
                namespace: "microsoft.graph",
                name: "option",
            },
            TypeRequest {
                namespace: "microsoft.graph",
                name: "thing",
            },
            TypeRequest {
                namespace: "microsoft.graph",
                name: "Thing",
            },
        ];
        let (names, renames) = type_names(&types, "microsoft.graph", &["IdentityKind"]);
        let idents: Vec<&str> = names.iter().map(|n| n.ident.as_str()).collect();
        // The real `securityAlert` keeps its name; the prefixed one yields.
        assert_eq!(
            idents,
            [
                "Alert",
                "SecurityAlert2",
                "SecurityAlert",
                "Option_",
                "Thing2",
                "Thing"
            ]
        );
        assert!(
            renames.iter().any(
                |r| r.source == "microsoft.graph.security.alert" && r.given == "SecurityAlert2"
            )
        );
        assert!(renames.iter().any(|r| r.source == "microsoft.graph.thing"));
    }
}
