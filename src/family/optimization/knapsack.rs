//! `optimization.knapsack`: a 0/1 knapsack as a capacity-planning question: which batch jobs fit
//! in a nightly window to maximise their value?
//!
//! **Asked** (`ask`):
//! - `value`: the best total value (integer);
//! - `greedy` (judgment): which of two greedy rules (by value per minute, by value) finds the best
//!   plan on this instance: one, the other, both or neither (a choice, key computed by running
//!   both rules and the DP), and (b) the best total value.
//!
//! **Parameters.** `items`: easy 4–5, medium 5–7, hard 7–10; weights (minutes) 1–9, 2–15, 3–25;
//! values 1–20, 5–40, 5–60; capacity W about 40–60% of the total weight.
//!
//! **Key.** Dynamic programming over capacities (O(n·W)), with the chosen items recovered.
//!
//! **Second route.** Brute force over all 2^n subsets; for `greedy`, the two greedy rules
//! re-run by a plain selection loop (no sort).
//!
//! **Pitfalls**: greedy by value/weight ratio (the solution shows what it gets when it is worse);
//! greedy by value.

use crate::answer::{AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Knapsack;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "value: the best total value; greedy: which greedy rule (if any) finds the best plan",
        kind: ParamKind::Choice {
            options: &["value", "greedy"],
            draw: [
                &["value", "greedy"],
                &["value", "greedy"],
                &["value", "greedy"],
            ],
        },
    },
    ParamSpec {
        key: "items",
        help: "jobs to choose from",
        kind: ParamKind::Int {
            min: 1,
            max: 16,
            draw: [(4, 5), (5, 7), (7, 10)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    #[serde(default)]
    ask: String,
    weights: Vec<u32>,
    values: Vec<u32>,
    cap: u32,
}

/// DP: (best value, chosen items).
pub fn best(w: &[u32], v: &[u32], cap: u32) -> (u32, Vec<usize>) {
    let n = w.len();
    let c = cap as usize;
    let mut dp = vec![vec![0u32; c + 1]; n + 1];
    for i in 1..=n {
        for x in 0..=c {
            dp[i][x] = dp[i - 1][x];
            if w[i - 1] as usize <= x {
                dp[i][x] = dp[i][x].max(dp[i - 1][x - w[i - 1] as usize] + v[i - 1]);
            }
        }
    }
    let mut chosen = Vec::new();
    let mut x = c;
    for i in (1..=n).rev() {
        if dp[i][x] != dp[i - 1][x] {
            chosen.push(i - 1);
            x -= w[i - 1] as usize;
        }
    }
    chosen.reverse();
    (dp[n][c], chosen)
}

/// Greedy by value, largest first (ties in job order): take each job that still fits.
fn greedy_value(w: &[u32], v: &[u32], cap: u32) -> u32 {
    let mut idx: Vec<usize> = (0..w.len()).collect();
    idx.sort_by_key(|&i| std::cmp::Reverse(v[i]));
    let (mut used, mut val) = (0, 0);
    for i in idx {
        if used + w[i] <= cap {
            used += w[i];
            val += v[i];
        }
    }
    val
}

/// A greedy rule re-run by repeated selection (the cross-check's route): among the jobs not yet
/// considered, take the best by `better` (earliest job on a tie), add it if it fits.
fn greedy_by_selection(
    w: &[u32],
    v: &[u32],
    cap: u32,
    better: impl Fn(usize, usize) -> bool,
) -> u32 {
    let mut left: Vec<usize> = (0..w.len()).collect();
    let (mut used, mut val) = (0, 0);
    while !left.is_empty() {
        let mut k = 0;
        for j in 1..left.len() {
            if better(left[j], left[k]) {
                k = j;
            }
        }
        let i = left.remove(k);
        if used + w[i] <= cap {
            used += w[i];
            val += v[i];
        }
    }
    val
}

/// The `greedy` ask's options, in order.
const GREEDY_OPTIONS: [&str; 4] = [
    "only greedy by value per minute",
    "only greedy by value",
    "both greedy rules",
    "neither greedy rule",
];

/// Which option is right, given whether each rule reaches the optimum.
fn greedy_verdict(ratio_ok: bool, value_ok: bool) -> usize {
    match (ratio_ok, value_ok) {
        (true, false) => 0,
        (false, true) => 1,
        (true, true) => 2,
        (false, false) => 3,
    }
}

fn greedy_ratio(w: &[u32], v: &[u32], cap: u32) -> u32 {
    let mut idx: Vec<usize> = (0..w.len()).collect();
    idx.sort_by(|&a, &b| (v[b] as f64 / w[b] as f64).total_cmp(&(v[a] as f64 / w[a] as f64)));
    let (mut used, mut val) = (0, 0);
    for i in idx {
        if used + w[i] <= cap {
            used += w[i];
            val += v[i];
        }
    }
    val
}

impl Family for Knapsack {
    fn id(&self) -> &'static str {
        "optimization.knapsack"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "0/1 knapsack: packing jobs into a maintenance window"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("value", [3, 5, 8], &["knapsack-dp"]),
            Ask::new(
                "greedy",
                [4, 6, 9],
                &["knapsack-dp", "greedy-counterexample"],
            )
            .judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "best value of jobs fitting a window; which greedy rule (if any) finds it",
            key: "dynamic programming; both greedy rules run",
            second_route: "brute force over subsets; greedy rules re-run by selection",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("items") as usize;
        let d = cx.difficulty().index();
        let (wmax, vlo, vhi) = [(9, 1, 20), (15, 5, 40), (25, 5, 60)][d];
        // Prefer instances where greedy-by-ratio is not optimal (bounded re-draws).
        let mut sc = None;
        for _ in 0..30 {
            let weights: Vec<u32> = (0..n)
                .map(|_| cx.rng().random_range(1 + d as u32..=wmax))
                .collect();
            let values: Vec<u32> = (0..n).map(|_| cx.rng().random_range(vlo..=vhi)).collect();
            let total: u32 = weights.iter().sum();
            let cap = (total as f64 * cx.rng().random_range(0.4..0.6))
                .round()
                .max(1.0) as u32;
            let s = Scenario {
                ask: ask.into(),
                weights,
                values,
                cap,
            };
            let beats_greedy =
                best(&s.weights, &s.values, s.cap).0 > greedy_ratio(&s.weights, &s.values, s.cap);
            sc = Some(s);
            // The judgment ask takes every verdict, so it keeps the first draw.
            if beats_greedy || ask == "greedy" {
                break;
            }
        }
        let s = sc.ok_or_else(|| GenError::Run("no instance".into()))?;
        let (v, chosen) = best(&s.weights, &s.values, s.cap);
        let g = greedy_ratio(&s.weights, &s.values, s.cap);
        let rows: Vec<Vec<String>> = (0..n)
            .map(|i| {
                vec![
                    format!("J{}", i + 1),
                    s.weights[i].to_string(),
                    s.values[i].to_string(),
                ]
            })
            .collect();
        let prompt = Content::new()
            .p(format!(
                "A nightly maintenance window lasts **{} minutes**. Each job below either runs to completion inside the window or not at all, and jobs run one after another.",
                s.cap
            ))
            .table(["job", "minutes", "value"], rows)
            .p("What is the largest total value of jobs that fit in the window?");
        let used: u32 = chosen.iter().map(|&i| s.weights[i]).sum();
        let solution = Content::new()
            .p(format!(
                "This is a 0/1 knapsack. Dynamic programming over capacity: best[i][c] = max(best[i−1][c], best[i−1][c − w_i] + v_i), {n} × {} cells.",
                s.cap + 1
            ))
            .p(format!(
                "Best: jobs {} using {used} of {} minutes, value **{v}**.",
                chosen.iter().map(|i| format!("J{}", i + 1)).collect::<Vec<_>>().join(", "),
                s.cap
            ))
            .p(if g < v {
                format!("Greedy by value per minute gets only {g}: taking the densest jobs first can leave minutes that nothing else fits.")
            } else {
                format!("Here greedy by value per minute also reaches {g}, but it is not optimal in general.")
            });
        let gv = greedy_value(&s.weights, &s.values, s.cap);
        let evidence = Content::new().p(format!("DP optimum {v}; greedy by ratio {g}; greedy by value {gv}; brute force over all {} subsets agrees.", 1u64 << n));
        let plan = chosen
            .iter()
            .map(|i| format!("J{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let longer = best(&s.weights, &s.values, s.cap + 10).0;
        if ask == "greedy" {
            let correct = greedy_verdict(g == v, gv == v);
            let why = [
                format!("value per minute is the right greedy rule for the *fractional* knapsack, where a job may be cut; here it gets {g} against the optimum {v}."),
                format!("big-value jobs first ignores how many minutes they take; here it gets {gv} against the optimum {v}."),
                format!("a greedy rule can be optimal on a lucky instance, but here value per minute gets {g} and value gets {gv} against the optimum {v}."),
                format!("0/1 knapsack defeats greedy rules in general, but on this instance one of them reaches the optimum {v} (value per minute {g}, value {gv})."),
            ];
            let options = GREEDY_OPTIONS
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    if i == correct {
                        ChoiceOption::right(*t)
                    } else {
                        ChoiceOption::wrong(*t, why[i].clone())
                    }
                })
                .collect();
            let prompt = Content::new()
                .p(format!(
                    "A nightly maintenance window lasts **{} minutes**. Each job below either runs to completion inside the window or not at all, and jobs run one after another.",
                    s.cap
                ))
                .table(["job", "minutes", "value"], (0..n).map(|i| vec![format!("J{}", i + 1), s.weights[i].to_string(), s.values[i].to_string()]))
                .p("Two colleagues propose greedy plans: go down the jobs sorted by **value per minute** (highest first), or sorted by **value** (highest first), taking each job that still fits (ties in job order). Which rule finds a plan of the largest possible total value on this list, and what is that value?");
            let slots = vec![
                AnswerSlot::new(
                    "which greedy rule reaches the best total value",
                    Expected::Choice { options, correct },
                ),
                AnswerSlot::new(
                    "the best total value",
                    Expected::Integer { value: v as i64 },
                ),
            ];
            let solution = Content::new()
                .p(format!("Greedy by value per minute gets **{g}**; greedy by value gets **{gv}**."))
                .p(format!(
                    "The optimum, by dynamic programming over capacity ($\"best\"[i][c] = max(\"best\"[i-1][c], \"best\"[i-1][c - w_i] + v_i)$), is **{v}**: jobs {plan}, {used} of {} minutes. So the answer is: **{}**.",
                    s.cap,
                    GREEDY_OPTIONS[correct]
                ));
            let q = Question::new(prompt, slots, solution, evidence)
                .with_scenario(&s)
                .followup(
                    FollowUp::new("Which jobs make up the best plan?", format!("{plan}: value {v} in {used} of {} minutes.", s.cap))
                        .point("DP over capacity, or branch and bound for a handful of jobs"),
                )
                .followup(
                    FollowUp::new("When is greedy by value per minute guaranteed optimal?", "When jobs can be cut (the fractional knapsack), or when every job takes the same time.")
                        .point("0/1 knapsack is NP-hard; the DP is pseudo-polynomial, O(n·W)"),
                );
            return Ok(q);
        }
        Ok(Question::new(prompt, vec![AnswerSlot::new("best total value", Expected::Integer { value: v as i64 })], solution, evidence)
            .with_scenario(&s)
            .contrast(Contrast::new("optimum vs greedy by value per minute", v, g))
            .followup(
                FollowUp::new("What does greedy by value per minute get, and why does it fall short?", format!(
                    "{g} against the optimum {v}: taking the densest jobs first can leave minutes that nothing else fits."
                ))
                .point("greedy by ratio is optimal only for the fractional knapsack"),
            )
            .followup(FollowUp::new(
                "What if the window were 10 minutes longer?",
                format!("The best value becomes {longer} (from {v})."),
            )))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let n = s.weights.len();
        let brute = (0u32..1 << n)
            .filter_map(|mask| {
                let (w, v) = (0..n)
                    .filter(|i| mask >> i & 1 == 1)
                    .fold((0, 0), |(w, v), i| (w + s.weights[i], v + s.values[i]));
                (w <= s.cap).then_some(v)
            })
            .max()
            .unwrap_or(0);
        if s.ask == "greedy" {
            let Expected::Choice { correct, .. } = q.expected(0)? else {
                return Err(CheckError("expected a choice".into()));
            };
            let ratio = greedy_by_selection(&s.weights, &s.values, s.cap, |a, b| {
                (s.values[a] as u64) * (s.weights[b] as u64)
                    > (s.values[b] as u64) * (s.weights[a] as u64)
            });
            let by_value = greedy_by_selection(&s.weights, &s.values, s.cap, |a, b| {
                s.values[a] > s.values[b]
            });
            CheckError::expect_eq(
                "greedy verdict",
                *correct,
                greedy_verdict(ratio == brute, by_value == brute),
            )?;
            return CheckError::expect_eq(
                "best value by brute force",
                q.expected_integer(1)?,
                brute as i64,
            );
        }
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        CheckError::expect_eq("best value by brute force", *value, brute as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Knapsack, 0..30).unwrap();
    }

    #[test]
    fn textbook_instance() {
        // CLRS 16.2: weights 10, 20, 30, values 60, 100, 120, capacity 50: 220 (items 2 and 3);
        // greedy by ratio takes item 1 first and gets 160.
        assert_eq!(best(&[10, 20, 30], &[60, 100, 120], 50), (220, vec![1, 2]));
        assert_eq!(greedy_ratio(&[10, 20, 30], &[60, 100, 120], 50), 160);
        // By hand: greedy by value takes 120 (30 min), then 100 (20 min): 220, the optimum. So on
        // CLRS's instance only greedy by value is optimal.
        assert_eq!(greedy_value(&[10, 20, 30], &[60, 100, 120], 50), 220);
        assert_eq!(greedy_verdict(false, true), 1);
        assert_eq!(GREEDY_OPTIONS[1], "only greedy by value");
    }

    #[test]
    fn the_greedy_ask_is_checked_against_a_second_route() {
        let pins = parse_pins(&Knapsack, &["ask=greedy".into()]).unwrap();
        let mut verdicts = std::collections::BTreeSet::new();
        for seed in 0..40 {
            let mut q = generate(&Knapsack, seed, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&Knapsack, &q).unwrap();
            let Expected::Choice { correct, .. } = &mut q.slots[0].expected else {
                panic!()
            };
            verdicts.insert(*correct);
            *correct = (*correct + 1) % 4;
            assert!(
                crate::family::cross_check(&Knapsack, &q).is_err(),
                "seed {seed}"
            );
        }
        assert!(verdicts.len() >= 3, "verdicts seen: {verdicts:?}");
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Knapsack, &["ask=value".into(), "items=9".into()]).unwrap();
        let q = generate(&Knapsack, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("J9"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Knapsack, &["ask=value".into()]).unwrap();
        let mut q = generate(&Knapsack, 5, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Knapsack, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else {
            panic!()
        };
        q.slots[0].expected = Expected::Integer { value: value - 1 };
        assert!(crate::family::cross_check(&Knapsack, &q).is_err());
    }
}
