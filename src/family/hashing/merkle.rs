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
//! - `root`: the first 8 hex digits of the root (needs a computer: drawn at hard only);
//! - `padding` (judgment): which change to the block list keeps the root (appending a copy of
//!   the last 1, 2 or 4 blocks, swapping two blocks, or none of these): the weakness of padding by
//!   copying (Bitcoin's CVE-2012-2459). The key builds the root of every changed list and keeps
//!   the one that matches; a leaf count whose lowest odd level lies above level 2 (24 or 40
//!   leaves, where copying 8 blocks would work) is redrawn, so exactly one option holds.
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

use crate::answer::{AnswerSlot, ChoiceOption, Expected, Normalisation};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
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
            options: &["proof_len", "siblings", "root", "padding"],
            // `root` needs a computer: drawn only at hard, where a pack with computers may take it.
            draw: [&["proof_len", "siblings"], &["proof_len", "siblings", "padding"], &["siblings", "root", "proof_len", "padding"]],
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
    /// `padding`: the change each option makes, in option order: r > 0 appends copies of the
    /// last r blocks, 0 swaps the first two blocks, −1 is "none of these".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    changes: Vec<i64>,
}

/// The block list after `change` (see `Scenario::changes`); `None` for "none of these".
fn changed(blocks: &[String], change: i64) -> Option<Vec<String>> {
    match change {
        c if c > 0 => {
            let r = (c as usize).min(blocks.len());
            let mut out = blocks.to_vec();
            out.extend_from_slice(&blocks[blocks.len() - r..]);
            Some(out)
        }
        0 => {
            let mut out = blocks.to_vec();
            out.swap(0, 1);
            Some(out)
        }
        _ => None,
    }
}

/// The text of a `padding` option.
fn change_text(change: i64) -> String {
    match change {
        1 => "Append a copy of the last block".into(),
        c if c > 1 => format!("Append copies of the last {c} blocks, in order"),
        0 => "Swap the first two blocks".into(),
        _ => "None of these: every change above alters the root".into(),
    }
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
        2
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
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("proof_len", [2, 3, 4], &["merkle-proof"]),
            Ask::new("siblings", [3, 5, 7], &["merkle-proof"]),
            Ask::new("root", [5, 6, 8], &["merkle-root"]).computer([true; 3]),
            Ask::new("padding", [3, 4, 5], &["merkle-padding"]).judgment(),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "inclusion-proof length, proof nodes, or the root's prefix",
            key: "the SHA-256 tree, built bottom-up",
            second_route: "the verifier's walk from leaf to root; a digest-only rebuild; top-down recursion",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let k = cx.int("leaves") as usize;
        if k < 2 && ask != "root" {
            return Err(GenError::Params { message: "a proof needs at least 2 leaves".into(), hint: "set leaves to 2 or more".into() });
        }
        if ask == "padding" {
            return padding_question(cx, k);
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
        let doubled = siblings_by_arithmetic(2 * k, leaf).len();
        let path = format!("L{leaf}");
        let (prompt, slot, solution) = match ask {
            "proof_len" => (
                prompt.p(format!("How many sibling digests does the inclusion proof for block L{leaf} contain?")),
                AnswerSlot::new("digests in the proof", Expected::Integer { value: depth as i64 }).exact_by_hand(),
                Content::new().p(format!(
                    "The proof has one sibling per level between the leaf and the root. {k} leaves need $ceil(log_2 {k})$ = **{depth}** levels of pairing (an odd level is padded, never shortened), so {depth} digests; the verifier also needs the block itself and the trusted root, which are not part of the proof."
                )),
            ),
            "siblings" => (
                prompt.p(format!(
                    "Name the nodes whose digests make the inclusion proof for block L{leaf}, from the bottom up. Write a leaf as `L5` and an inner node as `N4-7` for the node covering leaves L4…L7; an inner node that covers a single leaf (an odd last node carried up a level) is written `N4-4`, and a padded copy is named like its original."
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
                prompt.p("What are the first 8 hex digits of the root? Use a computer: a short script with any SHA-256 library will do."),
                AnswerSlot::new("root, first 8 hex digits", Expected::Hex { value: hex(&root)[..8].to_string() }),
                Content::new()
                    .p("Hash each block, then pair digests level by level (duplicating an odd last node) until one remains.")
                    .p(format!("Root = `{}`, so **{}**.", hex(&root), &hex(&root)[..8])),
            ),
        };
        let q = Question::new(prompt, vec![slot], solution, evidence).with_scenario(&Scenario { blocks, leaf, changes: Vec::new() });
        let q = match ask {
            "root" => q.followup(
                FollowUp::new(
                    format!("Block {path} is altered by one byte. How many digests in the tree change?"),
                    format!("{}: its leaf and every ancestor up to the root, one per level; the other digests stay as they are.", depth + 1),
                )
                .point("this is why a verifier needs only the $ceil(log_2 k)$ siblings on the path"),
            ),
            _ => q.followup(
                FollowUp::new(
                    format!("The log grows to {} blocks. How many digests does the proof for {path} carry now?", 2 * k),
                    format!("{doubled}: doubling the leaves adds one level, so one more sibling."),
                )
                .point("proofs grow logarithmically: a million blocks need only 20 digests"),
            ),
        };
        Ok(q.followup(
            FollowUp::new(
                "The tree pads an odd level by copying its last node. What can an attacker do with that rule?",
                "Append a copy of the last block (or of the last run of blocks that a padded level duplicates): the list of blocks changes but the root does not (Bitcoin's CVE-2012-2459). Fix: domain-separate leaves and inner nodes and carry an odd node up unchanged, as RFC 6962 does.",
            )
            .point("two different block lists with one root: a second preimage on the list, not on SHA-256"),
        ))
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
        if let Expected::Choice { correct, .. } = q.expected(0)? {
            // `padding`: rebuild every changed list digest by digest and compare roots.
            let by_levels = |blocks: &[String]| {
                let mut level: Vec<H> = blocks.iter().map(|b| sha(b.as_bytes())).collect();
                while level.len() > 1 {
                    if level.len() % 2 == 1 {
                        level.push(level[level.len() - 1]);
                    }
                    level = level.chunks(2).map(|p| parent(&p[0], &p[1])).collect();
                }
                level[0]
            };
            let keeps: Vec<usize> = s
                .changes
                .iter()
                .enumerate()
                .filter(|(_, c)| changed(&s.blocks, **c).is_some_and(|b| by_levels(&b) == root))
                .map(|(i, _)| i)
                .collect();
            let want = match keeps.as_slice() {
                [one] => *one,
                [] => s.changes.iter().position(|c| *c < 0).ok_or_else(|| CheckError("no `none` option".into()))?,
                _ => return Err(CheckError(format!("options {keeps:?} all keep the root"))),
            };
            return CheckError::expect_eq("the change that keeps the root", *correct, want);
        }
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


/// Level sizes of a tree over `k` leaves, from the leaves up to the root.
fn level_sizes(k: usize) -> Vec<usize> {
    let mut out = vec![k];
    while *out.last().unwrap_or(&1) > 1 {
        let c = out[out.len() - 1];
        out.push(c.div_ceil(2));
    }
    out
}

/// The `padding` ask (see the module docs): which change to the block list keeps the root.
fn padding_question(cx: &mut Ctx, first_k: usize) -> Result<Question, GenError> {
    let mut k = first_k;
    for attempt in 0..30 {
        if k >= 2 {
            let blocks: Vec<String> = (0..k).map(|i| format!("block-{i}:{}", cx.rng().random_range(100..1000))).collect();
            let (root, _) = build(&blocks, 0);
            // In reading order (1, 2, 4 blocks, a swap, none): which one is right varies with k.
            let changes: Vec<i64> = vec![1, 2, 4, 0, -1];
            let keeps = |c: i64| changed(&blocks, c).is_some_and(|b| build(&b, 0).0 == root);
            let working: Vec<i64> = changes.iter().copied().filter(|c| keeps(*c)).collect();
            if working.len() == 1 || (working.is_empty() && k.is_power_of_two()) {
                let right = working.first().copied().unwrap_or(-1);
                return Ok(padding_built(k, blocks, changes, right));
            }
        }
        if cx.is_pinned("leaves") || attempt == 29 {
            return Err(GenError::Params {
                message: format!("with {k} leaves, copying the last 1, 2 or 4 blocks does not reproduce the padding"),
                hint: "choose a leaf count that is odd, twice an odd number, four times one, or a power of two".into(),
            });
        }
        k = cx.int("leaves") as usize;
    }
    unreachable!("the loop returns on its last attempt")
}

fn padding_built(k: usize, blocks: Vec<String>, changes: Vec<i64>, right: i64) -> Question {
    let sizes = level_sizes(k);
    let odd = sizes.iter().position(|c| *c > 1 && c % 2 == 1);
    let why_level = match odd {
        Some(j) => format!(
            "the first level with an odd count is level {j} ({} nodes), so its last node, covering the last {} block(s), is paired with a copy of itself",
            sizes[j],
            1usize << j
        ),
        None => "every level has an even count, so nothing is ever padded".to_string(),
    };
    let options: Vec<ChoiceOption> = changes
        .iter()
        .map(|&c| {
            if c == right {
                ChoiceOption::right(change_text(c))
            } else if c == 0 {
                ChoiceOption::wrong(change_text(c), "A parent hashes left ‖ right in order: swapping two leaves changes their parent, and so the root.")
            } else if c < 0 {
                ChoiceOption::wrong(change_text(c), format!("Padding copies the last node of an odd level, so a list ending in a real copy of that node's blocks builds the same tree: here {why_level}."))
            } else {
                ChoiceOption::wrong(change_text(c), format!("Copies of {c} block(s) recreate a padded node only on the level where nodes cover {c} block(s) and the count is odd; here {why_level}."))
            }
        })
        .collect();
    let correct = changes.iter().position(|c| *c == right).unwrap_or(0);
    let prompt = Content::new()
        .p(format!(
            "A log stores **{k}** blocks L0…L{} in a SHA-256 Merkle tree and publishes only the root. A leaf is SHA-256(block); a parent is SHA-256(left ‖ right) over the two 32-byte child digests; when a level has an odd number of nodes, the last one is paired with a copy of itself.",
            k - 1
        ))
        .p("An attacker wants a *different* list of blocks that the same published root certifies. Which change to the list achieves it?");
    let sizes_text = sizes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" → ");
    let solution = Content::new()
        .p(format!("Level sizes from the leaves up: {sizes_text}; {why_level}."))
        .p(match right {
            r if r > 0 => format!(
                "Appending copies of the last {r} block(s) builds that copy for real: the level then has an even count, the new node equals the padded one, and everything above is unchanged. So: **{}**.",
                change_text(r)
            ),
            _ => format!("No append can mimic a padded copy, and a swap reorders a parent's inputs. So: **{}**.", change_text(-1)),
        })
        .p("This is Bitcoin's CVE-2012-2459: two transaction lists, one Merkle root.");
    let root = build(&blocks, 0).0;
    let rows: Vec<Vec<String>> = changes
        .iter()
        .filter_map(|c| changed(&blocks, *c).map(|b| (c, build(&b, 0).0)))
        .map(|(c, r)| vec![change_text(*c), format!("`{}…`", &hex(&r)[..16]), if r == root { "same".into() } else { "differs".to_string() }])
        .collect();
    let evidence = Content::new()
        .p(format!("Real roots: the original list of {k} blocks has root `{}…`. After each change:", &hex(&root)[..16]))
        .table(["change", "root", "against the original"], rows);
    Question::new(
        prompt,
        vec![AnswerSlot::new("the change that keeps the root", Expected::Choice { options, correct })],
        solution,
        evidence,
    )
    .with_scenario(&Scenario { blocks, leaf: 0, changes })
    .followup(
        FollowUp::new(
            "How would you change the tree so that no two block lists share a root?",
            "Prefix leaf hashes with 0x00 and inner hashes with 0x01 and carry an odd last node up unchanged instead of copying it (RFC 6962, Certificate Transparency); or commit to the number of blocks alongside the root.",
        )
        .point("a verifier that rejects duplicate adjacent entries also closes this hole, as Bitcoin did"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    fn padding_answer(k: usize) -> String {
        let pins = parse_pins(&Merkle, &["ask=padding".into(), format!("leaves={k}")]).unwrap();
        let q = generate(&Merkle, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Merkle, &q).unwrap();
        let Expected::Choice { options, correct } = &q.slots[0].expected else { panic!() };
        options[*correct].text.clone()
    }

    #[test]
    fn padding_keys_match_the_known_attack() {
        // CVE-2012-2459 (Bitcoin): the lists [1, 2, 3] and [1, 2, 3, 3] share a Merkle root, so
        // 3 leaves: append a copy of the last block.
        assert_eq!(padding_answer(3), "Append a copy of the last block");
        // Hand trace, 6 leaves: level sizes 6 → 3 → 2 → 1; level 1 is padded with a copy of N4-5,
        // which copies of L4 and L5 rebuild.
        assert_eq!(padding_answer(6), "Append copies of the last 2 blocks, in order");
        // 12 leaves: 12 → 6 → 3: level 2's last node N8-11 is copied: four blocks.
        assert_eq!(padding_answer(12), "Append copies of the last 4 blocks, in order");
        // 8 leaves: 8 → 4 → 2 → 1, nothing padded.
        assert!(padding_answer(8).starts_with("None of these"));
    }

    #[test]
    fn padding_refuses_a_leaf_count_no_option_fits_and_catches_a_wrong_key() {
        // 24 leaves: 24 → 12 → 6 → 3: it would take copies of the last 8 blocks.
        let pins = parse_pins(&Merkle, &["ask=padding".into(), "leaves=24".into()]).unwrap();
        let e = generate(&Merkle, 1, Difficulty::Hard, &pins).unwrap_err();
        assert!(e.hint().is_some(), "{e}");
        let pins = parse_pins(&Merkle, &["ask=padding".into(), "leaves=5".into()]).unwrap();
        let mut q = generate(&Merkle, 2, Difficulty::Medium, &pins).unwrap();
        let Expected::Choice { correct, .. } = &mut q.slots[0].expected else { panic!() };
        *correct = (*correct + 1) % 5;
        assert!(crate::family::cross_check(&Merkle, &q).is_err());
    }

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
