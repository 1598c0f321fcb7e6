//! `systems.bdp`: window-limited throughput and the bandwidth-delay product.
//!
//! **Asked** (`ask`):
//! - `throughput`: the throughput of one TCP connection whose window is fixed at W over a link
//!   of bandwidth B and round-trip time r;
//! - `window`: the window needed to fill the link (the bandwidth-delay product);
//! - `fix` (judgment): a bulk transfer is slow; which of four changes speeds it up most: double
//!   the bandwidth, a larger window (window scaling), k parallel connections, or a server half
//!   the round trip away.
//!
//! **Parameters.** `bandwidth_mbps` B: easy 100–1000, medium 100–10,000, hard 1000–40,000 Mbit/s;
//! `rtt_ms` r: 10–100, 5–200, 5–300; `window_kb` W: 64–1024 KB (1 KB = 1024 bytes here, as
//! socket buffers count); `streams` k (fix): 2–8; `scaled_kb` (fix): the larger window.
//!
//! **Key.** A simulated sender: packets of 1460 bytes leave back to back at the link's rate while
//! fewer than W bytes are unacknowledged; each packet's acknowledgement returns r after its last
//! bit left. The throughput is measured over 20 round trips after one round trip of warm-up.
//!
//! **Second route.** The closed forms: throughput = min(B, W/r) and BDP = B·r; the simulation
//! must agree within 2% (the serialization of one packet is the only difference).
//!
//! **Pitfalls**: more bandwidth for a window-limited connection; mixing bits and bytes; forgetting
//! that the window is per connection.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Bdp;

const PACKET: f64 = 1460.0;
const KB: f64 = 1024.0;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "throughput: window-limited throughput; window: window to fill the link; fix: which change speeds a transfer up most",
        kind: ParamKind::Choice {
            options: &["throughput", "window", "fix"],
            draw: [&["throughput", "window"], &["throughput", "window", "fix"], &["throughput", "fix"]],
        },
    },
    ParamSpec {
        key: "bandwidth_mbps",
        help: "link bandwidth in Mbit/s",
        kind: ParamKind::Int { min: 1, max: 100_000, draw: [(100, 1000), (100, 10_000), (1000, 40_000)] },
    },
    ParamSpec {
        key: "rtt_ms",
        help: "round-trip time in ms",
        kind: ParamKind::Int { min: 1, max: 1000, draw: [(10, 100), (5, 200), (5, 300)] },
    },
    ParamSpec {
        key: "window_kb",
        help: "the connection's window in KB (1 KB = 1024 bytes)",
        kind: ParamKind::Int { min: 4, max: 65_536, draw: [(64, 256), (64, 1024), (64, 1024)] },
    },
    ParamSpec {
        key: "streams",
        help: "fix: parallel connections offered",
        kind: ParamKind::Int { min: 2, max: 64, draw: [(2, 4), (2, 8), (2, 8)] },
    },
    ParamSpec {
        key: "scaled_kb",
        help: "fix: the window offered by window scaling, in KB",
        kind: ParamKind::Int { min: 8, max: 65_536, draw: [(512, 4096), (512, 8192), (512, 16_384)] },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("throughput", [2, 3, 4], &["window-limited-throughput"]),
    Ask::new("window", [2, 3, 4], &["bandwidth-delay-product"]),
    Ask::new("fix", [3, 4, 5], &["window-limited-throughput", "latency-vs-bandwidth"]).judgment(),
];

/// Measured throughput of a simulated window-limited sender, in Mbit/s: `window` bytes in
/// flight at most, link `mbps`, round trip `rtt_ms`.
pub fn simulate(mbps: f64, rtt_ms: f64, window: f64) -> f64 {
    let rate = mbps * 1e6 / 8.0; // bytes per second
    let rtt = rtt_ms / 1e3;
    // The window cut into a whole number of equal packets: at most 1460 bytes each, at least 100
    // per window (so one packet's serialization time is under 1% of a window-limited round trip)
    // and at most 2000 (so a run stays within 42,000 events).
    let in_window = ((window / PACKET).ceil() as usize).clamp(100, 2000);
    let packet = window / in_window as f64;
    let per_packet = packet / rate;
    // acks[i]: when packet i's acknowledgement returns; a packet may leave once the packet
    // `in_window` before it is acknowledged.
    let mut acks: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let (mut t, mut sent) = (0.0f64, 0u64);
    let (warm, end) = (rtt + per_packet, 21.0 * (rtt + per_packet));
    let mut counted = 0u64;
    while t < end {
        if acks.len() == in_window {
            let first = acks.pop_front().unwrap_or(t);
            t = t.max(first);
        }
        t += per_packet; // the last bit leaves
        acks.push_back(t + rtt);
        sent += 1;
        if t > warm && t <= end {
            counted += 1;
        }
        if sent > 50_000_000 {
            break;
        }
    }
    counted as f64 * packet * 8.0 / (end - warm) / 1e6
}

/// A change the `fix` ask offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Change {
    Bandwidth,
    Window,
    Streams,
    CloserServer,
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    mbps: f64,
    rtt: f64,
    window_kb: Option<f64>,
    streams: Option<u32>,
    scaled_kb: Option<f64>,
    changes: Vec<Change>,
    /// Simulated throughput per change (fix), Mbit/s.
    simulated: Vec<f64>,
}

fn closed(mbps: f64, rtt_ms: f64, window: f64) -> f64 {
    mbps.min(window * 8.0 / (rtt_ms / 1e3) / 1e6)
}

impl Scenario {
    fn throughput_after(&self, c: Change, sim: bool) -> f64 {
        let f = if sim { simulate } else { closed };
        let w = self.window_kb.unwrap_or(64.0) * KB;
        match c {
            Change::Bandwidth => f(2.0 * self.mbps, self.rtt, w),
            Change::Window => f(self.mbps, self.rtt, self.scaled_kb.unwrap_or(64.0) * KB),
            Change::Streams => {
                let k = self.streams.unwrap_or(1) as f64;
                // k connections share the link: each gets at most B/k.
                k * f(self.mbps / k, self.rtt, w)
            }
            Change::CloserServer => f(self.mbps, self.rtt / 2.0, w),
        }
    }
}

fn text(c: Change, s: &Scenario) -> String {
    match c {
        Change::Bandwidth => format!("double the link to {} Mbit/s", num(2.0 * s.mbps)),
        Change::Window => format!("enable window scaling so the window can reach {} KB", num(s.scaled_kb.unwrap_or(0.0))),
        Change::Streams => format!("split the transfer over {} parallel connections", s.streams.unwrap_or(0)),
        Change::CloserServer => format!("copy the data to a server half the round trip away ({} ms)", num(s.rtt / 2.0)),
    }
}

impl Family for Bdp {
    fn id(&self) -> &'static str {
        "systems.bdp"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Bandwidth-delay product and window-limited throughput"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "throughput of a window-limited connection, the window that fills a link (BDP), which change speeds a bulk transfer most (choice)",
            key: "a simulated sender: packets at the link rate, at most W bytes unacknowledged, acks one RTT later",
            second_route: "closed forms min(B, W/RTT) and BDP = B·RTT",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let mbps = cx.int("bandwidth_mbps") as f64;
        let rtt = cx.int("rtt_ms") as f64;
        let link = format!("a **{} Mbit/s** link with a round-trip time of **{} ms**", num(mbps), num(rtt));
        match ask {
            "window" => {
                let bdp = mbps * 1e6 / 8.0 * rtt / 1e3 / KB;
                let sim_fill = simulate(mbps, rtt, (bdp * KB).ceil() + PACKET);
                let prompt = Content::new()
                    .p(format!("A backup job copies data over {link}. How large must the TCP window be, at least, for one connection to keep the link full?"));
                let slot = AnswerSlot::new("window", Expected::sig(bdp, 3)).unit("KB (1 KB = 1024 bytes)").exact_by_hand();
                let solution = Content::new().p(format!("The bandwidth-delay product: $B times r = {} times 10^6 / 8 \"bytes/s\" times {} \"s\" = {}$ bytes = **{} KB**. A smaller window sends W per round trip and then waits.", num(mbps), num(rtt / 1e3), fmt_sig(bdp * KB, 6), fmt_sig(bdp, 3)));
                let evidence = Content::new().p(format!("Simulated sender with a window of one packet more than the BDP: {} Mbit/s of the link's {}; with the default 64 KB window: {} Mbit/s.", fmt_sig(sim_fill, 4), num(mbps), fmt_sig(simulate(mbps, rtt, 64.0 * KB), 4)));
                let s = Scenario { ask: ask.into(), mbps, rtt, window_kb: None, streams: None, scaled_kb: None, changes: vec![], simulated: vec![sim_fill] };
                Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s)
                    .followup(FollowUp::new("What does Linux need for a window that large?", format!("Window scaling (RFC 7323; the 16-bit field caps at 64 KB without it) and socket buffers of at least {} KB (`net.ipv4.tcp_rmem`/`tcp_wmem` maximums).", fmt_sig(bdp, 3))).point("the receive buffer bounds the advertised window"))
                    .followup(FollowUp::new("With a 64 KB window, what throughput does the connection get?", format!("{} Mbit/s: 64 KB per {} ms round trip.", fmt_sig(closed(mbps, rtt, 64.0 * KB), 3), num(rtt)))))
            }
            "throughput" => {
                let w_kb = cx.int("window_kb") as f64;
                let v = simulate(mbps, rtt, w_kb * KB);
                let prompt = Content::new().p(format!("One TCP connection with its window fixed at **{} KB** (1 KB = 1024 bytes) streams a large file over {link}. No packets are lost. What throughput does it reach?", num(w_kb)));
                let c = closed(mbps, rtt, w_kb * KB);
                let slot = AnswerSlot::new("throughput", Expected::rel(v, 0.05)).unit("Mbit/s").by_hand("$min(B, W / r)$", c);
                let limited = w_kb * KB * 8.0 / (rtt / 1e3) / 1e6 < mbps;
                let solution = Content::new().p(format!("At most one window per round trip: $W / r = {} times 1024 times 8 \"bits\" / {} \"s\" = {}$ Mbit/s, against the link's {} Mbit/s. The connection is **{}**, at about {} Mbit/s.", num(w_kb), num(rtt / 1e3), fmt_sig(w_kb * KB * 8.0 / (rtt / 1e3) / 1e6, 4), num(mbps), if limited { "window-limited" } else { "link-limited" }, fmt_sig(v, 3)));
                let evidence = Content::new().p(format!("Simulated sender (1460-byte packets at the link's rate, acks one round trip after each packet's last bit): {} Mbit/s over 20 round trips after warm-up; closed form {} Mbit/s.", fmt_sig(v, 5), fmt_sig(c, 5)));
                let s = Scenario { ask: ask.into(), mbps, rtt, window_kb: Some(w_kb), streams: None, scaled_kb: None, changes: vec![], simulated: vec![v] };
                let bdp_kb = mbps * 1e6 / 8.0 * rtt / 1e3 / KB;
                Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s)
                    .followup(FollowUp::new("What window would fill the link?", format!("The bandwidth-delay product, {} KB.", fmt_sig(bdp_kb, 3))).point("BDP = bandwidth × RTT"))
                    .followup(FollowUp::new("Would doubling the link's bandwidth help?", format!("{}: the connection would reach {} Mbit/s.", if limited { "No" } else { "Yes" }, fmt_sig(closed(2.0 * mbps, rtt, w_kb * KB), 3))).point("a window-limited connection ignores extra bandwidth")))
            }
            _ => {
                let w_kb = cx.int("window_kb") as f64;
                let k = cx.int("streams") as u32;
                // The scaled window exceeds the unscaled one: drawn above it (up to the
                // difficulty's range, at least twice it), so only a pin can break the rule.
                let top = [4096i64, 8192, 16_384][cx.difficulty().index()];
                let scaled = cx.int_within("scaled_kb", w_kb as i64 + 1, top.max(2 * w_kb as i64), 1) as f64;
                if scaled <= w_kb {
                    return Err(GenError::Params { message: format!("the scaled window {scaled} KB is no larger than {w_kb} KB"), hint: "scaled_kb must exceed window_kb".into() });
                }
                let mut s = Scenario { ask: ask.into(), mbps, rtt, window_kb: Some(w_kb), streams: Some(k), scaled_kb: Some(scaled), changes: vec![Change::Bandwidth, Change::Window, Change::Streams, Change::CloserServer], simulated: vec![] };
                use rand::seq::SliceRandom;
                let mut changes = s.changes.clone();
                changes.shuffle(cx.rng());
                s.changes = changes;
                let base = simulate(mbps, rtt, w_kb * KB);
                s.simulated = s.changes.iter().map(|c| s.throughput_after(*c, true)).collect();
                let best = s.simulated.iter().cloned().fold(0.0, f64::max);
                let correct = s.simulated.iter().position(|x| *x == best).unwrap_or(0);
                let options: Vec<ChoiceOption> = s.changes.iter().zip(&s.simulated).enumerate().map(|(i, (c, v))| {
                    if i == correct {
                        ChoiceOption::right(text(*c, &s))
                    } else {
                        ChoiceOption::wrong(text(*c, &s), why(*c, *v, best, base))
                    }
                }).collect();
                let rows: Vec<Vec<String>> = s.changes.iter().zip(&s.simulated).map(|(c, v)| vec![text(*c, &s), format!("{} Mbit/s", fmt_sig(*v, 3))]).collect();
                let prompt = Content::new().p(format!("A nightly copy runs over one TCP connection on {link}. The receiver's window is stuck at **{} KB** (1 KB = 1024 bytes); nothing is lost and the disks are fast. Today it reaches about {} Mbit/s. Which change speeds the copy up most?", num(w_kb), fmt_sig(base, 2)));
                let solution = Content::new().p(format!("The connection moves at most one window per round trip, $min(B, W / r)$. The bandwidth-delay product is {} KB, so the {} KB window {}.", fmt_sig(mbps * 1e6 / 8.0 * rtt / 1e3 / KB, 3), num(w_kb), if w_kb * KB * 8.0 / (rtt / 1e3) / 1e6 < mbps { "is the limit, not the link" } else { "already fills the link" })).table(["change", "throughput"], rows.clone()).p(format!("Best: **{}**.", text(s.changes[correct], &s)));
                let evidence = Content::new().p("Each change run through the simulated sender (k connections share the link equally):").table(["change", "simulated throughput"], rows);
                let mut sorted = s.simulated.clone();
                sorted.sort_by(|a, b| b.total_cmp(a));
                let q = Question::new(prompt, vec![AnswerSlot::new("the change", Expected::Choice { options, correct })], solution, evidence)
                    .contrast(Contrast::new("best vs runner-up", fmt_sig(sorted[0], 2), fmt_sig(sorted[1], 2)))
                    .followup(FollowUp::new("Why do parallel connections help a window-limited transfer, and what is the catch?", format!("Each brings its own window: {k} × {} KB in flight. The catch: they take a larger share of a shared bottleneck from other flows, and loss recovery is per connection.", num(w_kb))).point("fairness is per connection"))
                    .followup(FollowUp::new("What window would fill the link alone?", format!("{} KB, the bandwidth-delay product.", fmt_sig(mbps * 1e6 / 8.0 * rtt / 1e3 / KB, 3))))
                    .with_scenario(&s);
                Ok(q)
            }
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let agree = |sim: f64, c: f64, what: &str| -> Result<(), CheckError> {
            if (sim - c).abs() <= 0.02 * c { Ok(()) } else { Err(CheckError(format!("{what}: simulated {sim} Mbit/s, closed form {c} Mbit/s"))) }
        };
        match s.ask.as_str() {
            "window" => {
                let bdp = s.mbps * 1e6 / 8.0 * s.rtt / 1e3;
                let key = q.expected_real(0)? * KB;
                if (key - bdp).abs() > 1e-6 * bdp {
                    return Err(CheckError(format!("key {key} bytes, B·r = {bdp} bytes")));
                }
                agree(s.simulated.first().copied().unwrap_or(0.0), s.mbps, "a window of the BDP fills the link")
            }
            "throughput" => {
                let key = q.expected_real(0)?;
                agree(key, closed(s.mbps, s.rtt, s.window_kb.unwrap_or(0.0) * KB), "throughput")
            }
            _ => {
                let closed_each: Vec<f64> = s.changes.iter().map(|c| s.throughput_after(*c, false)).collect();
                for ((c, sim), cl) in s.changes.iter().zip(&s.simulated).zip(&closed_each) {
                    agree(*sim, *cl, &format!("{c:?}"))?;
                }
                let best = closed_each.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |x| x.0);
                let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
                CheckError::expect_eq("best change", *correct, best)
            }
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(s) = q.scenario::<Scenario>() {
            if s.ask == "fix" {
                let mut v = s.simulated.clone();
                v.sort_by(|a, b| b.total_cmp(a));
                if v.len() > 1 && v[0] < 1.15 * v[1] {
                    out.push("the best change is within 15% of the runner-up".into());
                }
            }
        }
        out
    }
}

fn why(c: Change, v: f64, best: f64, base: f64) -> String {
    let tail = format!("it reaches {} Mbit/s (from {}), the best {}.", fmt_sig(v, 3), fmt_sig(base, 3), fmt_sig(best, 3));
    match c {
        Change::Bandwidth => format!("More bandwidth does nothing for a window-limited connection: it still sends one window per round trip; {tail}"),
        Change::Window => format!("A larger window raises the per-connection cap, but only up to the link; {tail}"),
        Change::Streams => format!("Parallel connections multiply the windows in flight, but only by their number; {tail}"),
        Change::CloserServer => format!("Halving the round trip doubles a window-limited rate, no more; {tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Bdp, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // The classic long fat network: a 64 KB window over a 100 ms round trip caps one
        // connection at 64·1024·8/0.1 = 5.24 Mbit/s whatever the link (RFC 7323 §1.1).
        let v = simulate(1000.0, 100.0, 65_536.0);
        assert!((v - 5.24288).abs() / 5.24288 < 0.02, "{v}");
        // A 1 Gbit/s link at 10 ms has a BDP of 1.25 MB; a 2 MB window fills it.
        let v = simulate(1000.0, 10.0, 2e6);
        assert!((v - 1000.0).abs() < 10.0, "{v}");
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Bdp, &["ask=window".into(), "bandwidth_mbps=1000".into(), "rtt_ms=80".into()]).unwrap();
        let q = generate(&Bdp, 1, Difficulty::Medium, &pins).unwrap();
        // 1e9/8 · 0.08 = 10,000,000 bytes = 9765.6 KB.
        assert_eq!(q.slots[0].expected.reference(), "9770");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["throughput", "window", "fix"] {
            let pins = parse_pins(&Bdp, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Bdp, 4, Difficulty::Hard, &pins).unwrap();
            cross_check(&Bdp, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, tolerance } => Expected::Real { value: value * 1.5, tolerance: *tolerance },
                Expected::Choice { options, correct } => Expected::Choice { options: options.clone(), correct: (correct + 1) % options.len() },
                e => e.clone(),
            };
            assert!(cross_check(&Bdp, &q).is_err(), "{ask}");
        }
    }
}
