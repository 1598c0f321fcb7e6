//! Printing the HTML paper from a browser: headless Chromium prints it at the spec's page size
//! (`page = "a4"` or `"letter"`) and never splits a question across pages (checked on the printed
//! PDF's text with `pdftotext`, where pages are separated by form feeds).
//!
//! Needs `chromium` and `pdftotext` (`.ci/run` installs both; elsewhere the test is skipped with
//! a `skipped:` marker).

use crate::{groundwork, require_tool};
use std::fs;
use std::process::Command;

fn spec(page: &str) -> String {
    // Questions with working space, so each ends with a "Working" box: a question is whole on one
    // page when its heading and the "Working" under it print on the same page.
    format!(
        "title = \"Print\"\nseed = 3\nworking = \"small\"\npage = \"{page}\"\n\
         [[section]]\ntopic = \"filesystem\"\ncount = 4\n\
         [[section]]\ntopic = \"probability\"\ncount = 4\n\
         [[section]]\ntopic = \"optimization\"\ncount = 3\n"
    )
}

#[test]
fn the_html_paper_prints_at_its_page_size_without_splitting_a_question() {
    if !require_tool("chromium", "apt-get install -y chromium")
        || !require_tool("pdftotext", "apt-get install -y poppler-utils")
    {
        return;
    }
    for (page, size) in [("a4", "(A4)"), ("letter", "(letter)")] {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("spec.toml"), spec(page)).unwrap();
        groundwork(d.path())
            .args([
                "generate",
                "--spec",
                "spec.toml",
                "--out",
                "out",
                "--format",
                "html",
            ])
            .assert()
            .success();
        let html = d.path().join("out/paper.html");
        let pdf = d.path().join("printed.pdf");
        let profile = tempfile::tempdir().unwrap();
        let status = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display()))
            .output()
            .unwrap();
        assert!(
            pdf.is_file(),
            "{page}: chromium printed nothing: {status:?}"
        );
        let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Page size:") && l.ends_with(size)),
            "{page}: {info}"
        );
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        let pages = text.matches('\u{c}').count();
        assert!(
            pages >= 2,
            "{page}: the test needs a paper of several pages ({pages})"
        );
        for n in 1..=11 {
            let start = text
                .find(&format!("Question {n} "))
                .unwrap_or_else(|| panic!("{page}: question {n} printed"));
            let end = start
                + text[start..]
                    .find("Working")
                    .unwrap_or_else(|| panic!("{page}: question {n}'s working space printed"));
            assert!(
                !text[start..end].contains('\u{c}'),
                "{page}: question {n} is split across pages"
            );
        }
    }
}
