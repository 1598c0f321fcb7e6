//! `filesystem.open_flags`: what open(2)'s flags do, and the errors they give.
//!
//! **Asked**: for each marked call, OK or the errno, or for `O_TRUNC` the size `fstat` reports.
//!
//! **Cases** (`case` pins the first; `cases` sets how many, easy 2, medium 3, hard 4, each on
//! its own file): `excl_existing` (O_CREAT|O_EXCL on an existing file: EEXIST); `trunc`
//! (O_TRUNC empties the file: st_size 0); `write_rdonly` (write on an O_RDONLY descriptor:
//! EBADF); `read_wronly` (read on an O_WRONLY descriptor: EBADF); `dir_for_writing` (a directory
//! opened O_WRONLY: EISDIR); `directory_on_file` (O_DIRECTORY on a regular file: ENOTDIR);
//! `creat_missing_dir` (O_CREAT does not create parent directories: ENOENT); `creat_existing`
//! (O_CREAT without O_EXCL opens the existing file and keeps its bytes).
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The in-memory POSIX model, call by call, in Linux's order of checks.
//!
//! **Pitfalls**: O_CREAT alone failing on an existing file; O_TRUNC only on write; EACCES for a
//! write on a read-only descriptor (it is EBADF: the file's permissions are not involved).

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};

/// The family.
pub struct OpenFlags;

const CASES: &[&str] = &[
    "excl_existing",
    "trunc",
    "write_rdonly",
    "read_wronly",
    "dir_for_writing",
    "directory_on_file",
    "creat_missing_dir",
    "creat_existing",
];

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "case",
        help: "the first situation: excl_existing, trunc, write_rdonly, read_wronly, dir_for_writing, directory_on_file, creat_missing_dir or creat_existing",
        kind: ParamKind::Choice {
            options: CASES,
            draw: [
                &["excl_existing", "trunc", "write_rdonly"],
                &["excl_existing", "trunc", "write_rdonly", "dir_for_writing", "directory_on_file"],
                &["dir_for_writing", "directory_on_file", "creat_missing_dir", "creat_existing", "read_wronly"],
            ],
        },
    },
    ParamSpec {
        key: "cases",
        help: "how many situations the listing holds",
        kind: ParamKind::Int { min: 1, max: 5, draw: [(2, 2), (3, 3), (4, 4)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    cases: Vec<String>,
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

fn open(fd: usize, path: &str, flags: &[Flag]) -> Op {
    Op::Open { fd, path: path.into(), flags: flags.to_vec(), mode: 0o644 }
}

fn make_file(ops: &mut Vec<Op>, path: &str, data: &str) {
    ops.push(open(0, path, &[Flag::Wronly, Flag::Creat, Flag::Trunc]));
    ops.push(Op::Write { fd: 0, data: data.into() });
    ops.push(Op::Close { fd: 0 });
}

/// Appends case `case` on names numbered `k`; returns its probes.
fn add_case(case: &str, k: usize, ops: &mut Vec<Op>) -> Vec<Probe> {
    use Flag::*;
    let f = format!("f{}.txt", k + 1);
    let mut probes = Vec::new();
    let last = |ops: &Vec<Op>, what| Probe::new(ops.len() - 1, what);
    match case {
        "excl_existing" => {
            make_file(ops, &f, "lock");
            ops.push(open(1, &f, &[Wronly, Creat, Excl]));
            probes.push(last(ops, What::Result));
        }
        "trunc" => {
            make_file(ops, &f, "0123456789");
            ops.push(open(1, &f, &[Wronly, Trunc]));
            ops.push(Op::Fstat { fd: 1 });
            probes.push(last(ops, What::Size));
            ops.push(Op::Close { fd: 1 });
        }
        "write_rdonly" => {
            make_file(ops, &f, "abc");
            ops.push(open(1, &f, &[Rdonly]));
            ops.push(Op::Write { fd: 1, data: "xyz".into() });
            probes.push(last(ops, What::Result));
            ops.push(Op::Close { fd: 1 });
        }
        "read_wronly" => {
            make_file(ops, &f, "abc");
            ops.push(open(1, &f, &[Wronly]));
            ops.push(Op::Read { fd: 1, len: 3 });
            probes.push(last(ops, What::Result));
            ops.push(Op::Close { fd: 1 });
        }
        "dir_for_writing" => {
            let d = format!("d{}", k + 1);
            ops.push(Op::Mkdir { path: d.clone(), mode: 0o755 });
            ops.push(open(1, &d, &[Wronly]));
            probes.push(last(ops, What::Result));
        }
        "directory_on_file" => {
            make_file(ops, &f, "abc");
            ops.push(open(1, &f, &[Rdonly, Directory]));
            probes.push(last(ops, What::Result));
        }
        "creat_missing_dir" => {
            ops.push(open(1, &format!("logs{}/{f}", k + 1), &[Wronly, Creat]));
            probes.push(last(ops, What::Result));
        }
        _ => {
            make_file(ops, &f, "keep me");
            ops.push(open(1, &f, &[Rdwr, Creat]));
            probes.push(last(ops, What::Result));
            ops.push(Op::Read { fd: 1, len: 32 });
            probes.push(last(ops, What::Data));
            ops.push(Op::Close { fd: 1 });
        }
    }
    probes
}

fn explain(case: &str) -> &'static str {
    match case {
        "excl_existing" => "`O_CREAT | O_EXCL` fails with **EEXIST** if the name exists: the atomic create-if-absent that lock files rely on.",
        "trunc" => "`O_TRUNC` on a descriptor opened for writing cuts the file to length 0 at open: st_size 0.",
        "write_rdonly" => "write on a descriptor opened `O_RDONLY` fails with **EBADF**: the descriptor is not open for writing (the file's permission bits are not consulted).",
        "read_wronly" => "read on a descriptor opened `O_WRONLY` fails with **EBADF**.",
        "dir_for_writing" => "A directory cannot be opened for writing: **EISDIR** (directories change only through mkdir, rename, unlink …).",
        "directory_on_file" => "`O_DIRECTORY` insists on a directory: on a regular file, **ENOTDIR**.",
        "creat_missing_dir" => "`O_CREAT` creates the last component only: a missing parent directory gives **ENOENT**.",
        _ => "`O_CREAT` without `O_EXCL` on an existing file simply opens it (mode ignored, bytes kept): OK, and read sees the old content.",
    }
}

impl Family for OpenFlags {
    fn id(&self) -> &'static str {
        "filesystem.open_flags"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "open(2) flags and their errors"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let first = cx.pick("case");
        let count = cx.int("cases") as usize;
        let cases = fsquiz::draw_cases(first, CASES, count, cx.rng());
        let mut ops = Vec::new();
        let mut probes = Vec::new();
        for (k, c) in cases.iter().enumerate() {
            probes.extend(add_case(c, k, &mut ops));
        }
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("This runs as an ordinary user in an empty directory on Linux; unmarked calls succeed. For each marked call give OK or the errno it fails with (for `fstat`, the st_size it reports; for `read`, the bytes it reads).")
            .code("c", fsquiz::render_marked(&ops, &probes));
        let mut solution = Content::new();
        for c in &cases {
            solution = solution.p(explain(c));
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        let cases = cases.iter().map(|c| c.to_string()).collect();
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { cases, ops, probes }))
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
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&OpenFlags, 0..30).unwrap();
    }

    #[test]
    fn the_errnos_are_the_documented_ones() {
        // open(2) and write(2)/read(2) man pages.
        let want = [
            ("excl_existing", "EEXIST"),
            ("trunc", "0"),
            ("write_rdonly", "EBADF"),
            ("read_wronly", "EBADF"),
            ("dir_for_writing", "EISDIR"),
            ("directory_on_file", "ENOTDIR"),
            ("creat_missing_dir", "ENOENT"),
            ("creat_existing", "OK"),
        ];
        for (case, key) in want {
            let pins = parse_pins(&OpenFlags, &[format!("case={case}"), "cases=1".into()]).unwrap();
            let q = generate(&OpenFlags, 1, Difficulty::Medium, &pins).unwrap();
            assert_eq!(q.slots[0].expected.reference(), key, "{case}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&OpenFlags, &["case=trunc".into(), "cases=5".into()]).unwrap();
        let q = generate(&OpenFlags, 4, Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.cases.len(), 5);
        assert_eq!(s.cases[0], "trunc");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&OpenFlags, &["case=write_rdonly".into()]).unwrap();
        let mut q = generate(&OpenFlags, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&OpenFlags, &q).unwrap();
        q.slots[0].expected = Expected::errno("EACCES");
        assert!(crate::family::cross_check(&OpenFlags, &q).is_err());
    }
}
