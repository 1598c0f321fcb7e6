//! Moodle XML and GIFT: generated for packs covering every answer kind, then parsed for real:
//! the XML with roxmltree and checked against the structure Moodle's importer reads, the GIFT by
//! a third-party parser (gift-pegjs from npm, run with node) and checked slot by slot.

use groundwork::answer::Expected;
use groundwork::export::{gift, moodle, Templates};
use groundwork::family::{self, Topic};
use groundwork::pack::{self, Pack};
use groundwork::spec::Spec;
use std::path::PathBuf;

/// Packs that between them hold every family once, at every difficulty.
fn packs() -> Vec<Pack> {
    ["easy", "medium", "hard"]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut src = format!("title = \"LMS {d}\"\nseed = {}\n", 40 + i);
            for t in Topic::ALL {
                // Every family of the topic, however many the registry holds.
                let count = family::of_topic(t).len();
                src.push_str(&format!(
                    "[[section]]\ntopic = \"{}\"\ncount = {count}\ndifficulty = \"{d}\"\n",
                    t.id()
                ));
            }
            pack::build(&Spec::parse(&src, "lms.toml").unwrap(), None).unwrap()
        })
        .collect()
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.tag_name().name() == name)
}

fn text(n: Option<roxmltree::Node>) -> String {
    n.and_then(|n| child(n, "text"))
        .and_then(|t| t.text())
        .unwrap_or("")
        .to_string()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
}

#[test]
fn moodle_xml_has_the_structure_moodle_imports() {
    let packs = packs();
    let refs: Vec<&Pack> = packs.iter().collect();
    let xml = moodle::render_packs(&refs, &Templates::embedded()).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let quiz = doc.root_element();
    assert_eq!(quiz.tag_name().name(), "quiz");
    let slots: Vec<_> = packs.iter().flat_map(|p| p.questions.iter()).collect();
    let mut category = String::new();
    let mut seen = 0;
    for q in quiz.children().filter(|n| n.is_element()) {
        assert_eq!(q.tag_name().name(), "question");
        let kind = q.attribute("type").unwrap();
        if kind == "category" {
            category = text(child(q, "category"));
            assert!(
                category.starts_with("$course$/top/groundwork/"),
                "{category}"
            );
            continue;
        }
        seen += 1;
        let code = text(child(q, "name"));
        let idnumber = child(q, "idnumber").and_then(|n| n.text()).unwrap_or("");
        let question = slots
            .iter()
            .find(|s| s.code == idnumber)
            .unwrap_or_else(|| panic!("no question {idnumber}"));
        assert!(code.contains(&question.code), "name {code}");
        assert!(
            category.ends_with(&question.family),
            "{} filed under {category}",
            question.family
        );
        assert!(!text(child(q, "questiontext")).is_empty());
        assert!(!text(child(q, "generalfeedback")).is_empty());
        let answers: Vec<_> = q
            .children()
            .filter(|c| c.tag_name().name() == "answer")
            .collect();
        let frac = |a: &roxmltree::Node| a.attribute("fraction").unwrap().parse::<f64>().unwrap();
        let expected = &question.slots[0].expected;
        match kind {
            "cloze" => {
                let t = text(child(q, "questiontext"));
                let embedded = t.matches(":NUMERICAL:").count()
                    + t.matches(":SHORTANSWER:").count()
                    + t.matches(":MULTICHOICE:").count()
                    + t.matches(":MULTIRESPONSE:").count();
                assert_eq!(embedded, question.slots.len(), "{idnumber}: {t}");
                assert!(question.slots.len() > 1);
            }
            "numerical" => {
                assert_eq!(answers.len(), 1);
                let v: f64 = text(Some(answers[0])).parse().unwrap();
                let tol: f64 = child(answers[0], "tolerance")
                    .and_then(|n| n.text())
                    .unwrap()
                    .parse()
                    .unwrap();
                match expected {
                    Expected::Integer { value } => assert!(close(v, *value as f64) && tol == 0.0),
                    Expected::Real { value, tolerance } => {
                        assert!(
                            (v - value).abs() <= 1e-9 * value.abs().max(1.0),
                            "{v} vs {value}"
                        );
                        assert!(close(tol, tolerance.half_width(*value)), "tolerance {tol}");
                    }
                    e => panic!("numerical for {e:?}"),
                }
                assert_eq!(frac(&answers[0]), 100.0);
            }
            "multichoice" => {
                let single = child(q, "single").and_then(|n| n.text()) == Some("true");
                let opts = expected.options().unwrap();
                assert_eq!(answers.len(), opts.len());
                if single {
                    assert_eq!(answers.iter().filter(|a| frac(a) == 100.0).count(), 1);
                } else {
                    let pos: f64 = answers.iter().map(frac).filter(|f| *f > 0.0).sum();
                    assert!(
                        (pos - 100.0).abs() < 0.01,
                        "{idnumber}: right options sum to {pos}"
                    );
                }
            }
            "shortanswer" => {
                let accepted: Vec<String> = answers.iter().map(|a| text(Some(*a))).collect();
                assert!(
                    accepted.contains(&expected.reference()),
                    "{accepted:?} vs {}",
                    expected.reference()
                );
            }
            k => panic!("unexpected type {k}"),
        }
    }
    assert_eq!(seen, slots.len());
}

/// The gift-pegjs parser, installed by `.ci/run` (or by hand: see the README) under target/node.
fn gift_parser() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/node/node_modules/gift-pegjs");
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    crate::require(
        "node with gift-pegjs under target/node",
        dir.is_dir() && node,
        "npm install --prefix target/node gift-pegjs@1.0.2",
    )
    .then_some(dir)
}

#[test]
fn gift_is_read_back_by_a_third_party_parser() {
    let Some(parser) = gift_parser() else { return };
    let packs = packs();
    let refs: Vec<&Pack> = packs.iter().collect();
    let src = gift::render_packs(&refs, &Templates::embedded()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pack.gift");
    std::fs::write(&file, &src).unwrap();
    let script = format!(
        "const {{ parse }} = require({:?}); console.log(JSON.stringify(parse(require('fs').readFileSync({:?}, 'utf8'))));",
        parser.display().to_string(),
        file.display().to_string()
    );
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gift-pegjs rejected the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let questions: Vec<&serde_json::Value> =
        items.iter().filter(|i| i["type"] != "Category").collect();
    let slots: Vec<(
        &groundwork::family::Question,
        &groundwork::answer::AnswerSlot,
    )> = packs
        .iter()
        .flat_map(|p| p.questions.iter())
        .flat_map(|q| q.slots.iter().map(move |s| (q, s)))
        .collect();
    assert_eq!(questions.len(), slots.len());
    for item in &questions {
        // Titles are "Q3 (a) · title · CODE" (no part label for a one-part question).
        let title = item["title"].as_str().unwrap();
        let (q, s) = slots
            .iter()
            .find(|(q, s)| {
                title.ends_with(&format!(" · {}", q.code))
                    && (q.slots.len() == 1 || title.contains(&format!("({})", s.label)))
            })
            .unwrap_or_else(|| panic!("no slot for {title}"));
        assert!(title.contains(&q.title), "{title} / {}", q.title);
        let stem = item["stem"]["text"].as_str().unwrap();
        assert!(
            !stem.is_empty() && !stem.contains("\\{"),
            "unescaped stem: {stem}"
        );
        match &s.expected {
            Expected::Integer { value } => {
                assert_eq!(item["type"], "Numerical", "{}", q.code);
                assert!(close(
                    item["choices"]["number"].as_f64().unwrap(),
                    *value as f64
                ));
            }
            Expected::Real { value, tolerance } => {
                assert_eq!(item["type"], "Numerical", "{}", q.code);
                let n = item["choices"]["number"].as_f64().unwrap();
                assert!(
                    (n - value).abs() <= 1e-9 * value.abs().max(1.0),
                    "{n} vs {value}"
                );
                let r = item["choices"]["range"].as_f64().unwrap();
                assert!(
                    (r - tolerance.half_width(*value)).abs() <= 1e-9 * r.max(1e-300),
                    "{r}"
                );
            }
            Expected::Choice { options, correct } => {
                assert_eq!(item["type"], "MC");
                let ch = item["choices"].as_array().unwrap();
                assert_eq!(ch.len(), options.len());
                let right: Vec<usize> = ch
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c["isCorrect"] == true)
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(right, [*correct]);
            }
            Expected::Multi {
                options, correct, ..
            } => {
                assert_eq!(item["type"], "MC");
                let ch = item["choices"].as_array().unwrap();
                assert_eq!(ch.len(), options.len());
                let positive: Vec<usize> = ch
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c["weight"].as_f64().unwrap_or(0.0) > 0.0)
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(&positive, correct);
            }
            other => {
                assert_eq!(item["type"], "Short", "{}", q.code);
                let accepted: Vec<&str> = item["choices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["text"]["text"].as_str().unwrap())
                    .collect();
                assert!(
                    accepted.contains(&other.reference().as_str()),
                    "{accepted:?} vs {}",
                    other.reference()
                );
            }
        }
    }
}

#[test]
fn the_packs_cover_every_family() {
    let packs = packs();
    let covered: std::collections::BTreeSet<&str> = packs
        .iter()
        .flat_map(|p| p.questions.iter().map(|q| q.family.as_str()))
        .collect();
    for f in family::FAMILIES.iter() {
        assert!(
            covered.contains(f.id()),
            "{} is in no LMS test pack",
            f.id()
        );
    }
}
