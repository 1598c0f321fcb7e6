//! Fuzzing every user-facing parser: spec TOML, question codes, `--set`, and candidate answers.
//! They return errors; they never panic.

use groundwork::answer::sheet::AnswerSheet;
use groundwork::answer::{
    grade, grade_slot, AnswerSlot, ChoiceOption, Expected, Normalisation, PartialCredit, Tolerance,
};
use groundwork::family::{parse_pins, FAMILIES};
use groundwork::spec::Spec;
use proptest::prelude::*;

fn spec_fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "title = \"t\"",
        "seed = 4",
        "seed = -1",
        "seed = \"x\"",
        "duration = 3",
        "[[section]]",
        "[section]",
        "topic = \"hashing\"",
        "topic = \"nope\"",
        "families = []",
        "families = [\"hashing.birthday\"]",
        "families = [1]",
        "count = 0",
        "count = 3",
        "count = 100000",
        "difficulty = \"hard\"",
        "difficulty = 2",
        "points = 0",
        "points = 5",
        "set = { n = 3 }",
        "set = { ask = \"zzz\" }",
        "set = { k = [1] }",
        "x = 1",
        "=",
        "[[",
        "\"",
        "\u{0}",
        "# comment",
    ])
    .prop_map(str::to_string)
}

/// Pieces of answer lines in the lenient grammar: labels, separators, answers with unit words,
/// letters in paper forms, quoted byte strings with escapes, and junk.
fn answer_line() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec![
        "1", "2b", "2 b", "2(b)", "2.b", "Q3", "q12c", "0", "9999", "99999", "b2", "", "1a", "3",
    ]);
    let sep = prop::sample::select(vec![":", ")", " =", ".", " ", "", "::", "=)", ". "]);
    let answer = prop::sample::select(vec![
        "0.42",
        "245 times",
        "1.33 comparisons",
        "12 ms",
        "12ms",
        "12 s",
        "(D)",
        "D.",
        "d",
        "A,C",
        "\"b\\0\\0c\"",
        "b\\x00c",
        "\"\\x0\"",
        "\"\\q\"",
        "\\",
        "\"",
        "''",
        "ENOENT",
        "1/8",
        "12.5%",
        "",
        " ",
        "\u{0}",
        "é",
        "1e308",
        "-",
        "0x1f",
        "4096, 904",
        "µs",
    ]);
    (label, sep, answer, prop::bool::ANY)
        .prop_map(|(l, s, a, sp)| format!("{l}{s}{}{a}", if sp { " " } else { "" }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn spec_parser_never_panics_on_spec_shaped_input(lines in prop::collection::vec(spec_fragment(), 0..12)) {
        let _ = Spec::parse(&lines.join("\n"), "fuzz.toml");
    }

    #[test]
    fn spec_parser_never_panics_on_arbitrary_text(s in ".{0,200}") {
        let _ = Spec::parse(&s, "fuzz.toml");
    }

    #[test]
    fn code_decoder_never_panics(s in "[0-9A-Za-z:=,.\\- ]{0,40}") {
        let _ = groundwork::code::decode(&s, &FAMILIES);
    }

    #[test]
    fn set_parser_never_panics(i in 0usize..64, s in ".{0,30}") {
        let f = FAMILIES[i % FAMILIES.len()];
        let _ = parse_pins(f, std::slice::from_ref(&s));
        if let Some(p) = f.params().first() {
            let _ = parse_pins(f, &[format!("{}={s}", p.key)]);
        }
    }

    #[test]
    fn grader_never_panics(s in ".{0,40}", v in -1e9f64..1e9) {
        let opts = vec![ChoiceOption::right("a"), ChoiceOption::wrong("b", "why")];
        for e in [
            Expected::Integer { value: v as i64 },
            Expected::Real { value: v, tolerance: Tolerance::SigFigs { digits: 3 } },
            Expected::Real { value: v, tolerance: Tolerance::Rel { rel: 0.01 } },
            Expected::Hex { value: "3fa9".into() },
            Expected::errno("ENOENT"),
            Expected::Text { value: "x".into(), normalisation: Normalisation::Loose, accepted: vec![] },
            Expected::Choice { options: opts.clone(), correct: 0 },
            Expected::Multi { options: opts.clone(), correct: vec![0], rule: PartialCredit::RightMinusWrong },
            Expected::Sequence { values: vec!["1".into(), "2".into()], normalisation: Normalisation::Integer },
        ] {
            let _ = grade(&e, &s);
        }
    }

    /// The text grammar never refuses a file and never panics: a bad line marks its part or
    /// becomes a note, and grading every resolved answer against every kind of slot returns an
    /// outcome.
    #[test]
    fn lenient_answer_lines_never_fail_the_file(lines in prop::collection::vec(answer_line(), 0..12), junk in ".{0,40}") {
        let mut src = lines.join("\n");
        src.push('\n');
        src.push_str(&junk);
        if src.trim_start().starts_with('{') {
            return Ok(());
        }
        let sheet = AnswerSheet::parse(&src, "fuzz.txt");
        prop_assert!(sheet.is_ok(), "{src:?}: {:?}", sheet.err());
        let sheet = sheet.unwrap();
        let resolved = sheet.resolve(&[1, 2, 3, 1]);
        let slots = [
            AnswerSlot::new("times", Expected::Integer { value: 245 }),
            AnswerSlot::new("expected comparisons", Expected::sig(1.33, 3)).unit("ms"),
            AnswerSlot::new("", Expected::Text { value: "b\\0c".into(), normalisation: Normalisation::Exact, accepted: vec![] }),
            AnswerSlot::new("", Expected::Choice { options: vec![ChoiceOption::right("a"), ChoiceOption::wrong("b", "why")], correct: 0 }),
        ];
        for entry in resolved.answers.values() {
            for slot in &slots {
                let _ = grade_slot(slot, &entry.answer);
            }
        }
    }

    #[test]
    fn real_answers_grade_by_their_tolerance(v in 1e-6f64..1e6, digits in 2u32..5) {
        let e = Expected::Real { value: v, tolerance: Tolerance::SigFigs { digits } };
        prop_assert!(grade(&e, &e.reference()).is_correct());
        prop_assert!(!grade(&e, &e.near_miss()).is_correct());
    }
}
