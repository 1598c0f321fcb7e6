//! `groundwork practice`: an interactive loop in the terminal. It shows a question, reads an
//! answer per part, grades it with the part's tolerance, gives feedback and (after a miss) the
//! worked solution, keeps score, and moves on. It reads lines, so piped stdin drives it the same
//! way a person at a terminal does; end of input ends the run with a summary.
//!
//! The run's questions derive from one seed like a pack's do; without `--seed` a fresh seed is
//! taken from the clock (the only use of the clock: it picks which run, never what a run contains)
//! and printed, so any run can be repeated. They come from every family, a topic (`--topic`),
//! chosen families taken in turn (`--family`, repeatable), or a pack spec (`--spec`: its questions
//! in paper order, then the run ends).
//!
//! At the end, the missed questions (a wrong, partly right or skipped part) are reviewed, each
//! with what was answered, the reference and the worked solution. The summary counts a question
//! only once one of its parts was answered or skipped: quitting at a question's first prompt
//! does not count it.

use super::Output;
use crate::answer::{grade_slot, Outcome};
use crate::cli::PracticeArgs;
use crate::error::Error;
use crate::family::{self, Difficulty, Family, Question, Topic};
use crate::spec::Spec;
use crate::text::visible;
use rand::seq::SliceRandom;
use std::io::{BufRead, Read as _, Write};

/// The running score.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    /// Questions practised: shown, and at least one part answered or skipped.
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

/// A failed write to the terminal. Not [`Error::io`]: its hint about choosing another `--out`
/// fits the commands that write files, and practice writes none.
fn io_err(e: std::io::Error) -> Error {
    Error::Usage {
        message: format!("cannot write to standard output: {e}"),
        hint: "practice writes only to the terminal; if its output goes into a pipe, keep the reader open until the run ends".into(),
    }
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

/// Where a run's questions come from.
enum Source {
    /// Fresh questions from these families, in turn (`--topic`, `--family`, or every family).
    Families {
        families: Vec<&'static dyn Family>,
        difficulty: Difficulty,
    },
    /// The questions of a pack spec, in paper order (`--spec`).
    Pack(Vec<Question>),
}

impl Source {
    /// The `n`-th question (from 0), or None when a pack has no more.
    fn question(&self, seed: u64, n: u32) -> Result<Option<Question>, Error> {
        match self {
            Source::Families {
                families,
                difficulty,
            } => {
                let fam = families[n as usize % families.len()];
                let qseed = crate::seed::question_seed(seed, n, fam.id(), fam.version());
                crate::pack::question(fam, qseed, *difficulty, &family::Pins::new(), None).map(Some)
            }
            Source::Pack(questions) => Ok(questions.get(n as usize).cloned()),
        }
    }
}

/// A question with a miss, kept for the review at the end.
struct Missed {
    number: u32,
    question: Question,
    /// Per missed part: its label, what was answered (None when skipped), the reference.
    parts: Vec<(String, Option<String>, String)>,
}

/// Chooses the run's questions from the arguments; returns them, the run's seed and a header
/// naming what is practised.
fn source(a: &PracticeArgs) -> Result<(Source, u64, String), Error> {
    let difficulty = a.difficulty.as_deref().map(Difficulty::parse).transpose()?;
    if let Some(path) = &a.spec {
        let mut spec = Spec::load(path)?;
        if let Some(seed) = a.seed {
            spec.seed = seed;
        }
        if let Some(d) = difficulty {
            for s in &mut spec.sections {
                s.difficulty = d;
            }
        }
        let pack = crate::pack::build(&spec, None)?;
        let header = format!(
            "{} · {} questions from {} · seed {} (repeat with --spec {} --seed {})",
            visible(&pack.meta.title),
            pack.questions.len(),
            visible(&path.display().to_string()),
            spec.seed,
            visible(&path.display().to_string()),
            spec.seed
        );
        return Ok((Source::Pack(pack.questions), spec.seed, header));
    }
    let difficulty = difficulty.unwrap_or_default();
    let seed = a.seed.unwrap_or_else(seed_from_clock);
    let (families, what) = if !a.family.is_empty() {
        let mut families: Vec<&'static dyn Family> = Vec::new();
        for id in &a.family {
            let f = family::lookup(id)?;
            if !families.iter().any(|g| g.id() == f.id()) {
                families.push(f);
            }
        }
        let what = families
            .iter()
            .map(|f| f.id())
            .collect::<Vec<_>>()
            .join(", ");
        (families, what)
    } else {
        let topic = a.topic.as_deref().map(Topic::parse).transpose()?;
        let mut families: Vec<&'static dyn Family> = match topic {
            Some(t) => family::of_topic(t),
            None => family::FAMILIES.to_vec(),
        };
        families.shuffle(&mut crate::seed::section_rng(seed, 0));
        let what = topic.map_or("every topic".to_string(), |t| t.heading().to_string());
        (families, what)
    };
    let header = format!("{what} · {difficulty} · seed {seed} (repeat with --seed {seed})");
    Ok((
        Source::Families {
            families,
            difficulty,
        },
        seed,
        header,
    ))
}

/// The practice loop over any input and output (the tests drive it with byte buffers).
pub fn session(
    a: &PracticeArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Result<Tally, Error> {
    let (source, seed, header) = source(a)?;
    writeln!(
        out,
        "groundwork practice · {header}\n\
         Answer each part and press Enter. `skip` skips a part, `quit` stops.",
    )
    .map_err(io_err)?;
    let mut tally = Tally::default();
    let mut review: Vec<Missed> = Vec::new();
    let mut i: u32 = 0;
    loop {
        if a.count.is_some_and(|c| i >= c) {
            break;
        }
        let Some(q) = source.question(seed, i)? else {
            break;
        };
        i += 1;
        writeln!(
            out,
            "\n── Question {i} ──────────────────────────────\n{}",
            super::show::text(&q, true)
        )
        .map_err(io_err)?;
        // Per missed part: label, what was answered (None when skipped), the reference.
        let mut misses: Vec<(String, Option<String>, String)> = Vec::new();
        // A question counts once a part of it is answered or skipped: one quit (or the end of
        // input) before that is not a question practised.
        let mut counted = false;
        let mut stop = false;
        'parts: for slot in &q.slots {
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
                        stop = true;
                        break 'parts;
                    }
                    Read::Line(l) => l,
                };
                if echo {
                    writeln!(out, "{}", visible(&line)).map_err(io_err)?;
                }
                match line.as_str() {
                    "quit" | "exit" | "q" => {
                        stop = true;
                        break 'parts;
                    }
                    "skip" | "s" => {
                        writeln!(out, "  skipped · the answer: {}", slot.expected.reference())
                            .map_err(io_err)?;
                        if !counted {
                            tally.questions += 1;
                            counted = true;
                        }
                        misses.push((slot.label.clone(), None, slot.expected.reference()));
                        break;
                    }
                    "" => continue,
                    _ => {}
                }
                let outcome = grade_slot(slot, &line);
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
                    Outcome::Partial { score, feedback } => format!(
                        "  ◐ partly right ({:.0}% credit): {}. The answer: {}",
                        score * 100.0,
                        visible(&feedback),
                        slot.expected.reference()
                    ),
                    Outcome::Wrong { feedback } => format!(
                        "  ✗ not quite: {}. The answer: {}",
                        visible(&feedback),
                        slot.expected.reference()
                    ),
                };
                if score < 1.0 {
                    misses.push((
                        slot.label.clone(),
                        Some(line.clone()),
                        slot.expected.reference(),
                    ));
                }
                if !counted {
                    tally.questions += 1;
                    counted = true;
                }
                tally.answered += 1;
                tally.credit += score;
                writeln!(out, "{verdict}").map_err(io_err)?;
                break;
            }
        }
        if !misses.is_empty() {
            // After a quit the review right below shows it.
            if !stop {
                writeln!(out, "\nWorked solution\n{}", q.solution.plain_text()).map_err(io_err)?;
            }
            review.push(Missed {
                number: i,
                question: q,
                parts: misses,
            });
        }
        if stop {
            break;
        }
        writeln!(
            out,
            "Score so far: {} of {}",
            fmt_credit(tally.credit),
            parts(tally.answered)
        )
        .map_err(io_err)?;
    }
    // A question quit part-way is reviewed with the misses of the parts answered before the quit.
    write_review(out, &review)?;
    let pct = if tally.answered == 0 {
        0.0
    } else {
        100.0 * tally.credit / tally.answered as f64
    };
    writeln!(
        out,
        "\nPractice over: {} question{}, {} of {} right ({pct:.0}%). Seed {seed}.",
        tally.questions,
        if tally.questions == 1 { "" } else { "s" },
        fmt_credit(tally.credit),
        match tally.answered {
            1 => "1 answered part".to_string(),
            n => format!("{n} answered parts"),
        }
    )
    .map_err(io_err)?;
    Ok(tally)
}

/// The review at the end: every question with a miss, what was answered against the reference
/// for each missed part, and the worked solution.
fn write_review(out: &mut dyn Write, review: &[Missed]) -> Result<(), Error> {
    if review.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n══ Review: {} ═══════════════════════",
        match review.len() {
            1 => "1 missed question".to_string(),
            n => format!("{n} missed questions"),
        }
    )
    .map_err(io_err)?;
    for m in review {
        writeln!(
            out,
            "\n── Question {} · {} · {}",
            m.number, m.question.title, m.question.code
        )
        .map_err(io_err)?;
        for (label, answer, reference) in &m.parts {
            let label = if label.is_empty() {
                String::new()
            } else {
                format!("({label}) ")
            };
            let given = answer.as_deref().map_or("skipped".to_string(), |a| {
                format!("you wrote {}", visible(a))
            });
            writeln!(out, "  {label}{given} · the answer: {reference}").map_err(io_err)?;
        }
        writeln!(out, "Worked solution\n{}", m.question.solution.plain_text()).map_err(io_err)?;
    }
    Ok(())
}

/// "1 part", "3 parts": the noun agrees with the count.
fn parts(n: u32) -> String {
    if n == 1 {
        "1 part".into()
    } else {
        format!("{n} parts")
    }
}

fn fmt_credit(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}
