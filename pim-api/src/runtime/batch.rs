//! JSON batching: many requests in one `POST /$batch`.
//!
//! Any request builder becomes a batch item with `into_batch()`; [`Batch::add`] returns a
//! typed [`BatchId`] with which [`BatchResults::take`] decodes that item's answer, exactly as
//! the builder's own `.await` would. What the service's batching rules ask is done here:
//!
//! * at most 20 requests per `$batch`: a larger batch is split and sent in order;
//! * ids are unique (the item's index) and responses, which come in any order, are
//!   matched by id;
//! * `dependsOn` ([`Batch::add_after`]) within one `$batch`; across a split the dependent
//!   waits for the earlier `$batch` and fails with 424 if its dependency failed, as the
//!   service does;
//! * every item has its own status: a 200 envelope says nothing about the items;
//! * items answered 429 (or 503 with `Retry-After`), which the service did not process, are
//!   sent again in a new `$batch` after the longest `Retry-After` among them (which may be
//!   decimal, `0.249`), within the client's [`RetryPolicy`](super::RetryPolicy); nothing
//!   else is repeated;
//! * items carry URLs relative to the Graph endpoint, built like every request (so they
//!   cannot point elsewhere), and the envelope goes through the one request path (token,
//!   retries, redirects, the security model).

use std::marker::PhantomData;

use bytes::Bytes;
use reqwest::{
    Method, StatusCode,
    header::{HeaderMap, HeaderName, HeaderValue},
};
use serde_json::{Map, Value, json};

use super::{
    client::Client,
    error::{Error, ErrorKind, Result},
    retry::parse_retry_after,
    transport::{RawRequest, RawResponse},
};

/// The most requests Graph takes in one `$batch`.
pub const MAX_BATCH: usize = 20;

/// A request made into a batch item (see each builder's `into_batch`).
pub struct BatchRequest<R> {
    pub(crate) built: Result<RawRequest>,
    pub(crate) decode: fn(RawResponse) -> Result<R>,
}

impl<R> std::fmt::Debug for BatchRequest<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.built {
            Ok(raw) => f
                .debug_struct("BatchRequest")
                .field("method", &raw.method)
                .field("template", &raw.template)
                .finish(),
            Err(e) => f.debug_tuple("BatchRequest").field(e).finish(),
        }
    }
}

/// The handle of one item of a [`Batch`], to take its result with.
pub struct BatchId<R> {
    index: usize,
    decode: fn(RawResponse) -> Result<R>,
    _r: PhantomData<fn() -> R>,
}

impl<R> Clone for BatchId<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for BatchId<R> {}

impl<R> std::fmt::Debug for BatchId<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("BatchId").field(&self.index).finish()
    }
}

struct Item {
    built: Option<RawRequest>,
    failed: Option<Error>,
    depends_on: Vec<usize>,
}

/// Requests to send together; see the [module docs](self).
pub struct Batch {
    client: Client,
    items: Vec<Item>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("items", &self.items.len())
            .finish()
    }
}

impl Client {
    /// An empty batch on this client.
    pub fn batch(&self) -> Batch {
        Batch {
            client: self.clone(),
            items: Vec::new(),
        }
    }
}

impl Batch {
    /// Adds a request.
    pub fn add<R>(&mut self, request: BatchRequest<R>) -> BatchId<R> {
        self.push(request, Vec::new())
    }

    /// Adds a request that runs only after `dependency` succeeded (`dependsOn`); if the
    /// dependency fails, this item fails with 424 Failed Dependency.
    pub fn add_after<R, D>(
        &mut self,
        dependency: &BatchId<D>,
        request: BatchRequest<R>,
    ) -> BatchId<R> {
        self.push(request, vec![dependency.index])
    }

    fn push<R>(&mut self, request: BatchRequest<R>, depends_on: Vec<usize>) -> BatchId<R> {
        let index = self.items.len();
        let (built, failed) = match request.built {
            Ok(raw) => (Some(raw), None),
            Err(e) => (None, Some(e)),
        };
        self.items.push(Item {
            built,
            failed,
            depends_on,
        });
        BatchId {
            index,
            decode: request.decode,
            _r: PhantomData,
        }
    }

    /// How many requests it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sends every item (in `$batch`es of at most 20) and collects each one's answer.
    /// An envelope that fails fails the items it carried; the others keep their answers.
    pub async fn send(self) -> BatchResults {
        let Batch { client, mut items } = self;
        let n = items.len();
        let mut results: Vec<Option<Result<RawResponse>>> = (0..n).map(|_| None).collect();
        for (i, item) in items.iter_mut().enumerate() {
            if let Some(e) = item.failed.take() {
                results[i] = Some(Err(e));
            }
        }
        let policy = client.retry_policy().clone();
        let clock = client.inner.clock.clone();
        let start = clock.instant();
        let mut pending: Vec<usize> = (0..n).filter(|i| results[*i].is_none()).collect();
        let mut round: u32 = 0;
        while !pending.is_empty() {
            round += 1;
            let mut throttled: Vec<(usize, Error)> = Vec::new();
            for chunk in pending.chunks(MAX_BATCH) {
                send_chunk(&client, &items, chunk, round, &mut results, &mut throttled).await;
            }
            if throttled.is_empty() {
                break;
            }
            let wait = throttled
                .iter()
                .filter_map(|(_, e)| e.retry_after())
                .max()
                .unwrap_or_else(|| policy.backoff(round - 1));
            let elapsed = clock.instant().saturating_duration_since(start);
            if round > policy.retries() || elapsed.saturating_add(wait) > policy.elapsed_budget() {
                for (i, e) in throttled {
                    results[i] = Some(Err(e));
                }
                break;
            }
            tracing::debug!(
                items = throttled.len(),
                wait_ms = wait.as_millis() as u64,
                "retrying throttled batch items"
            );
            clock.sleep(wait).await;
            pending = throttled.into_iter().map(|(i, _)| i).collect();
        }
        BatchResults { results }
    }
}

/// The item's URL relative to the Graph endpoint (`/roleManagement/…?$filter=…`).
fn relative_url(client: &Client, raw: &RawRequest) -> String {
    let path = raw.url.path();
    let path = path
        .strip_prefix(client.inner.base_path.as_str())
        .unwrap_or(path);
    let mut url = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    if let Some(q) = raw.url.query() {
        url.push('?');
        url.push_str(q);
    }
    url
}

fn failed_dependency() -> Error {
    let body = br#"{"error":{"code":"FailedDependency","message":"A request this one depends on failed."}}"#;
    Error::api(
        StatusCode::FAILED_DEPENDENCY,
        HeaderMap::new(),
        Bytes::from_static(body),
        false,
        None,
    )
}

/// Sends one `$batch` with the items of `chunk` not yet answered.
async fn send_chunk(
    client: &Client,
    items: &[Item],
    chunk: &[usize],
    round: u32,
    results: &mut [Option<Result<RawResponse>>],
    throttled: &mut Vec<(usize, Error)>,
) {
    let mut requests = Vec::new();
    let mut sent = Vec::new();
    for &i in chunk {
        let Some(raw) = &items[i].built else { continue };
        let mut depends_on = Vec::new();
        let mut dependency_failed = false;
        for &d in &items[i].depends_on {
            if chunk.contains(&d) {
                depends_on.push(Value::String(d.to_string()));
            } else if !matches!(&results[d], Some(Ok(r)) if r.status.is_success()) {
                dependency_failed = true;
            }
        }
        if dependency_failed {
            results[i] = Some(Err(failed_dependency()));
            continue;
        }
        let mut headers = Map::new();
        for (name, value) in &raw.headers {
            if let Ok(v) = value.to_str() {
                headers.insert(name.as_str().to_owned(), Value::String(v.to_owned()));
            }
        }
        let mut request = json!({
            "id": i.to_string(),
            "method": raw.method.as_str(),
            "url": relative_url(client, raw),
        });
        if let Some(body) = raw.body.as_ref().filter(|b| !b.is_empty()) {
            headers.insert(
                "Content-Type".into(),
                Value::String("application/json".into()),
            );
            request["body"] = serde_json::from_slice(body).unwrap_or(Value::Null);
        }
        if !headers.is_empty() {
            request["headers"] = Value::Object(headers);
        }
        if !depends_on.is_empty() {
            request["dependsOn"] = Value::Array(depends_on);
        }
        requests.push(request);
        sent.push(i);
    }
    if sent.is_empty() {
        return;
    }
    let envelope = serde_json::to_vec(&json!({"requests": requests})).unwrap_or_default();
    let mut url = client.inner.url_seed.clone();
    url.set_path(&format!("{}/$batch", client.inner.base_path));
    url.set_query(None);
    let raw = RawRequest {
        method: Method::POST,
        url,
        body: Some(Bytes::from(envelope)),
        headers: HeaderMap::new(),
        template: "/$batch".into(),
        operation: "batch",
    };
    let response = client.clone().execute(raw).await;
    let answered = response.and_then(|resp| {
        let parsed: Value = serde_json::from_slice(&resp.body)
            .map_err(|e| Error::decode(e, resp.status, resp.headers.clone(), resp.body.clone()))?;
        Ok((resp, parsed))
    });
    let (envelope, parsed) = match answered {
        Ok(ok) => ok,
        Err(e) => {
            for i in sent {
                results[i] = Some(Err(
                    e.derived(format!("the $batch carrying this request failed: {e}"))
                ));
            }
            return;
        }
    };
    let now = client.inner.clock.now();
    let mut answered_ids = Vec::new();
    for response in parsed["responses"].as_array().into_iter().flatten() {
        let Some(i) = response["id"]
            .as_str()
            .and_then(|id| id.parse::<usize>().ok())
        else {
            continue;
        };
        if !sent.contains(&i) || answered_ids.contains(&i) {
            continue;
        }
        answered_ids.push(i);
        let status = response["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::BAD_GATEWAY);
        let mut headers = HeaderMap::new();
        for (k, v) in response["headers"].as_object().into_iter().flatten() {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(k.as_bytes()),
                v.as_str().map(HeaderValue::from_str),
            ) {
                headers.insert(name, value);
            }
        }
        let body = match &response["body"] {
            Value::Null => Bytes::new(),
            b => Bytes::from(serde_json::to_vec(b).unwrap_or_default()),
        };
        if status.is_success() {
            results[i] = Some(Ok(RawResponse {
                status,
                headers,
                body,
                attempts: round,
                secret: envelope.secret.clone(),
            }));
            continue;
        }
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now));
        let mut err = Error::api(status, headers, body, false, retry_after);
        if let Some(token) = &envelope.secret {
            err.redact(token.expose());
        }
        err.set_attempts(round);
        let refused = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some());
        if refused {
            throttled.push((i, err));
        } else {
            results[i] = Some(Err(err));
        }
    }
    for i in sent {
        if !answered_ids.contains(&i) {
            results[i] = Some(Err(Error::new(
                ErrorKind::Decode,
                "the $batch response has no answer for this request",
            )));
        }
    }
}

/// The answers of a sent [`Batch`], taken item by item.
#[derive(Debug)]
pub struct BatchResults {
    results: Vec<Option<Result<RawResponse>>>,
}

impl BatchResults {
    /// The decoded answer of the item `id` names (once; a second take is an error).
    pub fn take<R>(&mut self, id: &BatchId<R>) -> Result<R> {
        let slot = self.results.get_mut(id.index).and_then(Option::take);
        match slot {
            Some(Ok(resp)) => (id.decode)(resp),
            Some(Err(e)) => Err(e),
            None => Err(Error::new(
                ErrorKind::Config,
                "this batch item's result was taken already, or belongs to another batch",
            )),
        }
    }

    /// How many items the batch had.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether it had none.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dependency_failure_is_a_424() {
        let e = failed_dependency();
        assert_eq!(e.status(), Some(StatusCode::FAILED_DEPENDENCY));
        assert_eq!(e.code(), Some("FailedDependency"));
    }

    #[test]
    fn ids_are_copy() {
        let id: BatchId<u8> = BatchId {
            index: 3,
            decode: |_| Ok(0),
            _r: PhantomData,
        };
        let other = id;
        assert_eq!(format!("{id:?} {other:?}"), "BatchId(3) BatchId(3)");
    }
}
