//! Rendering: text from families is escaped in HTML and Markdown, and templates can be overridden.

use groundwork::content::Content;
use groundwork::export::{self, Templates, EXPORTERS};
use groundwork::pack;
use groundwork::spec::Spec;

fn pack_with_hostile_text() -> groundwork::pack::Pack {
    let mut p = pack::build(
        &Spec::parse(
            "[[section]]\nfamilies = [\"probability.coupon\"]\n",
            "t.toml",
        )
        .unwrap(),
        None,
    )
    .unwrap();
    p.meta.title = "<script>alert(1)</script> & *stars*".into();
    p.questions[0].prompt = Content::new()
        .p("if (a < b && c > d) `x<y>` *emph*")
        .code("c", "int x = a < b;");
    p
}

#[test]
fn html_escapes_family_and_spec_text() {
    let p = pack_with_hostile_text();
    let files = export::render_all(&p, EXPORTERS, &Templates::embedded()).unwrap();
    let html = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "paper.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(!html.contains("<script>alert"), "title must be escaped");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(html.contains("if (a &lt; b &amp;&amp; c &gt; d)"));
    assert!(html.contains("<code>x&lt;y&gt;</code>") && html.contains("<em>emph</em>"));
    assert!(html.contains("int x = a &lt; b;"));
}

#[test]
fn markdown_escapes_punctuation_but_not_code() {
    let p = pack_with_hostile_text();
    let files = export::render_all(&p, EXPORTERS, &Templates::embedded()).unwrap();
    let md = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "pack.md")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        md.starts_with("# \\<script\\>alert(1)\\</script\\> & \\*stars\\*\n"),
        "{}",
        &md[..80]
    );
    assert!(md.contains("`x<y>` *emph*"));
    assert!(md.contains("```c\nint x = a < b;\n```"));
}

#[test]
fn a_template_directory_overrides_one_file() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("html")).unwrap();
    std::fs::write(
        d.path().join("html/paper.html"),
        "custom {{ meta.title }} {{ questions | length }}",
    )
    .unwrap();
    let t = Templates::load(Some(d.path())).unwrap();
    let p = pack::build(&Spec::default_spec(), None).unwrap();
    let files = export::render_all(&p, EXPORTERS, &t).unwrap();
    assert_eq!(files[0].1, b"custom Backend fundamentals: final round 8");
    assert!(
        String::from_utf8_lossy(&files[1].1).contains("Worked solution"),
        "key.html still built in"
    );
}
