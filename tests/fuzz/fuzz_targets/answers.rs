//! Answers files (text or JSON, any bytes) parsed and graded against the default pack: any
//! panic is a bug. Invalid UTF-8 is rejected before parsing, as `groundwork check` does. The text
//! form is lenient line by line, so it must never fail as a whole; `answers.dict` seeds the
//! fuzzer with the grammar's tokens (separators, unit words, letters in paper forms, escapes).
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
    let sheet = AnswerSheet::parse(src, "fuzz");
    if !src.trim_start().starts_with('{') {
        assert!(sheet.is_ok(), "the text form never fails as a whole");
    }
    if let Ok(sheet) = sheet {
        if let Ok(r) = report::grade_pack(pack, &sheet) {
            let _ = report::text(&r);
        }
    }
});
