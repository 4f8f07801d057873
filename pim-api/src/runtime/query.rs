//! OData system query options and their encoding.
//!
//! [`QueryOptions`] collects `$filter`, `$select`, `$expand`, `$orderby`, `$top`,
//! `$skip`, `$count`, `$search` and extra parameters, and renders them into a query
//! string in one place. Every name and value is percent-encoded with a strict set (space
//! becomes `%20`, never `+`, which Graph would read as a literal plus), so a filter value
//! can contain `&`, `#`, `=` or `%` without ending its parameter.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

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
        self.filter.is_none()
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
        if let Some(f) = &self.filter {
            pair("$filter", f);
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
