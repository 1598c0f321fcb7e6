//! `groundwork catalog --out DIR`: a static, offline HTML catalogue of every family, written as
//! `DIR/index.html`. Per family: what it asks, its key and second route, its asks (minutes, tags,
//! paper suitability), its parameters in words, and one sample question per difficulty as the
//! paper shows it, with its key. Filters (topic, tag, paper-only, text) and a spec builder run in
//! plain JavaScript inside the page, with no network; the builder writes a `spec.toml` that
//! `groundwork generate --spec` accepts.

use super::Output;
use crate::answer::{letter, Expected};
use crate::cli::CatalogArgs;
use crate::content::{spans, Content, Span};
use crate::error::Error;
use crate::export::{self, Templates};
use crate::family::{self, Difficulty, Family, ParamKind, ParamSpec, Topic, FAMILIES};
use rayon::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
struct Catalog {
    generator: String,
    topics: Vec<TopicView>,
    tags: Vec<&'static str>,
    families: Vec<FamilyView>,
    count: usize,
}

#[derive(Serialize)]
struct TopicView {
    id: &'static str,
    heading: &'static str,
}

#[derive(Serialize)]
struct FamilyView {
    id: &'static str,
    topic: &'static str,
    topic_heading: &'static str,
    title: &'static str,
    about: family::About,
    minutes: String,
    tags: Vec<&'static str>,
    /// Difficulties at which some ask can be done on paper.
    paper: Vec<&'static str>,
    asks: Vec<AskView>,
    params: Vec<ParamView>,
    samples: Vec<Sample>,
}

#[derive(Serialize)]
struct AskView {
    id: &'static str,
    minutes: [u8; 3],
    computer: Vec<&'static str>,
    judgment: bool,
}

#[derive(Serialize)]
struct ParamView {
    key: &'static str,
    help: &'static str,
    range: String,
    draws: Vec<String>,
}

#[derive(Serialize)]
struct Sample {
    difficulty: &'static str,
    code: String,
    minutes: u8,
    needs_computer: bool,
    prompt: Content,
    parts: Vec<SamplePart>,
}

#[derive(Serialize)]
struct SamplePart {
    label: String,
    ask: Vec<Span>,
    format: String,
    reference: String,
    accepted: String,
    options: Vec<SampleOption>,
}

#[derive(Serialize)]
struct SampleOption {
    letter: char,
    text: Vec<Span>,
    correct: bool,
}

fn range_words(p: &ParamSpec) -> String {
    match p.kind {
        ParamKind::Int { min, max, .. } => format!("{min} to {max}"),
        ParamKind::Real { min, max, .. } => format!("{min} to {max}"),
        ParamKind::Choice { options, .. } => format!("one of {}", options.join(", ")),
    }
}

fn draw_words(p: &ParamSpec, d: Difficulty) -> String {
    let i = d.index();
    let w = match p.kind {
        ParamKind::Int { draw, .. } if draw[i].0 == draw[i].1 => draw[i].0.to_string(),
        ParamKind::Int { draw, .. } => format!("{} to {}", draw[i].0, draw[i].1),
        ParamKind::Real { draw, .. } if draw[i].0 == draw[i].1 => draw[i].0.to_string(),
        ParamKind::Real { draw, .. } => format!("{} to {}", draw[i].0, draw[i].1),
        ParamKind::Choice { draw, .. } => draw[i].join(", "),
    };
    format!("{}: {w}", d.id())
}

fn sample(f: &'static dyn Family, d: Difficulty) -> Result<Sample, Error> {
    let seed = crate::seed::question_seed(1, 0, f.id(), f.version());
    let q = crate::pack::question(f, seed, d, &family::Pins::new(), None)?;
    family::cross_check(f, &q).map_err(|e| Error::CrossCheck {
        at: q.code.clone(),
        message: e.to_string(),
    })?;
    let parts = q
        .slots
        .iter()
        .map(|s| {
            let right = |i: usize| match &s.expected {
                Expected::Choice { correct, .. } => *correct == i,
                Expected::Multi { correct, .. } => correct.contains(&i),
                _ => false,
            };
            SamplePart {
                label: s.label.clone(),
                ask: spans(&s.ask),
                format: s.describe(),
                reference: s.expected.reference(),
                accepted: s.accepted_text().unwrap_or_default(),
                options: s
                    .expected
                    .options()
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(i, o)| SampleOption {
                        letter: letter(i),
                        text: spans(&o.text),
                        correct: right(i),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Sample {
        difficulty: d.id(),
        code: q.code.clone(),
        minutes: q.minutes,
        needs_computer: q.needs_computer,
        prompt: q.prompt,
        parts,
    })
}

fn view(f: &'static dyn Family) -> Result<FamilyView, Error> {
    let mut tags: Vec<&'static str> = Vec::new();
    for t in f.asks().iter().flat_map(|a| a.tags.iter().copied()) {
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let all: Vec<u8> = f.asks().iter().flat_map(|a| a.minutes).collect();
    let minutes = match (all.iter().min(), all.iter().max()) {
        (Some(a), Some(b)) if a == b => format!("{a} min"),
        (Some(a), Some(b)) => format!("{a}–{b} min"),
        _ => String::new(),
    };
    Ok(FamilyView {
        id: f.id(),
        topic: f.topic().id(),
        topic_heading: f.topic().heading(),
        title: f.title(),
        about: f.about(),
        minutes,
        tags,
        paper: Difficulty::ALL
            .iter()
            .filter(|d| !family::paper_asks(f, **d).is_empty())
            .map(|d| d.id())
            .collect(),
        asks: f
            .asks()
            .iter()
            .map(|a| AskView {
                id: a.id,
                minutes: a.minutes,
                computer: Difficulty::ALL
                    .iter()
                    .filter(|d| a.needs_computer_at(**d))
                    .map(|d| d.id())
                    .collect(),
                judgment: a.judgment,
            })
            .collect(),
        params: f
            .params()
            .iter()
            .map(|p| ParamView {
                key: p.key,
                help: p.help,
                range: range_words(p),
                draws: Difficulty::ALL.iter().map(|d| draw_words(p, *d)).collect(),
            })
            .collect(),
        samples: Difficulty::ALL
            .iter()
            .map(|d| sample(f, *d))
            .collect::<Result<_, _>>()?,
    })
}

/// The catalogue page for every family, as bytes.
pub fn render(templates: &Templates) -> Result<Vec<u8>, Error> {
    let families: Vec<FamilyView> = FAMILIES
        .par_iter()
        .map(|f| view(*f))
        .collect::<Result<_, _>>()?;
    let mut tags: Vec<&'static str> = families.iter().flat_map(|f| f.tags.clone()).collect();
    tags.sort_unstable();
    tags.dedup();
    let catalog = Catalog {
        generator: format!("groundwork {}", env!("CARGO_PKG_VERSION")),
        topics: Topic::ALL
            .iter()
            .map(|t| TopicView {
                id: t.id(),
                heading: t.heading(),
            })
            .collect(),
        tags,
        count: families.len(),
        families,
    };
    Ok(templates
        .render("html/catalog.html", &catalog)?
        .into_bytes())
}

/// Runs `catalog`.
pub fn run(a: CatalogArgs) -> Result<Output, Error> {
    let templates = Templates::load(a.templates.as_deref())?;
    let page = render(&templates)?;
    let written = export::write_all(
        &a.out,
        &[("index.html".to_string(), page)],
        "catalogue",
        None,
    )?;
    let mut out = format!("catalogue of {} families\n", FAMILIES.len());
    for p in written.paths {
        out.push_str(&format!("  wrote {}\n", p.display()));
    }
    Ok(Output::ok(out))
}
