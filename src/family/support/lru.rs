//! A least-recently-used cache of small integer keys (0..n), in O(1) per access: a doubly linked
//! list over arrays, most recent at the head. Used by the families that simulate caches
//! (`optimization.zipf_cache`, `optimization.cache_lines`).

/// An LRU cache of integer keys below n.
pub struct Lru {
    prev: Vec<u32>,
    next: Vec<u32>,
    cached: Vec<bool>,
    head: u32,
    tail: u32,
    len: u64,
    cap: u64,
}

const NIL: u32 = u32::MAX;

impl Lru {
    /// An empty cache of `cap` entries for keys 0..n.
    pub fn new(n: u64, cap: u64) -> Lru {
        Lru {
            prev: vec![NIL; n as usize],
            next: vec![NIL; n as usize],
            cached: vec![false; n as usize],
            head: NIL,
            tail: NIL,
            len: 0,
            cap,
        }
    }

    fn unlink(&mut self, k: u32) {
        let (p, n) = (self.prev[k as usize], self.next[k as usize]);
        if p == NIL {
            self.head = n
        } else {
            self.next[p as usize] = n
        }
        if n == NIL {
            self.tail = p
        } else {
            self.prev[n as usize] = p
        }
    }

    fn push_front(&mut self, k: u32) {
        self.prev[k as usize] = NIL;
        self.next[k as usize] = self.head;
        if self.head != NIL {
            self.prev[self.head as usize] = k;
        }
        self.head = k;
        if self.tail == NIL {
            self.tail = k;
        }
    }

    /// Accesses key k; true on a hit.
    pub fn access(&mut self, k: u32) -> bool {
        if self.cap == 0 {
            return false;
        }
        if self.cached[k as usize] {
            self.unlink(k);
            self.push_front(k);
            return true;
        }
        if self.len == self.cap {
            let victim = self.tail;
            self.unlink(victim);
            self.cached[victim as usize] = false;
            self.len -= 1;
        }
        self.push_front(k);
        self.cached[k as usize] = true;
        self.len += 1;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = Lru::new(5, 2);
        assert!(!c.access(0) && !c.access(1));
        assert!(c.access(0)); // 0 becomes most recent
        assert!(!c.access(2)); // evicts 1
        assert!(c.access(0) && !c.access(1));
        // A cache of one entry hits only on immediate repeats.
        let mut c = Lru::new(3, 1);
        let hits: Vec<bool> = [0, 0, 1, 0, 0].iter().map(|&k| c.access(k)).collect();
        assert_eq!(hits, [false, true, false, false, true]);
    }
}
