//! `$filter` as PIM's endpoints take it: comparisons with `eq` and `ne`, `in` lists,
//! `and`, `or`, `not` and parentheses, over string, GUID, enum, Boolean and date-time
//! properties of the entity itself.
//!
//! Everything else OData defines (`gt`/`lt`, functions such as `startswith`, lambdas,
//! arithmetic, paths into complex or related objects) is refused with a 400, never
//! ignored: a filter that silently matched more than asked would hide bugs in the code
//! under test. Parsing is a small recursive descent with a nesting limit, so a hostile
//! expression costs at most its length.
//!
//! Strings compare without regard to ASCII case, as the service does for the ids and the
//! enum-like strings (`status`, `memberType`, `accessId`) PIM filters on.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

/// Longest `$filter` accepted, in bytes.
const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses and `not`.
const MAX_DEPTH: usize = 32;

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `property eq|ne literal`.
    Compare {
        /// The property's wire name.
        property: String,
        /// `true` for `eq`, `false` for `ne`.
        equal: bool,
        /// The literal.
        value: Literal,
    },
    /// `property in (literal, ...)`.
    In {
        /// The property's wire name.
        property: String,
        /// The literals.
        values: Vec<Literal>,
    },
}

/// A literal in a filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// `'text'` (quotes doubled inside).
    String(String),
    /// An unquoted GUID.
    Guid(String),
    /// An unquoted date-time (`2024-01-01T00:00:00Z`).
    DateTime(DateTime<FixedOffset>),
    /// An integer.
    Int(i64),
}

impl Literal {
    fn edm_name(&self) -> &'static str {
        match self {
            Literal::Null => "null",
            Literal::Bool(_) => "Edm.Boolean",
            Literal::String(_) => "Edm.String",
            Literal::Guid(_) => "Edm.Guid",
            Literal::DateTime(_) => "Edm.DateTimeOffset",
            Literal::Int(_) => "Edm.Int32",
        }
    }
}

/// What a property can be compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropType {
    /// A string, an enum (as its member name) or a GUID held as a string.
    String,
    /// `Edm.Boolean`.
    Bool,
    /// `Edm.DateTimeOffset`.
    DateTime,
    /// An integer.
    Int,
    /// A complex value, a collection or a navigation property: not filterable here.
    Unfilterable,
}

impl PropType {
    fn edm_name(self) -> &'static str {
        match self {
            PropType::String => "Edm.String",
            PropType::Bool => "Edm.Boolean",
            PropType::DateTime => "Edm.DateTimeOffset",
            PropType::Int => "Edm.Int32",
            PropType::Unfilterable => "complex",
        }
    }
}

/// Why a filter was refused; the message is what the 400 says after
/// `Invalid filter clause: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError(pub String);

/// Parses `text`, then checks every property against `types` (a property's type, or
/// `None` when the entity type has no such property; `type_name` names it in messages).
pub fn parse(
    text: &str,
    type_name: &str,
    types: &dyn Fn(&str) -> Option<PropType>,
) -> Result<Expr, FilterError> {
    if text.len() > MAX_LEN {
        return Err(FilterError(format!(
            "The filter is longer than {MAX_LEN} characters."
        )));
    }
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = p.or_expr()?;
    if let Some(t) = p.peek() {
        return Err(FilterError(format!(
            "Syntax error: unexpected '{}' at position {} in '{}'.",
            t.text,
            t.at,
            shorten(text)
        )));
    }
    check(&expr, type_name, types)?;
    Ok(expr)
}

fn shorten(text: &str) -> String {
    text.chars().take(200).collect()
}

fn check(
    expr: &Expr,
    type_name: &str,
    types: &dyn Fn(&str) -> Option<PropType>,
) -> Result<(), FilterError> {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            check(a, type_name, types)?;
            check(b, type_name, types)
        }
        Expr::Not(a) => check(a, type_name, types),
        Expr::Compare {
            property, value, ..
        } => check_compare(property, value, type_name, types),
        Expr::In { property, values } => values
            .iter()
            .try_for_each(|v| check_compare(property, v, type_name, types)),
    }
}

fn check_compare(
    property: &str,
    value: &Literal,
    type_name: &str,
    types: &dyn Fn(&str) -> Option<PropType>,
) -> Result<(), FilterError> {
    let Some(ty) = types(property) else {
        return Err(FilterError(format!(
            "Could not find a property named '{property}' on type '{type_name}'."
        )));
    };
    let fits = matches!(
        (ty, value),
        (PropType::Unfilterable, _)
            | (_, Literal::Null)
            | (PropType::String, Literal::String(_) | Literal::Guid(_))
            | (PropType::Bool, Literal::Bool(_))
            | (PropType::DateTime, Literal::DateTime(_))
            | (PropType::Int, Literal::Int(_))
    );
    if ty == PropType::Unfilterable {
        return Err(FilterError(format!(
            "The property '{property}' of type '{type_name}' cannot be used in a filter: \
             only string, GUID, enum, Boolean and date-time properties are supported."
        )));
    }
    if !fits {
        return Err(FilterError(format!(
            "A binary operator with incompatible types was detected. Found operand types \
             '{}' and '{}' for operator kind 'Equal'.",
            ty.edm_name(),
            value.edm_name()
        )));
    }
    Ok(())
}

/// Whether `entity` (a JSON object) matches `expr`.
pub fn matches(expr: &Expr, entity: &Value) -> bool {
    match expr {
        Expr::Or(a, b) => matches(a, entity) || matches(b, entity),
        Expr::And(a, b) => matches(a, entity) && matches(b, entity),
        Expr::Not(a) => !matches(a, entity),
        Expr::Compare {
            property,
            equal,
            value,
        } => equals(entity.get(property), value) == *equal,
        Expr::In { property, values } => {
            let actual = entity.get(property);
            values.iter().any(|v| equals(actual, v))
        }
    }
}

fn equals(actual: Option<&Value>, literal: &Literal) -> bool {
    let actual = actual.unwrap_or(&Value::Null);
    match (actual, literal) {
        (Value::Null, Literal::Null) => true,
        (_, Literal::Null) | (Value::Null, _) => false,
        (Value::String(a), Literal::String(b) | Literal::Guid(b)) => a.eq_ignore_ascii_case(b),
        (Value::String(a), Literal::DateTime(b)) => {
            DateTime::parse_from_rfc3339(a).is_ok_and(|a| a == *b)
        }
        (Value::Bool(a), Literal::Bool(b)) => a == b,
        (Value::Number(a), Literal::Int(b)) => a.as_i64() == Some(*b),
        _ => false,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
    Slash,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    text: String,
    at: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' | b')' | b',' | b'/' => {
                i += 1;
                let tok = match c {
                    b'(' => Tok::Open,
                    b')' => Tok::Close,
                    b',' => Tok::Comma,
                    _ => Tok::Slash,
                };
                out.push(Token {
                    tok,
                    text: (c as char).to_string(),
                    at: start,
                });
            }
            b'\'' => {
                let mut value = String::new();
                i += 1;
                loop {
                    let Some(rest) = text.get(i..) else {
                        return Err(unterminated(start));
                    };
                    let Some(q) = rest.find('\'') else {
                        return Err(unterminated(start));
                    };
                    value.push_str(&rest[..q]);
                    i += q + 1;
                    if bytes.get(i) == Some(&b'\'') {
                        value.push('\'');
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push(Token {
                    tok: Tok::Str(value),
                    text: text[start..i].to_string(),
                    at: start,
                });
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'-' || c == b'+' => {
                // Words, numbers, GUIDs and date-times: everything up to a delimiter.
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b',' | b'/' | b'\''
                    )
                {
                    i += 1;
                }
                let word = &text[start..i];
                out.push(Token {
                    tok: Tok::Word(word.to_string()),
                    text: word.to_string(),
                    at: start,
                });
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                return Err(FilterError(format!(
                    "Syntax error: character '{ch}' is not valid at position {start}."
                )));
            }
        }
    }
    Ok(out)
}

fn unterminated(at: usize) -> FilterError {
    FilterError(format!(
        "Syntax error: there is an unterminated string literal at position {at}."
    ))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or_expr(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and_expr()?;
        while self.keyword("or") {
            self.pos += 1;
            let right = self.and_expr()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError(format!(
                "The filter is nested deeper than {MAX_DEPTH} levels."
            )));
        }
        let result = if self.keyword("not") {
            self.pos += 1;
            self.unary().map(|e| Expr::Not(Box::new(e)))
        } else if matches!(self.peek(), Some(Token { tok: Tok::Open, .. })) {
            self.pos += 1;
            let inner = self.or_expr()?;
            match self.next() {
                Some(Token {
                    tok: Tok::Close, ..
                }) => Ok(inner),
                other => Err(expected("')'", other.as_ref())),
            }
        } else {
            self.comparison()
        };
        self.depth -= 1;
        result
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        let property = match self.next() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) => w,
            other => return Err(expected("a property name", other.as_ref())),
        };
        if !property
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || property.as_bytes()[0].is_ascii_digit()
        {
            return Err(FilterError(format!(
                "Syntax error: '{}' is not a property name.",
                shorten(&property)
            )));
        }
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Open) => {
                return Err(FilterError(format!(
                    "The function '{property}' is not supported."
                )));
            }
            Some(Tok::Slash) => {
                return Err(FilterError(format!(
                    "The property path '{property}/…' is not supported: only properties of \
                     the entity itself can be filtered on."
                )));
            }
            _ => {}
        }
        let op = match self.next() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) => w.to_ascii_lowercase(),
            other => return Err(expected("an operator", other.as_ref())),
        };
        match op.as_str() {
            "eq" | "ne" => {
                let value = self.literal()?;
                Ok(Expr::Compare {
                    property,
                    equal: op == "eq",
                    value,
                })
            }
            "in" => {
                match self.next() {
                    Some(Token { tok: Tok::Open, .. }) => {}
                    other => return Err(expected("'('", other.as_ref())),
                }
                let mut values = vec![self.literal()?];
                loop {
                    match self.next() {
                        Some(Token {
                            tok: Tok::Comma, ..
                        }) => values.push(self.literal()?),
                        Some(Token {
                            tok: Tok::Close, ..
                        }) => break,
                        other => return Err(expected("',' or ')'", other.as_ref())),
                    }
                }
                Ok(Expr::In { property, values })
            }
            "gt" | "ge" | "lt" | "le" | "has" | "add" | "sub" | "mul" | "div" | "mod" => Err(
                FilterError(format!("The operator '{op}' is not supported.")),
            ),
            _ => Err(FilterError(format!(
                "Syntax error: '{}' is not an operator.",
                shorten(&op)
            ))),
        }
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        match self.next() {
            Some(Token {
                tok: Tok::Str(s), ..
            }) => Ok(Literal::String(s)),
            Some(Token {
                tok: Tok::Word(w), ..
            }) => word_literal(&w),
            other => Err(expected("a literal", other.as_ref())),
        }
    }
}

fn word_literal(w: &str) -> Result<Literal, FilterError> {
    if w.eq_ignore_ascii_case("null") {
        return Ok(Literal::Null);
    }
    if w.eq_ignore_ascii_case("true") {
        return Ok(Literal::Bool(true));
    }
    if w.eq_ignore_ascii_case("false") {
        return Ok(Literal::Bool(false));
    }
    if uuid::Uuid::try_parse(w).is_ok() && w.len() == 36 {
        return Ok(Literal::Guid(w.to_string()));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(w) {
        return Ok(Literal::DateTime(t));
    }
    if let Ok(n) = w.parse::<i64>() {
        return Ok(Literal::Int(n));
    }
    Err(FilterError(format!(
        "Syntax error: '{}' is not a valid literal (strings are quoted: 'value').",
        shorten(w)
    )))
}

fn expected(what: &str, got: Option<&Token>) -> FilterError {
    match got {
        Some(t) => FilterError(format!(
            "Syntax error: expected {what} at position {}, found '{}'.",
            t.at,
            shorten(&t.text)
        )),
        None => FilterError(format!("Syntax error: expected {what} at the end.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn types(name: &str) -> Option<PropType> {
        match name {
            "principalId" | "status" | "memberType" => Some(PropType::String),
            "isValidationOnly" => Some(PropType::Bool),
            "createdDateTime" => Some(PropType::DateTime),
            "scheduleInfo" => Some(PropType::Unfilterable),
            _ => None,
        }
    }

    fn parse_ok(text: &str) -> Expr {
        parse(text, "microsoft.graph.x", &types).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn parse_err(text: &str) -> String {
        parse(text, "microsoft.graph.x", &types).expect_err(text).0
    }

    #[test]
    fn comparisons_and_logic() {
        let entity = json!({"principalId": "ABC", "status": "Provisioned", "isValidationOnly": false,
            "createdDateTime": "2024-01-01T10:00:00.123Z"});
        for (f, want) in [
            ("principalId eq 'abc'", true),
            ("principalId ne 'abc'", false),
            ("principalId eq 'abc' and status eq 'provisioned'", true),
            ("principalId eq 'x' or status eq 'Provisioned'", true),
            ("not (status eq 'Provisioned')", false),
            ("status in ('Granted', 'Provisioned')", true),
            ("status in ('Granted')", false),
            ("isValidationOnly eq false", true),
            ("memberType eq null", true),
            ("createdDateTime eq 2024-01-01T10:00:00.123Z", true),
            ("createdDateTime ne 2024-01-01T10:00:00Z", true),
            ("((principalId eq 'abc'))", true),
            ("status eq 'x' OR principalId EQ 'abc'", true),
        ] {
            assert_eq!(matches(&parse_ok(f), &entity), want, "{f}");
        }
    }

    #[test]
    fn quotes_are_doubled_inside_strings() {
        let e = parse_ok("principalId eq 'O''Brien'");
        assert!(matches(&e, &json!({"principalId": "o'brien"})));
        assert!(!matches(&e, &json!({"principalId": "O"})));
    }

    #[test]
    fn guid_literals_compare_with_string_properties() {
        let e = parse_ok("principalId eq 3cce9d87-3986-4f19-8335-7ed075408ca2");
        assert!(matches(
            &e,
            &json!({"principalId": "3CCE9D87-3986-4F19-8335-7ED075408CA2"})
        ));
    }

    #[test]
    fn unsupported_constructs_are_refused() {
        assert!(parse_err("startswith(principalId,'a')").contains("function 'startswith'"));
        assert!(parse_err("createdDateTime gt 2024-01-01T00:00:00Z").contains("'gt'"));
        assert!(parse_err("scheduleInfo/startDateTime eq null").contains("path"));
        assert!(parse_err("scheduleInfo eq null").contains("cannot be used"));
        assert!(parse_err("nope eq 'a'").contains("Could not find a property named 'nope'"));
        assert!(parse_err("isValidationOnly eq 'yes'").contains("incompatible types"));
        assert!(parse_err("status eq 'unterminated").contains("unterminated"));
        assert!(parse_err("status eq").contains("expected a literal"));
        assert!(parse_err("status eq 'a' and").contains("expected a property name"));
        assert!(parse_err("status eq 'a' extra").contains("unexpected 'extra'"));
        assert!(parse_err("status eq banana").contains("not a valid literal"));
        assert!(parse_err("status ~ 'a'").contains("not valid"));
        assert!(parse_err("").contains("expected a property name"));
    }

    #[test]
    fn hostile_filters_fail_cleanly() {
        let deep = format!("{}status eq 'a'{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(!parse_err(&deep).is_empty());
        let nots = format!("{}status eq 'a'", "not ".repeat(1000));
        assert!(parse_err(&nots).contains("nested"));
        let long = format!("status eq '{}'", "x".repeat(10_000));
        assert!(parse_err(&long).contains("longer"));
        assert!(!parse_err("status eq '\u{0}'\u{7f}é").is_empty());
        assert!(!parse_err("é eq 'a'").is_empty());
    }
}
