//! Monte Carlo estimates with standard errors, and the agreement test the cross-checks use.
//!
//! Cross-checks compare an exact key with a simulation: they agree when the key lies within
//! [`K_SIGMA`] standard errors of the estimate. With k = 5 a correct key fails with probability
//! about 5.7e-7 per check (two-sided normal tail), so 200 seeds × 3 difficulties × every family
//! (a few thousand checks) flakes with probability under 0.2%, while a wrong formula (off by more
//! than a few percent) is caught at the sample sizes used.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Standard errors within which an exact value and an estimate must agree (see the module docs).
pub const K_SIGMA: f64 = 5.0;

/// A simulation estimate of a mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The sample mean.
    pub mean: f64,
    /// Its standard error.
    pub stderr: f64,
    /// The number of samples.
    pub n: u64,
}

impl Estimate {
    /// True when `exact` lies within [`K_SIGMA`] standard errors (plus `floor`, an absolute slack for
    /// the case of zero sample variance) of the estimate.
    pub fn agrees_with(&self, exact: f64, floor: f64) -> bool {
        (self.mean - exact).abs() <= K_SIGMA * self.stderr + floor
    }

    /// For a probability estimate: true when `exact` lies within [`K_SIGMA`] standard errors, where
    /// the standard error is the larger of the sample's and the one `exact` itself implies,
    /// sqrt(p(1 − p)/n). The second matters for rare events: a run that saw no collision at all
    /// has a sample standard error of zero, yet is perfectly consistent with p = 0.0002.
    pub fn agrees_with_probability(&self, exact: f64) -> bool {
        let implied = (exact * (1.0 - exact) / self.n.max(1) as f64).sqrt();
        (self.mean - exact).abs() <= K_SIGMA * self.stderr.max(implied) + 1e-12
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
    let hits = (0..n).filter(|_| trial(rng)).count() as f64;
    let p = hits / n as f64;
    Estimate {
        mean: p,
        stderr: (p * (1.0 - p) / n as f64).sqrt(),
        n,
    }
}

/// Estimates E[sample] from `n` samples.
pub fn mean(
    n: u64,
    rng: &mut ChaCha8Rng,
    mut sample: impl FnMut(&mut ChaCha8Rng) -> f64,
) -> Estimate {
    of_iter((0..n).map(|_| sample(rng)))
}

/// The mean of `samples` with its standard error (for batch means, which are close to independent
/// even when the raw samples are not).
pub fn of_samples(samples: &[f64]) -> Estimate {
    of_iter(samples.iter().copied())
}

/// The mean and standard error of a stream of samples (Welford's algorithm for the variance).
fn of_iter(samples: impl Iterator<Item = f64>) -> Estimate {
    let (mut n, mut m, mut s2) = (0u64, 0.0f64, 0.0f64);
    for x in samples {
        n += 1;
        let d = x - m;
        m += d / n as f64;
        s2 += d * (x - m);
    }
    let var = if n > 1 { s2 / (n - 1) as f64 } else { 0.0 };
    Estimate {
        mean: m,
        stderr: (var / n.max(1) as f64).sqrt(),
        n,
    }
}

/// A uniform draw in [0, 1).
pub fn unit(rng: &mut ChaCha8Rng) -> f64 {
    rng.random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn estimates_a_known_probability() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let e = probability(40_000, &mut rng, |r| r.random::<f64>() < 0.3);
        assert!(e.agrees_with(0.3, 0.0), "{e:?}");
        assert!(
            !e.agrees_with(0.33, 0.0),
            "a 10% error must be caught: {e:?}"
        );
        // A rare event never seen: consistent with a small p, not with a large one.
        let none = probability(8_000, &mut rng, |_| false);
        assert!(none.agrees_with_probability(0.0002));
        assert!(!none.agrees_with_probability(0.01));
    }

    #[test]
    fn estimates_a_known_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let e = mean(40_000, &mut rng, |r| r.random_range(1..=6) as f64);
        assert!(e.agrees_with(3.5, 0.0), "{e:?}");
        assert!(!e.agrees_with(3.7, 0.0), "{e:?}");
    }
}
