//! `systems.isolation`: what two or three interleaved transactions do under read committed,
//! snapshot isolation and serializable (two-phase locking).
//!
//! **Asked** (`ask`):
//! - `anomaly`: under a stated level, which anomaly the schedule shows (lost update, write skew,
//!   non-repeatable read, phantom, read skew, or none);
//! - `weakest` (judgment): the weakest of the three levels under which the schedule shows no
//!   anomaly;
//! - `outcome`: under a stated level, the final value of the counter (lost update) or the number
//!   of doctors left on call (write skew).
//!
//! **Parameters.** `schedule`: lost_update, write_skew, non_repeatable, phantom or read_skew,
//! its statements merged in a random order that keeps each transaction's own order; `level`:
//! rc, si or ser; `txns` (lost_update, hard): 2 or 3 transactions.
//!
//! **Key.** The schedule is run through the in-memory models of [`super::txn`] (locks, waits,
//! snapshots, first-committer-wins, deadlock detection) and the anomalies are read off what the
//! clients observed.
//!
//! **Second route.** The dependency graph of the same run (Adya's ww, wr and rw edges between
//! committed transactions): an anomaly must appear exactly when the graph has a cycle, and
//! serial replays of the committed transactions must reproduce the run exactly when there is
//! none. (Running the same schedules on a real PostgreSQL server, Hermitage-style, is on branch
//! `i20-engines-wip`, not yet part of the suite.)
//!
//! **Pitfalls**: read committed prevents lost updates because writes lock rows (the reads came
//! first); snapshot isolation is serializable (write skew); a phantom needs a predicate, not a row.

use super::txn::{anomalies, has_cycle, run, serial_replay_matches, Anomaly, Level, Op, Run, Schedule};
use crate::answer::{AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Isolation;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "anomaly: which anomaly a level shows; weakest: the weakest level that prevents it; outcome: the final value",
        kind: ParamKind::Choice {
            options: &["anomaly", "weakest", "outcome"],
            draw: [&["anomaly", "outcome"], &["anomaly", "weakest", "outcome"], &["anomaly", "weakest", "outcome"]],
        },
    },
    ParamSpec {
        key: "schedule",
        help: "the kind of schedule: lost_update, write_skew, non_repeatable, phantom, read_skew",
        kind: ParamKind::Choice {
            options: &["lost_update", "write_skew", "non_repeatable", "phantom", "read_skew"],
            draw: [&["lost_update", "non_repeatable", "phantom"], &["lost_update", "write_skew", "non_repeatable", "phantom", "read_skew"], &["lost_update", "write_skew", "non_repeatable", "phantom", "read_skew"]],
        },
    },
    ParamSpec {
        key: "level",
        help: "anomaly, outcome: rc (read committed), si (snapshot isolation), ser (serializable, 2PL)",
        kind: ParamKind::Choice { options: &["rc", "si", "ser"], draw: [&["rc", "si"], &["rc", "si", "ser"], &["rc", "si", "ser"]] },
    },
    ParamSpec {
        key: "txns",
        help: "lost_update: transactions incrementing the counter",
        kind: ParamKind::Int { min: 2, max: 3, draw: [(2, 2), (2, 2), (2, 3)] },
    },
];

static ASKS: &[Ask] = &[
    Ask::new("anomaly", [3, 4, 5], &["isolation-anomalies"]),
    Ask::new("weakest", [3, 4, 5], &["isolation-anomalies", "isolation-choice"]).judgment(),
    Ask::new("outcome", [3, 4, 6], &["isolation-anomalies"]),
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    kind: String,
    level: Option<Level>,
    schedule: Schedule,
    /// anomaly: the options' anomalies in order (None: "none of these").
    options: Vec<Option<Anomaly>>,
}

fn level_of(id: &str) -> Level {
    match id {
        "rc" => Level::ReadCommitted,
        "si" => Level::Snapshot,
        _ => Level::Serializable,
    }
}

/// Each transaction's statements, for a schedule kind; values drawn from `rng`.
fn transactions(kind: &str, txns: usize, rng: &mut impl Rng) -> (Schedule, Vec<Vec<Op>>) {
    let r = |k: &str, v: &str| Op::Read { key: k.into(), var: v.into() };
    let mut s = Schedule { initial: Default::default(), txns: 2, steps: vec![], constant_sum: None };
    let per: Vec<Vec<Op>> = match kind {
        "lost_update" => {
            s.initial.insert("counter".into(), rng.random_range(10..=50) * 10);
            s.txns = txns;
            (0..txns).map(|_| vec![r("counter", "c"), Op::Write { key: "counter".into(), var: "c".into(), add: rng.random_range(1..=9) * 10 }, Op::Commit]).collect()
        }
        "write_skew" => {
            s.initial.insert("oncall/alice".into(), 1);
            s.initial.insert("oncall/bob".into(), 1);
            let off = |k: &str| Op::WriteIf { key: k.into(), value: 0, var: "n".into(), at_least: 2 };
            let c = Op::Count { prefix: "oncall/".into(), var: "n".into() };
            vec![vec![c.clone(), off("oncall/alice"), Op::Commit], vec![c, off("oncall/bob"), Op::Commit]]
        }
        "non_repeatable" => {
            s.initial.insert("price".into(), rng.random_range(2..=9) * 10);
            vec![vec![r("price", "a"), r("price", "b"), Op::Commit], vec![r("price", "p"), Op::Write { key: "price".into(), var: "p".into(), add: rng.random_range(1..=5) * 5 }, Op::Commit]]
        }
        "phantom" => {
            let k = rng.random_range(1..=3);
            for i in 1..=k {
                s.initial.insert(format!("order/{i}"), 1);
            }
            let c = |v: &str| Op::Count { prefix: "order/".into(), var: v.into() };
            vec![vec![c("a"), c("b"), Op::Commit], vec![Op::Insert { key: format!("order/{}", k + 1), value: 1 }, Op::Commit]]
        }
        _ => {
            s.initial.insert("checking".into(), rng.random_range(3..=9) * 100);
            s.initial.insert("savings".into(), rng.random_range(3..=9) * 100);
            s.constant_sum = Some(vec!["checking".into(), "savings".into()]);
            let d = rng.random_range(1..=5) * 50;
            vec![
                vec![r("checking", "a"), r("savings", "b"), Op::Commit],
                vec![r("checking", "c"), r("savings", "s"), Op::Write { key: "checking".into(), var: "c".into(), add: -d }, Op::Write { key: "savings".into(), var: "s".into(), add: d }, Op::Commit],
            ]
        }
    };
    (s, per)
}

/// A uniformly random merge of the transactions' statements, keeping each one's order.
fn merge(per: &[Vec<Op>], rng: &mut impl Rng) -> Vec<(usize, Op)> {
    let mut next = vec![0usize; per.len()];
    let mut out = Vec::new();
    loop {
        let left: usize = per.iter().zip(&next).map(|(p, n)| p.len() - n).sum();
        if left == 0 {
            return out;
        }
        let mut pick = rng.random_range(0..left);
        for (t, p) in per.iter().enumerate() {
            let rem = p.len() - next[t];
            if pick < rem {
                out.push((t, p[next[t]].clone()));
                next[t] += 1;
                break;
            }
            pick -= rem;
        }
    }
}

fn schedule_table(s: &Schedule) -> Content {
    let header: Vec<String> = std::iter::once("step".to_string()).chain((0..s.txns).map(|t| format!("T{}", t + 1))).collect();
    let rows: Vec<Vec<String>> = s
        .steps
        .iter()
        .enumerate()
        .map(|(i, (t, op))| {
            let mut row = vec![(i + 1).to_string()];
            for u in 0..s.txns {
                row.push(if u == *t { op.shown() } else { String::new() });
            }
            row
        })
        .collect();
    Content::new().table(header, rows)
}

fn events_table(r: &Run) -> Content {
    let rows: Vec<Vec<String>> = r.events.iter().map(|e| vec![format!("T{}", e.txn + 1), e.op.clone(), e.outcome.clone()]).collect();
    Content::new().table(["session", "statement", "result"], rows)
}

fn table_text(t: &std::collections::BTreeMap<String, i64>) -> String {
    t.iter().map(|(k, v)| format!("`{k}` = {v}")).collect::<Vec<_>>().join(", ")
}

fn found(r: &Run, s: &Schedule) -> Vec<Anomaly> {
    anomalies(s, &r.observed).into_iter().collect()
}

fn mechanism(r: &Run) -> String {
    match r.events.iter().find(|e| e.outcome.contains("ERROR") || e.outcome.starts_with("waits")) {
        Some(e) => format!("T{}'s {} {}", e.txn + 1, e.op, e.outcome),
        None => "no statement waits or fails, and each read sees what the level allows".into(),
    }
}

fn setting(s: &Schedule) -> Content {
    Content::new()
        .p(format!("A table `kv(k text primary key, v int)` holds {}. The sessions below issue their statements in the order of the steps; each transaction begins (with `BEGIN ISOLATION LEVEL …`) just before its first statement. A statement that must wait for a lock blocks its session until the lock is free, and that session's later statements are issued after it returns. `:name` is a client variable holding what the session read.", table_text(&s.initial)))
        .extend(schedule_table(s))
}

impl Family for Isolation {
    fn id(&self) -> &'static str {
        "systems.isolation"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Isolation levels: anomalies of interleaved transactions"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "which anomaly a schedule shows under read committed, snapshot isolation or serializable; the weakest level that prevents it (choice); the final value",
            key: "in-memory models of the three levels (row locks, MVCC snapshots with first-committer-wins, 2PL with predicate locks and deadlock detection)",
            second_route: "a dependency-graph cycle test on the same run, and serial replays",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let mut kind = cx.pick("schedule");
        if ask == "outcome" {
            // One draw whatever happens, so that pinning the recorded schedule regenerates the
            // same question (the content stream stays aligned).
            let alt = ["lost_update", "write_skew"][cx.rng().random_range(0..2)];
            if !matches!(kind, "lost_update" | "write_skew") {
                if cx.is_pinned("schedule") {
                    return Err(GenError::Params { message: format!("outcome asks for the final value of a lost_update or write_skew schedule, not {kind}"), hint: "pin schedule=lost_update or schedule=write_skew, or another ask".into() });
                }
                kind = alt;
                cx.adjusted("schedule", crate::family::ParamValue::Choice(kind.to_string()));
            }
        }
        let level = if ask == "weakest" { None } else { Some(level_of(cx.pick("level"))) };
        let txns = if kind == "lost_update" { cx.int("txns") as usize } else { 2 };
        let rng = cx.rng();
        let (mut s, per) = transactions(kind, txns, rng);
        s.steps = merge(&per, rng);
        let runs: Vec<Run> = Level::ALL.iter().map(|l| run(&s, *l)).collect();
        let prompt = setting(&s);
        let evidence_for = |l: Level| -> Content {
            let r = &runs[Level::ALL.iter().position(|x| *x == l).unwrap_or(0)];
            Content::new().p(format!("Under {}, the model ran:", l.name())).extend(events_table(r)).p(format!("Final table: {}. Anomalies observed: {}.", table_text(&r.observed.table), names(&found(r, &s))))
        };
        let mut evidence = Content::new();
        for l in Level::ALL {
            evidence = evidence.extend(evidence_for(l));
        }
        let (prompt, slot, solution, options) = match ask {
            "anomaly" => {
                let l = level.unwrap_or(Level::ReadCommitted);
                let r = &runs[Level::ALL.iter().position(|x| *x == l).unwrap_or(0)];
                let got = found(r, &s);
                let main = got.first().copied();
                let target = main.unwrap_or(template_anomaly(kind));
                let mut opts: Vec<Option<Anomaly>> = vec![Some(target), None];
                let mut others: Vec<Anomaly> = Anomaly::ALL.iter().copied().filter(|a| *a != target).collect();
                others.shuffle(rng);
                let extra = if cx.difficulty().index() == 2 { 4 } else { 2 };
                opts.extend(others.into_iter().take(extra).map(Some));
                opts.shuffle(cx.rng());
                let correct = opts.iter().position(|o| *o == main).unwrap_or(0);
                let choice: Vec<ChoiceOption> = opts.iter().enumerate().map(|(i, o)| {
                    let text = o.map_or("none of these anomalies".to_string(), |a| a.name().to_string());
                    if i == correct { ChoiceOption::right(text) } else { ChoiceOption::wrong(text, why_not_anomaly(*o, main, l, r, &s)) }
                }).collect();
                let prompt = prompt.p(format!("Every session runs at **{}**. Which anomaly does this schedule show, judged from what the sessions read and the final table?", l.name()));
                let solution = Content::new().p(format!("Under {}: {}.", l.name(), mechanism(r))).extend(events_table(r)).p(format!("Final table: {}. So: **{}**.", table_text(&r.observed.table), main.map_or("no anomaly", |a| a.name())));
                (prompt, AnswerSlot::new("the anomaly", Expected::Choice { options: choice, correct }), solution, opts)
            }
            "weakest" => {
                let ok: Vec<bool> = runs.iter().map(|r| found(r, &s).is_empty()).collect();
                let weakest = ok.iter().position(|x| *x).unwrap_or(2);
                let choice: Vec<ChoiceOption> = Level::ALL.iter().enumerate().map(|(i, l)| {
                    let text = l.name().to_string();
                    if i == weakest {
                        ChoiceOption::right(text)
                    } else if i < weakest {
                        let r = &runs[i];
                        ChoiceOption::wrong(text, format!("{} still lets it through: {}; the run shows {}.", l.name(), mechanism(r), names(&found(r, &s))))
                    } else {
                        ChoiceOption::wrong(text, format!("{} prevents it too, but it is stronger (and costlier) than needed: {} already does.", l.name(), Level::ALL[weakest].name()))
                    }
                }).collect();
                let prompt = prompt.p("Every session runs at the same isolation level. What is the **weakest** of these levels under which the schedule shows no anomaly (lost update, write skew, non-repeatable read, phantom or read skew)?");
                let mut solution = Content::new();
                for (i, l) in Level::ALL.iter().enumerate() {
                    solution = solution.p(format!("{}: {}; anomalies: {}.", l.name(), mechanism(&runs[i]), names(&found(&runs[i], &s))));
                }
                let solution = solution.p(format!("Weakest level with none: **{}**.", Level::ALL[weakest].name()));
                (prompt, AnswerSlot::new("the weakest level", Expected::Choice { options: choice, correct: weakest }), solution, vec![])
            }
            _ => {
                let l = level.unwrap_or(Level::ReadCommitted);
                let r = &runs[Level::ALL.iter().position(|x| *x == l).unwrap_or(0)];
                let (what, value) = if kind == "lost_update" {
                    ("the final value of `counter`".to_string(), r.observed.table.get("counter").copied().unwrap_or(0))
                } else {
                    ("how many doctors are on call at the end (rows `oncall/…` with `v >= 1`)".to_string(), r.observed.table.iter().filter(|(k, v)| k.starts_with("oncall/") && **v >= 1).count() as i64)
                };
                let prompt = prompt.p(format!("Every session runs at **{}**; a transaction that gets an error rolls back and is not retried. What is {what} once every session is done?", l.name()));
                let solution = Content::new().p(format!("Trace the sessions under {}:", l.name())).extend(events_table(r)).p(format!("Final table: {}, so **{value}**.", table_text(&r.observed.table)));
                (prompt, AnswerSlot::new("final value", Expected::Integer { value }).exact_by_hand(), solution, vec![])
            }
        };
        let rc = &runs[0];
        let si = &runs[1];
        let q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&Scenario { ask: ask.into(), kind: kind.into(), level, schedule: s.clone(), options })
            .followup(FollowUp::new("How would you make this safe at read committed without changing the level?", fix_text(kind)).point("explicit locks or atomic updates move the check into the database"))
            .followup(FollowUp::new("What does PostgreSQL's SERIALIZABLE do here instead of two-phase locking?", format!("Serializable snapshot isolation: it runs like snapshot isolation ({} here) and aborts one transaction when it finds a dangerous structure of rw-dependencies, rather than blocking; the application must retry on SQLSTATE 40001.", names(&found(si, &s)))).point("SSI never blocks readers; it aborts"))
            .followup(FollowUp::new("At read committed, what did each session see?", rc.observed.seen.iter().enumerate().map(|(t, v)| format!("T{}: {}", t + 1, v.iter().map(|x| match x { super::txn::Seen::Item { key, value } => format!("{key} = {}", value.map_or("none".into(), |v| v.to_string())), super::txn::Seen::Count { prefix, n } => format!("count {prefix}… = {n}") }).collect::<Vec<_>>().join(", "))).collect::<Vec<_>>().join("; ")));
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let sc: Scenario = q.scenario()?;
        let s = &sc.schedule;
        let mut clean = Vec::new();
        for l in Level::ALL {
            let r = run(s, l);
            let cycle = has_cycle(&r, s.txns);
            let anomalous = !anomalies(s, &r.observed).is_empty();
            CheckError::expect_eq(&format!("{}: anomaly observed vs dependency cycle", l.name()), anomalous, cycle)?;
            CheckError::expect_eq(&format!("{}: no cycle vs a serial replay reproduces the run", l.name()), !cycle, serial_replay_matches(s, &r.observed))?;
            if l == Level::Serializable && cycle {
                return Err(CheckError("two-phase locking produced a non-serializable run".into()));
            }
            clean.push(!cycle);
        }
        match sc.ask.as_str() {
            "weakest" => {
                let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
                CheckError::expect_eq("weakest level", *correct, clean.iter().position(|c| *c).unwrap_or(2))
            }
            "anomaly" => {
                let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
                let l = sc.level.unwrap_or(Level::ReadCommitted);
                let cycle = !clean[Level::ALL.iter().position(|x| *x == l).unwrap_or(0)];
                let keyed = sc.options.get(*correct).copied().flatten();
                CheckError::expect_eq("an anomaly keyed exactly when the graph has a cycle", keyed.is_some(), cycle)
            }
            _ => {
                // The final value: with no cycle it is what a serial order gives (checked above);
                // with one, no serial order gives it.
                let l = sc.level.unwrap_or(Level::ReadCommitted);
                let r = run(s, l);
                let key = q.expected_integer(0)?;
                let value = if sc.kind == "lost_update" { r.observed.table.get("counter").copied().unwrap_or(0) } else { r.observed.table.iter().filter(|(k, v)| k.starts_with("oncall/") && **v >= 1).count() as i64 };
                CheckError::expect_eq("final value", key, value)
            }
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(sc) = q.scenario::<Scenario>() else { return out };
        let s = &sc.schedule;
        let rc = run(s, Level::ReadCommitted);
        if anomalies(s, &rc.observed).is_empty() {
            out.push("the schedule shows no anomaly even at read committed".into());
        }
        for l in Level::ALL {
            if anomalies(s, &run(s, l).observed).len() > 1 {
                out.push(format!("{} shows more than one anomaly", l.name()));
            }
        }
        out
    }
}

fn template_anomaly(kind: &str) -> Anomaly {
    match kind {
        "lost_update" => Anomaly::LostUpdate,
        "write_skew" => Anomaly::WriteSkew,
        "non_repeatable" => Anomaly::NonRepeatableRead,
        "phantom" => Anomaly::Phantom,
        _ => Anomaly::ReadSkew,
    }
}

fn names(a: &[Anomaly]) -> String {
    if a.is_empty() {
        "none".into()
    } else {
        a.iter().map(|x| x.name()).collect::<Vec<_>>().join(", ")
    }
}

fn needs(a: Anomaly) -> &'static str {
    match a {
        Anomaly::LostUpdate => "two transactions that read and then write the same row",
        Anomaly::WriteSkew => "two transactions that check the same condition and then write different rows",
        Anomaly::NonRepeatableRead => "a transaction that reads the same row twice",
        Anomaly::Phantom => "a transaction that evaluates the same predicate (a count) twice",
        Anomaly::ReadSkew => "a transaction that reads two rows another transaction changes together",
    }
}

fn why_not_anomaly(option: Option<Anomaly>, actual: Option<Anomaly>, l: Level, r: &Run, s: &Schedule) -> String {
    match (option, actual) {
        (None, Some(a)) => format!("Under {} the run does show a {}: {}; final table {}.", l.name(), a.name(), mechanism(r), table_text(&r.observed.table)),
        (Some(o), _) if o == template_anomaly_of(s) => format!("The schedule invites a {}, but {} prevents it here: {}.", o.name(), l.name(), mechanism(r)),
        (Some(o), _) => format!("A {} needs {}; this schedule has none.", o.name(), needs(o)),
        (None, None) => "This is the right answer.".into(),
    }
}

fn template_anomaly_of(s: &Schedule) -> Anomaly {
    if s.constant_sum.is_some() {
        return Anomaly::ReadSkew;
    }
    let counts = s.steps.iter().filter(|(_, o)| matches!(o, Op::Count { .. })).count();
    let guarded = s.steps.iter().any(|(_, o)| matches!(o, Op::WriteIf { .. }));
    let inserts = s.steps.iter().any(|(_, o)| matches!(o, Op::Insert { .. }));
    let reads = s.steps.iter().filter(|(_, o)| matches!(o, Op::Read { .. })).count();
    if guarded {
        Anomaly::WriteSkew
    } else if inserts || counts > 1 {
        Anomaly::Phantom
    } else if reads == 3 {
        Anomaly::NonRepeatableRead
    } else {
        Anomaly::LostUpdate
    }
}

fn fix_text(kind: &str) -> String {
    match kind {
        "lost_update" => "Make the increment atomic (`UPDATE kv SET v = v + … WHERE k = 'counter'` in one statement, which re-reads the row after the lock) or lock the row when reading it (`SELECT … FOR UPDATE`).".into(),
        "write_skew" => "Lock the rows the check depends on (`SELECT … FOR UPDATE` on every on-call row), or materialise the constraint in one row both transactions update.".into(),
        "non_repeatable" => "Read the value once and reuse it, or run the reader at REPEATABLE READ (a snapshot).".into(),
        "phantom" => "Count once, or run the reader on a snapshot (REPEATABLE READ); to stop the insert, lock a row that stands for the set.".into(),
        _ => "Read both balances in one statement (one statement sees one snapshot even at read committed) or run the reader at REPEATABLE READ.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Isolation, 0..30).unwrap();
    }

    #[test]
    fn every_merge_of_every_kind_agrees_with_the_dependency_graph() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for kind in ["lost_update", "write_skew", "non_repeatable", "phantom", "read_skew"] {
            for txns in [2, 3] {
                for _ in 0..60 {
                    let (mut s, per) = transactions(kind, txns, &mut rng);
                    s.steps = merge(&per, &mut rng);
                    for l in Level::ALL {
                        let r = run(&s, l);
                        let cycle = has_cycle(&r, s.txns);
                        assert_eq!(!anomalies(&s, &r.observed).is_empty(), cycle, "{kind} {l:?} {:?}", r.events);
                        assert_eq!(!cycle, serial_replay_matches(&s, &r.observed), "{kind} {l:?} {:?}", r.events);
                        if l == Level::Serializable {
                            assert!(!cycle);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Isolation, &["ask=weakest".into(), "schedule=write_skew".into()]).unwrap();
        for seed in 0..10 {
            let q = generate(&Isolation, seed, Difficulty::Medium, &pins).unwrap();
            // Write skew survives snapshot isolation (Berenson et al. 1995): only serializable stops it.
            assert_eq!(q.slots[0].expected.reference(), "C", "seed {seed}");
        }
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["anomaly", "weakest", "outcome"] {
            let pins = parse_pins(&Isolation, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Isolation, 6, Difficulty::Hard, &pins).unwrap();
            cross_check(&Isolation, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Integer { value } => Expected::Integer { value: value + 10 },
                Expected::Choice { options, correct } => {
                    // Move the key to an option of the other kind (an anomaly for none, or none).
                    let sc: Scenario = q.scenario().unwrap();
                    let wrong = if ask == "anomaly" { sc.options.iter().position(|o| o.is_some() != sc.options[*correct].is_some()).unwrap() } else { (correct + 1) % options.len() };
                    Expected::Choice { options: options.clone(), correct: wrong }
                }
                e => e.clone(),
            };
            assert!(cross_check(&Isolation, &q).is_err(), "{ask}");
        }
    }
}
