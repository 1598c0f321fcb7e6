//! `systems.tlb`: TLB reach, huge pages, and the hit rate of an LRU TLB on a loop over an array.
//!
//! **Asked** (`ask`):
//! - `reach`: how much memory E entries map with 4 KiB pages and with 2 MiB huge pages;
//! - `hitrate`: the TLB hit rate of a loop that sweeps an S-byte array with stride d, P times,
//!   through an E-entry fully associative LRU TLB;
//! - `huge` (hard): the same loop's TLB misses with 4 KiB pages and with 2 MiB pages.
//!
//! **Parameters.** `entries` E: 64–1024, 64–1536, 64–2048 (drawn sizes rounded down to a multiple of
//! 16, or of 64 from 256 up); `array_mib` S: 1–64; `stride` d: 64, 1024
//! or 4096 bytes (easy) up to 64–8192 (hard); `passes` P: 2–10.
//!
//! **Key.** The loop's address trace run through a real LRU TLB (`support::lru`), counting hits.
//!
//! **Second route.** Closed forms: a pass touches N = ⌈S/page⌉ pages (⌈S/d⌉ when d ≥ page), if N ≤ E only the first pass misses (N misses), otherwise LRU evicts every page
//! before its reuse and every pass misses N times.
//!
//! **Pitfalls**: TLB reach counted in entries, not bytes; a stride inside a page reuses the entry;
//! LRU with a cyclic sweep one page larger than the TLB misses every time.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::lru::Lru;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, ParamValue,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Tlb;

const SMALL: u64 = 4096;
const HUGE: u64 = 2 << 20;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "reach: memory mapped by the TLB; hitrate: LRU TLB hit rate of a sweep; huge: misses of the sweep with 4 KiB and 2 MiB pages",
        kind: ParamKind::Choice { options: &["reach", "hitrate", "huge"], draw: [&["reach", "hitrate"], &["reach", "hitrate"], &["hitrate", "huge"]] },
    },
    ParamSpec { key: "entries", help: "TLB entries", kind: ParamKind::Int { min: 4, max: 4096, draw: [(64, 1024), (64, 1536), (64, 2048)] } },
    ParamSpec { key: "array_mib", help: "hitrate, huge: array size in MiB", kind: ParamKind::Int { min: 1, max: 256, draw: [(1, 16), (1, 64), (1, 64)] } },
    ParamSpec { key: "stride", help: "hitrate, huge: bytes between accesses", kind: ParamKind::Choice { options: &["64", "256", "1024", "4096", "8192"], draw: [&["64", "1024", "4096"], &["64", "256", "1024", "4096"], &["64", "256", "1024", "4096", "8192"]] } },
    ParamSpec { key: "passes", help: "hitrate, huge: sweeps over the array", kind: ParamKind::Int { min: 1, max: 20, draw: [(2, 4), (2, 10), (2, 10)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("reach", [2, 2, 3], &["tlb"]),
    Ask::new("hitrate", [3, 4, 5], &["tlb", "lru-reuse"]),
    Ask::new("huge", [3, 4, 5], &["tlb", "huge-pages"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    entries: u64,
    bytes: u64,
    stride: u64,
    passes: u64,
    page: u64,
}

/// Hits and accesses of the sweep through an LRU TLB.
pub fn simulate(entries: u64, bytes: u64, stride: u64, passes: u64, page: u64) -> (u64, u64) {
    let pages = bytes.div_ceil(page);
    let mut tlb = Lru::new(pages, entries);
    let (mut hits, mut accesses) = (0, 0);
    for _ in 0..passes {
        let mut a = 0;
        while a < bytes {
            if tlb.access((a / page) as u32) {
                hits += 1;
            }
            accesses += 1;
            a += stride;
        }
    }
    (hits, accesses)
}

/// Distinct pages one sweep touches: every page when the stride is within a page, else one page
/// per access (strides and pages are powers of two).
fn touched(bytes: u64, stride: u64, page: u64) -> u64 {
    if stride >= page {
        bytes.div_ceil(stride)
    } else {
        bytes.div_ceil(page)
    }
}

/// The closed form: misses of the whole loop.
fn closed_misses(s: &Scenario, page: u64) -> u64 {
    let n = touched(s.bytes, s.stride, page);
    if n <= s.entries {
        n
    } else {
        n * s.passes
    }
}

impl Family for Tlb {
    fn id(&self) -> &'static str {
        "systems.tlb"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "TLB reach, huge pages and an LRU TLB"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "TLB reach with 4 KiB and 2 MiB pages; hit rate of an LRU TLB on a strided sweep, with base or huge pages",
            key: "the loop's address trace through a real LRU TLB",
            second_route: "closed forms: reach = E × page; misses N or N·P by N ≤ E",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let mut entries = cx.int("entries") as u64;
        if !cx.is_pinned("entries") {
            // Real TLBs come in round sizes (64, 1536, 2048 entries): a drawn size is rounded
            // down to a multiple of 16, or of 64 from 256 up.
            let step = if entries >= 256 { 64 } else { 16 };
            entries = entries / step * step;
            cx.adjusted("entries", ParamValue::Int(entries as i64));
        }
        if ask == "reach" {
            let small = entries * SMALL / 1024;
            let huge = entries * HUGE / (1 << 20);
            let s = Scenario { ask: ask.into(), entries, bytes: 0, stride: 0, passes: 0, page: SMALL };
            let prompt = Content::new().p(format!("A core's data TLB has **{entries}** entries. How much memory can it map at once (its reach) (a) with 4 KiB pages and (b) with 2 MiB huge pages? Answer (a) in KiB and (b) in MiB."));
            let slots = vec![
                AnswerSlot::new("reach with 4 KiB pages", Expected::Integer { value: small as i64 }).unit("KiB").exact_by_hand(),
                AnswerSlot::new("reach with 2 MiB pages", Expected::Integer { value: huge as i64 }).unit("MiB").exact_by_hand(),
            ];
            let solution = Content::new().p(format!("Reach = entries × page size: ${entries} times 4 \"KiB\" = {small}$ KiB; ${entries} times 2 \"MiB\" = {huge}$ MiB, 512 times more."));
            // Measured: sweep exactly the reach, then one page more, through the LRU TLB.
            let (h_fit, a_fit) = simulate(entries, entries * SMALL, SMALL, 2, SMALL);
            let (h_over, a_over) = simulate(entries, (entries + 1) * SMALL, SMALL, 2, SMALL);
            let evidence = Content::new().p(format!("An LRU TLB of {entries} entries, two page-by-page sweeps: over {small} KiB (the reach) {h_fit} of {a_fit} accesses hit; over one page more, {h_over} of {a_over}."));
            return Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&s)
                .followup(FollowUp::new("Why might a database or JVM ask for huge pages?", format!("An {} GiB heap needs {} entries with 4 KiB pages but {} with 2 MiB pages; random accesses over it miss the TLB far less.", 8, 8u64 << 18, 8 * 512)).point("transparent huge pages and their compaction stalls")));
        }
        let stride: u64 = cx.pick("stride").parse().unwrap_or(64);
        // At most 65,536 accesses per sweep, so a question stays fast.
        let mib = cx.int_capped("array_mib", (stride as i64 / 16).max(1)) as u64;
        let passes = cx.int("passes") as u64;
        if (mib << 20) / stride * passes > 5_000_000 {
            return Err(GenError::Params { message: format!("{mib} MiB at stride {stride} for {passes} passes is over 5 million accesses"), hint: "use a smaller array, a larger stride or fewer passes".into() });
        }
        let page = SMALL;
        let s = Scenario { ask: ask.into(), entries, bytes: mib << 20, stride, passes, page };
        let per_sweep = s.bytes.div_ceil(stride);
        let walk = |page: u64| {
            let (hits, accesses) = simulate(entries, s.bytes, stride, passes, page);
            (accesses - hits, accesses)
        };
        let explain = |page: u64, misses: u64| {
            let n = touched(s.bytes, stride, page);
            let per_page = if stride >= page { "one access per page".to_string() } else { format!("{} accesses per page", page / stride) };
            let page_text = if page == HUGE { "2 MiB" } else { "4 KiB" };
            if n <= entries {
                format!("With {page_text} pages one sweep touches {n} pages ({per_page}); {n} ≤ {entries}, so after the first sweep every page stays in the TLB and only the first touch of each page misses: **{misses}** misses.")
            } else {
                format!("With {page_text} pages one sweep touches {n} pages ({per_page}); {n} > {entries}, so LRU evicts each page before the next sweep returns to it and every sweep misses {n} times: ${n} times {passes} =$ **{misses}** misses.")
            }
        };
        if ask == "huge" {
            let (m_small, accesses) = walk(SMALL);
            let (m_huge, _) = walk(HUGE);
            let prompt = Content::new().p(format!("A loop reads one byte every **{stride}** bytes of a **{mib} MiB** array, from start to end, and repeats the sweep **{passes}** times ({accesses} reads). The data TLB is fully associative with **{entries}** entries and LRU replacement, and starts empty. How many TLB misses does the loop take (a) when the array sits on 4 KiB pages and (b) when it sits on 2 MiB huge pages (aligned)?"));
            let slots = vec![
                AnswerSlot::new("TLB misses with 4 KiB pages", Expected::Integer { value: m_small as i64 }).exact_by_hand(),
                AnswerSlot::new("TLB misses with 2 MiB pages", Expected::Integer { value: m_huge as i64 }).exact_by_hand(),
            ];
            let solution = Content::new().p(explain(SMALL, m_small)).p(explain(HUGE, m_huge));
            let evidence = Content::new().p(format!("The address trace ({accesses} accesses) run through an LRU TLB of {entries} entries: {m_small} misses with 4 KiB pages, {m_huge} with 2 MiB pages."));
            let reach_small = entries * SMALL;
            return Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&s)
                .contrast(Contrast::new("misses with base vs huge pages", m_small.to_string(), m_huge.to_string()))
                .followup(FollowUp::new("What is the TLB's reach with each page size, and how does it compare with the array?", format!("{} KiB with 4 KiB pages, {} MiB with 2 MiB pages, against a {mib} MiB array.", reach_small / 1024, entries * 2)).point("huge pages multiply TLB reach by 512"))
                .followup(FollowUp::new("What does a huge page cost?", "Internal fragmentation, and with transparent huge pages the kernel's compaction can stall allocations.").point("THP khugepaged / compaction stalls")));
        }
        let (misses, accesses) = walk(page);
        let hits = accesses - misses;
        let rate = 100.0 * hits as f64 / accesses as f64;
        let prompt = Content::new().p(format!("A loop reads one byte every **{stride}** bytes of a **{mib} MiB** array, from start to end, and repeats the sweep **{passes}** times. The array sits on 4 KiB pages. The data TLB is fully associative with **{entries}** entries and LRU replacement, and starts empty. What percentage of the accesses hit in the TLB?"));
        let slot = AnswerSlot::new("TLB hit rate", Expected::sig(rate, 3)).unit("%").exact_by_hand();
        let solution = Content::new().p(format!("{per_sweep} accesses per sweep, {accesses} in all. {}", explain(SMALL, misses))).p(format!("Hit rate = $1 - {misses} / {accesses}$ = **{}%**.", fmt_sig(rate, 3)));
        let evidence = Content::new().p(format!("The address trace ({accesses} accesses) run through an LRU TLB of {entries} entries: {hits} hits."));
        let (oh, oa) = simulate(entries, s.bytes, stride, passes, HUGE);
        let other_rate = 100.0 * oh as f64 / oa as f64;
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s)
            .followup(FollowUp::new("And with 2 MiB huge pages?", format!("{}% ({} pages per sweep).", fmt_sig(other_rate, 3), touched(s.bytes, stride, HUGE))).point("huge pages multiply TLB reach by 512"))
            .followup(FollowUp::new("What is the TLB's reach here, and the smallest array that misses on every sweep?", format!("{} KiB; an array of more than {entries} pages touched, so over {} KiB at this stride.", entries * 4, if stride >= SMALL { entries * stride / 1024 } else { entries * 4 })).point("a cyclic sweep one page larger than an LRU TLB misses every time")))
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.expected(0) {
            Ok(Expected::Real { value, .. }) if *value > 99.5 || *value < 1.0 => vec![format!("a hit rate of {value}% is too close to 0 or 100")],
            _ => vec![],
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if s.ask == "reach" {
            CheckError::expect_eq("4 KiB reach", q.expected_integer(0)?, s.entries as i64 * 4)?;
            return CheckError::expect_eq("2 MiB reach", q.expected_integer(1)?, s.entries as i64 * 2);
        }
        if s.ask == "huge" {
            CheckError::expect_eq("misses with 4 KiB pages", q.expected_integer(0)?, closed_misses(&s, SMALL) as i64)?;
            return CheckError::expect_eq("misses with 2 MiB pages", q.expected_integer(1)?, closed_misses(&s, HUGE) as i64);
        }
        let accesses = s.bytes.div_ceil(s.stride) * s.passes;
        let want = 100.0 * (1.0 - closed_misses(&s, SMALL) as f64 / accesses as f64);
        let key = q.expected_real(0)?;
        if (key - want).abs() <= 1e-9 * want { Ok(()) } else { Err(CheckError(format!("key {key}%, closed form {want}%"))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Tlb, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // Hand counts: 64 entries × 4 KiB = 256 KiB of reach. A 1 MiB array (256 pages) swept
        // 4 times with a 64-byte stride: 64 accesses per page, every first touch misses each
        // sweep (256 > 64): 1 − 1/64 = 98.4375% hits.
        let (h, a) = simulate(64, 1 << 20, 64, 4, SMALL);
        assert_eq!((h, a), (4 * 16384 - 4 * 256, 4 * 16384));
        // The same array on one 2 MiB page: one miss in 65,536 accesses.
        assert_eq!(simulate(64, 1 << 20, 64, 4, HUGE), (65_535, 65_536));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Tlb, &["ask=reach".into(), "entries=1536".into()]).unwrap();
        let q = generate(&Tlb, 1, Difficulty::Medium, &pins).unwrap();
        // Skylake's 1536-entry L2 TLB: 6 MiB with 4 KiB pages, 3 GiB with 2 MiB pages.
        assert_eq!(q.slots[0].expected.reference(), "6144");
        assert_eq!(q.slots[1].expected.reference(), "3072");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["reach", "hitrate", "huge"] {
            let pins = parse_pins(&Tlb, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Tlb, 2, Difficulty::Hard, &pins).unwrap();
            cross_check(&Tlb, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                Expected::Real { value, .. } => Expected::sig(value * 0.9, 3),
                e => e.clone(),
            };
            assert!(cross_check(&Tlb, &q).is_err(), "{ask}");
        }
    }
}
