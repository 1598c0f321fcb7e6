//! Checking families the way the registry-wide tests do. [`stress`] runs one family over many
//! seeds and every difficulty through the whole pipeline a pack uses (generate, cross-check,
//! grade, question code), so it lives above the family layer.

use crate::family::{cross_check, Difficulty, Family, Pins};
use crate::pack::question;

/// Checks one family the way the registry-wide tests do, over `seeds` × every difficulty:
/// it generates; the same seed gives the same question; `cross_check` passes; every reference
/// answer grades correct and a near miss (just outside the tolerance) does not; the question code
/// decodes back to the same question; prompt, solution and evidence are not empty.
///
/// Returns the number of questions checked, or the first failure with its code.
pub fn stress(family: &'static dyn Family, seeds: std::ops::Range<u64>) -> Result<usize, String> {
    use crate::answer::{grade, Outcome};
    let mut checked = 0;
    for d in Difficulty::ALL {
        for s in seeds.clone() {
            let seed = crate::seed::question_seed(s, 0, family.id(), family.version());
            let q = question(family, seed, d, &Pins::new(), None)
                .map_err(|e| format!("{} seed {seed} {d}: {e}", family.id()))?;
            let at = format!("{} ({} {d} seed {seed})", q.code, family.id());
            let again =
                question(family, seed, d, &Pins::new(), None).map_err(|e| format!("{at}: {e}"))?;
            if serde_json::to_string(&q).ok() != serde_json::to_string(&again).ok() {
                return Err(format!("{at}: the same seed gave a different question"));
            }
            cross_check(family, &q).map_err(|e| format!("{at}: {e}"))?;
            if q.prompt.is_empty()
                || q.solution.is_empty()
                || q.evidence.is_empty()
                || q.slots.is_empty()
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
                let miss = e.near_miss();
                if grade(e, &miss).is_correct() {
                    return Err(format!("{at}: slot {i}: the near miss `{miss}` grades correct (reference `{reference}`)"));
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
            let (decoded, fam) = crate::code::decode(&q.code, &crate::family::FAMILIES)
                .map_err(|e| format!("{at}: code does not decode: {e}"))?;
            if fam.id() != family.id() || decoded.seed != seed || decoded.difficulty != d {
                return Err(format!("{at}: code decodes to {decoded:?}"));
            }
            checked += 1;
        }
    }
    Ok(checked)
}
