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
//! table, whose home slot is shown, stopping at the first empty slot.
//!
//! **Parameters.** `keys`: easy 6–7, medium 7–9, hard 8–10; `slots` m: the smallest prime ≥
//! 1.6·keys (linear) or ≥ 2·keys (quadratic); `scheme`: easy linear, medium linear/quadratic, hard
//! any.
//!
//! **Key.** Run the insertions and the search on a real table.
//!
//! **Second route.** An independent re-implementation that recomputes every key's probe sequence
//! from scratch against a set of occupied slots; every inserted key must be found with the stated
//! probe count, and the table must hold each key exactly once.
//!
//! **Pitfalls**: putting a key in its home slot regardless; counting probes from 0; stopping an
//! unsuccessful search at the first non-matching key instead of at an empty slot.

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh64::xxh64;

/// The family.
pub struct OpenAddressing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "slot: a key's final slot; probes: slots examined to find a key; miss: slots examined by an unsuccessful search",
        kind: ParamKind::Choice {
            options: &["slot", "probes", "miss"],
            draw: [&["slot", "probes"], &["slot", "probes", "miss"], &["slot", "probes", "miss"]],
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

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    scheme: String,
    m: u64,
    keys: Vec<String>,
    ask: String,
    /// The key asked about (an inserted key, or for `miss` a key not in the table).
    target: String,
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
    match s.scheme.as_str() {
        "linear" => (h + i) % s.m,
        "quadratic" => (h + i * i) % s.m,
        _ => (h + i * step2(key, s.m)) % s.m,
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

impl Family for OpenAddressing {
    fn id(&self) -> &'static str {
        "hashing.open_addressing"
    }
    fn version(&self) -> u32 {
        1
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
    /// `keys` is the number of keys inserted, listed in the prompt.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["keys"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let scheme = cx.pick("scheme");
        let n = cx.int("keys") as usize;
        let factor = if scheme == "quadratic" { 2.0 } else { 1.6 };
        let m = ((n as f64 * factor).ceil() as u64..).find(|x| is_prime(*x)).unwrap_or(13);
        // Draw key sets until the question is interesting: some collision happened and the asked
        // key (or the missing one) needs more than one probe.
        let mut best = None;
        for _ in 0..60 {
            let mut pool: Vec<&str> = WORDS.to_vec();
            let mut keys = Vec::new();
            for _ in 0..n + 1 {
                let i = cx.rng().random_range(0..pool.len());
                keys.push(pool.remove(i).to_string());
            }
            let missing = keys.pop().unwrap_or_default();
            let mut s = Scenario { scheme: scheme.into(), m, keys, ask: ask.into(), target: missing };
            let Ok(t) = insert_all(&s) else { continue };
            if ask != "miss" {
                let displaced: Vec<&String> = s.keys.iter().filter(|k| search(&s, &t, k).0 > 1).collect();
                if let Some(k) = displaced.last() {
                    s.target = (*k).clone();
                    best = Some(s);
                    break;
                }
            } else if search(&s, &t, &s.target).0 > 1 {
                best = Some(s);
                break;
            }
            best.get_or_insert(s);
        }
        let Some(mut s) = best else {
            return Err(GenError::Run("could not draw a key set".into()));
        };
        if ask != "miss" && !s.keys.contains(&s.target) {
            s.target = s.keys[s.keys.len() - 1].clone();
        }
        let t = insert_all(&s).map_err(GenError::Run)?;
        let (count, found) = search(&s, &t, &s.target);
        let rule = match scheme {
            "linear" => "linear probing: try h, h+1, h+2, … (mod m)".to_string(),
            "quadratic" => "quadratic probing: try h, h+1, h+4, h+9, … (h + i², mod m)".to_string(),
            _ => "double hashing: try h, h+d, h+2d, … (mod m), where d is the key's step shown in the table".to_string(),
        };
        let mut header = vec!["key".to_string(), format!("home h = xxh64 mod {m}")];
        if scheme == "double" {
            header.push(format!("step d = 1 + xxh64(key, seed 1) mod {}", m - 1));
        }
        let shown: Vec<String> = if ask == "miss" { s.keys.iter().chain(std::iter::once(&s.target)).cloned().collect() } else { s.keys.clone() };
        let rows: Vec<Vec<String>> = shown
            .iter()
            .map(|k| {
                let mut r = vec![format!("`{k}`"), home(k, m).to_string()];
                if scheme == "double" {
                    r.push(step2(k, m).to_string());
                }
                r
            })
            .collect();
        let mut prompt = Content::new()
            .p(format!(
                "A hash table has **{m}** slots (0–{}) and resolves collisions by {rule}. Keys are inserted in this order, starting from an empty table:",
                m - 1
            ))
            .table(header, rows);
        let (ask_text, slot, answer_text) = match ask {
            "slot" => (
                format!("In which slot does `{}` end up?", s.target),
                AnswerSlot::new("slot", Expected::Integer { value: found.unwrap_or(0) as i64 }),
                format!("`{}` ends up in slot **{}**.", s.target, found.unwrap_or(0)),
            ),
            "probes" => (
                format!("After all insertions, how many slots does a lookup of `{}` examine (counting the slot where it is found)?", s.target),
                AnswerSlot::new("slots examined", Expected::Integer { value: count as i64 }),
                format!("Looking up `{}` follows the same sequence and examines **{count}** slots.", s.target),
            ),
            _ => (
                format!("`{}` is not in the table (its home slot is in the last row). How many slots does an unsuccessful lookup of it examine, counting the empty slot that ends the search?", s.target),
                AnswerSlot::new("slots examined", Expected::Integer { value: count as i64 }),
                format!("The search for `{}` stops at the first empty slot after examining **{count}** slots.", s.target),
            ),
        };
        prompt = prompt.p(ask_text);
        let trace: Vec<String> = s
            .keys
            .iter()
            .map(|k| {
                let (c, at) = search(&s, &t, k);
                let seq: Vec<String> = (0..c).map(|i| probe(&s, k, i).to_string()).collect();
                format!("`{k}`: tried {} → slot {}", seq.join(", "), at.unwrap_or(0))
            })
            .collect();
        let solution = Content::new().p("Insert in order, probing until a free slot:").list(trace).p(answer_text);
        let table: Vec<Vec<String>> = t.iter().enumerate().map(|(i, k)| vec![i.to_string(), k.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "—".into())]).collect();
        let evidence = Content::new()
            .p(format!("Final table (real xxh64 digests, seed 0; for example xxh64(\"{}\") = {:016x}):", s.keys[0], xxh64(s.keys[0].as_bytes(), 0)))
            .table(["slot", "key"], table);
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        // Independent route: occupied set, probe sequences recomputed with explicit formulas.
        let m = s.m;
        let seq = |k: &str| -> Vec<u64> {
            let h = xxh64(k.as_bytes(), 0) % m;
            let d = 1 + xxh64(k.as_bytes(), 1) % (m - 1);
            (0..m)
                .map(|i| match s.scheme.as_str() {
                    "linear" => (h + i) % m,
                    "quadratic" => (h + (i * i) % m) % m,
                    _ => (h + (i * d) % m) % m,
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
        let lookup = |k: &str| -> (i64, Option<u64>) {
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
            if lookup(k).1.is_none() {
                return Err(CheckError(format!("inserted key {k} is not found")));
            }
        }
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        let (count, at) = lookup(&s.target);
        match s.ask.as_str() {
            "slot" => CheckError::expect_eq("final slot", *value, at.map(|x| x as i64).unwrap_or(-1)),
            _ => CheckError::expect_eq("slots examined", *value, count),
        }
    }
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
        let mut s = Scenario { scheme: "quadratic".into(), m: 11, keys: vec![], ask: "probes".into(), target: String::new() };
        let h = home("apple", 11);
        let offsets: Vec<u64> = (0..5).map(|i| (probe(&s, "apple", i) + 11 - h) % 11).collect();
        assert_eq!(offsets, [0, 1, 4, 9, 5]); // 16 mod 11 = 5
        // Linear: fill apple's home and the next slot with other keys; an absent apple then
        // examines 3 slots (two occupied, one empty).
        s.scheme = "linear".into();
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
        for ask in ["slot", "probes", "miss"] {
            let pins = parse_pins(&OpenAddressing, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&OpenAddressing, 3, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&OpenAddressing, &q).unwrap();
            let Expected::Integer { value } = q.slots[0].expected else { panic!() };
            q.slots[0].expected = Expected::Integer { value: value + 1 };
            assert!(crate::family::cross_check(&OpenAddressing, &q).is_err(), "{ask}");
        }
    }
}
