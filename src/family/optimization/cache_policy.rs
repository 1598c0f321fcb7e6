//! `optimization.cache_policy`: hits of a small cache under LRU, FIFO and Belady's OPT.
//!
//! **Asked**: a short access sequence of page names and a cache of capacity c. (a) the number of
//! hits under the drawn `policy` (`lru`, `fifo` or `opt`); at hard, for LRU and FIFO, (b) the
//! pages in the cache at the end, in alphabetical order.
//!
//! **Parameters.** `capacity`: easy 2–3, medium 3, hard 3–4; `length` of the sequence: easy
//! 8–10, medium 10–14, hard 14–18; `pages` (distinct names A, B, …): easy 4–5, medium 5–6, hard 6–7.
//! The sequence has locality (each access re-uses one of the last few pages with probability 0.35)
//! and is re-drawn until the cache must evict at least twice.
//!
//! **Key.** Simulation: LRU with last-use stamps, FIFO with a queue, OPT evicting the resident
//! page whose next use is farthest (never again counts as farthest; ties go to the alphabetically
//! first page, as the solution states).
//!
//! **Second route.** An independent, naive implementation: LRU and FIFO re-derive the victim by
//! scanning the access history; OPT's hit count comes from an exhaustive dynamic programme over
//! every possible eviction choice (so it does not depend on the tie rule). Plus the invariant
//! OPT ≥ LRU and OPT ≥ FIFO on the same sequence.
//!
//! **Pitfalls**: counting the first (cold) accesses as hits; LRU updating recency on insert only;
//! FIFO refreshing a page's position on a hit.

use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// The family.
pub struct CachePolicy;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "policy",
        help: "the replacement policy asked about: lru, fifo or opt (Belady)",
        kind: ParamKind::Choice {
            options: &["lru", "fifo", "opt"],
            draw: [&["lru", "fifo"], &["lru", "fifo", "opt"], &["lru", "fifo", "opt"]],
        },
    },
    ParamSpec {
        key: "capacity",
        help: "cache capacity in pages",
        kind: ParamKind::Int {
            min: 1,
            max: 8,
            draw: [(2, 3), (3, 3), (3, 4)],
        },
    },
    ParamSpec {
        key: "length",
        help: "number of accesses",
        kind: ParamKind::Int {
            min: 4,
            max: 40,
            draw: [(8, 10), (10, 14), (14, 18)],
        },
    },
    ParamSpec {
        key: "pages",
        help: "number of distinct pages (named A, B, …)",
        kind: ParamKind::Int {
            min: 2,
            max: 10,
            draw: [(4, 5), (5, 6), (6, 7)],
        },
    },
];

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    policy: String,
    capacity: usize,
    accesses: Vec<u8>,
    ask_final: bool,
}

/// One step of a simulation, for the solution's table.
#[derive(Debug, Clone)]
struct Step {
    hit: bool,
    evicted: Option<u8>,
    /// Resident pages after the access, sorted.
    after: Vec<u8>,
}

fn name(p: u8) -> char {
    (b'A' + p) as char
}

/// The efficient simulation of `policy`; returns the steps.
fn simulate(policy: &str, capacity: usize, accesses: &[u8]) -> Vec<Step> {
    let mut steps = Vec::with_capacity(accesses.len());
    // Next use of the access at each position (for OPT), by one backward scan.
    let mut next_use = vec![usize::MAX; accesses.len()];
    let mut last: BTreeMap<u8, usize> = BTreeMap::new();
    for (i, &p) in accesses.iter().enumerate().rev() {
        next_use[i] = last.get(&p).copied().unwrap_or(usize::MAX);
        last.insert(p, i);
    }
    // resident page → (last use, insertion time, next use)
    let mut resident: BTreeMap<u8, (usize, usize, usize)> = BTreeMap::new();
    for (i, &p) in accesses.iter().enumerate() {
        let mut evicted = None;
        let hit = resident.contains_key(&p);
        if let Some(e) = resident.get_mut(&p) {
            e.0 = i;
            e.2 = next_use[i];
        } else {
            if resident.len() == capacity {
                // BTreeMap iterates alphabetically, so `max_by_key`/`min_by_key` ties resolve to the
                // first page only if we compare with the page as a secondary key.
                let victim = match policy {
                    "lru" => resident.iter().min_by_key(|(q, e)| (e.0, **q)),
                    "fifo" => resident.iter().min_by_key(|(q, e)| (e.1, **q)),
                    _ => resident
                        .iter()
                        .max_by_key(|(q, e)| (e.2, std::cmp::Reverse(**q))),
                }
                .map(|(q, _)| *q);
                if let Some(v) = victim {
                    resident.remove(&v);
                    evicted = Some(v);
                }
            }
            resident.insert(p, (i, i, next_use[i]));
        }
        steps.push(Step {
            hit,
            evicted,
            after: resident.keys().copied().collect(),
        });
    }
    steps
}

/// Naive LRU/FIFO: keep only the resident set; find each victim by scanning the history.
fn naive(policy: &str, capacity: usize, accesses: &[u8]) -> (usize, Vec<u8>) {
    let mut cache: Vec<u8> = Vec::new();
    let mut hits = 0;
    for i in 0..accesses.len() {
        let p = accesses[i];
        if cache.contains(&p) {
            hits += 1;
            continue;
        }
        if cache.len() == capacity {
            // For each resident page, the time that matters: its last use (LRU) or the time it
            // entered the cache, i.e. the access that last brought it in after a miss (FIFO).
            let key = |q: u8| -> usize {
                match policy {
                    "lru" => (0..i).rev().find(|&j| accesses[j] == q).unwrap_or(0),
                    _ => {
                        // Replay: the most recent miss on q. Recompute by simulating up to i.
                        let mut c: VecDeque<u8> = VecDeque::new();
                        let mut entered = BTreeMap::new();
                        for (j, &x) in accesses[..i].iter().enumerate() {
                            if !c.contains(&x) {
                                if c.len() == capacity {
                                    c.pop_front();
                                }
                                c.push_back(x);
                                entered.insert(x, j);
                            }
                        }
                        entered.get(&q).copied().unwrap_or(0)
                    }
                }
            };
            let victim = cache.iter().copied().min_by_key(|&q| (key(q), q));
            cache.retain(|&q| Some(q) != victim);
        }
        cache.push(p);
    }
    cache.sort_unstable();
    (hits, cache)
}

/// The optimal number of hits, by dynamic programming over every eviction choice.
fn optimal_hits(capacity: usize, accesses: &[u8]) -> usize {
    fn go(
        i: usize,
        set: u32,
        capacity: usize,
        acc: &[u8],
        memo: &mut BTreeMap<(usize, u32), usize>,
    ) -> usize {
        if i == acc.len() {
            return 0;
        }
        if let Some(v) = memo.get(&(i, set)) {
            return *v;
        }
        let bit = 1u32 << acc[i];
        let best = if set & bit != 0 {
            1 + go(i + 1, set, capacity, acc, memo)
        } else if (set.count_ones() as usize) < capacity {
            go(i + 1, set | bit, capacity, acc, memo)
        } else {
            (0..32)
                .filter(|b| set & (1 << b) != 0)
                .map(|b| go(i + 1, (set & !(1 << b)) | bit, capacity, acc, memo))
                .max()
                .unwrap_or(0)
        };
        memo.insert((i, set), best);
        best
    }
    go(0, 0, capacity, accesses, &mut BTreeMap::new())
}

fn policy_name(p: &str) -> &'static str {
    match p {
        "lru" => "LRU (least recently used)",
        "fifo" => "FIFO (first in, first out)",
        _ => "Belady's OPT (evict the page used farthest in the future)",
    }
}

impl Family for CachePolicy {
    fn id(&self) -> &'static str {
        "optimization.cache_policy"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Cache replacement: LRU, FIFO and OPT"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `pages` is the number of distinct pages in the shown sequence.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["pages"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let policy = cx.pick("policy");
        let capacity = cx.int("capacity") as usize;
        let length = cx.int("length") as usize;
        let pages = cx.int("pages") as u8;
        if capacity >= pages as usize {
            return Err(GenError::Params {
                message: format!("a cache of {capacity} pages holds all {pages} pages: every access after the first of each is a hit"),
                hint: "choose a capacity smaller than pages".into(),
            });
        }
        // Draw sequences (a bounded number of times) until the cache has to evict at least twice:
        // a sequence that fits in the cache asks nothing about the policy.
        let rng = cx.rng();
        let mut accesses: Vec<u8> = Vec::with_capacity(length);
        for _ in 0..50 {
            accesses.clear();
            for i in 0..length {
                let p = if i >= 2 && rng.random_bool(0.35) {
                    let back = rng.random_range(2..=i.min(4));
                    accesses[i - back]
                } else {
                    rng.random_range(0..pages)
                };
                accesses.push(p);
            }
            let evictions = simulate(policy, capacity, &accesses)
                .iter()
                .filter(|s| s.evicted.is_some())
                .count();
            if evictions >= 2 {
                break;
            }
        }
        let ask_final = cx.difficulty() == crate::family::Difficulty::Hard && policy != "opt";
        let steps = simulate(policy, capacity, &accesses);
        let hits = steps.iter().filter(|s| s.hit).count();
        let seq: Vec<String> = accesses.iter().map(|p| name(*p).to_string()).collect();
        let mut prompt = Content::new()
            .p(format!(
                "A cache holds **{capacity}** pages and starts empty. It sees this sequence of \
                 page accesses ({length} in all):"
            ))
            .code("text", seq.join(" "))
            .p(format!(
                "The cache uses **{}**.{} A hit is an access to a page already in the cache.",
                policy_name(policy),
                if policy == "opt" {
                    " On a tie (several pages never used again), it evicts the alphabetically first."
                } else {
                    ""
                }
            ));
        prompt = prompt.p(if ask_final {
            "How many of the accesses are hits, and which pages are in the cache at the end?"
        } else {
            "How many of the accesses are hits?"
        });
        let mut slots = vec![AnswerSlot::new(
            "number of hits",
            Expected::Integer { value: hits as i64 },
        )];
        let last = steps.last().map(|s| s.after.clone()).unwrap_or_default();
        if ask_final {
            slots.push(AnswerSlot::new(
                "pages in the cache at the end, in alphabetical order",
                Expected::Sequence {
                    values: last.iter().map(|p| name(*p).to_string()).collect(),
                    normalisation: Normalisation::Loose,
                },
            ));
        }
        let rows = accesses.iter().zip(&steps).enumerate().map(|(i, (p, s))| {
            vec![
                (i + 1).to_string(),
                name(*p).to_string(),
                if s.hit { "**hit**".into() } else { "miss".to_string() },
                s.evicted.map(|e| name(e).to_string()).unwrap_or_default(),
                s.after.iter().map(|q| name(*q)).collect::<String>(),
            ]
        });
        let solution = Content::new()
            .p(format!(
                "Step through the accesses with {}; the cache column lists the resident pages \
                 alphabetically.",
                policy_name(policy)
            ))
            .table(["#", "access", "result", "evicted", "cache after"], rows)
            .p(format!(
                "**{hits}** hits ({} misses, of which {} are the first access to a page).",
                length - hits,
                {
                    let mut d = accesses.clone();
                    d.sort_unstable();
                    d.dedup();
                    d.len()
                }
            ));
        let all: Vec<(&str, usize)> = ["lru", "fifo", "opt"]
            .iter()
            .map(|p| (*p, simulate(p, capacity, &accesses).iter().filter(|s| s.hit).count()))
            .collect();
        let evidence = Content::new().p("Every policy simulated on the same sequence:").table(
            ["policy", "hits"],
            all.iter()
                .map(|(p, h)| vec![p.to_uppercase(), h.to_string()]),
        );
        let scenario = Scenario {
            policy: policy.into(),
            capacity,
            accesses,
            ask_final,
        };
        Ok(Question::new(prompt, slots, solution, evidence).with_scenario(&scenario))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("slot 0 must be an integer".into()));
        };
        let opt = optimal_hits(s.capacity, &s.accesses);
        for p in ["lru", "fifo"] {
            let (h, _) = naive(p, s.capacity, &s.accesses);
            if h > opt {
                return Err(CheckError(format!("{p} has {h} hits, more than OPT's {opt}")));
            }
        }
        if s.policy == "opt" {
            return CheckError::expect_eq("OPT hits (exhaustive search)", *value, opt as i64);
        }
        let (hits, last) = naive(&s.policy, s.capacity, &s.accesses);
        CheckError::expect_eq("hits (naive implementation)", *value, hits as i64)?;
        if s.ask_final {
            let Expected::Sequence { values, .. } = q.expected(1)? else {
                return Err(CheckError("slot 1 must be a sequence".into()));
            };
            let names: Vec<String> = last.iter().map(|p| name(*p).to_string()).collect();
            CheckError::expect_eq("final contents (naive implementation)", values, &names)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    fn hits(policy: &str, cap: usize, seq: &[u8]) -> usize {
        simulate(policy, cap, seq).iter().filter(|s| s.hit).count()
    }

    #[test]
    fn passes_the_stress_check() {
        stress(&CachePolicy, 0..40).unwrap();
    }

    #[test]
    fn gives_the_textbook_fault_counts() {
        // Silberschatz, Operating System Concepts, the reference string 7 0 1 2 0 3 0 4 2 3 0 3 2 1
        // 2 0 1 7 0 1 with 3 frames: FIFO 15 faults, LRU 12, OPT 9 (of 20 accesses).
        let s: Vec<u8> = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1].to_vec();
        assert_eq!(20 - hits("fifo", 3, &s), 15);
        assert_eq!(20 - hits("lru", 3, &s), 12);
        assert_eq!(20 - hits("opt", 3, &s), 9);
        assert_eq!(20 - optimal_hits(3, &s), 9);
        // Bélády's anomaly: 1 2 3 4 1 2 5 1 2 3 4 5 under FIFO: 9 faults with 3 frames, 10 with 4.
        let b: Vec<u8> = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5].to_vec();
        assert_eq!(12 - hits("fifo", 3, &b), 9);
        assert_eq!(12 - hits("fifo", 4, &b), 10);
    }

    #[test]
    fn pins_are_used_and_bad_ones_refused() {
        let pins = parse_pins(&CachePolicy, &["policy=opt".into(), "capacity=2".into()]).unwrap();
        let q = generate(&CachePolicy, 3, Difficulty::Hard, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!((s.policy.as_str(), s.capacity), ("opt", 2));
        let bad = parse_pins(&CachePolicy, &["capacity=6".into(), "pages=5".into()]).unwrap();
        assert!(generate(&CachePolicy, 3, Difficulty::Hard, &bad).is_err());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for policy in ["lru", "fifo", "opt"] {
            let pins = parse_pins(&CachePolicy, &[format!("policy={policy}")]).unwrap();
            let mut q = generate(&CachePolicy, 8, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&CachePolicy, &q).unwrap();
            let Expected::Integer { value } = q.slots[0].expected else { panic!() };
            q.slots[0].expected = Expected::Integer { value: value + 1 };
            assert!(crate::family::cross_check(&CachePolicy, &q).is_err(), "{policy}");
        }
    }
}
