//! The activation lifecycle: activate an eligible role or group membership, wait until it is
//! in effect, deactivate, extend, renew, cancel; many at once; a dry run.
//!
//! These are the calls people write by hand around the generated builders: an activation is
//! a role (or group) *assignment* schedule request with action `selfActivate`, and it takes
//! effect asynchronously. [`activate`] builds the request from an [`Activation`], and when
//! the answer is lost after the request was sent (a 503, a dropped connection: see
//! [`Error::may_have_taken_effect`]) it looks the request up instead of sending it again.
//! [`wait`] polls it with backoff until it is in effect or will not be by itself, and says
//! which as an [`Outcome`].

use std::time::Duration;

use futures::StreamExt;

use crate::edm;
use crate::models::{
    AssignmentScheduleRequestFilterByCurrentUserOptions, ExpirationPattern, ExpirationPatternType,
    PrivilegedAccessGroupAssignmentScheduleRequest, PrivilegedAccessGroupRelationships,
    RequestSchedule, RoleAssignmentScheduleRequestFilterByCurrentUserOptions,
    ScheduleRequestActions, TicketInfo, UnifiedRoleAssignmentScheduleRequest,
};
use crate::runtime::{BatchId, Client, Error, ErrorKind, Literal, Result};

use super::RequestStatus;

/// What is activated: a directory role at a scope, or a group's membership or ownership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A Microsoft Entra role.
    Role {
        /// The role definition's id.
        role_definition_id: String,
        /// The directory scope (`/` for the whole directory).
        directory_scope_id: String,
    },
    /// A PIM-managed group.
    Group {
        /// The group's id.
        group_id: String,
        /// Membership or ownership.
        access: GroupAccess,
    },
}

/// Membership or ownership of a group (`accessId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupAccess {
    /// `member`.
    Member,
    /// `owner`.
    Owner,
}

impl GroupAccess {
    fn model(self) -> PrivilegedAccessGroupRelationships {
        match self {
            GroupAccess::Member => PrivilegedAccessGroupRelationships::Member,
            GroupAccess::Owner => PrivilegedAccessGroupRelationships::Owner,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GroupAccess::Member => "member",
            GroupAccess::Owner => "owner",
        }
    }
}

/// One activation: who, what, for how long, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activation {
    principal_id: String,
    target: Target,
    duration: Duration,
    justification: Option<String>,
    ticket: Option<(String, String)>,
}

impl Activation {
    /// `principal_id` (the caller's own id) activates a role for the whole directory, for an
    /// hour unless [`duration`](Self::duration) says otherwise.
    pub fn role(principal_id: impl Into<String>, role_definition_id: impl Into<String>) -> Self {
        Activation {
            principal_id: principal_id.into(),
            target: Target::Role {
                role_definition_id: role_definition_id.into(),
                directory_scope_id: "/".into(),
            },
            duration: Duration::from_secs(3600),
            justification: None,
            ticket: None,
        }
    }

    /// `principal_id` activates membership or ownership of a group, for an hour unless
    /// [`duration`](Self::duration) says otherwise.
    pub fn group(
        principal_id: impl Into<String>,
        group_id: impl Into<String>,
        access: GroupAccess,
    ) -> Self {
        Activation {
            target: Target::Group {
                group_id: group_id.into(),
                access,
            },
            ..Activation::role(principal_id, "")
        }
    }

    /// The directory scope of a role activation (default `/`; an administrative unit is
    /// `/administrativeUnits/{id}`). Ignored for groups.
    pub fn scope(mut self, directory_scope_id: impl Into<String>) -> Self {
        if let Target::Role {
            directory_scope_id: scope,
            ..
        } = &mut self.target
        {
            *scope = directory_scope_id.into();
        }
        self
    }

    /// How long the activation lasts (at most what the policy allows).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// The justification (most policies require one).
    pub fn justification(mut self, text: impl Into<String>) -> Self {
        self.justification = Some(text.into());
        self
    }

    /// Ticket information (required by policies with the `Ticketing` rule).
    pub fn ticket(mut self, number: impl Into<String>, system: impl Into<String>) -> Self {
        self.ticket = Some((number.into(), system.into()));
        self
    }

    /// The principal.
    pub fn principal_id(&self) -> &str {
        &self.principal_id
    }

    /// What is activated.
    pub fn target(&self) -> &Target {
        &self.target
    }

    pub(crate) fn requested_duration(&self) -> Duration {
        self.duration
    }

    pub(crate) fn requested_justification(&self) -> Option<&str> {
        self.justification.as_deref()
    }

    pub(crate) fn requested_ticket(&self) -> Option<(&str, &str)> {
        self.ticket.as_ref().map(|(n, s)| (n.as_str(), s.as_str()))
    }

    fn schedule(&self) -> RequestSchedule {
        let mut expiration = ExpirationPattern::new();
        expiration.r#type = Some(ExpirationPatternType::AfterDuration);
        expiration.duration = Some(edm::Duration::from(self.duration));
        let mut schedule = RequestSchedule::new();
        schedule.expiration = Some(expiration);
        schedule
    }

    fn ticket_info(&self) -> Option<TicketInfo> {
        self.ticket.as_ref().map(|(number, system)| {
            let mut t = TicketInfo::new();
            t.ticket_number = Some(number.clone());
            t.ticket_system = Some(system.clone());
            t
        })
    }

    /// The schedule request for `action` (a self action), with or without a schedule.
    fn request(&self, action: Action, validation_only: bool) -> Body {
        let schedule = action.has_schedule().then(|| self.schedule());
        let justification = self.justification.clone();
        match &self.target {
            Target::Role {
                role_definition_id,
                directory_scope_id,
            } => {
                let mut r = UnifiedRoleAssignmentScheduleRequest::new();
                r.action = Some(action.wire().to_owned());
                r.principal_id = Some(self.principal_id.clone());
                r.role_definition_id = Some(role_definition_id.clone());
                r.directory_scope_id = Some(directory_scope_id.clone());
                r.justification = justification;
                r.ticket_info = self.ticket_info();
                r.schedule_info = schedule;
                r.is_validation_only = validation_only.then_some(true);
                Body::Role(r)
            }
            Target::Group { group_id, access } => {
                let mut r = PrivilegedAccessGroupAssignmentScheduleRequest::new();
                r.action = Some(action.model());
                r.principal_id = Some(self.principal_id.clone());
                r.group_id = Some(group_id.clone());
                r.access_id = Some(access.model());
                r.justification = justification;
                r.ticket_info = self.ticket_info();
                r.schedule_info = schedule;
                r.is_validation_only = validation_only.then_some(true);
                Body::Group(r)
            }
        }
    }
}

/// The self-service actions of the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Activate,
    Deactivate,
    Extend,
    Renew,
}

impl Action {
    fn wire(self) -> &'static str {
        match self {
            Action::Activate => "selfActivate",
            Action::Deactivate => "selfDeactivate",
            Action::Extend => "selfExtend",
            Action::Renew => "selfRenew",
        }
    }

    fn model(self) -> ScheduleRequestActions {
        match self {
            Action::Activate => ScheduleRequestActions::SelfActivate,
            Action::Deactivate => ScheduleRequestActions::SelfDeactivate,
            Action::Extend => ScheduleRequestActions::SelfExtend,
            Action::Renew => ScheduleRequestActions::SelfRenew,
        }
    }

    fn has_schedule(self) -> bool {
        self != Action::Deactivate
    }
}

/// A role or group assignment schedule request, as the service returned it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ActivationRequest {
    /// A Microsoft Entra role's.
    Role(UnifiedRoleAssignmentScheduleRequest),
    /// A group's.
    Group(PrivilegedAccessGroupAssignmentScheduleRequest),
}

type Body = ActivationRequest;

impl ActivationRequest {
    /// The request's id.
    pub fn id(&self) -> Option<&str> {
        match self {
            ActivationRequest::Role(r) => r.id.as_deref(),
            ActivationRequest::Group(r) => r.id.as_deref(),
        }
    }

    /// Its status, typed.
    pub fn status(&self) -> Option<RequestStatus> {
        match self {
            ActivationRequest::Role(r) => r.request_status(),
            ActivationRequest::Group(r) => r.request_status(),
        }
    }

    /// The approval deciding it, when it needs one.
    pub fn approval_id(&self) -> Option<&str> {
        match self {
            ActivationRequest::Role(r) => r.approval_id.as_deref(),
            ActivationRequest::Group(r) => r.approval_id.as_deref(),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            ActivationRequest::Role(_) => Kind::Role,
            ActivationRequest::Group(_) => Kind::Group,
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Role,
    Group,
}

/// How a [`wait`] ended.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// In effect. (A group membership reaches the caller's token at the next sign-in.)
    Provisioned(ActivationRequest),
    /// Waiting for an approver (or, for an extension or renewal, an administrator): it
    /// will not take effect by itself.
    PendingApproval(ActivationRequest),
    /// An approver denied it.
    Denied(ActivationRequest),
    /// The service could not carry it out.
    Failed(ActivationRequest),
    /// Cancelled, or revoked before it took effect.
    Canceled(ActivationRequest),
    /// Still in flight when the wait's time ran out.
    TimedOut(ActivationRequest),
}

impl Outcome {
    /// The request as last read.
    pub fn request(&self) -> &ActivationRequest {
        match self {
            Outcome::Provisioned(r)
            | Outcome::PendingApproval(r)
            | Outcome::Denied(r)
            | Outcome::Failed(r)
            | Outcome::Canceled(r)
            | Outcome::TimedOut(r) => r,
        }
    }

    /// Whether the activation is in effect.
    pub fn is_provisioned(&self) -> bool {
        matches!(self, Outcome::Provisioned(_))
    }
}

/// How long and how often [`wait`] polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    /// Give up (with [`Outcome::TimedOut`]) after this long (default 2 minutes; the
    /// service usually provisions in seconds, sometimes in a minute or more).
    pub timeout: Duration,
    /// The first pause between polls (default 250 ms), doubled after each poll…
    pub initial_delay: Duration,
    /// …up to this (default 5 s).
    pub max_delay: Duration,
}

impl Default for Wait {
    fn default() -> Self {
        Wait {
            timeout: Duration::from_secs(120),
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
        }
    }
}

async fn submit(client: &Client, body: &Body) -> Result<ActivationRequest> {
    match body {
        Body::Role(r) => client
            .role_management()
            .directory()
            .role_assignment_schedule_requests()
            .create(r)
            .await
            .map(ActivationRequest::Role),
        Body::Group(r) => client
            .identity_governance()
            .privileged_access()
            .group()
            .assignment_schedule_requests()
            .create(r)
            .await
            .map(ActivationRequest::Group),
    }
}

/// Sends a self-service request; when the answer is lost after sending, finds the request
/// the service may have stored instead of sending it again.
async fn send_once(client: &Client, a: &Activation, action: Action) -> Result<ActivationRequest> {
    match submit(client, &a.request(action, false)).await {
        Ok(r) => Ok(r),
        Err(e) if e.may_have_taken_effect() => match find_open(client, a, action).await {
            Ok(Some(found)) => Ok(found),
            // Not there: the service did not act, and the original error says why.
            Ok(None) | Err(_) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// Activates (`selfActivate`): the created request, usually `Granted` or
/// `PendingApproval`. When the answer is lost after the request was sent (a 503 without
/// `Retry-After`, a dropped connection: [`Error::may_have_taken_effect`]), it looks the
/// request up and returns it rather than send a second activation; the original error comes
/// back only if the service has no such request.
pub async fn activate(client: &Client, activation: &Activation) -> Result<ActivationRequest> {
    send_once(client, activation, Action::Activate).await
}

/// Activates and [`wait`]s.
pub async fn activate_and_wait(
    client: &Client,
    activation: &Activation,
    wait_for: Wait,
) -> Result<Outcome> {
    let request = activate(client, activation).await?;
    wait(client, &request, wait_for).await
}

/// Checks an activation with the service without making it (`isValidationOnly`): the
/// request as it would be, or the error it would get (a policy violation, a claims
/// challenge, …).
pub async fn dry_run(client: &Client, activation: &Activation) -> Result<ActivationRequest> {
    submit(client, &activation.request(Action::Activate, true)).await
}

/// Ends an activation early (`selfDeactivate`); the service refuses it within five minutes
/// of the activation (`ActiveDurationTooShort`).
pub async fn deactivate(client: &Client, activation: &Activation) -> Result<ActivationRequest> {
    send_once(client, activation, Action::Deactivate).await
}

/// Asks for an active assignment to last longer (`selfExtend`, for `activation`'s
/// duration); an administrator decides (`PendingAdminDecision`).
pub async fn extend(client: &Client, activation: &Activation) -> Result<ActivationRequest> {
    send_once(client, activation, Action::Extend).await
}

/// Asks for an expired assignment back (`selfRenew`); an administrator decides.
pub async fn renew(client: &Client, activation: &Activation) -> Result<ActivationRequest> {
    send_once(client, activation, Action::Renew).await
}

/// Cancels a request that has not taken effect (`cancel`); afterwards the service answers
/// `RequestCannotBeCancelled`.
pub async fn cancel(client: &Client, request: &ActivationRequest) -> Result<()> {
    let id = request_id(request)?;
    match request.kind() {
        Kind::Role => {
            client
                .role_management()
                .directory()
                .role_assignment_schedule_requests()
                .by_id(id)
                .cancel()
                .await
        }
        Kind::Group => {
            client
                .identity_governance()
                .privileged_access()
                .group()
                .assignment_schedule_requests()
                .by_id(id)
                .cancel()
                .await
        }
    }
}

fn request_id(request: &ActivationRequest) -> Result<&str> {
    request
        .id()
        .ok_or_else(|| Error::new(ErrorKind::Config, "the request has no id"))
}

async fn get(client: &Client, request: &ActivationRequest) -> Result<ActivationRequest> {
    let id = request_id(request)?;
    match request.kind() {
        Kind::Role => client
            .role_management()
            .directory()
            .role_assignment_schedule_requests()
            .by_id(id)
            .get()
            .await
            .map(ActivationRequest::Role),
        Kind::Group => client
            .identity_governance()
            .privileged_access()
            .group()
            .assignment_schedule_requests()
            .by_id(id)
            .get()
            .await
            .map(ActivationRequest::Group),
    }
}

/// Polls `request` (reading it afresh first: the copy passed in may be stale, say from
/// before an approval) until it is in effect or will not be by itself (pending approval,
/// denied, failed, cancelled), or `wait_for.timeout` has passed.
pub async fn wait(client: &Client, request: &ActivationRequest, wait_for: Wait) -> Result<Outcome> {
    let deadline = tokio::time::Instant::now() + wait_for.timeout;
    let mut delay = wait_for.initial_delay;
    let mut current = get(client, request).await?;
    loop {
        match current.status().unwrap_or(RequestStatus::Granted) {
            RequestStatus::Provisioned => return Ok(Outcome::Provisioned(current)),
            s if s.needs_approval() => return Ok(Outcome::PendingApproval(current)),
            RequestStatus::Denied => return Ok(Outcome::Denied(current)),
            RequestStatus::Failed => return Ok(Outcome::Failed(current)),
            RequestStatus::Canceled | RequestStatus::Revoked => {
                return Ok(Outcome::Canceled(current));
            }
            _ => {}
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(Outcome::TimedOut(current));
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(wait_for.max_delay);
        current = get(client, &current).await?;
    }
}

/// Activates each of `activations`, at most `concurrency` at a time (the client's retry
/// policy absorbs throttling), and returns one result per activation, in order.
pub async fn activate_many(
    client: &Client,
    activations: &[Activation],
    concurrency: usize,
) -> Vec<Result<ActivationRequest>> {
    futures::stream::iter(activations)
        .map(|a| activate(client, a))
        .buffered(concurrency.max(1))
        .collect()
        .await
}

/// Activates each of `activations` through JSON batching: `$batch`es of at most 20,
/// items the service throttled sent again after their `Retry-After` (see
/// [`Batch`](crate::runtime::Batch)); one result per activation, in order. Fewer round
/// trips than [`activate_many`], at the price of one failure mode: an item whose answer is
/// lost (a 503 or 504 inside the batch) is returned as that error, not looked up.
pub async fn activate_batched(
    client: &Client,
    activations: &[Activation],
) -> Vec<Result<ActivationRequest>> {
    enum Id {
        Role(BatchId<UnifiedRoleAssignmentScheduleRequest>),
        Group(BatchId<PrivilegedAccessGroupAssignmentScheduleRequest>),
    }
    let mut batch = client.batch();
    let ids: Vec<Id> = activations
        .iter()
        .map(|a| match a.request(Action::Activate, false) {
            Body::Role(r) => Id::Role(
                batch.add(
                    client
                        .role_management()
                        .directory()
                        .role_assignment_schedule_requests()
                        .create(&r)
                        .into_batch(),
                ),
            ),
            Body::Group(r) => Id::Group(
                batch.add(
                    client
                        .identity_governance()
                        .privileged_access()
                        .group()
                        .assignment_schedule_requests()
                        .create(&r)
                        .into_batch(),
                ),
            ),
        })
        .collect();
    let mut results = batch.send().await;
    ids.iter()
        .map(|id| match id {
            Id::Role(id) => results.take(id).map(ActivationRequest::Role),
            Id::Group(id) => results.take(id).map(ActivationRequest::Group),
        })
        .collect()
}

/// The caller's newest request for `activation`'s target and `action` that is on its way
/// or in effect.
async fn find_open(
    client: &Client,
    activation: &Activation,
    action: Action,
) -> Result<Option<ActivationRequest>> {
    let mut filter = format!("action eq {}", Literal::string(action.wire()));
    for closed in ["Canceled", "Denied", "Failed", "Revoked"] {
        filter.push_str(&format!(" and status ne {}", Literal::string(closed)));
    }
    let found = match &activation.target {
        Target::Role {
            role_definition_id,
            directory_scope_id,
        } => {
            filter.push_str(&format!(
                " and roleDefinitionId eq {} and directoryScopeId eq {}",
                Literal::string(role_definition_id),
                Literal::string(directory_scope_id)
            ));
            client
                .role_management()
                .directory()
                .role_assignment_schedule_requests()
                .filter_by_current_user(
                    RoleAssignmentScheduleRequestFilterByCurrentUserOptions::Principal,
                )
                .filter(filter)
                .collect_all()
                .await?
                .into_iter()
                .map(ActivationRequest::Role)
                .collect::<Vec<_>>()
        }
        Target::Group { group_id, access } => {
            filter.push_str(&format!(
                " and groupId eq {} and accessId eq {}",
                Literal::string(group_id),
                Literal::string(access.as_str())
            ));
            client
                .identity_governance()
                .privileged_access()
                .group()
                .assignment_schedule_requests()
                .filter_by_current_user(
                    AssignmentScheduleRequestFilterByCurrentUserOptions::Principal,
                )
                .filter(filter)
                .collect_all()
                .await?
                .into_iter()
                .map(ActivationRequest::Group)
                .collect()
        }
    };
    let created = |r: &ActivationRequest| match r {
        ActivationRequest::Role(r) => r.created_date_time.as_ref().and_then(|t| t.to_utc().ok()),
        ActivationRequest::Group(r) => r.created_date_time.as_ref().and_then(|t| t.to_utc().ok()),
    };
    Ok(found.into_iter().max_by_key(created))
}
