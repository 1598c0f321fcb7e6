//! In-memory models of three isolation levels, run on a schedule of two or three interleaved
//! transactions over a key-value table, used by `systems.isolation` and, in the tests, compared
//! step by step with a real PostgreSQL server (`tests/engines.rs`, Hermitage-style).
//!
//! - **Read committed** (PostgreSQL's): every statement reads the latest committed data; a write
//!   locks its row until the transaction ends, and a second writer waits, then writes.
//! - **Snapshot isolation** (PostgreSQL's REPEATABLE READ): a transaction reads the snapshot taken
//!   at its first statement; writing a row that a concurrent transaction has changed and committed
//!   fails ("could not serialize access due to concurrent update": first committer wins).
//! - **Serializable** as strict two-phase locking: shared locks on rows and on the predicates
//!   counted, exclusive locks on rows written, all held to commit; a wait that closes a cycle in
//!   the waits-for graph aborts the waiter (deadlock).
//!
//! A run yields what a client observes ([`Observed`]: values read, commits, the final table), from
//! which [`anomalies`] names the anomalies; the same function judges a real engine's run. A run
//! also keeps the version history, from which [`has_cycle`] builds the dependency graph (Adya's
//! ww, wr and rw edges between committed transactions): the second route.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An isolation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// Read committed.
    ReadCommitted,
    /// Snapshot isolation (first committer wins).
    Snapshot,
    /// Serializable, by strict two-phase locking with predicate locks.
    Serializable,
}

impl Level {
    /// Weakest first.
    pub const ALL: [Level; 3] = [Level::ReadCommitted, Level::Snapshot, Level::Serializable];

    /// The name shown in questions.
    pub fn name(self) -> &'static str {
        match self {
            Level::ReadCommitted => "read committed",
            Level::Snapshot => "snapshot isolation (PostgreSQL's REPEATABLE READ)",
            Level::Serializable => "serializable (two-phase locking)",
        }
    }

    /// The PostgreSQL level the tests run it as.
    pub fn postgres(self) -> &'static str {
        match self {
            Level::ReadCommitted => "READ COMMITTED",
            Level::Snapshot => "REPEATABLE READ",
            Level::Serializable => "SERIALIZABLE",
        }
    }
}

/// One statement of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `SELECT v FROM kv WHERE k = key`, kept in the client variable `var`.
    Read { key: String, var: String },
    /// `SELECT count(*) FROM kv WHERE k LIKE 'prefix%' AND v >= 1`, kept in `var`.
    Count { prefix: String, var: String },
    /// `UPDATE kv SET v = :var + add WHERE k = key` (the client computes the value).
    Write { key: String, var: String, add: i64 },
    /// `UPDATE kv SET v = value WHERE k = key`, sent only if `:var >= at_least`.
    WriteIf {
        key: String,
        value: i64,
        var: String,
        at_least: i64,
    },
    /// `INSERT INTO kv VALUES (key, value)`.
    Insert { key: String, value: i64 },
    /// `COMMIT`.
    Commit,
}

impl Op {
    /// The statement as SQL, for the question and for a real engine.
    pub fn sql(&self) -> String {
        match self {
            Op::Read { key, .. } => format!("SELECT v FROM kv WHERE k = '{key}'"),
            Op::Count { prefix, .. } => {
                format!("SELECT count(*) FROM kv WHERE k LIKE '{prefix}%' AND v >= 1")
            }
            Op::Write { key, var, add } => {
                let sign = if *add < 0 { "-" } else { "+" };
                format!(
                    "UPDATE kv SET v = :{var} {sign} {} WHERE k = '{key}'",
                    add.abs()
                )
            }
            Op::WriteIf { key, value, .. } => {
                format!("UPDATE kv SET v = {value} WHERE k = '{key}'")
            }
            Op::Insert { key, value } => format!("INSERT INTO kv VALUES ('{key}', {value})"),
            Op::Commit => "COMMIT".into(),
        }
    }

    /// The statement as the paper shows it: SQL, with the client's variable and condition.
    pub fn shown(&self) -> String {
        match self {
            Op::Read { var, .. } | Op::Count { var, .. } => format!("`{}` → `:{var}`", self.sql()),
            Op::WriteIf { var, at_least, .. } => {
                format!("if `:{var} >= {at_least}`: `{}`", self.sql())
            }
            _ => format!("`{}`", self.sql()),
        }
    }
}

/// A schedule: the initial table, the statements in the order they are issued, and the
/// invariant its transfers keep (for read skew).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The table before the transactions.
    pub initial: BTreeMap<String, i64>,
    /// Transactions in the schedule (numbered 0..txns, shown as T1, T2, …).
    pub txns: usize,
    /// (transaction, statement), in the order the sessions issue them.
    pub steps: Vec<(usize, Op)>,
    /// Keys whose sum every transaction keeps constant, if any.
    pub constant_sum: Option<Vec<String>>,
}

/// One value a transaction read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Seen {
    /// A row's value (None: no such row).
    Item { key: String, value: Option<i64> },
    /// A count over a prefix.
    Count { prefix: String, n: i64 },
}

/// What a client observes: per transaction, the values read in order and whether it committed;
/// and the table at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// Values read, per transaction.
    pub seen: Vec<Vec<Seen>>,
    /// Whether each transaction committed.
    pub committed: Vec<bool>,
    /// Committed rows at the end.
    pub table: BTreeMap<String, i64>,
}

/// An anomaly a schedule can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Anomaly {
    /// A committed read-modify-write overwrote another committed one: an increment vanished.
    LostUpdate,
    /// Two transactions each checked a constraint, then changed different rows: it broke.
    WriteSkew,
    /// A transaction read the same row twice and saw two values.
    NonRepeatableRead,
    /// A transaction counted the same predicate twice and saw two counts.
    Phantom,
    /// A transaction read rows whose sum every transaction keeps constant, and saw another sum.
    ReadSkew,
}

impl Anomaly {
    /// Every anomaly, in the order options list them.
    pub const ALL: [Anomaly; 5] = [
        Anomaly::LostUpdate,
        Anomaly::WriteSkew,
        Anomaly::NonRepeatableRead,
        Anomaly::Phantom,
        Anomaly::ReadSkew,
    ];

    /// The name shown in questions.
    pub fn name(self) -> &'static str {
        match self {
            Anomaly::LostUpdate => "lost update",
            Anomaly::WriteSkew => "write skew",
            Anomaly::NonRepeatableRead => "non-repeatable read",
            Anomaly::Phantom => "phantom",
            Anomaly::ReadSkew => "read skew",
        }
    }
}

/// The anomalies a run shows, judged only from what the clients observed.
pub fn anomalies(s: &Schedule, o: &Observed) -> BTreeSet<Anomaly> {
    let mut out = BTreeSet::new();
    // Anomalies are judged on committed transactions (Adya's histories).
    for seen in o
        .seen
        .iter()
        .zip(&o.committed)
        .filter(|(_, c)| **c)
        .map(|(s, _)| s)
    {
        let mut items: BTreeMap<&str, Option<i64>> = BTreeMap::new();
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for x in seen {
            match x {
                Seen::Item { key, value } => {
                    if let Some(prev) = items.insert(key, *value) {
                        if prev != *value {
                            out.insert(Anomaly::NonRepeatableRead);
                        }
                    }
                }
                Seen::Count { prefix, n } => {
                    if let Some(prev) = counts.insert(prefix, *n) {
                        if prev != *n {
                            out.insert(Anomaly::Phantom);
                        }
                    }
                }
            }
        }
        if let Some(keys) = &s.constant_sum {
            let total: i64 = keys
                .iter()
                .map(|k| s.initial.get(k).copied().unwrap_or(0))
                .sum();
            // The first value seen of each key, when the transaction saw them all.
            let firsts: Option<Vec<i64>> = keys
                .iter()
                .map(|k| {
                    seen.iter().find_map(|x| match x {
                        Seen::Item { key, value } if key == k => *value,
                        _ => None,
                    })
                })
                .collect();
            if let Some(v) = firsts {
                if v.iter().sum::<i64>() != total {
                    out.insert(Anomaly::ReadSkew);
                }
            }
        }
    }
    // Lost update: the final value of a row misses a committed transaction's increment.
    let mut expected: BTreeMap<&str, i64> = BTreeMap::new();
    let mut incremented = BTreeSet::new();
    for (t, op) in &s.steps {
        if let Op::Write { key, var, add } = op {
            let read_same = s.steps.iter().any(|(u, o)| {
                u == t && matches!(o, Op::Read { key: k, var: v } if k == key && v == var)
            });
            if read_same {
                incremented.insert(key.as_str());
                if o.committed[*t] {
                    *expected
                        .entry(key)
                        .or_insert(s.initial.get(key).copied().unwrap_or(0)) += add;
                }
            }
        }
    }
    for k in incremented {
        let want = expected
            .get(k)
            .copied()
            .unwrap_or(s.initial.get(k).copied().unwrap_or(0));
        if o.table.get(k).copied() != Some(want) {
            out.insert(Anomaly::LostUpdate);
        }
    }
    // Write skew: every guarded write committed, and the guard's constraint (at least
    // `at_least - 1` rows of the prefix left) no longer holds.
    let guarded: Vec<(usize, &str, i64)> = s
        .steps
        .iter()
        .filter_map(|(t, op)| match op {
            Op::WriteIf { var, at_least, .. } => s.steps.iter().find_map(|(u, o)| match o {
                Op::Count { prefix, var: v } if u == t && v == var => {
                    Some((*t, prefix.as_str(), *at_least))
                }
                _ => None,
            }),
            _ => None,
        })
        .collect();
    if guarded.len() >= 2 && guarded.iter().all(|(t, ..)| o.committed[*t]) {
        for (_, prefix, at_least) in &guarded {
            let left = o
                .table
                .iter()
                .filter(|(k, v)| k.starts_with(prefix) && **v >= 1)
                .count() as i64;
            if left < at_least - 1 {
                out.insert(Anomaly::WriteSkew);
            }
        }
    }
    out
}

/// What happened to one statement, for the evidence table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The transaction.
    pub txn: usize,
    /// The statement, as shown.
    pub op: String,
    /// What it returned or did.
    pub outcome: String,
}

/// One committed version of a row: its value (None: absent) and writer (None: the initial table).
#[derive(Debug, Clone)]
struct Version {
    value: Option<i64>,
    writer: Option<usize>,
    seq: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Active,
    Blocked,
    Committed,
    Aborted,
}

/// A dependency a read left: which version of which key the transaction saw.
#[derive(Debug, Clone)]
struct ReadDep {
    txn: usize,
    key: String,
    version: usize,
}

/// The result of running a schedule at one level.
#[derive(Debug, Clone)]
pub struct Run {
    /// What the clients observed.
    pub observed: Observed,
    /// Every statement's outcome, in the order they completed.
    pub events: Vec<Event>,
    versions: BTreeMap<String, Vec<Version>>,
    reads: Vec<ReadDep>,
}

struct Engine<'a> {
    level: Level,
    s: &'a Schedule,
    versions: BTreeMap<String, Vec<Version>>,
    pending: Vec<BTreeMap<String, i64>>,
    snapshot: Vec<Option<usize>>,
    seq: usize,
    xlock: BTreeMap<String, usize>,
    slock: BTreeMap<String, BTreeSet<usize>>,
    plock: Vec<(String, usize)>,
    vars: Vec<BTreeMap<String, i64>>,
    state: Vec<State>,
    waits: Vec<BTreeSet<usize>>,
    backlog: Vec<Vec<Op>>,
    blocked_order: Vec<usize>,
    seen: Vec<Vec<Seen>>,
    events: Vec<Event>,
    reads: Vec<ReadDep>,
}

enum Try {
    Done(String),
    Wait(BTreeSet<usize>),
    Abort(String),
}

/// Every key a schedule touches.
fn keys_of(s: &Schedule) -> BTreeSet<String> {
    let mut k: BTreeSet<String> = s.initial.keys().cloned().collect();
    for (_, op) in &s.steps {
        match op {
            Op::Read { key, .. }
            | Op::Write { key, .. }
            | Op::WriteIf { key, .. }
            | Op::Insert { key, .. } => {
                k.insert(key.clone());
            }
            _ => {}
        }
    }
    k
}

impl<'a> Engine<'a> {
    fn new(level: Level, s: &'a Schedule) -> Engine<'a> {
        let versions = keys_of(s)
            .into_iter()
            .map(|k| {
                let v = s.initial.get(&k).copied();
                (
                    k,
                    vec![Version {
                        value: v,
                        writer: None,
                        seq: 0,
                    }],
                )
            })
            .collect();
        let n = s.txns;
        Engine {
            level,
            s,
            versions,
            pending: vec![BTreeMap::new(); n],
            snapshot: vec![None; n],
            seq: 0,
            xlock: BTreeMap::new(),
            slock: BTreeMap::new(),
            plock: Vec::new(),
            vars: vec![BTreeMap::new(); n],
            state: vec![State::Active; n],
            waits: vec![BTreeSet::new(); n],
            backlog: vec![Vec::new(); n],
            blocked_order: Vec::new(),
            seen: vec![Vec::new(); n],
            events: Vec::new(),
            reads: Vec::new(),
        }
    }

    /// The committed version of `key` transaction `t` sees (index), by the level's rule.
    fn visible(&self, t: usize, key: &str) -> usize {
        let vs = &self.versions[key];
        match (self.level, self.snapshot[t]) {
            (Level::Snapshot, Some(snap)) => vs.iter().rposition(|v| v.seq <= snap).unwrap_or(0),
            _ => vs.len() - 1,
        }
    }

    fn value(&mut self, t: usize, key: &str) -> Option<i64> {
        if let Some(v) = self.pending[t].get(key) {
            return Some(*v);
        }
        let i = self.visible(t, key);
        self.reads.push(ReadDep {
            txn: t,
            key: key.into(),
            version: i,
        });
        self.versions[key][i].value
    }

    fn others_x(&self, t: usize, key: &str) -> BTreeSet<usize> {
        self.xlock
            .get(key)
            .filter(|h| **h != t)
            .copied()
            .into_iter()
            .collect()
    }

    fn attempt(&mut self, t: usize, op: &Op) -> Try {
        if self.snapshot[t].is_none() {
            self.snapshot[t] = Some(self.seq);
        }
        let twopl = self.level == Level::Serializable;
        match op {
            Op::Read { key, var } => {
                if twopl {
                    let w = self.others_x(t, key);
                    if !w.is_empty() {
                        return Try::Wait(w);
                    }
                    self.slock.entry(key.clone()).or_default().insert(t);
                }
                let v = self.value(t, key);
                self.seen[t].push(Seen::Item {
                    key: key.clone(),
                    value: v,
                });
                if let Some(v) = v {
                    self.vars[t].insert(var.clone(), v);
                }
                Try::Done(match v {
                    Some(v) => format!("reads {v}"),
                    None => "no row".into(),
                })
            }
            Op::Count { prefix, var } => {
                let keys: Vec<String> = self
                    .versions
                    .keys()
                    .filter(|k| k.starts_with(prefix.as_str()))
                    .cloned()
                    .collect();
                if twopl {
                    let w: BTreeSet<usize> =
                        keys.iter().flat_map(|k| self.others_x(t, k)).collect();
                    if !w.is_empty() {
                        return Try::Wait(w);
                    }
                    self.plock.push((prefix.clone(), t));
                }
                let n = keys
                    .iter()
                    .filter(|k| self.value(t, k).is_some_and(|v| v >= 1))
                    .count() as i64;
                self.seen[t].push(Seen::Count {
                    prefix: prefix.clone(),
                    n,
                });
                self.vars[t].insert(var.clone(), n);
                Try::Done(format!("counts {n}"))
            }
            Op::Write { key, .. } | Op::WriteIf { key, .. } | Op::Insert { key, .. } => {
                let value = match op {
                    Op::Write { var, add, .. } => self.vars[t].get(var).copied().unwrap_or(0) + add,
                    Op::WriteIf {
                        value,
                        var,
                        at_least,
                        ..
                    } => {
                        if self.vars[t].get(var).copied().unwrap_or(0) < *at_least {
                            return Try::Done("condition false: not sent".into());
                        }
                        *value
                    }
                    Op::Insert { value, .. } => *value,
                    _ => 0,
                };
                let mut w = self.others_x(t, key);
                if twopl {
                    w.extend(
                        self.slock
                            .get(key)
                            .into_iter()
                            .flatten()
                            .filter(|h| **h != t),
                    );
                    w.extend(
                        self.plock
                            .iter()
                            .filter(|(p, h)| *h != t && key.starts_with(p.as_str()))
                            .map(|(_, h)| *h),
                    );
                }
                if !w.is_empty() {
                    return Try::Wait(w);
                }
                if self.level == Level::Snapshot {
                    let last = self.versions[key].last().map_or(0, |v| v.seq);
                    if last > self.snapshot[t].unwrap_or(0) {
                        return Try::Abort(
                            "ERROR: could not serialize access due to concurrent update".into(),
                        );
                    }
                }
                self.xlock.insert(key.clone(), t);
                self.pending[t].insert(key.clone(), value);
                Try::Done(format!("sets {key} = {value}"))
            }
            Op::Commit => {
                self.seq += 1;
                let writes = std::mem::take(&mut self.pending[t]);
                for (k, v) in writes {
                    if let Some(vs) = self.versions.get_mut(&k) {
                        vs.push(Version {
                            value: Some(v),
                            writer: Some(t),
                            seq: self.seq,
                        });
                    }
                }
                self.release(t, State::Committed);
                Try::Done("commits".into())
            }
        }
    }

    fn release(&mut self, t: usize, to: State) {
        self.state[t] = to;
        if self.state[t] == State::Aborted {
            self.pending[t].clear();
        }
        self.xlock.retain(|_, h| *h != t);
        for s in self.slock.values_mut() {
            s.remove(&t);
        }
        self.plock.retain(|(_, h)| *h != t);
        self.backlog[t].clear();
        self.blocked_order.retain(|x| *x != t);
    }

    fn deadlocked(&self, t: usize) -> bool {
        // Does anything t waits for (transitively) wait for t?
        let mut stack: Vec<usize> = self.waits[t].iter().copied().collect();
        let mut seen = BTreeSet::new();
        while let Some(u) = stack.pop() {
            if u == t {
                return true;
            }
            if seen.insert(u) && self.state[u] == State::Blocked {
                stack.extend(self.waits[u].iter().copied());
            }
        }
        false
    }

    /// Runs `op` for `t` now; returns true if it completed (or aborted the transaction).
    fn step(&mut self, t: usize, op: &Op, resumed: bool) -> bool {
        let shown = op.shown();
        match self.attempt(t, op) {
            Try::Done(out) => {
                self.events.push(Event {
                    txn: t,
                    op: shown,
                    outcome: if resumed {
                        format!("{out} (after waiting)")
                    } else {
                        out
                    },
                });
                true
            }
            Try::Abort(why) => {
                self.events.push(Event {
                    txn: t,
                    op: shown,
                    outcome: format!("{why}: T{} rolls back", t + 1),
                });
                self.release(t, State::Aborted);
                true
            }
            Try::Wait(on) => {
                self.waits[t] = on.clone();
                self.state[t] = State::Blocked;
                if self.deadlocked(t) {
                    self.events.push(Event {
                        txn: t,
                        op: shown,
                        outcome: format!("ERROR: deadlock detected: T{} rolls back", t + 1),
                    });
                    self.release(t, State::Aborted);
                    return true;
                }
                if !resumed {
                    let names: Vec<String> = on.iter().map(|u| format!("T{}", u + 1)).collect();
                    self.events.push(Event {
                        txn: t,
                        op: shown,
                        outcome: format!("waits for {}", names.join(", ")),
                    });
                }
                if !self.blocked_order.contains(&t) {
                    self.blocked_order.push(t);
                }
                false
            }
        }
    }

    fn wake(&mut self) {
        loop {
            let mut progressed = false;
            for t in self.blocked_order.clone() {
                if self.state[t] != State::Blocked {
                    continue;
                }
                self.state[t] = State::Active;
                while let Some(op) = self.backlog[t].first().cloned() {
                    if self.step(t, &op, true) {
                        if !self.backlog[t].is_empty() {
                            self.backlog[t].remove(0);
                        }
                        progressed = true;
                        if self.state[t] != State::Active {
                            break;
                        }
                    } else {
                        break;
                    }
                }
                if self.state[t] == State::Active {
                    self.blocked_order.retain(|x| *x != t);
                }
            }
            if !progressed {
                return;
            }
        }
    }

    fn run(mut self) -> Run {
        for (t, op) in &self.s.steps {
            let t = *t;
            match self.state[t] {
                State::Committed | State::Aborted => {
                    self.events.push(Event {
                        txn: t,
                        op: op.shown(),
                        outcome: "not sent (rolled back)".into(),
                    });
                    continue;
                }
                State::Blocked => {
                    self.backlog[t].push(op.clone());
                    continue;
                }
                State::Active => {}
            }
            if !self.step(t, op, false) {
                self.backlog[t] = vec![op.clone()];
            }
            self.wake();
        }
        let table = self
            .versions
            .iter()
            .filter_map(|(k, vs)| vs.last().and_then(|v| v.value).map(|v| (k.clone(), v)))
            .collect();
        Run {
            observed: Observed {
                seen: self.seen,
                committed: self.state.iter().map(|s| *s == State::Committed).collect(),
                table,
            },
            events: self.events,
            versions: self.versions,
            reads: self.reads,
        }
    }
}

/// Runs `s` at `level`.
pub fn run(s: &Schedule, level: Level) -> Run {
    Engine::new(level, s).run()
}

/// A third view, for the tests and cross-checks: whether some serial order of the committed
/// transactions, each run alone on a plain map, gives every value they read and the final table.
pub fn serial_replay_matches(s: &Schedule, o: &Observed) -> bool {
    let committed: Vec<usize> = (0..s.txns).filter(|t| o.committed[*t]).collect();
    permutations(&committed).into_iter().any(|order| {
        let mut table: BTreeMap<String, i64> = s.initial.clone();
        let mut seen = vec![Vec::new(); s.txns];
        for t in &order {
            let mut vars: BTreeMap<&str, i64> = BTreeMap::new();
            for (_, op) in s.steps.iter().filter(|(u, _)| u == t) {
                match op {
                    Op::Read { key, var } => {
                        let v = table.get(key).copied();
                        seen[*t].push(Seen::Item {
                            key: key.clone(),
                            value: v,
                        });
                        if let Some(v) = v {
                            vars.insert(var, v);
                        }
                    }
                    Op::Count { prefix, var } => {
                        let n = table
                            .iter()
                            .filter(|(k, v)| k.starts_with(prefix.as_str()) && **v >= 1)
                            .count() as i64;
                        seen[*t].push(Seen::Count {
                            prefix: prefix.clone(),
                            n,
                        });
                        vars.insert(var, n);
                    }
                    Op::Write { key, var, add } => {
                        table.insert(
                            key.clone(),
                            vars.get(var.as_str()).copied().unwrap_or(0) + add,
                        );
                    }
                    Op::WriteIf {
                        key,
                        value,
                        var,
                        at_least,
                    } => {
                        if vars.get(var.as_str()).copied().unwrap_or(0) >= *at_least {
                            table.insert(key.clone(), *value);
                        }
                    }
                    Op::Insert { key, value } => {
                        table.insert(key.clone(), *value);
                    }
                    Op::Commit => {}
                }
            }
        }
        table == o.table && order.iter().all(|t| seen[*t] == o.seen[*t])
    })
}

fn permutations(xs: &[usize]) -> Vec<Vec<usize>> {
    if xs.len() <= 1 {
        return vec![xs.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..xs.len() {
        let mut rest = xs.to_vec();
        let x = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

/// The second route: the dependency graph of the committed transactions of a run (ww between
/// successive versions, wr from a version's writer to its readers, rw from a reader to the
/// writers of later versions of what it read, predicates included), tested for a cycle.
pub fn has_cycle(r: &Run, txns: usize) -> bool {
    let committed = &r.observed.committed;
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    for vs in r.versions.values() {
        for w in vs.windows(2) {
            if let (Some(a), Some(b)) = (w[0].writer, w[1].writer) {
                edges.insert((a, b));
            }
        }
    }
    for d in &r.reads {
        let vs = &r.versions[&d.key];
        if let Some(w) = vs[d.version].writer {
            edges.insert((w, d.txn));
        }
        for later in &vs[d.version + 1..] {
            if let Some(w) = later.writer {
                edges.insert((d.txn, w));
            }
        }
    }
    let adj = |a: usize| -> Vec<usize> {
        edges
            .iter()
            .filter(|(x, y)| *x == a && x != y && committed[*x] && committed[*y])
            .map(|e| e.1)
            .collect()
    };
    // Depth-first search with colours.
    fn visit(a: usize, adj: &dyn Fn(usize) -> Vec<usize>, colour: &mut Vec<u8>) -> bool {
        colour[a] = 1;
        for b in adj(a) {
            if colour[b] == 1 || (colour[b] == 0 && visit(b, adj, colour)) {
                return true;
            }
        }
        colour[a] = 2;
        false
    }
    let mut colour = vec![0u8; txns];
    (0..txns).any(|a| committed[a] && colour[a] == 0 && visit(a, &adj, &mut colour))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(initial: &[(&str, i64)], txns: usize, steps: Vec<(usize, Op)>) -> Schedule {
        Schedule {
            initial: initial.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            txns,
            steps,
            constant_sum: None,
        }
    }
    fn r(k: &str, v: &str) -> Op {
        Op::Read {
            key: k.into(),
            var: v.into(),
        }
    }
    fn w(k: &str, v: &str, add: i64) -> Op {
        Op::Write {
            key: k.into(),
            var: v.into(),
            add,
        }
    }

    /// Write skew, as Berenson et al. (SIGMOD 1995, A5B) and Fekete et al. (TODS 2005) give it:
    /// two doctors on call, each transaction checks that two are on call and takes one off.
    fn write_skew() -> Schedule {
        let c = |v: &str| Op::Count {
            prefix: "oncall/".into(),
            var: v.into(),
        };
        let off = |k: &str, v: &str| Op::WriteIf {
            key: k.into(),
            value: 0,
            var: v.into(),
            at_least: 2,
        };
        sched(
            &[("oncall/alice", 1), ("oncall/bob", 1)],
            2,
            vec![
                (0, c("n")),
                (1, c("n")),
                (0, off("oncall/alice", "n")),
                (1, off("oncall/bob", "n")),
                (0, Op::Commit),
                (1, Op::Commit),
            ],
        )
    }

    #[test]
    fn write_skew_is_allowed_by_snapshot_isolation_and_forbidden_by_serializable() {
        let s = write_skew();
        let si = run(&s, Level::Snapshot);
        assert_eq!(anomalies(&s, &si.observed), [Anomaly::WriteSkew].into());
        assert!(has_cycle(&si, 2));
        let ser = run(&s, Level::Serializable);
        assert!(anomalies(&s, &ser.observed).is_empty());
        assert_eq!(
            ser.observed.committed.iter().filter(|c| **c).count(),
            1,
            "2PL deadlocks; one rolls back"
        );
        assert!(!has_cycle(&ser, 2));
    }

    #[test]
    fn lost_update_under_read_committed_only() {
        // Hermitage's P4 test (Kleppmann, 2014): both read 100, both write their increment.
        let s = sched(
            &[("x", 100)],
            2,
            vec![
                (0, r("x", "a")),
                (1, r("x", "a")),
                (0, w("x", "a", 10)),
                (1, w("x", "a", 20)),
                (0, Op::Commit),
                (1, Op::Commit),
            ],
        );
        let rc = run(&s, Level::ReadCommitted);
        assert_eq!(
            rc.observed.table["x"], 120,
            "T2 waits for T1, then overwrites 110 with 120"
        );
        assert_eq!(anomalies(&s, &rc.observed), [Anomaly::LostUpdate].into());
        let si = run(&s, Level::Snapshot);
        assert_eq!(
            si.observed.committed,
            vec![true, false],
            "first committer wins"
        );
        assert!(anomalies(&s, &si.observed).is_empty());
        let ser = run(&s, Level::Serializable);
        assert!(anomalies(&s, &ser.observed).is_empty());
    }

    #[test]
    fn non_repeatable_reads_and_phantoms_under_read_committed() {
        let s = sched(
            &[("x", 1)],
            2,
            vec![
                (0, r("x", "a")),
                (1, r("x", "b")),
                (1, w("x", "b", 5)),
                (1, Op::Commit),
                (0, r("x", "c")),
                (0, Op::Commit),
            ],
        );
        assert_eq!(
            anomalies(&s, &run(&s, Level::ReadCommitted).observed),
            [Anomaly::NonRepeatableRead].into()
        );
        assert!(anomalies(&s, &run(&s, Level::Snapshot).observed).is_empty());
        let c = |v: &str| Op::Count {
            prefix: "order/".into(),
            var: v.into(),
        };
        let s = sched(
            &[("order/1", 1)],
            2,
            vec![
                (0, c("a")),
                (
                    1,
                    Op::Insert {
                        key: "order/2".into(),
                        value: 1,
                    },
                ),
                (1, Op::Commit),
                (0, c("b")),
                (0, Op::Commit),
            ],
        );
        assert_eq!(
            anomalies(&s, &run(&s, Level::ReadCommitted).observed),
            [Anomaly::Phantom].into()
        );
        assert!(anomalies(&s, &run(&s, Level::Snapshot).observed).is_empty());
        let ser = run(&s, Level::Serializable);
        assert!(anomalies(&s, &ser.observed).is_empty());
        assert!(
            ser.events.iter().any(|e| e.outcome.starts_with("waits")),
            "the insert waits for the predicate lock"
        );
    }
}
