//! `probability.availability`: a request path of components in series and in parallel; what is its
//! availability, and how much downtime is that a year?
//!
//! **Asked** (`ask`): `availability` as a percentage to 3 decimal places, or `downtime`: minutes
//! per year (365 days), to 3 significant figures.
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
//! the stress test's budget.
//!
//! **Pitfalls**: adding unavailabilities of parallel parts (that is series); averaging; treating the
//! weakest component's availability as the system's.

use crate::answer::{fmt_sig, AnswerSlot, Expected, Tolerance};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Availability;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "availability: as a percentage; downtime: minutes per year",
        kind: ParamKind::Choice {
            options: &["availability", "downtime"],
            draw: [&["availability", "downtime"], &["availability", "downtime"], &["availability", "downtime"]],
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

impl Family for Availability {
    fn id(&self) -> &'static str {
        "probability.availability"
    }
    fn version(&self) -> u32 {
        1
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
        let (prompt, slot) = if ask == "availability" {
            (
                prompt.p("What is the availability of the whole path, as a percentage?"),
                AnswerSlot::new(
                    "availability (%)",
                    Expected::Real { value: a * 100.0, tolerance: Tolerance::Decimals { places: 3 } },
                ),
            )
        } else {
            (
                prompt.p("How many minutes of downtime per year (365 days) should the path expect?"),
                AnswerSlot::new("downtime (minutes per year)", Expected::sig(downtime, 3)),
            )
        };
        let solution = Content::new()
            .p("Parallel: a stage is down only if all its components are down, so its availability is 1 − Π(1 − a_i). Series: every stage must be up, so multiply the stage availabilities.")
            .list(stage_lines)
            .p(format!(
                "Availability = **{}%**; downtime = (1 − A) × 525,600 min = **{}** minutes per year.",
                fmt_sig(a * 100.0, 7),
                fmt_sig(downtime, 3)
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
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&Scenario { ask: ask.into(), stages }))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let a = enumerate(&s.stages);
        let other = if s.ask == "availability" { a * 100.0 } else { (1.0 - a) * MINUTES_PER_YEAR };
        if (other - value).abs() > 1e-9 * value.abs().max(1.0) {
            return Err(CheckError(format!("key {value}, enumeration of states gives {other}")));
        }
        let est = simulate(&s.stages, &mut cx.sim_rng("check"));
        if !est.agrees_with(a) {
            return Err(CheckError(format!("availability {a}, simulation {}", est.describe(5))));
        }
        Ok(())
    }
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
