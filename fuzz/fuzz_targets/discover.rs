//! cargo-fuzz target: see `mailsetup_core::fuzzing::discover`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailsetup_core::fuzzing::discover(data));
