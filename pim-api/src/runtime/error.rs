//! The runtime's single error type.
//!
//! Every failure — a Graph error response, a body that does not decode, a dropped
//! connection, a refused `@odata.nextLink` — is an [`Error`] whose [`ErrorKind`] says what
//! went wrong. Responses are kept (status, headers, a capped copy of the body) so callers
//! can log or inspect them; Graph's `{"error": {...}}` envelope is parsed into
//! [`GraphError`] when present.
//!
//! The error is boxed so `Result<T, Error>` stays one pointer wide: the generated code
//! returns these results everywhere, and a fat error would bloat every future.

use std::{error::Error as StdError, fmt, time::Duration};

use bytes::Bytes;
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::{Map, Value};

/// `Result` with the runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many bytes of an error response body are kept (64 KiB).
///
/// Error bodies come from servers we do not control; capping them keeps a hostile or
/// broken server from making us buffer gigabytes just to report a failure.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How much server-provided text (Graph error message, non-JSON body) goes into
/// `Display`. Keeps log lines readable; the full (capped) body stays available.
const DISPLAY_TEXT_LIMIT: usize = 512;

/// What went wrong. Matching on this is the supported way to branch on errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with a non-success HTTP status (4xx/5xx, or a 3xx that could
    /// not be followed). [`Error::graph_error`] holds the parsed Graph error if the body
    /// had one.
    Api,
    /// A success response whose body did not deserialize into the expected type. The
    /// body is kept ([`Error::body`]) and the `serde_json` error is the source.
    Decode,
    /// A request body could not be serialized to JSON.
    Encode,
    /// The connection failed, was reset, or the response was malformed or truncated.
    Transport,
    /// The connect or request timeout elapsed.
    Timeout,
    /// A URL could not be built or parsed (bad base URL, invalid path segment, malformed
    /// `@odata.nextLink` or `Location`).
    InvalidUrl,
    /// A URL pointed at a different scheme, host or port than the configured Graph base
    /// URL (a foreign `@odata.nextLink`, or a redirect to a non-https target). No request
    /// was sent to it.
    UntrustedUrl,
    /// Too many redirects were followed.
    Redirect,
    /// The token provider failed, or returned a token that cannot be sent in a header.
    Auth,
    /// A success response body was larger than the configured limit
    /// ([`ClientBuilder::max_response_size`](crate::runtime::ClientBuilder::max_response_size)).
    BodyTooLarge,
    /// The client or a request builder was misconfigured (e.g. an invalid header).
    Config,
    /// Paging stopped: an `@odata.nextLink` led back to a page already fetched (a
    /// broken or hostile server would otherwise keep the stream going forever), or the
    /// page limit set with `max_pages` was reached. The items of every page fetched were
    /// yielded; the pager's `next_link` is where it stopped.
    Paging,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Api => "Graph API error",
            ErrorKind::Decode => "response decode error",
            ErrorKind::Encode => "request encode error",
            ErrorKind::Transport => "transport error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::InvalidUrl => "invalid URL",
            ErrorKind::UntrustedUrl => "untrusted URL refused",
            ErrorKind::Redirect => "too many redirects",
            ErrorKind::Auth => "authentication error",
            ErrorKind::BodyTooLarge => "response body too large",
            ErrorKind::Config => "configuration error",
            ErrorKind::Paging => "paging stopped",
        })
    }
}

/// The error returned by every fallible runtime operation.
///
/// Cheap to move (one pointer). Use [`Error::kind`] to branch, the accessors to inspect
/// the response, and [`std::error::Error::source`] for the underlying cause.
#[derive(thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<Inner>);

#[derive(thiserror::Error)]
#[error("{kind}: {message}")]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<StatusCode>,
    headers: Option<HeaderMap>,
    body: Option<Bytes>,
    body_truncated: bool,
    graph: Option<GraphError>,
    retry_after: Option<Duration>,
    attempts: u32,
    /// The failure happened while connecting, so the request never reached the server
    /// and is safe to retry whatever its method.
    connect: bool,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Debug for Inner {
    // Hand-written so the body is summarised by length instead of dumped byte by byte,
    // and so nothing request-side (which could carry credentials) can ever appear here:
    // the error only stores response data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(status) = self.status {
            d.field("status", &status);
        }
        if let Some(graph) = &self.graph {
            d.field("graph", graph);
        }
        if let Some(body) = &self.body {
            d.field("body_len", &body.len());
            d.field("body_truncated", &self.body_truncated);
        }
        if self.attempts > 0 {
            d.field("attempts", &self.attempts);
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl Error {
    /// Creates an error of `kind` with a message. Runtime-internal constructors build on
    /// this; it is public so [`TokenProvider`](crate::runtime::TokenProvider)
    /// implementations and tests can produce runtime errors.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            status: None,
            headers: None,
            body: None,
            body_truncated: false,
            graph: None,
            retry_after: None,
            attempts: 0,
            connect: false,
            source: None,
        }))
    }

    /// An [`ErrorKind::Auth`] error wrapping a token provider's failure.
    pub fn auth(source: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        let source = source.into();
        let message = format!("token provider failed: {source}");
        Error::new(ErrorKind::Auth, message).with_source_box(source)
    }

    /// Attaches an underlying cause (returned by [`std::error::Error::source`]).
    pub fn with_source(self, source: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        self.with_source_box(source.into())
    }

    fn with_source_box(mut self, source: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        self.0.source = Some(source);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The human-readable message (without the kind prefix that `Display` adds).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The HTTP status of the response that caused the error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.0.status
    }

    /// The response headers, if the error came from a response.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.0.headers.as_ref()
    }

    /// The response body: for [`ErrorKind::Api`] at most [`ERROR_BODY_LIMIT`] bytes (see
    /// [`Error::body_truncated`]); for [`ErrorKind::Decode`] the complete body that failed
    /// to decode.
    pub fn body(&self) -> Option<&Bytes> {
        self.0.body.as_ref()
    }

    /// Whether [`Error::body`] was cut at [`ERROR_BODY_LIMIT`].
    pub fn body_truncated(&self) -> bool {
        self.0.body_truncated
    }

    /// Graph's structured error (`{"error": {"code", "message", ...}}`), if the body had
    /// one.
    pub fn graph_error(&self) -> Option<&GraphError> {
        self.0.graph.as_ref()
    }

    /// Graph's error code (e.g. `"Request_ResourceNotFound"`), if any.
    pub fn code(&self) -> Option<&str> {
        self.0.graph.as_ref().map(|g| g.code.as_str())
    }

    /// The server-side `request-id` (response header, else the error's `innerError`).
    /// Quote it when opening a support case.
    pub fn request_id(&self) -> Option<&str> {
        self.header_str("request-id").or_else(|| {
            self.0
                .graph
                .as_ref()
                .and_then(|g| g.inner_error.as_ref())
                .and_then(|i| i.request_id.as_deref())
        })
    }

    /// The `client-request-id` the runtime sent (echoed by Graph), if known.
    pub fn client_request_id(&self) -> Option<&str> {
        self.header_str("client-request-id").or_else(|| {
            self.0
                .graph
                .as_ref()
                .and_then(|g| g.inner_error.as_ref())
                .and_then(|i| i.client_request_id.as_deref())
        })
    }

    fn header_str(&self, name: &str) -> Option<&str> {
        self.0
            .headers
            .as_ref()
            .and_then(|h| h.get(name))
            .and_then(|v| v.to_str().ok())
    }

    /// The delay the server asked for with `Retry-After`, if it sent one that parsed.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// How many attempts (first try plus retries) were made before giving up; 0 if the
    /// error happened before anything was sent.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// Whether the failure is transient in nature: HTTP 429, 503 or 504, a transport
    /// failure or a timeout. The runtime already retried such errors according to its
    /// [`RetryPolicy`](crate::runtime::RetryPolicy); this tells the caller whether trying
    /// again later is sensible.
    pub fn is_retryable(&self) -> bool {
        match self.0.kind {
            ErrorKind::Api => self.0.status.is_some_and(is_retryable_status),
            ErrorKind::Transport | ErrorKind::Timeout => true,
            _ => false,
        }
    }

    /// Whether the service may have acted on the request although the call failed: the
    /// request was sent, and the failure does not say it was refused — a 5xx other than
    /// a 503 with `Retry-After`, a timeout or a transport failure after sending, or a
    /// success response that could not be read or decoded (which certainly took effect).
    ///
    /// The runtime never repeats a POST or PATCH that may have taken effect (see
    /// [`RetryPolicy`](crate::runtime::RetryPolicy)); neither should the caller, blindly.
    /// For a PIM schedule request, look it up (`filterByCurrentUser` or a `$filter` on
    /// principal, role and status) before sending it again: a second one would be refused
    /// as `RoleAssignmentExists` or `PendingRoleAssignmentRequest`, or create a duplicate.
    pub fn may_have_taken_effect(&self) -> bool {
        let i = &self.0;
        match i.kind {
            ErrorKind::Decode | ErrorKind::BodyTooLarge => true,
            ErrorKind::Api => match i.status.map(|s| s.as_u16()) {
                Some(503) => i.retry_after.is_none(),
                Some(s) => s >= 500,
                None => false,
            },
            ErrorKind::Transport | ErrorKind::Timeout => i.attempts > 0 && !i.connect,
            _ => false,
        }
    }

    /// Whether this is an HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.0.status == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the failure happened while connecting (nothing reached the server).
    pub(crate) fn is_connect(&self) -> bool {
        self.0.connect
    }

    /// Replaces every occurrence of `secret` (the bearer token in use) in everything the
    /// error derives from the response: the message, every Graph error field (the
    /// `innerError` members included), header values, and the text of the source chain
    /// (a serde error quoting the body, say). A server or proxy that echoes the request's
    /// `Authorization` must not get the token into our callers' logs, however short the
    /// token. Only [`Error::body`] keeps the raw bytes, as documented there. An empty or
    /// one-character secret is not looked for: it would mask ordinary text.
    pub(crate) fn redact(&mut self, secret: &str) {
        if secret.chars().nth(1).is_none() {
            return;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, REDACTED);
            }
        };
        scrub(&mut self.0.message);
        if let Some(g) = self.0.graph.as_mut() {
            scrub(&mut g.code);
            scrub(&mut g.message);
            g.target.iter_mut().for_each(scrub);
            for d in &mut g.details {
                scrub(&mut d.code);
                scrub(&mut d.message);
                d.target.iter_mut().for_each(scrub);
            }
            if let Some(inner) = g.inner_error.as_mut() {
                inner.request_id.iter_mut().for_each(scrub);
                inner.client_request_id.iter_mut().for_each(scrub);
                inner.date.iter_mut().for_each(scrub);
                for value in inner.other.values_mut() {
                    scrub_json(value, secret);
                }
            }
        }
        if let Some(headers) = self.0.headers.as_mut() {
            for value in headers.values_mut() {
                if value.to_str().is_ok_and(|v| v.contains(secret)) {
                    *value = reqwest::header::HeaderValue::from_static(REDACTED);
                }
            }
        }
        if let Some(source) = &self.0.source {
            let chain = error_chain(source.as_ref());
            if chain.contains(secret) {
                self.0.source = Some(Box::new(Redacted(chain.replace(secret, REDACTED))));
            }
        }
    }

    /// An error about something else that failed because of this one (a batch item whose
    /// envelope failed): the same kind, status, attempts and retry facts, a new message.
    pub(crate) fn derived(&self, message: String) -> Error {
        let mut e = Error::new(self.0.kind, message);
        e.0.status = self.0.status;
        e.0.attempts = self.0.attempts;
        e.0.connect = self.0.connect;
        e.0.retry_after = self.0.retry_after;
        e
    }

    /// Appends advice to the message (after a `; `).
    pub(crate) fn add_note(&mut self, note: &str) {
        self.0.message.push_str("; ");
        self.0.message.push_str(note);
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.0.attempts = attempts;
    }

    /// Converts a `reqwest` failure, keeping timeouts and connect failures apart because
    /// the retry logic treats them differently.
    pub(crate) fn transport(err: reqwest::Error) -> Self {
        let kind = if err.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let connect = err.is_connect();
        // reqwest's Display includes the URL; our URLs never contain credentials (tokens
        // travel only in the Authorization header), so that is safe to show.
        let message = error_chain(&err);
        let mut e = Error::new(kind, message).with_source(err);
        e.0.connect = connect;
        e
    }

    /// Builds an [`ErrorKind::Api`] error from a non-success response whose body was read
    /// up to [`ERROR_BODY_LIMIT`].
    pub(crate) fn api(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        body_truncated: bool,
        retry_after: Option<Duration>,
    ) -> Self {
        let graph = GraphError::parse(&body);
        let mut message = format!("HTTP {status}");
        match &graph {
            Some(g) => {
                if !g.code.is_empty() {
                    message.push_str(": ");
                    message.push_str(&sanitize(&g.code, DISPLAY_TEXT_LIMIT));
                }
                if !g.message.is_empty() {
                    message.push_str(": ");
                    message.push_str(&sanitize(&g.message, DISPLAY_TEXT_LIMIT));
                }
            }
            None if !body.is_empty() => {
                message.push_str(": ");
                message.push_str(&sanitize(
                    &String::from_utf8_lossy(&body),
                    DISPLAY_TEXT_LIMIT,
                ));
            }
            None => {}
        }
        if let Some(id) = headers.get("request-id").and_then(|v| v.to_str().ok()) {
            message.push_str(" (request-id ");
            message.push_str(&sanitize(id, 64));
            message.push(')');
        }
        let mut e = Error::new(ErrorKind::Api, message);
        e.0.status = Some(status);
        e.0.headers = Some(headers);
        e.0.body = Some(body);
        e.0.body_truncated = body_truncated;
        e.0.graph = graph;
        e.0.retry_after = retry_after;
        e
    }

    /// Builds an [`ErrorKind::Decode`] error that keeps the whole body and the serde
    /// error (which carries line, column and, for missing/unknown fields, the field name).
    pub(crate) fn decode(
        err: serde_json::Error,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        let message = format!(
            "could not decode the HTTP {status} response body ({} bytes): {err}",
            body.len()
        );
        let mut e = Error::new(ErrorKind::Decode, message).with_source(err);
        e.0.status = Some(status);
        e.0.headers = Some(headers);
        e.0.body = Some(body);
        e
    }
}

/// What replaces a secret in error text.
const REDACTED: &str = "<redacted>";

/// A source error whose text had to be scrubbed: its text only.
#[derive(Debug)]
struct Redacted(String);

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Redacted {}

fn scrub_json(value: &mut Value, secret: &str) {
    match value {
        Value::String(s) if s.contains(secret) => *s = s.replace(secret, REDACTED),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_json(v, secret)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_json(v, secret)),
        _ => {}
    }
}

/// Statuses that mean "try again later": throttled, unavailable, gateway timeout.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// Flattens an error and its sources into one line; reqwest's own Display hides the
/// interesting part (e.g. "connection refused") in the source chain.
fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    let mut depth = 0;
    while let Some(e) = cur {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    out
}

/// Makes server-controlled text safe for one log line: control characters (including
/// newlines, which would allow log injection) become spaces and the text is cut at
/// `max` bytes on a char boundary.
pub(crate) fn sanitize(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max) + 3);
    for c in s.chars() {
        if out.len() + c.len_utf8() > max {
            out.push_str("...");
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// Graph's error envelope: `{"error": {"code", "message", "target", "details",
/// "innerError"}}`.
///
/// Parsed leniently (field by field from a `serde_json::Value`) because error bodies are
/// produced by many different Graph workloads and gateways, and a type mismatch in one
/// field must not lose the others.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct GraphError {
    /// Machine-readable code, e.g. `"Request_ResourceNotFound"`, `"TooManyRequests"`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The target of the error (a property name), if given.
    pub target: Option<String>,
    /// Additional errors (e.g. one per invalid property).
    pub details: Vec<GraphErrorDetail>,
    /// Diagnostic ids and timestamp, if given.
    pub inner_error: Option<GraphInnerError>,
}

/// One entry of [`GraphError::details`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct GraphErrorDetail {
    /// Machine-readable code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Target, if given.
    pub target: Option<String>,
}

/// Graph's `innerError` object: diagnostic ids for support cases.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct GraphInnerError {
    /// `request-id`: the server-side id of the failed request.
    pub request_id: Option<String>,
    /// `client-request-id`: the id the client sent.
    pub client_request_id: Option<String>,
    /// `date`: when the error happened (as sent, ISO 8601).
    pub date: Option<String>,
    /// Every other member of `innerError`, kept verbatim.
    pub other: Map<String, Value>,
}

impl GraphError {
    /// Parses a Graph error envelope. Returns `None` when the body is not JSON or has no
    /// `error` object.
    pub fn parse(body: &[u8]) -> Option<GraphError> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let err = value.get("error")?.as_object()?;
        let details = err
            .get("details")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|d| GraphErrorDetail {
                        code: string_field(d, "code").unwrap_or_default(),
                        message: string_field(d, "message").unwrap_or_default(),
                        target: string_field(d, "target"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let inner_error = err
            .get("innerError")
            .or_else(|| err.get("innererror"))
            .and_then(Value::as_object)
            .map(|inner| {
                let mut other = inner.clone();
                let request_id = other.remove("request-id").and_then(into_string);
                let client_request_id = other.remove("client-request-id").and_then(into_string);
                let date = other.remove("date").and_then(into_string);
                GraphInnerError {
                    request_id,
                    client_request_id,
                    date,
                    other,
                }
            });
        Some(GraphError {
            code: string_field(err, "code").unwrap_or_default(),
            message: string_field(err, "message").unwrap_or_default(),
            target: string_field(err, "target"),
            details,
            inner_error,
        })
    }
}

/// Reads a member as text; numbers and booleans are rendered, so `"code": 400` still
/// yields something useful.
fn string_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).cloned().and_then(into_string)
}

fn into_string(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Null => None,
        Value::Array(_) | Value::Object(_) => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_graph_error() {
        let body = br#"{"error":{"code":"Request_BadRequest","message":"Invalid filter","target":"$filter",
            "details":[{"code":"Bad","message":"m1","target":"t1"},{"code":"X","message":"m2"}, 5],
            "innerError":{"request-id":"rid","client-request-id":"crid","date":"2024-01-01T00:00:00","extra":1}}}"#;
        let g = GraphError::parse(body).unwrap();
        assert_eq!(g.code, "Request_BadRequest");
        assert_eq!(g.message, "Invalid filter");
        assert_eq!(g.target.as_deref(), Some("$filter"));
        assert_eq!(g.details.len(), 2);
        assert_eq!(g.details[0].target.as_deref(), Some("t1"));
        let inner = g.inner_error.unwrap();
        assert_eq!(inner.request_id.as_deref(), Some("rid"));
        assert_eq!(inner.client_request_id.as_deref(), Some("crid"));
        assert_eq!(inner.date.as_deref(), Some("2024-01-01T00:00:00"));
        assert_eq!(inner.other.get("extra"), Some(&Value::from(1)));
    }

    #[test]
    fn lenient_on_hostile_shapes() {
        assert!(GraphError::parse(b"<html>nope</html>").is_none());
        assert!(GraphError::parse(b"{\"error\":\"string\"}").is_none());
        let g =
            GraphError::parse(br#"{"error":{"code":400,"message":null,"details":{}}}"#).unwrap();
        assert_eq!(g.code, "400");
        assert_eq!(g.message, "");
        assert!(g.details.is_empty());
        // Deep nesting hits serde_json's recursion limit instead of overflowing the stack.
        let deep = "[".repeat(100_000);
        assert!(GraphError::parse(deep.as_bytes()).is_none());
    }

    #[test]
    fn api_error_display_is_one_sanitised_line() {
        let body = Bytes::from_static(b"line1\nline2\r\n\x1b[31m");
        let e = Error::api(StatusCode::BAD_GATEWAY, HeaderMap::new(), body, false, None);
        let s = e.to_string();
        assert!(
            !s.contains('\n') && !s.contains('\r') && !s.contains('\x1b'),
            "{s}"
        );
        assert!(s.contains("502"));
        assert!(!e.is_retryable());
        let long = "é".repeat(10_000);
        let e = Error::api(
            StatusCode::SERVICE_UNAVAILABLE,
            HeaderMap::new(),
            Bytes::from(long),
            true,
            None,
        );
        assert!(e.to_string().len() < 700);
        assert!(e.is_retryable());
        assert!(e.body_truncated());
    }

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
