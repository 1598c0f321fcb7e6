//! `probability.dice_sum`: k independent shards each return a uniform number of items in 1..=f
//! (k dice with f faces); what is the distribution of the total?
//!
//! **Asked** (`ask`): `equals`: P(total = s); `at_least`: P(total ≥ s).
//!
//! **Parameters.** `shards` k: easy 2, medium 3, hard 3–5; `faces` f: easy 6, medium 4–8, hard
//! 6–12; the target s is drawn between k and k·f, nearer the middle. Hard means the less common
//! method (inclusion–exclusion), not a 7-fold convolution of a 19-sided die (issue 15).
//!
//! **By hand.** Easy and medium: list the ways (a two- or three-dice table). Hard:
//! inclusion–exclusion over the shards that would exceed f, #(total = s) =
//! Σ_j (−1)^j C(k, j) C(s − j·f − 1, k − 1) and #(total ≤ t) = Σ_j (−1)^j C(k, j) C(t − j·f, k),
//! at most three terms at these sizes; the code computes it that way too ([`ie_equals`],
//! [`ie_at_most`]).
//!
//! **Key.** Exact convolution with integer counts: the number of ways to reach each total, divided
//! by f^k (u128 counts, so no rounding until the final division).
//!
//! **Second route.** Monte Carlo: roll the shards. That run is the one the
//! evidence shows: it runs once, in `generate`, from its own RNG stream, its estimate travels in
//! the scenario, and `cross_check` tests it against the key. The tests also check the inclusion–exclusion
//! closed form for P(total = s) against the convolution.
//!
//! **Pitfalls**: treating every total as equally likely (1/(k·f − k + 1)); forgetting that totals
//! start at k, not 0.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
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
        kind: ParamKind::Int { min: 1, max: 20, draw: [(2, 2), (3, 3), (3, 5)] },
    },
    ParamSpec {
        key: "faces",
        help: "each shard returns 1..=f items (faces)",
        kind: ParamKind::Int { min: 2, max: 100, draw: [(6, 6), (4, 8), (6, 12)] },
    },
    ParamSpec {
        key: "target",
        help: "the total s (drawn between k and k·f)",
        kind: ParamKind::Int { min: 1, max: 2000, draw: [(2, 12), (3, 24), (3, 60)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    k: u32,
    f: u32,
    s: u32,
}

/// The scenario as the question stores it: the draw, and the estimate of the simulation the
/// evidence shows, which the cross-check tests against the key.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    s: Scenario,
    mc: mc::Estimate,
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

/// C(n, r) in exact integers (0 outside the triangle; `None` past i128).
fn binom(n: i64, r: i64) -> Option<i128> {
    if r < 0 || n < r {
        return Some(0);
    }
    (0..r).try_fold(1i128, |a, i| Some(a.checked_mul((n - i) as i128)? / (i + 1) as i128))
}

/// Σ_j (−1)^j C(k, j) C(top − j·f, bottom), the inclusion–exclusion count.
fn ie_sum(k: i64, f: i64, top: i64, bottom: i64) -> Option<i128> {
    (0..=k).try_fold(0i128, |acc, j| {
        let term = binom(k, j)?.checked_mul(binom(top - j * f, bottom)?)?;
        acc.checked_add(if j % 2 == 0 { term } else { -term })
    })
}

/// The hand route for P(total = s): inclusion–exclusion over the shards that exceed f,
/// Σ_j (−1)^j C(k, j) C(s − j·f − 1, k − 1) ways out of f^k (`None` past i128).
pub fn ie_equals(k: u32, f: u32, s: u32) -> Option<i128> {
    ie_sum(k as i64, f as i64, s as i64 - 1, k as i64 - 1)
}

/// The hand route for P(total ≤ t): Σ_j (−1)^j C(k, j) C(t − j·f, k) ways out of f^k.
pub fn ie_at_most(k: u32, f: u32, t: u32) -> Option<i128> {
    ie_sum(k as i64, f as i64, t as i64, k as i64)
}

/// The inclusion–exclusion terms a candidate writes down (the non-zero ones), for the solution.
fn ie_terms(k: u32, f: u32, s: u32, at_least: bool) -> String {
    let (ki, fi) = (k as i64, f as i64);
    let mut out = Vec::new();
    for j in 0..=ki {
        let (top, bottom) = if at_least { (s as i64 - 1 - j * fi, ki) } else { (s as i64 - j * fi - 1, ki - 1) };
        if top < bottom {
            break;
        }
        let sign = if j == 0 { "" } else if j % 2 == 1 { " - " } else { " + " };
        out.push(format!("{sign}binom({k}, {j}) binom({top}, {bottom})"));
    }
    out.concat()
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
        2
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("equals", [3, 4, 6], &["discrete-convolution"]),
            Ask::new("at_least", [3, 5, 7], &["discrete-convolution"]),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(sum of k uniform shards = s or ≥ s)",
            key: "exact convolution (integer counts)",
            second_route: "Monte Carlo; inclusion–exclusion (the hand route)",
        }
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
        let equals = ask == "equals";
        let rel = if equals { "exactly" } else { "at least" };
        let prompt = Content::new()
            .p(format!(
                "A query fans out to **{k}** shards. Each shard independently returns a uniformly \
                 random number of matching rows between 1 and **{f}** (like {} {f}-sided die).",
                if f == 8 || f == 11 || f == 18 { "an" } else { "a" }
            ))
            .p(format!("What is the probability that the query returns {rel} **{s}** rows in total?"));
        let w = ways(k, f);
        let count = if equals { ie_equals(k, f, s) } else { ie_at_most(k, f, s - 1).map(|c| total as i128 - c) };
        // Past i128 (only under pins far beyond the drawn ranges) the table is the route.
        let count = count.unwrap_or(hit as i128);
        let hand = count as f64 / total as f64;
        let span = k * f - k + 1;
        let uniform = if equals { 1.0 / span as f64 } else { (k * f - s + 1) as f64 / span as f64 };
        let mut solution = Content::new().p(format!(
            "There are ${f}^{k} = {total}$ equally likely outcomes; count those {}.",
            if equals { format!("with total {s}") } else { format!("with total {s} or more") }
        ));
        if k <= 3 && f <= 8 {
            let shown: Vec<Vec<String>> = (k as usize..=(k * f) as usize)
                .filter(|t| (*t as i64 - s as i64).abs() <= 3)
                .map(|t| vec![t.to_string(), w[t].to_string()])
                .collect();
            solution = solution
                .p("List the ways to reach each total (convolve one shard's distribution with itself), near the target:")
                .table(["total", "ways"], shown);
        } else {
            solution = solution.p(format!(
                "Inclusion–exclusion over the shards that would exceed {f}: {} ${} = {}$.",
                if equals {
                    format!("the ways to make {s} are")
                } else {
                    format!("the ways to make at most {} are", s - 1)
                },
                ie_terms(k, f, s, !equals),
                if equals { count } else { total as i128 - count }
            ));
        }
        solution = solution
            .p(format!(
                "{} ways, so P = {hit}/{total} = **{}**.",
                if equals { format!("Total {s} has {hit}") } else { format!("Totals {s} and above have {hit}") },
                fmt_sig(v, 3)
            ))
            .p(format!(
                "Treating the {span} totals as equally likely would give {}: the middle totals have the most ways.",
                fmt_sig(uniform, 3)
            ));
        let evidence = Content::new().p(format!(
            "Monte Carlo: {} simulated queries; frequency {}.",
            est.n,
            est.describe(4)
        ));
        let (mode, mode_ways) = w
            .iter()
            .enumerate()
            .fold((0usize, 0u128), |best, (t, &c)| if c > best.1 { (t, c) } else { best });
        let mean = k as f64 * (f as f64 + 1.0) / 2.0;
        let sd = (k as f64 * ((f * f) as f64 - 1.0) / 12.0).sqrt();
        let normal = if equals {
            crate::family::support::mc::normal_sf((s as f64 - 0.5 - mean) / sd)
                - crate::family::support::mc::normal_sf((s as f64 + 0.5 - mean) / sd)
        } else {
            crate::family::support::mc::normal_sf((s as f64 - 0.5 - mean) / sd)
        };
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new(format!("P(total {} {s})", if equals { "=" } else { "≥" }), Expected::sig(v, 3))
                .by_hand(
                    if k <= 3 && f <= 8 {
                        "count the ways in a table of totals"
                    } else {
                        "inclusion–exclusion over the shards that would exceed f"
                    },
                    hand,
                )],
            solution,
            evidence,
        )
        .contrast(Contrast::new("exact vs equally likely totals", fmt_sig(v, 3), fmt_sig(uniform, 3)))
        .followup(
            FollowUp::new(
                "Which total is the most likely, and with what probability?",
                format!(
                    "{mode}{}, with {mode_ways} of {total} outcomes: {}.",
                    if (k * f + k) % 2 == 1 { format!(" (tied with {})", mode + 1) } else { String::new() },
                    fmt_sig(mode_ways as f64 / total as f64, 3)
                ),
            )
            .point("the distribution is symmetric about the mean k(f + 1)/2"),
        )
        .followup(
            FollowUp::new(
                "What does a normal approximation with continuity correction give, and when is it good enough?",
                format!(
                    "Mean {}, standard deviation $sqrt({k} ({f}^2 - 1) / 12) = {}$, so about {} against the exact {}; it improves as the number of shards grows.",
                    fmt_sig(mean, 3),
                    fmt_sig(sd, 3),
                    fmt_sig(normal, 3),
                    fmt_sig(v, 3)
                ),
            ),
        )
        .with_scenario(&Stored { s: sc, mc: est }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let Stored { mc: est, .. } = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
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
    fn the_hand_route_is_inclusion_exclusion() {
        // Galileo's count: a total of 10 with three dice has 27 ways; two dice total at most 7
        // in 1 + 2 + … + 6 = 21 ways.
        assert_eq!(ie_equals(3, 6, 10), Some(27));
        assert_eq!(ie_at_most(2, 6, 7), Some(21));
        // Hard draws are fair by hand: the inclusion–exclusion value is the key, and no draw
        // needs more than five shards of twelve faces (issue 15: a 7-fold convolution of 19 faces).
        for seed in 0..30 {
            let q = generate(&DiceSum, seed, Difficulty::Hard, &Default::default()).unwrap();
            let (k, f) = (q.params["shards"].clone(), q.params["faces"].clone());
            assert!(matches!(k, crate::family::ParamValue::Int(3..=5)), "{k:?}");
            assert!(matches!(f, crate::family::ParamValue::Int(6..=12)), "{f:?}");
            let Expected::Real { value, .. } = q.slots[0].expected else { panic!() };
            assert!((q.slots[0].hand.as_ref().unwrap().value - value).abs() < 1e-12);
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
