//! Injection-safe OData resource paths.
//!
//! [`ODataPath`] builds the part of the URL after the base (`/beta`): static segments,
//! entity keys, and function calls with inline parameters. Key values are arbitrary
//! strings from callers (and ultimately from users), so each one is percent-encoded as a
//! *single* path segment: `/`, `?`, `#`, `%`, `'`, `\`, spaces and non-ASCII bytes are all
//! escaped, so a key can neither add segments, nor start the query or fragment, nor
//! smuggle in a pre-encoded sequence.
//!
//! Dot segments need extra care. `.` and `..` are unreserved characters, and URL parsers
//! (including the WHATWG parser behind `reqwest`'s `Url`) treat `.`, `..`, `%2E` and
//! `%2E%2E` alike as dot segments and *remove* them, so `/roleAssignments/%2E%2E` would
//! silently become a request to the parent collection. Encoding alone cannot prevent
//! that, so a key that is empty, `.` or `..` is written in OData's parenthesised key form
//! instead — `/roleAssignments('..')` — which addresses the same entity and cannot be
//! normalised away. Every other key uses Graph's key-as-segment form,
//! `/roleAssignments/{id}`.
//!
//! Alongside the encoded path the builder keeps a `template`
//! (`/privilegedAccess/{id}/roleAssignments`) for documentation and tracing, so spans can
//! be grouped per endpoint without the ids.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::literal::Literal;

/// Everything except RFC 3986 unreserved characters is escaped in a key or segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Inside a function-call parameter literal the OData quote `'` stays literal (the value's
/// own quotes are already doubled by [`Literal`]) and `:` stays for readable date-times;
/// `(`, `)`, `,` and `=` are escaped so a value cannot end the parameter list.
const PARAM_VALUE: &AsciiSet = &SEGMENT.remove(b'\'').remove(b':');

/// RFC 3986 unreserved bytes (`A-Z a-z 0-9 - . _ ~`) as a lookup table: one load per
/// byte in the fast path of [`push_encoded`].
static UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_' || c == b'~';
        b += 1;
    }
    t
};

/// Appends `text` percent-encoded with `set`. Most segments (static names, GUID keys)
/// need no escaping, so check first and copy them in one go; the per-chunk iterator
/// is several times slower and this runs for every segment of every request.
///
/// The fast path only accepts RFC 3986 unreserved bytes, which every set used in this
/// runtime leaves unescaped, so it can never skip an escape the set would make.
pub(crate) fn push_encoded(out: &mut String, text: &str, set: &'static AsciiSet) {
    if text.bytes().all(|b| UNRESERVED[usize::from(b)]) {
        out.push_str(text);
    } else {
        out.extend(utf8_percent_encode(text, set));
    }
}

/// An OData resource path under the service root. See the [module docs](self).
///
/// ```
/// use pim_api::runtime::{Literal, ODataPath};
/// let p = ODataPath::new()
///     .segment("roleManagement").segment("directory")
///     .segment("roleAssignmentScheduleRequests")
///     .function("filterByCurrentUser", &[("on", Literal::enum_str("principal"))]);
/// assert_eq!(p.as_str(), "/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')");
///
/// let p = ODataPath::new().segment("privilegedAccess").key("aad/../x?y#z").segment("roleAssignments");
/// assert_eq!(p.as_str(), "/privilegedAccess/aad%2F..%2Fx%3Fy%23z/roleAssignments");
/// assert_eq!(p.template(), "/privilegedAccess/{id}/roleAssignments");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ODataPath {
    path: String,
    template: String,
    /// Set when a *static* segment was invalid (empty or a dot segment). Keys never fail;
    /// this only catches programming errors, and surfaces as an
    /// [`ErrorKind::InvalidUrl`](crate::runtime::ErrorKind::InvalidUrl) when the request is
    /// sent rather than panicking here.
    invalid: Option<String>,
}

impl ODataPath {
    /// The service root (empty path).
    pub fn new() -> Self {
        // Typical PIM paths are 60-120 bytes; sizing up front avoids a chain of small
        // reallocations while segments are appended.
        ODataPath {
            path: String::with_capacity(128),
            template: String::with_capacity(96),
            invalid: None,
        }
    }

    /// Appends a static segment such as `roleManagement` or a bound operation's
    /// qualified name. The name is percent-encoded defensively; an empty, `.` or `..`
    /// name makes the request fail with `InvalidUrl`.
    pub fn segment(mut self, name: &str) -> Self {
        if name.is_empty() || name == "." || name == ".." {
            self.invalid
                .get_or_insert_with(|| format!("invalid static path segment {name:?}"));
        }
        self.path.push('/');
        push_encoded(&mut self.path, name, SEGMENT);
        self.template.push('/');
        self.template.push_str(name);
        self
    }

    /// Appends the `/$count` segment (OData's count of a collection), which a static
    /// [`segment`](Self::segment) would percent-encode.
    pub fn count(mut self) -> Self {
        self.path.push_str("/$count");
        self.template.push_str("/$count");
        self
    }

    /// Appends an entity key in key-as-segment form (`/{id}`), encoded so it stays exactly
    /// one segment. The template records `{id}`.
    pub fn key(self, id: impl AsRef<str>) -> Self {
        self.push_key("id", id.as_ref())
    }

    /// Like [`ODataPath::key`] with a named template placeholder, e.g.
    /// `key_named("roleDefinition-id", id)` → template `/{roleDefinition-id}`.
    pub fn key_named(self, placeholder: &str, id: impl AsRef<str>) -> Self {
        self.push_key(placeholder, id.as_ref())
    }

    fn push_key(mut self, placeholder: &str, id: &str) -> Self {
        if id.is_empty() || id == "." || id == ".." {
            // See the module docs: these cannot survive as segments, so use `('..')`.
            // The literal's dots are escaped too, to be safe with any server-side
            // normalisation.
            self.path.push_str("('");
            for _ in 0..id.len() {
                self.path.push_str("%2E");
            }
            self.path.push_str("')");
        } else {
            self.path.push('/');
            push_encoded(&mut self.path, id, SEGMENT);
        }
        self.template.push_str("/{");
        self.template.push_str(placeholder);
        self.template.push('}');
        self
    }

    /// Appends a function call segment with inline parameters:
    /// `name(p1=literal1,p2=literal2)`. Values are [`Literal`]s (already OData-escaped)
    /// and are percent-encoded for the path. The template shows `name(p1={p1},...)`.
    pub fn function(mut self, name: &str, params: &[(&str, Literal)]) -> Self {
        if name.is_empty() {
            self.invalid
                .get_or_insert_with(|| "empty function name".to_owned());
        }
        self.path.push('/');
        push_encoded(&mut self.path, name, SEGMENT);
        self.path.push('(');
        self.template.push('/');
        self.template.push_str(name);
        self.template.push('(');
        for (i, (param, value)) in params.iter().enumerate() {
            if i > 0 {
                self.path.push(',');
                self.template.push(',');
            }
            push_encoded(&mut self.path, param, SEGMENT);
            self.path.push('=');
            push_encoded(&mut self.path, value.as_str(), PARAM_VALUE);
            self.template.push_str(param);
            self.template.push_str("={");
            self.template.push_str(param);
            self.template.push('}');
        }
        self.path.push(')');
        self.template.push(')');
        self
    }

    /// The encoded path, starting with `/` (empty for the service root).
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The template with placeholders instead of keys and parameter values.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The template, without copying it.
    pub(crate) fn into_template(self) -> String {
        self.template
    }

    /// The reason the path is invalid, if a static segment was.
    pub(crate) fn invalid(&self) -> Option<&str> {
        self.invalid.as_deref()
    }
}

impl fmt::Display for ODataPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: &str) -> String {
        ODataPath::new().segment("c").key(id).as_str().to_owned()
    }

    #[test]
    fn hostile_keys_stay_one_segment() {
        assert_eq!(k("abc-123_~.x"), "/c/abc-123_~.x");
        assert_eq!(k("a/b"), "/c/a%2Fb");
        assert_eq!(k("a?b=c&d"), "/c/a%3Fb%3Dc%26d");
        assert_eq!(k("#frag"), "/c/%23frag");
        assert_eq!(k("%2F"), "/c/%252F");
        assert_eq!(k("o'neil"), "/c/o%27neil");
        assert_eq!(k("a b+c"), "/c/a%20b%2Bc");
        assert_eq!(k("é"), "/c/%C3%A9");
        assert_eq!(k("a\\b"), "/c/a%5Cb");
        assert_eq!(k("..."), "/c/...");
        assert_eq!(k("../x"), "/c/..%2Fx");
        assert_eq!(k("\r\n"), "/c/%0D%0A");
        assert_eq!(k(".."), "/c('%2E%2E')");
        assert_eq!(k("."), "/c('%2E')");
        assert_eq!(k(""), "/c('')");
    }

    #[test]
    fn encoded_paths_survive_url_parsing() {
        for id in [
            "..", ".", "", "a/../b", "%2e%2E", ".%2E", "?x", "#", "\u{0}",
        ] {
            let path = ODataPath::new().segment("c").key(id).segment("tail");
            let url = url::Url::parse(&format!("https://h/beta{}", path.as_str())).unwrap();
            assert_eq!(url.path(), format!("/beta{}", path.as_str()), "id {id:?}");
            assert_eq!(url.query(), None);
            assert_eq!(url.fragment(), None);
            // The client builds request URLs with `set_path` on the parsed base.
            let mut set = url::Url::parse("https://h/beta").unwrap();
            set.set_path(&format!("/beta{}", path.as_str()));
            assert_eq!(set, url, "id {id:?}");
        }
    }

    #[test]
    fn function_params() {
        let p = ODataPath::new().segment("x").function(
            "f",
            &[
                ("on", Literal::string("principal")),
                ("s", Literal::string("a'),b=(c #%")),
            ],
        );
        assert_eq!(
            p.as_str(),
            "/x/f(on='principal',s='a''%29%2Cb%3D%28c%20%23%25')"
        );
        assert_eq!(p.template(), "/x/f(on={on},s={s})");
        assert_eq!(ODataPath::new().function("g", &[]).as_str(), "/g()");
    }

    #[test]
    fn fast_path_agrees_with_the_encoder() {
        for set in [SEGMENT, PARAM_VALUE] {
            for b in 0u8..=127 {
                let text = format!("a{}b", b as char);
                let mut fast = String::new();
                push_encoded(&mut fast, &text, set);
                let slow: String = utf8_percent_encode(&text, set).collect();
                assert_eq!(fast, slow, "byte {b}");
            }
        }
    }

    #[test]
    fn invalid_static_segments_are_recorded() {
        assert!(ODataPath::new().segment("ok").invalid().is_none());
        assert!(ODataPath::new().segment("..").invalid().is_some());
        assert!(ODataPath::new().segment("").invalid().is_some());
    }
}
