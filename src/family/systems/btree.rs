//! `systems.btree`: the shape of a B+-tree index from its page size: height, leaf pages, and
//! pages read from disk per lookup with the top levels cached.
//!
//! **Asked** (`ask`):
//! - `height`: levels after inserting n keys;
//! - `leaves`: leaf pages after inserting n keys (to 2 significant figures);
//! - `lookup_io`: pages read from disk by one point lookup when a buffer pool of M pages holds
//!   the top of the tree.
//!
//! **Parameters.** `page_bytes` 512–4096 (an internal entry is an 8-byte key plus an 8-byte page
//! pointer, so fan-out f = page/16); `record_bytes` 16–128 (leaf capacity L = page/record);
//! `keys` n: easy 1,000–20,000, medium 10,000–100,000, hard 20,000–100,000; `inserts`:
//! `ascending` (textbook half splits), `append` (ascending with the append split real engines
//! use), `random` (hard only: measured fill); `cache_pages` M (lookup_io).
//!
//! **Key.** The n keys are inserted into a real B+-tree ([`super::bptree`]) and its levels
//! counted; lookups are run and their page reads counted.
//!
//! **Second route.** The ⌈log_f⌉ bounds: the height lies between the all-full height
//! ⌈log_f ⌈n/L⌉⌉ + 1 and the half-full one; for ascending and append inserts an exact
//! arithmetic count of the nodes per level (no tree built). (A comparison with SQLite's own
//! B-tree through `dbstat` is on branch `i20-engines-wip`, not yet part of the suite.)
//!
//! **Pitfalls**: using the leaf capacity as the fan-out; forgetting that half splits leave nodes
//! half full; counting the cached levels as disk reads.

use super::bptree::{BPlusTree, Split};
use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand::seq::{IndexedRandom, SliceRandom};
use serde::{Deserialize, Serialize};

/// The family.
pub struct BTree;

/// Bytes of one internal entry: an 8-byte key and an 8-byte child page number.
const ENTRY: u64 = 16;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "height: levels; leaves: leaf pages; lookup_io: disk pages per lookup with a cache",
        kind: ParamKind::Choice {
            options: &["height", "leaves", "lookup_io"],
            draw: [&["height", "leaves"], &["height", "leaves", "lookup_io"], &["height", "leaves", "lookup_io"]],
        },
    },
    ParamSpec {
        key: "inserts",
        help: "ascending (textbook half splits), append (ascending, engines' append split) or random order",
        kind: ParamKind::Choice {
            options: &["ascending", "append", "random"],
            draw: [&["ascending", "append"], &["ascending", "append"], &["ascending", "append", "random"]],
        },
    },
    ParamSpec {
        key: "page_bytes",
        help: "page size in bytes (fan-out = page / 16)",
        kind: ParamKind::Choice { options: &["256", "512", "1024", "2048", "4096"], draw: [&["512", "1024"], &["512", "1024", "2048"], &["512", "1024", "2048", "4096"]] },
    },
    ParamSpec {
        key: "record_bytes",
        help: "bytes per leaf record (key and value)",
        kind: ParamKind::Int { min: 16, max: 1024, draw: [(16, 64), (16, 128), (16, 128)] },
    },
    ParamSpec {
        key: "keys",
        help: "keys inserted",
        kind: ParamKind::Int { min: 1, max: 200_000, draw: [(1000, 20_000), (10_000, 100_000), (20_000, 100_000)] },
    },
    ParamSpec {
        key: "cache_pages",
        help: "lookup_io: pages of the tree the buffer pool holds (it keeps the top levels)",
        kind: ParamKind::Int { min: 1, max: 100_000, draw: [(1, 200), (1, 200), (1, 2000)] },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("height", [3, 4, 6], &["b-tree-shape"]),
    Ask::new("leaves", [3, 4, 6], &["b-tree-shape"]),
    Ask::new("lookup_io", [4, 5, 7], &["b-tree-shape", "buffer-pool"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    inserts: String,
    fanout: u64,
    leaf_cap: u64,
    n: u64,
    cache: Option<u64>,
    /// Measured nodes per level, root first.
    levels: Vec<usize>,
}

/// Nodes per level, leaves first, for ascending inserts, by arithmetic alone: at each level the
/// current (rightmost) node splits whenever it holds cap + 1 entries, leaving behind a node of
/// `kept` entries and carrying the rest on.
pub fn ascending_levels(n: u64, leaf_cap: u64, fanout: u64, append: bool) -> Vec<u64> {
    let count = |x: u64, cap: u64| -> u64 {
        if x <= cap {
            return 1;
        }
        if append {
            // Every finished node is full; the last holds the rest.
            x.div_ceil(cap)
        } else {
            // Finished nodes keep ⌈(cap + 1)/2⌉; the first split happens at cap + 1 entries.
            let kept = (cap + 1).div_ceil(2);
            2 + (x - (cap + 1)) / kept
        }
    };
    let mut out = vec![count(n, leaf_cap)];
    while *out.last().unwrap_or(&1) > 1 {
        let below = *out.last().unwrap_or(&1);
        out.push(count(below, fanout));
    }
    out
}

/// Levels the buffer pool holds: whole levels from the root while they fit in `cache` pages.
fn cached_levels(levels: &[usize], cache: u64) -> usize {
    let mut used = 0u64;
    let mut k = 0;
    for l in levels {
        if used + *l as u64 > cache {
            break;
        }
        used += *l as u64;
        k += 1;
    }
    k
}

impl Family for BTree {
    fn id(&self) -> &'static str {
        "systems.btree"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "B+-tree height, leaves and pages read per lookup"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "height, leaf pages, or disk pages per lookup with the top levels cached, of a B+-tree from page size, record size and n keys (ascending, append or random inserts)",
            key: "the keys inserted into a real B+-tree; levels counted and lookups run",
            second_route: "⌈log_f⌉ bounds on the height; an exact per-level count for ascending inserts",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let inserts = cx.pick("inserts");
        let page: u64 = cx.pick("page_bytes").parse().unwrap_or(1024);
        let record = cx.int("record_bytes") as u64;
        let n = cx.int("keys") as u64;
        let cache = if ask == "lookup_io" { Some(cx.int("cache_pages") as u64) } else { None };
        let fanout = page / ENTRY;
        let leaf_cap = page / record;
        if leaf_cap < 2 {
            return Err(GenError::Params { message: format!("a {page}-byte page holds fewer than 2 records of {record} bytes"), hint: "make record_bytes at most half of page_bytes".into() });
        }
        let split = if inserts == "append" { Split::Append } else { Split::Half };
        let mut keys: Vec<u64> = (1..=n).collect();
        if inserts == "random" {
            keys.shuffle(&mut cx.sim_rng("order"));
        }
        let mut tree = BPlusTree::new(fanout as usize, leaf_cap as usize, split);
        for k in &keys {
            tree.insert(*k * 10);
        }
        let levels = tree.levels();
        let height = levels.len();
        let leaves = *levels.last().unwrap_or(&1);
        // Lookups, run: every probe reads one page per level.
        let mut probe = cx.sim_rng("probes");
        let reads: Vec<usize> = (0..8).map(|_| tree.lookup(*keys.choose(&mut probe).unwrap_or(&1) * 10).1).collect();
        let how = match inserts {
            "ascending" => "in ascending order; a full node splits in half (the textbook rule)",
            "append" => "in ascending order; the engine detects appends at the right edge, so a full rightmost node stays full and the new key starts a new node (as SQLite, PostgreSQL and InnoDB do)",
            _ => "in random order; a full node splits in half",
        };
        let mut prompt = Content::new().p(format!(
            "An index is a B+-tree on **{page}-byte** pages. An internal node holds 16-byte entries (an 8-byte key and an 8-byte child page number), so up to **{fanout}** children; a leaf holds records of **{record} bytes**, so up to **{leaf_cap}** keys. **{n}** distinct keys are inserted into an empty tree {how}."
        ));
        // The by-hand route: keys per leaf and children per node as the insert order leaves them.
        let (leaf_keep, node_keep) = match inserts {
            "append" => (leaf_cap as f64, fanout as f64),
            "ascending" => ((leaf_cap + 1).div_ceil(2) as f64, (fanout + 1).div_ceil(2) as f64),
            _ => (leaf_cap as f64 * std::f64::consts::LN_2, fanout as f64 * std::f64::consts::LN_2),
        };
        let hand: Vec<f64> = {
            let mut out = vec![(n as f64 / leaf_keep).ceil().max(1.0)];
            while *out.last().unwrap_or(&1.0) > 1.0 {
                let x = *out.last().unwrap_or(&1.0);
                out.push((x / node_keep).ceil());
            }
            out
        };
        let keep_text = match inserts {
            "append" => "full nodes".to_string(),
            "ascending" => format!("each finished leaf keeps ⌈(L + 1)/2⌉ = {} keys and each finished node ⌈(f + 1)/2⌉ = {} children", leaf_keep, node_keep),
            _ => "random inserts leave nodes about ln 2 ≈ 69% full".to_string(),
        };
        let slot = match ask {
            "height" => {
                prompt = prompt.p("How many levels does the tree have (a leaf-only tree has 1)?");
                AnswerSlot::new("levels", Expected::Integer { value: height as i64 }).by_hand(format!("divide level by level: {keep_text}"), hand.len() as f64)
            }
            "leaves" => {
                let expected = if inserts == "random" { Expected::rel(leaves as f64, 0.1) } else { Expected::sig(leaves as f64, 2) };
                prompt = prompt.p(format!("How many leaf pages does it have? Give {}.", if inserts == "random" { "an estimate within 10%" } else { "2 significant figures" }));
                AnswerSlot::new("leaf pages", expected).by_hand(format!("n divided by the keys per leaf: {keep_text}"), n as f64 / leaf_keep)
            }
            _ => {
                let c = cache.unwrap_or(0);
                let k = cached_levels(&levels, c);
                prompt = prompt.p(format!("The buffer pool keeps the top of the tree in memory: whole levels from the root down, as many as fit in **{c}** pages. How many pages does one point lookup read from disk?"));
                let hk = cached_levels(&hand.iter().rev().map(|x| *x as usize).collect::<Vec<_>>(), c);
                AnswerSlot::new("pages from disk", Expected::Integer { value: (height - k) as i64 }).by_hand("level sizes at the fill, top levels that fit subtracted", (hand.len() - hk) as f64)
            }
        };
        let per_level: Vec<Vec<String>> = levels.iter().enumerate().map(|(i, c)| vec![if i + 1 == levels.len() { "leaves".into() } else { format!("level {}", i + 1) }, c.to_string()]).collect();
        let solution = Content::new()
            .p(format!("By hand ({keep_text}): {n} keys at {} keys per leaf → about {} leaves; each level above has about 1/{} as many nodes, up to a single root: {} levels.", fmt_sig(leaf_keep, 3), fmt_sig(hand[0], 3), fmt_sig(node_keep, 3), hand.len()))
            .p(format!("Measured: {} levels, {leaves} leaves (average leaf fill {:.0}%).", height, tree.leaf_fill() * 100.0))
            .table(["level", "nodes"], per_level.clone());
        let evidence = Content::new()
            .p(format!("The keys were inserted into a B+-tree (fan-out {fanout}, leaf capacity {leaf_cap}); nodes per level, root first:"))
            .table(["level", "nodes"], per_level)
            .p(format!("8 point lookups read {:?} pages each.", reads));
        let other = if inserts == "append" { "ascending" } else { "append" };
        let other_levels = ascending_levels(n, leaf_cap, fanout, other == "append");
        let mut q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { ask: ask.into(), inserts: inserts.into(), fanout, leaf_cap, n, cache, levels: levels.clone() })
            .followup(FollowUp::new(format!("How would the tree look with {} inserts instead?", if other == "append" { "append-optimised" } else { "textbook half-split" }), format!("{} levels and {} leaves (ascending keys).", other_levels.len(), other_levels[0])).point("fill factor decides height at the margins"))
            .followup(FollowUp::new("Why does a database keep a B+-tree's fan-out high?", format!("Each level is a page read; with fan-out {fanout}, {} levels index {n} keys. Wider keys (say 64 bytes) would cut the fan-out to {} and could add a level.", height, page / 72)).point("prefix compression and small keys keep the tree shallow"));
        if ask == "lookup_io" {
            q = q.contrast(Contrast::new("cached vs uncached reads", height, height - cached_levels(&levels, cache.unwrap_or(0))));
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (f, l, n) = (s.fanout as f64, s.leaf_cap as f64, s.n as f64);
        let h = s.levels.len() as i64;
        // Bounds: all nodes full gives the fewest levels; every non-root node at its minimum
        // (⌈L/2⌉ keys, ⌈f/2⌉ children) gives the most.
        let full = 1 + if n <= l { 0 } else { ((n / l).ceil().ln() / f.ln() - 1e-9).ceil() as i64 };
        let half_leaves = (n / (l / 2.0).ceil()).floor().max(1.0);
        let most = 1 + if n <= l { 0 } else { 1 + ((half_leaves / 2.0).max(1.0).ln() / (f / 2.0).ceil().ln() + 1e-9).floor() as i64 };
        if h < full || h > most {
            return Err(CheckError(format!("height {h} outside the bounds {full}..={most}")));
        }
        if s.inserts != "random" {
            let exact: Vec<u64> = ascending_levels(s.n, s.leaf_cap, s.fanout, s.inserts == "append").into_iter().rev().collect();
            let measured: Vec<u64> = s.levels.iter().map(|x| *x as u64).collect();
            CheckError::expect_eq("nodes per level", measured, exact)?;
        }
        let leaves = *s.levels.last().unwrap_or(&1) as f64;
        match s.ask.as_str() {
            "height" => CheckError::expect_eq("levels", q.expected_integer(0)?, h),
            "leaves" => CheckError::expect_eq("leaves", q.expected_real(0)?, leaves),
            _ => {
                // Disk reads: levels minus the cached ones, counted top-down independently.
                let mut budget = s.cache.unwrap_or(0) as i64;
                let mut disk = 0;
                for lv in &s.levels {
                    budget -= *lv as i64;
                    if budget < 0 {
                        disk += 1;
                    }
                }
                CheckError::expect_eq("pages from disk", q.expected_integer(0)?, disk)
            }
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(s) = q.scenario::<Scenario>() {
            if s.levels.len() < 2 {
                out.push("a single-leaf tree".into());
            }
            if s.ask == "lookup_io" {
                let leaves = *s.levels.last().unwrap_or(&1) as u64;
                if s.cache.unwrap_or(0) >= s.levels.iter().map(|x| *x as u64).sum::<u64>() - leaves {
                    out.push("the cache holds every internal level: the answer is trivially 1".into());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&BTree, 0..30).unwrap();
    }

    #[test]
    fn arithmetic_matches_the_tree() {
        for (n, l, f) in [(1u64, 4u64, 5u64), (5, 4, 5), (100, 4, 5), (1234, 7, 3), (20_000, 32, 64)] {
            for (split, append) in [(Split::Half, false), (Split::Append, true)] {
                let mut t = BPlusTree::new(f as usize, l as usize, split);
                for k in 0..n {
                    t.insert(k);
                }
                let measured: Vec<u64> = t.levels().into_iter().rev().map(|x| x as u64).collect();
                assert_eq!(measured, ascending_levels(n, l, f, append), "n={n} L={l} f={f} {split:?}");
            }
        }
    }

    #[test]
    fn hand_traced_small_tree() {
        // Hand trace: L = 4, textbook splits, keys 1..=9: [1 2 3 4] + 5 → [1 2 3] [4 5]; 6, 7 →
        // [4 5 6 7], + 8 → [4 5 6] [7 8], + 9 → [7 8 9]. Three leaves, one root: 2 levels.
        assert_eq!(ascending_levels(9, 4, 5, false), vec![3, 1]);
        // With the append split: [1 2 3 4] [5 6 7 8] [9].
        assert_eq!(ascending_levels(9, 4, 5, true), vec![3, 1]);
        assert_eq!(ascending_levels(12, 4, 5, false), vec![4, 1]);
        assert_eq!(ascending_levels(12, 4, 5, true), vec![3, 1]);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&BTree, &["ask=height".into(), "inserts=append".into(), "page_bytes=1024".into(), "record_bytes=32".into(), "keys=100000".into()]).unwrap();
        let q = generate(&BTree, 1, Difficulty::Medium, &pins).unwrap();
        // f = 64, L = 32: 3125 leaves → 49 → 1: 3 levels.
        assert_eq!(q.slots[0].expected.reference(), "3");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["height", "leaves", "lookup_io"] {
            let pins = parse_pins(&BTree, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&BTree, 3, Difficulty::Hard, &pins).unwrap();
            cross_check(&BTree, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Real { value, tolerance } => Expected::Real { value: value + 1.0, tolerance: *tolerance },
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                e => e.clone(),
            };
            assert!(cross_check(&BTree, &q).is_err(), "{ask}");
        }
    }
}
