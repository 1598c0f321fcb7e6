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
  groundwork show hashing.birthday --set n=500 --difficulty hard"
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
    /// List question families: id, topic, title, difficulties and parameters.
    #[command(after_help = "Examples:
  groundwork families
  groundwork families --topic probability
  groundwork families --format json | jq '.[].id'")]
    Families(FamiliesArgs),
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
    /// Comma-separated output formats: html (paper.html, key.html), md (pack.md), json (pack.json).
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
    /// Only this topic's families.
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
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
}
