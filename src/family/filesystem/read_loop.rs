//! `filesystem.read_loop`: the read(2) return values of the classic read-until-zero loop.
//!
//! **Asked**: easy: the whole sequence of read() return values (a few calls); medium: the number
//! of read() calls including the final 0, and the last non-zero return; hard: the same after an
//! `lseek` to an offset, plus the total bytes read.
//!
//! **Parameters**: `size` S (easy 100–1,200, medium 1,000–100,000, hard 10,000–1,000,000 bytes);
//! `buf` B (easy 256 or 512, medium 512–8,192, hard 1,000–65,536, not always a power of two);
//! `offset` (hard only: 1–S/2). At most 10,000 calls and 16 MiB read per question (a pin beyond
//! them is a parameter error: the loop runs for real, three times per question).
//!
//! **Key.** The loop runs for real: a file of S bytes is made with `ftruncate` in a scratch
//! directory and read with rustix until read returns 0; every return value is recorded.
//!
//! **Second route.** The in-memory POSIX model call by call, and the closed form: with
//! R = S − offset bytes left, ⌈R/B⌉ full-or-partial reads plus the final 0, the last non-zero
//! one returning R − B(⌈R/B⌉ − 1).
//!
//! **Pitfalls**: forgetting the final read that returns 0; assuming the last read returns B;
//! assuming read on a regular file may return short in the middle (it does not, short of signals
//! or errors, on Linux regular files).

use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::filesystem::fsops::{self, Flag, Model, Op, Whence};
use crate::family::{CheckError, Ctx, Difficulty, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct ReadLoop;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "size",
        help: "file size S in bytes",
        kind: ParamKind::Int { min: 0, max: 100_000_000, draw: [(100, 1_200), (1_000, 100_000), (10_000, 1_000_000)] },
    },
    ParamSpec {
        key: "buf",
        help: "buffer size B in bytes",
        kind: ParamKind::Int { min: 1, max: 1 << 24, draw: [(256, 512), (512, 8_192), (1_000, 65_536)] },
    },
    ParamSpec {
        key: "offset",
        help: "lseek offset before the loop (hard)",
        kind: ParamKind::Int { min: 0, max: 100_000_000, draw: [(0, 0), (0, 0), (1, 500_000)] },
        // Hard draws it in 1..=S/2.
    },
];

/// The most read calls, and bytes read, one question makes (the loop runs for real, in the
/// syscall run, the model and the cross-check): beyond them a pin is a parameter error.
const MAX_CALLS: u64 = 10_000;
const MAX_BYTES: u64 = 16 << 20;

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    size: u64,
    buf: usize,
    offset: u64,
    ops: Vec<Op>,
    /// Index of the first read in `ops`.
    first_read: usize,
}

fn build(size: u64, buf: usize, offset: u64) -> (Vec<Op>, usize) {
    let mut ops = vec![
        Op::Open { fd: 0, path: "input.bin".into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Trunc], mode: 0o644 },
        Op::Ftruncate { fd: 0, len: size },
        Op::Close { fd: 0 },
        Op::Open { fd: 0, path: "input.bin".into(), flags: vec![Flag::Rdonly], mode: 0 },
    ];
    if offset > 0 {
        ops.push(Op::Lseek { fd: 0, off: offset as i64, whence: Whence::Set });
    }
    let first = ops.len();
    // Unroll the loop with the model: read until 0.
    let mut m = Model::default();
    for op in &ops {
        m.apply(op);
    }
    loop {
        let r = Op::Read { fd: 0, len: buf };
        let ret = m.apply(&r).ret;
        ops.push(r);
        if ret <= 0 {
            break;
        }
    }
    ops.push(Op::Close { fd: 0 });
    (ops, first)
}

/// The read() return values, in order.
fn returns(ops: &[Op], outcomes: &[fsops::Outcome]) -> Vec<i64> {
    ops.iter().zip(outcomes).filter(|(op, _)| matches!(op, Op::Read { .. })).map(|(_, o)| o.ret).collect()
}

impl Family for ReadLoop {
    fn id(&self) -> &'static str {
        "filesystem.read_loop"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Reading a file in a loop: read(2) return values"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let d = cx.difficulty();
        let size = cx.int("size") as u64;
        let buf = if cx.is_pinned("buf") || d == Difficulty::Hard {
            cx.int("buf") as usize
        } else {
            // A power of two, as real code uses; hard keeps odd sizes.
            let e = if d == Difficulty::Easy { cx.rng().random_range(8..=9) } else { cx.rng().random_range(9..=13) };
            cx.int_within("buf", 1 << e, 1 << e, 1) as usize
        };
        let offset = if d == Difficulty::Hard {
            cx.int_within("offset", 1, (size as i64 / 2).max(1), 1) as u64
        } else if cx.is_pinned("offset") {
            cx.int("offset") as u64
        } else {
            0
        };
        let left = size.saturating_sub(offset);
        if left / buf as u64 + 1 > MAX_CALLS || left > MAX_BYTES {
            return Err(GenError::Params {
                message: format!("reading {left} bytes with a {buf}-byte buffer is more than this question runs (at most {MAX_CALLS} reads and 16 MiB)"),
                hint: "choose a larger buffer or a smaller file".into(),
            });
        }
        let (ops, first_read) = build(size, buf, offset);
        let (real, _) = fsops::run_real(&ops, &[]).map_err(GenError::Run)?;
        let rets = returns(&ops, &real);
        let calls = rets.len();
        let last_nonzero = rets.iter().rev().find(|r| **r > 0).copied().unwrap_or(0);
        let total: i64 = rets.iter().filter(|r| **r > 0).sum();
        let seek_line = if offset > 0 { format!("lseek(fd, {offset}, SEEK_SET);\n") } else { String::new() };
        let code = format!(
            "{}\n{seek_line}char buf[{buf}];\nssize_t n;\nint calls = 0;\ndo {{\n    n = read(fd, buf, sizeof buf);\n    calls++;\n}} while (n > 0);\nclose(fd);",
            fsops::render_c(&ops[..4])
        );
        let prompt = Content::new()
            .p(format!("The first three lines make `input.bin` a regular file of **{size}** bytes; then the program reads it to the end:"))
            .code("c", code);
        let (prompt, slots) = if d == Difficulty::Easy && calls <= 8 {
            (
                prompt.p("List the values `read` returns, in order, comma-separated."),
                vec![AnswerSlot::new("read() return values, in order", Expected::Sequence { values: rets.iter().map(|r| r.to_string()).collect(), normalisation: Normalisation::Integer })],
            )
        } else {
            let mut slots = vec![
                AnswerSlot::new("the final value of `calls`", Expected::Integer { value: calls as i64 }),
                AnswerSlot::new("the last non-zero value read returned", Expected::Integer { value: last_nonzero }),
            ];
            if offset > 0 {
                slots.push(AnswerSlot::new("the total number of bytes read", Expected::Integer { value: total }));
            }
            (prompt.p("Give the asked values."), slots)
        };
        let full = if left == 0 { 0 } else { left.div_ceil(buf as u64) };
        let solution = Content::new()
            .p(format!(
                "{} bytes are left to read{}. A read on a regular file returns min(B, bytes left): {} call(s) return data ({} full buffer(s) of {buf}{}), then one more returns **0** at end of file.",
                left,
                if offset > 0 { format!(" after the seek to {offset}") } else { String::new() },
                full,
                left / buf as u64,
                if left % buf as u64 != 0 { format!(" and a partial read of {}", left % buf as u64) } else { String::new() }
            ))
            .p(format!("calls = ⌈{left}/{buf}⌉ + 1 = **{calls}**; the last non-zero read returns **{last_nonzero}**{}.", if offset > 0 { format!("; {total} bytes in all") } else { String::new() }));
        // Evidence: the trace, shortened in the middle.
        // The bytes are all zeros: show only what each call returned.
        let bare: Vec<fsops::Outcome> = real.iter().map(|o| fsops::Outcome { data: None, ..o.clone() }).collect();
        let rows = fsops::trace_rows(&ops, &bare);
        let rows: Vec<Vec<String>> = if rows.len() > 14 {
            let mut r = rows[..first_read + 3].to_vec();
            r.push(vec![format!("… {} more reads …", rows.len() - first_read - 6 - 1), String::new()]);
            r.extend_from_slice(&rows[rows.len() - 4..]);
            r
        } else {
            rows
        };
        let rets_note = format!("{} read() calls in all.", calls);
        let evidence = Content::new()
            .p("Executed with real syscalls (rustix) in a private scratch directory on Linux:")
            .table(["call", "returned"], rows)
            .p(rets_note);
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { size, buf, offset, ops, first_read }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (model, _) = fsops::check_both(&s.ops, &[]).map_err(CheckError)?;
        let rets = returns(&s.ops, &model);
        // Closed form.
        let left = s.size.saturating_sub(s.offset);
        let b = s.buf as u64;
        let calls = if left == 0 { 1 } else { left.div_ceil(b) + 1 };
        let last = if left == 0 { 0 } else { left - b * (left.div_ceil(b) - 1) };
        CheckError::expect_eq("calls (model vs closed form)", rets.len() as u64, calls)?;
        match q.expected(0)? {
            Expected::Sequence { values, .. } => {
                let want: Vec<String> = rets.iter().map(|r| r.to_string()).collect();
                CheckError::expect_eq("return values", values.clone(), want)
            }
            Expected::Integer { value } => {
                CheckError::expect_eq("calls", *value, calls as i64)?;
                CheckError::expect_eq("last non-zero", q.expected(1)?, &Expected::Integer { value: last as i64 })?;
                if s.offset > 0 {
                    CheckError::expect_eq("total", q.expected(2)?, &Expected::Integer { value: left as i64 })?;
                }
                Ok(())
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&ReadLoop, 0..30).unwrap();
    }

    #[test]
    fn a_1000_byte_file_with_a_256_byte_buffer() {
        // 256, 256, 256, 232, then 0: five calls.
        let pins = parse_pins(&ReadLoop, &["size=1000".into(), "buf=256".into()]).unwrap();
        let q = generate(&ReadLoop, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "256, 256, 256, 232, 0");
    }

    #[test]
    fn an_exact_multiple_still_needs_the_final_zero() {
        let pins = parse_pins(&ReadLoop, &["size=8192".into(), "buf=4096".into(), "offset=0".into()]).unwrap();
        let q = generate(&ReadLoop, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "3");
        assert_eq!(q.slots[1].expected.reference(), "4096");
    }

    #[test]
    fn too_many_calls_is_a_parameter_error() {
        let pins = parse_pins(&ReadLoop, &["size=100000000".into(), "buf=1".into()]).unwrap();
        let e = generate(&ReadLoop, 1, Difficulty::Medium, &pins).unwrap_err();
        assert!(e.hint().is_some());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&ReadLoop, 2, Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&ReadLoop, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 1 };
        assert!(crate::family::cross_check(&ReadLoop, &q).is_err());
    }
}
