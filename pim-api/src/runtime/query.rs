//! OData system query options and their encoding.
//!
//! [`QueryOptions`] collects `$filter`, `$select`, `$expand`, `$orderby`, `$top`,
//! `$skip`, `$count`, `$search` and extra parameters, and renders them into a query
//! string in one place. Every name and value is percent-encoded with a strict set (space
//! becomes `%20`, never `+`, which Graph would read as a literal plus), so a filter value
//! can contain `&`, `#`, `=` or `%` without ending its parameter.
//!
//! Some collections are refused by the service unless `$filter` narrows them (PIM for
//! groups wants `groupId` or `principalId`, policies `scopeId` and `scopeType`); the
//! generated `list_by_…` and `count_by_…` methods set that *required filter*, which is
//! always sent and `and`-ed with whatever `$filter` the caller adds.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use super::literal::Literal;

/// Characters left unescaped in query names and values: RFC 3986 unreserved plus the
/// punctuation OData expressions use heavily and that has no meaning inside a query
/// parameter value (`,()/:@$*`). Everything else — notably space, `&`, `=`, `+`, `#`,
/// `%`, `'`, `"`, `;` — is escaped. `'` is escaped because URL parsers escape it in
/// queries anyway, and doing it here means what we build is exactly what goes out.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b'(')
    .remove(b')')
    .remove(b'/')
    .remove(b':')
    .remove(b'@')
    .remove(b'$')
    .remove(b'*');

/// Per-request OData query options. Request builders expose the same setters; this type
/// is public so options can be prepared once and applied with `.query(options)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// The filter the service requires (`groupId eq '…'`), `and`-ed with `filter`.
    required: Option<String>,
    filter: Option<String>,
    select: Vec<String>,
    expand: Vec<String>,
    orderby: Vec<String>,
    top: Option<u32>,
    skip: Option<u32>,
    count: Option<bool>,
    search: Option<String>,
    extra: Vec<(String, String)>,
}

impl QueryOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `$filter` (replacing any previous one). Build values with
    /// [`Literal`](crate::runtime::Literal) so they are escaped.
    pub fn filter(mut self, expr: impl Into<String>) -> Self {
        self.set_filter(expr.into());
        self
    }

    /// Appends properties to `$select`.
    pub fn select<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.select.extend(fields.into_iter().map(Into::into));
        self
    }

    /// Appends navigation properties to `$expand` (nested options allowed:
    /// `roleDefinition($select=id,displayName)`).
    pub fn expand<I, S>(mut self, items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expand.extend(items.into_iter().map(Into::into));
        self
    }

    /// Appends `$orderby` items (`"createdDateTime desc"`).
    pub fn orderby<I, S>(mut self, items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.orderby.extend(items.into_iter().map(Into::into));
        self
    }

    /// Sets `$top` (page size for collections).
    pub fn top(mut self, n: u32) -> Self {
        self.top = Some(n);
        self
    }

    /// Sets `$skip`.
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = Some(n);
        self
    }

    /// Sets `$count=true|false`. With `true`, Graph returns `@odata.count`
    /// ([`Page::count`](crate::runtime::Page::count)); some collections additionally
    /// require `ConsistencyLevel: eventual`.
    pub fn count(mut self, enabled: bool) -> Self {
        self.count = Some(enabled);
        self
    }

    /// Sets `$search`. The term is wrapped in double quotes, as Graph requires, with `\`
    /// and `"` inside it backslash-escaped.
    pub fn search(mut self, term: impl Into<String>) -> Self {
        self.set_search(term.into());
        self
    }

    /// Adds a custom query parameter (appended after the system options).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    // Non-generic mutators used by the request builders, so their generic setter methods
    // stay one-line shims.
    pub(crate) fn set_filter(&mut self, expr: String) {
        self.filter = Some(expr);
    }
    /// `a eq x and b eq y`: the equality terms a collection needs before the service
    /// lists it. Values are literals, so they are escaped.
    pub(crate) fn set_required_filter(&mut self, terms: &[(&str, Literal)]) {
        let mut expr = String::new();
        for (property, value) in terms {
            if !expr.is_empty() {
                expr.push_str(" and ");
            }
            expr.push_str(property);
            expr.push_str(" eq ");
            expr.push_str(value.as_str());
        }
        self.required = (!expr.is_empty()).then_some(expr);
    }
    pub(crate) fn extend_select(&mut self, items: Vec<String>) {
        self.select.extend(items);
    }
    pub(crate) fn extend_expand(&mut self, items: Vec<String>) {
        self.expand.extend(items);
    }
    pub(crate) fn extend_orderby(&mut self, items: Vec<String>) {
        self.orderby.extend(items);
    }
    pub(crate) fn set_top(&mut self, n: u32) {
        self.top = Some(n);
    }
    pub(crate) fn set_skip(&mut self, n: u32) {
        self.skip = Some(n);
    }
    pub(crate) fn set_count(&mut self, enabled: bool) {
        self.count = Some(enabled);
    }
    pub(crate) fn set_search(&mut self, term: String) {
        let mut quoted = String::with_capacity(term.len() + 2);
        quoted.push('"');
        for c in term.chars() {
            if c == '"' || c == '\\' {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        self.search = Some(quoted);
    }
    pub(crate) fn push_param(&mut self, name: String, value: String) {
        self.extra.push((name, value));
    }
    pub(crate) fn merge(&mut self, other: QueryOptions) {
        // A required filter set by the bindings stays: prepared options only add to it.
        if other.required.is_some() && self.required.is_none() {
            self.required = other.required;
        }
        if other.filter.is_some() {
            self.filter = other.filter;
        }
        self.select.extend(other.select);
        self.expand.extend(other.expand);
        self.orderby.extend(other.orderby);
        self.top = other.top.or(self.top);
        self.skip = other.skip.or(self.skip);
        self.count = other.count.or(self.count);
        if other.search.is_some() {
            self.search = other.search;
        }
        self.extra.extend(other.extra);
    }

    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        self.required.is_none()
            && self.filter.is_none()
            && self.select.is_empty()
            && self.expand.is_empty()
            && self.orderby.is_empty()
            && self.top.is_none()
            && self.skip.is_none()
            && self.count.is_none()
            && self.search.is_none()
            && self.extra.is_empty()
    }

    /// Renders the encoded query string without the leading `?` (empty if no options).
    /// Order: `$filter`, `$select`, `$expand`, `$orderby`, `$top`, `$skip`, `$count`,
    /// `$search`, then extra parameters in insertion order.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// Appends the encoded pairs to `out`, separated by `&` (no leading `?`).
    pub(crate) fn write_to(&self, out: &mut String) {
        let mut first = true;
        let mut pair = |name: &str, value: &str| {
            if !first {
                out.push('&');
            }
            first = false;
            super::path::push_encoded(out, name, QUERY);
            out.push('=');
            super::path::push_encoded(out, value, QUERY);
        };
        match (&self.required, &self.filter) {
            (Some(r), Some(f)) if has_top_level_or(f) => pair("$filter", &format!("{r} and ({f})")),
            (Some(r), Some(f)) => pair("$filter", &format!("{r} and {f}")),
            (Some(f), None) | (None, Some(f)) => pair("$filter", f),
            (None, None) => {}
        }
        if !self.select.is_empty() {
            pair("$select", &self.select.join(","));
        }
        if !self.expand.is_empty() {
            pair("$expand", &self.expand.join(","));
        }
        if !self.orderby.is_empty() {
            pair("$orderby", &self.orderby.join(","));
        }
        if let Some(n) = self.top {
            pair("$top", &n.to_string());
        }
        if let Some(n) = self.skip {
            pair("$skip", &n.to_string());
        }
        if let Some(c) = self.count {
            pair("$count", if c { "true" } else { "false" });
        }
        if let Some(s) = &self.search {
            pair("$search", s);
        }
        for (name, value) in &self.extra {
            pair(name, value);
        }
    }
}

/// Whether `expr` has an `or` outside parentheses and string literals: then `and`-ing it
/// with a required term needs parentheses (`and` binds tighter), otherwise it reads as
/// written.
fn has_top_level_or(expr: &str) -> bool {
    let bytes = expr.as_bytes();
    let (mut depth, mut quoted) = (0usize, false);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // `''` inside a literal toggles twice: still inside.
            b'\'' => quoted = !quoted,
            _ if quoted => {}
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'o' | b'O' if depth == 0 => {
                let word = |j: usize| {
                    bytes
                        .get(j)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                };
                let before = i.checked_sub(1).is_some_and(word);
                if !before
                    && bytes
                        .get(i + 1)
                        .is_some_and(|c| c.eq_ignore_ascii_case(&b'r'))
                    && !word(i + 2)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Literal;

    #[test]
    fn encodes_everything_in_order() {
        let q = QueryOptions::new()
            .param("x y", "1&2")
            .search("a \"b\" \\")
            .count(true)
            .skip(5)
            .top(10)
            .orderby(["createdDateTime desc"])
            .expand(["roleDefinition($select=id)"])
            .select(["id", "principalId"])
            .filter(format!(
                "displayName eq {}",
                Literal::string("O'Brien & co #1+2%")
            ));
        assert_eq!(
            q.to_query_string(),
            "$filter=displayName%20eq%20%27O%27%27Brien%20%26%20co%20%231%2B2%25%27\
             &$select=id,principalId\
             &$expand=roleDefinition($select%3Did)\
             &$orderby=createdDateTime%20desc\
             &$top=10&$skip=5&$count=true\
             &$search=%22a%20%5C%22b%5C%22%20%5C%5C%22\
             &x%20y=1%262"
        );
        assert!(QueryOptions::new().is_empty());
        assert_eq!(QueryOptions::new().to_query_string(), "");
    }

    #[test]
    fn required_filter_is_anded_with_the_callers() {
        let decoded = |q: &QueryOptions| {
            url::form_urlencoded::parse(q.to_query_string().as_bytes())
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
        };
        let mut q = QueryOptions::new();
        q.set_required_filter(&[("groupId", Literal::string("g'1"))]);
        assert!(!q.is_empty());
        assert_eq!(decoded(&q), ["$filter=groupId eq 'g''1'"]);
        let plain = q.clone().filter("principalId eq 'p'");
        assert_eq!(
            decoded(&plain),
            ["$filter=groupId eq 'g''1' and principalId eq 'p'"]
        );
        // `and` binds tighter than `or`: without parentheses the caller's alternative
        // would escape the required term.
        for (user, sent) in [
            (
                "a eq 1 or b eq 2",
                "groupId eq 'g''1' and (a eq 1 or b eq 2)",
            ),
            (
                "a eq 1 OR b eq 2",
                "groupId eq 'g''1' and (a eq 1 OR b eq 2)",
            ),
            (
                "(a eq 1 or b eq 2)",
                "groupId eq 'g''1' and (a eq 1 or b eq 2)",
            ),
            ("name eq 'x or y'", "groupId eq 'g''1' and name eq 'x or y'"),
            (
                "name eq 'it''s or'",
                "groupId eq 'g''1' and name eq 'it''s or'",
            ),
            (
                "color eq 'red' and order eq 1",
                "groupId eq 'g''1' and color eq 'red' and order eq 1",
            ),
        ] {
            assert_eq!(
                decoded(&q.clone().filter(user)),
                [format!("$filter={sent}")],
                "{user}"
            );
        }
        // Prepared options cannot drop it.
        let mut merged = q.clone();
        merged.merge(QueryOptions::new().filter("x eq 1").top(3));
        assert_eq!(
            decoded(&merged),
            ["$filter=groupId eq 'g''1' and x eq 1", "$top=3"]
        );
        let mut two = QueryOptions::new();
        two.set_required_filter(&[
            ("scopeId", Literal::string("/")),
            ("scopeType", Literal::string("DirectoryRole")),
        ]);
        assert_eq!(
            decoded(&two),
            ["$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'"]
        );
    }

    #[test]
    fn query_survives_url_parsing_unchanged() {
        let q = QueryOptions::new()
            .filter(format!(
                "a eq {} and b eq {}",
                Literal::string("'\"<>`{}|^#?&=+ é"),
                Literal::int(1)
            ))
            .to_query_string();
        let url = url::Url::parse(&format!("https://h/p?{q}")).unwrap();
        assert_eq!(url.query(), Some(q.as_str()));
    }
}
