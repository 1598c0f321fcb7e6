//! The quality rules for a drawn question (`../shared/DESIGN.md`, "Quality rules for a draw").
//! A question can be correct and still be a bad interview question; the runner redraws, within a
//! bound, until none of these flaws remains:
//!
//! - **trivial**: a real answer that prints as 0 or 1 (ask for the complement instead);
//! - **tie**: an exact value within 2% of a last-digit unit of a rounding boundary (1.375 to 3
//!   significant figures could fairly be written 1.37 or 1.38);
//! - **contrast**: a contrast the question exists to show came out equal;
//! - **hand route**: the by-hand route a question declares gives a value its slot rejects, on a
//!   question that does not need a computer;
//! - **family**: a rule of the family's own ([`Family::flaws`]).

use super::contract::Family;
use super::question::Question;
use crate::answer::{format_real, Expected};
use std::fmt;

/// Which rule a flaw breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A real answer prints as 0 or 1.
    Trivial,
    /// The exact value sits on a rounding boundary.
    Tie,
    /// A declared contrast came out equal.
    Contrast,
    /// The declared by-hand route is rejected by the slot's tolerance.
    HandRoute,
    /// A rule of the family's own.
    Family,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 5] = [
        Rule::Trivial,
        Rule::Tie,
        Rule::Contrast,
        Rule::HandRoute,
        Rule::Family,
    ];

    /// A short name for reports.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Trivial => "trivial",
            Rule::Tie => "tie",
            Rule::Contrast => "contrast",
            Rule::HandRoute => "hand-route",
            Rule::Family => "family",
        }
    }
}

/// One broken rule, with what broke it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flaw {
    /// The rule.
    pub rule: Rule,
    /// What broke it, for the failure message.
    pub message: String,
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.id(), self.message)
    }
}

/// The largest distance from a rounding boundary, in last-digit units, that counts as a tie.
pub const TIE_MARGIN: f64 = 0.02;

/// Every flaw of `q`, a question `family` generated.
pub fn flaws(family: &dyn Family, q: &Question) -> Vec<Flaw> {
    let mut out = Vec::new();
    let part = |i: usize| {
        if q.slots.len() > 1 {
            format!("part {}", (b'a' + i as u8) as char)
        } else {
            "the answer".to_string()
        }
    };
    for (i, slot) in q.slots.iter().enumerate() {
        if let Expected::Real { value, tolerance } = &slot.expected {
            let printed = format_real(*value, tolerance);
            let shown: f64 = printed.parse().unwrap_or(f64::NAN);
            if shown == 0.0 || shown.abs() == 1.0 {
                out.push(Flaw {
                    rule: Rule::Trivial,
                    message: format!("{} prints as {printed}", part(i)),
                });
            }
            if let Some(d) = tolerance.tie_distance(*value) {
                if d < TIE_MARGIN {
                    out.push(Flaw {
                        rule: Rule::Tie,
                        message: format!(
                            "{} is {value}, on a rounding boundary of {}",
                            part(i),
                            tolerance.describe()
                        ),
                    });
                }
            }
        }
        if !q.needs_computer {
            if let Some(h) = &slot.hand {
                let ok = match &slot.expected {
                    Expected::Real { value, tolerance } => {
                        tolerance.window(*value).contains(h.value)
                    }
                    Expected::Integer { value } => h.value.round() == *value as f64,
                    _ => true,
                };
                if !ok {
                    out.push(Flaw {
                        rule: Rule::HandRoute,
                        message: format!(
                            "{}: the by-hand route ({}) gives {}, outside the accepted range {}",
                            part(i),
                            h.method,
                            h.value,
                            slot.accepted_text().unwrap_or_default()
                        ),
                    });
                }
            }
        }
    }
    for c in &q.contrasts {
        if !c.holds() {
            out.push(Flaw {
                rule: Rule::Contrast,
                message: format!("{} came out equal ({} and {})", c.what, c.a, c.b),
            });
        }
    }
    for m in family.flaws(q) {
        out.push(Flaw {
            rule: Rule::Family,
            message: m,
        });
    }
    out
}
