//! The offline catalogue: it lists every family with samples, its filters work in a real
//! browser, and the spec its builder writes is one `groundwork generate` accepts.

use crate::groundwork;
use crate::selfcheck::Browser;
use groundwork::family::{of_topic, Topic, FAMILIES};
use groundwork::pack::Pack;

#[test]
fn the_catalogue_lists_every_family_with_a_sample_per_difficulty() {
    let d = tempfile::tempdir().unwrap();
    groundwork(d.path())
        .args(["catalog", "--out", "cat"])
        .assert()
        .success();
    let page = std::fs::read_to_string(d.path().join("cat/index.html")).unwrap();
    for f in FAMILIES.iter() {
        assert!(
            page.contains(&format!("id=\"fam-{}\"", f.id())),
            "{}",
            f.id()
        );
    }
    assert_eq!(
        page.matches("Sample question, ").count(),
        3 * FAMILIES.len()
    );
    // Offline: no network fetch of any kind.
    for needle in ["http://", "https://", "<link", "src=\""] {
        let hits: Vec<_> = page.match_indices(needle).collect();
        assert!(
            hits.iter().all(|(i, _)| page[..*i].ends_with("xmlns=\"")
                || page[..*i].ends_with("xmlns:xlink=\"")
                || page[..*i].ends_with("xmlns:h5=\"")),
            "the page reaches out: {needle}"
        );
    }
}

#[test]
fn filtering_and_building_a_spec_in_chromium_gives_a_spec_generate_accepts() {
    let d = tempfile::tempdir().unwrap();
    groundwork(d.path())
        .args(["catalog", "--out", "cat"])
        .assert()
        .success();
    let Some(mut b) = Browser::launch() else {
        return;
    };
    b.open_when(
        &d.path().join("cat/index.html"),
        "typeof window.groundworkCatalog === 'object'",
    );
    let visible = |b: &mut Browser| {
        b.eval("Array.from(document.querySelectorAll('article.family')).filter(c => !c.hidden).map(c => c.dataset.id)")
    };
    assert_eq!(visible(&mut b).as_array().unwrap().len(), FAMILIES.len());
    b.eval("(() => { const s = document.getElementById('f-topic'); s.value = 'probability'; s.dispatchEvent(new Event('change')); return true; })()");
    let shown = visible(&mut b);
    let shown: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(shown.len(), of_topic(Topic::Probability).len());
    assert!(
        shown.iter().all(|id| id.starts_with("probability.")),
        "{shown:?}"
    );
    b.eval("(() => { const t = document.getElementById('f-text'); t.value = 'coupon'; t.dispatchEvent(new Event('input')); return true; })()");
    assert_eq!(visible(&mut b), serde_json::json!(["probability.coupon"]));

    // Tick two families, one hard and one twice, and read the spec.
    b.eval(
        "(() => { const pick = (id, d, n) => { const c = document.getElementById('fam-' + id); \
         c.querySelector('select.difficulty').value = d; c.querySelector('input.count').value = String(n); \
         const box = c.querySelector('input.add'); box.checked = true; box.dispatchEvent(new Event('change')); }; \
         const paper = document.getElementById('s-paper'); paper.checked = false; paper.dispatchEvent(new Event('change')); \
         pick('probability.coupon', 'hard', 1); pick('filesystem.rename', 'easy', 2); \
         const t = document.getElementById('s-title'); t.value = 'Round \"two\"'; t.dispatchEvent(new Event('input')); return true; })()",
    );
    let spec = b.eval("document.getElementById('s-out').value");
    let spec = spec.as_str().unwrap();
    assert!(spec.contains("title = \"Round \\\"two\\\"\""), "{spec}");
    std::fs::write(d.path().join("spec.toml"), spec).unwrap();
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
    let pack: Pack =
        serde_json::from_slice(&std::fs::read(d.path().join("pack/pack.json")).unwrap()).unwrap();
    let fams: Vec<(&str, &str)> = pack
        .questions
        .iter()
        .map(|q| (q.family.as_str(), q.difficulty.id()))
        .collect();
    assert_eq!(
        fams,
        [
            ("probability.coupon", "hard"),
            ("filesystem.rename", "easy"),
            ("filesystem.rename", "easy")
        ]
    );
    assert_eq!(pack.meta.title, "Round \"two\"");
}
