//! `probability.load_balance`: m requests placed on n servers at random, and what the power of two
//! choices buys.
//!
//! **Asked** (`ask`):
//! - `idle`: the expected number of idle servers, n(1 − 1/n)^m (with m = n, about n/e: a third of
//!   the fleet does nothing);
//! - `overloaded`: the expected number of servers that receive at least k requests,
//!   n·P(Binomial(m, 1/n) ≥ k);
//! - `max_load` (choice): the busiest server's expected load under random placement is given
//!   (simulated); about how many requests does the busiest server get when each request goes to
//!   the less loaded of two random servers? The maximum has no simple closed form, so the key is a
//!   simulation and the options are approximate values.
//!
//! **Parameters.** `servers` n: easy 5–20, medium 10–200, hard 100–2000; `requests` m: drawn
//! between n/2 and 2n (n for `max_load`, which accepts n to 4n and at least 10 servers);
//! `at_least` k: 2–4.
//!
//! **Key.** `idle` and `overloaded`: the closed forms (the binomial tail summed term by term).
//! `max_load`: a simulation of both policies (the option nearest the simulated two-choice maximum).
//!
//! **Second route.** `idle`, `overloaded`: Monte Carlo placement with its own random stream, and
//! `mc`'s test for whole-number samples against the exact values; that run is the one the evidence
//! shows, run once in `generate`, and its estimate travels in the scenario for `cross_check`. `max_load`: simulators that
//! share no code with the key's: two choices run on the load histogram alone (each request draws
//! two positions in the running totals of servers per load level, and the lower level gains one
//! server), random placement drawn as a multinomial by sequential binomials. Each must agree with
//! the key's simulation (the difference of the two means against 0), the two-choice one must land
//! nearest the keyed option, and two choices must beat one.
//!
//! **By hand.** `idle` and `overloaded` are exact with a calculator (a power; at most four
//! binomial terms). `max_load` is an estimate by the growth laws, which is why it is a choice.
//!
//! **Pitfalls**: n − m idle servers ("every request finds an empty server"); the average m/n as
//! the maximum; believing a second choice changes little (it drops the maximum from about
//! ln n/ln ln n to about ln ln n/ln 2).

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::support::mc::{self, Estimate};
use crate::family::{About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct LoadBalance;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "idle: expected idle servers; overloaded: expected servers with ≥ k requests; max_load: the busiest server with two choices (choice)",
        kind: ParamKind::Choice {
            options: &["idle", "overloaded", "max_load"],
            draw: [&["idle", "overloaded"], &["idle", "overloaded", "max_load"], &["overloaded", "max_load"]],
        },
    },
    ParamSpec {
        key: "servers",
        help: "servers n",
        kind: ParamKind::Int { min: 2, max: 5000, draw: [(5, 20), (10, 200), (100, 2000)] },
    },
    ParamSpec {
        key: "requests",
        help: "requests m (drawn between n/2 and 2n; m = n for max_load)",
        kind: ParamKind::Int { min: 1, max: 20_000, draw: [(3, 40), (5, 400), (50, 4000)] },
    },
    ParamSpec {
        key: "at_least",
        help: "the load k that counts as overloaded",
        kind: ParamKind::Int { min: 1, max: 50, draw: [(2, 3), (2, 4), (2, 4)] },
    },
];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u64,
    m: u64,
    k: u64,
    /// For `max_load`: the key's simulated busiest server, one choice (shown) and two (keyed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_one: Option<Estimate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_two: Option<Estimate>,
    /// For `idle` and `overloaded`: the evidence's simulated count, which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<Estimate>,
}

/// P(Binomial(m, p) ≥ k), summing the pmf below k by its ratio recurrence.
fn binomial_tail(m: u64, p: f64, k: u64) -> f64 {
    let mut pmf = (1.0 - p).powf(m as f64);
    let mut below = 0.0;
    for j in 0..k.min(m + 1) {
        below += pmf;
        pmf *= (m - j) as f64 / (j + 1) as f64 * p / (1.0 - p);
    }
    (1.0 - below).max(0.0)
}

fn exact(s: &Scenario) -> f64 {
    let p = 1.0 / s.n as f64;
    match s.ask.as_str() {
        "idle" => s.n as f64 * (1.0 - p).powf(s.m as f64),
        _ => s.n as f64 * binomial_tail(s.m, p, s.k),
    }
}

/// Places m requests on n servers; `two` sends each to the less loaded of two random servers.
fn place(n: u64, m: u64, two: bool, rng: &mut ChaCha8Rng, load: &mut Vec<u32>) {
    load.clear();
    load.resize(n as usize, 0);
    for _ in 0..m {
        let a = rng.random_range(0..n as usize);
        let i = if two {
            let b = rng.random_range(0..n as usize);
            if load[b] < load[a] { b } else { a }
        } else {
            a
        };
        load[i] += 1;
    }
}

fn trials(s: &Scenario) -> u64 {
    (4_000_000 / (s.n + s.m)).clamp(300, 20_000)
}

/// Monte Carlo of the counted quantity (idle or overloaded servers).
fn simulate_count(s: &Scenario, rng: &mut ChaCha8Rng) -> Estimate {
    let mut load = Vec::new();
    mc::mean(trials(s), rng, |g| {
        place(s.n, s.m, false, g, &mut load);
        load.iter().filter(|&&l| if s.ask == "idle" { l == 0 } else { u64::from(l) >= s.k }).count() as f64
    })
}

/// Monte Carlo of the busiest server's load, random placement then two choices.
fn simulate_max(s: &Scenario, rng: &mut ChaCha8Rng) -> (Estimate, Estimate) {
    let mut load = Vec::new();
    let n = trials(s) / 4;
    let mut max = |two: bool, g: &mut ChaCha8Rng| {
        place(s.n, s.m, two, g, &mut load);
        load.iter().copied().max().unwrap_or(0) as f64
    };
    let one = mc::mean(n, rng, |g| max(false, g));
    let two = mc::mean(n, rng, |g| max(true, g));
    (one, two)
}

/// The second route for two choices: the process run on its load histogram alone. `count[ℓ]`
/// servers hold ℓ requests; each request draws two servers uniformly (as positions in the
/// histogram's running totals) and the lower of their two levels gains one server. No per-server
/// array and no tie rule (which server wins a tie does not change the histogram).
fn two_choice_by_levels(n: u64, m: u64, rng: &mut ChaCha8Rng) -> f64 {
    let mut count = vec![n];
    let level = |count: &[u64], x: u64| {
        let mut acc = 0;
        for (l, c) in count.iter().enumerate() {
            acc += c;
            if x < acc {
                return l;
            }
        }
        count.len() - 1
    };
    for _ in 0..m {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        let l = level(&count, a).min(level(&count, b));
        count[l] -= 1;
        if l + 1 == count.len() {
            count.push(0);
        }
        count[l + 1] += 1;
    }
    (count.len() - 1) as f64
}

/// The second route for random placement: the loads drawn as a multinomial, server by server, by
/// sequential binomials (`rand_distr::Binomial`), not by placing requests one at a time.
fn one_choice_by_binomials(n: u64, m: u64, rng: &mut ChaCha8Rng) -> f64 {
    use rand_distr::{Binomial, Distribution};
    let (mut left, mut max) = (m, 0u64);
    for i in 0..n {
        let bins = n - i;
        let x = if bins == 1 { left } else { Binomial::new(left, 1.0 / bins as f64).map(|b| b.sample(rng)).unwrap_or(0) };
        max = max.max(x);
        left -= x;
    }
    max as f64
}

/// `key` and `other`, two independent estimates of one mean, agree (their difference against 0).
fn same_mean(what: &str, key: &Estimate, other: &Estimate) -> Result<(), CheckError> {
    let se = (key.stderr.powi(2) + other.stderr.powi(2)).sqrt();
    Estimate::derived(key.mean - other.mean, se, key.n.min(other.n), false)
        .check(&format!("{what}: key {} against an independent simulation {} (difference)", key.describe(3), other.describe(3)), 0.0)
}

/// Options for `max_load`: the simulated two-choice maximum and misconceptions, keeping only
/// distractors clearly apart from it (by 15% and half a request at least), then rotated.
fn max_options(two: f64, one: f64, avg: f64, rot: usize) -> (Vec<ChoiceOption>, usize) {
    let apart = |v: f64| (v - two).abs() >= (0.15 * two).max(0.5);
    let mut options = vec![ChoiceOption::right(format!("about {}", fmt_sig(two, 2)))];
    for (v, why) in [
        (one, "That is the random placement's maximum: checking a second server is not a small tweak, it cuts the maximum from about ln n/ln ln n to about ln ln n/ln 2."),
        (avg.max(1.0), "That is the average load m/n: two choices get close to it, but the busiest server still holds a few requests more."),
    ] {
        let o = ChoiceOption::wrong(format!("about {}", fmt_sig(v, 2)), why);
        if apart(v) && options.iter().all(|x| x.text != o.text) {
            options.push(o);
        }
    }
    let rot = rot % options.len();
    options.rotate_left(rot);
    let correct = options.iter().position(|o| o.why_wrong.is_none()).unwrap_or(0);
    (options, correct)
}

impl Family for LoadBalance {
    fn id(&self) -> &'static str {
        "probability.load_balance"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Random load balancing and the power of two choices"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("idle", [3, 3, 4], &["balls-into-bins"]),
            Ask::new("overloaded", [4, 5, 6], &["balls-into-bins", "binomial-tail"]),
            Ask::new("max_load", [3, 4, 4], &["balls-into-bins", "power-of-two-choices"]).judgment(),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "idle servers, servers with ≥ k requests; the busiest server under the power of two choices (choice)",
            key: "closed forms (binomial tail); simulation of both policies",
            second_route: "Monte Carlo placement; an independent simulation lands on the keyed option",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n = cx.int("servers") as u64;
        let m = if ask == "max_load" {
            cx.int_within("requests", n as i64, n as i64, 1) as u64
        } else {
            cx.int_within("requests", (n / 2).max(1) as i64, 2 * n as i64, 1) as u64
        };
        // k is drawn no larger than m, so a small draw of requests cannot make the question void.
        let k = if ask == "overloaded" { cx.int_capped("at_least", m as i64) as u64 } else { 0 };
        if ask == "overloaded" && k > m {
            return Err(GenError::Params {
                message: format!("at_least = {k} is more than the {m} requests"),
                hint: "set at_least at most requests".into(),
            });
        }
        if ask == "max_load" && (n < 10 || m < n || m > 4 * n) {
            return Err(GenError::Params {
                message: format!("with {m} requests on {n} servers the options of ask=max_load would be too close to tell apart"),
                hint: "for ask=max_load, set servers to 10 or more and requests between servers and 4 × servers (the default is requests = servers)".into(),
            });
        }
        let mut s = Scenario { ask: ask.into(), n, m, k, max_one: None, max_two: None, count: None };
        let setting = format!(
            "A load balancer sends each of **{m}** requests to one of **{n}** servers chosen uniformly at random, independently."
        );
        let p = 1.0 / n as f64;
        let (prompt, slot, solution, evidence) = match ask {
            "idle" | "overloaded" => {
                let v = exact(&s);
                let est = simulate_count(&s, &mut cx.sim_rng("evidence"));
                s.count = Some(est);
                let (question, slot_ask, solution) = if ask == "idle" {
                    (
                        "What is the expected number of servers that receive no request at all?",
                        "expected idle servers",
                        Content::new()
                            .p(format!("One request misses a given server with probability $1 - 1/{n}$; all {m} miss it with probability $(1 - 1/{n})^({m}) = {}$.", fmt_sig((1.0 - p).powf(m as f64), 4)))
                            .p(format!("By linearity of expectation over the {n} servers: **{}** idle servers (about $n e^(-m/n) = {}$).", fmt_sig(v, 3), fmt_sig(n as f64 * (-(m as f64) / n as f64).exp(), 3)))
                            .p("Even with as many requests as servers, about 37% of the fleet (1/e) sits idle while others get two or three requests."),
                    )
                } else {
                    let tail = binomial_tail(m, p, k);
                    (
                        "What is the expected number of servers that receive **at least {k}** requests?",
                        "expected servers with at least that many requests",
                        Content::new()
                            .p(format!("A given server's load is Binomial(m = {m}, p = 1/{n}): P(load ≥ {k}) = $1 - sum_(j=0)^({}) C({m}, j) p^j (1 - p)^({m} - j) = {}$.", k - 1, fmt_sig(tail, 4)))
                            .p(format!("By linearity over the {n} servers: {n} × {} = **{}** servers.", fmt_sig(tail, 4), fmt_sig(v, 3)))
                            .p(format!("The Poisson approximation with mean m/n = {} gives {}.", fmt_sig(m as f64 / n as f64, 3), fmt_sig(n as f64 * poisson_tail(m as f64 / n as f64, k), 3))),
                    )
                };
                (
                    Content::new().p(setting.clone()).p(question.replace("{k}", &k.to_string())),
                    AnswerSlot::new(if ask == "idle" { slot_ask.to_string() } else { format!("expected servers with at least {k} requests") }, Expected::sig(v, 3)).exact_by_hand(),
                    solution,
                    Content::new().p(format!("Monte Carlo: {} random placements of {m} requests on {n} servers; mean {}.", est.n, est.describe(4))),
                )
            }
            _ => {
                let (one, two) = simulate_max(&s, &mut cx.sim_rng("evidence"));
                (s.max_one, s.max_two) = (Some(one), Some(two));
                let rot = cx.rng().random_range(0..4);
                let (options, correct) = max_options(two.mean, one.mean, m as f64 / n as f64, rot);
                if options.len() < 2 {
                    return Err(GenError::Params {
                        message: format!("with {m} requests on {n} servers the two policies' maxima are too close to make a choice question"),
                        hint: "use more servers".into(),
                    });
                }
                let ln = (n as f64).ln();
                (
                    Content::new()
                        .p(setting.clone())
                        .p(format!("Simulated, the busiest server then gets **{}** requests on average.", fmt_sig(one.mean, 2)))
                        .p("Now each request instead looks at **two** servers chosen at random and goes to the one with fewer requests so far (the power of two choices). About how many requests does the busiest server get now?"),
                    AnswerSlot::new("the busiest server with two choices", Expected::Choice { options, correct }),
                    Content::new()
                        .p(format!("With one random choice the maximum grows like ln n/ln ln n ({} for n = {n}); with the less loaded of two it grows like ln ln n/ln 2 ({}), an exponential improvement for one extra probe.", fmt_sig(ln / ln.ln().max(1.0), 3), fmt_sig(ln.ln().max(0.0) / 2f64.ln(), 3)))
                        .p(format!("Neither has a simple exact formula at this size; simulating both policies gives about **{}** with two choices against {} with one (the average is {}).", fmt_sig(two.mean, 3), fmt_sig(one.mean, 3), fmt_sig(m as f64 / n as f64, 3))),
                    Content::new().p(format!(
                        "Monte Carlo, {} placements each: random placement, busiest server {}; two choices, {}.",
                        one.n,
                        one.describe(3),
                        two.describe(3)
                    )),
                )
            }
        };
        let nf = n as f64;
        let followup = match ask {
            "idle" => {
                // The fewest requests that leave under one idle server expected: n(1 − 1/n)^m < 1.
                let m1 = (nf.ln() / -(-1.0 / nf).ln_1p()).floor() as u64 + 1;
                FollowUp::new(
                    "How many requests until fewer than one server is expected to be idle?",
                    format!("{m1} requests, about $n ln n$ = {}: the coupon collector's bound.", fmt_sig(nf * nf.ln(), 3)),
                )
                .point("covering every server takes a log factor more requests than servers")
            }
            "overloaded" => FollowUp::new(
                "What does the Poisson approximation give, and why is it close?",
                format!(
                    "{} servers: each server's load is a sum of many rare events, Binomial(m, 1/n) ≈ Poisson(m/n = {}).",
                    fmt_sig(nf * poisson_tail(m as f64 / nf, k), 3),
                    fmt_sig(m as f64 / nf, 3)
                ),
            ),
            _ => FollowUp::new(
                "Would three choices help as much again?",
                format!(
                    "No: d choices give a maximum of about $ln ln n / ln d$, so going from 2 to 3 only divides that term by $ln 3 / ln 2 = 1.58$ (here about {} against {}, on top of the average load), at one more probe per request.",
                    fmt_sig(nf.ln().ln().max(0.0) / 3f64.ln(), 2),
                    fmt_sig(nf.ln().ln().max(0.0) / 2f64.ln(), 2)
                ),
            )
            .point("most of the gain comes from the second choice; the probes cost latency and stale load information"),
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).followup(followup).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        match q.expected(0)? {
            Expected::Real { value, .. } => {
                let est = s.count.ok_or_else(|| CheckError("the scenario lacks the simulated count".into()))?;
                if est.agrees_with(*value) {
                    Ok(())
                } else {
                    Err(CheckError(format!("key {value}, simulation {}", est.describe(4))))
                }
            }
            Expected::Choice { options, correct } => {
                // Independent simulators (the load histogram for two choices, binomials for one)
                // must agree with the key's simulations, and land nearest the keyed option.
                let runs = trials(&s) / 4;
                let mut rng = cx.sim_rng("check");
                let one = mc::mean(runs, &mut rng, |g| one_choice_by_binomials(s.n, s.m, g));
                let two = mc::mean(runs, &mut rng, |g| two_choice_by_levels(s.n, s.m, g));
                let (Some(key_one), Some(key_two)) = (s.max_one, s.max_two) else {
                    return Err(CheckError("the scenario lacks the key's simulations".into()));
                };
                same_mean("busiest server, one random choice (shown in the prompt)", &key_one, &one)?;
                same_mean("busiest server, two choices (keyed)", &key_two, &two)?;
                if two.mean >= one.mean {
                    return Err(CheckError(format!("two choices ({}) did not beat one ({})", two.mean, one.mean)));
                }
                let val = |t: &str| t.trim_start_matches("about ").parse::<f64>().unwrap_or(f64::NAN);
                let nearest = options
                    .iter()
                    .enumerate()
                    .min_by(|a, b| (val(&a.1.text) - two.mean).abs().total_cmp(&(val(&b.1.text) - two.mean).abs()))
                    .map(|(i, _)| i);
                CheckError::expect_eq("option nearest an independent simulation", Some(*correct), nearest)
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

/// P(Poisson(μ) ≥ k), for the solution's approximation.
fn poisson_tail(mu: f64, k: u64) -> f64 {
    let mut pmf = (-mu).exp();
    let mut below = 0.0;
    for j in 0..k {
        below += pmf;
        pmf *= mu / (j + 1) as f64;
    }
    (1.0 - below).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&LoadBalance, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // 2 requests on 2 servers: P(a server idle) = 1/4, so 0.5 idle servers; P(load ≥ 2) = 1/4.
        let s = Scenario { ask: "idle".into(), n: 2, m: 2, k: 2, max_one: None, max_two: None, count: None };
        assert!((exact(&s) - 0.5).abs() < 1e-12);
        let s = Scenario { ask: "overloaded".into(), n: 2, m: 2, k: 2, max_one: None, max_two: None, count: None };
        assert!((exact(&s) - 0.5).abs() < 1e-12);
        // A fair coin tossed 10 times: P(at least 8 heads) = 56/1024.
        assert!((binomial_tail(10, 0.5, 8) - 56.0 / 1024.0).abs() < 1e-12);
        // n = m large: the idle fraction tends to 1/e.
        let s = Scenario { ask: "idle".into(), n: 100_000, m: 100_000, k: 2, max_one: None, max_two: None, count: None };
        assert!((exact(&s) / 100_000.0 - (-1f64).exp()).abs() < 1e-5);
    }

    #[test]
    fn at_least_is_drawn_within_the_requests() {
        // 5 servers and 2 requests: "at least 3" would be void.
        let pins = parse_pins(&LoadBalance, &["ask=overloaded".into(), "servers=5".into(), "requests=2".into()]).unwrap();
        for seed in 0..20 {
            let q = generate(&LoadBalance, seed, Difficulty::Easy, &pins).unwrap();
            assert!(q.prompt.plain_text().contains("at least 2"), "seed {seed}");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&LoadBalance, &["ask=idle".into(), "servers=2".into(), "requests=2".into()]).unwrap();
        let q = generate(&LoadBalance, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.500");
    }

    #[test]
    fn the_independent_simulators_match_known_maxima() {
        // The histogram process and the binomial multinomial against the per-server simulation
        // the key uses, at n = m = 1000 (one choice about 5.5, two about 3): their means agree.
        let s = Scenario { ask: "max_load".into(), n: 1000, m: 1000, k: 0, max_one: None, max_two: None, count: None };
        let mut rng = crate::seed::stream_rng("test", 1, "lb");
        let (one, two) = simulate_max(&s, &mut rng);
        let runs = 300;
        let one2 = mc::mean(runs, &mut rng, |g| one_choice_by_binomials(1000, 1000, g));
        let two2 = mc::mean(runs, &mut rng, |g| two_choice_by_levels(1000, 1000, g));
        same_mean("one", &one, &one2).unwrap();
        same_mean("two", &two, &two2).unwrap();
        assert!((2.5..3.6).contains(&two2.mean) && (4.5..6.5).contains(&one2.mean), "{one2:?} {two2:?}");
        // A shown one-choice maximum that the key's own simulation misstated is caught.
        let pins = parse_pins(&LoadBalance, &["ask=max_load".into(), "servers=500".into()]).unwrap();
        let mut q = generate(&LoadBalance, 2, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&LoadBalance, &q).unwrap();
        q.scenario["max_one"]["mean"] = serde_json::json!(one2.mean * 1.3);
        assert!(crate::family::cross_check(&LoadBalance, &q).is_err());
    }

    #[test]
    fn two_choices_key_the_smaller_maximum() {
        // n = m = 1000: random placement's maximum is about 5.5, two choices' about 3.
        let pins = parse_pins(&LoadBalance, &["ask=max_load".into(), "servers=1000".into()]).unwrap();
        let q = generate(&LoadBalance, 4, Difficulty::Hard, &pins).unwrap();
        let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
        let v: f64 = options[*correct].text.trim_start_matches("about ").parse().unwrap();
        assert!((2.5..=3.5).contains(&v), "{options:?}");
    }

    #[test]
    fn the_cross_check_catches_wrong_keys() {
        let pins = parse_pins(&LoadBalance, &["ask=idle".into(), "servers=50".into(), "requests=50".into()]).unwrap();
        let mut q = generate(&LoadBalance, 2, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&LoadBalance, &q).unwrap();
        // n·e^(−1) is close but n − m = 0 ("no idle server") is not.
        q.slots[0].expected = Expected::sig(0.0, 3);
        assert!(crate::family::cross_check(&LoadBalance, &q).is_err());
        // The Poisson approximation is off by more than the simulation's error at small n.
        let pins = parse_pins(&LoadBalance, &["ask=overloaded".into(), "servers=5".into(), "requests=10".into(), "at_least=4".into()]).unwrap();
        let mut q = generate(&LoadBalance, 2, Difficulty::Easy, &pins).unwrap();
        crate::family::cross_check(&LoadBalance, &q).unwrap();
        q.slots[0].expected = Expected::sig(5.0 * poisson_tail(2.0, 4), 3);
        assert!(crate::family::cross_check(&LoadBalance, &q).is_err());
        // Keying the random placement's maximum as the two-choice answer is caught.
        let pins = parse_pins(&LoadBalance, &["ask=max_load".into(), "servers=500".into()]).unwrap();
        let mut q = generate(&LoadBalance, 2, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&LoadBalance, &q).unwrap();
        if let Expected::Choice { options, correct } = &mut q.slots[0].expected {
            *correct = options.iter().position(|o| o.why_wrong.as_deref().is_some_and(|w| w.starts_with("That is the random"))).unwrap();
        }
        assert!(crate::family::cross_check(&LoadBalance, &q).is_err());
    }

    #[test]
    fn the_idle_follow_up_is_the_coupon_bound() {
        // Ten servers: 10·0.9^m < 1 first at m = 22 (0.9^21 = 0.109, 0.9^22 = 0.098).
        let pins = parse_pins(&LoadBalance, &["ask=idle".into(), "servers=10".into(), "requests=10".into()]).unwrap();
        let q = generate(&LoadBalance, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.followups[0].answer.starts_with("22 requests"), "{}", q.followups[0].answer);
        // 10·0.9^10 = 3.487 idle servers (hand arithmetic), exact by hand.
        assert_eq!(q.slots[0].expected.reference(), "3.49");
    }
}
