//! `selfcheck.html`: one offline page where a candidate types answers and checks them, without the
//! page holding the answers.
//!
//! # The scheme (`groundwork-selfcheck-1`)
//!
//! For every slot the page stores a random-looking salt and a set of *commitments*: the first 128
//! bits of SHA-256 over `groundwork-selfcheck-1 \n salt \n slot \n tag \n canonical-answer`. The
//! browser canonicalises what the candidate typed the same way the grader does
//! ([`crate::answer::grade`]), hashes it with Web Crypto and looks it up in the set.
//!
//! - **Integers, hex, text, errno names, one-letter choices**: one commitment per accepted canonical
//!   form (a text slot's equivalent answers each get one).
//! - **Real numbers**: the tolerance interval is cut into a grid of step 10^e, one to two orders of
//!   magnitude finer than the interval's half-width, and the page commits to every grid value
//!   `k·10^e` that the tolerance accepts (20–200 values, sorted so their order says nothing). The
//!   browser rounds the typed number to the grid, so the accepted interval matches the key's to
//!   within 5% of its width at the edges.
//! - **Multiple choice**: one commitment per option, to whether it is right, so the page can give
//!   partial credit under the slot's rule, as `check` does.
//! - **Sequences**: one commitment to the whole sequence, and one per item, so the page can say
//!   which item differs first.
//!
//! Numbers are read as [`crate::answer::grade_slot`] reads them: a unit word after the number
//! that is the slot's unit (or a synonym) or a word of what it asks is taken off, and any other
//! word makes the answer unreadable. A numeric slot carries its unit and its ask for that.
//!
//! # Points
//!
//! Every slot carries its share of the question's points (a question's points are shared equally
//! between its parts, as [`crate::report::grade_pack`] does) and the page totals them the way
//! `check` does: a part earns its share times the outcome's score (1, the partial-credit fraction
//! of a multiple-choice part, or 0 for wrong, unreadable and unanswered), rounded to 2 decimals,
//! and the total is rounded again. The pack's total is the page's `data-total`.
//!
//! # Misconception feedback (`why`)
//!
//! A choice or multiple-choice slot carries one ciphertext per option, so a wrong pick can show the
//! misconception behind it, as `check` does, without the page marking which options are wrong.
//! Option `L`'s ciphertext is its feedback text (plain text, UTF-8) padded with zero bytes to the
//! slot's common length (the longest feedback of the slot, rounded up to a multiple of 32 bytes),
//! XORed with a key stream whose block `k` is SHA-256 over
//! `groundwork-selfcheck-1 \n salt \n slot \n feedback L \n k`. A right option, and a wrong one
//! without feedback, encrypt an empty text: every option of a slot has a ciphertext of the same
//! length that reads as random hex, so neither the presence nor the length of feedback singles
//! out the right option. The browser decrypts only the option the candidate picked, after its
//! commitment said the pick is wrong.
//!
//! # Limits (also stated on the page)
//!
//! The commitments hide answers from reading, not from searching. A four-option question has four
//! candidates, and a number can be found by hashing every grid value in a plausible range, which
//! takes a browser seconds. The page is for practice, not proctoring: it never carries worked
//! solutions or evidence, and an interview pack should be marked with `check` or the key instead.
//! The same holds for the feedback: its key stream derives from public data (salt, slot, letter),
//! so a script can decrypt every option's feedback and learn which options have none, exactly as
//! it can hash every letter against the commitments; a reader of the page learns neither.

use super::view::PaperView;
use super::{Exporter, Templates, View};
use crate::answer::{letter, ChoiceOption, Expected, Normalisation, PartialCredit, Window};
use crate::content::{plain_spans, spans};
use crate::error::Error;
use crate::pack::Pack;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The scheme name, hashed into every commitment and stated on the page.
pub const SCHEME: &str = "groundwork-selfcheck-1";

/// Hex digits kept from each SHA-256 commitment (128 bits).
const COMMIT_HEX: usize = 32;

/// The self-check page exporter.
pub struct SelfCheck;

impl Exporter for SelfCheck {
    fn id(&self) -> &'static str {
        "selfcheck"
    }
    fn files(&self) -> &'static [(&'static str, View)] {
        &[("selfcheck.html", View::SelfCheck)]
    }
    fn render(&self, pack: &Pack, _view: View, t: &Templates) -> Result<Vec<u8>, Error> {
        let page = SelfCheckView {
            paper: PaperView::of(pack),
            scheme: SCHEME,
            data: serde_json::to_string(&commitments(pack))
                .map_err(|e| Error::Render {
                    what: "selfcheck.html".into(),
                    message: e.to_string(),
                })?
                // Nothing in the data can close the <script> element it sits in.
                .replace("</", "<\\/"),
            units: serde_json::json!({
                "synonyms": crate::answer::grade::SYNONYMS,
                "not_units": crate::answer::grade::NOT_UNITS,
            })
            .to_string()
            .replace("</", "<\\/"),
        };
        Ok(t.render("html/selfcheck.html", &page)?.into_bytes())
    }
}

/// What the template receives: the paper (no answers) and the commitments as JSON text.
#[derive(Serialize)]
struct SelfCheckView {
    #[serde(flatten)]
    paper: PaperView,
    scheme: &'static str,
    data: String,
    /// The unit words `check` knows ([`crate::answer::grade::SYNONYMS`] and `NOT_UNITS`), as JSON.
    units: String,
}

/// What the browser needs to check one slot.
#[derive(Debug, Serialize)]
pub struct SlotCheck {
    /// The label used in answers files: `3`, `2b`.
    pub id: String,
    /// integer, real, hex, text, choice, multi or sequence.
    pub kind: &'static str,
    /// The expected form, as the paper states it ("a number, to 3 significant figures").
    pub format: String,
    /// The text normalisation (text and sequence slots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub norm: Option<&'static str>,
    /// The grid exponent e of a real slot: answers are rounded to multiples of 10^e.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i32>,
    /// The number of options (choice and multi slots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<usize>,
    /// The partial-credit rule of a multi slot: `all_or_nothing` or `right_minus_wrong`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// The slot's share of its question's points, unrounded (the page rounds as `check` does).
    pub share: f64,
    /// Per-option feedback ciphertexts, hex, all of one length (choice and multi slots).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// The unit of a numeric slot, when it has one: `12 ms` reads as 12 in a slot in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What a numeric slot asks, as plain text (on the paper too): `245 times` reads as 245 in a
    /// slot asking "times", as `check` reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ask: Option<String>,
    /// The per-slot salt.
    pub salt: String,
    /// Commitments to the accepted canonical answers, sorted.
    pub accept: Vec<String>,
    /// Per-option commitments (multi) or per-item commitments (sequence).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

/// The commitment to `canonical` for slot `id` under `salt` and `tag`.
pub fn commit(salt: &str, id: &str, tag: &str, canonical: &str) -> String {
    let digest = Sha256::digest(format!("{SCHEME}\n{salt}\n{id}\n{tag}\n{canonical}"));
    let mut hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.truncate(COMMIT_HEX);
    hex
}

/// The key stream that hides option `letter`'s feedback in slot `id`: SHA-256 blocks over the
/// scheme, salt, slot, `feedback L` and the block number, concatenated to `len` bytes.
pub fn feedback_key(salt: &str, id: &str, letter: char, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut k = 0u32;
    while out.len() < len {
        out.extend(Sha256::digest(format!(
            "{SCHEME}\n{salt}\n{id}\nfeedback {letter}\n{k}"
        )));
        k += 1;
    }
    out.truncate(len);
    out
}

/// One ciphertext per option: the feedback of a wrong option (empty for a right option or one
/// without feedback), zero-padded to a common length and XORed with [`feedback_key`].
fn feedback_ciphertexts(
    salt: &str,
    id: &str,
    options: &[ChoiceOption],
    right: &[usize],
) -> Vec<String> {
    let texts: Vec<Vec<u8>> = options
        .iter()
        .enumerate()
        .map(|(i, o)| match &o.why_wrong {
            Some(why) if !right.contains(&i) => plain_spans(&spans(why)).into_bytes(),
            _ => Vec::new(),
        })
        .collect();
    let longest = texts.iter().map(Vec::len).max().unwrap_or(0);
    let len = longest.div_ceil(32).max(1) * 32;
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            feedback_key(salt, id, letter(i), len)
                .iter()
                .enumerate()
                .map(|(j, k)| format!("{:02x}", k ^ t.get(j).copied().unwrap_or(0)))
                .collect()
        })
        .collect()
}

/// The grid exponent for a real slot: a step 10 to 100 times finer than the half-width.
pub fn grid_exponent(half_width: f64) -> i32 {
    half_width.log10().floor() as i32 - 1
}

/// Every grid value k·10^e (as `k` and `e`) inside the accepted window.
fn grid_values(w: Window, e: i32) -> Vec<String> {
    let step = 10f64.powi(e);
    let lo = (w.lo / step).floor() as i64 - 1;
    let hi = (w.hi / step).ceil() as i64 + 1;
    (lo..=hi)
        .filter(|k| w.contains(grid_point(*k, e)))
        .map(|k| format!("{k}e{e}"))
        .collect()
}

/// k·10^e as the closest double, the way the browser computes it (`Number("{k}e{e}")`).
fn grid_point(k: i64, e: i32) -> f64 {
    format!("{k}e{e}").parse().unwrap_or(f64::NAN)
}

fn norm_id(n: Normalisation) -> &'static str {
    match n {
        Normalisation::Exact => "exact",
        Normalisation::Loose => "loose",
        Normalisation::Errno => "errno",
        Normalisation::Integer => "integer",
    }
}

/// The commitments for every slot of `pack`, in paper order.
pub fn commitments(pack: &Pack) -> Vec<SlotCheck> {
    let mut out = Vec::new();
    for (qi, q) in pack.questions.iter().enumerate() {
        let share = q.points as f64 / q.slots.len().max(1) as f64;
        for slot in &q.slots {
            let id = format!("{}{}", qi + 1, slot.label);
            let salt = {
                let h = blake3::Hasher::new_derive_key("groundwork selfcheck salt v1")
                    .update(pack.meta.code.as_bytes())
                    .update(b"\n")
                    .update(q.code.as_bytes())
                    .update(b"\n")
                    .update(id.as_bytes())
                    .finalize();
                h.to_hex()[..16].to_string()
            };
            let c = |tag: &str, canon: &str| commit(&salt, &id, tag, canon);
            let mut check = SlotCheck {
                id: id.clone(),
                kind: "",
                format: slot.expected.describe(),
                norm: None,
                exp: None,
                options: None,
                rule: None,
                share,
                why: vec![],
                unit: None,
                ask: None,
                salt: salt.clone(),
                accept: vec![],
                parts: vec![],
            };
            if matches!(
                slot.expected,
                Expected::Integer { .. } | Expected::Real { .. }
            ) {
                check.unit = (!slot.unit.is_empty()).then(|| slot.unit.clone());
                check.ask = Some(plain_spans(&spans(&slot.ask)));
            }
            match &slot.expected {
                Expected::Integer { value } => {
                    check.kind = "integer";
                    check.accept.push(c("answer", &value.to_string()));
                }
                Expected::Real { value, tolerance } => {
                    check.kind = "real";
                    let w = tolerance.window(*value);
                    let e = grid_exponent(w.half_width());
                    check.exp = Some(e);
                    check.accept = grid_values(w, e).iter().map(|g| c("answer", g)).collect();
                }
                Expected::Hex { value } => {
                    check.kind = "hex";
                    check.accept.push(c("answer", &value.to_ascii_lowercase()));
                }
                Expected::Text {
                    value,
                    normalisation,
                    accepted,
                } => {
                    check.kind = "text";
                    check.norm = Some(norm_id(*normalisation));
                    check.accept = std::iter::once(value)
                        .chain(accepted)
                        .filter_map(|v| normalisation.canon(v).ok())
                        .map(|v| c("answer", &v))
                        .collect();
                }
                Expected::Choice { options, correct } => {
                    check.kind = "choice";
                    check.options = Some(options.len());
                    check
                        .accept
                        .push(c("answer", &letter(*correct).to_string()));
                    check.why = feedback_ciphertexts(&salt, &id, options, &[*correct]);
                }
                Expected::Multi {
                    options,
                    correct,
                    rule,
                } => {
                    check.kind = "multi";
                    check.options = Some(options.len());
                    check.rule = Some(match rule {
                        PartialCredit::AllOrNothing => "all_or_nothing",
                        PartialCredit::RightMinusWrong => "right_minus_wrong",
                    });
                    check.parts = (0..options.len())
                        .map(|i| {
                            let bit = if correct.contains(&i) { "1" } else { "0" };
                            c(&format!("option {}", letter(i)), bit)
                        })
                        .collect();
                    check.why = feedback_ciphertexts(&salt, &id, options, correct);
                }
                Expected::Sequence {
                    values,
                    normalisation,
                } => {
                    check.kind = "sequence";
                    check.norm = Some(norm_id(*normalisation));
                    let canon: Vec<String> = values
                        .iter()
                        .map(|v| normalisation.canon(v).unwrap_or_else(|_| v.clone()))
                        .collect();
                    check.accept.push(c("answer", &canon.join(",")));
                    check.parts = canon
                        .iter()
                        .enumerate()
                        .map(|(i, v)| c(&format!("item {}", i + 1), v))
                        .collect();
                }
            }
            check.accept.sort();
            check.accept.dedup();
            out.push(check);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Tolerance;

    #[test]
    fn a_commitment_is_sha256_of_the_stated_preimage() {
        // The digest typed in from an independent tool, not recomputed with the code under test:
        // `printf 'groundwork-selfcheck-1\n00ff\n3\nanswer\n42' | sha256sum` (GNU coreutils)
        // prints ff3352b326375021bdd7c594814d3870ee4bd1c680c8ab0ba7c0f5dd3e2e685b; a commitment
        // is its first 32 hex digits.
        let hex = "ff3352b326375021bdd7c594814d3870";
        assert_eq!(commit("00ff", "3", "answer", "42"), hex);
        assert_ne!(commit("00ff", "3", "answer", "43"), hex);
        assert_ne!(commit("00fe", "3", "answer", "42"), hex);
    }

    #[test]
    fn feedback_is_hidden_under_a_stated_key_stream_and_padded_to_one_length() {
        // Key stream blocks typed in from GNU coreutils, not recomputed with the code under test:
        // `printf 'groundwork-selfcheck-1\n00ff\n3\nfeedback B\n0' | sha256sum` and the same with
        // block number 1.
        let block0 = "9a01164da7650ab7fccd7a2cd9221d761dc5033459f2c78870145888ed944b55";
        let block1 = "5c62532d688c9692ec3f499bac97667a4da1b79c13bb03e70aa3cef240997816";
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(&feedback_key("00ff", "3", 'B', 40)),
            format!("{block0}{}", &block1[..16])
        );

        // A right option and a wrong one without feedback look like the wrong ones with feedback.
        let options = vec![
            ChoiceOption::right("n·H_n"),
            ChoiceOption::wrong(
                "n",
                "each draw can repeat a shard, so n draws rarely hit all n",
            ),
            ChoiceOption::wrong("2n", "short"),
            ChoiceOption::right("n ln n"),
        ];
        let c = feedback_ciphertexts("00ff", "3", &options, &[0]);
        assert_eq!(c.len(), 4);
        assert!(c.iter().all(|x| x.len() == 128), "64 bytes each: {c:?}");
        // Option B decrypts to its text followed by zero padding; the right option A to nothing.
        let plain = |i: usize| -> Vec<u8> {
            let key = feedback_key("00ff", "3", letter(i), 64);
            (0..64)
                .map(|j| u8::from_str_radix(&c[i][2 * j..2 * j + 2], 16).unwrap() ^ key[j])
                .collect()
        };
        let b = plain(1);
        let text = b"each draw can repeat a shard, so n draws rarely hit all n";
        assert_eq!(&b[..text.len()], text);
        assert!(b[text.len()..].iter().all(|x| *x == 0));
        assert!(plain(0).iter().all(|x| *x == 0));
        // D, a wrong option without feedback here, encrypts nothing either.
        assert!(plain(3).iter().all(|x| *x == 0));
    }

    #[test]
    fn the_grid_covers_the_tolerance_and_nothing_outside_it() {
        // 0.507 to 3 significant figures: accepted within ±0.00051, grid step 1e-5.
        let t = Tolerance::SigFigs { digits: 3 };
        let w = t.window(0.507);
        let e = grid_exponent(w.half_width());
        assert_eq!(e, -5);
        let g = grid_values(w, e);
        assert!(g.contains(&"50700e-5".to_string()));
        assert!(
            g.contains(&"50650e-5".to_string()),
            "0.5065 rounds to 0.507"
        );
        assert!(!g.contains(&"50640e-5".to_string()), "0.5064 does not");
        assert!(!g.contains(&"50760e-5".to_string()));
        assert!((20..=210).contains(&g.len()), "{}", g.len());
    }
}
