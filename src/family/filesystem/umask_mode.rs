//! `filesystem.umask_mode`: the permission bits a new file or directory gets.
//!
//! **Asked**: the permission bits `stat`/`fstat` report, in octal (rwx accepted), for a file
//! created by `open(…, O_CREAT, mode)`, a directory made by `mkdir(…, mode)`, and (hard) after a
//! `chmod`. `ask=which_umask` (judgment): the file and directory must end with given modes;
//! which change does it: the right `umask` call first, or a named misconception (the umask as
//! the wanted mode, subtracted modes, bits that fit only the file, the complement from 0777, the
//! right mask set after the calls)? Every option is run with real syscalls and the key is the
//! one that gives both modes; the cross-check reruns them through the model.
//!
//! **Flaws** (redrawn): a umask that removes no bit of a requested mode; a chmod the umask would
//! not have changed; fewer than three distinct options.
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
use crate::answer::AnswerSlot;
use crate::family::{About, Ask, CheckError, Contrast, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct UmaskMode;

const FILE_MODES: &[u32] = &[0o666, 0o644, 0o640, 0o600, 0o660, 0o664];
const DIR_MODES: &[u32] = &[0o777, 0o755, 0o750, 0o775, 0o700];
const CHMODS: &[u32] = &[0o600, 0o644, 0o640, 0o755, 0o444, 0o666];

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "mode (the bits a marked stat reports) or which_umask (choose the umask call that gives the wanted modes)",
        kind: ParamKind::Choice {
            options: &["mode", "which_umask"],
            draw: [&["mode", "which_umask"], &["mode", "which_umask"], &["mode", "which_umask"]],
        },
    },
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
        help: "file, file_dir or file_dir_chmod: what is created and asked (ask=mode)",
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
    #[serde(default)]
    variants: Vec<fsquiz::Variant>,
    /// ask=which_umask: the options, and the modes the file and the directory must end with.
    #[serde(default)]
    remedies: Vec<fsquiz::Remedy>,
    #[serde(default)]
    want: Option<(u32, u32)>,
}

/// The created objects of the listing: `(open or mkdir mode, the stat that reports it)`.
fn creations(ops: &[Op]) -> Vec<u32> {
    ops.iter()
        .filter_map(|o| match o {
            Op::Open { mode, flags, .. } if flags.contains(&Flag::Creat) => Some(*mode),
            Op::Mkdir { mode, .. } => Some(*mode),
            _ => None,
        })
        .collect()
}

/// The goal of ask=which_umask: the first `fstat` reports `file` and the first `stat` `dir`.
fn goal(want: (u32, u32)) -> impl Fn(&[Op], &[fsops::Outcome], &fsops::Contents) -> Result<(), String> {
    move |ops, out, _| {
        let bits = |is: &dyn Fn(&Op) -> bool| ops.iter().position(is).and_then(|i| out[i].mode).map(|m| m.0);
        let f = bits(&|o| matches!(o, Op::Fstat { .. }));
        let d = bits(&|o| matches!(o, Op::Stat { .. }));
        let show = |m: Option<u32>| m.map_or("nothing".to_string(), |m| fsops::show_mode(m).0);
        if f == Some(want.0) && d == Some(want.1) {
            Ok(())
        } else {
            Err(format!("the file gets {} and the directory {}", show(f), show(d)))
        }
    }
}

/// The listing of ask=which_umask: `umask(mask)` before or after creating the file and the
/// directory, each followed by its stat.
fn umask_listing(mask: Option<u32>, after: bool, fmode: u32, dmode: u32) -> Vec<Op> {
    let mut ops = Vec::new();
    if let (Some(m), false) = (mask, after) {
        ops.push(Op::Umask { mask: m });
    }
    ops.push(Op::Open { fd: 0, path: "report.txt".into(), flags: vec![Flag::Wronly, Flag::Creat, Flag::Excl], mode: fmode });
    ops.push(Op::Fstat { fd: 0 });
    ops.push(Op::Close { fd: 0 });
    ops.push(Op::Mkdir { path: "uploads".into(), mode: dmode });
    ops.push(Op::Stat { path: "uploads".into() });
    if let (Some(m), true) = (mask, after) {
        ops.push(Op::Umask { mask: m });
    }
    ops
}

impl Family for UmaskMode {
    fn id(&self) -> &'static str {
        "filesystem.umask_mode"
    }
    fn version(&self) -> u32 {
        2
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
    /// `objects` is what the listing creates and stats.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["objects"]
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("mode", [2, 3, 4], &["umask"]),
            Ask::new("which_umask", [2, 3, 4], &["umask"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "permission bits from umask, open and mkdir modes, and chmod; or which umask call gives the wanted modes (choice)",
            key: "real syscalls, in a thread with its own umask; each option run for real",
            second_route: "in-memory model; mode & ~umask",
        }
    }
    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else {
            return vec!["the scenario does not parse".into()];
        };
        let mut out = Vec::new();
        let mask = s.ops.iter().find_map(|o| match o {
            Op::Umask { mask } => Some(*mask),
            _ => None,
        });
        if let (Some(mask), None) = (mask, s.want) {
            for m in creations(&s.ops) {
                if m & mask == 0 {
                    out.push(format!("the umask 0{mask:03o} removes no bit of the requested mode 0{m:o}"));
                }
            }
            if let Some(Op::Chmod { mode, .. }) = s.ops.iter().find(|o| matches!(o, Op::Chmod { .. })) {
                if mode & mask == 0 {
                    out.push(format!("chmod 0{mode:o} would come out the same under the umask, so it cannot show that chmod ignores it"));
                }
            }
        }
        if s.want.is_some() && mask.is_none() && s.remedies.iter().any(|r| r.ops.contains(&Op::Umask { mask: fsops::START_UMASK }) && r.why.is_empty()) {
            out.push("the wanted modes are what the starting umask 022 already gives".into());
        }
        if let (Some(want), Some(right)) = (s.want, s.remedies.iter().find(|r| r.why.is_empty())) {
            let modes = creations(&right.ops);
            if modes.len() == 2 && (modes[0] == want.0 || modes[1] == want.1) {
                out.push("the umask leaves the file's or the directory's requested mode unchanged".into());
            }
        }
        if s.want.is_some() && s.remedies.len() < 3 {
            out.push(format!("only {} distinct options", s.remedies.len()));
        }
        out
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let mask = u32::from_str_radix(cx.pick("mask"), 8).unwrap_or(0o022);
        if mask == 0 {
            // Only a pin gives 000: refused up front, as every draw would be a flaw.
            return Err(GenError::Params {
                message: "a umask of 000 clears no permission bit: every file and directory gets exactly the mode it asks for, so there is nothing for the umask to decide".into(),
                hint: "pin a umask that clears some bits, such as 022, 027 or 077".into(),
            });
        }
        if ask == "which_umask" {
            fsquiz::refuse_unused_pins(cx, &["objects"], ask)?;
            // Under the starting umask 022 no change is needed: a drawn 022 becomes 027.
            let mask = if mask == fsops::START_UMASK && !cx.is_pinned("mask") {
                cx.adjusted("mask", crate::family::ParamValue::Choice("027".into()));
                0o027
            } else {
                mask
            };
            return which_umask(cx, mask);
        }
        let objects = cx.pick("objects");
        let rng = cx.rng();
        let fmode = pick_mode(FILE_MODES, mask, rng);
        let dmode = pick_mode(DIR_MODES, mask, rng);
        let cmode = pick_mode(CHMODS, mask, rng);
        let alts: Vec<u32> = [0o022, 0o077, 0o027, 0o007].into_iter().filter(|m| *m != mask && fmode & !m != fmode & !mask).collect();
        let alt = alts.choose(rng).copied().unwrap_or(0o077);
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
            .p(format!("{} Write them as `st.st_mode & 0777`, such as 0640.", fsquiz::stem(&ops, &probes)));
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
        let mut v = ops[..3].to_vec();
        v[0] = Op::Umask { mask: alt };
        let alt_s = fsops::show_mode(alt).0;
        let (f, var) = fsquiz::variant(
            format!("What would `report.txt` get if the first line were `umask({alt_s})`?"),
            v,
            Some(Probe::new(2, What::Mode)),
            None,
            |a| format!("**{a}**: {} & ~{alt_s}, bit by bit.", fsops::show_mode(fmode).0),
        )?;
        let q = Question::new(prompt, slots, solution, evidence)
            .contrast(Contrast::new("requested vs created file mode", fsops::show_mode(fmode).0, fsops::show_mode(fmode & !mask).0))
            .followup(f.point("the umask clears bits (AND NOT); subtracting only works when every mask bit is set in the mode"))
            .with_scenario(&Scenario { ops, probes, variants: vec![var], remedies: vec![], want: None });
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        fsquiz::check_variants(&s.variants)?;
        if let Some(want) = s.want {
            return fsquiz::check_remedies(q, 0, &s.remedies, &[], &goal(want));
        }
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

/// A mode from `modes` that shares a bit with `mask` (any of them if none does: the flaw rule
/// then turns a pinned inert umask into a parameter error).
fn pick_mode(modes: &[u32], mask: u32, rng: &mut impl rand::Rng) -> u32 {
    let hit: Vec<u32> = modes.iter().copied().filter(|m| m & mask != 0).collect();
    let from = if hit.is_empty() { modes.to_vec() } else { hit };
    *from.choose(rng).unwrap_or(&modes[0])
}

/// ask=which_umask: the file and the directory must end with given modes; which `umask` call at
/// the start gives them? The options come from named misconceptions and are all run.
fn which_umask(cx: &mut Ctx, mask: u32) -> Result<Question, GenError> {
    use rand::seq::SliceRandom;
    let rng = cx.rng();
    // Modes the umask takes bits from (else it would be inert for that object).
    let fmode = pick_mode(&[0o666, 0o664, 0o660], mask, rng);
    let dmode = pick_mode(&[0o777, 0o775, 0o770], mask, rng);
    let want = (fmode & !mask, dmode & !mask);
    let o = |m: u32| fsops::show_mode(m).0;
    let call = |m: u32| format!("`umask({})` first", o(m));
    let mut remedies = vec![fsquiz::Remedy { text: call(mask), ops: umask_listing(Some(mask), false, fmode, dmode), why: String::new() }];
    let mut push = |m: u32, after: bool, text: String, why: &str| {
        if m <= 0o777 && !remedies.iter().any(|r| r.text == text) {
            remedies.push(fsquiz::Remedy { text, ops: umask_listing(Some(m), after, fmode, dmode), why: why.into() });
        }
    };
    push(want.0, false, call(want.0), "The umask names the bits to *clear*, not the mode you want.");
    if fmode >= want.0 {
        let diff = fmode - want.0;
        push(diff, false, call(diff), "Subtracting the wanted mode from the requested one treats the umask as arithmetic, not as bits to clear; it also has to fit the directory.");
    }
    push(fmode & mask, false, call(fmode & mask), "Clearing just the bits the file loses fits the file, but the directory asks for other bits.");
    push(0o777 & !want.0, false, call(0o777 & !want.0), "Taking the wanted file mode from 0777 forgets that the code asks for less than 0777; the umask clears bits of the mode the call requests.");
    push(mask, true, format!("`umask({})` after creating them", o(mask)), "The umask is applied when a file or directory is created; setting it later changes nothing already made.");
    // Options that happen to work too are not options: drop them, keep the first.
    let verdicts = fsquiz::judge(&remedies, &[], true, &goal(want)).map_err(GenError::Run)?;
    let mut kept: Vec<(fsquiz::Remedy, Result<(), String>)> = remedies.into_iter().zip(verdicts).enumerate().filter(|(i, (_, v))| *i == 0 || v.is_err()).map(|(_, x)| x).collect();
    kept.truncate(4);
    kept.shuffle(rng);
    let (remedies, verdicts): (Vec<_>, Vec<_>) = kept.into_iter().unzip();
    let expected = fsquiz::remedy_choice(&remedies, &verdicts).map_err(GenError::Run)?;
    let base = umask_listing(None, false, fmode, dmode);
    let prompt = Content::new()
        .p(format!(
            "A service creates its report file and its upload directory like this. The process starts with umask 022, and nothing else in it changes the umask. The file must end up with mode **{}** and the directory with **{}**.",
            o(want.0),
            o(want.1)
        ))
        .code("c", fsops::render_c(&base))
        .p("Which change gives exactly those modes?");
    let correct = match &expected {
        crate::answer::Expected::Choice { correct, .. } => *correct,
        _ => 0,
    };
    let solution = Content::new()
        .p(format!(
            "A new file or directory gets `mode & ~umask`, with the umask in force when it is created. The umask must clear the bits {} loses ({}) and the bits {} loses ({}), and no others: umask **{}**, set before the calls (option {}).",
            o(fmode),
            o(fmode & !want.0),
            o(dmode),
            o(dmode & !want.1),
            o(mask),
            crate::answer::letter(correct)
        ));
    let evidence = Content::new().p("Each option was run with real syscalls in a private scratch directory (in a thread with its own umask):").table(
        ["option", "result"],
        remedies.iter().zip(&verdicts).enumerate().map(|(i, (r, v))| vec![format!("{} {}", crate::answer::letter(i), r.text), match v { Ok(()) => "both modes as wanted".to_string(), Err(e) => e.clone() }]).collect::<Vec<_>>(),
    );
    // Follow-up: a script created later under the right umask.
    let mut v = umask_listing(Some(mask), false, fmode, dmode);
    v.push(Op::Open { fd: 1, path: "run.sh".into(), flags: vec![Flag::Wronly, Flag::Creat], mode: 0o755 });
    v.push(Op::Fstat { fd: 1 });
    let probe = Probe::new(v.len() - 1, What::Mode);
    let (f, var) = fsquiz::variant(
        "Under that umask, what mode does a later `open(\"run.sh\", O_WRONLY | O_CREAT, 0755)` give the script?",
        v,
        Some(probe),
        None,
        |a| format!("**{a}**: 0755 & ~{}; the umask never adds bits, so a mode the code does not request (such as execute on the report) never appears.", o(mask)),
    )?;
    Ok(Question::new(prompt, vec![AnswerSlot::new("the change that gives both modes", expected)], solution, evidence)
        .followup(f.point("umask is per process and inherited across fork and exec; a library that creates files sees the caller's umask"))
        .with_scenario(&Scenario { ops: base, probes: vec![], variants: vec![var], remedies, want: Some(want) }))
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
        let pins = parse_pins(&UmaskMode, &["ask=mode".into(), "mask=077".into(), "objects=file".into()]).unwrap();
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
        let pins = parse_pins(&UmaskMode, &["ask=mode".into(), "mask=777".into(), "objects=file_dir_chmod".into()]).unwrap();
        let q = generate(&UmaskMode, 3, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0000", "umask 0777 clears everything");
        let s: Scenario = q.scenario().unwrap();
        let Op::Chmod { mode, .. } = s.ops[6] else { panic!("{:?}", s.ops[6]) };
        assert_eq!(q.slots[2].expected.reference(), format!("0{mode:03o}"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&UmaskMode, &["ask=mode".into()]).unwrap();
        let mut q = generate(&UmaskMode, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&UmaskMode, &q).unwrap();
        q.slots[1].expected = Expected::Text { value: "0777".into(), normalisation: crate::answer::Normalisation::Exact, accepted: vec![] };
        assert!(crate::family::cross_check(&UmaskMode, &q).is_err());
    }

    #[test]
    fn which_umask_is_the_mask_that_clears_exactly_the_lost_bits() {
        // By hand: 0666 & ~0027 = 0640 and 0777 & ~0027 = 0750; umask(0640) would give 0026,
        // and umask 0027 set after the calls would leave the starting 022's 0644 and 0755.
        let pins = parse_pins(&UmaskMode, &["ask=which_umask".into(), "mask=027".into()]).unwrap();
        let mut seen = false;
        for seed in 0..30 {
            let q = generate(&UmaskMode, seed, Difficulty::Medium, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
            assert_eq!(options[*correct].text, "`umask(0027)` first");
            assert!(options.len() >= 3);
            if creations(&s.remedies[0].ops) == [0o666, 0o777] {
                assert_eq!(s.want, Some((0o640, 0o750)));
                seen = true;
            }
            crate::family::cross_check(&UmaskMode, &q).unwrap();
        }
        assert!(seen, "no seed drew modes 0666 and 0777");
    }

    #[test]
    fn a_umask_that_removes_no_requested_bit_is_never_drawn() {
        for seed in 0..40 {
            let pins = parse_pins(&UmaskMode, &["ask=mode".into()]).unwrap();
            let q = generate(&UmaskMode, seed, Difficulty::Easy, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            let Op::Umask { mask } = s.ops[0] else { panic!() };
            let Op::Open { mode, .. } = s.ops[1] else { panic!() };
            assert_ne!(mode & mask, 0, "seed {seed}: 0{mode:o} under umask 0{mask:o}");
        }
        // Pinned to 000, every draw is inert: a parameter error, not a silent question.
        let pins = parse_pins(&UmaskMode, &["ask=mode".into(), "mask=000".into()]).unwrap();
        let e = generate(&UmaskMode, 1, Difficulty::Easy, &pins).unwrap_err();
        assert!(e.to_string().contains("clears no permission bit") && e.hint().is_some(), "{e}");
        // And the family rule names the reason (the runner reports the first rule it meets).
        let q = generate(&UmaskMode, 1, Difficulty::Easy, &parse_pins(&UmaskMode, &["ask=mode".into(), "mask=022".into()]).unwrap()).unwrap();
        let mut s: Scenario = q.scenario().unwrap();
        s.ops[0] = Op::Umask { mask: 0 };
        let mut inert = q.clone();
        inert.scenario = serde_json::to_value(&s).unwrap();
        assert!(UmaskMode.flaws(&inert).iter().any(|f| f.contains("removes no bit")));
    }

    #[test]
    fn the_follow_up_is_the_other_umask_run() {
        let pins = parse_pins(&UmaskMode, &["ask=mode".into(), "mask=022".into(), "objects=file".into()]).unwrap();
        let q = generate(&UmaskMode, 4, Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        let (Op::Umask { mask: alt }, Op::Open { mode, .. }) = (&s.variants[0].ops[0], &s.variants[0].ops[1]) else { panic!() };
        assert_eq!(s.variants[0].answer, format!("0{:03o}", mode & !alt));
    }

}
