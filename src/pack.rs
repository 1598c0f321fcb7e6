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
    /// The generator and its version, e.g. "groundwork 0.1.0".
    pub generator: String,
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

/// One planned slot: which family, at which difficulty and points, with which pins.
struct Slot {
    family: &'static dyn Family,
    section: usize,
    seed: u64,
}

/// Plans every slot of a spec.
fn plan(spec: &Spec) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (si, section) in spec.sections.iter().enumerate() {
        let pool: Vec<&'static dyn Family> = match &section.pick {
            Pick::Topic(t) => {
                let mut fams = family::of_topic(*t);
                fams.shuffle(&mut seed::section_rng(spec.seed, si as u32));
                fams
            }
            Pick::Families(f) => f.clone(),
        };
        for i in 0..section.count as usize {
            let fam = pool[i % pool.len()];
            let slot = slots.len() as u32;
            slots.push(Slot {
                family: fam,
                section: si,
                seed: seed::question_seed(spec.seed, slot, fam.id(), fam.version()),
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
    let mut q = family::generate_sealed(family, seed, difficulty, pins, seal)
        .map_err(|e| e.into_error(family.id()))?;
    q.code = crate::code::question_code(&q);
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
            hint: format!("a pack holds at most {} questions; use `groundwork batch` for many candidates", crate::spec::MAX_COUNT),
        });
    }
    let slots = plan(spec);
    let questions: Vec<Question> = slots
        .par_iter()
        .enumerate()
        .map(|(i, slot)| {
            let section = &spec.sections[slot.section];
            let pins = Spec::pins_for(section, slot.family);
            let mut q = question(slot.family, slot.seed, section.difficulty, &pins, seal)?;
            family::cross_check_sealed(slot.family, &q, seal).map_err(|e| Error::CrossCheck {
                at: format!("question {} ({})", i + 1, q.code),
                message: e.to_string(),
            })?;
            q.points = section.points;
            Ok(q)
        })
        .collect::<Result<_, Error>>()?;
    let total_points = questions.iter().map(|q| q.points).sum();
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
            generator: format!("groundwork {}", env!("CARGO_PKG_VERSION")),
        },
        questions,
    })
}
