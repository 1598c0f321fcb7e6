//! Golden packs: `generated/sample/` holds the default spec and every output, regenerated here
//! byte for byte. Re-bless with `GROUNDWORK_BLESS=1 cargo test golden`. Stray files fail the test.

use groundwork::export::{self, Templates, EXPORTERS};
use groundwork::pack;
use groundwork::spec::{Spec, DEFAULT_SPEC};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

#[test]
fn sample_pack_regenerates_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/sample");
    let spec_src =
        fs::read_to_string(dir.join("spec.toml")).expect("generated/sample/spec.toml exists");
    assert_eq!(
        spec_src, DEFAULT_SPEC,
        "generated/sample/spec.toml must be the built-in default spec"
    );
    let spec = Spec::parse(&spec_src, "generated/sample/spec.toml").unwrap();
    let files = export::render_all(
        &pack::build(&spec, None).unwrap(),
        EXPORTERS,
        &Templates::embedded(),
    )
    .unwrap();
    if std::env::var_os("GROUNDWORK_BLESS").is_some() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_name() != "spec.toml" {
                fs::remove_file(entry.path()).unwrap();
            }
        }
        for (name, bytes) in &files {
            fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let expected: BTreeSet<String> = files
        .iter()
        .map(|(n, _)| n.clone())
        .chain(std::iter::once("spec.toml".to_string()))
        .collect();
    let present: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        present, expected,
        "stray or missing files in generated/sample (re-bless with GROUNDWORK_BLESS=1)"
    );
    for (name, bytes) in &files {
        let on_disk = fs::read(dir.join(name)).unwrap();
        assert!(
            &on_disk == bytes,
            "generated/sample/{name} differs from what this build generates; if the change is intended, \
             re-bless with GROUNDWORK_BLESS=1 cargo test golden and review the diff"
        );
    }
}
