//! The shared model of the concurrency topic: a tiny shared-memory language, its renderer, and an
//! exhaustive explorer of every schedule.
//!
//! **The language.** A [`Program`] is shared variables (plain `int` or C11 `atomic_int`), mutexes,
//! condition variables and semaphores, and threads. A thread is a list of [`Stmt`]s: loads and
//! stores, read-modify-writes (`atomic_fetch_add`, `atomic_exchange`,
//! `atomic_compare_exchange_strong`), `pthread_mutex_lock`/`unlock`, fences, `pthread_cond_wait`/
//! `signal`/`broadcast`, `sem_wait`/`sem_post`, and `if`/`while`/`do … while` over registers.
//! Registers are private to their thread; every statement that touches shared state is one
//! atomic *step* of a schedule, and register-only statements take no step (they commute with
//! everything, so the explorer runs them eagerly).
//!
//! **The renderer.** [`Program::compile`] walks the statements once and produces, side by side,
//! the pseudo-code lines (house style: blocks by indentation, C11 and pthreads names; see the
//! README's "Pseudo-code style") and the flat operations the explorer runs, each operation
//! pointing at the line it came from. Quoted code and executed code come from one walk and cannot
//! drift apart.
//!
//! **The explorer.** [`explore`] visits every reachable state by breadth-first search, under
//! sequential consistency ([`Memory::Sc`]: one shared memory, steps interleave) or the operational
//! x86-TSO model ([`Memory::Tso`], Owens, Sarkar and Sewell, "A better x86 memory model: x86-TSO",
//! TPHOLs 2009; Sewell et al., CACM 53(7), 2010): each thread has a FIFO store buffer, a store
//! enters it, a load reads the newest buffered store to its variable or else memory, the buffer's
//! oldest store reaches memory at any time (a step of its own), and `mfence` and locked
//! instructions (the read-modify-writes, lock and unlock) wait for the buffer to drain.
//! It reports every final outcome (the declared observables), the number of schedules leading to
//! each when the state graph is acyclic, deadlocks (a state that is not final and where nothing
//! can move: every thread is blocked on a mutex, a semaphore or a condition variable), the most
//! threads ever inside their critical sections at once, and a shortest witness schedule for each.
//!
//! The state space is bounded: [`explore`] stops with [`TooBig`] past a state limit, and each
//! family turns that into a parameter error with a hint.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// A register index, private to its thread.
pub type Reg = u8;
/// A shared variable index.
pub type Var = u8;

/// A value a statement reads: a constant or a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operand {
    /// A constant.
    Const(i64),
    /// A register of the running thread.
    Reg(Reg),
}

/// A register-only expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expr {
    /// The operand itself.
    Op(Operand),
    /// The sum of two operands.
    Add(Operand, Operand),
    /// The product of two operands.
    Mul(Operand, Operand),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>=`
    Ge,
}

/// A register-only condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cond {
    /// `a cmp b`.
    Cmp(Operand, Cmp, Operand),
    /// Both hold.
    And(Box<Cond>, Box<Cond>),
    /// Either holds.
    Or(Box<Cond>, Box<Cond>),
}

/// One statement of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stmt {
    /// `r = x` (or `atomic_load`).
    Load { dst: Reg, var: Var },
    /// `x = e` (or `atomic_store`).
    Store { var: Var, val: Expr },
    /// `x++` on a plain `int`: a load into the hidden register `tmp`, then a store (two steps
    /// on one line).
    PlainIncr { var: Var, tmp: Reg },
    /// `r = atomic_fetch_add(&x, delta)`.
    FetchAdd {
        dst: Option<Reg>,
        var: Var,
        delta: i64,
    },
    /// `r = atomic_exchange(&x, e)`.
    Exchange {
        dst: Option<Reg>,
        var: Var,
        val: Expr,
    },
    /// `ok = atomic_compare_exchange_strong(&x, &expected, desired)`: on failure `expected`
    /// receives the current value, as in C11.
    Cas {
        ok: Option<Reg>,
        var: Var,
        expected: Reg,
        desired: Expr,
    },
    /// `pthread_mutex_lock(&m)`.
    Lock(u8),
    /// `pthread_mutex_unlock(&m)`.
    Unlock(u8),
    /// A full fence: `atomic_thread_fence(memory_order_seq_cst)`, or `mfence()` on x86.
    Fence,
    /// `pthread_cond_wait(&cv, &m)`: releases `m` and sleeps until signalled, then relocks `m`.
    Wait { cv: u8, mutex: u8 },
    /// `pthread_cond_signal(&cv)`: wakes one waiter, if any (a signal nobody waits for is lost).
    Signal(u8),
    /// `pthread_cond_broadcast(&cv)`: wakes every waiter.
    Broadcast(u8),
    /// `sem_wait(&s)`: blocks while `s` is 0, then decrements it.
    SemWait(u8),
    /// `sem_post(&s)`.
    SemPost(u8),
    /// `r = e`, register only (no step).
    Set { dst: Reg, val: Expr },
    /// `if (cond)` with an optional `else`.
    If {
        cond: Cond,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    /// `while (cond)`.
    While { cond: Cond, body: Vec<Stmt> },
    /// `do … while (cond)`.
    DoWhile { body: Vec<Stmt>, cond: Cond },
    /// `for (i = 0; i < times; i++)` with a constant bound: the body `times` times over (the
    /// counter is private and takes no step).
    Repeat { times: u32, body: Vec<Stmt> },
    /// A critical section: the statements inside, marked with a comment line; the explorer
    /// counts the threads inside at once.
    Critical(Vec<Stmt>),
    /// A comment line (no step).
    Comment(String),
}

/// A shared variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarDecl {
    /// Its name in the code.
    pub name: String,
    /// Its initial value.
    pub init: i64,
    /// `atomic_int` (accessed with `atomic_load`/`atomic_store`) or a plain `int`.
    pub atomic: bool,
}

/// A thread: a name, its register names and its statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// "T0", "T1", …
    pub name: String,
    /// Register names (`r0`, `seen`, …), indexed by [`Reg`].
    pub regs: Vec<String>,
    /// The statements.
    pub body: Vec<Stmt>,
}

/// What the outcome of a finished run records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Obs {
    /// A shared variable's final value (after every store buffer has drained).
    Var(Var),
    /// A thread's register at its end.
    Reg(u8, Reg),
}

/// A program in the language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Shared variables.
    pub vars: Vec<VarDecl>,
    /// Mutex names.
    pub mutexes: Vec<String>,
    /// Condition variable names.
    pub condvars: Vec<String>,
    /// Semaphores: name and initial count.
    pub sems: Vec<(String, i64)>,
    /// The threads.
    pub threads: Vec<Thread>,
    /// The observables of an outcome, in order.
    pub observe: Vec<Obs>,
    /// Render fences as x86 `mfence()` rather than C11's `atomic_thread_fence`.
    pub x86: bool,
}

/// A program error (a malformed program: a bad index, unlock of a mutex not held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Builders: short helpers so families read like the code they show.
// ---------------------------------------------------------------------------------------------

/// `Operand::Const`.
pub fn c(v: i64) -> Operand {
    Operand::Const(v)
}
/// `Operand::Reg`.
pub fn r(reg: Reg) -> Operand {
    Operand::Reg(reg)
}
/// The expression `a`.
pub fn e(a: Operand) -> Expr {
    Expr::Op(a)
}
/// `a == b`.
pub fn eq(a: Operand, b: Operand) -> Cond {
    Cond::Cmp(a, Cmp::Eq, b)
}
/// `a != b`.
pub fn ne(a: Operand, b: Operand) -> Cond {
    Cond::Cmp(a, Cmp::Ne, b)
}

impl Program {
    /// Adds a shared variable; returns its index.
    pub fn var(&mut self, name: &str, init: i64, atomic: bool) -> Var {
        self.vars.push(VarDecl {
            name: name.into(),
            init,
            atomic,
        });
        (self.vars.len() - 1) as Var
    }
    /// Adds a mutex; returns its index.
    pub fn mutex(&mut self, name: &str) -> u8 {
        self.mutexes.push(name.into());
        (self.mutexes.len() - 1) as u8
    }
    /// Adds a condition variable; returns its index.
    pub fn condvar(&mut self, name: &str) -> u8 {
        self.condvars.push(name.into());
        (self.condvars.len() - 1) as u8
    }
    /// Adds a semaphore; returns its index.
    pub fn sem(&mut self, name: &str, init: i64) -> u8 {
        self.sems.push((name.into(), init));
        (self.sems.len() - 1) as u8
    }
    /// Adds a thread; returns its index.
    pub fn thread(&mut self, name: &str, regs: &[&str], body: Vec<Stmt>) -> u8 {
        self.threads.push(Thread {
            name: name.into(),
            regs: regs.iter().map(|s| s.to_string()).collect(),
            body,
        });
        (self.threads.len() - 1) as u8
    }

    /// Compiles the program: the pseudo-code lines and the flat operations, from one walk.
    pub fn compile(&self) -> Result<Compiled, ModelError> {
        let mut threads = Vec::new();
        for (t, th) in self.threads.iter().enumerate() {
            let mut w = Walk {
                prog: self,
                thread: th,
                ops: Vec::new(),
                lines: Vec::new(),
            };
            w.block(&th.body, 1)?;
            if w.ops.len() > u16::MAX as usize / 2 {
                return Err(ModelError(format!("thread {t} is too long")));
            }
            threads.push(CThread {
                ops: w.ops,
                lines: w.lines,
            });
        }
        for o in &self.observe {
            match *o {
                Obs::Var(v) if (v as usize) < self.vars.len() => {}
                Obs::Reg(t, r)
                    if (t as usize) < self.threads.len()
                        && (r as usize) < self.threads[t as usize].regs.len() => {}
                _ => return Err(ModelError(format!("bad observable {o:?}"))),
            }
        }
        let live = threads
            .iter()
            .enumerate()
            .map(|(t, ct)| {
                let at_end = self
                    .observe
                    .iter()
                    .filter_map(|o| match *o {
                        Obs::Reg(u, r) if u as usize == t => Some(1u64 << r),
                        _ => None,
                    })
                    .fold(0, |a, b| a | b);
                liveness(&ct.ops, at_end)
            })
            .collect();
        if self.threads.iter().any(|t| t.regs.len() > 64) {
            return Err(ModelError("at most 64 registers per thread".into()));
        }
        Ok(Compiled {
            threads,
            regs: self.threads.iter().map(|t| t.regs.len()).max().unwrap_or(0),
            live,
        })
    }

    /// The whole program as pseudo-code: declarations, then each thread.
    pub fn render(&self) -> Result<String, ModelError> {
        let compiled = self.compile()?;
        let mut out = Vec::new();
        for v in &self.vars {
            let ty = if v.atomic { "atomic_int" } else { "int" };
            out.push(format!("{ty} {} = {}", v.name, v.init));
        }
        for m in &self.mutexes {
            out.push(format!("pthread_mutex_t {m}"));
        }
        for cv in &self.condvars {
            out.push(format!("pthread_cond_t {cv}"));
        }
        for (s, n) in &self.sems {
            out.push(format!("sem_t {s} = {n}"));
        }
        for (th, ct) in self.threads.iter().zip(&compiled.threads) {
            out.push(String::new());
            out.push(format!("thread {}:", th.name));
            out.extend(ct.lines.iter().cloned());
        }
        Ok(out.join("\n"))
    }

    /// One thread's lines only (with the `thread T:` header), for questions that show threads
    /// one by one.
    pub fn render_thread(&self, t: usize) -> Result<String, ModelError> {
        let compiled = self.compile()?;
        let mut out = vec![format!("thread {}:", self.threads[t].name)];
        out.extend(compiled.threads[t].lines.iter().cloned());
        Ok(out.join("\n"))
    }

    /// The text of an operand in thread `t`.
    fn operand(&self, t: &Thread, o: Operand) -> String {
        match o {
            Operand::Const(v) => v.to_string(),
            Operand::Reg(r) => t.regs.get(r as usize).cloned().unwrap_or_default(),
        }
    }

    fn expr(&self, t: &Thread, x: Expr) -> String {
        match x {
            Expr::Op(a) => self.operand(t, a),
            Expr::Add(a, Operand::Const(k)) if k < 0 => {
                format!("{} - {}", self.operand(t, a), -k)
            }
            Expr::Add(a, b) => format!("{} + {}", self.operand(t, a), self.operand(t, b)),
            Expr::Mul(a, b) => format!("{} * {}", self.operand(t, a), self.operand(t, b)),
        }
    }

    fn cond(&self, t: &Thread, c: &Cond) -> String {
        match c {
            Cond::Cmp(a, op, b) => {
                let op = match op {
                    Cmp::Eq => "==",
                    Cmp::Ne => "!=",
                    Cmp::Lt => "<",
                    Cmp::Ge => ">=",
                };
                format!("{} {op} {}", self.operand(t, *a), self.operand(t, *b))
            }
            Cond::And(a, b) => format!("{} && {}", self.cond_inner(t, a), self.cond_inner(t, b)),
            Cond::Or(a, b) => format!("{} || {}", self.cond_inner(t, a), self.cond_inner(t, b)),
        }
    }

    fn cond_inner(&self, t: &Thread, c: &Cond) -> String {
        match c {
            Cond::Cmp(..) => self.cond(t, c),
            _ => format!("({})", self.cond(t, c)),
        }
    }

    fn var_name(&self, v: Var) -> Result<&str, ModelError> {
        self.vars
            .get(v as usize)
            .map(|d| d.name.as_str())
            .ok_or_else(|| ModelError(format!("no variable {v}")))
    }

    /// The pseudo-code of one step-taking statement (without indentation).
    fn line_of(&self, t: &Thread, s: &Stmt) -> Result<String, ModelError> {
        let reg = |r: Reg| self.operand(t, Operand::Reg(r));
        let name = |i: u8, list: &[String], what: &str| {
            list.get(i as usize)
                .cloned()
                .ok_or_else(|| ModelError(format!("no {what} {i}")))
        };
        Ok(match s {
            Stmt::Load { dst, var } => {
                let v = self.var_name(*var)?;
                if self.vars[*var as usize].atomic {
                    format!("{} = atomic_load(&{v})", reg(*dst))
                } else {
                    format!("{} = {v}", reg(*dst))
                }
            }
            Stmt::Store { var, val } => {
                let v = self.var_name(*var)?;
                if self.vars[*var as usize].atomic {
                    format!("atomic_store(&{v}, {})", self.expr(t, *val))
                } else {
                    format!("{v} = {}", self.expr(t, *val))
                }
            }
            Stmt::PlainIncr { var, .. } => format!("{}++", self.var_name(*var)?),
            Stmt::FetchAdd { dst, var, delta } => {
                let call = format!("atomic_fetch_add(&{}, {delta})", self.var_name(*var)?);
                match dst {
                    Some(d) => format!("{} = {call}", reg(*d)),
                    None => call,
                }
            }
            Stmt::Exchange { dst, var, val } => {
                let call = format!(
                    "atomic_exchange(&{}, {})",
                    self.var_name(*var)?,
                    self.expr(t, *val)
                );
                match dst {
                    Some(d) => format!("{} = {call}", reg(*d)),
                    None => call,
                }
            }
            Stmt::Cas {
                ok,
                var,
                expected,
                desired,
            } => {
                let call = format!(
                    "atomic_compare_exchange_strong(&{}, &{}, {})",
                    self.var_name(*var)?,
                    reg(*expected),
                    self.expr(t, *desired)
                );
                match ok {
                    Some(d) => format!("{} = {call}", reg(*d)),
                    None => call,
                }
            }
            Stmt::Lock(m) => format!("pthread_mutex_lock(&{})", name(*m, &self.mutexes, "mutex")?),
            Stmt::Unlock(m) => {
                format!(
                    "pthread_mutex_unlock(&{})",
                    name(*m, &self.mutexes, "mutex")?
                )
            }
            Stmt::Fence => {
                if self.x86 {
                    "mfence()".into()
                } else {
                    "atomic_thread_fence(memory_order_seq_cst)".into()
                }
            }
            Stmt::Wait { cv, mutex } => format!(
                "pthread_cond_wait(&{}, &{})",
                name(*cv, &self.condvars, "condition variable")?,
                name(*mutex, &self.mutexes, "mutex")?
            ),
            Stmt::Signal(cv) => format!(
                "pthread_cond_signal(&{})",
                name(*cv, &self.condvars, "condition variable")?
            ),
            Stmt::Broadcast(cv) => format!(
                "pthread_cond_broadcast(&{})",
                name(*cv, &self.condvars, "condition variable")?
            ),
            Stmt::SemWait(s) => format!(
                "sem_wait(&{})",
                self.sems
                    .get(*s as usize)
                    .map(|x| x.0.clone())
                    .ok_or_else(|| ModelError(format!("no semaphore {s}")))?
            ),
            Stmt::SemPost(s) => format!(
                "sem_post(&{})",
                self.sems
                    .get(*s as usize)
                    .map(|x| x.0.clone())
                    .ok_or_else(|| ModelError(format!("no semaphore {s}")))?
            ),
            Stmt::Set { dst, val } => format!("{} = {}", reg(*dst), self.expr(t, *val)),
            _ => String::new(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Compilation: one walk makes the lines and the operations.
// ---------------------------------------------------------------------------------------------

/// A flat operation. The first group takes a step; the second is register-only.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Load into a register.
    Load { dst: Reg, var: Var },
    /// Store an expression.
    Store { var: Var, val: Expr },
    /// Fetch-and-add (locked).
    FetchAdd {
        dst: Option<Reg>,
        var: Var,
        delta: i64,
    },
    /// Exchange (locked).
    Exchange {
        dst: Option<Reg>,
        var: Var,
        val: Expr,
    },
    /// Compare-and-swap (locked).
    Cas {
        ok: Option<Reg>,
        var: Var,
        expected: Reg,
        desired: Expr,
    },
    /// Acquire a mutex.
    Lock(u8),
    /// Release a mutex.
    Unlock(u8),
    /// Full fence.
    Fence,
    /// Condition wait.
    Wait { cv: u8, mutex: u8 },
    /// Signal one waiter.
    Signal(u8),
    /// Wake every waiter.
    Broadcast(u8),
    /// Semaphore down.
    SemWait(u8),
    /// Semaphore up.
    SemPost(u8),
    /// Register assignment (no step).
    Set { dst: Reg, val: Expr },
    /// Jump to `target` unless `cond` holds (no step).
    JumpUnless { cond: Cond, target: usize },
    /// Jump (no step).
    Jump(usize),
    /// Enter a critical section (no step).
    CsEnter,
    /// Leave a critical section: a step, so a thread is seen inside even when the section
    /// touches no shared memory.
    CsExit,
}

impl Op {
    fn takes_step(&self) -> bool {
        !matches!(
            self,
            Op::Set { .. } | Op::JumpUnless { .. } | Op::Jump(_) | Op::CsEnter
        )
    }
}

/// A compiled thread: its operations (each with the index of its line) and its lines.
#[derive(Debug, Clone)]
pub struct CThread {
    /// Operations with the line each came from.
    pub ops: Vec<(Op, usize)>,
    /// The pseudo-code lines, indented.
    pub lines: Vec<String>,
}

/// A compiled program.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The threads.
    pub threads: Vec<CThread>,
    /// The most registers any thread has.
    pub regs: usize,
    /// Per thread and pc (0..=len), the registers that may still be read (a bit each): the
    /// explorer zeroes the others, so states that differ only in dead registers merge.
    pub live: Vec<Vec<u64>>,
}

fn operand_bits(o: Operand) -> u64 {
    match o {
        Operand::Reg(r) => 1 << r,
        Operand::Const(_) => 0,
    }
}

fn expr_bits(x: Expr) -> u64 {
    match x {
        Expr::Op(a) => operand_bits(a),
        Expr::Add(a, b) | Expr::Mul(a, b) => operand_bits(a) | operand_bits(b),
    }
}

fn cond_bits(c: &Cond) -> u64 {
    match c {
        Cond::Cmp(a, _, b) => operand_bits(*a) | operand_bits(*b),
        Cond::And(a, b) | Cond::Or(a, b) => cond_bits(a) | cond_bits(b),
    }
}

/// Backward liveness over one thread's operations; `at_end` are the registers read after the
/// thread finishes (its observables).
fn liveness(ops: &[(Op, usize)], at_end: u64) -> Vec<u64> {
    let n = ops.len();
    let mut live = vec![0u64; n + 1];
    live[n] = at_end;
    loop {
        let mut changed = false;
        for pc in (0..n).rev() {
            let (uses, defs, succ): (u64, u64, Vec<usize>) = match &ops[pc].0 {
                Op::Load { dst, .. } => (0, 1 << dst, vec![pc + 1]),
                Op::Store { val, .. } => (expr_bits(*val), 0, vec![pc + 1]),
                Op::FetchAdd { dst, .. } => (0, dst.map_or(0, |d| 1 << d), vec![pc + 1]),
                Op::Exchange { dst, val, .. } => {
                    (expr_bits(*val), dst.map_or(0, |d| 1 << d), vec![pc + 1])
                }
                Op::Cas {
                    ok,
                    expected,
                    desired,
                    ..
                } => (
                    (1 << expected) | expr_bits(*desired),
                    ok.map_or(0, |d| 1 << d),
                    vec![pc + 1],
                ),
                Op::Set { dst, val } => (expr_bits(*val), 1 << dst, vec![pc + 1]),
                Op::JumpUnless { cond, target } => (cond_bits(cond), 0, vec![pc + 1, *target]),
                Op::Jump(t) => (0, 0, vec![*t]),
                _ => (0, 0, vec![pc + 1]),
            };
            let out = succ.iter().fold(0, |acc, &j| acc | live[j.min(n)]);
            // A CAS both reads and (on failure) writes `expected`: it stays live through it.
            let v = uses | (out & !defs);
            if v != live[pc] {
                live[pc] = v;
                changed = true;
            }
        }
        if !changed {
            return live;
        }
    }
}

struct Walk<'a> {
    prog: &'a Program,
    thread: &'a Thread,
    ops: Vec<(Op, usize)>,
    lines: Vec<String>,
}

impl Walk<'_> {
    fn line(&mut self, depth: usize, text: String) -> usize {
        self.lines.push(format!("{}{text}", "    ".repeat(depth)));
        self.lines.len() - 1
    }

    fn block(&mut self, body: &[Stmt], depth: usize) -> Result<(), ModelError> {
        for s in body {
            self.stmt(s, depth)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt, depth: usize) -> Result<(), ModelError> {
        let text = self.prog.line_of(self.thread, s)?;
        match s {
            Stmt::Load { dst, var } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Load {
                        dst: *dst,
                        var: *var,
                    },
                    l,
                ));
            }
            Stmt::Store { var, val } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Store {
                        var: *var,
                        val: *val,
                    },
                    l,
                ));
            }
            Stmt::PlainIncr { var, tmp } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Load {
                        dst: *tmp,
                        var: *var,
                    },
                    l,
                ));
                self.ops.push((
                    Op::Store {
                        var: *var,
                        val: Expr::Add(Operand::Reg(*tmp), Operand::Const(1)),
                    },
                    l,
                ));
            }
            Stmt::FetchAdd { dst, var, delta } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::FetchAdd {
                        dst: *dst,
                        var: *var,
                        delta: *delta,
                    },
                    l,
                ));
            }
            Stmt::Exchange { dst, var, val } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Exchange {
                        dst: *dst,
                        var: *var,
                        val: *val,
                    },
                    l,
                ));
            }
            Stmt::Cas {
                ok,
                var,
                expected,
                desired,
            } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Cas {
                        ok: *ok,
                        var: *var,
                        expected: *expected,
                        desired: *desired,
                    },
                    l,
                ));
            }
            Stmt::Lock(m) => {
                let l = self.line(depth, text);
                self.ops.push((Op::Lock(*m), l));
            }
            Stmt::Unlock(m) => {
                let l = self.line(depth, text);
                self.ops.push((Op::Unlock(*m), l));
            }
            Stmt::Fence => {
                let l = self.line(depth, text);
                self.ops.push((Op::Fence, l));
            }
            Stmt::Wait { cv, mutex } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Wait {
                        cv: *cv,
                        mutex: *mutex,
                    },
                    l,
                ));
            }
            Stmt::Signal(cv) => {
                let l = self.line(depth, text);
                self.ops.push((Op::Signal(*cv), l));
            }
            Stmt::Broadcast(cv) => {
                let l = self.line(depth, text);
                self.ops.push((Op::Broadcast(*cv), l));
            }
            Stmt::SemWait(x) => {
                let l = self.line(depth, text);
                self.ops.push((Op::SemWait(*x), l));
            }
            Stmt::SemPost(x) => {
                let l = self.line(depth, text);
                self.ops.push((Op::SemPost(*x), l));
            }
            Stmt::Set { dst, val } => {
                let l = self.line(depth, text);
                self.ops.push((
                    Op::Set {
                        dst: *dst,
                        val: *val,
                    },
                    l,
                ));
            }
            Stmt::Comment(text) => {
                self.line(depth, format!("# {text}"));
            }
            Stmt::Critical(body) => {
                let l = self.line(depth, "# critical section".into());
                self.ops.push((Op::CsEnter, l));
                self.block(body, depth)?;
                let l = self.line(depth, "# end of critical section".into());
                self.ops.push((Op::CsExit, l));
            }
            Stmt::If { cond, then, els } => {
                let l = self.line(depth, format!("if ({})", self.prog.cond(self.thread, cond)));
                let jump_at = self.ops.len();
                self.ops.push((
                    Op::JumpUnless {
                        cond: cond.clone(),
                        target: 0,
                    },
                    l,
                ));
                self.block(then, depth + 1)?;
                if els.is_empty() {
                    let end = self.ops.len();
                    self.ops[jump_at].0 = Op::JumpUnless {
                        cond: cond.clone(),
                        target: end,
                    };
                } else {
                    let l = self.line(depth, "else".into());
                    let skip_at = self.ops.len();
                    self.ops.push((Op::Jump(0), l));
                    let else_start = self.ops.len();
                    self.ops[jump_at].0 = Op::JumpUnless {
                        cond: cond.clone(),
                        target: else_start,
                    };
                    self.block(els, depth + 1)?;
                    let end = self.ops.len();
                    self.ops[skip_at].0 = Op::Jump(end);
                }
            }
            Stmt::While { cond, body } => {
                let l = self.line(
                    depth,
                    format!("while ({})", self.prog.cond(self.thread, cond)),
                );
                let head = self.ops.len();
                self.ops.push((
                    Op::JumpUnless {
                        cond: cond.clone(),
                        target: 0,
                    },
                    l,
                ));
                self.block(body, depth + 1)?;
                self.ops.push((Op::Jump(head), l));
                let end = self.ops.len();
                self.ops[head].0 = Op::JumpUnless {
                    cond: cond.clone(),
                    target: end,
                };
            }
            Stmt::Repeat { times, body } => {
                self.line(depth, format!("for (i = 0; i < {times}; i++)"));
                let start = self.ops.len();
                self.block(body, depth + 1)?;
                let once: Vec<(Op, usize)> = self.ops[start..].to_vec();
                let len = once.len();
                for k in 1..*times as usize {
                    let shift = k * len;
                    for (op, l) in &once {
                        let op = match op {
                            Op::Jump(t) => Op::Jump(t + shift),
                            Op::JumpUnless { cond, target } => Op::JumpUnless {
                                cond: cond.clone(),
                                target: target + shift,
                            },
                            other => other.clone(),
                        };
                        self.ops.push((op, *l));
                    }
                }
                if *times == 0 {
                    self.ops.truncate(start);
                }
            }
            Stmt::DoWhile { body, cond } => {
                self.line(depth, "do".into());
                let head = self.ops.len();
                self.block(body, depth + 1)?;
                let l = self.line(
                    depth,
                    format!("while ({})", self.prog.cond(self.thread, cond)),
                );
                // Loop back while the condition holds: skip the back jump when it does not.
                let after = self.ops.len() + 2;
                self.ops.push((
                    Op::JumpUnless {
                        cond: cond.clone(),
                        target: after,
                    },
                    l,
                ));
                self.ops.push((Op::Jump(head), l));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The explorer.
// ---------------------------------------------------------------------------------------------

/// The memory model the explorer runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Memory {
    /// Sequential consistency: one memory, steps interleave (Lamport 1979).
    Sc,
    /// Operational x86-TSO: per-thread FIFO store buffers.
    Tso,
}

/// One transition of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The thread that moves (or whose store buffer drains).
    pub thread: u8,
    /// What moves.
    pub kind: StepKind,
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepKind {
    /// The thread runs its next operation; `choice` picks the woken thread of a signal.
    Run { choice: u8 },
    /// The oldest store in the thread's buffer reaches memory (x86-TSO).
    Flush,
    /// A woken waiter relocks its mutex.
    Relock,
}

/// Why a state is stuck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stuck {
    /// Every blocked thread waits for a mutex or a semaphore: a deadlock proper.
    Locks,
    /// Some thread sleeps on a condition variable nobody will signal (a lost wakeup).
    Sleeping,
}

/// A final outcome: the observables' values, with how it is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeInfo {
    /// Schedules that end in it (when the state graph is acyclic).
    pub schedules: Option<u128>,
    /// A shortest schedule that ends in it.
    pub witness: Vec<Step>,
}

/// What exhaustive exploration found.
#[derive(Debug, Clone)]
pub struct Explored {
    /// Reachable states.
    pub states: usize,
    /// Every final outcome (observables in declaration order).
    pub outcomes: BTreeMap<Vec<i64>, OutcomeInfo>,
    /// Stuck states: how many, and a shortest schedule to the first found, with its kind.
    pub deadlocks: usize,
    /// A shortest schedule into a stuck state, and why it is stuck.
    pub deadlock: Option<(Vec<Step>, Stuck)>,
    /// The most threads inside their critical sections at once.
    pub max_in_cs: u32,
    /// A shortest schedule reaching `max_in_cs`.
    pub max_in_cs_witness: Vec<Step>,
    /// Complete schedules (paths from the start to a final state), when the graph is acyclic.
    pub schedules: Option<u128>,
}

/// The exploration passed its state limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooBig {
    /// The limit that was passed.
    pub limit: usize,
}

/// Why exploration stopped without a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExploreError {
    /// Past the state limit.
    TooBig(TooBig),
    /// A malformed program.
    Model(ModelError),
}

impl std::fmt::Display for ExploreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExploreError::TooBig(t) => write!(f, "more than {} reachable states", t.limit),
            ExploreError::Model(m) => write!(f, "malformed program: {m}"),
        }
    }
}

impl From<ModelError> for ExploreError {
    fn from(m: ModelError) -> Self {
        ExploreError::Model(m)
    }
}

/// A fast, deterministic hasher for states (FxHash's multiply-rotate; states are not
/// attacker-controlled).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i32(&mut self, v: i32) {
        self.write_u64(v as u32 as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Where each part of a state lives in its flat vector.
#[derive(Debug, Clone)]
struct Layout {
    threads: usize,
    regs: usize,
    cap: usize,
    pc: usize,
    reg: usize,
    mem: usize,
    owner: usize,
    sem: usize,
    wait: usize,
    cs: usize,
    buf: usize,
    len: usize,
}

/// A state, flattened: pcs, registers, memory, mutex owners (0 free, t + 1), semaphores, wait
/// status per thread (0 running, 1 + cv asleep, −1 − m relocking m), critical-section bits,
/// then per thread a store buffer (length, then (var, value) pairs).
type State = Vec<i32>;

struct Machine<'a> {
    prog: &'a Program,
    code: &'a Compiled,
    lay: Layout,
    memory: Memory,
}

impl<'a> Machine<'a> {
    fn new(prog: &'a Program, code: &'a Compiled, memory: Memory) -> Machine<'a> {
        let t = prog.threads.len();
        let cap = match memory {
            Memory::Sc => 0,
            Memory::Tso => code
                .threads
                .iter()
                .map(|th| {
                    th.ops
                        .iter()
                        .filter(|(o, _)| matches!(o, Op::Store { .. }))
                        .count()
                })
                .max()
                .unwrap_or(0)
                .max(1),
        };
        let pc = 0;
        let reg = pc + t;
        let mem = reg + t * code.regs;
        let owner = mem + prog.vars.len();
        let sem = owner + prog.mutexes.len();
        let wait = sem + prog.sems.len();
        let cs = wait + t;
        let buf = cs + 1;
        let len = buf + t * (1 + 2 * cap);
        Machine {
            prog,
            code,
            lay: Layout {
                threads: t,
                regs: code.regs,
                cap,
                pc,
                reg,
                mem,
                owner,
                sem,
                wait,
                cs,
                buf,
                len,
            },
            memory,
        }
    }

    fn initial(&self) -> Result<State, ModelError> {
        let l = &self.lay;
        let mut s = vec![0; l.len];
        for (i, v) in self.prog.vars.iter().enumerate() {
            s[l.mem + i] = v.init as i32;
        }
        for (i, (_, n)) in self.prog.sems.iter().enumerate() {
            s[l.sem + i] = *n as i32;
        }
        for t in 0..l.threads {
            self.settle(&mut s, t)?;
        }
        Ok(s)
    }

    fn operand(&self, s: &State, t: usize, o: Operand) -> i32 {
        match o {
            Operand::Const(v) => v as i32,
            Operand::Reg(r) => s[self.lay.reg + t * self.lay.regs + r as usize],
        }
    }

    fn expr(&self, s: &State, t: usize, x: Expr) -> i32 {
        match x {
            Expr::Op(a) => self.operand(s, t, a),
            Expr::Add(a, b) => self.operand(s, t, a).wrapping_add(self.operand(s, t, b)),
            Expr::Mul(a, b) => self.operand(s, t, a).wrapping_mul(self.operand(s, t, b)),
        }
    }

    fn cond(&self, s: &State, t: usize, c: &Cond) -> bool {
        match c {
            Cond::Cmp(a, op, b) => {
                let (a, b) = (self.operand(s, t, *a), self.operand(s, t, *b));
                match op {
                    Cmp::Eq => a == b,
                    Cmp::Ne => a != b,
                    Cmp::Lt => a < b,
                    Cmp::Ge => a >= b,
                }
            }
            Cond::And(a, b) => self.cond(s, t, a) && self.cond(s, t, b),
            Cond::Or(a, b) => self.cond(s, t, a) || self.cond(s, t, b),
        }
    }

    fn set_reg(&self, s: &mut State, t: usize, r: Reg, v: i32) {
        s[self.lay.reg + t * self.lay.regs + r as usize] = v;
    }

    /// Runs thread `t`'s register-only operations up to its next step.
    fn settle(&self, s: &mut State, t: usize) -> Result<(), ModelError> {
        let ops = &self.code.threads[t].ops;
        for _ in 0..100_000 {
            let pc = s[self.lay.pc + t] as usize;
            let Some((op, _)) = ops.get(pc).filter(|(op, _)| !op.takes_step()) else {
                let live = self.code.live[t][pc.min(ops.len())];
                for r in 0..self.lay.regs {
                    if live & (1 << r) == 0 {
                        s[self.lay.reg + t * self.lay.regs + r] = 0;
                    }
                }
                return Ok(());
            };
            let mut next = pc + 1;
            match op {
                Op::Set { dst, val } => {
                    let v = self.expr(s, t, *val);
                    self.set_reg(s, t, *dst, v);
                }
                Op::JumpUnless { cond, target } if !self.cond(s, t, cond) => next = *target,
                Op::Jump(target) => next = *target,
                Op::CsEnter => s[self.lay.cs] |= 1 << t,
                _ => {}
            }
            s[self.lay.pc + t] = next as i32;
        }
        Err(ModelError(format!(
            "thread {} loops without touching shared memory",
            self.prog.threads[t].name
        )))
    }

    fn buf_len(&self, s: &State, t: usize) -> usize {
        s[self.lay.buf + t * (1 + 2 * self.lay.cap)] as usize
    }

    /// The value thread `t` reads from `var`: its newest buffered store, else memory.
    fn read(&self, s: &State, t: usize, var: Var) -> i32 {
        let base = self.lay.buf + t * (1 + 2 * self.lay.cap);
        let n = s[base] as usize;
        for i in (0..n).rev() {
            if s[base + 1 + 2 * i] == var as i32 {
                return s[base + 2 + 2 * i];
            }
        }
        s[self.lay.mem + var as usize]
    }

    fn write(&self, s: &mut State, t: usize, var: Var, v: i32) -> Result<(), ModelError> {
        match self.memory {
            Memory::Sc => s[self.lay.mem + var as usize] = v,
            Memory::Tso => {
                let base = self.lay.buf + t * (1 + 2 * self.lay.cap);
                let n = s[base] as usize;
                if n >= self.lay.cap {
                    return Err(ModelError("store buffer overflow".into()));
                }
                s[base + 1 + 2 * n] = var as i32;
                s[base + 2 + 2 * n] = v;
                s[base] += 1;
            }
        }
        Ok(())
    }

    fn flush_one(&self, s: &mut State, t: usize) {
        let base = self.lay.buf + t * (1 + 2 * self.lay.cap);
        let n = s[base] as usize;
        if n == 0 {
            return;
        }
        let (var, v) = (s[base + 1] as usize, s[base + 2]);
        s[self.lay.mem + var] = v;
        for i in 1..n {
            s[base + 1 + 2 * (i - 1)] = s[base + 1 + 2 * i];
            s[base + 2 + 2 * (i - 1)] = s[base + 2 + 2 * i];
        }
        s[base + 1 + 2 * (n - 1)] = 0;
        s[base + 2 + 2 * (n - 1)] = 0;
        s[base] -= 1;
    }

    fn done(&self, s: &State, t: usize) -> bool {
        s[self.lay.pc + t] as usize >= self.code.threads[t].ops.len() && s[self.lay.wait + t] == 0
    }

    fn is_final(&self, s: &State) -> bool {
        (0..self.lay.threads).all(|t| self.done(s, t) && self.buf_len(s, t) == 0)
    }

    /// Every transition out of `s`, in a fixed order (thread by thread; a thread's flush after
    /// its own step).
    fn successors(&self, s: &State, out: &mut Vec<(Step, State)>) -> Result<(), ModelError> {
        out.clear();
        let l = &self.lay;
        for t in 0..l.threads {
            let w = s[l.wait + t];
            if w < 0 {
                // Relocking after a wakeup.
                let m = (-w - 1) as usize;
                if s[l.owner + m] == 0 && (self.memory == Memory::Sc || self.buf_len(s, t) == 0) {
                    let mut n = s.clone();
                    n[l.owner + m] = t as i32 + 1;
                    n[l.wait + t] = 0;
                    self.settle(&mut n, t)?;
                    out.push((
                        Step {
                            thread: t as u8,
                            kind: StepKind::Relock,
                        },
                        n,
                    ));
                }
            } else if w == 0 {
                self.run(s, t, out)?;
            }
            if self.memory == Memory::Tso && self.buf_len(s, t) > 0 {
                let mut n = s.clone();
                self.flush_one(&mut n, t);
                out.push((
                    Step {
                        thread: t as u8,
                        kind: StepKind::Flush,
                    },
                    n,
                ));
            }
        }
        Ok(())
    }

    /// Thread `t` runs its next operation, if it can.
    fn run(&self, s: &State, t: usize, out: &mut Vec<(Step, State)>) -> Result<(), ModelError> {
        let l = &self.lay;
        let pc = s[l.pc + t] as usize;
        let Some((op, _)) = self.code.threads[t].ops.get(pc) else {
            return Ok(());
        };
        let drained = self.memory == Memory::Sc || self.buf_len(s, t) == 0;
        let step = |choice: u8| Step {
            thread: t as u8,
            kind: StepKind::Run { choice },
        };
        let mut n = s.clone();
        n[l.pc + t] = pc as i32 + 1;
        match op {
            Op::Load { dst, var } => {
                let v = self.read(s, t, *var);
                self.set_reg(&mut n, t, *dst, v);
            }
            Op::Store { var, val } => {
                let v = self.expr(s, t, *val);
                self.write(&mut n, t, *var, v)?;
            }
            Op::FetchAdd { dst, var, delta } => {
                if !drained {
                    return Ok(());
                }
                let old = n[l.mem + *var as usize];
                n[l.mem + *var as usize] = old.wrapping_add(*delta as i32);
                if let Some(d) = dst {
                    self.set_reg(&mut n, t, *d, old);
                }
            }
            Op::Exchange { dst, var, val } => {
                if !drained {
                    return Ok(());
                }
                let old = n[l.mem + *var as usize];
                n[l.mem + *var as usize] = self.expr(s, t, *val);
                if let Some(d) = dst {
                    self.set_reg(&mut n, t, *d, old);
                }
            }
            Op::Cas {
                ok,
                var,
                expected,
                desired,
            } => {
                if !drained {
                    return Ok(());
                }
                let cur = n[l.mem + *var as usize];
                let want = self.operand(s, t, Operand::Reg(*expected));
                let success = cur == want;
                if success {
                    n[l.mem + *var as usize] = self.expr(s, t, *desired);
                } else {
                    self.set_reg(&mut n, t, *expected, cur);
                }
                if let Some(d) = ok {
                    self.set_reg(&mut n, t, *d, success as i32);
                }
            }
            Op::Lock(m) => {
                if !drained || s[l.owner + *m as usize] != 0 {
                    return Ok(());
                }
                n[l.owner + *m as usize] = t as i32 + 1;
            }
            Op::Unlock(m) => {
                if !drained {
                    return Ok(());
                }
                if s[l.owner + *m as usize] != t as i32 + 1 {
                    return Err(ModelError(format!(
                        "{} unlocks {} without holding it",
                        self.prog.threads[t].name, self.prog.mutexes[*m as usize]
                    )));
                }
                n[l.owner + *m as usize] = 0;
            }
            Op::Fence => {
                if !drained {
                    return Ok(());
                }
            }
            Op::Wait { cv, mutex } => {
                if !drained {
                    return Ok(());
                }
                if s[l.owner + *mutex as usize] != t as i32 + 1 {
                    return Err(ModelError(format!(
                        "{} waits without holding {}",
                        self.prog.threads[t].name, self.prog.mutexes[*mutex as usize]
                    )));
                }
                n[l.owner + *mutex as usize] = 0;
                n[l.wait + t] = 1 + *cv as i32;
                // The thread sleeps; it settles after relocking.
                out.push((step(0), n));
                return Ok(());
            }
            Op::Signal(cv) | Op::Broadcast(cv) => {
                if !drained {
                    return Ok(());
                }
                let waiters: Vec<usize> = (0..l.threads)
                    .filter(|&u| s[l.wait + u] == 1 + *cv as i32)
                    .collect();
                let relock = |n: &mut State, u: usize| {
                    // Find the mutex the waiter passed to its wait: the op before its pc.
                    let upc = s[l.pc + u] as usize;
                    if let Some((Op::Wait { mutex, .. }, _)) =
                        self.code.threads[u].ops.get(upc.wrapping_sub(1))
                    {
                        n[l.wait + u] = -1 - *mutex as i32;
                    }
                };
                if matches!(op, Op::Broadcast(_)) || waiters.len() <= 1 {
                    for &u in &waiters {
                        relock(&mut n, u);
                    }
                    self.settle(&mut n, t)?;
                    out.push((step(0), n));
                } else {
                    for (i, &u) in waiters.iter().enumerate() {
                        let mut m = n.clone();
                        relock(&mut m, u);
                        self.settle(&mut m, t)?;
                        out.push((step(i as u8), m));
                    }
                }
                return Ok(());
            }
            Op::SemWait(x) => {
                if !drained || s[l.sem + *x as usize] <= 0 {
                    return Ok(());
                }
                n[l.sem + *x as usize] -= 1;
            }
            Op::SemPost(x) => {
                if !drained {
                    return Ok(());
                }
                n[l.sem + *x as usize] += 1;
            }
            Op::CsExit => n[l.cs] &= !(1 << t),
            _ => return Ok(()),
        }
        self.settle(&mut n, t)?;
        out.push((step(0), n));
        Ok(())
    }

    fn outcome(&self, s: &State) -> Vec<i64> {
        self.prog
            .observe
            .iter()
            .map(|o| match *o {
                Obs::Var(v) => s[self.lay.mem + v as usize] as i64,
                Obs::Reg(t, r) => s[self.lay.reg + t as usize * self.lay.regs + r as usize] as i64,
            })
            .collect()
    }

    fn stuck_kind(&self, s: &State) -> Stuck {
        if (0..self.lay.threads).any(|t| s[self.lay.wait + t] > 0) {
            Stuck::Sleeping
        } else {
            Stuck::Locks
        }
    }
}

/// Explores every schedule of `prog` under `memory`, visiting at most `limit` states.
pub fn explore(prog: &Program, memory: Memory, limit: usize) -> Result<Explored, ExploreError> {
    let code = prog.compile()?;
    if prog.threads.len() > 16 {
        return Err(ModelError("at most 16 threads".into()).into());
    }
    let m = Machine::new(prog, &code, memory);
    let init = m.initial()?;
    let mut index: FxMap<State, u32> = FxMap::default();
    let mut states: Vec<State> = vec![init.clone()];
    let mut parent: Vec<(u32, Step)> = vec![(
        u32::MAX,
        Step {
            thread: 0,
            kind: StepKind::Flush,
        },
    )];
    let mut edges: Vec<Vec<u32>> = Vec::new();
    index.insert(init, 0);
    let mut queue = VecDeque::from([0u32]);
    let mut succ = Vec::new();
    let mut finals = Vec::new();
    let mut deadlocks = 0;
    let mut deadlock = None;
    let (mut max_cs, mut max_cs_at) = (0u32, 0u32);
    while let Some(i) = queue.pop_front() {
        let s = states[i as usize].clone();
        let cs = (s[m.lay.cs] as u32).count_ones();
        if cs > max_cs {
            max_cs = cs;
            max_cs_at = i;
        }
        m.successors(&s, &mut succ)?;
        let mut out = Vec::with_capacity(succ.len());
        if succ.is_empty() {
            if m.is_final(&s) {
                finals.push(i);
            } else {
                deadlocks += 1;
                if deadlock.is_none() {
                    deadlock = Some((i, m.stuck_kind(&s)));
                }
            }
        }
        for (step, n) in succ.drain(..) {
            let j = match index.get(&n) {
                Some(j) => *j,
                None => {
                    if states.len() >= limit {
                        return Err(ExploreError::TooBig(TooBig { limit }));
                    }
                    let j = states.len() as u32;
                    states.push(n.clone());
                    parent.push((i, step));
                    index.insert(n, j);
                    queue.push_back(j);
                    j
                }
            };
            out.push(j);
        }
        if edges.len() <= i as usize {
            edges.resize(i as usize + 1, Vec::new());
        }
        edges[i as usize] = out;
    }
    edges.resize(states.len(), Vec::new());
    let witness = |mut i: u32| {
        let mut w = Vec::new();
        while parent[i as usize].0 != u32::MAX {
            w.push(parent[i as usize].1);
            i = parent[i as usize].0;
        }
        w.reverse();
        w
    };
    // Paths from the start, in topological order (Kahn); None when there is a cycle.
    let paths = {
        let mut indeg = vec![0u32; states.len()];
        for e in &edges {
            for &j in e {
                indeg[j as usize] += 1;
            }
        }
        let mut ready: Vec<u32> = vec![0];
        let mut count = vec![0u128; states.len()];
        count[0] = 1;
        let mut seen = 0;
        while let Some(i) = ready.pop() {
            seen += 1;
            for &j in &edges[i as usize] {
                count[j as usize] = count[j as usize].saturating_add(count[i as usize]);
                indeg[j as usize] -= 1;
                if indeg[j as usize] == 0 {
                    ready.push(j);
                }
            }
        }
        (seen == states.len()).then_some(count)
    };
    let mut outcomes: BTreeMap<Vec<i64>, OutcomeInfo> = BTreeMap::new();
    for &f in &finals {
        let o = m.outcome(&states[f as usize]);
        let n = paths.as_ref().map(|p| p[f as usize]);
        match outcomes.get_mut(&o) {
            Some(info) => {
                info.schedules = match (info.schedules, n) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                }
            }
            None => {
                outcomes.insert(
                    o,
                    OutcomeInfo {
                        schedules: n,
                        witness: witness(f),
                    },
                );
            }
        }
    }
    let schedules = paths.map(|p| finals.iter().map(|f| p[*f as usize]).sum());
    Ok(Explored {
        states: states.len(),
        outcomes,
        deadlocks,
        deadlock: deadlock.map(|(i, k)| (witness(i), k)),
        max_in_cs: max_cs,
        max_in_cs_witness: witness(max_cs_at),
        schedules,
    })
}

/// A schedule in words, one step per row: thread, the line it runs, and what happened (the value
/// a load read, the store buffer, a wakeup). Replays the steps from the start.
pub fn describe(
    prog: &Program,
    memory: Memory,
    steps: &[Step],
) -> Result<Vec<[String; 3]>, ModelError> {
    let code = prog.compile()?;
    let m = Machine::new(prog, &code, memory);
    let mut s = m.initial()?;
    let mut succ = Vec::new();
    let mut rows = Vec::new();
    for st in steps {
        let t = st.thread as usize;
        let name = prog.threads[t].name.clone();
        let pc = s[m.lay.pc + t] as usize;
        m.successors(&s, &mut succ)?;
        let Some((_, next)) = succ.iter().find(|(x, _)| x == st) else {
            return Err(ModelError(format!("step {st:?} is not enabled")));
        };
        let (line, what) = match st.kind {
            StepKind::Flush => {
                let base = m.lay.buf + t * (1 + 2 * m.lay.cap);
                let var = s[base + 1] as usize;
                (
                    "(store buffer)".to_string(),
                    format!("`{} = {}` reaches memory", prog.vars[var].name, s[base + 2]),
                )
            }
            StepKind::Relock => {
                let w = s[m.lay.wait + t];
                (
                    "(wakes up)".to_string(),
                    format!("relocks `{}`", prog.mutexes[(-w - 1) as usize]),
                )
            }
            StepKind::Run { .. } => {
                let (op, l) = &code.threads[t].ops[pc];
                let line = format!("`{}`", code.threads[t].lines[*l].trim());
                let what = match op {
                    Op::Load { dst, var } => {
                        let v = next[m.lay.reg + t * m.lay.regs + *dst as usize];
                        let from = if memory == Memory::Tso
                            && m.read(&s, t, *var) != s[m.lay.mem + *var as usize]
                        {
                            " (from its own store buffer)"
                        } else {
                            ""
                        };
                        format!("reads `{}` = {v}{from}", prog.vars[*var as usize].name)
                    }
                    Op::Store { var, .. } => {
                        let name = &prog.vars[*var as usize].name;
                        if memory == Memory::Tso {
                            let base = m.lay.buf + t * (1 + 2 * m.lay.cap);
                            let k = next[base] as usize;
                            format!(
                                "buffers `{name} = {}` (not yet visible to others)",
                                next[base + 2 * k]
                            )
                        } else {
                            format!("writes `{name} = {}`", next[m.lay.mem + *var as usize])
                        }
                    }
                    Op::FetchAdd { var, .. } | Op::Exchange { var, .. } | Op::Cas { var, .. } => {
                        format!(
                            "`{}`: {} → {}",
                            prog.vars[*var as usize].name,
                            s[m.lay.mem + *var as usize],
                            next[m.lay.mem + *var as usize]
                        )
                    }
                    Op::Lock(_) => "acquires the lock".into(),
                    Op::Unlock(_) => "releases the lock".into(),
                    Op::CsExit => "leaves its critical section".into(),
                    Op::Fence => "its store buffer is empty; continues".into(),
                    Op::Wait { .. } => "releases the lock and sleeps".into(),
                    Op::Signal(_) | Op::Broadcast(_) => {
                        let woken: Vec<String> = (0..m.lay.threads)
                            .filter(|&u| s[m.lay.wait + u] > 0 && next[m.lay.wait + u] < 0)
                            .map(|u| prog.threads[u].name.clone())
                            .collect();
                        if woken.is_empty() {
                            "nobody is waiting: the wakeup is lost".into()
                        } else {
                            format!("wakes {}", woken.join(", "))
                        }
                    }
                    Op::SemWait(x) => format!(
                        "`{}`: {} → {}",
                        prog.sems[*x as usize].0,
                        s[m.lay.sem + *x as usize],
                        next[m.lay.sem + *x as usize]
                    ),
                    Op::SemPost(x) => format!(
                        "`{}`: {} → {}",
                        prog.sems[*x as usize].0,
                        s[m.lay.sem + *x as usize],
                        next[m.lay.sem + *x as usize]
                    ),
                    _ => String::new(),
                };
                (line, what)
            }
        };
        rows.push([name, line, what]);
        s = next.clone();
    }
    Ok(rows)
}

/// The number of steps each thread takes, for straight-line threads (no loops, branches or
/// blocking): `None` when a thread has control flow.
pub fn straight_line_steps(prog: &Program) -> Option<Vec<usize>> {
    let code = prog.compile().ok()?;
    code.threads
        .iter()
        .map(|t| {
            if t.ops
                .iter()
                .any(|(o, _)| matches!(o, Op::JumpUnless { .. } | Op::Jump(_)))
            {
                None
            } else {
                Some(t.ops.iter().filter(|(o, _)| o.takes_step()).count())
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two threads of `m` and `n` independent stores.
    fn stores(m: usize, n: usize) -> Program {
        let mut p = Program::default();
        let x = p.var("x", 0, false);
        let y = p.var("y", 0, false);
        p.thread(
            "T0",
            &[],
            (0..m)
                .map(|i| Stmt::Store {
                    var: x,
                    val: e(c(i as i64)),
                })
                .collect(),
        );
        p.thread(
            "T1",
            &[],
            (0..n)
                .map(|i| Stmt::Store {
                    var: y,
                    val: e(c(i as i64)),
                })
                .collect(),
        );
        p
    }

    #[test]
    fn interleaving_counts_are_binomial() {
        // (m+n)!/(m!·n!): C(4,2) = 6, C(6,3) = 20, C(7,3) = 35, C(8,4) = 70 (any combinatorics
        // text; OSTEP ch. 26 draws the 2-and-2 case).
        for (m, n, want) in [(2, 2, 6u128), (3, 3, 20), (4, 3, 35), (4, 4, 70), (1, 5, 6)] {
            let ex = explore(&stores(m, n), Memory::Sc, 100_000).unwrap();
            assert_eq!(ex.schedules, Some(want), "{m} and {n}");
        }
        // Three threads of 2 steps: 6!/(2!·2!·2!) = 90.
        let mut p = stores(2, 2);
        let z = p.var("z", 0, false);
        p.thread(
            "T2",
            &[],
            vec![
                Stmt::Store {
                    var: z,
                    val: e(c(1))
                };
                2
            ],
        );
        assert_eq!(
            explore(&p, Memory::Sc, 100_000).unwrap().schedules,
            Some(90)
        );
    }

    /// Store buffering (SB): T0: x = 1; r0 = y. T1: y = 1; r1 = x.
    pub(crate) fn sb(fence: bool) -> Program {
        let mut p = Program {
            x86: true,
            ..Program::default()
        };
        let x = p.var("x", 0, false);
        let y = p.var("y", 0, false);
        for (name, mine, other) in [("T0", x, y), ("T1", y, x)] {
            let mut body = vec![Stmt::Store {
                var: mine,
                val: e(c(1)),
            }];
            if fence {
                body.push(Stmt::Fence);
            }
            body.push(Stmt::Load { dst: 0, var: other });
            p.thread(name, &["r"], body);
        }
        p.observe = vec![Obs::Reg(0, 0), Obs::Reg(1, 0)];
        p
    }

    #[test]
    fn store_buffering_under_sc_tso_and_mfence() {
        // Owens, Sarkar, Sewell 2009 (x86-TSO), and the Intel SDM vol. 3A §8.2.3.4 "Loads may be
        // reordered with earlier stores to different locations": r0 = r1 = 0 is forbidden
        // under SC, allowed on x86, and forbidden again with MFENCE between store and load
        // (§8.2.3.9 / the x86-TSO paper's SB+mfences).
        let relaxed = vec![0, 0];
        let sc = explore(&sb(false), Memory::Sc, 10_000).unwrap();
        assert_eq!(sc.outcomes.len(), 3);
        assert!(!sc.outcomes.contains_key(&relaxed));
        let tso = explore(&sb(false), Memory::Tso, 10_000).unwrap();
        assert_eq!(tso.outcomes.len(), 4);
        assert!(tso.outcomes.contains_key(&relaxed));
        let fenced = explore(&sb(true), Memory::Tso, 10_000).unwrap();
        assert_eq!(fenced.outcomes.len(), 3);
        assert!(!fenced.outcomes.contains_key(&relaxed));
        // The witness of the relaxed outcome replays: both loads read memory before either
        // buffered store drains.
        let rows = describe(&sb(false), Memory::Tso, &tso.outcomes[&relaxed].witness).unwrap();
        assert!(rows.iter().any(|r| r[2].contains("buffers")));
    }

    /// Message passing (MP): T0: data = 1; flag = 1. T1: r0 = flag; r1 = data.
    fn mp() -> Program {
        let mut p = Program {
            x86: true,
            ..Program::default()
        };
        let data = p.var("data", 0, false);
        let flag = p.var("flag", 0, false);
        p.thread(
            "T0",
            &[],
            vec![
                Stmt::Store {
                    var: data,
                    val: e(c(1)),
                },
                Stmt::Store {
                    var: flag,
                    val: e(c(1)),
                },
            ],
        );
        p.thread(
            "T1",
            &["r0", "r1"],
            vec![
                Stmt::Load { dst: 0, var: flag },
                Stmt::Load { dst: 1, var: data },
            ],
        );
        p.observe = vec![Obs::Reg(1, 0), Obs::Reg(1, 1)];
        p
    }

    #[test]
    fn message_passing_holds_under_tso() {
        // x86-TSO keeps stores in order (FIFO buffers) and loads in order, so r0 = 1, r1 = 0
        // is forbidden on x86 (Intel SDM §8.2.3.2; the x86-TSO paper's MP test).
        for mem in [Memory::Sc, Memory::Tso] {
            let ex = explore(&mp(), mem, 10_000).unwrap();
            assert_eq!(ex.outcomes.len(), 3, "{mem:?}");
            assert!(!ex.outcomes.contains_key(&vec![1, 0]), "{mem:?}");
        }
    }

    /// Peterson's lock (Peterson 1981) around an empty critical section, with an optional
    /// fence between `turn = other` and the spin loop.
    pub(crate) fn peterson(fence: bool) -> Program {
        let mut p = Program {
            x86: true,
            ..Program::default()
        };
        let flag = [p.var("flag0", 0, false), p.var("flag1", 0, false)];
        let turn = p.var("turn", 0, false);
        for me in 0..2usize {
            let other = 1 - me;
            let mut body = vec![
                Stmt::Store {
                    var: flag[me],
                    val: e(c(1)),
                },
                Stmt::Store {
                    var: turn,
                    val: e(c(other as i64)),
                },
            ];
            if fence {
                body.push(Stmt::Fence);
            }
            body.push(Stmt::DoWhile {
                body: vec![
                    Stmt::Load {
                        dst: 0,
                        var: flag[other],
                    },
                    Stmt::Load { dst: 1, var: turn },
                ],
                cond: Cond::And(
                    Box::new(eq(r(0), c(1))),
                    Box::new(eq(r(1), c(other as i64))),
                ),
            });
            body.push(Stmt::Critical(vec![Stmt::Comment("work".into())]));
            body.push(Stmt::Store {
                var: flag[me],
                val: e(c(0)),
            });
            p.thread(&format!("T{me}"), &["f", "t"], body);
        }
        p
    }

    #[test]
    fn peterson_is_correct_under_sc_and_broken_under_tso() {
        // Peterson 1981 proves mutual exclusion under SC; on x86 the store to turn can sit in
        // the buffer while the loads run, so both threads enter (Owens et al. 2009 and the
        // Intel SDM's store-load reordering; McKenney, "Memory Barriers: a Hardware View").
        // An mfence after the stores restores it.
        let sc = explore(&peterson(false), Memory::Sc, 100_000).unwrap();
        assert_eq!(sc.max_in_cs, 1);
        assert_eq!(sc.deadlocks, 0);
        let tso = explore(&peterson(false), Memory::Tso, 100_000).unwrap();
        assert_eq!(tso.max_in_cs, 2);
        let fenced = explore(&peterson(true), Memory::Tso, 100_000).unwrap();
        assert_eq!(fenced.max_in_cs, 1);
    }

    #[test]
    fn opposite_lock_orders_deadlock_and_a_common_order_does_not() {
        // The textbook deadlock (Coffman et al. 1971; OSTEP ch. 32): T0 locks a then b, T1
        // locks b then a.
        let prog = |swap: bool| {
            let mut p = Program::default();
            let a = p.mutex("a");
            let b = p.mutex("b");
            let take = |x: u8, y: u8| {
                vec![
                    Stmt::Lock(x),
                    Stmt::Lock(y),
                    Stmt::Unlock(y),
                    Stmt::Unlock(x),
                ]
            };
            p.thread("T0", &[], take(a, b));
            p.thread("T1", &[], if swap { take(b, a) } else { take(a, b) });
            p
        };
        let bad = explore(&prog(true), Memory::Sc, 10_000).unwrap();
        assert!(bad.deadlocks > 0);
        assert_eq!(bad.deadlock.as_ref().unwrap().1, Stuck::Locks);
        assert_eq!(bad.deadlock.as_ref().unwrap().0.len(), 2);
        assert_eq!(
            explore(&prog(false), Memory::Sc, 10_000).unwrap().deadlocks,
            0
        );
    }

    #[test]
    fn a_signal_before_the_wait_is_lost() {
        // Waiting without checking a predicate: if the signal comes first, the waiter sleeps
        // forever (the lost wakeup, OSTEP ch. 30).
        let mut p = Program::default();
        let m = p.mutex("m");
        let cv = p.condvar("cv");
        p.thread(
            "T0",
            &[],
            vec![Stmt::Lock(m), Stmt::Wait { cv, mutex: m }, Stmt::Unlock(m)],
        );
        p.thread(
            "T1",
            &[],
            vec![Stmt::Lock(m), Stmt::Signal(cv), Stmt::Unlock(m)],
        );
        let ex = explore(&p, Memory::Sc, 10_000).unwrap();
        assert_eq!(ex.deadlock.as_ref().unwrap().1, Stuck::Sleeping);
        assert_eq!(ex.outcomes.len(), 1, "the other order finishes");
    }

    #[test]
    fn too_many_states_is_an_error_not_a_hang() {
        let e = explore(&stores(8, 8), Memory::Sc, 50).unwrap_err();
        assert_eq!(e, ExploreError::TooBig(TooBig { limit: 50 }));
    }

    #[test]
    fn rendering_matches_the_house_style() {
        let text = peterson(true).render().unwrap();
        assert!(text.contains("thread T0:\n    flag0 = 1\n    turn = 1\n    mfence()\n    do\n        f = flag1\n        t = turn\n    while (f == 1 && t == 1)"), "{text}");
        assert!(!text.contains(';') && !text.contains('{'));
    }
}
