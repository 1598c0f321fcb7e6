//! `optimization.intervals`: interval scheduling. Maintenance windows are requested as [start, end)
//! intervals on one shared resource; how many can be granted without overlap?
//!
//! **Asked**: the maximum number of pairwise non-overlapping intervals. Intervals are half-open, so
//! [1, 3) and [3, 5) do not overlap (stated in the prompt).
//!
//! **Parameters.** `intervals`: easy 5–6, medium 6–9, hard 9–12; times on a 0–24 (easy/medium) or
//! 0–48 (hard) hour grid.
//!
//! **Key.** Earliest-finish-time greedy, optimal by the exchange argument.
//!
//! **Second route.** Brute force over all 2^n subsets (n ≤ 12).
//!
//! **Pitfalls**: earliest start first; shortest interval first (both fail on simple examples, which
//! the solution names when they fail here).

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Intervals;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "intervals",
    help: "requested windows",
    kind: ParamKind::Int { min: 1, max: 14, draw: [(5, 6), (6, 9), (9, 12)] },
}];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    iv: Vec<(u32, u32)>,
}

/// Greedy by the given key: returns the chosen indexes.
fn greedy(iv: &[(u32, u32)], key: impl Fn(&(u32, u32)) -> (u32, u32)) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..iv.len()).collect();
    idx.sort_by_key(|&i| key(&iv[i]));
    let mut chosen: Vec<usize> = Vec::new();
    for i in idx {
        if chosen.iter().all(|&c| iv[c].1 <= iv[i].0 || iv[i].1 <= iv[c].0) {
            chosen.push(i);
        }
    }
    chosen
}

/// Earliest finish first.
pub fn max_disjoint(iv: &[(u32, u32)]) -> Vec<usize> {
    greedy(iv, |x| (x.1, x.0))
}

impl Family for Intervals {
    fn id(&self) -> &'static str {
        "optimization.intervals"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Interval scheduling: granting the most maintenance windows"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("intervals") as usize;
        let horizon = if cx.difficulty().index() == 2 { 48 } else { 24 };
        let iv: Vec<(u32, u32)> = (0..n)
            .map(|_| {
                let len = cx.rng().random_range(1..=horizon / 4);
                let start = cx.rng().random_range(0..horizon - len);
                (start, start + len)
            })
            .collect();
        let best = max_disjoint(&iv);
        let by_start = greedy(&iv, |x| (x.0, x.1)).len();
        let by_len = greedy(&iv, |x| (x.1 - x.0, x.0)).len();
        let names: Vec<String> = (0..n).map(|i| format!("W{}", i + 1)).collect();
        let prompt = Content::new()
            .p("Teams request these maintenance windows on one shared database (hours, half-open [start, end): a window ending at 5 and one starting at 5 do not overlap). Granted windows must not overlap.")
            .table(["window", "start", "end"], (0..n).map(|i| vec![names[i].clone(), iv[i].0.to_string(), iv[i].1.to_string()]).collect::<Vec<_>>())
            .p("What is the largest number of windows that can be granted?");
        let mut picked = best.clone();
        picked.sort_by_key(|&i| iv[i].1);
        let mut notes = vec![];
        if by_start < best.len() {
            notes.push(format!("earliest start first grants only {by_start}"));
        }
        if by_len < best.len() {
            notes.push(format!("shortest first grants only {by_len}"));
        }
        let solution = Content::new()
            .p("Sort by end time and grant each window that starts at or after the end of the last granted one (earliest finish first). Finishing earliest leaves the most room, so an exchange argument shows no schedule does better.")
            .p(format!(
                "Granted: {} — **{}** windows.",
                picked.iter().map(|&i| format!("{} [{}, {})", names[i], iv[i].0, iv[i].1)).collect::<Vec<_>>().join(", "),
                best.len()
            ))
            .p(if notes.is_empty() { "Here the tempting rules (earliest start, shortest first) happen to tie, but they fail in general.".to_string() } else { format!("Tempting rules fail here: {}.", notes.join("; ")) });
        let evidence = Content::new().p(format!("Earliest-finish greedy: {}; earliest-start greedy: {by_start}; shortest-first greedy: {by_len}; brute force over {} subsets: {}.", best.len(), 1u64 << n, best.len()));
        Ok(Question::new(prompt, vec![AnswerSlot::new("most windows", Expected::Integer { value: best.len() as i64 })], solution, evidence).with_scenario(&Scenario { iv }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        let n = s.iv.len();
        let brute = (0u32..1 << n)
            .filter(|mask| {
                let set: Vec<usize> = (0..n).filter(|i| mask >> i & 1 == 1).collect();
                set.iter().all(|&a| set.iter().all(|&b| a == b || s.iv[a].1 <= s.iv[b].0 || s.iv[b].1 <= s.iv[a].0))
            })
            .map(|m| m.count_ones())
            .max()
            .unwrap_or(0);
        CheckError::expect_eq("maximum by brute force", *value, brute as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Intervals, 0..30).unwrap();
    }

    #[test]
    fn counterexamples_to_the_tempting_rules() {
        // One long early window against three short ones: earliest start grants 1, the optimum 3.
        let iv = [(0, 10), (1, 2), (3, 4), (5, 6)];
        assert_eq!(max_disjoint(&iv).len(), 3);
        assert_eq!(greedy(&iv, |x| (x.0, x.1)).len(), 1);
        // A short window straddling two long ones: shortest first grants 1, the optimum 2.
        let iv = [(0, 5), (4, 7), (6, 11)];
        assert_eq!(max_disjoint(&iv).len(), 2);
        assert_eq!(greedy(&iv, |x| (x.1 - x.0, x.0)).len(), 1);
        // Touching endpoints do not overlap.
        assert_eq!(max_disjoint(&[(1, 3), (3, 5)]).len(), 2);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Intervals, &["intervals=12".into()]).unwrap();
        let q = generate(&Intervals, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("W12"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Intervals, 3, Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&Intervals, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value + 1 };
        assert!(crate::family::cross_check(&Intervals, &q).is_err());
    }
}
