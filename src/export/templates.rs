//! Templates: embedded in the binary from `templates/`, overridable file by file with
//! `--templates DIR`. HTML templates are autoescaped; Markdown ones escape through the `md` filter.
//!
//! Templates are code: an override runs with the pack's data in front of it, so use only templates
//! you trust. The tera instance holds nothing that reaches outside the template data: tera's
//! `get_env` is replaced by a function that refuses (an override once printed `GROUNDWORK_SECRET`
//! on a candidate's paper), `now` and `get_random` are not compiled in, and templates can include
//! only each other. `range` is bounded ([`MAX_RANGE_ITEMS`]) and so is a rendered file
//! ([`MAX_RENDERED_BYTES`]); the typst template sees only `/pack.json` (see `pdf.rs`), and a PDF
//! has at most [`MAX_PDF_PAGES`] pages. These limits catch a runaway template, not a hostile one:
//! nested loops can still keep tera or typst busy.
//!
//! A failure in an override is the template's, reported as [`Error::Template`]; a failure in an
//! embedded template is a bug in groundwork.

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
        "html/marking.html",
        include_str!("../../templates/html/marking.html"),
    ),
    (
        "html/report.html",
        include_str!("../../templates/html/report.html"),
    ),
    (
        "html/grade.html",
        include_str!("../../templates/html/grade.html"),
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
        "html/catalog.html",
        include_str!("../../templates/html/catalog.html"),
    ),
    (
        "html/catalog.js",
        include_str!("../../templates/html/catalog.js"),
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

/// The most items tera's `range` may produce (tera's own would allocate whatever is asked).
pub const MAX_RANGE_ITEMS: usize = 100_000;

/// The largest file a template may render: packs of 100 questions render to well under 1 MiB.
pub const MAX_RENDERED_BYTES: usize = 16 * 1024 * 1024;

/// The most pages a PDF may have: a key of 100 questions takes a few hundred.
pub const MAX_PDF_PAGES: usize = 1000;

/// A loaded template set.
pub struct Templates {
    tera: tera::Tera,
    /// Templates for other engines (typst), by name.
    raw: HashMap<String, String>,
    /// The `--templates` folder, when there is one.
    dir: Option<std::path::PathBuf>,
    /// The names taken from `dir`, each with its text.
    overridden: std::collections::BTreeMap<String, String>,
}

impl Templates {
    /// The embedded templates.
    pub fn embedded() -> Templates {
        Templates::load(None).expect("embedded templates parse")
    }

    /// The embedded templates, with any file of the same name under `dir` taking precedence.
    /// A `dir` that is missing, is not a folder, or holds none of the template names is an error:
    /// a typo must not silently give the built-in look.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Error> {
        if let Some(d) = dir {
            check_dir(d)?;
        }
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut overridden = std::collections::BTreeMap::new();
        for (name, text) in EMBEDDED {
            let over = dir.map(|d| d.join(name)).filter(|p| p.is_file());
            let text = match over {
                Some(p) => {
                    let text = crate::input::read_text(&p, "the template")?;
                    overridden.insert(name.to_string(), text.clone());
                    text
                }
                None => text.to_string(),
            };
            sources.push((name.to_string(), text));
        }
        if let (Some(d), true) = (dir, overridden.is_empty()) {
            return Err(Error::Usage {
                message: format!(
                    "--templates {}: the folder holds no template groundwork knows",
                    d.display()
                ),
                hint: format!(
                    "templates go at these paths inside it (copy them from templates/ in the source): {}",
                    EMBEDDED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        let (raw, sources): (Vec<_>, Vec<_>) =
            sources.into_iter().partition(|(n, _)| n.ends_with(".typ"));
        let raw: HashMap<String, String> = raw.into_iter().collect();
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.register_filter("md", md_escape);
        tera.register_filter("mdcode", md_code);
        // Nothing outside the template data: no environment, and a bounded `range`.
        tera.register_function("get_env", refuse_get_env);
        tera.register_function("range", bounded_range);
        tera.register_function("math", math_function);
        let mut t = Templates {
            tera,
            raw,
            dir: dir.map(Path::to_path_buf),
            overridden,
        };
        let parsed = t.tera.add_raw_templates(sources);
        parsed.map_err(|e| {
            t.blame(
                "templates",
                Error::Render {
                    what: "templates".into(),
                    message: chain(&e),
                },
            )
        })?;
        Ok(t)
    }

    /// A digest of the overriding templates (names and text), or "embedded": what a batch stamp
    /// records, so that changed templates redo every candidate.
    pub fn fingerprint(&self) -> String {
        if self.overridden.is_empty() {
            return "embedded".into();
        }
        let mut h = blake3::Hasher::new();
        for (name, text) in &self.overridden {
            h.update(&(name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            h.update(&(text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        h.finalize().to_hex().to_string()
    }

    /// Puts a rendering failure where it belongs: on the `--templates` override when the engine
    /// that failed ran one (tera for `.html`/`.md`, typst for `.typ`), else on groundwork.
    pub fn blame(&self, name: &str, e: Error) -> Error {
        let Error::Render { what, message } = e else {
            return e;
        };
        let typst = name.ends_with(".typ");
        let culprit = self
            .overridden
            .keys()
            .filter(|n| n.ends_with(".typ") == typst)
            .find(|n| *n == name)
            .or_else(|| {
                // tera templates import each other's macros: any tera override may be at fault.
                (!typst)
                    .then(|| self.overridden.keys().find(|n| !n.ends_with(".typ")))
                    .flatten()
            });
        match (culprit, &self.dir) {
            (Some(n), Some(d)) => Error::Template {
                what: d.join(n).display().to_string(),
                message: format!("{what}: {message}"),
            },
            _ => Error::Render { what, message },
        }
    }

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

    /// Renders template `name` with `data`, refusing output past [`MAX_RENDERED_BYTES`].
    pub fn render<T: serde::Serialize>(&self, name: &str, data: &T) -> Result<String, Error> {
        let value = serde_json::to_value(data).map_err(|e| Error::Render {
            what: name.into(),
            message: e.to_string(),
        })?;
        // Every formula the page may show, typeset in one typst run before tera asks for them
        // one by one (see `math`).
        #[cfg(feature = "pdf")]
        super::math::prepare(math_sources(&value));
        let ctx = tera::Context::from_value(value).map_err(|e| Error::Render {
            what: name.into(),
            message: chain(&e),
        })?;
        let mut out = Bounded::default();
        let rendered = self.tera.render_to(name, &ctx, &mut out);
        if out.overflow {
            return Err(self.blame(
                name,
                Error::Render {
                    what: name.into(),
                    message: format!(
                        "the output grew past {} MiB, the most a template may write",
                        MAX_RENDERED_BYTES / (1024 * 1024)
                    ),
                },
            ));
        }
        rendered.map_err(|e| {
            self.blame(
                name,
                Error::Render {
                    what: name.into(),
                    message: chain(&e),
                },
            )
        })?;
        String::from_utf8(out.bytes).map_err(|e| Error::Render {
            what: name.into(),
            message: e.to_string(),
        })
    }
}

/// The source of every math span (`{"style": "math", "text": …}`) in `v`, in document order:
/// what the HTML pages typeset ([`super::math::prepare`]) and the PDF exporter screens for code.
#[cfg(feature = "pdf")]
pub(crate) fn math_sources(v: &serde_json::Value) -> Vec<&str> {
    fn walk<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("style").and_then(|s| s.as_str()) == Some("math") {
                    if let Some(t) = m.get("text").and_then(|t| t.as_str()) {
                        out.push(t);
                    }
                }
                m.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

/// `math(src=…)`: a formula as HTML. With typst built in, an inline SVG typeset by typst
/// ([`super::math::svg`]); without it, the source, escaped. Either way the caller marks the
/// result `| safe`: the SVG is ours, and the source is escaped here.
fn math_function(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let src = args
        .get("src")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("math() takes src=\"…\""))?;
    #[cfg(feature = "pdf")]
    let html = super::math::svg(src).map_err(|e| tera::Error::msg(e.to_string()))?;
    #[cfg(not(feature = "pdf"))]
    let html = format!(
        "<span class=\"math\">{}</span>",
        src.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    );
    Ok(tera::Value::String(html))
}

/// Refuses an override `--templates` path that is missing or not a folder.
fn check_dir(d: &Path) -> Result<(), Error> {
    let hint = "give the folder that holds your templates, e.g. html/paper.html inside it";
    match std::fs::metadata(d) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::Usage {
            message: format!("--templates {} is not a folder", d.display()),
            hint: hint.into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Usage {
            message: format!("--templates {}: no such folder", d.display()),
            hint: hint.into(),
        }),
        Err(e) => Err(Error::io("reading", d, e)),
    }
}

/// A writer that keeps at most [`MAX_RENDERED_BYTES`] and then fails, stopping tera mid-render.
#[derive(Default)]
struct Bounded {
    bytes: Vec<u8>,
    overflow: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED_BYTES {
            self.overflow = true;
            return Err(std::io::Error::other("template output too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Stands in for tera's `get_env`: templates see the pack, never the environment.
fn refuse_get_env(_: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Err(tera::Error::msg(
        "get_env is not available: templates see only the pack's data, never the environment",
    ))
}

/// tera's `range` (`start`, `end`, `step_by`), refusing more than [`MAX_RANGE_ITEMS`] items or a
/// zero step instead of allocating without bound.
fn bounded_range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let arg = |key: &str, default: Option<usize>| -> tera::Result<usize> {
        match args.get(key) {
            Some(v) => v.as_u64().map(|x| x as usize).ok_or_else(|| {
                tera::Error::msg(format!(
                    "Function `range` received {key}={v} but `{key}` can only be a whole number"
                ))
            }),
            None => default.ok_or_else(|| {
                tera::Error::msg(format!(
                    "Function `range` was called without a `{key}` argument"
                ))
            }),
        }
    };
    let start = arg("start", Some(0))?;
    let end = arg("end", None)?;
    let step = arg("step_by", Some(1))?;
    if start > end {
        return Err(tera::Error::msg(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step == 0 {
        return Err(tera::Error::msg(
            "Function `range` needs a `step_by` of 1 or more",
        ));
    }
    let n = (end - start).div_ceil(step);
    if n > MAX_RANGE_ITEMS {
        return Err(tera::Error::msg(format!(
            "Function `range` was asked for {n} items; a template may ask for at most {MAX_RANGE_ITEMS}"
        )));
    }
    Ok(tera::Value::Array(
        (start..end).step_by(step).map(|i| i.into()).collect(),
    ))
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
