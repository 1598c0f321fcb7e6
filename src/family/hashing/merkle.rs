//! `hashing.merkle`: a SHA-256 Merkle tree over k data blocks (leaves), as in Certificate
//! Transparency or a content-addressed store.
//!
//! **Convention** (stated in the prompt): a leaf is SHA-256(block); a parent is SHA-256(left ‖
//! right) over the 32-byte child digests; on a level with an odd count the last node is paired with
//! a copy of itself (Bitcoin's rule).
//!
//! **Asked** (`ask`):
//! - `proof_len`: how many sibling digests an inclusion proof for one leaf carries (⌈log2 k⌉);
//! - `siblings`: which nodes, bottom-up, make the inclusion proof for leaf i (a sequence of node
//!   labels: `L5` for a leaf, `N4-7` for the inner node covering leaves 4–7);
//! - `root`: the first 8 hex digits of the root.
//!
//! **Parameters.** `leaves` k: easy 4–8, medium 5–16, hard 9–40.
//!
//! **Key.** Build the tree bottom-up with `sha2`.
//!
//! **Second route.** Recompute the root from leaf i and its proof (the verifier's walk), rebuild it
//! from digests alone level by level, and for power-of-two k by top-down recursion; all must equal
//! the bottom-up root; the proof length must equal ⌈log2 k⌉. The proof's nodes are derived by
//! arithmetic alone, without building a tree: level ℓ has c_ℓ = ⌈c_(ℓ−1)/2⌉ nodes (c_0 = k), the
//! path's node is i >> ℓ, its sibling is (i >> ℓ) ^ 1 (or itself when that is c_ℓ, the padded
//! copy), and node j of level ℓ covers leaves j·2^ℓ … min((j + 1)·2^ℓ, k) − 1. The tests hold
//! hand-traced proofs for 5, 6, 7 and 9 leaves.
//!
//! **Pitfalls**: log2 k without rounding up; including the leaf itself or the root in the proof.

use crate::answer::{AnswerSlot, Expected, Normalisation};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The family.
pub struct Merkle;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "proof_len: digests in an inclusion proof; siblings: which nodes; root: the root's first 8 hex digits",
        kind: ParamKind::Choice {
            options: &["proof_len", "siblings", "root"],
            draw: [&["proof_len", "root"], &["proof_len", "siblings", "root"], &["siblings", "root", "proof_len"]],
        },
    },
    ParamSpec {
        key: "leaves",
        help: "data blocks k",
        kind: ParamKind::Int { min: 1, max: 1024, draw: [(4, 8), (5, 16), (9, 40)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    blocks: Vec<String>,
    leaf: usize,
}

type H = [u8; 32];

fn sha(data: &[u8]) -> H {
    Sha256::digest(data).into()
}

fn parent(a: &H, b: &H) -> H {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a);
    buf[32..].copy_from_slice(b);
    sha(&buf)
}

/// A node: its digest and the range of leaves (first..=last, real leaves only) it covers.
#[derive(Clone)]
struct Node {
    h: H,
    lo: usize,
    hi: usize,
    leaf: bool,
}

fn label(n: &Node) -> String {
    if n.leaf {
        format!("L{}", n.lo)
    } else {
        format!("N{}-{}", n.lo, n.hi)
    }
}

/// Bottom-up build: the root, and the proof (sibling nodes, bottom-up) for `leaf`.
fn build(blocks: &[String], leaf: usize) -> (H, Vec<Node>) {
    let mut level: Vec<Node> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| Node { h: sha(b.as_bytes()), lo: i, hi: i, leaf: true })
        .collect();
    let mut idx = leaf;
    let mut proof = Vec::new();
    while level.len() > 1 {
        if level.len() % 2 == 1 {
            let last = level[level.len() - 1].clone();
            level.push(last);
        }
        let sib = idx ^ 1;
        proof.push(level[sib].clone());
        level = level
            .chunks(2)
            .map(|p| Node { h: parent(&p[0].h, &p[1].h), lo: p[0].lo, hi: p[1].hi.max(p[0].hi), leaf: false })
            .collect();
        idx /= 2;
    }
    (level[0].h, proof)
}

/// The proof's node labels for `leaf` among `k` leaves, by arithmetic (the second route).
fn siblings_by_arithmetic(k: usize, leaf: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut count, mut level) = (k, 0u32);
    while count > 1 {
        let me = leaf >> level;
        let sib = if me ^ 1 < count { me ^ 1 } else { me };
        let lo = sib << level;
        let hi = (((sib + 1) << level) - 1).min(k - 1);
        out.push(if level == 0 { format!("L{lo}") } else { format!("N{lo}-{hi}") });
        count = count.div_ceil(2);
        level += 1;
    }
    out
}

fn hex(h: &H) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

impl Family for Merkle {
    fn id(&self) -> &'static str {
        "hashing.merkle"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Merkle trees: inclusion proofs and roots"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let k = cx.int("leaves") as usize;
        if k < 2 && ask != "root" {
            return Err(GenError::Params { message: "a proof needs at least 2 leaves".into(), hint: "set leaves to 2 or more".into() });
        }
        let blocks: Vec<String> = (0..k).map(|i| format!("block-{i}:{}", cx.rng().random_range(100..1000))).collect();
        let leaf = cx.rng().random_range(0..k);
        let (root, proof) = build(&blocks, leaf);
        let shown = blocks.len().min(12);
        let mut prompt = Content::new()
            .p(format!(
                "A log stores **{k}** blocks L0…L{} in a SHA-256 Merkle tree. A leaf is SHA-256(block); a parent is SHA-256(left ‖ right) over the two 32-byte child digests; when a level has an odd number of nodes, the last one is paired with a copy of itself.",
                k - 1
            ));
        if ask == "root" {
            prompt = prompt.p("The blocks (bytes as shown, UTF-8, no newline):").table(
                ["leaf", "block"],
                blocks.iter().enumerate().map(|(i, b)| vec![format!("L{i}"), format!("`{b}`")]).collect::<Vec<_>>(),
            );
        } else if shown < k {
            prompt = prompt.p(format!("(Block contents do not matter for this question; the first {shown} are `{}`, …)", blocks[0]));
        }
        let evidence = Content::new()
            .p(format!("Root = `{}`.", hex(&root)))
            .p(format!(
                "Inclusion proof for L{leaf}, bottom-up: {}.",
                proof.iter().map(|n| format!("{} = `{}…`", label(n), &hex(&n.h)[..12])).collect::<Vec<_>>().join(", ")
            ));
        let depth = proof.len();
        let (prompt, slot, solution) = match ask {
            "proof_len" => (
                prompt.p(format!("How many sibling digests does the inclusion proof for block L{leaf} contain?")),
                AnswerSlot::new("digests in the proof", Expected::Integer { value: depth as i64 }),
                Content::new().p(format!(
                    "The proof has one sibling per level between the leaf and the root. {k} leaves need ⌈log2 {k}⌉ = **{depth}** levels of pairing (an odd level is padded, never shortened), so {depth} digests; the verifier also needs the block itself and the trusted root, which are not part of the proof."
                )),
            ),
            "siblings" => (
                prompt.p(format!(
                    "Name the nodes whose digests make the inclusion proof for block L{leaf}, from the bottom up. Write a leaf as `L5` and an inner node as `N4-7` for the node covering leaves L4…L7 (a padded copy covers the same leaves as its original)."
                )),
                AnswerSlot::new(
                    "proof nodes, bottom-up",
                    Expected::Sequence { values: proof.iter().map(label).collect(), normalisation: Normalisation::Loose },
                ),
                Content::new()
                    .p("At each level take the sibling of the current node (its pair partner, or its own copy when it is the odd last node), then move to the parent.")
                    .p(format!("For L{leaf}: **{}**.", proof.iter().map(label).collect::<Vec<_>>().join(", "))),
            ),
            _ => (
                prompt.p("What are the first 8 hex digits of the root? (Compute it: this is a question for a laptop.)"),
                AnswerSlot::new("root, first 8 hex digits", Expected::Hex { value: hex(&root)[..8].to_string() }),
                Content::new()
                    .p("Hash each block, then pair digests level by level (duplicating an odd last node) until one remains.")
                    .p(format!("Root = `{}`, so **{}**.", hex(&root), &hex(&root)[..8])),
            ),
        };
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&Scenario { blocks, leaf }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (root, proof) = build(&s.blocks, s.leaf);
        // Route 1: the verifier's walk from the leaf with the proof.
        let mut h = sha(s.blocks[s.leaf].as_bytes());
        let mut idx = s.leaf;
        for sib in &proof {
            h = if idx.is_multiple_of(2) { parent(&h, &sib.h) } else { parent(&sib.h, &h) };
            idx /= 2;
        }
        CheckError::expect_eq("root from the proof", root, h)?;
        // Route 2: top-down recursion.
        fn rec(leaves: &[H]) -> H {
            if leaves.len() == 1 {
                return leaves[0];
            }
            let width = leaves.len().next_power_of_two() / 2;
            let left = rec(&leaves[..width]);
            let right = if leaves.len() > width { rec(&leaves[width..]) } else { left };
            parent(&left, &right)
        }
        // Route 3: digests only, level by level (no node bookkeeping); and, for a power-of-two
        // leaf count, where no padding happens, top-down recursion.
        let mut level: Vec<H> = s.blocks.iter().map(|b| sha(b.as_bytes())).collect();
        while level.len() > 1 {
            if level.len() % 2 == 1 {
                level.push(level[level.len() - 1]);
            }
            level = level.chunks(2).map(|p| parent(&p[0], &p[1])).collect();
        }
        CheckError::expect_eq("root by a second level-by-level build", root, level[0])?;
        if s.blocks.len().is_power_of_two() {
            let leaves: Vec<H> = s.blocks.iter().map(|b| sha(b.as_bytes())).collect();
            CheckError::expect_eq("root by top-down recursion", root, rec(&leaves))?;
        }
        match q.expected(0)? {
            Expected::Integer { value } => {
                let want = (s.blocks.len() as f64).log2().ceil() as i64;
                CheckError::expect_eq("proof length = ⌈log2 k⌉", *value, want)
            }
            Expected::Sequence { values, .. } => CheckError::expect_eq(
                "proof nodes (by arithmetic)",
                values.clone(),
                siblings_by_arithmetic(s.blocks.len(), s.leaf),
            ),
            Expected::Hex { value } => CheckError::expect_eq("root prefix", value.clone(), hex(&h)[..8].to_string()),
            _ => Err(CheckError("unexpected answer kind".into())),
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
        stress(&Merkle, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // Two leaves: root = SHA-256(SHA-256(a) ‖ SHA-256(b)), proof for L0 is [L1].
        let blocks = vec!["a".to_string(), "b".to_string()];
        let (root, proof) = build(&blocks, 0);
        let mut cat = Vec::new();
        cat.extend_from_slice(&Sha256::digest(b"a"));
        cat.extend_from_slice(&Sha256::digest(b"b"));
        assert_eq!(root, <[u8; 32]>::from(Sha256::digest(&cat)));
        assert_eq!(proof.iter().map(label).collect::<Vec<_>>(), ["L1"]);
        // Five leaves, proof for L4: its own copy, then N4-4's copy… hand-traced labels.
        let blocks: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        let (_, proof) = build(&blocks, 4);
        assert_eq!(proof.iter().map(label).collect::<Vec<_>>(), ["L4", "N4-4", "N0-3"]);
        let (_, proof) = build(&blocks, 2);
        assert_eq!(proof.iter().map(label).collect::<Vec<_>>(), ["L3", "N0-1", "N4-4"]);
    }

    #[test]
    fn hand_traced_proofs_for_6_7_and_9_leaves() {
        // Traced by hand, level by level (c = nodes on the level; a sibling past the end is the
        // node's own padded copy, covering the same leaves):
        // 6 leaves (c = 6, 3, 2): L5 → L4; node 2 of 3 is last, its copy covers 4–5; then node 0
        //   of level 2 covers 0–3. L2 → L3, N0-1, N4-5.
        // 7 leaves (c = 7, 4, 2): L6 is last, so its copy L6; then node 2 covers 4–5; then 0–3.
        //   L3 → L2, N0-1, and node 1 of level 2 covers 4–6.
        // 9 leaves (c = 9, 5, 3, 2): L8 → its copy L8, copies N8-8 twice, then N0-7. L0 → L1,
        //   N2-3, N4-7, and node 1 of level 3 covers only L8.
        let traced: [(usize, usize, &[&str]); 8] = [
            (5, 4, &["L4", "N4-4", "N0-3"]),
            (6, 5, &["L4", "N4-5", "N0-3"]),
            (6, 2, &["L3", "N0-1", "N4-5"]),
            (7, 6, &["L6", "N4-5", "N0-3"]),
            (7, 3, &["L2", "N0-1", "N4-6"]),
            (9, 8, &["L8", "N8-8", "N8-8", "N0-7"]),
            (9, 0, &["L1", "N2-3", "N4-7", "N8-8"]),
            (2, 1, &["L0"]),
        ];
        for (k, leaf, want) in traced {
            let blocks: Vec<String> = (0..k).map(|i| i.to_string()).collect();
            let (_, proof) = build(&blocks, leaf);
            assert_eq!(proof.iter().map(label).collect::<Vec<_>>(), want, "build, {k} leaves, L{leaf}");
            assert_eq!(siblings_by_arithmetic(k, leaf), want, "arithmetic, {k} leaves, L{leaf}");
        }
        // And the two routes agree everywhere in range.
        for k in 2..=64 {
            let blocks: Vec<String> = (0..k).map(|i| i.to_string()).collect();
            for leaf in 0..k {
                let (_, proof) = build(&blocks, leaf);
                assert_eq!(proof.iter().map(label).collect::<Vec<_>>(), siblings_by_arithmetic(k, leaf), "{k} {leaf}");
            }
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Merkle, &["ask=proof_len".into(), "leaves=5".into()]).unwrap();
        let q = generate(&Merkle, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "3");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Merkle, &["ask=root".into(), "leaves=7".into()]).unwrap();
        let mut q = generate(&Merkle, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Merkle, &q).unwrap();
        q.slots[0].expected = Expected::Hex { value: "00000000".into() };
        assert!(crate::family::cross_check(&Merkle, &q).is_err());
        let pins = parse_pins(&Merkle, &["ask=siblings".into(), "leaves=6".into()]).unwrap();
        let mut q = generate(&Merkle, 1, Difficulty::Medium, &pins).unwrap();
        if let Expected::Sequence { values, .. } = &mut q.slots[0].expected {
            values.reverse();
        }
        assert!(crate::family::cross_check(&Merkle, &q).is_err());
    }
}
