//! `hashing.consistent_ring`: consistent hashing on a ring of 2^16 positions.
//!
//! **Asked** (`ask`):
//! - `owner`: which cache node owns key X (single choice among the nodes; each wrong node carries
//!   the misconception that leads to it: counter-clockwise, nearest by distance, no wrap-around);
//! - `moves`: a node is added; which of the listed keys move (multiple choice, partial credit).
//!
//! **Parameters.** `nodes`: easy 3–4, medium 4–5, hard 3–4; `vnodes` (points per node, named
//! `node#1`, `node#2`, …): 1 at easy and medium, 2–3 at hard; `keys` listed: 5–10.
//!
//! **Positions.** A name's position is the top 16 bits of its real `xxh3_64` (0–65535), shown
//! in the prompt; the key is computed from the positions *as shown*. Names are re-drawn (a bounded
//! number of times) until no two points share a position, so no tie rule is needed.
//!
//! **Key.** Binary search (`partition_point`) for the first point at or after the key's position
//! on the sorted ring, wrapping to the first point.
//!
//! **Second route.** Brute force: for every point, the clockwise distance (point − key) mod 2^16,
//! and the minimum. For `moves`, additionally every key that moves must move *to the new node*
//! (the defining property of consistent hashing).

use crate::answer::{AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The family.
pub struct ConsistentRing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "owner: which node owns a key; moves: which keys move when a node is added",
        kind: ParamKind::Choice {
            options: &["owner", "moves"],
            draw: [&["owner"], &["owner", "moves"], &["owner", "moves"]],
        },
    },
    ParamSpec {
        key: "nodes",
        help: "number of cache nodes",
        kind: ParamKind::Int {
            min: 2,
            max: 8,
            draw: [(3, 4), (4, 5), (3, 4)],
        },
    },
    ParamSpec {
        key: "vnodes",
        help: "ring points (virtual nodes) per node",
        kind: ParamKind::Int {
            min: 1,
            max: 4,
            draw: [(1, 1), (1, 1), (2, 3)],
        },
    },
    ParamSpec {
        key: "keys",
        help: "number of keys listed (moves variant)",
        kind: ParamKind::Int {
            min: 2,
            max: 12,
            draw: [(5, 6), (6, 8), (8, 10)],
        },
    },
];

const RING: u32 = 1 << 16;

/// A point on the ring: its label (`cache-b` or `cache-b#2`), owning node index, position.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Point {
    label: String,
    node: usize,
    pos: u32,
}

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    nodes: Vec<String>,
    /// Ring points before (and, for `moves`, the new node's points, which are last).
    points: Vec<Point>,
    new_points: usize,
    keys: Vec<(String, u32)>,
}

/// The shown position: the top 16 bits of xxh3_64.
fn position(name: &str) -> u32 {
    (xxh3_64(name.as_bytes()) >> 48) as u32
}

/// Route 1: binary search on the ring sorted by position.
fn owner_by_search(points: &[Point], key: u32) -> usize {
    let mut ring: Vec<&Point> = points.iter().collect();
    ring.sort_by_key(|p| p.pos);
    let i = ring.partition_point(|p| p.pos < key);
    ring[if i == ring.len() { 0 } else { i }].node
}

/// Route 2: brute force over every point's clockwise distance.
fn owner_by_scan(points: &[Point], key: u32) -> usize {
    points
        .iter()
        .min_by_key(|p| (p.pos + RING - key) % RING)
        .map(|p| p.node)
        .unwrap_or(0)
}

fn points_for(nodes: &[String], vnodes: usize, first_index: usize) -> Vec<Point> {
    let mut out = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        for v in 1..=vnodes {
            let label = if vnodes == 1 {
                n.clone()
            } else {
                format!("{n}#{v}")
            };
            out.push(Point {
                pos: position(&label),
                label,
                node: first_index + i,
            });
        }
    }
    out
}

fn distinct(points: &[Point], keys: &[(String, u32)]) -> bool {
    let mut all: Vec<u32> = points.iter().map(|p| p.pos).collect();
    all.extend(keys.iter().map(|k| k.1));
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    all.len() == n
}

impl Family for ConsistentRing {
    fn id(&self) -> &'static str {
        "hashing.consistent_ring"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Consistent hashing on a ring"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `nodes`, `vnodes` and `keys` show as the ring points and keys the prompt lists.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["keys", "nodes", "vnodes"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let n_nodes = cx.int("nodes") as usize;
        let vnodes = cx.int("vnodes") as usize;
        let n_keys = if ask == "moves" {
            cx.int("keys") as usize
        } else {
            1
        };
        let rng = cx.rng();
        let mut letters: Vec<char> = ('a'..='p').collect();
        // Draw names until every point and key has its own position, and (for `moves`) at least
        // one listed key moves and one stays.
        let mut found = None;
        for _ in 0..200 {
            letters.shuffle(rng);
            let suffix = rng.random_range(1..=9);
            let nodes: Vec<String> = letters[..n_nodes + 1]
                .iter()
                .map(|c| format!("cache-{c}{suffix}"))
                .collect();
            let (old, new) = nodes.split_at(n_nodes);
            let mut points = points_for(old, vnodes, 0);
            let new_points = points_for(new, vnodes, n_nodes);
            let keys: Vec<(String, u32)> = (0..n_keys)
                .map(|_| {
                    let k = format!("user:{}", rng.random_range(1000..9999));
                    let p = position(&k);
                    (k, p)
                })
                .collect();
            let mut all = points.clone();
            all.extend(new_points.iter().cloned());
            if !distinct(&all, &keys) {
                continue;
            }
            if ask == "moves" {
                let moved = keys
                    .iter()
                    .filter(|(_, k)| owner_by_search(&points, *k) != owner_by_search(&all, *k))
                    .count();
                if moved == 0 || moved == keys.len() {
                    continue;
                }
                let n_new = new_points.len();
                points.extend(new_points);
                found = Some((nodes, points, n_new, keys));
            } else {
                found = Some((old.to_vec(), points, 0, keys));
            }
            break;
        }
        let Some((nodes, points, new_points, keys)) = found else {
            return Err(GenError::Params {
                message: "no layout with distinct positions was found for these parameters".into(),
                hint: "use fewer nodes, vnodes or keys".into(),
            });
        };
        let scenario = Scenario {
            ask: ask.into(),
            nodes,
            points,
            new_points,
            keys,
        };
        if ask == "moves" {
            Ok(moves_question(scenario))
        } else {
            Ok(owner_question(scenario))
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let before = &s.points[..s.points.len() - s.new_points];
        match q.expected(0)? {
            Expected::Choice { correct, .. } => {
                let key = s.keys.first().ok_or_else(|| CheckError("no key".into()))?.1;
                CheckError::expect_eq("owner (brute-force scan)", *correct, owner_by_scan(before, key))
            }
            Expected::Multi { correct, .. } => {
                let new_node = s.nodes.len() - 1;
                let mut moved = Vec::new();
                for (i, (name, k)) in s.keys.iter().enumerate() {
                    let (a, b) = (owner_by_scan(before, *k), owner_by_scan(&s.points, *k));
                    if a != b {
                        if b != new_node {
                            return Err(CheckError(format!("{name} moved to a node other than the new one")));
                        }
                        moved.push(i);
                    }
                }
                let mut c = correct.clone();
                c.sort_unstable();
                CheckError::expect_eq("moved keys (brute-force scan)", c, moved)
            }
            e => Err(CheckError(format!("unexpected slot {e:?}"))),
        }
    }
}

fn ring_table(points: &[Point]) -> Vec<Vec<String>> {
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by_key(|p| p.pos);
    sorted
        .iter()
        .map(|p| vec![format!("`{}`", p.label), p.pos.to_string()])
        .collect()
}

fn evidence(s: &Scenario) -> Content {
    let mut rows: Vec<Vec<String>> = s
        .points
        .iter()
        .map(|p| {
            vec![
                format!("`{}`", p.label),
                format!("`{:016x}`", xxh3_64(p.label.as_bytes())),
                p.pos.to_string(),
            ]
        })
        .collect();
    rows.extend(s.keys.iter().map(|(k, pos)| {
        vec![
            format!("`{k}`"),
            format!("`{:016x}`", xxh3_64(k.as_bytes())),
            pos.to_string(),
        ]
    }));
    Content::new()
        .p("Real `xxh3_64` values (xxhash-rust) and the shown positions (their top 16 bits):")
        .table(["name", "xxh3_64", "position"], rows)
}

const RULE: &str = "Each name is placed at position `xxh3_64(name) >> 48` (0 to 65535) on a ring. A key belongs \
to the first node point at or after its position going clockwise (upwards), wrapping from 65535 back to 0.";

fn owner_question(s: Scenario) -> Question {
    let (key, kpos) = s.keys[0].clone();
    let owner = owner_by_search(&s.points, kpos);
    let mut sorted: Vec<&Point> = s.points.iter().collect();
    sorted.sort_by_key(|p| p.pos);
    let pred = sorted
        .iter()
        .rev()
        .find(|p| p.pos < kpos)
        .or(sorted.last())
        .map(|p| p.node);
    let nearest = s
        .points
        .iter()
        .min_by_key(|p| {
            let d = p.pos.abs_diff(kpos);
            d.min(RING - d)
        })
        .map(|p| p.node);
    let no_wrap = sorted.last().map(|p| p.node);
    let wraps = sorted.iter().all(|p| p.pos < kpos);
    let options: Vec<ChoiceOption> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if i == owner {
                ChoiceOption::right(format!("`{n}`"))
            } else if Some(i) == pred {
                ChoiceOption::wrong(format!("`{n}`"), "that is the point before the key (counter-clockwise); ownership goes to the next point clockwise")
            } else if Some(i) == nearest {
                ChoiceOption::wrong(format!("`{n}`"), "that is the nearest point by distance, but the ring assigns the next point clockwise, not the closest")
            } else if wraps && Some(i) == no_wrap {
                ChoiceOption::wrong(format!("`{n}`"), "the key is past the last point: the search wraps around to the first point")
            } else {
                ChoiceOption::wrong(format!("`{n}`"), "that node's points are not the first clockwise from the key")
            }
        })
        .collect();
    let vn = s.points.len() > s.nodes.len();
    let prompt = Content::new()
        .p(format!(
            "A cache cluster shards keys with consistent hashing. {RULE}{}",
            if vn {
                " Each node has several points (virtual nodes) named `node#1`, `node#2`, …; a key owned by a point is owned by its node."
            } else {
                ""
            }
        ))
        .table(["ring point", "position"], ring_table(&s.points))
        .p(format!(
            "The key `{key}` hashes to position **{kpos}**. Which node owns it?"
        ));
    let owner_point = sorted
        .iter()
        .find(|p| p.pos >= kpos)
        .or(sorted.first())
        .map(|p| (p.label.clone(), p.pos))
        .unwrap_or_default();
    let solution = Content::new()
        .p(format!(
            "Sort the points by position and find the first at or after {kpos}{}.",
            if wraps {
                ": every point is below it, so the search wraps around to the lowest point"
            } else {
                ""
            }
        ))
        .p(format!(
            "That point is `{}` at {}, so the owner is **`{}`**.",
            owner_point.0, owner_point.1, s.nodes[owner]
        ));
    let ev = evidence(&s);
    Question::new(
        prompt,
        vec![AnswerSlot::new(
            format!("the node that owns `{key}`"),
            Expected::Choice {
                options,
                correct: owner,
            },
        )],
        solution,
        ev,
    )
    .with_scenario(&s)
}

fn moves_question(s: Scenario) -> Question {
    let split = s.points.len() - s.new_points;
    let before = &s.points[..split];
    let new_node = s.nodes.len() - 1;
    let new_name = s.nodes[new_node].clone();
    let mut correct = Vec::new();
    let mut rows = Vec::new();
    for (i, (k, pos)) in s.keys.iter().enumerate() {
        let a = owner_by_search(before, *pos);
        let b = owner_by_search(&s.points, *pos);
        if a != b {
            correct.push(i);
        }
        rows.push(vec![
            format!("`{k}`"),
            pos.to_string(),
            format!("`{}`", s.nodes[a]),
            format!("`{}`", s.nodes[b]),
            if a != b { "**moves**".into() } else { "stays".to_string() },
        ]);
    }
    let options: Vec<ChoiceOption> = s
        .keys
        .iter()
        .enumerate()
        .map(|(i, (k, pos))| {
            if correct.contains(&i) {
                ChoiceOption::right(format!("`{k}` (position {pos})"))
            } else {
                ChoiceOption::wrong(
                    format!("`{k}` (position {pos})"),
                    "its next point clockwise is still an old node: only keys in the arcs just before the new node's points move",
                )
            }
        })
        .collect();
    let new_labels: Vec<String> = s.points[split..]
        .iter()
        .map(|p| format!("`{}` at {}", p.label, p.pos))
        .collect();
    let prompt = Content::new()
        .p(format!("A cache cluster shards keys with consistent hashing. {RULE}"))
        .table(["ring point", "position"], ring_table(before))
        .p(format!(
            "A new node `{new_name}` joins, adding the point(s) {}. Which of these keys move to a different node?",
            new_labels.join(", ")
        ));
    let solution = Content::new()
        .p("Find each key's owner before and after the new points are inserted; a key moves only if a new point now sits between it and its old owner, and then it moves to the new node.")
        .table(["key", "position", "owner before", "owner after", ""], rows)
        .p(format!(
            "{} of {} keys move, all to `{new_name}`: consistent hashing moves only about 1/(nodes) of the keys, where a modulo scheme would move most of them.",
            correct.len(),
            s.keys.len()
        ));
    let ev = evidence(&s);
    Question::new(
        prompt,
        vec![AnswerSlot::new(
            "the keys that move",
            Expected::Multi {
                options,
                correct,
                rule: PartialCredit::RightMinusWrong,
            },
        )],
        solution,
        ev,
    )
    .with_scenario(&s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&ConsistentRing, 0..40).unwrap();
    }

    #[test]
    fn routes_agree_on_a_hand_built_ring() {
        // Points at 100 (a), 30000 (b), 60000 (c). Key 100 → a (at, not after); 101 → b;
        // 60001 → wraps to a; 59999 → c.
        let p = |label: &str, node, pos| Point { label: label.into(), node, pos };
        let ring = vec![p("b", 1, 30000), p("a", 0, 100), p("c", 2, 60000)];
        for (key, owner) in [(100, 0), (101, 1), (60001, 0), (59999, 2), (0, 0)] {
            assert_eq!(owner_by_search(&ring, key), owner, "key {key}");
            assert_eq!(owner_by_scan(&ring, key), owner, "key {key}");
        }
    }

    #[test]
    fn positions_are_real_xxh3() {
        // xxh3_64 of the empty input is 2d06800538d394c2 (the xxHash reference test vector).
        assert_eq!(xxh3_64(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(position(""), 0x2d06);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&ConsistentRing, &["ask=moves".into(), "vnodes=2".into(), "nodes=3".into()]).unwrap();
        let q = generate(&ConsistentRing, 9, Difficulty::Easy, &pins).unwrap();
        let s: Scenario = q.scenario().unwrap();
        assert_eq!((s.ask.as_str(), s.nodes.len(), s.new_points), ("moves", 4, 2));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["owner", "moves"] {
            let pins = parse_pins(&ConsistentRing, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&ConsistentRing, 3, Difficulty::Hard, &pins).unwrap();
            crate::family::cross_check(&ConsistentRing, &q).unwrap();
            match &mut q.slots[0].expected {
                Expected::Choice { correct, options } => *correct = (*correct + 1) % options.len(),
                Expected::Multi { correct, .. } => {
                    correct.pop();
                }
                _ => panic!(),
            }
            assert!(crate::family::cross_check(&ConsistentRing, &q).is_err(), "{ask}");
        }
    }
}
