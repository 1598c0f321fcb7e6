//! `filesystem.truncate`: ftruncate(2) that shrinks and grows a file, and what reads see after.
//!
//! **Asked**: the st_size `fstat` reports after the truncations, and the bytes a `pread` of the
//! whole file returns (a grown region reads as zero bytes, written `\0`). Hard adds a `write`
//! through a descriptor whose offset is now past the end, which leaves a hole.
//!
//! **Parameters**: `len`: the first write's length (easy 6–8, medium 8–12, hard 8–12);
//! `steps`: truncations (easy 1, medium 2, hard 2–3), each a shrink or a grow by a few bytes.
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The in-memory POSIX model, call by call.
//!
//! **Pitfalls**: ftruncate moving the offset (it does not); growing restoring the cut bytes (the
//! new bytes are zeros); a write after a shrink landing at the new end (it lands at the old offset).

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{CheckError, Ctx, Difficulty, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Truncate;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "len",
        help: "length of the first write, in bytes",
        kind: ParamKind::Int { min: 1, max: 26, draw: [(6, 8), (8, 12), (8, 12)] },
    },
    ParamSpec {
        key: "steps",
        help: "number of ftruncate calls",
        kind: ParamKind::Int { min: 1, max: 4, draw: [(1, 1), (2, 2), (2, 3)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

impl Family for Truncate {
    fn id(&self) -> &'static str {
        "filesystem.truncate"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "ftruncate: shrinking, growing, and the bytes that come back"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `steps` is the number of operations listed in the code.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["steps"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let len = cx.int("len") as u64;
        let steps = cx.int("steps") as usize;
        let hard = cx.difficulty() == Difficulty::Hard;
        let rng = cx.rng();
        let start = rng.random_range(0..(26 - len as u8 + 1));
        let data: String = (0..len as u8).map(|i| (b'A' + start + i) as char).collect();
        let mut ops = vec![
            Op::Open { fd: 0, path: "blob".into(), flags: vec![Flag::Rdwr, Flag::Creat, Flag::Trunc], mode: 0o644 },
            Op::Write { fd: 0, data },
        ];
        // Alternate shrink and grow, starting with a shrink; sizes stay between 1 and len + 6.
        let mut size = len;
        for k in 0..steps {
            size = if k % 2 == 0 {
                rng.random_range(1..=size.saturating_sub(1).max(1))
            } else {
                rng.random_range(size + 1..=size + 6)
            };
            ops.push(Op::Ftruncate { fd: 0, len: size });
        }
        if hard {
            // The descriptor's offset is still `len`: a write lands there, possibly past the end.
            ops.push(Op::Write { fd: 0, data: "!".into() });
        }
        let mut probes = Vec::new();
        ops.push(Op::Fstat { fd: 0 });
        probes.push(Probe::new(ops.len() - 1, What::Size));
        ops.push(Op::Pread { fd: 0, len: 64, off: 0 });
        probes.push(Probe::new(ops.len() - 1, What::Data));
        ops.push(Op::Close { fd: 0 });
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("`blob` does not exist beforehand and every call succeeds:")
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p("Give st_size after the marked `fstat`, and the bytes the marked `pread` returns (write a zero byte as `\\0`).");
        let mut solution = Content::new()
            .p("`ftruncate(fd, n)` sets the size to n: shrinking discards the bytes past n for good; growing appends zero bytes (a hole). It does **not** move the descriptor's offset.");
        if hard {
            solution = solution.p(format!("The offset stayed at {len} after the first write, so the final `write` lands at byte {len}, whatever the size is by then; any gap before it reads as zeros."));
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { ops, probes }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check(q, &s.ops, &s.probes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Expected;
    use crate::family::filesystem::fsops;
    use crate::family::{generate, parse_pins};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Truncate, 0..30).unwrap();
    }

    #[test]
    fn hand_traced() {
        // "ABCDEFGH", shrink to 3, grow to 5, then write "!" at offset 8: ABC\0\0\0\0\0!
        let ops = vec![
            Op::Open { fd: 0, path: "blob".into(), flags: vec![Flag::Rdwr, Flag::Creat], mode: 0o644 },
            Op::Write { fd: 0, data: "ABCDEFGH".into() },
            Op::Ftruncate { fd: 0, len: 3 },
            Op::Ftruncate { fd: 0, len: 5 },
            Op::Write { fd: 0, data: "!".into() },
            Op::Pread { fd: 0, len: 64, off: 0 },
        ];
        let (real, _) = fsops::run_real(&ops, &[]).unwrap();
        assert_eq!(real[5].data.as_deref(), Some(&b"ABC\0\0\0\0\0!"[..]));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Truncate, &["len=20".into(), "steps=4".into()]).unwrap();
        let q = generate(&Truncate, 1, crate::family::Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.ops.iter().filter(|o| matches!(o, Op::Ftruncate { .. })).count(), 4);
        assert!(matches!(&s.ops[1], Op::Write { data, .. } if data.len() == 20));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Truncate, 2, crate::family::Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&Truncate, &q).unwrap();
        if let Expected::Integer { value } = &mut q.slots[0].expected {
            *value += 1;
        }
        assert!(crate::family::cross_check(&Truncate, &q).is_err());
    }
}
