//! `probability.availability`: a request path of components in series and in parallel; what is its
//! availability, and how much downtime is that a year?
//!
//! **Asked** (`ask`): `availability` as a percentage to 3 decimal places, or `downtime`: minutes
//! per year (365 days), to 3 significant figures; or `upgrade` (judgment): with budget for one
//! more component, which stage should get it to cut the yearly downtime most? The key adds a
//! component to each stage in turn and compares; the distractors are the other stages, with the
//! misconception that leads to each (the weakest single component, the longest chain).
//!
//! **By hand.** Exact with a calculator: a few products, as the solution shows (the first-order
//! shortcut U ≈ Σ u_i is off in the fourth significant figure of the unavailability and is not
//! accepted at this precision).
//!
//! The path: load balancer → a pool of r app servers in parallel (the pool works if any server
//! works) → a database pair (primary with a standby: works if either works) at medium, plus a
//! cache in series at hard. Components fail independently.
//!
//! **Parameters.** `app_servers` r: 1–4; component availabilities drawn from 0.95–0.9999 on a grid
//! of 0.0005.
//!
//! **Key.** Series multiply availabilities; parallel multiply unavailabilities: A = Π series ·
//! (1 − Π (1 − a_i)) per parallel group.
//!
//! **Second route.** Exact enumeration of all 2^c component states (c ≤ 10), summing the
//! probabilities of the states in which a path exists; and Monte Carlo over component states in
//! the stress test's budget. For `availability` and `downtime` the Monte Carlo run is the one the
//! evidence shows: it runs once, in `generate`, from its own RNG stream, and its estimate travels
//! in the scenario for `cross_check` (`upgrade`'s evidence simulates nothing; its check runs its
//! own).
//!
//! **Pitfalls**: adding unavailabilities of parallel parts (that is series); averaging; treating the
//! weakest component's availability as the system's.

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected, Tolerance};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Availability;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "availability: as a percentage; downtime: minutes per year; upgrade: which stage gains most from one more component",
        kind: ParamKind::Choice {
            options: &["availability", "downtime", "upgrade"],
            draw: [&["availability", "downtime"], &["availability", "downtime", "upgrade"], &["availability", "downtime", "upgrade"]],
        },
    },
    ParamSpec {
        key: "app_servers",
        help: "app servers r in the parallel pool",
        kind: ParamKind::Int { min: 1, max: 6, draw: [(1, 3), (2, 3), (2, 4)] },
    },
];

/// One stage in series: a group of identical-role components of which at least one must be up.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stage {
    name: String,
    parts: Vec<f64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    stages: Vec<Stage>,
    /// The evidence's simulated P(path up) (not for `upgrade`), which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    up: Option<mc::Estimate>,
}

/// Series of parallel groups.
fn formula(stages: &[Stage]) -> f64 {
    stages
        .iter()
        .map(|s| 1.0 - s.parts.iter().map(|a| 1.0 - a).product::<f64>())
        .product()
}

/// Sums P(state) over all 2^c states where every stage has a live component.
fn enumerate(stages: &[Stage]) -> f64 {
    let all: Vec<(usize, f64)> = stages
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.parts.iter().map(move |a| (i, *a)))
        .collect();
    let c = all.len();
    let mut total = 0.0;
    for mask in 0u32..(1 << c) {
        let mut p = 1.0;
        let mut alive = vec![false; stages.len()];
        for (bit, (stage, a)) in all.iter().enumerate() {
            if mask >> bit & 1 == 1 {
                p *= a;
                alive[*stage] = true;
            } else {
                p *= 1.0 - a;
            }
        }
        if alive.iter().all(|x| *x) {
            total += p;
        }
    }
    total
}

const MINUTES_PER_YEAR: f64 = 365.0 * 24.0 * 60.0;

/// The stages with one more component (a copy of its first) added to stage `i`.
fn with_extra(stages: &[Stage], i: usize) -> Vec<Stage> {
    let mut out = stages.to_vec();
    let a = out[i].parts[0];
    out[i].parts.push(a);
    out
}

/// What adding a component to each stage would be called on the paper.
fn upgrade_text(stage: &Stage) -> String {
    match stage.name.as_str() {
        "load balancer" => "A second load balancer".into(),
        "database" => "A standby for the database".into(),
        "database (primary or standby)" => "A second standby database".into(),
        "cache" => "A second cache node".into(),
        _ => "One more app server".into(),
    }
}

/// `x` with thousands separators, to `digits` significant figures.
fn grouped(x: f64, digits: u32) -> String {
    let s = fmt_sig(x, digits);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{out}.{f}"),
        None => out,
    }
}

impl Family for Availability {
    fn id(&self) -> &'static str {
        "probability.availability"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Availability of series and parallel components"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("availability", [3, 4, 5], &["series-parallel-availability"]),
            Ask::new("downtime", [3, 4, 5], &["series-parallel-availability"]),
            Ask::new("upgrade", [4, 4, 5], &["series-parallel-availability", "redundancy-planning"]).judgment(),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "availability or yearly downtime of series/parallel stages; where one more component helps most (choice)",
            key: "series and parallel formulas; each upgrade computed and compared",
            second_route: "exact enumeration of all component states; Monte Carlo",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let r = cx.int("app_servers") as usize;
        let d = cx.difficulty().index();
        let mut draw = |lo: u32, hi: u32| cx.rng().random_range(lo..=hi) as f64 / 10_000.0;
        let mut stages = vec![Stage { name: "load balancer".into(), parts: vec![draw(9950, 9999)] }];
        let app = draw(9500, 9950);
        stages.push(Stage { name: format!("app servers (any of {r})"), parts: vec![app; r] });
        if d >= 1 {
            let db = draw(9900, 9990);
            stages.push(Stage { name: "database (primary or standby)".into(), parts: vec![db, db] });
        } else {
            stages.push(Stage { name: "database".into(), parts: vec![draw(9950, 9995)] });
        }
        if d == 2 {
            stages.push(Stage { name: "cache".into(), parts: vec![draw(9900, 9990)] });
        }
        let a = formula(&stages);
        let rows: Vec<Vec<String>> = stages
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.parts.len().to_string(),
                    format!("{}%", crate::answer::trim_float(s.parts[0] * 100.0)),
                ]
            })
            .collect();
        let prompt = Content::new()
            .p("A request passes through each stage below in turn (series). Within a stage the components are redundant (parallel): the stage works if at least one of them is up. Components fail independently.")
            .table(["stage", "components", "availability of each"], rows);
        let stage_lines: Vec<String> = stages
            .iter()
            .map(|s| {
                let up = 1.0 - s.parts.iter().map(|a| 1.0 - a).product::<f64>();
                if s.parts.len() == 1 {
                    format!("{}: {}", s.name, fmt_sig(up, 6))
                } else {
                    format!(
                        "{}: 1 − ({})^{} = {}",
                        s.name,
                        crate::answer::trim_float(1.0 - s.parts[0]),
                        s.parts.len(),
                        fmt_sig(up, 8)
                    )
                }
            })
            .collect();
        let downtime = (1.0 - a) * MINUTES_PER_YEAR;
        // Each stage's share of the downtime: its unavailability times a year, to first order.
        let worst = stages
            .iter()
            .map(|s| (s.name.clone(), s.parts.iter().map(|a| 1.0 - a).product::<f64>()))
            .fold((String::new(), 0.0), |w, x| if x.1 > w.1 { x } else { w });
        let hand = stages
            .iter()
            .map(|s| 1.0 - s.parts.iter().fold(1.0, |u, a| u * (1.0 - a)))
            .fold(1.0, |acc, x| acc * x);
        if ask == "upgrade" {
            return Ok(upgrade_question(cx, prompt, &stages, downtime)?.with_scenario(&Scenario { ask: ask.into(), stages, up: None }));
        }
        let (prompt, slot) = if ask == "availability" {
            (
                prompt.p("What is the availability of the whole path, as a percentage?"),
                AnswerSlot::new(
                    "availability of the path",
                    Expected::Real { value: a * 100.0, tolerance: Tolerance::Decimals { places: 3 } },
                )
                .unit("%")
                .by_hand("multiply the stage availabilities; a parallel stage is 1 − Π(1 − a_i)", hand * 100.0),
            )
        } else {
            (
                prompt.p("How many minutes of downtime per year (365 days) should the path expect?"),
                AnswerSlot::new("downtime per year", Expected::sig(downtime, 3))
                    .unit("minutes")
                    .by_hand("multiply the stage availabilities, then (1 − A) × 525,600 minutes", (1.0 - hand) * MINUTES_PER_YEAR),
            )
        };
        let solution = Content::new()
            .p("Parallel: a stage is down only if all its components are down, so its availability is $1 - product_i (1 - a_i)$. Series: every stage must be up, so multiply the stage availabilities.")
            .list(stage_lines)
            .p(format!(
                "Availability A = **{}%**; downtime = $(1 - A) times 525,600$ minutes = **{}** minutes per year.",
                fmt_sig(a * 100.0, 7),
                grouped(downtime, 3)
            ))
            .p("The weakest single component is not the answer: redundancy lifts the app tier far above one server, and every series stage costs a little.");
        let mut rng = cx.sim_rng("mc");
        let est = simulate(&stages, &mut rng);
        let evidence = Content::new().p(format!(
            "Exact enumeration of all {} component up/down states gives availability {}; Monte Carlo over {} sampled states gives {}.",
            1u64 << stages.iter().map(|s| s.parts.len()).sum::<usize>(),
            fmt_sig(enumerate(&stages), 8),
            est.n,
            est.describe(5)
        ));
        let series_of_parts: f64 = stages.iter().flat_map(|s| s.parts.iter()).product();
        let q = Question::new(prompt, vec![slot], solution, evidence);
        // With one app server and one database there is no redundancy to contrast.
        let q = if stages.iter().any(|s| s.parts.len() > 1) {
            q.contrast(Contrast::new(
                "with vs without redundancy",
                fmt_sig(downtime, 3),
                fmt_sig((1.0 - series_of_parts) * MINUTES_PER_YEAR, 3),
            ))
        } else {
            q
        };
        Ok(q
            .followup(
                FollowUp::new(
                    "Which stage contributes most of the downtime?",
                    format!(
                        "The {}: about {} minutes a year on its own (unavailability {}).",
                        worst.0,
                        grouped(worst.1 * MINUTES_PER_YEAR, 3),
                        fmt_sig(worst.1, 3)
                    ),
                )
                .point("the unavailabilities of series stages add, to first order; fix the biggest term"),
            )
            .followup(FollowUp::new(
                "Why might the real downtime be worse than this figure?",
                "Components rarely fail independently (shared power, network, deploys), failover is not instant, and maintenance windows count as downtime too.",
            ))
            .with_scenario(&Scenario { ask: ask.into(), stages, up: Some(est) }))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if let Expected::Choice { options, correct } = q.expected(0)? {
            // Enumerate every state of each upgraded path and pick the least downtime.
            let best = (0..s.stages.len())
                .map(|i| (i, enumerate(&with_extra(&s.stages, i))))
                .fold((0, f64::MIN), |b, x| if x.1 > b.1 { x } else { b });
            let want = upgrade_text(&s.stages[best.0]);
            let text = &options[*correct].text;
            if !text.starts_with(&want) {
                return Err(CheckError(format!("key `{text}`, enumeration favours `{want}`")));
            }
            return simulate(&s.stages, &mut cx.sim_rng("check")).check("path up", enumerate(&s.stages));
        }
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let a = enumerate(&s.stages);
        let other = if s.ask == "availability" { a * 100.0 } else { (1.0 - a) * MINUTES_PER_YEAR };
        if (other - value).abs() > 1e-9 * value.abs().max(1.0) {
            return Err(CheckError(format!("key {value}, enumeration of states gives {other}")));
        }
        let est = s.up.ok_or_else(|| CheckError("the scenario lacks the simulated availability".into()))?;
        if !est.agrees_with(a) {
            return Err(CheckError(format!("availability {a}, simulation {}", est.describe(5))));
        }
        Ok(())
    }
}

/// The `upgrade` ask: which stage should get one more component?
fn upgrade_question(cx: &mut Ctx, prompt: Content, stages: &[Stage], downtime: f64) -> Result<Question, GenError> {
    let after: Vec<f64> = (0..stages.len())
        .map(|i| (1.0 - formula(&with_extra(stages, i))) * MINUTES_PER_YEAR)
        .collect();
    let best = (0..stages.len()).fold(0, |b, i| if after[i] < after[b] { i } else { b });
    let weakest = (0..stages.len()).fold(0, |b, i| if stages[i].parts[0] < stages[b].parts[0] { i } else { b });
    let mut order: Vec<usize> = (0..stages.len()).collect();
    order.sort_by(|x, y| after[*x].total_cmp(&after[*y]));
    let second = order[1];
    let mut options: Vec<ChoiceOption> = (0..stages.len())
        .map(|i| {
            let text = upgrade_text(&stages[i]);
            if i == best {
                ChoiceOption::right(text)
            } else {
                let why = if i == weakest {
                    format!(
                        "Its components are the least available, but the stage is already redundant: another one cuts the downtime to {} minutes a year, against {} for the best choice.",
                        grouped(after[i], 3),
                        grouped(after[best], 3)
                    )
                } else {
                    format!(
                        "It leaves {} minutes of downtime a year, against {} for the best choice: add redundancy where the stage's unavailability, not the component's, is largest.",
                        grouped(after[i], 3),
                        grouped(after[best], 3)
                    )
                };
                ChoiceOption::wrong(text, why)
            }
        })
        .collect();
    options.push(ChoiceOption::wrong(
        "Any of them: each adds one component of the same availability",
        format!(
            "The gains differ: from {} minutes a year to between {} and {}.",
            grouped(downtime, 3),
            grouped(after[best], 3),
            grouped(after[order[order.len() - 1]], 3)
        ),
    ));
    let rot = cx.rng().random_range(0..options.len());
    options.rotate_left(rot);
    let correct = (best + options.len() - rot) % options.len();
    let lines: Vec<String> = (0..stages.len())
        .map(|i| format!("{}: {} minutes a year", upgrade_text(&stages[i]), grouped(after[i], 3)))
        .collect();
    Ok(Question::new(
        prompt.p(format!(
            "Today the path is down about {} minutes a year. The budget allows **one** more component, added in parallel to one stage (with the same availability as that stage's components). Which addition cuts the yearly downtime most?",
            grouped(downtime, 3)
        )),
        vec![AnswerSlot::new("the addition that cuts downtime most", Expected::Choice { options, correct })],
        Content::new()
            .p("A series path's unavailability is, to first order, the sum of its stages' unavailabilities, so the component belongs in the stage whose unavailability (the product of its components' unavailabilities) is largest. Computed exactly:")
            .list(lines)
            .p(format!("So **{}**.", upgrade_text(&stages[best]).to_lowercase())),
        Content::new().p(format!(
            "Each upgraded path's availability by enumerating all component states; best {}, next {}.",
            fmt_sig(1.0 - after[best] / MINUTES_PER_YEAR, 8),
            fmt_sig(1.0 - after[second] / MINUTES_PER_YEAR, 8)
        )),
    )
    .contrast(Contrast::new("best vs second-best upgrade", grouped(after[best], 3), grouped(after[second], 3)))
    .followup(
        FollowUp::new(
            "What if the budget allowed two more components?",
            format!(
                "Add the second where the remaining stage unavailability is then largest; after the first, the stage ranking is: {}.",
                {
                    let up = with_extra(stages, best);
                    let mut r: Vec<(String, f64)> = up
                        .iter()
                        .map(|s| (s.name.clone(), s.parts.iter().map(|a| 1.0 - a).product::<f64>() * MINUTES_PER_YEAR))
                        .collect();
                    r.sort_by(|x, y| y.1.total_cmp(&x.1));
                    r.iter().map(|(n, m)| format!("{n} {} min", grouped(*m, 3))).collect::<Vec<_>>().join(", ")
                }
            ),
        )
        .point("diminishing returns: each added parallel component multiplies its stage's unavailability by (1 − a)"),
    ))
}

fn simulate(stages: &[Stage], rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    mc::probability(20_000, rng, |g| {
        stages
            .iter()
            .all(|s| s.parts.iter().fold(false, |up, a| (g.random::<f64>() < *a) | up))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Availability, 0..30).unwrap();
    }

    #[test]
    fn textbook_values() {
        // Two 99% components: series 98.01%, parallel 99.99%.
        let series = [Stage { name: "a".into(), parts: vec![0.99] }, Stage { name: "b".into(), parts: vec![0.99] }];
        assert!((formula(&series) - 0.9801).abs() < 1e-12);
        let par = [Stage { name: "p".into(), parts: vec![0.99, 0.99] }];
        assert!((formula(&par) - 0.9999).abs() < 1e-12);
        // 99.9% is 525.6 minutes a year.
        assert!(((1.0 - 0.999) * MINUTES_PER_YEAR - 525.6).abs() < 1e-6);
    }

    #[test]
    fn the_upgrade_goes_where_the_stage_is_least_available() {
        // Hand trace: LB 99.9%, two app servers of 99% (stage 1 − 0.01² = 99.99%), one database
        // of 99.5%. A second LB leaves 0.995·0.9999 = 0.994900…; a third app server
        // 0.999·0.999999·0.995 ≈ 0.994004; a standby database 0.999·0.9999·0.999975 ≈ 0.998875.
        // The database, not the "weakest" app servers, gets the component.
        let stages = vec![
            Stage { name: "load balancer".into(), parts: vec![0.999] },
            Stage { name: "app servers (any of 2)".into(), parts: vec![0.99, 0.99] },
            Stage { name: "database".into(), parts: vec![0.995] },
        ];
        let after: Vec<f64> = (0..3).map(|i| formula(&with_extra(&stages, i))).collect();
        assert!((after[2] - 0.999 * 0.9999 * 0.999975).abs() < 1e-12);
        assert!(after[2] > after[0] && after[2] > after[1]);
        for seed in 0..10 {
            let pins = parse_pins(&Availability, &["ask=upgrade".into()]).unwrap();
            let mut q = generate(&Availability, seed, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&Availability, &q).unwrap();
            let Expected::Choice { options, correct } = &mut q.slots[0].expected else { panic!() };
            *correct = (*correct + 1) % options.len();
            assert!(crate::family::cross_check(&Availability, &q).is_err(), "seed {seed}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Availability, &["ask=downtime".into(), "app_servers=1".into()]).unwrap();
        let q = generate(&Availability, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("app servers (any of 1)"));
    }

    #[test]
    fn the_cross_check_catches_adding_unavailabilities() {
        let pins = parse_pins(&Availability, &["ask=availability".into(), "app_servers=2".into()]).unwrap();
        let mut q = generate(&Availability, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Availability, &q).unwrap();
        let s: Scenario = q.scenario().unwrap();
        let wrong: f64 = 1.0 - s.stages.iter().flat_map(|st| st.parts.iter()).map(|a| 1.0 - a).sum::<f64>();
        q.slots[0].expected = Expected::Real { value: wrong * 100.0, tolerance: Tolerance::Decimals { places: 3 } };
        assert!(crate::family::cross_check(&Availability, &q).is_err());
    }
}
