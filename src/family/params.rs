//! Parameters a family declares ([`ParamSpec`]), the values they take ([`ParamValue`]) and the
//! `--set` pins a user gives ([`Pins`], parsed for a family by `run::parse_pins`). The declarations drive
//! `groundwork families`, `--set` validation and spec checks.

use super::topic::Difficulty;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The kind and ranges of one parameter. Ranges are per difficulty: `[easy, medium, hard]`.
#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    /// An integer in `[min, max]` when pinned, drawn from the difficulty's range otherwise.
    Int {
        min: i64,
        max: i64,
        draw: [(i64, i64); 3],
    },
    /// A real in `[min, max]`. `step` is the drawing grid, not a constraint on pins: a drawn
    /// value is a multiple of `step` (so it prints exactly and the paper shows few digits), while
    /// `--set` accepts any value in `[min, max]`. `groundwork families --long` says so.
    Real {
        min: f64,
        max: f64,
        step: f64,
        draw: [(f64, f64); 3],
    },
    /// One of a fixed set of words; `draw` lists the ones drawn at each difficulty.
    Choice {
        options: &'static [&'static str],
        draw: [&'static [&'static str]; 3],
    },
}

/// One parameter a family declares: the `--set` key, what it means, and its ranges.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// The `--set` key.
    pub key: &'static str,
    /// What the parameter means, for `groundwork families`.
    pub help: &'static str,
    /// Kind and ranges.
    pub kind: ParamKind,
}

impl ParamSpec {
    /// The accepted range as text: `1..=64`, `0.001..=0.5`, `lru|fifo|opt`.
    pub fn range_text(&self) -> String {
        match self.kind {
            ParamKind::Int { min, max, .. } => format!("{min}..={max}"),
            ParamKind::Real { min, max, .. } => format!("{min}..={max}"),
            ParamKind::Choice { options, .. } => options.join("|"),
        }
    }

    /// The default (what is drawn) at a difficulty, as text: `8..=16`, `lru|fifo`.
    pub fn default_text(&self, d: Difficulty) -> String {
        match self.kind {
            ParamKind::Int { draw, .. } => {
                let (lo, hi) = draw[d.index()];
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}..={hi}")
                }
            }
            ParamKind::Real { draw, .. } => {
                let (lo, hi) = draw[d.index()];
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}..={hi}")
                }
            }
            ParamKind::Choice { draw, .. } => draw[d.index()].join("|"),
        }
    }

    /// Parses and range-checks a `--set` value for this parameter.
    pub fn parse_value(&self, raw: &str) -> Result<ParamValue, String> {
        let raw = raw.trim();
        match self.kind {
            ParamKind::Int { min, max, .. } => {
                let v: i64 = raw
                    .parse()
                    .map_err(|_| format!("`{raw}` is not a whole number"))?;
                if v < min || v > max {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(ParamValue::Int(v))
            }
            ParamKind::Real { min, max, .. } => {
                let v: f64 = raw
                    .parse()
                    .map_err(|_| format!("`{raw}` is not a number"))?;
                if !v.is_finite() || v < min || v > max {
                    return Err(format!("{raw} is out of range {min}..={max}"));
                }
                Ok(ParamValue::Real(v))
            }
            ParamKind::Choice { options, .. } => match options.iter().find(|o| **o == raw) {
                Some(o) => Ok(ParamValue::Choice((*o).to_string())),
                None => Err(format!("`{raw}` is not one of {}", options.join(", "))),
            },
        }
    }
}

/// A resolved parameter value, as recorded on a question and accepted by `--set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// An integer.
    Int(i64),
    /// A real.
    Real(f64),
    /// A word.
    Choice(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Real(v) => write!(f, "{v}"),
            ParamValue::Choice(v) => f.write_str(v),
        }
    }
}

/// Pinned parameters, by key.
pub type Pins = BTreeMap<String, ParamValue>;
