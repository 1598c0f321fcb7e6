//! `groundwork batch`: one distinct variant per candidate, a manifest whose digests match the
//! files, a combined key, reruns that skip finished candidates, byte-identical repeats, and
//! candidate-file errors that name the line and write nothing.

use crate::{groundwork, tree};
use predicates::prelude::*;
use sha2::{Digest, Sha256};
use std::fs;

fn setup(candidates: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("candidates.csv"), candidates).unwrap();
    d
}

/// `batch` from `candidates.csv` into `out` in `formats`.
fn batch_args<'a>(out: &'a str, formats: &'a str) -> [&'a str; 7] {
    [
        "batch",
        "--candidates",
        "candidates.csv",
        "--out",
        out,
        "--format",
        formats,
    ]
}

const THREE: &str = "name,id,email\nAda Lovelace,ada,a@example.com\n\"Hopper, Grace\",grace,g@example.com\nAlan Turing,alan,t@example.com\n";

#[test]
fn each_candidate_gets_a_distinct_variant_and_the_manifest_matches_the_files() {
    let d = setup(THREE);
    groundwork(d.path())
        .args([
            "batch",
            "--candidates",
            "candidates.csv",
            "--out",
            "out",
            "--format",
            "html,json,moodle",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 candidates"));
    let out = d.path().join("out");
    let mut manifest = csv::Reader::from_path(out.join("manifest.csv")).unwrap();
    assert_eq!(
        manifest.headers().unwrap().iter().collect::<Vec<_>>(),
        ["candidate", "slug", "name", "pack_code", "files", "sha256"]
    );
    let rows: Vec<csv::StringRecord> = manifest.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let mut codes = Vec::new();
    let mut seeds = Vec::new();
    let mut families = Vec::new();
    for (row, (id, name)) in rows.iter().zip([
        ("ada", "Ada Lovelace"),
        ("grace", "Hopper, Grace"),
        ("alan", "Alan Turing"),
    ]) {
        assert_eq!(
            (&row[0], &row[1], &row[2]),
            (id, id, name),
            "candidate order is the file's"
        );
        codes.push(row[3].to_string());
        // As many digests as files (zip would stop at the shorter list): the candidate's paper in
        // papers/, the key, marking sheet and pack.json in keys/ (Moodle is one combined file),
        // each digest the file's SHA-256.
        let (files, digests): (Vec<&str>, Vec<&str>) =
            (row[4].split(' ').collect(), row[5].split(' ').collect());
        assert_eq!(files.len(), digests.len(), "{row:?}");
        let mut want = vec![
            format!("papers/{id}.html"),
            format!("keys/{id}.html"),
            format!("keys/{id}.marking.html"),
            format!("keys/{id}.json"),
        ];
        let mut got: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        for (file, digest) in files.into_iter().zip(digests) {
            let bytes = fs::read(out.join(file)).unwrap();
            assert_eq!(format!("{:x}", Sha256::digest(&bytes)), digest, "{file}");
        }
        let pack: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join(format!("keys/{id}.json"))).unwrap())
                .unwrap();
        assert_eq!(pack["meta"]["code"], &row[3]);
        assert_eq!(
            pack["meta"]["candidate"], name,
            "the name column fills the name line"
        );
        let paper = fs::read_to_string(out.join(format!("papers/{id}.html"))).unwrap();
        assert!(
            paper.contains(name),
            "{id}: the paper's name line holds {name}"
        );
        let questions = pack["questions"].as_array().unwrap();
        seeds.push(
            questions
                .iter()
                .map(|q| q["seed"].as_u64().unwrap())
                .collect::<Vec<_>>(),
        );
        families.push(
            questions
                .iter()
                .map(|q| q["family"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
        );
    }
    assert!(
        families.iter().all(|f| *f == families[0]),
        "by default every candidate gets the same families in the same order: {families:?}"
    );
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 3, "distinct pack codes");
    for i in 0..3 {
        for j in i + 1..3 {
            assert!(
                seeds[i].iter().all(|s| !seeds[j].contains(s)),
                "candidates {i} and {j} share a question seed"
            );
        }
    }
    // The combined key holds every candidate's answers; the Moodle file every variant.
    let answers = fs::read_to_string(out.join("answers.txt")).unwrap();
    for id in ["ada", "grace", "alan"] {
        assert!(answers.contains(&format!("# {id} · pack ")), "{id}");
    }
    let xml = fs::read_to_string(out.join("moodle.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let questions = doc
        .root_element()
        .children()
        .filter(|n| n.attribute("type").is_some_and(|t| t != "category"))
        .count();
    assert_eq!(questions, 3 * 8);
    // Nothing half-written is left behind.
    assert!(
        tree(&out).iter().all(|p| !p.ends_with(".tmp")),
        "{:?}",
        tree(&out)
    );
}

#[test]
fn a_rerun_skips_finished_candidates_and_repeats_every_byte() {
    let d = setup("ada\ngrace\n");
    let run = |out: &str| {
        groundwork(d.path())
            .args(["batch", "--candidates", "candidates.csv", "--out", out])
            .assert()
            .success()
    };
    run("a").stdout(predicate::str::contains("2 written, 0 unchanged"));
    let before = fs::metadata(d.path().join("a/papers/ada.html"))
        .unwrap()
        .modified()
        .unwrap();
    run("a").stdout(predicate::str::contains(
        "0 written, 2 unchanged and skipped",
    ));
    assert_eq!(
        fs::metadata(d.path().join("a/papers/ada.html"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    // A damaged output is redone.
    fs::remove_file(d.path().join("a/keys/grace.json")).unwrap();
    run("a").stdout(predicate::str::contains("1 written, 1 unchanged"));
    // Same inputs elsewhere: the same bytes.
    run("b");
    for f in [
        "manifest.csv",
        "answers.txt",
        "papers/ada.html",
        "keys/grace.html",
        "keys/grace.json",
    ] {
        assert_eq!(
            fs::read(d.path().join("a").join(f)).unwrap(),
            fs::read(d.path().join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    // A different seed changes every variant.
    groundwork(d.path())
        .args([
            "batch",
            "--candidates",
            "candidates.csv",
            "--out",
            "a",
            "--seed",
            "9",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 written"));
}

#[test]
fn bad_candidate_files_name_the_line_and_write_nothing() {
    for (content, line, what) in [
        ("ada\ngrace\nAda\n", 3, "repeats line 1"),
        ("id,name\nada,x\n,y\n", 3, "empty candidate id"),
        ("ada\n../..\n", 2, "no letter or digit"),
        ("x,y\n1,2\n", 1, "no header naming the id column"),
        ("id;name\nada;Ada\ngrace,Grace\n", 3, "the header uses `;`"),
        (
            "name\nAda Lovelace\nAda-Lovelace\n",
            3,
            "both name their files `Ada-Lovelace`",
        ),
    ] {
        let d = setup(content);
        groundwork(d.path())
            .args(["batch", "--candidates", "candidates.csv", "--out", "out"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("candidates.csv:{line}")))
            .stderr(predicate::str::contains(what));
        assert!(!d.path().join("out").exists(), "{what}: nothing written");
    }
    let d = setup("");
    fs::write(d.path().join("candidates.csv"), b"ada\n\xff\xfe\n").unwrap();
    groundwork(d.path())
        .args(["batch", "--candidates", "candidates.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not UTF-8"));
}

#[test]
fn candidate_files_are_capped_and_may_start_with_a_bom() {
    let d = setup("");
    groundwork(d.path())
        .args(["batch", "--candidates", "/dev/zero", "--out", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: /dev/zero: the candidates file is larger than 16 MiB",
        ));
    assert!(!d.path().join("out").exists());
    // Plain and CSV lists saved with a byte-order mark (Notepad, PowerShell 5).
    for (name, text) in [
        ("plain.txt", "\u{feff}ada\ngrace\n"),
        ("list.csv", "\u{feff}id,name\nada,Ada\ngrace,Grace\n"),
    ] {
        fs::write(d.path().join(name), text).unwrap();
        let out = format!("out-{name}");
        groundwork(d.path())
            .args([
                "batch",
                "--candidates",
                name,
                "--out",
                &out,
                "--format",
                "json",
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains("2 candidates"));
        assert!(
            d.path().join(&out).join("keys/ada.json").is_file(),
            "{name}"
        );
    }
}

#[test]
fn a_rerun_decides_from_the_stamp_without_regenerating_packs() {
    let d = setup("ada\ngrace\n");
    let run = |extra: &[(&str, &str)]| {
        let mut c = groundwork(d.path());
        for (k, v) in extra {
            c.env(k, v);
        }
        c.args([
            "batch",
            "--candidates",
            "candidates.csv",
            "--out",
            "out",
            "--format",
            "html,json,moodle,gift",
        ])
        .assert()
    };
    run(&[]).success();
    let read = |f: &str| fs::read(d.path().join("out").join(f)).unwrap();
    let first: Vec<Vec<u8>> = BATCH_OUTPUTS.iter().map(|f| read(f)).collect();
    // Generating a pack needs a scratch folder (the filesystem questions run real syscalls):
    // with none, only a rerun that does not regenerate can succeed.
    run(&[("TMPDIR", "/nonexistent-groundwork-tmp")])
        .success()
        .stdout(predicate::str::contains(
            "0 written, 2 unchanged and skipped",
        ));
    let again: Vec<Vec<u8>> = BATCH_OUTPUTS.iter().map(|f| read(f)).collect();
    assert!(
        first == again,
        "the combined files are rebuilt byte for byte"
    );
    // A changed file is not skipped: its digest no longer matches.
    fs::write(d.path().join("out/papers/ada.html"), "edited").unwrap();
    run(&[]).success().stdout(predicate::str::contains(
        "1 written, 1 unchanged and skipped",
    ));
    assert_eq!(read("papers/ada.html"), first_paper(&d));
}

const BATCH_OUTPUTS: &[&str] = &[
    "manifest.csv",
    "answers.txt",
    "moodle.xml",
    "pack.gift",
    "keys/grace.json",
];

/// ada's paper, regenerated elsewhere with the same inputs.
fn first_paper(d: &tempfile::TempDir) -> Vec<u8> {
    groundwork(d.path())
        .args([
            "batch",
            "--candidates",
            "candidates.csv",
            "--out",
            "fresh",
            "--format",
            "html,json,moodle,gift",
        ])
        .assert()
        .success();
    fs::read(d.path().join("fresh/papers/ada.html")).unwrap()
}

#[test]
fn a_rerun_with_fewer_formats_removes_what_it_no_longer_writes() {
    let d = setup("ada\ngrace\n");
    let run = |formats: &str| {
        groundwork(d.path())
            .args(batch_args("out", formats))
            .assert()
            .success()
    };
    run("html,md,moodle");
    let out = d.path().join("out");
    fs::write(out.join("keys/notes.txt"), "mine").unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    run("html,json")
        .stdout(predicate::str::contains("removed out/keys/ada.md"))
        .stdout(predicate::str::contains("removed out/keys/grace.md"))
        .stdout(predicate::str::contains("removed out/moodle.xml"));
    let listing = |dir: &str| -> Vec<String> { tree(&out.join(dir)).into_iter().collect() };
    assert_eq!(listing("papers"), [".groundwork", "ada.html", "grace.html"]);
    assert_eq!(
        listing("keys"),
        [
            ".groundwork",
            "ada.html",
            "ada.json",
            "ada.marking.html",
            "grace.html",
            "grace.json",
            "grace.marking.html",
            "notes.txt"
        ]
    );
    assert!(!out.join("moodle.xml").exists() && out.join("notes.txt").is_file());
    // The manifest lists exactly what is in the folders.
    let manifest = fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert!(!manifest.contains(".md"), "{manifest}");
    assert!(manifest.contains("keys/ada.json"), "{manifest}");
    // A candidate dropped from the list: the files the manifest no longer lists go.
    fs::write(d.path().join("candidates.csv"), "ada\n").unwrap();
    run("html,json").stdout(predicate::str::contains("removed out/papers/grace.html"));
    assert_eq!(listing("papers"), [".groundwork", "ada.html"]);
    assert!(!out.join("keys/grace.json").exists());
    assert!(!out.join(".groundwork-cache/grace.json").exists());
}

#[test]
fn a_rerun_removes_temporary_files_interrupted_runs_left() {
    let d = setup("ada\n");
    let run = || {
        groundwork(d.path())
            .args(["batch", "--candidates", "candidates.csv", "--out", "out"])
            .assert()
            .success()
    };
    run();
    let out = d.path().join("out");
    let left = [
        ".manifest.csv.AbC123.tmp",
        ".answers.txt.x1Y2z3.tmp",
        "keys/.ada.html.QwErTy.tmp",
        "papers/..groundwork.q1w2e3.tmp",
        ".groundwork-cache/.ada.json.a1b2c3.tmp",
    ];
    for f in left {
        fs::write(out.join(f), "left over").unwrap();
    }
    fs::write(out.join(".notes.txt.abcdef.tmp"), "mine").unwrap();
    // A changed seed redoes the candidate, and cleans up on the way.
    groundwork(d.path())
        .args([
            "batch",
            "--candidates",
            "candidates.csv",
            "--out",
            "out",
            "--seed",
            "5",
        ])
        .assert()
        .success();
    // An unchanged rerun cleans up too.
    fs::write(out.join(".answers.txt.zzzzzz.tmp"), "left over").unwrap();
    run();
    let files = tree(&out);
    assert!(
        files
            .iter()
            .all(|f| !f.ends_with(".tmp") || f == ".notes.txt.abcdef.tmp"),
        "{files:?}"
    );
    assert!(files.contains(".notes.txt.abcdef.tmp"));
}

#[test]
fn a_hostile_candidate_id_is_echoed_with_its_controls_escaped() {
    let d = setup("ada\n\x1b]2;pwned\x07\x1b[2J\n");
    let out = groundwork(d.path())
        .args(["batch", "--candidates", "candidates.csv", "--out", "out"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.chars()
            .all(|c| c == '\n' || !matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}')),
        "{err:?}"
    );
    assert!(
        err.contains("candidates.csv:2: candidate id `\\x1b]2;pwned\\x07\\x1b[2J`"),
        "{err}"
    );
    assert!(!d.path().join("out").exists());
}

const MIXED_SPEC: &str = r#"
title = "Round"
seed = 11
[[section]]
families = ["hashing.bloom", "probability.coupon"]
[[section]]
topic = "hashing"
count = 3
[[section]]
topic = "filesystem"
count = 2
"#;

/// One string per question of each candidate's pack (`keys/<id>.json`), made by `each`.
fn per_question(
    out: &std::path::Path,
    ids: &[&str],
    each: impl Fn(&serde_json::Value) -> String,
) -> Vec<Vec<String>> {
    ids.iter()
        .map(|id| {
            let pack: serde_json::Value =
                serde_json::from_slice(&fs::read(out.join(format!("keys/{id}.json"))).unwrap())
                    .unwrap();
            pack["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(&each)
                .collect()
        })
        .collect()
}

/// Each candidate's families, in paper order.
fn family_lists(out: &std::path::Path, ids: &[&str]) -> Vec<Vec<String>> {
    per_question(out, ids, |q| q["family"].as_str().unwrap().to_string())
}

/// Each candidate's recorded ask per question (`ask=-` for a family without one).
fn ask_lists(out: &std::path::Path, ids: &[&str]) -> Vec<Vec<String>> {
    per_question(out, ids, |q| {
        format!("ask={}", q["params"]["ask"].as_str().unwrap_or("-"))
    })
}

#[test]
fn every_candidate_gets_the_same_families_without_repeats_unless_told_to_vary() {
    let ids = ["ada", "grace", "alan", "barbara", "edsger"];
    let d = setup(&ids.join("\n"));
    fs::write(d.path().join("spec.toml"), MIXED_SPEC).unwrap();
    let run = |out: &str, extra: &[&str]| {
        groundwork(d.path())
            .args([
                "batch",
                "--candidates",
                "candidates.csv",
                "--spec",
                "spec.toml",
            ])
            .args(["--out", out, "--format", "json"])
            .args(extra)
            .assert()
            .success();
        family_lists(&d.path().join(out), &ids)
    };
    let same = run("same", &[]);
    assert!(same.iter().all(|f| *f == same[0]), "{same:?}");
    // The same ask of each family too, so a question slot asks the same kind of question of
    // everyone and `grade` can compare it (bloom alone draws among 3 asks at medium: 5 candidates
    // drawing freely would differ). A filesystem trace may still mark more calls for one
    // candidate than another.
    let asks = ask_lists(&d.path().join("same"), &ids);
    assert!(asks.iter().all(|a| *a == asks[0]), "{asks:?}");
    assert!(
        asks[0][0].starts_with("ask=") && asks[0][0] != "ask=-",
        "{asks:?}"
    );
    let mut once = same[0].clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), 7, "no family twice on a paper: {:?}", same[0]);
    assert_eq!(&same[0][..2], ["hashing.bloom", "probability.coupon"]);
    // The topic section skipped the family the explicit section placed.
    assert_eq!(same[0].iter().filter(|f| *f == "hashing.bloom").count(), 1);
    // `--vary families`: the topic sections draw per candidate (and still never repeat).
    let varied = run("varied", &["--vary", "families"]);
    assert!(
        varied.iter().any(|f| *f != varied[0]),
        "five candidates drawing 3 of 14 hashing families differ: {varied:?}"
    );
    for f in &varied {
        let mut u = f.clone();
        u.sort();
        u.dedup();
        assert_eq!(u.len(), f.len(), "{f:?}");
    }
    groundwork(d.path())
        .args([
            "batch",
            "--candidates",
            "candidates.csv",
            "--vary",
            "familes",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"families\"?"));
}

#[test]
fn candidate_files_as_people_write_them() {
    let d = setup("Name;E-mail\nAda Lovelace;ada@example.com\nGrace Hopper;grace@example.com\n");
    groundwork(d.path())
        .args(batch_args("out", "html"))
        .assert()
        .success()
        .stdout(predicate::str::contains("2 candidates"));
    let out = d.path().join("out");
    let paper = fs::read_to_string(out.join("papers/ada-at-example.com.html")).unwrap();
    assert!(
        paper.contains("Ada Lovelace"),
        "the name column fills the name line"
    );
    let manifest = fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert!(
        manifest.contains("ada@example.com,ada-at-example.com,Ada Lovelace,"),
        "{manifest}"
    );
    // A one-column file headed `id` has no phantom candidate called "id".
    let d = setup("id\nada\n");
    groundwork(d.path())
        .args(batch_args("out", "json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("1 candidate into"));
    assert!(!d.path().join("out/keys/id.json").exists());
}

/// The text of an HTML file, roughly: tags dropped, the entities our templates write decoded.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every stretch of plain text in a content tree (JSON), 40 characters or longer.
fn long_texts(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if s.chars().count() >= 40 => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| long_texts(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| long_texts(x, out)),
        _ => {}
    }
}

#[test]
fn papers_hold_no_answer_solution_or_follow_up_and_the_bound_pdfs_start_each_candidate_on_an_odd_page(
) {
    let ids = ["ada", "grace", "alan"];
    let d = setup(&ids.join("\n"));
    groundwork(d.path())
        .args(["batch", "--candidates", "candidates.csv", "--out", "out"])
        .args(["--format", "html,json,pdf,selfcheck"])
        .assert()
        .success();
    let out = d.path().join("out");
    for id in ids {
        let pack: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join(format!("keys/{id}.json"))).unwrap())
                .unwrap();
        let mut secrets = Vec::new();
        for q in pack["questions"].as_array().unwrap() {
            long_texts(&q["solution"], &mut secrets);
            long_texts(&q["followups"], &mut secrets);
            for slot in q["slots"].as_array().unwrap() {
                // Option texts are on the paper; the misconception behind each is not.
                for o in slot["expected"]["options"].as_array().into_iter().flatten() {
                    long_texts(&o["why_wrong"], &mut secrets);
                }
                long_texts(&slot["hand"], &mut secrets);
            }
        }
        // What the prompt itself shows (a solution may quote the code) is no secret.
        let mut shown = Vec::new();
        for q in pack["questions"].as_array().unwrap() {
            long_texts(&q["prompt"], &mut shown);
            for slot in q["slots"].as_array().unwrap() {
                long_texts(&slot["ask"], &mut shown);
            }
        }
        let shown = shown.join("\n");
        secrets.retain(|s| !s.contains('$') && !s.contains('`') && !shown.contains(s.as_str()));
        assert!(
            !secrets.is_empty(),
            "{id}: the key has solutions to look for"
        );
        let papers: Vec<String> = fs::read_dir(out.join("papers"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{id}."))
            })
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .map(|p| html_text(&fs::read_to_string(p).unwrap()))
            .collect();
        assert_eq!(papers.len(), 2, "{id}: paper and self-check page");
        for text in &papers {
            for s in &secrets {
                let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(!text.contains(&s), "{id}: the paper shows key text {s:?}");
            }
        }
    }
    for name in ["papers.pdf", "keys.pdf", "marking.pdf"] {
        assert!(out.join(name).is_file(), "{name}");
    }
    if !crate::require_tool("pdftotext", "apt-get install -y poppler-utils") {
        return;
    }
    let pages = |path: &std::path::Path| -> Vec<String> {
        let o = std::process::Command::new("pdftotext")
            .args(["-layout"])
            .arg(path)
            .arg("-")
            .output()
            .unwrap();
        assert!(o.status.success() && o.stderr.is_empty(), "{path:?}: {o:?}");
        let text = String::from_utf8(o.stdout).unwrap();
        let mut p: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
        if p.last().is_some_and(|l| l.trim().is_empty()) {
            p.pop();
        }
        p
    };
    for (bound, folder, suffix) in [
        ("papers.pdf", "papers", ".pdf"),
        ("keys.pdf", "keys", ".pdf"),
        ("marking.pdf", "keys", ".marking.pdf"),
    ] {
        let all = pages(&out.join(bound));
        let mut at = 0;
        for id in ids {
            let own = pages(&out.join(format!("{folder}/{id}{suffix}")));
            assert_eq!(
                at % 2,
                0,
                "{bound}: {id} starts on page {}, an even page",
                at + 1
            );
            for (i, page) in own.iter().enumerate() {
                assert_eq!(&all[at + i], page, "{bound}: {id}'s page {}", i + 1);
            }
            at += own.len();
            if own.len() % 2 == 1 {
                assert!(
                    all[at].trim().is_empty(),
                    "{bound}: a blank page after {id}"
                );
                at += 1;
            }
        }
        assert_eq!(at, all.len(), "{bound}: nothing else");
    }
}

#[test]
fn a_missing_or_altered_bound_pdf_comes_back_identical_without_rewriting_any_candidate() {
    let d = setup("ada\ngrace\nalan\n");
    let run = |tmpdir: Option<&str>| {
        let mut c = groundwork(d.path());
        if let Some(t) = tmpdir {
            c.env("TMPDIR", t);
        }
        c.args(batch_args("out", "pdf")).assert().success()
    };
    run(None).stdout(predicate::str::contains("3 written, 0 unchanged"));
    let out = d.path().join("out");
    let everything = || -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
        tree(&out)
            .into_iter()
            .filter(|f| f.ends_with(".pdf"))
            .map(|f| {
                let p = out.join(&f);
                let modified = fs::metadata(&p).unwrap().modified().unwrap();
                (f, fs::read(&p).unwrap(), modified)
            })
            .collect()
    };
    let first = everything();
    assert_eq!(
        first.len(),
        3 * 3 + 3,
        "three PDFs per candidate, three bound"
    );
    for (damage, bound) in [("remove", "papers.pdf"), ("truncate", "keys.pdf")] {
        let path = out.join(bound);
        if damage == "remove" {
            fs::remove_file(&path).unwrap();
        } else {
            let bytes = fs::read(&path).unwrap();
            fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        }
        // With no scratch folder no pack can be generated: only binding can make it succeed.
        run(Some("/nonexistent-groundwork-tmp")).stdout(predicate::str::contains(
            "0 written, 3 unchanged and skipped",
        ));
        for ((f, bytes, modified), (f2, bytes2, modified2)) in first.iter().zip(everything()) {
            assert_eq!(*f, f2);
            assert!(*bytes == bytes2, "{damage} {bound}: {f} differs");
            if f.contains('/') {
                assert_eq!(*modified, modified2, "{damage} {bound}: {f} was rewritten");
            }
        }
    }
    // Untouched, nothing is bound again.
    let bound_at = fs::metadata(out.join("marking.pdf"))
        .unwrap()
        .modified()
        .unwrap();
    run(None).stdout(predicate::str::contains("0 written, 3 unchanged"));
    assert_eq!(
        fs::metadata(out.join("marking.pdf"))
            .unwrap()
            .modified()
            .unwrap(),
        bound_at
    );
}
