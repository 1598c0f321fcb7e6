//! A second route for the concurrency topic: random schedules, run by a tree-walking interpreter
//! that shares no code with the explorer in [`super::model`] (it reads the same [`Program`]
//! statements, but walks them directly instead of compiling them, and keeps its own state).
//!
//! Each run picks, at every step, one enabled action uniformly at random: a thread's next
//! statement, a woken waiter relocking its mutex, or (under x86-TSO) the oldest store of a
//! thread's buffer reaching memory. Every outcome a run reaches must be one the explorer found;
//! and for a small straight-line program, every outcome the explorer found must be reached
//! within [`coverage_runs`] runs.
//!
//! **The coverage bound.** In a loop-free program of T threads that takes at most L steps in all
//! (the longer branch of each `if`; no condition variables; sequential consistency), a schedule
//! has at most L − 1 random choices, each among at most T threads (a blocked thread only narrows
//! the choice), so every schedule, and with it every outcome, has probability at least
//! T^−(L−1) per run. N = ⌈25·T^(L−1)⌉ runs miss a given outcome with
//! probability at most (1 − T^−(L−1))^N ≤ e^−25 ≈ 1.4·10⁻¹¹.

use super::model::{Cmp, Cond, Expr, Memory, Obs, Operand, Program, Step, StepKind, Stmt};
use rand::Rng;
use std::collections::BTreeMap;

/// What many random runs reached.
#[derive(Debug, Clone, Default)]
pub struct Sampled {
    /// Final outcomes (observables in declaration order), with how many runs reached each.
    pub outcomes: BTreeMap<Vec<i64>, usize>,
    /// Runs that got stuck (nothing could move before every thread finished).
    pub stuck: usize,
    /// Runs cut off at the step limit (a spin loop that kept losing the race).
    pub unfinished: usize,
    /// The most threads ever inside their critical sections at once, over all runs.
    pub max_in_cs: u32,
    /// Runs made.
    pub runs: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    Plain,
    WhileBody,
    DoBody,
    Critical,
    /// A `for` body with this many passes left, this one included.
    Repeat(u32),
}

/// One thread's position: a stack of (block, index, frame kind).
#[derive(Clone)]
struct Cursor<'a> {
    stack: Vec<(&'a [Stmt], usize, Frame)>,
    /// The second half of a plain `x++` is pending.
    incr_half: bool,
    regs: Vec<i64>,
    in_cs: bool,
    /// None: running; Some((cv, mutex, woken)).
    asleep: Option<(u8, u8, bool)>,
    buffer: Vec<(u8, i64)>,
}

enum Next<'a> {
    Done,
    Stmt(&'a Stmt),
    LeaveCs,
}

fn operand(regs: &[i64], o: Operand) -> i64 {
    match o {
        Operand::Const(v) => v,
        Operand::Reg(r) => regs[r as usize],
    }
}

fn value(regs: &[i64], x: Expr) -> i64 {
    match x {
        Expr::Op(a) => operand(regs, a),
        Expr::Add(a, b) => operand(regs, a).wrapping_add(operand(regs, b)),
        Expr::Mul(a, b) => operand(regs, a).wrapping_mul(operand(regs, b)),
    }
}

fn holds(regs: &[i64], c: &Cond) -> bool {
    match c {
        Cond::Cmp(a, op, b) => {
            let (a, b) = (operand(regs, *a), operand(regs, *b));
            match op {
                Cmp::Eq => a == b,
                Cmp::Ne => a != b,
                Cmp::Lt => a < b,
                Cmp::Ge => a >= b,
            }
        }
        Cond::And(a, b) => holds(regs, a) && holds(regs, b),
        Cond::Or(a, b) => holds(regs, a) || holds(regs, b),
    }
}

impl<'a> Cursor<'a> {
    /// Walks register-only statements and control flow up to the next step.
    fn next(&mut self) -> Next<'a> {
        for _ in 0..100_000 {
            let Some(&(block, idx, kind)) = self.stack.last() else {
                return Next::Done;
            };
            if idx >= block.len() {
                match kind {
                    Frame::Critical => return Next::LeaveCs,
                    Frame::DoBody => {
                        // The loop statement sits at the parent's index.
                        self.stack.pop();
                        let (pb, pi, _) = *self.stack.last().expect("a do-while has a parent");
                        if let Stmt::DoWhile { body, cond } = &pb[pi] {
                            if holds(&self.regs, cond) {
                                self.stack.push((body, 0, Frame::DoBody));
                            } else {
                                self.stack.last_mut().expect("parent").1 += 1;
                            }
                        }
                    }
                    Frame::Plain | Frame::WhileBody => {
                        self.stack.pop();
                    }
                    Frame::Repeat(left) => {
                        self.stack.pop();
                        if left > 1 {
                            self.stack.push((block, 0, Frame::Repeat(left - 1)));
                        } else {
                            self.bump();
                        }
                    }
                }
                continue;
            }
            let s = &block[idx];
            match s {
                Stmt::Set { dst, val } => {
                    self.regs[*dst as usize] = value(&self.regs, *val);
                    self.bump();
                }
                Stmt::Comment(_) => self.bump(),
                Stmt::If { cond, then, els } => {
                    self.bump();
                    let branch = if holds(&self.regs, cond) { then } else { els };
                    self.stack.push((branch, 0, Frame::Plain));
                }
                Stmt::While { cond, body } => {
                    if holds(&self.regs, cond) {
                        self.stack.push((body, 0, Frame::WhileBody));
                    } else {
                        self.bump();
                    }
                }
                Stmt::DoWhile { body, .. } => self.stack.push((body, 0, Frame::DoBody)),
                Stmt::Repeat { times, body } => {
                    if *times == 0 {
                        self.bump();
                    } else {
                        self.stack.push((body, 0, Frame::Repeat(*times)));
                    }
                }
                Stmt::Critical(body) => {
                    self.bump();
                    self.in_cs = true;
                    self.stack.push((body, 0, Frame::Critical));
                }
                _ => return Next::Stmt(s),
            }
        }
        Next::Done
    }

    fn bump(&mut self) {
        if let Some(top) = self.stack.last_mut() {
            top.1 += 1;
        }
    }
}

/// The shared part of a run's state.
struct World {
    memory: Vec<i64>,
    owners: Vec<Option<usize>>,
    sems: Vec<i64>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Action {
    Run(usize),
    Relock(usize),
    Flush(usize),
}

/// Who picks the next action: a random scheduler, or a given schedule (replayed).
enum Chooser<'s, R: Rng> {
    Random(&'s mut R),
    Replay { steps: &'s [Step], at: usize },
}

impl<R: Rng> Chooser<'_, R> {
    /// The index of the action to run, or None to stop (a replay that is over or off track).
    fn action(&mut self, actions: &[Action]) -> Option<usize> {
        match self {
            Chooser::Random(rng) => Some(rng.random_range(0..actions.len())),
            Chooser::Replay { steps, at } => {
                let st = steps.get(*at)?;
                *at += 1;
                let t = st.thread as usize;
                let want = match st.kind {
                    StepKind::Run { .. } => Action::Run(t),
                    StepKind::Flush => Action::Flush(t),
                    StepKind::Relock => Action::Relock(t),
                };
                actions.iter().position(|a| *a == want)
            }
        }
    }

    /// Which of `n` sleepers a signal wakes (sleepers in thread order).
    fn sleeper(&mut self, n: usize) -> usize {
        match self {
            Chooser::Random(rng) => rng.random_range(0..n),
            Chooser::Replay { steps, at } => match steps.get(at.wrapping_sub(1)) {
                Some(Step {
                    kind: StepKind::Run { choice },
                    ..
                }) => (*choice as usize).min(n - 1),
                _ => 0,
            },
        }
    }

    fn replay_over(&self) -> bool {
        matches!(self, Chooser::Replay { steps, at } if *at >= steps.len())
    }
}

/// How a run ended: its outcome (None if stuck or cut off), whether it got stuck, the most
/// threads inside critical sections at once, and the threads inside at the end.
struct RunEnd {
    outcome: Option<Vec<i64>>,
    stuck: bool,
    max_cs: u32,
    cs_at_end: u32,
}

/// One run under `chooser`.
fn run_once<R: Rng>(prog: &Program, memory: Memory, chooser: &mut Chooser<R>) -> RunEnd {
    let mut world = World {
        memory: prog.vars.iter().map(|v| v.init).collect(),
        owners: vec![None; prog.mutexes.len()],
        sems: prog.sems.iter().map(|s| s.1).collect(),
    };
    let mut threads: Vec<Cursor> = prog
        .threads
        .iter()
        .map(|t| Cursor {
            stack: vec![(&t.body[..], 0, Frame::Plain)],
            incr_half: false,
            regs: vec![0; t.regs.len().max(1)],
            in_cs: false,
            asleep: None,
            buffer: Vec::new(),
        })
        .collect();
    let tso = memory == Memory::Tso;
    let mut max_cs = 0;
    for _ in 0..10_000 {
        // Settle register-only code first, so critical-section marks are current.
        let nexts: Vec<Next> = threads.iter_mut().map(|c| c.next()).collect();
        max_cs = max_cs.max(threads.iter().filter(|c| c.in_cs).count() as u32);
        let mut actions = Vec::new();
        for (t, c) in threads.iter().enumerate() {
            let drained = !tso || c.buffer.is_empty();
            if tso && !c.buffer.is_empty() {
                actions.push(Action::Flush(t));
            }
            match c.asleep {
                Some((_, m, true)) => {
                    if world.owners[m as usize].is_none() && drained {
                        actions.push(Action::Relock(t));
                    }
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            let ok = match &nexts[t] {
                Next::Done => false,
                Next::LeaveCs => true,
                Next::Stmt(s) => match s {
                    Stmt::Load { .. } | Stmt::Store { .. } | Stmt::PlainIncr { .. } => true,
                    Stmt::Lock(m) => drained && world.owners[*m as usize].is_none(),
                    Stmt::SemWait(x) => drained && world.sems[*x as usize] > 0,
                    _ => drained,
                },
            };
            if ok {
                actions.push(Action::Run(t));
            }
        }
        let cs_now = threads.iter().filter(|c| c.in_cs).count() as u32;
        if actions.is_empty() {
            let finished = threads
                .iter_mut()
                .all(|c| c.asleep.is_none() && matches!(c.next(), Next::Done));
            if finished {
                let out = prog
                    .observe
                    .iter()
                    .map(|o| match *o {
                        Obs::Var(v) => world.memory[v as usize],
                        Obs::Reg(t, r) => threads[t as usize].regs[r as usize],
                    })
                    .collect();
                return RunEnd {
                    outcome: Some(out),
                    stuck: false,
                    max_cs,
                    cs_at_end: cs_now,
                };
            }
            return RunEnd {
                outcome: None,
                stuck: true,
                max_cs,
                cs_at_end: cs_now,
            };
        }
        if chooser.replay_over() {
            return RunEnd {
                outcome: None,
                stuck: false,
                max_cs,
                cs_at_end: cs_now,
            };
        }
        let Some(pick) = chooser.action(&actions) else {
            return RunEnd {
                outcome: None,
                stuck: false,
                max_cs,
                cs_at_end: cs_now,
            };
        };
        let action = actions[pick];
        match action {
            Action::Flush(t) => {
                let (v, x) = threads[t].buffer.remove(0);
                world.memory[v as usize] = x;
            }
            Action::Relock(t) => {
                let (_, m, _) = threads[t].asleep.take().expect("asleep");
                world.owners[m as usize] = Some(t);
            }
            Action::Run(t) => {
                let stmt = match threads[t].next() {
                    Next::Stmt(s) => s,
                    Next::LeaveCs => {
                        let c = &mut threads[t];
                        c.in_cs = false;
                        c.stack.pop();
                        continue;
                    }
                    Next::Done => continue,
                };
                step(&mut world, &mut threads, t, stmt, tso, chooser);
            }
        }
    }
    RunEnd {
        outcome: None,
        stuck: false,
        max_cs,
        cs_at_end: 0,
    }
}

fn read(world: &World, c: &Cursor, var: u8) -> i64 {
    c.buffer
        .iter()
        .rev()
        .find(|(v, _)| *v == var)
        .map(|(_, x)| *x)
        .unwrap_or(world.memory[var as usize])
}

fn step<R: Rng>(
    world: &mut World,
    threads: &mut [Cursor],
    t: usize,
    stmt: &Stmt,
    tso: bool,
    chooser: &mut Chooser<R>,
) {
    let write = |world: &mut World, c: &mut Cursor, var: u8, x: i64| {
        if tso {
            c.buffer.push((var, x));
        } else {
            world.memory[var as usize] = x;
        }
    };
    let mut advance = true;
    match stmt {
        Stmt::Load { dst, var } => {
            let x = read(world, &threads[t], *var);
            threads[t].regs[*dst as usize] = x;
        }
        Stmt::Store { var, val } => {
            let x = value(&threads[t].regs, *val);
            write(world, &mut threads[t], *var, x);
        }
        Stmt::PlainIncr { var, tmp } => {
            let c = &mut threads[t];
            if c.incr_half {
                let x = c.regs[*tmp as usize] + 1;
                write(world, c, *var, x);
                c.incr_half = false;
            } else {
                c.regs[*tmp as usize] = read(world, c, *var);
                c.incr_half = true;
                advance = false;
            }
        }
        Stmt::FetchAdd { dst, var, delta } => {
            let old = world.memory[*var as usize];
            world.memory[*var as usize] = old + delta;
            if let Some(d) = dst {
                threads[t].regs[*d as usize] = old;
            }
        }
        Stmt::Exchange { dst, var, val } => {
            let old = world.memory[*var as usize];
            world.memory[*var as usize] = value(&threads[t].regs, *val);
            if let Some(d) = dst {
                threads[t].regs[*d as usize] = old;
            }
        }
        Stmt::Cas {
            ok,
            var,
            expected,
            desired,
        } => {
            let cur = world.memory[*var as usize];
            let c = &mut threads[t];
            let success = cur == c.regs[*expected as usize];
            if success {
                world.memory[*var as usize] = value(&c.regs, *desired);
            } else {
                c.regs[*expected as usize] = cur;
            }
            if let Some(d) = ok {
                c.regs[*d as usize] = success as i64;
            }
        }
        Stmt::Lock(m) => world.owners[*m as usize] = Some(t),
        Stmt::Unlock(m) => world.owners[*m as usize] = None,
        Stmt::Fence => {}
        Stmt::Wait { cv, mutex } => {
            world.owners[*mutex as usize] = None;
            threads[t].asleep = Some((*cv, *mutex, false));
        }
        Stmt::Signal(cv) | Stmt::Broadcast(cv) => {
            let sleepers: Vec<usize> = (0..threads.len())
                .filter(|&u| matches!(threads[u].asleep, Some((k, _, false)) if k == *cv))
                .collect();
            let woken: Vec<usize> = if matches!(stmt, Stmt::Broadcast(_)) {
                sleepers
            } else if sleepers.is_empty() {
                vec![]
            } else {
                vec![sleepers[chooser.sleeper(sleepers.len())]]
            };
            for u in woken {
                if let Some(a) = threads[u].asleep.as_mut() {
                    a.2 = true;
                }
            }
        }
        Stmt::SemWait(x) => world.sems[*x as usize] -= 1,
        Stmt::SemPost(x) => world.sems[*x as usize] += 1,
        _ => {}
    }
    if advance {
        threads[t].bump();
    }
}

/// `runs` random runs of `prog` under `memory`.
pub fn sample(prog: &Program, memory: Memory, runs: usize, rng: &mut impl Rng) -> Sampled {
    let mut out = Sampled {
        runs,
        ..Sampled::default()
    };
    for _ in 0..runs {
        let end = run_once(prog, memory, &mut Chooser::Random(&mut *rng));
        out.max_in_cs = out.max_in_cs.max(end.max_cs);
        match end.outcome {
            Some(o) => *out.outcomes.entry(o).or_default() += 1,
            None if end.stuck => out.stuck += 1,
            None => out.unfinished += 1,
        }
    }
    out
}

/// Where a replayed schedule ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// Every thread finished, with this outcome.
    Finished(Vec<i64>),
    /// Nothing can move and some thread has not finished.
    Stuck,
    /// The schedule ended (or left the enabled actions) with this many threads in their
    /// critical sections.
    Stopped { in_cs: u32 },
}

/// Runs `prog` along `steps` (a schedule the explorer reported) in this interpreter.
pub fn replay(prog: &Program, memory: Memory, steps: &[Step]) -> Replayed {
    let mut chooser: Chooser<rand_chacha::ChaCha8Rng> = Chooser::Replay { steps, at: 0 };
    let end = run_once(prog, memory, &mut chooser);
    match end.outcome {
        Some(o) => Replayed::Finished(o),
        None if end.stuck => Replayed::Stuck,
        None => Replayed::Stopped {
            in_cs: end.cs_at_end,
        },
    }
}

/// The most steps a loop-free statement list can take (the longer branch of each `if`), or None
/// if it loops or uses condition variables.
fn steps_of(body: &[Stmt]) -> Option<usize> {
    let mut n = 0;
    for s in body {
        n += match s {
            Stmt::Set { .. } | Stmt::Comment(_) => 0,
            Stmt::PlainIncr { .. } => 2,
            Stmt::Critical(b) => steps_of(b)? + 1,
            Stmt::If { then, els, .. } => steps_of(then)?.max(steps_of(els)?),
            Stmt::Repeat { times, body } => *times as usize * steps_of(body)?,
            Stmt::While { .. }
            | Stmt::DoWhile { .. }
            | Stmt::Wait { .. }
            | Stmt::Signal(_)
            | Stmt::Broadcast(_) => return None,
            _ => 1,
        };
    }
    Some(n)
}

/// The runs after which every outcome of a loop-free program under SC has been reached
/// except with probability ≤ e^−25 (see the module docs), or None when the program is not
/// straight-line or the bound exceeds `cap` runs.
pub fn coverage_runs(prog: &Program, cap: usize) -> Option<usize> {
    let t = prog.threads.len() as f64;
    let l: usize = prog
        .threads
        .iter()
        .map(|th| steps_of(&th.body))
        .sum::<Option<usize>>()?;
    if l == 0 {
        return Some(1);
    }
    let n = (25.0 * t.powi(l as i32 - 1)).ceil();
    (n <= cap as f64).then_some(n as usize)
}

#[cfg(test)]
mod tests {
    use super::super::model::{c, e, explore, Stmt};
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn samples_reach_exactly_the_explored_outcomes_of_a_lost_update() {
        // Two threads each run `x++` twice on a plain int: finals 2, 3 and 4 (2 is the
        // classic surprise; Ben-Ari, Principles of Concurrent and Distributed Programming,
        // 2nd ed., §2.8 on the final value of n increments).
        let mut p = Program::default();
        let x = p.var("x", 0, false);
        for name in ["T0", "T1"] {
            p.thread(name, &["tmp"], vec![Stmt::PlainIncr { var: x, tmp: 0 }; 2]);
        }
        p.observe = vec![Obs::Var(x)];
        let ex = explore(&p, Memory::Sc, 10_000).unwrap();
        let want: Vec<Vec<i64>> = vec![vec![2], vec![3], vec![4]];
        assert_eq!(ex.outcomes.keys().cloned().collect::<Vec<_>>(), want);
        let runs = coverage_runs(&p, 10_000).unwrap();
        assert_eq!(runs, 25 * 128);
        let s = sample(
            &p,
            Memory::Sc,
            runs,
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(1),
        );
        assert_eq!(s.outcomes.keys().cloned().collect::<Vec<_>>(), want);
    }

    #[test]
    fn store_buffering_samples_stay_inside_tso() {
        let p = super::super::model::tests::sb(false);
        let tso = explore(&p, Memory::Tso, 10_000).unwrap();
        let s = sample(
            &p,
            Memory::Tso,
            2000,
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(2),
        );
        assert!(s.outcomes.keys().all(|o| tso.outcomes.contains_key(o)));
        assert!(s.outcomes.contains_key(&vec![0, 0]), "{:?}", s.outcomes);
        let sc = sample(
            &p,
            Memory::Sc,
            2000,
            &mut rand_chacha::ChaCha8Rng::seed_from_u64(3),
        );
        assert!(!sc.outcomes.contains_key(&vec![0, 0]));
        let _ = (c(0), e(c(0)));
    }

    #[test]
    fn peterson_samples_break_under_tso_only() {
        let p = super::super::model::tests::peterson(false);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        assert_eq!(sample(&p, Memory::Sc, 500, &mut rng).max_in_cs, 1);
        assert_eq!(sample(&p, Memory::Tso, 2000, &mut rng).max_in_cs, 2);
    }
}
