//! Checking families. [`stress`] runs one family over many seeds and every difficulty through the
//! whole pipeline a pack uses (generate, cross-check, grade, question code), failing on the first
//! fault; the registry-wide tests run it. [`audit`] measures what a hiring manager cares about
//! per family and difficulty (time per question, redraws, distinct answers, quality rules, by-hand
//! routes, the family's declared profile) for `groundwork audit`. Both live above the family layer
//! because they check question codes too.

use crate::family::support::mc;
use crate::family::{cross_check, Difficulty, Family, Pins, Question};
use crate::pack::question;

/// What a stress run checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StressReport {
    /// Questions generated and checked (seeds × difficulties).
    pub questions: usize,
    /// Statistical tests the cross-checks made (see `crate::family::support::mc`).
    pub tests: u64,
    /// Tests that passed beyond `mc::WARN_SIGMA`, with the question code: warnings, not failures.
    pub marginal: Vec<String>,
}

/// Every `PIN_EVERY`-th seed is also regenerated with all its recorded parameters pinned.
const PIN_EVERY: u64 = 4;

/// Checks one family the way the registry-wide tests do, over `seeds` × every difficulty:
/// - it generates, and the same seed gives the same question (compared serialised);
/// - `cross_check` passes;
/// - every reference answer grades correct, and near misses on both sides of it (every other
///   option of a choice) grade wrong, and garbage is not correct;
/// - the question code decodes back to the same family, seed and difficulty;
/// - prompt, solution and evidence are not empty, and no two options read the same;
/// - every fourth seed, pinning every recorded parameter to its recorded value generates a
///   question that cross-checks and records exactly those values (pins are honoured, and a
///   drawn combination is never one the family refuses when it is typed in).
///
/// Returns what was checked, or the first failure with its code.
pub fn stress(
    family: &'static dyn Family,
    seeds: std::ops::Range<u64>,
) -> Result<StressReport, String> {
    let mut report = StressReport::default();
    let _ = mc::take_record();
    for d in Difficulty::ALL {
        for s in seeds.clone() {
            let seed = crate::seed::question_seed(s, 0, family.id(), family.version());
            let q = question(family, seed, d, &Pins::new(), None)
                .map_err(|e| format!("{} seed {seed} {d}: {e}", family.id()))?;
            let at = format!("{} ({} {d} seed {seed})", q.code, family.id());
            let again =
                question(family, seed, d, &Pins::new(), None).map_err(|e| format!("{at}: {e}"))?;
            if serialised(&q, &at)? != serialised(&again, &at)? {
                return Err(format!("{at}: the same seed gave a different question"));
            }
            cross_check(family, &q).map_err(|e| format!("{at}: {e}"))?;
            check_question(&q, &at)?;
            if s % PIN_EVERY == 0 {
                let pins = q.params.clone();
                let pinned = question(family, seed, d, &pins, None)
                    .map_err(|e| format!("{at}: pinned to its own parameters {pins:?}: {e}"))?;
                cross_check(family, &pinned)
                    .map_err(|e| format!("{at}: pinned to its own parameters: {e}"))?;
                if pinned.params != pins {
                    return Err(format!(
                        "{at}: pinned to its own parameters {pins:?}, it recorded {:?}",
                        pinned.params
                    ));
                }
            }
            let (decoded, fam) = crate::code::decode(&q.code, &crate::family::FAMILIES)
                .map_err(|e| format!("{at}: code does not decode: {e}"))?;
            if fam.id() != family.id() || decoded.seed != seed || decoded.difficulty != d {
                return Err(format!("{at}: code decodes to {decoded:?}"));
            }
            let record = mc::take_record();
            report.tests += record.tests;
            report.marginal.extend(
                record
                    .marginal
                    .into_iter()
                    .map(|m| format!("{at}: {:.2}σ: {}", m.z, m.what)),
            );
            report.questions += 1;
        }
    }
    Ok(report)
}

fn serialised(q: &Question, at: &str) -> Result<String, String> {
    serde_json::to_string(q).map_err(|e| format!("{at}: the question does not serialise: {e}"))
}

/// The per-question checks of [`stress`] that need no regeneration.
fn check_question(q: &Question, at: &str) -> Result<(), String> {
    use crate::answer::{grade, Outcome};
    if q.prompt.is_empty() || q.solution.is_empty() || q.evidence.is_empty() || q.slots.is_empty() {
        return Err(format!(
            "{at}: prompt, solution, evidence and slots must all be non-empty"
        ));
    }
    for (i, slot) in q.slots.iter().enumerate() {
        let e = &slot.expected;
        let reference = e.reference();
        if !grade(e, &reference).is_correct() {
            return Err(format!(
                "{at}: slot {i}: the reference `{reference}` does not grade correct: {:?}",
                grade(e, &reference)
            ));
        }
        for miss in e.near_misses() {
            if grade(e, &miss).is_correct() {
                return Err(format!(
                    "{at}: slot {i}: the near miss `{miss}` grades correct (reference `{reference}`)"
                ));
            }
        }
        if matches!(grade(e, "\u{2603} what?"), Outcome::Correct) {
            return Err(format!("{at}: slot {i}: garbage grades correct"));
        }
        if let Some(options) = e.options() {
            let mut texts: Vec<&str> = options.iter().map(|o| o.text.as_str()).collect();
            texts.sort_unstable();
            texts.dedup();
            if texts.len() != options.len() {
                return Err(format!("{at}: slot {i}: two options read the same"));
            }
        }
    }
    Ok(())
}

/// The performance rule: per question, generate plus cross-check, in a release build.
pub const MEDIAN_BUDGET_MS: f64 = 50.0;
/// The worst case allowed per question, in a release build.
pub const WORST_BUDGET_MS: f64 = 250.0;

/// What the audit found for one family at one difficulty.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// The family id.
    pub family: &'static str,
    /// The difficulty.
    pub difficulty: Difficulty,
    /// Questions audited.
    pub questions: usize,
    /// Median milliseconds to generate and cross-check one question.
    pub median_ms: f64,
    /// The slowest question, in milliseconds.
    pub max_ms: f64,
    /// The share of questions whose first draw broke a quality rule and was redrawn.
    pub redraw_rate: f64,
    /// Distinct reference answers (all parts together) among the questions.
    pub distinct_answers: usize,
    /// Questions that failed to generate or to cross-check, with the first message.
    pub failures: Vec<String>,
    /// Final questions breaking each quality rule (after the redraws, so any count is a failure).
    pub flaws: std::collections::BTreeMap<&'static str, usize>,
    /// Numeric parts on questions that do not need a computer, and how many of them declare a
    /// by-hand route the slot accepts.
    pub hand_parts: usize,
    /// Of `hand_parts`, those whose declared by-hand route lands in the accepted range.
    pub hand_accepted: usize,
    /// The share of questions that need a computer.
    pub needs_computer_share: f64,
    /// Estimated minutes: the smallest and largest among the questions.
    pub minutes: (u8, u8),
    /// Gaps in what the family declares (asks, minutes, tags, follow-ups).
    pub contract: Vec<String>,
}

impl Row {
    /// Every reason this row fails the audit. Timing counts only in an optimised build, where
    /// the budget is defined.
    pub fn problems(&self, timing: bool) -> Vec<String> {
        let mut p = Vec::new();
        p.extend(self.failures.iter().cloned());
        for (rule, n) in &self.flaws {
            if *n > 0 {
                p.push(format!("{n} question(s) break the `{rule}` rule"));
            }
        }
        if self.hand_accepted < self.hand_parts {
            p.push(format!(
                "{} of {} numeric parts lack a by-hand route the tolerance accepts",
                self.hand_parts - self.hand_accepted,
                self.hand_parts
            ));
        }
        p.extend(self.contract.iter().cloned());
        if timing && self.median_ms > MEDIAN_BUDGET_MS {
            p.push(format!(
                "median {:.1} ms per question exceeds {MEDIAN_BUDGET_MS} ms",
                self.median_ms
            ));
        }
        if timing && self.max_ms > WORST_BUDGET_MS {
            p.push(format!(
                "slowest question {:.1} ms exceeds {WORST_BUDGET_MS} ms",
                self.max_ms
            ));
        }
        p
    }
}

/// Gaps in what `family` declares, independent of any draw: every value of its `ask`
/// parameter (or "" when it has none) has an [`crate::family::Ask`] entry with minutes that do
/// not fall as difficulty rises, and at least one tag.
pub fn contract_gaps(family: &dyn Family) -> Vec<String> {
    use crate::family::ParamKind;
    let mut gaps = Vec::new();
    let asks: Vec<&str> = match family.params().iter().find(|p| p.key == "ask") {
        Some(p) => match p.kind {
            ParamKind::Choice { options, .. } => options.to_vec(),
            _ => vec![""],
        },
        None => vec![""],
    };
    for a in &asks {
        match family.asks().iter().find(|x| x.id == *a) {
            None => gaps.push(if a.is_empty() {
                "declares no ask profile (minutes, tags, needs_computer)".to_string()
            } else {
                format!("declares no ask profile for ask={a}")
            }),
            Some(x) => {
                if x.minutes.contains(&0) {
                    gaps.push(format!("ask `{a}`: an estimate of 0 minutes"));
                }
                if x.minutes.windows(2).any(|w| w[1] < w[0]) {
                    gaps.push(format!(
                        "ask `{a}`: minutes {:?} fall as difficulty rises",
                        x.minutes
                    ));
                }
                if x.tags.is_empty() {
                    gaps.push(format!("ask `{a}`: no skill tags"));
                }
            }
        }
    }
    for x in family.asks() {
        if !asks.contains(&x.id) {
            gaps.push(format!(
                "declares a profile for ask `{}`, which it does not have",
                x.id
            ));
        }
    }
    gaps
}

/// Audits `family` at `difficulty` over `seeds`: generates and cross-checks each question,
/// timing both, and applies every quality rule and contract check.
pub fn audit(
    family: &'static dyn Family,
    difficulty: Difficulty,
    seeds: std::ops::Range<u64>,
) -> Row {
    use crate::answer::Expected;
    use crate::family::{generate_counted, quality};
    use std::collections::{BTreeMap, BTreeSet};
    let mut times = Vec::new();
    let mut redrawn = 0;
    let mut answers = BTreeSet::new();
    let mut failures = Vec::new();
    let mut flaws: BTreeMap<&'static str, usize> =
        quality::Rule::ALL.iter().map(|r| (r.id(), 0)).collect();
    let (mut hand_parts, mut hand_accepted, mut computer) = (0, 0, 0);
    let (mut min_minutes, mut max_minutes) = (u8::MAX, 0);
    let mut missing_followups = 0;
    let mut n = 0;
    for s in seeds {
        let seed = crate::seed::question_seed(s, 0, family.id(), family.version());
        let start = std::time::Instant::now();
        let q = match generate_counted(family, seed, difficulty, &Pins::new(), None) {
            Ok((q, draws)) => {
                if draws > 1 {
                    redrawn += 1;
                }
                q
            }
            Err(e) => {
                failures.push(format!("seed {seed}: does not generate: {e}"));
                continue;
            }
        };
        let checked = cross_check(family, &q);
        times.push(start.elapsed().as_secs_f64() * 1e3);
        n += 1;
        if let Err(e) = checked {
            failures.push(format!("seed {seed}: {e}"));
        }
        for f in quality::flaws(family, &q) {
            *flaws.entry(f.rule.id()).or_default() += 1;
        }
        answers.insert(
            q.slots
                .iter()
                .map(|s| s.expected.reference())
                .collect::<Vec<_>>()
                .join(" | "),
        );
        if q.needs_computer {
            computer += 1;
        } else {
            for slot in &q.slots {
                if matches!(slot.expected, Expected::Real { .. }) {
                    hand_parts += 1;
                    let ok = slot.hand.as_ref().is_some_and(|h| match &slot.expected {
                        Expected::Real { value, tolerance } => {
                            tolerance.window(*value).contains(h.value)
                        }
                        _ => false,
                    });
                    if ok {
                        hand_accepted += 1;
                    }
                }
            }
        }
        min_minutes = min_minutes.min(q.minutes);
        max_minutes = max_minutes.max(q.minutes);
        if q.followups.is_empty() {
            missing_followups += 1;
        }
    }
    failures.truncate(5);
    let mut contract = contract_gaps(family);
    if missing_followups > 0 {
        contract.push(format!(
            "{missing_followups} question(s) offer no follow-up"
        ));
    }
    times.sort_by(f64::total_cmp);
    let median = if times.is_empty() {
        0.0
    } else {
        times[times.len() / 2]
    };
    Row {
        family: family.id(),
        difficulty,
        questions: n,
        median_ms: median,
        max_ms: times.last().copied().unwrap_or(0.0),
        redraw_rate: if n == 0 {
            0.0
        } else {
            redrawn as f64 / n as f64
        },
        distinct_answers: answers.len(),
        failures,
        flaws,
        hand_parts,
        hand_accepted,
        needs_computer_share: if n == 0 {
            0.0
        } else {
            computer as f64 / n as f64
        },
        minutes: (if n == 0 { 0 } else { min_minutes }, max_minutes),
        contract,
    }
}
