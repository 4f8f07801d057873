//! Policy pre-flight: what a role's policy asks of an activation, checked before sending.
//!
//! [`requirements`] reads the policy that governs a role at the directory scope (or a
//! group's membership or ownership) — its assignment, with `$expand=policy($expand=rules)` —
//! and derives what an activation must satisfy from the typed rules.
//! [`Requirements::check`] then reports, for an [`Activation`], the rule ids the service
//! would refuse it with; what depends on the token (MFA, an authentication context) is
//! stated by [`Requirements::mfa`] and [`Requirements::authentication_context`], for the
//! caller to compare with how they signed in.

use std::time::Duration;

use crate::models::{UnifiedRoleManagementPolicy, UnifiedRoleManagementPolicyRuleKind as Rule};
use crate::runtime::{Client, Literal, Result};

use super::{Activation, PolicyRule, Target};

/// What a policy asks of an activation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Requirements {
    /// The policy's id.
    pub policy_id: String,
    /// The longest activation (`Expiration_EndUser_Assignment`'s `maximumDuration`).
    pub max_duration: Option<Duration>,
    /// An activation must end (it always must, in practice).
    pub expiration_required: bool,
    /// A justification is required.
    pub justification: bool,
    /// Ticket number and system are required.
    pub ticket: bool,
    /// The token's sign-in must have used multi-factor authentication.
    pub mfa: bool,
    /// The Conditional Access authentication context (`acrs` claim value, e.g. `c1`) the
    /// token must satisfy.
    pub authentication_context: Option<String>,
    /// An approver must approve the activation.
    pub approval: bool,
    /// How long an activation must last before it may be deactivated (the service's
    /// fixed five minutes).
    pub minimum_active: Duration,
}

impl Requirements {
    /// Derives the requirements from a policy's rules.
    pub fn from_policy(policy: &UnifiedRoleManagementPolicy) -> Requirements {
        let mut r = Requirements {
            policy_id: policy.id.clone().unwrap_or_default(),
            minimum_active: Duration::from_secs(300),
            ..Requirements::default()
        };
        for rule in policy.rules.iter().flatten() {
            match rule {
                Rule::UnifiedRoleManagementPolicyExpirationRule(e)
                    if e.id.as_deref() == Some("Expiration_EndUser_Assignment") =>
                {
                    r.expiration_required = e.is_expiration_required == Some(true);
                    r.max_duration = e.maximum_duration.as_ref().and_then(|d| d.to_std().ok());
                }
                Rule::UnifiedRoleManagementPolicyEnablementRule(e)
                    if e.id.as_deref() == Some("Enablement_EndUser_Assignment") =>
                {
                    for name in e.enabled_rules.iter().flatten() {
                        match name.to_ascii_lowercase().as_str() {
                            "justification" => r.justification = true,
                            "ticketing" => r.ticket = true,
                            "multifactorauthentication" => r.mfa = true,
                            _ => {}
                        }
                    }
                }
                Rule::UnifiedRoleManagementPolicyAuthenticationContextRule(a)
                    if a.id.as_deref() == Some("AuthenticationContext_EndUser_Assignment")
                        && a.is_enabled == Some(true) =>
                {
                    r.authentication_context = a.claim_value.clone().filter(|c| !c.is_empty());
                }
                Rule::UnifiedRoleManagementPolicyApprovalRule(a)
                    if a.id.as_deref() == Some("Approval_EndUser_Assignment") =>
                {
                    r.approval =
                        a.setting.as_ref().and_then(|s| s.is_approval_required) == Some(true);
                }
                _ => {}
            }
        }
        r
    }

    /// The rules `activation` breaks, named as the service names them
    /// (`ExpirationRule`, `JustificationRule`, `TicketingRule`), in the service's order.
    /// Token-dependent rules are not checked here: compare [`mfa`](Self::mfa) and
    /// [`authentication_context`](Self::authentication_context) with how you signed in.
    pub fn check(&self, activation: &Activation) -> Vec<PolicyRule> {
        let mut failed = Vec::new();
        if self
            .max_duration
            .is_some_and(|max| activation.requested_duration() > max)
        {
            failed.push(PolicyRule::Expiration);
        }
        let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
        if self.justification && blank(activation.requested_justification()) {
            failed.push(PolicyRule::Justification);
        }
        let ticket = activation.requested_ticket();
        if self.ticket && ticket.is_none_or(|(n, s)| blank(Some(n)) || blank(Some(s))) {
            failed.push(PolicyRule::Ticketing);
        }
        failed
    }

    /// [`check`](Self::check) plus the MFA rule for a token whose sign-in did (`true`) or
    /// did not use MFA.
    pub fn check_with_mfa(
        &self,
        activation: &Activation,
        signed_in_with_mfa: bool,
    ) -> Vec<PolicyRule> {
        let mut failed = self.check(activation);
        if self.mfa && !signed_in_with_mfa {
            failed.push(PolicyRule::Mfa);
        }
        failed
    }
}

/// Reads the policy that governs `target` and derives its [`Requirements`].
///
/// `GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq
/// 'DirectoryRole' and roleDefinitionId eq '…'&$expand=policy($expand=rules)` (for a group:
/// `scopeId` the group, `scopeType` `Group`, `roleDefinitionId` `member` or `owner`).
/// Permission: `RoleManagementPolicy.Read.Directory` (groups: `….AzureADGroup`). `None`
/// when no policy is assigned to it.
pub async fn requirements(client: &Client, target: &Target) -> Result<Option<Requirements>> {
    let (scope, scope_type, role) = match target {
        // Policies are assigned at the directory root, whatever the activation's scope.
        Target::Role {
            role_definition_id, ..
        } => ("/".to_owned(), "DirectoryRole", role_definition_id.clone()),
        Target::Group { group_id, access } => {
            (group_id.clone(), "Group", access.as_str().to_owned())
        }
    };
    let page = client
        .policies()
        .role_management_policy_assignments()
        .list_by_scope_id_and_scope_type(&scope, scope_type)
        .filter(format!("roleDefinitionId eq {}", Literal::string(&role)))
        .expand(["policy($expand=rules)"])
        .await?;
    Ok(page
        .value
        .into_iter()
        .find_map(|a| a.policy)
        .map(|p| Requirements::from_policy(&p)))
}
