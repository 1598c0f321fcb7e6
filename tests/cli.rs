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
        "pack/.groundwork",
    ] {
        assert!(files.contains(f), "{f} missing from {files:?}");
    }
    assert_eq!(files.len(), 7, "no temp files left behind: {files:?}");
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
    // Each question's answer block on the key holds exactly its own references, in order: a
    // reference found anywhere in the file (another question's, a number in a table) proves
    // nothing.
    let pack: groundwork::pack::Pack =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    for (n, q) in pack.questions.iter().enumerate() {
        let open = format!("<section class=\"question\" id=\"q{}\">", n + 1);
        let start = key
            .find(&open)
            .unwrap_or_else(|| panic!("no section for question {}", n + 1));
        let end = start + key[start..].find("</section>").unwrap();
        let section = &key[start..end];
        assert!(
            section.contains(&q.code),
            "question {} is not {}",
            n + 1,
            q.code
        );
        let shown: Vec<&str> = section
            .split("Answer: <span class=\"ref\">")
            .skip(1)
            .map(|rest| &rest[..rest.find("</span>").unwrap()])
            .collect();
        let want: Vec<String> = q
            .slots
            .iter()
            .map(|s| {
                s.expected
                    .reference()
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&#x27;")
            })
            .collect();
        assert_eq!(shown, want, "question {} ({})", n + 1, q.code);
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
        [".groundwork", "pack.json"]
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
        "did you mean `probability`? Topics are: hashing, probability, filesystem, optimization",
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
    // Too long is a length error, not a complaint about the 26th character.
    fails(
        &["show", "7QK2M-9XD4T-ZP3HB-7QK2M-9XD4T-ZP3HB"],
        &[],
        "it has 30 characters, and a question code has 15 (20 in a sealed pack)",
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
    // Root ignores directory permissions: the test only means something for other users, so as
    // root it says so (the test below fails a write for root too).
    if fs::write(ro.join("probe"), "x").is_ok() {
        fs::remove_file(ro.join("probe")).unwrap();
        eprintln!("skipped (running as root, which ignores directory permissions): read_only_out_directory_leaves_nothing_behind");
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
fn an_out_directory_under_a_file_fails_and_leaves_nothing_behind() {
    // Fails for root as well: a path below a regular file cannot be created (ENOTDIR).
    let d = tmp();
    fs::write(d.path().join("plain"), "x").unwrap();
    let before = tree(d.path());
    let out = groundwork(d.path())
        .args(["generate", "--out", "plain/pack"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error:"),
        "{out:?}"
    );
    assert_eq!(tree(d.path()), before);
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

#[test]
fn inputs_are_capped_at_16_mib_and_free_text_fields_in_length() {
    // `/dev/zero` never ends: it is refused after 16 MiB instead of growing without bound.
    fails(
        &["generate", "--spec", "/dev/zero"],
        &[],
        "/dev/zero: the spec is larger than 16 MiB",
        "right file",
    );
    let long = "x".repeat(300);
    fails(
        &["generate", "--spec", "s.toml"],
        &[(
            "s.toml",
            &format!("title = \"{long}\"\n[[section]]\ntopic = \"hashing\"\n"),
        )],
        "s.toml:1:9: `title` is 300 characters long; the limit is 200",
        "at most 200",
    );
    fails(
        &["generate", "--spec", "s.toml"],
        &[(
            "s.toml",
            &format!(
                "duration = \"{}\"\n[[section]]\ntopic = \"hashing\"\n",
                "9".repeat(61)
            ),
        )],
        "s.toml:1:12: `duration` is 61 characters long; the limit is 60",
        "at most 60",
    );
    fails(
        &["generate", "--spec", "s.toml"],
        &[(
            "s.toml",
            &format!(
                "instructions = \"{}\"\n[[section]]\ntopic = \"hashing\"\n",
                "i".repeat(4001)
            ),
        )],
        "`instructions` is 4001 characters long; the limit is 4000",
        "at most 4000",
    );
    fails(
        &["generate", "--title", &long],
        &[],
        "--title: `title` is 300 characters long",
        "at most 200",
    );
}

#[test]
fn a_spec_that_is_not_utf8_says_so_and_a_bom_is_accepted() {
    let d = tmp();
    fs::write(
        d.path().join("s.toml"),
        b"[[section]]\ntopic = \"hashing\"\ntitle = \"caf\xe9\"\n",
    )
    .unwrap();
    let before = tree(d.path());
    groundwork(d.path())
        .args(["generate", "--spec", "s.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: s.toml:3: the spec is not UTF-8 text",
        ))
        .stderr(predicate::str::contains("hint: save it as UTF-8"))
        .stderr(predicate::str::contains("bug in groundwork").not());
    assert_eq!(tree(d.path()), before);
    // Notepad's byte-order mark is not part of the spec.
    fs::write(
        d.path().join("bom.toml"),
        "\u{feff}title = \"With a BOM\"\n[[section]]\ntopic = \"hashing\"\n",
    )
    .unwrap();
    groundwork(d.path())
        .args(["generate", "--spec", "bom.toml", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("With a BOM: 1 questions"));
}

/// Runs `generate` with one override template and checks that it fails as the template's fault:
/// exit 2, `error: template …` with `message`, a hint that is not "a bug in groundwork", and
/// nothing written. Returns stderr.
fn template_fails(name: &str, text: &str, format: &str, message: &str) -> String {
    let d = tmp();
    let path = d.path().join("t").join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    fs::write(d.path().join("t/secret.txt"), "a file beside the template").unwrap();
    let before = tree(d.path());
    let out = groundwork(d.path())
        .env("GROUNDWORK_SECRET", "the-leaked-secret-0123456789")
        .env("SOME_VARIABLE", "the-environment-value")
        .args(["generate", "--templates", "t", "--format", format])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("error: template t/{name}: ")) && stderr.contains(message),
        "{name}: {stderr}"
    );
    assert!(
        stderr.contains("hint: the template comes from --templates"),
        "{stderr}"
    );
    assert!(!stderr.contains("bug in groundwork"), "{stderr}");
    for leak in [
        "the-leaked-secret",
        "the-environment-value",
        "a file beside the template",
    ] {
        assert!(!stderr.contains(leak), "{stderr}");
    }
    assert!(out.stdout.is_empty());
    assert_eq!(tree(d.path()), before, "{name} wrote files");
    stderr
}

#[test]
fn templates_cannot_read_the_environment_or_files() {
    template_fails(
        "html/paper.html",
        "{{ get_env(name=\"GROUNDWORK_SECRET\") }}",
        "html",
        "get_env is not available",
    );
    template_fails(
        "markdown/pack.md",
        "{{ get_env(name=\"SOME_VARIABLE\", default=\"\") }}",
        "md",
        "get_env is not available",
    );
    // typst sees only /pack.json: not the file system, not the folder of the template.
    template_fails(
        "pdf/pack.typ",
        "#read(\"/etc/passwd\")",
        "pdf",
        "file not found",
    );
    template_fails(
        "pdf/pack.typ",
        "#read(\"secret.txt\")",
        "pdf",
        "file not found",
    );
    template_fails(
        "pdf/pack.typ",
        "#sys.inputs.at(\"GROUNDWORK_SECRET\")",
        "pdf",
        "",
    );
}

#[test]
fn runaway_templates_hit_a_limit_and_the_blame_is_theirs() {
    template_fails(
        "html/paper.html",
        "{% for i in range(end=200000000) %}x{% endfor %}",
        "html",
        "at most 100000",
    );
    template_fails(
        "html/key.html",
        "{% for i in range(end=10, step_by=0) %}x{% endfor %}",
        "html",
        "step_by",
    );
    template_fails(
        "html/paper.html",
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}0123456789{% endfor %}{% endfor %}",
        "html",
        "grew past 16 MiB",
    );
    template_fails(
        "pdf/pack.typ",
        "#for i in range(1001) { [page #i]; pagebreak() }",
        "pdf",
        "1002 pages, more than the 1000",
    );
    // A broken override is the template's fault too.
    template_fails("html/paper.html", "{% if %}", "html", "");
    template_fails("pdf/pack.typ", "#let x = ", "pdf", "");
}

#[test]
fn a_templates_path_that_is_missing_or_empty_is_an_error() {
    fails(
        &["generate", "--templates", "nowhere"],
        &[],
        "--templates nowhere: no such folder",
        "holds your templates",
    );
    fails(
        &["generate", "--templates", "file.txt"],
        &[("file.txt", "x")],
        "--templates file.txt is not a folder",
        "holds your templates",
    );
    // paper.html at the top instead of html/paper.html: no recognised template.
    fails(
        &["generate", "--templates", "."],
        &[("paper.html", "custom")],
        "--templates .: the folder holds no template groundwork knows",
        "html/paper.html",
    );
}

#[test]
fn a_rerun_removes_the_files_it_no_longer_writes_and_nothing_else() {
    let d = tmp();
    let out = d.path().join("out");
    fs::create_dir(&out).unwrap();
    // Files groundwork never wrote, one of them with a name it could write.
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("pack.md"), "my own markdown").unwrap();
    groundwork(d.path())
        .args([
            "generate",
            "--seed",
            "1",
            "--format",
            "html,pdf,json",
            "--out",
            "out",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed").not());
    let stamp = fs::read_to_string(out.join(".groundwork")).unwrap();
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("pack.json")).unwrap()).unwrap();
    assert!(stamp.contains(&format!("pack {}", pack["meta"]["code"].as_str().unwrap())));
    for f in [
        "paper.html",
        "key.html",
        "paper.pdf",
        "key.pdf",
        "pack.json",
    ] {
        assert!(stamp.contains(&format!("file {f}\n")), "{stamp}");
    }
    assert!(!stamp.contains("pack.md"), "{stamp}");
    groundwork(d.path())
        .args([
            "generate",
            "--seed",
            "2",
            "--format",
            "html,json",
            "--out",
            "out",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "removed out/paper.pdf (an earlier run wrote it; this one did not)",
        ))
        .stdout(predicate::str::contains("removed out/key.pdf"));
    assert_eq!(
        tree(&out).into_iter().collect::<Vec<_>>(),
        [
            ".groundwork",
            "key.html",
            "marking.html",
            "notes.txt",
            "pack.json",
            "pack.md",
            "paper.html"
        ]
    );
    assert_eq!(
        fs::read_to_string(out.join("pack.md")).unwrap(),
        "my own markdown"
    );
    let stamp = fs::read_to_string(out.join(".groundwork")).unwrap();
    assert!(!stamp.contains("pdf"), "{stamp}");
    // An edited stamp cannot make groundwork remove a file it does not write.
    fs::write(
        out.join(".groundwork"),
        format!("{stamp}file notes.txt\nfile ../outside.txt\n"),
    )
    .unwrap();
    fs::write(d.path().join("outside.txt"), "outside").unwrap();
    groundwork(d.path())
        .args([
            "generate", "--seed", "2", "--format", "json", "--out", "out",
        ])
        .assert()
        .success();
    assert!(out.join("notes.txt").is_file() && d.path().join("outside.txt").is_file());
    assert!(
        !out.join("paper.html").exists(),
        "groundwork's own html went"
    );
}

#[test]
fn a_rerun_removes_temporary_files_an_interrupted_run_left() {
    let d = tmp();
    let out = d.path().join("out");
    fs::create_dir(&out).unwrap();
    let ours = [
        ".manifest.csv.AbC123.tmp",
        ".answers.txt.x1Y2z3.tmp",
        ".key.pdf.QwErTy.tmp",
        ".paper.html.000000.tmp",
    ];
    // Not ours: another name, another shape.
    let theirs = [
        ".notes.txt.abcdef.tmp",
        ".paper.html.tmp",
        "paper.html.abcdef.tmp",
    ];
    for f in ours.iter().chain(&theirs) {
        fs::write(out.join(f), "left over").unwrap();
    }
    groundwork(d.path())
        .args(["generate", "--format", "json", "--out", "out"])
        .assert()
        .success();
    let left = tree(&out);
    for f in ours {
        assert!(!left.contains(f), "{f} should be gone: {left:?}");
    }
    for f in theirs {
        assert!(left.contains(f), "{f} should stay: {left:?}");
    }
}

#[test]
fn a_missing_tmpdir_is_not_called_a_bug() {
    let d = tmp();
    groundwork(d.path())
        .env("TMPDIR", "/nonexistent-groundwork-tmp")
        .arg("generate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot create a scratch directory",
        ))
        .stderr(predicate::str::contains(
            "hint: the temporary folder /nonexistent-groundwork-tmp (from TMPDIR) does not exist",
        ))
        .stderr(predicate::str::contains("bug in groundwork").not());
    assert!(tree(d.path()).is_empty());
}
