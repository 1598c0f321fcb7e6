//! `filesystem.rename`: what `rename(2)` does when the destination already exists.
//!
//! **Asked**: for each marked `rename`, OK or the errno; after a successful one, what a later
//! read or stat sees.
//!
//! **Cases** (`case` pins the first; the others are drawn): `file_onto_file` (replaces it
//! atomically: OK, the destination now has the source's bytes); `file_onto_empty_dir` (EISDIR);
//! `dir_onto_nonempty_dir` (ENOTEMPTY; POSIX also allows EEXIST, Linux says ENOTEMPTY);
//! `dir_onto_empty_dir` (OK: the empty directory is replaced); `dir_onto_file` (ENOTDIR);
//! `same_file` (two hard links to one file: rename does nothing and both names stay, so
//! st_nlink is still 2); `missing_parent` (ENOENT). `renames`: easy 1, medium 2, hard 3 cases in
//! one listing, each on its own names.
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The in-memory POSIX model, call by call; each slot's key must equal the
//! model's answer.
//!
//! **Pitfalls**: thinking rename refuses an existing destination (that is `link`, or
//! `renameat2(RENAME_NOREPLACE)`); thinking rename merges directories; forgetting the
//! hard-link no-op.

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Rename;

const CASES: &[&str] = &[
    "file_onto_file",
    "file_onto_empty_dir",
    "dir_onto_nonempty_dir",
    "dir_onto_empty_dir",
    "dir_onto_file",
    "same_file",
    "missing_parent",
];

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "case",
        help: "the first rename's situation: file_onto_file, file_onto_empty_dir, dir_onto_nonempty_dir, dir_onto_empty_dir, dir_onto_file, same_file or missing_parent",
        kind: ParamKind::Choice {
            options: CASES,
            draw: [
                &["file_onto_file", "file_onto_empty_dir", "dir_onto_file"],
                &["file_onto_file", "file_onto_empty_dir", "dir_onto_nonempty_dir", "dir_onto_empty_dir", "dir_onto_file"],
                &["dir_onto_nonempty_dir", "dir_onto_empty_dir", "same_file", "missing_parent", "file_onto_file"],
            ],
        },
    },
    ParamSpec {
        key: "renames",
        help: "how many rename situations the listing holds",
        kind: ParamKind::Int { min: 1, max: 4, draw: [(1, 1), (2, 2), (3, 3)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    cases: Vec<String>,
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

fn create(path: &str, data: &str, fd: usize) -> Vec<Op> {
    vec![
        Op::Open { fd, path: path.into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Trunc], mode: 0o644 },
        Op::Write { fd, data: data.into() },
        Op::Close { fd },
    ]
}

fn mkdir(path: &str) -> Op {
    Op::Mkdir { path: path.into(), mode: 0o755 }
}

/// Appends case `case` (names suffixed with `k`) to the list: setup ops, then the rename, then
/// follow-up calls. Returns the probes it adds.
fn add_case(case: &str, k: usize, ops: &mut Vec<Op>) -> Vec<Probe> {
    // Each case on its own names: "draft", "draft2", "report2.csv", …
    let n = |base: &str| match (k, base.split_once('.')) {
        (0, _) => base.to_string(),
        (_, Some((stem, ext))) => format!("{stem}{}.{ext}", k + 1),
        (_, None) => format!("{base}{}", k + 1),
    };
    let rename = |ops: &mut Vec<Op>, from: String, to: String| {
        ops.push(Op::Rename { from, to });
        ops.len() - 1
    };
    let mut probes = Vec::new();
    match case {
        "file_onto_file" => {
            let (a, b) = (n("draft"), n("final"));
            ops.extend(create(&a, "new config", 0));
            ops.extend(create(&b, "old", 0));
            let r = rename(ops, a, b.clone());
            probes.push(Probe::new(r, What::Result));
            ops.push(Op::Open { fd: 1, path: b, flags: vec![Flag::Rdonly], mode: 0 });
            ops.push(Op::Read { fd: 1, len: 64 });
            probes.push(Probe::new(ops.len() - 1, What::Data));
            ops.push(Op::Close { fd: 1 });
        }
        "file_onto_empty_dir" => {
            let (a, d) = (n("report.csv"), n("archive"));
            ops.extend(create(&a, "rows", 0));
            ops.push(mkdir(&d));
            let r = rename(ops, a, d);
            probes.push(Probe::new(r, What::Result));
        }
        "dir_onto_nonempty_dir" => {
            let (d1, d2) = (n("build"), n("release"));
            ops.push(mkdir(&d1));
            ops.extend(create(&format!("{d1}/app"), "v2", 0));
            ops.push(mkdir(&d2));
            ops.extend(create(&format!("{d2}/app"), "v1", 0));
            let r = rename(ops, d1, d2);
            probes.push(Probe::new(r, What::Result));
        }
        "dir_onto_empty_dir" => {
            let (d1, d2) = (n("staging"), n("live"));
            ops.push(mkdir(&d1));
            ops.extend(create(&format!("{d1}/index.html"), "hello", 0));
            ops.push(mkdir(&d2));
            let r = rename(ops, d1, d2.clone());
            probes.push(Probe::new(r, What::Result));
            ops.push(Op::Open { fd: 1, path: format!("{d2}/index.html"), flags: vec![Flag::Rdonly], mode: 0 });
            ops.push(Op::Read { fd: 1, len: 64 });
            probes.push(Probe::new(ops.len() - 1, What::Data));
            ops.push(Op::Close { fd: 1 });
        }
        "dir_onto_file" => {
            let (d, f) = (n("cache"), n("cache.old"));
            ops.push(mkdir(&d));
            ops.extend(create(&f, "x", 0));
            let r = rename(ops, d, f);
            probes.push(Probe::new(r, What::Result));
        }
        "same_file" => {
            let (a, b) = (n("data"), n("data.bak"));
            ops.extend(create(&a, "1234", 0));
            ops.push(Op::Link { from: a.clone(), to: b.clone() });
            let r = rename(ops, a.clone(), b);
            probes.push(Probe::new(r, What::Result));
            ops.push(Op::Stat { path: a });
            probes.push(Probe::new(ops.len() - 1, What::Nlink));
        }
        _ => {
            let a = n("out.log");
            ops.extend(create(&a, "log", 0));
            let r = rename(ops, a, format!("{}/out.log", n("rotated")));
            probes.push(Probe::new(r, What::Result));
        }
    }
    probes
}

fn explain(case: &str) -> &'static str {
    match case {
        "file_onto_file" => "A file renamed onto an existing file replaces it atomically: the destination name now refers to the source's inode, and the old file is gone once nothing else links to it.",
        "file_onto_empty_dir" => "A file cannot replace a directory, empty or not: **EISDIR**.",
        "dir_onto_nonempty_dir" => "A directory may replace only an *empty* directory: **ENOTEMPTY** (POSIX also allows EEXIST; Linux returns ENOTEMPTY). rename never merges directories.",
        "dir_onto_empty_dir" => "A directory may replace an empty directory: OK, and its contents are now reachable under the new name.",
        "dir_onto_file" => "A directory cannot replace a non-directory: **ENOTDIR**.",
        "same_file" => "Both names are hard links to the same inode, and POSIX says rename then does nothing and succeeds: both names remain, st_nlink stays 2.",
        _ => "The destination's parent directory does not exist: **ENOENT** (rename never creates directories).",
    }
}

impl Family for Rename {
    fn id(&self) -> &'static str {
        "filesystem.rename"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "rename(2) onto files and directories"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `renames` is the number of rename calls in the code.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["renames"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let first = cx.pick("case");
        let count = cx.int("renames") as usize;
        let cases = fsquiz::draw_cases(first, CASES, count, cx.rng());
        let mut ops = Vec::new();
        let mut probes = Vec::new();
        for (k, c) in cases.iter().enumerate() {
            probes.extend(add_case(c, k, &mut ops));
        }
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("The program below runs in an empty directory on Linux, and every call not marked succeeds. For each marked call, give the result.")
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
        stress(&Rename, 0..30).unwrap();
    }

    fn first_key(case: &str) -> String {
        let pins = parse_pins(&Rename, &[format!("case={case}"), "renames=1".into()]).unwrap();
        let q = generate(&Rename, 1, Difficulty::Medium, &pins).unwrap();
        q.slots[0].expected.reference()
    }

    #[test]
    fn the_errnos_are_the_documented_ones() {
        // rename(2), Linux man page: EISDIR, ENOTEMPTY, ENOTDIR, ENOENT; success otherwise.
        assert_eq!(first_key("file_onto_file"), "OK");
        assert_eq!(first_key("file_onto_empty_dir"), "EISDIR");
        assert_eq!(first_key("dir_onto_nonempty_dir"), "ENOTEMPTY");
        assert_eq!(first_key("dir_onto_empty_dir"), "OK");
        assert_eq!(first_key("dir_onto_file"), "ENOTDIR");
        assert_eq!(first_key("same_file"), "OK");
        assert_eq!(first_key("missing_parent"), "ENOENT");
    }

    #[test]
    fn follow_ups_see_the_result() {
        let pins = parse_pins(&Rename, &["case=same_file".into(), "renames=1".into()]).unwrap();
        let q = generate(&Rename, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[1].expected.reference(), "2", "both links survive");
        let pins = parse_pins(&Rename, &["case=file_onto_file".into(), "renames=1".into()]).unwrap();
        let q = generate(&Rename, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[1].expected.reference(), "new config");
    }

    #[test]
    fn pins_are_used_and_cases_do_not_repeat() {
        let pins = parse_pins(&Rename, &["case=dir_onto_file".into(), "renames=4".into()]).unwrap();
        let q = generate(&Rename, 3, Difficulty::Hard, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.cases[0], "dir_onto_file");
        assert_eq!(s.cases.len(), 4);
        let mut c = s.cases.clone();
        c.sort();
        c.dedup();
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Rename, &["case=file_onto_empty_dir".into()]).unwrap();
        let mut q = generate(&Rename, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Rename, &q).unwrap();
        q.slots[0].expected = Expected::errno("EEXIST");
        assert!(crate::family::cross_check(&Rename, &q).is_err());
    }
}
