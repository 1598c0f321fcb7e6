//! `groundwork grade`: a round's results across candidates.
//!
//! - The statistics on a small hand-made data set, against values computed by hand below.
//! - A 30-candidate batch answered by a simulation (per-candidate ability, per-item difficulty,
//!   logistic), graded by the real binary: the outputs parse, totals agree with `check`, and the
//!   items the simulation made hardest have the lowest facility.
//! - Bad input: a missing candidate is listed, an unknown id is an error with nothing written, a
//!   bad line in one file is reported while the others are graded.
//! - report.html opens in headless Chromium without errors.

use crate::{groundwork, tree};
use groundwork::answer::Expected;
use groundwork::grade::stats;
use groundwork::pack::Pack;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ── The hand-made data set ─────────────────────────────────────────────────────────────────────
//
// Six candidates, three items worth 1 point each:
//
//   candidate  item1 item2 item3  total
//   C1           1     1     1      3
//   C2           1     1     0      2
//   C3           1     0     1      2
//   C4           1     0     0      1
//   C5           0     1     0      1
//   C6           0     0     0      0
//
// Facility (mean ÷ points): item1 4/6 = 0.6667, item2 3/6 = 0.5, item3 2/6 = 0.3333.
//
// Point-biserial with the rest-score r = total − item, using
// S_xy = Σxr − n·x̄·r̄, S_xx = Σx² − n·x̄², S_rr = Σr² − n·r̄², corr = S_xy / √(S_xx·S_rr):
//
//   item1: x = 1 1 1 1 0 0, r = 2 1 1 0 1 0; x̄ = 2/3, r̄ = 5/6
//          Σxr = 2+1+1+0 = 4 → S_xy = 4 − 6·(2/3)(5/6) = 4 − 10/3 = 2/3
//          S_xx = 4 − 6·4/9 = 4/3;  Σr² = 4+1+1+0+1+0 = 7 → S_rr = 7 − 6·25/36 = 17/6
//          corr = (2/3) / √(4/3 · 17/6) = (2/3) / (√34 / 3) = 2/√34 = 0.342997
//   item2: x = 1 1 0 0 1 0, r = 2 1 2 1 0 0; x̄ = 1/2, r̄ = 1
//          Σxr = 2+1+0 = 3 → S_xy = 3 − 6·(1/2)·1 = 0 → corr = 0 (flagged: below 0.2)
//   item3: x = 1 0 1 0 0 0, r = 2 2 1 1 1 0; x̄ = 1/3, r̄ = 7/6
//          Σxr = 2+1 = 3 → S_xy = 3 − 6·(1/3)(7/6) = 2/3
//          S_xx = 2 − 6/9 = 4/3;  Σr² = 4+4+1+1+1+0 = 11 → S_rr = 11 − 49/6 = 17/6
//          corr = 2/√34 = 0.342997
//
// Upper–lower 27%: groups of round(0.27·6) = round(1.62) = 2. Totals 3 2 2 1 1 0.
//   Upper: C1 (3), then one place for the two candidates on 2 (C2, C3): weight ½ each.
//   Lower: C6 (0), then one place for the two candidates on 1 (C4, C5): weight ½ each.
//   item1: upper (1 + ½·1 + ½·1)/2 = 1,    lower (0 + ½·1 + ½·0)/2 = 0.25 → 0.75
//   item2: upper (1 + ½·1 + ½·0)/2 = 0.75, lower (0 + ½·0 + ½·1)/2 = 0.25 → 0.50
//   item3: upper (1 + ½·0 + ½·1)/2 = 0.75, lower (0 + ½·0 + ½·0)/2 = 0    → 0.75

const HAND: [[f64; 3]; 6] = [
    [1.0, 1.0, 1.0],
    [1.0, 1.0, 0.0],
    [1.0, 0.0, 1.0],
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0],
];

#[test]
fn statistics_match_a_hand_computed_example() {
    let totals: Vec<f64> = HAND.iter().map(|r| r.iter().sum()).collect();
    let want_facility = [0.666667, 0.5, 0.333333];
    let want_pb = [0.342997, 0.0, 0.342997];
    let want_ul = [0.75, 0.5, 0.75];
    for i in 0..3 {
        let item: Vec<f64> = HAND.iter().map(|r| r[i]).collect();
        let f = stats::facility(&item, 1.0).unwrap();
        let pb = stats::point_biserial(&item, &totals).unwrap();
        let ul = stats::upper_lower(&item, &totals, 1.0).unwrap();
        assert!(
            (f - want_facility[i]).abs() < 1e-6,
            "item {}: facility {f}",
            i + 1
        );
        assert!(
            (pb - want_pb[i]).abs() < 1e-6,
            "item {}: point-biserial {pb}",
            i + 1
        );
        assert!(
            (ul - want_ul[i]).abs() < 1e-9,
            "item {}: upper-lower {ul}",
            i + 1
        );
    }
    // Every item worth 2 points instead of 1 (all scores doubled): the figures are unchanged.
    let item: Vec<f64> = HAND.iter().map(|r| 2.0 * r[0]).collect();
    let totals2: Vec<f64> = totals.iter().map(|t| 2.0 * t).collect();
    assert!((stats::facility(&item, 2.0).unwrap() - 0.666667).abs() < 1e-6);
    assert!((stats::point_biserial(&item, &totals2).unwrap() - 0.342997).abs() < 1e-6);
    assert!((stats::upper_lower(&item, &totals2, 2.0).unwrap() - 0.75).abs() < 1e-9);
}

// ── A simulated round ──────────────────────────────────────────────────────────────────────────

/// Six questions, three of them single choice, quick to generate; json only (no PDFs).
const SPEC: &str = r#"title = "Grade test round"
seed = 7
paper = true

[[section]]
families = ["hashing.choose_hash", "hashing.load_factor", "optimization.complexity", "probability.quorum", "filesystem.truncate", "optimization.memoization"]
difficulty = "medium"
"#;

/// The simulation's difficulty of each question (logit scale): questions 2 and 5 are made hard.
const DIFFICULTY: [f64; 6] = [-3.0, 3.0, -2.0, -1.0, 3.0, 0.0];

/// A batch of `n` candidates (`c01`…) written with `SPEC` into `dir/round` as JSON.
fn batch(dir: &Path, n: usize) -> PathBuf {
    batch_as(dir, n, "json")
}

fn batch_as(dir: &Path, n: usize, format: &str) -> PathBuf {
    std::fs::write(dir.join("round.toml"), SPEC).unwrap();
    let ids: String = (1..=n).map(|i| format!("c{i:02}\n")).collect();
    std::fs::write(dir.join("ids.txt"), format!("id\n{ids}")).unwrap();
    groundwork(dir)
        .args(["batch", "--candidates", "ids.txt", "--spec", "round.toml"])
        .args(["--out", "round", "--format", format, "--quiet"])
        .assert()
        .success();
    dir.join("round")
}

fn pack(round: &Path, id: &str) -> Pack {
    serde_json::from_slice(&std::fs::read(round.join(format!("keys/{id}.json"))).unwrap()).unwrap()
}

/// A wrong answer as a candidate would give it: another option of a choice question, a number
/// just outside the tolerance, or another near miss.
fn wrong(e: &Expected, rng: &mut ChaCha8Rng) -> String {
    let misses = e.near_misses();
    misses[rng.random_range(0..misses.len())].clone()
}

/// Answers a candidate of `ability` would write: each part right with probability
/// 1 / (1 + e^(difficulty − ability)), else a real wrong option or near miss.
fn simulate(pack: &Pack, ability: f64, rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    for (qi, q) in pack.questions.iter().enumerate() {
        let p = 1.0 / (1.0 + (DIFFICULTY[qi] - ability).exp());
        for slot in &q.slots {
            let answer = if rng.random_bool(p) {
                slot.expected.reference()
            } else {
                wrong(&slot.expected, rng)
            };
            s.push_str(&format!("{}{}: {answer}\n", qi + 1, slot.label));
        }
    }
    s
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (head, rows)
}

#[test]
fn a_simulated_round_of_30_gives_scores_items_and_a_report() {
    let d = tempfile::tempdir().unwrap();
    let round = batch(d.path(), 30);
    let answers = d.path().join("answers");
    std::fs::create_dir(&answers).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    // Abilities spread over ±4 on the logit scale (sd 2), as a round from junior to senior
    // would: with sd 1, 30 candidates give item-rest correlations within noise of 0.
    let normal = rand_distr::Normal::new(0.0, 2.0).unwrap();
    for i in 1..=30 {
        let id = format!("c{i:02}");
        let ability: f64 = rng.sample(normal);
        let text = simulate(&pack(&round, &id), ability, &mut rng);
        std::fs::write(answers.join(format!("{id}.txt")), text).unwrap();
    }
    let out = groundwork(d.path())
        .args(["grade", "round", "answers", "--format", "csv,json,html"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("30 graded, 0 missing"), "{stdout}");
    let results = round.join("results");
    let (head, scores) = read_csv(&results.join("scores.csv"));
    assert_eq!(&head[..4], ["id", "name", "total", "percentage"]);
    assert_eq!(scores.len(), 30);
    // Per-topic and per-part columns add up to the total.
    for row in &scores {
        let total: f64 = row["total"].parse().unwrap();
        let topics: f64 = ["hashing", "optimization", "probability", "filesystem"]
            .iter()
            .map(|t| row[*t].parse::<f64>().unwrap())
            .sum();
        // A part the candidate's paper does not have (families vary their number of parts) is
        // blank.
        let parts: f64 = head
            .iter()
            .filter(|h| h.starts_with('q') && !row[*h].is_empty())
            .map(|h| row[h].parse::<f64>().unwrap())
            .sum();
        assert!(
            (total - topics).abs() < 0.02 && (total - parts).abs() < 0.02,
            "{row:?}"
        );
    }
    // The totals are what `check` gives for the same files.
    for id in ["c03", "c17", "c30"] {
        let o = groundwork(d.path())
            .args([
                "check",
                &format!("round/keys/{id}.json"),
                &format!("answers/{id}.txt"),
            ])
            .args(["--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let row = scores.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(
            row["total"].parse::<f64>().unwrap(),
            report["score"].as_f64().unwrap(),
            "{id}"
        );
    }
    // Items: the hardest questions (2 and 5, every part) have the lowest facility of all.
    let (ihead, items) = read_csv(&results.join("items.csv"));
    assert!(ihead.contains(&"option_A".to_string()), "{ihead:?}");
    let facility = |r: &BTreeMap<String, String>| r["facility"].parse::<f64>().unwrap();
    let question = |r: &BTreeMap<String, String>| r["question"].parse::<usize>().unwrap();
    let hard_max = items
        .iter()
        .filter(|r| DIFFICULTY[question(r) - 1] > 2.0)
        .map(facility)
        .fold(f64::MIN, f64::max);
    let rest_min = items
        .iter()
        .filter(|r| DIFFICULTY[question(r) - 1] <= 2.0)
        .map(facility)
        .fold(f64::MAX, f64::min);
    assert!(
        hard_max < rest_min,
        "hardest items' facility up to {hard_max}, others from {rest_min}: {items:#?}"
    );
    // Choice questions: the shares of options picked sum to 1 (single choice, all answered).
    for r in items.iter().filter(|r| !r["option_A"].is_empty()) {
        let sum: f64 = ihead
            .iter()
            .filter(|h| h.starts_with("option_"))
            .filter_map(|h| r[h].parse::<f64>().ok())
            .sum();
        assert!((sum - 1.0).abs() < 0.01, "{r:?}");
        assert_eq!(r["invalid"], "0.000");
    }
    // items.csv agrees with scores.csv: for each part every candidate has, the facility is the
    // mean of its column ÷ its points, and the discrimination the correlation of the column with
    // total minus the column (computed here with the textbook formula, not the crate's).
    let mut compared = 0;
    for r in &items {
        let col = format!("q{}", r["label"]);
        let xs: Vec<f64> = scores.iter().filter_map(|s| s[&col].parse().ok()).collect();
        if xs.len() < 30 || r["points"].contains('–') {
            continue;
        }
        let points: f64 = r["points"].parse().unwrap();
        let mean = xs.iter().sum::<f64>() / 30.0;
        assert!((mean / points - facility(r)).abs() < 0.0006, "{r:?}");
        let rest: Vec<f64> = scores
            .iter()
            .zip(&xs)
            .map(|(s, x)| s["total"].parse::<f64>().unwrap() - x)
            .collect();
        let mr = rest.iter().sum::<f64>() / 30.0;
        let sxy: f64 = xs
            .iter()
            .zip(&rest)
            .map(|(x, y)| (x - mean) * (y - mr))
            .sum();
        let sxx: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        let syy: f64 = rest.iter().map(|y| (y - mr).powi(2)).sum();
        if sxx > 0.0 && syy > 0.0 {
            let want = sxy / (sxx * syy).sqrt();
            let got: f64 = r["discrimination"].parse().unwrap();
            assert!((want - got).abs() < 0.0006, "{col}: {want} vs {got}");
            compared += 1;
        }
    }
    assert!(compared >= 4, "only {compared} items compared");
    // Ability drives every answer, so the items separate strong candidates from weak ones on
    // average: a mean point-biserial well above 0 (one item of 30 answers can still come out low).
    let ds: Vec<f64> = items
        .iter()
        .filter_map(|r| r["discrimination"].parse::<f64>().ok())
        .collect();
    let mean_d = ds.iter().sum::<f64>() / ds.len() as f64;
    assert!(
        ds.len() >= 4 && mean_d > 0.2,
        "mean discrimination {mean_d} over {ds:?}"
    );
    // results.json holds the same totals; report.html the tables and plots.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(results.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["candidates"].as_array().unwrap().len(), 30);
    assert_eq!(
        json["candidates"][2]["score"].as_f64().unwrap().to_string(),
        scores[2]["total"]
    );
    let html = std::fs::read_to_string(results.join("report.html")).unwrap();
    assert!(html.contains("id=\"scores-table\"") && html.contains("id=\"items-table\""));
    assert!(
        html.contains("class=\"histogram\"") && html.matches("class=\"profile\"").count() == 30
    );
    for external in ["http://", "https://", "src=\"", "<link"] {
        let hits: Vec<&str> = html
            .match_indices(external)
            .map(|(i, _)| &html[i.saturating_sub(40)..(i + 40).min(html.len())])
            .filter(|ctx| !ctx.contains("http://www.w3.org/2000/svg"))
            .collect();
        assert!(
            hits.is_empty(),
            "report.html refers outside itself: {hits:?}"
        );
    }
}

// ── Bad input ──────────────────────────────────────────────────────────────────────────────────

/// A graded batch of three (`c01`…`c03`) with `c01` answered with its own key.
fn three(dir: &Path) -> PathBuf {
    let round = batch(dir, 3);
    std::fs::create_dir(dir.join("answers")).unwrap();
    let key = groundwork(dir)
        .args(["answers", "round/keys/c01.json"])
        .output()
        .unwrap()
        .stdout;
    std::fs::write(dir.join("answers/c01.txt"), key).unwrap();
    round
}

#[test]
fn a_candidate_without_answers_is_listed_as_missing() {
    let d = tempfile::tempdir().unwrap();
    let round = three(d.path());
    let out = groundwork(d.path())
        .args(["grade", "round", "answers"])
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("1 graded, 2 missing"), "{stdout}");
    let (_, rows) = read_csv(&round.join("results/scores.csv"));
    let status: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r["id"].as_str(), r["status"].as_str(), r["total"].as_str()))
        .collect();
    assert_eq!(
        status,
        [
            ("c01", "graded", "30"),
            ("c02", "missing", ""),
            ("c03", "missing", "")
        ]
    );
    // Statistics count the graded candidate only.
    let (_, items) = read_csv(&round.join("results/items.csv"));
    assert!(items
        .iter()
        .all(|r| r["n"] == "1" && r["facility"] == "1.000"));
    assert!(round.join("results/report.html").is_file());
    assert!(!round.join("results/results.json").exists());
}

#[test]
fn an_answers_file_for_an_unknown_id_is_an_error_and_nothing_is_written() {
    let d = tempfile::tempdir().unwrap();
    three(d.path());
    std::fs::write(d.path().join("answers/c04.txt"), "1: A\n").unwrap();
    let before = tree(d.path());
    let out = groundwork(d.path())
        .args(["grade", "round", "answers"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("answers/c04.txt") && stderr.contains("c04"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    assert_eq!(tree(d.path()), before);
    // Two files for one candidate: the same.
    std::fs::remove_file(d.path().join("answers/c04.txt")).unwrap();
    std::fs::write(d.path().join("answers/c02.json"), "{\"1\": \"A\"}").unwrap();
    std::fs::write(d.path().join("answers/c02.txt"), "1: A\n").unwrap();
    let before = tree(d.path());
    let out = groundwork(d.path())
        .args(["grade", "round", "answers"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("c02.json") && stderr.contains("c02.txt"),
        "{stderr}"
    );
    assert_eq!(tree(d.path()), before);
}

#[test]
fn a_bad_line_is_reported_for_its_file_and_the_others_are_graded() {
    let d = tempfile::tempdir().unwrap();
    let round = three(d.path());
    let key = |id: &str| {
        groundwork(d.path())
            .args(["answers", &format!("round/keys/{id}.json")])
            .output()
            .unwrap()
            .stdout
    };
    // c02: its key with line 2 (question 1's answer) broken: no separator.
    let text = String::from_utf8(key("c02")).unwrap();
    let broken: Vec<String> = text
        .lines()
        .map(|l| match l.strip_prefix("1: ") {
            Some(a) => format!("1 {a}"),
            None => l.to_string(),
        })
        .collect();
    std::fs::write(d.path().join("answers/c02.txt"), broken.join("\n")).unwrap();
    let out = groundwork(d.path())
        .args(["grade", "round", "answers", "--format", "csv,json"])
        .assert()
        .code(0);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("c02") && stderr.contains("line 2") && !stderr.contains("c01"),
        "{stderr}"
    );
    let (_, rows) = read_csv(&round.join("results/scores.csv"));
    assert_eq!(rows[0]["total"], "30");
    // c02 loses question 1 (5 points) only, and the problem is in its row.
    assert_eq!(rows[1]["total"], "25");
    assert_eq!(rows[1]["q1"], "0");
    assert!(rows[1]["problems"].contains("line 2"), "{:?}", rows[1]);
    // c03: JSON that does not parse is unreadable: listed, the others still graded, exit 1.
    std::fs::write(d.path().join("answers/c03.json"), "{\"1\": ").unwrap();
    let out = groundwork(d.path())
        .args(["grade", "round", "answers", "--format", "csv"])
        .assert()
        .code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("c03.json"), "{stderr}");
    let (_, rows) = read_csv(&round.join("results/scores.csv"));
    let status: Vec<&str> = rows.iter().map(|r| r["status"].as_str()).collect();
    assert_eq!(status, ["graded", "graded", "unreadable"]);
    assert_eq!(rows[0]["total"], "30");
    // The json format was not asked for this time: the earlier run's results.json is removed.
    assert!(!round.join("results/results.json").exists());
}

#[test]
fn marks_by_hand_replace_the_graders_points() {
    let d = tempfile::tempdir().unwrap();
    let round = three(d.path());
    std::fs::write(d.path().join("answers/c01.marks"), "1: 2/5 \"slip\"\n").unwrap();
    groundwork(d.path())
        .args(["grade", "round", "answers", "--format", "csv"])
        .assert()
        .code(0);
    let (_, rows) = read_csv(&round.join("results/scores.csv"));
    assert_eq!(
        (rows[0]["total"].as_str(), rows[0]["q1"].as_str()),
        ("27", "2")
    );
}

#[test]
fn without_pack_json_the_packs_are_regenerated_from_their_codes() {
    let d = tempfile::tempdir().unwrap();
    let round = batch_as(d.path(), 2, "html");
    assert!(!round.join("keys/c01.json").exists());
    std::fs::create_dir(d.path().join("answers")).unwrap();
    // c01 answers with its key (from the code in the manifest), c02 with c01's key.
    let (_, manifest) = read_csv(&round.join("manifest.csv"));
    let key = groundwork(d.path())
        .args(["answers", &manifest[0]["pack_code"]])
        .output()
        .unwrap()
        .stdout;
    std::fs::write(d.path().join("answers/c01.txt"), &key).unwrap();
    std::fs::write(d.path().join("answers/c02.txt"), &key).unwrap();
    groundwork(d.path())
        .args(["grade", "round", "answers", "--format", "csv,json"])
        .assert()
        .code(0);
    let (_, rows) = read_csv(&round.join("results/scores.csv"));
    assert_eq!(rows[0]["total"], "30");
    let check = groundwork(d.path())
        .args([
            "check",
            &manifest[1]["pack_code"],
            "answers/c02.txt",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        rows[1]["total"],
        report["score"].as_f64().unwrap().to_string()
    );
    assert_ne!(
        rows[1]["total"], "30",
        "c01's key should not fit c02's numbers"
    );
    // The round keeps the batch's title (from answers.txt).
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(round.join("results/results.json")).unwrap())
            .unwrap();
    assert_eq!(json["title"], "Grade test round");
}

// ── In a browser ───────────────────────────────────────────────────────────────────────────────

#[test]
fn the_report_opens_in_chromium_without_errors() {
    let d = tempfile::tempdir().unwrap();
    let round = three(d.path());
    std::fs::write(d.path().join("answers/c02.txt"), "1: A\n2 what\n").unwrap();
    groundwork(d.path())
        .args(["grade", "round", "answers"])
        .assert()
        .code(0);
    let report = round.join("results/report.html");
    let Some(mut b) = crate::selfcheck::Browser::launch() else {
        return;
    };
    // The page as a file: its script runs to the end (it marks the page when done), it loaded
    // nothing else, and sorting by total puts the missing candidates (no total) last.
    b.open_when(
        &report,
        "document.readyState === 'complete' && document.documentElement.dataset.sortable === 'ready'",
    );
    assert_eq!(
        b.eval("performance.getEntriesByType('resource').length"),
        serde_json::json!(0)
    );
    assert_eq!(
        b.eval("document.querySelectorAll('svg.histogram rect').length > 0"),
        serde_json::json!(true)
    );
    let order = b.eval(
        "(() => { const th = [...document.querySelectorAll('#scores-table th')].find(h => h.textContent.startsWith('Total')); \
         th.click(); th.click(); \
         return [...document.querySelectorAll('#scores-table tbody tr')].map(r => r.cells[0].textContent); })()",
    );
    assert_eq!(order, serde_json::json!(["c01", "c02", "c03"]));
    // Console errors and uncaught exceptions: the same bytes loaded into a frame whose console
    // and error events are watched from before the first byte is parsed.
    let html = std::fs::read_to_string(&report).unwrap();
    let watch = "<script>window.__problems=[];addEventListener('error',e=>__problems.push(String(e.message||e.target&&e.target.outerHTML)),true);\
                 addEventListener('unhandledrejection',e=>__problems.push(String(e.reason)));\
                 for(const k of ['error','warn'])console[k]=(...a)=>__problems.push(k+': '+a.join(' '));</script>";
    let watched = html.replacen("<head>", &format!("<head>{watch}"), 1);
    assert_ne!(watched, html);
    let problems = b.eval(&format!(
        "new Promise(done => {{ const f = document.createElement('iframe'); \
         f.onload = () => done(f.contentWindow.document.documentElement.dataset.sortable === 'ready' ? f.contentWindow.__problems : ['the script did not finish']); \
         f.srcdoc = {}; document.body.appendChild(f); }})",
        serde_json::to_string(&watched).unwrap()
    ));
    assert_eq!(
        problems,
        serde_json::json!([]),
        "console problems in report.html"
    );
    // The watcher itself works: a page with an error is caught.
    let bad = watched.replacen("</body>", "<script>undefinedFunction()</script></body>", 1);
    let caught = b.eval(&format!(
        "new Promise(done => {{ const f = document.createElement('iframe'); \
         f.onload = () => done(f.contentWindow.__problems.length); \
         f.srcdoc = {}; document.body.appendChild(f); }})",
        serde_json::to_string(&bad).unwrap()
    ));
    assert_eq!(caught, serde_json::json!(1));
}
