//! `groundwork completions SHELL` and `groundwork man`: a completion script and a manual page,
//! generated from the same clap definition as `--help`, so neither can fall behind the CLI.

use super::Output;
use crate::cli::{Cli, CompletionsArgs};
use crate::error::Error;
use clap::CommandFactory;

/// Runs `completions`.
pub fn run(a: CompletionsArgs) -> Result<Output, Error> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "groundwork", &mut buf);
    Ok(Output::ok(String::from_utf8_lossy(&buf).into_owned()))
}

/// Runs `man`: the top-level page, with every subcommand's options and examples in sections.
pub fn man() -> Result<Output, Error> {
    let cmd = Cli::command();
    let render_err = |e: std::io::Error| Error::Render {
        what: "manual page".into(),
        message: e.to_string(),
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .map_err(render_err)?;
    for sub in cmd.get_subcommands() {
        let name = sub.get_name().to_string();
        let page = clap_mangen::Man::new(sub.clone());
        let mut text = Vec::new();
        page.render_description_section(&mut text)
            .and_then(|_| page.render_options_section(&mut text))
            .and_then(|_| page.render_extra_section(&mut text))
            .map_err(render_err)?;
        buf.extend_from_slice(format!(".SH \"GROUNDWORK {}\"\n", name.to_uppercase()).as_bytes());
        // Each sub-page's own section headers become sub-sections of this one.
        let text = String::from_utf8_lossy(&text).replace(".SH ", ".SS ");
        buf.extend_from_slice(text.as_bytes());
    }
    Ok(Output::ok(String::from_utf8_lossy(&buf).into_owned()))
}
