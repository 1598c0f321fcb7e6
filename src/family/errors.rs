//! The two ways generation can fail: a family cannot generate ([`GenError`]: pins that do not fit
//! together, or real code that failed to run), or its two routes to the answer disagree
//! ([`CheckError`]). They belong to generation; `crate::error` turns them into user-facing errors
//! at the boundary (see [`GenError::into_error`]).

use std::fmt;

/// Why a family could not generate a question.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenError {
    /// The pinned parameters do not fit together (say, k > n); `hint` says what would.
    #[error("{message}")]
    Params { message: String, hint: String },
    /// Running the real code failed (a syscall in the scratch directory, say).
    #[error("{0}")]
    Run(String),
}

impl GenError {
    /// How to fix it: the hint of a parameter error. A run failure has none of its own.
    pub fn hint(&self) -> Option<&str> {
        match self {
            GenError::Params { hint, .. } => Some(hint),
            GenError::Run(_) => None,
        }
    }

    /// The user-facing error for this failure of family `family`.
    pub fn into_error(self, family: &str) -> crate::error::Error {
        crate::error::Error::Generate {
            family: family.to_string(),
            hint: self.hint().map(str::to_string),
            message: self.to_string(),
        }
    }
}

/// Why a cross-check failed: the two routes to the answer disagree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cross-check failed: {0}")]
pub struct CheckError(pub String);

impl CheckError {
    /// Fails unless `a == b`, naming what was compared.
    pub fn expect_eq<T: PartialEq + fmt::Debug>(
        what: &str,
        key: T,
        other: T,
    ) -> Result<(), CheckError> {
        if key == other {
            Ok(())
        } else {
            Err(CheckError(format!(
                "{what}: key {key:?} but second route gives {other:?}"
            )))
        }
    }
}
