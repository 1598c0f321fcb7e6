//! Pack specs: the TOML a hiring manager writes, parsed and validated into a [`Spec`].
//!
//! ```toml
//! title = "Backend fundamentals: final round"
//! seed = 2026
//! duration = "60 minutes"
//! instructions = "Answer every question. Calculators are allowed."
//!
//! [[section]]
//! topic = "hashing"          # pick `count` families of a topic…
//! count = 2
//! difficulty = "medium"      # easy | medium | hard
//!
//! [[section]]
//! families = ["optimization.cache_policy"]   # …or name families explicitly
//! difficulty = "hard"
//! points = 10
//! set = { policy = "opt" }   # pin parameters of the section's families
//! ```
//!
//! Every error carries `file:line:col` (from the TOML spans) or the section and field, what was
//! wrong, and a hint; unknown keys are rejected so a typo never silently falls back to a default.

use crate::error::Error;
use crate::family::{self, Difficulty, Family, ParamValue, Pins, Topic, DEFAULT_POINTS};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The built-in default spec: 8 questions, 2 per topic, medium difficulty, a fixed seed.
pub const DEFAULT_SPEC: &str = include_str!("default_spec.toml");

/// The most questions a section may ask for; a guard against a typo such as `count = 2000`.
pub const MAX_COUNT: u32 = 100;

/// The longest title, in characters: a heading, not a document (a 173 kB title once made the
/// PDF export take 2.1 GB).
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest duration, in characters ("60 minutes").
pub const MAX_DURATION_CHARS: usize = 60;
/// The longest instructions, in characters: a few paragraphs.
pub const MAX_INSTRUCTIONS_CHARS: usize = 4000;

/// Refuses a free-text field longer than `max` characters; `at` says where it came from.
pub fn check_length(at: &str, field: &str, value: &str, max: usize) -> Result<(), Error> {
    let n = value.chars().count();
    if n > max {
        return Err(Error::Spec {
            at: at.to_string(),
            message: format!("`{field}` is {n} characters long; the limit is {max}"),
            hint: format!("shorten it to at most {max} characters"),
        });
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    title: Option<Spanned<String>>,
    seed: Option<Spanned<i64>>,
    duration: Option<Spanned<String>>,
    instructions: Option<Spanned<String>>,
    points: Option<Spanned<i64>>,
    paper: Option<bool>,
    family_seed: Option<Spanned<i64>>,
    vary: Option<Spanned<String>>,
    working: Option<Spanned<String>>,
    page: Option<Spanned<String>>,
    #[serde(default)]
    section: Vec<Spanned<RawSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    topic: Option<Spanned<String>>,
    families: Option<Spanned<Vec<Spanned<String>>>>,
    count: Option<Spanned<i64>>,
    difficulty: Option<Spanned<String>>,
    points: Option<Spanned<i64>>,
    repeat: Option<bool>,
    #[serde(default)]
    set: BTreeMap<String, Spanned<toml::Value>>,
}

/// What differs between the candidates of a batch (`vary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vary {
    /// Every candidate gets the same families in the same order, each with the same ask; only
    /// the numbers differ. The default: papers that ask the same things can be compared and
    /// marked side by side.
    #[default]
    Numbers,
    /// Each candidate's topic sections draw their own families (harder to share answers, but the
    /// papers are no longer comparable).
    Families,
}

/// Room to work under each question on the printed paper (`working`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Working {
    /// Only the answer boxes.
    None,
    /// About 3 cm.
    Small,
    /// About 8 cm.
    Large,
}

impl Working {
    /// The space under a question the family estimates at `minutes` when the spec leaves
    /// `working` unset: none for a question with no estimate, small up to 4 minutes, large above.
    pub fn for_minutes(minutes: u8) -> Working {
        match minutes {
            0 => Working::None,
            1..=4 => Working::Small,
            _ => Working::Large,
        }
    }
}

/// The page size of the printed paper (`page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Page {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Page {
    /// Its name in specs and templates.
    pub fn name(self) -> &'static str {
        match self {
            Page::A4 => "a4",
            Page::Letter => "letter",
        }
    }
}

/// Parses one of `options` (`(name, value)`), or says which was meant.
fn one_of<T: Copy>(
    key: &str,
    given: &str,
    options: &[(&'static str, T)],
) -> Result<T, (String, String)> {
    if let Some((_, v)) = options.iter().find(|(n, _)| *n == given.trim()) {
        return Ok(*v);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = match crate::text::closest(given, names.iter().copied()) {
        Some(c) => format!("did you mean \"{c}\"? {key} takes one of {list}"),
        None => format!("{key} takes one of {list}"),
    };
    Err((
        format!(
            "{key} = \"{}\" is not a known value",
            crate::text::echo(given)
        ),
        hint,
    ))
}

/// Parses a `vary` value (spec key or `--vary`).
pub fn parse_vary(given: &str) -> Result<Vary, (String, String)> {
    one_of(
        "vary",
        given,
        &[("numbers", Vary::Numbers), ("families", Vary::Families)],
    )
}

/// What a section draws from.
#[derive(Clone)]
pub enum Pick {
    /// `count` families of a topic, chosen by the family seed, none already on the paper.
    Topic(Topic),
    /// These families, in order (repeated to fill `count` only with `repeat = true`).
    Families(Vec<&'static dyn Family>),
}

impl std::fmt::Debug for Pick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pick::Topic(t) => write!(f, "Topic({t})"),
            Pick::Families(fs) => f.debug_list().entries(fs.iter().map(|x| x.id())).finish(),
        }
    }
}

/// One validated section.
#[derive(Debug, Clone)]
pub struct Section {
    /// What it draws from.
    pub pick: Pick,
    /// How many questions.
    pub count: u32,
    /// At which difficulty.
    pub difficulty: Difficulty,
    /// Points per question.
    pub points: u32,
    /// Pinned parameters, by key; each applies to the section's families that declare it.
    pub set: Pins,
    /// True when the section may repeat families (`repeat = true`); otherwise a family appears
    /// at most once on the paper.
    pub repeat: bool,
}

/// A validated pack spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The title on the paper.
    pub title: String,
    /// The pack seed.
    pub seed: u64,
    /// The time allowed, as printed ("60 minutes").
    pub duration: String,
    /// Instructions printed under the title.
    pub instructions: String,
    /// Paper-only (`paper = true`, `--paper-only`): no question that needs a computer.
    pub paper_only: bool,
    /// The seed that chooses the families of topic sections (`family_seed`; default: `seed`). A
    /// batch keeps it fixed so that every candidate gets the same families with other numbers.
    pub family_seed: Option<u64>,
    /// What differs between a batch's candidates (`vary`; default: only the numbers).
    pub vary: Vary,
    /// Room to work under each question (`working`); `None` follows each question's minutes.
    pub working: Option<Working>,
    /// The printed page size (`page`).
    pub page: Page,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// Converts a byte offset into 1-based line and column.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

impl Spec {
    /// The built-in default spec.
    pub fn default_spec() -> Spec {
        Spec::parse(DEFAULT_SPEC, "<built-in default spec>").expect("the default spec is valid")
    }

    /// Parses and validates a spec; `origin` (a file name) prefixes error locations.
    pub fn parse(src: &str, origin: &str) -> Result<Spec, Error> {
        let at = |span: std::ops::Range<usize>| {
            let (l, c) = line_col(src, span.start);
            format!("{origin}:{l}:{c}")
        };
        let err = |span: std::ops::Range<usize>, message: String, hint: String| Error::Spec {
            at: at(span),
            message,
            hint,
        };
        let raw: RawSpec = toml::from_str(src).map_err(|e| {
            let where_ = e.span().map(at).unwrap_or_else(|| origin.to_string());
            let message = e.message().trim().to_string();
            let hint = if message.contains("unknown field") {
                "top-level keys are title, seed, family_seed, duration, instructions, points, paper, \
                 vary, working, page and [[section]]; section keys are topic, families, count, difficulty, points, \
                 repeat and set"
                    .to_string()
            } else {
                "see the spec format in README.md (`groundwork generate --help` shows an example)"
                    .to_string()
            };
            Error::Spec {
                at: where_,
                message,
                hint,
            }
        })?;

        let seed_of = |s: &Spanned<i64>, key: &str| {
            if *s.get_ref() < 0 {
                Err(err(
                    s.span(),
                    format!("{key} {} is negative", s.get_ref()),
                    "use a whole number ≥ 0".into(),
                ))
            } else {
                Ok(*s.get_ref() as u64)
            }
        };
        let seed = match &raw.seed {
            None => 1,
            Some(s) => seed_of(s, "seed")?,
        };
        let family_seed = raw
            .family_seed
            .as_ref()
            .map(|s| seed_of(s, "family_seed"))
            .transpose()?;
        let paper_only = raw.paper.unwrap_or(false);
        let mut vary = Vary::default();
        let mut working = None;
        let mut page = Page::default();
        if let Some(v) = &raw.vary {
            vary = parse_vary(v.get_ref()).map_err(|(m, h)| err(v.span(), m, h))?;
        }
        if let Some(v) = &raw.working {
            working = one_of(
                "working",
                v.get_ref(),
                &[
                    ("none", Some(Working::None)),
                    ("small", Some(Working::Small)),
                    ("large", Some(Working::Large)),
                    ("auto", None),
                ],
            )
            .map_err(|(m, h)| err(v.span(), m, h))?;
        }
        if let Some(v) = &raw.page {
            page = one_of(
                "page",
                v.get_ref(),
                &[("a4", Page::A4), ("letter", Page::Letter)],
            )
            .map_err(|(m, h)| err(v.span(), m, h))?;
        }
        let default_points = match raw.points {
            None => DEFAULT_POINTS,
            Some(p) => points(&p).map_err(|(m, h)| err(p.span(), m, h))?,
        };
        if raw.section.is_empty() {
            return Err(Error::Spec {
                at: origin.to_string(),
                message: "the spec has no [[section]]".into(),
                hint:
                    "add at least one section, such as\n[[section]]\ntopic = \"hashing\"\ncount = 2"
                        .into(),
            });
        }
        let mut sections = Vec::new();
        let mut spans = Vec::new();
        for (i, s) in raw.section.into_iter().enumerate() {
            let span = s.span();
            let s = s.into_inner();
            let n = i + 1;
            let pick = match (&s.topic, &s.families) {
                (Some(_), Some(f)) => {
                    return Err(err(
                        f.span(),
                        format!("section {n} has both `topic` and `families`"),
                        "use one: a topic to draw from, or a list of family ids".into(),
                    ))
                }
                (Some(t), None) => Pick::Topic(Topic::parse(t.get_ref()).map_err(|e| {
                    err(t.span(), format!("section {n}: {e}"), e.hint().unwrap_or_default())
                })?),
                (None, Some(fs)) => {
                    if fs.get_ref().is_empty() {
                        return Err(err(fs.span(), format!("section {n}: `families` is empty"), "list at least one family id".into()));
                    }
                    let mut list = Vec::new();
                    for f in fs.get_ref() {
                        list.push(family::lookup(f.get_ref()).map_err(|e| {
                            err(f.span(), format!("section {n}: {e}"), e.hint().unwrap_or_default())
                        })?);
                    }
                    Pick::Families(list)
                }
                (None, None) => {
                    return Err(err(
                        span,
                        format!("section {n} picks nothing"),
                        "give it `topic = \"hashing\"` (with a count) or `families = [\"hashing.birthday\"]`".into(),
                    ))
                }
            };
            let count = match (&s.count, &pick) {
                (Some(c), _) => {
                    let v = *c.get_ref();
                    if v < 1 || v > MAX_COUNT as i64 {
                        return Err(err(
                            c.span(),
                            format!("section {n}: count {v} is out of range"),
                            format!("count takes 1..={MAX_COUNT}"),
                        ));
                    }
                    v as u32
                }
                (None, Pick::Families(f)) => f.len() as u32,
                (None, Pick::Topic(_)) => 1,
            };
            let difficulty = match &s.difficulty {
                None => Difficulty::Medium,
                Some(d) => Difficulty::parse(d.get_ref()).map_err(|e| {
                    err(
                        d.span(),
                        format!("section {n}: {e}"),
                        e.hint().unwrap_or_default(),
                    )
                })?,
            };
            let points = match &s.points {
                None => default_points,
                Some(p) => self::points(p)
                    .map_err(|(m, h)| err(p.span(), format!("section {n}: {m}"), h))?,
            };
            let families: Vec<&'static dyn Family> = match &pick {
                Pick::Topic(t) => family::of_topic(*t),
                Pick::Families(f) => f.clone(),
            };
            let mut set = Pins::new();
            for (key, value) in &s.set {
                let raw_value = match value.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    other => {
                        return Err(err(
                            value.span(),
                            format!("section {n}: set.{key} is a {}", other.type_str()),
                            "use a number or a string".into(),
                        ))
                    }
                };
                let declaring: Vec<_> = families
                    .iter()
                    .filter(|f| f.params().iter().any(|p| p.key == key))
                    .collect();
                if declaring.is_empty() {
                    return Err(err(
                        value.span(),
                        format!("section {n}: no family in this section has a parameter `{key}`"),
                        "run `groundwork families` to see each family's parameters".into(),
                    ));
                }
                let mut parsed: Option<ParamValue> = None;
                for f in declaring {
                    let v =
                        family::parse_pins(*f, &[format!("{key}={raw_value}")]).map_err(|e| {
                            err(
                                value.span(),
                                format!("section {n}: {}: {e}", f.id()),
                                e.hint().unwrap_or_default(),
                            )
                        })?;
                    parsed = v.into_values().next();
                }
                if let Some(v) = parsed {
                    set.insert(key.clone(), v);
                }
            }
            let repeat = s.repeat.unwrap_or(false);
            if paper_only {
                paper_check(&families, &pick, difficulty, &set)
                    .map_err(|(m, h)| err(span.clone(), format!("section {n}: {m}"), h))?;
            }
            spans.push(span);
            sections.push(Section {
                pick,
                count,
                difficulty,
                points,
                set,
                repeat,
            });
        }
        plan_check(&sections, paper_only)
            .map_err(|(i, m, h)| err(spans[i].clone(), format!("section {}: {m}", i + 1), h))?;
        for (field, value, max) in [
            ("title", &raw.title, MAX_TITLE_CHARS),
            ("duration", &raw.duration, MAX_DURATION_CHARS),
            ("instructions", &raw.instructions, MAX_INSTRUCTIONS_CHARS),
        ] {
            if let Some(v) = value {
                check_length(&at(v.span()), field, v.get_ref(), max)?;
            }
        }
        let total: u32 = sections.iter().map(|s| s.count).sum();
        if total > MAX_COUNT {
            return Err(Error::Spec {
                at: origin.to_string(),
                message: format!("the spec asks for {total} questions"),
                hint: format!("a pack holds at most {MAX_COUNT} questions; use `groundwork batch` for many candidates"),
            });
        }
        Ok(Spec {
            title: raw
                .title
                .map_or_else(|| "Backend fundamentals".into(), Spanned::into_inner),
            seed,
            duration: raw
                .duration
                .map_or_else(|| "60 minutes".into(), Spanned::into_inner),
            instructions: raw
                .instructions
                .map(Spanned::into_inner)
                .unwrap_or_default(),
            paper_only,
            family_seed,
            vary,
            working,
            page,
            sections,
        })
    }

    /// The seed that chooses the families of topic sections.
    pub fn family_seed(&self) -> u64 {
        self.family_seed.unwrap_or(self.seed)
    }

    /// Reads and parses a spec file (at most 16 MiB of UTF-8, see [`crate::input`]).
    pub fn load(path: &std::path::Path) -> Result<Spec, Error> {
        let src = crate::input::read_text(path, "the spec")?;
        Spec::parse(&src, &path.display().to_string())
    }

    /// The pins a section applies to one of its families: the keys that family declares.
    pub fn pins_for(section: &Section, family: &dyn Family) -> Pins {
        section
            .set
            .iter()
            .filter(|(k, _)| family.params().iter().any(|p| p.key == k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Under `paper = true`: every family of an explicit section has a paper-friendly ask at the
/// section's difficulty, and a pinned `ask` is one of them.
fn paper_check(
    families: &[&'static dyn Family],
    pick: &Pick,
    d: Difficulty,
    set: &Pins,
) -> Result<(), (String, String)> {
    let Pick::Families(_) = pick else {
        return Ok(());
    };
    for f in families {
        let ok = family::paper_asks(*f, d);
        if ok.is_empty() {
            return Err((
                format!(
                    "{} needs a computer at {d} difficulty, and the spec says `paper = true`",
                    f.id()
                ),
                "pick another difficulty or family, or drop `paper = true`".into(),
            ));
        }
        if let Some(ParamValue::Choice(a)) = set.get("ask") {
            let needs = f.asks().iter().any(|x| x.id == a && x.needs_computer_at(d));
            if f.params().iter().any(|p| p.key == "ask") && needs {
                return Err((
                    format!("{}: ask = {a} needs a computer at {d} difficulty, and the spec says `paper = true`", f.id()),
                    format!("pin one of: {}", ok.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

/// A family appears at most once on a paper unless its section says `repeat = true`: explicit
/// sections may not name a family twice, and a topic section may not ask for more families than
/// remain once the explicit sections (and earlier topic sections) have taken theirs.
fn plan_check(sections: &[Section], paper_only: bool) -> Result<(), (usize, String, String)> {
    let mut placed: Vec<&str> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        if let Pick::Families(fs) = &s.pick {
            for f in fs {
                if !s.repeat && placed.contains(&f.id()) {
                    return Err((
                        i,
                        format!("{} is already on the paper", f.id()),
                        "a family appears once per paper; remove the repeat, or say `repeat = true` in this section".into(),
                    ));
                }
                placed.push(f.id());
            }
            if !s.repeat && s.count as usize > fs.len() {
                return Err((
                    i,
                    format!(
                        "count {} is more than the {} families listed",
                        s.count,
                        fs.len()
                    ),
                    "list more families, lower the count, or say `repeat = true` to repeat them"
                        .into(),
                ));
            }
        }
    }
    for (i, s) in sections.iter().enumerate() {
        if let Pick::Topic(t) = s.pick {
            let available: Vec<&str> = family::of_topic(t)
                .into_iter()
                .filter(|f| !placed.contains(&f.id()))
                .filter(|f| !paper_only || !family::paper_asks(*f, s.difficulty).is_empty())
                .map(|f| f.id())
                .collect();
            if !s.repeat && s.count as usize > available.len() {
                return Err((
                    i,
                    format!(
                        "count {} is more than the {} {t} families left for this section",
                        s.count,
                        available.len()
                    ),
                    format!(
                        "lower the count to {}, or say `repeat = true` to allow repeats",
                        available.len()
                    ),
                ));
            }
            if !s.repeat {
                placed.extend(available.into_iter().take(s.count as usize));
            }
        }
    }
    Ok(())
}

fn points(p: &Spanned<i64>) -> Result<u32, (String, String)> {
    let v = *p.get_ref();
    if (1..=100).contains(&v) {
        Ok(v as u32)
    } else {
        Err((
            format!("points {v} is out of range"),
            "points take 1..=100".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_has_two_per_topic() {
        // The built-in sample covers the four original topics, two questions each (a fixed,
        // 60-minute paper); topics added later are not forced into it.
        let s = Spec::default_spec();
        assert_eq!(s.sections.iter().map(|s| s.count).sum::<u32>(), 8);
        for t in [
            Topic::Hashing,
            Topic::Probability,
            Topic::Filesystem,
            Topic::Optimization,
        ] {
            let n: u32 = s
                .sections
                .iter()
                .filter(|s| matches!(s.pick, Pick::Topic(x) if x == t))
                .map(|s| s.count)
                .sum();
            assert_eq!(n, 2, "{t}");
        }
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let e =
            Spec::parse("title = \"x\"\n[[section]]\ntopic = \"hashng\"\n", "p.toml").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("p.toml:3:9:"), "{msg}");
        assert!(e.hint().unwrap().contains("hashing"), "{:?}", e.hint());
    }

    #[test]
    fn malformed_toml_reports_position() {
        let e = Spec::parse("title = \"x\"\nseed = = 3\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e =
            Spec::parse("titel = \"x\"\n[[section]]\ntopic=\"hashing\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("titel"), "{e}");
    }
}
