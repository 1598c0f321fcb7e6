//! `probability.estimate_error`: how precise is an error rate measured from n requests, and how
//! many requests does a given precision take?
//!
//! **Asked** (`ask`):
//! - `stderr`: x of n sampled requests failed. (a) The standard error of the estimate p̂ = x/n,
//!   sqrt(p̂(1 − p̂)/n), in percentage points; (b) the half-width of the 95% confidence interval,
//!   1.96 times that;
//! - `trials`: the rate is believed to be about p₀; how many requests give ±ε at 95% confidence?
//!   n = ⌈1.96²·p₀(1 − p₀)/ε²⌉;
//! - `trials_worst`: the same with nothing known about the rate, so the worst case p = ½:
//!   n = ⌈1.96²/(4ε²)⌉.
//!
//! **Parameters.** `samples` n: easy 100–1,000, medium 200–10,000, hard 1,000–100,000;
//! `rate_pct` (the observed or believed rate): easy 10–50%, medium 2–50%, hard 0.5–20%;
//! `margin_pct` ε in percentage points, drawn between a tenth (at most 1 point) and a half (at
//! most 5 points) of the rate or of its complement, whichever is smaller.
//!
//! **Key.** The normal-approximation formulas above, from the shown x and n (or p₀ and ε). The
//! sample size is accepted within ±5%, so z = 2 instead of 1.96 is fine.
//!
//! **Second route.** Monte Carlo with `rand_distr::Binomial`: for `stderr`, 20,000 repeated
//! samples of n requests at rate p̂, whose standard deviation must match the key's (a) (`mc`'s
//! normal test; the standard error of a standard deviation is about σ/√(2R)); the margin (b) over
//! the standard error (a) must lie in the order-statistics interval of the 97.5% quantile of
//! 200,000 simulated standard normal draws (`rand_distr::StandardNormal`), so the 1.96 the key
//! uses is checked, not shared; for `trials`, 20,000 samples of the keyed size, whose share within
//! ±ε of the true rate must be 95% (one-sided tests at `mc`'s level, with 2 points of slack for
//! the binomial's discreteness and skew). The repeated samples are the run the evidence shows:
//! they are drawn once, in `generate`, from their own RNG stream, and their estimate travels in the
//! scenario for `cross_check` (for `trials`, with the sample size it was run at: a key of another
//! size is simulated afresh at that size). The normal quantile is simulated by the check alone.
//!
//! **By hand.** `stderr`: exact with a calculator (a square root). `trials`: z ≈ 2 instead of
//! 1.96 gives a sample 4% larger, inside the ±5% the slot accepts.
//!
//! **Pitfalls**: sqrt(p(1 − p))/n (the root in the wrong place); forgetting to square 1.96/ε;
//! z = 1.645 (a 90% interval); planning with p = ½ when the rate is known to be small (a far larger
//! sample than needed), or with the small rate when it is unknown.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};

/// The family.
pub struct EstimateError;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "stderr: standard error and 95% margin of x/n; trials: sample size for ±ε given p₀; trials_worst: the same with p unknown",
        kind: ParamKind::Choice {
            options: &["stderr", "trials", "trials_worst"],
            draw: [&["stderr", "trials"], &["stderr", "trials", "trials_worst"], &["stderr", "trials", "trials_worst"]],
        },
    },
    ParamSpec {
        key: "samples",
        help: "requests sampled n (stderr)",
        kind: ParamKind::Int { min: 2, max: 10_000_000, draw: [(100, 1000), (200, 10_000), (1000, 100_000)] },
    },
    ParamSpec {
        key: "rate_pct",
        help: "the observed (stderr) or believed (trials) error rate, in percent",
        kind: ParamKind::Real { min: 0.1, max: 99.9, step: 0.1, draw: [(10.0, 50.0), (2.0, 50.0), (0.5, 20.0)] },
    },
    ParamSpec {
        key: "margin_pct",
        help: "the precision ±ε wanted, in percentage points (trials; drawn between a tenth and a half of the rarer of rate and 100 − rate, within 1 and 5)",
        kind: ParamKind::Real { min: 0.01, max: 50.0, step: 0.01, draw: [(1.0, 5.0), (0.2, 5.0), (0.05, 2.0)] },
    },
];

/// z for a two-sided 95% interval.
const Z95: f64 = 1.96;
/// Repeated samples in the Monte Carlo routes.
const REPEATS: u64 = 20_000;
/// Extra coverage slack for the binomial's discreteness and skew at the keyed sample size.
const COVERAGE_SLACK: f64 = 0.02;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    /// For stderr: failures x and sample size n.
    x: u64,
    n: u64,
    /// The rate: x/n for stderr, p₀ (or ½) for trials.
    p: f64,
    /// ε as a fraction (trials).
    eps: f64,
    /// For stderr: the evidence's simulated standard deviation, which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sd: Option<Estimate>,
    /// For trials: the sample size the evidence simulated, and its coverage of ±ε.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coverage: Option<(u64, Estimate)>,
}

fn stderr(p: f64, n: u64) -> f64 {
    (p * (1.0 - p) / n as f64).sqrt()
}

fn sample_size(p: f64, eps: f64) -> u64 {
    (Z95 * Z95 * p * (1.0 - p) / (eps * eps) - 1e-9).ceil() as u64
}

/// The standard deviation of x/n over repeated samples (around the true rate). Its standard error
/// comes from the squared deviations' own standard error by the delta method, SE(s) = SE(s²)/(2s),
/// which stays honest for the skewed binomials of small rates.
fn simulate_sd(p: f64, n: u64, rng: &mut ChaCha8Rng) -> Estimate {
    let b = Binomial::new(n, p).expect("0 ≤ p ≤ 1");
    let var = mc::mean(REPEATS, rng, |g| {
        let d = b.sample(g) as f64 / n as f64 - p;
        d * d
    });
    let sd = var.mean.sqrt();
    Estimate::derived(sd, var.stderr / (2.0 * sd).max(f64::MIN_POSITIVE), REPEATS, false)
}

/// The share of samples of size n whose estimate lands within ±ε of p.
fn simulate_coverage(p: f64, eps: f64, n: u64, rng: &mut ChaCha8Rng) -> Estimate {
    let b = Binomial::new(n, p).expect("0 ≤ p ≤ 1");
    mc::probability(REPEATS, rng, |g| (b.sample(g) as f64 / n as f64 - p).abs() <= eps + 1e-12)
}

/// P(|X/n − p| ≤ ε) for X ~ Binomial(n, p), exactly: the coverage the sample size gives.
fn exact_coverage(p: f64, eps: f64, n: u64) -> f64 {
    let lo = ((p - eps) * n as f64 - 1e-9).ceil().max(0.0) as u64;
    let hi = (((p + eps) * n as f64 + 1e-9).floor() as u64).min(n);
    if lo > hi {
        return 0.0;
    }
    let below = if lo == 0 { 0.0 } else { mc::binomial_cdf(n, p, lo - 1) };
    (mc::binomial_cdf(n, p, hi) - below).max(0.0)
}

/// An interval for the 97.5% quantile of the standard normal, from 200,000 simulated draws.
fn simulated_z975(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let mut z: Vec<f64> = (0..200_000).map(|_| rand_distr::StandardNormal.sample(rng)).collect();
    mc::quantile_interval(&mut z, 0.975)
}

fn pp(x: f64) -> String {
    fmt_sig(100.0 * x, 3)
}

impl Family for EstimateError {
    fn id(&self) -> &'static str {
        "probability.estimate_error"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Estimating a rate: standard error and sample size"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("stderr", [3, 3, 4], &["standard-error"]),
            Ask::new("trials", [3, 4, 4], &["sample-size", "standard-error"]),
            Ask::new("trials_worst", [2, 3, 3], &["sample-size"]),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "standard error and 95% margin of x/n; requests needed for ±ε (rate known, or worst case)",
            key: "normal-approximation formulas",
            second_route: "Monte Carlo with `rand_distr::Binomial`: the spread of x/n; the coverage of ±ε at the keyed n",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.scenario::<Scenario>() {
            Ok(sc) if sc.ask != "stderr" => {
                let n = sample_size(sc.p, sc.eps);
                let covered = exact_coverage(sc.p, sc.eps, n);
                if (covered - 0.95).abs() > COVERAGE_SLACK / 2.0 {
                    vec![format!("at n = {n} the interval covers {covered:.3}, not 95%: the normal approximation is poor here")]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let mut sc = if ask == "stderr" {
            let n = cx.int("samples") as u64;
            let rate = cx.real("rate_pct") / 100.0;
            let x = ((rate * n as f64).round() as u64).clamp(1, n.saturating_sub(1).max(1));
            if x >= n {
                return Err(GenError::Params {
                    message: format!("with samples = {n} there is no failure count strictly between 0 and n"),
                    hint: "set samples to 2 or more".into(),
                });
            }
            Scenario { ask: ask.into(), x, n, p: x as f64 / n as f64, eps: 0.0, sd: None, coverage: None }
        } else {
            let rate = if ask == "trials" { cx.real("rate_pct") } else { 50.0 };
            // The margin is drawn against the rarer outcome, so 99.9% behaves like 0.1%.
            let rarer = rate.min(100.0 - rate);
            let eps = cx.real_within("margin_pct", (rarer / 10.0).clamp(0.01, 1.0), (rarer / 2.0).min(5.0)) / 100.0;
            if eps <= 0.0 || eps >= rarer / 100.0 {
                return Err(GenError::Params {
                    message: format!("a margin of ±{} points is not below the rate of {}% (or its complement)", num(100.0 * eps), num(rate)),
                    hint: "set margin_pct below min(rate_pct, 100 − rate_pct); a tenth to a half of it is typical".into(),
                });
            }
            let p = rate / 100.0;
            let n = sample_size(p, eps);
            let covered = exact_coverage(p, eps, n);
            // Unpinned, such a draw is redrawn (see `flaws`); pinned, it is a parameter error.
            let pinned = cx.is_pinned("margin_pct") || cx.is_pinned("rate_pct");
            if pinned && (covered - 0.95).abs() > COVERAGE_SLACK / 2.0 {
                return Err(GenError::Params {
                    message: format!(
                        "±{} points needs only n = {n} requests by the normal approximation, and at that size the estimate lands within ±ε {}% of the time, not 95%",
                        num(100.0 * eps),
                        fmt_sig(100.0 * covered, 3)
                    ),
                    hint: "choose a smaller margin_pct (a tenth to a half of the rarer of rate_pct and 100 − rate_pct, at most 5 points, is typical)".into(),
                });
            }
            Scenario { ask: ask.into(), x: 0, n: 0, p, eps, sd: None, coverage: None }
        };
        let (prompt, slots, solution, evidence) = match ask {
            "stderr" => {
                let (x, n, p) = (sc.x, sc.n, sc.p);
                let se = stderr(p, n);
                let est = simulate_sd(p, n, &mut cx.sim_rng("evidence"));
                sc.sd = Some(est);
                (
                    Content::new()
                        .p(format!("To estimate a service's error rate, you sample **{n}** requests and **{x}** of them fail, so the estimate is $hat(p) = {x}/{n}$ = {}%.", pp(p)))
                        .p("Using the normal approximation, how precise is that estimate?"),
                    vec![
                        AnswerSlot::new("the standard error of the estimate, in percentage points", Expected::sig(100.0 * se, 3)).exact_by_hand(),
                        AnswerSlot::new("the half-width of the 95% confidence interval, in percentage points", Expected::sig(100.0 * Z95 * se, 3)).exact_by_hand(),
                    ],
                    Content::new()
                        .p(format!(
                            "(a) Each request fails with probability p, so x is Binomial(n, p) and x/n has variance $p(1 - p)/n$. With $hat(p) = {}$: SE = $sqrt({} times {} / {n})$ = {}, that is **{}** percentage points.",
                            fmt_sig(p, 4),
                            fmt_sig(p, 4),
                            fmt_sig(1.0 - p, 4),
                            fmt_sig(se, 3),
                            pp(se)
                        ))
                        .p(format!(
                            "(b) 95% of a normal lies within 1.96 standard errors: ±1.96 × {} = **±{}** points, so the rate is {}% ± {}.",
                            pp(se),
                            pp(Z95 * se),
                            pp(p),
                            pp(Z95 * se)
                        ))
                        .p("The error shrinks like $1/sqrt(n)$: four times the sample halves it."),
                    Content::new().p(format!(
                        "Monte Carlo: {} samples of {n} requests each at a rate of {}% (rand_distr::Binomial); the standard deviation of x/n was {} ± {} points (± one standard error).",
                        est.n,
                        pp(p),
                        fmt_sig(100.0 * est.mean, 4),
                        fmt_sig(100.0 * est.stderr, 2)
                    )),
                )
            }
            _ => {
                let (p, eps) = (sc.p, sc.eps);
                let n = sample_size(p, eps);
                let cov = simulate_coverage(p, eps, n, &mut cx.sim_rng("evidence"));
                sc.coverage = Some((n, cov));
                let (known, rate_text) = if ask == "trials" {
                    (
                        format!("From last month's logs, the error rate is about **{}%**.", num(100.0 * p)),
                        format!("p₀ = {}", fmt_sig(p, 4)),
                    )
                } else {
                    (
                        "Nothing is known about the rate yet, so plan for the worst case.".to_string(),
                        "the worst case p = ½ (p(1 − p) is largest there)".to_string(),
                    )
                };
                let worst = sample_size(0.5, eps);
                let mut solution = Content::new()
                    .p(format!(
                        "Require $1.96 sqrt(p(1 - p)/n) <= epsilon$, so $n >= 1.96^2 p(1 - p) / epsilon^2$. With {rate_text} and ε = {}: $n >= 3.8416 times {} / {}^2 = {}$, so **{n}** requests.",
                        fmt_sig(eps, 4),
                        fmt_sig(p * (1.0 - p), 4),
                        fmt_sig(eps, 4),
                        fmt_sig(Z95 * Z95 * p * (1.0 - p) / (eps * eps), 6)
                    ))
                    .p(format!("Halving ε quadruples n; using z = 2 gives {} (within the tolerance).", (4.0 * p * (1.0 - p) / (eps * eps) - 1e-9).ceil()));
                if ask == "trials" {
                    solution = solution.p(format!("Planning for the worst case p = ½ would ask for {worst} requests: knowing the rate is small saves {}.", worst.saturating_sub(n)));
                }
                (
                    Content::new()
                        .p(format!("You want to measure a service's error rate by sampling requests. {known}"))
                        .p(format!("How many requests must you sample so that a 95% confidence interval is **±{} percentage points** (normal approximation)?", num(100.0 * eps))),
                    vec![AnswerSlot::new("requests to sample", Expected::rel(n as f64, 0.05))
                        .by_hand("$n = 4 p(1 - p) / epsilon^2$ with z ≈ 2", (4.0 * p * (1.0 - p) / (eps * eps) - 1e-9).ceil())],
                    solution,
                    Content::new().p(format!(
                        "Monte Carlo: {} samples of {n} requests at a rate of {}% (rand_distr::Binomial); the share whose estimate landed within ±{} points of the true rate was {}.",
                        cov.n,
                        num(100.0 * p),
                        num(100.0 * eps),
                        cov.describe(4)
                    )),
                )
            }
        };
        let q = Question::new(prompt, slots, solution, evidence);
        let q = if ask == "stderr" {
            let se = stderr(sc.p, sc.n);
            q.followup(
                FollowUp::new(
                    "How many requests would halve the confidence interval?",
                    format!(
                        "Four times as many, {}: the margin falls like $1/sqrt(n)$, to ±{} points.",
                        4 * sc.n,
                        pp(Z95 * se / 2.0)
                    ),
                )
                .point("with very few failures (x below about 10) use a Wilson or exact interval instead"),
            )
        } else {
            let n = sample_size(sc.p, sc.eps);
            let worst = sample_size(0.5, sc.eps);
            let q = q.followup(FollowUp::new(
                format!("What if you need ±{} points instead?", num(50.0 * sc.eps)),
                format!("{} requests: halving the margin quadruples the sample.", sample_size(sc.p, sc.eps / 2.0)),
            ));
            if ask == "trials" {
                q.contrast(Contrast::new("known rate vs worst case", n, worst))
            } else {
                q
            }
        };
        Ok(q.with_scenario(&sc))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let sc: Scenario = q.scenario()?;
        let key = |i: usize| q.expected_real(i);
        if sc.ask == "stderr" {
            let mut rng = cx.sim_rng("check");
            let est = sc.sd.ok_or_else(|| CheckError("the scenario lacks the simulated standard deviation".into()))?;
            est.check("standard error (a), as a fraction", key(0)? / 100.0)?;
            // The margin's multiple of the standard error, against a simulated 97.5% quantile
            // (both keys are rounded to 3 figures: 1% of slack).
            let (lo, hi) = simulated_z975(&mut rng);
            let ratio = key(1)? / key(0)?;
            if ratio < lo * 0.99 || ratio > hi * 1.01 {
                return Err(CheckError(format!("the margin is {ratio} standard errors; the simulated 97.5% quantile of a standard normal lies in [{lo}, {hi}]")));
            }
            Ok(())
        } else {
            let n = key(0)?.round().max(1.0) as u64;
            let cov = match sc.coverage {
                Some((simulated, cov)) if simulated == n => cov,
                _ => simulate_coverage(sc.p, sc.eps, n, &mut cx.sim_rng("check")),
            };
            if cov.not_below(0.95 - COVERAGE_SLACK) && cov.not_above(0.95 + COVERAGE_SLACK) {
                Ok(())
            } else {
                Err(CheckError(format!("n = {n}: coverage of ±ε is {}, not 95%", cov.describe(4))))
            }
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
        stress(&EstimateError, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // The pollster's rule: ±3 points at 95% with p unknown takes 1068 people.
        assert_eq!(sample_size(0.5, 0.03), 1068);
        // 100 of 1000 fail: SE = sqrt(0.09/1000) = 0.9487 points.
        assert!((stderr(0.1, 1000) - 0.009486833).abs() < 1e-8);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&EstimateError, &["ask=stderr".into(), "samples=1000".into(), "rate_pct=10".into()]).unwrap();
        let q = generate(&EstimateError, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.949");
        assert_eq!(q.slots[1].expected.reference(), "1.86");
        let pins = parse_pins(&EstimateError, &["ask=trials_worst".into(), "margin_pct=3".into()]).unwrap();
        let q = generate(&EstimateError, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "1068");
    }

    #[test]
    fn a_margin_above_the_rate_is_a_parameter_error() {
        let pins = parse_pins(&EstimateError, &["ask=trials".into(), "rate_pct=1".into(), "margin_pct=2".into()]).unwrap();
        let err = generate(&EstimateError, 1, Difficulty::Medium, &pins).unwrap_err();
        assert!(err.to_string().contains("not below the rate"), "{err}");
    }

    #[test]
    fn the_cross_check_catches_common_mistakes() {
        let pins = parse_pins(&EstimateError, &["ask=stderr".into(), "samples=2000".into(), "rate_pct=20".into()]).unwrap();
        let mut q = generate(&EstimateError, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&EstimateError, &q).unwrap();
        // The root in the wrong place: sqrt(p(1 − p))/n.
        q.slots[0].expected = Expected::sig(100.0 * (0.2f64 * 0.8).sqrt() / 2000.0, 3);
        assert!(crate::family::cross_check(&EstimateError, &q).is_err());

        let pins = parse_pins(&EstimateError, &["ask=trials".into(), "rate_pct=10".into(), "margin_pct=1".into()]).unwrap();
        let mut q = generate(&EstimateError, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&EstimateError, &q).unwrap();
        // z = 1.645 plans a 90% interval.
        q.slots[0].expected = Expected::rel((1.645f64 * 1.645 * 0.09 / 0.0001).ceil(), 0.05);
        assert!(crate::family::cross_check(&EstimateError, &q).is_err());
        // Forgetting to square: 1.96·sqrt(p(1 − p))/ε.
        q.slots[0].expected = Expected::rel((1.96f64 * 0.3 / 0.01).ceil(), 0.05);
        assert!(crate::family::cross_check(&EstimateError, &q).is_err());
    }

    #[test]
    fn margins_too_wide_for_the_normal_approximation_are_refused() {
        // Found by random pins: ±49.6 points with p unknown needs n = 4 by the formula, and 4
        // requests land within ±ε only 87.5% of the time (by hand: P(1 ≤ X ≤ 3) for
        // Binomial(4, ½) = 14/16), so the key was not a 95% sample size at all.
        assert!((exact_coverage(0.5, 0.496, 4) - 14.0 / 16.0).abs() < 1e-12);
        let pins = parse_pins(&EstimateError, &["ask=trials_worst".into(), "margin_pct=49.6".into()]).unwrap();
        let err = generate(&EstimateError, 72, Difficulty::Easy, &pins).unwrap_err();
        assert!(matches!(err, GenError::Params { .. }), "{err}");
        // Drawn margins are never refused.
        for seed in 0..60 {
            for d in Difficulty::ALL {
                generate(&EstimateError, seed, d, &crate::family::Pins::new()).unwrap();
            }
        }
    }

    #[test]
    fn the_margin_is_checked_against_a_simulated_quantile() {
        // The old check divided part (b) by the same constant Z95 the key multiplied by, so a
        // mistyped Z95 (1.645, a 90% interval; 2.576, a 99% one) would have passed it. The multiple
        // is now checked against a simulated quantile: a key built with either is refused, and
        // the simulated interval holds 1.96 but neither of them.
        let pins = parse_pins(&EstimateError, &["ask=stderr".into(), "samples=2000".into(), "rate_pct=20".into()]).unwrap();
        let mut q = generate(&EstimateError, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&EstimateError, &q).unwrap();
        let se = q.expected_real(0).unwrap();
        for z in [1.645, 2.576] {
            q.slots[1].expected = Expected::sig(z * se, 3);
            assert!(crate::family::cross_check(&EstimateError, &q).is_err(), "{z}");
        }
        let (lo, hi) = simulated_z975(&mut crate::seed::stream_rng("test", 1, "z"));
        assert!(lo < 1.959_964 && 1.959_964 < hi && hi - lo < 0.1, "{lo} {hi}");
        assert!(1.645 < lo * 0.99 && 2.576 > hi * 1.01);
    }

    #[test]
    fn z_of_two_is_an_accepted_hand_route() {
        // p = 10%, ±1 point: 1.96²·0.09/0.0001 = 3457.4, so 3458; z = 2 gives 3600, 4.1% more,
        // inside the ±5% the slot accepts.
        let pins = parse_pins(&EstimateError, &["ask=trials".into(), "rate_pct=10".into(), "margin_pct=1".into()]).unwrap();
        let q = generate(&EstimateError, 1, Difficulty::Medium, &pins).unwrap();
        let Expected::Real { value, tolerance } = q.slots[0].expected else { panic!() };
        assert_eq!(value, 3458.0);
        assert_eq!(q.slots[0].hand.as_ref().unwrap().value, 3600.0);
        assert!(tolerance.window(value).contains(3600.0));
        // Halving the margin: 1.96²·0.09/0.000025 = 13829.8, so 13830 requests.
        assert!(q.followups[0].answer.starts_with("13830 requests"), "{}", q.followups[0].answer);
    }
}
