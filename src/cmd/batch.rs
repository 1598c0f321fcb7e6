//! `groundwork batch`: one distinct variant of a spec per candidate, rendered in parallel.
//!
//! Each candidate's pack uses the spec with a seed derived from (pack seed, candidate id), so
//! no two candidates share question parameters, and rerunning with the same inputs reproduces
//! every byte. Candidates are processed in chunks: a chunk is generated and rendered in parallel
//! (rayon), then its files are written (each atomically) and its rows appended, in candidate
//! order, to the combined outputs, so memory stays flat however many candidates there are.
//!
//! Outputs in `--out`: `<id>/…` per candidate; `manifest.csv` (candidate, pack code, files,
//! SHA-256 digests); `answers.txt`, the combined compact key for the interviewer; and, with
//! `--format moodle` or `gift`, one combined `moodle.xml` / `pack.gift` holding every variant in
//! a category per family.
//!
//! Reruns: a candidate is skipped when the digest of its inputs (groundwork's version, the spec's
//! bytes, the seed, the formats, the templates, the seal's fingerprint and the id) matches both
//! the stamp in its folder and its entry in `.groundwork-cache/`, and every file it wrote is there
//! with its recorded SHA-256. The entry holds what the combined files need (pack code, answers,
//! LMS fragments), so the decision and the skip never regenerate the pack: a rerun of 2,000
//! finished candidates reads and hashes their files and nothing more (BENCHMARKS.md).
//!
//! Every folder the batch writes has a stamp ([`crate::export::STAMP`]): a candidate's folder
//! loses the files of formats an earlier run wrote and this one does not, the top folder loses a
//! `moodle.xml` or `pack.gift` no longer asked for, and temporary files of an interrupted run go;
//! nothing groundwork did not write is touched.

use super::Output;
use crate::cli::BatchArgs;
use crate::error::Error;
use crate::export::{self, Exporter, Templates};
use crate::pack::{self, Pack};
use crate::spec::Spec;
use crate::text::echo;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// How many candidates are generated and rendered before their files are written.
const CHUNK: usize = 32;

/// A candidate id from the candidates file, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The id: also the name of the candidate's directory.
    pub id: String,
    /// 1-based line in the candidates file.
    pub line: usize,
}

fn bad(origin: &str, line: usize, message: String, hint: &str) -> Error {
    Error::Spec {
        at: format!("{origin}:{line}"),
        message,
        hint: hint.into(),
    }
}

/// Parses a candidates file: a CSV with a header that has an `id` (or `candidate`) column, or
/// plain lines with one id each (`#` comments and blank lines skipped). Ids must be unique,
/// non-empty, at most 64 characters of `A-Z a-z 0-9 . _ -`, not start with `.` or `-`, and not be
/// the name of a file the batch writes beside the candidate folders (`manifest.csv`, …). The
/// batch's own hidden names (`.groundwork`, `.groundwork-cache`) cannot be ids: they start with `.`.
pub fn parse_candidates(src: &str, origin: &str) -> Result<Vec<Candidate>, Error> {
    let lines: Vec<(usize, &str)> = src
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let Some(&(first_line, first)) = lines.first() else {
        return Err(bad(
            origin,
            1,
            "no candidates in the file".into(),
            "list one candidate id per line, or a CSV with an `id` column",
        ));
    };
    let mut out: Vec<Candidate> = Vec::new();
    if first.contains(',') {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(src.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| {
                bad(
                    origin,
                    first_line,
                    format!("the CSV header does not parse: {e}"),
                    "the first line names the columns, e.g. `id,name,email`",
                )
            })?
            .clone();
        let col = headers
            .iter()
            .position(|h| {
                matches!(
                    h.trim().to_ascii_lowercase().as_str(),
                    "id" | "candidate" | "candidate_id"
                )
            })
            .ok_or_else(|| {
                bad(
                    origin,
                    first_line,
                    format!(
                        "no `id` column among: {}",
                        headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                    "name the column with the candidate ids `id` or `candidate`",
                )
            })?;
        for rec in reader.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                bad(
                    origin,
                    line,
                    format!("the CSV does not parse: {e}"),
                    "check the quoting on that line",
                )
            })?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            out.push(Candidate {
                id: rec.get(col).unwrap_or("").trim().to_string(),
                line,
            });
        }
    } else {
        out = lines
            .iter()
            .map(|(n, l)| Candidate {
                id: l.trim().to_string(),
                line: *n,
            })
            .collect();
    }
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for c in &out {
        if c.id.is_empty() {
            return Err(bad(
                origin,
                c.line,
                "empty candidate id".into(),
                "give every row an id",
            ));
        }
        if c.id.len() > 64 {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "candidate id `{}…` is longer than 64 characters",
                    echo(&c.id[..c.id.char_indices().nth(20).map_or(c.id.len(), |x| x.0)])
                ),
                "use a shorter id",
            ));
        }
        if let Some(ch) =
            c.id.chars()
                .find(|ch| !(ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-')))
        {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "candidate id `{}` has `{}`, which is unsafe in a file name",
                    echo(&c.id),
                    ch.escape_default()
                ),
                "ids may use letters, digits, `.`, `_` and `-`",
            ));
        }
        if c.id.starts_with('.') || c.id.starts_with('-') {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "candidate id `{}` starts with `{}`",
                    echo(&c.id),
                    &c.id[..1]
                ),
                "start ids with a letter or digit",
            ));
        }
        // The batch writes these beside the candidate folders: such a candidate would collide.
        if let Some(name) = crate::export::BATCH_FILES
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&c.id))
        {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "candidate id `{}` is reserved: the batch writes a file named {name} beside the candidate folders",
                    echo(&c.id)
                ),
                &format!(
                    "rename the candidate; the reserved names are {}",
                    crate::export::BATCH_FILES.join(", ")
                ),
            ));
        }
        // Case-insensitive: `Alice` and `alice` would share a directory on some filesystems.
        if let Some(prev) = seen.insert(c.id.to_ascii_lowercase(), c.line) {
            return Err(bad(
                origin,
                c.line,
                format!("candidate id `{}` repeats line {prev}", echo(&c.id)),
                "every candidate needs a distinct id (ids are compared ignoring case)",
            ));
        }
    }
    Ok(out)
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything one candidate contributes to the combined outputs; also what the rerun cache keeps
/// of it, so that a finished candidate is skipped without regenerating its pack.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Done {
    /// The digest of the inputs that made it ([`inputs_digest`]).
    inputs: String,
    /// The pack code.
    code: String,
    /// Each file in the candidate's folder with its SHA-256.
    digests: Vec<(String, String)>,
    /// The candidate's block of `answers.txt`.
    answers: String,
    /// The candidate's part of `moodle.xml` and `pack.gift`, when asked for.
    moodle: Option<String>,
    gift: Option<String>,
    /// Files an earlier run wrote in the candidate's folder that this run does not (removed).
    #[serde(skip)]
    removed: Vec<PathBuf>,
    /// True when the candidate was finished and skipped.
    #[serde(skip)]
    skipped: bool,
}

impl Done {
    /// The candidate's row of `manifest.csv`.
    fn row(&self, id: &str) -> String {
        let join = |f: &dyn Fn(&(String, String)) -> String| {
            self.digests.iter().map(f).collect::<Vec<_>>().join(" ")
        };
        format!(
            "{},{},{},{}\n",
            csv_field(id),
            self.code,
            csv_field(&join(&|(n, _)| format!("{id}/{n}"))),
            csv_field(&join(&|(_, d)| d.clone()))
        )
    }
}

/// The hidden folder, beside the candidate folders, where each finished candidate's [`Done`] is
/// kept as `<id>.json`. It holds answers, like `answers.txt` beside it: the batch's top folder is
/// the interviewer's; a candidate's own folder never holds the cache.
const CACHE_DIR: &str = ".groundwork-cache";

/// The digest of everything that decides a candidate's files: groundwork's version, the spec's
/// bytes, the seed, the formats, the templates, the seal (see `run`) and the id.
fn inputs_digest(stamp_base: &str, id: &str) -> String {
    hex(&Sha256::digest(
        format!("{stamp_base}\ncandidate {id}\n").as_bytes(),
    ))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The candidate's [`Done`] from the cache, if the candidate is finished with these inputs: the
/// cache entry and the folder's stamp both name them, and every file is there with its digest.
fn finished(c: &Candidate, out: &Path, inputs: &str, names: &[&str]) -> Option<Done> {
    let entry = out.join(CACHE_DIR).join(format!("{}.json", c.id));
    let text = crate::input::read_text(&entry, "the cache entry").ok()?;
    let done: Done = serde_json::from_str(&text).ok()?;
    let dir = out.join(&c.id);
    let stamp = export::Stamp::read(&dir);
    let listed: Vec<&str> = done.digests.iter().map(|(n, _)| n.as_str()).collect();
    if done.inputs != inputs || stamp.inputs.as_deref() != Some(inputs) || listed != names {
        return None;
    }
    for (name, digest) in &done.digests {
        let path = dir.join(name);
        // A regular file only: never read a device or a pipe someone put in its place.
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            return None;
        }
        if hex(&Sha256::digest(std::fs::read(&path).ok()?)) != *digest {
            return None;
        }
    }
    Some(Done {
        skipped: true,
        ..done
    })
}

#[allow(clippy::too_many_arguments)]
fn one(
    c: &Candidate,
    spec: &Spec,
    base_title: &str,
    exporters: &[&'static dyn Exporter],
    templates: &Templates,
    seal: Option<&crate::seal::Seal>,
    out: &Path,
    stamp_base: &str,
) -> Result<Done, Error> {
    let inputs = inputs_digest(stamp_base, &c.id);
    let individual: Vec<&dyn Exporter> = exporters
        .iter()
        .copied()
        .filter(|e| !is_lms(e.id()))
        .collect();
    let names: Vec<&str> = individual
        .iter()
        .flat_map(|e| e.files().iter().map(|(n, _)| *n))
        .collect();
    // A rerun decides from the stamp of the inputs, without regenerating the pack.
    if let Some(done) = finished(c, out, &inputs, &names) {
        return Ok(done);
    }
    let mut spec = spec.clone();
    spec.seed = candidate_seed(spec.seed, &c.id);
    spec.title = format!("{base_title} · {}", c.id);
    let pack: Pack = pack::build(&spec, seal)?;
    let files = export::render_all(&pack, &individual, templates)?;
    let digests = files
        .iter()
        .map(|(n, bytes)| (n.clone(), hex(&Sha256::digest(bytes))))
        .collect();
    let wants = |id: &str| exporters.iter().any(|e| e.id() == id);
    let mut done = Done {
        inputs,
        code: pack.meta.code.clone(),
        digests,
        answers: format!(
            "# {} · pack {}\n{}\n",
            c.id,
            pack.meta.code,
            super::check::answers_file(&pack).trim_end()
        ),
        moodle: if wants("moodle") {
            Some(export::moodle::render_fragment(&pack, templates)?)
        } else {
            None
        },
        gift: if wants("gift") {
            Some(export::gift::render_fragment(&pack, templates)?)
        } else {
            None
        },
        removed: Vec::new(),
        skipped: false,
    };
    // The folder's stamp records the inputs; the cache entry, written after the files, is what
    // lets a rerun skip the candidate.
    let written = export::write_all(
        &out.join(&c.id),
        &files,
        &pack.meta.code,
        Some(&done.inputs),
    )?;
    done.removed = written.removed;
    let entry = serde_json::to_vec(&done).map_err(|e| Error::Render {
        what: "the batch cache".into(),
        message: e.to_string(),
    })?;
    export::write_one(&out.join(CACHE_DIR), &format!("{}.json", c.id), &entry)?;
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
    let seal = a.seal.seal()?;
    let templates = Templates::load(a.templates.as_deref())?;
    let stamp_base = format!(
        "{} {}\nspec {}\nseed {}\nformats {}\ntemplates {}\nseal {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        hex(&Sha256::digest(spec_text.as_bytes())),
        spec.seed,
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
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating", out, e))?;
    let cache = out.join(CACHE_DIR);
    std::fs::create_dir_all(&cache).map_err(|e| Error::io("creating", &cache, e))?;
    // The cache is groundwork's alone: any temporary file in it is a leftover.
    export::remove_stale_temps(&cache, &|_| true)?;
    let wants = |id: &str| exporters.iter().any(|e| e.id() == id);
    let combined: Vec<String> = export::BATCH_FILES
        .iter()
        .filter(|n| match **n {
            "moodle.xml" => wants("moodle"),
            "pack.gift" => wants("gift"),
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
    let base_title = spec.title.clone();
    let mut manifest = Combined::new(out, "manifest.csv", "candidate,pack_code,files,sha256\n")?;
    let mut answers = Combined::new(
        out,
        "answers.txt",
        &format!(
            "# {base_title}: reference answers for {} candidates (groundwork answers format)\n\n",
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
    let (mut made, mut skipped) = (0usize, 0usize);
    let mut removed: Vec<PathBuf> = Vec::new();
    for chunk in candidates.chunks(CHUNK) {
        let done: Vec<Result<Done, Error>> = chunk
            .par_iter()
            .map(|c| {
                let r = one(
                    c,
                    &spec,
                    &base_title,
                    &exporters,
                    &templates,
                    seal.as_ref(),
                    out,
                    &stamp_base,
                );
                bar.inc(1);
                r
            })
            .collect();
        for (c, d) in chunk.iter().zip(done) {
            let d = d?;
            manifest.push(&d.row(&c.id))?;
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
            removed.extend(d.removed);
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
    removed.extend(top.finish()?);
    if a.quiet {
        return Ok(Output::ok(String::new()));
    }
    let mut msg = format!(
        "{base_title}: {} candidates into {} ({made} written, {skipped} unchanged and skipped)\n",
        candidates.len(),
        out.display()
    );
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
    fn plain_lines_and_csv() {
        let c = parse_candidates("# ids\nalice\n\nbob-2\n", "c.txt").unwrap();
        assert_eq!(
            c,
            [
                Candidate {
                    id: "alice".into(),
                    line: 2
                },
                Candidate {
                    id: "bob-2".into(),
                    line: 4
                }
            ]
        );
        let c =
            parse_candidates("name,ID,email\nAlice,a1,a@x\n\"Bob, Jr\",b2,b@x\n", "c.csv").unwrap();
        assert_eq!(
            c.iter()
                .map(|c| (c.id.as_str(), c.line))
                .collect::<Vec<_>>(),
            [("a1", 2), ("b2", 3)]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_candidates("alice\nbob\nAlice\n", "c.txt")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.txt:3:") && e.contains("repeats line 1"),
            "{e}"
        );
        let e = parse_candidates("id,name\na1,x\n,y\n", "c.csv")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.csv:3:") && e.contains("empty"), "{e}");
        let e = parse_candidates("alice\nbob/../etc\n", "c.txt")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.txt:2:") && e.contains("unsafe"), "{e}");
        let e = parse_candidates("alice\n.hidden\n", "c.txt")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.txt:2:"), "{e}");
        let e = parse_candidates("name,email\nx,y\n", "c.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `id` column"), "{e}");
        assert!(parse_candidates("\n# nothing\n", "c.txt").is_err());
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
