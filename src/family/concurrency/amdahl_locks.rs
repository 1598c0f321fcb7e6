//! `concurrency.amdahl_locks`: n threads each loop forever doing W µs of work of their own and
//! then C µs inside one global lock; how much faster than one thread is the program?
//!
//! **Asked** (`ask`):
//! - `speedup`: throughput with n threads over throughput with one, S = min(n, (W + C)/C);
//! - `knee`: the fewest threads at which adding threads stops helping, ⌈(W + C)/C⌉.
//!
//! **Parameters.** `ask`: easy `speedup`, medium both, hard `knee`; `lock_us` C: 1–20;
//! `outside_us` W: 10 to min(200, 30·C) in steps of 10; `threads` n (speedup): drawn between
//! half and twice the knee (2–64; pins ≤ 64).
//!
//! **Key.** Operational bounds: each loop holds the lock C of its W + C, so the lock completes
//! at most 1/C loops per µs and n threads at most n/(W + C); the throughput is the smaller, and
//! with constant times it is reached exactly.
//!
//! **Second route.** A discrete-event simulation ([`super::des`]) of n threads through one lock
//! (a single first-come-first-served server) and their private work; its speedup must agree with
//! the key within 1%, and (knee) one thread fewer must fall short of the lock bound.
//!
//! **Pitfalls**: plugging the lock's share into Amdahl's 1/(f + (1 − f)/n), which assumes the
//! serial part cannot overlap other threads' parallel work (here it can, so the speedup is
//! higher until the lock saturates); "more threads always help".

use super::des;
use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct AmdahlLocks;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "speedup: throughput of n threads over one; knee: the fewest threads past which more do not help",
        kind: ParamKind::Choice { options: &["speedup", "knee"], draw: [&["speedup"], &["speedup", "knee"], &["knee"]] },
    },
    ParamSpec { key: "threads", help: "threads n (speedup)", kind: ParamKind::Int { min: 1, max: 64, draw: [(2, 8), (4, 16), (8, 32)] } },
    ParamSpec { key: "outside_us", help: "work outside the lock W, µs", kind: ParamKind::Int { min: 0, max: 1000, draw: [(10, 100), (10, 200), (10, 200)] } },
    ParamSpec { key: "lock_us", help: "time inside the lock C, µs", kind: ParamKind::Int { min: 1, max: 100, draw: [(2, 10), (1, 20), (1, 20)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("speedup", [3, 4, 5], &["lock-contention", "amdahl"]),
    Ask::new("knee", [3, 4, 5], &["lock-contention", "amdahl"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u64,
    w: u64,
    c: u64,
}

fn speedup(n: u64, w: u64, c: u64) -> f64 {
    (n as f64).min((w + c) as f64 / c as f64)
}

fn knee(w: u64, c: u64) -> u64 {
    (w + c).div_ceil(c)
}

/// Amdahl's formula with the lock's share as the serial fraction (the misconception).
fn amdahl(n: u64, w: u64, c: u64) -> f64 {
    let f = c as f64 / (w + c) as f64;
    1.0 / (f + (1.0 - f) / n as f64)
}

impl Family for AmdahlLocks {
    fn id(&self) -> &'static str {
        "concurrency.amdahl_locks"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Concurrency
    }
    fn title(&self) -> &'static str {
        "Lock contention: the speedup a global lock allows"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "the speedup of n threads that each spend C µs of every W + C inside one global lock, or the thread count past which more threads do not help",
            key: "operational bounds: S = min(n, (W + C)/C), knee ⌈(W + C)/C⌉",
            second_route: "a discrete-event simulation of the threads through one FCFS lock",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else { return vec!["no scenario".into()] };
        let k = knee(s.w, s.c);
        let mut out = Vec::new();
        if s.ask == "knee" && k > 1 && speedup(k - 1, s.w, s.c) > 0.985 * speedup(k, s.w, s.c) {
            out.push("one thread fewer than the knee is within 1.5% of the lock bound".into());
        }
        if s.ask == "speedup" && (speedup(s.n, s.w, s.c) - amdahl(s.n, s.w, s.c)).abs() < 0.05 * speedup(s.n, s.w, s.c) {
            out.push("Amdahl's formula lands within 5%: the draw does not separate the models".into());
        }
        out
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let c = cx.int("lock_us") as u64;
        // W up to 30·C keeps the knee within the drawn thread counts.
        let w = cx.int_within("outside_us", 10, (30 * c as i64).clamp(10, 200), 10) as u64;
        let k = knee(w, c);
        let mut prompt = Content::new().p(format!(
            "Each thread of a program loops forever: $W$ = **{w} µs** of work on its own data, then $C$ = **{c} µs** inside one global `pthread_mutex_t` (waiting in line when another thread holds it). There are enough cores for every thread."
        ));
        let n = match ask {
            "knee" => {
                cx.unused("threads");
                k
            }
            // Around the knee, so both the thread bound and the lock bound come up.
            _ => cx.int_within("threads", (k as i64 / 2).max(2), (2 * k as i64).min(64), 1) as u64,
        };
        if n.max(k) > 1000 {
            return Err(GenError::Params {
                message: format!("{} threads is too many to simulate", n.max(k)),
                hint: "keep (W + C)/C ≤ 1,000".into(),
            });
        }
        let (slot, solution) = match ask {
            "knee" => {
                prompt = prompt.p("What is the **fewest** threads at which the program reaches its highest throughput (more threads add nothing)?");
                let slot = AnswerSlot::new("fewest threads at the highest throughput", Expected::Integer { value: k as i64 })
                    .by_hand("(W + C)/C, rounded up", k as f64)
                    .exact_by_hand();
                let sol = Content::new().p(format!(
                    "**{k}**. The lock can serve at most one loop per $C = {c}$ µs, and one thread makes one loop per $W + C = {}$ µs, so $⌈(W + C)/C⌉ = ⌈{}/{c}⌉ = {k}$ threads keep it busy; beyond that they only queue for the lock.",
                    w + c,
                    w + c
                ));
                (slot, sol)
            }
            _ => {
                let s = speedup(n, w, c);
                prompt = prompt.p(format!(
                    "With $n$ = **{n}** threads, how many times the throughput (loops per second) of a single thread does the program reach?"
                ));
                let slot = AnswerSlot::new("speedup over one thread", Expected::sig(s, 3))
                    .by_hand("min(n, (W + C)/C)", s);
                let sol = Content::new().p(format!(
                    "**{}**. One thread completes a loop every $W + C = {}$ µs. n threads could do n times that, but the lock passes only one loop per $C = {c}$ µs, a ceiling of $(W + C)/C = {}$ times: $S = min({n}, {}) = {}$. (Amdahl's formula with the lock's share $f = C/(W + C)$ gives {}, too pessimistic here: a thread's own work overlaps other threads' time in the lock.)",
                    fmt_sig(s, 3),
                    w + c,
                    fmt_sig((w + c) as f64 / c as f64, 3),
                    fmt_sig((w + c) as f64 / c as f64, 3),
                    fmt_sig(s, 3),
                    fmt_sig(amdahl(n, w, c), 3)
                ));
                (slot, sol)
            }
        };
        let sim = des::throughput(n as usize, 1, c, w) / des::throughput(1, 1, c, w);
        let evidence = Content::new().p(format!(
            "A discrete-event simulation of {n} threads through one lock gives a speedup of {sim:.3}; the bound gives {:.3}.",
            speedup(n, w, c)
        ));
        let mut q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { ask: ask.into(), n, w, c })
            .followup(FollowUp::new(
                format!("If the critical section were halved to {} µs, what is the ceiling?", c as f64 / 2.0),
                format!("{} times one thread (reached at {} threads).", fmt_sig((w as f64 + c as f64 / 2.0) / (c as f64 / 2.0), 3), ((2 * w + c) as f64 / c as f64).ceil()),
            ).point("shrinking the critical section raises the ceiling more than adding threads"))
            .followup(FollowUp::new(
                "How would you remove the ceiling altogether?",
                "Shard the lock (per-bucket locks), keep per-thread state and merge it rarely, or replace the lock by an atomic or a lock-free structure; measure contention first (e.g. `perf lock`, mutex profiling).",
            ));
        if ask == "speedup" {
            q = q.contrast(Contrast::new("Amdahl's formula against the lock bound", fmt_sig(amdahl(n, w, c), 3), fmt_sig(speedup(n, w, c), 3)));
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let one = des::throughput(1, 1, s.c, s.w);
        let sim = |n: u64| des::throughput(n as usize, 1, s.c, s.w) / one;
        match s.ask.as_str() {
            "knee" => {
                let ceiling = (s.w + s.c) as f64 / s.c as f64;
                des::check_knee(sim, q.expected_integer(0)? as u64, ceiling, "the ceiling")
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
        stress(&AmdahlLocks, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Hand timeline: W = 30, C = 10: one thread loops every 40 µs, the lock allows one per
        // 10 µs, so the ceiling is 4 and 4 threads reach it; 2 threads give 2.
        assert_eq!(knee(30, 10), 4);
        assert!((speedup(2, 30, 10) - 2.0).abs() < 1e-12);
        assert!((speedup(8, 30, 10) - 4.0).abs() < 1e-12);
        // Amdahl with f = 1/4 and n = 8: 1/(0.25 + 0.75/8) = 2.909…
        assert!((amdahl(8, 30, 10) - 2.909_090_9).abs() < 1e-6);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&AmdahlLocks, &["ask=knee".into(), "outside_us=30".into(), "lock_us=10".into()]).unwrap();
        let q = generate(&AmdahlLocks, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "4");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["speedup", "knee"] {
            let pins = parse_pins(&AmdahlLocks, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&AmdahlLocks, 4, Difficulty::Medium, &pins).unwrap();
            cross_check(&AmdahlLocks, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Integer { value } => Expected::Integer { value: value - 1 },
                Expected::Real { value, .. } => Expected::sig(value * 1.05, 3),
                other => other.clone(),
            };
            assert!(cross_check(&AmdahlLocks, &q).is_err(), "{ask}");
        }
    }
}
