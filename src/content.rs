//! Format-neutral content: the blocks a prompt, a worked solution or an evidence section is made of.
//!
//! Families never write HTML, Markdown or typst. They build [`Block`]s, and every exporter renders
//! the same blocks its own way, so a question looks the same in every format and no exporter has to
//! escape markup written by a family.
//!
//! Paragraph text is written with a tiny inline markup, parsed by [`spans`]: `` `code` ``,
//! `*emphasis*` and `**strong**`. The markup is only ever written by family code, never by users.

use serde::{Deserialize, Serialize};

/// A run of inline text with one style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", content = "text", rename_all = "snake_case")]
pub enum Span {
    /// Plain text.
    Text(String),
    /// Inline code: identifiers, literals, hex digests.
    Code(String),
    /// Emphasis (italic).
    Emph(String),
    /// Strong emphasis (bold).
    Strong(String),
    /// A formula in typst's math syntax (`$1/(1 - p)$` in the inline markup). The PDF typesets
    /// it; HTML and Markdown show the source; a `#` (typst's escape into code) is refused.
    Math(String),
}

/// One block of content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of inline spans.
    Paragraph { spans: Vec<Span> },
    /// A preformatted code block; `lang` is a hint for readers ("c", "text", "python").
    Code { lang: String, text: String },
    /// A table with a header row; header and cells are inline spans, so a digest or a name can be
    /// shown as code in either.
    Table {
        header: Vec<Vec<Span>>,
        rows: Vec<Vec<Vec<Span>>>,
    },
    /// A bulleted or numbered list of inline items.
    List {
        ordered: bool,
        items: Vec<Vec<Span>>,
    },
}

/// A sequence of blocks, with builder methods so family code reads like the text it produces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Content(pub Vec<Block>);

impl Content {
    /// An empty block sequence.
    pub fn new() -> Self {
        Content(Vec::new())
    }

    /// Appends a paragraph written in the inline markup (see [`spans`]).
    pub fn p(mut self, text: impl AsRef<str>) -> Self {
        self.0.push(Block::Paragraph {
            spans: spans(text.as_ref()),
        });
        self
    }

    /// Appends a code block.
    pub fn code(mut self, lang: &str, text: impl Into<String>) -> Self {
        self.0.push(Block::Code {
            lang: lang.to_string(),
            text: text.into(),
        });
        self
    }

    /// Appends a table; each header and cell is written in the inline markup.
    pub fn table<H, R, C>(mut self, header: H, rows: R) -> Self
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
        R: IntoIterator<Item = C>,
        C: IntoIterator,
        C::Item: AsRef<str>,
    {
        let header = header.into_iter().map(|h| spans(h.as_ref())).collect();
        let rows = rows
            .into_iter()
            .map(|row| row.into_iter().map(|cell| spans(cell.as_ref())).collect())
            .collect();
        self.0.push(Block::Table { header, rows });
        self
    }

    /// Appends a bulleted list; each item is written in the inline markup.
    pub fn list<I>(mut self, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let items = items.into_iter().map(|i| spans(i.as_ref())).collect();
        self.0.push(Block::List {
            ordered: false,
            items,
        });
        self
    }

    /// Appends a numbered list; each item is written in the inline markup.
    pub fn ordered_list<I>(mut self, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let items = items.into_iter().map(|i| spans(i.as_ref())).collect();
        self.0.push(Block::List {
            ordered: true,
            items,
        });
        self
    }

    /// Appends every block of another sequence.
    pub fn extend(mut self, other: Content) -> Self {
        self.0.extend(other.0);
        self
    }

    /// True when there are no blocks.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The blocks as plain text, one block per paragraph: used by the terminal `show` view.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.0 {
            if !out.is_empty() {
                out.push('\n');
            }
            match block {
                Block::Paragraph { spans } => {
                    out.push_str(&plain_spans(spans));
                    out.push('\n');
                }
                Block::Code { text, .. } => {
                    for line in text.lines() {
                        out.push_str("    ");
                        out.push_str(line);
                        out.push('\n');
                    }
                }
                Block::Table { header, rows } => {
                    let cells: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| r.iter().map(|c| plain_spans(c)).collect())
                        .collect();
                    let header: Vec<String> = header.iter().map(|h| plain_spans(h)).collect();
                    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
                    for row in &cells {
                        for (i, c) in row.iter().enumerate() {
                            if i < widths.len() {
                                widths[i] = widths[i].max(c.chars().count());
                            }
                        }
                    }
                    let line = |vals: &[String]| {
                        let mut s = String::from("   ");
                        for (i, v) in vals.iter().enumerate() {
                            // Pad by hand: a format width must fit in u16, and a cell may not.
                            let w = widths.get(i).copied().unwrap_or(0);
                            let pad = w.saturating_sub(v.chars().count());
                            s.push_str(&format!(" {v}{} ", " ".repeat(pad)));
                        }
                        s.trim_end().to_string() + "\n"
                    };
                    out.push_str(&line(&header));
                    out.push_str(&format!(
                        "    {}\n",
                        "-".repeat(widths.iter().map(|w| w + 2).sum::<usize>())
                    ));
                    for row in &cells {
                        out.push_str(&line(row));
                    }
                }
                Block::List { ordered, items } => {
                    for (i, item) in items.iter().enumerate() {
                        let bullet = if *ordered {
                            format!("{}.", i + 1)
                        } else {
                            "-".to_string()
                        };
                        out.push_str(&format!("  {bullet} {}\n", plain_spans(item)));
                    }
                }
            }
        }
        out
    }
}

/// Inline spans as plain text, with code in backticks.
pub fn plain_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) | Span::Emph(t) | Span::Strong(t) | Span::Math(t) => t.clone(),
            Span::Code(t) => format!("`{t}`"),
        })
        .collect()
}

/// The byte offset of the first `marker` in `body` that is not inside a `` `code` `` run.
fn closing_outside_code(body: &str, marker: &str) -> Option<usize> {
    let mut in_code = false;
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest.starts_with('`') {
            in_code = !in_code;
        } else if !in_code && rest.starts_with(marker) {
            // `*` must not match the first half of a `**`.
            if marker == "*" && rest.starts_with("**") {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// The inline markup as plain text, without markers (code without its backticks): for formats
/// that cannot show styles, such as a Moodle cloze answer or GIFT feedback.
pub fn plain_markup(text: &str) -> String {
    spans(text)
        .into_iter()
        .map(|s| match s {
            Span::Text(t) | Span::Emph(t) | Span::Strong(t) | Span::Math(t) | Span::Code(t) => t,
        })
        .collect()
}

/// Parses the inline markup: `` `code` ``, `**strong**`, `*emphasis*`, `$math$`; everything else
/// is text.
///
/// Inside backticks nothing is special, so `` `a*b` `` is code. An unmatched marker is kept as a
/// literal character, so a stray `*` in a formula never swallows the rest of the paragraph.
pub fn spans(text: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Span>| {
        if !plain.is_empty() {
            out.push(Span::Text(std::mem::take(plain)));
        }
    };
    while let Some(c) = rest.chars().next() {
        let (marker, make): (&str, fn(String) -> Span) = if rest.starts_with('`') {
            ("`", Span::Code)
        } else if rest.starts_with("**") {
            ("**", Span::Strong)
        } else if rest.starts_with('*') {
            ("*", Span::Emph)
        } else if rest.starts_with('$') {
            ("$", Span::Math)
        } else {
            plain.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        };
        let body = &rest[marker.len()..];
        // Bold or italic text may hold code or a formula (`**the owner is `g1`**`): find the
        // closing marker outside backticks, and keep the inner code and math as they are.
        let end = if marker == "**" || marker == "*" {
            closing_outside_code(body, marker)
        } else {
            body.find(marker)
        };
        match end {
            Some(end) if end > 0 => {
                flush(&mut plain, &mut out);
                let inner = &body[..end];
                if (marker == "**" || marker == "*") && (inner.contains('`') || inner.contains('$'))
                {
                    for s in spans(inner) {
                        out.push(match s {
                            Span::Text(t) | Span::Emph(t) | Span::Strong(t) => make(t),
                            other => other,
                        });
                    }
                } else if marker == "$" {
                    out.push(Span::Math(scientific_in_math(inner)));
                } else {
                    out.push(make(inner.to_string()));
                }
                rest = &body[end + marker.len()..];
            }
            _ => {
                plain.push_str(marker);
                rest = body;
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_text_may_hold_code() {
        assert_eq!(
            spans("so **the owner is `cache-g1`** here"),
            vec![
                Span::Text("so ".into()),
                Span::Strong("the owner is ".into()),
                Span::Code("cache-g1".into()),
                Span::Text(" here".into()),
            ]
        );
        // A `*` inside code does not close the emphasis.
        assert_eq!(
            spans("*see `a*b`*"),
            vec![Span::Emph("see ".into()), Span::Code("a*b".into())]
        );
        assert_eq!(plain_markup("**the owner is `g1`**"), "the owner is g1");
    }

    #[test]
    fn math_spans_are_marked_with_dollars() {
        assert_eq!(
            spans("so $p = 1 - 1/S$ and $5 left"),
            vec![
                Span::Text("so ".into()),
                Span::Math("p = 1 - 1/S".into()),
                Span::Text(" and $5 left".into()),
            ]
        );
    }

    #[test]
    fn inline_markup_splits_code_emphasis_and_text() {
        let s = spans("hash `abc` with *SHA-256*, **then** truncate");
        assert_eq!(
            s,
            vec![
                Span::Text("hash ".into()),
                Span::Code("abc".into()),
                Span::Text(" with ".into()),
                Span::Emph("SHA-256".into()),
                Span::Text(", ".into()),
                Span::Strong("then".into()),
                Span::Text(" truncate".into()),
            ]
        );
    }

    #[test]
    fn unmatched_markers_stay_literal() {
        assert_eq!(spans("2 * 3 = 6"), vec![Span::Text("2 * 3 = 6".into())]);
        assert_eq!(spans("`a*b`"), vec![Span::Code("a*b".into())]);
    }
}

/// A number in e-notation inside a formula (`4.33e13`, `2.3e-10`), which typst math would read as
/// a number times the variable `e13`, written as `4.33 times 10^(13)`. Letters and digits that are
/// part of a name (`x2e5`) are left alone.
pub fn scientific_in_math(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let starts_number = b[i].is_ascii_digit()
            && (i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.' || b[i - 1] == b'_'));
        if !starts_number {
            let c = src[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
            j += 1;
        }
        let mantissa = &src[i..j];
        if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
            let mut k = j + 1;
            if k < b.len() && (b[k] == b'-' || b[k] == b'+') {
                k += 1;
            }
            let exp_start = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            let ends_cleanly = k == b.len() || !(b[k].is_ascii_alphanumeric() || b[k] == b'_');
            if k > exp_start && ends_cleanly {
                let exp = src[j + 1..k].trim_start_matches('+');
                out.push_str(&format!("{mantissa} times 10^({exp})"));
                i = k;
                continue;
            }
        }
        out.push_str(mantissa);
        i = j;
    }
    out
}

#[cfg(test)]
mod scientific_tests {
    use super::*;

    #[test]
    fn e_notation_in_formulas_becomes_a_power_of_ten() {
        assert_eq!(
            scientific_in_math("N(N-1)/2 approx 4.33e13"),
            "N(N-1)/2 approx 4.33 times 10^(13)"
        );
        assert_eq!(scientific_in_math("p = 2.3e-10"), "p = 2.3 times 10^(-10)");
        assert_eq!(
            scientific_in_math("x2e5 + e^(-k n/m) + 1e+3"),
            "x2e5 + e^(-k n/m) + 1 times 10^(3)"
        );
        assert_eq!(scientific_in_math("2e"), "2e");
        assert_eq!(
            spans("so $n approx 1.5e6$ keys"),
            vec![
                Span::Text("so ".into()),
                Span::Math("n approx 1.5 times 10^(6)".into()),
                Span::Text(" keys".into())
            ]
        );
    }
}
