//! `groundwork check`: grade an answers file against a pack (a pack.json, or a pack code from the
//! paper, from which the pack is regenerated), and `groundwork answers`: print the reference
//! answers in the answers-file format.

use super::Output;
use crate::answer::sheet::AnswerSheet;
use crate::cli::{AnswersArgs, CheckArgs, ReportFormat, SealArgs};
use crate::error::Error;
use crate::pack::{Pack, SCHEMA_VERSION};
use crate::report;
use std::path::Path;

/// Runs `check`. Exit code 0 when every part is correct, 1 otherwise.
pub fn run(a: CheckArgs) -> Result<Output, Error> {
    let pack = load_pack(&a.pack, &a.seal)?;
    let (src, origin) = if a.answers.as_os_str() == "-" {
        (
            crate::input::read_stdin("standard input")?,
            "<stdin>".to_string(),
        )
    } else {
        (
            crate::input::read_text(&a.answers, "the answers file")?,
            a.answers.display().to_string(),
        )
    };
    let sheet = AnswerSheet::parse(&src, &origin)?;
    let r = report::grade_pack(&pack, &sheet)?;
    let stdout = match a.format {
        ReportFormat::Text => report::text(&r),
        ReportFormat::Json => report::json(&r)?,
        ReportFormat::Html => report::html(&r, &crate::export::Templates::embedded())?,
    };
    Ok(Output {
        stdout,
        code: if r.all_correct() { 0 } else { 1 },
    })
}

/// Runs `answers`.
pub fn run_answers(a: AnswersArgs) -> Result<Output, Error> {
    let pack = load_pack(&a.pack, &a.seal)?;
    Ok(Output::ok(answers_file(&pack)))
}

/// The reference answers of a pack as an answers file.
pub fn answers_file(pack: &Pack) -> String {
    let mut s = format!(
        "# {} · pack {} · reference answers\n",
        pack.meta.title, pack.meta.code
    );
    for (i, q) in pack.questions.iter().enumerate() {
        for slot in &q.slots {
            s.push_str(&format!(
                "{}{}: {}\n",
                i + 1,
                slot.label,
                slot.expected.reference()
            ));
        }
    }
    s
}

/// Loads a pack from a `pack.json` path, or regenerates it from a pack code.
pub fn load_pack(target: &str, seal: &SealArgs) -> Result<Pack, Error> {
    let path = Path::new(target);
    if path.exists() {
        return read_pack_json(path);
    }
    let looks_like_path = target.contains('/')
        || target.contains('\\')
        || target.to_ascii_lowercase().ends_with(".json");
    let code = match crate::code::decode_pack(target, &crate::family::FAMILIES) {
        Ok(code) => code,
        Err(_) if looks_like_path => {
            return Err(Error::io(
                "reading",
                path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        Err(e) => return Err(e),
    };
    let seal = if code.sealed() {
        let Some(seal) = seal.seal()? else {
            return Err(Error::Usage {
                message: format!("pack {} is sealed: regenerating it needs the pack's secret", crate::text::echo(target.trim())),
                hint: "pass --secret-file FILE, --secret TEXT or set GROUNDWORK_SECRET; or check against the pack.json".into(),
            });
        };
        if code.verifier != Some(seal.verifier(code.spec.seed)) {
            return Err(super::show::wrong_secret(target));
        }
        Some(seal)
    } else {
        None
    };
    let mut spec = code.spec;
    spec.title = format!("Pack {}", target.trim().to_ascii_uppercase());
    crate::pack::build(&spec, seal.as_ref())
}

fn read_pack_json(path: &Path) -> Result<Pack, Error> {
    let src = crate::input::read_text(path, "the pack")?;
    let value: serde_json::Value = serde_json::from_str(&src).map_err(|e| Error::Spec {
        at: format!("{}:{}:{}", path.display(), e.line(), e.column()),
        message: format!("the pack does not parse as JSON: {e}"),
        hint: "give the pack.json that `groundwork generate` wrote, or the pack code".into(),
    })?;
    let version = value.get("schema_version").and_then(|v| v.as_u64());
    if version != Some(SCHEMA_VERSION as u64) {
        return Err(Error::Spec {
            at: path.display().to_string(),
            message: match version {
                Some(v) => format!(
                    "the pack has schema version {v}, and this build reads {SCHEMA_VERSION}"
                ),
                None => "it is not a groundwork pack (no schema_version)".into(),
            },
            hint: "give the pack.json that `groundwork generate` wrote, or the pack code".into(),
        });
    }
    serde_json::from_value(value).map_err(|e| Error::Spec {
        at: path.display().to_string(),
        message: format!("the pack is malformed: {e}"),
        hint: "regenerate it with `groundwork generate`, or check by pack code".into(),
    })
}
