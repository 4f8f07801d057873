//! The PIM flows, one function each, over the generated builders.
//!
//! Microsoft Entra roles use PIM iteration 3 (`/roleManagement/directory/…`,
//! `/policies/…`); approvals of PIM for groups go through
//! `/identityGovernance/privilegedAccess/group`; the iteration 2 flows
//! (`/privilegedAccess/…`) are deprecated in the schema and marked so.

use futures::TryStreamExt;
use pim_api::edm::{Duration, Patch};
use pim_api::models::{
    ApprovalStepUpdate, ExpirationPattern, ExpirationPatternType, RequestSchedule,
    RoleAssignmentScheduleRequestFilterByCurrentUserOptions, UnifiedRoleAssignmentScheduleInstance,
    UnifiedRoleAssignmentScheduleRequest, UnifiedRoleDefinition,
    UnifiedRoleEligibilityScheduleRequest, UnifiedRoleManagementPolicyAssignment,
    UnifiedRoleManagementPolicyExpirationRuleUpdate,
};
use pim_api::requests::ApprovalBuilder;
use pim_api::runtime::{Client, ListRequest, Literal, Result};

/// The rule of a role's policy that caps how long an activation lasts.
pub const ACTIVATION_RULE: &str = "Expiration_EndUser_Assignment";

/// The policies of the directory roles with their rules (PIM iteration 3's role settings),
/// one policy assignment per role.
///
/// `GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq
/// 'DirectoryRole'&$expand=policy($expand=rules)`, every page.
pub async fn role_settings(client: &Client) -> Result<Vec<UnifiedRoleManagementPolicyAssignment>> {
    client
        .policies()
        .role_management_policy_assignments()
        .list_by_scope_id_and_scope_type("/", "DirectoryRole")
        .expand(["policy($expand=rules)"])
        .collect_all()
        .await
}

/// The directory's role definitions (built-in and custom Microsoft Entra roles), every page;
/// with `display_name`, only the role of that name.
///
/// `GET /roleManagement/directory/roleDefinitions?$filter=displayName eq '…'`.
pub async fn role_definitions(
    client: &Client,
    display_name: Option<&str>,
) -> Result<Vec<UnifiedRoleDefinition>> {
    let all = client
        .role_management()
        .directory()
        .role_definitions()
        .list();
    where_eq(all, "displayName", display_name)
        .collect_all()
        .await
}

/// `request` with `$filter=<property> eq '<value>'` (the value quoted and escaped) when there
/// is a value, unchanged otherwise.
fn where_eq<T>(request: ListRequest<T>, property: &str, value: Option<&str>) -> ListRequest<T> {
    match value {
        Some(v) => request.filter(format!("{property} eq {}", Literal::string(v))),
        None => request,
    }
}

/// Sets the longest activation a role's policy allows (`maximum`, an ISO 8601 duration such
/// as `PT4H`): a PATCH of the policy's expiration rule for end users.
pub async fn set_max_activation(client: &Client, policy_id: &str, maximum: &str) -> Result<()> {
    let mut rule = UnifiedRoleManagementPolicyExpirationRuleUpdate::new();
    rule.is_expiration_required = Patch::Value(true);
    rule.maximum_duration = Patch::Value(Duration::from_raw(maximum));
    client
        .policies()
        .role_management_policies()
        .by_id(policy_id)
        .rules()
        .by_id(ACTIVATION_RULE)
        .update(&rule)
        .await
}

/// Every active role assignment (instances: permanent and activated ones), optionally of one
/// principal, across all pages.
pub async fn list_assignments(
    client: &Client,
    principal_id: Option<&str>,
) -> Result<Vec<UnifiedRoleAssignmentScheduleInstance>> {
    let all = client
        .role_management()
        .directory()
        .role_assignment_schedule_instances()
        .list();
    where_eq(all, "principalId", principal_id)
        .into_stream()
        .try_collect()
        .await
}

/// A schedule starting now: for `duration` (ISO 8601, e.g. `PT4H`), else without end.
pub fn schedule(duration: Option<&str>) -> RequestSchedule {
    let mut expiration = ExpirationPattern::new();
    match duration {
        Some(d) => {
            expiration.r#type = Some(ExpirationPatternType::AfterDuration);
            expiration.duration = Some(Duration::from_raw(d));
        }
        None => expiration.r#type = Some(ExpirationPatternType::NoExpiration),
    }
    let mut schedule = RequestSchedule::new();
    schedule.expiration = Some(expiration);
    schedule
}

/// A role assignment schedule request for the whole directory (`directoryScopeId` `/`).
pub fn role_request(
    action: &str,
    principal_id: &str,
    role_definition_id: &str,
    justification: Option<&str>,
    duration: Option<&str>,
) -> UnifiedRoleAssignmentScheduleRequest {
    // `status` is set by the service (a `[[server_set]]` property of the selection): `new`
    // does not ask for it and the body leaves it out.
    let mut request = UnifiedRoleAssignmentScheduleRequest::new();
    request.action = Some(action.to_owned());
    request.principal_id = Some(principal_id.to_owned());
    request.role_definition_id = Some(role_definition_id.to_owned());
    request.directory_scope_id = Some("/".to_owned());
    request.justification = justification.map(str::to_owned);
    if action != "selfDeactivate" && action != "adminRemove" {
        request.schedule_info = Some(schedule(duration));
    }
    request
}

async fn submit(
    client: &Client,
    request: &UnifiedRoleAssignmentScheduleRequest,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    client
        .role_management()
        .directory()
        .role_assignment_schedule_requests()
        .create(request)
        .await
}

/// The caller's latest role assignment request for `role_definition_id` that is on its way
/// or in effect (`Granted`, `PendingProvisioning`, `PendingApproval`, `Provisioned`, ...):
/// how to find out what happened to a request whose answer was lost, rather than sending it
/// again (see [`Error::may_have_taken_effect`](pim_api::runtime::Error::may_have_taken_effect)).
///
/// `GET /roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')?$filter=roleDefinitionId eq '…' and status ne 'Canceled' and …`.
pub async fn find_open_request(
    client: &Client,
    role_definition_id: &str,
    action: &str,
) -> Result<Option<UnifiedRoleAssignmentScheduleRequest>> {
    let mut filter = format!(
        "roleDefinitionId eq {} and action eq {}",
        Literal::string(role_definition_id),
        Literal::string(action)
    );
    for closed in ["Canceled", "Denied", "Failed", "Revoked"] {
        filter.push_str(&format!(" and status ne {}", Literal::string(closed)));
    }
    let found = client
        .role_management()
        .directory()
        .role_assignment_schedule_requests()
        .filter_by_current_user(RoleAssignmentScheduleRequestFilterByCurrentUserOptions::Principal)
        .filter(filter)
        .collect_all()
        .await?;
    Ok(found.into_iter().max_by(|a, b| {
        a.created_date_time
            .as_ref()
            .map(|t| t.as_str())
            .cmp(&b.created_date_time.as_ref().map(|t| t.as_str()))
    }))
}

/// The statuses of a role assignment request on its way to taking effect.
const IN_FLIGHT: &[&str] = &["Granted", "PendingProvisioning", "PendingScheduleCreation"];

/// Polls a role assignment request (`GET …/roleAssignmentScheduleRequests/{id}`) until its
/// status leaves the in-flight ones (`Granted`, `PendingProvisioning`,
/// `PendingScheduleCreation`) or `timeout` has passed, waiting 250 ms, then twice as long
/// each time up to 5 s. Returns the request as last read: `Provisioned` when it took
/// effect; `PendingApproval`, `Denied`, `Failed`, ... when it will not by itself; still in
/// flight when the time ran out.
pub async fn wait_until_settled(
    client: &Client,
    request_id: &str,
    timeout: std::time::Duration,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut delay = std::time::Duration::from_millis(250);
    loop {
        let request = client
            .role_management()
            .directory()
            .role_assignment_schedule_requests()
            .by_id(request_id)
            .get()
            .await?;
        let status = request.status.as_deref().unwrap_or_default();
        let now = tokio::time::Instant::now();
        if !IN_FLIGHT.iter().any(|s| s.eq_ignore_ascii_case(status)) || now >= deadline {
            return Ok(request);
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(std::time::Duration::from_secs(5));
    }
}

/// Every role assignment, eligible and active, as CSV (`kind,principalId,roleDefinitionId,
/// directoryScopeId,memberType,start,end`): the eligibility and assignment *schedules*, which
/// hold what was granted (instances would show only what is in effect right now). This is
/// what PIM iteration 2's `roleAssignments/export` gave; iteration 3 has no export call.
///
/// `GET /roleManagement/directory/roleEligibilitySchedules` and
/// `GET /roleManagement/directory/roleAssignmentSchedules`, every page.
pub async fn export_assignments(client: &Client) -> Result<String> {
    let directory = client.role_management().directory();
    let eligible = directory
        .role_eligibility_schedules()
        .list()
        .collect_all()
        .await?;
    let active = directory
        .role_assignment_schedules()
        .list()
        .collect_all()
        .await?;
    let mut csv =
        String::from("kind,principalId,roleDefinitionId,directoryScopeId,memberType,start,end\n");
    let field = |s: Option<&str>| {
        let s = s.unwrap_or_default();
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let window = |info: &Option<RequestSchedule>| {
        let start = info
            .as_ref()
            .and_then(|i| i.start_date_time.as_ref())
            .map(|t| t.as_str().to_owned());
        let end = info
            .as_ref()
            .and_then(|i| i.expiration.as_ref())
            .and_then(|e| e.end_date_time.as_ref())
            .map(|t| t.as_str().to_owned());
        (start, end)
    };
    for e in &eligible {
        let (start, end) = window(&e.schedule_info);
        csv.push_str(
            &[
                "eligible".to_owned(),
                field(e.principal_id.as_deref()),
                field(e.role_definition_id.as_deref()),
                field(e.directory_scope_id.as_deref()),
                field(e.member_type.as_deref()),
                field(start.as_deref()),
                field(end.as_deref()),
            ]
            .join(","),
        );
        csv.push('\n');
    }
    for a in &active {
        let (start, end) = window(&a.schedule_info);
        csv.push_str(
            &[
                field(a.assignment_type.as_deref().map(|t| {
                    if t.eq_ignore_ascii_case("Activated") {
                        "activated"
                    } else {
                        "active"
                    }
                })),
                field(a.principal_id.as_deref()),
                field(a.role_definition_id.as_deref()),
                field(a.directory_scope_id.as_deref()),
                field(a.member_type.as_deref()),
                field(start.as_deref()),
                field(end.as_deref()),
            ]
            .join(","),
        );
        csv.push('\n');
    }
    Ok(csv)
}

/// An administrator makes a principal eligible for a role (`adminAssign` on
/// `roleEligibilityScheduleRequests`), permanently or for `duration`.
pub async fn create_eligibility(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
    justification: &str,
    duration: Option<&str>,
) -> Result<UnifiedRoleEligibilityScheduleRequest> {
    let mut request = eligibility_request("adminAssign", principal_id, role_definition_id);
    request.justification = Some(justification.to_owned());
    request.schedule_info = Some(schedule(duration));
    submit_eligibility(client, &request).await
}

/// An administrator removes a principal's eligibility for a role (`adminRemove`).
pub async fn remove_eligibility(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
) -> Result<UnifiedRoleEligibilityScheduleRequest> {
    let request = eligibility_request("adminRemove", principal_id, role_definition_id);
    submit_eligibility(client, &request).await
}

/// A role eligibility schedule request for the whole directory (`directoryScopeId` `/`).
fn eligibility_request(
    action: &str,
    principal_id: &str,
    role_definition_id: &str,
) -> UnifiedRoleEligibilityScheduleRequest {
    let mut request = UnifiedRoleEligibilityScheduleRequest::new();
    request.action = Some(action.to_owned());
    request.principal_id = Some(principal_id.to_owned());
    request.role_definition_id = Some(role_definition_id.to_owned());
    request.directory_scope_id = Some("/".to_owned());
    request
}

async fn submit_eligibility(
    client: &Client,
    request: &UnifiedRoleEligibilityScheduleRequest,
) -> Result<UnifiedRoleEligibilityScheduleRequest> {
    client
        .role_management()
        .directory()
        .role_eligibility_schedule_requests()
        .create(request)
        .await
}

/// An administrator removes an active role assignment (`adminRemove`).
pub async fn remove_assignment(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let r = role_request("adminRemove", principal_id, role_definition_id, None, None);
    submit(client, &r).await
}

/// An administrator assigns a role (`adminAssign`), permanently or for `duration`.
pub async fn create_assignment(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
    justification: &str,
    duration: Option<&str>,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let r = role_request(
        "adminAssign",
        principal_id,
        role_definition_id,
        Some(justification),
        duration,
    );
    submit(client, &r).await
}

/// A user activates a role they are eligible for (`selfActivate`), with a justification, for
/// `duration` (at most what the role's policy allows).
pub async fn activate(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
    justification: &str,
    duration: &str,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let r = role_request(
        "selfActivate",
        principal_id,
        role_definition_id,
        Some(justification),
        Some(duration),
    );
    submit(client, &r).await
}

/// A user ends their activation early (`selfDeactivate`).
pub async fn deactivate(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let r = role_request(
        "selfDeactivate",
        principal_id,
        role_definition_id,
        None,
        None,
    );
    submit(client, &r).await
}

/// An administrator extends an assignment that is about to expire (`adminExtend`).
pub async fn extend(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
    justification: &str,
    duration: &str,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let r = role_request(
        "adminExtend",
        principal_id,
        role_definition_id,
        Some(justification),
        Some(duration),
    );
    submit(client, &r).await
}

/// An administrator renews an expired assignment (`adminRenew`).
pub async fn renew(
    client: &Client,
    principal_id: &str,
    role_definition_id: &str,
    justification: &str,
    duration: &str,
) -> Result<UnifiedRoleAssignmentScheduleRequest> {
    let r = role_request(
        "adminRenew",
        principal_id,
        role_definition_id,
        Some(justification),
        Some(duration),
    );
    submit(client, &r).await
}

/// The Microsoft Entra role assignment requests waiting for the caller's approval:
/// `GET /roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'`,
/// every page. Each request's `approvalId` is what [`decide_role_approval`] takes.
pub async fn pending_role_approvals(
    client: &Client,
) -> Result<Vec<UnifiedRoleAssignmentScheduleRequest>> {
    client
        .role_management()
        .directory()
        .role_assignment_schedule_requests()
        .filter_by_current_user(RoleAssignmentScheduleRequestFilterByCurrentUserOptions::Approver)
        .filter(format!("status eq {}", Literal::string("PendingApproval")))
        .collect_all()
        .await
}

/// Approves or denies a pending Microsoft Entra role request (PIM iteration 3): finds the
/// step of approval `approval_id` (the request's `approvalId`) that is assigned to the caller
/// and in progress, and records the decision on it with
/// `PATCH /roleManagement/directory/roleAssignmentApprovals/{approvalId}/steps/{stepId}`.
/// Returns the step's id, or `None` when no step awaits the caller.
pub async fn decide_role_approval(
    client: &Client,
    approval_id: &str,
    approve: bool,
    justification: &str,
) -> Result<Option<String>> {
    let approval = client
        .role_management()
        .directory()
        .role_assignment_approvals()
        .by_id(approval_id);
    decide_pending_step(&approval, approve, justification).await
}

/// Approves or denies a pending PIM for groups request: finds the approval's step assigned
/// to the caller that is in progress and records the decision on it. Returns the step's id,
/// or `None` when no step awaits the caller.
pub async fn decide_group_approval(
    client: &Client,
    approval_id: &str,
    approve: bool,
    justification: &str,
) -> Result<Option<String>> {
    let approval = client
        .identity_governance()
        .privileged_access()
        .group()
        .assignment_approvals()
        .by_id(approval_id);
    decide_pending_step(&approval, approve, justification).await
}

/// The decision on an approval (roles and groups share the `approval` type, so its builder):
/// the step assigned to the caller that is in progress gets `reviewResult` `Approve` or
/// `Deny` and the justification.
async fn decide_pending_step(
    approval: &ApprovalBuilder,
    approve: bool,
    justification: &str,
) -> Result<Option<String>> {
    let steps = approval.steps().list().collect_all().await?;
    let Some(step) = steps
        .into_iter()
        .find(|s| s.assigned_to_me == Some(true) && s.status.as_deref() == Some("InProgress"))
    else {
        return Ok(None);
    };
    let Some(step_id) = step.id else {
        return Ok(None);
    };
    let mut decision = ApprovalStepUpdate::new();
    decision.review_result = Patch::Value(if approve { "Approve" } else { "Deny" }.to_owned());
    decision.justification = Patch::Value(justification.to_owned());
    approval.steps().by_id(&step_id).update(&decision).await?;
    Ok(Some(step_id))
}

/// Which kind of request [`cancel`] cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A Microsoft Entra role assignment request.
    RoleAssignment,
    /// A Microsoft Entra role eligibility request.
    RoleEligibility,
    /// A PIM for groups assignment request.
    GroupAssignment,
    /// A PIM for groups eligibility request.
    GroupEligibility,
}

/// Cancels a pending request (`POST …/{id}/cancel`; Graph answers 204).
pub async fn cancel(client: &Client, kind: RequestKind, request_id: &str) -> Result<()> {
    let directory = client.role_management().directory();
    let group = client.identity_governance().privileged_access().group();
    match kind {
        RequestKind::RoleAssignment => {
            directory
                .role_assignment_schedule_requests()
                .by_id(request_id)
                .cancel()
                .await
        }
        RequestKind::RoleEligibility => {
            directory
                .role_eligibility_schedule_requests()
                .by_id(request_id)
                .cancel()
                .await
        }
        RequestKind::GroupAssignment => {
            group
                .assignment_schedule_requests()
                .by_id(request_id)
                .cancel()
                .await
        }
        RequestKind::GroupEligibility => {
            group
                .eligibility_schedule_requests()
                .by_id(request_id)
                .cancel()
                .await
        }
    }
}

/// PIM iteration 2 (`/privilegedAccess/{provider}/…`, `provider` being `aadroles` or
/// `azureResources`): deprecated in the schema, removed by the service on 2026-10-28. Only
/// with the `iteration2` feature (which enables pim-api's).
#[cfg(feature = "iteration2")]
pub mod iteration2 {
    // The builders and models of iteration 2 are deprecated; these flows use them knowingly.
    #![allow(deprecated)]

    use pim_api::models::{
        GovernanceRoleAssignmentRequest, GovernanceRoleDefinition, GovernanceRoleSetting,
    };
    use pim_api::requests::UpdateRequestParams;
    use pim_api::runtime::{Client, ErrorKind, Literal, Result};

    /// The role definitions and role settings of a PIM iteration 2 resource (`provider` is
    /// `aadroles` or `azureResources`).
    #[deprecated(note = "PIM iteration 2 is deprecated; use `super::role_settings`")]
    pub async fn roles(
        client: &Client,
        provider: &str,
        resource_id: &str,
    ) -> Result<(Vec<GovernanceRoleDefinition>, Vec<GovernanceRoleSetting>)> {
        let resource = client
            .privileged_access()
            .by_id(provider)
            .resources()
            .by_id(resource_id);
        let definitions = resource.role_definitions().list().collect_all().await?;
        let settings = resource.role_settings().list().collect_all().await?;
        Ok((definitions, settings))
    }

    /// The role assignments of a PIM iteration 2 resource as the CSV file Graph exports.
    ///
    /// The schema declares `export` as returning `Collection(Edm.String)`, but Graph answers with
    /// the file itself (`application/octet-stream`), which cannot decode as that: the file is
    /// taken from the decode error, which keeps the body.
    #[deprecated(note = "PIM iteration 2 is deprecated")]
    pub async fn export_assignments(
        client: &Client,
        provider: &str,
        resource_id: &str,
    ) -> Result<String> {
        let result = client
            .privileged_access()
            .by_id(provider)
            .role_assignments()
            .export()
            .filter(format!("resourceId eq {}", Literal::string(resource_id)))
            .await;
        match result {
            Ok(page) => Ok(page.value.join("\n")),
            Err(e) if e.kind() == ErrorKind::Decode && e.body().is_some() => {
                let body = e.body().map(|b| b.to_vec()).unwrap_or_default();
                Ok(String::from_utf8_lossy(&body)
                    .trim_start_matches('\u{feff}')
                    .to_owned())
            }
            Err(e) => Err(e),
        }
    }

    /// Approves or denies a PIM iteration 2 role assignment request (`updateRequest` with
    /// `AdminApproved` / `AdminDenied`). Graph answers 204, hence `None` most of the time.
    #[deprecated(note = "PIM iteration 2 is deprecated; use `super::decide_group_approval`")]
    pub async fn decide(
        client: &Client,
        provider: &str,
        request_id: &str,
        approve: bool,
        reason: &str,
    ) -> Result<Option<GovernanceRoleAssignmentRequest>> {
        let mut params = UpdateRequestParams::new();
        params.decision = Some(
            if approve {
                "AdminApproved"
            } else {
                "AdminDenied"
            }
            .to_owned(),
        );
        params.reason = Some(reason.to_owned());
        client
            .privileged_access()
            .by_id(provider)
            .role_assignment_requests()
            .by_id(request_id)
            .update_request(&params)
            .await
    }
}
