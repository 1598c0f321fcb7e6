//! `optimization.queueing`: why a service that is 90% busy is slow, from M/M/1 and M/M/c queues.
//!
//! **Asked** (`ask`):
//! - `response`: one worker (M/M/1): (a) its utilization ρ = λ·S, (b) the mean response time
//!   W = S/(1 − ρ);
//! - `in_system`: M/M/1: (a) the mean number of requests in the system L = ρ/(1 − ρ), (b) the mean
//!   number waiting in the queue L_q = ρ²/(1 − ρ) (Little's law: L = λ·W, L_q = λ·W_q);
//! - `slowdown`: traffic grows from λ₁ to λ₂ (from roughly 50–80% load to 90–95%): by what
//!   factor does the mean response time grow? (1 − ρ₁)/(1 − ρ₂);
//! - `mmc`: c workers share one queue (M/M/c): (a) the probability a request waits (Erlang C),
//!   (b) the mean response time W = C/(cμ − λ) + 1/μ.
//!
//! **Parameters.** `service_ms` S (mean service time, exponential): easy 5–20, medium 2–50,
//! hard 1–100 ms; `servers` c (mmc): 2–4, hard 2–8; `rate` λ (Poisson arrivals, req/s): drawn for
//! a load of 50–80% (easy), 60–90% (medium), 70–95% (hard); `peak_rate` λ₂ (slowdown): drawn
//! for a load of 90–95%. A pinned rate must keep the load below 98%.
//!
//! **Key.** The closed forms (Erlang C summed term by term), computed from the shown λ and S.
//!
//! **Second route.** The simulation whose figures the evidence shows is the cross-check's second
//! route: it runs once, in `generate`, from its own RNG stream, its estimates travel in the
//! scenario, and `cross_check` tests them against the key. It is a discrete-event simulation of
//! the FCFS queue: Poisson arrivals and
//! exponential service times from `rand_distr`, each request served by the worker that frees up
//! first. The first 5% of requests are a warm-up and are dropped; the standard error comes from 40
//! batch means (requests in a busy queue are correlated, so the naive standard error would be
//! too small), and the key must pass Student's t test at 39 degrees of freedom at the suite's level
//! (`mc::FAIL_P`: |t| ≤ 7.76). The run is long enough that a
//! batch spans hundreds of relaxation times (about S/(1 − √ρ)²).
//!
//! **Pitfalls**: W = S ("the work takes 10 ms"); a linear slowdown (ρ₂/ρ₁); splitting the traffic
//! over c private queues instead of one shared queue.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Queueing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "response: utilization and response time (M/M/1); in_system: L and L_q by Little's law; slowdown: the growth of W from λ₁ to λ₂; mmc: Erlang C with c workers",
        kind: ParamKind::Choice {
            options: &["response", "in_system", "slowdown", "mmc"],
            draw: [&["response"], &["response", "in_system", "slowdown"], &["in_system", "slowdown", "mmc"]],
        },
    },
    ParamSpec {
        key: "service_ms",
        help: "mean service time S in ms (exponential)",
        kind: ParamKind::Int { min: 1, max: 10_000, draw: [(5, 20), (2, 50), (1, 100)] },
    },
    ParamSpec {
        key: "servers",
        help: "workers c sharing one queue (mmc)",
        kind: ParamKind::Int { min: 1, max: 64, draw: [(2, 4), (2, 4), (2, 8)] },
    },
    ParamSpec {
        key: "rate",
        help: "arrival rate λ in requests/s (Poisson); drawn for a load of 50–80%, 60–90%, 70–95%",
        kind: ParamKind::Int { min: 1, max: 10_000_000, draw: [(50, 200), (20, 500), (10, 1000)] },
    },
    ParamSpec {
        key: "peak_rate",
        help: "the higher arrival rate λ₂ (slowdown); drawn for a load of 90–95%",
        kind: ParamKind::Int { min: 1, max: 10_000_000, draw: [(90, 190), (20, 475), (10, 950)] },
    },
];

/// Highest load a question may ask about: beyond it the simulation needs too long a run.
const MAX_LOAD: f64 = 0.98;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    /// Mean service time in seconds.
    s: f64,
    c: u32,
    lambda: f64,
    /// λ₂ for `slowdown`.
    peak: f64,
    /// The evidence run at λ, which the cross-check tests the key against.
    sim: Measured,
    /// The evidence run at λ₂ (`slowdown` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sim_peak: Option<Measured>,
}

/// The closed forms for one FCFS queue with c exponential workers.
#[derive(Debug, Clone, Copy)]
struct Exact {
    rho: f64,
    p_wait: f64,
    /// Mean response time in seconds.
    w: f64,
    wq: f64,
    l: f64,
    lq: f64,
}

fn exact(lambda: f64, s: f64, c: u32) -> Exact {
    let mu = 1.0 / s;
    let a = lambda / mu;
    let rho = a / c as f64;
    // Erlang C: the tail term a^c/c! · 1/(1 − ρ) against the sum of a^k/k! below c.
    let mut term = 1.0;
    let mut below = 0.0;
    for k in 0..c {
        below += term;
        term *= a / (k + 1) as f64;
    }
    let tail = term / (1.0 - rho);
    let p_wait = tail / (below + tail);
    let wq = p_wait / (c as f64 * mu - lambda);
    let w = wq + s;
    Exact {
        rho,
        p_wait,
        w,
        wq,
        l: lambda * w,
        lq: lambda * wq,
    }
}

/// What the simulation measured, each with a batch-means standard error.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Measured {
    /// Busy fraction of the workers.
    rho: Estimate,
    p_wait: Estimate,
    /// Mean response time in seconds.
    w: Estimate,
    /// Time-average number in the system (total time in system / elapsed time, per batch).
    l: Estimate,
    lq: Estimate,
    requests: u64,
    /// Requests measured (after the warm-up), and how many of them waited.
    measured: u64,
    waited: u64,
}

const BATCHES: usize = 40;

/// Requests to simulate at load ρ: enough that each of the 40 batches spans about a hundred
/// relaxation times S/(1 − √ρ)² (fewer at the highest loads, where the cap applies and the
/// batch-means standard error grows to say so). The evidence run, which is also the
/// cross-check's, takes this length.
fn run_length(rho: f64) -> u64 {
    let relax = 1.0 / (1.0 - rho.sqrt()).powi(2);
    ((BATCHES as f64 * 100.0 * relax) as u64).clamp(100_000, 2_000_000)
}

/// Simulates `n` requests through an FCFS queue with `c` workers and returns batch means.
fn simulate(lambda: f64, s: f64, c: u32, n: u64, rng: &mut ChaCha8Rng) -> Measured {
    let arrivals = Exp::new(lambda).expect("λ > 0");
    let service = Exp::new(1.0 / s).expect("S > 0");
    let mut free_at = vec![0.0f64; c as usize];
    let warm = n / 20;
    let per = (n - warm) / BATCHES as u64;
    let (mut t, mut batch_start) = (0.0f64, 0.0f64);
    let (mut sum_w, mut sum_wq, mut sum_busy, mut waited) = (0.0, 0.0, 0.0, 0u64);
    let mut cols: [Vec<f64>; 5] = Default::default();
    let mut i = 0u64;
    let (mut measured, mut waited_total) = (0u64, 0u64);
    for k in 0..warm + per * BATCHES as u64 {
        t += arrivals.sample(rng);
        let (j, free) = free_at
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        let start = t.max(free);
        let work = service.sample(rng);
        free_at[j] = start + work;
        if k < warm {
            batch_start = t;
            continue;
        }
        sum_w += start + work - t;
        sum_wq += start - t;
        sum_busy += work;
        waited += u64::from(start > t);
        waited_total += u64::from(start > t);
        measured += 1;
        i += 1;
        if i == per {
            let span = t - batch_start;
            let m = per as f64;
            for (col, v) in cols.iter_mut().zip([
                sum_busy / (c as f64 * span),
                waited as f64 / m,
                sum_w / m,
                sum_w / span,
                sum_wq / span,
            ]) {
                col.push(v);
            }
            (sum_w, sum_wq, sum_busy, waited, i, batch_start) = (0.0, 0.0, 0.0, 0, 0, t);
        }
    }
    let mut e = cols.iter().map(|c| mc::batch_means(c));
    let mut next = || e.next().unwrap_or_else(|| mc::batch_means(&[]));
    Measured {
        rho: next(),
        p_wait: next(),
        w: next(),
        l: next(),
        lq: next(),
        requests: n,
        measured,
        waited: waited_total,
    }
}

/// Arrival rate for a load drawn in `lo..=hi` (fractions), for c workers of mean service time s,
/// rounded to a step that keeps the number short.
fn rate_within(cx: &mut Ctx, key: &str, c: u32, s: f64, lo: f64, hi: f64) -> i64 {
    let cap = c as f64 / s;
    let step = match cap {
        x if x < 300.0 => 1,
        x if x < 3000.0 => 5,
        _ => 10,
    };
    // With a long service time the capacity is a few requests a second, and no whole rate may
    // fall inside the load range: then take the largest whole rate below it.
    let hi = ((hi * cap).floor() as i64).max(1);
    let lo = ((lo * cap).ceil() as i64).min(hi);
    cx.int_within(key, lo, hi, step)
}

/// Evidence rows: each quantity by the closed form and by the simulation.
fn evidence_rows(e: &Exact, m: &Measured) -> Vec<[String; 3]> {
    let sim = |est: &Estimate, scale: f64| {
        format!(
            "{} ± {}",
            fmt_sig(scale * est.mean, 4),
            fmt_sig(scale * est.stderr, 2)
        )
    };
    vec![
        [
            "utilization ρ (%)".into(),
            fmt_sig(100.0 * e.rho, 4),
            sim(&m.rho, 100.0),
        ],
        [
            "P(a request waits)".into(),
            fmt_sig(e.p_wait, 4),
            sim(&m.p_wait, 1.0),
        ],
        [
            "mean response time W (ms)".into(),
            fmt_sig(1000.0 * e.w, 4),
            sim(&m.w, 1000.0),
        ],
        ["mean in system L".into(), fmt_sig(e.l, 4), sim(&m.l, 1.0)],
        [
            "mean in queue $L_q$".into(),
            fmt_sig(e.lq, 4),
            sim(&m.lq, 1.0),
        ],
    ]
}

fn pct(x: f64) -> String {
    format!("{}%", fmt_sig(100.0 * x, 3))
}

fn ms(x: f64) -> String {
    fmt_sig(1000.0 * x, 3)
}

impl Family for Queueing {
    fn id(&self) -> &'static str {
        "optimization.queueing"
    }
    fn version(&self) -> u32 {
        3
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Queueing: utilization, response time and Little's law"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("response", [3, 4, 5], &["queueing-mm1"]),
            Ask::new("in_system", [3, 5, 6], &["queueing-mm1", "littles-law"]),
            Ask::new("slowdown", [3, 4, 5], &["queueing-mm1"]),
            Ask::new("mmc", [6, 8, 10], &["queueing-erlang-c"]),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "M/M/1 utilization, response time, $L$ and $L_q$ (Little's law), the slowdown from ~80% to ~95% load; M/M/c with Erlang C",
            key: "closed forms",
            second_route: "discrete-event simulation with batch-means standard errors",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let s_ms = cx.int("service_ms");
        let s = s_ms as f64 / 1000.0;
        let c = if ask == "mmc" {
            cx.int("servers") as u32
        } else {
            1
        };
        let (lo, hi): (f64, f64) = [(0.5, 0.8), (0.6, 0.9), (0.7, 0.95)][cx.difficulty().index()];
        let (lo, hi) = if ask == "slowdown" {
            (lo, hi.min(0.8))
        } else {
            (lo, hi)
        };
        let lambda = rate_within(cx, "rate", c, s, lo, hi) as f64;
        let peak = if ask == "slowdown" {
            rate_within(cx, "peak_rate", c, s, 0.9, 0.95) as f64
        } else {
            0.0
        };
        for (key, l) in [("rate", lambda), ("peak_rate", peak)] {
            let load = l * s / c as f64;
            if load >= MAX_LOAD {
                return Err(GenError::Params {
                    message: format!(
                        "{key} = {l} req/s puts {c} worker(s) of {s_ms} ms at {}% load",
                        num(100.0 * load)
                    ),
                    hint: format!(
                        "keep the load below {}%: {key} < {} (or shorten service_ms)",
                        num(100.0 * MAX_LOAD),
                        num(MAX_LOAD * c as f64 / s)
                    ),
                });
            }
        }
        if ask == "slowdown" && peak <= lambda {
            return Err(GenError::Params {
                message: format!("peak_rate = {peak} is not above rate = {lambda}"),
                hint: "set peak_rate above rate".into(),
            });
        }
        let e = exact(lambda, s, c);
        let sim = simulate(lambda, s, c, run_length(e.rho), &mut cx.sim_rng("evidence"));
        let one = format!(
            "A single worker serves requests from one FIFO queue. Requests arrive as a Poisson process at **λ = {} requests/s**, and service times are exponential with a mean of **S = {s_ms} ms**",
            num(lambda)
        );
        let (prompt, slots, solution) = match ask {
            "response" => (
                Content::new()
                    .p(format!("{one} (an M/M/1 queue)."))
                    .p("How busy is the worker, and how long does a request take on average?"),
                vec![
                    AnswerSlot::new("the worker's utilization $rho$", Expected::sig(100.0 * e.rho, 3)).unit("%").exact_by_hand(),
                    AnswerSlot::new("the mean response time (queueing plus service)", Expected::sig(1000.0 * e.w, 3)).unit("ms").exact_by_hand(),
                ],
                Content::new()
                    .p(format!("(a) $rho = lambda S$ = {} requests/s × {} s = **{}**.", num(lambda), num(s), pct(e.rho)))
                    .p(format!(
                        "(b) For M/M/1, $W = S / (1 - rho)$ = {s_ms} ms / {} = **{} ms**. The work itself takes {s_ms} ms; the other {} ms are spent waiting behind other requests.",
                        fmt_sig(1.0 - e.rho, 3),
                        ms(e.w),
                        ms(e.wq)
                    )),
            ),
            "in_system" => (
                Content::new()
                    .p(format!("{one} (an M/M/1 queue)."))
                    .p("On average, how many requests are in the system, and how many are waiting in the queue?"),
                vec![
                    AnswerSlot::new("mean number of requests in the system (waiting or in service), $L$", Expected::sig(e.l, 3)).unit("requests").exact_by_hand(),
                    AnswerSlot::new("mean number waiting in the queue, $L_q$", Expected::sig(e.lq, 3)).unit("requests").exact_by_hand(),
                ],
                Content::new()
                    .p(format!("$rho = lambda S$ = {}. The mean response time is $W = S / (1 - rho)$ = {} ms, of which $W_q = rho S / (1 - rho)$ = {} ms is waiting.", pct(e.rho), ms(e.w), ms(e.wq)))
                    .p(format!(
                        "(a) Little's law: $L = lambda W$ = {} requests/s × {} s = **{}** (the same as $rho / (1 - rho)$).",
                        num(lambda),
                        fmt_sig(e.w, 4),
                        fmt_sig(e.l, 3)
                    ))
                    .p(format!(
                        "(b) $L_q = lambda W_q$ = **{}** ($rho^2 / (1 - rho)$): $L - L_q = rho$ = {}, the average number in service.",
                        fmt_sig(e.lq, 3),
                        fmt_sig(e.rho, 3)
                    )),
            ),
            "slowdown" => {
                let e2 = exact(peak, s, c);
                let factor = e2.w / e.w;
                (
                    Content::new()
                        .p(format!("{one} (an M/M/1 queue)."))
                        .p(format!("A launch raises the traffic to **$lambda_2$ = {} requests/s**. By what factor does the mean response time $W$ grow?", num(peak))),
                    vec![AnswerSlot::new("$W$ at $lambda_2$ divided by $W$ at $lambda$", Expected::sig(factor, 3)).exact_by_hand()],
                    Content::new()
                        .p(format!("The load goes from $rho_1$ = {} to $rho_2$ = {}.", pct(e.rho), pct(e2.rho)))
                        .p(format!(
                            "$W = S / (1 - rho)$, so the factor is $(1 - rho_1) / (1 - rho_2)$ = {} / {} = **{}** ({} ms → {} ms).",
                            fmt_sig(1.0 - e.rho, 3),
                            fmt_sig(1.0 - e2.rho, 3),
                            fmt_sig(factor, 3),
                            ms(e.w),
                            ms(e2.w)
                        ))
                        .p(format!(
                            "The traffic grew only {}×: response time blows up as the load nears 100%, which is why capacity is planned for well below full utilization.",
                            fmt_sig(peak / lambda, 3)
                        )),
                )
            }
            _ => {
                let split = exact(lambda / c as f64, s, 1);
                (
                    Content::new()
                        .p(format!(
                            "**{c} workers** take requests from one shared FIFO queue. Requests arrive as a Poisson process at **λ = {} requests/s**, and service times are exponential with a mean of **S = {s_ms} ms** (an M/M/{c} queue).",
                            num(lambda)
                        ))
                        .p("Erlang C, with offered load $a = lambda S$ and $rho = a / c$: $P(\"wait\") = (a^c / c! dot 1 / (1 - rho)) / (sum_(k < c) a^k / k! + a^c / c! dot 1 / (1 - rho))$, and the mean wait in the queue is $P(\"wait\") / (c / S - lambda)$."),
                    vec![
                        AnswerSlot::new("the probability that a request has to wait for a worker", Expected::sig(e.p_wait, 3)).exact_by_hand(),
                        AnswerSlot::new("the mean response time", Expected::sig(1000.0 * e.w, 3)).unit("ms").exact_by_hand(),
                    ],
                    Content::new()
                        .p(format!(
                            "The offered load is $a = lambda S$ = {} erlangs, so each worker is busy $rho = a / c$ = {} of the time.",
                            fmt_sig(lambda * s, 4),
                            pct(e.rho)
                        ))
                        .p(format!(
                            "(a) Erlang C: $C = (a^c / c! dot 1 / (1 - rho)) / (sum_(k < c) a^k / k! + a^c / c! dot 1 / (1 - rho))$ = **{}**.",
                            fmt_sig(e.p_wait, 3)
                        ))
                        .p(format!(
                            "(b) $W = C / (c / S - lambda) + S$ = {} ms + {s_ms} ms = **{} ms**.",
                            ms(e.wq),
                            ms(e.w)
                        ))
                        .p(format!(
                            "Giving each worker a private queue with $lambda / {c}$ of the traffic would give $W = S / (1 - rho)$ = {} ms: one shared queue never lets a worker idle while requests wait elsewhere.",
                            ms(split.w)
                        )),
                )
            }
        };
        let at_load = |rho: f64| exact(rho * c as f64 / s, s, c);
        let mut extra: Vec<FollowUp> = Vec::new();
        let mut contrasts: Vec<Contrast> = Vec::new();
        match ask {
            "response" | "in_system" => {
                let target = if e.rho < 0.9 { 0.95 } else { 0.98 };
                let hi = at_load(target);
                extra.push(
                    FollowUp::new(
                        format!("What if the load rose to {}%?", num(100.0 * target)),
                        format!(
                            "$W = S / (1 - rho)$ = {s_ms} ms / {} = {} ms, and $L$ = {} requests: {} times today's response time.",
                            fmt_sig(1.0 - target, 2),
                            ms(hi.w),
                            fmt_sig(hi.l, 3),
                            fmt_sig(hi.w / e.w, 3)
                        ),
                    )
                    .point("the last few percent of load cost the most: W grows like 1/(1 − ρ)"),
                );
                let two = exact(lambda, s, 2);
                extra.push(
                    FollowUp::new(
                        "What would a second worker sharing the same queue do?",
                        format!(
                            "Each worker is busy {} of the time; $W$ drops from {} ms to {} ms and $L_q$ from {} to {} (M/M/2).",
                            pct(two.rho),
                            ms(e.w),
                            ms(two.w),
                            fmt_sig(e.lq, 3),
                            fmt_sig(two.lq, 3)
                        ),
                    )
                    .point("the gain is mostly the queueing delay; the service time S stays"),
                );
                if ask == "response" {
                    contrasts.push(Contrast::new(
                        "response time vs service time",
                        ms(e.w),
                        s_ms,
                    ));
                } else {
                    contrasts.push(Contrast::new("L vs L_q", fmt_sig(e.l, 3), fmt_sig(e.lq, 3)));
                }
            }
            "slowdown" => {
                // The rate at which W is twice today's: 1 − ρ halves.
                let rho2 = 1.0 - (1.0 - e.rho) / 2.0;
                extra.push(
                    FollowUp::new(
                        "Up to what traffic does the mean response time stay within twice today's?",
                        format!(
                            "$W$ doubles when $1 - rho$ halves: $rho$ = {}, $lambda$ = {} requests/s, only {}× today's traffic.",
                            pct(rho2),
                            fmt_sig(rho2 / s, 4),
                            fmt_sig(rho2 / e.rho, 3)
                        ),
                    )
                    .point("headroom in traffic is much smaller than headroom in response time"),
                );
                let e2 = exact(peak, s, c);
                contrasts.push(Contrast::new(
                    "response-time factor vs traffic factor",
                    fmt_sig(e2.w / e.w, 3),
                    fmt_sig(peak / lambda, 3),
                ));
            }
            _ => {
                let split = exact(lambda / c as f64, s, 1);
                extra.push(
                    FollowUp::new(
                        format!("What if each of the {c} workers had its own queue with $lambda / {c}$ of the traffic?"),
                        format!("Each becomes an M/M/1 queue at the same load: $W$ = {} ms instead of {} ms.", ms(split.w), ms(e.w)),
                    )
                    .point("a shared queue never leaves a worker idle while a request waits"),
                );
                if c > 1 && lambda * s < (c - 1) as f64 * MAX_LOAD {
                    let fewer = exact(lambda, s, c - 1);
                    extra.push(FollowUp::new(
                        "What if one worker failed?",
                        format!(
                            "{} workers at {} load: P(wait) = {}, $W$ = {} ms.",
                            c - 1,
                            pct(fewer.rho),
                            fmt_sig(fewer.p_wait, 3),
                            ms(fewer.w)
                        ),
                    ));
                } else {
                    extra.push(FollowUp::new(
                        "What if one worker failed?",
                        format!(
                            "The offered load of {} erlangs is at least the {} workers left: the queue grows without bound.",
                            fmt_sig(lambda * s, 3),
                            c - 1
                        ),
                    ));
                }
                contrasts.push(Contrast::new(
                    "shared vs private queues",
                    ms(e.w),
                    ms(split.w),
                ));
            }
        }
        let mut runs = vec![(lambda, e, sim)];
        if ask == "slowdown" {
            let e2 = exact(peak, s, c);
            runs.push((
                peak,
                e2,
                simulate(
                    peak,
                    s,
                    c,
                    run_length(e2.rho),
                    &mut cx.sim_rng("evidence-peak"),
                ),
            ));
        }
        let sc = Scenario {
            ask: ask.into(),
            s,
            c,
            lambda,
            peak,
            sim,
            sim_peak: runs.get(1).map(|r| r.2),
        };
        let mut evidence = Content::new();
        for (l, e, m) in runs {
            evidence = evidence
                .p(format!(
                    "Discrete-event simulation at λ = {} requests/s: {} requests, the first 5% dropped as warm-up; ± one standard error from {BATCHES} batch means.",
                    num(l),
                    m.requests
                ))
                .table(["quantity", "closed form", "simulated"], evidence_rows(&e, &m));
        }
        let mut q = Question::new(prompt, slots, solution, evidence).with_scenario(&sc);
        for f in extra {
            q = q.followup(f);
        }
        for k in contrasts {
            q = q.contrast(k);
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let sc: Scenario = q.scenario()?;
        let key = |i: usize| q.expected_real(i);
        let sim = sc.sim;
        let agree = |what: &str, key: f64, est: Estimate, scale: f64| {
            est.check(&format!("{what} (÷{scale})"), key / scale)
        };
        match sc.ask.as_str() {
            "response" => {
                agree("utilization %", key(0)?, sim.rho, 100.0)?;
                agree("response time ms", key(1)?, sim.w, 1000.0)
            }
            "in_system" => {
                agree("L", key(0)?, sim.l, 1.0)?;
                if sim.waited == 0 {
                    // No request waited in the whole run (a lightly loaded queue), so every batch's
                    // L_q is 0 and batch means have nothing to say. Test the probability of waiting
                    // the key's L_q implies, L_q·(1 − ρ)/ρ (M/M/c: L_q = C·ρ/(1 − ρ)), against 0
                    // waits in that many requests.
                    let rho = sc.lambda * sc.s / sc.c as f64;
                    let implied = key(1)? * (1.0 - rho) / rho;
                    return Estimate::from_hits(0, sim.measured)
                        .check("P(wait) implied by L_q, with no request waiting", implied);
                }
                agree("L_q", key(1)?, sim.lq, 1.0)
            }
            "slowdown" => {
                let peak = sc
                    .sim_peak
                    .ok_or_else(|| CheckError("no simulation at λ₂ in the scenario".into()))?;
                let ratio = peak.w.mean / sim.w.mean;
                let rel = ((peak.w.stderr / peak.w.mean).powi(2)
                    + (sim.w.stderr / sim.w.mean).powi(2))
                .sqrt();
                // A ratio of two batch-means estimates: Student's t with the batches' degrees of freedom.
                let est = Estimate::derived(ratio, ratio * rel, BATCHES as u64, true);
                agree("slowdown factor", key(0)?, est, 1.0)
            }
            _ => {
                if sim.waited == 0 {
                    // As above: no request waited, so test the count, 0 of the measured requests.
                    Estimate::from_hits(0, sim.measured)
                        .check("P(wait), with no request waiting", key(0)?)?;
                } else {
                    agree("P(wait)", key(0)?, sim.p_wait, 1.0)?;
                }
                agree("response time ms", key(1)?, sim.w, 1000.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty, ParamValue};

    #[test]
    fn passes_the_stress_check() {
        stress(&Queueing, 0..10).unwrap();
    }

    #[test]
    fn known_values() {
        // M/M/1 at λ = 80/s, S = 10 ms: ρ = 0.8, W = 50 ms, L = 4, L_q = 3.2.
        let e = exact(80.0, 0.01, 1);
        assert!((e.rho - 0.8).abs() < 1e-12 && (e.w - 0.05).abs() < 1e-12);
        assert!((e.l - 4.0).abs() < 1e-9 && (e.lq - 3.2).abs() < 1e-9);
        // With one server Erlang C is just ρ.
        assert!((e.p_wait - 0.8).abs() < 1e-12);
        // A textbook M/M/2: a = 1 erlang (ρ = 0.5) gives C = 1/3 (Kleinrock; also 2ρ²/(1 + ρ)).
        let e = exact(1.0, 1.0, 2);
        assert!((e.p_wait - 1.0 / 3.0).abs() < 1e-12, "{e:?}");
        // W_q = C/(cμ − λ) = (1/3)/1; W = 4/3.
        assert!((e.w - 4.0 / 3.0).abs() < 1e-12);
    }

    /// An M/M/1 response-time question: 10 ms of service, 80 requests a second.
    fn response_pins() -> crate::family::Pins {
        parse_pins(&Queueing, &["ask=response".into(), "service_ms=10".into(), "rate=80".into()]).unwrap()
    }

    #[test]
    fn pins_are_used() {
        let pins = response_pins();
        let q = generate(&Queueing, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "80.0");
        assert_eq!(q.slots[1].expected.reference(), "50.0");
        let pins = parse_pins(
            &Queueing,
            &[
                "ask=slowdown".into(),
                "service_ms=10".into(),
                "rate=80".into(),
                "peak_rate=95".into(),
            ],
        )
        .unwrap();
        let q = generate(&Queueing, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "4.00");
    }

    #[test]
    fn a_long_service_time_still_draws_a_rate_below_the_load_cap() {
        // S = 98 ms: capacity 10.2/s, and 90–95% of it (9.18–9.69) holds no whole rate.
        let pins = parse_pins(&Queueing, &["ask=slowdown".into(), "service_ms=98".into()]).unwrap();
        for seed in 0..20 {
            let q = generate(&Queueing, seed, Difficulty::Hard, &pins).unwrap();
            let Some(ParamValue::Int(peak)) = q.params.get("peak_rate") else {
                panic!()
            };
            assert!((*peak as f64) * 0.098 < MAX_LOAD, "seed {seed}: {peak}");
        }
    }

    #[test]
    fn a_queue_where_nobody_waits_cross_checks() {
        // Found by random pins: 4 workers at λ = 1/s, S = 11 ms (0.3% load): P(wait) = 6e-10 and
        // no simulated request ever waits, so every batch mean is 0 with no spread and the
        // correct key failed ("p = 0"). A key that is clearly too large still fails.
        let pins = parse_pins(
            &Queueing,
            &[
                "ask=mmc".into(),
                "servers=4".into(),
                "rate=1".into(),
                "service_ms=11".into(),
            ],
        )
        .unwrap();
        // The quality rules now refuse this pin set (shared and private queues print the same
        // 11.0 ms: nothing to contrast), but the second route must still hold on such an
        // instance, so generate it without the rules and cross-check it as the runner would.
        let mut cx = crate::family::Ctx::new(
            Queueing.id(),
            Queueing.params(),
            213,
            Difficulty::Easy,
            pins.clone(),
        );
        let mut q = Queueing.generate(&mut cx).unwrap();
        (q.seed, q.difficulty, q.pins) = (213, Difficulty::Easy, pins.clone());
        assert!(
            generate(&Queueing, 213, Difficulty::Easy, &pins).is_err(),
            "no fair question at 0.3% load"
        );
        crate::family::cross_check(&Queueing, &q).unwrap();
        q.slots[0].expected = Expected::sig(0.01, 3);
        assert!(crate::family::cross_check(&Queueing, &q).is_err());
        let pins = parse_pins(
            &Queueing,
            &[
                "ask=in_system".into(),
                "servers=1".into(),
                "rate=1".into(),
                "service_ms=1".into(),
            ],
        )
        .unwrap();
        let q = generate(&Queueing, 5, Difficulty::Hard, &pins);
        if let Ok(q) = q {
            crate::family::cross_check(&Queueing, &q).unwrap();
        }
    }

    #[test]
    fn the_cross_check_tests_the_evidence_run() {
        // The check reads the simulation the evidence shows (no second run): a stored mean
        // response time twice the simulated one fails it, and a scenario without the run is an
        // error, not a silent pass.
        let pins = response_pins();
        let q = generate(&Queueing, 3, Difficulty::Easy, &pins).unwrap();
        let w = q.scenario["sim"]["w"]["mean"].as_f64().unwrap();
        assert!((w - 0.05).abs() < 0.005, "simulated W {w} s, closed form 0.05 s");
        let mut doubled = q.clone();
        doubled.scenario["sim"]["w"]["mean"] = (2.0 * w).into();
        assert!(crate::family::cross_check(&Queueing, &doubled).is_err());
        let mut missing = q.clone();
        missing.scenario.as_object_mut().unwrap().remove("sim");
        assert!(crate::family::cross_check(&Queueing, &missing).is_err());
    }

    #[test]
    fn an_overloaded_pin_is_a_parameter_error() {
        let pins = parse_pins(
            &Queueing,
            &[
                "ask=response".into(),
                "service_ms=10".into(),
                "rate=100".into(),
            ],
        )
        .unwrap();
        let err = generate(&Queueing, 1, Difficulty::Easy, &pins).unwrap_err();
        assert!(err.to_string().contains("100% load"), "{err}");
    }

    #[test]
    fn the_cross_check_catches_common_mistakes() {
        let pins = response_pins();
        let mut q = generate(&Queueing, 3, Difficulty::Easy, &pins).unwrap();
        crate::family::cross_check(&Queueing, &q).unwrap();
        // W = S (no queueing) is wrong.
        q.slots[1].expected = Expected::sig(10.0, 3);
        assert!(crate::family::cross_check(&Queueing, &q).is_err());
        // M/M/3 at 85% load: private queues (W = S/(1 − ρ)) instead of Erlang C is caught.
        let pins = parse_pins(
            &Queueing,
            &[
                "ask=mmc".into(),
                "service_ms=10".into(),
                "servers=3".into(),
                "rate=255".into(),
            ],
        )
        .unwrap();
        let mut q = generate(&Queueing, 3, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Queueing, &q).unwrap();
        q.slots[1].expected = Expected::sig(10.0 / 0.15, 3);
        assert!(crate::family::cross_check(&Queueing, &q).is_err());
        // A linear slowdown (λ₂/λ₁) is caught.
        let pins = parse_pins(
            &Queueing,
            &[
                "ask=slowdown".into(),
                "service_ms=10".into(),
                "rate=70".into(),
                "peak_rate=92".into(),
            ],
        )
        .unwrap();
        let mut q = generate(&Queueing, 3, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Queueing, &q).unwrap();
        q.slots[0].expected = Expected::sig(92.0 / 70.0, 3);
        assert!(crate::family::cross_check(&Queueing, &q).is_err());
    }
}

#[cfg(test)]
mod calibration {
    use super::*;
    use rand::SeedableRng;

    /// Are the batch-means standard errors honest? Over `runs` runs at each load, the t-scores of
    /// the simulated W against the closed form should follow Student's t with 39 degrees of
    /// freedom: none beyond the failure quantile (7.76), a mean near 0 and a mean square near
    /// 39/37. A naive standard error (correlated requests treated as independent) makes the mean
    /// square tens of times too large; one inflated by a wrong batch count makes it far too small.
    fn calibrate(runs: u64, loads: &[(f64, u32)]) {
        let crit = mc::t_quantile_two_sided(mc::FAIL_P, (BATCHES - 1) as f64);
        for &(load, c) in loads {
            let (s, lambda) = (0.01, load * c as f64 / 0.01);
            let e = exact(lambda, s, c);
            let t: Vec<f64> = (0..runs)
                .map(|i| {
                    let m = simulate(
                        lambda,
                        s,
                        c,
                        run_length(e.rho),
                        &mut ChaCha8Rng::seed_from_u64(i),
                    );
                    (m.w.mean - e.w) / m.w.stderr
                })
                .collect();
            let n = t.len() as f64;
            let mean = t.iter().sum::<f64>() / n;
            let square = t.iter().map(|x| x * x).sum::<f64>() / n;
            let beyond2 = t.iter().filter(|z| z.abs() > 2.0).count() as f64 / n;
            let max = t.iter().fold(0.0f64, |a, z| a.max(z.abs()));
            println!("load {load} c {c}, {runs} runs: mean t {mean:.3}, mean t² {square:.3} (t₃₉: 1.054), share |t| > 2: {beyond2:.3}, max |t| {max:.2} (fails beyond {crit:.2})");
            assert!(max < crit, "load {load} c {c}: |t| = {max}");
            assert!(mean.abs() < 1.0, "load {load} c {c}: mean t {mean}");
            assert!(
                (0.2..3.0).contains(&square),
                "load {load} c {c}: mean t² {square}"
            );
        }
    }

    #[test]
    fn queueing_t_scores_reduced() {
        // The reduced calibration in the default suite: two loads, 30 runs each.
        calibrate(30, &[(0.8, 1), (0.9, 4)]);
    }

    /// `cargo test --lib -- --ignored queueing_t_scores --nocapture`.
    #[test]
    #[ignore = "long: 300 runs at each of five loads"]
    fn queueing_t_scores() {
        calibrate(300, &[(0.5, 1), (0.8, 1), (0.9, 1), (0.95, 1), (0.9, 4)]);
    }
}
