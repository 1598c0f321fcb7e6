//! `probability.dice_sum`: k independent shards each return a uniform number of items in 1..=f
//! (k dice with f faces); what is the distribution of the total?
//!
//! **Asked** (`ask`): `equals`: P(total = s); `at_least`: P(total ≥ s).
//!
//! **Parameters.** `shards` k: easy 2, medium 2–4, hard 3–8; `faces` f: easy 6, medium 4–8, hard
//! 6–20; the target s is drawn between k and k·f, nearer the middle.
//!
//! **Key.** Exact convolution with integer counts: the number of ways to reach each total, divided
//! by f^k (u128 counts, so no rounding until the final division).
//!
//! **Second route.** Monte Carlo: roll the shards. The tests also check the inclusion–exclusion
//! closed form for P(total = s) against the convolution.
//!
//! **Pitfalls**: treating every total as equally likely (1/(k·f − k + 1)); forgetting that totals
//! start at k, not 0.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct DiceSum;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "equals: P(total = s); at_least: P(total ≥ s)",
        kind: ParamKind::Choice {
            options: &["equals", "at_least"],
            draw: [&["equals", "at_least"], &["equals", "at_least"], &["equals", "at_least"]],
        },
    },
    ParamSpec {
        key: "shards",
        help: "number of shards (dice) k",
        kind: ParamKind::Int { min: 1, max: 20, draw: [(2, 2), (2, 4), (3, 8)] },
    },
    ParamSpec {
        key: "faces",
        help: "each shard returns 1..=f items (faces)",
        kind: ParamKind::Int { min: 2, max: 100, draw: [(6, 6), (4, 8), (6, 20)] },
    },
    ParamSpec {
        key: "target",
        help: "the total s (drawn between k and k·f)",
        kind: ParamKind::Int { min: 1, max: 2000, draw: [(2, 12), (2, 32), (3, 160)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    k: u32,
    f: u32,
    s: u32,
}

/// ways[t] = number of outcomes of k dice with f faces totalling t.
pub fn ways(k: u32, f: u32) -> Vec<u128> {
    let mut w = vec![1u128];
    for _ in 0..k {
        let mut next = vec![0u128; w.len() + f as usize];
        for (t, &c) in w.iter().enumerate() {
            if c != 0 {
                for face in 1..=f as usize {
                    next[t + face] += c;
                }
            }
        }
        w = next;
    }
    w
}

fn exact(s: &Scenario) -> (f64, u128, u128) {
    let w = ways(s.k, s.f);
    let total: u128 = (s.f as u128).pow(s.k);
    let hit: u128 = if s.ask == "equals" {
        w.get(s.s as usize).copied().unwrap_or(0)
    } else {
        w.iter().skip(s.s as usize).sum()
    };
    (hit as f64 / total as f64, hit, total)
}

fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    mc::probability(30_000, rng, |g| {
        let t: u32 = (0..s.k).map(|_| g.random_range(1..=s.f)).sum();
        if s.ask == "equals" { t == s.s } else { t >= s.s }
    })
}

impl Family for DiceSum {
    fn id(&self) -> &'static str {
        "probability.dice_sum"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Sums of uniform draws (dice) by convolution"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let k = cx.int("shards") as u32;
        let f = cx.int("faces") as u32;
        if (f as f64).log2() * k as f64 >= 127.0 {
            return Err(GenError::Params {
                message: format!("{f}^{k} outcomes are too many to count exactly (more than 2^127)"),
                hint: "use fewer shards or fewer faces (20 shards of up to 80 faces fit)".into(),
            });
        }
        let (lo, hi) = (k as i64, (k * f) as i64);
        let mid = (lo + hi) / 2;
        let spread = ((hi - lo) / 3).max(1);
        let s = cx.int_within("target", (mid - spread).max(lo), (mid + spread).min(hi), 1) as u32;
        if s < k || s > k * f {
            return Err(GenError::Params {
                message: format!("target = {s} is outside the possible totals {k}..{}", k * f),
                hint: format!("set target between {k} and {}", k * f),
            });
        }
        let sc = Scenario { ask: ask.into(), k, f, s };
        let (v, hit, total) = exact(&sc);
        let est = simulate(&sc, &mut cx.sim_rng("mc"));
        let rel = if ask == "equals" { "exactly" } else { "at least" };
        let prompt = Content::new()
            .p(format!(
                "A query fans out to **{k}** shards. Each shard independently returns a uniformly \
                 random number of matching rows between 1 and **{f}** (like a {f}-sided die)."
            ))
            .p(format!("What is the probability that the query returns {rel} **{s}** rows in total?"));
        let w = ways(k, f);
        let shown: Vec<Vec<String>> = (k as usize..=(k * f) as usize)
            .filter(|t| (*t as i64 - s as i64).abs() <= 3)
            .map(|t| vec![t.to_string(), w[t].to_string()])
            .collect();
        let solution = Content::new()
            .p(format!(
                "Count outcomes: there are {f}^{k} = {total} equally likely outcomes. Convolve one shard's distribution with itself {k} times to get the number of ways to reach each total (near {s}):"
            ))
            .table(["total", "ways"], shown)
            .p(format!(
                "{} ways, so P = {hit}/{total} = **{}**.",
                if ask == "equals" { format!("Total {s} has {hit}") } else { format!("Totals {s} and above have {hit}") },
                fmt_sig(v, 3)
            ))
            .p(format!(
                "Totals are not equally likely: 1/{} would treat them so; the middle totals have the most ways.",
                k * f - k + 1
            ));
        let evidence = Content::new().p(format!(
            "Monte Carlo: {} simulated queries; frequency {}.",
            est.n,
            est.describe(4)
        ));
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new(format!("P(total {} {s})", if ask == "equals" { "=" } else { "≥" }), Expected::sig(v, 3))],
            solution,
            evidence,
        )
        .with_scenario(&sc))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let est = simulate(&s, &mut cx.sim_rng("check"));
        if est.agrees_with(*value) {
            Ok(())
        } else {
            Err(CheckError(format!("key {value}, simulation {}", est.describe(4))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty, GenError};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&DiceSum, 0..30).unwrap();
    }

    #[test]
    fn too_many_outcomes_to_count_is_a_parameter_error() {
        // Found by random pins: 100^20 = 10^40 outcomes overflowed the u128 count (a panic).
        let pins = parse_pins(&DiceSum, &["ask=at_least".into(), "shards=20".into(), "faces=100".into(), "target=105".into()]).unwrap();
        assert!(matches!(generate(&DiceSum, 1, Difficulty::Hard, &pins), Err(GenError::Params { .. })));
        let pins = parse_pins(&DiceSum, &["ask=at_least".into(), "shards=20".into(), "faces=80".into(), "target=1000".into()]).unwrap();
        let q = generate(&DiceSum, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&DiceSum, &q).unwrap();
    }

    /// Inclusion–exclusion: #ways = Σ_j (−1)^j C(k,j) C(s − j·f − 1, k − 1).
    fn inclusion_exclusion(k: i64, f: i64, s: i64) -> i128 {
        fn c(n: i64, r: i64) -> i128 {
            if r < 0 || n < r {
                return 0;
            }
            (0..r).fold(1i128, |a, i| a * (n - i) as i128 / (i + 1) as i128)
        }
        (0..=k).map(|j| (if j % 2 == 0 { 1 } else { -1 }) * c(k, j) * c(s - j * f - 1, k - 1)).sum()
    }

    #[test]
    fn convolution_matches_inclusion_exclusion_and_two_dice() {
        // Two dice: 7 has 6 ways of 36.
        assert_eq!(ways(2, 6)[7], 6);
        assert_eq!(ways(3, 6)[10], 27);
        for (k, f) in [(3u32, 6u32), (5, 8), (8, 20)] {
            let w = ways(k, f);
            for s in k..=k * f {
                assert_eq!(w[s as usize] as i128, inclusion_exclusion(k as i64, f as i64, s as i64), "{k}d{f} = {s}");
            }
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&DiceSum, &["ask=equals".into(), "shards=2".into(), "faces=6".into(), "target=7".into()]).unwrap();
        let q = generate(&DiceSum, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.167");
    }

    #[test]
    fn the_cross_check_catches_the_uniform_totals_misconception() {
        let pins = parse_pins(&DiceSum, &["ask=equals".into(), "shards=3".into(), "faces=6".into(), "target=10".into()]).unwrap();
        let mut q = generate(&DiceSum, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&DiceSum, &q).unwrap();
        q.slots[0].expected = Expected::sig(1.0 / 16.0, 3);
        assert!(crate::family::cross_check(&DiceSum, &q).is_err());
    }
}
