//! The one error type user-facing code returns. Each variant says where, what, and (through
//! [`Error::hint`]) how to fix it; `main` prints `error: …` then `hint: …` and exits with
//! [`Error::exit_code`].

use std::path::PathBuf;

/// Everything that can go wrong for a user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No family has this id.
    #[error("unknown family `{}`", crate::text::echo(.given))]
    UnknownFamily {
        given: String,
        suggestion: Option<String>,
        valid: String,
    },
    /// No topic has this id.
    #[error("unknown topic `{}`", crate::text::echo(.given))]
    UnknownTopic {
        given: String,
        suggestion: Option<String>,
        valid: String,
    },
    /// Not easy, medium or hard.
    #[error("unknown difficulty `{}`", crate::text::echo(.given))]
    BadDifficulty {
        given: String,
        suggestion: Option<String>,
    },
    /// A `--set key=value` that does not fit the family.
    #[error("--set {}: {message}", crate::text::echo(.set))]
    BadSet {
        set: String,
        message: String,
        hint: String,
    },
    /// A pack spec that does not parse or does not validate; `at` is `file:line:col` or `file: field`.
    #[error("{at}: {message}")]
    Spec {
        at: String,
        message: String,
        hint: String,
    },
    /// A question or pack code that does not decode.
    #[error("bad code `{}`: {message}", crate::text::echo(.code))]
    BadCode {
        code: String,
        message: String,
        hint: String,
    },
    /// A command-line value that does not parse.
    #[error("{message}")]
    Usage { message: String, hint: String },
    /// A family failed to generate: pinned parameters that do not fit together (with a hint), or
    /// real code that failed to run (no hint of its own). Built by `family::GenError::into_error`.
    #[error("{family}: {message}")]
    Generate {
        family: String,
        message: String,
        hint: Option<String>,
    },
    /// A key's two routes disagree: a bug in a family, caught before anything is printed.
    #[error("{at}: {message}")]
    CrossCheck { at: String, message: String },
    /// An embedded template or a renderer failed: a bug in groundwork.
    #[error("rendering {what}: {message}")]
    Render { what: String, message: String },
    /// A `--templates` override failed to parse or render, or went past a limit: the template's
    /// fault, not groundwork's. `what` is the override's path.
    #[error("template {what}: {message}")]
    Template { what: String, message: String },
    /// Reading or writing a file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// How to fix it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::UnknownFamily {
                suggestion, valid, ..
            } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`? `groundwork families` lists them all"),
                None if valid.len() <= 200 => {
                    format!("run `groundwork families` to list them: {valid}")
                }
                None => "`groundwork families` lists them all, one line each".into(),
            }),
            Error::UnknownTopic {
                suggestion, valid, ..
            } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`? Topics are: {valid}"),
                None => format!("Topics are: {valid}"),
            }),
            Error::BadDifficulty { suggestion, .. } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`? Difficulties are: easy, medium, hard"),
                None => "difficulties are: easy, medium, hard".into(),
            }),
            Error::BadSet { hint, .. }
            | Error::Spec { hint, .. }
            | Error::BadCode { hint, .. }
            | Error::Usage { hint, .. } => Some(hint.clone()),
            Error::Generate {
                hint: Some(hint), ..
            } => Some(hint.clone()),
            Error::Generate { .. } | Error::Render { .. } | Error::CrossCheck { .. } => Some(
                "this is a bug in groundwork; please report it with the command you ran".into(),
            ),
            Error::Template { .. } => Some(
                "the template comes from --templates: fix it, or remove it to use the built-in one \
                 (templates are code: use only templates you trust)"
                    .into(),
            ),
            Error::Io { action, .. } if *action == "writing" || *action == "creating" => Some(
                "check that the directory exists and is writable, or choose another with --out"
                    .into(),
            ),
            Error::Io { .. } => Some("check the path and its permissions".into()),
        }
    }

    /// The process exit code: 2 for bad input and I/O errors (1 is reserved for graded misses).
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// For a family whose real code failed to run: when the temporary folder (`TMPDIR`, where the
    /// filesystem questions run their syscalls) is missing or not writable, the fault is the
    /// environment's, and this says how to fix it; `None` when the folder is fine.
    pub fn temp_dir_problem() -> Option<String> {
        let dir = std::env::temp_dir();
        let fix = "set TMPDIR to a folder that exists and is writable, or unset it to use /tmp";
        if !dir.is_dir() {
            return Some(format!(
                "the temporary folder {} (from TMPDIR) does not exist or is not a folder: {fix}",
                dir.display()
            ));
        }
        match tempfile::Builder::new()
            .prefix("groundwork-probe-")
            .tempdir_in(&dir)
        {
            Ok(_) => None,
            Err(e) => Some(format!(
                "the temporary folder {} (from TMPDIR) is not usable ({e}): {fix}",
                dir.display()
            )),
        }
    }

    /// Wraps an I/O error with the path and the action.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
