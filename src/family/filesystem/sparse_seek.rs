//! `filesystem.sparse_seek`: seeking past the end of a file and writing makes a hole that reads
//! back as zero bytes.
//!
//! **Asked**: an open / write / lseek / write sequence (C-like code, ending with `fstat` and a
//! `pread`); (a) `st.st_size`, (b) the bytes the `pread` returns, written with `\0` for each zero
//! byte.
//!
//! **Parameters.** `seeks` (lseek + write pairs): easy 1, medium 2, hard 2–3. `whence` for the
//! seeks: easy SEEK_SET; medium SEEK_SET or SEEK_CUR; hard any, including SEEK_END, and at hard an
//! `ftruncate` that shrinks or grows the file before the read.
//!
//! **Key.** The same operation list executed with real syscalls in a scratch directory
//! ([`crate::family::filesystem::fsops::run_real`]): the `fstat` and `pread` results.
//!
//! **Second route.** The in-memory POSIX model ([`crate::family::filesystem::fsops::run_model`]),
//! compared operation by operation, including every return value.
//!
//! **Pitfalls**: thinking lseek alone extends the file (it does not; the write does); counting the
//! hole as absent from `st_size`; SEEK_CUR relative to the start.

use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::filesystem::fsops::{self, Flag, Op, Whence};
use crate::family::{CheckError, Ctx, Difficulty, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct SparseSeek;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "seeks",
        help: "number of lseek + write pairs after the first write",
        kind: ParamKind::Int {
            min: 1,
            max: 4,
            draw: [(1, 1), (2, 2), (2, 3)],
        },
    },
    ParamSpec {
        key: "truncate",
        help: "whether an ftruncate changes the size before the read (yes/no)",
        kind: ParamKind::Choice {
            options: &["no", "yes"],
            draw: [&["no"], &["no"], &["no", "yes"]],
        },
    },
];

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
}

const FILE: &str = "data.bin";

fn word(rng: &mut impl Rng, len: usize) -> String {
    let c = rng.random_range(b'A'..=b'Z');
    let lower = rng.random_bool(0.5);
    (0..len)
        .map(|i| {
            let ch = (c + (i as u8 % 3)).min(b'Z');
            (if lower { ch.to_ascii_lowercase() } else { ch }) as char
        })
        .collect()
}

impl Family for SparseSeek {
    fn id(&self) -> &'static str {
        "filesystem.sparse_seek"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Seeking past the end: holes and st_size"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `seeks` is the number of seeks in the code.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["seeks"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let seeks = cx.int("seeks") as usize;
        let truncate = cx.pick("truncate") == "yes";
        let d = cx.difficulty();
        let rng = cx.rng();
        let mut ops = vec![Op::Open {
            fd: 0,
            path: FILE.into(),
            flags: vec![Flag::Rdwr, Flag::Creat, Flag::Trunc],
            mode: 0o644,
        }];
        let first_len = rng.random_range(2..=4);
        let first = word(rng, first_len);
        let mut model = fsops::Model::default();
        ops.push(Op::Write { fd: 0, data: first });
        for op in &ops {
            model.apply(op);
        }
        for _ in 0..seeks {
            let size = model.size(0).unwrap_or(0) as i64;
            let pos = model.offset(0).unwrap_or(0) as i64;
            let whence = match d {
                Difficulty::Easy => Whence::Set,
                Difficulty::Medium => [Whence::Set, Whence::Cur][rng.random_range(0..2)],
                Difficulty::Hard => [Whence::Set, Whence::Cur, Whence::End][rng.random_range(0..3)],
            };
            // Aim past the end by 1–6 bytes, sometimes back inside the file.
            let target = if rng.random_bool(0.25) && size > 1 {
                rng.random_range(0..size)
            } else {
                size + rng.random_range(1..=6)
            };
            let off = match whence {
                Whence::Set => target,
                Whence::Cur => target - pos,
                Whence::End => target - size,
            };
            let seek = Op::Lseek {
                fd: 0,
                off,
                whence,
            };
            let wlen = rng.random_range(1..=3);
            let w = Op::Write {
                fd: 0,
                data: word(rng, wlen),
            };
            model.apply(&seek);
            model.apply(&w);
            ops.push(seek);
            ops.push(w);
        }
        if truncate {
            let size = model.size(0).unwrap_or(0);
            let len = if rng.random_bool(0.5) && size > 2 {
                size - rng.random_range(1..=2.min(size - 1))
            } else {
                size + rng.random_range(1..=3)
            };
            let t = Op::Ftruncate { fd: 0, len };
            model.apply(&t);
            ops.push(t);
        }
        let size = model.size(0).unwrap_or(0);
        let off = rng.random_range(0..size.max(1));
        let len = rng.random_range(4..=10) as usize;
        ops.push(Op::Fstat { fd: 0 });
        ops.push(Op::Pread { fd: 0, len, off });
        let (real, _) = fsops::run_real(&ops, &[FILE]).map_err(GenError::Run)?;
        let n = ops.len();
        let (Some((st_size, _)), Some(bytes)) = (real[n - 2].stat, real[n - 1].data.clone()) else {
            return Err(GenError::Run(format!(
                "the real run did not give fstat and pread results: {:?}",
                &real[n - 2..]
            )));
        };
        let shown = fsops::show_bytes(&bytes);
        let prompt = Content::new()
            .p("A program writes a data file like this (`buf` is large enough; every call succeeds):")
            .code("c", fsops::render_c(&ops))
            .p(
                "After the last line runs, what are (a) `st.st_size`, and (b) the bytes that `pread` \
                 puts in `buf`? Write the bytes as text, with `\\0` for each zero byte (e.g. `ab\\0\\0c`)."
            );
        let rows = fsops::trace_rows(&ops, &real);
        let solution = Content::new()
            .p(
                "`lseek` only moves the offset; a `write` past the end extends the file and the gap \
                 becomes a hole that reads back as zero bytes. `ftruncate` cuts or zero-extends. \
                 Stepping through, with each call's return value:",
            )
            .table(["call", "returns"], rows.clone())
            .p(format!(
                "So `st_size` is **{st_size}** and `pread` returns {} byte(s) from offset {off}: **`{shown}`**{}.",
                bytes.len(),
                if bytes.len() < len {
                    format!(" (fewer than the {len} asked: it stops at the end of the file)")
                } else {
                    String::new()
                }
            ));
        let evidence = Content::new()
            .p("The operation list was executed with real syscalls (rustix) in a private scratch directory on Linux:")
            .table(["call", "returned"], rows);
        Ok(Question::new(
            prompt,
            vec![
                AnswerSlot::new("`st.st_size`", Expected::Integer { value: st_size as i64 }),
                AnswerSlot::new(
                    "the bytes read into `buf`",
                    Expected::Text {
                        value: shown,
                        normalisation: Normalisation::Exact,
                        accepted: vec![],
                    },
                ),
            ],
            solution,
            evidence,
        )
        .with_scenario(&Scenario { ops }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let real = fsops::run_real(&s.ops, &[FILE]).map_err(CheckError)?;
        let model = fsops::run_model(&s.ops, &[FILE]);
        fsops::compare(&s.ops, &real, &model).map_err(CheckError)?;
        let n = s.ops.len();
        let (size, _) = model.0[n - 2].stat.ok_or_else(|| CheckError("no fstat".into()))?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("slot 0 must be an integer".into()));
        };
        CheckError::expect_eq("st_size (model)", *value, size as i64)?;
        let Expected::Text { value, .. } = q.expected(1)? else {
            return Err(CheckError("slot 1 must be text".into()));
        };
        let bytes = model.0[n - 1].data.clone().unwrap_or_default();
        CheckError::expect_eq("pread bytes (model)", value.clone(), fsops::show_bytes(&bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&SparseSeek, 0..30).unwrap();
    }

    #[test]
    fn a_hand_traced_hole() {
        // write "ab" (size 2), lseek to 5, write "c": size 6, bytes a b \0 \0 \0 c.
        let ops = vec![
            Op::Open { fd: 0, path: FILE.into(), flags: vec![Flag::Rdwr, Flag::Creat], mode: 0o644 },
            Op::Write { fd: 0, data: "ab".into() },
            Op::Lseek { fd: 0, off: 5, whence: Whence::Set },
            Op::Write { fd: 0, data: "c".into() },
            Op::Fstat { fd: 0 },
            Op::Pread { fd: 0, len: 10, off: 1 },
        ];
        let (real, _) = fsops::run_real(&ops, &[]).unwrap();
        assert_eq!(real[4].stat.map(|s| s.0), Some(6));
        assert_eq!(fsops::show_bytes(real[5].data.as_ref().unwrap()), "b\\0\\0\\0c");
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&SparseSeek, &["seeks=3".into(), "truncate=yes".into()]).unwrap();
        let q = generate(&SparseSeek, 1, Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.ops.iter().filter(|o| matches!(o, Op::Lseek { .. })).count(), 3);
        assert!(s.ops.iter().any(|o| matches!(o, Op::Ftruncate { .. })));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&SparseSeek, 2, Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&SparseSeek, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value - 1 };
        assert!(crate::family::cross_check(&SparseSeek, &q).is_err());
    }
}
