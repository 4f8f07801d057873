//! `Edm.Int64`, `Edm.Decimal`, `Edm.Double` and `Edm.Single`.
//!
//! # Decisions
//!
//! * **Int64** is the newtype [`Int64`] rather than a serde `with`-module: a newtype composes
//!   with `Option`, `Vec` and [`Patch`](super::Patch) without one helper module per container.
//!   It accepts JSON numbers and numeric strings (the `IEEE754Compatible=true` form) and
//!   remembers which one it read so it writes the same form back.
//! * **Decimal** keeps its value as decimal text. serde_json is used *without* its
//!   `arbitrary_precision` feature: that feature is global to every crate in a build, changes
//!   how `serde_json::Value` stores numbers, and breaks numbers inside `#[serde(flatten)]`,
//!   which generated models use for their additional-properties bag. Consequently a decimal
//!   sent as a JSON *number* is only as exact as serde_json makes it: integers within
//!   `i64`/`u64` are exact, other numbers go through an `f64` (about 17 significant digits).
//!   This is the same precision `serde_json::Value` has, so round trips stay equal as JSON
//!   values. A decimal sent as a JSON *string* (`IEEE754Compatible=true`) is kept exactly,
//!   digit for digit, and written back as a string. If a build does enable
//!   `arbitrary_precision`, [`Decimal`] keeps the exact digits of numbers too.
//! * **Double** and **Single** accept numbers and the strings `"INF"`, `"-INF"`, `"NaN"` (OData's
//!   spelling of the special values, case-sensitive) and write the special values back as
//!   those strings. A number read from the wire is kept as the `serde_json::Number` it was
//!   (so `1` stays `1` rather than becoming `1.0`, and a `Single` written with more digits than
//!   an `f32` holds is not rounded); values built in Rust are written with `f64`/`f32`
//!   shortest-round-trip formatting. Equality is IEEE (`NaN != NaN`), so there is no `Eq` or
//!   `Hash`.
//!
//! Round trips of non-integer numbers are exact as JSON *values*, not always as text:
//! serde_json's float writer may re-spell a number (`1e300` comes back as `1e+300`, `1.50` as
//! `1.5`). No JSON consumer can tell the difference, and without `arbitrary_precision` serde
//! cannot do better. (serde_json's default float *parser* is also not correctly rounded in
//! rare cases, e.g. `1e-50`; its additive `float_roundtrip` feature fixes that for the whole
//! build. It is not enabled here: Graph's PIM payloads carry no such numbers.)
//!
//! `Edm.Byte`, `SByte`, `Int16`, `Int32` and `Boolean` need no wrapper: they map to `u8`, `i8`,
//! `i16`, `i32` and `bool` (IEEE754Compatible only quotes Int64 and Decimal).

use super::error::EdmError;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// An `Edm.Int64`: an `i64` read from a JSON number or a numeric string, written back in the
/// form it was read (numbers by default).
///
/// Equality, ordering and hashing use the numeric value only; the string/number form is a
/// transport detail.
///
/// ```
/// use pim_api::edm::Int64;
/// let n: Int64 = serde_json::from_str(r#""9007199254740993""#).unwrap();
/// assert_eq!(n.get(), 9_007_199_254_740_993);
/// assert_eq!(serde_json::to_string(&n).unwrap(), r#""9007199254740993""#);
/// assert_eq!(serde_json::to_string(&Int64::new(42)).unwrap(), "42");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Int64 {
    value: i64,
    string_form: bool,
}

impl Int64 {
    /// A value written as a JSON number.
    pub const fn new(value: i64) -> Self {
        Self {
            value,
            string_form: false,
        }
    }

    /// The value.
    pub const fn get(self) -> i64 {
        self.value
    }

    /// Whether the value is written as a JSON string (it was read as one, or was set so).
    pub const fn is_string_form(self) -> bool {
        self.string_form
    }

    /// The same value written as a JSON string (`true`) or number (`false`).
    pub const fn with_string_form(self, string_form: bool) -> Self {
        Self {
            value: self.value,
            string_form,
        }
    }
}

impl PartialEq for Int64 {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Int64 {}

impl PartialOrd for Int64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Int64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl Hash for Int64 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl From<i64> for Int64 {
    fn from(value: i64) -> Self {
        Self::new(value)
    }
}

impl From<Int64> for i64 {
    fn from(v: Int64) -> Self {
        v.value
    }
}

impl fmt::Display for Int64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl FromStr for Int64 {
    type Err = EdmError;

    /// Parses decimal digits with an optional sign; the result is written as a number.
    fn from_str(s: &str) -> Result<Self, EdmError> {
        s.parse()
            .map(Self::new)
            .map_err(|_| EdmError::new("Int64", s, "expected an integer within i64"))
    }
}

impl Serialize for Int64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.string_form {
            s.collect_str(&self.value)
        } else {
            s.serialize_i64(self.value)
        }
    }
}

impl<'de> Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an Edm.Int64 as a JSON integer or numeric string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int64, E> {
                Ok(Int64::new(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int64, E> {
                i64::try_from(v)
                    .map(Int64::new)
                    .map_err(|_| E::custom(format_args!("Edm.Int64 out of range: {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int64, E> {
                // A JSON number with a fraction or exponent is not an Int64; accepting `1.0`
                // would write back `1` and break the round trip.
                Err(E::invalid_type(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int64, E> {
                v.parse::<i64>()
                    .map(|n| Int64::new(n).with_string_form(true))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Int64, A::Error> {
                // serde_json's `arbitrary_precision` presents numbers as a one-entry map.
                let n = Number::deserialize(de::value::MapAccessDeserializer::new(map))?;
                n.as_i64()
                    .map(Int64::new)
                    .ok_or_else(|| de::Error::custom(format_args!("Edm.Int64 out of range: {n}")))
            }
        }
        d.deserialize_any(V)
    }
}

/// An `Edm.Decimal`, kept as decimal text; see the [module docs](self) for its precision
/// limits.
///
/// Equality and hashing compare the text and the form (`1.50` and `1.5` differ); use
/// [`Decimal::to_f64`] for numeric comparisons.
///
/// ```
/// use pim_api::edm::Decimal;
/// let exact: Decimal = serde_json::from_str(r#""12345678901234567890.123456789""#).unwrap();
/// assert_eq!(exact.as_str(), "12345678901234567890.123456789");
/// assert_eq!(serde_json::to_string(&exact).unwrap(), r#""12345678901234567890.123456789""#);
/// let n: Decimal = serde_json::from_str("2.5").unwrap();
/// assert_eq!(serde_json::to_string(&n).unwrap(), "2.5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    text: String,
    string_form: bool,
}

impl Decimal {
    /// The decimal text (exact for string-form values and values built from text).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The nearest `f64`; an error if the text is not a decimal (possible only for a
    /// string-form value read from the wire, which is not validated at decode time).
    pub fn to_f64(&self) -> Result<f64, EdmError> {
        if !is_decimal_literal(&self.text) {
            return Err(EdmError::new("Decimal", &self.text, "not a decimal number"));
        }
        self.text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| EdmError::new("Decimal", &self.text, "out of the range of f64"))
    }

    /// Whether the value is written as a JSON string (`IEEE754Compatible=true`), which keeps
    /// every digit on the wire.
    pub fn is_string_form(&self) -> bool {
        self.string_form
    }

    /// The same value written as a JSON string (`true`) or number (`false`). A number can
    /// lose digits when serialized (see the module docs); a string never does.
    pub fn with_string_form(mut self, string_form: bool) -> Self {
        self.string_form = string_form;
        self
    }

    /// A decimal from a `serde_json::Number`, written as a number.
    pub fn from_number(n: &Number) -> Self {
        Self {
            text: n.to_string(),
            string_form: false,
        }
    }

    /// A decimal from a finite `f64`; `None` for NaN and infinities, which `Edm.Decimal`
    /// cannot hold.
    pub fn from_f64(v: f64) -> Option<Self> {
        Number::from_f64(v).map(|n| Self::from_number(&n))
    }
}

impl From<i64> for Decimal {
    fn from(v: i64) -> Self {
        Self::from_number(&Number::from(v))
    }
}

impl From<u64> for Decimal {
    fn from(v: u64) -> Self {
        Self::from_number(&Number::from(v))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Decimal {
    type Err = EdmError;

    /// Validates OData's decimal grammar (`[+|-]digits[.digits][e[+|-]digits]`) and keeps the
    /// exact text, written as a JSON number (see [`Decimal::with_string_form`]).
    fn from_str(s: &str) -> Result<Self, EdmError> {
        if !is_decimal_literal(s) {
            return Err(EdmError::new("Decimal", s, "not a decimal number"));
        }
        Ok(Self {
            text: s.to_owned(),
            string_form: false,
        })
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.string_form {
            return s.serialize_str(&self.text);
        }
        // JSON has no leading `+`; the JSON number parser rejects it, so drop it here.
        let text = self.text.strip_prefix('+').unwrap_or(&self.text);
        match serde_json::from_str::<Number>(text) {
            Ok(n) => n.serialize(s),
            // Only reachable for text that is not a JSON number (e.g. `1.` or `.5` are not),
            // which FromStr rejects; write it as a string rather than lose it.
            Err(_) => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an Edm.Decimal as a JSON number or string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                Decimal::from_f64(v)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                Ok(Decimal {
                    text: v.to_owned(),
                    string_form: true,
                })
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Decimal, E> {
                Ok(Decimal {
                    text: v,
                    string_form: true,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Decimal, A::Error> {
                // serde_json's `arbitrary_precision` presents numbers as a one-entry map.
                let n = Number::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Decimal::from_number(&n))
            }
        }
        d.deserialize_any(V)
    }
}

/// OData `decimalValue` (plus an exponent, which Graph's JSON numbers may carry).
fn is_decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// How a float was obtained: a wire number is replayed as is; a Rust value is formatted.
#[derive(Debug, Clone, Copy)]
enum FloatRepr<F> {
    Wire(WireNumber),
    Value(F),
}

/// `serde_json::Number` is only `Clone`; keep the float types `Copy` by storing its three
/// shapes ourselves (an `arbitrary_precision` number is stored as the `f64` it rounds to).
#[derive(Debug, Clone, Copy)]
enum WireNumber {
    U(u64),
    I(i64),
    F(f64),
}

impl WireNumber {
    fn as_f64(self) -> f64 {
        match self {
            Self::U(u) => u as f64,
            Self::I(i) => i as f64,
            Self::F(f) => f,
        }
    }

    fn from_number(n: &Number) -> Self {
        if let Some(u) = n.as_u64() {
            Self::U(u)
        } else if let Some(i) = n.as_i64() {
            Self::I(i)
        } else {
            Self::F(n.as_f64().unwrap_or(f64::NAN))
        }
    }
}

/// Writes OData's names of the special values; finite values are left to the caller.
fn special_name(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("INF")
    } else if v == f64::NEG_INFINITY {
        Some("-INF")
    } else {
        None
    }
}

fn parse_special(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "INF" => Some(f64::INFINITY),
        "-INF" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Parses a float's text: a special name or a JSON number (no surrounding whitespace).
fn parse_float_text(s: &str, edm: &'static str) -> Result<FloatRepr<f64>, EdmError> {
    if let Some(v) = parse_special(s) {
        return Ok(FloatRepr::Value(v));
    }
    let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.len() != s.len() || s.is_empty() {
        return Err(EdmError::new(edm, s, "expected a number, INF, -INF or NaN"));
    }
    serde_json::from_str::<Number>(s)
        .map(|n| FloatRepr::Wire(WireNumber::from_number(&n)))
        .map_err(|_| EdmError::new(edm, s, "expected a number, INF, -INF or NaN"))
}

struct FloatVisitor(&'static str);

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = FloatRepr<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an Edm.{} as a JSON number or \"INF\", \"-INF\", \"NaN\"",
            self.0
        )
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(FloatRepr::Wire(WireNumber::I(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(FloatRepr::Wire(WireNumber::U(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(FloatRepr::Wire(WireNumber::F(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // Only the special names: Graph never quotes finite doubles, and reading "1.5" would
        // write back 1.5 (not a round trip).
        parse_special(v)
            .map(FloatRepr::Value)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        // serde_json's `arbitrary_precision` presents numbers as a one-entry map.
        let n = Number::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(FloatRepr::Wire(WireNumber::from_number(&n)))
    }
}

fn serialize_wire<S: Serializer>(n: WireNumber, s: S) -> Result<S::Ok, S::Error> {
    match n {
        WireNumber::U(u) => s.serialize_u64(u),
        WireNumber::I(i) => s.serialize_i64(i),
        WireNumber::F(f) => s.serialize_f64(f),
    }
}

fn fmt_wire(n: WireNumber, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match n {
        WireNumber::U(u) => fmt::Display::fmt(&u, f),
        WireNumber::I(i) => fmt::Display::fmt(&i, f),
        // serde_json's own number formatting, so Display matches the JSON text.
        WireNumber::F(v) => match Number::from_f64(v) {
            Some(n) => fmt::Display::fmt(&n, f),
            None => f.write_str(special_name(v).unwrap_or("NaN")),
        },
    }
}

/// An `Edm.Double`: an `f64` that also reads and writes `"INF"`, `"-INF"` and `"NaN"`.
///
/// ```
/// use pim_api::edm::Double;
/// let v: Vec<Double> = serde_json::from_str(r#"[1, 2.5, "INF", "-INF", "NaN"]"#).unwrap();
/// assert_eq!(serde_json::to_string(&v).unwrap(), r#"[1,2.5,"INF","-INF","NaN"]"#);
/// assert!(v[4].get().is_nan());
/// assert_eq!(serde_json::to_string(&Double::new(f64::INFINITY)).unwrap(), r#""INF""#);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Double(FloatRepr<f64>);

impl Double {
    /// Wraps a Rust value; finite values are written as JSON numbers.
    pub const fn new(v: f64) -> Self {
        Self(FloatRepr::Value(v))
    }

    /// The value.
    pub fn get(self) -> f64 {
        match self.0 {
            FloatRepr::Wire(n) => n.as_f64(),
            FloatRepr::Value(v) => v,
        }
    }
}

impl PartialEq for Double {
    /// IEEE equality of the values (`NaN != NaN`; `1` from the wire equals `1.0`).
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PartialOrd for Double {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.get().partial_cmp(&other.get())
    }
}

impl From<f64> for Double {
    fn from(v: f64) -> Self {
        Self::new(v)
    }
}

impl From<Double> for f64 {
    fn from(v: Double) -> Self {
        v.get()
    }
}

impl fmt::Display for Double {
    /// The JSON text without quotes: `1`, `2.5`, `INF`, `-INF`, `NaN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            FloatRepr::Wire(n) => fmt_wire(n, f),
            FloatRepr::Value(v) => match special_name(v) {
                Some(name) => f.write_str(name),
                None => fmt_wire(WireNumber::F(v), f),
            },
        }
    }
}

impl FromStr for Double {
    type Err = EdmError;

    /// Parses `INF`, `-INF`, `NaN` or a JSON number (kept as written, e.g. `1` stays `1`).
    fn from_str(s: &str) -> Result<Self, EdmError> {
        parse_float_text(s, "Double").map(Self)
    }
}

impl Serialize for Double {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            FloatRepr::Wire(n) => serialize_wire(n, s),
            FloatRepr::Value(v) => match special_name(v) {
                Some(name) => s.serialize_str(name),
                None => s.serialize_f64(v),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Double {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor("Double")).map(Self)
    }
}

/// An `Edm.Single`: an `f32` that also reads and writes `"INF"`, `"-INF"` and `"NaN"`.
///
/// A number read from the wire is replayed exactly as read even if it has more digits than an
/// `f32` holds; [`Single::get`] rounds it to `f32`.
#[derive(Debug, Clone, Copy)]
pub struct Single(FloatRepr<f32>);

impl Single {
    /// Wraps a Rust value; finite values are written as JSON numbers (`f32` formatting, so
    /// `0.1f32` is written `0.1`).
    pub const fn new(v: f32) -> Self {
        Self(FloatRepr::Value(v))
    }

    /// The value, rounded to `f32`.
    pub fn get(self) -> f32 {
        match self.0 {
            FloatRepr::Wire(n) => n.as_f64() as f32,
            FloatRepr::Value(v) => v,
        }
    }

    fn from_repr(r: FloatRepr<f64>) -> Self {
        Self(match r {
            FloatRepr::Wire(n) => FloatRepr::Wire(n),
            FloatRepr::Value(v) => FloatRepr::Value(v as f32),
        })
    }
}

impl PartialEq for Single {
    /// IEEE equality of the `f32` values.
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PartialOrd for Single {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.get().partial_cmp(&other.get())
    }
}

impl From<f32> for Single {
    fn from(v: f32) -> Self {
        Self::new(v)
    }
}

impl From<Single> for f32 {
    fn from(v: Single) -> Self {
        v.get()
    }
}

impl fmt::Display for Single {
    /// The JSON text without quotes: `1`, `0.1`, `INF`, `-INF`, `NaN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            FloatRepr::Wire(n) => fmt_wire(n, f),
            FloatRepr::Value(v) => match special_name(f64::from(v)) {
                Some(name) => f.write_str(name),
                // Rust's f32 Display is shortest-round-trip, like serde_json's f32 output.
                None => fmt::Display::fmt(&v, f),
            },
        }
    }
}

impl FromStr for Single {
    type Err = EdmError;

    /// Parses `INF`, `-INF`, `NaN` or a JSON number (kept as written).
    fn from_str(s: &str) -> Result<Self, EdmError> {
        parse_float_text(s, "Single").map(Self::from_repr)
    }
}

impl Serialize for Single {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            FloatRepr::Wire(n) => serialize_wire(n, s),
            FloatRepr::Value(v) => match special_name(f64::from(v)) {
                Some(name) => s.serialize_str(name),
                None => s.serialize_f32(v),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Single {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor("Single"))
            .map(Self::from_repr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_grammar() {
        for ok in [
            "0",
            "-1",
            "+1.50",
            "1e10",
            "1.5E-3",
            "12345678901234567890.123456789",
        ] {
            assert!(is_decimal_literal(ok), "{ok}");
        }
        for bad in [
            "", "-", "+", ".5", "1.", "1e", "1e+", "NaN", "INF", "1 ", "١",
        ] {
            assert!(!is_decimal_literal(bad), "{bad}");
        }
    }

    #[test]
    fn plus_sign_decimal_serializes_as_number() {
        let d: Decimal = "+1.5".parse().unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "1.5");
    }
}
