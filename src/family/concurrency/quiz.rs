//! What the concurrency families share beyond the model: exploration that turns a state-space
//! blow-up into a parameter error, outcome and schedule text, and the judgment pattern (run
//! every candidate fix through the explorer, key the one that never fails, and check each
//! verdict by the independent interpreter: a wrong candidate's counterexample schedule is
//! replayed there and must fail the same way; the right one is sampled and must never fail).

use super::model::{describe, explore, ExploreError, Explored, Memory, Program, Step, Stuck};
use super::sample::{replay, sample, Replayed};
use crate::answer::ChoiceOption;
use crate::family::{CheckError, GenError};
use serde::{Deserialize, Serialize};

/// The state limit of one exploration: far above every default draw (the largest explore a few
/// thousand states), and low enough that the worst pinned case stays within the time budget.
pub const STATE_LIMIT: usize = 40_000;

/// Explores `prog`, turning a state space past [`STATE_LIMIT`] into a parameter error with
/// `hint`.
pub fn explore_within(prog: &Program, memory: Memory, hint: &str) -> Result<Explored, GenError> {
    match explore(prog, memory, STATE_LIMIT) {
        Ok(e) => Ok(e),
        Err(ExploreError::TooBig(t)) => Err(GenError::Params {
            message: format!(
                "these parameters give more than {} reachable states to explore",
                t.limit
            ),
            hint: hint.to_string(),
        }),
        Err(ExploreError::Model(m)) => Err(GenError::Run(m.to_string())),
    }
}

/// A schedule as table rows: step number, thread, what runs, and what happens.
pub fn schedule_rows(
    prog: &Program,
    memory: Memory,
    steps: &[Step],
) -> Result<Vec<[String; 4]>, GenError> {
    let rows = describe(prog, memory, steps).map_err(|e| GenError::Run(e.to_string()))?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, [t, l, w])| [(i + 1).to_string(), t, l, w])
        .collect())
}

/// The header of [`schedule_rows`].
pub const SCHEDULE_HEADER: [&str; 4] = ["step", "thread", "runs", "effect"];

/// How a candidate fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    /// Some schedule ends with a bad outcome.
    Outcome(Vec<i64>),
    /// Some schedule gets stuck.
    Stuck(Stuck),
    /// Two threads are in their critical sections at once.
    BothInside,
}

/// A candidate's verdict: the first failure the explorer found and a shortest schedule to it,
/// or None when no schedule fails.
pub type Verdict = Option<(Failure, Vec<Step>)>;

/// Judges an explored candidate: stuck states first, then mutual exclusion (when `exclusion`),
/// then the first outcome `bad` rejects.
pub fn verdict(ex: &Explored, bad: &dyn Fn(&[i64]) -> bool, exclusion: bool) -> Verdict {
    if let Some((w, k)) = &ex.deadlock {
        return Some((Failure::Stuck(*k), w.clone()));
    }
    if exclusion && ex.max_in_cs > 1 {
        return Some((Failure::BothInside, ex.max_in_cs_witness.clone()));
    }
    ex.outcomes
        .iter()
        .find(|(o, _)| bad(o))
        .map(|(o, info)| (Failure::Outcome(o.clone()), info.witness.clone()))
}

/// The second route for one judged candidate, sharing no code with the explorer: a failing
/// candidate's schedule is replayed by the tree-walking interpreter and must fail the same way;
/// a passing one is run `runs` times under random schedules and must never fail.
pub fn confirm(
    prog: &Program,
    memory: Memory,
    verdict: &Verdict,
    bad: &dyn Fn(&[i64]) -> bool,
    exclusion: bool,
    runs: usize,
    rng: &mut impl rand::Rng,
) -> Result<(), CheckError> {
    match verdict {
        Some((failure, steps)) => {
            let got = replay(prog, memory, steps);
            let ok = match (failure, &got) {
                (Failure::Outcome(o), Replayed::Finished(g)) => o == g && bad(g),
                (Failure::Stuck(_), Replayed::Stuck) => true,
                (Failure::BothInside, Replayed::Stopped { in_cs }) => *in_cs >= 2,
                _ => false,
            };
            if ok {
                Ok(())
            } else {
                Err(CheckError(format!(
                    "the explorer's counterexample ({failure:?}) replays to {got:?}"
                )))
            }
        }
        None => {
            let s = sample(prog, memory, runs, rng);
            if s.stuck > 0 {
                return Err(CheckError(format!(
                    "a candidate keyed as safe got stuck in {} of {runs} random runs",
                    s.stuck
                )));
            }
            if exclusion && s.max_in_cs > 1 {
                return Err(CheckError(
                    "a candidate keyed as safe let two threads into the critical section".into(),
                ));
            }
            if let Some(o) = s.outcomes.keys().find(|o| bad(o)) {
                return Err(CheckError(format!(
                    "a candidate keyed as safe reached the bad outcome {o:?} in a random run"
                )));
            }
            Ok(())
        }
    }
}

/// Outcome values joined for text: "0, 1".
pub fn join(values: &[i64]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A paragraph explaining how the schedule fails, for option feedback.
pub fn failure_text(failure: &Failure, steps: &[Step], what: &dyn Fn(&[i64]) -> String) -> String {
    let n = steps.len();
    match failure {
        Failure::Outcome(o) => format!("a schedule of {n} steps ends with {}", what(o)),
        Failure::Stuck(Stuck::Locks) => {
            format!("after {n} steps every unfinished thread waits for a lock another holds: deadlock")
        }
        Failure::Stuck(Stuck::Sleeping) => format!(
            "after {n} steps a thread sleeps on the condition variable and nobody will signal it again"
        ),
        Failure::BothInside => format!("after {n} steps both threads are in the critical section"),
    }
}

/// One candidate of a judgment question: its id (the scenario records it, so the check can
/// rebuild the program), the option text, the program, the textbook verdict typed in by the
/// family (the check's first route), and the misconception behind it when it is wrong.
pub struct Candidate {
    /// Stable id.
    pub id: &'static str,
    /// The option text.
    pub text: String,
    /// The program the option stands for.
    pub prog: Program,
    /// The textbook verdict: true when the option is right.
    pub right: bool,
    /// Why a candidate would pick it, and why it is wrong (empty for a right one).
    pub misconception: &'static str,
}

/// The judged candidates: the choice options (in the candidates' order), the index of the one
/// right option, each candidate's verdict, and the reasons the wrong ones fail.
pub struct Judged {
    /// The options, with feedback from the explored counterexample.
    pub options: Vec<ChoiceOption>,
    /// The right option.
    pub correct: usize,
    /// Each candidate's verdict.
    pub verdicts: Vec<Verdict>,
    /// States explored over all candidates.
    pub states: usize,
}

/// Explores every candidate and keys the one no schedule fails; it is an error (a redraw
/// reason) unless exactly one passes. A failing candidate's feedback is its misconception and
/// the explored counterexample in words.
pub fn judge(
    cands: &[Candidate],
    memory: Memory,
    bad: &dyn Fn(&[i64]) -> bool,
    exclusion: bool,
    what: &dyn Fn(&[i64]) -> String,
    hint: &str,
) -> Result<Judged, GenError> {
    let mut options = Vec::new();
    let mut verdicts = Vec::new();
    let mut states = 0;
    for cand in cands {
        let ex = explore_within(&cand.prog, memory, hint)?;
        states += ex.states;
        let v = verdict(&ex, bad, exclusion);
        options.push(match &v {
            None => ChoiceOption::right(cand.text.clone()),
            Some((f, steps)) => ChoiceOption::wrong(
                cand.text.clone(),
                format!(
                    "{} Explored: {}.",
                    cand.misconception,
                    failure_text(f, steps, what)
                ),
            ),
        });
        verdicts.push(v);
    }
    let right: Vec<usize> = (0..cands.len())
        .filter(|&i| verdicts[i].is_none())
        .collect();
    if right.len() != 1 {
        return Err(GenError::Run(format!(
            "{} candidates pass, not exactly one",
            right.len()
        )));
    }
    Ok(Judged {
        options,
        correct: right[0],
        verdicts,
        states,
    })
}

/// The second route for a judgment question: each candidate's textbook verdict must agree with
/// the key, and each explored verdict is confirmed by the independent interpreter ([`confirm`]).
pub fn recheck(
    cands: &[Candidate],
    verdicts: &[Verdict],
    correct: usize,
    memory: Memory,
    bad: &dyn Fn(&[i64]) -> bool,
    exclusion: bool,
    rng: &mut impl rand::Rng,
) -> Result<(), CheckError> {
    CheckError::expect_eq("candidates", verdicts.len(), cands.len())?;
    for (i, (cand, v)) in cands.iter().zip(verdicts).enumerate() {
        CheckError::expect_eq(
            &format!("textbook verdict of {}", cand.id),
            i == correct,
            cand.right,
        )?;
        CheckError::expect_eq(
            &format!("explored verdict of {}", cand.id),
            i == correct,
            v.is_none(),
        )?;
        confirm(&cand.prog, memory, v, bad, exclusion, 200, rng)?;
    }
    Ok(())
}

/// Picks the shown candidates: one right and `count − 1` wrong ones, in random order; `right`
/// and `wrong` are the ids to choose from.
pub fn pick_shown(
    right: &[&'static str],
    wrong: &[&'static str],
    count: usize,
    rng: &mut impl rand::Rng,
) -> Vec<&'static str> {
    use rand::seq::SliceRandom;
    let mut r = right.to_vec();
    let mut w = wrong.to_vec();
    r.shuffle(rng);
    w.shuffle(rng);
    let mut shown: Vec<&'static str> = std::iter::once(r[0])
        .chain(w.into_iter().take(count.saturating_sub(1)))
        .collect();
    shown.shuffle(rng);
    shown
}
