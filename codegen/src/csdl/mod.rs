//! The raw CSDL document: what the XML says, element by element, nothing resolved.
//!
//! This is the first stage's output. Names are kept exactly as written (alias-qualified names
//! stay alias-qualified, `Collection(...)` stays text); resolution happens in `model`. Document
//! order is kept everywhere because CSDL gives it meaning (implicit enum values, parameter
//! order, collection expressions). Every element records the byte offset where it starts;
//! [`Document::line_col`] turns that into line:column.
//!
//! Facet attributes that a client generator never needs to interpret (`MaxLength`, `SRID`, ...)
//! are still kept so that `sync` can write the pin back without losing them.

mod attr_scan;
mod reader;
mod writer;

pub use reader::{Parsed, ReadOptions, parse, parse_bytes};
pub use writer::write_document;

use std::borrow::Cow;

use crate::diag::{LineIndex, Pos};

/// Text of the document: borrowed from the source unless it had to be unescaped, so the
/// reader allocates almost nothing for names and values.
pub type Str<'a> = Cow<'a, str>;

/// A parsed `edmx:Edmx` document.
#[derive(Debug, Clone, Default)]
pub struct Document<'a> {
    /// `Version` of `edmx:Edmx` (`4.0` or `4.01`).
    pub version: Str<'a>,
    /// `edmx:Reference` elements.
    pub references: Vec<Reference<'a>>,
    /// `Schema` elements inside `edmx:DataServices`, in document order.
    pub schemas: Vec<Schema<'a>>,
    /// Maps positions to line:column.
    pub line_index: LineIndex,
}

impl<'a> Document<'a> {
    /// 1-based line and column of `pos` in `source`, the text this document was parsed from.
    pub fn line_col(&self, source: &[u8], pos: Pos) -> (u32, u32) {
        self.line_index.line_col(source, pos)
    }
}

/// An `edmx:Reference` to another CSDL document.
#[derive(Debug, Clone, Default)]
pub struct Reference<'a> {
    /// `Uri`.
    pub uri: Str<'a>,
    /// `edmx:Include` children.
    pub includes: Vec<Include<'a>>,
    /// `edmx:IncludeAnnotations` children.
    pub include_annotations: Vec<IncludeAnnotations<'a>>,
    /// Inline annotations on the reference.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `edmx:Include`: a namespace brought into scope, optionally under an alias.
#[derive(Debug, Clone, Default)]
pub struct Include<'a> {
    /// `Namespace`.
    pub namespace: Str<'a>,
    /// `Alias`.
    pub alias: Option<Str<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `edmx:IncludeAnnotations`.
#[derive(Debug, Clone, Default)]
pub struct IncludeAnnotations<'a> {
    /// `TermNamespace`.
    pub term_namespace: Str<'a>,
    /// `Qualifier`.
    pub qualifier: Option<Str<'a>>,
    /// `TargetNamespace`.
    pub target_namespace: Option<Str<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `Schema`.
#[derive(Debug, Clone, Default)]
pub struct Schema<'a> {
    /// `Namespace`.
    pub namespace: Str<'a>,
    /// `Alias`.
    pub alias: Option<Str<'a>>,
    /// `EntityType` children.
    pub entity_types: Vec<StructuredType<'a>>,
    /// `ComplexType` children.
    pub complex_types: Vec<StructuredType<'a>>,
    /// `EnumType` children.
    pub enum_types: Vec<EnumType<'a>>,
    /// `TypeDefinition` children.
    pub type_definitions: Vec<TypeDefinition<'a>>,
    /// `Action` children (overloads are separate entries).
    pub actions: Vec<Operation<'a>>,
    /// `Function` children (overloads are separate entries).
    pub functions: Vec<Operation<'a>>,
    /// `Term` children.
    pub terms: Vec<Term<'a>>,
    /// `EntityContainer` children (one per document is allowed; more are reported later).
    pub entity_containers: Vec<EntityContainer<'a>>,
    /// `Annotations` children (external targeting).
    pub annotation_groups: Vec<Annotations<'a>>,
    /// `Annotation` children that annotate the schema itself.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// Whether a structured type is an entity type or a complex type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StructuredKind {
    /// `EntityType`.
    #[default]
    Entity,
    /// `ComplexType`.
    Complex,
}

/// An `EntityType` or `ComplexType`; they share every attribute but `Key` and `HasStream`.
#[derive(Debug, Clone, Default)]
pub struct StructuredType<'a> {
    /// Entity or complex.
    pub kind: StructuredKind,
    /// `Name`.
    pub name: Str<'a>,
    /// `BaseType`, as written.
    pub base_type: Option<Str<'a>>,
    /// `Abstract`.
    pub is_abstract: bool,
    /// `OpenType`.
    pub open_type: bool,
    /// `HasStream` (entity types only).
    pub has_stream: bool,
    /// `Key` (entity types only).
    pub key: Option<Vec<PropertyRef<'a>>>,
    /// `Property` children.
    pub properties: Vec<Property<'a>>,
    /// `NavigationProperty` children.
    pub navigation_properties: Vec<NavigationProperty<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `PropertyRef` of a `Key`.
#[derive(Debug, Clone, Default)]
pub struct PropertyRef<'a> {
    /// `Name` (a path).
    pub name: Str<'a>,
    /// `Alias`.
    pub alias: Option<Str<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// Type facets shared by properties, parameters, return types, terms and type definitions.
///
/// `Nullable` is on nearly every element; the text facets are rare, so they live behind one
/// box to keep the (very many) property and parameter records small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets<'a> {
    /// `Nullable`; `None` when absent (the default depends on the context).
    pub nullable: Option<bool>,
    /// `Unicode`.
    pub unicode: Option<bool>,
    /// The text facets, when any is present.
    pub text: Option<Box<TextFacets<'a>>>,
}

/// The rarely used facets, kept as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextFacets<'a> {
    /// `MaxLength` as written (`max` is accepted).
    pub max_length: Option<Str<'a>>,
    /// `Precision`.
    pub precision: Option<Str<'a>>,
    /// `Scale` (`variable` and `floating` are accepted).
    pub scale: Option<Str<'a>>,
    /// `SRID`.
    pub srid: Option<Str<'a>>,
    /// `DefaultValue`.
    pub default_value: Option<Str<'a>>,
}

impl<'a> Facets<'a> {
    /// The text facets, created on first write.
    pub fn text_mut(&mut self) -> &mut TextFacets<'a> {
        self.text.get_or_insert_with(Box::default)
    }

    /// `MaxLength`.
    pub fn max_length(&self) -> Option<&str> {
        self.text.as_ref()?.max_length.as_deref()
    }

    /// `Precision`.
    pub fn precision(&self) -> Option<&str> {
        self.text.as_ref()?.precision.as_deref()
    }

    /// `Scale`.
    pub fn scale(&self) -> Option<&str> {
        self.text.as_ref()?.scale.as_deref()
    }

    /// `SRID`.
    pub fn srid(&self) -> Option<&str> {
        self.text.as_ref()?.srid.as_deref()
    }

    /// `DefaultValue`.
    pub fn default_value(&self) -> Option<&str> {
        self.text.as_ref()?.default_value.as_deref()
    }
}

/// A structural `Property`.
#[derive(Debug, Clone, Default)]
pub struct Property<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Type`, as written (may be `Collection(...)`, alias-qualified).
    pub type_name: Str<'a>,
    /// Facets.
    pub facets: Facets<'a>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `NavigationProperty`.
#[derive(Debug, Clone, Default)]
pub struct NavigationProperty<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Type`, as written.
    pub type_name: Str<'a>,
    /// `Nullable`.
    pub nullable: Option<bool>,
    /// `Partner`.
    pub partner: Option<Str<'a>>,
    /// `ContainsTarget`.
    pub contains_target: bool,
    /// `ReferentialConstraint` children.
    pub referential_constraints: Vec<ReferentialConstraint<'a>>,
    /// `OnDelete/@Action`.
    pub on_delete: Option<Str<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `ReferentialConstraint`.
#[derive(Debug, Clone, Default)]
pub struct ReferentialConstraint<'a> {
    /// `Property`.
    pub property: Str<'a>,
    /// `ReferencedProperty`.
    pub referenced_property: Str<'a>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `EnumType`.
#[derive(Debug, Clone, Default)]
pub struct EnumType<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `UnderlyingType`, as written.
    pub underlying_type: Option<Str<'a>>,
    /// `IsFlags`.
    pub is_flags: bool,
    /// `Member` children, in document order.
    pub members: Vec<EnumMember<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `Member` of an `EnumType`.
#[derive(Debug, Clone, Default)]
pub struct EnumMember<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Value`, when written. Implicit values are assigned in `model`.
    pub value: Option<i64>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `TypeDefinition`.
#[derive(Debug, Clone, Default)]
pub struct TypeDefinition<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `UnderlyingType`.
    pub underlying_type: Str<'a>,
    /// Facets.
    pub facets: Facets<'a>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// Whether an operation is an action or a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OperationKind {
    /// `Action`: may have side effects, invoked with POST.
    #[default]
    Action,
    /// `Function`: no side effects, invoked with GET.
    Function,
}

/// An `Action` or `Function` overload.
#[derive(Debug, Clone, Default)]
pub struct Operation<'a> {
    /// Action or function.
    pub kind: OperationKind,
    /// `Name`.
    pub name: Str<'a>,
    /// `IsBound`.
    pub is_bound: bool,
    /// `EntitySetPath`.
    pub entity_set_path: Option<Str<'a>>,
    /// `IsComposable` (functions only).
    pub is_composable: bool,
    /// `Parameter` children, in order; the first is the binding parameter when bound.
    pub parameters: Vec<Parameter<'a>>,
    /// `ReturnType`.
    pub return_type: Option<ReturnType<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `Parameter` of an operation.
#[derive(Debug, Clone, Default)]
pub struct Parameter<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Type`, as written.
    pub type_name: Str<'a>,
    /// Facets.
    pub facets: Facets<'a>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `ReturnType`.
#[derive(Debug, Clone, Default)]
pub struct ReturnType<'a> {
    /// `Type`, as written.
    pub type_name: Str<'a>,
    /// Facets.
    pub facets: Facets<'a>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `Term` definition.
#[derive(Debug, Clone, Default)]
pub struct Term<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Type`, as written.
    pub type_name: Str<'a>,
    /// `BaseTerm`.
    pub base_term: Option<Str<'a>>,
    /// `AppliesTo`, split on whitespace, kept verbatim (may be malformed in real files).
    pub applies_to: Vec<Str<'a>>,
    /// Facets (including `DefaultValue`).
    pub facets: Facets<'a>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `EntityContainer`.
#[derive(Debug, Clone, Default)]
pub struct EntityContainer<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Extends`.
    pub extends: Option<Str<'a>>,
    /// `EntitySet` children.
    pub entity_sets: Vec<EntitySet<'a>>,
    /// `Singleton` children.
    pub singletons: Vec<Singleton<'a>>,
    /// `ActionImport` children.
    pub action_imports: Vec<OperationImport<'a>>,
    /// `FunctionImport` children.
    pub function_imports: Vec<OperationImport<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `EntitySet`.
#[derive(Debug, Clone, Default)]
pub struct EntitySet<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `EntityType`, as written.
    pub entity_type: Str<'a>,
    /// `IncludeInServiceDocument` (default true).
    pub include_in_service_document: Option<bool>,
    /// `NavigationPropertyBinding` children.
    pub navigation_bindings: Vec<NavigationPropertyBinding<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `Singleton`.
#[derive(Debug, Clone, Default)]
pub struct Singleton<'a> {
    /// `Name`.
    pub name: Str<'a>,
    /// `Type`, as written.
    pub type_name: Str<'a>,
    /// `Nullable` (4.01).
    pub nullable: Option<bool>,
    /// `NavigationPropertyBinding` children.
    pub navigation_bindings: Vec<NavigationPropertyBinding<'a>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A `NavigationPropertyBinding`.
#[derive(Debug, Clone, Default)]
pub struct NavigationPropertyBinding<'a> {
    /// `Path`.
    pub path: Str<'a>,
    /// `Target`.
    pub target: Str<'a>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `ActionImport` or `FunctionImport`.
#[derive(Debug, Clone, Default)]
pub struct OperationImport<'a> {
    /// Action or function import.
    pub kind: OperationKind,
    /// `Name`.
    pub name: Str<'a>,
    /// `Action` or `Function`: the qualified name of the unbound operation.
    pub operation: Str<'a>,
    /// `EntitySet`.
    pub entity_set: Option<Str<'a>>,
    /// `IncludeInServiceDocument` (function imports).
    pub include_in_service_document: Option<bool>,
    /// Inline annotations.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `Annotations` element: annotations applied to an external target.
#[derive(Debug, Clone, Default)]
pub struct Annotations<'a> {
    /// `Target`, as written (a path).
    pub target: Str<'a>,
    /// `Qualifier`, inherited by the children.
    pub qualifier: Option<Str<'a>>,
    /// `Annotation` children.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// An `Annotation`: a term applied to a target, with a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotation<'a> {
    /// `Term`, as written.
    pub term: Str<'a>,
    /// `Qualifier`.
    pub qualifier: Option<Str<'a>>,
    /// The value; `None` when the annotation has no expression (the term's default applies).
    pub value: Option<Expr<'a>>,
    /// Annotations of the annotation.
    pub annotations: Vec<Annotation<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// The kind of a constant expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConstKind {
    /// `Binary`.
    Binary,
    /// `Bool`.
    Bool,
    /// `Date`.
    Date,
    /// `DateTimeOffset`.
    DateTimeOffset,
    /// `Decimal`.
    Decimal,
    /// `Duration`.
    Duration,
    /// `Float`.
    Float,
    /// `Guid`.
    Guid,
    /// `Int`.
    Int,
    /// `String`.
    String,
    /// `TimeOfDay`.
    TimeOfDay,
}

impl ConstKind {
    /// The attribute and element name of this kind.
    pub fn name(self) -> &'static str {
        match self {
            ConstKind::Binary => "Binary",
            ConstKind::Bool => "Bool",
            ConstKind::Date => "Date",
            ConstKind::DateTimeOffset => "DateTimeOffset",
            ConstKind::Decimal => "Decimal",
            ConstKind::Duration => "Duration",
            ConstKind::Float => "Float",
            ConstKind::Guid => "Guid",
            ConstKind::Int => "Int",
            ConstKind::String => "String",
            ConstKind::TimeOfDay => "TimeOfDay",
        }
    }

    /// The kind named `name`, if it is a constant expression.
    pub fn from_name(name: &str) -> Option<ConstKind> {
        Some(match name {
            "Binary" => ConstKind::Binary,
            "Bool" => ConstKind::Bool,
            "Date" => ConstKind::Date,
            "DateTimeOffset" => ConstKind::DateTimeOffset,
            "Decimal" => ConstKind::Decimal,
            "Duration" => ConstKind::Duration,
            "Float" => ConstKind::Float,
            "Guid" => ConstKind::Guid,
            "Int" => ConstKind::Int,
            "String" => ConstKind::String,
            "TimeOfDay" => ConstKind::TimeOfDay,
            _ => return None,
        })
    }
}

/// The kind of a path expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// `AnnotationPath`.
    AnnotationPath,
    /// `ModelElementPath`.
    ModelElementPath,
    /// `NavigationPropertyPath`.
    NavigationPropertyPath,
    /// `PropertyPath`.
    PropertyPath,
    /// `Path` (an instance path).
    Path,
}

impl PathKind {
    /// The attribute and element name of this kind.
    pub fn name(self) -> &'static str {
        match self {
            PathKind::AnnotationPath => "AnnotationPath",
            PathKind::ModelElementPath => "ModelElementPath",
            PathKind::NavigationPropertyPath => "NavigationPropertyPath",
            PathKind::PropertyPath => "PropertyPath",
            PathKind::Path => "Path",
        }
    }

    /// The kind named `name`, if it is a path expression.
    pub fn from_name(name: &str) -> Option<PathKind> {
        Some(match name {
            "AnnotationPath" => PathKind::AnnotationPath,
            "ModelElementPath" => PathKind::ModelElementPath,
            "NavigationPropertyPath" => PathKind::NavigationPropertyPath,
            "PropertyPath" => PathKind::PropertyPath,
            "Path" => PathKind::Path,
            _ => return None,
        })
    }
}

/// An annotation value expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<'a> {
    /// A constant, with its text as written (interpreted on access).
    Const(ConstKind, Str<'a>),
    /// `EnumMember`: one or more `ns.Enum/Member` values (several for flags).
    EnumMember(Vec<Str<'a>>),
    /// A path expression.
    Path(PathKind, Str<'a>),
    /// `Null`.
    Null,
    /// `Record`.
    Record(Box<Record<'a>>),
    /// `Collection`.
    Collection(Vec<Expr<'a>>),
    /// Any other dynamic expression (`Apply`, `If`, `Eq`, `Cast`, `LabeledElement`, `UrlRef`,
    /// ...): kept structurally so `sync` can write it back, never interpreted.
    Dynamic(Box<Dynamic<'a>>),
}

/// A `Record` expression.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<'a> {
    /// `Type`.
    pub type_name: Option<Str<'a>>,
    /// `PropertyValue` children, in order.
    pub properties: Vec<PropertyValue<'a>>,
    /// Annotations of the record.
    pub annotations: Vec<Annotation<'a>>,
}

impl<'a> Record<'a> {
    /// The value of the property named `name`.
    pub fn get(&self, name: &str) -> Option<&Expr<'a>> {
        self.properties
            .iter()
            .find(|p| p.property == name)
            .and_then(|p| p.value.as_ref())
    }
}

/// A `PropertyValue` of a record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PropertyValue<'a> {
    /// `Property`.
    pub property: Str<'a>,
    /// The value (`None` when absent; the property's default applies).
    pub value: Option<Expr<'a>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A dynamic expression the generator keeps but does not interpret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dynamic<'a> {
    /// Element name (`Apply`, `If`, ...).
    pub element: Str<'a>,
    /// Attributes in document order.
    pub attributes: Vec<(Str<'a>, Str<'a>)>,
    /// Child expressions in order.
    pub children: Vec<Expr<'a>>,
    /// Text content, if any.
    pub text: Option<Str<'a>>,
}

impl<'a> Expr<'a> {
    /// The string value of a `String` constant.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Const(ConstKind::String, s) => Some(s),
            _ => None,
        }
    }

    /// The value of a `Bool` constant.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Expr::Const(ConstKind::Bool, s) => parse_bool(s),
            _ => None,
        }
    }

    /// The text of any constant.
    pub fn const_text(&self) -> Option<&str> {
        match self {
            Expr::Const(_, s) => Some(s),
            _ => None,
        }
    }

    /// The record, if this is one.
    pub fn as_record(&self) -> Option<&Record<'a>> {
        match self {
            Expr::Record(r) => Some(r),
            _ => None,
        }
    }

    /// The items, if this is a collection.
    pub fn as_collection(&self) -> Option<&[Expr<'a>]> {
        match self {
            Expr::Collection(items) => Some(items),
            _ => None,
        }
    }
}

/// Parses an XML schema boolean (`true`, `false`, `1`, `0`).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}
