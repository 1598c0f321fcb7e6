//! The one integration-test binary (one link step on 2 cores), a module per area.

mod batch;
mod catalog;
mod checking;
mod cli;
mod determinism;
mod golden;
mod help;
mod layout;
mod lms;
mod parsers;
mod pdf;
mod planning;
mod registry;
mod render;
mod selfcheck;

use std::collections::BTreeSet;
use std::path::Path;

/// The real binary, run in `dir`.
pub fn groundwork(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("groundwork").expect("binary builds");
    c.current_dir(dir);
    c.env_remove("GROUNDWORK_SECRET");
    c
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
