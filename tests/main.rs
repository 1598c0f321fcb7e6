//! The one integration-test binary (one link step on 2 cores), a module per area.

mod batch;
mod catalog;
mod checking;
mod cli;
mod compiled_c;
mod determinism;
mod examples;
mod golden;
mod grade;
mod help;
mod layout;
mod lms;
mod parsers;
mod pdf;
mod planning;
mod print;
mod registry;
mod render;
mod selfcheck;
mod wording;

use std::collections::BTreeSet;
use std::path::Path;

/// The real binary, run in `dir`.
pub fn groundwork(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("groundwork").expect("binary builds");
    c.current_dir(dir);
    c.env_remove("GROUNDWORK_SECRET");
    c
}

/// True when `what` is available. When it is not: under `CI` (set to anything) the test fails,
/// since `.ci/run` installs everything the tests use; elsewhere it prints a `skipped:` marker (so a
/// skip is never silent) and the caller returns early.
pub fn require(what: &str, present: bool, install: &str) -> bool {
    require_under(std::env::var_os("CI").is_some(), what, present, install)
}

/// [`require`] with the `CI` decision made by the caller.
fn require_under(ci: bool, what: &str, present: bool, install: &str) -> bool {
    if present {
        return true;
    }
    if ci {
        panic!("CI is set but {what} is missing: .ci/run must install it ({install})");
    }
    eprintln!("skipped: {what} is missing ({install})");
    false
}

/// [`require`] for a program on PATH, found when it can be started (`name --version`, whatever
/// its exit status: poppler's tools exit 1 or 99 on `--version`).
pub fn require_tool(name: &str, install: &str) -> bool {
    let present = std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok();
    require(&format!("`{name}`"), present, install)
}

#[test]
fn a_missing_tool_fails_under_ci_and_is_marked_elsewhere() {
    assert!(require_under(true, "x", true, "-"));
    assert!(!require_under(false, "x", false, "-"));
    assert!(std::panic::catch_unwind(|| require_under(true, "x", false, "-")).is_err());
}

/// Every path below `dir`, relative, for "nothing was written" assertions.
pub fn tree(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(base: &Path, d: &Path, out: &mut BTreeSet<String>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                out.insert(p.strip_prefix(base).unwrap_or(&p).display().to_string());
                if p.is_dir() {
                    walk(base, &p, out);
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}
