//! Grading one candidate answer against one slot.
//!
//! Parsing and grading are separate steps (as in PrairieLearn's `parse` and `grade`): an answer the
//! grader cannot read is [`Outcome::Invalid`], told why and how to write it, never silently
//! [`Outcome::Wrong`]. Real numbers accept `0.42`, `4.2e-1`, `42%` and fractions such as `3/8`.

use super::{letter, AnswerSlot, Expected, PartialCredit};
use crate::text::echo;
use serde::{Deserialize, Serialize};

/// The result of grading one slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Full marks.
    Correct,
    /// Partial credit for a multiple-choice answer; `score` is in (0, 1).
    Partial { score: f64, feedback: String },
    /// A readable answer that is not accepted; `feedback` names the misconception when known.
    Wrong { feedback: String },
    /// An answer the grader cannot read; `reason` says why and `hint` how to write it.
    Invalid { reason: String, hint: String },
}

impl Outcome {
    /// The fraction of the slot's points this outcome earns.
    pub fn score(&self) -> f64 {
        match self {
            Outcome::Correct => 1.0,
            Outcome::Partial { score, .. } => *score,
            Outcome::Wrong { .. } | Outcome::Invalid { .. } => 0.0,
        }
    }

    /// True for [`Outcome::Correct`].
    pub fn is_correct(&self) -> bool {
        matches!(self, Outcome::Correct)
    }
}

fn invalid(reason: impl Into<String>, hint: impl Into<String>) -> Outcome {
    Outcome::Invalid {
        reason: reason.into(),
        hint: hint.into(),
    }
}

/// Grades `input` against `slot`: [`grade`], after taking off a unit word that matches the
/// slot's unit or a word of what it asks (`245 times` for a slot asking "times", `12 ms` for a
/// slot in ms, `1.33 comparisons` for "expected comparisons"). A unit word that matches neither
/// makes the answer invalid rather than wrong: the number may be in another unit.
pub fn grade_slot(slot: &AnswerSlot, input: &str) -> Outcome {
    let t = input.trim();
    let numeric = matches!(
        slot.expected,
        Expected::Integer { .. } | Expected::Real { .. }
    );
    if !numeric {
        return grade(&slot.expected, t);
    }
    let reads = |s: &str| match slot.expected {
        Expected::Integer { .. } => parse_integer(s).is_ok(),
        _ => parse_real(s).is_ok(),
    };
    if reads(t) {
        return grade(&slot.expected, t);
    }
    let Some((number, word)) = split_unit(t) else {
        return grade(&slot.expected, t);
    };
    if !reads(number) {
        return grade(&slot.expected, t);
    }
    if unit_matches(slot, word) {
        return grade(&slot.expected, number);
    }
    let want = if slot.unit.is_empty() {
        String::new()
    } else {
        format!(" (it is in {})", slot.unit)
    };
    invalid(
        format!("`{}` is not this answer's unit{want}", echo(word)),
        format!(
            "write the number alone, such as {}",
            slot.expected.reference()
        ),
    )
}

/// `245 times` → (`245`, `times`); `12ms` → (`12`, `ms`). The word is the trailing run of
/// letters (µ included), with an optional `/` inside (`ops/s`).
fn split_unit(t: &str) -> Option<(&str, &str)> {
    let start = t
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic() || *c == '/' || *c == '.')
        .last()
        .map(|(i, _)| i)?;
    let (number, word) = t.split_at(start);
    let word = word.trim_start_matches(['/', '.']).trim_end_matches('.');
    let number = number.trim();
    if number.is_empty() || word.is_empty() || !word.starts_with(char::is_alphabetic) {
        return None;
    }
    Some((number, word))
}

/// Words of one unit: `ms` and `milliseconds` are one unit. Public for the self-check page,
/// which reads unit words as [`grade_slot`] does.
pub const SYNONYMS: &[&[&str]] = &[
    &["ms", "msec", "millisecond", "milliseconds"],
    &["s", "sec", "secs", "second", "seconds"],
    &["µs", "us", "μs", "microsecond", "microseconds"],
    &["ns", "nanosecond", "nanoseconds"],
    &["min", "mins", "minute", "minutes"],
    &["h", "hr", "hour", "hours"],
    &["%", "percent", "pct"],
    &["b", "byte", "bytes"],
];

/// Words that never count as a unit, however the slot is worded (public for the self-check page).
pub const NOT_UNITS: &[&str] = &[
    "a", "an", "the", "of", "or", "and", "in", "to", "for", "per", "on", "by", "is", "it", "as",
    "with", "what", "how", "many", "much", "expected", "number", "value",
];

/// A word in a comparable form: lower case, a plural `s` dropped.
fn stem(w: &str) -> String {
    let w = w.to_lowercase();
    match w.strip_suffix('s') {
        Some(r) if r.chars().count() >= 3 => r.to_string(),
        _ => w,
    }
}

/// True when `word` names the slot's unit, or a word of what the slot asks.
fn unit_matches(slot: &AnswerSlot, word: &str) -> bool {
    let w = word.to_lowercase();
    let same_unit = |u: &str| {
        let u = u.to_lowercase();
        u == w
            || SYNONYMS
                .iter()
                .any(|g| g.contains(&u.as_str()) && g.contains(&w.as_str()))
    };
    if !slot.unit.is_empty() && (same_unit(&slot.unit) || stem(&slot.unit) == stem(&w)) {
        return true;
    }
    if NOT_UNITS.contains(&w.as_str()) || w.chars().count() < 2 {
        return false;
    }
    let ask = crate::content::plain_spans(&crate::content::spans(&slot.ask));
    ask.split(|c: char| !c.is_alphanumeric())
        .filter(|a| !a.is_empty() && !NOT_UNITS.contains(&a.to_lowercase().as_str()))
        .any(|a| stem(a) == stem(&w))
}

/// Grades `input` against `expected`.
pub fn grade(expected: &Expected, input: &str) -> Outcome {
    let input = input.trim();
    if input.is_empty() {
        return invalid(
            "the answer is empty",
            format!("write {}", expected.describe()),
        );
    }
    match expected {
        Expected::Integer { value } => match parse_integer(input) {
            Ok(v) if v == *value => Outcome::Correct,
            Ok(v) => Outcome::Wrong {
                feedback: format!("{v} is not the expected value"),
            },
            Err(e) => invalid(e, "write a whole number such as 42"),
        },
        Expected::Real { value, tolerance } => match parse_real(input) {
            Ok(v) if tolerance.accepts(*value, v) => Outcome::Correct,
            Ok(v) => Outcome::Wrong {
                feedback: format!(
                    "{v} is outside the accepted range, {}",
                    tolerance.window(*value).describe()
                ),
            },
            Err(e) => invalid(e, "write a number such as 0.125, 1.25e-1, 12.5% or 1/8"),
        },
        Expected::Hex { value } => {
            let t = input
                .trim_start_matches("0x")
                .trim_start_matches("0X")
                .to_ascii_lowercase();
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_hexdigit()) {
                invalid(
                    format!("`{}` is not hexadecimal", echo(input)),
                    "write hex digits 0-9 and a-f, such as 3fa9",
                )
            } else if t == value.to_ascii_lowercase() {
                Outcome::Correct
            } else if t.len() != value.len() {
                Outcome::Wrong {
                    feedback: format!("expected {} hex digits, got {}", value.len(), t.len()),
                }
            } else {
                Outcome::Wrong {
                    feedback: "the digits differ from the reference".into(),
                }
            }
        }
        Expected::Text {
            value,
            normalisation,
            accepted,
        } => match normalisation.canon(input) {
            Err(e) => invalid(e, format!("write {}", normalisation.describe())),
            Ok(got) => {
                let ok = std::iter::once(value)
                    .chain(accepted.iter())
                    .any(|v| normalisation.canon(v).map(|c| c == got).unwrap_or(false));
                if ok {
                    Outcome::Correct
                } else {
                    Outcome::Wrong {
                        feedback: format!("`{}` is not the expected answer", echo(input)),
                    }
                }
            }
        },
        Expected::Choice { options, correct } => match parse_letters(input, options.len()) {
            Err(e) => invalid(
                e,
                format!(
                    "write one letter from A to {}",
                    letter(options.len().saturating_sub(1))
                ),
            ),
            Ok(picks) if picks.len() != 1 => invalid(
                "this question takes exactly one letter",
                "write a single letter such as B",
            ),
            Ok(picks) if picks[0] == *correct => Outcome::Correct,
            Ok(picks) => Outcome::Wrong {
                feedback: options[picks[0]]
                    .why_wrong
                    .clone()
                    .unwrap_or_else(|| "that option is not right".into()),
            },
        },
        Expected::Multi {
            options,
            correct,
            rule,
        } => match parse_letters(input, options.len()) {
            Err(e) => invalid(e, "write letters separated by commas, such as A,C"),
            Ok(picks) => {
                let right = picks.iter().filter(|p| correct.contains(p)).count();
                let wrong: Vec<usize> = picks
                    .iter()
                    .copied()
                    .filter(|p| !correct.contains(p))
                    .collect();
                if right == correct.len() && wrong.is_empty() {
                    return Outcome::Correct;
                }
                let mut feedback: Vec<String> = wrong
                    .iter()
                    .map(|w| {
                        format!(
                            "{}: {}",
                            letter(*w),
                            options[*w]
                                .why_wrong
                                .clone()
                                .unwrap_or_else(|| "not right".into())
                        )
                    })
                    .collect();
                if right < correct.len() {
                    feedback.push(format!(
                        "{} of {} right options picked",
                        right,
                        correct.len()
                    ));
                }
                let feedback = feedback.join("; ");
                let score = match rule {
                    PartialCredit::AllOrNothing => 0.0,
                    PartialCredit::RightMinusWrong => {
                        ((right as f64 - wrong.len() as f64) / correct.len().max(1) as f64).max(0.0)
                    }
                };
                if score > 0.0 {
                    Outcome::Partial { score, feedback }
                } else {
                    Outcome::Wrong { feedback }
                }
            }
        },
        Expected::Sequence {
            values,
            normalisation,
        } => {
            let items: Vec<&str> = input
                .split([',', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let items: Vec<&str> = if items.len() == 1 && values.len() > 1 {
                input.split_whitespace().collect()
            } else {
                items
            };
            let mut got = Vec::with_capacity(items.len());
            for (i, it) in items.iter().enumerate() {
                match normalisation.canon(it) {
                    Ok(c) => got.push(c),
                    Err(e) => {
                        return invalid(
                            format!("item {}: {e}", i + 1),
                            format!("write {}", expected.describe()),
                        )
                    }
                }
            }
            let want: Vec<String> = values
                .iter()
                .map(|v| normalisation.canon(v).unwrap_or_else(|_| v.clone()))
                .collect();
            if got == want {
                Outcome::Correct
            } else if got.len() != want.len() {
                Outcome::Wrong {
                    feedback: format!("expected {} items, got {}", want.len(), got.len()),
                }
            } else {
                let first = got.iter().zip(&want).position(|(g, w)| g != w).unwrap_or(0);
                Outcome::Wrong {
                    feedback: format!("item {} differs", first + 1),
                }
            }
        }
    }
}

/// Parses an integer: optional sign, `_` or `,` digit separators, or `0x` hex.
pub fn parse_integer(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(&h.replace('_', ""), 16)
            .map_err(|_| format!("`{}` is not a hex integer", echo(t)))?
    } else {
        let digits: String = body.chars().filter(|c| *c != '_' && *c != ',').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{}` is not a whole number", echo(t)));
        }
        digits
            .parse::<i64>()
            .map_err(|_| format!("`{}` is too large", echo(t)))?
    };
    Ok(if neg { -v } else { v })
}

/// Parses a real number: decimal or scientific notation, a percentage, or a fraction `a/b`.
pub fn parse_real(s: &str) -> Result<f64, String> {
    let t = s.trim().replace('_', "");
    let bad = || format!("`{}` is not a number", echo(s.trim()));
    let v = if let Some(p) = t.strip_suffix('%') {
        p.trim().parse::<f64>().map_err(|_| bad())? / 100.0
    } else if let Some((a, b)) = t.split_once('/') {
        let a: f64 = a.trim().parse().map_err(|_| bad())?;
        let b: f64 = b.trim().parse().map_err(|_| bad())?;
        if b == 0.0 {
            return Err(format!("`{}` divides by zero", echo(s.trim())));
        }
        a / b
    } else {
        t.parse::<f64>().map_err(|_| bad())?
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("`{}` is not a finite number", echo(s.trim())))
    }
}

/// Parses option letters such as `A`, `a, c`, `AC`, `(D)` or `D.`, rejecting letters past the
/// last option. Public for `groundwork grade`, which counts the options candidates picked.
pub fn parse_letters(s: &str, n: usize) -> Result<Vec<usize>, String> {
    let mut picks = Vec::new();
    for c in s.chars() {
        // `(D)`, `D.` and `D)` are how people write a letter on paper.
        if matches!(c, ',' | ';' | '(' | ')' | '.') || c.is_whitespace() {
            continue;
        }
        if !c.is_ascii_alphabetic() {
            return Err(format!(
                "`{}` is not an option letter",
                echo(&c.to_string())
            ));
        }
        let i = (c.to_ascii_uppercase() as u8 - b'A') as usize;
        if i >= n {
            return Err(format!("there is no option {}", c.to_ascii_uppercase()));
        }
        if !picks.contains(&i) {
            picks.push(i);
        }
    }
    picks.sort_unstable();
    Ok(picks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{ChoiceOption, Normalisation, Tolerance};

    #[test]
    fn reals_accept_percent_fraction_and_scientific() {
        let e = Expected::Real {
            value: 0.125,
            tolerance: Tolerance::SigFigs { digits: 3 },
        };
        for ok in ["0.125", "1.25e-1", "12.5%", "1/8"] {
            assert_eq!(grade(&e, ok), Outcome::Correct, "{ok}");
        }
        assert!(matches!(grade(&e, "0.13"), Outcome::Wrong { .. }));
        assert!(matches!(
            grade(&e, "about a tenth"),
            Outcome::Invalid { .. }
        ));
    }

    #[test]
    fn choice_feedback_names_the_misconception() {
        let e = Expected::Choice {
            options: vec![
                ChoiceOption::right("n·H_n"),
                ChoiceOption::wrong("n", "each draw can repeat a shard"),
            ],
            correct: 0,
        };
        assert_eq!(grade(&e, "a"), Outcome::Correct);
        assert_eq!(
            grade(&e, "B"),
            Outcome::Wrong {
                feedback: "each draw can repeat a shard".into()
            }
        );
        assert!(matches!(grade(&e, "C"), Outcome::Invalid { .. }));
        assert!(matches!(grade(&e, "A,B"), Outcome::Invalid { .. }));
    }

    #[test]
    fn multi_partial_credit_is_right_minus_wrong() {
        let e = Expected::Multi {
            options: (0..4)
                .map(|i| ChoiceOption::right(format!("o{i}")))
                .collect(),
            correct: vec![0, 2],
            rule: PartialCredit::RightMinusWrong,
        };
        assert_eq!(grade(&e, "A,C"), Outcome::Correct);
        assert_eq!(grade(&e, "A").score(), 0.5);
        assert_eq!(grade(&e, "A,B").score(), 0.0);
    }

    #[test]
    fn sequences_compare_item_by_item() {
        let e = Expected::Sequence {
            values: vec!["4096".into(), "904".into(), "0".into()],
            normalisation: Normalisation::Integer,
        };
        assert_eq!(grade(&e, "4096, 904, 0"), Outcome::Correct);
        assert_eq!(grade(&e, "4096 904 0"), Outcome::Correct);
        assert!(matches!(grade(&e, "4096, 904"), Outcome::Wrong { .. }));
        assert!(matches!(grade(&e, "4096, x, 0"), Outcome::Invalid { .. }));
    }

    #[test]
    fn errno_names_normalise() {
        let e = Expected::errno("ENOTEMPTY");
        assert_eq!(grade(&e, "enotempty"), Outcome::Correct);
        assert_eq!(grade(&e, "-ENOTEMPTY"), Outcome::Correct);
        assert!(matches!(grade(&e, "EISDIR"), Outcome::Wrong { .. }));
        assert!(matches!(grade(&e, "not empty!"), Outcome::Invalid { .. }));
    }

    fn slot(ask: &str, unit: &str, e: Expected) -> AnswerSlot {
        AnswerSlot::new(ask, e).unit(unit)
    }

    #[test]
    fn a_unit_word_matching_the_slot_is_accepted() {
        let times = slot("times", "", Expected::Integer { value: 245 });
        assert_eq!(grade_slot(&times, "245 times"), Outcome::Correct);
        assert_eq!(grade_slot(&times, "245"), Outcome::Correct);
        let cmp = slot("expected comparisons", "", Expected::sig(1.33, 3));
        assert_eq!(grade_slot(&cmp, "1.33 comparisons"), Outcome::Correct);
        assert_eq!(grade_slot(&cmp, "1.33 comparison"), Outcome::Correct);
        let ms = slot("latency", "ms", Expected::sig(12.0, 2));
        assert_eq!(grade_slot(&ms, "12 ms"), Outcome::Correct);
        assert_eq!(grade_slot(&ms, "12ms"), Outcome::Correct);
        assert_eq!(grade_slot(&ms, "12 milliseconds"), Outcome::Correct);
        // Another unit is not silently read as this one.
        assert!(matches!(grade_slot(&ms, "12 s"), Outcome::Invalid { .. }));
        assert!(matches!(
            grade_slot(&times, "245 bananas"),
            Outcome::Invalid { .. }
        ));
        assert!(matches!(grade_slot(&ms, "13 ms"), Outcome::Wrong { .. }));
    }

    #[test]
    fn choice_letters_in_paper_forms() {
        let e = Expected::Choice {
            options: (0..4)
                .map(|i| ChoiceOption::right(format!("o{i}")))
                .collect(),
            correct: 3,
        };
        for ok in ["D", "d", "(D)", "D.", "(d)", "D)"] {
            assert_eq!(grade(&e, ok), Outcome::Correct, "{ok}");
        }
        assert!(matches!(grade(&e, "(C)"), Outcome::Wrong { .. }));
    }

    #[test]
    fn byte_strings_quoted_or_escaped() {
        let e = Expected::Text {
            value: "b\\0\\0\\0c".into(),
            normalisation: Normalisation::Exact,
            accepted: vec![],
        };
        for ok in [
            "b\\0\\0\\0c",
            "\"b\\0\\0\\0c\"",
            "\"b\\x00\\x00\\x00c\"",
            "b\\x00\\0\\x00c",
            "'b\\0\\0\\0c'",
        ] {
            assert_eq!(grade(&e, ok), Outcome::Correct, "{ok}");
        }
        assert!(matches!(grade(&e, "\"b\\0\\0c\""), Outcome::Wrong { .. }));
        assert!(matches!(grade(&e, "b\\q"), Outcome::Invalid { .. }));
        assert!(matches!(grade(&e, "b\\x0"), Outcome::Invalid { .. }));
        // Plain text stays plain.
        let plain = Expected::Text {
            value: "0777".into(),
            normalisation: Normalisation::Exact,
            accepted: vec![],
        };
        assert_eq!(grade(&plain, "0777"), Outcome::Correct);
    }
}
