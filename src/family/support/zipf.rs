//! Zipf popularity: the request shares p_1 ≥ p_2 ≥ … ≥ p_N with p_i ∝ 1/i^s, used by the families
//! that model skewed traffic (`optimization.zipf_cache`, `hashing.partition_skew`). Requests
//! themselves are drawn with `rand_distr::Zipf`; these are the exact shares the keys are computed
//! from.

/// The shares p_1 … p_N of Zipf(N, s), summing to 1.
pub fn shares(n: u64, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|i| (i as f64).powf(-s)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_follow_the_harmonic_weights() {
        // s = 1, N = 4: weights 1, 1/2, 1/3, 1/4 sum to 25/12.
        let p = shares(4, 1.0);
        assert!((p[0] - 12.0 / 25.0).abs() < 1e-12 && (p[3] - 3.0 / 25.0).abs() < 1e-12);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
