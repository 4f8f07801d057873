//! [`PimError`]: what a PIM failure means, parsed from Graph's error.
//!
//! The service puts the useful detail into `error.message` — the list of policy rules that
//! failed, the claims of an authentication-context challenge — and every tool that
//! automates PIM string-matches it. [`Error::pim`](crate::runtime::Error::pim) does it once,
//! from the code *and* the message (the same failure comes with different codes from
//! different front ends: `UnknownError` with the claims, `BadRequest` with the
//! already-exists phrase).

use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::runtime::Error;

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

/// Where a claims challenge came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsSource {
    /// Inside `error.message` (PIM's `RoleAssignmentRequestAcrsValidationFailed`).
    Message,
    /// The `claims` parameter of a `WWW-Authenticate: Bearer` header (a 401).
    WwwAuthenticate,
}

/// The claims a token must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimsChallenge {
    claims: String,
    source: ClaimsSource,
}

impl ClaimsChallenge {
    /// The claims request, as JSON text:
    /// `{"access_token":{"acrs":{"essential":true, "value":"c1"}}}`.
    pub fn claims(&self) -> &str {
        &self.claims
    }

    /// The claims base64-encoded, as `az login --claims-challenge` and MSAL take them.
    pub fn claims_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.claims.as_bytes())
    }

    /// The authentication context class references asked for (`c1`, ...).
    pub fn acrs(&self) -> Vec<String> {
        let Ok(v) = serde_json::from_str::<Value>(&self.claims) else {
            return Vec::new();
        };
        let acrs = &v["access_token"]["acrs"];
        let mut out: Vec<String> = acrs["value"]
            .as_str()
            .map(str::to_owned)
            .into_iter()
            .collect();
        out.extend(
            acrs["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_owned)),
        );
        out
    }

    /// Where it came from.
    pub fn source(&self) -> ClaimsSource {
        self.source
    }

    /// How to obtain a token for these claims, for an error message.
    pub fn how_to_satisfy(&self) -> String {
        format!(
            "the request needs a token that satisfies the claims {} (authentication context {}); \
             sign in again for them, e.g. `az login --scope https://graph.microsoft.com/.default \
             --claims-challenge {}`, or pass them as MSAL's claims request parameter, then send \
             the request again",
            self.claims,
            self.acrs().join(", "),
            self.claims_base64()
        )
    }
}

/// Claims after `claims=` in a message: percent-escaped JSON (`&claims=%7B…`) or plain.
fn claims_in_message(message: &str) -> Option<String> {
    let at = message.find("claims=")?;
    let rest = &message[at + "claims=".len()..];
    let text = if rest.trim_start().starts_with('{') {
        rest.trim().to_owned()
    } else {
        let escaped = rest.split(['&', ' ']).next().unwrap_or_default();
        percent_decode_str(escaped).decode_utf8().ok()?.into_owned()
    };
    serde_json::from_str::<Value>(&text)
        .ok()?
        .is_object()
        .then_some(text)
}

/// Claims in a `WWW-Authenticate` value: `Bearer …, claims="<base64>"`.
fn claims_in_header(value: &str) -> Option<String> {
    let at = value.find("claims=\"")?;
    let rest = &value[at + "claims=\"".len()..];
    let b64 = rest.split('"').next()?;
    // Standard or URL-safe alphabet, padded or not: issuers differ.
    use base64::alphabet;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let bytes = [alphabet::STANDARD, alphabet::URL_SAFE]
        .iter()
        .find_map(|a| GeneralPurpose::new(a, config).decode(b64).ok())?;
    let text = String::from_utf8(bytes).ok()?;
    serde_json::from_str::<Value>(&text)
        .ok()?
        .is_object()
        .then_some(text)
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
        if let Some(claims) = self
            .headers()
            .and_then(|h| h.get("www-authenticate"))
            .and_then(|v| v.to_str().ok())
            .and_then(claims_in_header)
        {
            return Some(PimError::ClaimsChallenge(ClaimsChallenge {
                claims,
                source: ClaimsSource::WwwAuthenticate,
            }));
        }
        let graph = self.graph_error()?;
        let (code, message) = (graph.code.as_str(), graph.message.as_str());
        let is = |c: &str| code.eq_ignore_ascii_case(c);
        let says = |phrase: &str| message.to_ascii_lowercase().contains(phrase);
        let challenged = code.ends_with("AcrsValidationFailed")
            || message.contains("AcrsValidationFailed")
            || message.contains("claims=");
        if challenged && let Some(claims) = claims_in_message(message) {
            return Some(PimError::ClaimsChallenge(ClaimsChallenge {
                claims,
                source: ClaimsSource::Message,
            }));
        }
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

    #[test]
    fn claims_in_the_forms_they_come() {
        let json = r#"{"access_token":{"acrs":{"essential":true, "value":"c1"}}}"#;
        // Escaped, as azure-powershell#25421 shows it.
        let escaped = "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D";
        assert_eq!(claims_in_message(escaped).as_deref(), Some(json));
        // Plain, after the code, as a PIM for groups front end writes it.
        let plain = format!("RoleAssignmentRequestAcrsValidationFailed claims={json}");
        assert_eq!(claims_in_message(&plain).as_deref(), Some(json));
        assert_eq!(claims_in_message("claims=%7Bbroken"), None);
        let b64 = base64::engine::general_purpose::STANDARD.encode(json);
        let header = format!(r#"Bearer realm="", error="insufficient_claims", claims="{b64}""#);
        assert_eq!(claims_in_header(&header).as_deref(), Some(json));
        let c = ClaimsChallenge {
            claims: json.into(),
            source: ClaimsSource::Message,
        };
        assert_eq!(c.acrs(), ["c1"]);
        assert!(c.how_to_satisfy().contains(&b64));
    }
}
