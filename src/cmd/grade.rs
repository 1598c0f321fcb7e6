//! `groundwork grade BATCH_DIR ANSWERS_DIR`: grade every candidate of a batch and write the
//! round's results (see [`crate::grade`] for what is computed, and `grade --help` for the rules).
//!
//! The order of work keeps bad input from writing anything: the manifest is read and every file
//! in the answers folder matched to a candidate first (an unknown id or two files for one
//! candidate stop the run with exit 2); then the packs are loaded and the answers graded, in
//! parallel; then every output is rendered in memory and only then written, atomically, by
//! [`crate::export::write_all`].

use super::Output;
use crate::answer::marks::Marks;
use crate::answer::sheet::AnswerSheet;
use crate::cli::GradeArgs;
use crate::error::Error;
use crate::grade::{Answers, Round, Sitting, Standing};
use crate::pack::Pack;
use crate::report::{self, Report};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One row of the batch's manifest.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    slug: String,
    name: String,
    pack_code: String,
    /// `keys/<slug>.json`, when the batch wrote it.
    pack_json: Option<String>,
}

/// A candidate's files in the answers folder.
#[derive(Debug, Default, Clone)]
struct Found {
    answers: Option<String>,
    marks: Option<String>,
}

/// The outputs asked for with `--format`.
struct Formats {
    csv: bool,
    json: bool,
    html: bool,
}

fn parse_formats(list: &str) -> Result<Formats, Error> {
    let mut f = Formats {
        csv: false,
        json: false,
        html: false,
    };
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match name {
            "csv" => f.csv = true,
            "json" => f.json = true,
            "html" => f.html = true,
            other => {
                return Err(Error::Usage {
                    message: format!("unknown format `{}`", crate::text::echo(other)),
                    hint: "grade writes csv (scores.csv, items.csv), json (results.json) and html (report.html)".into(),
                })
            }
        }
    }
    if !(f.csv || f.json || f.html) {
        return Err(Error::Usage {
            message: "no format given".into(),
            hint: "give --format csv,json,html or a part of it".into(),
        });
    }
    Ok(f)
}

fn read_manifest(batch: &Path) -> Result<Vec<Row>, Error> {
    let path = batch.join("manifest.csv");
    if !path.is_file() {
        return Err(Error::Usage {
            message: format!("{} has no manifest.csv", batch.display()),
            hint: "BATCH_DIR is the folder `groundwork batch --out DIR` wrote".into(),
        });
    }
    let text = crate::input::read_text(&path, "the manifest")?;
    let origin = path.display().to_string();
    let bad = |line: u64, message: String| Error::Spec {
        at: format!("{origin}:{line}"),
        message,
        hint:
            "manifest.csv is written by `groundwork batch`: rerun it rather than editing the file"
                .into(),
    };
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let head = r
        .headers()
        .map_err(|e| bad(1, format!("the header does not parse: {e}")))?
        .clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(1, format!("the header has no `{name}` column")))
    };
    let (ci, si, ni, pi, fi) = (
        col("candidate")?,
        col("slug")?,
        col("name")?,
        col("pack_code")?,
        col("files")?,
    );
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            bad(
                e.position().map_or(0, |p| p.line()),
                format!("the row does not parse: {e}"),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        let slug = get(si);
        if slug.is_empty() || crate::candidates::slug(&slug) != slug {
            return Err(bad(
                line,
                format!("`{}` is not a slug", crate::text::echo(&slug)),
            ));
        }
        let want = format!("keys/{slug}.json");
        let pack_json = get(fi).split(' ').any(|f| f == want).then_some(want);
        rows.push(Row {
            id: get(ci),
            slug,
            name: get(ni),
            pack_code: get(pi),
            pack_json,
        });
    }
    Ok(rows)
}

/// Matches every `.txt`, `.json` and `.marks` file in `dir` to a candidate, by id or slug.
fn find_answers(dir: &Path, rows: &[Row]) -> Result<Vec<Found>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))?;
    let mut names: Vec<String> = Vec::new();
    for e in entries {
        let e = e.map_err(|e| Error::io("reading", dir, e))?;
        if !e.path().is_file() {
            continue;
        }
        match e.file_name().into_string() {
            Ok(n) => names.push(n),
            Err(n) => {
                return Err(Error::Usage {
                    message: format!("{}: the file name is not UTF-8", dir.join(n).display()),
                    hint:
                        "name answers files <id>.txt or <id>.json after the manifest's ids or slugs"
                            .into(),
                })
            }
        }
    }
    names.sort();
    let mut found = vec![Found::default(); rows.len()];
    for name in names {
        if name.starts_with('.') {
            continue;
        }
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if !matches!(ext, "txt" | "json" | "marks") {
            continue;
        }
        let path = dir.join(&name);
        let Some(i) = rows
            .iter()
            .position(|r| r.id == stem)
            .or_else(|| rows.iter().position(|r| r.slug == stem))
        else {
            return Err(Error::Usage {
                message: format!(
                    "{}: no candidate `{}` in the batch's manifest",
                    path.display(),
                    crate::text::echo(stem)
                ),
                hint: format!(
                    "answers files are named <id>.txt, <id>.json or <id>.marks after an id (or slug) of manifest.csv; move the file out of {} or fix its name",
                    dir.display()
                ),
            });
        };
        let slot = if ext == "marks" {
            &mut found[i].marks
        } else {
            &mut found[i].answers
        };
        if let Some(prev) = slot {
            return Err(Error::Usage {
                message: format!(
                    "{} and {} are both for candidate `{}`",
                    dir.join(&*prev).display(),
                    path.display(),
                    crate::text::echo(&rows[i].id)
                ),
                hint: "keep one answers file (and one marks file) per candidate".into(),
            });
        }
        *slot = Some(name);
    }
    Ok(found)
}

fn load_pack(batch: &Path, row: &Row, seal: &crate::cli::OpenSealArgs) -> Result<Pack, Error> {
    let pack = match &row.pack_json {
        Some(rel) if batch.join(rel).is_file() => {
            let path = batch.join(rel);
            let pack = super::check::load_pack(&path.display().to_string(), seal)?;
            if pack.meta.code != row.pack_code {
                return Err(Error::Usage {
                    message: format!(
                        "{} is pack {}, and manifest.csv says {} has pack {}",
                        path.display(),
                        pack.meta.code,
                        crate::text::echo(&row.id),
                        row.pack_code
                    ),
                    hint: "the batch folder is inconsistent: rerun `groundwork batch`".into(),
                });
            }
            pack
        }
        _ => super::check::load_pack(&row.pack_code, seal)?,
    };
    Ok(pack)
}

/// Grades one candidate's files: the report, or why a file could not be read.
fn grade_one(pack: &Pack, dir: &Path, found: &Found) -> Result<Report, String> {
    let answers = found.answers.as_deref().unwrap_or_default();
    let path = dir.join(answers);
    let src = crate::input::read_text(&path, "the answers file").map_err(|e| e.to_string())?;
    let sheet = AnswerSheet::parse(&src, &path.display().to_string()).map_err(|e| e.to_string())?;
    let mut r = report::grade_pack(pack, &sheet).map_err(|e| e.to_string())?;
    if let Some(m) = &found.marks {
        let path = dir.join(m);
        let src = crate::input::read_text(&path, "the marks file").map_err(|e| e.to_string())?;
        let marks = Marks::parse(&src, &path.display().to_string()).map_err(|e| e.to_string())?;
        report::apply_marks(&mut r, &marks).map_err(|e| e.to_string())?;
    }
    Ok(r)
}

/// The round's title: the batch title from a pack written by the batch (`Title · name`), else
/// from the batch's `answers.txt`.
fn round_title(batch: &Path, graded: &[(usize, Pack)], rows: &[Row]) -> String {
    for (i, pack) in graded {
        let shown = if rows[*i].name.is_empty() {
            &rows[*i].id
        } else {
            &rows[*i].name
        };
        if let Some(t) = pack.meta.title.strip_suffix(&format!(" · {shown}")) {
            return t.to_string();
        }
    }
    // Packs regenerated from their codes have no title: the batch's answers.txt starts with it.
    crate::input::read_text(&batch.join("answers.txt"), "the batch's answers")
        .ok()
        .and_then(|t| {
            let first = t.lines().next()?.strip_prefix("# ")?;
            Some(first.split_once(": reference answers for ")?.0.to_string())
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("Round in {}", batch.display()))
}

/// Runs `grade`.
pub fn run(a: GradeArgs) -> Result<Output, Error> {
    let formats = parse_formats(&a.format)?;
    let rows = read_manifest(&a.batch)?;
    if !a.answers.is_dir() {
        return Err(Error::Usage {
            message: format!("{} is not a folder", a.answers.display()),
            hint: "ANSWERS_DIR is a folder of <id>.txt or <id>.json answers files".into(),
        });
    }
    let found = find_answers(&a.answers, &rows)?;
    let out: PathBuf = a.out.clone().unwrap_or_else(|| a.batch.join("results"));
    // Packs and grading, in parallel; a pack that cannot be loaded is bad input (exit 2).
    let graded: Vec<(usize, Pack, Result<Report, String>)> = found
        .par_iter()
        .enumerate()
        .filter(|(_, f)| f.answers.is_some() || f.marks.is_some())
        .map(|(i, f)| {
            let pack = load_pack(&a.batch, &rows[i], &a.seal)?;
            let r = if f.answers.is_none() {
                Err(format!(
                    "{}: a marks file without an answers file",
                    a.answers
                        .join(f.marks.as_deref().unwrap_or_default())
                        .display()
                ))
            } else {
                grade_one(&pack, &a.answers, f)
            };
            Ok((i, pack, r))
        })
        .collect::<Result<_, Error>>()?;
    let packs: Vec<(usize, Pack)> = graded.iter().map(|(i, p, _)| (*i, p.clone())).collect();
    let title = round_title(&a.batch, &packs, &rows);
    let mut by_index: BTreeMap<usize, (&Pack, Result<Report, String>)> = BTreeMap::new();
    for (i, p, r) in &graded {
        by_index.insert(*i, (p, r.clone()));
    }
    let sittings: Vec<Sitting> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let file = || {
                found[i]
                    .answers
                    .clone()
                    .or_else(|| found[i].marks.clone())
                    .unwrap_or_default()
            };
            Sitting {
                id: row.id.clone(),
                name: row.name.clone(),
                pack_code: row.pack_code.clone(),
                answers: match by_index.remove(&i) {
                    None => Answers::Missing,
                    Some((p, Ok(r))) => Answers::Graded(file(), p, r),
                    Some((_, Err(why))) => Answers::Unreadable(file(), why),
                },
            }
        })
        .collect();
    let round = Round::build(&title, sittings);
    let templates = crate::export::Templates::embedded();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if formats.csv {
        files.push(("scores.csv".into(), round.scores_csv()?));
        files.push(("items.csv".into(), round.items_csv()?));
    }
    if formats.json {
        files.push(("results.json".into(), round.json()?));
    }
    if formats.html {
        files.push(("report.html".into(), round.html(&templates)?));
    }
    let written = crate::export::write_all(&out, &files, "", None)?;
    // Problems go to stderr as they are found in the files; the outputs list them too.
    let mut unreadable = 0;
    for c in &round.candidates {
        if c.standing == Standing::Unreadable {
            unreadable += 1;
        }
        for p in &c.problems {
            eprintln!(
                "warning: {} ({}): {}",
                crate::text::visible_lines(&c.id),
                c.standing.word(),
                crate::text::visible_lines(p)
            );
        }
    }
    let count = |s: Standing| round.candidates.iter().filter(|c| c.standing == s).count();
    let mut msg = format!(
        "{title}: {} graded, {} missing, {unreadable} unreadable, of {} candidates\n",
        count(Standing::Graded),
        count(Standing::Missing),
        round.candidates.len()
    );
    for p in &written.paths {
        msg.push_str(&format!("  wrote {}\n", p.display()));
    }
    for p in &written.removed {
        msg.push_str(&format!(
            "  removed {} (an earlier run wrote it; this one did not)\n",
            p.display()
        ));
    }
    Ok(Output {
        stdout: crate::text::visible_lines(&msg).into_owned(),
        code: if unreadable > 0 { 1 } else { 0 },
    })
}
