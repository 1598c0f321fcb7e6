//! Spec → Pack: plan the slots, generate each question (in parallel), cross-check it, and collect
//! the questions in slot order.
//!
//! The plan is sequential and cheap (which family goes in which slot, from the pack seed); the
//! generation is parallel with rayon and collected by index, so the output is byte-identical on any
//! number of threads. Every question is cross-checked as it is generated: a key whose two routes
//! disagree is a bug, and the pack is refused rather than printed with an untrustworthy answer.

use crate::error::Error;
use crate::family::{self, Family, Question};
use crate::seal::Seal;
use crate::seed;
use crate::spec::{Pick, Spec};
use rand::seq::SliceRandom;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The version of the JSON pack layout; bump it when a field changes meaning or is removed.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything printed on the paper's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackMeta {
    /// The title.
    pub title: String,
    /// The pack code, printed on the paper: it regenerates the pack (see [`crate::code::pack_code`]).
    pub code: String,
    /// True for a sealed pack: regenerating it from its code needs the secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sealed: bool,
    /// The pack seed.
    pub seed: u64,
    /// Time allowed, as printed.
    pub duration: String,
    /// Instructions for the candidate.
    pub instructions: String,
    /// The sum of every question's points.
    pub total_points: u32,
    /// The sum of every question's estimated minutes (for a strong candidate).
    #[serde(default)]
    pub minutes: u32,
    /// The generator and its version, e.g. "groundwork 0.1.0".
    pub generator: String,
    /// The candidate's name (or id) for the name line, when a batch made the pack for one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub candidate: String,
    /// The printed page size (the spec's `page`).
    #[serde(default, skip_serializing_if = "is_a4")]
    pub page: crate::spec::Page,
    /// Room to work under each question (the spec's `working`); absent: by each question's
    /// estimated minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working: Option<crate::spec::Working>,
}

fn is_a4(p: &crate::spec::Page) -> bool {
    *p == crate::spec::Page::A4
}

/// A generated pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    /// The JSON layout version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Header data.
    pub meta: PackMeta,
    /// The questions, numbered from 1 in this order.
    pub questions: Vec<Question>,
}

/// One planned slot: which family, in which section, with which seed and pins.
struct Slot {
    family: &'static dyn Family,
    section: usize,
    seed: u64,
    pins: family::Pins,
}

/// The skill tags of a family: every tag of every ask it declares.
fn skills(f: &dyn Family) -> Vec<&'static str> {
    f.asks()
        .iter()
        .flat_map(|a| a.tags.iter().copied())
        .collect()
}

/// Chooses `count` families for a topic section from `pool` (already shuffled by the family
/// seed): never one already on the paper (unless the section repeats), and, while others remain,
/// none sharing a skill tag with one chosen earlier in the section.
fn choose(
    pool: &[&'static dyn Family],
    count: usize,
    placed: &[&str],
    repeat: bool,
) -> Vec<&'static dyn Family> {
    let mut left: Vec<&'static dyn Family> = pool
        .iter()
        .copied()
        .filter(|f| repeat || !placed.contains(&f.id()))
        .collect();
    let mut chosen: Vec<&'static dyn Family> = Vec::new();
    while chosen.len() < count && !left.is_empty() {
        let used: Vec<&str> = chosen.iter().flat_map(|f| skills(*f)).collect();
        let i = left
            .iter()
            .position(|f| skills(*f).iter().all(|t| !used.contains(t)))
            .unwrap_or(0);
        chosen.push(left.remove(i));
    }
    // With `repeat = true`, cycle through the choice to fill the count.
    let n = chosen.len();
    for i in n..count {
        if n == 0 {
            break;
        }
        chosen.push(chosen[i % n]);
    }
    chosen
}

/// Plans every slot of a spec. Which families go where depends only on the family seed (so a
/// batch can give every candidate the same families); the question seeds on the pack seed.
fn plan(spec: &Spec) -> Vec<Slot> {
    // Explicit sections place their families first; topic sections then draw from the rest.
    let mut placed: Vec<&str> = Vec::new();
    for s in &spec.sections {
        if let Pick::Families(f) = &s.pick {
            placed.extend(f.iter().map(|f| f.id()));
        }
    }
    let mut per_section: Vec<Vec<&'static dyn Family>> = Vec::new();
    for (si, section) in spec.sections.iter().enumerate() {
        let fams = match &section.pick {
            Pick::Topic(t) => {
                let mut pool: Vec<&'static dyn Family> = family::of_topic(*t)
                    .into_iter()
                    .filter(|f| {
                        !spec.paper_only || !family::paper_asks(*f, section.difficulty).is_empty()
                    })
                    .collect();
                pool.shuffle(&mut seed::section_rng(spec.family_seed(), si as u32));
                let chosen = choose(&pool, section.count as usize, &placed, section.repeat);
                placed.extend(chosen.iter().map(|f| f.id()));
                chosen
            }
            Pick::Families(f) => (0..section.count as usize)
                .map(|i| f[i % f.len()])
                .collect(),
        };
        per_section.push(fams);
    }
    let mut slots = Vec::new();
    for (si, fams) in per_section.into_iter().enumerate() {
        let section = &spec.sections[si];
        for fam in fams {
            let slot = slots.len() as u32;
            let mut pins = Spec::pins_for(section, fam);
            // With a family seed (a batch's `vary = "numbers"`), every candidate gets the same
            // ask of each family too, drawn from the family seed: the same kind of question with
            // the same parts, so `grade` can compare a question slot across candidates. (Only
            // where the section pins nothing of that family, so no pin goes unused.)
            let same_asks = spec.family_seed.is_some() && pins.is_empty();
            if (spec.paper_only || same_asks) && !pins.contains_key("ask") {
                // Pin a paper-friendly ask when some drawn asks need a computer. A pinned ask
                // gives the same question as a draw that landed on it, and the code carries it.
                let drawn = fam.params().iter().find(|p| p.key == "ask").map(|p| p.kind);
                if let Some(family::ParamKind::Choice { draw, .. }) = drawn {
                    let drawn = draw[section.difficulty.index()];
                    let ok = if spec.paper_only {
                        family::paper_asks(fam, section.difficulty)
                    } else {
                        drawn.to_vec()
                    };
                    let narrowed = spec.paper_only && ok.len() < drawn.len();
                    if !ok.is_empty() && (narrowed || (same_asks && ok.len() > 1)) {
                        let seed = if same_asks {
                            spec.family_seed()
                        } else {
                            spec.seed
                        };
                        let mut rng = seed::paper_ask_rng(seed, slot);
                        let a = ok[rng.random_range(0..ok.len())];
                        pins.insert("ask".into(), family::ParamValue::Choice(a.to_string()));
                    }
                }
            }
            slots.push(Slot {
                family: fam,
                section: si,
                seed: seed::question_seed(spec.seed, slot, fam.id(), fam.version()),
                pins,
            });
        }
    }
    slots
}

/// Generates one question and stamps its code: where a family's output becomes a question a user
/// sees. [`build`], `show`, `practice` and the audit all come through here.
pub fn question(
    family: &'static dyn Family,
    seed: u64,
    difficulty: family::Difficulty,
    pins: &family::Pins,
    seal: Option<&Seal>,
) -> Result<Question, Error> {
    let mut q = family::generate_sealed(family, seed, difficulty, pins, seal).map_err(|e| {
        match e.into_error(family.id()) {
            // Real code failed to run: a bug, unless the temporary folder is the cause.
            Error::Generate {
                family,
                message,
                hint: None,
            } => Error::Generate {
                family,
                message,
                hint: Error::temp_dir_problem(),
            },
            e => e,
        }
    })?;
    q.code = crate::code::question_code(&q, seal);
    Ok(q)
}

/// Builds the pack a spec describes; with a seal, a sealed pack (see [`crate::seal`]).
pub fn build(spec: &Spec, seal: Option<&Seal>) -> Result<Pack, Error> {
    // A parsed spec or pack code is already held to the limit; a spec built in code is held here,
    // so no path builds (or regenerates for `check`) more questions than a pack may hold.
    let total: u64 = spec.sections.iter().map(|s| u64::from(s.count)).sum();
    if total > u64::from(crate::spec::MAX_COUNT) {
        return Err(Error::Spec {
            at: "pack".into(),
            message: format!("the spec asks for {total} questions"),
            hint: format!(
                "a pack holds at most {} questions; use `groundwork batch` for many candidates",
                crate::spec::MAX_COUNT
            ),
        });
    }
    let slots = plan(spec);
    let questions: Vec<Question> = slots
        .par_iter()
        .enumerate()
        .map(|(i, slot)| {
            let section = &spec.sections[slot.section];
            let mut q = question(slot.family, slot.seed, section.difficulty, &slot.pins, seal)?;
            family::cross_check_sealed(slot.family, &q, seal).map_err(|e| Error::CrossCheck {
                at: format!("question {} ({})", i + 1, q.code),
                message: e.to_string(),
            })?;
            q.points = section.points;
            Ok(q)
        })
        .collect::<Result<_, Error>>()?;
    let total_points = questions.iter().map(|q| q.points).sum();
    let minutes = questions.iter().map(|q| q.minutes as u32).sum();
    Ok(Pack {
        schema_version: SCHEMA_VERSION,
        meta: PackMeta {
            title: spec.title.clone(),
            code: crate::code::pack_code(spec, seal, &family::FAMILIES),
            sealed: seal.is_some(),
            seed: spec.seed,
            duration: spec.duration.clone(),
            instructions: spec.instructions.clone(),
            total_points,
            minutes,
            generator: format!("groundwork {}", env!("CARGO_PKG_VERSION")),
            candidate: String::new(),
            page: spec.page,
            working: spec.working,
        },
        questions,
    })
}
