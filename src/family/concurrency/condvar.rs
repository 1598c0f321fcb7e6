//! `concurrency.condvar`: k consumers each take one item and k producers each add one, with a
//! mutex and a condition variable; which version never takes from an empty queue and never
//! sleeps forever?
//!
//! **Asked** (judgment, single choice over 3–4 versions, exactly one right).
//!
//! **Versions** (right): `while` around `pthread_cond_wait`, producer signals under the lock;
//! the same with `pthread_cond_broadcast`; the same but the producer signals just after
//! unlocking. (Wrong, each from a named misconception): `if` instead of `while` ("a wakeup
//! means the item is mine": Mesa semantics let another consumer take it first); the producer
//! updates `count` and signals without the mutex ("the signal is what matters": the wakeup can
//! fall between the consumer's check and its wait, and is lost); the consumer waits without
//! checking ("wait returns when there is an item": a signal sent before the wait is lost).
//!
//! **Parameters.** `options`: 3, 4, 4 versions. Two consumers and two producers (the fewest
//! that show the `if` bug; three of each exceed the explorer's state limit).
//!
//! **Key.** Every version explored exhaustively under SC, with condition variables modelled as
//! in POSIX (a signal wakes one waiter, or is lost if nobody waits; a woken waiter must relock
//! the mutex and competes for it). A version fails when a consumer reads `count` ≤ 0 as its
//! item, `count` does not end at 0, or a state is stuck.
//!
//! **Second route.** Textbook verdicts typed in (POSIX `pthread_cond_wait` rationale: "spurious
//! wakeups … the predicate should be re-evaluated"; OSTEP ch. 30); each failing version's
//! counterexample replayed by the independent interpreter; the right one under 200 random
//! schedules.
//!
//! **Pitfalls**: the named misconceptions; believing signalling after unlock is wrong.

use super::model::{c, eq, r, Expr, Memory, Obs, Program, Stmt};
use super::quiz::{judge, pick_shown, recheck, schedule_rows, Candidate, Failure, Verdict, SCHEDULE_HEADER};
use crate::answer::{letter, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Condvar;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "options",
        help: "versions shown",
        kind: ParamKind::Int {
            min: 3,
            max: 4,
            draw: [(3, 3), (4, 4), (4, 4)],
        },
    },
];

static ASKS: &[Ask] = &[Ask::new("", [4, 6, 8], &["condition-variables", "lost-wakeup"]).judgment()];

const RIGHT: &[&str] = &["while_signal", "while_broadcast", "signal_after_unlock"];
const WRONG: &[&str] = &["if_signal", "unlocked_producer", "no_check"];

fn textbook(id: &str) -> (bool, &'static str) {
    match id {
        "while_signal" | "while_broadcast" | "signal_after_unlock" => (true, ""),
        "if_signal" => (false, "A wakeup does not mean the item is still there: between the signal and the woken consumer relocking the mutex, another consumer can take it (Mesa semantics), so the predicate must be rechecked in a `while`."),
        "unlocked_producer" => (false, "Without the mutex the producer can change `count` and signal between a consumer's check and its wait: the wakeup is lost (and the unlocked update can race)."),
        _ => (false, "`pthread_cond_wait` does not remember signals: a signal sent before the consumer waits is lost, so it must check `count` first."),
    }
}

fn consumer(id: &str, count: u8, m: u8, cv: u8) -> Vec<Stmt> {
    let load = || Stmt::Load { dst: 0, var: count };
    let wait = || Stmt::Wait { cv, mutex: m };
    let empty = || eq(r(0), c(0));
    let take = || Stmt::Store { var: count, val: Expr::Add(r(0), c(-1)) };
    let mut v = vec![Stmt::Lock(m)];
    match id {
        "if_signal" => {
            v.push(load());
            v.push(Stmt::If { cond: empty(), then: vec![wait(), load()], els: vec![] });
        }
        "no_check" => {
            v.push(wait());
            v.push(load());
        }
        _ => {
            v.push(load());
            v.push(Stmt::While { cond: empty(), body: vec![wait(), load()] });
        }
    }
    v.push(take());
    v.push(Stmt::Unlock(m));
    v
}

fn producer(id: &str, count: u8, m: u8, cv: u8) -> Vec<Stmt> {
    let add = [
        Stmt::Load { dst: 0, var: count },
        Stmt::Store { var: count, val: Expr::Add(r(0), c(1)) },
    ];
    let wake = if id == "while_broadcast" { Stmt::Broadcast(cv) } else { Stmt::Signal(cv) };
    match id {
        "unlocked_producer" => [add.to_vec(), vec![wake]].concat(),
        "signal_after_unlock" => [vec![Stmt::Lock(m)], add.to_vec(), vec![Stmt::Unlock(m), wake]].concat(),
        _ => [vec![Stmt::Lock(m)], add.to_vec(), vec![wake, Stmt::Unlock(m)]].concat(),
    }
}

fn program(id: &str, k: usize) -> Program {
    let mut p = Program::default();
    let count = p.var("count", 0, false);
    let m = p.mutex("m");
    let cv = p.condvar("nonempty");
    for t in 0..k {
        p.thread(&format!("C{t}"), &["r"], consumer(id, count, m, cv));
    }
    for t in 0..k {
        p.thread(&format!("P{t}"), &["r"], producer(id, count, m, cv));
    }
    p.observe = (0..k as u8).map(|t| Obs::Reg(t, 0)).chain([Obs::Var(count)]).collect();
    p
}

/// A failing outcome: some consumer read an empty count as its item, or count did not end at 0.
fn bad(o: &[i64]) -> bool {
    let (regs, last) = o.split_at(o.len() - 1);
    regs.iter().any(|&v| v <= 0) || last[0] != 0
}

fn candidates(shown: &[String], k: usize) -> Vec<Candidate> {
    shown
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let id: &'static str = RIGHT.iter().chain(WRONG).find(|x| **x == id.as_str()).copied().unwrap_or("no_check");
            let (right, misconception) = textbook(id);
            Candidate { id, text: format!("Version {}", letter(i)), prog: program(id, k), right, misconception }
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    k: usize,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
}

const HINT: &str = "the program is fixed-size";

/// Consumers (and producers): two is the fewest that shows the `if` bug (a second consumer
/// takes the item first); three make the unlocked-producer version's state space exceed the
/// explorer's limit (53,442 states).
const CONSUMERS: usize = 2;

impl Family for Condvar {
    fn id(&self) -> &'static str {
        "concurrency.condvar"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Condition variables: while against if, lost wakeups"
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
            asks: "which producer/consumer version (while or if around wait, signal or broadcast, signal under or after the lock, unlocked producer, unchecked wait) never takes from empty and never sleeps forever (choice)",
            key: "every version explored with POSIX condition-variable semantics and stuck-state detection",
            second_route: "textbook verdicts; counterexamples replayed in an independent interpreter, the right version randomly sampled",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let k = CONSUMERS;
        let count = cx.int("options") as usize;
        let shown: Vec<String> = pick_shown(RIGHT, WRONG, count, cx.rng()).iter().map(|s| s.to_string()).collect();
        let cands = candidates(&shown, k);
        let what = |o: &[i64]| {
            let (regs, last) = o.split_at(o.len() - 1);
            match regs.iter().position(|&v| v <= 0) {
                Some(t) => format!("`C{t}` taking an item when `count` was {}", regs[t]),
                None => format!("`count` = {}", last[0]),
            }
        };
        let j = judge(&cands, Memory::Sc, &bad, false, &what, HINT)?;
        let names = |pre: char| (0..k).map(|t| format!("`{pre}{t}`")).collect::<Vec<_>>().join(", ");
        let mut prompt = Content::new().p(format!(
            "**{k}** consumer threads ({}) each take one item from a shared queue, and **{k}** producer threads ({}) each add one; `count` is the number of items, starting at 0. `pthread_cond_wait(&nonempty, &m)` releases `m` and sleeps until signalled; a woken thread must reacquire `m` before it returns, competing with every other thread; a signal when nobody waits is lost. Which version never lets a consumer take an item while `count` is 0, always ends with `count` = 0, and never leaves a thread asleep forever?",
            names('C'),
            names('P')
        ));
        for (i, cand) in cands.iter().enumerate() {
            let cons = cand.prog.render_thread(0).map_err(|e| GenError::Run(e.to_string()))?;
            let prod = cand.prog.render_thread(k).map_err(|e| GenError::Run(e.to_string()))?;
            prompt = prompt
                .p(format!("**Version {}** (one consumer and one producer shown; the others are copies)", letter(i)))
                .code("c", format!("int count = 0\npthread_mutex_t m\npthread_cond_t nonempty\n\n{cons}\n\n{prod}"));
        }
        let mut solution = Content::new().p(format!(
            "**Version {}**: the consumer rechecks `count` in a `while` after every wakeup, and the producer changes `count` under the mutex, so no wakeup falls between a consumer's check and its wait (signalling after unlocking is fine). The others:",
            letter(j.correct)
        ));
        let why: Vec<String> = cands
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j.correct)
            .map(|(i, c)| format!("Version {}: {}", letter(i), c.misconception))
            .collect();
        solution = solution.list(why);
        if let Some((i, (f, steps))) = j
            .verdicts
            .iter()
            .enumerate()
            .find_map(|(i, v)| v.as_ref().filter(|(f, _)| matches!(f, Failure::Outcome(_))).map(|x| (i, x)))
        {
            let _ = f;
            solution = solution
                .p(format!("A shortest failing schedule of Version {}:", letter(i)))
                .table(SCHEDULE_HEADER, schedule_rows(&cands[i].prog, Memory::Sc, steps)?);
        }
        let evidence = Content::new().p(format!(
            "Each version explored exhaustively with {k} consumers and {k} producers ({} states in all); only Version {} has no failing or stuck state.",
            j.states,
            letter(j.correct)
        ));
        let slot = AnswerSlot::new("the correct version", Expected::Choice { options: j.options, correct: j.correct });
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { k, shown, verdicts: j.verdicts })
            .followup(
                FollowUp::new(
                    "When is `pthread_cond_signal` not enough and you need `broadcast`?",
                    "When waiters wait for different conditions on one condition variable (e.g. producers waiting for space and consumers for items on one `cv`), or when one change can satisfy several waiters: a single signal may wake the wrong kind of waiter and the right one sleeps on.",
                )
                .point("POSIX also allows spurious wakeups: a `while` is needed even with one consumer"),
            )
            .followup(FollowUp::new(
                "Is it a bug to call `pthread_cond_signal` after `pthread_mutex_unlock`?",
                "No, as long as the state change was made under the mutex: the waiter rechecks the predicate. It can even save a context switch; it can hurt fairness or predictability of scheduling.",
            )))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Choice { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let cands = candidates(&s.shown, s.k);
        let mut rng = cx.sim_rng("condvar");
        recheck(&cands, &s.verdicts, *correct, Memory::Sc, &bad, false, &mut rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Condvar, 0..30).unwrap();
    }

    #[test]
    fn known_verdicts() {
        // OSTEP ch. 30 (figures 30.8–30.10: `if` breaks with two consumers, `while` fixes it)
        // and the POSIX rationale for pthread_cond_wait; hand trace of the `if` bug: C0 waits,
        // P0 adds and signals, C1 takes the item before C0 relocks, C0 then takes from 0.
        for k in [CONSUMERS] {
            for id in RIGHT.iter().chain(WRONG) {
                let ex = super::super::model::explore(&program(id, k), Memory::Sc, 200_000).unwrap();
                let fails = ex.deadlocks > 0 || ex.outcomes.keys().any(|o| bad(o));
                assert_eq!(!fails, textbook(id).0, "{k} {id}");
                assert!(ex.states < super::super::quiz::STATE_LIMIT, "{k} {id}: {}", ex.states);
            }
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Condvar, &["options=4".into()]).unwrap();
        let q = generate(&Condvar, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().map(|o| o.len()), Some(4));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Condvar, 3, Difficulty::Medium, &Default::default()).unwrap();
        cross_check(&Condvar, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&Condvar, &q).is_err());
    }
}
