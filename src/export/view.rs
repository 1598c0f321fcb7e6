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
    /// Questions.
    pub questions: Vec<KeyQuestion>,
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
