//! `filesystem.fd_inheritance`: which descriptors survive fork + exec, i.e. O_CLOEXEC and
//! FD_CLOEXEC.
//!
//! **Asked** (multiple choice): a process opens several descriptors in different ways, then
//! forks and execs a helper program. Which descriptors are still open in the helper?
//!
//! **Ways a descriptor is made**: `open` with O_CLOEXEC (closed at exec); plain `open`
//! (inherited); `dup` of a close-on-exec descriptor (**inherited**: dup never copies
//! FD_CLOEXEC); `fcntl(F_DUPFD_CLOEXEC)` (closed); `fcntl(F_SETFD, FD_CLOEXEC)` on a plain one
//! (closed); `fcntl(F_SETFD, 0)` on an O_CLOEXEC one (inherited). `descriptors`: easy 3, medium
//! 4, hard 5–6.
//!
//! **Key.** Run for real: the descriptors are made with rustix in a scratch directory, then
//! `/bin/sh` is spawned (fork + exec) and reports which of the descriptor numbers exist in
//! `/proc/self/fd`.
//!
//! **Second route.** (1) The model: each way's rule for FD_CLOEXEC, and exec closes exactly the
//! FD_CLOEXEC ones. (2) `fcntl(F_GETFD)` read back in the parent must agree.
//!
//! **Pitfalls**: dup copying the flag; close-on-exec meaning close-on-fork (after fork alone,
//! every descriptor is still open).
//!
//! The questions use descriptor *names* (`log`, `sock`, …), never numbers, which vary.

use crate::answer::{AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::SliceRandom;
use rand::Rng;
use rustix::fd::{AsRawFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::FdFlags;
use serde::{Deserialize, Serialize};

/// The family.
pub struct FdInheritance;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "descriptors",
    help: "number of descriptors",
    kind: ParamKind::Int { min: 2, max: 6, draw: [(3, 3), (4, 4), (5, 6)] },
}];

/// How a descriptor is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Way {
    OpenCloexec,
    Open,
    /// dup of descriptor k
    Dup(usize),
    /// fcntl(F_DUPFD_CLOEXEC) of descriptor k
    DupfdCloexec(usize),
    /// plain open, then fcntl(F_SETFD, FD_CLOEXEC)
    OpenThenSet,
    /// O_CLOEXEC open, then fcntl(F_SETFD, 0)
    OpenCloexecThenClear,
}

const NAMES: &[&str] = &["log", "db", "sock", "cache", "lock", "audit"];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ways: Vec<Way>,
}

fn render(ways: &[Way]) -> String {
    let mut lines = Vec::new();
    for (k, w) in ways.iter().enumerate() {
        let n = NAMES[k];
        lines.push(match w {
            Way::OpenCloexec => format!("int {n} = open(\"{n}.dat\", O_RDWR | O_CREAT | O_CLOEXEC, 0600);"),
            Way::Open => format!("int {n} = open(\"{n}.dat\", O_RDWR | O_CREAT, 0600);"),
            Way::Dup(s) => format!("int {n} = dup({});", NAMES[*s]),
            Way::DupfdCloexec(s) => format!("int {n} = fcntl({}, F_DUPFD_CLOEXEC, 0);", NAMES[*s]),
            Way::OpenThenSet => format!("int {n} = open(\"{n}.dat\", O_RDWR | O_CREAT, 0600);\nfcntl({n}, F_SETFD, FD_CLOEXEC);"),
            Way::OpenCloexecThenClear => format!("int {n} = open(\"{n}.dat\", O_RDWR | O_CREAT | O_CLOEXEC, 0600);\nfcntl({n}, F_SETFD, 0);"),
        });
    }
    lines.push("pid_t pid = fork();\nif (pid == 0) {\n    execl(\"/usr/local/bin/helper\", \"helper\", (char *)NULL);\n    _exit(127);\n}".into());
    lines.join("\n")
}

/// The model: does descriptor k have FD_CLOEXEC?
fn model_cloexec(ways: &[Way], k: usize) -> bool {
    match ways[k] {
        Way::OpenCloexec | Way::DupfdCloexec(_) | Way::OpenThenSet => true,
        Way::Open | Way::Dup(_) | Way::OpenCloexecThenClear => false,
    }
}

/// Route 1: make the descriptors, spawn /bin/sh, ask it which exist. Returns (open in the
/// child, FD_CLOEXEC read back in the parent).
fn run_real(ways: &[Way]) -> Result<(Vec<bool>, Vec<bool>), String> {
    let dir = tempfile::Builder::new().prefix("groundwork-fd-").tempdir().map_err(|e| format!("cannot create a scratch directory: {e}"))?;
    let err = |e: rustix::io::Errno| e.to_string();
    let mut fds: Vec<OwnedFd> = Vec::new();
    for (k, w) in ways.iter().enumerate() {
        let path = dir.path().join(format!("{}.dat", NAMES[k]));
        let open = |cloexec: bool| {
            let flags = OFlags::RDWR | OFlags::CREATE | if cloexec { OFlags::CLOEXEC } else { OFlags::empty() };
            rustix::fs::open(&path, flags, Mode::from_raw_mode(0o600)).map_err(err)
        };
        let fd = match w {
            Way::OpenCloexec => open(true)?,
            Way::Open => open(false)?,
            Way::Dup(s) => rustix::io::dup(&fds[*s]).map_err(err)?,
            Way::DupfdCloexec(s) => rustix::io::fcntl_dupfd_cloexec(&fds[*s], 0).map_err(err)?,
            Way::OpenThenSet => {
                let f = open(false)?;
                rustix::io::fcntl_setfd(&f, FdFlags::CLOEXEC).map_err(err)?;
                f
            }
            Way::OpenCloexecThenClear => {
                let f = open(true)?;
                rustix::io::fcntl_setfd(&f, FdFlags::empty()).map_err(err)?;
                f
            }
        };
        fds.push(fd);
    }
    let flags: Vec<bool> = fds
        .iter()
        .map(|f| rustix::io::fcntl_getfd(f).map(|fl| fl.contains(FdFlags::CLOEXEC)))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let out = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg("for fd in \"$@\"; do if [ -e /proc/self/fd/$fd ]; then echo open; else echo closed; fi; done")
        .arg("sh")
        .args(fds.iter().map(|f| f.as_raw_fd().to_string()))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run /bin/sh: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let open: Vec<bool> = text.lines().map(|l| l == "open").collect();
    if open.len() != fds.len() {
        return Err(format!("the child reported {} descriptors, expected {}: {text:?}", open.len(), fds.len()));
    }
    drop(fds);
    Ok((open, flags))
}

fn explain(w: Way) -> &'static str {
    match w {
        Way::OpenCloexec => "opened with O_CLOEXEC: closed at exec",
        Way::Open => "a plain open: inherited",
        Way::Dup(_) => "dup() never copies FD_CLOEXEC: the new descriptor is inherited even though its source is close-on-exec",
        Way::DupfdCloexec(_) => "F_DUPFD_CLOEXEC duplicates with FD_CLOEXEC set: closed at exec",
        Way::OpenThenSet => "FD_CLOEXEC set afterwards with fcntl: closed at exec (but a fork+exec in another thread between the two calls would leak it, which is why O_CLOEXEC exists)",
        Way::OpenCloexecThenClear => "FD_CLOEXEC cleared with fcntl(F_SETFD, 0): inherited",
    }
}

impl Family for FdInheritance {
    fn id(&self) -> &'static str {
        "filesystem.fd_inheritance"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Descriptors across fork and exec: O_CLOEXEC"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `descriptors` is the number of descriptors the code opens.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["descriptors"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let count = (cx.int("descriptors") as usize).clamp(2, NAMES.len());
        let rng = cx.rng();
        // One of each basic kind first, so the answer is never all or nothing.
        let mut ways = vec![Way::OpenCloexec, Way::Open];
        let mut extra = vec![Way::Dup(0), Way::DupfdCloexec(1), Way::OpenThenSet, Way::OpenCloexecThenClear];
        extra.shuffle(rng);
        if rng.random_bool(0.5) {
            ways.swap(0, 1);
        }
        for w in extra.into_iter().take(count - 2) {
            // Point the dups at a descriptor of the other kind, so they teach something.
            let fixed = match w {
                Way::Dup(_) => Way::Dup(ways.iter().position(|x| *x == Way::OpenCloexec).unwrap_or(0)),
                Way::DupfdCloexec(_) => Way::DupfdCloexec(ways.iter().position(|x| *x == Way::Open).unwrap_or(0)),
                w => w,
            };
            ways.push(fixed);
        }
        let (open, _) = run_real(&ways).map_err(GenError::Run)?;
        let options: Vec<ChoiceOption> = (0..ways.len())
            .map(|k| {
                let text = format!("`{}`", NAMES[k]);
                if open[k] {
                    ChoiceOption::right(text)
                } else {
                    ChoiceOption::wrong(text, format!("`{}` is {}.", NAMES[k], explain(ways[k])))
                }
            })
            .collect();
        let correct: Vec<usize> = (0..ways.len()).filter(|k| open[*k]).collect();
        let prompt = Content::new()
            .p("A server starts a helper program like this (all calls succeed):")
            .code("c", render(&ways))
            .p("Which descriptors are still open in the helper once `execl` has replaced the child's program? Pick all that apply.");
        let solution = Content::new()
            .p("fork copies the whole descriptor table, so right after fork the child has everything. exec then closes exactly the descriptors whose FD_CLOEXEC flag is set. The flag belongs to the descriptor, not to the open file, so dup() starts with it clear.")
            .list((0..ways.len()).map(|k| format!("`{}`: {} → **{}**", NAMES[k], explain(ways[k]), if open[k] { "open" } else { "closed" })));
        let evidence = Content::new().p("Ran for real: the descriptors were made with rustix in a scratch directory, then `/bin/sh` was spawned (fork + exec) and checked `/proc/self/fd/N` for each descriptor number:").table(
            ["descriptor", "in the child"],
            (0..ways.len()).map(|k| vec![format!("`{}`", NAMES[k]), if open[k] { "open" } else { "closed" }.to_string()]),
        );
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new("descriptors open in the helper", Expected::Multi { options, correct, rule: PartialCredit::RightMinusWrong })],
            solution,
            evidence,
        )
        .with_scenario(&Scenario { ways }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Multi { correct, .. } = q.expected(0)? else {
            return Err(CheckError("expected a multiple choice".into()));
        };
        let model: Vec<usize> = (0..s.ways.len()).filter(|k| !model_cloexec(&s.ways, *k)).collect();
        CheckError::expect_eq("inherited descriptors (model)", correct.clone(), model)?;
        let (_, flags) = run_real(&s.ways).map_err(CheckError)?;
        let read_back: Vec<usize> = (0..s.ways.len()).filter(|k| !flags[*k]).collect();
        CheckError::expect_eq("inherited descriptors (F_GETFD)", correct.clone(), read_back)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&FdInheritance, 0..30).unwrap();
    }

    #[test]
    fn dup_clears_the_flag_and_exec_honours_it() {
        let ways = [Way::OpenCloexec, Way::Open, Way::Dup(0), Way::DupfdCloexec(1), Way::OpenThenSet, Way::OpenCloexecThenClear];
        let (open, flags) = run_real(&ways).unwrap();
        assert_eq!(open, [false, true, true, false, false, true]);
        assert_eq!(flags, [true, false, false, true, true, false]);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&FdInheritance, &["descriptors=6".into()]).unwrap();
        let q = generate(&FdInheritance, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().map(|o| o.len()), Some(6));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&FdInheritance, 2, Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&FdInheritance, &q).unwrap();
        if let Expected::Multi { correct, .. } = &mut q.slots[0].expected {
            // Toggle descriptor 0: always one of each kind, so this changes the answer.
            match correct.iter().position(|k| *k == 0) {
                Some(i) => {
                    correct.remove(i);
                }
                None => correct.insert(0, 0),
            }
        }
        assert!(crate::family::cross_check(&FdInheritance, &q).is_err());
    }
}
