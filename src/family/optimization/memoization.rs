//! `optimization.memoization`: how much work does memoization save? Count the calls a naive
//! recursion makes, against the memoized version.
//!
//! **Asked** (`problem`):
//! - `fib`: calls made by naive `fib(n)` (2·F(n+1) − 1), or by the memoized one (2n − 1 with the
//!   cache checked inside the call, as the shown code does), as two parts;
//! - `grid`: calls made by a naive recursive count of monotone lattice paths `paths(r, c)`
//!   (2·C(r+c, r) − 1), and by the memoized version (1 + 2·r·c: each inner state expands once).
//!
//! **Parameters.** `n` for fib: easy 5–10, medium 10–20, hard 20–30; grid r, c: 2–4, 3–6, 5–9.
//!
//! **Key.** Run both recursions with a call counter (the naive one iteratively counted for large n
//! by recurrence calls(n) = 1 + calls(n−1) + calls(n−2), itself executed).
//!
//! **Second route.** The closed forms above, computed independently.
//!
//! **Pitfalls**: F(n) calls for the naive version; n calls for the memoized one (each value is
//! asked for twice, once from each parent).

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The family.
pub struct Memoization;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "problem",
        help: "fib: Fibonacci; grid: lattice paths in an r × c grid",
        kind: ParamKind::Choice { options: &["fib", "grid"], draw: [&["fib", "grid"], &["fib", "grid"], &["fib", "grid"]] },
    },
    ParamSpec {
        key: "n",
        help: "n for fib(n)",
        kind: ParamKind::Int { min: 1, max: 60, draw: [(5, 10), (10, 20), (20, 30)] },
    },
    ParamSpec {
        key: "rows",
        help: "grid rows r",
        kind: ParamKind::Int { min: 1, max: 12, draw: [(2, 4), (3, 6), (5, 9)] },
    },
    ParamSpec {
        key: "cols",
        help: "grid columns c",
        kind: ParamKind::Int { min: 1, max: 12, draw: [(2, 4), (3, 6), (5, 9)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    problem: String,
    n: u64,
    r: u64,
    c: u64,
}

/// Naive fib, counting calls (run for real up to n = 30; beyond, the call-count recurrence is run).
fn fib_naive_calls(n: u64) -> u64 {
    fn go(n: u64, calls: &mut u64) -> u64 {
        *calls += 1;
        if n < 2 { n } else { go(n - 1, calls) + go(n - 2, calls) }
    }
    if n <= 30 {
        let mut calls = 0;
        go(n, &mut calls);
        calls
    } else {
        let (mut a, mut b) = (1u64, 1u64); // calls(0), calls(1)
        for _ in 2..=n {
            let c = 1 + a + b;
            a = b;
            b = c;
        }
        b
    }
}

fn fib_memo_calls(n: u64) -> u64 {
    fn go(n: u64, memo: &mut BTreeMap<u64, u64>, calls: &mut u64) -> u64 {
        *calls += 1;
        if let Some(v) = memo.get(&n) {
            return *v;
        }
        let v = if n < 2 { n } else { go(n - 1, memo, calls) + go(n - 2, memo, calls) };
        memo.insert(n, v);
        v
    }
    let mut calls = 0;
    go(n, &mut BTreeMap::new(), &mut calls);
    calls
}

fn grid_calls(r: u64, c: u64, memo: bool) -> u64 {
    fn go(r: u64, c: u64, memo: Option<&mut BTreeMap<(u64, u64), u64>>, calls: &mut u64) -> u64 {
        *calls += 1;
        if r == 0 || c == 0 {
            return 1;
        }
        match memo {
            Some(m) => {
                if let Some(v) = m.get(&(r, c)) {
                    return *v;
                }
                let v = go(r - 1, c, Some(m), calls) + go(r, c - 1, Some(m), calls);
                m.insert((r, c), v);
                v
            }
            None => go(r - 1, c, None, calls) + go(r, c - 1, None, calls),
        }
    }
    let mut calls = 0;
    let mut m = BTreeMap::new();
    go(r, c, if memo { Some(&mut m) } else { None }, &mut calls);
    calls
}

fn binom(n: u64, k: u64) -> u64 {
    (0..k).fold(1u64, |a, i| a * (n - i) / (i + 1))
}

impl Family for Memoization {
    fn id(&self) -> &'static str {
        "optimization.memoization"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Memoization: counting the calls it saves"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let problem = cx.pick("problem");
        let n = cx.int("n") as u64;
        let r = cx.int("rows") as u64;
        let c = cx.int("cols") as u64;
        if problem == "fib" {
            cx.unused("rows");
            cx.unused("cols");
        } else {
            cx.unused("n");
        }
        let s = Scenario { problem: problem.into(), n, r, c };
        let (prompt, naive, memo, solution) = if problem == "fib" {
            let (naive, memo) = (fib_naive_calls(n), fib_memo_calls(n));
            (
                Content::new()
                    .p("Two versions of Fibonacci; every call to `fib` counts, including the first one and calls answered from the cache:")
                    .code("pseudo", "fib(n):\n    if n < 2: return n\n    return fib(n - 1) + fib(n - 2)\n\nfib_memo(n):                      # memo starts empty\n    if n in memo: return memo[n]\n    v = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)\n    memo[n] = v\n    return v")
                    .p(format!("(a) How many calls does `fib({n})` make in total? (b) How many calls does `fib_memo({n})` make?")),
                naive,
                memo,
                Content::new()
                    .p(format!("(a) calls(n) = 1 + calls(n − 1) + calls(n − 2) with calls(0) = calls(1) = 1, which solves to 2·F(n + 1) − 1 = **{naive}**: exponential, about φ^n."))
                    .p(format!("(b) The memoized version computes each of fib(0) … fib({n}) once; every value from fib({}) down is requested a second time by its other parent and answered from the cache: 2·{n} − 1 = **{memo}** calls.", n.saturating_sub(2))),
            )
        } else {
            let (naive, memo) = (grid_calls(r, c, false), grid_calls(r, c, true));
            (
                Content::new()
                    .p(format!("Count the monotone paths from corner (r, c) = ({r}, {c}) to an edge of a grid, moving one step down or left at a time; every call counts, including cache hits:"))
                    .code("pseudo", "paths(r, c):\n    if r == 0 or c == 0: return 1\n    return paths(r - 1, c) + paths(r, c - 1)\n\npaths_memo(r, c):                 # memo starts empty\n    if r == 0 or c == 0: return 1\n    if (r, c) in memo: return memo[(r, c)]\n    memo[(r, c)] = paths_memo(r - 1, c) + paths_memo(r, c - 1)\n    return memo[(r, c)]")
                    .p(format!("(a) How many calls does `paths({r}, {c})` make in total? (b) How many does `paths_memo({r}, {c})` make?")),
                naive,
                memo,
                Content::new()
                    .p(format!("(a) The naive recursion tree has one leaf per path, C(r + c, r) = {} leaves, and every inner node has two children, so 2·{} − 1 = **{naive}** calls.", binom(r + c, r), binom(r + c, r)))
                    .p(format!("(b) With the memo each inner state (i, j), 1 ≤ i ≤ {r}, 1 ≤ j ≤ {c}, is expanded once and makes two calls, so calls = 1 + 2·{r}·{c} = **{memo}**.")),
            )
        };
        let evidence = Content::new().p(format!("Instrumented runs: naive {naive} calls, memoized {memo} calls ({}× fewer).", crate::answer::fmt_sig(naive as f64 / memo as f64, 3)));
        Ok(Question::new(
            prompt,
            vec![
                AnswerSlot::new("calls, naive", Expected::Integer { value: naive as i64 }),
                AnswerSlot::new("calls, memoized", Expected::Integer { value: memo as i64 }),
            ],
            solution,
            evidence,
        )
        .with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (Expected::Integer { value: a }, Expected::Integer { value: b }) = (q.expected(0)?, q.expected(1)?) else {
            return Err(CheckError("expected integers".into()));
        };
        let (naive, memo) = if s.problem == "fib" {
            let fib = |k: u64| (0..k).fold((0u64, 1u64), |(x, y), _| (y, x + y)).0;
            (2 * fib(s.n + 1) - 1, if s.n == 0 { 1 } else { 2 * s.n - 1 })
        } else {
            (2 * binom(s.r + s.c, s.r) - 1, 1 + 2 * s.r * s.c)
        };
        CheckError::expect_eq("naive calls by formula", *a, naive as i64)?;
        CheckError::expect_eq("memoized calls by formula", *b, memo as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Memoization, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // fib(4): the call tree has 9 nodes; memoized: 4, 3, 2, 1, 0, then hits for 1 and 2 = 7.
        assert_eq!(fib_naive_calls(4), 9);
        assert_eq!(fib_memo_calls(4), 7);
        // paths(1, 1): itself, (0,1), (1,0) = 3 calls either way.
        assert_eq!(grid_calls(1, 1, false), 3);
        assert_eq!(grid_calls(1, 1, true), 3);
        assert_eq!(fib_naive_calls(31), 2 * 2_178_309 - 1); // F(32) = 2,178,309
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Memoization, &["problem=fib".into(), "n=4".into()]).unwrap();
        let q = generate(&Memoization, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "9");
        assert_eq!(q.slots[1].expected.reference(), "7");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Memoization, &["problem=grid".into()]).unwrap();
        let mut q = generate(&Memoization, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Memoization, &q).unwrap();
        q.slots[1].expected = Expected::Integer { value: 1 };
        assert!(crate::family::cross_check(&Memoization, &q).is_err());
    }
}
