//! The family contract: the [`Family`] trait every question family implements. See
//! `../shared/DESIGN.md` ("A question family").

use super::ctx::Ctx;
use super::errors::{CheckError, GenError};
use super::params::ParamSpec;
use super::profile::{About, Ask};
use super::question::Question;
use super::topic::Topic;

/// A question family. See the module docs and `../shared/DESIGN.md`.
pub trait Family: Sync {
    /// Stable id, `topic.name`: "hashing.birthday".
    fn id(&self) -> &'static str;
    /// Bump when the same seed would give a different question.
    fn version(&self) -> u32;
    /// The topic.
    fn topic(&self) -> Topic;
    /// A short title for listings and the key.
    fn title(&self) -> &'static str;
    /// Declared parameters: `--set` keys, ranges, defaults.
    fn params(&self) -> &'static [ParamSpec];
    /// Generates a question by running real code.
    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError>;
    /// Recomputes the answer by a second, independent route and compares.
    fn cross_check(&self, q: &Question, cx: &mut Ctx) -> Result<(), CheckError>;
    /// The asks this family offers, with minutes, tags and needs-computer per difficulty: one
    /// entry per value of its `ask` parameter, or one entry with id "" when it has none.
    fn asks(&self) -> &'static [Ask] {
        &[]
    }
    /// What the family asks, how its key is computed and its second route, in a phrase each: the
    /// catalogue and the README's families table show them.
    fn about(&self) -> About {
        About::default()
    }
    /// Quality rules of this family beyond the generic ones (`super::quality`): each flaw of
    /// the drawn instance, as text ("the umask removes no bit the modes request"). A draw with a
    /// flaw is redrawn.
    fn flaws(&self, _q: &Question) -> Vec<String> {
        Vec::new()
    }
    /// Parameters the prompt shows by what it lists or in another unit rather than as the number
    /// itself: `steps = 4` is four operations in the code, `keys = 6` six keys in the table,
    /// `small_kib = 4` a buffer of 4096 bytes. The registry test checks that every other recorded
    /// number appears in the prompt as written, and that pinning any recorded parameter to another
    /// value changes the prompt (a parameter that changes nothing is unused and must not be
    /// recorded: see `Ctx::unused`).
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &[]
    }
}
