//! Typed request builders: the fluent path API over the Graph PIM URLs, generated at build time
//! by `pim-codegen` from the pinned schema and `metadata/selection.toml` (the build script
//! writes them to `OUT_DIR`; a committed copy lives in `pim-api/golden/requests.rs`).
//!
//! # Paths
//!
//! Entry points are methods of [`Client`](crate::runtime::Client), one per entity set or
//! singleton a bound path starts with. Each builder appends to an
//! [`ODataPath`](crate::runtime::ODataPath): navigation properties as segments, keys as
//! percent-encoded segments (`by_id`), so an id can never add segments or reach the query.
//! Builders are generated per entity type, so cycles work at any depth
//! (`resource.parent().parent()` is the same builder type with a longer path).
//!
//! ```no_run
//! # async fn demo(client: pim_api::runtime::Client) -> pim_api::runtime::Result<()> {
//! use pim_api::runtime::Literal;
//!
//! // GET /roleManagement/directory/roleAssignmentScheduleRequests?$filter=…&$top=50
//! let page = client
//!     .role_management()
//!     .directory()
//!     .role_assignment_schedule_requests()
//!     .list()
//!     .filter(format!("principalId eq {}", Literal::string("O'Neil")))
//!     .top(50)
//!     .await?;
//! for request in &page.value {
//!     println!("{:?} {:?}", request.id, request.status);
//! }
//!
//! // POST /roleManagement/directory/roleAssignmentScheduleRequests/{id}/cancel
//! client
//!     .role_management()
//!     .directory()
//!     .role_assignment_schedule_requests()
//!     .by_id("15fec3d4-64b1-4b03-beb7-f1ba6dddf6cc")
//!     .cancel()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # Requests
//!
//! Methods return the runtime's request builders, which set query options, headers and extra
//! parameters and are awaited to send: `list` → [`ListRequest`](crate::runtime::ListRequest)
//! (a page, or `into_stream()` for every item), `get` → [`GetRequest`](crate::runtime::GetRequest),
//! `create` → [`CreateRequest`](crate::runtime::CreateRequest), `update` (PATCH with the
//! models' tri-state `…Update` body) → [`UpdateRequest`](crate::runtime::UpdateRequest),
//! `delete` → [`DeleteRequest`](crate::runtime::DeleteRequest), bound actions →
//! [`ActionRequest`](crate::runtime::ActionRequest) (parameters in a generated `…Params`
//! struct), bound functions → [`FunctionRequest`](crate::runtime::FunctionRequest), or a
//! `ListRequest` when they return a collection (`filter_by_current_user`, `export`).
//!
//! Which of `list`, `create`, `get`, `update` and `delete` exist is decided by the schema's
//! Capabilities annotations where it has them and by the OData defaults otherwise; each
//! builder's docs say which, and give the HTTP method and path template of every method.
//!
//! # Deprecation
//!
//! PIM iteration 2 (`privilegedAccess` and everything below it) is deprecated in the schema;
//! its builders and methods carry `#[deprecated]` with the announced removal date.

include!(concat!(env!("OUT_DIR"), "/models/requests.rs"));
