//! The registry-wide contract checks of `tests/registry.rs` (every used parameter shown in the
//! prompt, no unused one recorded, pins at the bounds and at random generate or explain), run
//! here for this topic alone as fast lib tests: copied from there, filtered to `systems`; and
//! the wording lint of `tests/wording.rs`.

use crate::code::family_tag;
use crate::family::{
    cross_check, generate, parse_pins, Difficulty, Family, GenError, ParamKind, ParamSpec,
    ParamValue, Pins, Question, Topic, FAMILIES,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A generation outcome the registry accepts: a question that cross-checks, or a parameter error
/// with a hint. A run failure, a panic or a failed cross-check is a bug.
fn generates_or_explains(
    f: &dyn Family,
    seed: u64,
    d: Difficulty,
    pins: &Pins,
) -> Option<Question> {
    match generate(f, seed, d, pins) {
        Ok(q) => {
            cross_check(f, &q)
                .unwrap_or_else(|e| panic!("{} {d} seed {seed} {pins:?}: {e}", f.id()));
            Some(q)
        }
        Err(e @ GenError::Params { .. }) => {
            assert!(
                e.hint().is_some_and(|h| !h.is_empty()),
                "{} {pins:?}: {e}",
                f.id()
            );
            None
        }
        Err(e) => panic!(
            "{} {d} seed {seed} {pins:?}: not a parameter error: {e}",
            f.id()
        ),
    }
}

/// A random value in `p`'s declared range: log-uniform for wide integer ranges (so 10..10⁷ is not
/// all millions), and the bounds themselves a fifth of the time.
fn random_value(p: &ParamSpec, rng: &mut ChaCha8Rng) -> String {
    match p.kind {
        ParamKind::Int { min, max, .. } => {
            let v = match rng.random_range(0..10) {
                0 => min,
                1 => max,
                _ if max - min > 100 && min >= 0 => {
                    let (a, b) = (((min + 1) as f64).ln(), ((max + 1) as f64).ln());
                    ((rng.random_range(a..=b)).exp() as i64 - 1).clamp(min, max)
                }
                _ => rng.random_range(min..=max),
            };
            v.to_string()
        }
        ParamKind::Real { min, max, step, .. } => {
            let steps = ((max - min) / step).round() as i64;
            let v = (min + rng.random_range(0..=steps) as f64 * step).clamp(min, max);
            // Rounded past the step's decimals to drop binary noise (0.35000000000000003).
            let places = (-step.log10().floor()).max(0.0) as usize + 4;
            format!("{v:.places$}")
                .parse::<f64>()
                .unwrap_or(v)
                .to_string()
        }
        ParamKind::Choice { options, .. } => {
            options[rng.random_range(0..options.len())].to_string()
        }
    }
}

/// Numbers written in `text`, read leniently: thousands separators (`,`, thin and narrow spaces)
/// removed, each comma-separated piece too, and a number before `%` also as a fraction.
fn numbers_in(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for (c, v) in [
        ('½', 0.5),
        ('¼', 0.25),
        ('¾', 0.75),
        ('⅓', 1.0 / 3.0),
        ('⅔', 2.0 / 3.0),
    ] {
        if text.contains(c) {
            out.push(v);
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], ',' | '.' | '\u{202f}' | '\u{2009}')
                    && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let negative = start > 0 && matches!(chars[start - 1], '-' | '−');
        let percent = chars.get(i) == Some(&'%');
        let mut pieces: Vec<String> = vec![token.replace([',', '\u{202f}', '\u{2009}'], "")];
        pieces.extend(token.split(',').map(str::to_string));
        for piece in pieces {
            if let Ok(v) = piece.parse::<f64>() {
                let v = if negative { -v } else { v };
                out.push(v);
                if percent {
                    out.push(v / 100.0);
                }
            }
        }
    }
    out
}

fn shows_number(prompt: &str, v: f64) -> bool {
    numbers_in(prompt)
        .iter()
        .any(|x| (x - v).abs() <= 1e-9 * v.abs().max(1e-12))
}

/// Another in-range value for `p`, near `v`, for the inertness check.
fn other_values(p: &ParamSpec, v: &ParamValue) -> Vec<String> {
    match (p.kind, v) {
        (ParamKind::Int { min, max, .. }, ParamValue::Int(v)) => [v + 1, v - 1, v * 2, v / 2]
            .into_iter()
            .filter(|x| (min..=max).contains(x) && x != v)
            .map(|x| x.to_string())
            .collect(),
        (ParamKind::Real { min, max, step, .. }, ParamValue::Real(v)) => {
            [v + step, v - step, v * 2.0, v / 2.0]
                .into_iter()
                .filter(|x| (min..=max).contains(x) && (x - v).abs() > step / 2.0)
                .map(|x| format!("{}", (x / step).round() * step))
                .collect()
        }
        (ParamKind::Choice { options, .. }, ParamValue::Choice(v)) => options
            .iter()
            .filter(|o| *o != v)
            .map(|o| o.to_string())
            .collect(),
        _ => vec![],
    }
}

/// What the candidate reads: the prompt, and each part's question and options.
fn seen(q: &Question) -> String {
    let mut text = q.prompt.plain_text();
    for slot in &q.slots {
        text.push('\n');
        text.push_str(&slot.ask);
        for o in slot.expected.options().unwrap_or_default() {
            text.push('\n');
            text.push_str(&o.text);
        }
    }
    text
}

/// For every family, seed and difficulty: each recorded parameter is used, and what is used is
/// shown. (1) A number the question records appears in the prompt the candidate reads. (2) Pinning
/// any recorded parameter to another value changes the prompt (or is refused with a hint): a
/// parameter that changes nothing is not used, and must not be recorded; one that changes only
/// the answer is hidden from the candidate.
fn prompts_show_what_they_use(seeds: std::ops::Range<u64>) {
    let mut failures = Vec::new();
    for f in FAMILIES.iter().filter(|f| f.topic() == Topic::Systems) {
        for d in Difficulty::ALL {
            for seed in seeds.clone() {
                let q = generate(*f, seed, d, &Pins::new())
                    .unwrap_or_else(|e| panic!("{} {d} {seed}: {e}", f.id()));
                let prompt = seen(&q);
                for (key, value) in &q.params {
                    let at = format!("{} {d} seed {seed}: {key}={value}", f.id());
                    let spec = f.params().iter().find(|p| p.key == key).expect("declared");
                    let number = match value {
                        ParamValue::Int(v) => Some(*v as f64),
                        ParamValue::Real(v) => Some(*v),
                        ParamValue::Choice(c) => c.parse::<f64>().ok(),
                    };
                    let mut changed = false;
                    let mut tried = 0;
                    for other in other_values(spec, value) {
                        let pins = parse_pins(*f, &[format!("{key}={other}")]).unwrap();
                        match generate(*f, seed, d, &pins) {
                            Ok(p) => {
                                tried += 1;
                                if seen(&p) != prompt {
                                    changed = true;
                                    break;
                                }
                            }
                            Err(GenError::Params { .. }) => {}
                            Err(e) => panic!("{at}: pinned {key}={other}: {e}"),
                        }
                    }
                    if tried > 0 && !changed {
                        failures.push(format!(
                            "{at}: unused: pinning another value changes nothing the candidate \
                             sees, so it must not be recorded (or it is hidden from the prompt)"
                        ));
                        continue;
                    }
                    if f.shown_indirectly().contains(&key.as_str()) {
                        continue;
                    }
                    if let Some(v) = number {
                        let pct = key.ends_with("_pct").then_some(v / 100.0);
                        if !shows_number(&prompt, v)
                            && !pct.is_some_and(|p| shows_number(&prompt, p))
                        {
                            failures.push(format!("{at}: not shown: the prompt does not show {v}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_used_parameter_is_shown_and_no_unused_one_is_recorded() {
    prompts_show_what_they_use(0..4);
}

#[test]
fn every_parameter_pinned_at_random_generates_or_explains() {
    let mut failures = Vec::new();
    let (mut generated, mut refused) = (0, 0);
    for f in FAMILIES.iter().filter(|f| f.topic() == Topic::Systems) {
        let mut rng = ChaCha8Rng::seed_from_u64(family_tag(f.id()) as u64);
        for i in 0..40u64 {
            let sets: Vec<String> = f
                .params()
                .iter()
                .map(|p| format!("{}={}", p.key, random_value(p, &mut rng)))
                .collect();
            let pins = parse_pins(*f, &sets).unwrap();
            let d = Difficulty::ALL[(i % 3) as usize];
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                generates_or_explains(*f, i, d, &pins)
            }));
            match outcome {
                Ok(Some(q)) => {
                    generated += 1;
                    for (k, v) in &q.params {
                        if Some(v) != pins.get(k) {
                            failures
                                .push(format!("{} {sets:?}: pin {k} not honoured: {v}", f.id()));
                        }
                    }
                }
                Ok(None) => refused += 1,
                Err(e) => failures.push(format!(
                    "{} {sets:?}: {}",
                    f.id(),
                    e.downcast_ref::<String>().cloned().unwrap_or_default()
                )),
            }
        }
    }
    println!("random pins: {generated} generated, {refused} refused");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_parameter_value_at_its_bounds_generates_or_explains() {
    for f in FAMILIES.iter().filter(|f| f.topic() == Topic::Systems) {
        for p in f.params() {
            let values: Vec<String> = match p.kind {
                ParamKind::Int { min, max, .. } => vec![min.to_string(), max.to_string()],
                ParamKind::Real { min, max, .. } => vec![min.to_string(), max.to_string()],
                ParamKind::Choice { options, .. } => {
                    options.iter().map(|o| o.to_string()).collect()
                }
            };
            for v in values {
                let pins = parse_pins(*f, &[format!("{}={v}", p.key)]).unwrap();
                for d in Difficulty::ALL {
                    for seed in 0..2 {
                        if let Some(q) = generates_or_explains(*f, seed, d, &pins) {
                            if let Some(v) = q.params.get(p.key) {
                                assert_eq!(v.to_string(), pins[p.key].to_string());
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The wording lint of `tests/wording.rs`, copied and filtered to `systems`.
mod wording {
    use crate::content::{Block, Content, Span};
    use crate::family::{generate, Difficulty, Pins, Question, Topic, FAMILIES};

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
                Block::List { items, .. } => {
                    items.iter().for_each(|i| out.extend(i.iter().cloned()))
                }
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
            add("label", crate::content::spans(&slot.ask));
            for o in slot.expected.options().unwrap_or_default() {
                add("option", crate::content::spans(&o.text));
                if let Some(w) = &o.why_wrong {
                    add("feedback", crate::content::spans(w));
                }
            }
        }
        for f in &q.followups {
            add("follow-up", crate::content::spans(&f.ask));
            add("follow-up answer", crate::content::spans(&f.answer));
            for p in &f.points {
                add("follow-up point", crate::content::spans(p));
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
                for span in crate::content::spans(&slot.ask) {
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
    fn every_systems_family_reads_cleanly() {
        let mut failures = Vec::new();
        for f in FAMILIES.iter().filter(|f| f.topic() == Topic::Systems) {
            for d in Difficulty::ALL {
                for s in 0..6u64 {
                    let seed = crate::seed::question_seed(s, 0, f.id(), f.version());
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
}
