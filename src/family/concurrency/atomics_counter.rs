//! `concurrency.atomics_counter`: which way of incrementing a shared counter never loses an
//! update?
//!
//! **Asked** (judgment): (a) which of 3–5 versions of the loop body always ends at n·k (single
//! choice; exactly one shown version is right); (b) how many different final values a named
//! broken version can produce.
//!
//! **Versions**: `atomic_fetch_add` (right); a compare-and-swap loop (right); a mutex around
//! load and store (right); and the distractors, each from a named misconception: an atomic load
//! then an atomic store ("each access is atomic, so the increment is"); `count++` on a plain
//! `int` ("one line is one step"); an atomic load then `atomic_exchange` ("exchange is atomic");
//! a load, a seq_cst fence, then a store ("a fence makes it safe").
//!
//! **Parameters.** `threads` n: easy 2, medium 2, hard 3; `increments` k: easy 2, medium 2–3,
//! hard 2 (pins: n ≤ 3, k ≤ 3, n·k ≤ 6); `options`: 3, 4, 5.
//!
//! **Key.** Each shown version explored exhaustively; the right one is the version whose only
//! final value is n·k. Part (b) counts the broken version's explored finals.
//!
//! **Second route.** (1) The textbook verdict of each version, typed in (C11 §7.17.7.5 for
//! fetch-add and compare-exchange; any OS text for the mutex), must match. (2) Each broken
//! version's counterexample schedule is replayed in the independent interpreter and must end
//! below n·k; the right one is run under 200 random schedules and must always end at n·k.
//! (3) Part (b) against the closed form: finals m..n·k with m = 2 (k ≥ 2) or 1 (k = 1).
//! loom in the tests runs fetch-add and load+store with real atomics.
//!
//! **Pitfalls**: the named misconceptions above.

use super::model::{c, r, Cond, Expr, Memory, Obs, Program, Stmt};
use super::quiz::{confirm, explore_within, failure_text, verdict, schedule_rows, Verdict, SCHEDULE_HEADER};
use crate::answer::{letter, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct AtomicsCounter;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "threads",
        help: "threads n",
        kind: ParamKind::Int { min: 2, max: 3, draw: [(2, 2), (2, 2), (3, 3)] },
    },
    ParamSpec {
        key: "increments",
        help: "increments k per thread (n·k ≤ 6)",
        kind: ParamKind::Int { min: 1, max: 3, draw: [(2, 2), (2, 3), (2, 2)] },
    },
    ParamSpec {
        key: "options",
        help: "versions shown",
        kind: ParamKind::Int { min: 3, max: 5, draw: [(3, 3), (4, 4), (5, 5)] },
    },
];

static ASKS: &[Ask] = &[Ask::new("", [4, 5, 7], &["atomic-rmw", "lost-update"]).judgment()];

/// The versions: id, textbook verdict, misconception (for the wrong ones).
const VERSIONS: &[(&str, bool, &str)] = &[
    ("fetch_add", true, ""),
    ("cas_loop", true, ""),
    ("mutex", true, ""),
    ("load_store", false, "each access is atomic, but the pair is not: another thread can write between the load and the store"),
    ("plain_incr", false, "one line is not one step: `count++` on a plain `int` is a load and then a store"),
    ("exchange", false, "`atomic_exchange` is atomic, but the value it writes was computed from an earlier read that may be stale"),
    ("fence", false, "a fence orders this thread's accesses; it does not stop other threads from writing between the load and the store"),
];

fn version(id: &str) -> Option<(bool, &'static str)> {
    VERSIONS.iter().find(|v| v.0 == id).map(|v| (v.1, v.2))
}

/// Version `id` run by n threads, k times each.
fn program(id: &str, n: usize, k: usize) -> Program {
    let mut p = Program::default();
    let atomic = !matches!(id, "plain_incr" | "mutex");
    let count = p.var("count", 0, atomic);
    let m = if id == "mutex" { Some(p.mutex("m")) } else { None };
    let body = match id {
        "fetch_add" => vec![Stmt::FetchAdd { dst: None, var: count, delta: 1 }],
        "cas_loop" => vec![
            Stmt::Load { dst: 0, var: count },
            Stmt::DoWhile {
                body: vec![Stmt::Cas { ok: Some(1), var: count, expected: 0, desired: Expr::Add(r(0), c(1)) }],
                cond: Cond::Cmp(r(1), super::model::Cmp::Eq, c(0)),
            },
        ],
        "mutex" => vec![
            Stmt::Lock(m.unwrap_or(0)),
            Stmt::Load { dst: 0, var: count },
            Stmt::Store { var: count, val: Expr::Add(r(0), c(1)) },
            Stmt::Unlock(m.unwrap_or(0)),
        ],
        "plain_incr" => vec![Stmt::PlainIncr { var: count, tmp: 0 }],
        "exchange" => vec![
            Stmt::Load { dst: 0, var: count },
            Stmt::Exchange { dst: None, var: count, val: Expr::Add(r(0), c(1)) },
        ],
        "fence" => vec![
            Stmt::Load { dst: 0, var: count },
            Stmt::Fence,
            Stmt::Store { var: count, val: Expr::Add(r(0), c(1)) },
        ],
        _ => vec![
            Stmt::Load { dst: 0, var: count },
            Stmt::Store { var: count, val: Expr::Add(r(0), c(1)) },
        ],
    };
    for t in 0..n {
        p.thread(&format!("T{t}"), &["r", "ok"], vec![Stmt::Repeat { times: k as u32, body: body.clone() }]);
    }
    p.observe = vec![Obs::Var(count)];
    p
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    n: usize,
    k: usize,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
    /// The broken version part (b) asks about.
    broken: String,
}

fn closed_finals(n: usize, k: usize) -> i64 {
    (n * k) as i64 - if k == 1 { 1 } else { 2 } + 1
}

impl Family for AtomicsCounter {
    fn id(&self) -> &'static str {
        "concurrency.atomics_counter"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Atomic counters: which increment is safe"
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
            asks: "which increment (fetch_add, CAS loop, mutex, or a broken load+store, `count++`, exchange, fence) never loses an update, and how many finals a broken one allows (choice)",
            key: "every version explored exhaustively",
            second_route: "textbook verdicts; counterexamples replayed in an independent interpreter, the right version randomly sampled; closed form for the finals; loom in the tests",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("threads") as usize;
        let k = cx.int_capped("increments", if n == 3 { 2 } else { 3 }) as usize;
        let count = cx.int("options") as usize;
        if n * k > 6 {
            return Err(GenError::Params {
                message: format!("{n} threads × {k} increments is too many steps to explore for every version"),
                hint: "keep threads × increments ≤ 6".into(),
            });
        }
        let rng = cx.rng();
        let mut right: Vec<&str> = VERSIONS.iter().filter(|v| v.1).map(|v| v.0).collect();
        let mut wrong: Vec<&str> = VERSIONS.iter().filter(|v| !v.1).map(|v| v.0).collect();
        right.shuffle(rng);
        wrong.shuffle(rng);
        let mut shown: Vec<&str> = std::iter::once(right[0]).chain(wrong.iter().copied().take(count - 1)).collect();
        shown.shuffle(rng);
        let target = (n * k) as i64;
        let bad = move |o: &[i64]| o[0] != target;
        let mut prompt = Content::new().p(format!(
            "**{n}** threads each run the loop below **{k}** times, starting from `count = 0`. Which version always leaves `count` at {target} when every thread has finished? Each line that touches shared memory is one atomic step; the steps of different threads interleave in any order."
        ));
        let mut options = Vec::new();
        let mut verdicts = Vec::new();
        let mut broken = None;
        let mut why = Vec::new();
        for (i, id) in shown.iter().enumerate() {
            let prog = program(id, n, k);
            let ex = explore_within(&prog, Memory::Sc, "keep threads × increments ≤ 6")?;
            let v = verdict(&ex, &bad, false);
            let label = format!("Version {}", letter(i));
            let code = format!("{}\n{}", decl(&prog), prog.render_thread(0).map_err(|e| GenError::Run(e.to_string()))?);
            prompt = prompt.p(format!("**{label}** (`T0`'s copy; every thread runs the same)")).code("c", code);
            match &v {
                None => options.push(ChoiceOption::right(label.clone())),
                Some((f, steps)) => {
                    let (_, misconception) = version(id).unwrap_or((false, ""));
                    let what = |o: &[i64]| format!("`count` = {}", o[0]);
                    options.push(ChoiceOption::wrong(label.clone(), format!("{}: {misconception}; {}.", label, failure_text(f, steps, &what))));
                    if broken.is_none() {
                        let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
                        broken = Some((i, id.to_string(), finals, prog.clone(), steps.clone()));
                    }
                    why.push(format!("{label}: {misconception}."));
                }
            }
            verdicts.push(v);
        }
        let correct = options.iter().position(|o| o.why_wrong.is_none()).ok_or_else(|| GenError::Run("no version is right".into()))?;
        if options.iter().filter(|o| o.why_wrong.is_none()).count() != 1 {
            return Err(GenError::Run("more than one version is right".into()));
        }
        let (bi, bid, finals, bprog, bsteps) = broken.ok_or_else(|| GenError::Run("no broken version".into()))?;
        prompt = prompt.p(format!("(b) How many different final values of `count` can **Version {}** produce?", letter(bi)));
        let slots = vec![
            AnswerSlot::new("the version that never loses an update", Expected::Choice { options, correct }),
            AnswerSlot::new(format!("number of possible finals of Version {}", letter(bi)), Expected::Integer { value: finals.len() as i64 })
                .by_hand("every value from the minimum (2, or 1 for k = 1) to n·k", closed_finals(n, k) as f64),
        ];
        let solution = Content::new()
            .p(format!("(a) **Version {}**: it makes the read and the write one indivisible step (or retries until no other write came between them). The others lose updates:", letter(correct)))
            .list(why)
            .p(format!("(b) Version {} can end at any value from {} to {target}: **{}** values. Its shortest schedule to {}:", letter(bi), finals[0], finals.len(), finals[0]))
            .table(SCHEDULE_HEADER, schedule_rows(&bprog, Memory::Sc, &bsteps)?);
        let evidence = Content::new().p(format!(
            "Each version was explored exhaustively with {n} threads × {k} increments; only Version {} has {target} as its single final value.",
            letter(correct)
        ));
        let shown: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
        Ok(Question::new(prompt, slots, solution, evidence)
            .with_scenario(&Scenario { n, k, shown, verdicts, broken: bid })
            .followup(
                FollowUp::new(
                    "Under heavy contention, which right version would you pick and why?",
                    "`atomic_fetch_add`: one locked instruction (`lock xadd` on x86) that never retries; a CAS loop retries under contention, and a mutex can put threads to sleep.",
                )
                .point("fetch_add is wait-free; a CAS loop is only lock-free"),
            ))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Choice { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let target = (s.n * s.k) as i64;
        let bad = move |o: &[i64]| o[0] != target;
        let mut rng = cx.sim_rng("atomics_counter");
        for (i, id) in s.shown.iter().enumerate() {
            let (textbook, _) = version(id).ok_or_else(|| CheckError(format!("unknown version {id}")))?;
            CheckError::expect_eq(&format!("textbook verdict of {id}"), i == *correct, textbook)?;
            let v = s.verdicts.get(i).ok_or_else(|| CheckError("missing verdict".into()))?;
            CheckError::expect_eq(&format!("verdict of {id}"), i == *correct, v.is_none())?;
            confirm(&program(id, s.n, s.k), Memory::Sc, v, &bad, false, 200, &mut rng)?;
        }
        let _ = &s.broken;
        CheckError::expect_eq("finals of the broken version", q.expected_integer(1)?, closed_finals(s.n, s.k))
    }
}

/// The declaration lines of a version (the shared variable and any mutex).
fn decl(p: &Program) -> String {
    let mut out: Vec<String> = p.vars.iter().map(|v| format!("{} {} = 0", if v.atomic { "atomic_int" } else { "int" }, v.name)).collect();
    out.extend(p.mutexes.iter().map(|m| format!("pthread_mutex_t {m}")));
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&AtomicsCounter, 0..30).unwrap();
    }

    #[test]
    fn every_version_gets_its_textbook_verdict() {
        // C11 §7.17.7.5 (atomic_fetch_add, atomic_compare_exchange_strong are atomic
        // read-modify-writes); the others lose updates (hand trace: both threads read 0).
        for (id, right, _) in VERSIONS {
            let ex = super::super::model::explore(&program(id, 2, 2), Memory::Sc, 100_000).unwrap();
            let finals: Vec<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
            if *right {
                assert_eq!(finals, vec![4], "{id}");
            } else {
                assert_eq!(finals, vec![2, 3, 4], "{id}");
            }
        }
    }

    #[test]
    fn pins_are_used_and_too_many_steps_is_a_parameter_error() {
        let pins = parse_pins(&AtomicsCounter, &["options=5".into(), "threads=2".into(), "increments=3".into()]).unwrap();
        let q = generate(&AtomicsCounter, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().map(|o| o.len()), Some(5));
        assert_eq!(q.slots[1].expected.reference(), "5");
        let pins = parse_pins(&AtomicsCounter, &["threads=3".into(), "increments=3".into()]).unwrap();
        assert!(generate(&AtomicsCounter, 1, Difficulty::Hard, &pins).unwrap_err().hint().is_some());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&AtomicsCounter, 4, Difficulty::Medium, &Default::default()).unwrap();
        cross_check(&AtomicsCounter, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&AtomicsCounter, &q).is_err());
    }

    /// loom: fetch_add always ends at 4; load + store reaches exactly the explorer's finals.
    /// (Writing the load as `fetch_add(0)` makes loom report a final of 1, which coherence
    /// forbids: tokio-rs/loom#282, loom and modification order.)
    #[test]
    fn loom_agrees_with_the_explorer() {
        use std::collections::BTreeSet;
        use std::sync::atomic::Ordering::SeqCst;
        for id in ["fetch_add", "load_store"] {
            let seen = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
            let s2 = seen.clone();
            loom::model(move || {
                let count = loom::sync::Arc::new(loom::sync::atomic::AtomicI64::new(0));
                let hs: Vec<_> = (0..2)
                    .map(|_| {
                        let count = count.clone();
                        loom::thread::spawn(move || {
                            for _ in 0..2 {
                                if id == "fetch_add" {
                                    count.fetch_add(1, SeqCst);
                                } else {
                                    let r = count.load(SeqCst);
                                    count.store(r + 1, SeqCst);
                                }
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                s2.lock().unwrap().insert(count.load(SeqCst));
            });
            let ex = super::super::model::explore(&program(id, 2, 2), Memory::Sc, 100_000).unwrap();
            let explored: BTreeSet<i64> = ex.outcomes.keys().map(|o| o[0]).collect();
            assert_eq!(*seen.lock().unwrap(), explored, "{id}");
        }
    }
}
