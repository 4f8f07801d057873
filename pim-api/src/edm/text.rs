//! Shared plumbing of the "text-keeping" primitive types.
//!
//! `Edm.DateTimeOffset`, `Edm.Date`, `Edm.TimeOfDay`, `Edm.Duration`, `Edm.Guid` and
//! `Edm.Binary` all store the exact JSON string they were decoded from, so that re-encoding
//! writes back the same text. Their serde impls, `Display`, `AsRef<str>` and raw constructors are
//! identical, so one private macro writes them; each type adds its own parser and accessors.
//!
//! Decoding goes through a visitor that takes an owned `String` without copying
//! (`visit_string`) and copies a borrowed `&str` exactly once (`visit_str`), which is exactly
//! what decoding a `String` field costs: no validation happens at decode time.

use serde::de::{self, Visitor};
use std::fmt;

/// Visitor producing the raw `String` of a JSON string value.
pub(crate) struct TextVisitor(pub &'static str);

impl Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string holding an Edm.{} value", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

/// Implements the common surface of a text-keeping newtype `$ty(String)`.
macro_rules! text_type {
    ($ty:ident, $edm:literal) => {
        impl $ty {
            /// Wraps `text` as received, without validating it (this is what decoding does;
            /// use `FromStr`/`parse` to validate). The text is written back unchanged.
            pub fn from_raw(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            /// The exact text, as received or as written by a constructor.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the value and returns its text.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            /// Writes the exact text.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::serde::Serialize for $ty {
            /// Writes the exact text as a JSON string.
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            /// Accepts any JSON string, without validation (see the type's docs).
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_string($crate::edm::text::TextVisitor($edm))
                    .map(Self)
            }
        }
    };
}

pub(crate) use text_type;
