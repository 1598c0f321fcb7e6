//! Grading a whole pack: `Pack` + an answers file → per-slot outcomes → a report in text, JSON or
//! HTML. This closes the loop of the pipeline for candidates checking their own answers.
//!
//! Points: a question's points are shared equally between its parts; a part earns its share times
//! the outcome's score (1 correct, the partial-credit fraction for multiple choice, 0 otherwise).
//! Every miss carries the reference answer, the grader's feedback and the question's worked
//! solution, so the report teaches rather than just counts.

use crate::answer::sheet::AnswerSheet;
use crate::answer::{grade, Expected, Outcome, PartialCredit};
use crate::content::Content;
use crate::error::Error;
use crate::pack::Pack;
use serde::Serialize;

/// The version of the JSON report layout.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The statement of the partial-credit rule, printed when a pack has a multiple-choice part.
pub const PARTIAL_RULE: &str = "multiple choice with partial credit: (right letters picked − wrong letters picked) ÷ number of right letters, never below 0";

/// How one part was graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Full marks.
    Correct,
    /// Some credit (multiple choice).
    Partial,
    /// Readable but not accepted.
    Wrong,
    /// Unreadable: the reason says why.
    Invalid,
    /// No answer given.
    Unanswered,
}

impl Status {
    /// The word printed in reports.
    pub fn word(self) -> &'static str {
        match self {
            Status::Correct => "correct",
            Status::Partial => "partial",
            Status::Wrong => "wrong",
            Status::Invalid => "invalid",
            Status::Unanswered => "unanswered",
        }
    }
}

/// One graded part.
#[derive(Debug, Clone, Serialize)]
pub struct PartReport {
    /// The label as printed: `3`, `2b`.
    pub label: String,
    /// The question number, from 1.
    pub question: usize,
    /// How it was graded.
    pub status: Status,
    /// What the candidate wrote, if anything.
    pub answer: Option<String>,
    /// The points this part is worth.
    pub points: f64,
    /// The points it earned.
    pub awarded: f64,
    /// The grader's feedback (why it is wrong or unreadable, with a hint); empty when correct.
    pub feedback: String,
    /// The reference answer; only present for a miss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The expected form ("a number, to 3 significant figures").
    pub format: String,
}

/// One question's worked solution, attached for each question with a miss.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// The question number.
    pub question: usize,
    /// The family title.
    pub title: String,
    /// The question code.
    pub code: String,
    /// The worked solution.
    pub solution: Content,
}

/// Tallies by status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Correct parts.
    pub correct: usize,
    /// Parts with partial credit.
    pub partial: usize,
    /// Wrong parts.
    pub wrong: usize,
    /// Unreadable answers.
    pub invalid: usize,
    /// Parts not answered.
    pub unanswered: usize,
}

/// A graded pack.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The pack's title.
    pub title: String,
    /// The pack code.
    pub pack_code: String,
    /// Points earned (rounded to 2 decimals).
    pub score: f64,
    /// Points available.
    pub total: u32,
    /// Tallies.
    pub counts: Counts,
    /// The partial-credit rule, when a part uses it.
    pub partial_credit: Option<&'static str>,
    /// Every part, in paper order.
    pub parts: Vec<PartReport>,
    /// Worked solutions for the questions with a miss.
    pub misses: Vec<Miss>,
}

impl Report {
    /// True when every part is correct.
    pub fn all_correct(&self) -> bool {
        self.parts.iter().all(|p| p.status == Status::Correct)
    }

    /// The score as a percentage of the total.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.score / self.total as f64
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Grades `sheet` against `pack`. Labels the pack does not have are an error (bad input).
pub fn grade_pack(pack: &Pack, sheet: &AnswerSheet) -> Result<Report, Error> {
    let parts: Vec<usize> = pack.questions.iter().map(|q| q.slots.len()).collect();
    let answers = sheet.resolve(&parts)?;
    let mut out = Vec::new();
    let mut misses = Vec::new();
    let mut counts = Counts::default();
    let mut uses_partial = false;
    for (qi, q) in pack.questions.iter().enumerate() {
        let share = q.points as f64 / q.slots.len().max(1) as f64;
        let mut missed = false;
        for (si, slot) in q.slots.iter().enumerate() {
            if let Expected::Multi {
                rule: PartialCredit::RightMinusWrong,
                ..
            } = slot.expected
            {
                uses_partial = true;
            }
            let label = format!("{}{}", qi + 1, slot.label);
            let answer = answers.get(&(qi, si)).cloned();
            let (status, score, feedback) = match answer.as_deref() {
                None | Some("") => (Status::Unanswered, 0.0, "no answer given".to_string()),
                Some(a) => match grade(&slot.expected, a) {
                    Outcome::Correct => (Status::Correct, 1.0, String::new()),
                    Outcome::Partial { score, feedback } => (Status::Partial, score, feedback),
                    Outcome::Wrong { feedback } => (Status::Wrong, 0.0, feedback),
                    Outcome::Invalid { reason, hint } => {
                        (Status::Invalid, 0.0, format!("{reason}; {hint}"))
                    }
                },
            };
            match status {
                Status::Correct => counts.correct += 1,
                Status::Partial => counts.partial += 1,
                Status::Wrong => counts.wrong += 1,
                Status::Invalid => counts.invalid += 1,
                Status::Unanswered => counts.unanswered += 1,
            }
            let miss = status != Status::Correct;
            missed |= miss;
            out.push(PartReport {
                label,
                question: qi + 1,
                status,
                answer: answer.filter(|a| !a.is_empty()),
                points: round2(share),
                awarded: round2(share * score),
                feedback,
                reference: miss.then(|| slot.expected.reference()),
                format: slot.expected.describe(),
            });
        }
        if missed {
            misses.push(Miss {
                question: qi + 1,
                title: q.title.clone(),
                code: q.code.clone(),
                solution: q.solution.clone(),
            });
        }
    }
    let score = round2(out.iter().map(|p| p.awarded).sum());
    Ok(Report {
        schema_version: REPORT_SCHEMA_VERSION,
        title: pack.meta.title.clone(),
        pack_code: pack.meta.code.clone(),
        score,
        total: pack.meta.total_points,
        counts,
        partial_credit: uses_partial.then_some(PARTIAL_RULE),
        parts: out,
        misses,
    })
}

fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The terminal report. A candidate's answers, and feedback that quotes them, are untrusted: every
/// control character in them is shown as an escape (see [`crate::text`]), so an answer cannot
/// rename the terminal, clear it or print a line of its own.
pub fn text(r: &Report) -> String {
    crate::text::visible_lines(&text_unguarded(r)).into_owned()
}

fn text_unguarded(r: &Report) -> String {
    use crate::text::{echo, visible};
    let mut s = format!("{} · pack {}\n\n", r.title, r.pack_code);
    let width = r.parts.iter().map(|p| p.label.len()).max().unwrap_or(1);
    for p in &r.parts {
        let pts = format!("{}/{}", num(p.awarded), num(p.points));
        s.push_str(&format!(
            "  {:<width$}  {:<10}  {:>9}  {}\n",
            p.label,
            p.status.word(),
            pts,
            p.answer.as_deref().map_or("—".into(), echo)
        ));
        if p.status != Status::Correct {
            s.push_str(&format!("  {:<width$}  {}\n", "", visible(&p.feedback)));
            if let Some(reference) = &p.reference {
                s.push_str(&format!(
                    "  {:<width$}  reference: {reference}  [{}]\n",
                    "", p.format
                ));
            }
        }
    }
    let c = &r.counts;
    s.push_str(&format!(
        "\nScore: {} / {} ({:.1}%) · {} correct, {} partial, {} wrong, {} invalid, {} unanswered\n",
        num(r.score),
        r.total,
        r.percent(),
        c.correct,
        c.partial,
        c.wrong,
        c.invalid,
        c.unanswered
    ));
    if let Some(rule) = r.partial_credit {
        s.push_str(&format!("Partial credit: {rule}.\n"));
    }
    if !r.misses.is_empty() {
        s.push_str("\nWorked solutions for the questions with a miss\n");
        for m in &r.misses {
            s.push_str(&format!(
                "\n── Question {} · {} · {}\n",
                m.question, m.title, m.code
            ));
            s.push_str(&m.solution.plain_text());
        }
    }
    s
}

/// The JSON report. Answers stay exactly as written (JSON escapes C0 controls); DEL and C1
/// controls, which serde_json leaves raw, are written as `\u00XX` escapes too.
pub fn json(r: &Report) -> Result<String, Error> {
    serde_json::to_string_pretty(r)
        .map(|mut s| {
            s.push('\n');
            crate::text::json_escape_c1(s)
        })
        .map_err(|e| Error::Render {
            what: "report".into(),
            message: e.to_string(),
        })
}

/// The HTML report, from `templates/html/report.html`.
pub fn html(r: &Report, t: &crate::export::Templates) -> Result<String, Error> {
    #[derive(Serialize)]
    struct View<'a> {
        r: &'a Report,
        percent: String,
        score: String,
    }
    // HTML-escaped by the template as ever; control characters, which HTML escaping leaves
    // alone, are shown as escapes so the page is safe to print to a terminal too.
    let mut shown = r.clone();
    for p in &mut shown.parts {
        if let Some(a) = &mut p.answer {
            *a = crate::text::visible(a).into_owned();
        }
        p.feedback = crate::text::visible(&p.feedback).into_owned();
    }
    t.render(
        "html/report.html",
        &View {
            r: &shown,
            percent: format!("{:.1}", r.percent()),
            score: num(r.score),
        },
    )
}
