//! `hashing.birthday`: collisions among short IDs cut from SHA-256 (a URL shortener).
//!
//! **Asked** (`ask`):
//! - `probability`: n links, each named by the first k hex digits of the SHA-256 of its URL;
//!   the probability that at least two share an ID (3 significant figures).
//! - `digits`: n links expected; the fewest hex digits k that keep that probability below p.
//!
//! **Parameters.** `digits` k: easy 3, medium 4, hard 4–5 (N = 16^k possible IDs). `ids` n is
//! drawn relative to √N (0.35–2.2 √N, so the answer lies roughly between 0.06 and 0.9). For
//! `digits`, n is 50–4000 and the target p is 0.5%–10%.
//!
//! **Key.** The exact product P(no collision) = ∏_{i<n} (1 − i/N), summed in log space with
//! `ln_1p` (no underflow, no cancellation for small i/N).
//!
//! **Second route.** `probability`: a Monte Carlo run that really hashes random URLs with SHA-256
//! and truncates the digests to k hex digits, counting trials with a repeated ID; the key must lie
//! within `K_SIGMA` standard errors. That run is the one the evidence shows: it runs once, in
//! `generate`, from its own RNG stream, its estimate travels in the scenario, and `cross_check`
//! tests it against the key. `digits`: the closed-form bounds
//! 1 − exp(−n(n−1)/2N) ≤ P ≤ n(n−1)/2N (from 1 − x ≤ e^−x and the union bound) must prove
//! P(k) < p ≤ P(k−1); the generator re-draws n (boundedly) until they do, so no answer sits on a
//! floating-point knife edge.
//!
//! **Pitfalls** taught in the solution: using n/N instead of n²/2N; forgetting that a hex digit
//! is 4 bits (16^k, not 2^k or 10^k).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question,
    Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The family.
pub struct Birthday;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "probability: P(any collision); digits: fewest hex digits keeping it below a target",
        kind: ParamKind::Choice {
            options: &["probability", "digits"],
            draw: [&["probability"], &["probability", "digits"], &["probability", "digits"]],
        },
    },
    ParamSpec {
        key: "digits",
        help: "hex digits k in each ID (probability variant)",
        kind: ParamKind::Int {
            min: 2,
            max: 5,
            draw: [(3, 3), (4, 4), (4, 5)],
        },
    },
    ParamSpec {
        key: "ids",
        help: "number of IDs n (drawn relative to 4^k for the probability variant)",
        kind: ParamKind::Int {
            min: 2,
            max: 5000,
            draw: [(25, 140), (90, 560), (90, 2250)],
        },
    },
    ParamSpec {
        key: "target",
        help: "the collision probability to stay below (digits variant)",
        kind: ParamKind::Real {
            min: 0.001,
            max: 0.5,
            step: 0.005,
            draw: [(0.01, 0.1), (0.005, 0.1), (0.005, 0.05)],
        },
    },
];

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u64,
    k: u32,
    target: f64,
    estimate: Option<Estimate>,
}

/// P(at least one collision) among `n` IDs drawn uniformly from `space`: the exact product in
/// log space.
pub fn collision_probability(n: u64, space: f64) -> f64 {
    if n as f64 > space {
        return 1.0;
    }
    let log_none: f64 = (0..n).map(|i| (-(i as f64) / space).ln_1p()).sum();
    -log_none.exp_m1()
}

/// The ID a shortener gives `url`: the first `k` hex digits of its SHA-256, as a number.
#[cfg(test)]
fn short_id(url: &str, k: u32) -> u32 {
    prefix_value(&Sha256::digest(url.as_bytes()), k)
}

/// The first `k` hex digits of a digest, as a number.
fn prefix_value(d: &[u8], k: u32) -> u32 {
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) >> (32 - 4 * k)
}

fn sha_hex(url: &str) -> String {
    Sha256::digest(url.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Monte Carlo: `trials` runs of `n` random URLs, hashed and truncated; the fraction with a
/// repeated ID.
fn simulate(n: u64, k: u32, trials: u64, rng: &mut rand_chacha::ChaCha8Rng) -> Estimate {
    let space = 1usize << (4 * k);
    let mut seen = vec![0u32; space];
    let mut epoch = 0u32;
    const PREFIX: &[u8] = b"https://example.com/p/";
    let mut url = [b'0'; PREFIX.len() + 16];
    url[..PREFIX.len()].copy_from_slice(PREFIX);
    mc::probability(trials, rng, |r| {
        epoch += 1;
        (0..n).any(|_| {
            // A random URL, written without allocating: the prefix and 16 hex digits.
            let mut v = r.random::<u64>();
            for b in url[PREFIX.len()..].iter_mut().rev() {
                *b = b"0123456789abcdef"[(v & 15) as usize];
                v >>= 4;
            }
            let id = prefix_value(&Sha256::digest(url), k) as usize;
            let hit = seen[id] == epoch;
            seen[id] = epoch;
            hit
        })
    })
}

/// Trials sized so a run hashes about 400 000 URLs (tens of milliseconds), at least 400. At that
/// size five standard errors are 0.02–0.1 in probability, so the check catches a wrong formula
/// (n/N for n²/2N, 2^k for 16^k) but not an error in the third digit: that is what the exact
/// product is for.
fn trials_for(n: u64) -> u64 {
    (200_000 / n.max(1)).clamp(100, 8000)
}

/// The closed-form bounds on P(collision): (1 − e^{−m/N}, m/N) with m = n(n−1)/2.
fn bounds(n: u64, space: f64) -> (f64, f64) {
    let m = n as f64 * (n as f64 - 1.0) / 2.0;
    (-(-m / space).exp_m1(), (m / space).min(1.0))
}

/// The second-order by-hand route: ln P(no collision) = Σ ln(1 − i/N) ≈ −Σ i/N − Σ i²/2N²,
/// with both sums in closed form (n(n−1)/2 and (n−1)n(2n−1)/6). A calculator does it in two
/// lines; the error is the third-order term, about n⁴/12N³.
fn hand_probability(n: u64, space: f64) -> f64 {
    let n = n as f64;
    let first = n * (n - 1.0) / 2.0 / space;
    let second = (n - 1.0) * n * (2.0 * n - 1.0) / 12.0 / (space * space);
    -(-(first + second)).exp_m1()
}

/// The largest n whose exact collision probability stays below `target` in `space` IDs.
fn most_ids_below(target: f64, space: f64) -> u64 {
    // P rises with n: binary search on the exact product. P(n) ≥ 1 − e^(−n(n−1)/2N), so P
    // reaches the target by n(n−1)/2N = −ln(1 − target): a bound that keeps the product short
    // (the whole ID space as the bound cost minutes at 7 hex digits).
    let reach = (2.0 * space * -(-target).ln_1p()).sqrt().ceil() as u64 + 2;
    let (mut lo, mut hi) = (1u64, reach.min(space as u64).max(2));
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if collision_probability(mid, space) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The fewest hex digits by the union bound n(n−1)/2N < p, as a candidate solves it by hand.
fn hand_digits(n: u64, target: f64) -> u32 {
    let pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    (1..=16u32)
        .find(|k| pairs / 16f64.powi(*k as i32) < target)
        .unwrap_or(16)
}

fn fewest_digits(n: u64, target: f64) -> u32 {
    (1..=16)
        .find(|k| collision_probability(n, 16f64.powi(*k as i32)) < target)
        .unwrap_or(16)
}

impl Family for Birthday {
    fn id(&self) -> &'static str {
        "hashing.birthday"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Birthday bound for truncated SHA-256 IDs"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        // Birthday and truncation test one skill (the birthday bound): they share the tag, so a
        // pack never puts both on one paper while other families remain.
        static ASKS: &[Ask] = &[
            Ask::new("probability", [3, 4, 5], &["birthday-bound"]),
            Ask::new("digits", [3, 4, 5], &["birthday-bound"]),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "P(collision) among n IDs cut to k hex digits of SHA-256, or the fewest digits keeping it below p",
            key: "exact product, in log space",
            second_route: "Monte Carlo that really hashes random URLs with SHA-256; closed-form bounds for the inverse",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let examples: Vec<String> = (0..3)
            .map(|_| {
                format!(
                    "https://shop.example.com/item/{}",
                    cx.rng().random_range(10_000..99_999)
                )
            })
            .collect();
        if ask == "digits" {
            return digits_question(cx, &examples);
        }
        let k = cx.int("digits") as u32;
        let root = 4f64.powi(k as i32);
        let n = cx.int_within("ids", (0.35 * root) as i64, (2.2 * root) as i64, 1) as u64;
        let space = 16f64.powi(k as i32);
        if n < 2 || n as f64 > space {
            return Err(GenError::Params {
                message: format!("{n} IDs with {k} hex digits is not a question"),
                hint: format!("choose ids between 2 and {}", space as u64),
            });
        }
        let p = collision_probability(n, space);
        let log_none: f64 = (0..n).map(|i| (-(i as f64) / space).ln_1p()).sum();
        let approx = -(-(n as f64) * (n as f64 - 1.0) / (2.0 * space)).exp_m1();
        let hand = hand_probability(n, space);
        let one_more = collision_probability(n, space * 16.0);
        let half = most_ids_below(0.5, space) + 1;
        let est = simulate(n, k, trials_for(n), &mut cx.sim_rng("mc"));
        let prompt = Content::new()
            .p(format!(
                "A URL shortener names each link by the first **{k}** hex digits of the SHA-256 \
                 digest of its long URL (so `{}` becomes `/{}`). It has shortened **{n}** distinct \
                 URLs so far.",
                examples[0],
                &sha_hex(&examples[0])[..k as usize]
            ))
            .p(
                "Treating SHA-256 as a random function, what is the probability that at least two of \
                 these links got the same short ID? Give it as a decimal.",
            );
        let solution = Content::new()
            .p(format!(
                "There are $N = 16^{k} = {}$ possible IDs ({} bits). The chance that all {n} IDs are \
                 distinct is the product $product_(i=0)^({}) (1 - i/N)$.",
                group(space as u64),
                4 * k,
                n - 1
            ))
            .p(format!(
                "Summing logs avoids underflow: $sum ln(1 - i/N) = {}$, so P(no collision) = $e^({}) = {}$.",
                fmt_sig(log_none, 6),
                fmt_sig(log_none, 4),
                fmt_sig((log_none).exp(), 6)
            ))
            .p(format!(
                "P(at least one collision) = 1 − {} = **{}**.",
                fmt_sig(log_none.exp(), 6),
                fmt_sig(p, 3)
            ))
            .p(format!(
                "By hand: the first-order approximation $1 - e^(-n(n-1)/(2N)) = 1 - e^(-{})$ gives {}; adding the second-order term of \
                 $ln(1 - x) approx -x - x^2/2$, $sum i^2/(2N^2) = (n-1)n(2n-1)/(12N^2)$, gives {}, safe to 3 significant figures. \
                 The pairs, not the IDs, collide: $n(n-1)/2 = {}$ pairs each collide with probability $1/N$.",
                fmt_sig(n as f64 * (n as f64 - 1.0) / (2.0 * space), 4),
                fmt_sig(approx, 4),
                fmt_sig(hand, 4),
                group(n * (n - 1) / 2)
            ));
        let evidence = Content::new()
            .table(
                ["URL", "SHA-256", "short ID"],
                examples.iter().map(|u| {
                    let h = sha_hex(u);
                    vec![
                        format!("`{u}`"),
                        format!("`{}…`", &h[..16]),
                        format!("`{}`", &h[..k as usize]),
                    ]
                }),
            )
            .p(format!(
                "Monte Carlo: {} trials of {n} random URLs, hashed with SHA-256 and cut to {k} hex \
                 digits; fraction with a repeated ID: {}.",
                est.n,
                est.describe(3)
            ));
        let scenario = Scenario {
            ask: ask.into(),
            n,
            k,
            target: 0.0,
            estimate: Some(est),
        };
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new("P(at least one collision)", Expected::sig(p, 3)).by_hand(
                "second-order birthday approximation $1 - e^(-n(n-1)/(2N) - (n-1)n(2n-1)/(12N^2))$",
                hand,
            )],
            solution,
            evidence,
        )
        .with_scenario(&scenario)
        .followup(
            FollowUp::new(
                format!("What if the IDs were one hex digit longer ({} digits)?", k + 1),
                format!(
                    "$N$ grows 16-fold to {} and P(collision) falls to about {}: roughly 16 times \
                     smaller while it is small, since it is about $n^2/(2N)$.",
                    group(space as u64 * 16),
                    fmt_sig(one_more, 3)
                ),
            )
            .point("each extra hex digit buys only a factor 4 in the number of IDs ($sqrt(16)$)"),
        )
        .followup(
            FollowUp::new(
                format!("How many links can {k}-digit IDs take before a collision is more likely than not?"),
                format!(
                    "{} links (exact product); the rule of thumb $1.18 sqrt(N)$ gives {}.",
                    group(half),
                    fmt_sig(1.1774 * space.sqrt(), 3)
                ),
            )
            .point("the square-root law: collisions appear near $sqrt(N)$, not $N$"),
        ))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match (s.ask.as_str(), q.expected(0)?) {
            ("probability", Expected::Real { value, .. }) => {
                let est = s.estimate.ok_or_else(|| {
                    CheckError("no simulation estimate in the scenario".into())
                })?;
                if est.agrees_with(*value) {
                    Ok(())
                } else {
                    Err(CheckError(format!(
                        "key {value} but hashing real URLs gives {}",
                        est.describe(4)
                    )))
                }
            }
            ("digits", Expected::Integer { value }) => {
                let k = *value as i32;
                let (_, upper) = bounds(s.n, 16f64.powi(k));
                let (lower, _) = bounds(s.n, 16f64.powi(k - 1));
                if upper < s.target && lower >= s.target {
                    Ok(())
                } else {
                    Err(CheckError(format!(
                        "key k = {k}, but the bounds give P(k) ≤ {upper} and P(k−1) ≥ {lower} \
                         against target {}",
                        s.target
                    )))
                }
            }
            (ask, e) => Err(CheckError(format!("unexpected slot {e:?} for ask={ask}"))),
        }
    }
}

fn digits_question(cx: &mut Ctx, examples: &[String]) -> Result<Question, GenError> {
    let target = cx.real("target");
    // Re-draw n (a bounded number of times) until the bounds settle the answer cleanly.
    let mut n = 0;
    let mut k = 0;
    for attempt in 0..40 {
        n = cx.int_within("ids", 50, 4000, 10) as u64;
        k = fewest_digits(n, target);
        let (_, upper) = bounds(n, 16f64.powi(k as i32));
        let (lower, _) = bounds(n, 16f64.powi(k as i32 - 1));
        if upper < target && lower >= target {
            break;
        }
        if cx.is_pinned("ids") || attempt == 39 {
            return Err(GenError::Params {
                message: format!(
                    "with {n} IDs and target {target}, the answer sits too close to the boundary"
                ),
                hint: "choose a slightly different ids or target".into(),
            });
        }
    }
    let space = 16f64.powi(k as i32);
    let below = 16f64.powi(k as i32 - 1);
    let hand = hand_digits(n, target);
    let capacity = most_ids_below(target, space);
    let p_k = collision_probability(n, space);
    let p_below = collision_probability(n, below);
    let prompt = Content::new()
        .p(format!(
            "A URL shortener will name each link by the first k hex digits of the SHA-256 digest \
             of its long URL (so `{}` with k = 6 becomes `/{}`). It expects **{n}** distinct URLs, \
             and the team wants the probability that any two links share an ID to stay **below {target}**.",
            examples[0],
            &sha_hex(&examples[0])[..6],
        ))
        .p("Treating SHA-256 as a random function, what is the smallest number of hex digits k that achieves this?");
    let solution = Content::new()
        .p(format!(
            "With k hex digits there are $N = 16^k$ IDs, and P(collision) $= 1 - product_(i<n) (1 - i/N) approx \
             n(n-1)/(2N)$ when small. Here $n(n-1)/2 = {}$ pairs, so we need $N > {} / {} approx {}$.",
            group(n * (n - 1) / 2),
            group(n * (n - 1) / 2),
            target,
            fmt_sig((n * (n - 1) / 2) as f64 / target, 3)
        ))
        .table(
            ["$k$", "$N = 16^k$", "P(collision), exact"],
            [
                vec![
                    (k - 1).to_string(),
                    group(below as u64),
                    fmt_sig(p_below, 4),
                ],
                vec![k.to_string(), group(space as u64), fmt_sig(p_k, 4)],
            ],
        )
        .p(format!(
            "k = {} gives {} ≥ {target}, k = {k} gives {} < {target}: the answer is **{k}** hex digits ({} bits).",
            k - 1,
            fmt_sig(p_below, 3),
            fmt_sig(p_k, 3),
            4 * k
        ));
    let (lo_k, hi_k) = bounds(n, space);
    let (lo_b, hi_b) = bounds(n, below);
    let evidence = Content::new()
        .table(
            ["URL", "SHA-256"],
            examples
                .iter()
                .map(|u| vec![format!("`{u}`"), format!("`{}…`", &sha_hex(u)[..16])]),
        )
        .p(format!(
            "Exact products (log space): P(k={}) = {}, P(k={k}) = {}. Closed-form bounds \
             $1 - e^(-m/N) <= P <= m/N$: [{}, {}] for k = {} and [{}, {}] for k = {k}.",
            k - 1,
            fmt_sig(p_below, 6),
            fmt_sig(p_k, 6),
            fmt_sig(lo_b, 4),
            fmt_sig(hi_b, 4),
            k - 1,
            fmt_sig(lo_k, 4),
            fmt_sig(hi_k, 4),
        ));
    let scenario = Scenario {
        ask: "digits".into(),
        n,
        k,
        target,
        estimate: None,
    };
    Ok(Question::new(
        prompt,
        vec![AnswerSlot::new(
            "the fewest hex digits k",
            Expected::Integer { value: k as i64 },
        )
        .by_hand(
            "union bound $n(n-1)/(2 dot 16^k) < p$, solved for the smallest $k$",
            hand as f64,
        )],
        solution,
        evidence,
    )
    .with_scenario(&scenario)
    .followup(
        FollowUp::new(
            format!("With {k} hex digits, how many URLs can the shortener take before the probability reaches {target}?"),
            format!(
                "{} URLs (the exact product stays below {target} up to there), {} times the {n} expected now.",
                group(capacity),
                fmt_sig(capacity as f64 / n as f64, 2)
            ),
        )
        .point("capacity grows as $sqrt(p N)$: halving the target costs a factor $sqrt(2)$ in URLs"),
    )
    .followup(
        FollowUp::new(
            "Why not simply use the full 64-digit digest?",
            format!(
                "Short links are the product: {} extra characters per link; the bound says {k} digits \
                 already keep collisions below {target}, and a collision can be detected on insert and \
                 resolved by taking one more digit.",
                64 - k
            ),
        )
        .point("detect-and-extend on collision instead of sizing for zero collisions"),
    ))
}

/// `n` with thousands separators: 65,536.
pub(super) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn the_second_order_hand_route_lands_on_the_printed_key() {
        // 23 people, 365 days: the exact 0.5073 (textbook); by hand 253/365 + 22·23·45/(12·365²)
        // = 0.70739, and 1 − e^−0.70739 = 0.5071: 0.507 to 3 significant figures either way.
        let hand = hand_probability(23, 365.0);
        assert!((hand - 0.5071).abs() < 2e-4, "{hand}");
        assert!(Expected::sig(collision_probability(23, 365.0), 3).reference() == "0.507");
        // The union bound for the digits variant: 1,000 IDs below 1%: 499,500 pairs need
        // N > 4.995e7: 16^6 = 1.7e7 is too small, 16^7 = 2.7e8 is enough.
        assert_eq!(hand_digits(1000, 0.01), 7);
    }

    #[test]
    fn passes_the_stress_check() {
        stress(&Birthday, 0..20).unwrap();
    }

    #[test]
    fn the_product_gives_the_textbook_birthday_figures() {
        // 23 people, 365 days: 0.5073 (the classic birthday paradox figure).
        assert!((collision_probability(23, 365.0) - 0.507_297).abs() < 1e-6);
        // 2^32 space, 77 163 IDs: ~50% (the usual "√N" rule for 32-bit hashes).
        assert!((collision_probability(77_163, 2f64.powi(32)) - 0.5).abs() < 1e-3);
    }

    #[test]
    fn short_ids_are_real_sha256_prefixes() {
        // SHA-256("abc") = ba7816bf… (FIPS 180-2, appendix B.1).
        assert_eq!(short_id("abc", 4), 0xba78);
        assert_eq!(short_id("abc", 6), 0xba7816);
    }

    #[test]
    fn pins_are_used_and_bad_ones_refused() {
        let pins = parse_pins(&Birthday, &["ask=probability".into(), "digits=3".into(), "ids=40".into()]).unwrap();
        let q = generate(&Birthday, 5, Difficulty::Hard, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!((s.n, s.k), (40, 3));
        let bad = parse_pins(&Birthday, &["digits=2".into(), "ids=300".into()]).unwrap();
        let e = generate(&Birthday, 5, Difficulty::Easy, &bad).unwrap_err();
        assert!(e.hint().unwrap_or_default().contains("ids"), "{e}");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["probability", "digits"] {
            let pins = parse_pins(&Birthday, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Birthday, 11, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&Birthday, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                // A key a third too small (the size of error a wrong formula makes) is caught.
                Expected::Real { value, .. } => Expected::sig(value * 0.67, 3),
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                e => e.clone(),
            };
            assert!(crate::family::cross_check(&Birthday, &q).is_err(), "{ask}");
        }
    }
}
