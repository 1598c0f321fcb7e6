//! `hashing.buckets`: n keys hashed into m buckets by `xxh3_64(key) mod m`.
//!
//! **Asked** (`ask`):
//! - `empty`: the expected number of empty buckets, m(1 − 1/m)^n;
//! - `pairs`: the expected number of colliding pairs (two keys in the same bucket), C(n,2)/m;
//! - `max_load` (choice, hard): the expected fullest bucket, which has no simple closed form, keyed
//!   by simulation and asked as a choice between approximate values.
//!
//! **Parameters.** `buckets` m: easy 8–32, medium 64–1024, hard 256–4096 (pins up to 20,000);
//! `keys` n: m/2 to 2m (pins up to 20,000, which bounds the simulations' cost: 30 key sets of
//! 20,000 keys, hashed twice, once for the evidence and once for the cross-check).
//!
//! **Key.** `empty` and `pairs`: the exact expectations (linearity over buckets / over pairs).
//! `max_load`: the mean of the fullest bucket over simulated key sets hashed with real xxh3.
//!
//! **Evidence.** The occupancy histogram of one real key set (`user:<id>` strings hashed with
//! xxh3_64), next to the expected histogram m·P(Binomial(n, 1/m) = j).
//!
//! **Second route.** `empty`, `pairs`: Monte Carlo with real xxh3 over fresh random key sets
//! (`mc`'s test for whole-number samples: a zero-variance run against a tiny exact value agrees,
//! ten hits against an exact 0 do not); that run is the one the evidence shows, run once in
//! `generate` from its own RNG stream, and its estimate travels in the scenario for `cross_check`. `max_load`: a simulator that shares nothing with the key's:
//! the bucket counts drawn as a multinomial with sequential binomials (no hashing, no per-key loop);
//! its mean must agree with the key's (their difference against 0) and land nearer the keyed
//! option than any distractor.
//!
//! **Pitfalls**: m − n empty buckets (as if no collisions); n/m pairs; the average load n/m for the
//! maximum.

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The family.
pub struct Buckets;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "empty: expected empty buckets; pairs: expected colliding pairs; max_load: the fullest bucket (choice)",
        kind: ParamKind::Choice {
            options: &["empty", "pairs", "max_load"],
            draw: [&["empty", "pairs"], &["empty", "pairs"], &["empty", "pairs", "max_load"]],
        },
    },
    ParamSpec {
        key: "buckets",
        help: "buckets m",
        kind: ParamKind::Int { min: 2, max: 20_000, draw: [(8, 32), (64, 1024), (256, 4096)] },
    },
    ParamSpec {
        key: "keys",
        help: "keys n (drawn between m/2 and 2m)",
        kind: ParamKind::Int { min: 1, max: 20_000, draw: [(4, 64), (32, 2048), (128, 8192)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    m: u64,
    n: u64,
    /// For `max_load`: the key's simulation of the fullest bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<mc::Estimate>,
    /// For `empty` and `pairs`: the evidence's simulated count, which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<mc::Estimate>,
}

/// Bucket of a key, as the prompt states it.
fn bucket(key: &[u8], m: u64) -> usize {
    (xxh3_64(key) % m) as usize
}

/// Occupancy counts of n random `user:<id>` keys (ids below 10⁹, written without allocating).
fn occupancy(m: u64, n: u64, g: &mut rand_chacha::ChaCha8Rng, counts: &mut Vec<u32>) {
    counts.clear();
    counts.resize(m as usize, 0);
    let mut key = *b"user:000000000";
    for _ in 0..n {
        let mut id = g.random_range(0..1_000_000_000u64);
        let mut len = 0;
        let mut digits = [0u8; 9];
        loop {
            digits[len] = b'0' + (id % 10) as u8;
            id /= 10;
            len += 1;
            if id == 0 {
                break;
            }
        }
        for (i, d) in digits[..len].iter().rev().enumerate() {
            key[5 + i] = *d;
        }
        counts[bucket(&key[..5 + len], m)] += 1;
    }
}

/// The most keys per bucket a question asks about: the asks are about moderate loads, and the
/// occupancy histogram (one row per load seen) stays readable.
const MAX_LOAD: u64 = 32;

fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    // About 120,000 keys hashed, at least 30 key sets (20,000 keys cost 6·10⁵ hashes).
    let trials = (120_000 / s.n.max(1)).clamp(30, 2_000);
    let mut counts = Vec::new();
    mc::mean(trials, rng, |g| {
        occupancy(s.m, s.n, g, &mut counts);
        match s.ask.as_str() {
            "empty" => counts.iter().filter(|c| **c == 0).count() as f64,
            "pairs" => counts.iter().map(|c| (*c as f64) * (*c as f64 - 1.0) / 2.0).sum(),
            _ => *counts.iter().max().unwrap_or(&0) as f64,
        }
    })
}

/// The second route for `max_load`: the fullest of m buckets when n keys land as a multinomial,
/// drawn bucket by bucket with sequential binomials (`rand_distr::Binomial`): no hashing, no
/// per-key loop.
fn max_by_binomials(m: u64, n: u64, rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    use rand_distr::{Binomial, Distribution};
    let (mut left, mut max) = (n, 0u64);
    for i in 0..m {
        let bins = m - i;
        let x = if bins == 1 { left } else { Binomial::new(left, 1.0 / bins as f64).map(|b| b.sample(rng)).unwrap_or(0) };
        max = max.max(x);
        left -= x;
    }
    max as f64
}

fn exact(s: &Scenario) -> f64 {
    let (m, n) = (s.m as f64, s.n as f64);
    match s.ask.as_str() {
        "empty" => m * (1.0 - 1.0 / m).powf(n),
        _ => n * (n - 1.0) / 2.0 / m,
    }
}

impl Family for Buckets {
    fn id(&self) -> &'static str {
        "hashing.buckets"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Hashing keys into buckets: empties, collisions, the fullest bucket"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("empty", [2, 3, 4], &["balls-into-bins"]),
            Ask::new("pairs", [2, 3, 4], &["balls-into-bins"]),
            Ask::new("max_load", [3, 4, 5], &["balls-into-bins"]),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "expected empty buckets, colliding pairs, or the fullest bucket (choice) for n keys in m buckets",
            key: "exact expectations; simulation for the maximum",
            second_route: "Monte Carlo hashing real keys with xxh3; the maximum by an independent multinomial simulator",
        }
    }

    /// A pinned key count over [`MAX_LOAD`] keys per drawn bucket count: redrawn.
    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.scenario::<Scenario>() {
            Ok(s) if s.n > MAX_LOAD * s.m => vec![format!(
                "{} keys per bucket: more than {MAX_LOAD}, so no bucket is empty and the histogram runs long",
                s.n / s.m
            )],
            _ => Vec::new(),
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let m = cx.int("buckets") as u64;
        let n = cx.int_within("keys", (m / 2).max(1) as i64, (2 * m) as i64, 1) as u64;
        if cx.is_pinned("keys") {
            // A load above MAX_LOAD keys per bucket at the most buckets this draw allows is
            // certain: refused up front rather than redrawn (below it, `flaws` redraws `m`).
            let most = cx.int_bounds("buckets").1 as u64;
            if n > MAX_LOAD * most {
                return Err(GenError::Params {
                    message: format!(
                        "{} keys in {} buckets or fewer is more than {MAX_LOAD} keys per bucket: hardly any bucket could be empty, and the occupancy histogram would run to hundreds of rows",
                        crate::text::thousands(n),
                        crate::text::thousands(most)
                    ),
                    hint: format!("pin `buckets` too (up to 20,000), or at most {MAX_LOAD} keys per bucket"),
                });
            }
        }
        let mut s = Scenario { ask: ask.into(), m, n, max: None, count: None };
        let mut counts = Vec::new();
        occupancy(m, n, &mut cx.sim_rng("histogram"), &mut counts);
        let max_shown = counts.iter().copied().max().unwrap_or(0);
        let p = 1.0 / m as f64;
        let hist: Vec<Vec<String>> = (0..=max_shown)
            .map(|j| {
                // P(Binomial(n, p) = j) in log space: C(n, j) overflows f64 from n = 1,030.
                let ln_choose: f64 = (0..j).map(|i| ((n - i as u64) as f64 / (i + 1) as f64).ln()).sum();
                let binom = (ln_choose + j as f64 * p.ln() + (n - j as u64) as f64 * (-p).ln_1p()).exp();
                vec![
                    j.to_string(),
                    counts.iter().filter(|c| **c == j).count().to_string(),
                    fmt_sig(m as f64 * binom, 3),
                ]
            })
            .collect();
        let evidence_head = Content::new()
            .p(format!("One real key set: {n} random `user:<id>` keys hashed with xxh3_64 mod {m}. Occupancy histogram:"))
            .table(["keys in bucket", "buckets (observed)", "buckets (expected)"], hist);
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        if ask == "max_load" {
            s.max = Some(est);
        } else {
            s.count = Some(est);
        }
        let prompt = Content::new().p(format!(
            "A cache hashes **{n}** distinct keys into **{m}** buckets with `xxh3_64(key) mod {m}`; \
             treat the hash as uniformly random."
        ));
        let (prompt, slot, solution) = match ask {
            "empty" => {
                let v = exact(&s);
                (
                    prompt.p("What is the expected number of empty buckets?"),
                    AnswerSlot::new("expected empty buckets", Expected::sig(v, 3))
                        .unit("buckets")
                        .by_hand("linearity, $m(1 - 1/m)^n$ on a calculator", m as f64 * ((m as f64 - 1.0) / m as f64).powi(n as i32)),
                    Content::new()
                        .p(format!(
                            "A given bucket is missed by one key with probability $1 - 1/{m}$, by all {n} with $(1 - 1/{m})^{n} = {}$.",
                            fmt_sig((1.0 - p).powf(n as f64), 5)
                        ))
                        .p(format!("By linearity over the {m} buckets: **{}** empty buckets (the shortcut $m e^(-n/m)$ gives {}, close but not to 3 significant figures).", fmt_sig(v, 3), fmt_sig(m as f64 * (-(n as f64) / m as f64).exp(), 3)))
                        .p(format!("$m - n = {}$ would assume no two keys ever share a bucket.", m as i64 - n as i64)),
                )
            }
            "pairs" => {
                let v = exact(&s);
                (
                    prompt.p("What is the expected number of colliding pairs, i.e. unordered pairs of keys that land in the same bucket?"),
                    AnswerSlot::new("expected colliding pairs", Expected::sig(v, 3)).unit("pairs").exact_by_hand(),
                    Content::new()
                        .p(format!("There are $binom({n}, 2) = {}$ pairs, and each pair collides with probability $1/{m}$.", n * (n - 1) / 2))
                        .p(format!("$E[\"pairs\"] = {} / {m}$ = **{}**: collisions grow with $n^2$, which is the birthday effect.", n * (n - 1) / 2, fmt_sig(v, 3))),
                )
            }
            _ => {
                let key = est.mean;
                let avg = n as f64 / m as f64;
                let ln_m = (m as f64).ln();
                let mut options = vec![
                    ChoiceOption::right(format!("about {}", fmt_sig(key, 2))),
                    ChoiceOption::wrong(format!("about {}", fmt_sig(avg.max(1.0), 2)), "That is the average load n/m; the fullest bucket is well above the average."),
                    ChoiceOption::wrong(format!("about {}", fmt_sig(key * 2.2, 2)), "Overestimates: the maximum of m loads grows only like ln m / ln ln m."),
                    ChoiceOption::wrong(format!("about {}", fmt_sig(ln_m * ln_m, 2)), "(ln m)² has no basis here; the fullest bucket grows like ln m / ln ln m."),
                ];
                options.dedup_by(|a, b| a.text == b.text);
                let rot = cx.rng().random_range(0..options.len());
                options.rotate_left(rot);
                let correct = options.iter().position(|o| o.why_wrong.is_none()).unwrap_or(0);
                (
                    prompt.p("About how many keys does the fullest bucket hold, on average?"),
                    AnswerSlot::new("the fullest bucket", Expected::Choice { options, correct }),
                    Content::new()
                        .p(format!(
                            "Each bucket's load is about Poisson($n/m = {}$); the maximum of {m} such loads sits far in the tail. For $n approx m$ it grows like $ln m / ln ln m approx {}$.",
                            fmt_sig(avg, 3),
                            fmt_sig(ln_m / ln_m.ln().max(1.0), 3)
                        ))
                        .p(format!("There is no simple closed form; simulating the hashing gives a mean fullest bucket of **{}** keys.", fmt_sig(key, 3))),
                )
            }
        };
        let evidence = evidence_head.p(format!(
            "Simulation: {} key sets hashed with xxh3; mean {}.",
            est.n,
            est.describe(4)
        ));
        let (mf, nf) = (m as f64, n as f64);
        let followup = match ask {
            "empty" => FollowUp::new(
                format!("What if the cache holds twice as many keys, {}?", 2 * n),
                format!(
                    "$m(1 - 1/m)^({})$ = {} empty buckets: each doubling of the load squares the share left empty ({} then {}).",
                    2 * n,
                    fmt_sig(mf * (1.0 - 1.0 / mf).powf(2.0 * nf), 3),
                    fmt_sig((1.0 - 1.0 / mf).powf(nf), 3),
                    fmt_sig((1.0 - 1.0 / mf).powf(2.0 * nf), 3)
                ),
            )
            .point("the share of empty buckets is about $e^(-n/m)$: a full-looking table still has a third empty at $n = m$"),
            "pairs" => FollowUp::new(
                "How many keys can go into these buckets before one colliding pair is expected?",
                format!(
                    "$n(n-1)/(2m) >= 1$ first at n = {}, about $sqrt(2m) = {}$: far fewer than the {m} buckets.",
                    (1..).find(|k: &u64| (*k as f64) * (*k as f64 - 1.0) / 2.0 / mf >= 1.0).unwrap_or(1),
                    fmt_sig((2.0 * mf).sqrt(), 3)
                ),
            )
            .point("the birthday bound: collisions start near $sqrt(m)$ keys"),
            _ => FollowUp::new(
                "Each key goes to the emptier of two hashed buckets (two choices). What happens to the fullest bucket?",
                format!(
                    "It drops to about $ln ln m / ln 2 approx {}$ above the average {}: two choices shrink the maximum exponentially.",
                    fmt_sig((mf.ln()).ln() / 2f64.ln(), 2),
                    fmt_sig(nf / mf, 2)
                ),
            )
            .point("the power of two choices, used by load balancers and cuckoo hashing"),
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s).followup(followup))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match q.expected(0)? {
            Expected::Real { value, .. } => s
                .count
                .ok_or_else(|| CheckError("the scenario lacks the simulated count".into()))?
                .check("expected count", *value),
            Expected::Choice { options, correct } => {
                let key = s.max.ok_or_else(|| CheckError("the scenario lacks the key's simulation".into()))?;
                // Four times the key's key sets, within about 10⁶ binomial draws.
                let runs = (4 * key.n).min((1_000_000 / s.m).max(key.n));
                let est = mc::mean(runs, &mut cx.sim_rng("check"), |g| max_by_binomials(s.m, s.n, g));
                let se = (key.stderr.powi(2) + est.stderr.powi(2)).sqrt();
                mc::Estimate::derived(key.mean - est.mean, se, key.n, false)
                    .check(&format!("fullest bucket: key's hashing {} against binomials {} (difference)", key.describe(3), est.describe(3)), 0.0)?;
                let val = |t: &str| t.trim_start_matches("about ").parse::<f64>().unwrap_or(f64::NAN);
                let nearest = options
                    .iter()
                    .enumerate()
                    .min_by(|a, b| (val(&a.1.text) - est.mean).abs().total_cmp(&(val(&b.1.text) - est.mean).abs()))
                    .map(|(i, _)| i);
                CheckError::expect_eq("option nearest an independent simulation", Some(*correct), nearest)
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Buckets, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // 2 keys, 2 buckets: P(one empty) = 1/2, so 1 empty bucket on average; 1 pair, collides w.p. 1/2.
        assert!((exact(&Scenario { ask: "empty".into(), m: 2, n: 2, max: None, count: None }) - 0.5).abs() < 1e-12);
        assert!((exact(&Scenario { ask: "pairs".into(), m: 2, n: 2, max: None, count: None }) - 0.5).abs() < 1e-12);
        // xxh3_64 of the empty input, from the reference implementation's test vectors.
        assert_eq!(xxh3_64(b""), 0x2d06800538d394c2);
    }

    #[test]
    fn the_fullest_bucket_is_checked_by_an_independent_simulator() {
        // The old check reran the key's own hashing simulation on another stream, so a bug in it
        // passed twice. Binomials must agree with hashing here, and a misstated key is caught.
        let pins = parse_pins(&Buckets, &["ask=max_load".into(), "buckets=1024".into(), "keys=1024".into()]).unwrap();
        let mut q = generate(&Buckets, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Buckets, &q).unwrap();
        let mean = q.scenario["max"]["mean"].as_f64().unwrap();
        assert!((5.0..6.5).contains(&mean), "{mean}");
        q.scenario["max"]["mean"] = serde_json::json!(mean + 0.8);
        assert!(crate::family::cross_check(&Buckets, &q).is_err());
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Buckets, &["ask=pairs".into(), "buckets=100".into(), "keys=101".into()]).unwrap();
        let q = generate(&Buckets, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "50.5");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Buckets, &["ask=empty".into(), "buckets=256".into(), "keys=256".into()]).unwrap();
        let mut q = generate(&Buckets, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Buckets, &q).unwrap();
        q.slots[0].expected = Expected::sig(256.0 * 0.5, 3);
        assert!(crate::family::cross_check(&Buckets, &q).is_err());
        let pins = parse_pins(&Buckets, &["ask=max_load".into(), "buckets=1024".into(), "keys=1024".into()]).unwrap();
        let mut q = generate(&Buckets, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Buckets, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(crate::family::cross_check(&Buckets, &q).is_err());
    }

    #[test]
    fn a_pinned_load_above_32_keys_per_bucket_is_redrawn_and_the_histogram_stays_finite() {
        // (A load above 32 at every drawable bucket count is refused: tests/registry.rs.) Medium draws 64–1,024 buckets: 4,000 keys are fine for some draws and redrawn for others,
        // and every question shows a load of at most 32 with a histogram of finite expected counts.
        let pins = parse_pins(&Buckets, &["keys=4000".into()]).unwrap();
        for seed in 0..10 {
            let q = generate(&Buckets, seed, Difficulty::Medium, &pins).unwrap();
            let s: Scenario = q.scenario().unwrap();
            assert!(s.n <= 32 * s.m, "seed {seed}: {} keys in {} buckets", s.n, s.m);
            let text = format!("{:?}", q.evidence);
            assert!(!text.contains("inf") && !text.contains("NaN"), "seed {seed}: {text}");
        }
        // The exact expected histogram for n = 20,000 keys in m = 20,000 buckets (C(n, j) alone
        // would overflow): row 0 is m(1 − 1/m)^n ≈ 20,000·e^(−1) ≈ 7,357.
        let pins = parse_pins(&Buckets, &["ask=empty".into(), "keys=20000".into(), "buckets=20000".into()]).unwrap();
        let q = generate(&Buckets, 1, Difficulty::Easy, &pins).unwrap();
        let text = format!("{:?}", q.evidence);
        assert!(text.contains("7360") || text.contains("7357") || text.contains("7,36"), "{text}");
        assert!(!text.contains("inf") && !text.contains("NaN"));
    }

}
