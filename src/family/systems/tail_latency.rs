//! `systems.tail_latency`: the p99 of a fan-out request whose backends occasionally stall, and
//! which change cuts it most.
//!
//! **Asked** (`ask`):
//! - `p99`: the 99th-percentile latency of a request that waits for n backend calls, each
//!   taking F ms, except with probability p a stall adds an exponential delay of mean M ms;
//! - `choose` (judgment): which of four changes cuts that p99 most: hedged requests (a second
//!   call to another replica after H ms, first answer wins), halving the fast path, halving the
//!   fan-out, or halving the stall probability.
//!
//! **Parameters.** `fanout` n: 5–20, 10–100, 20–200; `stall_pct` p: 1–5%; `fast_ms` F: 2–20;
//! `stall_ms` M: 50–500; `hedge_ms` H (choose): 10–50.
//!
//! **Key.** Exact: one call's CDF G(x) = 1 − p·e^(−(x−F)/M) for x ≥ F; a request's is G(x)^n;
//! a hedged call's survival is the product of two calls' survivals, the second shifted by H; the
//! p99 is found by bisection on the exact CDF.
//!
//! **Second route.** Monte Carlo, drawing every call: for `p99`, 40,000 simulated requests, of
//! which the share done by the keyed p99 must be 99% (`mc`'s binomial test); for `choose`, 20,000
//! requests per option, and the keyed option must be best in the simulation too. The simulation is
//! the one the evidence shows: it runs once, in `generate`, from its own RNG stream, and what the
//! check needs travels in the scenario (for `p99`, with the key it was counted against: another
//! key is tested on a fresh run).
//!
//! **Pitfalls**: optimising the median does nothing for the tail; the tail grows with the
//! fan-out (1 − (1 − p)^n of requests hit a stall); hedging cuts the tail for a few percent more
//! load.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::support::mc::Estimate;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};

/// The family.
pub struct TailLatency;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "p99: the fan-out request's p99; choose: which change cuts it most",
        kind: ParamKind::Choice { options: &["p99", "choose"], draw: [&["p99"], &["p99", "choose"], &["p99", "choose"]] },
    },
    ParamSpec { key: "fanout", help: "backend calls per request", kind: ParamKind::Int { min: 1, max: 1000, draw: [(5, 20), (10, 100), (20, 200)] } },
    ParamSpec { key: "stall_pct", help: "probability a call stalls, percent", kind: ParamKind::Real { min: 0.1, max: 50.0, step: 0.1, draw: [(1.0, 5.0), (0.5, 5.0), (0.2, 5.0)] } },
    ParamSpec { key: "fast_ms", help: "a call's time without a stall, ms", kind: ParamKind::Int { min: 1, max: 1000, draw: [(2, 20), (2, 20), (2, 20)] } },
    ParamSpec { key: "stall_ms", help: "mean extra time of a stall, ms (exponential)", kind: ParamKind::Int { min: 1, max: 10_000, draw: [(50, 500), (50, 500), (50, 500)] } },
    ParamSpec { key: "hedge_ms", help: "choose: the hedge delay H, ms", kind: ParamKind::Int { min: 1, max: 1000, draw: [(10, 50), (10, 50), (10, 50)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("p99", [4, 5, 6], &["tail-latency"]),
    Ask::new("choose", [3, 4, 5], &["tail-latency", "hedged-requests"]).judgment(),
];

/// The latency model of one backend call, possibly hedged, and the request's fan-out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Calls per request.
    pub n: u32,
    /// Stall probability.
    pub p: f64,
    /// Fast-path time, ms.
    pub fast: f64,
    /// Mean stall, ms.
    pub stall: f64,
    /// Hedge delay, ms, if hedged.
    pub hedge: Option<f64>,
}

impl Model {
    fn call_survival(&self, x: f64) -> f64 {
        if x < self.fast { 1.0 } else { self.p * (-(x - self.fast) / self.stall).exp() }
    }
    fn leg_survival(&self, x: f64) -> f64 {
        match self.hedge {
            None => self.call_survival(x),
            Some(h) => self.call_survival(x) * self.call_survival(x - h),
        }
    }
    /// P(request ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        (1.0 - self.leg_survival(x)).powi(self.n as i32)
    }
    /// The exact quantile q, by bisection on the CDF.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.cdf(self.fast) >= q {
            return self.fast;
        }
        let (mut lo, mut hi) = (self.fast, self.fast + self.stall * 100.0 + self.hedge.unwrap_or(0.0));
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            if self.cdf(mid) >= q { hi = mid } else { lo = mid }
        }
        hi
    }
    fn draw_call(&self, rng: &mut impl Rng) -> f64 {
        if rng.random::<f64>() < self.p { self.fast - self.stall * (1.0 - rng.random::<f64>()).ln() } else { self.fast }
    }
    /// One simulated request's latency: how many of its n calls stall is drawn (binomial), then
    /// each stalled call's time (and its hedge's, if it is still running at H); calls that do not
    /// stall take F, and a hedge never beats them.
    pub fn draw(&self, rng: &mut impl Rng) -> f64 {
        let k = Binomial::new(self.n as u64, self.p).map(|b| b.sample(rng)).unwrap_or(0);
        let mut worst = self.fast;
        for _ in 0..k {
            let a = self.fast - self.stall * (1.0 - rng.random::<f64>()).ln();
            let leg = match self.hedge {
                Some(h) if a > h => a.min(h + self.draw_call(rng)),
                _ => a,
            };
            worst = worst.max(leg);
        }
        worst
    }
}

/// Requests the `p99` evidence simulates; the cross-check counts the same requests.
const P99_REQUESTS: usize = 40_000;

/// `samples` simulated requests' latencies, sorted.
fn sorted_draws(m: &Model, rng: &mut impl Rng, samples: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..samples).map(|_| m.draw(rng)).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The empirical p99 of sorted latencies.
fn p99_of(sorted: &[f64]) -> f64 {
    sorted[(sorted.len() as f64 * 0.99).ceil() as usize - 1]
}

/// The simulated p99 of `samples` requests.
fn simulated_p99(m: &Model, rng: &mut impl Rng, samples: usize) -> f64 {
    p99_of(&sorted_draws(m, rng, samples))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Change {
    Hedge,
    HalveFast,
    HalveFanout,
    HalveStalls,
}

impl Change {
    fn apply(self, m: &Model, h: f64) -> Model {
        let mut x = *m;
        match self {
            Change::Hedge => x.hedge = Some(h),
            Change::HalveFast => x.fast = m.fast / 2.0,
            Change::HalveFanout => x.n = (m.n / 2).max(1),
            Change::HalveStalls => x.p = m.p / 2.0,
        }
        x
    }
    fn text(self, m: &Model, h: f64) -> String {
        match self {
            Change::Hedge => format!("hedge: if a call has not answered after {} ms, send a second copy to another replica and take the first answer", num(h)),
            Change::HalveFast => format!("halve the backends' normal time, to {} ms", num(m.fast / 2.0)),
            Change::HalveFanout => format!("shard coarser so each request calls {} backends", (m.n / 2).max(1)),
            Change::HalveStalls => format!("tune the backends so stalls happen half as often ({}%)", num(m.p * 50.0)),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    model: Model,
    hedge: Option<f64>,
    changes: Vec<Change>,
    /// `p99`: the evidence's simulated requests, as the key they were counted against and the
    /// share of them done by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    done: Option<(f64, Estimate)>,
    /// `choose`: the evidence's simulated p99 of each change, in the order of `changes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sims: Vec<f64>,
}

impl Family for TailLatency {
    fn id(&self) -> &'static str {
        "systems.tail_latency"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Tail latency of fan-out requests and hedging"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "the p99 of a request fanning out to n backends that stall with probability p; which change cuts it most: hedging, a faster median, less fan-out, fewer stalls (choice)",
            key: "exact CDF of the slowest call (hedged calls included), inverted by bisection",
            second_route: "Monte Carlo of 40,000 requests (p99) or 20,000 per option (choose)",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("fanout") as u32;
        let p = cx.real("stall_pct") / 100.0;
        let fast = cx.int("fast_ms") as f64;
        let stall = cx.int("stall_ms") as f64;
        let m = Model { n, p, fast, stall, hedge: None };
        let setting = format!("A request fans out to **{n}** backends in parallel and answers when the slowest replies. A backend call takes **{fast} ms**, except that with probability **{}%**, independently, it stalls (a GC pause, a slow disk) and takes an extra time that is exponential with mean **{stall} ms**.", num(p * 100.0));
        if ask == "p99" {
            let v = m.quantile(0.99);
            let hand = fast + stall * (p / (1.0 - 0.99f64.powf(1.0 / n as f64))).ln().max(0.0);
            let prompt = Content::new().p(setting).p("What is the request's 99th-percentile latency? Network time is negligible.");
            let slot = AnswerSlot::new("p99", Expected::sig(v, 2)).unit("ms").by_hand("solve $(1 - p e^(-(x - F)/M))^n = 0.99$: $x = F + M ln(p / (1 - 0.99^(1/n)))$", hand);
            let slow_share = 1.0 - (1.0 - p).powi(n as i32);
            let solution = Content::new()
                .p(format!("A request is slower than x when any call is: $P(T <= x) = (1 - p e^(-(x - F)/M))^n$ for x ≥ F. {} of requests hit at least one stall, so the p99 lies in the stall tail.", fmt_sig(slow_share * 100.0, 3) + "%"))
                .p(format!("Setting it to 0.99: $x = {fast} + {stall} ln({} / (1 - 0.99^(1/{n}))) = {}$ ms.", num(p), fmt_sig(v, 3)));
            let draws = sorted_draws(&m, &mut cx.sim_rng("requests"), P99_REQUESTS);
            let sim = p99_of(&draws);
            let done = Estimate::from_hits(draws.partition_point(|&x| x <= v) as u64, draws.len() as u64);
            let evidence = Content::new().p(format!("40,000 simulated requests: p99 = {} ms (exact {} ms).", fmt_sig(sim, 4), fmt_sig(v, 4)));
            let s = Scenario { ask: ask.into(), model: m, hedge: None, changes: vec![], done: Some((v, done)), sims: vec![] };
            if slow_share < 0.01 {
                return Err(GenError::Params { message: "fewer than 1% of requests stall: the p99 is the fast path".into(), hint: "raise fanout or stall_pct".into() });
            }
            return Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s)
                .followup(FollowUp::new("What is the median, and why does the fast path barely matter for the p99?", format!("The median is {} ms; the p99 sits {} ms above it, all of it stall time.", fmt_sig(m.quantile(0.5), 3), fmt_sig(v - m.quantile(0.5), 3))).point("tail at scale: fan-out amplifies rare stalls"))
                .followup(FollowUp::new("With a single backend call (no fan-out), what is the p99?", format!("{} ms.", fmt_sig(Model { n: 1, ..m }.quantile(0.99), 3)))));
        }
        let h = cx.int("hedge_ms") as f64;
        let mut changes = vec![Change::Hedge, Change::HalveFast, Change::HalveFanout, Change::HalveStalls];
        changes.shuffle(cx.rng());
        let base = m.quantile(0.99);
        let p99s: Vec<f64> = changes.iter().map(|c| c.apply(&m, h).quantile(0.99)).collect();
        let best = p99s.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |x| x.0);
        let options: Vec<ChoiceOption> = changes.iter().zip(&p99s).enumerate().map(|(i, (c, v))| {
            let text = c.text(&m, h);
            if i == best {
                ChoiceOption::right(text)
            } else {
                let why = match c {
                    Change::HalveFast => "Optimising the normal path moves the median, not the tail: the p99 is made of stalls",
                    Change::HalveFanout => "Fewer calls per request means fewer chances to hit a stall, but each stall still costs its full length",
                    Change::HalveStalls => "Fewer stalls help, but each remaining stall still costs its full length",
                    Change::Hedge => "Hedging cuts a stalled call short, but here it is not the biggest win",
                };
                ChoiceOption::wrong(text, format!("{why}: p99 {} ms, against {} ms for the best.", fmt_sig(*v, 3), fmt_sig(p99s[best], 3)))
            }
        }).collect();
        let prompt = Content::new().p(setting).p(format!("Today the p99 is about {} ms. Which single change cuts the p99 the most?", fmt_sig(base, 2)));
        let rows: Vec<Vec<String>> = changes.iter().zip(&p99s).map(|(c, v)| vec![c.text(&m, h), format!("{} ms", fmt_sig(*v, 3))]).collect();
        let solution = Content::new().p("Each change's p99 from the exact CDF of the slowest call:").table(["change", "p99"], rows.clone()).p(format!("Best: **{}**.", changes[best].text(&m, h)));
        let mut rng = cx.sim_rng("requests");
        let sims: Vec<f64> = changes.iter().map(|c| simulated_p99(&c.apply(&m, h), &mut rng, 20_000)).collect();
        let evidence = Content::new().p("Simulated p99 of 20,000 requests per option:").table(["change", "simulated p99"], changes.iter().zip(&sims).map(|(c, v)| vec![c.text(&m, h), format!("{} ms", fmt_sig(*v, 3))]));
        let s = Scenario { ask: ask.into(), model: m, hedge: Some(h), changes: changes.clone(), done: None, sims: sims.clone() };
        let extra = {
            let hedged = Change::Hedge.apply(&m, h);
            // Expected extra calls: a hedge is sent when the first call is still running at H.
            hedged.n as f64 * m.call_survival(h)
        };
        Ok(Question::new(prompt, vec![AnswerSlot::new("the change", Expected::Choice { options, correct: best })], solution, evidence)
            .with_scenario(&s)
            .followup(FollowUp::new("What does hedging cost?", format!("Extra calls: a hedge goes out only when a call is still running at {} ms, {} extra calls per request here ({}% more load).", num(h), fmt_sig(extra, 2), fmt_sig(100.0 * extra / n as f64, 2))).point("Dean and Barroso, The Tail at Scale (CACM 2013)")))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let mut rng = cx.sim_rng("requests-check");
        if s.ask == "p99" {
            // The share of simulated requests done by the keyed p99 must be 99%, by the
            // binomial test (comparing quantiles instead fails where the p99 sits at the edge of
            // the stall tail, whose density there is tiny).
            let key = q.expected_real(0)?;
            let m = s.model;
            let done = match s.done {
                Some((counted, done)) if counted == key => done,
                _ => crate::family::support::mc::probability(P99_REQUESTS as u64, &mut rng, |r| m.draw(r) <= key),
            };
            return done.check("share of requests done by the keyed p99", 0.99);
        }
        let h = s.hedge.unwrap_or(0.0);
        let sims: Vec<f64> = if s.sims.len() == s.changes.len() {
            s.sims
        } else {
            s.changes.iter().map(|c| simulated_p99(&c.apply(&s.model, h), &mut rng, 20_000)).collect()
        };
        let best = sims.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |x| x.0);
        let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
        CheckError::expect_eq("best change in simulation", *correct, best)
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else { return vec![] };
        if s.ask != "choose" {
            return vec![];
        }
        let h = s.hedge.unwrap_or(0.0);
        let mut v: Vec<f64> = s.changes.iter().map(|c| c.apply(&s.model, h).quantile(0.99)).collect();
        v.sort_by(f64::total_cmp);
        if v[1] < 1.3 * v[0] {
            vec!["the best change is within 30% of the runner-up".into()]
        } else {
            vec![]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&TailLatency, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // The Tail at Scale (Dean and Barroso, CACM 2013): if 1% of calls are slow, a request
        // fanning out to 100 calls is slow 63% of the time: 1 − 0.99^100 = 0.634.
        let m = Model { n: 100, p: 0.01, fast: 10.0, stall: 1000.0, hedge: None };
        assert!((1.0 - m.cdf(10.0) - 0.634).abs() < 1e-3);
        // The closed form for the p99 (hand algebra): x = F + M ln(p / (1 − 0.99^(1/n))).
        let want = 10.0 + 1000.0 * (0.01 / (1.0 - 0.99f64.powf(0.01))).ln();
        assert!((m.quantile(0.99) - want).abs() < 1e-6);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&TailLatency, &["ask=p99".into(), "fanout=100".into(), "stall_pct=1".into(), "fast_ms=10".into(), "stall_ms=100".into()]).unwrap();
        let q = generate(&TailLatency, 1, Difficulty::Medium, &pins).unwrap();
        // 10 + 100·ln(0.01/(1 − 0.99^0.01)) = 10 + 100·ln(99.5) = 470 ms.
        assert_eq!(q.slots[0].expected.reference(), "470");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["p99", "choose"] {
            let pins = parse_pins(&TailLatency, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&TailLatency, 2, Difficulty::Hard, &pins).unwrap();
            cross_check(&TailLatency, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, .. } => Expected::sig(value * 1.5, 2),
                Expected::Choice { options, correct } => Expected::Choice { options: options.clone(), correct: (correct + 1) % options.len() },
                e => e.clone(),
            };
            assert!(cross_check(&TailLatency, &q).is_err(), "{ask}");
        }
    }
}
