//! Question families: the family contract and the families themselves.
//!
//! Layout (each file does one job; none imports this facade back):
//! - [`contract`]: the [`Family`] trait;
//! - [`topic`]: [`Topic`] and [`Difficulty`];
//! - [`params`]: declared parameters ([`ParamSpec`]), their values and pins;
//! - [`ctx`]: [`Ctx`], the generation context every draw goes through;
//! - [`question`]: [`Question`], what a family produces;
//! - [`errors`]: [`GenError`] and [`CheckError`];
//! - [`profile`]: what an interviewer needs per ask ([`Ask`]) and per instance ([`Contrast`],
//!   [`FollowUp`]);
//! - [`quality`]: the quality rules a draw must meet (the runner redraws until it does);
//! - [`run`]: the drivers: `--set` parsing, generate, cross-check;
//! - [`registry`]: [`FAMILIES`], [`lookup`], [`of_topic`];
//! - one folder per topic (`hashing/`, `probability/`, …): a file per family plus the topic's
//!   `mod.rs` with one registry line per family, and helpers only that topic uses;
//! - [`support`]: machinery shared across topics (Monte Carlo, LRU, Zipf).
//!
//! A family is one file in its topic's folder plus one line in that folder's `mod.rs`.
//! A family draws every number through [`Ctx`]: declared parameters with [`Ctx::int`], [`Ctx::real`]
//! and [`Ctx::pick`] (which honour `--set` pins and record the value used), anything else from
//! [`Ctx::rng`], and simulations from [`Ctx::sim_rng`], a separate stream so that changing a sample
//! count never changes the question's text. A family knows nothing of question codes: the pack
//! layer stamps them.

pub mod contract;
pub mod ctx;
pub mod errors;
pub mod params;
pub mod profile;
pub mod quality;
pub mod question;
pub mod registry;
pub mod run;
pub mod support;
pub mod topic;

pub mod concurrency;
pub mod filesystem;
pub mod hashing;
pub mod optimization;
pub mod probability;
pub mod systems;

pub use contract::Family;
pub use ctx::Ctx;
pub use errors::{CheckError, GenError};
pub use params::{ParamKind, ParamSpec, ParamValue, Pins};
pub use profile::{About, Ask, Contrast, FollowUp};
pub use question::{Question, DEFAULT_POINTS};
pub use registry::{lookup, of_topic, FAMILIES};
pub use run::{
    cross_check, cross_check_sealed, generate, generate_counted, generate_sealed, paper_asks,
    parse_pins,
};
pub use topic::{Difficulty, Topic};
