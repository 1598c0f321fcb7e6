//! `hashing.dedup`: a backup tool splits files into fixed-size chunks and stores each distinct chunk
//! once, keyed by its BLAKE3 digest.
//!
//! **Asked** (`ask`): `unique`: how many distinct chunks are stored; `stored`: the bytes stored
//! (unique chunks, the last chunk of a file may be short); `ratio`: logical bytes / stored bytes.
//!
//! **Parameters.** `chunk` size c: 4 bytes (easy, medium) or 8 (hard), so the files can be shown;
//! `files`: 2–3, 2–4, 3–5; file contents are drawn from a 2–3 letter alphabet in repeated runs so
//! that chunks repeat within and across files.
//!
//! **Key.** Chunk every file and hash every chunk with real BLAKE3; count distinct digests.
//!
//! **Second route.** Compare chunk contents directly (a set of byte strings, no hashing).
//!
//! **Pitfalls**: deduplicating by file instead of by chunk; forgetting the short final chunk;
//! expecting chunks that straddle a different alignment to match (fixed-size chunking is not
//! shift-resistant).

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The family.
pub struct Dedup;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "unique: distinct chunks stored; stored: bytes stored; ratio: logical/stored bytes",
        kind: ParamKind::Choice {
            options: &["unique", "stored", "ratio"],
            draw: [&["unique", "stored"], &["unique", "stored", "ratio"], &["unique", "stored", "ratio"]],
        },
    },
    ParamSpec {
        key: "chunk",
        help: "chunk size c in bytes",
        kind: ParamKind::Int { min: 1, max: 64, draw: [(4, 4), (4, 4), (8, 8)] },
    },
    ParamSpec {
        key: "files",
        help: "number of files",
        kind: ParamKind::Int { min: 1, max: 8, draw: [(2, 3), (2, 4), (3, 5)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    chunk: usize,
    files: Vec<String>,
}

/// Chunks of every file, in order.
fn chunks(files: &[String], c: usize) -> Vec<&[u8]> {
    files.iter().flat_map(|f| f.as_bytes().chunks(c)).collect()
}

/// Distinct chunks by BLAKE3 digest: digest → chunk length.
fn by_digest(files: &[String], c: usize) -> BTreeMap<[u8; 32], usize> {
    chunks(files, c).into_iter().map(|ch| (*blake3::hash(ch).as_bytes(), ch.len())).collect()
}

impl Family for Dedup {
    fn id(&self) -> &'static str {
        "hashing.dedup"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Chunk-level deduplication with BLAKE3"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let c = cx.int("chunk") as usize;
        let nf = cx.int("files") as usize;
        let alphabet = if cx.difficulty().index() == 0 { "ab" } else { "abc" };
        let letters: Vec<char> = alphabet.chars().collect();
        // Files are built from a few chunk-sized "words" so that repeats occur, plus an occasional
        // odd tail so that the last chunk is short.
        let words: Vec<String> = (0..3)
            .map(|_| (0..c).map(|_| letters[cx.rng().random_range(0..letters.len())]).collect())
            .collect();
        let files: Vec<String> = (0..nf)
            .map(|_| {
                let n = cx.rng().random_range(2..=4);
                let mut f: String = (0..n).map(|_| words[cx.rng().random_range(0..words.len())].clone()).collect();
                if cx.rng().random_bool(0.4) {
                    let tail = cx.rng().random_range(1..c.max(2));
                    f.extend((0..tail).map(|_| letters[cx.rng().random_range(0..letters.len())]));
                }
                f
            })
            .collect();
        let uniq = by_digest(&files, c);
        let unique = uniq.len();
        let stored: usize = uniq.values().sum();
        let logical: usize = files.iter().map(|f| f.len()).sum();
        let ratio = logical as f64 / stored as f64;
        let rows: Vec<Vec<String>> = files
            .iter()
            .enumerate()
            .map(|(i, f)| vec![format!("file{}", i + 1), format!("`{f}`"), f.len().to_string()])
            .collect();
        let prompt = Content::new()
            .p(format!(
                "A backup tool splits each file into fixed **{c}-byte** chunks from the start of the file (the last chunk may be shorter) and stores each distinct chunk once, keyed by its BLAKE3 digest. It backs up these files (ASCII bytes):"
            ))
            .table(["file", "content", "bytes"], rows);
        let (prompt, slot) = match ask {
            "unique" => (prompt.p("How many chunks does it store?"), AnswerSlot::new("distinct chunks", Expected::Integer { value: unique as i64 })),
            "stored" => (prompt.p("How many bytes of chunk data does it store?"), AnswerSlot::new("bytes stored", Expected::Integer { value: stored as i64 })),
            _ => (prompt.p("What is the deduplication ratio, logical bytes divided by stored chunk bytes?"), AnswerSlot::new("dedup ratio", Expected::sig(ratio, 3))),
        };
        let chunk_rows: Vec<Vec<String>> = uniq
            .iter()
            .map(|(d, len)| {
                let text = chunks(&files, c).into_iter().find(|ch| blake3::hash(ch).as_bytes() == d).map(|ch| String::from_utf8_lossy(ch).into_owned()).unwrap_or_default();
                let count = chunks(&files, c).into_iter().filter(|ch| blake3::hash(ch).as_bytes() == d).count();
                vec![format!("`{text}`"), len.to_string(), count.to_string(), format!("`{}…`", &blake3::Hash::from(*d).to_hex()[..16])]
            })
            .collect();
        let solution = Content::new()
            .p(format!(
                "Cut each file every {c} bytes and keep one copy per distinct chunk. The {} chunks contain {unique} distinct ones, {stored} bytes in all; the files hold {logical} bytes, so the ratio is {logical}/{stored} = {}.",
                chunks(&files, c).len(),
                fmt_sig(ratio, 3)
            ))
            .p(format!("Answer: **{}**.", match ask { "unique" => unique.to_string(), "stored" => stored.to_string(), _ => fmt_sig(ratio, 3) }))
            .p("Whole-file dedup would store every file that differs anywhere; fixed-size chunking finds repeats only when they line up on chunk boundaries.");
        let evidence = Content::new().p("Distinct chunks with their real BLAKE3 digests:").table(["chunk", "bytes", "occurrences", "BLAKE3"], chunk_rows);
        Ok(Question::new(prompt, vec![slot], solution, evidence).with_scenario(&Scenario { ask: ask.into(), chunk: c, files }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let set: std::collections::BTreeSet<&[u8]> = chunks(&s.files, s.chunk).into_iter().collect();
        let stored: usize = set.iter().map(|c| c.len()).sum();
        let logical: usize = s.files.iter().map(|f| f.len()).sum();
        match q.expected(0)? {
            Expected::Integer { value } if s.ask == "unique" => CheckError::expect_eq("distinct chunks by content", *value, set.len() as i64),
            Expected::Integer { value } => CheckError::expect_eq("stored bytes by content", *value, stored as i64),
            Expected::Real { value, .. } => {
                let r = logical as f64 / stored as f64;
                if (r - value).abs() < 1e-9 * r { Ok(()) } else { Err(CheckError(format!("key {value}, by content {r}"))) }
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Dedup, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // "abababab" and "ababcd" in 2-byte chunks: ab ×6, cd → 2 unique, 4 bytes.
        let files = vec!["abababab".to_string(), "ababcd".to_string()];
        let u = by_digest(&files, 2);
        assert_eq!(u.len(), 2);
        assert_eq!(u.values().sum::<usize>(), 4);
        // Odd lengths, by hand: 4-byte chunks of "abcdabcdab" (10 bytes), "abcdab" (6), "ab" (2)
        // and "abca" (4) are abcd abcd ab | abcd ab | ab | abca: the short tails "ab" are one
        // chunk (a short chunk is not a prefix of a full one), so 3 distinct chunks, abcd + ab +
        // abca = 10 bytes stored, for 22 logical bytes (ratio 2.2).
        let files: Vec<String> = ["abcdabcdab", "abcdab", "ab", "abca"].iter().map(|f| f.to_string()).collect();
        let u = by_digest(&files, 4);
        assert_eq!((u.len(), u.values().sum::<usize>()), (3, 10));
        let by_content: std::collections::BTreeSet<&[u8]> = chunks(&files, 4).into_iter().collect();
        assert_eq!(by_content.len(), 3);
        assert_eq!(by_content.iter().map(|c| c.len()).sum::<usize>(), 10);
        // BLAKE3 of the empty input, from the reference test vectors.
        assert_eq!(blake3::hash(b"").to_hex().as_str(), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Dedup, &["chunk=8".into(), "files=1".into()]).unwrap();
        let q = generate(&Dedup, 1, Difficulty::Easy, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("8-byte"));
        assert!(q.prompt.plain_text().contains("file1") && !q.prompt.plain_text().contains("file2"));
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Dedup, &["ask=unique".into()]).unwrap();
        let mut q = generate(&Dedup, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&Dedup, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else { panic!() };
        q.slots[0].expected = Expected::Integer { value: value + 1 };
        assert!(crate::family::cross_check(&Dedup, &q).is_err());
    }
}
