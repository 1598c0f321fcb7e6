//! A second route for the memory-ordering families: the *axiomatic* models of sequential
//! consistency and x86-TSO, which share no code with the operational explorer in
//! [`super::model`].
//!
//! For a straight-line program (loads, stores of constants, `mfence`, `atomic_exchange`), it
//! enumerates candidate executions: for every load, the store it reads from (`rf`: the initial
//! value or any store to the same variable), and for every variable a total order of its stores
//! (`co`, the coherence order, after the initial value). From-reads `fr` = rf⁻¹; co. A candidate
//! is allowed when:
//! - every load's value is its source store's value (by construction);
//! - **SC per location**: po-loc ∪ rf ∪ co ∪ fr is acyclic (both models);
//! - **SC** (Lamport 1979; Shasha and Snir 1988): po ∪ rf ∪ co ∪ fr is acyclic;
//! - **x86-TSO** (Owens, Sarkar and Sewell, TPHOLs 2009, §3; herd's `x86tso.cat`): ppo ∪ rfe ∪
//!   co ∪ fr ∪ implied is acyclic, where ppo is program order without store→load pairs, rfe is
//!   rf between different threads (a thread may read its own buffered store early), and
//!   `implied` restores store→load order across an `mfence` or a locked instruction;
//! - **atomicity** of a locked read-modify-write: no store to its variable falls between the
//!   store it reads and its own store in co.
//!
//! Operational and axiomatic x86-TSO are proved equivalent in the paper above, so two
//! independently written models agreeing on every outcome is a strong check of both.

use super::model::{Expr, Memory, Obs, Operand, Program, Stmt};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Read { reg: u8 },
    Write { val: i64 },
    Fence,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    thread: usize,
    var: usize,
    kind: Kind,
    /// Part of a locked read-modify-write (its read and write share an `rmw` id).
    rmw: Option<usize>,
}

/// Why a program is outside what the axiomatic route handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

fn events(prog: &Program) -> Result<Vec<Vec<Event>>, Unsupported> {
    let mut rmw = 0;
    let mut out = Vec::new();
    for (t, th) in prog.threads.iter().enumerate() {
        let mut evs = Vec::new();
        for s in &th.body {
            match s {
                Stmt::Load { dst, var } => evs.push(Event {
                    thread: t,
                    var: *var as usize,
                    kind: Kind::Read { reg: *dst },
                    rmw: None,
                }),
                Stmt::Store {
                    var,
                    val: Expr::Op(Operand::Const(v)),
                } => evs.push(Event {
                    thread: t,
                    var: *var as usize,
                    kind: Kind::Write { val: *v },
                    rmw: None,
                }),
                Stmt::Exchange {
                    dst,
                    var,
                    val: Expr::Op(Operand::Const(v)),
                } => {
                    // A register that is never observed still needs a slot: use 255.
                    let reg = dst.unwrap_or(255);
                    for kind in [Kind::Read { reg }, Kind::Write { val: *v }] {
                        evs.push(Event {
                            thread: t,
                            var: *var as usize,
                            kind,
                            rmw: Some(rmw),
                        });
                    }
                    rmw += 1;
                }
                Stmt::Fence => evs.push(Event {
                    thread: t,
                    var: usize::MAX,
                    kind: Kind::Fence,
                    rmw: None,
                }),
                Stmt::Comment(_) => {}
                other => return Err(Unsupported(format!("statement {other:?}"))),
            }
        }
        out.push(evs);
    }
    Ok(out)
}

/// Every permutation of `items`.
fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let x = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

fn acyclic(n: usize, edges: &[(usize, usize)]) -> bool {
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a == b {
            return false;
        }
        adj[a].push(b);
    }
    // 0 unvisited, 1 on the stack, 2 done.
    fn visit(v: usize, adj: &[Vec<usize>], color: &mut [u8]) -> bool {
        color[v] = 1;
        for &w in &adj[v] {
            if color[w] == 1 || (color[w] == 0 && !visit(w, adj, color)) {
                return false;
            }
        }
        color[v] = 2;
        true
    }
    let mut color = vec![0u8; n];
    (0..n).all(|v| color[v] != 0 || visit(v, &adj, &mut color))
}

/// Every outcome (the program's observables) the axiomatic model allows.
pub fn outcomes(prog: &Program, memory: Memory) -> Result<BTreeSet<Vec<i64>>, Unsupported> {
    let per_thread = events(prog)?;
    // Flatten; node ids: events, then one initial write per variable.
    let evs: Vec<Event> = per_thread.iter().flatten().copied().collect();
    let nv = prog.vars.len();
    let init = |v: usize| evs.len() + v;
    let n = evs.len() + nv;
    let reads: Vec<usize> = (0..evs.len())
        .filter(|&i| matches!(evs[i].kind, Kind::Read { .. }))
        .collect();
    let writes_to = |v: usize| -> Vec<usize> {
        (0..evs.len())
            .filter(|&i| evs[i].var == v && matches!(evs[i].kind, Kind::Write { .. }))
            .collect()
    };
    // Program order pairs (same thread, earlier → later).
    let mut po = Vec::new();
    let mut base = 0;
    for th in &per_thread {
        for i in 0..th.len() {
            for j in i + 1..th.len() {
                po.push((base + i, base + j));
            }
        }
        base += th.len();
    }
    let val_of = |w: usize| match w {
        w if w >= evs.len() => prog.vars[w - evs.len()].init,
        w => match evs[w].kind {
            Kind::Write { val } => val,
            _ => 0,
        },
    };
    // Choices: rf per read, co per variable.
    let rf_choices: Vec<Vec<usize>> = reads
        .iter()
        .map(|&rd| {
            let mut c = vec![init(evs[rd].var)];
            c.extend(writes_to(evs[rd].var));
            c
        })
        .collect();
    let co_choices: Vec<Vec<Vec<usize>>> = (0..nv).map(|v| permutations(&writes_to(v))).collect();
    let mut allowed = BTreeSet::new();
    let mut rf_pick = vec![0usize; reads.len()];
    loop {
        let mut co_pick = vec![0usize; nv];
        loop {
            // Build the relations.
            let rf: Vec<(usize, usize)> = reads
                .iter()
                .zip(&rf_pick)
                .enumerate()
                .map(|(k, (&rd, &p))| (rf_choices[k][p], rd))
                .collect();
            let mut co = Vec::new();
            let mut co_pos = vec![0usize; n];
            for v in 0..nv {
                let order = &co_choices[v][co_pick[v]];
                let mut chain = vec![init(v)];
                chain.extend(order.iter().copied());
                for (i, &a) in chain.iter().enumerate() {
                    co_pos[a] = i;
                    for &b in &chain[i + 1..] {
                        co.push((a, b));
                    }
                }
            }
            let mut fr = Vec::new();
            for &(w, rd) in &rf {
                for &(a, b) in &co {
                    if a == w {
                        fr.push((rd, b));
                    }
                }
            }
            // Atomicity: an RMW's write comes right after the store its read reads from.
            let atomic_ok = rf.iter().all(|&(w, rd)| match evs[rd].rmw {
                None => true,
                Some(id) => {
                    let wr = (0..evs.len())
                        .find(|&i| {
                            evs[i].rmw == Some(id) && matches!(evs[i].kind, Kind::Write { .. })
                        })
                        .expect("an rmw has a write");
                    co_pos[wr] == co_pos[w] + 1
                }
            });
            let same_loc =
                |a: usize, b: usize| evs[a].var == evs[b].var && evs[a].var != usize::MAX;
            let po_loc: Vec<_> = po
                .iter()
                .copied()
                .filter(|&(a, b)| same_loc(a, b))
                .collect();
            let com: Vec<(usize, usize)> = rf.iter().chain(&co).chain(&fr).copied().collect();
            let uniproc = acyclic(n, &[po_loc, com.clone()].concat());
            let model_ok = match memory {
                Memory::Sc => acyclic(n, &[po.clone(), com.clone()].concat()),
                Memory::Tso => {
                    let is_w = |i: usize| matches!(evs[i].kind, Kind::Write { .. });
                    let is_r = |i: usize| matches!(evs[i].kind, Kind::Read { .. });
                    let locked_or_fenced = |a: usize, b: usize| {
                        evs[a].rmw.is_some()
                            || evs[b].rmw.is_some()
                            || po.iter().any(|&(x, f)| {
                                x == a && evs[f].kind == Kind::Fence && po.contains(&(f, b))
                            })
                    };
                    let ppo: Vec<_> = po
                        .iter()
                        .copied()
                        .filter(|&(a, b)| {
                            evs[a].kind != Kind::Fence
                                && evs[b].kind != Kind::Fence
                                && (!(is_w(a) && is_r(b)) || locked_or_fenced(a, b))
                        })
                        .collect();
                    let rfe: Vec<_> = rf
                        .iter()
                        .copied()
                        .filter(|&(w, rd)| w >= evs.len() || evs[w].thread != evs[rd].thread)
                        .collect();
                    acyclic(n, &[ppo, rfe, co.clone(), fr.clone()].concat())
                }
            };
            if atomic_ok && uniproc && model_ok {
                let mut regs: Vec<Vec<i64>> = prog
                    .threads
                    .iter()
                    .map(|t| vec![0; t.regs.len().max(1)])
                    .collect();
                for &(w, rd) in &rf {
                    if let Kind::Read { reg } = evs[rd].kind {
                        if (reg as usize) < regs[evs[rd].thread].len() {
                            regs[evs[rd].thread][reg as usize] = val_of(w);
                        }
                    }
                }
                let last = |v: usize| {
                    let order = &co_choices[v][co_pick[v]];
                    order.last().map_or(prog.vars[v].init, |&w| val_of(w))
                };
                allowed.insert(
                    prog.observe
                        .iter()
                        .map(|o| match *o {
                            Obs::Var(v) => last(v as usize),
                            Obs::Reg(t, r) => regs[t as usize][r as usize],
                        })
                        .collect(),
                );
            }
            // Next co choice.
            let mut k = 0;
            while k < nv {
                co_pick[k] += 1;
                if co_pick[k] < co_choices[k].len() {
                    break;
                }
                co_pick[k] = 0;
                k += 1;
            }
            if k == nv {
                break;
            }
        }
        let mut k = 0;
        while k < reads.len() {
            rf_pick[k] += 1;
            if rf_pick[k] < rf_choices[k].len() {
                break;
            }
            rf_pick[k] = 0;
            k += 1;
        }
        if k == reads.len() {
            break;
        }
    }
    Ok(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_litmus_tests() {
        // SB: (0,0) forbidden under SC, allowed under TSO, forbidden with mfence (Owens et al.
        // 2009; Intel SDM vol. 3A §8.2.3.4 and §8.2.3.9).
        let sb = super::super::model::tests::sb(false);
        assert_eq!(outcomes(&sb, Memory::Sc).unwrap().len(), 3);
        assert!(outcomes(&sb, Memory::Tso).unwrap().contains(&vec![0, 0]));
        let fenced = super::super::model::tests::sb(true);
        assert!(!outcomes(&fenced, Memory::Tso)
            .unwrap()
            .contains(&vec![0, 0]));
    }
}
