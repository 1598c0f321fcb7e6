//! `probability.quorum`: replicas that are each up independently with probability a.
//!
//! **Asked** (`ask`):
//! - `at_least`: P(fewer than k of n replicas are up), the unavailability
//!   Σ_{i<k} C(n,i) a^i (1−a)^{n−i} (the complement is asked: P(at least k up) printed 1.000 on a
//!   fifth of the draws, issue 15);
//! - `majority`: P(fewer than a majority of n, ⌊n/2⌋+1, are up), when a Raft/Paxos group cannot
//!   make progress;
//! - `compare` (choice): is a 3-replica or a 5-replica majority quorum more available at this a,
//!   and by how much? (5 wins when a > ½, loses when a < ½: more replicas only help when each is
//!   more likely up than down.)
//!
//! **Parameters.** `replicas` n: easy 3–5, medium 3–9, hard 5–15; `availability` a: easy 0.9–0.99,
//! medium 0.8–0.99, hard 0.4–0.99 (hard can go below ½, where the comparison flips).
//!
//! **Key.** The binomial lower tail, summed exactly term by term (no 1 − 0.9999… cancellation).
//! By hand the same sum: at most k terms, and a candidate may stop once the terms are below the
//! third significant figure.
//!
//! **Second route.** Exact enumeration of every one of the 2ⁿ up/down states (n ≤ 20), adding
//! the probability a^up·(1 − a)^down of each state with a quorum: no binomial coefficients, no
//! tail formula. It must equal the key to 1e-9 (the rounding of 2²⁰ products). And Monte Carlo: sample every replica's state and
//! count; the exact binomial test must accept the key. That run is the one the evidence shows: it
//! runs once, in `generate`, from its own RNG stream, and its estimate travels in the scenario for
//! `cross_check`. For `compare`, the enumeration of 2³ and 2⁵
//! states decides which configuration wins and by how many points, and the keyed option must say
//! exactly that (to the two figures it prints).
//!
//! **Pitfalls**: a^k (exactly the first k up, ignoring which ones and the cases with more up);
//! believing more replicas always help.

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Quorum;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "at_least: P(fewer than k up); majority: P(no majority up); compare: 3 vs 5 replicas",
        kind: ParamKind::Choice {
            options: &["at_least", "majority", "compare"],
            draw: [
                &["at_least", "majority"],
                &["at_least", "majority", "compare"],
                &["at_least", "majority", "compare"],
            ],
        },
    },
    ParamSpec {
        key: "replicas",
        help: "replicas n",
        kind: ParamKind::Int {
            min: 1,
            max: 60,
            draw: [(3, 5), (3, 9), (5, 15)],
        },
    },
    ParamSpec {
        key: "needed",
        help: "replicas k that must be up (at_least; drawn between 1 and n)",
        kind: ParamKind::Int {
            min: 1,
            max: 60,
            draw: [(1, 5), (1, 9), (1, 15)],
        },
    },
    ParamSpec {
        key: "availability",
        help: "probability a that one replica is up",
        kind: ParamKind::Real {
            min: 0.01,
            max: 0.999,
            step: 0.01,
            draw: [(0.9, 0.99), (0.8, 0.99), (0.4, 0.99)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u32,
    k: u32,
    a: f64,
    /// For the real-valued asks: the evidence's simulated P(quorum available), which the
    /// cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    available: Option<mc::Estimate>,
}

fn choose(n: u32, k: u32) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// P(at least k of n up), each up with probability a.
pub fn at_least(n: u32, k: u32, a: f64) -> f64 {
    (k..=n)
        .map(|i| choose(n, i) * a.powi(i as i32) * (1.0 - a).powi((n - i) as i32))
        .sum()
}

/// P(fewer than k of n up), summed over the lower tail (no cancellation when it is tiny).
pub fn fewer_than(n: u32, k: u32, a: f64) -> f64 {
    (0..k.min(n + 1))
        .map(|i| choose(n, i) * a.powi(i as i32) * (1.0 - a).powi((n - i) as i32))
        .sum()
}

/// Nines of availability for an unavailability u: −log₁₀ u.
fn nines(u: f64) -> f64 {
    -u.log10()
}

/// P(at least k of n up) by enumerating all 2ⁿ states (the second route; n ≤ 20).
fn by_states(n: u32, k: u32, a: f64) -> Option<f64> {
    (n <= 20).then(|| {
        (0u32..1 << n)
            .filter(|s| s.count_ones() >= k)
            .map(|s| (0..n).map(|i| if s >> i & 1 == 1 { a } else { 1.0 - a }).product::<f64>())
            .sum()
    })
}

/// P(fewer than k of n up) by enumerating all 2ⁿ states (the second route; n ≤ 20).
fn down_states(n: u32, k: u32, a: f64) -> Option<f64> {
    (n <= 20).then(|| {
        (0u32..1 << n)
            .filter(|s| s.count_ones() < k)
            .map(|s| (0..n).map(|i| if s >> i & 1 == 1 { a } else { 1.0 - a }).product::<f64>())
            .sum()
    })
}

fn simulate(n: u32, k: u32, a: f64, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    mc::probability(30_000, rng, |g| (0..n).filter(|_| g.random::<f64>() < a).count() as u32 >= k)
}

impl Family for Quorum {
    fn id(&self) -> &'static str {
        "probability.quorum"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Replica quorums: is enough of the cluster up?"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("at_least", [3, 4, 6], &["binomial-tail"]),
            Ask::new("majority", [3, 4, 6], &["binomial-tail", "quorum-availability"]),
            Ask::new("compare", [3, 4, 5], &["quorum-availability"]).judgment(),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(fewer than k of n replicas up), P(no majority up), 3 vs 5 replicas (choice)",
            key: "exact binomial lower tail",
            second_route: "enumeration of all 2ⁿ replica states; Monte Carlo of replica states",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.expected(0) {
            Ok(Expected::Real { value, .. }) if *value < 1e-7 => {
                vec![format!("unavailability {value:.2e} is beyond what any deployment measures")]
            }
            Ok(Expected::Real { value, .. }) if *value > 0.9 => {
                vec![format!("unavailability {value:.3} leaves the service almost always down")]
            }
            _ => Vec::new(),
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("replicas") as u32;
        let k = cx.int_within("needed", 1, n as i64, 1) as u32;
        let a = cx.real("availability");
        match ask {
            "compare" => {
                cx.unused("replicas");
                cx.unused("needed");
            }
            "majority" => cx.unused("needed"),
            _ => {}
        }
        // A pin this ask does not use is refused by the core (`family::run`), with the hint.
        if ask == "at_least" && k > n {
            return Err(GenError::Params {
                message: format!("needed = {k} is more than replicas = {n}"),
                hint: "set needed to at most the number of replicas".into(),
            });
        }
        let setting = |n: u32| {
            format!(
                "A storage service keeps **{n}** replicas of each shard. Each replica is up with \
                 probability **{a}**, independently of the others."
            )
        };
        let mut available = None;
        let (prompt, slot, solution, evidence, k, followups) = match ask {
            "compare" => {
                let (p3, p5) = (at_least(3, 2, a), at_least(5, 3, a));
                let five_better = p5 > p3;
                let diff = (p5 - p3).abs();
                let better = if five_better { "5 replicas" } else { "3 replicas" };
                let tie = diff < 1e-12;
                let equal = "They are equally available: both tolerate a minority of failures";
                let mut options = vec![
                    if tie {
                        ChoiceOption::right(equal)
                    } else {
                        ChoiceOption::right(format!(
                            "{better}, by about {} percentage points",
                            fmt_sig(diff * 100.0, 2)
                        ))
                    },
                    ChoiceOption::wrong(
                        format!("{}, by about {} percentage points", if five_better || tie { "3 replicas" } else { "5 replicas" }, fmt_sig(diff.max(0.01) * 100.0, 2)),
                        "More replicas help only when each is more likely up than down (a > ½); compare the two binomial tails.",
                    ),
                    if tie {
                        ChoiceOption::wrong(
                            "5 replicas, by about 1 percentage point",
                            "At a = ½ both majority tails are exactly ½.",
                        )
                    } else {
                        ChoiceOption::wrong(
                            equal,
                            "Tolerating a minority is the same rule, but the chance that a majority is up differs with n.",
                        )
                    },
                    ChoiceOption::wrong(
                        "5 replicas, because at least one of 5 replicas is up more often than one of 3",
                        "That is P(at least one replica up), not P(a majority up).",
                    ),
                ];
                let better = if tie { "neither" } else { better };
                let rot = cx.rng().random_range(0..options.len());
                options.rotate_left(rot);
                let correct = (options.len() - rot) % options.len();
                (
                    Content::new().p(setting(3).replace("**3** replicas", "either **3** or **5** replicas")).p(
                        "Writes need a majority quorum (2 of 3, or 3 of 5). Which configuration is \
                         more likely to have a write quorum available?",
                    ),
                    AnswerSlot::new("the more available configuration", Expected::Choice { options, correct }),
                    Content::new()
                        .p(format!(
                            "P(2 of 3 up) = $a^3 + 3 a^2 (1 - a) = {}$; P(3 of 5 up) = $a^5 + 5 a^4 (1 - a) + 10 a^3 (1 - a)^2 = {}$.",
                            fmt_sig(p3, 5),
                            fmt_sig(p5, 5)
                        ))
                        .p(format!(
                            "So **{better}** wins by {} percentage points. For a > ½ adding replicas helps; for a < ½ it hurts, since a majority becomes less likely.",
                            fmt_sig(diff * 100.0, 2)
                        )),
                    Content::new().p(format!("Exact tails: 3 replicas {}, 5 replicas {}.", fmt_sig(p3, 6), fmt_sig(p5, 6))),
                    0,
                    vec![FollowUp::new(
                        "Why do most deployments run 3 or 5 replicas, not 4 or 6?",
                        format!(
                            "An even group needs as many up as the next odd group (3 of 4, like 3 of 5) but tolerates fewer failures than that group: 4 replicas survive 1 failure, 5 survive 2. At a = {a}, 3 of 4 up has probability {}.",
                            fmt_sig(at_least(4, 3, a), 4)
                        ),
                    )],
                )
            }
            _ => {
                let k = if ask == "majority" { n / 2 + 1 } else { k };
                let v = fewer_than(n, k, a);
                let est = simulate(n, k, a, &mut cx.sim_rng("mc"));
                available = Some(est);
                let ask_text = if ask == "majority" {
                    format!("A write needs a majority ({k} of {n}) of replicas up. What is the probability that **no** majority is up, so writes stall?")
                } else {
                    format!("A read needs at least **{k}** replicas up. What is the probability that fewer than {k} are up, so reads fail?")
                };
                let q = crate::answer::trim_float(1.0 - a);
                let terms: Vec<String> = (0..k)
                    .rev()
                    .take(3)
                    .map(|i| format!("C({n}, {i}) dot {a}^{i} dot {q}^{}", n - i))
                    .collect();
                let higher = if a + 0.01 <= 0.995 { a + 0.01 } else { a - 0.01 };
                let higher = (higher * 100.0).round() / 100.0;
                let v2 = fewer_than(n, k, higher);
                (
                    Content::new().p(setting(n)).p(ask_text),
                    AnswerSlot::new(format!("P(fewer than {k} of {n} replicas up)"), Expected::sig(v, 3)).exact_by_hand(),
                    Content::new()
                        .p(format!(
                            "The number up is Binomial(n = {n}, a = {a}). Sum the lower tail, largest terms first: ${}{}$.",
                            terms.join(" + "),
                            if k > 3 { " + dots" } else { "" }
                        ))
                        .p(format!(
                            "P(fewer than {k} up) = **{}**, that is {} nines of availability ($-log_10 {}$).",
                            fmt_sig(v, 3),
                            fmt_sig(nines(v), 3),
                            fmt_sig(v, 3)
                        ))
                        .p(format!(
                            "Subtracting from 1 a rounded P(at least {k} up) loses every digit: the tail itself is the quantity to compute. The shortcut $1 - a^k = {}$ would treat k particular replicas as the only way.",
                            fmt_sig(1.0 - a.powi(k as i32), 3)
                        )),
                    Content::new().p(format!(
                        "Monte Carlo: {} sampled cluster states; quorum available in {}.",
                        est.n,
                        est.describe(5)
                    )),
                    k,
                    vec![
                        FollowUp::new(
                            format!("What if each replica's availability changes to {higher}?"),
                            format!("P(fewer than {k} up) becomes {}, {} times {}.", fmt_sig(v2, 3), fmt_sig(v2 / v, 3), if v2 < v { "smaller" } else { "larger" }),
                        )
                        .point("near $a = 1$ the lowest failing term dominates, so the unavailability scales like $(1 - a)^(n - k + 1)$"),
                        FollowUp::new(
                            "Is independence a fair assumption for replicas?",
                            "Rarely: replicas share racks, power, deploys and bugs. Correlated failures make the real unavailability far larger than this binomial figure.",
                        ),
                    ],
                )
            }
        };
        let (p3, p5) = (at_least(3, 2, a), at_least(5, 3, a));
        let q = Question::new(prompt, vec![slot], solution, evidence);
        let q = if ask == "compare" {
            q.contrast(Contrast::new("3 vs 5 replicas", fmt_sig(p3, 4), fmt_sig(p5, 4)))
        } else {
            q
        };
        let q = followups.into_iter().fold(q, Question::followup);
        Ok(q.with_scenario(&Scenario {
            ask: ask.into(),
            n,
            k,
            a,
            available,
        }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match q.expected(0)? {
            Expected::Real { value, .. } => {
                if let Some(exact) = down_states(s.n, s.k, s.a) {
                    // A million rounded products add up to a few 1e-12 of relative error at n = 20.
                    if (exact - value).abs() > 1e-9 * exact.max(1e-300) {
                        return Err(CheckError(format!("key {value}, enumeration of 2^{} states {exact}", s.n)));
                    }
                }
                s.available
                    .ok_or_else(|| CheckError("the scenario lacks the simulated availability".into()))?
                    .check("quorum available", 1.0 - *value)
            }
            Expected::Choice { options, correct } => {
                let (p3, p5) = (by_states(3, 2, s.a).unwrap_or(f64::NAN), by_states(5, 3, s.a).unwrap_or(f64::NAN));
                let text = &options[*correct].text;
                let diff = fmt_sig((p5 - p3).abs() * 100.0, 2);
                let expected = if (p5 - p3).abs() < 1e-12 {
                    "They are equally available".to_string()
                } else if p5 > p3 {
                    format!("5 replicas, by about {diff} percentage points")
                } else {
                    format!("3 replicas, by about {diff} percentage points")
                };
                if !text.starts_with(&expected) {
                    return Err(CheckError(format!("key says `{text}`, enumeration gives 3 replicas {p3}, 5 replicas {p5}")));
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
        stress(&Quorum, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // 2 of 3 at a = 0.9: 0.729 + 3·0.81·0.1 = 0.972.
        assert!((at_least(3, 2, 0.9) - 0.972).abs() < 1e-12);
        // At a = ½ every majority quorum of an odd group is up with probability exactly ½.
        assert!((at_least(5, 3, 0.5) - 0.5).abs() < 1e-12);
        assert!((at_least(3, 2, 0.5) - 0.5).abs() < 1e-12);
        // 3 of 5 at 0.9: 0.99144 (a classic table value).
        assert!((at_least(5, 3, 0.9) - 0.99144).abs() < 1e-9);
    }

    #[test]
    fn a_pin_the_drawn_ask_does_not_use_is_an_error() {
        let pins = parse_pins(&Quorum, &["ask=majority".into(), "needed=1".into()]).unwrap();
        let e = generate(&Quorum, 1, Difficulty::Medium, &pins).unwrap_err();
        assert!(e.to_string().contains("needed") && e.hint().is_some(), "{e}");
        let pins = parse_pins(&Quorum, &["ask=majority".into(), "replicas=5".into()]).unwrap();
        let q = generate(&Quorum, 1, Difficulty::Medium, &pins).unwrap();
        assert!(!q.params.contains_key("needed"), "params report only what the question uses");
    }

    #[test]
    fn unavailability_is_asked_and_never_prints_as_certain() {
        // 3 of 5 at 0.9 is up with 0.99144 (a classic table value), so down with 0.00856.
        assert!((fewer_than(5, 3, 0.9) - 0.00856).abs() < 1e-12);
        for d in [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard] {
            for seed in 0..30 {
                let q = generate(&Quorum, seed, d, &Default::default()).unwrap();
                if let Expected::Real { value, .. } = q.slots[0].expected {
                    let shown = q.slots[0].expected.reference();
                    assert!(shown != "1.00" && value < 0.9 && value > 1e-7, "{d:?} seed {seed}: {shown}");
                }
            }
        }
        // A pin that leaves the unavailability astronomically small is refused with a hint.
        let pins = parse_pins(&Quorum, &["ask=at_least".into(), "replicas=15".into(), "needed=1".into(), "availability=0.99".into()]).unwrap();
        assert!(generate(&Quorum, 1, Difficulty::Hard, &pins).unwrap_err().hint().is_some());
    }

    #[test]
    fn pins_are_used_and_the_comparison_flips_below_one_half() {
        let pins = parse_pins(&Quorum, &["ask=majority".into(), "replicas=3".into(), "availability=0.9".into()]).unwrap();
        let q = generate(&Quorum, 1, Difficulty::Easy, &pins).unwrap();
        // 1 − 0.972 (hand arithmetic: 0.729 + 3·0.81·0.1).
        assert_eq!(q.slots[0].expected.reference(), "0.0280");
        for (a, five) in [("0.9", true), ("0.4", false)] {
            let pins = parse_pins(&Quorum, &["ask=compare".into(), format!("availability={a}")]).unwrap();
            let q = generate(&Quorum, 2, Difficulty::Hard, &pins).unwrap();
            let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
            assert_eq!(options[*correct].text.starts_with("5 replicas, by"), five, "{a}");
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Quorum, &["ask=at_least".into(), "replicas=7".into(), "needed=4".into(), "availability=0.8".into()]).unwrap();
        let mut q = generate(&Quorum, 5, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Quorum, &q).unwrap();
        q.slots[0].expected = Expected::sig(1.0 - 0.8f64.powi(4), 3); // the a^k misconception
        assert!(crate::family::cross_check(&Quorum, &q).is_err());
        let pins = parse_pins(&Quorum, &["ask=compare".into(), "availability=0.7".into()]).unwrap();
        let mut q = generate(&Quorum, 5, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Quorum, &q).unwrap();
        if let Expected::Choice { options, correct } = &mut q.slots[0].expected {
            *correct = options.iter().position(|o| o.text.starts_with("3 replicas, by")).unwrap();
        }
        assert!(crate::family::cross_check(&Quorum, &q).is_err());
    }

    #[test]
    fn close_comparisons_are_decided_by_enumeration() {
        // At a = 0.51 the two quorums differ by 0.37 points (0.51875 against 0.51500, by hand from
        // 10a³ − 15a⁴ + 6a⁵ and 3a² − 2a³), within 10 standard errors of 30,000
        // trials, where the old check fell back to the key's own formula and never read the
        // stated margin. Enumeration decides it: a wrong side or a wrong margin is caught.
        let pins = parse_pins(&Quorum, &["ask=compare".into(), "availability=0.51".into()]).unwrap();
        let q = generate(&Quorum, 3, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Quorum, &q).unwrap();
        let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
        assert!(options[*correct].text.starts_with("5 replicas, by about 0.37 percentage points"), "{}", options[*correct].text);
        let mut wrong_margin = q.clone();
        if let Expected::Choice { options, correct } = &mut wrong_margin.slots[0].expected {
            options[*correct].text = "5 replicas, by about 0.74 percentage points".into();
        }
        assert!(crate::family::cross_check(&Quorum, &wrong_margin).is_err());
        let mut wrong_side = q.clone();
        if let Expected::Choice { options, correct } = &mut wrong_side.slots[0].expected {
            *correct = options.iter().position(|o| o.text.starts_with("3 replicas, by")).unwrap();
        }
        assert!(crate::family::cross_check(&Quorum, &wrong_side).is_err());
        // The enumeration itself, against hand-counted states: 2 of 3 at a = 0.9 is
        // 0.9³ + 3 × 0.9² × 0.1 = 0.972.
        assert!((by_states(3, 2, 0.9).unwrap() - 0.972).abs() < 1e-15);
    }
}
