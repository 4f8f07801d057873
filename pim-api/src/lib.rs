//! Typed, async Rust bindings for Microsoft Graph Privileged Identity Management (PIM).
//!
//! The models and request builders are generated at build time by `pim-codegen` from the
//! pinned Graph beta CSDL in `metadata/`; the runtime they sit on ([`runtime`]) and the
//! OData wire types they use ([`edm`]) are hand-written.

// Generated code names every runtime item as `::pim_api::...`, so the same output compiles
// inside this crate and in any scratch crate that depends on it.
extern crate self as pim_api;

pub mod edm;
pub mod models;
pub mod requests;
pub mod runtime;
