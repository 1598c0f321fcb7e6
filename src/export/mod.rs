//! Exporters: pure functions from a pack and a view to bytes, and the one place that writes files.
//!
//! An [`Exporter`] names the files it produces and the [`View`] each is rendered from; `render` is
//! pure. [`write_all`] renders every file in memory first, then writes each to a temporary file in
//! the target directory and renames it into place, so an error or an interrupted run never leaves a
//! half-written file, and an error before writing leaves nothing at all.
//!
//! The candidate's paper is rendered from [`view::PaperView`], a type that holds no answers, so no
//! template mistake can leak the key onto the paper.

pub mod gift;
pub mod html;
pub mod json;
pub mod lms;
pub mod markdown;
#[cfg(feature = "pdf")]
pub mod math;
pub mod moodle;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod selfcheck;
pub mod templates;
pub mod view;

use crate::error::Error;
use crate::pack::Pack;
use std::io::Write;
use std::path::{Path, PathBuf};
pub use templates::Templates;

/// What a rendered file shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The candidate's question paper: no answers.
    Paper,
    /// The interviewer's answer key: answers, tolerances, worked solutions, evidence.
    Key,
    /// Paper followed by key, in one document.
    Both,
    /// The candidate's paper with answer inputs checked against commitments, never answers.
    SelfCheck,
    /// The interviewer's marking sheet: per part the key, accepted range and points, with boxes
    /// to tick, the follow-ups, and a subtotal grid per topic.
    Marking,
}

/// One output format.
pub trait Exporter: Sync {
    /// The id used with `--format`.
    fn id(&self) -> &'static str;
    /// The files it writes, each with the view it renders.
    fn files(&self) -> &'static [(&'static str, View)];
    /// Renders one view of the pack.
    fn render(&self, pack: &Pack, view: View, templates: &Templates) -> Result<Vec<u8>, Error>;
}

/// Every exporter, in the order `--format` lists them.
pub static EXPORTERS: &[&dyn Exporter] = &[
    &html::Html,
    &markdown::Markdown,
    &json::Json,
    &selfcheck::SelfCheck,
    #[cfg(feature = "pdf")]
    &pdf::Pdf,
    &moodle::Moodle,
    &gift::Gift,
];

/// Parses a comma-separated `--format` list, such as `html,json`.
pub fn parse_formats(list: &str) -> Result<Vec<&'static dyn Exporter>, Error> {
    let valid = || {
        EXPORTERS
            .iter()
            .map(|e| e.id())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out: Vec<&'static dyn Exporter> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let name = if name == "markdown" { "md" } else { name };
        let e = EXPORTERS
            .iter()
            .copied()
            .find(|e| e.id() == name)
            .ok_or_else(|| Error::Usage {
                message: format!("unknown format `{name}`"),
                hint: format!("formats are: {}", valid()),
            })?;
        if !out.iter().any(|o| o.id() == e.id()) {
            out.push(e);
        }
    }
    if out.is_empty() {
        return Err(Error::Usage {
            message: "no format given".into(),
            hint: format!("formats are: {}", valid()),
        });
    }
    Ok(out)
}

/// Renders every file of every exporter, in memory.
pub fn render_all(
    pack: &Pack,
    exporters: &[&dyn Exporter],
    templates: &Templates,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = Vec::new();
    for e in exporters {
        for (name, view) in e.files() {
            files.push((name.to_string(), e.render(pack, *view, templates)?));
        }
    }
    Ok(files)
}

/// Writes `files` into `dir` atomically (temp file + rename each), creating `dir` if needed.
///
/// If `dir` had to be created and a write fails, it is removed again, so a failed run leaves the
/// disk as it found it. Returns the paths written.
pub fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, Error> {
    let existed = dir.is_dir();
    if !existed {
        if dir.exists() {
            return Err(Error::io(
                "creating",
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "it exists and is not a directory",
                ),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    }
    let result = write_files(dir, files);
    if result.is_err() && !existed {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

/// A temporary file in `dir` that becomes `dir/name` when persisted: the one way files reach the
/// disk (here, and for the batch command's combined files, which grow as candidates finish).
pub(crate) fn staging_file(dir: &Path, name: &str) -> Result<tempfile::NamedTempFile, Error> {
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        // Packs are documents to share and print, not secrets: rw-r--r--, not tempfile's 0600.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(|e| Error::io("writing", dir.join(name), e))
}

fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, Error> {
    // Stage every file first; rename only when all are staged, so a failure leaves no partial set.
    let mut staged = Vec::new();
    for (name, bytes) in files {
        let mut tmp = staging_file(dir, name)?;
        tmp.write_all(bytes)
            .map_err(|e| Error::io("writing", dir.join(name), e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io("writing", dir.join(name), e))?;
        staged.push((tmp, dir.join(name)));
    }
    let mut written = Vec::new();
    for (tmp, path) in staged {
        tmp.persist(&path)
            .map_err(|e| Error::io("writing", &path, e.error))?;
        written.push(path);
    }
    Ok(written)
}
