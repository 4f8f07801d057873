//! [`PimError`]: what a PIM failure means, parsed from Graph's error.
//!
//! The service puts the useful detail into `error.message` — the list of policy rules that
//! failed, the claims of an authentication-context challenge — and every tool that
//! automates PIM string-matches it. [`Error::pim`](crate::runtime::Error::pim) does it once,
//! from the code *and* the message (the same failure comes with different codes from
//! different front ends: `UnknownError` with the claims, `BadRequest` with the
//! already-exists phrase).

use crate::runtime::Error;
pub use crate::runtime::{ClaimsChallenge, ClaimsSource};

/// What a failed PIM request means.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PimError {
    /// `RoleAssignmentRequestPolicyValidationFailed`: the request breaks these rules of the
    /// role's policy.
    PolicyViolation(Vec<PolicyRule>),
    /// The token must satisfy these claims (an authentication context, `acrs`): get one
    /// that does and send the request again.
    ClaimsChallenge(ClaimsChallenge),
    /// `RoleAssignmentExists`: the grant exists already.
    AssignmentExists,
    /// `RoleAssignmentDoesNotExist`: nothing to remove, change or deactivate (or not yet
    /// provisioned).
    AssignmentDoesNotExist,
    /// `PendingRoleAssignmentRequest`: an equal request is still pending.
    RequestPending,
    /// `ActiveDurationTooShort`: a deactivation within five minutes of the activation.
    ActiveDurationTooShort,
    /// `RequestCannotBeCancelled`: the request took effect or ended.
    CannotCancel,
    /// `InvalidRoleAssignmentRequest`: the request is malformed.
    InvalidRequest {
        /// The service's message.
        message: String,
    },
    /// Another error of the service, as it came.
    Other {
        /// `error.code`.
        code: String,
        /// `error.message`.
        message: String,
    },
}

/// A rule of a role's policy, as the service names it in a policy validation failure.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyRule {
    /// `ExpirationRule`: too long, or no end where one is required.
    Expiration,
    /// `JustificationRule`: a justification is required.
    Justification,
    /// `TicketingRule`: ticket information is required.
    Ticketing,
    /// `MfaRule`: the token's sign-in must have used multi-factor authentication.
    Mfa,
    /// `ApprovalRule`.
    Approval,
    /// `EligibilityRule`: not eligible for the role at that scope.
    Eligibility,
    /// A rule this version does not know, verbatim.
    Unknown(String),
}

const RULES: &[(&str, PolicyRule)] = &[
    ("ExpirationRule", PolicyRule::Expiration),
    ("JustificationRule", PolicyRule::Justification),
    ("TicketingRule", PolicyRule::Ticketing),
    ("MfaRule", PolicyRule::Mfa),
    ("ApprovalRule", PolicyRule::Approval),
    ("EligibilityRule", PolicyRule::Eligibility),
];

impl PolicyRule {
    /// The rule for the service's id (any case).
    pub fn parse(id: &str) -> PolicyRule {
        RULES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(id.trim()))
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| PolicyRule::Unknown(id.to_owned()))
    }

    /// The service's id, e.g. `ExpirationRule`.
    pub fn as_str(&self) -> &str {
        match self {
            PolicyRule::Unknown(id) => id,
            known => RULES
                .iter()
                .find(|(_, r)| r == known)
                .map_or("", |(name, _)| name),
        }
    }
}

impl std::fmt::Display for PolicyRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules of `The following policy rules failed: ["ExpirationRule","MfaRule"]`.
fn failed_rules(message: &str) -> Vec<PolicyRule> {
    let list = message.find('[').and_then(|start| {
        message[start..]
            .find(']')
            .map(|end| &message[start..=start + end])
    });
    match list.and_then(|l| serde_json::from_str::<Vec<String>>(l).ok()) {
        Some(ids) => ids.iter().map(|id| PolicyRule::parse(id)).collect(),
        None => Vec::new(),
    }
}

impl Error {
    /// What the failure means for PIM, parsed from Graph's error code and message (and
    /// a 401's `WWW-Authenticate` claims); `None` for failures that are not the service's
    /// answer (transport, decode, configuration).
    pub fn pim(&self) -> Option<PimError> {
        if let Some(challenge) = self.claims_challenge() {
            return Some(PimError::ClaimsChallenge(challenge));
        }
        let graph = self.graph_error()?;
        let (code, message) = (graph.code.as_str(), graph.message.as_str());
        let is = |c: &str| code.eq_ignore_ascii_case(c);
        let says = |phrase: &str| message.to_ascii_lowercase().contains(phrase);
        Some(
            if is("RoleAssignmentRequestPolicyValidationFailed")
                || says("following policy rules failed")
            {
                PimError::PolicyViolation(failed_rules(message))
            } else if is("RoleAssignmentExists")
                || (is("BadRequest") && says("role assignment already exists"))
            {
                PimError::AssignmentExists
            } else if is("RoleAssignmentDoesNotExist")
                || (is("BadRequest") && says("role assignment does not exist"))
            {
                PimError::AssignmentDoesNotExist
            } else if is("PendingRoleAssignmentRequest") {
                PimError::RequestPending
            } else if is("ActiveDurationTooShort") {
                PimError::ActiveDurationTooShort
            } else if is("RequestCannotBeCancelled") {
                PimError::CannotCancel
            } else if is("InvalidRoleAssignmentRequest") {
                PimError::InvalidRequest {
                    message: message.to_owned(),
                }
            } else {
                PimError::Other {
                    code: code.to_owned(),
                    message: message.to_owned(),
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_read_from_the_message() {
        assert_eq!(
            failed_rules(
                r#"The following policy rules failed: ["EligibilityRule","ExpirationRule"]"#
            ),
            [PolicyRule::Eligibility, PolicyRule::Expiration]
        );
        assert_eq!(
            failed_rules(r#"… failed: ["NewRule"]"#),
            [PolicyRule::Unknown("NewRule".into())]
        );
        assert!(failed_rules("no list here [").is_empty());
    }
}
