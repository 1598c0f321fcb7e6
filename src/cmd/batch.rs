//! `groundwork batch`: one variant of a spec per candidate, rendered in parallel.
//!
//! **Comparable by default.** Every candidate gets the same families in the same order, each
//! with the same ask (the topic sections and the asks are drawn once, from the spec's seed); only the numbers differ, from a seed
//! derived from (pack seed, candidate id). `vary = "families"` (or `--vary families`) lets each
//! candidate's topic sections draw their own families instead.
//!
//! **Layout.** Papers and keys never share a folder, so a proctor can be handed `papers/`:
//! - `papers/<slug>.pdf`, `.html`, `.selfcheck.html`: the candidates' files (no answers);
//! - `keys/<slug>.pdf`, `.html`, `.json`, `.md`, `.marking.pdf`, `.marking.html`: the
//!   interviewer's;
//! - at the top: `manifest.csv` (candidate, slug, name, pack code, files, SHA-256 digests),
//!   `answers.txt` (the combined compact key), `papers.pdf`, `keys.pdf` and `marking.pdf` (every
//!   candidate's document bound into one file to print, each starting on an odd page), and with
//!   `--format moodle` or `gift` one combined `moodle.xml` / `pack.gift`.
//!
//! The slug is the candidate id made safe as a file name ([`crate::candidates`]).
//!
//! **Memory.** Candidates are processed in chunks: a chunk is generated and rendered in parallel
//! (rayon), then its files are written (each atomically) and its rows appended, in candidate
//! order, to the combined outputs.
//!
//! **Binding.** The bound PDFs are made last, from the candidates' PDFs as they are on disk
//! (written by this run, or kept from an earlier one): each candidate's file is read, parsed and
//! its pages' objects copied, renumbered, straight into the bound file ([`crate::export::bind`]),
//! one candidate at a time, so memory does not grow with the batch and nothing is typeset or
//! laid out twice. The bound files leave out the candidates' structure trees (they are for
//! printing); each candidate's own PDF keeps its tags.
//!
//! **Durability.** A candidate's files are renamed into place without an fsync each; the chunk is
//! flushed with one syncfs(2) before its rows reach the combined files (an fsync per file cost
//! about a second of waiting per 100 candidates). A crash can leave a renamed file whose data
//! never reached the disk: the rerun's SHA-256 check finds it and makes that candidate again.
//!
//! **Reruns.** A candidate is skipped when the digest of its inputs (groundwork's version, the
//! spec's bytes, the seed, the formats, the templates, the seal's fingerprint, `vary` and the
//! candidate) matches its entry in `.groundwork-cache/` and every file it wrote is there with its
//! recorded SHA-256. The entry holds what the combined files need (pack code, answers, LMS
//! fragments), so a rerun of 2,000 finished candidates reads and hashes their files and nothing
//! more (BENCHMARKS.md). The bound PDFs are rebuilt only when a candidate changed or one of them
//! is missing or altered (the cache entry `bound.json` records what went into them and their
//! digests); rebuilding them reads the candidates' PDFs and rewrites none of them.
//!
//! Every folder the batch writes has a stamp ([`crate::export::STAMP`]) listing the files
//! groundwork wrote there: a rerun removes the ones the manifest no longer lists (a candidate
//! dropped from the file, a format no longer asked for) and the temporary files of an interrupted
//! run; nothing groundwork did not write is touched.

use super::Output;
use crate::candidates::{self, Candidate};
use crate::cli::BatchArgs;
use crate::error::Error;
use crate::export::{self, Exporter, Templates, View};
use crate::pack::{self, Pack};
use crate::spec::{Spec, Vary};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// How many candidates are generated and rendered before their files are written.
const CHUNK: usize = 32;

/// The candidates' folder.
pub const PAPERS: &str = "papers";
/// The interviewer's folder.
pub const KEYS: &str = "keys";

/// Parses a candidates file: see [`crate::candidates`].
pub fn parse_candidates(src: &str, origin: &str) -> Result<Vec<Candidate>, Error> {
    candidates::parse(src, origin)
}

/// The seed of candidate `id`'s variant of a spec seeded `pack_seed`: 40 bits from BLAKE3.
pub fn candidate_seed(pack_seed: u64, id: &str) -> u64 {
    let mut h = blake3::Hasher::new_derive_key("groundwork 2026-11 batch candidate seed");
    h.update(&pack_seed.to_le_bytes());
    h.update(&(id.len() as u64).to_le_bytes());
    h.update(id.as_bytes());
    let b = h.finalize();
    let mut x = [0u8; 8];
    x.copy_from_slice(&b.as_bytes()[..8]);
    u64::from_le_bytes(x) & crate::seed::MAX_QUESTION_SEED
}

/// Where an exporter's file goes in a batch: the folder (papers for what the candidate sees,
/// keys for everything else) and the file name after the slug: `paper.pdf` → `papers/<slug>.pdf`,
/// `marking.pdf` → `keys/<slug>.marking.pdf`, `pack.json` → `keys/<slug>.json`.
pub fn placement(file: &str, view: View) -> (&'static str, String) {
    let folder = match view {
        View::Paper | View::SelfCheck => PAPERS,
        _ => KEYS,
    };
    let suffix = match file.split_once('.') {
        Some(("paper" | "key" | "pack", ext)) => format!(".{ext}"),
        _ => format!(".{file}"),
    };
    (folder, suffix)
}

/// Every suffix [`placement`] gives, for recognising the batch's own files in its folders.
fn suffixes() -> Vec<String> {
    let mut out: Vec<String> = export::EXPORTERS
        .iter()
        .flat_map(|e| e.files().iter().map(|(n, v)| placement(n, *v).1))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// True for a name the batch writes in `papers/` or `keys/`: a slug and a known suffix.
fn own_candidate_file(name: &str) -> bool {
    suffixes().iter().any(|suf| {
        name.strip_suffix(suf.as_str())
            .is_some_and(|slug| !slug.is_empty() && candidates::slug(slug) == slug)
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything one candidate contributes to the combined outputs; also what the rerun cache keeps
/// of it, so that a finished candidate is skipped without regenerating its pack.
#[derive(serde::Serialize, serde::Deserialize)]
struct Done {
    /// The digest of the inputs that made it ([`inputs_digest`]).
    inputs: String,
    /// The pack code.
    code: String,
    /// Each file it wrote (`papers/<slug>.pdf`, …) with its SHA-256.
    digests: Vec<(String, String)>,
    /// The candidate's block of `answers.txt`.
    answers: String,
    /// The candidate's part of `moodle.xml` and `pack.gift`, when asked for.
    moodle: Option<String>,
    gift: Option<String>,
    /// True when the candidate was finished and skipped.
    #[serde(skip)]
    skipped: bool,
}

impl Done {
    /// The candidate's row of `manifest.csv`.
    fn row(&self, c: &Candidate) -> String {
        let join = |f: &dyn Fn(&(String, String)) -> String| {
            self.digests.iter().map(f).collect::<Vec<_>>().join(" ")
        };
        format!(
            "{},{},{},{},{},{}\n",
            csv_field(&c.id),
            csv_field(&c.slug),
            csv_field(&c.name),
            self.code,
            csv_field(&join(&|(n, _)| n.clone())),
            csv_field(&join(&|(_, d)| d.clone()))
        )
    }
}

/// The hidden folder, beside `papers/` and `keys/`, where each finished candidate's [`Done`] is
/// kept as `<slug>.json`. It holds answers, like `answers.txt` beside it: the batch's top folder
/// is the interviewer's.
const CACHE_DIR: &str = ".groundwork-cache";
/// The cache entry of the bound PDFs: the digest of everything that went into them, and theirs.
const BOUND_ENTRY: &str = "bound.json";

/// The digest of everything that decides a candidate's files: groundwork's version, the spec's
/// bytes, the seed, the formats, the templates, the seal, `vary` (see `run`) and the candidate.
fn inputs_digest(stamp_base: &str, c: &Candidate) -> String {
    hex(&Sha256::digest(
        format!(
            "{stamp_base}\ncandidate {}\nslug {}\nname {}\n",
            c.id, c.slug, c.name
        )
        .as_bytes(),
    ))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn file_digest(path: &Path) -> Option<String> {
    // A regular file only: never read a device or a pipe someone put in its place.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    // Streamed: a bound PDF grows with the batch, the memory to check it does not.
    let mut hash = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path).ok()?, &mut hash).ok()?;
    Some(hex(&hash.finalize()))
}

/// The candidate's [`Done`] from the cache, if the candidate is finished with these inputs: the
/// cache entry names them, and every file is there with its digest.
fn finished(c: &Candidate, out: &Path, inputs: &str, names: &[String]) -> Option<Done> {
    let entry = out.join(CACHE_DIR).join(format!("{}.json", c.slug));
    let text = crate::input::read_text(&entry, "the cache entry").ok()?;
    let done: Done = serde_json::from_str(&text).ok()?;
    let listed: Vec<&String> = done.digests.iter().map(|(n, _)| n).collect();
    if done.inputs != inputs || listed != names.iter().collect::<Vec<_>>() {
        return None;
    }
    for (name, digest) in &done.digests {
        if file_digest(&out.join(name)).as_ref() != Some(digest) {
            return None;
        }
    }
    Some(Done {
        skipped: true,
        ..done
    })
}

/// One candidate's files: (path under the batch folder, exporter, view).
fn candidate_files(
    c: &Candidate,
    individual: &[&'static dyn Exporter],
) -> Vec<(String, &'static dyn Exporter, View)> {
    individual
        .iter()
        .flat_map(|e| {
            e.files().iter().map(move |(n, v)| {
                let (folder, suffix) = placement(n, *v);
                (format!("{folder}/{}{suffix}", c.slug), *e, *v)
            })
        })
        .collect()
}

/// What every candidate of the run shares.
struct Job<'a> {
    spec: &'a Spec,
    base_title: &'a str,
    exporters: &'a [&'static dyn Exporter],
    templates: &'a Templates,
    seal: Option<&'a crate::seal::Seal>,
    out: &'a Path,
    stamp_base: &'a str,
}

fn one(c: &Candidate, job: &Job) -> Result<Done, Error> {
    let inputs = inputs_digest(job.stamp_base, c);
    let individual: Vec<&'static dyn Exporter> = job
        .exporters
        .iter()
        .copied()
        .filter(|e| !is_lms(e.id()))
        .collect();
    let files = candidate_files(c, &individual);
    let names: Vec<String> = files.iter().map(|(n, _, _)| n.clone()).collect();
    // A rerun decides from the cache entry and the files, without regenerating the pack.
    if let Some(done) = finished(c, job.out, &inputs, &names) {
        return Ok(done);
    }
    let mut spec = job.spec.clone();
    spec.seed = candidate_seed(spec.seed, &c.id);
    spec.title = format!("{} · {}", job.base_title, c.display_name());
    let mut pack: Pack = pack::build(&spec, job.seal)?;
    pack.meta.candidate = c.display_name().to_string();
    let mut rendered: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, e, view) in &files {
        rendered.push((name.clone(), e.render(&pack, *view, job.templates)?));
    }
    let digests = rendered
        .iter()
        .map(|(n, bytes)| (n.clone(), hex(&Sha256::digest(bytes))))
        .collect();
    let wants = |id: &str| job.exporters.iter().any(|e| e.id() == id);
    let done = Done {
        inputs,
        code: pack.meta.code.clone(),
        digests,
        answers: format!(
            "# {} · pack {}\n{}\n",
            crate::text::echo(&c.id),
            pack.meta.code,
            super::check::answers_file(&pack).trim_end()
        ),
        moodle: if wants("moodle") {
            Some(export::moodle::render_fragment(&pack, job.templates)?)
        } else {
            None
        },
        gift: if wants("gift") {
            Some(export::gift::render_fragment(&pack, job.templates)?)
        } else {
            None
        },
        skipped: false,
    };
    // Each folder's files atomically (temp + rename); the cache entry, written after the files,
    // is what lets a rerun skip the candidate.
    for folder in [PAPERS, KEYS] {
        let mine: Vec<(String, Vec<u8>)> = rendered
            .iter()
            .filter_map(|(n, b)| {
                n.strip_prefix(folder)
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|r| (r.to_string(), b.clone()))
            })
            .collect();
        if !mine.is_empty() {
            export::write_files_unsynced(&job.out.join(folder), &mine)?;
        }
    }
    let entry = serde_json::to_vec(&done).map_err(|e| Error::Render {
        what: "the batch cache".into(),
        message: e.to_string(),
    })?;
    export::write_files_unsynced(
        &job.out.join(CACHE_DIR),
        &[(format!("{}.json", c.slug), entry)],
    )?;
    Ok(done)
}

fn is_lms(id: &str) -> bool {
    matches!(id, "moodle" | "gift")
}

/// A combined output file, written to a temporary name and renamed into place at the end.
struct Combined {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Combined {
    fn new(dir: &Path, name: &str, head: &str) -> Result<Combined, Error> {
        let path = dir.join(name);
        let mut tmp = export::staging_file(dir, name)?;
        tmp.write_all(head.as_bytes())
            .map_err(|e| Error::io("writing", &path, e))?;
        Ok(Combined { tmp, path })
    }
    fn push(&mut self, s: &str) -> Result<(), Error> {
        self.tmp
            .write_all(s.as_bytes())
            .map_err(|e| Error::io("writing", &self.path, e))
    }
    fn finish(mut self, tail: &str) -> Result<PathBuf, Error> {
        self.push(tail)?;
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| Error::io("writing", &self.path, e))?;
        self.tmp
            .persist(&self.path)
            .map_err(|e| Error::io("writing", &self.path, e.error))?;
        Ok(self.path)
    }
}

/// The names of the bound PDFs, with the PDF exporter's file and view each binds.
#[cfg(feature = "pdf")]
const BOUND: [(&str, &str, View); 3] = [
    ("papers.pdf", "paper.pdf", View::Paper),
    ("keys.pdf", "key.pdf", View::Key),
    ("marking.pdf", "marking.pdf", View::Marking),
];

/// Binds every candidate's PDF `file` of `view` (`papers/<slug>.pdf`, … as [`placement`] puts
/// it, in candidate order, read one at a time) into `out/name`, staged and renamed into place at
/// the end. Returns its path.
#[cfg(feature = "pdf")]
fn bind_one(
    out: &Path,
    (name, file, view): (&str, &str, View),
    candidates: &[Candidate],
    title: &str,
    ident: &str,
) -> Result<PathBuf, Error> {
    let path = out.join(name);
    let (folder, suffix) = placement(file, view);
    let tmp = export::staging_file(out, name)?;
    let mut binder = export::bind::Binder::new(std::io::BufWriter::new(tmp), &path)?;
    for c in candidates {
        let source = out.join(folder).join(format!("{}{suffix}", c.slug));
        let pdf = std::fs::read(&source).map_err(|e| Error::io("reading", &source, e))?;
        binder.add(&pdf, &source)?;
    }
    let tmp = binder
        .finish(title, ident)?
        .into_inner()
        .map_err(|e| Error::io("writing", &path, e.into_error()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("writing", &path, e))?;
    tmp.persist(&path)
        .map_err(|e| Error::io("writing", &path, e.error))?;
    Ok(path)
}

/// True when the bound PDFs in `out` are the ones `digest` describes, intact.
#[cfg(feature = "pdf")]
fn bound_is_current(out: &Path, digest: &str) -> bool {
    let Ok(text) =
        crate::input::read_text(&out.join(CACHE_DIR).join(BOUND_ENTRY), "the cache entry")
    else {
        return false;
    };
    let Ok((inputs, files)) = serde_json::from_str::<(String, Vec<(String, String)>)>(&text) else {
        return false;
    };
    inputs == digest
        && files.len() == BOUND.len()
        && files
            .iter()
            .all(|(n, d)| file_digest(&out.join(n)).as_ref() == Some(d))
}

/// Runs `batch`.
pub fn run(a: BatchArgs) -> Result<Output, Error> {
    let exporters = export::parse_formats(&a.format)?;
    let origin = a.candidates.display().to_string();
    let src = crate::input::read_text(&a.candidates, "the candidates file")?;
    let candidates = parse_candidates(&src, &origin)?;
    let spec_text = match &a.spec {
        Some(p) => crate::input::read_text(p, "the spec")?,
        None => crate::spec::DEFAULT_SPEC.to_string(),
    };
    let mut spec = match &a.spec {
        Some(p) => Spec::parse(&spec_text, &p.display().to_string())?,
        None => Spec::default_spec(),
    };
    if let Some(seed) = a.seed {
        spec.seed = seed;
    }
    if let Some(v) = &a.vary {
        spec.vary = crate::spec::parse_vary(v).map_err(|(message, hint)| Error::Usage {
            message: message.replacen("vary =", "--vary", 1),
            hint,
        })?;
    }
    // Same families for everyone: the topic sections are drawn from the spec's family seed, not
    // from each candidate's seed.
    if spec.vary == Vary::Numbers {
        spec.family_seed = Some(spec.family_seed());
    }
    let seal = a.seal.seal()?;
    let templates = Templates::load(a.templates.as_deref())?;
    let stamp_base = format!(
        "{} {}\nspec {}\nseed {}\nvary {:?}\nformats {}\ntemplates {}\nseal {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        hex(&Sha256::digest(spec_text.as_bytes())),
        spec.seed,
        spec.vary,
        exporters
            .iter()
            .map(|e| e.id())
            .collect::<Vec<_>>()
            .join(","),
        templates.fingerprint(),
        seal.as_ref().map_or("none".into(), |s| s.fingerprint())
    );
    let out = &a.out;
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage {
            message: format!("{} exists and is not a directory", out.display()),
            hint: "choose another --out".into(),
        });
    }
    let wants = |id: &str| exporters.iter().any(|e| e.id() == id);
    let individual: Vec<&'static dyn Exporter> = exporters
        .iter()
        .copied()
        .filter(|e| !is_lms(e.id()))
        .collect();
    // Every file of every candidate, by folder: the folders' stamps list them from the start.
    let mut per_folder: [(&str, Vec<String>); 2] = [(PAPERS, Vec::new()), (KEYS, Vec::new())];
    for c in &candidates {
        for (name, _, _) in candidate_files(c, &individual) {
            for (folder, list) in per_folder.iter_mut() {
                if let Some(rest) = name.strip_prefix(*folder).and_then(|r| r.strip_prefix('/')) {
                    list.push(rest.to_string());
                }
            }
        }
    }
    #[cfg(feature = "pdf")]
    let bound_digest = hex(&Sha256::digest(
        candidates
            .iter()
            .fold(stamp_base.clone(), |acc, c| {
                acc + &format!("\n{}", inputs_digest(&stamp_base, c))
            })
            .as_bytes(),
    ));
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating", out, e))?;
    #[cfg(feature = "pdf")]
    let bind = wants("pdf") && !bound_is_current(out, &bound_digest);
    let cache = out.join(CACHE_DIR);
    std::fs::create_dir_all(&cache).map_err(|e| Error::io("creating", &cache, e))?;
    // The cache is groundwork's alone: any temporary file in it is a leftover.
    export::remove_stale_temps(&cache, &|_| true)?;
    let combined: Vec<String> = export::BATCH_FILES
        .iter()
        .filter(|n| match **n {
            "moodle.xml" => wants("moodle"),
            "pack.gift" => wants("gift"),
            "papers.pdf" | "keys.pdf" | "marking.pdf" => wants("pdf"),
            _ => true,
        })
        .map(|n| n.to_string())
        .collect();
    let top = export::Folder::begin(
        out,
        export::Stamp {
            files: combined,
            ..Default::default()
        },
    )?;
    let mut folders = Vec::new();
    for (folder, files) in &per_folder {
        let dir = out.join(folder);
        if files.is_empty() && !dir.exists() {
            continue;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
        folders.push(export::Folder::begin_owned(
            &dir,
            export::Stamp {
                files: files.clone(),
                ..Default::default()
            },
            &|n: &str| n == export::STAMP || own_candidate_file(n),
        )?);
    }
    let base_title = spec.title.clone();
    let mut manifest = Combined::new(
        out,
        "manifest.csv",
        "candidate,slug,name,pack_code,files,sha256\n",
    )?;
    let noun = if candidates.len() == 1 {
        "candidate"
    } else {
        "candidates"
    };
    let mut answers = Combined::new(
        out,
        "answers.txt",
        &format!(
            "# {base_title}: reference answers for {} {noun} (groundwork answers format)\n\n",
            candidates.len()
        ),
    )?;
    let mut moodle = if wants("moodle") {
        Some(Combined::new(
            out,
            "moodle.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n",
        )?)
    } else {
        None
    };
    let mut gift = if wants("gift") {
        Some(Combined::new(
            out,
            "pack.gift",
            "// groundwork questions in GIFT format: import into a Moodle question bank.\n\n",
        )?)
    } else {
        None
    };
    let bar = if a.quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(candidates.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bar:30} {pos}/{len} candidates  {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    };
    let job = Job {
        spec: &spec,
        base_title: &base_title,
        exporters: &exporters,
        templates: &templates,
        seal: seal.as_ref(),
        out,
        stamp_base: &stamp_base,
    };
    let (mut made, mut skipped) = (0usize, 0usize);
    for chunk in candidates.chunks(CHUNK) {
        let done: Vec<Result<Done, Error>> = chunk
            .par_iter()
            .map(|c| {
                let r = one(c, &job);
                bar.inc(1);
                r
            })
            .collect();
        // The chunk's files were written without an fsync each: one flush for all of them (none
        // when every candidate was finished and skipped).
        if done.iter().any(|d| d.as_ref().is_ok_and(|d| !d.skipped)) {
            export::sync_filesystem(out)?;
        }
        for (c, d) in chunk.iter().zip(done) {
            let d = d?;
            manifest.push(&d.row(c))?;
            answers.push(&d.answers)?;
            answers.push("\n\n")?;
            if let (Some(m), Some(x)) = (moodle.as_mut(), &d.moodle) {
                m.push(x)?;
            }
            if let (Some(g), Some(x)) = (gift.as_mut(), &d.gift) {
                g.push(x)?;
            }
            if d.skipped {
                skipped += 1;
            } else {
                made += 1;
            }
        }
    }
    bar.finish_and_clear();
    let mut written = vec![manifest.finish("")?, answers.finish("")?];
    if let Some(m) = moodle {
        written.push(m.finish("</quiz>\n")?);
    }
    if let Some(g) = gift {
        written.push(g.finish("")?);
    }
    #[cfg(feature = "pdf")]
    if bind {
        let mut entry = Vec::new();
        for bound in BOUND {
            let name = bound.0;
            let what = name.trim_end_matches(".pdf");
            let path = bind_one(
                out,
                bound,
                &candidates,
                &format!("{base_title}: {what}"),
                &format!("groundwork batch {bound_digest} {what}"),
            )?;
            let digest = file_digest(&path).ok_or_else(|| {
                Error::io(
                    "reading",
                    &path,
                    std::io::Error::new(std::io::ErrorKind::NotFound, "it is gone"),
                )
            })?;
            entry.push((name.to_string(), digest));
            written.push(path);
        }
        let text = serde_json::to_vec(&(&bound_digest, &entry)).map_err(|e| Error::Render {
            what: "the batch cache".into(),
            message: e.to_string(),
        })?;
        export::write_one(&cache, BOUND_ENTRY, &text)?;
    } else if wants("pdf") {
        written.extend(BOUND.iter().map(|(n, _, _)| out.join(n)));
    }
    let mut removed: Vec<PathBuf> = Vec::new();
    for f in folders {
        removed.extend(f.finish()?);
    }
    removed.extend(top.finish()?);
    // Cache entries of candidates no longer in the file.
    let keep: std::collections::BTreeSet<String> = candidates
        .iter()
        .map(|c| format!("{}.json", c.slug))
        .chain([BOUND_ENTRY.to_string()])
        .collect();
    if let Ok(entries) = std::fs::read_dir(&cache) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with(".json") && !keep.contains(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let summary = format!(
        "{base_title}: {} {noun} into {} ({made} written, {skipped} unchanged and skipped)\n",
        candidates.len(),
        out.display()
    );
    if a.quiet {
        return Ok(Output::ok(summary));
    }
    let mut msg = summary;
    for folder in [PAPERS, KEYS] {
        if per_folder
            .iter()
            .any(|(f, l)| *f == folder && !l.is_empty())
        {
            msg.push_str(&format!(
                "  wrote {}/ ({})\n",
                out.join(folder).display(),
                if folder == PAPERS {
                    "for the candidates: no answers"
                } else {
                    "for the interviewer"
                }
            ));
        }
    }
    for p in written {
        msg.push_str(&format!("  wrote {}\n", p.display()));
    }
    const SHOWN: usize = 10;
    for p in removed.iter().take(SHOWN) {
        msg.push_str(&format!(
            "  removed {} (an earlier run wrote it; this one did not)\n",
            p.display()
        ));
    }
    if removed.len() > SHOWN {
        msg.push_str(&format!(
            "  removed {} more files earlier runs wrote and this one did not\n",
            removed.len() - SHOWN
        ));
    }
    Ok(Output::ok(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers_and_keys_never_share_a_folder() {
        for e in export::EXPORTERS {
            for (file, view) in e.files() {
                let (folder, suffix) = placement(file, *view);
                let for_candidate = matches!(view, View::Paper | View::SelfCheck);
                assert_eq!(folder == PAPERS, for_candidate, "{file}");
                assert!(
                    own_candidate_file(&format!("ada-at-x.org{suffix}")),
                    "{suffix}"
                );
            }
        }
        assert_eq!(placement("paper.pdf", View::Paper), (PAPERS, ".pdf".into()));
        assert_eq!(
            placement("marking.pdf", View::Marking),
            (KEYS, ".marking.pdf".into())
        );
        assert_eq!(placement("pack.json", View::Key), (KEYS, ".json".into()));
        assert!(!own_candidate_file("notes.txt"));
        assert!(!own_candidate_file(".pdf"));
        assert!(!own_candidate_file("../x.pdf"));
    }

    #[cfg(feature = "pdf")]
    #[test]
    fn each_bound_pdf_binds_a_file_the_pdf_exporter_writes() {
        for (name, file, view) in BOUND {
            assert!(
                export::pdf::Pdf.files().contains(&(file, view)),
                "{name} binds {file}, which the PDF exporter does not write"
            );
        }
    }

    #[test]
    fn candidate_seeds_differ_and_are_stable() {
        let a = candidate_seed(2026, "alice");
        assert_eq!(a, candidate_seed(2026, "alice"));
        assert_ne!(a, candidate_seed(2026, "bob"));
        assert_ne!(a, candidate_seed(2027, "alice"));
        assert!(a <= crate::seed::MAX_QUESTION_SEED);
    }
}
