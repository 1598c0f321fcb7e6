//! Answers files: what a candidate hands in, and what `groundwork answers` prints.
//!
//! Plain text, one answer per line, labelled as the paper numbers them:
//!
//! ```text
//! # comments and blank lines are ignored
//! 1: 0.42
//! 2b: ENOTEMPTY
//! 3: A,C
//! ```
//!
//! A label is the question number, plus the part letter for multi-part questions (`2b`, also
//! written `2 b`, `2(b)`, `2.b` or `Q2b`). The same answers can come as JSON: an object from label
//! to answer (a string, a number, or an array of strings joined with commas), optionally wrapped
//! as `{"answers": {...}}`.
//!
//! Parsing is separate from checking labels against a pack ([`AnswerSheet::resolve`]), so both
//! steps report the line and what to write instead.

use crate::error::Error;
use std::collections::BTreeMap;

/// A slot label: question number (from 1) and part index (0 for a single-part question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    /// The question number as printed, from 1.
    pub question: usize,
    /// The part letter, if written.
    pub part: Option<char>,
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.part {
            Some(p) => write!(f, "{}{p}", self.question),
            None => write!(f, "{}", self.question),
        }
    }
}

impl Label {
    /// Parses `2b`, `2 b`, `2(b)`, `2.b`, `Q2b`, `2B`.
    pub fn parse(raw: &str) -> Option<Label> {
        let t = raw.trim();
        let t = t
            .strip_prefix('Q')
            .or_else(|| t.strip_prefix('q'))
            .unwrap_or(t);
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() || digits.len() > 4 {
            return None;
        }
        let question: usize = digits.parse().ok()?;
        let rest: String = t[digits.len()..]
            .chars()
            .filter(|c| !matches!(c, ' ' | '(' | ')' | '.'))
            .collect();
        let part = match rest.len() {
            0 => None,
            1 => {
                let c = rest.chars().next()?.to_ascii_lowercase();
                if !c.is_ascii_lowercase() {
                    return None;
                }
                Some(c)
            }
            _ => return None,
        };
        Some(Label { question, part })
    }
}

/// One answer with the line it came from (for error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The answer text as written.
    pub answer: String,
    /// 1-based line in the file (0 for JSON).
    pub line: usize,
}

/// A parsed answers file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerSheet {
    /// The answers by label.
    pub entries: BTreeMap<Label, Entry>,
    /// Where they came from, for messages.
    pub origin: String,
}

fn spec_err(at: String, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::Spec {
        at,
        message: message.into(),
        hint: hint.into(),
    }
}

const LINE_HINT: &str =
    "write one answer per line as `LABEL: ANSWER`, e.g. `1: 0.42` or `2b: ENOTEMPTY`";

impl AnswerSheet {
    /// Parses an answers file, as JSON when it starts with `{`, else as text.
    pub fn parse(src: &str, origin: &str) -> Result<AnswerSheet, Error> {
        if src.trim_start().starts_with('{') {
            Self::parse_json(src, origin)
        } else {
            Self::parse_text(src, origin)
        }
    }

    /// Parses the text form.
    pub fn parse_text(src: &str, origin: &str) -> Result<AnswerSheet, Error> {
        let mut sheet = AnswerSheet {
            origin: origin.to_string(),
            ..Default::default()
        };
        for (i, line) in src.lines().enumerate() {
            let n = i + 1;
            let at = format!("{origin}:{n}");
            let t = line.trim().trim_start_matches('\u{feff}');
            if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
                continue;
            }
            let Some((label, answer)) = t.split_once(':') else {
                return Err(spec_err(
                    at,
                    format!("`{}` has no `:` between label and answer", shorten(t)),
                    LINE_HINT,
                ));
            };
            let Some(label) = Label::parse(label) else {
                return Err(spec_err(
                    at,
                    format!("`{}` is not a question label", shorten(label.trim())),
                    "a label is the question number, with the part letter for multi-part questions: `3`, `2b`",
                ));
            };
            sheet.insert(label, answer.trim().to_string(), n, at)?;
        }
        Ok(sheet)
    }

    /// Parses the JSON form. A label written twice is an error, as in the text form: JSON
    /// parsers usually keep the last, which would grade an answer the candidate did not mean.
    pub fn parse_json(src: &str, origin: &str) -> Result<AnswerSheet, Error> {
        let value = serde_json::from_str::<Strict>(src)
            .map_err(|e| {
                let at = format!("{origin}:{}:{}", e.line(), e.column());
                if e.classify() == serde_json::error::Category::Data {
                    // Our own error: a repeated key. Drop serde's " at line … column …".
                    let text = e.to_string();
                    let suffix = format!(" at line {} column {}", e.line(), e.column());
                    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
                    return spec_err(at, message, "keep one answer per label");
                }
                spec_err(
                    at,
                    format!("the JSON does not parse: {e}"),
                    "write an object from label to answer: {\"1\": \"0.42\", \"2b\": \"ENOTEMPTY\"}",
                )
            })?
            .0;
        let obj = match value.get("answers") {
            Some(inner) => inner,
            None => &value,
        };
        let Some(map) = obj.as_object() else {
            return Err(spec_err(
                origin.to_string(),
                "the JSON is not an object of answers",
                "write an object from label to answer: {\"1\": \"0.42\", \"2b\": \"ENOTEMPTY\"}",
            ));
        };
        let mut sheet = AnswerSheet {
            origin: origin.to_string(),
            ..Default::default()
        };
        for (k, v) in map {
            let at = format!("{origin}: \"{}\"", shorten(k));
            let Some(label) = Label::parse(k) else {
                return Err(spec_err(
                    at,
                    format!("`{}` is not a question label", shorten(k)),
                    "a label is the question number, with the part letter for multi-part questions: \"3\", \"2b\"",
                ));
            };
            let answer = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|x| match x {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                serde_json::Value::Null => String::new(),
                other => {
                    return Err(spec_err(
                        at,
                        format!("the answer is a JSON {}", json_kind(other)),
                        "write the answer as a string, a number or an array of strings",
                    ))
                }
            };
            sheet.insert(label, answer, 0, at)?;
        }
        Ok(sheet)
    }

    fn insert(
        &mut self,
        label: Label,
        answer: String,
        line: usize,
        at: String,
    ) -> Result<(), Error> {
        if let Some(prev) = self.entries.get(&label) {
            let before = if prev.line > 0 {
                format!(" (first on line {})", prev.line)
            } else {
                String::new()
            };
            return Err(spec_err(
                at,
                format!("{label} is answered twice{before}"),
                "keep one answer per label",
            ));
        }
        self.entries.insert(label, Entry { answer, line });
        Ok(())
    }

    /// Matches the labels against a pack whose questions have `parts[i]` answer slots each.
    /// Returns the answer per (question index, slot index); a label the pack does not have is an
    /// error. A single-part question also accepts the label `Na`.
    pub fn resolve(&self, parts: &[usize]) -> Result<BTreeMap<(usize, usize), String>, Error> {
        let mut out = BTreeMap::new();
        for (label, entry) in &self.entries {
            let at = if entry.line > 0 {
                format!("{}:{}", self.origin, entry.line)
            } else {
                format!("{}: \"{label}\"", self.origin)
            };
            let Some(&n) = label.question.checked_sub(1).and_then(|i| parts.get(i)) else {
                return Err(spec_err(
                    at,
                    format!("there is no question {}", label.question),
                    format!("the pack has questions 1 to {}", parts.len()),
                ));
            };
            let slot = match (label.part, n) {
                (None, 1) => 0,
                (Some('a'), 1) => 0,
                (Some(p), 1) => {
                    return Err(spec_err(
                        at,
                        format!("question {} has no part {p}", label.question),
                        format!("it has one answer: label it `{}`", label.question),
                    ))
                }
                (None, n) => {
                    return Err(spec_err(
                        at,
                        format!(
                            "question {} has {n} parts, and the label names none",
                            label.question
                        ),
                        format!("label each part: `{q}a`, `{q}b`…", q = label.question),
                    ))
                }
                (Some(p), n) => {
                    let i = (p as u8 - b'a') as usize;
                    if i >= n {
                        return Err(spec_err(
                            at,
                            format!("question {} has no part {p}", label.question),
                            format!("its parts are a to {}", (b'a' + n as u8 - 1) as char),
                        ));
                    }
                    i
                }
            };
            if out
                .insert((label.question - 1, slot), entry.answer.clone())
                .is_some()
            {
                return Err(spec_err(
                    at,
                    format!(
                        "question {} is answered twice (as `{q}` and `{q}a`)",
                        label.question,
                        q = label.question
                    ),
                    "keep one answer per label",
                ));
            }
        }
        Ok(out)
    }
}

/// Any JSON value, refusing an object that has the same key twice (at any depth).
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(items.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut obj = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if obj.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "\"{}\" appears twice in the JSON",
                    crate::text::echo(&key)
                )));
            }
            let Strict(v) = map.next_value()?;
            obj.insert(key, v);
        }
        Ok(obj.into())
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Object(_) => "object",
        _ => "value",
    }
}

/// User text as messages echo it: control characters escaped, cut to 80 characters.
fn shorten(s: &str) -> String {
    crate::text::echo(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_in_the_forms_people_write() {
        let l = |q, p| Label {
            question: q,
            part: p,
        };
        assert_eq!(Label::parse("1"), Some(l(1, None)));
        assert_eq!(Label::parse("2b"), Some(l(2, Some('b'))));
        assert_eq!(Label::parse(" 2 B "), Some(l(2, Some('b'))));
        assert_eq!(Label::parse("2(b)"), Some(l(2, Some('b'))));
        assert_eq!(Label::parse("Q12.c"), Some(l(12, Some('c'))));
        assert_eq!(Label::parse("b2"), None);
        assert_eq!(Label::parse("2bc"), None);
        assert_eq!(Label::parse(""), None);
        assert_eq!(Label::parse("99999999999999999999"), None);
    }

    #[test]
    fn text_and_json_give_the_same_sheet() {
        let text =
            AnswerSheet::parse("# mine\n1: 0.42\n\n2b:  ENOTEMPTY \n3: A,C\n", "a.txt").unwrap();
        let json = AnswerSheet::parse(
            r#"{"answers": {"1": 0.42, "2b": "ENOTEMPTY", "3": ["A", "C"]}}"#,
            "a.json",
        )
        .unwrap();
        let answers = |s: &AnswerSheet| {
            s.entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.answer.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(answers(&text), answers(&json));
        assert_eq!(answers(&text)[2], ("3".to_string(), "A,C".to_string()));
    }

    #[test]
    fn errors_name_the_line() {
        let e = AnswerSheet::parse("1: 2\n2 0.5\n", "a.txt").unwrap_err();
        assert!(e.to_string().contains("a.txt:2"), "{e}");
        let e = AnswerSheet::parse("1: 2\n1: 3\n", "a.txt").unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        // JSON too: a repeated key is not silently resolved to its last value.
        let e = AnswerSheet::parse("{\"1\": \"2\",\n \"1\": \"3\"}", "a.json").unwrap_err();
        assert_eq!(e.to_string(), "a.json:2:4: \"1\" appears twice in the JSON");
        let e = AnswerSheet::parse("{\"2b\": \"2\", \"2B\": \"3\"}", "a.json").unwrap_err();
        assert!(e.to_string().contains("answered twice"), "{e}");
        let sheet = AnswerSheet::parse("3: 1\n", "a.txt").unwrap();
        let e = sheet.resolve(&[1, 1]).unwrap_err();
        assert!(e.to_string().contains("no question 3"), "{e}");
        let sheet = AnswerSheet::parse("2: 1\n", "a.txt").unwrap();
        assert!(sheet.resolve(&[1, 2]).is_err());
        let sheet = AnswerSheet::parse("2c: 1\n1a: 5\n", "a.txt").unwrap();
        assert!(sheet.resolve(&[1, 2]).is_err());
        assert!(sheet.resolve(&[1, 3]).is_ok());
    }
}
