//! `Edm.Guid`: the exact wire text, with an accessor to [`uuid::Uuid`].
//!
//! The text is kept (not parsed into a `Uuid` at decode time) for the same reasons as the
//! timestamps: decoding stays as cheap as a `String`, the casing Graph sent is written back,
//! and docs placeholders (`"String (identifier)"`) still decode. [`Guid::to_uuid`] validates.

use super::error::EdmError;
use super::text::text_type;
use std::str::FromStr;
use uuid::Uuid;

/// An `Edm.Guid` such as `226faf5f-61b4-40bb-8726-52e48ec914de`, kept as text.
///
/// ```
/// use pim_api::edm::Guid;
/// let g: Guid = "226FAF5F-61B4-40BB-8726-52E48EC914DE".parse().unwrap();
/// assert_eq!(g.as_str(), "226FAF5F-61B4-40BB-8726-52E48EC914DE");
/// assert_eq!(g.to_uuid().unwrap().to_string(), "226faf5f-61b4-40bb-8726-52e48ec914de");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Guid(String);

text_type!(Guid, "Guid");

impl Guid {
    /// Parses the text; only OData's hyphenated 8-4-4-4-12 form (any hex casing) is accepted,
    /// not the braced, URN or simple forms the `uuid` crate also knows.
    pub fn to_uuid(&self) -> Result<Uuid, EdmError> {
        if self.0.len() != 36 {
            return Err(EdmError::new(
                "Guid",
                &self.0,
                "expected 36 characters in the 8-4-4-4-12 form",
            ));
        }
        Uuid::try_parse(&self.0)
            .map_err(|_| EdmError::new("Guid", &self.0, "expected the 8-4-4-4-12 hex form"))
    }

    /// Whether the text is a valid `Edm.Guid`.
    pub fn is_valid(&self) -> bool {
        self.to_uuid().is_ok()
    }
}

impl From<Uuid> for Guid {
    /// Writes the lowercase hyphenated form, as Graph does.
    fn from(u: Uuid) -> Self {
        Self(u.hyphenated().to_string())
    }
}

impl FromStr for Guid {
    type Err = EdmError;

    /// Validates `s` and keeps it verbatim.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        let v = Self(s.to_owned());
        v.to_uuid()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hyphenated_form_is_valid() {
        assert!(Guid::from_raw("226faf5f-61b4-40bb-8726-52e48ec914de").is_valid());
        for bad in [
            "",
            "12345",
            "226faf5f61b440bb872652e48ec914de",
            "{226faf5f-61b4-40bb-8726-52e48ec914de}",
            "226faf5f-61b4-40bb-8726-52e48ec914dé",
            "226faf5f-61b4-40bb-8726+52e48ec914de",
            "DirectoryRole_x_226faf5f-61b4-40bb-8726-52e48ec914de",
        ] {
            assert!(!Guid::from_raw(bad).is_valid(), "{bad:?}");
        }
    }
}
