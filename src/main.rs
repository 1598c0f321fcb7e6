//! The `groundwork` binary: parse the command line, run, print the error chain once, exit.
//! Exit codes: 0 success, 1 graded with misses, 2 bad input or I/O error.

use clap::Parser;
use groundwork::text::visible_lines;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = groundwork::cli::Cli::parse();
    match groundwork::cmd::run(cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`groundwork families | head`) is not an error worth reporting.
            if let Err(e) = stdout
                .write_all(out.stdout.as_bytes())
                .and_then(|_| stdout.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: writing to stdout: {e}");
                    return ExitCode::from(2);
                }
            }
            ExitCode::from(out.code as u8)
        }
        Err(e) => {
            // Messages echo input (file contents, ids, codes): no control character reaches the
            // terminal raw, whatever a message holds.
            eprintln!("error: {}", visible_lines(&e.to_string()));
            if let Some(hint) = e.hint() {
                eprintln!("hint: {}", visible_lines(&hint));
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
