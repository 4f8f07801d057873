//! Typed, async Rust bindings for Microsoft Graph Privileged Identity Management (PIM).
//!
//! Models and request builders are generated at build time from Graph's own CSDL metadata
//! (the pinned beta schema in `metadata/`), over a small hand-written runtime: a client with
//! token providers, retries that honour `Retry-After` and never repeat a request the service
//! may have processed, lazy paging, and one error type that carries Graph's error.
//!
//! # Quick start
//!
//! List the roles you may activate, activate one with a justification, wait until it is in
//! effect, and handle what the service says when the policy refuses:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = pim_sim::spawn(pim_sim::Tenant::default_tenant()).await?;
//! # let (token, my_id) = ("sim-ben".to_owned(), sim.principal_id("ben").unwrap());
//! use std::time::Duration;
//! use pim_api::edm;
//! use pim_api::models::{
//!     ExpirationPattern, ExpirationPatternType, RequestSchedule,
//!     RoleEligibilityScheduleInstanceFilterByCurrentUserOptions as On,
//!     UnifiedRoleAssignmentScheduleRequest,
//! };
//! use pim_api::pim::{PimError, RequestStatus};
//! use pim_api::runtime::{Client, StaticToken};
//!
//! // A token from wherever you get them (`az account get-access-token --resource-type
//! // ms-graph`, an azure_identity credential with the `azure-identity` feature, ...).
//! let client = Client::builder().token_provider(StaticToken::new(token)).build()?;
//! # let client = sim.client("sim-ben")?; // this example runs against the local PIM service
//! let directory = client.role_management().directory();
//!
//! // The roles I am eligible for (no admin role needed).
//! let eligible = directory
//!     .role_eligibility_schedule_instances()
//!     .filter_by_current_user(On::Principal)
//!     .collect_all()
//!     .await?;
//! let role = eligible[0].role_definition_id.clone().unwrap_or_default();
//!
//! // Activate it for an hour.
//! let mut expiration = ExpirationPattern::new();
//! expiration.r#type = Some(ExpirationPatternType::AfterDuration);
//! expiration.duration = Some(edm::Duration::from_raw("PT1H"));
//! let mut schedule = RequestSchedule::new();
//! schedule.expiration = Some(expiration);
//! let mut request = UnifiedRoleAssignmentScheduleRequest::new();
//! request.action = Some("selfActivate".into());
//! request.principal_id = Some(my_id.clone());
//! request.role_definition_id = Some(role);
//! request.directory_scope_id = Some("/".into());
//! request.justification = Some("Investigating incident 4711".into());
//! request.schedule_info = Some(schedule);
//! let requests = directory.role_assignment_schedule_requests();
//! let created = match requests.create(&request).await {
//!     Ok(created) => created,
//!     // What the service said, typed: the policy rules the request broke, a claims
//!     // challenge, an assignment that exists already, ...
//!     Err(e) => match e.pim() {
//!         Some(PimError::PolicyViolation(rules)) => return Err(format!("refused: {rules:?}").into()),
//!         _ => return Err(e.into()),
//!     },
//! };
//!
//! // Activation is asynchronous: wait until the request is in effect (Provisioned) or
//! // will not be by itself (pending approval, denied, ...).
//! let id = created.id.clone().unwrap_or_default();
//! let mut status = created.request_status().unwrap_or(RequestStatus::Granted);
//! for _ in 0..60 {
//!     if status.is_terminal() || status.needs_approval() {
//!         break;
//!     }
//!     tokio::time::sleep(Duration::from_millis(500)).await;
//!     status = requests.by_id(&id).get().await?.request_status().unwrap_or(status);
//! }
//! assert_eq!(status, RequestStatus::Provisioned);
//! # Ok(()) }
//! ```
//!
//! The [`guide`] has a page for each everyday task — the call, the permission it needs,
//! the errors it commonly returns and what to do about each — and the
//! [migration](guide::migration) from PIM iteration 2. Every example in these docs runs as a
//! test against `pim-sim`, the local PIM service of this workspace, which you can use for
//! your own tests too.
//!
//! # Modules
//!
//! | module | what |
//! |---|---|
//! | [`requests`] | the request builders, from [`Client`](runtime::Client): `client.role_management().directory()…`, `client.policies()…`, `client.identity_governance().privileged_access().group()…` |
//! | [`models`] | the entity and complex types, lossless on real payloads (unknown members kept, `null` told from absent) |
//! | [`runtime`] | the client, token providers, retry policy, paging, errors, and the security model |
//! | [`pim`] | what the schema does not say: typed request statuses ([`RequestStatus`](pim::RequestStatus)) and service errors ([`PimError`](pim::PimError), from [`Error::pim`](runtime::Error::pim)) |
//! | [`edm`] | the OData wire types: `DateTimeOffset`, `Duration`, open enums, `Patch<T>` |
//! | [`guide`] | how to do each PIM task |
//!
//! # Cargo features
//!
//! | feature | default | what |
//! |---|---|---|
//! | `azure-identity` | no | authenticate with `azure_identity` credentials (client secret, managed identity, Azure CLI, …) through [`ClientBuilder::azure_credential`](runtime::ClientBuilder) |
//! | `iteration2` | no | also generate PIM iteration 2 (`/privilegedAccess`: `governanceRoleDefinition`, `…RoleSetting`, `…RoleAssignment`, `…RoleAssignmentRequest`), deprecated; the service stopped returning data on 2026-10-28 |
//!
//! PIM iteration 3 (`/roleManagement/directory`, `/policies`,
//! `/identityGovernance/privilegedAccess/group`) is what is bound by default: every read
//! Microsoft's SDKs offer there (related entities such as a schedule's `principal()` or
//! `role_definition()`, and `count()` on every collection), and none of the writes the
//! service refuses. Lists the service refuses unfiltered take the filter as arguments
//! (`list_by_group_id`, `list_by_scope_id_and_scope_type`).

// Generated code names every runtime item as `::pim_api::...`, so the same output compiles
// inside this crate and in any scratch crate that depends on it.
extern crate self as pim_api;

pub mod edm;
pub mod guide;
pub mod models;
pub mod pim;
pub mod requests;
pub mod runtime;
