//! Sealed packs: a secret keys the derivation of every question's content, so that without the
//! secret nobody can regenerate a sealed pack, or any of its questions, from the printed codes.
//!
//! The scheme: the secret is stretched into a 32-byte key with BLAKE3's key derivation; a sealed
//! question's content seed is keyed BLAKE3 of (family id, public question seed) under that key.
//! The printed codes carry only the public seeds and a "sealed" bit, so `groundwork show` and
//! `groundwork check` refuse them without the secret. A sealed pack code also carries a 16-bit
//! verifier of the key, so a mistyped secret is reported instead of silently giving a different
//! pack. (16 bits leak nothing useful about a decent secret; a one-word secret is guessable by
//! anyone willing to try many, so use a long random one.)
//!
//! The secret comes from, in order: `--secret-file FILE` (first line), `--secret TEXT`, or the
//! environment variable `GROUNDWORK_SECRET`. A secret on the command line is visible to other users
//! of the machine in the process list; prefer the file or the variable.

use crate::error::Error;
use std::path::Path;

/// The environment variable a secret can come from.
pub const SECRET_ENV: &str = "GROUNDWORK_SECRET";

/// A keyed derivation for sealed packs. The key is never printed or serialised.
#[derive(Clone)]
pub struct Seal {
    key: [u8; 32],
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(..)")
    }
}

impl Seal {
    /// A seal from a secret; an empty or all-whitespace secret is refused.
    pub fn new(secret: &str) -> Result<Seal, Error> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(Error::Usage {
                message: "the secret is empty".into(),
                hint: "use a long random string, e.g. `openssl rand -hex 16 > secret.txt`".into(),
            });
        }
        Ok(Seal {
            key: blake3::derive_key("groundwork 2026-11 seal key", secret.as_bytes()),
        })
    }

    /// The seal the user asked for: `--secret-file`, then `--secret` (which clap also fills from
    /// `GROUNDWORK_SECRET`); `None` when there is none.
    pub fn from_sources(secret: Option<&str>, file: Option<&Path>) -> Result<Option<Seal>, Error> {
        if let Some(path) = file {
            let text = crate::input::read_text(path, "the secret file")?;
            return Seal::new(text.lines().next().unwrap_or("")).map(Some);
        }
        // clap fills `secret` from GROUNDWORK_SECRET when the flag is absent.
        secret.map(Seal::new).transpose()
    }

    /// The content seed of a sealed question with public seed `seed`.
    pub fn question_seed(&self, family: &str, seed: u64) -> u64 {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(b"question");
        h.update(&(family.len() as u64).to_le_bytes());
        h.update(family.as_bytes());
        h.update(&seed.to_le_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&h.finalize().as_bytes()[..8]);
        u64::from_le_bytes(b)
    }

    /// A 16-bit check value of the key for a pack seed, carried by sealed pack codes.
    pub fn verifier(&self, pack_seed: u64) -> u16 {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(b"verifier");
        h.update(&pack_seed.to_le_bytes());
        let b = h.finalize();
        u16::from_le_bytes([b.as_bytes()[0], b.as_bytes()[1]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_secrets_give_different_seeds() {
        let a = Seal::new("correct horse").unwrap();
        let b = Seal::new("correct horse battery").unwrap();
        assert_ne!(
            a.question_seed("hashing.birthday", 7),
            b.question_seed("hashing.birthday", 7)
        );
        assert_eq!(
            a.question_seed("hashing.birthday", 7),
            Seal::new("  correct horse\n")
                .unwrap()
                .question_seed("hashing.birthday", 7),
            "surrounding whitespace (a trailing newline in a key file) is not part of the secret"
        );
        assert!(Seal::new("   ").is_err());
    }
}
