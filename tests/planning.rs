//! Pack planning as a hiring manager sees it: a family appears once per paper, counts that
//! cannot be met are errors naming the section, a fixed family seed gives the same families with
//! other numbers, and `groundwork audit` reports what it finds with an honest exit code.

use crate::{groundwork, tree};
use groundwork::family::of_topic;
use groundwork::family::Topic;
use groundwork::pack::Pack;
use std::collections::BTreeSet;
use std::path::Path;

fn pack_of(dir: &Path, spec: &str) -> Pack {
    std::fs::write(dir.join("spec.toml"), spec).unwrap();
    groundwork(dir)
        .args([
            "generate",
            "--quiet",
            "--format",
            "json",
            "--spec",
            "spec.toml",
        ])
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(dir.join("pack/pack.json")).unwrap()).unwrap()
}

fn refused(dir: &Path, spec: &str, message: &str, hint: &str) {
    std::fs::write(dir.join("spec.toml"), spec).unwrap();
    let before = tree(dir);
    let out = groundwork(dir)
        .args(["generate", "--spec", "spec.toml"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains(message), "{err}");
    assert!(err.contains(hint), "{err}");
    assert_eq!(tree(dir), before, "nothing is written on error");
}

#[test]
fn a_family_appears_once_per_paper_and_topic_sections_skip_explicit_ones() {
    let dir = tempfile::tempdir().unwrap();
    let n = of_topic(Topic::Hashing).len();
    // The explicit section takes bloom; the topic section takes every other hashing family.
    let spec = format!(
        "seed = 3\n[[section]]\ntopic = \"hashing\"\ncount = {}\n[[section]]\nfamilies = [\"hashing.bloom\"]\n",
        n - 1
    );
    let pack = pack_of(dir.path(), &spec);
    let fams: Vec<&str> = pack.questions.iter().map(|q| q.family.as_str()).collect();
    let distinct: BTreeSet<&str> = fams.iter().copied().collect();
    assert_eq!(fams.len(), n);
    assert_eq!(distinct.len(), n, "no family twice: {fams:?}");
    assert_eq!(fams.iter().filter(|f| **f == "hashing.bloom").count(), 1);
    // One more than the topic has left is an error naming the section and the number left.
    let spec = format!(
        "seed = 3\n[[section]]\ntopic = \"hashing\"\ncount = {n}\n[[section]]\nfamilies = [\"hashing.bloom\"]\n"
    );
    refused(
        dir.path(),
        &spec,
        &format!(
            "section 1: count {n} is more than the {} hashing families left",
            n - 1
        ),
        "repeat = true",
    );
}

#[test]
fn repeating_a_family_needs_repeat_true() {
    let dir = tempfile::tempdir().unwrap();
    let twice = "[[section]]\nfamilies = [\"probability.coupon\"]\n[[section]]\nfamilies = [\"probability.coupon\"]\n";
    refused(
        dir.path(),
        twice,
        "section 2: probability.coupon is already on the paper",
        "repeat = true",
    );
    refused(
        dir.path(),
        "[[section]]\nfamilies = [\"probability.coupon\"]\ncount = 2\n",
        "count 2 is more than the 1 families listed",
        "repeat = true",
    );
    let pack = pack_of(
        dir.path(),
        "[[section]]\nfamilies = [\"probability.coupon\"]\ncount = 2\nrepeat = true\n",
    );
    assert_eq!(pack.questions.len(), 2);
    assert_ne!(
        pack.questions[0].seed, pack.questions[1].seed,
        "two variants, not two copies"
    );
}

#[test]
fn a_fixed_family_seed_gives_the_same_families_with_other_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |seed: u64| {
        format!("seed = {seed}\nfamily_seed = 11\n[[section]]\ntopic = \"filesystem\"\ncount = 4\n[[section]]\ntopic = \"optimization\"\ncount = 4\n")
    };
    let a = pack_of(dir.path(), &spec(1));
    let b = pack_of(dir.path(), &spec(2));
    let fams = |p: &Pack| {
        p.questions
            .iter()
            .map(|q| q.family.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(fams(&a), fams(&b));
    assert_ne!(a.meta.code, b.meta.code);
    let seeds = |p: &Pack| p.questions.iter().map(|q| q.seed).collect::<Vec<_>>();
    assert_ne!(seeds(&a), seeds(&b), "the numbers differ");
    // Without a family seed, the pack seed chooses the families (and 8 of 30 rarely coincide).
    let c = pack_of(
        dir.path(),
        &spec(1).replace("family_seed = 11\n", "family_seed = 12\n"),
    );
    assert_ne!(fams(&a), fams(&c));
}

#[test]
fn the_audit_reports_every_row_and_exits_1_exactly_when_a_rule_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = groundwork(dir.path())
        .args([
            "audit",
            "probability",
            "hashing.birthday",
            "--seeds",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 3 * (of_topic(Topic::Probability).len() + 1));
    let failing = rows
        .iter()
        .filter(|r| !r["problems"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(
        out.status.code(),
        Some(i32::from(failing > 0)),
        "{failing} failing rows"
    );
    for r in &rows {
        assert_eq!(r["questions"], 3, "{r}");
        assert!(r["distinct_answers"].as_u64().unwrap() >= 1);
    }
    // A name that is neither a topic nor a family is bad input.
    groundwork(dir.path())
        .args(["audit", "hashing.birthdy"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `hashing.birthday`"));
}
