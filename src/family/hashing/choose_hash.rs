//! `hashing.choose_hash` (choice): which hash function fits a use case?
//!
//! **Asked** (`case`): a short scenario and four constructions; pick the one that fits.
//! - `password`: storing user passwords (Argon2id, scrypt or bcrypt with a per-user salt);
//! - `hash_table`: a hash table keyed by strings an attacker chooses (a keyed hash with a secret
//!   per-process key, such as SipHash);
//! - `content_addressing`: naming stored objects by their content (SHA-256 or BLAKE3);
//! - `checksum`: detecting accidental corruption at high throughput (xxh3 or CRC32C);
//! - `mac`: authenticating API requests with a shared secret (HMAC-SHA-256 or keyed BLAKE3).
//!
//! Each distractor is a named misconception with its feedback. Draws: easy `password`,
//! `content_addressing`, `checksum`; medium all five; hard `hash_table`, `mac`, `password`.
//!
//! **Key and evidence, from running code.** The right option is the one that survives what the
//! evidence runs:
//! - `mac`: a real SHA-256 length-extension forgery. From the tag SHA-256(k‖m) and the length of k
//!   only, the attacker computes the tag of m‖pad‖"&role=admin" by resuming the compression
//!   function (`sha2::compress256`); the server, which knows k, accepts it. The same forged tag
//!   fails against HMAC-SHA-256 (built here from its RFC 2104 definition) and keyed BLAKE3;
//! - `hash_table`: eight keys found by brute force that all land in bucket 0 of 1,024 under xxh3
//!   with a fixed seed, and their scattered buckets under a secret seed;
//! - `password`: two users with the same password get the same unsalted SHA-256 and different
//!   salted ones; the guessing time at a stated GPU rate;
//! - `content_addressing`: the birthday probability of any collision among N objects for 32-, 64-,
//!   128- and 256-bit digests, and real SHA-256 and BLAKE3 digests of one object;
//! - `checksum`: one flipped bit in a 4 KiB block changes the real xxh3 and SHA-256 digests.
//!
//! **Second route: none that is independent, and none is claimed.** Which construction fits is a
//! rule per case (the security reasoning the solution gives), not something a computation
//! decides: the demonstrations cannot run every distractor's attack (there is no Argon2 here to
//! time, and no attack on seeded xxh3 to run), so "the only construction no attack broke" cannot
//! be derived for every case. What the cross-check does check is the evidence: each demonstration
//! is re-run from the scenario and must hold (the forgery verifies under SHA-256(k‖m) and fails
//! under HMAC, whose implementation also matches RFC 4231's test vector; the flooding keys collide
//! under the public seed and scatter under the secret one; …), every misconception's feedback must
//! quote what the re-run measured (the keys and tries of the flooding search come from running it,
//! not from a typed figure), and the keyed option must be the construction the case's rule names.
//!
//! **Pitfalls**: the named misconceptions: "SHA-256 is secure, so SHA-256 fits everything"; a
//! salt makes a fast hash fine for passwords; a secret prefix makes SHA-256 a MAC; non-cryptographic
//! hashes are safe against attackers when seeded with a constant.

use crate::answer::{fmt_sig, AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The family.
pub struct ChooseHash;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "case",
    help: "password, hash_table, content_addressing, checksum or mac",
    kind: ParamKind::Choice {
        options: &["password", "hash_table", "content_addressing", "checksum", "mac"],
        draw: [
            &["password", "content_addressing", "checksum"],
            &["password", "hash_table", "content_addressing", "checksum", "mac"],
            &["hash_table", "mac", "password"],
        ],
    },
}];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    case: String,
    /// Secret or salt bytes, hex (the MAC key, the secret seed, the salts).
    secret: String,
    /// The drawn message, password, object or block seed.
    text: String,
    /// A drawn number: N objects, the flipped bit, the key length.
    number: u64,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes as spaced hex pairs: `80 00`.
fn spaced(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SHA-256 from its definition (RFC 2104): H((k ⊕ opad) ‖ H((k ⊕ ipad) ‖ m)).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha256(&[key]));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = sha256(&[&ipad, msg]);
    sha256(&[&opad, &inner])
}

/// SHA-256's padding for a message of `len` bytes: 0x80, zeros, and the bit length.
fn md_padding(len: u64) -> Vec<u8> {
    let mut pad = vec![0x80u8];
    while (len as usize + pad.len()) % 64 != 56 {
        pad.push(0);
    }
    pad.extend_from_slice(&(len * 8).to_be_bytes());
    pad
}

/// The length-extension attack: from tag = SHA-256(secret ‖ msg) and len(secret ‖ msg) only,
/// the tag of secret ‖ msg ‖ pad ‖ suffix, by resuming the compression function.
fn extend(tag: &[u8; 32], prefix_len: u64, suffix: &[u8]) -> [u8; 32] {
    let mut state = [0u32; 8];
    for (i, w) in state.iter_mut().enumerate() {
        *w = u32::from_be_bytes([tag[4 * i], tag[4 * i + 1], tag[4 * i + 2], tag[4 * i + 3]]);
    }
    let done = prefix_len + md_padding(prefix_len).len() as u64;
    let mut data = suffix.to_vec();
    data.extend(md_padding(done + suffix.len() as u64));
    let blocks: Vec<_> = data.chunks(64).map(GenericArray::clone_from_slice).collect();
    sha2::compress256(&mut state, &blocks);
    let mut out = [0u8; 32];
    for (i, w) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// The length-extension demonstration: (tag, forged message, forged tag, server's SHA-256(k‖m'),
/// HMAC(k, m'), keyed BLAKE3(k, m')).
struct Forgery {
    tag: [u8; 32],
    forged_msg: Vec<u8>,
    forged_tag: [u8; 32],
    naive: [u8; 32],
    hmac: [u8; 32],
    blake: [u8; 32],
}

const SUFFIX: &[u8] = b"&role=admin";

fn forge(key: &[u8], msg: &[u8]) -> Forgery {
    let tag = sha256(&[key, msg]);
    let prefix = (key.len() + msg.len()) as u64;
    let mut forged_msg = msg.to_vec();
    forged_msg.extend(md_padding(prefix));
    forged_msg.extend_from_slice(SUFFIX);
    let forged_tag = extend(&tag, prefix, SUFFIX);
    let mut k32 = [0u8; 32];
    k32[..key.len().min(32)].copy_from_slice(&key[..key.len().min(32)]);
    Forgery {
        tag,
        naive: sha256(&[key, &forged_msg]),
        hmac: hmac_sha256(key, &forged_msg),
        blake: *blake3::keyed_hash(&k32, &forged_msg).as_bytes(),
        forged_msg,
        forged_tag,
    }
}

const BUCKETS: u64 = 1024;
const FLOOD: usize = 8;

/// Keys `k<i>` that land in bucket 0 of 1,024 under xxh3 with seed 0, found by brute force, and
/// the number of names tried to find them.
fn flooding_keys(start: u64) -> (Vec<String>, u64) {
    let mut keys = Vec::new();
    let mut tried = 0;
    for i in start.. {
        if keys.len() == FLOOD {
            break;
        }
        tried += 1;
        let k = format!("k{i}");
        if xxh3_64_with_seed(k.as_bytes(), 0).is_multiple_of(BUCKETS) {
            keys.push(k);
        }
    }
    (keys, tried)
}

/// P(any collision among n random b-bit digests), 1 − exp(−n(n − 1)/2^(b+1)).
fn birthday(n: f64, bits: i32) -> f64 {
    -(-(n * (n - 1.0)) / 2f64.powi(bits + 1)).exp_m1()
}

/// The 4 KiB block of the checksum case, from its seed.
fn block(seed: u64) -> Vec<u8> {
    use rand::SeedableRng;
    let mut g = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..4096).map(|_| g.random::<u8>()).collect()
}

/// The case's right construction and its misconceptions, with what the evidence measured filled
/// in (for `hash_table`, the keys the search found and the names it tried, from
/// [`flooding_keys`]).
fn options(sc: &Scenario) -> (&'static str, [(&'static str, String); 3]) {
    let (right, wrong) = fixed_options(&sc.case);
    let wrong = wrong.map(|(t, why)| {
        let why = if why.contains("{flood}") {
            let (keys, tried) = flooding_keys(sc.number);
            why.replace("{flood}", &format!("{} keys for one bucket in {tried} tries", keys.len()))
        } else {
            why.to_string()
        };
        (t, why)
    });
    (right, wrong)
}

/// The case's right construction and its misconceptions, as written.
fn fixed_options(case: &str) -> (&'static str, [(&'static str, &'static str); 3]) {
    match case {
        "password" => (
            "Argon2id (or scrypt, or bcrypt) with a random salt per user",
            [
                ("SHA-256(password)", "Unsalted: users with the same password share a digest (the evidence shows two), precomputed tables apply, and SHA-256 is fast: a GPU tries billions of guesses a second."),
                ("SHA-256(salt ‖ password) with a random salt per user", "The salt defeats precomputed tables and hides equal passwords, but SHA-256 is still fast: guessing stays cheap. Password hashes must be slow and memory-hard."),
                ("BLAKE3 keyed with one server-wide secret", "Fast again, and one secret for all: if it leaks with the database, every password is open to fast guessing."),
            ],
        ),
        "hash_table" => (
            "a keyed hash with a secret random key per process (SipHash, as Rust's HashMap uses)",
            [
                ("xxh3 with a fixed seed", "The attacker runs the same function offline: the evidence finds {flood}, and every lookup then scans one long chain."),
                ("SHA-256 of the key, reduced mod the table size", "Collision resistance is about the whole digest; only log₂(m) bits pick the bucket, and anyone can search for keys that agree on them. Unkeyed means precomputable."),
                ("CRC32 of the key", "CRC is linear: keys that collide can be solved for directly, without search."),
            ],
        ),
        "content_addressing" => (
            "SHA-256 or BLAKE3 (256-bit, collision-resistant)",
            [
                ("xxh3-64", "64 bits collide by chance at scale (see the birthday table), and xxh3 makes no promise against someone crafting collisions on purpose."),
                ("MD5", "MD5 collisions have been practical since 2004: two different files with one address can be made on a laptop."),
                ("CRC32", "32 bits: a collision is likely after about 77,000 objects, and CRC collisions can be built on purpose."),
            ],
        ),
        "checksum" => (
            "xxh3-64 (or CRC32C): a fast non-cryptographic checksum",
            [
                ("SHA-256", "It detects corruption too, but costs several times the CPU to defend against an attacker who is not part of this threat model."),
                ("Argon2id", "Deliberately slow and memory-hard: made for passwords, not for gigabytes a second."),
                ("the sum of the bytes mod 256", "Misses reordered bytes and many multi-bit errors, and lets one random corruption in 256 through."),
            ],
        ),
        _ => (
            "HMAC-SHA-256 (or keyed BLAKE3)",
            [
                ("SHA-256(key ‖ message)", "Length extension: from the tag of key‖m anyone can compute the tag of key‖m‖padding‖suffix without the key. The evidence forges one for real."),
                ("SHA-256(message), sent with the message", "No secret at all: whoever changes the message recomputes the hash."),
                ("xxh3 seeded with the secret key", "xxh3 is built for speed, not secrecy: it promises nothing against someone who sees tags, and seeded non-cryptographic hashes have fallen to seed-independent collisions (MurmurHash, CityHash)."),
            ],
        ),
    }
}

/// Why the right construction fits, opening the worked solution.
fn why_right(case: &str) -> &'static str {
    match case {
        "password" => "A leaked password database is attacked by guessing, so each guess must cost as much as the login path can afford: a deliberately slow, memory-hard function, salted per user so equal passwords look different and nothing can be precomputed.",
        "hash_table" => "The attacker must not be able to predict buckets, so the hash needs a secret: a keyed PRF with a random key per process (SipHash was designed for exactly this).",
        "content_addressing" => "A name must never be shared by two different chunks, by accident or by design: that takes a collision-resistant hash with at least 256 bits.",
        "checksum" => "With no attacker, all that matters is catching random errors cheaply: a fast non-cryptographic hash or CRC runs at memory speed and misses a random corruption with probability about 2^−64 (or 2^−32).",
        _ => "A tag must be impossible to compute without the secret, even for messages related to ones already seen: that is a MAC. HMAC hashes the key twice around the message, and keyed BLAKE3 is a MAC by design; neither can be extended.",
    }
}

fn scenario_text(sc: &Scenario) -> String {
    match sc.case.as_str() {
        "password" => "A web service stores its users' passwords so it can check logins. If the database leaks, guessing each password should be as expensive as possible. How should it hash them?".into(),
        "hash_table" => "An HTTP server parses request headers into a hash table keyed by header name. Clients choose the names, and some clients are hostile: they would like every key to land in the same bucket, so each insert scans a long chain (hash flooding). Which hash should the table use?".into(),
        "content_addressing" => format!(
            "A backup system stores each chunk under the name hash(chunk) and stores a chunk only once (content addressing, as in git). It will hold about {} chunks, some uploaded by users who might want two different chunks to share a name. Which hash should name the chunks?",
            sc.number
        ),
        "checksum" => "A storage node writes 4 KiB blocks at several GB/s and wants to notice bit rot or torn writes when it reads a block back. No attacker can write to the disk. What is the cheapest function that reliably detects accidental corruption?".into(),
        _ => "An API authenticates requests with a secret shared with each client: the client sends the request body and a tag computed from the secret and the body, and the server recomputes and compares the tag. Which construction should compute the tag?".into(),
    }
}

/// Evidence for the case, and whether its demonstration holds.
fn demonstrate(sc: &Scenario) -> (Content, bool) {
    let secret = unhex(&sc.secret);
    match sc.case.as_str() {
        "mac" => {
            let f = forge(&secret, sc.text.as_bytes());
            let holds = f.forged_tag == f.naive && f.forged_tag != f.hmac && f.forged_tag != f.blake;
            let content = Content::new()
                .p(format!(
                    "A real length-extension forgery. The secret key is {} bytes; the client sends `{}` with tag SHA-256(key ‖ message) = `{}`.",
                    secret.len(),
                    sc.text,
                    hex(&f.tag)
                ))
                .p({
                    let pad = &f.forged_msg[sc.text.len()..f.forged_msg.len() - SUFFIX.len()];
                    format!(
                        "Knowing only the message, the tag and the key's length, an attacker builds the forged message: the original message, then the {} bytes of SHA-256 padding the key and message had (`{} … {}`), then `{}`. Resuming SHA-256's compression from the tag gives its tag, `{}`, without the key.",
                        pad.len(),
                        spaced(&pad[..2]),
                        spaced(&pad[pad.len() - 2..]),
                        String::from_utf8_lossy(SUFFIX),
                        hex(&f.forged_tag)
                    )
                })
                .table(
                    ["server computes, with the key", "tag of the forged message", "forgery accepted?"],
                    vec![
                        ["SHA-256(key ‖ message)".to_string(), format!("`{}`", hex(&f.naive)), if f.naive == f.forged_tag { "yes" } else { "no" }.to_string()],
                        ["HMAC-SHA-256(key, message)".to_string(), format!("`{}`", hex(&f.hmac)), if f.hmac == f.forged_tag { "yes" } else { "no" }.to_string()],
                        ["keyed BLAKE3(key, message)".to_string(), format!("`{}`", hex(&f.blake)), if f.blake == f.forged_tag { "yes" } else { "no" }.to_string()],
                    ],
                );
            (content, holds)
        }
        "hash_table" => {
            let (keys, tried) = flooding_keys(sc.number);
            let seed = u64::from_be_bytes(secret[..8].try_into().unwrap_or([0; 8]));
            let public: Vec<u64> = keys.iter().map(|k| xxh3_64_with_seed(k.as_bytes(), 0) % BUCKETS).collect();
            let keyed: Vec<u64> = keys.iter().map(|k| xxh3_64_with_seed(k.as_bytes(), seed) % BUCKETS).collect();
            let mut distinct = keyed.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let holds = keys.len() == FLOOD && public.iter().all(|&b| b == 0) && distinct.len() > 1;
            let rows: Vec<[String; 3]> = keys.iter().zip(public.iter().zip(&keyed)).map(|(k, (p, s))| [format!("`{k}`"), p.to_string(), s.to_string()]).collect();
            let content = Content::new()
                .p(format!(
                    "A brute-force search over the names `k{}`, `k{}`, … found {} that all land in bucket 0 of {BUCKETS} under xxh3 with the fixed seed 0 in {tried} tries ({} per key; {BUCKETS} expected). With a secret seed the attacker does not know (here {seed:#x}), the same names scatter:",
                    sc.number,
                    sc.number + 1,
                    keys.len(),
                    tried / keys.len().max(1) as u64,
                ))
                .table(["key", "bucket, seed 0", "bucket, secret seed"], rows);
            (content, holds)
        }
        "password" => {
            let (s1, s2) = secret.split_at(secret.len() / 2);
            let plain = hex(&sha256(&[sc.text.as_bytes()]));
            let a = hex(&sha256(&[s1, sc.text.as_bytes()]));
            let b = hex(&sha256(&[s2, sc.text.as_bytes()]));
            let holds = a != b;
            let guesses = 26f64.powi(8);
            let content = Content::new()
                .p(format!("Two users, alice and bob, both chose the password `{}`.", sc.text))
                .table(
                    ["user", "SHA-256(password)", "salt", "SHA-256(salt ‖ password)"],
                    vec![
                        ["alice".to_string(), format!("`{plain}`"), format!("`{}`", hex(s1)), format!("`{a}`")],
                        ["bob".to_string(), format!("`{plain}`"), format!("`{}`", hex(s2)), format!("`{b}`")],
                    ],
                )
                .p(format!(
                    "Without a salt the leak shows they share a password. With one, it does not, but guessing stays cheap: all {} passwords of 8 lowercase letters take {} s at 10^10 SHA-256 per second (the order of one modern GPU), and about {} years at 10 Argon2id guesses per second.",
                    fmt_sig(guesses, 3),
                    fmt_sig(guesses / 1e10, 2),
                    fmt_sig(guesses / 10.0 / 3.156e7, 2)
                ));
            (content, holds)
        }
        "content_addressing" => {
            let n = sc.number as f64;
            let rows: Vec<[String; 2]> = [32, 64, 128, 256]
                .iter()
                .map(|&b| [format!("{b} bits"), fmt_sig(birthday(n, b), 3)])
                .collect();
            let holds = birthday(n, 64) > 1e-4 && birthday(n, 256) < 1e-50 && birthday(n, 32) > 0.99;
            let content = Content::new()
                .p(format!("The chance of any accidental collision among {} chunks, 1 − exp(−N(N − 1)/2^(b+1)):", sc.number))
                .table(["digest size", "P(some collision)"], rows)
                .p(format!(
                    "The chunk `{}` names itself as SHA-256 `{}` or BLAKE3 `{}`.",
                    sc.text,
                    hex(&sha256(&[sc.text.as_bytes()])),
                    blake3::hash(sc.text.as_bytes()).to_hex()
                ));
            (content, holds)
        }
        _ => {
            let data = block(sc.number);
            let bit = (sc.number % (8 * 4096)) as usize;
            let mut bad = data.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let (x1, x2) = (xxh3_64_with_seed(&data, 0), xxh3_64_with_seed(&bad, 0));
            let (h1, h2) = (sha256(&[&data]), sha256(&[&bad]));
            let sum = |d: &[u8]| d.iter().fold(0u8, |a, b| a.wrapping_add(*b));
            let holds = x1 != x2 && h1 != h2;
            let content = Content::new()
                .p(format!("A random 4 KiB block with bit {bit} flipped:"))
                .table(
                    ["function", "original", "one bit flipped"],
                    vec![
                        ["xxh3-64".to_string(), format!("`{x1:016x}`"), format!("`{x2:016x}`")],
                        ["SHA-256".to_string(), format!("`{}`", hex(&h1)), format!("`{}`", hex(&h2))],
                        ["byte sum mod 256".to_string(), sum(&data).to_string(), sum(&bad).to_string()],
                    ],
                )
                .p("Both hashes catch it; xxh3 does it at memory speed, several times faster than SHA-256. A byte sum catches a single flip, but not two flips that cancel, or reordered bytes.");
            (content, holds)
        }
    }
}

impl Family for ChooseHash {
    fn id(&self) -> &'static str {
        "hashing.choose_hash"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Choosing a hash: passwords, tables, content, checksums, MACs"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let case = cx.pick("case");
        let g = cx.rng();
        let secret: Vec<u8> = (0..g.random_range(16..=32)).map(|_| g.random::<u8>()).collect();
        let users = ["alice", "bob", "carol", "dave", "erin"];
        let text = match case {
            "password" => ["hunter2", "correct horse", "letmein", "dragon42", "sunshine"][g.random_range(0..5)].to_string(),
            "mac" => format!("user={}&role=user&ts={}", users[g.random_range(0..users.len())], g.random_range(1_700_000_000u64..1_800_000_000)),
            "content_addressing" => format!("chunk-{:08x}", g.random::<u32>()),
            _ => String::new(),
        };
        let number = match case {
            "content_addressing" => 10u64.pow(g.random_range(8..=10)) * g.random_range(1..=9),
            "hash_table" => g.random_range(0..100_000),
            _ => g.random::<u32>() as u64,
        };
        let sc = Scenario { case: case.into(), secret: hex(&secret), text, number };
        let (evidence, holds) = demonstrate(&sc);
        if !holds {
            return Err(GenError::Run(format!("the {case} demonstration did not come out as the key assumes")));
        }
        let (right, wrong) = options(&sc);
        let mut opts: Vec<ChoiceOption> = std::iter::once(ChoiceOption::right(right))
            .chain(wrong.iter().map(|(t, why)| ChoiceOption::wrong(*t, why.as_str())))
            .collect();
        let rot = cx.rng().random_range(0..opts.len());
        opts.rotate_left(rot);
        let correct = opts.iter().position(|o| o.why_wrong.is_none()).unwrap_or(0);
        let solution = Content::new()
            .p(format!("{} So: **{right}**.", why_right(case)))
            .list(wrong.iter().map(|(t, why)| format!("Not {t}: {why}")));
        let prompt = Content::new().p(scenario_text(&sc));
        Ok(Question::new(prompt, vec![AnswerSlot::new("the construction to use", Expected::Choice { options: opts, correct })], solution, evidence).with_scenario(&sc))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let sc: Scenario = q.scenario()?;
        let Expected::Choice { options: opts, correct } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let (right, wrong) = options(&sc);
        CheckError::expect_eq("the keyed option", opts.get(*correct).map(|o| o.text.as_str()), Some(right))?;
        // Every misconception's feedback states what the re-run evidence measured.
        for (t, why) in &wrong {
            let shown = opts.iter().find(|o| o.text == *t).and_then(|o| o.why_wrong.as_deref());
            CheckError::expect_eq("a misconception's feedback", shown, Some(why.as_str()))?;
        }
        // HMAC as built here must match RFC 4231, test case 2, before its verdict counts.
        CheckError::expect_eq(
            "HMAC-SHA-256 on RFC 4231 test case 2",
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843".to_string(),
        )?;
        let (_, holds) = demonstrate(&sc);
        if holds {
            Ok(())
        } else {
            Err(CheckError(format!("the {} demonstration does not hold when re-run", sc.case)))
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
        stress(&ChooseHash, 0..30).unwrap();
    }

    #[test]
    fn padding_and_extension_match_sha256() {
        // SHA-256("abc") from the FIPS 180-2 example, and the padding of a 3-byte message.
        assert_eq!(hex(&sha256(&[b"abc"])), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let pad = md_padding(3);
        assert_eq!((pad.len(), pad[0], pad[pad.len() - 1]), (61, 0x80, 24));
        // Extending the tag of "abc" (no key) by "d" equals hashing abc‖pad‖d directly.
        let t = sha256(&[b"abc"]);
        let mut m = b"abc".to_vec();
        m.extend(md_padding(3));
        m.push(b'd');
        assert_eq!(extend(&t, 3, b"d"), sha256(&[&m]));
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1: key 0x0b × 20, "Hi There".
        assert_eq!(hex(&hmac_sha256(&[0x0b; 20], b"Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        // Test case 6: a 131-byte key, hashed first.
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn the_forgery_works_against_the_naive_mac_only() {
        let f = forge(b"0123456789abcdef", b"user=alice&role=user");
        assert_eq!(f.forged_tag, f.naive);
        assert_ne!(f.forged_tag, f.hmac);
        assert_ne!(f.forged_tag, f.blake);
        assert!(f.forged_msg.ends_with(b"&role=admin"));
    }

    #[test]
    fn flooding_keys_share_a_bucket() {
        let (keys, tried) = flooding_keys(0);
        assert_eq!(keys.len(), FLOOD);
        // The feedback quotes the search as it ran, not a figure typed in.
        let sc = Scenario { case: "hash_table".into(), secret: "00".repeat(16), text: String::new(), number: 0 };
        let (_, wrong) = options(&sc);
        assert!(wrong[0].1.contains(&format!("{FLOOD} keys for one bucket in {tried} tries")), "{}", wrong[0].1);
        assert!(keys.iter().all(|k| xxh3_64_with_seed(k.as_bytes(), 0).is_multiple_of(BUCKETS)));
    }

    #[test]
    fn birthday_values() {
        // 77,163 objects give a 50% chance of a 32-bit collision.
        assert!((birthday(77_163.0, 32) - 0.5).abs() < 1e-3);
    }

    #[test]
    fn pins_are_used_and_the_check_catches_a_wrong_key() {
        let pins = parse_pins(&ChooseHash, &["case=mac".into()]).unwrap();
        let mut q = generate(&ChooseHash, 5, Difficulty::Hard, &pins).unwrap();
        let Expected::Choice { options, correct } = &mut q.slots[0].expected else { panic!() };
        assert!(options[*correct].text.starts_with("HMAC"));
        crate::family::cross_check(&ChooseHash, &q).unwrap();
        if let Expected::Choice { options, correct } = &mut q.slots[0].expected {
            *correct = options.iter().position(|o| o.text.starts_with("SHA-256(key")).unwrap();
        }
        assert!(crate::family::cross_check(&ChooseHash, &q).is_err());
    }
}
