//! Pack specs (TOML, any bytes): parsing must return a spec or an error, never panic.
#![no_main]
use groundwork::spec::Spec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = Spec::parse(src, "fuzz");
    }
});
