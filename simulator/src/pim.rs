//! PIM's behaviour: who may do what, policy evaluation, the request state machine,
//! approvals and policy edits.
//!
//! # The request state machine
//!
//! ```text
//!  create ──▶ (validation fails) ──▶ 400, nothing stored
//!    │
//!    ├─ approval required ──▶ PendingApproval ──approve──▶ Granted ─┐
//!    │                          │    └──deny──▶ Denied              │
//!    │                          └──cancel──▶ Canceled / Revoked     │
//!    ├─ selfExtend / selfRenew ──▶ PendingAdminDecision             │
//!    ├─ selfDeactivate / adminRemove ──▶ Revoked (takes effect now) │
//!    └─ otherwise ──▶ Granted ──▶ PendingProvisioning ──▶ Provisioned
//!                        └──cancel──▶ Canceled / Revoked   (after the provisioning delay)
//! ```
//!
//! A request takes effect when it becomes `Provisioned`: an activation creates an
//! assignment schedule (`assignmentType` `Activated`, its instance appearing while the
//! window contains the simulated time) and the eligibility stays; a deactivation or
//! removal ends the schedule at once; an update, extension or renewal changes or revives
//! it. Time-driven changes (provisioning, expiry) are applied lazily by [`World::tick`],
//! which every request runs first, so a test that advances the clock sees the result on
//! its next call.
//!
//! # Policy evaluation
//!
//! A request is checked against the rules of the policy assigned to its role (or group
//! access), the way the service names them: `ExpirationRule` (duration over the maximum,
//! or no end where one is required), `JustificationRule`, `TicketingRule`, `MfaRule` (the
//! token's sign-in did not use MFA) and, for an activation without an eligibility,
//! `EligibilityRule`; all failures are reported together in
//! `RoleAssignmentRequestPolicyValidationFailed`. An authentication context the token
//! does not satisfy gives `RoleAssignmentRequestAcrsValidationFailed` with the claims
//! challenge. An approval rule sends the request to `PendingApproval` with one step per
//! approval stage. `isValidationOnly` runs every check and stores nothing.
//!
//! # Who may do what
//!
//! Administrators are principals with an active Global Administrator or Privileged Role
//! Administrator assignment (so activating the latter really grants the right), app-only
//! tokens with a `ReadWrite` application permission of the surface, and, for a group's
//! assignments, its owners. Readers are administrators, active Global Readers, Security
//! Readers and Security Administrators, and app-only tokens with any PIM read
//! permission. Everyone may read role definitions and their own requests, schedules and
//! instances (`filterByCurrentUser`).

use chrono::{DateTime, TimeDelta, Utc};
use pim_api::models::{
    PrivilegedAccessGroupAssignmentScheduleRequest,
    PrivilegedAccessGroupEligibilityScheduleRequest, RequestSchedule, TicketInfo,
    UnifiedRoleAssignmentScheduleRequest, UnifiedRoleEligibilityScheduleRequest,
    UnifiedRoleManagementPolicy, UnifiedRoleManagementPolicyRuleKind as Rule, UserSetKind,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::render::{self, Set};
use crate::tenant::{GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR, READER_ROLES};
use crate::world::{
    Action, ApprovalRecord, Expiration, Kind, PrincipalKind, RequestRecord, ScheduleRecord,
    StepRecord, Surface, Target, World, new_id, parse_duration,
};

/// How long an activation must last before it may be deactivated.
pub const MINIMUM_ACTIVE: TimeDelta = TimeDelta::minutes(5);

/// The authenticated caller of one request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The principal's object id.
    pub principal_id: String,
    /// The sign-in used MFA.
    pub mfa: bool,
    /// Authentication contexts satisfied.
    pub acrs: Vec<String>,
    /// Application permissions (app-only tokens).
    pub app_roles: Vec<String>,
    /// The principal is a service principal (an app-only token).
    pub is_app: bool,
}

/// `t + d`, saturating instead of overflowing.
pub fn after(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A create request's body, whichever of the four request types it was.
struct Incoming {
    action_text: Option<String>,
    target: (Option<String>, Option<String>, Option<String>),
    justification: Option<String>,
    ticket: Option<TicketInfo>,
    schedule: Option<RequestSchedule>,
    validation_only: bool,
    custom_data: Option<String>,
}

fn decode<T: DeserializeOwned + pim_api::edm::derive_support::Model>(
    body: &[u8],
    type_name: &str,
) -> Result<T, ApiError> {
    let model: T = serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::unreadable_body()
        } else {
            ApiError::invalid_model(e)
        }
    })?;
    if let Some(unknown) = model
        .additional_properties()
        .keys()
        .find(|k| !k.starts_with('@') && !k.contains("@odata."))
    {
        return Err(ApiError::bad_request(format!(
            "The property '{}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type.",
            unknown.chars().take(100).collect::<String>()
        )));
    }
    Ok(model)
}

fn incoming(surface: Surface, kind: Kind, body: &[u8]) -> Result<Incoming, ApiError> {
    let name = Set::Requests(surface, kind).info().type_name;
    let access = |a: &Option<pim_api::models::PrivilegedAccessGroupRelationships>| {
        a.as_ref()
            .map(|a| pim_api::edm::open_enum_as_str(a).to_owned())
    };
    let action = |a: &Option<pim_api::models::ScheduleRequestActions>| {
        a.as_ref()
            .map(|a| pim_api::edm::open_enum_as_str(a).to_owned())
    };
    // The four request types share every property but the target's.
    macro_rules! incoming {
        ($model:ty, |$m:ident| $action:expr, $target:expr) => {{
            let $m: $model = decode(body, name)?;
            Incoming {
                action_text: $action,
                target: $target,
                justification: $m.justification,
                ticket: $m.ticket_info,
                schedule: $m.schedule_info,
                validation_only: $m.is_validation_only.unwrap_or(false),
                custom_data: $m.custom_data,
            }
        }};
    }
    Ok(match (surface, kind) {
        (Surface::Directory, Kind::Assignment) => incoming!(
            UnifiedRoleAssignmentScheduleRequest,
            |m| m.action,
            (
                m.principal_id,
                m.role_definition_id,
                m.directory_scope_id.or(m.app_scope_id)
            )
        ),
        (Surface::Directory, Kind::Eligibility) => incoming!(
            UnifiedRoleEligibilityScheduleRequest,
            |m| m.action,
            (
                m.principal_id,
                m.role_definition_id,
                m.directory_scope_id.or(m.app_scope_id)
            )
        ),
        (Surface::Group, Kind::Assignment) => incoming!(
            PrivilegedAccessGroupAssignmentScheduleRequest,
            |m| action(&m.action),
            (m.principal_id, access(&m.access_id), m.group_id)
        ),
        (Surface::Group, Kind::Eligibility) => incoming!(
            PrivilegedAccessGroupEligibilityScheduleRequest,
            |m| action(&m.action),
            (m.principal_id, access(&m.access_id), m.group_id)
        ),
    })
}

/// The start and expiration a request's `scheduleInfo` asks for (the start no earlier
/// than now, as the service does).
fn schedule_window(
    schedule: Option<&RequestSchedule>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Expiration), ApiError> {
    let Some(s) = schedule else {
        return Ok((now, Expiration::Never));
    };
    let start = match &s.start_date_time {
        Some(t) => t
            .to_utc()
            .map_err(|e| ApiError::invalid_model(format!("scheduleInfo.startDateTime: {e}")))?
            .max(now),
        None => now,
    };
    let Some(e) = &s.expiration else {
        return Ok((start, Expiration::Never));
    };
    let kind = e
        .r#type
        .as_ref()
        .map(|t| pim_api::edm::open_enum_as_str(t).to_owned());
    let end_at = || -> Result<Option<DateTime<Utc>>, ApiError> {
        e.end_date_time
            .as_ref()
            .map(|t| {
                t.to_utc().map_err(|err| {
                    ApiError::invalid_model(format!("scheduleInfo.expiration.endDateTime: {err}"))
                })
            })
            .transpose()
    };
    let duration = || -> Result<Option<TimeDelta>, ApiError> {
        match &e.duration {
            None => Ok(None),
            Some(d) => match parse_duration(d.as_str()) {
                Some(d) if d > TimeDelta::zero() => Ok(Some(d)),
                _ => Err(ApiError::invalid_model(format!(
                    "scheduleInfo.expiration.duration: {:?} is not a positive ISO 8601 duration",
                    d.as_str()
                ))),
            },
        }
    };
    let expiration = match kind.as_deref() {
        Some("noExpiration") => Expiration::Never,
        Some("afterDateTime") => Expiration::At(
            end_at()?.ok_or_else(|| ApiError::missing("scheduleInfo.expiration.endDateTime"))?,
        ),
        Some("afterDuration") => Expiration::At(after(
            start,
            duration()?.ok_or_else(|| ApiError::missing("scheduleInfo.expiration.duration"))?,
        )),
        None | Some("notSpecified") => match (end_at()?, duration()?) {
            (Some(end), _) => Expiration::At(end),
            (None, Some(d)) => Expiration::At(after(start, d)),
            (None, None) => Expiration::Never,
        },
        Some(other) => {
            return Err(ApiError::invalid_model(format!(
                "scheduleInfo.expiration.type: {:?} is not an expirationPatternType",
                other.chars().take(50).collect::<String>()
            )));
        }
    };
    if let Expiration::At(end) = expiration
        && end <= start
    {
        return Err(ApiError::invalid_request(
            "The schedule ends before it starts.",
        ));
    }
    Ok((start, expiration))
}

/// A rule of `policy` by id.
fn rule<'a>(policy: &'a UnifiedRoleManagementPolicy, id: &str) -> Option<&'a Rule> {
    policy
        .rules
        .as_ref()?
        .iter()
        .find(|r| rule_id(r) == Some(id))
}

/// A rule's id, whatever its type.
pub fn rule_id(r: &Rule) -> Option<&str> {
    match r {
        Rule::UnifiedRoleManagementPolicyRule(x) => x.id.as_deref(),
        Rule::UnifiedRoleManagementPolicyApprovalRule(x) => x.id.as_deref(),
        Rule::UnifiedRoleManagementPolicyAuthenticationContextRule(x) => x.id.as_deref(),
        Rule::UnifiedRoleManagementPolicyEnablementRule(x) => x.id.as_deref(),
        Rule::UnifiedRoleManagementPolicyExpirationRule(x) => x.id.as_deref(),
        Rule::UnifiedRoleManagementPolicyNotificationRule(x) => x.id.as_deref(),
        _ => None,
    }
}

fn enabled_rules(policy: &UnifiedRoleManagementPolicy, id: &str) -> Vec<String> {
    match rule(policy, id) {
        Some(Rule::UnifiedRoleManagementPolicyEnablementRule(r)) => {
            r.enabled_rules.clone().unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// What a policy asks of one kind of request, and who approves it.
struct Verdict {
    failed: Vec<&'static str>,
    claims: Option<String>,
    approvers: Option<Vec<Vec<String>>>,
}

impl World {
    /// Applies every time-driven change due at `now`: granted requests whose provisioning
    /// delay passed take effect; schedules whose end passed expire.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        for i in 0..self.requests.len() {
            let r = &self.requests[i];
            if r.status != "Granted" && r.status != "PendingProvisioning" {
                continue;
            }
            match r.provision_at {
                Some(at) if at <= now => self.provision(i, at),
                _ if r.status == "Granted" && now > r.created => {
                    self.requests[i].status = "PendingProvisioning".into();
                }
                _ => {}
            }
        }
        for s in &mut self.schedules {
            if s.ended.is_none()
                && let Some(end) = s.end
                && end <= now
            {
                s.ended = Some(end);
            }
        }
    }

    /// The directory roles `principal` holds actively at `now`.
    fn active_roles(&self, principal: &str, now: DateTime<Utc>) -> impl Iterator<Item = &str> {
        self.schedules
            .iter()
            .filter(move |s| {
                s.surface == Surface::Directory
                    && s.kind == Kind::Assignment
                    && s.target.principal_id.eq_ignore_ascii_case(principal)
                    && s.active_at(now)
            })
            .map(|s| s.target.role.as_str())
    }

    fn holds(&self, caller: &Caller, roles: &[&str], now: DateTime<Utc>) -> bool {
        self.active_roles(&caller.principal_id, now)
            .any(|r| roles.iter().any(|x| x.eq_ignore_ascii_case(r)))
    }

    /// Whether `caller` may administer PIM on `surface` (for a group: `group`).
    pub fn is_admin(
        &self,
        caller: &Caller,
        surface: Surface,
        group: Option<&str>,
        now: DateTime<Utc>,
    ) -> bool {
        let app_suffix = match surface {
            Surface::Directory => "ReadWrite.Directory",
            Surface::Group => "ReadWrite.AzureADGroup",
        };
        if caller
            .app_roles
            .iter()
            .any(|r| r.ends_with(app_suffix) || r == "RoleManagement.ReadWrite.Directory")
        {
            return true;
        }
        if self.holds(
            caller,
            &[GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR],
            now,
        ) {
            return true;
        }
        match (surface, group) {
            (Surface::Group, Some(g)) => self.is_group_owner(&caller.principal_id, g, now),
            _ => false,
        }
    }

    fn is_group_owner(&self, principal: &str, group: &str, now: DateTime<Utc>) -> bool {
        let static_owner = self.principal(group).is_some_and(|p| match &p.kind {
            PrincipalKind::Group(owners) => {
                owners.iter().any(|o| o.eq_ignore_ascii_case(principal))
            }
            _ => false,
        });
        static_owner
            || self.schedules.iter().any(|s| {
                s.surface == Surface::Group
                    && s.kind == Kind::Assignment
                    && s.target.scope.eq_ignore_ascii_case(group)
                    && s.target.role == "owner"
                    && s.target.principal_id.eq_ignore_ascii_case(principal)
                    && s.active_at(now)
            })
    }

    /// Whether `caller` may read every PIM object.
    pub fn is_reader(&self, caller: &Caller, now: DateTime<Utc>) -> bool {
        caller.app_roles.iter().any(|r| r.contains(".Read"))
            || self.holds(
                caller,
                &[GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR],
                now,
            )
            || self.holds(caller, READER_ROLES, now)
    }

    /// `POST …/{role|group}{Assignment|Eligibility}ScheduleRequests`: validates the
    /// request body against the state and the policy, stores the request (unless
    /// `isValidationOnly`) and returns it as the 201 body.
    pub fn create_request(
        &mut self,
        surface: Surface,
        kind: Kind,
        body: &[u8],
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(Value, Option<String>), ApiError> {
        let inc = incoming(surface, kind, body)?;
        let action_text = inc
            .action_text
            .clone()
            .ok_or_else(|| ApiError::missing("action"))?;
        let action = Action::parse(&action_text).ok_or_else(|| {
            ApiError::invalid_request(format!(
                "'{}' is not a request action.",
                action_text.chars().take(50).collect::<String>()
            ))
        })?;
        let (principal, role, scope) = inc.target.clone();
        let (role_name, scope_name) = match surface {
            Surface::Directory => ("roleDefinitionId", "directoryScopeId"),
            Surface::Group => ("accessId", "groupId"),
        };
        let principal = principal.ok_or_else(|| ApiError::missing("principalId"))?;
        let role = role.ok_or_else(|| ApiError::missing(role_name))?;
        let scope = scope.ok_or_else(|| ApiError::missing(scope_name))?;
        if self.principal(&principal).is_none() {
            return Err(ApiError::invalid_request(format!(
                "The principal '{}' does not exist.",
                principal.chars().take(100).collect::<String>()
            )));
        }
        match surface {
            Surface::Directory => {
                if self.role(&role).is_none() {
                    return Err(ApiError::invalid_request(format!(
                        "The role definition '{}' does not exist.",
                        role.chars().take(100).collect::<String>()
                    )));
                }
                if !scope.starts_with('/') {
                    return Err(ApiError::invalid_request(
                        "The directory scope must start with '/'.",
                    ));
                }
            }
            Surface::Group => {
                if !matches!(
                    self.principal(&scope).map(|p| &p.kind),
                    Some(PrincipalKind::Group(_))
                ) {
                    return Err(ApiError::invalid_request(format!(
                        "The group '{}' does not exist.",
                        scope.chars().take(100).collect::<String>()
                    )));
                }
                if role != "member" && role != "owner" {
                    return Err(ApiError::invalid_request(
                        "accessId must be member or owner.",
                    ));
                }
            }
        }
        // Stored ids are lower case, as the directory returns them.
        let target = Target {
            principal_id: principal.to_ascii_lowercase(),
            role: match surface {
                Surface::Directory => self.role(&role).and_then(|r| r.id.clone()).unwrap_or(role),
                Surface::Group => role,
            },
            scope: match surface {
                Surface::Directory => scope,
                Surface::Group => scope.to_ascii_lowercase(),
            },
        };
        if action.is_self() {
            if caller.is_app
                || !caller
                    .principal_id
                    .eq_ignore_ascii_case(&target.principal_id)
            {
                return Err(ApiError::invalid_request(
                    "A self action must be requested by the principal itself, with a delegated token.",
                ));
            }
            if kind == Kind::Eligibility && action == Action::SelfActivate {
                return Err(ApiError::invalid_request(
                    "selfActivate applies to assignment requests, not eligibilities.",
                ));
            }
        } else if !self.is_admin(caller, surface, Some(&target.scope), now) {
            return Err(ApiError::forbidden());
        }
        let (start, expiration) = schedule_window(inc.schedule.as_ref(), now)?;

        // The state the action needs.
        let current = |w: &World, k: Kind| -> Option<usize> {
            w.schedules.iter().position(|s| {
                s.surface == surface && s.kind == k && s.target.same(&target) && s.current()
            })
        };
        let eligibility = self
            .schedules
            .iter()
            .find(|s| {
                s.surface == surface
                    && s.kind == Kind::Eligibility
                    && s.target.same(&target)
                    && s.active_at(now)
            })
            .map(|s| s.id.clone());
        let pending = self.requests.iter().any(|r| {
            r.surface == surface
                && r.kind == kind
                && r.target.same(&target)
                && matches!(
                    r.status.as_str(),
                    "Granted" | "PendingProvisioning" | "PendingApproval" | "PendingAdminDecision"
                )
        });
        let mut target_schedule = None;
        match action {
            Action::AdminAssign | Action::SelfActivate => {
                if current(self, kind).is_some() {
                    return Err(ApiError::assignment_exists());
                }
                if pending {
                    return Err(ApiError::pending_request());
                }
            }
            Action::SelfDeactivate => {
                let active = self.schedules.iter().find(|s| {
                    s.surface == surface
                        && s.kind == kind
                        && s.target.same(&target)
                        && s.current()
                        && s.assignment_type == Some("Activated")
                });
                let Some(active) = active else {
                    return Err(ApiError::assignment_does_not_exist());
                };
                if now < after(active.start, MINIMUM_ACTIVE) {
                    return Err(ApiError::active_duration_too_short());
                }
                target_schedule = Some(active.id.clone());
            }
            Action::AdminRemove | Action::AdminUpdate | Action::AdminExtend => {
                let Some(i) = current(self, kind) else {
                    return Err(ApiError::assignment_does_not_exist());
                };
                if action == Action::AdminExtend && self.schedules[i].end.is_none() {
                    return Err(ApiError::invalid_request(
                        "An assignment without an end cannot be extended.",
                    ));
                }
                target_schedule = Some(self.schedules[i].id.clone());
            }
            Action::AdminRenew | Action::SelfRenew | Action::SelfExtend => {
                let found = self
                    .schedules
                    .iter()
                    .rev()
                    .find(|s| s.surface == surface && s.kind == kind && s.target.same(&target));
                let Some(found) = found else {
                    return Err(ApiError::assignment_does_not_exist());
                };
                target_schedule = Some(found.id.clone());
                if matches!(action, Action::SelfRenew | Action::SelfExtend) && pending {
                    return Err(ApiError::pending_request());
                }
            }
        }

        let verdict = self.evaluate(
            surface,
            kind,
            action,
            &target,
            &inc,
            start,
            expiration,
            caller,
            eligibility.is_some(),
        );
        if !verdict.failed.is_empty() {
            return Err(ApiError::policy_failed(&verdict.failed));
        }
        if let Some(claim) = verdict.claims {
            return Err(ApiError::acrs_failed(&claim));
        }

        let id = new_id();
        let status = if verdict.approvers.is_some() {
            "PendingApproval"
        } else {
            match action {
                Action::SelfExtend | Action::SelfRenew => "PendingAdminDecision",
                Action::SelfDeactivate | Action::AdminRemove => "Revoked",
                _ => "Granted",
            }
        };
        let mut record = RequestRecord {
            id: id.clone(),
            surface,
            kind,
            target,
            action,
            action_text,
            status: status.into(),
            created: now,
            completed: None,
            justification: inc.justification,
            ticket: inc.ticket,
            start,
            expiration,
            schedule_info: inc.schedule,
            approval_id: None,
            target_schedule_id: target_schedule.or_else(|| Some(id.clone())),
            custom_data: inc.custom_data,
            created_by: caller.principal_id.clone(),
            provision_at: (status == "Granted")
                .then(|| after(now, self.settings.provisioning_delay)),
            activated_using: eligibility.filter(|_| action == Action::SelfActivate),
        };
        if inc.validation_only {
            let mut echo = render::request(self, &record);
            echo["isValidationOnly"] = Value::Bool(true);
            return Ok((echo, None));
        }
        if let Some(stages) = verdict.approvers {
            let approval_id = new_id();
            record.approval_id = Some(approval_id.clone());
            let steps = stages
                .into_iter()
                .enumerate()
                .map(|(i, approvers)| StepRecord {
                    id: new_id(),
                    approvers,
                    status: if i == 0 { "InProgress" } else { "NotStarted" },
                    review_result: "NotReviewed",
                    reviewed_by: None,
                    reviewed_at: None,
                    justification: None,
                    justification_required: true,
                })
                .collect();
            self.approvals.push(ApprovalRecord {
                id: approval_id,
                request_id: id.clone(),
                surface,
                steps,
            });
        }
        if status == "Revoked" {
            record.completed = Some(now);
            if let Some(sid) = &record.target_schedule_id
                && let Some(s) = self.schedules.iter_mut().find(|s| &s.id == sid)
            {
                s.ended = Some(now);
                s.modified = now;
            }
        }
        let body = render::request(self, &record);
        self.requests.push(record);
        Ok((body, Some(id)))
    }

    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        surface: Surface,
        kind: Kind,
        action: Action,
        target: &Target,
        inc: &Incoming,
        start: DateTime<Utc>,
        expiration: Expiration,
        caller: &Caller,
        eligible: bool,
    ) -> Verdict {
        let mut verdict = Verdict {
            failed: Vec::new(),
            claims: None,
            approvers: None,
        };
        if matches!(action, Action::SelfDeactivate | Action::AdminRemove) {
            return verdict;
        }
        let Some(policy) = self
            .policy_index(surface, &target.scope, &target.role)
            .map(|i| &self.policies[i])
        else {
            return verdict;
        };
        // An eligibility, even one a user asks to extend, lasts what the administrators'
        // eligibility rules allow; an activation what the end users' rules allow.
        let (expiration_rule, enablement_rule) = match (action.is_self(), kind) {
            (true, Kind::Assignment) => (
                "Expiration_EndUser_Assignment",
                "Enablement_EndUser_Assignment",
            ),
            (false, Kind::Assignment) => {
                ("Expiration_Admin_Assignment", "Enablement_Admin_Assignment")
            }
            (_, Kind::Eligibility) => (
                "Expiration_Admin_Eligibility",
                "Enablement_Admin_Eligibility",
            ),
        };
        if action == Action::SelfActivate && !eligible {
            verdict.failed.push("EligibilityRule");
        }
        if let Some(Rule::UnifiedRoleManagementPolicyExpirationRule(r)) =
            rule(policy, expiration_rule)
        {
            let max = r
                .maximum_duration
                .as_ref()
                .and_then(|d| parse_duration(d.as_str()));
            let too_long = match expiration {
                Expiration::Never => r.is_expiration_required == Some(true),
                Expiration::At(end) => max.is_some_and(|m| end - start > m),
            };
            if too_long {
                verdict.failed.push("ExpirationRule");
            }
        }
        let enabled = enabled_rules(policy, enablement_rule);
        let has = |name: &str| enabled.iter().any(|e| e.eq_ignore_ascii_case(name));
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if has("Justification") && blank(&inc.justification) {
            verdict.failed.push("JustificationRule");
        }
        if has("Ticketing")
            && inc
                .ticket
                .as_ref()
                .is_none_or(|t| blank(&t.ticket_number) || blank(&t.ticket_system))
        {
            verdict.failed.push("TicketingRule");
        }
        if has("MultiFactorAuthentication") && !caller.mfa {
            verdict.failed.push("MfaRule");
        }
        if action == Action::SelfActivate {
            if let Some(Rule::UnifiedRoleManagementPolicyAuthenticationContextRule(r)) =
                rule(policy, "AuthenticationContext_EndUser_Assignment")
                && r.is_enabled == Some(true)
                && let Some(claim) = r.claim_value.as_deref().filter(|c| !c.is_empty())
                && !caller.acrs.iter().any(|a| a == claim)
            {
                verdict.claims = Some(claim.to_owned());
            }
            if let Some(Rule::UnifiedRoleManagementPolicyApprovalRule(r)) =
                rule(policy, "Approval_EndUser_Assignment")
                && let Some(setting) = &r.setting
                && setting.is_approval_required == Some(true)
            {
                let stages = setting
                    .approval_stages
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|stage| {
                        self.approvers(stage.primary_approvers.unwrap_or_default(), target)
                    })
                    .collect::<Vec<_>>();
                verdict.approvers = Some(if stages.is_empty() {
                    vec![Vec::new()]
                } else {
                    stages
                });
            }
        }
        verdict
    }

    /// The principals a stage's approver sets name (the requestor never approves).
    fn approvers(&self, sets: Vec<UserSetKind>, target: &Target) -> Vec<String> {
        let mut out = Vec::new();
        for set in sets {
            match set {
                UserSetKind::SingleUser(u) => out.extend(u.id),
                UserSetKind::GroupMembers(g) => {
                    if let Some(group) = g.id {
                        out.extend(
                            self.schedules
                                .iter()
                                .filter(|s| {
                                    s.surface == Surface::Group
                                        && s.kind == Kind::Assignment
                                        && s.target.scope.eq_ignore_ascii_case(&group)
                                        && s.current()
                                })
                                .map(|s| s.target.principal_id.clone()),
                        );
                    }
                }
                other => tracing::warn!(?other, "approver set not simulated; ignored"),
            }
        }
        out.retain(|a| !a.eq_ignore_ascii_case(&target.principal_id));
        out.sort();
        out.dedup();
        out
    }

    /// A granted request takes effect at `at`.
    fn provision(&mut self, index: usize, at: DateTime<Utc>) {
        let rec = self.requests[index].clone();
        let end = match rec.expiration {
            Expiration::Never => None,
            Expiration::At(end) => Some(end),
        };
        let info = Some(render::schedule_info(rec.start, rec.expiration));
        let existing = rec
            .target_schedule_id
            .as_ref()
            .and_then(|id| self.schedules.iter().position(|s| &s.id == id));
        let outcome = match (rec.action, existing) {
            (Action::AdminAssign | Action::SelfActivate, None) => {
                self.schedules.push(ScheduleRecord {
                    id: rec.target_schedule_id.clone().unwrap_or_else(new_id),
                    instance_id: new_id(),
                    surface: rec.surface,
                    kind: rec.kind,
                    target: rec.target.clone(),
                    assignment_type: (rec.kind == Kind::Assignment).then_some(
                        if rec.action == Action::SelfActivate {
                            "Activated"
                        } else {
                            "Assigned"
                        },
                    ),
                    start: rec.start,
                    end,
                    schedule_info: info,
                    created: at,
                    modified: at,
                    created_using: Some(rec.id.clone()),
                    activated_using: rec.activated_using.clone(),
                    ended: None,
                });
                "Provisioned"
            }
            // An update or extension changes a current grant; a renewal may revive one.
            (Action::AdminUpdate | Action::AdminExtend, Some(i)) if self.schedules[i].current() => {
                self.change_schedule(i, &rec, end, at);
                "Provisioned"
            }
            (Action::AdminRenew, Some(i)) => {
                self.change_schedule(i, &rec, end, at);
                "Provisioned"
            }
            // The state changed while the request waited (an equal grant appeared, or the
            // schedule it changes is gone): the service fails such a request.
            _ => "Failed",
        };
        let r = &mut self.requests[index];
        r.status = outcome.into();
        r.completed = Some(at);
    }

    fn change_schedule(
        &mut self,
        i: usize,
        rec: &RequestRecord,
        end: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) {
        let s = &mut self.schedules[i];
        if rec.action == Action::AdminUpdate {
            s.start = rec.start;
        }
        s.end = end;
        s.schedule_info = Some(render::schedule_info(s.start, rec.expiration));
        s.modified = at;
        s.ended = None;
    }

    /// `POST …ScheduleRequests/{id}/cancel`.
    pub fn cancel_request(
        &mut self,
        surface: Surface,
        kind: Kind,
        id: &str,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let index = self
            .requests
            .iter()
            .position(|r| r.surface == surface && r.kind == kind && r.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| ApiError::not_found("Request", id))?;
        let r = &self.requests[index];
        let own = r.created_by.eq_ignore_ascii_case(&caller.principal_id)
            || r.target
                .principal_id
                .eq_ignore_ascii_case(&caller.principal_id);
        if !own && !self.is_admin(caller, surface, Some(&r.target.scope), now) {
            return Err(ApiError::forbidden());
        }
        if !matches!(
            r.status.as_str(),
            "Granted" | "PendingProvisioning" | "PendingApproval" | "PendingAdminDecision"
        ) {
            return Err(ApiError::cannot_cancel());
        }
        let approval_id = r.approval_id.clone();
        let r = &mut self.requests[index];
        r.status = match kind {
            Kind::Assignment => "Canceled",
            Kind::Eligibility => "Revoked",
        }
        .into();
        r.completed = Some(now);
        r.provision_at = None;
        if let Some(a) = approval_id.and_then(|a| self.approvals.iter_mut().find(|x| x.id == a)) {
            for s in &mut a.steps {
                if s.status != "Completed" {
                    s.status = "Completed";
                }
            }
        }
        Ok(())
    }

    /// `PATCH …/{approvalId}/steps/{stepId}` with `reviewResult` and `justification`.
    pub fn decide_step(
        &mut self,
        surface: Surface,
        approval_id: &str,
        step_id: &str,
        body: &[u8],
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let update: pim_api::models::ApprovalStep = decode(body, "microsoft.graph.approvalStep")?;
        let a = self
            .approvals
            .iter()
            .position(|a| a.surface == surface && a.id.eq_ignore_ascii_case(approval_id))
            .ok_or_else(|| ApiError::not_found("Approval", approval_id))?;
        let s = self.approvals[a]
            .steps
            .iter()
            .position(|s| s.id.eq_ignore_ascii_case(step_id))
            .ok_or_else(|| ApiError::not_found("Approval step", step_id))?;
        let step = &self.approvals[a].steps[s];
        if !step
            .approvers
            .iter()
            .any(|x| x.eq_ignore_ascii_case(&caller.principal_id))
        {
            return Err(ApiError::forbidden());
        }
        if step.status != "InProgress" {
            return Err(ApiError::bad_request(
                "The approval step is not in progress.",
            ));
        }
        let approve = match update.review_result.as_deref() {
            Some(r) if r.eq_ignore_ascii_case("Approve") => true,
            Some(r) if r.eq_ignore_ascii_case("Deny") => false,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "reviewResult must be Approve or Deny.",
                ));
            }
            None => return Err(ApiError::missing("reviewResult")),
        };
        if step.justification_required
            && update
                .justification
                .as_deref()
                .is_none_or(|j| j.trim().is_empty())
        {
            return Err(ApiError::missing("justification"));
        }
        let approval = &mut self.approvals[a];
        let step = &mut approval.steps[s];
        step.status = "Completed";
        step.review_result = if approve { "Approve" } else { "Deny" };
        step.reviewed_by = Some(caller.principal_id.clone());
        step.reviewed_at = Some(now);
        step.justification = update.justification;
        let next = approval.steps.iter_mut().find(|x| x.status == "NotStarted");
        let request_id = approval.request_id.clone();
        let Some(r) = self.requests.iter_mut().find(|r| r.id == request_id) else {
            return Ok(());
        };
        if !approve {
            r.status = "Denied".into();
            r.completed = Some(now);
            return Ok(());
        }
        match next {
            Some(next) => next.status = "InProgress",
            None => {
                r.status = "Granted".into();
                r.provision_at = Some(after(now, self.settings.provisioning_delay));
            }
        }
        Ok(())
    }

    /// `PATCH /policies/roleManagementPolicies/{id}/rules/{ruleId}`: merges the body into
    /// the rule (a partial update of the same rule type) and validates the result.
    pub fn patch_rule(
        &mut self,
        policy_id: &str,
        rule_id_text: &str,
        body: &[u8],
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let p = self.policy_to_edit(policy_id, caller, now)?;
        let rules = self.policies[p].rules.clone().unwrap_or_default();
        let r = rules
            .iter()
            .position(|r| rule_id(r).is_some_and(|i| i.eq_ignore_ascii_case(rule_id_text)))
            .ok_or_else(|| ApiError::not_found("Rule", rule_id_text))?;
        let patch: Value = serde_json::from_slice(body).map_err(|_| ApiError::unreadable_body())?;
        let merged = merge_rule(&rules[r], &patch)?;
        let mut policy = self.policies[p].clone();
        if let Some(list) = &mut policy.rules {
            list[r] = merged;
        }
        policy.last_modified_date_time = Some(render::dto(now));
        self.policies[p] = policy;
        Ok(())
    }

    /// `PATCH /policies/roleManagementPolicies/{id}` with `rules`: each rule in the body is
    /// merged into the policy's rule of the same id.
    pub fn patch_policy(
        &mut self,
        policy_id: &str,
        body: &[u8],
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let p = self.policy_to_edit(policy_id, caller, now)?;
        let patch: Value = serde_json::from_slice(body).map_err(|_| ApiError::unreadable_body())?;
        let Value::Object(fields) = &patch else {
            return Err(ApiError::invalid_model("the body is not an object"));
        };
        let mut policy = self.policies[p].clone();
        for (key, value) in fields {
            match key.as_str() {
                "rules" => {
                    let Value::Array(items) = value else {
                        return Err(ApiError::invalid_model("rules is not an array"));
                    };
                    let list = policy.rules.get_or_insert_with(Vec::new);
                    for item in items {
                        let id = item
                            .get("id")
                            .and_then(Value::as_str)
                            .ok_or_else(|| ApiError::missing("rules.id"))?;
                        let r = list
                            .iter()
                            .position(|r| rule_id(r).is_some_and(|i| i.eq_ignore_ascii_case(id)))
                            .ok_or_else(|| ApiError::not_found("Rule", id))?;
                        list[r] = merge_rule(&list[r], item)?;
                    }
                }
                k if k.starts_with('@') => {}
                "displayName" | "description" | "isOrganizationDefault" => {
                    return Err(ApiError::bad_request(format!(
                        "The property '{key}' cannot be changed."
                    )));
                }
                other => {
                    return Err(ApiError::bad_request(format!(
                        "The property '{}' does not exist on type 'microsoft.graph.unifiedRoleManagementPolicy'.",
                        other.chars().take(100).collect::<String>()
                    )));
                }
            }
        }
        policy.last_modified_date_time = Some(render::dto(now));
        self.policies[p] = policy;
        Ok(())
    }

    /// The index of the policy `policy_id`, if it exists and `caller` may edit it.
    fn policy_to_edit(
        &self,
        policy_id: &str,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<usize, ApiError> {
        let p = self
            .policies
            .iter()
            .position(|p| {
                p.id.as_deref()
                    .is_some_and(|i| i.eq_ignore_ascii_case(policy_id))
            })
            .ok_or_else(|| ApiError::not_found("Policy", policy_id))?;
        self.authorize_policy_edit(p, caller, now)?;
        Ok(p)
    }

    fn authorize_policy_edit(
        &self,
        p: usize,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let policy = &self.policies[p];
        let (surface, group) = match policy.scope_type.as_deref() {
            Some("Group") => (Surface::Group, policy.scope_id.as_deref()),
            _ => (Surface::Directory, None),
        };
        let app = caller.app_roles.iter().any(|r| {
            r == "RoleManagementPolicy.ReadWrite.Directory"
                || r == "RoleManagementPolicy.ReadWrite.AzureADGroup"
        });
        if app || self.is_admin(caller, surface, group, now) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// A rule with `patch`'s members applied: the type must stay the same, the id may not
/// change, and the result must decode as the rule's model and be a valid policy.
fn merge_rule(current: &Rule, patch: &Value) -> Result<Rule, ApiError> {
    let Value::Object(patch) = patch else {
        return Err(ApiError::invalid_model("the body is not an object"));
    };
    let mut merged = render::rule(current);
    let Value::Object(target) = &mut merged else {
        return Err(ApiError::invalid_model("the rule is not an object"));
    };
    for (k, v) in patch {
        match k.as_str() {
            "@odata.type" => {
                let name = current.odata_type().trim_start_matches("#microsoft.graph.");
                let same = v.as_str().is_some_and(|t| {
                    pim_api::edm::odata_type_is(t, "microsoft.graph", Some("graph"), name)
                });
                if !same {
                    return Err(ApiError::new(
                        400,
                        "InvalidPolicy",
                        "The policy is invalid. A rule's @odata.type cannot change.",
                    ));
                }
            }
            "id" => {
                if v.as_str() != rule_id(current) {
                    return Err(ApiError::new(
                        400,
                        "InvalidPolicy",
                        "The policy is invalid. A rule's id cannot change.",
                    ));
                }
            }
            _ => {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    let rule: Rule = serde_json::from_value(merged).map_err(ApiError::invalid_model)?;
    let known = crate::render::Set::Rules.info();
    if let Some(extra) = rule
        .additional_properties()
        .keys()
        .find(|k| !k.starts_with('@') && !known.properties.contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "The property '{}' does not exist on type '{}'.",
            extra.chars().take(100).collect::<String>(),
            current.odata_type().trim_start_matches('#')
        )));
    }
    if let Rule::UnifiedRoleManagementPolicyExpirationRule(e) = &rule
        && let Some(d) = &e.maximum_duration
        && parse_duration(d.as_str()).is_none_or(|d| d <= TimeDelta::zero())
    {
        return Err(ApiError::new(
            400,
            "InvalidPolicy",
            "The policy is invalid.",
        ));
    }
    Ok(rule)
}
