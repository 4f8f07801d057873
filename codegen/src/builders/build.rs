//! [`build`]: resolved model + selection + models' IR → [`Requests`].
//!
//! The steps, in order:
//! 1. index the models' Rust names by qualified CSDL name (structs, `…Kind` enums, `…Update`
//!    bodies, enums, aliases), so every payload type is the one the models generated;
//! 2. walk the path API breadth first from the entry resources: each *node* is a builder,
//!    identified by entity type, collection or not, resolved [`Access`], and the container
//!    path while some annotation still targets a path below it (so path-specific
//!    capabilities are honoured and the walk still terminates on cycles);
//! 3. name builders and action parameter structs in one name space, which reserves every
//!    model name; a builder whose entity type already has one gets the name of the
//!    navigation that first reached it;
//! 4. make each builder's methods (names in one snake-case name space per builder, with the
//!    fixed CRUD names reserved), with docs and deprecation.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::csdl::OperationKind;
use crate::diag::Pos;
use crate::ir::{Deprecation, EdmType, Ir, Item, RenameNote, TypeExpr};
use crate::model::vocab::{Core, Revision};
use crate::model::{Model, OperationId, Primitive, TypeDefKind, TypeId, TypeKind, TypeRef};
use crate::naming::{self, Name, NameTable, Style};
use crate::select::{Restriction, Selection};

use super::caps::{self, Access, Resource};
use super::{
    ActionResult, Builder, FunctionParam, FunctionResult, Idents, LiteralKind, Method, MethodKind,
    ParamField, Params, Payload, Requests, UpdateBody, UpdateTrait,
};

/// How many path templates a builder's docs list.
const MAX_TEMPLATES: usize = 3;

/// Inherent methods of `pim_api::runtime::Client` an entry point must not take.
const CLIENT_METHODS: &[&str] = &["builder", "base_url", "cloud", "retry_policy", "resume"];

/// Builds the request builders' IR. Deterministic; empty when the selection binds no path.
pub fn build(model: &Model<'_>, sel: &Selection, models: &Ir) -> Requests {
    let names = ModelNames::new(models);
    let mut graph = Graph::new(model, sel, &names);
    graph.walk();
    graph.finish()
}

/// Step 1: the models' Rust names by qualified CSDL name.
struct ModelNames {
    structs: HashMap<String, Name>,
    deprecations: HashMap<String, Deprecation>,
    kinds: HashMap<String, Name>,
    updates: HashMap<String, Name>,
    enums: HashMap<String, (Name, bool)>,
    aliases: HashMap<String, Name>,
    /// Every model identifier, reserved in the builders' type name space.
    idents: BTreeSet<String>,
}

impl ModelNames {
    fn new(ir: &Ir) -> ModelNames {
        let mut n = ModelNames {
            structs: HashMap::new(),
            deprecations: HashMap::new(),
            kinds: HashMap::new(),
            updates: HashMap::new(),
            enums: HashMap::new(),
            aliases: HashMap::new(),
            idents: BTreeSet::new(),
        };
        for item in ir.files.iter().flat_map(|f| &f.items) {
            n.idents.insert(item.name().ident.clone());
            match item {
                Item::Struct(s) => {
                    let q = s.odata.qualified();
                    if let Some(d) = &s.deprecation {
                        n.deprecations.insert(q.clone(), d.clone());
                    }
                    n.structs.insert(q, s.name.clone());
                }
                Item::Polymorphic(p) => {
                    n.kinds.insert(p.base.qualified(), p.name.clone());
                }
                Item::Update(u) => {
                    n.updates.insert(u.odata.qualified(), u.name.clone());
                }
                Item::Enum(e) => {
                    n.enums
                        .insert(e.odata.qualified(), (e.name.clone(), e.flags));
                }
                Item::Alias(a) => {
                    n.aliases.insert(a.odata.qualified(), a.name.clone());
                }
            }
        }
        n
    }
}

/// A builder of the path API, before naming.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    ty: TypeId,
    collection: bool,
    access: Access,
    /// The container path (`microsoft.graph.GraphService/a/b`) while annotations (or
    /// `[[restrict]]` entries) target paths below it; `None` once nothing does (then the
    /// builder depends on its type alone).
    ctx: Option<String>,
    /// Reached by a non-containment navigation: the reads only, one level deep.
    related: bool,
}

#[derive(Debug)]
struct Node {
    key: Key,
    /// The segment (navigation, entity set or singleton) that first reached it.
    via: String,
    /// Path templates reaching it, shortest first.
    templates: Vec<String>,
    edges: Vec<Edge>,
}

#[derive(Debug)]
enum Edge {
    Key {
        key_name: String,
        placeholder: String,
        target: usize,
    },
    Nav {
        name: String,
        target: usize,
        /// The CSDL type of the navigation property, for the docs.
        csdl_type: String,
        /// A non-containment navigation (a relationship).
        related: bool,
    },
}

struct Graph<'m, 'a> {
    model: &'m Model<'a>,
    sel: &'m Selection,
    names: &'m ModelNames,
    container: String,
    /// Annotation targets that are container paths (`GraphService/…`), and the paths of
    /// the `[[restrict]]` entries (which must be told apart like them).
    container_targets: Vec<String>,
    /// The `[[restrict]]` entries by container path (`microsoft.graph.GraphService/a/b`).
    restrictions: HashMap<String, &'m Restriction>,
    nodes: Vec<Node>,
    index: HashMap<Key, usize>,
    queue: VecDeque<usize>,
    /// Entry points: (container child name, node).
    entries: Vec<(String, usize)>,
    /// Names the naming rules had to change (collisions), reported as warnings.
    renames: RefCell<Vec<RenameNote>>,
}

impl<'m, 'a> Graph<'m, 'a> {
    fn new(model: &'m Model<'a>, sel: &'m Selection, names: &'m ModelNames) -> Self {
        let container = model.container_name.clone().unwrap_or_default();
        let prefix = format!("{container}/");
        let restrictions: HashMap<String, &Restriction> = sel
            .restrictions
            .iter()
            .map(|(path, r)| (format!("{prefix}{path}"), r))
            .collect();
        let mut container_targets: Vec<String> = model
            .annotations
            .keys()
            .filter(|t| !container.is_empty() && t.starts_with(&prefix))
            .map(|t| t.to_string())
            .chain(restrictions.keys().cloned())
            .collect();
        container_targets.sort_unstable();
        container_targets.dedup();
        Graph {
            model,
            sel,
            names,
            container,
            container_targets,
            restrictions,
            nodes: Vec::new(),
            index: HashMap::new(),
            queue: VecDeque::new(),
            entries: Vec::new(),
            renames: RefCell::new(Vec::new()),
        }
    }

    /// Records the renames of a name table, all reported at `pos`.
    fn note(&self, renames: Vec<naming::Rename>, pos: Pos) {
        self.renames
            .borrow_mut()
            .extend(renames.into_iter().map(|r| RenameNote {
                pos,
                message: format!(
                    "`{}` is generated as `{}` instead of `{}`: {}",
                    r.source, r.given, r.wanted, r.because
                ),
            }));
    }

    /// Whether some annotation targets a container path strictly below `path`.
    fn annotated_below(&self, path: &str) -> bool {
        self.container_targets.iter().any(|t| {
            t.len() > path.len() + 1 && t.starts_with(path) && t.as_bytes()[path.len()] == b'/'
        })
    }

    /// What `ty` can actually offer: types the selection only passes through have no
    /// payload of their own, and `update` needs a PATCH body type.
    fn restrict(&self, ty: TypeId, mut access: Access) -> Access {
        if !self.sel.is_full(ty) {
            return Access::default();
        }
        access.update &= self.update_body(ty).is_some();
        access
    }

    /// `access` with the `[[restrict]]` entry at container path `path` applied, if any.
    fn restricted(&self, path: Option<&str>, access: Access) -> Access {
        match path.and_then(|p| self.restrictions.get(p)) {
            Some(r) => access.restricted(r),
            None => access,
        }
    }

    fn node(&mut self, key: Key, via: &str, template: String) -> usize {
        if let Some(&i) = self.index.get(&key) {
            let templates = &mut self.nodes[i].templates;
            if templates.len() < MAX_TEMPLATES && !templates.contains(&template) {
                templates.push(template);
            }
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            key: key.clone(),
            via: via.to_owned(),
            templates: vec![template],
            edges: Vec::new(),
        });
        self.index.insert(key, i);
        self.queue.push_back(i);
        i
    }

    /// Step 2: breadth first from the entry resources, in selection order.
    fn walk(&mut self) {
        let model = self.model;
        let mut seen = BTreeSet::new();
        let firsts: Vec<String> = self
            .sel
            .bound
            .iter()
            .filter_map(|b| b.segments.first().map(|s| s.name.clone()))
            .collect();
        for name in firsts {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(child) = model.container_child(&name) else {
                continue;
            };
            let Some(ty) = child.ty else { continue };
            let path = format!("{}/{name}", self.container);
            let targets = [path.clone(), model.type_target(ty)];
            let resource = if child.is_set {
                Resource::Collection
            } else {
                Resource::Singleton
            };
            let access = self.restrict(ty, caps::resolve(model, &targets, resource));
            let access = self.restricted(Some(&path), access);
            let ctx = self.annotated_below(&path).then_some(path);
            let key = Key {
                ty,
                collection: child.is_set,
                access,
                ctx,
                related: false,
            };
            let i = self.node(key, &name, format!("/{name}"));
            self.entries.push((name, i));
        }
        while let Some(i) = self.queue.pop_front() {
            self.process(i);
        }
    }

    fn process(&mut self, i: usize) {
        let model = self.model;
        let key = self.nodes[i].key.clone();
        let template = self.nodes[i].templates[0].clone();
        let t = model.ty(key.ty);
        let mut edges = Vec::new();
        if key.collection {
            // Composite keys have no key-as-segment form in the runtime; none is selected.
            if let [key_name] = model.key(key.ty).as_slice() {
                let placeholder = format!("{}-{key_name}", t.name);
                let access = &key.access;
                let item = Key {
                    ty: key.ty,
                    collection: false,
                    access: Access {
                        get: access.get,
                        update: access.update,
                        delete: access.delete,
                        refuses_navigation: access.refuses_navigation.clone(),
                        refused: access
                            .refused
                            .iter()
                            .copied()
                            .filter(|v| *v != "create")
                            .collect(),
                        restricted_by: access.restricted_by.clone(),
                        ..Access::default()
                    },
                    ctx: key.ctx.clone(),
                    related: key.related,
                };
                let via = self.nodes[i].via.clone();
                let target = self.node(item, &via, format!("{template}/{{{placeholder}}}"));
                edges.push(Edge::Key {
                    key_name: (*key_name).to_owned(),
                    placeholder,
                    target,
                });
            }
        } else if !key.related {
            let navigation = model.all_navigation(key.ty);
            let hops = self
                .sel
                .addressable
                .get(&key.ty)
                .cloned()
                .unwrap_or_default();
            let refused = |name: &str| key.access.refuses_navigation.iter().any(|n| n == name);
            for (name, target_ty, collection) in hops {
                let Some((declaring, nav)) = navigation.iter().find(|(_, n)| n.name() == name)
                else {
                    continue;
                };
                if refused(&name) {
                    continue;
                }
                let path = key.ctx.as_ref().map(|c| format!("{c}/{name}"));
                let mut targets: Vec<String> = path.iter().cloned().collect();
                targets.push(model.member_target(*declaring, &name));
                targets.push(model.type_target(target_ty));
                let resource = if collection {
                    Resource::Collection
                } else {
                    Resource::SingleNavigation {
                        nullable: nav.nullable,
                    }
                };
                let access = self.restrict(target_ty, caps::resolve(model, &targets, resource));
                let access = self.restricted(path.as_deref(), access);
                let ctx = path.filter(|p| self.annotated_below(p));
                let child = Key {
                    ty: target_ty,
                    collection,
                    access,
                    ctx,
                    related: false,
                };
                let target = self.node(child, &name, format!("{template}/{name}"));
                edges.push(Edge::Nav {
                    name: name.clone(),
                    target,
                    csdl_type: model.type_ref_name(&nav.ty),
                    related: false,
                });
            }
            // Relationships (non-containment navigation) of an entity generated in full:
            // the reads of the target, one level deep, as Microsoft's SDKs offer them.
            if self.sel.is_full(key.ty) {
                for (declaring, nav) in &navigation {
                    let name = nav.name();
                    let Some(target_ty) = nav.ty.named() else {
                        continue;
                    };
                    if nav.raw.contains_target || refused(name) || !self.sel.contains(target_ty) {
                        continue;
                    }
                    let collection = nav.ty.collection;
                    let targets = [
                        model.member_target(*declaring, name),
                        model.type_target(target_ty),
                    ];
                    let resource = if collection {
                        Resource::Collection
                    } else {
                        Resource::SingleNavigation {
                            nullable: nav.nullable,
                        }
                    };
                    let access = caps::resolve(model, &targets, resource).read_only(collection);
                    let child = Key {
                        ty: target_ty,
                        collection,
                        access,
                        ctx: None,
                        related: true,
                    };
                    let target = self.node(child, name, format!("{template}/{name}"));
                    edges.push(Edge::Nav {
                        name: name.to_owned(),
                        target,
                        csdl_type: model.type_ref_name(&nav.ty),
                        related: true,
                    });
                }
            }
        }
        self.nodes[i].edges = edges;
    }

    // ---- types ---------------------------------------------------------------------------

    /// The payload type of an entity or complex value of type `id`: its `…Kind` enum when
    /// derived types may appear, else its struct.
    fn value_type(&self, id: TypeId) -> TypeExpr {
        let q = &self.model.ty(id).qualified;
        self.names
            .kinds
            .get(q)
            .or_else(|| self.names.structs.get(q))
            .map(|n| TypeExpr::Named(n.clone()))
            .unwrap_or(TypeExpr::Json)
    }

    fn payload(&self, id: TypeId) -> Payload {
        Payload {
            ty: self.value_type(id),
            collection: false,
            optional: false,
        }
    }

    /// The PATCH body of an entity type: its own `…Update` when it is the only one of its
    /// family, else the family (every non-abstract derived type has its own).
    fn update_body(&self, id: TypeId) -> Option<UpdateBody> {
        let model = self.model;
        let own = self.names.updates.get(&model.ty(id).qualified);
        let derived = model
            .all_derived(id)
            .into_iter()
            .any(|d| self.names.updates.contains_key(&model.ty(d).qualified));
        match (own, derived) {
            (Some(u), false) => Some(UpdateBody::Direct(u.clone())),
            (_, true) => self
                .names
                .structs
                .get(&model.ty(id).qualified)
                .map(|base| UpdateBody::Family { base: base.clone() }),
            (None, false) => None,
        }
    }

    /// The Rust type of an operation parameter or result, and how it is written as a
    /// function parameter.
    fn operation_type(&self, t: &TypeRef) -> (TypeExpr, LiteralKind) {
        let (ty, literal) = match t.kind {
            TypeKind::Primitive(p) => primitive(p),
            TypeKind::Unresolved => (TypeExpr::Json, LiteralKind::Alias),
            TypeKind::Named(id) => {
                let q = &self.model.ty(id).qualified;
                match &self.model.ty(id).kind {
                    TypeDefKind::Structured(_) => (self.value_type(id), LiteralKind::Alias),
                    TypeDefKind::Enum(_) => match self.names.enums.get(q) {
                        Some((n, true)) => (TypeExpr::Flags(n.clone()), LiteralKind::Alias),
                        Some((n, false)) => (TypeExpr::Named(n.clone()), LiteralKind::Enum),
                        None => (TypeExpr::Edm(EdmType::String), LiteralKind::String),
                    },
                    TypeDefKind::Definition(d) => {
                        let (under, literal) = primitive(d.underlying);
                        match self.names.aliases.get(q) {
                            Some(n) => (TypeExpr::Named(n.clone()), literal),
                            None => (under, literal),
                        }
                    }
                }
            }
        };
        if t.collection {
            (ty, LiteralKind::Alias)
        } else {
            (ty, literal)
        }
    }

    /// The parameters of a `list_by_…` method: the filter properties of `ty`, typed like
    /// function parameters (so a string is a `&str`, written as a quoted literal).
    fn filter_params(&self, ty: TypeId, combo: &[String]) -> Vec<FunctionParam> {
        let properties = self.model.all_properties(ty);
        let mut table = NameTable::new(Style::Snake);
        table.reserve("self");
        let requests: Vec<usize> = combo
            .iter()
            .map(|p| table.request(p.clone(), naming::field_name(p)))
            .collect();
        let (names, renames) = table.finish();
        self.note(renames, self.model.ty(ty).pos);
        combo
            .iter()
            .zip(requests)
            .filter_map(|(wire, r)| {
                // `select` checked that each is a primitive or enum property.
                let (_, p) = properties.iter().find(|(_, p)| p.name() == wire)?;
                let (ty, literal) = self.operation_type(&p.ty);
                Some(FunctionParam {
                    name: names[r].clone(),
                    wire: wire.clone(),
                    ty: Payload {
                        ty,
                        collection: false,
                        optional: false,
                    },
                    literal,
                    optional: false,
                })
            })
            .collect()
    }

    fn is_structured(&self, t: &TypeRef) -> bool {
        t.named()
            .is_some_and(|id| self.model.structured(id).is_some())
    }

    // ---- steps 3 and 4 -------------------------------------------------------------------

    /// Operations bound to the node's type (or a base of it), single or collection as the
    /// node is, sorted by name then declaration order.
    fn operations_of(&self, key: &Key) -> Vec<OperationId> {
        let mut ops: Vec<OperationId> = self
            .sel
            .operations
            .iter()
            .copied()
            .filter(|op| {
                self.model.operation(*op).binding.is_some_and(|b| {
                    b.collection == key.collection
                        && b.named()
                            .is_some_and(|t| self.model.derives_from(key.ty, t))
                })
            })
            .collect();
        ops.sort_by(|a, b| {
            self.model
                .operation(*a)
                .name()
                .cmp(self.model.operation(*b).name())
                .then(a.cmp(b))
        });
        ops
    }

    fn finish(self) -> Requests {
        let model = self.model;
        let idents = Idents {
            runtime: naming::module_name("rt"),
            models: naming::module_name("models"),
            client: naming::field_name("client"),
            path: naming::field_name("path"),
            body: naming::field_name("body"),
            params: naming::field_name("params"),
        };

        // Which operations each node offers, and the actions that need a parameters struct.
        let node_ops: Vec<Vec<OperationId>> = self
            .nodes
            .iter()
            .map(|n| self.operations_of(&n.key))
            .collect();
        let mut with_params: BTreeSet<OperationId> = BTreeSet::new();
        for op in node_ops.iter().flatten() {
            let o = model.operation(*op);
            if o.kind() == OperationKind::Action && o.parameters.len() > 1 {
                with_params.insert(*op);
            }
        }

        // Step 3: one name space for builders, parameter structs and the trait.
        let mut table = NameTable::new(Style::Camel);
        for ident in &self.names.idents {
            table.reserve(ident);
        }
        let mut first_of: BTreeMap<(TypeId, bool, bool), usize> = BTreeMap::new();
        let mut node_requests = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let t = model.ty(n.key.ty);
            // Builders reached by a relationship are `…RelatedBuilder`: the reads of an
            // entity that lives elsewhere, beside the one that addresses it where it lives.
            let suffix = match (n.key.related, n.key.collection) {
                (false, true) => "collection_builder",
                (false, false) => "builder",
                (true, true) => "related_collection_builder",
                (true, false) => "related_builder",
            };
            let first = *first_of
                .entry((n.key.ty, n.key.collection, n.key.related))
                .or_insert(i);
            let (priority, wanted) = if first == i {
                (0, format!("{}_{suffix}", t.name))
            } else {
                (1, format!("{}_{}_{suffix}", t.name, n.via))
            };
            let source = format!("{} {suffix} via {}", t.qualified, n.via);
            node_requests.push(table.request_with_priority(
                priority,
                source,
                naming::type_name(&wanted),
            ));
        }
        // `…Params`, prefixed with the binding type where several actions share a name.
        let mut by_name: BTreeMap<&str, Vec<OperationId>> = BTreeMap::new();
        for op in &with_params {
            by_name
                .entry(model.operation(*op).name())
                .or_default()
                .push(*op);
        }
        let mut params_requests = Vec::new();
        for (name, ops) in &by_name {
            for op in ops {
                let o = model.operation(*op);
                let binding = o
                    .binding
                    .and_then(|b| b.named())
                    .map(|b| model.ty(b).name)
                    .unwrap_or("");
                let wanted = if ops.len() == 1 {
                    format!("{name}_params")
                } else {
                    format!("{binding}_{name}_params")
                };
                let source = format!("{} on {} (parameters)", o.qualified, binding);
                params_requests.push((*op, table.request(source, naming::type_name(&wanted))));
            }
        }
        let trait_request = table.request_with_priority(
            2,
            "update bodies (trait)",
            naming::type_name("update_body_of"),
        );
        let (type_names, renames) = table.finish();
        for r in renames {
            // Sources start with the qualified name of the entity type or operation.
            let head = r.source.split(' ').next().unwrap_or("");
            let pos = model
                .type_id(head)
                .map(|t| model.ty(t).pos)
                .or_else(|| {
                    model
                        .operations
                        .iter()
                        .find(|o| o.qualified == head)
                        .map(|o| o.raw.pos)
                })
                .unwrap_or_default();
            self.note(vec![r], pos);
        }
        let builder_names: Vec<Name> = node_requests
            .iter()
            .map(|r| type_names[*r].clone())
            .collect();
        let params_names: BTreeMap<OperationId, Name> = params_requests
            .iter()
            .map(|(op, r)| (*op, type_names[*r].clone()))
            .collect();
        let trait_name = type_names[trait_request].clone();

        // Step 4: methods.
        let mut family_impls: BTreeSet<(Name, Name)> = BTreeSet::new();
        let mut builders = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let b = self.builder(
                n,
                &builder_names,
                &node_ops[i],
                &params_names,
                &idents,
                &mut family_impls,
            );
            builders.push(Builder {
                name: builder_names[i].clone(),
                ..b
            });
        }

        let entry = self.entry_methods(&builder_names);
        let mut params: Vec<Params> = params_names
            .iter()
            .map(|(op, name)| self.params_struct(*op, name.clone()))
            .collect();
        params.sort_by(|a, b| a.name.cmp(&b.name));
        let update_trait = (!family_impls.is_empty()).then(|| UpdateTrait {
            name: trait_name,
            impls: family_impls.into_iter().collect(),
        });
        let mut renames = self.renames.into_inner();
        renames.sort_by(|a, b| a.pos.cmp(&b.pos).then(a.message.cmp(&b.message)));
        Requests {
            idents,
            entry,
            builders,
            params,
            update_trait,
            renames,
        }
    }

    fn type_deprecation(&self, ty: TypeId) -> Option<Deprecation> {
        self.names
            .deprecations
            .get(&self.model.ty(ty).qualified)
            .cloned()
    }

    fn entry_methods(&self, builder_names: &[Name]) -> Vec<Method> {
        let model = self.model;
        let mut table = NameTable::new(Style::Snake);
        for m in CLIENT_METHODS {
            table.reserve(m);
        }
        let requests: Vec<usize> = self
            .entries
            .iter()
            .map(|(name, _)| table.request(name.clone(), naming::field_name(name)))
            .collect();
        let (names, renames) = table.finish();
        let pos = self
            .entries
            .first()
            .and_then(|(n, _)| model.container_child(n))
            .map(|c| c.pos)
            .unwrap_or_default();
        self.note(renames, pos);
        self.entries
            .iter()
            .zip(requests)
            .map(|((name, node), r)| {
                let n = &self.nodes[*node];
                let t = model.ty(n.key.ty);
                let what = if n.key.collection {
                    "entity set"
                } else {
                    "singleton"
                };
                let target = &builder_names[*node];
                Method {
                    name: names[r].clone(),
                    docs: vec![
                        format!(
                            "`/{name}`: the {what} `{name}` of `{}` ([`{target}`]).",
                            t.qualified
                        ),
                        "Start of the fluent path API: every method of the returned builder \
                         appends to the path; nothing is sent until a request is awaited."
                            .to_owned(),
                    ],
                    deprecation: self.type_deprecation(n.key.ty),
                    kind: MethodKind::Segment {
                        segment: name.clone(),
                        target: target.clone(),
                    },
                }
            })
            .collect()
    }

    fn builder(
        &self,
        n: &Node,
        builder_names: &[Name],
        ops: &[OperationId],
        params_names: &BTreeMap<OperationId, Name>,
        idents: &Idents,
        family_impls: &mut BTreeSet<(Name, Name)>,
    ) -> Builder {
        let model = self.model;
        let t = model.ty(n.key.ty);
        let q = &t.qualified;
        let access = &n.key.access;
        let deprecation = self.type_deprecation(n.key.ty);
        let tmpl = &n.templates[0];
        let m = &idents.models.ident;
        let rt = &idents.runtime.ident;

        // Method names: CRUD names are reserved, navigation first, operations after.
        let fixed = ["path", "list", "count", "get", "create", "update", "delete"];
        let mut table = NameTable::new(Style::Snake);
        for f in fixed {
            table.reserve(f);
        }
        // A collection the service lists only filtered: `list_by_…` and `count_by_…`, one
        // pair per accepted filter combination.
        let filtered: Vec<(&Vec<String>, usize, usize)> = if n.key.collection {
            access
                .list_filter
                .iter()
                .map(|combo| {
                    let list = table.request(
                        format!("list by {}", combo.join(",")),
                        naming::filtered_method("list", combo),
                    );
                    let count = table.request(
                        format!("count by {}", combo.join(",")),
                        naming::filtered_method("count", combo),
                    );
                    (combo, list, count)
                })
                .collect()
        } else {
            Vec::new()
        };
        let edge_requests: Vec<usize> = n
            .edges
            .iter()
            .map(|e| match e {
                Edge::Key { key_name, .. } => table.request(
                    format!("key {key_name}"),
                    naming::field_name(&format!("by_{key_name}")),
                ),
                Edge::Nav { name, .. } => table.request(name.clone(), naming::field_name(name)),
            })
            .collect();
        let op_requests: Vec<usize> = ops
            .iter()
            .map(|op| {
                let o = model.operation(*op);
                table.request_with_priority(
                    1,
                    format!("{} #{}", o.qualified, op.0),
                    naming::field_name(o.name()),
                )
            })
            .collect();
        let (method_names, renames) = table.finish();
        self.note(renames, t.pos);
        let fixed_name = |f: &str| naming::field_name(f);

        let value = self.payload(n.key.ty);
        let value_doc = type_doc(&value.ty, m);
        let mut methods = Vec::new();

        // Key first: it is how a collection is used most.
        for (e, r) in n.edges.iter().zip(&edge_requests) {
            if let Edge::Key {
                key_name,
                placeholder,
                target,
            } = e
            {
                methods.push(Method {
                    name: method_names[*r].clone(),
                    docs: vec![
                        format!(
                            "Addresses one `{q}` of this collection by its key `{key_name}`: \
                             `{tmpl}/{{{placeholder}}}` ([`{}`]).",
                            builder_names[*target]
                        ),
                        "The key is percent-encoded as exactly one path segment (`/`, `?`, `#`, \
                         `%`, `'`, spaces and non-ASCII characters are escaped; `.` and `..` are \
                         written in the parenthesised key form), so no id can change the path or \
                         the query."
                            .to_owned(),
                    ],
                    deprecation: deprecation.clone(),
                    kind: MethodKind::Key {
                        param: naming::field_name(key_name),
                        placeholder: placeholder.clone(),
                        target: builder_names[*target].clone(),
                    },
                });
            }
        }
        if n.key.collection && access.list {
            let mut docs = vec![
                format!("`GET {tmpl}`: lists the collection of `{q}` ({value_doc})."),
                format!(
                    "Returns a [`ListRequest`]({rt}::ListRequest): await it for the first page, \
                     or use `into_stream()` for every item across pages (`@odata.nextLink` is \
                     followed lazily). Set `$filter`, `$select`, `$expand`, `$orderby`, `$top`, \
                     `$skip`, `$count`, `$search`, headers and extra query parameters on it."
                ),
            ];
            if !access.unsupported_options.is_empty() {
                docs.push(format!(
                    "The schema's capabilities say this collection does not support {}.",
                    access
                        .unsupported_options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let count_docs = |filter: &str| {
                vec![
                    format!(
                        "`GET {tmpl}/$count{filter}`: the number of `{q}` in the collection, \
                         after `$filter` and `$search`."
                    ),
                    format!(
                        "Returns a [`CountRequest`]({rt}::CountRequest) (Graph answers \
                         `text/plain`); set `$filter`, `$search` and headers (e.g. \
                         `ConsistencyLevel: eventual`) on it."
                    ),
                ]
            };
            if filtered.is_empty() {
                methods.push(Method {
                    name: fixed_name("list"),
                    docs: docs.clone(),
                    deprecation: deprecation.clone(),
                    kind: MethodKind::List {
                        item: value.clone(),
                        by: Vec::new(),
                        operation: format!("list {q}"),
                    },
                });
                if access.countable() {
                    methods.push(Method {
                        name: fixed_name("count"),
                        docs: count_docs(""),
                        deprecation: deprecation.clone(),
                        kind: MethodKind::Count {
                            by: Vec::new(),
                            operation: format!("count {q}"),
                        },
                    });
                }
            }
            let why = format!(
                "The service refuses to list this collection unless `$filter` narrows it like \
                 this ({}), although the schema does not say so; `$filter` terms set on the \
                 request are `and`-ed to it.",
                access
                    .restricted_by
                    .iter()
                    .map(|d| format!("<{d}>"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for (combo, list_request, count_request) in &filtered {
                let by = self.filter_params(n.key.ty, combo);
                let filter = format!(
                    "?$filter={}",
                    by.iter()
                        .map(|p| format!("{0} eq {{{0}}}", p.wire))
                        .collect::<Vec<_>>()
                        .join(" and ")
                );
                let mut list_docs = docs.clone();
                list_docs[0] = format!(
                    "`GET {tmpl}{filter}`: lists the `{q}` ({value_doc}) with {}.",
                    by.iter()
                        .map(|p| format!("`{}` equal to `{}`", p.wire, p.name))
                        .collect::<Vec<_>>()
                        .join(" and ")
                );
                list_docs.push(why.clone());
                methods.push(Method {
                    name: method_names[*list_request].clone(),
                    docs: list_docs,
                    deprecation: deprecation.clone(),
                    kind: MethodKind::List {
                        item: value.clone(),
                        by: by.clone(),
                        operation: format!("list {q}"),
                    },
                });
                if access.countable() {
                    let mut docs = count_docs(&filter);
                    docs.push(why.clone());
                    methods.push(Method {
                        name: method_names[*count_request].clone(),
                        docs,
                        deprecation: deprecation.clone(),
                        kind: MethodKind::Count {
                            by,
                            operation: format!("count {q}"),
                        },
                    });
                }
            }
        }
        if n.key.collection && access.create {
            methods.push(Method {
                name: fixed_name("create"),
                docs: vec![
                    format!("`POST {tmpl}`: creates a `{q}` in the collection."),
                    format!(
                        "The body is a {value_doc}, sent as JSON; the result is the created \
                         entity Graph returns (`201 Created`)."
                    ),
                ],
                deprecation: deprecation.clone(),
                kind: MethodKind::Create {
                    ty: value.clone(),
                    operation: format!("create {q}"),
                },
            });
        }
        if !n.key.collection && access.get {
            methods.push(Method {
                name: fixed_name("get"),
                docs: vec![
                    format!("`GET {tmpl}`: reads the `{q}` ({value_doc})."),
                    format!(
                        "Returns a [`GetRequest`]({rt}::GetRequest); `$select`, `$expand`, \
                         headers and extra query parameters can be set on it."
                    ),
                ],
                deprecation: deprecation.clone(),
                kind: MethodKind::Get {
                    ty: value.clone(),
                    operation: format!("get {q}"),
                },
            });
        }
        if !n.key.collection
            && access.update
            && let Some(body) = self.update_body(n.key.ty)
        {
            let body_doc = match &body {
                UpdateBody::Direct(u) => format!("[`{u}`]({m}::{u})"),
                UpdateBody::Family { .. } => {
                    let mut family: Vec<TypeId> = vec![n.key.ty];
                    family.extend(model.all_derived(n.key.ty));
                    let mut bodies = Vec::new();
                    for d in family {
                        if let Some(u) = self.names.updates.get(&model.ty(d).qualified) {
                            if let UpdateBody::Family { base } = &body {
                                family_impls.insert((base.clone(), u.clone()));
                            }
                            bodies.push(format!("[`{u}`]({m}::{u})"));
                        }
                    }
                    format!(
                        "any PATCH body of the family (which writes its `@odata.type`, so \
                             Graph knows which derived type is meant): {}",
                        bodies.join(", ")
                    )
                }
            };
            methods.push(Method {
                name: fixed_name("update"),
                docs: vec![
                    format!("`PATCH {tmpl}`: updates the `{q}`."),
                    format!(
                        "The body is {body_doc}. Each of its fields is tri-state: absent \
                             (left out, unchanged), `null` (cleared) or a value. Succeeds with \
                             `()` on `204 No Content` (a `200` representation is ignored)."
                    ),
                ],
                deprecation: deprecation.clone(),
                kind: MethodKind::Update {
                    body,
                    operation: format!("update {q}"),
                },
            });
        }
        if !n.key.collection && access.delete {
            methods.push(Method {
                name: fixed_name("delete"),
                docs: vec![format!("`DELETE {tmpl}`: deletes the `{q}`.")],
                deprecation: deprecation.clone(),
                kind: MethodKind::Delete {
                    operation: format!("delete {q}"),
                },
            });
        }
        for (e, r) in n.edges.iter().zip(&edge_requests) {
            if let Edge::Nav {
                name,
                target,
                csdl_type,
                related,
            } = e
            {
                let target_node = &self.nodes[*target];
                let target_name = &builder_names[*target];
                let doc = if *related {
                    format!(
                        "`{tmpl}/{name}`: the `{csdl_type}` the navigation property `{name}` \
                         refers to (a relationship, not containment: reads only), \
                         [`{target_name}`]."
                    )
                } else {
                    format!(
                        "`{tmpl}/{name}`: the contained navigation property `{name}` \
                         (`{csdl_type}`), [`{target_name}`]."
                    )
                };
                methods.push(Method {
                    name: method_names[*r].clone(),
                    docs: vec![doc],
                    deprecation: deprecation
                        .clone()
                        .or_else(|| self.type_deprecation(target_node.key.ty)),
                    kind: MethodKind::Segment {
                        segment: name.clone(),
                        target: target_name.clone(),
                    },
                });
            }
        }
        for (op, r) in ops.iter().zip(&op_requests) {
            methods.push(self.operation_method(
                *op,
                method_names[*r].clone(),
                tmpl,
                params_names.get(op),
                deprecation.as_ref(),
                idents,
            ));
        }

        // Builder docs.
        let what = if n.key.collection {
            format!("a collection of `{q}`")
        } else {
            format!("one `{q}`")
        };
        let mut docs = vec![format!(
            "Request builder for {what} ({value_doc}), reached at {}.",
            n.templates
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        let mut offered: Vec<String> = Vec::new();
        let code = |name: &Name| format!("`{}`", name.as_source());
        if n.key.collection {
            if access.list && filtered.is_empty() {
                offered.push("`list`".to_owned());
                offered.extend(access.countable().then(|| "`count`".to_owned()));
            }
            if access.list {
                for (_, list, count) in &filtered {
                    offered.push(code(&method_names[*list]));
                    offered.extend(access.countable().then(|| code(&method_names[*count])));
                }
            }
            offered.extend(access.create.then(|| "`create`".to_owned()));
        } else {
            offered.extend(access.get.then(|| "`get`".to_owned()));
            offered.extend(
                (access.update && self.update_body(n.key.ty).is_some())
                    .then(|| "`update`".to_owned()),
            );
            offered.extend(access.delete.then(|| "`delete`".to_owned()));
        }
        docs.push(if n.key.related {
            let mut text = format!(
                "Reached by a relationship (a navigation property that does not contain its \
                 target), so it offers the reads only: {}.",
                offered.join(", ")
            );
            if !self.sel.is_full(n.key.ty) {
                text.push_str(&format!(
                    " The selection generates `{q}` as a reference: its key is typed, every \
                     other member is kept in `additional_properties`."
                ));
            }
            text
        } else if !self.sel.is_full(n.key.ty) {
            "The selection only passes through this resource: it has navigation methods only."
                .to_owned()
        } else if offered.is_empty() {
            "The schema's capabilities allow no request on the resource itself.".to_owned()
        } else {
            format!(
                "Requests on the resource itself: {} (from the schema's Capabilities \
                 annotations where it has them, the OData defaults otherwise, less what the \
                 service refuses).",
                offered.join(", ")
            )
        });
        let links = access
            .restricted_by
            .iter()
            .map(|d| format!("<{d}>"))
            .collect::<Vec<_>>()
            .join(", ");
        let refused: Vec<String> = access
            .refused
            .iter()
            .filter(|v| (**v == "create") == n.key.collection)
            .map(|v| format!("`{v}`"))
            .collect();
        if !refused.is_empty() {
            docs.push(format!(
                "The service refuses {} here ({links}), although the schema's capabilities \
                 allow it: pim-api does not offer it (`[[restrict]]` in \
                 `metadata/selection.toml`).",
                refused.join(", ")
            ));
        }
        if !n.key.collection && !access.refuses_navigation.is_empty() {
            docs.push(format!(
                "The service does not serve the navigation {} ({links}): pim-api does not \
                 offer it.",
                access
                    .refuses_navigation
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        docs.push(
            "Builders are cheap (a client handle and the path): each method clones them and \
             appends to the path; nothing is sent until a request is awaited."
                .to_owned(),
        );
        Builder {
            name: Name::plain("_"),
            docs,
            deprecation,
            methods,
        }
    }

    fn operation_method(
        &self,
        op: OperationId,
        name: Name,
        tmpl: &str,
        params_name: Option<&Name>,
        builder_deprecation: Option<&Deprecation>,
        idents: &Idents,
    ) -> Method {
        let model = self.model;
        let o = model.operation(op);
        let wire = o.name().to_owned();
        let core = Core::from_annotations(&model.operation_annotations(op));
        let deprecation = core
            .deprecation()
            .map(deprecation)
            .or_else(|| builder_deprecation.cloned());
        let nullable = o
            .raw
            .return_type
            .as_ref()
            .and_then(|r| r.facets.nullable)
            .unwrap_or(true);
        let mut docs = description(&core);
        let binding = o
            .binding
            .as_ref()
            .map(|b| model.type_ref_name(b))
            .unwrap_or_default();
        let returns = o.return_type.as_ref().map(|r| model.type_ref_name(r));
        let returns_doc = match &returns {
            Some(r) => format!("returns `{r}`"),
            None => "returns nothing".to_owned(),
        };
        match o.kind() {
            OperationKind::Action => {
                docs.insert(
                    0,
                    format!(
                        "`POST {tmpl}/{wire}`: the action `{}` bound to `{binding}`; {returns_doc}.",
                        o.qualified
                    ),
                );
                if let Some(p) = params_name {
                    docs.push(format!(
                        "Its parameters are sent as a JSON object: [`{p}`]."
                    ));
                }
                let result = match &o.return_type {
                    None => ActionResult::Nothing,
                    Some(r) => {
                        let (ty, _) = self.operation_type(r);
                        if r.collection {
                            ActionResult::Value(Payload {
                                ty,
                                collection: true,
                                optional: false,
                            })
                        } else if self.is_structured(r) {
                            ActionResult::Entity(Payload {
                                ty,
                                collection: false,
                                optional: nullable,
                            })
                        } else {
                            ActionResult::Value(Payload {
                                ty,
                                collection: false,
                                optional: nullable,
                            })
                        }
                    }
                };
                if nullable && o.return_type.as_ref().is_some_and(|r| !r.collection) {
                    docs.push(
                        "The result is nullable: `None` when Graph answers `204 No Content`."
                            .to_owned(),
                    );
                }
                Method {
                    name,
                    docs,
                    deprecation,
                    kind: MethodKind::Action {
                        segment: wire,
                        params: params_name.cloned(),
                        result,
                        operation: o.qualified.clone(),
                    },
                }
            }
            OperationKind::Function => {
                let mut table = NameTable::new(Style::Snake);
                table.reserve("self");
                let requests: Vec<usize> = o
                    .parameters
                    .iter()
                    .skip(1)
                    .map(|(p, _)| table.request(p.name.to_string(), naming::field_name(&p.name)))
                    .collect();
                let (names, renames) = table.finish();
                self.note(renames, o.raw.pos);
                let mut params = Vec::new();
                for ((p, t), r) in o.parameters.iter().skip(1).zip(requests) {
                    let (ty, literal) = self.operation_type(t);
                    let optional =
                        Core::from_annotations(&p.annotations.iter().collect::<Vec<_>>())
                            .optional_parameter;
                    params.push(FunctionParam {
                        name: names[r].clone(),
                        wire: p.name.to_string(),
                        ty: Payload {
                            ty,
                            collection: t.collection,
                            optional,
                        },
                        literal,
                        optional,
                    });
                }
                let call = if params.is_empty() {
                    wire.clone()
                } else {
                    format!(
                        "{wire}({})",
                        params
                            .iter()
                            .map(|p| format!("{0}={{{0}}}", p.wire))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                };
                docs.insert(
                    0,
                    format!(
                        "`GET {tmpl}/{call}`: the function `{}` bound to `{binding}`; \
                         {returns_doc}.",
                        o.qualified
                    ),
                );
                for p in &params {
                    let how = match p.literal {
                        LiteralKind::String => "a string literal, `'…'` with quotes doubled",
                        LiteralKind::Enum => {
                            "the member's name as a quoted string (`'member'`), the form Graph \
                             expects"
                        }
                        LiteralKind::Primitive => "its OData literal",
                        LiteralKind::Alias => {
                            "a parameter alias: `@name` inline, the JSON value as a query \
                             parameter"
                        }
                    };
                    let ty = o
                        .parameters
                        .iter()
                        .find(|(q, _)| q.name == p.wire)
                        .map(|(_, t)| model.type_ref_name(t))
                        .unwrap_or_default();
                    docs.push(format!(
                        "`{}` (`{ty}`{}) is written inline as {how}, percent-encoded.",
                        p.wire,
                        if p.optional {
                            ", optional: left out when `None`"
                        } else {
                            ""
                        }
                    ));
                }
                let result = match &o.return_type {
                    Some(r) if r.collection => {
                        let (ty, _) = self.operation_type(r);
                        docs.push(format!(
                            "The result is paged like a list: a [`ListRequest`]({}::ListRequest) \
                             with the same query options (`$filter`, `$top`, ...).",
                            idents.runtime.ident
                        ));
                        FunctionResult::Collection(Payload {
                            ty,
                            collection: false,
                            optional: false,
                        })
                    }
                    Some(r) => {
                        let (ty, _) = self.operation_type(r);
                        let payload = Payload {
                            ty,
                            collection: false,
                            optional: nullable,
                        };
                        if self.is_structured(r) {
                            FunctionResult::Entity(payload)
                        } else {
                            FunctionResult::Value(payload)
                        }
                    }
                    // A function always returns something; treat a missing return type as
                    // JSON rather than failing generation.
                    None => FunctionResult::Value(Payload {
                        ty: TypeExpr::Json,
                        collection: false,
                        optional: true,
                    }),
                };
                Method {
                    name,
                    docs,
                    deprecation,
                    kind: MethodKind::Function {
                        segment: wire,
                        params,
                        result,
                        operation: o.qualified.clone(),
                    },
                }
            }
        }
    }

    fn params_struct(&self, op: OperationId, name: Name) -> Params {
        let model = self.model;
        let o = model.operation(op);
        let core = Core::from_annotations(&model.operation_annotations(op));
        let mut table = NameTable::new(Style::Snake);
        let requests: Vec<usize> = o
            .parameters
            .iter()
            .skip(1)
            .map(|(p, _)| table.request(p.name.to_string(), naming::field_name(&p.name)))
            .collect();
        let (names, renames) = table.finish();
        self.note(renames, o.raw.pos);
        let fields = o
            .parameters
            .iter()
            .skip(1)
            .zip(requests)
            .map(|((p, t), r)| {
                let (ty, _) = self.operation_type(t);
                let p_core = Core::from_annotations(&p.annotations.iter().collect::<Vec<_>>());
                let nullable = p.facets.nullable.unwrap_or(true);
                let required = !nullable && !p_core.optional_parameter;
                let mut docs = description(&p_core);
                let mut facts = vec![format!("`{}`: `{}`", p.name, model.type_ref_name(t))];
                facts.push(if required {
                    "required (set by `new`)".to_owned()
                } else {
                    "left out of the body when `None`".to_owned()
                });
                docs.push(format!("{}.", facts.join("; ")));
                ParamField {
                    name: names[r].clone(),
                    wire: p.name.to_string(),
                    ty: Payload {
                        ty,
                        collection: t.collection,
                        optional: false,
                    },
                    required,
                    docs,
                }
            })
            .collect();
        let binding = o
            .binding
            .as_ref()
            .map(|b| model.type_ref_name(b))
            .unwrap_or_default();
        let mut docs = description(&core);
        docs.insert(
            0,
            format!(
                "The parameters of the action `{}` bound to `{binding}`: its JSON request body.",
                o.qualified
            ),
        );
        docs.push(
            "Build it with `new` (the parameters the schema requires), then set the optional \
             ones."
                .to_owned(),
        );
        // Deprecated with the action, or with the entity type it is bound to.
        let deprecation = core.deprecation().map(deprecation).or_else(|| {
            o.binding
                .and_then(|b| b.named())
                .and_then(|b| self.type_deprecation(b))
        });
        Params {
            name,
            docs,
            deprecation,
            fields,
        }
    }
}

/// `[`Name`](models::Name)` for a payload type in the docs.
fn type_doc(ty: &TypeExpr, models: &str) -> String {
    match ty {
        TypeExpr::Named(n) => format!("[`{n}`]({models}::{n})"),
        _ => "JSON".to_owned(),
    }
}

/// The Rust mapping of a primitive and how it is written as a function parameter (the
/// runtime's `ToLiteral` covers all but `Single`, `Decimal` and `Binary`).
fn primitive(p: Primitive) -> (TypeExpr, LiteralKind) {
    use EdmType as E;
    let e = |t: EdmType| TypeExpr::Edm(t);
    match p {
        Primitive::String | Primitive::ModelPath => (e(E::String), LiteralKind::String),
        Primitive::Boolean => (e(E::Boolean), LiteralKind::Primitive),
        Primitive::Byte => (e(E::Byte), LiteralKind::Primitive),
        Primitive::SByte => (e(E::SByte), LiteralKind::Primitive),
        Primitive::Int16 => (e(E::Int16), LiteralKind::Primitive),
        Primitive::Int32 => (e(E::Int32), LiteralKind::Primitive),
        Primitive::Int64 => (e(E::Int64), LiteralKind::Primitive),
        Primitive::Double => (e(E::Double), LiteralKind::Primitive),
        Primitive::Guid => (e(E::Guid), LiteralKind::Primitive),
        Primitive::Date => (e(E::Date), LiteralKind::Primitive),
        Primitive::DateTimeOffset => (e(E::DateTimeOffset), LiteralKind::Primitive),
        Primitive::Duration => (e(E::Duration), LiteralKind::Primitive),
        Primitive::TimeOfDay => (e(E::TimeOfDay), LiteralKind::Primitive),
        Primitive::Single => (e(E::Single), LiteralKind::Alias),
        Primitive::Decimal => (e(E::Decimal), LiteralKind::Alias),
        Primitive::Binary => (e(E::Binary), LiteralKind::Alias),
        Primitive::Stream
        | Primitive::Geo
        | Primitive::Untyped
        | Primitive::PrimitiveType
        | Primitive::ComplexType
        | Primitive::EntityType => (TypeExpr::Json, LiteralKind::Alias),
    }
}

/// Schema text made safe for rustdoc (the same rules as the models' docs: collapsed
/// whitespace, no code fences, no intra-doc links or HTML).
fn clean(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(collapsed.len());
    for c in collapsed.chars() {
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            _ => out.push(c),
        }
    }
    out
}

fn description(core: &Core) -> Vec<String> {
    [&core.description, &core.long_description]
        .into_iter()
        .flatten()
        .map(|d| clean(d))
        .filter(|d| !d.is_empty())
        .collect()
}

/// The `#[deprecated]` of a deprecation revision (as the models write it).
fn deprecation(revision: &Revision) -> Deprecation {
    let mut note = revision
        .description
        .as_deref()
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "deprecated in the schema (Core.Revisions)".to_owned());
    if let Some(removal) = &revision.removal_date {
        note.push_str("; removal on ");
        note.push_str(removal);
    }
    Deprecation {
        since: revision.date.clone().or_else(|| revision.version.clone()),
        note,
    }
}
