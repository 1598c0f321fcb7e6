//! Small text helpers every layer uses: "did you mean" suggestions.

/// The closest candidate by edit distance, if any is close enough to be a plausible typo.
pub fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let given = given.trim().to_ascii_lowercase();
    candidates
        .map(|c| {
            // Compare with the whole id and with its last part, so `birthday` finds `hashing.birthday`.
            let tail = c.rsplit('.').next().unwrap_or(c);
            let d = strsim::levenshtein(&given, c).min(strsim::levenshtein(&given, tail));
            (d, c)
        })
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}
