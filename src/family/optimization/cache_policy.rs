//! `optimization.cache_policy`: hits of a small cache under LRU, FIFO and Belady's OPT.
//!
//! **Asked** (`ask`): a short access sequence of page names and a cache of capacity c.
//! - `hits`: (a) the number of hits under the drawn `policy` (`lru`, `fifo` or `opt`); at hard,
//!   for LRU and FIFO, (b) the pages in the cache at the end, in alphabetical order;
//! - `compare` (judgment): which of LRU, FIFO or a static cache of the c most frequent pages wins
//!   on this trace (a choice), and (b) by how many hits over the runner-up.
//!
//! One access sequence per seed whatever the `policy` or `ask`: the sequence is drawn before
//! anything depends on them, and redrawn (within a bound) by a rule that does not look at them
//! (every policy evicts at least twice, LRU and FIFO differ, the comparison has one winner).
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
//! For `compare`, the static cache's hits come from the page counts (Σ over the c most frequent
//! pages of count − 1), a route that shares nothing with the simulation.
//!
//! **Pitfalls**: counting the first (cold) accesses as hits; LRU updating recency on insert only;
//! FIFO refreshing a page's position on a hit; believing LRU always beats FIFO, or that knowing the
//! frequencies in advance always wins (a trace whose working set drifts defeats a static cache).

use crate::answer::{AnswerSlot, ChoiceOption, Expected, Normalisation};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// The family.
pub struct CachePolicy;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help:
            "hits: hits under one policy; compare: which of LRU, FIFO or a static top-c cache wins",
        kind: ParamKind::Choice {
            options: &["hits", "compare"],
            draw: [
                &["hits", "compare"],
                &["hits", "compare"],
                &["hits", "compare"],
            ],
        },
    },
    ParamSpec {
        key: "policy",
        help: "the replacement policy asked about: lru, fifo or opt (Belady)",
        kind: ParamKind::Choice {
            options: &["lru", "fifo", "opt"],
            draw: [
                &["lru", "fifo"],
                &["lru", "fifo", "opt"],
                &["lru", "fifo", "opt"],
            ],
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
    ask: String,
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

/// Hits of a static cache that admits only the `capacity` most frequent pages of the whole trace
/// (ties to the alphabetically first) and never evicts: each of those pages hits on every access
/// after its first. Returns the hits and the pages it keeps.
fn static_top(capacity: usize, accesses: &[u8]) -> (usize, Vec<u8>) {
    let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
    for &p in accesses {
        *counts.entry(p).or_default() += 1;
    }
    let mut by_count: Vec<(u8, usize)> = counts.into_iter().collect();
    by_count.sort_by_key(|&(p, c)| (std::cmp::Reverse(c), p));
    by_count.truncate(capacity);
    let hits = by_count.iter().map(|&(_, c)| c - 1).sum();
    let mut kept: Vec<u8> = by_count.into_iter().map(|(p, _)| p).collect();
    kept.sort_unstable();
    (hits, kept)
}

fn count_hits(policy: &str, capacity: usize, accesses: &[u8]) -> usize {
    simulate(policy, capacity, accesses)
        .iter()
        .filter(|s| s.hit)
        .count()
}

/// The three contenders of the `compare` ask, in option order, with their hits.
fn contenders(capacity: usize, accesses: &[u8]) -> [(&'static str, usize); 3] {
    [
        ("LRU", count_hits("lru", capacity, accesses)),
        ("FIFO", count_hits("fifo", capacity, accesses)),
        ("static", static_top(capacity, accesses).0),
    ]
}

/// The winner's index and its margin over the runner-up (0 when two tie for first).
fn winner(h: &[(&'static str, usize); 3]) -> (usize, usize) {
    let best = (0..3)
        .max_by_key(|&i| (h[i].1, std::cmp::Reverse(i)))
        .unwrap_or(0);
    let second = (0..3)
        .filter(|&i| i != best)
        .map(|i| h[i].1)
        .max()
        .unwrap_or(0);
    (best, h[best].1 - second)
}

/// A sequence is worth asking about when every policy evicts at least twice, LRU and FIFO differ,
/// and the comparison has a single winner. The rule never looks at the asked policy or ask, so a
/// seed gives one sequence whatever they are.
fn worth_asking(capacity: usize, accesses: &[u8]) -> bool {
    let evicts = |p: &str| {
        simulate(p, capacity, accesses)
            .iter()
            .filter(|s| s.evicted.is_some())
            .count()
            >= 2
    };
    let h = contenders(capacity, accesses);
    ["lru", "fifo", "opt"].iter().all(|p| evicts(p)) && h[0].1 != h[1].1 && winner(&h).1 > 0
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
        2
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
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("hits", [3, 5, 7], &["cache-replacement"]),
            Ask::new("compare", [4, 6, 8], &["cache-replacement"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "hits under LRU, FIFO or OPT (final contents at hard); which of LRU, FIFO or a static top-c cache wins on the trace",
            key: "simulation of each policy on one access sequence per seed",
            second_route: "naive re-implementation; exhaustive search for OPT; OPT ≥ LRU, FIFO; static hits from page counts",
        }
    }
    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else {
            return vec!["no scenario".into()];
        };
        if worth_asking(s.capacity, &s.accesses) {
            Vec::new()
        } else {
            vec!["the sequence does not separate the policies (too few evictions, LRU = FIFO, or a tie for first)".into()]
        }
    }
    /// `pages` is the number of distinct pages in the shown sequence.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["pages"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let policy = cx.pick("policy");
        if ask == "compare" {
            cx.unused("policy");
        }
        let capacity = cx.int("capacity") as usize;
        let length = cx.int("length") as usize;
        let pages = cx.int("pages") as u8;
        if capacity == 1 {
            // Only a pin gives 1 (every difficulty draws 2 or more): refused, not redrawn.
            return Err(GenError::Params {
                message: "a cache of 1 page has only one page to evict: LRU, FIFO and every other policy make the same hits, so there is nothing to compare".into(),
                hint: "pin a capacity of 2 pages or more".into(),
            });
        }
        if capacity >= pages as usize {
            return Err(GenError::Params {
                message: format!("a cache of {capacity} pages holds all {pages} pages: every access after the first of each is a hit"),
                hint: "choose a capacity smaller than pages".into(),
            });
        }
        // Draw sequences (a bounded number of times) until the sequence separates the policies
        // (`worth_asking`, which never looks at `policy` or `ask`): a sequence that fits in the
        // cache asks nothing about the policy.
        let rng = cx.rng();
        let mut accesses: Vec<u8> = Vec::with_capacity(length);
        for _ in 0..200 {
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
            if worth_asking(capacity, &accesses) {
                break;
            }
        }
        if ask == "compare" {
            return Ok(compare(capacity, length, accesses));
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
                if s.hit {
                    "**hit**".into()
                } else {
                    "miss".to_string()
                },
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
            .map(|p| {
                (
                    *p,
                    simulate(p, capacity, &accesses)
                        .iter()
                        .filter(|s| s.hit)
                        .count(),
                )
            })
            .collect();
        let evidence = Content::new()
            .p("Every policy simulated on the same sequence:")
            .table(
                ["policy", "hits"],
                all.iter()
                    .map(|(p, h)| vec![p.to_uppercase(), h.to_string()]),
            );
        let bigger = count_hits(policy, capacity + 1, &accesses);
        let others: Vec<String> = all
            .iter()
            .filter(|(p, _)| *p != policy)
            .map(|(p, h)| format!("{} {h}", p.to_uppercase()))
            .collect();
        let (lru, fifo) = (all[0].1, all[1].1);
        let scenario = Scenario {
            ask: "hits".into(),
            policy: policy.into(),
            capacity,
            accesses,
            ask_final,
        };
        Ok(Question::new(prompt, slots, solution, evidence)
            .with_scenario(&scenario)
            .contrast(Contrast::new("LRU vs FIFO hits", lru, fifo))
            .followup(
                FollowUp::new(
                    "How many hits would the other policies get on the same sequence?",
                    format!("{} (this policy: {hits}).", others.join(", ")),
                )
                .point("OPT is an upper bound for every policy on the same sequence")
                .point("LRU does not always beat FIFO on a short trace"),
            )
            .followup(
                FollowUp::new(
                    format!("What if the cache held {} pages?", capacity + 1),
                    format!("{bigger} hits under {} (was {hits}).", policy.to_uppercase()),
                )
                .point(if policy == "fifo" {
                    "FIFO can lose hits with a bigger cache (Bélády's anomaly); LRU and OPT never do"
                } else {
                    "LRU and OPT are stack algorithms: a bigger cache never loses a hit"
                }),
            ))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if s.ask == "compare" {
            return check_compare(q, &s);
        }
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("slot 0 must be an integer".into()));
        };
        let opt = optimal_hits(s.capacity, &s.accesses);
        for p in ["lru", "fifo"] {
            let (h, _) = naive(p, s.capacity, &s.accesses);
            if h > opt {
                return Err(CheckError(format!(
                    "{p} has {h} hits, more than OPT's {opt}"
                )));
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

/// The `compare` ask: which of LRU, FIFO or the static top-c cache wins, and by how much.
fn compare(capacity: usize, length: usize, accesses: Vec<u8>) -> Question {
    let h = contenders(capacity, &accesses);
    let (best, margin) = winner(&h);
    let (_, kept) = static_top(capacity, &accesses);
    let kept_names = kept
        .iter()
        .map(|p| name(*p).to_string())
        .collect::<Vec<_>>()
        .join(" and ");
    let seq: Vec<String> = accesses.iter().map(|p| name(*p).to_string()).collect();
    let (lru, fifo, stat) = (h[0].1, h[1].1, h[2].1);
    let vs = |i: usize| {
        format!(
            "on this trace it gets {} hits against {}'s {}",
            h[i].1,
            if h[best].0 == "static" { "the static cache" } else { h[best].0 },
            h[best].1
        )
    };
    let options = vec![
        ("**LRU** (least recently used)", "LRU is always the best online policy because it tracks recency; but recency is not the future, and"),
        ("**FIFO** (first in, first out)", "FIFO is simple and ignores hits, so it must lose to LRU; but a hit that refreshes LRU can keep a page that is not needed again, and"),
        (&*format!("**static**: keep only the {capacity} most frequent pages of the trace"), "knowing the whole trace's counts in advance must win; but a static cache cannot follow a working set that moves, and"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (text, why))| {
        if i == best {
            ChoiceOption::right(text.to_string())
        } else {
            ChoiceOption::wrong(text.to_string(), format!("{why} {}.", vs(i)))
        }
    })
    .collect::<Vec<_>>();
    let prompt = Content::new()
        .p(format!(
            "A cache holds **{capacity}** pages and starts empty. It sees this sequence of page \
             accesses ({length} in all):"
        ))
        .code("text", seq.join(" "))
        .p(format!(
            "Three designs are on the table: LRU; FIFO; and a static cache that admits only the \
             {capacity} pages accessed most often in the whole trace (counted in advance; ties go to \
             the alphabetically first page) and never evicts them. Which gets the most hits on this \
             trace, and by how many hits does it beat the runner-up? A hit is an access to a page \
             already in the cache; every cache starts empty."
        ));
    let slots = vec![
        AnswerSlot::new(
            "the design with the most hits",
            Expected::Choice {
                options,
                correct: best,
            },
        ),
        AnswerSlot::new(
            "its lead over the runner-up, in hits",
            Expected::Integer {
                value: margin as i64,
            },
        ),
    ];
    let table = |policy: &str| -> Vec<String> {
        simulate(policy, capacity, &accesses)
            .iter()
            .map(|s| {
                let after: String = s.after.iter().map(|q| name(*q)).collect();
                if s.hit {
                    format!("**{after}**")
                } else {
                    after
                }
            })
            .collect()
    };
    let (tl, tf) = (table("lru"), table("fifo"));
    let rows = accesses.iter().enumerate().map(|(i, p)| {
        vec![
            (i + 1).to_string(),
            name(*p).to_string(),
            tl[i].clone(),
            tf[i].clone(),
            if !kept.contains(p) {
                "bypass".to_string()
            } else if accesses[..i].contains(p) {
                "**hit**".into()
            } else {
                "first".into()
            },
        ]
    });
    let solution = Content::new()
        .p("Simulate LRU and FIFO (cache contents after each access, alphabetically; bold marks a hit), and count the static cache's hits from the page counts.")
        .table(["#", "access", "LRU", "FIFO", "static"], rows)
        .p(format!(
            "The static cache keeps {kept_names}: each of them hits on every access after its first, {stat} hits in all."
        ))
        .p(format!(
            "Hits: LRU {lru}, FIFO {fifo}, static {stat}. **{}** wins by **{margin}** hit{}.",
            h[best].0,
            if margin == 1 { "" } else { "s" }
        ));
    let opt = count_hits("opt", capacity, &accesses);
    let evidence = Content::new().p(format!(
        "Simulated on the same sequence: LRU {lru}, FIFO {fifo}, static {stat}, and Belady's OPT {opt} hits."
    ));
    let scenario = Scenario {
        ask: "compare".into(),
        policy: String::new(),
        capacity,
        accesses,
        ask_final: false,
    };
    Question::new(prompt, slots, solution, evidence)
        .with_scenario(&scenario)
        .contrast(Contrast::new("LRU vs FIFO hits", lru, fifo))
        .followup(
            FollowUp::new(
                "How does the winner compare with Belady's OPT on this trace?",
                format!(
                    "OPT (admit every miss, evict the page used farthest in the future) gets {opt} hits; the winner gets {}.",
                    h[best].1
                ),
            )
            .point("OPT needs the future; it is the yardstick for caches that admit every miss")
            .point("a cache that may refuse to admit a page (like the static one) can even beat OPT"),
        )
        .followup(
            FollowUp::new(
                "When would the static cache be the right design in production?",
                "When popularity is stable over time (a Zipf-like catalogue): it pays no eviction bookkeeping and is never polluted by one-off scans; it loses when the working set drifts.",
            )
            .point("a scan of one-off pages flushes LRU and FIFO but not a static cache"),
        )
}

/// Second route for `compare`: naive LRU/FIFO, the static cache from the page counts by a
/// different reckoning (hits = accesses to a kept page that are not its first).
fn check_compare(q: &Question, s: &Scenario) -> Result<(), CheckError> {
    let (lru, _) = naive("lru", s.capacity, &s.accesses);
    let (fifo, _) = naive("fifo", s.capacity, &s.accesses);
    let mut counts = [0usize; 32];
    for &p in &s.accesses {
        counts[p as usize] += 1;
    }
    let mut order: Vec<usize> = (0..32).filter(|&p| counts[p] > 0).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let kept: Vec<usize> = order.into_iter().take(s.capacity).collect();
    let mut seen = [false; 32];
    let mut stat = 0;
    for &p in &s.accesses {
        let p = p as usize;
        if kept.contains(&p) {
            if seen[p] {
                stat += 1;
            }
            seen[p] = true;
        }
    }
    let h = [lru, fifo, stat];
    let top = *h.iter().max().unwrap_or(&0);
    let winners: Vec<usize> = (0..3).filter(|&i| h[i] == top).collect();
    let Expected::Choice { correct, .. } = q.expected(0)? else {
        return Err(CheckError("slot 0 must be a choice".into()));
    };
    if winners != [*correct] {
        return Err(CheckError(format!(
            "key says option {correct}, naive hits {h:?}"
        )));
    }
    let runner_up = (0..3)
        .filter(|&i| i != *correct)
        .map(|i| h[i])
        .max()
        .unwrap_or(0);
    CheckError::expect_eq(
        "lead over the runner-up",
        q.expected_integer(1)?,
        (top - runner_up) as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty};

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
        let pins = parse_pins(
            &CachePolicy,
            &["ask=hits".into(), "policy=opt".into(), "capacity=2".into()],
        )
        .unwrap();
        let q = generate(&CachePolicy, 3, Difficulty::Hard, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!((s.policy.as_str(), s.capacity), ("opt", 2));
        let bad = parse_pins(&CachePolicy, &["capacity=6".into(), "pages=5".into()]).unwrap();
        assert!(generate(&CachePolicy, 3, Difficulty::Hard, &bad).is_err());
    }

    #[test]
    fn one_sequence_per_seed_whatever_the_policy_or_ask() {
        for seed in 0..10 {
            let seqs: Vec<Vec<u8>> = [
                "ask=hits,policy=lru",
                "ask=hits,policy=fifo",
                "ask=hits,policy=opt",
                "ask=compare",
            ]
            .iter()
            .map(|p| {
                let sets: Vec<String> = p.split(',').map(String::from).collect();
                let pins = parse_pins(&CachePolicy, &sets).unwrap();
                let q = generate(&CachePolicy, seed, Difficulty::Medium, &pins).unwrap();
                q.scenario::<Scenario>().unwrap().accesses
            })
            .collect();
            assert!(
                seqs.windows(2).all(|w| w[0] == w[1]),
                "seed {seed}: {seqs:?}"
            );
        }
    }

    #[test]
    fn the_comparison_matches_a_hand_trace() {
        // Hand trace, capacity 2, A B A C A B A C (A is hot, B and C alternate):
        // LRU keeps A (touched every other access): hits at accesses 3, 5, 7 = 3.
        // FIFO: A B | A hit | C evicts A | A evicts B | B evicts C | A hit | C evicts A = 2 hits.
        // Static top-2 = A (4 accesses) and B (2, tie with C broken alphabetically): A hits 3
        // times, B once = 4 hits. The static cache wins by 1.
        let s: Vec<u8> = [0, 1, 0, 2, 0, 1, 0, 2].to_vec();
        assert_eq!(hits("lru", 2, &s), 3);
        assert_eq!(hits("fifo", 2, &s), 2);
        assert_eq!(static_top(2, &s), (4, vec![0, 1]));
        assert_eq!(winner(&contenders(2, &s)), (2, 1));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_comparison() {
        let pins = parse_pins(&CachePolicy, &["ask=compare".into()]).unwrap();
        for seed in 0..5 {
            let mut q = generate(&CachePolicy, seed, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&CachePolicy, &q).unwrap();
            let Expected::Choice { correct, .. } = &mut q.slots[0].expected else {
                panic!()
            };
            *correct = (*correct + 1) % 3;
            assert!(
                crate::family::cross_check(&CachePolicy, &q).is_err(),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for policy in ["lru", "fifo", "opt"] {
            let pins = parse_pins(
                &CachePolicy,
                &["ask=hits".into(), format!("policy={policy}")],
            )
            .unwrap();
            let mut q = generate(&CachePolicy, 8, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&CachePolicy, &q).unwrap();
            let Expected::Integer { value } = q.slots[0].expected else {
                panic!()
            };
            q.slots[0].expected = Expected::Integer { value: value + 1 };
            assert!(
                crate::family::cross_check(&CachePolicy, &q).is_err(),
                "{policy}"
            );
        }
    }

}
