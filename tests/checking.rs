//! Candidates checking their answers: `answers`, `check` (by pack.json and by pack code), sealed
//! packs, and `practice` driven through piped stdin.

use crate::groundwork;
use predicates::prelude::*;
use std::fs;

fn pack_dir(extra: &[&str]) -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let mut args = vec!["generate", "--quiet", "--format", "json"];
    args.extend_from_slice(extra);
    groundwork(d.path()).args(&args).assert().success();
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let code = pack["meta"]["code"].as_str().unwrap().to_string();
    (d, code)
}

#[test]
fn the_reference_answers_score_full_marks() {
    let (d, _) = pack_dir(&[]);
    let key = groundwork(d.path())
        .args(["answers", "pack/pack.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let key = String::from_utf8(key).unwrap();
    assert!(
        key.lines().filter(|l| !l.starts_with('#')).count() >= 8,
        "{key}"
    );
    groundwork(d.path())
        .args(["check", "pack/pack.json", "-"])
        .write_stdin(key)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("(100.0%)"));
}

#[test]
fn checking_by_pack_code_regenerates_the_pack_and_explains_misses() {
    let (d, code) = pack_dir(&[]);
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    // Two single-part numeric questions: one answered wrong, one unreadably.
    let numeric: Vec<usize> = pack["questions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, q)| {
            q["slots"].as_array().unwrap().len() == 1
                && ["integer", "real"]
                    .contains(&q["slots"][0]["expected"]["kind"].as_str().unwrap())
        })
        .map(|(i, _)| i + 1)
        .collect();
    assert!(numeric.len() >= 2, "the sample has numeric questions");
    let (wrong, unreadable) = (numeric[0], numeric[1]);
    fs::write(
        d.path().join("mine.txt"),
        format!("# my answers\n{wrong}: 987654321\n{unreadable}: what\n"),
    )
    .unwrap();
    let out = groundwork(d.path())
        .args(["check", &code, "mine.txt", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let parts = r["parts"].as_array().unwrap();
    let part = |n: usize| {
        let label = n.to_string();
        parts
            .iter()
            .find(|p| p["label"].as_str() == Some(label.as_str()))
            .unwrap()
    };
    assert_eq!(part(wrong)["status"], "wrong");
    assert!(
        part(wrong)["reference"].is_string(),
        "a miss shows the reference"
    );
    assert_eq!(part(unreadable)["status"], "invalid");
    assert!(parts.iter().any(|p| p["status"] == "unanswered"));
    assert!(
        !r["misses"].as_array().unwrap().is_empty(),
        "worked solutions for misses"
    );
    // The same check against pack.json gives the same verdicts.
    let by_file = groundwork(d.path())
        .args(["check", "pack/pack.json", "mine.txt", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let f: serde_json::Value = serde_json::from_slice(&by_file).unwrap();
    assert_eq!(f["parts"], r["parts"]);
}

#[test]
fn bad_answer_lines_are_graded_around_and_only_an_unreadable_file_exits_2() {
    let (d, _) = pack_dir(&[]);
    // A valid first line (question 1's first part, labelled as printed), then a bad one.
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let first = if pack["questions"][0]["slots"].as_array().unwrap().len() > 1 {
        "1a"
    } else {
        "1"
    };
    // A label the pack does not have is a note; the rest is graded (exit 1: misses).
    fs::write(d.path().join("a.txt"), format!("{first}: 4\n99: 3\n")).unwrap();
    groundwork(d.path())
        .args(["check", "pack/pack.json", "a.txt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 line not graded"))
        .stdout(predicate::str::contains("a.txt:2: there is no question 99"));
    // A line without a separator marks its part invalid, with the reason.
    fs::write(d.path().join("b.txt"), format!("{first} 4\n")).unwrap();
    let out = groundwork(d.path())
        .args(["check", "pack/pack.json", "b.txt", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["parts"][0]["status"], "invalid");
    assert!(
        r["parts"][0]["feedback"]
            .as_str()
            .unwrap()
            .contains("line 1"),
        "{}",
        r["parts"][0]
    );
    // A file that is not UTF-8, or JSON that does not parse, is unreadable as a whole.
    fs::write(d.path().join("c.txt"), b"1: \xff\xfe\n").unwrap();
    groundwork(d.path())
        .args(["check", "pack/pack.json", "c.txt"])
        .assert()
        .code(2);
    fs::write(d.path().join("d.json"), "{\"1\": ").unwrap();
    groundwork(d.path())
        .args(["check", "pack/pack.json", "d.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("d.json:1"));
    groundwork(d.path())
        .args(["check", "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ", "b.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("checksum"));
}

#[test]
fn the_key_in_paper_forms_still_scores_full_marks() {
    let (d, _) = pack_dir(&[]);
    let key = groundwork(d.path())
        .args(["answers", "pack/pack.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let key = String::from_utf8(key).unwrap();
    assert!(
        key.starts_with("# Backend fundamentals"),
        "the header keeps the pack's title: {key}"
    );
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let seps = [") ", " = ", ". ", ": "];
    let mut lines = Vec::new();
    for (i, line) in key.lines().filter(|l| !l.starts_with('#')).enumerate() {
        let (label, answer) = line.split_once(": ").unwrap();
        let q: usize = label.trim_end_matches(char::is_alphabetic).parse().unwrap();
        let part = label.chars().last().filter(|c| c.is_alphabetic());
        let slots = pack["questions"][q - 1]["slots"].as_array().unwrap();
        let slot = &slots[part.map_or(0, |c| (c as u8 - b'a') as usize)];
        let answer = match slot["expected"]["kind"].as_str().unwrap() {
            "choice" => format!("({answer})"),
            "text" if slot["expected"]["normalisation"] == "exact" => {
                format!("\"{}\"", answer.replace("\\0", "\\x00"))
            }
            _ => answer.to_string(),
        };
        lines.push(format!("{label}{}{answer}", seps[i % seps.len()]));
    }
    fs::write(d.path().join("forms.txt"), lines.join("\n")).unwrap();
    groundwork(d.path())
        .args(["check", "pack/pack.json", "forms.txt"])
        .assert()
        .code(0);
    // From the pack code, the header names the pack once.
    let code = pack["meta"]["code"].as_str().unwrap();
    let out = groundwork(d.path())
        .args(["answers", code])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let head = String::from_utf8(out).unwrap();
    let head = head.lines().next().unwrap();
    assert_eq!(head.matches(code).count(), 1, "{head}");
}

/// A new key from `groundwork keygen`.
fn keygen(dir: &std::path::Path) -> String {
    let out = groundwork(dir)
        .arg("keygen")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// Two fixed keys in keygen's format, so that sealed packs in tests are the same on every run.
const RIGHT_KEY: &str =
    "groundwork-key-1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const OTHER_KEY: &str =
    "groundwork-key-1:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

#[test]
fn keygen_prints_256_random_bits_in_a_recognisable_form() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (keygen(d.path()), keygen(d.path()));
    assert_ne!(a, b);
    for k in [&a, &b] {
        let hex = k
            .strip_prefix("groundwork-key-1:")
            .and_then(|r| r.strip_suffix('\n'))
            .unwrap_or_else(|| panic!("{k:?}"));
        assert!(
            hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{k}"
        );
    }
}

#[test]
fn sealed_packs_need_the_secret() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("right.key"), RIGHT_KEY).unwrap();
    fs::write(d.path().join("other.key"), OTHER_KEY).unwrap();
    let (d, code) = {
        groundwork(d.path())
            .args([
                "generate",
                "--quiet",
                "--format",
                "json",
                "--secret-file",
                "right.key",
            ])
            .assert()
            .success();
        let pack: serde_json::Value =
            serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
        let code = pack["meta"]["code"].as_str().unwrap().to_string();
        (d, code)
    };
    // No answers: every part unanswered.
    fs::write(d.path().join("a.txt"), "# nothing yet\n").unwrap();
    groundwork(d.path())
        .args(["check", &code, "a.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sealed"));
    groundwork(d.path())
        .args(["check", &code, "a.txt", "--secret-file", "other.key"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "this code was sealed with a different secret",
        ));
    groundwork(d.path())
        .args(["check", &code, "a.txt", "--secret-file", "right.key"])
        .assert()
        .code(1);
    // The question codes on a sealed paper do not regenerate questions without the secret.
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let qcode = pack["questions"][0]["code"].as_str().unwrap();
    groundwork(d.path())
        .args(["show", qcode])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sealed"));
    // And the sealed pack's questions differ from the unsealed pack with the same seed.
    let (_, plain) = pack_dir(&[]);
    assert_ne!(plain, code);
}

#[test]
fn a_wrong_secret_for_a_sealed_question_code_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let (right, other) = (RIGHT_KEY, OTHER_KEY);
    fs::write(d.path().join("right.key"), right).unwrap();
    fs::write(d.path().join("other.key"), other).unwrap();
    groundwork(d.path())
        .args([
            "generate",
            "--quiet",
            "--format",
            "json",
            "--secret-file",
            "right.key",
        ])
        .assert()
        .success();
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    for q in pack["questions"].as_array().unwrap() {
        let qcode = q["code"].as_str().unwrap();
        assert_eq!(qcode.len(), 23, "a sealed code carries a verifier: {qcode}");
        let message = format!("error: {qcode}: this code was sealed with a different secret");
        groundwork(d.path())
            .args(["show", qcode, "--secret-file", "other.key"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message.as_str()))
            .stdout(predicate::str::is_empty());
        // A leftover GROUNDWORK_SECRET from another pack is caught the same way.
        groundwork(d.path())
            .env("GROUNDWORK_SECRET", other)
            .args(["show", qcode])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message.as_str()));
        // The right key shows the question of the pack.
        let out = groundwork(d.path())
            .env("GROUNDWORK_SECRET", right)
            .args(["show", qcode, "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let mut shown: serde_json::Value = serde_json::from_slice(&out).unwrap();
        shown["points"] = q["points"].clone();
        assert_eq!(&shown, q);
    }
}

#[test]
fn typed_secrets_must_be_long_and_an_empty_variable_is_named() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        vec!["generate", "--secret", "zebra"],
        vec!["generate", "--secret-file", "short.txt"],
    ] {
        fs::write(d.path().join("short.txt"), "zebra\n").unwrap();
        let before = crate::tree(d.path());
        groundwork(d.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("at least 16 characters"))
            .stderr(predicate::str::contains(
                "hint: make a random key with `groundwork keygen",
            ))
            .stderr(predicate::str::contains("zebra").not());
        assert_eq!(crate::tree(d.path()), before, "{args:?} wrote files");
    }
    groundwork(d.path())
        .env("GROUNDWORK_SECRET", "")
        .args(["generate", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: GROUNDWORK_SECRET is set but empty",
        ))
        .stderr(predicate::str::contains("unset GROUNDWORK_SECRET"));
    assert!(!d.path().join("pack").exists());
    // A passphrase of 16 characters or more seals a pack (through Argon2id), and the same
    // passphrase opens it.
    let out = groundwork(d.path())
        .args([
            "generate",
            "--format",
            "json",
            "--secret",
            "correct horse battery staple",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let code = text
        .split("pack code ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    groundwork(d.path())
        .env("GROUNDWORK_SECRET", "correct horse battery staple")
        .args(["answers", code])
        .assert()
        .success();
}

#[test]
fn practice_runs_on_piped_stdin_and_summarises_at_end_of_input() {
    let d = tempfile::tempdir().unwrap();
    groundwork(d.path())
        .args(["practice", "--seed", "7", "--topic", "optimization"])
        .write_stdin("not a number\nskip\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Question 1"))
        .stdout(predicate::str::contains("can't read that"))
        .stdout(predicate::str::contains("skipped"))
        .stdout(predicate::str::contains("Practice over"));
    groundwork(d.path())
        .args(["practice", "--topic", "astrology"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hint:"));
}

/// True when `s` holds no control character but the newline (C0, DEL and C1 checked).
fn no_raw_controls(s: &str) -> bool {
    s.chars()
        .all(|c| c == '\n' || !matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}'))
}

#[test]
fn hostile_answers_cannot_drive_the_terminal_in_any_report_format() {
    let (d, _) = pack_dir(&[]);
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let first = if pack["questions"][0]["slots"].as_array().unwrap().len() > 1 {
        "1a"
    } else {
        "1"
    };
    // Renames the window, clears the screen, returns the carriage, a C1 CSI, DEL, markup.
    let hostile = "\x1b]2;pwned\x07\x1b[2J\r\u{9b}31m<script>x</script>\x7f";
    fs::write(d.path().join("a.txt"), format!("{first}: {hostile}\n")).unwrap();
    // JSON can also carry a newline: a fake score line.
    let json_answer = format!("{hostile}\nScore: 40 / 40 (100.0%)");
    fs::write(
        d.path().join("a.json"),
        serde_json::json!({ first: json_answer }).to_string(),
    )
    .unwrap();
    for (file, raw) in [("a.txt", hostile), ("a.json", json_answer.as_str())] {
        let out = groundwork(d.path())
            .args(["check", "pack/pack.json", file])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(no_raw_controls(&text), "{file}: raw control in {text:?}");
        assert!(
            text.contains("\\x1b]2;pwned\\x07\\x1b[2J\\x0d\\u{9b}31m"),
            "{file}: escapes shown: {text}"
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start().starts_with("Score:"))
                .count(),
            1,
            "{file}: one score line: {text}"
        );
        let out = groundwork(d.path())
            .args(["check", "pack/pack.json", file, "--format", "json"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let json = String::from_utf8(out).unwrap();
        assert!(no_raw_controls(&json), "{file}: raw control in {json:?}");
        let r: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            r["parts"][0]["answer"], raw,
            "JSON keeps the answer exactly"
        );
        let out = groundwork(d.path())
            .args(["check", "pack/pack.json", file, "--format", "html"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let html = String::from_utf8(out).unwrap();
        assert!(no_raw_controls(&html), "{file}: raw control in the HTML");
        assert!(!html.contains("<script>x"), "{file}: markup is escaped");
        assert!(html.contains("&lt;script&gt;x"), "{file}");
        assert!(html.contains("\\x1b]2;pwned"), "{file}");
    }
    // Errors echo input with the controls escaped and cut to 80 characters.
    let long = format!("{}{}", hostile, "z".repeat(300));
    fs::write(d.path().join("b.txt"), format!("{long}\n")).unwrap();
    fs::write(
        d.path().join("b.json"),
        serde_json::json!({ long.clone(): "1" }).to_string(),
    )
    .unwrap();
    // A text line without a label is a note in the report (the rest is graded); a JSON key
    // that is no label refuses the file. Both echo it escaped and cut.
    for (file, code) in [("b.txt", 1), ("b.json", 2)] {
        let out = groundwork(d.path())
            .args(["check", "pack/pack.json", file])
            .assert()
            .code(code)
            .get_output()
            .clone();
        if code == 1 {
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(no_raw_controls(&text), "{file}: raw control in {text:?}");
            assert!(text.contains("\\x1b]2;pwned"), "{file}: {text}");
            assert!(text.contains("z…"), "{file}: cut with an ellipsis: {text}");
            assert!(!text.contains(&"z".repeat(81)), "{file}: {text}");
            continue;
        }
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(no_raw_controls(&err), "{file}: raw control in {err:?}");
        assert!(err.contains("\\x1b]2;pwned"), "{file}: {err}");
        assert!(err.contains("z…"), "{file}: cut with an ellipsis: {err}");
        assert!(!err.contains(&"z".repeat(81)), "{file}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn answers_files_are_capped_and_may_start_with_a_bom() {
    let (d, _) = pack_dir(&[]);
    groundwork(d.path())
        .args(["check", "pack/pack.json", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: /dev/zero: the answers file is larger than 16 MiB",
        ));
    // Standard input too (a real pipe from /dev/zero, not a buffer in the test).
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("groundwork"))
        .current_dir(d.path())
        .env_remove("GROUNDWORK_SECRET")
        .args(["check", "pack/pack.json", "-"])
        .stdin(fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("error: <stdin>: standard input is larger than 16 MiB"));
    let key = groundwork(d.path())
        .args(["answers", "pack/pack.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let key = String::from_utf8(key).unwrap();
    // The key as text and as JSON, each saved by Notepad with a byte-order mark.
    fs::write(d.path().join("bom.txt"), format!("\u{feff}{key}")).unwrap();
    let mut json = serde_json::Map::new();
    for line in key.lines().filter(|l| !l.starts_with('#')) {
        let (label, answer) = line.split_once(": ").unwrap();
        json.insert(label.into(), answer.into());
    }
    fs::write(
        d.path().join("bom.json"),
        format!("\u{feff}{}", serde_json::Value::Object(json)),
    )
    .unwrap();
    for file in ["bom.txt", "bom.json"] {
        groundwork(d.path())
            .args(["check", "pack/pack.json", file])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("(100.0%)"));
    }
    fs::write(d.path().join("latin1.txt"), b"1: caf\xe9\n").unwrap();
    groundwork(d.path())
        .args(["check", "pack/pack.json", "latin1.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: latin1.txt:1: the answers file is not UTF-8 text",
        ));
}

#[test]
fn a_label_twice_in_a_json_answers_file_is_an_error() {
    let (d, _) = pack_dir(&[]);
    fs::write(d.path().join("a.json"), "{\"1\": \"4\",\n \"1\": \"5\"}").unwrap();
    groundwork(d.path())
        .args(["check", "pack/pack.json", "a.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: a.json:2:4: \"1\" appears twice in the JSON",
        ))
        .stderr(predicate::str::contains("hint: keep one answer per label"));
}

#[test]
fn pack_codes_of_seeds_past_2_pow_63_regenerate_their_pack() {
    for seed in ["9223372036854775808", "18446744073709551615"] {
        let (d, code) = pack_dir(&["--seed", seed]);
        let by_file = groundwork(d.path())
            .args(["answers", "pack/pack.json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let by_code = groundwork(d.path())
            .args(["answers", &code])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        // The first line names the pack; the answers below it are the same.
        let body = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .lines()
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(body(&by_file), body(&by_code), "seed {seed}");
    }
}

#[test]
fn practice_stops_at_an_endless_line() {
    let d = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("groundwork"))
        .current_dir(d.path())
        .args(["practice", "--seed", "7", "--topic", "optimization"])
        .stdin(fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("longer than 64 KiB"));
}

#[test]
fn marks_by_hand_replace_the_graders_points_and_are_shown_apart() {
    let (d, _) = pack_dir(&[]);
    let key = groundwork(d.path())
        .args(["answers", "pack/pack.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // Question 1 right by the grader, marked down by hand; question 2 left blank, given 2 of 5.
    let without_2: String = String::from_utf8(key)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("2:") && !l.starts_with("2a:") && !l.starts_with("2b:"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(d.path().join("answers.txt"), without_2).unwrap();
    fs::write(
        d.path().join("marks.txt"),
        "# after the interview\n1: 1/5 \"guessed, could not explain\"\n2: 2/5 right method on the whiteboard\n",
    )
    .unwrap();
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let total = pack["meta"]["total_points"].as_u64().unwrap() as f64;
    // The report in one format; a miss remains, so `check` exits 1.
    let check = |format: &str| {
        let out = groundwork(d.path())
            .args([
                "check",
                "pack/pack.json",
                "answers.txt",
                "--marks",
                "marks.txt",
            ])
            .args(["--format", format])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let out = check("text");
    assert!(
        out.contains("guessed, could not explain")
            && out.contains("right method on the whiteboard"),
        "{out}"
    );
    assert!(out.contains("marked by hand (1)"), "{out}");
    // 5 + 5 points replaced by 1 + 2.
    assert!(
        out.contains(&format!("Score: {} / {}", total - 7.0, total)),
        "{out}"
    );
    let r: serde_json::Value = serde_json::from_str(&check("json")).unwrap();
    let first = &r["parts"][0];
    assert_eq!(first["manual"]["note"], "guessed, could not explain");
    assert!(
        first["manual"]["graded"].as_f64().unwrap() > first["manual"]["awarded"].as_f64().unwrap()
    );
    assert!(check("html").contains("Marked by hand (2)"));
    // A mark out of the wrong total, or for a question the pack does not have, names the line.
    for (marks, line, what) in [
        ("1: 2/4\n", 1, "is worth 5 points, not 4"),
        ("\n99: 1/5\n", 2, "no question or part 99"),
    ] {
        fs::write(d.path().join("bad.txt"), marks).unwrap();
        groundwork(d.path())
            .args([
                "check",
                "pack/pack.json",
                "answers.txt",
                "--marks",
                "bad.txt",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("bad.txt:{line}:")))
            .stderr(predicate::str::contains(what));
    }
}

/// Runs `practice` with `args` and `stdin` in `dir`; returns stdout (asserting exit 0).
fn practise(dir: &std::path::Path, args: &[&str], stdin: &str) -> String {
    let out = groundwork(dir)
        .arg("practice")
        .args(args)
        .write_stdin(stdin.to_string())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// The family ids of the questions a practice transcript shows, in order (from each question's
/// `CODE  ·  family (vN)  ·  …` line).
fn families_shown(transcript: &str) -> Vec<String> {
    transcript
        .lines()
        .filter_map(|l| {
            let mut f = l.split("  ·  ");
            let (_code, fam) = (f.next()?, f.next()?);
            let (id, v) = fam.split_once(" (v")?;
            v.ends_with(')').then(|| id.to_string())
        })
        .collect()
}

const TWO_FAMILIES: &str = "title = \"Practice spec\"\nseed = 5\n\
    [[section]]\nfamilies = [\"hashing.birthday\"]\ncount = 1\n\
    [[section]]\nfamilies = [\"probability.coupon\"]\ncount = 1\n\
    [[section]]\nfamilies = [\"filesystem.rename\"]\ncount = 1\n";

#[test]
fn practice_takes_chosen_families_in_turn_or_the_questions_of_a_spec() {
    let d = tempfile::tempdir().unwrap();
    let out = practise(
        d.path(),
        &[
            "--seed",
            "3",
            "--count",
            "4",
            "--family",
            "probability.coupon",
            "--family",
            "hashing.birthday",
        ],
        &"skip\n".repeat(20),
    );
    assert_eq!(
        families_shown(&out),
        [
            "probability.coupon",
            "hashing.birthday",
            "probability.coupon",
            "hashing.birthday"
        ],
        "{out}"
    );

    // A spec: exactly its questions (the codes `generate` gives them), in paper order, then the
    // run ends by itself.
    fs::write(d.path().join("spec.toml"), TWO_FAMILIES).unwrap();
    groundwork(d.path())
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
    let pack: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let codes: Vec<&str> = pack["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3);
    let out = practise(d.path(), &["--spec", "spec.toml"], &"skip\n".repeat(40));
    let shown: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split("  ·  ").next().filter(|c| codes.contains(c)))
        .collect();
    assert_eq!(shown, codes, "{out}");
    assert!(out.contains("Practice over: 3 questions"), "{out}");
    assert!(!out.contains("── Question 4 "), "{out}");

    // Bad choices are errors that name them, and nothing is written.
    let e = tempfile::tempdir().unwrap();
    for (args, says) in [
        (vec!["--family", "hashing.nope"], "hashing.nope"),
        (vec!["--spec", "missing.toml"], "missing.toml"),
        (
            vec!["--spec", "x.toml", "--topic", "hashing"],
            "cannot be used with",
        ),
        (
            vec!["--family", "hashing.birthday", "--topic", "hashing"],
            "cannot be used with",
        ),
    ] {
        groundwork(e.path())
            .arg("practice")
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
        assert_eq!(fs::read_dir(e.path()).unwrap().count(), 0, "{args:?}");
    }
}

#[test]
fn practice_reviews_the_missed_questions_with_their_worked_solutions_at_the_end() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("spec.toml"), TWO_FAMILIES).unwrap();
    groundwork(d.path())
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
    let pack: groundwork::pack::Pack =
        serde_json::from_slice(&fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    // Question 1 right, question 2 a near miss, question 3 skipped part by part.
    let mut stdin = String::new();
    for s in &pack.questions[0].slots {
        stdin.push_str(&format!("{}\n", s.expected.reference()));
    }
    for s in &pack.questions[1].slots {
        stdin.push_str(&format!("{}\n", s.expected.near_miss()));
    }
    stdin.push_str(&"skip\n".repeat(pack.questions[2].slots.len()));
    let out = practise(d.path(), &["--spec", "spec.toml"], &stdin);
    let (_, review) = out
        .split_once("══ Review: 2 missed questions")
        .unwrap_or_else(|| panic!("no review of 2 missed questions:\n{out}"));
    let q = &pack.questions;
    assert!(!review.contains(&q[0].code), "{review}");
    for (n, qn) in [(2, &q[1]), (3, &q[2])] {
        assert!(
            review.contains(&format!("── Question {n} · {} · {}", qn.title, qn.code)),
            "{review}"
        );
        // Its worked solution, every line of it.
        for line in qn
            .solution
            .plain_text()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            assert!(
                review.contains(line),
                "question {n}: `{line}` not in\n{review}"
            );
        }
    }
    // What was answered beside the reference.
    let miss = q[1].slots[0].expected.near_miss();
    assert!(
        review.contains(&format!(
            "you wrote {miss} · the answer: {}",
            q[1].slots[0].expected.reference()
        )),
        "{review}"
    );
    assert!(
        review.contains(&format!(
            "skipped · the answer: {}",
            q[2].slots[0].expected.reference()
        )),
        "{review}"
    );
    // The summary comes last.
    assert!(
        review
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("Practice over: 3 questions"),
        "{review}"
    );

    // Nothing missed, nothing to review.
    let mut right = String::new();
    for s in &q[0].slots {
        right.push_str(&format!("{}\n", s.expected.reference()));
    }
    let out = practise(d.path(), &["--spec", "spec.toml", "--count", "1"], &right);
    assert!(!out.contains("Review"), "{out}");
    assert!(out.contains("Practice over: 1 question,"), "{out}");
}

#[test]
fn practice_does_not_count_a_question_quit_before_it_was_answered() {
    let d = tempfile::tempdir().unwrap();
    let args = ["--seed", "3", "--family", "hashing.birthday"];
    // Quit at the first prompt, or after an answer it could not read: nothing practised.
    for stdin in ["quit\n", "twelve\nquit\n", "\n\nq\n", ""] {
        let out = practise(d.path(), &args, stdin);
        assert!(
            out.contains("Practice over: 0 questions, 0 of 0 answered parts"),
            "{stdin:?}:\n{out}"
        );
    }
    // One skipped and one quit before answering: one question.
    let out = practise(d.path(), &args, "skip\nquit\n");
    assert!(out.contains("── Question 2 "), "{out}");
    assert!(
        out.contains("Practice over: 1 question, 0 of 0 answered parts"),
        "{out}"
    );
    // One answered, the next left at end of input: one question.
    let out = practise(d.path(), &args, "7\n");
    assert!(out.contains("Practice over: 1 question, "), "{out}");
}
