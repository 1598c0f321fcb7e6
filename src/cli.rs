//! The command line, declared with clap's derive API. Examples live in `after_help` so `--help`
//! shows how each command is really used.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// groundwork: fundamentals quizzes for backend engineers, with answer keys computed by running code.
#[derive(Debug, Parser)]
#[command(
    name = "groundwork",
    version,
    about = "Fundamentals quizzes for backend engineers, with answer keys computed by running real code",
    long_about = "Generates parametrized interview questions on hashing, probability, filesystem APIs and \
optimization. Every answer is computed by running code (real digests, simulations, syscalls) and \
checked by a second, independent route. Packs print as HTML, Markdown and JSON.",
    after_help = "Examples:
  groundwork generate                          sample pack from the built-in spec into ./pack/
  groundwork generate --spec round2.toml --seed 7 --out round2/
  groundwork families                          list every question family and its parameters
  groundwork show 7QK2M-9XD4T-ZP3HB            regenerate one question from its printed code
  groundwork show hashing.birthday --set n=500 --difficulty hard
  groundwork keygen > interview.key            a key for sealed packs (--secret-file)"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a pack (question paper, answer key, Markdown, JSON) from a spec.
    #[command(after_help = "Examples:
  groundwork generate                                  built-in spec: 8 questions, 2 per topic
  groundwork generate --spec pack.toml --out interviews/alice
  groundwork generate --seed 42 --difficulty hard --format html,json
  groundwork generate --format selfcheck --out practice   a page candidates check answers on
  groundwork generate --print-default-spec > pack.toml  start a spec of your own

Spec format (TOML):
  title = \"Backend fundamentals\"
  seed = 2026
  duration = \"60 minutes\"
  instructions = \"Answer every question.\"

  [[section]]
  topic = \"hashing\"        # hashing | probability | filesystem | optimization
  count = 2
  difficulty = \"medium\"    # easy | medium | hard

  [[section]]
  families = [\"optimization.cache_policy\"]
  points = 10
  set = { policy = \"opt\" }")]
    Generate(GenerateArgs),
    /// One distinct variant of a spec per candidate: files per candidate, a manifest, a combined key.
    #[command(after_help = "Examples:
  groundwork batch --candidates candidates.csv --spec round2.toml --out round2/
  groundwork batch --candidates ids.txt --out batch/ --format html,json,moodle
  groundwork batch --candidates ids.txt --out batch/ --secret-file interview.key   sealed variants

The candidates file is a CSV whose header has an `id` (or `candidate`) column, or plain text with one
id per line (`#` comments and blank lines are skipped). Ids may use letters, digits, `.`, `_` and `-`
and must be distinct (ignoring case). Each candidate gets its own seed, derived from the spec's seed
and the id: rerunning reproduces every byte, and candidates already written with the same inputs
are skipped. Output: <id>/ per candidate, manifest.csv (pack codes, files, SHA-256 digests),
answers.txt (every candidate's key in the answers-file format), and with moodle or gift one
combined file holding every variant in a category per family.")]
    Batch(BatchArgs),
    /// List question families: id, topic, title, difficulties and parameters.
    #[command(after_help = "Examples:
  groundwork families                       one line per family
  groundwork families probability --long    every ask and parameter, with ranges
  groundwork families hashing.bloom --long
  groundwork families --format json | jq '.[].id'")]
    Families(FamiliesArgs),
    /// Audit question families: time per question, redraw rate, distinct answers, quality rules,
    /// by-hand routes, the computer share and estimated minutes. Exit 1 when any rule fails.
    #[command(
        after_help = "FAMILY is a family id (hashing.birthday) or a topic (hashing); without one, every family.

Examples:
  groundwork audit --seeds 20
  groundwork audit hashing.birthday probability --difficulty hard
  groundwork audit --seeds 200 --format json > audit.json

Timing rules (median 50 ms, worst 250 ms per question, generate plus cross-check) apply only to an
optimised build: run `cargo run --release -- audit --seeds 200` for the full check."
    )]
    Audit(AuditArgs),
    /// Write an offline HTML catalogue of every family: what it asks, its parameters, time and
    /// skills, a sample question per difficulty with its key, filters and a spec builder.
    #[command(after_help = "Examples:
  groundwork catalog --out catalog/          then open catalog/index.html in a browser
  groundwork catalog --out catalog/ --templates my-templates/")]
    Catalog(CatalogArgs),
    /// Print a shell completion script for bash, zsh, fish, elvish or powershell.
    #[command(after_help = "Examples:
  groundwork completions bash > ~/.local/share/bash-completion/completions/groundwork
  groundwork completions zsh > ~/.zfunc/_groundwork      (with fpath+=~/.zfunc in ~/.zshrc)
  groundwork completions fish > ~/.config/fish/completions/groundwork.fish")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    #[command(after_help = "Examples:
  groundwork man > groundwork.1 && man ./groundwork.1
  groundwork man | sudo tee /usr/local/share/man/man1/groundwork.1 > /dev/null")]
    Man,
    /// Show one question with its answer, tolerance, worked solution and evidence.
    #[command(
        after_help = "TARGET is a question code as printed on a paper (7QK2M-9XD4T-ZP3HB), or a family id.

Examples:
  groundwork show 7QK2M-9XD4T-ZP3HB
  groundwork show hashing.birthday --seed 12 --difficulty hard
  groundwork show optimization.cache_policy --set policy=opt --set capacity=3
  groundwork show probability.coupon --format json"
    )]
    Show(ShowArgs),
    /// Check answers against a pack: a score, each part graded with its tolerance, and the worked
    /// solution for every miss. Exit code 0 when all correct, 1 when something is not, 2 for bad input.
    #[command(
        after_help = "PACK is a pack.json written by `generate`, or the pack code printed on the paper.
ANSWERS is a file (or - for stdin) with one answer per line, labelled as the paper numbers them:

  1: 0.42
  2b: ENOTEMPTY
  3: A,C

or the same as JSON: {\"1\": \"0.42\", \"2b\": \"ENOTEMPTY\", \"3\": [\"A\", \"C\"]}.

Examples:
  groundwork check pack/pack.json my-answers.txt
  groundwork check 4G1C2-Q8ZP0-5W3MA-K2D7X my-answers.txt
  groundwork check pack/pack.json answers.json --format html > report.html
  groundwork answers pack/pack.json | groundwork check pack/pack.json -"
    )]
    Check(CheckArgs),
    /// Print a pack's reference answers in the answers-file format: the compact key an interviewer
    /// marks with (and that `check` scores at 100%).
    #[command(after_help = "Examples:
  groundwork answers pack/pack.json
  groundwork answers 4G1C2-Q8ZP0-5W3MA-K2D7X --secret-file interview.key")]
    Answers(AnswersArgs),
    /// Practise in the terminal: a question, your answer, feedback and the worked solution, then
    /// the next question. `skip` skips, `quit` or end of input stops with a summary.
    #[command(
        after_help = "Without --seed, the run starts from a fresh seed, printed at the top so the same run can be
repeated with --seed. With --seed the questions are the same on every machine.

Examples:
  groundwork practice
  groundwork practice --topic filesystem --difficulty hard
  groundwork practice --seed 7 --count 5
  printf '0.42\\nquit\\n' | groundwork practice --seed 7     (piped answers work too)"
    )]
    Practice(PracticeArgs),
    /// Print a new random key for sealed packs: 256 bits from the operating system, in a form
    /// `--secret-file` recognises and uses without slow key stretching.
    #[command(after_help = "Examples:
  groundwork keygen > interview.key && chmod 600 interview.key
  groundwork generate --secret-file interview.key --out round2/
  groundwork answers 4G1C2-Q8ZP0-5W3MA-K2D7X --secret-file interview.key

Keep the key file: without it nobody, you included, can regenerate a sealed pack or its key from
the codes on the paper. A typed secret (--secret, GROUNDWORK_SECRET) works too if it has at least
16 characters; it is stretched with Argon2id, which costs a moment on every run.")]
    Keygen,
}

/// Arguments of `practice`.
#[derive(Debug, Args)]
pub struct PracticeArgs {
    /// Only this topic: hashing, probability, filesystem or optimization.
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// easy, medium (default) or hard.
    #[arg(long, value_name = "D")]
    pub difficulty: Option<String>,
    /// The run's seed (default: a fresh one, printed at the start).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Stop after this many questions (default: until `quit` or end of input).
    #[arg(long, value_name = "N")]
    pub count: Option<u32>,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A terminal report.
    Text,
    /// JSON for scripts.
    Json,
    /// A standalone HTML page.
    Html,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A pack.json, or a pack code as printed on the paper.
    pub pack: String,
    /// The answers file (text or JSON), or - for stdin.
    pub answers: PathBuf,
    /// text, json or html.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub seal: SealArgs,
}

/// Arguments of `answers`.
#[derive(Debug, Args)]
pub struct AnswersArgs {
    /// A pack.json, or a pack code as printed on the paper.
    pub pack: String,
    #[command(flatten)]
    pub seal: SealArgs,
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The pack spec (TOML). Without it, the built-in default spec is used.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Overrides the spec's seed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Directory to write into (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "pack")]
    pub out: PathBuf,
    /// Comma-separated output formats: html (paper.html, key.html), md (pack.md), json (pack.json),
    /// selfcheck (selfcheck.html: a candidate's offline page that checks answers without holding them).
    #[arg(long, short, value_name = "LIST", default_value = "html,md,json")]
    pub format: String,
    /// Overrides the spec's title.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Overrides every section's difficulty: easy, medium or hard.
    #[arg(long, value_name = "D")]
    pub difficulty: Option<String>,
    /// A directory of templates overriding the built-in ones file by file (e.g. html/paper.html).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Prints the built-in default spec to stdout and exits.
    #[arg(long)]
    pub print_default_spec: bool,
    /// Prints nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub seal: SealArgs,
}

/// Arguments of `batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The candidates: a CSV with an `id` column, or one id per line.
    #[arg(long, value_name = "FILE")]
    pub candidates: PathBuf,
    /// The pack spec (TOML). Without it, the built-in default spec is used.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Overrides the spec's seed (each candidate's seed is derived from it).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Directory to write into (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "batch")]
    pub out: PathBuf,
    /// Comma-separated formats per candidate (html, md, json, selfcheck, pdf) and combined (moodle, gift).
    #[arg(long, short, value_name = "LIST", default_value = "html,json")]
    pub format: String,
    /// A directory of templates overriding the built-in ones file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub seal: SealArgs,
}

/// Where a sealed pack's secret comes from (see `groundwork generate --help`).
#[derive(Debug, Args, Default)]
pub struct SealArgs {
    /// Seal the pack with this secret (at least 16 characters, stretched with Argon2id): without it
    /// nobody can regenerate the pack or its key from the printed codes. Prefer --secret-file
    /// with a key from `groundwork keygen`, or the GROUNDWORK_SECRET variable, which is read when
    /// neither flag is given (a command line is visible to other users of the machine).
    #[arg(long, value_name = "TEXT")]
    pub secret: Option<String>,
    /// Read the secret from the first line of FILE: a key from `groundwork keygen`, or a typed
    /// secret of at least 16 characters.
    #[arg(long, value_name = "FILE", conflicts_with = "secret")]
    pub secret_file: Option<PathBuf>,
}

impl SealArgs {
    /// The seal asked for, if any.
    pub fn seal(&self) -> Result<Option<crate::seal::Seal>, crate::Error> {
        crate::seal::Seal::from_sources(self.secret.as_deref(), self.secret_file.as_deref())
    }
}

/// Output formats of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Human-readable text.
    Text,
    /// JSON for scripts.
    Json,
}

/// Arguments of `families`.
#[derive(Debug, Args)]
pub struct FamiliesArgs {
    /// Topics or family ids to list (`families hashing`); every family when none is given.
    #[arg(value_name = "TOPIC|FAMILY")]
    pub names: Vec<String>,
    /// Only this topic's families (the same as giving the topic as an argument).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// Every ask and parameter, with its range and what each difficulty draws.
    #[arg(long)]
    pub long: bool,
    /// text or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

/// Arguments of `catalog`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The folder to write index.html into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "catalog")]
    pub out: PathBuf,
    /// A folder of template overrides (html/catalog.html, html/catalog.js, html/macros.html).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Family ids or topics to audit; every family when none is given.
    pub families: Vec<String>,
    /// Seeds per family and difficulty.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub seeds: u64,
    /// Audit only this difficulty (easy, medium or hard).
    #[arg(long, value_name = "D")]
    pub difficulty: Option<String>,
    /// text or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

/// Arguments of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A question code, or a family id such as hashing.birthday.
    pub target: String,
    /// With a family id: the question seed (0 to 2^40−1).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// With a family id: easy, medium (default) or hard.
    #[arg(long, value_name = "D")]
    pub difficulty: Option<String>,
    /// With a family id: pin a parameter (repeatable); `groundwork families` lists them.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// text or json (the full question record).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
    /// Hide the answer, solution and evidence: show the question as a candidate sees it.
    #[arg(long)]
    pub paper: bool,
    #[command(flatten)]
    pub seal: SealArgs,
}
