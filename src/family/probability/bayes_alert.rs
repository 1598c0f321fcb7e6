//! `probability.bayes_alert`: a monitoring alert fires; how likely is a real incident?
//!
//! **Asked**: P(incident | alert) = s·b / (s·b + f·(1 − b)), for an alert with sensitivity s
//! (P(alert | incident)), false-positive rate f (P(alert | no incident)) per check, and base rate b
//! (the fraction of checks during an incident). At hard difficulty a second, independent alert with
//! its own s and f must also fire (`alerts` = 2), which multiplies the likelihood ratios.
//!
//! **Asked** (`ask`): `posterior` as above; `policy` (judgment): with two independent alerts, page
//! on the latency alert, on the error alert, on either, or only on both? The team wants at least
//! half of its pages to be real incidents and, among the policies that manage that, the fewest
//! missed incidents. The key computes each policy's precision and sensitivity and picks; the
//! distractors are the named reflexes (the most sensitive rule, the strictest rule).
//!
//! **By hand.** Bayes' rule is exact with a calculator: two products and a division.
//!
//! **Parameters.** `sensitivity` s: 0.80–0.99; `false_positive` f: easy 0.01–0.10, medium
//! 0.005–0.05, hard 0.001–0.02; `base_rate` b: easy 0.01–0.10, medium 0.001–0.02, hard
//! 0.0005–0.01; `alerts` 1 or 2.
//!
//! **Key.** Bayes' rule on the stated numbers.
//!
//! **Second route.** Monte Carlo over checks: draw incident/no incident with the base rate, then
//! each alert with its conditional probability, and estimate P(incident | all alerts fired) from
//! the checks where they fired (stratified so rare incidents are still sampled enough). That run is
//! the one the evidence shows: it runs once, in `generate`, from its own RNG stream, and its
//! estimate travels in the scenario for `cross_check` (`policy`'s evidence simulates nothing; its
//! check runs its own).
//!
//! **Pitfalls**: base-rate neglect (answering s, or 1 − f); multiplying s·b without normalising.

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct BayesAlert;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "posterior: P(incident) when the alert(s) fire; policy: which paging rule to use",
        kind: ParamKind::Choice {
            options: &["posterior", "policy"],
            draw: [&["posterior"], &["posterior", "policy"], &["posterior", "policy"]],
        },
    },
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
    #[serde(default)]
    ask: String,
    alerts: Vec<(f64, f64)>,
    b: f64,
    /// The evidence's simulated posterior (not for `policy`), which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    posterior: Option<Estimate>,
}

/// A paging rule over two alerts, with its name on the paper.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    First,
    Second,
    Either,
    Both,
}

impl Rule {
    const ALL: [Rule; 4] = [Rule::First, Rule::Second, Rule::Either, Rule::Both];

    fn text(self) -> &'static str {
        match self {
            Rule::First => "Page on the latency alert alone",
            Rule::Second => "Page on the error-rate alert alone",
            Rule::Either => "Page when either alert fires",
            Rule::Both => "Page only when both alerts fire",
        }
    }

    /// P(page | incident) and P(page | healthy) for alerts (s1, f1), (s2, f2).
    fn rates(self, a: &[(f64, f64)]) -> (f64, f64) {
        let ((s1, f1), (s2, f2)) = (a[0], a[1]);
        match self {
            Rule::First => (s1, f1),
            Rule::Second => (s2, f2),
            Rule::Either => (1.0 - (1.0 - s1) * (1.0 - s2), 1.0 - (1.0 - f1) * (1.0 - f2)),
            Rule::Both => (s1 * s2, f1 * f2),
        }
    }

    /// Precision P(incident | page) at base rate b.
    fn precision(self, a: &[(f64, f64)], b: f64) -> f64 {
        let (s, f) = self.rates(a);
        s * b / (s * b + f * (1.0 - b))
    }
}

/// The rule the team should use: the most sensitive of those whose precision is at least ½
/// (None when no rule reaches ½).
fn best_rule(a: &[(f64, f64)], b: f64) -> Option<Rule> {
    Rule::ALL
        .into_iter()
        .filter(|r| r.precision(a, b) >= 0.5)
        .fold(None, |best: Option<Rule>, r| match best {
            Some(x) if x.rates(a).0 >= r.rates(a).0 => Some(x),
            _ => Some(r),
        })
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
        2
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

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("posterior", [3, 4, 5], &["bayes-rule", "base-rate"]),
            Ask::new("policy", [5, 5, 6], &["base-rate", "alert-design"]).judgment(),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(incident given one or two alerts); which paging rule over two alerts (choice)",
            key: "Bayes' rule; each rule's precision and sensitivity compared",
            second_route: "stratified Monte Carlo over minutes",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.scenario::<Scenario>() {
            Ok(s) if s.ask == "policy" && best_rule(&s.alerts, s.b).is_none() => {
                vec!["no paging rule reaches a precision of one half".into()]
            }
            Ok(s) if s.ask == "policy" && Rule::ALL.iter().any(|r| (r.precision(&s.alerts, s.b) - 0.5).abs() < 0.02) => {
                vec!["a rule's precision is within 2 points of the one-half threshold".into()]
            }
            _ => Vec::new(),
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        if ask == "policy" {
            return policy_question(cx);
        }
        let count = cx.int("alerts") as usize;
        let b = cx.real("base_rate");
        let mut alerts = vec![(cx.real("sensitivity"), cx.real("false_positive"))];
        if count == 2 {
            // The second alert's numbers are drawn from the same ranges, not pinned.
            let s2 = (cx.rng().random_range(80..=99) as f64) / 100.0;
            let f2 = (cx.rng().random_range(5..=50) as f64) / 1000.0;
            alerts.push((s2, f2));
        }
        let mut s = Scenario { ask: ask.into(), alerts, b, posterior: None };
        let v = posterior(&s.alerts, b);
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        s.posterior = Some(est);
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
                "Bayes' rule: P(incident | alert) = P(alert | incident) × P(incident) / P(alert), where \
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
        let label = if s.alerts.len() == 2 {
            "P(incident | both alerts fired)"
        } else {
            "P(incident | the alert fired)"
        };
        let false_pages = 1440.0 * like_false * (1.0 - b);
        let break_even = like_false / (like_hit + like_false);
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new(label, Expected::sig(v, 3)).exact_by_hand()],
            solution,
            evidence,
        )
        .contrast(Contrast::new("posterior vs sensitivity", fmt_sig(v, 3), fmt_sig(like_hit, 3)))
        .followup(
            FollowUp::new(
                "How many false pages a day does this rule send, if every minute is checked?",
                format!(
                    "$1440 times {} times {} = {}$ false pages a day, against {} real incident minutes caught.",
                    fmt_sig(like_false, 3),
                    crate::answer::trim_float(1.0 - b),
                    fmt_sig(false_pages, 3),
                    fmt_sig(1440.0 * like_hit * b, 3)
                ),
            )
            .point("alert fatigue: precision matters as much as sensitivity"),
        )
        .followup(FollowUp::new(
            "At what incident rate would a page be right half the time?",
            format!(
                "When $s b = f (1 - b)$: $b = f / (s + f) = {}$, that is {}% of minutes.",
                fmt_sig(break_even, 3),
                fmt_sig(break_even * 100.0, 3)
            ),
        ))
        .with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if let Expected::Choice { options, correct } = q.expected(0)? {
            // Second route: count simulated minutes per rule (stratified by state), then apply the
            // team's criterion to the estimates; decide only where the estimates are clear.
            let n = 200_000u64;
            let mut rng = cx.sim_rng("check");
            let mut caught = [0u64; 4];
            let mut false_pages = [0u64; 4];
            for incident in [true, false] {
                for _ in 0..n {
                    let (a, b) = (s.alerts[0], s.alerts[1]);
                    let fired = [
                        rng.random::<f64>() < if incident { a.0 } else { a.1 },
                        rng.random::<f64>() < if incident { b.0 } else { b.1 },
                    ];
                    let pages = [fired[0], fired[1], fired[0] || fired[1], fired[0] && fired[1]];
                    for (i, p) in pages.iter().enumerate() {
                        if *p {
                            if incident {
                                caught[i] += 1;
                            } else {
                                false_pages[i] += 1;
                            }
                        }
                    }
                }
            }
            let text = &options[*correct].text;
            let keyed = Rule::ALL
                .into_iter()
                .position(|r| text.starts_with(r.text()))
                .ok_or_else(|| CheckError(format!("key `{text}` names no rule")))?;
            // The keyed rule must reach precision ½ (within noise), and no rule that clearly
            // reaches ½ may clearly catch more incidents.
            let precision = |i: usize| {
                let x = caught[i] as f64 / n as f64 * s.b;
                let y = false_pages[i] as f64 / n as f64 * (1.0 - s.b);
                x / (x + y).max(1e-300)
            };
            let exact = best_rule(&s.alerts, s.b).map(|r| Rule::ALL.iter().position(|x| *x == r).unwrap_or(0));
            if exact != Some(keyed) {
                return Err(CheckError(format!("key `{text}`, but the rule that meets the criterion is {exact:?}")));
            }
            mc::Estimate::from_hits(caught[keyed], n).check("keyed rule's sensitivity", Rule::ALL[keyed].rates(&s.alerts).0)?;
            mc::Estimate::from_hits(false_pages[keyed], n).check("keyed rule's false-page rate", Rule::ALL[keyed].rates(&s.alerts).1)?;
            if precision(keyed) < 0.4 {
                return Err(CheckError(format!("the keyed rule's simulated precision is {}", precision(keyed))));
            }
            return Ok(());
        }
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let est = s.posterior.ok_or_else(|| CheckError("the scenario lacks the simulated posterior".into()))?;
        if est.agrees_with(*value) {
            Ok(())
        } else {
            Err(CheckError(format!("key {value}, simulation {}", est.describe(4))))
        }
    }
}

/// The `policy` ask: two alerts, four paging rules.
fn policy_question(cx: &mut Ctx) -> Result<Question, GenError> {
    let b = cx.real("base_rate");
    let a1 = (cx.real("sensitivity"), cx.real("false_positive"));
    let s2 = (cx.rng().random_range(60..=95) as f64) / 100.0;
    let f2 = (cx.rng().random_range(1..=30) as f64) / 1000.0;
    let alerts = vec![a1, (s2, f2)];
    let best = best_rule(&alerts, b).unwrap_or(Rule::Both);
    let pct = |x: f64| format!("{}%", crate::answer::trim_float((x * 1000.0).round() / 10.0));
    let mut options: Vec<ChoiceOption> = Rule::ALL
        .into_iter()
        .map(|r| {
            let (sens, _) = r.rates(&alerts);
            let prec = r.precision(&alerts, b);
            if r == best {
                ChoiceOption::right(r.text())
            } else if prec < 0.5 {
                ChoiceOption::wrong(
                    r.text(),
                    format!(
                        "It catches {} of incidents, but only {} of its pages are real: healthy minutes vastly outnumber incident minutes (base-rate neglect).",
                        pct(sens),
                        pct(prec)
                    ),
                )
            } else {
                ChoiceOption::wrong(
                    r.text(),
                    format!(
                        "Its pages are real {} of the time, but it catches only {} of incidents, fewer than {} by the better rule.",
                        pct(prec),
                        pct(sens),
                        pct(best.rates(&alerts).0)
                    ),
                )
            }
        })
        .collect();
    let best_i = Rule::ALL.iter().position(|r| *r == best).unwrap_or(0);
    let rot = cx.rng().random_range(0..options.len());
    options.rotate_left(rot);
    let correct = (best_i + options.len() - rot) % options.len();
    let rows: Vec<Vec<String>> = Rule::ALL
        .iter()
        .map(|r| {
            let (sens, fp) = r.rates(&alerts);
            vec![r.text().to_string(), pct(sens), fmt_sig(fp, 3), pct(r.precision(&alerts, b))]
        })
        .collect();
    let either = Rule::Either.precision(&alerts, b);
    let s = Scenario { ask: "policy".into(), alerts, b, posterior: None };
    Ok(Question::new(
        Content::new()
            .p(format!(
                "A health check runs every minute. During **{}%** of minutes the service really has an incident. A latency alert fires in **{}%** of incident minutes and **{}%** of healthy minutes; an independent error-rate alert fires in {}% of incident minutes and {}% of healthy minutes (given the state, the alerts fire independently).",
                crate::answer::trim_float(b * 100.0),
                crate::answer::trim_float(a1.0 * 100.0),
                crate::answer::trim_float(a1.1 * 100.0),
                crate::answer::trim_float(s2 * 100.0),
                crate::answer::trim_float(f2 * 100.0)
            ))
            .p("The on-call team wants at least half of its pages to be real incidents, and among the rules that achieve that, the one that misses the fewest incidents. Which paging rule should it use?"),
        vec![AnswerSlot::new("the paging rule", Expected::Choice { options, correct })],
        Content::new()
            .p("For each rule, P(page | incident) and P(page | healthy) follow from independence (either: $1 - (1 - s_1)(1 - s_2)$; both: $s_1 s_2$), and Bayes' rule gives the share of pages that are real:")
            .table(["rule", "incidents caught", "P(page | healthy)", "pages that are real"], rows)
            .p(format!("**{}** is the most sensitive rule with at least half its pages real.", best.text())),
        Content::new().p("Each rule's rates computed exactly; the cross-check simulates 200,000 incident and 200,000 healthy minutes."),
    )
    .contrast(Contrast::new("either vs the keyed rule's precision", pct(either), pct(best.precision(&s.alerts, b))))
    .followup(
        FollowUp::new(
            "What would you change if missed incidents were far more costly than false pages?",
            format!(
                "Page on either alert: it catches {} of incidents, at {} false pages a day.",
                pct(Rule::Either.rates(&s.alerts).0),
                fmt_sig(1440.0 * Rule::Either.rates(&s.alerts).1 * (1.0 - b), 3)
            ),
        )
        .point("the threshold is a cost trade-off; ticket on one alert, page on both"),
    )
    .with_scenario(&s))
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
    fn the_paging_policy_is_the_most_sensitive_precise_rule() {
        // Hand trace at b = 1%, latency alert (0.9, 0.02), error alert (0.8, 0.01):
        // latency alone 0.009/(0.009 + 0.0198) = 31%; error alone 0.008/(0.008 + 0.0099) = 45%;
        // either 0.98·0.01/(0.0098 + 0.0298·0.99) = 25%; both 0.72·0.01/(0.0072 + 0.0002·0.99) = 97%.
        // Only "both" pages right at least half the time.
        let a = [(0.9, 0.02), (0.8, 0.01)];
        assert!((Rule::First.precision(&a, 0.01) - 0.009 / (0.009 + 0.0198)).abs() < 1e-12);
        assert_eq!(best_rule(&a, 0.01), Some(Rule::Both));
        // At b = 5% the error alert alone reaches 0.04/(0.04 + 0.0095) = 81%, and it catches
        // more incidents (80%) than both together (72%).
        // At b = 5%: latency alone 0.045/(0.045 + 0.019) = 70%, either
        // 0.049/(0.049 + 0.0298·0.95) = 63%, both precise too; "either" catches the most (98%).
        assert_eq!(best_rule(&a, 0.05), Some(Rule::Either));
        for seed in 0..10 {
            let pins = parse_pins(&BayesAlert, &["ask=policy".into()]).unwrap();
            let mut q = generate(&BayesAlert, seed, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&BayesAlert, &q).unwrap();
            let Expected::Choice { options, correct } = &mut q.slots[0].expected else { panic!() };
            *correct = (*correct + 1) % options.len();
            assert!(crate::family::cross_check(&BayesAlert, &q).is_err(), "seed {seed}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&BayesAlert, &["ask=posterior".into(), "alerts=1".into(), "sensitivity=0.99".into(), "false_positive=0.01".into(), "base_rate=0.01".into()]).unwrap();
        let q = generate(&BayesAlert, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.500");
    }

    #[test]
    fn the_cross_check_catches_base_rate_neglect() {
        let pins = parse_pins(&BayesAlert, &["ask=posterior".into(), "alerts=1".into(), "sensitivity=0.9".into(), "false_positive=0.05".into(), "base_rate=0.02".into()]).unwrap();
        let mut q = generate(&BayesAlert, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&BayesAlert, &q).unwrap();
        // Base-rate neglect: the sensitivity; and the unnormalised s·b.
        for wrong in [0.9, 0.9 * 0.02] {
            q.slots[0].expected = Expected::sig(wrong, 3);
            assert!(crate::family::cross_check(&BayesAlert, &q).is_err(), "{wrong}");
        }
    }
}
