//! Sealed packs: a secret keys the derivation of every question's content, so that without the
//! secret nobody can regenerate a sealed pack, or any of its questions, from the printed codes.
//!
//! The scheme: the secret becomes a 32-byte key; a sealed question's content seed is keyed BLAKE3
//! of (family id, public question seed) under that key. The printed codes carry only the public
//! seeds, a "sealed" bit and a 16-bit verifier of the key (pack codes per pack seed, question codes
//! per family and question seed), so `show`, `check` and `answers` refuse them without the secret
//! and report a wrong secret as such instead of regenerating a different question.
//!
//! Where the key comes from:
//! - A key file from `groundwork keygen`: [`KEY_PREFIX`] and 256 random bits in hex. It is
//!   recognised by its prefix and used as it is (through BLAKE3's key derivation): there is nothing
//!   to guess, so nothing to slow down.
//! - A typed secret (a passphrase): at least [`MIN_SECRET_CHARS`] characters, stretched with
//!   Argon2id ([`ARGON2_MEMORY_KIB`], [`ARGON2_PASSES`], [`ARGON2_LANES`]). The verifiers on the
//!   paper let anyone test guesses offline; Argon2id makes each guess cost about a quarter of a
//!   second and 64 MiB, where BLAKE3 once let every 1–5-letter secret be tried in 106 s.
//!
//! The key is derived once per process (a pack, a batch), never per question.
//!
//! The secret comes from, in order: `--secret-file FILE` (its first line), `--secret TEXT`, or the
//! environment variable `GROUNDWORK_SECRET`. A secret on the command line is visible to other users
//! of the machine in the process list; prefer the file or the variable.
//!
//! What sealing does not protect: the question itself. A printed question shows its parameters,
//! and anyone with groundwork can recompute its answer from them (that is what the tool does).
//! Sealing protects the codes: they no longer lead from a paper to its key.

use crate::error::Error;
use std::path::Path;

/// The environment variable a secret can come from.
pub const SECRET_ENV: &str = "GROUNDWORK_SECRET";

/// How a key from `groundwork keygen` starts; 64 hex digits (256 bits) follow.
pub const KEY_PREFIX: &str = "groundwork-key-1:";

/// The shortest typed secret accepted, in characters.
pub const MIN_SECRET_CHARS: usize = 16;

/// Argon2id memory cost, in KiB (64 MiB), for typed secrets (RFC 9106's second recommendation).
pub const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
/// Argon2id passes over memory.
pub const ARGON2_PASSES: u32 = 3;
/// Argon2id lanes (parallelism).
pub const ARGON2_LANES: u32 = 1;
/// Argon2id salt: fixed, so that a secret gives the same key on every machine. It separates
/// groundwork's keys from any other use of the same passphrase.
const ARGON2_SALT: &[u8] = b"groundwork 2026-11 sealed-pack secret";

const KEYGEN_HINT: &str =
    "make a random key with `groundwork keygen > interview.key` and pass --secret-file interview.key";

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

/// A fresh key as `groundwork keygen` prints it: [`KEY_PREFIX`] and 256 bits from the operating
/// system's random source, in hex. (The only randomness groundwork takes from outside a seed: a
/// key is a secret, not content.)
pub fn new_key_text() -> Result<String, Error> {
    use rand::TryRngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| Error::Usage {
            message: format!("the operating system gave no random bytes: {e}"),
            hint: "try again; groundwork keygen needs /dev/urandom or getrandom(2)".into(),
        })?;
    Ok(format!("{KEY_PREFIX}{}", hex(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a secret came from, for messages (the secret itself is never printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// `--secret TEXT`.
    Flag,
    /// The first line of `--secret-file FILE`.
    File(&'a Path),
    /// The `GROUNDWORK_SECRET` variable.
    Env,
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("--secret"),
            Source::File(p) => write!(f, "the secret in {}", p.display()),
            Source::Env => f.write_str(SECRET_ENV),
        }
    }
}

impl Seal {
    /// A seal from a secret: a keygen key as it is, a typed secret through Argon2id. Empty, short
    /// and damaged-key secrets are refused, naming where they came from.
    pub fn from_secret(secret: &str, source: Source) -> Result<Seal, Error> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(match source {
                Source::Env => Error::Usage {
                    message: format!("{SECRET_ENV} is set but empty"),
                    hint: format!(
                        "unset it (`unset {SECRET_ENV}`) for an unsealed pack, or set it to a key from `groundwork keygen`"
                    ),
                },
                _ => Error::Usage {
                    message: format!("{source} is empty"),
                    hint: KEYGEN_HINT.into(),
                },
            });
        }
        if let Some(hex_key) = secret.strip_prefix(KEY_PREFIX) {
            let bytes = parse_hex_key(hex_key).ok_or_else(|| Error::Usage {
                message: format!(
                    "{source} starts like a groundwork key but is damaged: a key is `{KEY_PREFIX}` and 64 hex digits"
                ),
                hint: "copy the whole line `groundwork keygen` printed, or make a new key".into(),
            })?;
            return Ok(Seal {
                key: blake3::derive_key("groundwork 2026-11 seal key from keygen", &bytes),
            });
        }
        let n = secret.chars().count();
        if n < MIN_SECRET_CHARS {
            return Err(Error::Usage {
                message: format!(
                    "{source} is too short to seal a pack: a typed secret needs at least {MIN_SECRET_CHARS} characters, and this one has {n}"
                ),
                hint: KEYGEN_HINT.into(),
            });
        }
        Ok(Seal {
            key: stretch(secret)?,
        })
    }

    /// The seal the user asked for: `--secret-file`, then `--secret`, then `GROUNDWORK_SECRET`;
    /// `None` when there is none.
    pub fn from_sources(secret: Option<&str>, file: Option<&Path>) -> Result<Option<Seal>, Error> {
        if let Some(path) = file {
            let text = crate::input::read_text(path, "the secret file")?;
            return Seal::from_secret(text.lines().next().unwrap_or(""), Source::File(path))
                .map(Some);
        }
        if let Some(s) = secret {
            return Seal::from_secret(s, Source::Flag).map(Some);
        }
        match std::env::var(SECRET_ENV) {
            Ok(s) => Seal::from_secret(&s, Source::Env).map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Usage {
                message: format!("{SECRET_ENV} is not valid UTF-8"),
                hint: format!("set {SECRET_ENV} to a key from `groundwork keygen`, or unset it"),
            }),
        }
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

    /// A 16-bit check value of the key for one question, carried by sealed question codes.
    pub fn question_verifier(&self, family: &str, seed: u64) -> u16 {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(b"question verifier");
        h.update(&(family.len() as u64).to_le_bytes());
        h.update(family.as_bytes());
        h.update(&seed.to_le_bytes());
        let b = h.finalize();
        u16::from_le_bytes([b.as_bytes()[0], b.as_bytes()[1]])
    }

    /// A 64-bit fingerprint of the key, for stamps that must change with the secret (a batch
    /// rerun with another secret redoes every candidate). As hard to invert as the verifiers.
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(b"stamp fingerprint");
        hex(&h.finalize().as_bytes()[..8])
    }
}

fn parse_hex_key(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Argon2id of a typed secret with the documented parameters.
fn stretch(secret: &str) -> Result<[u8; 32], Error> {
    let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, Some(32))
        .map_err(|e| Error::Render {
            what: "the key derivation".into(),
            message: e.to_string(),
        })?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0u8; 32];
    argon
        .hash_password_into(secret.as_bytes(), ARGON2_SALT, &mut key)
        .map_err(|e| Error::Render {
            what: "the key derivation".into(),
            message: e.to_string(),
        })?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_secrets_are_stretched_and_whitespace_is_not_part_of_them() {
        let a = Seal::from_secret("correct horse battery", Source::Flag).unwrap();
        let b = Seal::from_secret("correct horse battery staple", Source::Flag).unwrap();
        assert_ne!(
            a.question_seed("hashing.birthday", 7),
            b.question_seed("hashing.birthday", 7)
        );
        let c = Seal::from_secret("  correct horse battery\n", Source::Flag).unwrap();
        assert_eq!(
            a.question_seed("hashing.birthday", 7),
            c.question_seed("hashing.birthday", 7),
            "surrounding whitespace (a trailing newline in a key file) is not part of the secret"
        );
        // The key is Argon2id with the documented parameters, not a fast hash.
        assert_eq!(a.key, stretch("correct horse battery").unwrap());
        assert_ne!(
            a.key,
            blake3::derive_key("groundwork 2026-11 seal key", b"correct horse battery")
        );
    }

    #[test]
    fn short_empty_and_damaged_secrets_are_refused() {
        let e = Seal::from_secret("zebra", Source::Flag).unwrap_err();
        assert!(e.to_string().contains("at least 16 characters"), "{e}");
        assert!(e.hint().unwrap().contains("groundwork keygen"));
        assert!(
            !e.to_string().contains("zebra"),
            "the secret is never printed"
        );
        let e = Seal::from_secret(" ", Source::Env).unwrap_err();
        assert_eq!(e.to_string(), "GROUNDWORK_SECRET is set but empty");
        let e = Seal::from_secret("groundwork-key-1:abc", Source::Flag).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
    }

    #[test]
    fn keygen_keys_are_random_and_used_as_they_are() {
        let k1 = new_key_text().unwrap();
        let k2 = new_key_text().unwrap();
        assert_ne!(k1, k2);
        assert!(
            k1.starts_with(KEY_PREFIX) && k1.len() == KEY_PREFIX.len() + 64,
            "{k1}"
        );
        let a = Seal::from_secret(&k1, Source::Flag).unwrap();
        let b = Seal::from_secret(&format!("{k1}\n"), Source::Flag).unwrap();
        assert_eq!(a.verifier(1), b.verifier(1));
        let bytes = parse_hex_key(&k1[KEY_PREFIX.len()..]).unwrap();
        assert_eq!(
            a.key,
            blake3::derive_key("groundwork 2026-11 seal key from keygen", &bytes)
        );
    }
}
