//! The HTTP front: one axum fallback handler that authenticates, injects faults, reads the
//! body within its limit, runs the request against the world and writes Graph's response
//! (or error) with its `request-id` and `client-request-id`, then records the request in
//! the log.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::{Value, json};

use crate::clock::SimClock;
use crate::error::ApiError;
use crate::faults::{Fault, FaultState};
use crate::odata::RawQuery;
use crate::pim::Caller;
use crate::routes::{self, Links, Reply};
use crate::world::{PrincipalKind, World};

/// Entries kept in the request log (the oldest go first).
const LOG_CAPACITY: usize = 100_000;
const JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// One request as the simulator saw it.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// Arrival order, from 1.
    pub seq: u64,
    /// Wall-clock arrival time.
    pub received: SystemTime,
    /// Simulated time when it was handled.
    pub sim_time: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// Path (percent-encoded, as sent).
    pub path: String,
    /// Query string, as sent.
    pub query: Option<String>,
    /// Status answered (for a dropped connection: the status that was being sent).
    pub status: u16,
    /// Graph's `error.code`, for errors.
    pub error_code: Option<String>,
    /// `request-id` the simulator assigned.
    pub request_id: String,
    /// `client-request-id` the client sent.
    pub client_request_id: Option<String>,
    /// The authenticated principal.
    pub principal: Option<String>,
    /// The injected fault.
    pub fault: Option<Fault>,
    /// Whether the request reached the service logic (state may have changed).
    pub processed: bool,
    /// The id of the schedule request a create stored.
    pub created: Option<String>,
    /// For a request inside a `$batch`: the `seq` of the envelope (logged on its own).
    pub batch: Option<u64>,
    /// For a request inside a `$batch`: its `id` there.
    pub batch_item: Option<String>,
}

/// Everything the handler shares.
pub(crate) struct Shared {
    pub(crate) world: Mutex<World>,
    pub(crate) clock: SimClock,
    pub(crate) log: Mutex<VecDeque<LogEntry>>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) seq: AtomicU64,
    /// `http://127.0.0.1:PORT`, for links when the `Host` header is unusable.
    pub(crate) origin: Mutex<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn world(&self) -> std::sync::MutexGuard<'_, World> {
        lock(&self.world)
    }
    pub(crate) fn log(&self) -> std::sync::MutexGuard<'_, VecDeque<LogEntry>> {
        lock(&self.log)
    }
    pub(crate) fn faults(&self) -> std::sync::MutexGuard<'_, FaultState> {
        lock(&self.faults)
    }
}

/// The router: every path goes to [`handle`].
pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, t)| t.trim())
        .unwrap_or_default();
    if token.is_empty() {
        Err(ApiError::unauthenticated("Access token is empty."))
    } else {
        Ok(token)
    }
}

fn caller(world: &World, token: &str, now: DateTime<Utc>) -> Result<Caller, ApiError> {
    let t = world
        .tokens
        .iter()
        .find(|t| t.value == token)
        .ok_or_else(|| {
            ApiError::unauthenticated("Access token validation failure. Invalid audience.")
        })?;
    if t.expires.is_some_and(|e| e <= now) {
        return Err(ApiError::unauthenticated(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    let is_app = matches!(
        world.principal(&t.principal_id).map(|p| &p.kind),
        Some(PrincipalKind::ServicePrincipal(_))
    );
    Ok(Caller {
        principal_id: t.principal_id.clone(),
        mfa: t.mfa,
        acrs: t.acrs.clone(),
        app_roles: t.app_roles.clone(),
        is_app,
    })
}

/// The path's segments after the version, decoded; and the version prefix.
fn segments(path: &str) -> Result<(&'static str, Vec<String>), ApiError> {
    let mut parts = path.split('/').filter(|s| !s.is_empty());
    let version = match parts.next() {
        Some(v) if v.eq_ignore_ascii_case("beta") => "beta",
        Some(v) if v.eq_ignore_ascii_case("v1.0") => "v1.0",
        other => return Err(ApiError::no_segment(other.unwrap_or(""))),
    };
    let decoded = parts
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| {
                    ApiError::bad_request(
                        "The request URL is not valid UTF-8 after percent-decoding.",
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((version, decoded))
}

/// A `Host` header value fit to put into links (`host[:port]` of a loopback-style name).
fn usable_host(headers: &HeaderMap) -> Option<&str> {
    let host = headers.get(HOST)?.to_str().ok()?;
    let ok = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    ok.then_some(host)
}

struct Outcome {
    result: Result<Reply, ApiError>,
    principal: Option<String>,
    processed: bool,
    created: Option<String>,
}

fn process(
    shared: &Shared,
    method: &str,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Outcome {
    let mut outcome = Outcome {
        result: Err(ApiError::bad_request("")),
        principal: None,
        processed: false,
        created: None,
    };
    let prepared = (|| {
        let (version, segments) = segments(path)?;
        let token = bearer(headers)?;
        let route = routes::resolve(&segments)?;
        let raw = RawQuery::parse(query)?;
        Ok::<_, ApiError>((version, token, route, raw))
    })();
    let (version, token, route, raw) = match prepared {
        Ok(p) => p,
        Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    };
    let origin = match usable_host(headers) {
        Some(h) => format!("http://{h}"),
        None => lock(&shared.origin).clone(),
    };
    let base = format!("{origin}/{version}");
    let links = Links { base: &base };
    let now = shared.clock.now();
    let mut world = shared.world();
    world.tick(now);
    let caller = match caller(&world, token, now) {
        Ok(c) => c,
        Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    };
    outcome.principal = Some(caller.principal_id.clone());
    outcome.processed = true;
    let call = routes::Call {
        method,
        route: &route,
        raw: &raw,
        body,
        caller: &caller,
        now,
        links,
    };
    match routes::handle(&mut world, &call) {
        Ok((reply, created)) => {
            outcome.result = Ok(reply);
            outcome.created = created;
        }
        Err(e) => outcome.result = Err(e),
    }
    outcome
}

fn error_body(e: &ApiError, request_id: &str, client_request_id: &str) -> Value {
    json!({"error": {
        "code": e.code,
        "message": e.message,
        "innerError": {
            "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": request_id,
            "client-request-id": client_request_id,
        }
    }})
}

fn json_response(status: u16, body: &Value) -> (StatusCode, Vec<u8>, &'static str) {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, serde_json::to_vec(body).unwrap_or_default(), JSON)
}

/// The one handler.
async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = std::time::Instant::now();
    let received = SystemTime::now();
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = parts
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned);
    let echo_id = client_request_id
        .clone()
        .unwrap_or_else(|| request_id.clone());

    let token = bearer(&parts.headers).ok().map(str::to_owned);
    let decided = shared.faults().decide(token.as_deref(), &method);
    let (fault, rate_retry) = match decided {
        Some((f, r)) => (Some(f), r),
        None => (None, None),
    };
    let retry_after = shared.faults().retry_after();

    let mut outcome = match fault {
        Some(Fault::Throttle) => Some(ApiError::throttled(retry_after)),
        Some(Fault::RateLimited) => Some(ApiError::throttled(rate_retry.unwrap_or(1))),
        Some(Fault::Unavailable) => Some(ApiError::unavailable(Some(retry_after))),
        _ => None,
    }
    .map(|e| Outcome {
        result: Err(e),
        principal: None,
        processed: false,
        created: None,
    });
    if fault == Some(Fault::Slow) {
        let delay = shared.faults().slow_delay();
        tokio::time::sleep(delay).await;
    }
    if outcome.is_none() {
        let limit = shared.world().settings.max_body_bytes;
        outcome = Some(match axum::body::to_bytes(body, limit).await {
            Ok(bytes) if method == "POST" && batch_version(&path).is_some() => batch(
                &shared,
                &parts.headers,
                &path,
                &bytes,
                seq,
                client_request_id.as_deref(),
            ),
            Ok(bytes) => process(
                &shared,
                &method,
                &parts.headers,
                &path,
                query.as_deref(),
                &bytes,
            ),
            Err(_) => Outcome {
                result: Err(ApiError::too_large(limit)),
                principal: None,
                processed: false,
                created: None,
            },
        });
    }
    let Some(mut outcome) = outcome else {
        return Response::new(Body::empty());
    };
    // Faults after processing replace whatever the service answered.
    match fault {
        Some(Fault::Ambiguous) => outcome.result = Err(ApiError::unavailable(None)),
        Some(Fault::GatewayTimeout) => outcome.result = Err(ApiError::gateway_timeout()),
        _ => {}
    }
    let mut error_code = None;
    let mut extra: Vec<(axum::http::HeaderName, String)> = Vec::new();
    let (status, bytes, content_type) = match &outcome.result {
        Ok(Reply::Json(status, body)) => json_response(*status, body),
        Ok(Reply::Count(n)) => (StatusCode::OK, n.to_string().into_bytes(), "text/plain"),
        Ok(Reply::NoContent) => (StatusCode::NO_CONTENT, Vec::new(), ""),
        Err(e) => {
            error_code = Some(e.code.clone());
            if let Some(w) = &e.www_authenticate {
                extra.push((WWW_AUTHENTICATE, w.clone()));
            }
            if let Some(r) = e.retry_after {
                extra.push((RETRY_AFTER, r.to_string()));
            }
            json_response(e.status, &error_body(e, &request_id, &echo_id))
        }
    };
    let mut builder = Response::builder()
        .status(status)
        .header("request-id", &request_id)
        .header("client-request-id", &echo_id);
    if !content_type.is_empty() {
        builder = builder.header(CONTENT_TYPE, content_type);
    }
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(&value) {
            builder = builder.header(name, v);
        }
    }
    let response = match fault {
        Some(Fault::Drop) => {
            // Promise the whole body, send half, then fail the stream: hyper closes the
            // connection mid-body.
            let full = bytes.len().max(2);
            let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            let stream = futures::stream::iter([
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault: connection dropped",
                )),
            ]);
            let status = if status == StatusCode::NO_CONTENT {
                StatusCode::OK
            } else {
                status
            };
            builder
                .status(status)
                .header(CONTENT_LENGTH, full)
                .body(Body::from_stream(stream))
        }
        Some(Fault::Truncate) => {
            let cut = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            builder.body(Body::from(cut))
        }
        _ => builder.body(Body::from(bytes)),
    }
    .unwrap_or_else(|_| Response::new(Body::empty()));

    let entry = LogEntry {
        seq,
        received,
        sim_time: shared.clock.now(),
        method: method.clone(),
        path: path.clone(),
        query,
        status: status.as_u16(),
        error_code,
        request_id,
        client_request_id,
        principal: outcome.principal.clone(),
        fault,
        processed: outcome.processed,
        created: outcome.created.clone(),
        batch: None,
        batch_item: None,
    };
    record(&shared, entry, started.elapsed());
    response
}

/// Logs `entry` (tracing and the request log).
fn record(shared: &Shared, entry: LogEntry, took: std::time::Duration) {
    tracing::info!(
        target: "pim_sim::request",
        seq = entry.seq,
        method = %entry.method,
        path = %entry.path,
        status = entry.status,
        ms = took.as_millis() as u64,
        principal = entry.principal.as_deref().unwrap_or("-"),
        fault = ?entry.fault,
        batch = ?entry.batch,
        code = entry.error_code.as_deref().unwrap_or("")
    );
    let mut log = shared.log();
    if log.len() >= LOG_CAPACITY {
        log.pop_front();
    }
    log.push_back(entry);
}

/// `beta` or `v1.0` when `path` is `/{version}/$batch`.
fn batch_version(path: &str) -> Option<&'static str> {
    let mut parts = path.split('/').filter(|s| !s.is_empty());
    let version = match parts.next()? {
        v if v.eq_ignore_ascii_case("beta") => "beta",
        v if v.eq_ignore_ascii_case("v1.0") => "v1.0",
        _ => return None,
    };
    (parts.next()? == "$batch" && parts.next().is_none()).then_some(version)
}

/// The most requests one `$batch` may carry.
const MAX_BATCH: usize = 20;

/// `POST /{version}/$batch`: each request is run as if sent alone (same authentication,
/// same handler, its own faults), in order, honouring `dependsOn`; the answers come back
/// in reverse order, as Graph may reorder them and clients must match them by `id`.
fn batch(
    shared: &Shared,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
    envelope_seq: u64,
    client_request_id: Option<&str>,
) -> Outcome {
    let fail = |e: ApiError| Outcome {
        result: Err(e),
        principal: None,
        processed: false,
        created: None,
    };
    let version = batch_version(path).unwrap_or("beta");
    let Ok(parsed) = serde_json::from_slice::<Value>(body) else {
        return fail(ApiError::bad_request("Invalid batch payload format."));
    };
    let Some(requests) = parsed.get("requests").and_then(Value::as_array) else {
        return fail(ApiError::bad_request(
            "Invalid batch payload format: no requests array.",
        ));
    };
    if requests.is_empty() || requests.len() > MAX_BATCH {
        return fail(ApiError::bad_request(format!(
            "A batch must contain between 1 and {MAX_BATCH} requests; this one has {}.",
            requests.len()
        )));
    }
    let mut ids: Vec<String> = Vec::new();
    for r in requests {
        let Some(id) = r
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
        else {
            return fail(ApiError::bad_request("Every batch request needs an id."));
        };
        if ids.iter().any(|x| x.eq_ignore_ascii_case(id)) {
            return fail(ApiError::bad_request(format!(
                "Batch request ids must be unique; '{}' is repeated.",
                id.chars().take(64).collect::<String>()
            )));
        }
        ids.push(id.to_owned());
    }
    for r in requests {
        for d in r
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let known = d
                .as_str()
                .is_some_and(|d| ids.iter().any(|x| x.eq_ignore_ascii_case(d)));
            if !known {
                return fail(ApiError::bad_request(
                    "dependsOn names a request that is not in the batch.",
                ));
            }
        }
    }
    let token = bearer(headers).ok().map(str::to_owned);
    let mut statuses: Vec<(String, u16)> = Vec::new();
    let mut responses = Vec::new();
    let mut principal = None;
    for (r, id) in requests.iter().zip(&ids) {
        let method = r
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_uppercase();
        let url = r.get("url").and_then(Value::as_str).unwrap_or("");
        let failed_dependency = r
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|d| {
                statuses
                    .iter()
                    .any(|(x, status)| x.eq_ignore_ascii_case(d) && !(200..300).contains(status))
            });
        let decided = shared.faults().decide(token.as_deref(), &method);
        let retry_after = shared.faults().retry_after();
        let (fault, rate_retry) = match decided {
            Some((f, r)) => (Some(f), r),
            None => (None, None),
        };
        // Inside a batch Graph writes Retry-After with decimals.
        let mut retry_header = None;
        let item = if failed_dependency {
            fail(ApiError::new(
                424,
                "FailedDependency",
                "A request this one depends on failed.",
            ))
        } else if !url.starts_with('/') || url.starts_with("//") {
            fail(ApiError::bad_request(
                "A batch request's url must be relative to the endpoint, e.g. /roleManagement/directory/roleDefinitions.",
            ))
        } else if matches!(fault, Some(Fault::Throttle | Fault::RateLimited)) {
            let secs = rate_retry.unwrap_or(retry_after);
            retry_header = Some(format!("{secs}.000"));
            fail(ApiError::throttled(secs))
        } else {
            let (item_path, item_query) = match url.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (url, None),
            };
            let mut item_headers = headers.clone();
            for (k, v) in r
                .get("headers")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if k.eq_ignore_ascii_case("authorization") {
                    continue;
                }
                if let (Ok(name), Some(Ok(value))) = (
                    axum::http::HeaderName::from_bytes(k.as_bytes()),
                    v.as_str().map(HeaderValue::from_str),
                ) {
                    item_headers.insert(name, value);
                }
            }
            let item_body = match r.get("body") {
                None | Some(Value::Null) => Vec::new(),
                Some(b) => serde_json::to_vec(b).unwrap_or_default(),
            };
            let mut out = process(
                shared,
                &method,
                &item_headers,
                &format!("/{version}{item_path}"),
                item_query,
                &item_body,
            );
            match fault {
                Some(Fault::Ambiguous) => out.result = Err(ApiError::unavailable(None)),
                Some(Fault::GatewayTimeout) => out.result = Err(ApiError::gateway_timeout()),
                _ => {}
            }
            out
        };
        principal = principal.or(item.principal.clone());
        let status = match &item.result {
            Ok(Reply::Json(s, _)) => *s,
            Ok(Reply::Count(_)) => 200,
            Ok(Reply::NoContent) => 204,
            Err(e) => e.status,
        };
        responses.push(item_response(id, &item, retry_header));
        statuses.push((id.clone(), status));
        log_item(
            shared,
            envelope_seq,
            id,
            &method,
            url,
            &item,
            status,
            fault,
            client_request_id,
        );
    }
    responses.reverse();
    Outcome {
        result: Ok(Reply::Json(200, json!({"responses": responses}))),
        principal,
        processed: true,
        created: None,
    }
}

/// One answer of a `$batch`.
fn item_response(id: &str, out: &Outcome, retry_after: Option<String>) -> Value {
    let mut headers = serde_json::Map::new();
    let (status, body) = match &out.result {
        Ok(Reply::Json(status, body)) => {
            headers.insert("Content-Type".into(), JSON.into());
            (*status, body.clone())
        }
        Ok(Reply::Count(n)) => {
            headers.insert("Content-Type".into(), "text/plain".into());
            (200, Value::String(n.to_string()))
        }
        Ok(Reply::NoContent) => (204, Value::Null),
        Err(e) => {
            headers.insert("Content-Type".into(), JSON.into());
            let rid = uuid::Uuid::new_v4().to_string();
            (e.status, error_body(e, &rid, &rid))
        }
    };
    if let Some(r) = retry_after {
        headers.insert("Retry-After".into(), Value::String(r));
    }
    let mut response = json!({"id": id, "status": status, "headers": headers});
    if !body.is_null() {
        response["body"] = body;
    }
    response
}

#[allow(clippy::too_many_arguments)]
fn log_item(
    shared: &Shared,
    envelope_seq: u64,
    id: &str,
    method: &str,
    url: &str,
    out: &Outcome,
    status: u16,
    fault: Option<Fault>,
    client_request_id: Option<&str>,
) {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (url.to_owned(), None),
    };
    let entry = LogEntry {
        seq: shared.seq.fetch_add(1, Ordering::Relaxed) + 1,
        received: SystemTime::now(),
        sim_time: shared.clock.now(),
        method: method.to_owned(),
        path,
        query,
        status,
        error_code: out.result.as_ref().err().map(|e| e.code.clone()),
        request_id: uuid::Uuid::new_v4().to_string(),
        client_request_id: client_request_id.map(str::to_owned),
        principal: out.principal.clone(),
        fault,
        processed: out.processed,
        created: out.created.clone(),
        batch: Some(envelope_seq),
        batch_item: Some(id.to_owned()),
    };
    record(shared, entry, std::time::Duration::ZERO);
}
