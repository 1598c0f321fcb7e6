//! `paper.html` and `key.html`: self-contained pages (inline CSS, no network) that print cleanly on
//! A4 and Letter; a question never splits across pages, and each starts a new page on the key.

use super::view::{KeyView, PaperView};
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
        &[("paper.html", View::Paper), ("key.html", View::Key)]
    }
    fn render(&self, pack: &Pack, view: View, t: &Templates) -> Result<Vec<u8>, Error> {
        let out = match view {
            View::Paper | View::SelfCheck => t.render("html/paper.html", &PaperView::of(pack))?,
            View::Key | View::Both => t.render("html/key.html", &KeyView::of(pack))?,
        };
        Ok(out.into_bytes())
    }
}
