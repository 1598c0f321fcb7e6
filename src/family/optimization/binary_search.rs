//! `optimization.binary_search`: how many probes does binary search make?
//!
//! **Asked** (`ask`): `probes`: the probes the shown variant makes to find x (or to report it
//! missing) in a shown sorted array; `worst`: the worst case over all targets in an array of n
//! elements, ⌊log2 n⌋ + 1.
//!
//! The variant shown is the classic closed-interval search: `lo = 0, hi = n − 1; while lo <= hi:
//! mid = (lo + hi) / 2 (integer division); one probe compares a[mid] with x`.
//!
//! **Parameters.** `size` n: easy 7–15, medium 12–40, hard 30–1,000,000 (worst only beyond 40).
//!
//! **Key.** Run the shown variant with a probe counter.
//!
//! **Second route.** `probes`: an independent recursive implementation counting its depth;
//! `worst`: brute force over every present target (and every gap for absent ones) for n ≤ 4096, the
//! formula beyond.
//!
//! **Pitfalls**: log2 n without the floor-plus-one; counting loop iterations as two comparisons.

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, ParamValue, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct BinarySearch;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "probes: probes to find x in the shown array; worst: worst case for n elements",
        kind: ParamKind::Choice { options: &["probes", "worst"], draw: [&["probes"], &["probes", "worst"], &["probes", "worst"]] },
    },
    ParamSpec {
        key: "size",
        help: "array length n",
        kind: ParamKind::Int { min: 1, max: 1_000_000_000, draw: [(7, 15), (12, 40), (30, 1_000_000)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    array: Vec<i64>,
    n: u64,
    x: i64,
}

/// The shown variant: (probes, found index).
pub fn search(a: &[i64], x: i64) -> (u32, Option<usize>) {
    let (mut lo, mut hi) = (0i64, a.len() as i64 - 1);
    let mut probes = 0;
    while lo <= hi {
        let mid = (lo + hi) / 2;
        probes += 1;
        match a[mid as usize].cmp(&x) {
            std::cmp::Ordering::Equal => return (probes, Some(mid as usize)),
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid - 1,
        }
    }
    (probes, None)
}

/// ⌊log2 n⌋ + 1.
pub fn worst(n: u64) -> u32 {
    64 - n.leading_zeros()
}

impl Family for BinarySearch {
    fn id(&self) -> &'static str {
        "optimization.binary_search"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Binary search: counting probes"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `size` is the length of the shown array (`probes`), or n in the text (`worst`).
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["size"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let mut ask = cx.pick("ask");
        let mut n = cx.int("size") as u64;
        // A traced search needs an array short enough to show (at most 40 keys); a drawn `probes`
        // with a larger drawn n becomes `worst`, and the question records what it asks.
        if ask == "probes" && n > 40 {
            if !cx.is_pinned("ask") {
                ask = "worst";
                cx.adjusted("ask", ParamValue::Choice(ask.into()));
            } else if !cx.is_pinned("size") {
                n = cx.int_within("size", 30, 40, 1) as u64;
            } else {
                return Err(GenError::Params {
                    message: format!("ask=probes traces a search in a shown array, and {n} keys are too many to show"),
                    hint: "for ask=probes set size to at most 40, or ask=worst for any size".into(),
                });
            }
        }
        let code = "lo = 0\nhi = n - 1\nwhile (lo <= hi)\n    mid = (lo + hi) / 2        # integer division\n    probes++                   # one probe: compare a[mid] with x\n    if a[mid] == x: return mid\n    if a[mid] < x: lo = mid + 1\n    else: hi = mid - 1\nreturn not found";
        if ask == "worst" {
            let v = worst(n);
            let s = Scenario { ask: "worst".into(), array: vec![], n, x: 0 };
            let prompt = Content::new()
                .p(format!("A sorted array holds **n = {n}** distinct keys. Binary search probes it like this:"))
                .code("pseudo", code)
                .p("In the worst case over all targets x (present or not), how many probes does one search make?");
            let solution = Content::new()
                .p("Each probe at least halves the remaining range: a range of size m leaves at most ⌊m/2⌋ elements on either side. Starting from n, the search can continue while the range is non-empty, so the worst case is the number of halvings of n down to 1, plus the last probe.")
                .p(format!("⌊log2 {n}⌋ + 1 = **{v}** (log2 {n} = {}).", crate::answer::fmt_sig((n as f64).log2(), 4)));
            let evidence = Content::new().p(format!("The shown variant run on an array of {} keys: the largest probe count over every target is {}.", n.min(4096), worst(n.min(4096))));
            return Ok(Question::new(prompt, vec![AnswerSlot::new("worst-case probes", Expected::Integer { value: v as i64 })], solution, evidence).with_scenario(&s));
        }
        let mut vals: Vec<i64> = (0..n).map(|_| cx.rng().random_range(1..200)).collect();
        vals.sort_unstable();
        vals.dedup();
        while (vals.len() as u64) < n {
            let next = vals.last().copied().unwrap_or(0) + cx.rng().random_range(1..5);
            vals.push(next);
        }
        let present = cx.rng().random_bool(0.7);
        let x = if present {
            vals[cx.rng().random_range(0..vals.len())]
        } else {
            let mut x = cx.rng().random_range(0..vals[vals.len() - 1] + 2);
            while vals.binary_search(&x).is_ok() {
                x += 1;
            }
            x
        };
        let (v, found) = search(&vals, x);
        let mut trace = Vec::new();
        let (mut lo, mut hi) = (0i64, vals.len() as i64 - 1);
        while lo <= hi {
            let mid = (lo + hi) / 2;
            trace.push(format!("lo={lo}, hi={hi}, mid={mid}, a[mid]={}", vals[mid as usize]));
            if vals[mid as usize] == x {
                break;
            } else if vals[mid as usize] < x {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        let prompt = Content::new()
            .p("Binary search over the sorted array `a` (indexes from 0):")
            .code("pseudo", code)
            .code("text", format!("a = [{}]", vals.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")))
            .p(format!("How many probes does a search for **x = {x}** make?"));
        let solution = Content::new()
            .p("Trace the loop:")
            .ordered_list(trace)
            .p(format!("{} after **{v}** probes (the worst case for n = {} is {}).", if found.is_some() { "Found" } else { "The range empties: not found" }, vals.len(), worst(vals.len() as u64)));
        let evidence = Content::new().p(format!("The shown variant, run with a probe counter: {v} probes, {}.", found.map(|i| format!("found at index {i}")).unwrap_or_else(|| "not found".into())));
        Ok(Question::new(prompt, vec![AnswerSlot::new("probes", Expected::Integer { value: v as i64 })], solution, evidence)
            .with_scenario(&Scenario { ask: "probes".into(), n: vals.len() as u64, array: vals, x }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        if s.ask == "worst" {
            if s.n <= 4096 {
                let a: Vec<i64> = (0..s.n as i64).map(|i| 2 * i).collect();
                let brute = (-1..=2 * s.n as i64).map(|x| search(&a, x).0).max().unwrap_or(0);
                return CheckError::expect_eq("worst case by brute force", *value, brute as i64);
            }
            return CheckError::expect_eq("worst case by formula", *value, (s.n as f64).log2().floor() as i64 + 1);
        }
        fn rec(a: &[i64], lo: i64, hi: i64, x: i64) -> i64 {
            if lo > hi {
                return 0;
            }
            let mid = (lo + hi) / 2;
            1 + if a[mid as usize] == x { 0 } else if a[mid as usize] < x { rec(a, mid + 1, hi, x) } else { rec(a, lo, mid - 1, x) }
        }
        CheckError::expect_eq("probes by recursion", *value, rec(&s.array, 0, s.array.len() as i64 - 1, s.x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty, Pins};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&BinarySearch, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        let a = [1, 3, 5, 7, 9, 11, 13];
        assert_eq!(search(&a, 7), (1, Some(3))); // the middle
        assert_eq!(search(&a, 1), (3, Some(0))); // mid 3, then 1, then 0
        assert_eq!(search(&a, 4), (3, None));
        assert_eq!(worst(7), 3);
        assert_eq!(worst(8), 4);
        assert_eq!(worst(1_000_000), 20);
    }

    #[test]
    fn the_ask_recorded_is_the_ask_asked() {
        // Hard draws n up to 10⁶: a drawn `probes` became `worst` while recording `probes`, and a
        // pinned `probes` was silently ignored.
        for seed in 0..20 {
            let q = generate(&BinarySearch, seed, Difficulty::Hard, &Pins::new()).unwrap();
            let worst = q.prompt.plain_text().contains("worst case");
            assert_eq!(q.params["ask"].to_string() == "worst", worst, "seed {seed}");
            let pinned = generate(&BinarySearch, seed, Difficulty::Hard, &parse_pins(&BinarySearch, &["ask=probes".into()]).unwrap()).unwrap();
            assert!(!pinned.prompt.plain_text().contains("worst case"), "seed {seed}");
        }
        let both = parse_pins(&BinarySearch, &["ask=probes".into(), "size=1000".into()]).unwrap();
        assert!(matches!(generate(&BinarySearch, 1, Difficulty::Hard, &both), Err(GenError::Params { .. })));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&BinarySearch, &["ask=worst".into(), "size=1000000".into()]).unwrap();
        let q = generate(&BinarySearch, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "20");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&BinarySearch, &["ask=probes".into(), "size=20".into()]).unwrap();
        let mut q = generate(&BinarySearch, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&BinarySearch, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value + 1 };
        assert!(crate::family::cross_check(&BinarySearch, &q).is_err());
    }
}
