//! `filesystem.buffered_writes`: how many write(2) system calls a user-space buffer saves.
//!
//! **Asked**: the number of write(2) calls made when N records are written through a buffered
//! writer of capacity c bytes and then flushed. The policy (Rust's `BufWriter`, and stdio's in
//! spirit): a record that fits in the free space is copied into the buffer; otherwise the buffer
//! is flushed first (one call, if it holds anything); a record of c bytes or more then goes
//! straight to the file (one call) instead of through the buffer. The final flush makes one more
//! call if the buffer holds anything.
//!
//! **Parameters**: `records` N (easy 10–100, medium 100–10,000, hard 100–2,000); `size` r
//! (easy 16–128 dividing c, medium 10–500, hard 50–2,000); `capacity` c (easy 256–4,096,
//! halved at easy until the log fills it at least three times; medium 1,024–8,192, hard
//! 1,024–8,192); hard also makes every k-th record `big` (larger than c), which flushes and
//! bypasses the buffer. At most 16 MiB written per question. A draw whose answer is 1 or 2 calls
//! (the log fits in one or two buffers) is a flaw and is redrawn.
//!
//! **Key.** The records are really written with `std::io::BufWriter` over a file in a scratch
//! directory; a wrapper counts the write(2) calls reaching the descriptor, and the file's final
//! size is checked to be the total bytes.
//!
//! **Second route.** An independent re-implementation of the policy (counting only), and for
//! uniform records the closed form: r ≥ c gives N calls; otherwise ⌈N / ⌊c/r⌋⌉.
//!
//! **Pitfalls**: N·r/c (ignores the space wasted when r does not divide c); forgetting the final
//! flush; thinking a big record is split through the buffer.

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::filesystem::fsquiz;
use crate::family::{About, Ask, CheckError, Contrast, Ctx, Difficulty, Family, FollowUp, GenError, ParamKind, ParamSpec, ParamValue, Question, Topic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::io::Write;

/// The family.
pub struct BufferedWrites;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "records",
        help: "number of records N",
        kind: ParamKind::Int { min: 1, max: 1_000_000, draw: [(10, 100), (100, 10_000), (100, 2_000)] },
    },
    ParamSpec {
        key: "size",
        help: "record size r in bytes",
        kind: ParamKind::Int { min: 1, max: 1 << 20, draw: [(16, 128), (10, 500), (50, 2_000)] },
    },
    ParamSpec {
        key: "capacity",
        help: "buffer capacity c in bytes",
        kind: ParamKind::Int { min: 1, max: 1 << 20, draw: [(256, 4_096), (1_024, 8_192), (1_024, 8_192)] },
    },
    ParamSpec {
        key: "big_every",
        help: "every k-th record is big (larger than the buffer); 0 for none",
        kind: ParamKind::Int { min: 0, max: 1_000, draw: [(0, 0), (0, 0), (3, 12)] },
    },
];

const MAX_BYTES: u64 = 16 << 20;

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    capacity: usize,
    /// Compact description for the prompt: (N, r, big size, every k).
    n: usize,
    r: usize,
    big: usize,
    every: usize,
    /// The follow-up: write(2) calls with a buffer twice as large, counted by a real run.
    #[serde(default)]
    double_calls: u64,
}

fn sizes(n: usize, r: usize, big: usize, every: usize) -> Vec<usize> {
    (1..=n).map(|i| if every > 0 && i % every == 0 { big } else { r }).collect()
}

/// A file that counts the write calls reaching it.
struct Counting {
    file: std::fs::File,
    calls: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.calls += 1;
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Route 1: real writes through `BufWriter`; returns (write calls, final file size).
fn run_real(sizes: &[usize], capacity: usize) -> Result<(u64, u64), String> {
    let dir = tempfile::Builder::new().prefix("groundwork-buf-").tempdir().map_err(|e| format!("cannot create a scratch directory: {e}"))?;
    let path = dir.path().join("out.log");
    let file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
    let mut w = std::io::BufWriter::with_capacity(capacity, Counting { file, calls: 0 });
    let chunk = vec![b'x'; sizes.iter().copied().max().unwrap_or(0)];
    for &s in sizes {
        w.write_all(&chunk[..s]).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    let inner = w.into_inner().map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    Ok((inner.calls, size))
}

/// Route 2: the policy re-implemented, counting only.
fn count_calls(sizes: &[usize], capacity: usize) -> u64 {
    let (mut used, mut calls) = (0usize, 0u64);
    for &s in sizes {
        if used + s > capacity && used > 0 {
            calls += 1;
            used = 0;
        }
        if s >= capacity {
            calls += 1;
        } else {
            used += s;
        }
    }
    calls + u64::from(used > 0)
}

impl Family for BufferedWrites {
    fn id(&self) -> &'static str {
        "filesystem.buffered_writes"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Filesystem
    }
    fn title(&self) -> &'static str {
        "Buffered writes: counting write(2) calls"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `big_every` = 0 (no big records) shows as "every record is r bytes".
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["big_every"]
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [2, 4, 6], &["write-buffering"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "write(2) calls through a user-space buffer, with records larger than it",
            key: "`std::io::BufWriter` over a counting file",
            second_route: "re-implemented policy; ⌈N/⌊c/r⌋⌉",
        }
    }

    fn flaws(&self, q: &Question) -> Vec<String> {
        let Ok(s) = q.scenario::<Scenario>() else {
            return vec!["the scenario does not parse".into()];
        };
        let calls = count_calls(&sizes(s.n, s.r, s.big, s.every), s.capacity);
        if calls < 3 {
            vec![format!("the whole log takes {calls} write(2) call(s): one or two buffers show nothing about grouping")]
        } else {
            Vec::new()
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let d = cx.difficulty();
        let n = cx.int("records") as usize;
        let mut capacity = cx.int("capacity") as usize;
        let mut r = cx.int("size") as usize;
        // A log of one or two records, or one that fits in one buffer with no big records, makes
        // one or two calls whatever the buffer: a pin that makes that certain is refused up
        // front rather than redrawn to the same flaw (big records come every 3rd or later).
        let pinned = ["records", "size", "capacity"].iter().any(|k| cx.is_pinned(k));
        let no_big = cx.int_bounds("big_every").1 == 0;
        let most_records = cx.int_bounds("records").1 as u64;
        let largest = if d == Difficulty::Easy && !cx.is_pinned("size") { 128 } else { cx.int_bounds("size").1 as u64 };
        let least_capacity = if cx.is_pinned("capacity") { capacity as u64 } else if d == Difficulty::Easy { 256 } else { (cx.int_bounds("capacity").0 as u64).next_power_of_two() };
        let plural = |n: u64, one: &str, many: &str| format!("{} {}", fsquiz::thousands(n), if n == 1 { one } else { many });
        if pinned && most_records <= 2 {
            return Err(GenError::Params {
                message: format!("{} {} one or two write(2) calls whatever the buffer: the question would show nothing about grouping", plural(most_records, "record", "records"), if most_records == 1 { "makes" } else { "make" }),
                hint: "pin more records, so the log fills the buffer at least three times".into(),
            });
        }
        if pinned && no_big && most_records.saturating_mul(largest) <= least_capacity {
            return Err(GenError::Params {
                message: format!(
                    "{} of at most {} fit in one buffer of {} or more: the log makes one write(2) call whatever the buffer",
                    plural(most_records, "record", "records"),
                    plural(largest, "byte", "bytes"),
                    plural(least_capacity, "byte", "bytes")
                ),
                hint: "pin more records, larger records or a smaller buffer, so the log fills the buffer at least three times".into(),
            });
        }
        if cx.is_pinned("capacity") {
            // Easy draws a record size of 16–128 bytes; the other difficulties their range.
            let smallest = if d == Difficulty::Easy && !cx.is_pinned("size") { 16 } else { cx.int_bounds("size").0 as usize };
            if smallest >= capacity {
                return Err(GenError::Params {
                    message: format!(
                        "a buffer of {} {} holds no record of {smallest} bytes or more: every record would go straight to the file, so the buffer would save no write(2) call",
                        fsquiz::thousands(capacity as u64),
                        if capacity == 1 { "byte" } else { "bytes" }
                    ),
                    hint: format!("pin a capacity larger than the record size (`size` is {smallest} bytes or more here)"),
                });
            }
        }
        if !cx.is_pinned("capacity") {
            capacity = capacity.next_power_of_two();
            cx.adjusted("capacity", ParamValue::Int(capacity as i64));
        }
        if d == Difficulty::Easy && !cx.is_pinned("size") {
            // Easy: a record size that divides the buffer.
            r = 1 << cx.rng().random_range(4..=7);
            cx.adjusted("size", ParamValue::Int(r as i64));
        }
        if d == Difficulty::Easy && !cx.is_pinned("capacity") {
            // Easy: a buffer the log fills at least three times, so the grouping shows.
            while capacity > 256 && capacity / r.max(1) * 3 > n {
                capacity /= 2;
            }
            cx.adjusted("capacity", ParamValue::Int(capacity as i64));
        }
        let every = cx.int("big_every") as usize;
        let big = capacity + capacity / 2 + cx.rng().random_range(0..64);
        let sizes = sizes(n, r, big, every);
        let total: u64 = sizes.iter().map(|s| *s as u64).sum();
        if total > MAX_BYTES {
            return Err(GenError::Params { message: format!("{total} bytes is more than this question writes (16 MiB)"), hint: "choose fewer or smaller records".into() });
        }
        let (calls, size) = run_real(&sizes, capacity).map_err(GenError::Run)?;
        if size != total {
            return Err(GenError::Run(format!("the file has {size} bytes, expected {total}")));
        }
        let bigs = n.checked_div(every).unwrap_or(0);
        let mut prompt = Content::new().p(format!(
            "A logger writes **{}** records through a user-space buffer of **{}** bytes, then flushes it once at the end. {}",
            fsquiz::thousands(n as u64),
            fsquiz::thousands(capacity as u64),
            if every > 0 {
                format!("Records number {every}, {}, {}, … (counting the first record as number 1) are **{}**-byte stack traces; the others are **{r}** bytes.", 2 * every, 3 * every, fsquiz::thousands(big as u64))
            } else {
                format!("Every record is **{r}** bytes.")
            }
        ));
        prompt = prompt
            .p("The buffer works like Rust's `BufWriter`: a record that fits in the free space is copied in; otherwise the buffer is flushed first with one write(2) (if it holds anything), and a record at least as large as the buffer is then written straight to the file with one write(2) instead of being copied.")
            .p("How many write(2) system calls reach the kernel, including the final flush?");
        let unbuffered = n as u64;
        let mut solution = Content::new();
        if every == 0 && r >= capacity {
            solution = solution.p(format!("Each {r}-byte record is at least the buffer size, so each goes straight through: **{calls}** calls, no saving."));
        } else if every == 0 {
            let k = capacity / r;
            solution = solution
                .p(format!("$floor({capacity} / {r}) = {k}$ records fit in the buffer{}; the next one does not fit, so the buffer is flushed first.", if !capacity.is_multiple_of(r) { format!(" ({} bytes stay unused)", capacity - k * r) } else { String::new() }))
                .p(format!("{} records in groups of {k}: $ceil({n} / {k}) = {calls}$, so **{calls}** write(2) calls (the last group is the final flush), against {} unbuffered.", fsquiz::thousands(n as u64), fsquiz::thousands(unbuffered)));
        } else {
            solution = solution
                .p(format!("Between two big records there are {} small ones; they fill the buffer in groups of $floor({capacity} / {r}) = {}$. Each big record first flushes what is buffered, then goes straight through with its own call.", every - 1, capacity / r.max(1)))
                .p(format!("{bigs} big records, and the small ones in each stretch flushed in groups: **{calls}** calls in all, against {} unbuffered.", fsquiz::thousands(unbuffered)));
        }
        let evidence = Content::new().p(format!(
            "Ran for real: {n} records written with std::io::BufWriter::with_capacity({capacity}) over a file in a scratch directory; a wrapper counted **{calls}** write calls reaching the descriptor; the file ended at {size} bytes ({total} expected)."
        ));
        // Follow-up: the same records through a buffer twice as large, run for real.
        let (double_calls, _) = run_real(&sizes, 2 * capacity).map_err(GenError::Run)?;
        Ok(Question::new(prompt, vec![AnswerSlot::new("write(2) calls", Expected::Integer { value: calls as i64 }).exact_by_hand()], solution, evidence)
            .contrast(Contrast::new("buffered vs unbuffered write(2) calls", calls, unbuffered))
            .followup(
                FollowUp::new(
                    format!("How many write(2) calls with {} {}-byte buffer instead?", crate::text::article((2 * capacity) as u64), 2 * capacity),
                    format!("**{double_calls}** (against {calls}){}", if every > 0 { ": the big records still go straight through, one call each, and each still flushes what is buffered first." } else { ": twice the records per flush, so about half the calls." }),
                )
                .point("a record at least as large as the buffer bypasses it; buffering only pays for records much smaller than the buffer"),
            )
            .followup(FollowUp::new(
                "The process crashes before the final flush. What is lost?",
                "Whatever sits in the user-space buffer (up to one buffer's worth of records): it never reached the kernel. Bytes already written with write(2) survive a process crash, though not a power cut without fsync.",
            ))
            .with_scenario(&Scenario { capacity, n, r, big, every, double_calls }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let sizes = sizes(s.n, s.r, s.big, s.every);
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("expected an integer".into()));
        };
        CheckError::expect_eq("calls (re-implemented policy)", *value as u64, count_calls(&sizes, s.capacity))?;
        CheckError::expect_eq("follow-up calls with a doubled buffer (re-implemented policy)", s.double_calls, count_calls(&sizes, 2 * s.capacity))?;
        if s.every == 0 {
            let closed = if s.r >= s.capacity { s.n as u64 } else { (s.n as u64).div_ceil((s.capacity / s.r) as u64) };
            CheckError::expect_eq("calls (closed form)", *value as u64, closed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&BufferedWrites, 0..30).unwrap();
    }

    #[test]
    fn hand_counted() {
        // 10 records of 100 bytes, buffer 256: two fit (200), the third flushes → groups of 2 → 5.
        assert_eq!(run_real(&[100; 10], 256).unwrap(), (5, 1000));
        // Records as big as the buffer bypass it: one call each.
        assert_eq!(run_real(&[256; 4], 256).unwrap(), (4, 1024));
        // A big record between small ones: flush [50, 50], write 300, then flush [50].
        assert_eq!(run_real(&[50, 50, 300, 50], 256).unwrap(), (3, 450));
        assert_eq!(count_calls(&[50, 50, 300, 50], 256), 3);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&BufferedWrites, &["records=1000".into(), "size=100".into(), "capacity=4096".into(), "big_every=0".into()]).unwrap();
        let q = generate(&BufferedWrites, 1, Difficulty::Hard, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "25", "40 records per 4 KiB buffer");
    }

    #[test]
    fn too_much_data_is_a_parameter_error() {
        let pins = parse_pins(&BufferedWrites, &["records=1000000".into(), "size=1048576".into()]).unwrap();
        assert!(generate(&BufferedWrites, 1, Difficulty::Medium, &pins).unwrap_err().hint().is_some());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let mut q = generate(&BufferedWrites, 2, Difficulty::Hard, &Default::default()).unwrap();
        crate::family::cross_check(&BufferedWrites, &q).unwrap();
        q.slots[0].expected = Expected::Integer { value: 1 };
        assert!(crate::family::cross_check(&BufferedWrites, &q).is_err());
    }

    #[test]
    fn the_follow_up_counts_calls_with_a_doubled_buffer() {
        // Hand count: 1,000 records of 100 bytes; an 8,192-byte buffer holds 81 of them, so
        // ceil(1000 / 81) = 13 calls (against 25 with 4,096 bytes, which holds 40).
        let pins = parse_pins(&BufferedWrites, &["records=1000".into(), "size=100".into(), "capacity=4096".into(), "big_every=0".into()]).unwrap();
        let q = generate(&BufferedWrites, 1, Difficulty::Hard, &pins).unwrap();
        assert!(q.followups[0].answer.starts_with("**13**"), "{}", q.followups[0].answer);
        assert!(q.slots[0].hand.is_some(), "the count is exact by hand");
    }

    #[test]
    fn every_kth_record_is_said_without_ambiguity() {
        let pins = parse_pins(&BufferedWrites, &["records=100".into(), "size=100".into(), "capacity=4096".into(), "big_every=8".into()]).unwrap();
        let q = generate(&BufferedWrites, 1, Difficulty::Hard, &pins).unwrap();
        let text = serde_json::to_string(&q.prompt).unwrap();
        assert!(text.contains("Records number 8, 16, 24"), "{text}");
    }

    #[test]
    fn a_log_that_fits_in_one_buffer_is_not_asked() {
        // 10 records of 16 bytes in a 4,096-byte buffer: one final flush, nothing to count.
        let pins = parse_pins(&BufferedWrites, &["records=10".into(), "size=16".into(), "capacity=4096".into(), "big_every=0".into()]).unwrap();
        let e = generate(&BufferedWrites, 1, Difficulty::Easy, &pins).unwrap_err();
        assert!(e.to_string().contains("write(2) call") && e.hint().is_some(), "{e}");
        for seed in 0..20 {
            let q = generate(&BufferedWrites, seed, Difficulty::Easy, &Default::default()).unwrap();
            assert!(q.slots[0].expected.reference().parse::<u64>().unwrap() >= 3, "seed {seed}");
        }
    }

}
