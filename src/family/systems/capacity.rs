//! `systems.capacity`: back-of-envelope capacity estimation from daily active users.
//!
//! **Asked** (`ask`):
//! - `qps`: the peak request rate from DAU, requests per user per day and a peak factor;
//! - `servers`: the servers needed at peak, from per-server throughput and a utilisation cap;
//! - `storage`: the storage written per year, with replication;
//! - `egress`: the outbound bandwidth at peak.
//!
//! Every constant the estimate needs is stated in the prompt, and the tolerance is wide (±25%)
//! because estimation is the skill: the paper says so.
//!
//! **Parameters.** `dau_m` millions of daily active users: easy 1–20, medium 1–200, hard 5–500;
//! `requests` per user per day 5–200; `peak` the busiest minute over the day's average, 2–5;
//! `server_qps` 500–5000 requests/s per server at 100%; `util_pct` 50–80; `writes` per user per
//! day (tenths) 1–50; `object_kb` 1–500; `replicas` 2–3; `response_kb` 5–500.
//!
//! **Key.** The computation: average = DAU·requests/86,400 s, peak = average·peak factor,
//! servers = ⌈peak/(per-server·utilisation)⌉, storage = DAU·writes·object·365·replicas,
//! egress = peak·response·8 bits.
//!
//! **Second route.** A simulated day of traffic: 1,440 minutes whose rates follow a stated
//! diurnal curve (a von Mises bump, peak/average = the peak factor, its shape solved by
//! bisection), each minute's requests drawn from a Poisson distribution; the busiest minute's
//! rate and the day's totals must land within 10% of the key. That day is the one the evidence
//! shows: it is simulated once, in `generate`, from its own RNG stream, and its busiest minute and
//! total travel in the scenario for `cross_check`.
//!
//! **Pitfalls**: forgetting the peak factor (sizing for the average); replicas counted once;
//! bytes vs bits for bandwidth.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand_distr::{Distribution, Poisson};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Capacity;

const DAY: f64 = 86_400.0;
const TOLERANCE: f64 = 0.25;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "qps: peak requests/s; servers: servers at peak; storage: TB per year; egress: Gbit/s at peak",
        kind: ParamKind::Choice {
            options: &["qps", "servers", "storage", "egress"],
            draw: [&["qps", "storage"], &["qps", "servers", "storage", "egress"], &["servers", "storage", "egress"]],
        },
    },
    ParamSpec { key: "dau_m", help: "daily active users, in millions", kind: ParamKind::Int { min: 1, max: 2000, draw: [(1, 20), (1, 200), (5, 500)] } },
    ParamSpec { key: "requests", help: "requests per user per day", kind: ParamKind::Int { min: 1, max: 1000, draw: [(5, 50), (5, 200), (10, 200)] } },
    ParamSpec { key: "peak", help: "the busiest minute's rate over the day's average", kind: ParamKind::Real { min: 1.5, max: 8.0, step: 0.5, draw: [(2.0, 3.0), (2.0, 4.0), (2.0, 5.0)] } },
    ParamSpec { key: "server_qps", help: "requests per second one server handles at 100%", kind: ParamKind::Int { min: 10, max: 100_000, draw: [(500, 5000), (500, 5000), (200, 5000)] } },
    ParamSpec { key: "util_pct", help: "the utilisation servers may run at, percent", kind: ParamKind::Int { min: 10, max: 100, draw: [(50, 80), (50, 80), (50, 80)] } },
    ParamSpec { key: "writes_tenths", help: "objects each user stores per day, in tenths", kind: ParamKind::Int { min: 1, max: 1000, draw: [(1, 50), (1, 50), (1, 50)] } },
    ParamSpec { key: "object_kb", help: "size of a stored object, KB", kind: ParamKind::Int { min: 1, max: 100_000, draw: [(1, 500), (1, 500), (1, 2000)] } },
    ParamSpec { key: "replicas", help: "copies of every stored object", kind: ParamKind::Int { min: 1, max: 5, draw: [(3, 3), (2, 3), (2, 3)] } },
    ParamSpec { key: "response_kb", help: "average response size, KB", kind: ParamKind::Int { min: 1, max: 100_000, draw: [(5, 200), (5, 500), (5, 500)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("qps", [2, 3, 4], &["capacity-estimation"]),
    Ask::new("servers", [3, 4, 5], &["capacity-estimation"]),
    Ask::new("storage", [3, 4, 5], &["capacity-estimation", "storage-estimation"]),
    Ask::new("egress", [3, 4, 5], &["capacity-estimation"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    dau: f64,
    requests: f64,
    peak: f64,
    server_qps: Option<f64>,
    util: Option<f64>,
    writes: Option<f64>,
    object_kb: Option<f64>,
    replicas: Option<f64>,
    response_kb: Option<f64>,
    /// The evidence's simulated day: its busiest minute (requests/s) and its total, which the
    /// cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<(f64, f64)>,
}

/// The diurnal curve: the share of a day's traffic in each of 1,440 minutes, a von Mises bump
/// around 20:00 whose peak minute carries `peak` times the average.
pub fn diurnal(peak: f64) -> Vec<f64> {
    let shape = |kappa: f64| -> Vec<f64> {
        let raw: Vec<f64> = (0..1440).map(|m| (kappa * ((m as f64 - 1200.0) / 1440.0 * std::f64::consts::TAU).cos()).exp()).collect();
        let total: f64 = raw.iter().sum();
        raw.into_iter().map(|x| x / total).collect()
    };
    let ratio = |kappa: f64| shape(kappa).iter().cloned().fold(0.0, f64::max) * 1440.0;
    let (mut lo, mut hi) = (0.0f64, 50.0f64);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if ratio(mid) < peak { lo = mid } else { hi = mid }
    }
    shape((lo + hi) / 2.0)
}

impl Scenario {
    fn avg(&self) -> f64 {
        self.dau * self.requests / DAY
    }
    fn peak_qps(&self) -> f64 {
        self.avg() * self.peak
    }
    fn key(&self) -> f64 {
        match self.ask.as_str() {
            "qps" => self.peak_qps(),
            "servers" => (self.peak_qps() / (self.server_qps.unwrap_or(1.0) * self.util.unwrap_or(1.0))).ceil(),
            "storage" => self.dau * self.writes.unwrap_or(0.0) * self.object_kb.unwrap_or(0.0) * 1e3 * 365.0 * self.replicas.unwrap_or(1.0) / 1e12,
            _ => self.peak_qps() * self.response_kb.unwrap_or(0.0) * 1e3 * 8.0 / 1e9,
        }
    }
}

impl Family for Capacity {
    fn id(&self) -> &'static str {
        "systems.capacity"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Back-of-envelope capacity: QPS, servers, storage and egress"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn shown_indirectly(&self) -> &'static [&'static str] {
        // In tenths: 21 is shown as 2.1 objects a day.
        &["writes_tenths"]
    }
    fn about(&self) -> About {
        About {
            asks: "peak QPS from DAU with a peak factor, servers at a utilisation cap, storage per year with replication, egress at peak (±25%)",
            key: "the estimate computed from the stated constants",
            second_route: "a simulated day of Poisson traffic along a stated diurnal curve",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let dau_m = cx.int("dau_m") as f64;
        let (requests, peak) = if ask == "storage" { (0.0, 0.0) } else { (cx.int("requests") as f64, cx.real("peak")) };
        let mut s = Scenario { ask: ask.into(), dau: dau_m * 1e6, requests, peak, server_qps: None, util: None, writes: None, object_kb: None, replicas: None, response_kb: None, day: None };
        let users = format!("**{} million** daily active users", num(dau_m));
        let traffic = format!("{users}, each making **{}** requests a day; traffic follows a daily curve whose busiest minute carries **{}×** the day's average rate", num(requests), num(peak));
        let (prompt, what, unit, hand, steps) = match ask {
            "qps" => (format!("A service has {traffic}. Estimate the peak request rate."), "peak request rate", "requests/s", s.dau * requests / 1e5 * peak, format!("average = {} × {} / 86,400 s = {} requests/s; peak = × {} = **{}**", num(dau_m * 1e6), num(requests), fmt_sig(s.avg(), 3), num(peak), fmt_sig(s.peak_qps(), 3))),
            "servers" => {
                let sq = cx.int("server_qps") as f64;
                let util = cx.int("util_pct") as f64;
                s.server_qps = Some(sq);
                s.util = Some(util / 100.0);
                let need = s.key();
                (format!("A service has {traffic}. One server handles **{}** requests/s at 100% CPU, and the team runs servers at no more than **{}%**. Estimate the servers needed at the peak.", num(sq), num(util)), "servers", "servers", (s.dau * requests / 1e5 * peak / (sq * util / 100.0)).ceil(), format!("peak = {} × {} / 86,400 × {} = {} requests/s; each server takes {} × {}% = {}; servers = ⌈{} / {}⌉ = **{}**", num(dau_m * 1e6), num(requests), num(peak), fmt_sig(s.peak_qps(), 3), num(sq), num(util), num(sq * util / 100.0), fmt_sig(s.peak_qps(), 3), num(sq * util / 100.0), need))
            }
            "storage" => {
                let w = cx.int("writes_tenths") as f64 / 10.0;
                let obj = cx.int("object_kb") as f64;
                let rep = cx.int("replicas") as f64;
                s.writes = Some(w);
                s.object_kb = Some(obj);
                s.replicas = Some(rep);
                (format!("A service has {users}; each stores **{}** new objects a day on average, of **{} KB** each (1 KB = 1000 bytes), and every object is kept in **{}** replicas. Estimate the storage one year of new objects takes, replicas included.", num(w), num(obj), num(rep)), "storage per year", "TB", s.dau * w * obj * 1e3 * 400.0 * rep / 1e12, format!("{} × {} × {} KB × 365 × {} = **{} TB**", num(dau_m * 1e6), num(w), num(obj), num(rep), fmt_sig(s.key(), 3)))
            }
            _ => {
                let resp = cx.int("response_kb") as f64;
                s.response_kb = Some(resp);
                (format!("A service has {traffic}. An average response is **{} KB** (1 KB = 1000 bytes). Estimate the outbound bandwidth at the peak.", num(resp)), "egress at peak", "Gbit/s", s.dau * requests / 1e5 * peak * resp * 8e3 / 1e9, format!("peak = {} requests/s; × {} KB × 8 bits = **{} Gbit/s**", fmt_sig(s.peak_qps(), 3), num(resp), fmt_sig(s.key(), 3)))
            }
        };
        let key = s.key();
        if key <= 0.0 || !key.is_finite() {
            return Err(GenError::Params { message: "the estimate is zero".into(), hint: "choose positive rates and sizes".into() });
        }
        let prompt = Content::new().p(prompt).p(format!("This is an estimate: any answer within ±{}% of the exact computation from these numbers earns full marks.", num(TOLERANCE * 100.0)));
        let slot = AnswerSlot::new(what, Expected::rel(key, TOLERANCE)).unit(unit).by_hand("one day ≈ 10⁵ seconds (a year ≈ 400 days), powers of ten", hand);
        let (sim_peak, sim_total) = simulate_day(&s, &mut cx.sim_rng("day"));
        s.day = Some((sim_peak, sim_total));
        let solution = Content::new().p(format!("{steps}.")).p("By hand, 86,400 s ≈ 10⁵ s and 365 days ≈ 400 keep the arithmetic in powers of ten and land within the tolerance.");
        let evidence = Content::new().p(format!("A simulated day: 1,440 minutes along the diurnal curve (peak minute {}× the average), each minute's requests drawn from a Poisson distribution: {} requests in the day, busiest minute {} requests/s (key: {} requests/s at the peak).", num(s.peak), fmt_sig(sim_total, 4), fmt_sig(sim_peak, 4), fmt_sig(s.peak_qps(), 4)));
        let q = Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s)
            .followup(FollowUp::new("What did the peak factor do to the answer?", if s.peak > 0.0 { format!("It multiplies the average ({} requests/s) by {}: sizing for the average would under-provision by that factor.", fmt_sig(s.avg(), 3), num(s.peak)) } else { "Storage grows with the daily total, not the peak: the peak factor does not enter.".into() }).point("size compute for the peak, storage for the total"))
            .followup(FollowUp::new("What would you add before buying hardware?", "Headroom for a lost zone (N+1 or N+2), growth over the planning horizon, and a measured per-server rate under the real mix, not a benchmark.".to_string()));
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let key = q.expected_real(0)?;
        if (key - s.key()).abs() > 1e-9 * key.abs() {
            return Err(CheckError(format!("key {key}, recomputed {}", s.key())));
        }
        let (sim_peak, sim_total) = s.day.ok_or_else(|| CheckError("the scenario lacks the simulated day".into()))?;
        let close = |a: f64, b: f64| (a - b).abs() <= 0.1 * b;
        match s.ask.as_str() {
            "storage" => {
                // Stored objects over a simulated year of days is the total; one day checks it.
                let per_day = s.dau * s.writes.unwrap_or(0.0);
                if close(sim_total, per_day) { Ok(()) } else { Err(CheckError(format!("simulated {sim_total} objects a day, key {per_day}"))) }
            }
            _ => {
                if !close(sim_peak, s.peak_qps()) {
                    return Err(CheckError(format!("simulated peak {sim_peak} requests/s, key {}", s.peak_qps())));
                }
                if !close(sim_total, s.dau * s.requests) {
                    return Err(CheckError(format!("simulated {sim_total} requests a day, key {}", s.dau * s.requests)));
                }
                Ok(())
            }
        }
    }
}

/// A simulated day: per minute, Poisson requests (or stored objects) at the curve's rate.
/// Returns the busiest minute's rate (per second) and the day's total.
fn simulate_day(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> (f64, f64) {
    let (total, peak) = if s.ask == "storage" { (s.dau * s.writes.unwrap_or(0.0), 3.0) } else { (s.dau * s.requests, s.peak) };
    let curve = diurnal(peak);
    let mut busiest = 0.0f64;
    let mut sum = 0.0;
    for share in curve {
        let mean = total * share;
        let n = if mean > 0.0 { Poisson::new(mean).map(|p| p.sample(rng)).unwrap_or(mean) } else { 0.0 };
        busiest = busiest.max(n / 60.0);
        sum += n;
    }
    (busiest, sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Capacity, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Hand computation: 10 million users × 20 requests = 2·10^8 a day = 2315 requests/s on
        // average; a peak factor of 3 gives 6944 requests/s.
        let s = Scenario { ask: "qps".into(), dau: 1e7, requests: 20.0, peak: 3.0, server_qps: None, util: None, writes: None, object_kb: None, replicas: None, response_kb: None, day: None };
        assert!((s.key() - 6944.44).abs() < 0.01);
        let c = diurnal(3.0);
        assert!((c.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((c.iter().cloned().fold(0.0, f64::max) * 1440.0 - 3.0).abs() < 1e-6);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Capacity, &["ask=servers".into(), "dau_m=10".into(), "requests=20".into(), "peak=3".into(), "server_qps=1000".into(), "util_pct=50".into()]).unwrap();
        let q = generate(&Capacity, 1, Difficulty::Medium, &pins).unwrap();
        // 6944 requests/s over 500 per server: 14 servers.
        assert_eq!(q.slots[0].expected.reference(), "14");
        assert!(q.prompt.plain_text().contains("±25%"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["qps", "servers", "storage", "egress"] {
            let pins = parse_pins(&Capacity, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Capacity, 2, Difficulty::Hard, &pins).unwrap();
            cross_check(&Capacity, &q).unwrap();
            q.slots[0].expected = Expected::rel(q.expected_real(0).unwrap() * 1.3, TOLERANCE);
            assert!(cross_check(&Capacity, &q).is_err(), "{ask}");
        }
    }
}
