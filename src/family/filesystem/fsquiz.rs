//! Questions about a filesystem operation list: the list is shown as C with the asked calls
//! marked `// (a)`, `// (b)`, …, each mark is one answer slot, the key comes from the real
//! syscalls and the cross-check from the POSIX model ([`super::fsops`]). Most filesystem
//! families build an operation list, choose probes, and leave the rest to this file.

use super::fsops::{self, Op, Outcome};
use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::{CheckError, GenError, Question};
use serde::{Deserialize, Serialize};

/// What a probe asks about the call on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum What {
    /// `OK` or the errno name.
    Result,
    /// The return value (bytes read or written, the new offset, …).
    Ret,
    /// `st_nlink` from a stat call.
    Nlink,
    /// `st_size` from a stat call.
    Size,
    /// The bytes a read returned, or a readlink's target.
    Data,
    /// The permission bits from a stat call, in octal.
    Mode,
}

/// One asked call: the index of the operation and what is asked about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// Index into the operation list.
    pub op: usize,
    /// What is asked.
    pub what: What,
}

impl Probe {
    /// A probe on operation `op`.
    pub fn new(op: usize, what: What) -> Probe {
        Probe { op, what }
    }
}

/// `count` distinct cases: `first`, then the others of `all` in random order.
pub fn draw_cases(
    first: &'static str,
    all: &[&'static str],
    count: usize,
    rng: &mut impl rand::Rng,
) -> Vec<&'static str> {
    use rand::seq::SliceRandom;
    let mut rest: Vec<&str> = all.iter().copied().filter(|c| *c != first).collect();
    rest.shuffle(rng);
    std::iter::once(first).chain(rest).take(count).collect()
}

/// The mark of slot `i` when there are `n` slots: "(a)" (the slot's label), or "← this call"
/// for a single slot.
fn mark(i: usize, n: usize) -> String {
    if n == 1 {
        "← this call".into()
    } else {
        format!("({})", crate::answer::letter(i).to_ascii_lowercase())
    }
}

/// The list as C, with `// (a)` after each probed line (several marks on one line are joined).
pub fn render_marked(ops: &[Op], probes: &[Probe]) -> String {
    let lines = fsops::render_lines(ops);
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let marks: Vec<String> = probes
                .iter()
                .enumerate()
                .filter(|(_, p)| p.op == k)
                .map(|(i, _)| mark(i, probes.len()))
                .collect();
            if marks.is_empty() {
                l.clone()
            } else {
                let pad = width - l.chars().count();
                format!("{l}{}  // {}", " ".repeat(pad), marks.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The expected answer for a probe, read off one run's outcomes.
pub fn expected(p: &Probe, outcomes: &[Outcome]) -> Result<Expected, String> {
    let o = outcomes
        .get(p.op)
        .ok_or_else(|| format!("probe on call {} of {}", p.op + 1, outcomes.len()))?;
    let need = |what: &str| {
        format!(
            "call {} returned {} and has no {what}",
            p.op + 1,
            o.describe()
        )
    };
    Ok(match p.what {
        What::Result => Expected::errno(o.errno.clone().unwrap_or_else(|| "OK".into())),
        What::Ret => Expected::Integer { value: o.ret },
        What::Nlink => Expected::Integer {
            value: o.stat.ok_or_else(|| need("st_nlink"))?.1 as i64,
        },
        What::Size => Expected::Integer {
            value: o.stat.ok_or_else(|| need("st_size"))?.0 as i64,
        },
        What::Data => Expected::Text {
            value: fsops::show_bytes(o.data.as_deref().ok_or_else(|| need("data"))?),
            normalisation: Normalisation::Exact,
            accepted: vec![],
        },
        What::Mode => {
            let (mode, kind) = o.mode.ok_or_else(|| need("st_mode"))?;
            let (octal, rwx) = fsops::show_mode(mode);
            let type_char = if kind == fsops::Kind::Dir { 'd' } else { '-' };
            Expected::Text {
                value: octal.clone(),
                normalisation: Normalisation::Exact,
                accepted: vec![
                    octal.trim_start_matches('0').to_string(),
                    rwx.clone(),
                    format!("{type_char}{rwx}"),
                ],
            }
        }
    })
}

/// The slot text for a probe (the question numbers the slots (a), (b), … like the marks).
pub fn ask_text(p: &Probe, ops: &[Op]) -> String {
    let call = fsops::render_op(&ops[p.op]);
    let call = call.trim_end_matches(';');
    let what = match p.what {
        What::Result => "OK or the errno name",
        What::Ret => "the return value",
        What::Nlink => "st_nlink",
        What::Size => "st_size",
        What::Data => match ops[p.op] {
            Op::Readlink { .. } => "the target it returns",
            _ => "the bytes it reads, as a string",
        },
        What::Mode => "the permission bits, in octal",
    };
    format!("`{call}`: {what}")
}

/// Runs the list for real and builds one slot per probe; returns the slots and the kernel's
/// outcomes (for the solution and the evidence).
pub fn slots(ops: &[Op], probes: &[Probe]) -> Result<(Vec<AnswerSlot>, Vec<Outcome>), GenError> {
    let (real, _) = fsops::run_real(ops, &[]).map_err(GenError::Run)?;
    let mut out = Vec::new();
    for p in probes {
        let e = expected(p, &real).map_err(GenError::Run)?;
        out.push(AnswerSlot::new(ask_text(p, ops), e));
    }
    Ok((out, real))
}

/// The evidence block: every call with what the kernel returned.
pub fn evidence(ops: &[Op], outcomes: &[Outcome]) -> Content {
    Content::new()
        .p("Executed with real syscalls (rustix) in a private scratch directory on Linux, umask 022 at the start:")
        .table(["call", "returned"], fsops::trace_rows(ops, outcomes))
}

/// One line per probe for the solution: "(a) `unlink("d")` → **EISDIR**".
pub fn answer_lines(ops: &[Op], probes: &[Probe], outcomes: &[Outcome]) -> Vec<String> {
    let n = probes.len();
    probes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let e = expected(p, outcomes)
                .map(|e| e.reference())
                .unwrap_or_default();
            let call = fsops::render_op(&ops[p.op]);
            let label = if n == 1 {
                String::new()
            } else {
                format!("{} ", mark(i, n))
            };
            format!("{label}`{}` → **{}**", call.trim_end_matches(';'), e)
        })
        .collect()
}

/// The cross-check: the kernel and the model agree call by call, and every slot's key is what the
/// model says.
pub fn check(q: &Question, ops: &[Op], probes: &[Probe]) -> Result<Vec<Outcome>, CheckError> {
    let (model, _) = fsops::check_both(ops, &[]).map_err(CheckError)?;
    for (i, p) in probes.iter().enumerate() {
        let want = expected(p, &model).map_err(CheckError)?;
        CheckError::expect_eq(&format!("slot {}", i + 1), q.expected(i)?, &want)?;
    }
    Ok(model)
}
