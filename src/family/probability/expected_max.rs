//! `probability.expected_max`: a request fans out to n backends and waits for the slowest, so its
//! latency is the maximum of n latencies.
//!
//! **Asked** (`dist`):
//! - `exponential`: latencies exponential with mean μ ms: E[max] = μ·H_n (H_n = 1 + 1/2 + … + 1/n);
//! - `uniform`: latencies uniform on [a, b] ms: E[max] = a + (b − a)·n/(n + 1).
//!
//! **Parameters.** `backends` n: easy 2–5, medium 5–50, hard 20–500; `mean_ms` μ: 5–50; for
//! uniform, `low_ms` a and `high_ms` b with b − a ≥ 5.
//!
//! **Key.** The closed forms (H_n summed term by term).
//!
//! **By hand.** Uniform: exact. Exponential: H_n summed for n ≤ 10, else
//! H_n ≈ ln n + 0.5772 + 1/(2n) (Euler–Maclaurin; off by less than 1/(12n²), far inside 3
//! significant figures).
//!
//! **Second route.** Monte Carlo: draw n latencies with `rand_distr::Exp` / uniform and take the
//! maximum (once, in `generate`, for the evidence; the estimate travels in the scenario to
//! `cross_check`); the key must be within `K_SIGMA` standard errors.
//!
//! **Pitfalls**: the mean μ ("the average backend is fast"); μ·ln n (misses Euler's 0.577·μ);
//! n·μ (the sum, as if the calls were sequential).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};

/// The family.
pub struct ExpectedMax;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "dist",
        help: "exponential or uniform latencies",
        kind: ParamKind::Choice {
            options: &["exponential", "uniform"],
            draw: [&["exponential", "uniform"], &["exponential", "uniform"], &["exponential", "uniform"]],
        },
    },
    ParamSpec {
        key: "backends",
        help: "backends n the request waits for",
        kind: ParamKind::Int { min: 1, max: 5000, draw: [(2, 5), (5, 50), (20, 500)] },
    },
    ParamSpec {
        key: "mean_ms",
        help: "mean latency μ in ms (exponential)",
        kind: ParamKind::Int { min: 1, max: 10_000, draw: [(5, 50), (5, 50), (5, 50)] },
    },
    ParamSpec {
        key: "low_ms",
        help: "fastest latency a in ms (uniform)",
        kind: ParamKind::Int { min: 0, max: 10_000, draw: [(0, 20), (0, 20), (0, 50)] },
    },
    ParamSpec {
        key: "high_ms",
        help: "slowest latency b in ms (uniform; drawn above a)",
        kind: ParamKind::Int { min: 1, max: 20_000, draw: [(10, 100), (10, 100), (10, 200)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    dist: String,
    n: u64,
    mean: f64,
    lo: f64,
    hi: f64,
    /// The simulation the evidence shows, which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    est: Option<mc::Estimate>,
}

/// The n-th harmonic number.
fn harmonic(n: u64) -> f64 {
    (1..=n).map(|i| 1.0 / i as f64).sum()
}

fn exact(s: &Scenario) -> f64 {
    if s.dist == "exponential" {
        s.mean * harmonic(s.n)
    } else {
        s.lo + (s.hi - s.lo) * s.n as f64 / (s.n as f64 + 1.0)
    }
}

fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    // About a million draws, at least 300 runs (so 5,000 backends cost 1.5·10⁶, not 10⁷).
    let trials = (1_000_000 / s.n.max(1)).clamp(300, 30_000);
    let exp = Exp::new(1.0 / s.mean).expect("mean > 0");
    mc::mean(trials, rng, |g| {
        (0..s.n)
            .map(|_| {
                if s.dist == "exponential" {
                    exp.sample(g)
                } else {
                    s.lo + (s.hi - s.lo) * g.random::<f64>()
                }
            })
            .fold(0.0, f64::max)
    })
}

impl Family for ExpectedMax {
    fn id(&self) -> &'static str {
        "probability.expected_max"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Fan-out latency: the expected slowest of n"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [3, 4, 5], &["order-statistics", "tail-at-scale"])];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "expected slowest of n exponential or uniform latencies",
            key: "μ·H_n, a + (b − a)·n/(n+1)",
            second_route: "Monte Carlo of the fan-out",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let dist = cx.pick("dist");
        let n = cx.int("backends") as u64;
        let mean = cx.int("mean_ms") as f64;
        let lo = cx.int("low_ms");
        let hi = cx.int_within("high_ms", lo + 5, lo + 200, 5);
        if dist == "exponential" {
            cx.unused("low_ms");
            cx.unused("high_ms");
        } else {
            cx.unused("mean_ms");
        }
        if hi <= lo {
            return Err(GenError::Params {
                message: format!("high_ms = {hi} must exceed low_ms = {lo}"),
                hint: "set high_ms above low_ms".into(),
            });
        }
        let mut s = Scenario { dist: dist.into(), n, mean, lo: lo as f64, hi: hi as f64, est: None };
        let v = exact(&s);
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        s.est = Some(est);
        let (lat, solution) = if dist == "exponential" {
            let h = harmonic(n);
            (
                format!("exponentially distributed with a mean of **{mean} ms**"),
                Content::new()
                    .p("The maximum of n independent exponentials with mean μ is a sum of stages: the first of n finishes after μ/n on average, then the first of the remaining n − 1 after μ/(n − 1), and so on (memorylessness). So $E[max] = mu H_n$, with $H_n = 1 + 1/2 + dots + 1/n$.")
                    .p(format!(
                        "$H_({n}) = {}$ (for large n, $H_n approx ln n + 0.5772 + 1/(2n)$), so E[max] = {mean} ms × {} = **{}** ms.",
                        fmt_sig(h, 5),
                        fmt_sig(h, 5),
                        fmt_sig(v, 3)
                    ))
                    .p(format!(
                        "That is {}× the mean of one backend: fan-out turns the tail into the common case. $mu ln n$ = {} ms underestimates by about 0.577·μ.",
                        fmt_sig(h, 3),
                        fmt_sig(mean * (n as f64).ln(), 3)
                    )),
            )
        } else {
            (
                format!("uniformly distributed between **{lo} ms** and **{hi} ms**"),
                Content::new()
                    .p("For n independent uniforms on [a, b], $P(max <= x) = ((x - a)/(b - a))^n$, whose mean is $a + (b - a) n/(n + 1)$: the n draws split [a, b] into n + 1 gaps of equal expected length.")
                    .p(format!(
                        "E[max] = {lo} ms + {} ms × {n}/{} = **{}** ms.",
                        hi - lo,
                        n + 1,
                        fmt_sig(v, 3)
                    )),
            )
        };
        let prompt = Content::new()
            .p(format!(
                "A search request fans out to **{n}** backends in parallel and returns when the last \
                 one answers. Each backend's latency is independently {lat}."
            ))
            .p("What is the expected latency of the request (ignoring network and merge time)?");
        let evidence = Content::new().p(format!(
            "Monte Carlo: {} simulated requests, each taking the maximum of {n} sampled latencies; mean {} ms.",
            est.n,
            est.describe(4)
        ));
        let nf = n as f64;
        let (hand, method, typical, followup) = if dist == "exponential" {
            let h_hand = if n <= 10 { harmonic(n) } else { nf.ln() + 0.5772 + 1.0 / (2.0 * nf) };
            (
                mean * h_hand,
                if n <= 10 { "μ·H_n with H_n summed term by term" } else { "μ·H_n with $H_n approx ln n + 0.5772 + 1/(2n)$" },
                mean,
                FollowUp::new(
                    format!("What if the fan-out doubles to {} backends?", 2 * n),
                    format!(
                        "{} ms: doubling adds only about $mu ln 2$ = {} ms, because the maximum grows like the logarithm of n.",
                        fmt_sig(mean * harmonic(2 * n), 3),
                        fmt_sig(mean * 2f64.ln(), 3)
                    ),
                )
                .point("hedged requests or waiting for the first k of n cut the tail instead"),
            )
        } else {
            let (a, b) = (lo as f64, hi as f64);
            (
                v,
                "exact: $a + (b - a) n/(n + 1)$",
                (a + b) / 2.0,
                FollowUp::new(
                    "And the expected latency of the fastest backend?",
                    format!("$a + (b - a)/(n + 1)$ = {} ms, by the same equal-gaps argument.", fmt_sig(a + (b - a) / (nf + 1.0), 3)),
                ),
            )
        };
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new("expected request latency", Expected::sig(v, 3)).unit("ms").by_hand(method, hand)],
            solution,
            evidence,
        )
        .contrast(Contrast::new("slowest vs typical backend", fmt_sig(v, 3), fmt_sig(typical, 3)))
        .followup(followup)
        .with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        // The simulation the evidence shows, run once in `generate`.
        let est = s.est.ok_or_else(|| CheckError("the scenario holds no simulation".into()))?;
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
        stress(&ExpectedMax, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Two exponentials with mean 1: 1.5; the max of 2 uniforms on [0, 1]: 2/3.
        let s = Scenario { dist: "exponential".into(), n: 2, mean: 1.0, lo: 0.0, hi: 1.0, est: None };
        assert!((exact(&s) - 1.5).abs() < 1e-12);
        let s = Scenario { dist: "uniform".into(), n: 2, mean: 1.0, lo: 0.0, hi: 1.0, est: None };
        assert!((exact(&s) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&ExpectedMax, &["dist=exponential".into(), "backends=2".into(), "mean_ms=10".into()]).unwrap();
        let q = generate(&ExpectedMax, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "15.0");
    }

    #[test]
    fn the_cross_check_catches_the_log_shortcut() {
        let pins = parse_pins(&ExpectedMax, &["dist=exponential".into(), "backends=40".into(), "mean_ms=20".into()]).unwrap();
        let mut q = generate(&ExpectedMax, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&ExpectedMax, &q).unwrap();
        q.slots[0].expected = Expected::sig(20.0 * 40f64.ln(), 3);
        assert!(crate::family::cross_check(&ExpectedMax, &q).is_err());
    }

    #[test]
    fn the_follow_up_and_the_hand_route() {
        // Four uniforms on [10, 60]: slowest 10 + 50·4/5 = 50 ms, fastest 10 + 50/5 = 20 ms.
        let pins = parse_pins(&ExpectedMax, &["dist=uniform".into(), "backends=4".into(), "low_ms=10".into(), "high_ms=60".into()]).unwrap();
        let q = generate(&ExpectedMax, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "50.0");
        assert!(q.followups[0].answer.contains("20.0 ms"), "{}", q.followups[0].answer);
        // Exponential, n = 200, μ = 10: H_200 = 5.87803094812 (tables); the hand route
        // 10·(ln 200 + 0.5772 + 1/400) = 58.7804 lands inside 3 significant figures.
        let pins = parse_pins(&ExpectedMax, &["dist=exponential".into(), "backends=200".into(), "mean_ms=10".into()]).unwrap();
        let q = generate(&ExpectedMax, 1, Difficulty::Hard, &pins).unwrap();
        let Expected::Real { value, tolerance } = q.slots[0].expected else { panic!() };
        assert!((value - 58.7803094812).abs() < 1e-6);
        assert!(tolerance.window(value).contains(q.slots[0].hand.as_ref().unwrap().value));
    }
}
