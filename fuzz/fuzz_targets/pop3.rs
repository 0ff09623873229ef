//! cargo-fuzz target: see `mailsetup_core::fuzzing::pop3`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailsetup_core::fuzzing::pop3(data));
