//! The CLI explains itself: shell completions and a manual page generated from the same
//! definition as `--help`.

use crate::groundwork;

#[test]
fn completions_cover_every_subcommand_in_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = groundwork(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for sub in [
            "generate", "batch", "check", "show", "families", "audit", "practice",
        ] {
            assert!(text.contains(sub), "{shell} completion lacks `{sub}`");
        }
    }
    groundwork(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn the_manual_page_is_roff_with_a_section_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = groundwork(dir.path()).arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.starts_with(".TH"),
        "{}",
        &text[..80.min(text.len())]
    );
    assert!(text.contains(".TH groundwork 1"), "a section-1 page");
    for sub in ["GENERATE", "BATCH", "CHECK", "SHOW", "FAMILIES", "AUDIT"] {
        assert!(
            text.contains(&format!(".SH \"GROUNDWORK {sub}\"")),
            "no section for {sub}"
        );
    }
    // The examples from --help are in it.
    assert!(
        text.contains("groundwork generate \\-\\-spec")
            || text.contains("groundwork generate --spec")
    );
}

#[test]
fn families_is_one_line_per_family_with_a_long_form_and_topic_filters() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = groundwork(dir.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let short = run(&["families"]);
    let family_lines = short.lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(
        family_lines,
        groundwork::family::FAMILIES.len(),
        "one line per family"
    );
    assert!(!short.contains("..="), "no Rust range syntax");
    // Filtering by a topic given as an argument (or with --topic), or by family ids.
    let hashing = run(&["families", "hashing"]);
    assert!(hashing.contains("hashing.bloom") && !hashing.contains("probability."));
    assert_eq!(run(&["families", "--topic", "hashing"]), hashing);
    let one = run(&["families", "hashing.bloom", "--long"]);
    assert!(one.contains("items (10 to 10000000)"), "{one}");
    assert!(
        one.contains("one of fp_rate, optimal_k, bits_per_item"),
        "{one}"
    );
    assert!(one.contains("drawn: easy"), "{one}");
    // A bare family name is pointed at its id, without a wall of every id.
    let out = groundwork(dir.path())
        .args(["families", "bloom"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `hashing.bloom`"), "{err}");
    assert!(err.len() < 300, "{err}");
}

fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = groundwork(dir.path()).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_text_fits_its_command() {
    for sub in ["show", "check", "answers"] {
        let h = help(&[sub, "--help"]);
        assert!(
            h.contains("Open a sealed pack with this secret"),
            "{sub} --help: {h}"
        );
        assert!(!h.contains("Seal the pack"), "{sub} --help");
    }
    assert!(help(&["generate", "--help"]).contains("Seal the pack with this secret"));
    assert!(!help(&["practice", "--help"]).contains("--out"));
    // Formats come from the exporter registry.
    for sub in ["generate", "batch"] {
        let h = help(&[sub, "--help"]);
        for e in groundwork::export::EXPORTERS {
            assert!(
                h.lines().any(|l| l.trim_start().starts_with(e.id())),
                "{sub} --help does not list `{}`",
                e.id()
            );
        }
    }
}

/// The README's families table, as the registry describes each family (`Family::about`): one row
/// per family in registry order, and the count line above it. On a mismatch the message holds the
/// table to paste.
#[test]
fn the_readme_families_table_is_the_registry() {
    use groundwork::family::{Topic, FAMILIES};
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let mut want = String::new();
    let counts: Vec<String> = Topic::ALL
        .iter()
        .map(|t| {
            let n = FAMILIES.iter().filter(|f| f.topic() == *t).count();
            let h = t.heading();
            format!("{n} on {}{}", h[..1].to_lowercase(), &h[1..])
        })
        .collect();
    let (last, rest) = counts.split_last().unwrap();
    want.push_str(&format!(
        "{} families: {} and {last}.\n\n| id | what it asks | key | second route |\n|---|---|---|---|\n",
        FAMILIES.len(),
        rest.join(", ")
    ));
    for f in FAMILIES.iter() {
        let a = f.about();
        assert!(
            !a.asks.is_empty() && !a.key.is_empty() && !a.second_route.is_empty(),
            "{} declares no about()",
            f.id()
        );
        want.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            f.id(),
            a.asks,
            a.key,
            a.second_route
        ));
    }
    assert!(
        readme.contains(&want),
        "the README's families table differs from the registry; paste this under \"## The families\":\n\n{want}"
    );
}
