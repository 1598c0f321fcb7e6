//! `hashing.bloom`: a Bloom filter of m bits with k hash functions holding n items.
//!
//! **Asked** (`ask`):
//! - `fp_rate`: the false-positive rate (1 − e^{−kn/m})^k;
//! - `optimal_k`: the k that minimises it, round((m/n)·ln 2) (choosing the better neighbour exactly);
//! - `bits_per_item`: the bits per item m/n needed for a target rate p with the optimal k,
//!   −ln p / (ln 2)², and the filter's size in KiB;
//! - `fix` (judgment): which single change lowers the rate the most: twice the hash functions,
//!   the best k for the size, 25% more bits at the same k, or half the hash functions. The key
//!   evaluates the rate after each change; a draw whose best two changes lie within 10% of each
//!   other is redrawn (a family flaw). The cross-check re-ranks them with the exact occupancy
//!   form.
//!
//! **Parameters.** `items` n: easy 1000–5000, medium 5000–50000, hard 10000–200000; `bits_per_item`
//! m/n: 4–16; `hashes` k: 2–10; `target` p: 1%, 0.1%, 0.01%.
//!
//! **Key.** The formulas above (the standard approximation, stated in the prompt as the model).
//!
//! **Second route.** A real Bloom filter: m bits, k indexes from xxh3-64 seeded 0..k (reduced
//! mod m), n real keys inserted (n ≤ 20,000, scaled down keeping m/n), built once in `generate`
//! for the evidence and carried in the scenario to `cross_check`. (1) The fraction of bits
//! really set must agree with the fill the key implies, key^(1/k), within the exact spread of the
//! occupancy (the variance of the number of zero bits) plus the model's finite-size difference.
//! (2) Non-member keys are queried, enough for about 400 false positives (30,000–200,000), and the
//! count must pass the exact binomial test against fill^k, the false-positive probability of
//! this very filter. For `optimal_k`, the formula's k must have the lowest exact
//! (1 − (1 − 1/m)^{kn})^k among k ± 1. For `bits_per_item`, the exact form minimised over every
//! whole k at that size must meet the target, and one bit per key less must not.
//!
//! **Refused.** `fp_rate` filters too small for the textbook model (its finite-size error plus
//! the spread of one filter's rate over 2%, e.g. 10 keys in 40 bits with 15 hashes: the model
//! says 0.70, real filters average about 0.80 and one in three has every bit set).
//!
//! **Pitfalls**: more hash functions always help; the rate scales linearly with n.

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use super::birthday::group;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;
use std::fmt::Write as _;

/// The family.
pub struct Bloom;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "fp_rate: false-positive rate; optimal_k: best number of hashes; bits_per_item: size for a target rate; fix: which change lowers the rate most",
        kind: ParamKind::Choice {
            options: &["fp_rate", "optimal_k", "bits_per_item", "fix"],
            draw: [&["fp_rate", "optimal_k"], &["fp_rate", "optimal_k", "bits_per_item", "fix"], &["fp_rate", "optimal_k", "bits_per_item", "fix"]],
        },
    },
    ParamSpec {
        key: "items",
        help: "items n",
        kind: ParamKind::Int { min: 10, max: 10_000_000, draw: [(1000, 5000), (5000, 50_000), (10_000, 200_000)] },
    },
    ParamSpec {
        key: "bits_per_item",
        help: "bits per item m/n",
        kind: ParamKind::Int { min: 1, max: 64, draw: [(4, 12), (6, 16), (6, 16)] },
    },
    ParamSpec {
        key: "hashes",
        help: "hash functions k (fp_rate)",
        kind: ParamKind::Int { min: 1, max: 30, draw: [(2, 6), (2, 8), (2, 10)] },
    },
    ParamSpec {
        key: "target",
        help: "target false-positive rate (bits_per_item)",
        kind: ParamKind::Choice { options: &["0.01", "0.001", "0.0001"], draw: [&["0.01"], &["0.01", "0.001"], &["0.001", "0.0001"]] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u64,
    m: u64,
    k: u32,
    target: f64,
    /// `fix`: the change each option makes, in option order (see [`Change`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    changes: Vec<Change>,
    /// `fp_rate`: the real filter the evidence shows, which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    real: Option<Measured>,
}

/// A change to a filter, for the `fix` ask.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Change {
    /// Twice the hash functions.
    Double,
    /// The best whole k for this size.
    Optimal,
    /// 25% more bits, the same k.
    MoreBits,
    /// Half the hash functions (rounded down, at least one).
    Halve,
}

impl Change {
    const ALL: [Change; 4] = [Change::Double, Change::Optimal, Change::MoreBits, Change::Halve];

    /// The filter after the change: (bits, hashes).
    fn apply(self, m: u64, n: u64, k: u32) -> (u64, u32) {
        match self {
            Change::Double => (m, 2 * k),
            Change::Optimal => (m, optimal_k(m, n)),
            Change::MoreBits => (m * 5 / 4, k),
            Change::Halve => (m, (k / 2).max(1)),
        }
    }

    fn text(self, m: u64, n: u64, k: u32) -> String {
        match self {
            Change::MoreBits => format!("Add 25% more bits ({} bits), keeping {k} hash functions", group(m * 5 / 4)),
            _ => format!("Use {} hash functions instead of {k}", self.apply(m, n, k).1),
        }
    }

    /// Why a candidate might pick it.
    fn lure(self) -> &'static str {
        match self {
            Change::Double => "More hash functions do not always help: each key sets more bits, so the array fills faster.",
            Change::Optimal => "The best $k = (m/n) ln 2$ helps only as far as the current k is from it.",
            Change::MoreBits => "More bits always help, but 25% more buys less than fixing a badly chosen k.",
            Change::Halve => "Fewer hash functions leave more bits 0, but each query then tests fewer bits.",
        }
    }
}

/// The rates after each change, by the standard approximation, in `changes` order.
fn fix_rates(m: u64, n: u64, k: u32, changes: &[Change]) -> Vec<f64> {
    changes
        .iter()
        .map(|c| {
            let (mm, kk) = c.apply(m, n, k);
            fp_rate(mm, n, kk)
        })
        .collect()
}

/// The standard approximation of the false-positive rate.
pub fn fp_rate(m: u64, n: u64, k: u32) -> f64 {
    (-((k as u64 * n) as f64) / m as f64).exp_m1().abs().powi(k as i32)
}

/// The exact-occupancy form (1 − (1 − 1/m)^{kn})^k, used to pick between neighbouring k.
fn fp_exact(m: u64, n: u64, k: u32) -> f64 {
    (1.0 - ((k as f64) * (n as f64) * (-1.0 / m as f64).ln_1p()).exp()).powi(k as i32)
}

/// The optimal integer k: round (m/n) ln 2, then the better neighbour.
pub fn optimal_k(m: u64, n: u64) -> u32 {
    let x = m as f64 / n as f64 * std::f64::consts::LN_2;
    let (a, b) = ((x.floor() as u32).max(1), (x.ceil() as u32).max(1));
    if fp_rate(m, n, a) <= fp_rate(m, n, b) { a } else { b }
}

/// Bits per item for target p at the optimal k, rounded up to whole bits.
pub fn bits_needed(p: f64) -> u64 {
    (-p.ln() / (std::f64::consts::LN_2 * std::f64::consts::LN_2)).ceil() as u64
}

/// A real Bloom filter: k index functions, xxh3-64 seeded 0..k, each reduced mod m.
struct Filter {
    bits: Vec<u64>,
    m: u64,
    k: u32,
}

impl Filter {
    fn new(m: u64, k: u32) -> Filter {
        Filter { bits: vec![0; m.div_ceil(64) as usize], m, k }
    }
    fn indexes<'a>(&'a self, key: &'a [u8]) -> impl Iterator<Item = u64> + 'a {
        (0..self.k as u64).map(move |i| xxh3_64_with_seed(key, i) % self.m)
    }
    /// The fraction of bits set.
    fn fill(&self) -> f64 {
        self.bits.iter().map(|w| w.count_ones() as u64).sum::<u64>() as f64 / self.m as f64
    }
    fn insert(&mut self, key: &[u8]) {
        for i in 0..self.k as u64 {
            let b = xxh3_64_with_seed(key, i) % self.m;
            self.bits[(b / 64) as usize] |= 1 << (b % 64);
        }
    }
    fn contains(&self, key: &[u8]) -> bool {
        self.indexes(key).all(|i| self.bits[(i / 64) as usize] >> (i % 64) & 1 == 1)
    }
}

/// The occupancy of an m-bit array after T = kn uniform index draws: the expected fraction of bits
/// set, 1 − (1 − 1/m)^T, and its standard deviation from the exact variance of the number of
/// zero bits, m(m − 1)(1 − 2/m)^T + m(1 − 1/m)^T − m²(1 − 1/m)^{2T}.
fn fill_law(m: u64, n: u64, k: u32) -> (f64, f64) {
    let (mf, t) = (m as f64, k as f64 * n as f64);
    let z1 = (t * (-1.0 / mf).ln_1p()).exp();
    let z2 = if m > 2 { (t * (-2.0 / mf).ln_1p()).exp() } else { 0.0 };
    let var_zeros = (mf * (mf - 1.0) * z2 + mf * z1 - mf * mf * z1 * z1).max(0.0);
    (1.0 - z1, var_zeros.sqrt() / mf)
}

/// How far the textbook model can sit from the expected false-positive rate of a real filter of
/// this size, relative: the finite-size correction k·|ln(fill_exact/fill_model)| plus the spread of
/// one filter's rate, fill^k, around the model, (k·σ(fill)/fill)² (Jensen's gap is about half of
/// that). Tiny filters with many hashes (10 keys, 40 bits, 15 hashes) are far off.
fn model_gap(m: u64, n: u64, k: u32) -> f64 {
    let (fill, sd) = fill_law(m, n, k);
    let model = -(-(k as f64) * n as f64 / m as f64).exp_m1();
    k as f64 * (fill / model).ln().abs() + (k as f64 * sd / fill).powi(2)
}

/// The model gap (above) at which a filter is refused.
const MAX_MODEL_GAP: f64 = 0.02;

/// One real filter: its size, its measured fill, and the false positives among `queries`
/// non-members.
#[derive(Debug, Serialize, Deserialize)]
struct Measured {
    m: u64,
    n: u64,
    fill: f64,
    fp: mc::Estimate,
}

/// Builds a filter of n real keys (scaled down when n is large, keeping m/n) and queries
/// non-members: enough that about 400 false positives are expected (30,000 to 200,000 queries).
fn measure(m: u64, n: u64, k: u32, rng: &mut rand_chacha::ChaCha8Rng) -> Measured {
    let scale = (n / 20_000).max(1);
    let (m, n) = (m / scale, n / scale);
    let mut f = Filter::new(m, k);
    // One buffer for every key: the same bytes as `format!`, without an allocation per key.
    let mut key = String::with_capacity(48);
    for i in 0..n {
        key.clear();
        let _ = write!(key, "member:{i}");
        f.insert(key.as_bytes());
    }
    let fill = f.fill();
    let queries = (400.0 / fill.powi(k as i32)).clamp(30_000.0, 200_000.0) as u64;
    let salt: u64 = rng.random();
    let fp = mc::probability(queries, rng, |g| {
        key.clear();
        let _ = write!(key, "other:{salt}:{}", g.random::<u64>());
        f.contains(key.as_bytes())
    });
    Measured { m, n, fill, fp }
}

impl Family for Bloom {
    fn id(&self) -> &'static str {
        "hashing.bloom"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Bloom filters: false positives, hash count, size"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else {
            return vec!["the scenario does not parse".into()];
        };
        if s.ask != "fix" {
            return Vec::new();
        }
        let mut r = fix_rates(s.m, s.n, s.k, &s.changes);
        r.sort_by(f64::total_cmp);
        let mut out = Vec::new();
        if r.len() < 2 || r[0] > 0.9 * r[1] {
            out.push(format!("the two best changes give rates within 10% of each other ({} and {})", r[0], r.get(1).copied().unwrap_or(f64::NAN)));
        }
        let kopt = optimal_k(s.m, s.n);
        if kopt == s.k || kopt == 2 * s.k || kopt == (s.k / 2).max(1) || s.k < 2 {
            out.push(format!("the best k, {kopt}, duplicates another option or the current k = {}", s.k));
        }
        out
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("fp_rate", [2, 3, 4], &["bloom-filter"]),
            Ask::new("optimal_k", [3, 4, 5], &["bloom-filter"]),
            Ask::new("bits_per_item", [3, 4, 5], &["bloom-filter"]),
            Ask::new("fix", [3, 4, 5], &["bloom-filter"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "false-positive rate, best k, bits per item for a target",
            key: "the standard formulas",
            second_route: "a real Bloom filter (k xxh3-64 seeds) queried with non-members; exact occupancy form for k",
        }
    }
    /// `bits_per_item` shows as m = n × bits per key (`fp_rate`, `optimal_k`).
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["bits_per_item"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("items") as u64;
        let bpi = cx.int("bits_per_item") as u64;
        let k = cx.int("hashes") as u32;
        let target: f64 = cx.pick("target").parse().unwrap_or(0.01);
        match ask {
            "fp_rate" | "fix" => cx.unused("target"),
            "optimal_k" => {
                cx.unused("target");
                cx.unused("hashes");
            }
            _ => {
                cx.unused("hashes");
                cx.unused("bits_per_item");
            }
        }
        let m = n * bpi;
        if matches!(ask, "fp_rate" | "fix") && model_gap(m, n, k) > MAX_MODEL_GAP {
            return Err(GenError::Params {
                message: format!(
                    "a filter of {m} bits with {k} hash functions for {n} keys is too small for the textbook model: a real filter's false-positive rate strays {}% from it",
                    fmt_sig(100.0 * model_gap(m, n, k), 2)
                ),
                hint: "use more items or bits per item, or fewer hash functions (the model holds to 2% from about 1,000 bits up)".into(),
            });
        }
        if ask == "fix" {
            let mut changes = Change::ALL.to_vec();
            let rot = cx.rng().random_range(0..changes.len());
            changes.rotate_left(rot);
            return Ok(fix_question(Scenario { ask: ask.into(), n, m, k, target, changes, real: None }));
        }
        let mut s = Scenario { ask: ask.into(), n, m, k, target, changes: Vec::new(), real: None };
        let model = "Use the standard approximation: after $n$ insertions a bit is still 0 with probability $e^(-k n/m)$, and a non-member is reported present when all $k$ of its bits are 1.";
        let (prompt, slots, solution, evidence) = match ask {
            "fp_rate" => {
                let v = fp_rate(m, n, k);
                let real = measure(m, n, k, &mut cx.sim_rng("mc"));
                let shown = (
                    Content::new()
                        .p(format!("A service keeps a Bloom filter of **m = {m}** bits with **k = {k}** hash functions in front of its database, holding **n = {n}** keys."))
                        .p(model)
                        .p("What fraction of lookups for keys that are *not* in the set will the filter wrongly report as present?"),
                    vec![AnswerSlot::new("false-positive rate", Expected::sig(v, 3)).exact_by_hand()],
                    Content::new()
                        .p(format!("$k n/m = {k} dot {n}/{m} = {}$; a bit is 0 with probability $e^(-{}) = {}$.", fmt_sig((k as f64) * n as f64 / m as f64, 4), fmt_sig((k as f64) * n as f64 / m as f64, 4), fmt_sig((-(k as f64) * n as f64 / m as f64).exp(), 4)))
                        .p(format!("All {k} bits set: $(1 - {})^{k}$ = **{}**.", fmt_sig((-(k as f64) * n as f64 / m as f64).exp(), 4), fmt_sig(v, 3))),
                    Content::new().p(format!(
                        "A real filter ({} keys in {} bits, k = {k} indexes from xxh3-64 with seeds 0..{k}): {}% of its bits are set (the model says {}%), and {} non-members queried gave a false-positive rate of {}.",
                        real.n, real.m, fmt_sig(100.0 * real.fill, 4), fmt_sig(100.0 * fill_law(real.m, real.n, k).0, 4), real.fp.n, real.fp.describe(4)
                    )),
                );
                s.real = Some(real);
                shown
            }
            "optimal_k" => {
                let v = optimal_k(m, n);
                let rows: Vec<Vec<String>> = (v.saturating_sub(2).max(1)..=v + 2)
                    .map(|kk| vec![kk.to_string(), fmt_sig(fp_rate(m, n, kk), 4)])
                    .collect();
                (
                    Content::new()
                        .p(format!("A Bloom filter will hold **n = {n}** keys in **m = {m}** bits."))
                        .p(model)
                        .p("Which whole number of hash functions k gives the lowest false-positive rate?"),
                    vec![AnswerSlot::new("best k", Expected::Integer { value: v as i64 }).exact_by_hand()],
                    Content::new()
                        .p(format!("The rate $(1 - e^(-k n/m))^k$ is minimised at $k = (m/n) ln 2 = {bpi} times 0.693 = {}$. Check the two neighbouring integers:", fmt_sig(bpi as f64 * std::f64::consts::LN_2, 4)))
                        .table(["$k$", "false-positive rate"], rows.clone())
                        .p(format!("So k = **{v}**. More hash functions are not always better: each fills the array faster."))
                        ,
                    Content::new().p("False-positive rate by $k$, from the formula:").table(["$k$", "rate"], rows),
                )
            }
            _ => {
                let v = bits_needed(target);
                (
                    Content::new()
                        .p(format!("A team needs a Bloom filter for **{n}** keys with a false-positive rate of at most **{}**, using the optimal number of hash functions.", crate::answer::trim_float(target)))
                        .p(model)
                        .p("(a) How many bits per key does it need (rounded up to a whole number)? (b) How large is the filter then, in KiB (1 KiB = 1,024 bytes of 8 bits)?"),
                    vec![
                        AnswerSlot::new("bits per key", Expected::Integer { value: v as i64 }).unit("bits").exact_by_hand(),
                        AnswerSlot::new("filter size", Expected::sig((v * n) as f64 / 8.0 / 1024.0, 3)).unit("KiB").exact_by_hand(),
                    ],
                    Content::new()
                        .p("With the optimal $k = (m/n) ln 2$, the rate is $(1/2)^k = e^(-(m/n)(ln 2)^2)$, so $m/n = -ln p / (ln 2)^2$.")
                        .p(format!("$-ln {} / 0.4805 = {}$, rounded up: **{v}** bits per key. The filter holds ${v} times {n}$ = {} bits = {} bytes = **{} KiB**.", crate::answer::trim_float(target), fmt_sig(-target.ln() / (std::f64::consts::LN_2.powi(2)), 4), super::birthday::group(v * n), fmt_sig((v * n) as f64 / 8.0, 6), fmt_sig((v * n) as f64 / 8.0 / 1024.0, 3))),
                    Content::new().p(format!(
                        "At {v} bits per key and the best k the formula gives {}; at {} bits per key, {}.",
                        fmt_sig(fp_rate(v * n, n, optimal_k(v * n, n)), 4),
                        v - 1,
                        fmt_sig(fp_rate((v - 1) * n, n, optimal_k((v - 1) * n, n)), 4)
                    )),
                )
            }
        };
        let followup = match ask {
            "fp_rate" => FollowUp::new(
                format!("The set doubles to {} keys and nobody resizes the filter. What is the false-positive rate now?", 2 * n),
                format!(
                    "{} (from {}): the rate grows much faster than linearly, because every bit a query tests is more likely set.",
                    fmt_sig(fp_rate(m, 2 * n, k), 3),
                    fmt_sig(fp_rate(m, n, k), 3)
                ),
            )
            .point(format!("the best $k$ for this size is {}; a filter sized for today must be rebuilt as the set grows", optimal_k(m, n))),
            "optimal_k" => {
                let v = optimal_k(m, n);
                FollowUp::new(
                    format!("What false-positive rate does k = {v} give, and what does twice as many hash functions, {}, give?", 2 * v),
                    format!(
                        "{} at k = {v}, against {} at k = {}: more hash functions fill the array faster, and every lookup pays for each one.",
                        fmt_sig(fp_rate(m, n, v), 3),
                        fmt_sig(fp_rate(m, n, 2 * v), 3),
                        2 * v
                    ),
                )
                .point("at the optimum about half the bits are set")
            }
            _ => {
                let v = bits_needed(target);
                let kk = optimal_k(v * n, n);
                FollowUp::new(
                    "How many hash functions should it use, and what rate does it then reach?",
                    format!(
                        "$k = {v} ln 2 approx {}$, so k = {kk}, giving {}: just under the target because bits per key were rounded up.",
                        fmt_sig(v as f64 * std::f64::consts::LN_2, 3),
                        fmt_sig(fp_rate(v * n, n, kk), 3)
                    ),
                )
                .point("each tenfold cut in the rate costs about 4.8 bits per key")
            }
        };
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&s).followup(followup))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match (s.ask.as_str(), q.expected(0)?) {
            ("fp_rate", Expected::Real { value, .. }) => {
                // The real filter the evidence shows, built once in `generate`.
                let real = s.real.as_ref().ok_or_else(|| CheckError("the scenario holds no real filter".into()))?;
                // (1) The bits really set agree with the key's fill, value^(1/k), within the
                // occupancy's spread and the model's finite-size difference.
                let (exact_fill, sd) = fill_law(real.m, real.n, s.k);
                let key_fill = value.powf(1.0 / s.k as f64);
                // The textbook model's fill 1 − e^(−kn/m) differs from the exact expectation by this
                // much (tiny for filters the generator accepts).
                let slack = (exact_fill + (-(s.k as f64) * real.n as f64 / real.m as f64).exp_m1()).abs();
                let fill = mc::Estimate::derived(real.fill, sd, real.m, false);
                if !fill.not_below(key_fill - slack - 1e-12) || !fill.not_above(key_fill + slack + 1e-12) {
                    return Err(CheckError(format!("a real filter set {} of its bits; the key implies {key_fill} (exact expectation {exact_fill} ± {sd})", real.fill)));
                }
                // (2) Its queries: each non-member is a false positive with probability fill^k.
                real.fp.check("false positives of the real filter against fill^k", real.fill.powi(s.k as i32))
            }
            ("fix", Expected::Choice { correct, .. }) => {
                // Re-rank the changes with the exact occupancy form.
                let exact: Vec<f64> = s
                    .changes
                    .iter()
                    .map(|c| {
                        let (mm, kk) = c.apply(s.m, s.n, s.k);
                        fp_exact(mm, s.n, kk)
                    })
                    .collect();
                let best = (0..exact.len()).min_by(|a, b| exact[*a].total_cmp(&exact[*b]));
                CheckError::expect_eq("the change with the lowest exact rate", Some(*correct), best)
            }
            ("optimal_k", Expected::Integer { value }) => {
                let k = *value as u32;
                let here = fp_exact(s.m, s.n, k);
                for other in [k.saturating_sub(1).max(1), k + 1] {
                    if other != k && fp_exact(s.m, s.n, other) < here * (1.0 - 1e-3) {
                        return Err(CheckError(format!("k = {other} beats the key k = {k}")));
                    }
                }
                Ok(())
            }
            ("bits_per_item", Expected::Integer { value }) => {
                // The best rate at b bits per key, minimising the exact occupancy form over every
                // whole k (not the key's k = (m/n)·ln 2).
                let b = *value as u64;
                let at = |bits: u64| (1..=64).map(|k| fp_exact(bits * 1000, 1000, k)).fold(f64::INFINITY, f64::min);
                if at(b) > s.target * 1.02 || at(b - 1) <= s.target * 0.98 {
                    return Err(CheckError(format!("{b} bits per key gives {}, {} gives {}", at(b), b - 1, at(b - 1))));
                }
                // The size: b·n bits, in KiB of 8,192 bits.
                let kib = q.expected_real(1)?;
                let bits = (b * s.n) as f64;
                if (kib * 8192.0 - bits).abs() > 1e-9 * bits {
                    return Err(CheckError(format!("size {kib} KiB, but {b} bits for {} keys is {bits} bits", s.n)));
                }
                Ok(())
            }
            _ => Err(CheckError("answer kind does not match the ask".into())),
        }
    }
}


/// The `fix` ask: which single change lowers the filter's false-positive rate the most.
fn fix_question(s: Scenario) -> Question {
    let (m, n, k) = (s.m, s.n, s.k);
    let rates = fix_rates(m, n, k, &s.changes);
    let best = (0..rates.len()).min_by(|a, b| rates[*a].total_cmp(&rates[*b])).unwrap_or(0);
    let now = fp_rate(m, n, k);
    let kopt = optimal_k(m, n);
    let options: Vec<ChoiceOption> = s
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == best {
                ChoiceOption::right(c.text(m, n, k))
            } else {
                ChoiceOption::wrong(
                    c.text(m, n, k),
                    format!("{} Here it gives {}, against {} for the best change.", c.lure(), fmt_sig(rates[i], 3), fmt_sig(rates[best], 3)),
                )
            }
        })
        .collect();
    let prompt = Content::new()
        .p(format!("A Bloom filter of **m = {}** bits with **k = {k}** hash functions holds **n = {}** keys, and its false-positive rate is too high.", group(m), group(n)))
        .p("Use the standard approximation: after $n$ insertions a bit is still 0 with probability $e^(-k n/m)$, and a non-member is reported present when all $k$ of its bits are 1.")
        .p("Which single change lowers the false-positive rate the most?");
    let rows: Vec<Vec<String>> = s
        .changes
        .iter()
        .zip(&rates)
        .map(|(c, r)| {
            let (mm, kk) = c.apply(m, n, k);
            vec![c.text(m, n, k), group(mm), kk.to_string(), fmt_sig(*r, 3)]
        })
        .collect();
    let solution = Content::new()
        .p(format!(
            "Now: $(1 - e^(-{k} dot {n}/{m}))^{k} = {}$. The best $k$ for this size is $(m/n) ln 2 = {}$, so k = {kopt}. Evaluate every change with the same formula:",
            fmt_sig(now, 3),
            fmt_sig(m as f64 / n as f64 * std::f64::consts::LN_2, 3)
        ))
        .table(["change", "bits", "hash functions", "false-positive rate"], rows.clone())
        .p(format!("The lowest is **{}**.", s.changes[best].text(m, n, k)));
    let evidence = Content::new().p("False-positive rates after each change (standard approximation):").table(["change", "bits", "hash functions", "rate"], rows);
    let correct = best;
    Question::new(prompt, vec![AnswerSlot::new("the change that helps most", Expected::Choice { options, correct })], solution, evidence)
        .with_scenario(&s)
        .followup(
            FollowUp::new(
                format!("With k = {kopt} the rate is {}. How many bits per key would cut that tenfold?", fmt_sig(fp_rate(m, n, kopt), 3)),
                format!(
                    "$-ln({}) / (ln 2)^2 approx {}$ bits per key at the best k, against {} now.",
                    fmt_sig(fp_rate(m, n, kopt) / 10.0, 3),
                    fmt_sig(-(fp_rate(m, n, kopt) / 10.0).ln() / std::f64::consts::LN_2.powi(2), 3),
                    fmt_sig(m as f64 / n as f64, 3)
                ),
            )
            .point("each tenfold cut costs about 4.8 bits per key at the best k"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    fn fix_answer(k: u32) -> String {
        let pins = parse_pins(&Bloom, &["ask=fix".into(), "items=1000".into(), "bits_per_item=10".into(), format!("hashes={k}")]).unwrap();
        let q = generate(&Bloom, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Bloom, &q).unwrap();
        let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
        options[*correct].text.clone()
    }

    #[test]
    fn the_fix_is_the_change_a_hand_calculation_picks() {
        // By hand, 1,000 keys in 10,000 bits. With k = 2 (now 0.0329): k = 4 gives
        // (1 − e^−0.4)^4 = 0.0118, k = 7 gives 0.00819 (the textbook 10-bits-per-key figure),
        // 12,500 bits give (1 − e^−0.16)^2 = 0.0219, k = 1 gives 0.0952: fix k.
        assert_eq!(fix_answer(2), "Use 7 hash functions instead of 2");
        // With k = 6 (now 0.00843) the best k buys 3%, while 12,500 bits at k = 6 give
        // (1 − e^−0.48)^6 = 0.00306: add bits.
        assert_eq!(fix_answer(6), "Add 25% more bits (12,500 bits), keeping 6 hash functions");
    }

    #[test]
    fn a_fix_with_a_near_tie_is_refused_and_a_wrong_key_caught() {
        // k = 7 is already the best: the "best k" option would change nothing.
        let pins = parse_pins(&Bloom, &["ask=fix".into(), "items=1000".into(), "bits_per_item=10".into(), "hashes=7".into()]).unwrap();
        assert!(generate(&Bloom, 1, Difficulty::Medium, &pins).is_err());
        let pins = parse_pins(&Bloom, &["ask=fix".into(), "items=1000".into(), "bits_per_item=10".into(), "hashes=2".into()]).unwrap();
        let mut q = generate(&Bloom, 1, Difficulty::Medium, &pins).unwrap();
        let Expected::Choice { correct, .. } = &mut q.slots[0].expected else { panic!() };
        *correct = (*correct + 1) % 4;
        assert!(crate::family::cross_check(&Bloom, &q).is_err());
    }

    #[test]
    fn passes_the_stress_check() {
        stress(&Bloom, 0..30).unwrap();
    }

    #[test]
    fn textbook_values() {
        // 10 bits per key, k = 7: about 0.82% (the widely quoted figure is 0.819%).
        assert!((fp_rate(10_000, 1000, 7) - 0.00819).abs() < 0.00002);
        assert_eq!(optimal_k(10_000, 1000), 7);
        // 1% needs 9.59 → 10 bits per key; 0.1% needs 14.38 → 15.
        assert_eq!(bits_needed(0.01), 10);
        assert_eq!(bits_needed(0.001), 15);
    }

    #[test]
    fn a_rare_false_positive_rate_is_checked_with_power() {
        // 16 bits per key, 10 hashes: about 4.6e-4. With 30,000 queries (about 14 false
        // positives) a key of 0, or of half the rate, agreed at 5σ; now the filter's fill and
        // about 400 expected false positives refuse both.
        let pins = parse_pins(&Bloom, &["ask=fp_rate".into(), "items=20000".into(), "bits_per_item=16".into(), "hashes=10".into()]).unwrap();
        let mut q = generate(&Bloom, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Bloom, &q).unwrap();
        let v = fp_rate(320_000, 20_000, 10);
        for wrong in [0.0, v / 2.0, v * 1.5] {
            q.slots[0].expected = Expected::sig(wrong, 3);
            assert!(crate::family::cross_check(&Bloom, &q).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_filter_too_small_for_the_model_is_refused() {
        // 10 keys, 40 bits, 15 hashes: the model says 0.70; real filters average about 0.80 and
        // one in three has every bit set. This generated, then failed its own cross-check.
        let pins = parse_pins(&Bloom, &["ask=fp_rate".into(), "items=10".into(), "hashes=15".into(), "bits_per_item=4".into()]).unwrap();
        let err = generate(&Bloom, 0, Difficulty::Medium, &pins).unwrap_err();
        assert!(matches!(err, GenError::Params { .. }) && err.to_string().contains("too small"), "{err}");
        // The drawn ranges stay well inside the model.
        for (n, bpi, k) in [(1000, 4, 6), (1000, 12, 6), (5000, 6, 8), (10_000, 16, 10)] {
            assert!(model_gap(n * bpi, n, k) < MAX_MODEL_GAP / 4.0, "{n} {bpi} {k}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Bloom, &["ask=optimal_k".into(), "items=1000".into(), "bits_per_item=10".into()]).unwrap();
        let q = generate(&Bloom, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "7");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Bloom, &["ask=fp_rate".into(), "items=5000".into(), "bits_per_item=8".into(), "hashes=4".into()]).unwrap();
        let mut q = generate(&Bloom, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Bloom, &q).unwrap();
        q.slots[0].expected = Expected::sig(fp_rate(40_000, 5000, 4) * 1.3, 3);
        assert!(crate::family::cross_check(&Bloom, &q).is_err());
        let pins = parse_pins(&Bloom, &["ask=optimal_k".into(), "items=1000".into(), "bits_per_item=10".into()]).unwrap();
        let mut q = generate(&Bloom, 1, Difficulty::Medium, &pins).unwrap();
        q.slots[0].expected = Expected::Integer { value: 10 };
        assert!(crate::family::cross_check(&Bloom, &q).is_err());
        // bits_per_item: one bit more or less than needed is caught.
        let pins = parse_pins(&Bloom, &["ask=bits_per_item".into(), "target=0.001".into()]).unwrap();
        let mut q = generate(&Bloom, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Bloom, &q).unwrap();
        assert_eq!(q.slots[0].expected, Expected::Integer { value: 15 });
        for wrong in [14, 16] {
            q.slots[0].expected = Expected::Integer { value: wrong };
            assert!(crate::family::cross_check(&Bloom, &q).is_err(), "{wrong}");
        }
    }
}
