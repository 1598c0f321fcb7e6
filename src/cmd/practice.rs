//! `groundwork practice`: an interactive loop in the terminal. It shows a question, reads an
//! answer per part, grades it with the part's tolerance, gives feedback and (after a miss) the
//! worked solution, keeps score, and moves on. It reads lines, so piped stdin drives it the same
//! way a person at a terminal does; end of input ends the run with a summary.
//!
//! The run's questions derive from one seed like a pack's do; without `--seed` a fresh seed is
//! taken from the clock (the only use of the clock: it picks which run, never what a run contains)
//! and printed, so any run can be repeated.

use super::Output;
use crate::answer::{grade, Outcome};
use crate::cli::PracticeArgs;
use crate::error::Error;
use crate::family::{self, Difficulty, Family, Topic};
use crate::text::visible;
use rand::seq::SliceRandom;
use std::io::{BufRead, Read as _, Write};

/// The running score.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    /// Questions shown.
    pub questions: u32,
    /// Parts answered (not skipped).
    pub answered: u32,
    /// Credit earned, in parts (partial credit counts its fraction).
    pub credit: f64,
}

/// Runs `practice` on the real terminal.
pub fn run(a: PracticeArgs) -> Result<Output, Error> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    // Piped answers are not echoed by a terminal: echo them so the transcript reads naturally.
    let echo = !std::io::IsTerminal::is_terminal(&std::io::stdin());
    session(&a, &mut input, &mut out, echo)?;
    Ok(Output::ok(String::new()))
}

fn seed_from_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() % 1_000_000)
        .unwrap_or(1)
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("writing", std::path::Path::new("<stdout>"), e)
}

enum Read {
    Line(String),
    End,
}

/// The longest answer line practice reads: a line from `/dev/zero` must not grow forever.
const MAX_LINE_BYTES: u64 = 64 * 1024;

fn read_line(input: &mut dyn BufRead) -> Result<Read, Error> {
    let mut line = String::new();
    let n = (&mut *input)
        .take(MAX_LINE_BYTES)
        .read_line(&mut line)
        .map_err(|e| Error::io("reading", std::path::Path::new("<stdin>"), e))?;
    if n as u64 >= MAX_LINE_BYTES && !line.ends_with('\n') {
        return Err(Error::Usage {
            message: format!(
                "an answer line is longer than {} KiB",
                MAX_LINE_BYTES / 1024
            ),
            hint: "type one answer per line".into(),
        });
    }
    Ok(if n == 0 {
        Read::End
    } else {
        Read::Line(line.trim().to_string())
    })
}

/// The practice loop over any input and output (the tests drive it with byte buffers).
pub fn session(
    a: &PracticeArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Result<Tally, Error> {
    let topic = a.topic.as_deref().map(Topic::parse).transpose()?;
    let difficulty = a
        .difficulty
        .as_deref()
        .map(Difficulty::parse)
        .transpose()?
        .unwrap_or_default();
    let seed = a.seed.unwrap_or_else(seed_from_clock);
    let mut families: Vec<&'static dyn Family> = match topic {
        Some(t) => family::of_topic(t),
        None => family::FAMILIES.to_vec(),
    };
    families.shuffle(&mut crate::seed::section_rng(seed, 0));
    writeln!(
        out,
        "groundwork practice · {} · {difficulty} · seed {seed} (repeat with --seed {seed})\n\
         Answer each part and press Enter. `skip` skips a part, `quit` stops.",
        topic.map_or("every topic".to_string(), |t| t.heading().to_string()),
    )
    .map_err(io_err)?;
    let mut tally = Tally::default();
    let mut i: u32 = 0;
    'questions: loop {
        if a.count.is_some_and(|c| i >= c) {
            break;
        }
        let fam = families[i as usize % families.len()];
        let qseed = crate::seed::question_seed(seed, i, fam.id(), fam.version());
        i += 1;
        let q = crate::pack::question(fam, qseed, difficulty, &family::Pins::new(), None)?;
        tally.questions += 1;
        writeln!(
            out,
            "\n── Question {i} ──────────────────────────────\n{}",
            super::show::text(&q, true)
        )
        .map_err(io_err)?;
        let mut missed = false;
        let mut touched = false;
        for slot in &q.slots {
            let prompt = if slot.label.is_empty() {
                "> ".to_string()
            } else {
                format!("({})> ", slot.label)
            };
            loop {
                write!(out, "{prompt}").map_err(io_err)?;
                out.flush().map_err(io_err)?;
                let line = match read_line(input)? {
                    Read::End => {
                        if echo {
                            writeln!(out).map_err(io_err)?;
                        }
                        if !touched {
                            tally.questions -= 1;
                        }
                        break 'questions;
                    }
                    Read::Line(l) => l,
                };
                touched = true;
                if echo {
                    writeln!(out, "{}", visible(&line)).map_err(io_err)?;
                }
                match line.as_str() {
                    "quit" | "exit" | "q" => break 'questions,
                    "skip" | "s" => {
                        writeln!(out, "  skipped · the answer: {}", slot.expected.reference())
                            .map_err(io_err)?;
                        missed = true;
                        break;
                    }
                    "" => continue,
                    _ => {}
                }
                let outcome = grade(&slot.expected, &line);
                let score = outcome.score();
                let verdict = match outcome {
                    Outcome::Invalid { reason, hint } => {
                        writeln!(
                            out,
                            "  can't read that: {}. {hint}. Try again.",
                            visible(&reason)
                        )
                        .map_err(io_err)?;
                        continue;
                    }
                    Outcome::Correct => "  ✓ correct".to_string(),
                    Outcome::Partial { score, feedback } => {
                        missed = true;
                        format!(
                            "  ◐ partly right ({:.0}% credit): {}. The answer: {}",
                            score * 100.0,
                            visible(&feedback),
                            slot.expected.reference()
                        )
                    }
                    Outcome::Wrong { feedback } => {
                        missed = true;
                        format!(
                            "  ✗ not quite: {}. The answer: {}",
                            visible(&feedback),
                            slot.expected.reference()
                        )
                    }
                };
                tally.answered += 1;
                tally.credit += score;
                writeln!(out, "{verdict}").map_err(io_err)?;
                break;
            }
        }
        if missed {
            writeln!(out, "\nWorked solution\n{}", q.solution.plain_text()).map_err(io_err)?;
        }
        writeln!(
            out,
            "Score so far: {} of {} parts",
            fmt_credit(tally.credit),
            tally.answered
        )
        .map_err(io_err)?;
    }
    let pct = if tally.answered == 0 {
        0.0
    } else {
        100.0 * tally.credit / tally.answered as f64
    };
    writeln!(
        out,
        "\nPractice over: {} question{}, {} of {} answered parts right ({pct:.0}%). Seed {seed}.",
        tally.questions,
        if tally.questions == 1 { "" } else { "s" },
        fmt_credit(tally.credit),
        tally.answered
    )
    .map_err(io_err)?;
    Ok(tally)
}

fn fmt_credit(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}
