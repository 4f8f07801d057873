//! Typed models of the Graph PIM types, generated at build time by `pim-codegen` from the
//! pinned schema `metadata/pim-beta.csdl` and the selection `metadata/selection.toml` (the
//! build script writes them to `OUT_DIR`; a committed copy lives in `pim-api/golden/`).
//!
//! # What is generated
//!
//! | schema | Rust |
//! |---|---|
//! | entity or complex type | a struct with every property of the type and its base types |
//! | entity type only referenced (e.g. `directoryObject`) | a struct with its key and `additional_properties` |
//! | type with derived types, where a property declares it | `…Kind` enum, one variant per concrete type |
//! | updatable entity type | `…Update` struct: the PATCH body |
//! | enum type | open enum: a variant per member plus `Unknown(String)` |
//!
//! # Presence, `null` and required properties
//!
//! Every field of a model is an `Option`: Graph omits properties a `$select` did not ask for,
//! even non-nullable ones, and decoding must not fail then. Whether the schema allows `null`
//! is in each field's docs. `null` and absent are still told apart (a hidden per-struct bit
//! set), so encoding a decoded value gives back the same JSON value. Members the struct has
//! no field for (newer properties, misspellings such as `createdDateTIme`, instance
//! annotations such as `@odata.etag` or `rules@odata.context`) are kept in
//! `additional_properties` and written back.
//!
//! Models are `#[non_exhaustive]` (the schema grows); build them with `new`, which takes the
//! properties the schema requires (non-nullable, not computed, not a key). A type with
//! required properties has no `Default`, so a create body cannot be built without them:
//!
//! ```
//! use pim_api::models::{RecurrenceRange, RecurrenceRangeType};
//!
//! let mut range = RecurrenceRange::new(0); // `numberOfOccurrences` is non-nullable
//! range.r#type = Some(RecurrenceRangeType::NoEnd);
//! assert_eq!(
//!     serde_json::to_value(&range).unwrap(),
//!     serde_json::json!({"numberOfOccurrences": 0, "type": "noEnd"})
//! );
//! ```
//!
//! # Updates
//!
//! A PATCH body is the `…Update` struct of the type: each property is an
//! [`edm::Patch`](crate::edm::Patch) — absent (left out, unchanged), `null` (cleared) or a
//! value. Bodies of types that derive from a polymorphic base (policy rules) write their
//! `@odata.type`, which Graph needs:
//!
//! ```
//! use pim_api::edm::{Duration, Patch};
//! use pim_api::models::UnifiedRoleManagementPolicyExpirationRuleUpdate;
//!
//! let mut rule = UnifiedRoleManagementPolicyExpirationRuleUpdate::new();
//! rule.maximum_duration = Patch::Value(Duration::from_raw("P180D"));
//! rule.is_expiration_required = Patch::Null;
//! assert_eq!(
//!     serde_json::to_value(&rule).unwrap(),
//!     serde_json::json!({
//!         "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
//!         "isExpirationRequired": null,
//!         "maximumDuration": "P180D"
//!     })
//! );
//! ```
//!
//! # Polymorphism
//!
//! A property declared with a type that has derived types holds its `…Kind` enum, decoded by
//! `@odata.type` (with or without `#`, namespace- or alias-qualified, any casing); an unknown
//! type decodes as the base variant with every member kept:
//!
//! ```
//! use pim_api::models::IdentityKind;
//!
//! let who: IdentityKind = serde_json::from_str(
//!     r#"{"@odata.type": "graph.userIdentity", "displayName": "Alex", "userPrincipalName": "alex@contoso.com"}"#,
//! ).unwrap();
//! let IdentityKind::UserIdentity(user) = &who else { panic!("dispatched on @odata.type") };
//! assert_eq!(user.user_principal_name.as_deref(), Some("alex@contoso.com"));
//!
//! let other: IdentityKind =
//!     serde_json::from_str(r##"{"@odata.type": "#microsoft.graph.futureIdentity", "x": 1}"##).unwrap();
//! assert!(matches!(other, IdentityKind::Identity(_)));
//! assert_eq!(other.additional_properties()["x"], 1);
//! ```
//!
//! # Deprecation
//!
//! Items the schema deprecates (`Core.Revisions`) carry `#[deprecated]` with the date and the
//! planned removal; PIM iteration 2 (`privilegedAccess` and the `governance…` types reached
//! only through it) is deprecated that way.

include!(concat!(env!("OUT_DIR"), "/models/mod.rs"));
