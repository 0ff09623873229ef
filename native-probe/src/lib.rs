//! mailprobe: the one part of mailsetup that touches the network.
//!
//! It resolves, connects, speaks TLS and moves bytes; every protocol decision
//! is made by the pure dialogues in `mailsetup-core`, and every verdict by its
//! `diagnose`. The CLI (`main.rs`) and the local web service ([`serve`]) are
//! thin layers over [`probe::run_test`].
#![forbid(unsafe_code)]

pub mod contract;
pub mod discover;
pub mod dns;
pub mod https;
pub mod message;
pub mod oauth;
pub mod output;
pub mod password;
pub mod probe;
pub mod serve;
pub mod settings_file;
pub mod tls;
