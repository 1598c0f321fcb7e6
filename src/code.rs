//! Question codes: a short, typo-checked code printed next to each question, from which
//! `groundwork show CODE` regenerates exactly that question.
//!
//! A code packs 75 bits into 15 Crockford base-32 characters, shown as `XXXXX-XXXXX-XXXXX`:
//! a 16-bit family tag (from the family id), a "sealed" bit (see [`crate::seal`]), the family
//! version (5 bits), the difficulty (2 bits),
//! the 40-bit question seed and an 11-bit checksum, which catches a mistyped character (all but
//! 1 in 2048 typos; measured over every single-character substitution and adjacent transposition
//! of 232 codes, 38 of 109,764 escaped, 3.5·10⁻⁴; pack codes, with a 10-bit checksum, 1 of 7,997). Pinned parameters follow after a colon in plain text: `…-XXXXX:n=40,k=6`.
//! Decoding accepts lower case, missing dashes, and Crockford's look-alikes (I and L for 1, O for 0).
//!
//! A question of a sealed pack has a longer code, 20 characters (`XXXXX-XXXXX-XXXXX-XXXXX`, 100
//! bits): the same 64-bit payload with the sealed bit set, a 16-bit verifier of the secret
//! ([`crate::seal::Seal::question_verifier`]) and a 20-bit checksum. The verifier is what lets
//! `show` say "this code was sealed with a different secret" instead of regenerating a different
//! question. Codes of unsealed questions are unchanged.

use crate::error::Error;
use crate::family::{Difficulty, Family, Pins, Question, Topic, DEFAULT_POINTS};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 15;
const SEALED_CODE_CHARS: usize = 20;

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
    /// For a question of a sealed pack, the 16-bit verifier of the secret; `None` when unsealed.
    pub verifier: Option<u16>,
}

impl QuestionCode<'_> {
    /// True for a question of a sealed pack: regenerating it needs the secret.
    pub fn sealed(&self) -> bool {
        self.verifier.is_some()
    }
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

/// The 20-bit checksum of a sealed question code: over the payload and the verifier.
fn sealed_checksum(payload: u64, verifier: u16) -> u128 {
    let mut bytes = payload.to_le_bytes().to_vec();
    bytes.extend_from_slice(&verifier.to_le_bytes());
    let h = blake3::derive_key("groundwork 2026-11 sealed question code check", &bytes);
    (u32::from_le_bytes([h[0], h[1], h[2], 0]) & 0xf_ffff) as u128
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

/// Decodes Crockford base 32, ignoring dashes and spaces: the value of the last 25 characters and
/// the number of characters (which may be more, for a length error); the first character outside
/// the alphabet is the error.
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

/// The code of a generated question: its family, version, difficulty, seed and pins, and for a
/// question of a sealed pack (`seal` given) the verifier of its secret.
pub fn question_code(q: &Question, seal: Option<&crate::seal::Seal>) -> String {
    QuestionCode {
        family: &q.family,
        version: q.version,
        difficulty: q.difficulty,
        seed: q.seed,
        pins: q.pins.clone(),
        verifier: seal.map(|s| s.question_verifier(&q.family, q.seed)),
    }
    .encode()
}

impl QuestionCode<'_> {
    /// The printed code.
    pub fn encode(&self) -> String {
        let payload: u64 = ((family_tag(self.family) as u64) << 48)
            | ((self.sealed() as u64) << 47)
            | (((self.version & 31) as u64) << 42)
            | ((self.difficulty.index() as u64) << 40)
            | (self.seed & crate::seed::MAX_QUESTION_SEED);
        let mut code = match self.verifier {
            None => group(&base32(
                ((payload as u128) << 11) | checksum(payload),
                CODE_CHARS,
            )),
            Some(v) => group(&base32(
                ((payload as u128) << 36) | ((v as u128) << 20) | sealed_checksum(payload, v),
                SEALED_CODE_CHARS,
            )),
        };
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
pub fn decode(
    code: &str,
    registry: &[&'static dyn Family],
) -> Result<(QuestionCode<'static>, &'static dyn Family), Error> {
    let trimmed = code.trim();
    let (body, pins_text) = match trimmed.split_once(':') {
        Some((b, p)) => (b, Some(p)),
        None => (trimmed, None),
    };
    let (bits, n) = unbase32(body).map_err(|c| {
        bad(
            trimmed,
            format!(
                "`{}` is not a code character",
                crate::text::echo(&c.to_string())
            ),
            CODE_HINT,
        )
    })?;
    let mistyped = || {
        bad(
            trimmed,
            "the checksum does not match, so a character is mistyped",
            CODE_HINT,
        )
    };
    let (payload, verifier) = match n {
        CODE_CHARS => {
            let payload = (bits >> 11) as u64;
            if checksum(payload) != bits & 0x7ff {
                return Err(mistyped());
            }
            (payload, None)
        }
        SEALED_CODE_CHARS => {
            let payload = (bits >> 36) as u64;
            let verifier = ((bits >> 20) & 0xffff) as u16;
            if sealed_checksum(payload, verifier) != bits & 0xf_ffff {
                return Err(mistyped());
            }
            (payload, Some(verifier))
        }
        _ => {
            return Err(bad(
                trimmed,
                format!(
                    "it has {n} characters, and a question code has {CODE_CHARS} ({SEALED_CODE_CHARS} in a sealed pack)"
                ),
                CODE_HINT,
            ))
        }
    };
    let tag = (payload >> 48) as u16;
    if ((payload >> 47) & 1 == 1) != verifier.is_some() {
        return Err(bad(
            trimmed,
            "its sealed flag does not match its length: it is not a code this build made",
            "regenerate the pack with this build, or use the groundwork release that made it",
        ));
    }
    let version = ((payload >> 42) & 31) as u32;
    let difficulty = Difficulty::ALL
        .get(((payload >> 40) & 3) as usize)
        .copied()
        .ok_or_else(|| bad(trimmed, "it names no difficulty", CODE_HINT))?;
    let seed = payload & crate::seed::MAX_QUESTION_SEED;
    let fam = registry
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
    if fam.version() & 31 != version {
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
            crate::family::parse_pins(fam, &sets).map_err(|e| {
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
            verifier,
        },
        fam,
    ))
}

// ---------------------------------------------------------------------------------------------
// Pack codes
// ---------------------------------------------------------------------------------------------

/// Pack codes are self-describing: they hold the pack seed and every section of the spec (what it
/// draws from, count, difficulty, points, pinned parameters), so `groundwork check CODE answers.txt`
/// regenerates the pack from the paper alone. Title, duration and instructions are not part of it:
/// they do not change the questions.
///
/// Layout, as a bit string read most significant first, then Crockford base 32 in groups of five:
/// format (2 bits, = 2) · sealed (1) · registry fingerprint (8) · seed (varint of 4-bit groups) ·
/// paper-only (1) · family seed (0 when it is the seed, else 1 + varint) · for each section: 1,
/// kind (1: topic or family list), topic (3) or family count (varint) and 16-bit tags, count (7),
/// difficulty (2), points (1 = default, else 1 + 7 bits), repeat (1), pins (0, or 1 + byte
/// length (varint) + UTF-8 `k=v,k=v`) · 0 · for sealed packs the key verifier (16) · zero
/// padding · checksum (10).
///
/// The registry fingerprint changes whenever a family is added or changes version, because a topic
/// section's draw depends on the whole registry: a code from another build is refused with a clear
/// message rather than regenerating a different pack.
const PACK_FORMAT: u64 = 2;
const PACK_CHECK_BITS: usize = 10;

#[derive(Default)]
struct Bits(Vec<bool>);

impl Bits {
    fn push(&mut self, v: u64, n: usize) {
        for i in (0..n).rev() {
            self.0.push((v >> i) & 1 == 1);
        }
    }
    fn varint(&mut self, mut v: u64) {
        loop {
            let more = v >= 16;
            self.push(more as u64, 1);
            self.push(v & 15, 4);
            v >>= 4;
            if !more {
                break;
            }
        }
    }
    fn bytes(&self) -> Vec<u8> {
        self.0
            .chunks(8)
            .map(|c| c.iter().fold(0u8, |a, b| (a << 1) | *b as u8) << (8 - c.len()))
            .collect()
    }
}

struct Reader<'a> {
    bits: &'a [bool],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<u64> {
        if self.at + n > self.bits.len() {
            return None;
        }
        let v = self.bits[self.at..self.at + n]
            .iter()
            .fold(0u64, |a, b| (a << 1) | *b as u64);
        self.at += n;
        Some(v)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(4) {
            let more = self.take(1)?;
            v |= self.take(4)? << shift;
            if more == 0 {
                return Some(v);
            }
        }
        None
    }
}

/// The 8-bit fingerprint of the registry: every family id and version, in registry order.
pub fn registry_fingerprint(registry: &[&'static dyn Family]) -> u8 {
    let mut h = blake3::Hasher::new_derive_key("groundwork 2026-11 registry fingerprint");
    for f in registry {
        h.update(f.id().as_bytes());
        h.update(&f.version().to_le_bytes());
    }
    h.finalize().as_bytes()[0]
}

fn pack_checksum(payload: &Bits) -> u64 {
    let h = blake3::derive_key("groundwork 2026-11 pack code check", &payload.bytes());
    (u16::from_le_bytes([h[0], h[1]]) as u64) & ((1 << PACK_CHECK_BITS) - 1)
}

fn pins_text(pins: &Pins) -> String {
    pins.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The printed pack code of a spec (and, for a sealed pack, its key verifier).
pub fn pack_code(
    spec: &crate::spec::Spec,
    seal: Option<&crate::seal::Seal>,
    registry: &[&'static dyn Family],
) -> String {
    use crate::spec::Pick;
    let mut b = Bits::default();
    b.push(PACK_FORMAT, 2);
    b.push(seal.is_some() as u64, 1);
    b.push(registry_fingerprint(registry) as u64, 8);
    b.varint(spec.seed);
    b.push(spec.paper_only as u64, 1);
    match spec.family_seed {
        Some(f) if f != spec.seed => {
            b.push(1, 1);
            b.varint(f);
        }
        _ => b.push(0, 1),
    }
    for s in &spec.sections {
        b.push(1, 1);
        match &s.pick {
            Pick::Topic(t) => {
                b.push(0, 1);
                let i = Topic::ALL.iter().position(|x| x == t).unwrap_or(0);
                b.push(i as u64, 3);
            }
            Pick::Families(fs) => {
                b.push(1, 1);
                b.varint(fs.len() as u64);
                for f in fs {
                    b.push(family_tag(f.id()) as u64, 16);
                }
            }
        }
        b.push(s.count as u64, 7);
        b.push(s.difficulty.index() as u64, 2);
        if s.points == DEFAULT_POINTS {
            b.push(0, 1);
        } else {
            b.push(1, 1);
            b.push(s.points as u64, 7);
        }
        b.push(s.repeat as u64, 1);
        if s.set.is_empty() {
            b.push(0, 1);
        } else {
            let text = pins_text(&s.set);
            b.push(1, 1);
            b.varint(text.len() as u64);
            for byte in text.bytes() {
                b.push(byte as u64, 8);
            }
        }
    }
    b.push(0, 1);
    if let Some(seal) = seal {
        b.push(seal.verifier(spec.seed) as u64, 16);
    }
    while !(b.0.len() + PACK_CHECK_BITS).is_multiple_of(5) {
        b.push(0, 1);
    }
    let check = pack_checksum(&b);
    b.push(check, PACK_CHECK_BITS);
    let chars: String =
        b.0.chunks(5)
            .map(|c| ALPHABET[c.iter().fold(0usize, |a, x| (a << 1) | *x as usize)] as char)
            .collect();
    group(&chars)
}

/// A decoded pack code: the spec it regenerates, and whether it is sealed.
#[derive(Debug, Clone)]
pub struct PackCode {
    /// The spec (with a generic title: titles are not part of the code).
    pub spec: crate::spec::Spec,
    /// The 16-bit key verifier of a sealed pack; `None` when not sealed.
    pub verifier: Option<u16>,
}

impl PackCode {
    /// True for a sealed pack, whose questions need the secret to regenerate.
    pub fn sealed(&self) -> bool {
        self.verifier.is_some()
    }
}

const PACK_HINT: &str =
    "a pack code is printed in the paper's header, e.g. 4G1C2-Q8ZP0-5W3MA-K2D7X";

/// Decodes a printed pack code back to the spec that regenerates the pack.
pub fn decode_pack(code: &str, registry: &[&'static dyn Family]) -> Result<PackCode, Error> {
    let trimmed = code.trim();
    let mut bits = Vec::new();
    for c in trimmed.chars() {
        if c == '-' || c == ' ' {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let d = ALPHABET
            .iter()
            .position(|a| *a as char == c)
            .ok_or_else(|| {
                bad(
                    trimmed,
                    format!(
                        "`{}` is not a code character",
                        crate::text::echo(&c.to_string())
                    ),
                    PACK_HINT,
                )
            })?;
        if bits.len() >= 5 * 4096 {
            return Err(bad(trimmed, "it is far too long", PACK_HINT));
        }
        for i in (0..5).rev() {
            bits.push((d >> i) & 1 == 1);
        }
    }
    if bits.len() < 20 + PACK_CHECK_BITS {
        return Err(bad(trimmed, "it is too short to be a pack code", PACK_HINT));
    }
    let (payload, check) = bits.split_at(bits.len() - PACK_CHECK_BITS);
    let payload = Bits(payload.to_vec());
    let check = check.iter().fold(0u64, |a, b| (a << 1) | *b as u64);
    if pack_checksum(&payload) != check {
        return Err(bad(
            trimmed,
            "the checksum does not match, so a character is mistyped or missing",
            PACK_HINT,
        ));
    }
    let malformed = || bad(trimmed, "it is malformed", PACK_HINT);
    let mut r = Reader {
        bits: &payload.0,
        at: 0,
    };
    if r.take(2) != Some(PACK_FORMAT) {
        return Err(bad(
            trimmed,
            "it uses a pack-code format this build does not know",
            "it may come from a newer version of groundwork",
        ));
    }
    let sealed = r.take(1).ok_or_else(malformed)? == 1;
    let fingerprint = r.take(8).ok_or_else(malformed)? as u8;
    if fingerprint != registry_fingerprint(registry) {
        return Err(bad(
            trimmed,
            "it was made by a groundwork build with a different set of question families",
            "check against the pack's pack.json instead, or use the groundwork release that made the pack",
        ));
    }
    // The seed is a full u64, which TOML (i64) cannot hold: it is set after parsing.
    let seed = r.varint().ok_or_else(malformed)?;
    let mut toml = String::new();
    if r.take(1).ok_or_else(malformed)? == 1 {
        toml.push_str("paper = true\n");
    }
    let family_seed = if r.take(1).ok_or_else(malformed)? == 1 {
        Some(r.varint().ok_or_else(malformed)?)
    } else {
        None
    };
    while r.take(1).ok_or_else(malformed)? == 1 {
        toml.push_str("\n[[section]]\n");
        if r.take(1).ok_or_else(malformed)? == 0 {
            let t = *Topic::ALL
                .get(r.take(3).ok_or_else(malformed)? as usize)
                .ok_or_else(malformed)?;
            toml.push_str(&format!("topic = \"{}\"\n", t.id()));
        } else {
            let n = r.varint().ok_or_else(malformed)?;
            if n == 0 || n > 4096 {
                return Err(malformed());
            }
            let mut ids = Vec::new();
            for _ in 0..n {
                let tag = r.take(16).ok_or_else(malformed)? as u16;
                let f = registry
                    .iter()
                    .find(|f| family_tag(f.id()) == tag)
                    .ok_or_else(malformed)?;
                ids.push(format!("\"{}\"", f.id()));
            }
            toml.push_str(&format!("families = [{}]\n", ids.join(", ")));
        }
        toml.push_str(&format!("count = {}\n", r.take(7).ok_or_else(malformed)?));
        let d = *Difficulty::ALL
            .get(r.take(2).ok_or_else(malformed)? as usize)
            .ok_or_else(malformed)?;
        toml.push_str(&format!("difficulty = \"{}\"\n", d.id()));
        let points = if r.take(1).ok_or_else(malformed)? == 1 {
            r.take(7).ok_or_else(malformed)?
        } else {
            DEFAULT_POINTS as u64
        };
        toml.push_str(&format!("points = {points}\n"));
        if r.take(1).ok_or_else(malformed)? == 1 {
            toml.push_str("repeat = true\n");
        }
        if r.take(1).ok_or_else(malformed)? == 1 {
            let len = r.varint().ok_or_else(malformed)?;
            if len > 4096 {
                return Err(malformed());
            }
            let mut bytes = Vec::new();
            for _ in 0..len {
                bytes.push(r.take(8).ok_or_else(malformed)? as u8);
            }
            let text = String::from_utf8(bytes).map_err(|_| malformed())?;
            let mut pairs = Vec::new();
            for kv in text.split(',') {
                let (k, v) = kv.split_once('=').ok_or_else(malformed)?;
                if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(malformed());
                }
                pairs.push(format!("{k} = {}", toml::Value::String(v.to_string())));
            }
            toml.push_str(&format!("set = {{ {} }}\n", pairs.join(", ")));
        }
    }
    let verifier = if sealed {
        Some(r.take(16).ok_or_else(malformed)? as u16)
    } else {
        None
    };
    let rest = payload.0.len() - r.at;
    if rest >= 5 || payload.0[r.at..].iter().any(|b| *b) {
        return Err(malformed());
    }
    let mut spec = crate::spec::Spec::parse(&toml, "pack code").map_err(|e| {
        bad(
            trimmed,
            format!("it describes a spec this build refuses: {e}"),
            PACK_HINT,
        )
    })?;
    spec.seed = seed;
    spec.family_seed = family_seed;
    Ok(PackCode { spec, verifier })
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
    fn pack_codes_round_trip_the_spec() {
        let src = r#"
seed = 9000000000
family_seed = 77
paper = true
[[section]]
topic = "filesystem"
count = 3
difficulty = "hard"
[[section]]
families = ["optimization.cache_policy", "hashing.birthday"]
count = 4
points = 12
repeat = true
"#;
        let spec = crate::spec::Spec::parse(src, "t").unwrap();
        let code = pack_code(&spec, None, &crate::family::FAMILIES);
        let back = decode_pack(&code, &crate::family::FAMILIES).unwrap();
        assert!(!back.sealed());
        assert_eq!(back.spec.seed, spec.seed);
        assert_eq!(back.spec.family_seed, Some(77));
        assert!(back.spec.paper_only);
        assert_eq!(
            format!("{:?}", back.spec.sections),
            format!("{:?}", spec.sections)
        );
        assert_eq!(pack_code(&back.spec, None, &crate::family::FAMILIES), code);
        // A changed character is caught by the checksum.
        let mut chars: Vec<char> = code.chars().collect();
        chars[3] = if chars[3] == 'X' { 'Y' } else { 'X' };
        let typo: String = chars.into_iter().collect();
        assert!(decode_pack(&typo, &crate::family::FAMILIES).is_err());
    }

    /// Every single-character substitution (within the alphabet) and every adjacent
    /// transposition of `code`: how many decode without error to something else, and how many
    /// were tried.
    fn typos(code: &str, decodes_to_other: impl Fn(&str) -> bool) -> (usize, usize) {
        let chars: Vec<char> = code.chars().collect();
        let (mut escaped, mut tried) = (0, 0);
        for i in 0..chars.len() {
            if chars[i] == '-' {
                continue;
            }
            for &a in ALPHABET {
                let a = a as char;
                if a == chars[i] {
                    continue;
                }
                let mut t = chars.clone();
                t[i] = a;
                tried += 1;
                escaped += usize::from(decodes_to_other(&t.iter().collect::<String>()));
            }
        }
        for i in 0..chars.len() - 1 {
            if chars[i] == '-' || chars[i + 1] == '-' || chars[i] == chars[i + 1] {
                continue;
            }
            let mut t = chars.clone();
            t.swap(i, i + 1);
            tried += 1;
            escaped += usize::from(decodes_to_other(&t.iter().collect::<String>()));
        }
        (escaped, tried)
    }

    #[test]
    fn typos_in_question_codes_are_caught_and_the_escape_rate_is_measured() {
        // The 11-bit checksum lets about 1 typo in 2,048 through, and only where the changed
        // code still names a family, a version and a difficulty this build has.
        let registry = &crate::family::FAMILIES;
        let (mut escaped, mut tried) = (0, 0);
        for (i, f) in registry.iter().enumerate() {
            for seed in [0u64, 1, 0x5a5a_5a5a, (1 << 40) - 1 - i as u64] {
                let code = QuestionCode {
                    family: f.id(),
                    version: f.version(),
                    difficulty: Difficulty::ALL[i % 3],
                    seed,
                    pins: Pins::new(),
                    verifier: None,
                }
                .encode();
                let original = decode(&code, registry).unwrap();
                let (e, t) = typos(&code, |typo| {
                    decode(typo, registry).is_ok_and(|d| d.0 != original.0)
                });
                escaped += e;
                tried += t;
            }
        }
        let rate = escaped as f64 / tried as f64;
        eprintln!("question codes: {escaped} of {tried} substitutions and transpositions escaped ({rate:.2e})");
        assert!(
            tried > 100_000 && rate < 1.0 / 1024.0,
            "{escaped} of {tried}"
        );
    }

    #[test]
    fn typos_in_pack_codes_are_caught_and_the_escape_rate_is_measured() {
        // The 10-bit checksum: about 1 in 1,024 at most, fewer where the spec must also parse.
        let registry = &crate::family::FAMILIES;
        let (mut escaped, mut tried) = (0, 0);
        for seed in 0..12u64 {
            let mut spec = crate::spec::Spec::default_spec();
            spec.seed = seed * 7919;
            let code = pack_code(&spec, None, registry);
            let (e, t) = typos(&code, |typo| {
                decode_pack(typo, registry).is_ok_and(|p| {
                    p.spec.seed != spec.seed
                        || format!("{:?}", p.spec.sections) != format!("{:?}", spec.sections)
                })
            });
            escaped += e;
            tried += t;
        }
        let rate = escaped as f64 / tried as f64;
        eprintln!("pack codes: {escaped} of {tried} substitutions and transpositions escaped ({rate:.2e})");
        assert!(tried > 5_000 && rate < 1.0 / 512.0, "{escaped} of {tried}");
    }

    #[test]
    fn a_pack_or_pack_code_over_the_maximum_is_refused() {
        let registry = &crate::family::FAMILIES;
        let mut spec = crate::spec::Spec::default_spec();
        let one = spec.sections[0].clone();
        spec.sections = vec![one.clone(); 2];
        spec.sections[0].count = 60;
        spec.sections[1].count = 41;
        // A spec file asking for 101 is refused when parsed…
        let toml = "[[section]]\ntopic = \"hashing\"\ncount = 60\n[[section]]\ntopic = \"filesystem\"\ncount = 41\n";
        let err = crate::spec::Spec::parse(toml, "t").unwrap_err().to_string();
        assert!(err.contains("101 questions"), "{err}");
        // … a pack code that encodes 101 is refused when decoded (check regenerates from it)…
        let code = pack_code(&spec, None, registry);
        let err = decode_pack(&code, registry).unwrap_err().to_string();
        assert!(err.contains("101 questions"), "{err}");
        // … and a spec built in code is refused by the pack builder itself.
        let err = crate::pack::build(&spec, None).unwrap_err().to_string();
        assert!(err.contains("101 questions"), "{err}");
        spec.sections[1].count = 40;
        assert!(decode_pack(&pack_code(&spec, None, registry), registry).is_ok());
    }

    #[test]
    fn pack_codes_carry_every_u64_seed() {
        for seed in [0, 1 << 40, (1 << 63) - 1, 1 << 63, u64::MAX] {
            let mut spec = crate::spec::Spec::default_spec();
            spec.seed = seed;
            let code = pack_code(&spec, None, &crate::family::FAMILIES);
            let back = decode_pack(&code, &crate::family::FAMILIES).unwrap();
            assert_eq!(back.spec.seed, seed, "{code}");
        }
    }

    #[test]
    fn crockford_look_alikes_decode() {
        assert_eq!(unbase32("IlO0").unwrap(), unbase32("1100").unwrap());
        assert!(unbase32("U").is_err());
    }

    #[test]
    fn sealed_question_codes_carry_a_verifier_and_unsealed_ones_do_not_change() {
        let fam = crate::family::FAMILIES[0];
        let mut code = QuestionCode {
            family: fam.id(),
            version: fam.version() & 31,
            difficulty: Difficulty::Hard,
            seed: 123_456_789,
            pins: Pins::new(),
            verifier: None,
        };
        let plain = code.encode();
        assert_eq!(plain.len(), 17, "{plain}");
        code.verifier = Some(0xbeef);
        let sealed = code.encode();
        assert_eq!(sealed.len(), 23, "{sealed}");
        for (text, want) in [(&plain, None), (&sealed, Some(0xbeef))] {
            let (back, _) = decode(text, &crate::family::FAMILIES).unwrap();
            assert_eq!(back.verifier, want);
            assert_eq!(back.seed, 123_456_789);
        }
        // A typo in the verifier is caught by the checksum.
        let mut chars: Vec<char> = sealed.chars().collect();
        chars[19] = if chars[19] == 'X' { 'Y' } else { 'X' };
        let typo: String = chars.into_iter().collect();
        let e = decode(&typo, &crate::family::FAMILIES).err().unwrap();
        assert!(e.to_string().contains("checksum"), "{e}");
    }
}
