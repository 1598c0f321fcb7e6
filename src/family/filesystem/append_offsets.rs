//! `filesystem.append_offsets`: two descriptors on one file, writing in turn. Who overwrites whom
//! depends on whether they share an open file description (`dup`) or not (a second `open`), and on
//! `O_APPEND`.
//!
//! **Asked**: the final content of the file (exact text).
//!
//! **Setups** (`setup`): `dup` (fd2 = dup(fd): one shared offset); `append` (two opens, both
//! `O_APPEND`: every write lands at the end); `two_opens` (two opens without `O_APPEND`: separate
//! offsets that overwrite each other); `mixed` (one with `O_APPEND`, one without). Easy draws
//! `dup` or `append`; medium `two_opens`, `dup` or `mixed`; hard `two_opens` or `mixed`.
//! `writes`: easy 3, medium 4, hard 4–5, alternating mostly, with distinct letters per write.
//!
//! **Key.** The operation list executed with real syscalls; the file is read back from disk.
//!
//! **Second route.** The in-memory POSIX model (shared vs separate open file descriptions, append
//! semantics), compared call by call and on the final content.
//!
//! **Pitfalls**: assuming every descriptor appends; assuming two opens share an offset.

use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::filesystem::fsops::{self, Flag, Op};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct AppendOffsets;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "setup",
        help: "dup, append, two_opens or mixed (how the second descriptor is made)",
        kind: ParamKind::Choice {
            options: &["dup", "append", "two_opens", "mixed"],
            draw: [&["dup", "append"], &["two_opens", "dup", "mixed"], &["two_opens", "mixed"]],
        },
    },
    ParamSpec {
        key: "writes",
        help: "number of writes",
        kind: ParamKind::Int {
            min: 2,
            max: 8,
            draw: [(3, 3), (4, 4), (4, 5)],
        },
    },
];

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ops: Vec<Op>,
}

const FILE: &str = "app.log";

impl Family for AppendOffsets {
    fn id(&self) -> &'static str {
        "filesystem.append_offsets"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Two descriptors, one file: offsets and O_APPEND"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `writes` is the number of write calls listed in the code.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["writes"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let setup = cx.pick("setup");
        let writes = cx.int("writes") as usize;
        let rng = cx.rng();
        let open = |fd, append: bool, first: bool| {
            let mut flags = vec![Flag::Wronly];
            if first {
                flags.extend([Flag::Creat, Flag::Trunc]);
            }
            if append {
                flags.push(Flag::Append);
            }
            Op::Open {
                fd,
                path: FILE.into(),
                flags,
                mode: 0o644,
            }
        };
        let mut ops = match setup {
            "dup" => vec![open(0, false, true), Op::Dup { fd: 0, new: 1 }],
            "append" => vec![open(0, true, true), open(1, true, false)],
            "two_opens" => vec![open(0, false, true), open(1, false, false)],
            _ => {
                let first_appends = rng.random_bool(0.5);
                vec![open(0, first_appends, true), open(1, !first_appends, false)]
            }
        };
        let mut letter = rng.random_range(0..6u8);
        let mut who = 0;
        for i in 0..writes {
            // Alternate, with an occasional second write from the same descriptor.
            if i > 0 && !(i > 1 && rng.random_bool(0.25)) {
                who = 1 - who;
            }
            let len = rng.random_range(2..=4);
            let c = (b'A' + letter) as char;
            letter = (letter + 1) % 26;
            let data: String = std::iter::repeat_n(if who == 0 { c } else { c.to_ascii_lowercase() }, len).collect();
            ops.push(Op::Write { fd: who, data });
        }
        ops.push(Op::Close { fd: 0 });
        ops.push(Op::Close { fd: 1 });
        let (real, contents) = fsops::run_real(&ops, &[FILE]).map_err(GenError::Run)?;
        let Some(content) = contents.get(FILE) else {
            return Err(GenError::Run("the file was not there after the run".into()));
        };
        let text = fsops::show_bytes(content);
        // The solution's table: each write's offset before and after, from the model.
        let mut model = fsops::Model::default();
        let mut rows = Vec::new();
        for op in &ops {
            if let Op::Write { fd, data } = op {
                let before = model.offset(*fd).unwrap_or(0);
                let size = model.size(*fd).unwrap_or(0);
                model.apply(op);
                let after = model.offset(*fd).unwrap_or(0);
                let at = after - data.len() as u64;
                rows.push(vec![
                    format!("`{}`", fsops::render_op(op)),
                    before.to_string(),
                    size.to_string(),
                    format!("[{at}, {after})"),
                    fsops::show_bytes(&model.content(FILE).unwrap_or_default()),
                ]);
            } else {
                model.apply(op);
            }
        }
        let prompt = Content::new()
            .p("Two parts of a service write to the same log file (`app.log` does not exist beforehand; every call succeeds):")
            .code("c", fsops::render_c(&ops))
            .p("What does `app.log` contain at the end? Write it as one string, exactly.");
        let explain = match setup {
            "dup" => "`dup` makes a second descriptor for the *same* open file description, so both share one offset: the writes follow each other.",
            "append" => "Both descriptors have `O_APPEND`: before each write the kernel moves that descriptor's offset to the end of the file, so every write lands at the end.",
            "two_opens" => "Each `open` creates its own open file description with its own offset, starting at 0. Without `O_APPEND`, each descriptor writes at its own offset and overwrites what the other wrote.",
            _ => "Each `open` has its own offset. The `O_APPEND` descriptor always writes at the current end of the file; the other writes at its own offset, overwriting whatever is there.",
        };
        let solution = Content::new()
            .p(explain)
            .table(["write", "offset before", "size before", "bytes written", "file after"], rows)
            .p(format!("The file ends as **`{text}`** ({} bytes).", content.len()));
        let evidence = Content::new()
            .p("Executed with real syscalls (rustix) in a private scratch directory on Linux, then read back:")
            .table(
                ["call", "returned"],
                fsops::trace_rows(&ops, &real),
            )
            .p(format!("`app.log` afterwards: `{text}`."));
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new(
                "the content of `app.log`",
                Expected::Text {
                    value: text,
                    normalisation: Normalisation::Exact,
                    accepted: vec![],
                },
            )],
            solution,
            evidence,
        )
        .with_scenario(&Scenario { ops }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let real = fsops::run_real(&s.ops, &[FILE]).map_err(CheckError)?;
        let model = fsops::run_model(&s.ops, &[FILE]);
        fsops::compare(&s.ops, &real, &model).map_err(CheckError)?;
        let Expected::Text { value, .. } = q.expected(0)? else {
            return Err(CheckError("slot 0 must be text".into()));
        };
        let content = model.1.get(FILE).cloned().unwrap_or_default();
        CheckError::expect_eq("content (model)", value.clone(), fsops::show_bytes(&content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&AppendOffsets, 0..30).unwrap();
    }

    #[test]
    fn hand_traced_cases() {
        let open = |fd, flags: Vec<Flag>| Op::Open { fd, path: FILE.into(), flags, mode: 0o644 };
        let w = |fd, s: &str| Op::Write { fd, data: s.into() };
        // Two plain opens: "AAAA" at 0, then "bb" at fd2's offset 0 → "bbAA".
        let ops = vec![
            open(0, vec![Flag::Wronly, Flag::Creat]),
            open(1, vec![Flag::Wronly]),
            w(0, "AAAA"),
            w(1, "bb"),
        ];
        let (_, c) = fsops::run_real(&ops, &[FILE]).unwrap();
        assert_eq!(c[FILE], b"bbAA");
        // Second descriptor with O_APPEND: "AAAA" then "bb" at the end → "AAAAbb"; then fd writes
        // "C" at its own offset 4 → "AAAACb".
        let ops = vec![
            open(0, vec![Flag::Wronly, Flag::Creat]),
            open(1, vec![Flag::Wronly, Flag::Append]),
            w(0, "AAAA"),
            w(1, "bb"),
            w(0, "C"),
        ];
        let (_, c) = fsops::run_real(&ops, &[FILE]).unwrap();
        assert_eq!(c[FILE], b"AAAACb");
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&AppendOffsets, &["setup=dup".into(), "writes=6".into()]).unwrap();
        let q = generate(&AppendOffsets, 1, Difficulty::Hard, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert!(s.ops.iter().any(|o| matches!(o, Op::Dup { .. })));
        assert_eq!(s.ops.iter().filter(|o| matches!(o, Op::Write { .. })).count(), 6);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&AppendOffsets, 2, Difficulty::Medium, &Default::default()).unwrap();
        crate::family::cross_check(&AppendOffsets, &q).unwrap();
        if let Expected::Text { value, .. } = &mut q.slots[0].expected {
            value.push('x');
        }
        assert!(crate::family::cross_check(&AppendOffsets, &q).is_err());
    }
}
