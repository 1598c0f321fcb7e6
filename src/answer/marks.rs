//! An interviewer's marks by hand, for `check --marks FILE`: the marks that override what the
//! grader gave a part or a whole question, with a note saying why.
//!
//! ```text
//! # marks for ada, after the interview
//! 3: 2/5 "right method, arithmetic slip"
//! 5b: 1.5/2.5 sound reasoning, wrong unit
//! ```
//!
//! One mark per line: a label (`3` for a whole question, `5b` for one part), `:`, the points
//! awarded `/` the points the label is worth (so a mark written for another pack, or a slip, is
//! caught), and an optional note, quoted or not. `#` starts a comment. A mark for a whole question
//! replaces the grades of all its parts; a mark for a part replaces that part's. Every error names
//! the line and says how to write it.

use super::sheet::Label;
use crate::error::Error;
use crate::text::echo;

/// One mark by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// What it marks: a question (no part) or one part.
    pub label: Label,
    /// The points awarded.
    pub awarded: f64,
    /// The points the label is worth, as the interviewer wrote them.
    pub out_of: f64,
    /// Why (may be empty).
    pub note: String,
    /// The 1-based line in the marks file.
    pub line: usize,
}

/// A marks file, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// The marks, in file order.
    pub marks: Vec<Mark>,
    /// The file's name, for errors found when the marks meet a pack.
    pub origin: String,
}

fn bad(origin: &str, line: usize, message: String) -> Error {
    Error::Spec {
        at: format!("{origin}:{line}"),
        message,
        hint: "write a mark as `LABEL: POINTS/OUT_OF \"note\"`, e.g. `3: 2/5 \"right method, arithmetic slip\"` or `5b: 1.5/2.5`".into(),
    }
}

fn number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

impl Marks {
    /// Parses a marks file; `origin` names it in errors.
    pub fn parse(src: &str, origin: &str) -> Result<Marks, Error> {
        let mut marks: Vec<Mark> = Vec::new();
        for (i, raw) in src.lines().enumerate() {
            let line = i + 1;
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let Some((label_text, rest)) = t.split_once(':') else {
                return Err(bad(
                    origin,
                    line,
                    format!("`{}` has no `:` after the label", echo(t)),
                ));
            };
            let label = Label::parse(label_text).ok_or_else(|| {
                bad(
                    origin,
                    line,
                    format!(
                        "`{}` is not a question or part label",
                        echo(label_text.trim())
                    ),
                )
            })?;
            let rest = rest.trim();
            let (score, note) = match rest.find(char::is_whitespace) {
                Some(at) => (&rest[..at], rest[at..].trim()),
                None => (rest, ""),
            };
            let Some((awarded, out_of)) = score
                .split_once('/')
                .and_then(|(a, b)| Some((number(a)?, number(b)?)))
            else {
                return Err(bad(
                    origin,
                    line,
                    format!("`{}` is not points out of points", echo(score)),
                ));
            };
            if out_of <= 0.0 || awarded < 0.0 || awarded > out_of {
                return Err(bad(
                    origin,
                    line,
                    format!("{awarded}/{out_of}: the points must lie between 0 and the total"),
                ));
            }
            let note = note
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .unwrap_or(note)
                .to_string();
            if let Some(prev) = marks.iter().find(|m| m.label == label) {
                return Err(bad(
                    origin,
                    line,
                    format!("{label} is marked twice (line {} too)", prev.line),
                ));
            }
            marks.push(Mark {
                label,
                awarded,
                out_of,
                note,
                line,
            });
        }
        Ok(Marks {
            marks,
            origin: origin.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_parse_with_or_without_quotes() {
        let m = Marks::parse(
            "# after the interview\n3: 2/5 \"right method, arithmetic slip\"\n5b: 1.5/2.5 sound reasoning\n6: 0/5\n",
            "m",
        )
        .unwrap();
        assert_eq!(m.marks.len(), 3);
        assert_eq!(m.marks[0].label.to_string(), "3");
        assert_eq!((m.marks[0].awarded, m.marks[0].out_of), (2.0, 5.0));
        assert_eq!(m.marks[0].note, "right method, arithmetic slip");
        assert_eq!(m.marks[1].label.to_string(), "5b");
        assert_eq!(m.marks[1].note, "sound reasoning");
        assert_eq!((m.marks[2].note.as_str(), m.marks[2].line), ("", 4));
    }

    #[test]
    fn bad_marks_name_the_line() {
        for (src, line, what) in [
            ("3 2/5", 1, "no `:`"),
            ("x: 2/5", 1, "not a question or part label"),
            ("\n3: two/5", 2, "not points out of points"),
            ("3: 6/5", 1, "between 0 and the total"),
            ("3: 1/5\n3: 2/5", 2, "marked twice (line 1 too)"),
            ("3: NaN/5", 1, "not points out of points"),
        ] {
            let e = Marks::parse(src, "m").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("m:{line}:")) && e.contains(what),
                "{src}: {e}"
            );
        }
    }
}
