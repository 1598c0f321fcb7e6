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
    long_about = "Generates parametrized interview questions on backend fundamentals (`groundwork \
families` lists the topics and their question families). Every answer is computed by running code (real digests, simulations, syscalls) and \
checked by a second, independent route. Packs print as HTML, Markdown and JSON.",
    after_help = top_help()
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
    #[command(after_help = generate_help())]
    Generate(GenerateArgs),
    /// One distinct variant of a spec per candidate: files per candidate, a manifest, a combined key.
    #[command(after_help = batch_help())]
    Batch(BatchArgs),
    /// Grade a round: every candidate's answers file against their variant from a batch, into
    /// scores.csv, items.csv (facility and discrimination per question) and report.html.
    #[command(after_help = grade_help())]
    Grade(GradeArgs),
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
  groundwork audit hashing.birthday --seeds 20
  groundwork audit hashing.birthday optimization.cache_policy --difficulty hard --seeds 10
  groundwork audit hashing --seeds 5 --format json > audit.json

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
    #[command(after_help = show_help())]
    Show(ShowArgs),
    /// Check answers against a pack: a score, each part graded with its tolerance, and the worked
    /// solution for every miss. Exit code 0 when all correct, 1 when something is not, 2 for bad input.
    #[command(after_help = check_help())]
    Check(CheckArgs),
    /// Print a pack's reference answers in the answers-file format: the compact key an interviewer
    /// marks with (and that `check` scores at 100%).
    #[command(after_help = answers_help())]
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
  groundwork practice --family hashing.birthday --family probability.coupon
  groundwork practice --spec pack.toml      the questions of a pack spec, in paper order
  printf '0.42\\nquit\\n' | groundwork practice --seed 7     (piped answers work too)"
    )]
    Practice(PracticeArgs),
    /// Print a new random key for sealed packs: 256 bits from the operating system, in a form
    /// `--secret-file` recognises and uses without slow key stretching.
    #[command(after_help = keygen_help())]
    Keygen,
}

/// The example a help text gives for a question code: a real code of this build
/// (hashing.birthday, medium, seed 48213), so the example runs.
pub fn example_question_code() -> String {
    let version = crate::family::lookup("hashing.birthday").map_or(1, |f| f.version());
    crate::code::QuestionCode {
        family: "hashing.birthday",
        version,
        difficulty: crate::family::Difficulty::Medium,
        seed: 48213,
        pins: Default::default(),
        verifier: None,
    }
    .encode()
}

/// The example a help text gives for a pack code: the code of the built-in spec in this build,
/// the one `groundwork generate` prints.
pub fn example_pack_code() -> String {
    crate::code::pack_code(
        &crate::spec::Spec::default_spec(),
        None,
        &crate::family::FAMILIES,
    )
}

/// The formats of the exporter registry, one per line with the files each writes, for the
/// `generate` and `batch` help: listed from the registry, so the help cannot fall out of date.
pub fn formats_help() -> String {
    let mut s = String::from("Formats (--format, comma-separated), from the exporter registry:\n");
    for e in crate::export::EXPORTERS {
        let files: Vec<&str> = e.files().iter().map(|(f, _)| *f).collect();
        s.push_str(&format!("  {:<10} {}\n", e.id(), files.join(", ")));
    }
    s
}

fn top_help() -> String {
    format!(
        "Examples:
  groundwork generate                          sample pack from the built-in spec into ./pack/
  groundwork generate --spec round2.toml --seed 7 --out round2/
  groundwork families                          one line per family; --long for parameters
  groundwork show {q}            regenerate one question from its printed code
  groundwork show hashing.birthday --set ask=probability --set ids=500 --difficulty hard
  groundwork keygen > interview.key            a key for sealed packs (--secret-file)",
        q = example_question_code()
    )
}

fn generate_help() -> String {
    format!(
        "Examples:
  groundwork generate                                  built-in spec: 8 questions, 2 per topic
  groundwork generate --spec pack.toml --out interviews/alice
  groundwork generate --seed 42 --difficulty hard --format html,json
  groundwork generate --format selfcheck --out practice   a page candidates check answers on
  groundwork generate --print-default-spec > pack.toml  start a spec of your own

{formats}
Spec format (TOML):
  title = \"Backend fundamentals\"
  seed = 2026
  duration = \"60 minutes\"
  instructions = \"Answer every question.\"

  [[section]]
  topic = \"hashing\"        # {topics}
  count = 2
  difficulty = \"medium\"    # easy | medium | hard

  [[section]]
  families = [\"optimization.cache_policy\"]
  points = 10
  set = {{ policy = \"opt\" }}",
        formats = formats_help(),
        topics = crate::family::Topic::ALL
            .iter()
            .map(|t| t.id())
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

fn batch_help() -> String {
    format!(
        "Examples:
  groundwork batch --candidates candidates.csv --spec round2.toml --out round2/
  groundwork batch --candidates ids.txt --out batch/ --format html,json,moodle
  groundwork batch --candidates ids.txt --out batch/ --secret-file interview.key   sealed variants

{formats}

The candidates file has one id per line (`#` comments and blank lines are skipped), or is a table
with `,`, `;` or tab between cells whose header names an `id`, `candidate`, `email` or `name`
column; a `name` column goes on the paper's name line. Any id works (an email, a name with
spaces): its files use a safe slug of it. Every candidate gets the same families in the same order,
each with the same ask, with other numbers, from a seed derived from the spec's seed and the id (`--vary families` lets
topic sections draw per candidate); rerunning reproduces every byte, and candidates already
written with the same inputs are skipped. Output: papers/ (the candidates' files, no answers),
keys/ (keys, marking sheets, pack JSON), papers.pdf, keys.pdf and marking.pdf (everyone's, each
starting on an odd page), manifest.csv (slugs, pack codes, files, SHA-256 digests), answers.txt
(every candidate's key in the answers-file format), and with moodle or gift one combined file
holding every variant in a category per family.",
        formats = formats_help()
    )
}

fn grade_help() -> String {
    "BATCH_DIR is the --out folder of `groundwork batch` (its manifest.csv says who the candidates are;
each one's pack is read from keys/<slug>.json, or regenerated from the pack code). ANSWERS_DIR holds
one answers file per candidate, named by the id or the slug: <id>.txt or <id>.json, in the format
`groundwork check` reads, and optionally <id>.marks, the interviewer's marks by hand (the format of
`check --marks`). Other names in ANSWERS_DIR (other extensions, hidden files) are ignored.

- A candidate without an answers file is listed as missing, and not counted in the statistics.
- An answers file for an id the manifest does not have, or two files for one candidate, is an
  error naming the file: exit 2, nothing written.
- A line the grader cannot read marks its part invalid (or is noted), as in `check`; it is listed
  on stderr and in the outputs, and the rest is graded. A file that cannot be read at all (JSON
  that does not parse, a marks file with an error) makes that candidate unreadable: listed with
  the reason, the others still graded and written, and the exit code is 1.

Outputs (into --out, default BATCH_DIR/results/):
- scores.csv: one row per candidate: id, name, total, percentage, points per topic, points per
  question part, status and problems;
- items.csv: one row per question part: facility, point-biserial discrimination against the
  rest-score, the upper-minus-lower 27% index (groups of round(0.27 × candidates graded), at
  least 1; candidates tied on a group's edge share its places left), the share picking each
  option, the shares invalid and unanswered;
- report.html: self-contained (tables, a histogram of totals, per-topic profiles, flagged items);
- results.json (with json): the same data.

Exit codes: 0 every answers file graded, 1 written but some file unreadable, 2 bad input.

Examples:
  groundwork batch --candidates ids.txt --out round/ --format json --quiet
  groundwork grade round/ answers/                  into round/results/
  groundwork grade round/ answers/ --out results/ --format csv,json,html"
        .to_string()
}

fn show_help() -> String {
    format!(
        "TARGET is a question code as printed on a paper ({q}), or a family id. A topic
(hashing), a family's short name (birthday) or a pack code is refused with exit code 2 and a hint
naming what to run instead.

Examples:
  groundwork show {q}
  groundwork show hashing.birthday --seed 12 --difficulty hard
  groundwork show optimization.cache_policy --set policy=opt --set capacity=3
  groundwork show probability.coupon --format json",
        q = example_question_code()
    )
}

fn check_help() -> String {
    format!(
        "PACK is a pack.json written by `generate`, or the pack code printed on the paper.
ANSWERS is a file (or - for stdin) with one answer per line, labelled as the paper numbers them:

  1: 0.42
  2b) ENOTEMPTY
  3 = (A), C
  4: 245 times            a unit word that names the part's unit is fine
  5b: \"ab\\0\\0c\"          bytes: quoted, with \\0 or \\x00 for a zero byte

or the same as JSON: {{\"1\": \"0.42\", \"2b\": \"ENOTEMPTY\", \"3\": [\"A\", \"C\"]}}. A line that
cannot be read marks its part invalid and the rest is graded.

Examples:
  groundwork check pack/pack.json my-answers.txt
  groundwork check {p} my-answers.txt
  groundwork check pack/pack.json answers.json --format html > report.html
  groundwork answers pack/pack.json | groundwork check pack/pack.json -",
        p = example_pack_code()
    )
}

fn answers_help() -> String {
    format!(
        "Examples:
  groundwork answers pack/pack.json
  groundwork answers {p}
  groundwork answers {p} --secret-file interview.key   (a sealed pack: its code and key file)",
        p = example_pack_code()
    )
}

fn keygen_help() -> String {
    format!(
        "Examples:
  groundwork keygen > interview.key && chmod 600 interview.key
  groundwork generate --secret-file interview.key --out round2/
  groundwork answers {p} --secret-file interview.key   (the code round2/ was sealed with)

Keep the key file: without it nobody, you included, can regenerate a sealed pack or its key from
the codes on the paper. A typed secret (--secret, GROUNDWORK_SECRET) works too if it has at least
16 characters; it is stretched with Argon2id, which costs a moment on every run.",
        p = example_pack_code()
    )
}

/// Arguments of `practice`.
#[derive(Debug, Args)]
pub struct PracticeArgs {
    /// Only this topic (a topic id; `groundwork families` lists them).
    #[arg(long, value_name = "TOPIC", conflicts_with_all = ["family", "spec"])]
    pub topic: Option<String>,
    /// Only this family (repeat for several; `groundwork families` lists the ids).
    #[arg(long = "family", value_name = "ID", conflicts_with = "spec")]
    pub family: Vec<String>,
    /// Practise the questions of this pack spec, in paper order (--seed and --difficulty
    /// override the spec's, as in `generate`).
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
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
    /// The interviewer's marks by hand, one per line: `3: 2/5 "right method, arithmetic slip"`
    /// (a whole question) or `5b: 1.5/2.5 note` (one part). They replace the grader's points,
    /// which the report keeps beside them.
    #[arg(long, value_name = "FILE")]
    pub marks: Option<PathBuf>,
    #[command(flatten)]
    pub seal: OpenSealArgs,
}

/// Arguments of `answers`.
#[derive(Debug, Args)]
pub struct AnswersArgs {
    /// A pack.json, or a pack code as printed on the paper.
    pub pack: String,
    #[command(flatten)]
    pub seal: OpenSealArgs,
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
    /// Comma-separated output formats (listed under Formats below, from the exporter registry);
    /// selfcheck is a candidate's offline page that checks answers without holding them.
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
    /// Comma-separated formats (listed under Formats below): moodle and gift write one combined
    /// file for every candidate, the others a set of files per candidate.
    #[arg(long, short, value_name = "LIST", default_value = "html,json")]
    pub format: String,
    /// A directory of templates overriding the built-in ones file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// What differs between candidates: `numbers` (the default: everyone gets the same families
    /// in the same order with the same asks, and other numbers, so papers compare) or `families` (each candidate's
    /// topic sections draw their own). Overrides the spec's `vary`.
    #[arg(long, value_name = "WHAT")]
    pub vary: Option<String>,
    /// No progress bar; only the one summary line.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub seal: SealArgs,
}

/// Arguments of `grade`.
#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The folder `groundwork batch` wrote (with manifest.csv).
    #[arg(value_name = "BATCH_DIR")]
    pub batch: PathBuf,
    /// The folder of answers files: <id>.txt or <id>.json, and optional <id>.marks.
    #[arg(value_name = "ANSWERS_DIR")]
    pub answers: PathBuf,
    /// Where to write the results (created if missing); default BATCH_DIR/results.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Comma-separated outputs: csv (scores.csv and items.csv), json (results.json), html
    /// (report.html).
    #[arg(long, short, value_name = "LIST", default_value = "csv,html")]
    pub format: String,
    #[command(flatten)]
    pub seal: OpenSealArgs,
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

/// The secret of a sealed pack, for the commands that open one (`show`, `check`, `answers`): the
/// same sources as [`SealArgs`], with help that says what the secret does here.
#[derive(Debug, Args, Default)]
pub struct OpenSealArgs {
    /// Open a sealed pack with this secret (the one it was generated with). Prefer --secret-file
    /// or the GROUNDWORK_SECRET variable, which is read when neither flag is given (a command line
    /// is visible to other users of the machine).
    #[arg(long, value_name = "TEXT")]
    pub secret: Option<String>,
    /// Open a sealed pack with the secret in the first line of FILE (the key file from
    /// `groundwork keygen` it was generated with).
    #[arg(long, value_name = "FILE", conflicts_with = "secret")]
    pub secret_file: Option<PathBuf>,
}

impl OpenSealArgs {
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
    pub seal: OpenSealArgs,
}
