//! `systems.page_table`: multi-level page tables: how many levels a walk takes, what a TLB miss
//! costs, and how much memory the tables take.
//!
//! **Asked** (`ask`):
//! - `levels`: levels of a radix page table for v-bit virtual addresses, page size P and
//!   8-byte entries (x86-64: 48 bits, 4 KiB → 4; 57 bits → 5);
//! - `miss_cost`: the average translation cost per memory access, from the TLB hit rate and a
//!   walk of one memory reference per level (Jeff Dean's 100 ns per main-memory reference);
//! - `table_kib`: the page-table memory needed to map a contiguous region of S MiB.
//!
//! **Parameters.** `va_bits` 39, 48 or 57; `page_kib` 4, 16 or 64; `hit_pct` 90–99.9;
//! `region_mib` 16–1024.
//!
//! **Key.** A real radix page table: the region's pages (or one address) are mapped into it,
//! table pages allocated on demand; a translation walks it and counts the table pages read.
//!
//! **Second route.** Closed forms: levels = ⌈(v − log₂P)/log₂(P/8)⌉; table pages per level
//! ⌈S/(P·E^i)⌉ with E = P/8 entries per table.
//!
//! **Pitfalls**: counting the offset bits as an index; forgetting that each table is itself a
//! page of P/8 entries; a TLB miss costs one memory reference per level, not one.

use super::constants::{latency_ns, LATENCY};
use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The family.
pub struct PageTable;

const PTE: u64 = 8;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "levels: walk levels; miss_cost: ns per access for translation; table_kib: page-table memory for a region",
        kind: ParamKind::Choice { options: &["levels", "miss_cost", "table_kib"], draw: [&["levels", "miss_cost"], &["levels", "miss_cost", "table_kib"], &["miss_cost", "table_kib"]] },
    },
    ParamSpec { key: "va_bits", help: "virtual address bits", kind: ParamKind::Choice { options: &["39", "48", "57"], draw: [&["48"], &["39", "48", "57"], &["39", "48", "57"]] } },
    ParamSpec { key: "page_kib", help: "page size in KiB", kind: ParamKind::Choice { options: &["4", "16", "64"], draw: [&["4"], &["4", "16", "64"], &["4", "16", "64"]] } },
    ParamSpec { key: "hit_pct", help: "miss_cost: TLB hit rate, percent", kind: ParamKind::Real { min: 50.0, max: 99.9, step: 0.1, draw: [(90.0, 99.0), (95.0, 99.9), (95.0, 99.9)] } },
    ParamSpec { key: "region_mib", help: "table_kib: size of the mapped region in MiB", kind: ParamKind::Int { min: 1, max: 4096, draw: [(16, 256), (16, 1024), (16, 1024)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("levels", [2, 3, 4], &["page-table-walk"]),
    Ask::new("miss_cost", [3, 4, 5], &["page-table-walk", "tlb"]),
    Ask::new("table_kib", [4, 5, 6], &["page-table-walk"]),
];

/// A radix page table: table pages allocated on demand, identified by (level, prefix).
pub struct RadixTable {
    va_bits: u32,
    offset_bits: u32,
    index_bits: u32,
    tables: BTreeSet<(u32, u64)>,
}

impl RadixTable {
    /// An empty table (the root allocated) for `va_bits`-bit addresses and `page`-byte pages.
    pub fn new(va_bits: u32, page: u64) -> RadixTable {
        let offset_bits = page.trailing_zeros();
        let index_bits = (page / PTE).trailing_zeros();
        let mut t = RadixTable { va_bits, offset_bits, index_bits, tables: BTreeSet::new() };
        t.tables.insert((0, 0));
        t
    }

    /// Walks from the root towards `va`, allocating missing tables; returns the tables read.
    pub fn map(&mut self, va: u64) -> u32 {
        let mut consumed = self.offset_bits;
        // Index widths from the leaf level up: the top level takes what is left.
        let mut widths = Vec::new();
        while consumed < self.va_bits {
            let w = self.index_bits.min(self.va_bits - consumed);
            widths.push(w);
            consumed += w;
        }
        let mut level = 0;
        let mut prefix_bits = self.va_bits;
        for w in widths.iter().rev() {
            let prefix = if prefix_bits >= 64 { 0 } else { va >> prefix_bits };
            self.tables.insert((level, prefix));
            prefix_bits -= w;
            level += 1;
        }
        level
    }

    /// Table pages allocated so far.
    pub fn tables(&self) -> usize {
        self.tables.len()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    va_bits: u32,
    page: u64,
    levels: u32,
    hit: Option<f64>,
    region_mib: Option<u64>,
    tables: Option<usize>,
}

impl Family for PageTable {
    fn id(&self) -> &'static str {
        "systems.page_table"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Page tables: walk levels, TLB-miss cost and table memory"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "levels of a radix page table, translation cost per access from the TLB hit rate, page-table memory for a region",
            key: "a real radix page table, mapped and walked",
            second_route: "closed forms ⌈(v − log₂P)/log₂(P/8)⌉ and ⌈S/(P·E^i)⌉",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let va_bits: u32 = cx.pick("va_bits").parse().unwrap_or(48);
        let page_kib: u64 = cx.pick("page_kib").parse().unwrap_or(4);
        let page = page_kib * 1024;
        let mut t = RadixTable::new(va_bits, page);
        let probe: u64 = rand::Rng::random_range(cx.rng(), 0..(1u64 << va_bits.min(63)));
        let levels = t.map(probe & !(page - 1));
        let entries = page / PTE;
        let setting = format!("A CPU translates **{va_bits}-bit** virtual addresses with a radix page table. Pages are **{page_kib} KiB**; every table is one page of 8-byte entries ({entries} entries).");
        let mut s = Scenario { ask: ask.into(), va_bits, page, levels, hit: None, region_mib: None, tables: None };
        let (prompt, slot, solution) = match ask {
            "levels" => (
                Content::new().p(setting).p("How many levels does a page-table walk go through?"),
                AnswerSlot::new("levels", Expected::Integer { value: levels as i64 }).exact_by_hand(),
                Content::new().p(format!("The page offset takes $log_2 {page} = {}$ bits, leaving {} bits of page number; each level indexes {} entries, $log_2 {entries} = {}$ bits. $ceil({} / {}) = {levels}$ levels.", page.trailing_zeros(), va_bits - page.trailing_zeros(), entries, entries.trailing_zeros(), va_bits - page.trailing_zeros(), entries.trailing_zeros())),
            ),
            "miss_cost" => {
                let hit = cx.real("hit_pct");
                s.hit = Some(hit);
                let mem = latency_ns("memory");
                let cost = (1.0 - hit / 100.0) * levels as f64 * mem;
                (
                    Content::new().p(setting).p(format!("The TLB hits on **{}%** of accesses, at no extra cost. A miss walks the whole table, one main-memory reference per level at **{} ns** each (no page-walk caches). What is the average translation overhead per memory access?", num(hit), num(mem))),
                    AnswerSlot::new("overhead per access", Expected::sig(cost, 3)).unit("ns").exact_by_hand(),
                    Content::new().p(format!("{levels} levels (offset {} bits, {} bits per level). Overhead = $(1 - {}) times {levels} times {} = {}$ ns.", page.trailing_zeros(), entries.trailing_zeros(), num(hit / 100.0), num(mem), fmt_sig(cost, 3))),
                )
            }
            _ => {
                let mib = cx.int("region_mib") as u64;
                s.region_mib = Some(mib);
                let bytes = mib << 20;
                let base: u64 = (1u64 << (va_bits - 2)) & !((1u64 << 30) - 1);
                let mut t = RadixTable::new(va_bits, page);
                let mut a = base;
                while a < base + bytes {
                    t.map(a);
                    a += page;
                }
                s.tables = Some(t.tables());
                let kib = (t.tables() as u64 * page) as f64 / 1024.0;
                let mut hand = 0.0;
                let mut pages = (bytes / page) as f64;
                for _ in 0..levels {
                    pages = (pages / entries as f64).ceil();
                    hand += pages;
                }
                (
                    Content::new().p(setting).p(format!("A process maps one contiguous, aligned region of **{mib} MiB** (starting on a 1 GiB boundary) and touches every page of it; nothing else is mapped. How much memory do its page tables take, in KiB?")),
                    AnswerSlot::new("page-table memory", Expected::sig(kib, 3)).unit("KiB").by_hand("⌈S/(P·E)⌉ leaf tables, then ⌈·/E⌉ per level up to the root", hand * page as f64 / 1024.0),
                    Content::new().p(format!("{} pages need {} leaf tables of {entries} entries; each level above needs ⌈·/{entries}⌉ tables, up to one root: {} tables of {page_kib} KiB = **{} KiB**.", bytes / page, (bytes / page).div_ceil(entries), t.tables(), num(kib))),
                )
            }
        };
        let evidence = Content::new().p(format!("A radix page table was built and walked: translating `{:#x}` read {levels} table pages.{}", probe & !(page - 1), s.tables.map_or(String::new(), |n| format!(" Mapping the region page by page allocated {n} table pages.")))).p(format!("Latency assumed (Jeff Dean's numbers): {}.", LATENCY.iter().filter(|l| l.id == "memory").map(|l| format!("{} {} ns", l.what, num(l.ns))).collect::<Vec<_>>().join(", ")));
        let q = Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s)
            .followup(FollowUp::new("What do 2 MiB huge pages do to the walk?", format!("With 4 KiB base tables, a 2 MiB page ends the walk one level early ({} levels instead of {}) and one TLB entry covers 512 times as much memory.", levels.saturating_sub(1), levels)).point("fewer levels and more TLB reach"))
            .followup(FollowUp::new("Why did x86-64 add a fifth level?", "48-bit addresses with 4 KiB pages cap virtual memory at 256 TiB; 57 bits (5 levels) reach 128 PiB, at the price of one more reference per walk.".to_string()));
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let off = (s.page as f64).log2();
        let per = (s.page as f64 / PTE as f64).log2();
        let levels = ((s.va_bits as f64 - off) / per).ceil() as u32;
        CheckError::expect_eq("levels", s.levels, levels)?;
        match s.ask.as_str() {
            "levels" => CheckError::expect_eq("levels", q.expected_integer(0)?, levels as i64),
            "miss_cost" => {
                let want = (1.0 - s.hit.unwrap_or(0.0) / 100.0) * levels as f64 * 100.0;
                let key = q.expected_real(0)?;
                if (key - want).abs() <= 1e-9 * want.max(1.0) { Ok(()) } else { Err(CheckError(format!("key {key} ns, closed form {want} ns"))) }
            }
            _ => {
                let e = s.page / PTE;
                let mut x = (s.region_mib.unwrap_or(0) << 20) / s.page;
                let mut total = 0u64;
                for _ in 0..levels {
                    x = x.div_ceil(e);
                    total += x;
                }
                CheckError::expect_eq("table pages", s.tables.unwrap_or(0) as u64, total)?;
                CheckError::expect_eq("KiB", q.expected_real(0)?, (total * s.page) as f64 / 1024.0)
            }
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
        stress(&PageTable, 0..30).unwrap();
    }

    #[test]
    fn x86_64_levels() {
        // Intel SDM vol. 3A §4.5: 4-level paging for 48-bit addresses, 5-level for 57-bit; with
        // 4 KiB pages. Sv39 (RISC-V privileged spec §4.4): 3 levels for 39 bits.
        for (bits, want) in [(48, 4), (57, 5), (39, 3)] {
            assert_eq!(RadixTable::new(bits, 4096).map(0x1234_5000 & ((1 << bits) - 1)), want);
        }
        // ARM64 with 64 KiB pages and 48 bits: 3 levels (13-bit indices, 16-bit offset).
        assert_eq!(RadixTable::new(48, 65536).map(0), 3);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&PageTable, &["ask=table_kib".into(), "va_bits=48".into(), "page_kib=4".into(), "region_mib=1024".into()]).unwrap();
        let q = generate(&PageTable, 1, Difficulty::Medium, &pins).unwrap();
        // 1 GiB = 262,144 pages: 512 leaf tables, 1 directory, 1 + 1 above: 515 tables = 2060 KiB.
        assert_eq!(q.slots[0].expected.reference(), "2060");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["levels", "miss_cost", "table_kib"] {
            let pins = parse_pins(&PageTable, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&PageTable, 2, Difficulty::Hard, &pins).unwrap();
            cross_check(&PageTable, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                Expected::Real { value, .. } => Expected::sig(value * 1.5, 3),
                e => e.clone(),
            };
            assert!(cross_check(&PageTable, &q).is_err(), "{ask}");
        }
    }
}
