//! `concurrency.lock_order`: n threads each take two mutexes, in a ring, and can deadlock;
//! which single change guarantees they never do?
//!
//! **Asked** (judgment, single choice): the one shown change that removes every deadlock.
//!
//! **The program.** Thread `Ti` locks mutex π(i), then π(i+1 mod n), works, and unlocks both
//! (π a random naming of the mutexes, so the ring is not the alphabet). Every thread holding its
//! first lock while waiting for the next is the classic circular wait (Coffman et al. 1971;
//! OSTEP ch. 32).
//!
//! **Changes** (right): one thread swaps its two `pthread_mutex_lock` lines (any proper subset of
//! a ring's edges reversed breaks the cycle: a global order exists); a gate mutex `g` taken
//! around both locks in every thread. (Wrong, each from a named misconception): every thread
//! swaps its locks ("a consistent rule is a consistent order": the ring only turns round);
//! unlocking in acquisition order ("release order matters": waits only form on acquisition);
//! a seq_cst fence between the two locks ("a fence makes the locks take effect in order").
//!
//! **Parameters.** `threads` n: easy 2, medium 3, hard 3–4 (2–4 pinned); `options` shown:
//! 3, 4, 4.
//!
//! **Key.** Each shown change explored exhaustively under SC with deadlock detection; the key is
//! the one change with no stuck state (exactly one is right by construction; a draw where that
//! fails is an error).
//!
//! **Second route.** The lock-order graph of each changed program, built by walking its
//! statements (an edge from every held mutex to the one being acquired) and checked for a cycle,
//! must agree with the explorer's verdict; each counterexample schedule is replayed by the
//! independent interpreter and must get stuck; the right change is run under 200 random
//! schedules and must never get stuck. The textbook verdict of each change is typed in too.
//!
//! **Pitfalls**: the named misconceptions above.

use super::model::{Memory, Program, Stmt};
use super::quiz::{judge, pick_shown, recheck, schedule_rows, Candidate, Verdict, SCHEDULE_HEADER};
use crate::answer::{letter, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct LockOrder;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "threads",
        help: "threads n in the ring of locks",
        kind: ParamKind::Int {
            min: 2,
            max: 4,
            draw: [(2, 2), (3, 3), (3, 4)],
        },
    },
    ParamSpec {
        key: "options",
        help: "changes shown",
        kind: ParamKind::Int {
            min: 3,
            max: 4,
            draw: [(3, 3), (4, 4), (4, 4)],
        },
    },
];

static ASKS: &[Ask] = &[Ask::new("", [3, 4, 6], &["lock-ordering", "deadlock"]).judgment()];

const RIGHT: &[&str] = &["reorder_one", "gate"];
const WRONG: &[&str] = &["reorder_all", "unlock_order", "fence"];

/// Textbook verdict and misconception of each change.
fn textbook(id: &str) -> (bool, &'static str) {
    match id {
        "reorder_one" | "gate" => (true, ""),
        "reorder_all" => (false, "Swapping every thread's locks keeps the ring: each thread still holds one lock while it waits for the next, only in the other direction."),
        "unlock_order" => (false, "The order of unlocking never causes a deadlock: a thread waits only when it acquires, so the acquisition order is what forms the cycle."),
        _ => (false, "A fence orders memory accesses; it does not change which lock a thread holds while it waits for the other."),
    }
}

const NAMES: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    n: usize,
    /// The mutex each ring position is (an index into `NAMES`).
    perm: Vec<usize>,
    /// The thread the `reorder_one` change swaps.
    flip: usize,
    shown: Vec<String>,
    verdicts: Vec<Verdict>,
}

/// The program with `change` applied ("original" for none).
fn program(n: usize, perm: &[usize], flip: usize, change: &str) -> Program {
    let mut p = Program::default();
    // Declared in alphabetical order; ring position i is mutex perm[i].
    let sorted: Vec<u8> = (0..n).map(|i| p.mutex(NAMES[i])).collect();
    let ms: Vec<u8> = (0..n).map(|i| sorted[perm[i]]).collect();
    let gate = (change == "gate").then(|| p.mutex("g"));
    for t in 0..n {
        let (mut first, mut second) = (ms[t], ms[(t + 1) % n]);
        if change == "reorder_all" || (change == "reorder_one" && t == flip) {
            std::mem::swap(&mut first, &mut second);
        }
        let mut body = Vec::new();
        if let Some(g) = gate {
            body.push(Stmt::Lock(g));
        }
        body.push(Stmt::Lock(first));
        if change == "fence" {
            body.push(Stmt::Fence);
        }
        body.push(Stmt::Lock(second));
        body.push(Stmt::Comment("work with both".into()));
        if change == "unlock_order" {
            body.push(Stmt::Unlock(first));
            body.push(Stmt::Unlock(second));
        } else {
            body.push(Stmt::Unlock(second));
            body.push(Stmt::Unlock(first));
        }
        if let Some(g) = gate {
            body.push(Stmt::Unlock(g));
        }
        p.thread(&format!("T{t}"), &[], body);
    }
    p
}

fn option_text(change: &str, s_n: usize, perm: &[usize], flip: usize) -> String {
    let (x, y) = (NAMES[perm[flip]], NAMES[perm[(flip + 1) % s_n]]);
    match change {
        "reorder_one" => format!("`T{flip}` locks `{y}` before `{x}` (only `T{flip}` swaps its two `pthread_mutex_lock` lines)"),
        "gate" => "Every thread locks a new mutex `g` before its two locks and unlocks it after its two unlocks".into(),
        "reorder_all" => "Every thread swaps its two `pthread_mutex_lock` lines".into(),
        "unlock_order" => "Every thread unlocks in the order it locked (its first mutex first)".into(),
        _ => "Every thread puts `atomic_thread_fence(memory_order_seq_cst)` between its two `pthread_mutex_lock` lines".into(),
    }
}

fn candidates(s: &Scenario) -> Vec<Candidate> {
    s.shown
        .iter()
        .map(|id| {
            let id: &'static str = RIGHT
                .iter()
                .chain(WRONG)
                .find(|x| **x == id.as_str())
                .copied()
                .unwrap_or("fence");
            let (right, misconception) = textbook(id);
            Candidate {
                id,
                text: option_text(id, s.n, &s.perm, s.flip),
                prog: program(s.n, &s.perm, s.flip, id),
                right,
                misconception,
            }
        })
        .collect()
}

/// The second route: the lock-order graph, walked from the statements, with the GoodLock
/// refinement for gate locks (Havelund 2000; Bensalem and Havelund 2005): an edge from each
/// held mutex to the one acquired, labelled with its thread and the other mutexes held. A
/// potential deadlock is a cycle whose edges come from different threads and hold no mutex in
/// common (a common held mutex, the gate, keeps them from happening at once).
pub(crate) fn lock_graph_has_cycle(p: &Program) -> bool {
    // (from, to, thread, guards as a bit set)
    let mut edges: Vec<(u8, u8, usize, u32)> = Vec::new();
    for (t, th) in p.threads.iter().enumerate() {
        let mut held: Vec<u8> = Vec::new();
        for st in &th.body {
            match st {
                Stmt::Lock(x) => {
                    for h in &held {
                        let guards = held
                            .iter()
                            .filter(|g| *g != h)
                            .fold(0u32, |a, g| a | 1 << g);
                        edges.push((*h, *x, t, guards));
                    }
                    held.push(*x);
                }
                Stmt::Unlock(x) => held.retain(|h| h != x),
                _ => {}
            }
        }
    }
    // Depth-first over chains of edges: distinct threads, disjoint guards, closing on the start.
    fn extend(
        edges: &[(u8, u8, usize, u32)],
        start: u8,
        at: u8,
        threads: u32,
        guards: u32,
    ) -> bool {
        edges.iter().any(|&(f, to, t, g)| {
            f == at
                && threads & (1 << t) == 0
                && guards & g == 0
                && (to == start || extend(edges, start, to, threads | 1 << t, guards | g))
        })
    }
    edges
        .iter()
        .any(|&(f, to, t, g)| extend(&edges, f, to, 1 << t, g))
}

const HINT: &str = "use at most 4 threads";

impl Family for LockOrder {
    fn id(&self) -> &'static str {
        "concurrency.lock_order"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Lock ordering: which change removes the deadlock"
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
            asks: "which change (swap one thread's locks, a gate lock, or swap all, unlock order, a fence) removes the deadlock of n threads locking in a ring (choice)",
            key: "every changed program explored with deadlock detection",
            second_route: "lock-order graph cycle check per change; counterexamples replayed in an independent interpreter, the right change randomly sampled",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("threads") as usize;
        let count = cx.int("options") as usize;
        let rng = cx.rng();
        let mut perm: Vec<usize> = (0..n).collect();
        perm.shuffle(rng);
        let flip = rng.random_range(0..n);
        let shown = pick_shown(RIGHT, WRONG, count, rng);
        let mut s = Scenario {
            n,
            perm,
            flip,
            shown: shown.iter().map(|x| x.to_string()).collect(),
            verdicts: Vec::new(),
        };
        let original = program(n, &s.perm, flip, "original");
        let orig = super::quiz::explore_within(&original, Memory::Sc, HINT)?;
        let Some((dead, _)) = orig.deadlock.clone() else {
            return Err(GenError::Run("the ring does not deadlock".into()));
        };
        let cands = candidates(&s);
        let j = judge(&cands, Memory::Sc, &|_| false, false, &|_| String::new(), HINT)?;
        s.verdicts = j.verdicts.clone();
        let code = original.render().map_err(|e| GenError::Run(e.to_string()))?;
        let prompt = Content::new()
            .p(format!(
                "**{n}** threads run the code below. Each `pthread_mutex_lock` blocks while another thread holds that mutex, and the threads' steps may interleave in any order."
            ))
            .code("c", code)
            .p("Some schedules deadlock. Which **single** change guarantees that no schedule deadlocks?");
        let names = |k: usize| format!("`T{k}`");
        let holds: Vec<String> = (0..n)
            .map(|t| {
                format!(
                    "{} holds `{}` and waits for `{}`",
                    names(t),
                    NAMES[s.perm[t]],
                    NAMES[s.perm[(t + 1) % n]]
                )
            })
            .collect();
        let why: Vec<String> = cands
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j.correct)
            .map(|(i, c)| format!("{}: {}", letter(i), c.misconception))
            .collect();
        let solution = Content::new()
            .p(format!(
                "**{}**. In the deadlock every thread holds its first mutex and waits for its second: {}. That is a cycle in the lock-order graph; a change is right exactly when it leaves no cycle (a single global order in which every thread acquires).",
                letter(j.correct),
                holds.join("; ")
            ))
            .list(why)
            .p("The shortest deadlocking schedule of the original:")
            .table(SCHEDULE_HEADER, schedule_rows(&original, Memory::Sc, &dead)?);
        let evidence = Content::new().p(format!(
            "The original has {} reachable states, {} of them deadlocked. Each change was explored exhaustively ({} states in all); only {} has no deadlocked state.",
            orig.states,
            orig.deadlocks,
            j.states,
            letter(j.correct)
        ));
        let slot = AnswerSlot::new(
            "the change that removes every deadlock",
            Expected::Choice {
                options: j.options,
                correct: j.correct,
            },
        );
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&s)
            .followup(
                FollowUp::new(
                    "How short can a deadlocking schedule be, and what happens in it?",
                    format!(
                        "{} steps: each thread takes its first mutex ({}), and then every thread waits for a mutex another holds.",
                        dead.len(),
                        (0..n)
                            .map(|t| format!("`T{t}` takes `{}`", NAMES[s.perm[t]]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .point("a deadlock needs all four Coffman conditions; lock ordering breaks circular wait"),
            )
            .followup(
                FollowUp::new(
                    "In a large codebase, how do you keep every thread to one lock order?",
                    "A documented lock hierarchy (or ordering by address), checked at run time by a lock validator such as Linux's lockdep or a debug-build assertion; `pthread_mutex_trylock` with back-off where an order cannot be fixed.",
                )
                .point("knows tools that find lock-order inversions without a deadlock having happened"),
            ))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Choice { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let cands = candidates(&s);
        if !lock_graph_has_cycle(&program(s.n, &s.perm, s.flip, "original")) {
            return Err(CheckError("the original's lock graph has no cycle".into()));
        }
        for (i, c) in cands.iter().enumerate() {
            CheckError::expect_eq(
                &format!("lock graph of {} is acyclic", c.id),
                i == *correct,
                !lock_graph_has_cycle(&c.prog),
            )?;
        }
        let mut rng = cx.sim_rng("lock_order");
        recheck(&cands, &s.verdicts, *correct, Memory::Sc, &|_| false, false, &mut rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&LockOrder, 0..30).unwrap();
    }

    #[test]
    fn known_verdicts() {
        // OSTEP ch. 32 (and Coffman et al. 1971): opposite orders deadlock; one common order or
        // a gate lock does not; unlock order and fences are irrelevant. Hand-checked for 2 and 3.
        for n in [2usize, 3, 4] {
            let perm: Vec<usize> = (0..n).collect();
            for (change, deadlocks) in [
                ("original", true),
                ("reorder_one", false),
                ("gate", false),
                ("reorder_all", true),
                ("unlock_order", true),
                ("fence", true),
            ] {
                let p = program(n, &perm, n - 1, change);
                let ex = super::super::model::explore(&p, Memory::Sc, 100_000).unwrap();
                assert_eq!(ex.deadlocks > 0, deadlocks, "{n} {change}");
                assert_eq!(lock_graph_has_cycle(&p), deadlocks, "{n} {change}");
            }
        }
    }

    #[test]
    fn pins_are_used_and_the_largest_ring_stays_small() {
        let pins = parse_pins(&LockOrder, &["threads=4".into(), "options=4".into()]).unwrap();
        let q = generate(&LockOrder, 3, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().map(|o| o.len()), Some(4));
        assert!(q.prompt.plain_text().contains("thread T3:"));
        for change in ["original", "gate", "reorder_one"] {
            let p = program(4, &[0, 1, 2, 3], 0, change);
            let ex = super::super::model::explore(&p, Memory::Sc, 100_000).unwrap();
            assert!(ex.states < super::super::quiz::STATE_LIMIT / 4, "{change}: {}", ex.states);
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&LockOrder, 5, Difficulty::Hard, &Default::default()).unwrap();
        cross_check(&LockOrder, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(cross_check(&LockOrder, &q).is_err());
    }
}
