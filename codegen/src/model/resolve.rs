//! Builds a [`Model`] from a raw document: indexes names, resolves references, checks the
//! structural rules, and attaches annotations to normalized targets.

use std::borrow::Cow;
use std::collections::hash_map::Entry;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::*;
use crate::csdl::Document;
use crate::diag::{Code, Sink};

/// Namespaces and aliases CSDL reserves (CSDL-18).
const RESERVED: [&str; 4] = ["Edm", "odata", "System", "Transient"];

/// Resolves `doc`, parsed from `source` (used only to place diagnostics).
pub fn resolve<'a>(doc: &'a Document<'a>, source: &[u8]) -> Model<'a> {
    let mut sink = Sink::new(source, &doc.line_index);
    let mut model = Model::default();
    let type_count: usize = doc
        .schemas
        .iter()
        .map(|s| {
            s.entity_types.len()
                + s.complex_types.len()
                + s.enum_types.len()
                + s.type_definitions.len()
        })
        .sum();
    model.types.reserve(type_count);
    model.index.reserve(type_count);
    model.operations.reserve(
        doc.schemas
            .iter()
            .map(|s| s.actions.len() + s.functions.len())
            .sum(),
    );

    // 1. Namespaces and aliases, including those brought in by references.
    for s in &doc.schemas {
        model
            .schemas
            .push((s.namespace.as_ref(), s.alias.as_deref()));
    }
    let mut seen: HashMap<&str, Pos> = HashMap::default();
    for s in &doc.schemas {
        for name in std::iter::once(s.namespace.as_ref()).chain(s.alias.as_deref()) {
            if RESERVED.contains(&name) {
                sink.error(
                    Code::DuplicateNamespace,
                    s.pos,
                    format!("`{name}` is reserved and cannot name a schema or alias"),
                );
            } else if seen.insert(name, s.pos).is_some() {
                sink.error(
                    Code::DuplicateNamespace,
                    s.pos,
                    format!("namespace or alias `{name}` is declared more than once"),
                );
            }
        }
    }
    // Every name that can qualify a type, with the namespace id it stands for (`u32::MAX` for
    // referenced namespaces, whose types are not in this document).
    let mut aliases: Vec<(&'a str, Option<&'a str>, u32)> = model
        .schemas
        .iter()
        .map(|&(ns, alias)| (ns, alias, model.namespace_id(ns).unwrap_or(u32::MAX)))
        .collect();
    for r in &doc.references {
        for inc in &r.includes {
            let ns = inc.namespace.as_ref();
            let id = model.namespace_id(ns).unwrap_or(u32::MAX);
            aliases.push((ns, inc.alias.as_deref(), id));
        }
    }

    // 2. Index every named type (first declaration wins; duplicates are reported).
    let mut duplicates: Vec<&'a csdl::StructuredType<'a>> = Vec::new();
    for s in &doc.schemas {
        let ns = s.namespace.as_ref();
        let ns_id = model.namespace_id(ns).unwrap_or(u32::MAX);
        let mut add = |model: &mut Model<'a>, name: &'a str, pos: Pos, kind: TypeDefKind<'a>| {
            check_identifier(&mut sink, name, pos);
            let qualified = qualify(ns, name);
            match model.index.entry((ns_id, name)) {
                Entry::Occupied(_) => {
                    sink.error(
                        Code::DuplicateName,
                        pos,
                        format!("type `{qualified}` is declared more than once"),
                    );
                    if let TypeDefKind::Structured(s) = &kind {
                        duplicates.push(s.raw);
                    }
                }
                Entry::Vacant(v) => {
                    v.insert(TypeId(model.types.len() as u32));
                    model.types.push(TypeDef {
                        namespace: ns,
                        name,
                        qualified,
                        kind,
                        pos,
                    });
                }
            }
        };
        for t in s.entity_types.iter().chain(&s.complex_types) {
            let kind = TypeDefKind::Structured(StructuredDef {
                raw: t,
                base: None,
                properties: Vec::new(),
                navigation: Vec::new(),
            });
            add(&mut model, &t.name, t.pos, kind);
        }
        for t in &s.enum_types {
            let kind = TypeDefKind::Enum(EnumDef {
                raw: t,
                underlying: Primitive::Int32,
                members: Vec::new(),
            });
            add(&mut model, &t.name, t.pos, kind);
        }
        for t in &s.type_definitions {
            let kind = TypeDefKind::Definition(DefinitionDef {
                raw: t,
                underlying: Primitive::String,
            });
            add(&mut model, &t.name, t.pos, kind);
        }
    }

    let resolver = Resolver {
        aliases: &aliases,
        index: &model.index,
    };

    // 3. Members of each type. One set for duplicate member names, cleared per type, instead
    // of a map allocated and freed for each of thousands of types. The members' inline
    // annotations are filed here too, while each member is at hand, rather than in a second
    // walk over every property of the document.
    let mut annotations: Annotated<'a> = HashMap::with_capacity_and_hasher(
        doc.schemas.iter().map(|s| s.annotation_groups.len()).sum(),
        Default::default(),
    );
    let mut names = NameSet::default();
    for i in 0..model.types.len() {
        let id = TypeId(i as u32);
        let kind = match &model.types[i].kind {
            TypeDefKind::Structured(s) => {
                let ns = model.types[i].namespace;
                TypeDefKind::Structured(structured_members(
                    &resolver,
                    &mut sink,
                    &mut names,
                    &mut annotations,
                    ns,
                    s.raw,
                ))
            }
            TypeDefKind::Enum(e) => {
                TypeDefKind::Enum(enum_members(&resolver, &mut sink, &mut names, e.raw))
            }
            TypeDefKind::Definition(d) => {
                let underlying = match resolver.type_ref(&d.raw.underlying_type) {
                    Some(TypeRef {
                        collection: false,
                        kind: TypeKind::Primitive(p),
                    }) => p,
                    _ => {
                        sink.error(
                            Code::UnresolvedType,
                            d.raw.pos,
                            format!(
                                "the underlying type `{}` of type definition `{}` is not a primitive type",
                                d.raw.underlying_type, d.raw.name
                            ),
                        );
                        Primitive::String
                    }
                };
                TypeDefKind::Definition(DefinitionDef {
                    raw: d.raw,
                    underlying,
                })
            }
        };
        model.types[id.0 as usize].kind = kind;
    }

    // 4. Base types, cycles and the derived index.
    model.derived = vec![Vec::new(); model.types.len()];
    for i in 0..model.types.len() {
        let base_name = match &model.types[i].kind {
            TypeDefKind::Structured(s) => s.raw.base_type.as_deref(),
            _ => None,
        };
        let Some(base_name) = base_name else { continue };
        let this_kind = match &model.types[i].kind {
            TypeDefKind::Structured(s) => s.raw.kind,
            _ => continue,
        };
        let pos = model.types[i].pos;
        let base = match resolver.type_ref(base_name).and_then(|t| t.named()) {
            Some(b) => b,
            None => {
                sink.error(
                    Code::UnresolvedType,
                    pos,
                    format!(
                        "base type `{base_name}` of `{}` does not exist",
                        model.types[i].qualified
                    ),
                );
                continue;
            }
        };
        match model.structured(base) {
            Some(b) if b.raw.kind == this_kind => {}
            _ => {
                sink.error(
                    Code::InvalidModel,
                    pos,
                    format!(
                        "`{}` cannot derive from `{}`: base and derived type must both be entity types or both complex types",
                        model.types[i].qualified,
                        model.ty(base).qualified
                    ),
                );
                continue;
            }
        }
        if let TypeDefKind::Structured(s) = &mut model.types[i].kind {
            s.base = Some(base);
        }
    }
    // A cycle is cut at the link that closes it, in type order, so the result is deterministic.
    let mut path = Vec::new();
    for i in 0..model.types.len() {
        let id = TypeId(i as u32);
        path.clear();
        path.push(id);
        let mut current = id;
        while let Some(base) = model.structured(current).and_then(|s| s.base) {
            if base == id {
                sink.error(
                    Code::BaseTypeCycle,
                    model.types[i].pos,
                    format!(
                        "base type cycle: {} → {}",
                        path.iter()
                            .map(|t| model.ty(*t).qualified.as_str())
                            .collect::<Vec<_>>()
                            .join(" → "),
                        model.ty(id).qualified
                    ),
                );
                if let TypeDefKind::Structured(s) = &mut model.types[current.0 as usize].kind {
                    s.base = None;
                }
                break;
            }
            if path.contains(&base) {
                // A cycle further up: it is reported when its own members are visited.
                break;
            }
            path.push(base);
            current = base;
        }
    }
    for i in 0..model.types.len() {
        let id = TypeId(i as u32);
        let Some((base, has_key)) = model
            .structured(id)
            .and_then(|s| s.base.map(|b| (b, s.raw.key.is_some())))
        else {
            continue;
        };
        {
            model.derived[base.0 as usize].push(id);
            // Graph redeclares inherited keys on a few types; the key is the same, so this is a
            // warning rather than an error.
            if has_key && !model.key(base).is_empty() {
                sink.warning(
                    Code::InvalidModel,
                    model.types[i].pos,
                    format!(
                        "entity type `{}` declares a key although it inherits one from `{}`",
                        model.types[i].qualified,
                        model.ty(base).qualified
                    ),
                );
            }
        }
    }

    // 5. Operations, terms and the container.
    for s in &doc.schemas {
        let ns = s.namespace.as_ref();
        for op in s.actions.iter().chain(&s.functions) {
            check_identifier(&mut sink, &op.name, op.pos);
            let parameters: Vec<_> = op
                .parameters
                .iter()
                .map(|p| {
                    (
                        p,
                        resolver.type_ref_or_report(&mut sink, &p.type_name, p.pos),
                    )
                })
                .collect();
            let binding = if op.is_bound {
                match parameters.first() {
                    Some((_, t)) => Some(*t),
                    None => {
                        sink.error(
                            Code::InvalidModel,
                            op.pos,
                            format!("bound operation `{}` has no binding parameter", op.name),
                        );
                        None
                    }
                }
            } else {
                None
            };
            let return_type = op
                .return_type
                .as_ref()
                .map(|r| resolver.type_ref_or_report(&mut sink, &r.type_name, r.pos));
            let id = OperationId(model.operations.len() as u32);
            if let Some(b) = binding.and_then(|b| b.named()) {
                model.bound.entry(b).or_default().push(id);
            }
            model.operations.push(OperationDef {
                raw: op,
                namespace: ns,
                qualified: qualify(ns, &op.name),
                binding,
                parameters,
                return_type,
            });
        }
        for t in &s.terms {
            for applies in &t.applies_to {
                if !is_symbolic_or_qualified(applies) {
                    sink.warning(
                        Code::InvalidAttribute,
                        t.pos,
                        format!(
                            "`AppliesTo` of term `{}` has the invalid value `{applies}`; it is ignored",
                            t.name
                        ),
                    );
                }
            }
            model.terms.push((qualify(ns, &t.name), t));
        }
        for c in &s.entity_containers {
            if model.container_name.is_some() {
                sink.error(
                    Code::DuplicateName,
                    c.pos,
                    "a document has more than one entity container",
                );
                continue;
            }
            model.container_name = Some(qualify(ns, &c.name));
            let mut names: HashMap<&str, ()> = HashMap::default();
            for set in &c.entity_sets {
                let ty = resolver
                    .type_ref_or_report(&mut sink, &set.entity_type, set.pos)
                    .named();
                if names.insert(&set.name, ()).is_some() {
                    sink.error(
                        Code::DuplicateName,
                        set.pos,
                        format!("container child `{}` is declared more than once", set.name),
                    );
                }
                model.container.push(ContainerChild {
                    name: &set.name,
                    ty,
                    is_set: true,
                    bindings: &set.navigation_bindings,
                    pos: set.pos,
                });
            }
            for single in &c.singletons {
                let ty = resolver
                    .type_ref_or_report(&mut sink, &single.type_name, single.pos)
                    .named();
                if names.insert(&single.name, ()).is_some() {
                    sink.error(
                        Code::DuplicateName,
                        single.pos,
                        format!(
                            "container child `{}` is declared more than once",
                            single.name
                        ),
                    );
                }
                model.container.push(ContainerChild {
                    name: &single.name,
                    ty,
                    is_set: false,
                    bindings: &single.navigation_bindings,
                    pos: single.pos,
                });
            }
            model
                .imports
                .extend(c.action_imports.iter().chain(&c.function_imports));
        }
    }

    // 6. Annotations: inline ones on their element, external ones on their normalized target.
    attach_annotations(
        &mut model,
        doc,
        &aliases,
        annotations,
        &duplicates,
        &mut sink,
    );

    model.diagnostics = sink.diagnostics;
    model
}

/// The member names of one type so far. Most types have a handful of members, where a linear
/// scan beats hashing every name; past [`NameSet::FEW`] a hash set keeps a hostile type with
/// thousands of members linear.
#[derive(Default)]
struct NameSet<'a> {
    few: Vec<&'a str>,
    many: HashSet<&'a str>,
}

impl<'a> NameSet<'a> {
    const FEW: usize = 16;

    fn clear(&mut self) {
        self.few.clear();
        // Clearing a set that grew once costs its capacity; skip it while unused.
        if !self.many.is_empty() {
            self.many.clear();
        }
    }

    /// Records `name`; false when it was already there.
    fn insert(&mut self, name: &'a str) -> bool {
        if self.many.is_empty() {
            if self.few.contains(&name) {
                return false;
            }
            if self.few.len() < Self::FEW {
                self.few.push(name);
                return true;
            }
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(name)
    }
}

/// Resolves type names against the document's namespaces and aliases without allocating.
struct Resolver<'r, 'a> {
    aliases: &'r [(&'a str, Option<&'a str>, u32)],
    index: &'r HashMap<(u32, &'a str), TypeId>,
}

impl Resolver<'_, '_> {
    /// Resolves `Collection(x)` / `x`; `None` when the name does not resolve.
    fn type_ref(&self, text: &str) -> Option<TypeRef> {
        // Type names are almost never padded; skip the Unicode-aware trim when the ends are
        // plain ASCII non-space bytes.
        let text = match (text.as_bytes().first(), text.as_bytes().last()) {
            (Some(&a), Some(&z)) if a > b' ' && a < 0x80 && z > b' ' && z < 0x80 => text,
            _ => text.trim(),
        };
        let (collection, item) = match text
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            Some(inner) => (true, inner.trim()),
            None => (false, text),
        };
        // Most references are `Edm.*`; the prefix test is cheaper than searching for the dot.
        if let Some(name) = item.strip_prefix("Edm.")
            && !name.as_bytes().contains(&b'.')
        {
            return Primitive::from_name(name).map(|p| TypeRef {
                collection,
                kind: TypeKind::Primitive(p),
            });
        }
        let (ns, name) = split_last_dot(item)?;
        let namespace = self
            .aliases
            .iter()
            .find(|(n, a, _)| *n == ns || *a == Some(ns))
            .map(|(_, _, id)| *id)?;
        self.index.get(&(namespace, name)).map(|id| TypeRef {
            collection,
            kind: TypeKind::Named(*id),
        })
    }

    fn type_ref_or_report(&self, sink: &mut Sink<'_>, text: &str, pos: Pos) -> TypeRef {
        match self.type_ref(text) {
            Some(t) => t,
            None => {
                sink.error(
                    Code::UnresolvedType,
                    pos,
                    format!("type `{text}` does not exist"),
                );
                TypeRef {
                    collection: text.starts_with("Collection("),
                    kind: TypeKind::Unresolved,
                }
            }
        }
    }
}

fn structured_members<'a>(
    resolver: &Resolver<'_, 'a>,
    sink: &mut Sink<'_>,
    names: &mut NameSet<'a>,
    annotations: &mut Annotated<'a>,
    ns: &'a str,
    raw: &'a csdl::StructuredType<'a>,
) -> StructuredDef<'a> {
    names.clear();
    file_member_annotations(annotations, ns, raw);
    let mut check = |sink: &mut Sink<'_>, name: &'a str, pos: Pos| {
        check_identifier(sink, name, pos);
        if !names.insert(name) {
            sink.error(
                Code::DuplicateName,
                pos,
                format!("`{}` has more than one member named `{name}`", raw.name),
            );
        }
    };
    let mut properties = Vec::with_capacity(raw.properties.len());
    for p in &raw.properties {
        check(sink, &p.name, p.pos);
        let ty = resolver.type_ref_or_report(sink, &p.type_name, p.pos);
        properties.push(PropertyDef {
            raw: p,
            ty,
            nullable: p.facets.nullable.unwrap_or(true),
        });
    }
    let mut navigation = Vec::with_capacity(raw.navigation_properties.len());
    for p in &raw.navigation_properties {
        check(sink, &p.name, p.pos);
        let ty = resolver.type_ref_or_report(sink, &p.type_name, p.pos);
        navigation.push(NavigationDef {
            raw: p,
            ty,
            nullable: p.nullable.unwrap_or(true),
        });
    }
    StructuredDef {
        raw,
        base: None,
        properties,
        navigation,
    }
}

fn enum_members<'a>(
    resolver: &Resolver<'_, 'a>,
    sink: &mut Sink<'_>,
    names: &mut NameSet<'a>,
    raw: &'a csdl::EnumType<'a>,
) -> EnumDef<'a> {
    let underlying = match raw.underlying_type.as_deref() {
        None => Primitive::Int32,
        Some(u) => match resolver.type_ref(u) {
            Some(TypeRef {
                collection: false,
                kind:
                    TypeKind::Primitive(
                        p @ (Primitive::Byte
                        | Primitive::SByte
                        | Primitive::Int16
                        | Primitive::Int32
                        | Primitive::Int64),
                    ),
            }) => p,
            _ => {
                sink.error(
                    Code::InvalidAttribute,
                    raw.pos,
                    format!(
                        "enum `{}` has underlying type `{u}`; it must be Edm.Byte, SByte, Int16, Int32 or Int64",
                        raw.name
                    ),
                );
                Primitive::Int32
            }
        },
    };
    let (min, max): (i64, i64) = match underlying {
        Primitive::Byte => (0, u8::MAX.into()),
        Primitive::SByte => (i8::MIN.into(), i8::MAX.into()),
        Primitive::Int16 => (i16::MIN.into(), i16::MAX.into()),
        Primitive::Int32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    };
    let explicit = raw.members.iter().filter(|m| m.value.is_some()).count();
    if explicit != 0 && explicit != raw.members.len() {
        sink.error(
            Code::InvalidModel,
            raw.pos,
            format!(
                "enum `{}` gives values to some members but not all; implicit values are used for the rest",
                raw.name
            ),
        );
    }
    let mut members = Vec::with_capacity(raw.members.len());
    names.clear();
    let mut next = 0i64;
    for m in &raw.members {
        check_identifier(sink, &m.name, m.pos);
        if !names.insert(&m.name) {
            sink.error(
                Code::DuplicateName,
                m.pos,
                format!("enum `{}` has more than one member `{}`", raw.name, m.name),
            );
            continue;
        }
        let value = m.value.unwrap_or(next);
        if raw.is_flags && (m.value.is_none() || value < 0) {
            sink.error(
                Code::InvalidModel,
                m.pos,
                format!(
                    "member `{}` of flags enum `{}` needs an explicit non-negative value",
                    m.name, raw.name
                ),
            );
        }
        if value < min || value > max {
            sink.error(
                Code::InvalidModel,
                m.pos,
                format!(
                    "value {value} of member `{}` does not fit the underlying type of `{}`",
                    m.name, raw.name
                ),
            );
        }
        members.push((m.name.as_ref(), value));
        next = value.saturating_add(1);
    }
    EnumDef {
        raw,
        underlying,
        members,
    }
}

/// `namespace.name` without going through `format!` (this runs for every type).
fn qualify(namespace: &str, name: &str) -> String {
    let mut q = String::with_capacity(namespace.len() + 1 + name.len());
    q.push_str(namespace);
    q.push('.');
    q.push_str(name);
    q
}

/// `IDENT_TABLE[b]`: 0 if ASCII byte `b` cannot be in a plain identifier, [`IDENT_START`] if it
/// can start one, [`IDENT_CONTINUE`] if it can only follow. Non-ASCII bytes are 0 and take the
/// slow path.
const IDENT_TABLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c == b'_' || c.is_ascii_alphabetic() {
            IDENT_START
        } else if c.is_ascii_digit() {
            IDENT_CONTINUE
        } else {
            0
        };
        b += 1;
    }
    t
};
const IDENT_START: u8 = 2;
const IDENT_CONTINUE: u8 = 1;

/// `s.rsplit_once('.')` as a plain backwards byte loop: names are short, and the generic char
/// searcher's setup (memrchr) costs more than the scan.
pub(crate) fn split_last_dot(s: &str) -> Option<(&str, &str)> {
    let i = s.as_bytes().iter().rposition(|&b| b == b'.')?;
    Some((&s[..i], &s[i + 1..]))
}

/// Reports a name that is not a CSDL simple identifier (CSDL-10).
fn check_identifier(sink: &mut Sink<'_>, name: &str, pos: Pos) {
    if name.is_empty() {
        return; // already reported as a missing attribute
    }
    // Fast path: nearly every real name is plain ASCII; one table load per byte.
    let bytes = name.as_bytes();
    if bytes.len() <= 128
        && IDENT_TABLE[usize::from(bytes[0])] == IDENT_START
        && bytes.iter().all(|b| IDENT_TABLE[usize::from(*b)] != 0)
    {
        return;
    }
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic());
    let rest_ok = chars.all(|c| c == '_' || c.is_alphanumeric() || is_mark(c));
    if !first_ok || !rest_ok || name.chars().count() > 128 {
        sink.error(
            Code::InvalidAttribute,
            pos,
            format!("`{name}` is not a valid CSDL identifier"),
        );
    }
}

/// Combining marks are allowed after the first character; `char` has no direct test for them,
/// so accept the common combining ranges.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn is_symbolic_or_qualified(value: &str) -> bool {
    !value.is_empty()
        && value.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// `TARGET_BYTE[b]`: [`SEPARATOR`] for the bytes that end a token of a target path or
/// signature, [`WHITESPACE`] for ASCII whitespace (dropped), 0 for the rest.
const TARGET_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if matches!(c, b'/' | b'(' | b')' | b',' | b'@' | b'#') {
            SEPARATOR
        } else if c.is_ascii_whitespace() {
            WHITESPACE
        } else {
            0
        };
        b += 1;
    }
    t
};
const SEPARATOR: u8 = 1;
const WHITESPACE: u8 = 2;

/// Whether [`normalize_qualified`] must rewrite `name`: it has whitespace or a token that is
/// alias-qualified. Scans for the aliases' first bytes with `memchr` and for whitespace with a
/// loop the compiler vectorizes, instead of classifying every byte: this runs once per
/// external target, ~7700 times on the 2021 schema, and nearly always answers no.
fn needs_rewrite(schemas: &[(&str, Option<&str>)], name: &str) -> bool {
    let bytes = name.as_bytes();
    // Every ASCII whitespace byte is <= b' '; a false alarm only takes the exact path.
    if bytes.iter().fold(false, |any, &b| any | (b <= b' ')) {
        return true;
    }
    for (_, alias) in schemas {
        let Some(alias) = *alias else { continue };
        let Some(&first) = alias.as_bytes().first() else {
            return true; // an empty alias is invalid anyway; let the exact path decide
        };
        for at in memchr::memchr_iter(first, bytes) {
            // Only a token start can be alias-qualified.
            if at > 0 && TARGET_BYTE[usize::from(bytes[at - 1])] != SEPARATOR {
                continue;
            }
            let end = bytes[at..]
                .iter()
                .position(|&b| TARGET_BYTE[usize::from(b)] == SEPARATOR)
                .map_or(bytes.len(), |n| at + n);
            let token = &name[at..end];
            if let Some(simple) = token.strip_prefix(alias).and_then(|t| t.strip_prefix('.'))
                && !simple.as_bytes().contains(&b'.')
            {
                return true;
            }
        }
    }
    false
}

/// Rewrites every alias-qualified name inside `name` (a qualified name, a target path or an
/// overload signature) to its namespace-qualified form and removes whitespace. Borrows `name`
/// when nothing changes (most Graph targets are already namespace-qualified); otherwise one
/// pass and one allocation: the 2021 schema has thousands of external targets.
pub(crate) fn normalize_qualified<'n>(
    schemas: &[(&str, Option<&str>)],
    name: &'n str,
) -> Cow<'n, str> {
    /// The namespace replacing the alias that qualifies `token`, and the simple name after it.
    /// A prefix test per alias: most tokens are namespace-qualified and fail on the first byte.
    fn replacement<'s, 't>(
        schemas: &[(&'s str, Option<&str>)],
        token: &'t str,
    ) -> Option<(&'s str, &'t str)> {
        schemas.iter().find_map(|(namespace, alias)| {
            let simple = token.strip_prefix((*alias)?)?.strip_prefix('.')?;
            (!simple.as_bytes().contains(&b'.')).then_some((*namespace, simple))
        })
    }
    fn push_token(out: &mut String, schemas: &[(&str, Option<&str>)], token: &str) {
        match replacement(schemas, token) {
            Some((namespace, simple)) => {
                out.push_str(namespace);
                out.push('.');
                out.push_str(simple);
            }
            None => out.push_str(token),
        }
    }
    if !needs_rewrite(schemas, name) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 16);
    let mut start = 0;
    for (i, &b) in name.as_bytes().iter().enumerate() {
        let class = TARGET_BYTE[usize::from(b)];
        if class != 0 {
            push_token(&mut out, schemas, &name[start..i]);
            if class == SEPARATOR {
                out.push(char::from(b));
            }
            start = i + 1;
        }
    }
    push_token(&mut out, schemas, &name[start..]);
    Cow::Owned(out)
}

/// Concatenates `parts` into one exactly sized string (cheaper than `format!` for targets).
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Annotations by normalized target, as [`Model::annotations`] holds them.
type Annotated<'a> = HashMap<Cow<'a, str>, Vec<&'a csdl::Annotation<'a>>>;

/// Files `list` under the target `key` makes. Keys are formatted only for elements that carry
/// annotations: most do not, and formatting a key per property would dominate resolve time.
fn file<'a>(
    annotations: &mut Annotated<'a>,
    key: impl FnOnce() -> Cow<'a, str>,
    list: &'a [csdl::Annotation<'a>],
) {
    if !list.is_empty() {
        annotations.entry(key()).or_default().extend(list);
    }
}

/// The inline annotations of a structured type's properties and navigation properties.
fn file_member_annotations<'a>(
    annotations: &mut Annotated<'a>,
    ns: &str,
    t: &'a csdl::StructuredType<'a>,
) {
    let name = t.name.as_ref();
    for p in &t.properties {
        file(
            annotations,
            || concat(&[ns, ".", name, "/", &p.name]).into(),
            &p.annotations,
        );
    }
    for p in &t.navigation_properties {
        file(
            annotations,
            || concat(&[ns, ".", name, "/", &p.name]).into(),
            &p.annotations,
        );
    }
}

/// Completes `annotations` (which already holds those of the members of every indexed
/// structured type) with every other inline annotation and the external `Annotations`
/// groups, then stores it in the model.
fn attach_annotations<'a>(
    model: &mut Model<'a>,
    doc: &'a Document<'a>,
    aliases: &[(&'a str, Option<&'a str>, u32)],
    mut annotations: Annotated<'a>,
    duplicates: &[&'a csdl::StructuredType<'a>],
    sink: &mut Sink<'_>,
) {
    // The map is built apart from the model so that target checks can borrow the model.
    for s in &doc.schemas {
        let ns = s.namespace.as_ref();
        file(&mut annotations, || Cow::Borrowed(ns), &s.annotations);
        for t in s.entity_types.iter().chain(&s.complex_types) {
            let name = t.name.as_ref();
            // A duplicate declaration is not in the model, so its members were not filed
            // with the first one's.
            if duplicates.iter().any(|d| std::ptr::eq(*d, t)) {
                file_member_annotations(&mut annotations, ns, t);
            }
            file(
                &mut annotations,
                || concat(&[ns, ".", name]).into(),
                &t.annotations,
            );
        }
        for t in &s.enum_types {
            let name = t.name.as_ref();
            for m in &t.members {
                file(
                    &mut annotations,
                    || concat(&[ns, ".", name, "/", &m.name]).into(),
                    &m.annotations,
                );
            }
            file(
                &mut annotations,
                || concat(&[ns, ".", name]).into(),
                &t.annotations,
            );
        }
        for t in &s.type_definitions {
            file(
                &mut annotations,
                || concat(&[ns, ".", &t.name]).into(),
                &t.annotations,
            );
        }
        for t in &s.terms {
            file(
                &mut annotations,
                || concat(&[ns, ".", &t.name]).into(),
                &t.annotations,
            );
        }
        for c in &s.entity_containers {
            let name = c.name.as_ref();
            for set in &c.entity_sets {
                file(
                    &mut annotations,
                    || concat(&[ns, ".", name, "/", &set.name]).into(),
                    &set.annotations,
                );
            }
            for single in &c.singletons {
                file(
                    &mut annotations,
                    || concat(&[ns, ".", name, "/", &single.name]).into(),
                    &single.annotations,
                );
            }
            for i in c.action_imports.iter().chain(&c.function_imports) {
                file(
                    &mut annotations,
                    || concat(&[ns, ".", name, "/", &i.name]).into(),
                    &i.annotations,
                );
            }
            file(
                &mut annotations,
                || concat(&[ns, ".", name]).into(),
                &c.annotations,
            );
        }
        // Operation inline annotations are read from the operation itself
        // (`Model::operation_annotations`), since overloads share a name.
        for op in s.actions.iter().chain(&s.functions) {
            for p in &op.parameters {
                file(
                    &mut annotations,
                    || concat(&[ns, ".", &op.name, "/", &p.name]).into(),
                    &p.annotations,
                );
            }
        }
    }
    let heads = TargetHeads::new(model);
    // Only entries with an alias can rewrite a target; order is kept, so the first wins.
    let aliases: Vec<(&str, Option<&str>)> = aliases
        .iter()
        .filter(|(_, a, _)| a.is_some())
        .map(|&(ns, a, _)| (ns, a))
        .collect();
    for s in &doc.schemas {
        for group in &s.annotation_groups {
            let target = normalize_qualified(&aliases, &group.target);
            if !heads.exists(model, &target) {
                sink.warning(
                    Code::UnresolvedTarget,
                    group.pos,
                    format!(
                        "annotation target `{}` does not exist; its annotations are ignored",
                        group.target
                    ),
                );
                continue;
            }
            // Most targets get one group: a Vec of exactly its annotations, not `extend`'s four.
            match annotations.get_mut(target.as_ref()) {
                Some(list) => list.extend(&group.annotations),
                None => {
                    annotations.insert(target, group.annotations.iter().collect());
                }
            }
        }
    }
    model.annotations = annotations;
}

/// The names a target's first segment may be, besides types (which [`Model::type_id`] finds):
/// hashed once, because the 2021 schema has ~7700 external targets and ~1260 operations.
struct TargetHeads<'m> {
    /// Operations, terms and schemas: a bare head names them, with or without a signature.
    others: rustc_hash::FxHashSet<&'m str>,
    /// Entity sets, singletons and imports of the container.
    container_children: rustc_hash::FxHashSet<&'m str>,
}

impl<'m> TargetHeads<'m> {
    fn new(model: &'m Model<'_>) -> Self {
        let mut others = rustc_hash::FxHashSet::with_capacity_and_hasher(
            model.operations.len() + model.terms.len() + model.schemas.len(),
            Default::default(),
        );
        others.extend(model.operations.iter().map(|o| o.qualified.as_str()));
        others.extend(model.terms.iter().map(|(q, _)| q.as_str()));
        others.extend(model.schemas.iter().map(|(n, _)| *n));
        let mut container_children = rustc_hash::FxHashSet::with_capacity_and_hasher(
            model.container.len() + model.imports.len(),
            Default::default(),
        );
        container_children.extend(model.container.iter().map(|c| c.name));
        container_children.extend(model.imports.iter().map(|i| i.name.as_ref()));
        TargetHeads {
            others,
            container_children,
        }
    }

    /// True when the first segment of a normalized target names a type, an operation, the
    /// container or a schema, and a second segment (if any) names one of its members.
    fn exists(&self, model: &Model<'_>, target: &str) -> bool {
        let head_end = target
            .bytes()
            .position(|b| b == b'/' || b == b'(')
            .unwrap_or(target.len());
        let head = &target[..head_end];
        let rest = &target[head_end..];
        if let Some(id) = model.type_id(head) {
            let Some(member) = rest.strip_prefix('/') else {
                return rest.is_empty();
            };
            let member = member.split('/').next().unwrap_or("");
            return match &model.ty(id).kind {
                TypeDefKind::Structured(_) => {
                    // Base chains are acyclic after resolution; the bound only guards that.
                    let mut current = Some(id);
                    for _ in 0..=model.types.len() {
                        let Some(s) = current.and_then(|t| model.structured(t)) else {
                            break;
                        };
                        if s.properties.iter().any(|p| p.name() == member)
                            || s.navigation.iter().any(|p| p.name() == member)
                        {
                            return true;
                        }
                        current = s.base;
                    }
                    false
                }
                TypeDefKind::Enum(e) => e.members.iter().any(|(n, _)| *n == member),
                TypeDefKind::Definition(_) => false,
            };
        }
        if model.container_name.as_deref() == Some(head) {
            let Some(child) = rest.strip_prefix('/') else {
                return rest.is_empty();
            };
            let child = child.split('/').next().unwrap_or("");
            return self.container_children.contains(child);
        }
        self.others.contains(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csdl::{ReadOptions, parse};

    fn doc(body: &str) -> String {
        format!(
            r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="microsoft.graph" Alias="graph">
{body}
</Schema></edmx:DataServices></edmx:Edmx>"#
        )
    }

    fn codes(model: &Model<'_>) -> Vec<Code> {
        model.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn resolves_aliases_inheritance_and_derived_types() {
        let text = doc(r#"
<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="identitySet" BaseType="graph.entity"><Property Name="user" Type="microsoft.graph.identity"/></EntityType>
<ComplexType Name="identity"><Property Name="displayName" Type="Edm.String"/></ComplexType>
<ComplexType Name="userIdentity" BaseType="graph.identity"><Property Name="ipAddress" Type="Edm.String"/></ComplexType>
<ComplexType Name="groupIdentity" BaseType="graph.identity"/>
<Action Name="cancel" IsBound="true"><Parameter Name="bindingParameter" Type="graph.identitySet"/></Action>
<EntityContainer Name="GraphService"><EntitySet Name="sets" EntityType="graph.identitySet"/></EntityContainer>
<Annotations Target="graph.identitySet/user"><Annotation Term="Org.OData.Core.V1.Computed"/></Annotations>
<Annotations Target="graph.cancel(graph.identitySet)"><Annotation Term="Org.OData.Core.V1.Description" String="Cancels."/></Annotations>
"#);
        let parsed = parse(&text, ReadOptions::default());
        assert!(parsed.diagnostics.is_empty());
        let model = resolve(&parsed.document, text.as_bytes());
        assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
        let set = model.type_id("microsoft.graph.identitySet").unwrap();
        let identity = model.type_id("microsoft.graph.identity").unwrap();
        let props: Vec<_> = model
            .all_properties(set)
            .iter()
            .map(|(_, p)| p.name().to_owned())
            .collect();
        assert_eq!(props, ["id", "user"]);
        assert_eq!(model.key(set), ["id"]);
        let derived: Vec<_> = model
            .all_derived(identity)
            .iter()
            .map(|t| model.ty(*t).name)
            .collect();
        assert_eq!(derived, ["groupIdentity", "userIdentity"]);
        assert_eq!(
            model
                .annotations_on("microsoft.graph.identitySet/user")
                .len(),
            1
        );
        let ops = model.bound_operations(set);
        assert_eq!(ops.len(), 1);
        assert_eq!(model.operation_annotations(ops[0]).len(), 1);
        assert_eq!(model.container_child("sets").unwrap().ty, Some(set));
    }

    #[test]
    fn reports_unresolved_types_cycles_and_duplicates() {
        let text = doc(r#"
<ComplexType Name="a" BaseType="graph.b"><Property Name="x" Type="graph.nothing"/><Property Name="x" Type="Edm.String"/></ComplexType>
<ComplexType Name="b" BaseType="graph.a"/>
<ComplexType Name="b"/>
<EntityType Name="c" BaseType="graph.a"/>
"#);
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let codes = codes(&model);
        assert!(codes.contains(&Code::UnresolvedType), "{codes:?}");
        assert!(codes.contains(&Code::DuplicateName), "{codes:?}");
        assert!(codes.contains(&Code::BaseTypeCycle), "{codes:?}");
        assert!(codes.contains(&Code::InvalidModel), "{codes:?}");
        // The cycle was cut, so walking base chains terminates.
        let a = model.type_id("microsoft.graph.a").unwrap();
        assert!(model.base_chain(a).len() <= 2);
        // Every diagnostic has a real position.
        for d in &model.diagnostics {
            assert!(d.line >= 2, "{d}");
        }
    }

    #[test]
    fn member_annotations_are_filed_in_document_order_even_from_duplicate_types() {
        let text = doc(r#"
<ComplexType Name="t"><Property Name="p" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Description" String="first"/></Property></ComplexType>
<ComplexType Name="t"><NavigationProperty Name="p" Type="graph.t"><Annotation Term="Org.OData.Core.V1.Description" String="second"/></NavigationProperty></ComplexType>
<Annotations Target="graph.t/p"><Annotation Term="Org.OData.Core.V1.Description" String="external"/></Annotations>
"#);
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let values: Vec<String> = model
            .annotations_on("microsoft.graph.t/p")
            .iter()
            .map(|a| format!("{:?}", a.value))
            .collect();
        assert_eq!(values.len(), 3, "{values:?}");
        for (value, word) in values.iter().zip(["first", "second", "external"]) {
            assert!(value.contains(word), "{values:?}");
        }
    }

    #[test]
    fn enum_values_implicit_and_checked() {
        let text = doc(r#"
<EnumType Name="e"><Member Name="a"/><Member Name="b"/><Member Name="c"/></EnumType>
<EnumType Name="f" IsFlags="true" UnderlyingType="Edm.Byte"><Member Name="x" Value="1"/><Member Name="y" Value="300"/></EnumType>
"#);
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        let e = model.type_id("microsoft.graph.e").unwrap();
        let TypeDefKind::Enum(def) = &model.ty(e).kind else {
            panic!()
        };
        assert_eq!(def.members, [("a", 0), ("b", 1), ("c", 2)]);
        assert_eq!(codes(&model), [Code::InvalidModel]);
    }

    #[test]
    fn normalizes_targets() {
        let schemas = [("microsoft.graph", Some("graph"))];
        assert_eq!(
            normalize_qualified(&schemas, "graph.cancel(graph.x, Collection(graph.y))"),
            "microsoft.graph.cancel(microsoft.graph.x,Collection(microsoft.graph.y))"
        );
        assert_eq!(
            normalize_qualified(&schemas, "graph.GraphService/users"),
            "microsoft.graph.GraphService/users"
        );
        // Already normalized: borrowed, not copied.
        let written = "microsoft.graph.cancel(microsoft.graph.x)";
        assert!(matches!(
            normalize_qualified(&schemas, written),
            Cow::Borrowed(s) if s == written
        ));
        // A token that merely ends with the alias is not alias-qualified.
        assert_eq!(
            normalize_qualified(&schemas, "xgraph.a/graph.b.c"),
            "xgraph.a/graph.b.c"
        );
        assert_eq!(
            normalize_qualified(&schemas, "graph.a b"),
            "microsoft.graph.ab"
        );
        // Alias-qualified tokens after a separator are found too.
        assert_eq!(
            normalize_qualified(&schemas, "microsoft.graph.f(Collection(graph.y))"),
            "microsoft.graph.f(Collection(microsoft.graph.y))"
        );
        assert_eq!(
            normalize_qualified(&schemas, "microsoft.graph.x/graph.y"),
            "microsoft.graph.x/microsoft.graph.y"
        );
        assert!(matches!(
            normalize_qualified(&schemas, "microsoft.graph.g/graphs.y"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn invalid_identifiers_and_applies_to() {
        let text = doc(r#"
<ComplexType Name="9lives"/>
<Term Name="t" Type="Edm.String" AppliesTo="microsoft.graph.groundingItem)"/>
"#);
        let parsed = parse(&text, ReadOptions::default());
        let model = resolve(&parsed.document, text.as_bytes());
        assert_eq!(
            codes(&model),
            [Code::InvalidAttribute, Code::InvalidAttribute]
        );
        assert_eq!(
            model.diagnostics[1].severity,
            crate::diag::Severity::Warning
        );
    }
}
