//! `systems.handshake`: how many round trips a new connection costs before the first response
//! byte, for TCP, TLS 1.2, TLS 1.3, resumption with 0-RTT and QUIC.
//!
//! **Asked** (`ask`):
//! - `first_byte`: the time from the client's first packet to the first byte of the response,
//!   for one stack, round-trip time r and server time s;
//! - `saving`: the time a new connection saves by moving from one stack to another;
//! - `choose` (judgment): which of four or five changes cuts the time to first byte most for a
//!   stated client (first-time or returning): TLS 1.3, QUIC, 0-RTT resumption, a faster server
//!   or more bandwidth.
//!
//! **Parameters.** `rtt_ms` r: easy 20–100, medium 10–200, hard 5–300 ms; `server_ms` s: 0–20,
//! 0–50, 0–150 ms; `stack` and `to` from the handshake table ([`super::constants::STACKS`]);
//! `returning` (choose) whether the client has a previous session to resume.
//!
//! **Key.** A round-trip-level simulation of the message flights in the table: the client sends
//! the first flight at 0, each flight leaves when the previous flight from the other side
//! arrives (one-way delay r/2), the request rides on the first flight that may carry it, and the
//! response arrives r/2 after the server has spent s on it.
//!
//! **Second route.** The closed form (k + 1)·r + s with k the round trips before the request as
//! the RFCs state them (the table's count column, written independently of the flights).
//!
//! **Pitfalls**: counting TLS round trips without the TCP handshake under them; 0-RTT on a first
//! visit (it needs a previous session); bandwidth as a cure for round trips.

use super::constants::{stack, Side, Stack, STACKS};
use crate::answer::{trim_float as num, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Handshake;

const STACK_IDS: &[&str] = &["tcp", "tls12", "tls12_resumed", "tls13", "tls13_0rtt", "quic", "quic_0rtt"];

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "first_byte: time to the first response byte; saving: time saved by a change of stack; choose: which change cuts it most",
        kind: ParamKind::Choice {
            options: &["first_byte", "saving", "choose"],
            draw: [&["first_byte", "saving"], &["first_byte", "saving", "choose"], &["saving", "choose"]],
        },
    },
    ParamSpec {
        key: "stack",
        help: "the connection set-up used today",
        kind: ParamKind::Choice {
            options: STACK_IDS,
            draw: [&["tcp", "tls12", "tls13"], &["tls12", "tls13", "tls12_resumed", "quic"], &["tls12", "tls13", "tls12_resumed", "tls13_0rtt", "quic"]],
        },
    },
    ParamSpec {
        key: "to",
        help: "the connection set-up moved to (saving)",
        kind: ParamKind::Choice {
            options: STACK_IDS,
            draw: [&["tls13", "quic"], &["tls13", "tls13_0rtt", "quic"], &["tls13", "tls13_0rtt", "quic", "quic_0rtt"]],
        },
    },
    ParamSpec {
        key: "today",
        help: "choose: the TCP-based set-up used today",
        kind: ParamKind::Choice { options: &["tls12", "tls13"], draw: [&["tls12"], &["tls12", "tls13"], &["tls12", "tls13"]] },
    },
    ParamSpec {
        key: "returning",
        help: "choose: yes when the client resumes a previous session, no for a first visit",
        kind: ParamKind::Choice { options: &["yes", "no"], draw: [&["yes", "no"], &["yes", "no"], &["yes", "no"]] },
    },
    ParamSpec {
        key: "rtt_ms",
        help: "round-trip time between client and server, in ms",
        kind: ParamKind::Int { min: 1, max: 1000, draw: [(20, 100), (10, 200), (5, 300)] },
    },
    ParamSpec {
        key: "server_ms",
        help: "time the server spends on the request, in ms",
        kind: ParamKind::Int { min: 0, max: 1000, draw: [(0, 20), (0, 50), (0, 150)] },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("first_byte", [2, 3, 4], &["handshake-round-trips"]),
    Ask::new("saving", [3, 4, 5], &["handshake-round-trips"]),
    Ask::new("choose", [3, 4, 5], &["handshake-round-trips", "latency-vs-bandwidth"]).judgment(),
];

/// One flight as simulated: when it left, who sent it, what it held.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SentFlight {
    /// Send time, ms.
    pub at: f64,
    /// "client" or "server".
    pub from: String,
    /// The messages.
    pub messages: String,
}

/// The simulated connection: every flight, when the request left, when the response arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The flights of the handshake, with their send times.
    pub flights: Vec<SentFlight>,
    /// When the client sent its request, ms.
    pub request_at: f64,
    /// When the first response byte reached the client, ms.
    pub first_byte: f64,
}

/// Simulates a new connection over `st` with round-trip time `rtt` and server time `server`
/// (both ms): flights alternate sides, each leaving when the other side's previous flight
/// arrives after the one-way delay `rtt/2`.
pub fn simulate(st: &Stack, rtt: f64, server: f64) -> Timeline {
    let owd = rtt / 2.0;
    let mut flights = Vec::new();
    let mut at = 0.0;
    let mut prev: Option<Side> = None;
    let mut request_at = f64::NAN;
    for f in st.flights {
        if let Some(p) = prev {
            if p != f.from {
                at += owd; // waits for the other side's flight to arrive
            }
        }
        flights.push(SentFlight {
            at,
            from: if f.from == Side::Client { "client" } else { "server" }.into(),
            messages: f.messages.into(),
        });
        if f.request {
            request_at = at;
        }
        prev = Some(f.from);
    }
    Timeline { flights, request_at, first_byte: request_at + owd + server + owd }
}

/// A change the `choose` ask offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Change {
    Tls13,
    Quic,
    ZeroRtt,
    FasterServer,
    Bandwidth,
}

const CHANGES: [Change; 5] = [Change::Tls13, Change::Quic, Change::ZeroRtt, Change::FasterServer, Change::Bandwidth];

impl Change {
    fn text(self) -> &'static str {
        match self {
            Change::Tls13 => "upgrade the server to TLS 1.3 (full handshake)",
            Change::Quic => "serve over QUIC (HTTP/3) instead of TCP",
            Change::ZeroRtt => "enable TLS 1.3 session resumption with 0-RTT early data",
            Change::FasterServer => "halve the server's time per request",
            Change::Bandwidth => "double the link's bandwidth",
        }
    }

    /// The stack and server time after the change, for a client that is (or is not) returning.
    fn apply(self, from: &'static Stack, server: f64, returning: bool) -> (&'static Stack, f64) {
        let get = |id| stack(id).unwrap_or(from);
        match self {
            Change::Tls13 => (get("tls13"), server),
            Change::Quic => (get(if returning { "quic_0rtt" } else { "quic" }), server),
            Change::ZeroRtt => (get(if returning { "tls13_0rtt" } else { "tls13" }), server),
            Change::FasterServer => (from, server / 2.0),
            Change::Bandwidth => (from, server),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    stack: String,
    to: Option<String>,
    returning: Option<bool>,
    rtt: f64,
    server: f64,
    /// choose: the changes shown, in order.
    changes: Vec<Change>,
}

fn stack_of(id: &str) -> Result<&'static Stack, GenError> {
    stack(id).ok_or_else(|| GenError::Run(format!("unknown stack {id}")))
}

fn timeline_table(t: &Timeline, rtt: f64, server: f64) -> Content {
    let mut rows: Vec<Vec<String>> = t
        .flights
        .iter()
        .map(|f| vec![format!("{} ms", num(f.at)), f.from.clone(), f.messages.clone()])
        .collect();
    rows.push(vec![format!("{} ms", num(t.request_at)), "client".into(), "the request".into()]);
    rows.push(vec![
        format!("{} ms", num(t.request_at + rtt / 2.0 + server)),
        "server".into(),
        "the response (after the server's time)".into(),
    ]);
    rows.push(vec![format!("{} ms", num(t.first_byte)), "client".into(), "first response byte arrives".into()]);
    Content::new().table(["sent at", "by", "flight"], rows)
}

fn table_line(st: &Stack) -> String {
    format!("{}: {} round trip{} before the request can leave ({})", st.name, st.rtts_before_request, if st.rtts_before_request == 1 { "" } else { "s" }, st.source)
}

impl Family for Handshake {
    fn id(&self) -> &'static str {
        "systems.handshake"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Handshake round trips: TCP, TLS 1.2, TLS 1.3, 0-RTT and QUIC"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "time to the first response byte of a new connection (TCP, TLS 1.2/1.3, 0-RTT, QUIC), the saving from a change of stack, which change cuts it most (choice)",
            key: "round-trip-level simulation of the handshake flights (RFC 9293, 5246, 8446, 9000/9001)",
            second_route: "closed form (k + 1)·RTT + server time with k the RFCs' round-trip counts",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        match ask {
            "first_byte" => {
                let st = stack_of(cx.pick("stack"))?;
                let rtt = cx.int("rtt_ms") as f64;
                let server = cx.int("server_ms") as f64;
                let t = simulate(st, rtt, server);
                let prompt = Content::new()
                    .p(format!("A client opens a **new** connection to a server with a round-trip time of **{} ms** and sends one small request; the server spends **{} ms** on it. The connection uses **{}**{}. Bandwidth is ample and nothing is lost.", num(rtt), num(server), st.name, if st.needs_previous_session { " (the client has a session from an earlier visit)" } else { "" }))
                    .p("How long after the client's first packet does the first byte of the response arrive?");
                let slot = AnswerSlot::new("time to first byte", Expected::sig(t.first_byte, 3)).unit("ms").exact_by_hand();
                let solution = Content::new()
                    .p(format!("{}. The request leaves after {} round trip(s), reaches the server half a round trip later, and the response needs the server's time plus another half round trip.", table_line(st), st.rtts_before_request))
                    .p(format!("$({} + 1) times {} + {} = {}$ ms.", st.rtts_before_request, num(rtt), num(server), num(t.first_byte)));
                let evidence = Content::new().p("The simulated flights:").extend(timeline_table(&t, rtt, server));
                let doubled = simulate(st, 2.0 * rtt, server).first_byte;
                let q = Question::new(prompt, vec![slot], solution, evidence)
                    .with_scenario(&Scenario { ask: ask.into(), stack: st.id.into(), to: None, returning: None, rtt, server, changes: vec![] })
                    .followup(FollowUp::new(format!("The same client moves {} farther away: the round trip doubles to {} ms. What is the time to first byte now?", if rtt >= 100.0 { "to another continent," } else { "to a farther region," }, num(2.0 * rtt)), format!("{} ms: every handshake round trip doubles, the server's {} ms does not.", num(doubled), num(server))).point("round trips, not bandwidth, dominate small requests"))
                    .followup(FollowUp::new("What would keeping the connection open (keep-alive) give the second request?", format!("One round trip plus the server time: {} ms.", num(rtt + server))).point("connection reuse and pooling amortise the handshake"));
                Ok(q)
            }
            "saving" => {
                // Draw until the new stack is faster (a pin stays as it is).
                let (mut from, mut to) = (stack_of(cx.pick("stack"))?, stack_of(cx.pick("to"))?);
                for _ in 0..32 {
                    if to.rtts_before_request < from.rtts_before_request {
                        break;
                    }
                    from = stack_of(cx.pick("stack"))?;
                    to = stack_of(cx.pick("to"))?;
                }
                if to.rtts_before_request >= from.rtts_before_request {
                    return Err(GenError::Params { message: format!("{} needs no fewer round trips than {}; nothing is saved", to.name, from.name), hint: "`to` should be a stack with fewer round trips than `stack` (`groundwork families systems --long` lists them)".into() });
                }
                let rtt = cx.int("rtt_ms") as f64;
                let server = cx.int("server_ms") as f64;
                let (a, b) = (simulate(from, rtt, server), simulate(to, rtt, server));
                let saved = a.first_byte - b.first_byte;
                let prompt = Content::new()
                    .p(format!("Clients reach an API over a **{} ms** round trip; the server spends **{} ms** per request. Each client opens a new connection for one small request. The team moves from **{}** to **{}**{}.", num(rtt), num(server), from.name, to.name, if to.needs_previous_session { " (every client has a session from an earlier visit)" } else { "" }))
                    .p("How many milliseconds does each request's time to first byte drop by? Bandwidth is ample and nothing is lost.");
                let slot = AnswerSlot::new("time saved", Expected::sig(saved, 3)).unit("ms").exact_by_hand();
                let solution = Content::new()
                    .list([table_line(from), table_line(to)])
                    .p(format!("Before: $({} + 1) times {} + {} = {}$ ms; after: $({} + 1) times {} + {} = {}$ ms; saved **{} ms**, {} round trip(s). The server time cancels.", from.rtts_before_request, num(rtt), num(server), num(a.first_byte), to.rtts_before_request, num(rtt), num(server), num(b.first_byte), num(saved), from.rtts_before_request - to.rtts_before_request));
                let evidence = Content::new()
                    .p(format!("Simulated flights, {}:", from.name))
                    .extend(timeline_table(&a, rtt, server))
                    .p(format!("Simulated flights, {}:", to.name))
                    .extend(timeline_table(&b, rtt, server));
                let mut q = Question::new(prompt, vec![slot], solution, evidence)
                    .with_scenario(&Scenario { ask: ask.into(), stack: from.id.into(), to: Some(to.id.into()), returning: None, rtt, server, changes: vec![] })
                    .contrast(Contrast::new("before vs after", num(a.first_byte), num(b.first_byte)));
                q = if to.needs_previous_session {
                    q.followup(FollowUp::new("What does the new set-up give a client on its *first* visit, and what does 0-RTT data give up?", format!("No early data on a first visit: a full handshake, {} ms here. 0-RTT data can be replayed by an attacker (RFC 8446 §8), so only idempotent requests should ride in it.", num(simulate(stack(if to.id.starts_with("quic") { "quic" } else { "tls13" }).unwrap_or(to), rtt, server).first_byte))).point("replay protection is the price of 0-RTT"))
                } else {
                    q.followup(FollowUp::new("Where does the saving come from?", format!("{} fewer round trip(s) before the request may leave; at {} ms per round trip that is the whole saving.", from.rtts_before_request - to.rtts_before_request, num(rtt))).point("TLS 1.3 sends its key share in the first flight; QUIC merges the transport and TLS handshakes"))
                };
                Ok(q.followup(FollowUp::new("Over a 5 ms round trip inside one region, is the change worth it?", format!("It saves {} ms per new connection there; connection reuse matters more than the handshake at that distance.", num(simulate(from, 5.0, server).first_byte - simulate(to, 5.0, server).first_byte)))))
            }
            _ => {
                let from = stack_of(cx.pick("today"))?;
                let returning = cx.pick("returning") == "yes";
                let rtt = cx.int("rtt_ms") as f64;
                let server = cx.int("server_ms") as f64;
                let rng = cx.rng();
                let mut changes: Vec<Change> = CHANGES.iter().copied().filter(|c| !(from.id == "tls13" && *c == Change::Tls13)).collect();
                use rand::seq::SliceRandom;
                changes.shuffle(rng);
                let count = if cx.difficulty().index() == 0 { 4 } else { 5 };
                changes.truncate(count);
                let times: Vec<f64> = changes.iter().map(|c| {
                    let (st, srv) = c.apply(from, server, returning);
                    simulate(st, rtt, srv).first_byte
                }).collect();
                let base = simulate(from, rtt, server).first_byte;
                let best = times.iter().cloned().fold(f64::INFINITY, f64::min);
                let correct = times.iter().position(|t| *t == best).unwrap_or(0);
                let options: Vec<ChoiceOption> = changes.iter().zip(&times).enumerate().map(|(i, (c, t))| {
                    let text = c.text().to_string();
                    if i == correct {
                        ChoiceOption::right(text)
                    } else {
                        ChoiceOption::wrong(text, why_not(*c, base, *t, best, returning))
                    }
                }).collect();
                let prompt = Content::new()
                    .p(format!("A mobile app opens a **new** connection for each small API call to a server **{} ms** away (round trip); the server spends **{} ms** per call. Today the connection uses **{}**. The app's users are **{}**. Bandwidth is not the bottleneck: the request and response are a few hundred bytes.", num(rtt), num(server), from.name, if returning { "returning users whose app kept a session ticket from an earlier visit" } else { "first-time users with no earlier session" }))
                    .p("Which single change cuts the time to the first response byte the most?");
                let rows: Vec<Vec<String>> = changes.iter().zip(&times).map(|(c, t)| vec![c.text().to_string(), format!("{} ms", num(*t)), format!("{} ms", num(base - t))]).collect();
                let solution = Content::new()
                    .p(format!("Today: {} ms ({} round trip(s) of handshake, one for the request, {} ms at the server). Each change, simulated for this client:", num(base), from.rtts_before_request, num(server)))
                    .table(["change", "time to first byte", "saved"], rows.clone())
                    .p(format!("Best: **{}**.", changes[correct].text()));
                let evidence = Content::new().p("Each option was simulated flight by flight with the handshake table (RFC 9293, 5246, 8446, 9000/9001):").table(["change", "time to first byte", "saved"], rows);
                let sorted = { let mut t = times.clone(); t.sort_by(f64::total_cmp); t };
                let q = Question::new(prompt, vec![AnswerSlot::new("the change", Expected::Choice { options, correct })], solution, evidence)
                    .with_scenario(&Scenario { ask: ask.into(), stack: from.id.into(), to: None, returning: Some(returning), rtt, server, changes: changes.clone() })
                    .contrast(Contrast::new("best vs runner-up", num(sorted[0]), num(sorted[1])))
                    .followup(FollowUp::new(format!("And for {} users?", if returning { "first-time" } else { "returning" }), {
                        let other: Vec<String> = changes.iter().map(|c| { let (st, srv) = c.apply(from, server, !returning); format!("{}: {} ms", c.text(), num(simulate(st, rtt, srv).first_byte)) }).collect();
                        other.join("; ")
                    }).point("0-RTT only exists for a client with a previous session"))
                    .followup(FollowUp::new("What would reusing one connection for every call give?", format!("After the first call, one round trip plus the server: {} ms per call.", num(rtt + server))).point("pooling and keep-alive beat any handshake optimisation for chatty clients"));
                Ok(q)
            }
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let closed = |id: &str, server: f64| -> Result<f64, CheckError> {
            let st = STACKS.iter().find(|x| x.id == id).ok_or_else(|| CheckError(format!("no stack {id}")))?;
            Ok((st.rtts_before_request as f64 + 1.0) * s.rtt + server)
        };
        let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        match s.ask.as_str() {
            "first_byte" => {
                let (k, c) = (q.expected_real(0)?, closed(&s.stack, s.server)?);
                if near(k, c) { Ok(()) } else { Err(CheckError(format!("key {k} ms, closed form {c} ms"))) }
            }
            "saving" => {
                let to = s.to.as_deref().ok_or_else(|| CheckError("no target stack".into()))?;
                let (k, c) = (q.expected_real(0)?, closed(&s.stack, s.server)? - closed(to, s.server)?);
                if near(k, c) { Ok(()) } else { Err(CheckError(format!("key {k} ms saved, closed form {c} ms"))) }
            }
            _ => {
                let returning = s.returning.unwrap_or(false);
                // Independently: which stack each change leads to, by the rule in words.
                let mut best = (f64::INFINITY, usize::MAX);
                for (i, c) in s.changes.iter().enumerate() {
                    let t = match c {
                        Change::Tls13 => closed("tls13", s.server)?,
                        Change::Quic => closed(if returning { "quic_0rtt" } else { "quic" }, s.server)?,
                        Change::ZeroRtt => closed(if returning { "tls13_0rtt" } else { "tls13" }, s.server)?,
                        Change::FasterServer => closed(&s.stack, s.server / 2.0)?,
                        Change::Bandwidth => closed(&s.stack, s.server)?,
                    };
                    if t < best.0 {
                        best = (t, i);
                    }
                }
                let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
                CheckError::expect_eq("best change", *correct, best.1)
            }
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(s) = q.scenario::<Scenario>() {
            if s.ask == "saving" && s.server == 0.0 {
                // fine: the server time cancels anyway
            }
            if s.ask == "first_byte" && s.stack == "tcp" && s.server == 0.0 {
                out.push("a plain TCP request with no server time is just 2 RTT: too easy".into());
            }
        }
        out
    }
}

fn why_not(c: Change, base: f64, t: f64, best: f64, returning: bool) -> String {
    let saved = base - t;
    let tail = format!("here it saves {} ms, the best saves {} ms.", num(saved), num(base - best));
    match c {
        Change::Bandwidth => format!("Bandwidth is not latency: a few hundred bytes are limited by round trips, not by the link's rate; {tail}"),
        Change::ZeroRtt if !returning => format!("0-RTT needs a session ticket from an earlier visit; a first-time client gets the full TLS 1.3 handshake; {tail}"),
        Change::Quic if !returning => format!("QUIC folds the transport and TLS handshakes into one round trip, which helps, but {tail}"),
        Change::FasterServer => format!("The server's time is paid once per request, the handshake round trips are paid per connection; {tail}"),
        Change::Tls13 => format!("TLS 1.3 saves a round trip over TLS 1.2, but the TCP handshake stays; {tail}"),
        _ => format!("It helps, but less: {tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Handshake, 0..30).unwrap();
    }

    #[test]
    fn known_round_trip_counts() {
        // RFC 8446 §1.2 / §2: TLS 1.3's full handshake takes 1 round trip where TLS 1.2's takes
        // 2; on top of TCP's 1 (RFC 9293): 2 vs 3 round trips before the request leaves.
        let r = 100.0;
        let t12 = simulate(stack("tls12").unwrap(), r, 0.0);
        let t13 = simulate(stack("tls13").unwrap(), r, 0.0);
        assert_eq!(t12.request_at - t13.request_at, r, "TLS 1.3 needs one round trip fewer");
        assert_eq!(t12.request_at, 300.0);
        // QUIC (RFC 9000 §7): 1 round trip; QUIC 0-RTT: the request leaves with the first packet.
        assert_eq!(simulate(stack("quic").unwrap(), r, 0.0).request_at, 100.0);
        assert_eq!(simulate(stack("quic_0rtt").unwrap(), r, 0.0).first_byte, 100.0);
        // Plain TCP: the request rides on the third packet of the three-way handshake.
        assert_eq!(simulate(stack("tcp").unwrap(), r, 10.0).first_byte, 210.0);
        for st in STACKS {
            assert_eq!(simulate(st, 1.0, 0.0).request_at, st.rtts_before_request as f64, "{}", st.id);
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Handshake, &["ask=first_byte".into(), "stack=tls12".into(), "rtt_ms=50".into(), "server_ms=7".into()]).unwrap();
        let q = generate(&Handshake, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "207");
        let pins = parse_pins(&Handshake, &["ask=saving".into(), "stack=tls12".into(), "to=quic".into(), "rtt_ms=80".into()]).unwrap();
        let q = generate(&Handshake, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "160");
    }

    #[test]
    fn zero_rtt_does_not_help_a_first_visit() {
        let pins = parse_pins(&Handshake, &["ask=choose".into(), "today=tls12".into(), "returning=no".into(), "rtt_ms=150".into(), "server_ms=10".into()]).unwrap();
        let q = generate(&Handshake, 3, Difficulty::Hard, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        let Expected::Choice { correct, .. } = q.slots[0].expected else { panic!() };
        // 150 ms away and 10 ms of server time: QUIC's single round trip wins for a new client.
        assert_eq!(s.changes[correct], Change::Quic);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["first_byte", "saving", "choose"] {
            let pins = parse_pins(&Handshake, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Handshake, 5, Difficulty::Hard, &pins).unwrap();
            cross_check(&Handshake, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, .. } => Expected::sig(value + 1.0, 3),
                Expected::Choice { options, correct } => Expected::Choice { options: options.clone(), correct: (correct + 1) % options.len() },
                e => e.clone(),
            };
            assert!(cross_check(&Handshake, &q).is_err(), "{ask}");
        }
    }
}
