//! What PIM means beyond the schema: the statuses of requests and the errors of the service,
//! typed.
//!
//! The schema types `status` as a string and carries the reasons of a refusal only as
//! message text. This module is the hand-written layer over the generated models that knows
//! PIM: [`RequestStatus`] (with `request_status()` on every schedule request model) and
//! [`PimError`] (from [`Error::pim`](crate::runtime::Error::pim)).

mod error;
mod status;

pub use error::{ClaimsChallenge, ClaimsSource, PimError, PolicyRule};
pub use status::RequestStatus;
