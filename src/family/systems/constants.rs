//! The constants the `systems` families assume, each kind in one table with its source: the
//! message flights of the connection handshakes ([`STACKS`]), TCP's initial congestion windows
//! ([`INITIAL_WINDOWS`]) and the latency numbers ([`LATENCY`]). Families read them from here and
//! print the values they used in the question, so a reader can check the assumption.

/// Which side sends a flight of a handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client (it sends the first flight).
    Client,
    /// The server.
    Server,
}

/// One flight of a handshake: the messages one side sends together, and whether the client's
/// request may ride in it (only on a client flight).
#[derive(Debug, Clone, Copy)]
pub struct Flight {
    /// Who sends it.
    pub from: Side,
    /// The messages, as the RFC names them.
    pub messages: &'static str,
    /// True when the client's first request may be sent with this flight.
    pub request: bool,
}

/// A connection set-up: transport plus security handshake, as message flights.
#[derive(Debug, Clone, Copy)]
pub struct Stack {
    /// The `--set` id.
    pub id: &'static str,
    /// The name shown in questions.
    pub name: &'static str,
    /// The flights, in order; each is sent when the previous one from the other side arrives.
    pub flights: &'static [Flight],
    /// Round trips before the client may send its request, as the RFCs state them (the closed
    /// form the simulation is checked against).
    pub rtts_before_request: u32,
    /// True when the stack needs a previous session with the same server (resumption, 0-RTT).
    pub needs_previous_session: bool,
    /// Where the flights come from.
    pub source: &'static str,
}

const fn c(messages: &'static str) -> Flight {
    Flight {
        from: Side::Client,
        messages,
        request: false,
    }
}
const fn c_req(messages: &'static str) -> Flight {
    Flight {
        from: Side::Client,
        messages,
        request: true,
    }
}
const fn s(messages: &'static str) -> Flight {
    Flight {
        from: Side::Server,
        messages,
        request: false,
    }
}

/// The handshakes. Sources: TCP's three-way handshake, RFC 9293 §3.5; TLS 1.2 full and
/// abbreviated (session resumption) handshakes, RFC 5246 §7.3 (no False Start); TLS 1.3's 1-RTT
/// handshake and 0-RTT early data on resumption, RFC 8446 §2 and §2.3; QUIC's combined
/// transport and TLS handshake, RFC 9000 §7 and RFC 9001 §4 (1-RTT, and 0-RTT on resumption).
pub static STACKS: &[Stack] = &[
    Stack {
        id: "tcp",
        name: "plain TCP (no TLS)",
        flights: &[c("SYN"), s("SYN-ACK"), c_req("ACK")],
        rtts_before_request: 1,
        needs_previous_session: false,
        source: "RFC 9293 §3.5",
    },
    Stack {
        id: "tls12",
        name: "TCP + TLS 1.2, full handshake",
        flights: &[
            c("SYN"),
            s("SYN-ACK"),
            c("ACK, ClientHello"),
            s("ServerHello, Certificate, ServerKeyExchange, ServerHelloDone"),
            c("ClientKeyExchange, ChangeCipherSpec, Finished"),
            s("ChangeCipherSpec, Finished"),
            c_req("application data"),
        ],
        rtts_before_request: 3,
        needs_previous_session: false,
        source: "RFC 9293 §3.5, RFC 5246 §7.3",
    },
    Stack {
        id: "tls12_resumed",
        name: "TCP + TLS 1.2, resumed session (abbreviated handshake)",
        flights: &[
            c("SYN"),
            s("SYN-ACK"),
            c("ACK, ClientHello (session ID)"),
            s("ServerHello, ChangeCipherSpec, Finished"),
            c_req("ChangeCipherSpec, Finished"),
        ],
        rtts_before_request: 2,
        needs_previous_session: true,
        source: "RFC 9293 §3.5, RFC 5246 §7.3 (Figure 2)",
    },
    Stack {
        id: "tls13",
        name: "TCP + TLS 1.3, full handshake",
        flights: &[
            c("SYN"),
            s("SYN-ACK"),
            c("ACK, ClientHello + key_share"),
            s("ServerHello + key_share, {EncryptedExtensions, Certificate, CertificateVerify, Finished}"),
            c_req("{Finished}"),
        ],
        rtts_before_request: 2,
        needs_previous_session: false,
        source: "RFC 9293 §3.5, RFC 8446 §2",
    },
    Stack {
        id: "tls13_0rtt",
        name: "TCP + TLS 1.3, resumption with 0-RTT early data",
        flights: &[
            c("SYN"),
            s("SYN-ACK"),
            c_req("ACK, ClientHello + pre_shared_key + early_data"),
        ],
        rtts_before_request: 1,
        needs_previous_session: true,
        source: "RFC 9293 §3.5, RFC 8446 §2.3",
    },
    Stack {
        id: "quic",
        name: "QUIC (TLS 1.3 inside), first connection",
        flights: &[
            c("Initial[ClientHello]"),
            s("Initial[ServerHello], Handshake[EncryptedExtensions … Finished]"),
            c_req("Handshake[Finished]"),
        ],
        rtts_before_request: 1,
        needs_previous_session: false,
        source: "RFC 9000 §7, RFC 9001 §4",
    },
    Stack {
        id: "quic_0rtt",
        name: "QUIC, resumption with 0-RTT",
        flights: &[c_req("Initial[ClientHello], 0-RTT")],
        rtts_before_request: 0,
        needs_previous_session: true,
        source: "RFC 9000 §7, RFC 9001 §4.6",
    },
];

/// The stack with this id.
pub fn stack(id: &str) -> Option<&'static Stack> {
    STACKS.iter().find(|s| s.id == id)
}

/// A rule for TCP's initial congestion window, in segments of MSS = 1460 bytes.
#[derive(Debug, Clone, Copy)]
pub struct InitialWindow {
    /// The `--set` id.
    pub id: &'static str,
    /// Segments at MSS 1460.
    pub segments: u32,
    /// The rule as the RFC states it.
    pub rule: &'static str,
    /// The RFC.
    pub source: &'static str,
}

/// The maximum segment size the slow-start questions assume (Ethernet MTU 1500 − 40 bytes of
/// IPv4 and TCP headers).
pub const MSS: u64 = 1460;

/// TCP's initial windows. RFC 3390 (2002): min(4·MSS, max(2·MSS, 4380 bytes)) = 3 segments at
/// MSS 1460; RFC 6928 (2013, Linux's default since 2.6.39): min(10·MSS, max(2·MSS, 14600
/// bytes)) = 10 segments at MSS 1460.
pub static INITIAL_WINDOWS: &[InitialWindow] = &[
    InitialWindow {
        id: "rfc3390",
        segments: 3,
        rule: "min(4·MSS, max(2·MSS, 4380 bytes))",
        source: "RFC 3390",
    },
    InitialWindow {
        id: "rfc6928",
        segments: 10,
        rule: "min(10·MSS, max(2·MSS, 14600 bytes))",
        source: "RFC 6928",
    },
];

/// The initial-window rule with this id.
pub fn initial_window(id: &str) -> Option<&'static InitialWindow> {
    INITIAL_WINDOWS.iter().find(|w| w.id == id)
}

/// One latency number.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// A short id.
    pub id: &'static str,
    /// What it measures.
    pub what: &'static str,
    /// Nanoseconds.
    pub ns: f64,
}

/// Latency numbers, from Jeff Dean's "Numbers everyone should know" (LADIS 2009 keynote,
/// "Designs, Lessons and Advice from Building Large Distributed Systems").
pub static LATENCY: &[Latency] = &[
    Latency {
        id: "l1",
        what: "L1 cache reference",
        ns: 0.5,
    },
    Latency {
        id: "memory",
        what: "main memory reference",
        ns: 100.0,
    },
    Latency {
        id: "dc_rtt",
        what: "round trip within the same datacenter",
        ns: 500_000.0,
    },
    Latency {
        id: "disk_seek",
        what: "disk seek",
        ns: 10_000_000.0,
    },
    Latency {
        id: "wan_rtt",
        what: "packet California → Netherlands → California",
        ns: 150_000_000.0,
    },
];

/// The latency number with this id, in nanoseconds.
pub fn latency_ns(id: &str) -> f64 {
    LATENCY
        .iter()
        .find(|l| l.id == id)
        .map_or(f64::NAN, |l| l.ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_consistent() {
        for st in STACKS {
            assert_eq!(st.flights[0].from, Side::Client, "{}", st.id);
            assert_eq!(
                st.flights.iter().filter(|f| f.request).count(),
                1,
                "{}",
                st.id
            );
            assert!(st
                .flights
                .iter()
                .all(|f| !f.request || f.from == Side::Client));
        }
        // RFC 3390 and RFC 6928 evaluated at MSS 1460 by hand: 4380/1460 = 3, 14600/1460 = 10.
        assert_eq!(
            initial_window("rfc3390").unwrap().segments as u64 * MSS,
            4380
        );
        assert_eq!(
            initial_window("rfc6928").unwrap().segments as u64 * MSS,
            14600
        );
    }
}
