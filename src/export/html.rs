//! `paper.html`, `key.html` and `marking.html`: self-contained pages (inline CSS, no network)
//! that print cleanly on A4 and Letter. A question never splits across pages on the paper; the
//! key opens with a summary table (part, answer, accepted range, points); the marking sheet has a
//! row per part with boxes to tick, the follow-ups and a subtotal grid per topic.

use super::view::{KeyView, MarkingView, PaperView};
use super::{Exporter, Templates, View};
use crate::error::Error;
use crate::pack::Pack;

/// The HTML exporter.
pub struct Html;

impl Exporter for Html {
    fn id(&self) -> &'static str {
        "html"
    }
    fn files(&self) -> &'static [(&'static str, View)] {
        &[
            ("paper.html", View::Paper),
            ("key.html", View::Key),
            ("marking.html", View::Marking),
        ]
    }
    fn render(&self, pack: &Pack, view: View, t: &Templates) -> Result<Vec<u8>, Error> {
        let out = match view {
            View::Paper | View::SelfCheck => t.render("html/paper.html", &PaperView::of(pack))?,
            View::Key | View::Both => t.render("html/key.html", &KeyView::of(pack))?,
            View::Marking => t.render("html/marking.html", &MarkingView::of(pack))?,
        };
        Ok(out.into_bytes())
    }
}
