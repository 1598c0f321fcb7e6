//! `groundwork families`: the catalogue of question families, read entirely from the registry.
//!
//! By default one line per family (id, estimated minutes, title, skill tags); `--long` adds each
//! ask (minutes per difficulty, whether it needs a computer, whether it tests judgment) and each
//! parameter with its range in words ("2 to 5", "one of lru, fifo, opt") and what each difficulty
//! draws. `--format json` gives the same for scripts.

use super::Output;
use crate::cli::{FamiliesArgs, ListFormat};
use crate::error::Error;
use crate::family::{self, Difficulty, Family, ParamKind, ParamSpec, Topic, FAMILIES};
use serde_json::{json, Value};

fn param_json(f: &dyn Family) -> Vec<Value> {
    f.params()
        .iter()
        .map(|p| {
            let (kind, bounds) = match p.kind {
                ParamKind::Int { min, max, .. } => ("integer", json!({ "min": min, "max": max })),
                ParamKind::Real { min, max, step, .. } => {
                    ("real", json!({ "min": min, "max": max, "step": step }))
                }
                ParamKind::Choice { options, .. } => ("choice", json!({ "options": options })),
            };
            let defaults: serde_json::Map<String, Value> = Difficulty::ALL
                .iter()
                .map(|d| (d.id().to_string(), Value::String(p.default_text(*d))))
                .collect();
            json!({ "key": p.key, "help": p.help, "kind": kind, "range": bounds,
                    "range_text": range_words(p), "defaults": defaults })
        })
        .collect()
}

fn asks_json(f: &dyn Family) -> Vec<Value> {
    let per = |v: [Value; 3]| {
        let m: serde_json::Map<String, Value> = Difficulty::ALL
            .iter()
            .zip(v)
            .map(|(d, x)| (d.id().to_string(), x))
            .collect();
        Value::Object(m)
    };
    f.asks()
        .iter()
        .map(|a| {
            json!({
                "ask": a.id,
                "minutes": per(a.minutes.map(|m| json!(m))),
                "needs_computer": per(a.needs_computer.map(|b| json!(b))),
                "tags": a.tags,
                "judgment": a.judgment,
            })
        })
        .collect()
}

/// A parameter's accepted range in words.
fn range_words(p: &ParamSpec) -> String {
    match p.kind {
        ParamKind::Int { min, max, .. } => format!("{min} to {max}"),
        ParamKind::Real { min, max, step, .. } => {
            format!("{min} to {max}; drawn on a grid of {step}, pinned to any value in range")
        }
        ParamKind::Choice { options, .. } => format!("one of {}", options.join(", ")),
    }
}

/// What a difficulty draws, in words: "4 to 6", "one of lru, fifo", "3".
fn draw_words(p: &ParamSpec, d: Difficulty) -> String {
    let i = d.index();
    match p.kind {
        ParamKind::Int { draw, .. } if draw[i].0 == draw[i].1 => draw[i].0.to_string(),
        ParamKind::Int { draw, .. } => format!("{} to {}", draw[i].0, draw[i].1),
        ParamKind::Real { draw, .. } if draw[i].0 == draw[i].1 => draw[i].0.to_string(),
        ParamKind::Real { draw, .. } => format!("{} to {}", draw[i].0, draw[i].1),
        ParamKind::Choice { draw, .. } if draw[i].len() == 1 => draw[i][0].to_string(),
        ParamKind::Choice { draw, .. } => format!("one of {}", draw[i].join(", ")),
    }
}

/// The smallest and largest estimated minutes over a family's asks and difficulties.
fn minutes(f: &dyn Family) -> Option<(u8, u8)> {
    let all: Vec<u8> = f.asks().iter().flat_map(|a| a.minutes).collect();
    Some((*all.iter().min()?, *all.iter().max()?))
}

fn minutes_text(f: &dyn Family) -> String {
    match minutes(f) {
        None => String::new(),
        Some((a, b)) if a == b => format!("{a} min"),
        Some((a, b)) => format!("{a}–{b} min"),
    }
}

/// Every distinct tag of a family's asks, in declaration order.
fn tags(f: &dyn Family) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in f.asks().iter().flat_map(|a| a.tags.iter().copied()) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The families the arguments name (topics or ids), in registry order.
fn chosen(a: &FamiliesArgs) -> Result<Vec<&'static dyn Family>, Error> {
    let mut names = a.names.clone();
    names.extend(a.topic.clone());
    if names.is_empty() {
        return Ok(FAMILIES.to_vec());
    }
    let mut ids = std::collections::BTreeSet::new();
    for n in &names {
        if n.contains('.') {
            ids.insert(family::lookup(n)?.id());
        } else {
            let t = Topic::parse(n).map_err(|e| {
                // A bare family name (`bloom`) is pointed at its id, not at the topics.
                match FAMILIES
                    .iter()
                    .find(|f| f.id().rsplit('.').next() == Some(n.trim()))
                {
                    Some(f) => Error::UnknownFamily {
                        given: n.clone(),
                        suggestion: Some(f.id().to_string()),
                        valid: String::new(),
                    },
                    None => e,
                }
            })?;
            ids.extend(family::of_topic(t).iter().map(|f| f.id()));
        }
    }
    Ok(FAMILIES
        .iter()
        .copied()
        .filter(|f| ids.contains(f.id()))
        .collect())
}

/// Runs `families`.
pub fn run(a: FamiliesArgs) -> Result<Output, Error> {
    let list = chosen(&a)?;
    if a.format == ListFormat::Json {
        let v: Vec<Value> = list
            .iter()
            .map(|f| {
                json!({
                    "id": f.id(), "topic": f.topic().id(), "title": f.title(), "version": f.version(),
                    "difficulties": Difficulty::ALL.iter().map(|d| d.id()).collect::<Vec<_>>(),
                    "params": param_json(*f),
                    "asks": asks_json(*f),
                    "about": {
                        "asks": f.about().asks,
                        "key": f.about().key,
                        "second_route": f.about().second_route,
                    },
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&v).map_err(|e| Error::Render {
            what: "families".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        return Ok(Output::ok(s));
    }
    let id_width = list.iter().map(|f| f.id().len()).max().unwrap_or(0);
    let min_width = list
        .iter()
        .map(|f| minutes_text(*f).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for t in Topic::ALL {
        let fams: Vec<_> = list.iter().filter(|f| f.topic() == t).collect();
        if fams.is_empty() {
            continue;
        }
        let n = fams.len();
        out.push_str(&format!(
            "{} ({}, {n} {})\n",
            t.heading(),
            t.id(),
            if n == 1 { "family" } else { "families" }
        ));
        for f in fams {
            let tags = tags(*f);
            let mut line = format!(
                "  {:<id_width$}  {:>min_width$}  {}",
                f.id(),
                minutes_text(*f),
                f.title()
            );
            if !tags.is_empty() {
                line.push_str(&format!("  [{}]", tags.join(", ")));
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if a.long {
                long(&mut out, *f);
            }
        }
        out.push('\n');
    }
    out.push_str(if a.long {
        "Pin a parameter with `groundwork show FAMILY --set key=value`, or in a spec section with\n`set = { key = value }`. Minutes are for a strong candidate.\n"
    } else {
        "Minutes are for a strong candidate, over every ask and difficulty. `groundwork families\nTOPIC --long` lists each ask and parameter with its range.\n"
    });
    Ok(Output::ok(out))
}

/// The `--long` detail of one family: its asks, then its parameters.
fn long(out: &mut String, f: &dyn Family) {
    for a in f.asks() {
        let name = if a.id.is_empty() {
            "the question"
        } else {
            a.id
        };
        let computer: Vec<&str> = Difficulty::ALL
            .iter()
            .filter(|d| a.needs_computer_at(**d))
            .map(|d| d.id())
            .collect();
        let mut facts = vec![format!(
            "{}/{}/{} min",
            a.minutes[0], a.minutes[1], a.minutes[2]
        )];
        if !computer.is_empty() {
            facts.push(format!("needs a computer at {}", computer.join(", ")));
        }
        if a.judgment {
            facts.push("tests judgment".into());
        }
        out.push_str(&format!("      ask {name}: {}\n", facts.join(" · ")));
    }
    for p in f.params() {
        out.push_str(&format!(
            "      {} ({}): {}\n",
            p.key,
            range_words(p),
            p.help
        ));
        let draws: Vec<String> = Difficulty::ALL
            .iter()
            .map(|d| format!("{} {}", d.id(), draw_words(p, *d)))
            .collect();
        out.push_str(&format!("          drawn: {}\n", draws.join(" · ")));
    }
}
