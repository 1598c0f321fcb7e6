//! A real B+-tree of integer keys, used by `systems.btree` and checked against SQLite's own
//! B-tree in the tests (`tests/engines.rs`). Leaves hold up to `leaf_cap` keys; internal nodes
//! up to `fanout` children. A node that overflows splits either in half (the textbook rule) or,
//! when the new key went past the end of the rightmost node, by starting a new node with just
//! that key (the append optimisation SQLite's `balance_quick`, PostgreSQL's fastpath and
//! InnoDB use for ascending keys, which leaves full nodes behind).

/// How a full node splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// In half: the left node keeps ⌈(m + 1)/2⌉ entries.
    Half,
    /// Past the end of the rightmost node: the old node stays full, the new one starts with the
    /// new entry; otherwise in half.
    Append,
}

#[derive(Debug, Clone)]
enum Node {
    Leaf(Vec<u64>),
    Internal {
        keys: Vec<u64>,
        children: Vec<usize>,
    },
}

/// The tree. Nodes live in an arena; the root's index changes when the root splits.
#[derive(Debug, Clone)]
pub struct BPlusTree {
    fanout: usize,
    leaf_cap: usize,
    split: Split,
    nodes: Vec<Node>,
    root: usize,
}

impl BPlusTree {
    /// An empty tree (one empty leaf). `fanout` ≥ 3, `leaf_cap` ≥ 2.
    pub fn new(fanout: usize, leaf_cap: usize, split: Split) -> BPlusTree {
        BPlusTree {
            fanout: fanout.max(3),
            leaf_cap: leaf_cap.max(2),
            split,
            nodes: vec![Node::Leaf(Vec::new())],
            root: 0,
        }
    }

    /// Inserts `key` (duplicates are ignored).
    pub fn insert(&mut self, key: u64) {
        if let Some((sep, right)) = self.insert_at(self.root, key, true) {
            let old = self.root;
            self.nodes.push(Node::Internal {
                keys: vec![sep],
                children: vec![old, right],
            });
            self.root = self.nodes.len() - 1;
        }
    }

    /// Inserts below `at`; returns the separator and new right sibling if `at` split.
    /// `rightmost` is true when `at` is the rightmost node of its level.
    fn insert_at(&mut self, at: usize, key: u64, rightmost: bool) -> Option<(u64, usize)> {
        match &mut self.nodes[at] {
            Node::Leaf(keys) => {
                let pos = match keys.binary_search(&key) {
                    Ok(_) => return None,
                    Err(p) => p,
                };
                keys.insert(pos, key);
                if keys.len() <= self.leaf_cap {
                    return None;
                }
                let cut = if self.split == Split::Append && rightmost && pos == keys.len() - 1 {
                    keys.len() - 1
                } else {
                    keys.len().div_ceil(2)
                };
                let right: Vec<u64> = keys.split_off(cut);
                let sep = right[0];
                self.nodes.push(Node::Leaf(right));
                Some((sep, self.nodes.len() - 1))
            }
            Node::Internal { keys, children } => {
                let i = keys.partition_point(|k| *k <= key);
                let child = children[i];
                let last = i == children.len() - 1;
                let (sep, new) = self.insert_at(child, key, rightmost && last)?;
                let Node::Internal { keys, children } = &mut self.nodes[at] else {
                    unreachable!()
                };
                keys.insert(i, sep);
                children.insert(i + 1, new);
                if children.len() <= self.fanout {
                    return None;
                }
                let appended = i + 1 == children.len() - 1;
                let cut = if self.split == Split::Append && rightmost && appended {
                    children.len() - 1
                } else {
                    children.len().div_ceil(2)
                };
                let right_children = children.split_off(cut);
                let mut right_keys = keys.split_off(cut - 1);
                let up = right_keys.remove(0);
                self.nodes.push(Node::Internal {
                    keys: right_keys,
                    children: right_children,
                });
                Some((up, self.nodes.len() - 1))
            }
        }
    }

    /// Looks `key` up; returns whether it is there and how many nodes (pages) were read.
    pub fn lookup(&self, key: u64) -> (bool, usize) {
        let mut at = self.root;
        let mut read = 0;
        loop {
            read += 1;
            match &self.nodes[at] {
                Node::Leaf(keys) => return (keys.binary_search(&key).is_ok(), read),
                Node::Internal { keys, children } => {
                    at = children[keys.partition_point(|k| *k <= key)]
                }
            }
        }
    }

    /// Node counts per level, root first (the last entry is the number of leaves).
    pub fn levels(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut level = vec![self.root];
        loop {
            out.push(level.len());
            let mut next = Vec::new();
            for n in &level {
                if let Node::Internal { children, .. } = &self.nodes[*n] {
                    next.extend(children.iter().copied());
                }
            }
            if next.is_empty() {
                return out;
            }
            level = next;
        }
    }

    /// The number of levels (a lookup reads one node per level).
    pub fn height(&self) -> usize {
        self.levels().len()
    }

    /// Every key, in order, by walking the leaves left to right (for invariant checks).
    pub fn keys(&self) -> Vec<u64> {
        let mut out = Vec::new();
        self.collect(self.root, &mut out);
        out
    }

    fn collect(&self, at: usize, out: &mut Vec<u64>) {
        match &self.nodes[at] {
            Node::Leaf(keys) => out.extend(keys.iter().copied()),
            Node::Internal { children, .. } => {
                for c in children {
                    self.collect(*c, out);
                }
            }
        }
    }

    /// The average fill of the leaves, keys per leaf over `leaf_cap`.
    pub fn leaf_fill(&self) -> f64 {
        let leaves = *self.levels().last().unwrap_or(&1);
        self.keys().len() as f64 / (leaves * self.leaf_cap) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::SeedableRng;

    #[test]
    fn every_key_is_found_in_height_reads() {
        for split in [Split::Half, Split::Append] {
            let mut keys: Vec<u64> = (0..5000).map(|k| k * 7).collect();
            keys.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
            let mut t = BPlusTree::new(5, 4, split);
            for k in &keys {
                t.insert(*k);
            }
            let h = t.height();
            for k in &keys {
                assert_eq!(t.lookup(*k), (true, h));
            }
            assert!(!t.lookup(3).0);
            keys.sort_unstable();
            assert_eq!(t.keys(), keys);
        }
    }

    #[test]
    fn fan_out_100_with_a_million_keys_has_height_3_or_4_by_fill() {
        // The textbook bounds (Comer, "The Ubiquitous B-Tree", 1979; Ramakrishnan & Gehrke §10):
        // full nodes give ⌈log_100(10^6 / 100)⌉ + 1 = 3 levels; half-full nodes (fan-out 50)
        // give 4. Measured: ascending inserts with the append split fill every node (3 levels);
        // with the textbook half split (4 levels, leaves half full); random order (about 69%
        // full, Yao 1978: ln 2) also 4.
        let n = 1_000_000u64;
        let mut full = BPlusTree::new(100, 100, Split::Append);
        let mut half = BPlusTree::new(100, 100, Split::Half);
        for k in 0..n {
            full.insert(k);
            half.insert(k);
        }
        assert_eq!(full.height(), 3);
        assert_eq!(full.levels(), vec![1, 100, 10_000]);
        assert_eq!(half.height(), 4);
        assert!(
            (half.leaf_fill() - 0.505).abs() < 0.01,
            "{}",
            half.leaf_fill()
        );
        let mut keys: Vec<u64> = (0..n).collect();
        keys.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(7));
        let mut random = BPlusTree::new(100, 100, Split::Half);
        for k in keys {
            random.insert(k);
        }
        assert_eq!(random.height(), 4);
        assert!(
            (random.leaf_fill() - std::f64::consts::LN_2).abs() < 0.02,
            "{}",
            random.leaf_fill()
        );
    }
}
