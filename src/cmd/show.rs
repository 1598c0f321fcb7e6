//! `groundwork show`: regenerate one question from its code, or from a family id with a seed,
//! difficulty and pinned parameters; print it with its answer (text) or its full record (JSON).

use super::Output;
use crate::answer::letter;
use crate::cli::{ListFormat, ShowArgs};
use crate::content::{plain_spans, spans};
use crate::error::Error;
use crate::family::{self, Difficulty, Question};
use crate::seed::MAX_QUESTION_SEED;

/// Runs `show`.
pub fn run(a: ShowArgs) -> Result<Output, Error> {
    let q = question(&a)?;
    let stdout = match a.format {
        ListFormat::Json => {
            let mut s = if a.paper {
                let paper = crate::export::view::PaperView::of(&crate::pack::Pack {
                    schema_version: crate::pack::SCHEMA_VERSION,
                    meta: crate::pack::PackMeta {
                        title: q.title.clone(),
                        code: String::new(),
                        sealed: false,
                        seed: q.seed,
                        duration: String::new(),
                        instructions: String::new(),
                        total_points: q.points,
                        minutes: q.minutes as u32,
                        generator: format!("groundwork {}", env!("CARGO_PKG_VERSION")),
                        candidate: String::new(),
                    },
                    questions: vec![q],
                });
                serde_json::to_string_pretty(&paper.questions[0])
            } else {
                serde_json::to_string_pretty(&q)
            }
            .map_err(|e| Error::Render {
                what: "question".into(),
                message: e.to_string(),
            })?;
            s.push('\n');
            s
        }
        ListFormat::Text => text(&q, a.paper),
    };
    Ok(Output::ok(stdout))
}

/// Generates (and cross-checks) the question the arguments name.
pub fn question(a: &ShowArgs) -> Result<Question, Error> {
    let looks_like_id = a.target.contains('.');
    let (fam, seed, difficulty, pins, seal) = if looks_like_id {
        let fam = family::lookup(&a.target)?;
        let seed = a.seed.unwrap_or(1);
        if seed > MAX_QUESTION_SEED {
            return Err(Error::Usage {
                message: format!("--seed {seed} is too large"),
                hint: format!("question seeds take 0..={MAX_QUESTION_SEED}"),
            });
        }
        let difficulty = a
            .difficulty
            .as_deref()
            .map(Difficulty::parse)
            .transpose()?
            .unwrap_or_default();
        let pins = family::parse_pins(fam, &a.set)?;
        (fam, seed, difficulty, pins, a.seal.seal()?)
    } else {
        if a.seed.is_some() || a.difficulty.is_some() || !a.set.is_empty() {
            return Err(Error::Usage {
                message: "--seed, --difficulty and --set go with a family id, not a question code"
                    .into(),
                hint: "a code already fixes them; to vary the question, use its family id instead"
                    .into(),
            });
        }
        let (code, fam) =
            crate::code::decode(&a.target, &family::FAMILIES).map_err(|e| match e {
                Error::BadCode {
                    code,
                    message,
                    hint,
                } if !a.target.contains('-') && a.target.len() < 15 => Error::BadCode {
                    code,
                    message,
                    hint: format!("{hint}; or give a family id such as hashing.birthday"),
                },
                e => e,
            })?;
        // The secret is read (and a typed one stretched) only for a sealed code.
        let seal = match code.verifier {
            Some(_) => a.seal.seal()?,
            None => None,
        };
        let seal = match (code.verifier, seal) {
            (None, _) => None,
            (Some(v), Some(seal)) if v == seal.question_verifier(fam.id(), code.seed) => Some(seal),
            (Some(_), Some(_)) => return Err(wrong_secret(&a.target)),
            (Some(_), None) => return Err(sealed_error(&a.target)),
        };
        (fam, code.seed, code.difficulty, code.pins, seal)
    };
    let q = crate::pack::question(fam, seed, difficulty, &pins, seal.as_ref())?;
    family::cross_check_sealed(fam, &q, seal.as_ref()).map_err(|e| Error::CrossCheck {
        at: q.code.clone(),
        message: e.to_string(),
    })?;
    Ok(q)
}

/// The error for a sealed code given without a secret.
pub fn sealed_error(code: &str) -> Error {
    Error::Usage {
        message: format!("{} belongs to a sealed pack, and regenerating it needs the pack's secret", crate::text::echo(code.trim())),
        hint: "pass --secret-file FILE, --secret TEXT or set GROUNDWORK_SECRET (ask whoever generated the pack)".into(),
    }
}

/// The error for a sealed code given with a secret whose verifier does not match.
pub fn wrong_secret(code: &str) -> Error {
    Error::Usage {
        message: format!(
            "{}: this code was sealed with a different secret",
            crate::text::echo(code.trim())
        ),
        hint: format!(
            "use the key file or secret the pack was generated with (check --secret-file, --secret and {})",
            crate::seal::SECRET_ENV
        ),
    }
}

/// The terminal rendering of a question.
pub fn text(q: &Question, paper_only: bool) -> String {
    let mut s = format!(
        "{}  ·  {} (v{})  ·  {}  ·  {}\n",
        q.code, q.family, q.version, q.difficulty, q.title
    );
    if !paper_only {
        let params: Vec<String> = q.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        s.push_str(&format!("parameters: {}\n", params.join(", ")));
        if !q.tags.is_empty() {
            s.push_str(&format!("skills: {}\n", q.tags.join(", ")));
        }
    }
    if q.minutes > 0 || q.needs_computer {
        let mut facts = Vec::new();
        if q.minutes > 0 {
            facts.push(format!("about {} min for a strong candidate", q.minutes));
        }
        if q.needs_computer {
            facts.push("needs a computer".to_string());
        }
        s.push_str(&format!("{}\n", facts.join(" · ")));
    }
    s.push('\n');
    s.push_str(&q.prompt.plain_text());
    for slot in &q.slots {
        s.push('\n');
        let label = if slot.label.is_empty() {
            String::new()
        } else {
            format!("({}) ", slot.label)
        };
        let line = format!(
            "{label}{} [{}]\n",
            plain_spans(&spans(&slot.ask)),
            slot.describe()
        );
        s.push_str(line.trim_start());
        if let Some(options) = slot.expected.options() {
            for (i, o) in options.iter().enumerate() {
                s.push_str(&format!(
                    "   {}. {}\n",
                    letter(i),
                    plain_spans(&spans(&o.text))
                ));
            }
        }
        if !paper_only {
            s.push_str(&format!("   answer: {}\n", slot.expected.reference()));
            if let Some(range) = slot.accepted_text() {
                s.push_str(&format!("   accepted: {range}\n"));
            }
            if let Some(h) = &slot.hand {
                s.push_str(&format!(
                    "   by hand: {} gives {}\n",
                    plain_spans(&spans(&h.method)),
                    crate::answer::trim_float(h.value)
                ));
            }
        }
    }
    if !paper_only {
        s.push_str("\nWorked solution\n---------------\n");
        s.push_str(&q.solution.plain_text());
        if !q.followups.is_empty() {
            s.push_str("\nFollow-ups for the interviewer\n------------------------------\n");
            for (i, f) in q.followups.iter().enumerate() {
                s.push_str(&format!("{}. {}\n", i + 1, plain_spans(&spans(&f.ask))));
                s.push_str(&format!(
                    "   expected: {}\n",
                    plain_spans(&spans(&f.answer))
                ));
                for p in &f.points {
                    s.push_str(&format!("   - {}\n", plain_spans(&spans(p))));
                }
            }
        }
        s.push_str("\nEvidence\n--------\n");
        s.push_str(&q.evidence.plain_text());
    }
    s
}
