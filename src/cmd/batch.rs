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
//! a category per family. A candidate whose files are all present and whose stamp matches (same
//! spec, seed, formats, templates and version) is skipped on a rerun.

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
/// non-empty, at most 64 characters of `A-Z a-z 0-9 . _ -`, and not start with `.` or `-`.
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

/// Everything one candidate contributes to the combined outputs.
struct Done {
    row: String,
    answers: String,
    moodle: Option<String>,
    gift: Option<String>,
    skipped: bool,
}

const STAMP: &str = ".groundwork-batch";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
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
    let mut spec = spec.clone();
    spec.seed = candidate_seed(spec.seed, &c.id);
    spec.title = format!("{base_title} · {}", c.id);
    let pack: Pack = pack::build(&spec, seal)?;
    let dir = out.join(&c.id);
    let names: Vec<&str> = exporters
        .iter()
        .filter(|e| !is_lms(e.id()))
        .flat_map(|e| e.files().iter().map(|(n, _)| *n))
        .collect();
    let stamp = format!(
        "{stamp_base}\ncandidate {}\npack {}\n",
        c.id, pack.meta.code
    );
    let fresh = std::fs::read_to_string(dir.join(STAMP)).ok().as_deref() == Some(stamp.as_str())
        && names.iter().all(|n| dir.join(n).is_file());
    let mut digests = Vec::new();
    if fresh {
        for n in &names {
            let bytes =
                std::fs::read(dir.join(n)).map_err(|e| Error::io("reading", dir.join(n), e))?;
            digests.push((n.to_string(), hex(&Sha256::digest(&bytes))));
        }
    } else {
        let individual: Vec<&dyn Exporter> = exporters
            .iter()
            .copied()
            .filter(|e| !is_lms(e.id()))
            .collect();
        let mut files = export::render_all(&pack, &individual, templates)?;
        for (n, bytes) in &files {
            digests.push((n.clone(), hex(&Sha256::digest(bytes))));
        }
        // The stamp goes last in the same atomic set: present only if every file is.
        files.push((STAMP.to_string(), stamp.into_bytes()));
        export::write_all(&dir, &files)?;
    }
    let row = format!(
        "{},{},{},{}\n",
        csv_field(&c.id),
        pack.meta.code,
        csv_field(
            &digests
                .iter()
                .map(|(n, _)| format!("{}/{n}", c.id))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        csv_field(
            &digests
                .iter()
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )
    );
    let answers = format!(
        "# {} · pack {}\n{}\n",
        c.id,
        pack.meta.code,
        super::check::answers_file(&pack).trim_end()
    );
    let wants = |id: &str| exporters.iter().any(|e| e.id() == id);
    let moodle = if wants("moodle") {
        Some(export::moodle::render_fragment(&pack, templates)?)
    } else {
        None
    };
    let gift = if wants("gift") {
        Some(export::gift::render_fragment(&pack, templates)?)
    } else {
        None
    };
    Ok(Done {
        row,
        answers,
        moodle,
        gift,
        skipped: fresh,
    })
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
    let template_digest = templates.fingerprint();
    let stamp_base = format!(
        "{} {}\nspec {}\nseed {}\nformats {}\ntemplates {}\nsealed {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        hex(&Sha256::digest(spec_text.as_bytes())),
        spec.seed,
        exporters
            .iter()
            .map(|e| e.id())
            .collect::<Vec<_>>()
            .join(","),
        template_digest,
        seal.is_some()
    );
    let out = &a.out;
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage {
            message: format!("{} exists and is not a directory", out.display()),
            hint: "choose another --out".into(),
        });
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating", out, e))?;
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
    let wants = |id: &str| exporters.iter().any(|e| e.id() == id);
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
        for d in done {
            let d = d?;
            manifest.push(&d.row)?;
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
