//! `filesystem.dir_ops`: mkdir, rmdir and unlink on directories, and the errors they give.
//!
//! **Asked**: for each marked call, OK or the errno. The listing is a random sequence over a
//! small tree, drawn so that most marked calls fail for a reason worth knowing.
//!
//! **Situations** the generator draws from: mkdir of an existing name (EEXIST); mkdir with a
//! missing parent (ENOENT: mkdir is not `mkdir -p`); mkdir below a file (ENOTDIR); rmdir of a
//! non-empty directory (ENOTEMPTY); rmdir of a file (ENOTDIR); rmdir of a missing name (ENOENT);
//! unlink of a directory (**EISDIR on Linux**; POSIX specifies EPERM, which other systems such as
//! macOS return; this key follows Linux); and the successful calls in between.
//!
//! `ask=cleanup` (judgment): which sequence removes a small tree with every call succeeding
//! (bottom-up unlink/rmdir against rmdir of the root, unlink of a directory, the wrong order,
//! rmdir of files); every option runs for real, the model re-judges them.
//!
//! **Parameters**: `ask`; `calls`: marked calls for `trace` (easy 2, medium 3, hard 4–5).
//! Setup lines no answer depends on are dropped from the listing.
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The in-memory POSIX model, call by call.
//!
//! **Pitfalls**: rmdir removing a tree; unlink removing an empty directory; mkdir creating
//! parents.

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Model, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::answer::AnswerSlot;
use crate::family::filesystem::fsops;
use crate::family::{About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::{IndexedRandom, SliceRandom};
use serde::{Deserialize, Serialize};

/// The family.
pub struct DirOps;

/// The calls that build the tree of ask=trace.
const SETUP: usize = 7;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "trace (OK or the errno of each marked call) or cleanup (which sequence removes a directory tree)",
        kind: ParamKind::Choice {
            options: &["trace", "cleanup"],
            draw: [&["trace", "cleanup"], &["trace", "cleanup"], &["trace", "cleanup"]],
        },
    },
    ParamSpec {
        key: "calls",
        help: "number of marked calls (ask=trace)",
        kind: ParamKind::Int { min: 1, max: 8, draw: [(2, 2), (3, 3), (4, 5)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
    #[serde(default)]
    variants: Vec<fsquiz::Variant>,
    /// ask=cleanup: the options, each a whole listing, and the directory they must remove.
    #[serde(default)]
    remedies: Vec<fsquiz::Remedy>,
    #[serde(default)]
    root: Option<String>,
}

/// The goal of ask=cleanup: every call after the setup succeeds, and the final `stat` of the
/// root finds nothing.
fn cleanup_goal(setup: usize) -> impl Fn(&[Op], &[fsops::Outcome], &fsops::Contents) -> Result<(), String> {
    move |ops, out, _| {
        let last = out.len() - 1;
        for (i, o) in out.iter().enumerate().take(last).skip(setup) {
            if let Some(e) = &o.errno {
                return Err(format!("`{}` fails with {e}", fsquiz::line_of(ops, i)));
            }
        }
        match out[last].errno.as_deref() {
            Some("ENOENT") => Ok(()),
            _ => Err("the directory is still there".into()),
        }
    }
}

/// ask=cleanup: which sequence of calls removes the tree `root` (a subdirectory holding a file,
/// and a file beside it), every call succeeding? Options from named misconceptions, all run.
fn cleanup(cx: &mut Ctx) -> Result<Question, GenError> {
    use rand::seq::{IndexedRandom, SliceRandom};
    let rng = cx.rng();
    let root = *["cache", "build", "tmpdata", "spool"].choose(rng).unwrap_or(&"cache");
    let sub = format!("{root}/{}", ["img", "obj", "parts", "old"].choose(rng).unwrap_or(&"img"));
    let inner = format!("{sub}/{}", ["a.png", "main.o", "p1", "x.dat"].choose(rng).unwrap_or(&"a.png"));
    let side = format!("{root}/{}", ["index", "LOCK", "manifest", "stamp"].choose(rng).unwrap_or(&"index"));
    let mut setup = vec![
        Op::Mkdir { path: root.into(), mode: 0o755 },
        Op::Mkdir { path: sub.clone(), mode: 0o755 },
    ];
    for f in [&inner, &side] {
        setup.push(Op::Open { fd: 0, path: f.clone(), flags: vec![Flag::Wronly, Flag::Creat], mode: 0o644 });
        setup.push(Op::Close { fd: 0 });
    }
    let n = setup.len();
    let unlink = |p: &str| Op::Unlink { path: p.into() };
    let rmdir = |p: &str| Op::Rmdir { path: p.into() };
    let seqs: Vec<(Vec<Op>, &str)> = vec![
        (vec![unlink(&inner), rmdir(&sub), unlink(&side), rmdir(root)], ""),
        (vec![rmdir(root)], "rmdir is not `rm -r`: it removes only an empty directory."),
        (vec![unlink(&inner), unlink(&side), unlink(&sub), rmdir(root)], "unlink removes names of files; an empty directory still needs rmdir (Linux says EISDIR)."),
        (vec![unlink(&side), rmdir(&sub), unlink(&inner), rmdir(root)], "Children must go before their directory: the order matters."),
        (vec![rmdir(&inner), rmdir(&sub), rmdir(&side), rmdir(root)], "rmdir removes directories only, not files."),
    ];
    let mut remedies: Vec<fsquiz::Remedy> = seqs
        .into_iter()
        .map(|(seq, why)| {
            let text = seq.iter().map(fsops::render_op).collect::<Vec<_>>().join(" ");
            let mut ops = setup.clone();
            ops.extend(seq);
            ops.push(Op::Stat { path: root.into() });
            fsquiz::Remedy { text: format!("`{text}`"), ops, why: why.into() }
        })
        .collect();
    // Four options at easy and medium (the right one and three misconceptions), five at hard.
    let keep = if cx.difficulty() == crate::family::Difficulty::Hard { 5 } else { 4 };
    let rng = cx.rng();
    let right = remedies.remove(0);
    remedies.shuffle(rng);
    remedies.truncate(keep - 1);
    remedies.push(right);
    remedies.shuffle(rng);
    let goal = cleanup_goal(n);
    let verdicts = fsquiz::judge(&remedies, &[], true, &goal).map_err(GenError::Run)?;
    let expected = fsquiz::remedy_choice(&remedies, &verdicts).map_err(GenError::Run)?;
    let prompt = Content::new()
        .p("A test leaves this tree behind (in an empty directory on Linux, every call succeeds):")
        .code("c", fsops::render_c(&setup))
        .p(format!("Which sequence removes `{root}` completely, with every call succeeding?"));
    let solution = Content::new()
        .p("There is no system call that removes a tree. Files go with unlink, directories with rmdir, and rmdir only works on an empty directory, so the tree is removed bottom up: the files in a directory first, then the directory, then its parent (what `rm -r` does).")
        .list(remedies.iter().zip(&verdicts).map(|(r, v)| match v {
            Ok(()) => format!("{}: works.", r.text),
            Err(e) => format!("{}: {e}.", r.text),
        }));
    let evidence = Content::new().p("Each option was run with real syscalls in a private scratch directory, then `stat` checked the directory:").table(
        ["option", "result"],
        remedies.iter().zip(&verdicts).enumerate().map(|(i, (r, v))| vec![format!("{} {}", crate::answer::letter(i), r.text), v.clone().err().unwrap_or_else(|| "removed, every call OK".into())]).collect::<Vec<_>>(),
    );
    let mut v = setup.clone();
    v.push(rmdir(root));
    let probe = Probe::new(v.len() - 1, What::Result);
    let (f, var) = fsquiz::variant(format!("What does `rmdir(\"{root}\")` return if it runs first?"), v, Some(probe), None, |a| {
        format!("**{a}**: the directory still holds entries; rmdir never removes them for you.")
    })?;
    Ok(Question::new(prompt, vec![AnswerSlot::new("the sequence that removes the tree", expected)], solution, evidence)
        .followup(f.point("POSIX also allows EEXIST for a non-empty directory; Linux returns ENOTEMPTY"))
        .followup(FollowUp::new(
            "How would you remove a tree safely when another process may be adding files to it?",
            "Rename it out of the way first (one atomic rename to a private name), then remove the renamed tree bottom up; or use `unlinkat` relative to directory descriptors so a swapped-in symlink cannot redirect the removal.",
        ))
        .with_scenario(&Scenario { ops: setup, probes: vec![], variants: vec![var], remedies, root: Some(root.into()) }))
}

/// The marked-call kinds, each a function of the current names.
const KINDS: &[&str] = &[
    "mkdir_existing",
    "mkdir_missing_parent",
    "mkdir_under_file",
    "rmdir_nonempty",
    "rmdir_file",
    "rmdir_missing",
    "unlink_dir",
    "rmdir_empty",
];

fn why(errno: &str, op: &Op) -> String {
    let reason = match (errno, op) {
        ("OK", Op::Rmdir { .. }) => "the directory is empty, so rmdir removes it",
        ("OK", _) => "it succeeds",
        ("EEXIST", _) => "the name already exists (mkdir never replaces)",
        ("ENOENT", Op::Mkdir { .. }) => "a parent directory is missing: mkdir creates only the last component",
        ("ENOENT", _) => "there is no such name",
        ("ENOTDIR", Op::Mkdir { .. }) => "a component of the path is a regular file",
        ("ENOTDIR", _) => "rmdir removes directories only",
        ("ENOTEMPTY", _) => "rmdir removes only empty directories",
        ("EISDIR", _) => "unlink does not remove directories; Linux says EISDIR (POSIX: EPERM)",
        _ => "",
    };
    reason.to_string()
}

impl Family for DirOps {
    fn id(&self) -> &'static str {
        "filesystem.dir_ops"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "mkdir, rmdir and unlink on directories"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `calls` is the number of calls listed in the code.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["calls"]
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("trace", [2, 3, 5], &["directory-ops"]),
            Ask::new("cleanup", [2, 3, 4], &["directory-ops"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "mkdir, rmdir and unlink on directories (Linux's EISDIR, not POSIX's EPERM); which sequence removes a tree (choice)",
            key: "real syscalls; each option run for real",
            second_route: "in-memory POSIX model",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        if cx.pick("ask") == "cleanup" {
            fsquiz::refuse_unused_pins(cx, &["calls"], "cleanup")?;
            return cleanup(cx);
        }
        let calls = cx.int("calls") as usize;
        let rng = cx.rng();
        // A small tree: var/, var/log/, var/log/app.log, var/run/ (empty), notes.txt.
        let mut ops = vec![
            // SETUP calls: the tree the marked calls work on.
            Op::Mkdir { path: "var".into(), mode: 0o755 },
            Op::Mkdir { path: "var/log".into(), mode: 0o755 },
            Op::Open { fd: 0, path: "var/log/app.log".into(), flags: vec![Flag::Wronly, Flag::Creat], mode: 0o644 },
            Op::Close { fd: 0 },
            Op::Mkdir { path: "var/run".into(), mode: 0o755 },
            Op::Open { fd: 0, path: "notes.txt".into(), flags: vec![Flag::Wronly, Flag::Creat], mode: 0o644 },
            Op::Close { fd: 0 },
        ];
        let mut model = Model::default();
        for op in &ops {
            model.apply(op);
        }
        let dirs = ["var", "var/log", "var/run", "tmp", "var/cache"];
        let files = ["notes.txt", "var/log/app.log"];
        let mut kinds: Vec<&str> = KINDS.to_vec();
        kinds.shuffle(rng);
        let mut probes = Vec::new();
        let mut k = 0;
        while probes.len() < calls {
            let kind = kinds[k % kinds.len()];
            k += 1;
            // Build a call of this kind against the current state, if one exists.
            let is_dir = |p: &str| model.exists(p) && model.content(p).is_none();
            let rmdir_fails = |p: &str| model.clone().apply(&Op::Rmdir { path: p.to_string() }).errno.is_some();
            let mkdir = |p: String| Op::Mkdir { path: p, mode: 0o755 };
            let rmdir = |p: &str| Op::Rmdir { path: p.to_string() };
            let candidates: Vec<Op> = match kind {
                "mkdir_existing" => dirs.iter().filter(|d| is_dir(d)).map(|d| mkdir(d.to_string())).collect(),
                "mkdir_missing_parent" => ["tmp/cache", "var/cache/pkg", "srv/www"]
                    .iter()
                    .filter(|p| !model.exists(p.rsplit_once('/').map_or("", |x| x.0)))
                    .map(|p| mkdir(p.to_string()))
                    .collect(),
                "mkdir_under_file" => files.iter().filter(|f| model.exists(f)).map(|f| mkdir(format!("{f}/sub"))).collect(),
                "rmdir_nonempty" => ["var", "var/log"].iter().filter(|d| is_dir(d) && rmdir_fails(d)).map(|d| rmdir(d)).collect(),
                "rmdir_file" => files.iter().filter(|f| model.exists(f)).map(|f| rmdir(f)).collect(),
                "rmdir_missing" => ["tmp", "var/cache"].iter().filter(|d| !model.exists(d)).map(|d| rmdir(d)).collect(),
                "unlink_dir" => dirs.iter().filter(|d| is_dir(d)).map(|d| Op::Unlink { path: d.to_string() }).collect(),
                _ => dirs.iter().filter(|d| is_dir(d) && !rmdir_fails(d)).map(|d| rmdir(d)).collect(),
            };
            let Some(op) = candidates.choose(rng).cloned() else {
                if k > 4 * KINDS.len() {
                    break;
                }
                continue;
            };
            model.apply(&op);
            ops.push(op);
            probes.push(Probe::new(ops.len() - 1, What::Result));
            // Sometimes an unmarked call changes the tree between marked ones.
            if k % 2 == 0 && !model.exists("tmp") {
                let op = Op::Mkdir { path: "tmp".into(), mode: 0o755 };
                model.apply(&op);
                ops.push(op);
            }
        }
        if probes.len() < calls {
            return Err(GenError::Params {
                message: format!("the small tree this family uses gave only {} calls worth marking, not the {calls} asked for", probes.len()),
                hint: format!("set calls to {} or fewer", probes.len().max(1)),
            });
        }
        fsquiz::prune_setup(&mut ops, &mut probes, SETUP);
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("The code runs on Linux in an empty directory; unmarked calls succeed.")
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p(fsquiz::stem(&ops, &probes));
        let solution = Content::new()
            .p("Directories change only through mkdir (one level, never over an existing name), rmdir (empty directories only) and rename; unlink is for non-directories. Where Linux and POSIX differ (unlink of a directory), this key follows Linux.")
            .list(fsquiz::answer_lines(&ops, &probes, &real).into_iter().zip(&probes).map(|(line, p)| {
                let key = fsquiz::expected(p, &real).map(|e| e.reference()).unwrap_or_default();
                format!("{line}: {}.", why(&key, &ops[p.op]))
            }));
        let evidence = fsquiz::evidence(&ops, &real);
        // Follow-up: the first marked call, run again straight after.
        let (v, vp) = fsquiz::repeated(&ops, probes[0]);
        let line = fsquiz::line_of(&ops, probes[0].op);
        let (f, var) = fsquiz::variant(format!("What does `{line}` return if it runs a second time, straight after?"), v, Some(vp), None, |a| {
            format!("**{a}**: {}.", why(a, &ops[probes[0].op]))
        })?;
        Ok(Question::new(prompt, slots, solution, evidence)
            .followup(f.point("a failed call changes nothing; a successful mkdir or rmdir changes what the same call meets next"))
            .with_scenario(&Scenario { ops, probes, variants: vec![var], remedies: vec![], root: None }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check_variants(&s.variants)?;
        if s.root.is_some() {
            return fsquiz::check_remedies(q, 0, &s.remedies, &[], &cleanup_goal(s.ops.len()));
        }
        fsquiz::check(q, &s.ops, &s.probes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Expected;
    use crate::family::filesystem::fsops;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&DirOps, 0..30).unwrap();
    }

    #[test]
    fn linux_errnos_for_directories() {
        let d = |p: &str| Op::Mkdir { path: p.into(), mode: 0o755 };
        let ops = vec![
            d("a"),
            d("a/b"),
            Op::Unlink { path: "a/b".into() },
            Op::Rmdir { path: "a".into() },
            d("a"),
            d("x/y"),
            Op::Rmdir { path: "a/b".into() },
            Op::Rmdir { path: "a".into() },
        ];
        let (real, _) = fsops::run_real(&ops, &[]).unwrap();
        let got: Vec<String> = real.iter().map(|o| o.errno.clone().unwrap_or_else(|| "OK".into())).collect();
        assert_eq!(got, ["OK", "OK", "EISDIR", "ENOTEMPTY", "EEXIST", "ENOENT", "OK", "OK"]);
    }

    #[test]
    fn pins_are_used_and_most_marked_calls_fail() {
        let pins = parse_pins(&DirOps, &["ask=trace".into(), "calls=6".into()]).unwrap();
        let mut failing = 0;
        let mut total = 0;
        for seed in 0..10 {
            let q = generate(&DirOps, seed, Difficulty::Easy, &pins).unwrap();
            assert_eq!(q.slots.len(), 6);
            total += 6;
            failing += q.slots.iter().filter(|s| s.expected.reference() != "OK").count();
        }
        assert!(failing * 2 > total, "{failing} of {total}");
    }

    #[test]
    fn too_many_calls_is_a_parameter_error_not_a_shorter_question() {
        let pins = parse_pins(&DirOps, &["ask=trace".into(), "calls=8".into()]).unwrap();
        for seed in 0..10 {
            match generate(&DirOps, seed, Difficulty::Hard, &pins) {
                Ok(q) => assert_eq!(q.slots.len(), 8, "seed {seed}"),
                Err(e) => assert!(e.to_string().contains("set calls to"), "seed {seed}: {e}"),
            }
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&DirOps, &["ask=trace".into()]).unwrap();
        let mut q = generate(&DirOps, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&DirOps, &q).unwrap();
        q.slots[0].expected = Expected::errno("EPERM");
        assert!(crate::family::cross_check(&DirOps, &q).is_err());
    }

    #[test]
    fn cleanup_keys_the_bottom_up_order() {
        // By hand (rmdir(2), unlink(2)): files first, then the emptied directory, then its parent.
        let pins = parse_pins(&DirOps, &["ask=cleanup".into()]).unwrap();
        for seed in 0..10 {
            let q = generate(&DirOps, seed, Difficulty::Hard, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
            assert_eq!(options.len(), 5);
            let right = &options[*correct].text;
            let root = s.root.clone().unwrap();
            assert!(right.starts_with("`unlink(") && right.ends_with(&format!("rmdir(\"{root}\");`")), "{right}");
            assert!(options.iter().any(|o| o.text == format!("`rmdir(\"{root}\");`")));
            crate::family::cross_check(&DirOps, &q).unwrap();
            // The wrong ones carry the failing call.
            assert!(options.iter().filter(|o| o.why_wrong.as_deref().is_some_and(|w| w.contains("fails with"))).count() == 4);
        }
    }

    #[test]
    fn no_setup_line_is_unused() {
        let pins = parse_pins(&DirOps, &["ask=trace".into()]).unwrap();
        for seed in 0..10 {
            let q = generate(&DirOps, seed, Difficulty::Easy, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            let (mut ops, mut probes) = (s.ops.clone(), s.probes.clone());
            let setup = ops.len() - (ops.len() - probes[0].op);
            fsquiz::prune_setup(&mut ops, &mut probes, setup);
            assert_eq!(ops, s.ops, "seed {seed}: a setup line no answer uses is shown");
        }
    }

    #[test]
    fn a_pin_the_drawn_ask_does_not_use_is_an_error() {
        let pins = parse_pins(&DirOps, &["ask=cleanup".into(), "calls=3".into()]).unwrap();
        let e = generate(&DirOps, 1, Difficulty::Easy, &pins).unwrap_err();
        assert!(e.to_string().contains("not used when ask=cleanup") && e.hint().is_some(), "{e}");
    }
}
