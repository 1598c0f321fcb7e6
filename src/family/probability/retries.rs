//! `probability.retries`: a client retries a flaky call; each attempt succeeds independently with
//! probability p.
//!
//! **Asked** (`ask`):
//! - `within`: P(success within r attempts) = 1 − (1 − p)^r;
//! - `expected`: the expected number of attempts made when the client gives up after r attempts,
//!   E = Σ_{i=0}^{r−1} (1 − p)^i = (1 − (1 − p)^r)/p (attempt i+1 happens iff the first i failed);
//! - `needed`: the fewest attempts r with P(success within r) ≥ target.
//!
//! **Parameters.** `p` (success probability per attempt): easy 0.5–0.9, medium 0.2–0.8, hard
//! 0.05–0.6; `attempts` r: 2–4, 3–6, 3–10; `target` for `needed`: 0.9, 0.99, 0.999 (easy, medium,
//! hard draw from those).
//!
//! **Key.** The exact expressions; `needed` by stepping r up until the exact probability reaches
//! the target.
//!
//! **Second route.** Monte Carlo: simulate clients retrying with Bernoulli(p) attempts. `within`:
//! the share of successes must pass the exact binomial test against the key. `expected`: the mean
//! number of attempts of 40,000 simulated clients must agree with the closed form (`mc`'s test for
//! whole-number samples). `needed`: the estimate of P(success within r) must clear the target at r
//! (one-sided, `mc`'s level), and r must equal ⌈ln(1 − target)/ln(1 − p)⌉, the logarithm route.
//!
//! **Pitfalls**: r·p for P(success within r) (can exceed 1); 1/p for the capped expectation
//! (ignores giving up); off-by-one on "retries" vs "attempts", which the prompt spells out.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Retries;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "within: P(success within r attempts); expected: expected attempts with a cap of r; needed: fewest attempts for a target",
        kind: ParamKind::Choice {
            options: &["within", "expected", "needed"],
            draw: [
                &["within", "expected", "needed"],
                &["within", "expected", "needed"],
                &["within", "expected", "needed"],
            ],
        },
    },
    ParamSpec {
        key: "p",
        help: "probability that one attempt succeeds",
        kind: ParamKind::Real {
            min: 0.01,
            max: 0.99,
            step: 0.05,
            draw: [(0.5, 0.9), (0.2, 0.8), (0.05, 0.6)],
        },
    },
    ParamSpec {
        key: "attempts",
        help: "attempts r before the client gives up (within, expected)",
        kind: ParamKind::Int {
            min: 1,
            max: 50,
            draw: [(2, 4), (3, 6), (3, 10)],
        },
    },
    ParamSpec {
        key: "target",
        help: "target success probability (needed)",
        kind: ParamKind::Choice {
            options: &["0.9", "0.95", "0.99", "0.999"],
            draw: [&["0.9", "0.95"], &["0.95", "0.99"], &["0.99", "0.999"]],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    p: f64,
    r: u32,
    target: f64,
}

/// P(at least one success in r attempts).
pub fn within(p: f64, r: u32) -> f64 {
    1.0 - (1.0 - p).powi(r as i32)
}

/// Expected attempts when giving up after r: the sum of P(attempt i is made).
pub fn expected_attempts(p: f64, r: u32) -> f64 {
    (0..r).map(|i| (1.0 - p).powi(i as i32)).sum()
}

/// The fewest attempts reaching `target`, by stepping up.
pub fn needed(p: f64, target: f64) -> u32 {
    let mut r = 1;
    while within(p, r) < target - 1e-12 {
        r += 1;
    }
    r
}

/// Attempts made per request (at most r, stopping at the first success), simulated.
fn simulate_attempts(p: f64, r: u32, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    mc::mean(40_000, rng, |g| {
        let mut n = 0;
        for _ in 0..r {
            n += 1;
            if g.random::<f64>() < p {
                break;
            }
        }
        n as f64
    })
}

fn simulate_within(p: f64, r: u32, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    mc::probability(40_000, rng, |g| (0..r).any(|_| g.random::<f64>() < p))
}

impl Family for Retries {
    fn id(&self) -> &'static str {
        "probability.retries"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Retries: success within r attempts"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let p = cx.real("p");
        let r = cx.int("attempts") as u32;
        let target: f64 = cx.pick("target").parse().unwrap_or(0.99);
        if ask == "needed" {
            cx.unused("attempts");
        } else {
            cx.unused("target");
        }
        let q = 1.0 - p;
        let qs = num(q);
        let setting = format!(
            "A client calls a flaky downstream service. Each attempt succeeds with probability \
             **{p}**, independently of the others; on failure the client simply tries again."
        );
        let (prompt, slot, solution, evidence) = match ask {
            "within" => {
                let v = within(p, r);
                let est = simulate_within(p, r, &mut cx.sim_rng("mc"));
                (
                    Content::new().p(&setting).p(format!(
                        "The client makes at most **{r}** attempts in total (the first call plus {} \
                         retries). What is the probability that the request succeeds?",
                        r - 1
                    )),
                    AnswerSlot::new("P(success within r attempts)", Expected::sig(v, 3)),
                    Content::new()
                        .p(format!(
                            "It fails only if all {r} attempts fail: (1 − {p})^{r} = {}.",
                            fmt_sig(q.powi(r as i32), 5)
                        ))
                        .p(format!("P(success) = 1 − {} = **{}**.", fmt_sig(q.powi(r as i32), 5), fmt_sig(v, 3)))
                        .p(format!(
                            "Adding probabilities (r·p = {}) double-counts the runs with several successes.",
                            fmt_sig(r as f64 * p, 3)
                        )),
                    Content::new().p(format!(
                        "Monte Carlo: {} simulated requests; success rate {}.",
                        est.n,
                        est.describe(4)
                    )),
                )
            }
            "expected" => {
                let v = expected_attempts(p, r);
                let est = simulate_attempts(p, r, &mut cx.sim_rng("mc"));
                (
                    Content::new().p(&setting).p(format!(
                        "The client gives up after **{r}** attempts. What is the expected number of \
                         attempts it makes per request?"
                    )),
                    AnswerSlot::new("expected attempts", Expected::sig(v, 3)),
                    Content::new()
                        .p(format!(
                            "Attempt i + 1 is made exactly when the first i attempts failed, with \
                             probability (1 − p)^i. By linearity, E[attempts] = Σ_(i=0..{}) {qs}^i \
                             = (1 − {qs}^{r})/{p}.",
                            r - 1
                        ))
                        .p(format!("E[attempts] = **{}**.", fmt_sig(v, 3)))
                        .p(format!(
                            "Without the cap the answer would be 1/p = {}; the cap cuts the tail.",
                            fmt_sig(1.0 / p, 3)
                        )),
                    Content::new().p(format!(
                        "Monte Carlo: {} simulated requests; mean attempts {}.",
                        est.n,
                        est.describe(4)
                    )),
                )
            }
            _ => {
                let v = needed(p, target);
                let below = within(p, v.saturating_sub(1));
                let reach = within(p, v);
                (
                    Content::new().p(&setting).p(format!(
                        "The team wants requests to succeed with probability at least **{target}**. \
                         What is the fewest total attempts the client must be allowed?"
                    )),
                    AnswerSlot::new("fewest attempts", Expected::Integer { value: v as i64 }),
                    Content::new()
                        .p(format!(
                            "Need 1 − (1 − p)^r ≥ {target}, i.e. {qs}^r ≤ {}, so r ≥ ln({})/ln({qs}) = {}.",
                            fmt_sig(1.0 - target, 3),
                            fmt_sig(1.0 - target, 3),
                            fmt_sig((1.0 - target).ln() / q.ln(), 4)
                        ))
                        .p(format!(
                            "Round up: r = **{v}** (r = {} gives {}, r = {v} gives {}).",
                            v - 1,
                            fmt_sig(below, 5),
                            fmt_sig(reach, 5)
                        )),
                    Content::new().p(format!(
                        "Exact success probability for r = 1 … {v}: {}.",
                        (1..=v)
                            .map(|k| fmt_sig(within(p, k), 4))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                )
            }
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&Scenario {
            ask: ask.into(),
            p,
            r,
            target,
        }))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let mut rng = cx.sim_rng("check");
        match (s.ask.as_str(), q.expected(0)?) {
            ("within", Expected::Real { value, .. }) => {
                let est = simulate_within(s.p, s.r, &mut rng);
                if est.agrees_with(*value) {
                    Ok(())
                } else {
                    Err(CheckError(format!("key {value}, simulation {}", est.describe(4))))
                }
            }
            ("expected", Expected::Real { value, .. }) => {
                // Second route: clients simulated attempt by attempt.
                simulate_attempts(s.p, s.r, &mut rng).check("attempts per request", *value)
            }
            ("needed", Expected::Integer { value }) => {
                let by_log = ((1.0 - s.target).ln() / (1.0 - s.p).ln() - 1e-9).ceil().max(1.0) as i64;
                CheckError::expect_eq("fewest attempts", *value, by_log)?;
                let at = simulate_within(s.p, *value as u32, &mut rng);
                if !at.not_below(s.target) {
                    return Err(CheckError(format!("r = {value} simulates to {}", at.describe(4))));
                }
                Ok(())
            }
            _ => Err(CheckError("answer kind does not match the ask".into())),
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
        stress(&Retries, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Three attempts at a coin flip: 1 − 1/8 = 0.875; expected 1 + 1/2 + 1/4 = 1.75.
        assert!((within(0.5, 3) - 0.875).abs() < 1e-12);
        assert!((expected_attempts(0.5, 3) - 1.75).abs() < 1e-12);
        // 0.9 per attempt, 99.9%: 0.1^3 = 0.001 exactly, so 3 attempts.
        assert_eq!(needed(0.9, 0.999), 3);
        assert_eq!(needed(0.5, 0.99), 7); // 2^-7 = 0.0078 ≤ 0.01 < 2^-6
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Retries, &["ask=within".into(), "p=0.5".into(), "attempts=3".into()]).unwrap();
        let q = generate(&Retries, 3, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.875");
    }

    #[test]
    fn the_expected_attempts_are_checked_against_clients_not_algebra() {
        // The old check recomputed the same geometric series; a key from the uncapped 1/p (the
        // pitfall) or off by a few percent is now refused by simulated clients.
        let pins = parse_pins(&Retries, &["ask=expected".into(), "p=0.3".into(), "attempts=4".into()]).unwrap();
        let mut q = generate(&Retries, 9, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Retries, &q).unwrap();
        // By hand: 1 + 0.7 + 0.49 + 0.343 = 2.533.
        assert_eq!(q.slots[0].expected.reference(), "2.53");
        for wrong in [1.0 / 0.3, 2.533 * 1.02] {
            q.slots[0].expected = Expected::sig(wrong, 3);
            assert!(crate::family::cross_check(&Retries, &q).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["within", "expected", "needed"] {
            let pins = parse_pins(&Retries, &[format!("ask={ask}"), "p=0.3".into(), "attempts=4".into()]).unwrap();
            let mut q = generate(&Retries, 9, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&Retries, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, .. } => Expected::sig(value * 0.93, 3),
                Expected::Integer { value } => Expected::Integer { value: value - 1 },
                e => e.clone(),
            };
            assert!(crate::family::cross_check(&Retries, &q).is_err(), "{ask}");
        }
    }
}
