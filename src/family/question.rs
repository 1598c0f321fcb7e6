//! [`Question`]: what a family produces. The family fills in prompt, slots, solution, evidence
//! and scenario; the runner ([`super::run`]) fills in the metadata, and the pack layer stamps the
//! question code.

use super::errors::CheckError;
use super::params::Pins;
use super::profile::{Contrast, FollowUp};
use super::topic::{Difficulty, Topic};
use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A generated question: the family's content plus the metadata the runner fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The question code that regenerates exactly this question (stamped by `crate::pack::question`).
    pub code: String,
    /// The family id.
    pub family: String,
    /// The family version that generated it.
    pub version: u32,
    /// The family's topic.
    pub topic: Topic,
    /// The family's title.
    pub title: String,
    /// The difficulty it was generated at.
    pub difficulty: Difficulty,
    /// The 40-bit question seed.
    pub seed: u64,
    /// Points on the paper (set by the pack; 5 by default).
    pub points: u32,
    /// Every declared parameter's value, drawn or pinned.
    pub params: Pins,
    /// Pinned parameters (part of the code).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pins: Pins,
    /// The question text.
    pub prompt: Content,
    /// The answer boxes, with reference answers.
    pub slots: Vec<AnswerSlot>,
    /// The worked solution, with the computed intermediate values.
    pub solution: Content,
    /// What was run: digests, simulation estimates ± standard error, syscall results.
    pub evidence: Content,
    /// The family's structured scenario, from which `cross_check` recomputes the answer.
    pub scenario: serde_json::Value,
    /// True when the content was derived under a secret (see [`crate::seal`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sealed: bool,
    /// Estimated minutes for a strong candidate (from the family's ask profile; 0 if undeclared).
    #[serde(default)]
    pub minutes: u8,
    /// Skill tags of the ask (from the family's ask profile).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// True when the ask needs a computer at this difficulty; the key marks it, and paper-only
    /// packs never hold such a question.
    #[serde(default, skip_serializing_if = "is_false")]
    pub needs_computer: bool,
    /// The contrasts the question exists to show; each must come out unequal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contrasts: Vec<Contrast>,
    /// Follow-up questions for the interviewer (key and marking sheet only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub followups: Vec<FollowUp>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Default points per question.
pub const DEFAULT_POINTS: u32 = 5;

impl Question {
    /// A question with its content; the runner fills in code, family and the other metadata.
    pub fn new(
        prompt: Content,
        slots: Vec<AnswerSlot>,
        solution: Content,
        evidence: Content,
    ) -> Question {
        Question {
            code: String::new(),
            family: String::new(),
            version: 0,
            topic: Topic::Hashing,
            title: String::new(),
            difficulty: Difficulty::Medium,
            seed: 0,
            points: DEFAULT_POINTS,
            params: Pins::new(),
            pins: Pins::new(),
            prompt,
            slots,
            solution,
            evidence,
            scenario: serde_json::Value::Null,
            sealed: false,
            minutes: 0,
            tags: Vec::new(),
            needs_computer: false,
            contrasts: Vec::new(),
            followups: Vec::new(),
        }
    }

    /// The same question, declaring a contrast it exists to show (see [`Contrast`]).
    pub fn contrast(mut self, c: Contrast) -> Question {
        self.contrasts.push(c);
        self
    }

    /// The same question with a follow-up for the interviewer (see [`FollowUp`]).
    pub fn followup(mut self, f: FollowUp) -> Question {
        self.followups.push(f);
        self
    }

    /// Attaches the family's scenario, which `cross_check` reads back.
    pub fn with_scenario<S: Serialize>(mut self, scenario: &S) -> Question {
        self.scenario = serde_json::to_value(scenario).expect("scenario serialises");
        self
    }

    /// Reads the scenario back as the family's type.
    pub fn scenario<S: serde::de::DeserializeOwned>(&self) -> Result<S, CheckError> {
        serde_json::from_value(self.scenario.clone())
            .map_err(|e| CheckError(format!("scenario does not parse: {e}")))
    }

    /// The expected answer of slot `i`, for cross-checks.
    pub fn expected(&self, i: usize) -> Result<&Expected, CheckError> {
        self.slots
            .get(i)
            .map(|s| &s.expected)
            .ok_or_else(|| CheckError(format!("no slot {i}")))
    }

    /// The reference value of real slot `i`, for cross-checks.
    pub fn expected_real(&self, i: usize) -> Result<f64, CheckError> {
        match self.expected(i)? {
            Expected::Real { value, .. } => Ok(*value),
            other => Err(CheckError(format!(
                "slot {i}: expected a real answer, found {other:?}"
            ))),
        }
    }

    /// The reference value of integer slot `i`, for cross-checks.
    pub fn expected_integer(&self, i: usize) -> Result<i64, CheckError> {
        match self.expected(i)? {
            Expected::Integer { value } => Ok(*value),
            other => Err(CheckError(format!(
                "slot {i}: expected an integer answer, found {other:?}"
            ))),
        }
    }
}
