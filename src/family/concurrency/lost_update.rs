//! `concurrency.lost_update`: n threads each increment a shared plain `int` k times without a
//! lock; what can the final value be?
//!
//! **Asked** (`ask`):
//! - `min`: the smallest possible final value (the famous answer is 2, not k);
//! - `finals`: how many distinct final values are possible.
//!
//! **Parameters.** `threads` n: easy 2, medium 2–3, hard 3; `increments` k: 2–3 (drawn at most
//! 3 for n = 3 and 2 for n = 4). Pins up to n = 4, k = 5 work while the state space stays under
//! the explorer's limit (n = 3 with k ≤ 3, n = 4 with k ≤ 2); beyond it, a parameter error with a
//! hint.
//!
//! **Key.** Every schedule explored (the `r = count; count = r + 1` pair is two steps); the key
//! is read off the set of final values.
//!
//! **Second route.** The closed form: the finals are exactly the integers from m to n·k, where
//! m = 1 when k = 1 and m = 2 otherwise (Ben-Ari, *Principles of Concurrent and Distributed
//! Programming*, 2nd ed., §2.8 for two threads; the same schedule works for any n ≥ 2: one
//! thread reads 0 and sleeps until every other increment is done except one of the second
//! thread's, its write of 1 erases them, the second thread reads that 1 and stores 2 last).
//! The explorer's shortest schedule to the minimum is also replayed by the independent
//! tree-walking interpreter, and random schedules must only reach keyed finals: the 200 the
//! evidence shows, run once in `generate` from their own RNG stream, whose finals travel in the
//! scenario for `cross_check`. A real
//! `std::thread` run in the tests must land inside the keyed range.
//!
//! **Pitfalls**: "at least k, since each thread adds k"; "at least n"; forgetting that the
//! interleaving of a thread's own load and store with others is what loses updates.

use super::model::{c, r, Expr, Memory, Obs, Program, Stmt};
use super::quiz::{explore_within, schedule_rows, SCHEDULE_HEADER};
use super::sample::{replay, sample, Replayed};
use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct LostUpdate;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "min: the smallest possible final value; finals: how many final values are possible",
        kind: ParamKind::Choice {
            options: &["min", "finals"],
            draw: [&["min"], &["min", "finals"], &["min", "finals"]],
        },
    },
    ParamSpec {
        key: "threads",
        help: "threads n",
        kind: ParamKind::Int {
            min: 2,
            max: 4,
            draw: [(2, 2), (2, 3), (3, 3)],
        },
    },
    ParamSpec {
        key: "increments",
        help: "increments k per thread",
        kind: ParamKind::Int {
            min: 1,
            max: 5,
            draw: [(2, 3), (2, 3), (2, 3)],
        },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("min", [4, 6, 8], &["lost-update", "interleaving"]),
    Ask::new("finals", [4, 6, 8], &["lost-update", "interleaving"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: usize,
    k: usize,
    /// The explorer's shortest schedule to the smallest final.
    min_witness: Vec<super::model::Step>,
    /// The finals the evidence's random schedules reached, which the cross-check tests.
    sampled: Vec<i64>,
}

/// The program: n threads, each running `r = count; count = r + 1` k times in a loop.
pub(crate) fn program(n: usize, k: usize) -> Program {
    let mut p = Program::default();
    let count = p.var("count", 0, false);
    for t in 0..n {
        let body = vec![Stmt::Repeat {
            times: k as u32,
            body: vec![
                Stmt::Load {
                    dst: 0,
                    var: count,
                },
                Stmt::Store {
                    var: count,
                    val: Expr::Add(r(0), c(1)),
                },
            ],
        }];
        p.thread(&format!("T{t}"), &["r"], body);
    }
    p.observe = vec![Obs::Var(count)];
    p
}

/// The closed form: the smallest final value.
fn closed_min(k: usize) -> i64 {
    if k == 1 {
        1
    } else {
        2
    }
}

const HINT: &str = "use fewer threads or increments: n = 3 with k ≤ 3, or n = 4 with k ≤ 2";

impl Family for LostUpdate {
    fn id(&self) -> &'static str {
        "concurrency.lost_update"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Lost updates: unsynchronised increments"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "the smallest final value, or how many finals are possible, after n threads each run `count++` (a load and a store) k times",
            key: "every schedule explored",
            second_route: "closed form (finals m..n·k, m = 2 for k ≥ 2); the minimum's schedule replayed by an independent interpreter; random schedules; real threads in the tests",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("threads") as usize;
        // Capped so that the state space stays small: 3 threads × 3, 4 threads × 2.
        let k = cx.int_capped("increments", [5, 5, 5, 3, 2][n.min(4)]) as usize;
        let prog = program(n, k);
        let ex = explore_within(&prog, Memory::Sc, HINT)?;
        let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
        let (lo, hi) = (finals[0], *finals.last().unwrap_or(&0));
        let witness = ex.outcomes[&vec![lo]].witness.clone();
        let code = format!(
            "int count = 0\n\n{}",
            prog.render_thread(0).map_err(|e| GenError::Run(e.to_string()))?
        );
        let names = (0..n).map(|t| format!("`T{t}`")).collect::<Vec<_>>().join(", ");
        let mut prompt = Content::new()
            .p(format!(
                "**{n}** threads ({names}) share `count`, a plain `int`, and each runs the code below (`T0`'s copy is shown; the others are the same, each with its own register `r`), incrementing `count` **{k}** times with no lock."
            ))
            .code("c", code)
            .p("Each line that touches `count` is one atomic step, and the threads' steps may interleave in any order (sequential consistency).");
        let slot = match ask {
            "min" => {
                prompt = prompt.p("What is the **smallest** value `count` can hold after every thread has finished?");
                AnswerSlot::new("smallest final value", Expected::Integer { value: lo })
                    .by_hand("a schedule built by hand: one thread's stale write of 1 erases the others, and a read of that 1 writes 2 last", closed_min(k) as f64)
            }
            _ => {
                prompt = prompt.p("How many **different** final values of `count` are possible?");
                AnswerSlot::new("number of possible final values", Expected::Integer { value: finals.len() as i64 })
                    .by_hand("every value from the minimum to n·k", (n * k) as f64 - closed_min(k) as f64 + 1.0)
            }
        };
        let rows = schedule_rows(&prog, Memory::Sc, &witness)?;
        let solution = Content::new()
            .p(format!(
                "Without interference `count` ends at n·k = {hi}. Each increment is a load and a store, so a thread can read a value, be preempted while others write, and then overwrite their work with its stale value + 1."
            ))
            .p(format!(
                "The possible finals are every integer from **{lo}** to **{hi}**: {} values. The minimum needs only two threads' cooperation: one thread reads 0 and waits; the rest run until one of the second thread's increments is left; the first writes 1, erasing everything; the second reads that 1, the first finishes its increments, and the second's last store writes 2. A shortest such schedule:",
                finals.len()
            ))
            .table(SCHEDULE_HEADER, rows);
        let s = sample(&prog, Memory::Sc, 200, &mut cx.sim_rng("lost_update"));
        let mut evidence = Content::new().p(format!(
            "Explored {} reachable states; final values found: {}.",
            ex.states,
            finals.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", ")
        ));
        if let Some(total) = ex.schedules {
            let at_max = ex.outcomes[&vec![hi]].schedules.unwrap_or(0);
            evidence = evidence.p(format!(
                "Of the {total} complete schedules, {at_max} end at {hi} (no update lost)."
            ));
        }
        evidence = evidence.p(format!(
            "200 random schedules reached: {}.",
            s.outcomes
                .iter()
                .map(|(o, c)| format!("{} ×{c}", o[0]))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario {
                ask: ask.into(),
                n,
                k,
                min_witness: witness,
                sampled: s.outcomes.keys().map(|o| o[0]).collect(),
            })
            .followup(
                FollowUp::new(
                    "Which one-line change makes the final value always n·k?",
                    format!(
                        "`atomic_fetch_add(&count, 1)` (or a mutex around the pair): the read and the write become one indivisible step, so the only final is {hi}."
                    ),
                )
                .point("a plain `count++` compiles to a load and a store even when it is one line"),
            )
            .followup(FollowUp::new(
                format!("What if there were {} threads?", n + 1),
                format!(
                    "The range widens to {} … {}: the minimum stays {} because two threads suffice to lose everything else.",
                    closed_min(k),
                    (n + 1) * k,
                    closed_min(k)
                ),
            ));
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let key = q.expected_integer(0)?;
        let (lo, hi) = (closed_min(s.k), (s.n * s.k) as i64);
        match s.ask.as_str() {
            "min" => CheckError::expect_eq("smallest final", key, lo)?,
            _ => CheckError::expect_eq("number of finals", key, hi - lo + 1)?,
        }
        let prog = program(s.n, s.k);
        CheckError::expect_eq(
            "the minimum's schedule, replayed",
            replay(&prog, Memory::Sc, &s.min_witness),
            Replayed::Finished(vec![lo]),
        )?;
        if s.sampled.is_empty() {
            return Err(CheckError("the scenario lacks the random schedules' finals".into()));
        }
        if let Some(o) = s.sampled.iter().find(|&&o| o < lo || o > hi) {
            return Err(CheckError(format!(
                "a random schedule ended at {o}, outside {lo}..{hi}"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};
    use std::sync::atomic::{AtomicI64, Ordering};

    #[test]
    fn passes_the_stress_check() {
        stress(&LostUpdate, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Hand trace (and Ben-Ari §2.8): two threads × two increments end at 2, 3 or 4.
        let ex = super::super::model::explore(&program(2, 2), Memory::Sc, 100_000).unwrap();
        let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
        assert_eq!(finals, vec![2, 3, 4]);
        // One increment each: anything from 1 to n.
        let ex = super::super::model::explore(&program(3, 1), Memory::Sc, 100_000).unwrap();
        assert_eq!(ex.outcomes.len(), 3);
        // Schedules of 2 threads × 1 increment: C(4, 2) = 6, of which the 2 serial ones give 2.
        let ex = super::super::model::explore(&program(2, 1), Memory::Sc, 100_000).unwrap();
        assert_eq!(ex.schedules, Some(6));
        assert_eq!(ex.outcomes[&vec![2]].schedules, Some(2));
    }

    #[test]
    fn pins_are_used_and_the_cap_is_a_parameter_error() {
        let pins = parse_pins(&LostUpdate, &["ask=min".into(), "threads=3".into(), "increments=3".into()]).unwrap();
        let q = generate(&LostUpdate, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "2");
        let pins = parse_pins(&LostUpdate, &["threads=4".into(), "increments=5".into()]).unwrap();
        let e = generate(&LostUpdate, 1, Difficulty::Hard, &pins).unwrap_err();
        assert!(e.hint().is_some(), "{e}");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_minimum() {
        let pins = parse_pins(&LostUpdate, &["ask=min".into()]).unwrap();
        let mut q = generate(&LostUpdate, 3, Difficulty::Medium, &pins).unwrap();
        cross_check(&LostUpdate, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 3 };
        assert!(cross_check(&LostUpdate, &q).is_err());
    }

    /// The same program as real threads: relaxed atomic loads and stores (one step each, like
    /// the model's lines); whatever the hardware does must land inside the explored finals.
    #[test]
    fn real_threads_land_inside_the_explored_finals() {
        let (n, k) = (3, 3);
        let ex = super::super::model::explore(&program(n, k), Memory::Sc, 100_000).unwrap();
        for _ in 0..20 {
            let count = std::sync::Arc::new(AtomicI64::new(0));
            let hs: Vec<_> = (0..n)
                .map(|_| {
                    let count = count.clone();
                    std::thread::spawn(move || {
                        for _ in 0..k {
                            let r = count.load(Ordering::Relaxed);
                            std::thread::yield_now();
                            count.store(r + 1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            let v = count.load(Ordering::SeqCst);
            assert!(ex.outcomes.contains_key(&vec![v]), "a real run ended at {v}");
        }
    }

    /// loom explores the same program with real Rust atomics: its set of finals must equal the
    /// explorer's (one variable, so SC and C11's coherence agree).
    #[test]
    fn loom_agrees_with_the_explorer() {
        use std::collections::BTreeSet;
        use std::sync::Mutex;
        let seen = std::sync::Arc::new(Mutex::new(BTreeSet::new()));
        let s2 = seen.clone();
        loom::model(move || {
            let count = loom::sync::Arc::new(loom::sync::atomic::AtomicI64::new(0));
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    let count = count.clone();
                    loom::thread::spawn(move || {
                        for _ in 0..2 {
                            let r = count.load(Ordering::SeqCst);
                            count.store(r + 1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            s2.lock().unwrap().insert(count.load(Ordering::SeqCst));
        });
        let ex = super::super::model::explore(&program(2, 2), Memory::Sc, 100_000).unwrap();
        let explored: BTreeSet<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
        assert_eq!(*seen.lock().unwrap(), explored);
    }
}

#[cfg(test)]
mod sizes {
    #[test]
    #[ignore]
    fn print_sizes() {
        for n in 2..=4 {
            for k in 1..=5 {
                let t = std::time::Instant::now();
                let r = super::super::model::explore(&super::program(n, k), super::Memory::Sc, 2_000_000);
                println!("n={n} k={k}: {:?} in {:?}", r.map(|e| e.states), t.elapsed());
            }
        }
    }
}
