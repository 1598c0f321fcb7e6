//! `optimization.scheduling`: jobs with known durations on one worker. In which order should they
//! run to minimise the mean completion time (the mean time a submitter waits)?
//!
//! **Asked** (`ask`): `mean`: the minimum mean completion time; `total`: the minimum sum of
//! completion times (the same order, an integer).
//!
//! **Parameters.** `jobs`: easy 3–4, medium 4–6, hard 5–7; durations 1–9, 1–20, 1–40 minutes.
//!
//! **Key.** Shortest processing time first (SPT), which is optimal by an exchange argument.
//!
//! **Second route.** Brute force over every permutation (n ≤ 7: at most 5040).
//!
//! **Pitfalls**: running jobs in the order given (first come, first served); longest first.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Scheduling;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "mean: minimum mean completion time; total: minimum sum of completion times",
        kind: ParamKind::Choice { options: &["mean", "total"], draw: [&["total"], &["mean", "total"], &["mean", "total"]] },
    },
    ParamSpec {
        key: "jobs",
        help: "jobs on the worker",
        kind: ParamKind::Int { min: 1, max: 8, draw: [(3, 4), (4, 6), (5, 7)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    durations: Vec<u32>,
}

/// Sum of completion times for an order.
fn total(durations: &[u32], order: &[usize]) -> u64 {
    let mut t = 0u64;
    order.iter().map(|&i| { t += durations[i] as u64; t }).sum()
}

/// SPT order (stable on ties).
pub fn spt(durations: &[u32]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..durations.len()).collect();
    o.sort_by_key(|&i| durations[i]);
    o
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, n - 1);
            out.push(q);
        }
    }
    out
}

impl Family for Scheduling {
    fn id(&self) -> &'static str {
        "optimization.scheduling"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Shortest job first: minimising mean completion time"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `jobs` is the number of jobs in the table.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["jobs"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("jobs") as usize;
        let dmax = [9, 20, 40][cx.difficulty().index()];
        let durations: Vec<u32> = (0..n).map(|_| cx.rng().random_range(1..=dmax)).collect();
        let order = spt(&durations);
        let sum = total(&durations, &order);
        let fifo = total(&durations, &(0..n).collect::<Vec<_>>());
        let mean = sum as f64 / n as f64;
        let names: Vec<String> = (0..n).map(|i| format!("{}", (b'A' + i as u8) as char)).collect();
        let prompt = Content::new()
            .p("One worker runs these report jobs, all submitted at time 0, one at a time without interruption. A job's completion time is when it finishes.")
            .table(["job", "minutes"], (0..n).map(|i| vec![names[i].clone(), durations[i].to_string()]).collect::<Vec<_>>())
            .p(if ask == "mean" {
                "In the best order, what is the mean completion time (minutes)?"
            } else {
                "In the best order, what is the sum of the completion times (minutes)?"
            });
        let mut t = 0;
        let finishes: Vec<String> = order.iter().map(|&i| { t += durations[i]; format!("{} ends at {t}", names[i]) }).collect();
        let solution = Content::new()
            .p("Run the shortest job first (SPT): swapping two adjacent jobs where the longer runs first shortens the later one's wait by more than it lengthens the other's, so any order that is not sorted can be improved.")
            .p(format!("Order {}: {}.", order.iter().map(|&i| names[i].clone()).collect::<Vec<_>>().join(", "), finishes.join(", ")))
            .p(format!(
                "Sum = {sum}; mean = {sum}/{n} = {}. Answer: **{}**. Running them in the listed order gives {fifo} (mean {}).",
                fmt_sig(mean, 4),
                if ask == "mean" { fmt_sig(mean, 3) } else { sum.to_string() },
                fmt_sig(fifo as f64 / n as f64, 4)
            ));
        let evidence = Content::new().p(format!("SPT sum {sum}; brute force over all {} orders finds the same minimum.", (1..=n as u64).product::<u64>()));
        let slot = if ask == "mean" {
            AnswerSlot::new("minimum mean completion time", Expected::sig(mean, 3))
        } else {
            AnswerSlot::new("minimum sum of completion times", Expected::Integer { value: sum as i64 })
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&Scenario { ask: ask.into(), durations }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let best = permutations(s.durations.len()).iter().map(|p| total(&s.durations, p)).min().unwrap_or(0);
        match q.expected(0)? {
            Expected::Integer { value } => CheckError::expect_eq("minimum sum by brute force", *value, best as i64),
            Expected::Real { value, .. } => {
                let m = best as f64 / s.durations.len() as f64;
                if (m - value).abs() < 1e-9 * m.max(1.0) { Ok(()) } else { Err(CheckError(format!("key {value}, brute force {m}"))) }
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Scheduling, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // 3, 1, 2 → SPT 1, 2, 3 finishes at 1, 3, 6: sum 10 (FIFO: 3, 4, 6 = 13).
        let d = [3, 1, 2];
        assert_eq!(total(&d, &spt(&d)), 10);
        assert_eq!(total(&d, &[0, 1, 2]), 13);
        assert_eq!(permutations(4).len(), 24);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Scheduling, &["ask=total".into(), "jobs=7".into()]).unwrap();
        let q = generate(&Scheduling, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("G"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Scheduling, &["ask=total".into(), "jobs=6".into()]).unwrap();
        let mut q = generate(&Scheduling, 2, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Scheduling, &q).unwrap();
        let s: Scenario = q.scenario().unwrap();
        let fifo = total(&s.durations, &(0..6).collect::<Vec<_>>());
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: if fifo as i64 != value { fifo as i64 } else { value + 1 } };
        assert!(crate::family::cross_check(&Scheduling, &q).is_err());
    }
}
