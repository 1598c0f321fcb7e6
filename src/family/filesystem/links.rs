//! `filesystem.links`: hard links, symbolic links, and what each sees after the original name
//! changes.
//!
//! **Asked** (`ask`): `nlink`: st_nlink after a sequence of link, unlink and symlink calls
//! (symlinks do not count); `symlink`: whether an open through a symlink succeeds after its
//! target was removed, renamed or replaced (OK, or ENOENT for a dangling link), and what it
//! reads; `replaced`: after the original path is replaced by `rename` (the atomic-save pattern),
//! what a hard link and a symlink made earlier each read, and the hard link's st_nlink;
//! `backup` (judgment): which second name (hard link, symlink, copy, rename) still reads an
//! in-place edit after the original is unlinked; every option runs for real.
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
use crate::answer::AnswerSlot;
use crate::family::filesystem::fsops;
use crate::family::{About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Links;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "nlink, symlink, replaced or backup (which second name survives a delete and sees in-place edits)",
        kind: ParamKind::Choice {
            options: &["nlink", "symlink", "replaced", "backup"],
            draw: [&["nlink", "symlink", "backup"], &["nlink", "symlink", "replaced", "backup"], &["symlink", "replaced", "nlink", "backup"]],
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
    #[serde(default)]
    variants: Vec<fsquiz::Variant>,
    /// ask=backup: the options (whole listings) and the bytes the backup must read.
    #[serde(default)]
    remedies: Vec<fsquiz::Remedy>,
    #[serde(default)]
    want: Option<String>,
}

/// The goal of ask=backup: the last call (a read through the backup name) returns `want`.
fn backup_goal(want: String) -> impl Fn(&[Op], &[fsops::Outcome], &fsops::Contents) -> Result<(), String> {
    move |ops, out, _| {
        let last = out.len() - 1;
        for (i, o) in out.iter().enumerate() {
            if let Some(e) = &o.errno {
                return Err(format!("`{}` fails with {e}", fsquiz::line_of(ops, i)));
            }
        }
        match &out[last].data {
            Some(d) if *d == want.as_bytes() => Ok(()),
            Some(d) => Err(format!("the backup name reads `{}`", fsops::show_bytes(d))),
            None => Err("nothing is read".into()),
        }
    }
}

/// ask=backup: which way of making a second name `keep` for `file` survives deleting `file`
/// and shows an in-place edit made before the delete? Each option is run.
fn backup(cx: &mut Ctx) -> Result<Question, GenError> {
    use rand::seq::SliceRandom;
    let rng = cx.rng();
    let (file, keep) = *[("notes.txt", "notes.keep"), ("data.csv", "data.keep"), ("state.db", "state.keep")].choose(rng).unwrap_or(&("notes.txt", "notes.keep"));
    let mut setup = Vec::new();
    write_file(&mut setup, file, "v1");
    let finish = |ops: &mut Vec<Op>| {
        ops.push(Op::Open { fd: 0, path: file.into(), flags: vec![Flag::Wronly, Flag::Trunc], mode: 0 });
        ops.push(Op::Write { fd: 0, data: "v2".into() });
        ops.push(Op::Close { fd: 0 });
        ops.push(Op::Unlink { path: file.into() });
        ops.push(Op::Open { fd: 1, path: keep.into(), flags: vec![Flag::Rdonly], mode: 0 });
        ops.push(Op::Read { fd: 1, len: 64 });
    };
    let mut copy = vec![Op::Open { fd: 2, path: keep.into(), flags: vec![Flag::Wronly, Flag::Creat], mode: 0o644 }];
    copy.push(Op::Write { fd: 2, data: "v1".into() });
    copy.push(Op::Close { fd: 2 });
    let options: Vec<(Vec<Op>, String, &str)> = vec![
        (vec![Op::Link { from: file.into(), to: keep.into() }], String::new(), ""),
        (vec![Op::Symlink { target: file.into(), path: keep.into() }], String::new(), "A symlink sees every edit, but it stores the *name*, and the name is deleted."),
        (copy, "a copy: open, write the bytes, close".into(), "A copy survives the delete, but it is a different inode, so it never sees the edit."),
        (vec![Op::Rename { from: file.into(), to: keep.into() }], String::new(), "rename moves the only name: the edit through the old name then has nothing to open."),
    ];
    let mut remedies: Vec<fsquiz::Remedy> = options
        .into_iter()
        .map(|(lines, text, why)| {
            let text = if text.is_empty() { format!("`{}`", fsops::render_c(&lines)) } else { text };
            let mut ops = setup.clone();
            ops.extend(lines);
            finish(&mut ops);
            fsquiz::Remedy { text, ops, why: why.into() }
        })
        .collect();
    remedies.shuffle(rng);
    let goal = backup_goal("v2".into());
    let verdicts = fsquiz::judge(&remedies, &[], true, &goal).map_err(GenError::Run)?;
    let expected = fsquiz::remedy_choice(&remedies, &verdicts).map_err(GenError::Run)?;
    let mut after = Vec::new();
    finish(&mut after);
    let prompt = Content::new()
        .p(format!("A program creates `{file}` (in an empty directory on Linux), then makes a second name `{keep}` for it at the line marked `/* here */`. Later it edits the file in place, deletes `{file}`, and reads `{keep}`:"))
        .code("c", {
            let mut all = setup.clone();
            all.extend(after.iter().cloned());
            let mut lines = fsops::render_lines(&all);
            lines.insert(setup.len(), "/* here */".into());
            lines.join("\n")
        })
        .p("Which line at `/* here */` makes the final `read` return `v2`, with every call succeeding?");
    let solution = Content::new()
        .p(format!("A hard link is a second directory entry for the same inode: it sees every in-place edit, and unlinking `{file}` only removes one name, so the inode and its data live on under `{keep}`."))
        .list(remedies.iter().zip(&verdicts).map(|(r, v)| match v {
            Ok(()) => format!("{}: reads `v2`.", r.text),
            Err(e) => format!("{}: {e}.", r.text),
        }));
    let evidence = Content::new().p("Each option was run with real syscalls in a private scratch directory:").table(
        ["option", "result"],
        remedies.iter().zip(&verdicts).enumerate().map(|(i, (r, v))| vec![format!("{} {}", crate::answer::letter(i), r.text), v.clone().err().unwrap_or_else(|| "reads v2".into())]).collect::<Vec<_>>(),
    );
    // Follow-up: with the hard link, the editor saves by rename instead of in place.
    let mut v = setup.clone();
    v.push(Op::Link { from: file.into(), to: keep.into() });
    write_file(&mut v, "edit.tmp", "v2");
    v.push(Op::Rename { from: "edit.tmp".into(), to: file.into() });
    v.push(Op::Unlink { path: file.into() });
    v.push(Op::Open { fd: 1, path: keep.into(), flags: vec![Flag::Rdonly], mode: 0 });
    v.push(Op::Read { fd: 1, len: 64 });
    let probe = Probe::new(v.len() - 1, What::Data);
    let (f, var) = fsquiz::variant(
        "With the hard link in place, what does the final read return if the editor saves by writing a temporary file and renaming it over the name, instead of editing in place?",
        v,
        Some(probe),
        None,
        |a| format!("**{a}**: the rename points `{file}` at a new inode, and the hard link still names the old one; this is why editors that save by rename break hard links."),
    )?;
    Ok(Question::new(prompt, vec![AnswerSlot::new("the line at `/* here */`", expected)], solution, evidence)
        .followup(f.point("a hard link names an inode; a symlink names a path; rename replaces what a name points at"))
        .with_scenario(&Scenario { ask: "backup".into(), ops: setup, probes: vec![], variants: vec![var], remedies, want: Some("v2".into()) }))
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

/// The follow-up of the trace asks, computed by running an edited listing.
fn links_followup(ask: &str, ops: &[Op]) -> Result<(FollowUp, Vec<fsquiz::Variant>), GenError> {
    let last_open = ops.iter().rposition(|o| matches!(o, Op::Open { fd: 1, .. }));
    match ask {
        "nlink" if ops.iter().any(|o| matches!(o, Op::Symlink { .. })) => {
            let v: Vec<Op> = ops
                .iter()
                .map(|o| match o {
                    Op::Symlink { target, path } => Op::Link { from: target.clone(), to: path.clone() },
                    o => o.clone(),
                })
                .collect();
            let probe = Probe::new(v.len() - 1, What::Nlink);
            let (f, var) = fsquiz::variant("What would the `stat` report if every `symlink` line were a `link` with the same arguments?", v, Some(probe), None, |a| {
                format!("**{a}**: each hard link is one more name for the inode, where a symlink was a separate inode and counted for nothing.")
            })?;
            Ok((f.point("st_nlink counts directory entries naming the inode; symlinks, open descriptors and copies do not count"), vec![var]))
        }
        "nlink" => {
            let mut v = ops.to_vec();
            let Some(Op::Stat { path }) = v.last().cloned() else {
                return Err(GenError::Run("the nlink listing ends with a stat".into()));
            };
            v.insert(v.len() - 1, Op::Symlink { target: path.clone(), path: "extra.lnk".into() });
            let probe = Probe::new(v.len() - 1, What::Nlink);
            let (f, var) = fsquiz::variant(format!("What would the `stat` report if `symlink(\"{path}\", \"extra.lnk\")` ran just before it?"), v, Some(probe), None, |a| {
                format!("**{a}**, unchanged: a symlink is a separate inode holding a path, so it adds no name to the target.")
            })?;
            Ok((f.point("st_nlink counts directory entries naming the inode"), vec![var]))
        }
        "symlink" => {
            let Some(open) = last_open else {
                return Err(GenError::Run("the symlink listing opens `current`".into()));
            };
            let mut v: Vec<Op> = ops[..=open]
                .iter()
                .map(|o| match o {
                    Op::Symlink { target, path } => Op::Link { from: target.clone(), to: path.clone() },
                    o => o.clone(),
                })
                .collect();
            v.push(Op::Read { fd: 1, len: 64 });
            let probe = Probe::new(v.len() - 1, What::Data);
            let (f, var) = fsquiz::variant("What would the read through `current` return if `current` had been made with `link` instead of `symlink`?", v, Some(probe), None, |a| {
                format!("**{a}**: a hard link names the inode the file had when the link was made, whatever later happens to the name `config.yaml`.")
            })?;
            Ok((f.point("a symlink is resolved at open time, by path; a hard link is bound to the inode when it is made"), vec![var]))
        }
        _ => {
            // The same save done in place (O_TRUNC and write) rather than by rename.
            let keep = ops.iter().position(|o| matches!(o, Op::Open { path, .. } if path == "app.conf.tmp")).unwrap_or(5);
            let mut v = ops[..keep].to_vec();
            v.push(Op::Open { fd: 0, path: "app.conf".into(), flags: vec![Flag::Wronly, Flag::Trunc], mode: 0 });
            v.push(Op::Write { fd: 0, data: "new".into() });
            v.push(Op::Close { fd: 0 });
            v.push(Op::Open { fd: 1, path: "app.conf.orig".into(), flags: vec![Flag::Rdonly], mode: 0 });
            v.push(Op::Read { fd: 1, len: 64 });
            let probe = Probe::new(v.len() - 1, What::Data);
            let (f, var) = fsquiz::variant("What would `app.conf.orig` read if the save had rewritten `app.conf` in place (`open` with O_TRUNC, then `write`) instead of renaming a new file over it?", v, Some(probe), None, |a| {
                format!("**{a}**: an in-place write changes the inode both names share; only a rename gives `app.conf` a new inode.")
            })?;
            Ok((f.point("atomic save by rename breaks hard links (and keeps readers of the old inode consistent)"), vec![var]))
        }
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
        2
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("nlink", [2, 3, 4], &["hard-vs-symlink"]),
            Ask::new("symlink", [2, 3, 4], &["hard-vs-symlink"]),
            Ask::new("replaced", [3, 3, 4], &["hard-vs-symlink"]),
            Ask::new("backup", [2, 3, 4], &["hard-vs-symlink"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "st_nlink after links and symlinks; dangling symlinks; hard link vs symlink after an atomic replace; which second name survives a delete (choice)",
            key: "real syscalls; each option run for real",
            second_route: "in-memory POSIX model; counting names",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        if ask != "nlink" {
            fsquiz::refuse_unused_pins(cx, &["steps"], ask)?;
        }
        if ask == "backup" {
            return backup(cx);
        }
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
            .p("This runs in an empty directory on Linux; unmarked calls succeed.")
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p(fsquiz::stem(&ops, &probes));
        let mut solution = Content::new();
        for e in &explain {
            solution = solution.p(e);
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        let (follow, variants) = links_followup(ask, &ops)?;
        Ok(Question::new(prompt, slots, solution, evidence)
            .followup(follow)
            .with_scenario(&Scenario { ask: ask.into(), ops, probes, variants, remedies: vec![], want: None }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check_variants(&s.variants)?;
        if let Some(want) = s.want {
            return fsquiz::check_remedies(q, 0, &s.remedies, &[], &backup_goal(want));
        }
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

    #[test]
    fn backup_keys_the_hard_link() {
        // By hand (link(2), symlink(7)): only a hard link both sees the in-place edit and keeps
        // the inode alive after the original name is unlinked.
        let pins = parse_pins(&Links, &["ask=backup".into()]).unwrap();
        for seed in 0..8 {
            let q = generate(&Links, seed, Difficulty::Easy, &pins).unwrap();
            let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
            assert!(options[*correct].text.starts_with("`link("), "{}", options[*correct].text);
            assert_eq!(options.len(), 4);
            assert!(q.followups[0].answer.starts_with("**v1**"), "{}", q.followups[0].answer);
            crate::family::cross_check(&Links, &q).unwrap();
        }
    }

    #[test]
    fn the_replaced_follow_up_sees_an_in_place_save() {
        // In place, the hard link shares the inode, so it reads the new bytes.
        let pins = parse_pins(&Links, &["ask=replaced".into()]).unwrap();
        let q = generate(&Links, 1, Difficulty::Medium, &pins).unwrap();
        assert!(q.followups[0].answer.starts_with("**new**"), "{}", q.followups[0].answer);
    }
}
