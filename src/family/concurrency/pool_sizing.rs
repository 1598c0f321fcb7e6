//! `concurrency.pool_sizing`: how many threads does a server need when each request computes
//! on a core and then blocks on I/O?
//!
//! **Asked** (`ask`):
//! - `threads`: the fewest threads that keep all P cores busy, N = ⌈P·(C + W)/C⌉ (Goetz, *Java
//!   Concurrency in Practice* §8.2: N = P·(1 + W/C));
//! - `throughput`: the requests per second that N threads sustain, X = min(N/(C + W), P/C)
//!   (Little's law for the threads; the cores as the other bound).
//!
//! **Parameters.** `cores` P: easy 2–4, medium 4–8, hard 8–16; `cpu_ms` C: 2–20 ms; `io_ms` W:
//! 10–200 ms (steps of 10); `threads` N (throughput only): drawn around the knee, 0.5–1.5 × it.
//! Pins: P ≤ 16, W/C such that N ≤ 2,000.
//!
//! **Key.** The closed forms (operational analysis: every request holds a thread for C + W, so
//! N threads complete at most N/(C + W) per ms; P cores at most P/C).
//!
//! **Second route.** A discrete-event simulation ([`super::des`]) of N threads looping through
//! P first-come-first-served cores and a private I/O wait: its steady-state throughput must be
//! within 1% of the key; for `threads`, N threads must reach the core bound and N − 1 must stay
//! below it (a draw where N − 1 is within 1.5% of the bound is redrawn, so the simulation, biased
//! by at most 0.32%, can tell).
//!
//! **Pitfalls**: "one thread per core" (ignores blocking); adding C + W wrongly as W/C; using
//! the thread bound when the cores are the bottleneck (and the reverse).

use super::des;
use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct PoolSizing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "threads: the fewest threads that keep every core busy; throughput: requests per second of N threads",
        kind: ParamKind::Choice { options: &["threads", "throughput"], draw: [&["threads"], &["threads", "throughput"], &["throughput"]] },
    },
    ParamSpec { key: "cores", help: "cores P", kind: ParamKind::Int { min: 1, max: 16, draw: [(2, 4), (4, 8), (8, 16)] } },
    ParamSpec { key: "cpu_ms", help: "CPU time per request C, ms", kind: ParamKind::Int { min: 1, max: 50, draw: [(2, 10), (2, 20), (2, 20)] } },
    ParamSpec { key: "io_ms", help: "blocking I/O per request W, ms", kind: ParamKind::Int { min: 0, max: 500, draw: [(10, 100), (10, 200), (10, 200)] } },
    ParamSpec { key: "threads", help: "threads N (throughput)", kind: ParamKind::Int { min: 1, max: 2000, draw: [(1, 2000), (1, 2000), (1, 2000)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("threads", [3, 3, 4], &["pool-sizing", "littles-law"]),
    Ask::new("throughput", [3, 4, 5], &["pool-sizing", "littles-law"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    p: u64,
    c: u64,
    w: u64,
    n: u64,
}

/// The knee: the fewest threads that saturate the cores.
fn knee(p: u64, c: u64, w: u64) -> u64 {
    (p * (c + w)).div_ceil(c)
}

/// Requests per second of n threads (closed form).
fn rate(p: u64, c: u64, w: u64, n: u64) -> f64 {
    (n as f64 / (c + w) as f64).min(p as f64 / c as f64) * 1000.0
}

impl Family for PoolSizing {
    fn id(&self) -> &'static str {
        "concurrency.pool_sizing"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Thread-pool sizing: CPU- and I/O-bound work"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "the fewest threads that keep P cores busy when each request computes C ms and blocks W ms, or the throughput of N threads",
            key: "closed forms: N = ⌈P(C + W)/C⌉, X = min(N/(C + W), P/C) (Little's law, operational bounds)",
            second_route: "a discrete-event simulation of N threads through P FCFS cores and an I/O wait",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else { return vec!["no scenario".into()] };
        let mut out = Vec::new();
        if s.ask == "threads" {
            let k = knee(s.p, s.c, s.w);
            // N − 1 threads must fall clearly short of the core bound for the check to see it.
            if k > 1 && rate(s.p, s.c, s.w, k - 1) > 0.985 * rate(s.p, s.c, s.w, k) {
                out.push("N − 1 threads come within 1.5% of the core bound".into());
            }
            if k <= s.p {
                out.push("no blocking to speak of: the answer is one thread per core".into());
            }
        }
        out
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let p = cx.int("cores") as u64;
        let c = cx.int("cpu_ms") as u64;
        let w = cx.int_within("io_ms", 10, 200, 10) as u64;
        let k = knee(p, c, w);
        if k > 2000 {
            return Err(GenError::Params {
                message: format!("{k} threads is too many to simulate"),
                hint: "use fewer cores or a smaller I/O-to-CPU ratio (P·(C + W)/C ≤ 2,000)".into(),
            });
        }
        let mut prompt = Content::new().p(format!(
            "A server has $P$ = **{p}** cores. Each request needs $C$ = **{c} ms** of CPU time and then waits $W$ = **{w} ms** for a database reply (blocking I/O, which holds its thread but not a core). Requests are always waiting, and each thread serves one request at a time."
        ));
        let (slot, n, solution) = match ask {
            "threads" => {
                cx.unused("threads");
                prompt = prompt.p("What is the **fewest** threads in the pool that keeps every core busy?");
                let slot = AnswerSlot::new("fewest threads", Expected::Integer { value: k as i64 })
                    .by_hand("P·(1 + W/C), rounded up", k as f64)
                    .exact_by_hand();
                let sol = Content::new().p(format!(
                    "**{k}**. A core is busy for $C = {c}$ ms of each request's $C + W = {}$ ms, so one core keeps $(C + W)/C$ requests in flight: $N = ⌈P (C + W)/C⌉ = ⌈{p} · {}/{c}⌉ = {k}$. With {} threads the cores would idle {:.1}% of the time.",
                    c + w,
                    c + w,
                    k - 1,
                    100.0 * (1.0 - rate(p, c, w, k - 1) / rate(p, c, w, k))
                ));
                (slot, k, sol)
            }
            _ => {
                let n = cx.int_within("threads", (k / 2).max(1) as i64, (k * 3 / 2).max(2) as i64, 1) as u64;
                if n > 2000 {
                    return Err(GenError::Params { message: "too many threads to simulate".into(), hint: "use at most 2,000 threads".into() });
                }
                let x = rate(p, c, w, n);
                prompt = prompt.p(format!(
                    "The pool has $N$ = **{n}** threads. How many requests per second does the server complete in steady state?"
                ));
                let slot = AnswerSlot::new("requests per second", Expected::sig(x, 3))
                    .unit("requests/s")
                    .by_hand("the smaller of N/(C + W) and P/C", x);
                let threads_bound = n as f64 / (c + w) as f64 * 1000.0;
                let core_bound = p as f64 / c as f64 * 1000.0;
                let sol = Content::new().p(format!(
                    "**{}** requests/s. Two bounds: the threads (Little's law: each request holds a thread {} ms, so $N/(C + W) = {n}/{}$ per ms = {:.1}/s) and the cores ($P/C = {p}/{c}$ per ms = {:.1}/s). The smaller one binds: {}.",
                    crate::answer::fmt_sig(x, 3),
                    c + w,
                    c + w,
                    threads_bound,
                    core_bound,
                    if threads_bound < core_bound { "too few threads; the cores idle" } else { "the cores are saturated; more threads only add queueing" }
                ));
                (slot, n, sol)
            }
        };
        let sim = des::throughput(n as usize, p as usize, c, w) * 1000.0;
        let evidence = Content::new().p(format!(
            "A discrete-event simulation of {n} threads through {p} cores reaches {sim:.1} requests/s in steady state; the closed form gives {:.1}.",
            rate(p, c, w, n)
        ));
        Ok(Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { ask: ask.into(), p, c, w, n })
            .followup(FollowUp::new(
                format!("What if the database slows down to {} ms per request?", 2 * w),
                format!(
                    "The knee moves to {} threads; with the pool unchanged, throughput drops to {:.0} requests/s.",
                    knee(p, c, 2 * w),
                    rate(p, c, 2 * w, n)
                ),
            ).point("pool size depends on the I/O-to-CPU ratio, not just the core count"))
            .followup(FollowUp::new(
                "What limits this pool in practice, beyond the formula?",
                "The database's own capacity (connection pool, locks), memory per thread stack, and tail latency: past the knee, extra threads only queue for cores and raise response time (Little's law: L = λ·R).",
            )))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let sim = |n: u64| des::throughput(n as usize, s.p as usize, s.c, s.w) * 1000.0;
        let core_bound = s.p as f64 / s.c as f64 * 1000.0;
        match s.ask.as_str() {
            "threads" => {
                des::check_knee(sim, q.expected_integer(0)? as u64, core_bound, "the core bound (requests/s)")
            }
            _ => des::check_close(sim(s.n), q.expected_real(0)?),
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
        stress(&PoolSizing, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Goetz, JCIP §8.2: N = P·U·(1 + W/C); 8 cores, W/C = 9 → 80 threads (hand). 4 cores,
        // C = 10, W = 40 → 20 threads; 10 of them do 10/50 ms = 200/s, below the cores' 400/s.
        assert_eq!(knee(8, 10, 90), 80);
        assert_eq!(knee(4, 10, 40), 20);
        assert!((rate(4, 10, 40, 10) - 200.0).abs() < 1e-9);
        assert!((rate(4, 10, 40, 30) - 400.0).abs() < 1e-9);
    }

    #[test]
    fn pins_are_used_and_a_huge_pool_is_a_parameter_error() {
        let pins = parse_pins(&PoolSizing, &["ask=threads".into(), "cores=4".into(), "cpu_ms=10".into(), "io_ms=40".into()]).unwrap();
        let q = generate(&PoolSizing, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "20");
        let pins = parse_pins(&PoolSizing, &["cores=16".into(), "cpu_ms=1".into(), "io_ms=500".into()]).unwrap();
        assert!(generate(&PoolSizing, 1, Difficulty::Easy, &pins).unwrap_err().hint().is_some());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["threads", "throughput"] {
            let pins = parse_pins(&PoolSizing, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&PoolSizing, 4, Difficulty::Medium, &pins).unwrap();
            cross_check(&PoolSizing, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Integer { value } => Expected::Integer { value: value - 1 },
                Expected::Real { value, .. } => Expected::sig(value * 1.05, 3),
                other => other.clone(),
            };
            assert!(cross_check(&PoolSizing, &q).is_err(), "{ask}");
        }
    }
}
