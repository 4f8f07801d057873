//! `pim-sim`: a local, stateful Microsoft Graph Privileged Identity Management service.
//!
//! It serves PIM iteration 3 as Graph's beta endpoint does — role definitions; assignment
//! and eligibility schedule requests, schedules and instances for Microsoft Entra roles and
//! for PIM for groups; approvals; role management policies, their rules and assignments —
//! with the behaviour that lives outside the schema: the request state machine, policy
//! evaluation with the service's error codes and messages, approvals by other principals,
//! claims challenges for authentication contexts, OData query options and paging, and
//! Graph's error envelope. Faults (throttling, 503/504, dropped connections, truncated
//! bodies, slowness) can be injected reproducibly. Its wire types are pim-api's generated
//! models: it writes exactly what the client reads.
//!
//! # In tests
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::TryStreamExt;
//! use pim_sim::Tenant;
//!
//! let sim = pim_sim::spawn(Tenant::default_tenant()).await?;
//! let client = sim.client("sim-ada")?;       // a pim_api::runtime::Client for the simulator
//! let roles: Vec<_> = client
//!     .role_management()
//!     .directory()
//!     .role_definitions()
//!     .list()
//!     .into_stream()
//!     .try_collect()
//!     .await?;
//! assert!(!roles.is_empty());
//! sim.clock().advance(std::time::Duration::from_secs(8 * 3600)); // activations expire
//! assert!(sim.log().iter().all(|e| e.status < 500));
//! # Ok(()) }
//! ```
//!
//! # From the shell
//!
//! `cargo run -p pim-sim` listens on a free loopback port and prints
//! `GRAPH_BASE_URL=…` and `GRAPH_TOKEN=…` lines (plus every principal's id and tokens) to
//! source, then logs each request; see `pim-sim --help`.
//!
//! # Layout
//!
//! | module | what |
//! |---|---|
//! | [`tenant`] | the tenant file: principals, roles, grants, policies, tokens |
//! | `world` | the in-memory state a tenant seeds |
//! | `pim` | the semantics: permissions, policy evaluation, state machine, approvals |
//! | `render` | records → pim-api models → JSON |
//! | [`odata`] | `$filter`, `$select`, `$expand`, `$orderby`, `$top`, `$count`, paging |
//! | `routes` | which resource a URL names and what each method does |
//! | `server` | the axum handler: auth, faults, limits, errors, the request log |
//! | [`faults`] | fault profiles and token-bucket throttling |
//! | [`clock`] | the simulated clock |

#![warn(missing_docs)]

pub mod clock;
pub mod error;
pub mod faults;
pub mod odata;
mod pim;
mod render;
mod routes;
mod server;
pub mod tenant;
mod world;

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;

pub use clock::SimClock;
pub use faults::{Fault, FaultProfile, RateLimit};
pub use server::LogEntry;
pub use tenant::{Tenant, TenantError};

use server::Shared;
use world::{PrincipalKind, World};

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The tenant does not describe a valid directory.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
}

/// Starts a simulator for `tenant` on a free loopback port.
pub async fn spawn(tenant: Tenant) -> Result<Simulator, SpawnError> {
    Simulator::builder(tenant).spawn().await
}

/// Options of a simulator to start.
#[derive(Debug)]
pub struct Builder {
    tenant: Tenant,
    port: u16,
    faults: FaultProfile,
    provisioning_delay: Option<Duration>,
    page_size: Option<usize>,
}

impl Builder {
    /// Listens on this port (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Injects these faults from the start.
    pub fn faults(mut self, faults: FaultProfile) -> Self {
        self.faults = faults;
        self
    }

    /// Overrides the tenant's provisioning delay.
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.provisioning_delay = Some(delay);
        self
    }

    /// Overrides the tenant's page size.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Seeds the state and starts serving.
    pub async fn spawn(self) -> Result<Simulator, SpawnError> {
        let clock = SimClock::new();
        let mut world = World::seed(&self.tenant, clock.now())?;
        if let Some(d) = self.provisioning_delay {
            world.settings.provisioning_delay = TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX);
        }
        if let Some(n) = self.page_size {
            world.settings.page_size = n.clamp(1, odata::MAX_TOP);
        }
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(|source| SpawnError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SpawnError::Bind {
            port: self.port,
            source,
        })?;
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            clock,
            log: Mutex::new(VecDeque::new()),
            faults: Mutex::new(faults::FaultState::new(self.faults)),
            seq: AtomicU64::new(0),
            origin: Mutex::new(format!("http://{addr}")),
        });
        let app = server::router(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "pim-sim stopped serving");
            }
        });
        Ok(Simulator {
            shared,
            addr,
            base_url: format!("http://{addr}/beta"),
            stop: Some(stop),
            task,
        })
    }
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// A principal of the simulated tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalInfo {
    /// The tenant file's handle.
    pub name: String,
    /// Object id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// `user`, `group` or `servicePrincipal`.
    pub kind: &'static str,
    /// The principal's tokens, in file order.
    pub tokens: Vec<TokenInfo>,
}

/// A token of the simulated tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The bearer token.
    pub value: String,
    /// Its sign-in used MFA.
    pub mfa: bool,
    /// Authentication contexts it satisfies.
    pub acrs: Vec<String>,
    /// Application permissions.
    pub app_roles: Vec<String>,
    /// The token `pim-sim` prints as `GRAPH_TOKEN`.
    pub default: bool,
}

/// A schedule request the simulator stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRequest {
    /// The request's id.
    pub id: String,
    /// `directory` or `group`.
    pub surface: &'static str,
    /// `assignment` or `eligibility`.
    pub kind: &'static str,
    /// The action, as sent.
    pub action: String,
    /// `principalId`.
    pub principal_id: String,
    /// The role definition id, or a group's `member`/`owner`.
    pub role: String,
    /// The directory scope, or the group id.
    pub scope: String,
    /// Its status now.
    pub status: String,
}

impl Simulator {
    /// Options for a simulator of `tenant`.
    pub fn builder(tenant: Tenant) -> Builder {
        Builder {
            tenant,
            port: 0,
            faults: FaultProfile::default(),
            provisioning_delay: None,
            page_size: None,
        }
    }

    /// `http://127.0.0.1:PORT/beta`: what `GRAPH_BASE_URL` should be.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The tenant's display name.
    pub fn tenant_name(&self) -> String {
        self.shared.world().tenant_name.clone()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The simulated clock: advance it to skip provisioning delays and expirations,
    /// freeze it to hold time still.
    pub fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    /// Every request received so far, in arrival order.
    pub fn log(&self) -> Vec<LogEntry> {
        self.shared.log().iter().cloned().collect()
    }

    /// Empties the request log.
    pub fn clear_log(&self) {
        self.shared.log().clear();
    }

    /// Replaces the fault profile (its generator restarts from the profile's seed).
    pub fn set_faults(&self, faults: FaultProfile) {
        *self.shared.faults() = faults::FaultState::new(faults);
    }

    /// The tenant's principals with their tokens.
    pub fn principals(&self) -> Vec<PrincipalInfo> {
        let world = self.shared.world();
        world
            .principals
            .iter()
            .map(|p| PrincipalInfo {
                name: p.name.clone(),
                id: p.id.clone(),
                display_name: p.display_name.clone(),
                kind: match p.kind {
                    PrincipalKind::User(_) => "user",
                    PrincipalKind::Group(_) => "group",
                    PrincipalKind::ServicePrincipal(_) => "servicePrincipal",
                },
                tokens: world
                    .tokens
                    .iter()
                    .filter(|t| t.principal_id == p.id)
                    .map(|t| TokenInfo {
                        value: t.value.clone(),
                        mfa: t.mfa,
                        acrs: t.acrs.clone(),
                        app_roles: t.app_roles.clone(),
                        default: t.default,
                    })
                    .collect(),
            })
            .collect()
    }

    /// The role definitions the tenant's grants name, as `(display name, id)`.
    pub fn granted_roles(&self) -> Vec<(String, String)> {
        let world = self.shared.world();
        let mut out: Vec<(String, String)> = world
            .schedules
            .iter()
            .filter(|s| s.surface == world::Surface::Directory)
            .filter_map(|s| world.role(&s.target.role))
            .filter_map(|r| Some((r.display_name.clone()?, r.id.clone()?)))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The object id of the principal with this handle (`"ben"`).
    pub fn principal_id(&self, name: &str) -> Option<String> {
        self.shared
            .world()
            .principal_by_name(name)
            .map(|p| p.id.clone())
    }

    /// The id of the role definition with this display name.
    pub fn role_id(&self, display_name: &str) -> Option<String> {
        self.shared
            .world()
            .role_by_name(display_name)
            .and_then(|r| r.id.clone())
    }

    /// The token `pim-sim` prints as `GRAPH_TOKEN`: the one marked `default`, else the
    /// first token of an active Global or Privileged Role Administrator, else the first.
    pub fn default_token(&self) -> Option<String> {
        let world = self.shared.world();
        let now = self.shared.clock.now();
        world
            .tokens
            .iter()
            .find(|t| t.default)
            .or_else(|| {
                world.tokens.iter().find(|t| {
                    let caller = pim::Caller {
                        principal_id: t.principal_id.clone(),
                        mfa: t.mfa,
                        acrs: t.acrs.clone(),
                        app_roles: Vec::new(),
                        is_app: false,
                    };
                    world.is_admin(&caller, world::Surface::Directory, None, now)
                })
            })
            .or_else(|| world.tokens.first())
            .map(|t| t.value.clone())
    }

    /// The schedule requests stored so far (validation-only ones are never stored).
    pub fn stored_requests(&self) -> Vec<StoredRequest> {
        let mut world = self.shared.world();
        world.tick(self.shared.clock.now());
        world
            .requests
            .iter()
            .map(|r| StoredRequest {
                id: r.id.clone(),
                surface: match r.surface {
                    world::Surface::Directory => "directory",
                    world::Surface::Group => "group",
                },
                kind: match r.kind {
                    world::Kind::Assignment => "assignment",
                    world::Kind::Eligibility => "eligibility",
                },
                action: r.action_text.clone(),
                principal_id: r.target.principal_id.clone(),
                role: r.target.role.clone(),
                scope: r.target.scope.clone(),
                status: r.status.clone(),
            })
            .collect()
    }

    /// A pim-api client builder aimed at the simulator with `token` (plain HTTP to
    /// loopback allowed); set a retry policy or timeouts before `build`.
    pub fn client_builder(&self, token: &str) -> pim_api::runtime::ClientBuilder {
        pim_api::runtime::Client::builder()
            .base_url(&self.base_url)
            .allow_http_loopback(true)
            .token_provider(pim_api::runtime::StaticToken::new(token))
    }

    /// A pim-api client for the simulator with `token`.
    pub fn client(&self, token: &str) -> pim_api::runtime::Result<pim_api::runtime::Client> {
        self.client_builder(token).build()
    }

    /// Stops serving and waits (at most a second) for open connections to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut self.task).await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
