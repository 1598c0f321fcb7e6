//! `hashing.avalanche`: flip one bit of a SHA-256 input; how many of the 256 output bits change?
//!
//! **Asked** (`ask`):
//! - `mean`: the expected number of changed output bits (128) — asked with the standard deviation
//!   (8) as a second part;
//! - `tail`: P(more than t bits change) for an ideal hash, the Binomial(256, ½) tail.
//!
//! **Parameters.** `threshold` t: easy 136–144, medium 140–152, hard 144–160.
//!
//! **Key.** The exact binomial: mean np, standard deviation √(np(1−p)), tail summed exactly with
//! binomial coefficients as f64 (C(256, i) < 2^256 fits comfortably).
//!
//! **Evidence.** A real input and its one-bit-flipped twin, both digests, and their Hamming
//! distance.
//!
//! **Second route.** Hash thousands of real input pairs (random message, one random bit flipped) and
//! compare the observed mean, spread and tail frequency with the key within `K_SIGMA` standard
//! errors.
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

/// P(Binomial(256, ½) > t), exactly.
pub fn tail(t: u32) -> f64 {
    let mut c = 1.0f64; // C(256, 0)
    let mut sum = 0.0;
    for i in 0..=256u32 {
        if i > t {
            sum += c;
        }
        c = c * (256 - i) as f64 / (i + 1) as f64;
    }
    sum / 2f64.powi(256)
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
            (
                prompt.p("You flip a single bit of a message. (a) How many output bits do you expect to change? (b) What is the standard deviation of that number?"),
                vec![
                    AnswerSlot::new("expected changed bits", Expected::sig(128.0, 3)),
                    AnswerSlot::new("standard deviation", Expected::sig(8.0, 2)),
                ],
                Content::new()
                    .p("The number of changed bits is Binomial(n = 256, p = ½).")
                    .p("(a) Mean np = **128** (half the output, not one bit and not all of them). (b) Standard deviation √(np(1 − p)) = √64 = **8**; 64 is the variance."),
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
        let mut rng = cx.sim_rng("check");
        let samples: Vec<u32> = (0..6000).map(|_| one_pair(&mut rng)).collect();
        let n = samples.len() as f64;
        match q.expected(0)? {
            Expected::Real { value, .. } if s.ask == "mean" => {
                let mean = samples.iter().map(|x| *x as f64).sum::<f64>() / n;
                let var = samples.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
                let Expected::Real { value: sd, .. } = q.expected(1)? else {
                    return Err(CheckError("expected a real standard deviation".into()));
                };
                // Mean: stderr 8/√n. Variance of a binomial sample variance ≈ 2σ⁴/n.
                if (mean - value).abs() > mc::K_SIGMA * 8.0 / n.sqrt() {
                    return Err(CheckError(format!("key mean {value}, measured {mean}")));
                }
                if (var - sd * sd).abs() > mc::K_SIGMA * (2.0 * 64.0 * 64.0 / n).sqrt() {
                    return Err(CheckError(format!("key sd {sd}, measured {}", var.sqrt())));
                }
                Ok(())
            }
            Expected::Real { value, .. } => {
                let hits = samples.iter().filter(|x| **x > s.t).count() as f64;
                let est = mc::Estimate::from_hits(hits as u64, n as u64);
                if est.agrees_with(*value) {
                    Ok(())
                } else {
                    Err(CheckError(format!("key {value}, measured {}", est.describe(4))))
                }
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
        let pins = parse_pins(&Avalanche, &["ask=tail".into(), "threshold=140".into()]).unwrap();
        let mut q = generate(&Avalanche, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Avalanche, &q).unwrap();
        q.slots[0].expected = Expected::sig(tail(136), 3);
        assert!(crate::family::cross_check(&Avalanche, &q).is_err());
    }
}
