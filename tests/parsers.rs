//! Fuzzing every user-facing parser: spec TOML, question codes, `--set`, and candidate answers.
//! They return errors; they never panic.

use groundwork::answer::{grade, ChoiceOption, Expected, Normalisation, PartialCredit, Tolerance};
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

    #[test]
    fn real_answers_grade_by_their_tolerance(v in 1e-6f64..1e6, digits in 2u32..5) {
        let e = Expected::Real { value: v, tolerance: Tolerance::SigFigs { digits } };
        prop_assert!(grade(&e, &e.reference()).is_correct());
        prop_assert!(!grade(&e, &e.near_miss()).is_correct());
    }
}
