//! [`build`]: resolved model + selection → [`Ir`].
//!
//! The steps, in order:
//! 1. find the *polymorphic* types: selected types used as a declared type (property,
//!    navigation target, operation parameter or return, entity set) that have selected
//!    non-abstract derived types; values of those are held by a `…Kind` enum;
//! 2. name every item ([`crate::naming`]): types first, unique across namespaces, then the
//!    derived `…Kind` and `…Update` names, which yield to schema names on a collision;
//! 3. decide boxing: a single-valued complex property is boxed when its type can contain the
//!    owner again (same strongly connected component of the "contains inline" graph);
//!    single-valued navigation properties are always boxed (entities refer to each other
//!    freely, and boxing keeps the structs small);
//! 4. build the items, with docs and deprecation;
//! 5. put each item in a file ([`Areas`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::csdl::StructuredKind;
use crate::model::vocab::Core;
use crate::model::{Model, Primitive, PropertyDef, TypeDefKind, TypeId, TypeKind, TypeRef};
use crate::naming::{self, Name, NameTable, Style, TypeRequest};
use crate::select::{Selection, SelectionConfig, select};

use super::docs;
use super::{
    Alias, Deprecation, EdmType, Enum, Field, File, Ir, Item, Member, ODataName, Polymorphic,
    RenameNote, Shape, Struct, StructKind, TypeExpr, Update, Variant,
};

/// How to build the IR.
#[derive(Debug, Clone)]
pub struct Options {
    /// How items are split into files.
    pub areas: Areas,
    /// Generate an update body for every non-abstract entity type, not only for the
    /// addressable ones (whole-schema runs).
    pub all_updatable: bool,
}

/// How items are split into files.
#[derive(Debug, Clone)]
pub enum Areas {
    /// By bound path: each [`Reach`] names the file of the types only its path reaches; types
    /// reached by paths of several files go to `common`, enums to `enums`, reference-only
    /// types to `references`.
    Reach(Vec<Reach>),
    /// By namespace, at most `max_items` items per file (whole-schema runs).
    Chunked {
        /// Items per file.
        max_items: usize,
    },
}

/// The types one bound path reaches (its own selection closure).
#[derive(Debug, Clone)]
pub struct Reach {
    /// The file its types go to (`snake_case` of the path's first segment).
    pub area: String,
    /// The bound path.
    pub path: String,
    /// The entity type at the end of the path.
    pub root: TypeId,
    /// Every type the path alone selects, in full or as a reference.
    pub types: BTreeSet<TypeId>,
}

impl Options {
    /// Options for the PIM selection: one file per first path segment of the bound paths,
    /// computed by selecting each bound path alone.
    pub fn by_bind(model: &Model<'_>, config: &SelectionConfig) -> Options {
        let mut reach = Vec::new();
        for bind in &config.binds {
            // The path alone: `[[server_set]]` entries do not change a closure, and may name
            // types other paths select.
            let one = SelectionConfig {
                binds: vec![bind.clone()],
                ..SelectionConfig::default()
            };
            let Ok(sel) = select(model, &one) else {
                continue;
            };
            let Some(root) = sel
                .bound
                .first()
                .and_then(|b| b.segments.last())
                .map(|s| s.ty)
            else {
                continue;
            };
            let first = bind
                .path
                .split('/')
                .find(|s| !s.is_empty())
                .unwrap_or("common");
            reach.push(Reach {
                area: naming::module_name(first).ident,
                path: bind.path.clone(),
                root,
                types: sel
                    .types
                    .keys()
                    .chain(sel.reference_only.keys())
                    .copied()
                    .collect(),
            });
        }
        Options {
            areas: Areas::Reach(reach),
            all_updatable: false,
        }
    }

    /// Options for whole-schema runs.
    pub fn whole_schema() -> Options {
        Options {
            areas: Areas::Chunked { max_items: 150 },
            all_updatable: true,
        }
    }
}

/// A selection of every type of the model (for whole-schema runs): every type in full, every
/// entity type addressable, every operation selected.
pub fn select_everything(model: &Model<'_>) -> Selection {
    use crate::select::Reason;
    let mut sel = Selection::default();
    for (i, t) in model.types.iter().enumerate() {
        let id = TypeId(i as u32);
        sel.types.insert(id, Reason::Bound("*".to_owned()));
        if let TypeDefKind::Structured(s) = &t.kind
            && s.kind() == StructuredKind::Entity
        {
            sel.addressable.insert(id, Vec::new());
        }
    }
    sel.operations = (0..model.operations.len())
        .map(|i| crate::model::OperationId(i as u32))
        .collect();
    sel
}

/// Builds the IR. Deterministic; never fails (what cannot be typed becomes
/// `serde_json::Value`, and every rename is recorded in [`Ir::renames`]).
pub fn build(model: &Model<'_>, sel: &Selection, options: &Options) -> Ir {
    let mut b = Builder::new(model, sel, options);
    b.name_types();
    b.compute_boxing();
    let items = b.items();
    let files = b.files(items);
    let mut renames = b.renames;
    renames.sort_by(|a, b| a.pos.cmp(&b.pos).then(a.message.cmp(&b.message)));
    Ir { files, renames }
}

struct Builder<'m, 'a> {
    model: &'m Model<'a>,
    sel: &'m Selection,
    options: &'m Options,
    /// Structured types generated in full.
    full: BTreeSet<TypeId>,
    /// Reference-only entity types.
    refs: BTreeSet<TypeId>,
    /// Polymorphic bases → their variants (non-abstract selected derived types).
    poly: BTreeMap<TypeId, Vec<TypeId>>,
    /// Entity types with an update body.
    updatable: BTreeSet<TypeId>,
    names: BTreeMap<TypeId, Name>,
    kind_names: BTreeMap<TypeId, Name>,
    update_names: BTreeMap<TypeId, Name>,
    /// Strongly connected component of each full structured type in the "contains inline"
    /// graph.
    scc: BTreeMap<TypeId, usize>,
    renames: Vec<RenameNote>,
}

impl<'m, 'a> Builder<'m, 'a> {
    fn new(model: &'m Model<'a>, sel: &'m Selection, options: &'m Options) -> Self {
        let structured = |id: &TypeId| model.structured(*id).is_some();
        let full: BTreeSet<TypeId> = sel.types.keys().copied().filter(structured).collect();
        let refs: BTreeSet<TypeId> = sel
            .reference_only
            .keys()
            .copied()
            .filter(|t| structured(t) && !full.contains(t))
            .collect();
        let is_abstract = |id: TypeId| model.structured(id).is_some_and(|s| s.raw.is_abstract);

        // Step 1: declared positions.
        let mut declared: BTreeSet<TypeId> = BTreeSet::new();
        for &t in &full {
            if let Some(s) = model.structured(t) {
                declared.extend(s.properties.iter().filter_map(|p| p.ty.named()));
                declared.extend(s.navigation.iter().filter_map(|n| n.ty.named()));
            }
        }
        for &op in &sel.operations {
            let o = model.operation(op);
            declared.extend(o.parameters.iter().filter_map(|(_, t)| t.named()));
            declared.extend(o.return_type.iter().filter_map(|t| t.named()));
        }
        for b in &sel.bound {
            declared.extend(b.segments.iter().map(|s| s.ty));
        }
        let mut poly = BTreeMap::new();
        for &t in declared.intersection(&full) {
            let variants: Vec<TypeId> = model
                .all_derived(t)
                .into_iter()
                .filter(|d| full.contains(d) && !is_abstract(*d))
                .collect();
            if !variants.is_empty() {
                poly.insert(t, variants);
            }
        }

        let entity = |t: &TypeId| {
            model
                .structured(*t)
                .is_some_and(|s| s.kind() == StructuredKind::Entity && !s.raw.is_abstract)
        };
        let updatable: BTreeSet<TypeId> = if options.all_updatable {
            full.iter().copied().filter(entity).collect()
        } else {
            let mut u = BTreeSet::new();
            for &t in sel.addressable.keys().filter(|t| full.contains(t)) {
                u.insert(t);
                u.extend(
                    model
                        .all_derived(t)
                        .into_iter()
                        .filter(|d| full.contains(d)),
                );
            }
            u.into_iter().filter(entity).collect()
        };

        Builder {
            model,
            sel,
            options,
            full,
            refs,
            poly,
            updatable,
            names: BTreeMap::new(),
            kind_names: BTreeMap::new(),
            update_names: BTreeMap::new(),
            scc: BTreeMap::new(),
            renames: Vec::new(),
        }
    }

    fn odata_name(&self, id: TypeId) -> ODataName {
        let t = self.model.ty(id);
        let alias = self
            .model
            .schemas
            .iter()
            .find(|(ns, _)| *ns == t.namespace)
            .and_then(|(_, a)| *a);
        ODataName {
            namespace: t.namespace.to_owned(),
            alias: alias.map(str::to_owned),
            name: t.name.to_owned(),
        }
    }

    fn core(&self, target: &str) -> Core {
        Core::from_annotations(self.model.annotations_on(target))
    }

    fn note_renames(
        &mut self,
        renames: Vec<naming::Rename>,
        pos_of: impl Fn(&str) -> crate::diag::Pos,
    ) {
        for r in renames {
            self.renames.push(RenameNote {
                pos: pos_of(&r.source),
                message: format!(
                    "`{}` is generated as `{}` instead of `{}`: {}",
                    r.source, r.given, r.wanted, r.because
                ),
            });
        }
    }

    /// Step 2: type names, then `…Kind` and `…Update` names.
    fn name_types(&mut self) {
        let model = self.model;
        let ids: Vec<TypeId> = self
            .sel
            .types
            .keys()
            .chain(self.refs.iter())
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let requests: Vec<TypeRequest<'_>> = ids
            .iter()
            .map(|id| {
                let t = model.ty(*id);
                TypeRequest {
                    namespace: t.namespace,
                    name: t.name,
                }
            })
            .collect();
        // The main namespace is the one declaring the most types; ties go to the first name.
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for t in &model.types {
            *counts.entry(t.namespace).or_default() += 1;
        }
        let main = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(ns, _)| *ns)
            .unwrap_or("");
        let (names, renames) = naming::type_names(&requests, main, &[]);
        for (id, name) in ids.iter().zip(names) {
            self.names.insert(*id, name);
        }
        let pos_of_type = |source: &str| {
            model
                .type_id(source.split(' ').next().unwrap_or(source))
                .map(|id| model.ty(id).pos)
                .unwrap_or_default()
        };
        self.note_renames(renames, pos_of_type);

        let mut table = NameTable::new(Style::Camel);
        for n in self.names.values() {
            table.reserve(&n.ident);
        }
        let mut kinds = Vec::new();
        for &t in self.poly.keys() {
            let wanted = Name::plain(format!("{}Kind", self.names[&t].ident));
            let source = format!("{} (polymorphic value)", model.ty(t).qualified);
            kinds.push((t, table.request_with_priority(1, source, wanted)));
        }
        let mut updates = Vec::new();
        for &t in &self.updatable {
            let wanted = Name::plain(format!("{}Update", self.names[&t].ident));
            let source = format!("{} (update body)", model.ty(t).qualified);
            updates.push((t, table.request_with_priority(1, source, wanted)));
        }
        let (names, renames) = table.finish();
        for (t, i) in kinds {
            self.kind_names.insert(t, names[i].clone());
        }
        for (t, i) in updates {
            self.update_names.insert(t, names[i].clone());
        }
        self.note_renames(renames, pos_of_type);
    }

    /// The targets a single-valued structural property of type `t` holds inline.
    fn inline_targets(&self, t: TypeId) -> Vec<TypeId> {
        if !self.full.contains(&t) {
            return Vec::new();
        }
        let mut out = vec![t];
        if let Some(v) = self.poly.get(&t) {
            out.extend(v.iter().copied());
        }
        out
    }

    /// Step 3: Tarjan's strongly connected components of the "contains inline" graph.
    fn compute_boxing(&mut self) {
        let nodes: Vec<TypeId> = self.full.iter().copied().collect();
        let mut edges: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
        for &t in &nodes {
            let e = edges.entry(t).or_default();
            for (_, p) in self.model.all_properties(t) {
                if p.ty.collection {
                    continue;
                }
                if let Some(target) = p.ty.named() {
                    e.extend(self.inline_targets(target));
                }
            }
        }
        struct Tarjan<'e> {
            edges: &'e BTreeMap<TypeId, Vec<TypeId>>,
            index: BTreeMap<TypeId, usize>,
            low: BTreeMap<TypeId, usize>,
            stack: Vec<TypeId>,
            on_stack: BTreeSet<TypeId>,
            next: usize,
            scc: BTreeMap<TypeId, usize>,
            count: usize,
        }
        impl Tarjan<'_> {
            fn visit(&mut self, v: TypeId) {
                self.index.insert(v, self.next);
                self.low.insert(v, self.next);
                self.next += 1;
                self.stack.push(v);
                self.on_stack.insert(v);
                for &w in self.edges.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                    if !self.index.contains_key(&w) {
                        self.visit(w);
                        let lw = self.low[&w];
                        let lv = self.low.get_mut(&v).expect("visited");
                        *lv = (*lv).min(lw);
                    } else if self.on_stack.contains(&w) {
                        let iw = self.index[&w];
                        let lv = self.low.get_mut(&v).expect("visited");
                        *lv = (*lv).min(iw);
                    }
                }
                if self.low[&v] == self.index[&v] {
                    while let Some(w) = self.stack.pop() {
                        self.on_stack.remove(&w);
                        self.scc.insert(w, self.count);
                        if w == v {
                            break;
                        }
                    }
                    self.count += 1;
                }
            }
        }
        let mut tarjan = Tarjan {
            edges: &edges,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            next: 0,
            scc: BTreeMap::new(),
            count: 0,
        };
        for &v in &nodes {
            if !tarjan.index.contains_key(&v) {
                tarjan.visit(v);
            }
        }
        self.scc = tarjan.scc;
    }

    /// Whether a single-valued structural property of `owner` with type `target` is boxed.
    fn boxed(&self, owner: TypeId, target: TypeId) -> bool {
        let Some(own) = self.scc.get(&owner) else {
            return false;
        };
        self.inline_targets(target)
            .iter()
            .any(|t| self.scc.get(t) == Some(own))
    }

    fn deprecation_of(&self, target: &str) -> Option<Deprecation> {
        self.core(target).deprecation().map(docs::deprecation)
    }

    /// The deprecation of a type: its own, else the one of the deprecated bound type that is
    /// the only way the selection reaches it (all of PIM iteration 2 is deprecated through
    /// `microsoft.graph.privilegedAccess`).
    fn type_deprecation(&self, id: TypeId) -> Option<Deprecation> {
        if let Some(d) = self.deprecation_of(&self.model.type_target(id)) {
            return Some(d);
        }
        let Areas::Reach(reach) = &self.options.areas else {
            return None;
        };
        let reaching: Vec<&Reach> = reach.iter().filter(|r| r.types.contains(&id)).collect();
        let first = reaching.first()?;
        let root_dep = |r: &Reach| self.deprecation_of(&self.model.type_target(r.root));
        let dep = root_dep(first)?;
        if reaching.iter().all(|r| root_dep(r).is_some()) {
            let root = &self.model.ty(first.root).qualified;
            Some(Deprecation {
                since: dep.since,
                note: format!("{} (inherited from `{root}`)", dep.note),
            })
        } else {
            None
        }
    }

    /// The Rust type of a value of CSDL type `t` (before wrapping), or `None` for
    /// `Edm.Stream`, which is never a JSON member.
    fn type_expr(&self, t: &TypeRef) -> Option<TypeExpr> {
        Some(match t.kind {
            TypeKind::Primitive(p) => primitive(p)?,
            TypeKind::Unresolved => TypeExpr::Json,
            TypeKind::Named(id) => match &self.model.ty(id).kind {
                TypeDefKind::Structured(_) => {
                    if let Some(k) = self.kind_names.get(&id) {
                        TypeExpr::Named(k.clone())
                    } else if self.full.contains(&id) || self.refs.contains(&id) {
                        TypeExpr::Named(self.names[&id].clone())
                    } else {
                        TypeExpr::Json
                    }
                }
                TypeDefKind::Enum(e) => match self.names.get(&id) {
                    Some(n) if e.raw.is_flags => TypeExpr::Flags(n.clone()),
                    Some(n) => TypeExpr::Named(n.clone()),
                    None => TypeExpr::Edm(EdmType::String),
                },
                TypeDefKind::Definition(d) => match self.names.get(&id) {
                    Some(n) => TypeExpr::Named(n.clone()),
                    None => primitive(d.underlying)?,
                },
            },
        })
    }

    fn csdl_type_text(&self, t: &TypeRef, raw: &str) -> String {
        if t.kind == TypeKind::Unresolved {
            raw.to_owned()
        } else {
            self.model.type_ref_name(t)
        }
    }

    /// Step 4.
    fn items(&mut self) -> Vec<(TypeId, Item)> {
        let mut items = Vec::new();
        let ids: Vec<TypeId> = self.names.keys().copied().collect();
        for id in ids {
            let t = self.model.ty(id);
            match &t.kind {
                TypeDefKind::Structured(_) if self.full.contains(&id) => {
                    items.push((id, Item::Struct(self.full_struct(id))));
                    if self.poly.contains_key(&id) {
                        items.push((id, Item::Polymorphic(self.polymorphic(id))));
                    }
                    if self.updatable.contains(&id) {
                        items.push((id, Item::Update(self.update(id))));
                    }
                }
                TypeDefKind::Structured(_) => {
                    items.push((id, Item::Struct(self.reference_struct(id))));
                }
                TypeDefKind::Enum(_) => items.push((id, Item::Enum(self.enumeration(id)))),
                TypeDefKind::Definition(d) => {
                    let core = self.core(&self.model.type_target(id));
                    let mut docs = docs::description(&core);
                    docs.push(format!(
                        "The `{}` type definition: an alias of `{}`.",
                        t.qualified,
                        d.underlying.edm_name()
                    ));
                    items.push((
                        id,
                        Item::Alias(Alias {
                            name: self.names[&id].clone(),
                            odata: self.odata_name(id),
                            docs,
                            deprecation: self.type_deprecation(id),
                            ty: primitive(d.underlying).unwrap_or(TypeExpr::Json),
                        }),
                    ));
                }
            }
        }
        items
    }

    /// The properties of `id` (inherited first), de-duplicated by wire name (a redeclared
    /// property keeps its first position and its most derived definition).
    fn members(&self, id: TypeId) -> Vec<MemberRef<'m, 'a>> {
        let model = self.model;
        let mut out: Vec<MemberRef<'m, 'a>> = Vec::new();
        let props = model
            .all_properties(id)
            .into_iter()
            .map(|(owner, p)| MemberRef::Property(owner, p));
        let navs = model
            .all_navigation(id)
            .into_iter()
            .map(|(owner, n)| MemberRef::Navigation(owner, n));
        for m in props.chain(navs) {
            match out.iter().position(|o| o.name() == m.name()) {
                Some(i) => out[i] = m,
                None => out.push(m),
            }
        }
        out
    }

    /// Field names of a struct: reserved names first, then the members.
    fn field_names(&mut self, id: TypeId, wires: &[&str]) -> Vec<Name> {
        let mut table = NameTable::new(Style::Snake);
        table.reserve("additional_properties");
        table.reserve("explicit_nulls");
        let qualified = self.model.ty(id).qualified.clone();
        for w in wires {
            table.request(format!("{qualified}/{w}"), naming::field_name(w));
        }
        let (names, renames) = table.finish();
        let pos = self.model.ty(id).pos;
        self.note_renames(renames, |_| pos);
        names
    }

    fn full_struct(&mut self, id: TypeId) -> Struct {
        let model = self.model;
        let t = model.ty(id);
        let s = model.structured(id).expect("structured");
        let key = model.key(id);
        let members: Vec<MemberRef<'m, 'a>> = self
            .members(id)
            .into_iter()
            .filter(|m| !m.is_stream())
            .collect();
        let streams: Vec<String> = self
            .members(id)
            .into_iter()
            .filter(|m| m.is_stream())
            .map(|m| m.name().to_owned())
            .collect();
        let wires: Vec<&str> = members.iter().map(|m| m.name()).collect();
        let names = self.field_names(id, &wires);
        let mut fields = Vec::new();
        for (m, name) in members.iter().zip(names) {
            let Some(field) = self.field(id, m, name, &key) else {
                continue;
            };
            fields.push(field);
        }
        let has_default = !fields.iter().any(|f| f.required);
        let core = self.core(&model.type_target(id));
        let kind = match s.kind() {
            StructuredKind::Entity => StructKind::Entity,
            StructuredKind::Complex => StructKind::Complex,
        };
        let mut docs = docs::description(&core);
        let what = match kind {
            StructKind::Entity => "entity type",
            _ => "complex type",
        };
        let mut line = format!("The `{}` {what}", t.qualified);
        if s.raw.is_abstract {
            line.push_str(" (abstract)");
        }
        if s.raw.open_type {
            line.push_str(" (open: instances may carry undeclared properties)");
        }
        line.push('.');
        if let Some(base) = s.base {
            line.push_str(&format!(
                " It derives from `{}`; the properties of its base types are included.",
                model.ty(base).qualified
            ));
        }
        docs.push(line);
        if let Some(k) = self.kind_names.get(&id) {
            docs.push(format!(
                "Where a property declares this type, its value is a [`{k}`], which also holds \
                 the derived types."
            ));
        }
        let required: Vec<String> = fields
            .iter()
            .filter(|f| f.required)
            .map(|f| format!("`{}`", f.wire))
            .collect();
        let name = self.names[&id].clone();
        if required.is_empty() {
            docs.push(format!(
                "Build one with [`{name}::new`] (or `Default`), then assign the fields you need."
            ));
        } else {
            docs.push(format!(
                "Build one with [`{name}::new`], which takes the properties the schema requires \
                 (non-nullable and not computed): {}. There is no `Default`, so a create body \
                 cannot leave them out.",
                required.join(", ")
            ));
        }
        if let Some(u) = self.update_names.get(&id) {
            docs.push(format!("Change one with a PATCH body: [`{u}`]."));
        }
        docs.push(
            "Decoding never fails because a property is absent: every field is an `Option` \
             (responses to `$select` omit even non-nullable properties). Members without a \
             field — newer properties, misspelled keys, instance annotations such as \
             `@odata.etag` — are kept in `additional_properties`, and `null` is told apart from \
             absent, so encoding gives back the JSON value that was decoded."
                .to_owned(),
        );
        if !streams.is_empty() {
            docs.push(format!(
                "Stream properties ({}) are not JSON members and have no field; their media \
                 links (`<name>@odata.mediaReadLink`) are kept in `additional_properties`.",
                streams
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Struct {
            name,
            odata: self.odata_name(id),
            kind,
            docs,
            deprecation: self.type_deprecation(id),
            fields,
            has_default,
        }
    }

    /// The field of member `m` of struct `owner`; `None` for stream properties.
    fn field(
        &self,
        owner: TypeId,
        m: &MemberRef<'_, '_>,
        name: Name,
        key: &[&str],
    ) -> Option<Field> {
        let model = self.model;
        let (declaring, ty, raw_type, nullable, explicit_nullable) = match m {
            MemberRef::Property(o, p) => (
                *o,
                p.ty,
                p.raw.type_name.as_ref(),
                p.nullable,
                p.raw.facets.nullable,
            ),
            MemberRef::Navigation(o, n) => (
                *o,
                n.ty,
                n.raw.type_name.as_ref(),
                n.nullable,
                n.raw.nullable,
            ),
        };
        let expr = self.type_expr(&ty)?;
        let navigation = matches!(m, MemberRef::Navigation(..));
        let wire = m.name().to_owned();
        let target = model.member_target(declaring, &wire);
        let core = self.core(&target);
        let is_key = key.contains(&wire.as_str());
        let shape = if ty.collection {
            Shape::Collection {
                nullable_items: explicit_nullable == Some(true) && !navigation,
            }
        } else {
            let boxed = navigation || ty.named().is_some_and(|t| self.boxed(owner, t));
            Shape::Single { boxed }
        };
        // Listed under `[[server_set]]` in the selection file: the service fills it in.
        let server_set = self.sel.server_set.contains(&target);
        let required = !navigation
            && !ty.collection
            && !nullable
            && !core.computed
            && !server_set
            && !is_key
            && matches!(m, MemberRef::Property(..));
        let csdl_type = self.csdl_type_text(&ty, raw_type);
        let mut docs = docs::description(&core);
        let mut facts = vec![format!("`{wire}`: `{csdl_type}`")];
        if is_key {
            facts.push("key".to_owned());
        }
        if navigation {
            facts.push(if ty.named().is_some_and(|t| self.refs.contains(&t)) {
                "navigation property (present when expanded; the target is generated as a \
                 reference: key and additional properties)"
                    .to_owned()
            } else {
                "navigation property (present when expanded)".to_owned()
            });
        }
        if ty.collection {
            facts.push(match explicit_nullable {
                Some(true) => "items may be `null`".to_owned(),
                _ => "`None` when absent or `null`".to_owned(),
            });
        } else if nullable {
            facts.push("nullable".to_owned());
        } else {
            facts.push(
                "not nullable: `None` only when the payload omits it (`$select`) or breaks the \
                 schema"
                    .to_owned(),
            );
        }
        if core.computed {
            facts.push("computed by the service (read-only)".to_owned());
        }
        if core.immutable {
            facts.push("immutable (set on create, never changed)".to_owned());
        }
        if server_set && !core.computed {
            facts.push(
                "set by the service (a `server_set` property of the selection), so `new` does \
                 not ask for it; assign the field to send a value"
                    .to_owned(),
            );
        }
        if required {
            facts.push("required when creating (see `new`)".to_owned());
        }
        docs.push(format!("{}.", facts.join("; ")));
        Some(Field {
            name,
            wire,
            ty: expr,
            shape,
            csdl_type,
            nullable,
            required,
            navigation,
            docs,
            deprecation: self.deprecation_of(&target),
        })
    }

    fn reference_struct(&mut self, id: TypeId) -> Struct {
        let model = self.model;
        let key = model.key(id);
        let members: Vec<MemberRef<'m, 'a>> = self
            .members(id)
            .into_iter()
            .filter(|m| matches!(m, MemberRef::Property(..)) && key.contains(&m.name()))
            .collect();
        let wires: Vec<&str> = members.iter().map(|m| m.name()).collect();
        let names = self.field_names(id, &wires);
        let fields: Vec<Field> = members
            .iter()
            .zip(names)
            .filter_map(|(m, n)| self.field(id, m, n, &key))
            .collect();
        let t = model.ty(id);
        let core = self.core(&model.type_target(id));
        let mut docs = docs::description(&core);
        docs.push(format!(
            "A reference to a `{}`: the selection does not generate this entity type in full, so \
             only its key is typed. Every other member — including the `@odata.type` and the \
             properties of derived types such as users or groups — is kept in \
             `additional_properties` and written back unchanged.",
            t.qualified
        ));
        Struct {
            name: self.names[&id].clone(),
            odata: self.odata_name(id),
            kind: StructKind::Reference,
            docs,
            deprecation: self.type_deprecation(id),
            fields,
            has_default: true,
        }
    }

    fn polymorphic(&self, id: TypeId) -> Polymorphic {
        let model = self.model;
        let mut variants = vec![id];
        variants.extend(self.poly[&id].iter().copied());
        let variants: Vec<Variant> = variants
            .into_iter()
            .map(|v| Variant {
                name: self.names[&v].clone(),
                ty: self.names[&v].clone(),
                odata: self.odata_name(v),
                deprecated: self.type_deprecation(v).is_some(),
            })
            .collect();
        let t = model.ty(id);
        let base = &self.names[&id];
        let docs = vec![
            format!(
                "A `{}` value: the declared type or one of its derived types.",
                t.qualified
            ),
            format!(
                "Decoding picks the variant from `@odata.type`, in any form Graph writes it \
                 (with or without `#`, namespace- or alias-qualified, any casing, a `$metadata` \
                 URL). A missing `@odata.type`, or one naming a type this version does not know, \
                 gives [`Self::{base}`], whose `additional_properties` keep every member it does \
                 not declare. Encoding a derived variant writes `@odata.type` first unless its \
                 `additional_properties` already hold one."
            ),
        ];
        Polymorphic {
            name: self.kind_names[&id].clone(),
            base: self.odata_name(id),
            docs,
            variants,
        }
    }

    fn update(&mut self, id: TypeId) -> Update {
        let model = self.model;
        let key = model.key(id);
        let members: Vec<MemberRef<'m, 'a>> = self
            .members(id)
            .into_iter()
            .filter(|m| !m.is_stream() && !key.contains(&m.name()))
            .filter(|m| match m {
                MemberRef::Property(..) => true,
                MemberRef::Navigation(_, n) => n.raw.contains_target,
            })
            .filter(|m| {
                let core = self.core(&model.member_target(m.owner(), m.name()));
                !core.computed && !core.immutable
            })
            .collect();
        let wires: Vec<&str> = members.iter().map(|m| m.name()).collect();
        let names = self.field_names(id, &wires);
        let fields: Vec<Field> = members
            .iter()
            .zip(names)
            .filter_map(|(m, n)| self.field(id, m, n, &key))
            .map(|mut f| {
                // An update body is never part of a cycle (nothing contains it), and nothing
                // in it is required.
                if let Shape::Single { boxed } = &mut f.shape {
                    *boxed = false;
                }
                f.required = false;
                f
            })
            .collect();
        let t = model.ty(id);
        let family = model
            .base_chain(id)
            .into_iter()
            .skip(1)
            .any(|b| self.poly.contains_key(&b));
        let odata = self.odata_name(id);
        let of = self.names[&id].clone();
        let mut docs =
            vec![
            format!("The body of a PATCH request that updates a `{}` ([`{of}`]).", t.qualified),
            "Each field is a `::pim_api::edm::Patch`: `Absent` (the default) leaves the property \
             out of the body and unchanged, `Null` sends `null` and clears it, `Value` sets it. \
             Keys, computed and immutable properties are left out; so are navigation properties, \
             except contained ones (Graph accepts nested rules in a policy PATCH)."
                .to_owned(),
        ];
        if family {
            docs.push(format!(
                "Writes `\"@odata.type\": \"{}\"` unless `additional_properties` holds a type: the \
                 endpoint declares a base type, so Graph needs it to know which derived type is \
                 meant.",
                odata.tag()
            ));
        }
        Update {
            name: self.update_names[&id].clone(),
            of,
            odata_type: family.then(|| odata.tag()),
            odata,
            docs,
            deprecation: self.type_deprecation(id),
            fields,
        }
    }

    fn enumeration(&mut self, id: TypeId) -> Enum {
        let model = self.model;
        let t = model.ty(id);
        let TypeDefKind::Enum(e) = &t.kind else {
            unreachable!("enumeration() is called for enum types");
        };
        let mut table = NameTable::new(Style::Camel);
        let requests: Vec<usize> = e
            .members
            .iter()
            .map(|(m, _)| table.request(format!("{}/{m}", t.qualified), naming::variant_name(m)))
            .collect();
        // The catch-all is `Unknown`, or `UnknownValue` when a member is named `unknown`
        // (hundreds of Graph enums have one): a fixed rule, so no rename to report.
        let wanted = if e
            .members
            .iter()
            .any(|(m, _)| naming::variant_name(m).ident == "Unknown")
        {
            "UnknownValue"
        } else {
            "Unknown"
        };
        let unknown_index = table.request_with_priority(
            1,
            format!("{} (unknown values)", t.qualified),
            Name::plain(wanted),
        );
        let (names, renames) = table.finish();
        // Renames of enum members are reported at the enum (members carry no position in
        // the model).
        let mut notes = Vec::new();
        for r in renames {
            notes.push(RenameNote {
                pos: t.pos,
                message: format!(
                    "`{}` is generated as `{}` instead of `{}`: {}",
                    r.source, r.given, r.wanted, r.because
                ),
            });
        }
        let sentinel = e
            .members
            .iter()
            .position(|(m, _)| *m == "unknownFutureValue");
        let members = e
            .members
            .iter()
            .enumerate()
            .map(|(i, (m, v))| {
                let target = model.member_target(id, m);
                let core = self.core(&target);
                let mut docs = docs::description(&core);
                docs.push(format!("`{m}` (value {v})."));
                if Some(i) == sentinel {
                    docs.push(
                        "Graph's sentinel: it is sent in place of an evolvable member (one \
                         declared after it) to clients that did not ask for those with \
                         `Prefer: include-unknown-enum-members`."
                            .to_owned(),
                    );
                } else if sentinel.is_some_and(|s| i > s) {
                    docs.push(
                        "Evolvable member (declared after `unknownFutureValue`): Graph sends it \
                         only with `Prefer: include-unknown-enum-members`, and \
                         `unknownFutureValue` otherwise."
                            .to_owned(),
                    );
                }
                Member {
                    name: names[requests[i]].clone(),
                    wire: (*m).to_owned(),
                    value: *v,
                    docs,
                    deprecation: self.deprecation_of(&target),
                }
            })
            .collect();
        let core = self.core(&model.type_target(id));
        let mut docs = docs::description(&core);
        let unknown = names[unknown_index].clone();
        docs.push(format!(
            "The `{}` enumeration{}.",
            t.qualified,
            if e.raw.is_flags {
                " (flags: properties of this type hold a `::pim_api::edm::Flags` of members, \
                 written as a comma-separated list)"
            } else {
                ""
            }
        ));
        docs.push(format!(
            "Decoding matches member names ignoring ASCII case; encoding writes the schema's \
             spelling; a value this version does not know is kept verbatim in \
             [`Self::{unknown}`] and written back unchanged."
        ));
        self.renames.extend(notes);
        Enum {
            name: self.names[&id].clone(),
            odata: self.odata_name(id),
            docs,
            deprecation: self.type_deprecation(id),
            members,
            unknown,
            flags: e.raw.is_flags,
        }
    }

    /// Step 5.
    fn files(&self, items: Vec<(TypeId, Item)>) -> Vec<File> {
        let mut by_module: BTreeMap<String, (String, Vec<Item>)> = BTreeMap::new();
        match &self.options.areas {
            Areas::Reach(reach) => {
                let mut paths: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                for r in reach {
                    paths
                        .entry(r.area.as_str())
                        .or_default()
                        .push(r.path.as_str());
                }
                for (id, item) in items {
                    let module = match &item {
                        Item::Enum(_) => "enums".to_owned(),
                        Item::Struct(s) if s.kind == StructKind::Reference => {
                            "references".to_owned()
                        }
                        _ => {
                            let areas: BTreeSet<&str> = reach
                                .iter()
                                .filter(|r| r.types.contains(&id))
                                .map(|r| r.area.as_str())
                                .collect();
                            match (areas.len(), areas.first()) {
                                (1, Some(a)) => (*a).to_owned(),
                                _ => "common".to_owned(),
                            }
                        }
                    };
                    let summary = match module.as_str() {
                        "enums" => "Enumerations of the selected types.".to_owned(),
                        "references" => {
                            "Entity types the selection only references (key and additional \
                             properties)."
                                .to_owned()
                        }
                        "common" => "Types shared by several areas of the selection.".to_owned(),
                        area => format!(
                            "Types only reached through {}.",
                            paths
                                .get(area)
                                .map(|p| {
                                    p.iter()
                                        .map(|p| format!("`/{p}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                })
                                .unwrap_or_default()
                        ),
                    };
                    by_module
                        .entry(module)
                        .or_insert_with(|| (summary, Vec::new()))
                        .1
                        .push(item);
                }
            }
            Areas::Chunked { max_items } => {
                let mut by_ns: BTreeMap<String, Vec<Item>> = BTreeMap::new();
                for (id, item) in items {
                    let ns = self.model.ty(id).namespace;
                    let segment = ns.rsplit('.').next().unwrap_or(ns);
                    by_ns
                        .entry(naming::module_name(segment).ident)
                        .or_default()
                        .push(item);
                }
                for (ns, mut list) in by_ns {
                    list.sort_by(|a, b| a.name().cmp(b.name()));
                    let chunks = list.len().div_ceil((*max_items).max(1));
                    let mut list = list.into_iter();
                    for n in 1..=chunks {
                        let chunk: Vec<Item> = list.by_ref().take(*max_items).collect();
                        let module = if chunks == 1 {
                            ns.clone()
                        } else {
                            format!("{ns}_{n}")
                        };
                        let summary =
                            format!("Types of the `{ns}` namespace (part {n} of {chunks}).");
                        by_module.insert(module, (summary, chunk));
                    }
                }
            }
        }
        by_module
            .into_iter()
            .map(|(module, (summary, mut items))| {
                items.sort_by(|a, b| a.name().cmp(b.name()));
                File {
                    module: Name::plain(module),
                    summary,
                    items,
                }
            })
            .collect()
    }
}

/// A structural or navigation property of a type, with the type declaring it.
#[derive(Clone, Copy)]
enum MemberRef<'m, 'a> {
    Property(TypeId, &'m PropertyDef<'a>),
    Navigation(TypeId, &'m crate::model::NavigationDef<'a>),
}

impl MemberRef<'_, '_> {
    fn name(&self) -> &str {
        match self {
            MemberRef::Property(_, p) => p.name(),
            MemberRef::Navigation(_, n) => n.name(),
        }
    }

    fn owner(&self) -> TypeId {
        match self {
            MemberRef::Property(o, _) | MemberRef::Navigation(o, _) => *o,
        }
    }

    fn is_stream(&self) -> bool {
        matches!(self, MemberRef::Property(_, p)
            if p.ty.kind == TypeKind::Primitive(Primitive::Stream))
    }
}

/// The Rust mapping of a primitive type; `None` for `Edm.Stream`.
fn primitive(p: Primitive) -> Option<TypeExpr> {
    use EdmType as E;
    Some(TypeExpr::Edm(match p {
        Primitive::Binary => E::Binary,
        Primitive::Boolean => E::Boolean,
        Primitive::Byte => E::Byte,
        Primitive::Date => E::Date,
        Primitive::DateTimeOffset => E::DateTimeOffset,
        Primitive::Decimal => E::Decimal,
        Primitive::Double => E::Double,
        Primitive::Duration => E::Duration,
        Primitive::Guid => E::Guid,
        Primitive::Int16 => E::Int16,
        Primitive::Int32 => E::Int32,
        Primitive::Int64 => E::Int64,
        Primitive::SByte => E::SByte,
        Primitive::Single => E::Single,
        Primitive::String | Primitive::ModelPath => E::String,
        Primitive::TimeOfDay => E::TimeOfDay,
        Primitive::Stream => return None,
        Primitive::Geo
        | Primitive::Untyped
        | Primitive::PrimitiveType
        | Primitive::ComplexType
        | Primitive::EntityType => return Some(TypeExpr::Json),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csdl::{ReadOptions, parse};
    use crate::model::resolve;

    const SCHEMA: &str = r#"<edmx:Edmx Version="4.0" xmlns:edmx="x"><edmx:DataServices>
<Schema Namespace="n" Alias="a">
<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="doc" BaseType="a.entity">
  <Property Name="title" Type="Edm.String" Nullable="false"/>
  <Property Name="stamp" Type="Edm.DateTimeOffset" Nullable="false"/>
  <Property Name="body" Type="Edm.Stream"/>
  <Property Name="tags" Type="Collection(Edm.String)" Nullable="true"/>
  <Property Name="words" Type="Collection(Edm.String)"/>
  <Property Name="who" Type="a.party"/>
  <Property Name="self" Type="a.loop"/>
  <NavigationProperty Name="owner" Type="a.user"/>
</EntityType>
<EntityType Name="user" BaseType="a.entity"/>
<ComplexType Name="party"/>
<ComplexType Name="person" BaseType="a.party"/>
<ComplexType Name="ghost" BaseType="a.party" Abstract="true"/>
<ComplexType Name="loop"><Property Name="next" Type="a.loop"/><Property Name="all" Type="Collection(a.loop)"/></ComplexType>
<EntityContainer Name="c"><EntitySet Name="docs" EntityType="a.doc"/></EntityContainer>
<Annotations Target="n.doc/stamp"><Annotation Term="Org.OData.Core.V1.Computed"/></Annotations>
</Schema></edmx:DataServices></edmx:Edmx>"#;

    fn ir() -> Ir {
        let parsed = parse(SCHEMA, ReadOptions::default());
        let model = resolve(&parsed.document, SCHEMA.as_bytes());
        // The whole schema: select() does not terminate on the `loop` cycle.
        let sel = select_everything(&model);
        build(&model, &sel, &Options::whole_schema())
    }

    fn find<'i>(ir: &'i Ir, name: &str) -> &'i Item {
        ir.files
            .iter()
            .flat_map(|f| &f.items)
            .find(|i| i.name().ident == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn structure<'i>(ir: &'i Ir, name: &str) -> &'i Struct {
        match find(ir, name) {
            Item::Struct(s) => s,
            other => panic!("{other:?}"),
        }
    }

    fn field<'s>(s: &'s Struct, wire: &str) -> &'s Field {
        s.fields.iter().find(|f| f.wire == wire).unwrap()
    }

    #[test]
    fn fields_carry_presence_and_shape() {
        let ir = ir();
        let doc = structure(&ir, "Doc");
        // Inherited key first; the stream property has no field.
        assert_eq!(doc.fields[0].wire, "id");
        assert!(!doc.fields.iter().any(|f| f.wire == "body"));
        // Required: non-nullable, not computed, not the key.
        let required: Vec<&str> = doc.required().map(|f| f.wire.as_str()).collect();
        assert_eq!(required, ["title"]);
        assert!(!doc.has_default);
        assert_eq!(
            field(doc, "tags").shape,
            Shape::Collection {
                nullable_items: true
            }
        );
        assert_eq!(
            field(doc, "words").shape,
            Shape::Collection {
                nullable_items: false
            }
        );
        // Keywords: `self` cannot be raw.
        assert_eq!(field(doc, "self").name.as_source(), "self_");
        // Navigation properties are boxed; the other fields only on cycles.
        assert_eq!(field(doc, "owner").shape, Shape::Single { boxed: true });
        assert_eq!(field(doc, "self").shape, Shape::Single { boxed: false });
        let looped = structure(&ir, "Loop");
        assert_eq!(field(looped, "next").shape, Shape::Single { boxed: true });
        assert!(matches!(
            field(looped, "all").shape,
            Shape::Collection { .. }
        ));
    }

    #[test]
    fn server_set_properties_are_not_required() {
        let parsed = parse(SCHEMA, ReadOptions::default());
        let model = resolve(&parsed.document, SCHEMA.as_bytes());
        let mut sel = select_everything(&model);
        // As `select` writes a `[[server_set]]` entry: the declaring type's member target.
        sel.server_set
            .insert(model.member_target(model.type_id("n.doc").unwrap(), "title"));
        let built = build(&model, &sel, &Options::whole_schema());
        let doc = structure(&built, "Doc");
        // `title` (non-nullable, not computed) was the only required field.
        assert_eq!(doc.required().count(), 0);
        assert!(doc.has_default);
        // The field stays, documented as set by the service, and stays in the PATCH body.
        let title = field(doc, "title");
        assert!(!title.nullable && !title.required);
        assert!(
            title.docs.last().unwrap().contains("set by the service"),
            "{:?}",
            title.docs
        );
        let Item::Update(u) = find(&built, "DocUpdate") else {
            panic!()
        };
        assert!(u.fields.iter().any(|f| f.wire == "title"));
        // Without the entry, the same build requires it.
        assert_eq!(
            structure(&ir(), "Doc")
                .required()
                .map(|f| f.wire.as_str())
                .collect::<Vec<_>>(),
            ["title"]
        );
    }

    #[test]
    fn polymorphic_values_list_concrete_types() {
        let ir = ir();
        let Item::Polymorphic(p) = find(&ir, "PartyKind") else {
            panic!()
        };
        let variants: Vec<&str> = p.variants.iter().map(|v| v.name.ident.as_str()).collect();
        // Base first; abstract derived types have no instances.
        assert_eq!(variants, ["Party", "Person"]);
        assert_eq!(p.variants[1].odata.alias.as_deref(), Some("a"));
        let doc = structure(&ir, "Doc");
        assert_eq!(
            field(doc, "who").ty,
            TypeExpr::Named(Name::plain("PartyKind"))
        );
    }

    #[test]
    fn update_bodies_skip_keys_and_computed_properties() {
        let ir = ir();
        let Item::Update(u) = find(&ir, "DocUpdate") else {
            panic!()
        };
        let wires: Vec<&str> = u.fields.iter().map(|f| f.wire.as_str()).collect();
        assert!(
            !wires.contains(&"id") && !wires.contains(&"stamp"),
            "{wires:?}"
        );
        assert!(wires.contains(&"title") && !wires.contains(&"owner"));
        assert!(u.fields.iter().all(|f| !f.required));
        // `doc` derives from `entity`, which no property declares: no `@odata.type`.
        assert_eq!(u.odata_type, None);
    }
}
