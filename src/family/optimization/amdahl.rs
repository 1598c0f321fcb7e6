//! `optimization.amdahl`: what does parallelising buy?
//!
//! **Asked** (`ask`):
//! - `speedup`: Amdahl's speedup 1/((1 − p) + p/n) for parallel fraction p on n cores;
//! - `fraction`: the parallel fraction needed for a target speedup S on n cores,
//!   p = (1 − 1/S)/(1 − 1/n);
//! - `gustafson`: the scaled speedup (1 − p) + p·n when the problem grows with the cores.
//!
//! **Parameters.** `parallel_pct` p: easy 50–90%, medium 70–98%, hard 80–99.5%; `cores` n: 2–8,
//! 4–64, 16–1024; target S between 1.5 and 80% of n (fraction).
//!
//! **Key.** Run a simulated schedule: a job of T = 1,000,000 work units whose serial part runs on
//! one worker and whose parallel part is split into n equal chunks on n workers; the makespan is
//! measured by an event loop over the workers. Speedup = T / makespan.
//!
//! **Second route.** The closed forms above.
//!
//! **Pitfalls**: speedup n ("linear"); forgetting that the serial part caps the speedup at
//! 1/(1 − p) however many cores.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Amdahl;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "speedup: Amdahl's speedup; fraction: parallel fraction for a target; gustafson: scaled speedup",
        kind: ParamKind::Choice {
            options: &["speedup", "fraction", "gustafson"],
            draw: [&["speedup"], &["speedup", "fraction"], &["speedup", "fraction", "gustafson"]],
        },
    },
    ParamSpec {
        key: "parallel_pct",
        help: "parallel fraction p, in percent",
        kind: ParamKind::Real { min: 1.0, max: 99.9, step: 0.5, draw: [(50.0, 90.0), (70.0, 98.0), (80.0, 99.5)] },
    },
    ParamSpec {
        key: "cores",
        help: "cores n",
        kind: ParamKind::Int { min: 1, max: 100_000, draw: [(2, 8), (4, 64), (16, 1024)] },
    },
    ParamSpec {
        key: "target",
        help: "target speedup S (fraction; drawn between 1.5 and 0.8·n)",
        kind: ParamKind::Real { min: 1.5, max: 100_000.0, step: 0.5, draw: [(1.5, 6.0), (1.5, 50.0), (2.0, 800.0)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    p: f64,
    n: u64,
    target: f64,
}

const WORK: f64 = 1_000_000.0;

/// Simulated makespan of one job: the serial part, then n workers each taking a chunk of the
/// parallel part (work-conserving list scheduling of n equal chunks, run as an event loop).
fn makespan(p: f64, n: u64) -> f64 {
    let serial = (1.0 - p) * WORK;
    let chunk = p * WORK / n as f64;
    // Each worker's next free time. With equal chunks the worker that frees first is always the
    // one at the front of a queue in start order, so a queue does a heap's job in O(n).
    let mut free_at: std::collections::VecDeque<f64> = (0..n).map(|_| serial).collect();
    let mut end = serial;
    for _ in 0..n {
        let t = free_at.pop_front().unwrap_or(0.0);
        let done = t + chunk;
        end = end.max(done);
        free_at.push_back(done);
    }
    end
}

fn simulated_speedup(p: f64, n: u64) -> f64 {
    WORK / makespan(p, n)
}

impl Family for Amdahl {
    fn id(&self) -> &'static str {
        "optimization.amdahl"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Amdahl and Gustafson: what parallelism buys"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let pct = cx.real("parallel_pct");
        let n = cx.int("cores") as u64;
        let hi_target = (0.8 * n as f64).max(1.5);
        // Capped at 0.8·n so the target is reachable.
        let target = cx.real_capped("target", hi_target);
        let p = pct / 100.0;
        if ask == "fraction" {
            cx.unused("parallel_pct");
        } else {
            cx.unused("target");
        }
        let s = Scenario { ask: ask.into(), p, n, target };
        let cap = 1.0 / (1.0 - p);
        let (prompt, slot, solution) = match ask {
            "speedup" => {
                let v = simulated_speedup(p, n);
                (
                    Content::new().p(format!("A batch job spends **{}%** of its single-core running time in work that parallelises perfectly; the rest is serial. What speedup does it get on **{n}** cores?", num(pct))),
                    AnswerSlot::new("speedup", Expected::sig(v, 3)),
                    Content::new()
                        .p(format!("Amdahl: time on n cores = (1 − p) + p/n of the original = {} + {}/{n} = {}.", num(1.0 - p), num(p), fmt_sig(1.0 - p + p / n as f64, 4)))
                        .p(format!("Speedup = 1/{} = **{}**. However many cores, the serial {}% caps it at {}.", fmt_sig(1.0 - p + p / n as f64, 4), fmt_sig(v, 3), num(100.0 - pct), fmt_sig(cap, 3))),
                )
            }
            "fraction" => {
                if target >= n as f64 || target <= 1.0 {
                    return Err(GenError::Params { message: format!("target speedup {target} is not reachable on {n} cores"), hint: "choose a target above 1 and below the number of cores".into() });
                }
                // Key: bisection on the simulated speedup (monotone in p).
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..55 {
                    let mid = (lo + hi) / 2.0;
                    if simulated_speedup(mid, n) < target { lo = mid } else { hi = mid }
                }
                let v = hi * 100.0;
                (
                    Content::new().p(format!("A team wants a **{}×** speedup from **{n}** cores. What percentage of the single-core running time must parallelise perfectly (the rest being serial)?", num(target))),
                    AnswerSlot::new("parallel percentage", Expected::sig(v, 3)),
                    Content::new()
                        .p("Solve $1 / ((1 - p) + p / n) = S$ for p: $1 - p (1 - 1/n) = 1/S$, so $p = (1 - 1/S) / (1 - 1/n)$.")
                        .p(format!("p = (1 − 1/{})/(1 − 1/{n}) = **{}%**.", num(target), fmt_sig(v, 3))),
                )
            }
            _ => {
                // Gustafson: the parallel part grows n-fold; the scaled job on n cores takes as
                // long as the original on one; speedup = single-core time of the scaled job.
                let scaled_single = (1.0 - p) * WORK + p * WORK * n as f64;
                let on_n = makespan(p, 1); // the original job's length on one core = scaled on n
                let v = scaled_single / on_n;
                (
                    Content::new().p(format!("A simulation spends **{}%** of its time (measured on **{n}** cores) in perfectly parallel work. The team grows the problem with the machine (weak scaling). What is the scaled speedup over running the same problem on one core?", num(pct))),
                    AnswerSlot::new("scaled speedup", Expected::sig(v, 3)),
                    Content::new()
                        .p("Gustafson: with serial fraction (1 − p) of the run on n cores, one core would need (1 − p) + p·n times as long.")
                        .p(format!("Scaled speedup = {} + {}·{n} = **{}**, far above Amdahl's fixed-size {} because the serial part stays the same size.", num(1.0 - p), num(p), fmt_sig(v, 3), fmt_sig(1.0 / (1.0 - p + p / n as f64), 3))),
                )
            }
        };
        let evidence = Content::new().p(format!(
            "Simulated schedule of a {WORK}-unit job: serial part on one worker, then the parallel part as {n} equal chunks over {n} workers; makespan {} units, speedup {}.",
            fmt_sig(makespan(p, n), 6),
            fmt_sig(simulated_speedup(p, n), 5)
        ));
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let n = s.n as f64;
        let closed = match s.ask.as_str() {
            "speedup" => 1.0 / ((1.0 - s.p) + s.p / n),
            "fraction" => 100.0 * (1.0 - 1.0 / s.target) / (1.0 - 1.0 / n),
            _ => (1.0 - s.p) + s.p * n,
        };
        if (closed - value).abs() <= 1e-6 * closed.abs() {
            Ok(())
        } else {
            Err(CheckError(format!("key {value}, closed form {closed}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty, ParamValue};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Amdahl, 0..30).unwrap();
    }

    #[test]
    fn textbook_values() {
        // 95% parallel on 8 cores: 1/(0.05 + 0.11875) = 5.926; the cap is 20.
        assert!((simulated_speedup(0.95, 8) - 5.925925925).abs() < 1e-6);
        // 90% parallel on 1024 cores: just under the cap of 10.
        assert!((simulated_speedup(0.9, 1024) - 9.912).abs() < 1e-3);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Amdahl, &["ask=speedup".into(), "parallel_pct=95".into(), "cores=8".into()]).unwrap();
        let q = generate(&Amdahl, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "5.93");
    }

    #[test]
    fn the_recorded_target_is_the_one_asked() {
        // On few cores the drawn target is capped at 0.8·n; the parameters line must show the
        // target the prompt asks for, not a larger value drawn before the cap.
        let pins = parse_pins(&Amdahl, &["ask=fraction".into(), "cores=4".into()]).unwrap();
        for seed in 0..40 {
            let q = generate(&Amdahl, seed, Difficulty::Hard, &pins).unwrap();
            let Some(ParamValue::Real(t)) = q.params.get("target") else { panic!("no target: {:?}", q.params) };
            assert!(*t <= 3.2, "seed {seed}: target {t} on 4 cores");
            assert!(q.prompt.plain_text().contains(&format!("{}×", num(*t))), "seed {seed}: {}", q.prompt.plain_text());
        }
    }

    #[test]
    fn the_cross_check_catches_linear_speedup() {
        let pins = parse_pins(&Amdahl, &["ask=speedup".into(), "parallel_pct=90".into(), "cores=16".into()]).unwrap();
        let mut q = generate(&Amdahl, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Amdahl, &q).unwrap();
        q.slots[0].expected = Expected::sig(16.0, 3);
        assert!(crate::family::cross_check(&Amdahl, &q).is_err());
    }
}
