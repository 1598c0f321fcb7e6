//! `concurrency.peterson`: Peterson's lock for two threads, under sequential consistency or on
//! x86; which is the cheapest fence placement that keeps mutual exclusion?
//!
//! **Asked** (judgment, single choice over 3–5 placements): the placement with the fewest
//! fences under which no schedule puts both threads in the critical section. Under SC that is
//! no fence at all (Peterson 1981 proves it); on x86 it is an `mfence()` in each thread after
//! `turn = other` and before the spin loop: the store to `turn` (and `flag`) can wait in the
//! store buffer while the loop's loads read stale values.
//!
//! **Placements**: none; one fence in `T0` only; in both threads after `turn`; in both at the
//! very start; in both between `flag = 1` and `turn = other`.
//!
//! **Parameters.** `model`: easy x86, medium SC or x86, hard x86; `options` shown: 3, 4, 5.
//!
//! **Key.** Each placement explored exhaustively (spin loops make the state graph cyclic; the
//! explorer visits every state) under the model; the key is the cheapest placement with at
//! most one thread ever inside (exactly one cheapest by construction).
//!
//! **Second route.** The textbook verdicts (Peterson 1981 for SC; Owens, Sarkar and Sewell 2009
//! and the Intel SDM §8.2.3.4 store→load reordering for x86) typed in; each broken placement's
//! witness replayed by the independent interpreter and must end with both threads inside; each
//! correct one run under 200 random schedules, never with both inside.
//!
//! **Pitfalls**: "x86 is strongly ordered"; a fence in one thread only; a fence before the
//! stores, or between them, rather than after the last one.

use super::model::{c, e, eq, r, Cond, Memory, Program, Stmt};
use super::quiz::{confirm, explore_within, pick_shown, schedule_rows, Failure, Verdict, SCHEDULE_HEADER};
use crate::answer::{letter, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Peterson;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "model",
        help: "sc (sequential consistency) or x86 (x86-TSO)",
        kind: ParamKind::Choice {
            options: &["sc", "x86"],
            draw: [&["x86"], &["sc", "x86"], &["x86"]],
        },
    },
    ParamSpec {
        key: "options",
        help: "placements shown",
        kind: ParamKind::Int {
            min: 3,
            max: 5,
            draw: [(3, 3), (4, 4), (5, 5)],
        },
    },
];

static ASKS: &[Ask] = &[Ask::new("", [4, 6, 8], &["memory-ordering", "mutual-exclusion"]).judgment()];

const PLACES: &[&str] = &["none", "one", "after_turn", "start", "between_stores"];

fn place_text(place: &str) -> &'static str {
    match place {
        "none" => "No fence",
        "one" => "A fence in `T0` only, after `turn = 1`",
        "after_turn" => "A fence in each thread, after its `turn = …` store and before the loop",
        "start" => "A fence in each thread, before its `flag… = 1` store",
        _ => "A fence in each thread, between its `flag… = 1` and `turn = …` stores",
    }
}

/// Textbook verdict: is mutual exclusion kept, and why would someone pick it if not.
fn textbook(sc: bool, place: &str) -> (bool, &'static str) {
    if sc {
        return (true, "Under sequential consistency Peterson's lock needs no fence (Peterson 1981): this one only costs time.");
    }
    match place {
        "after_turn" => (true, ""),
        "none" => (false, "x86 is not sequentially consistent: a store can wait in the store buffer while a later load reads memory, so each thread can read the other's flag as 0."),
        "one" => (false, "One fence only drains `T0`'s buffer; `T1`'s stores can still be buffered while it reads `flag0` and `turn`."),
        "start" => (false, "A fence before the stores drains nothing useful: the stores that matter are still buffered when the loop reads."),
        _ => (false, "The fence must come after the last store (`turn`): with it in between, `turn` can still be buffered while the loop reads, and the other thread's later `turn` store can reach memory first."),
    }
}

fn fences(place: &str) -> usize {
    match place {
        "none" => 0,
        "one" => 1,
        _ => 2,
    }
}

fn program(sc: bool, place: &str) -> Program {
    let mut p = Program {
        x86: !sc,
        ..Program::default()
    };
    let flag = [p.var("flag0", 0, false), p.var("flag1", 0, false)];
    let turn = p.var("turn", 0, false);
    for me in 0..2usize {
        let other = 1 - me;
        let both = !matches!(place, "none" | "one");
        let mine = both || (place == "one" && me == 0);
        let mut body = Vec::new();
        if mine && place == "start" {
            body.push(Stmt::Fence);
        }
        body.push(Stmt::Store { var: flag[me], val: e(c(1)) });
        if mine && place == "between_stores" {
            body.push(Stmt::Fence);
        }
        body.push(Stmt::Store { var: turn, val: e(c(other as i64)) });
        if mine && matches!(place, "after_turn" | "one") {
            body.push(Stmt::Fence);
        }
        body.push(Stmt::DoWhile {
            body: vec![Stmt::Load { dst: 0, var: flag[other] }, Stmt::Load { dst: 1, var: turn }],
            cond: Cond::And(Box::new(eq(r(0), c(1))), Box::new(eq(r(1), c(other as i64)))),
        });
        body.push(Stmt::Critical(vec![]));
        body.push(Stmt::Store { var: flag[me], val: e(c(0)) });
        p.thread(&format!("T{me}"), &["f", "t"], body);
    }
    p
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    sc: bool,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
}

const HINT: &str = "Peterson's lock is fixed-size";

impl Family for Peterson {
    fn id(&self) -> &'static str {
        "concurrency.peterson"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Peterson's lock: the fence it needs on x86"
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
            asks: "the cheapest fence placement that keeps Peterson's lock mutually exclusive under SC or on x86 (choice)",
            key: "every placement explored (spin loops included) under SC or operational x86-TSO",
            second_route: "textbook verdicts; broken placements' witnesses replayed in an independent interpreter, correct ones randomly sampled",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let model = cx.pick("model");
        let count = cx.int("options") as usize;
        let sc = model == "sc";
        let memory = if sc { Memory::Sc } else { Memory::Tso };
        // One right placement (the cheapest correct one) and count − 1 others.
        let right = if sc { "none" } else { "after_turn" };
        let others: Vec<&'static str> = PLACES.iter().copied().filter(|p| *p != right).collect();
        let shown = pick_shown(&[right], &others, count, cx.rng());
        let mut verdicts = Vec::new();
        let mut states = 0;
        for place in &shown {
            let ex = explore_within(&program(sc, place), memory, HINT)?;
            states += ex.states;
            verdicts.push(if ex.max_in_cs > 1 {
                Some((Failure::BothInside, ex.max_in_cs_witness.clone()))
            } else {
                None
            });
        }
        let best = (0..shown.len())
            .filter(|&i| verdicts[i].is_none())
            .min_by_key(|&i| fences(shown[i]))
            .ok_or_else(|| GenError::Run("no placement works".into()))?;
        if (0..shown.len()).filter(|&i| verdicts[i].is_none() && fences(shown[i]) == fences(shown[best])).count() != 1 {
            return Err(GenError::Run("two cheapest placements".into()));
        }
        let options: Vec<ChoiceOption> = shown
            .iter()
            .enumerate()
            .map(|(i, pl)| {
                let text = place_text(pl);
                match &verdicts[i] {
                    _ if i == best => ChoiceOption::right(text),
                    None => ChoiceOption::wrong(text, format!("{} It needs {} fence(s) where {} suffice.", textbook(sc, pl).1, fences(pl), fences(shown[best]))),
                    Some((_, w)) => ChoiceOption::wrong(text, format!("{} Explored: after {} steps both threads are in the critical section.", textbook(sc, pl).1, w.len())),
                }
            })
            .collect();
        let base = program(sc, "none");
        let fence_name = if sc { "`atomic_thread_fence(memory_order_seq_cst)`" } else { "`mfence()`" };
        let prompt = Content::new()
            .p(format!(
                "Two threads use Peterson's lock below (all variables start at 0, plain `int`s). {} Which is the **cheapest** change (fewest {fence_name} instructions) under which the two threads are never in the critical section at the same time?",
                if sc {
                    "The machine is **sequentially consistent**: one shared memory, and each thread's accesses happen in program order."
                } else {
                    "The machine is **x86** (x86-TSO: each core's stores wait in a FIFO store buffer before reaching memory; a load reads its own buffer first)."
                }
            ))
            .code("c", base.render().map_err(|e| GenError::Run(e.to_string()))?);
        let mut solution = Content::new().p(format!("**{}**: {}.", letter(best), place_text(shown[best])));
        if sc {
            solution = solution.p("Under sequential consistency Peterson's argument holds: whichever thread writes `turn` last waits, so both cannot pass the loop. Every fence would only cost time.");
        } else {
            let bad_ex = explore_within(&base, Memory::Tso, HINT)?;
            solution = solution
                .p("Without a fence, both threads' `flag` stores can sit in their store buffers while each loop reads the other's flag as 0 from memory:")
                .table(SCHEDULE_HEADER, schedule_rows(&base, Memory::Tso, &bad_ex.max_in_cs_witness)?)
                .p("A fence after the last store (`turn`) in each thread drains the buffer before the loop reads, restoring the SC argument; x86 never reorders the loop's loads with each other, so no other fence is needed.");
        }
        let evidence = Content::new().p(format!(
            "Each shown placement explored exhaustively under {} ({states} states in all); correct placements: {}.",
            if sc { "SC" } else { "x86-TSO" },
            (0..shown.len()).filter(|&i| verdicts[i].is_none()).map(|i| letter(i).to_string()).collect::<Vec<_>>().join(", ")
        ));
        let slot = AnswerSlot::new("the cheapest placement that keeps mutual exclusion", Expected::Choice { options, correct: best });
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { sc, shown: shown.iter().map(|s| s.to_string()).collect(), verdicts })
            .followup(FollowUp::new(
                "Would you ever use Peterson's lock in production code?",
                "No: it serves two threads, spins, and needs exactly the right fences per architecture. Use a mutex (or an atomic test-and-set / CAS lock, whose locked instruction is already a full barrier on x86).",
            ).point("knows a lock built from plain loads and stores needs store→load ordering"))
            .followup(FollowUp::new(
                "In C11, how would you write the same lock portably?",
                "Make `flag0`, `flag1` and `turn` `atomic_int` with the default `memory_order_seq_cst` for every access; release/acquire alone is not enough, because the store to `turn` and the load of the other flag must not be reordered.",
            )))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Choice { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let memory = if s.sc { Memory::Sc } else { Memory::Tso };
        let mut rng = cx.sim_rng("peterson");
        let mut best: Option<(usize, usize)> = None;
        for (i, pl) in s.shown.iter().enumerate() {
            let (ok, _) = textbook(s.sc, pl);
            let v = s.verdicts.get(i).ok_or_else(|| CheckError("missing verdict".into()))?;
            CheckError::expect_eq(&format!("textbook verdict of {pl}"), ok, v.is_none())?;
            confirm(&program(s.sc, pl), memory, v, &|_| false, true, 200, &mut rng)?;
            if ok && best.is_none_or(|(_, f)| fences(pl) < f) {
                best = Some((i, fences(pl)));
            }
        }
        CheckError::expect_eq("cheapest correct placement", Some(*correct), best.map(|b| b.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Peterson, 0..30).unwrap();
    }

    #[test]
    fn known_verdicts() {
        // Peterson 1981 (correct under SC); Owens et al. 2009 / Intel SDM §8.2.3.4 (broken on
        // x86 without a fence after the stores). The between-stores case: hand trace T0 stores
        // flag0, fences, buffers turn = 1, reads flag1 = 0 and enters; T1 stores flag1, fences,
        // buffers turn = 0; T1's turn reaches memory, then T0's: T1 reads turn = 1 and enters.
        for pl in PLACES {
            let sc = super::super::model::explore(&program(true, pl), Memory::Sc, 100_000).unwrap();
            assert_eq!(sc.max_in_cs, 1, "sc {pl}");
            let x86 = super::super::model::explore(&program(false, pl), Memory::Tso, 100_000).unwrap();
            assert_eq!(x86.max_in_cs == 1, *pl == "after_turn", "x86 {pl}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Peterson, &["model=sc".into(), "options=5".into()]).unwrap();
        let q = generate(&Peterson, 1, Difficulty::Hard, &pins).unwrap();
        let Expected::Choice { correct, options } = &q.slots[0].expected else { panic!() };
        assert_eq!(options.len(), 5);
        assert_eq!(options[*correct].text, "No fence");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Peterson, 2, Difficulty::Hard, &Default::default()).unwrap();
        cross_check(&Peterson, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&Peterson, &q).is_err());
    }
}
