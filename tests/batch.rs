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
    let manifest = fs::read_to_string(out.join("manifest.csv")).unwrap();
    let rows: Vec<&str> = manifest.lines().collect();
    assert_eq!(rows[0], "candidate,pack_code,files,sha256");
    assert_eq!(rows.len(), 4);
    let mut codes = Vec::new();
    let mut seeds = Vec::new();
    for (row, id) in rows[1..].iter().zip(["ada", "grace", "alan"]) {
        let cols: Vec<&str> = row.split(',').collect();
        assert_eq!(cols[0], id, "candidate order is the file's");
        codes.push(cols[1].to_string());
        // As many digests as files (zip would stop at the shorter list), one per file written for
        // the candidate (paper.html, key.html, pack.json; Moodle is one combined file), each the
        // file's SHA-256.
        let (files, digests): (Vec<&str>, Vec<&str>) =
            (cols[2].split(' ').collect(), cols[3].split(' ').collect());
        assert_eq!(files.len(), digests.len(), "{row}");
        assert_eq!(files.len(), 3, "{row}");
        assert!(
            files.iter().all(|f| f.starts_with(&format!("{id}/"))),
            "{row}"
        );
        for (file, digest) in files.into_iter().zip(digests) {
            let bytes = fs::read(out.join(file)).unwrap();
            assert_eq!(format!("{:x}", Sha256::digest(&bytes)), digest, "{file}");
        }
        let pack: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join(id).join("pack.json")).unwrap()).unwrap();
        assert_eq!(pack["meta"]["code"], cols[1]);
        assert!(pack["meta"]["title"].as_str().unwrap().ends_with(id));
        seeds.push(
            pack["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["seed"].as_u64().unwrap())
                .collect::<Vec<_>>(),
        );
    }
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
    let before = fs::metadata(d.path().join("a/ada/paper.html"))
        .unwrap()
        .modified()
        .unwrap();
    run("a").stdout(predicate::str::contains(
        "0 written, 2 unchanged and skipped",
    ));
    assert_eq!(
        fs::metadata(d.path().join("a/ada/paper.html"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    // A damaged output is redone.
    fs::remove_file(d.path().join("a/grace/pack.json")).unwrap();
    run("a").stdout(predicate::str::contains("1 written, 1 unchanged"));
    // Same inputs elsewhere: the same bytes.
    run("b");
    for f in [
        "manifest.csv",
        "answers.txt",
        "ada/paper.html",
        "grace/key.html",
        "grace/pack.json",
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
        ("ada\n../etc\n", 2, "unsafe in a file name"),
        ("name,email\nx,y\n", 1, "no `id` column"),
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
            d.path().join(&out).join("ada/pack.json").is_file(),
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
    fs::write(d.path().join("out/ada/paper.html"), "edited").unwrap();
    run(&[]).success().stdout(predicate::str::contains(
        "1 written, 1 unchanged and skipped",
    ));
    assert_eq!(read("ada/paper.html"), first_paper(&d));
}

const BATCH_OUTPUTS: &[&str] = &[
    "manifest.csv",
    "answers.txt",
    "moodle.xml",
    "pack.gift",
    "grace/pack.json",
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
    fs::read(d.path().join("fresh/ada/paper.html")).unwrap()
}

#[test]
fn a_rerun_with_fewer_formats_removes_what_it_no_longer_writes() {
    let d = setup("ada\ngrace\n");
    let run = |formats: &str| {
        groundwork(d.path())
            .args([
                "batch",
                "--candidates",
                "candidates.csv",
                "--out",
                "out",
                "--format",
                formats,
            ])
            .assert()
            .success()
    };
    run("html,md,moodle");
    let out = d.path().join("out");
    fs::write(out.join("ada/notes.txt"), "mine").unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    run("html,json")
        .stdout(predicate::str::contains("removed out/ada/pack.md"))
        .stdout(predicate::str::contains("removed out/grace/pack.md"))
        .stdout(predicate::str::contains("removed out/moodle.xml"));
    for id in ["ada", "grace"] {
        let files: Vec<String> = tree(&out.join(id)).into_iter().collect();
        let mut want = vec![
            ".groundwork",
            "key.html",
            "marking.html",
            "pack.json",
            "paper.html",
        ];
        if id == "ada" {
            want.push("notes.txt");
        }
        want.sort();
        assert_eq!(files, want, "{id}");
    }
    assert!(!out.join("moodle.xml").exists() && out.join("notes.txt").is_file());
    // The manifest lists exactly what is in the folders.
    let manifest = fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert!(!manifest.contains("pack.md"), "{manifest}");
    assert!(manifest.contains("ada/pack.json"), "{manifest}");
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
        "ada/.key.html.QwErTy.tmp",
        "ada/..groundwork.q1w2e3.tmp",
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
fn reserved_candidate_ids_are_refused_up_front() {
    for (content, line, id) in [
        ("ada\nmanifest.csv\n", 2, "manifest.csv"),
        ("id\nada\nANSWERS.TXT\n", 3, "ANSWERS.TXT"),
        ("moodle.xml\n", 1, "moodle.xml"),
        ("ada\ngrace\npack.gift\n", 3, "pack.gift"),
    ] {
        let d = setup(content);
        let before = tree(d.path());
        groundwork(d.path())
            .args([
                "batch",
                "--candidates",
                "candidates.csv",
                "--out",
                ".",
                "--format",
                "html,moodle",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "error: candidates.csv:{line}: candidate id `{id}` is reserved"
            )))
            .stderr(predicate::str::contains("hint: rename the candidate"));
        assert_eq!(tree(d.path()), before, "{id}: nothing written");
    }
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
