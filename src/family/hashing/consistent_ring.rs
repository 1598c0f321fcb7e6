//! `hashing.consistent_ring`: consistent hashing on a ring of 2^16 positions.
//!
//! **Asked** (`ask`):
//! - `owner`: which cache node owns key X (single choice among the nodes; each wrong node carries
//!   the misconception that leads to it: counter-clockwise, nearest by distance, no wrap-around);
//! - `moves`: a node is added; which of the listed keys move (multiple choice, partial credit);
//! - `evens` (judgment, medium and hard): the drawn ring is visibly unbalanced (the prompt shows
//!   each node's share of the ring and its keys out of a workload of 10,000 real keys,
//!   `user:1` … `user:10000`); which single change brings the busiest node's load closest to the
//!   mean while keeping the rule that a node added later takes keys only for itself (no key moves
//!   between two existing nodes): 100 points per node (virtual nodes), one more node at its
//!   shown position, `xxh3_64(key) mod n` instead of the ring, or SHA-256 for the keys instead of
//!   xxh3. Each wrong option's feedback gives its measured busiest/mean load, and for `mod n` the
//!   share of keys that move (and move between existing nodes) when a node joins.
//!
//! **Parameters.** `nodes`: easy 3–4, medium 4–5, hard 3–4; `vnodes` (points per node, named
//! `node#1`, `node#2`, …): 1 at easy and medium, 2–3 at hard; `keys` listed: 5–10 (`owner` and
//! `evens` do not use it).
//!
//! **Positions.** A name's position is the top 16 bits of its real `xxh3_64` (0–65535), shown
//! in the prompt; the key is computed from the positions *as shown*. Names are re-drawn (a bounded
//! number of times) until no two points share a position, so no tie rule is needed.
//!
//! **Key.** Binary search (`partition_point`) for the first point at or after the key's position
//! on the sorted ring, wrapping to the first point.
//!
//! For `evens`: run every change on the drawn instance: place the 10,000 workload keys (binary
//! search on the ring, or `mod n`), count each node's keys (busiest/mean), then add one more node
//! and count the keys that move and those that move between two existing nodes. The key is the
//! change with the lowest busiest/mean among those that move no key between existing nodes; a
//! draw is kept only when the ring is visibly unbalanced (busiest/mean ≥ 1.5) and the winner
//! leads clearly (the runner-up is at least 0.2 higher and at least twice as far above 1).
//!
//! **Second route.** Brute force: for every point, the clockwise distance (point − key) mod 2^16,
//! and the minimum. For `moves`, additionally every key that moves must move *to the new node*
//! (the defining property of consistent hashing). For `evens`, no keys at all: each ring layout's
//! loads are its exact arc lengths (a node's share of the 2^16 positions), `mod n` is ruled out by
//! the exact share of keys that change node between existing nodes, (n − 1)/(n + 1), and the
//! change with the smallest largest arc share must be the key; in addition the binary search of
//! the key route must agree with the brute-force scan for the first 500 workload keys in every
//! ring layout.

use super::birthday::group;
use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question,
    Topic,
};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::xxh3_64;

/// The family.
pub struct ConsistentRing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "owner: which node owns a key; moves: which keys move when a node is added; evens: which change evens an unbalanced ring",
        kind: ParamKind::Choice {
            options: &["owner", "moves", "evens"],
            draw: [&["owner"], &["owner", "moves", "evens"], &["owner", "moves", "evens"]],
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

/// The asks, parsed once at the top of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AskKind {
    Owner,
    Moves,
    Evens,
}

impl AskKind {
    fn parse(s: &str) -> Result<AskKind, String> {
        match s {
            "owner" => Ok(AskKind::Owner),
            "moves" => Ok(AskKind::Moves),
            "evens" => Ok(AskKind::Evens),
            other => Err(format!("unknown ask `{other}`")),
        }
    }
}

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    /// The nodes; for `evens` the n nodes of the ring, then the spare node of the "add a node"
    /// change, then the node that joins later.
    nodes: Vec<String>,
    /// Ring points before (and, for `moves`, the new node's points, which are last).
    points: Vec<Point>,
    new_points: usize,
    keys: Vec<(String, u32)>,
    /// `evens`: points per node on the drawn ring.
    #[serde(default)]
    vnodes: usize,
    /// `evens`: the change each option makes, in option order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<Fix>,
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
        3
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
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("owner", [2, 3, 4], &["consistent-hashing"]),
            Ask::new("moves", [3, 4, 6], &["consistent-hashing"]),
            Ask::new("evens", [3, 4, 5], &["consistent-hashing", "virtual-nodes"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "which node owns a key; which keys move when a node joins (virtual nodes at hard); which change evens an unbalanced ring",
            key: "binary search on the ring of real xxh3 positions; each change run on 10,000 real keys",
            second_route: "brute-force clockwise distance; moved keys all go to the new node; loads from exact arc lengths",
        }
    }
    /// `nodes`, `vnodes` and `keys` show as the ring points and keys the prompt lists.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["keys", "nodes", "vnodes"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask_id = cx.pick("ask");
        let ask = AskKind::parse(ask_id).map_err(GenError::Run)?;
        let n_nodes = cx.int("nodes") as usize;
        let vnodes = cx.int("vnodes") as usize;
        if ask == AskKind::Evens {
            return evens_question(cx, n_nodes, vnodes);
        }
        let n_keys = if ask == AskKind::Moves {
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
            if ask == AskKind::Moves {
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
            ask: ask_id.into(),
            nodes,
            points,
            new_points,
            keys,
            vnodes,
            fixes: Vec::new(),
        };
        if ask == AskKind::Moves {
            Ok(moves_question(scenario))
        } else {
            Ok(owner_question(scenario))
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        if AskKind::parse(&s.ask).map_err(CheckError)? == AskKind::Evens {
            return check_evens(&s, q);
        }
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
    let rest: Vec<Point> = s.points.iter().filter(|p| p.node != owner).cloned().collect();
    let heir = owner_by_search(&rest, kpos);
    let fails = FollowUp::new(
        format!("Node `{}` fails and its points leave the ring. Who owns `{key}` now?", s.nodes[owner]),
        format!(
            "`{}`: the next point clockwise that remains. Only the failed node's keys move{}.",
            s.nodes[heir],
            if vn { ", and with virtual nodes they spread over several survivors" } else { ", all of them to its clockwise neighbour" }
        ),
    )
    .point("without virtual nodes one neighbour absorbs the whole load of a failed node");
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
    .followup(fails)
}

/// The share of the ring (arc lengths before each point, over 2^16) owned by the points of `node`.
fn ring_share(points: &[Point], node: usize) -> f64 {
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by_key(|p| p.pos);
    let n = sorted.len();
    let arc: u32 = (0..n)
        .filter(|&i| sorted[i].node == node)
        .map(|i| (sorted[i].pos + RING - sorted[(i + n - 1) % n].pos) % RING)
        .sum();
    arc as f64 / RING as f64
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
            "{} of {} keys move, all to `{new_name}`: consistent hashing moves only about $1/n$ of the keys for $n$ nodes, where a modulo scheme would move most of them.",
            correct.len(),
            s.keys.len()
        ));
    let ev = evidence(&s);
    let share = ring_share(&s.points, new_node);
    let fair = 1.0 / s.nodes.len() as f64;
    let share_followup = FollowUp::new(
        format!("What share of the ring, and so of the key space, does `{new_name}` take over?"),
        format!(
            "{}% (the arcs just before its points), against a fair share of $1/{}$ = {}%.",
            crate::answer::fmt_sig(100.0 * share, 3),
            s.nodes.len(),
            crate::answer::fmt_sig(100.0 * fair, 3)
        ),
    )
    .point("a node's load is its arc length: with few points per node, arcs and loads vary widely; virtual nodes even them out");
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
    .followup(share_followup)
}

// ---- `evens`: which change evens an unbalanced ring ----

/// Keys in the measured workload of `evens`: `user:1` … `user:10000`.
const WORKLOAD: usize = 10_000;
/// Points per node of the virtual-node change.
const FIX_POINTS: usize = 100;
/// A ring counts as visibly unbalanced from this busiest/mean load on.
const UNBALANCED: f64 = 1.5;

/// A change offered by `evens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Fix {
    /// 100 points per node.
    VirtualNodes,
    /// One more node (the spare), with as many points as the others.
    AddNode,
    /// `xxh3_64(key) mod n`, no ring.
    Modulo,
    /// Key positions from SHA-256 instead of xxh3.
    KeyHash,
}

impl Fix {
    const ALL: [Fix; 4] = [Fix::VirtualNodes, Fix::AddNode, Fix::Modulo, Fix::KeyHash];
}

/// One workload key: its ring position by xxh3 and by SHA-256 (the top 16 bits of each), and its
/// full xxh3_64 for `mod n`.
struct WorkKey {
    pos: u32,
    sha_pos: u32,
    h: u64,
}

/// The workload `user:1` … `user:10000`, hashed once per process.
fn workload() -> &'static [WorkKey] {
    static KEYS: std::sync::OnceLock<Vec<WorkKey>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        (1..=WORKLOAD)
            .map(|i| {
                let k = format!("user:{i}");
                let h = xxh3_64(k.as_bytes());
                let d = Sha256::digest(k.as_bytes());
                WorkKey {
                    pos: (h >> 48) as u32,
                    sha_pos: (u32::from(d[0]) << 8) | u32::from(d[1]),
                    h,
                }
            })
            .collect()
    })
}

/// Where keys go under one layout.
enum Placement {
    /// A ring of points; keys placed at their SHA-256 position when `sha`.
    Ring { points: Vec<Point>, sha: bool },
    /// `xxh3_64(key) mod n`.
    Modulo(u64),
}

impl Placement {
    /// The owner of every key: binary search on the ring, sorted once.
    fn owners(&self, keys: &[WorkKey]) -> Vec<usize> {
        match self {
            Placement::Ring { points, sha } => {
                let mut ring: Vec<&Point> = points.iter().collect();
                ring.sort_by_key(|p| p.pos);
                keys.iter()
                    .map(|k| {
                        let pos = if *sha { k.sha_pos } else { k.pos };
                        let i = ring.partition_point(|p| p.pos < pos);
                        ring[if i == ring.len() { 0 } else { i }].node
                    })
                    .collect()
            }
            Placement::Modulo(n) => keys.iter().map(|k| (k.h % n) as usize).collect(),
        }
    }
}

/// The layouts before and after the later node (`names[n + 1]`) joins, for `fix` (`None`: the
/// ring as drawn, n nodes of v points), and the number of nodes before it joins (also its index).
fn layouts(fix: Option<Fix>, names: &[String], n: usize, v: usize) -> (Placement, Placement, usize) {
    let later = &names[n + 1..n + 2];
    let ring = |nodes: usize, per: usize, sha: bool| {
        let before = points_for(&names[..nodes], per, 0);
        let mut after = before.clone();
        after.extend(points_for(later, per, nodes));
        (Placement::Ring { points: before, sha }, Placement::Ring { points: after, sha }, nodes)
    };
    match fix {
        None => ring(n, v, false),
        Some(Fix::VirtualNodes) => ring(n, FIX_POINTS, false),
        // The spare is names[n].
        Some(Fix::AddNode) => ring(n + 1, v, false),
        Some(Fix::KeyHash) => ring(n, v, true),
        Some(Fix::Modulo) => (Placement::Modulo(n as u64), Placement::Modulo(n as u64 + 1), n),
    }
}

/// What one layout does with the workload.
#[derive(Debug, Clone)]
struct Outcome {
    /// Keys per node.
    loads: Vec<u64>,
    /// Keys that change node when the later node joins.
    moved: u64,
    /// Of those, the keys that move between two existing nodes.
    between_old: u64,
}

impl Outcome {
    /// The busiest node's load over the mean load.
    fn peak(&self) -> f64 {
        let max = self.loads.iter().copied().max().unwrap_or(0);
        max as f64 * self.loads.len() as f64 / WORKLOAD as f64
    }
}

/// Runs `fix` (`None`: nothing changed) on the workload.
fn outcome(fix: Option<Fix>, names: &[String], n: usize, v: usize) -> Outcome {
    let keys = workload();
    let (before, after, later) = layouts(fix, names, n, v);
    let (a, b) = (before.owners(keys), after.owners(keys));
    let mut loads = vec![0; later];
    for &o in &a {
        loads[o] += 1;
    }
    let moved = a.iter().zip(&b).filter(|(x, y)| x != y).count() as u64;
    let between_old = a.iter().zip(&b).filter(|(x, y)| x != y && **y != later).count() as u64;
    Outcome { loads, moved, between_old }
}

/// The key of `evens`: the index of the change with the lowest busiest/mean load among those
/// that move no key between existing nodes, when it leads clearly (the runner-up at least 0.2
/// higher and at least twice as far above 1).
fn evens_winner(out: &[Outcome]) -> Option<usize> {
    let mut ok: Vec<usize> = (0..out.len()).filter(|&i| out[i].between_old == 0).collect();
    ok.sort_by(|&a, &b| out[a].peak().total_cmp(&out[b].peak()));
    let (&best, &second) = (ok.first()?, ok.get(1)?);
    let (b, s) = (out[best].peak(), out[second].peak());
    (s - b >= 0.2 && s - 1.0 >= 2.0 * (b - 1.0)).then_some(best)
}

fn evens_question(cx: &mut Ctx, n: usize, v: usize) -> Result<Question, GenError> {
    let rng = cx.rng();
    let mut letters: Vec<char> = ('a'..='p').collect();
    for _ in 0..200 {
        letters.shuffle(rng);
        let suffix = rng.random_range(1..=9);
        let mut names: Vec<String> = letters[..n + 2].iter().map(|c| format!("cache-{c}{suffix}")).collect();
        // The ring's nodes in name order (the load table and `mod n` numbering follow it).
        names[..n].sort();
        // Every point the question shows (the ring, the spare, the later node) has its own position.
        let mut shown = points_for(&names, v, 0);
        if !distinct(&shown, &[]) {
            continue;
        }
        let now = outcome(None, &names, n, v);
        if now.peak() < UNBALANCED {
            continue;
        }
        let mut fixes = Fix::ALL.to_vec();
        fixes.shuffle(rng);
        let out: Vec<Outcome> = fixes.iter().map(|f| outcome(Some(*f), &names, n, v)).collect();
        let Some(best) = evens_winner(&out) else {
            continue;
        };
        shown.truncate(n * v);
        let s = Scenario {
            ask: "evens".into(),
            nodes: names,
            points: shown,
            new_points: 0,
            keys: Vec::new(),
            vnodes: v,
            fixes,
        };
        return Ok(evens_build(s, &now, &out, best));
    }
    Err(GenError::Params {
        message: format!("no visibly unbalanced ring of {n} nodes × {v} points with a clear best change was found"),
        hint: "use 3 to 5 nodes with 1 to 3 points each".into(),
    })
}

fn pct(count: u64) -> String {
    format!("{}%", fmt_sig(100.0 * count as f64 / WORKLOAD as f64, 3))
}

/// The option text of `fix`.
fn fix_text(fix: Fix, s: &Scenario) -> String {
    let n = s.nodes.len() - 2;
    let (a, v) = (&s.nodes[0], s.vnodes);
    match fix {
        Fix::VirtualNodes => format!(
            "Give every node {FIX_POINTS} points on the ring{} (`{a}#1` … `{a}#{FIX_POINTS}` for `{a}`, and so on)",
            if v > 1 { format!(" instead of {v}") } else { String::new() }
        ),
        Fix::AddNode => {
            let spare = points_for(&s.nodes[n..n + 1], v, n);
            let mut at: Vec<u32> = spare.iter().map(|p| p.pos).collect();
            at.sort_unstable();
            let at: Vec<String> = at.iter().map(u32::to_string).collect();
            if v == 1 {
                format!("Add a spare node `{}` at position {}", s.nodes[n], at[0])
            } else {
                format!("Add a spare node `{}` with {v} points, at positions {}", s.nodes[n], at.join(", "))
            }
        }
        Fix::Modulo => format!(
            "Drop the ring: send each key to node number `xxh3_64(key) mod {n}` (the nodes numbered 0 to {} in the order of the load table)",
            n - 1
        ),
        Fix::KeyHash => "Place keys with SHA-256 instead of xxh3 (a key's position becomes the first 16 bits of `SHA-256(key)`)".into(),
    }
}

/// Where the keys of `dead` go when it fails, on a ring of `per` points per node: the keys each
/// survivor receives, and the busiest survivor's load over the survivors' mean.
fn failover(names: &[String], n: usize, per: usize, dead: usize) -> (Vec<u64>, f64) {
    let keys = workload();
    let all = points_for(&names[..n], per, 0);
    let rest: Vec<Point> = all.iter().filter(|p| p.node != dead).cloned().collect();
    let a = Placement::Ring { points: all, sha: false }.owners(keys);
    let b = Placement::Ring { points: rest, sha: false }.owners(keys);
    let mut received = vec![0; n];
    let mut loads = vec![0; n];
    for (x, y) in a.iter().zip(&b) {
        loads[*y] += 1;
        if *x == dead {
            received[*y] += 1;
        }
    }
    let max = loads.iter().copied().max().unwrap_or(0);
    (received, max as f64 * (n - 1) as f64 / WORKLOAD as f64)
}

fn evens_build(s: Scenario, now: &Outcome, out: &[Outcome], best: usize) -> Question {
    let n = s.nodes.len() - 2;
    let v = s.vnodes;
    let later = &s.nodes[n + 1];
    let texts: Vec<String> = s.fixes.iter().map(|f| fix_text(*f, &s)).collect();
    let peak = |o: &Outcome| fmt_sig(o.peak(), 3);
    let options: Vec<ChoiceOption> = s
        .fixes
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == best {
                return ChoiceOption::right(texts[i].clone());
            }
            let o = &out[i];
            let why = match f {
                Fix::VirtualNodes => format!(
                    "With {FIX_POINTS} points per node the busiest node would get {}× the mean, against {}× for the best change.",
                    peak(o),
                    peak(&out[best])
                ),
                Fix::AddNode => format!(
                    "Another node takes over part of one arc only, and every other arc stays as it is: here the busiest node would get {}× the new mean load (it gets {}× now).",
                    peak(o),
                    peak(now)
                ),
                Fix::Modulo => format!(
                    "`mod {n}` does even the load here (busiest/mean {}) but when a node joins, {} of the keys move, {} between existing nodes, which the rule forbids.",
                    peak(o),
                    pct(o.moved),
                    pct(o.between_old)
                ),
                Fix::KeyHash => format!(
                    "The keys were already spread evenly: the imbalance is in the arcs between the node points, which the key hash does not change. With SHA-256 the busiest node would get {}× the mean (it gets {}× now).",
                    peak(o),
                    peak(now)
                ),
            };
            ChoiceOption::wrong(texts[i].clone(), why)
        })
        .collect();
    let load_rows: Vec<Vec<String>> = (0..n)
        .map(|j| {
            vec![
                format!("`{}`", s.nodes[j]),
                format!("{}%", fmt_sig(100.0 * ring_share(&s.points, j), 3)),
                group(now.loads[j]),
            ]
        })
        .collect();
    let prompt = Content::new()
        .p(format!(
            "A cache cluster of {n} nodes shards keys with consistent hashing. {RULE}{}",
            if v > 1 {
                format!(" Each node has {v} points (virtual nodes) named `node#1`, `node#2`, …; a key owned by a point is owned by its node.")
            } else {
                String::new()
            }
        ))
        .table(["ring point", "position"], ring_table(&s.points))
        .p(format!(
            "A node's share of the ring is the total length of the arcs that end at its points, over all 65,536 positions. Over a workload of {} keys (`user:1` to `user:{WORKLOAD}`, placed by the same rule) the load is uneven:",
            group(WORKLOAD as u64)
        ))
        .table(["node", "share of the ring", "keys"], load_rows)
        .p(format!(
            "The busiest node gets **{}×** the mean load. The cluster will keep growing, so a node added later must take keys only for itself: no key may move between two existing nodes. Which single change brings the busiest node's load closest to the mean while keeping that rule?",
            peak(now)
        ));
    let row = |name: String, o: &Outcome| {
        vec![
            name,
            peak(o),
            format!("{} ({})", group(o.moved), pct(o.moved)),
            format!("{} ({})", group(o.between_old), pct(o.between_old)),
        ]
    };
    let mut rows = vec![row("as drawn".into(), now)];
    rows.extend(texts.iter().zip(out).map(|(t, o)| row(t.clone(), o)));
    let header = ["change", "busiest/mean load", "keys moved when a node joins", "of them between existing nodes"];
    let why = match s.fixes[best] {
        Fix::VirtualNodes => format!(
            " With {FIX_POINTS} points a node's share is the sum of {FIX_POINTS} small arcs, whose relative spread shrinks like $1/sqrt({FIX_POINTS})$; {} leaves each node {}, as uneven as the gaps between {} random points.",
            if v == 1 { "one point per node".to_string() } else { format!("{v} points per node") },
            if v == 1 { "a single arc".to_string() } else { format!("only {v} arcs") },
            n * v
        ),
        _ => String::new(),
    };
    let mod_i = s.fixes.iter().position(|f| *f == Fix::Modulo).unwrap_or(0);
    let solution = Content::new()
        .p(format!(
            "Run each change on the same {} keys: count each node's keys, then let one more node (`{later}`) join and count the keys that move.",
            group(WORKLOAD as u64)
        ))
        .table(header, rows.clone())
        .p(format!(
            "`mod {n}` evens the load but moves {} of the keys between existing nodes when a node joins, which breaks the rule. Of the changes that keep it, the lowest busiest/mean load, {} against {} as drawn, comes from: **{}**.{why}",
            pct(out[mod_i].between_old),
            peak(&out[best]),
            peak(now),
            texts[best]
        ));
    let mut all_points = points_for(&s.nodes, v, 0);
    all_points.sort_by_key(|p| p.pos);
    let evidence = Content::new()
        .p("Real `xxh3_64` values (xxhash-rust) of the drawn nodes, the spare and the node that joins later, and their positions (the top 16 bits):")
        .table(
            ["name", "xxh3_64", "position"],
            all_points
                .iter()
                .map(|p| vec![format!("`{}`", p.label), format!("`{:016x}`", xxh3_64(p.label.as_bytes())), p.pos.to_string()])
                .collect::<Vec<_>>(),
        )
        .p(format!("Each change run on the workload `user:1` … `user:{WORKLOAD}`:"))
        .table(header, rows);
    // Follow-ups: the busiest node fails; what 100 points per node do when a node joins.
    let dead = (0..n).max_by_key(|&j| (now.loads[j], std::cmp::Reverse(j))).unwrap_or(0);
    let (received, after) = failover(&s.nodes, n, v, dead);
    let (received_vn, after_vn) = failover(&s.nodes, n, FIX_POINTS, dead);
    let to: Vec<String> = (0..n).filter(|&j| received[j] > 0).map(|j| format!("`{}` ({})", s.nodes[j], group(received[j]))).collect();
    let spread = (0..n).filter(|&j| received_vn[j] > 0).count();
    let fails = FollowUp::new(
        format!(
            "`{}`, the busiest node, fails and its points leave the ring. Where do its {} keys go, and how even is the load afterwards, as drawn and with {FIX_POINTS} points per node?",
            s.nodes[dead],
            group(now.loads[dead])
        ),
        format!(
            "As drawn they go to {}, and the busiest survivor holds {}× the survivors' mean. With {FIX_POINTS} points per node the failed node's keys spread over {spread} of the {} survivors, and the busiest holds {}× the mean.",
            to.join(" and "),
            fmt_sig(after, 3),
            n - 1,
            fmt_sig(after_vn, 3)
        ),
    )
    .point("with one point per node a failure doubles up one neighbour; virtual nodes spread it over all survivors");
    let vn = outcome(Some(Fix::VirtualNodes), &s.nodes, n, v);
    let joins = FollowUp::new(
        format!("With {FIX_POINTS} points per node, how many of the {} keys move when `{later}` joins, and where to?", group(WORKLOAD as u64)),
        format!(
            "{} ({}), all to `{later}`: close to its fair share $1/{}$ = {}%. `mod {n}` would move {}.",
            group(vn.moved),
            pct(vn.moved),
            n + 1,
            fmt_sig(100.0 / (n + 1) as f64, 3),
            pct(out[mod_i].moved)
        ),
    )
    .point("consistent hashing moves about 1/(n + 1) of the keys, modulo placement about n/(n + 1)");
    let contrast = Contrast::new("busiest/mean load as drawn vs after the best change", peak(now), peak(&out[best]));
    Question::new(
        prompt,
        vec![AnswerSlot::new(
            "the change that evens the load best",
            Expected::Choice { options, correct: best },
        )],
        solution,
        evidence,
    )
    .with_scenario(&s)
    .contrast(contrast)
    .followup(fails)
    .followup(joins)
}

/// The second route for `evens`: no keys at all. A ring layout's loads are its exact arc
/// lengths; `mod n` moves (n − 1)/(n + 1) of the keys between existing nodes when a node joins.
/// The change with the smallest largest share (times the number of nodes) among those that keep
/// the rule must be the key. The key route's binary search must also agree with the brute-force
/// scan for the first 500 workload keys in every ring layout.
fn check_evens(s: &Scenario, q: &Question) -> Result<(), CheckError> {
    let Expected::Choice { correct, options } = q.expected(0)? else {
        return Err(CheckError("evens: expected a single choice".into()));
    };
    let n = s.nodes.len().checked_sub(2).ok_or_else(|| CheckError("evens: too few nodes".into()))?;
    let v = s.vnodes;
    if options.len() != s.fixes.len() {
        return Err(CheckError("evens: one option per change".into()));
    }
    if points_for(&s.nodes[..n], v, 0) != s.points {
        return Err(CheckError("evens: the shown ring is not the nodes' real positions".into()));
    }
    let sample = &workload()[..500];
    for fix in std::iter::once(None).chain(s.fixes.iter().map(|f| Some(*f))) {
        let (before, after, _) = layouts(fix, &s.nodes, n, v);
        for pl in [before, after] {
            if let Placement::Ring { points, sha } = &pl {
                for (k, o) in sample.iter().zip(pl.owners(sample)) {
                    let pos = if *sha { k.sha_pos } else { k.pos };
                    if owner_by_scan(points, pos) != o {
                        return Err(CheckError(format!("evens {fix:?}: binary search and scan disagree at position {pos}")));
                    }
                }
            }
        }
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, f) in s.fixes.iter().enumerate() {
        let peak = match f {
            Fix::Modulo => {
                if (n as f64 - 1.0) / (n as f64 + 1.0) > 0.0 {
                    continue;
                }
                1.0
            }
            _ => {
                let (Placement::Ring { points, .. }, _, nodes) = layouts(Some(*f), &s.nodes, n, v) else {
                    return Err(CheckError(format!("evens: {f:?} is not a ring")));
                };
                (0..nodes).map(|j| ring_share(&points, j)).fold(0.0, f64::max) * nodes as f64
            }
        };
        if best.is_none_or(|(_, b)| peak < b) {
            best = Some((i, peak));
        }
    }
    CheckError::expect_eq("the change with the smallest largest arc (exact shares)", Some(*correct), best.map(|b| b.0))
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
        for ask in ["owner", "moves", "evens"] {
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
    #[test]
    fn arc_shares_and_owners_by_hand() {
        // Points a at 100, b at 30000, c at 60000 on 65,536 positions. a owns the arc that wraps,
        // 60001..=65535 and 0..=100: 5,535 + 101 = 5,636 positions; b owns 101..=30000: 29,900;
        // c owns 30001..=60000: 30,000. By arcs the busiest/mean load is 3 × 30000/65536 = 1.373.
        let p = |label: &str, node, pos| Point { label: label.into(), node, pos };
        let ring = vec![p("b", 1, 30000), p("a", 0, 100), p("c", 2, 60000)];
        let arcs: Vec<f64> = (0..3).map(|j| ring_share(&ring, j) * 65536.0).collect();
        assert_eq!(arcs, [5636.0, 29900.0, 30000.0]);
        // Keys at 100 (a: at, not after), 101 (b), 65535 (wraps to a), 60000 (c); by SHA position
        // 30001 (c).
        let k = |pos, sha_pos| WorkKey { pos, sha_pos, h: 0 };
        let keys = [k(100, 30001), k(101, 0), k(65535, 0), k(60000, 0)];
        let owners = Placement::Ring { points: ring.clone(), sha: false }.owners(&keys);
        assert_eq!(owners, [0, 1, 0, 2]);
        assert_eq!(Placement::Ring { points: ring, sha: true }.owners(&keys[..1]), [2]);
    }

    #[test]
    fn modulo_placement_moves_n_over_n_plus_one() {
        // The textbook case for consistent hashing (Karger et al. 1997): with `h mod n`, going
        // from 4 to 5 nodes a key stays only when h mod 4 = h mod 5, for 4 of every 20 hash
        // values, so 80% of keys move, 60% between the 4 old nodes (20% go to the new one).
        let names: Vec<String> = (0..6).map(|i| format!("cache-{i}")).collect();
        let o = outcome(Some(Fix::Modulo), &names, 4, 1);
        let sd = (0.8f64 * 0.2 / WORKLOAD as f64).sqrt();
        let (moved, between) = (o.moved as f64 / WORKLOAD as f64, o.between_old as f64 / WORKLOAD as f64);
        assert!((moved - 0.8).abs() < 4.0 * sd, "{moved}");
        assert!((between - 0.6).abs() < 4.0 * sd, "{between}");
        assert!(o.peak() < 1.1, "mod 4 spreads 10,000 keys evenly: {}", o.peak());
        // A ring moves keys only to the node that joins.
        assert_eq!(outcome(None, &names, 4, 1).between_old, 0);
        assert_eq!(outcome(Some(Fix::VirtualNodes), &names, 4, 1).between_old, 0);
    }

    #[test]
    fn evens_answers_virtual_nodes_and_names_each_misconception() {
        for (seed, d) in [(1, Difficulty::Medium), (2, Difficulty::Medium), (3, Difficulty::Hard), (4, Difficulty::Hard)] {
            let pins = parse_pins(&ConsistentRing, &["ask=evens".into()]).unwrap();
            let q = generate(&ConsistentRing, seed, d, &pins).unwrap();
            crate::family::cross_check(&ConsistentRing, &q).unwrap();
            let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
            assert!(options[*correct].text.starts_with("Give every node 100 points"), "{}", options[*correct].text);
            let why: Vec<&str> = options.iter().filter_map(|o| o.why_wrong.as_deref()).collect();
            assert_eq!(why.len(), 3);
            assert!(why.iter().any(|w| w.contains("between existing nodes")), "{why:?}");
            assert!(why.iter().any(|w| w.contains("key hash does not change")), "{why:?}");
            let text = q.prompt.plain_text();
            assert!(text.contains("busiest node gets") && text.contains("share of the ring"), "{text}");
        }
    }
}
