//! Stage 2: the resolved model. Raw document → types, operations and container with every
//! name resolved.
//!
//! Invariants after [`resolve`]:
//! - every type reference is a [`TypeRef`]: a primitive, a [`TypeId`] into [`Model::types`],
//!   or `Unresolved` (and then an `UnresolvedType` diagnostic was reported);
//! - aliases are gone: [`TypeDef::qualified`] and annotation targets are namespace-qualified;
//! - base-type chains are acyclic (a cycle is reported and the offending link cut);
//! - [`Model::derived`] lists the direct derived types of every structured type;
//! - annotations, inline or external, are attached to a normalized [`Target`] string, so
//!   `Type/property`, container children and operation overloads are found the same way
//!   whichever way the schema wrote them.
//!
//! The model borrows the raw document; nothing is copied but qualified names.

mod resolve;
pub mod vocab;

pub use resolve::resolve;

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use crate::csdl;
use crate::diag::{Diagnostic, Pos};

/// Index of a type in [`Model::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub u32);

/// Index of an operation overload in [`Model::operations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperationId(pub u32);

/// The `Edm` primitive and abstract types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Primitive {
    Binary,
    Boolean,
    Byte,
    Date,
    DateTimeOffset,
    Decimal,
    Double,
    Duration,
    Guid,
    Int16,
    Int32,
    Int64,
    SByte,
    Single,
    Stream,
    String,
    TimeOfDay,
    /// Any `Edm.Geography*` or `Edm.Geometry*` type.
    Geo,
    Untyped,
    /// `Edm.PrimitiveType` (abstract).
    PrimitiveType,
    /// `Edm.ComplexType` (abstract).
    ComplexType,
    /// `Edm.EntityType` (abstract).
    EntityType,
    /// `Edm.AnnotationPath` and the other model path types.
    ModelPath,
}

impl Primitive {
    /// The primitive named `name` (without the `Edm.` prefix).
    pub fn from_name(name: &str) -> Option<Primitive> {
        use Primitive::*;
        Some(match name {
            "Binary" => Binary,
            "Boolean" => Boolean,
            "Byte" => Byte,
            "Date" => Date,
            "DateTimeOffset" => DateTimeOffset,
            "Decimal" => Decimal,
            "Double" => Double,
            "Duration" => Duration,
            "Guid" => Guid,
            "Int16" => Int16,
            "Int32" => Int32,
            "Int64" => Int64,
            "SByte" => SByte,
            "Single" => Single,
            "Stream" => Stream,
            "String" => String,
            "TimeOfDay" => TimeOfDay,
            "Untyped" => Untyped,
            "PrimitiveType" => PrimitiveType,
            "ComplexType" => ComplexType,
            "EntityType" => EntityType,
            "AnnotationPath"
            | "PropertyPath"
            | "NavigationPropertyPath"
            | "AnyPropertyPath"
            | "ModelElementPath" => ModelPath,
            n if n.starts_with("Geography") || n.starts_with("Geometry") => Geo,
            _ => return None,
        })
    }

    /// The `Edm.` name (for the abstract and grouped kinds, a representative one).
    pub fn edm_name(self) -> &'static str {
        use Primitive::*;
        match self {
            Binary => "Edm.Binary",
            Boolean => "Edm.Boolean",
            Byte => "Edm.Byte",
            Date => "Edm.Date",
            DateTimeOffset => "Edm.DateTimeOffset",
            Decimal => "Edm.Decimal",
            Double => "Edm.Double",
            Duration => "Edm.Duration",
            Guid => "Edm.Guid",
            Int16 => "Edm.Int16",
            Int32 => "Edm.Int32",
            Int64 => "Edm.Int64",
            SByte => "Edm.SByte",
            Single => "Edm.Single",
            Stream => "Edm.Stream",
            String => "Edm.String",
            TimeOfDay => "Edm.TimeOfDay",
            Geo => "Edm.Geography",
            Untyped => "Edm.Untyped",
            PrimitiveType => "Edm.PrimitiveType",
            ComplexType => "Edm.ComplexType",
            EntityType => "Edm.EntityType",
            ModelPath => "Edm.AnnotationPath",
        }
    }
}

/// What a type reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// An `Edm` type.
    Primitive(Primitive),
    /// A type of the model.
    Named(TypeId),
    /// Nothing: an `UnresolvedType` diagnostic was reported.
    Unresolved,
}

/// A resolved `Type` attribute: the item type and whether it is a `Collection(...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeRef {
    /// `Collection(...)`.
    pub collection: bool,
    /// The item type.
    pub kind: TypeKind,
}

impl TypeRef {
    /// The named type, if this refers to one.
    pub fn named(&self) -> Option<TypeId> {
        match self.kind {
            TypeKind::Named(id) => Some(id),
            _ => None,
        }
    }
}

/// A named type of the model.
#[derive(Debug, Clone)]
pub struct TypeDef<'a> {
    /// Namespace of the declaring schema.
    pub namespace: &'a str,
    /// Simple name.
    pub name: &'a str,
    /// `namespace.name`.
    pub qualified: String,
    /// What kind of type it is.
    pub kind: TypeDefKind<'a>,
    /// Where it is declared.
    pub pos: Pos,
}

/// The three kinds of named type.
#[derive(Debug, Clone)]
pub enum TypeDefKind<'a> {
    /// An entity or complex type.
    Structured(StructuredDef<'a>),
    /// An enum type.
    Enum(EnumDef<'a>),
    /// A type definition over a primitive.
    Definition(DefinitionDef<'a>),
}

/// An entity or complex type with resolved base type and members.
#[derive(Debug, Clone)]
pub struct StructuredDef<'a> {
    /// The raw element.
    pub raw: &'a csdl::StructuredType<'a>,
    /// The base type, if any (cycles cut).
    pub base: Option<TypeId>,
    /// Declared (not inherited) structural properties.
    pub properties: Vec<PropertyDef<'a>>,
    /// Declared navigation properties.
    pub navigation: Vec<NavigationDef<'a>>,
}

impl StructuredDef<'_> {
    /// Entity or complex.
    pub fn kind(&self) -> csdl::StructuredKind {
        self.raw.kind
    }
}

/// A structural property with its resolved type.
#[derive(Debug, Clone)]
pub struct PropertyDef<'a> {
    /// The raw element.
    pub raw: &'a csdl::Property<'a>,
    /// Resolved type.
    pub ty: TypeRef,
    /// Effective nullability (`Nullable` defaults to true; for collections it describes items).
    pub nullable: bool,
}

impl PropertyDef<'_> {
    /// Name.
    pub fn name(&self) -> &str {
        &self.raw.name
    }
}

/// A navigation property with its resolved type.
#[derive(Debug, Clone)]
pub struct NavigationDef<'a> {
    /// The raw element.
    pub raw: &'a csdl::NavigationProperty<'a>,
    /// Resolved type (always an entity type when resolved).
    pub ty: TypeRef,
    /// Effective nullability.
    pub nullable: bool,
}

impl NavigationDef<'_> {
    /// Name.
    pub fn name(&self) -> &str {
        &self.raw.name
    }
}

/// An enum type with every member's value decided.
#[derive(Debug, Clone)]
pub struct EnumDef<'a> {
    /// The raw element.
    pub raw: &'a csdl::EnumType<'a>,
    /// Underlying integer type.
    pub underlying: Primitive,
    /// Members with explicit or implicit values, in document order.
    pub members: Vec<(&'a str, i64)>,
}

/// A type definition.
#[derive(Debug, Clone)]
pub struct DefinitionDef<'a> {
    /// The raw element.
    pub raw: &'a csdl::TypeDefinition<'a>,
    /// The underlying primitive.
    pub underlying: Primitive,
}

/// An action or function overload.
#[derive(Debug, Clone)]
pub struct OperationDef<'a> {
    /// The raw element.
    pub raw: &'a csdl::Operation<'a>,
    /// Namespace of the declaring schema.
    pub namespace: &'a str,
    /// `namespace.name`.
    pub qualified: String,
    /// The binding parameter's type, for bound operations.
    pub binding: Option<TypeRef>,
    /// Parameters in order, the binding parameter first when bound.
    pub parameters: Vec<(&'a csdl::Parameter<'a>, TypeRef)>,
    /// Resolved return type.
    pub return_type: Option<TypeRef>,
}

impl OperationDef<'_> {
    /// Action or function.
    pub fn kind(&self) -> csdl::OperationKind {
        self.raw.kind
    }

    /// Name.
    pub fn name(&self) -> &str {
        &self.raw.name
    }
}

/// An entity set or singleton of the container.
#[derive(Debug, Clone)]
pub struct ContainerChild<'a> {
    /// Name.
    pub name: &'a str,
    /// The entity type.
    pub ty: Option<TypeId>,
    /// True for an entity set (a collection), false for a singleton.
    pub is_set: bool,
    /// `NavigationPropertyBinding` children.
    pub bindings: &'a [csdl::NavigationPropertyBinding<'a>],
    /// Where it is declared.
    pub pos: Pos,
}

/// An annotation target in normalized form: namespace-qualified names, no whitespace, e.g.
/// `microsoft.graph.thing`, `microsoft.graph.thing/prop`, `microsoft.graph.GraphService/things`,
/// `microsoft.graph.cancel(microsoft.graph.thing)`.
pub type Target = String;

/// The resolved model.
#[derive(Debug, Default)]
pub struct Model<'a> {
    /// `(namespace, alias)` of every schema, in document order.
    pub schemas: Vec<(&'a str, Option<&'a str>)>,
    /// Every named type.
    pub types: Vec<TypeDef<'a>>,
    /// Every action and function overload.
    pub operations: Vec<OperationDef<'a>>,
    /// Terms, by qualified name.
    pub terms: Vec<(String, &'a csdl::Term<'a>)>,
    /// Qualified name of the entity container.
    pub container_name: Option<String>,
    /// Entity sets and singletons.
    pub container: Vec<ContainerChild<'a>>,
    /// Action and function imports.
    pub imports: Vec<&'a csdl::OperationImport<'a>>,
    /// Direct derived types of each type (indexed by `TypeId`).
    pub derived: Vec<Vec<TypeId>>,
    /// Annotations by normalized target. Keys borrow the document when the target was written
    /// normalized already (most are), so look them up by `&str`.
    pub annotations: HashMap<Cow<'a, str>, Vec<&'a csdl::Annotation<'a>>>,
    /// Problems found while resolving.
    pub diagnostics: Vec<Diagnostic>,
    /// Types by (namespace id, simple name); see [`Model::namespace_id`]. A small integer in
    /// the key instead of the namespace string makes each of the tens of thousands of lookups
    /// hash and compare only the simple name.
    index: HashMap<(u32, &'a str), TypeId>,
    bound: HashMap<TypeId, Vec<OperationId>>,
}

impl<'a> Model<'a> {
    /// The type with namespace-qualified `name`.
    pub fn type_id(&self, qualified: &str) -> Option<TypeId> {
        let (ns, name) = resolve::split_last_dot(qualified)?;
        self.index.get(&(self.namespace_id(ns)?, name)).copied()
    }

    /// The position in [`Model::schemas`] of the first schema declaring `namespace`: the
    /// namespace part of the type index's keys.
    fn namespace_id(&self, namespace: &str) -> Option<u32> {
        let i = self.schemas.iter().position(|(ns, _)| *ns == namespace)?;
        u32::try_from(i).ok()
    }

    /// The type `id`.
    pub fn ty(&self, id: TypeId) -> &TypeDef<'a> {
        &self.types[id.0 as usize]
    }

    /// The structured type `id`, if it is one.
    pub fn structured(&self, id: TypeId) -> Option<&StructuredDef<'a>> {
        match &self.ty(id).kind {
            TypeDefKind::Structured(s) => Some(s),
            _ => None,
        }
    }

    /// `id` and its base types, most derived first.
    pub fn base_chain(&self, id: TypeId) -> Vec<TypeId> {
        let mut chain = vec![id];
        let mut current = id;
        while let Some(base) = self.structured(current).and_then(|s| s.base) {
            if chain.contains(&base) {
                break;
            }
            chain.push(base);
            current = base;
        }
        chain
    }

    /// True when `id` is `ancestor` or derives from it.
    pub fn derives_from(&self, id: TypeId, ancestor: TypeId) -> bool {
        self.base_chain(id).contains(&ancestor)
    }

    /// All structural properties of `id`, inherited ones first (base-most type first).
    pub fn all_properties(&self, id: TypeId) -> Vec<(TypeId, &PropertyDef<'a>)> {
        let mut out = Vec::new();
        for t in self.base_chain(id).into_iter().rev() {
            if let Some(s) = self.structured(t) {
                out.extend(s.properties.iter().map(|p| (t, p)));
            }
        }
        out
    }

    /// All navigation properties of `id`, inherited ones first.
    pub fn all_navigation(&self, id: TypeId) -> Vec<(TypeId, &NavigationDef<'a>)> {
        let mut out = Vec::new();
        for t in self.base_chain(id).into_iter().rev() {
            if let Some(s) = self.structured(t) {
                out.extend(s.navigation.iter().map(|p| (t, p)));
            }
        }
        out
    }

    /// Key property names of `id` (declared on it or inherited).
    pub fn key(&self, id: TypeId) -> Vec<&'a str> {
        for t in self.base_chain(id) {
            if let Some(key) = self.structured(t).and_then(|s| s.raw.key.as_ref()) {
                return key.iter().map(|k| k.name.as_ref()).collect();
            }
        }
        Vec::new()
    }

    /// Every type deriving from `id`, transitively, in a deterministic order.
    pub fn all_derived(&self, id: TypeId) -> Vec<TypeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(t) = stack.pop() {
            for &d in &self.derived[t.0 as usize] {
                if !out.contains(&d) && d != id {
                    out.push(d);
                    stack.push(d);
                }
            }
        }
        out.sort_by(|a, b| self.ty(*a).qualified.cmp(&self.ty(*b).qualified));
        out
    }

    /// The operation `id`.
    pub fn operation(&self, id: OperationId) -> &OperationDef<'a> {
        &self.operations[id.0 as usize]
    }

    /// Operations bound to `id` (single or collection binding), in document order.
    pub fn bound_operations(&self, id: TypeId) -> &[OperationId] {
        self.bound.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The entity set or singleton named `name`.
    pub fn container_child(&self, name: &str) -> Option<&ContainerChild<'a>> {
        self.container.iter().find(|c| c.name == name)
    }

    /// Annotations on `target` (normalized form).
    pub fn annotations_on(&self, target: &str) -> &[&'a csdl::Annotation<'a>] {
        self.annotations
            .get(target)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The normalized target of a type.
    pub fn type_target(&self, id: TypeId) -> Target {
        self.ty(id).qualified.clone()
    }

    /// The normalized target of a member (property, navigation property, enum member) of a type.
    pub fn member_target(&self, id: TypeId, member: &str) -> Target {
        format!("{}/{member}", self.ty(id).qualified)
    }

    /// Annotations of an operation overload: targeted by name alone (all overloads), by the
    /// binding type (actions), and by the full parameter type list (functions; Graph also
    /// writes actions that way).
    pub fn operation_annotations(&self, id: OperationId) -> Vec<&'a csdl::Annotation<'a>> {
        let op = self.operation(id);
        let mut out: Vec<&'a csdl::Annotation<'a>> = Vec::new();
        let mut keys = vec![op.qualified.clone()];
        let names: Vec<String> = op
            .parameters
            .iter()
            .map(|(_, t)| self.type_ref_name(t))
            .collect();
        if let Some(first) = names.first().filter(|_| op.binding.is_some()) {
            keys.push(format!("{}({first})", op.qualified));
        }
        keys.push(format!("{}({})", op.qualified, names.join(",")));
        if op.binding.is_none() {
            keys.push(format!("{}()", op.qualified));
        }
        keys.dedup();
        for key in keys {
            for a in self.annotations_on(&key) {
                if !out.iter().any(|b| std::ptr::eq(*a, *b)) {
                    out.push(a);
                }
            }
        }
        // Inline annotations are part of the raw operation.
        for a in &op.raw.annotations {
            if !out.iter().any(|b| std::ptr::eq(a, *b)) {
                out.push(a);
            }
        }
        out
    }

    /// The qualified name of a type reference, as CSDL writes it (`Collection(ns.T)`).
    pub fn type_ref_name(&self, t: &TypeRef) -> String {
        let item = match t.kind {
            TypeKind::Primitive(p) => p.edm_name().to_owned(),
            TypeKind::Named(id) => self.ty(id).qualified.clone(),
            TypeKind::Unresolved => "?".to_owned(),
        };
        if t.collection {
            format!("Collection({item})")
        } else {
            item
        }
    }

    /// Resolves a qualified name that may use an alias to a namespace-qualified one.
    pub fn normalize_name(&self, name: &str) -> String {
        resolve::normalize_qualified(&self.schemas, name).into_owned()
    }
}
