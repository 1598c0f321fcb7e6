//! `moodle.xml`: the pack as Moodle XML, for importing into a Moodle question bank.
//!
//! Each question goes into a category per family (`$course$/top/groundwork/<family id>`), so a
//! batch of variants lands as one pool per family that a random-question slot can draw from.
//! A one-slot question becomes `numerical` (an integer, or a real with its tolerance as
//! Moodle's absolute tolerance), `multichoice` (single, or multiple with the
//! right-minus-wrong rule as fractions), or `shortanswer` (text, hex, sequences; equivalent
//! spellings as further 100% answers). A multi-part question becomes `cloze`, with one embedded
//! NUMERICAL, SHORTANSWER, MULTICHOICE or MULTIRESPONSE answer per part. The worked solution is
//! the general feedback; each distractor's misconception is its answer feedback. Question text is
//! HTML rendered by the same macros as the HTML pack, in CDATA.

use super::lms::{by_family, category, html_blocks, html_inline, num, spellings, weight};
use super::{Exporter, Templates, View};
use crate::answer::{letter, Expected, Normalisation};
use crate::content::plain_markup;
use crate::error::Error;
use crate::family::Question;
use crate::pack::Pack;
use std::fmt::Write;

/// The Moodle XML exporter.
pub struct Moodle;

/// Text safe in an XML element (outside CDATA).
pub(crate) fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `s` as CDATA, splitting any `]]>` inside it.
fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// Escapes text inside a cloze answer: `}`, `#`, `~`, `/`, `"` and `\` are special there.
fn cloze_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '}' | '#' | '~' | '/' | '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The embedded cloze answer for one part.
fn cloze_part(e: &Expected, points: u32) -> String {
    match e {
        Expected::Integer { value } => format!("{{{points}:NUMERICAL:={value}:0}}"),
        Expected::Real { value, tolerance } => {
            let w = tolerance.window(*value);
            format!(
                "{{{points}:NUMERICAL:={}:{}}}",
                num(w.centre()),
                num(w.half_width())
            )
        }
        Expected::Choice { options, correct } => {
            let opts: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let t = cloze_text(&format!("{}. {}", letter(i), plain_markup(&o.text)));
                    if i == *correct {
                        format!("={t}")
                    } else {
                        let why = plain_markup(o.why_wrong.as_deref().unwrap_or(""));
                        format!("{t}#{}", cloze_text(&why))
                    }
                })
                .collect();
            format!("{{{points}:MULTICHOICE:{}}}", opts.join("~"))
        }
        Expected::Multi {
            options,
            correct,
            rule,
        } => {
            let opts: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let w = weight(correct.contains(&i), correct.len(), *rule);
                    format!("%{w}%{}", cloze_text(&format!("{}. {}", letter(i), o.text)))
                })
                .collect();
            format!("{{{points}:MULTIRESPONSE:{}}}", opts.join("~"))
        }
        other => {
            let alts: Vec<String> = spellings(other)
                .iter()
                .map(|s| format!("={}", cloze_text(s)))
                .collect();
            format!("{{{points}:SHORTANSWER:{}}}", alts.join("~"))
        }
    }
}

fn question_xml(out: &mut String, number: usize, q: &Question, t: &Templates) -> Result<(), Error> {
    let name = format!("Q{number} · {} · {}", q.title, q.code);
    let prompt = html_blocks(t, &q.prompt)?;
    let feedback = html_blocks(t, &q.solution)?;
    let head = |out: &mut String, kind: &str, text: &str| {
        let _ = write!(
            out,
            "  <question type=\"{kind}\">\n    <name><text>{}</text></name>\n    <questiontext format=\"html\"><text>{}</text></questiontext>\n    <generalfeedback format=\"html\"><text>{}</text></generalfeedback>\n    <defaultgrade>{}</defaultgrade>\n    <penalty>0</penalty>\n    <hidden>0</hidden>\n    <idnumber>{}</idnumber>\n",
            xml(&name),
            cdata(text),
            cdata(&feedback),
            q.points,
            xml(&q.code)
        );
    };
    if q.slots.len() > 1 {
        // Cloze: the prompt, then one line per part with its embedded answer.
        let mut text = prompt;
        let per = (q.points as usize / q.slots.len()).max(1) as u32;
        for s in &q.slots {
            let _ = write!(
                text,
                "\n<p>({}) {} {}</p>",
                xml(&s.label),
                html_inline(t, &s.ask)?,
                cloze_part(&s.expected, per)
            );
        }
        head(out, "cloze", &text);
        out.push_str("  </question>\n");
        return Ok(());
    }
    let slot = &q.slots[0];
    let mut text = prompt;
    if !slot.ask.is_empty() {
        let _ = write!(text, "\n<p>{}</p>", html_inline(t, &slot.ask)?);
    }
    match &slot.expected {
        Expected::Integer { .. } | Expected::Real { .. } => {
            head(out, "numerical", &text);
            let (value, tol) = match &slot.expected {
                Expected::Integer { value } => (*value as f64, 0.0),
                Expected::Real { value, tolerance } => {
                    let w = tolerance.window(*value);
                    (w.centre(), w.half_width())
                }
                _ => unreachable!(),
            };
            let _ = writeln!(
                out,
                "    <answer fraction=\"100\"><text>{}</text><tolerance>{}</tolerance><feedback format=\"html\"><text></text></feedback></answer>",
                num(value),
                num(tol)
            );
        }
        Expected::Choice { .. } | Expected::Multi { .. } => {
            head(out, "multichoice", &text);
            let (options, fraction): (_, Box<dyn Fn(usize) -> String>) = match &slot.expected {
                Expected::Choice { options, correct } => (
                    options,
                    Box::new(move |i| if i == *correct { "100" } else { "0" }.to_string()),
                ),
                Expected::Multi {
                    options,
                    correct,
                    rule,
                } => (
                    options,
                    Box::new(move |i| weight(correct.contains(&i), correct.len(), *rule)),
                ),
                _ => unreachable!("matched above"),
            };
            let single = matches!(slot.expected, Expected::Choice { .. });
            let _ = writeln!(out, "    <single>{single}</single>\n    <shuffleanswers>0</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>");
            for (i, o) in options.iter().enumerate() {
                let fb = o
                    .why_wrong
                    .as_deref()
                    .map(|w| html_inline(t, w))
                    .transpose()?
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    <answer fraction=\"{}\" format=\"html\"><text>{}</text><feedback format=\"html\"><text>{}</text></feedback></answer>",
                    fraction(i),
                    cdata(&html_inline(t, &o.text)?),
                    cdata(&fb)
                );
            }
        }
        other => {
            head(out, "shortanswer", &text);
            let exact = matches!(
                other,
                Expected::Text {
                    normalisation: Normalisation::Exact,
                    ..
                }
            );
            let _ = writeln!(out, "    <usecase>{}</usecase>", u8::from(exact));
            for s in spellings(other) {
                let _ = writeln!(
                    out,
                    "    <answer fraction=\"100\" format=\"plain_text\"><text>{}</text><feedback format=\"html\"><text></text></feedback></answer>",
                    xml(&s)
                );
            }
        }
    }
    out.push_str("  </question>\n");
    Ok(())
}

/// The Moodle XML for `packs` (one pack, or a batch of variants): questions grouped into one
/// category per family, in family order, then in pack order.
pub fn render_packs(packs: &[&Pack], t: &Templates) -> Result<String, Error> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    for (family, qs) in by_family(packs) {
        let _ = write!(
            out,
            "  <question type=\"category\">\n    <category><text>{}</text></category>\n  </question>\n",
            xml(&category(family))
        );
        for (n, q) in qs {
            question_xml(&mut out, n, q, t)?;
        }
    }
    out.push_str("</quiz>\n");
    Ok(out)
}

/// One pack's questions for a combined batch file: each preceded by its family's category (Moodle
/// files the questions that follow a category question into it), without the XML header.
pub fn render_fragment(pack: &Pack, t: &Templates) -> Result<String, Error> {
    let mut out = String::new();
    for (i, q) in pack.questions.iter().enumerate() {
        let _ = write!(
            out,
            "  <question type=\"category\">\n    <category><text>{}</text></category>\n  </question>\n",
            xml(&category(&q.family))
        );
        question_xml(&mut out, i + 1, q, t)?;
    }
    Ok(out)
}

impl Exporter for Moodle {
    fn id(&self) -> &'static str {
        "moodle"
    }
    fn files(&self) -> &'static [(&'static str, View)] {
        &[("moodle.xml", View::Key)]
    }
    fn render(&self, pack: &Pack, _view: View, t: &Templates) -> Result<Vec<u8>, Error> {
        Ok(render_packs(&[pack], t)?.into_bytes())
    }
}
