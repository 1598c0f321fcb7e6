//! Results across candidates (`groundwork grade`): every candidate's graded answers side by side,
//! per-topic subtotals, and item statistics ([`stats`]) that show which questions separate strong
//! candidates from weak ones.
//!
//! This module is pure: [`Round::build`] takes each candidate's pack and graded report (made by
//! [`crate::report::grade_pack`], so a total here is exactly what `groundwork check` gives), and
//! the renderers turn the round into `scores.csv`, `items.csv`, `results.json` and `report.html`
//! bytes. Reading the batch and the answers files, and writing, is `cmd/grade.rs`'s job.
//!
//! Items are answer slots, identified by their label (`3`, `2b`): with a batch's default
//! `vary = "numbers"`, slot `2b` is the same family for everyone, so its figures compare. The
//! statistics use the candidates whose answers were graded; missing and unreadable ones are
//! listed but not counted. An invalid or unanswered part counts as 0 points, as in `check`.

pub mod stats;
pub mod svg;

use crate::answer::grade::parse_letters;
use crate::answer::letter;
use crate::error::Error;
use crate::pack::Pack;
use crate::report::{Report, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of `results.json`'s layout.
pub const RESULTS_SCHEMA_VERSION: u32 = 1;

/// Flag an item whose point-biserial discrimination is below this.
pub const LOW_DISCRIMINATION: f64 = 0.2;
/// Flag an item whose facility is outside this range (too hard below, too easy above).
pub const FACILITY_RANGE: (f64, f64) = (0.2, 0.9);

/// What became of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Their answers file was graded.
    Graded,
    /// No answers file: listed, not graded, not counted in the statistics.
    Missing,
    /// An answers (or marks) file that could not be read as a whole (JSON that does not parse,
    /// not UTF-8): listed with the reason, not counted.
    Unreadable,
}

impl Standing {
    /// The word shown in the outputs.
    pub fn word(self) -> &'static str {
        match self {
            Standing::Graded => "graded",
            Standing::Missing => "missing",
            Standing::Unreadable => "unreadable",
        }
    }
}

/// One graded part of one candidate.
#[derive(Debug, Clone, Serialize)]
pub struct PartScore {
    /// Points earned (after marks by hand).
    pub awarded: f64,
    /// Points available.
    pub points: f64,
    /// How it was graded.
    pub status: Status,
}

/// One candidate's line in the results.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateResult {
    /// The id from the batch's manifest.
    pub id: String,
    /// The name from the candidates file ("" when there was none).
    pub name: String,
    /// The pack code of their variant.
    pub pack_code: String,
    /// Graded, missing or unreadable.
    pub standing: Standing,
    /// The answers file graded (or refused), relative to the answers folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers_file: Option<String>,
    /// The score (points), when graded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Points available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// The score as a percentage of the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Points earned per topic (topic id → points), when graded.
    pub topics: BTreeMap<String, f64>,
    /// Points available per topic.
    pub topic_points: BTreeMap<String, f64>,
    /// Each part by label.
    pub parts: BTreeMap<String, PartScore>,
    /// Why the file could not be read, or the lines of it that could not be graded (each also
    /// marks its part invalid or is a note, as in `check`).
    pub problems: Vec<String>,
}

/// The statistics of one item (answer slot).
#[derive(Debug, Clone, Serialize)]
pub struct ItemStats {
    /// The label: `3`, `2b`.
    pub label: String,
    /// The question number.
    pub question: usize,
    /// The family id, or the ids joined with `|` when candidates had different families.
    pub family: String,
    /// The topic id (of the first candidate graded on it).
    pub topic: String,
    /// Points the slot is worth (the most any candidate's slot was worth).
    pub points: f64,
    /// The least any candidate's slot was worth: below `points` when the label's worth varies
    /// (a family whose number of parts varies, or `vary = "families"`). Facility and the indices
    /// then use each candidate's share of their own part's points.
    pub points_min: f64,
    /// Candidates graded on it.
    pub n: usize,
    /// Mean score ÷ points.
    pub facility: Option<f64>,
    /// Point-biserial correlation with the rest-score.
    pub discrimination: Option<f64>,
    /// Upper-minus-lower 27% index.
    pub upper_lower: Option<f64>,
    /// For choice questions: the share of candidates picking each option, by letter, among the
    /// candidates for whom the part was a choice question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<OptionShares>,
    /// The share of candidates whose answer was invalid.
    pub invalid: f64,
    /// The share who left it unanswered.
    pub unanswered: f64,
    /// Why the item is flagged ("discrimination below 0.2", …); empty when it is fine.
    pub flags: Vec<String>,
}

impl ItemStats {
    /// The points as shown: `2.5`, or `1–1.25` when candidates' parts were worth different points.
    pub fn points_text(&self) -> String {
        if self.points_min < self.points {
            format!("{}–{}", num(self.points_min), num(self.points))
        } else {
            num(self.points)
        }
    }
}

/// A graded round.
#[derive(Debug, Clone, Serialize)]
pub struct Round {
    /// [`RESULTS_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The batch's title.
    pub title: String,
    /// Every candidate of the manifest, in its order.
    pub candidates: Vec<CandidateResult>,
    /// The topics seen, in the order of the papers.
    pub topics: Vec<String>,
    /// One entry per answer slot, in paper order.
    pub items: Vec<ItemStats>,
    /// The statement of the 27% groups and tie rule, for readers of the JSON.
    pub method: &'static str,
}

/// How the statistics are computed, stated in the outputs.
pub const METHOD: &str = "facility = mean points ÷ points; discrimination = Pearson (point-biserial) correlation of the item's points with the rest-score (total minus the item), over graded candidates; upper-lower = facility in the top 27% by total minus facility in the bottom 27%, each group round(0.27·N) candidates (at least 1), candidates tied on the edge of a group sharing its places left equally";

/// One candidate as `cmd/grade.rs` hands it over.
pub struct Sitting<'a> {
    /// Id, name and pack code from the manifest.
    pub id: String,
    /// The name column.
    pub name: String,
    /// The pack code.
    pub pack_code: String,
    /// What came of their answers: none, or the file and its graded report with its pack, or
    /// the file and why it could not be read.
    pub answers: Answers<'a>,
}

/// A candidate's answers, as found.
pub enum Answers<'a> {
    /// No answers file.
    Missing,
    /// Graded: the file name, the pack and the report.
    Graded(String, &'a Pack, Report),
    /// The file name and why it could not be read.
    Unreadable(String, String),
}

/// A choice part on one candidate's paper: its options' texts and the letters picked.
struct Choices {
    texts: Vec<String>,
    picked: Vec<usize>,
}

/// The share of candidates picking each option of a choice part, among those for whom it was a
/// choice question. When every paper has the same options (in any order), an option is counted
/// by its text and reported under its letter on the first graded paper; otherwise by letter.
fn option_shares(rows: &[(usize, f64, f64, Status, Option<Choices>)], k: usize) -> OptionShares {
    let asked: Vec<&Choices> = rows.iter().filter_map(|r| r.4.as_ref()).collect();
    let n = asked.len().max(1) as f64;
    let first = asked.first().map(|c| c.texts.clone()).unwrap_or_default();
    let mut sorted_first = first.clone();
    sorted_first.sort();
    let same = asked.iter().all(|c| {
        let mut t = c.texts.clone();
        t.sort();
        t == sorted_first
    });
    let shares = (0..k)
        .map(|i| {
            let picked = asked
                .iter()
                .filter(|c| {
                    if same {
                        c.picked.iter().any(|&p| c.texts.get(p) == first.get(i))
                    } else {
                        c.picked.contains(&i)
                    }
                })
                .count();
            (letter(i).to_string(), picked as f64 / n)
        })
        .collect();
    OptionShares {
        asked: asked.len(),
        by: if same { "option" } else { "letter" },
        shares,
    }
}

/// The options picked on a choice part.
#[derive(Debug, Clone, Serialize)]
pub struct OptionShares {
    /// The candidates for whom the part was a choice question (the shares' denominator).
    pub asked: usize,
    /// `option` when every paper had the same options (counted by option, under the letters of
    /// the first graded paper), `letter` when the options differ between papers (by letter).
    pub by: &'static str,
    /// The share picking each option, by letter.
    pub shares: Vec<(String, f64)>,
}

/// A slot's key in paper order: question number, then the label.
type SlotKey = (usize, String);

impl Round {
    /// Puts the candidates side by side and computes the item statistics.
    pub fn build(title: &str, sittings: Vec<Sitting>) -> Round {
        let mut topics: Vec<String> = Vec::new();
        let mut candidates = Vec::new();
        // Per slot: its facts, and each graded candidate's (index, awarded, status, picks).
        struct Slot {
            families: Vec<String>,
            topic: String,
            points: (f64, f64),
            options: Option<usize>,
            rows: Vec<(usize, f64, f64, Status, Option<Choices>)>,
        }
        let mut slots: BTreeMap<SlotKey, Slot> = BTreeMap::new();
        for s in sittings {
            let mut c = CandidateResult {
                id: s.id,
                name: s.name,
                pack_code: s.pack_code,
                standing: Standing::Missing,
                answers_file: None,
                score: None,
                total: None,
                percent: None,
                topics: BTreeMap::new(),
                topic_points: BTreeMap::new(),
                parts: BTreeMap::new(),
                problems: Vec::new(),
            };
            match s.answers {
                Answers::Missing => {}
                Answers::Unreadable(file, why) => {
                    c.standing = Standing::Unreadable;
                    c.answers_file = Some(file);
                    c.problems.push(why);
                }
                Answers::Graded(file, pack, r) => {
                    c.standing = Standing::Graded;
                    c.answers_file = Some(file);
                    c.score = Some(r.score);
                    c.total = Some(r.total);
                    c.percent = Some((r.percent() * 10.0).round() / 10.0);
                    c.problems.extend(r.notes.iter().cloned());
                    let slot_index = |p: &crate::report::PartReport| -> usize {
                        // A part's index within its question, from its label's letter.
                        p.label
                            .chars()
                            .last()
                            .filter(|ch| ch.is_ascii_lowercase())
                            .map_or(0, |ch| (ch as u8 - b'a') as usize)
                    };
                    for p in &r.parts {
                        let Some(q) = pack.questions.get(p.question - 1) else {
                            continue;
                        };
                        let topic = q.topic.id().to_string();
                        if !topics.contains(&topic) {
                            topics.push(topic.clone());
                        }
                        *c.topics.entry(topic.clone()).or_default() += p.awarded;
                        *c.topic_points.entry(topic.clone()).or_default() += p.points;
                        c.parts.insert(
                            p.label.clone(),
                            PartScore {
                                awarded: p.awarded,
                                points: p.points,
                                status: p.status,
                            },
                        );
                        if p.status == Status::Invalid && p.manual.is_none() {
                            c.problems.push(format!("{}: {}", p.label, p.feedback));
                        }
                        let expected = q.slots.get(slot_index(p)).map(|s| &s.expected);
                        let options = expected.and_then(|e| e.options());
                        let n_options = options.map(<[_]>::len);
                        // The options and the letters picked, for a part that is a choice
                        // question on this candidate's paper (a family's ask can differ).
                        let picks = options.map(|o| Choices {
                            texts: o.iter().map(|x| x.text.clone()).collect(),
                            picked: match (&p.answer, p.status) {
                                (Some(a), Status::Correct | Status::Partial | Status::Wrong) => {
                                    parse_letters(a, o.len()).unwrap_or_default()
                                }
                                _ => Vec::new(),
                            },
                        });
                        let slot = slots.entry((p.question, p.label.clone())).or_insert(Slot {
                            families: Vec::new(),
                            topic,
                            points: (f64::INFINITY, 0.0),
                            options: None,
                            rows: Vec::new(),
                        });
                        if !slot.families.contains(&q.family) {
                            slot.families.push(q.family.clone());
                        }
                        slot.points = (slot.points.0.min(p.points), slot.points.1.max(p.points));
                        slot.options = slot.options.max(n_options);
                        slot.rows
                            .push((candidates.len(), p.awarded, p.points, p.status, picks));
                    }
                }
            }
            candidates.push(c);
        }
        let items = slots
            .into_iter()
            .map(|((question, label), s)| {
                let totals: Vec<f64> = s
                    .rows
                    .iter()
                    .map(|r| candidates[r.0].score.unwrap_or(0.0))
                    .collect();
                // Each candidate's share of the part's points: with `vary = "families"` (or a
                // family whose number of parts varies) the same label can be worth different
                // points to different candidates. The rest-score is in points.
                let item: Vec<f64> = s
                    .rows
                    .iter()
                    .map(|r| if r.2 > 0.0 { r.1 / r.2 } else { 0.0 })
                    .collect();
                let rest_totals: Vec<f64> = s
                    .rows
                    .iter()
                    .zip(&totals)
                    .map(|(r, t)| t - r.1 + if r.2 > 0.0 { r.1 / r.2 } else { 0.0 })
                    .collect();
                let n = s.rows.len();
                let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
                let count = |st: Status| s.rows.iter().filter(|r| r.3 == st).count();
                let facility = stats::facility(&item, 1.0);
                let discrimination = stats::point_biserial(&item, &rest_totals);
                let mut flags = Vec::new();
                if let Some(d) = discrimination.filter(|d| *d < LOW_DISCRIMINATION) {
                    flags.push(format!(
                        "discrimination {d:.3} is below {LOW_DISCRIMINATION}"
                    ));
                }
                if let Some(f) = facility {
                    if f < FACILITY_RANGE.0 {
                        flags.push(format!(
                            "facility {f:.3} is below {} (hard)",
                            FACILITY_RANGE.0
                        ));
                    } else if f > FACILITY_RANGE.1 {
                        flags.push(format!(
                            "facility {f:.3} is above {} (easy)",
                            FACILITY_RANGE.1
                        ));
                    }
                }
                ItemStats {
                    label,
                    question,
                    family: s.families.join("|"),
                    topic: s.topic,
                    points: s.points.1,
                    points_min: s.points.0,
                    n,
                    facility,
                    discrimination,
                    upper_lower: stats::upper_lower(&item, &totals, 1.0),
                    options: s.options.map(|k| option_shares(&s.rows, k)),
                    invalid: share(count(Status::Invalid)),
                    unanswered: share(count(Status::Unanswered)),
                    flags,
                }
            })
            .collect();
        Round {
            schema_version: RESULTS_SCHEMA_VERSION,
            title: title.to_string(),
            candidates,
            topics,
            items,
            method: METHOD,
        }
    }

    /// The candidates whose answers were graded.
    pub fn graded(&self) -> impl Iterator<Item = &CandidateResult> {
        self.candidates
            .iter()
            .filter(|c| c.standing == Standing::Graded)
    }

    /// `scores.csv`: one row per candidate of the manifest.
    pub fn scores_csv(&self) -> Result<Vec<u8>, Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head: Vec<String> = ["id", "name", "total", "percentage"]
            .map(String::from)
            .to_vec();
        head.extend(self.topics.iter().cloned());
        head.extend(self.items.iter().map(|i| format!("q{}", i.label)));
        head.extend(["out_of", "status", "answers_file", "problems"].map(String::from));
        let mut rows = vec![head];
        for c in &self.candidates {
            let mut row = vec![
                csv_text(&c.id),
                csv_text(&c.name),
                c.score.map_or(String::new(), num),
                c.percent.map_or(String::new(), |p| format!("{p:.1}")),
            ];
            row.extend(
                self.topics
                    .iter()
                    .map(|t| c.topics.get(t).map_or(String::new(), |x| num(*x))),
            );
            row.extend(self.items.iter().map(|i| {
                c.parts
                    .get(&i.label)
                    .map_or(String::new(), |p| num(p.awarded))
            }));
            row.push(c.total.map_or(String::new(), |t| t.to_string()));
            row.push(c.standing.word().to_string());
            row.push(c.answers_file.as_deref().map_or(String::new(), csv_text));
            row.push(csv_text(&c.problems.join(" | ")));
            rows.push(row);
        }
        for r in rows {
            w.write_record(&r).map_err(csv_err)?;
        }
        w.into_inner().map_err(|e| csv_err(e.into_error().into()))
    }

    /// `items.csv`: one row per answer slot.
    pub fn items_csv(&self) -> Result<Vec<u8>, Error> {
        let letters = self
            .items
            .iter()
            .filter_map(|i| i.options.as_ref().map(|o| o.shares.len()))
            .max()
            .unwrap_or(0);
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head: Vec<String> = [
            "question",
            "label",
            "family",
            "topic",
            "points",
            "n",
            "facility",
            "discrimination",
            "upper_lower_27",
        ]
        .map(String::from)
        .to_vec();
        head.extend(["options_by", "options_asked"].map(String::from));
        head.extend((0..letters).map(|i| format!("option_{}", letter(i))));
        head.extend(["invalid", "unanswered", "flags"].map(String::from));
        w.write_record(&head).map_err(csv_err)?;
        for i in &self.items {
            let f3 = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.3}"));
            let mut row = vec![
                i.question.to_string(),
                i.label.clone(),
                i.family.clone(),
                i.topic.clone(),
                i.points_text(),
                i.n.to_string(),
                f3(i.facility),
                f3(i.discrimination),
                f3(i.upper_lower),
            ];
            row.push(
                i.options
                    .as_ref()
                    .map_or(String::new(), |o| o.by.to_string()),
            );
            row.push(
                i.options
                    .as_ref()
                    .map_or(String::new(), |o| o.asked.to_string()),
            );
            for k in 0..letters {
                row.push(
                    i.options
                        .as_ref()
                        .and_then(|o| o.shares.get(k))
                        .map_or(String::new(), |(_, s)| format!("{s:.3}")),
                );
            }
            row.push(format!("{:.3}", i.invalid));
            row.push(format!("{:.3}", i.unanswered));
            row.push(i.flags.join("; "));
            w.write_record(&row).map_err(csv_err)?;
        }
        w.into_inner().map_err(|e| csv_err(e.into_error().into()))
    }

    /// `results.json`: the round as data.
    pub fn json(&self) -> Result<Vec<u8>, Error> {
        let mut s = serde_json::to_string_pretty(self).map_err(|e| Error::Render {
            what: "results.json".into(),
            message: e.to_string(),
        })?;
        s.push('\n');
        Ok(crate::text::json_escape_c1(s).into_bytes())
    }

    /// `report.html`, from `templates/html/grade.html`: the scores table, a histogram of totals,
    /// a per-topic profile per candidate, and the item table with its flags. The plots are SVG
    /// in the page; the only script sorts tables when a header is clicked.
    pub fn html(&self, t: &crate::export::Templates) -> Result<Vec<u8>, Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            c: &'a CandidateResult,
            score: String,
            percent: String,
            topics: Vec<String>,
            parts: Vec<String>,
            profile: String,
        }
        #[derive(Serialize)]
        struct Item<'a> {
            i: &'a ItemStats,
            points: String,
            facility: String,
            discrimination: String,
            upper_lower: String,
            options: String,
            invalid: String,
            unanswered: String,
        }
        #[derive(Serialize)]
        struct View<'a> {
            r: &'a Round,
            graded: usize,
            problem_count: usize,
            missing: usize,
            unreadable: usize,
            mean: String,
            histogram: String,
            rows: Vec<Row<'a>>,
            items: Vec<Item<'a>>,
            low_discrimination: f64,
            facility_lo: f64,
            facility_hi: f64,
        }
        let totals: Vec<f64> = self.graded().filter_map(|c| c.score).collect();
        let max = self.graded().filter_map(|c| c.total).max().unwrap_or(0) as f64;
        // Bins of a round width (1, 2, 2.5, 5, … points), at most 15 of them.
        let width = [0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0]
            .into_iter()
            .find(|w| max / w <= 15.0)
            .unwrap_or(max / 15.0)
            .max(f64::MIN_POSITIVE);
        let nbins = ((max / width).ceil() as usize).max(1);
        let max = nbins as f64 * width;
        let f2 = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.2}"));
        let rows = self
            .candidates
            .iter()
            .map(|c| Row {
                c,
                score: c.score.map_or("—".into(), num),
                percent: c.percent.map_or("—".into(), |p| format!("{p:.1}")),
                topics: self
                    .topics
                    .iter()
                    .map(|t| c.topics.get(t).map_or("—".into(), |x| num(*x)))
                    .collect(),
                parts: self
                    .items
                    .iter()
                    .map(|i| c.parts.get(&i.label).map_or("—".into(), |p| num(p.awarded)))
                    .collect(),
                profile: if c.standing == Standing::Graded {
                    svg::share_bars(
                        &self
                            .topics
                            .iter()
                            .filter_map(|t| {
                                let possible = *c.topic_points.get(t)?;
                                let got = c.topics.get(t).copied().unwrap_or(0.0);
                                (possible > 0.0).then(|| (t.clone(), got / possible))
                            })
                            .collect::<Vec<_>>(),
                        &format!("{}: share of points per topic", c.id),
                    )
                } else {
                    String::new()
                },
            })
            .collect();
        let items = self
            .items
            .iter()
            .map(|i| Item {
                i,
                points: i.points_text(),
                facility: f2(i.facility),
                discrimination: f2(i.discrimination),
                upper_lower: f2(i.upper_lower),
                options: i.options.as_ref().map_or(String::new(), |o| {
                    let shares = o
                        .shares
                        .iter()
                        .map(|(l, s)| format!("{l} {:.0}%", s * 100.0))
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let whose = if o.asked < i.n {
                        format!(" (of {} with it as a choice)", o.asked)
                    } else {
                        String::new()
                    };
                    if o.by == "letter" {
                        format!("{shares}{whose}; by letter: the options differ between papers")
                    } else {
                        format!("{shares}{whose}")
                    }
                }),
                invalid: format!("{:.0}%", i.invalid * 100.0),
                unanswered: format!("{:.0}%", i.unanswered * 100.0),
            })
            .collect();
        let count = |s: Standing| self.candidates.iter().filter(|c| c.standing == s).count();
        let view = View {
            r: self,
            graded: count(Standing::Graded),
            problem_count: self.candidates.iter().map(|c| c.problems.len()).sum(),
            missing: count(Standing::Missing),
            unreadable: count(Standing::Unreadable),
            mean: if totals.is_empty() {
                "—".into()
            } else {
                format!("{:.1}", totals.iter().sum::<f64>() / totals.len() as f64)
            },
            histogram: svg::histogram(&totals, max, nbins, "Histogram of totals"),
            rows,
            items,
            low_discrimination: LOW_DISCRIMINATION,
            facility_lo: FACILITY_RANGE.0,
            facility_hi: FACILITY_RANGE.1,
        };
        Ok(t.render("html/grade.html", &view)?.into_bytes())
    }
}

/// A number as the outputs print points: at most two decimals, no trailing zeros.
fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Text from the candidates file or an answers file, safe in a spreadsheet: control characters
/// shown as escapes, and a leading `=`, `+`, `-` or `@` (which a spreadsheet would run as a
/// formula) prefixed with `'`.
fn csv_text(s: &str) -> String {
    let v = crate::text::visible(s).into_owned();
    if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v
    }
}

fn csv_err(e: csv::Error) -> Error {
    Error::Render {
        what: "a CSV file".into(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(texts: &[&str], picked: &[usize]) -> (usize, f64, f64, Status, Option<Choices>) {
        let c = Choices {
            texts: texts.iter().map(|t| t.to_string()).collect(),
            picked: picked.to_vec(),
        };
        (0, 0.0, 1.0, Status::Wrong, Some(c))
    }

    #[test]
    fn options_are_counted_by_text_when_papers_share_them_else_by_letter() {
        // The same three options, shuffled on the second paper: both picked "x".
        let rows = [row(&["x", "y", "z"], &[0]), row(&["z", "x", "y"], &[1])];
        let o = option_shares(&rows, 3);
        assert_eq!(o.by, "option");
        assert_eq!(o.shares[0], ("A".to_string(), 1.0));
        assert_eq!(o.shares[2].1, 0.0);
        // Different options: by letter.
        let rows = [row(&["x", "y"], &[0]), row(&["u", "v"], &[1])];
        let o = option_shares(&rows, 2);
        assert_eq!(o.by, "letter");
        assert_eq!(o.shares, [("A".to_string(), 0.5), ("B".to_string(), 0.5)]);
    }
}
