//! `groundwork families`: every family with its topic, title, difficulties and parameters, as text
//! or JSON. Read entirely from the registry.

use super::Output;
use crate::cli::{FamiliesArgs, ListFormat};
use crate::error::Error;
use crate::family::{Difficulty, Family, ParamKind, Topic, FAMILIES};
use serde_json::{json, Value};

fn param_json(f: &dyn Family) -> Vec<Value> {
    f.params()
        .iter()
        .map(|p| {
            let (kind, bounds) = match p.kind {
                ParamKind::Int { min, max, .. } => ("integer", json!({ "min": min, "max": max })),
                ParamKind::Real { min, max, step, .. } => ("real", json!({ "min": min, "max": max, "step": step })),
                ParamKind::Choice { options, .. } => ("choice", json!({ "options": options })),
            };
            let defaults: serde_json::Map<String, Value> =
                Difficulty::ALL.iter().map(|d| (d.id().to_string(), Value::String(p.default_text(*d)))).collect();
            json!({ "key": p.key, "help": p.help, "kind": kind, "range": bounds, "defaults": defaults })
        })
        .collect()
}

/// Runs `families`.
pub fn run(a: FamiliesArgs) -> Result<Output, Error> {
    let topic = a.topic.as_deref().map(Topic::parse).transpose()?;
    let list: Vec<&dyn Family> = FAMILIES
        .iter()
        .copied()
        .filter(|f| topic.is_none_or(|t| f.topic() == t))
        .collect();
    if a.format == ListFormat::Json {
        let v: Vec<Value> = list
            .iter()
            .map(|f| {
                json!({
                    "id": f.id(), "topic": f.topic().id(), "title": f.title(), "version": f.version(),
                    "difficulties": Difficulty::ALL.iter().map(|d| d.id()).collect::<Vec<_>>(),
                    "params": param_json(*f),
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
    let mut out = String::new();
    for t in Topic::ALL {
        let fams: Vec<_> = list.iter().filter(|f| f.topic() == t).collect();
        if fams.is_empty() {
            continue;
        }
        out.push_str(&format!("{} ({})\n", t.heading(), t.id()));
        for f in fams {
            out.push_str(&format!("  {:<32} {}\n", f.id(), f.title()));
            for p in f.params() {
                out.push_str(&format!(
                    "      {:<12} {:<28} {}\n",
                    p.key,
                    p.range_text(),
                    p.help
                ));
                let defaults: Vec<String> = Difficulty::ALL
                    .iter()
                    .map(|d| format!("{}: {}", d.id(), p.default_text(*d)))
                    .collect();
                out.push_str(&format!(
                    "      {:<12} drawn from  {}\n",
                    "",
                    defaults.join("; ")
                ));
            }
        }
        out.push('\n');
    }
    out.push_str("Difficulties: easy, medium, hard. Pin a parameter with `groundwork show FAMILY --set key=value`,\nor in a spec section with `set = { key = value }`.\n");
    Ok(Output::ok(out))
}
