//! What a hiring manager needs to plan and run a question, declared by each family.
//!
//! Statically, per ask and difficulty ([`Ask`]): estimated minutes for a strong candidate, skill
//! tags, whether the ask needs a computer, and whether it tests judgment rather than arithmetic.
//! `groundwork families` prints these, paper-only packs skip the asks that need a computer, and
//! pack planning uses the tags to avoid two questions on one skill.
//!
//! Per drawn instance, on the [`Question`](super::question::Question): the contrasts the question
//! exists to show ([`Contrast`], which must come out unequal) and the follow-ups for the
//! conversation after the paper ([`FollowUp`], computed by the same code as the key). The by-hand
//! route of each numeric slot lives on the slot (`crate::answer::HandRoute`).

use super::topic::Difficulty;
use serde::{Deserialize, Serialize};

/// One ask of a family: the value of its `ask` parameter ("" when it has none), with what the
/// interviewer needs to know about it at each difficulty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ask {
    /// The `ask` parameter's value; "" for a family without an `ask` parameter.
    pub id: &'static str,
    /// Estimated minutes for a strong candidate, `[easy, medium, hard]`.
    pub minutes: [u8; 3],
    /// Skill tags ("birthday-bound", "binomial-tail", "posix-rename"): one skill per tag.
    pub tags: &'static [&'static str],
    /// True at a difficulty where a strong candidate with a calculator cannot reach the asked
    /// precision by the method the key teaches.
    pub needs_computer: [bool; 3],
    /// True when the ask tests judgment (choose a design, explain a trade-off) rather than
    /// arithmetic: a choice whose distractors are named misconceptions.
    pub judgment: bool,
}

impl Ask {
    /// An ask done by hand at every difficulty.
    pub const fn new(id: &'static str, minutes: [u8; 3], tags: &'static [&'static str]) -> Ask {
        Ask {
            id,
            minutes,
            tags,
            needs_computer: [false; 3],
            judgment: false,
        }
    }

    /// The same ask, needing a computer at the difficulties marked `true`.
    pub const fn computer(mut self, at: [bool; 3]) -> Ask {
        self.needs_computer = at;
        self
    }

    /// The same ask, marked as testing judgment.
    pub const fn judgment(mut self) -> Ask {
        self.judgment = true;
        self
    }

    /// Minutes at difficulty `d`.
    pub fn minutes_at(&self, d: Difficulty) -> u8 {
        self.minutes[d.index()]
    }

    /// Whether the ask needs a computer at difficulty `d`.
    pub fn needs_computer_at(&self, d: Difficulty) -> bool {
        self.needs_computer[d.index()]
    }
}

/// What the catalogue and the README's families table say about a family: what it asks, how the
/// key is computed, and the independent second route that checks it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct About {
    /// What the family asks, in a phrase ("P(collision) among n IDs cut to k hex digits").
    pub asks: &'static str,
    /// How the key is computed ("exact product, in log space").
    pub key: &'static str,
    /// The second route ("Monte Carlo that really hashes random URLs with SHA-256").
    pub second_route: &'static str,
}

/// A contrast the question exists to show ("tiled vs column-major misses"), with both sides as
/// printed. The quality rules redraw a question whose contrast comes out equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contrast {
    /// What is contrasted, for the audit and the failure message.
    pub what: String,
    /// One side, as printed.
    pub a: String,
    /// The other side, as printed.
    pub b: String,
}

impl Contrast {
    /// A contrast between two printed values.
    pub fn new(what: impl Into<String>, a: impl ToString, b: impl ToString) -> Contrast {
        Contrast {
            what: what.into(),
            a: a.to_string(),
            b: b.to_string(),
        }
    }

    /// True when the two sides differ as printed.
    pub fn holds(&self) -> bool {
        self.a != self.b
    }
}

/// A follow-up question for the conversation after the paper, computed for the drawn instance.
/// It appears on the key and the marking sheet, never on the paper or the self-check page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// What the interviewer asks, in the inline markup ("What if the load rises to 95%?").
    pub ask: String,
    /// The expected answer, with the numbers computed by the same code as the key.
    pub answer: String,
    /// Talking points a strong answer mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<String>,
}

impl FollowUp {
    /// A follow-up with its expected answer.
    pub fn new(ask: impl Into<String>, answer: impl Into<String>) -> FollowUp {
        FollowUp {
            ask: ask.into(),
            answer: answer.into(),
            points: Vec::new(),
        }
    }

    /// The same follow-up with a talking point a strong answer mentions.
    pub fn point(mut self, p: impl Into<String>) -> FollowUp {
        self.points.push(p.into());
        self
    }
}
