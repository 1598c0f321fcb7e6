//! groundwork: parametrized, reproducible fundamentals quizzes for backend engineers.
//!
//! The pipeline (see `../shared/DESIGN.md`) flows one way:
//!
//! ```text
//! pack spec (TOML / flags) ─► spec::Spec ─► pack::build ─► family::Family::generate ─► Question
//!                                      seed derivation (seed.rs)      cross_check (second route)
//! Pack ─► export::Exporter (html, markdown, json) ─► export::write_atomic
//! ```
//!
//! - [`content`]: format-neutral blocks every exporter renders.
//! - [`answer`]: expected answers, tolerances and grading.
//! - [`family`]: the `Family` trait, parameters, the registry and the families themselves.
//! - [`seed`], [`code`], [`seal`]: seed derivation, question and pack codes, sealed packs.
//! - [`spec`], [`pack`]: pack specs and building packs from them; [`input`]: reading user files.
//! - [`export`]: exporters and the one place that writes files.
//! - [`report`]: grading a pack against an answers file ([`answer::sheet`]); [`grade`]: a whole
//!   batch's answers side by side, with item statistics.
//! - [`cli`], [`cmd`]: the command line.

pub mod answer;
pub mod audit;
pub mod candidates;
pub mod cli;
pub mod cmd;
pub mod code;
pub mod content;
pub mod error;
pub mod export;
pub mod family;
pub mod grade;
pub mod input;
pub mod pack;
pub mod report;
pub mod seal;
pub mod seed;
pub mod spec;
pub mod text;

pub use error::Error;
