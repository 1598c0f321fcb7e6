//! The registry: every family, in a stable order (topic by topic, each topic's families in the
//! order its `mod.rs` lists them). Everything generic — `groundwork families`, `--set` validation,
//! spec checks, question codes and the registry-wide tests — reads it; nothing else lists families
//! by hand. The order feeds the registry fingerprint in pack codes.

use super::contract::Family;
use super::topic::Topic;
use super::{concurrency, filesystem, hashing, optimization, probability, systems};
use crate::error::Error;
use crate::text::closest;
use std::sync::LazyLock;

/// Declares a topic's family modules and its list: one line per family, `module => Type,`.
macro_rules! families {
    ($($module:ident => $ty:ident,)*) => {
        $(pub mod $module;)*
        /// This topic's families, in the order the lines above list them.
        pub static FAMILIES: &[&dyn $crate::family::Family] = &[$(&$module::$ty),*];
    };
}
pub(crate) use families;

/// The families of `topic`, from its folder's `mod.rs`. The match is exhaustive, so a new topic
/// cannot be left out of the registry.
fn topic_families(topic: Topic) -> &'static [&'static dyn Family] {
    match topic {
        Topic::Hashing => hashing::FAMILIES,
        Topic::Probability => probability::FAMILIES,
        Topic::Filesystem => filesystem::FAMILIES,
        Topic::Optimization => optimization::FAMILIES,
        Topic::Concurrency => concurrency::FAMILIES,
        Topic::Systems => systems::FAMILIES,
    }
}

/// Every family, topic by topic in [`Topic::ALL`] order.
pub static FAMILIES: LazyLock<Vec<&'static dyn Family>> = LazyLock::new(|| {
    Topic::ALL
        .iter()
        .flat_map(|t| topic_families(*t).iter().copied())
        .collect()
});

/// The family with this id, or an error listing the valid ids and the closest one.
pub fn lookup(id: &str) -> Result<&'static dyn Family, Error> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.id() == id.trim())
        .ok_or_else(|| Error::UnknownFamily {
            given: id.to_string(),
            suggestion: closest(id, FAMILIES.iter().map(|f| f.id())),
            valid: FAMILIES
                .iter()
                .map(|f| f.id())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The families of a topic, in registry order.
pub fn of_topic(topic: Topic) -> Vec<&'static dyn Family> {
    FAMILIES
        .iter()
        .copied()
        .filter(|f| f.topic() == topic)
        .collect()
}
