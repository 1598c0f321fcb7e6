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
//! prove P(L) < p ≤ P(L − 1); the generator re-draws N until they do, so no drawn answer sits on
//! a knife edge. A pinned N can sit between the bounds (580 objects at 1%: P(6) = 0.00996 while
//! the union bound says 0.01001); there the Euler–Maclaurin formula for Σ_{i<N} ln(1 − i/M),
//! −M·Σ_{k≥2} u^k/(k(k − 1)) − ½·ln(1 − u) + (1/M − 1/(M − N))/12 with u = N/M (an integral, not
//! the key's product or power sums), must decide the same L. And a small-scale simulation on real
//! SHA-256 prefixes: 91 objects at 3 hex digits, whose clash count must pass the exact binomial
//! test against the formula. That simulation is the one the evidence shows: it runs once, in
//! `generate`, from its own RNG stream, and its estimate travels in the scenario for `cross_check`.
//!
//! **Pitfalls**: L from N/16^L < p (linear, not quadratic); 2^L instead of 16^L (a hex digit is 4
//! bits).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use super::birthday::group;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, ParamValue,
    Question, Topic,
};
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
    /// The evidence's clash rate among 91 real SHA-256 prefixes, which the cross-check tests.
    small: mc::Estimate,
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

/// P(any two of n share an L-hex-digit prefix) by the Euler–Maclaurin formula (the second route;
/// see the module docs). Accurate to far below 1e-9 when n ≪ M, where every undecided case is.
fn p_by_integral(n: u64, l: u32) -> f64 {
    let m = 16f64.powi(l as i32);
    let nf = n as f64;
    if nf >= m {
        return 1.0;
    }
    let u = nf / m;
    // (1 − u)·ln(1 − u) + u = Σ_{k≥2} u^k/(k(k − 1)), summed without cancellation.
    let (mut g, mut term, mut k) = (0.0f64, u, 1.0f64);
    loop {
        term *= u;
        k += 1.0;
        let add = term / (k * (k - 1.0));
        g += add;
        if add <= 1e-18 * g || k > 10_000.0 {
            break;
        }
    }
    let f3 = |x: f64| -2.0 / (m - x).powi(3);
    let log_none = -m * g - 0.5 * (-u).ln_1p() + (1.0 / m - 1.0 / (m - nf)) / 12.0 - (f3(nf) - f3(0.0)) / 720.0;
    -log_none.exp_m1()
}

/// The shortest L by hand: the exponential approximation 1 − e^(−N(N−1)/2M) < p, solved for L.
fn hand_shortest(n: u64, p: f64) -> u32 {
    (1..=64).find(|&l| bounds(n, l).0 < p).unwrap_or(64)
}

/// The most objects whose exact clash probability stays below `p` at `l` hex digits.
fn capacity(l: u32, p: f64) -> u64 {
    let (mut lo, mut hi) = (1u64, 1u64 << 40);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if p_collide(mid, l) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
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
        2
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
    fn asks(&self) -> &'static [Ask] {
        // The same skill as `hashing.birthday` (the birthday bound): one tag, so a pack never
        // puts both on one paper while other families remain.
        static ASKS: &[Ask] = &[Ask::new("", [3, 4, 5], &["birthday-bound"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "shortest hex prefix keeping P(any ambiguity) below p",
            key: "exact birthday product (series beyond 5,000 objects)",
            second_route: "closed-form bounds that must decide it; real SHA-256 prefixes at small scale",
        }
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
        // The question uses the redrawn N: record what it shows.
        cx.adjusted("objects", ParamValue::Int(n as i64));
        let hand = hand_shortest(n, p);
        let grown = shortest(n * 10, p);
        let room = capacity(shortest(n, p), p);
        let l = shortest(n, p);
        let (before, at) = (p_collide(n, l - 1), p_collide(n, l));
        let prompt = Content::new()
            .p(format!(
                "A repository refers to its **{}** objects by abbreviated SHA-256 ids: the first L hex digits of each digest (as `git log --oneline` does). Treat the digests as uniformly random.",
                group(n)
            ))
            .p(format!(
                "What is the smallest L for which the probability that *any* two objects share the same abbreviated id stays below **{}**?",
                crate::answer::trim_float(p)
            ));
        let solution = Content::new()
            .p(format!(
                "With $M = 16^L$ possible prefixes (4 bits per hex digit) and $N = {}$ objects, P(any clash) $= 1 - product_(i<N) (1 - i/M) approx 1 - e^(-N(N-1)/(2M))$: it grows with the number of pairs, $N(N-1)/2 approx {}$.",
                group(n),
                fmt_sig(n as f64 * (n as f64 - 1.0) / 2.0, 3)
            ))
            .p(format!(
                "L = {}: P = {}; L = {l}: P = {}. So **L = {l}**.",
                l - 1,
                fmt_sig(before, 3),
                fmt_sig(at, 3)
            ))
            .p(format!(
                "Sizing by $N/M < p$ (one object against the rest) gives L = {}, too short: every pair can clash.",
                (1..=64).find(|&x| (n as f64) / 16f64.powi(x) < p).unwrap_or(64)
            ));
        let est = small_scale(91, &mut cx.sim_rng("mc"));
        let evidence = Content::new()
            .p(format!(
                "Bounds: at L = {} the lower bound $1 - e^(-N(N-1)/(2M)) = {} >= {}$, at L = {l} the union bound $N(N-1)/(2M) = {} < {}$.",
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
        let slot = AnswerSlot::new("hex digits L", Expected::Integer { value: l as i64 }).by_hand(
            "exponential approximation $1 - e^(-N(N-1)/(2 dot 16^L)) < p$, solved for the smallest $L$",
            hand as f64,
        );
        let ps = crate::answer::trim_float(p);
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { n, p, small: est })
            .followup(
                FollowUp::new(
                    format!("The repository grows tenfold, to {} objects. How many hex digits now?", group(n * 10)),
                    format!(
                        "L = {grown}: ten times the objects is a hundred times the pairs, and each hex digit buys a factor 16{}.",
                        if grown == l { format!(", so {l} digits still suffice") } else { String::new() }
                    ),
                )
                .point("pairs grow as $N^2$: a tenfold repository needs about $log_16 100 approx 1.7$ more digits"),
            )
            .followup(
                FollowUp::new(
                    format!("With L = {l}, how many objects can the repository hold before the probability reaches {ps}?"),
                    format!("{} objects (exact product), {} times today's count.", group(room), fmt_sig(room as f64 / n as f64, 2)),
                )
                .point("git lengthens abbreviations automatically once they become ambiguous: detect, then extend"),
            ))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        let l = *value as u32;
        if l < 1 {
            return Err(CheckError(format!("L = {l} is not a prefix length")));
        }
        let (_, upper) = bounds(s.n, l);
        let (lower_prev, _) = bounds(s.n, l - 1);
        // A pinned N may sit where the bounds cannot decide; then Euler–Maclaurin decides.
        let decided = upper < s.p && lower_prev >= s.p;
        if !decided {
            let (at, before) = (p_by_integral(s.n, l), if l > 1 { p_by_integral(s.n, l - 1) } else { 1.0 });
            if !(at < s.p && before >= s.p) {
                return Err(CheckError(format!("L = {l} is not the threshold for N = {}: by Euler–Maclaurin P(L) = {at}, P(L − 1) = {before}", s.n)));
            }
        }
        s.small.check("clashes among 91 real SHA-256 prefixes of 3 hex digits", p_by_integral(91, 3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn a_redrawn_object_count_is_what_the_question_records() {
        // The generator redraws N until the bounds decide L; params must report the N it shows.
        for seed in 0..12 {
            let q = generate(&Truncation, seed, Difficulty::Medium, &crate::family::Pins::new()).unwrap();
            let s: Scenario = q.scenario().unwrap();
            assert_eq!(q.params["objects"], ParamValue::Int(s.n as i64), "seed {seed}");
        }
    }

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
    fn a_pin_between_the_bounds_cross_checks() {
        // 580 objects at 1%: P(6) = 0.009958 < 0.01, but the union bound says 0.010008, so the
        // bounds cannot decide. The old check then called the key's own formula and, worse,
        // failed because the lower bound at L = 5 is above p (as it must be).
        let pins = parse_pins(&Truncation, &["objects=580".into(), "target=0.01".into()]).unwrap();
        let mut q = generate(&Truncation, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "6");
        crate::family::cross_check(&Truncation, &q).unwrap();
        for wrong in [5, 7] {
            q.slots[0].expected = Expected::Integer { value: wrong };
            assert!(crate::family::cross_check(&Truncation, &q).is_err(), "{wrong}");
        }
    }

    #[test]
    fn euler_maclaurin_matches_the_exact_product() {
        // The second route against the key's product, wherever n ≤ M/64.
        for (n, l) in [(2u64, 2u32), (91, 3), (580, 6), (580, 5), (5_000, 8), (4_999, 7), (77_163, 8), (1_000_000, 12)] {
            if (n as f64) > 16f64.powi(l as i32) / 64.0 {
                continue;
            }
            let (a, b) = (p_collide(n, l), p_by_integral(n, l));
            assert!((a - b).abs() <= 1e-9 * a, "{n} {l}: {a} vs {b}");
        }
        // By hand: 2 objects, 2 digits: exactly 1/256.
        assert!((p_by_integral(2, 2) - 1.0 / 256.0).abs() < 1e-12);
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
