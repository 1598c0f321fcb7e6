//! `systems.wal`: which acknowledged transactions a write-ahead log keeps through a crash, with
//! and without fsync of the log.
//!
//! **Asked** (`ask`):
//! - `lost`: the most acknowledged transactions one crash can lose under a stated policy;
//! - `survive`: after a crash right after a stated step, which transactions are guaranteed to be
//!   there after recovery (multiple choice);
//! - `policy` (judgment): which logging policy never loses an acknowledged transaction with the
//!   fewest fsyncs.
//!
//! **Policies.** `sync`: fsync the log after every commit record, acknowledge after it;
//! `group`: group commit, one fsync per G commit records, acknowledgements after it; `async`:
//! acknowledge after write(2), fsync every G commits in the background (PostgreSQL's
//! `synchronous_commit = off`, InnoDB's `innodb_flush_log_at_trx_commit = 2`); `none`:
//! acknowledge after write(2), never fsync.
//!
//! **Parameters.** `txns` k: 3–6, 4–8, 6–12; `group` G: 2–4; `policy`; `crash_at` (survive).
//!
//! **Key.** Crash points are enumerated, as in `filesystem.atomic_replace`: after every step of
//! the run, the disk holds everything fsynced plus any prefix of the log written since (the page
//! cache may have written some back); recovery replays the transactions whose commit record is
//! on disk. A transaction is lost when it was acknowledged and its commit record is not.
//!
//! **Second route.** Closed forms per policy: sync and group lose nothing; async loses at most
//! min(G, k) … the commits since the last fsync; none loses up to k; a transaction is guaranteed
//! to survive a crash after step s exactly when an fsync at or before s covered its commit.
//!
//! **Pitfalls**: write(2) returning means durable; group commit loses data (it only delays the
//! acknowledgement); fsync of the data files instead of the log.

use crate::answer::{AnswerSlot, ChoiceOption, Expected, PartialCredit};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Wal;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "lost: most acknowledged transactions a crash loses; survive: which survive a crash at a step; policy: which policy is safe with fewest fsyncs",
        kind: ParamKind::Choice { options: &["lost", "survive", "policy"], draw: [&["lost", "survive"], &["lost", "survive", "policy"], &["lost", "survive", "policy"]] },
    },
    ParamSpec {
        key: "policy",
        help: "lost, survive: sync, group, async or none",
        kind: ParamKind::Choice { options: &["sync", "group", "async", "none"], draw: [&["sync", "async", "none"], &["sync", "group", "async", "none"], &["group", "async"]] },
    },
    ParamSpec { key: "txns", help: "transactions committed one after another", kind: ParamKind::Int { min: 1, max: 40, draw: [(3, 6), (4, 8), (6, 12)] } },
    ParamSpec { key: "group", help: "commit records per fsync (group and async)", kind: ParamKind::Int { min: 1, max: 40, draw: [(2, 3), (2, 4), (2, 4)] } },
    ParamSpec { key: "crash_at", help: "survive: the step right after which the crash happens", kind: ParamKind::Int { min: 1, max: 200, draw: [(1, 200), (1, 200), (1, 200)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("lost", [3, 4, 5], &["wal-durability"]),
    Ask::new("survive", [3, 4, 5], &["wal-durability"]),
    Ask::new("policy", [3, 4, 5], &["wal-durability", "fsync-cost"]).judgment(),
];

/// A logging policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    /// fsync after each commit record, then acknowledge.
    Sync,
    /// One fsync per G commit records, acknowledgements after it.
    Group,
    /// Acknowledge after write(2); fsync every G commits in the background.
    Async,
    /// Acknowledge after write(2); never fsync.
    None,
}

impl Policy {
    fn parse(s: &str) -> Policy {
        match s {
            "sync" => Policy::Sync,
            "group" => Policy::Group,
            "async" => Policy::Async,
            _ => Policy::None,
        }
    }
    fn describe(self, g: u32) -> String {
        match self {
            Policy::Sync => "after each commit record, fsync the log, then acknowledge the client".into(),
            Policy::Group => format!("group commit: collect {g} commit records, fsync the log once, then acknowledge those {g} clients (any left over at the end are fsynced and acknowledged together)"),
            Policy::Async => format!("acknowledge as soon as the commit record is written with write(2); a background fsync of the log runs after every {g} commit records"),
            Policy::None => "acknowledge as soon as the commit record is written with write(2); never fsync (the kernel writes the log back when it likes)".into(),
        }
    }
}

/// One step of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// write(2) of transaction i's commit record (its other records before it).
    Write(u32),
    /// fsync of the log.
    Fsync,
    /// transaction i's client is told "committed".
    Ack(u32),
}

/// The steps a policy takes for k transactions.
pub fn steps(p: Policy, k: u32, g: u32) -> Vec<Step> {
    let mut out = Vec::new();
    let mut unacked = Vec::new();
    for i in 1..=k {
        out.push(Step::Write(i));
        match p {
            Policy::Sync => {
                out.push(Step::Fsync);
                out.push(Step::Ack(i));
            }
            Policy::Group => {
                unacked.push(i);
                if unacked.len() as u32 == g || i == k {
                    out.push(Step::Fsync);
                    out.extend(unacked.drain(..).map(Step::Ack));
                }
            }
            Policy::Async => {
                out.push(Step::Ack(i));
                if i % g == 0 {
                    out.push(Step::Fsync);
                }
            }
            Policy::None => out.push(Step::Ack(i)),
        }
    }
    out
}

/// Crash-point enumeration: for a crash right after each prefix of `steps` (0 = before the first),
/// the sets of transactions recovery can find (one per surviving prefix of the unsynced log),
/// and the transactions acknowledged by then.
pub fn crash_outcomes(steps: &[Step]) -> Vec<(Vec<Vec<u32>>, Vec<u32>)> {
    let mut out = Vec::new();
    for cut in 0..=steps.len() {
        let done = &steps[..cut];
        let written: Vec<u32> = done.iter().filter_map(|s| if let Step::Write(i) = s { Some(*i) } else { None }).collect();
        let synced = done.iter().rposition(|s| *s == Step::Fsync).map_or(0, |at| done[..at].iter().filter(|s| matches!(s, Step::Write(_))).count());
        let acked: Vec<u32> = done.iter().filter_map(|s| if let Step::Ack(i) = s { Some(*i) } else { None }).collect();
        // The disk holds the synced part plus any prefix of the rest of the written log.
        let recoverable: Vec<Vec<u32>> = (synced..=written.len()).map(|n| written[..n].to_vec()).collect();
        out.push((recoverable, acked));
    }
    out
}

/// The most acknowledged transactions one crash can lose.
pub fn max_lost(steps: &[Step]) -> usize {
    crash_outcomes(steps).iter().map(|(rec, acked)| rec.iter().map(|r| acked.iter().filter(|a| !r.contains(a)).count()).max().unwrap_or(0)).max().unwrap_or(0)
}

/// Transactions present in every recovery after a crash right after `cut` steps.
pub fn guaranteed(steps: &[Step], cut: usize) -> Vec<u32> {
    let outcomes = crash_outcomes(steps);
    let (rec, _) = &outcomes[cut.min(steps.len())];
    rec.first().cloned().unwrap_or_default()
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    policy: Option<Policy>,
    k: u32,
    g: u32,
    crash_at: Option<usize>,
    /// policy: the candidates shown, in order.
    shown: Vec<Policy>,
}

fn step_text(s: Step) -> String {
    match s {
        Step::Write(i) => format!("write(log, commit record of T{i})"),
        Step::Fsync => "fsync(log)".into(),
        Step::Ack(i) => format!("acknowledge T{i} to its client"),
    }
}

fn run_table(st: &[Step]) -> Content {
    Content::new().table(["step", "call"], st.iter().enumerate().map(|(i, s)| vec![(i + 1).to_string(), format!("`{}`", step_text(*s))]))
}

fn fsyncs(st: &[Step]) -> usize {
    st.iter().filter(|s| **s == Step::Fsync).count()
}

impl Family for Wal {
    fn id(&self) -> &'static str {
        "systems.wal"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "Write-ahead log durability: fsync, group commit and asynchronous commit"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "the most acknowledged transactions a crash loses, which survive a crash at a step (multiple choice), which log policy is safe with fewest fsyncs (choice)",
            key: "enumerated crash points: fsynced log plus any prefix of the unsynced tail, recovery replays committed records",
            second_route: "closed forms per policy (0, min(G, k), k); the last fsync before the crash",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let setting = "A database appends each transaction's log records, ending with its commit record, to a write-ahead log with write(2), one transaction after another. On a crash (power loss), the log on disk holds everything up to the last completed fsync, plus possibly some prefix of what was written after it (the kernel may have written part of it back). Recovery replays exactly the transactions whose commit record is on disk.";
        match ask {
            "lost" | "survive" => {
                let p = Policy::parse(cx.pick("policy"));
                let k = cx.int("txns") as u32;
                let g = if matches!(p, Policy::Group | Policy::Async) { cx.int("group") as u32 } else { 1 };
                let st = steps(p, k, g);
                let mut prompt = Content::new().p(setting).p(format!("**{k}** transactions T1…T{k} commit. The policy: {}. The run:", p.describe(g))).extend(run_table(&st));
                let (slot, solution, crash_at) = if ask == "lost" {
                    let lost = max_lost(&st);
                    prompt = prompt.p("A crash can happen right after any step. At most how many transactions that were **acknowledged** to their clients can be missing after recovery?");
                    let worst = crash_outcomes(&st).iter().enumerate().max_by_key(|(_, (rec, acked))| rec.iter().map(|r| acked.iter().filter(|a| !r.contains(a)).count()).max().unwrap_or(0)).map_or(0, |x| x.0);
                    (
                        AnswerSlot::new("acknowledged transactions lost", Expected::Integer { value: lost as i64 }).exact_by_hand(),
                        Content::new().p(format!("An acknowledged transaction is lost when its commit record was written but not yet fsynced at the crash, and the kernel had not written it back. The worst crash point is right after step {worst}: **{lost}** acknowledged transaction(s) can be missing.")),
                        None,
                    )
                } else {
                    let cut = cx.int_within("crash_at", 1, st.len() as i64, 1) as usize;
                    if cut > st.len() {
                        return Err(GenError::Params { message: format!("the run has {} steps; crash_at = {cut}", st.len()), hint: format!("pin crash_at between 1 and {}", st.len()) });
                    }
                    let sure = guaranteed(&st, cut);
                    let options: Vec<ChoiceOption> = (1..=k).map(|i| {
                        let text = format!("T{i}");
                        if sure.contains(&i) { ChoiceOption::right(text) } else { ChoiceOption::wrong(text, format!("T{i}'s commit record is not covered by an fsync by step {cut}{}", if crash_outcomes(&st)[cut].1.contains(&i) { ", even though its client was told it committed" } else { "" })) }
                    }).collect();
                    prompt = prompt.p(format!("The machine loses power right after step **{cut}**. Which transactions are **guaranteed** to be there after recovery? (Pick every one.)"));
                    (
                        AnswerSlot::new("guaranteed transactions", Expected::Multi { options, correct: sure.iter().map(|i| *i as usize - 1).collect(), rule: PartialCredit::RightMinusWrong }),
                        Content::new().p(format!("Only what an fsync covered is guaranteed; by step {cut} the last fsync covered {}: **{}**. Later commit records may or may not have reached the disk.", if sure.is_empty() { "nothing".to_string() } else { format!("T1…T{}", sure.len()) }, if sure.is_empty() { "none".to_string() } else { sure.iter().map(|i| format!("T{i}")).collect::<Vec<_>>().join(", ") })),
                        Some(cut),
                    )
                };
                if ask == "survive" && guaranteed(&st, crash_at.unwrap_or(0)).is_empty() {
                    // A draw where nothing is guaranteed leaves no right option: a flaw, redrawn.
                }
                let s = Scenario { ask: ask.into(), policy: Some(p), k, g, crash_at, shown: vec![] };
                let sync = steps(Policy::Sync, k, 1);
                let q = Question::new(prompt, vec![slot], solution, Content::new().p(format!("Every crash point of the {}-step run was enumerated, with every prefix of the unsynced log:", st.len())).table(["crash after step", "recoverable sets", "acknowledged"], crash_outcomes(&st).iter().enumerate().map(|(i, (rec, ack))| vec![i.to_string(), rec.iter().map(|r| format!("{{{}}}", r.iter().map(|x| format!("T{x}")).collect::<Vec<_>>().join(" "))).collect::<Vec<_>>().join(" "), ack.len().to_string()])))
                    .with_scenario(&s)
                    .followup(FollowUp::new("What does fsync after every commit cost, and what recovers most of it?", format!("{} fsyncs for {k} transactions (one per commit); group commit keeps the guarantee with {} here, because waiting clients share one fsync.", fsyncs(&sync), fsyncs(&steps(Policy::Group, k, g.max(2))))).point("throughput bound by fsync latency"))
                    .followup(FollowUp::new("Why is fsyncing the data files not enough?", "The log is what recovery replays; data pages are written lazily and may be torn or stale. The WAL rule: the log record reaches disk before the data page it describes, and a commit is durable when its commit record is.".to_string()));
                Ok(q)
            }
            _ => {
                let k = cx.int("txns") as u32;
                let g = cx.int("group") as u32;
                if g < 2 || k < 2 {
                    return Err(GenError::Params { message: format!("with {k} transaction(s) and {g} commit(s) per fsync, group commit saves nothing"), hint: "pin txns ≥ 2 and group ≥ 2".into() });
                }
                let mut shown = vec![Policy::Sync, Policy::Group, Policy::Async, Policy::None];
                shown.shuffle(cx.rng());
                let results: Vec<(usize, usize)> = shown.iter().map(|p| { let st = steps(*p, k, g); (max_lost(&st), fsyncs(&st)) }).collect();
                let best = results.iter().enumerate().filter(|(_, r)| r.0 == 0).min_by_key(|(_, r)| r.1).map_or(0, |x| x.0);
                let options: Vec<ChoiceOption> = shown.iter().zip(&results).enumerate().map(|(i, (p, (lost, f)))| {
                    let text = p.describe(g);
                    if i == best { ChoiceOption::right(text) } else if *lost > 0 { ChoiceOption::wrong(text, format!("A crash can lose up to {lost} acknowledged transaction(s): write(2) returning only means the page cache has the data.")) } else { ChoiceOption::wrong(text, format!("Safe, but {f} fsyncs where {} suffice: clients waiting at the same time can share one fsync.", results[best].1)) }
                }).collect();
                let prompt = Content::new().p(setting).p(format!("**{k}** clients commit at about the same time. Which policy never loses a transaction whose client was told it committed, with the fewest fsyncs?"));
                let rows: Vec<Vec<String>> = shown.iter().zip(&results).map(|(p, (l, f))| vec![format!("{p:?}"), l.to_string(), f.to_string()]).collect();
                let s = Scenario { ask: ask.into(), policy: None, k, g, crash_at: None, shown: shown.clone() };
                let q = Question::new(prompt, vec![AnswerSlot::new("the policy", Expected::Choice { options, correct: best })], Content::new().p("Each policy's run, with every crash point enumerated:").table(["policy", "most acknowledged lost", "fsyncs"], rows.clone()), Content::new().table(["policy", "most acknowledged lost", "fsyncs"], rows))
                    .with_scenario(&s)
                    .contrast(Contrast::new("fsyncs: sync vs group", fsyncs(&steps(Policy::Sync, k, g)), fsyncs(&steps(Policy::Group, k, g))))
                    .followup(FollowUp::new("When is asynchronous commit acceptable?", format!("When losing the last few acknowledged transactions (up to {} here) is tolerable, e.g. metrics or caches: the database stays consistent, only recent commits vanish.", max_lost(&steps(Policy::Async, k, g)))).point("consistency is kept, durability is traded"));
                Ok(q)
            }
        }
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let closed = |p: Policy| -> usize {
            match p {
                Policy::Sync | Policy::Group => 0,
                Policy::Async => s.g.min(s.k) as usize,
                Policy::None => s.k as usize,
            }
        };
        match s.ask.as_str() {
            "lost" => CheckError::expect_eq("acknowledged lost", q.expected_integer(0)? as usize, closed(s.policy.unwrap_or(Policy::None))),
            "survive" => {
                // Guaranteed: the commit records written before the last fsync at or before the crash.
                let st = steps(s.policy.unwrap_or(Policy::None), s.k, s.g);
                let cut = s.crash_at.unwrap_or(0);
                let mut written = 0u32;
                let mut sure = 0u32;
                for step in &st[..cut] {
                    match step {
                        Step::Write(_) => written += 1,
                        Step::Fsync => sure = written,
                        Step::Ack(_) => {}
                    }
                }
                let Expected::Multi { correct, .. } = q.expected(0)? else { return Err(CheckError("expected multiple choice".into())) };
                CheckError::expect_eq("guaranteed", correct.clone(), (0..sure as usize).collect::<Vec<_>>())
            }
            _ => {
                let Expected::Choice { correct, .. } = q.expected(0)? else { return Err(CheckError("expected a choice".into())) };
                CheckError::expect_eq("safe with fewest fsyncs", s.shown.get(*correct).copied(), Some(Policy::Group))
            }
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        match q.expected(0) {
            Ok(Expected::Multi { correct, options, .. }) if correct.is_empty() || correct.len() == options.len() => vec!["every or no transaction is guaranteed: no choice to make".into()],
            Ok(Expected::Integer { value: 0 }) => {
                // Half the draws of safe policies keep 0 as the answer; allow it for sync/group.
                vec![]
            }
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Wal, 0..30).unwrap();
    }

    #[test]
    fn known_values() {
        // PostgreSQL's documentation (§30.4, Asynchronous Commit): with synchronous_commit off,
        // a crash can lose the most recent transactions reported committed; with it on, none.
        assert_eq!(max_lost(&steps(Policy::Sync, 5, 1)), 0);
        assert_eq!(max_lost(&steps(Policy::Group, 5, 2)), 0);
        // Hand trace, async with G = 2 over 5 commits: T1 T2 acknowledged, then fsync; a crash
        // just before that fsync loses both.
        assert_eq!(max_lost(&steps(Policy::Async, 5, 2)), 2);
        assert_eq!(max_lost(&steps(Policy::None, 5, 2)), 5);
        assert_eq!(fsyncs(&steps(Policy::Group, 5, 2)), 3);
        assert_eq!(guaranteed(&steps(Policy::Async, 5, 2), 6), vec![1, 2]);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Wal, &["ask=lost".into(), "policy=async".into(), "txns=7".into(), "group=3".into()]).unwrap();
        let q = generate(&Wal, 1, Difficulty::Medium, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "3");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for ask in ["lost", "survive", "policy"] {
            let pins = parse_pins(&Wal, &[format!("ask={ask}")]).unwrap();
            let mut q = generate(&Wal, 2, Difficulty::Hard, &pins).unwrap();
            cross_check(&Wal, &q).unwrap();
            q.slots[0].expected = match &q.slots[0].expected {
                Expected::Integer { value } => Expected::Integer { value: value + 1 },
                Expected::Choice { options, correct } => Expected::Choice { options: options.clone(), correct: (correct + 1) % options.len() },
                Expected::Multi { options, correct, rule } => Expected::Multi { options: options.clone(), correct: correct.iter().skip(1).copied().collect(), rule: *rule },
                e => e.clone(),
            };
            assert!(cross_check(&Wal, &q).is_err(), "{ask}");
        }
    }
}
