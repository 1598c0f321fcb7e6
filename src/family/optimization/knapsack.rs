//! `optimization.knapsack`: a 0/1 knapsack as a capacity-planning question: which batch jobs fit
//! in a nightly window to maximise their value?
//!
//! **Asked**: the best total value (integer).
//!
//! **Parameters.** `items`: easy 4–5, medium 5–7, hard 7–10; weights (minutes) 1–9, 2–15, 3–25;
//! values 1–20, 5–40, 5–60; capacity W about 40–60% of the total weight.
//!
//! **Key.** Dynamic programming over capacities (O(n·W)), with the chosen items recovered.
//!
//! **Second route.** Brute force over all 2^n subsets.
//!
//! **Pitfalls**: greedy by value/weight ratio (the solution shows what it gets when it is worse);
//! greedy by value.

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Knapsack;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "items",
    help: "jobs to choose from",
    kind: ParamKind::Int { min: 1, max: 16, draw: [(4, 5), (5, 7), (7, 10)] },
}];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
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
        1
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

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("items") as usize;
        let d = cx.difficulty().index();
        let (wmax, vlo, vhi) = [(9, 1, 20), (15, 5, 40), (25, 5, 60)][d];
        // Prefer instances where greedy-by-ratio is not optimal (bounded re-draws).
        let mut sc = None;
        for _ in 0..30 {
            let weights: Vec<u32> = (0..n).map(|_| cx.rng().random_range(1 + d as u32..=wmax)).collect();
            let values: Vec<u32> = (0..n).map(|_| cx.rng().random_range(vlo..=vhi)).collect();
            let total: u32 = weights.iter().sum();
            let cap = (total as f64 * cx.rng().random_range(0.4..0.6)).round().max(1.0) as u32;
            let s = Scenario { weights, values, cap };
            let beats_greedy = best(&s.weights, &s.values, s.cap).0 > greedy_ratio(&s.weights, &s.values, s.cap);
            sc = Some(s);
            if beats_greedy {
                break;
            }
        }
        let s = sc.ok_or_else(|| GenError::Run("no instance".into()))?;
        let (v, chosen) = best(&s.weights, &s.values, s.cap);
        let g = greedy_ratio(&s.weights, &s.values, s.cap);
        let rows: Vec<Vec<String>> = (0..n).map(|i| vec![format!("J{}", i + 1), s.weights[i].to_string(), s.values[i].to_string()]).collect();
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
        let evidence = Content::new().p(format!("DP optimum {v}; greedy by ratio {g}; brute force over all {} subsets agrees.", 1u64 << n));
        Ok(Question::new(prompt, vec![AnswerSlot::new("best total value", Expected::Integer { value: v as i64 })], solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        let n = s.weights.len();
        let brute = (0u32..1 << n)
            .filter_map(|mask| {
                let (w, v) = (0..n).filter(|i| mask >> i & 1 == 1).fold((0, 0), |(w, v), i| (w + s.weights[i], v + s.values[i]));
                (w <= s.cap).then_some(v)
            })
            .max()
            .unwrap_or(0);
        CheckError::expect_eq("best value by brute force", *value, brute as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

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
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Knapsack, &["items=9".into()]).unwrap();
        let q = generate(&Knapsack, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("J9"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Knapsack, 5, Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&Knapsack, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value - 1 };
        assert!(crate::family::cross_check(&Knapsack, &q).is_err());
    }
}
