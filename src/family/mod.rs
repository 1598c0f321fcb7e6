//! Question families: the [`Family`] trait, the parameters a family declares, the generation
//! context, the [`Question`] a family produces, and the registry.
//!
//! A family is one file under `src/family/` plus one line in the [`registry!`] call at the bottom of
//! this file. Everything generic — `groundwork families`, `--set` validation, spec checks, question
//! codes and the registry-wide tests — reads the registry; nothing else lists families by hand.
//!
//! A family draws every number through [`Ctx`]: declared parameters with [`Ctx::int`], [`Ctx::real`]
//! and [`Ctx::pick`] (which honour `--set` pins and record the value used), anything else from
//! [`Ctx::rng`], and simulations from [`Ctx::sim_rng`], a separate stream so that changing a sample
//! count never changes the question's text.

pub mod support;

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::error::Error;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The interview topics. Sections of a pack spec pick families by topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Hashes and hash functions.
    Hashing,
    /// Basic probability in backend settings.
    Probability,
    /// Filesystem APIs with POSIX semantics.
    Filesystem,
    /// Optimization techniques, code- and system-level.
    Optimization,
}

impl Topic {
    /// Every topic, in the order packs list them.
    pub const ALL: [Topic; 4] = [
        Topic::Hashing,
        Topic::Probability,
        Topic::Filesystem,
        Topic::Optimization,
    ];

    /// The id used in specs and family ids.
    pub fn id(self) -> &'static str {
        match self {
            Topic::Hashing => "hashing",
            Topic::Probability => "probability",
            Topic::Filesystem => "filesystem",
            Topic::Optimization => "optimization",
        }
    }

    /// The heading shown on papers.
    pub fn heading(self) -> &'static str {
        match self {
            Topic::Hashing => "Hashing and hash functions",
            Topic::Probability => "Probability",
            Topic::Filesystem => "Filesystem APIs",
            Topic::Optimization => "Optimization",
        }
    }

    /// Parses a topic id, suggesting the closest on a miss.
    pub fn parse(s: &str) -> Result<Topic, Error> {
        Topic::ALL
            .into_iter()
            .find(|t| t.id() == s.trim())
            .ok_or_else(|| Error::UnknownTopic {
                given: s.to_string(),
                suggestion: closest(s, Topic::ALL.iter().map(|t| t.id())),
                valid: Topic::ALL
                    .iter()
                    .map(|t| t.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How hard a question is; families scale their parameter ranges with it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Small numbers, one step.
    Easy,
    /// The default.
    #[default]
    Medium,
    /// Larger numbers, more steps, the less common variants.
    Hard,
}

impl Difficulty {
    /// All difficulties, easiest first.
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    /// The id used in specs and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    /// Index into per-difficulty tables: 0, 1, 2.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses `easy`, `medium` or `hard`.
    pub fn parse(s: &str) -> Result<Difficulty, Error> {
        Difficulty::ALL
            .into_iter()
            .find(|d| d.id() == s.trim())
            .ok_or_else(|| Error::BadDifficulty {
                given: s.to_string(),
                suggestion: closest(s, Difficulty::ALL.iter().map(|d| d.id())),
            })
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The kind and ranges of one parameter. Ranges are per difficulty: `[easy, medium, hard]`.
#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    /// An integer in `[min, max]` when pinned, drawn from the difficulty's range otherwise.
    Int {
        min: i64,
        max: i64,
        draw: [(i64, i64); 3],
    },
    /// A real in `[min, max]`, drawn on a grid of `step` so the value prints exactly.
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

/// Why a family could not generate a question.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenError {
    /// The pinned parameters do not fit together (say, k > n); `hint` says what would.
    #[error("{message}")]
    Params { message: String, hint: String },
    /// Running the real code failed (a syscall in the scratch directory, say).
    #[error("{0}")]
    Run(String),
}

/// Why a cross-check failed: the two routes to the answer disagree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cross-check failed: {0}")]
pub struct CheckError(pub String);

impl CheckError {
    /// Fails unless `a == b`, naming what was compared.
    pub fn expect_eq<T: PartialEq + fmt::Debug>(
        what: &str,
        key: T,
        other: T,
    ) -> Result<(), CheckError> {
        if key == other {
            Ok(())
        } else {
            Err(CheckError(format!(
                "{what}: key {key:?} but second route gives {other:?}"
            )))
        }
    }
}

/// The generation context: the question's RNG, its difficulty and its pinned parameters.
pub struct Ctx {
    rng: ChaCha8Rng,
    family_id: &'static str,
    seed: u64,
    difficulty: Difficulty,
    specs: &'static [ParamSpec],
    pins: Pins,
    resolved: Pins,
}

impl Ctx {
    /// A context for `family` with question seed `seed`.
    pub fn new(family: &dyn Family, seed: u64, difficulty: Difficulty, pins: Pins) -> Ctx {
        Ctx {
            rng: crate::seed::content_rng(family.id(), seed),
            family_id: family.id(),
            seed,
            difficulty,
            specs: family.params(),
            pins,
            resolved: Pins::new(),
        }
    }

    /// The question's difficulty.
    pub fn difficulty(&self) -> Difficulty {
        self.difficulty
    }

    /// The content RNG, for draws that are not declared parameters (key names, operation orders).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// An RNG stream for simulations, independent of the content stream and of other labels.
    pub fn sim_rng(&self, label: &str) -> ChaCha8Rng {
        crate::seed::stream_rng(self.family_id, self.seed, label)
    }

    fn spec(&self, key: &str) -> &'static ParamSpec {
        self.specs.iter().find(|p| p.key == key).unwrap_or_else(|| {
            panic!(
                "family {} draws undeclared parameter `{key}`",
                self.family_id
            )
        })
    }

    /// Draws integer parameter `key` from the difficulty's range, or returns its pin.
    ///
    /// The draw always consumes the RNG, so pinning one parameter leaves the others unchanged.
    pub fn int(&mut self, key: &str) -> i64 {
        let spec = self.spec(key);
        let ParamKind::Int { draw, .. } = spec.kind else {
            panic!("parameter `{key}` is not an integer")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        let drawn = self.rng.random_range(lo..=hi);
        let v = match self.pins.get(key) {
            Some(ParamValue::Int(p)) => *p,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Int(v));
        v
    }

    /// Draws integer parameter `key` as a multiple of `step` in `lo..=hi`, a range that depends on
    /// earlier draws (clamped to the declared bounds), or returns its pin. The declared
    /// per-difficulty ranges then only describe typical values for `groundwork families`.
    pub fn int_within(&mut self, key: &str, lo: i64, hi: i64, step: i64) -> i64 {
        let spec = self.spec(key);
        let ParamKind::Int { min, max, .. } = spec.kind else {
            panic!("parameter `{key}` is not an integer")
        };
        let step = step.max(1);
        let lo = lo.clamp(min, max);
        let hi = hi.clamp(lo, max);
        let (a, b) = ((lo + step - 1) / step, hi / step);
        let drawn = if a <= b {
            self.rng.random_range(a..=b) * step
        } else {
            lo
        };
        let v = match self.pins.get(key) {
            Some(ParamValue::Int(p)) => *p,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Int(v));
        v
    }

    /// Draws real parameter `key` on its grid from the difficulty's range, or returns its pin.
    pub fn real(&mut self, key: &str) -> f64 {
        let spec = self.spec(key);
        let ParamKind::Real { step, draw, .. } = spec.kind else {
            panic!("parameter `{key}` is not a real")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        let steps = ((hi - lo) / step).round().max(0.0) as i64;
        let k = self.rng.random_range(0..=steps);
        let drawn = snap(lo + k as f64 * step, step);
        let v = match self.pins.get(key) {
            Some(ParamValue::Real(p)) => *p,
            Some(ParamValue::Int(p)) => *p as f64,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Real(v));
        v
    }

    /// Draws integer parameter `key` from the difficulty's declared range with its upper end
    /// capped at `cap` (an earlier draw may make larger values meaningless), or returns its pin.
    pub fn int_capped(&mut self, key: &str, cap: i64) -> i64 {
        let ParamKind::Int { draw, .. } = self.spec(key).kind else {
            panic!("parameter `{key}` is not an integer")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        self.int_within(key, lo, hi.min(cap).max(lo), 1)
    }

    /// Draws real parameter `key` from the difficulty's declared range with its upper end capped
    /// at `cap` (the lower end too, if it lies above), or returns its pin.
    pub fn real_capped(&mut self, key: &str, cap: f64) -> f64 {
        let ParamKind::Real { draw, .. } = self.spec(key).kind else {
            panic!("parameter `{key}` is not a real")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        self.real_within(key, lo.min(cap), hi.min(cap))
    }

    /// Draws real parameter `key` on its grid in `lo..=hi`, a range that depends on earlier draws
    /// (clamped to the declared bounds), or returns its pin; the value recorded is the one used.
    pub fn real_within(&mut self, key: &str, lo: f64, hi: f64) -> f64 {
        let spec = self.spec(key);
        let ParamKind::Real { min, max, step, .. } = spec.kind else {
            panic!("parameter `{key}` is not a real")
        };
        let lo = lo.clamp(min, max);
        let hi = hi.clamp(lo, max);
        let (a, b) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
        let drawn = if a <= b {
            snap(self.rng.random_range(a..=b) as f64 * step, step)
        } else {
            snap(lo, step)
        };
        let v = match self.pins.get(key) {
            Some(ParamValue::Real(p)) => *p,
            Some(ParamValue::Int(p)) => *p as f64,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Real(v));
        v
    }

    /// Draws word parameter `key` from the difficulty's list, or returns its pin.
    pub fn pick(&mut self, key: &str) -> &'static str {
        let spec = self.spec(key);
        let ParamKind::Choice { options, draw } = spec.kind else {
            panic!("parameter `{key}` is not a choice")
        };
        let list = draw[self.difficulty.index()];
        let drawn = list[self.rng.random_range(0..list.len())];
        let v = match self.pins.get(key) {
            Some(ParamValue::Choice(p)) => {
                options.iter().copied().find(|o| o == p).unwrap_or(drawn)
            }
            _ => drawn,
        };
        self.resolved
            .insert(key.to_string(), ParamValue::Choice(v.to_string()));
        v
    }

    /// True when `key` was pinned with `--set` (families use it to skip re-draws of a pinned value).
    pub fn is_pinned(&self, key: &str) -> bool {
        self.pins.contains_key(key)
    }

    /// The parameter values used so far.
    pub fn resolved(&self) -> &Pins {
        &self.resolved
    }
}

/// Rounds `x` to the decimal grid of `step`, so 0.1 + 0.2 prints as 0.3.
fn snap(x: f64, step: f64) -> f64 {
    let places = (-step.log10().floor()).max(0.0) as usize + 2;
    format!("{x:.places$}").parse().unwrap_or(x)
}

/// A generated question: the family's content plus the metadata the runner fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The question code that regenerates exactly this question (set by [`generate`]).
    pub code: String,
    /// The family id.
    pub family: String,
    /// The family version that generated it.
    pub version: u32,
    /// The family's topic.
    pub topic: Topic,
    /// The family's title.
    pub title: String,
    /// The difficulty it was generated at.
    pub difficulty: Difficulty,
    /// The 40-bit question seed.
    pub seed: u64,
    /// Points on the paper (set by the pack; 5 by default).
    pub points: u32,
    /// Every declared parameter's value, drawn or pinned.
    pub params: Pins,
    /// Pinned parameters (part of the code).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pins: Pins,
    /// The question text.
    pub prompt: Content,
    /// The answer boxes, with reference answers.
    pub slots: Vec<AnswerSlot>,
    /// The worked solution, with the computed intermediate values.
    pub solution: Content,
    /// What was run: digests, simulation estimates ± standard error, syscall results.
    pub evidence: Content,
    /// The family's structured scenario, from which `cross_check` recomputes the answer.
    pub scenario: serde_json::Value,
    /// True when the content was derived under a secret (see [`crate::seal`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sealed: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Default points per question.
pub const DEFAULT_POINTS: u32 = 5;

impl Question {
    /// A question with its content; the runner fills in code, family and the other metadata.
    pub fn new(
        prompt: Content,
        slots: Vec<AnswerSlot>,
        solution: Content,
        evidence: Content,
    ) -> Question {
        Question {
            code: String::new(),
            family: String::new(),
            version: 0,
            topic: Topic::Hashing,
            title: String::new(),
            difficulty: Difficulty::Medium,
            seed: 0,
            points: DEFAULT_POINTS,
            params: Pins::new(),
            pins: Pins::new(),
            prompt,
            slots,
            solution,
            evidence,
            scenario: serde_json::Value::Null,
            sealed: false,
        }
    }

    /// Attaches the family's scenario, which `cross_check` reads back.
    pub fn with_scenario<S: Serialize>(mut self, scenario: &S) -> Question {
        self.scenario = serde_json::to_value(scenario).expect("scenario serialises");
        self
    }

    /// Reads the scenario back as the family's type.
    pub fn scenario<S: serde::de::DeserializeOwned>(&self) -> Result<S, CheckError> {
        serde_json::from_value(self.scenario.clone())
            .map_err(|e| CheckError(format!("scenario does not parse: {e}")))
    }

    /// The expected answer of slot `i`, for cross-checks.
    pub fn expected(&self, i: usize) -> Result<&Expected, CheckError> {
        self.slots
            .get(i)
            .map(|s| &s.expected)
            .ok_or_else(|| CheckError(format!("no slot {i}")))
    }

    /// The reference value of real slot `i`, for cross-checks.
    pub fn expected_real(&self, i: usize) -> Result<f64, CheckError> {
        match self.expected(i)? {
            Expected::Real { value, .. } => Ok(*value),
            other => Err(CheckError(format!("slot {i}: expected a real answer, found {other:?}"))),
        }
    }

    /// The reference value of integer slot `i`, for cross-checks.
    pub fn expected_integer(&self, i: usize) -> Result<i64, CheckError> {
        match self.expected(i)? {
            Expected::Integer { value } => Ok(*value),
            other => Err(CheckError(format!("slot {i}: expected an integer answer, found {other:?}"))),
        }
    }
}

/// A question family. See the module docs and `../shared/DESIGN.md`.
pub trait Family: Sync {
    /// Stable id, `topic.name`: "hashing.birthday".
    fn id(&self) -> &'static str;
    /// Bump when the same seed would give a different question.
    fn version(&self) -> u32;
    /// The topic.
    fn topic(&self) -> Topic;
    /// A short title for listings and the key.
    fn title(&self) -> &'static str;
    /// Declared parameters: `--set` keys, ranges, defaults.
    fn params(&self) -> &'static [ParamSpec];
    /// Generates a question by running real code.
    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError>;
    /// Recomputes the answer by a second, independent route and compares.
    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError>;
}

/// Declares the family modules and the registry: one line per family.
macro_rules! registry {
    ($($module:ident => $ty:ident,)*) => {
        $(pub mod $module;)*
        /// Every family, in a stable order (topic, then as listed).
        pub static FAMILIES: &[&dyn Family] = &[$(&$module::$ty),*];
    };
}

registry! {
    hashing_birthday => Birthday,
    hashing_consistent_ring => ConsistentRing,
    hashing_buckets => Buckets,
    hashing_bloom => Bloom,
    hashing_avalanche => Avalanche,
    hashing_merkle => Merkle,
    hashing_dedup => Dedup,
    hashing_rendezvous => Rendezvous,
    hashing_modulo_vs_ring => ModuloVsRing,
    hashing_truncation => Truncation,
    hashing_open_addressing => OpenAddressing,
    hashing_load_factor => LoadFactor,
    hashing_partition_skew => PartitionSkew,
    hashing_choose_hash => ChooseHash,
    probability_fanout_tail => FanoutTail,
    probability_coupon => Coupon,
    probability_retries => Retries,
    probability_quorum => Quorum,
    probability_poisson_burst => PoissonBurst,
    probability_bayes_alert => BayesAlert,
    probability_reservoir => Reservoir,
    probability_patterns => Patterns,
    probability_dice_sum => DiceSum,
    probability_sampling_defects => SamplingDefects,
    probability_expected_max => ExpectedMax,
    probability_availability => Availability,
    probability_load_balance => LoadBalance,
    probability_estimate_error => EstimateError,
    filesystem_sparse_seek => SparseSeek,
    filesystem_append_offsets => AppendOffsets,
    filesystem_rename => Rename,
    filesystem_unlink_open => UnlinkOpen,
    filesystem_open_flags => OpenFlags,
    filesystem_truncate => Truncate,
    filesystem_umask_mode => UmaskMode,
    filesystem_dir_ops => DirOps,
    filesystem_links => Links,
    filesystem_path_resolution => PathResolution,
    filesystem_read_loop => ReadLoop,
    filesystem_buffered_writes => BufferedWrites,
    filesystem_atomic_replace => AtomicReplace,
    filesystem_fd_inheritance => FdInheritance,
    optimization_cache_policy => CachePolicy,
    optimization_loop_count => LoopCount,
    optimization_knapsack => Knapsack,
    optimization_scheduling => Scheduling,
    optimization_intervals => Intervals,
    optimization_memoization => Memoization,
    optimization_binary_search => BinarySearch,
    optimization_amdahl => Amdahl,
    optimization_batching => Batching,
    optimization_latency_estimate => LatencyEstimate,
    optimization_syscall_batching => SyscallBatching,
    optimization_index_vs_scan => IndexVsScan,
    optimization_queueing => Queueing,
    optimization_zipf_cache => ZipfCache,
    optimization_cache_lines => CacheLines,
    optimization_complexity => Complexity,
}

/// The family with this id, or an error listing the valid ids and the closest one.
pub fn lookup(id: &str) -> Result<&'static dyn Family, Error> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.id() == id.trim())
        .ok_or_else(|| Error::UnknownFamily {
            given: id.to_string(),
            suggestion: closest(id, FAMILIES.iter().map(|f| f.id())),
            valid: FAMILIES
                .iter()
                .map(|f| f.id())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The families of a topic, in registry order.
pub fn of_topic(topic: Topic) -> Vec<&'static dyn Family> {
    FAMILIES
        .iter()
        .copied()
        .filter(|f| f.topic() == topic)
        .collect()
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

/// Runs `family` for one question: builds the context, generates, and fills in the metadata and
/// the question code.
pub fn generate(
    family: &dyn Family,
    seed: u64,
    difficulty: Difficulty,
    pins: &Pins,
) -> Result<Question, Error> {
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
) -> Result<Question, Error> {
    let mut cx = Ctx::new(
        family,
        content_seed(family, seed, seal),
        difficulty,
        pins.clone(),
    );
    let mut q = family.generate(&mut cx).map_err(|e| Error::Generate {
        family: family.id().into(),
        source: e,
    })?;
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
    q.code = crate::code::QuestionCode {
        family: family.id(),
        version: family.version(),
        difficulty,
        seed,
        pins: pins.clone(),
        sealed: seal.is_some(),
    }
    .encode();
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
    let mut cx = Ctx::new(family, seed, q.difficulty, q.pins.clone());
    family.cross_check(q, &mut cx)
}

/// The closest candidate by edit distance, if any is close enough to be a plausible typo.
pub fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let given = given.trim().to_ascii_lowercase();
    candidates
        .map(|c| {
            // Compare with the whole id and with its last part, so `birthday` finds `hashing.birthday`.
            let tail = c.rsplit('.').next().unwrap_or(c);
            let d = strsim::levenshtein(&given, c).min(strsim::levenshtein(&given, tail));
            (d, c)
        })
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Checks one family the way the registry-wide tests do, over `seeds` × every difficulty:
/// it generates; the same seed gives the same question; `cross_check` passes; every reference
/// answer grades correct and a near miss (just outside the tolerance) does not; the question code
/// decodes back to the same question; prompt, solution and evidence are not empty.
///
/// Returns the number of questions checked, or the first failure with its code.
pub fn stress(family: &dyn Family, seeds: std::ops::Range<u64>) -> Result<usize, String> {
    use crate::answer::{grade, Outcome};
    let mut checked = 0;
    for d in Difficulty::ALL {
        for s in seeds.clone() {
            let seed = crate::seed::question_seed(s, 0, family.id(), family.version());
            let q = generate(family, seed, d, &Pins::new())
                .map_err(|e| format!("{} seed {seed} {d}: {e}", family.id()))?;
            let at = format!("{} ({} {d} seed {seed})", q.code, family.id());
            let again =
                generate(family, seed, d, &Pins::new()).map_err(|e| format!("{at}: {e}"))?;
            if serde_json::to_string(&q).ok() != serde_json::to_string(&again).ok() {
                return Err(format!("{at}: the same seed gave a different question"));
            }
            cross_check(family, &q).map_err(|e| format!("{at}: {e}"))?;
            if q.prompt.is_empty()
                || q.solution.is_empty()
                || q.evidence.is_empty()
                || q.slots.is_empty()
            {
                return Err(format!(
                    "{at}: prompt, solution, evidence and slots must all be non-empty"
                ));
            }
            for (i, slot) in q.slots.iter().enumerate() {
                let e = &slot.expected;
                let reference = e.reference();
                if !grade(e, &reference).is_correct() {
                    return Err(format!(
                        "{at}: slot {i}: the reference `{reference}` does not grade correct: {:?}",
                        grade(e, &reference)
                    ));
                }
                let miss = e.near_miss();
                if grade(e, &miss).is_correct() {
                    return Err(format!("{at}: slot {i}: the near miss `{miss}` grades correct (reference `{reference}`)"));
                }
                if matches!(grade(e, "\u{2603} what?"), Outcome::Correct) {
                    return Err(format!("{at}: slot {i}: garbage grades correct"));
                }
                if let Some(options) = e.options() {
                    let mut texts: Vec<&str> = options.iter().map(|o| o.text.as_str()).collect();
                    texts.sort_unstable();
                    texts.dedup();
                    if texts.len() != options.len() {
                        return Err(format!("{at}: slot {i}: two options read the same"));
                    }
                }
            }
            let (decoded, fam) = crate::code::decode(&q.code)
                .map_err(|e| format!("{at}: code does not decode: {e}"))?;
            if fam.id() != family.id() || decoded.seed != seed || decoded.difficulty != d {
                return Err(format!("{at}: code decodes to {decoded:?}"));
            }
            checked += 1;
        }
    }
    Ok(checked)
}
