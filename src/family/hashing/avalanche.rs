//! `hashing.avalanche`: flip one bit of a SHA-256 input; how many of the 256 output bits change?
//!
//! **Asked** (`ask`):
//! - `mean`: the expected number of changed output bits — asked with the standard deviation as a
//!   second part (both computed from the Binomial(256, ½) distribution, 128 and 8);
//! - `tail`: P(more than t bits change) for an ideal hash, the Binomial(256, ½) tail.
//!
//! **Parameters.** `threshold` t (tail only): easy 136–144, medium 140–152, hard 144–160.
//!
//! **Key.** The Binomial(256, ½) distribution, its probabilities built with the multiplicative
//! recurrence C(256, i + 1) = C(256, i)·(256 − i)/(i + 1) in f64 (C(256, i) < 2^256 fits
//! comfortably): the mean Σ i·P(i), the standard deviation from Σ (i − mean)²·P(i), and the tail
//! Σ_{i>t} P(i). Nothing is typed in: 128 and 8 come out of the sums.
//!
//! **Evidence.** A real input and its one-bit-flipped twin, both digests, and their Hamming
//! distance.
//!
//! **Second route.** (1) Exact integers: Pascal's rule builds row 256 of the triangle in
//! multi-word integers (additions only, no division, no floating point), and Σ i·C, Σ i²·C and
//! Σ_{i>t} C over 2^256 must give the key's mean, variance and tail to 1e-12. (2) Real SHA-256:
//! 6,000 random 32-byte messages and their one-bit-flipped twins; the observed mean and variance
//! of the changed bits must agree with the key (`mc` normal tests), and so must the share beyond
//! t (the exact binomial test, which has power even when the tail holds a handful of pairs; where
//! the tail is far too rare to be seen, part (1) is the check).
//!
//! **Pitfalls**: "one input bit changes one output bit"; "all bits flip"; confusing the standard
//! deviation 8 with the variance 64.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The family.
pub struct Avalanche;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "mean: expected changed bits and their standard deviation; tail: P(more than t bits change)",
        kind: ParamKind::Choice { options: &["mean", "tail"], draw: [&["mean"], &["mean", "tail"], &["tail"]] },
    },
    ParamSpec {
        key: "threshold",
        help: "t for the tail question",
        kind: ParamKind::Int { min: 0, max: 255, draw: [(136, 144), (140, 152), (144, 160)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    t: u32,
}

/// P(Binomial(256, ½) = i) for i = 0..=256, by the multiplicative recurrence (the key's route).
fn pmf() -> Vec<f64> {
    let mut c = 1.0f64; // C(256, 0)
    let mut out = Vec::with_capacity(257);
    for i in 0..=256u32 {
        out.push(c / 2f64.powi(256));
        c = c * (256 - i) as f64 / (i + 1) as f64;
    }
    out
}

/// The mean and standard deviation of the changed bits, from the distribution.
fn mean_sd() -> (f64, f64) {
    let p = pmf();
    let mean: f64 = p.iter().enumerate().map(|(i, q)| i as f64 * q).sum();
    let var: f64 = p.iter().enumerate().map(|(i, q)| (i as f64 - mean).powi(2) * q).sum();
    (mean, var.sqrt())
}

/// P(Binomial(256, ½) > t).
pub fn tail(t: u32) -> f64 {
    pmf().iter().skip(t as usize + 1).sum()
}

/// Unsigned integers of five 64-bit words (little-endian), enough for C(256, i)·256² < 2^273:
/// the second route's exact arithmetic.
#[derive(Clone, Copy, Default)]
struct Wide([u64; 5]);

impl Wide {
    fn add(self, o: Wide) -> Wide {
        let mut out = [0u64; 5];
        let mut carry = 0u128;
        for (i, w) in out.iter_mut().enumerate() {
            let s = self.0[i] as u128 + o.0[i] as u128 + carry;
            *w = s as u64;
            carry = s >> 64;
        }
        Wide(out)
    }
    fn mul(self, k: u64) -> Wide {
        let mut out = [0u64; 5];
        let mut carry = 0u128;
        for (i, w) in out.iter_mut().enumerate() {
            let s = self.0[i] as u128 * k as u128 + carry;
            *w = s as u64;
            carry = s >> 64;
        }
        Wide(out)
    }
    /// The value divided by 2^256, as f64.
    fn over_2_256(self) -> f64 {
        self.0.iter().enumerate().map(|(i, w)| *w as f64 * 2f64.powi(64 * i as i32 - 256)).sum()
    }
}

/// Row 256 of Pascal's triangle, by additions only.
fn pascal_256() -> Vec<Wide> {
    let mut row = vec![Wide([1, 0, 0, 0, 0])];
    for _ in 0..256 {
        let mut next = vec![Wide([1, 0, 0, 0, 0])];
        next.extend(row.windows(2).map(|w| w[0].add(w[1])));
        next.push(Wide([1, 0, 0, 0, 0]));
        row = next;
    }
    row
}

/// The second route's exact figures: (mean, variance, P(X > t)).
fn exact_by_integers(t: u32) -> (f64, f64, f64) {
    let row = pascal_256();
    let sum = |f: &dyn Fn(u64, Wide) -> Wide| row.iter().enumerate().fold(Wide::default(), |a, (i, c)| a.add(f(i as u64, *c)));
    let mean = sum(&|i, c| c.mul(i)).over_2_256();
    let second = sum(&|i, c| c.mul(i * i)).over_2_256();
    let tail = sum(&|i, c| if i > t as u64 { c } else { Wide::default() }).over_2_256();
    (mean, second - mean * mean, tail)
}

fn hamming(a: &[u8], b: &[u8]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Changed output bits for one random 32-byte input with one random bit flipped.
fn one_pair(g: &mut rand_chacha::ChaCha8Rng) -> u32 {
    let mut msg = [0u8; 32];
    g.fill(&mut msg);
    let a = Sha256::digest(msg);
    let bit = g.random_range(0..256);
    msg[bit / 8] ^= 1 << (bit % 8);
    hamming(&a, &Sha256::digest(msg))
}

impl Family for Avalanche {
    fn id(&self) -> &'static str {
        "hashing.avalanche"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "The avalanche effect in SHA-256"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let t = cx.int("threshold") as u32;
        if ask == "mean" {
            cx.unused("threshold");
        }
        let id: u32 = cx.rng().random_range(1000..10000);
        let input = format!("order-{id}");
        let mut twin = input.clone().into_bytes();
        let last = twin.len() - 1;
        twin[last] ^= 1;
        let twin = String::from_utf8(twin).unwrap_or_default();
        let (da, db) = (Sha256::digest(input.as_bytes()), Sha256::digest(twin.as_bytes()));
        let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let dist = hamming(&da, &db);
        let evidence = Content::new()
            .p(format!("Real digests: `{input}` and `{twin}` differ in one bit (the lowest bit of the last character)."))
            .code("text", format!("SHA-256(\"{input}\") = {}\nSHA-256(\"{twin}\") = {}\nHamming distance   = {dist} of 256 bits", hex(&da), hex(&db)));
        let prompt = Content::new().p(
            "Model SHA-256 as an ideal hash: after any change to the input, each of the 256 output bits flips independently with probability ½.",
        );
        let s = Scenario { ask: ask.into(), t };
        let (prompt, slots, solution) = if ask == "mean" {
            let (mean, sd) = mean_sd();
            (
                prompt.p("You flip a single bit of a message. (a) How many output bits do you expect to change? (b) What is the standard deviation of that number?"),
                vec![
                    AnswerSlot::new("expected changed bits", Expected::sig(mean, 3)),
                    AnswerSlot::new("standard deviation", Expected::sig(sd, 2)),
                ],
                Content::new()
                    .p("The number of changed bits is Binomial(n = 256, p = ½).")
                    .p(format!(
                        "(a) Mean np = **{}** (half the output, not one bit and not all of them). (b) Standard deviation √(np(1 − p)) = √{} = **{}**; {} is the variance.",
                        fmt_sig(mean, 3),
                        fmt_sig(sd * sd, 2),
                        fmt_sig(sd, 2),
                        fmt_sig(sd * sd, 2)
                    )),
            )
        } else {
            let v = tail(t);
            let z = (t as f64 + 0.5 - 128.0) / 8.0;
            (
                prompt.p(format!("You flip a single bit of a message. What is the probability that **more than {t}** output bits change?")),
                vec![AnswerSlot::new(format!("P(more than {t} bits change)"), Expected::sig(v, 3))],
                Content::new()
                    .p(format!("The count is Binomial(256, ½): P(X > {t}) = Σ_(i={}..256) C(256, i) / 2^256.", t + 1))
                    .p(format!("Summing exactly: **{}**. (The normal approximation with continuity correction, z = ({t} + 0.5 − 128)/8 = {}, gives about the same.)", fmt_sig(v, 3), fmt_sig(z, 3))),
            )
        };
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (mean, var, tail) = exact_by_integers(s.t);
        let close = |what: &str, key: f64, exact: f64| {
            if (key - exact).abs() <= 1e-12 * exact.abs().max(1e-300) {
                Ok(())
            } else {
                Err(CheckError(format!("{what}: key {key}, exact integers {exact}")))
            }
        };
        let mut rng = cx.sim_rng("check");
        let samples: Vec<f64> = (0..6000).map(|_| one_pair(&mut rng) as f64).collect();
        match q.expected(0)? {
            Expected::Real { value, .. } if s.ask == "mean" => {
                let Expected::Real { value: sd, .. } = q.expected(1)? else {
                    return Err(CheckError("expected a real standard deviation".into()));
                };
                close("mean", *value, mean)?;
                close("standard deviation", *sd, var.sqrt())?;
                mc::of_independent(&samples).check("mean changed bits of real SHA-256 pairs", *value)?;
                // The sample variance's standard error: √((μ4 − σ⁴)/n), μ4 the observed fourth moment.
                let n = samples.len() as f64;
                let m = samples.iter().sum::<f64>() / n;
                let dev2: Vec<f64> = samples.iter().map(|x| (x - m).powi(2) * n / (n - 1.0)).collect();
                mc::of_independent(&dev2).check("variance of the changed bits of real SHA-256 pairs", sd * sd)
            }
            Expected::Real { value, .. } => {
                close("tail", *value, tail)?;
                let hits = samples.iter().filter(|x| **x > s.t as f64).count() as u64;
                mc::Estimate::from_hits(hits, samples.len() as u64).check("share of real SHA-256 pairs beyond t", *value)
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
        stress(&Avalanche, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Symmetry: P(X > 128) = (1 − P(X = 128))/2, and P(X = 128) = C(256,128)/2^256 ≈ 0.04980.
        assert!((tail(128) - (1.0 - 0.0498191) / 2.0).abs() < 1e-6);
        assert!((tail(127) - (1.0 + 0.0498191) / 2.0).abs() < 1e-6);
        assert!((tail(255) - 0.5f64.powi(256)).abs() < 1e-90);
        // SHA-256("abc") from FIPS 180-2.
        let d = Sha256::digest(b"abc");
        assert_eq!(d[..4], [0xba, 0x78, 0x16, 0xbf]);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Avalanche, &["ask=tail".into(), "threshold=128".into()]).unwrap();
        let q = generate(&Avalanche, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.475");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Avalanche, &["ask=mean".into()]).unwrap();
        let mut q = generate(&Avalanche, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Avalanche, &q).unwrap();
        q.slots[1].expected = Expected::sig(64.0, 2); // the variance
        assert!(crate::family::cross_check(&Avalanche, &q).is_err());
        q.slots[1].expected = Expected::sig(8.0, 2);
        q.slots[0].expected = Expected::sig(127.0, 3); // off by one bit
        assert!(crate::family::cross_check(&Avalanche, &q).is_err());
        let pins = parse_pins(&Avalanche, &["ask=tail".into(), "threshold=140".into()]).unwrap();
        let mut q = generate(&Avalanche, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Avalanche, &q).unwrap();
        q.slots[0].expected = Expected::sig(tail(136), 3);
        assert!(crate::family::cross_check(&Avalanche, &q).is_err());
    }

    #[test]
    fn the_mean_and_spread_come_from_the_distribution() {
        // Binomial(256, ½): np = 128 and √(np(1 − p)) = 8, the textbook values, out of the sums.
        let (mean, sd) = mean_sd();
        assert!((mean - 128.0).abs() < 1e-9 && (sd - 8.0).abs() < 1e-9, "{mean} {sd}");
        let (m, v, t) = exact_by_integers(128);
        assert!((m - 128.0).abs() < 1e-12 && (v - 64.0).abs() < 1e-9);
        assert!((t - tail(128)).abs() < 1e-15);
    }

    #[test]
    fn a_tail_keyed_zero_fails_where_the_old_test_had_no_power() {
        // t = 149: about 21 of 6,000 pairs lie beyond it. A key of 0 (or one a tenth of the
        // truth) agreed with that count at 5σ; the exact integers and the binomial test refuse it.
        let pins = parse_pins(&Avalanche, &["ask=tail".into(), "threshold=149".into()]).unwrap();
        let mut q = generate(&Avalanche, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Avalanche, &q).unwrap();
        for wrong in [0.0, tail(149) / 10.0] {
            q.slots[0].expected = Expected::sig(wrong, 3);
            assert!(crate::family::cross_check(&Avalanche, &q).is_err(), "{wrong}");
        }
    }
}
