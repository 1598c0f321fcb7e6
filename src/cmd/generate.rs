//! `groundwork generate`: spec (file or built-in) + flags → pack → files, written atomically.

use super::Output;
use crate::cli::GenerateArgs;
use crate::error::Error;
use crate::export::{self, Templates};
use crate::family::Difficulty;
use crate::pack;
use crate::spec::{Spec, DEFAULT_SPEC};

/// Runs `generate`.
pub fn run(a: GenerateArgs) -> Result<Output, Error> {
    if a.print_default_spec {
        return Ok(Output::ok(DEFAULT_SPEC.to_string()));
    }
    // Validate everything before rendering, and render everything before writing.
    let exporters = export::parse_formats(&a.format)?;
    let mut spec = match &a.spec {
        Some(path) => Spec::load(path)?,
        None => Spec::default_spec(),
    };
    if let Some(seed) = a.seed {
        spec.seed = seed;
    }
    if let Some(title) = a.title {
        crate::spec::check_length("--title", "title", &title, crate::spec::MAX_TITLE_CHARS)?;
        spec.title = title;
    }
    if let Some(d) = &a.difficulty {
        let d = Difficulty::parse(d)?;
        for s in &mut spec.sections {
            s.difficulty = d;
        }
    }
    let seal = a.seal.seal()?;
    let templates = Templates::load(a.templates.as_deref())?;
    let pack = pack::build(&spec, seal.as_ref())?;
    let files = export::render_all(&pack, &exporters, &templates)?;
    let written = export::write_all(&a.out, &files, &pack.meta.code, None)?;
    if a.quiet {
        return Ok(Output::ok(String::new()));
    }
    let mut out = format!(
        "{}: {} questions, {} points, pack code {}\n",
        pack.meta.title,
        pack.questions.len(),
        pack.meta.total_points,
        pack.meta.code
    );
    for p in written.paths {
        out.push_str(&format!("  wrote {}\n", p.display()));
    }
    for p in written.removed {
        out.push_str(&format!(
            "  removed {} (an earlier run wrote it; this one did not)\n",
            p.display()
        ));
    }
    Ok(Output::ok(out))
}
