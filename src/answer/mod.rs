//! Answers as data: what each answer slot expects, how close is close enough, and how it is graded.
//!
//! An [`AnswerSlot`] carries an [`Expected`] value: the kind of answer (integer, real with a
//! [`Tolerance`], hex digest, normalised text, single or multiple choice, sequence) and the reference
//! answer itself. Kind and tolerance are serialised in the JSON pack; renderers print them with
//! [`Expected::describe`] and the grader in [`grade`] applies them, so what the paper promises and what
//! the grader accepts cannot drift apart. The design follows R/exams (`extype`, `exsolution`,
//! `extol`) and PrairieLearn's `pl-number-input` (`relabs`, `sigfig`, `decdig`).

pub mod grade;
pub mod marks;
pub mod sheet;

pub use grade::{grade, grade_slot, Outcome};

use serde::{Deserialize, Serialize};

/// One answer box of a question. A question with several slots is a multi-part question whose parts
/// are labelled a, b, c… on the paper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerSlot {
    /// Part label: "" for a single-slot question, else "a", "b", … (set by the family runner).
    pub label: String,
    /// What this part asks, in the inline markup; empty when the prompt already says it.
    pub ask: String,
    /// What is expected, with the reference answer.
    pub expected: Expected,
    /// The unit the answer is written in ("%", "ms", "probes"), or empty for a pure number. The
    /// paper prints it beside the box; a tolerance on a percentage reads "percentage points".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// The route a strong candidate with a calculator would take, and the value it gives; the
    /// slot's accepted range must contain that value unless the ask needs a computer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand: Option<HandRoute>,
}

impl AnswerSlot {
    /// A slot asking `ask` (inline markup) and expecting `expected`.
    pub fn new(ask: impl Into<String>, expected: Expected) -> Self {
        AnswerSlot {
            label: String::new(),
            ask: ask.into(),
            expected,
            unit: String::new(),
            hand: None,
        }
    }

    /// The same slot, answered in `unit` ("%", "ms", …).
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }

    /// The same slot with its by-hand route: `method` (inline markup) gives `value`.
    pub fn by_hand(mut self, method: impl Into<String>, value: f64) -> Self {
        self.hand = Some(HandRoute {
            method: method.into(),
            value,
        });
        self
    }

    /// The same slot, computed exactly by the method the worked solution teaches: the hand
    /// route's value is the reference itself.
    pub fn exact_by_hand(self) -> Self {
        let v = match &self.expected {
            Expected::Integer { value } => *value as f64,
            Expected::Real { value, .. } => *value,
            _ => f64::NAN,
        };
        self.by_hand("exact by hand, as the worked solution does it", v)
    }

    /// How the paper states the expected form, with the unit: "a number, to 3 significant
    /// figures, in ms".
    pub fn describe(&self) -> String {
        let base = match (&self.expected, self.unit.as_str()) {
            (Expected::Real { tolerance, .. }, "%") => {
                format!("a number, {}", tolerance.describe_percent())
            }
            (e, _) => e.describe(),
        };
        match self.unit.as_str() {
            "" => base,
            "%" => format!("{base}, in percent"),
            u => format!("{base}, in {u}"),
        }
    }

    /// The accepted range of a numeric slot as the key prints it ("1.924 to 1.935"); `None`
    /// for other kinds.
    pub fn accepted_text(&self) -> Option<String> {
        match &self.expected {
            Expected::Real { value, tolerance } => Some(tolerance.window(*value).describe()),
            Expected::Integer { value } => Some(format!("exactly {value}")),
            _ => None,
        }
    }
}

/// How a strong candidate reaches a numeric answer by hand, and the value that route gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandRoute {
    /// The method, in the inline markup ("normal approximation with continuity correction").
    pub method: String,
    /// The value the method gives for this instance.
    pub value: f64,
}

/// The closed interval of accepted answers to a real slot. It is computed once from the
/// reference and the tolerance ([`Tolerance::window`]) and used everywhere: the key prints it,
/// `check` and the self-check page accept exactly it, and the LMS exports carry it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// The smallest accepted answer.
    pub lo: f64,
    /// The largest accepted answer.
    pub hi: f64,
}

impl Window {
    /// True when `x` lies in the window; a relative epsilon absorbs binary floating-point noise.
    pub fn contains(&self, x: f64) -> bool {
        let eps = 1e-12 * self.lo.abs().max(self.hi.abs()).max(1e-300);
        x >= self.lo - eps && x <= self.hi + eps
    }

    /// The midpoint, for formats that state a value ± a half-width (Moodle, GIFT).
    pub fn centre(&self) -> f64 {
        (self.lo + self.hi) / 2.0
    }

    /// Half the width, for formats that state a value ± a half-width.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }

    /// "1.924 to 1.935": the bounds printed to a place fine enough (a hundredth of the width)
    /// that the printed range is the accepted one, rounded outwards.
    pub fn describe(&self) -> String {
        let width = (self.hi - self.lo).abs();
        let scale = self.lo.abs().max(self.hi.abs());
        if width == 0.0 || scale == 0.0 {
            return format!("exactly {}", trim_float(self.lo));
        }
        // Decimal places so that one unit is at most 1/100 of the width.
        let places = (-(width / 100.0).log10().floor()) as i32;
        let fmt = |x: f64, up: bool| {
            if (0..=12).contains(&places) {
                let p = 10f64.powi(places);
                let y = if up {
                    (x * p - 1e-9).ceil()
                } else {
                    (x * p + 1e-9).floor()
                } / p;
                trim_float_str(format!("{y:.*}", places as usize))
            } else if places > 12 {
                fmt_sig(x, 6)
            } else {
                // Large numbers: round to a multiple of 10^(-places).
                let p = 10f64.powi(-places);
                let y = if up { (x / p).ceil() } else { (x / p).floor() } * p;
                format!("{y:.0}")
            }
        };
        format!("{} to {}", fmt(self.lo, false), fmt(self.hi, true))
    }
}

/// How close a real-valued answer must be to the reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Tolerance {
    /// |answer − reference| ≤ abs.
    Abs { abs: f64 },
    /// |answer − reference| ≤ rel · |reference|.
    Rel { rel: f64 },
    /// Correct to `digits` significant figures: within 0.51 units of the last significant place
    /// (PrairieLearn's `sigfig`, which accepts a correctly rounded answer with a little slack).
    SigFigs { digits: u32 },
    /// Correct to `places` decimal places: within 0.51 units of the last place (`decdig`).
    Decimals { places: u32 },
}

impl Tolerance {
    /// Half the width of the accepted window around `reference` (the callers on main, near
    /// misses and the LMS tests, use it this way).
    pub fn half_width(&self, reference: f64) -> f64 {
        self.window(reference).half_width()
    }

    /// Accepts `answer` for `reference`: `answer` lies in the [`Tolerance::window`].
    pub fn accepts(&self, reference: f64, answer: f64) -> bool {
        self.window(reference).contains(answer)
    }

    /// The accepted answers for `reference`. For significant figures or decimal places: every
    /// answer that rounds to the printed key, and every answer within half a last-digit unit of
    /// the exact value (a human marker reading "1.93" accepts 1.934; so does this). For an
    /// absolute or relative tolerance: the band around the exact value.
    pub fn window(&self, reference: f64) -> Window {
        let v = reference;
        let around = |printed: f64, unit_printed: f64, unit_exact: f64| Window {
            lo: (printed - unit_printed / 2.0).min(v - unit_exact / 2.0),
            hi: (printed + unit_printed / 2.0).max(v + unit_exact / 2.0),
        };
        match *self {
            Tolerance::Abs { abs } => Window {
                lo: v - abs,
                hi: v + abs,
            },
            Tolerance::Rel { rel } => Window {
                lo: v - rel * v.abs(),
                hi: v + rel * v.abs(),
            },
            Tolerance::SigFigs { digits } => {
                let p = round_sig(v, digits);
                around(p, sig_unit(p, digits), sig_unit(v, digits))
            }
            Tolerance::Decimals { places } => {
                let u = 10f64.powi(-(places as i32));
                let p = format!("{v:.*}", places as usize).parse().unwrap_or(v);
                around(p, u, u)
            }
        }
    }

    /// How close `reference` sits to a rounding boundary of the printed precision, in units of
    /// the last printed digit (0 = exactly halfway, so 1.375 to 3 significant figures could fairly
    /// be written 1.37 or 1.38; 0.5 = on a printed value). `None` for absolute and relative
    /// tolerances, whose band is centred on the exact value.
    pub fn tie_distance(&self, reference: f64) -> Option<f64> {
        let unit = match *self {
            Tolerance::SigFigs { digits } => sig_unit(reference, digits),
            Tolerance::Decimals { places } => 10f64.powi(-(places as i32)),
            _ => return None,
        };
        let f = (reference / unit).abs().fract();
        Some((f - 0.5).abs())
    }

    /// How the paper states the required precision.
    pub fn describe(&self) -> String {
        match *self {
            Tolerance::Abs { abs } => format!("within ±{}", trim_float(abs)),
            Tolerance::Rel { rel } => format!("within ±{}% of the value", trim_float(rel * 100.0)),
            Tolerance::SigFigs { digits } => format!("to {digits} significant figures"),
            Tolerance::Decimals { places } => format!("to {places} decimal places"),
        }
    }

    /// [`Tolerance::describe`] for an answer given in percent, where a bare "±2%" could mean
    /// either percentage points or a share of the value.
    pub fn describe_percent(&self) -> String {
        match *self {
            Tolerance::Abs { abs } => {
                let s = if abs == 1.0 { "" } else { "s" };
                format!("within ±{} percentage point{s}", trim_float(abs))
            }
            _ => self.describe(),
        }
    }
}

/// One unit of the last significant digit of `x` at `digits` significant figures.
fn sig_unit(x: f64, digits: u32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 10f64.powi(-(digits as i32));
    }
    let exp = x.abs().log10().floor() as i32;
    10f64.powi(exp - (digits as i32 - 1))
}

/// How free-text answers are normalised before comparison. Declared per slot and stated on the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    /// Only leading and trailing white space is ignored. The text is read as a byte string:
    /// surrounding quotes (`"b\0c"`) are dropped and the escapes `\0`, `\xNN`, `\n`, `\t`,
    /// `\\` and `\"` are read as the bytes they stand for, so `b\x00c` and `"b\0c"` are one answer.
    Exact,
    /// Case and runs of white space are ignored.
    Loose,
    /// An errno name such as `ENOENT`: case ignored, a leading `-` ignored; `0`, `OK` and
    /// `success` all mean "no error".
    Errno,
    /// Each item is an integer (`0x` hex and `_` separators accepted).
    Integer,
}

impl Normalisation {
    /// Canonical form of one item, or why it cannot be read.
    pub fn canon(&self, raw: &str) -> Result<String, String> {
        let t = raw.trim();
        match self {
            Normalisation::Exact => byte_string(t),
            Normalisation::Loose => Ok(t
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()),
            Normalisation::Errno => {
                let u = t.trim_start_matches('-').to_ascii_uppercase();
                if u == "0" || u == "OK" || u == "SUCCESS" || u == "NONE" {
                    return Ok("OK".into());
                }
                if u.len() >= 2
                    && u.starts_with('E')
                    && u.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    Ok(u)
                } else {
                    Err(format!("`{}` is not an errno name", crate::text::echo(t)))
                }
            }
            Normalisation::Integer => grade::parse_integer(t).map(|v| v.to_string()),
        }
    }

    /// How the key states the normalisation.
    pub fn describe(&self) -> &'static str {
        match self {
            Normalisation::Exact => "exact text",
            Normalisation::Loose => "text, case-insensitive",
            Normalisation::Errno => "an errno name such as ENOENT, or OK for success",
            Normalisation::Integer => "integers",
        }
    }
}

/// The canonical form of a byte string as written by a candidate: quotes dropped, escapes read,
/// then written back the way the prompts print bytes (`\0` for a zero byte, `\xNN` for other
/// non-printable bytes, `\\` and `\"` escaped).
fn byte_string(t: &str) -> Result<String, String> {
    let inner = ['"', '\'']
        .iter()
        .find_map(|q| {
            t.strip_prefix(*q)
                .and_then(|r| r.strip_suffix(*q))
                .filter(|_| t.len() >= 2)
        })
        .unwrap_or(t);
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('0') => bytes.push(0),
            Some('n') => bytes.push(b'\n'),
            Some('t') => bytes.push(b'\t'),
            Some('r') => bytes.push(b'\r'),
            Some('\\') => bytes.push(b'\\'),
            Some('"') => bytes.push(b'"'),
            Some('\'') => bytes.push(b'\''),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if hex.len() == 2 => bytes.push(b),
                    _ => {
                        return Err(format!(
                            "`\\x{}` is not a byte: write two hex digits, such as \\x00",
                            crate::text::echo(&hex)
                        ))
                    }
                }
            }
            Some(other) => {
                return Err(format!(
                "`\\{}` is not an escape: write \\0 or \\x00 for a zero byte, \\\\ for a backslash",
                crate::text::echo(&other.to_string())
            ))
            }
            None => return Err("the text ends with a lone `\\`".into()),
        }
    }
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\0' => out.push_str("\\0"),
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    Ok(out)
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// Option text, in the inline markup.
    pub text: String,
    /// For a distractor: the misconception it comes from, shown as feedback when it is picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_wrong: Option<String>,
}

impl ChoiceOption {
    /// A correct option.
    pub fn right(text: impl Into<String>) -> Self {
        ChoiceOption {
            text: text.into(),
            why_wrong: None,
        }
    }
    /// A distractor with the misconception that leads to it.
    pub fn wrong(text: impl Into<String>, why: impl Into<String>) -> Self {
        ChoiceOption {
            text: text.into(),
            why_wrong: Some(why.into()),
        }
    }
}

/// How a multiple-choice answer earns partial credit. The report states the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialCredit {
    /// Full marks only for exactly the right set.
    AllOrNothing,
    /// (right picks − wrong picks) / number of right options, floored at zero.
    RightMinusWrong,
}

/// What a slot expects, with the reference answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expected {
    /// An exact integer.
    Integer { value: i64 },
    /// A real number accepted within a tolerance.
    Real { value: f64, tolerance: Tolerance },
    /// A hex string (a digest or a prefix of one); case and a `0x` prefix are ignored.
    Hex { value: String },
    /// Free text compared after a declared normalisation; `accepted` lists equivalent answers.
    Text {
        value: String,
        normalisation: Normalisation,
        #[serde(default)]
        accepted: Vec<String>,
    },
    /// Exactly one option is right; the candidate answers with its letter.
    Choice {
        options: Vec<ChoiceOption>,
        correct: usize,
    },
    /// Several options may be right; the candidate answers with letters such as `A,C`.
    Multi {
        options: Vec<ChoiceOption>,
        correct: Vec<usize>,
        rule: PartialCredit,
    },
    /// An ordered list of items, each normalised, answered comma-separated.
    Sequence {
        values: Vec<String>,
        normalisation: Normalisation,
    },
}

/// The letter of option `i` (A, B, …).
pub fn letter(i: usize) -> char {
    (b'A' + (i as u8 % 26)) as char
}

impl Expected {
    /// A real answer to `digits` significant figures.
    pub fn sig(value: f64, digits: u32) -> Self {
        Expected::Real {
            value,
            tolerance: Tolerance::SigFigs { digits },
        }
    }

    /// A real answer accepted within ±`rel` relative error.
    pub fn rel(value: f64, rel: f64) -> Self {
        Expected::Real {
            value,
            tolerance: Tolerance::Rel { rel },
        }
    }

    /// An errno-or-OK answer.
    pub fn errno(value: impl Into<String>) -> Self {
        Expected::Text {
            value: value.into(),
            normalisation: Normalisation::Errno,
            accepted: vec![],
        }
    }

    /// The reference answer as a candidate would write it in an answers file.
    pub fn reference(&self) -> String {
        match self {
            Expected::Integer { value } => value.to_string(),
            Expected::Real { value, tolerance } => format_real(*value, tolerance),
            Expected::Hex { value } => value.to_ascii_lowercase(),
            Expected::Text { value, .. } => value.clone(),
            Expected::Choice { correct, .. } => letter(*correct).to_string(),
            Expected::Multi { correct, .. } => {
                let mut c = correct.clone();
                c.sort_unstable();
                c.iter()
                    .map(|i| letter(*i).to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            }
            Expected::Sequence { values, .. } => values.join(", "),
        }
    }

    /// How the paper tells the candidate what form of answer is expected ("to 3 significant figures").
    pub fn describe(&self) -> String {
        match self {
            Expected::Integer { .. } => "an exact integer".into(),
            Expected::Real { tolerance, .. } => format!("a number, {}", tolerance.describe()),
            Expected::Hex { value } => format!("{} hex digits", value.len()),
            Expected::Text { normalisation, .. } => normalisation.describe().into(),
            Expected::Choice { .. } => "one letter".into(),
            Expected::Multi { rule, .. } => match rule {
                PartialCredit::AllOrNothing => "every correct letter, comma-separated".into(),
                PartialCredit::RightMinusWrong => {
                    "every correct letter, comma-separated (partial credit: right − wrong picks)"
                        .into()
                }
            },
            Expected::Sequence {
                values,
                normalisation,
            } => {
                format!(
                    "{} items ({}), comma-separated, in order",
                    values.len(),
                    normalisation.describe()
                )
            }
        }
    }

    /// The options of a choice question, if it is one.
    pub fn options(&self) -> Option<&[ChoiceOption]> {
        match self {
            Expected::Choice { options, .. } | Expected::Multi { options, .. } => Some(options),
            _ => None,
        }
    }

    /// Well-formed answers that must all grade wrong: for numbers, just outside the tolerance on
    /// both sides (a window that is too wide below the key is as wrong as one too wide above it);
    /// for a single choice, every other option. The first is [`Expected::near_miss`].
    pub fn near_misses(&self) -> Vec<String> {
        let mut out = vec![self.near_miss()];
        match self {
            Expected::Integer { value } => out.push((value - 1).to_string()),
            Expected::Real { value, tolerance } => {
                let w = tolerance.window(*value);
                let miss = w.lo - 0.5 * (w.hi - w.lo) - 1e-9 * value.abs().max(1e-300);
                out.push(format!("{miss:.17e}"));
            }
            Expected::Text {
                value,
                normalisation: Normalisation::Integer,
                ..
            } => {
                if let Ok(v) = grade::parse_integer(value) {
                    out.push((v - 1).to_string());
                }
            }
            Expected::Choice { options, correct } => {
                let first = out[0].clone();
                out.extend(
                    (0..options.len())
                        .filter(|i| i != correct && letter(*i).to_string() != first)
                        .map(|i| letter(i).to_string()),
                );
            }
            _ => {}
        }
        out
    }

    /// A well-formed answer that must grade wrong: for numbers, just outside the tolerance. Used by
    /// the registry tests to prove that each tolerance is not wider than it claims.
    pub fn near_miss(&self) -> String {
        match self {
            Expected::Integer { value } => (value + 1).to_string(),
            Expected::Real { value, tolerance } => {
                let w = tolerance.window(*value);
                let miss = w.hi + 0.5 * (w.hi - w.lo) + 1e-9 * value.abs().max(1e-300);
                format!("{miss:.17e}")
            }
            Expected::Hex { value } => {
                let mut v: Vec<char> = value.to_ascii_lowercase().chars().collect();
                if let Some(c) = v.last_mut() {
                    *c = if *c == '0' { '1' } else { '0' };
                }
                v.into_iter().collect()
            }
            Expected::Text {
                value,
                normalisation,
                ..
            } => match normalisation {
                Normalisation::Errno if value != "OK" => "OK".into(),
                Normalisation::Errno => "ENOENT".into(),
                Normalisation::Integer => match grade::parse_integer(value) {
                    Ok(v) => (v + 1).to_string(),
                    Err(_) => format!("{value}x"),
                },
                _ => format!("{value} not"),
            },
            Expected::Choice { options, correct } => {
                letter((correct + 1) % options.len().max(1)).to_string()
            }
            Expected::Multi {
                options, correct, ..
            } => {
                // Pick exactly the wrong options (or none of the right ones).
                let wrong: Vec<String> = (0..options.len())
                    .filter(|i| !correct.contains(i))
                    .map(|i| letter(i).to_string())
                    .collect();
                if wrong.is_empty() {
                    letter(correct[0]).to_string() + "," + &letter(correct[0]).to_string()
                } else {
                    wrong.join(",")
                }
            }
            Expected::Sequence {
                values,
                normalisation,
            } => {
                let mut v = values.clone();
                match v.last_mut() {
                    Some(last) => {
                        *last = match (normalisation, grade::parse_integer(last)) {
                            (Normalisation::Integer, Ok(n)) => (n + 1).to_string(),
                            _ => format!("{last}x"),
                        }
                    }
                    None => v.push("0".into()),
                }
                v.join(", ")
            }
        }
    }
}

/// A real reference answer printed to the precision its tolerance asks for.
pub fn format_real(value: f64, tolerance: &Tolerance) -> String {
    match *tolerance {
        Tolerance::SigFigs { digits } => fmt_sig(value, digits),
        Tolerance::Decimals { places } => format!("{value:.*}", places as usize),
        Tolerance::Abs { abs } => {
            let places = (-abs.log10().floor()).max(0.0) as usize + 1;
            trim_float_str(format!("{value:.places$}"))
        }
        Tolerance::Rel { rel } => {
            let digits = ((-rel.log10()).ceil() as u32 + 1).clamp(2, 15);
            // A whole number too long for those digits (a sample size of 1068, say) prints in
            // full rather than rounded to 1070.
            if value.fract() == 0.0
                && value.abs() >= 10f64.powi(digits as i32)
                && value.abs() < 1e15
            {
                format!("{value:.0}")
            } else {
                fmt_sig(value, digits)
            }
        }
    }
}

/// `value` rounded to `digits` significant figures, in plain notation for moderate magnitudes and
/// scientific notation (`1.23e-7`) for very small or large ones.
pub fn fmt_sig(value: f64, digits: u32) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let digits = digits.max(1);
    let exp = value.abs().log10().floor() as i32;
    let rounded = round_sig(value, digits);
    // Rounding can carry into a new decade (9.99 → 10.0).
    let exp = if rounded.abs() >= 10f64.powi(exp + 1) {
        exp + 1
    } else {
        exp
    };
    if !(-5..=9).contains(&exp) {
        let mantissa = rounded / 10f64.powi(exp);
        return format!("{:.*}e{}", (digits - 1) as usize, mantissa, exp);
    }
    let places = (digits as i32 - 1 - exp).max(0) as usize;
    format!("{rounded:.places$}")
}

/// `value` rounded to `digits` significant figures.
pub fn round_sig(value: f64, digits: u32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let exp = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits as i32 - 1 - exp);
    let r = (value * scale).round() / scale;
    // Re-parse the printed form so the result is the closest double to the decimal shown.
    format!("{r:.15e}").parse().unwrap_or(r)
}

/// `x` in plain decimal notation without trailing zeros (0.65, not 0.6499999999999999 or 0.650).
pub fn trim_float(x: f64) -> String {
    trim_float_str(format!("{x:.10}"))
}

fn trim_float_str(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sig_figs_round_and_print() {
        assert_eq!(fmt_sig(0.0123456, 3), "0.0123");
        assert_eq!(fmt_sig(123456.0, 3), "123000");
        assert_eq!(fmt_sig(9.996, 3), "10.0");
        assert_eq!(fmt_sig(1.234e-7, 3), "1.23e-7");
        assert_eq!(round_sig(0.0123456, 3), 0.0123);
    }

    #[test]
    fn sig_fig_tolerance_accepts_rounded_and_rejects_next_digit() {
        let t = Tolerance::SigFigs { digits: 3 };
        assert!(t.accepts(0.012345, 0.0123));
        // 0.0124 is 5.5e-5 away, beyond the 0.51e-4 half-width of the third significant place.
        assert!(!t.accepts(0.012345, 0.0124));
    }

    #[test]
    fn describe_states_precision() {
        assert_eq!(
            Tolerance::SigFigs { digits: 3 }.describe(),
            "to 3 significant figures"
        );
        assert_eq!(
            Tolerance::Rel { rel: 0.005 }.describe(),
            "within ±0.5% of the value"
        );
        // On an answer in percent, an absolute tolerance is in percentage points.
        let slot = AnswerSlot::new(
            "",
            Expected::Real {
                value: 0.96,
                tolerance: Tolerance::Abs { abs: 2.0 },
            },
        )
        .unit("%");
        assert_eq!(
            slot.describe(),
            "a number, within ±2 percentage points, in percent"
        );
        assert_eq!(Tolerance::Abs { abs: 0.01 }.describe(), "within ±0.01");
    }

    #[test]
    fn the_window_accepts_what_a_marker_reading_the_key_accepts() {
        // Exact 1.92857…, printed 1.93 to 3 significant figures. A human marker accepts anything
        // that rounds to 1.93 (1.925 ≤ x < 1.935), and an answer within half a unit of the exact
        // value (1.92357 ≤ x ≤ 1.93357) is right too: together 1.92357 to 1.935.
        let t = Tolerance::SigFigs { digits: 3 };
        let exact = 27.0 / 14.0;
        assert_eq!(fmt_sig(exact, 3), "1.93");
        let w = t.window(exact);
        assert!(w.contains(1.934), "rounds to the printed 1.93");
        assert!(w.contains(1.924), "within half a unit of the exact value");
        assert!(!w.contains(1.936));
        assert!(!w.contains(1.923));
        assert_eq!(w.describe(), "1.9235 to 1.935");
        // Without a rounding gap the window is the printed value's rounding interval.
        assert_eq!(t.window(0.25).describe(), "0.2495 to 0.2505");
        // Decimal places work the same way; absolute and relative bands are centred on the value.
        let w = Tolerance::Decimals { places: 1 }.window(2.46);
        assert!(w.contains(2.45) && w.contains(2.55) && !w.contains(2.56) && !w.contains(2.40));
        let w = Tolerance::Rel { rel: 0.02 }.window(50.0);
        assert_eq!((w.lo, w.hi), (49.0, 51.0));
        assert_eq!(w.describe(), "49 to 51");
    }

    #[test]
    fn a_value_on_a_rounding_boundary_is_a_tie() {
        // 1.375 to 3 significant figures is exactly halfway between 1.37 and 1.38.
        let t = Tolerance::SigFigs { digits: 3 };
        assert!(t.tie_distance(1.375).unwrap() < 1e-9);
        assert!((t.tie_distance(1.37).unwrap() - 0.5).abs() < 1e-6);
        assert!(t.tie_distance(1.3755).unwrap() > 0.02);
        assert_eq!(Tolerance::Rel { rel: 0.01 }.tie_distance(1.375), None);
    }

    #[test]
    fn a_relative_tolerance_prints_whole_numbers_in_full() {
        // A sample size is a whole number: the key says 1068, not 1070.
        let t = Tolerance::Rel { rel: 0.05 };
        assert_eq!(format_real(1068.0, &t), "1068");
        assert_eq!(format_real(50.0, &t), "50.0");
        assert_eq!(format_real(12.34, &t), "12.3");
    }
}
