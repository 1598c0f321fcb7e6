//! `optimization.index_vs_scan`: should the query planner scan the table or use a B-tree index?
//!
//! **Asked** (`ask`): `scan`: pages read by a full scan; `index`: pages read by an index lookup at
//! selectivity s (descend the tree, read the matching leaf entries, then one heap page per matching
//! row — an unclustered index); `break_even`: the selectivity (in %) where both read the same
//! number of pages.
//!
//! **Parameters.** rows R: 10^5–10^8; rows per page r: 20–200; index entries per leaf page e:
//! 100–500; tree height h: 2–4; selectivity s: 0.001%–5%.
//!
//! **Key.** Simulate the access plans page by page: the scan touches every heap page once; the
//! index lookup touches h inner pages, ⌈matches/e⌉ leaf pages and one heap page per match (matches
//! assumed on distinct pages, the worst case for an unclustered index, stated in the prompt). For
//! `break_even`, bisect on the simulated counts.
//!
//! **Second route.** The closed forms: scan = ⌈R/r⌉; index = h + ⌈sR/e⌉ + sR; break-even s* solves
//! h + sR/e + sR = R/r.
//!
//! **Pitfalls**: indexes are always faster; break-even at 50% (it is near 1/r: a few percent or
//! less).

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct IndexVsScan;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "scan: pages a full scan reads; index: pages an index lookup reads; break_even: selectivity where they match",
        kind: ParamKind::Choice { options: &["scan", "index", "break_even"], draw: [&["scan", "index"], &["index", "break_even"], &["index", "break_even"]] },
    },
    ParamSpec { key: "rows", help: "table rows R", kind: ParamKind::Int { min: 1000, max: 10_000_000_000, draw: [(100_000, 1_000_000), (1_000_000, 50_000_000), (10_000_000, 100_000_000)] } },
    ParamSpec { key: "rows_per_page", help: "rows per heap page r", kind: ParamKind::Int { min: 1, max: 1000, draw: [(20, 100), (20, 200), (20, 200)] } },
    ParamSpec { key: "selectivity_pct", help: "percentage of rows matching", kind: ParamKind::Real { min: 0.0001, max: 100.0, step: 0.001, draw: [(0.001, 1.0), (0.001, 5.0), (0.001, 5.0)] } },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    rows: u64,
    r: u64,
    e: u64,
    h: u64,
    sel: f64,
}

fn scan_pages(s: &Scenario) -> u64 {
    // Walk the heap a page at a time; a final partial page is still a page.
    let (mut pages, mut row) = (0u64, 0u64);
    let stride = s.r.max(1);
    while row < s.rows {
        // Jump whole runs of a million pages at once so pinned giant tables stay fast.
        let run = ((s.rows - row) / stride).clamp(1, 1_000_000);
        pages += run;
        row += run * stride;
    }
    pages
}

fn index_pages(s: &Scenario, sel: f64) -> u64 {
    let matches = (sel * s.rows as f64).round() as u64;
    let mut pages = s.h; // root to the parent of the leaves
    // Leaf pages: the first is read even when nothing matches; then one per further e entries.
    let mut left = matches;
    pages += 1;
    while left > s.e {
        let run = ((left - 1) / s.e).clamp(1, 1_000_000);
        left -= run * s.e;
        pages += run;
    }
    pages + matches // one heap page per matching row
}

impl Family for IndexVsScan {
    fn id(&self) -> &'static str {
        "optimization.index_vs_scan"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Index lookup or full scan? Counting pages"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let rows = cx.int("rows") as u64;
        let r = cx.int("rows_per_page") as u64;
        let sel = cx.real("selectivity_pct") / 100.0;
        if ask != "index" {
            // The scan does not depend on it, and the break-even question asks for it.
            cx.unused("selectivity_pct");
        }
        let e = cx.rng().random_range(1..=5) * 100;
        let h = cx.rng().random_range(2..=4);
        let s = Scenario { ask: ask.into(), rows, r, e, h, sel };
        let prompt = Content::new()
            .p(format!(
                "A table has **{rows}** rows, **{r}** per heap page. An unclustered B-tree index on the filtered column has **{h}** levels above its leaves and **{e}** entries per leaf page. Assume each matching row lives on a different heap page and that nothing is cached: every page touched is one page read."
            ));
        let scan = scan_pages(&s);
        let (prompt, slot, solution) = match ask {
            "scan" => (
                prompt.p("How many pages does a full table scan read?"),
                AnswerSlot::new("pages read by the scan", Expected::Integer { value: scan as i64 }),
                Content::new().p(format!("Every heap page once: ⌈{rows}/{r}⌉ = **{scan}** pages.")),
            ),
            "index" => {
                let v = index_pages(&s, sel);
                let m = (sel * rows as f64).round() as u64;
                (
                    prompt.p(format!("A query matches **{}%** of the rows. How many pages does the index plan read?", num(sel * 100.0))),
                    AnswerSlot::new("pages read via the index", Expected::Integer { value: v as i64 }),
                    Content::new()
                        .p(format!("{} matching rows. Descend {h} inner levels, read ⌈{m}/{e}⌉ = {} leaf pages (at least one), then one heap page per match.", m, m.div_ceil(e).max(1)))
                        .p(format!("{h} + {} + {m} = **{v}** pages, against {scan} for a full scan: the index {}.", m.div_ceil(e).max(1), if v < scan { "wins" } else { "loses" })),
                )
            }
            _ => {
                if index_pages(&s, 0.0) >= scan {
                    return Err(GenError::Params {
                        message: format!("with {rows} rows at {r} per page the scan reads only {scan} pages: the index never reads fewer"),
                        hint: "choose more rows or fewer rows per page".into(),
                    });
                }
                // Bisect the simulated plans for the selectivity where the index stops winning.
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..60 {
                    let mid = (lo + hi) / 2.0;
                    if index_pages(&s, mid) < scan { lo = mid } else { hi = mid }
                }
                let v = hi * 100.0;
                (
                    prompt.p("At what selectivity (percentage of rows matching) does the index plan stop reading fewer pages than a full scan?"),
                    AnswerSlot::new("break-even selectivity (%)", Expected::rel(v, 0.02)),
                    Content::new()
                        .p(format!("Index ≈ {h} + sR/{e} + sR pages; scan = R/{r} = {scan}. Setting them equal: s = (R/r − h)/(R(1 + 1/e)) ≈ 1/(r(1 + 1/e))."))
                        .p(format!("s* = **{}%**: with {r} rows per page, reading one page per match beats the scan only below about 1/{r} of the rows.", fmt_sig(v, 3))),
                )
            }
        };
        let evidence = Content::new().p(format!("Simulated plans: scan {scan} pages; index at {}%: {} pages.", num(sel * 100.0), index_pages(&s, sel)));
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&s))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let scan = s.rows.div_ceil(s.r);
        match (s.ask.as_str(), q.expected(0)?) {
            ("scan", Expected::Integer { value }) => CheckError::expect_eq("scan pages", *value, scan as i64),
            ("index", Expected::Integer { value }) => {
                let m = (s.sel * s.rows as f64).round() as u64;
                CheckError::expect_eq("index pages", *value, (s.h + m.div_ceil(s.e).max(1) + m) as i64)
            }
            (_, Expected::Real { value, .. }) => {
                // The page counts are integers: find the smallest number of matches m with
                // h + max(1, ⌈m/e⌉) + m ≥ scan, starting from the continuous solution
                // m ≈ (scan − h − 1)·e/(e + 1). Matches are round(sR), so the switch is at
                // s = (m − ½)/R.
                let idx = |m: u64| s.h + m.div_ceil(s.e).max(1) + m;
                let est = ((scan as f64 - s.h as f64 - 1.0) * s.e as f64 / (s.e as f64 + 1.0)).max(0.0) as u64;
                let mut m = est.saturating_sub(3);
                while m > 0 && idx(m - 1) >= scan {
                    m -= 1;
                }
                while idx(m) < scan {
                    m += 1;
                }
                let closed = 100.0 * (m as f64 - 0.5).max(0.0) / s.rows as f64;
                if (closed - value).abs() <= 1e-6 * closed { Ok(()) } else { Err(CheckError(format!("key {value}, closed form {closed}"))) }
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
        stress(&IndexVsScan, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        let s = Scenario { ask: "index".into(), rows: 1_000_000, r: 100, e: 200, h: 3, sel: 0.001 };
        assert_eq!(scan_pages(&s), 10_000);
        // 1000 matches: 3 inner + 5 leaves + 1000 heap pages.
        assert_eq!(index_pages(&s, 0.001), 1008);
        assert_eq!(index_pages(&s, 0.0), 4);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&IndexVsScan, &["ask=scan".into(), "rows=1000000".into(), "rows_per_page=100".into()]).unwrap();
        let q = generate(&IndexVsScan, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "10000");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&IndexVsScan, &["ask=break_even".into()]).unwrap();
        let mut q = generate(&IndexVsScan, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&IndexVsScan, &q).unwrap();
        q.slots[0].expected = Expected::rel(50.0, 0.02);
        assert!(crate::family::cross_check(&IndexVsScan, &q).is_err());
    }
}
