//! `optimization.intervals`: interval scheduling. Maintenance windows are requested as [start, end)
//! intervals on one shared resource; how many can be granted without overlap?
//!
//! **Asked** (`ask`). Intervals are half-open, so [1, 3) and [3, 5) do not overlap (stated in the
//! prompt).
//! - `count`: the maximum number of pairwise non-overlapping intervals; drawn so that earliest
//!   start first or shortest first falls short (the contrast the question exists to show);
//! - `rule` (judgment): which of three greedy rules (earliest start, shortest first, earliest
//!   finish) grant the most possible windows on this list (several may), and that number.
//!
//! **Parameters.** `intervals`: easy 5–6, medium 6–9, hard 9–12; times on a 0–24 (easy/medium) or
//! 0–48 (hard) hour grid.
//!
//! **Key.** Earliest-finish-time greedy, optimal by the exchange argument.
//!
//! **Second route.** Brute force over all 2^n subsets (n ≤ 12); for `rule`, each greedy rule
//! re-run by repeated selection of the next window.
//!
//! **Pitfalls**: earliest start first; shortest interval first (both fail on simple examples, which
//! the solution names when they fail here).

use crate::answer::{AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Intervals;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "count: the most windows; rule: which greedy rules reach it",
        kind: ParamKind::Choice {
            options: &["count", "rule"],
            draw: [&["count", "rule"], &["count", "rule"], &["count", "rule"]],
        },
    },
    ParamSpec {
        key: "intervals",
        help: "requested windows",
        kind: ParamKind::Int {
            min: 1,
            max: 14,
            draw: [(5, 6), (6, 9), (9, 12)],
        },
    },
];

/// The greedy rules of the `rule` ask, in option order, with their sort keys.
const RULES: [&str; 3] = [
    "earliest start first",
    "shortest first",
    "earliest finish first",
];

fn rule_key(rule: usize, x: &(u32, u32)) -> (u32, u32) {
    match rule {
        0 => (x.0, x.1),
        1 => (x.1 - x.0, x.0),
        _ => (x.1, x.0),
    }
}

/// A greedy rule re-run by repeated selection (the cross-check's route): pick the remaining window
/// with the smallest key (earliest index on a tie), grant it if it overlaps nothing granted.
fn greedy_by_selection(iv: &[(u32, u32)], rule: usize) -> usize {
    let mut left: Vec<usize> = (0..iv.len()).collect();
    let mut granted: Vec<(u32, u32)> = Vec::new();
    while !left.is_empty() {
        let mut k = 0;
        for j in 1..left.len() {
            if rule_key(rule, &iv[left[j]]) < rule_key(rule, &iv[left[k]]) {
                k = j;
            }
        }
        let w = iv[left.remove(k)];
        if granted.iter().all(|g| g.1 <= w.0 || w.1 <= g.0) {
            granted.push(w);
        }
    }
    granted.len()
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    #[serde(default)]
    ask: String,
    iv: Vec<(u32, u32)>,
}

/// Greedy by the given key: returns the chosen indexes.
fn greedy(iv: &[(u32, u32)], key: impl Fn(&(u32, u32)) -> (u32, u32)) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..iv.len()).collect();
    idx.sort_by_key(|&i| key(&iv[i]));
    let mut chosen: Vec<usize> = Vec::new();
    for i in idx {
        if chosen
            .iter()
            .all(|&c| iv[c].1 <= iv[i].0 || iv[i].1 <= iv[c].0)
        {
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
        2
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("count", [3, 4, 6], &["interval-scheduling"]),
            Ask::new(
                "rule",
                [4, 5, 7],
                &["interval-scheduling", "greedy-counterexample"],
            )
            .judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "most non-overlapping windows; which greedy rules reach it",
            key: "earliest-finish greedy; each rule run",
            second_route: "brute force over subsets; rules re-run by selection",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else {
            return vec!["no scenario".into()];
        };
        let best = max_disjoint(&s.iv).len();
        if s.ask == "rule" && (0..2).all(|r| greedy(&s.iv, |x| rule_key(r, x)).len() == best) {
            vec!["every greedy rule reaches the maximum: nothing to judge".into()]
        } else {
            Vec::new()
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("intervals") as usize;
        let horizon = if cx.difficulty().index() == 2 { 48 } else { 24 };
        // Draw (a bounded number of times) until earliest start or shortest first falls short:
        // the contrast `count` exists to show and the judgment `rule` needs. Both asks use the
        // same rule, so a seed gives one list whatever the ask.
        let mut iv: Vec<(u32, u32)> = Vec::new();
        for _ in 0..50 {
            iv = (0..n)
                .map(|_| {
                    let len = cx.rng().random_range(1..=horizon / 4);
                    let start = cx.rng().random_range(0..horizon - len);
                    (start, start + len)
                })
                .collect();
            let best = max_disjoint(&iv).len();
            if (0..2).any(|r| greedy(&iv, |x| rule_key(r, x)).len() < best) {
                break;
            }
        }
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
        let m = best.len();
        let granted = [by_start, by_len, m];
        let grant_list = picked
            .iter()
            .map(|&i| names[i].clone())
            .collect::<Vec<_>>()
            .join(", ");
        let extra = {
            // One more request that overlaps nothing granted would raise the count: where to put it.
            let mut gaps = Vec::new();
            let mut t = 0;
            for &i in &picked {
                if iv[i].0 > t {
                    gaps.push(format!("[{t}, {})", iv[i].0));
                }
                t = iv[i].1;
            }
            if t < horizon {
                gaps.push(format!("[{t}, {horizon})"));
            }
            gaps
        };
        let follow_gap = FollowUp::new(
            "Which windows does your schedule grant, and where could one more window fit?",
            format!(
                "Earliest finish first grants {grant_list}. Free time between them: {}.",
                if extra.is_empty() {
                    "none".to_string()
                } else {
                    extra.join(", ")
                }
            ),
        )
        .point("several optimal schedules may exist; the count is unique");
        let follow_weighted = FollowUp::new(
            "What if the windows had different values and you wanted the most value?",
            "Weighted interval scheduling: no greedy rule works; sort by end time and use dynamic programming, best(i) = max(best(i − 1), v_i + best(p(i))), where p(i) is the last window ending by the start of i: O(n log n).",
        )
        .point("the exchange argument needs every window to be worth the same");
        if ask == "rule" {
            let correct: Vec<usize> = (0..3).filter(|&r| granted[r] == m).collect();
            let options = (0..3)
                .map(|r| {
                    if granted[r] == m {
                        ChoiceOption::right(RULES[r])
                    } else {
                        ChoiceOption::wrong(
                            RULES[r],
                            match r {
                                0 => format!("an early start says nothing about how long a window blocks the database: here it grants {} of {m}.", granted[r]),
                                _ => format!("a short window can still straddle two others that would both fit: here it grants {} of {m}.", granted[r]),
                            },
                        )
                    }
                })
                .collect();
            let prompt = Content::new()
                .p("Teams request these maintenance windows on one shared database (hours, half-open [start, end): a window ending at 5 and one starting at 5 do not overlap). Granted windows must not overlap.")
                .table(["window", "start", "end"], (0..n).map(|i| vec![names[i].clone(), iv[i].0.to_string(), iv[i].1.to_string()]).collect::<Vec<_>>())
                .p("Three greedy rules are proposed. Each sorts the requests (by start time, by length, or by end time; ties go to the earlier start, then the earlier end, then list order) and grants each window that does not overlap one already granted. Which rules grant the largest possible number of windows on this list, and what is that number?");
            let slots = vec![
                AnswerSlot::new(
                    "every rule that reaches the largest number",
                    Expected::Multi {
                        options,
                        correct,
                        rule: PartialCredit::RightMinusWrong,
                    },
                ),
                AnswerSlot::new(
                    "the largest number of windows",
                    Expected::Integer { value: m as i64 },
                ),
            ];
            let solution = Content::new()
                .p(format!(
                    "Run each rule: earliest start first grants **{by_start}**, shortest first **{by_len}**, earliest finish first **{m}** ({grant_list})."
                ))
                .p(format!("Earliest finish first is always optimal (an exchange argument: the window that ends first leaves the most room), so the largest number is **{m}**, and the rules that reach it here are: **{}**.",
                    (0..3).filter(|&r| granted[r] == m).map(|r| RULES[r]).collect::<Vec<_>>().join(", ")));
            return Ok(Question::new(prompt, slots, solution, evidence)
                .with_scenario(&Scenario {
                    ask: ask.into(),
                    iv,
                })
                .followup(follow_gap)
                .followup(follow_weighted));
        }
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new(
                "most windows",
                Expected::Integer { value: m as i64 },
            )],
            solution,
            evidence,
        )
        .with_scenario(&Scenario {
            ask: ask.into(),
            iv,
        })
        .contrast(Contrast::new(
            "earliest finish vs the weaker of earliest start and shortest first",
            m,
            by_start.min(by_len),
        ))
        .followup(follow_gap)
        .followup(follow_weighted))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let n = s.iv.len();
        let brute = (0u32..1 << n)
            .filter(|mask| {
                let set: Vec<usize> = (0..n).filter(|i| mask >> i & 1 == 1).collect();
                set.iter().all(|&a| {
                    set.iter()
                        .all(|&b| a == b || s.iv[a].1 <= s.iv[b].0 || s.iv[b].1 <= s.iv[a].0)
                })
            })
            .map(|m| m.count_ones())
            .max()
            .unwrap_or(0);
        if s.ask == "rule" {
            let Expected::Multi { correct, .. } = q.expected(0)? else {
                return Err(CheckError("expected a multiple choice".into()));
            };
            let reach: Vec<usize> = (0..3)
                .filter(|&r| greedy_by_selection(&s.iv, r) == brute as usize)
                .collect();
            CheckError::expect_eq("rules that reach the maximum", correct, &reach)?;
            return CheckError::expect_eq(
                "maximum by brute force",
                q.expected_integer(1)?,
                brute as i64,
            );
        }
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        CheckError::expect_eq("maximum by brute force", *value, brute as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty};

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
        // The cross-check's selection route agrees on both hand counterexamples.
        assert_eq!(
            greedy_by_selection(&[(0, 10), (1, 2), (3, 4), (5, 6)], 0),
            1
        );
        assert_eq!(greedy_by_selection(&[(0, 5), (4, 7), (6, 11)], 1), 1);
        assert_eq!(greedy_by_selection(&[(0, 5), (4, 7), (6, 11)], 2), 2);
        // Touching endpoints do not overlap.
        assert_eq!(max_disjoint(&[(1, 3), (3, 5)]).len(), 2);
    }

    #[test]
    fn the_rule_ask_is_checked() {
        let pins = parse_pins(&Intervals, &["ask=rule".into()]).unwrap();
        for seed in 0..10 {
            let mut q = generate(&Intervals, seed, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&Intervals, &q).unwrap();
            let Expected::Multi { correct, .. } = &mut q.slots[0].expected else {
                panic!()
            };
            assert!(correct.contains(&2), "earliest finish is always optimal");
            correct.retain(|&r| r != 2);
            assert!(crate::family::cross_check(&Intervals, &q).is_err());
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Intervals, &["intervals=12".into()]).unwrap();
        let q = generate(&Intervals, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("W12"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Intervals, &["ask=count".into()]).unwrap();
        let mut q = generate(&Intervals, 3, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Intervals, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else {
            panic!()
        };
        q.slots[0].expected = Expected::Integer { value: value + 1 };
        assert!(crate::family::cross_check(&Intervals, &q).is_err());
    }
}
