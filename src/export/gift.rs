//! `pack.gift`: the pack in Moodle's GIFT text format.
//!
//! Each question is under `$CATEGORY: $course$/top/groundwork/<family id>`. GIFT has one answer
//! block per question, so a multi-part question becomes one GIFT question per part, each named
//! `Q3 (a)` and carrying the full prompt. Integers and reals are numerical (`{#value:tolerance}`,
//! the tolerance as an absolute half-width), choices are `{=right ~wrong#why}`, multiple choice
//! uses right-minus-wrong weights (`~%50%…`, `~%-50%…`), and text answers list every accepted
//! spelling (`{=a =b}`). Question text is HTML (`[html]`) from the same macros as the HTML pack,
//! with GIFT's special characters escaped and newlines kept as `&#10;` so a code block cannot
//! end the question early.

use super::lms::{
    by_family, category, html_blocks as html, html_inline as inline, num, spellings, weight,
};
use super::{Exporter, Templates, View};
use crate::answer::Expected;
use crate::error::Error;
use crate::family::Question;
use crate::pack::Pack;
use std::fmt::Write;

/// The GIFT exporter.
pub struct Gift;

/// Escapes GIFT's special characters and keeps everything on one line.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("&\\#10;"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// The answer block for one slot.
fn answers(e: &Expected, t: &Templates) -> Result<String, Error> {
    Ok(match e {
        Expected::Integer { value } => format!("{{#{value}}}"),
        Expected::Real { value, tolerance } => {
            let w = tolerance.window(*value);
            format!("{{#{}:{}}}", num(w.centre()), num(w.half_width()))
        }
        Expected::Choice { options, correct } => {
            let mut s = String::from("{\n");
            for (i, o) in options.iter().enumerate() {
                let text = esc(&inline(t, &o.text)?);
                if i == *correct {
                    let _ = writeln!(s, "  ={text}");
                } else {
                    let why = inline(t, o.why_wrong.as_deref().unwrap_or(""))?;
                    let _ = writeln!(s, "  ~{text}#{}", esc(&why));
                }
            }
            s.push('}');
            s
        }
        Expected::Multi {
            options,
            correct,
            rule,
        } => {
            let mut s = String::from("{\n");
            for (i, o) in options.iter().enumerate() {
                let w = weight(correct.contains(&i), correct.len(), *rule);
                let _ = write!(s, "  ~%{w}%{}", esc(&inline(t, &o.text)?));
                if let Some(why) = &o.why_wrong {
                    let _ = write!(s, "#{}", esc(&inline(t, why)?));
                }
                s.push('\n');
            }
            s.push('}');
            s
        }
        other => {
            let alts = spellings(other);
            format!(
                "{{{}}}",
                alts.iter()
                    .map(|a| format!("={}", esc(a)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    })
}

fn question(out: &mut String, number: usize, q: &Question, t: &Templates) -> Result<(), Error> {
    let prompt = html(t, &q.prompt)?;
    let many = q.slots.len() > 1;
    for s in &q.slots {
        let label = if many {
            format!("Q{number} ({})", s.label)
        } else {
            format!("Q{number}")
        };
        let _ = writeln!(out, "// {} · {} · {}", q.code, q.family, q.difficulty);
        let mut text = prompt.clone();
        if !s.ask.is_empty() {
            let _ = write!(
                text,
                "<p>{}{}</p>",
                if many {
                    format!("({}) ", s.label)
                } else {
                    String::new()
                },
                inline(t, &s.ask)?
            );
        }
        let _ = writeln!(
            out,
            "::{} · {} · {}::[html]{}",
            esc(&label),
            esc(&q.title),
            esc(&q.code),
            esc(&text)
        );
        let _ = writeln!(out, "{}\n", answers(&s.expected, t)?);
    }
    Ok(())
}

/// GIFT for `packs` (one pack, or a batch of variants), one category per family.
pub fn render_packs(packs: &[&Pack], t: &Templates) -> Result<String, Error> {
    let mut out = String::from(
        "// groundwork questions in GIFT format: import into a Moodle question bank.\n\n",
    );
    for (family, qs) in by_family(packs) {
        let _ = writeln!(out, "$CATEGORY: {}\n", category(family));
        for (n, q) in qs {
            question(&mut out, n, q, t)?;
        }
    }
    Ok(out)
}

/// One pack's questions for a combined batch file, each under its family's `$CATEGORY`.
pub fn render_fragment(pack: &Pack, t: &Templates) -> Result<String, Error> {
    let mut out = String::new();
    for (i, q) in pack.questions.iter().enumerate() {
        let _ = writeln!(out, "$CATEGORY: {}\n", category(&q.family));
        question(&mut out, i + 1, q, t)?;
    }
    Ok(out)
}

impl Exporter for Gift {
    fn id(&self) -> &'static str {
        "gift"
    }
    fn files(&self) -> &'static [(&'static str, View)] {
        &[("pack.gift", View::Key)]
    }
    fn render(&self, pack: &Pack, _view: View, t: &Templates) -> Result<Vec<u8>, Error> {
        Ok(render_packs(&[pack], t)?.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_are_escaped_and_lines_joined() {
        assert_eq!(
            esc("a=b {c} #1 ~x: \\ \nnext"),
            "a\\=b \\{c\\} \\#1 \\~x\\: \\\\ &\\#10;next"
        );
    }
}
