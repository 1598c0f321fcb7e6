//! Seed derivation: every random choice in a pack traces back to the pack seed through these
//! functions, so output depends only on (spec, seed, version), never on thread count or order.
//!
//! Each question gets a 40-bit seed derived from (pack seed, slot, family id, family version) with
//! BLAKE3 in key-derivation mode, so a question does not change when its neighbours change, and a
//! family's new version gives new questions instead of silently different answers to old codes.
//! The RNG is ChaCha8 from `rand_chacha`, whose stream is specified and portable; its 32-byte key is
//! again derived with BLAKE3 from (family id, question seed, stream label).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Question seeds are 40 bits: 10^12 variants per family, and short question codes.
pub const QUESTION_SEED_BITS: u32 = 40;

/// The largest valid question seed.
pub const MAX_QUESTION_SEED: u64 = (1 << QUESTION_SEED_BITS) - 1;

fn derive(context: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key(context);
    for p in parts {
        // Length-prefix each part so ("ab","c") and ("a","bc") differ.
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    *h.finalize().as_bytes()
}

fn first_u64(bytes: &[u8; 32]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(b)
}

/// The seed of the question in `slot` (0-based) of a pack, for `family` at `version`.
pub fn question_seed(pack_seed: u64, slot: u32, family: &str, version: u32) -> u64 {
    let d = derive(
        "groundwork 2026-11 question seed",
        &[
            &pack_seed.to_le_bytes(),
            &slot.to_le_bytes(),
            family.as_bytes(),
            &version.to_le_bytes(),
        ],
    );
    first_u64(&d) & MAX_QUESTION_SEED
}

/// The RNG that picks families for section `section` of a pack.
pub fn section_rng(pack_seed: u64, section: u32) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(derive(
        "groundwork 2026-11 section choice",
        &[&pack_seed.to_le_bytes(), &section.to_le_bytes()],
    ))
}

/// The RNG that picks a paper-friendly ask for slot `slot` of a paper-only pack.
pub fn paper_ask_rng(pack_seed: u64, slot: u32) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(derive(
        "groundwork 2026-11 paper-only ask",
        &[&pack_seed.to_le_bytes(), &slot.to_le_bytes()],
    ))
}

/// The content RNG of a question: parameters, keys, operation orders.
pub fn content_rng(family: &str, seed: u64) -> ChaCha8Rng {
    stream_rng(family, seed, "content")
}

/// A labelled RNG stream of a question, independent of every other label.
pub fn stream_rng(family: &str, seed: u64, label: &str) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(derive(
        "groundwork 2026-11 question stream",
        &[family.as_bytes(), &seed.to_le_bytes(), label.as_bytes()],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn question_seed_depends_on_every_input_and_fits_40_bits() {
        let base = question_seed(7, 0, "hashing.birthday", 1);
        assert!(base <= MAX_QUESTION_SEED);
        assert_ne!(base, question_seed(8, 0, "hashing.birthday", 1));
        assert_ne!(base, question_seed(7, 1, "hashing.birthday", 1));
        assert_ne!(base, question_seed(7, 0, "hashing.consistent_ring", 1));
        assert_ne!(base, question_seed(7, 0, "hashing.birthday", 2));
    }

    #[test]
    fn streams_are_independent_and_repeatable() {
        let a: u64 = stream_rng("f", 1, "content").random();
        let b: u64 = stream_rng("f", 1, "sim").random();
        assert_ne!(a, b);
        assert_eq!(a, stream_rng("f", 1, "content").random::<u64>());
    }
}
