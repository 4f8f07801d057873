//! Runtime support for generated **open enums** and **flags enums**.
//!
//! The generator emits one Rust enum per CSDL `EnumType`: a unit variant per member, in schema
//! order, plus `Unknown(String)`. It implements [`OpenEnum`] for it (a member table and four
//! one-line functions) and forwards `Serialize`, `Deserialize`, `Display` and `FromStr` to the
//! free functions here, so each generated enum stays a handful of lines and all the matching
//! logic lives (and is tested) in one place:
//!
//! ```
//! use pim_api::edm::{self, OpenEnum};
//!
//! #[derive(Debug, Clone, PartialEq, Eq, Hash)]
//! pub enum ExpirationPatternType {
//!     NotSpecified,
//!     NoExpiration,
//!     AfterDateTime,
//!     AfterDuration,
//!     UnknownFutureValue,
//!     /// A value this version of the schema does not know, kept verbatim.
//!     Unknown(String),
//! }
//!
//! impl OpenEnum for ExpirationPatternType {
//!     const MEMBERS: &'static [&'static str] =
//!         &["notSpecified", "noExpiration", "afterDateTime", "afterDuration", "unknownFutureValue"];
//!     fn from_member_index(i: usize) -> Self {
//!         match i {
//!             0 => Self::NotSpecified,
//!             1 => Self::NoExpiration,
//!             2 => Self::AfterDateTime,
//!             3 => Self::AfterDuration,
//!             4 => Self::UnknownFutureValue,
//!             _ => Self::Unknown(String::new()),
//!         }
//!     }
//!     fn member_index(&self) -> Option<usize> {
//!         match self {
//!             Self::NotSpecified => Some(0),
//!             Self::NoExpiration => Some(1),
//!             Self::AfterDateTime => Some(2),
//!             Self::AfterDuration => Some(3),
//!             Self::UnknownFutureValue => Some(4),
//!             Self::Unknown(_) => None,
//!         }
//!     }
//!     fn unknown(raw: String) -> Self {
//!         Self::Unknown(raw)
//!     }
//!     fn unknown_str(&self) -> Option<&str> {
//!         match self {
//!             Self::Unknown(raw) => Some(raw),
//!             _ => None,
//!         }
//!     }
//! }
//!
//! impl serde::Serialize for ExpirationPatternType {
//!     fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
//!         edm::serialize_open_enum(self, s)
//!     }
//! }
//! impl<'de> serde::Deserialize<'de> for ExpirationPatternType {
//!     fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
//!         edm::deserialize_open_enum(d)
//!     }
//! }
//! impl std::fmt::Display for ExpirationPatternType {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str(edm::open_enum_as_str(self))
//!     }
//! }
//! impl std::str::FromStr for ExpirationPatternType {
//!     type Err = std::convert::Infallible;
//!     fn from_str(s: &str) -> Result<Self, Self::Err> {
//!         Ok(edm::parse_open_enum(s))
//!     }
//! }
//!
//! let v: ExpirationPatternType = serde_json::from_str(r#""AfterDateTime""#).unwrap();
//! assert_eq!(v, ExpirationPatternType::AfterDateTime);
//! assert_eq!(serde_json::to_string(&v).unwrap(), r#""afterDateTime""#);
//! let placeholder: ExpirationPatternType = serde_json::from_str(r#""String""#).unwrap();
//! assert_eq!(serde_json::to_string(&placeholder).unwrap(), r#""String""#);
//! ```
//!
//! # Matching rules
//!
//! * A known member matches **ASCII case-insensitively** (real payloads carry `adminAssign` and
//!   `AdminAssign`); the exact spelling is tried first so the common case costs one pass of
//!   `==` over the member table, then a second pass with `eq_ignore_ascii_case`. Member tables
//!   of Graph enums are short (a few dozen names at most), so a linear scan beats hashing.
//! * Encoding writes the **schema's spelling**, so a casing variant is normalized on the way
//!   back out: this is the one place where decoding then encoding changes the JSON text, by
//!   design.
//! * Anything else (including the docs placeholder `"String"`) becomes `Unknown(raw)` and is
//!   written back verbatim, so a newer server never breaks an older client.
//!
//! # `unknownFutureValue` and evolvable members
//!
//! Graph enums end their original member list with the sentinel `unknownFutureValue`.
//! Members declared *after* it are real values ("evolvable members"): the server substitutes
//! `unknownFutureValue` for them unless the request carries
//! `Prefer: include-unknown-enum-members`. The generated enum therefore keeps every member,
//! before and after the sentinel, as ordinary variants; `unknownFutureValue` itself is an
//! ordinary variant too (it is what the server sends when it hides an evolvable member), and
//! `Unknown(String)` remains for values the schema does not list at all.
//!
//! # Flags enums
//!
//! A CSDL enum with `IsFlags="true"` is sent as a comma-separated list of member names
//! (`"email,sms"`); generated models use [`Flags<E>`] for such properties.

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// Implemented by every generated open enum; see the [module docs](self) for an example.
///
/// Contract: `from_member_index(i)` is called only with `i < MEMBERS.len()`, and
/// `member_index` returns `Some(i)` exactly for the variant that `from_member_index(i)` builds
/// and `None` for the unknown variant, for which `unknown_str` returns `Some`. An out-of-range
/// index must not panic (the generated code maps it to `Unknown(String::new())`).
pub trait OpenEnum: Sized {
    /// Wire names in schema spelling, in member order.
    const MEMBERS: &'static [&'static str];

    /// The known member at `i` in [`OpenEnum::MEMBERS`].
    fn from_member_index(i: usize) -> Self;

    /// The index in [`OpenEnum::MEMBERS`] of a known member; `None` for the unknown variant.
    fn member_index(&self) -> Option<usize>;

    /// The unknown variant holding `raw` verbatim.
    fn unknown(raw: String) -> Self;

    /// The raw text of the unknown variant; `None` for a known member.
    fn unknown_str(&self) -> Option<&str>;
}

/// The index of the member named `name`: exact match first, then ASCII case-insensitive.
pub fn open_enum_member_index<E: OpenEnum>(name: &str) -> Option<usize> {
    let members = E::MEMBERS;
    members
        .iter()
        .position(|m| *m == name)
        .or_else(|| members.iter().position(|m| m.eq_ignore_ascii_case(name)))
}

/// Parses a member name (never fails: unmatched text becomes the unknown variant).
pub fn parse_open_enum<E: OpenEnum>(s: &str) -> E {
    match open_enum_member_index::<E>(s) {
        Some(i) => E::from_member_index(i),
        None => E::unknown(s.to_owned()),
    }
}

/// Like [`parse_open_enum`], but reuses `s`'s allocation for an unknown value.
pub fn parse_open_enum_owned<E: OpenEnum>(s: String) -> E {
    match open_enum_member_index::<E>(&s) {
        Some(i) => E::from_member_index(i),
        None => E::unknown(s),
    }
}

/// The wire text of `v`: the schema spelling of a known member, or the unknown text verbatim.
pub fn open_enum_as_str<E: OpenEnum>(v: &E) -> &str {
    v.member_index()
        .and_then(|i| E::MEMBERS.get(i).copied())
        .or_else(|| v.unknown_str())
        // Only reachable through an impl that breaks the trait contract; write nothing
        // rather than panic.
        .unwrap_or("")
}

/// `Serialize` for a generated open enum: writes [`open_enum_as_str`] as a JSON string.
pub fn serialize_open_enum<E: OpenEnum, S: Serializer>(v: &E, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(open_enum_as_str(v))
}

/// `Deserialize` for a generated open enum: accepts any JSON string (see the module docs for
/// the matching rules); other JSON types are errors.
pub fn deserialize_open_enum<'de, E: OpenEnum, D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
    d.deserialize_str(OpenEnumVisitor(PhantomData))
}

struct OpenEnumVisitor<E>(PhantomData<E>);

impl<E: OpenEnum> Visitor<'_> for OpenEnumVisitor<E> {
    type Value = E;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an enumeration member name")
    }

    fn visit_str<Er: de::Error>(self, v: &str) -> Result<E, Er> {
        Ok(parse_open_enum(v))
    }

    fn visit_string<Er: de::Error>(self, v: String) -> Result<E, Er> {
        Ok(parse_open_enum_owned(v))
    }
}

/// The value of a flags enum (`IsFlags="true"`): an ordered list of members, read from and
/// written as Graph's comma-separated form (`"email,sms"`).
///
/// Reading tolerates whitespace around the names (`"email, sms"`) and keeps unknown names
/// and the order of the text; writing joins the names with `,` and no spaces, each in schema
/// spelling (unknown names verbatim). An empty string is the empty set.
///
/// ```
/// # use pim_api::edm::{Flags, OpenEnum};
/// # #[derive(Debug, Clone, PartialEq)]
/// # enum Channel { Email, Sms, Unknown(String) }
/// # impl OpenEnum for Channel {
/// #     const MEMBERS: &'static [&'static str] = &["email", "sms"];
/// #     fn from_member_index(i: usize) -> Self { match i { 0 => Self::Email, 1 => Self::Sms, _ => Self::Unknown(String::new()) } }
/// #     fn member_index(&self) -> Option<usize> { match self { Self::Email => Some(0), Self::Sms => Some(1), Self::Unknown(_) => None } }
/// #     fn unknown(raw: String) -> Self { Self::Unknown(raw) }
/// #     fn unknown_str(&self) -> Option<&str> { match self { Self::Unknown(r) => Some(r), _ => None } }
/// # }
/// let f: Flags<Channel> = serde_json::from_str(r#""Sms, email,pigeon""#).unwrap();
/// assert!(f.contains(&Channel::Email));
/// assert_eq!(serde_json::to_string(&f).unwrap(), r#""sms,email,pigeon""#);
/// let g = Flags::from(Channel::Email);
/// assert_eq!(g.to_string(), "email");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flags<E> {
    members: Vec<E>,
}

impl<E> Flags<E> {
    /// The empty set (written as `""`).
    pub const fn new() -> Self {
        Self {
            members: Vec::new(),
        }
    }

    /// The members in order.
    pub fn as_slice(&self) -> &[E] {
        &self.members
    }

    /// Iterates over the members in order.
    pub fn iter(&self) -> std::slice::Iter<'_, E> {
        self.members.iter()
    }

    /// The number of members (duplicates in the text count twice).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there is no member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Appends `member` even if present (use [`Flags::insert`] to avoid duplicates).
    pub fn push(&mut self, member: E) {
        self.members.push(member);
    }

    /// Consumes the set and returns its members.
    pub fn into_vec(self) -> Vec<E> {
        self.members
    }
}

impl<E: OpenEnum> Flags<E> {
    /// Whether `member` is present: known members compare by member, unknown ones by their
    /// exact text.
    pub fn contains(&self, member: &E) -> bool {
        self.members.iter().any(|m| same_member(m, member))
    }

    /// Appends `member` unless present; returns whether it was added.
    pub fn insert(&mut self, member: E) -> bool {
        if self.contains(&member) {
            return false;
        }
        self.members.push(member);
        true
    }

    /// Removes every occurrence of `member`; returns whether there was one.
    pub fn remove(&mut self, member: &E) -> bool {
        let before = self.members.len();
        self.members.retain(|m| !same_member(m, member));
        self.members.len() != before
    }

    /// Parses the comma-separated form (never fails; see the type docs).
    pub fn parse(s: &str) -> Self {
        if s.trim().is_empty() {
            return Self::new();
        }
        Self {
            members: s
                .split(',')
                .map(|part| parse_open_enum(part.trim()))
                .collect(),
        }
    }
}

fn same_member<E: OpenEnum>(a: &E, b: &E) -> bool {
    match (a.member_index(), b.member_index()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.unknown_str() == b.unknown_str(),
        _ => false,
    }
}

impl<E> Default for Flags<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> From<E> for Flags<E> {
    fn from(member: E) -> Self {
        Self {
            members: vec![member],
        }
    }
}

impl<E> From<Vec<E>> for Flags<E> {
    fn from(members: Vec<E>) -> Self {
        Self { members }
    }
}

impl<E> FromIterator<E> for Flags<E> {
    fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
        Self {
            members: iter.into_iter().collect(),
        }
    }
}

impl<E> Extend<E> for Flags<E> {
    fn extend<I: IntoIterator<Item = E>>(&mut self, iter: I) {
        self.members.extend(iter);
    }
}

impl<E> IntoIterator for Flags<E> {
    type Item = E;
    type IntoIter = std::vec::IntoIter<E>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}

impl<'a, E> IntoIterator for &'a Flags<E> {
    type Item = &'a E;
    type IntoIter = std::slice::Iter<'a, E>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.iter()
    }
}

impl<E: OpenEnum> fmt::Display for Flags<E> {
    /// The wire form: names joined by `,`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.members.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(open_enum_as_str(m))?;
        }
        Ok(())
    }
}

impl<E: OpenEnum> FromStr for Flags<E> {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl<E: OpenEnum> serde::Serialize for Flags<E> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, E: OpenEnum> serde::Deserialize<'de> for Flags<E> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<E>(PhantomData<E>);
        impl<E: OpenEnum> Visitor<'_> for V<E> {
            type Value = Flags<E>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a comma-separated list of enumeration member names")
            }
            fn visit_str<Er: de::Error>(self, v: &str) -> Result<Flags<E>, Er> {
                Ok(Flags::parse(v))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}
