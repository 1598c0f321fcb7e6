//! `hashing.truncation`: abbreviated digests, as with short git commit ids. How many hex digits
//! keep the chance of any ambiguity among N objects below p?
//!
//! **Asked**: the shortest prefix length L (hex digits) with P(some two of N objects share their
//! first L hex digits) < p.
//!
//! **Parameters.** `objects` N: easy 100–2000, medium 1000–100000, hard 10^5–10^7 (log-uniform);
//! `target` p: 1%, 0.1%, 1e-4 (easy, medium, hard draw from those).
//!
//! **Key.** The exact birthday probability 1 − Π_{i<N}(1 − i/16^L), computed in log space with
//! `ln_1p` (stable for tiny i/16^L), stepped over L.
//!
//! **Second route.** The closed-form bounds 1 − e^{−N(N−1)/2M} ≤ P ≤ N(N−1)/2M (M = 16^L) must
//! prove P(L) < p ≤ P(L − 1); the generator re-draws N until they do, so no answer sits on a
//! knife edge. And a small-scale simulation on real SHA-256 prefixes: N' = 2·16^{L'/2} objects
//! at L' = 3 hex digits, whose collision rate must match the exact formula.
//!
//! **Pitfalls**: L from N/16^L < p (linear, not quadratic); 2^L instead of 16^L (a hex digit is 4
//! bits).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The family.
pub struct Truncation;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "objects",
        help: "objects N",
        kind: ParamKind::Int { min: 2, max: 1_000_000_000, draw: [(100, 2000), (1000, 100_000), (100_000, 10_000_000)] },
    },
    ParamSpec {
        key: "target",
        help: "largest acceptable probability of any ambiguity",
        kind: ParamKind::Choice { options: &["0.01", "0.001", "0.0001"], draw: [&["0.01"], &["0.01", "0.001"], &["0.001", "0.0001"]] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    n: u64,
    p: f64,
}

/// P(any two of n share an L-hex-digit prefix), exactly (log space).
///
/// Up to 5,000 objects the product is summed term by term. Beyond that, n/M < 0.016 whenever the
/// answer is not 1 to double precision, and ln Π(1 − i/M) = −Σ_k S_k/(k·M^k) with the power sums
/// S_k = Σ_{i<n} i^k in closed form; four terms leave a relative error below (n/M)⁴ < 10^-7.
pub fn p_collide(n: u64, l: u32) -> f64 {
    let m = 16f64.powi(l as i32);
    let nf = n as f64;
    if nf > m {
        return 1.0;
    }
    let pairs = nf * (nf - 1.0) / 2.0 / m;
    if pairs > 40.0 {
        return 1.0; // P ≥ 1 − e^(−40): 1 in double precision.
    }
    let log_none: f64 = if n <= 5_000 {
        (1..n).map(|i| (-(i as f64) / m).ln_1p()).sum()
    } else {
        let s1 = nf * (nf - 1.0) / 2.0;
        let s2 = (nf - 1.0) * nf * (2.0 * nf - 1.0) / 6.0;
        let s3 = s1 * s1;
        let s4 = (nf - 1.0) * nf * (2.0 * nf - 1.0) * (3.0 * nf * nf - 3.0 * nf - 1.0) / 30.0;
        -(s1 / m + s2 / (2.0 * m * m) + s3 / (3.0 * m.powi(3)) + s4 / (4.0 * m.powi(4)))
    };
    -log_none.exp_m1()
}

/// Shortest L with P < p.
pub fn shortest(n: u64, p: f64) -> u32 {
    (1..=64).find(|&l| p_collide(n, l) < p).unwrap_or(64)
}

fn bounds(n: u64, l: u32) -> (f64, f64) {
    let pairs = n as f64 * (n as f64 - 1.0) / 2.0 / 16f64.powi(l as i32);
    (-(-pairs).exp_m1(), pairs)
}

/// Real SHA-256 prefixes at 3 hex digits: trials of `k` objects, any repeated prefix?
fn small_scale(k: u64, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    let mut seen = vec![0u32; 4096];
    let mut epoch = 0u32;
    mc::probability(600, rng, |g| {
        epoch += 1;
        let salt: u64 = g.random();
        (0..k).any(|i| {
            let mut msg = [0u8; 16];
            msg[..8].copy_from_slice(&salt.to_le_bytes());
            msg[8..].copy_from_slice(&i.to_le_bytes());
            let d = Sha256::digest(msg);
            let prefix = ((d[0] as usize) << 4) | (d[1] as usize >> 4);
            let hit = seen[prefix] == epoch;
            seen[prefix] = epoch;
            hit
        })
    })
}

impl Family for Truncation {
    fn id(&self) -> &'static str {
        "hashing.truncation"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "How many hex digits make an unambiguous short id?"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let mut n = cx.int("objects") as u64;
        let p: f64 = cx.pick("target").parse().unwrap_or(0.01);
        // Re-draw N (unless pinned) until the bounds settle the answer.
        let decided = |n: u64| {
            let l = shortest(n, p);
            l > 1 && bounds(n, l).1 < p && bounds(n, l - 1).0 >= p
        };
        let mut tries = 0;
        while !decided(n) && !cx.is_pinned("objects") && tries < 40 {
            let (lo, hi) = [(100u64, 2000u64), (1000, 100_000), (100_000, 10_000_000)][cx.difficulty().index()];
            n = cx.rng().random_range(lo..=hi);
            tries += 1;
        }
        let l = shortest(n, p);
        let (before, at) = (p_collide(n, l - 1), p_collide(n, l));
        let prompt = Content::new()
            .p(format!(
                "A repository refers to its **{n}** objects by abbreviated SHA-256 ids: the first L hex digits of each digest (as `git log --oneline` does). Treat the digests as uniformly random."
            ))
            .p(format!(
                "What is the smallest L for which the probability that *any* two objects share the same abbreviated id stays below **{}**?",
                crate::answer::trim_float(p)
            ));
        let solution = Content::new()
            .p(format!(
                "With M = 16^L possible prefixes (4 bits per hex digit), P(any clash) = 1 − Π_(i<N) (1 − i/M) ≈ 1 − e^(−N(N−1)/2M): it grows with the number of pairs, N²/2 ≈ {}.",
                fmt_sig(n as f64 * (n as f64 - 1.0) / 2.0, 3)
            ))
            .p(format!(
                "L = {}: P = {}; L = {l}: P = {}. So **L = {l}**.",
                l - 1,
                fmt_sig(before, 3),
                fmt_sig(at, 3)
            ))
            .p(format!(
                "Sizing by N/M < p (one object against the rest) gives L = {}, too short: every pair can clash.",
                (1..=64).find(|&x| (n as f64) / 16f64.powi(x) < p).unwrap_or(64)
            ));
        let est = small_scale(91, &mut cx.sim_rng("mc"));
        let evidence = Content::new()
            .p(format!(
                "Bounds: at L = {} the lower bound 1 − e^(−N(N−1)/2M) = {} ≥ {}, at L = {l} the union bound N(N−1)/2M = {} < {}.",
                l - 1,
                fmt_sig(bounds(n, l - 1).0, 3),
                crate::answer::trim_float(p),
                fmt_sig(bounds(n, l).1, 3),
                crate::answer::trim_float(p)
            ))
            .p(format!(
                "Small-scale check on real SHA-256 prefixes: 91 objects at 3 hex digits clash in {} of trials; the formula gives {}.",
                est.describe(3),
                fmt_sig(p_collide(91, 3), 3)
            ));
        Ok(Question::new(prompt, vec![AnswerSlot::new("hex digits L", Expected::Integer { value: l as i64 })], solution, evidence)
            .with_scenario(&Scenario { n, p }))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        let l = *value as u32;
        let (_, upper) = bounds(s.n, l);
        let (lower_prev, _) = bounds(s.n, l - 1);
        // Pinned N may sit where the bounds cannot decide; then only the exact route is checked.
        let decided = upper < s.p && lower_prev >= s.p;
        if decided || (p_collide(s.n, l) < s.p && p_collide(s.n, l - 1) >= s.p) {
            if !decided && (upper < s.p || lower_prev >= s.p) {
                return Err(CheckError("bounds contradict the key".into()));
            }
        } else {
            return Err(CheckError(format!("L = {l} is not the threshold for N = {}", s.n)));
        }
        let est = small_scale(91, &mut cx.sim_rng("check"));
        if !est.agrees_with(p_collide(91, 3)) {
            return Err(CheckError(format!("real SHA-256 prefixes {} vs formula {}", est.describe(3), p_collide(91, 3))));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Truncation, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // 23 people, 365 days is the classic 0.507; here 2 objects, 1 hex digit: 1/16.
        assert!((p_collide(2, 1) - 1.0 / 16.0).abs() < 1e-15);
        // 77,163 objects give 50% at 32 bits (8 hex digits): the classic 2^32 birthday figure.
        assert!((p_collide(77_163, 8) - 0.5).abs() < 1e-3);
    }

    #[test]
    fn the_series_matches_the_product() {
        for (n, l) in [(5_001u64, 6u32), (20_001, 8), (100_000, 11), (99_999, 10)] {
            let m = 16f64.powi(l as i32);
            let direct: f64 = (1..n).map(|i| (-(i as f64) / m).ln_1p()).sum();
            let nf = n as f64;
            let s1 = nf * (nf - 1.0) / 2.0;
            let s2 = (nf - 1.0) * nf * (2.0 * nf - 1.0) / 6.0;
            let s4 = (nf - 1.0) * nf * (2.0 * nf - 1.0) * (3.0 * nf * nf - 3.0 * nf - 1.0) / 30.0;
            let series = -(s1 / m + s2 / (2.0 * m * m) + s1 * s1 / (3.0 * m.powi(3)) + s4 / (4.0 * m.powi(4)));
            assert!((direct - series).abs() <= 1e-8 * direct.abs(), "{n} {l}: {direct} {series}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Truncation, &["objects=77163".into(), "target=0.01".into()]).unwrap();
        let q = generate(&Truncation, 1, Difficulty::Easy, &pins).unwrap();
        // 8 digits give 0.5, so more are needed; 10 digits: N²/2M = 0.0027 < 0.01, 9: 0.043.
        assert_eq!(q.slots[0].expected.reference(), "10");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Truncation, &["objects=5000".into(), "target=0.001".into()]).unwrap();
        let mut q = generate(&Truncation, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Truncation, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value - 1 };
        assert!(crate::family::cross_check(&Truncation, &q).is_err());
    }
}
