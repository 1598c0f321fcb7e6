//! `filesystem.unlink_open`: unlinking a file that is still open. The name goes, the inode stays
//! until the last descriptor closes.
//!
//! **Asked** (one listing, several marked calls): `fstat` on the open descriptor after the unlink
//! (st_nlink), what a read through the descriptor returns, and whether `stat` on the old path
//! still succeeds. Medium adds a second hard link made before the unlink (st_nlink 1, and the data
//! is still reachable by name). Hard also recreates the path with new content and asks what each
//! descriptor reads.
//!
//! **Parameters**: `links`: extra hard links made before the unlink (easy 0, medium 1, hard 0–1);
//! `recreate`: whether a new file is created at the old path afterwards (hard).
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The in-memory POSIX model (inodes with link counts, descriptors pointing at
//! inodes, not names), call by call; each slot's key must equal the model's.
//!
//! **Pitfalls**: the data is gone at unlink; the descriptor follows the name to the new file; an
//! unlinked-but-open file's st_nlink is still 1.

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Op, Whence};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{About, Ask, CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct UnlinkOpen;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "links",
        help: "extra hard links to the file made before the unlink",
        kind: ParamKind::Int { min: 0, max: 3, draw: [(0, 0), (1, 1), (0, 1)] },
    },
    ParamSpec {
        key: "recreate",
        help: "yes: create a new file at the old path afterwards and read both",
        kind: ParamKind::Choice { options: &["no", "yes"], draw: [&["no"], &["no"], &["yes"]] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
    #[serde(default)]
    variants: Vec<fsquiz::Variant>,
}

const WORDS: &[&str] = &["session", "journal", "upload", "segment", "spool", "sorted"];

impl Family for UnlinkOpen {
    fn id(&self) -> &'static str {
        "filesystem.unlink_open"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Unlinking a file that is still open"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [2, 3, 4], &["inode-lifetime"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "st_nlink, reads and stat after unlinking an open file (and recreating the path)",
            key: "real syscalls",
            second_route: "in-memory POSIX model",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let links = cx.int("links") as usize;
        let recreate = cx.pick("recreate") == "yes";
        let word = *WORDS.choose(cx.rng()).unwrap_or(&"data");
        let path = format!("{word}.tmp");
        let old = format!("{word}-v1");
        // A different length from the old content, so st_size tells the two inodes apart.
        let new = format!("{word}-v2-new");
        let mut ops = vec![
            Op::Open { fd: 0, path: path.clone(), flags: vec![Flag::Rdwr, Flag::Creat, Flag::Trunc], mode: 0o600 },
            Op::Write { fd: 0, data: old.clone() },
        ];
        for k in 0..links {
            ops.push(Op::Link { from: path.clone(), to: format!("{word}.bak{}", k + 1) });
        }
        ops.push(Op::Unlink { path: path.clone() });
        let mut probes = Vec::new();
        ops.push(Op::Fstat { fd: 0 });
        probes.push(Probe::new(ops.len() - 1, What::Nlink));
        if recreate {
            ops.push(Op::Open { fd: 1, path: path.clone(), flags: vec![Flag::Rdwr, Flag::Creat, Flag::Trunc], mode: 0o600 });
            ops.push(Op::Write { fd: 1, data: new.clone() });
        }
        ops.push(Op::Lseek { fd: 0, off: 0, whence: Whence::Set });
        ops.push(Op::Read { fd: 0, len: 64 });
        probes.push(Probe::new(ops.len() - 1, What::Data));
        ops.push(Op::Stat { path: path.clone() });
        probes.push(Probe::new(ops.len() - 1, if recreate { What::Size } else { What::Result }));
        if links > 0 {
            ops.push(Op::Stat { path: format!("{word}.bak1") });
            probes.push(Probe::new(ops.len() - 1, What::Nlink));
        }
        ops.push(Op::Close { fd: 0 });
        if recreate {
            ops.push(Op::Close { fd: 1 });
        }
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p(format!("A worker writes a scratch file, then removes its name while keeping the descriptor open (`{path}` does not exist beforehand; `st` is a `struct stat`):"))
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p(fsquiz::stem(&ops, &probes));
        let mut solution = Content::new()
            .p("A name is a directory entry pointing at an inode; a descriptor points at the inode (through an open file description), not at the name. `unlink` removes one name and decrements st_nlink; the inode and its data are freed only when st_nlink is 0 **and** no descriptor has it open.");
        solution = solution.p(if links > 0 {
            format!("Here {links} other hard link(s) remain, so st_nlink after the unlink is {links}, and the data is still reachable by those names.")
        } else {
            "No other name is left: st_nlink is 0, yet reads through `fd` still work until `close`. (This is how temporary files that vanish on crash are made.)".to_string()
        });
        if recreate {
            solution = solution.p(format!("Opening `{path}` with O_CREAT afterwards makes a **new** inode; `fd` still reads the old one (`{old}`), while the name now has `{new}`."));
        } else {
            solution = solution.p(format!("`stat(\"{path}\")` fails with ENOENT: the name is gone."));
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        // Follow-up: the name removed before the data is even written.
        let read = probes[1];
        let mut v: Vec<Op> = ops[..=read.op].iter().filter(|o| !matches!(o, Op::Unlink { .. } | Op::Link { .. })).cloned().collect();
        v.insert(1, Op::Unlink { path: path.clone() });
        let probe = Probe::new(v.iter().rposition(|o| matches!(o, Op::Read { fd: 0, .. })).unwrap_or(0), What::Data);
        v.truncate(probe.op + 1);
        let (f, var) = fsquiz::variant(
            format!("What would the marked `read` return if `unlink(\"{path}\")` ran straight after the `open`, before the first `write`?"),
            v,
            Some(probe),
            None,
            |a| format!("`{a}`, the same: the descriptor refers to the inode, and writes and reads through it work whether or not any name is left."),
        )?;
        Ok(Question::new(prompt, slots, solution, evidence)
            .followup(f.point("open-then-unlink makes an anonymous scratch file that disappears on crash; O_TMPFILE does the same without ever having a name"))
            .followup(crate::family::FollowUp::new(
                "`df` shows the disk full but `du` finds nothing to delete. What is going on, and how do you find it?",
                "A process still holds a deleted file open: its blocks are freed only at the last close. `lsof +L1` (or `ls -l /proc/*/fd | grep deleted`) finds it; restarting or truncating through `/proc/PID/fd/N` frees the space.",
            ))
            .with_scenario(&Scenario { ops, probes, variants: vec![var] }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check(q, &s.ops, &s.probes)?;
        fsquiz::check_variants(&s.variants)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Expected;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&UnlinkOpen, 0..30).unwrap();
    }

    #[test]
    fn an_unlinked_open_file_is_still_readable() {
        let pins = parse_pins(&UnlinkOpen, &["links=0".into(), "recreate=no".into()]).unwrap();
        let q = generate(&UnlinkOpen, 1, Difficulty::Easy, &pins).unwrap();
        let keys: Vec<String> = q.slots.iter().map(|s| s.expected.reference()).collect();
        assert_eq!(keys[0], "0", "no names left");
        assert!(keys[1].ends_with("-v1"), "the data is still there: {keys:?}");
        assert_eq!(keys[2], "ENOENT");
    }

    #[test]
    fn recreating_the_path_makes_a_new_inode() {
        let pins = parse_pins(&UnlinkOpen, &["links=2".into(), "recreate=yes".into()]).unwrap();
        let q = generate(&UnlinkOpen, 1, Difficulty::Hard, &pins).unwrap();
        let keys: Vec<String> = q.slots.iter().map(|s| s.expected.reference()).collect();
        assert_eq!(keys[0], "2");
        assert!(keys[1].ends_with("-v1"), "{keys:?}");
        assert_eq!(keys[3], "2", "the backup name's link count");
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.ops.iter().filter(|o| matches!(o, Op::Link { .. })).count(), 2);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&UnlinkOpen, 2, Difficulty::Medium, &Default::default()).unwrap();
        crate::family::cross_check(&UnlinkOpen, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 0 };
        assert!(crate::family::cross_check(&UnlinkOpen, &q).is_err());
    }
}
