//! Reading the files a user hands groundwork: specs, answers, candidate lists, pack.json, key files
//! and template overrides. Every one goes through [`read_text`] (or [`read_stdin`]), which
//!
//! - reads at most [`MAX_INPUT_BYTES`] (16 MiB) and refuses a larger file by name, so a wrong path
//!   such as `/dev/zero` or a huge log is an error, not a process that grows without end;
//! - refuses text that is not UTF-8, naming the line, instead of a vague I/O error;
//! - drops a UTF-8 byte-order mark at the start, which Notepad and PowerShell 5 write.

use crate::error::Error;
use std::io::Read;
use std::path::Path;

/// The largest input file groundwork reads: far above any real spec, answers file, pack.json or
/// candidate list (a million candidates fit), far below what would exhaust memory.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// The byte-order mark some Windows editors put at the start of UTF-8 files.
const BOM: &str = "\u{feff}";

/// Reads the text file at `path`; `what` names it in errors ("the spec", "the answers file").
pub fn read_text(path: &Path, what: &str) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let bytes = read_bounded(file, path, what)?;
    decode(bytes, &path.display().to_string(), what)
}

/// Reads standard input as text, with the same limits as a file.
pub fn read_stdin(what: &str) -> Result<String, Error> {
    let stdin = Path::new("<stdin>");
    let bytes = read_bounded(std::io::stdin().lock(), stdin, what)?;
    decode(bytes, "<stdin>", what)
}

/// Reads at most [`MAX_INPUT_BYTES`] from `r`: one byte more tells a file that is too large.
fn read_bounded(r: impl Read, origin: &Path, what: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    r.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("reading", origin, e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(&origin.display().to_string(), what));
    }
    Ok(bytes)
}

/// The error for an input past [`MAX_INPUT_BYTES`].
pub fn too_large(origin: &str, what: &str) -> Error {
    Error::Spec {
        at: origin.to_string(),
        message: format!(
            "{what} is larger than {} MiB, the most groundwork reads",
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
        hint: "check that this is the right file".into(),
    }
}

/// Bytes as text: UTF-8 (else an error naming the line), without a leading byte-order mark.
pub fn decode(bytes: Vec<u8>, origin: &str, what: &str) -> Result<String, Error> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        Error::Spec {
            at: format!("{origin}:{line}"),
            message: format!("{what} is not UTF-8 text"),
            hint: "save it as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")"
                .into(),
        }
    })?;
    Ok(match text.strip_prefix(BOM) {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_are_dropped_and_bad_utf8_names_the_line() {
        assert_eq!(
            decode(b"\xef\xbb\xbfid\n".to_vec(), "f", "x").unwrap(),
            "id\n"
        );
        assert_eq!(decode(b"plain".to_vec(), "f", "x").unwrap(), "plain");
        let e = decode(b"a\nb\n\xff\n".to_vec(), "f.txt", "the list").unwrap_err();
        assert_eq!(e.to_string(), "f.txt:3: the list is not UTF-8 text");
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let endless = std::io::repeat(b'x');
        let e = read_bounded(endless, Path::new("/dev/zero"), "the spec").unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero: the spec is larger than 16 MiB, the most groundwork reads"
        );
        let ok = read_bounded(&b"small"[..], Path::new("f"), "x").unwrap();
        assert_eq!(ok, b"small");
    }
}
