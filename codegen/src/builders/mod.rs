//! Stages 4 and 5 for the request builders: the fluent path API over the selection's URLs.
//!
//! [`build`] turns the resolved model, the selection and the models' IR (for the Rust names
//! of the payload types) into a [`Requests`] IR; [`emit`] turns that into one formatted file,
//! `requests.rs`, which pim-api includes as `pim_api::requests`. The split mirrors the models'
//! (`ir` + `emit`): every decision — names, which methods exist, docs, deprecation — is made
//! in [`build`], and the emitter is a straight `quote!` translation of the IR.
//!
//! # The shape of the API
//!
//! Builders are generated per *entity type and access*, not per URL: a builder holds a
//! `Client` and the [`ODataPath`](../../pim_api/runtime/struct.ODataPath.html) built so far,
//! and each navigation method appends one segment and returns the builder of the target.
//! Cycles such as `governanceResource.parent` therefore cost nothing: `parent()` returns the
//! same builder type again and the path just grows.
//!
//! ```text
//! client.role_management()                      RoleManagementBuilder          /roleManagement
//!     .directory()                              RbacApplicationBuilder         …/directory
//!     .role_assignment_schedule_requests()      UnifiedRoleAssignmentScheduleRequestCollectionBuilder
//!     .by_id(id)                                UnifiedRoleAssignmentScheduleRequestBuilder   …/{id}
//!     .cancel()                                 runtime::ActionRequest<()>     POST …/{id}/cancel
//! ```
//!
//! | builder | methods |
//! |---|---|
//! | collection (entity set, collection navigation) | `by_<key>`, `list` (or `list_by_…`), `count` (or `count_by_…`), `create`, operations bound to `Collection(T)` |
//! | entity (keyed item, singleton, single navigation) | `get`, `update`, `delete`, navigation methods, operations bound to `T` |
//! | related (reached by a non-containment navigation) | `get`; for a collection `list`, `count`, `by_<key>` |
//!
//! Entry points are inherent methods of `pim_api::runtime::Client`, one per entity set or
//! singleton that starts a bound path of `metadata/selection.toml`.
//!
//! # Which methods exist
//!
//! Decided per resource from Org.OData.Capabilities where the schema annotates it, most
//! specific first (CAP-05): the exact container path (`GraphService/roleManagement/…`), the
//! navigation property (`rbacApplication/roleAssignmentSchedules`) or entity set, then the
//! entity type (CSDL-102: set-level overrides type-level). Without annotations the spec's
//! defaults apply: collections `list` + `create`, their items `get` + `update` + `delete`,
//! singletons and single-valued navigation `get` + `update`. Two resources of one entity type
//! with different capabilities get different builders (the second is named after the
//! navigation that reaches it). Types the selection only passes through (`roleManagement`,
//! `policies`, …: reference-only in the models) have navigation methods only. `update` needs
//! a PATCH body type from the models (`…Update`); where the entity type is the base of a
//! polymorphic family (policy rules), it takes any body of the family through the
//! [`Requests::update_trait`] marker trait.
//!
//! Non-containment navigation properties (`principal`, `roleDefinition`, `activatedUsing`,
//! …) of an addressable entity get a method too, one level deep as in Microsoft's SDKs: it
//! returns a *related* builder with the reads only (the relationship is not a place to
//! create or change the target). A target the selection generates as a reference only is
//! read as its reference type. Every listable collection also has `count` (`GET …/$count`,
//! a `runtime::CountRequest`), unless the schema says it is not countable.
//!
//! The selection's `[[restrict]]` tables then take away what the service refuses although
//! the schema does not say so (create, update, delete; navigations it does not serve), and
//! turn `list`/`count` of a collection the service lists only filtered into `list_by_<p>` /
//! `count_by_<p>` methods taking the values (`list_by_group_id(id)` sends
//! `$filter=groupId eq '…'`, and the caller's own `$filter` is `and`-ed to it).
//!
//! Bound actions and functions use Graph's URL forms: the unqualified name as a segment,
//! function parameters inline (`filterByCurrentUser(on='principal')`, enums as quoted
//! strings), complex or collection function parameters as aliases (`f(p=@p)?@p=<json>`),
//! action parameters as a JSON object body built from a generated `…Params` struct.
//! Functions returning a collection are paged like lists.

mod build;
mod caps;
mod emit;

pub use build::build;
pub use emit::{FILE, emit};

use crate::ir::{Deprecation, RenameNote, TypeExpr};
use crate::naming::Name;

/// The request builders of one generation run.
#[derive(Debug, Clone, PartialEq)]
pub struct Requests {
    /// Module aliases and field names the generated code uses.
    pub idents: Idents,
    /// Inherent methods of `pim_api::runtime::Client`: one per entry resource.
    pub entry: Vec<Method>,
    /// Builder types, in discovery order (breadth first from the entry points).
    pub builders: Vec<Builder>,
    /// Parameter structs of actions that have parameters, sorted by name.
    pub params: Vec<Params>,
    /// The marker trait of PATCH bodies accepted by a polymorphic family's endpoints, when
    /// some `update` method needs it.
    pub update_trait: Option<UpdateTrait>,
    /// Rust names that differ from what the naming rules first gave (collisions), to be
    /// reported as `NameCollision` warnings like the models'.
    pub renames: Vec<RenameNote>,
}

impl Requests {
    /// Whether there is nothing to emit (no bound path: whole-schema runs).
    pub fn is_empty(&self) -> bool {
        self.entry.is_empty()
    }
}

/// Identifiers of the generated file that are not schema names.
#[derive(Debug, Clone, PartialEq)]
pub struct Idents {
    /// Alias of `::pim_api::runtime` (`use ::pim_api::runtime as rt;`).
    pub runtime: Name,
    /// Alias of `::pim_api::models`.
    pub models: Name,
    /// The builders' `Client` field.
    pub client: Name,
    /// The builders' `ODataPath` field (also the accessor method).
    pub path: Name,
    /// The body parameter of `create` and `update`.
    pub body: Name,
    /// The parameter of actions with a parameters struct.
    pub params: Name,
}

/// A generated builder type.
#[derive(Debug, Clone, PartialEq)]
pub struct Builder {
    /// Rust name.
    pub name: Name,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]` when the entity type is deprecated (itself or, per the models, through
    /// the deprecated root that is the only way to reach it).
    pub deprecation: Option<Deprecation>,
    /// Methods, in a fixed order: path accessor first (implicit), then key, CRUD, navigation,
    /// operations.
    pub methods: Vec<Method>,
}

/// A generated method (of a builder, or of `Client` for entry points).
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    /// Rust name.
    pub name: Name,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if any.
    pub deprecation: Option<Deprecation>,
    /// What it does.
    pub kind: MethodKind,
}

/// The payload type of a request: a model type (struct or polymorphic `…Kind`), a primitive,
/// or JSON, possibly in a `Vec` or `Option`.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The item type.
    pub ty: TypeExpr,
    /// `Vec<…>`.
    pub collection: bool,
    /// `Option<…>` (nullable operation results, which Graph may answer with 204).
    pub optional: bool,
}

/// What a method does.
#[derive(Debug, Clone, PartialEq)]
pub enum MethodKind {
    /// Appends a static segment (entity set, singleton, navigation property) and returns
    /// another builder. From `Client`, the path starts empty.
    Segment {
        /// The wire segment.
        segment: String,
        /// The builder returned.
        target: Name,
    },
    /// Appends a key segment (percent-encoded by the runtime) and returns the item builder.
    Key {
        /// The key parameter.
        param: Name,
        /// The placeholder written in the path template, e.g. `governanceResource-id`.
        placeholder: String,
        /// The builder returned.
        target: Name,
    },
    /// `GET` of the collection: `ListRequest<T>`.
    List {
        /// The item type.
        item: Payload,
        /// The filter the service requires, as parameters: each is compared with `eq`,
        /// all of them `and`-ed (`list_by_…`). Empty for a plain `list`.
        by: Vec<FunctionParam>,
        /// The operation name for tracing.
        operation: String,
    },
    /// `GET …/$count`: `CountRequest`.
    Count {
        /// As for [`MethodKind::List`]: the filter the service requires.
        by: Vec<FunctionParam>,
        /// The operation name for tracing.
        operation: String,
    },
    /// `GET` of the entity: `GetRequest<T>`.
    Get {
        /// The entity type.
        ty: Payload,
        /// The operation name for tracing.
        operation: String,
    },
    /// `POST` to the collection: `CreateRequest<T>`.
    Create {
        /// The body and result type.
        ty: Payload,
        /// The operation name for tracing.
        operation: String,
    },
    /// `PATCH` of the entity: `UpdateRequest`.
    Update {
        /// The body type.
        body: UpdateBody,
        /// The operation name for tracing.
        operation: String,
    },
    /// `DELETE` of the entity: `DeleteRequest`.
    Delete {
        /// The operation name for tracing.
        operation: String,
    },
    /// A bound action: `POST …/{name}`.
    Action {
        /// The wire segment (unqualified name).
        segment: String,
        /// The parameters struct, when the action has parameters.
        params: Option<Name>,
        /// What it returns.
        result: ActionResult,
        /// The operation name for tracing (qualified).
        operation: String,
    },
    /// A bound function: `GET …/{name}(p=…)`.
    Function {
        /// The wire name.
        segment: String,
        /// The non-binding parameters, in schema order.
        params: Vec<FunctionParam>,
        /// What it returns.
        result: FunctionResult,
        /// The operation name for tracing (qualified).
        operation: String,
    },
}

/// The body of an `update` method.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateBody {
    /// The entity type's own `…Update` struct.
    Direct(Name),
    /// Any `…Update` struct of the family: generic over [`Requests::update_trait`] with the
    /// base struct as its parameter.
    Family {
        /// The base struct (the trait's type parameter).
        base: Name,
    },
}

/// How an action's response is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionResult {
    /// No return type: `ActionRequest<()>`.
    Nothing,
    /// An entity or complex value decoded from the whole body.
    Entity(Payload),
    /// A primitive or collection decoded from `value`.
    Value(Payload),
}

/// How a function's response is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionResult {
    /// A collection: `ListRequest<T>` (paged like a list).
    Collection(Payload),
    /// An entity or complex value: `FunctionRequest<T>::entity`.
    Entity(Payload),
    /// A primitive: `FunctionRequest<T>::value`.
    Value(Payload),
}

/// A function parameter, written inline in the path.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionParam {
    /// Rust parameter name.
    pub name: Name,
    /// Wire name.
    pub wire: String,
    /// Its type.
    pub ty: Payload,
    /// How the value becomes an OData literal.
    pub literal: LiteralKind,
    /// `Core.OptionalParameter`: an `Option`, left out of the call when `None`.
    pub optional: bool,
}

/// How a function parameter value is written in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    /// `Edm.String`: taken as `&str`, written `'text'` with quotes doubled.
    String,
    /// An enum: its wire member as a quoted string (`'principal'`), the form Graph expects.
    Enum,
    /// Another primitive with an OData literal form (`runtime::ToLiteral`).
    Primitive,
    /// Complex, collection, entity or otherwise literal-less values: a parameter alias
    /// (`name=@name`) with the JSON value in the query (URL-32).
    Alias,
}

/// The parameters struct of an action (its JSON body).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Rust name.
    pub name: Name,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
    /// `#[deprecated]`, if the action is deprecated.
    pub deprecation: Option<Deprecation>,
    /// Fields in schema order.
    pub fields: Vec<ParamField>,
}

impl Params {
    /// The fields `new()` takes.
    pub fn required(&self) -> impl Iterator<Item = &ParamField> {
        self.fields.iter().filter(|f| f.required)
    }
}

/// A field of a [`Params`] struct.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamField {
    /// Rust name.
    pub name: Name,
    /// Exact JSON member name.
    pub wire: String,
    /// Its type (`optional` is false: optionality is [`ParamField::required`]).
    pub ty: Payload,
    /// Non-nullable and not `Core.OptionalParameter`: a plain field set by `new()`, always
    /// sent. Otherwise an `Option`, left out of the body when `None`.
    pub required: bool,
    /// Rustdoc paragraphs.
    pub docs: Vec<String>,
}

/// The marker trait of accepted PATCH bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateTrait {
    /// Rust name.
    pub name: Name,
    /// `(base struct, update body)` pairs to implement it for.
    pub impls: Vec<(Name, Name)>,
}
