//! `probability.poisson_burst`: requests arrive as a Poisson process at λ per second.
//!
//! **Asked** (`ask`):
//! - `burst`: P(more than k requests in one second) = 1 − Σ_{i≤k} e^{−λ} λ^i / i!, the chance a
//!   rate limiter or a worker pool sized for k is overrun in a given second;
//! - `gap`: P(no request at all within t seconds) = e^{−λt}, how often an idle timeout fires.
//!
//! **Parameters.** `rate` λ: easy 2–6, medium 5–40, hard 20–150 per second; `limit` k is drawn
//! around λ (λ to λ + 3√λ); `window` t for `gap`: 0.05–2 s, drawn so λt stays between 0.2 and 4.
//!
//! **Key.** The Poisson CDF summed term by term (terms built by recurrence, no factorial overflow).
//!
//! **By hand.** `gap`: one exponential, exact. `burst`: at easy (λ ≤ 6, at most about 14 terms)
//! the terms by recurrence, exact; at medium and hard the sum has dozens of terms and the normal
//! approximation misses the third significant figure, so `burst` needs a computer there.
//!
//! **Second route.** Monte Carlo that simulates the *process*, not the distribution: exponential
//! inter-arrival gaps (`rand_distr::Exp`), counted over the one-second window or checked against t. That run is the one the
//! evidence shows: it runs once, in `generate`, from its own RNG stream, its estimate travels in
//! the scenario, and `cross_check` tests it against the key.
//!
//! **Pitfalls**: P(exactly k) for P(more than k); treating λ as a hard cap ("never more than λ");
//! e^{−λ} for the gap probability regardless of t.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};

/// The family.
pub struct PoissonBurst;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "burst: P(more than k in a second); gap: P(no request within t seconds)",
        kind: ParamKind::Choice {
            options: &["burst", "gap"],
            draw: [&["burst", "gap"], &["burst", "gap"], &["burst", "gap"]],
        },
    },
    ParamSpec {
        key: "rate",
        help: "arrival rate λ per second",
        kind: ParamKind::Int {
            min: 1,
            max: 400,
            draw: [(2, 6), (5, 40), (20, 150)],
        },
    },
    ParamSpec {
        key: "limit",
        help: "capacity k per second (burst; drawn between λ and λ + 3√λ)",
        kind: ParamKind::Int {
            min: 0,
            max: 1000,
            draw: [(2, 20), (5, 60), (20, 190)],
        },
    },
    ParamSpec {
        key: "window_ms",
        help: "window t in milliseconds (gap; drawn so that λt is 0.2 to 4)",
        kind: ParamKind::Int {
            min: 1,
            max: 10_000,
            draw: [(20, 2000), (5, 800), (2, 200)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    lambda: f64,
    k: u64,
    t: f64,
}

/// The scenario as the question stores it: the draw, and the estimate of the simulation the
/// evidence shows, which the cross-check tests against the key.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    s: Scenario,
    mc: mc::Estimate,
}

/// P(N ≤ k) for N ~ Poisson(λ).
pub fn cdf(lambda: f64, k: u64) -> f64 {
    let mut term = (-lambda).exp();
    let mut sum = term;
    for i in 1..=k {
        term *= lambda / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// Arrivals in [0, t) of a rate-λ process, simulated from exponential gaps.
fn arrivals(exp: &Exp<f64>, t: f64, rng: &mut rand_chacha::ChaCha8Rng) -> u64 {
    let (mut clock, mut n) = (exp.sample(rng), 0);
    while clock < t {
        n += 1;
        clock += exp.sample(rng);
    }
    n
}

fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    let exp = Exp::new(s.lambda).expect("λ > 0");
    let trials = (1_000_000.0 / (s.lambda + 1.0)).clamp(6_000.0, 40_000.0) as u64;
    if s.ask == "burst" {
        mc::probability(trials, rng, |g| arrivals(&exp, 1.0, g) > s.k)
    } else {
        mc::probability(trials, rng, |g| exp.sample(g) >= s.t)
    }
}

impl Family for PoissonBurst {
    fn id(&self) -> &'static str {
        "probability.poisson_burst"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Poisson arrivals: bursts and quiet gaps"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("burst", [4, 5, 6], &["poisson-tail"]).computer([false, true, true]),
            Ask::new("gap", [2, 3, 3], &["poisson-process", "memorylessness"]),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(more than k requests in a second), P(no request within t ms)",
            key: "Poisson CDF",
            second_route: "simulated arrival process with exponential gaps",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let lambda = cx.int("rate") as f64;
        let sd = lambda.sqrt();
        let k = cx.int_within("limit", lambda as i64, (lambda + 3.0 * sd).round() as i64, 1) as u64;
        let lo_ms = (200.0 / lambda).ceil() as i64;
        let hi_ms = (4000.0 / lambda).floor() as i64;
        let t_ms = cx.int_within("window_ms", lo_ms.max(1), hi_ms.max(lo_ms.max(1)), 1);
        let t = t_ms as f64 / 1000.0;
        if ask == "burst" {
            cx.unused("window_ms");
        } else {
            cx.unused("limit");
        }
        let s = Scenario {
            ask: ask.into(),
            lambda,
            k,
            t,
        };
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        let setting = format!(
            "Requests reach an API server as a Poisson process with an average rate of **{lambda}** \
             requests per second."
        );
        let (prompt, slot, solution) = if ask == "burst" {
            let v = 1.0 - cdf(lambda, k);
            let exact_k = cdf(lambda, k) - if k == 0 { 0.0 } else { cdf(lambda, k - 1) };
            (
                Content::new().p(&setting).p(format!(
                    "A worker pool can serve at most **{k}** requests per second; more than that \
                     in one second overflows into a queue. What is the probability that a given \
                     one-second window has more than {k} requests?"
                )),
                AnswerSlot::new(format!("P(more than {k} requests in one second)"), Expected::sig(v, 3)).by_hand(
                    "sum the Poisson terms by the recurrence $t_i = t_(i-1) lambda / i$",
                    1.0 - (0..=k).scan(0.0f64, |t, i| {
                        *t = if i == 0 { (-lambda).exp() } else { *t * lambda / i as f64 };
                        Some(*t)
                    }).sum::<f64>(),
                ),
                Content::new()
                    .p(format!(
                        "The count N in one second is Poisson(λ = {lambda}): $P(N > {k}) = 1 - sum_(i=0)^({k}) e^(-{lambda}) {lambda}^i / i!$."
                    ))
                    .p(format!(
                        "The sum is {} (build the terms by $t_i = t_(i-1) lambda / i$ to avoid huge factorials), so P(N > {k}) = **{}**.",
                        fmt_sig(cdf(lambda, k), 6),
                        fmt_sig(v, 3)
                    ))
                    .p(format!(
                        "P(N = {k}) = {} is a single term, not the tail; and λ is an average, not a cap: a server sized for exactly λ overflows in {} of seconds.",
                        fmt_sig(exact_k, 3),
                        fmt_sig(1.0 - cdf(lambda, lambda as u64), 2)
                    )),
            )
        } else {
            let v = (-lambda * t).exp();
            (
                Content::new().p(&setting).p(format!(
                    "A connection is closed when no request arrives for **{t_ms} ms**. Starting at \
                     an arbitrary moment, what is the probability that no request arrives within \
                     the next {t_ms} ms?"
                )),
                AnswerSlot::new(format!("P(no request within {t_ms} ms)"), Expected::sig(v, 3)).exact_by_hand(),
                Content::new()
                    .p(format!(
                        "The count in t = {} s is Poisson(λt = {lambda} × {} = {}), and P(none) = $e^(-lambda t)$ (equivalently, the wait until the next request is exponential with rate λ, memoryless).",
                        num(t),
                        num(t),
                        num(lambda * t)
                    ))
                    .p(format!("P = $e^(-{})$ = **{}**.", num(lambda * t), fmt_sig(v, 3))),
            )
        };
        let evidence = Content::new().p(format!(
            "Monte Carlo over the arrival process itself (exponential gaps with rate {lambda}/s): {} simulated windows; estimate {}.",
            est.n,
            est.describe(4)
        ));
        let q = Question::new(prompt, vec![slot], solution, evidence);
        let q = if ask == "burst" {
            let v = 1.0 - cdf(lambda, k);
            let exact_k = cdf(lambda, k) - if k == 0 { 0.0 } else { cdf(lambda, k - 1) };
            let k99 = (0..).find(|c| 1.0 - cdf(lambda, *c) <= 0.01).unwrap_or(k);
            q.contrast(Contrast::new("tail vs single term", fmt_sig(v, 3), fmt_sig(exact_k, 3)))
                .followup(
                    FollowUp::new(
                        "What capacity per second keeps the overflow to at most 1% of seconds?",
                        format!(
                            "{k99} requests per second: P(N > {k99}) = {}, while P(N > {}) = {}. About $lambda + 2.33 sqrt(lambda) = {}$ by the normal approximation.",
                            fmt_sig(1.0 - cdf(lambda, k99), 3),
                            k99.saturating_sub(1),
                            fmt_sig(1.0 - cdf(lambda, k99.saturating_sub(1)), 3),
                            fmt_sig(lambda + 2.326 * lambda.sqrt(), 3)
                        ),
                    )
                    .point("headroom grows like the square root of the rate, so big services need relatively less"),
                )
        } else {
            let v = (-lambda * t).exp();
            q.contrast(Contrast::new("the window vs a whole second", fmt_sig(v, 3), fmt_sig((-lambda).exp(), 3)))
                .followup(
                    FollowUp::new(
                        format!("The connection has already been idle for {t_ms} ms. What is the chance it stays idle for another {t_ms} ms?"),
                        format!("Still {}: the exponential wait is memoryless. Idle for {} ms from the start: {}.", fmt_sig(v, 3), 2 * t_ms, fmt_sig(v * v, 3)),
                    )
                    .point("memorylessness; the mean gap between requests is 1/λ"),
                )
        };
        Ok(q.with_scenario(&Stored { s, mc: est }))
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
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&PoissonBurst, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Poisson(2): P(N ≤ 2) = e^-2 (1 + 2 + 2) = 5e^-2 = 0.676676...
        assert!((cdf(2.0, 2) - 5.0 * (-2.0f64).exp()).abs() < 1e-12);
        // Poisson(10): P(N > 15) = 0.0487 (standard table: P(N ≤ 15) = 0.9513).
        assert!((1.0 - cdf(10.0, 15) - 0.0487).abs() < 1e-4);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&PoissonBurst, &["ask=gap".into(), "rate=10".into(), "window_ms=100".into()]).unwrap();
        let q = generate(&PoissonBurst, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.368"); // e^-1
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&PoissonBurst, &["ask=burst".into(), "rate=20".into(), "limit=25".into()]).unwrap();
        let mut q = generate(&PoissonBurst, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&PoissonBurst, &q).unwrap();
        // P(N ≥ 25) instead of P(N > 25): off by the single term P(N = 25).
        q.slots[0].expected = Expected::sig(1.0 - cdf(20.0, 24), 3);
        assert!(crate::family::cross_check(&PoissonBurst, &q).is_err());
    }
}
