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
//!
//! `ask=which_flag` (judgment): a story (refuse a stale lock file, rewrite shorter content, two
//! writers on one log, refuse a planted symlink) and a program; which single flag added to its
//! `open` achieves the goal? Every option runs for real; the model re-judges them.


use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::answer::AnswerSlot;
use crate::family::filesystem::fsops;
use crate::family::{About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic};
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
        key: "ask",
        help: "trace (OK, the errno or the value of each marked call) or which_flag (choose the flag that makes a given open safe)",
        kind: ParamKind::Choice {
            options: &["trace", "which_flag"],
            draw: [&["trace", "which_flag"], &["trace", "which_flag"], &["trace", "which_flag"]],
        },
    },
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
    #[serde(default)]
    variants: Vec<fsquiz::Variant>,
    /// ask=which_flag: the options (whole listings) and what they must achieve.
    #[serde(default)]
    remedies: Vec<fsquiz::Remedy>,
    #[serde(default)]
    goal: Option<FlagGoal>,
}

/// What the right flag achieves: `file` ends holding `want`, and (when `must_fail`) the
/// program's first `open` fails rather than touching it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FlagGoal {
    file: String,
    want: String,
    must_fail: bool,
}

fn flag_goal(g: &FlagGoal) -> impl Fn(&[Op], &[fsops::Outcome], &fsops::Contents) -> Result<(), String> + '_ {
    move |ops, out, contents| {
        let first = ops.iter().position(|o| matches!(o, Op::Open { fd: 1, .. })).unwrap_or(0);
        let failed = out[first].errno.clone();
        let got = contents.get(&g.file).map(|c| fsops::show_bytes(c)).unwrap_or_default();
        if g.must_fail && failed.is_none() {
            return Err(format!("the open succeeds and `{}` ends as `{got}`", g.file));
        }
        if got != g.want {
            return Err(match failed {
                Some(e) => format!("`{}` fails with {e}, and `{}` ends as `{got}`", fsquiz::line_of(ops, first), g.file),
                None => format!("`{}` ends as `{got}`", g.file),
            });
        }
        Ok(())
    }
}

/// The situations of ask=which_flag: (id, setup, the program with `X` standing for the added
/// flag on each `open` of fd 1 or fd 2, the goal, the prompt's story, the right flag, and the
/// misconception behind each wrong flag).
struct FlagCase {
    id: &'static str,
    story: &'static str,
    right: Flag,
    wrong: [(Flag, &'static str); 3],
}

const FLAG_CASES: &[FlagCase] = &[
    FlagCase {
        id: "no_clobber",
        story: "A daemon takes a lock file at start-up. A stale `app.lock` from a crashed run is already there, and the daemon must refuse to start rather than overwrite it (it stops if `open` fails).",
        right: Flag::Excl,
        wrong: [
            (Flag::Trunc, "O_TRUNC empties an existing file; it does not refuse it."),
            (Flag::Append, "O_APPEND only moves each write to the end; the open still succeeds."),
            (Flag::Nofollow, "O_NOFOLLOW refuses a final symlink, not an existing regular file."),
        ],
    },
    FlagCase {
        id: "short_rewrite",
        story: "A tool rewrites its config file with a shorter text. The file must end holding exactly the new text.",
        right: Flag::Trunc,
        wrong: [
            (Flag::Append, "O_APPEND adds the text after the old bytes."),
            (Flag::Creat, "O_CREAT matters only when the file is missing; an existing file keeps its length."),
            (Flag::Excl, "O_EXCL without O_CREAT has no effect on an existing regular file; it is not a lock on the bytes."),
        ],
    },
    FlagCase {
        id: "append_log",
        story: "Two parts of a program open the same log file separately and take turns writing records. Every record must survive, in the order written.",
        right: Flag::Append,
        wrong: [
            (Flag::Trunc, "O_TRUNC empties the file at open; each descriptor still has its own offset starting at 0."),
            (Flag::Excl, "O_EXCL makes the second open fail, so its records are lost."),
            (Flag::Nofollow, "O_NOFOLLOW only concerns symlinks; the two offsets still collide."),
        ],
    },
    FlagCase {
        id: "no_symlink",
        story: "A job writes its report to `report.txt` in a shared directory. Someone has replaced `report.txt` with a symlink to `secret.txt`; the job must fail rather than write through it.",
        right: Flag::Nofollow,
        wrong: [
            (Flag::Excl, "O_EXCL without O_CREAT does nothing here; with O_CREAT it would also refuse the ordinary case of an existing report."),
            (Flag::Append, "O_APPEND still follows the symlink and writes to its target."),
            (Flag::Creat, "O_CREAT follows the symlink and opens its existing target."),
        ],
    },
];

fn flag_setup(id: &str) -> Vec<Op> {
    let mut ops = Vec::new();
    match id {
        "no_clobber" => make_file(&mut ops, "app.lock", "4242"),
        "short_rewrite" => make_file(&mut ops, "app.conf", "verbose=1 level=debug"),
        "append_log" => {}
        _ => {
            make_file(&mut ops, "secret.txt", "token");
            ops.push(Op::Symlink { target: "secret.txt".into(), path: "report.txt".into() });
        }
    }
    ops
}

/// The program of a situation, with `extra` added to the flags of each `open`.
fn flag_program(id: &str, extra: Option<Flag>) -> Vec<Op> {
    use Flag::*;
    let with = |mut f: Vec<Flag>| {
        if let Some(x) = extra {
            if !f.contains(&x) {
                f.push(x);
            }
        }
        f
    };
    match id {
        "no_clobber" => vec![
            Op::Open { fd: 1, path: "app.lock".into(), flags: with(vec![Wronly, Creat]), mode: 0o644 },
            Op::Write { fd: 1, data: "5151".into() },
            Op::Close { fd: 1 },
        ],
        "short_rewrite" => vec![
            Op::Open { fd: 1, path: "app.conf".into(), flags: with(vec![Wronly]), mode: 0 },
            Op::Write { fd: 1, data: "level=info".into() },
            Op::Close { fd: 1 },
        ],
        "append_log" => vec![
            Op::Open { fd: 1, path: "app.log".into(), flags: with(vec![Wronly, Creat]), mode: 0o644 },
            Op::Open { fd: 2, path: "app.log".into(), flags: with(vec![Wronly, Creat]), mode: 0o644 },
            Op::Write { fd: 1, data: "a1;".into() },
            Op::Write { fd: 2, data: "b1;".into() },
            Op::Write { fd: 1, data: "a2;".into() },
            Op::Close { fd: 1 },
            Op::Close { fd: 2 },
        ],
        _ => vec![
            Op::Open { fd: 1, path: "report.txt".into(), flags: with(vec![Wronly, Trunc]), mode: 0 },
            Op::Write { fd: 1, data: "report".into() },
            Op::Close { fd: 1 },
        ],
    }
}

fn flag_want(id: &str) -> FlagGoal {
    let (file, want, must_fail) = match id {
        "no_clobber" => ("app.lock", "4242", true),
        "short_rewrite" => ("app.conf", "level=info", false),
        "append_log" => ("app.log", "a1;b1;a2;", false),
        _ => ("secret.txt", "token", true),
    };
    FlagGoal { file: file.into(), want: want.into(), must_fail }
}

/// ask=which_flag: which flag, added to the program's `open`, achieves the story's goal? Every
/// option is run for real.
fn which_flag(cx: &mut Ctx) -> Result<Question, GenError> {
    use rand::seq::{IndexedRandom, SliceRandom};
    let pool: &[usize] = match cx.difficulty() {
        crate::family::Difficulty::Easy => &[0, 1],
        crate::family::Difficulty::Medium => &[0, 1, 2],
        crate::family::Difficulty::Hard => &[1, 2, 3],
    };
    let rng = cx.rng();
    let fc = &FLAG_CASES[*pool.choose(rng).unwrap_or(&0)];
    let setup = flag_setup(fc.id);
    let goal = flag_want(fc.id);
    let name = |f: Flag| f.c().to_string();
    let mut remedies: Vec<fsquiz::Remedy> = std::iter::once((fc.right, ""))
        .chain(fc.wrong.iter().copied())
        .map(|(f, why)| {
            let mut ops = setup.clone();
            ops.extend(flag_program(fc.id, Some(f)));
            fsquiz::Remedy { text: format!("add `{}`", name(f)), ops, why: why.into() }
        })
        .collect();
    remedies.shuffle(rng);
    let read_back = [goal.file.as_str()];
    let g = flag_goal(&goal);
    let verdicts = fsquiz::judge(&remedies, &read_back, true, &g).map_err(GenError::Run)?;
    let expected = fsquiz::remedy_choice(&remedies, &verdicts).map_err(GenError::Run)?;
    let base = flag_program(fc.id, None);
    let opens = if fc.id == "append_log" { "both `open` calls" } else { "the `open`" };
    let prompt = Content::new()
        .p(fc.story)
        .p("It runs on Linux in a directory where only this has happened so far:")
        .code("c", fsops::render_c(&setup))
        .p("and the program is:")
        .code("c", fsops::render_c(&base))
        .p(format!("Which single flag, added to {opens}, achieves that?"));
    let right = name(fc.right);
    let solution = Content::new()
        .p(format!("Only `{right}` does it: run, `{}` ends as `{}`{}.", goal.file, goal.want, if goal.must_fail { " and the open fails" } else { "" }))
        .list(remedies.iter().zip(&verdicts).map(|(r, v)| match v {
            Ok(()) => format!("{}: works.", r.text),
            Err(e) => format!("{}: {e}.", r.text),
        }));
    let evidence = Content::new().p("Each option was run with real syscalls in a private scratch directory, then the file read back:").table(
        ["option", "result"],
        remedies.iter().zip(&verdicts).enumerate().map(|(i, (r, v))| vec![format!("{} {}", crate::answer::letter(i), r.text), v.clone().err().unwrap_or_else(|| "as required".into())]).collect::<Vec<_>>(),
    );
    // Follow-up: the program as written, or the fixed open's own result.
    let (f, var) = if goal.must_fail {
        let mut v = setup.clone();
        v.extend(flag_program(fc.id, Some(fc.right)));
        let open = v.iter().position(|o| matches!(o, Op::Open { fd: 1, .. })).unwrap_or(0);
        fsquiz::variant(format!("With `{right}` added, what does the `open` return?"), v, Some(Probe::new(open, What::Result)), None, |a| {
            format!("**{a}**: the program can report exactly why it refused.")
        })?
    } else {
        let mut v = setup.clone();
        v.extend(base.clone());
        fsquiz::variant(format!("And as written, with no flag added: what does `{}` hold at the end?", goal.file), v, None, Some(&goal.file), |a| {
            format!("`{a}`: the bug the flag fixes, computed by running the program as written.")
        })?
    };
    Ok(Question::new(prompt, vec![AnswerSlot::new("the flag to add", expected)], solution, evidence)
        .followup(f.point("open's flags decide at open time what every later call on the descriptor does"))
        .with_scenario(&Scenario { cases: vec![fc.id.into()], ops: base, probes: vec![], variants: vec![var], remedies, goal: Some(goal.clone()) }))
}

/// The follow-up of ask=trace: the first situation with its `open` changed, run again.
fn trace_followup(case: &str, ops: &[Op], probes: &[Probe]) -> Result<(FollowUp, fsquiz::Variant), GenError> {
    use Flag::*;
    let p = probes[0];
    let Some(i) = ops[..=p.op].iter().rposition(|o| matches!(o, Op::Open { fd: 1, .. })) else {
        return Err(GenError::Run("the first situation opens fd".into()));
    };
    let Op::Open { path, flags, mode, .. } = ops[i].clone() else { unreachable!() };
    let (flags, path, what) = match case {
        "excl_existing" => (vec![Wronly, Creat], path, "without `O_EXCL`"),
        "trunc" => (vec![Wronly], path, "without `O_TRUNC`"),
        "write_rdonly" | "read_wronly" => (vec![Rdwr], path, "with `O_RDWR`"),
        "dir_for_writing" => (vec![Rdonly], path, "with `O_RDONLY`"),
        "directory_on_file" => (vec![Rdonly], path, "without `O_DIRECTORY`"),
        "creat_missing_dir" => (flags, path.rsplit('/').next().unwrap_or("f.txt").to_string(), "on a name in the current directory instead"),
        _ => (vec![Rdwr, Creat, Excl], path, "with `O_EXCL` added"),
    };
    let mut v = ops[..=p.op].to_vec();
    v[i] = Op::Open { fd: 1, path, flags, mode };
    let probe = Probe::new(if case == "creat_existing" { i } else { p.op }, if case == "creat_existing" { What::Result } else { p.what });
    v.truncate(probe.op + 1);
    let line = fsquiz::line_of(&v, i);
    let (f, var) = fsquiz::variant(format!("What if the `open` of the first marked situation were `{line}` ({what})?"), v, Some(probe), None, |a| {
        format!("The marked call then gives **{a}**.")
    })?;
    Ok((f.point("the access mode (O_RDONLY, O_WRONLY, O_RDWR) is fixed at open; the other flags act once, at open"), var))
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
        2
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("trace", [2, 4, 6], &["open-flags"]),
            Ask::new("which_flag", [2, 3, 4], &["open-flags"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "EEXIST, O_TRUNC, EBADF, EISDIR, ENOTDIR, ENOENT from open flags; which flag makes an open safe (choice)",
            key: "real syscalls; each option run for real",
            second_route: "in-memory POSIX model, in Linux's order of checks",
        }
    }
    /// `cases` is the number of situations in the listing.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["cases"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        if cx.pick("ask") == "which_flag" {
            fsquiz::refuse_unused_pins(cx, &["case", "cases"], "which_flag")?;
            return which_flag(cx);
        }
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
            .p("This runs as an ordinary user in an empty directory on Linux; unmarked calls succeed.")
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p(fsquiz::stem(&ops, &probes));
        let mut solution = Content::new();
        for c in &cases {
            solution = solution.p(explain(c));
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        let (f, var) = trace_followup(cases[0], &ops, &probes)?;
        let cases = cases.iter().map(|c| c.to_string()).collect();
        Ok(Question::new(prompt, slots, solution, evidence)
            .followup(f)
            .with_scenario(&Scenario { cases, ops, probes, variants: vec![var], remedies: vec![], goal: None }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check_variants(&s.variants)?;
        if let Some(goal) = &s.goal {
            return fsquiz::check_remedies(q, 0, &s.remedies, &[goal.file.as_str()], &flag_goal(goal));
        }
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
            let pins = parse_pins(&OpenFlags, &["ask=trace".into(), format!("case={case}"), "cases=1".into()]).unwrap();
            let q = generate(&OpenFlags, 1, Difficulty::Medium, &pins).unwrap();
            assert_eq!(q.slots[0].expected.reference(), key, "{case}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&OpenFlags, &["ask=trace".into(), "case=trunc".into(), "cases=5".into()]).unwrap();
        let q = generate(&OpenFlags, 4, Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.cases.len(), 5);
        assert_eq!(s.cases[0], "trunc");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&OpenFlags, &["ask=trace".into(), "case=write_rdonly".into()]).unwrap();
        let mut q = generate(&OpenFlags, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&OpenFlags, &q).unwrap();
        q.slots[0].expected = Expected::errno("EACCES");
        assert!(crate::family::cross_check(&OpenFlags, &q).is_err());
    }

    #[test]
    fn which_flag_keys_the_flag_the_man_page_names() {
        // open(2): O_EXCL with O_CREAT fails on an existing name; O_TRUNC cuts an existing file;
        // O_APPEND moves to the end before each write; O_NOFOLLOW fails (ELOOP) on a final symlink.
        let want = [("no_clobber", "O_EXCL"), ("short_rewrite", "O_TRUNC"), ("append_log", "O_APPEND"), ("no_symlink", "O_NOFOLLOW")];
        let pins = parse_pins(&OpenFlags, &["ask=which_flag".into()]).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..40 {
            for d in [Difficulty::Easy, Difficulty::Hard] {
                let q = generate(&OpenFlags, seed, d, &pins).unwrap();
                let s: Scenario = q.scenario().unwrap();
                let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
                let flag = want.iter().find(|(id, _)| *id == s.cases[0]).unwrap().1;
                assert_eq!(options[*correct].text, format!("add `{flag}`"));
                seen.insert(s.cases[0].clone());
            }
        }
        assert_eq!(seen.len(), 4, "{seen:?}");
    }

    #[test]
    fn the_trace_follow_up_changes_the_first_open() {
        // Without O_EXCL the open of an existing file succeeds.
        let pins = parse_pins(&OpenFlags, &["ask=trace".into(), "case=excl_existing".into(), "cases=1".into()]).unwrap();
        let q = generate(&OpenFlags, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.followups[0].answer.contains("**OK**"), "{}", q.followups[0].answer);
    }
}
