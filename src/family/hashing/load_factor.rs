//! `hashing.load_factor`: how many probes a hash-table lookup costs at load factor α, with linear
//! probing and with separate chaining.
//!
//! **Asked** (`ask`): `successful` / `unsuccessful`: the expected probes for a search that finds
//! its key / misses, under linear probing (Knuth: ½(1 + 1/(1 − α)) and ½(1 + 1/(1 − α)²));
//! `chaining`: the expected key comparisons for a successful search with separate chaining
//! (1 + α/2), asked next to linear probing's at the same load so the two can be compared.
//!
//! **Parameters**: `load_pct` α in percent (easy 50–70, medium 50–80, hard 65–80, in steps of 5; at most 80: beyond it, tables of this size scatter too much for a tight cross-check).
//!
//! **Key.** Knuth's formulas (the limit for a large table with a uniform hash), from the shown α.
//!
//! **Second route.** Real tables: random 16-byte keys hashed with xxh3 into open-addressing
//! tables of 8,191 slots (linear probing) and chained tables, filled to α. Successful cost is the
//! average probes to find each inserted key; unsuccessful cost is averaged over every possible
//! home slot (probes up to and including the first empty slot). The tables are built once, in
//! `generate`, for the evidence; their averages travel in the scenario to `cross_check`, which
//! tests them against the key (one run, not a second one). Tables are built until the check is
//! settled: at least 16, then one at a time until the mean of the per-table deviations sits inside
//! the tolerance by `mc::K_SIGMA` standard errors, at most 48 (a wrong key is settled early only
//! by a 6σ fluke, so only correct keys stop early: at α = 0.5 after 16 tables, near α = 0.8 for
//! unsuccessful searches after all 48). Averaged over the 48, the
//! measurements must be within 6% of the key for successful searches and 10% for unsuccessful
//! ones, while the wrong formulas are 8% (uniform probing, α = 0.5) to 150% away. The
//! calibration runs in the default suite (40 seeds at α = 0.8, the largest allowed, where the
//! spread is widest; `real_tables_stay_well_inside_the_tolerance`) and in full behind
//! `--ignored` (300 seeds): the worst deviations must stay under 4% and 7%, and each tolerance
//! must lie at least `mc::K_SIGMA` standard deviations of the deviations beyond their mean. With
//! 32 tables the unsuccessful tolerance sat only 5.7 of them away; 48 tables put it at 8.
//!
//! **Pitfalls**: 1/(1 − α) (the uniform-probing figure, which ignores primary clustering); the
//! unsuccessful cost growing only like 1/(1 − α) (it grows like its square); chaining cost
//! exploding near α = 1 (it does not: 1 + α/2).

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use crate::family::support::mc;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The family.
pub struct LoadFactor;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "successful, unsuccessful or chaining",
        kind: ParamKind::Choice {
            options: &["successful", "unsuccessful", "chaining"],
            draw: [&["successful", "chaining"], &["successful", "unsuccessful", "chaining"], &["unsuccessful", "chaining"]],
        },
    },
    ParamSpec {
        key: "load_pct",
        help: "load factor α in percent",
        kind: ParamKind::Real { min: 5.0, max: 80.0, step: 5.0, draw: [(50.0, 70.0), (50.0, 80.0), (65.0, 80.0)] },
    },
];

const SLOTS: usize = 8191;
const TABLES: usize = 48;
/// The fewest tables measured before the spread of the per-table averages is trusted.
const MIN_TABLES: usize = 16;
/// The check's tolerances, relative: successful searches (both schemes) and unsuccessful ones.
const TOL_SUCCESSFUL: f64 = 0.06;
const TOL_UNSUCCESSFUL: f64 = 0.10;

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    alpha: f64,
    /// The real tables' averages the evidence shows (linear successful, linear unsuccessful,
    /// chained successful): the cross-check's second route.
    measured: (f64, f64, f64),
}

fn lp_successful(a: f64) -> f64 {
    0.5 * (1.0 + 1.0 / (1.0 - a))
}
fn lp_unsuccessful(a: f64) -> f64 {
    0.5 * (1.0 + 1.0 / ((1.0 - a) * (1.0 - a)))
}
fn chain_successful(a: f64) -> f64 {
    1.0 + a / 2.0
}

/// Measured averages over real tables: (linear successful, linear unsuccessful, chained successful).
/// One real table filled to α: (linear successful, linear unsuccessful, chained successful), the
/// averages over its keys (successful) and over every home slot (unsuccessful).
fn one_table(alpha: f64, rng: &mut impl RngCore) -> [f64; 3] {
    let n = (alpha * SLOTS as f64).round() as usize;
    // `free[i]`: a slot at or after i (cyclically) that may be the first free one; following it
    // (with path halving) finds the first free slot in amortised near-constant time, so a key
    // that lands in a long cluster costs no walk along it. The probe count is the same as
    // walking: the distance from the home slot to that free slot, plus one.
    let mut free: Vec<u32> = (0..SLOTS as u32).collect();
    let mut occupied = vec![false; SLOTS];
    let mut chains: Vec<u32> = vec![0; SLOTS];
    let mut found = 0u64;
    let mut chain_cost = 0u64;
    for _ in 0..n {
        let mut key = [0u8; 16];
        rng.fill_bytes(&mut key);
        let h = xxh3_64(&key);
        let home = (h % SLOTS as u64) as usize;
        // Linear probing: the probes to insert a new key are the probes to find it later.
        let slot = first_free(&mut free, &occupied, home);
        occupied[slot] = true;
        free[slot] = ((slot + 1) % SLOTS) as u32;
        found += ((slot + SLOTS - home) % SLOTS) as u64 + 1;
        // Chaining: appended at the tail, found after as many comparisons as its position.
        chains[home] += 1;
        chain_cost += chains[home] as u64;
    }
    [
        found as f64 / n.max(1) as f64,
        unsuccessful_probes(&occupied) as f64 / SLOTS as f64,
        chain_cost as f64 / n.max(1) as f64,
    ]
}

/// Real tables measured one after another until `decided` says their averages settle the check,
/// at least [`MIN_TABLES`] and at most [`TABLES`]: the averages over the tables built, and how many.
fn measure_until(alpha: f64, rng: &mut impl RngCore, decided: impl Fn(&[[f64; 3]]) -> bool) -> ([f64; 3], usize) {
    let mut tables: Vec<[f64; 3]> = Vec::with_capacity(TABLES);
    while tables.len() < TABLES && (tables.len() < MIN_TABLES || !decided(&tables)) {
        tables.push(one_table(alpha, rng));
    }
    let t = tables.len() as f64;
    let mean = |i: usize| tables.iter().map(|x| x[i]).sum::<f64>() / t;
    ([mean(0), mean(1), mean(2)], tables.len())
}

/// All [`TABLES`] tables: (linear successful, linear unsuccessful, chained successful).
#[cfg(test)]
fn measure(alpha: f64, rng: &mut impl RngCore) -> (f64, f64, f64) {
    let ([s, u, c], _) = measure_until(alpha, rng, |_| false);
    (s, u, c)
}

/// The quantities an ask keys, in slot order: (index into a table's triple, Knuth's value at α,
/// the check's relative tolerance).
fn quantities(ask: &str, a: f64) -> Vec<(usize, f64, f64)> {
    match ask {
        "successful" => vec![(0, lp_successful(a), TOL_SUCCESSFUL)],
        "unsuccessful" => vec![(1, lp_unsuccessful(a), TOL_UNSUCCESSFUL)],
        _ => vec![(2, chain_successful(a), TOL_SUCCESSFUL), (0, lp_successful(a), TOL_SUCCESSFUL)],
    }
}

/// True when, for every measured quantity (index into a table's triple, the key, the relative
/// tolerance), the tables' mean sits inside the tolerance by `mc::K_SIGMA` standard errors of
/// the per-table spread: more tables could not move it out except by a 6σ fluke, so the check
/// is settled. A wrong key (off by more than the tolerance) is never settled early except by
/// such a fluke.
fn settled(tables: &[[f64; 3]], quantities: &[(usize, f64, f64)]) -> bool {
    let t = tables.len() as f64;
    quantities.iter().all(|&(i, key, tol)| {
        let d: Vec<f64> = tables.iter().map(|x| x[i] / key - 1.0).collect();
        let mean = d.iter().sum::<f64>() / t;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (t - 1.0)).sqrt();
        mean.abs() + mc::K_SIGMA * sd / t.sqrt() <= tol
    })
}

/// The first free slot at or after `i`, cyclically (the table is never full: α ≤ 0.8).
fn first_free(free: &mut [u32], occupied: &[bool], mut i: usize) -> usize {
    while occupied[i] {
        let next = free[i] as usize;
        // Path halving: point this slot past the one it points to.
        free[i] = free[next];
        i = next;
    }
    i
}

/// The total probes of an unsuccessful search started from every home slot: up to and including
/// the first empty slot. A start at offset j of a cluster of L occupied slots probes L − j + 1
/// slots, so a cluster costs L(L + 1)/2 + L in all, and each empty slot 1.
fn unsuccessful_probes(occupied: &[bool]) -> u64 {
    let m = occupied.len();
    let Some(empty) = occupied.iter().position(|o| !o) else {
        return 0;
    };
    let (mut total, mut run) = (0u64, 0u64);
    // Start just after an empty slot, so no cluster wraps past the start.
    for k in 1..=m {
        if occupied[(empty + k) % m] {
            run += 1;
        } else {
            total += run * (run + 1) / 2 + run + 1;
            run = 0;
        }
    }
    total
}

impl Family for LoadFactor {
    fn id(&self) -> &'static str {
        "hashing.load_factor"
    }
    fn version(&self) -> u32 {
        3
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Load factor and probe counts: linear probing against chaining"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("successful", [2, 3, 4], &["probe-cost"]),
            Ask::new("unsuccessful", [2, 3, 4], &["probe-cost"]),
            Ask::new("chaining", [3, 4, 5], &["probe-cost"]),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "expected probes at load α: linear probing (successful, unsuccessful) against chaining",
            key: "Knuth's formulas",
            second_route: "16 to 48 real tables of xxh3-hashed keys (as many as settle the check), measured",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        // Redraw (boundedly) a load whose key sits on a rounding boundary (1 + 0.75/2 = 1.375)
        // here, before the tables are measured, rather than in the runner after.
        let keys_at = |a: f64| match ask {
            "successful" => vec![lp_successful(a)],
            "unsuccessful" => vec![lp_unsuccessful(a)],
            _ => vec![chain_successful(a), lp_successful(a)],
        };
        let tie = |a: f64| {
            keys_at(a).iter().any(|v| {
                crate::answer::Tolerance::SigFigs { digits: 3 }
                    .tie_distance(*v)
                    .is_some_and(|d| d < crate::family::quality::TIE_MARGIN)
            })
        };
        let mut pct = cx.real("load_pct");
        for _ in 0..8 {
            if !tie(pct / 100.0) || cx.is_pinned("load_pct") {
                break;
            }
            pct = cx.real("load_pct");
        }
        let a = pct / 100.0;
        if cx.is_pinned("load_pct") && tie(a) {
            // Refused before the tables are measured (the runner would redraw in vain).
            return Err(GenError::Params {
                message: format!("a tie: at load {pct}% the answer sits on a rounding boundary of 3 significant figures"),
                hint: "choose another load, 5 points up or down".into(),
            });
        }
        if !(0.0..1.0).contains(&a) {
            return Err(GenError::Params { message: format!("load factor {pct}% is not below 100%"), hint: "choose a load between 5 and 80 percent".into() });
        }
        let alpha = num(a);
        let intro = format!("A large hash table uses a uniform hash function and holds keys at load factor **$alpha = {alpha}$** ($n$ keys in $m$ slots, $n/m = {alpha}$).");
        let (prompt, slots, solution) = match ask {
            "successful" => (
                Content::new().p(&intro).p("With **linear probing**, how many probes does a *successful* search take on average (counting the probe that finds the key)?"),
                vec![AnswerSlot::new("expected probes, successful search", Expected::sig(lp_successful(a), 3)).unit("probes").exact_by_hand()],
                Content::new()
                    .p("Knuth's analysis of linear probing: a successful search costs $1/2 (1 + 1/(1 - alpha))$ probes on average.")
                    .p(format!("$1/2 (1 + 1/(1 - {alpha}))$ = **{} probes**. (Uniform probing would give $1/alpha ln 1/(1 - alpha) = {}$ probes: primary clustering costs extra.)", fmt_sig(lp_successful(a), 3), fmt_sig((1.0 / a) * (1.0 / (1.0 - a)).ln(), 3))),
            ),
            "unsuccessful" => (
                Content::new().p(&intro).p("With **linear probing**, how many probes does an *unsuccessful* search take on average (up to and including the empty slot that ends it)?"),
                vec![AnswerSlot::new("expected probes, unsuccessful search", Expected::sig(lp_unsuccessful(a), 3)).unit("probes").exact_by_hand()],
                Content::new()
                    .p("Knuth: an unsuccessful search (and an insertion) costs $1/2 (1 + 1/(1 - alpha)^2)$ probes on average: it must run to the end of a cluster, and clusters grow quickly as the table fills.")
                    .p(format!("$1/2 (1 + 1/(1 - {alpha})^2)$ = **{} probes**, against $1/(1 - alpha) = {}$ probes if there were no clustering.", fmt_sig(lp_unsuccessful(a), 3), fmt_sig(1.0 / (1.0 - a), 3))),
            ),
            _ => (
                Content::new().p(&intro).p("Compare a *successful* search under **separate chaining** (key comparisons; new keys appended to their bucket's list) with **linear probing** (probes)."),
                vec![
                    AnswerSlot::new("separate chaining: expected comparisons", Expected::sig(chain_successful(a), 3)).unit("comparisons").exact_by_hand(),
                    AnswerSlot::new("linear probing: expected probes", Expected::sig(lp_successful(a), 3)).unit("probes").exact_by_hand(),
                ],
                Content::new()
                    .p(format!("Chaining: a key is found after the keys inserted before it in its bucket, about $alpha/2$ of them on average: $1 + {alpha}/2$ = **{} comparisons**.", fmt_sig(chain_successful(a), 3)))
                    .p(format!("Linear probing: $1/2 (1 + 1/(1 - {alpha}))$ = **{} probes**. Chaining degrades gently with load; open addressing must stay well below $alpha = 1$.", fmt_sig(lp_successful(a), 3))),
            ),
        };
        // Enough real tables to settle the check for the quantities this ask keys.
        let asked = quantities(ask, a);
        let ([s, u, c], tables) = measure_until(a, &mut cx.sim_rng("tables"), |t| settled(t, &asked));
        let measured = (s, u, c);
        let evidence = Content::new().p(format!(
            "{tables} real tables of {} slots filled to $alpha = {alpha}$ with random 16-byte keys hashed by xxh3: linear probing averaged {} probes per successful and {} per unsuccessful search; chaining averaged {} comparisons per successful search (Knuth: {}, {}, {}).",
            super::birthday::group(SLOTS as u64),
            fmt_sig(s, 4),
            fmt_sig(u, 4),
            fmt_sig(c, 4),
            fmt_sig(lp_successful(a), 4),
            fmt_sig(lp_unsuccessful(a), 4),
            fmt_sig(chain_successful(a), 4)
        ));
        let q = Question::new(prompt, slots, solution, evidence).with_scenario(&Scenario { ask: ask.into(), alpha: a, measured });
        Ok(match ask {
            "successful" => q.followup(
                FollowUp::new(
                    "What if the table fills to 90%?",
                    format!(
                        "$1/2 (1 + 1/0.1)$ = {} probes for a hit, and an insertion or miss then costs $1/2 (1 + 1/0.1^2)$ = {} probes.",
                        fmt_sig(lp_successful(0.9), 3),
                        fmt_sig(lp_unsuccessful(0.9), 3)
                    ),
                )
                .point("hits stay cheap longer than misses: resize on the miss cost, typically near 70% load"),
            ),
            "unsuccessful" => {
                // ½(1 + 1/(1 − α)²) = 10 at 1/(1 − α)² = 19.
                let limit = 1.0 - 1.0 / 19f64.sqrt();
                q.followup(
                    FollowUp::new(
                        "Up to what load does an unsuccessful search stay within 10 probes?",
                        format!(
                            "$1/(1 - alpha)^2 = 19$, so $alpha = 1 - 1/sqrt(19) approx {}$: about {}% load.",
                            fmt_sig(limit, 3),
                            fmt_sig(100.0 * limit, 2)
                        ),
                    )
                    .point("insertions cost the same as misses, so they slow down first as the table fills"),
                )
            }
            _ => q
                .contrast(Contrast::new("chaining vs linear probing", fmt_sig(chain_successful(a), 3), fmt_sig(lp_successful(a), 3)))
                .followup(
                    FollowUp::new(
                        "And at 95% load?",
                        format!(
                            "Chaining: {} comparisons; linear probing: {} probes for a hit and {} for a miss.",
                            fmt_sig(chain_successful(0.95), 3),
                            fmt_sig(lp_successful(0.95), 3),
                            fmt_sig(lp_unsuccessful(0.95), 3)
                        ),
                    )
                    .point("chaining pays in pointers and cache misses instead: one probe of a packed array is cheaper than one list node"),
                ),
        })
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let (lp_s, lp_u, ch_s) = s.measured;
        let measured = [lp_s, lp_u, ch_s];
        let asked = quantities(&s.ask, s.alpha);
        for (slot, (i, _, tol)) in asked.iter().enumerate() {
            let Expected::Real { value, .. } = q.expected(slot)? else {
                return Err(CheckError("expected a real answer".into()));
            };
            let m = measured[*i];
            if (m - value).abs() > tol * value {
                return Err(CheckError(format!("slot {}: key {value}, real tables {m}", slot + 1)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn a_key_on_a_rounding_boundary_is_refused_when_pinned() {
        // Issue 15: chaining at α = 0.75 gives 1 + 0.75/2 = 1.375, where 1.37 and 1.38 are both
        // defensible. Pinned, it is a parameter error; drawn, it is redrawn.
        let pins = parse_pins(&LoadFactor, &["ask=chaining".into(), "load_pct=75".into()]).unwrap();
        let e = generate(&LoadFactor, 1, Difficulty::Hard, &pins).unwrap_err();
        assert!(e.to_string().contains("tie"), "{e}");
    }

    #[test]
    fn passes_the_stress_check() {
        stress(&LoadFactor, 0..30).unwrap();
    }

    /// The tables walked slot by slot, as a textbook implementation does: every insert probes
    /// to its free slot, every miss from each home slot to the first empty one.
    fn measure_by_walking(alpha: f64, rng: &mut impl RngCore) -> (f64, f64, f64) {
        let n = (alpha * SLOTS as f64).round() as usize;
        let (mut s_lp, mut u_lp, mut s_ch) = (0.0, 0.0, 0.0);
        for _ in 0..TABLES {
            let mut table: Vec<Option<u64>> = vec![None; SLOTS];
            let mut chains = vec![0u64; SLOTS];
            let (mut found, mut chain_cost, mut miss) = (0u64, 0u64, 0u64);
            for _ in 0..n {
                let mut key = [0u8; 16];
                rng.fill_bytes(&mut key);
                let h = xxh3_64(&key);
                let home = (h % SLOTS as u64) as usize;
                let (mut i, mut probes) = (home, 1);
                while table[i].is_some() {
                    i = (i + 1) % SLOTS;
                    probes += 1;
                }
                table[i] = Some(h);
                found += probes;
                chains[home] += 1;
                chain_cost += chains[home];
            }
            for start in 0..SLOTS {
                let (mut i, mut probes) = (start, 1);
                while table[i].is_some() {
                    i = (i + 1) % SLOTS;
                    probes += 1;
                }
                miss += probes;
            }
            s_lp += found as f64 / n as f64;
            u_lp += miss as f64 / SLOTS as f64;
            s_ch += chain_cost as f64 / n as f64;
        }
        let t = TABLES as f64;
        (s_lp / t, u_lp / t, s_ch / t)
    }

    #[test]
    fn tables_stop_when_the_check_is_settled_and_never_for_a_wrong_key() {
        let tables = |ask: &str, a: f64, wrong: f64, seed: u64| {
            let mut asked = quantities(ask, a);
            for q in asked.iter_mut() {
                q.1 *= wrong;
            }
            measure_until(a, &mut crate::seed::stream_rng("settle", seed, "load_factor"), |t| settled(t, &asked)).1
        };
        for seed in 0..5 {
            // A light table settles at the minimum; misses near α = 0.8 scatter, so need more.
            assert_eq!(tables("successful", 0.5, 1.0, seed), MIN_TABLES);
            assert!(tables("unsuccessful", 0.8, 1.0, seed) > MIN_TABLES);
            // A key 7% high (the uniform-probing mistake is further off) is never settled: all
            // the tables are built, and the check then fails on them.
            assert_eq!(tables("successful", 0.5, 1.07, seed), TABLES);
            assert_eq!(tables("chaining", 0.65, 1.07, seed), TABLES);
        }
    }

    #[test]
    fn the_skipping_tables_count_the_same_probes_as_walking_them() {
        // The same keys, so the same tables: every average must be identical, not just close.
        for (seed, alpha) in [(1, 0.5), (2, 0.65), (3, 0.8)] {
            let fast = measure(alpha, &mut crate::seed::stream_rng("walk", seed, "load_factor"));
            let slow = measure_by_walking(alpha, &mut crate::seed::stream_rng("walk", seed, "load_factor"));
            assert_eq!(fast, slow, "α = {alpha}");
        }
        // A table with a cluster that wraps past the end: slots 6, 7, 0, 1 of 8 occupied.
        let occ = [true, true, false, false, false, false, true, true];
        // Starts 6, 7, 0, 1 probe 5, 4, 3, 2; the four empty starts 1 each.
        assert_eq!(unsuccessful_probes(&occ), 5 + 4 + 3 + 2 + 4);
    }

    /// The calibration behind the 6% and 10% tolerances: real tables at α = 0.8 (the largest
    /// allowed, where the spread is widest) over `seeds` seeds. The worst relative deviations
    /// must stay below 4% (successful: linear probing and chaining) and 7% (unsuccessful), and
    /// each tolerance must lie at least `mc::K_SIGMA` standard deviations of the deviations
    /// beyond their mean, so one check fails a correct key about as rarely as `mc`'s tests do.
    fn calibrate(seeds: u64) -> [(f64, f64, f64); 3] {
        let a = 0.8;
        let mut devs: [Vec<f64>; 3] = Default::default();
        for seed in 0..seeds {
            let mut rng = crate::seed::stream_rng("calibration", seed, "load_factor");
            let (s, u, c) = measure(a, &mut rng);
            devs[0].push(s / lp_successful(a) - 1.0);
            devs[1].push(u / lp_unsuccessful(a) - 1.0);
            devs[2].push(c / chain_successful(a) - 1.0);
        }
        devs.map(|d| {
            let n = d.len() as f64;
            let mean = d.iter().sum::<f64>() / n;
            let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            (mean, sd, d.iter().fold(0f64, |w, x| w.max(x.abs())))
        })
    }

    fn assert_calibrated(seeds: u64) {
        let stats = calibrate(seeds);
        for (what, (mean, sd, worst), tol, margin) in [("successful", stats[0], 0.06, 0.04), ("unsuccessful", stats[1], 0.10, 0.07), ("chaining", stats[2], 0.06, 0.04)] {
            eprintln!("α = 0.8, {seeds} seeds, {what}: mean deviation {mean:+.4}, sd {sd:.4}, worst {worst:.4}, tolerance {tol} = {:.1} sd beyond the mean", (tol - mean.abs()) / sd);
            assert!(worst < margin, "{what}: worst deviation {worst} too close to the tolerance {tol}");
            assert!(tol - mean.abs() >= crate::family::support::mc::K_SIGMA * sd, "{what}: tolerance {tol} is within K_SIGMA sd of the deviations");
        }
    }

    #[test]
    fn real_tables_stay_well_inside_the_tolerance() {
        // A reduced calibration in the default suite (the full one is below, behind --ignored).
        assert_calibrated(40);
    }

    #[test]
    #[ignore = "long: the calibration over 300 seeds; run with --ignored --nocapture"]
    fn real_tables_stay_well_inside_the_tolerance_300_seeds() {
        assert_calibrated(300);
    }

    #[test]
    fn knuths_textbook_values() {
        // TAOCP vol. 3, 6.4: at α = 0.5, 1.5 and 2.5 probes; at α = 0.9, 5.5 and 50.5.
        assert_eq!(lp_successful(0.5), 1.5);
        assert_eq!(lp_unsuccessful(0.5), 2.5);
        assert!((lp_successful(0.9) - 5.5).abs() < 1e-9);
        assert!((lp_unsuccessful(0.9) - 50.5).abs() < 1e-9);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&LoadFactor, &["ask=unsuccessful".into(), "load_pct=50".into()]).unwrap();
        let q = generate(&LoadFactor, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "2.50");
    }

    #[test]
    fn the_cross_check_catches_the_no_clustering_formula() {
        let pins = parse_pins(&LoadFactor, &["ask=unsuccessful".into(), "load_pct=80".into()]).unwrap();
        let mut q = generate(&LoadFactor, 1, Difficulty::Hard, &pins).unwrap();
        crate::family::cross_check(&LoadFactor, &q).unwrap();
        q.slots[0].expected = Expected::sig(1.0 / (1.0 - 0.8), 3);
        assert!(crate::family::cross_check(&LoadFactor, &q).is_err());
    }
}
