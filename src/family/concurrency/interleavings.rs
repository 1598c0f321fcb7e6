//! `concurrency.interleavings`: how many schedules do threads have, and which results can they
//! produce?
//!
//! **Asked** (`ask`):
//! - `count`: the number of distinct interleavings of threads of m, n (and p) atomic steps;
//! - `finals`: every possible final value of `x` when threads read-modify-write it without a
//!   lock (`r = x; x = r + a` against `s = x; x = s * b`, and at hard a third `t = x; x = t - d`).
//!
//! **Parameters.** `count`: `threads` 2 (easy, medium) or 3 (hard); steps per thread `steps0`,
//! `steps1`, `steps2`: easy 2–3, medium 2–5, hard 1–4 (pins up to 8). `finals`: `init` x₀ 1–5,
//! `add` a 1–5, `mul` b 2–4, and at hard `sub` d 1–3.
//!
//! **Key.** Every schedule explored: the number of paths from the start to the end of the state
//! graph, and the set of final values of `x`.
//!
//! **Second route.** `count`: the multinomial (m+n+p)!/(m!·n!·p!) (any combinatorics text; OSTEP
//! ch. 26 draws the two-thread case). `finals`: random schedules in an independent interpreter,
//! run often enough that each outcome is reached except with probability e^−25 (every schedule
//! of L steps over T threads has probability ≥ T^−(L−1)), must reach exactly the keyed set.
//!
//! **Pitfalls**: m·n or m+n schedules; 2^(m+n); listing only the serial results ((x₀+a)·b and
//! x₀·b+a) and forgetting the lost updates x₀+a and x₀·b.

use super::model::{c, e, r, Expr, Memory, Obs, Program, Stmt};
use super::quiz::{explore_within, schedule_rows, SCHEDULE_HEADER};
use super::sample::{coverage_runs, sample};
use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Interleavings;

const fn steps(key: &'static str, help: &'static str) -> ParamSpec {
    ParamSpec {
        key,
        help,
        kind: ParamKind::Int {
            min: 1,
            max: 8,
            draw: [(2, 3), (2, 5), (1, 4)],
        },
    }
}

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "count: how many interleavings; finals: every possible final value",
        kind: ParamKind::Choice {
            options: &["count", "finals"],
            draw: [&["count", "finals"], &["count", "finals"], &["count", "finals"]],
        },
    },
    ParamSpec {
        key: "threads",
        help: "threads (count)",
        kind: ParamKind::Int {
            min: 2,
            max: 3,
            draw: [(2, 2), (2, 2), (3, 3)],
        },
    },
    steps("steps0", "steps of T0 (count)"),
    steps("steps1", "steps of T1 (count)"),
    steps("steps2", "steps of T2 (count, 3 threads)"),
    ParamSpec {
        key: "init",
        help: "initial x (finals)",
        kind: ParamKind::Int {
            min: 0,
            max: 9,
            draw: [(1, 5); 3],
        },
    },
    ParamSpec {
        key: "add",
        help: "what T0 adds (finals)",
        kind: ParamKind::Int {
            min: 1,
            max: 9,
            draw: [(1, 5); 3],
        },
    },
    ParamSpec {
        key: "mul",
        help: "what T1 multiplies by (finals)",
        kind: ParamKind::Int {
            min: 2,
            max: 9,
            draw: [(2, 4); 3],
        },
    },
    ParamSpec {
        key: "sub",
        help: "what T2 subtracts (finals, hard)",
        kind: ParamKind::Int {
            min: 1,
            max: 9,
            draw: [(1, 3); 3],
        },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("count", [3, 4, 5], &["interleaving-count"]),
    Ask::new("finals", [4, 6, 9], &["interleaving", "lost-update"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    /// Steps per thread (count).
    steps: Vec<usize>,
    /// x₀, a, b and (hard) d (finals).
    ops: Vec<i64>,
}

/// Threads of the given step counts: each step alternates a store to the thread's own variable
/// and a load of the next thread's.
fn count_program(steps: &[usize]) -> Program {
    let mut p = Program::default();
    let names = ["a", "b", "c"];
    let vars: Vec<u8> = (0..steps.len()).map(|t| p.var(names[t], 0, false)).collect();
    for (t, &m) in steps.iter().enumerate() {
        let next = vars[(t + 1) % steps.len()];
        let body = (0..m)
            .map(|j| {
                if j % 2 == 0 {
                    Stmt::Store {
                        var: vars[t],
                        val: e(c(j as i64 / 2 + 1)),
                    }
                } else {
                    Stmt::Load { dst: 0, var: next }
                }
            })
            .collect();
        p.thread(&format!("T{t}"), &[["r", "s", "t"][t]], body);
    }
    p
}

/// `x = x₀`; T0: `r = x; x = r + a`; T1: `s = x; x = s * b`; optionally T2: `t = x; x = t - d`.
fn finals_program(ops: &[i64]) -> Program {
    let mut p = Program::default();
    let x = p.var("x", ops[0], false);
    let rmw = |val: Expr| vec![Stmt::Load { dst: 0, var: x }, Stmt::Store { var: x, val }];
    p.thread("T0", &["r"], rmw(Expr::Add(r(0), c(ops[1]))));
    p.thread("T1", &["s"], rmw(Expr::Mul(r(0), c(ops[2]))));
    if let Some(d) = ops.get(3) {
        p.thread("T2", &["t"], rmw(Expr::Add(r(0), c(-d))));
    }
    p.observe = vec![Obs::Var(x)];
    p
}

/// The multinomial (Σ m_i)! / Π m_i!, exactly.
fn multinomial(steps: &[usize]) -> u128 {
    let mut total = 0u128;
    let mut out = 1u128;
    for &m in steps {
        for j in 1..=m as u128 {
            total += 1;
            out = out * total / j;
        }
    }
    out
}

impl Family for Interleavings {
    fn id(&self) -> &'static str {
        "concurrency.interleavings"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Interleavings: how many schedules, which results"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "how many interleavings threads of m, n (and p) steps have; every possible final value of an unlocked read-modify-write race",
            key: "every schedule explored: paths through the state graph, final values",
            second_route: "the multinomial (m+n)!/(m!·n!); random schedules in an independent interpreter that must reach exactly the keyed finals",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        if ask == "count" {
            let t = cx.int("threads") as usize;
            let keys = ["steps0", "steps1", "steps2"];
            let steps: Vec<usize> = keys[..t].iter().map(|k| cx.int(k) as usize).collect();
            let prog = count_program(&steps);
            let ex = explore_within(&prog, Memory::Sc, "use fewer steps per thread")?;
            let n = ex
                .schedules
                .ok_or_else(|| GenError::Run("the straight-line program has a cycle".into()))?;
            let value = i64::try_from(n).map_err(|_| GenError::Params {
                message: format!("{n} schedules do not fit an answer box"),
                hint: "use fewer steps per thread".into(),
            })?;
            let code = prog.render().map_err(|e| GenError::Run(e.to_string()))?;
            let sizes = steps
                .iter()
                .enumerate()
                .map(|(i, m)| format!("`T{i}` has **{m}**"))
                .collect::<Vec<_>>()
                .join(", ");
            let prompt = Content::new()
                .p(format!("The **{t}** threads below share `a`, `b`{}. Each line is one atomic step; {sizes}.", if t == 3 { " and `c`" } else { "" }))
                .code("c", code)
                .p("A schedule is one order in which all the steps run, each thread's steps staying in program order. How many different schedules are there?");
            let total: usize = steps.iter().sum();
            let formula = if t == 2 {
                format!("$({} + {})! / ({}! dot {}!)$", steps[0], steps[1], steps[0], steps[1])
            } else {
                format!(
                    "$({} + {} + {})! / ({}! dot {}! dot {}!)$",
                    steps[0], steps[1], steps[2], steps[0], steps[1], steps[2]
                )
            };
            let slot = AnswerSlot::new("number of schedules", Expected::Integer { value })
                .by_hand("the multinomial: choose which of the positions each thread's steps take", multinomial(&steps) as f64);
            let solution = Content::new()
                .p(format!("A schedule is a sequence of {total} steps in which each thread's steps keep their order, so it is fixed by choosing which positions belong to which thread: {formula} = **{n}**."))
                .p("Neither m·n nor 2 to the power of the steps: the count grows like a binomial coefficient.");
            let evidence = Content::new().p(format!(
                "Explored {} states; counted the paths from the start to the end of the state graph: {n}.",
                ex.states
            ));
            let mut more = steps.clone();
            more[0] += 1;
            return Ok(Question::new(prompt, vec![slot], solution, evidence)
                .with_scenario(&Scenario { ask: ask.into(), steps: steps.clone(), ops: vec![] })
                .followup(
                    FollowUp::new(
                        "What if `T0` had one more step?",
                        format!("{} schedules: the count grows combinatorially, which is why testing a few runs proves little.", multinomial(&more)),
                    )
                    .point("exhaustive testing of interleavings is only feasible for tiny programs"),
                ));
        }
        let hard = cx.difficulty() == crate::family::Difficulty::Hard;
        let mut ops = vec![cx.int("init"), cx.int("add"), cx.int("mul")];
        if hard {
            ops.push(cx.int("sub"));
        }
        let prog = finals_program(&ops);
        let ex = explore_within(&prog, Memory::Sc, "use fewer threads")?;
        let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
        let code = prog.render().map_err(|e| GenError::Run(e.to_string()))?;
        let prompt = Content::new()
            .p(format!(
                "`x` starts at **{}**. The {} threads below run concurrently with no lock; each line is one atomic step, and the steps may interleave in any order.",
                ops[0],
                if hard { "three" } else { "two" }
            ))
            .code("c", code)
            .p("List **every** possible final value of `x`, smallest first.");
        let slot = AnswerSlot::new(
            "every possible final value of `x`",
            Expected::Sequence {
                values: finals.iter().map(|f| f.to_string()).collect(),
                normalisation: Normalisation::Integer,
            },
        );
        let mut rows = Vec::new();
        for (o, info) in &ex.outcomes {
            let order: Vec<String> = info
                .witness
                .iter()
                .map(|s| prog.threads[s.thread as usize].name.clone())
                .collect();
            rows.push([
                format!("{}", o[0]),
                info.schedules.map_or("?".into(), |n| n.to_string()),
                order.join(" "),
            ]);
        }
        let serial = if hard {
            "the six serial orders".to_string()
        } else {
            format!(
                "the serial orders ({} + {}) · {} = {} and {} · {} + {} = {}",
                ops[0],
                ops[1],
                ops[2],
                (ops[0] + ops[1]) * ops[2],
                ops[0],
                ops[2],
                ops[1],
                ops[0] * ops[2] + ops[1]
            )
        };
        let first = &ex.outcomes.values().next().map(|i| i.witness.clone()).unwrap_or_default();
        let solution = Content::new()
            .p(format!("Besides {serial}, a thread can read `x` before another's write and then overwrite it, losing that update. Every final value, with how many of the schedules produce it and one schedule (thread by step) that does:"))
            .table(["final `x`", "schedules", "one schedule"], rows)
            .p(format!("So the answer is **{}**. For instance, the first row's schedule:", finals.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", ")))
            .table(SCHEDULE_HEADER, schedule_rows(&prog, Memory::Sc, first)?);
        let evidence = Content::new().p(format!(
            "Explored {} states and {} schedules.",
            ex.states,
            ex.schedules.map_or("?".into(), |n| n.to_string())
        ));
        let lost = finals.len().saturating_sub(if hard { 6 } else { 2 });
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { ask: ask.into(), steps: vec![], ops: ops.clone() })
            .followup(
                FollowUp::new(
                    "Which of these results would a mutex around each thread's two lines rule out?",
                    format!("Every result but the serial ones: the lock makes each read-modify-write one step, leaving {} value(s) fewer.", lost.max(1)),
                )
                .point("the lost updates are the values where one thread's write is overwritten"),
            ))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if s.ask == "count" {
            let key = q.expected_integer(0)?;
            return CheckError::expect_eq("schedules", key as u128, multinomial(&s.steps));
        }
        let Expected::Sequence { values, .. } = q.expected(0)? else {
            return Err(CheckError("expected a sequence".into()));
        };
        let key: Vec<i64> = values.iter().filter_map(|v| v.parse().ok()).collect();
        let prog = finals_program(&s.ops);
        let runs = coverage_runs(&prog, 10_000)
            .ok_or_else(|| CheckError("no coverage bound for this program".into()))?;
        let sampled = sample(&prog, Memory::Sc, runs, &mut cx.sim_rng("interleavings"));
        let got: Vec<i64> = sampled.outcomes.keys().map(|o| o[0]).collect();
        CheckError::expect_eq(&format!("finals reached by {runs} random schedules"), key, got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Interleavings, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // C(6, 3) = 20 and 6!/(2!·2!·2!) = 90 (typed in from the binomial table).
        assert_eq!(multinomial(&[3, 3]), 20);
        assert_eq!(multinomial(&[2, 2, 2]), 90);
        // x = 1; T0 adds 2, T1 doubles: serial 6 and 4, lost updates 3 and 2 (hand trace).
        let ex = super::super::model::explore(&finals_program(&[1, 2, 2]), Memory::Sc, 1000).unwrap();
        let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
        assert_eq!(finals, vec![2, 3, 4, 6]);
    }

    #[test]
    fn pins_are_used_and_the_largest_pins_stay_fast() {
        let pins = parse_pins(&Interleavings, &["ask=count".into(), "steps0=3".into(), "steps1=3".into()]).unwrap();
        let q = generate(&Interleavings, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "20");
        let sets: Vec<String> = ["ask=count", "threads=3", "steps0=8", "steps1=8", "steps2=8"].map(String::from).to_vec();
        let pins = parse_pins(&Interleavings, &sets).unwrap();
        let t = std::time::Instant::now();
        let q = generate(&Interleavings, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), multinomial(&[8, 8, 8]).to_string());
        assert!(t.elapsed().as_millis() < 2000);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Interleavings, &["ask=finals".into()]).unwrap();
        let mut q = generate(&Interleavings, 2, Difficulty::Hard, &pins).unwrap();
        cross_check(&Interleavings, &q).unwrap();
        if let Expected::Sequence { values, .. } = &mut q.slots[0].expected {
            values.pop();
        }
        assert!(cross_check(&Interleavings, &q).is_err());
        let pins = parse_pins(&Interleavings, &["ask=count".into()]).unwrap();
        let mut q = generate(&Interleavings, 2, Difficulty::Hard, &pins).unwrap();
        q.slots[0].expected = Expected::Integer { value: 7 };
        assert!(cross_check(&Interleavings, &q).is_err());
    }

    /// loom runs the `finals` program with real atomics (one variable: SC and C11 coherence give
    /// the same results) and must find exactly the explorer's finals.
    #[test]
    fn loom_agrees_with_the_explorer() {
        use std::collections::BTreeSet;
        use std::sync::atomic::Ordering::SeqCst;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
        let s2 = seen.clone();
        loom::model(move || {
            let x = loom::sync::Arc::new(loom::sync::atomic::AtomicI64::new(1));
            let (x0, x1) = (x.clone(), x.clone());
            // A spawned thread whose first operation is an atomic load is not fully explored
            // (tokio-rs/loom#392): the read is written as `fetch_add(0)`, the same step under SC.
            let h0 = loom::thread::spawn(move || {
                let r = x0.fetch_add(0, SeqCst);
                x0.store(r + 2, SeqCst);
            });
            let h1 = loom::thread::spawn(move || {
                let s = x1.fetch_add(0, SeqCst);
                x1.store(s * 3, SeqCst);
            });
            h0.join().unwrap();
            h1.join().unwrap();
            s2.lock().unwrap().insert(x.load(SeqCst));
        });
        let ex = super::super::model::explore(&finals_program(&[1, 2, 3]), Memory::Sc, 1000).unwrap();
        let explored: BTreeSet<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
        assert_eq!(*seen.lock().unwrap(), explored);
    }
}
