//! The real binary in a temp dir: success paths, and every error path with its exit code, its
//! one-line message and hint, and proof that nothing was written.

use crate::{groundwork, tree};
use predicates::prelude::*;
use std::fs;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn generate_without_arguments_writes_the_sample_pack() {
    let d = tmp();
    groundwork(d.path())
        .arg("generate")
        .assert()
        .success()
        .stdout(predicate::str::contains("8 questions"))
        .stdout(predicate::str::contains("pack code"));
    let files = tree(d.path());
    for f in [
        "pack",
        "pack/paper.html",
        "pack/key.html",
        "pack/marking.html",
        "pack/pack.md",
        "pack/pack.json",
    ] {
        assert!(files.contains(f), "{f} missing from {files:?}");
    }
    assert_eq!(files.len(), 6, "no temp files left behind: {files:?}");
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    assert_eq!(pack["schema_version"], 1);
    let qs = pack["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 8);
    for topic in ["hashing", "probability", "filesystem", "optimization"] {
        assert_eq!(
            qs.iter().filter(|q| q["topic"] == topic).count(),
            2,
            "{topic}"
        );
    }
    assert!(qs.iter().all(|q| q["difficulty"] == "medium"));
    // The paper shows every question code and the pack code, and the fields to fill in.
    let paper = fs::read_to_string(d.path().join("pack/paper.html")).unwrap();
    for q in qs {
        assert!(paper.contains(q["code"].as_str().unwrap()));
    }
    assert!(paper.contains(pack["meta"]["code"].as_str().unwrap()));
    assert!(paper.contains("Name") && paper.contains("Date") && paper.contains("60 minutes"));
}

#[test]
fn the_paper_carries_no_answers_and_the_key_does() {
    let d = tmp();
    groundwork(d.path())
        .args(["generate", "--seed", "77"])
        .assert()
        .success();
    let paper = fs::read_to_string(d.path().join("pack/paper.html")).unwrap();
    let key = fs::read_to_string(d.path().join("pack/key.html")).unwrap();
    for marker in ["Worked solution", "Evidence", "Answer:", "✓ correct"] {
        assert!(!paper.contains(marker), "paper leaks `{marker}`");
    }
    assert!(key.contains("Worked solution") && key.contains("Evidence") && key.contains("Answer:"));
    // Every reference answer appears on the key.
    let pack: groundwork::pack::Pack =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    for q in &pack.questions {
        for s in &q.slots {
            let r = s.expected.reference();
            let escaped = r
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#x27;");
            assert!(
                key.contains(&escaped),
                "key lacks reference {r} of {}",
                q.code
            );
        }
    }
}

#[test]
fn spec_file_flags_and_formats() {
    let d = tmp();
    fs::write(
        d.path().join("round.toml"),
        "title = \"Round two\"\nseed = 5\n[[section]]\nfamilies = [\"hashing.birthday\", \"probability.coupon\"]\ndifficulty = \"hard\"\npoints = 7\n",
    )
    .unwrap();
    groundwork(d.path())
        .args([
            "generate",
            "--spec",
            "round.toml",
            "--out",
            "out",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Round two: 2 questions, 14 points",
        ));
    assert_eq!(
        tree(&d.path().join("out")).into_iter().collect::<Vec<_>>(),
        ["pack.json"]
    );
    let a: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("out/pack.json")).unwrap()).unwrap();
    assert_eq!(a["questions"][0]["family"], "hashing.birthday");
    assert_eq!(a["questions"][1]["difficulty"], "hard");
    // --seed overrides the spec's seed; --title its title; --difficulty every section's.
    groundwork(d.path())
        .args([
            "generate",
            "--spec",
            "round.toml",
            "--out",
            "out2",
            "--format",
            "json",
            "--seed",
            "6",
            "--title",
            "T",
            "--difficulty",
            "easy",
        ])
        .assert()
        .success();
    let b: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("out2/pack.json")).unwrap()).unwrap();
    assert_eq!(b["meta"]["seed"], 6);
    assert_eq!(b["meta"]["title"], "T");
    assert_eq!(b["questions"][0]["difficulty"], "easy");
    assert_ne!(a["meta"]["code"], b["meta"]["code"]);
}

#[test]
fn families_lists_every_family_as_text_and_json() {
    let d = tmp();
    let out = groundwork(d.path())
        .args(["families", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let registry: Vec<&str> = groundwork::family::FAMILIES
        .iter()
        .map(|f| f.id())
        .collect();
    assert_eq!(ids, registry);
    for f in v.as_array().unwrap() {
        for key in ["id", "topic", "title", "params", "difficulties"] {
            assert!(!f[key].is_null(), "{key} missing in {f}");
        }
        for p in f["params"].as_array().unwrap() {
            assert!(
                p["key"].is_string()
                    && p["range"].is_object()
                    && p["defaults"]["medium"].is_string(),
                "{p}"
            );
        }
    }
    let text = groundwork(d.path())
        .arg("families")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    for id in registry {
        assert!(text.contains(id), "{id}");
    }
    groundwork(d.path())
        .args(["families", "--topic", "filesystem", "--format", "json"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("filesystem.").and(predicate::str::contains("hashing.").not()),
        );
}

#[test]
fn show_code_regenerates_the_question_on_the_paper() {
    let d = tmp();
    groundwork(d.path())
        .args(["generate", "--format", "json", "--seed", "31"])
        .assert()
        .success();
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    for q in pack["questions"].as_array().unwrap() {
        let code = q["code"].as_str().unwrap();
        // Codes survive lower case and missing dashes, as people retype them.
        let typed = code.replace('-', "").to_lowercase();
        let out = groundwork(d.path())
            .args(["show", &typed, "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let mut shown: serde_json::Value = serde_json::from_slice(&out).unwrap();
        shown["points"] = q["points"].clone();
        assert_eq!(&shown, q, "show {code} differs from the pack");
    }
    let code = pack["questions"][0]["code"].as_str().unwrap();
    groundwork(d.path())
        .args(["show", code])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Worked solution").and(predicate::str::contains("answer:")),
        );
    groundwork(d.path())
        .args(["show", code, "--paper"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Worked solution")
                .not()
                .and(predicate::str::contains("answer:").not()),
        );
}

#[test]
fn show_family_with_pins_reproduces_and_the_code_carries_the_pins() {
    let d = tmp();
    let fam = groundwork::family::FAMILIES[0];
    // The first parameter is one every variant draws (families declare `ask` first).
    let p = &fam.params()[0];
    let value = match p.kind {
        groundwork::family::ParamKind::Int { max, .. } => max.to_string(),
        groundwork::family::ParamKind::Real { max, .. } => max.to_string(),
        groundwork::family::ParamKind::Choice { options, .. } => {
            options[options.len() - 1].to_string()
        }
    };
    let set = format!("{}={}", p.key, value);
    let out = groundwork(d.path())
        .args([
            "show",
            fam.id(),
            "--seed",
            "9",
            "--difficulty",
            "easy",
            "--set",
            &set,
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let q: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(q["params"][p.key].to_string().trim_matches('"'), value);
    let code = q["code"].as_str().unwrap();
    assert!(code.contains(&set), "{code} should carry {set}");
    let again = groundwork(d.path())
        .args(["show", code, "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(out, again);
}

/// Runs a failing command and checks: exit 2, `error:` line containing `message`, a `hint:`
/// line containing `hint`, and nothing written in the directory.
fn fails(args: &[&str], setup: &[(&str, &str)], message: &str, hint: &str) {
    let d = tmp();
    for (name, text) in setup {
        fs::write(d.path().join(name), text).unwrap();
    }
    let before = tree(d.path());
    let out = groundwork(d.path())
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(message),
        "{args:?}: {stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("hint: ") && l.contains(hint)),
        "{args:?}: {stderr}"
    );
    assert!(!lines.iter().any(|l| l.contains("panicked")), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(tree(d.path()), before, "{args:?} wrote files");
}

#[test]
fn unknown_family_in_a_spec_suggests_the_closest() {
    fails(
        &["generate", "--spec", "s.toml"],
        &[("s.toml", "[[section]]\nfamilies = [\"hashing.birthdy\"]\n")],
        "s.toml:2:13: section 1: unknown family `hashing.birthdy`",
        "did you mean `hashing.birthday`?",
    );
    fails(
        &["show", "hashing.brithday"],
        &[],
        "unknown family",
        "hashing.birthday",
    );
}

#[test]
fn unknown_topic_lists_the_valid_ones() {
    fails(
        &["generate", "--spec", "s.toml"],
        &[("s.toml", "[[section]]\ntopic = \"probabilty\"\ncount = 2\n")],
        "s.toml:2:9: section 1: unknown topic `probabilty`",
        &format!(
            "did you mean `probability`? Topics are: {}",
            groundwork::family::Topic::ALL.map(|t| t.id()).join(", ")
        ),
    );
    fails(
        &["families", "--topic", "networking"],
        &[],
        "unknown topic `networking`",
        "Topics are:",
    );
}

#[test]
fn malformed_toml_gives_file_line_col() {
    fails(
        &["generate", "--spec", "bad.toml"],
        &[("bad.toml", "title = \"x\"\nseed = = 4\n")],
        "bad.toml:2:",
        "spec format",
    );
    fails(
        &["generate", "--spec", "bad.toml"],
        &[("bad.toml", "[[section]]\ntopic = \"hashing\"\ncuont = 2\n")],
        "bad.toml:3:1: unknown field `cuont`",
        "section keys are",
    );
    fails(
        &["generate", "--spec", "bad.toml"],
        &[("bad.toml", "[[section]]\ntopic = \"hashing\"\ncount = 0\n")],
        "bad.toml:3:9: section 1: count 0 is out of range",
        "1..=100",
    );
    fails(
        &["generate", "--spec", "missing.toml"],
        &[],
        "reading missing.toml",
        "check the path",
    );
}

#[test]
fn set_with_unknown_key_or_out_of_range_value() {
    let fam = groundwork::family::FAMILIES[0];
    let keys: Vec<&str> = fam.params().iter().map(|p| p.key).collect();
    fails(
        &["show", fam.id(), "--set", "nonsense=3"],
        &[],
        "has no parameter `nonsense`",
        &keys.join(", "),
    );
    let int = groundwork::family::FAMILIES
        .iter()
        .flat_map(|f| f.params().iter().map(move |p| (f, p)))
        .find_map(|(f, p)| match p.kind {
            groundwork::family::ParamKind::Int { max, .. } => Some((f.id(), p.key, max)),
            _ => None,
        })
        .expect("some family has an integer parameter");
    let set = format!("{}={}", int.1, int.2 + 1);
    fails(
        &["show", int.0, "--set", &set],
        &[],
        "is out of range",
        &format!("..={}", int.2),
    );
    fails(
        &["show", int.0, "--set", "justakey"],
        &[],
        "expected key=value",
        "--set",
    );
}

#[test]
fn bad_question_codes() {
    fails(
        &["show", "7QK2M-9XD4T"],
        &[],
        "bad code `7QK2M-9XD4T`: it has 10 characters",
        "question code looks like",
    );
    fails(
        &["show", "7QK2M-9XD4T-ZP3HU"],
        &[],
        "`U` is not a code character",
        "question code looks like",
    );
    // A real code with one character changed fails its checksum.
    let q = groundwork::pack::question(
        groundwork::family::FAMILIES[0],
        5,
        Default::default(),
        &Default::default(),
        None,
    )
    .unwrap();
    let mut typo: Vec<char> = q.code.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    fails(
        &["show", &typo],
        &[],
        "checksum does not match",
        "question code looks like",
    );
    fails(
        &["show", &q.code, "--seed", "3"],
        &[],
        "go with a family id",
        "a code already fixes them",
    );
}

#[test]
fn unwritable_out_and_bad_formats() {
    // --out under a regular file cannot be created.
    fails(
        &["generate", "--out", "f.txt/pack"],
        &[("f.txt", "x")],
        "creating f.txt/pack",
        "--out",
    );
    fails(
        &["generate", "--out", "f.txt"],
        &[("f.txt", "x")],
        "creating f.txt",
        "--out",
    );
    fails(
        &["generate", "--format", "html,docx"],
        &[],
        "unknown format `docx`",
        "formats are: html, md, json",
    );
    fails(
        &["generate", "--difficulty", "impossible"],
        &[],
        "unknown difficulty",
        "easy, medium, hard",
    );
    fails(
        &["show", "hashing.birthday", "--seed", "1099511627776"],
        &[],
        "too large",
        "0..=1099511627775",
    );
}

#[test]
fn read_only_out_directory_leaves_nothing_behind() {
    use std::os::unix::fs::PermissionsExt;
    let d = tmp();
    let ro = d.path().join("ro");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores directory permissions; the test only means something for other users.
    if fs::write(ro.join("probe"), "x").is_ok() {
        fs::remove_file(ro.join("probe")).unwrap();
        return;
    }
    let out = groundwork(d.path())
        .args(["generate", "--out", "ro"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: writing"));
    assert!(tree(&ro).is_empty());
}

#[test]
fn help_shows_examples_and_print_default_spec_round_trips() {
    let d = tmp();
    groundwork(d.path())
        .args(["generate", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    groundwork(d.path())
        .args(["show", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("groundwork show"));
    let spec = groundwork(d.path())
        .args(["generate", "--print-default-spec"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    fs::write(d.path().join("mine.toml"), &spec).unwrap();
    groundwork(d.path())
        .args([
            "generate",
            "--spec",
            "mine.toml",
            "--out",
            "a",
            "--format",
            "json",
        ])
        .assert()
        .success();
    groundwork(d.path())
        .args(["generate", "--out", "b", "--format", "json"])
        .assert()
        .success();
    assert_eq!(
        fs::read(d.path().join("a/pack.json")).unwrap(),
        fs::read(d.path().join("b/pack.json")).unwrap()
    );
}
