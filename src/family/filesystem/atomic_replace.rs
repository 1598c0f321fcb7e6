//! `filesystem.atomic_replace`: the order of steps that replaces a config file atomically and
//! durably: write a temporary file, fsync it, rename it over the old name, fsync the directory.
//!
//! **Asked** (single choice): which of 3–5 candidate procedures never lets a crash expose an
//! empty, partial or lost `config.json`, and leaves the new content durable once it returns.
//!
//! **Candidates**: `temp, fsync, rename, fsync dir` (right); `temp, rename, fsync dir` (no fsync
//! before the rename); `temp, fsync, rename` (no directory fsync: not durable); `in place`
//! (O_TRUNC then write then fsync); `temp, rename, fsync, fsync dir` (fsync after the rename);
//! `temp, fsync dir, fsync, rename` (directory synced too early). Easy shows 3, medium 4, hard 5.
//!
//! **Key.** A crash model is enumerated, not assumed: after every prefix of a procedure, the
//! directory keeps any prefix of its changes since the last directory fsync, and each file whose
//! data was not fsynced may come back with its old bytes, its new bytes, empty (delayed
//! allocation) or half written. A procedure is right if at every crash point every combination
//! shows the old or the new content in full, and after its last step only the new content. Each
//! distractor's feedback is the first counterexample the enumeration finds.
//!
//! **Second route.** (1) A second crash model that reads the shown code itself: each candidate's
//! operations (the `open`, `write`, `fsync`, `rename` lines the prompt renders, not the steps
//! they came from) are replayed over inodes, descriptors and a directory journal, and a crash is
//! enumerated after every call the same way (any prefix of the unsynced directory changes; for
//! unsynced data the old bytes, the new, empty or half). Its verdict must single out the keyed
//! option: safe at every crash point and durable at the end, while every other option is not.
//! (2) A rule, written independently: write elsewhere, fsync the new file before the rename,
//! rename, fsync the directory after the rename; each candidate's verdict must match. (3) The
//! right procedure is run with real syscalls (rustix, scratch directory) and the kernel must agree
//! call by call with the POSIX model and end with the new content; a real run without a crash
//! cannot tell the options apart, so this checks only that the right one works.
//!
//! **Pitfalls**: rename is atomic, so fsync is unnecessary (the rename can reach the disk before
//! the data); fsync of the file makes the rename durable (it does not on every filesystem).

use crate::answer::{AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::filesystem::fsops::{self, Flag, Op};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The family.
pub struct AtomicReplace;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "options",
    help: "number of candidate procedures",
    kind: ParamKind::Int { min: 2, max: 6, draw: [(3, 3), (4, 4), (5, 5)] },
}];

/// One step of a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Step {
    /// Create `config.json.tmp` and write the new bytes.
    WriteTmp,
    /// fsync the temporary file.
    FsyncTmp,
    /// close the temporary file.
    CloseTmp,
    /// rename the temporary file over `config.json`.
    Rename,
    /// open the directory and fsync it.
    FsyncDir,
    /// open `config.json` with O_TRUNC.
    TruncConfig,
    /// write the new bytes to `config.json`.
    WriteConfig,
    /// fsync `config.json`.
    FsyncConfig,
}

use Step::*;

/// The candidates: (short name, steps). The first is right.
const CANDIDATES: &[(&str, &[Step])] = &[
    ("right", &[WriteTmp, FsyncTmp, CloseTmp, Rename, FsyncDir]),
    ("no_fsync", &[WriteTmp, CloseTmp, Rename, FsyncDir]),
    ("no_dir_fsync", &[WriteTmp, FsyncTmp, CloseTmp, Rename]),
    ("in_place", &[TruncConfig, WriteConfig, FsyncConfig, CloseTmp]),
    ("fsync_after_rename", &[WriteTmp, Rename, FsyncTmp, CloseTmp, FsyncDir]),
    ("dir_too_early", &[WriteTmp, FsyncDir, FsyncTmp, CloseTmp, Rename]),
];

const OLD: &str = "{\"v\":1}";
const NEW: &str = "{\"v\":2,\"pool\":8}";
const TMP: &str = "config.json.tmp";
const CFG: &str = "config.json";

fn ops_of(step: Step) -> Vec<Op> {
    match step {
        WriteTmp => vec![
            Op::Open { fd: 0, path: TMP.into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Trunc], mode: 0o644 },
            Op::Write { fd: 0, data: NEW.into() },
        ],
        FsyncTmp | FsyncConfig => vec![Op::Fsync { fd: 0 }],
        CloseTmp => vec![Op::Close { fd: 0 }],
        Rename => vec![Op::Rename { from: TMP.into(), to: CFG.into() }],
        FsyncDir => vec![
            Op::Open { fd: 1, path: ".".into(), flags: vec![Flag::Rdonly, Flag::Directory], mode: 0 },
            Op::Fsync { fd: 1 },
            Op::Close { fd: 1 },
        ],
        TruncConfig => vec![Op::Open { fd: 0, path: CFG.into(), flags: vec![Flag::Wronly, Flag::Trunc], mode: 0 }],
        WriteConfig => vec![Op::Write { fd: 0, data: NEW.into() }],
    }
}

/// The existing, durable config.
fn setup_ops() -> Vec<Op> {
    vec![
        Op::Open { fd: 0, path: CFG.into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Trunc], mode: 0o644 },
        Op::Write { fd: 0, data: OLD.into() },
        Op::Fsync { fd: 0 },
        Op::Close { fd: 0 },
    ]
}

fn code_of(steps: &[Step]) -> String {
    let ops: Vec<Op> = steps.iter().flat_map(|s| ops_of(*s)).collect();
    fsops::render_c(&ops)
}

// ------------------------------------------------------------------------------------------
// The crash model
// ------------------------------------------------------------------------------------------

/// File data: what is durable, and what the page cache holds.
#[derive(Debug, Clone)]
struct Data {
    durable: String,
    current: String,
}

/// Directory changes since the last directory fsync, in order.
#[derive(Debug, Clone)]
enum DirChange {
    Create(String, usize),
    Rename(String, String),
}

#[derive(Debug, Clone)]
struct Crashy {
    files: Vec<Data>,
    durable_dir: BTreeMap<String, usize>,
    journal: Vec<DirChange>,
}

impl Crashy {
    fn new() -> Crashy {
        let mut durable_dir = BTreeMap::new();
        durable_dir.insert(CFG.to_string(), 0);
        Crashy { files: vec![Data { durable: OLD.into(), current: OLD.into() }], durable_dir, journal: Vec::new() }
    }

    fn dir_after(&self, persisted: usize) -> BTreeMap<String, usize> {
        let mut d = self.durable_dir.clone();
        for c in &self.journal[..persisted] {
            match c {
                DirChange::Create(n, i) => {
                    d.insert(n.clone(), *i);
                }
                DirChange::Rename(from, to) => {
                    if let Some(i) = d.remove(from) {
                        d.insert(to.clone(), i);
                    }
                }
            }
        }
        d
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.dir_after(self.journal.len()).get(name).copied()
    }

    fn apply(&mut self, step: Step) {
        match step {
            WriteTmp => {
                self.files.push(Data { durable: String::new(), current: NEW.into() });
                let i = self.files.len() - 1;
                self.journal.push(DirChange::Create(TMP.into(), i));
            }
            FsyncTmp => {
                if let Some(i) = self.lookup(TMP).or_else(|| self.lookup(CFG).filter(|i| *i != 0)) {
                    self.files[i].durable = self.files[i].current.clone();
                }
            }
            FsyncConfig => {
                if let Some(i) = self.lookup(CFG) {
                    self.files[i].durable = self.files[i].current.clone();
                }
            }
            CloseTmp => {}
            Rename => self.journal.push(DirChange::Rename(TMP.into(), CFG.into())),
            FsyncDir => {
                self.durable_dir = self.dir_after(self.journal.len());
                self.journal.clear();
            }
            TruncConfig => {
                if let Some(i) = self.lookup(CFG) {
                    self.files[i].current = String::new();
                }
            }
            WriteConfig => {
                if let Some(i) = self.lookup(CFG) {
                    self.files[i].current = NEW.into();
                }
            }
        }
    }

    /// Every content `config.json` can have after a crash now, with a description of how.
    fn crash_outcomes(&self) -> Vec<(Option<String>, String)> {
        let mut out = Vec::new();
        for persisted in 0..=self.journal.len() {
            let dir = self.dir_after(persisted);
            let Some(&i) = dir.get(CFG) else {
                out.push((None, "the directory entry is lost".into()));
                continue;
            };
            let f = &self.files[i];
            let renamed = if persisted > 0 && i != 0 { " (the rename reached the disk)" } else { "" };
            let why = format!("the file's data was not fsynced yet{renamed}");
            if f.durable == f.current {
                out.push((Some(f.current.clone()), String::new()));
            } else {
                let half = f.current[..f.current.len() / 2].to_string();
                out.push((Some(f.durable.clone()), why.clone()));
                out.push((Some(f.current.clone()), "that is what the file holds at that moment, and it may all reach the disk".into()));
                out.push((Some(String::new()), why.clone()));
                out.push((Some(half), why));
            }
        }
        out
    }
}

/// The model's verdict: None if right, else the first counterexample, in words.
fn verdict(steps: &[Step]) -> Option<String> {
    let mut m = Crashy::new();
    let describe = |k: usize| if k == 0 { "before the first step".to_string() } else { format!("right after `{}`", step_label(steps[k - 1])) };
    for k in 0..=steps.len() {
        if k > 0 {
            m.apply(steps[k - 1]);
        }
        for (content, how) in m.crash_outcomes() {
            match content.as_deref() {
                Some(c) if c == OLD || c == NEW => {
                    if k == steps.len() && c == OLD {
                        return Some("Not durable: after the last step, a crash can still bring back the old config, because the rename was never made durable with an fsync of the directory *after* it.".to_string());
                    }
                }
                Some("") => return Some(format!("A crash {} can leave `config.json` **empty**: {how}.", describe(k))),
                Some(_) => return Some(format!("A crash {} can leave `config.json` **half written**: {how}.", describe(k))),
                None => return Some(format!("A crash {} can leave no `config.json` at all: {how}.", describe(k))),
            }
        }
    }
    None
}

/// The independent rule.
fn rule_says_right(steps: &[Step]) -> bool {
    let pos = |s: Step| steps.iter().position(|x| *x == s);
    match (pos(WriteTmp), pos(FsyncTmp), pos(Rename), pos(FsyncDir)) {
        (Some(w), Some(f), Some(r), Some(d)) => w < f && f < r && r < d && pos(TruncConfig).is_none(),
        _ => false,
    }
}

/// The second crash model: replays rendered operations (see the module docs) and says whether a
/// crash at any point can show anything but the old or the new config in full, or the old one
/// once the last call has returned.
fn crash_safe_by_ops(ops: &[Op]) -> bool {
    #[derive(Clone)]
    enum Fd {
        File(usize),
        Dir,
    }
    // Inodes: (bytes on disk, bytes in the page cache); the directory: names on disk, and the
    // changes made since its last fsync, in order (name, Some(inode) for a link, None for removal).
    let mut inodes: Vec<(String, String)> = vec![(OLD.into(), OLD.into())];
    let mut on_disk: BTreeMap<String, usize> = BTreeMap::from([(CFG.to_string(), 0)]);
    let mut pending: Vec<(String, Option<usize>)> = Vec::new();
    let mut fds: BTreeMap<usize, Fd> = BTreeMap::new();
    let view = |disk: &BTreeMap<String, usize>, changes: &[(String, Option<usize>)]| {
        let mut d = disk.clone();
        for (name, inode) in changes {
            match inode {
                Some(i) => d.insert(name.clone(), *i),
                None => d.remove(name),
            };
        }
        d
    };
    let crash_shows_only = |inodes: &[(String, String)], disk: &BTreeMap<String, usize>, changes: &[(String, Option<usize>)], allowed: &[&str]| {
        (0..=changes.len()).all(|k| match view(disk, &changes[..k]).get(CFG) {
            None => false,
            Some(&i) => {
                let (durable, cached) = &inodes[i];
                let possible: Vec<String> = if durable == cached {
                    vec![cached.clone()]
                } else {
                    vec![durable.clone(), cached.clone(), String::new(), cached[..cached.len() / 2].to_string()]
                };
                possible.iter().all(|c| allowed.contains(&c.as_str()))
            }
        })
    };
    if !crash_shows_only(&inodes, &on_disk, &pending, &[OLD]) {
        return false;
    }
    for op in ops {
        match op {
            Op::Open { fd, path, .. } if path == "." => {
                fds.insert(*fd, Fd::Dir);
            }
            Op::Open { fd, path, flags, .. } => {
                let now = view(&on_disk, &pending);
                let i = match now.get(path) {
                    Some(&i) => i,
                    None if flags.contains(&Flag::Creat) => {
                        inodes.push((String::new(), String::new()));
                        pending.push((path.clone(), Some(inodes.len() - 1)));
                        inodes.len() - 1
                    }
                    None => return false,
                };
                if flags.contains(&Flag::Trunc) {
                    inodes[i].1.clear();
                }
                fds.insert(*fd, Fd::File(i));
            }
            Op::Write { fd, data } => match fds.get(fd) {
                Some(Fd::File(i)) => inodes[*i].1.push_str(data),
                _ => return false,
            },
            Op::Fsync { fd } => match fds.get(fd) {
                Some(Fd::File(i)) => inodes[*i].0 = inodes[*i].1.clone(),
                Some(Fd::Dir) => {
                    on_disk = view(&on_disk, &pending);
                    pending.clear();
                }
                None => return false,
            },
            Op::Close { fd } => {
                fds.remove(fd);
            }
            Op::Rename { from, to } => {
                let Some(&i) = view(&on_disk, &pending).get(from) else { return false };
                pending.push((from.clone(), None));
                pending.push((to.clone(), Some(i)));
            }
            _ => return false,
        }
        if !crash_shows_only(&inodes, &on_disk, &pending, &[OLD, NEW]) {
            return false;
        }
    }
    // Durable: once the last call returns, every crash shows the new config.
    crash_shows_only(&inodes, &on_disk, &pending, &[NEW])
}

fn step_label(s: Step) -> &'static str {
    match s {
        WriteTmp => "write(fd, …)",
        FsyncTmp | FsyncConfig => "fsync(fd)",
        CloseTmp => "close(fd)",
        Rename => "rename(…)",
        FsyncDir => "fsync(fd2)",
        TruncConfig => "open(\"config.json\", O_WRONLY | O_TRUNC)",
        WriteConfig => "write(fd, …)",
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    /// Candidate names, in the order shown.
    shown: Vec<String>,
}

fn candidate(name: &str) -> Option<&'static [Step]> {
    CANDIDATES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

impl Family for AtomicReplace {
    fn id(&self) -> &'static str {
        "filesystem.atomic_replace"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Replacing a file atomically and durably"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `options` is the number of procedures listed.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["options"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let count = (cx.int("options") as usize).clamp(2, CANDIDATES.len());
        let rng = cx.rng();
        // The right one plus distractors; easy levels favour the classic mistakes (listed first).
        let mut distractors: Vec<&str> = CANDIDATES[1..].iter().map(|(n, _)| *n).collect();
        let classic = distractors.split_off(3);
        distractors.shuffle(rng);
        let mut others = classic;
        others.shuffle(rng);
        distractors.extend(others);
        let mut shown: Vec<&str> = std::iter::once("right").chain(distractors.into_iter().take(count - 1)).collect();
        shown.shuffle(rng);
        let mut prompt = Content::new().p(format!(
            "A service keeps its settings in `{CFG}`, currently `{OLD}`, safely on disk. It must replace the content with `{NEW}` so that a power failure at **any** moment leaves either the old or the new content in full (never an empty, partial or missing file), and so that once the procedure returns, the new content survives a power failure. Which procedure does that on Linux, on any filesystem?"
        ));
        let mut options = Vec::new();
        for (k, name) in shown.iter().enumerate() {
            let steps = candidate(name).ok_or_else(|| GenError::Run(format!("unknown candidate {name}")))?;
            prompt = prompt.p(format!("**Procedure {}**", crate::answer::letter(k))).code("c", code_of(steps));
            let label = format!("Procedure {}", crate::answer::letter(k));
            options.push(match verdict(steps) {
                None => ChoiceOption::right(label),
                Some(why) => ChoiceOption::wrong(label, why),
            });
        }
        let right: Vec<usize> = options.iter().enumerate().filter(|(_, o)| o.why_wrong.is_none()).map(|(i, _)| i).collect();
        let [correct] = right[..] else {
            return Err(GenError::Run(format!("the crash model found {} right procedures", right.len())));
        };
        // Run the right procedure for real.
        let mut ops = setup_ops();
        ops.extend(CANDIDATES[0].1.iter().flat_map(|s| ops_of(*s)));
        let (real, contents) = fsops::run_real(&ops, &[CFG, TMP]).map_err(GenError::Run)?;
        let mut solution = Content::new()
            .p("rename is atomic in the namespace, but not ordered against data writes: without an fsync first, the rename can reach the disk before the data, and the new name then points at an empty or half-written file. And the rename itself is only durable once the directory is fsynced.")
            .p(format!("So: write the new content to a temporary file in the same directory, **fsync it**, rename it over the old name, then **fsync the directory**: Procedure {}.", crate::answer::letter(correct)));
        let why: Vec<String> = options.iter().enumerate().filter_map(|(i, o)| o.why_wrong.as_ref().map(|w| format!("Procedure {}: {w}", crate::answer::letter(i)))).collect();
        solution = solution.list(why);
        let evidence = Content::new()
            .p("The crash model enumerated every crash point of every procedure: after each step, any prefix of the directory changes not yet fsynced may be on disk, and each file's unsynced data may be old, new, empty or half written.")
            .p("The right procedure, run with real syscalls (rustix) in a scratch directory on Linux after creating the old config:")
            .table(["call", "returned"], fsops::trace_rows(&ops, &real))
            .p(format!("Afterwards `{CFG}` holds `{}` and `{TMP}` is {}.", fsops::show_bytes(contents.get(CFG).map(|v| &v[..]).unwrap_or(b"")), if contents.contains_key(TMP) { "still there" } else { "gone" }));
        let shown = shown.iter().map(|s| s.to_string()).collect();
        Ok(Question::new(prompt, vec![AnswerSlot::new("the right procedure", Expected::Choice { options, correct })], solution, evidence)
            .with_scenario(&Scenario { shown }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Choice { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        for (i, name) in s.shown.iter().enumerate() {
            let steps = candidate(name).ok_or_else(|| CheckError(format!("unknown candidate {name}")))?;
            let ops: Vec<Op> = steps.iter().flat_map(|s| ops_of(*s)).collect();
            CheckError::expect_eq(&format!("crash model over the shown calls, for {name}"), i == *correct, crash_safe_by_ops(&ops))?;
            CheckError::expect_eq(&format!("rule for {name}"), i == *correct, rule_says_right(steps))?;
        }
        let mut ops = setup_ops();
        ops.extend(CANDIDATES[0].1.iter().flat_map(|s| ops_of(*s)));
        let (_, contents) = fsops::check_both(&ops, &[CFG, TMP]).map_err(CheckError)?;
        CheckError::expect_eq("final content", contents.get(CFG).cloned(), Some(NEW.as_bytes().to_vec()))?;
        CheckError::expect_eq("temporary file gone", contents.contains_key(TMP), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&AtomicReplace, 0..30).unwrap();
    }

    #[test]
    fn the_model_finds_each_known_failure() {
        assert_eq!(verdict(candidate("right").unwrap()), None);
        assert!(verdict(candidate("no_fsync").unwrap()).unwrap().contains("empty"));
        assert!(verdict(candidate("no_dir_fsync").unwrap()).unwrap().starts_with("Not durable"));
        assert!(verdict(candidate("in_place").unwrap()).unwrap().contains("empty"));
        assert!(verdict(candidate("fsync_after_rename").unwrap()).is_some());
        assert!(verdict(candidate("dir_too_early").unwrap()).unwrap().starts_with("Not durable"));
        for (name, steps) in CANDIDATES {
            assert_eq!(verdict(steps).is_none(), rule_says_right(steps), "{name}");
        }
    }

    #[test]
    fn the_second_crash_model_tells_every_candidate_apart() {
        // Over the rendered calls: only the right procedure survives; each distractor fails it.
        for (name, steps) in CANDIDATES {
            let ops: Vec<Op> = steps.iter().flat_map(|s| ops_of(*s)).collect();
            assert_eq!(crash_safe_by_ops(&ops), *name == "right", "{name}");
            assert_eq!(verdict(steps).is_none(), *name == "right", "{name}");
        }
        // And a real run of any of them cannot: each ends with the new content.
        for (name, steps) in CANDIDATES.iter().filter(|(n, _)| *n != "in_place") {
            let mut ops = setup_ops();
            ops.extend(steps.iter().flat_map(|s| ops_of(*s)));
            let (_, contents) = fsops::run_real(&ops, &[CFG]).unwrap();
            assert_eq!(contents.get(CFG).map(Vec::as_slice), Some(NEW.as_bytes()), "{name}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&AtomicReplace, &["options=6".into()]).unwrap();
        let q = generate(&AtomicReplace, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().map(|o| o.len()), Some(6));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&AtomicReplace, 2, Difficulty::Medium, &Default::default()).unwrap();
        crate::family::cross_check(&AtomicReplace, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(crate::family::cross_check(&AtomicReplace, &q).is_err());
    }
}
