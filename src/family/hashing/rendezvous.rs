//! `hashing.rendezvous`: highest-random-weight (rendezvous) hashing. Each key goes to the node with
//! the highest score `xxh3_64("node|key") >> 48`, shown as a table.
//!
//! **Asked** (`ask`): `owner`: which node owns a key (choice); `moves`: which keys move when a node
//! leaves (multiple choice, partial credit).
//!
//! **Parameters.** `nodes`: easy 3, medium 3–4, hard 4–5; `keys` shown: 4–6.
//!
//! **Key.** Compute the real xxh3 scores and take the argmax per key.
//!
//! **Second route.** Brute force over the scores table with an independent argmax (scanning in
//! reverse order, ties impossible since scores are checked distinct), plus the defining property:
//! only keys owned by the departed node move, and each moves to its second-highest node.
//!
//! **Pitfalls**: expecting keys to move between surviving nodes (as with modulo hashing); choosing
//! the lowest score.

use crate::answer::{letter, AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The family.
pub struct Rendezvous;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "owner: which node owns a key; moves: which keys move when a node leaves",
        kind: ParamKind::Choice { options: &["owner", "moves"], draw: [&["owner"], &["owner", "moves"], &["moves"]] },
    },
    ParamSpec {
        key: "nodes",
        help: "nodes",
        kind: ParamKind::Int { min: 2, max: 8, draw: [(3, 3), (3, 4), (4, 5)] },
    },
    ParamSpec {
        key: "keys",
        help: "keys shown",
        kind: ParamKind::Int { min: 1, max: 10, draw: [(4, 4), (4, 5), (5, 6)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    nodes: Vec<String>,
    keys: Vec<String>,
    /// The key asked about (owner) or the node that leaves (moves).
    target: usize,
}

/// The shown score of (node, key).
pub fn score(node: &str, key: &str) -> u64 {
    xxh3_64(format!("{node}|{key}").as_bytes()) >> 48
}

fn owner(nodes: &[String], key: &str) -> usize {
    (0..nodes.len()).max_by_key(|&i| score(&nodes[i], key)).unwrap_or(0)
}

impl Family for Rendezvous {
    fn id(&self) -> &'static str {
        "hashing.rendezvous"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Rendezvous (highest-random-weight) hashing"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `keys` and `nodes` are the rows and columns of the scores table.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["keys", "nodes"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let nn = cx.int("nodes") as usize;
        let nk = cx.int("keys") as usize;
        let base = cx.rng().random_range(1..90);
        // Re-draw names until no key has tied scores (bounded; ties are about 1 in 65536 per pair).
        let mut attempt = 0;
        let (nodes, keys) = loop {
            let nodes: Vec<String> = (0..nn).map(|i| format!("node-{}", base + i + attempt * 10)).collect();
            let keys: Vec<String> = (0..nk).map(|_| format!("obj:{}", cx.rng().random_range(1000..10000))).collect();
            let distinct_keys = { let mut k = keys.clone(); k.sort(); k.dedup(); k.len() == keys.len() };
            let untied = keys.iter().all(|k| {
                let mut s: Vec<u64> = nodes.iter().map(|n| score(n, k)).collect();
                s.sort_unstable();
                s.windows(2).all(|w| w[0] != w[1])
            });
            if (distinct_keys && untied) || attempt > 20 {
                break (nodes, keys);
            }
            attempt += 1;
        };
        let mut rows = Vec::new();
        for k in &keys {
            let mut r = vec![format!("`{k}`")];
            r.extend(nodes.iter().map(|n| score(n, k).to_string()));
            rows.push(r);
        }
        let mut header = vec!["key".to_string()];
        header.extend(nodes.iter().map(|n| format!("`{n}`")));
        let prompt = Content::new()
            .p("A cluster places each key with rendezvous hashing: for every node it computes the score `xxh3_64(\"node|key\") >> 48` and stores the key on the node with the **highest** score. The real scores are:")
            .table(header, rows);
        let owners: Vec<usize> = keys.iter().map(|k| owner(&nodes, k)).collect();
        let evidence = Content::new().p(format!(
            "Owners computed from the scores: {}.",
            keys.iter().zip(&owners).map(|(k, o)| format!("`{k}` → `{}`", nodes[*o])).collect::<Vec<_>>().join(", ")
        ));
        if ask == "owner" {
            let t = cx.rng().random_range(0..nk);
            let lowest = (0..nn).min_by_key(|&i| score(&nodes[i], &keys[t])).unwrap_or(0);
            let options: Vec<ChoiceOption> = nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if i == owners[t] {
                        ChoiceOption::right(format!("`{n}`"))
                    } else if i == lowest {
                        ChoiceOption::wrong(format!("`{n}`"), "That node has the lowest score; rendezvous hashing picks the highest.")
                    } else {
                        ChoiceOption::wrong(format!("`{n}`"), "Compare the key's scores across all nodes and take the maximum.")
                    }
                })
                .collect();
            let solution = Content::new().p(format!(
                "Read the row of `{}`: the highest score is {} on **`{}`**.",
                keys[t],
                score(&nodes[owners[t]], &keys[t]),
                nodes[owners[t]]
            ));
            return Ok(Question::new(
                prompt.p(format!("Which node stores `{}`?", keys[t])),
                vec![AnswerSlot::new("the owner", Expected::Choice { options, correct: owners[t] })],
                solution,
                evidence,
            )
            .with_scenario(&Scenario { nodes, keys, target: t }));
        }
        // Prefer a departing node that owns at least one key.
        let leave = owners[cx.rng().random_range(0..nk)];
        let moving: Vec<usize> = (0..nk).filter(|&i| owners[i] == leave).collect();
        let options: Vec<ChoiceOption> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if moving.contains(&i) {
                    ChoiceOption::right(format!("`{k}`"))
                } else {
                    ChoiceOption::wrong(format!("`{k}`"), format!("`{k}` is owned by `{}`, which stays; its highest score is unchanged, so it does not move.", nodes[owners[i]]))
                }
            })
            .collect();
        let rest: Vec<String> = nodes.iter().enumerate().filter(|(i, _)| *i != leave).map(|(_, n)| n.clone()).collect();
        let solution = Content::new()
            .p(format!("Only the keys whose highest score was on `{}` move; every other key keeps its maximum. Those keys: **{}**.", nodes[leave], moving.iter().map(|i| letter(*i).to_string()).collect::<Vec<_>>().join(", ")))
            .p(format!(
                "Each moving key goes to its next-highest node: {}. Modulo hashing would instead reshuffle most keys.",
                moving.iter().map(|&i| format!("`{}` → `{}`", keys[i], rest[owner(&rest, &keys[i])])).collect::<Vec<_>>().join(", ")
            ));
        Ok(Question::new(
            prompt.p(format!("Node `{}` is removed. Which keys change node?", nodes[leave])),
            vec![AnswerSlot::new("keys that move", Expected::Multi { options, correct: moving, rule: PartialCredit::RightMinusWrong })],
            solution,
            evidence,
        )
        .with_scenario(&Scenario { nodes, keys, target: leave }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        // Independent argmax: scan nodes in reverse with a strict comparison.
        let brute = |nodes: &[String], k: &str| {
            let mut best = (0u64, usize::MAX);
            for i in (0..nodes.len()).rev() {
                let sc = xxh3_64(format!("{}|{}", nodes[i], k).as_bytes()) >> 48;
                if best.1 == usize::MAX || sc > best.0 {
                    best = (sc, i);
                }
            }
            best.1
        };
        match q.expected(0)? {
            Expected::Choice { correct, .. } => CheckError::expect_eq("owner", *correct, brute(&s.nodes, &s.keys[s.target])),
            Expected::Multi { correct, .. } => {
                let rest: Vec<String> = s.nodes.iter().enumerate().filter(|(i, _)| *i != s.target).map(|(_, n)| n.clone()).collect();
                let moved: Vec<usize> = (0..s.keys.len())
                    .filter(|&i| s.nodes[brute(&s.nodes, &s.keys[i])] != rest[brute(&rest, &s.keys[i])])
                    .collect();
                // The property: exactly the departed node's keys move.
                let owned: Vec<usize> = (0..s.keys.len()).filter(|&i| brute(&s.nodes, &s.keys[i]) == s.target).collect();
                CheckError::expect_eq("moved keys are the departed node's keys", moved.clone(), owned)?;
                let mut c = correct.clone();
                c.sort_unstable();
                CheckError::expect_eq("keys that move", c, moved)
            }
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
        stress(&Rendezvous, 0..30).unwrap();
    }

    #[test]
    fn scores_are_real_xxh3() {
        // From the reference implementation, not from the crate under test: xxhsum 0.8.1 (Debian's
        // `xxhash` package), `printf '' | xxhsum -H3` prints 2d06800538d394c2, `printf 'a|b' |
        // xxhsum -H3` prints c7ee863ab9632249 and `printf 'node-1|obj:1234' | xxhsum -H3` prints
        // 029f450ae092ef25. A score is the top 16 bits of the node|key digest.
        assert_eq!(xxh3_64(b""), 0x2d06800538d394c2);
        assert_eq!(xxh3_64(b"a|b"), 0xc7ee863ab9632249);
        assert_eq!(score("a", "b"), 0xc7ee);
        assert_eq!(score("node-1", "obj:1234"), 0x029f);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Rendezvous, &["ask=moves".into(), "nodes=5".into(), "keys=6".into()]).unwrap();
        let q = generate(&Rendezvous, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.options().unwrap().len(), 6);
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Rendezvous, &["ask=owner".into()]).unwrap();
        let mut q = generate(&Rendezvous, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Rendezvous, &q).unwrap();
        if let Expected::Choice { correct, options } = &mut q.slots[0].expected {
            *correct = (*correct + 1) % options.len();
        }
        assert!(crate::family::cross_check(&Rendezvous, &q).is_err());
    }
}
