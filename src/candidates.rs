//! The candidates file of `groundwork batch`, as people write it: one id per line, or a table
//! exported from a spreadsheet or an applicant-tracking system.
//!
//! - **Header.** The first line is a header when one of its cells names `id`, `candidate`,
//!   `candidate_id`, `email` or `name` (any case). A file of plain lines has no header.
//! - **Separators.** `,`, `;` or a tab, whichever the first line holds (in that order of
//!   preference for a tie); quoting follows CSV. A data line that splits into fewer cells than
//!   the header with the chosen separator but holds another separator is a mixed-separator error.
//! - **Which column is the id.** `id`, `candidate` or `candidate_id`; else `email`; else `name`.
//!   A `name` column, when there is one, is printed on the paper's name line.
//! - **Slugs.** Any id is accepted (an email, a name with spaces, accents): the file names use a
//!   slug derived from it ([`slug`]), kept in the manifest. Two ids with one slug are an error
//!   naming both lines. Seeds come from the id itself, so an id that already is a safe name keeps
//!   the variant it had before slugs existed.
//!
//! Every error names the file and line, and says how to fix it; nothing is written on an error.

use crate::error::Error;
use crate::text::echo;
use std::collections::HashMap;

/// The longest id (in characters) and the longest slug (in bytes).
pub const MAX_ID_CHARS: usize = 200;
/// The longest slug, in bytes: file names stay well under every filesystem's limit.
pub const MAX_SLUG: usize = 64;

/// One candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The id as written: it seeds the candidate's variant.
    pub id: String,
    /// The safe file-name form of the id: `papers/<slug>.pdf`.
    pub slug: String,
    /// The name for the paper's name line, from a `name` column ("" when there is none).
    pub name: String,
    /// 1-based line in the candidates file.
    pub line: usize,
}

impl Candidate {
    /// What the paper's name line shows: the name, else the id.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// The safe file-name form of an id: ASCII letters and digits, `.`, `_` and `-` kept; `@` becomes
/// `-at-`; every other run of characters (spaces, accents, slashes) one `-`; no leading or
/// trailing `.` or `-`; at most [`MAX_SLUG`] bytes. `Ada Lovelace` → `Ada-Lovelace`,
/// `ada@example.com` → `ada-at-example.com`, `../etc` → `etc`.
pub fn slug(id: &str) -> String {
    let mut out = String::new();
    for ch in id.trim().chars() {
        if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-') {
            out.push(ch);
        } else if ch == '@' {
            out.push_str("-at-");
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    // No `..` runs, so a slug can never step out of its folder, even read as a path.
    while out.contains("..") {
        out = out.replace("..", ".");
    }
    let trimmed = out.trim_matches(|c| c == '.' || c == '-');
    let mut s: String = trimmed.chars().take(MAX_SLUG).collect();
    while s.ends_with(['.', '-']) {
        s.pop();
    }
    s
}

fn bad(origin: &str, line: usize, message: String, hint: &str) -> Error {
    Error::Spec {
        at: format!("{origin}:{line}"),
        message,
        hint: hint.into(),
    }
}

const ID_HEADERS: &[&str] = &["id", "candidate", "candidate_id"];

fn header_kind(cell: &str) -> Option<&'static str> {
    let c = cell.trim().to_ascii_lowercase();
    let c = c.trim_matches('"');
    if ID_HEADERS.contains(&c) {
        Some("id")
    } else if c == "email" || c == "e-mail" {
        Some("email")
    } else if c == "name" || c == "full name" || c == "full_name" {
        Some("name")
    } else {
        None
    }
}

/// The separator the first line uses: the most frequent of `,`, `;` and tab outside quotes.
fn separator(first: &str) -> Option<u8> {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in first.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for c in counts.iter_mut() {
                if c.0 == b {
                    c.1 += 1;
                }
            }
        }
    }
    counts
        .iter()
        .filter(|c| c.1 > 0)
        .max_by_key(|c| (c.1, std::cmp::Reverse(c.0)))
        .map(|c| c.0)
}

fn sep_name(b: u8) -> &'static str {
    match b {
        b',' => "`,`",
        b';' => "`;`",
        _ => "a tab",
    }
}

/// Parses a candidates file (see the module docs); `origin` names it in errors.
pub fn parse(src: &str, origin: &str) -> Result<Vec<Candidate>, Error> {
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
            "list one candidate id per line, or a table with an `id`, `email` or `name` column",
        ));
    };
    let sep = separator(first);
    let split = |line: &str, sep: u8| -> Result<Vec<String>, String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(sep)
            .flexible(true)
            .from_reader(line.as_bytes());
        match r.records().next() {
            Some(Ok(rec)) => Ok(rec.iter().map(|f| f.trim().to_string()).collect()),
            Some(Err(e)) => Err(e.to_string()),
            None => Ok(vec![String::new()]),
        }
    };
    let first_cells = match sep {
        Some(s) => split(first, s).map_err(|e| {
            bad(
                origin,
                first_line,
                format!("the first line does not parse: {e}"),
                "check its quoting",
            )
        })?,
        None => vec![first.trim().to_string()],
    };
    let kinds: Vec<Option<&str>> = first_cells.iter().map(|c| header_kind(c)).collect();
    let is_header = kinds.iter().any(Option::is_some);
    let (id_col, name_col, data) = if is_header {
        let find = |k: &str| kinds.iter().position(|x| *x == Some(k));
        let id_col = find("id")
            .or_else(|| find("email"))
            .or_else(|| find("name"));
        let Some(id_col) = id_col else {
            unreachable!("a header names one of id, email or name")
        };
        (id_col, find("name"), &lines[1..])
    } else if sep.is_some() {
        return Err(bad(
            origin,
            first_line,
            format!(
                "the first line has several columns ({}) but no header naming the id column",
                first_cells
                    .iter()
                    .map(|c| format!("`{}`", echo(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "add a header line such as `id,name,email` (a column named id, candidate, email or name)",
        ));
    } else {
        (0, None, &lines[..])
    };
    let width = first_cells.len();
    let mut out = Vec::new();
    for &(line, text) in data {
        let cells = match sep {
            Some(s) => split(text, s).map_err(|e| {
                bad(
                    origin,
                    line,
                    format!("the line does not parse: {e}"),
                    "check its quoting",
                )
            })?,
            None => vec![text.trim().to_string()],
        };
        if let Some(s) = sep {
            if cells.len() < width {
                if let Some(other) = [b',', b';', b'\t']
                    .into_iter()
                    .find(|o| *o != s && text.as_bytes().contains(o))
                {
                    return Err(bad(
                        origin,
                        line,
                        format!(
                            "the line separates its cells with {} but the header uses {}",
                            sep_name(other),
                            sep_name(s)
                        ),
                        "use one separator throughout the file",
                    ));
                }
            }
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let id = cells.get(id_col).cloned().unwrap_or_default();
        let name = name_col
            .and_then(|c| cells.get(c).cloned())
            .unwrap_or_default();
        out.push(Candidate {
            slug: slug(&id),
            id,
            name,
            line,
        });
    }
    if out.is_empty() {
        return Err(bad(
            origin,
            first_line,
            "the file has a header but no candidates".into(),
            "add one line per candidate under the header",
        ));
    }
    let mut seen: HashMap<String, (usize, String)> = HashMap::new();
    for c in &out {
        if c.id.is_empty() {
            return Err(bad(
                origin,
                c.line,
                "empty candidate id".into(),
                "give every line an id",
            ));
        }
        if let Some(bad_char) =
            c.id.chars()
                .chain(c.name.chars())
                .find(|ch| ch.is_control())
        {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "candidate id `{}` holds the control character {}",
                    echo(&c.id),
                    echo(&bad_char.to_string())
                ),
                "ids and names are plain text: remove the control character",
            ));
        }
        if c.id.chars().count() > MAX_ID_CHARS || c.name.chars().count() > MAX_ID_CHARS {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "the id or name `{}…` is longer than {MAX_ID_CHARS} characters",
                    echo(&c.id.chars().take(20).collect::<String>())
                ),
                "use a shorter id",
            ));
        }
        if c.slug.is_empty() {
            return Err(bad(
                origin,
                c.line,
                format!(
                    "candidate id `{}` has no letter or digit to name its files by",
                    echo(&c.id)
                ),
                "give the candidate an id with letters or digits",
            ));
        }
        // Case-insensitive: `Alice` and `alice` would share a file on some filesystems.
        if let Some((prev, prev_id)) =
            seen.insert(c.slug.to_ascii_lowercase(), (c.line, c.id.clone()))
        {
            let message = if prev_id.eq_ignore_ascii_case(&c.id) {
                format!("candidate id `{}` repeats line {prev}", echo(&c.id))
            } else {
                format!(
                    "candidate `{}` and line {prev}'s `{}` both name their files `{}`",
                    echo(&c.id),
                    echo(&prev_id),
                    c.slug
                )
            };
            return Err(bad(
                origin,
                c.line,
                message,
                "every candidate needs a distinct id (file names are compared ignoring case)",
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(src: &str) -> Vec<(String, String, String, usize)> {
        parse(src, "c")
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.slug, c.name, c.line))
            .collect()
    }

    fn err(src: &str) -> String {
        parse(src, "c").unwrap_err().to_string()
    }

    #[test]
    fn plain_lines_with_comments() {
        assert_eq!(
            ids("# ids\nalice\n\nbob-2\n"),
            [
                ("alice".into(), "alice".into(), "".into(), 2),
                ("bob-2".into(), "bob-2".into(), "".into(), 4)
            ]
        );
    }

    #[test]
    fn a_one_column_file_headed_id_has_no_phantom_candidate() {
        assert_eq!(ids("id\nalice\nbob\n").len(), 2);
        assert_eq!(ids("Candidate\nalice\n")[0].0, "alice");
    }

    #[test]
    fn separators_are_detected() {
        for src in [
            "name;id;email\nAda;a1;a@x\nBob;b2;b@x\n",
            "name\tid\temail\nAda\ta1\ta@x\nBob\tb2\tb@x\n",
            "name,ID,email\nAda,a1,a@x\n\"Bob, Jr\",b2,b@x\n",
        ] {
            let got = ids(src);
            assert_eq!(got.len(), 2, "{src}");
            assert_eq!(
                (got[0].0.as_str(), got[0].2.as_str()),
                ("a1", "Ada"),
                "{src}"
            );
            assert_eq!(got[1].3, 3);
        }
    }

    #[test]
    fn emails_and_names_become_slugs_and_names_fill_the_name_line() {
        let c = parse("email,name\nada@example.com,Ada Lovelace\n", "c").unwrap();
        assert_eq!(c[0].id, "ada@example.com");
        assert_eq!(c[0].slug, "ada-at-example.com");
        assert_eq!(c[0].display_name(), "Ada Lovelace");
        let c = parse("name\nAda Lovelace\nGrace  Hopper\n", "c").unwrap();
        assert_eq!(
            (c[0].slug.as_str(), c[1].slug.as_str()),
            ("Ada-Lovelace", "Grace-Hopper")
        );
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("José Núñez"), "Jos-N-ez");
        assert_eq!(slug(".hidden"), "hidden");
        assert_eq!(slug("a..b"), "a.b");
    }

    #[test]
    fn errors_name_the_line() {
        let e = err("alice\nbob\nAlice\n");
        assert!(e.starts_with("c:3:") && e.contains("repeats line 1"), "{e}");
        let e = err("name\nAda Lovelace\nAda-Lovelace\n");
        assert!(
            e.starts_with("c:3:") && e.contains("line 2") && e.contains("Ada-Lovelace"),
            "{e}"
        );
        let e = err("id,name\na1,x\n,y\n");
        assert!(e.starts_with("c:3:") && e.contains("empty"), "{e}");
        let e = err("id;name\na1;x\nb2,y\n");
        assert!(
            e.starts_with("c:3:") && e.contains("header uses `;`"),
            "{e}"
        );
        let e = err("x,y\n1,2\n");
        assert!(e.starts_with("c:1:") && e.contains("no header"), "{e}");
        let e = err("alice\n!!!\n");
        assert!(e.starts_with("c:2:") && e.contains("no letter"), "{e}");
        assert!(parse("\n# nothing\n", "c").is_err());
        assert!(parse("id\n", "c").is_err());
    }

    #[test]
    fn any_input_parses_or_explains_and_slugs_are_safe() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let alphabet: Vec<char> = "ab1,;\t\"\n @./\\é#-_ \r".chars().collect();
        for _ in 0..3000 {
            let n = rng.random_range(0..40);
            let s: String = (0..n)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            if let Ok(cs) = parse(&s, "c") {
                for c in cs {
                    assert!(!c.slug.is_empty() && c.slug.len() <= MAX_SLUG, "{s:?}");
                    assert!(
                        !c.slug.contains("..") && !c.slug.starts_with(['.', '-']),
                        "{s:?}"
                    );
                    assert!(
                        c.slug
                            .chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-')),
                        "{s:?}"
                    );
                }
            }
        }
    }
}
