//! OData literals for `$filter` expressions and function parameters.
//!
//! A [`Literal`] is the OData text of one value, already escaped: strings are quoted with
//! `'` and embedded quotes doubled (`O'Brien` → `'O''Brien'`), so user data can never end
//! the string early and inject filter syntax. Literals are *not* percent-encoded; that
//! happens once, when the query string or path is assembled
//! ([`QueryOptions`](crate::runtime::QueryOptions), [`ODataPath`](crate::runtime::ODataPath)).
//!
//! ```
//! use pim_api::runtime::Literal;
//! let filter = format!("principalId eq {} and status eq {}",
//!     Literal::string("O'Brien"), Literal::enum_member("microsoft.graph.status", "Provisioned"));
//! assert_eq!(filter, "principalId eq 'O''Brien' and status eq microsoft.graph.status'Provisioned'");
//! ```

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone};
use uuid::Uuid;

/// An escaped OData literal. Build it with the constructors or [`ToLiteral`]; `Display`
/// writes the literal text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Literal(String);

impl Literal {
    /// `'text'` with every `'` doubled.
    pub fn string(value: &str) -> Literal {
        let mut out = String::with_capacity(value.len() + 2);
        push_quoted(&mut out, value);
        Literal(out)
    }

    /// A GUID, unquoted (OData v4 `Edm.Guid` syntax): `3fa85f64-5717-4562-b3fc-2c963f66afa6`.
    pub fn guid(value: Uuid) -> Literal {
        Literal(value.hyphenated().to_string())
    }

    /// An integer.
    pub fn int(value: i64) -> Literal {
        Literal(value.to_string())
    }

    /// `true` / `false`.
    pub fn bool(value: bool) -> Literal {
        Literal(if value { "true" } else { "false" }.to_owned())
    }

    /// `null`.
    pub fn null() -> Literal {
        Literal("null".to_owned())
    }

    /// A finite double; NaN and infinities use OData's `NaN`, `INF`, `-INF` keywords.
    pub fn double(value: f64) -> Literal {
        Literal(if value.is_nan() {
            "NaN".to_owned()
        } else if value.is_infinite() {
            if value > 0.0 { "INF" } else { "-INF" }.to_owned()
        } else {
            // `{:?}` keeps a decimal point or exponent so the value stays a double.
            format!("{value:?}")
        })
    }

    /// An `Edm.DateTimeOffset`, unquoted RFC 3339 in UTC: `2024-05-01T08:30:00Z`.
    pub fn datetime<Tz: TimeZone>(value: &DateTime<Tz>) -> Literal {
        Literal(value.to_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    /// An `Edm.Date`: `2024-05-01`.
    pub fn date(value: NaiveDate) -> Literal {
        Literal(value.format("%Y-%m-%d").to_string())
    }

    /// A qualified enum literal, `microsoft.graph.unifiedRoleScheduleRequestActions'adminAssign'`.
    ///
    /// `type_name` is the enum's qualified name from the CSDL; characters outside
    /// `[A-Za-z0-9._]` are dropped from it so it cannot carry syntax. Graph also accepts
    /// enum members as plain strings in most places, see [`Literal::enum_str`].
    pub fn enum_member(type_name: &str, member: &str) -> Literal {
        let mut out: String = type_name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        push_quoted(&mut out, member);
        Literal(out)
    }

    /// An enum member written as a plain string literal (`'adminAssign'`), the form most
    /// Graph endpoints accept.
    pub fn enum_str(member: &str) -> Literal {
        Literal::string(member)
    }

    /// Trusted, pre-formatted literal text, used verbatim. Only for values the caller
    /// fully controls (e.g. generated constants); never for user input.
    pub fn raw(text: impl Into<String>) -> Literal {
        Literal(text.into())
    }

    /// The literal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Converts any [`ToLiteral`] value.
    pub fn from_value<V: ToLiteral + ?Sized>(value: &V) -> Literal {
        value.to_literal()
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Literal {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn push_quoted(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

/// Types with a canonical OData literal form. Generated enums and wrapper types
/// implement this so function parameters can be written generically.
pub trait ToLiteral {
    /// The value as an escaped OData literal.
    fn to_literal(&self) -> Literal;
}

impl ToLiteral for Literal {
    fn to_literal(&self) -> Literal {
        self.clone()
    }
}

impl ToLiteral for str {
    fn to_literal(&self) -> Literal {
        Literal::string(self)
    }
}

impl ToLiteral for String {
    fn to_literal(&self) -> Literal {
        Literal::string(self)
    }
}

impl ToLiteral for bool {
    fn to_literal(&self) -> Literal {
        Literal::bool(*self)
    }
}

impl ToLiteral for Uuid {
    fn to_literal(&self) -> Literal {
        Literal::guid(*self)
    }
}

impl ToLiteral for f64 {
    fn to_literal(&self) -> Literal {
        Literal::double(*self)
    }
}

impl ToLiteral for NaiveDate {
    fn to_literal(&self) -> Literal {
        Literal::date(*self)
    }
}

impl<Tz: TimeZone> ToLiteral for DateTime<Tz> {
    fn to_literal(&self) -> Literal {
        Literal::datetime(self)
    }
}

impl<T: ToLiteral + ?Sized> ToLiteral for &T {
    fn to_literal(&self) -> Literal {
        (**self).to_literal()
    }
}

impl<T: ToLiteral> ToLiteral for Option<T> {
    fn to_literal(&self) -> Literal {
        match self {
            Some(v) => v.to_literal(),
            None => Literal::null(),
        }
    }
}

macro_rules! int_literal {
    ($($t:ty),*) => {$(
        impl ToLiteral for $t {
            fn to_literal(&self) -> Literal {
                Literal(self.to_string())
            }
        }
    )*};
}
int_literal!(i8, i16, i32, i64, u8, u16, u32, u64);

// The edm wire types keep the text they were decoded from without validating it, so
// their literals are built from the *parsed* value; text that does not parse becomes a
// quoted string literal, which is always safe (Graph rejects it as a type mismatch
// instead of reading injected syntax).
mod edm_literals {
    use super::{Literal, ToLiteral};
    use crate::edm;

    impl ToLiteral for edm::Guid {
        fn to_literal(&self) -> Literal {
            match self.to_uuid() {
                Ok(u) => Literal::guid(u),
                Err(_) => Literal::string(self.as_str()),
            }
        }
    }

    impl ToLiteral for edm::DateTimeOffset {
        fn to_literal(&self) -> Literal {
            match self.to_datetime() {
                Ok(dt) => Literal::datetime(&dt),
                Err(_) => Literal::string(self.as_str()),
            }
        }
    }

    impl ToLiteral for edm::Date {
        fn to_literal(&self) -> Literal {
            match self.to_naive_date() {
                Ok(d) => Literal::date(d),
                Err(_) => Literal::string(self.as_str()),
            }
        }
    }

    impl ToLiteral for edm::TimeOfDay {
        fn to_literal(&self) -> Literal {
            match self.to_naive_time() {
                Ok(t) => Literal(t.format("%H:%M:%S%.f").to_string()),
                Err(_) => Literal::string(self.as_str()),
            }
        }
    }

    impl ToLiteral for edm::Duration {
        /// `duration'P1DT2H'` (the OData v4 duration literal).
        fn to_literal(&self) -> Literal {
            if self.is_valid() {
                let mut out = String::from("duration");
                super::push_quoted(&mut out, self.as_str());
                Literal(out)
            } else {
                Literal::string(self.as_str())
            }
        }
    }

    impl ToLiteral for edm::Int64 {
        fn to_literal(&self) -> Literal {
            Literal::int(self.get())
        }
    }

    impl ToLiteral for edm::Double {
        fn to_literal(&self) -> Literal {
            Literal::double(self.get())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(Literal::string("plain").as_str(), "'plain'");
        assert_eq!(Literal::string("O'Brien").as_str(), "'O''Brien'");
        assert_eq!(Literal::string("''").as_str(), "''''''");
        assert_eq!(
            Literal::string("x' or 1 eq 1 or 'y").as_str(),
            "'x'' or 1 eq 1 or ''y'"
        );
        assert_eq!(Literal::string("é 😀").as_str(), "'é 😀'");
        assert_eq!("a'b".to_literal(), Literal::string("a'b"));
    }

    #[test]
    fn scalars() {
        let g = Uuid::from_u128(0x3fa85f64_5717_4562_b3fc_2c963f66afa6);
        assert_eq!(
            Literal::guid(g).as_str(),
            "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        );
        assert_eq!((-5i32).to_literal().as_str(), "-5");
        assert_eq!(true.to_literal().as_str(), "true");
        assert_eq!(None::<i32>.to_literal().as_str(), "null");
        assert_eq!(Literal::double(1.0).as_str(), "1.0");
        assert_eq!(Literal::double(f64::NEG_INFINITY).as_str(), "-INF");
        let dt = DateTime::parse_from_rfc3339("2024-05-01T10:30:00+02:00").unwrap();
        assert_eq!(Literal::datetime(&dt).as_str(), "2024-05-01T08:30:00Z");
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(d.to_literal().as_str(), "2024-02-29");
    }

    #[test]
    fn edm_types() {
        use crate::edm;
        let g: edm::Guid = "226FAF5F-61B4-40BB-8726-52E48EC914DE".parse().unwrap();
        assert_eq!(
            g.to_literal().as_str(),
            "226faf5f-61b4-40bb-8726-52e48ec914de"
        );
        let bad: edm::Guid = serde_json::from_str(r#""x') or true or ('""#).unwrap();
        assert_eq!(bad.to_literal().as_str(), "'x'') or true or ('''");
        let dt: edm::DateTimeOffset = "2024-05-01T10:30:00+02:00".parse().unwrap();
        assert_eq!(dt.to_literal().as_str(), "2024-05-01T08:30:00Z");
        let d: edm::Duration = "PT8H".parse().unwrap();
        assert_eq!(d.to_literal().as_str(), "duration'PT8H'");
        assert_eq!(edm::Int64::new(-3).to_literal().as_str(), "-3");
    }

    #[test]
    fn enums() {
        assert_eq!(
            Literal::enum_member("microsoft.graph.x", "member").as_str(),
            "microsoft.graph.x'member'"
        );
        assert_eq!(Literal::enum_member("a' or 'b", "m'").as_str(), "aorb'm'''");
        assert_eq!(Literal::enum_str("adminAssign").as_str(), "'adminAssign'");
    }
}
