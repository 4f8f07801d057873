//! [`Patch`]: the tri-state value of a property in a PATCH body.
//!
//! A PATCH body must distinguish "leave unchanged" (the property is absent), "clear" (the
//! property is `null`) and "set" (the property has a value). `Option<T>` has only two states,
//! so generated update models use `Patch<T>` with exactly these attributes:
//!
//! ```
//! use pim_api::edm::Patch;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Default)]
//! struct UpdateBody {
//!     #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
//!     display_name: Patch<String>,
//!     #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
//!     description: Patch<String>,
//!     #[serde(default, skip_serializing_if = "::pim_api::edm::Patch::is_absent")]
//!     justification: Patch<String>,
//! }
//!
//! let body = UpdateBody {
//!     display_name: "PIM admins".to_owned().into(),
//!     description: Patch::null(),
//!     ..Default::default()
//! };
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     r#"{"display_name":"PIM admins","description":null}"#
//! );
//! ```
//!
//! `default` makes a missing property decode as [`Patch::Absent`]; `skip_serializing_if`
//! leaves it out again. Without `skip_serializing_if` an absent value is written as `null`
//! (serde cannot omit a field from inside its value), which would clear the property.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Absent, `null`, or a value: one property of a PATCH body (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Patch<T> {
    /// Not sent: the server leaves the property unchanged.
    #[default]
    Absent,
    /// Sent as `null`: the server clears the property.
    Null,
    /// Sent with this value.
    Value(T),
}

impl<T> Patch<T> {
    /// `Patch::Null`, spelled as a function for symmetry with `Patch::from(value)`.
    pub const fn null() -> Self {
        Self::Null
    }

    /// Whether the property is absent; the function to name in
    /// `skip_serializing_if = "::pim_api::edm::Patch::is_absent"`.
    pub const fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the property is `null`.
    pub const fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the property has a value.
    pub const fn is_value(&self) -> bool {
        matches!(self, Self::Value(_))
    }

    /// The value, if any (`None` for both absent and null).
    pub const fn as_value(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Consumes the patch and returns the value, if any.
    pub fn into_value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Borrows the value: `Patch<&T>`.
    pub const fn as_ref(&self) -> Patch<&T> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(v),
        }
    }

    /// Maps the value, keeping absent and null.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(f(v)),
        }
    }

    /// "Set or clear": `Some(v)` becomes [`Patch::Value`], `None` becomes [`Patch::Null`].
    /// (There is deliberately no `From<Option<T>>`: whether `None` means "clear" or "leave
    /// unchanged" should be visible at the call site.)
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }

    /// The value as it stands after the PATCH is applied to `current`: absent keeps
    /// `current`, null clears it, a value replaces it.
    pub fn apply_to(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Absent => current,
            Self::Null => None,
            Self::Value(v) => Some(v),
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    /// Writes the value, or `null` for both null and absent (absent is normally skipped by
    /// `skip_serializing_if` before this is reached).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(v) => s.serialize_some(v),
            Self::Null | Self::Absent => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// `null` decodes as [`Patch::Null`], anything else as [`Patch::Value`]; a missing
    /// property needs `#[serde(default)]` to become [`Patch::Absent`].
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Self::from_option)
    }
}
