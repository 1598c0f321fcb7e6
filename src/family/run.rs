//! The drivers: parse a family's `--set` pins, then generate one question with a fresh [`Ctx`],
//! fill in the metadata the family does not know, and run its second route. Question codes are
//! not stamped here: that is the pack layer's job (`crate::pack::question`).

use super::contract::Family;
use super::ctx::Ctx;
use super::errors::{CheckError, GenError};
use super::params::Pins;
use super::question::Question;
use super::topic::Difficulty;
use crate::error::Error;
use crate::text::closest;

/// Runs `family` for one question: builds the context, generates, and fills in the metadata (all
/// but the question code, which the pack layer stamps).
pub fn generate(
    family: &dyn Family,
    seed: u64,
    difficulty: Difficulty,
    pins: &Pins,
) -> Result<Question, GenError> {
    generate_sealed(family, seed, difficulty, pins, None)
}

/// The seed a question's RNG streams are derived from: the public seed, or under a seal the keyed
/// derivation of it.
fn content_seed(family: &dyn Family, seed: u64, seal: Option<&crate::seal::Seal>) -> u64 {
    seal.map_or(seed, |s| s.question_seed(family.id(), seed))
}

/// [`generate`], with the content keyed by `seal` when there is one (a sealed pack).
pub fn generate_sealed(
    family: &dyn Family,
    seed: u64,
    difficulty: Difficulty,
    pins: &Pins,
    seal: Option<&crate::seal::Seal>,
) -> Result<Question, GenError> {
    let mut cx = Ctx::new(
        family.id(),
        family.params(),
        content_seed(family, seed, seal),
        difficulty,
        pins.clone(),
    );
    let mut q = family.generate(&mut cx)?;
    q.family = family.id().to_string();
    q.version = family.version();
    q.topic = family.topic();
    q.title = family.title().to_string();
    q.difficulty = difficulty;
    q.seed = seed;
    q.params = cx.resolved().clone();
    q.pins = pins.clone();
    q.sealed = seal.is_some();
    if q.slots.len() > 1 {
        for (i, s) in q.slots.iter_mut().enumerate() {
            s.label = ((b'a' + i as u8) as char).to_string();
        }
    }
    Ok(q)
}

/// Runs the family's cross-check on a question it generated (with a fresh context on the same seed).
pub fn cross_check(family: &dyn Family, q: &Question) -> Result<(), CheckError> {
    cross_check_sealed(family, q, None)
}

/// [`cross_check`] for a question generated under `seal`.
pub fn cross_check_sealed(
    family: &dyn Family,
    q: &Question,
    seal: Option<&crate::seal::Seal>,
) -> Result<(), CheckError> {
    let seed = content_seed(family, q.seed, seal);
    let mut cx = Ctx::new(
        family.id(),
        family.params(),
        seed,
        q.difficulty,
        q.pins.clone(),
    );
    family.cross_check(q, &mut cx)
}

/// Parses `key=value` pins for a family, checking keys and ranges.
pub fn parse_pins(family: &dyn Family, sets: &[String]) -> Result<Pins, Error> {
    let mut pins = Pins::new();
    for raw in sets {
        let Some((key, value)) = raw.split_once('=') else {
            return Err(Error::BadSet {
                set: raw.clone(),
                message: "expected key=value".into(),
                hint: format!(
                    "write it as `--set {}=…`",
                    family.params().first().map(|p| p.key).unwrap_or("key")
                ),
            });
        };
        let key = key.trim();
        let spec = family
            .params()
            .iter()
            .find(|p| p.key == key)
            .ok_or_else(|| {
                let keys: Vec<&str> = family.params().iter().map(|p| p.key).collect();
                Error::BadSet {
                    set: raw.clone(),
                    message: format!("`{}` has no parameter `{key}`", family.id()),
                    hint: match closest(key, keys.iter().copied()) {
                        Some(s) => format!(
                            "did you mean `{s}`? Its parameters are: {}",
                            keys.join(", ")
                        ),
                        None => format!(
                            "its parameters are: {}",
                            if keys.is_empty() {
                                "none".into()
                            } else {
                                keys.join(", ")
                            }
                        ),
                    },
                }
            })?;
        let v = spec.parse_value(value).map_err(|message| Error::BadSet {
            set: raw.clone(),
            message: format!("{key}: {message}"),
            hint: format!("`{key}` takes {} ({})", spec.range_text(), spec.help),
        })?;
        pins.insert(key.to_string(), v);
    }
    Ok(pins)
}
