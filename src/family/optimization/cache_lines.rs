//! `optimization.cache_lines`: cache misses of row-major against column-major traversal, and
//! what loop tiling buys.
//!
//! **Asked** (`ask`). An R×C array of e-byte elements stored row-major from a line-aligned
//! address, read once through a fully associative LRU cache of S lines of L bytes:
//! - `row`: the misses of a row-major traversal (the inner loop walks along a row);
//! - `both`: (a) the misses row-major, (b) column-major (the inner loop walks down a column);
//! - `tiled`: (a) the misses column-major, (b) column-major in tiles one cache line wide (for each
//!   band of L/e columns, every row, then the columns of the band).
//!
//! **Parameters.** `rows` R: easy 16–64, medium 64–512, hard 128–1024; `cols` C: a multiple of
//! L/e (so every row starts on a line), 1–8 lines' worth (easy), up to 32 (hard); `elem_bytes` e: 4
//! or 8; `line_bytes` L: 64 (32–128 at hard); `cache_lines` S: a power of two between R/4 and 4R
//! (`row`), or between R/4 and just below R (`both`, `tiled`): the contrast those asks exist to
//! show (column-major against row-major or tiled) vanishes when the cache holds a whole column's
//! lines, so they draw S < R, and a pinned S ≥ R is redrawn by the contrast rule. The follow-ups
//! ask what a cache of 2R lines would change.
//!
//! **Key.** Simulation: the address trace of the loop nest through a real LRU over line numbers.
//!
//! **Second route.** Closed forms, which hold because rows start on line boundaries. Row-major and
//! tiled traversals miss once per line: R·C·e/L. Column-major misses once per line when S ≥ R
//! (between two uses of a line only R − 1 other lines are touched) and on every access when S < R
//! (R − 1 other lines push it out first): R·C.
//!
//! **Pitfalls**: one miss per element for row-major (lines ignored); column-major costing the same
//! as row-major whatever the cache size; counting the cache size in bytes as lines.

use crate::answer::{trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::lru::Lru;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use super::thousands;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct CacheLines;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "row: row-major misses; both: row- and column-major; tiled: column-major against tiles one line wide",
        kind: ParamKind::Choice {
            options: &["row", "both", "tiled"],
            draw: [&["row", "both"], &["both", "tiled"], &["both", "tiled"]],
        },
    },
    ParamSpec {
        key: "rows",
        help: "rows R",
        kind: ParamKind::Int { min: 1, max: 4096, draw: [(16, 64), (64, 512), (128, 1024)] },
    },
    ParamSpec {
        key: "col_lines",
        help: "row length in cache lines (C = col_lines × L/e)",
        kind: ParamKind::Int { min: 1, max: 64, draw: [(1, 8), (2, 16), (4, 32)] },
    },
    ParamSpec {
        key: "elem_bytes",
        help: "element size e in bytes",
        kind: ParamKind::Choice { options: &["4", "8"], draw: [&["4", "8"], &["4", "8"], &["4", "8"]] },
    },
    ParamSpec {
        key: "line_bytes",
        help: "cache line size L in bytes",
        kind: ParamKind::Choice { options: &["32", "64", "128"], draw: [&["64"], &["64"], &["32", "64", "128"]] },
    },
    ParamSpec {
        key: "cache_lines",
        help: "cache size S in lines (drawn as a power of two between R/4 and 4R)",
        kind: ParamKind::Int { min: 1, max: 1 << 20, draw: [(4, 256), (16, 2048), (32, 4096)] },
    },
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    r: u64,
    c: u64,
    e: u64,
    l: u64,
    s: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Row,
    Column,
    Tiled,
}

/// The traversals each `ask` asks about, in slot order.
fn orders(ask: &str) -> &'static [Order] {
    match ask {
        "row" => &[Order::Row],
        "both" => &[Order::Row, Order::Column],
        _ => &[Order::Column, Order::Tiled],
    }
}

/// The element indices (i, j) in the order the loop nest visits them.
fn trace(sc: &Scenario, order: Order) -> Vec<(u64, u64)> {
    let (r, c) = (sc.r, sc.c);
    match order {
        Order::Row => (0..r).flat_map(|i| (0..c).map(move |j| (i, j))).collect(),
        Order::Column => (0..c).flat_map(|j| (0..r).map(move |i| (i, j))).collect(),
        Order::Tiled => {
            let band = sc.l / sc.e;
            (0..c.div_ceil(band))
                .flat_map(|b| {
                    (0..r)
                        .flat_map(move |i| (b * band..((b + 1) * band).min(c)).map(move |j| (i, j)))
                })
                .collect()
        }
    }
}

/// Misses of the traversal through an LRU cache of S lines.
fn simulate(sc: &Scenario, order: Order) -> u64 {
    let lines = (sc.r * sc.c * sc.e).div_ceil(sc.l);
    let mut cache = Lru::new(lines, sc.s);
    trace(sc, order)
        .into_iter()
        .filter(|&(i, j)| !cache.access(((i * sc.c + j) * sc.e / sc.l) as u32))
        .count() as u64
}

/// The closed forms (rows start on line boundaries).
fn closed_form(sc: &Scenario, order: Order) -> u64 {
    let lines = sc.r * sc.c * sc.e / sc.l;
    match order {
        Order::Column if sc.s < sc.r => sc.r * sc.c,
        _ => lines,
    }
}

impl Family for CacheLines {
    fn id(&self) -> &'static str {
        "optimization.cache_lines"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Cache lines: row-major, column-major and tiled traversal"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("row", [2, 3, 4], &["cache-locality"]),
            Ask::new("both", [3, 5, 6], &["cache-locality"]),
            Ask::new("tiled", [4, 6, 8], &["cache-locality", "loop-tiling"]),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "misses of row-major, column-major and line-wide tiled traversals of an R×C array through an LRU cache of S lines",
            key: "the loops' address trace through a real LRU",
            second_route: "closed forms: R·C·e/L, or R·C for column-major when S < R",
        }
    }
    /// `col_lines` shows as C columns of e bytes: C·e/L lines per row.
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["col_lines"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let r = cx.int("rows") as u64;
        let col_lines = cx.int("col_lines") as u64;
        let e: u64 = cx.pick("elem_bytes").parse().unwrap_or(8);
        let l: u64 = cx.pick("line_bytes").parse().unwrap_or(64);
        // S: a power of two from R/4 to 4R, so the cache holds a column's lines or it does not.
        let lo = (r / 4).max(1).next_power_of_two();
        let (a, b) = (
            lo.trailing_zeros(),
            (4 * r).next_power_of_two().trailing_zeros(),
        );
        // The contrasts of `both` and `tiled` need a cache smaller than a column's R lines.
        let b = if ask == "row" {
            b
        } else {
            (63 - (r - 1).max(1).leading_zeros()).max(a)
        };
        let k = cx.rng().random_range(a..=b);
        let s = cx.int_within("cache_lines", 1 << k, 1 << k, 1) as u64;
        let most_rows = cx.int_bounds("rows").1 as u64;
        if cx.is_pinned("cache_lines") && !cx.choice_options("ask").contains(&"row") && s >= most_rows {
            return Err(GenError::Params {
                message: format!(
                    "a cache of {} lines holds all of a column's lines ({} rows or fewer), so column-major misses once per line, like row-major and tiled: the contrast `both` and `tiled` exist to show vanishes",
                    thousands(s),
                    thousands(most_rows)
                ),
                hint: "pin a cache of fewer lines than the array has rows, or `ask=row`".into(),
            });
        }
        let c = col_lines * (l / e);
        if r * c > 4 << 20 {
            return Err(GenError::Params {
                message: format!("{r} × {c} elements is more than this family simulates (4 Mi)"),
                hint: "choose fewer rows or a shorter row (col_lines)".into(),
            });
        }
        let sc = Scenario {
            ask: ask.into(),
            r,
            c,
            e,
            l,
            s,
        };
        let row = simulate(&sc, Order::Row);
        let col = simulate(&sc, Order::Column);
        let tiled = simulate(&sc, Order::Tiled);
        let per_line = l / e;
        let lines = r * c * e / l;
        let (lines_t, col_t) = (super::thousands(lines), super::thousands(col));
        let ty = if e == 8 { "double" } else { "float" };
        let mut prompt = Content::new()
            .p(format!(
                "An array `{ty} a[{r}][{c}]` of {e}-byte elements (**R = {r}** rows, **C = {c}** columns) is stored row-major, starting at an address that is a multiple of the line size."
            ))
            .p(format!(
                "It is read once, element by element, through a fully associative **LRU** cache of **S = {s} lines of {l} bytes** ({} KiB), which starts empty. Nothing else touches the cache.",
                num(s as f64 * l as f64 / 1024.0)
            ));
        let loops_row = format!(
            "for (i = 0; i < {r}; i++)\n    for (j = 0; j < {c}; j++)\n        sum += a[i][j];"
        );
        let loops_col = format!(
            "for (j = 0; j < {c}; j++)\n    for (i = 0; i < {r}; i++)\n        sum += a[i][j];"
        );
        let loops_tiled = format!(
            "for (jj = 0; jj < {c}; jj += {per_line})\n    for (i = 0; i < {r}; i++)\n        for (j = jj; j < jj + {per_line}; j++)\n            sum += a[i][j];"
        );
        let col_reason = if s >= r {
            format!(
                "Column-major touches one line per row in each pass down a column: {r} lines. Before a line is used again (by the next column of the same row) only {} other lines have been touched, and the cache holds {s} ≥ {r}, so the line is still there: each line misses once, **{lines_t}** misses. (With fewer than {r} lines of cache every access would miss.)",
                r - 1
            )
        } else {
            format!(
                "Column-major touches one line per row in each pass down a column: {r} lines. Between two uses of a line (the next column of the same row) {} other lines are touched, more than the {s} lines the cache holds, so LRU has evicted it: every access misses, **{}** misses, {per_line}× the row-major count.",
                r - 1,
                super::thousands(r * c)
            )
        };
        let row_reason = format!(
            "Row-major walks memory sequentially: a line of {l} bytes holds {per_line} elements, so one miss brings in the next {} accesses' data. $R C e / L$ = {r} × {c} × {e} B ÷ {l} B = **{lines_t}** misses, whatever the cache size.",
            per_line - 1
        );
        let tiled_reason = format!(
            "Tiled: within a band of {per_line} columns (one line wide), each row's {per_line} elements share one line and are read back to back, so every line misses exactly once: **{lines_t}** misses, as good as row-major, whatever the cache size."
        );
        let (slots, solution) = match ask {
            "row" => {
                prompt = prompt
                    .code("c", loops_row)
                    .p("How many cache misses does the loop cause?");
                (
                    vec![AnswerSlot::new(
                        "cache misses, row-major",
                        Expected::Integer { value: row as i64 },
                    )],
                    Content::new().p(row_reason),
                )
            }
            "both" => {
                prompt = prompt
                    .p("Loop 1 (row-major):")
                    .code("c", loops_row)
                    .p("Loop 2 (column-major):")
                    .code("c", loops_col)
                    .p("How many cache misses does each loop cause, run on its own from an empty cache?");
                (
                    vec![
                        AnswerSlot::new(
                            "cache misses, loop 1 (row-major)",
                            Expected::Integer { value: row as i64 },
                        ),
                        AnswerSlot::new(
                            "cache misses, loop 2 (column-major)",
                            Expected::Integer { value: col as i64 },
                        ),
                    ],
                    Content::new()
                        .p(format!("(a) {row_reason}"))
                        .p(format!("(b) {col_reason}")),
                )
            }
            _ => {
                prompt = prompt
                    .p("Loop 1 (column-major):")
                    .code("c", loops_col)
                    .p(format!("Loop 2 (tiled: bands of {per_line} columns):"))
                    .code("c", loops_tiled)
                    .p("How many cache misses does each loop cause, run on its own from an empty cache?");
                (
                    vec![
                        AnswerSlot::new(
                            "cache misses, loop 1 (column-major)",
                            Expected::Integer { value: col as i64 },
                        ),
                        AnswerSlot::new(
                            "cache misses, loop 2 (tiled)",
                            Expected::Integer {
                                value: tiled as i64,
                            },
                        ),
                    ],
                    Content::new()
                        .p(format!("(a) {col_reason}"))
                        .p(format!("(b) {tiled_reason}")),
                )
            }
        };
        let evidence = Content::new()
            .p(format!("Simulated: the address trace of each loop nest (line = (i·{c} + j)·{e} / {l}) through an LRU cache of {s} lines."))
            .table(
                ["traversal", "accesses", "misses", "miss rate"],
                [("row-major", row), ("column-major", col), ("tiled", tiled)]
                    .into_iter()
                    .map(|(name, m)| [name.to_string(), (r * c).to_string(), m.to_string(), format!("{:.1}%", 100.0 * m as f64 / (r * c) as f64)])
                    .collect::<Vec<_>>(),
            );
        let big = Scenario {
            s: 2 * r,
            ..sc.clone()
        };
        let col_big = simulate(&big, Order::Column);
        let col_big_t = super::thousands(col_big);
        let mut q = Question::new(prompt, slots, solution, evidence).with_scenario(&sc);
        q = match ask {
            "row" => q
                .followup(
                    FollowUp::new(
                        "And if the loops were swapped (column-major: `j` outer, `i` inner)?",
                        format!(
                            "{col_t} misses{}.",
                            if s < r {
                                format!(": the cache's {s} lines are fewer than the {r} lines a column pass touches, so every access misses")
                            } else {
                                format!(": the cache's {s} lines hold a whole column's {r} lines, so each line still misses once")
                            }
                        ),
                    )
                    .point("what matters is whether the lines of one column pass fit in the cache"),
                )
                .followup(
                    FollowUp::new("What if the elements were twice as large?", format!(
                        "Twice the lines, so twice the misses: {} (the data size doubles; the per-line count of elements halves).",
                        2 * row
                    ))
                    .point("row-major misses = bytes / line size"),
                ),
            "both" => q.contrast(Contrast::new("row-major vs column-major misses", row, col)),
            _ => q.contrast(Contrast::new("column-major vs tiled misses", col, tiled)),
        };
        if ask != "row" {
            q = q
                .followup(
                    FollowUp::new(
                        format!("What if the cache held {} lines instead of {s}?", 2 * r),
                        format!(
                            "Column-major drops to {col_big_t} misses, the same as row-major: a pass down a column touches {r} lines, which now all stay cached until the next column reuses them."
                        ),
                    )
                    .point("the cliff is at S = R lines, not at the array size"),
                )
                .followup(
                    FollowUp::new(
                        "How would you fix the column-major loop without a bigger cache?",
                        format!(
                            "Swap the loops (row-major) or tile in bands of {per_line} columns: either gives {lines_t} misses instead of {col_t}."
                        ),
                    )
                    .point("tiling keeps the reuse distance below the cache size"),
                );
        }
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let sc: Scenario = q.scenario()?;
        for (i, &o) in orders(&sc.ask).iter().enumerate() {
            CheckError::expect_eq(
                &format!("misses, {o:?}"),
                q.expected_integer(i)? as u64,
                closed_form(&sc, o),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&CacheLines, 0..30).unwrap();
    }

    #[test]
    fn a_hand_traced_case() {
        // 4×4 ints, 16-byte lines (4 ints), so a row is one line. A 2-line cache: column-major
        // misses on every access (4 rows > 2 lines); with 4 lines only the first column misses.
        let sc = Scenario {
            ask: "both".into(),
            r: 4,
            c: 4,
            e: 4,
            l: 16,
            s: 2,
        };
        assert_eq!(simulate(&sc, Order::Row), 4);
        assert_eq!(simulate(&sc, Order::Column), 16);
        assert_eq!(simulate(&sc, Order::Tiled), 4);
        let sc = Scenario { s: 4, ..sc };
        assert_eq!(simulate(&sc, Order::Column), 4);
        // Tiling visits every element once.
        let sc = Scenario {
            ask: "tiled".into(),
            r: 3,
            c: 8,
            e: 8,
            l: 32,
            s: 1,
        };
        let mut t = trace(&sc, Order::Tiled);
        t.sort_unstable();
        assert_eq!(t, trace(&sc, Order::Row));
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(
            &CacheLines,
            &[
                "ask=both".into(),
                "rows=64".into(),
                "col_lines=4".into(),
                "elem_bytes=8".into(),
                "line_bytes=64".into(),
                "cache_lines=32".into(),
            ],
        )
        .unwrap();
        let q = generate(&CacheLines, 1, Difficulty::Medium, &pins).unwrap();
        // 64 rows × 32 doubles = 256 lines; 32 lines < 64 rows, so column-major misses 2048 times.
        assert_eq!(q.slots[0].expected.reference(), "256");
        assert_eq!(q.slots[1].expected.reference(), "2048");
    }

    #[test]
    fn the_cross_check_catches_a_cache_blind_key() {
        let pins = parse_pins(
            &CacheLines,
            &["ask=both".into(), "rows=64".into(), "cache_lines=16".into()],
        )
        .unwrap();
        let mut q = generate(&CacheLines, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&CacheLines, &q).unwrap();
        let row = q.slots[0].expected.clone();
        q.slots[1].expected = row;
        assert!(crate::family::cross_check(&CacheLines, &q).is_err());
    }

}
