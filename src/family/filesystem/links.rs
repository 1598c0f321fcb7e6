//! `filesystem.links`: hard links, symbolic links, and what each sees after the original name
//! changes.
//!
//! **Asked** (`ask`): `nlink`: st_nlink after a sequence of link, unlink and symlink calls
//! (symlinks do not count); `symlink`: whether an open through a symlink succeeds after its
//! target was removed, renamed or replaced (OK, or ENOENT for a dangling link), and what it
//! reads; `replaced`: after the original path is replaced by `rename` (the atomic-save pattern),
//! what a hard link and a symlink made earlier each read, and the hard link's st_nlink.
//!
//! **Parameters**: `ask`; `steps`: link/unlink/symlink calls for `nlink` (easy 3, medium 4–5,
//! hard 5–6).
//!
//! **Key.** The listing executed with real syscalls in a scratch directory.
//!
//! **Second route.** The in-memory POSIX model (inodes with link counts; symlinks store a path,
//! resolved at open), call by call.
//!
//! **Pitfalls**: a hard link following the name (it keeps the old inode); a symlink keeping the
//! old file alive (it names a path, not an inode); symlinks raising st_nlink.

use crate::content::Content;
use crate::family::filesystem::fsops::{Flag, Model, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Links;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "nlink, symlink or replaced",
        kind: ParamKind::Choice {
            options: &["nlink", "symlink", "replaced"],
            draw: [&["nlink", "symlink"], &["nlink", "symlink", "replaced"], &["symlink", "replaced", "nlink"]],
        },
    },
    ParamSpec {
        key: "steps",
        help: "link/unlink/symlink calls (ask=nlink)",
        kind: ParamKind::Int { min: 1, max: 10, draw: [(3, 3), (4, 5), (5, 6)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

fn write_file(ops: &mut Vec<Op>, path: &str, data: &str) {
    ops.push(Op::Open { fd: 0, path: path.into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Trunc], mode: 0o644 });
    ops.push(Op::Write { fd: 0, data: data.into() });
    ops.push(Op::Close { fd: 0 });
}

/// Opens `path` and reads it, probing the open's result and, when the model says it opens, the
/// bytes read.
fn open_and_read(ops: &mut Vec<Op>, probes: &mut Vec<Probe>, model: &Model, path: &str, ask_result: bool) {
    ops.push(Op::Open { fd: 1, path: path.into(), flags: vec![Flag::Rdonly], mode: 0 });
    let opens = model.content(path).is_some();
    if ask_result || !opens {
        probes.push(Probe::new(ops.len() - 1, What::Result));
    }
    if opens {
        ops.push(Op::Read { fd: 1, len: 64 });
        probes.push(Probe::new(ops.len() - 1, What::Data));
        ops.push(Op::Close { fd: 1 });
    }
}

fn model_of(ops: &[Op]) -> Model {
    let mut m = Model::default();
    for op in ops {
        m.apply(op);
    }
    m
}

impl Family for Links {
    fn id(&self) -> &'static str {
        "filesystem.links"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Hard links, symlinks and st_nlink"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `steps` is the number of operations listed in the code.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["steps"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let steps = if ask == "nlink" { cx.int("steps") as usize } else { 0 };
        let rng = cx.rng();
        let mut ops = Vec::new();
        let mut probes = Vec::new();
        let explain: Vec<String> = match ask {
            "nlink" => {
                write_file(&mut ops, "a", "data");
                // Names that are hard links to the inode, and symlinks to names.
                let mut names = vec!["a".to_string()];
                let mut fresh = ["b", "c", "d", "e", "f", "g", "h", "i", "j", "k"].iter();
                for _ in 0..steps {
                    let roll = rng.random_range(0..10);
                    let op = if roll < 5 || names.len() == 1 {
                        let from = names.choose(rng).cloned().unwrap_or_default();
                        let to = fresh.next().copied().unwrap_or("z").to_string();
                        names.push(to.clone());
                        Op::Link { from, to }
                    } else if roll < 8 {
                        let i = rng.random_range(0..names.len());
                        Op::Unlink { path: names.remove(i) }
                    } else {
                        let target = names.choose(rng).cloned().unwrap_or_default();
                        Op::Symlink { target, path: format!("s{}", fresh.next().copied().unwrap_or("z")) }
                    };
                    ops.push(op);
                }
                let last = names.choose(rng).cloned().unwrap_or_default();
                ops.push(Op::Stat { path: last });
                probes.push(Probe::new(ops.len() - 1, What::Nlink));
                vec![
                    "st_nlink counts the directory entries (hard links) that name the inode: `link` adds one, `unlink` removes one. A symlink is a separate inode holding a path, so it does not change the target's count.".into(),
                    format!("The names left are: {}.", names.join(", ")),
                ]
            }
            "symlink" => {
                write_file(&mut ops, "config.yaml", "v1");
                ops.push(Op::Symlink { target: "config.yaml".into(), path: "current".into() });
                let what = rng.random_range(0..4);
                let note = match what {
                    0 => {
                        ops.push(Op::Unlink { path: "config.yaml".into() });
                        "The target's name was unlinked: the symlink still holds the path `config.yaml`, which no longer exists, so open fails with ENOENT (a dangling link)."
                    }
                    1 => {
                        ops.push(Op::Rename { from: "config.yaml".into(), to: "config.old".into() });
                        "The target was renamed: the symlink names a path, not an inode, so it dangles: ENOENT."
                    }
                    2 => {
                        write_file(&mut ops, "config.new", "v2");
                        ops.push(Op::Rename { from: "config.new".into(), to: "config.yaml".into() });
                        "The path was atomically replaced: the symlink resolves the path at open time, so it now opens the new file."
                    }
                    _ => {
                        ops.push(Op::Unlink { path: "config.yaml".into() });
                        write_file(&mut ops, "config.yaml", "v3");
                        "The target was deleted and a new file created under the same name: the symlink resolves the path at open time, so it opens the new file."
                    }
                };
                let m = model_of(&ops);
                open_and_read(&mut ops, &mut probes, &m, "current", true);
                vec![note.into()]
            }
            _ => {
                write_file(&mut ops, "app.conf", "old");
                ops.push(Op::Link { from: "app.conf".into(), to: "app.conf.orig".into() });
                ops.push(Op::Symlink { target: "app.conf".into(), path: "app.conf.link".into() });
                write_file(&mut ops, "app.conf.tmp", "new");
                ops.push(Op::Rename { from: "app.conf.tmp".into(), to: "app.conf".into() });
                let m = model_of(&ops);
                open_and_read(&mut ops, &mut probes, &m, "app.conf.orig", false);
                open_and_read(&mut ops, &mut probes, &m, "app.conf.link", false);
                ops.push(Op::Stat { path: "app.conf.orig".into() });
                probes.push(Probe::new(ops.len() - 1, What::Nlink));
                vec![
                    "`rename` points the name `app.conf` at the new inode. The hard link `app.conf.orig` is another name for the **old** inode, so it still reads the old bytes, and that inode now has just one name left (st_nlink 1).".into(),
                    "The symlink stores the path `app.conf` and resolves it at open time, so it reads the **new** file.".into(),
                ]
            }
        };
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("This runs in an empty directory on Linux; unmarked calls succeed. For each marked call give the asked value (OK or the errno for an `open`, the bytes for a `read`, st_nlink for a `stat`).")
            .code("c", fsquiz::render_marked(&ops, &probes));
        let mut solution = Content::new();
        for e in &explain {
            solution = solution.p(e);
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { ask: ask.into(), ops, probes }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let model = fsquiz::check(q, &s.ops, &s.probes)?;
        if s.ask == "nlink" {
            // A third route: count the names by hand (links minus unlinks; symlinks excluded).
            let links = s.ops.iter().filter(|o| matches!(o, Op::Link { .. })).count() as i64;
            let unlinks = s.ops.iter().filter(|o| matches!(o, Op::Unlink { .. })).count() as i64;
            let got = model[s.probes[0].op].stat.map(|st| st.1 as i64);
            CheckError::expect_eq("st_nlink by counting", got, Some(1 + links - unlinks))?;
        }
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
        stress(&Links, 0..30).unwrap();
    }

    #[test]
    fn replaced_path_hard_link_keeps_old_symlink_sees_new() {
        let pins = parse_pins(&Links, &["ask=replaced".into()]).unwrap();
        let q = generate(&Links, 1, Difficulty::Medium, &pins).unwrap();
        let keys: Vec<String> = q.slots.iter().map(|s| s.expected.reference()).collect();
        assert_eq!(keys, ["old", "new", "1"]);
    }

    #[test]
    fn a_symlink_to_a_removed_file_dangles() {
        let pins = parse_pins(&Links, &["ask=symlink".into()]).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..20 {
            let q = generate(&Links, seed, Difficulty::Easy, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            let removed = s.ops.iter().any(|o| matches!(o, Op::Unlink { .. } | Op::Rename { .. }))
                && !s.ops.iter().any(|o| matches!(o, Op::Rename { to, .. } if to == "config.yaml"))
                && s.ops.iter().filter(|o| matches!(o, Op::Open { path, .. } if path == "config.yaml")).count() == 1;
            let key = q.slots[0].expected.reference();
            assert_eq!(key == "ENOENT", removed, "seed {seed}: {key}");
            seen.insert(key);
        }
        assert!(seen.contains("ENOENT") && seen.contains("OK"));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Links, &["ask=nlink".into(), "steps=8".into()]).unwrap();
        let q = generate(&Links, 5, Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        // write_file is 3 calls, then 8 steps, then the stat.
        assert_eq!(s.ops.len(), 3 + 8 + 1);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Links, &["ask=nlink".into()]).unwrap();
        let mut q = generate(&Links, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Links, &q).unwrap();
        if let Expected::Integer { value } = &mut q.slots[0].expected {
            *value += 1;
        }
        assert!(crate::family::cross_check(&Links, &q).is_err());
    }
}
