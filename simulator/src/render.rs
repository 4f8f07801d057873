//! From the simulator's records to the wire: pim-api's models, serialized.
//!
//! Each record becomes the generated model of its entity type
//! (`UnifiedRoleAssignmentScheduleRequest`, `PrivilegedAccessGroupEligibilitySchedule`, …),
//! which is then serialized with the model's own `Serialize`: the simulator writes exactly
//! what pim-api reads, so a disagreement between the two shows up as a failing test of one
//! of them. Like Graph, responses carry every structural property of the type, `null` when
//! it has no value ([`fill_nulls`]).

use chrono::{DateTime, Utc};
use pim_api::edm::derive_support::Model;
use pim_api::edm::{DateTimeOffset, parse_open_enum};
use pim_api::models::{
    Approval, ApprovalStep, ExpirationPattern, ExpirationPatternType, IdentityKind,
    PrivilegedAccessGroupAssignmentSchedule, PrivilegedAccessGroupAssignmentScheduleInstance,
    PrivilegedAccessGroupAssignmentScheduleRequest, PrivilegedAccessGroupEligibilitySchedule,
    PrivilegedAccessGroupEligibilityScheduleInstance,
    PrivilegedAccessGroupEligibilityScheduleRequest, RequestSchedule, TicketInfo,
    UnifiedRoleAssignmentSchedule, UnifiedRoleAssignmentScheduleInstance,
    UnifiedRoleAssignmentScheduleRequest, UnifiedRoleDefinition, UnifiedRoleEligibilitySchedule,
    UnifiedRoleEligibilityScheduleInstance, UnifiedRoleEligibilityScheduleRequest,
    UnifiedRoleManagementPolicy, UnifiedRoleManagementPolicyAssignment,
    UnifiedRoleManagementPolicyRuleKind, UserIdentity,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::odata::{EntityInfo, NAVIGATIONS};
use crate::world::{
    ApprovalRecord, Expiration, Kind, PrincipalKind, RequestRecord, ScheduleRecord, Surface, World,
};

/// The entity sets the simulator serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// `roleDefinitions`.
    RoleDefinitions,
    /// Schedule requests.
    Requests(Surface, Kind),
    /// Schedules.
    Schedules(Surface, Kind),
    /// Schedule instances.
    Instances(Surface, Kind),
    /// Approvals (`roleAssignmentApprovals`, the group's `assignmentApprovals`).
    Approvals(Surface),
    /// The steps of one approval.
    Steps(Surface),
    /// `roleManagementPolicies`.
    Policies,
    /// The rules (or effective rules) of one policy.
    Rules,
    /// `roleManagementPolicyAssignments`.
    PolicyAssignments,
}

macro_rules! info {
    ($model:ty, $name:literal, [$($nav:literal),*]) => {
        EntityInfo {
            type_name: concat!("microsoft.graph.", $name),
            properties: <$model as Model>::FIELDS,
            expandable: &[$($nav),*],
        }
    };
}

impl Set {
    /// What query options are checked against.
    pub fn info(self) -> EntityInfo {
        use Kind::*;
        use Surface::*;
        match self {
            Set::RoleDefinitions => info!(
                UnifiedRoleDefinition,
                "unifiedRoleDefinition",
                ["inheritsPermissionsFrom"]
            ),
            Set::Requests(Directory, Assignment) => info!(
                UnifiedRoleAssignmentScheduleRequest,
                "unifiedRoleAssignmentScheduleRequest",
                [
                    "principal",
                    "roleDefinition",
                    "targetSchedule",
                    "activatedUsing",
                    "approval",
                    "directoryScope",
                    "appScope"
                ]
            ),
            Set::Requests(Directory, Eligibility) => info!(
                UnifiedRoleEligibilityScheduleRequest,
                "unifiedRoleEligibilityScheduleRequest",
                [
                    "principal",
                    "roleDefinition",
                    "targetSchedule",
                    "approval",
                    "directoryScope",
                    "appScope"
                ]
            ),
            Set::Requests(Group, Assignment) => info!(
                PrivilegedAccessGroupAssignmentScheduleRequest,
                "privilegedAccessGroupAssignmentScheduleRequest",
                [
                    "principal",
                    "group",
                    "targetSchedule",
                    "activatedUsing",
                    "approval"
                ]
            ),
            Set::Requests(Group, Eligibility) => info!(
                PrivilegedAccessGroupEligibilityScheduleRequest,
                "privilegedAccessGroupEligibilityScheduleRequest",
                ["principal", "group", "targetSchedule", "approval"]
            ),
            Set::Schedules(Directory, Assignment) => info!(
                UnifiedRoleAssignmentSchedule,
                "unifiedRoleAssignmentSchedule",
                [
                    "principal",
                    "roleDefinition",
                    "activatedUsing",
                    "directoryScope",
                    "appScope"
                ]
            ),
            Set::Schedules(Directory, Eligibility) => info!(
                UnifiedRoleEligibilitySchedule,
                "unifiedRoleEligibilitySchedule",
                ["principal", "roleDefinition", "directoryScope", "appScope"]
            ),
            Set::Schedules(Group, Assignment) => info!(
                PrivilegedAccessGroupAssignmentSchedule,
                "privilegedAccessGroupAssignmentSchedule",
                ["principal", "group", "activatedUsing"]
            ),
            Set::Schedules(Group, Eligibility) => info!(
                PrivilegedAccessGroupEligibilitySchedule,
                "privilegedAccessGroupEligibilitySchedule",
                ["principal", "group"]
            ),
            Set::Instances(Directory, Assignment) => info!(
                UnifiedRoleAssignmentScheduleInstance,
                "unifiedRoleAssignmentScheduleInstance",
                [
                    "principal",
                    "roleDefinition",
                    "activatedUsing",
                    "directoryScope",
                    "appScope"
                ]
            ),
            Set::Instances(Directory, Eligibility) => info!(
                UnifiedRoleEligibilityScheduleInstance,
                "unifiedRoleEligibilityScheduleInstance",
                ["principal", "roleDefinition", "directoryScope", "appScope"]
            ),
            Set::Instances(Group, Assignment) => info!(
                PrivilegedAccessGroupAssignmentScheduleInstance,
                "privilegedAccessGroupAssignmentScheduleInstance",
                ["principal", "group", "activatedUsing"]
            ),
            Set::Instances(Group, Eligibility) => info!(
                PrivilegedAccessGroupEligibilityScheduleInstance,
                "privilegedAccessGroupEligibilityScheduleInstance",
                ["principal", "group"]
            ),
            Set::Approvals(_) => info!(Approval, "approval", ["steps"]),
            Set::Steps(_) => info!(ApprovalStep, "approvalStep", []),
            Set::Policies => info!(
                UnifiedRoleManagementPolicy,
                "unifiedRoleManagementPolicy",
                ["rules", "effectiveRules"]
            ),
            Set::Rules => EntityInfo {
                type_name: "microsoft.graph.unifiedRoleManagementPolicyRule",
                properties: RULE_PROPERTIES,
                expandable: &[],
            },
            Set::PolicyAssignments => info!(
                UnifiedRoleManagementPolicyAssignment,
                "unifiedRoleManagementPolicyAssignment",
                ["policy"]
            ),
        }
    }
}

/// The properties a `$filter` or `$select` may name on policy rules (the base type's and
/// those of its derived types).
const RULE_PROPERTIES: &[&str] = &[
    "id",
    "target",
    "isExpirationRequired",
    "maximumDuration",
    "enabledRules",
    "claimValue",
    "isEnabled",
    "setting",
    "notificationType",
    "recipientType",
    "notificationLevel",
    "isDefaultRecipientsEnabled",
    "notificationRecipients",
];

/// A model as a JSON value.
pub fn to_json<T: Serialize>(model: &T) -> Value {
    serde_json::to_value(model).unwrap_or(Value::Null)
}

/// Adds `null` for every declared structural property `entity` lacks, as Graph writes
/// unset properties (also inside the schedule and ticket values PIM entities carry).
pub fn fill_nulls(mut entity: Value, properties: &[&str]) -> Value {
    fill(&mut entity, properties);
    if let Some(ticket) = entity.get_mut("ticketInfo") {
        fill(ticket, <TicketInfo as Model>::FIELDS);
    }
    if let Some(schedule) = entity.get_mut("scheduleInfo") {
        fill(schedule, <RequestSchedule as Model>::FIELDS);
        if let Some(expiration) = schedule.get_mut("expiration") {
            fill(expiration, <ExpirationPattern as Model>::FIELDS);
        }
    }
    entity
}

fn fill(value: &mut Value, properties: &[&str]) {
    if let Value::Object(map) = value {
        for name in properties {
            if !NAVIGATIONS.contains(name) && !map.contains_key(*name) {
                map.insert((*name).to_owned(), Value::Null);
            }
        }
    }
}

/// An `Edm.DateTimeOffset` for `t`.
pub fn dto(t: DateTime<Utc>) -> DateTimeOffset {
    DateTimeOffset::from_datetime(&t)
}

/// `scheduleInfo` for a grant from `start` with `expiration`.
pub fn schedule_info(start: DateTime<Utc>, expiration: Expiration) -> RequestSchedule {
    let mut e = ExpirationPattern::new();
    match expiration {
        Expiration::Never => e.r#type = Some(ExpirationPatternType::NoExpiration),
        Expiration::At(end) => {
            e.r#type = Some(ExpirationPatternType::AfterDateTime);
            e.end_date_time = Some(dto(end));
        }
    }
    let mut s = RequestSchedule::new();
    s.start_date_time = Some(dto(start));
    s.expiration = Some(e);
    s
}

/// The `scheduleInfo` a request echoes: what the client sent (its expiration `type`
/// decoded, so written back in the schema's casing), with the start the service chose.
fn echoed_schedule(rec: &RequestRecord) -> Option<RequestSchedule> {
    let mut s = rec.schedule_info.clone()?;
    s.start_date_time = Some(dto(rec.start));
    Some(s)
}

/// `createdBy`, an `identitySet` as the service writes it (the display name left `null`,
/// as in the docs' examples).
fn created_by(world: &World, principal_id: &str) -> Value {
    match world.principal(principal_id).map(|p| &p.kind) {
        Some(PrincipalKind::ServicePrincipal(_)) => json!({
            "application": {"displayName": null, "id": principal_id},
            "device": null, "user": null
        }),
        _ => json!({
            "application": null, "device": null,
            "user": {"displayName": null, "id": principal_id}
        }),
    }
}

macro_rules! request_common {
    ($m:ident, $world:expr, $rec:expr) => {{
        let rec = $rec;
        $m.id = Some(rec.id.clone());
        $m.status = Some(rec.status.clone());
        $m.created_date_time = Some(dto(rec.created));
        $m.completed_date_time = rec.completed.map(dto);
        $m.approval_id = rec.approval_id.clone();
        $m.custom_data = rec.custom_data.clone();
        $m.is_validation_only = Some(false);
        $m.justification = rec.justification.clone();
        $m.principal_id = Some(rec.target.principal_id.clone());
        $m.schedule_info = echoed_schedule(rec);
        $m.target_schedule_id = rec.target_schedule_id.clone();
        $m.ticket_info = Some(rec.ticket.clone().unwrap_or_default());
        $m.additional_properties
            .insert("createdBy".into(), created_by($world, &rec.created_by));
    }};
}

/// A request as its entity type.
pub fn request(world: &World, rec: &RequestRecord) -> Value {
    let info = Set::Requests(rec.surface, rec.kind).info();
    let value = match (rec.surface, rec.kind) {
        (Surface::Directory, Kind::Assignment) => {
            let mut m = UnifiedRoleAssignmentScheduleRequest::new();
            request_common!(m, world, rec);
            m.action = Some(rec.action_text.clone());
            m.role_definition_id = Some(rec.target.role.clone());
            m.directory_scope_id = Some(rec.target.scope.clone());
            to_json(&m)
        }
        (Surface::Directory, Kind::Eligibility) => {
            let mut m = UnifiedRoleEligibilityScheduleRequest::new();
            request_common!(m, world, rec);
            m.action = Some(rec.action_text.clone());
            m.role_definition_id = Some(rec.target.role.clone());
            m.directory_scope_id = Some(rec.target.scope.clone());
            to_json(&m)
        }
        (Surface::Group, Kind::Assignment) => {
            let mut m = PrivilegedAccessGroupAssignmentScheduleRequest::new();
            request_common!(m, world, rec);
            m.action = Some(parse_open_enum(&rec.action_text));
            m.access_id = Some(parse_open_enum(&rec.target.role));
            m.group_id = Some(rec.target.scope.clone());
            to_json(&m)
        }
        (Surface::Group, Kind::Eligibility) => {
            let mut m = PrivilegedAccessGroupEligibilityScheduleRequest::new();
            request_common!(m, world, rec);
            m.action = Some(parse_open_enum(&rec.action_text));
            m.access_id = Some(parse_open_enum(&rec.target.role));
            m.group_id = Some(rec.target.scope.clone());
            to_json(&m)
        }
    };
    fill_nulls(value, info.properties)
}

macro_rules! schedule_common {
    ($m:ident, $s:expr) => {{
        let s = $s;
        $m.id = Some(s.id.clone());
        $m.principal_id = Some(s.target.principal_id.clone());
        $m.created_date_time = Some(dto(s.created));
        $m.modified_date_time = Some(dto(s.modified));
        $m.created_using = s.created_using.clone();
        $m.status = Some("Provisioned".into());
        $m.schedule_info = s.schedule_info.clone();
    }};
}

/// A schedule as its entity type.
pub fn schedule(s: &ScheduleRecord) -> Value {
    let info = Set::Schedules(s.surface, s.kind).info();
    let value = match (s.surface, s.kind) {
        (Surface::Directory, Kind::Assignment) => {
            let mut m = UnifiedRoleAssignmentSchedule::new();
            schedule_common!(m, s);
            m.role_definition_id = Some(s.target.role.clone());
            m.directory_scope_id = Some(s.target.scope.clone());
            m.assignment_type = s.assignment_type.map(str::to_owned);
            m.member_type = Some("Direct".into());
            to_json(&m)
        }
        (Surface::Directory, Kind::Eligibility) => {
            let mut m = UnifiedRoleEligibilitySchedule::new();
            schedule_common!(m, s);
            m.role_definition_id = Some(s.target.role.clone());
            m.directory_scope_id = Some(s.target.scope.clone());
            m.member_type = Some("Direct".into());
            to_json(&m)
        }
        (Surface::Group, Kind::Assignment) => {
            let mut m = PrivilegedAccessGroupAssignmentSchedule::new();
            schedule_common!(m, s);
            m.access_id = Some(parse_open_enum(&s.target.role));
            m.group_id = Some(s.target.scope.clone());
            m.assignment_type = s
                .assignment_type
                .map(|t| parse_open_enum(&t.to_ascii_lowercase()));
            m.member_type = Some(parse_open_enum("direct"));
            to_json(&m)
        }
        (Surface::Group, Kind::Eligibility) => {
            let mut m = PrivilegedAccessGroupEligibilitySchedule::new();
            schedule_common!(m, s);
            m.access_id = Some(parse_open_enum(&s.target.role));
            m.group_id = Some(s.target.scope.clone());
            m.member_type = Some(parse_open_enum("direct"));
            to_json(&m)
        }
    };
    fill_nulls(value, info.properties)
}

macro_rules! instance_common {
    ($m:ident, $s:expr) => {{
        let s = $s;
        $m.id = Some(s.instance_id.clone());
        $m.principal_id = Some(s.target.principal_id.clone());
        $m.start_date_time = Some(dto(s.start));
        $m.end_date_time = s.end.map(dto);
    }};
}

/// A schedule's instance as its entity type.
pub fn instance(s: &ScheduleRecord) -> Value {
    let info = Set::Instances(s.surface, s.kind).info();
    let value = match (s.surface, s.kind) {
        (Surface::Directory, Kind::Assignment) => {
            let mut m = UnifiedRoleAssignmentScheduleInstance::new();
            instance_common!(m, s);
            m.role_definition_id = Some(s.target.role.clone());
            m.directory_scope_id = Some(s.target.scope.clone());
            m.assignment_type = s.assignment_type.map(str::to_owned);
            m.member_type = Some("Direct".into());
            m.role_assignment_schedule_id = Some(s.id.clone());
            m.role_assignment_origin_id = Some(s.id.clone());
            to_json(&m)
        }
        (Surface::Directory, Kind::Eligibility) => {
            let mut m = UnifiedRoleEligibilityScheduleInstance::new();
            instance_common!(m, s);
            m.role_definition_id = Some(s.target.role.clone());
            m.directory_scope_id = Some(s.target.scope.clone());
            m.member_type = Some("Direct".into());
            m.role_eligibility_schedule_id = Some(s.id.clone());
            to_json(&m)
        }
        (Surface::Group, Kind::Assignment) => {
            let mut m = PrivilegedAccessGroupAssignmentScheduleInstance::new();
            instance_common!(m, s);
            m.access_id = Some(parse_open_enum(&s.target.role));
            m.group_id = Some(s.target.scope.clone());
            m.assignment_type = s
                .assignment_type
                .map(|t| parse_open_enum(&t.to_ascii_lowercase()));
            m.member_type = Some(parse_open_enum("direct"));
            m.assignment_schedule_id = Some(s.id.clone());
            to_json(&m)
        }
        (Surface::Group, Kind::Eligibility) => {
            let mut m = PrivilegedAccessGroupEligibilityScheduleInstance::new();
            instance_common!(m, s);
            m.access_id = Some(parse_open_enum(&s.target.role));
            m.group_id = Some(s.target.scope.clone());
            m.member_type = Some(parse_open_enum("direct"));
            m.eligibility_schedule_id = Some(s.id.clone());
            to_json(&m)
        }
    };
    fill_nulls(value, info.properties)
}

/// An approval with its steps, `assignedToMe` answered for `caller`.
pub fn approval(world: &World, a: &ApprovalRecord, caller: &str) -> Value {
    let mut m = Approval::new();
    m.id = Some(a.id.clone());
    m.steps = Some(
        a.steps
            .iter()
            .map(|s| step_model(world, s, caller))
            .collect(),
    );
    to_json(&m)
}

fn step_model(world: &World, s: &crate::world::StepRecord, caller: &str) -> ApprovalStep {
    let mut m = ApprovalStep::new();
    m.id = Some(s.id.clone());
    m.assigned_to_me = Some(s.approvers.iter().any(|a| a.eq_ignore_ascii_case(caller)));
    m.display_name = None;
    m.justification = s.justification.clone();
    m.review_result = Some(s.review_result.into());
    m.status = Some(s.status.into());
    m.reviewed_date_time = s.reviewed_at.map(dto);
    m.reviewed_by = s.reviewed_by.as_deref().map(|id| {
        let mut u = UserIdentity::new();
        u.id = Some(id.to_owned());
        u.display_name = world.principal(id).map(|p| p.display_name.clone());
        IdentityKind::UserIdentity(u)
    });
    m
}

/// One approval step.
pub fn step(world: &World, s: &crate::world::StepRecord, caller: &str) -> Value {
    fill_nulls(
        to_json(&step_model(world, s, caller)),
        <ApprovalStep as Model>::FIELDS,
    )
}

/// A directory object (`principal`), with its `@odata.type`, or `null`.
pub fn directory_object(world: &World, id: &str) -> Value {
    let Some(p) = world.principal(id) else {
        return Value::Null;
    };
    match &p.kind {
        PrincipalKind::User(upn) => json!({
            "@odata.type": "#microsoft.graph.user", "id": p.id,
            "displayName": p.display_name, "userPrincipalName": upn
        }),
        PrincipalKind::Group(_) => json!({
            "@odata.type": "#microsoft.graph.group", "id": p.id, "displayName": p.display_name
        }),
        PrincipalKind::ServicePrincipal(app) => json!({
            "@odata.type": "#microsoft.graph.servicePrincipal", "id": p.id,
            "displayName": p.display_name, "appId": app
        }),
    }
}

/// A role definition.
pub fn role(r: &UnifiedRoleDefinition) -> Value {
    fill_nulls(to_json(r), <UnifiedRoleDefinition as Model>::FIELDS)
}

/// A policy without its rules (they are expanded on request).
pub fn policy(p: &UnifiedRoleManagementPolicy) -> Value {
    let mut p = p.clone();
    p.rules = None;
    p.effective_rules = None;
    fill_nulls(to_json(&p), <UnifiedRoleManagementPolicy as Model>::FIELDS)
}

/// A policy rule (polymorphic: with its `@odata.type`).
pub fn rule(r: &UnifiedRoleManagementPolicyRuleKind) -> Value {
    to_json(r)
}

/// A policy assignment.
pub fn policy_assignment(a: &UnifiedRoleManagementPolicyAssignment) -> Value {
    fill_nulls(
        to_json(a),
        <UnifiedRoleManagementPolicyAssignment as Model>::FIELDS,
    )
}
