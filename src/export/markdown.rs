//! `pack.md`: the paper, then the key, as CommonMark with GFM tables, for wikis and review diffs.

use super::view::{KeyView, PaperView};
use super::{Exporter, Templates, View};
use crate::error::Error;
use crate::pack::Pack;
use serde::Serialize;

/// The Markdown exporter.
pub struct Markdown;

#[derive(Serialize)]
struct Both {
    paper: PaperView,
    key: KeyView,
}

impl Exporter for Markdown {
    fn id(&self) -> &'static str {
        "md"
    }
    fn files(&self) -> &'static [(&'static str, View)] {
        &[("pack.md", View::Both)]
    }
    fn render(&self, pack: &Pack, _view: View, t: &Templates) -> Result<Vec<u8>, Error> {
        let mut s = t.render(
            "markdown/pack.md",
            &Both {
                paper: PaperView::of(pack),
                key: KeyView::of(pack),
            },
        )?;
        // Collapse the blank-line runs template control flow leaves behind.
        while s.contains("\n\n\n") {
            s = s.replace("\n\n\n", "\n\n");
        }
        if !s.ends_with('\n') {
            s.push('\n');
        }
        Ok(s.into_bytes())
    }
}
