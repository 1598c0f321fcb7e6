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
                let parts = cloze_parts(&t);
                assert_eq!(parts.len(), question.slots.len(), "{idnumber}: {t}");
                assert!(question.slots.len() > 1);
                for (part, slot) in parts.iter().zip(&question.slots) {
                    check_cloze_part(idnumber, part, &slot.expected);
                }
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
                        // Moodle accepts [v − tol, v + tol]: exactly the key's accepted range.
                        let w = tolerance.window(*value);
                        assert!(
                            close(v - tol, w.lo) && close(v + tol, w.hi),
                            "{v} ± {tol} vs {w:?}"
                        );
                        assert!(w.contains(*value));
                    }
                    e => panic!("numerical for {e:?}"),
                }
                assert_eq!(frac(&answers[0]), 100.0);
            }
            "multichoice" => {
                let single = child(q, "single").and_then(|n| n.text()) == Some("true");
                let opts = expected.options().unwrap();
                assert_eq!(answers.len(), opts.len());
                // The answers come in option order, each carrying its option's text: the right
                // option earns 100% (a multi's right ones share it), every other one nothing or
                // less.
                let right: Vec<usize> = match expected {
                    Expected::Choice { correct, .. } => vec![*correct],
                    Expected::Multi { correct, .. } => correct.clone(),
                    e => panic!("multichoice for {e:?}"),
                };
                for (i, o) in opts.iter().enumerate() {
                    let a = &answers[i];
                    let plain = o.text.replace('`', "").replace("**", "");
                    let shown = text(Some(*a));
                    let words: Vec<&str> = plain
                        .split_whitespace()
                        .filter(|w| w.chars().all(|c| c.is_alphanumeric()))
                        .collect();
                    assert!(
                        words.iter().all(|w| shown.contains(w)),
                        "{idnumber}: answer {i} `{shown}` is not option `{}`",
                        o.text
                    );
                    let f = frac(a);
                    if right.contains(&i) {
                        let want = if single {
                            100.0
                        } else {
                            100.0 / right.len() as f64
                        };
                        assert!(
                            (f - want).abs() < 0.01,
                            "{idnumber}: right option `{}` has {f}%",
                            o.text
                        );
                    } else {
                        assert!(f <= 0.0, "{idnumber}: wrong option `{}` has {f}%", o.text);
                    }
                }
                assert_eq!(
                    single,
                    matches!(expected, Expected::Choice { .. }),
                    "{idnumber}"
                );
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

/// The embedded answers of a cloze question text: each `{points:TYPE:body}` as its type and its
/// alternatives (split at unescaped `~`, escapes removed).
fn cloze_parts(t: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '{' {
            i += 1;
            continue;
        }
        // Up to the first `:` after the points, then the type, then the body to the unescaped `}`.
        let mut j = i + 1;
        let mut head = String::new();
        while j < chars.len() && head.matches(':').count() < 2 && chars[j] != '}' {
            head.push(chars[j]);
            j += 1;
        }
        let fields: Vec<&str> = head.split(':').collect();
        if fields.len() < 3 || fields[0].parse::<u32>().is_err() {
            i += 1;
            continue;
        }
        let mut alts = vec![String::new()];
        while j < chars.len() && chars[j] != '}' {
            match chars[j] {
                '\\' if j + 1 < chars.len() => {
                    alts.last_mut().unwrap().push(chars[j + 1]);
                    j += 1;
                }
                '~' => alts.push(String::new()),
                c => alts.last_mut().unwrap().push(c),
            }
            j += 1;
        }
        out.push((fields[1].to_string(), alts));
        i = j + 1;
    }
    out
}

/// One cloze part agrees with its slot: a number's value and half-width, the 100% option of a
/// single choice, the positive options of a multiple choice, the reference among short answers.
fn check_cloze_part(at: &str, (kind, alts): &(String, Vec<String>), e: &Expected) {
    match (kind.as_str(), e) {
        ("NUMERICAL", Expected::Integer { value }) => {
            assert_eq!(alts, &vec![format!("={value}:0")], "{at}")
        }
        ("NUMERICAL", Expected::Real { value, tolerance }) => {
            let (v, w) = alts[0].trim_start_matches('=').split_once(':').unwrap();
            let (v, w): (f64, f64) = (v.parse().unwrap(), w.parse().unwrap());
            // The one accepted window, stated as centre ± half-width; it holds the key.
            let window = tolerance.window(*value);
            assert!(
                close(v, window.centre()) && window.contains(*value),
                "{at}: value {v} vs window {window:?} around {value}"
            );
            assert!(
                close(w, window.half_width()),
                "{at}: half-width {w} vs {}",
                window.half_width()
            );
        }
        ("MULTICHOICE", Expected::Choice { options, correct }) => {
            assert_eq!(alts.len(), options.len(), "{at}");
            let right: Vec<usize> = (0..alts.len())
                .filter(|i| alts[*i].starts_with('='))
                .collect();
            assert_eq!(right, vec![*correct], "{at}: {alts:?}");
            // Option text is inline markup; the cloze holds it as plain text.
            assert!(
                alts[*correct]
                    .contains(&groundwork::content::plain_markup(&options[*correct].text)),
                "{at}: {alts:?}"
            );
        }
        (
            "MULTIRESPONSE",
            Expected::Multi {
                options, correct, ..
            },
        ) => {
            assert_eq!(alts.len(), options.len(), "{at}");
            for (i, a) in alts.iter().enumerate() {
                let w: f64 = a
                    .trim_start_matches('%')
                    .split('%')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert_eq!(
                    w > 0.0,
                    correct.contains(&i),
                    "{at}: option {i} weighted {w}"
                );
            }
        }
        ("SHORTANSWER", e) => assert!(
            alts.iter()
                .any(|a| a.trim_start_matches('=') == e.reference()),
            "{at}: {alts:?} vs {}",
            e.reference()
        ),
        (k, e) => panic!("{at}: a {k} part for {e:?}"),
    }
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
                let r = item["choices"]["range"].as_f64().unwrap();
                // GIFT's {#n:r} accepts [n − r, n + r]: exactly the key's accepted range.
                let w = tolerance.window(*value);
                let near =
                    |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
                assert!(near(n - r, w.lo) && near(n + r, w.hi), "{n} ± {r} vs {w:?}");
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
