//! OData primitive wire types (Edm.*), tri-state PATCH values and open-enum support.
//!
//! Generated models name these items as `::pim_api::edm::…`. Everything here serves one rule:
//! a generated model must decode every real Graph payload and encode it back to an equal
//! JSON value, and must never panic on hostile input.
//!
//! # Edm type mapping
//!
//! | Edm type | Rust type | notes |
//! | --- | --- | --- |
//! | `Edm.String` | `String` | |
//! | `Edm.Boolean` | `bool` | |
//! | `Edm.Byte` / `SByte` / `Int16` / `Int32` | `u8` / `i8` / `i16` / `i32` | |
//! | `Edm.Int64` | [`Int64`] | number or numeric string, form kept |
//! | `Edm.Decimal` | [`Decimal`] | text; exact in string form (see its docs) |
//! | `Edm.Double` / `Edm.Single` | [`Double`] / [`Single`] | `"INF"`, `"-INF"`, `"NaN"` |
//! | `Edm.DateTimeOffset` | [`DateTimeOffset`] | text kept, parsed on access |
//! | `Edm.Date` | [`Date`] | text kept, parsed on access |
//! | `Edm.TimeOfDay` | [`TimeOfDay`] | text kept, parsed on access |
//! | `Edm.Duration` | [`Duration`] | text kept, parsed on access |
//! | `Edm.Guid` | [`Guid`] | text kept, parsed on access |
//! | `Edm.Binary` | [`Binary`] | base64url text kept, decoded on access |
//! | `Edm.Untyped` | `serde_json::Value` | any JSON, kept as is |
//! | `Edm.Stream` | not a JSON property | |
//!
//! None of these types needs a serde attribute; `Option<T>`, `Vec<T>` and [`Patch<T>`] of them
//! work as they are.
//!
//! # Text-keeping types
//!
//! [`DateTimeOffset`], [`Date`], [`TimeOfDay`], [`Duration`], [`Guid`] and [`Binary`] store the
//! string they were decoded from and write it back unchanged. Decoding them does no
//! validation, so it costs exactly what decoding a `String` costs and never rejects an
//! entity because of one odd value (the docs' `"String (timestamp)"` placeholders decode
//! too). Accessors (`to_datetime`, `to_time_delta`, `to_uuid`, `decode`, …) validate and return
//! `Result<_, EdmError>`; `FromStr` validates; `from_raw` wraps any text; constructors from
//! chrono/uuid/bytes values write a canonical form. Equality and hashing compare the text.

// Every public item here is used by generated code and must say what it is for.
#![warn(missing_docs)]

// The submodules are public so their design notes show in rustdoc; generated code and users
// name the items through the re-exports below (`::pim_api::edm::DateTimeOffset`).

pub mod binary;
#[doc(hidden)]
pub mod derive_support;
pub mod duration;
pub mod error;
pub mod guid;
mod lex;
pub mod numeric;
pub mod odata_type;
pub mod open_enum;
pub mod patch;
pub mod temporal;
pub(crate) mod text;

pub use binary::Binary;
pub use duration::{Duration, DurationParts};
pub use error::EdmError;
pub use guid::Guid;
pub use numeric::{Decimal, Double, Int64, Single};
pub use odata_type::{ODataTypeName, odata_type_is, odata_type_name, parse_odata_type};
pub use open_enum::{
    Flags, OpenEnum, deserialize_open_enum, open_enum_as_str, open_enum_member_index,
    parse_open_enum, parse_open_enum_owned, serialize_open_enum,
};
pub use patch::Patch;
pub use temporal::{Date, DateTimeOffset, TimeOfDay};

/// The "additional properties" bag of a generated structured type: every JSON member the
/// struct has no field for — properties newer than the pinned schema, misspelled keys Graph
/// really sends (`createdDateTIme`), and instance annotations (`@odata.type`,
/// `rules@odata.context`, …) — kept and written back on encode so round trips are lossless.
///
/// Generated structs carry it as their `additional_properties` field, filled by their
/// hand-rolled `Deserialize` (`edm::derive_support`; not `#[serde(flatten)]`, which would
/// buffer every object before dispatching it to the fields):
///
/// ```
/// use pim_api::models::UnifiedRoleAssignmentScheduleInstance;
///
/// let json = r#"{"createdDateTIme":"2021-07-27T09:42:40.087Z","id":"1"}"#;
/// let s: UnifiedRoleAssignmentScheduleInstance = serde_json::from_str(json).unwrap();
/// assert_eq!(s.id.as_deref(), Some("1"));
/// assert!(s.additional_properties.contains_key("createdDateTIme"));
/// assert_eq!(
///     serde_json::to_string(&s).unwrap(),
///     r#"{"id":"1","createdDateTIme":"2021-07-27T09:42:40.087Z"}"#
/// );
/// ```
///
/// It is a plain alias for `serde_json::Map<String, serde_json::Value>` so users get the full
/// `Map` API and no conversion. The map is ordered by key (serde_json without
/// `preserve_order`), so re-encoded unknown members may come out in a different order than
/// received, which does not change the JSON value.
pub type AdditionalProperties = serde_json::Map<String, serde_json::Value>;
