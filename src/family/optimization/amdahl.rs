//! `optimization.amdahl`: what does parallelising buy?
//!
//! **Asked** (`ask`):
//! - `speedup`: Amdahl's speedup 1/((1 − p) + p/n) for parallel fraction p on n cores;
//! - `fraction`: the parallel fraction needed for a target speedup S on n cores,
//!   p = (1 − 1/S)/(1 − 1/n);
//! - `gustafson`: the scaled speedup (1 − p) + p·n when the problem grows with the cores;
//! - `invest` (judgment): which buys more, doubling the cores or making the serial part twice as
//!   fast (a choice, key computed by running both schedules), and (b) the better speedup.
//!   Halving the serial part wins exactly when n·(1 − p) > p.
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

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Amdahl;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "speedup: Amdahl's speedup; fraction: parallel fraction for a target; gustafson: scaled speedup; invest: double the cores or halve the serial part",
        kind: ParamKind::Choice {
            options: &["speedup", "fraction", "gustafson", "invest"],
            draw: [&["speedup", "invest"], &["speedup", "fraction", "invest"], &["speedup", "fraction", "gustafson", "invest"]],
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
    makespan_with(p, n, 1.0)
}

/// [`makespan`] with the serial part sped up by `serial_speedup`.
fn makespan_with(p: f64, n: u64, serial_speedup: f64) -> f64 {
    let serial = (1.0 - p) * WORK / serial_speedup;
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

/// The value of the first slot of a real answer.
fn v_of(slots: &[AnswerSlot]) -> f64 {
    match slots.first().map(|s| &s.expected) {
        Some(Expected::Real { value, .. }) => *value,
        _ => f64::NAN,
    }
}

fn simulated_speedup(p: f64, n: u64) -> f64 {
    WORK / makespan(p, n)
}

impl Family for Amdahl {
    fn id(&self) -> &'static str {
        "optimization.amdahl"
    }
    fn version(&self) -> u32 {
        3
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("speedup", [2, 3, 4], &["amdahls-law"]),
            Ask::new("fraction", [3, 4, 5], &["amdahls-law"]),
            Ask::new("gustafson", [3, 4, 5], &["amdahls-law", "weak-scaling"]),
            Ask::new("invest", [3, 4, 5], &["amdahls-law"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "speedup, parallel fraction for a target, Gustafson's scaled speedup; more cores or a faster serial part",
            key: "simulated schedule (makespan)",
            second_route: "closed forms",
        }
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
        let s = Scenario {
            ask: ask.into(),
            p,
            n,
            target,
        };
        let cap = 1.0 / (1.0 - p);
        let (prompt, slots, solution): (Content, Vec<AnswerSlot>, Content) = match ask {
            "speedup" => {
                let v = simulated_speedup(p, n);
                (
                    Content::new().p(format!("A batch job spends **{}%** of its single-core running time in work that parallelises perfectly; the rest is serial. What speedup does it get on **{n}** cores?", num(pct))),
                    vec![AnswerSlot::new("speedup", Expected::sig(v, 3)).exact_by_hand()],
                    Content::new()
                        .p(format!("Amdahl: time on n cores = $(1 - p) + p / n$ of the original = {} + {}/{n} = {}.", num(1.0 - p), num(p), fmt_sig(1.0 - p + p / n as f64, 4)))
                        .p(format!("Speedup = 1/{} = **{}**. However many cores, the serial {}% caps it at {}.", fmt_sig(1.0 - p + p / n as f64, 4), fmt_sig(v, 3), num(100.0 - pct), fmt_sig(cap, 3))),
                )
            }
            "fraction" => {
                if target >= n as f64 || target <= 1.0 {
                    return Err(GenError::Params {
                        message: format!("target speedup {target} is not reachable on {n} cores"),
                        hint: "choose a target above 1 and below the number of cores".into(),
                    });
                }
                // Key: bisection on the simulated speedup (monotone in p).
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..55 {
                    let mid = (lo + hi) / 2.0;
                    if simulated_speedup(mid, n) < target {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                let v = hi * 100.0;
                (
                    Content::new().p(format!("A team wants a **{}×** speedup from **{n}** cores. What percentage of the single-core running time must parallelise perfectly (the rest being serial)?", num(target))),
                    vec![AnswerSlot::new("parallel percentage", Expected::sig(v, 3)).unit("%").exact_by_hand()],
                    Content::new()
                        .p("Solve $1 / ((1 - p) + p / n) = S$ for p: $1 - p (1 - 1/n) = 1/S$, so $p = (1 - 1/S) / (1 - 1/n)$.")
                        .p(format!("$p = (1 - 1/{}) / (1 - 1/{n})$ = **{}%**.", num(target), fmt_sig(v, 3))),
                )
            }
            "invest" => {
                let more_cores = WORK / makespan(p, 2 * n);
                let faster_serial = WORK / makespan_with(p, n, 2.0);
                let cores_win = more_cores > faster_serial;
                let (best, best_text) = if cores_win {
                    (more_cores, "Doubling the cores")
                } else {
                    (faster_serial, "Halving the serial time")
                };
                let options = vec![
                    if cores_win {
                        ChoiceOption::right(format!("double the cores to {}", 2 * n))
                    } else {
                        ChoiceOption::wrong(format!("double the cores to {}", 2 * n), format!("more hardware feels like the bigger lever, but the parallel part already takes only p/n = {} of the original time, less than the serial {}: doubling the cores gives {}×.", fmt_sig(p / n as f64, 3), num(1.0 - p), fmt_sig(more_cores, 3)))
                    },
                    if cores_win {
                        ChoiceOption::wrong("make the serial part twice as fast", format!("the serial part is the famous bottleneck, but here it is only {} of the original time against p/n = {} for the parallel part: halving it gives {}×.", num(1.0 - p), fmt_sig(p / n as f64, 3), fmt_sig(faster_serial, 3)))
                    } else {
                        ChoiceOption::right("make the serial part twice as fast")
                    },
                    ChoiceOption::wrong("both give the same speedup", format!("each halves one of the two terms of $(1 - p) + p / n$; they are equal only when $n (1 - p) = p$, and here they give {}× and {}×.", fmt_sig(more_cores, 3), fmt_sig(faster_serial, 3))),
                ];
                let correct = if cores_win { 0 } else { 1 };
                (
                    Content::new().p(format!("A batch job spends **{}%** of its single-core running time in work that parallelises perfectly; the rest is serial. It runs on **{n}** cores. You can fund one of two projects: double the cores to {}, or make the serial part run twice as fast (the parallel part unchanged). Which gives the larger speedup over one core, and what is that speedup?", num(pct), 2 * n)),
                    vec![
                        AnswerSlot::new("the better project", Expected::Choice { options, correct }),
                        AnswerSlot::new("its speedup over one core", Expected::sig(best, 3)).exact_by_hand(),
                    ],
                    Content::new()
                        .p(format!("The time on n cores is $(1 - p) + p / n$ = {} + {} of the original. Doubling the cores halves the second term: {} + {} = {}, speedup {}×.", num(1.0 - p), fmt_sig(p / n as f64, 4), num(1.0 - p), fmt_sig(p / (2 * n) as f64, 4), fmt_sig(1.0 / more_cores, 4), fmt_sig(more_cores, 3)))
                        .p(format!("Halving the serial time halves the first term: {} + {} = {}, speedup {}×.", fmt_sig((1.0 - p) / 2.0, 4), fmt_sig(p / n as f64, 4), fmt_sig(1.0 / faster_serial, 4), fmt_sig(faster_serial, 3)))
                        .p(format!("**{}** wins with **{}×**: halve whichever term is larger. The serial term is larger exactly when $n (1 - p) > p$, here {n} × {} = {} against {}.", best_text, fmt_sig(best, 3), num(1.0 - p), fmt_sig(n as f64 * (1.0 - p), 3), num(p))),
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
                    vec![AnswerSlot::new("scaled speedup", Expected::sig(v, 3)).exact_by_hand()],
                    Content::new()
                        .p("Gustafson: with serial fraction $1 - p$ of the run on n cores, one core would need $(1 - p) + p n$ times as long.")
                        .p(format!("Scaled speedup = {} + {}·{n} = **{}**, far above Amdahl's fixed-size {} because the serial part stays the same size.", num(1.0 - p), num(p), fmt_sig(v, 3), fmt_sig(1.0 / (1.0 - p + p / n as f64), 3))),
                )
            }
        };
        let evidence = Content::new().p(format!(
            "Simulated schedule of a {WORK}-unit job: serial part on one worker, then the parallel part as {n} equal chunks over {n} workers; makespan {} units, speedup {}.",
            fmt_sig(makespan(p, n), 6),
            fmt_sig(simulated_speedup(p, n), 5)
        ));
        let amdahl = 1.0 / (1.0 - p + p / n as f64);
        let mut slots = slots;
        let mut q_contrast = None;
        let mut followups = Vec::new();
        match ask {
            "speedup" => {
                q_contrast = Some(Contrast::new(
                    "speedup vs core count",
                    fmt_sig(amdahl, 3),
                    n,
                ));
                let double = 1.0 / (1.0 - p + p / (2 * n) as f64);
                followups.push(
                    FollowUp::new(
                        format!("What would {} cores give?", 2 * n),
                        format!(
                            "{}×, up from {}×: twice the cores buy {}% more speed.",
                            fmt_sig(double, 3),
                            fmt_sig(amdahl, 3),
                            fmt_sig(100.0 * (double / amdahl - 1.0), 2)
                        ),
                    )
                    .point("diminishing returns as the serial part dominates"),
                );
                followups.push(
                    FollowUp::new(
                        "What is the most this job could ever get from more cores?",
                        format!(
                            "$1 / (1 - p)$ = {}× however many cores: the serial {}% never shrinks.",
                            fmt_sig(cap, 3),
                            num(100.0 - pct)
                        ),
                    )
                    .point("shrink the serial part, or grow the problem (Gustafson)"),
                );
            }
            "fraction" => {
                let ceiling = 100.0 * (1.0 - 1.0 / target);
                followups.push(
                    FollowUp::new(format!("And with unlimited cores, what parallel percentage would a {}× speedup need?", num(target)), format!("$1 - 1/S$ = {}%, against {}% on {n} cores.", fmt_sig(ceiling, 3), fmt_sig(100.0 * (1.0 - 1.0 / target) / (1.0 - 1.0 / n as f64), 3)))
                        .point("the target is only reachable if the serial share is below 1/S"),
                );
            }
            "invest" => {
                let both = 1.0 / ((1.0 - p) / 2.0 + p / (2 * n) as f64);
                q_contrast = Some(Contrast::new(
                    "doubling the cores vs halving the serial time",
                    fmt_sig(1.0 / (1.0 - p + p / (2 * n) as f64), 3),
                    fmt_sig(1.0 / ((1.0 - p) / 2.0 + p / n as f64), 3),
                ));
                followups.push(
                    FollowUp::new(
                        "And if you could fund both projects?",
                        format!(
                            "{}×: both terms halve, so the time halves and the speedup doubles.",
                            fmt_sig(both, 3)
                        ),
                    )
                    .point("speedups of independent parts do not add; times do"),
                );
                followups.push(
                    FollowUp::new("At how many cores would the answer flip?", format!("Where $n (1 - p) = p$: n = {} cores. Below that, more cores win; above it, the serial part does.", fmt_sig(p / (1.0 - p), 3)))
                        .point("measure where the time goes before buying hardware"),
                );
            }
            _ => {
                q_contrast = Some(Contrast::new(
                    "scaled vs fixed-size speedup",
                    fmt_sig(v_of(&slots), 3),
                    fmt_sig(amdahl, 3),
                ));
                followups.push(
                    FollowUp::new("Why is this so much higher than Amdahl's number for the same p and n?", format!("Amdahl fixes the problem size and gets {}×; Gustafson grows the parallel work with n while the serial part stays the same size.", fmt_sig(amdahl, 3)))
                        .point("weak scaling against strong scaling"),
                );
            }
        }
        if ask != "invest" && followups.len() < 2 {
            followups.push(
                FollowUp::new("Where does the serial part of a real job usually come from?", "Start-up and I/O, a reduction or merge at the end, locks and other contention, and load imbalance between workers.")
                    .point("profile before parallelising further"),
            );
        }
        let mut q =
            Question::new(prompt, std::mem::take(&mut slots), solution, evidence).with_scenario(&s);
        if let Some(c) = q_contrast {
            q = q.contrast(c);
        }
        for f in followups {
            q = q.followup(f);
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if s.ask == "invest" {
            let n = s.n as f64;
            let cores = 1.0 / ((1.0 - s.p) + s.p / (2.0 * n));
            let serial = 1.0 / ((1.0 - s.p) / 2.0 + s.p / n);
            let Expected::Choice { correct, .. } = q.expected(0)? else {
                return Err(CheckError("expected a choice".into()));
            };
            CheckError::expect_eq(
                "better project (closed forms)",
                *correct,
                if cores > serial { 0 } else { 1 },
            )?;
            let best = cores.max(serial);
            let value = q.expected_real(1)?;
            return if (best - value).abs() <= 1e-6 * best {
                Ok(())
            } else {
                Err(CheckError(format!("key {value}, closed form {best}")))
            };
        }
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
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty, ParamValue};

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
        let pins = parse_pins(
            &Amdahl,
            &[
                "ask=speedup".into(),
                "parallel_pct=95".into(),
                "cores=8".into(),
            ],
        )
        .unwrap();
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
            let Some(ParamValue::Real(t)) = q.params.get("target") else {
                panic!("no target: {:?}", q.params)
            };
            assert!(*t <= 3.2, "seed {seed}: target {t} on 4 cores");
            assert!(
                q.prompt.plain_text().contains(&format!("{}×", num(*t))),
                "seed {seed}: {}",
                q.prompt.plain_text()
            );
        }
    }

    #[test]
    fn the_invest_ask_matches_hand_arithmetic() {
        // By hand: p = 0.9 on 4 cores. Doubling the cores: 1/(0.1 + 0.9/8) = 1/0.2125 = 4.71.
        // Halving the serial part: 1/(0.05 + 0.225) = 1/0.275 = 3.64. More cores win.
        let pins = parse_pins(
            &Amdahl,
            &[
                "ask=invest".into(),
                "parallel_pct=90".into(),
                "cores=4".into(),
            ],
        )
        .unwrap();
        let q = generate(&Amdahl, 1, Difficulty::Easy, &pins).unwrap();
        let Expected::Choice { correct, .. } = q.slots[0].expected else {
            panic!()
        };
        assert_eq!(correct, 0);
        assert_eq!(q.slots[1].expected.reference(), "4.71");
        // p = 0.95 on 64 cores: 1/(0.05 + 0.95/128) = 17.4 against 1/(0.025 + 0.95/64) = 25.1.
        let pins = parse_pins(
            &Amdahl,
            &[
                "ask=invest".into(),
                "parallel_pct=95".into(),
                "cores=64".into(),
            ],
        )
        .unwrap();
        let mut q = generate(&Amdahl, 1, Difficulty::Medium, &pins).unwrap();
        let Expected::Choice { correct, .. } = &mut q.slots[0].expected else {
            panic!()
        };
        assert_eq!(*correct, 1);
        assert_eq!(q.slots[1].expected.reference(), "25.1");
        crate::family::cross_check(&Amdahl, &q).unwrap();
        let Expected::Choice { correct, .. } = &mut q.slots[0].expected else {
            panic!()
        };
        *correct = 0;
        assert!(crate::family::cross_check(&Amdahl, &q).is_err());
    }

    #[test]
    fn the_cross_check_catches_linear_speedup() {
        let pins = parse_pins(
            &Amdahl,
            &[
                "ask=speedup".into(),
                "parallel_pct=90".into(),
                "cores=16".into(),
            ],
        )
        .unwrap();
        let mut q = generate(&Amdahl, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Amdahl, &q).unwrap();
        q.slots[0].expected = Expected::sig(16.0, 3);
        assert!(crate::family::cross_check(&Amdahl, &q).is_err());
    }
}
