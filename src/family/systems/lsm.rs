//! `systems.lsm`: write amplification of an LSM tree under leveled and tiered compaction.
//!
//! **Asked** (`ask`):
//! - `leveled`: bytes written to disk per byte of user data under leveled compaction with size
//!   ratio T (each level one sorted run, merged whole into the next when it overflows);
//! - `tiered`: the same under tiered compaction (each level collects T runs, then merges them
//!   into one run of the next level);
//! - `compare`: how many times more leveled compaction writes than tiered.
//!
//! **Parameters.** `ratio` T: 4–10; `memtable_mb` M: 16–256; `data_gb` N: 1–200 (unique keys,
//! no overwrites or deletes, so merges never shrink data); the write-ahead log is counted as one
//! write of every byte.
//!
//! **Key.** A simulation: the memtable flushes every M bytes into level 0; under leveling, a level
//! i ≥ 1 holds one run of capacity M·T^i and a level that would exceed its capacity is merged,
//! whole, into the next level, rewriting that level's run plus the incoming data; under tiering,
//! T runs at a level merge into one run at the next. Every byte written (log, flush, merges) is
//! counted.
//!
//! **Second route.** The closed forms with L = log_T(n) for n flushes: leveling writes T/2 per
//! byte at level 1 (it rewrites itself with 1, 2, …, T memtables) and (T − 1)/2 per byte at each
//! deeper level, tiering 1 per byte per completed level, plus the log and the flush. The
//! simulation must agree within 25% (partly filled levels make the closed form approximate).
//!
//! **Pitfalls**: leveling rewrites the next level on every merge; tiering trades write for read
//! amplification; forgetting the log and the flush.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Lsm;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "leveled: write amplification with leveling; tiered: with tiering; compare: leveled over tiered",
        kind: ParamKind::Choice { options: &["leveled", "tiered", "compare"], draw: [&["leveled", "tiered"], &["leveled", "tiered", "compare"], &["leveled", "compare"]] },
    },
    ParamSpec { key: "ratio", help: "size ratio T between levels", kind: ParamKind::Int { min: 2, max: 20, draw: [(4, 10), (4, 10), (4, 10)] } },
    ParamSpec { key: "memtable_mb", help: "memtable (level 0 run) size, MB", kind: ParamKind::Int { min: 1, max: 4096, draw: [(32, 128), (16, 256), (16, 256)] } },
    ParamSpec { key: "data_gb", help: "unique data written, GB", kind: ParamKind::Int { min: 1, max: 1000, draw: [(1, 20), (1, 100), (10, 200)] } },
];

static ASKS: &[Ask] = &[
    Ask::new("leveled", [4, 5, 6], &["lsm-compaction"]),
    Ask::new("tiered", [4, 5, 6], &["lsm-compaction"]),
    Ask::new("compare", [5, 6, 7], &["lsm-compaction"]),
];

/// What a simulation counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Bytes written, in memtable units (log and flush included).
    pub written: f64,
    /// Levels below level 0 that hold data at the end.
    pub levels: u32,
}

/// Simulates `flushes` memtable flushes (data in memtable units), leveled or tiered, ratio `t`.
pub fn simulate(flushes: u64, t: u64, leveled: bool) -> Outcome {
    let mut written = 0.0;
    // Leveled: size of each level's single run. Tiered: the runs at each level.
    let mut size: Vec<f64> = Vec::new();
    let mut runs: Vec<Vec<f64>> = Vec::new();
    for _ in 0..flushes {
        written += 2.0; // the log, then the flush of the memtable into a level-0 run
        if leveled {
            // Level 0 holds one run; it merges into level 1 at once (capacity 1 memtable).
            let mut incoming = 1.0;
            let mut i = 0;
            loop {
                if size.len() <= i {
                    size.push(0.0);
                }
                let cap = (t as f64).powi(i as i32 + 1);
                let merged = size[i] + incoming;
                written += merged; // the level's run rewritten with the incoming data
                if merged <= cap + 1e-9 {
                    size[i] = merged;
                    break;
                }
                // Over capacity: the whole level moves down.
                size[i] = 0.0;
                written -= merged; // nothing stays here; it is written once, below
                incoming = merged;
                i += 1;
            }
        } else {
            let mut incoming = 1.0;
            let mut i = 0;
            loop {
                if runs.len() <= i {
                    runs.push(Vec::new());
                }
                runs[i].push(incoming);
                if (runs[i].len() as u64) < t {
                    break;
                }
                incoming = runs[i].drain(..).sum();
                written += incoming; // the T runs merged into one run of the next level
                i += 1;
            }
        }
    }
    let levels = if leveled { size.iter().filter(|s| **s > 0.0).count() } else { runs.iter().filter(|r| !r.is_empty()).count() } as u32;
    let levels = if leveled { size.len() as u32 } else { levels.max(runs.len() as u32) };
    Outcome { written, levels }
}

/// (leveled, tiered, levels) estimates for `n` flushes at ratio `t`.
/// Leveling: level 1 takes runs of 1 memtable and rewrites itself 1 + 2 + … + T times per
/// T + 1 memtables, T/2 per byte; every deeper level takes T − 1 runs of the level above before
/// it overflows, (T − 1)/2 per byte; with fewer than T flushes, (n + 1)/2.
fn closed_forms(n: u64, t: u64) -> (f64, f64, u32) {
    let (tf, l) = (t as f64, ((n as f64).ln() / (t as f64).ln() + 1e-9).max(0.0));
    let leveled = if n <= t { 2.0 + (n as f64 + 1.0) / 2.0 } else { 2.0 + tf / 2.0 + (l - 1.0) * (tf - 1.0) / 2.0 };
    (leveled, 2.0 + l.floor(), l.ceil() as u32)
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    t: u64,
    memtable_mb: u64,
    data_gb: u64,
    leveled: Outcome,
    tiered: Outcome,
}

impl Scenario {
    fn flushes(&self) -> u64 {
        (self.data_gb * 1000).div_ceil(self.memtable_mb)
    }
    fn wa(&self, o: Outcome) -> f64 {
        o.written / self.flushes() as f64
    }
    fn key(&self) -> f64 {
        match self.ask.as_str() {
            "leveled" => self.wa(self.leveled),
            "tiered" => self.wa(self.tiered),
            _ => self.wa(self.leveled) / self.wa(self.tiered),
        }
    }
    /// The closed forms of [`closed_forms`] for this scenario.
    fn closed(&self) -> (f64, f64, u32) {
        closed_forms(self.flushes(), self.t)
    }
}

impl Family for Lsm {
    fn id(&self) -> &'static str {
        "systems.lsm"
    }
    fn version(&self) -> u32 {
        1
    }
    fn topic(&self) -> Topic {
        Topic::Systems
    }
    fn title(&self) -> &'static str {
        "LSM trees: write amplification of leveled and tiered compaction"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "write amplification under leveled or tiered compaction with size ratio T, and leveled over tiered",
            key: "a compaction simulation counting every byte written (log, flush, merges)",
            second_route: "closed forms 2 + T/2 + (L − 1)(T − 1)/2 and 2 + ⌊L⌋, within 25%",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let t = cx.int("ratio") as u64;
        let mem = cx.int("memtable_mb") as u64;
        let gb = cx.int("data_gb") as u64;
        let flushes = (gb * 1000).div_ceil(mem);
        if flushes > 200_000 {
            return Err(GenError::Params { message: format!("{gb} GB in {mem} MB memtables is {flushes} flushes"), hint: "use a larger memtable or less data (at most 200,000 flushes)".into() });
        }
        let mut s = Scenario { ask: ask.into(), t, memtable_mb: mem, data_gb: gb, leveled: simulate(flushes, t, true), tiered: simulate(flushes, t, false) };
        let _ = &mut s;
        let key = s.key();
        let (cl, ct, levels) = s.closed();
        let setting = format!("A key-value store writes **{gb} GB** of new, unique keys (no overwrites or deletes) into an LSM tree. Each write goes to the write-ahead log and a **{mem} MB** memtable; a full memtable is flushed as a sorted run. Below it, level i holds up to {mem} MB × **{t}**^i. Count the log and the flush as one write of each byte each.");
        let (prompt, hand, what) = match ask {
            "leveled" => (format!("{setting} With **leveled** compaction each level is one sorted run, and a flush or merge into a level rewrites that level's whole run together with the incoming data; a level that would exceed its capacity moves down whole. About how many bytes reach the disk per byte written by the application (the write amplification)?"), cl, "write amplification"),
            "tiered" => (format!("{setting} With **tiered** compaction each level collects {t} runs, then merges them into one run on the next level. About how many bytes reach the disk per byte written by the application (the write amplification)?"), ct, "write amplification"),
            _ => (format!("{setting} Under **leveled** compaction each level is one run, rewritten with every merge into it; under **tiered** compaction each level collects {t} runs before merging them into the next. How many times more does leveling write than tiering?"), cl / ct, "leveled over tiered"),
        };
        let prompt = Content::new().p(prompt).p("Give an estimate within ±25%.");
        let slot = AnswerSlot::new(what, Expected::rel(key, 0.25)).by_hand(format!("$2 + T / 2 + (L - 1)(T - 1) / 2$ for leveling, $2 + floor(L)$ for tiering, $L = log_T {flushes}$"), hand);
        let solution = Content::new()
            .p(format!("{flushes} flushes of {mem} MB make $L = log_{t} {flushes} = {}$ levels' worth of merging ({levels} levels reached). Leveling: level 1 rewrites itself with each of T memtables before it overflows, T/2 writes per byte; each deeper level takes T − 1 runs of the level above, rewriting itself each time, (T − 1)/2 per byte; tiering writes each byte once per completed level.", fmt_sig((flushes as f64).ln() / (t as f64).ln(), 3)))
            .p(format!("Estimates (log and flush included): leveled about {}, tiered about {} (T = {}); simulated: leveled **{}**, tiered **{}**.", fmt_sig(cl, 3), fmt_sig(ct, 3), num(t as f64), fmt_sig(s.wa(s.leveled), 3), fmt_sig(s.wa(s.tiered), 3)));
        let evidence = Content::new().p(format!("Simulated {flushes} flushes: leveled compaction wrote {} memtables' worth over {} levels, tiered {} over {} levels.", fmt_sig(s.leveled.written, 5), s.leveled.levels, fmt_sig(s.tiered.written, 5), s.tiered.levels));
        let q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&s)
            .contrast(Contrast::new("leveled vs tiered", fmt_sig(s.wa(s.leveled), 2), fmt_sig(s.wa(s.tiered), 2)))
            .followup(FollowUp::new("What does tiering pay for its lower write amplification?", format!("Reads and space: a lookup may check up to {t} runs per level instead of one, and duplicates of a key can sit in several runs until they merge.")).point("RocksDB's universal vs leveled compaction"))
            .followup(FollowUp::new("What would a larger size ratio do to leveling?", format!("Fewer levels but more rewriting per level: with T = {} it writes about {} per byte here.", t * 2, fmt_sig(Scenario { ask: "leveled".into(), t: t * 2, memtable_mb: mem, data_gb: gb, leveled: simulate(flushes, t * 2, true), tiered: s.tiered }.wa(simulate(flushes, t * 2, true)), 3))));
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let key = q.expected_real(0)?;
        if (key - s.key()).abs() > 1e-9 * key {
            return Err(CheckError(format!("key {key}, scenario gives {}", s.key())));
        }
        let (cl, ct, _) = s.closed();
        let close = |sim: f64, c: f64, what: &str| if (sim - c).abs() <= 0.25 * sim { Ok(()) } else { Err(CheckError(format!("{what}: simulated {sim}, closed form {c}"))) };
        close(s.wa(s.leveled), cl, "leveled")?;
        close(s.wa(s.tiered), ct, "tiered")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{cross_check, generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Lsm, 0..30).unwrap();
    }

    #[test]
    fn hand_traced_small_trees() {
        // Tiering, T = 2, 4 flushes: log + flush = 8; merges write 2 (after flush 2), 2 (after
        // 4, level 1) and 4 (level 2): 16 in all, 4 per byte = 2 + 2 levels.
        assert_eq!(simulate(4, 2, false).written, 16.0);
        // Leveling, T = 2 (level 1 holds 2, level 2 holds 4), 4 flushes: flush 1 rewrites
        // level 1 (1); flush 2: level 1 becomes 2 (2); flush 3: 3 > 2 moves down to level 2
        // (3); flush 4: level 1 = 1 (1). Plus log and flush 8: 15.
        assert_eq!(simulate(4, 2, true).written, 15.0);
    }

    #[test]
    #[ignore = "prints the simulation against the closed forms"]
    fn table() {
        for t in [2u64, 4, 6, 10] {
            for n in [3u64, 10, 50, 100, 500, 1000, 5000, 20_000, 100_000] {
                let s = Scenario { ask: "leveled".into(), t, memtable_mb: 1, data_gb: 0, leveled: simulate(n, t, true), tiered: simulate(n, t, false) };
                let f = n as f64;
                let (cl, ct, _) = closed_forms(n, t);
                println!("T={t} n={n}: leveled {:.3} ~ {cl:.3}, tiered {:.3} ~ {ct:.3}", s.leveled.written / f, s.tiered.written / f);
            }
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Lsm, &["ask=leveled".into(), "ratio=10".into(), "memtable_mb=100".into(), "data_gb=100".into()]).unwrap();
        let q = generate(&Lsm, 1, Difficulty::Medium, &pins).unwrap();
        assert!(q.prompt.plain_text().contains("100 GB"));
        crate::family::cross_check(&Lsm, &q).unwrap();
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&Lsm, 2, Difficulty::Hard, &Default::default()).unwrap();
        cross_check(&Lsm, &q).unwrap();
        q.slots[0].expected = Expected::rel(q.expected_real(0).unwrap() * 1.5, 0.25);
        assert!(cross_check(&Lsm, &q).is_err());
    }
}
