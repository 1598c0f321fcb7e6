//! Small text helpers every layer uses: "did you mean" suggestions, and rendering untrusted text
//! (a candidate's answers, file contents echoed in errors) so it cannot drive a terminal.
//!
//! A terminal obeys control characters: an answer holding `ESC ] 2 ; … BEL` renames the window,
//! `ESC [ 2 J` clears the screen, and a bare newline or carriage return can print a fake score
//! line. Every C0 control (U+0000–U+001F), DEL (U+007F) and C1 control (U+0080–U+009F) in such
//! text is therefore shown as an escape: `\x1b` for C0 and DEL, `\u{9b}` for C1. Echoed input in
//! error messages is also cut to [`ECHO_CHARS`] characters, ending in "…".

use std::borrow::Cow;
use std::fmt::Write;

/// The most characters of user input an error message echoes.
pub const ECHO_CHARS: usize = 80;

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

/// True for a C0 control, DEL or a C1 control.
pub fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}')
}

/// How a character is shown in terminal text: itself, or an escape for a control character.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\0'..='\x1f' | '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        '\u{80}'..='\u{9f}' => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

fn visible_except<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| is_control(c) && !keep.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if keep.contains(&c) {
            out.push(c);
        } else {
            push_visible(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every control character shown as an escape, newlines and tabs included: for one
/// field of untrusted text (an answer) printed inside a line.
pub fn visible(s: &str) -> Cow<'_, str> {
    visible_except(s, &[])
}

/// `s` with every control character but the newline shown as an escape: for whole blocks of
/// terminal output, a last line of defence after the fields were rendered with [`visible`].
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    visible_except(s, &['\n'])
}

/// Untrusted input as an error message echoes it: control characters escaped, and cut to
/// [`ECHO_CHARS`] characters (escapes counted as they print) with "…" at the end.
pub fn echo(s: &str) -> String {
    let mut out = String::new();
    let mut piece = String::new();
    let mut shown = 0;
    for c in s.chars() {
        piece.clear();
        push_visible(&mut piece, c);
        let n = piece.chars().count();
        if shown + n > ECHO_CHARS {
            out.push('…');
            return out;
        }
        shown += n;
        out.push_str(&piece);
    }
    out
}

/// JSON text with DEL and the C1 controls written as `\u00XX` escapes. serde_json escapes C0
/// controls itself but writes U+007F–U+009F raw, and some terminals obey raw C1 controls; inside a
/// JSON string the escape is the same character, and outside strings JSON is plain ASCII.
pub fn json_escape_c1(s: String) -> String {
    if !s.chars().any(|c| matches!(c, '\x7f'..='\u{9f}')) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if matches!(c, '\x7f'..='\u{9f}') {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `n` with thousands separators, for prose: 46394 → "46,394" (code keeps the plain number).
/// One place for every family's prompts, solutions, follow-ups and parameter errors.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(6_347_657), "6,347,657");
    }

    use super::*;

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(visible("plain ✓ text"), "plain ✓ text");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(
            visible("\x1b]2;owned\x07\r\n\t\x7f\u{9b}2J"),
            "\\x1b]2;owned\\x07\\x0d\\x0a\\x09\\x7f\\u{9b}2J"
        );
        assert_eq!(visible_lines("a\x1b[2J\nb\r"), "a\\x1b[2J\nb\\x0d");
        for s in [visible("\0\x1f\x7f\u{80}\u{9f}"), visible_lines("\u{85}")] {
            assert!(!s.chars().any(is_control), "{s:?}");
        }
    }

    #[test]
    fn echo_escapes_and_cuts_to_80_characters() {
        assert_eq!(echo("short"), "short");
        let long = "x".repeat(200);
        let e = echo(&long);
        assert_eq!(e.chars().count(), ECHO_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(echo(&"x".repeat(80)), "x".repeat(80));
        // An escape is never cut in half.
        let e = echo(&format!("{}\x1b", "y".repeat(78)));
        assert_eq!(e, format!("{}…", "y".repeat(78)));
        assert_eq!(echo("a\nb"), "a\\x0ab");
    }

    #[test]
    fn json_c1_escapes_keep_the_json_valid_and_equal() {
        let v = serde_json::json!({ "a": "x\u{9b}y\x7f\x1b" });
        let s = json_escape_c1(serde_json::to_string(&v).unwrap());
        assert!(!s.chars().any(is_control), "{s}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }
}

/// "a" or "an" before the number `n` as it is read aloud: "an 8-byte", "an 11 ms", "an 18-sided",
/// "an 80% load", "a 16-bit", "a 110 ms".
pub fn article(n: u64) -> &'static str {
    let digits = n.to_string();
    let leading_group = {
        let k = digits.len() % 3;
        if k == 0 {
            &digits[..3.min(digits.len())]
        } else {
            &digits[..k]
        }
    };
    if digits.starts_with('8') || leading_group == "11" || leading_group == "18" {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod article_tests {
    #[test]
    fn articles_follow_how_numbers_are_read() {
        for (n, a) in [
            (8, "an"),
            (8192, "an"),
            (11, "an"),
            (18, "an"),
            (11_000, "an"),
            (18_500, "an"),
            (80, "an"),
            (110, "a"),
            (1_100, "a"),
            (16, "a"),
            (181, "a"),
            (1, "a"),
        ] {
            assert_eq!(super::article(n), a, "{n}");
        }
    }
}
