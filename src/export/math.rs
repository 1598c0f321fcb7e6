//! Formulas for the HTML pages: every math span (`$…$` in the inline markup, typst's math
//! syntax) is typeset by typst itself, with the same fonts as the PDF, and embedded as inline
//! SVG. The pages stay self-contained (no script, no network, no web font) and print as crisply
//! as the PDF; the formula's source stays in the `aria-label` for screen readers and copying.
//!
//! As in the PDF, the formula goes in as data and is evaluated in math mode only; `#`, the
//! escape into code, is refused. Results are memoised by formula, so a batch typesets each
//! distinct formula once per process (the memo is cleared when it holds [`MEMO_LIMIT`] formulas,
//! so a long batch, whose numbers differ per candidate, does not grow it without bound).
//!
//! **One typst run per page, not per formula.** Before a page is rendered, [`prepare`] typesets
//! every formula it holds that is not memoised yet in one document, one formula per page, and
//! memoises each page's SVG: typst's fixed cost per compile (evaluating the template, the
//! introspection pass) is paid once per page instead of once per formula. Each page is laid out
//! exactly as the one-formula document lays it out (a test holds them byte-identical). Should the
//! shared run fail (a formula with a syntax error), nothing is memoised and each formula is
//! typeset alone when the page asks for it, so the error names its formula.

use crate::error::Error;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// The one-formula document: a page exactly the size of the formula.
const TEMPLATE: &str = r##"#let f = json("/pack.json")
#if f.text.contains("#") { panic("math may not contain #") }
#set page(width: auto, height: auto, margin: (x: 0.6pt, y: 1.2pt), fill: none)
#set text(font: "Libertinus Serif", size: 12pt)
#math.equation(block: false, eval(f.text, mode: "math"))
"##;

/// Several formulas in one document: the same page and text settings, one formula per page.
const MANY: &str = r##"#let fs = json("/pack.json")
#for f in fs { if f.contains("#") { panic("math may not contain #") } }
#set page(width: auto, height: auto, margin: (x: 0.6pt, y: 1.2pt), fill: none)
#set text(font: "Libertinus Serif", size: 12pt)
#for (i, f) in fs.enumerate() {
  if i > 0 { pagebreak() }
  math.equation(block: false, eval(f, mode: "math"))
}
"##;

static CACHE: LazyLock<Mutex<HashMap<String, String>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The most formulas memoised at once.
pub const MEMO_LIMIT: usize = 4096;

/// Typesets, in one typst run, every formula of `sources` that is not memoised yet, and
/// memoises them: see the module docs. Errors are left for [`svg`] to report, formula by formula.
pub fn prepare<'a>(sources: impl IntoIterator<Item = &'a str>) {
    let Ok(cache) = CACHE.lock() else { return };
    let mut todo: Vec<&str> = sources
        .into_iter()
        .filter(|s| !s.contains('#') && !cache.contains_key(*s))
        .collect();
    drop(cache);
    todo.sort_unstable();
    todo.dedup();
    if todo.len() < 2 {
        return;
    }
    let data = serde_json::to_vec(&todo).unwrap_or_default();
    let Ok(doc) = super::pdf::compile(MANY, data) else {
        return;
    };
    if doc.pages().len() != todo.len() {
        return;
    }
    let made: Vec<(String, String)> = todo
        .iter()
        .zip(doc.pages())
        .map(|(src, page)| (src.to_string(), page_svg(page, src)))
        .collect();
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() + made.len() > MEMO_LIMIT {
            cache.clear();
        }
        cache.extend(made);
    }
}

/// The formula `source` as an inline `<svg>`, aligned on the text baseline.
pub fn svg(source: &str) -> Result<String, Error> {
    if let Some(hit) = CACHE.lock().map_err(poisoned)?.get(source) {
        return Ok(hit.clone());
    }
    let out = typeset(source)?;
    let mut cache = CACHE.lock().map_err(poisoned)?;
    if cache.len() >= MEMO_LIMIT {
        cache.clear();
    }
    cache.insert(source.to_string(), out.clone());
    Ok(out)
}

fn poisoned<T>(_: T) -> Error {
    Error::Render {
        what: "formula".into(),
        message: "the formula cache was poisoned by an earlier panic".into(),
    }
}

fn typeset(source: &str) -> Result<String, Error> {
    if source.contains('#') {
        return Err(Error::Render {
            what: "formula".into(),
            message: format!("the formula `{source}` contains `#`, which typst would run as code"),
        });
    }
    let data = serde_json::to_vec(&serde_json::json!({ "text": source })).unwrap_or_default();
    let doc = super::pdf::compile(TEMPLATE, data).map_err(|e| Error::Render {
        what: format!("formula `{source}`"),
        message: e.to_string(),
    })?;
    let page = doc.pages().first().ok_or_else(|| Error::Render {
        what: format!("formula `{source}`"),
        message: "typst laid out no page".into(),
    })?;
    Ok(page_svg(page, source))
}

/// One laid-out formula page as inline HTML: the SVG, aligned on the text baseline, inside a
/// span labelled with the formula's source.
fn page_svg(page: &typst_layout::Page, source: &str) -> String {
    // The baseline of the formula, from the top of the page: the first laid-out item's
    // position plus its own baseline. The part below it hangs under the text line.
    let frame = &page.frame;
    let baseline = frame
        .items()
        .find_map(|(pos, item)| match item {
            typst::layout::FrameItem::Group(g) => Some(pos.y + g.frame.baseline()),
            typst::layout::FrameItem::Text(_) => Some(pos.y),
            _ => None,
        })
        .unwrap_or(frame.baseline());
    let depth = (frame.height() - baseline).to_pt().max(0.0);
    let svg = typst_svg::svg(page, &typst_svg::SvgOptions::default());
    // Drop the XML prolog (if any) so the SVG sits inline in HTML, and align it on the baseline.
    let body = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg.as_str(),
    };
    let body = body.replacen(
        "<svg",
        &format!(
            "<svg style=\"vertical-align: -{depth:.2}pt\" aria-hidden=\"true\" focusable=\"false\""
        ),
        1,
    );
    format!(
        "<span class=\"math\" role=\"img\" aria-label=\"{}\">{body}</span>",
        attr_escape(source)
    )
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_becomes_inline_svg_with_its_source_as_label() {
        let s = svg("1 / ((1 - p) + p / n)").unwrap();
        assert!(
            s.starts_with(
                "<span class=\"math\" role=\"img\" aria-label=\"1 / ((1 - p) + p / n)\"><svg"
            ),
            "{s}"
        );
        assert!(s.contains("vertical-align: -"), "{s}");
        assert!(s.ends_with("</svg></span>") || s.trim_end().ends_with("</span>"));
        // A fraction hangs below the baseline; a plain symbol hardly does.
        let depth = |s: &str| -> f64 {
            let at = s.find("vertical-align: -").unwrap() + "vertical-align: -".len();
            s[at..].split("pt").next().unwrap().parse().unwrap()
        };
        assert!(depth(&s) > 2.0, "{s}");
        assert!(depth(&svg("x").unwrap()) < 2.0);
        // The same formula twice gives the same bytes (the cache, and a deterministic typesetter).
        assert_eq!(svg("1 / ((1 - p) + p / n)").unwrap(), s);
    }

    #[test]
    fn formulas_typeset_together_are_the_bytes_typeset_alone() {
        let sources = [
            "a^2 + b^2 = c^2",
            "sum_(k=1)^n 1/k",
            "sqrt(2 pi n) (n/e)^n",
            "x",
        ];
        let alone: Vec<String> = sources.iter().map(|s| typeset(s).unwrap()).collect();
        prepare(sources);
        for (s, a) in sources.iter().zip(&alone) {
            assert_eq!(&CACHE.lock().unwrap().get(*s).cloned().unwrap(), a, "{s}");
        }
        // One bad formula spoils the shared run: nothing is memoised, and each formula then
        // reports for itself.
        prepare(["frobnicate(y)", "y^3"]);
        assert!(!CACHE.lock().unwrap().contains_key("y^3"));
        assert!(svg("frobnicate(y)").is_err());
        assert!(svg("y^3").is_ok());
    }

    #[test]
    fn code_in_a_formula_is_refused() {
        let e = svg("#read(\"/etc/passwd\")").unwrap_err().to_string();
        assert!(e.contains("contains `#`"), "{e}");
        // A syntax error is a render error naming the formula, not a panic.
        assert!(svg("frobnicate(x)").is_err());
    }
}
