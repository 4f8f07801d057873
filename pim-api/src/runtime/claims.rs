//! Claims challenges: the service asking for a token whose sign-in satisfies more (an
//! authentication context, `acrs`; a fresh sign-in after a policy change).
//!
//! They come in two forms: the OAuth/CAE one, a 401 whose `WWW-Authenticate: Bearer`
//! header carries `claims="<base64 JSON>"`, and PIM's, a 400
//! `RoleAssignmentRequestAcrsValidationFailed` whose message carries the JSON after
//! `claims=`, URL-escaped (`&claims=%7B…`) or plain. [`Error::claims_challenge`] reads
//! either. The client answers one by asking its [`TokenProvider`](super::TokenProvider) for
//! a token satisfying the claims ([`token_for_claims`](super::TokenProvider::token_for_claims))
//! and sending the request again, once; a provider that cannot is left with the error,
//! whose message then says which claims are needed and how to get a token for them.

use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::error::Error;

/// Where a claims challenge came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsSource {
    /// Inside `error.message` (PIM's `RoleAssignmentRequestAcrsValidationFailed`).
    Message,
    /// The `claims` parameter of a `WWW-Authenticate: Bearer` header (a 401).
    WwwAuthenticate,
}

/// The claims a token must satisfy: the service asking for a token whose sign-in satisfies
/// more (an authentication context, `acrs`). It comes as a 401 whose `WWW-Authenticate:
/// Bearer` header carries `claims="<base64 JSON>"`, or as PIM's 400
/// `RoleAssignmentRequestAcrsValidationFailed` with the JSON after `claims=` in the message.
/// The client answers one by asking its token provider for a token satisfying it
/// ([`TokenProvider::token_for_claims`](super::TokenProvider::token_for_claims)) and
/// sending the request again, once.
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

impl Error {
    /// The claims challenge this error carries, if any: from a 401's `WWW-Authenticate`
    /// (`claims="<base64>"`) or from PIM's `…AcrsValidationFailed` message (see
    /// [`ClaimsChallenge`]).
    pub fn claims_challenge(&self) -> Option<ClaimsChallenge> {
        if let Some(claims) = self
            .headers()
            .and_then(|h| h.get("www-authenticate"))
            .and_then(|v| v.to_str().ok())
            .and_then(claims_in_header)
        {
            return Some(ClaimsChallenge {
                claims,
                source: ClaimsSource::WwwAuthenticate,
            });
        }
        let graph = self.graph_error()?;
        let (code, message) = (graph.code.as_str(), graph.message.as_str());
        let challenged = code.ends_with("AcrsValidationFailed")
            || message.contains("AcrsValidationFailed")
            || message.contains("claims=");
        if !challenged {
            return None;
        }
        claims_in_message(message).map(|claims| ClaimsChallenge {
            claims,
            source: ClaimsSource::Message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
