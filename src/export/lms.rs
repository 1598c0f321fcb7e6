//! What the Moodle XML and GIFT exporters share: numbers as LMSs read them, question text as
//! HTML from the HTML pack's macros, the accepted spellings of a text answer, grade weights for
//! multiple-answer questions, and the grouping of questions into one category per family.

use super::Templates;
use crate::answer::{Expected, Normalisation, PartialCredit};
use crate::content::{spans, Content};
use crate::error::Error;
use crate::family::Question;
use crate::pack::Pack;
use serde_json::json;
use std::collections::BTreeMap;

/// The category a family's questions go into.
pub fn category(family: &str) -> String {
    format!("$course$/top/groundwork/{family}")
}

/// A number as an LMS reads it: plain decimal, no exponent.
pub fn num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.12}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Content blocks as HTML, through `moodle/fragment.html` (the HTML pack's macros).
pub fn html_blocks(t: &Templates, c: &Content) -> Result<String, Error> {
    Ok(
        t.render("moodle/fragment.html", &json!({ "blocks": c, "spans": [] }))?
            .trim()
            .to_string(),
    )
}

/// Inline markup as HTML.
pub fn html_inline(t: &Templates, text: &str) -> Result<String, Error> {
    Ok(t.render(
        "moodle/fragment.html",
        &json!({ "blocks": [], "spans": spans(text) }),
    )?
    .trim()
    .to_string())
}

/// Every spelling accepted for a text-like answer, reference first, without repeats.
pub fn spellings(e: &Expected) -> Vec<String> {
    let mut v = match e {
        Expected::Text {
            value,
            accepted,
            normalisation,
        } => {
            let mut v = vec![value.clone()];
            v.extend(accepted.iter().cloned());
            if *normalisation == Normalisation::Errno && value == "OK" {
                v.push("0".into());
            }
            v
        }
        Expected::Sequence { values, .. } => vec![values.join(", "), values.join(",")],
        other => vec![other.reference()],
    };
    let mut seen = Vec::new();
    v.retain(|s| {
        let new = !seen.contains(s);
        seen.push(s.clone());
        new
    });
    v
}

/// The grade weight (percent) of one option of a multiple-answer question with `k` right
/// options: +100/k for a right one; for a wrong one −100/k under right-minus-wrong (the total is
/// floored at 0 by the LMS, as by our grader), or −100 for all-or-nothing, which has no exact LMS
/// form and comes closest that way. 100/k is rounded to 5 decimals, the values Moodle accepts.
pub fn weight(right: bool, k: usize, rule: PartialCredit) -> String {
    let w = num((100.0 / k.max(1) as f64 * 1e5).round() / 1e5);
    match (right, rule) {
        (true, _) => w,
        (false, PartialCredit::RightMinusWrong) => format!("-{w}"),
        (false, PartialCredit::AllOrNothing) => "-100".into(),
    }
}

/// The questions of `packs` by family (in family order), each with its number in its pack.
pub fn by_family<'a>(packs: &[&'a Pack]) -> BTreeMap<&'a str, Vec<(usize, &'a Question)>> {
    let mut out: BTreeMap<&str, Vec<(usize, &Question)>> = BTreeMap::new();
    for p in packs {
        for (i, q) in p.questions.iter().enumerate() {
            out.entry(q.family.as_str()).or_default().push((i + 1, q));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_values_moodle_accepts() {
        let rmw = PartialCredit::RightMinusWrong;
        assert_eq!(weight(true, 1, rmw), "100");
        assert_eq!(weight(true, 3, rmw), "33.33333");
        assert_eq!(weight(false, 6, rmw), "-16.66667");
        assert_eq!(weight(true, 8, rmw), "12.5");
        assert_eq!(weight(false, 2, PartialCredit::AllOrNothing), "-100");
    }

    #[test]
    fn spellings_list_each_accepted_answer_once() {
        let e = Expected::Sequence {
            values: vec!["1".into()],
            normalisation: Normalisation::Integer,
        };
        assert_eq!(spellings(&e), ["1"]);
        assert_eq!(spellings(&Expected::errno("OK")), ["OK", "0"]);
    }
}
