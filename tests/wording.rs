//! The wording lint (issue "Every draw a fair, informative interview question"): every family's
//! rendered text, at every difficulty over several seeds, is read for what a hiring manager would
//! trip over and no other test catches:
//!
//! - escaped Markdown: a literal backtick or `**` in text (inline markup must render, in table
//!   headers, option feedback and bold text alike);
//! - a formula outside a math span: caret notation such as `^(` or `_(` in plain text;
//! - "a"/"an" disagreeing with the number after it ("a 18-sided", "an 12");
//! - a label that quotes a code line the code block does not show as written (`int fd2 = open(...)`
//!   where the code says `fd2 = open(...)`).
//!
//! A failure names the family, difficulty and seed, the text, and the fix.

use groundwork::content::{Block, Content, Span};
use groundwork::family::{generate, Difficulty, Pins, Question, FAMILIES};

/// Every span of a content tree.
fn spans_of(c: &Content) -> Vec<Span> {
    let mut out = Vec::new();
    for b in &c.0 {
        match b {
            Block::Paragraph { spans } => out.extend(spans.iter().cloned()),
            Block::Code { .. } => {}
            Block::Table { header, rows } => {
                header.iter().for_each(|h| out.extend(h.iter().cloned()));
                for r in rows {
                    r.iter().for_each(|cell| out.extend(cell.iter().cloned()));
                }
            }
            Block::List { items, .. } => items.iter().for_each(|i| out.extend(i.iter().cloned())),
        }
    }
    out
}

/// The code blocks of a content tree, line by line, trimmed.
fn code_lines(c: &Content) -> Vec<String> {
    c.0.iter()
        .filter_map(|b| match b {
            Block::Code { text, .. } => Some(text),
            _ => None,
        })
        .flat_map(|t| t.lines().map(|l| l.trim().to_string()))
        .collect()
}

/// Every rendered span of a question, with where it is: prompt, labels, options and their
/// feedback, solution, follow-ups.
fn all_spans(q: &Question) -> Vec<(&'static str, Span)> {
    let mut out: Vec<(&'static str, Span)> = Vec::new();
    let mut add = |at: &'static str, s: Vec<Span>| out.extend(s.into_iter().map(|x| (at, x)));
    add("prompt", spans_of(&q.prompt));
    add("solution", spans_of(&q.solution));
    for slot in &q.slots {
        add("label", groundwork::content::spans(&slot.ask));
        for o in slot.expected.options().unwrap_or_default() {
            add("option", groundwork::content::spans(&o.text));
            if let Some(w) = &o.why_wrong {
                add("feedback", groundwork::content::spans(w));
            }
        }
    }
    for f in &q.followups {
        add("follow-up", groundwork::content::spans(&f.ask));
        add("follow-up answer", groundwork::content::spans(&f.answer));
        for p in &f.points {
            add("follow-up point", groundwork::content::spans(p));
        }
    }
    out
}

/// True when a number written with these digits is read with a leading vowel sound: 8, 11, 18,
/// 80–89, 800–899, 8,000…, 11,000, 18,000.
fn vowel_sound(digits: &str) -> bool {
    let d: String = digits.chars().filter(|c| c.is_ascii_digit()).collect();
    let groups = digits.split(',').count();
    if d.starts_with('8') {
        return true;
    }
    // "eleven", "eighteen": 11 and 18 alone, or as the leading group of a thousands-separated
    // number (11,000 and 18,000 but not 110 or 1,100).
    let lead = digits.split(',').next().unwrap_or("");
    (lead == "11" || lead == "18") && (groups > 1 || d.len() == 2)
}

/// Problems with "a"/"an" before a number in `text`.
fn article_problems(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for w in words.windows(2) {
        let art = w[0].to_ascii_lowercase();
        if art != "a" && art != "an" {
            continue;
        }
        let num: String = w[1]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .collect();
        let num = num.trim_end_matches(',');
        if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let want = if vowel_sound(num) { "an" } else { "a" };
        if art != want {
            out.push(format!(
                "\"{} {}\" should read \"{want} {}\"",
                w[0], w[1], w[1]
            ));
        }
    }
    out
}

fn problems(q: &Question) -> Vec<String> {
    let mut out = Vec::new();
    for (at, span) in all_spans(q) {
        let text = match &span {
            Span::Text(t) | Span::Emph(t) | Span::Strong(t) => t,
            Span::Code(_) | Span::Math(_) => continue,
        };
        if text.contains('`') || text.contains("**") {
            out.push(format!(
                "{at}: escaped Markdown in {text:?} (write inline markup, which renders)"
            ));
        }
        for caret in ["^(", "_(", "^{", "_{"] {
            if text.contains(caret) {
                out.push(format!(
                    "{at}: a formula outside a math span in {text:?} (put it in `$…$`)"
                ));
            }
        }
        for p in article_problems(text) {
            out.push(format!("{at}: {p}"));
        }
    }
    // A label that quotes a call quotes it as the code shows it.
    let lines = code_lines(&q.prompt);
    if !lines.is_empty() {
        for slot in &q.slots {
            for span in groundwork::content::spans(&slot.ask) {
                if let Span::Code(c) = span {
                    let looks_like_a_line = c.contains('(') && c.contains(')') && c.len() > 8;
                    if looks_like_a_line
                        && !lines.iter().any(|l| l.contains(c.trim_end_matches(';')))
                    {
                        out.push(format!(
                            "label: quotes `{c}`, which no line of the code block shows as written"
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_article_rule_reads_numbers_as_spoken() {
    for (text, ok) in [
        ("a 18-sided die", false),
        ("an 18-sided die", true),
        ("a 8 KiB page", false),
        ("an 80% load", true),
        ("a 110 ms wait", true),
        ("an 11,000 entry table", true),
        ("a 1,100 entry table", true),
        ("an 12 hour shift", false),
        ("a 16 bit id", true),
    ] {
        assert_eq!(article_problems(text).is_empty(), ok, "{text}");
    }
}

#[test]
fn every_family_reads_cleanly() {
    let mut failures = Vec::new();
    for f in FAMILIES.iter() {
        for d in Difficulty::ALL {
            for s in 0..6u64 {
                let seed = groundwork::seed::question_seed(s, 0, f.id(), f.version());
                let Ok(q) = generate(*f, seed, d, &Pins::new()) else {
                    continue; // generation failures are the registry tests' to report
                };
                for p in problems(&q) {
                    failures.push(format!("{} {d} seed {seed}: {p}", f.id()));
                }
            }
        }
    }
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} wording problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
