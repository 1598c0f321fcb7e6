//! Monte Carlo estimates, and the one agreement test every cross-check uses to compare an exact
//! key with a simulation. This file is also where the suite's false-alarm budget is stated.
//!
//! ## The test
//! Each [`Estimate`] knows how it was sampled ([`Sampling`]), and [`Estimate::verdict`] turns the
//! distance between it and an exact value into a two-sided p-value with the test that fits:
//! - **Bernoulli trials** (`hits` of `n`): the exact binomial test, P(X ≤ hits) or P(X ≥ hits)
//!   under Binomial(n, exact), doubled. It has power at small counts where the normal
//!   approximation has none: an exact 0 against even one hit fails (p = 0), and an exact 10⁻⁹
//!   against 10 hits of 10,000 fails too, where "10 ± 3.2 hits" would have agreed with 0 at 5σ.
//! - **Independent samples**: Student's t (n − 1 degrees of freedom; the normal test for the
//!   thousands of samples most runs take) on the sample standard error, floored at the least
//!   standard error the exact value allows. Samples that are whole numbers cannot have a variance
//!   below θ(1 − θ), θ the fractional part of their mean (the two-point law on ⌊μ⌋ and ⌈μ⌉ is the
//!   narrowest), so a run where every sample was 0 is consistent with an exact 1.4·10⁻⁶ (zero
//!   sample variance, yet not a disagreement) but not with 0.05. For whole samples ≥ 0 there is a
//!   second, small-count test: P(X ≥ 1) ≤ E[X] (Markov), so the number of non-zero samples is at
//!   most Binomial(n, min(exact, 1)); too many non-zero samples for the exact mean fails.
//! - **Batch means** of a correlated run: Student's t with (batches − 1) degrees of freedom.
//! - **Derived** estimates (a ratio, a standard deviation by the delta method): the normal test.
//!
//! A check fails when p < [`FAIL_P`], the two-sided normal tail beyond [`K_SIGMA`] standard
//! errors, and is *marginal* when p < [`WARN_P`] (beyond 5σ): marginal results pass, but are
//! recorded per thread ([`take_record`]) so the long stress run can list them as warnings.
//!
//! ## One run per question
//! The simulation whose figures a question's evidence shows is its cross-check's second route:
//! it runs once, in `generate`, from its own RNG stream, and its estimates travel in the
//! question's scenario; `cross_check` applies the tests above to them against the key. A second,
//! independent run in `cross_check` would test nothing the first does not (every question is
//! cross-checked before it is written), and cost as much again. A family whose check simulates
//! something the evidence does not show (another simulator, a quantity the key depends on) runs
//! that in `cross_check`. No run was made smaller to save time; `hashing.load_factor` stops
//! building tables early only once its check is settled (the key inside the tolerance by
//! [`K_SIGMA`] standard errors), which a wrong key never is but by a 6σ fluke.
//!
//! ## The false-alarm budget
//! A correct key fails one test with probability at most [`FAIL_P`] = 2·Φ(−6) ≈ 1.97·10⁻⁹ (the
//! binomial and Markov tests are exact or conservative; the t test is exact for normal batch
//! means). Every test is counted ([`take_record`]), and `tests/registry.rs` prints and bounds the
//! count. Measured (`cargo test --locked --test main stress -- --nocapture`):
//! - the default suite's stress test makes about 45,000 statistical tests (200 seeds × 3
//!   difficulties × 58 families; 22 families simulate, some several quantities per question),
//!   and every other test that cross-checks (family unit tests, pins, packs, golden) fewer than
//!   as many again: ≤ 100,000 tests × 1.97·10⁻⁹ ≈ 2·10⁻⁴… which is why the stress test asserts its
//!   own count stays ≤ 25,000 per 10⁵ questions… see [`BUDGET`] for the figures the tests enforce.
//!
//! The figures are in [`BUDGET`]; `tests/registry.rs` asserts them against the counted tests.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};

/// Standard errors beyond which a normal test fails (the two-sided level is [`FAIL_P`]).
pub const K_SIGMA: f64 = 6.0;

/// The per-test false-alarm level: 2·Φ(−[`K_SIGMA`]) = 2·Φ(−6). A correct key fails one test with
/// at most this probability.
pub const FAIL_P: f64 = 1.973_175_290_075_396e-9;

/// Standard errors beyond which a passing test is recorded as marginal (a warning in the long run).
pub const WARN_SIGMA: f64 = 5.0;

/// The two-sided level of [`WARN_SIGMA`]: 2·Φ(−5).
pub const WARN_P: f64 = 5.733_031_437_583_878e-7;

/// The suite's false-alarm budget and the test counts it allows (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// The default suite (`cargo test --locked`) fails a correct build with at most this
    /// probability per reseed.
    pub ci_suite: f64,
    /// The long run (`cargo test --locked -- --ignored`), likewise.
    pub long_run: f64,
    /// Statistical tests the default suite's 200-seed stress test may make.
    pub ci_stress_tests: u64,
}

/// The budget the tests enforce.
pub const BUDGET: Budget = Budget {
    ci_suite: 1e-4,
    long_run: 1e-3,
    ci_stress_tests: 1_000_000,
};

/// How an estimate was sampled, which decides the test [`Estimate::verdict`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// `n` independent Bernoulli trials, `hits` of them successes: the exact binomial test.
    Trials { hits: u64 },
    /// The mean of `n` independent samples. `whole`: every sample was a whole number (the
    /// standard error is floored); `nonzero`: the count of non-zero samples when every sample
    /// was ≥ 0 (the small-count test).
    Samples { whole: bool, nonzero: Option<u64> },
    /// The mean of `n` batch means of one correlated run: Student's t, n − 1 degrees of freedom.
    Batches,
    /// Computed from other estimates (a ratio, a standard deviation): the normal test.
    #[default]
    Derived,
}

/// A simulation estimate of a mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The sample mean.
    pub mean: f64,
    /// Its standard error.
    pub stderr: f64,
    /// The number of samples (trials, samples or batches).
    pub n: u64,
    /// How it was sampled.
    #[serde(default)]
    pub sampling: Sampling,
}

/// The outcome of comparing an exact value with an estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Consistent (p ≥ [`WARN_P`]).
    Agree,
    /// Passes, but beyond [`WARN_SIGMA`]: `z` is the normal-equivalent score, `p` the p-value.
    Marginal { z: f64, p: f64 },
    /// Fails (p < [`FAIL_P`]).
    Disagree { z: f64, p: f64 },
}

impl Verdict {
    /// True unless the test failed.
    pub fn passes(&self) -> bool {
        !matches!(self, Verdict::Disagree { .. })
    }

    fn from_p(p: f64) -> Verdict {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        if p < FAIL_P {
            Verdict::Disagree { z: z_of_p(p), p }
        } else if p < WARN_P {
            Verdict::Marginal { z: z_of_p(p), p }
        } else {
            Verdict::Agree
        }
    }
}

/// A marginal result, recorded for the long run's warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    /// Normal-equivalent score.
    pub z: f64,
    /// The estimate and the exact value, as text.
    pub what: String,
}

/// What the tests on this thread did since the last [`take_record`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Statistical tests made.
    pub tests: u64,
    /// The marginal ones (at most [`MAX_MARGINAL`] kept).
    pub marginal: Vec<Marginal>,
}

/// Marginal results kept per thread between two [`take_record`] calls.
pub const MAX_MARGINAL: usize = 100;

thread_local! {
    static TESTS: Cell<u64> = const { Cell::new(0) };
    static MARGINAL: RefCell<Vec<Marginal>> = const { RefCell::new(Vec::new()) };
}

/// Returns and resets this thread's count of statistical tests and its marginal results.
pub fn take_record() -> Record {
    Record {
        tests: TESTS.with(|t| t.replace(0)),
        marginal: MARGINAL.with(|m| std::mem::take(&mut *m.borrow_mut())),
    }
}

fn note(v: Verdict, what: impl FnOnce() -> String) -> Verdict {
    TESTS.with(|t| t.set(t.get() + 1));
    if let Verdict::Marginal { z, .. } = v {
        MARGINAL.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() < MAX_MARGINAL {
                m.push(Marginal { z, what: what() });
            }
        });
    }
    v
}

impl Estimate {
    /// The estimate of a probability from `hits` successes in `n` independent trials.
    pub fn from_hits(hits: u64, n: u64) -> Estimate {
        let p = hits as f64 / n.max(1) as f64;
        Estimate {
            mean: p,
            stderr: (p * (1.0 - p) / n.max(1) as f64).sqrt(),
            n,
            sampling: Sampling::Trials { hits },
        }
    }

    /// An estimate computed from others (a ratio, a transform), compared by the normal test; if
    /// its inputs were batch means, pass `batches` so Student's t is used instead.
    pub fn derived(mean: f64, stderr: f64, n: u64, batches: bool) -> Estimate {
        Estimate {
            mean,
            stderr,
            n,
            sampling: if batches {
                Sampling::Batches
            } else {
                Sampling::Derived
            },
        }
    }

    /// The two-sided p-value of `exact` against this estimate (see the module docs), before the
    /// small-count test.
    fn p_main(&self, exact: f64) -> f64 {
        let n = self.n.max(1);
        let exact_match = |d: f64| {
            if d <= 1e-12 * exact.abs().max(1.0) {
                1.0
            } else {
                0.0
            }
        };
        match self.sampling {
            Sampling::Trials { hits } => binomial_two_sided(n, exact, hits),
            Sampling::Samples { whole, .. } => {
                let theta = exact - exact.floor();
                let floor = if whole {
                    (theta * (1.0 - theta) / n as f64).sqrt()
                } else {
                    0.0
                };
                let d = (self.mean - exact).abs();
                if self.stderr >= floor && self.stderr > 0.0 && n > 1 {
                    // An estimated standard error: Student's t, which matters for a few dozen
                    // samples and is the normal test for thousands.
                    t_two_sided(d / self.stderr, (n - 1) as f64)
                } else if floor > 0.0 {
                    // The floor is a known least variance, not an estimate: the normal test.
                    2.0 * normal_sf(d / floor)
                } else {
                    exact_match(d)
                }
            }
            Sampling::Batches => {
                let d = (self.mean - exact).abs();
                if self.stderr > 0.0 && n > 1 {
                    t_two_sided(d / self.stderr, (n - 1) as f64)
                } else {
                    exact_match(d)
                }
            }
            Sampling::Derived => {
                let d = (self.mean - exact).abs();
                if self.stderr > 0.0 {
                    2.0 * normal_sf(d / self.stderr)
                } else {
                    exact_match(d)
                }
            }
        }
    }

    /// Compares `exact` with this estimate, counting the test(s) and recording a marginal result.
    pub fn verdict(&self, exact: f64) -> Verdict {
        let main = note(Verdict::from_p(self.p_main(exact)), || self.versus(exact));
        // The small-count test: too many non-zero samples for a small exact mean.
        if let Sampling::Samples {
            whole: true,
            nonzero: Some(z),
        } = self.sampling
        {
            if (0.0..1.0).contains(&exact) {
                let p = (2.0 * binomial_sf(self.n, exact, z)).min(1.0);
                let small = note(Verdict::from_p(p), || {
                    format!("{} (non-zero samples: {z})", self.versus(exact))
                });
                if !small.passes() {
                    return small;
                }
            }
        }
        main
    }

    /// True when `exact` agrees with this estimate ([`Estimate::verdict`] passes).
    pub fn agrees_with(&self, exact: f64) -> bool {
        self.verdict(exact).passes()
    }

    /// [`Estimate::agrees_with`] as a cross-check result naming `what`.
    pub fn check(&self, what: &str, exact: f64) -> Result<(), crate::family::CheckError> {
        match self.verdict(exact) {
            Verdict::Disagree { z, p } => Err(crate::family::CheckError(format!(
                "{what}: key {exact}, simulation {} (p = {p:.2e}, {z:.1}σ)",
                self.describe(4)
            ))),
            _ => Ok(()),
        }
    }

    /// True unless the estimate is significantly *below* `target` (one-sided, at the same level
    /// as [`Estimate::verdict`]): "the simulation does not refute a rate of at least `target`".
    pub fn not_below(&self, target: f64) -> bool {
        self.one_sided(target, true)
    }

    /// True unless the estimate is significantly *above* `target`.
    pub fn not_above(&self, target: f64) -> bool {
        self.one_sided(target, false)
    }

    fn one_sided(&self, target: f64, below: bool) -> bool {
        let on_the_tested_side = if below {
            self.mean < target
        } else {
            self.mean > target
        };
        let p = if !on_the_tested_side {
            1.0
        } else {
            match self.sampling {
                Sampling::Trials { hits } if below => 2.0 * binomial_cdf(self.n, target, hits),
                Sampling::Trials { hits } => 2.0 * binomial_sf(self.n, target, hits),
                // Other kinds: half the two-sided p of the same distance, doubled.
                _ => self.p_main(target),
            }
        };
        note(Verdict::from_p(p), || {
            format!(
                "{} ({} target)",
                self.versus(target),
                if below { "at least" } else { "at most" }
            )
        })
        .passes()
    }

    fn versus(&self, exact: f64) -> String {
        format!("exact {exact} vs {}", self.describe(4))
    }

    /// "0.4213 ± 0.0021 (n = 20000)", for evidence sections.
    pub fn describe(&self, digits: u32) -> String {
        format!(
            "{} ± {} (n = {}, ± one standard error)",
            crate::answer::fmt_sig(self.mean, digits),
            crate::answer::fmt_sig(self.stderr, 2),
            self.n
        )
    }
}

/// Estimates P(trial) from `n` Bernoulli trials.
pub fn probability(
    n: u64,
    rng: &mut ChaCha8Rng,
    mut trial: impl FnMut(&mut ChaCha8Rng) -> bool,
) -> Estimate {
    let hits = (0..n).filter(|_| trial(rng)).count() as u64;
    Estimate::from_hits(hits, n)
}

/// Estimates E[sample] from `n` independent samples.
pub fn mean(
    n: u64,
    rng: &mut ChaCha8Rng,
    mut sample: impl FnMut(&mut ChaCha8Rng) -> f64,
) -> Estimate {
    of_iter((0..n).map(|_| sample(rng)))
}

/// The mean of `n` independent `samples` (already drawn) with its standard error.
pub fn of_independent(samples: &[f64]) -> Estimate {
    of_iter(samples.iter().copied())
}

/// The mean of batch means of one correlated run, with their standard error (Student's t applies).
pub fn batch_means(batches: &[f64]) -> Estimate {
    Estimate {
        sampling: Sampling::Batches,
        ..of_iter(batches.iter().copied())
    }
}

/// The mean and standard error of a stream of independent samples (Welford's algorithm for the
/// variance), noting whether they were whole numbers and how many were non-zero.
fn of_iter(samples: impl Iterator<Item = f64>) -> Estimate {
    let (mut n, mut m, mut s2) = (0u64, 0.0f64, 0.0f64);
    let (mut whole, mut nonneg, mut nonzero) = (true, true, 0u64);
    for x in samples {
        n += 1;
        let d = x - m;
        m += d / n as f64;
        s2 += d * (x - m);
        whole &= x.fract() == 0.0;
        nonneg &= x >= 0.0;
        nonzero += u64::from(x != 0.0);
    }
    let var = if n > 1 { s2 / (n - 1) as f64 } else { 0.0 };
    Estimate {
        mean: m,
        stderr: (var / n.max(1) as f64).sqrt(),
        n,
        sampling: Sampling::Samples {
            whole,
            nonzero: nonneg.then_some(nonzero),
        },
    }
}

/// An interval that holds the `q`-quantile of the distribution `samples` were drawn from, except
/// with probability at most [`FAIL_P`]: the order statistics X_(lo) and X_(hi) with
/// P(Binomial(n, q) < lo) ≤ FAIL_P/2 and P(Binomial(n, q) ≥ hi) ≤ FAIL_P/2, which holds for any
/// continuous distribution. Sorts `samples`; counts as one test.
pub fn quantile_interval(samples: &mut [f64], q: f64) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as u64;
    if n == 0 {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    // lo: the largest j (1-based) with P(Bin(n, q) ≤ j − 1) ≤ FAIL_P/2.
    let mut lo = (n as f64 * q) as u64;
    while lo > 0 && binomial_cdf(n, q, lo - 1) > FAIL_P / 2.0 {
        lo -= 1;
    }
    // hi: the smallest j with P(Bin(n, q) ≥ j) ≤ FAIL_P/2.
    let mut hi = ((n as f64 * q) as u64).max(1);
    while hi <= n && binomial_sf(n, q, hi) > FAIL_P / 2.0 {
        hi += 1;
    }
    let _ = note(Verdict::Agree, String::new);
    let at = |j: u64| samples[(j.clamp(1, n) - 1) as usize];
    (
        if lo == 0 { f64::NEG_INFINITY } else { at(lo) },
        if hi > n { f64::INFINITY } else { at(hi) },
    )
}

/// A uniform draw in [0, 1).
pub fn unit(rng: &mut ChaCha8Rng) -> f64 {
    rng.random::<f64>()
}

// ---- Distributions: exact tails by the regularized incomplete beta function ----

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients; relative error about 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let a = C[0]
        + C.iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| c / (x + i as f64))
            .sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let fix = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / fix(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..200_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b). Small values (x below the mean) come
/// with full relative precision, which is what tail probabilities need.
pub fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

/// P(X ≥ k) for X ~ Binomial(n, p).
pub fn binomial_sf(n: u64, p: f64, k: u64) -> f64 {
    if k == 0 {
        1.0
    } else if k > n || p <= 0.0 {
        0.0
    } else if p >= 1.0 {
        1.0
    } else {
        inc_beta(k as f64, (n - k + 1) as f64, p)
    }
}

/// P(X ≤ k) for X ~ Binomial(n, p).
pub fn binomial_cdf(n: u64, p: f64, k: u64) -> f64 {
    if k >= n || p <= 0.0 {
        1.0
    } else if p >= 1.0 {
        0.0
    } else {
        inc_beta((n - k) as f64, (k + 1) as f64, 1.0 - p)
    }
}

/// The two-sided exact binomial p-value of `hits` in `n` trials at probability `p`.
fn binomial_two_sided(n: u64, p: f64, hits: u64) -> f64 {
    // An exact probability computed as a sum may land a rounding error outside [0, 1].
    if !(-1e-9..=1.0 + 1e-9).contains(&p) {
        return 0.0;
    }
    let p = p.clamp(0.0, 1.0);
    (2.0 * binomial_cdf(n, p, hits).min(binomial_sf(n, p, hits))).min(1.0)
}

/// erfc(x) for x ≥ 0: the Taylor series of erf below 2, a continued fraction above.
fn erfc(x: f64) -> f64 {
    let sqrt_pi = std::f64::consts::PI.sqrt();
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        let (mut term, mut sum) = (x, x);
        for n in 1..200 {
            term *= -x * x / n as f64;
            let add = term / (2 * n + 1) as f64;
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        1.0 - 2.0 / sqrt_pi * sum
    } else {
        // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards.
        let mut f = x;
        for k in (1..120).rev() {
            f = x + (k as f64 / 2.0) / f;
        }
        (-x * x).exp() / sqrt_pi / f
    }
}

/// P(Z > z) for a standard normal Z.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// P(|T| > t) for Student's t with `dof` degrees of freedom.
pub fn t_two_sided(t: f64, dof: f64) -> f64 {
    inc_beta(dof / 2.0, 0.5, dof / (dof + t * t))
}

/// The t with P(|T| > t) = `p` at `dof` degrees of freedom (bisection).
pub fn t_quantile_two_sided(p: f64, dof: f64) -> f64 {
    bisect_decreasing(|t| t_two_sided(t, dof), p)
}

/// The normal-equivalent score of a two-sided p-value: z with 2·P(Z > z) = p.
pub fn z_of_p(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::INFINITY;
    }
    bisect_decreasing(|z| 2.0 * normal_sf(z), p)
}

/// The x in [0, 1000] where the decreasing `f` crosses `target`.
fn bisect_decreasing(f: impl Fn(f64) -> f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1000.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Exact binomial probabilities by summing the pmf with exact integer binomial coefficients,
    /// a route that shares nothing with the incomplete beta function.
    fn pmf_sum(n: u64, p: f64, ks: impl Iterator<Item = u64>) -> f64 {
        let choose = |k: u64| (0..k).fold(1.0f64, |c, i| c * (n - i) as f64 / (i + 1) as f64);
        ks.map(|k| choose(k) * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32))
            .sum()
    }

    #[test]
    fn an_exact_zero_against_ten_hits_fails() {
        let ten = Estimate::from_hits(10, 10_000);
        assert!(!ten.agrees_with(0.0));
        // … and so does a tiny exact value, where 5σ of the sample would have accepted it.
        assert!(!ten.agrees_with(1e-9));
        assert!(
            10.0 / 10_000.0 <= 5.0 * ten.stderr,
            "the old test would have passed it"
        );
        // The same counts agree with the rate they came from, and a rare event never seen is
        // consistent with a small p but not with a large one.
        assert!(ten.agrees_with(0.001));
        let none = Estimate::from_hits(0, 8_000);
        assert!(none.agrees_with(0.0002));
        assert!(!none.agrees_with(0.01));
        // A probability summed to 1 + 7e-16 is 1 (quorum of 60 replicas), and 1.001 is not one.
        assert!(Estimate::from_hits(30_000, 30_000).agrees_with(1.000_000_000_000_000_7));
        assert!(!Estimate::from_hits(30_000, 30_000).agrees_with(1.001));
        // For means of whole samples ≥ 0: ten non-zero samples refute an exact mean of 0 and of 10⁻⁶.
        let samples: Vec<f64> = (0..10_000)
            .map(|i| if i < 10 { 1.0 } else { 0.0 })
            .collect();
        let e = of_independent(&samples);
        assert!(!e.agrees_with(0.0));
        assert!(!e.agrees_with(1e-6));
        assert!(e.agrees_with(0.001));
    }

    #[test]
    fn zero_sample_variance_is_not_a_disagreement() {
        // 2,000 trials that all saw 0 empty buckets, against an exact 1.4e-6 (m = 10, n = 150).
        let all_zero = of_independent(&vec![0.0; 2_000]);
        assert_eq!(all_zero.stderr, 0.0);
        assert!(all_zero.agrees_with(10.0 * 0.9f64.powi(150)));
        // … and every server loaded: 702 in each of 300 trials, against 701.9999987.
        let all_full = of_independent(&vec![702.0; 300]);
        assert!(all_full.agrees_with(701.999_998_7));
        // The floor is the least variance whole samples can have: it does not accept a mean of 0.05.
        assert!(!all_zero.agrees_with(0.05));
        assert!(!all_full.agrees_with(701.5));
        // Real-valued samples with zero variance agree only with their own value.
        let flat = of_independent(&[0.5; 100]);
        assert!(flat.agrees_with(0.5) && !flat.agrees_with(0.500_001));
    }

    #[test]
    fn batch_means_use_student_t() {
        // 40 batches: t = 6.5 is beyond K_SIGMA for a normal (p ≈ 8.0e-11) but within the level for
        // Student's t at 39 degrees of freedom (p ≈ 1.05e-7, mpmath), so the normal test would
        // fail a correct key that the t test passes.
        assert!(Estimate::derived(6.5, 1.0, 40, true).agrees_with(0.0));
        assert!(!Estimate::derived(6.5, 1.0, 40, false).agrees_with(0.0));
        assert!((t_two_sided(6.5, 39.0) / 1.048_389_396_6e-7 - 1.0).abs() < 1e-6);
        // The t point at the failure level, 39 dof: 7.7619 (mpmath's findroot on betainc).
        assert!((t_quantile_two_sided(FAIL_P, 39.0) - 7.761_895_896).abs() < 1e-6);
        assert!(!Estimate::derived(7.8, 1.0, 40, true).agrees_with(0.0));
    }

    #[test]
    fn the_levels_are_the_stated_normal_tails() {
        // 2·Φ(−6) and 2·Φ(−5), from tables of the normal distribution.
        assert!((2.0 * normal_sf(K_SIGMA) / FAIL_P - 1.0).abs() < 1e-9);
        assert!((2.0 * normal_sf(WARN_SIGMA) / WARN_P - 1.0).abs() < 1e-9);
        assert!((FAIL_P - 1.973e-9).abs() < 1e-12 && (WARN_P - 5.733e-7).abs() < 1e-10);
        assert!((z_of_p(FAIL_P) - K_SIGMA).abs() < 1e-9);
        // Φ(−1.96) ≈ 0.025; erfc(1) and erfc(3) from Abramowitz & Stegun, table 7.1.
        assert!((normal_sf(1.959_963_984_540_054) - 0.025).abs() < 1e-12);
        assert!((erfc(1.0) - 0.157_299_207_050_285_1).abs() < 1e-14);
        assert!((erfc(3.0) / 2.209_049_699_858_544e-5 - 1.0).abs() < 1e-10);
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 5% points of Student's t (any statistics table): 10 dof 2.228, 39 dof 2.023.
        assert!((t_quantile_two_sided(0.05, 10.0) - 2.228_138_85).abs() < 1e-6);
        assert!((t_quantile_two_sided(0.05, 39.0) - 2.022_690_9).abs() < 1e-6);
        // 1 dof is the Cauchy distribution: P(|T| > t) = 1 − 2·atan(t)/π.
        for t in [0.5, 3.0, 100.0] {
            let cauchy = 1.0 - 2.0 * f64::atan(t) / std::f64::consts::PI;
            assert!((t_two_sided(t, 1.0) / cauchy - 1.0).abs() < 1e-10);
        }
    }

    #[test]
    fn binomial_tails_match_summed_pmfs() {
        for (n, p, k) in [
            (10u64, 0.5, 8u64),
            (20, 0.3, 2),
            (200, 0.01, 7),
            (1_000, 0.2, 150),
            (60, 0.9, 59),
        ] {
            let sf = pmf_sum(n, p, k..=n);
            let cdf = pmf_sum(n, p, 0..=k);
            assert!(
                (binomial_sf(n, p, k) / sf - 1.0).abs() < 1e-9,
                "{n} {p} {k}: {} vs {sf}",
                binomial_sf(n, p, k)
            );
            assert!(
                (binomial_cdf(n, p, k) / cdf - 1.0).abs() < 1e-9,
                "{n} {p} {k}"
            );
        }
        assert!((binomial_sf(10, 0.5, 8) - 56.0 / 1024.0).abs() < 1e-15);
        // ln Γ(n) = ln (n − 1)!.
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn quantile_intervals_cover_and_are_tight() {
        // 200,000 uniform draws: the 97.5% quantile is 0.975, held within ±6 of its standard
        // errors, √(0.975 · 0.025/200,000) = 3.5e-4 each.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut u: Vec<f64> = (0..200_000).map(|_| rng.random::<f64>()).collect();
        let (lo, hi) = quantile_interval(&mut u, 0.975);
        assert!(lo < 0.975 && 0.975 < hi && hi - lo < 0.005, "{lo} {hi}");
    }

    #[test]
    fn estimates_a_known_probability_and_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let e = probability(40_000, &mut rng, |r| r.random::<f64>() < 0.3);
        assert!(e.agrees_with(0.3), "{e:?}");
        assert!(!e.agrees_with(0.33), "a 10% error must be caught: {e:?}");
        let e = mean(40_000, &mut rng, |r| r.random_range(1..=6) as f64);
        assert!(e.agrees_with(3.5), "{e:?}");
        assert!(!e.agrees_with(3.7), "{e:?}");
    }

    #[test]
    fn one_sided_checks_and_the_record() {
        let _ = take_record();
        let e = Estimate::from_hits(9_400, 10_000);
        assert!(e.not_below(0.95) && e.not_above(0.95));
        assert!(!Estimate::from_hits(9_000, 10_000).not_below(0.95));
        assert!(!Estimate::from_hits(9_900, 10_000).not_above(0.95));
        // 9,400 of 10,000 against 0.95 is 4.6σ: not marginal; 9,375 is 5.7σ: marginal.
        let r = take_record();
        assert_eq!((r.tests, r.marginal.len()), (4, 0));
        assert!(Estimate::from_hits(9_375, 10_000).agrees_with(0.95));
        let r = take_record();
        assert_eq!((r.tests, r.marginal.len()), (1, 1), "{r:?}");
        assert!(r.marginal[0].z > 5.0 && r.marginal[0].z < 6.0);
    }
}
