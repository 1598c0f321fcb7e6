//! The source layout the design asks for, guarded: a folder per topic whose files are all
//! registered under that topic, and module imports that only run one way.

use groundwork::family::{Topic, FAMILIES};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_family_file_is_registered_under_the_topic_of_its_folder() {
    let registered: BTreeMap<&str, Topic> = FAMILIES.iter().map(|f| (f.id(), f.topic())).collect();
    let mut seen = BTreeSet::new();
    for topic in Topic::ALL {
        let dir = src().join("family").join(topic.id());
        assert!(
            dir.is_dir(),
            "topic `{topic}` has no folder {}",
            dir.display()
        );
        for file in rust_files(&dir) {
            let text = std::fs::read_to_string(&file).unwrap();
            if !text.contains("impl Family for") {
                continue; // a helper only this topic uses (fsops.rs, say), or the topic's mod.rs
            }
            let stem = file.file_stem().unwrap().to_str().unwrap();
            let id = format!("{}.{stem}", topic.id());
            match registered.get(id.as_str()) {
                None => panic!(
                    "{} defines a family but `{id}` is not registered: add `{stem} => Type,` to {}",
                    file.display(),
                    dir.join("mod.rs").display()
                ),
                Some(t) => assert_eq!(
                    *t, topic,
                    "{id} lives in the `{topic}` folder but reports topic `{t}`"
                ),
            }
            seen.insert(id);
        }
    }
    for f in FAMILIES.iter() {
        assert!(
            seen.contains(f.id()),
            "family `{}` is registered but src/family/{}/{}.rs does not define it",
            f.id(),
            f.topic(),
            f.id().split_once('.').map_or("", |(_, n)| n)
        );
    }
    // No family files left at the top of src/family/ (only the core lives there; its unit
    // tests may define a test family).
    for e in std::fs::read_dir(src().join("family")).unwrap().flatten() {
        let p = e.path();
        if p.is_file() {
            let text = code_of(&std::fs::read_to_string(&p).unwrap());
            assert!(
                !text.contains("impl Family for"),
                "{} defines a family outside a topic folder",
                p.display()
            );
        }
    }
}

/// The module a `crate::a::b::…` path names, as the file path of the deepest module that exists
/// (`family::support::mc` → `family/support/mc`), relative to `src/`.
fn module_of(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("/"))
        .find(|m| modules.contains(m))
}

/// The module a source file is (`family/mod.rs` → `family`, `pack.rs` → `pack`).
fn module_name(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap().with_extension("");
    let s = rel.to_str().unwrap().to_string();
    s.strip_suffix("/mod").map(str::to_string).unwrap_or(s)
}

/// Production code only: everything before `#[cfg(test)]`, without comments.
fn code_of(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module → the modules its production code names through `crate::…` or `super::…` paths.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(&src());
    let modules: BTreeSet<String> = files.iter().map(|f| module_name(f)).collect();
    let mut graph = BTreeMap::new();
    for f in &files {
        let me = module_name(f);
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        let mut deps = BTreeSet::new();
        // `super` is the module's parent, whether the module is `x.rs` or `x/mod.rs`.
        let mut parent: Vec<String> = me.split('/').map(str::to_string).collect();
        parent.pop();
        for (prefix, base) in [("crate::", Vec::new()), ("super::", parent)] {
            for (i, _) in code.match_indices(prefix) {
                if prefix == "super::" && i > 0 && code[..i].ends_with("::") {
                    continue;
                }
                let rest = &code[i + prefix.len()..];
                let mut path = base.clone();
                for seg in rest.split("::") {
                    let seg: String = seg
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if seg.is_empty() || !seg.starts_with(|c: char| c.is_ascii_lowercase()) {
                        break;
                    }
                    path.push(seg);
                }
                if let Some(m) = module_of(&path, &modules) {
                    if m != me && !me.starts_with(&format!("{m}/")) {
                        deps.insert(m);
                    }
                }
            }
        }
        graph.insert(me, deps);
    }
    graph
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = import_graph();
    let mut cycles = Vec::new();
    for (a, deps) in &graph {
        for b in deps {
            if graph.get(b).is_some_and(|d| d.contains(a)) && a < b {
                cycles.push(format!("{a} ⇄ {b}"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import each other: {cycles:?}"
    );
}

#[test]
fn the_top_level_modules_form_a_pipeline_without_cycles() {
    // Collapse every module to its top-level one (family/hashing/birthday → family) and look for
    // any cycle: spec → family → question → pack → exporter → write runs one way.
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, deps) in import_graph() {
        let head = m.split('/').next().unwrap().to_string();
        let entry = top.entry(head.clone()).or_default();
        for d in deps {
            let dh = d.split('/').next().unwrap().to_string();
            if dh != head {
                entry.insert(dh);
            }
        }
    }
    // Depth-first search with colours.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| s == n).unwrap();
                let mut c = stack[at..].to_vec();
                c.push(n.to_string());
                return Some(c);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in top.keys() {
        if let Some(cycle) = visit(n, &top, &mut state, &mut Vec::new()) {
            panic!(
                "the top-level modules import in a circle: {}",
                cycle.join(" → ")
            );
        }
    }
    // The guard itself can fail: it sees the edges it should.
    assert!(
        top["pack"].contains("family"),
        "pack builds on family: {:?}",
        top["pack"]
    );
    assert!(top["family"].contains("answer"), "{:?}", top["family"]);
}
