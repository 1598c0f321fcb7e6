//! `concurrency.semaphores`: the bounded buffer (one producer, one consumer, a buffer of K
//! slots) with two counting semaphores and a mutex; which version is correct?
//!
//! **Asked** (judgment, single choice over 3–4 versions, exactly one right).
//!
//! **Versions** (right): `sem_wait` on the counting semaphore, then the mutex (Dijkstra's
//! solution; OSTEP ch. 31, figure 31.12); the same with `sem_post` inside the mutex (harmless).
//! (Wrong, each from a named misconception): the producer locks the mutex before `sem_wait(&empty)`
//! ("lock first to protect everything": when the buffer is full it sleeps holding the mutex the
//! consumer needs, a deadlock); the consumer locks before `sem_wait(&full)` (the same when the
//! buffer is empty); no mutex ("the semaphores already synchronise": they count slots, they do
//! not make the producer's and consumer's updates of `count` atomic).
//!
//! **Parameters.** `capacity` K: easy 2, medium 2, hard 2–3 (pins 2–3: with one slot the
//! semaphores alone make producer and consumer alternate, so a missing mutex cannot show); `items` I moved by each
//! side: K + 1 … K + 2 (more items than slots, so the buffer fills), pins up to 5; `options`: 3,
//! 4, 4.
//!
//! **Key.** Every version explored exhaustively under SC with deadlock detection; a version is
//! right when no state is stuck and `count` always ends at 0.
//!
//! **Second route.** Textbook verdicts typed in (OSTEP ch. 31 §31.4 "avoiding deadlock");
//! counterexamples replayed by the independent interpreter; the right version under 200 random
//! schedules.
//!
//! **Pitfalls**: the named misconceptions.

use super::model::{c, r, Expr, Memory, Obs, Program, Stmt};
use super::quiz::{judge, pick_shown, recheck, schedule_rows, Candidate, Verdict, SCHEDULE_HEADER};
use crate::answer::{letter, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Semaphores;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "capacity",
        help: "buffer slots K",
        kind: ParamKind::Int { min: 1, max: 3, draw: [(2, 2), (2, 2), (2, 3)] },
    },
    ParamSpec {
        key: "items",
        help: "items I produced (and consumed); more than K",
        kind: ParamKind::Int { min: 2, max: 5, draw: [(2, 2), (2, 3), (3, 4)] },
    },
    ParamSpec {
        key: "options",
        help: "versions shown",
        kind: ParamKind::Int { min: 3, max: 4, draw: [(3, 3), (4, 4), (4, 4)] },
    },
];

static ASKS: &[Ask] = &[Ask::new("", [4, 6, 8], &["semaphores", "deadlock"]).judgment()];

const RIGHT: &[&str] = &["wait_then_lock", "post_inside"];
const WRONG: &[&str] = &["producer_lock_first", "consumer_lock_first", "no_mutex"];

fn textbook(id: &str) -> (bool, &'static str) {
    match id {
        "wait_then_lock" | "post_inside" => (true, ""),
        "producer_lock_first" => (false, "Locking first feels safer, but when the buffer is full the producer sleeps in `sem_wait(&empty)` holding `m`, and the consumer that would free a slot blocks on `m`: deadlock."),
        "consumer_lock_first" => (false, "Locking first feels safer, but when the buffer is empty the consumer sleeps in `sem_wait(&full)` holding `m`, and the producer blocks on `m`: deadlock."),
        _ => (false, "The semaphores count slots and items; they do not make `count = r + 1` and `count = r - 1` atomic against each other, so an update is lost."),
    }
}

fn program(id: &str, k: usize, items: usize) -> Program {
    let mut p = Program::default();
    let count = p.var("count", 0, false);
    let m = p.mutex("m");
    let empty = p.sem("empty", k as i64);
    let full = p.sem("full", 0);
    let side = |wait: u8, post: u8, delta: i64, lock_first: bool| -> Vec<Stmt> {
        let update = vec![
            Stmt::Load { dst: 0, var: count },
            Stmt::Store { var: count, val: Expr::Add(r(0), c(delta)) },
        ];
        let body = match id {
            "no_mutex" => [vec![Stmt::SemWait(wait)], update, vec![Stmt::SemPost(post)]].concat(),
            "post_inside" => [vec![Stmt::SemWait(wait), Stmt::Lock(m)], update, vec![Stmt::SemPost(post), Stmt::Unlock(m)]].concat(),
            _ if lock_first => [vec![Stmt::Lock(m), Stmt::SemWait(wait)], update, vec![Stmt::Unlock(m), Stmt::SemPost(post)]].concat(),
            _ => [vec![Stmt::SemWait(wait), Stmt::Lock(m)], update, vec![Stmt::Unlock(m), Stmt::SemPost(post)]].concat(),
        };
        vec![Stmt::Repeat { times: items as u32, body }]
    };
    p.thread("P", &["r"], side(empty, full, 1, id == "producer_lock_first"));
    p.thread("C", &["r"], side(full, empty, -1, id == "consumer_lock_first"));
    p.observe = vec![Obs::Var(count)];
    p
}

fn candidates(shown: &[String], k: usize, items: usize) -> Vec<Candidate> {
    shown
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let id: &'static str = RIGHT.iter().chain(WRONG).find(|x| **x == id.as_str()).copied().unwrap_or("no_mutex");
            let (right, misconception) = textbook(id);
            Candidate { id, text: format!("Version {}", letter(i)), prog: program(id, k, items), right, misconception }
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    k: usize,
    items: usize,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
}

const HINT: &str = "keep capacity ≤ 3 and items ≤ 5";

impl Family for Semaphores {
    fn id(&self) -> &'static str {
        "concurrency.semaphores"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Semaphores: the bounded buffer"
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
            asks: "which bounded-buffer version (sem_wait then lock, post inside, or lock first on either side, no mutex) never deadlocks and never loses an update (choice)",
            key: "every version explored with deadlock detection",
            second_route: "textbook verdicts; counterexamples replayed in an independent interpreter, the right version randomly sampled",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let k = cx.int("capacity") as usize;
        let items = cx.int_within("items", k as i64 + 1, k as i64 + 2, 1) as usize;
        let count = cx.int("options") as usize;
        if k < 2 {
            return Err(GenError::Params {
                message: "with one slot the semaphores make producer and consumer alternate, so a missing mutex cannot show".into(),
                hint: "use a capacity of 2 or 3".into(),
            });
        }
        if items <= k {
            return Err(GenError::Params {
                message: format!("{items} items never fill a buffer of {k}"),
                hint: "use more items than buffer slots".into(),
            });
        }
        let shown: Vec<String> = pick_shown(RIGHT, WRONG, count, cx.rng()).iter().map(|s| s.to_string()).collect();
        let cands = candidates(&shown, k, items);
        let bad = |o: &[i64]| o[0] != 0;
        let what = |o: &[i64]| format!("`count` = {}", o[0]);
        let j = judge(&cands, Memory::Sc, &bad, false, &what, HINT)?;
        let mut prompt = Content::new().p(format!(
            "A producer thread `P` puts **{items}** items into a buffer of **{k}** slot(s) and a consumer thread `C` takes {items} out; `count` is the number of items in the buffer. `sem_wait` blocks while the semaphore is 0 and then decrements it; `sem_post` increments it. Which version never deadlocks and always ends with `count` = 0?"
        ));
        for (i, cand) in cands.iter().enumerate() {
            let code = cand.prog.render().map_err(|e| GenError::Run(e.to_string()))?;
            prompt = prompt.p(format!("**Version {}**", letter(i))).code("c", code);
        }
        let why: Vec<String> = cands
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j.correct)
            .map(|(i, c)| format!("Version {}: {}", letter(i), c.misconception))
            .collect();
        let mut solution = Content::new()
            .p(format!(
                "**Version {}**: each side waits on its counting semaphore *before* taking the mutex, so nobody sleeps holding `m`, and the mutex makes each update of `count` atomic. The others:",
                letter(j.correct)
            ))
            .list(why);
        if let Some((i, (_, steps))) = j.verdicts.iter().enumerate().find_map(|(i, v)| v.as_ref().map(|x| (i, x))) {
            solution = solution
                .p(format!("A shortest failing schedule of Version {}:", letter(i)))
                .table(SCHEDULE_HEADER, schedule_rows(&cands[i].prog, Memory::Sc, steps)?);
        }
        let evidence = Content::new().p(format!(
            "Each version explored exhaustively ({} states in all); only Version {} has no stuck state and `count` = 0 in every final state.",
            j.states,
            letter(j.correct)
        ));
        let slot = AnswerSlot::new("the correct version", Expected::Choice { options: j.options, correct: j.correct });
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { k, items, shown, verdicts: j.verdicts })
            .followup(FollowUp::new(
                "With several producers and consumers, what changes?",
                "Nothing in the protocol: the counting semaphores still bound the slots and items, and the mutex serialises the buffer updates (it is needed even more: two producers would otherwise write the same slot).",
            ).point("semaphores for counting, a mutex for mutual exclusion"))
            .followup(FollowUp::new(
                "How would you write this with a mutex and condition variables instead?",
                "One mutex and two condition variables (`not_full`, `not_empty`); each side waits in a `while` loop on its predicate (`count == K`, `count == 0`) and signals the other after its update.",
            )))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Choice { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let cands = candidates(&s.shown, s.k, s.items);
        let mut rng = cx.sim_rng("semaphores");
        recheck(&cands, &s.verdicts, *correct, Memory::Sc, &|o| o[0] != 0, false, &mut rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Semaphores, 0..30).unwrap();
    }

    #[test]
    fn known_verdicts() {
        // OSTEP ch. 31 §31.4: figure 31.11 (mutex outside sem_wait) deadlocks, figure 31.12
        // (sem_wait then mutex) works; hand trace for K = 2, I = 3: P fills both slots, locks m,
        // sleeps in sem_wait(&empty); C's sem_wait(&full) passes, then it blocks on m.
        for (k, items) in [(2usize, 3usize), (2, 4), (3, 5)] {
            for id in RIGHT.iter().chain(WRONG) {
                let ex = super::super::model::explore(&program(id, k, items), Memory::Sc, 200_000).unwrap();
                let ok = ex.deadlocks == 0 && ex.outcomes.keys().all(|o| o[0] == 0);
                assert_eq!(ok, textbook(id).0, "{k} {items} {id}");
                assert!(ex.states < super::super::quiz::STATE_LIMIT, "{k} {items} {id}: {}", ex.states);
            }
        }
    }

    #[test]
    fn pins_are_used_and_too_few_items_is_a_parameter_error() {
        let pins = parse_pins(&Semaphores, &["capacity=3".into(), "items=5".into()]).unwrap();
        let q = generate(&Semaphores, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("sem_t empty = 3"));
        let pins = parse_pins(&Semaphores, &["capacity=3".into(), "items=2".into()]).unwrap();
        assert!(generate(&Semaphores, 1, Difficulty::Easy, &pins).unwrap_err().hint().is_some());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Semaphores, 3, Difficulty::Hard, &Default::default()).unwrap();
        cross_check(&Semaphores, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&Semaphores, &q).is_err());
    }
}
