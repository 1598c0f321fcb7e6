//! `filesystem.path_resolution`: which file a path opens when it goes through symlinks and `..`.
//!
//! **Asked**: for each marked `open`, OK or the errno (ELOOP for a symlink loop, ENOENT for a
//! dangling link or a missing name, ENOTDIR), and for each open that succeeds, the bytes the
//! next `read` returns, which tell which file was opened.
//!
//! **Setup**: a tree with three files named `config` holding different text (at the top, in
//! `srv/app` and in `srv/shared`), a symlink `current` → `srv/app`, a relative symlink
//! `srv/app/shared.conf` → `../shared/config`, a loop `loop_a` ↔ `loop_b`, and a dangling
//! `old` → `srv/legacy/config`. The paths asked are drawn from a list that covers: plain
//! symlink, `..` after a symlinked directory (resolved physically, so `current/../shared/config`
//! is `srv/shared/config`, not `shared/config`), relative targets resolved from the link's own
//! directory, chains, loops, dangling links, O_NOFOLLOW (ELOOP) and a file used as a directory.
//!
//! **Parameters**: `paths`: marked opens (easy 2, medium 3, hard 4).
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The model's resolver (`..` is the physical parent; symlinks resolved from
//! the directory holding them, at most 40 per lookup), call by call.
//!
//! **Pitfalls**: resolving `..` textually; resolving a relative target from the current
//! directory; expecting ENOENT for a loop.

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Model, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{CheckError, Ctx, Difficulty, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct PathResolution;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "paths",
    help: "number of marked opens",
    kind: ParamKind::Int { min: 1, max: 8, draw: [(2, 2), (3, 3), (4, 4)] },
}];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

/// (path, O_NOFOLLOW?, the lesson), easy ones first.
const PATHS: &[(&str, bool, &str)] = &[
    ("current/config", false, "`current` → `srv/app`, so this is `srv/app/config`."),
    ("srv/app/shared.conf", false, "A relative target is resolved from the directory holding the link: `srv/app/../shared/config` = `srv/shared/config`."),
    ("old", false, "`old` points at `srv/legacy/config`, which does not exist: a dangling link gives ENOENT."),
    ("loop_a", false, "`loop_a` → `loop_b` → `loop_a` → …: the kernel gives up after 40 links with ELOOP."),
    ("current/../shared/config", false, "`..` is resolved after following `current`, physically: `srv/app/..` is `srv`, so this is `srv/shared/config` (a textual clean-up would wrongly give `shared/config`)."),
    ("current/shared.conf", false, "Through `current` into `srv/app`, then the relative link from there: `srv/shared/config`."),
    ("srv/app/../../config", false, "Plain `..` twice from `srv/app`: the top-level `config`."),
    ("current", true, "With O_NOFOLLOW the last component may not be a symlink: ELOOP."),
    ("config/x", false, "`config` is a regular file, so it cannot be used as a directory: ENOTDIR."),
    ("srv/shared/../app/config", false, "`srv/shared/..` is `srv`, so this is `srv/app/config`."),
];

fn setup() -> Vec<Op> {
    let mut ops = vec![
        Op::Mkdir { path: "srv".into(), mode: 0o755 },
        Op::Mkdir { path: "srv/app".into(), mode: 0o755 },
        Op::Mkdir { path: "srv/shared".into(), mode: 0o755 },
    ];
    for (path, text) in [("config", "top"), ("srv/app/config", "app"), ("srv/shared/config", "shared")] {
        ops.push(Op::Open { fd: 0, path: path.into(), flags: vec![Flag::Wronly, Flag::Creat], mode: 0o644 });
        ops.push(Op::Write { fd: 0, data: text.into() });
        ops.push(Op::Close { fd: 0 });
    }
    for (target, path) in [
        ("srv/app", "current"),
        ("../shared/config", "srv/app/shared.conf"),
        ("loop_b", "loop_a"),
        ("loop_a", "loop_b"),
        ("srv/legacy/config", "old"),
    ] {
        ops.push(Op::Symlink { target: target.into(), path: path.into() });
    }
    ops
}

impl Family for PathResolution {
    fn id(&self) -> &'static str {
        "filesystem.path_resolution"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Path resolution through symlinks and .."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `paths` is the number of paths asked about.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["paths"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let count = (cx.int("paths") as usize).min(PATHS.len());
        // Easy draws from the first half of the list; harder levels from all of it.
        let pool = match cx.difficulty() {
            Difficulty::Easy => 5,
            _ => PATHS.len(),
        }
        .max(count);
        let mut picks: Vec<usize> = (0..pool).collect();
        picks.shuffle(cx.rng());
        picks.truncate(count);
        let mut ops = setup();
        let mut model = Model::default();
        for op in &ops {
            model.apply(op);
        }
        let mut probes = Vec::new();
        for &i in &picks {
            let (path, nofollow, _) = PATHS[i];
            let mut flags = vec![Flag::Rdonly];
            if nofollow {
                flags.push(Flag::Nofollow);
            }
            let open = Op::Open { fd: 1, path: path.into(), flags, mode: 0 };
            let opened = model.apply(&open).errno.is_none();
            ops.push(open);
            probes.push(Probe::new(ops.len() - 1, What::Result));
            if opened {
                ops.push(Op::Read { fd: 1, len: 16 });
                probes.push(Probe::new(ops.len() - 1, What::Data));
                ops.push(Op::Close { fd: 1 });
                model.apply(&Op::Close { fd: 1 });
            }
        }
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("This builds a small tree in an empty directory on Linux; unmarked calls succeed. Three files are called `config` and hold `top`, `app` and `shared`. For each marked `open` give OK or the errno; for each marked `read`, the bytes it returns (which file was opened).")
            .code("c", fsquiz::render_marked(&ops, &probes));
        let mut solution = Content::new().p("The kernel resolves a path one component at a time from the starting directory. A symlink in the middle (or at the end, unless O_NOFOLLOW) is replaced by its target, resolved from the directory that holds the link; `..` goes to the parent of wherever resolution has got to, physically.");
        for &i in &picks {
            solution = solution.p(format!("`{}`: {}", PATHS[i].0, PATHS[i].2));
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
        stress(&PathResolution, 0..30).unwrap();
    }

    #[test]
    fn every_listed_path_does_what_its_lesson_says() {
        // The lessons are prose; here each is pinned to the result it promises.
        let want = ["app", "shared", "ENOENT", "ELOOP", "shared", "shared", "top", "ELOOP", "ENOTDIR", "app"];
        let mut ops = setup();
        let first = ops.len();
        for (path, nofollow, _) in PATHS {
            let mut flags = vec![Flag::Rdonly];
            if *nofollow {
                flags.push(Flag::Nofollow);
            }
            ops.push(Op::Open { fd: 1, path: path.to_string(), flags, mode: 0 });
            ops.push(Op::Read { fd: 1, len: 16 });
            ops.push(Op::Close { fd: 1 });
        }
        let (real, _) = fsops::run_real(&ops, &[]).unwrap();
        for (k, w) in want.iter().enumerate() {
            let (open, read) = (&real[first + 3 * k], &real[first + 3 * k + 1]);
            let got = match &open.errno {
                Some(e) => e.clone(),
                None => String::from_utf8(read.data.clone().unwrap()).unwrap(),
            };
            assert_eq!(&got, w, "{}", PATHS[k].0);
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&PathResolution, &["paths=8".into()]).unwrap();
        let q = generate(&PathResolution, 5, crate::family::Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!(s.ops.iter().filter(|o| matches!(o, Op::Open { fd: 1, .. })).count(), 8);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&PathResolution, 2, crate::family::Difficulty::Medium, &Default::default()).unwrap();
        crate::family::cross_check(&PathResolution, &q).unwrap();
        q.slots[0].expected = Expected::errno("ENOSYS");
        assert!(crate::family::cross_check(&PathResolution, &q).is_err());
    }
}
