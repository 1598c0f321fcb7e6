//! Templates: embedded in the binary from `templates/`, overridable file by file with
//! `--templates DIR`. HTML templates are autoescaped; Markdown ones escape through the `md` filter.

use crate::error::Error;
use std::collections::HashMap;
use std::path::Path;

/// Every embedded template, by name (its path under `templates/`).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "html/macros.html",
        include_str!("../../templates/html/macros.html"),
    ),
    (
        "html/base.html",
        include_str!("../../templates/html/base.html"),
    ),
    (
        "html/paper.html",
        include_str!("../../templates/html/paper.html"),
    ),
    (
        "html/key.html",
        include_str!("../../templates/html/key.html"),
    ),
    (
        "html/report.html",
        include_str!("../../templates/html/report.html"),
    ),
    (
        "html/selfcheck.html",
        include_str!("../../templates/html/selfcheck.html"),
    ),
    (
        "html/selfcheck.js",
        include_str!("../../templates/html/selfcheck.js"),
    ),
    (
        "markdown/macros.md",
        include_str!("../../templates/markdown/macros.md"),
    ),
    (
        "markdown/pack.md",
        include_str!("../../templates/markdown/pack.md"),
    ),
    (
        "moodle/fragment.html",
        include_str!("../../templates/moodle/fragment.html"),
    ),
    // Not tera: handed to typst as is (see `Templates::raw`).
    ("pdf/pack.typ", include_str!("../../templates/pdf/pack.typ")),
];

/// A loaded template set.
pub struct Templates {
    tera: tera::Tera,
    /// Templates for other engines (typst), by name.
    raw: HashMap<String, String>,
}

impl Templates {
    /// The embedded templates.
    pub fn embedded() -> Templates {
        Templates::load(None).expect("embedded templates parse")
    }

    /// The embedded templates, with any file of the same name under `dir` taking precedence.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Error> {
        let mut sources: Vec<(String, String)> = Vec::new();
        for (name, text) in EMBEDDED {
            let over = dir.map(|d| d.join(name)).filter(|p| p.is_file());
            let text = match over {
                Some(p) => crate::input::read_text(&p, "the template")?,
                None => text.to_string(),
            };
            sources.push((name.to_string(), text));
        }
        let (raw, sources): (Vec<_>, Vec<_>) =
            sources.into_iter().partition(|(n, _)| n.ends_with(".typ"));
        let raw: HashMap<String, String> = raw.into_iter().collect();
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.register_filter("md", md_escape);
        tera.register_filter("mdcode", md_code);
        tera.add_raw_templates(sources).map_err(|e| Error::Render {
            what: "templates".into(),
            message: chain(&e),
        })?;
        Ok(Templates { tera, raw })
    }

    /// Renders template `name` with `data`.
    /// A template that is not tera's (the typst one), as text.
    pub fn raw(&self, name: &str) -> Result<&str, Error> {
        self.raw
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| Error::Render {
                what: name.into(),
                message: "no such template".into(),
            })
    }

    /// Renders template `name` with `data`.
    pub fn render<T: serde::Serialize>(&self, name: &str, data: &T) -> Result<String, Error> {
        let ctx = tera::Context::from_serialize(data).map_err(|e| Error::Render {
            what: name.into(),
            message: chain(&e),
        })?;
        self.tera.render(name, &ctx).map_err(|e| Error::Render {
            what: name.into(),
            message: chain(&e),
        })
    }
}

/// A tera error with its causes, which carry the template line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn arg_str(value: &tera::Value) -> tera::Result<&str> {
    value
        .as_str()
        .ok_or_else(|| tera::Error::msg("expected a string"))
}

/// Escapes Markdown punctuation in plain text.
fn md_escape(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let mut out = String::new();
    for c in arg_str(value)?.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(tera::Value::String(out))
}

/// Inline code in Markdown, with a fence longer than any backtick run inside.
fn md_code(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let s = arg_str(value)?;
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    Ok(tera::Value::String(format!("{fence}{pad}{s}{pad}{fence}")))
}
