//! Grading one candidate answer against one slot.
//!
//! Parsing and grading are separate steps (as in PrairieLearn's `parse` and `grade`): an answer the
//! grader cannot read is [`Outcome::Invalid`], told why and how to write it, never silently
//! [`Outcome::Wrong`]. Real numbers accept `0.42`, `4.2e-1`, `42%` and fractions such as `3/8`.

use super::{letter, Expected, PartialCredit};
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

/// Parses option letters such as `A`, `a, c` or `AC`, rejecting letters past the last option.
fn parse_letters(s: &str, n: usize) -> Result<Vec<usize>, String> {
    let mut picks = Vec::new();
    for c in s.chars() {
        if c == ',' || c == ';' || c.is_whitespace() {
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
}
