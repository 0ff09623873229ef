//! cargo-fuzz target: see `mailsetup_core::fuzzing::reply`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailsetup_core::fuzzing::reply(data));
