//! `probability.patterns`: the expected number of coin flips (say, a health probe that passes with
//! probability p) until a pattern such as HH, HT or HTH first appears.
//!
//! **Asked**: E[flips until the pattern first completes].
//!
//! **Parameters.** `pattern`: easy HH/HT/TH, medium HHH/HTH/HHT/THH, hard any of length 3–4;
//! `p` = P(H): easy and medium 0.5 (a fair coin), hard 0.3–0.7.
//!
//! **Key.** Exact: the absorbing Markov chain whose state is the longest prefix of the pattern that
//! is a suffix of the flips so far (KMP automaton). Expected steps to absorption solve
//! (I − Q)·t = 1, solved here by Gaussian elimination with partial pivoting.
//!
//! **Second route.** (1) The overlap formula for any p (Conway's for a fair coin, generalised by
//! the martingale "gambling team" argument): E = Σ 1/P(w_j) over every j where the pattern's
//! length-j prefix w_j equals its length-j suffix, P(w) the product of p per H and 1 − p per T. It
//! must equal the key to 1e-9: no automaton, no linear system. (2) Monte Carlo: flip a seeded coin
//! until the pattern shows, many times (once, in `generate`, for the evidence; the estimate travels
//! in the scenario to `cross_check`) (`mc`'s test for whole-number samples). The simulation
//! skips a run of flips that keep the automaton where it is (the T's before an H while nothing is
//! matched, say) with one geometric draw, and its number of runs is sized from the exact
//! expectation: 2·10⁶/E runs, between 100 and 20,000, so HHHH at p = 0.05 (E ≈ 168,000) takes
//! about 2·10⁶ steps rather than 3·10⁹ flips.
//!
//! **By hand.** The overlap rule (the second route above) is exact and takes a minute; a
//! candidate who writes the Markov chain solves at most four linear equations.
//!
//! **Pitfalls**: thinking every pattern of length L takes 2^L flips (HT takes 4 but HH takes 6, since a
//! failed HH attempt can restart from scratch); ignoring overlaps.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Patterns;

const ALL: &[&str] = &[
    "HH", "HT", "TH", "HHH", "HTH", "HHT", "THH", "HTT", "THT", "HHHH", "HTHT", "HHTT", "HTTH",
    "HHTH", "THTH",
];

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "pattern",
        help: "the pattern of H (pass) and T (fail)",
        kind: ParamKind::Choice {
            options: ALL,
            draw: [
                &["HH", "HT", "TH"],
                &["HHH", "HTH", "HHT", "THH"],
                &["HHH", "HTH", "HHT", "HTT", "THT", "HHHH", "HTHT", "HHTT", "HTTH", "HHTH"],
            ],
        },
    },
    ParamSpec {
        key: "p",
        help: "P(H) per flip",
        kind: ParamKind::Real {
            min: 0.05,
            max: 0.95,
            step: 0.05,
            draw: [(0.5, 0.5), (0.5, 0.5), (0.3, 0.7)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    pattern: String,
    p: f64,
    /// The simulation the evidence shows, which the cross-check tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    est: Option<mc::Estimate>,
}

/// The KMP automaton: from state s (prefix length matched) on symbol c, the next state.
fn next_state(pat: &[u8], s: usize, c: u8) -> usize {
    let mut cand: Vec<u8> = pat[..s].to_vec();
    cand.push(c);
    (0..=cand.len().min(pat.len()))
        .rev()
        .find(|&l| cand.ends_with(&pat[..l]))
        .unwrap_or(0)
}

/// Expected flips to complete `pat` with P(H) = p: solves (I − Q) t = 1 over the transient states.
pub fn expected_flips(pat: &str, p: f64) -> f64 {
    let pat = pat.as_bytes();
    let m = pat.len();
    // Augmented matrix rows: t_s − Σ P(s→s') t_s' = 1, with t_m = 0.
    let mut a = vec![vec![0.0f64; m + 1]; m];
    #[allow(clippy::needless_range_loop)] // s is a Markov state, not just an index
    for s in 0..m {
        a[s][s] += 1.0;
        a[s][m] = 1.0;
        for (c, pc) in [(b'H', p), (b'T', 1.0 - p)] {
            let t = next_state(pat, s, c);
            if t < m {
                a[s][t] -= pc;
            }
        }
    }
    for col in 0..m {
        let piv = (col..m)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, piv);
        let d = a[col][col];
        for x in a[col].iter_mut() {
            *x /= d;
        }
        for r in 0..m {
            if r != col {
                let f = a[r][col];
                if f != 0.0 {
                    let pivot = a[col].clone();
                    for (x, y) in a[r][col..].iter_mut().zip(&pivot[col..]) {
                        *x -= f * y;
                    }
                }
            }
        }
    }
    a[0][m]
}

/// The overlap formula for any p: Σ 1/P(prefix) over the prefixes that are also suffixes (the
/// second route; see the module docs).
pub fn overlap_formula(pat: &str, p: f64) -> f64 {
    let b = pat.as_bytes();
    let prob = |w: &[u8]| w.iter().map(|c| if *c == b'H' { p } else { 1.0 - p }).product::<f64>();
    (1..=b.len()).filter(|&j| b[..j] == b[b.len() - j..]).map(|j| 1.0 / prob(&b[..j])).sum()
}

/// Runs to simulate: sized from the exact expectation so the work stays about 2·10⁶ flips at most.
fn runs(expected: f64) -> u64 {
    (2e6 / expected.max(1.0)).clamp(100.0, 20_000.0) as u64
}

/// Conway's overlap formula for a fair coin.
pub fn conway_fair(pat: &str) -> f64 {
    let b = pat.as_bytes();
    (1..=b.len())
        .filter(|&j| b[..j] == b[b.len() - j..])
        .map(|j| 2f64.powi(j as i32))
        .sum()
}

/// Simulated flips until the pattern, `runs` times; also returns the number of steps taken (one
/// per geometric skip or flip), the work the cost bound is about.
fn simulate(s: &Scenario, runs: u64, rng: &mut rand_chacha::ChaCha8Rng) -> (mc::Estimate, u64) {
    use rand_distr::{Distribution, Geometric};
    let pat = s.pattern.as_bytes();
    let m = pat.len();
    let mut table = vec![[0usize; 2]; m];
    for (st, row) in table.iter_mut().enumerate() {
        row[0] = next_state(pat, st, b'H');
        row[1] = next_state(pat, st, b'T');
    }
    // A state that one symbol leaves unchanged: skip that symbol's whole run at once. The number
    // of such flips before the other symbol is Geometric(P(other)).
    let stay: Vec<Option<Geometric>> = (0..m)
        .map(|st| {
            if table[st][0] == st {
                Geometric::new(1.0 - s.p).ok()
            } else if table[st][1] == st {
                Geometric::new(s.p).ok()
            } else {
                None
            }
        })
        .collect();
    let mut steps = 0u64;
    let est = mc::mean(runs, rng, |g| {
        let (mut st, mut n) = (0usize, 0u64);
        while st < m {
            if let Some(geo) = &stay[st] {
                n += geo.sample(g);
                steps += 1;
                // The next flip is the other symbol, which leaves the state.
                let other = usize::from(table[st][0] == st);
                st = table[st][other];
                n += 1;
            } else {
                st = table[st][usize::from(g.random::<f64>() >= s.p)];
                n += 1;
            }
            steps += 1;
        }
        n as f64
    });
    (est, steps)
}

impl Family for Patterns {
    fn id(&self) -> &'static str {
        "probability.patterns"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Waiting for a pattern of passes and failures"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [3, 5, 8], &["markov-chain-hitting-time", "pattern-overlap"])];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "expected checks until a pass/fail pattern (fair or biased)",
            key: "absorbing Markov chain, solved",
            second_route: "overlap (martingale) formula for any p; Monte Carlo",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let pattern = cx.pick("pattern");
        let p = cx.real("p");
        let mut s = Scenario { pattern: pattern.into(), p, est: None };
        let v = expected_flips(pattern, p);
        let (est, _) = simulate(&s, runs(v), &mut cx.sim_rng("mc"));
        s.est = Some(est);
        let coin = if (p - 0.5).abs() < 1e-12 {
            "passes or fails with probability ½ each".to_string()
        } else {
            format!("passes (H) with probability {p} and fails (T) with probability {}", crate::answer::trim_float(1.0 - p))
        };
        let prompt = Content::new()
            .p(format!(
                "A flaky canary check runs once a minute and {coin}, independently each minute \
                 (H = pass, T = fail). An alert fires the first time the last {} results read \
                 **{pattern}**.",
                pattern.len()
            ))
            .p("What is the expected number of checks until the alert fires (counting the check that completes the pattern)?");
        let pat = pattern.as_bytes();
        let label = |st: usize| if st == 0 { "start".to_string() } else { pattern[..st].to_string() };
        let rows: Vec<Vec<String>> = (0..pat.len())
            .map(|st| {
                vec![
                    label(st),
                    label(next_state(pat, st, b'H')).replace(pattern, "done"),
                    label(next_state(pat, st, b'T')).replace(pattern, "done"),
                ]
            })
            .collect();
        let solution = Content::new()
            .p("Track the longest prefix of the pattern that the latest results end with. On a mismatch the chain falls back to the longest prefix that is still a suffix, not always to the start:")
            .table(["state", "after H", "after T"], rows)
            .p(format!(
                "With $t_s$ the expected checks still needed from state s, $t_s = 1 + P(H) t_(s') + P(T) t_(s'')$ (s′ and s″ the states after H and after T), and t = 0 once the pattern is complete. Solving this linear system gives the expected checks from the start: **{}**.",
                fmt_sig(v, 4)
            ))
            .p(if (p - 0.5).abs() < 1e-12 {
                format!(
                    "Check with the overlap rule for a fair coin: add $2^j$ for every j where the first j symbols equal the last j: {}. Patterns of the same length differ because of self-overlap.",
                    fmt_sig(conway_fair(pattern), 4)
                )
            } else {
                "With a biased coin the self-overlapping patterns of the likelier symbol come sooner.".to_string()
            });
        let evidence = Content::new().p(format!(
            "Monte Carlo: {} simulated runs of the check until the pattern; mean {}.",
            est.n,
            est.describe(4)
        ));
        let same_len: Vec<(&str, f64)> = ALL
            .iter()
            .filter(|w| w.len() == pattern.len())
            .map(|w| (*w, expected_flips(w, p)))
            .collect();
        let soonest = same_len.iter().fold(same_len[0], |b, x| if x.1 < b.1 { *x } else { b });
        let latest = same_len.iter().fold(same_len[0], |b, x| if x.1 > b.1 { *x } else { b });
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new("expected checks until the alert", Expected::sig(v, 4)).by_hand(
                "the overlap rule: add 1/P(w) for every prefix w of the pattern that is also a suffix",
                overlap_formula(pattern, p),
            )],
            solution,
            evidence,
        )
        .followup(
            FollowUp::new(
                format!("Among patterns of length {}, which fires soonest and which latest?", pattern.len()),
                format!(
                    "{} soonest ({} checks), {} latest ({} checks): self-overlap delays a pattern because a failed attempt cannot reuse its progress.",
                    soonest.0,
                    fmt_sig(soonest.1, 4),
                    latest.0,
                    fmt_sig(latest.1, 4)
                ),
            )
            .point("Penney's game: for any pattern there is another that tends to come first"),
        )
        .with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let overlap = overlap_formula(&s.pattern, s.p);
        if (overlap - value).abs() > 1e-9 * overlap {
            return Err(CheckError(format!("key {value}, overlap formula {overlap}")));
        }
        // The simulation the evidence shows, run once in `generate` (sized by the same expected
        // count: the automaton's value, equal to the overlap formula's).
        let est = s.est.ok_or_else(|| CheckError("the scenario holds no simulation".into()))?;
        est.check("checks until the pattern", *value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Patterns, 0..30).unwrap();
    }

    #[test]
    fn classic_values() {
        // Well-known fair-coin answers: HH 6, HT 4, HHH 14, HTH 10, HHT 8, HHHH 30.
        for (pat, e) in [("HH", 6.0), ("HT", 4.0), ("HHH", 14.0), ("HTH", 10.0), ("HHT", 8.0), ("HHHH", 30.0)] {
            assert!((expected_flips(pat, 0.5) - e).abs() < 1e-9, "{pat}");
        }
        // HH with P(H) = p: (1 + p)/p² (standard result).
        assert!((expected_flips("HH", 0.3) - 1.3 / 0.09).abs() < 1e-9);
    }

    #[test]
    fn the_overlap_formula_matches_the_chain_for_every_pattern_and_p() {
        for pat in ALL {
            for i in 1..=19 {
                let p = i as f64 * 0.05;
                let (a, b) = (expected_flips(pat, p), overlap_formula(pat, p));
                assert!((a - b).abs() <= 1e-9 * a, "{pat} {p}: {a} {b}");
            }
            assert!((overlap_formula(pat, 0.5) - conway_fair(pat)).abs() < 1e-9);
        }
        // By hand: HTH at p = 0.3: overlaps at 1 (H) and 3: 1/0.3 + 1/(0.3·0.7·0.3) = 19.206…
        assert!((overlap_formula("HTH", 0.3) - (1.0 / 0.3 + 1.0 / 0.063)).abs() < 1e-12);
    }

    #[test]
    fn the_simulation_cost_is_bounded_by_the_parameters() {
        // HHHH at p = 0.05: E ≈ 168,420 flips, so 20,000 runs flipped 3.4·10⁹ coins (about 22 s
        // per question). Runs are sized from E and geometric skips jump the runs of T.
        let s = Scenario { pattern: "HHHH".into(), p: 0.05, est: None };
        let e = expected_flips("HHHH", 0.05);
        assert!((e / 168_420.0 - 1.0).abs() < 1e-9, "{e}");
        let (est, steps) = simulate(&s, runs(e), &mut crate::seed::stream_rng("t", 1, "p"));
        assert!(steps < 5_000_000, "{steps} steps");
        assert!(est.agrees_with(e), "{est:?}");
        // The worst case over every pattern and p stays below 2·10⁷ flips (expected).
        for pat in ALL {
            for i in 1..=19 {
                let p = i as f64 * 0.05;
                let e = expected_flips(pat, p);
                assert!(runs(e) as f64 * e <= 2e7, "{pat} {p}");
            }
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Patterns, &["pattern=HTH".into(), "p=0.5".into()]).unwrap();
        let q = generate(&Patterns, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "10.00");
    }

    #[test]
    fn the_cross_check_catches_the_two_to_the_l_misconception() {
        let pins = parse_pins(&Patterns, &["pattern=HH".into(), "p=0.6".into()]).unwrap();
        let mut q = generate(&Patterns, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&Patterns, &q).unwrap();
        q.slots[0].expected = Expected::sig(1.0 / 0.36, 4); // 1/P(HH)
        assert!(crate::family::cross_check(&Patterns, &q).is_err());
    }

    #[test]
    fn the_hand_route_and_the_follow_up() {
        // Conway's rule for HTH with a fair coin: 2 + 8 = 10 checks (Penney's game tables).
        let pins = parse_pins(&Patterns, &["pattern=HTH".into(), "p=0.5".into()]).unwrap();
        let q = generate(&Patterns, 1, Difficulty::Medium, &pins).unwrap();
        assert!((q.slots[0].hand.as_ref().unwrap().value - 10.0).abs() < 1e-9);
        // Length two, fair coin: HT and TH take 4 checks, HH takes 6.
        let pins = parse_pins(&Patterns, &["pattern=HH".into(), "p=0.5".into()]).unwrap();
        let q = generate(&Patterns, 1, Difficulty::Easy, &pins).unwrap();
        let a = &q.followups[0].answer;
        assert!(a.contains("soonest (4.000 checks)") && a.starts_with("H") && a.contains("HH latest (6.000 checks)"), "{a}");
    }
}
