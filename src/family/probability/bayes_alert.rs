//! `probability.bayes_alert`: a monitoring alert fires; how likely is a real incident?
//!
//! **Asked**: P(incident | alert) = s·b / (s·b + f·(1 − b)), for an alert with sensitivity s
//! (P(alert | incident)), false-positive rate f (P(alert | no incident)) per check, and base rate b
//! (the fraction of checks during an incident). At hard difficulty a second, independent alert with
//! its own s and f must also fire (`alerts` = 2), which multiplies the likelihood ratios.
//!
//! **Parameters.** `sensitivity` s: 0.80–0.99; `false_positive` f: easy 0.01–0.10, medium
//! 0.005–0.05, hard 0.001–0.02; `base_rate` b: easy 0.01–0.10, medium 0.001–0.02, hard
//! 0.0005–0.01; `alerts` 1 or 2.
//!
//! **Key.** Bayes' rule on the stated numbers.
//!
//! **Second route.** Monte Carlo over checks: draw incident/no incident with the base rate, then
//! each alert with its conditional probability, and estimate P(incident | all alerts fired) from
//! the checks where they fired (stratified so rare incidents are still sampled enough).
//!
//! **Pitfalls**: base-rate neglect (answering s, or 1 − f); multiplying s·b without normalising.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct BayesAlert;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "alerts",
        help: "independent alerts that must all fire (1 or 2)",
        kind: ParamKind::Int {
            min: 1,
            max: 2,
            draw: [(1, 1), (1, 1), (1, 2)],
        },
    },
    ParamSpec {
        key: "sensitivity",
        help: "P(alert | incident)",
        kind: ParamKind::Real {
            min: 0.01,
            max: 1.0,
            step: 0.01,
            draw: [(0.8, 0.99), (0.8, 0.99), (0.8, 0.99)],
        },
    },
    ParamSpec {
        key: "false_positive",
        help: "P(alert | no incident)",
        kind: ParamKind::Real {
            min: 0.0001,
            max: 0.5,
            step: 0.001,
            draw: [(0.01, 0.1), (0.005, 0.05), (0.001, 0.02)],
        },
    },
    ParamSpec {
        key: "base_rate",
        help: "P(incident) for a random check",
        kind: ParamKind::Real {
            min: 0.0001,
            max: 0.5,
            step: 0.0005,
            draw: [(0.01, 0.1), (0.001, 0.02), (0.0005, 0.01)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    alerts: Vec<(f64, f64)>,
    b: f64,
}

/// P(incident | every alert fired), alerts independent given the state.
pub fn posterior(alerts: &[(f64, f64)], b: f64) -> f64 {
    let hit: f64 = alerts.iter().map(|a| a.0).product::<f64>() * b;
    let false_hit: f64 = alerts.iter().map(|a| a.1).product::<f64>() * (1.0 - b);
    hit / (hit + false_hit)
}

/// Stratified simulation: P(fire | incident) and P(fire | quiet) each from simulated checks, then
/// combined with the base rate. Returns the posterior estimate with a delta-method standard error.
fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> Estimate {
    let n = 30_000;
    let fire = |g: &mut rand_chacha::ChaCha8Rng, incident: bool| {
        s.alerts
            .iter()
            .all(|(sens, fp)| g.random::<f64>() < if incident { *sens } else { *fp })
    };
    let p1 = mc::probability(n, rng, |g| fire(g, true));
    let p0 = mc::probability(n, rng, |g| fire(g, false));
    let (x, y) = (p1.mean * s.b, p0.mean * (1.0 - s.b));
    let post = x / (x + y);
    // d post/d p1 = b·y/(x+y)², d post/d p0 = −(1−b)·x/(x+y)².
    let d1 = s.b * y / (x + y).powi(2);
    let d0 = (1.0 - s.b) * x / (x + y).powi(2);
    // Standard errors implied by the exact rates keep a run that saw no false alarm honest.
    let se1 = p1.stderr.max((p1.mean * (1.0 - p1.mean) / n as f64).sqrt());
    let exact0: f64 = s.alerts.iter().map(|a| a.1).product();
    let se0 = p0.stderr.max((exact0 * (1.0 - exact0) / n as f64).sqrt());
    Estimate::derived(post, ((d1 * se1).powi(2) + (d0 * se0).powi(2)).sqrt(), 2 * n, false)
}

impl Family for BayesAlert {
    fn id(&self) -> &'static str {
        "probability.bayes_alert"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Bayes and alerting: is the page real?"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `alerts` is the number of alerts listed.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["alerts"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let count = cx.int("alerts") as usize;
        let b = cx.real("base_rate");
        let mut alerts = vec![(cx.real("sensitivity"), cx.real("false_positive"))];
        if count == 2 {
            // The second alert's numbers are drawn from the same ranges, not pinned.
            let s2 = (cx.rng().random_range(80..=99) as f64) / 100.0;
            let f2 = (cx.rng().random_range(5..=50) as f64) / 1000.0;
            alerts.push((s2, f2));
        }
        let s = Scenario { alerts, b };
        let v = posterior(&s.alerts, b);
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        let (s1, f1) = s.alerts[0];
        let mut prompt = Content::new().p(format!(
            "A health check runs every minute. During **{}%** of minutes the service really has an \
             incident. The latency alert fires in {}% of incident minutes (sensitivity) and in {}% of \
             healthy minutes (false positives).",
            crate::answer::trim_float(b * 100.0),
            crate::answer::trim_float(s1 * 100.0),
            crate::answer::trim_float(f1 * 100.0)
        ));
        if let Some((s2, f2)) = s.alerts.get(1) {
            prompt = prompt.p(format!(
                "An independent error-rate alert fires in {}% of incident minutes and {}% of healthy \
                 minutes; given the state, the two alerts fire independently. **Both** alerts fire.",
                crate::answer::trim_float(s2 * 100.0),
                crate::answer::trim_float(f2 * 100.0)
            ));
        } else {
            prompt = prompt.p("The alert fires.");
        }
        prompt = prompt.p("What is the probability that there really is an incident?");
        let like_hit: f64 = s.alerts.iter().map(|a| a.0).product();
        let like_false: f64 = s.alerts.iter().map(|a| a.1).product();
        let solution = Content::new()
            .p(format!(
                "Bayes' rule: P(incident | alert) = P(alert | incident)·P(incident) / P(alert), where \
                 P(alert) = {} × {} + {} × {}.",
                fmt_sig(like_hit, 4),
                crate::answer::trim_float(b),
                fmt_sig(like_false, 4),
                crate::answer::trim_float(1.0 - b)
            ))
            .p(format!(
                "= {} / ({} + {}) = **{}**.",
                fmt_sig(like_hit * b, 4),
                fmt_sig(like_hit * b, 4),
                fmt_sig(like_false * (1.0 - b), 4),
                fmt_sig(v, 3)
            ))
            .p(format!(
                "Answering the sensitivity ({}) is base-rate neglect: incidents are rare, so most \
                 alerts come from the much larger pool of healthy minutes.",
                crate::answer::trim_float(s1)
            ));
        let evidence = Content::new().p(format!(
            "Monte Carlo: {} simulated minutes (stratified by state); posterior {}.",
            est.n,
            est.describe(4)
        ));
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new("P(incident | alert)", Expected::sig(v, 3))],
            solution,
            evidence,
        )
        .with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let est = simulate(&s, &mut cx.sim_rng("check"));
        if est.agrees_with(*value) {
            Ok(())
        } else {
            Err(CheckError(format!("key {value}, simulation {}", est.describe(4))))
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
        stress(&BayesAlert, 0..30).unwrap();
    }

    #[test]
    fn the_textbook_screening_example() {
        // 99% sensitive, 1% false positives, 1% prevalence: exactly one half.
        assert!((posterior(&[(0.99, 0.01)], 0.01) - 0.5).abs() < 1e-12);
        // Two such independent tests: 0.99²·0.01 / (0.99²·0.01 + 0.01²·0.99) = 0.99.
        assert!((posterior(&[(0.99, 0.01), (0.99, 0.01)], 0.01) - 0.99).abs() < 1e-12);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&BayesAlert, &["alerts=1".into(), "sensitivity=0.99".into(), "false_positive=0.01".into(), "base_rate=0.01".into()]).unwrap();
        let q = generate(&BayesAlert, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.500");
    }

    #[test]
    fn the_cross_check_catches_base_rate_neglect() {
        let pins = parse_pins(&BayesAlert, &["alerts=1".into(), "sensitivity=0.9".into(), "false_positive=0.05".into(), "base_rate=0.02".into()]).unwrap();
        let mut q = generate(&BayesAlert, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&BayesAlert, &q).unwrap();
        // Base-rate neglect: the sensitivity; and the unnormalised s·b.
        for wrong in [0.9, 0.9 * 0.02] {
            q.slots[0].expected = Expected::sig(wrong, 3);
            assert!(crate::family::cross_check(&BayesAlert, &q).is_err(), "{wrong}");
        }
    }
}
