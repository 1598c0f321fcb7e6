//! `filesystem.umask_mode`: the permission bits a new file or directory gets.
//!
//! **Asked**: the permission bits `stat`/`fstat` report, in octal (rwx accepted), for a file
//! created by `open(…, O_CREAT, mode)`, a directory made by `mkdir(…, mode)`, and (hard) after a
//! `chmod`.
//!
//! **Parameters**: `mask`: the umask in octal (easy 022/002, medium also 027/077, hard 027, 077,
//! 007 or 037; 000 and 777 when pinned); `objects`: what is created and asked (easy: a file; medium: a file and a directory;
//! hard: both, then a chmod of the file, which the umask does not affect).
//!
//! **Key.** The listing executed with real syscalls in a scratch directory (in a thread whose
//! umask is its own, so the process's umask is never touched).
//!
//! **Second route.** The model applies mode & ~umask at creation and the chmod mode as given.
//!
//! **Pitfalls**: subtracting the mask (0666 − 022 happens to work, 0666 − 077 does not: it is
//! AND NOT); applying the umask to chmod; expecting the execute bit on a file made with 0666.

use crate::content::Content;
use crate::family::filesystem::fsops::{self, Flag, Op};
use crate::family::filesystem::fsquiz::{self, Probe, What};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct UmaskMode;

const FILE_MODES: &[u32] = &[0o666, 0o644, 0o640, 0o600, 0o660, 0o664];
const DIR_MODES: &[u32] = &[0o777, 0o755, 0o750, 0o775, 0o700];
const CHMODS: &[u32] = &[0o600, 0o644, 0o640, 0o755, 0o444, 0o666];

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "mask",
        help: "the umask, in octal",
        kind: ParamKind::Choice {
            options: &["000", "002", "007", "022", "027", "037", "077", "777"],
            draw: [&["022", "002"], &["022", "027", "077", "002"], &["027", "077", "007", "037"]],
        },
    },
    ParamSpec {
        key: "objects",
        help: "file, file_dir or file_dir_chmod: what is created and asked",
        kind: ParamKind::Choice {
            options: &["file", "file_dir", "file_dir_chmod"],
            draw: [&["file"], &["file_dir"], &["file_dir_chmod"]],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

impl Family for UmaskMode {
    fn id(&self) -> &'static str {
        "filesystem.umask_mode"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "umask, open and mkdir modes, and chmod"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let mask = u32::from_str_radix(cx.pick("mask"), 8).unwrap_or(0o022);
        let objects = cx.pick("objects");
        let rng = cx.rng();
        let fmode = *FILE_MODES.choose(rng).unwrap_or(&0o666);
        let dmode = *DIR_MODES.choose(rng).unwrap_or(&0o777);
        let cmode = *CHMODS.choose(rng).unwrap_or(&0o600);
        let mut ops = vec![
            Op::Umask { mask },
            Op::Open { fd: 0, path: "report.txt".into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Excl], mode: fmode },
            Op::Fstat { fd: 0 },
        ];
        let mut probes = vec![Probe::new(2, What::Mode)];
        ops.push(Op::Close { fd: 0 });
        if objects != "file" {
            ops.push(Op::Mkdir { path: "uploads".into(), mode: dmode });
            ops.push(Op::Stat { path: "uploads".into() });
            probes.push(Probe::new(ops.len() - 1, What::Mode));
        }
        if objects == "file_dir_chmod" {
            ops.push(Op::Chmod { path: "report.txt".into(), mode: cmode });
            ops.push(Op::Stat { path: "report.txt".into() });
            probes.push(Probe::new(ops.len() - 1, What::Mode));
        }
        let (slots, real) = fsquiz::slots(&ops, &probes)?;
        let prompt = Content::new()
            .p("A service starts with this code in an empty directory; every call succeeds:")
            .code("c", fsquiz::render_marked(&ops, &probes))
            .p("For each marked call, give the permission bits it reports (`st.st_mode & 0777`) in octal, such as 0640.");
        let show = |m: u32| {
            let (o, r) = fsops::show_mode(m);
            format!("{o} ({r})")
        };
        let mut solution = Content::new().p(format!(
            "New files and directories get `mode & ~umask`: the umask **clears** bits, it is not subtracted. umask = {}.",
            show(mask)
        ));
        solution = solution.p(format!("File: {} & ~{} = **{}**.", show(fmode), fsops::show_mode(mask).0, show(fmode & !mask)));
        if objects != "file" {
            solution = solution.p(format!("Directory: {} & ~{} = **{}**.", show(dmode), fsops::show_mode(mask).0, show(dmode & !mask)));
        }
        if objects == "file_dir_chmod" {
            solution = solution.p(format!("`chmod` sets the bits exactly as given; the umask applies only when something is created: **{}**.", show(cmode)));
        }
        solution = solution.list(fsquiz::answer_lines(&ops, &probes, &real));
        let evidence = fsquiz::evidence(&ops, &real);
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { ops, probes }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let model = fsquiz::check(q, &s.ops, &s.probes)?;
        // A third, arithmetic route: mode & !mask for the created objects.
        let Op::Umask { mask } = s.ops[0] else {
            return Err(CheckError("the list must start with umask".into()));
        };
        if let Op::Open { mode, .. } = s.ops[1] {
            CheckError::expect_eq("file mode", model[2].mode.map(|m| m.0), Some(mode & !mask & 0o777))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{grade, Expected};
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&UmaskMode, 0..30).unwrap();
    }

    #[test]
    fn and_not_rather_than_subtraction() {
        // 0666 & ~077 = 0600; "subtracting" would give 0567.
        let pins = parse_pins(&UmaskMode, &["mask=077".into(), "objects=file".into()]).unwrap();
        for seed in 0..20 {
            let q = generate(&UmaskMode, seed, Difficulty::Easy, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            if let Op::Open { mode: 0o666, .. } = s.ops[1] {
                assert_eq!(q.slots[0].expected.reference(), "0600");
                assert!(grade(&q.slots[0].expected, "rw-------").is_correct());
                assert!(grade(&q.slots[0].expected, "600").is_correct());
                assert!(!grade(&q.slots[0].expected, "0567").is_correct());
                return;
            }
        }
        panic!("no seed drew mode 0666");
    }

    #[test]
    fn chmod_ignores_the_umask() {
        let pins = parse_pins(&UmaskMode, &["mask=777".into(), "objects=file_dir_chmod".into()]).unwrap();
        let q = generate(&UmaskMode, 3, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0000", "umask 0777 clears everything");
        let s: Scenario = q.scenario().unwrap();
        let Op::Chmod { mode, .. } = s.ops[6] else { panic!("{:?}", s.ops[6]) };
        assert_eq!(q.slots[2].expected.reference(), format!("0{mode:03o}"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&UmaskMode, 2, Difficulty::Medium, &Default::default()).unwrap();
        crate::family::cross_check(&UmaskMode, &q).unwrap();
        q.slots[1].expected = Expected::Text { value: "0777".into(), normalisation: crate::answer::Normalisation::Exact, accepted: vec![] };
        assert!(crate::family::cross_check(&UmaskMode, &q).is_err());
    }
}
