//! Request builders returned by the generated bindings.
//!
//! Generated code only builds an [`ODataPath`] and picks one of these:
//!
//! | builder | HTTP | result |
//! |---|---|---|
//! | [`ListRequest<T>`] | GET collection | [`Page<T>`], or a stream of `T` / pages |
//! | [`GetRequest<T>`] | GET entity | `T` |
//! | [`CreateRequest<T>`] | POST JSON | the created `T` |
//! | [`UpdateRequest`] | PATCH JSON | `()` (204; a 200 body is tolerated and ignored) |
//! | [`DeleteRequest`] | DELETE | `()` |
//! | [`ActionRequest<R>`] | POST, optional JSON | nothing, an entity, or a `value` (primitive or `Collection(...)`) |
//! | [`FunctionRequest<R>`] | GET | an entity or a `value` |
//! | [`CountRequest`] | GET `…/$count` | the number of items, `u64` |
//!
//! All builders are `'static + Send`, can be awaited directly ([`IntoFuture`]) or via
//! `.send()`, and accept extra headers and query parameters. They are thin generic
//! shells: the HTTP work lives in a non-generic core, and the generic part is only the
//! final `serde_json` decode, which keeps monomorphisation cost per entity type small.
//!
//! Empty success bodies (204) decode as JSON `null`, so a result type of `Option<T>`
//! accepts "no content" while a plain struct reports a clear decode error.

use std::{
    fmt,
    future::{Future, IntoFuture},
    marker::PhantomData,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use reqwest::{
    Method,
    header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use url::Url;

use super::{
    BoxFuture,
    batch::BatchRequest,
    client::Client,
    error::{Error, ErrorKind, Result},
    literal::Literal,
    paging::{ItemStream, Page, Pager},
    path::ODataPath,
    query::QueryOptions,
    transport::{RawRequest, RawResponse},
};

/// The non-generic state every builder carries.
#[derive(Clone)]
pub(crate) struct Parts {
    client: Client,
    path: ODataPath,
    query: QueryOptions,
    headers: HeaderMap,
    operation: &'static str,
    /// A builder misuse (bad header, unserialisable body) recorded when it happened and
    /// reported when the request is sent, so the builder methods stay infallible.
    deferred: Option<(ErrorKind, String)>,
}

impl fmt::Debug for Parts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("path", &self.path.as_str())
            .field("template", &self.path.template())
            .field("query", &self.query.to_query_string())
            .field("headers", &self.headers)
            .finish()
    }
}

impl Parts {
    fn new(client: &Client, path: ODataPath) -> Self {
        Parts {
            client: client.clone(),
            path,
            query: QueryOptions::default(),
            headers: HeaderMap::new(),
            operation: "",
            deferred: None,
        }
    }

    fn defer(&mut self, kind: ErrorKind, message: String) {
        self.deferred.get_or_insert((kind, message));
    }

    fn add_header(&mut self, name: &str, value: &str) {
        let name = match HeaderName::from_bytes(name.as_bytes()) {
            Ok(n) => n,
            Err(_) => {
                return self.defer(
                    ErrorKind::Config,
                    format!("invalid header name {:?}", super::error::sanitize(name, 64)),
                );
            }
        };
        if name == AUTHORIZATION {
            // Only the token provider sets Authorization: a caller-supplied one would
            // bypass the origin checks that keep tokens on the Graph host.
            return self.defer(
                ErrorKind::Config,
                "Authorization cannot be set as an extra header; configure a TokenProvider"
                    .to_owned(),
            );
        }
        match HeaderValue::from_str(value) {
            Ok(v) => {
                self.headers.append(name, v);
            }
            Err(_) => self.defer(
                ErrorKind::Config,
                format!("invalid value for header {name}"),
            ),
        }
    }

    fn set_body<B: Serialize + ?Sized>(&mut self, body: &B) -> Option<Bytes> {
        match serde_json::to_vec(body) {
            Ok(v) => Some(Bytes::from(v)),
            Err(e) => {
                self.defer(
                    ErrorKind::Encode,
                    format!("could not serialize the request body: {e}"),
                );
                None
            }
        }
    }

    /// The URL the request will go to.
    fn url(&self) -> Result<Url> {
        if let Some(reason) = self.path.invalid() {
            return Err(Error::new(ErrorKind::InvalidUrl, reason.to_owned()));
        }
        let inner = &self.client.inner;
        // Start from the already parsed base and set only path and query: a full
        // `Url::parse` would redo scheme and host processing (IDNA) on every request.
        let mut url = inner.url_seed.clone();
        let mut path = String::with_capacity(inner.base_path.len() + self.path.as_str().len());
        path.push_str(&inner.base_path);
        path.push_str(self.path.as_str());
        url.set_path(&path);
        if !self.query.is_empty() {
            let mut q = String::with_capacity(64);
            self.query.write_to(&mut q);
            url.set_query(Some(&q));
        }
        // Defence in depth: the path encoder guarantees this, but the token must never
        // leave the Graph origin even if that guarantee were broken.
        if !self.client.is_graph_origin(&url) {
            return Err(Error::new(
                ErrorKind::InvalidUrl,
                "request URL left the Graph origin",
            ));
        }
        Ok(url)
    }

    fn build(self, method: Method, body: Option<Bytes>) -> Result<(Client, RawRequest)> {
        if let Some((kind, message)) = self.deferred {
            return Err(Error::new(kind, message));
        }
        let url = self.url()?;
        let raw = RawRequest {
            method,
            url,
            body,
            headers: self.headers,
            template: self.path.into_template(),
            operation: self.operation,
        };
        Ok((self.client, raw))
    }

    /// The request as a batch item, decoded by `decode`.
    fn into_batch<R>(
        self,
        method: Method,
        body: Option<Bytes>,
        decode: fn(RawResponse) -> Result<R>,
    ) -> BatchRequest<R> {
        BatchRequest {
            built: self.build(method, body).map(|(_, raw)| raw),
            decode,
        }
    }

    /// Builds and runs the request, handing the response to `decode`. Only `decode` is
    /// generic; callers pass a plain function.
    fn send<R>(
        self,
        method: Method,
        body: Option<Bytes>,
        decode: fn(RawResponse) -> Result<R>,
    ) -> ResponseFuture<R> {
        match self.build(method, body) {
            Ok((client, raw)) => ResponseFuture::new(client, raw, decode),
            Err(e) => ResponseFuture {
                state: State::Failed(Some(e)),
                decode,
            },
        }
    }
}

/// The future of a sent request: what `.send()` returns and `.await` runs.
///
/// It drives the shared, non-generic transport future and decodes the response into `R`
/// when it completes. A named type rather than a boxed `async` block around the transport
/// future, so a request costs one allocation and one poll layer less; it is `Send`,
/// `Unpin` and `'static` like the builders.
#[must_use = "futures do nothing unless awaited"]
pub struct ResponseFuture<R> {
    state: State,
    decode: fn(RawResponse) -> Result<R>,
}

enum State {
    Running(BoxFuture<'static, Result<RawResponse>>),
    /// The builder was misused (recorded by a builder method); reported on first poll.
    Failed(Option<Error>),
}

impl<R> ResponseFuture<R> {
    /// Starts `raw` on `client`'s transport; `decode` turns the response into `R`.
    pub(crate) fn new(
        client: Client,
        raw: RawRequest,
        decode: fn(RawResponse) -> Result<R>,
    ) -> Self {
        ResponseFuture {
            state: State::Running(client.execute(raw)),
            decode,
        }
    }
}

impl<R> Future for ResponseFuture<R> {
    type Output = Result<R>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<R>> {
        let decode = self.decode;
        match &mut self.state {
            State::Running(fut) => {
                let out = std::task::ready!(fut.as_mut().poll(cx));
                // Frees the transport future now, and makes a further poll an error
                // rather than a resumed-after-completion panic.
                self.state = State::Failed(None);
                Poll::Ready(out.and_then(decode))
            }
            State::Failed(err) => Poll::Ready(Err(err.take().unwrap_or_else(|| {
                Error::new(ErrorKind::Config, "request future polled after completion")
            }))),
        }
    }
}

impl<R> fmt::Debug for ResponseFuture<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Running(_) => "running",
            State::Failed(Some(_)) => "failed",
            State::Failed(None) => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}

/// Whether a body is empty or whitespace only (treated as JSON `null`).
fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A decode error for `resp`: with the attempts it took, scrubbed of the token (serde's
/// message quotes the body, which a hostile server can make echo it).
fn decode_failed(err: serde_json::Error, resp: RawResponse) -> Error {
    let (attempts, secret) = (resp.attempts, resp.secret);
    let mut e = Error::decode(err, resp.status, resp.headers, resp.body);
    e.set_attempts(attempts);
    if let Some(token) = &secret {
        e.redact(token.expose());
    }
    e
}

/// Decodes the whole body as `T` (blank → `null`).
pub(crate) fn decode_entity<T: DeserializeOwned>(resp: RawResponse) -> Result<T> {
    let bytes: &[u8] = if is_blank(&resp.body) {
        b"null"
    } else {
        &resp.body
    };
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(e) => Err(decode_failed(e, resp)),
    }
}

/// `{"value": ...}`: how Graph returns primitive and collection results of operations.
#[derive(Deserialize)]
struct ValueEnvelope<R> {
    value: R,
}

/// Decodes the body's `value` member as `R` (blank body → `null`).
fn decode_value<R: DeserializeOwned>(resp: RawResponse) -> Result<R> {
    if is_blank(&resp.body) {
        return decode_entity(resp);
    }
    match serde_json::from_slice::<ValueEnvelope<R>>(&resp.body) {
        Ok(v) => Ok(v.value),
        Err(e) => Err(decode_failed(e, resp)),
    }
}

/// Ignores the body (204, or a 200 representation nobody asked for) and yields what
/// `null` decodes to: `()` for no-content operations.
fn decode_nothing<R: DeserializeOwned>(resp: RawResponse) -> Result<R> {
    match serde_json::from_slice(b"null") {
        Ok(v) => Ok(v),
        Err(e) => Err(decode_failed(e, resp)),
    }
}

fn ignore_body(_: RawResponse) -> Result<()> {
    Ok(())
}

/// How an operation's response is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Nothing,
    Entity,
    Value,
}

impl Shape {
    fn decoder<R: DeserializeOwned>(self) -> fn(RawResponse) -> Result<R> {
        match self {
            Shape::Nothing => decode_nothing::<R>,
            Shape::Entity => decode_entity::<R>,
            Shape::Value => decode_value::<R>,
        }
    }
}

// ---- shared builder methods -------------------------------------------------------------

macro_rules! common_methods {
    () => {
        /// Adds a request header, e.g. `ConsistencyLevel: eventual`, `Prefer` or
        /// `If-Match`. An invalid name or value, or `Authorization` (reserved for the
        /// token provider), fails the request with [`ErrorKind::Config`] when sent.
        pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
            self.parts.add_header(name.as_ref(), value.as_ref());
            self
        }

        /// Adds a custom query parameter (percent-encoded like all query values).
        pub fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.parts.query.push_param(name.into(), value.into());
            self
        }

        /// Names the operation (e.g. the CSDL name) for tracing spans.
        pub fn operation(mut self, name: &'static str) -> Self {
            self.parts.operation = name;
            self
        }

        /// The resource path.
        pub fn path(&self) -> &ODataPath {
            &self.parts.path
        }

        /// The absolute URL the request will be sent to (useful for logging and tests).
        pub fn url(&self) -> Result<Url> {
            self.parts.url()
        }
    };
}

macro_rules! select_expand_methods {
    () => {
        /// Appends properties to `$select`.
        pub fn select<I, S>(mut self, fields: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.parts
                .query
                .extend_select(fields.into_iter().map(Into::into).collect());
            self
        }

        /// Appends navigation properties to `$expand`.
        pub fn expand<I, S>(mut self, items: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.parts
                .query
                .extend_expand(items.into_iter().map(Into::into).collect());
            self
        }
    };
}

macro_rules! collection_methods {
    () => {
        select_expand_methods!();

        /// Sets `$filter`. Build literals with [`Literal`](crate::runtime::Literal) so
        /// user data is escaped.
        pub fn filter(mut self, expr: impl Into<String>) -> Self {
            self.parts.query.set_filter(expr.into());
            self
        }

        /// Appends `$orderby` items, e.g. `"createdDateTime desc"`.
        pub fn orderby<I, S>(mut self, items: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.parts
                .query
                .extend_orderby(items.into_iter().map(Into::into).collect());
            self
        }

        /// Sets `$top` (the page size).
        pub fn top(mut self, n: u32) -> Self {
            self.parts.query.set_top(n);
            self
        }

        /// Sets `$skip`.
        pub fn skip(mut self, n: u32) -> Self {
            self.parts.query.set_skip(n);
            self
        }

        /// Sets `$count`; with `true` the first page carries `@odata.count`.
        pub fn count(mut self, enabled: bool) -> Self {
            self.parts.query.set_count(enabled);
            self
        }

        /// Sets `$search` (quoted and escaped for you).
        pub fn search(mut self, term: impl Into<String>) -> Self {
            self.parts.query.set_search(term.into());
            self
        }

        /// Merges prepared [`QueryOptions`] (scalar options replace, lists append).
        pub fn query(mut self, options: QueryOptions) -> Self {
            self.parts.query.merge(options);
            self
        }

        /// Adds `ConsistencyLevel: eventual`, required by Graph for `$count`, `$search`
        /// and advanced `$filter` on directory objects.
        pub fn consistency_level_eventual(self) -> Self {
            self.header("ConsistencyLevel", "eventual")
        }
    };
}

macro_rules! impl_debug {
    ($name:ident $(<$t:ident>)?) => {
        impl$(<$t>)? fmt::Debug for $name$(<$t>)? {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.parts).finish()
            }
        }
    };
}

// ---- ListRequest ------------------------------------------------------------------------

/// GET on a collection. Await it (or call [`send`](Self::send)) for the first [`Page`];
/// use [`into_stream`](Self::into_stream) to iterate every item across pages, or
/// [`into_pages`](Self::into_pages) to iterate pages. Paging follows `@odata.nextLink`
/// lazily, one page in memory at a time.
pub struct ListRequest<T> {
    parts: Parts,
    max_pages: Option<u64>,
    _t: PhantomData<fn() -> T>,
}

impl_debug!(ListRequest<T>);

impl<T> Clone for ListRequest<T> {
    fn clone(&self) -> Self {
        ListRequest {
            parts: self.parts.clone(),
            max_pages: self.max_pages,
            _t: PhantomData,
        }
    }
}

impl<T> ListRequest<T> {
    /// A GET of the collection at `path`.
    pub fn new(client: &Client, path: ODataPath) -> Self {
        ListRequest {
            parts: Parts::new(client, path),
            max_pages: None,
            _t: PhantomData,
        }
    }

    /// Stops paging after `n` pages with an [`ErrorKind::Paging`] error (see
    /// [`Pager::max_pages`]).
    pub fn max_pages(mut self, n: u64) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// The filter the service requires on this collection (`groupId eq '…'`), set by the
    /// generated `list_by_…` methods; always sent, `and`-ed with [`filter`](Self::filter).
    pub(crate) fn required_filter(mut self, terms: &[(&str, Literal)]) -> Self {
        self.parts.query.set_required_filter(terms);
        self
    }

    common_methods!();
    collection_methods!();
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    /// Fetches the first page.
    pub fn send(self) -> ResponseFuture<Page<T>> {
        self.parts.send(Method::GET, None, decode_entity::<Page<T>>)
    }

    /// The request (its first page) as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<Page<T>> {
        self.parts
            .into_batch(Method::GET, None, decode_entity::<Page<T>>)
    }

    /// A stream of pages, following `@odata.nextLink` on demand.
    pub fn into_pages(self) -> Pager<T> {
        let pager = match self.parts.build(Method::GET, None) {
            Ok((client, raw)) => Pager::start(client, raw),
            Err(e) => Pager::failed(e),
        };
        match self.max_pages {
            Some(n) => pager.max_pages(n),
            None => pager,
        }
    }

    /// A stream of items across all pages, fetching the next page only when the
    /// current one is exhausted.
    pub fn into_stream(self) -> ItemStream<T> {
        self.into_pages().into_items()
    }

    /// Fetches every page and collects all items. Prefer
    /// [`into_stream`](Self::into_stream) for large collections. On an error the items
    /// collected so far are dropped; [`collect_partial`](Self::collect_partial) keeps
    /// them.
    pub fn collect_all(self) -> BoxFuture<'static, Result<Vec<T>>> {
        use futures::TryStreamExt;
        Box::pin(self.into_stream().try_collect())
    }

    /// Fetches pages until the last one or the first error, and returns every item
    /// fetched with the error, if any (a page that failed, a paging loop, `max_pages`).
    pub fn collect_partial(self) -> BoxFuture<'static, (Vec<T>, Option<Error>)> {
        use futures::StreamExt;
        Box::pin(async move {
            let mut stream = self.into_stream();
            let mut items = Vec::new();
            while let Some(item) = stream.next().await {
                match item {
                    Ok(v) => items.push(v),
                    Err(e) => return (items, Some(e)),
                }
            }
            (items, None)
        })
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for ListRequest<T> {
    type Output = Result<Page<T>>;
    type IntoFuture = ResponseFuture<Page<T>>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- GetRequest -------------------------------------------------------------------------

/// GET of a single entity (or singleton, or property) decoded as `T`.
pub struct GetRequest<T> {
    parts: Parts,
    _t: PhantomData<fn() -> T>,
}

impl_debug!(GetRequest<T>);

impl<T> Clone for GetRequest<T> {
    fn clone(&self) -> Self {
        GetRequest {
            parts: self.parts.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> GetRequest<T> {
    /// A GET of the entity at `path`.
    pub fn new(client: &Client, path: ODataPath) -> Self {
        GetRequest {
            parts: Parts::new(client, path),
            _t: PhantomData,
        }
    }

    common_methods!();
    select_expand_methods!();
}

impl<T: DeserializeOwned + Send + 'static> GetRequest<T> {
    /// Sends the request.
    pub fn send(self) -> ResponseFuture<T> {
        self.parts.send(Method::GET, None, decode_entity::<T>)
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<T> {
        self.parts.into_batch(Method::GET, None, decode_entity::<T>)
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for GetRequest<T> {
    type Output = Result<T>;
    type IntoFuture = ResponseFuture<T>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- CreateRequest ----------------------------------------------------------------------

/// POST of a JSON body to a collection, returning the created entity as `T`.
pub struct CreateRequest<T> {
    parts: Parts,
    body: Option<Bytes>,
    _t: PhantomData<fn() -> T>,
}

impl_debug!(CreateRequest<T>);

impl<T> Clone for CreateRequest<T> {
    fn clone(&self) -> Self {
        CreateRequest {
            parts: self.parts.clone(),
            body: self.body.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> CreateRequest<T> {
    /// A POST of `body` (serialized to JSON now) to `path`.
    pub fn new<B: Serialize + ?Sized>(client: &Client, path: ODataPath, body: &B) -> Self {
        let mut parts = Parts::new(client, path);
        let body = parts.set_body(body);
        CreateRequest {
            parts,
            body,
            _t: PhantomData,
        }
    }

    common_methods!();
}

impl<T: DeserializeOwned + Send + 'static> CreateRequest<T> {
    /// Sends the request. Not retried after it may have reached the server (POST is not
    /// idempotent), except on 429/503.
    pub fn send(self) -> ResponseFuture<T> {
        self.parts.send(Method::POST, self.body, decode_entity::<T>)
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<T> {
        self.parts
            .into_batch(Method::POST, self.body, decode_entity::<T>)
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for CreateRequest<T> {
    type Output = Result<T>;
    type IntoFuture = ResponseFuture<T>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- UpdateRequest ----------------------------------------------------------------------

/// PATCH with a JSON body. Succeeds with `()` on 204, and also on 200 (the returned
/// representation is ignored).
#[derive(Clone)]
pub struct UpdateRequest {
    parts: Parts,
    body: Option<Bytes>,
}

impl_debug!(UpdateRequest);

impl UpdateRequest {
    /// A PATCH of `body` (serialized to JSON now) to `path`.
    pub fn new<B: Serialize + ?Sized>(client: &Client, path: ODataPath, body: &B) -> Self {
        let mut parts = Parts::new(client, path);
        let body = parts.set_body(body);
        UpdateRequest { parts, body }
    }

    common_methods!();

    /// Sends the request.
    pub fn send(self) -> ResponseFuture<()> {
        self.parts.send(Method::PATCH, self.body, ignore_body)
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<()> {
        self.parts.into_batch(Method::PATCH, self.body, ignore_body)
    }
}

impl IntoFuture for UpdateRequest {
    type Output = Result<()>;
    type IntoFuture = ResponseFuture<()>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- DeleteRequest ----------------------------------------------------------------------

/// DELETE of the entity at a path.
#[derive(Clone)]
pub struct DeleteRequest {
    parts: Parts,
}

impl_debug!(DeleteRequest);

impl DeleteRequest {
    /// A DELETE of `path`.
    pub fn new(client: &Client, path: ODataPath) -> Self {
        DeleteRequest {
            parts: Parts::new(client, path),
        }
    }

    common_methods!();

    /// Sends the request.
    pub fn send(self) -> ResponseFuture<()> {
        self.parts.send(Method::DELETE, None, ignore_body)
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<()> {
        self.parts.into_batch(Method::DELETE, None, ignore_body)
    }
}

impl IntoFuture for DeleteRequest {
    type Output = Result<()>;
    type IntoFuture = ResponseFuture<()>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- ActionRequest ----------------------------------------------------------------------

/// POST invoking an OData action, with an optional JSON body of parameters.
///
/// Pick the constructor by the action's return type in the CSDL:
/// * none → [`ActionRequest::new`] (`R = ()`);
/// * an entity or complex type → [`ActionRequest::entity`];
/// * a primitive or `Collection(...)`, which Graph wraps as `{"value": ...}` →
///   [`ActionRequest::value`] (with `R = Vec<X>` for collections).
pub struct ActionRequest<R> {
    parts: Parts,
    body: Option<Bytes>,
    shape: Shape,
    _r: PhantomData<fn() -> R>,
}

impl_debug!(ActionRequest<R>);

impl<R> Clone for ActionRequest<R> {
    fn clone(&self) -> Self {
        ActionRequest {
            parts: self.parts.clone(),
            body: self.body.clone(),
            shape: self.shape,
            _r: PhantomData,
        }
    }
}

impl ActionRequest<()> {
    /// An action without a return value.
    pub fn new(client: &Client, path: ODataPath) -> Self {
        ActionRequest::with_shape(client, path, Shape::Nothing)
    }
}

impl<R> ActionRequest<R> {
    fn with_shape(client: &Client, path: ODataPath, shape: Shape) -> Self {
        ActionRequest {
            parts: Parts::new(client, path),
            body: None,
            shape,
            _r: PhantomData,
        }
    }

    /// An action returning an entity or complex type, decoded from the whole body.
    pub fn entity(client: &Client, path: ODataPath) -> Self {
        Self::with_shape(client, path, Shape::Entity)
    }

    /// An action returning a primitive or a collection, decoded from the body's
    /// `value` member.
    pub fn value(client: &Client, path: ODataPath) -> Self {
        Self::with_shape(client, path, Shape::Value)
    }

    /// Sets the JSON body (the action's parameters), serialized now.
    pub fn body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = self.parts.set_body(body);
        self
    }

    common_methods!();
}

impl<R: DeserializeOwned + Send + 'static> ActionRequest<R> {
    /// Sends the request. Actions are POSTs: not retried after they may have reached
    /// the server, except on 429/503.
    pub fn send(self) -> ResponseFuture<R> {
        // A parameterless action is sent with an empty body, so the request carries
        // `Content-Length: 0` (gateways answer 411 to a bodiless POST without it).
        let body = self.body.unwrap_or_default();
        self.parts
            .send(Method::POST, Some(body), self.shape.decoder::<R>())
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<R> {
        let body = self.body.unwrap_or_default();
        self.parts
            .into_batch(Method::POST, Some(body), self.shape.decoder::<R>())
    }
}

impl<R: DeserializeOwned + Send + 'static> IntoFuture for ActionRequest<R> {
    type Output = Result<R>;
    type IntoFuture = ResponseFuture<R>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- FunctionRequest --------------------------------------------------------------------

/// GET invoking an OData function (parameters are inline in the path, see
/// [`ODataPath::function`]). For functions returning an entity collection that Graph
/// pages (e.g. `filterByCurrentUser`), use [`ListRequest`] instead to get paging.
pub struct FunctionRequest<R> {
    parts: Parts,
    shape: Shape,
    _r: PhantomData<fn() -> R>,
}

impl_debug!(FunctionRequest<R>);

impl<R> Clone for FunctionRequest<R> {
    fn clone(&self) -> Self {
        FunctionRequest {
            parts: self.parts.clone(),
            shape: self.shape,
            _r: PhantomData,
        }
    }
}

impl<R> FunctionRequest<R> {
    /// A function returning an entity or complex type, decoded from the whole body.
    pub fn entity(client: &Client, path: ODataPath) -> Self {
        FunctionRequest {
            parts: Parts::new(client, path),
            shape: Shape::Entity,
            _r: PhantomData,
        }
    }

    /// A function returning a primitive or a collection, decoded from `value`.
    pub fn value(client: &Client, path: ODataPath) -> Self {
        FunctionRequest {
            parts: Parts::new(client, path),
            shape: Shape::Value,
            _r: PhantomData,
        }
    }

    common_methods!();
    collection_methods!();
}

impl<R: DeserializeOwned + Send + 'static> FunctionRequest<R> {
    /// Sends the request.
    pub fn send(self) -> ResponseFuture<R> {
        self.parts
            .send(Method::GET, None, self.shape.decoder::<R>())
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<R> {
        self.parts
            .into_batch(Method::GET, None, self.shape.decoder::<R>())
    }
}

impl<R: DeserializeOwned + Send + 'static> IntoFuture for FunctionRequest<R> {
    type Output = Result<R>;
    type IntoFuture = ResponseFuture<R>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

// ---- CountRequest -----------------------------------------------------------------------

/// GET of `…/$count`: the number of items of a collection after `$filter` and `$search`
/// (OData's `$top`, `$skip` and `$orderby` do not apply, so they are not offered). Graph
/// answers `text/plain`; the count is read leniently (a byte order mark, whitespace, or a
/// JSON number or string, as a `$batch` item carries it), and anything else is a
/// [`ErrorKind::Decode`] error.
pub struct CountRequest {
    parts: Parts,
}

impl_debug!(CountRequest);

impl Clone for CountRequest {
    fn clone(&self) -> Self {
        CountRequest {
            parts: self.parts.clone(),
        }
    }
}

impl CountRequest {
    /// A GET of `{path}/$count`.
    pub fn new(client: &Client, path: ODataPath) -> Self {
        let mut parts = Parts::new(client, path.count());
        parts.add_header("Accept", "text/plain");
        CountRequest { parts }
    }

    common_methods!();

    /// Sets `$filter`. Build literals with [`Literal`](crate::runtime::Literal) so user
    /// data is escaped.
    pub fn filter(mut self, expr: impl Into<String>) -> Self {
        self.parts.query.set_filter(expr.into());
        self
    }

    /// Sets `$search` (quoted and escaped for you).
    pub fn search(mut self, term: impl Into<String>) -> Self {
        self.parts.query.set_search(term.into());
        self
    }

    /// Adds `ConsistencyLevel: eventual`, which Graph requires for `$count` on directory
    /// objects.
    pub fn consistency_level_eventual(self) -> Self {
        self.header("ConsistencyLevel", "eventual")
    }

    /// The filter the service requires on this collection, set by the generated
    /// `count_by_…` methods; always sent, `and`-ed with [`filter`](Self::filter).
    pub(crate) fn required_filter(mut self, terms: &[(&str, Literal)]) -> Self {
        self.parts.query.set_required_filter(terms);
        self
    }

    /// Sends the request.
    pub fn send(self) -> ResponseFuture<u64> {
        self.parts.send(Method::GET, None, decode_count)
    }

    /// The request as an item of a [`Batch`](super::Batch).
    pub fn into_batch(self) -> BatchRequest<u64> {
        self.parts.into_batch(Method::GET, None, decode_count)
    }
}

impl IntoFuture for CountRequest {
    type Output = Result<u64>;
    type IntoFuture = ResponseFuture<u64>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

/// The body of a `$count` response: digits, perhaps after a UTF-8 byte order mark and
/// around whitespace, or a JSON number or string of digits (a `$batch` item's body).
fn decode_count(resp: RawResponse) -> Result<u64> {
    let text = std::str::from_utf8(&resp.body).unwrap_or("");
    let text = text.trim_start_matches('\u{feff}').trim();
    let digits = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    match digits.parse::<u64>() {
        Ok(n) if !digits.starts_with('+') => Ok(n),
        _ => {
            let shown = super::error::sanitize(text, 64);
            let (attempts, secret) = (resp.attempts, resp.secret);
            let mut e = Error::new(
                ErrorKind::Decode,
                format!("a $count response must be a non-negative integer, not {shown:?}"),
            );
            e.set_attempts(attempts);
            if let Some(token) = &secret {
                e.redact(token.expose());
            }
            Err(e)
        }
    }
}
