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
//! **Parameters**: `calls`: marked calls (easy 2, medium 3, hard 4–5).
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
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::{IndexedRandom, SliceRandom};
use serde::{Deserialize, Serialize};

/// The family.
pub struct DirOps;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "calls",
    help: "number of marked calls",
    kind: ParamKind::Int { min: 1, max: 8, draw: [(2, 2), (3, 3), (4, 5)] },
}];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
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
        1
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

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let calls = cx.int("calls") as usize;
        let rng = cx.rng();
        // A small tree: var/, var/log/, var/log/app.log, var/run/ (empty), notes.txt.
        let mut ops = vec![
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
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("The code runs on Linux in an empty directory; unmarked calls succeed. For each marked call, give OK or the errno it fails with.")
            .code("c", fsquiz::render_marked(&ops, &probes));
        let solution = Content::new()
            .p("Directories change only through mkdir (one level, never over an existing name), rmdir (empty directories only) and rename; unlink is for non-directories. Where Linux and POSIX differ (unlink of a directory), this key follows Linux.")
            .list(fsquiz::answer_lines(&ops, &probes, &real).into_iter().zip(&probes).map(|(line, p)| {
                let key = fsquiz::expected(p, &real).map(|e| e.reference()).unwrap_or_default();
                format!("{line}: {}.", why(&key, &ops[p.op]))
            }));
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
        let pins = parse_pins(&DirOps, &["calls=6".into()]).unwrap();
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
        let pins = parse_pins(&DirOps, &["calls=8".into()]).unwrap();
        for seed in 0..10 {
            match generate(&DirOps, seed, Difficulty::Hard, &pins) {
                Ok(q) => assert_eq!(q.slots.len(), 8, "seed {seed}"),
                Err(e) => assert!(e.to_string().contains("set calls to"), "seed {seed}: {e}"),
            }
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&DirOps, 2, Difficulty::Medium, &Default::default()).unwrap();
        crate::family::cross_check(&DirOps, &q).unwrap();
        q.slots[0].expected = Expected::errno("EPERM");
        assert!(crate::family::cross_check(&DirOps, &q).is_err());
    }
}
