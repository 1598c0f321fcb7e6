//! Checking families the way the registry-wide tests do. [`stress`] runs one family over many
//! seeds and every difficulty through the whole pipeline a pack uses (generate, cross-check,
//! grade, question code), so it lives above the family layer.

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
    if q.prompt.is_empty() || q.solution.is_empty() || q.evidence.is_empty() || q.slots.is_empty()
    {
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
