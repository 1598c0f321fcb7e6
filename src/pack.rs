//! Spec → Pack: plan the slots, generate each question (in parallel), cross-check it, and collect
//! the questions in slot order.
//!
//! The plan is sequential and cheap (which family goes in which slot, from the pack seed); the
//! generation is parallel with rayon and collected by index, so the output is byte-identical on any
//! number of threads. Every question is cross-checked as it is generated: a key whose two routes
//! disagree is a bug, and the pack is refused rather than printed with an untrustworthy answer.

use crate::code::{base32, group};
use crate::error::Error;
use crate::family::{self, Family, Question};
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
    /// The pack code, printed on the paper: identifies spec + seed + family versions.
    pub code: String,
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

/// The pack code: a fingerprint of the spec, the seed and the family versions used.
fn pack_code(spec: &Spec, questions: &[Question]) -> String {
    let mut h = blake3::Hasher::new_derive_key("groundwork 2026-11 pack code");
    h.update(spec.title.as_bytes());
    h.update(&spec.seed.to_le_bytes());
    for q in questions {
        h.update(q.code.as_bytes());
        h.update(&q.points.to_le_bytes());
    }
    let b = h.finalize();
    let mut v = [0u8; 16];
    v.copy_from_slice(&b.as_bytes()[..16]);
    group(&base32(u128::from_le_bytes(v), 10))
}

/// Builds the pack a spec describes.
pub fn build(spec: &Spec) -> Result<Pack, Error> {
    let slots = plan(spec);
    let questions: Vec<Question> = slots
        .par_iter()
        .enumerate()
        .map(|(i, slot)| {
            let section = &spec.sections[slot.section];
            let pins = Spec::pins_for(section, slot.family);
            let mut q = family::generate(slot.family, slot.seed, section.difficulty, &pins)?;
            family::cross_check(slot.family, &q).map_err(|e| Error::CrossCheck {
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
            code: pack_code(spec, &questions),
            seed: spec.seed,
            duration: spec.duration.clone(),
            instructions: spec.instructions.clone(),
            total_points,
            generator: format!("groundwork {}", env!("CARGO_PKG_VERSION")),
        },
        questions,
    })
}
