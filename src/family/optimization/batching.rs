//! `optimization.batching`: sending N items to a remote service one request per batch of b items.
//! Each request costs a round trip (RTT) plus a fixed per-request overhead o plus c per item, and
//! requests are sent one after another.
//!
//! **Asked** (`ask`): `total`: the total time for N items with batch size b,
//! ⌈N/b⌉·(RTT + o) + N·c; `best`: the batch size minimising the total time when no single request
//! may take longer than L ms (so b ≤ (L − RTT − o)/c); among the minimisers, the smallest, which
//! keeps requests short.
//!
//! **Parameters.** N: 100–10,000; RTT 0.5–80 ms; o 0.1–5 ms; c 0.01–2 ms; b: 1–500; L a few
//! requests' worth.
//!
//! **Key.** Simulate the sends: loop over batches accumulating time; for `best`, enumerate every b
//! from 1 to N and keep the feasible one with the least total time (ties: the smallest b).
//!
//! **Second route.** The closed form for the total; for `best`, b* = ⌈N/⌈N/b_max⌉⌉ with
//! b_max = ⌊(L − RTT − o)/c⌋ capped at N.
//!
//! **Pitfalls**: ignoring the per-item cost (treating batching as free); N/b without rounding up;
//! maximising b without the latency bound.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Batching;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "total: total time for batch size b; best: best batch size under a per-request latency bound",
        kind: ParamKind::Choice { options: &["total", "best"], draw: [&["total"], &["total", "best"], &["total", "best"]] },
    },
    ParamSpec { key: "items", help: "items N", kind: ParamKind::Int { min: 1, max: 1_000_000, draw: [(100, 1000), (500, 5000), (1000, 10_000)] } },
    ParamSpec { key: "rtt_ms", help: "round trip in ms", kind: ParamKind::Real { min: 0.1, max: 500.0, step: 0.5, draw: [(0.5, 10.0), (0.5, 40.0), (0.5, 80.0)] } },
    ParamSpec { key: "overhead_ms", help: "per-request overhead o in ms", kind: ParamKind::Real { min: 0.0, max: 100.0, step: 0.1, draw: [(0.1, 2.0), (0.1, 5.0), (0.1, 5.0)] } },
    ParamSpec { key: "per_item_ms", help: "per-item cost c in ms", kind: ParamKind::Real { min: 0.01, max: 50.0, step: 0.01, draw: [(0.01, 0.5), (0.01, 1.0), (0.02, 2.0)] } },
    ParamSpec { key: "batch", help: "batch size b (total)", kind: ParamKind::Int { min: 1, max: 100_000, draw: [(1, 100), (1, 250), (1, 500)] } },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u64,
    rtt: f64,
    o: f64,
    c: f64,
    b: u64,
    limit: f64,
}

/// Simulated total: send batches one after another.
fn simulate(n: u64, b: u64, rtt: f64, o: f64, c: f64) -> (f64, f64) {
    let (mut left, mut t, mut longest) = (n, 0.0f64, 0.0f64);
    while left > 0 {
        let k = left.min(b);
        let req = rtt + o + k as f64 * c;
        t += req;
        longest = longest.max(req);
        left -= k;
    }
    (t, longest)
}

fn best_batch(s: &Scenario) -> Option<u64> {
    let mut best: Option<(f64, u64)> = None;
    for b in 1..=s.n {
        let (t, longest) = simulate(s.n, b, s.rtt, s.o, s.c);
        if longest <= s.limit + 1e-9 && best.is_none_or(|(bt, _)| t < bt - 1e-9) {
            best = Some((t, b));
        }
    }
    best.map(|x| x.1)
}

impl Family for Batching {
    fn id(&self) -> &'static str {
        "optimization.batching"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Batching requests: total time and the best batch size"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("items") as u64;
        let rtt = cx.real("rtt_ms");
        let o = cx.real("overhead_ms");
        let c = cx.real("per_item_ms");
        let drawn = cx.int("batch") as u64;
        if cx.is_pinned("batch") && drawn > n && ask == "total" {
            return Err(GenError::Params {
                message: format!("a batch of {drawn} is more than the {n} events"),
                hint: "set batch at most items".into(),
            });
        }
        let b = drawn.min(n).max(1);
        if ask == "total" {
            if b != drawn {
                cx.adjusted("batch", crate::family::ParamValue::Int(b as i64));
            }
        } else {
            cx.unused("batch");
        }
        // The latency bound allows between 5 and 60 items per request.
        let allowed = 5 + (n % 56);
        let limit = ((rtt + o + allowed as f64 * c) * 10.0).round() / 10.0;
        let s = Scenario { ask: ask.into(), n, rtt, o, c, b, limit };
        let setting = format!(
            "A service writes **{n}** events to a remote store. Each request carries a batch of events and costs one round trip of **{} ms**, plus **{} ms** of fixed per-request overhead, plus **{} ms** per event in the batch. Requests are sent one after another (no pipelining).",
            num(rtt), num(o), num(c)
        );
        if ask == "total" {
            let (t, _) = simulate(n, b, rtt, o, c);
            let reqs = n.div_ceil(b);
            let prompt = Content::new().p(setting).p(format!("With a batch size of **{b}**, how long does writing all events take, in ms?"));
            let solution = Content::new()
                .p(format!("⌈{n}/{b}⌉ = {reqs} requests, each paying RTT + overhead = {} ms, plus {n} events × {} ms.", num(rtt + o), num(c)))
                .p(format!("Total = {reqs} × {} + {n} × {} = **{}** ms (one event per request would take {} ms).", num(rtt + o), num(c), fmt_sig(t, 4), fmt_sig(simulate(n, 1, rtt, o, c).0, 4)));
            let evidence = Content::new().p(format!("Simulated sends: {reqs} requests, total {} ms, longest request {} ms.", fmt_sig(t, 6), fmt_sig(simulate(n, b, rtt, o, c).1, 4)));
            return Ok(Question::new(prompt, vec![AnswerSlot::new("total time (ms)", Expected::sig(t, 4))], solution, evidence).with_scenario(&s));
        }
        let v = best_batch(&s).ok_or_else(|| GenError::Params { message: "no batch size meets the latency bound".into(), hint: "raise the bound or lower the costs".into() })?;
        let bmax = (((limit - rtt - o) / c) + 1e-9).floor() as u64;
        let prompt = Content::new().p(setting).p(format!(
            "No single request may take longer than **{} ms**. Which batch size minimises the total time? If several do, give the smallest.",
            num(limit)
        ));
        let (t, _) = simulate(n, v, rtt, o, c);
        let solution = Content::new()
            .p(format!("The bound allows at most b_max = ⌊({} − {} − {})/{}⌋ = {} events per request. Total time = ⌈N/b⌉·(RTT + o) + N·c falls as the number of requests ⌈N/b⌉ falls; the per-event part does not depend on b.", num(limit), num(rtt), num(o), num(c), bmax.min(n)))
            .p(format!("The fewest requests is ⌈{n}/{}⌉ = {}, and the smallest batch achieving it is ⌈{n}/{}⌉ = **{v}** (total {} ms).", bmax.min(n), n.div_ceil(bmax.min(n).max(1)), n.div_ceil(bmax.min(n).max(1)), fmt_sig(t, 4)));
        let evidence = Content::new().p(format!("Enumerated every batch size 1…{n}: the feasible minimum total is {} ms, first reached at b = {v}.", fmt_sig(t, 6)));
        Ok(Question::new(prompt, vec![AnswerSlot::new("best batch size", Expected::Integer { value: v as i64 })], solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match q.expected(0)? {
            Expected::Real { value, .. } => {
                let closed = s.n.div_ceil(s.b) as f64 * (s.rtt + s.o) + s.n as f64 * s.c;
                if (closed - value).abs() <= 1e-9 * closed { Ok(()) } else { Err(CheckError(format!("key {value}, closed form {closed}"))) }
            }
            Expected::Integer { value } => {
                let bmax = ((((s.limit - s.rtt - s.o) / s.c) + 1e-9).floor() as u64).min(s.n);
                let want = s.n.div_ceil(s.n.div_ceil(bmax.max(1)));
                CheckError::expect_eq("best batch by formula", *value, want as i64)
            }
            _ => Err(CheckError("unexpected answer kind".into())),
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
        stress(&Batching, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // 10 items, batches of 4: 3 requests × (1 + 0) + 10 × 0.5 = 8 ms; longest 1 + 2 = 3 ms.
        assert_eq!(simulate(10, 4, 1.0, 0.0, 0.5), (8.0, 3.0));
        // Bound 3 ms allows 4 per request; 3 requests are needed, and 4 per request is the only way.
        let s = Scenario { ask: "best".into(), n: 10, rtt: 1.0, o: 0.0, c: 0.5, b: 1, limit: 3.0 };
        assert_eq!(best_batch(&s), Some(4));
        // 12 items under the same bound: 3 requests of 4.
        let s = Scenario { n: 12, ..s };
        assert_eq!(best_batch(&s), Some(4));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Batching, &["ask=total".into(), "items=10".into(), "batch=4".into(), "rtt_ms=1".into(), "overhead_ms=0".into(), "per_item_ms=0.5".into()]).unwrap();
        let q = generate(&Batching, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "8.000");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Batching, &["ask=best".into(), "items=1000".into()]).unwrap();
        let mut q = generate(&Batching, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Batching, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value + 1 };
        assert!(crate::family::cross_check(&Batching, &q).is_err());
    }
}
