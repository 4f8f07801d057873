//! [`RequestStatus`]: the status of a PIM schedule request, typed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The status of a role or group schedule request (`status`, a string in the schema).
///
/// Matching is case- and space-insensitive (old docs write `Pending Provisioning`); a value
/// this version does not know is kept verbatim in [`RequestStatus::Unknown`] and written
/// back as it came. A known value is written back in its canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestStatus {
    /// Cancelled by the requestor (an assignment request; a cancelled eligibility request
    /// becomes [`Revoked`](Self::Revoked)).
    Canceled,
    /// An approver denied it.
    Denied,
    /// The service could not carry it out.
    Failed,
    /// Accepted; on its way to taking effect.
    Granted,
    /// Waiting for an administrator (a user's extension or renewal).
    PendingAdminDecision,
    /// Waiting for an approver.
    PendingApproval,
    /// Being put into effect.
    PendingProvisioning,
    /// Accepted; its schedule is being created.
    PendingScheduleCreation,
    /// In effect.
    Provisioned,
    /// Removed, deactivated, or (an eligibility request) cancelled.
    Revoked,
    /// Its schedule exists; not yet in effect (a start in the future).
    ScheduleCreated,
    /// A status this version does not know, verbatim.
    Unknown(String),
}

const NAMES: &[(&str, RequestStatus)] = &[
    ("Canceled", RequestStatus::Canceled),
    ("Denied", RequestStatus::Denied),
    ("Failed", RequestStatus::Failed),
    ("Granted", RequestStatus::Granted),
    ("PendingAdminDecision", RequestStatus::PendingAdminDecision),
    ("PendingApproval", RequestStatus::PendingApproval),
    ("PendingProvisioning", RequestStatus::PendingProvisioning),
    (
        "PendingScheduleCreation",
        RequestStatus::PendingScheduleCreation,
    ),
    ("Provisioned", RequestStatus::Provisioned),
    ("Revoked", RequestStatus::Revoked),
    ("ScheduleCreated", RequestStatus::ScheduleCreated),
];

impl RequestStatus {
    /// Parses a status as the service (or an old docs page) writes it.
    pub fn parse(text: &str) -> RequestStatus {
        let folded: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&folded))
            // `Cancelled` is the British spelling some tools write.
            .or_else(|| {
                folded
                    .eq_ignore_ascii_case("Cancelled")
                    .then_some(&NAMES[0])
            })
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| RequestStatus::Unknown(text.to_owned()))
    }

    /// The canonical name, or an unknown value verbatim.
    pub fn as_str(&self) -> &str {
        match self {
            RequestStatus::Unknown(text) => text,
            known => NAMES
                .iter()
                .find(|(_, s)| s == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// Whether the request will not change by itself any more: in effect
    /// ([`Provisioned`](Self::Provisioned)) or ended (denied, failed, cancelled, revoked).
    /// An unknown status counts as not terminal, so a waiting loop keeps polling (up to
    /// its deadline) rather than stop on something it does not understand.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            RequestStatus::Provisioned
                | RequestStatus::Denied
                | RequestStatus::Failed
                | RequestStatus::Canceled
                | RequestStatus::Revoked
        )
    }

    /// Whether a person must decide before anything happens (an approver, or an
    /// administrator for a user's extension or renewal).
    pub fn needs_approval(&self) -> bool {
        matches!(
            self,
            RequestStatus::PendingApproval | RequestStatus::PendingAdminDecision
        )
    }

    /// Whether the request is on its way to taking effect without anyone's decision.
    pub fn is_in_flight(&self) -> bool {
        matches!(
            self,
            RequestStatus::Granted
                | RequestStatus::PendingProvisioning
                | RequestStatus::PendingScheduleCreation
                | RequestStatus::ScheduleCreated
        )
    }

    /// Whether it ended without taking effect.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            RequestStatus::Denied | RequestStatus::Failed | RequestStatus::Canceled
        )
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RequestStatus {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(RequestStatus::parse(s))
    }
}

impl Serialize for RequestStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RequestStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(RequestStatus::parse(&text))
    }
}

/// The typed status of the four PIM schedule request models, whose `status` field stays the
/// string the service sent (so the model round-trips losslessly).
macro_rules! typed_status {
    ($($model:ty),*) => {$(
        impl $model {
            /// [`status`](Self::status), typed; `None` when the payload had none.
            pub fn request_status(&self) -> Option<RequestStatus> {
                self.status.as_deref().map(RequestStatus::parse)
            }
        }
    )*};
}

typed_status!(
    crate::models::UnifiedRoleAssignmentScheduleRequest,
    crate::models::UnifiedRoleEligibilityScheduleRequest,
    crate::models::PrivilegedAccessGroupAssignmentScheduleRequest,
    crate::models::PrivilegedAccessGroupEligibilityScheduleRequest
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_in_any_case_and_spacing() {
        for (text, want) in [
            ("Provisioned", RequestStatus::Provisioned),
            ("provisioned", RequestStatus::Provisioned),
            ("Pending Provisioning", RequestStatus::PendingProvisioning),
            ("PENDINGAPPROVAL", RequestStatus::PendingApproval),
            (" Granted ", RequestStatus::Granted),
            ("Cancelled", RequestStatus::Canceled),
        ] {
            assert_eq!(RequestStatus::parse(text), want, "{text}");
        }
        let odd = RequestStatus::parse("PendingEvaluation");
        assert_eq!(odd, RequestStatus::Unknown("PendingEvaluation".into()));
        assert_eq!(odd.as_str(), "PendingEvaluation");
        assert!(!odd.is_terminal() && !odd.needs_approval());
    }

    #[test]
    fn classification() {
        assert!(RequestStatus::Provisioned.is_terminal());
        assert!(!RequestStatus::Provisioned.is_failure());
        assert!(RequestStatus::Denied.is_terminal() && RequestStatus::Denied.is_failure());
        assert!(RequestStatus::PendingApproval.needs_approval());
        assert!(!RequestStatus::PendingApproval.is_terminal());
        assert!(RequestStatus::Granted.is_in_flight());
        assert!(RequestStatus::PendingProvisioning.is_in_flight());
    }

    #[test]
    fn serde_keeps_unknown_values_and_canonicalises_known_ones() {
        let s: RequestStatus = serde_json::from_str("\"Pending Provisioning\"").unwrap();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            "\"PendingProvisioning\""
        );
        let u: RequestStatus = serde_json::from_str("\"TimedOut\"").unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"TimedOut\"");
    }
}
