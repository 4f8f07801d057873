//! The errors the simulated service answers with, in Graph's shape.
//!
//! Every failure inside the simulator becomes an [`ApiError`]: a status, Graph's `code`
//! and `message`, and optionally a `WWW-Authenticate` value. The HTTP layer writes it as
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
//! with the `request-id` and `client-request-id` headers, exactly as Graph does. Codes and
//! messages are the service's where they are known (see `shared/research/landscape-2026.md`
//! §2); the constructors below are the only place they are spelled.

use std::fmt;

use crate::odata::ODataError;

/// A failed request: what the client receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Graph's `error.code`.
    pub code: String,
    /// Graph's `error.message`.
    pub message: String,
    /// A `WWW-Authenticate` header value, for 401s.
    pub www_authenticate: Option<String>,
    /// A `Retry-After` value in seconds, for 429 and 503.
    pub retry_after: Option<u64>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl ApiError {
    /// An error with status, code and message.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// 400 `BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// A body that is not JSON.
    pub fn unreadable_body() -> Self {
        Self::bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// A body that is JSON but does not fit the entity type (a wrong type, say).
    pub fn invalid_model(detail: impl fmt::Display) -> Self {
        Self::new(400, "BadRequest", format!("The model is invalid: {detail}"))
    }

    /// A required property is missing or null.
    pub fn missing(parameter: &str) -> Self {
        Self::bad_request(format!("Value cannot be null. Parameter name: {parameter}"))
    }

    /// 400 `InvalidRoleAssignmentRequest` with what is wrong.
    pub fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(
            400,
            "InvalidRoleAssignmentRequest",
            format!("The role assignment request is invalid. {detail}"),
        )
    }

    /// 400 `RoleAssignmentRequestPolicyValidationFailed` listing the failed rules the way
    /// the service does: `The following policy rules failed: ["ExpirationRule"]`.
    pub fn policy_failed(rules: &[&str]) -> Self {
        let list = rules
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(",");
        Self::new(
            400,
            "RoleAssignmentRequestPolicyValidationFailed",
            format!("The following policy rules failed: [{list}]"),
        )
    }

    /// 400 `RoleAssignmentRequestAcrsValidationFailed`: the claims challenge for an
    /// authentication context, URL-escaped inside the message as the service sends it.
    pub fn acrs_failed(claim_value: &str) -> Self {
        Self::new(
            400,
            "RoleAssignmentRequestAcrsValidationFailed",
            format!("&claims={}", claims_challenge_escaped(claim_value)),
        )
    }

    /// 400 `RoleAssignmentExists`.
    pub fn assignment_exists() -> Self {
        Self::new(
            400,
            "RoleAssignmentExists",
            "The Role assignment already exists.",
        )
    }

    /// 400 `PendingRoleAssignmentRequest`: an equal request awaits a decision.
    pub fn pending_request() -> Self {
        Self::new(
            400,
            "PendingRoleAssignmentRequest",
            "There is already an existing pending Role assignment request.",
        )
    }

    /// 400 `RoleAssignmentDoesNotExist`.
    pub fn assignment_does_not_exist() -> Self {
        Self::new(
            400,
            "RoleAssignmentDoesNotExist",
            "The Role assignment does not exist.",
        )
    }

    /// 400 `ActiveDurationTooShort` (the service's spelling, typo included).
    pub fn active_duration_too_short() -> Self {
        Self::new(
            400,
            "ActiveDurationTooShort",
            "The Active duration is too short. Miniumum Required is 5 minutes.",
        )
    }

    /// 400 `RequestCannotBeCancelled`.
    pub fn cannot_cancel() -> Self {
        Self::new(
            400,
            "RequestCannotBeCancelled",
            "Request is not in cancellable state.",
        )
    }

    /// 403: the caller lacks the role or permission.
    pub fn forbidden() -> Self {
        Self::new(
            403,
            "UnauthorizedAccessException",
            "Attempted to perform an unauthorized operation.",
        )
    }

    /// 404 for an id that names nothing.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            404,
            "Request_ResourceNotFound",
            format!(
                "{what} '{}' does not exist or one of its queried reference-property objects are not present.",
                shorten(id)
            ),
        )
    }

    /// 400 for a path the service does not have.
    pub fn no_segment(segment: &str) -> Self {
        Self::bad_request(format!(
            "Resource not found for the segment '{}'.",
            shorten(segment)
        ))
    }

    /// 405 for a method the resource does not support.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "BadRequest",
            format!("The requested resource does not support http method '{method}'."),
        )
    }

    /// 401 `InvalidAuthenticationToken`, with Graph's `WWW-Authenticate`.
    pub fn unauthenticated(message: &str) -> Self {
        let mut e = Self::new(401, "InvalidAuthenticationToken", message);
        e.www_authenticate = Some(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"".into(),
        );
        e
    }

    /// 413 for a body over the limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("The request body is larger than the {limit}-byte limit."),
        )
    }

    /// 429 `TooManyRequests` with `Retry-After`.
    pub fn throttled(retry_after: u64) -> Self {
        let mut e = Self::new(
            429,
            "TooManyRequests",
            "Too many requests from Identifier:pim-sim under category:aadgraph.app.tenant_large. Please try again later.",
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// 503 `ServiceUnavailable`.
    pub fn unavailable(retry_after: Option<u64>) -> Self {
        let mut e = Self::new(
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please try again later.",
        );
        e.retry_after = retry_after;
        e
    }

    /// 504 `GatewayTimeout`.
    pub fn gateway_timeout() -> Self {
        Self::new(
            504,
            "GatewayTimeout",
            "The gateway did not receive a response from the backend service in time.",
        )
    }
}

impl From<ODataError> for ApiError {
    fn from(e: ODataError) -> Self {
        ApiError::bad_request(e.0)
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(200).collect()
}

/// The claims JSON of an authentication-context challenge for `claim_value` (`c1`).
pub fn claims_challenge(claim_value: &str) -> String {
    let value = serde_json::Value::String(claim_value.into()).to_string();
    // The service writes a space after the comma; kept byte for byte.
    format!("{{\"access_token\":{{\"acrs\":{{\"essential\":true, \"value\":{value}}}}}}}")
}

fn claims_challenge_escaped(claim_value: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(&claims_challenge(claim_value), SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acrs_message_is_the_services() {
        // As azure-powershell#25421 shows it.
        assert_eq!(
            ApiError::acrs_failed("c1").message,
            "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"
        );
    }

    #[test]
    fn policy_message_lists_rules_as_json() {
        assert_eq!(
            ApiError::policy_failed(&["EligibilityRule", "ExpirationRule"]).message,
            "The following policy rules failed: [\"EligibilityRule\",\"ExpirationRule\"]"
        );
    }
}
