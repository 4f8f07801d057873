//! `pim-codegen`: reads Microsoft Graph CSDL and generates the typed Rust bindings of pim-api.
//!
//! The generator is a pipeline of pure stages; `ARCHITECTURE.md` at the repository root
//! describes each one and its invariants:
//!
//! 1. [`csdl`]: XML text → raw document (positions kept, nothing resolved).
//! 2. [`model`]: raw document → resolved model (qualified names, inheritance, annotations).

pub mod builders;
pub mod csdl;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod generate;
pub mod inspect;
pub mod ir;
pub mod model;
pub mod naming;
pub mod select;
pub mod sync;

pub use generate::{Generated, Settings, check_golden, generate, generate_all, generate_with};
