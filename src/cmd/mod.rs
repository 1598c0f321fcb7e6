//! One file per subcommand. Each returns what to print and the exit code, or a typed error that
//! `main` prints once; nothing here calls `process::exit`, so every command is testable in-process.

pub mod audit;
pub mod batch;
pub mod catalog;
pub mod check;
pub mod completions;
pub mod families;
pub mod generate;
pub mod grade;
pub mod practice;
pub mod show;

use crate::cli::{Cli, Command};
use crate::error::Error;

/// What a command prints on stdout, and its exit code.
#[derive(Debug, Default)]
pub struct Output {
    /// Text for stdout.
    pub stdout: String,
    /// 0 on success; 1 is reserved for graded answers with misses.
    pub code: i32,
}

impl Output {
    /// Success with this text.
    pub fn ok(stdout: String) -> Output {
        Output { stdout, code: 0 }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Output, Error> {
    match cli.command {
        Command::Generate(a) => generate::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Grade(a) => grade::run(a),
        Command::Families(a) => families::run(a),
        Command::Show(a) => show::run(a),
        Command::Catalog(a) => catalog::run(a),
        Command::Check(a) => check::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man => completions::man(),
        Command::Answers(a) => check::run_answers(a),
        Command::Practice(a) => practice::run(a),
        Command::Keygen => Ok(Output::ok(format!("{}\n", crate::seal::new_key_text()?))),
    }
}
