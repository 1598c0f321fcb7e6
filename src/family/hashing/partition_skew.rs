//! `hashing.partition_skew`: a good hash spreads keys evenly, yet Zipf-popular keys still make one
//! shard hot.
//!
//! **Asked.** N keys `user:1` … `user:N`, where `user:i` is the i-th most popular: it receives a
//! share of requests proportional to 1/i^s. Keys go to shard `xxh3_64_with_seed(key, seed) mod S`.
//! The prompt shows the top keys' shares and real shards, and the share of the rest. (a) The
//! hottest shard's share of all requests, in percent; (b) how many times the average shard's load
//! (1/S) that is. The tolerance is the smallest of ±1, 1.5, 2, 3, 4, 5 points that the by-hand
//! route below meets with room to spare, and (b)'s is the same times S/100.
//!
//! **Parameters.** `keys` N: easy 100–1,000, medium 1,000–10,000, hard 10,000–100,000; `skew` s:
//! easy 1.0, medium 0.8–1.2, hard 0.8–1.4; `shards` S: easy 4–8, medium 4–16, hard 8–32. The hash
//! seed is drawn and shown.
//!
//! **Key.** The exact sum of the Zipf probabilities over the real key → shard map (every key is
//! hashed), maximised over shards.
//!
//! **By hand.** The shown top keys exactly, plus the rest spread evenly (1/S of their share per
//! shard). The tail does not spread exactly evenly (its per-shard share fluctuates by about
//! sqrt(Σ_tail p_i²/S)), so the generator picks the tolerance and shows as many top keys (8 to 32)
//! as it takes for that estimate to land within half the tolerance of the key (redrawing the hash
//! seed when no tolerance up to ±5 points is fair): the question is fair, and the key is still the
//! exact map.
//!
//! **Second route.** Sampling: requests drawn with `rand_distr::Zipf`, routed through the same
//! hash, counted per shard; the keyed shard's sampled share must agree within `mc::K_SIGMA`
//! standard errors, and no other shard may be significantly hotter. That sample is the one the
//! evidence shows: it is drawn once, in `generate`, from its own RNG stream, and its estimates
//! travel in the scenario for `cross_check`.
//!
//! **Pitfalls**: 1/S ("the hash balances everything"); the most popular key's share alone;
//! forgetting that the long tail adds its even share to every shard.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected, Tolerance};
use crate::content::Content;
use crate::family::support::mc::Estimate;
use crate::family::support::zipf;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The family.
pub struct PartitionSkew;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "keys",
        help: "distinct keys N",
        kind: ParamKind::Int { min: 2, max: 200_000, draw: [(100, 1000), (1000, 10_000), (10_000, 100_000)] },
    },
    ParamSpec {
        key: "skew",
        help: "Zipf exponent s (the i-th key's share ∝ 1/i^s)",
        kind: ParamKind::Real { min: 0.1, max: 3.0, step: 0.1, draw: [(1.0, 1.0), (0.8, 1.2), (0.8, 1.4)] },
    },
    ParamSpec {
        key: "shards",
        help: "shards S",
        kind: ParamKind::Int { min: 2, max: 1024, draw: [(4, 8), (4, 16), (8, 32)] },
    },
];

/// Tolerances of (a) on offer, in percentage points; (b) gets the same, times S/100.
const TOLERANCES: [f64; 6] = [1.0, 1.5, 2.0, 3.0, 4.0, 5.0];
/// Top keys shown: at least, and at most.
const SHOW_MIN: usize = 8;
const SHOW_MAX: usize = 32;
/// Hash seeds tried before giving up on a fair question.
const SEED_TRIES: usize = 50;
const SAMPLES: u64 = 100_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    n: u64,
    s: f64,
    shards: u64,
    seed: u64,
    /// Which shard the key says is hottest.
    hottest: u64,
}

/// The scenario as the question stores it: the draw, and the evidence's sampled shares, which the
/// cross-check tests against the key.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    sc: Scenario,
    sampled: Vec<Estimate>,
}

fn shard_of(i: u64, sc: &Scenario) -> u64 {
    xxh3_64_with_seed(format!("user:{i}").as_bytes(), sc.seed) % sc.shards
}

/// Each shard's exact share of requests, hashing every key.
fn loads(sc: &Scenario, p: &[f64]) -> Vec<f64> {
    let mut load = vec![0.0; sc.shards as usize];
    for (i, &q) in p.iter().enumerate() {
        load[shard_of(i as u64 + 1, sc) as usize] += q;
    }
    load
}

/// The by-hand estimate: the top `k` keys exactly, the rest spread evenly.
fn by_hand(sc: &Scenario, p: &[f64], k: usize) -> Vec<f64> {
    let top: f64 = p.iter().take(k).sum();
    let rest = (1.0 - top).max(0.0);
    let mut load = vec![rest / sc.shards as f64; sc.shards as usize];
    for (i, &q) in p.iter().take(k).enumerate() {
        load[shard_of(i as u64 + 1, sc) as usize] += q;
    }
    load
}

fn argmax(v: &[f64]) -> (usize, f64) {
    v.iter().copied().enumerate().fold((0, f64::MIN), |a, (i, x)| if x > a.1 { (i, x) } else { a })
}

/// Sampled shard shares: requests drawn from Zipf(N, s) and routed through the hash (every key's
/// shard computed once, then looked up per request).
fn sample(sc: &Scenario, rng: &mut ChaCha8Rng) -> Vec<Estimate> {
    let zipf = Zipf::new(sc.n as f64, sc.s).expect("N ≥ 1, s ≥ 0");
    let map: Vec<u32> = (1..=sc.n).map(|i| shard_of(i, sc) as u32).collect();
    let mut counts = vec![0u64; sc.shards as usize];
    for _ in 0..SAMPLES {
        let i = zipf.sample(rng) as usize;
        counts[map[i - 1] as usize] += 1;
    }
    counts
        .iter()
        .map(|&c| Estimate::from_hits(c, SAMPLES))
        .collect()
}

fn pct(x: f64) -> String {
    fmt_sig(100.0 * x, 3)
}

impl Family for PartitionSkew {
    fn id(&self) -> &'static str {
        "hashing.partition_skew"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Hot shards: hashing Zipf-popular keys"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [4, 5, 6], &["hot-keys"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "the hottest shard's share of Zipf traffic under xxh3 sharding, and its multiple of the average",
            key: "every key hashed: the exact sum of Zipf shares per shard",
            second_route: "requests sampled with `rand_distr::Zipf` through the same hash",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("keys") as u64;
        let s = cx.real("skew");
        let shards = cx.int("shards") as u64;
        let p = zipf::shares(n, s);
        // The smallest tolerance (then the fewest shown keys) for which the by-hand estimate lands
        // within half the tolerance: the tail's hash fluctuation sets how precise a fair answer
        // is. A hash seed for which no tolerance on offer is fair is redrawn (a few tries at most
        // in practice; the parameters cannot change it).
        let mut fair = None;
        for _ in 0..SEED_TRIES {
            let seed = cx.rng().random::<u32>() as u64;
            let mut sc = Scenario { n, s, shards, seed, hottest: 0 };
            let exact = loads(&sc, &p);
            let (hot, share) = argmax(&exact);
            sc.hottest = hot as u64;
            let found = TOLERANCES.iter().find_map(|&tol| {
                (SHOW_MIN..=SHOW_MAX.min(n as usize))
                    .find(|&k| (argmax(&by_hand(&sc, &p, k)).1 - share).abs() * 100.0 <= tol / 2.0)
                    .map(|k| (tol, k))
            });
            if let Some((tol, show)) = found {
                fair = Some((sc, exact, hot, share, tol, show));
                break;
            }
        }
        let (sc, exact, hot, share, tol, show) = fair.ok_or_else(|| GenError::Params {
            message: format!("with {n} keys over {shards} shards, the top {SHOW_MAX} keys do not pin the hottest shard down to ±{} points", num(TOLERANCES[TOLERANCES.len() - 1] / 2.0)),
            hint: "use fewer keys, fewer shards or a stronger skew".into(),
        })?;
        let seed = sc.seed;
        let rest: f64 = p.iter().skip(show).sum();
        let hand = by_hand(&sc, &p, show);
        let avg = 1.0 / shards as f64;
        let rows: Vec<[String; 3]> = (0..show)
            .map(|i| [format!("`user:{}`", i + 1), format!("{}%", fmt_sig(100.0 * p[i], 3)), shard_of(i as u64 + 1, &sc).to_string()])
            .collect();
        let prompt = Content::new()
            .p(format!(
                "A store shards **{n}** keys `user:1` … `user:{n}` over **{shards}** shards (numbered 0 to {}) by `xxh3_64_with_seed(key, {seed}) mod {shards}`. Traffic follows Zipf's law with $s$ = **{}**: `user:i` receives a share of requests proportional to $1/i^{}$.",
                shards - 1,
                num(s),
                num(s)
            ))
            .p(format!("The {show} most popular keys, their share of requests and their real shard:"))
            .table(["key", "share of requests", "shard"], rows)
            .p(format!(
                "The other {} keys together receive {}% of requests; there are many of them, so the hash spreads that traffic about evenly.",
                n as usize - show,
                fmt_sig(100.0 * rest, 3)
            ));
        let (hand_hot, hand_share) = argmax(&hand);
        let method = format!("the {show} shown keys exactly, plus the rest spread evenly over the {shards} shards");
        let slots = vec![
            AnswerSlot::new("the hottest shard's share of all requests", Expected::Real { value: 100.0 * share, tolerance: Tolerance::Abs { abs: tol } })
                .unit("%")
                .by_hand(method.clone(), 100.0 * hand_share),
            AnswerSlot::new(
                "that load as a multiple of the average shard's load",
                Expected::Real { value: share / avg, tolerance: Tolerance::Abs { abs: tol * shards as f64 / 100.0 } },
            )
            .by_hand(method, hand_share / avg),
        ];
        let top_on_hot: Vec<String> = (0..show).filter(|&i| shard_of(i as u64 + 1, &sc) as usize == hand_hot).map(|i| format!("user:{}", i + 1)).collect();
        let solution = Content::new()
            .p(format!(
                "By hand: add up the shown keys per shard, then give every shard an equal part of the rest, {}% / {shards} = {}%. Shard {hand_hot} holds {} of the top keys ({}): {}% in all.",
                fmt_sig(100.0 * rest, 3),
                fmt_sig(100.0 * rest / shards as f64, 3),
                top_on_hot.len(),
                top_on_hot.join(", "),
                pct(hand_share)
            ))
            .p(format!(
                "(a) Hashing all {n} keys exactly gives shard {hot} **{}%** of requests.",
                pct(share)
            ))
            .p(format!(
                "(b) The average shard gets $1/{shards}$ = {}%, so the hottest carries **{}×** the average.",
                pct(avg),
                fmt_sig(share / avg, 3)
            ))
            .p(format!(
                "The hash is not at fault: `user:1` alone receives {}% of requests and must live on one shard. Hot keys need their own remedy: replicate them, cache them in front, or split them with a suffix.",
                pct(p[0])
            ));
        let est = sample(&sc, &mut cx.sim_rng("evidence"));
        let evidence = Content::new()
            .p(format!("Every key hashed for real; then {SAMPLES} requests drawn with rand_distr::Zipf and routed through the same hash (± one standard error)."))
            .table(
                ["shard", "exact share (%)", "by hand (%)", "sampled (%)"],
                (0..shards as usize)
                    .map(|j| [j.to_string(), fmt_sig(100.0 * exact[j], 4), fmt_sig(100.0 * hand[j], 4), format!("{} ± {}", fmt_sig(100.0 * est[j].mean, 4), fmt_sig(100.0 * est[j].stderr, 2))])
                    .collect::<Vec<_>>(),
            );
        // Doubling the shards (same hash seed): the hot key still lands on one shard.
        let doubled = Scenario { shards: 2 * shards, ..sc.clone() };
        let (_, share2) = argmax(&loads(&doubled, &p));
        let followup = FollowUp::new(
            format!("The team doubles the shards to {}. What happens to the hottest shard?", 2 * shards),
            format!(
                "Its share falls only to {}% ({}× the new average of {}%): `user:1` alone carries {}% and cannot be split by adding shards.",
                pct(share2),
                fmt_sig(share2 * 2.0 * shards as f64, 3),
                pct(0.5 / shards as f64),
                pct(p[0])
            ),
        )
        .point("more shards shrink the tail's part, not the hot key's: replicate, cache or salt the hot keys instead");
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&Stored { sc, sampled: est }).followup(followup))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let Stored { sc, sampled: est } = q.scenario()?;
        let key = q.expected_real(0)? / 100.0;
        let ratio = q.expected_real(1)?;
        if (ratio - key * sc.shards as f64).abs() > 1e-9 * ratio.abs().max(1.0) {
            return Err(CheckError(format!("ratio {ratio} is not share {key} × {} shards", sc.shards)));
        }
        let hot = est.get(sc.hottest as usize).ok_or_else(|| CheckError(format!("no sampled share for shard {}", sc.hottest)))?;
        if !hot.agrees_with(key) {
            return Err(CheckError(format!("shard {}: key {key}, sampled {}", sc.hottest, hot.describe(4))));
        }
        for (j, e) in est.iter().enumerate() {
            if !e.not_above(key) {
                return Err(CheckError(format!("shard {j} sampled {} is significantly hotter than the keyed {key}", e.describe(4))));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&PartitionSkew, 0..20).unwrap();
    }

    #[test]
    fn loads_add_up_and_follow_the_hash() {
        let sc = Scenario { n: 1000, s: 1.0, shards: 8, seed: 7, hottest: 0 };
        let p = zipf::shares(1000, 1.0);
        let l = loads(&sc, &p);
        assert!((l.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // The by-hand estimate with every key shown is the exact map.
        let all = by_hand(&sc, &p, 1000);
        assert!(l.iter().zip(&all).all(|(a, b)| (a - b).abs() < 1e-12));
        // s = 1, N = 1000: user:1's share is 1/H_1000 = 13.36%.
        assert!((p[0] - 1.0 / 7.485470860550345).abs() < 1e-12);
        // The shard really is xxh3 with the seed, mod S.
        assert_eq!(shard_of(1, &sc), xxh3_64_with_seed(b"user:1", 7) % 8);
    }

    #[test]
    fn the_hottest_shard_holds_the_top_key_or_more() {
        let pins = parse_pins(&PartitionSkew, &["keys=5000".into(), "skew=1.2".into(), "shards=16".into()]).unwrap();
        for seed in 0..10 {
            let q = generate(&PartitionSkew, seed, Difficulty::Medium, &pins).unwrap();
            let Expected::Real { value, .. } = q.slots[0].expected else { panic!() };
            let p1 = 100.0 * zipf::shares(5000, 1.2)[0];
            assert!(value >= p1 && value > 100.0 / 16.0, "seed {seed}: {value} < {p1}");
        }
    }

    #[test]
    fn the_cross_check_catches_the_balanced_answer() {
        let pins = parse_pins(&PartitionSkew, &["keys=2000".into(), "skew=1".into(), "shards=8".into()]).unwrap();
        let mut q = generate(&PartitionSkew, 3, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&PartitionSkew, &q).unwrap();
        // "The hash balances everything": 1/S.
        q.slots[0].expected = Expected::Real { value: 12.5, tolerance: Tolerance::Abs { abs: 1.0 } };
        q.slots[1].expected = Expected::Real { value: 1.0, tolerance: Tolerance::Abs { abs: 0.08 } };
        assert!(crate::family::cross_check(&PartitionSkew, &q).is_err());
    }
}
