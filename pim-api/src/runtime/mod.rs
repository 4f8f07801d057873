//! The hand-written HTTP runtime: client, auth, retries, errors, paging, URL building.
//!
//! Everything the generated bindings need is re-exported from this module, and generated
//! code names it through absolute paths (`::pim_api::runtime::ListRequest`, ...). The
//! surface is deliberately small so that regenerating the bindings never needs runtime
//! changes:
//!
//! * [`Client`] / [`ClientBuilder`]: configuration, connection pool, token provider,
//!   retry policy. Cheap to clone.
//! * [`ODataPath`] and [`Literal`]: injection-safe URL building (key segments, function
//!   calls with inline parameters, OData literals).
//! * [`QueryOptions`]: `$filter`, `$select`, `$expand`, ... assembled with strict
//!   percent-encoding.
//! * Request builders returned by generated methods: [`ListRequest`], [`GetRequest`],
//!   [`CreateRequest`], [`UpdateRequest`], [`DeleteRequest`], [`ActionRequest`],
//!   [`FunctionRequest`]. Each is a thin generic shell over one non-generic HTTP core, so
//!   the per-type code the compiler stamps out is only the JSON decoding.
//! * [`Page`], [`Pager`], [`ItemStream`]: lazy `@odata.nextLink` paging in constant memory.
//! * [`Batch`]: JSON batching (`$batch`) of any builders' requests, split at 20, with
//!   typed per-item results and per-item throttling retried.
//! * [`Error`] / [`ErrorKind`] / [`GraphError`]: one error type for everything.
//! * [`TokenProvider`], [`StaticToken`], [`CachingTokenProvider`] (and, with the
//!   `azure-identity` feature, `auth::azure`); a provider that implements
//!   [`TokenProvider::token_for_claims`] lets the client answer a [`ClaimsChallenge`] (an
//!   authentication context PIM asks for) by sending the request again once with a
//!   stepped-up token.
//!
//! # Security model
//!
//! What the runtime guarantees against a hostile server, or a man in the middle of a
//! misconfigured proxy; each point is enforced in the one request path every builder uses
//! (`transport.rs`, `paging.rs`), with a test that would catch its loss:
//!
//! * **The token stays on the Graph origin.** It is attached only to requests whose
//!   origin (scheme, host, port) equals the configured Graph base URL, which must be
//!   `https` (plain `http` is accepted only for loopback hosts and only after
//!   [`ClientBuilder::allow_http_loopback`]). `@odata.nextLink` values pointing anywhere
//!   else are refused before any request is sent, and redirects are followed by hand so
//!   that `Authorization` is dropped on every hop that leaves the Graph origin.
//! * **A request body is not replayed elsewhere.** A 307 or 308 redirect of anything but
//!   a GET or HEAD to another origin is refused ([`ErrorKind::UntrustedUrl`]): the body is
//!   the PIM request itself.
//! * **The token does not reach logs.** Tokens are held in [`Secret`], whose `Debug`
//!   prints nothing, and are never recorded in `tracing` fields. Every string the runtime
//!   derives from a response — an [`Error`]'s message, `Display`, `Debug`, source chain,
//!   Graph error fields (`innerError` included), header values, and the `request_id`
//!   tracing field — is scrubbed of the token in use, whatever its length (an empty or
//!   one-character token aside), in case the server echoes it. [`Error::body`] alone keeps
//!   the raw bytes.
//! * **A call ends within the retry budget.** Each attempt's timeout is capped by what
//!   is left of [`RetryPolicy::max_elapsed`](RetryPolicy::max_elapsed), so a server that
//!   accepts and never answers, or trickles a byte at a time, holds a call no longer than
//!   the policy says.
//! * **A request the service may have processed is not sent again.** POST and PATCH
//!   are retried only when the service said it did not act (429; 503 with
//!   `Retry-After`) or nothing reached it (a connect failure); see [`retry`]. After any
//!   other failure [`Error::may_have_taken_effect`] tells the caller to look the result
//!   up rather than repeat it.
//! * **Paging ends.** A nextLink back to a page already fetched stops the walk with
//!   [`ErrorKind::Paging`] (after everything fetched was yielded); `max_pages` bounds it
//!   further. Bodies are read up to a size limit, error bodies to 64 KiB.

//! # Example
//!
//! ```no_run
//! use pim_api::runtime::{Client, ListRequest, Literal, ODataPath, StaticToken};
//! # #[derive(serde::Deserialize)] struct RoleAssignment { id: String }
//! # async fn demo() -> pim_api::runtime::Result<()> {
//! let client = Client::builder()
//!     .token_provider(StaticToken::new("eyJ0eXAi..."))
//!     .build()?;
//! let path = ODataPath::new()
//!     .segment("roleManagement")
//!     .segment("directory")
//!     .segment("roleAssignments");
//! let page = ListRequest::<RoleAssignment>::new(&client, path)
//!     .filter(format!("principalId eq {}", Literal::string("abc")))
//!     .top(50)
//!     .await?;
//! println!("{} assignments", page.value.len());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod auth;
pub mod batch;
mod claims;
pub mod client;
pub mod clock;
pub mod cloud;
pub mod error;
pub mod literal;
pub mod paging;
pub mod path;
pub mod query;
pub mod request;
pub mod retry;
mod transport;

pub use auth::{
    AccessToken, CachingTokenProvider, Secret, StaticToken, TokenFuture, TokenProvider,
};
pub use batch::{Batch, BatchId, BatchRequest, BatchResults};
pub use claims::{ClaimsChallenge, ClaimsSource};
pub use client::{Client, ClientBuilder};
pub use clock::{Clock, SystemClock};
pub use cloud::NationalCloud;
pub use error::{Error, ErrorKind, GraphError, GraphErrorDetail, GraphInnerError, Result};
pub use literal::{Literal, ToLiteral};
pub use paging::{ItemStream, Page, Pager};
pub use path::ODataPath;
pub use query::QueryOptions;
pub use request::{
    ActionRequest, CountRequest, CreateRequest, DeleteRequest, FunctionRequest, GetRequest,
    ListRequest, ResponseFuture, UpdateRequest,
};
pub use retry::RetryPolicy;

/// A boxed, `Send` future, returned where the future's type is not worth naming
/// ([`ListRequest::collect_all`]). Request builders' `.send()` and
/// `.await` produce a [`ResponseFuture`] instead.
pub type BoxFuture<'a, T> = futures::future::BoxFuture<'a, T>;

/// HTTP types used in the runtime's public signatures, re-exported so callers need not
/// depend on `reqwest`/`http` directly.
pub mod http {
    pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    pub use reqwest::{Method, StatusCode};
}
