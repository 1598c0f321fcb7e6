//! `probability.sampling_defects`: D of N stored objects are corrupted; a scrubber checks n of
//! them, chosen at random without replacement. Will it notice?
//!
//! **Asked** (`ask`):
//! - `detect`: P(the scrub misses every corrupted object) = C(N−D, n)/C(N, n). The miss
//!   probability, not P(found): P(found) rounds to 1.00 on most large draws (issue 15);
//! - `sample_size`: the fewest checks n with P(found) ≥ target;
//! - `strategy` (judgment): with a budget of n checks per night, is it better to scrub n random
//!   objects each night without replacement, with replacement, or to scrub a fixed sweep? The key
//!   compares the computed miss probabilities.
//!
//! **Parameters.** `objects` N: easy 20–100, medium 100–2000, hard 1000–100000; `corrupted` D: 1–5,
//! 2–8, 3–12 (below N/4); `checked` n: drawn between N/(4D) and 3N/D (so P(miss) is between about
//! 0.05 and 0.8, and the question is informative); `target` 0.9/0.95/0.99.
//!
//! **Key.** The hypergeometric miss probability as the product Π_{i<n} (N − D − i)/(N − i), exact in
//! floating point without huge binomials; `sample_size` steps n up.
//!
//! **By hand.** The symmetry C(N−D, n)/C(N, n) = C(N−n, D)/C(N, D): choose where the D corrupted
//! objects sit instead of which objects are checked, a product of only D ≤ 12 factors. For
//! `sample_size`: start from (1 − n/N)^D ≈ 1 − target and step with the D-factor product.
//!
//! **Second route.** Monte Carlo: place the D corrupted objects at uniformly random distinct
//! positions of a random scrub order and see whether one falls among the first n checked. For `sample_size`, the
//! key's n must clear the target in simulation and n − 1 must not (each within `K_SIGMA`). For
//! `detect` the simulation is the one the evidence shows: it runs once, in `generate`, from its own
//! RNG stream, and its estimate travels in the scenario for `cross_check`. (`sample_size`'s
//! evidence simulates nothing; `strategy`'s check simulates 20,000 scrubs of both policies, more
//! than the evidence's run of the sweep alone, so both keep their own runs.)
//!
//! **Pitfalls**: the binomial 1 − (1 − D/N)^n (sampling with replacement: close for small n/N, off
//! for large); n·D/N (an expectation, not a probability).

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct SamplingDefects;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "detect: P(the scrub misses every corrupted object); sample_size: fewest checks for a target; strategy: which scrub policy misses least",
        kind: ParamKind::Choice {
            options: &["detect", "sample_size", "strategy"],
            draw: [&["detect"], &["detect", "sample_size", "strategy"], &["detect", "sample_size", "strategy"]],
        },
    },
    ParamSpec {
        key: "objects",
        help: "objects N",
        kind: ParamKind::Int { min: 2, max: 1_000_000, draw: [(20, 100), (100, 2000), (1000, 100_000)] },
    },
    ParamSpec {
        key: "corrupted",
        help: "corrupted objects D",
        kind: ParamKind::Int { min: 1, max: 100_000, draw: [(1, 5), (2, 8), (3, 12)] },
    },
    ParamSpec {
        key: "checked",
        help: "objects checked n (detect, strategy; drawn between N/(4D) and 3N/D)",
        kind: ParamKind::Int { min: 1, max: 1_000_000, draw: [(1, 33), (5, 660), (50, 33_000)] },
    },
    ParamSpec {
        key: "target",
        help: "target detection probability (sample_size)",
        kind: ParamKind::Choice { options: &["0.9", "0.95", "0.99"], draw: [&["0.9"], &["0.9", "0.95"], &["0.95", "0.99"]] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    big_n: u64,
    d: u64,
    n: u64,
    target: f64,
    /// For `detect`: the evidence's simulated P(found), which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    found: Option<mc::Estimate>,
}

/// P(no corrupted object among n drawn without replacement).
pub fn miss(big_n: u64, d: u64, n: u64) -> f64 {
    if n + d > big_n {
        return 0.0;
    }
    (0..n).map(|i| (big_n - d - i) as f64 / (big_n - i) as f64).product()
}

/// Fewest n with 1 − miss ≥ target (stepping; miss is decreasing in n).
pub fn fewest(big_n: u64, d: u64, target: f64) -> u64 {
    let (mut n, mut m) = (0u64, 1.0f64);
    while 1.0 - m < target - 1e-12 {
        m *= (big_n - d - n) as f64 / (big_n - n) as f64;
        n += 1;
    }
    n
}

/// One scrub, seen as a random order of all N objects of which the scrubber checks the first n:
/// it finds corruption iff some corrupted object lands in the first n positions. The D corrupted
/// objects' positions are a uniform D-subset of 0..N, so a trial costs O(D), not O(n).
fn detects(big_n: u64, d: u64, n: u64, g: &mut rand_chacha::ChaCha8Rng) -> bool {
    if d <= 64 {
        let mut pos: Vec<u64> = Vec::with_capacity(d as usize);
        while (pos.len() as u64) < d {
            let p = g.random_range(0..big_n);
            if !pos.contains(&p) {
                pos.push(p);
            }
        }
        pos.iter().any(|p| *p < n)
    } else {
        // Many corrupted objects: walk the scrub order until the first corrupted one (≈ N/D steps).
        (0..n).any(|i| g.random_range(0..big_n - i) < d)
    }
}

fn simulate(big_n: u64, d: u64, n: u64, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    let trials = (1_000_000 / d.max(1)).clamp(4_000, 30_000);
    mc::probability(trials, rng, |g| detects(big_n, d, n, g))
}

impl Family for SamplingDefects {
    fn id(&self) -> &'static str {
        "probability.sampling_defects"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Scrubbing a sample: will corruption be found?"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("detect", [3, 4, 6], &["hypergeometric", "sampling-without-replacement"]),
            Ask::new("sample_size", [3, 5, 7], &["hypergeometric", "sample-size"]),
            Ask::new("strategy", [3, 3, 4], &["sampling-without-replacement", "scrub-policy"]).judgment(),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(a random scrub misses every corrupted object), checks needed for a target, which scrub policy misses least (choice)",
            key: "hypergeometric product; the policies' miss probabilities compared",
            second_route: "Monte Carlo of random scrub orders; the D-factor product by symmetry",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else {
            return vec!["scenario does not parse".into()];
        };
        let mut out = Vec::new();
        if s.ask == "detect" {
            let m = miss(s.big_n, s.d, s.n);
            if !(0.02..=0.9).contains(&m) {
                out.push(format!("P(miss) = {m:.3e} is too close to 0 or 1 to be informative"));
            }
        }
        if s.ask == "strategy" && policies(s.big_n, s.d, s.n).0 < 1e-3 {
            out.push("the sweep almost surely finds corruption: nothing to compare".into());
        }
        out
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let big_n = cx.int("objects") as u64;
        // The difficulty's range, capped below N/4 (an uncapped draw up to N/4 gave the P(miss)
        // of 1e-595 issue 15 found).
        let d = cx.int_capped("corrupted", (big_n / 4).max(1) as i64) as u64;
        let (lo, hi) = if ask == "strategy" {
            ((big_n / 8).max(1), (big_n / 4).max(1))
        } else {
            ((big_n / (4 * d)).max(1), (3 * big_n / d).min(big_n - 1).max(1))
        };
        let n = cx.int_within("checked", lo as i64, hi as i64, 1) as u64;
        let target: f64 = cx.pick("target").parse().unwrap_or(0.95);
        if ask == "sample_size" {
            cx.unused("checked");
        } else {
            cx.unused("target");
        }
        if n == 1 && cx.is_pinned("checked") {
            return Err(GenError::Params {
                message: "checking 1 object is the same with or without replacement: the question would show no difference between the two".into(),
                hint: "pin `checked` to 2 or more".into(),
            });
        }
        if d >= big_n || n >= big_n {
            return Err(GenError::Params {
                message: format!("corrupted = {d} and checked = {n} must both be below objects = {big_n}"),
                hint: "lower corrupted or checked, or raise objects".into(),
            });
        }
        let mut s = Scenario { ask: ask.into(), big_n, d, n, target, found: None };
        let setting = format!(
            "An object store holds **{}** objects, of which **{d}** are silently corrupted. A \
             scrubber verifies the checksums of objects chosen uniformly at random, each object at \
             most once (without replacement).",
            thousands(big_n)
        );
        let q = match ask {
            "detect" => {
                let m = miss(big_n, d, n);
                let hand = miss_by_symmetry(big_n, d, n);
                let binom = (1.0 - d as f64 / big_n as f64).powi(n as i32);
                let est = simulate(big_n, d, n, &mut cx.sim_rng("mc"));
                s.found = Some(est);
                let doubled = miss(big_n, d, (2 * n).min(big_n - d));
                Question::new(
                    Content::new().p(&setting).p(format!(
                        "It verifies **{}** objects. What is the probability that it misses every \
                         corrupted object (finds none of them)?",
                        thousands(n)
                    )),
                    vec![AnswerSlot::new("P(the scrub finds no corrupted object)", Expected::sig(m, 3)).by_hand(
                        "by symmetry, place the D corrupted objects instead of the n checks: a product of D factors",
                        hand,
                    )],
                    Content::new()
                        .p(format!(
                            "It misses only if all {n} checked objects are clean: P(miss) = $C({}, {n}) / C({big_n}, {n}) = product_(i=0)^({}) ({} - i)/({big_n} - i)$.",
                            big_n - d,
                            n - 1,
                            big_n - d,
                        ))
                        .p(format!(
                            "By hand, count the other way: the {d} corrupted objects must all sit among the {} unchecked ones, $C({}, {d}) / C({big_n}, {d}) = product_(j=0)^({}) ({} - j)/({big_n} - j) = {}$.",
                            big_n - n,
                            big_n - n,
                            d - 1,
                            big_n - n,
                            fmt_sig(hand, 5)
                        ))
                        .p(format!("P(miss) = **{}**, so P(found) = {}.", fmt_sig(m, 3), fmt_sig(1.0 - m, 3)))
                        .p(format!(
                            "The with-replacement (binomial) shortcut $(1 - {d}/{big_n})^{n} = {}$ overstates the miss: without replacement each clean draw makes the rest slightly dirtier.",
                            fmt_sig(binom, 3)
                        )),
                    Content::new().p(format!(
                        "Monte Carlo: {} simulated scrubs drawing without replacement; found corruption in {}.",
                        est.n,
                        est.describe(4)
                    )),
                )
                .contrast(Contrast::new("without vs with replacement", fmt_sig(m, 3), fmt_sig(binom, 3)))
                .followup(
                    FollowUp::new(
                        format!("What if the scrubber verifies twice as many objects, {}?", thousands((2 * n).min(big_n - d))),
                        format!(
                            "P(miss) falls from {} to {}, below the square {} that two independent scrubs would give: $(1 - 2n/N)^D <= ((1 - n/N)^D)^2$.",
                            fmt_sig(m, 3),
                            fmt_sig(doubled, 3),
                            fmt_sig(m * m, 3)
                        ),
                    )
                    .point("twice the distinct objects beats two independent scrubs of the same size"),
                )
                .followup(FollowUp::new(
                    "Why is the scrub without replacement better than one that may re-check an object?",
                    format!("A repeat check learns nothing new; with replacement P(miss) would be {}.", fmt_sig(binom, 3)),
                ))
            }
            "sample_size" => {
                let v = fewest(big_n, d, target);
                let hand = fewest_by_hand(big_n, d, target);
                let start = big_n as f64 * (1.0 - (1.0 - target).powf(1.0 / d as f64));
                let more = fewest(big_n, d, 1.0 - (1.0 - target) / 10.0);
                Question::new(
                    Content::new().p(&setting).p(format!(
                        "How many objects must it verify so that it finds at least one corrupted object with probability at least **{target}**?"
                    )),
                    vec![AnswerSlot::new("fewest objects to verify", Expected::Integer { value: v as i64 }).by_hand(
                        "start from $(1 - n/N)^D = 1 - t$, then step n with the D-factor product",
                        hand as f64,
                    )],
                    Content::new()
                        .p(format!(
                            "Need P(miss) = $product_(j=0)^({}) ({big_n} - n - j)/({big_n} - j) <= {}$ (place the {d} corrupted objects among the unchecked ones). The product falls as n grows.",
                            d - 1,
                            crate::answer::trim_float(1.0 - target)
                        ))
                        .p(format!(
                            "A first guess from $(1 - n/{big_n})^{d} = {}$: $n approx {}$. Step from there with the exact product.",
                            crate::answer::trim_float(1.0 - target),
                            fmt_sig(start, 4)
                        ))
                        .p(format!(
                            "n = {} gives P(found) = {}; n = **{v}** gives {}.",
                            v - 1,
                            fmt_sig(1.0 - miss(big_n, d, v - 1), 5),
                            fmt_sig(1.0 - miss(big_n, d, v), 5)
                        )),
                    Content::new().p(format!(
                        "Exact miss probabilities: n = {}: {}; n = {v}: {}.",
                        v - 1,
                        fmt_sig(miss(big_n, d, v - 1), 5),
                        fmt_sig(miss(big_n, d, v), 5)
                    )),
                )
                .followup(
                    FollowUp::new(
                        format!("What if the target becomes {}, ten times fewer misses?", crate::answer::trim_float(1.0 - (1.0 - target) / 10.0)),
                        format!("{} checks instead of {v}: each factor of ten in the miss rate costs about the same number of extra checks.", thousands(more)),
                    )
                    .point("the miss probability falls geometrically in n, so sample size grows with the log of the target miss rate"),
                )
            }
            _ => {
                let rounds = NIGHTS * n;
                let (sweep, fresh, repl) = policies(big_n, d, n);
                let est = simulate(big_n, d, rounds, &mut cx.sim_rng("mc"));
                let mut options = vec![
                    ChoiceOption::right(
                        "A rotating sweep: each night verify the next objects of a fixed order, so no object is verified twice",
                    ),
                    ChoiceOption::wrong(
                        "A fresh random sample every night, each object at most once per night",
                        format!("Nights are independent, so P(miss) = {}^{NIGHTS} = {}, but later nights re-check objects already verified; the sweep misses with {} only.", fmt_sig(miss(big_n, d, n), 3), fmt_sig(fresh, 3), fmt_sig(sweep, 3)),
                    ),
                    ChoiceOption::wrong(
                        "Random objects with replacement, since every check is an independent trial",
                        format!("Independent checks are easy to analyse but waste work on repeats: P(miss) = $(1 - {d}/{big_n})^({rounds})$ = {}.", fmt_sig(repl, 3)),
                    ),
                    ChoiceOption::wrong(
                        "All three are equally good: each verifies the same number of objects",
                        format!("The number of checks is equal, the number of distinct objects verified is not: {} (sweep), {} (fresh samples), {} (with replacement).", fmt_sig(sweep, 3), fmt_sig(fresh, 3), fmt_sig(repl, 3)),
                    ),
                ];
                let rot = cx.rng().random_range(0..options.len());
                options.rotate_left(rot);
                let correct = (options.len() - rot) % options.len();
                Question::new(
                    Content::new().p(format!(
                        "An object store holds **{}** objects, of which **{d}** are silently corrupted. \
                         A scrubber may verify **{}** objects per night, and the team wants the \
                         lowest chance that {NIGHTS} nights of scrubbing find none of the corrupted objects. \
                         Which policy should it use?",
                        thousands(big_n),
                        thousands(n)
                    )),
                    vec![AnswerSlot::new("the policy that misses least", Expected::Choice { options, correct })],
                    Content::new()
                        .p(format!(
                            "The sweep verifies {} distinct objects in {NIGHTS} nights: P(miss) = {}. Fresh samples: $({})^{NIGHTS} = {}$. With replacement: $(1 - {d}/{big_n})^({rounds}) = {}$.",
                            thousands(rounds),
                            fmt_sig(sweep, 3),
                            fmt_sig(miss(big_n, d, n), 3),
                            fmt_sig(fresh, 3),
                            fmt_sig(repl, 3)
                        ))
                        .p("Only distinct objects verified count; **the sweep** never spends a check on an object it already verified."),
                    Content::new().p(format!(
                        "Monte Carlo of {} random scrub orders, first {} objects: found in {}.",
                        est.n,
                        thousands(rounds),
                        est.describe(4)
                    )),
                )
                .contrast(Contrast::new("sweep vs fresh samples", fmt_sig(sweep, 3), fmt_sig(fresh, 3)))
                .followup(
                    FollowUp::new(
                        "When would fresh random samples be preferable to the sweep?",
                        "When corruption arrives during the cycle: a sweep returns to an object only once per full pass, while random sampling gives every object the same chance each night.",
                    )
                    .point("a sweep's detection latency for new corruption is up to one full pass"),
                )
            }
        };
        Ok(q.with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let mut rng = cx.sim_rng("check");
        match q.expected(0)? {
            Expected::Real { value, .. } => {
                let est = s.found.ok_or_else(|| CheckError("the scenario lacks the simulated P(found)".into()))?;
                if est.agrees_with(1.0 - *value) {
                    Ok(())
                } else {
                    Err(CheckError(format!("key P(miss) {value}, simulated P(found) {}", est.describe(4))))
                }
            }
            Expected::Integer { value } => {
                let n = *value as u64;
                let at = simulate(s.big_n, s.d, n, &mut rng);
                let below = simulate(s.big_n, s.d, n - 1, &mut rng);
                if !at.not_below(s.target) {
                    return Err(CheckError(format!("n = {n} simulates to {}", at.describe(4))));
                }
                if !below.not_above(s.target) {
                    return Err(CheckError(format!("n − 1 = {} already reaches the target: {}", n - 1, below.describe(4))));
                }
                Ok(())
            }
            Expected::Choice { options, correct } => {
                // Decide by the D-factor products (not the key's n-factor ones), then check those
                // products against simulated scrubs.
                let sweep = miss_by_symmetry(s.big_n, s.d, NIGHTS * s.n);
                let fresh = miss_by_symmetry(s.big_n, s.d, s.n).powi(NIGHTS as i32);
                let repl = ((NIGHTS * s.n) as f64 * (-(s.d as f64) / s.big_n as f64).ln_1p()).exp();
                let best = if sweep <= fresh && sweep <= repl {
                    "A rotating sweep"
                } else if fresh <= repl {
                    "A fresh random sample"
                } else {
                    "Random objects with replacement"
                };
                let text = &options[*correct].text;
                if !text.starts_with(best) {
                    return Err(CheckError(format!(
                        "key `{text}`, but P(miss) is {sweep} (sweep), {fresh} (fresh samples), {repl} (with replacement)"
                    )));
                }
                let trials = 20_000u64;
                let (mut sweep_hits, mut fresh_hits) = (0u64, 0u64);
                for _ in 0..trials {
                    sweep_hits += u64::from(detects(s.big_n, s.d, NIGHTS * s.n, &mut rng));
                    fresh_hits += u64::from((0..NIGHTS).any(|_| detects(s.big_n, s.d, s.n, &mut rng)));
                }
                mc::Estimate::from_hits(trials - sweep_hits, trials).check("sweep misses", sweep)?;
                mc::Estimate::from_hits(trials - fresh_hits, trials).check("fresh samples miss", fresh)?;
                Ok(())
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

/// Nights the `strategy` ask scrubs for.
const NIGHTS: u64 = 3;

/// P(miss) after [`NIGHTS`] nights of n checks: rotating sweep, fresh samples, with replacement.
fn policies(big_n: u64, d: u64, n: u64) -> (f64, f64, f64) {
    (
        miss(big_n, d, NIGHTS * n),
        miss(big_n, d, n).powi(NIGHTS as i32),
        (1.0 - d as f64 / big_n as f64).powi((NIGHTS * n) as i32),
    )
}

/// P(miss) the hand way: the D corrupted objects all land among the N − n unchecked ones,
/// Π_{j<D} (N − n − j)/(N − j) (the same value as [`miss`] by the symmetry of the hypergeometric).
pub fn miss_by_symmetry(big_n: u64, d: u64, n: u64) -> f64 {
    if n + d > big_n {
        return 0.0;
    }
    (0..d).map(|j| (big_n - n - j) as f64 / (big_n - j) as f64).product()
}

/// The fewest checks the hand way: the guess from (1 − n/N)^D = 1 − target, then steps with the
/// D-factor product until n is the first to reach the target.
pub fn fewest_by_hand(big_n: u64, d: u64, target: f64) -> u64 {
    let guess = big_n as f64 * (1.0 - (1.0 - target).powf(1.0 / d as f64));
    let mut n = (guess.round() as u64).clamp(1, big_n - d);
    let ok = |n: u64| 1.0 - miss_by_symmetry(big_n, d, n) >= target - 1e-12;
    while !ok(n) {
        n += 1;
    }
    while n > 1 && ok(n - 1) {
        n -= 1;
    }
    n
}

use crate::text::thousands;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&SamplingDefects, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // 10 objects, 2 bad, check 3: miss = C(8,3)/C(10,3) = 56/120.
        assert!((miss(10, 2, 3) - 56.0 / 120.0).abs() < 1e-15);
        // One bad object in N: P(found with n checks) = n/N exactly.
        assert!((1.0 - miss(1000, 1, 250) - 0.25).abs() < 1e-12);
        assert_eq!(fewest(1000, 1, 0.9), 900);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&SamplingDefects, &["ask=detect".into(), "objects=10".into(), "corrupted=2".into(), "checked=3".into()]).unwrap();
        let q = generate(&SamplingDefects, 1, Difficulty::Easy, &pins).unwrap();
        // P(miss) = C(8,3)/C(10,3) = 56/120 = 0.4667 (counted by hand).
        assert_eq!(q.slots[0].expected.reference(), "0.467");
    }

    #[test]
    fn the_hand_route_counts_the_corrupted_objects_instead() {
        // C(8,3)/C(10,3) = 56/120 and C(7,2)/C(10,2) = 21/45 are the same 7/15 (hand count).
        assert!((miss_by_symmetry(10, 2, 3) - 7.0 / 15.0).abs() < 1e-15);
        // One corrupted object in 1,000, 900 checks reach P(found) = 0.9 (n/N exactly).
        assert_eq!(fewest_by_hand(1000, 1, 0.9), 900);
        // Two in 100, target 0.9: 1 − C(100−n, 2)/C(100, 2) ≥ 0.9 ⇔ (100−n)(99−n) ≤ 990,
        // n = 68 gives 32·31 = 992, n = 69 gives 31·30 = 930 (hand arithmetic).
        assert_eq!(fewest_by_hand(100, 2, 0.9), 69);
        assert_eq!(fewest(100, 2, 0.9), 69);
        for seed in 0..20 {
            let q = generate(&SamplingDefects, seed, Difficulty::Hard, &Default::default()).unwrap();
            if matches!(q.slots[0].expected, Expected::Choice { .. }) {
                continue;
            }
            let h = q.slots[0].hand.as_ref().expect("a by-hand route");
            match &q.slots[0].expected {
                Expected::Real { value, tolerance } => assert!(tolerance.window(*value).contains(h.value)),
                Expected::Integer { value } => assert_eq!(h.value, *value as f64),
                _ => {}
            }
        }
    }

    #[test]
    fn no_draw_prints_a_certain_find() {
        // Issue 15: hard draws printed P(found) = 1.00 (P(miss) about 1e-595). P(miss) is asked
        // now, and a pin that would make it vanish is refused rather than printed.
        for seed in 0..40 {
            let pins = parse_pins(&SamplingDefects, &["ask=detect".into()]).unwrap();
            let q = generate(&SamplingDefects, seed, Difficulty::Hard, &pins).unwrap();
            let Expected::Real { value, .. } = q.slots[0].expected else { panic!() };
            assert!((0.02..=0.9).contains(&value), "seed {seed}: {value}");
        }
        let pins = parse_pins(&SamplingDefects, &["ask=detect".into(), "objects=1000".into(), "corrupted=50".into(), "checked=300".into()]).unwrap();
        assert!(generate(&SamplingDefects, 1, Difficulty::Hard, &pins).is_err());
    }

    #[test]
    fn the_sweep_wins_the_policy_question() {
        // 100 objects, 2 corrupted, 20 checks a night for 3 nights (hand arithmetic):
        // sweep C(40,2)/C(100,2) = 780/4950 = 0.158; fresh (C(80,2)/C(100,2))^3 = (3160/4950)^3 = 0.260;
        // with replacement 0.98^60 = 0.298.
        let (sweep, fresh, repl) = policies(100, 2, 20);
        assert!((sweep - 780.0 / 4950.0).abs() < 1e-12);
        assert!((fresh - (3160.0f64 / 4950.0).powi(3)).abs() < 1e-12);
        assert!((repl - 0.98f64.powi(60)).abs() < 1e-12);
        let pins = parse_pins(&SamplingDefects, &["ask=strategy".into(), "objects=100".into(), "corrupted=2".into(), "checked=20".into()]).unwrap();
        let mut q = generate(&SamplingDefects, 3, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&SamplingDefects, &q).unwrap();
        let Expected::Choice { options, correct } = &mut q.slots[0].expected else { panic!() };
        assert!(options[*correct].text.starts_with("A rotating sweep"));
        *correct = options.iter().position(|o| o.text.starts_with("A fresh random")).unwrap();
        assert!(crate::family::cross_check(&SamplingDefects, &q).is_err());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&SamplingDefects, &["ask=detect".into(), "objects=200".into(), "corrupted=3".into(), "checked=60".into()]).unwrap();
        let mut q = generate(&SamplingDefects, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&SamplingDefects, &q).unwrap();
        q.slots[0].expected = Expected::sig(1.0 - 60.0 * 3.0 / 200.0, 3); // 1 − n·D/N
        assert!(crate::family::cross_check(&SamplingDefects, &q).is_err());
        let pins = parse_pins(&SamplingDefects, &["ask=sample_size".into(), "objects=1000".into(), "corrupted=1".into(), "target=0.9".into()]).unwrap();
        let mut q = generate(&SamplingDefects, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&SamplingDefects, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 700 };
        assert!(crate::family::cross_check(&SamplingDefects, &q).is_err());
    }

}
