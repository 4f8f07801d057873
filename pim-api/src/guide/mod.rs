//! The PIM tasks, one page each: the call, the permission it needs, the errors the service
//! commonly returns and what to do about each.
//!
//! Every example on these pages runs as a doctest against the local PIM service
//! (`pim-sim`, whose default tenant they use: Ada administers PIM, Ben has eligible roles,
//! Cleo approves), so the guide cannot drift from the bindings. Against a real tenant the
//! code is the same with a [`Client`](crate::runtime::Client) built from your token.
//!
//! | I want to… | page |
//! |---|---|
//! | know which API to call (requests, schedules or instances; eligible or active; roles or groups; iteration 2 or 3; Graph or ARM) | [`choosing`] |
//! | list the role definitions | [`roles`] |
//! | read or change a role's settings (its policy) | [`settings`] |
//! | list or export assignments, eligible and active | [`assignments`] |
//! | create or remove an eligible or active assignment | [`assignments`] |
//! | activate an eligible role and wait until it works | [`activation`] |
//! | deactivate, extend or renew | [`activation`] |
//! | list my own eligible and active roles without admin rights | [`activation`] |
//! | cancel my pending request | [`activation`] |
//! | find and decide pending approvals | [`approvals`] |
//! | do all of it for PIM for groups | [`groups`] |
//! | understand an error | [`errors`] |
//! | move from PIM iteration 2 (`/privilegedAccess`) | [`migration`] |

#[doc = include_str!("choosing.md")]
pub mod choosing {}

#[doc = include_str!("roles.md")]
pub mod roles {}

#[doc = include_str!("settings.md")]
pub mod settings {}

#[doc = include_str!("assignments.md")]
pub mod assignments {}

#[doc = include_str!("activation.md")]
pub mod activation {}

#[doc = include_str!("approvals.md")]
pub mod approvals {}

#[doc = include_str!("groups.md")]
pub mod groups {}

#[doc = include_str!("errors.md")]
pub mod errors {}

#[doc = include_str!("migration.md")]
pub mod migration {}
