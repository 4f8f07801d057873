//! What PIM means beyond the schema: typed statuses and errors, and the activation
//! lifecycle.
//!
//! The schema types `status` as a string, carries the reasons of a refusal only as message
//! text, and says nothing of how an activation unfolds. This module is the hand-written
//! layer over the generated models that knows PIM:
//!
//! * [`RequestStatus`] (with `request_status()` on every schedule request model) and
//!   [`PimError`] (from [`Error::pim`](crate::runtime::Error::pim));
//! * [`activate`], [`wait`] and [`activate_and_wait`], [`deactivate`], [`extend`],
//!   [`renew`], [`cancel`], [`activate_many`] (or [`activate_batched`], over `$batch`),
//!   [`dry_run`], over an [`Activation`] of a role
//!   or a group membership; [`wait`] ends with a typed [`Outcome`];
//! * [`requirements`]: what a role's policy asks of an activation, checked locally with
//!   [`Requirements::check`] before sending.

mod error;
mod lifecycle;
mod preflight;
mod status;

pub use error::{ClaimsChallenge, ClaimsSource, PimError, PolicyRule};
pub use lifecycle::{
    Activation, ActivationRequest, GroupAccess, Outcome, Target, Wait, activate, activate_and_wait,
    activate_batched, activate_many, cancel, deactivate, dry_run, extend, renew, wait,
};
pub use preflight::{Requirements, requirements};
pub use status::RequestStatus;
