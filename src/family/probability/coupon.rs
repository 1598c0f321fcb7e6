//! `probability.coupon`: the coupon collector, as requests routed to shards uniformly at random.
//!
//! **Asked** (`ask`):
//! - `all`: the expected number of requests until every one of n shards has been hit at least
//!   once, n·H_n (a cache warm-up, a crawler touching every partition);
//! - `distinct`: the expected number of distinct shards hit after t requests, n(1 − (1 − 1/n)^t).
//!
//! Both to 3 significant figures.
//!
//! **Parameters.** `shards` n: easy 4–12, medium 10–50, hard 30–200; `requests` t is drawn
//! relative to n (n/2 to 3n).
//!
//! **Key.** The exact expressions, with H_n summed term by term.
//!
//! **By hand.** `all`: H_n summed for n ≤ 12, else H_n ≈ ln n + 0.5772 + 1/(2n) (within
//! 1/(12n²), far inside 3 significant figures). `distinct`: exact with a calculator (one power).
//!
//! **Second route.** Monte Carlo: simulate the random routing (uniform shard per request) and
//! average; the key must lie within `K_SIGMA` standard errors. That run is the one the
//! evidence shows: it runs once, in `generate`, from its own RNG stream, its estimate travels in
//! the scenario, and `cross_check` tests it against the key.
//!
//! **Pitfalls**: n·ln n for n·H_n (off by about 0.577·n); t for the distinct count (forgetting
//! repeats).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Coupon;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "all: expected requests until every shard is hit; distinct: expected shards hit after t requests",
        kind: ParamKind::Choice {
            options: &["all", "distinct"],
            draw: [&["all", "distinct"], &["all", "distinct"], &["all", "distinct"]],
        },
    },
    ParamSpec {
        key: "shards",
        help: "number of shards n",
        kind: ParamKind::Int {
            min: 2,
            max: 1000,
            draw: [(4, 12), (10, 50), (30, 200)],
        },
    },
    ParamSpec {
        key: "requests",
        help: "requests t (distinct variant; drawn between n/2 and 3n)",
        kind: ParamKind::Int {
            min: 1,
            max: 100_000,
            draw: [(2, 36), (5, 150), (15, 600)],
        },
    },
];

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u64,
    t: u64,
}

/// The scenario as the question stores it: the draw, and the estimate of the simulation the
/// evidence shows, which the cross-check tests against the key.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    s: Scenario,
    mc: mc::Estimate,
}

/// The n-th harmonic number.
pub fn harmonic(n: u64) -> f64 {
    (1..=n).map(|i| 1.0 / i as f64).sum()
}

/// Expected distinct shards after t uniform requests over n shards.
pub fn expected_distinct(n: u64, t: u64) -> f64 {
    n as f64 * -((t as f64) * (-1.0 / n as f64).ln_1p()).exp_m1()
}

/// Simulates `trials` runs; each returns requests-until-all (`all`) or distinct-after-t.
fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> Estimate {
    let n = s.n as usize;
    let per_trial = if s.ask == "all" {
        (s.n as f64 * harmonic(s.n)) as u64
    } else {
        s.t
    };
    // About a million draws, at least 300 runs (so 1,000 shards cost 2·10⁶, not 1.5·10⁷).
    let trials = (1_000_000 / per_trial.max(1)).clamp(300, 50_000);
    let mut seen = vec![0u32; n];
    let mut epoch = 0u32;
    mc::mean(trials, rng, |r| {
        epoch += 1;
        let mut distinct = 0usize;
        if s.ask == "all" {
            let mut requests = 0u64;
            while distinct < n {
                requests += 1;
                let k = r.random_range(0..n);
                if seen[k] != epoch {
                    seen[k] = epoch;
                    distinct += 1;
                }
            }
            requests as f64
        } else {
            for _ in 0..s.t {
                let k = r.random_range(0..n);
                if seen[k] != epoch {
                    seen[k] = epoch;
                    distinct += 1;
                }
            }
            distinct as f64
        }
    })
}

impl Family for Coupon {
    fn id(&self) -> &'static str {
        "probability.coupon"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Coupon collector: covering every shard"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("all", [3, 4, 5], &["coupon-collector"]),
            Ask::new("distinct", [3, 3, 4], &["coupon-collector", "linearity-of-expectation"]),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "requests until every shard is hit (n·H_n); distinct shards after t requests",
            key: "closed form",
            second_route: "Monte Carlo of the routing",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("shards") as u64;
        let t = if ask == "distinct" {
            cx.int_within("requests", (n / 2).max(1) as i64, 3 * n as i64, 1) as u64
        } else {
            0
        };
        let s = Scenario {
            ask: ask.into(),
            n,
            t,
        };
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        let (prompt, answer, solution, ask_text) = if ask == "all" {
            let h = harmonic(n);
            let answer = n as f64 * h;
            let terms: Vec<String> = (1..=n.min(4)).map(|i| format!("{n}/{}", n + 1 - i)).collect();
            let prompt = Content::new()
                .p(format!(
                    "A cache cluster has **{n}** shards. After a restart, every request goes to a \
                     shard chosen uniformly at random, independently, and warms it."
                ))
                .p("On average, how many requests does it take until every shard has received at least one?");
            let solution = Content::new()
                .p(format!(
                    "Split the wait into stages: with i shards warm, a request hits a cold one with \
                     probability $(n - i)/n$, so the stage lasts $n/(n - i)$ requests on average \
                     (geometric). Summing: ${} + dots + {n}/1 = n H_n$.",
                    terms.join(" + ")
                ))
                .p(format!(
                    "$H_({n}) = 1 + 1/2 + dots + 1/{n} = {}$ (for large n, $H_n approx ln n + 0.5772 + 1/(2n)$), so E[requests] = {n} × {} = **{}**.",
                    fmt_sig(h, 6),
                    fmt_sig(h, 6),
                    fmt_sig(answer, 3)
                ))
                .p(format!(
                    "The shortcut $n ln n$ = {} undercounts by about 0.577·n (Euler's constant).",
                    fmt_sig(n as f64 * (n as f64).ln(), 4)
                ));
            (prompt, answer, solution, "expected requests until every shard is hit")
        } else {
            let answer = expected_distinct(n, t);
            let miss = (1.0 - 1.0 / n as f64).powi(t as i32);
            let prompt = Content::new()
                .p(format!(
                    "A crawler sends **{t}** requests, each to one of **{n}** partitions chosen \
                     uniformly at random, independently."
                ))
                .p("What is the expected number of distinct partitions that received at least one request?");
            let solution = Content::new()
                .p(format!(
                    "By linearity of expectation, add up each partition's chance of being hit. One \
                     partition is missed by all {t} requests with probability $(1 - 1/{n})^({t}) = {}$.",
                    fmt_sig(miss, 5)
                ))
                .p(format!(
                    "E[distinct] = {n} × (1 − {}) = **{}**, fewer than {t} because requests repeat \
                     partitions.",
                    fmt_sig(miss, 5),
                    fmt_sig(answer, 3)
                ));
            (prompt, answer, solution, "expected distinct partitions hit")
        };
        let evidence = Content::new().p(format!(
            "Monte Carlo: {} simulated runs of uniform random routing; mean {}.",
            est.n,
            est.describe(4)
        ));
        let nf = n as f64;
        let slot = AnswerSlot::new(ask_text, Expected::sig(answer, 3));
        let q = if ask == "all" {
            let h_hand = if n <= 12 { harmonic(n) } else { nf.ln() + 0.5772 + 1.0 / (2.0 * nf) };
            Question::new(
                prompt,
                vec![slot.by_hand(
                    if n <= 12 { "n·H_n with H_n summed term by term" } else { "n·H_n with $H_n approx ln n + 0.5772 + 1/(2n)$" },
                    nf * h_hand,
                )],
                solution,
                evidence,
            )
            .contrast(Contrast::new("n·H_n vs n·ln n", fmt_sig(answer, 3), fmt_sig(nf * nf.ln(), 3)))
            .followup(
                FollowUp::new(
                    "How many of those requests go to warming the last shard alone?",
                    format!(
                        "{n} on average (the last stage is geometric with success probability 1/{n}); all but the last shard take {}.",
                        fmt_sig(nf * (harmonic(n) - 1.0), 3)
                    ),
                )
                .point("the tail of the coupon collector dominates: warm shards explicitly rather than by random traffic"),
            )
        } else {
            // Requests until 90% of partitions are expected to be hit: (1 − 1/n)^t ≤ 0.1.
            let t90 = (0.1f64.ln() / (-1.0 / nf).ln_1p()).ceil();
            Question::new(prompt, vec![slot.exact_by_hand()], solution, evidence)
                .contrast(Contrast::new("distinct vs requests", fmt_sig(answer, 3), t))
                .followup(FollowUp::new(
                    "How many requests until 90% of the partitions are expected to have been hit?",
                    format!("{t90} requests: $(1 - 1/{n})^t <= 0.1$, about $n ln 10$ = {}.", fmt_sig(nf * 10f64.ln(), 3)),
                ))
        };
        Ok(q.with_scenario(&Stored { s, mc: est }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let Stored { mc: est, .. } = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        if est.agrees_with(*value) {
            Ok(())
        } else {
            Err(CheckError(format!(
                "key {value} but simulation gives {}",
                est.describe(4)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cross_check_tests_the_evidence_run() {
        // The check reads the estimate the evidence shows (no second run): moving the stored
        // mean 20% away from the key fails it.
        let mut q = crate::family::generate(&Coupon, 5, crate::family::Difficulty::Medium, &crate::family::Pins::new()).unwrap();
        crate::family::cross_check(&Coupon, &q).unwrap();
        let mean = q.scenario["mc"]["mean"].as_f64().unwrap();
        q.scenario["mc"]["mean"] = (1.2 * mean).into();
        assert!(crate::family::cross_check(&Coupon, &q).is_err());
    }
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Coupon, 0..30).unwrap();
    }

    #[test]
    fn gives_the_dice_figure() {
        // Rolling a die until every face shows: 6·H_6 = 6 × 49/20 = 14.7 rolls.
        assert!((6.0 * harmonic(6) - 14.7).abs() < 1e-12);
        // Two requests over two shards: both hit with probability 1/2, so 1.5 distinct.
        assert!((expected_distinct(2, 2) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Coupon, &["ask=all".into(), "shards=6".into()]).unwrap();
        let q = generate(&Coupon, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "14.7");
        let pins = parse_pins(&Coupon, &["ask=distinct".into(), "shards=2".into(), "requests=2".into()]).unwrap();
        let q = generate(&Coupon, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "1.50");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["all", "distinct"] {
            let pins = parse_pins(&Coupon, &[format!("ask={ask}"), "shards=40".into()]).unwrap();
            let mut q = generate(&Coupon, 4, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&Coupon, &q).unwrap();
            // n·ln n instead of n·H_n; or t/n too many.
            let Expected::Real { value, .. } = q.slots[0].expected else { panic!() };
            q.slots[0].expected = Expected::sig(value * 0.9, 3);
            assert!(crate::family::cross_check(&Coupon, &q).is_err(), "{ask}");
        }
    }

    #[test]
    fn the_hand_route_and_the_follow_up() {
        // H_100 = 5.18737751763962 (tables); ln 100 + 0.5772 + 1/200 = 5.18737 by hand.
        let pins = parse_pins(&Coupon, &["ask=all".into(), "shards=100".into()]).unwrap();
        let q = generate(&Coupon, 1, Difficulty::Hard, &pins).unwrap();
        let Expected::Real { value, tolerance } = q.slots[0].expected else { panic!() };
        assert!((value - 518.737751763962).abs() < 1e-9);
        assert!(tolerance.window(value).contains(q.slots[0].hand.as_ref().unwrap().value));
        // Six shards: all but the last take 6·(H_6 − 1) = 6 × 1.45 = 8.70 requests.
        let pins = parse_pins(&Coupon, &["ask=all".into(), "shards=6".into()]).unwrap();
        let q = generate(&Coupon, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.followups[0].answer.contains("take 8.70"), "{}", q.followups[0].answer);
    }
}
