//! Topics and difficulties: the two axes a pack spec picks questions by.

use crate::error::Error;
use crate::text::closest;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The interview topics. Sections of a pack spec pick families by topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Hashes and hash functions.
    Hashing,
    /// Basic probability in backend settings.
    Probability,
    /// Filesystem APIs with POSIX semantics.
    Filesystem,
    /// Optimization techniques, code- and system-level.
    Optimization,
    /// Threads sharing memory: interleavings, locks, memory ordering.
    Concurrency,
    /// Systems concepts: networking, storage engines, the OS, capacity estimation.
    Systems,
}

impl Topic {
    /// Every topic, in the order packs list them.
    pub const ALL: [Topic; 6] = [
        Topic::Hashing,
        Topic::Probability,
        Topic::Filesystem,
        Topic::Optimization,
        Topic::Concurrency,
        Topic::Systems,
    ];

    /// The id used in specs and family ids.
    pub fn id(self) -> &'static str {
        match self {
            Topic::Hashing => "hashing",
            Topic::Probability => "probability",
            Topic::Filesystem => "filesystem",
            Topic::Optimization => "optimization",
            Topic::Concurrency => "concurrency",
            Topic::Systems => "systems",
        }
    }

    /// The heading shown on papers.
    pub fn heading(self) -> &'static str {
        match self {
            Topic::Hashing => "Hashing and hash functions",
            Topic::Probability => "Probability",
            Topic::Filesystem => "Filesystem APIs",
            Topic::Optimization => "Optimization",
            Topic::Concurrency => "Concurrency",
            Topic::Systems => "Systems concepts",
        }
    }

    /// Parses a topic id, suggesting the closest on a miss.
    pub fn parse(s: &str) -> Result<Topic, Error> {
        Topic::ALL
            .into_iter()
            .find(|t| t.id() == s.trim())
            .ok_or_else(|| Error::UnknownTopic {
                given: s.to_string(),
                suggestion: closest(s, Topic::ALL.iter().map(|t| t.id())),
                valid: Topic::ALL
                    .iter()
                    .map(|t| t.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How hard a question is; families scale their parameter ranges with it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Small numbers, one step.
    Easy,
    /// The default.
    #[default]
    Medium,
    /// Larger numbers, more steps, the less common variants.
    Hard,
}

impl Difficulty {
    /// All difficulties, easiest first.
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    /// The id used in specs and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    /// Index into per-difficulty tables: 0, 1, 2.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses `easy`, `medium` or `hard`.
    pub fn parse(s: &str) -> Result<Difficulty, Error> {
        Difficulty::ALL
            .into_iter()
            .find(|d| d.id() == s.trim())
            .ok_or_else(|| Error::BadDifficulty {
                given: s.to_string(),
                suggestion: closest(s, Difficulty::ALL.iter().map(|d| d.id())),
            })
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
