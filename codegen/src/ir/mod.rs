//! Stage 4: the Rust-shaped intermediate representation of the models.
//!
//! Data only: everything the emitter needs is decided here (names, field types, boxing,
//! required properties, docs, deprecation, which file an item goes to), so the emitter is a
//! straight translation to tokens and can be read next to its output. [`build`] makes an
//! [`Ir`] from a resolved [`Model`](crate::model::Model) and a
//! [`Selection`](crate::select::Selection); it is a pure function and deterministic (every
//! list is sorted).
//!
//! What becomes what:
//!
//! | CSDL | IR item | Rust |
//! |---|---|---|
//! | selected entity or complex type | [`Struct`] (all inherited properties flattened in) | `pub struct Foo` |
//! | reference-only entity type | [`Struct`] with [`StructKind::Reference`] (key only) | `pub struct DirectoryObject` |
//! | type used where derived types may appear | [`Polymorphic`] | `pub enum FooKind` |
//! | updatable entity type | [`Update`] | `pub struct FooUpdate` (PATCH body) |
//! | enum type | [`Enum`] | `pub enum Foo { …, Unknown(String) }` |
//! | type definition | [`Alias`] | `pub type Foo = …;` |

mod build;
mod docs;

pub use build::{Areas, Options, Reach, build, select_everything};

use crate::diag::Pos;
use crate::naming::Name;

/// The models of one generation run, split into files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ir {
    /// The files, sorted by module name.
    pub files: Vec<File>,
    /// Rust names that differ from what the naming rules first gave (collisions), to be
    /// reported as `NameCollision` warnings.
    pub renames: Vec<RenameNote>,
}

/// A rename to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameNote {
    /// Where the renamed element is declared.
    pub pos: Pos,
    /// What happened, for humans.
    pub message: String,
}

/// One generated file (one module of `pim_api::models`).
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Module (and file stem) name, `snake_case`.
    pub module: Name,
    /// One line saying what the file holds (written into its header).
    pub summary: String,
    /// The items, sorted by Rust name.
    pub items: Vec<Item>,
}

/// A generated item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An entity, complex or reference-only type.
    Struct(Struct),
    /// An enum type.
    Enum(Enum),
    /// The value of a type that has derived types.
    Polymorphic(Polymorphic),
    /// The PATCH body of an entity type.
    Update(Update),
    /// A type definition.
    Alias(Alias),
}

impl Item {
    /// The Rust name of the item.
    pub fn name(&self) -> &Name {
        match self {
            Item::Struct(s) => &s.name,
            Item::Enum(e) => &e.name,
            Item::Polymorphic(p) => &p.name,
            Item::Update(u) => &u.name,
            Item::Alias(a) => &a.name,
        }
    }
}

/// How `@odata.type` names a type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ODataName {
    /// Namespace of the declaring schema, e.g. `microsoft.graph`.
    pub namespace: String,
    /// The schema's alias, e.g. `graph`.
    pub alias: Option<String>,
    /// Simple name, e.g. `userIdentity`.
    pub name: String,
}

impl ODataName {
    /// `namespace.name`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }

    /// The `@odata.type` value written for the type: `#namespace.name`.
    pub fn tag(&self) -> String {
        format!("#{}", self.qualified())
    }
}

/// A `#[deprecated]` attribute, from `Core.Revisions` (kind `Deprecated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// `since`: the revision's date (Graph's extension), else its version.
    pub since: Option<String>,
    /// `note`: the description, then `; removal on <RemovalDate>` when known.
    pub note: String,
}

/// What kind of structured type a [`Struct`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructKind {
    /// An entity type, generated in full.
    Entity,
    /// A complex type, generated in full.
    Complex,
    /// An entity type the selection only references: its key and the additional properties.
    Reference,
}

/// A generated struct for an entity, complex or reference-only type.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Rust name.
    pub name: Name,
    /// The CSDL type.
    pub odata: ODataName,
    /// Entity, complex or reference-only.
    pub kind: StructKind,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
    /// Fields, in schema order (base type's properties first, then navigation properties).
    pub fields: Vec<Field>,
    /// Whether `Default` is derived: only when no field is required, so that a create body
    /// cannot be built without its required properties.
    pub has_default: bool,
}

impl Struct {
    /// The fields `new()` takes, in field order.
    pub fn required(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.required)
    }
}

/// How a field holds its value(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value; `boxed` when the types contain each other (or it is a navigation property).
    Single {
        /// Whether the value is boxed.
        boxed: bool,
    },
    /// A JSON array.
    Collection {
        /// Whether items may be `null` (only when the schema says so explicitly).
        nullable_items: bool,
    },
}

/// A field of a [`Struct`] or an [`Update`].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust name.
    pub name: Name,
    /// Exact JSON member name.
    pub wire: String,
    /// The item type.
    pub ty: TypeExpr,
    /// Single value or collection.
    pub shape: Shape,
    /// The CSDL type as written in the schema, for the docs (e.g. `Collection(graph.identity)`).
    pub csdl_type: String,
    /// Whether the schema allows `null` (for collections: `null` items).
    pub nullable: bool,
    /// Whether `new()` requires it: non-nullable, not computed, not a key, not a collection,
    /// and not one of the selection's `[[server_set]]` properties.
    pub required: bool,
    /// Whether it is a navigation property (present only when expanded).
    pub navigation: bool,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
}

/// The Rust type of a value, before `Option`/`Vec`/`Box`/`Patch` wrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// A primitive type.
    Edm(EdmType),
    /// A generated item (struct, enum, polymorphic enum or alias).
    Named(Name),
    /// `::pim_api::edm::Flags<E>` of a generated flags enum.
    Flags(Name),
    /// `serde_json::Value`: `Edm.Untyped`, geography/geometry (GeoJSON), the abstract types,
    /// and anything unresolved outside the selection.
    Json,
}

/// Primitive types with a fixed Rust mapping (see `pim_api::edm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum EdmType {
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
    String,
    TimeOfDay,
}

/// A generated open enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// Rust name.
    pub name: Name,
    /// The CSDL type.
    pub odata: ODataName,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
    /// Members in schema order.
    pub members: Vec<Member>,
    /// The variant holding values the schema does not list (normally `Unknown`).
    pub unknown: Name,
    /// `IsFlags`: properties of this type use `Flags<Self>`.
    pub flags: bool,
}

/// A member of an [`Enum`].
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Variant name.
    pub name: Name,
    /// Exact wire name.
    pub wire: String,
    /// Its value (explicit or implicit).
    pub value: i64,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
}

/// The value of a property declared with a type that has derived types: one variant per
/// concrete type, dispatched on `@odata.type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Polymorphic {
    /// Rust name (`<Base>Kind`).
    pub name: Name,
    /// The declared base type.
    pub base: ODataName,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// Variants; the first is the base type (also the fallback for unknown derived types),
    /// the others are the selected non-abstract derived types sorted by qualified name.
    pub variants: Vec<Variant>,
}

/// A variant of a [`Polymorphic`] enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Variant name (the struct's name).
    pub name: Name,
    /// The struct it holds.
    pub ty: Name,
    /// The CSDL type.
    pub odata: ODataName,
    /// Whether the struct is deprecated.
    pub deprecated: bool,
}

/// The body of a PATCH request for an entity type: every updatable property as a tri-state
/// `::pim_api::edm::Patch<T>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Rust name (`<Type>Update`).
    pub name: Name,
    /// The struct it updates.
    pub of: Name,
    /// The CSDL type.
    pub odata: ODataName,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
    /// Updatable properties: structural ones that are not keys, computed or immutable, and
    /// containment navigation properties (Graph accepts nested rules in a policy PATCH).
    pub fields: Vec<Field>,
    /// `@odata.type` to write when absent from the additional properties: set for types that
    /// derive from a polymorphic base, whose endpoints declare the base type.
    pub odata_type: Option<String>,
}

/// A type definition: a documented alias of its underlying type.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    /// Rust name.
    pub name: Name,
    /// The CSDL type.
    pub odata: ODataName,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
    /// The underlying type.
    pub ty: TypeExpr,
}
