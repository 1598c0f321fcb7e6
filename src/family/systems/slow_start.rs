//! `systems.slow_start`: how many round trips a fresh TCP connection needs to deliver a response,
//! when the congestion window starts at a stated initial window and doubles every round trip.
//!
//! **Asked** (`ask`):
//! - `rounds`: round trips of data the server needs to send an N-byte response;
//! - `time`: the time from the client's SYN to the last byte of the response;
//! - `capped` (hard): rounds when the receiver's window caps the congestion window.
//!
//! **Parameters.** `iw` the initial window from [`super::constants::INITIAL_WINDOWS`] (RFC 3390:
//! 3 segments, RFC 6928: 10 segments of MSS 1460); `size_kb` N: easy 20–200 KB, medium 50–2000,
//! hard 100–8000; `rtt_ms`: 10–200; `rwnd_kb` (capped): 32–256 KB.
//!
//! **Key.** A round-by-round simulation of the sender: each round it sends min(cwnd, rwnd,
//! remaining) segments, all are acknowledged one RTT later, and slow start adds one segment to
//! cwnd per segment acknowledged (RFC 5681 §3.1), with no loss and no ssthresh reached.
//!
//! **Second route.** The closed form: with S = ⌈N/MSS⌉ segments and initial window w, k rounds
//! deliver w·(2^k − 1) segments, so k = ⌈log₂(S/w + 1)⌉; with a receiver window of W segments,
//! the doubling rounds until cwnd ≥ W, then ⌈rest/W⌉ full-window rounds.
//!
//! **Pitfalls**: forgetting the handshake round trip; doubling from 1 segment (the pre-RFC 3390
//! window) instead of the stated initial window; treating the response as one round trip
//! whatever its size.

use super::constants::{initial_window, InitialWindow, MSS};
use crate::answer::{trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct SlowStart;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "rounds: data round trips; time: SYN to last byte; capped: rounds under a receiver window",
        kind: ParamKind::Choice {
            options: &["rounds", "time", "capped"],
            draw: [&["rounds", "time"], &["rounds", "time"], &["time", "capped"]],
        },
    },
    ParamSpec {
        key: "iw",
        help: "initial congestion window rule: rfc3390 (3 segments) or rfc6928 (10 segments)",
        kind: ParamKind::Choice { options: &["rfc3390", "rfc6928"], draw: [&["rfc6928"], &["rfc3390", "rfc6928"], &["rfc3390", "rfc6928"]] },
    },
    ParamSpec {
        key: "size_kb",
        help: "response size in KB (1 KB = 1000 bytes)",
        kind: ParamKind::Int { min: 1, max: 100_000, draw: [(20, 200), (50, 2000), (100, 8000)] },
    },
    ParamSpec {
        key: "rtt_ms",
        help: "round-trip time in ms",
        kind: ParamKind::Int { min: 1, max: 1000, draw: [(10, 200), (10, 200), (10, 200)] },
    },
    ParamSpec {
        key: "rwnd_kb",
        help: "capped: the receiver's window in KB",
        kind: ParamKind::Int { min: 4, max: 100_000, draw: [(32, 256), (32, 256), (32, 256)] },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("rounds", [2, 3, 4], &["slow-start"]),
    Ask::new("time", [3, 4, 5], &["slow-start", "handshake-round-trips"]),
    Ask::new("capped", [4, 5, 6], &["slow-start", "window-limited-throughput"]),
];

/// One round of the simulated sender.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// cwnd at the start of the round, in segments.
    pub cwnd: u64,
    /// Segments sent this round.
    pub sent: u64,
    /// Segments delivered so far.
    pub total: u64,
}

/// Simulates slow start: `segments` to send, initial window `iw`, receiver window `rwnd`
/// segments (u64::MAX for none). Returns every round.
pub fn simulate(segments: u64, iw: u64, rwnd: u64) -> Vec<Round> {
    let mut cwnd = iw;
    let mut total = 0;
    let mut rounds = Vec::new();
    while total < segments {
        let sent = cwnd.min(rwnd).min(segments - total);
        total += sent;
        rounds.push(Round { cwnd, sent, total });
        // Every segment acknowledged grows cwnd by one segment (RFC 5681 §3.1, slow start).
        cwnd += sent;
    }
    rounds
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    iw: u64,
    segments: u64,
    rtt: Option<f64>,
    rwnd: Option<u64>,
}

fn segments_of(bytes: u64) -> u64 {
    bytes.div_ceil(MSS)
}

fn table(rounds: &[Round]) -> Content {
    let rows: Vec<Vec<String>> = rounds
        .iter()
        .enumerate()
        .map(|(i, r)| vec![(i + 1).to_string(), r.cwnd.to_string(), r.sent.to_string(), r.total.to_string()])
        .collect();
    Content::new().table(["round", "cwnd (segments)", "sent", "delivered so far"], rows)
}

fn iw_line(w: &InitialWindow) -> String {
    format!("initial window {} segments ({}: {} at MSS {MSS} bytes)", w.segments, w.source, w.rule)
}

impl Family for SlowStart {
    fn id(&self) -> &'static str {
        "systems.slow_start"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Slow start: round trips to deliver a response"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "round trips, or SYN-to-last-byte time, for an N-byte response from a stated initial window (RFC 3390, 6928), with a receiver-window cap at hard",
            key: "round-by-round simulation of the sender's congestion window",
            second_route: "closed form ⌈log₂(S/w + 1)⌉, plus full-window rounds under a cap",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let w = initial_window(cx.pick("iw")).ok_or_else(|| GenError::Run("unknown initial window".into()))?;
        let size_kb = cx.int("size_kb") as u64;
        let rtt = if ask == "time" { Some(cx.int("rtt_ms") as f64) } else { None };
        let rwnd_kb = if ask == "capped" { Some(cx.int("rwnd_kb") as u64) } else { None };
        let segments = segments_of(size_kb * 1000);
        let iw = w.segments as u64;
        let rwnd = rwnd_kb.map(|k| (k * 1000 / MSS).max(1));
        if size_kb * 1000 > 2_000_000_000 {
            return Err(GenError::Params { message: "response too large".into(), hint: "size_kb ≤ 2,000,000".into() });
        }
        let rounds = simulate(segments, iw, rwnd.unwrap_or(u64::MAX));
        let k = rounds.len() as u64;
        let setting = format!("The server's TCP uses an {}, MSS **{MSS} bytes**, no losses, and slow start throughout (no ssthresh is reached). The response is **{size_kb} KB** (1 KB = 1000 bytes), so {segments} segments.", iw_line(w));
        let mut prompt = Content::new().p(format!("A client requests a file over a **new** TCP connection. {setting}"));
        let (slot, solution) = match ask {
            "rounds" => {
                prompt = prompt.p("How many round trips of data does the server need to deliver the whole response (the window doubles every round trip)?");
                (
                    AnswerSlot::new("round trips of data", Expected::Integer { value: k as i64 }).exact_by_hand(),
                    Content::new().p(format!("After k rounds the server has sent $w (2^k - 1)$ segments with $w = {iw}$. The smallest k with ${iw} (2^k - 1) >= {segments}$ is **{k}**.")),
                )
            }
            "time" => {
                let rtt = rtt.unwrap_or(0.0);
                prompt = prompt.p(format!("The round-trip time is **{} ms**; the request rides on the last packet of the three-way handshake. How long from the client's SYN until the last byte of the response arrives?", num(rtt)));
                let t = (1 + k) as f64 * rtt;
                (
                    AnswerSlot::new("SYN to last byte", Expected::sig(t, 3)).unit("ms").exact_by_hand(),
                    Content::new().p(format!("One round trip for the handshake (the request leaves with the ACK), then {k} windows of data, each arriving one round trip after the previous: ${iw} (2^{k} - 1) >= {segments}$ needs k = {k}.")).p(format!("Total $({k} + 1) times {} = {}$ ms.", num(rtt), num(t))),
                )
            }
            _ => {
                let rw = rwnd.unwrap_or(1);
                prompt = prompt.p(format!("The client's receive window is **{} KB** ({rw} segments) and never grows. How many round trips of data does the server need?", rwnd_kb.unwrap_or(0)));
                let doubling = rounds.iter().take_while(|r| r.cwnd < rw).count();
                (
                    AnswerSlot::new("round trips of data", Expected::Integer { value: k as i64 }).exact_by_hand(),
                    Content::new().p(format!("The window doubles from {iw} until it reaches the receiver's {rw} segments ({doubling} rounds); from then on each round carries at most {rw} segments. Counting rounds until {segments} segments are delivered gives **{k}**.")),
                )
            }
        };
        let solution = solution.extend(table(&rounds));
        let evidence = Content::new().p("The simulated sender, round by round:").extend(table(&rounds));
        let other = super::constants::INITIAL_WINDOWS.iter().find(|x| x.id != w.id).unwrap_or(w);
        let other_k = simulate(segments, other.segments as u64, rwnd.unwrap_or(u64::MAX)).len();
        let mut q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { ask: ask.into(), iw, segments, rtt, rwnd })
            .followup(FollowUp::new(format!("What if the server used an initial window of {} segments ({}) instead?", other.segments, other.source), format!("{other_k} round trips of data instead of {k}.")).point("a larger initial window helps short transfers most"))
            .followup(FollowUp::new("The client asks for the same file again on the same connection, right away. How many round trips now?", format!("{}: the window is already {} segments.", segments.div_ceil(rounds.last().map_or(iw, |r| (r.cwnd + r.sent).min(rwnd.unwrap_or(u64::MAX)))), rounds.last().map_or(iw, |r| (r.cwnd + r.sent).min(rwnd.unwrap_or(u64::MAX))))).point("connection reuse keeps the window open (unless it idles long enough to restart, RFC 5681 §4.1)"));
        if ask == "capped" {
            let free = simulate(segments, iw, u64::MAX).len();
            q = q.contrast(Contrast::new("capped vs uncapped rounds", k, free));
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (w, n) = (s.iw as f64, s.segments as f64);
        let k = match s.rwnd {
            None => (n / w + 1.0).log2().ceil(),
            Some(cap) => {
                // Doubling rounds j while w·2^(j) < cap, each sending w·2^j; then full windows.
                let mut j = 0u32;
                while w * 2f64.powi(j as i32) < cap as f64 && w * (2f64.powi(j as i32 + 1) - 1.0) < n {
                    j += 1;
                }
                let sent = w * (2f64.powi(j as i32) - 1.0);
                if sent >= n { j as f64 } else { j as f64 + ((n - sent) / cap as f64).ceil() }
            }
        };
        match s.ask.as_str() {
            "time" => {
                let t = (k + 1.0) * s.rtt.unwrap_or(0.0);
                let key = q.expected_real(0)?;
                if (t - key).abs() <= 1e-9 * t { Ok(()) } else { Err(CheckError(format!("key {key} ms, closed form {t} ms"))) }
            }
            _ => CheckError::expect_eq("round trips", q.expected_integer(0)?, k as i64),
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
        stress(&SlowStart, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Hand trace with IW = 10 (RFC 6928): 10, 20, 40, 80 segments → 150 after 4 rounds, so
        // 100 KB (69 segments) needs 3 rounds (10 + 20 + 40 = 70 ≥ 69).
        assert_eq!(segments_of(100_000), 69);
        assert_eq!(simulate(69, 10, u64::MAX).len(), 3);
        assert_eq!(simulate(70, 10, u64::MAX).len(), 3);
        assert_eq!(simulate(71, 10, u64::MAX).len(), 4);
        // With IW = 3: 3, 6, 12, 24, 48 → 93 after 5 rounds.
        assert_eq!(simulate(69, 3, u64::MAX).len(), 5);
        // A 20-segment receiver window: 10, 20, 20, 20 → 70 after 4 rounds.
        assert_eq!(simulate(69, 10, 20).len(), 4);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&SlowStart, &["ask=time".into(), "iw=rfc6928".into(), "size_kb=100".into(), "rtt_ms=50".into()]).unwrap();
        let q = generate(&SlowStart, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "200");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["rounds", "time", "capped"] {
            let pins = parse_pins(&SlowStart, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&SlowStart, 2, Difficulty::Hard, &pins).unwrap();
            cross_check(&SlowStart, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, .. } => Expected::sig(value * 2.0, 3),
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                e => e.clone(),
            };
            assert!(cross_check(&SlowStart, &q).is_err(), "{ask}");
        }
    }
}
