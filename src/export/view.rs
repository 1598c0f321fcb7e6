//! The data templates receive. [`PaperView`] is built for the candidate and has no field that
//! could hold an answer; [`KeyView`] adds references, tolerances, solutions and evidence.

use crate::answer::{letter, trim_float, Expected};
use crate::content::{spans, Content, Span};
use crate::pack::{Pack, PackMeta};
use serde::Serialize;

/// A choice option as the candidate sees it.
#[derive(Debug, Serialize)]
pub struct PaperOption {
    /// A, B, …
    pub letter: char,
    /// The option text.
    pub text: Vec<Span>,
}

/// One answer box as the candidate sees it.
#[derive(Debug, Serialize)]
pub struct PaperPart {
    /// "", or a, b, … for multi-part questions.
    pub label: String,
    /// What the part asks.
    pub ask: Vec<Span>,
    /// The expected form: "a number, to 3 significant figures".
    pub format: String,
    /// The unit the answer is written in, printed beside the box ("ms"), or empty.
    pub unit: String,
    /// The options of a choice question.
    pub options: Vec<PaperOption>,
    /// True when several options may be picked (multiple choice, not single).
    pub multiple: bool,
}

/// One question as the candidate sees it.
#[derive(Debug, Serialize)]
pub struct PaperQuestion {
    /// 1-based question number.
    pub number: usize,
    /// The question code.
    pub code: String,
    /// Points.
    pub points: u32,
    /// The topic heading.
    pub topic: &'static str,
    /// Estimated minutes for a strong candidate (0 when the family declares none).
    pub minutes: u8,
    /// True when the question needs a computer (never on a paper-only pack).
    pub needs_computer: bool,
    /// The question text.
    pub prompt: Content,
    /// The answer boxes.
    pub parts: Vec<PaperPart>,
    /// Room to work under the question: the spec's `working`, or by its estimated minutes.
    pub working: crate::spec::Working,
}

/// The candidate's paper: header and questions, no answers.
#[derive(Debug, Serialize)]
pub struct PaperView {
    /// Header data.
    pub meta: PackMeta,
    /// Questions.
    pub questions: Vec<PaperQuestion>,
}

/// A choice option on the key.
#[derive(Debug, Serialize)]
pub struct KeyOption {
    /// A, B, …
    pub letter: char,
    /// The option text.
    pub text: Vec<Span>,
    /// Whether it is a right option.
    pub correct: bool,
    /// For a distractor, the misconception behind it.
    pub why_wrong: Option<Vec<Span>>,
}

/// One answer slot on the key.
#[derive(Debug, Serialize)]
pub struct KeyPart {
    /// "", or a, b, …
    pub label: String,
    /// What the part asks.
    pub ask: Vec<Span>,
    /// The expected form and tolerance.
    pub format: String,
    /// The reference answer as a candidate would write it.
    pub reference: String,
    /// The accepted range of a numeric part ("1.924 to 1.935"), or empty.
    pub accepted: String,
    /// The unit the answer is written in, or empty.
    pub unit: String,
    /// The by-hand route a strong candidate would take, and the value it gives, or empty.
    pub by_hand: String,
    /// Options, with the right ones marked.
    pub options: Vec<KeyOption>,
}

/// A follow-up for the conversation after the paper.
#[derive(Debug, Serialize)]
pub struct KeyFollowUp {
    /// What to ask.
    pub ask: Vec<Span>,
    /// The expected answer.
    pub answer: Vec<Span>,
    /// Talking points a strong answer mentions.
    pub points: Vec<Vec<Span>>,
}

/// One question on the key.
#[derive(Debug, Serialize)]
pub struct KeyQuestion {
    /// 1-based question number.
    pub number: usize,
    /// The question code.
    pub code: String,
    /// Points.
    pub points: u32,
    /// The topic heading.
    pub topic: &'static str,
    /// The family title.
    pub title: String,
    /// The family id.
    pub family: String,
    /// easy, medium or hard.
    pub difficulty: &'static str,
    /// Parameter values as `key = value` text.
    pub params: Vec<String>,
    /// Estimated minutes for a strong candidate (0 when the family declares none).
    pub minutes: u8,
    /// Skill tags.
    pub tags: Vec<String>,
    /// True when the question needs a computer.
    pub needs_computer: bool,
    /// The question text.
    pub prompt: Content,
    /// The answer slots.
    pub parts: Vec<KeyPart>,
    /// Follow-ups for the conversation after the paper.
    pub followups: Vec<KeyFollowUp>,
    /// The worked solution.
    pub solution: Content,
    /// What was run.
    pub evidence: Content,
}

/// The interviewer's key.
#[derive(Debug, Serialize)]
pub struct KeyView {
    /// Header data.
    pub meta: PackMeta,
    /// One row per part, for the summary table that opens the key.
    pub summary: Vec<MarkRow>,
    /// Questions.
    pub questions: Vec<KeyQuestion>,
    /// Points per topic, in paper order.
    pub topics: Vec<TopicPoints>,
}

/// One answer part as the marker needs it: where, what, which range, how many points.
#[derive(Debug, Serialize)]
pub struct MarkRow {
    /// The question number.
    pub question: usize,
    /// The label as the answers file writes it: "3", or "3b" for a part.
    pub label: String,
    /// The reference answer as a candidate would write it.
    pub reference: String,
    /// The accepted range of a numeric part, or empty.
    pub accepted: String,
    /// The part's points (a question's points are shared equally between its parts).
    pub points: String,
}

/// A topic's share of the paper, for subtotals.
#[derive(Debug, Serialize)]
pub struct TopicPoints {
    /// The topic heading.
    pub heading: &'static str,
    /// The points its questions are worth.
    pub points: u32,
}

/// One question on the marking sheet.
#[derive(Debug, Serialize)]
pub struct MarkQuestion {
    /// 1-based question number.
    pub number: usize,
    /// The question code.
    pub code: String,
    /// The family title.
    pub title: String,
    /// The topic heading.
    pub topic: &'static str,
    /// Points.
    pub points: u32,
    /// One row per part.
    pub rows: Vec<MarkRow>,
    /// The follow-up prompts for the conversation after the paper.
    pub followups: Vec<Vec<Span>>,
}

/// The interviewer's marking sheet: one page per candidate where it fits.
#[derive(Debug, Serialize)]
pub struct MarkingView {
    /// Header data.
    pub meta: PackMeta,
    /// Questions.
    pub questions: Vec<MarkQuestion>,
    /// Points per topic, for the subtotal grid.
    pub topics: Vec<TopicPoints>,
}

/// The marking rows of a pack's question `i` (0-based).
fn mark_rows(i: usize, q: &crate::family::Question) -> Vec<MarkRow> {
    let share = q.points as f64 / q.slots.len().max(1) as f64;
    let points = if share.fract() == 0.0 {
        format!("{share:.0}")
    } else {
        trim_float((share * 100.0).round() / 100.0)
    };
    q.slots
        .iter()
        .map(|s| MarkRow {
            question: i + 1,
            label: format!("{}{}", i + 1, s.label),
            reference: s.expected.reference(),
            accepted: s.accepted_text().unwrap_or_default(),
            points: points.clone(),
        })
        .collect()
}

/// Points per topic, topics in the order they first appear on the paper.
fn topic_points(pack: &Pack) -> Vec<TopicPoints> {
    let mut out: Vec<TopicPoints> = Vec::new();
    for q in &pack.questions {
        match out.iter_mut().find(|t| t.heading == q.topic.heading()) {
            Some(t) => t.points += q.points,
            None => out.push(TopicPoints {
                heading: q.topic.heading(),
                points: q.points,
            }),
        }
    }
    out
}

impl MarkingView {
    /// The marking sheet of a pack.
    pub fn of(pack: &Pack) -> MarkingView {
        MarkingView {
            meta: pack.meta.clone(),
            questions: pack
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| MarkQuestion {
                    number: i + 1,
                    code: q.code.clone(),
                    title: q.title.clone(),
                    topic: q.topic.heading(),
                    points: q.points,
                    rows: mark_rows(i, q),
                    followups: q.followups.iter().map(|f| spans(&f.ask)).collect(),
                })
                .collect(),
            topics: topic_points(pack),
        }
    }
}

fn paper_options(e: &Expected) -> Vec<PaperOption> {
    e.options()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, o)| PaperOption {
            letter: letter(i),
            text: spans(&o.text),
        })
        .collect()
}

fn key_options(e: &Expected) -> Vec<KeyOption> {
    let right = |i: usize| match e {
        Expected::Choice { correct, .. } => *correct == i,
        Expected::Multi { correct, .. } => correct.contains(&i),
        _ => false,
    };
    e.options()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, o)| KeyOption {
            letter: letter(i),
            text: spans(&o.text),
            correct: right(i),
            why_wrong: o.why_wrong.as_deref().map(spans),
        })
        .collect()
}

impl PaperView {
    /// The paper view of a pack.
    pub fn of(pack: &Pack) -> PaperView {
        PaperView {
            meta: pack.meta.clone(),
            questions: pack
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| PaperQuestion {
                    number: i + 1,
                    code: q.code.clone(),
                    points: q.points,
                    topic: q.topic.heading(),
                    minutes: q.minutes,
                    needs_computer: q.needs_computer,
                    prompt: q.prompt.clone(),
                    parts: q
                        .slots
                        .iter()
                        .map(|s| PaperPart {
                            label: s.label.clone(),
                            ask: spans(&s.ask),
                            format: s.describe(),
                            unit: s.unit.clone(),
                            options: paper_options(&s.expected),
                            multiple: matches!(s.expected, Expected::Multi { .. }),
                        })
                        .collect(),
                    working: pack
                        .meta
                        .working
                        .unwrap_or_else(|| crate::spec::Working::for_minutes(q.minutes)),
                })
                .collect(),
        }
    }
}

impl KeyView {
    /// The key view of a pack.
    pub fn of(pack: &Pack) -> KeyView {
        KeyView {
            meta: pack.meta.clone(),
            summary: pack
                .questions
                .iter()
                .enumerate()
                .flat_map(|(i, q)| mark_rows(i, q))
                .collect(),
            topics: topic_points(pack),
            questions: pack
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| KeyQuestion {
                    number: i + 1,
                    code: q.code.clone(),
                    points: q.points,
                    topic: q.topic.heading(),
                    title: q.title.clone(),
                    family: q.family.clone(),
                    difficulty: q.difficulty.id(),
                    params: q.params.iter().map(|(k, v)| format!("{k} = {v}")).collect(),
                    minutes: q.minutes,
                    tags: q.tags.clone(),
                    needs_computer: q.needs_computer,
                    prompt: q.prompt.clone(),
                    parts: q
                        .slots
                        .iter()
                        .map(|s| KeyPart {
                            label: s.label.clone(),
                            ask: spans(&s.ask),
                            format: s.describe(),
                            reference: s.expected.reference(),
                            accepted: s.accepted_text().unwrap_or_default(),
                            unit: s.unit.clone(),
                            by_hand: s
                                .hand
                                .as_ref()
                                .map(|h| format!("{} gives {}", h.method, trim_float(h.value)))
                                .unwrap_or_default(),
                            options: key_options(&s.expected),
                        })
                        .collect(),
                    followups: q
                        .followups
                        .iter()
                        .map(|f| KeyFollowUp {
                            ask: spans(&f.ask),
                            answer: spans(&f.answer),
                            points: f.points.iter().map(|p| spans(p)).collect(),
                        })
                        .collect(),
                    solution: q.solution.clone(),
                    evidence: q.evidence.clone(),
                })
                .collect(),
        }
    }
}
