//! `hashing.open_addressing`: insert a handful of keys into a small open-addressing table and trace
//! the probes.
//!
//! Each key is shown with its real `xxh64(key, seed 0) mod m` home slot. Keys are inserted in the
//! order shown; a collision probes the next slot by the table's scheme: `linear` (h + i),
//! `quadratic` (h + i², used with a prime m and α ≤ ½ so an empty slot is always found) or `double`
//! (h + i·h2 with h2 = 1 + (xxh64(key, seed 1) mod (m − 1)), m prime).
//!
//! **Asked** (`ask`): `slot`: the final slot of one key; `probes`: the slots examined to find one key
//! (a successful search); `miss`: the slots examined by an unsuccessful search for a key not in the
//! table, whose home slot is shown, stopping at the first empty slot; `delete` (judgment, medium and
//! hard): the final table is shown and one key is deleted; which deletion method keeps every
//! remaining key findable. Exactly one option is right on the drawn table:
//! - linear probing: set the slot empty, move the key of the next slot back into the hole, move the
//!   last key of the run after the hole into it (all three lose a key on this table), and one
//!   right method: a tombstone, or re-inserting the keys of the run after the hole (the deletion
//!   of Sedgewick and Wayne's `LinearProbingHashST`);
//! - quadratic and double hashing: set the slot empty, move the next slot's key back, re-insert the
//!   run after the hole (all three lose a key: probe sequences jump, so keys outside the run can
//!   pass through the hole), and a tombstone.
//!
//! Each wrong option's feedback names a key it loses and the probes that now stop short.
//!
//! **Parameters.** `keys`: easy 6–7, medium 7–9, hard 8–10; `slots` m: the smallest prime ≥
//! 1.6·keys (linear) or ≥ 2·keys (quadratic); `scheme`: easy linear, medium linear/quadratic, hard
//! any. `delete` uses both.
//!
//! **Key.** Run the insertions and the search on a real table. For `delete`, run every method on a
//! copy of the real table and look up every remaining key; a draw (key set and deleted key) is kept
//! only when exactly the one right option keeps them all.
//!
//! **Second route.** An independent re-implementation that recomputes every key's probe sequence
//! from scratch against a map of occupied slots; every inserted key must be found with the stated
//! probe count, and the table must hold each key exactly once. For `delete`, every method is
//! re-implemented on that map and every remaining key looked up again: the key's option must be the
//! only one that loses none.
//!
//! **Pitfalls**: putting a key in its home slot regardless; counting probes from 0; stopping an
//! unsuccessful search at the first non-matching key instead of at an empty slot; deleting by
//! emptying the slot.

use crate::answer::{AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh64::xxh64;

/// The family.
pub struct OpenAddressing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "slot: a key's final slot; probes: slots examined to find a key; miss: slots examined by an unsuccessful search; delete: which deletion keeps every key findable",
        kind: ParamKind::Choice {
            options: &["slot", "probes", "miss", "delete"],
            draw: [&["slot", "probes"], &["slot", "probes", "miss", "delete"], &["slot", "probes", "miss", "delete"]],
        },
    },
    ParamSpec {
        key: "scheme",
        help: "linear, quadratic or double hashing",
        kind: ParamKind::Choice {
            options: &["linear", "quadratic", "double"],
            draw: [&["linear"], &["linear", "quadratic"], &["linear", "quadratic", "double"]],
        },
    },
    ParamSpec {
        key: "keys",
        help: "keys inserted",
        kind: ParamKind::Int { min: 2, max: 12, draw: [(6, 7), (7, 9), (8, 10)] },
    },
];

const WORDS: &[&str] = &[
    "apple", "berry", "cedar", "delta", "ember", "fjord", "grape", "hazel", "igloo", "jelly", "koala", "lemon", "mango",
    "nylon", "olive", "pecan", "quail", "raven", "sable", "tulip", "umber", "viola", "waltz", "xenon", "yacht", "zebra",
];

/// The asks, parsed once at the top of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum AskKind {
    Slot,
    Probes,
    Miss,
    Delete,
}

impl AskKind {
    fn parse(s: &str) -> Result<AskKind, GenError> {
        match s {
            "slot" => Ok(AskKind::Slot),
            "probes" => Ok(AskKind::Probes),
            "miss" => Ok(AskKind::Miss),
            "delete" => Ok(AskKind::Delete),
            other => Err(GenError::Run(format!("unknown ask `{other}`"))),
        }
    }
}

/// The probing scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Scheme {
    Linear,
    Quadratic,
    Double,
}

impl Scheme {
    fn parse(s: &str) -> Result<Scheme, GenError> {
        match s {
            "linear" => Ok(Scheme::Linear),
            "quadratic" => Ok(Scheme::Quadratic),
            "double" => Ok(Scheme::Double),
            other => Err(GenError::Run(format!("unknown scheme `{other}`"))),
        }
    }
}

/// A way to delete a key from an open-addressing table (the `delete` ask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Method {
    /// Set the slot back to empty.
    Empty,
    /// Empty the slot, then move the key of the next slot (s + 1) into it.
    ShiftNext,
    /// Move the last key of the run after the hole into it, emptying that key's slot.
    MoveLast,
    /// Empty the slot, take out the keys of the run after it and insert them again.
    ReinsertRun,
    /// Mark the slot deleted: lookups probe past it.
    Tombstone,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    scheme: Scheme,
    m: u64,
    keys: Vec<String>,
    ask: AskKind,
    /// The key asked about (an inserted key, or for `miss` a key not in the table; for `delete`
    /// the deleted key).
    target: String,
    /// `delete`: the method of each option, in option order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    methods: Vec<Method>,
}

fn home(key: &str, m: u64) -> u64 {
    xxh64(key.as_bytes(), 0) % m
}

fn step2(key: &str, m: u64) -> u64 {
    1 + xxh64(key.as_bytes(), 1) % (m - 1)
}

/// The i-th slot probed for `key`.
fn probe(s: &Scenario, key: &str, i: u64) -> u64 {
    let h = home(key, s.m);
    match s.scheme {
        Scheme::Linear => (h + i) % s.m,
        Scheme::Quadratic => (h + i * i) % s.m,
        Scheme::Double => (h + i * step2(key, s.m)) % s.m,
    }
}

fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))
}

/// Inserts every key; returns the table.
fn insert_all(s: &Scenario) -> Result<Vec<Option<String>>, String> {
    let mut t: Vec<Option<String>> = vec![None; s.m as usize];
    for k in &s.keys {
        let slot = (0..s.m).map(|i| probe(s, k, i)).find(|&x| t[x as usize].is_none()).ok_or_else(|| format!("no free slot for {k}"))?;
        t[slot as usize] = Some(k.clone());
    }
    Ok(t)
}

/// Slots examined by a search for `key` in `t`: (count, found slot).
fn search(s: &Scenario, t: &[Option<String>], key: &str) -> (u64, Option<u64>) {
    for i in 0..s.m {
        let x = probe(s, key, i);
        match &t[x as usize] {
            None => return (i + 1, None),
            Some(k) if k == key => return (i + 1, Some(x)),
            _ => {}
        }
    }
    (s.m, None)
}

/// A slot of a table that supports deletion.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Free,
    Key(String),
    Tomb,
}

/// The i-th slot probed for a key, for the deletion code (tests pass hand-made homes).
type Probe<'a> = &'a dyn Fn(&str, u64) -> u64;

/// Inserts `key` at the first free (or deleted) slot of its probe sequence.
fn insert_cell(t: &mut [Cell], key: &str, probe: Probe) -> Option<usize> {
    let m = t.len() as u64;
    let x = (0..m).map(|i| probe(key, i) as usize).find(|&x| !matches!(t[x], Cell::Key(_)))?;
    t[x] = Cell::Key(key.to_string());
    Some(x)
}

/// A lookup: the probe sequence up to the key (found) or an empty slot (not found), past
/// tombstones and other keys. Returns the slots probed and where the key was found.
fn lookup(t: &[Cell], key: &str, probe: Probe) -> (Vec<usize>, Option<usize>) {
    let mut seen = Vec::new();
    for i in 0..t.len() as u64 {
        let x = probe(key, i) as usize;
        seen.push(x);
        match &t[x] {
            Cell::Free => return (seen, None),
            Cell::Key(k) if k == key => return (seen, Some(x)),
            _ => {}
        }
    }
    (seen, None)
}

/// The slots of the run after `slot`: slot + 1, slot + 2, … (mod m) while they hold a key.
fn run_after(t: &[Cell], slot: usize) -> Vec<usize> {
    let m = t.len();
    (1..m).map(|d| (slot + d) % m).take_while(|&x| matches!(t[x], Cell::Key(_))).collect()
}

/// Deletes the key in `slot` by `method`.
fn delete(t: &[Cell], slot: usize, method: Method, probe: Probe) -> Vec<Cell> {
    let mut t = t.to_vec();
    let m = t.len();
    match method {
        Method::Empty => t[slot] = Cell::Free,
        Method::Tombstone => t[slot] = Cell::Tomb,
        Method::ShiftNext => {
            let next = (slot + 1) % m;
            t[slot] = std::mem::replace(&mut t[next], Cell::Free);
        }
        Method::MoveLast => {
            let run = run_after(&t, slot);
            t[slot] = Cell::Free;
            if let Some(&last) = run.last() {
                t[slot] = std::mem::replace(&mut t[last], Cell::Free);
            }
        }
        Method::ReinsertRun => {
            let run = run_after(&t, slot);
            t[slot] = Cell::Free;
            let keys: Vec<Cell> = run.iter().map(|&x| std::mem::replace(&mut t[x], Cell::Free)).collect();
            for k in keys {
                if let Cell::Key(k) = k {
                    insert_cell(&mut t, &k, probe);
                }
            }
        }
    }
    t
}

/// The keys of `t` (other than `deleted`) that `method` makes unfindable when it deletes the key
/// in `slot`, in slot order.
fn lost(t: &[Cell], slot: usize, method: Method, probe: Probe) -> Vec<String> {
    let after = delete(t, slot, method, probe);
    let mut out = Vec::new();
    for (i, c) in t.iter().enumerate() {
        if let Cell::Key(k) = c {
            if i != slot && lookup(&after, k, probe).1.is_none() {
                out.push(k.clone());
            }
        }
    }
    out
}

/// The options of a `delete` question on this table deleting the key in `slot`, if exactly one is
/// right: linear probing offers empty, shift-next, move-last and one right method; quadratic and
/// double hashing offer empty, shift-next, re-insert-run and a tombstone. Every wrong method must
/// lose a key here, and the next slot must hold a key (else shift-next is just emptying).
fn delete_methods(t: &[Cell], slot: usize, scheme: Scheme, tombstone: bool, probe: Probe) -> Option<Vec<Method>> {
    if !matches!(t[(slot + 1) % t.len()], Cell::Key(_)) {
        return None;
    }
    let (wrong, right) = match scheme {
        Scheme::Linear => (
            [Method::Empty, Method::ShiftNext, Method::MoveLast],
            if tombstone { Method::Tombstone } else { Method::ReinsertRun },
        ),
        _ => ([Method::Empty, Method::ShiftNext, Method::ReinsertRun], Method::Tombstone),
    };
    if !lost(t, slot, right, probe).is_empty() || wrong.iter().any(|w| lost(t, slot, *w, probe).is_empty()) {
        return None;
    }
    let mut all = wrong.to_vec();
    all.push(right);
    Some(all)
}

fn cells(t: &[Option<String>]) -> Vec<Cell> {
    t.iter().map(|c| c.as_ref().map_or(Cell::Free, |k| Cell::Key(k.clone()))).collect()
}

impl Family for OpenAddressing {
    fn id(&self) -> &'static str {
        "hashing.open_addressing"
    }
    fn version(&self) -> u32 {
        3
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Open addressing: probing a small hash table by hand"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("slot", [3, 4, 6], &["open-addressing"]),
            Ask::new("probes", [3, 4, 6], &["open-addressing"]),
            Ask::new("miss", [3, 5, 6], &["open-addressing"]),
            Ask::new("delete", [3, 4, 5], &["open-addressing", "hash-table-deletion"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "final slot, probes to find a key, probes for a miss (linear, quadratic, double hashing); which deletion keeps every key findable",
            key: "the table, run; every deletion method run and every remaining key looked up",
            second_route: "independent re-implementation; every key found with its probe count; deletions redone on it",
        }
    }
    /// `keys` is the number of keys inserted, listed in the prompt.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["keys"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = AskKind::parse(cx.pick("ask"))?;
        let scheme = Scheme::parse(cx.pick("scheme"))?;
        let n = cx.int("keys") as usize;
        let factor = if scheme == Scheme::Quadratic { 2.0 } else { 1.6 };
        let m = ((n as f64 * factor).ceil() as u64..).find(|x| is_prime(*x)).unwrap_or(13);
        // Draw key sets until the question is interesting: some collision happened and the asked
        // key (or the missing one) needs more than one probe; for `delete`, a key whose deletion
        // leaves exactly one right option.
        let mut best = None;
        for _ in 0..60 {
            let mut pool: Vec<&str> = WORDS.to_vec();
            let mut keys = Vec::new();
            for _ in 0..n + 1 {
                let i = cx.rng().random_range(0..pool.len());
                keys.push(pool.remove(i).to_string());
            }
            let missing = keys.pop().unwrap_or_default();
            let mut s = Scenario { scheme, m, keys, ask, target: missing, methods: Vec::new() };
            let Ok(t) = insert_all(&s) else { continue };
            match ask {
                AskKind::Slot | AskKind::Probes => {
                    let displaced: Vec<&String> = s.keys.iter().filter(|k| search(&s, &t, k).0 > 1).collect();
                    if let Some(k) = displaced.last() {
                        s.target = (*k).clone();
                        best = Some(s);
                        break;
                    }
                }
                AskKind::Miss => {
                    if search(&s, &t, &s.target).0 > 1 {
                        best = Some(s);
                        break;
                    }
                }
                AskKind::Delete => {
                    let tombstone = cx.rng().random_bool(0.5);
                    let table = cells(&t);
                    let pr = |k: &str, i: u64| probe(&s, k, i);
                    let mut order: Vec<usize> = (0..s.keys.len()).collect();
                    order.shuffle(cx.rng());
                    let found = order.iter().find_map(|&i| {
                        let slot = search(&s, &t, &s.keys[i]).1? as usize;
                        delete_methods(&table, slot, scheme, tombstone, &pr).map(|ms| (i, ms))
                    });
                    if let Some((i, mut methods)) = found {
                        methods.shuffle(cx.rng());
                        s.target = s.keys[i].clone();
                        s.methods = methods;
                        best = Some(s);
                        break;
                    }
                    continue;
                }
            }
            best.get_or_insert(s);
        }
        let Some(mut s) = best else {
            return Err(GenError::Params {
                message: format!("no set of {n} keys gave a fair question for ask {ask:?} with {scheme:?} probing"),
                hint: "use 7 to 10 keys".into(),
            });
        };
        if ask != AskKind::Miss && !s.keys.contains(&s.target) {
            s.target = s.keys[s.keys.len() - 1].clone();
        }
        let t = insert_all(&s).map_err(GenError::Run)?;
        let (count, found) = search(&s, &t, &s.target);
        let rule = match scheme {
            Scheme::Linear => "linear probing: try h, h+1, h+2, … (mod m)".to_string(),
            Scheme::Quadratic => "quadratic probing: try h, h+1, h+4, h+9, … (h + i², mod m)".to_string(),
            Scheme::Double => "double hashing: try h, h+d, h+2d, … (mod m), where d is the key's step shown in the table".to_string(),
        };
        let mut header = vec!["key".to_string(), format!("home h = xxh64 mod {m}")];
        if scheme == Scheme::Double {
            header.push(format!("step d = 1 + xxh64(key, seed 1) mod {}", m - 1));
        }
        let shown: Vec<String> = if ask == AskKind::Miss { s.keys.iter().chain(std::iter::once(&s.target)).cloned().collect() } else { s.keys.clone() };
        let rows: Vec<Vec<String>> = shown
            .iter()
            .map(|k| {
                let mut r = vec![format!("`{k}`"), home(k, m).to_string()];
                if scheme == Scheme::Double {
                    r.push(step2(k, m).to_string());
                }
                r
            })
            .collect();
        let prompt = Content::new()
            .p(format!(
                "A hash table has **{m}** slots (0–{}) and resolves collisions by {rule}. Keys are inserted in this order, starting from an empty table:",
                m - 1
            ))
            .table(header, rows);
        let trace: Vec<String> = s
            .keys
            .iter()
            .map(|k| {
                let (c, at) = search(&s, &t, k);
                let seq: Vec<String> = (0..c).map(|i| probe(&s, k, i).to_string()).collect();
                format!("`{k}`: tried {} → slot {}", seq.join(", "), at.unwrap_or(0))
            })
            .collect();
        let table: Vec<Vec<String>> = t.iter().enumerate().map(|(i, k)| vec![i.to_string(), k.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "—".into())]).collect();
        let evidence = Content::new()
            .p(format!("Final table (real xxh64 digests, seed 0; for example xxh64(\"{}\") = {:016x}):", s.keys[0], xxh64(s.keys[0].as_bytes(), 0)))
            .table(["slot", "key"], table.clone());
        if ask == AskKind::Delete {
            return Ok(delete_question(s, &t, prompt, trace, table, evidence));
        }
        let (ask_text, slot, answer_text) = match ask {
            AskKind::Slot => (
                format!("In which slot does `{}` end up?", s.target),
                AnswerSlot::new("slot", Expected::Integer { value: found.unwrap_or(0) as i64 }).exact_by_hand(),
                format!("`{}` ends up in slot **{}**.", s.target, found.unwrap_or(0)),
            ),
            AskKind::Probes => (
                format!("After all insertions, how many slots does a lookup of `{}` examine (counting the slot where it is found)?", s.target),
                AnswerSlot::new("slots examined", Expected::Integer { value: count as i64 }).exact_by_hand(),
                format!("Looking up `{}` follows the same sequence and examines **{count}** slots.", s.target),
            ),
            AskKind::Miss | AskKind::Delete => (
                format!("`{}` is not in the table (its home slot is in the last row). How many slots does an unsuccessful lookup of it examine, counting the empty slot that ends the search?", s.target),
                AnswerSlot::new("slots examined", Expected::Integer { value: count as i64 }).exact_by_hand(),
                format!("The search for `{}` stops at the first empty slot after examining **{count}** slots.", s.target),
            ),
        };
        let prompt = prompt.p(ask_text);
        let solution = Content::new().p("Insert in order, probing until a free slot:").list(trace).p(answer_text);
        let followup = if ask == AskKind::Miss {
            let alpha = s.keys.len() as f64 / m as f64;
            let (formula, expected) = if scheme == Scheme::Linear {
                ("Knuth's $1/2 (1 + 1/(1 - alpha)^2)$", 0.5 * (1.0 + 1.0 / (1.0 - alpha).powi(2)))
            } else {
                ("$1/(1 - alpha)$ for uniform probing", 1.0 / (1.0 - alpha))
            };
            FollowUp::new(
                "What does an unsuccessful lookup cost on average at this load?",
                format!(
                    "The load is $alpha = {}/{m} = {}$; {formula} gives about {} slots examined, against {count} for this key.",
                    s.keys.len(),
                    crate::answer::fmt_sig(alpha, 3),
                    crate::answer::fmt_sig(expected, 3)
                ),
            )
            .point("misses cost more than hits, and linear probing degrades fastest as the table fills (primary clustering)")
        } else {
            // Deleting the key in the target's home slot by emptying it breaks the probe chain.
            let first = probe(&s, &s.target, 0) as usize;
            let victim = t[first].clone().unwrap_or_default();
            let mut t2 = t.clone();
            t2[first] = None;
            let (c2, f2) = search(&s, &t2, &s.target);
            FollowUp::new(
                format!("`{victim}` is deleted by simply emptying its slot {first}. What does a lookup of `{}` return then?", s.target),
                match f2 {
                    None => format!("Not found, after {c2} slot{}: the search stops at the emptied slot, although `{}` is still in the table. Deletion must leave a tombstone (or re-insert the keys after it).", if c2 == 1 { "" } else { "s" }, s.target),
                    Some(x) => format!("It is still found in slot {x}, after {c2} slots, but only by luck of this layout: deletion must leave a tombstone."),
                },
            )
            .point("tombstones keep probe chains intact; they are reclaimed on insert or by rehashing")
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s).followup(followup))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        // Independent route: occupied set, probe sequences recomputed with explicit formulas.
        let m = s.m;
        let seq = |k: &str| -> Vec<u64> {
            let h = xxh64(k.as_bytes(), 0) % m;
            let d = 1 + xxh64(k.as_bytes(), 1) % (m - 1);
            (0..m)
                .map(|i| match s.scheme {
                    Scheme::Linear => (h + i) % m,
                    Scheme::Quadratic => (h + (i * i) % m) % m,
                    Scheme::Double => (h + (i * d) % m) % m,
                })
                .collect()
        };
        let mut occupied = std::collections::BTreeMap::new();
        for k in &s.keys {
            let slot = seq(k).into_iter().find(|x| !occupied.contains_key(x)).ok_or_else(|| CheckError(format!("{k} found no slot")))?;
            occupied.insert(slot, k.clone());
        }
        if occupied.len() != s.keys.len() {
            return Err(CheckError("a key was stored twice or lost".into()));
        }
        let lookup = |occupied: &std::collections::BTreeMap<u64, String>, k: &str| -> (i64, Option<u64>) {
            for (i, x) in seq(k).into_iter().enumerate() {
                match occupied.get(&x) {
                    None => return (i as i64 + 1, None),
                    Some(v) if v == k => return (i as i64 + 1, Some(x)),
                    _ => {}
                }
            }
            (m as i64, None)
        };
        for k in &s.keys {
            if lookup(&occupied, k).1.is_none() {
                return Err(CheckError(format!("inserted key {k} is not found")));
            }
        }
        if s.ask == AskKind::Delete {
            return check_delete(&s, q, &occupied, &seq);
        }
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        let (count, at) = lookup(&occupied, &s.target);
        match s.ask {
            AskKind::Slot => CheckError::expect_eq("final slot", *value, at.map(|x| x as i64).unwrap_or(-1)),
            AskKind::Probes | AskKind::Miss | AskKind::Delete => CheckError::expect_eq("slots examined", *value, count),
        }
    }
}

/// The second route for `delete`: every method redone on the map of occupied slots (a tombstone
/// is the marker "" that no key equals), every remaining key looked up again; exactly the key's
/// option must lose none.
fn check_delete(
    s: &Scenario,
    q: &Question,
    occupied: &std::collections::BTreeMap<u64, String>,
    seq: &dyn Fn(&str) -> Vec<u64>,
) -> Result<(), CheckError> {
    use std::collections::BTreeMap;
    let Expected::Choice { correct, options } = q.expected(0)? else {
        return Err(CheckError("delete: expected a single choice".into()));
    };
    if options.len() != s.methods.len() {
        return Err(CheckError("delete: one option per method".into()));
    }
    let m = s.m;
    let hole = *occupied.iter().find(|(_, k)| **k == s.target).ok_or_else(|| CheckError("delete: the deleted key is not in the table".into()))?.0;
    // The slots after the hole that hold a key, up to the first empty slot.
    let run = |t: &BTreeMap<u64, String>| -> Vec<u64> { (1..m).map(|d| (hole + d) % m).take_while(|x| t.contains_key(x)).collect() };
    let mut keeps_all = Vec::new();
    for (i, method) in s.methods.iter().enumerate() {
        let mut t = occupied.clone();
        t.remove(&hole);
        match method {
            Method::Empty => {}
            Method::Tombstone => {
                t.insert(hole, String::new());
            }
            Method::ShiftNext => {
                if let Some(k) = t.remove(&((hole + 1) % m)) {
                    t.insert(hole, k);
                }
            }
            Method::MoveLast => {
                if let Some(last) = run(occupied).last() {
                    let k = t.remove(last).unwrap_or_default();
                    t.insert(hole, k);
                }
            }
            Method::ReinsertRun => {
                let moved: Vec<String> = run(occupied).iter().filter_map(|x| t.remove(x)).collect();
                for k in moved {
                    let x = seq(&k).into_iter().find(|x| !t.contains_key(x)).ok_or_else(|| CheckError(format!("delete: {k} found no slot")))?;
                    t.insert(x, k);
                }
            }
        }
        let all_found = s.keys.iter().filter(|k| **k != s.target).all(|k| {
            seq(k).into_iter().map(|x| t.get(&x)).find(|c| c.is_none_or(|v| v == k)).flatten().is_some()
        });
        if all_found {
            keeps_all.push(i);
        }
    }
    CheckError::expect_eq("the options whose deletion keeps every remaining key findable", vec![*correct], keeps_all)
}

/// The `delete` ask: which deletion method keeps every remaining key findable.
fn delete_question(
    s: Scenario,
    t: &[Option<String>],
    prompt: Content,
    trace: Vec<String>,
    table: Vec<Vec<String>>,
    evidence: Content,
) -> Question {
    let pr = |k: &str, i: u64| probe(&s, k, i);
    let cells = cells(t);
    let slot = t.iter().position(|c| c.as_deref() == Some(s.target.as_str())).unwrap_or(0);
    let m = s.m as usize;
    let next = (slot + 1) % m;
    let name = |x: usize| match &cells[x] {
        Cell::Key(k) => format!("`{k}`"),
        _ => "—".into(),
    };
    let run = run_after(&cells, slot);
    let run_keys: Vec<String> = run.iter().map(|&x| name(x)).collect();
    let last = run.last().copied().unwrap_or(next);
    let scheme_name = match s.scheme {
        Scheme::Linear => "linear probing",
        Scheme::Quadratic => "quadratic probing",
        Scheme::Double => "double hashing",
    };
    let text = |method: Method| match method {
        Method::Empty => format!("Set slot {slot} back to empty"),
        Method::Tombstone => format!("Mark slot {slot} as deleted (a tombstone): lookups probe past it, and a later insert may reuse it"),
        Method::ShiftNext => format!("Empty slot {slot}, then move {} from the next slot, {next}, into it", name(next)),
        Method::MoveLast => format!("Move {} (slot {last}, the last key before the next empty slot after {slot}) into slot {slot}, and empty slot {last}", name(last)),
        Method::ReinsertRun => format!(
            "Empty slot {slot}, then take out the keys in slots {next}, {}, … up to the next empty slot (here {}) and insert them again",
            (next + 1) % m,
            run_keys.join(", ")
        ),
    };
    let lure = |method: Method| match method {
        Method::Empty => "An empty slot ends every lookup that reaches it, so it cuts the probe chains that passed through the deleted key.".to_string(),
        Method::ShiftNext => "Moving the next key back one slot ignores where that key's own probe sequence starts, and leaves a new hole behind it.".to_string(),
        Method::MoveLast => "Moving the last key before the next empty slot into the hole works only when that key's home is at or before the hole: a lookup never probes backwards from its home.".to_string(),
        Method::ReinsertRun => format!("Re-inserting the run after the hole is enough for linear probing, but with {scheme_name} a probe sequence jumps, so keys outside that run can pass through the hole."),
        Method::Tombstone => "A tombstone keeps every probe chain intact.".to_string(),
    };
    // How a lost key's lookup now ends.
    let stops = |method: Method, k: &str| {
        let after = delete(&cells, slot, method, &pr);
        let (seen, _) = lookup(&after, k, &pr);
        let seq: Vec<String> = seen.iter().map(|x| x.to_string()).collect();
        format!(
            "`{k}` (home {}) is looked up at slot{} {} and the search stops at the empty slot {}, so `{k}` is no longer found",
            home(k, s.m),
            if seen.len() == 1 { "" } else { "s" },
            seq.join(", "),
            seen.last().copied().unwrap_or(0)
        )
    };
    let mut correct = 0;
    let mut verdicts = Vec::new();
    let options: Vec<ChoiceOption> = s
        .methods
        .iter()
        .enumerate()
        .map(|(i, &method)| {
            let gone = lost(&cells, slot, method, &pr);
            match gone.first() {
                None => {
                    correct = i;
                    verdicts.push(format!("{}: every remaining key is found.", text(method)));
                    ChoiceOption::right(text(method))
                }
                Some(k) => {
                    let also = if gone.len() > 1 {
                        format!(" (it also loses {})", gone[1..].iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", "))
                    } else {
                        String::new()
                    };
                    verdicts.push(format!("{}: {}{also}.", text(method), stops(method, k)));
                    ChoiceOption::wrong(text(method), format!("{} Here {}{also}.", lure(method), stops(method, k)))
                }
            }
        })
        .collect();
    let prompt = prompt
        .p("After all the insertions the table is:")
        .table(["slot", "key"], table)
        .p(format!(
            "Now `{}` (slot {slot}) is deleted. A lookup probes the key's sequence until it finds the key, or reaches an empty slot (not found). Which deletion method keeps every remaining key findable?",
            s.target
        ));
    let right = s.methods[correct];
    let principle = match right {
        Method::Tombstone => "A tombstone keeps every chain intact at the cost of a slot that lookups still probe; they are cleared by a rebuild.",
        _ => "Re-inserting the keys between the hole and the next empty slot is the standard deletion for linear probing (Sedgewick and Wayne's `LinearProbingHashST.delete`; Knuth's Algorithm R moves the same keys back in place): only those keys can have probed through the hole.",
    };
    let solution = Content::new()
        .p("Insert in order, probing until a free slot:")
        .list(trace)
        .p(format!("Delete `{}` from slot {slot} by each method, then look up every remaining key:", s.target))
        .list(verdicts)
        .p(format!("Only one method keeps every key findable: **{}**. {principle}", text(right)));
    // Follow-ups: what the tombstone costs; which keys emptying loses.
    let tomb = delete(&cells, slot, Method::Tombstone, &pr);
    let miss = lookup(&tomb, &s.target, &pr).0.len();
    let mut rebuilt = vec![Cell::Free; m];
    for k in s.keys.iter().filter(|k| **k != s.target) {
        insert_cell(&mut rebuilt, k, &pr);
    }
    let miss_rebuilt = lookup(&rebuilt, &s.target, &pr).0.len();
    let cost = FollowUp::new(
        format!("With a tombstone in slot {slot}, how many slots does a lookup of the deleted `{}` examine, and how many after rebuilding the table from the remaining keys?", s.target),
        format!("{miss} with the tombstone, which the lookup probes past, against {miss_rebuilt} after the rebuild. Tombstones keep lookups correct, but as they pile up unsuccessful lookups grow longer, so tables are rebuilt from time to time."),
    )
    .point("a tombstone slot can be reused by an insert, but only after checking the key is not further along the chain");
    let emptied = lost(&cells, slot, Method::Empty, &pr);
    let cut = FollowUp::new(
        format!("Which keys would a lookup miss if slot {slot} were simply set empty?"),
        format!(
            "{}: each passed through slot {slot} when it was inserted.",
            emptied.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ),
    )
    .point("the keys at risk are exactly those whose probe sequence passes the hole before reaching their slot");
    Question::new(prompt, vec![AnswerSlot::new("the deletion method", Expected::Choice { options, correct })], solution, evidence)
        .with_scenario(&s)
        .followup(cost)
        .followup(cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&OpenAddressing, 0..30).unwrap();
    }

    #[test]
    fn probe_sequences_and_searches_by_hand() {
        let mut s = Scenario { scheme: Scheme::Quadratic, m: 11, keys: vec![], ask: AskKind::Probes, target: String::new(), methods: vec![] };
        let h = home("apple", 11);
        let offsets: Vec<u64> = (0..5).map(|i| (probe(&s, "apple", i) + 11 - h) % 11).collect();
        assert_eq!(offsets, [0, 1, 4, 9, 5]); // 16 mod 11 = 5
        // Linear: fill apple's home and the next slot with other keys; an absent apple then
        // examines 3 slots (two occupied, one empty).
        s.scheme = Scheme::Linear;
        let mut t: Vec<Option<String>> = vec![None; 11];
        t[h as usize] = Some("x".into());
        t[((h + 1) % 11) as usize] = Some("y".into());
        assert_eq!(search(&s, &t, "apple"), (3, None));
        t[((h + 2) % 11) as usize] = Some("apple".into());
        assert_eq!(search(&s, &t, "apple"), (3, Some((h + 2) % 11)));
        // xxh64 of the empty input with seed 0, from the reference implementation.
        assert_eq!(xxh64(b"", 0), 0xef46db3751d8e999);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&OpenAddressing, &["scheme=double".into(), "keys=8".into(), "ask=miss".into()]).unwrap();
        let q = generate(&OpenAddressing, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("double hashing"));
        assert!(q.prompt.plain_text().contains("13 slots"), "8 keys: the smallest prime ≥ 12.8 is 13");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["slot", "probes", "miss", "delete"] {
            let pins = parse_pins(&OpenAddressing, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&OpenAddressing, 3, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&OpenAddressing, &q).unwrap();
            match &mut q.slots[0].expected {
                Expected::Integer { value } => *value += 1,
                Expected::Choice { correct, options } => *correct = (*correct + 1) % options.len(),
                e => panic!("{e:?}"),
            }
            assert!(crate::family::cross_check(&OpenAddressing, &q).is_err(), "{ask}");
        }
    }

    /// A table of 7 slots with hand-made homes; `probe` is linear or quadratic.
    fn hand_table(keys: &[(&str, u64)], quadratic: bool) -> (Vec<Cell>, impl Fn(&str, u64) -> u64) {
        let homes: std::collections::HashMap<String, u64> = keys.iter().map(|(k, h)| (k.to_string(), *h)).collect();
        let pr = move |k: &str, i: u64| (homes[k] + if quadratic { i * i } else { i }) % 7;
        let mut t = vec![Cell::Free; 7];
        for (k, _) in keys {
            insert_cell(&mut t, k, &pr).unwrap();
        }
        (t, pr)
    }

    #[test]
    fn deletions_traced_by_hand_on_linear_probing() {
        // m = 7, linear. a (home 2) → slot 2; b (home 2) → 3; c (home 3) → 4 (3 is taken).
        // Delete a (slot 2):
        // - empty: b probes 2, finds it empty: lost. c probes 3 (b), 4: found.
        // - shift next: b moves to 2 (its home): found; c probes 3, now empty: lost.
        // - move last: the run after 2 is slots 3, 4; c moves 4 → 2, slot 4 empties; b probes
        //   2 (c), 3: found; c probes 3 (b), 4 empty: lost.
        // - re-insert the run: b → 2, c → 3: both found. Tombstone: both found.
        let (t, pr) = hand_table(&[("a", 2), ("b", 2), ("c", 3)], false);
        assert_eq!(t[2..5], [Cell::Key("a".into()), Cell::Key("b".into()), Cell::Key("c".into())]);
        let lost_by = |m| lost(&t, 2, m, &pr);
        assert_eq!(lost_by(Method::Empty), ["b"]);
        assert_eq!(lost_by(Method::ShiftNext), ["c"]);
        assert_eq!(lost_by(Method::MoveLast), ["c"]);
        assert!(lost_by(Method::ReinsertRun).is_empty());
        assert!(lost_by(Method::Tombstone).is_empty());
        let ms = delete_methods(&t, 2, Scheme::Linear, false, &pr).unwrap();
        assert_eq!(ms, [Method::Empty, Method::ShiftNext, Method::MoveLast, Method::ReinsertRun]);
        // The deleted key is not found after a tombstone; the lookup passes it and stops at 5.
        let after = delete(&t, 2, Method::Tombstone, &pr);
        assert_eq!(lookup(&after, "a", &pr), (vec![2, 3, 4, 5], None));
    }

    #[test]
    fn deletions_traced_by_hand_on_quadratic_probing() {
        // m = 7, quadratic (h, h+1, h+4, …). a (home 2) → 2; f (home 3) → 3; e (home 1) → 1;
        // d (home 1) probes 1 (e), 2 (a), 5 → 5. Delete a (slot 2); the run after it is slot 3.
        // - empty: d probes 1 (e), 2 empty: lost.
        // - shift next: f moves to 2 and slot 3 empties; f probes its home 3: lost.
        // - re-insert the run: f goes back to 3, slot 2 stays empty: d is lost, although d
        //   is not in the run (it jumped from 2 to 5).
        // - tombstone: d probes 1, 2 (tombstone), 5: found.
        let (t, pr) = hand_table(&[("a", 2), ("f", 3), ("e", 1), ("d", 1)], true);
        assert_eq!(t[5], Cell::Key("d".into()));
        let lost_by = |m| lost(&t, 2, m, &pr);
        assert_eq!(lost_by(Method::Empty), ["d"]);
        assert_eq!(lost_by(Method::ShiftNext), ["f"]);
        assert_eq!(lost_by(Method::ReinsertRun), ["d"]);
        assert!(lost_by(Method::Tombstone).is_empty());
        let ms = delete_methods(&t, 2, Scheme::Quadratic, true, &pr).unwrap();
        assert_eq!(ms, [Method::Empty, Method::ShiftNext, Method::ReinsertRun, Method::Tombstone]);
    }

    #[test]
    fn delete_feedback_names_the_lost_key() {
        for (seed, d) in [(1, Difficulty::Medium), (2, Difficulty::Hard), (5, Difficulty::Hard)] {
            let pins = parse_pins(&OpenAddressing, &["ask=delete".into()]).unwrap();
            let q = generate(&OpenAddressing, seed, d, &pins).unwrap();
            crate::family::cross_check(&OpenAddressing, &q).unwrap();
            let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
            assert_eq!(options.len(), 4);
            for (i, o) in options.iter().enumerate() {
                assert_eq!(o.why_wrong.is_none(), i == *correct);
                if let Some(w) = &o.why_wrong {
                    assert!(w.contains("is no longer found"), "{w}");
                }
            }
        }
    }
}
