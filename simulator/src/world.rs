//! The simulated directory's state, in memory, and how a [`Tenant`] seeds it.
//!
//! Directory objects, role definitions and policies are stored as pim-api's own models
//! (policies are edited by PATCH and read back as they are). PIM's moving parts — requests,
//! schedules and approvals — are plain records ([`RequestRecord`], [`ScheduleRecord`],
//! [`ApprovalRecord`]) that one state machine ([`crate::pim`]) changes; `render` turns them
//! into models for the wire. Roles and groups share the records: a [`Target`] is a
//! principal, a role (a role definition id, or a group's `member`/`owner` access) and a
//! scope (a directory scope id, or the group's id).
//!
//! Schedule *instances* are not stored: an instance is a schedule seen at one moment, so
//! it exists exactly while its schedule's window contains the simulated time.

use chrono::{DateTime, TimeDelta, Utc};
use pim_api::edm::Duration as EdmDuration;
use pim_api::models::{
    UnifiedRoleDefinition, UnifiedRoleManagementPolicy, UnifiedRoleManagementPolicyAssignment,
    UnifiedRoleManagementPolicyRuleKind, UnifiedRolePermission,
};
use serde_json::json;

use crate::tenant::{BUILTIN_ROLES, GrantSpec, PolicySpec, RequestSpec, Tenant, TenantError};

/// Roles (`/roleManagement/directory`) or groups (`/identityGovernance/privilegedAccess/group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Surface {
    /// Microsoft Entra roles.
    Directory,
    /// PIM for groups.
    Group,
}

/// Active assignments or eligibilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Active (assignment schedules and requests).
    Assignment,
    /// Eligible (eligibility schedules and requests).
    Eligibility,
}

/// Who holds what, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The principal's object id.
    pub principal_id: String,
    /// A role definition id, or `member` / `owner` for a group.
    pub role: String,
    /// A directory scope id (`/`), or the group's id.
    pub scope: String,
}

impl Target {
    /// Equal ignoring ASCII case (Entra's ids are case-insensitive).
    pub fn same(&self, other: &Target) -> bool {
        self.principal_id.eq_ignore_ascii_case(&other.principal_id)
            && self.role.eq_ignore_ascii_case(&other.role)
            && self.scope.eq_ignore_ascii_case(&other.scope)
    }
}

/// The request actions the service documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `adminAssign`.
    AdminAssign,
    /// `adminUpdate`.
    AdminUpdate,
    /// `adminRemove`.
    AdminRemove,
    /// `adminExtend`.
    AdminExtend,
    /// `adminRenew`.
    AdminRenew,
    /// `selfActivate`.
    SelfActivate,
    /// `selfDeactivate`.
    SelfDeactivate,
    /// `selfExtend`.
    SelfExtend,
    /// `selfRenew`.
    SelfRenew,
}

impl Action {
    /// Every action with its wire name.
    pub const ALL: [(Action, &'static str); 9] = [
        (Action::AdminAssign, "adminAssign"),
        (Action::AdminUpdate, "adminUpdate"),
        (Action::AdminRemove, "adminRemove"),
        (Action::AdminExtend, "adminExtend"),
        (Action::AdminRenew, "adminRenew"),
        (Action::SelfActivate, "selfActivate"),
        (Action::SelfDeactivate, "selfDeactivate"),
        (Action::SelfExtend, "selfExtend"),
        (Action::SelfRenew, "selfRenew"),
    ];

    /// Parses a wire name, in any case (the docs write `AdminAssign` and `adminAssign`).
    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text))
            .map(|(a, _)| *a)
    }

    /// Whether a principal does it for themselves.
    pub fn is_self(self) -> bool {
        matches!(
            self,
            Action::SelfActivate | Action::SelfDeactivate | Action::SelfExtend | Action::SelfRenew
        )
    }
}

/// When a grant ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiration {
    /// Never (`noExpiration`).
    Never,
    /// At this time (`afterDateTime`, or `afterDuration` from the start).
    At(DateTime<Utc>),
}

/// A schedule request, as the service keeps it.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// The request's id.
    pub id: String,
    /// Roles or groups.
    pub surface: Surface,
    /// Assignment or eligibility.
    pub kind: Kind,
    /// Who, what, where.
    pub target: Target,
    /// What is asked.
    pub action: Action,
    /// The action as the client wrote it (the service echoes it back verbatim).
    pub action_text: String,
    /// `status`.
    pub status: String,
    /// `createdDateTime`.
    pub created: DateTime<Utc>,
    /// `completedDateTime`.
    pub completed: Option<DateTime<Utc>>,
    /// `justification`.
    pub justification: Option<String>,
    /// `ticketInfo` as sent.
    pub ticket: Option<pim_api::models::TicketInfo>,
    /// When the grant starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub expiration: Expiration,
    /// The expiration as the client wrote it (type, duration or end), echoed back.
    pub schedule_info: Option<pim_api::models::RequestSchedule>,
    /// `approvalId`, when the request needs approval.
    pub approval_id: Option<String>,
    /// `targetScheduleId`.
    pub target_schedule_id: Option<String>,
    /// `customData`.
    pub custom_data: Option<String>,
    /// Who created it (a principal id).
    pub created_by: String,
    /// When a granted request takes effect (becomes `Provisioned`).
    pub provision_at: Option<DateTime<Utc>>,
    /// The eligibility schedule an activation uses.
    pub activated_using: Option<String>,
}

/// An assignment or eligibility schedule.
#[derive(Clone, Debug)]
pub struct ScheduleRecord {
    /// The schedule's id.
    pub id: String,
    /// The id of its instance.
    pub instance_id: String,
    /// Roles or groups.
    pub surface: Surface,
    /// Assignment or eligibility.
    pub kind: Kind,
    /// Who, what, where.
    pub target: Target,
    /// `Assigned` or `Activated` (assignments only).
    pub assignment_type: Option<&'static str>,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: Option<DateTime<Utc>>,
    /// The expiration as requested, echoed in `scheduleInfo`.
    pub schedule_info: Option<pim_api::models::RequestSchedule>,
    /// `createdDateTime`.
    pub created: DateTime<Utc>,
    /// `modifiedDateTime`.
    pub modified: DateTime<Utc>,
    /// `createdUsing`: the request that made it.
    pub created_using: Option<String>,
    /// The eligibility schedule an activation came from.
    pub activated_using: Option<String>,
    /// When it stopped (removed, deactivated or expired); kept so it can be renewed.
    pub ended: Option<DateTime<Utc>>,
}

impl ScheduleRecord {
    /// Whether it is in effect at `now`.
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.ended.is_none() && self.start <= now && self.end.is_none_or(|end| now < end)
    }

    /// Whether it is current (not ended; it may start later).
    pub fn current(&self) -> bool {
        self.ended.is_none()
    }
}

/// One approval step (a stage of the policy's approval rule).
#[derive(Clone, Debug)]
pub struct StepRecord {
    /// The step's id.
    pub id: String,
    /// Principals who may decide it.
    pub approvers: Vec<String>,
    /// `NotStarted`, `InProgress`, `Completed`.
    pub status: &'static str,
    /// `NotReviewed`, `Approve`, `Deny`.
    pub review_result: &'static str,
    /// Who decided.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The approver's justification.
    pub justification: Option<String>,
    /// Whether the approver must give a justification.
    pub justification_required: bool,
}

/// An approval of a request.
#[derive(Clone, Debug)]
pub struct ApprovalRecord {
    /// The approval's id (the request's `approvalId`).
    pub id: String,
    /// The request it decides.
    pub request_id: String,
    /// Roles or groups.
    pub surface: Surface,
    /// Its steps, in order.
    pub steps: Vec<StepRecord>,
}

/// What a principal is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// A user, with its `userPrincipalName`.
    User(String),
    /// A group, with its owners' ids.
    Group(Vec<String>),
    /// A service principal, with its application id.
    ServicePrincipal(String),
}

/// A directory object.
#[derive(Clone, Debug)]
pub struct Principal {
    /// Object id.
    pub id: String,
    /// The tenant file's handle.
    pub name: String,
    /// `displayName`.
    pub display_name: String,
    /// What it is.
    pub kind: PrincipalKind,
}

/// A bearer token the service accepts.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    /// The token text.
    pub value: String,
    /// The principal's object id.
    pub principal_id: String,
    /// `amr` has `mfa`.
    pub mfa: bool,
    /// `acrs` claim values.
    pub acrs: Vec<String>,
    /// `roles` claim (application permissions).
    pub app_roles: Vec<String>,
    /// Expiry, in simulated time.
    pub expires: Option<DateTime<Utc>>,
    /// Printed as `GRAPH_TOKEN`.
    pub default: bool,
}

/// Service behaviour settings, resolved.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Granted → Provisioned after this.
    pub provisioning_delay: TimeDelta,
    /// Items per page without `$top`.
    pub page_size: usize,
    /// Largest request body.
    pub max_body_bytes: usize,
}

/// The whole simulated state.
#[derive(Clone, Debug)]
pub struct World {
    /// The tenant id.
    pub tenant_id: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// Behaviour settings.
    pub settings: Settings,
    /// Users, groups and service principals.
    pub principals: Vec<Principal>,
    /// Role definitions.
    pub roles: Vec<UnifiedRoleDefinition>,
    /// Policies, with their rules.
    pub policies: Vec<UnifiedRoleManagementPolicy>,
    /// Which policy applies to which role or group.
    pub policy_assignments: Vec<UnifiedRoleManagementPolicyAssignment>,
    /// Every request ever created (validation-only ones excepted).
    pub requests: Vec<RequestRecord>,
    /// Every schedule, current and ended.
    pub schedules: Vec<ScheduleRecord>,
    /// Approvals.
    pub approvals: Vec<ApprovalRecord>,
    /// Accepted tokens.
    pub tokens: Vec<TokenRecord>,
}

/// A new random id (lower-case GUID).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A GUID derived from a name, stable across runs (for ids a tenant file leaves out).
fn derived_id(kind: &str, name: &str) -> String {
    // FNV-1a over the name, spread over 128 bits: not cryptographic, just stable.
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in kind.bytes().chain([0]).chain(name.bytes()) {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    uuid::Builder::from_u128(h)
        .with_variant(uuid::Variant::RFC4122)
        .with_version(uuid::Version::Random)
        .into_uuid()
        .to_string()
}

fn invalid(where_: impl Into<String>, message: impl Into<String>) -> TenantError {
    TenantError::Invalid {
        where_: where_.into(),
        message: message.into(),
    }
}

fn parse_time(where_: &str, text: &str) -> Result<DateTime<Utc>, TenantError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            invalid(
                where_,
                format!("{text:?} is not an RFC 3339 date-time: {e}"),
            )
        })
}

/// Parses an ISO 8601 duration into a `TimeDelta`.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    EdmDuration::from_raw(text).to_time_delta().ok()
}

fn duration(where_: &str, text: &str) -> Result<TimeDelta, TenantError> {
    parse_duration(text)
        .ok_or_else(|| invalid(where_, format!("{text:?} is not an ISO 8601 duration")))
}

impl World {
    /// Builds the state a tenant describes, at simulated time `now`.
    pub fn seed(tenant: &Tenant, now: DateTime<Utc>) -> Result<World, TenantError> {
        let mut world = World {
            tenant_id: tenant.tenant.id.clone(),
            tenant_name: tenant.tenant.name.clone(),
            settings: Settings {
                provisioning_delay: duration(
                    "settings.provisioning_delay",
                    &tenant.settings.provisioning_delay,
                )?,
                page_size: tenant.settings.page_size.clamp(1, crate::odata::MAX_TOP),
                max_body_bytes: tenant.settings.max_body_bytes,
            },
            principals: Vec::new(),
            roles: Vec::new(),
            policies: Vec::new(),
            policy_assignments: Vec::new(),
            requests: Vec::new(),
            schedules: Vec::new(),
            approvals: Vec::new(),
            tokens: Vec::new(),
        };
        if uuid::Uuid::try_parse(&world.tenant_id).is_err() {
            return Err(invalid("tenant.id", "the tenant id must be a GUID"));
        }
        for (i, u) in tenant.users.iter().enumerate() {
            let upn = u
                .user_principal_name
                .clone()
                .unwrap_or_else(|| format!("{}@contoso.example", u.name));
            world.add_principal(
                &format!("users[{i}]"),
                &u.name,
                u.id.clone(),
                u.display_name.clone(),
                PrincipalKind::User(upn),
            )?;
        }
        for (i, s) in tenant.service_principals.iter().enumerate() {
            let app = s
                .app_id
                .clone()
                .unwrap_or_else(|| derived_id("app", &s.name));
            world.add_principal(
                &format!("service_principals[{i}]"),
                &s.name,
                s.id.clone(),
                s.display_name.clone(),
                PrincipalKind::ServicePrincipal(app),
            )?;
        }
        // Groups after the principals their owners name.
        for (i, g) in tenant.groups.iter().enumerate() {
            let mut owners = Vec::new();
            for (j, o) in g.owners.iter().enumerate() {
                owners.push(world.principal_ref(&format!("groups[{i}].owners[{j}]"), o)?);
            }
            world.add_principal(
                &format!("groups[{i}]"),
                &g.name,
                g.id.clone(),
                g.display_name.clone(),
                PrincipalKind::Group(owners),
            )?;
        }
        if tenant.tenant.builtin_roles {
            for r in BUILTIN_ROLES {
                world.roles.push(role_definition(
                    r.id,
                    r.name,
                    r.description,
                    true,
                    r.privileged,
                    r.actions.iter().map(|a| (*a).to_owned()).collect(),
                ));
            }
        }
        for (i, r) in tenant.role_definitions.iter().enumerate() {
            let id =
                r.id.clone()
                    .unwrap_or_else(|| derived_id("role", &r.display_name));
            if world.role(&id).is_some() || world.role_by_name(&r.display_name).is_some() {
                return Err(invalid(
                    format!("role_definitions[{i}]"),
                    format!("a role {:?} ({id}) exists already", r.display_name),
                ));
            }
            world.roles.push(role_definition(
                &id,
                &r.display_name,
                r.description.as_deref().unwrap_or(""),
                false,
                r.is_privileged,
                r.permissions.clone(),
            ));
        }
        // One policy per role at the directory scope and per group access, as the service has.
        let role_ids: Vec<String> = world.roles.iter().filter_map(|r| r.id.clone()).collect();
        for id in role_ids {
            world.add_policy(Surface::Directory, "/", &id, &PolicySpec::default())?;
        }
        let group_ids: Vec<String> = world
            .principals
            .iter()
            .filter(|p| matches!(p.kind, PrincipalKind::Group(_)))
            .map(|p| p.id.clone())
            .collect();
        for id in group_ids {
            for access in ["member", "owner"] {
                world.add_policy(Surface::Group, &id, access, &PolicySpec::default())?;
            }
        }
        for (i, p) in tenant.policies.iter().enumerate() {
            let where_ = format!("policies[{i}]");
            let (surface, scope, role) =
                world.grant_target(&where_, &p.role, &p.group, &p.access, None)?;
            let index = world
                .policy_index(surface, &scope, &role)
                .ok_or_else(|| invalid(&where_, "no policy for this role or group"))?;
            let policy = build_policy(&world, &where_, surface, &scope, &role, p)?;
            world.policies[index].rules = policy.rules;
            if let Some(id) = &p.id {
                if world
                    .policies
                    .iter()
                    .any(|x| x.id.as_deref() == Some(id.as_str()))
                {
                    return Err(invalid(
                        &where_,
                        format!("the policy id {id:?} is used twice"),
                    ));
                }
                let old = world.policies[index].id.replace(id.clone());
                for a in &mut world.policy_assignments {
                    if a.policy_id == old {
                        a.policy_id = Some(id.clone());
                        a.id = Some(format!("{id}_{role}"));
                    }
                }
            }
        }
        for (kind, table, specs) in [
            (Kind::Assignment, "assignments", &tenant.assignments),
            (Kind::Eligibility, "eligibilities", &tenant.eligibilities),
        ] {
            for (i, g) in specs.iter().enumerate() {
                let where_ = format!("{table}[{i}]");
                world.seed_grant(&where_, kind, g, now)?;
            }
        }
        for (i, r) in tenant.requests.iter().enumerate() {
            world.seed_request(&format!("requests[{i}]"), r, now)?;
        }
        for (i, t) in tenant.tokens.iter().enumerate() {
            let where_ = format!("tokens[{i}]");
            if t.value.trim().is_empty()
                || t.value.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(invalid(
                    &where_,
                    "a token must be non-empty text without spaces",
                ));
            }
            if world.tokens.iter().any(|x| x.value == t.value) {
                return Err(invalid(&where_, "this token value is used twice"));
            }
            let principal_id = world.principal_ref(&format!("{where_}.principal"), &t.principal)?;
            let expires = t
                .expires
                .as_deref()
                .map(|e| parse_time(&format!("{where_}.expires"), e))
                .transpose()?;
            world.tokens.push(TokenRecord {
                value: t.value.clone(),
                principal_id,
                mfa: t.mfa,
                acrs: t.acrs.clone(),
                app_roles: t.app_roles.clone(),
                expires,
                default: t.default,
            });
        }
        Ok(world)
    }

    fn add_principal(
        &mut self,
        where_: &str,
        name: &str,
        id: Option<String>,
        display_name: Option<String>,
        kind: PrincipalKind,
    ) -> Result<(), TenantError> {
        if name.trim().is_empty() {
            return Err(invalid(where_, "a name is required"));
        }
        let id = id.unwrap_or_else(|| derived_id("principal", name));
        if uuid::Uuid::try_parse(&id).is_err() {
            return Err(invalid(where_, format!("the id {id:?} is not a GUID")));
        }
        if self
            .principals
            .iter()
            .any(|p| p.name == name || p.id.eq_ignore_ascii_case(&id))
        {
            return Err(invalid(where_, format!("{name:?} ({id}) is defined twice")));
        }
        self.principals.push(Principal {
            id: id.to_ascii_lowercase(),
            name: name.to_owned(),
            display_name: display_name.unwrap_or_else(|| name.to_owned()),
            kind,
        });
        Ok(())
    }

    /// The id of the principal a handle or id names.
    fn principal_ref(&self, where_: &str, text: &str) -> Result<String, TenantError> {
        self.principals
            .iter()
            .find(|p| p.name == text || p.id.eq_ignore_ascii_case(text))
            .map(|p| p.id.clone())
            .ok_or_else(|| {
                invalid(
                    where_,
                    format!("no user, group or service principal {text:?}"),
                )
            })
    }

    fn group_ref(&self, where_: &str, text: &str) -> Result<String, TenantError> {
        self.principals
            .iter()
            .find(|p| {
                matches!(p.kind, PrincipalKind::Group(_))
                    && (p.name == text || p.id.eq_ignore_ascii_case(text))
            })
            .map(|p| p.id.clone())
            .ok_or_else(|| invalid(where_, format!("no group {text:?}")))
    }

    fn role_ref(&self, where_: &str, text: &str) -> Result<String, TenantError> {
        self.role(text)
            .or_else(|| self.role_by_name(text))
            .and_then(|r| r.id.clone())
            .ok_or_else(|| invalid(where_, format!("no role definition {text:?}")))
    }

    /// `(surface, scope, role)` of a role or group reference in the tenant file.
    fn grant_target(
        &self,
        where_: &str,
        role: &Option<String>,
        group: &Option<String>,
        access: &Option<String>,
        scope: Option<&str>,
    ) -> Result<(Surface, String, String), TenantError> {
        match (role, group) {
            (Some(r), None) => Ok((
                Surface::Directory,
                scope.unwrap_or("/").to_owned(),
                self.role_ref(&format!("{where_}.role"), r)?,
            )),
            (None, Some(g)) => {
                let access = access.as_deref().unwrap_or("member");
                if access != "member" && access != "owner" {
                    return Err(invalid(
                        format!("{where_}.access"),
                        format!("{access:?} is neither member nor owner"),
                    ));
                }
                Ok((
                    Surface::Group,
                    self.group_ref(&format!("{where_}.group"), g)?,
                    access.to_owned(),
                ))
            }
            _ => Err(invalid(where_, "give exactly one of `role` and `group`")),
        }
    }

    fn seed_grant(
        &mut self,
        where_: &str,
        kind: Kind,
        g: &GrantSpec,
        now: DateTime<Utc>,
    ) -> Result<(), TenantError> {
        let principal_id = self.principal_ref(&format!("{where_}.principal"), &g.principal)?;
        let (surface, scope, role) =
            self.grant_target(where_, &g.role, &g.group, &g.access, g.scope.as_deref())?;
        let start = match &g.start {
            Some(s) => parse_time(&format!("{where_}.start"), s)?,
            None => now,
        };
        let end = match (&g.end, &g.duration) {
            (Some(_), Some(_)) => {
                return Err(invalid(where_, "give `end` or `duration`, not both"));
            }
            (Some(e), None) => Some(parse_time(&format!("{where_}.end"), e)?),
            (None, Some(d)) => Some(crate::pim::after(
                start,
                duration(&format!("{where_}.duration"), d)?,
            )),
            (None, None) => None,
        };
        let target = Target {
            principal_id,
            role,
            scope,
        };
        if self.schedules.iter().any(|s| {
            s.surface == surface && s.kind == kind && s.target.same(&target) && s.current()
        }) {
            return Err(invalid(where_, "the same grant is listed twice"));
        }
        let id = g.id.clone().unwrap_or_else(new_id);
        let instance_id = g.instance_id.clone().unwrap_or_else(new_id);
        if self
            .schedules
            .iter()
            .any(|s| s.id == id || s.instance_id == instance_id)
        {
            return Err(invalid(
                where_,
                format!("the schedule id {id:?} is used twice"),
            ));
        }
        let schedule_info =
            crate::render::schedule_info(start, end.map_or(Expiration::Never, Expiration::At));
        self.schedules.push(ScheduleRecord {
            id,
            instance_id,
            surface,
            kind,
            target,
            assignment_type: (kind == Kind::Assignment).then_some("Assigned"),
            start,
            end,
            schedule_info: Some(schedule_info),
            created: start.min(now),
            modified: start.min(now),
            created_using: None,
            activated_using: None,
            ended: None,
        });
        Ok(())
    }

    fn seed_request(
        &mut self,
        where_: &str,
        r: &RequestSpec,
        now: DateTime<Utc>,
    ) -> Result<(), TenantError> {
        let principal_id = self.principal_ref(&format!("{where_}.principal"), &r.principal)?;
        let (surface, scope, role) =
            self.grant_target(where_, &r.role, &r.group, &r.access, r.scope.as_deref())?;
        let kind = match r.kind.as_deref() {
            None | Some("assignment") => Kind::Assignment,
            Some("eligibility") => Kind::Eligibility,
            Some(other) => {
                return Err(invalid(
                    format!("{where_}.kind"),
                    format!("{other:?} is neither assignment nor eligibility"),
                ));
            }
        };
        let action_text = r.action.clone().unwrap_or_else(|| "adminAssign".into());
        let action = Action::parse(&action_text).ok_or_else(|| {
            invalid(
                format!("{where_}.action"),
                format!("{action_text:?} is not a request action"),
            )
        })?;
        let status = r.status.clone().unwrap_or_else(|| "Provisioned".into());
        const STATUSES: &[&str] = &[
            "Provisioned",
            "Granted",
            "Revoked",
            "Canceled",
            "Denied",
            "Failed",
        ];
        let Some(status) = STATUSES.iter().find(|s| s.eq_ignore_ascii_case(&status)) else {
            return Err(invalid(
                format!("{where_}.status"),
                format!("{status:?} is not one of {}", STATUSES.join(", ")),
            ));
        };
        let expiration = match &r.end {
            Some(e) => Expiration::At(parse_time(&format!("{where_}.end"), e)?),
            None => Expiration::Never,
        };
        let id = r.id.clone().unwrap_or_else(new_id);
        if self.requests.iter().any(|x| x.id == id) {
            return Err(invalid(
                where_,
                format!("the request id {id:?} is used twice"),
            ));
        }
        self.requests.push(RequestRecord {
            id: id.clone(),
            surface,
            kind,
            target: Target {
                principal_id: principal_id.clone(),
                role,
                scope,
            },
            action,
            action_text,
            status: (*status).into(),
            created: now,
            completed: (*status != "Granted").then_some(now),
            justification: r.justification.clone(),
            ticket: None,
            start: now,
            expiration,
            schedule_info: Some(crate::render::schedule_info(now, expiration)),
            approval_id: None,
            target_schedule_id: Some(id),
            custom_data: None,
            created_by: principal_id,
            provision_at: (*status == "Granted")
                .then(|| crate::pim::after(now, self.settings.provisioning_delay)),
            activated_using: None,
        });
        Ok(())
    }

    fn add_policy(
        &mut self,
        surface: Surface,
        scope: &str,
        role: &str,
        spec: &PolicySpec,
    ) -> Result<(), TenantError> {
        let policy_guid = derived_id("policy", &format!("{scope}|{role}"));
        let (prefix, scope_type, policy_scope) = match surface {
            Surface::Directory => ("DirectoryRole", "DirectoryRole", "/".to_owned()),
            Surface::Group => ("Group", "Group", scope.to_owned()),
        };
        let policy_id = match surface {
            Surface::Directory => format!("{prefix}_{}_{policy_guid}", self.tenant_id),
            Surface::Group => format!("{prefix}_{scope}_{policy_guid}"),
        };
        let mut policy = build_policy(self, "policies", surface, scope, role, spec)?;
        policy.id = Some(policy_id.clone());
        policy.scope_id = Some(policy_scope.clone());
        policy.scope_type = Some(scope_type.into());
        let mut assignment =
            UnifiedRoleManagementPolicyAssignment::new(&policy_id, &policy_scope, scope_type);
        assignment.id = Some(format!("{policy_id}_{role}"));
        assignment.role_definition_id = Some(role.to_owned());
        self.policies.push(policy);
        self.policy_assignments.push(assignment);
        Ok(())
    }

    /// The index of the policy that governs a role at a scope (or a group's access).
    pub fn policy_index(&self, surface: Surface, scope: &str, role: &str) -> Option<usize> {
        let scope_id = match surface {
            Surface::Directory => "/",
            Surface::Group => scope,
        };
        let assignment = self.policy_assignments.iter().find(|a| {
            a.scope_id
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(scope_id))
                && a.role_definition_id
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(role))
        })?;
        let policy_id = assignment.policy_id.as_deref()?;
        self.policies
            .iter()
            .position(|p| p.id.as_deref() == Some(policy_id))
    }

    /// A role definition by id.
    pub fn role(&self, id: &str) -> Option<&UnifiedRoleDefinition> {
        self.roles
            .iter()
            .find(|r| r.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    /// A role definition by display name.
    pub fn role_by_name(&self, name: &str) -> Option<&UnifiedRoleDefinition> {
        self.roles.iter().find(|r| {
            r.display_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// A principal by object id.
    pub fn principal(&self, id: &str) -> Option<&Principal> {
        self.principals
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id))
    }

    /// A principal by the tenant file's handle.
    pub fn principal_by_name(&self, name: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| p.name == name)
    }
}

fn role_definition(
    id: &str,
    name: &str,
    description: &str,
    built_in: bool,
    privileged: bool,
    actions: Vec<String>,
) -> UnifiedRoleDefinition {
    let mut permission = UnifiedRolePermission::new();
    permission.allowed_resource_actions = Some(actions);
    permission.excluded_resource_actions = Some(Vec::new());
    let mut r = UnifiedRoleDefinition::new();
    r.id = Some(id.to_owned());
    r.display_name = Some(name.to_owned());
    r.description = Some(description.to_owned());
    r.is_built_in = Some(built_in);
    r.is_enabled = Some(true);
    r.is_privileged = Some(privileged);
    r.resource_scopes = Some(vec!["/".into()]);
    r.role_permissions = Some(vec![permission]);
    r.template_id = Some(id.to_owned());
    r.version = Some("1".into());
    r.allowed_principal_types = Some(pim_api::edm::Flags::parse("user,servicePrincipal,group"));
    r
}

/// A policy as Graph writes it (the rules of the docs' examples), with `spec`'s changes.
fn build_policy(
    world: &World,
    where_: &str,
    surface: Surface,
    scope: &str,
    role: &str,
    spec: &PolicySpec,
) -> Result<UnifiedRoleManagementPolicy, TenantError> {
    let check =
        |field: &str, value: &Option<String>, default: &str| -> Result<String, TenantError> {
            let text = value.clone().unwrap_or_else(|| default.to_owned());
            duration(&format!("{where_}.{field}"), &text)?;
            Ok(text)
        };
    let max_activation = check("max_activation", &spec.max_activation, "PT8H")?;
    let max_eligibility = check("max_eligibility", &spec.max_eligibility, "P365D")?;
    let max_assignment = check("max_assignment", &spec.max_assignment, "P180D")?;
    let mut end_user = Vec::new();
    if spec.require_mfa.unwrap_or(false) {
        end_user.push("MultiFactorAuthentication");
    }
    if spec.require_justification.unwrap_or(true) {
        end_user.push("Justification");
    }
    if spec.require_ticket.unwrap_or(false) {
        end_user.push("Ticketing");
    }
    let mut admin = Vec::new();
    if spec.require_admin_mfa.unwrap_or(false) {
        admin.push("MultiFactorAuthentication");
    }
    if spec.require_admin_justification.unwrap_or(true) {
        admin.push("Justification");
    }
    let mut approvers = Vec::new();
    for (i, a) in spec.approvers.iter().enumerate() {
        let id = world.principal_ref(&format!("{where_}.approvers[{i}]"), a)?;
        let description = world.principal(&id).map(|p| p.display_name.clone());
        approvers.push(json!({
            "@odata.type": "#microsoft.graph.singleUser",
            "isBackup": false,
            "id": id,
            "description": description,
        }));
    }
    let target = |caller: &str, level: &str| {
        json!({"caller": caller, "operations": ["All"], "level": level,
               "inheritableSettings": [], "enforcedSettings": []})
    };
    let notifications = |caller: &str, level: &str| {
        ["Admin", "Requestor", "Approver"].map(|recipient| {
            json!({
                "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
                "id": format!("Notification_{recipient}_{caller}_{level}"),
                "notificationType": "Email", "recipientType": recipient, "notificationLevel": "All",
                "isDefaultRecipientsEnabled": true, "notificationRecipients": [],
                "target": target(caller, level),
            })
        })
    };
    let mut rules = vec![
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
               "id": "Expiration_Admin_Eligibility",
               "isExpirationRequired": spec.eligibility_expiration_required.unwrap_or(false),
               "maximumDuration": max_eligibility, "target": target("Admin", "Eligibility")}),
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
               "id": "Enablement_Admin_Eligibility", "enabledRules": [],
               "target": target("Admin", "Eligibility")}),
    ];
    rules.extend(notifications("Admin", "Eligibility"));
    rules.push(
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
        "id": "Enablement_Admin_Assignment", "enabledRules": admin,
        "target": target("Admin", "Assignment")}),
    );
    rules.push(
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
        "id": "Expiration_Admin_Assignment",
        "isExpirationRequired": spec.assignment_expiration_required.unwrap_or(false),
        "maximumDuration": max_assignment, "target": target("Admin", "Assignment")}),
    );
    rules.extend(notifications("Admin", "Assignment"));
    rules.push(
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "id": "Approval_EndUser_Assignment", "target": target("EndUser", "Assignment"),
        "setting": {
            "isApprovalRequired": !approvers.is_empty(),
            "isApprovalRequiredForExtension": false,
            "isRequestorJustificationRequired": true,
            "approvalMode": "SingleStage",
            "approvalStages": [{
                "approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true,
                "escalationTimeInMinutes": 0, "isEscalationEnabled": false,
                "primaryApprovers": approvers, "escalationApprovers": []
            }]
        }}),
    );
    rules.push(json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
        "id": "AuthenticationContext_EndUser_Assignment",
        "isEnabled": spec.authentication_context.is_some(),
        "claimValue": spec.authentication_context, "target": target("EndUser", "Assignment")}));
    rules.push(
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
        "id": "Enablement_EndUser_Assignment", "enabledRules": end_user,
        "target": target("EndUser", "Assignment")}),
    );
    rules.push(
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
        "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true,
        "maximumDuration": max_activation, "target": target("EndUser", "Assignment")}),
    );
    rules.extend(notifications("EndUser", "Assignment"));
    let rules: Vec<UnifiedRoleManagementPolicyRuleKind> = rules
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(where_, format!("a policy rule does not decode: {e}")))?;
    let (display, description) = match surface {
        Surface::Directory => (
            "Directory Role".to_owned(),
            format!("Policy of role {role} at scope {scope}"),
        ),
        Surface::Group => (
            "Group".to_owned(),
            format!("Policy of the {role} access to group {scope}"),
        ),
    };
    let mut policy = UnifiedRoleManagementPolicy::new(description, display, scope, "");
    policy.is_organization_default = Some(false);
    policy.rules = Some(rules);
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tenant_seeds_a_policy_per_role_and_group_access() {
        let tenant = Tenant::default_tenant();
        let world = World::seed(&tenant, Utc::now()).expect("seed");
        let groups = world
            .principals
            .iter()
            .filter(|p| matches!(p.kind, PrincipalKind::Group(_)))
            .count();
        assert_eq!(world.policies.len(), world.roles.len() + 2 * groups);
        assert_eq!(world.policy_assignments.len(), world.policies.len());
        let ga = world.role_by_name("Global Administrator").expect("GA");
        assert_eq!(
            ga.id.as_deref(),
            Some("62e90394-69f5-4237-9190-012177145e10")
        );
        assert!(
            world
                .policy_index(
                    Surface::Directory,
                    "/",
                    "62e90394-69f5-4237-9190-012177145e10"
                )
                .is_some()
        );
    }

    #[test]
    fn bad_references_name_the_entry() {
        let mut t = Tenant::empty();
        t.user("a").eligible("a", "No Such Role");
        let err = World::seed(&t, Utc::now()).expect_err("unknown role");
        assert!(err.to_string().contains("eligibilities[0].role"), "{err}");
        let mut t = Tenant::empty();
        t.user("a").token("tok", "b", false);
        let err = World::seed(&t, Utc::now()).expect_err("unknown principal");
        assert!(err.to_string().contains("tokens[0].principal"), "{err}");
        let mut t = Tenant::empty();
        t.settings.provisioning_delay = "soon".into();
        assert!(World::seed(&t, Utc::now()).is_err());
    }

    #[test]
    fn derived_ids_are_stable_guids() {
        assert_eq!(derived_id("x", "ada"), derived_id("x", "ada"));
        assert_ne!(derived_id("x", "ada"), derived_id("y", "ada"));
        assert!(uuid::Uuid::parse_str(&derived_id("x", "ada")).is_ok());
    }
}
