//! Question codes: a short, typo-checked code printed next to each question, from which
//! `groundwork show CODE` regenerates exactly that question.
//!
//! A code packs 75 bits into 15 Crockford base-32 characters, shown as `XXXXX-XXXXX-XXXXX`:
//! a 16-bit family tag (from the family id), the family version (6 bits), the difficulty (2 bits),
//! the 40-bit question seed and an 11-bit checksum, which catches a mistyped character (all but
//! 1 in 2048 typos). Pinned parameters follow after a colon in plain text: `…-XXXXX:n=40,k=6`.
//! Decoding accepts lower case, missing dashes, and Crockford's look-alikes (I and L for 1, O for 0).

use crate::error::Error;
use crate::family::{self, Difficulty, Family, Pins};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 15;

/// Everything a question code holds.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionCode<'a> {
    /// The family id.
    pub family: &'a str,
    /// The family version that generated the question.
    pub version: u32,
    /// The difficulty.
    pub difficulty: Difficulty,
    /// The 40-bit question seed.
    pub seed: u64,
    /// Pinned parameters.
    pub pins: Pins,
}

/// The 16-bit tag of a family id. The registry test checks tags are unique.
pub fn family_tag(id: &str) -> u16 {
    let h = blake3::hash(id.as_bytes());
    u16::from_le_bytes([h.as_bytes()[0], h.as_bytes()[1]])
}

fn checksum(payload: u64) -> u128 {
    let h = blake3::derive_key(
        "groundwork 2026-11 question code check",
        &payload.to_le_bytes(),
    );
    (u16::from_le_bytes([h[0], h[1]]) & 0x7ff) as u128
}

/// Crockford base-32 of the low `chars`·5 bits of `v`.
pub fn base32(mut v: u128, chars: usize) -> String {
    let mut out = vec![b'0'; chars];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8(out).expect("alphabet is ascii")
}

/// Decodes Crockford base 32, ignoring dashes and spaces; `None` on a character outside it.
pub fn unbase32(s: &str) -> Result<(u128, usize), char> {
    let mut v: u128 = 0;
    let mut n = 0;
    for c in s.chars() {
        if c == '-' || c == ' ' {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let d = ALPHABET.iter().position(|a| *a as char == c).ok_or(c)?;
        if n >= 25 {
            return Err(c);
        }
        v = (v << 5) | d as u128;
        n += 1;
    }
    Ok((v, n))
}

/// Groups a code as `XXXXX-XXXXX-XXXXX`.
pub fn group(s: &str) -> String {
    s.as_bytes()
        .chunks(5)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("-")
}

impl QuestionCode<'_> {
    /// The printed code.
    pub fn encode(&self) -> String {
        let payload: u64 = ((family_tag(self.family) as u64) << 48)
            | (((self.version & 63) as u64) << 42)
            | ((self.difficulty.index() as u64) << 40)
            | (self.seed & crate::seed::MAX_QUESTION_SEED);
        let bits = ((payload as u128) << 11) | checksum(payload);
        let mut code = group(&base32(bits, CODE_CHARS));
        if !self.pins.is_empty() {
            code.push(':');
            code.push_str(
                &self
                    .pins
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        code
    }
}

fn bad(code: &str, message: impl Into<String>, hint: &str) -> Error {
    Error::BadCode {
        code: code.to_string(),
        message: message.into(),
        hint: hint.to_string(),
    }
}

const CODE_HINT: &str =
    "a question code looks like 7QK2M-9XD4T-ZP3HB, as printed next to each question";

/// Decodes a printed question code back to its family, difficulty, seed and pins.
pub fn decode(code: &str) -> Result<(QuestionCode<'static>, &'static dyn Family), Error> {
    let trimmed = code.trim();
    let (body, pins_text) = match trimmed.split_once(':') {
        Some((b, p)) => (b, Some(p)),
        None => (trimmed, None),
    };
    let (bits, n) = unbase32(body)
        .map_err(|c| bad(trimmed, format!("`{c}` is not a code character"), CODE_HINT))?;
    if n != CODE_CHARS {
        return Err(bad(
            trimmed,
            format!("it has {n} characters, a question code has {CODE_CHARS}"),
            CODE_HINT,
        ));
    }
    let payload = (bits >> 11) as u64;
    if checksum(payload) != bits & 0x7ff {
        return Err(bad(
            trimmed,
            "the checksum does not match, so a character is mistyped",
            CODE_HINT,
        ));
    }
    let tag = (payload >> 48) as u16;
    let version = ((payload >> 42) & 63) as u32;
    let difficulty = Difficulty::ALL
        .get(((payload >> 40) & 3) as usize)
        .copied()
        .ok_or_else(|| bad(trimmed, "it names no difficulty", CODE_HINT))?;
    let seed = payload & crate::seed::MAX_QUESTION_SEED;
    let fam = family::FAMILIES
        .iter()
        .copied()
        .find(|f| family_tag(f.id()) == tag)
        .ok_or_else(|| {
            bad(
                trimmed,
                "it names a family this build of groundwork does not have",
                "it may come from a newer version of groundwork",
            )
        })?;
    if fam.version() & 63 != version {
        return Err(bad(
            trimmed,
            format!(
                "it was made by version {version} of {}, and this build has version {}",
                fam.id(),
                fam.version()
            ),
            "regenerate the pack with this build, or use the groundwork release that made it",
        ));
    }
    let pins = match pins_text {
        None => Pins::new(),
        Some(p) => {
            let sets: Vec<String> = p
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .collect();
            family::parse_pins(fam, &sets).map_err(|e| {
                bad(
                    trimmed,
                    format!("its pinned parameters do not fit: {e}"),
                    "check the part after the colon",
                )
            })?
        }
    };
    Ok((
        QuestionCode {
            family: fam.id(),
            version,
            difficulty,
            seed,
            pins,
        },
        fam,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips() {
        for v in [0u128, 1, 31, 32, (1 << 75) - 1, 0x1234_5678_9abc_def0] {
            let s = base32(v & ((1 << 75) - 1), 15);
            assert_eq!(unbase32(&s).unwrap(), (v & ((1 << 75) - 1), 15));
        }
    }

    #[test]
    fn crockford_look_alikes_decode() {
        assert_eq!(unbase32("IlO0").unwrap(), unbase32("1100").unwrap());
        assert!(unbase32("U").is_err());
    }
}
