//! `groundwork audit`: runs [`crate::audit::audit`] for each family and difficulty asked, in
//! parallel, and prints a table (or JSON) with every problem found. Exit 1 when any rule fails.

use super::Output;
use crate::audit::{audit, Row};
use crate::cli::{AuditArgs, ListFormat};
use crate::error::Error;
use crate::family::{self, Difficulty, Family, Topic, FAMILIES};
use rayon::prelude::*;

/// The families named by `args` (ids or topics), in registry order; all when none is named.
fn chosen(names: &[String]) -> Result<Vec<&'static dyn Family>, Error> {
    if names.is_empty() {
        return Ok(FAMILIES.to_vec());
    }
    let mut ids = std::collections::BTreeSet::new();
    for n in names {
        match Topic::parse(n) {
            Ok(t) => ids.extend(family::of_topic(t).iter().map(|f| f.id())),
            Err(_) => {
                ids.insert(family::lookup(n)?.id());
            }
        }
    }
    Ok(FAMILIES
        .iter()
        .copied()
        .filter(|f| ids.contains(f.id()))
        .collect())
}

/// Runs `audit`.
pub fn run(a: AuditArgs) -> Result<Output, Error> {
    if a.seeds == 0 || a.seeds > 100_000 {
        return Err(Error::Usage {
            message: format!("--seeds {} is out of range", a.seeds),
            hint: "give between 1 and 100000 seeds per family and difficulty".into(),
        });
    }
    let difficulties = match &a.difficulty {
        Some(d) => vec![Difficulty::parse(d)?],
        None => Difficulty::ALL.to_vec(),
    };
    let jobs: Vec<(&'static dyn Family, Difficulty)> = chosen(&a.families)?
        .into_iter()
        .flat_map(|f| difficulties.iter().map(move |d| (f, *d)))
        .collect();
    let rows: Vec<Row> = jobs
        .par_iter()
        .map(|(f, d)| audit(*f, *d, 0..a.seeds))
        .collect();
    let timing = !cfg!(debug_assertions);
    let failing = rows
        .iter()
        .filter(|r| !r.problems(timing).is_empty())
        .count();
    let stdout = if a.format == ListFormat::Json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut j = serde_json::to_value(r).unwrap_or_default();
                j["problems"] = serde_json::json!(r.problems(timing));
                j
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&v).map_err(|e| Error::Render {
            what: "audit".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        s
    } else {
        text(&rows, timing, a.seeds)
    };
    Ok(Output {
        stdout,
        code: i32::from(failing > 0),
    })
}

fn text(rows: &[Row], timing: bool, seeds: u64) -> String {
    let mut out = format!(
        "{:<34} {:<6} {:>8} {:>8} {:>7} {:>8} {:>9} {:>8} {:>7}  {}\n",
        "family",
        "diff",
        "median",
        "max",
        "redraw",
        "distinct",
        "by hand",
        "computer",
        "minutes",
        "status"
    );
    let mut problems = Vec::new();
    for r in rows {
        let p = r.problems(timing);
        let hand = if r.hand_parts == 0 {
            "-".to_string()
        } else {
            format!("{}/{}", r.hand_accepted, r.hand_parts)
        };
        let minutes = if r.minutes.0 == r.minutes.1 {
            r.minutes.0.to_string()
        } else {
            format!("{}–{}", r.minutes.0, r.minutes.1)
        };
        out.push_str(&format!(
            "{:<34} {:<6} {:>6.1}ms {:>6.1}ms {:>6.0}% {:>8} {:>9} {:>7.0}% {:>7}  {}\n",
            r.family,
            r.difficulty.id(),
            r.median_ms,
            r.max_ms,
            100.0 * r.redraw_rate,
            r.distinct_answers,
            hand,
            100.0 * r.needs_computer_share,
            minutes,
            if p.is_empty() { "ok" } else { "FAIL" }
        ));
        for m in p {
            problems.push(format!("{} ({}): {m}", r.family, r.difficulty.id()));
        }
    }
    out.push_str(&format!(
        "\n{} rows, {seeds} seeds each. Time per question is generate plus cross-check{}.\n",
        rows.len(),
        if timing {
            format!(
                "; budget: median {} ms, worst {} ms",
                crate::audit::MEDIAN_BUDGET_MS,
                crate::audit::WORST_BUDGET_MS
            )
        } else {
            " (a debug build: timing is reported, not judged; audit a release build for that)"
                .to_string()
        }
    ));
    if problems.is_empty() {
        out.push_str("Every rule holds.\n");
    } else {
        out.push_str(&format!("\n{} problem(s):\n", problems.len()));
        for p in problems {
            out.push_str(&format!("  {p}\n"));
        }
    }
    out
}
