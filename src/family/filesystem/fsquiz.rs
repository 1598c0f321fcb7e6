//! Questions about a filesystem operation list: the list is shown as C with the asked calls
//! marked `// (a)`, `// (b)`, …, each mark is one answer slot, the key comes from the real
//! syscalls and the cross-check from the POSIX model ([`super::fsops`]). Most filesystem
//! families build an operation list, choose probes, and leave the rest to this file.

use super::fsops::{self, Op, Outcome};
use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::{CheckError, FollowUp, GenError, Question};
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
    let call = line_of(ops, p.op);
    format!("`{call}`: {}", what_text(p, ops))
}

/// What a probe asks for, in words ("OK or the errno name", "st_nlink").
pub fn what_text(p: &Probe, ops: &[Op]) -> &'static str {
    match p.what {
        What::Result => "OK or the errno name",
        What::Ret => "the return value",
        What::Nlink => "st_nlink",
        What::Size => "st_size",
        What::Data => match ops[p.op] {
            Op::Readlink { .. } => "the target it returns",
            _ => "the bytes it reads (as a string)",
        },
        What::Mode => "the permission bits, in octal",
    }
}

/// Line `i` of the listing exactly as the prompt shows it (a descriptor variable is declared
/// with `int` only the first time), without the final `;`: labels quote it, so it must match.
pub fn line_of(ops: &[Op], i: usize) -> String {
    fsops::render_lines(ops)
        .get(i)
        .map(|l| l.trim_end_matches(';').to_string())
        .unwrap_or_default()
}

/// The sentence that tells the candidate what to give for the marked calls, built from the
/// probes so that it always agrees with the answer boxes: one kind of answer for every mark,
/// or each kind with the marks it applies to.
pub fn stem(ops: &[Op], probes: &[Probe]) -> String {
    let n = probes.len();
    if n == 1 {
        return format!(
            "For the marked call (`// {}`), give {}.",
            mark(0, 1),
            what_text(&probes[0], ops)
        );
    }
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (i, p) in probes.iter().enumerate() {
        let w = what_text(p, ops);
        let m = mark(i, n);
        match groups.iter_mut().find(|(g, _)| *g == w) {
            Some((_, ms)) => ms.push(m),
            None => groups.push((w, vec![m])),
        }
    }
    if groups.len() == 1 {
        return format!(
            "For each marked call, {}, give {}.",
            join_and(&groups[0].1),
            groups[0].0
        );
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(w, ms)| format!("{w} for {}", join_and(ms)))
        .collect();
    format!("For each marked call, give: {}.", parts.join("; "))
}

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Runs the list for real and builds one slot per probe; returns the slots and the kernel's
/// outcomes (for the solution and the evidence).
pub fn slots(ops: &[Op], probes: &[Probe]) -> Result<(Vec<AnswerSlot>, Vec<Outcome>), GenError> {
    let (real, _) = fsops::run_real(ops, &[]).map_err(GenError::Run)?;
    let mut out = Vec::new();
    for p in probes {
        let e = expected(p, &real).map_err(GenError::Run)?;
        // Every answer is read off the trace exactly: no approximation is involved.
        let slot = AnswerSlot::new(ask_text(p, ops), e);
        out.push(if matches!(slot.expected, Expected::Integer { .. }) {
            slot.exact_by_hand()
        } else {
            slot
        });
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
            let call = line_of(ops, p.op);
            let label = if n == 1 {
                String::new()
            } else {
                format!("{} ", mark(i, n))
            };
            format!("{label}`{call}` → **{e}**")
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

// ---------------------------------------------------------------------------------------------
// Follow-ups: the same listing with one change, run for real; the cross-check reruns the model
// ---------------------------------------------------------------------------------------------

/// A follow-up computed by running an edited listing: the answer is what the probed call gives
/// (or what `file` holds at the end) in the edited run. Families keep these in their scenario so
/// that [`check_variants`] can recompute each answer with the POSIX model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The edited listing.
    pub ops: Vec<Op>,
    /// The call whose result is the answer, if it is a call.
    #[serde(default)]
    pub probe: Option<Probe>,
    /// The file whose final content is the answer, if it is a file.
    #[serde(default)]
    pub file: Option<String>,
    /// The answer, as [`Expected::reference`] writes it (or the file's bytes as
    /// [`fsops::show_bytes`] writes them, `(no such file)` when it is gone).
    pub answer: String,
}

fn variant_answer(
    probe: Option<Probe>,
    file: Option<&str>,
    outcomes: &[Outcome],
    contents: &fsops::Contents,
) -> Result<String, String> {
    match (probe, file) {
        (Some(p), _) => expected(&p, outcomes).map(|e| e.reference()),
        (None, Some(f)) => Ok(contents
            .get(f)
            .map(|c| fsops::show_bytes(c))
            .unwrap_or_else(|| "(no such file)".into())),
        (None, None) => Err("a follow-up variant names neither a call nor a file".into()),
    }
}

/// Runs the edited listing `ops` with real syscalls and returns the follow-up (its answer built
/// by `answer` from the computed value) and the [`Variant`] to keep for the cross-check.
pub fn variant(
    ask: impl Into<String>,
    ops: Vec<Op>,
    probe: Option<Probe>,
    file: Option<&str>,
    answer: impl FnOnce(&str) -> String,
) -> Result<(FollowUp, Variant), GenError> {
    let read_back: Vec<&str> = file.into_iter().collect();
    let (outcomes, contents) = fsops::run_real(&ops, &read_back).map_err(GenError::Run)?;
    let value = variant_answer(probe, file, &outcomes, &contents).map_err(GenError::Run)?;
    let f = FollowUp::new(ask, answer(&value));
    Ok((
        f,
        Variant {
            ops,
            probe,
            file: file.map(str::to_string),
            answer: value,
        },
    ))
}

/// The cross-check of follow-up variants: the POSIX model gives every recorded answer.
pub fn check_variants(variants: &[Variant]) -> Result<(), CheckError> {
    for (i, v) in variants.iter().enumerate() {
        let read_back: Vec<&str> = v.file.as_deref().into_iter().collect();
        let (outcomes, contents) = fsops::run_model(&v.ops, &read_back);
        let got =
            variant_answer(v.probe, v.file.as_deref(), &outcomes, &contents).map_err(CheckError)?;
        if got != v.answer {
            return Err(CheckError(format!(
                "follow-up {}: the key says `{}`, the POSIX model says `{got}`",
                i + 1,
                v.answer
            )));
        }
    }
    Ok(())
}

pub use crate::text::thousands;

/// Strict pins: a `--set` for a parameter the drawn ask does not use is an error with a hint,
/// never silently ignored.
pub fn refuse_unused_pins(
    cx: &crate::family::Ctx,
    keys: &[&str],
    ask: &str,
) -> Result<(), GenError> {
    match keys.iter().find(|k| cx.is_pinned(k)) {
        Some(k) => Err(GenError::Params {
            message: format!("`{k}` is not used when ask={ask}"),
            hint: format!("drop the `{k}` pin, or pin `ask` to a value that uses it"),
        }),
        None => Ok(()),
    }
}

/// A copy of `ops` with the call of probe `p` repeated right after it, and the probe on the
/// repeat: "what if this call ran twice?"
pub fn repeated(ops: &[Op], p: Probe) -> (Vec<Op>, Probe) {
    let mut v = ops[..=p.op].to_vec();
    v.push(ops[p.op].clone());
    (v, Probe::new(p.op + 1, p.what))
}

// ---------------------------------------------------------------------------------------------
// Judgment: which remedy works? Each option is a listing; run them all and keep the one that
// meets the goal
// ---------------------------------------------------------------------------------------------

/// What a remedy must achieve, judged on its listing, the outcomes and the files read back:
/// `Err(reason)` for an option that fails.
pub type Goal<'a> = dyn Fn(&[Op], &[Outcome], &fsops::Contents) -> Result<(), String> + 'a;

/// One option of a "which fix works" question: its text, the listing it stands for, and the
/// misconception that makes it tempting (shown when a candidate picks it and it fails).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remedy {
    /// The option as printed (inline markup).
    pub text: String,
    /// The whole listing with this option applied.
    pub ops: Vec<Op>,
    /// Why a candidate would pick it; the computed reason it fails is appended.
    pub why: String,
}

/// Runs every remedy (for real, or through the model for the cross-check) and says which meet
/// `goal`, with a reason for each that fails (`goal` returns `Err(reason)`).
pub fn judge(
    remedies: &[Remedy],
    read_back: &[&str],
    real: bool,
    goal: &Goal<'_>,
) -> Result<Vec<Result<(), String>>, String> {
    remedies
        .iter()
        .map(|r| {
            let (out, contents) = if real {
                fsops::run_real(&r.ops, read_back)?
            } else {
                fsops::run_model(&r.ops, read_back)
            };
            Ok(goal(&r.ops, &out, &contents))
        })
        .collect()
}

/// The choice slot's expected answer from the verdicts: exactly one remedy must work.
pub fn remedy_choice(
    remedies: &[Remedy],
    verdicts: &[Result<(), String>],
) -> Result<Expected, String> {
    use crate::answer::ChoiceOption;
    let right: Vec<usize> = (0..verdicts.len())
        .filter(|i| verdicts[*i].is_ok())
        .collect();
    let [correct] = right[..] else {
        return Err(format!(
            "{} of {} options meet the goal; exactly one must",
            right.len(),
            remedies.len()
        ));
    };
    let options = remedies
        .iter()
        .zip(verdicts)
        .map(|(r, v)| match v {
            Ok(()) => ChoiceOption::right(r.text.clone()),
            Err(reason) => ChoiceOption::wrong(
                r.text.clone(),
                format!("{} Run, it fails: {reason}.", r.why),
            ),
        })
        .collect();
    Ok(Expected::Choice { options, correct })
}

/// The cross-check of a remedy question: the POSIX model agrees with the kernel on every
/// option's listing, and exactly the keyed option meets the goal.
pub fn check_remedies(
    q: &Question,
    slot: usize,
    remedies: &[Remedy],
    read_back: &[&str],
    goal: &Goal<'_>,
) -> Result<(), CheckError> {
    let verdicts = judge(remedies, read_back, false, goal).map_err(CheckError)?;
    let want = remedy_choice(remedies, &verdicts).map_err(CheckError)?;
    CheckError::expect_eq(&format!("slot {}", slot + 1), q.expected(slot)?, &want)?;
    // The kernel must agree with the model on the keyed option's listing, call by call.
    if let Expected::Choice { correct, .. } = want {
        fsops::check_both(&remedies[correct].ops, read_back).map_err(CheckError)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Setup lines nothing uses
// ---------------------------------------------------------------------------------------------

/// The setup units of `ops[..setup]`: a `mkdir` or `symlink` on its own, or an `open` with the
/// calls on its descriptor up to its `close`. Returns index ranges.
fn setup_units(ops: &[Op], setup: usize) -> Vec<std::ops::Range<usize>> {
    let mut units = Vec::new();
    let mut i = 0;
    while i < setup {
        let end = match &ops[i] {
            Op::Open { fd, .. } => (i + 1..setup)
                .find(|j| matches!(ops[*j], Op::Close { fd: c } if c == *fd))
                .map_or(i + 1, |j| j + 1),
            _ => i + 1,
        };
        units.push(i..end);
        i = end;
    }
    units
}

/// Drops the setup units (of the first `setup` calls) that no answer depends on: a unit is
/// removed when the model gives every probe the same answer without it. The prompt then shows
/// no line nothing uses (a dangling symlink, an extra file). Probes are renumbered.
pub fn prune_setup(ops: &mut Vec<Op>, probes: &mut [Probe], setup: usize) {
    // The probes' answers, provided every unmarked call succeeds (as the prompts promise).
    let answers = |ops: &[Op], probes: &[Probe]| -> Option<Vec<Expected>> {
        let (out, _) = fsops::run_model(ops, &[]);
        let unmarked_ok = out
            .iter()
            .enumerate()
            .all(|(i, o)| o.errno.is_none() || probes.iter().any(|p| p.op == i));
        if !unmarked_ok {
            return None;
        }
        probes.iter().map(|p| expected(p, &out).ok()).collect()
    };
    let Some(want) = answers(ops, probes) else {
        return;
    };
    // Later units first, so earlier ranges stay valid.
    for unit in setup_units(ops, setup).into_iter().rev() {
        let mut trial = ops.clone();
        trial.drain(unit.clone());
        let shifted: Vec<Probe> = probes
            .iter()
            .map(|p| Probe::new(p.op - unit.len(), p.what))
            .collect();
        if answers(&trial, &shifted).as_ref() == Some(&want) {
            *ops = trial;
            probes.copy_from_slice(&shifted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::filesystem::fsops::Flag;

    fn ops() -> Vec<Op> {
        vec![
            Op::Open {
                fd: 1,
                path: "a".into(),
                flags: vec![Flag::Wronly, Flag::Creat],
                mode: 0o644,
            },
            Op::Close { fd: 1 },
            Op::Open {
                fd: 1,
                path: "a".into(),
                flags: vec![Flag::Rdonly],
                mode: 0,
            },
            Op::Read { fd: 1, len: 8 },
            Op::Stat { path: "a".into() },
        ]
    }

    #[test]
    fn labels_quote_the_line_as_the_listing_shows_it() {
        // The second open reuses `fd2`: the listing drops `int`, and so must the label.
        let ops = ops();
        let code = render_marked(&ops, &[Probe::new(2, What::Result)]);
        assert!(code.contains("\nfd2 = open(\"a\", O_RDONLY);"), "{code}");
        assert_eq!(
            ask_text(&Probe::new(2, What::Result), &ops),
            "`fd2 = open(\"a\", O_RDONLY)`: OK or the errno name"
        );
    }

    #[test]
    fn the_stem_agrees_with_the_boxes() {
        let ops = ops();
        assert_eq!(
            stem(&ops, &[Probe::new(2, What::Result)]),
            "For the marked call (`// ← this call`), give OK or the errno name."
        );
        let mixed = [
            Probe::new(2, What::Result),
            Probe::new(3, What::Data),
            Probe::new(4, What::Nlink),
        ];
        assert_eq!(
            stem(&ops, &mixed),
            "For each marked call, give: OK or the errno name for (a); the bytes it reads (as a string) for (b); st_nlink for (c)."
        );
    }

    #[test]
    fn repeated_runs_the_call_twice() {
        let ops = vec![Op::Mkdir {
            path: "d".into(),
            mode: 0o755,
        }];
        let (v, p) = repeated(&ops, Probe::new(0, What::Result));
        let (f, var) = variant("again?", v, Some(p), None, |a| a.to_string()).unwrap();
        assert_eq!(f.answer, "EEXIST", "mkdir(2): an existing name");
        check_variants(std::slice::from_ref(&var)).unwrap();
        let mut bad = var;
        bad.answer = "OK".into();
        assert!(check_variants(&[bad]).is_err());
    }
}
