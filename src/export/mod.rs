//! Exporters: pure functions from a pack and a view to bytes, and the one place that writes files.
//!
//! An [`Exporter`] names the files it produces and the [`View`] each is rendered from; `render` is
//! pure. [`write_all`] renders every file in memory first, then writes each to a temporary file in
//! the target directory and renames it into place, so an error or an interrupted run never leaves a
//! half-written file, and an error before writing leaves nothing at all. Every folder written gets
//! a [`STAMP`] listing what groundwork wrote there, so that the next run can remove its own leftovers
//! (files of formats no longer asked for, temporary files of an interrupted run) and nothing else.
//!
//! The candidate's paper is rendered from [`view::PaperView`], a type that holds no answers, so no
//! template mistake can leak the key onto the paper.

#[cfg(feature = "pdf")]
pub mod bind;
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

/// Renders every file of every exporter, in memory. The files are rendered in parallel (a pack's
/// paper, key and marking PDFs are laid out at once on two cores) and returned in exporter order;
/// should several fail, the error is the first in that order, whatever the thread count.
pub fn render_all(
    pack: &Pack,
    exporters: &[&dyn Exporter],
    templates: &Templates,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    use rayon::prelude::*;
    let jobs: Vec<(&dyn Exporter, &'static str, View)> = exporters
        .iter()
        .flat_map(|e| e.files().iter().map(move |(name, view)| (*e, *name, *view)))
        .collect();
    let rendered: Vec<Result<Vec<u8>, Error>> = jobs
        .par_iter()
        .map(|(e, _, view)| e.render(pack, *view, templates))
        .collect();
    jobs.iter()
        .zip(rendered)
        .map(|((_, name, _), bytes)| Ok((name.to_string(), bytes?)))
        .collect()
}

/// The stamp file groundwork leaves in every folder it writes: which pack, and which files it wrote
/// there. The next run in that folder removes the files an earlier run wrote that it does not write
/// itself (a `paper.pdf` from another seed must not sit beside this seed's key), and never touches
/// a file the stamp does not list.
pub const STAMP: &str = ".groundwork";

/// The combined files `groundwork batch` writes beside the candidate folders.
pub const BATCH_FILES: &[&str] = &[
    "manifest.csv",
    "answers.txt",
    "moodle.xml",
    "pack.gift",
    "papers.pdf",
    "keys.pdf",
    "marking.pdf",
];

/// The files `groundwork grade` writes into its results folder.
pub const GRADE_FILES: &[&str] = &["scores.csv", "items.csv", "results.json", "report.html"];

/// True for a file name groundwork writes: an exporter's file, a batch's combined file, a
/// grade's result or the stamp. Only such names are ever removed, whatever a stamp says.
pub fn own_name(name: &str) -> bool {
    name == STAMP
        || BATCH_FILES.contains(&name)
        || GRADE_FILES.contains(&name)
        || EXPORTERS
            .iter()
            .any(|e| e.files().iter().any(|(n, _)| *n == name))
}

/// True for a temporary file [`staging_file`] makes for `dir/name` with `own(name)`:
/// `.NAME.XXXXXX.tmp`, where XXXXXX are tempfile's six random letters and digits.
fn is_own_temp(file: &str, own: &dyn Fn(&str) -> bool) -> bool {
    let Some(inner) = file.strip_prefix('.').and_then(|f| f.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((name, random)) = inner.rsplit_once('.') else {
        return false;
    };
    random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric()) && own(name)
}

/// Removes the temporary files an interrupted run left in `dir` (names `own` accepts only).
pub(crate) fn remove_stale_temps(dir: &Path, own: &dyn Fn(&str) -> bool) -> Result<(), Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("reading", dir, e)),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_own_temp(name, own) && entry.file_type().is_ok_and(|t| t.is_file()) {
            remove(&entry.path())?;
        }
    }
    Ok(())
}

fn remove(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("removing", path, e)),
        _ => Ok(()),
    }
}

/// What a stamp records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stamp {
    /// The pack code of the pack written there ("" for a batch's top folder).
    pub pack: String,
    /// A digest of the inputs that made the files (batch candidates: skip the candidate when
    /// they have not changed).
    pub inputs: Option<String>,
    /// The files groundwork wrote there.
    pub files: Vec<String>,
}

impl Stamp {
    /// The stamp file's text.
    pub fn text(&self) -> String {
        let mut s = format!(
            "# {} {}: the files it wrote in this folder. The next run here removes those it does not write again.\n",
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION")
        );
        if !self.pack.is_empty() {
            s.push_str(&format!("pack {}\n", self.pack));
        }
        if let Some(i) = &self.inputs {
            s.push_str(&format!("inputs {i}\n"));
        }
        for f in &self.files {
            s.push_str(&format!("file {f}\n"));
        }
        s
    }

    /// Reads the stamp in `dir`; an absent or unreadable one is empty. Only plain names groundwork
    /// writes are kept, so a damaged or edited stamp cannot point anywhere else.
    pub fn read(dir: &Path) -> Stamp {
        Stamp::read_owned(dir, &own_name)
    }

    /// Reads the stamp in `dir`, keeping only the names `own` accepts.
    pub fn read_owned(dir: &Path, own: &dyn Fn(&str) -> bool) -> Stamp {
        let mut stamp = Stamp::default();
        let Ok(text) = crate::input::read_text(&dir.join(STAMP), "the stamp") else {
            return stamp;
        };
        for line in text.lines() {
            if let Some(f) = line.strip_prefix("file ") {
                if own(f) && f != STAMP && !stamp.files.iter().any(|x| x == f) {
                    stamp.files.push(f.to_string());
                }
            } else if let Some(p) = line.strip_prefix("pack ") {
                stamp.pack = p.to_string();
            } else if let Some(i) = line.strip_prefix("inputs ") {
                stamp.inputs = Some(i.to_string());
            }
        }
        stamp
    }
}

/// A folder being written: the old stamp, cleaned of stale temporary files and stamped so that
/// at every moment each file groundwork wrote there is listed (an interrupted run loses track of
/// nothing). [`Folder::finish`] then removes what this run no longer writes.
pub(crate) struct Folder {
    dir: PathBuf,
    now: Stamp,
    stale: Vec<String>,
}

impl Folder {
    /// Prepares `dir` (which exists) for writing the files `now.files`.
    pub(crate) fn begin(dir: &Path, now: Stamp) -> Result<Folder, Error> {
        Folder::begin_owned(dir, now, &own_name)
    }

    /// As [`Folder::begin`], for a folder whose own files are the names `own` accepts (a batch's
    /// `papers/` and `keys/`, named by candidate).
    pub(crate) fn begin_owned(
        dir: &Path,
        now: Stamp,
        own: &dyn Fn(&str) -> bool,
    ) -> Result<Folder, Error> {
        remove_stale_temps(dir, own)?;
        let old = Stamp::read_owned(dir, own);
        let stale: Vec<String> = old
            .files
            .iter()
            .filter(|f| !now.files.contains(f))
            .cloned()
            .collect();
        if !stale.is_empty() || now.files.iter().any(|f| !old.files.contains(f)) {
            // Until the run is over, the stamp lists both what this run writes and what it will
            // remove, and no inputs digest: an interrupted run loses track of no file, and leaves
            // no folder that looks finished.
            let both = Stamp {
                pack: now.pack.clone(),
                inputs: None,
                files: now.files.iter().chain(&stale).cloned().collect(),
            };
            write_one(dir, STAMP, both.text().as_bytes())?;
        }
        Ok(Folder {
            dir: dir.to_path_buf(),
            now,
            stale,
        })
    }

    /// Removes the files an earlier run wrote and this one did not, then writes the final stamp.
    /// Returns the paths removed.
    pub(crate) fn finish(self) -> Result<Vec<PathBuf>, Error> {
        let mut removed = Vec::new();
        for f in &self.stale {
            let path = self.dir.join(f);
            if path.is_file() {
                remove(&path)?;
                removed.push(path);
            }
        }
        write_one(&self.dir, STAMP, self.now.text().as_bytes())?;
        Ok(removed)
    }
}

/// What [`write_all`] did.
#[derive(Debug, Default)]
pub struct Written {
    /// The files written, in order.
    pub paths: Vec<PathBuf>,
    /// Files an earlier run had written in the folder that this run did not, now removed.
    pub removed: Vec<PathBuf>,
}

/// Writes `files` into `dir` atomically (temp file + rename each), creating `dir` if needed, with
/// a [`STAMP`] recording `pack` (and `inputs`); files an earlier run wrote there and this run does
/// not are removed (see [`Folder`]), and so are temporary files an interrupted run left.
///
/// If `dir` had to be created and a write fails, it is removed again, so a failed run leaves the
/// disk as it found it.
pub fn write_all(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    pack: &str,
    inputs: Option<&str>,
) -> Result<Written, Error> {
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
    let result = (|| {
        let stamp = Stamp {
            pack: pack.to_string(),
            inputs: inputs.map(str::to_string),
            files: files.iter().map(|(n, _)| n.clone()).collect(),
        };
        let folder = Folder::begin(dir, stamp)?;
        let paths = write_files(dir, files)?;
        let removed = folder.finish()?;
        Ok(Written { paths, removed })
    })();
    if result.is_err() && !existed {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

/// Writes one file atomically.
pub(crate) fn write_one(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
    let mut written = write_files(dir, &[(name.to_string(), bytes.to_vec())])?;
    Ok(written.remove(0))
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

pub(crate) fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, Error> {
    write_files_durably(dir, files, true)
}

/// [`write_files`] without the fsync of each file before its rename, for a batch: it writes
/// hundreds of files and flushes them with one [`sync_filesystem`] per chunk of candidates
/// instead (an fsync per file cost about a second of waiting per 100 candidates). The renames
/// stay atomic; what a crash can leave is a renamed file whose data never reached the disk, and a
/// rerun checks every file against its recorded SHA-256 before it skips a candidate.
pub(crate) fn write_files_unsynced(
    dir: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<PathBuf>, Error> {
    write_files_durably(dir, files, false)
}

/// Flushes the filesystem that holds `dir` (syncfs(2)): the one flush of a batch's chunk.
pub(crate) fn sync_filesystem(dir: &Path) -> Result<(), Error> {
    let f = std::fs::File::open(dir).map_err(|e| Error::io("opening", dir, e))?;
    rustix::fs::syncfs(&f).map_err(|e| Error::io("flushing", dir, e.into()))
}

fn write_files_durably(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    sync: bool,
) -> Result<Vec<PathBuf>, Error> {
    // Stage every file first; rename only when all are staged, so a failure leaves no partial set.
    let mut staged = Vec::new();
    for (name, bytes) in files {
        let mut tmp = staging_file(dir, name)?;
        tmp.write_all(bytes)
            .map_err(|e| Error::io("writing", dir.join(name), e))?;
        if sync {
            tmp.as_file()
                .sync_all()
                .map_err(|e| Error::io("writing", dir.join(name), e))?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_a_folder_is_written_its_stamp_lists_every_file_groundwork_put_there() {
        let d = tempfile::tempdir().unwrap();
        let stamp = |files: &[&str], inputs: Option<&str>| Stamp {
            pack: "P".into(),
            inputs: inputs.map(str::to_string),
            files: files.iter().map(|f| f.to_string()).collect(),
        };
        std::fs::write(d.path().join("paper.pdf"), "old").unwrap();
        std::fs::write(d.path().join("notes.txt"), "mine").unwrap();
        write_one(
            d.path(),
            STAMP,
            stamp(&["paper.pdf", "notes.txt", "../x"], Some("i"))
                .text()
                .as_bytes(),
        )
        .unwrap();
        let f = Folder::begin(d.path(), stamp(&["paper.html"], Some("j"))).unwrap();
        // Interrupted here: the stamp still knows paper.pdf, already knows paper.html, and does
        // not claim the inputs are done. Names groundwork does not write were dropped.
        assert_eq!(
            Stamp::read(d.path()),
            stamp(&["paper.html", "paper.pdf"], None)
        );
        std::fs::write(d.path().join("paper.html"), "new").unwrap();
        let removed = f.finish().unwrap();
        assert_eq!(removed, [d.path().join("paper.pdf")]);
        assert_eq!(Stamp::read(d.path()), stamp(&["paper.html"], Some("j")));
        assert!(d.path().join("notes.txt").is_file());
    }

    #[test]
    fn only_our_own_temporary_files_are_recognised() {
        for (name, ours) in [
            (".paper.html.a1B2c3.tmp", true),
            ("..groundwork.zzzzzz.tmp", true),
            (".manifest.csv.000000.tmp", true),
            (".paper.html.a1B2c.tmp", false),
            (".notes.txt.a1B2c3.tmp", false),
            ("paper.html.a1B2c3.tmp", false),
            (".paper.html.a1B2c3", false),
        ] {
            assert_eq!(is_own_temp(name, &own_name), ours, "{name}");
        }
    }
}
