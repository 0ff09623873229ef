//! The heart of mailsetup: profile model, validation, diagnosis and the SMTP
//! dialogue as a pure state machine.
//!
//! This crate contains no IO: no sockets, no files, no clock and no randomness.
//! Server bytes, DNS answers and timings come in as arguments; commands and
//! verdicts come out as values. That is what lets the same code run in the
//! browser (through `mailsetup-wasm`) and in the native probe, and what makes
//! every dialogue, hostile ones included, testable without a network. CI keeps
//! this true by building the crate for `wasm32-unknown-unknown`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub(crate) mod ascii;
pub mod dialogue;
pub mod discover;
pub mod domain;
pub mod field;
pub mod finding;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod lang;
pub mod lines;
pub mod oauth;
pub mod observe;
pub mod pop3;
pub mod presets;
pub mod profile;
pub mod reply;
pub mod run;
pub mod sanitize;
pub mod secret;
pub mod smtp;
pub mod suggest;
pub mod validate;
pub mod verdict;

pub use field::Field;
pub use finding::{Code, Finding, Severity};
pub use lang::Lang;
pub use profile::{AuthKind, Profile, ProfileRef, Security, Server, ServerRef, Settings, Tenant};
pub use secret::Password;
pub use validate::{validate_field, validate_profile, validate_settings};
