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
