//! `concurrency.check_then_act`: lazy initialisation ("if it does not exist yet, create it") run
//! by n threads at once.
//!
//! **Asked** (judgment): (a) with the unsynchronised version, at most how many times can
//! `create` run; (b) which of 3–4 versions runs it exactly once in every schedule (single
//! choice; exactly one shown version is right).
//!
//! **Versions** (right): a mutex around check and act; `atomic_compare_exchange_strong` from 0
//! to 1, creating only on success; `atomic_exchange(&inst, 1)` and creating when the old value
//! was 0; double-checked locking on an atomic. (Wrong, each from a named misconception): atomic
//! load then atomic store ("atomic accesses make the pair atomic"); the check outside and only
//! the act under the mutex ("locking the write is enough"); claiming the flag right after the
//! check ("a shorter window is no window").
//!
//! **Parameters.** `threads` n: easy 2, medium 2–3, hard 3 (pins up to 4); `options`: 3, 3–4, 4.
//!
//! **Key.** Every version explored exhaustively under SC; a version is right when `created`
//! (an atomic counter of `create` calls) always ends at 1. Part (a) is the largest final of the
//! unsynchronised version.
//!
//! **Second route.** (a) the closed form n (every thread can pass the check before any acts);
//! (b) textbook verdicts typed in; each wrong version's counterexample replayed by the
//! independent interpreter; the right one run under 200 random schedules.
//!
//! **Pitfalls**: the named misconceptions; thinking the race needs a "long" window.

use super::model::{c, e, eq, r, Memory, Obs, Program, Stmt};
use super::quiz::{
    explore_within, judge, pick_shown, recheck, schedule_rows, Candidate, Verdict,
    SCHEDULE_HEADER,
};
use crate::answer::{letter, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct CheckThenAct;

static PARAMS: &[ParamSpec] = &[
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
        key: "options",
        help: "versions shown",
        kind: ParamKind::Int {
            min: 3,
            max: 4,
            draw: [(3, 3), (3, 4), (4, 4)],
        },
    },
];

static ASKS: &[Ask] =
    &[Ask::new("", [4, 5, 7], &["check-then-act", "atomic-rmw"]).judgment()];

const RIGHT: &[&str] = &["lock_all", "cas", "exchange", "double_checked"];
const WRONG: &[&str] = &["atomic_ops", "lock_act", "store_first"];

fn textbook(id: &str) -> (bool, &'static str) {
    match id {
        "lock_all" | "cas" | "exchange" | "double_checked" => (true, ""),
        "atomic_ops" => (false, "Each access is atomic, but the check and the act are still two steps: another thread can pass the check in between."),
        "lock_act" => (false, "The check is outside the lock, so two threads can both see 0 and then create one after the other."),
        "store_first" => (false, "Claiming the flag straight after the check narrows the window but does not close it: the load and the store are still two steps."),
        _ => (false, "The check and the act are separate steps."),
    }
}

/// One thread's code for version `id` (the original is "plain").
fn body(id: &str, inst: u8, created: u8, m: u8) -> Vec<Stmt> {
    let create = || Stmt::FetchAdd {
        dst: None,
        var: created,
        delta: 1,
    };
    let act = || vec![Stmt::Comment("create the object".into()), create(), Stmt::Store { var: inst, val: e(c(1)) }];
    let is_new = || eq(r(0), c(0));
    match id {
        "lock_all" => vec![
            Stmt::Lock(m),
            Stmt::Load { dst: 0, var: inst },
            Stmt::If { cond: is_new(), then: act(), els: vec![] },
            Stmt::Unlock(m),
        ],
        "lock_act" => vec![
            Stmt::Load { dst: 0, var: inst },
            Stmt::If {
                cond: is_new(),
                then: [vec![Stmt::Lock(m)], act(), vec![Stmt::Unlock(m)]].concat(),
                els: vec![],
            },
        ],
        "double_checked" => vec![
            Stmt::Load { dst: 0, var: inst },
            Stmt::If {
                cond: is_new(),
                then: vec![
                    Stmt::Lock(m),
                    Stmt::Load { dst: 0, var: inst },
                    Stmt::If { cond: is_new(), then: act(), els: vec![] },
                    Stmt::Unlock(m),
                ],
                els: vec![],
            },
        ],
        "cas" => vec![
            Stmt::Set { dst: 0, val: e(c(0)) },
            Stmt::Cas { ok: Some(1), var: inst, expected: 0, desired: e(c(1)) },
            Stmt::If {
                cond: eq(r(1), c(1)),
                then: vec![Stmt::Comment("create the object".into()), create()],
                els: vec![],
            },
        ],
        "exchange" => vec![
            Stmt::Exchange { dst: Some(0), var: inst, val: e(c(1)) },
            Stmt::If {
                cond: is_new(),
                then: vec![Stmt::Comment("create the object".into()), create()],
                els: vec![],
            },
        ],
        "store_first" => vec![
            Stmt::Load { dst: 0, var: inst },
            Stmt::Store { var: inst, val: e(c(1)) },
            Stmt::If {
                cond: is_new(),
                then: vec![Stmt::Comment("create the object".into()), create()],
                els: vec![],
            },
        ],
        // "plain" and "atomic_ops" differ only in the variable's type.
        _ => vec![
            Stmt::Load { dst: 0, var: inst },
            Stmt::If { cond: is_new(), then: act(), els: vec![] },
        ],
    }
}

fn program(id: &str, n: usize) -> Program {
    let mut p = Program::default();
    let atomic = !matches!(id, "plain" | "lock_all" | "lock_act");
    let inst = p.var("inst", 0, atomic);
    let created = p.var("created", 0, true);
    let m = if matches!(id, "lock_all" | "lock_act" | "double_checked") {
        p.mutex("m")
    } else {
        0
    };
    for t in 0..n {
        p.thread(&format!("T{t}"), &["r", "ok"], body(id, inst, created, m));
    }
    p.observe = vec![Obs::Var(created)];
    p
}

fn decl(p: &Program) -> String {
    let mut out: Vec<String> = p
        .vars
        .iter()
        .map(|v| format!("{} {} = 0", if v.atomic { "atomic_int" } else { "int" }, v.name))
        .collect();
    out.extend(p.mutexes.iter().map(|m| format!("pthread_mutex_t {m}")));
    out.join("\n") + "\n"
}

fn candidates(shown: &[String], n: usize) -> Vec<Candidate> {
    shown
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let id: &'static str = RIGHT.iter().chain(WRONG).find(|x| **x == id.as_str()).copied().unwrap_or("plain");
            let (right, misconception) = textbook(id);
            Candidate {
                id,
                text: format!("Version {}", letter(i)),
                prog: program(id, n),
                right,
                misconception,
            }
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    n: usize,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
}

const HINT: &str = "use at most 4 threads";

impl Family for CheckThenAct {
    fn id(&self) -> &'static str {
        "concurrency.check_then_act"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Check-then-act: racing lazy initialisation"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["options"]
    }
    fn about(&self) -> About {
        About {
            asks: "how many times an unsynchronised lazy initialisation can create, and which version (mutex, CAS, exchange, double-checked, or broken ones) creates exactly once (choice)",
            key: "every version explored exhaustively",
            second_route: "closed form n; textbook verdicts; counterexamples replayed in an independent interpreter, the right version randomly sampled",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("threads") as usize;
        let count = cx.int("options") as usize;
        let shown = pick_shown(RIGHT, WRONG, count, cx.rng());
        let shown: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
        let plain = program("plain", n);
        let ex = explore_within(&plain, Memory::Sc, HINT)?;
        let most = ex.outcomes.keys().map(|o| o[0]).max().unwrap_or(0);
        let worst = ex.outcomes[&vec![most]].witness.clone();
        let cands = candidates(&shown, n);
        let once = |o: &[i64]| o[0] != 1;
        let what = |o: &[i64]| format!("`create` run {} times", o[0]);
        let j = judge(&cands, Memory::Sc, &once, false, &what, HINT)?;
        let mut prompt = Content::new()
            .p(format!(
                "**{n}** threads call the lazy initialisation below at the same moment. `created` counts calls to `create` (it is only instrumentation); each line that touches shared memory is one atomic step, and the threads' steps interleave in any order."
            ))
            .code(
                "c",
                format!("{}\n{}", decl(&plain), plain.render_thread(0).map_err(|e| GenError::Run(e.to_string()))?),
            )
            .p("(a) What is the **largest** value `created` can end with?")
            .p("(b) Which version below runs `create` **exactly once** in every schedule? (`T0`'s copy is shown; every thread runs the same.)");
        for (i, cand) in cands.iter().enumerate() {
            prompt = prompt.p(format!("**Version {}**", letter(i))).code(
                "c",
                format!(
                    "{}\n{}",
                    decl(&cand.prog),
                    cand.prog.render_thread(0).map_err(|e| GenError::Run(e.to_string()))?
                ),
            );
        }
        let why: Vec<String> = cands
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j.correct)
            .map(|(i, c)| format!("Version {}: {}", letter(i), c.misconception))
            .collect();
        let slots = vec![
            AnswerSlot::new("largest final `created`", Expected::Integer { value: most })
                .by_hand("every thread passes the check before any of them acts", n as f64)
                .exact_by_hand(),
            AnswerSlot::new(
                "the version that creates exactly once",
                Expected::Choice { options: j.options, correct: j.correct },
            ),
        ];
        let solution = Content::new()
            .p(format!(
                "(a) **{most}**: all {n} threads can read `inst = 0` before any of them stores 1, and then each creates. A shortest such schedule:"
            ))
            .table(SCHEDULE_HEADER, schedule_rows(&plain, Memory::Sc, &worst)?)
            .p(format!(
                "(b) **Version {}**: the check and the act happen as one indivisible step (under one lock, or one read-modify-write). The others:",
                letter(j.correct)
            ))
            .list(why);
        let evidence = Content::new().p(format!(
            "The unsynchronised version has {} reachable states and final values {}; the versions were explored exhaustively ({} states in all).",
            ex.states,
            ex.outcomes.keys().map(|o| o[0].to_string()).collect::<Vec<_>>().join(", "),
            j.states
        ));
        Ok(Question::new(prompt, slots, solution, evidence)
            .with_scenario(&Scenario { n, shown, verdicts: j.verdicts })
            .followup(
                FollowUp::new(
                    "Double-checked locking was famously broken in Java and C++ before 2004/2011. Why, and what fixes it?",
                    "The unlocked first read could see the pointer before the object's fields were visible (stores reordered, or published before construction finished). Make the pointer an atomic with release on the store and acquire on the load (`volatile` in Java 5+), or use `pthread_once` / `std::call_once` / a function-local static.",
                )
                .point("separates atomicity (this question) from visibility/ordering"),
            )
            .followup(FollowUp::new(
                format!("With the unsynchronised version and {} threads, what is the largest `created`?", n + 1),
                format!("{}: every thread can pass the check before any of them stores.", n + 1),
            )))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        CheckError::expect_eq("largest created (closed form n)", q.expected_integer(0)?, s.n as i64)?;
        let Expected::Choice { correct, .. } = q.expected(1)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let cands = candidates(&s.shown, s.n);
        let mut rng = cx.sim_rng("check_then_act");
        recheck(&cands, &s.verdicts, *correct, Memory::Sc, &|o| o[0] != 1, false, &mut rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&CheckThenAct, 0..30).unwrap();
    }

    #[test]
    fn known_verdicts() {
        // Goetz, *Java Concurrency in Practice* §2.2.2 (lazy initialisation race) and the hand
        // trace "both threads read 0": the unsynchronised versions create up to n times.
        for n in [2usize, 3] {
            for id in RIGHT {
                let ex = super::super::model::explore(&program(id, n), Memory::Sc, 100_000).unwrap();
                assert_eq!(ex.outcomes.keys().cloned().collect::<Vec<_>>(), vec![vec![1]], "{id}");
            }
            for id in WRONG.iter().chain(&["plain"]) {
                let ex = super::super::model::explore(&program(id, n), Memory::Sc, 100_000).unwrap();
                let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
                assert_eq!(finals, (1..=n as i64).collect::<Vec<_>>(), "{id}");
            }
        }
    }

    #[test]
    fn pins_are_used_and_four_threads_stay_small() {
        let pins = parse_pins(&CheckThenAct, &["threads=4".into(), "options=4".into()]).unwrap();
        let q = generate(&CheckThenAct, 2, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "4");
        assert_eq!(q.slots[1].expected.options().map(|o| o.len()), Some(4));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&CheckThenAct, 7, Difficulty::Hard, &Default::default()).unwrap();
        cross_check(&CheckThenAct, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[1].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&CheckThenAct, &q).is_err());
        let mut q = generate(&CheckThenAct, 7, Difficulty::Hard, &Default::default()).unwrap();
        q.slots[0].expected = Expected::Integer { value: 2 };
        assert!(cross_check(&CheckThenAct, &q).is_err());
    }
}
