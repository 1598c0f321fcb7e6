//! `concurrency.dining`: the dining philosophers — n philosophers round a table, a fork (a mutex)
//! between each pair; each takes the fork on one side, then the other, eats, and puts both down.
//!
//! **Asked** (`ask`):
//! - `max`: with the deadlock-free protocol (the last philosopher takes the right fork first),
//!   the most philosophers that can be eating at once — ⌊n/2⌋;
//! - `fix` (judgment): which protocol never deadlocks: the last philosopher reversed, or a
//!   "butler" semaphore letting at most n − 1 sit (right); every philosopher right fork first
//!   ("a consistent rule is a consistent order": the cycle only turns round), putting forks down
//!   in the other order ("release order matters").
//!
//! **Parameters.** `ask`: easy `max`, medium both, hard `fix`; `philosophers` n: easy 3–4,
//! medium and hard 4–5 (pins 3–5); `options` (fix only): 3, 3, 4.
//!
//! **Key.** The explorer over every schedule: the most threads inside their critical sections
//! at once (max), and deadlock detection per protocol (fix).
//!
//! **Second route.** (max) the closed form ⌊n/2⌋ (the largest set of pairwise non-adjacent
//! seats on a cycle of n), and the explorer's witness replayed by the independent interpreter
//! must end with that many eating; (fix) textbook verdicts (Dijkstra 1971; Tanenbaum, *Modern
//! Operating Systems* §2.5.1), counterexamples replayed, the right protocol under 200 random
//! schedules.
//!
//! **Pitfalls**: "n forks, so n/2 rounded up"; "everyone eats if nobody deadlocks".

use super::model::{Memory, Program, Stmt};
use super::quiz::{explore_within, judge, pick_shown, recheck, schedule_rows, Candidate, Verdict, SCHEDULE_HEADER};
use super::sample::{replay, Replayed};
use crate::answer::{letter, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Dining;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "max: the most eating at once; fix: which protocol never deadlocks",
        kind: ParamKind::Choice { options: &["max", "fix"], draw: [&["max"], &["max", "fix"], &["fix"]] },
    },
    ParamSpec {
        key: "philosophers",
        help: "philosophers n (and forks)",
        kind: ParamKind::Int { min: 3, max: 5, draw: [(3, 4), (4, 5), (4, 5)] },
    },
    ParamSpec {
        key: "options",
        help: "protocols shown (fix)",
        kind: ParamKind::Int { min: 3, max: 4, draw: [(3, 3), (3, 3), (4, 4)] },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("max", [3, 4, 5], &["dining-philosophers", "mutual-exclusion"]),
    Ask::new("fix", [3, 4, 6], &["dining-philosophers", "lock-ordering"]).judgment(),
];

const RIGHT: &[&str] = &["last_reversed", "butler"];
const WRONG: &[&str] = &["all_left", "all_right", "put_down_order"];

fn textbook(id: &str) -> (bool, &'static str) {
    match id {
        "last_reversed" | "butler" => (true, ""),
        "all_right" => (false, "Taking the right fork first everywhere is still the same rule for everyone: all can hold their right fork and wait for their left, the same cycle the other way round."),
        "put_down_order" => (false, "The order of putting forks down never causes a deadlock: philosophers wait only when they pick up."),
        _ => (false, "Every philosopher can pick up the left fork at once, and then each waits for the fork the next one holds: deadlock."),
    }
}

fn protocol_text(id: &str, n: usize) -> String {
    match id {
        "last_reversed" => format!("Every philosopher takes the left fork first, except `P{}`, who takes the right fork first", n - 1),
        "butler" => format!("Left fork first, but a semaphore `seats = {}` lets at most {} philosophers try at once (`sem_wait` before the forks, `sem_post` after)", n - 1, n - 1),
        "all_right" => "Every philosopher takes the right fork first".into(),
        "put_down_order" => "Left fork first, but each philosopher puts the left fork down before the right".into(),
        _ => "Every philosopher takes the left fork first (as shown)".into(),
    }
}

/// Philosopher i's left fork is fork i, the right one fork (i + 1) mod n.
fn program(id: &str, n: usize) -> Program {
    let mut p = Program::default();
    let forks: Vec<u8> = (0..n).map(|i| p.mutex(&format!("fork{i}"))).collect();
    let seats = (id == "butler").then(|| p.sem("seats", n as i64 - 1));
    for i in 0..n {
        let (left, right) = (forks[i], forks[(i + 1) % n]);
        let right_first = id == "all_right" || (id == "last_reversed" && i == n - 1);
        let (a, b) = if right_first { (right, left) } else { (left, right) };
        let mut body = Vec::new();
        if let Some(s) = seats {
            body.push(Stmt::SemWait(s));
        }
        body.push(Stmt::Lock(a));
        body.push(Stmt::Lock(b));
        body.push(Stmt::Critical(vec![]));
        if id == "put_down_order" {
            body.push(Stmt::Unlock(a));
            body.push(Stmt::Unlock(b));
        } else {
            body.push(Stmt::Unlock(b));
            body.push(Stmt::Unlock(a));
        }
        if let Some(s) = seats {
            body.push(Stmt::SemPost(s));
        }
        p.thread(&format!("P{i}"), &[], body);
    }
    p
}

fn candidates(shown: &[String], n: usize) -> Vec<Candidate> {
    shown
        .iter()
        .map(|id| {
            let id: &'static str = RIGHT.iter().chain(WRONG).find(|x| **x == id.as_str()).copied().unwrap_or("all_left");
            let (right, misconception) = textbook(id);
            Candidate { id, text: protocol_text(id, n), prog: program(id, n), right, misconception }
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: usize,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
    /// (max) the explorer's schedule to the most eating at once.
    witness: Vec<super::model::Step>,
}

const HINT: &str = "use at most 5 philosophers";

impl Family for Dining {
    fn id(&self) -> &'static str {
        "concurrency.dining"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Dining philosophers"
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
            asks: "the most philosophers eating at once, or which protocol (one reversed, a butler, or all right-first, put-down order) never deadlocks (choice)",
            key: "every schedule explored: the most inside at once, deadlock detection per protocol",
            second_route: "closed form ⌊n/2⌋ with the witness replayed in an independent interpreter; textbook verdicts, counterexamples replayed, the right protocol randomly sampled",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("philosophers") as usize;
        let base = program("all_left", n);
        let code = base.render_thread(0).map_err(|e| GenError::Run(e.to_string()))?;
        let intro = format!(
            "**{n}** philosophers `P0` … `P{}` sit round a table with one fork (a mutex) between each pair: `P0`'s left fork is `fork0` and its right fork is `fork1`, and so on round the table, so `P{}`'s right fork is `fork0`. Each philosopher runs its code once (the critical section is where it eats); the steps interleave in any order.",
            n - 1,
            n - 1
        );
        match ask {
            "max" => {
                cx.unused("options");
                let prog = program("last_reversed", n);
                let ex = explore_within(&prog, Memory::Sc, HINT)?;
                let most = ex.max_in_cs as i64;
                let prompt = Content::new()
                    .p(intro)
                    .code("c", prog.render_thread(n - 1).map_err(|e| GenError::Run(e.to_string()))?)
                    .p(format!(
                        "(Shown: `P{}`, the one philosopher who takes the right fork first, which rules out deadlock; the others take the left first.) What is the **largest** number of philosophers that can be eating at the same time?",
                        n - 1
                    ));
                let rows = schedule_rows(&prog, Memory::Sc, &ex.max_in_cs_witness)?;
                let solution = Content::new()
                    .p(format!(
                        "**{most}**. Two neighbours share a fork, so the eaters are seats no two of which are adjacent on a ring of {n}: at most ⌊{n}/2⌋ = {most}. A schedule that reaches it:"
                    ))
                    .table(SCHEDULE_HEADER, rows);
                let evidence = Content::new().p(format!(
                    "Explored {} reachable states; the most philosophers eating at once is {most}; no state deadlocks.",
                    ex.states
                ));
                let slot = AnswerSlot::new("most philosophers eating at once", Expected::Integer { value: most })
                    .by_hand("no two neighbours eat at once: every other seat", (n / 2) as f64)
                    .exact_by_hand();
                Ok(Question::new(prompt, vec![slot], solution, evidence)
                    .with_scenario(&Scenario { ask: ask.into(), n, shown: Vec::new(), verdicts: Vec::new(), witness: ex.max_in_cs_witness.clone() })
                    .followup(FollowUp::new(
                        format!("And with {} philosophers?", n + 1),
                        format!("{}: every other seat of a ring of {}.", n.div_ceil(2), n + 1),
                    ))
                    .followup(FollowUp::new(
                        "Why does having one philosopher take the right fork first prevent deadlock?",
                        "It puts the forks in a global order (every philosopher takes the lower-numbered fork first), so no cycle of philosophers each holding one fork and waiting for the next can form.",
                    ).point("lock ordering breaks the circular-wait condition")))
            }
            _ => {
                let count = cx.int("options") as usize;
                let shown: Vec<String> = pick_shown(RIGHT, WRONG, count, cx.rng()).iter().map(|s| s.to_string()).collect();
                let cands = candidates(&shown, n);
                let j = judge(&cands, Memory::Sc, &|_| false, false, &|_| String::new(), HINT)?;
                let prompt = Content::new()
                    .p(intro)
                    .code("c", code)
                    .p("The code above is `P0`'s; the others are the same with their own forks. Which protocol guarantees that no schedule deadlocks?");
                let why: Vec<String> = cands
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != j.correct)
                    .map(|(i, c)| format!("{}: {}", letter(i), c.misconception))
                    .collect();
                let orig = explore_within(&base, Memory::Sc, HINT)?;
                let mut solution = Content::new()
                    .p(format!(
                        "**{}**: {}. It breaks the cycle of philosophers each holding one fork and waiting for the next. The others:",
                        letter(j.correct),
                        protocol_text(cands[j.correct].id, n)
                    ))
                    .list(why);
                if let Some((dead, _)) = &orig.deadlock {
                    solution = solution
                        .p("The deadlock of the code as shown (every philosopher holds the left fork):")
                        .table(SCHEDULE_HEADER, schedule_rows(&base, Memory::Sc, dead)?);
                }
                let evidence = Content::new().p(format!(
                    "Each protocol explored exhaustively with deadlock detection ({} states in all); only {} has no deadlocked state.",
                    j.states,
                    letter(j.correct)
                ));
                let slot = AnswerSlot::new("the protocol that never deadlocks", Expected::Choice { options: j.options, correct: j.correct });
                Ok(Question::new(prompt, vec![slot], solution, evidence)
                    .with_scenario(&Scenario { ask: ask.into(), n, shown, verdicts: j.verdicts, witness: Vec::new() })
                    .followup(FollowUp::new(
                        "Deadlock-free is not starvation-free: can a philosopher still go hungry forever?",
                        "Yes: with an unfair mutex its neighbours can keep eating alternately. Fair (FIFO) locks, or a waiter that grants forks in arrival order, bound the wait.",
                    ).point("separates safety (no deadlock) from liveness (no starvation)"))
                    .followup(FollowUp::new(
                        "How many philosophers can eat at once under the right protocol?",
                        format!("⌊{n}/2⌋ = {}: no two neighbours at once.", n / 2),
                    )))
            }
        }
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match q.expected(0)? {
            Expected::Integer { value } => {
                CheckError::expect_eq("most eating (closed form ⌊n/2⌋)", *value, (s.n / 2) as i64)?;
                match replay(&program("last_reversed", s.n), Memory::Sc, &s.witness) {
                    Replayed::Stopped { in_cs } => CheckError::expect_eq("eating at the end of the witness", in_cs as i64, *value),
                    other => Err(CheckError(format!("the witness replays to {other:?}"))),
                }
            }
            Expected::Choice { correct, .. } => {
                let cands = candidates(&s.shown, s.n);
                let mut rng = cx.sim_rng("dining");
                recheck(&cands, &s.verdicts, *correct, Memory::Sc, &|_| false, false, &mut rng)
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Dining, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Dijkstra 1971 / Tanenbaum MOS §2.5.1: all-left deadlocks; one reversed or a butler
        // with n − 1 seats does not; at most ⌊n/2⌋ eat (2 of 5, hand count).
        for n in [3usize, 4, 5] {
            for (id, dead) in [("all_left", true), ("all_right", true), ("put_down_order", true), ("last_reversed", false), ("butler", false)] {
                let ex = super::super::model::explore(&program(id, n), Memory::Sc, 200_000).unwrap();
                assert_eq!(ex.deadlocks > 0, dead, "{n} {id}");
                assert!(ex.states < super::super::quiz::STATE_LIMIT, "{n} {id}: {}", ex.states);
            }
        }
        let ex = super::super::model::explore(&program("last_reversed", 5), Memory::Sc, 200_000).unwrap();
        assert_eq!(ex.max_in_cs, 2);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Dining, &["ask=max".into(), "philosophers=5".into()]).unwrap();
        let q = generate(&Dining, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "2");
        let pins = parse_pins(&Dining, &["ask=fix".into(), "options=4".into()]).unwrap();
        let q = generate(&Dining, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().map(|o| o.len()), Some(4));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Dining, &["ask=max".into()]).unwrap();
        let mut q = generate(&Dining, 2, Difficulty::Hard, &pins).unwrap();
        cross_check(&Dining, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 3 };
        assert!(cross_check(&Dining, &q).is_err());
        let mut q = generate(&Dining, 2, Difficulty::Hard, &Default::default()).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&Dining, &q).is_err());
    }
}
