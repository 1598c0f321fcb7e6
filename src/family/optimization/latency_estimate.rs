//! `optimization.latency_estimate`: back-of-the-envelope I/O time with the classic latency and
//! bandwidth numbers, which the prompt states in a table.
//!
//! **Asked** (`ask`): `sequential`: seconds to read X GB sequentially from a device; `random`:
//! seconds to read the same X GB as random 4 KiB reads (one at a time, each paying the access
//! latency plus its transfer); `ratio`: how many times slower random is.
//!
//! **Parameters.** `device`: ssd, disk (hard: also memory, network); `gigabytes` X: 1–100.
//!
//! **Key.** Simulate the reads: sum, request by request, latency + size/bandwidth (sequential is one
//! stream paying the latency once).
//!
//! **Numbers.** Jeff Dean's "Numbers everyone should know" (the 2012 version, as in Jonas Bonér's
//! "Latency Numbers Every Programmer Should Know"): main memory reference 100 ns, read 1 MB
//! sequentially from memory 250 µs (4 GB/s); read 4K randomly from SSD 150 µs, read 1 MB
//! sequentially from SSD 1 ms (1 GB/s); disk seek 10 ms, read 1 MB sequentially from disk 20 ms
//! (50 MB/s); round trip within the same datacenter 500 µs, send 1K bytes over a 1 Gbps network
//! 10 µs (100 MB/s). The tests check the table against each of these figures.
//!
//! **Second route.** The closed forms X/B + latency and ⌈X/4 KiB⌉·latency + X/B, with latency and
//! bandwidth read back from the table the prompt shows (so what the candidate reads is what the
//! key used); an unknown device is an error, never a silent default.
//!
//! **Pitfalls**: GB vs GiB (stated: 1 GB = 10^9 bytes, 4 KiB = 4096 bytes); forgetting the
//! per-read latency (treating random reads at full bandwidth).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};

/// The family.
pub struct LatencyEstimate;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "sequential: seconds to stream X GB; random: seconds as random 4 KiB reads; ratio: random / sequential",
        kind: ParamKind::Choice { options: &["sequential", "random", "ratio"], draw: [&["sequential", "random"], &["sequential", "random", "ratio"], &["random", "ratio"]] },
    },
    ParamSpec {
        key: "device",
        help: "memory, ssd, disk or network (a datacenter round trip per read)",
        kind: ParamKind::Choice { options: &["memory", "ssd", "disk", "network"], draw: [&["ssd", "disk"], &["ssd", "disk", "network"], &["memory", "ssd", "disk", "network"]] },
    },
    ParamSpec { key: "gigabytes", help: "data X in GB (10^9 bytes)", kind: ParamKind::Int { min: 1, max: 10_000, draw: [(1, 10), (1, 50), (1, 100)] } },
];

/// (name, label, access latency in seconds, bandwidth in bytes/s), from Jeff Dean's numbers (see
/// the module docs).
const DEVICES: &[(&str, &str, f64, f64)] = &[
    ("memory", "main memory", 100e-9, 4e9),
    ("ssd", "SSD", 150e-6, 1e9),
    ("disk", "spinning disk", 10e-3, 50e6),
    ("network", "datacenter network (round trip per read)", 500e-6, 100e6),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    device: String,
    gb: u64,
}

const BLOCK: f64 = 4096.0;

/// The device's (label, latency, bandwidth); an unknown name is an error.
fn device(name: &str) -> Result<(&'static str, f64, f64), String> {
    DEVICES
        .iter()
        .find(|d| d.0 == name)
        .map(|d| (d.1, d.2, d.3))
        .ok_or_else(|| format!("unknown device `{name}`"))
}

/// Simulated: (sequential seconds, random seconds).
fn simulate(lat: f64, bw: f64, gb: u64) -> (f64, f64) {
    let bytes = gb as f64 * 1e9;
    let seq = lat + bytes / bw;
    // Random: one read per 4 KiB block, each paying latency + transfer; summed per block in
    // chunks of identical reads (the last block may be partial).
    let full = (bytes / BLOCK).floor() as u64;
    let rest = bytes - full as f64 * BLOCK;
    let per = lat + BLOCK / bw;
    let mut t = 0.0;
    let mut left = full;
    while left > 0 {
        let k = left.min(1 << 20);
        t += k as f64 * per;
        left -= k;
    }
    if rest > 0.0 {
        t += lat + rest / bw;
    }
    (seq, t)
}

fn human(secs: f64) -> String {
    if secs >= 3600.0 {
        format!("{} hours", fmt_sig(secs / 3600.0, 3))
    } else if secs >= 60.0 {
        format!("{} minutes", fmt_sig(secs / 60.0, 3))
    } else {
        format!("{} s", fmt_sig(secs, 3))
    }
}

/// The latency (s) and bandwidth (bytes/s) the prompt's table shows for the device labelled
/// `label`: the numbers the candidate reads.
fn shown_numbers(q: &Question, label: &str) -> Result<(f64, f64), CheckError> {
    use crate::content::{plain_spans, Block};
    let row = q
        .prompt
        .0
        .iter()
        .find_map(|b| match b {
            Block::Table { rows, .. } => rows.iter().find(|r| r.first().is_some_and(|c| plain_spans(c) == label)),
            _ => None,
        })
        .ok_or_else(|| CheckError(format!("the prompt's table has no row for {label}")))?;
    let number = |i: usize, unit: &str| -> Result<f64, CheckError> {
        let text = row.get(i).map(|c| plain_spans(c)).unwrap_or_default();
        text.strip_suffix(unit)
            .and_then(|t| t.trim().parse::<f64>().ok())
            .ok_or_else(|| CheckError(format!("cannot read `{text}` as {unit}")))
    };
    Ok((number(1, "µs")? * 1e-6, number(2, "GB/s")? * 1e9))
}

impl Family for LatencyEstimate {
    fn id(&self) -> &'static str {
        "optimization.latency_estimate"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Back of the envelope: sequential vs random reads"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let dev = cx.pick("device");
        let gb = cx.int("gigabytes") as u64;
        let (label, lat, bw) = device(dev).map_err(GenError::Run)?;
        let (seq, rnd) = simulate(lat, bw, gb);
        let rows: Vec<Vec<String>> = DEVICES
            .iter()
            .map(|d| vec![d.1.to_string(), format!("{} µs", fmt_sig(d.2 * 1e6, 2)), format!("{} GB/s", fmt_sig(d.3 / 1e9, 3))])
            .collect();
        let prompt = Content::new()
            .p("Use these round numbers (1 GB = 10^9 bytes, 4 KiB = 4096 bytes); a read pays the access latency once, then transfers at the bandwidth:")
            .table(["device", "access latency", "bandwidth"], rows);
        let (q, v, unit) = match ask {
            "sequential" => (format!("About how many seconds does it take to read **{gb} GB** sequentially from the {label}?"), seq, "seconds"),
            "random" => (format!("About how many seconds does it take to read **{gb} GB** from the {label} as random 4 KiB reads, issued one at a time?"), rnd, "seconds"),
            _ => (format!("Reading **{gb} GB** from the {label}: how many times longer do random 4 KiB reads (one at a time) take than one sequential read?"), rnd / seq, "times"),
        };
        let reads = (gb as f64 * 1e9 / BLOCK).ceil();
        let solution = Content::new()
            .p(format!("Sequential: latency + size/bandwidth = {} µs + {}e9 / {} = {} ({}).", fmt_sig(lat * 1e6, 2), gb, fmt_sig(bw, 3), fmt_sig(seq, 4), human(seq)))
            .p(format!("Random: {gb}e9 / 4096 = {} reads, each {} µs + 4096/{} = {} µs, so {} ({}).", fmt_sig(reads, 4), fmt_sig(lat * 1e6, 2), fmt_sig(bw, 3), fmt_sig((lat + BLOCK / bw) * 1e6, 4), fmt_sig(rnd, 4), human(rnd)))
            .p(format!("Answer: **{}** {unit}. Random reads pay the latency per 4 KiB, which dominates on every device but memory.", fmt_sig(v, 3)));
        let evidence = Content::new().p(format!("Simulated request by request: sequential {} s, random {} s.", fmt_sig(seq, 6), fmt_sig(rnd, 6)));
        Ok(Question::new(prompt.p(q), vec![AnswerSlot::new(unit, Expected::rel(v, 0.05))], solution, evidence).with_scenario(&Scenario { ask: ask.into(), device: dev.into(), gb }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let (label, _, _) = device(&s.device).map_err(CheckError)?;
        let (lat, bw) = shown_numbers(q, label)?;
        let bytes = s.gb as f64 * 1e9;
        let seq = lat + bytes / bw;
        let rnd = (bytes / BLOCK).ceil() * lat + bytes / bw;
        let want = match s.ask.as_str() {
            "sequential" => seq,
            "random" => rnd,
            _ => rnd / seq,
        };
        if (want - value).abs() <= 1e-6 * want { Ok(()) } else { Err(CheckError(format!("key {value}, closed form {want}"))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&LatencyEstimate, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // 1 GB from a 50 MB/s disk: 20 s sequential (+10 ms); randomly: 244,141 reads × 10 ms
        // plus 20 s of transfer ≈ 2,461 s.
        let (_, lat, bw) = device("disk").unwrap();
        let (seq, rnd) = simulate(lat, bw, 1);
        assert!((seq - 20.01).abs() < 1e-9);
        assert!((rnd - (244_141.0 * 0.01 + 20.0)).abs() < 1.0, "{rnd}");
    }

    #[test]
    fn the_table_holds_the_cited_numbers() {
        // Jeff Dean's numbers (2012), each row as the source states it.
        let t = |name: &str| device(name).unwrap();
        let (_, mem_lat, mem_bw) = t("memory");
        assert_eq!(mem_lat, 100e-9, "main memory reference: 100 ns");
        assert!((1e6 / mem_bw - 250e-6).abs() < 1e-12, "read 1 MB sequentially from memory: 250 µs");
        let (_, ssd_lat, ssd_bw) = t("ssd");
        assert!((ssd_lat - 150e-6).abs() < 1e-12, "read 4K randomly from SSD: 150 µs");
        assert!((1e6 / ssd_bw - 1e-3).abs() < 1e-12, "read 1 MB sequentially from SSD: 1 ms");
        let (_, disk_lat, disk_bw) = t("disk");
        assert_eq!(disk_lat, 10e-3, "disk seek: 10 ms");
        assert!((1e6 / disk_bw - 20e-3).abs() < 1e-12, "read 1 MB sequentially from disk: 20 ms");
        let (_, net_lat, net_bw) = t("network");
        assert_eq!(net_lat, 500e-6, "round trip within the same datacenter: 500 µs");
        assert!((1e3 / net_bw - 10e-6).abs() < 1e-15, "send 1K bytes over a 1 Gbps network: 10 µs");
        // Every device a parameter names is in the table, and nothing else is silently one.
        let ParamKind::Choice { options, .. } = PARAMS[1].kind else { panic!() };
        for o in options {
            assert!(device(o).is_ok(), "{o}");
        }
        assert!(device("tape").is_err());
    }

    #[test]
    fn the_second_route_reads_the_table_the_candidate_sees() {
        let pins = parse_pins(&LatencyEstimate, &["ask=sequential".into(), "device=ssd".into(), "gigabytes=10".into()]).unwrap();
        let mut q = generate(&LatencyEstimate, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&LatencyEstimate, &q).unwrap();
        // A prompt that shows another bandwidth than the key used is caught.
        for block in q.prompt.0.iter_mut() {
            if let crate::content::Block::Table { rows, .. } = block {
                for r in rows.iter_mut() {
                    if crate::content::plain_spans(&r[0]) == "SSD" {
                        r[2] = crate::content::spans("2.00 GB/s");
                    }
                }
            }
        }
        assert!(crate::family::cross_check(&LatencyEstimate, &q).is_err());
        // An unknown device in the scenario is an error, not an SSD.
        let mut q = generate(&LatencyEstimate, 1, Difficulty::Hard, &pins).unwrap();
        q.scenario["device"] = serde_json::json!("tape");
        assert!(crate::family::cross_check(&LatencyEstimate, &q).is_err());
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&LatencyEstimate, &["ask=sequential".into(), "device=disk".into(), "gigabytes=1".into()]).unwrap();
        let q = generate(&LatencyEstimate, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "20.0");
    }

    #[test]
    fn the_cross_check_catches_ignoring_latency() {
        let pins = parse_pins(&LatencyEstimate, &["ask=random".into(), "device=ssd".into(), "gigabytes=10".into()]).unwrap();
        let mut q = generate(&LatencyEstimate, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&LatencyEstimate, &q).unwrap();
        q.slots[0].expected = Expected::rel(10.0, 0.05); // random at full bandwidth
        assert!(crate::family::cross_check(&LatencyEstimate, &q).is_err());
    }
}
