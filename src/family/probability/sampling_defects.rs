//! `probability.sampling_defects`: D of N stored objects are corrupted; a scrubber checks n of
//! them, chosen at random without replacement. Will it notice?
//!
//! **Asked** (`ask`):
//! - `detect`: P(at least one corrupted object is among the n checked) = 1 − C(N−D, n)/C(N, n);
//! - `sample_size`: the fewest checks n with P(detect) ≥ target.
//!
//! **Parameters.** `objects` N: easy 20–100, medium 100–2000, hard 1000–100000; `corrupted` D: 1–5,
//! 1–20, 1–50 (below N/4); `checked` n: a few percent to a third of N; `target` 0.9/0.95/0.99.
//!
//! **Key.** The hypergeometric miss probability as the product Π_{i<n} (N − D − i)/(N − i), exact in
//! floating point without huge binomials; `sample_size` steps n up.
//!
//! **Second route.** Monte Carlo: place the D corrupted objects at uniformly random distinct
//! positions of a random scrub order and see whether one falls among the first n checked. For `sample_size`, the
//! key's n must clear the target in simulation and n − 1 must not (each within `K_SIGMA`).
//!
//! **Pitfalls**: the binomial 1 − (1 − D/N)^n (sampling with replacement: close for small n/N, off
//! for large); n·D/N (an expectation, not a probability).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct SamplingDefects;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "detect: P(at least one corrupted object checked); sample_size: fewest checks for a target",
        kind: ParamKind::Choice {
            options: &["detect", "sample_size"],
            draw: [&["detect"], &["detect", "sample_size"], &["detect", "sample_size"]],
        },
    },
    ParamSpec {
        key: "objects",
        help: "objects N",
        kind: ParamKind::Int { min: 2, max: 1_000_000, draw: [(20, 100), (100, 2000), (1000, 100_000)] },
    },
    ParamSpec {
        key: "corrupted",
        help: "corrupted objects D",
        kind: ParamKind::Int { min: 1, max: 100_000, draw: [(1, 5), (1, 20), (1, 50)] },
    },
    ParamSpec {
        key: "checked",
        help: "objects checked n (detect; drawn between N/20 and N/3)",
        kind: ParamKind::Int { min: 1, max: 1_000_000, draw: [(1, 33), (5, 660), (50, 33_000)] },
    },
    ParamSpec {
        key: "target",
        help: "target detection probability (sample_size)",
        kind: ParamKind::Choice { options: &["0.9", "0.95", "0.99"], draw: [&["0.9"], &["0.9", "0.95"], &["0.95", "0.99"]] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    big_n: u64,
    d: u64,
    n: u64,
    target: f64,
}

/// P(no corrupted object among n drawn without replacement).
pub fn miss(big_n: u64, d: u64, n: u64) -> f64 {
    if n + d > big_n {
        return 0.0;
    }
    (0..n).map(|i| (big_n - d - i) as f64 / (big_n - i) as f64).product()
}

/// Fewest n with 1 − miss ≥ target (stepping; miss is decreasing in n).
pub fn fewest(big_n: u64, d: u64, target: f64) -> u64 {
    let (mut n, mut m) = (0u64, 1.0f64);
    while 1.0 - m < target - 1e-12 {
        m *= (big_n - d - n) as f64 / (big_n - n) as f64;
        n += 1;
    }
    n
}

/// One scrub, seen as a random order of all N objects of which the scrubber checks the first n:
/// it finds corruption iff some corrupted object lands in the first n positions. The D corrupted
/// objects' positions are a uniform D-subset of 0..N, so a trial costs O(D), not O(n).
fn detects(big_n: u64, d: u64, n: u64, g: &mut rand_chacha::ChaCha8Rng) -> bool {
    if d <= 64 {
        let mut pos: Vec<u64> = Vec::with_capacity(d as usize);
        while (pos.len() as u64) < d {
            let p = g.random_range(0..big_n);
            if !pos.contains(&p) {
                pos.push(p);
            }
        }
        pos.iter().any(|p| *p < n)
    } else {
        // Many corrupted objects: walk the scrub order until the first corrupted one (≈ N/D steps).
        (0..n).any(|i| g.random_range(0..big_n - i) < d)
    }
}

fn simulate(big_n: u64, d: u64, n: u64, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    let trials = (1_000_000 / d.max(1)).clamp(4_000, 30_000);
    mc::probability(trials, rng, |g| detects(big_n, d, n, g))
}

impl Family for SamplingDefects {
    fn id(&self) -> &'static str {
        "probability.sampling_defects"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Scrubbing a sample: will corruption be found?"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let big_n = cx.int("objects") as u64;
        let d = cx.int_within("corrupted", 1, (big_n / 4).max(1) as i64, 1) as u64;
        let n = cx.int_within("checked", (big_n / 20).max(1) as i64, (big_n / 3).max(1) as i64, 1) as u64;
        let target: f64 = cx.pick("target").parse().unwrap_or(0.95);
        if ask == "detect" {
            cx.unused("target");
        } else {
            cx.unused("checked");
        }
        if d >= big_n || n > big_n {
            return Err(GenError::Params {
                message: format!("corrupted = {d} and checked = {n} must both be below objects = {big_n}"),
                hint: "lower corrupted or checked, or raise objects".into(),
            });
        }
        let s = Scenario { ask: ask.into(), big_n, d, n, target };
        let setting = format!(
            "An object store holds **{big_n}** objects, of which **{d}** are silently corrupted. A \
             scrubber verifies the checksums of objects chosen uniformly at random, each object at \
             most once (without replacement)."
        );
        let (prompt, slot, solution, evidence) = if ask == "detect" {
            let v = 1.0 - miss(big_n, d, n);
            let binom = 1.0 - (1.0 - d as f64 / big_n as f64).powi(n as i32);
            let est = simulate(big_n, d, n, &mut cx.sim_rng("mc"));
            (
                Content::new().p(&setting).p(format!(
                    "It verifies **{n}** objects. What is the probability that it finds at least one corrupted object?"
                )),
                AnswerSlot::new("P(at least one found)", Expected::sig(v, 3)),
                Content::new()
                    .p(format!(
                        "It misses only if all {n} checked objects are clean: C({}, {n})/C({big_n}, {n}) = Π_(i=0..{}) ({} − i)/({big_n} − i) = {}.",
                        big_n - d,
                        n - 1,
                        big_n - d,
                        fmt_sig(1.0 - v, 5)
                    ))
                    .p(format!("P(found) = 1 − {} = **{}**.", fmt_sig(1.0 - v, 5), fmt_sig(v, 3)))
                    .p(format!(
                        "The with-replacement (binomial) shortcut 1 − (1 − {d}/{big_n})^{n} = {} underestimates it: without replacement each clean draw makes the rest slightly dirtier.",
                        fmt_sig(binom, 3)
                    )),
                Content::new().p(format!(
                    "Monte Carlo: {} simulated scrubs drawing without replacement; found corruption in {}.",
                    est.n,
                    est.describe(4)
                )),
            )
        } else {
            let v = fewest(big_n, d, target);
            (
                Content::new().p(&setting).p(format!(
                    "How many objects must it verify so that it finds at least one corrupted object with probability at least **{target}**?"
                )),
                AnswerSlot::new("fewest objects to verify", Expected::Integer { value: v as i64 }),
                Content::new()
                    .p(format!(
                        "Need P(miss) = Π_(i<n) ({} − i)/({big_n} − i) ≤ {}. The product falls as n grows; step n up until it crosses.",
                        big_n - d,
                        crate::answer::trim_float(1.0 - target)
                    ))
                    .p(format!(
                        "n = {} gives P(found) = {}; n = **{v}** gives {}.",
                        v - 1,
                        fmt_sig(1.0 - miss(big_n, d, v - 1), 5),
                        fmt_sig(1.0 - miss(big_n, d, v), 5)
                    )),
                Content::new().p(format!(
                    "Exact miss probabilities: n = {}: {}; n = {v}: {}.",
                    v - 1,
                    fmt_sig(miss(big_n, d, v - 1), 5),
                    fmt_sig(miss(big_n, d, v), 5)
                )),
            )
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let mut rng = cx.sim_rng("check");
        match q.expected(0)? {
            Expected::Real { value, .. } => {
                let est = simulate(s.big_n, s.d, s.n, &mut rng);
                if est.agrees_with(*value) {
                    Ok(())
                } else {
                    Err(CheckError(format!("key {value}, simulation {}", est.describe(4))))
                }
            }
            Expected::Integer { value } => {
                let n = *value as u64;
                let at = simulate(s.big_n, s.d, n, &mut rng);
                let below = simulate(s.big_n, s.d, n - 1, &mut rng);
                if !at.not_below(s.target) {
                    return Err(CheckError(format!("n = {n} simulates to {}", at.describe(4))));
                }
                if !below.not_above(s.target) {
                    return Err(CheckError(format!("n − 1 = {} already reaches the target: {}", n - 1, below.describe(4))));
                }
                Ok(())
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
        stress(&SamplingDefects, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // 10 objects, 2 bad, check 3: miss = C(8,3)/C(10,3) = 56/120.
        assert!((miss(10, 2, 3) - 56.0 / 120.0).abs() < 1e-15);
        // One bad object in N: P(found with n checks) = n/N exactly.
        assert!((1.0 - miss(1000, 1, 250) - 0.25).abs() < 1e-12);
        assert_eq!(fewest(1000, 1, 0.9), 900);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&SamplingDefects, &["ask=detect".into(), "objects=10".into(), "corrupted=2".into(), "checked=3".into()]).unwrap();
        let q = generate(&SamplingDefects, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.533");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&SamplingDefects, &["ask=detect".into(), "objects=200".into(), "corrupted=3".into(), "checked=60".into()]).unwrap();
        let mut q = generate(&SamplingDefects, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&SamplingDefects, &q).unwrap();
        q.slots[0].expected = Expected::sig(60.0 * 3.0 / 200.0, 3); // n·D/N
        assert!(crate::family::cross_check(&SamplingDefects, &q).is_err());
        let pins = parse_pins(&SamplingDefects, &["ask=sample_size".into(), "objects=1000".into(), "corrupted=1".into(), "target=0.9".into()]).unwrap();
        let mut q = generate(&SamplingDefects, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&SamplingDefects, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 700 };
        assert!(crate::family::cross_check(&SamplingDefects, &q).is_err());
    }
}
