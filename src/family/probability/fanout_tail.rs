//! `probability.fanout_tail`: tail latency at scale. A request fans out to N backends in parallel
//! and is slow when any one of them is slow.
//!
//! **Asked** (`ask`):
//! - `slow`: P(the request is slow) = 1 − (1 − p)^N; at hard, two tiers of backends with different
//!   p: 1 − (1 − p₁)^N₁ (1 − p₂)^N₂ (3 significant figures).
//! - `largest_n`: the largest fan-out N that keeps P(slow) at or below a target t.
//!
//! **Parameters.** `backends` N: easy 5–50, medium 10–200, hard 20–500; `p`: easy 1–5%, medium
//! 0.1–2%, hard 0.1–1% (on a 0.1% grid); `target` 5–50% (1% grid); `tiers`: one, or two at hard.
//!
//! **Key.** The closed form for `slow`; for `largest_n`, a walk up N through the closed form
//! until it first exceeds t.
//!
//! **Second route.** `slow`: Monte Carlo with `rand_distr::Binomial` (the number of slow
//! backends in each simulated request), within `K_SIGMA` standard errors; that run is the one the
//! evidence shows, run once in `generate` from its own RNG stream, and its estimate travels in the
//! scenario for `cross_check`. `largest_n`: the
//! logarithmic inversion ⌊ln(1 − t) / ln(1 − p)⌋, which must give the same N; the generator
//! re-draws (boundedly) when that ratio is within 10⁻⁶ of an integer, so the answer never hangs
//! on rounding. A Monte Carlo estimate at N and N + 1 is shown as evidence.
//!
//! **Pitfalls**: adding probabilities (N·p, which exceeds 1 for large N); answering the
//! probability that *all* backends are slow.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};

/// The family.
pub struct FanoutTail;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "slow: P(request slow); largest_n: the largest fan-out meeting a target",
        kind: ParamKind::Choice {
            options: &["slow", "largest_n"],
            draw: [&["slow"], &["slow", "largest_n"], &["slow", "largest_n"]],
        },
    },
    ParamSpec {
        key: "tiers",
        help: "one tier of backends, or two with different slow rates (slow variant)",
        kind: ParamKind::Choice {
            options: &["one", "two"],
            draw: [&["one"], &["one"], &["two"]],
        },
    },
    ParamSpec {
        key: "backends",
        help: "fan-out N (first tier)",
        kind: ParamKind::Int {
            min: 1,
            max: 5000,
            draw: [(5, 50), (10, 200), (20, 500)],
        },
    },
    ParamSpec {
        key: "p",
        help: "probability that one backend call is slow",
        kind: ParamKind::Real {
            min: 0.0001,
            max: 0.5,
            step: 0.001,
            draw: [(0.01, 0.05), (0.001, 0.02), (0.001, 0.01)],
        },
    },
    ParamSpec {
        key: "backends2",
        help: "second tier's fan-out (two tiers)",
        kind: ParamKind::Int {
            min: 1,
            max: 5000,
            draw: [(2, 10), (2, 10), (2, 20)],
        },
    },
    ParamSpec {
        key: "p2",
        help: "second tier's slow probability (two tiers)",
        kind: ParamKind::Real {
            min: 0.0001,
            max: 0.5,
            step: 0.01,
            draw: [(0.02, 0.1), (0.02, 0.1), (0.02, 0.1)],
        },
    },
    ParamSpec {
        key: "target",
        help: "the largest acceptable P(request slow) (largest_n variant)",
        kind: ParamKind::Real {
            min: 0.01,
            max: 0.9,
            step: 0.01,
            draw: [(0.05, 0.5), (0.05, 0.5), (0.05, 0.3)],
        },
    },
];

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    /// (fan-out, slow probability) per tier.
    tiers: Vec<(u64, f64)>,
    target: f64,
    /// For `slow`: the evidence's simulated P(slow), which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slow: Option<Estimate>,
}

/// P(at least one slow backend): the complement of "every backend is fast".
pub fn p_slow(tiers: &[(u64, f64)]) -> f64 {
    let log_fast: f64 = tiers.iter().map(|(n, p)| *n as f64 * (-p).ln_1p()).sum();
    -log_fast.exp_m1()
}

/// The largest N with p_slow(N, p) ≤ t, by walking up N.
fn largest_n(p: f64, t: f64) -> u64 {
    let mut n = 0;
    while n < 1_000_000 && p_slow(&[(n + 1, p)]) <= t {
        n += 1;
    }
    n
}

/// Simulated requests: each draws its number of slow backends per tier from a binomial.
fn simulate(tiers: &[(u64, f64)], trials: u64, rng: &mut rand_chacha::ChaCha8Rng) -> Estimate {
    let dists: Vec<Binomial> = tiers
        .iter()
        .filter_map(|(n, p)| Binomial::new(*n, *p).ok())
        .collect();
    mc::probability(trials, rng, |r| dists.iter().any(|d| d.sample(r) > 0))
}

fn pct(p: f64) -> String {
    let s = format!("{:.2}", p * 100.0);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

impl Family for FanoutTail {
    fn id(&self) -> &'static str {
        "probability.fanout_tail"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Tail latency of a fan-out request"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("slow", [2, 3, 4], &["tail-at-scale"]),
            Ask::new("largest_n", [3, 4, 5], &["tail-at-scale", "logarithm-inversion"]),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(a fan-out request is slow); the largest fan-out meeting an SLO",
            key: "closed form (exact by hand with a calculator)",
            second_route: "Monte Carlo with `rand_distr::Binomial`; logarithmic inversion",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        if ask == "largest_n" {
            return largest_question(cx);
        }
        let two = cx.pick("tiers") == "two";
        let n = cx.int("backends") as u64;
        let p = cx.real("p");
        // A pin that makes every request slow (P prints as 1.00 even at the fewest backends and the
        // lowest rate this draw allows) is refused here, not redrawn 64 times.
        let (fewest, lowest) = (cx.int_bounds("backends").0 as u64, cx.real_bounds("p").0);
        // Only `slow` uses `backends`, so a pinned fan-out rules out `largest_n`.
        let only_slow = cx.is_pinned("backends") || cx.choice_options("ask") == ["slow"];
        if only_slow && p_slow(&[(fewest, lowest)]) >= 0.9995 {
            return Err(GenError::Params {
                message: format!(
                    "with {fewest} backends each slow with probability {}, P(a request is slow) prints as 1.00: every request is slow, and there is nothing to compute",
                    pct(lowest)
                ),
                hint: "pin fewer backends or a lower `p` (P(slow) = 1 − (1 − p)^N)".into(),
            });
        }
        let mut tiers = vec![(n, p)];
        if two {
            tiers.push((cx.int("backends2") as u64, cx.real("p2")));
        }
        let answer = p_slow(&tiers);
        let est = simulate(&tiers, 100_000, &mut cx.sim_rng("mc"));
        let mut prompt = Content::new();
        if two {
            let (n2, p2) = tiers[1];
            prompt = prompt.p(format!(
                "A search request fans out in parallel to **{n}** index shards and **{n2}** ranking \
                 servers, and returns when all of them have answered. Each shard call is slow (over \
                 200 ms) with probability **{}**, each ranking call with probability **{}**, all \
                 independently.",
                pct(p),
                pct(p2)
            ));
        } else {
            prompt = prompt.p(format!(
                "A request to an API gateway fans out in parallel to **{n}** backends and returns \
                 when all of them have answered. Each backend call is slow (over 200 ms) with \
                 probability **{}**, independently of the others.",
                pct(p)
            ));
        }
        prompt = prompt.p(
            "What is the probability that a request is slow, that is, waits on at least one slow \
             call? Give it as a decimal.",
        );
        let fast_terms: Vec<String> = tiers
            .iter()
            .map(|(n, p)| format!("$(1 - {p})^({n}) = {}$", fmt_sig((1.0 - p).powi(*n as i32), 5)))
            .collect();
        let naive: f64 = tiers.iter().map(|(n, p)| *n as f64 * p).sum();
        let solution = Content::new()
            .p("The request is fast only if every call is fast. Calls are independent, so multiply:")
            .list(fast_terms)
            .p(format!(
                "P(slow) = 1 − P(all fast) = 1 − {} = **{}**.",
                fmt_sig(1.0 - answer, 5),
                fmt_sig(answer, 3)
            ))
            .p(format!(
                "Adding the probabilities instead ($N p = {}$) overstates it{}: that is the union \
                 bound, not the answer.",
                fmt_sig(naive, 3),
                if naive > 1.0 { ", past 1 even" } else { "" }
            ));
        let evidence = Content::new().p(format!(
            "Monte Carlo with `rand_distr::Binomial`: {} simulated requests, each drawing its number \
             of slow calls per tier; fraction with at least one: {}.",
            est.n,
            est.describe(3)
        ));
        let scenario = Scenario {
            ask: ask.into(),
            tiers,
            target: 0.0,
            slow: Some(est),
        };
        // The per-call slow rate that would keep one tier's requests slow at most 1% of the time.
        let (n1, p1) = scenario.tiers[0];
        let p_for_1pct = -((0.99f64.ln()) / n1 as f64).exp_m1();
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new("P(request is slow)", Expected::sig(answer, 3)).exact_by_hand()],
            solution,
            evidence,
        )
        .contrast(Contrast::new("exact vs union bound", fmt_sig(answer, 3), fmt_sig(naive, 3)))
        .followup(
            FollowUp::new(
                format!("How rare must a slow call be for only 1% of requests to be slow at a fan-out of {n1}?"),
                format!(
                    "$1 - 0.99^(1/{n1}) = {}$, about 1/{} of calls, against {} now: fan-out multiplies tail latency.",
                    fmt_sig(p_for_1pct, 3),
                    fmt_sig(1.0 / p_for_1pct, 3),
                    pct(p1)
                ),
            )
            .point("the tail at scale (Dean and Barroso): hedged or tied requests, fewer backends per request"),
        )
        .with_scenario(&scenario))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match (s.ask.as_str(), q.expected(0)?) {
            ("slow", Expected::Real { value, .. }) => {
                let est = s.slow.ok_or_else(|| CheckError("the scenario lacks the simulated P(slow)".into()))?;
                if est.agrees_with(*value) {
                    Ok(())
                } else {
                    Err(CheckError(format!(
                        "key {value} but simulation gives {}",
                        est.describe(4)
                    )))
                }
            }
            ("largest_n", Expected::Integer { value }) => {
                let (_, p) = s.tiers[0];
                let by_logs = ((-s.target).ln_1p() / (-p).ln_1p()).floor() as i64;
                CheckError::expect_eq("largest N (⌊ln(1−t)/ln(1−p)⌋)", *value, by_logs)
            }
            (ask, e) => Err(CheckError(format!("unexpected slot {e:?} for ask={ask}"))),
        }
    }
}

fn largest_question(cx: &mut Ctx) -> Result<Question, GenError> {
    let mut p = 0.0;
    let mut t = 0.0;
    let mut ratio = 0.0;
    for attempt in 0..40 {
        p = cx.real("p");
        t = cx.real("target");
        ratio = (-t).ln_1p() / (-p).ln_1p();
        if (ratio - ratio.round()).abs() > 1e-6 && ratio >= 1.0 {
            break;
        }
        if (cx.is_pinned("p") && cx.is_pinned("target")) || attempt == 39 {
            return Err(GenError::Params {
                message: format!("p = {p} and target = {t} put the answer on a boundary (or below 1)"),
                hint: "choose a target larger than p, or nudge either value".into(),
            });
        }
    }
    let n = largest_n(p, t);
    let at_n = p_slow(&[(n, p)]);
    let above = p_slow(&[(n + 1, p)]);
    let mut rng = cx.sim_rng("mc");
    let est_n = simulate(&[(n, p)], 50_000, &mut rng);
    let est_above = simulate(&[(n + 1, p)], 50_000, &mut rng);
    let prompt = Content::new()
        .p(format!(
            "A service answers each request by calling N backends in parallel and waiting for all of \
             them. Each backend call is slow (over 200 ms) with probability **{}**, independently. \
             The SLO allows at most **{}** of requests to be slow.",
            pct(p),
            pct(t)
        ))
        .p("What is the largest fan-out N that meets the SLO?");
    let solution = Content::new()
        .p(format!(
            "P(slow) = $1 - (1 - p)^N <= t <=> (1 - p)^N >= 1 - t <=> N <= ln(1 - t) / ln(1 - p) = \
             ln({}) / ln({}) = {}$.",
            fmt_sig(1.0 - t, 4),
            fmt_sig(1.0 - p, 4),
            fmt_sig(ratio, 6)
        ))
        .p(format!(
            "N = {n} gives P(slow) = {} ≤ {}; N = {} gives {} > {}. The answer is **{n}**.",
            fmt_sig(at_n, 4),
            pct(t),
            n + 1,
            fmt_sig(above, 4),
            pct(t)
        ))
        .p(format!(
            "The linear estimate t/p = {} is too cautious: slow calls overlap, so P(slow) grows more slowly than N·p.",
            fmt_sig(t / p, 4)
        ));
    let evidence = Content::new().p(format!(
        "Monte Carlo with `rand_distr::Binomial`: at N = {n}, P(slow) ≈ {}; at N = {}, ≈ {}.",
        est_n.describe(3),
        n + 1,
        est_above.describe(3)
    ));
    let scenario = Scenario {
        ask: "largest_n".into(),
        tiers: vec![(n, p)],
        target: t,
        slow: None,
    };
    Ok(Question::new(
        prompt,
        vec![AnswerSlot::new(
            "the largest N",
            Expected::Integer { value: n as i64 },
        )
        .by_hand("$N <= ln(1 - t) / ln(1 - p)$, rounded down", ratio.floor())],
        solution,
        evidence,
    )
    .contrast(Contrast::new("exact vs linear t/p", n, (t / p).floor()))
    .followup(
        FollowUp::new(
            format!("What if the SLO is tightened to half, {}?", pct(t / 2.0)),
            format!(
                "The largest fan-out becomes {}: for small t the answer is nearly proportional to t.",
                largest_n(p, t / 2.0)
            ),
        )
        .point("to fan out wider, cut the per-call tail (hedging) rather than the SLO"),
    )
    .with_scenario(&scenario))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&FanoutTail, 0..30).unwrap();
    }

    #[test]
    fn gives_the_tail_at_scale_figure() {
        // Dean & Barroso, "The Tail at Scale" (2013): 100 servers each slow 1% of the time make
        // 63% of requests slow.
        assert!((p_slow(&[(100, 0.01)]) - 0.634).abs() < 5e-4);
        // By hand: 1 − 0.99^68 = 0.495 ≤ 0.5 and 1 − 0.99^69 = 0.500 2 > 0.5.
        assert_eq!(largest_n(0.01, 0.5), 68);
    }

    #[test]
    fn pins_are_used_and_bad_ones_refused() {
        let pins = parse_pins(&FanoutTail, &["ask=slow".into(), "backends=100".into(), "p=0.01".into()]).unwrap();
        let q = generate(&FanoutTail, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.634");
        let bad = parse_pins(&FanoutTail, &["ask=largest_n".into(), "p=0.2".into(), "target=0.1".into()]).unwrap();
        assert!(generate(&FanoutTail, 1, Difficulty::Medium, &bad).is_err());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["slow", "largest_n"] {
            let pins = parse_pins(&FanoutTail, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&FanoutTail, 4, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&FanoutTail, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                // 20% off: 5% is only about 7 standard errors at this draw (P = 0.165, 100,000
                // trials), so whether it failed depended on where the run landed.
                Expected::Real { value, .. } => Expected::sig(value * 1.2, 3),
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                e => e.clone(),
            };
            assert!(crate::family::cross_check(&FanoutTail, &q).is_err(), "{ask}");
        }
    }

}
