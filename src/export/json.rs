//! `pack.json`: the whole pack, answers included, with a `schema_version`, for scripts, the grader
//! and LMS converters. Pretty-printed with a trailing newline so diffs of golden packs read well.

use super::{Exporter, Templates, View};
use crate::error::Error;
use crate::pack::Pack;

/// The JSON exporter.
pub struct Json;

impl Exporter for Json {
    fn id(&self) -> &'static str {
        "json"
    }
    fn files(&self) -> &'static [(&'static str, View)] {
        &[("pack.json", View::Key)]
    }
    fn render(&self, pack: &Pack, _view: View, _t: &Templates) -> Result<Vec<u8>, Error> {
        let mut out = serde_json::to_vec_pretty(pack).map_err(|e| Error::Render {
            what: "pack.json".into(),
            message: e.to_string(),
        })?;
        out.push(b'\n');
        Ok(out)
    }
}
