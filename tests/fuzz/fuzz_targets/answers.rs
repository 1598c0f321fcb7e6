//! Answers files (text or JSON, any bytes) parsed and graded against the default pack: any
//! panic is a bug. Invalid UTF-8 is rejected before parsing, as `groundwork check` does.
#![no_main]
use groundwork::answer::sheet::AnswerSheet;
use groundwork::spec::Spec;
use groundwork::{pack, report};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static PACK: OnceLock<pack::Pack> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let pack = PACK.get_or_init(|| pack::build(&Spec::default_spec(), None).expect("default pack"));
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(sheet) = AnswerSheet::parse(src, "fuzz") {
        if let Ok(r) = report::grade_pack(pack, &sheet) {
            let _ = report::text(&r);
        }
    }
});
