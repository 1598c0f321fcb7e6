//! Examples that run: every `groundwork …` line in README.md's code blocks and in every `--help`
//! text is run with the built binary, in order, in a scratch folder (with `HOME` pointed into it),
//! and the test fails when one fails or when a code it prints does not decode.
//!
//! - Files the examples read come from fixtures written first: a spec (`pack.toml`,
//!   `round2.toml`), candidates (`candidates.csv`, `ids.txt`), answers (`my-answers.txt`,
//!   `answers.json`, and `answers/alice.txt` for `grade`), a key (`interview.key`), a template
//!   folder (one real template in it), and a generated `pack/`.
//! - Codes are taken literally, so a stale code in the README fails: the failure names the code
//!   of this build to put there. The one exception is a sealed pack's code (a line with
//!   `--secret-file`): no code can be printed for a key made by `keygen` at run time, so the test
//!   seals a pack with the current key first and uses its code, as a reader would.
//! - The comment after an example (two spaces or more, or `#`) is dropped; `man` and `sudo` are
//!   stubbed so nothing leaves the scratch folder; pipelines fail when any stage fails.
//! - `check` and `audit` may exit 1 (a graded miss, a failed rule): that is a result, not a
//!   failure. Exit 2 or a signal is a failure.

use groundwork::family::FAMILIES;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_groundwork");

/// An example line and where it came from.
struct Example {
    origin: String,
    line: String,
}

/// The `groundwork …` lines of the README's fenced code blocks, with their line numbers.
fn readme_examples() -> Vec<Example> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).expect("README.md");
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block && line.trim_start().starts_with("groundwork ") {
            out.push(Example {
                origin: format!("README.md:{}", i + 1),
                line: line.trim().to_string(),
            });
        }
    }
    out
}

/// The `groundwork …` lines of the top-level `--help` and of every subcommand's.
fn help_examples() -> Vec<Example> {
    use clap::CommandFactory;
    let mut pages = vec![Vec::new()];
    for sub in groundwork::cli::Cli::command().get_subcommands() {
        pages.push(vec![sub.get_name().to_string()]);
    }
    let mut out = Vec::new();
    for page in pages {
        let mut args = page.clone();
        args.push("--help".into());
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert!(o.status.success(), "groundwork {}", args.join(" "));
        for line in String::from_utf8(o.stdout).unwrap().lines() {
            let t = line.trim();
            if t.starts_with("groundwork ")
                || t.starts_with("printf ") && t.contains("| groundwork")
            {
                out.push(Example {
                    origin: format!("groundwork {} --help", page.join(" ")).replace("  ", " "),
                    line: t.to_string(),
                });
            }
        }
    }
    out
}

/// The command of an example: the line without its trailing comment (two or more spaces outside
/// quotes start one).
fn command_of(line: &str) -> String {
    let mut quote = None;
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match (quote, c) {
            (None, b'\'' | b'"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, b' ') if b.get(i + 1) == Some(&b' ') => return line[..i].to_string(),
            _ => {}
        }
    }
    line.to_string()
}

/// A token shaped like a question or pack code: groups of up to five Crockford characters joined
/// by dashes, the first group full, at least three groups.
fn code_shaped(token: &str) -> Option<&str> {
    let t = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let base = t.split(':').next().unwrap_or(t);
    let groups: Vec<&str> = base.split('-').collect();
    let ok = groups.len() >= 3
        && groups[0].len() == 5
        && groups.iter().all(|g| {
            (1..=5).contains(&g.len())
                && g.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        })
        && groups.iter().any(|g| g.chars().any(|c| c.is_ascii_digit()));
    ok.then_some(base)
}

fn decodes(code: &str) -> bool {
    groundwork::code::decode(code, &FAMILIES).is_ok()
        || groundwork::code::decode_pack(code, &FAMILIES).is_ok()
}

/// Runs `groundwork ARGS` in `dir` and returns stdout; panics on failure (fixture setup).
fn run(dir: &Path, home: &Path, args: &[&str]) -> String {
    let o = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("GROUNDWORK_SECRET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "setup: groundwork {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The scratch folder with every file an example reads.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let spec = run(dir, &home, &["generate", "--print-default-spec"]);
    for name in ["pack.toml", "round2.toml", "spec.toml"] {
        std::fs::write(dir.join(name), &spec).unwrap();
    }
    std::fs::write(
        dir.join("candidates.csv"),
        "id,name\nalice,Alice\nbob,Bob\n",
    )
    .unwrap();
    std::fs::write(dir.join("ids.txt"), "# one id per line\nalice\nbob\n").unwrap();
    std::fs::write(dir.join("my-answers.txt"), "1: 0.5\n2) 3 times\n3: (A)\n").unwrap();
    std::fs::write(dir.join("answers.json"), "{\"1\": \"0.5\"}\n").unwrap();
    // `grade`'s answers folder: one candidate of candidates.csv and ids.txt (alice) answered.
    std::fs::create_dir_all(dir.join("answers")).unwrap();
    std::fs::write(dir.join("answers/alice.txt"), "1: 0.5\n").unwrap();
    // A template folder overriding one file, as `--templates` expects.
    std::fs::create_dir_all(dir.join("my-templates/html")).unwrap();
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/html/catalog.html");
    std::fs::copy(catalog, dir.join("my-templates/html/catalog.html")).unwrap();
    let key = run(dir, &home, &["keygen"]);
    std::fs::write(dir.join("interview.key"), key).unwrap();
    run(dir, &home, &["generate", "--quiet"]);
    (d, home)
}

/// The code of a pack sealed with the scratch folder's current `interview.key`.
fn sealed_pack_code(dir: &Path, home: &Path) -> String {
    run(
        dir,
        home,
        &[
            "generate",
            "--secret-file",
            "interview.key",
            "--format",
            "json",
            "--out",
            "sealed-for-examples",
            "--quiet",
        ],
    );
    let pack: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sealed-for-examples/pack.json")).unwrap())
            .unwrap();
    pack["meta"]["code"].as_str().unwrap().to_string()
}

/// Runs every example in order in one scratch folder; returns the failures.
fn run_all(examples: &[Example]) -> Vec<String> {
    let (d, home) = scratch();
    let dir = d.path();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    for ex in examples {
        let mut cmd = command_of(&ex.line);
        // Codes: literal, except a sealed pack's (see the module doc).
        for token in cmd.clone().split_whitespace() {
            let Some(code) = code_shaped(token) else {
                continue;
            };
            if cmd.contains("--secret") {
                cmd = cmd.replace(code, &sealed_pack_code(dir, &home));
            } else if !decodes(code) {
                failures.push(format!(
                    "{}: `{code}` in `{}` does not decode in this build (the built-in spec's pack code is {}, a question code is {})",
                    ex.origin,
                    ex.line,
                    groundwork::cli::example_pack_code(),
                    groundwork::cli::example_question_code()
                ));
            }
        }
        // Redirect targets get their folders (`> ~/.zfunc/_groundwork`).
        let words: Vec<&str> = cmd.split_whitespace().collect();
        for w in words.windows(2) {
            if w[0] == ">" {
                let target = match w[1].strip_prefix("~/") {
                    Some(rest) => home.join(rest),
                    None => dir.join(w[1]),
                };
                if let Some(parent) = target.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
            }
        }
        let script = format!(
            "set -o pipefail\nman() {{ :; }}\nsudo() {{ cat > /dev/null; }}\ncommand -v jq > /dev/null || jq() {{ cat > /dev/null; }}\n{cmd}\n"
        );
        let o = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(dir)
            .env("PATH", &path)
            .env("HOME", &home)
            .env_remove("GROUNDWORK_SECRET")
            .stdin(Stdio::null())
            .output()
            .expect("bash runs");
        let graded = ["groundwork check ", "groundwork audit "]
            .iter()
            .any(|g| cmd.contains(g));
        let ok = match o.status.code() {
            Some(0) => true,
            Some(1) => graded,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: `{}` exited {:?}:\n{}",
                ex.origin,
                cmd,
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        // Every code an example prints decodes.
        let stdout = String::from_utf8_lossy(&o.stdout);
        for token in stdout.split_whitespace() {
            if let Some(code) = code_shaped(token) {
                if !decodes(code) {
                    failures.push(format!(
                        "{}: `{cmd}` printed `{code}`, which does not decode",
                        ex.origin
                    ));
                }
            }
        }
    }
    failures
}

#[test]
fn the_examples_in_every_help_text_run() {
    let examples = help_examples();
    assert!(examples.len() > 30, "only {} help examples", examples.len());
    let failures = run_all(&examples);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_examples_in_the_readme_run() {
    let examples = readme_examples();
    assert!(
        examples.len() > 15,
        "only {} README examples",
        examples.len()
    );
    let failures = run_all(&examples);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn comments_are_cut_and_codes_are_recognised() {
    assert_eq!(
        command_of("groundwork families   one line per family"),
        "groundwork families"
    );
    assert_eq!(
        command_of("printf '0.42\\n  quit' | groundwork practice  (piped)"),
        "printf '0.42\\n  quit' | groundwork practice"
    );
    assert_eq!(code_shaped("7QK2M-9XD4T-ZP3HB"), Some("7QK2M-9XD4T-ZP3HB"));
    assert_eq!(
        code_shaped("\"HTXF3-J028H-0J4G4-H6140-PK\","),
        Some("HTXF3-J028H-0J4G4-H6140-PK")
    );
    assert_eq!(code_shaped("hashing.birthday"), None);
    assert_eq!(code_shaped("2026-11-28"), None);
    assert!(decodes(&groundwork::cli::example_question_code()));
    assert!(decodes(&groundwork::cli::example_pack_code()));
}
