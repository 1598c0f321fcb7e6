//! `concurrency.litmus`: the classic two-thread litmus tests (store buffering SB, message
//! passing MP, load buffering LB) under sequential consistency and x86-TSO.
//!
//! **Asked** (`ask`):
//! - `outcomes`: which final values of the two registers are possible under the stated model
//!   (multiple choice over the four pairs; all or nothing);
//! - `fence` (judgment): the cheapest change (fewest `mfence`s) that forbids the test's relaxed
//!   outcome on x86 — for SB, a fence between store and load in *both* threads; for MP and LB,
//!   none at all (x86 keeps stores in order, loads in order, and a load before a later store).
//!
//! **Parameters.** `ask`: easy `outcomes`, medium both, hard `fence`; `test`: sb, mp, lb;
//! `model` (outcomes only): easy SC or x86-TSO, harder x86-TSO.
//!
//! **Key.** The explorer over every schedule (x86-TSO: the operational model with a FIFO store
//! buffer per thread, Owens, Sarkar and Sewell 2009).
//!
//! **Second route.** The axiomatic model ([`super::axiomatic`]): candidate executions (reads-from
//! and coherence) that satisfy SC (acyclic po ∪ rf ∪ co ∪ fr) or x86-TSO (acyclic ppo ∪ rfe ∪ co
//! ∪ fr ∪ fences, with a store→load pair dropped from program order unless fenced); plus the
//! textbook verdicts of the Intel SDM vol. 3A §8.2.3 typed in.
//!
//! **Pitfalls**: "x86 is strongly ordered" (SB's 0/0 is allowed); "one fence is enough"; the
//! fence in the wrong place; paying for fences MP does not need on x86.

use super::axiomatic;
use super::model::{c, e, Memory, Obs, Program, Stmt};
use super::quiz::{explore_within, schedule_rows, SCHEDULE_HEADER};
use crate::answer::{letter, AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Litmus;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "outcomes: which register values are possible; fence: the cheapest fence placement that forbids the relaxed outcome on x86",
        kind: ParamKind::Choice {
            options: &["outcomes", "fence"],
            draw: [&["outcomes"], &["outcomes", "fence"], &["fence"]],
        },
    },
    ParamSpec {
        key: "test",
        help: "sb (store buffering), mp (message passing), lb (load buffering)",
        kind: ParamKind::Choice {
            options: &["sb", "mp", "lb"],
            draw: [&["sb", "mp"], &["sb", "mp", "lb"], &["sb", "mp", "lb"]],
        },
    },
    ParamSpec {
        key: "model",
        help: "sc or x86 (outcomes ask)",
        kind: ParamKind::Choice {
            options: &["sc", "x86"],
            draw: [&["sc", "x86"], &["x86"], &["x86"]],
        },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("outcomes", [3, 4, 5], &["memory-ordering", "x86-tso"]),
    Ask::new("fence", [3, 4, 5], &["memory-ordering", "fences"]).judgment(),
];

/// Where fences go: none; in thread 0 only between its two accesses; in both between; in both
/// before the first access; in both after the second.
const PLACEMENTS: &[&str] = &["none", "one", "both_between", "both_before", "both_after"];

/// The placements shown for a test (the ones that make sense for its shape).
fn placements(test: &str) -> &'static [&'static str] {
    match test {
        "sb" => PLACEMENTS,
        "mp" => &["none", "one", "reader", "both_between"],
        _ => &["none", "one", "both_between"],
    }
}

/// The test program with fences placed.
fn program(test: &str, place: &str) -> Program {
    let mut p = Program {
        x86: true,
        ..Program::default()
    };
    let (a, b) = match test {
        "mp" => (p.var("data", 0, false), p.var("flag", 0, false)),
        _ => (p.var("x", 0, false), p.var("y", 0, false)),
    };
    // Each thread's two accesses.
    let (t0, t1): ([Stmt; 2], [Stmt; 2]) = match test {
        "sb" => (
            [Stmt::Store { var: a, val: e(c(1)) }, Stmt::Load { dst: 0, var: b }],
            [Stmt::Store { var: b, val: e(c(1)) }, Stmt::Load { dst: 0, var: a }],
        ),
        "mp" => (
            [Stmt::Store { var: a, val: e(c(1)) }, Stmt::Store { var: b, val: e(c(1)) }],
            [Stmt::Load { dst: 0, var: b }, Stmt::Load { dst: 1, var: a }],
        ),
        _ => (
            [Stmt::Load { dst: 0, var: a }, Stmt::Store { var: b, val: e(c(1)) }],
            [Stmt::Load { dst: 0, var: b }, Stmt::Store { var: a, val: e(c(1)) }],
        ),
    };
    let fenced = |pair: [Stmt; 2], thread: usize| -> Vec<Stmt> {
        let [x, y] = pair;
        let between = match place {
            "one" => thread == 0,
            "reader" => thread == 1,
            "both_between" => true,
            _ => false,
        };
        let mut v = Vec::new();
        if place == "both_before" {
            v.push(Stmt::Fence);
        }
        v.push(x);
        if between {
            v.push(Stmt::Fence);
        }
        v.push(y);
        if place == "both_after" {
            v.push(Stmt::Fence);
        }
        v
    };
    if test == "mp" {
        p.thread("T0", &[], fenced(t0, 0));
        p.thread("T1", &["r0", "r1"], fenced(t1, 1));
        p.observe = vec![Obs::Reg(1, 0), Obs::Reg(1, 1)];
    } else {
        p.thread("T0", &["r0"], fenced(t0, 0));
        p.thread("T1", &["r1"], fenced(t1, 1));
        p.observe = vec![Obs::Reg(0, 0), Obs::Reg(1, 0)];
    }
    p
}

/// The relaxed outcome each test is about.
fn relaxed(test: &str) -> Vec<i64> {
    match test {
        "sb" => vec![0, 0],
        "mp" => vec![1, 0],
        _ => vec![1, 1],
    }
}

fn fences(p: &Program) -> usize {
    p.threads
        .iter()
        .map(|t| t.body.iter().filter(|s| matches!(s, Stmt::Fence)).count())
        .sum()
}

/// Textbook verdict (Intel SDM vol. 3A §8.2.3.2–§8.2.3.5; Owens et al. 2009): does the
/// placement forbid the relaxed outcome on x86, and why would someone choose it.
fn textbook(test: &str, place: &str) -> (bool, &'static str) {
    match (test, place) {
        ("sb", "both_between") => (true, ""),
        ("sb", "none") => (false, "x86 is not sequentially consistent: each store waits in its thread's store buffer while the later load reads memory (§8.2.3.4, loads may pass earlier stores)."),
        ("sb", "one") => (false, "One fence only drains one buffer: the other thread's store can still sit in its buffer while its load runs."),
        ("sb", _) => (false, "The fence must sit between the store and the load: elsewhere the store can still be buffered when the load reads memory."),
        (_, "none") => (true, ""),
        (_, "one") | (_, "reader") | (_, _) => (true, "It forbids the outcome, but x86 already does (stores leave the FIFO buffer in order; loads are not reordered with loads or with later stores), so the mfence only costs a buffer drain."),
    }
}

fn pair_text(test: &str, o: &[i64]) -> String {
    match test {
        "mp" => format!("`r0 = {}`, `r1 = {}`", o[0], o[1]),
        _ => format!("`r0 = {}`, `r1 = {}`", o[0], o[1]),
    }
}

const ALL: [[i64; 2]; 4] = [[0, 0], [0, 1], [1, 0], [1, 1]];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    test: String,
    model: Option<String>,
    shown: Vec<String>,
}

fn memory_of(model: &str) -> Memory {
    if model == "sc" {
        Memory::Sc
    } else {
        Memory::Tso
    }
}

fn test_name(test: &str) -> &'static str {
    match test {
        "sb" => "store buffering (SB)",
        "mp" => "message passing (MP)",
        _ => "load buffering (LB)",
    }
}

fn place_text(test: &str, place: &str) -> String {
    let (a, b) = if test == "lb" {
        ("load", "store")
    } else if test == "mp" {
        ("first store", "second store")
    } else {
        ("store", "load")
    };
    match place {
        "none" => "No change: x86 already forbids it".into(),
        "one" => format!("One `mfence()` in `T0`, between its {a} and its {b}"),
        "both_between" if test == "mp" => "An `mfence()` in each thread, between its two accesses".into(),
        "reader" => "One `mfence()` in `T1`, between its two loads".into(),
        "both_between" => format!("An `mfence()` in each thread, between its {a} and its {b}"),
        "both_before" => "An `mfence()` at the start of each thread".into(),
        _ => "An `mfence()` at the end of each thread".into(),
    }
}

const HINT: &str = "litmus tests are fixed-size";

impl Family for Litmus {
    fn id(&self) -> &'static str {
        "concurrency.litmus"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Memory ordering: litmus tests under SC and x86-TSO"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["test", "model"]
    }
    fn about(&self) -> About {
        About {
            asks: "which register values SB, MP or LB can end with under SC or x86-TSO (multiple choice), or the cheapest mfence placement that forbids the relaxed outcome (choice)",
            key: "every schedule explored under SC or operational x86-TSO (FIFO store buffers)",
            second_route: "an axiomatic SC / x86-TSO model over candidate executions; the Intel SDM §8.2.3 verdicts",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let test = cx.pick("test");
        let base = program(test, "none");
        let code = base.render().map_err(|e| GenError::Run(e.to_string()))?;
        let relaxed_o = relaxed(test);
        let mut prompt = Content::new().p(format!(
            "Two threads run the **{}** test below; every variable starts at 0, and each line is one instruction (plain `mov`s on x86).",
            test_name(test)
        ));
        prompt = prompt.code("c", code);
        match ask {
            "outcomes" => {
                let model = cx.pick("model");
                let memory = memory_of(model);
                let ex = explore_within(&base, memory, HINT)?;
                let model_text = if model == "sc" {
                    "**sequential consistency** (one shared memory; the threads' instructions interleave in program order)"
                } else {
                    "**x86-TSO** (each core's stores wait in a FIFO store buffer before reaching memory; a load reads its own buffer first)"
                };
                prompt = prompt.p(format!(
                    "Under {model_text}, which final values of the registers are possible? Pick every possible pair."
                ));
                let mut options = Vec::new();
                let mut correct = Vec::new();
                let mut rows = Vec::new();
                for (i, o) in ALL.iter().enumerate() {
                    let o = o.to_vec();
                    let text = pair_text(test, &o);
                    if let Some(info) = ex.outcomes.get(&o) {
                        correct.push(i);
                        options.push(ChoiceOption::right(text.clone()));
                        rows.push((o, info.witness.clone()));
                    } else {
                        let why = if o == relaxed_o && test == "sb" {
                            "Under SC one of the two stores comes first in the single order, and the other thread's later load sees it: both loads cannot read 0."
                        } else if o == relaxed_o {
                            "Forbidden under SC and on x86: stores become visible in program order and loads are not reordered with loads or later stores."
                        } else {
                            "No schedule produces it: a register reads 1 only after the store of 1 that it reads from."
                        };
                        options.push(ChoiceOption::wrong(text, why));
                    }
                }
                let slot = AnswerSlot::new(
                    format!("every possible pair under {}", if model == "sc" { "SC" } else { "x86-TSO" }),
                    Expected::Multi {
                        options,
                        correct: correct.clone(),
                        rule: PartialCredit::AllOrNothing,
                    },
                );
                let allowed = ex.outcomes.contains_key(&relaxed_o);
                let mut solution = Content::new().p(format!(
                    "Possible: **{}**. The interesting outcome is {}: it is **{}** under {}.",
                    correct.iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>().join(", "),
                    pair_text(test, &relaxed_o),
                    if allowed { "allowed" } else { "forbidden" },
                    if model == "sc" { "SC" } else { "x86-TSO" }
                ));
                if allowed {
                    let w = &ex.outcomes[&relaxed_o].witness;
                    solution = solution
                        .p("A schedule that reaches it:")
                        .table(SCHEDULE_HEADER, schedule_rows(&base, memory, w)?);
                }
                let other = if model == "sc" { Memory::Tso } else { Memory::Sc };
                let ex_other = explore_within(&base, other, HINT)?;
                let evidence = Content::new().p(format!(
                    "Explored {} states under {}: {} final pairs; under {} there are {}.",
                    ex.states,
                    if model == "sc" { "SC" } else { "x86-TSO" },
                    ex.outcomes.len(),
                    if model == "sc" { "x86-TSO" } else { "SC" },
                    ex_other.outcomes.len()
                ));
                let other_allows = ex_other.outcomes.contains_key(&relaxed_o);
                Ok(Question::new(prompt, vec![slot], solution, evidence)
                    .with_scenario(&Scenario {
                        ask: ask.into(),
                        test: test.into(),
                        model: Some(model.into()),
                        shown: Vec::new(),
                    })
                    .followup(FollowUp::new(
                        format!(
                            "And under {}: is {} possible?",
                            if model == "sc" { "x86-TSO" } else { "sequential consistency" },
                            pair_text(test, &relaxed_o)
                        ),
                        format!(
                            "{}: {} final pairs are possible there.",
                            if other_allows { "Yes" } else { "No" },
                            ex_other.outcomes.len()
                        ),
                    )
                    .point("x86 only lets a load overtake an earlier store to another address"))
                    .followup(FollowUp::new(
                        "What would ARM or POWER allow here?",
                        "More: they also reorder store→store and load→load, so MP's r0 = 1, r1 = 0 and LB's 1/1 become possible too without barriers or acquire/release.",
                    )))
            }
            _ => {
                cx.unused("model");
                let shown: Vec<&str> = placements(test).to_vec();
                prompt = prompt.p(format!(
                    "On x86, which is the **cheapest** change (the fewest `mfence()` instructions) that guarantees the final values are never {}?",
                    pair_text(test, &relaxed_o)
                ));
                let mut forbids = Vec::new();
                let mut states = 0;
                let mut witnesses = Vec::new();
                for place in &shown {
                    let p = program(test, place);
                    let ex = explore_within(&p, Memory::Tso, HINT)?;
                    states += ex.states;
                    forbids.push(!ex.outcomes.contains_key(&relaxed_o));
                    witnesses.push(ex.outcomes.get(&relaxed_o).map(|i| i.witness.clone()));
                }
                let cost: Vec<usize> = shown.iter().map(|pl| fences(&program(test, pl))).collect();
                let best = (0..shown.len())
                    .filter(|&i| forbids[i])
                    .min_by_key(|&i| cost[i])
                    .ok_or_else(|| GenError::Run("no placement forbids it".into()))?;
                if (0..shown.len()).filter(|&i| forbids[i] && cost[i] == cost[best]).count() != 1 {
                    return Err(GenError::Run("two cheapest placements".into()));
                }
                let options: Vec<ChoiceOption> = shown
                    .iter()
                    .enumerate()
                    .map(|(i, pl)| {
                        let text = place_text(test, pl);
                        if i == best {
                            ChoiceOption::right(text)
                        } else if forbids[i] {
                            ChoiceOption::wrong(text, format!("{} It uses {} mfence(s) where {} suffice.", textbook(test, pl).1, cost[i], cost[best]))
                        } else {
                            ChoiceOption::wrong(text, format!("{} Explored: a schedule of {} steps still ends with {}.", textbook(test, pl).1, witnesses[i].as_ref().map_or(0, |w| w.len()), pair_text(test, &relaxed_o)))
                        }
                    })
                    .collect();
                let slot = AnswerSlot::new(
                    "the cheapest change that forbids the outcome",
                    Expected::Choice { options, correct: best },
                );
                let base_ex = explore_within(&base, Memory::Tso, HINT)?;
                let mut solution = Content::new().p(format!(
                    "**{}**: {}.",
                    letter(best),
                    place_text(test, shown[best])
                ));
                if test == "sb" {
                    let w = &base_ex.outcomes[&relaxed_o].witness;
                    solution = solution
                        .p("Without fences both stores can wait in their store buffers while both loads read 0 from memory:")
                        .table(SCHEDULE_HEADER, schedule_rows(&base, Memory::Tso, w)?)
                        .p("An `mfence()` between each thread's store and load drains the buffer first, so whichever load runs second sees the other thread's store. A fence in one thread only leaves the other thread's store buffered.");
                } else {
                    solution = solution.p("x86-TSO already forbids it: the store buffer is FIFO, so stores reach memory in program order, and loads are not reordered with other loads or with later stores. Any mfence here only costs a buffer drain.");
                }
                let evidence = Content::new().p(format!(
                    "Each placement explored under operational x86-TSO ({states} states in all); fences per placement: {}.",
                    shown
                        .iter()
                        .enumerate()
                        .map(|(i, _)| format!("{} {} ({})", letter(i), cost[i], if forbids[i] { "forbids" } else { "allows" }))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                let sc_ex = explore_within(&base, Memory::Sc, HINT)?;
                Ok(Question::new(prompt, vec![slot], solution, evidence)
                    .with_scenario(&Scenario {
                        ask: ask.into(),
                        test: test.into(),
                        model: None,
                        shown: shown.iter().map(|s| s.to_string()).collect(),
                    })
                    .followup(FollowUp::new(
                        "In C11, what would you write instead of `mfence()` so the code is portable?",
                        if test == "sb" {
                            "Make the four accesses `memory_order_seq_cst` atomics (or put `atomic_thread_fence(memory_order_seq_cst)` between store and load): release/acquire is not enough for SB."
                        } else {
                            "A release store of the second write and an acquire load of the first read: free on x86 (plain movs), and a barrier only where ARM/POWER need one."
                        },
                    ))
                    .followup(FollowUp::new(
                        "How many final pairs are possible with no fence, under SC and under x86-TSO?",
                        format!("{} under SC, {} under x86-TSO.", sc_ex.outcomes.len(), base_ex.outcomes.len()),
                    )))
            }
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let relaxed_o = relaxed(&s.test);
        let ax = |p: &Program, m: Memory| axiomatic::outcomes(p, m).map_err(|e| CheckError(e.0));
        match q.expected(0)? {
            Expected::Multi { correct, .. } => {
                let model = s.model.as_deref().unwrap_or("x86");
                let allowed = ax(&program(&s.test, "none"), memory_of(model))?;
                let want: Vec<usize> = (0..4).filter(|&i| allowed.contains(ALL[i].as_slice())).collect();
                let mut got = correct.clone();
                got.sort_unstable();
                CheckError::expect_eq("possible pairs (axiomatic)", got, want)?;
                // Textbook: the relaxed outcome is allowed only for SB on x86.
                CheckError::expect_eq(
                    "relaxed outcome allowed (SDM §8.2.3)",
                    allowed.contains(&relaxed_o),
                    s.test == "sb" && model == "x86",
                )
            }
            Expected::Choice { correct, .. } => {
                let mut best: Option<(usize, usize)> = None;
                for (i, pl) in s.shown.iter().enumerate() {
                    let p = program(&s.test, pl);
                    let forbids = !ax(&p, Memory::Tso)?.contains(&relaxed_o);
                    let (tb, _) = textbook(&s.test, pl);
                    CheckError::expect_eq(&format!("{pl} forbids (textbook)"), forbids, tb)?;
                    let f = fences(&p);
                    if forbids && best.is_none_or(|(_, c)| f < c) {
                        best = Some((i, f));
                    }
                }
                CheckError::expect_eq("cheapest placement (axiomatic)", Some(*correct), best.map(|b| b.0))
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
        stress(&Litmus, 0..30).unwrap();
    }

    #[test]
    fn known_outcomes() {
        // Intel SDM vol. 3A §8.2.3.4 (SB: 0/0 allowed), §8.2.3.2 (MP: 1/0 forbidden), and the
        // x86-TSO paper's LB (1/1 forbidden); SC allows 3 of 4 pairs in each (hand-enumerated).
        for (test, sc, tso) in [("sb", 3, 4), ("mp", 3, 3), ("lb", 3, 3)] {
            let p = program(test, "none");
            assert_eq!(super::super::model::explore(&p, Memory::Sc, 1000).unwrap().outcomes.len(), sc, "{test}");
            assert_eq!(super::super::model::explore(&p, Memory::Tso, 1000).unwrap().outcomes.len(), tso, "{test}");
        }
        let one = super::super::model::explore(&program("sb", "one"), Memory::Tso, 1000).unwrap();
        assert!(one.outcomes.contains_key(&vec![0, 0]));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Litmus, &["ask=fence".into(), "test=sb".into()]).unwrap();
        let q = generate(&Litmus, 1, Difficulty::Easy, &pins).unwrap();
        let Expected::Choice { correct, options } = &q.slots[0].expected else { panic!() };
        assert!(options[*correct].text.contains("each thread, between its store and its load"));
        let pins = parse_pins(&Litmus, &["ask=fence".into(), "test=mp".into()]).unwrap();
        let q = generate(&Litmus, 1, Difficulty::Easy, &pins).unwrap();
        let Expected::Choice { correct, options } = &q.slots[0].expected else { panic!() };
        assert!(options[*correct].text.starts_with("No change"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["outcomes", "fence"] {
            // `fence` asks about x86 only, so it does not use a pinned `model` (strict pins).
            let mut given = vec![format!("ask={ask}"), "test=sb".to_string()];
            if ask == "outcomes" {
                given.push("model=x86".into());
            }
            let pins = parse_pins(&Litmus, &given).unwrap();
            let mut q = generate(&Litmus, 2, Difficulty::Medium, &pins).unwrap();
            cross_check(&Litmus, &q).unwrap();
            match &mut q.slots[0].expected {
                Expected::Choice { correct, options } => *correct = (*correct + 1) % options.len(),
                Expected::Multi { correct, .. } => {
                    correct.pop();
                }
                _ => unreachable!(),
            }
            assert!(cross_check(&Litmus, &q).is_err(), "{ask}");
        }
    }
}
