//! The non-generic HTTP core every request builder funnels into.
//!
//! Request builders are generic over their result type; everything here is not, so it is
//! compiled once no matter how many entity types the generated bindings have. The core
//! takes a fully built [`RawRequest`] and returns a [`RawResponse`] whose body has been
//! read (bounded), after:
//!
//! * a `client-request-id` (UUID v4) is assigned, identical across retries and redirects
//!   of this logical request so Graph support can correlate them;
//! * the bearer token is attached only when the target is the Graph origin;
//! * redirects are followed by hand (reqwest's are disabled), dropping `Authorization`
//!   when a hop leaves the Graph origin and refusing hops to non-https targets;
//! * throttling and transient failures are retried per the
//!   [`RetryPolicy`](super::RetryPolicy);
//! * non-success responses are turned into [`Error`]s with at most
//!   [`ERROR_BODY_LIMIT`] bytes of body kept.
//!
//! Each logical request runs in a `graph.request` tracing span with the method, path
//! template, operation name, client-request-id, and finally status, attempts and
//! request-id. Tokens are never recorded: they exist only in the `Authorization` header
//! value, which is marked sensitive.

use bytes::{Bytes, BytesMut};
use reqwest::{
    Method, StatusCode,
    header::{
        ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
        LOCATION, RETRY_AFTER,
    },
};
use tracing::{Instrument, field::Empty};
use url::Url;

use super::{
    BoxFuture,
    auth::{AccessToken, Secret},
    client::{Client, describe_origin},
    error::{ERROR_BODY_LIMIT, Error, ErrorKind, Result},
    retry::parse_retry_after,
};

/// Header carrying our per-logical-request correlation id.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
/// Graph's server-side request id header.
const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A fully resolved request, ready for the core.
#[derive(Debug, Clone)]
pub(crate) struct RawRequest {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    /// Extra headers from the builder (e.g. `ConsistencyLevel`); never `Authorization`.
    pub(crate) headers: HeaderMap,
    pub(crate) template: String,
    pub(crate) operation: &'static str,
}

/// A successful (2xx) response with its body fully read.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// How many attempts it took (for errors the decoder reports).
    pub(crate) attempts: u32,
    /// The token the request carried, to scrub from errors the decoder reports.
    pub(crate) secret: Option<Secret>,
}

impl Client {
    /// Runs one logical request (with retries and redirects). The returned future is
    /// boxed so that callers' generic futures stay small and this code is shared.
    pub(crate) fn execute(self, req: RawRequest) -> BoxFuture<'static, Result<RawResponse>> {
        let crid = match req.headers.get(&CLIENT_REQUEST_ID) {
            // A caller-supplied id (for their own correlation) is honoured.
            Some(v) => v.clone(),
            None => new_client_request_id(),
        };
        let span = tracing::info_span!(
            "graph.request",
            http.method = %req.method,
            graph.template = %req.template,
            graph.operation = req.operation,
            client_request_id = crid.to_str().unwrap_or_default(),
            http.status = Empty,
            attempts = Empty,
            request_id = Empty,
        );
        // The retry loop is the boxed future itself (no wrapping `async` layer): every
        // layer would store the request again and be copied when the future is built and
        // boxed. Without a subscriber interested in the span, entering and leaving it on
        // every poll is pure overhead, so the loop then runs uninstrumented.
        if span.is_disabled() {
            Box::pin(self.run_with_retries(req, crid, span))
        } else {
            Box::pin(
                self.run_with_retries(req, crid, span.clone())
                    .instrument(span),
            )
        }
    }

    async fn run_with_retries(
        self,
        req: RawRequest,
        crid: HeaderValue,
        span: tracing::Span,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let start = inner.clock.instant();
        let budget = inner.retry.elapsed_budget();
        let mut attempt: u32 = 0;
        // The token of the latest attempt: every error is scrubbed of it.
        let mut secret: Option<Secret> = None;
        // A token the provider gave for a claims challenge, used from the next attempt on;
        // a challenge is answered once.
        let mut claims_token: Option<AccessToken> = None;
        let mut claims_answered = false;
        loop {
            attempt = attempt.saturating_add(1);
            // Each attempt gets the attempt timeout, but never more than what is left of
            // the retry policy's total budget: that bound is documented as the longest a
            // call can take, so a server that accepts and never answers (or trickles)
            // must not stretch it.
            let elapsed = inner.clock.instant().saturating_duration_since(start);
            let left = budget.saturating_sub(elapsed);
            let (limit, by_budget) = if left < inner.timeout {
                (left, true)
            } else {
                (inner.timeout, false)
            };
            // The per-attempt bound is one timer on this future rather than reqwest's
            // `timeout`, which boxes a timer and wraps the body on every request. The attempt
            // is boxed on its own: it is most of this future's size, and two allocations
            // small enough for the allocator's per-thread cache cost less than one large
            // allocation (and its copy) that is not.
            let attempt_future =
                Box::pin(self.attempt(&req, &crid, claims_token.as_ref(), &mut secret));
            let outcome = match tokio::time::timeout(limit, attempt_future).await {
                Ok(outcome) => outcome,
                Err(_) if by_budget => Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "no complete response within the retry policy's {budget:?} total budget"
                    ),
                )),
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "no complete response within the {:?} attempt timeout",
                        inner.timeout
                    ),
                )),
            };
            let mut err = match outcome {
                Ok(mut resp) => {
                    span.record("http.status", resp.status.as_u16());
                    span.record("attempts", attempt);
                    if let Some(id) = resp.headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()) {
                        span.record("request_id", scrubbed(id, secret.as_ref()).as_ref());
                    }
                    tracing::debug!(
                        status = resp.status.as_u16(),
                        attempt,
                        bytes = resp.body.len(),
                        "Graph request succeeded"
                    );
                    resp.attempts = attempt;
                    resp.secret = secret;
                    return Ok(resp);
                }
                Err(err) => err,
            };
            if let Some(token) = &secret {
                err.redact(token.expose());
            }
            // A claims challenge is a refusal (nothing was done), so the request may be sent
            // again, whatever its method, with a token that satisfies the claims.
            if !claims_answered && let Some(challenge) = err.claims_challenge() {
                claims_answered = true;
                match inner.tokens.token_for_claims(challenge.claims()) {
                    Some(fetch) => match fetch.await {
                        Ok(token) => {
                            tracing::debug!(
                                attempt,
                                "answering a claims challenge with a new token"
                            );
                            claims_token = Some(token);
                            continue;
                        }
                        Err(e) => err.add_note(&format!(
                            "the token provider could not satisfy the claims challenge: {e}"
                        )),
                    },
                    None => err.add_note(&challenge.how_to_satisfy()),
                }
            }
            let elapsed = inner.clock.instant().saturating_duration_since(start);
            match inner.retry.next_delay(&err, &req.method, attempt, elapsed) {
                Some(delay) => {
                    tracing::debug!(
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        status = err.status().map(|s| s.as_u16()),
                        error = %err,
                        "retrying Graph request"
                    );
                    inner.clock.sleep(delay).await;
                }
                None => {
                    err.set_attempts(attempt);
                    span.record("attempts", attempt);
                    if let Some(status) = err.status() {
                        span.record("http.status", status.as_u16());
                    }
                    if let Some(id) = err.request_id() {
                        span.record("request_id", id);
                    }
                    tracing::debug!(attempt, error = %err, "Graph request failed");
                    return Err(err);
                }
            }
        }
    }

    /// One attempt: send, follow redirects, read the body.
    async fn attempt(
        &self,
        req: &RawRequest,
        crid: &HeaderValue,
        preferred: Option<&AccessToken>,
        secret: &mut Option<Secret>,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let mut method = req.method.clone();
        // Only allocated once a redirect is followed; the first hop borrows `req.url`.
        let mut redirected: Option<Url> = None;
        let mut body = req.body.clone();
        let mut bearer: Option<HeaderValue> = None;
        let mut redirects: u32 = 0;
        loop {
            let url = redirected.as_ref().unwrap_or(&req.url);
            // Headers go straight onto reqwest's builder (no intermediate map): this is
            // the per-request hot path.
            let mut rb = inner.http.request(method.clone(), url.clone());
            for (name, value) in &req.headers {
                rb = rb.header(name, value);
            }
            rb = rb.header(CLIENT_REQUEST_ID, crid.clone());
            if !req.headers.contains_key(ACCEPT) {
                rb = rb.header(ACCEPT, APPLICATION_JSON);
            }
            // The token goes only to the Graph origin; this check runs per hop, so a
            // redirect elsewhere never carries it (and a redirect back may again).
            if self.is_graph_origin(url) {
                let value = match &bearer {
                    Some(v) => v.clone(),
                    None => {
                        let (v, token) = self.bearer_header(preferred).await?;
                        *secret = Some(token);
                        bearer = Some(v.clone());
                        v
                    }
                };
                rb = rb.header(AUTHORIZATION, value);
            }
            if let Some(b) = &body {
                if b.is_empty() {
                    // hyper omits the length of an empty body; gateways answer a bodiless
                    // POST without Content-Length with 411.
                    rb = rb.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
                } else if !req.headers.contains_key(CONTENT_TYPE) {
                    rb = rb.header(CONTENT_TYPE, APPLICATION_JSON);
                }
                rb = rb.body(b.clone());
            }
            let mut resp = rb.send().await.map_err(Error::transport)?;
            let status = resp.status();

            if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
                && let Some(location) = resp.headers().get(LOCATION)
            {
                redirects += 1;
                if redirects > inner.max_redirects {
                    return Err(Error::new(
                        ErrorKind::Redirect,
                        format!("more than {} redirects", inner.max_redirects),
                    ));
                }
                let location = location.to_str().map_err(|_| {
                    Error::new(ErrorKind::InvalidUrl, "redirect Location is not valid text")
                })?;
                let next = url.join(location).map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidUrl,
                        format!("invalid redirect Location: {e}"),
                    )
                })?;
                if !self.redirect_allowed(&next) {
                    return Err(Error::new(
                        ErrorKind::UntrustedUrl,
                        format!("refusing redirect to {}", describe_origin(&next)),
                    ));
                }
                // 307 and 308 replay method and body. A POST, PATCH, PUT or DELETE
                // carries the PIM request itself (a justification, who gets which role):
                // it is not sent to another origin, with or without the token.
                let replays = matches!(status.as_u16(), 307 | 308)
                    && !matches!(method, Method::GET | Method::HEAD);
                if replays && !self.is_graph_origin(&next) {
                    return Err(Error::new(
                        ErrorKind::UntrustedUrl,
                        format!(
                            "refusing to replay a {method} request to {} (a {} redirect off the Graph origin)",
                            describe_origin(&next),
                            status.as_u16()
                        ),
                    ));
                }
                tracing::debug!(
                    status = status.as_u16(),
                    to = %describe_origin(&next),
                    same_origin = self.is_graph_origin(&next),
                    "following redirect"
                );
                // Same method rewriting as browsers and reqwest: 303 always becomes
                // GET, 301/302 turn POST into GET; 307/308 replay method and body.
                let to_get = status == StatusCode::SEE_OTHER && method != Method::HEAD
                    || matches!(status.as_u16(), 301 | 302) && method == Method::POST;
                if to_get {
                    method = Method::GET;
                    body = None;
                }
                redirected = Some(next);
                continue;
            }

            let headers = std::mem::take(resp.headers_mut());
            if status.is_success() {
                let limit = inner.max_response_size;
                if resp.content_length().is_some_and(|len| len > limit as u64) {
                    return Err(too_large(limit));
                }
                let (body, truncated) = read_limited(&mut resp, limit)
                    .await
                    .map_err(Error::transport)?;
                if truncated {
                    return Err(too_large(limit));
                }
                return Ok(RawResponse {
                    status,
                    headers,
                    body,
                    attempts: 0,
                    secret: None,
                });
            }

            // Error response: keep at most ERROR_BODY_LIMIT bytes. A failure while reading
            // it must not hide the status, so a broken error body just counts as truncated.
            let (body, truncated) = match read_limited(&mut resp, ERROR_BODY_LIMIT).await {
                Ok(r) => r,
                Err(_) => (Bytes::new(), true),
            };
            let retry_after = headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, inner.clock.now()));
            // Scrubbed of the token by the caller, like every other error.
            return Err(Error::api(status, headers, body, truncated, retry_after));
        }
    }

    /// The `Authorization` value for `preferred` (a token answering a claims challenge) or
    /// else the provider's current token, and the token. The
    /// formatted header is cached per token (keyed by the token's shared allocation), so a
    /// cached or static token costs a pointer comparison instead of a format and
    /// validation.
    async fn bearer_header(
        &self,
        preferred: Option<&AccessToken>,
    ) -> Result<(HeaderValue, Secret)> {
        let token = match preferred {
            Some(token) => token.clone(),
            None => match self.inner.tokens.token_now() {
                Some(token) => token,
                None => self.inner.tokens.token().await?,
            },
        };
        let secret = token.secret().clone();
        if let Ok(cache) = self.inner.bearer_cache.lock()
            && let Some((cached, value)) = cache.as_ref()
            && cached.same_as(&secret)
        {
            return Ok((value.clone(), secret));
        }
        let mut value =
            HeaderValue::try_from(format!("Bearer {}", secret.expose())).map_err(|_| {
                // Deliberately no detail: the offending text is the token.
                Error::new(
                    ErrorKind::Auth,
                    "token contains characters not allowed in an HTTP header",
                )
            })?;
        // Sensitive values are redacted by http's Debug and never indexed by HPACK.
        value.set_sensitive(true);
        if let Ok(mut cache) = self.inner.bearer_cache.lock() {
            *cache = Some((secret.clone(), value.clone()));
        }
        Ok((value, secret))
    }
}

/// `text`, or a mask when it holds the token (a server echoing it into `request-id`).
fn scrubbed<'a>(text: &'a str, secret: Option<&Secret>) -> std::borrow::Cow<'a, str> {
    match secret {
        Some(s) if s.expose().chars().nth(1).is_some() && text.contains(s.expose()) => {
            std::borrow::Cow::Owned(text.replace(s.expose(), "<redacted>"))
        }
        _ => std::borrow::Cow::Borrowed(text),
    }
}

fn too_large(limit: usize) -> Error {
    Error::new(
        ErrorKind::BodyTooLarge,
        format!("response body exceeds the {limit}-byte limit"),
    )
}

/// A random (v4) UUID for `client-request-id`.
fn new_client_request_id() -> HeaderValue {
    let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = id.hyphenated().encode_lower(&mut buf);
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static(
        "00000000-0000-4000-8000-000000000000",
    ))
}

/// Reads the body up to `limit` bytes. Returns the bytes and whether more were available
/// (in which case the rest is not read and the connection is discarded). A body that
/// arrives in one chunk — the common case for small JSON — is returned without copying.
async fn read_limited(
    resp: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut single: Option<Bytes> = None;
    let mut acc: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(chunk) = resp.chunk().await? {
        if chunk.is_empty() {
            continue;
        }
        let room = limit - len;
        let over = chunk.len() > room;
        let chunk = if over { chunk.slice(..room) } else { chunk };
        len += chunk.len();
        match (&mut acc, single.take()) {
            (Some(buf), _) => buf.extend_from_slice(&chunk),
            (None, None) => single = Some(chunk),
            (None, Some(first)) => {
                // Pre-size from Content-Length, but never trust it beyond 4 MiB up front.
                let hint = resp
                    .content_length()
                    .map_or(0, |l| usize::try_from(l).unwrap_or(usize::MAX))
                    .min(limit)
                    .min(4 * 1024 * 1024);
                let mut buf = BytesMut::with_capacity(hint.max(first.len() + chunk.len()));
                buf.extend_from_slice(&first);
                buf.extend_from_slice(&chunk);
                acc = Some(buf);
            }
        }
        if over {
            return Ok((finish(single, acc), true));
        }
    }
    Ok((finish(single, acc), false))
}

fn finish(single: Option<Bytes>, acc: Option<BytesMut>) -> Bytes {
    match (acc, single) {
        (Some(buf), _) => buf.freeze(),
        (None, Some(b)) => b,
        (None, None) => Bytes::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::new_client_request_id;

    /// Ids are well-formed v4 UUIDs and do not repeat, within a thread or across threads
    /// (the thread-local generators are seeded independently).
    #[test]
    fn client_request_ids_are_unique_v4_uuids() {
        let batch = || {
            (0..2000)
                .map(|_| {
                    let value = new_client_request_id();
                    let text = value.to_str().expect("ASCII").to_owned();
                    let id = uuid::Uuid::parse_str(&text).expect("a UUID");
                    assert_eq!(id.get_version_num(), 4, "{text}");
                    assert_eq!(text, id.hyphenated().to_string(), "lower-case hyphenated");
                    text
                })
                .collect::<Vec<_>>()
        };
        let here = batch();
        let there = std::thread::spawn(batch).join().expect("thread");
        let all: HashSet<_> = here.iter().chain(&there).collect();
        assert_eq!(all.len(), here.len() + there.len());
    }
}
