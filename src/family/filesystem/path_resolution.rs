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
use crate::family::filesystem::fsops::{self, Flag, Model, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{About, Ask, CheckError, Ctx, Difficulty, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct PathResolution;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "paths",
    help: "number of marked opens",
    kind: ParamKind::Int { min: 1, max: 8, draw: [(2, 2), (3, 3), (3, 4)] },
}];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
    #[serde(default)]
    variants: Vec<fsquiz::Variant>,
}

/// How deep each path of [`PATHS`] goes: 1 one idea (a symlink, `..`, a loop, a dangling link,
/// a file as a directory), 2 a second idea (a relative target, O_NOFOLLOW), 3 two ideas chained.
const TIER: [u8; 10] = [1, 2, 1, 1, 3, 3, 1, 2, 1, 1];

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
        2
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [3, 4, 6], &["path-resolution"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "which file a path through symlinks and `..` opens; ELOOP, ENOENT, ENOTDIR",
            key: "real syscalls in a scratch directory",
            second_route: "the model's resolver (physical `..`, targets relative to the link)",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let count = (cx.int("paths") as usize).min(PATHS.len());
        let d = cx.difficulty();
        let rng = cx.rng();
        // Difficulty is depth, not length: easy asks one-step paths, medium at least one path
        // that needs a second idea (a relative target, O_NOFOLLOW), hard at least one that chains
        // them (`..` after a symlinked directory, a link reached through a link).
        let (top, need) = match d {
            Difficulty::Easy => (1, 1),
            Difficulty::Medium => (2, 2),
            Difficulty::Hard => (3, 3),
        };
        let mut pool: Vec<usize> = (0..PATHS.len()).filter(|i| TIER[*i] <= top && TIER[*i] != need).collect();
        pool.shuffle(rng);
        let mut needed: Vec<usize> = (0..PATHS.len()).filter(|i| TIER[*i] == need).collect();
        needed.shuffle(rng);
        let mut picks = vec![needed[0]];
        picks.extend(pool.iter().chain(&needed[1..]).copied().take(count.saturating_sub(1)));
        let mut rest: Vec<usize> = (0..PATHS.len()).filter(|i| !picks.contains(i)).collect();
        rest.shuffle(rng);
        while picks.len() < count {
            picks.push(rest.remove(0));
        }
        picks.shuffle(rng);
        let mut ops = setup();
        let setup_len = ops.len();
        let mut model = Model::default();
        for op in &ops {
            model.apply(op);
        }
        let mut probes = Vec::new();
        for &i in &picks {
            let (path, nofollow, _) = PATHS[i];
            let open = open_op(path, nofollow);
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
        // Only the setup some answer depends on is shown.
        fsquiz::prune_setup(&mut ops, &mut probes, setup_len);
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p(if ops.iter().any(|o| matches!(o, Op::Write { .. })) {
                "This builds a small tree in an empty directory on Linux (the bytes written into each `config` tell the files apart); unmarked calls succeed."
            } else {
                "This runs in an empty directory on Linux; unmarked calls succeed."
            })
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p(fsquiz::stem(&ops, &probes));
        let mut solution = Content::new().p("The kernel resolves a path one component at a time from the starting directory. A symlink in the middle (or at the end, unless O_NOFOLLOW) is replaced by its target, resolved from the directory that holds the link; `..` goes to the parent of wherever resolution has got to, physically.");
        for &i in &picks {
            solution = solution.p(format!("`{}`: {}", PATHS[i].0, PATHS[i].2));
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        // Follow-up: the first marked open that follows symlinks, with O_NOFOLLOW added.
        let mut variants = Vec::new();
        let mut q_followups = Vec::new();
        if let Some(p) = probes.iter().find(|p| matches!(&ops[p.op], Op::Open { flags, .. } if !flags.contains(&Flag::Nofollow))) {
            let Op::Open { path, .. } = &ops[p.op] else { unreachable!() };
            let path = path.clone();
            let mut v = ops[..p.op].to_vec();
            v.push(open_op(&path, true));
            let probe = Probe::new(p.op, What::Result);
            let last_is_link = model_is_symlink(&ops[..p.op], &path);
            let (f, var) = fsquiz::variant(
                format!("What does `open(\"{path}\", O_RDONLY | O_NOFOLLOW)` give instead?"),
                v,
                Some(probe),
                None,
                |a| {
                    if last_is_link {
                        format!("**{a}**: the last component is itself a symlink, and O_NOFOLLOW refuses to follow it (ELOOP, even for a dangling or looping link).")
                    } else {
                        format!("**{a}**, as without the flag: O_NOFOLLOW looks only at the last component; symlinks earlier in the path are still followed.")
                    }
                },
            )?;
            q_followups.push(f.point("O_NOFOLLOW is about the final component only; use openat2 with RESOLVE_NO_SYMLINKS to refuse every symlink on the way"));
            variants.push(var);
        }
        let mut q = Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { ops, probes, variants });
        for f in q_followups {
            q = q.followup(f);
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check(q, &s.ops, &s.probes)?;
        fsquiz::check_variants(&s.variants)?;
        Ok(())
    }
}

/// `open(path, O_RDONLY)`, with O_NOFOLLOW when asked.
fn open_op(path: &str, nofollow: bool) -> Op {
    let mut flags = vec![Flag::Rdonly];
    if nofollow {
        flags.push(Flag::Nofollow);
    }
    Op::Open { fd: 1, path: path.into(), flags, mode: 0 }
}

/// Whether `path` names a symlink after `ops` ran (through the model's lstat).
fn model_is_symlink(ops: &[Op], path: &str) -> bool {
    let mut m = Model::default();
    for op in ops {
        m.apply(op);
    }
    matches!(m.apply(&Op::Lstat { path: path.into() }).mode, Some((_, fsops::Kind::Symlink)))
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

    #[test]
    fn easy_is_shallow_and_shows_no_unused_setup() {
        for seed in 0..20 {
            let q = generate(&PathResolution, seed, crate::family::Difficulty::Easy, &Default::default()).unwrap();
            let s: Scenario = q.scenario().unwrap();
            // Two one-step paths on only the tree they need: never the 17-call setup of every draw.
            let opens = s.probes.iter().filter(|p| matches!(s.ops[p.op], Op::Open { .. })).count();
            assert_eq!(opens, 2, "seed {seed}");
            assert!(s.ops.len() <= 16, "seed {seed}: {} calls", s.ops.len());
            let (mut ops, mut probes) = (s.ops.clone(), s.probes.clone());
            let setup = probes[0].op;
            fsquiz::prune_setup(&mut ops, &mut probes, setup);
            assert_eq!(ops, s.ops, "seed {seed}");
        }
    }

    #[test]
    fn hard_asks_a_chained_path() {
        for seed in 0..10 {
            let q = generate(&PathResolution, seed, crate::family::Difficulty::Hard, &Default::default()).unwrap();
            let s: Scenario = q.scenario().unwrap();
            let chained = s.ops.iter().any(|o| matches!(o, Op::Open { path, .. } if path == "current/../shared/config" || path == "current/shared.conf"));
            assert!(chained, "seed {seed}");
        }
    }

    #[test]
    fn the_nofollow_follow_up_looks_at_the_last_component_only() {
        // `current/config` goes through a symlink in the middle: O_NOFOLLOW still opens it.
        let mut ops = setup();
        ops.push(open_op("current/config", true));
        let (real, _) = fsops::run_real(&ops, &[]).unwrap();
        assert_eq!(real.last().unwrap().errno, None);
        let q = generate(&PathResolution, 3, crate::family::Difficulty::Medium, &Default::default()).unwrap();
        assert!(!q.followups.is_empty());
        crate::family::cross_check(&PathResolution, &q).unwrap();
    }
}
