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
//! * [`Error`] / [`ErrorKind`] / [`GraphError`]: one error type for everything.
//! * [`TokenProvider`], [`StaticToken`], [`CachingTokenProvider`] (and, with the
//!   `azure-identity` feature, `auth::azure`).
//!
//! # Security model
//!
//! The bearer token is only ever attached to requests whose origin (scheme, host, port)
//! equals the configured Graph base URL, which must be `https` (plain `http` is accepted
//! only for loopback hosts and only after [`ClientBuilder::allow_http_loopback`]).
//! `@odata.nextLink` values pointing anywhere else are refused before any request is
//! sent, and redirects are followed by hand so that `Authorization` is dropped on every
//! hop that leaves the Graph origin. Tokens are held in [`Secret`], whose `Debug` prints
//! nothing, and are never recorded in `tracing` fields.
//!
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
pub use client::{Client, ClientBuilder};
pub use clock::{Clock, SystemClock};
pub use cloud::NationalCloud;
pub use error::{Error, ErrorKind, GraphError, GraphErrorDetail, GraphInnerError, Result};
pub use literal::{Literal, ToLiteral};
pub use paging::{ItemStream, Page, Pager};
pub use path::ODataPath;
pub use query::QueryOptions;
pub use request::{
    ActionRequest, CreateRequest, DeleteRequest, FunctionRequest, GetRequest, ListRequest,
    ResponseFuture, UpdateRequest,
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
