//! `systems.quorum`: stale reads under R/W quorums and read-your-writes under a routing policy.
//!
//! **Asked** (`ask`):
//! - `stale`: the probability that a read of R replicas, issued t ms after a write was
//!   acknowledged by W of N replicas, returns the old value (R + W ≤ N);
//! - `when` (judgment): which of four (N, R, W) configurations can return a stale value right
//!   after a write is acknowledged;
//! - `ryw`: the probability that a client misses its own write when it reads t ms later from a
//!   replica chosen at random among the leader and F asynchronous followers.
//!
//! **Parameters.** `n` 3–7; `w`, `r` 1..n; `lag_ms` mean apply lag of a lagging replica 5–100;
//! `after_ms` t 0–100; `followers` F 1–5.
//!
//! **Key.** Exact enumeration: the write reaches every replica, the W fastest acknowledge it,
//! and each of the other N − W applies within t more milliseconds with probability
//! q = 1 − e^(−t/m) (exponential lags are memoryless); every subset of lagging replicas that
//! applied and every R-subset the read may contact is enumerated and weighed. For `when`, the
//! same enumeration at t = 0 decides whether a stale read has positive probability.
//!
//! **Second route.** A Monte Carlo simulation of N replicas with exponential apply lags (no use
//! of memorylessness: the lags are drawn, sorted, the W-th is the acknowledgement) and reads of
//! R random replicas, agreeing within 6 standard errors; for `when`, the rule R + W ≤ N. The
//! simulation (40,000 writes) is the one the evidence shows: it runs once, in `generate`, from its
//! own RNG stream, and its estimate travels in the scenario for `cross_check`.
//!
//! **Pitfalls**: R + W > N guarantees every read quorum overlaps every write quorum; with
//! R + W ≤ N a read can miss the write even long after the acknowledgement; reading from a
//! follower breaks read-your-writes.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Quorum;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "stale: P(stale read) under R/W quorums; when: which configuration can be stale; ryw: P(missing your own write)",
        kind: ParamKind::Choice { options: &["stale", "when", "ryw"], draw: [&["when", "ryw"], &["stale", "when", "ryw"], &["stale", "when", "ryw"]] },
    },
    ParamSpec { key: "n", help: "replicas", kind: ParamKind::Int { min: 2, max: 9, draw: [(3, 5), (3, 5), (3, 7)] } },
    ParamSpec { key: "w", help: "write quorum W", kind: ParamKind::Int { min: 1, max: 9, draw: [(1, 3), (1, 3), (1, 4)] } },
    ParamSpec { key: "r", help: "read quorum R", kind: ParamKind::Int { min: 1, max: 9, draw: [(1, 3), (1, 3), (1, 4)] } },
    ParamSpec { key: "lag_ms", help: "mean extra apply lag of a replica, ms (exponential)", kind: ParamKind::Int { min: 1, max: 10_000, draw: [(5, 50), (5, 100), (5, 100)] } },
    ParamSpec { key: "after_ms", help: "time from the acknowledgement to the read, ms", kind: ParamKind::Int { min: 0, max: 10_000, draw: [(0, 50), (0, 100), (0, 100)] } },
    ParamSpec { key: "followers", help: "ryw: asynchronous followers of the leader", kind: ParamKind::Int { min: 1, max: 9, draw: [(1, 3), (1, 4), (2, 5)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("stale", [4, 5, 7], &["quorum-consistency"]).computer([false, false, true]),
    Ask::new("when", [2, 3, 3], &["quorum-consistency"]).judgment(),
    Ask::new("ryw", [3, 4, 5], &["read-your-writes"]),
];

/// A replication setting: N replicas, reads contact R, writes wait for W.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Replicas.
    pub n: u32,
    /// Replicas a read contacts.
    pub r: u32,
    /// Replicas that acknowledge a write.
    pub w: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    n: u32,
    r: u32,
    w: u32,
    lag: f64,
    after: f64,
    followers: u32,
    configs: Vec<Config>,
    /// The evidence's simulated P(stale) and its standard error (not for `when`), which the
    /// cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sim: Option<(f64, f64)>,
}

/// Every k-subset of 0..n, as bit masks.
fn subsets(n: u32, k: u32) -> Vec<u32> {
    (0u32..1 << n).filter(|m| m.count_ones() == k).collect()
}

/// P(stale) by enumeration: replicas 0..w have the write at the acknowledgement; each other
/// replica has applied it t later with probability q; the read contacts a uniform R-subset.
pub fn stale_exact(c: Config, q: f64) -> f64 {
    let laggers = c.n - c.w;
    let reads = subsets(c.n, c.r);
    let mut p = 0.0;
    for applied in 0u32..1 << laggers {
        let k = applied.count_ones();
        let weight = q.powi(k as i32) * (1.0 - q).powi((laggers - k) as i32);
        let has: u32 = ((1u32 << c.w) - 1) | (applied << c.w);
        let stale = reads.iter().filter(|m| *m & has == 0).count();
        p += weight * stale as f64 / reads.len() as f64;
    }
    p
}

/// P(a read from a random replica among the leader and F followers misses the client's write).
fn ryw_exact(followers: u32, q: f64) -> f64 {
    // Enumerate which followers have applied; the leader always has.
    let mut p = 0.0;
    for applied in 0u32..1 << followers {
        let k = applied.count_ones();
        let weight = q.powi(k as i32) * (1.0 - q).powi((followers - k) as i32);
        p += weight * (followers - k) as f64 / (followers + 1) as f64;
    }
    p
}

/// Writes and reads the evidence simulates; the cross-check tests the same run.
const SAMPLES: u32 = 40_000;

fn simulate(s: &Scenario, rng: &mut impl Rng, samples: u32) -> (f64, f64) {
    let mut hits = 0u32;
    for _ in 0..samples {
        let stale = if s.ask == "ryw" {
            let pick = rng.random_range(0..=s.followers);
            pick > 0 && -s.lag * (1.0 - rng.random::<f64>()).ln() > s.after
        } else {
            let mut lags: Vec<f64> = (0..s.n).map(|_| -s.lag * (1.0 - rng.random::<f64>()).ln()).collect();
            let mut sorted = lags.clone();
            sorted.sort_by(f64::total_cmp);
            let ack = sorted[s.w as usize - 1];
            let read_at = ack + s.after;
            lags.shuffle(rng);
            lags.iter().take(s.r as usize).all(|l| *l > read_at)
        };
        if stale {
            hits += 1;
        }
    }
    let p = hits as f64 / samples as f64;
    (p, (p * (1.0 - p) / samples as f64).sqrt())
}

impl Family for Quorum {
    fn id(&self) -> &'static str {
        "systems.quorum"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Quorum reads: staleness and read-your-writes"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "P(stale read) t ms after a W-of-N acknowledgement with R replicas read; which (N, R, W) can be stale (choice); P(missing your own write) reading a random replica",
            key: "exact enumeration of applied replicas and read quorums",
            second_route: "Monte Carlo of N replicas with exponential apply lags; the rule R + W ≤ N",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let mut s = Scenario { ask: ask.into(), n: 0, r: 0, w: 0, lag: 0.0, after: 0.0, followers: 0, configs: vec![], sim: None };
        let (prompt, slot, solution) = match ask {
            "stale" => {
                let n = cx.int("n") as u32;
                let w = cx.int_capped("w", n as i64 - 1) as u32;
                if w == 0 || w >= n {
                    return Err(GenError::Params { message: format!("W = {w} with N = {n}: a stale read needs W < N"), hint: "pin w below n".into() });
                }
                let r = cx.int_capped("r", (n - w) as i64) as u32;
                if w == 0 || r == 0 || w > n || r + w > n {
                    return Err(GenError::Params { message: format!("R = {r}, W = {w} with N = {n}: a stale read needs R + W ≤ N"), hint: "pin r and w with r + w ≤ n".into() });
                }
                let lag = cx.int("lag_ms") as f64;
                let after = cx.int("after_ms") as f64;
                (s.n, s.r, s.w, s.lag, s.after) = (n, r, w, lag, after);
                let q = 1.0 - (-after / lag).exp();
                let p = stale_exact(Config { n, r, w }, q);
                let hand = (0..=n - w).map(|k| binom(n - w, k) * q.powi(k as i32) * (1.0 - q).powi((n - w - k) as i32) * binom(n - w - k, r) / binom(n, r)).sum::<f64>();
                (
                    Content::new().p(format!("A key-value store keeps **N = {n}** replicas. A write goes to all of them; each replica applies it after a lag that is exponential with mean **{} ms**, independently, and the write is acknowledged once **W = {w}** replicas have applied it. A read contacts **R = {r}** replicas chosen at random and returns the newest value any of them has. A client reads **{} ms** after the write was acknowledged. What is the probability that it gets the old value?", num(lag), num(after))),
                    AnswerSlot::new("P(stale read)", Expected::sig(p, 3)).by_hand("$sum_k binom(N - W, k) q^k (1 - q)^(N - W - k) binom(N - W - k, R) / binom(N, R)$ with $q = 1 - e^(-t/m)$", hand),
                    Content::new().p(format!("A lagging replica has applied the write by then with probability $q = 1 - e^(-{} / {}) = {}$ (memoryless lags). The read is stale when all {r} replicas it contacts are among the lagging ones that have not applied it.", num(after), num(lag), fmt_sig(q, 4))).p(format!("Summing over k lagging replicas that applied: **{}**.", fmt_sig(p, 3))),
                )
            }
            "when" => {
                let n = cx.int("n") as u32;
                let rng = cx.rng();
                // One configuration with R + W ≤ N, three with R + W > N.
                let mut configs = Vec::new();
                let w = rng.random_range(1..n);
                let r = rng.random_range(1..=n - w);
                configs.push(Config { n, r, w });
                let mut tries = 0;
                while configs.len() < 4 && tries < 200 {
                    tries += 1;
                    let w = rng.random_range(1..=n);
                    let r = rng.random_range(1..=n);
                    let c = Config { n, r, w };
                    if r + w > n && !configs.contains(&c) {
                        configs.push(c);
                    }
                }
                configs.shuffle(rng);
                let correct = configs.iter().position(|c| stale_exact(*c, 0.0) > 0.0).unwrap_or(0);
                let options: Vec<ChoiceOption> = configs.iter().enumerate().map(|(i, c)| {
                    let text = format!("R = {}, W = {}", c.r, c.w);
                    if i == correct {
                        ChoiceOption::right(text)
                    } else {
                        ChoiceOption::wrong(text, format!("R + W = {} > N = {n}: any {} replicas read share at least {} with the {} that acknowledged, so the read always sees the write (the quorum intersection argument).{}", c.r + c.w, c.r, c.r + c.w - n, c.w, if c.r == 1 { " R = 1 is not stale when W = N." } else { "" }))
                    }
                }).collect();
                s.n = n;
                let c = configs[correct];
                s.configs = configs;
                let p0 = stale_exact(c, 0.0);
                (
                    Content::new().p(format!("A Dynamo-style store keeps **N = {n}** replicas (strict quorums: no sloppy quorum or hinted handoff). A write is acknowledged once W replicas applied it; a read contacts R replicas and returns the newest value. Right after a write is acknowledged, and before any other replica applies it, which configuration can return the old value?")),
                    AnswerSlot::new("the configuration", Expected::Choice { options, correct }),
                    Content::new().p(format!("A read quorum and a write quorum must overlap for the read to see the write: R + W > N. Only **R = {}, W = {}** has R + W = {} ≤ {n}; right after the acknowledgement it reads stale data with probability {} (enumerated: $binom({}, {}) / binom({n}, {})$).", c.r, c.w, c.r + c.w, fmt_sig(p0, 3), n - c.w, c.r, c.r)),
                )
            }
            _ => {
                let f = cx.int("followers") as u32;
                let lag = cx.int("lag_ms") as f64;
                let after = cx.int("after_ms") as f64;
                (s.followers, s.lag, s.after) = (f, lag, after);
                let q = 1.0 - (-after / lag).exp();
                let p = ryw_exact(f, q);
                (
                    Content::new().p(format!("A database has a leader and **{f}** asynchronous followers; each follower applies a write after an exponential lag with mean **{} ms**, independently. Reads are load-balanced to a replica chosen uniformly at random among all {} (leader included). A user saves a profile change on the leader and reloads the page **{} ms** later. What is the probability that the reload does not show the change?", num(lag), f + 1, num(after))),
                    AnswerSlot::new("P(missing your own write)", Expected::sig(p, 3)).by_hand("$F / (F + 1) times e^(-t/m)$", f as f64 / (f + 1) as f64 * (-after / lag).exp()),
                    Content::new().p(format!("The read misses the write only if it lands on a follower ({f} of {}) that has not applied it yet: probability $e^(-{} / {}) = {}$. So $P = {f}/{} times {} = {}$.", f + 1, num(after), num(lag), fmt_sig(1.0 - q, 4), f + 1, fmt_sig(1.0 - q, 4), fmt_sig(p, 3))),
                )
            }
        };
        let evidence = if ask == "when" {
            Content::new().p("Enumerated P(stale) right after the acknowledgement, per configuration:").table(["R", "W", "P(stale)"], s.configs.iter().map(|c| vec![c.r.to_string(), c.w.to_string(), fmt_sig(stale_exact(*c, 0.0), 3)]))
        } else {
            let (est, se) = simulate(&s, &mut cx.sim_rng("replicas"), SAMPLES);
            s.sim = Some((est, se));
            Content::new().p(format!("Monte Carlo, 40,000 simulated writes and reads with drawn exponential lags: {} ± {} (one standard error).", fmt_sig(est, 4), fmt_sig(se.max(1e-12), 2)))
        };
        let fu = match ask {
            "ryw" => FollowUp::new("Name a routing policy that gives read-your-writes.", "Send a user's reads to the leader for a while after they write (longer than the replication lag), or pin them to a replica that has caught up to their last write's log position.").point("sticky sessions or read-after-write tokens"),
            "when" => FollowUp::new("Can R + W > N still return stale data in practice?", "Yes, with sloppy quorums and hinted handoff (writes land outside the home replicas), or when a failed write left a partial write that a later read repairs.").point("strict quorums only"),
            _ => FollowUp::new("What would R = N − W + 1 give?", format!("R + W = N + 1 > N: every read quorum meets a replica that acknowledged, so P(stale) = 0 (R = {}).", s.n - s.w + 1)).point("the quorum intersection argument"),
        };
        let q = Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s).followup(fu).followup(FollowUp::new("What does waiting longer before reading do?", "Each lagging replica catches up with probability $1 - e^(-t/m)$ after $t$ ms (mean lag $m$), so staleness decays exponentially with the wait, but never reaches zero without an overlap.".to_string()));
        Ok(q)
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.expected_real(0) {
            Ok(p) if p < 1e-3 => vec![format!("P = {p} is too small to be worth estimating")],
            _ => vec![],
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if s.ask == "when" {
            let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
            let rule = s.configs.iter().position(|c| c.r + c.w <= c.n).unwrap_or(usize::MAX);
            return CheckError::expect_eq("the configuration with R + W ≤ N", *correct, rule);
        }
        let key = q.expected_real(0)?;
        let (est, se) = s.sim.ok_or_else(|| CheckError("the scenario lacks the simulation".into()))?;
        let se = se.max((key * (1.0 - key) / SAMPLES as f64).sqrt()).max(1e-9);
        if (est - key).abs() <= 6.0 * se {
            Ok(())
        } else {
            Err(CheckError(format!("key {key}, simulation {est} ± {se}")))
        }
    }
}

fn binom(n: u32, k: u32) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Quorum, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Right after a W = 1 acknowledgement on N = 3, a read of R = 1 random replica misses it
        // with probability 2/3 (hand count); R = 2 misses it with C(2,2)/C(3,2) = 1/3.
        assert!((stale_exact(Config { n: 3, r: 1, w: 1 }, 0.0) - 2.0 / 3.0).abs() < 1e-12);
        assert!((stale_exact(Config { n: 3, r: 2, w: 1 }, 0.0) - 1.0 / 3.0).abs() < 1e-12);
        // R + W > N is never stale (the intersection argument).
        assert_eq!(stale_exact(Config { n: 5, r: 3, w: 3 }, 0.0), 0.0);
        assert!((ryw_exact(2, 0.5) - 2.0 / 3.0 * 0.5).abs() < 1e-12);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Quorum, &["ask=stale".into(), "n=3".into(), "w=1".into(), "r=1".into(), "after_ms=0".into()]).unwrap();
        let q = generate(&Quorum, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.667");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["stale", "when", "ryw"] {
            let pins = parse_pins(&Quorum, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Quorum, 3, Difficulty::Hard, &pins).unwrap();
            cross_check(&Quorum, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, .. } => Expected::sig(value * 1.2 + 0.01, 3),
                Expected::Choice { options, correct } => Expected::Choice { options: options.clone(), correct: (correct + 1) % options.len() },
                e => e.clone(),
            };
            assert!(cross_check(&Quorum, &q).is_err(), "{ask}");
        }
    }
}
