//! Where one candidate's time goes, phase by phase, in one process on one thread: the profile
//! behind BENCHMARKS.md. Each candidate gets `../shared/bench/spec10.toml` (or `$SPEC`) with its
//! own seed, as `groundwork batch` gives it; every question is generated and cross-checked (timed
//! apart, per family), then the pack is rendered as HTML (paper, key, marking) and, with the
//! `pdf` feature, typeset (typst eval + layout) and written as PDF (typst-pdf: fonts subset,
//! streams compressed) for the paper and the key.
//!
//! ```text
//! cargo bench --bench pipeline                  # 100 candidates of spec10.toml
//! N=20 SPEC=src/default_spec.toml cargo bench --bench pipeline
//! ```
//!
//! Times are wall-clock medians per candidate on one thread (on a quiet machine, the CPU time);
//! the first 5 candidates warm the caches and are not counted.

use groundwork::export::{self, Exporter, Templates, View};
use groundwork::family::{self, Family};
use std::collections::BTreeMap;
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // One worker: every figure is the cost of one candidate on one core.
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("the bench's thread pool");
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let spec_path = std::env::var("SPEC").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/spec10.toml").to_string()
    });
    let src = std::fs::read_to_string(&spec_path).unwrap_or_else(|e| panic!("{spec_path}: {e}"));
    let mut spec = groundwork::spec::Spec::parse(&src, &spec_path).expect("the bench spec parses");
    // As `groundwork batch` does: the same families and asks for everyone, numbers per candidate.
    spec.family_seed = Some(spec.family_seed());
    let base_seed = spec.seed;
    let templates = Templates::embedded();
    const WARM: usize = 5;

    let mut phases: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut per_family: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for i in 0..WARM + n {
        let id = format!("cand{:04}", i + 1);
        let mut s = spec.clone();
        s.seed = groundwork::cmd::batch::candidate_seed(base_seed, &id);
        let counted = i >= WARM;
        let mut record = |phase: &'static str, v: f64| {
            if counted {
                phases.entry(phase).or_default().push(v);
            }
        };
        // The pack as `batch` builds it (generate + cross-check every question), then each
        // question again, generation and cross-check timed apart.
        let t = Instant::now();
        let pack = groundwork::pack::build(&s, None).expect("the pack builds");
        record("1 generate + cross-check (pack::build)", ms(t));
        let (mut gen_total, mut check_total) = (0.0, 0.0);
        for q in &pack.questions {
            let (code, fam): (_, &'static dyn Family) =
                groundwork::code::decode(&q.code, &family::FAMILIES).expect("the code decodes");
            let t = Instant::now();
            let again = family::generate(fam, code.seed, code.difficulty, &code.pins)
                .expect("the question regenerates");
            let g = ms(t);
            let t = Instant::now();
            family::cross_check(fam, &again).expect("the cross-check passes");
            let c = ms(t);
            gen_total += g;
            check_total += c;
            if counted {
                let e = per_family
                    .entry(format!("{} ({})", fam.id(), code.difficulty.id()))
                    .or_default();
                e.0.push(g);
                e.1.push(c);
            }
        }
        record("1a generate", gen_total);
        record("1b cross-check", check_total);
        let t = Instant::now();
        for view in [View::Paper, View::Key, View::Marking] {
            std::hint::black_box(export::html::Html.render(&pack, view, &templates).unwrap());
        }
        record("2 HTML: paper, key, marking", ms(t));
        #[cfg(feature = "pdf")]
        for (view, name) in [(View::Paper, "paper"), (View::Key, "key")] {
            let t = Instant::now();
            let doc = export::pdf::layout(&pack, view, &templates).expect("typesets");
            let lay = ms(t);
            let t = Instant::now();
            let bytes = export::pdf::write(&doc, &export::pdf::ident(&pack, view)).unwrap();
            let wr = ms(t);
            std::hint::black_box(bytes);
            let pages = doc.pages().len() as f64;
            match name {
                "paper" => {
                    record("3a PDF paper: eval + layout", lay);
                    record("3b PDF paper: write (subset fonts, compress)", wr);
                    record("3c PDF paper: pages", pages);
                }
                _ => {
                    record("4a PDF key: eval + layout", lay);
                    record("4b PDF key: write (subset fonts, compress)", wr);
                    record("4c PDF key: pages", pages);
                }
            }
        }
    }
    println!(
        "{n} candidates of {spec_path}, one thread, median per candidate (ms; pages for the page counts):"
    );
    for (phase, v) in phases.iter_mut() {
        println!("  {phase:48} {:9.2}", median(v));
    }
    println!("per family, median ms per question (generate, cross-check):");
    let mut rows: Vec<(String, f64, f64)> = per_family
        .into_iter()
        .map(|(f, (mut g, mut c))| (f, median(&mut g), median(&mut c)))
        .collect();
    rows.sort_by(|a, b| (b.1 + b.2).total_cmp(&(a.1 + a.2)));
    for (f, g, c) in rows {
        println!("  {f:48} {g:9.2} {c:9.2}");
    }
}
