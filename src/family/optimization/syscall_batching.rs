//! `optimization.syscall_batching`: reading a file with a small buffer against a large one. Each
//! `read(2)` is a system call with a fixed cost; bigger buffers make fewer calls.
//!
//! **Asked** (`ask`): `calls`: the read calls needed with buffers of B1 and B2 bytes (two parts),
//! counting the final call that returns 0; `time`: the time saved by the larger buffer at a given
//! cost per call (µs).
//!
//! **Parameters.** `size` S: 10 KB–100 MB (shown exactly in bytes); B1: 512 B–4 KiB, B2: 64 KiB–
//! 1 MiB; cost per call 0.2–5 µs.
//!
//! **Key.** Run a counting reader: a real file of S bytes (sparse, made with `ftruncate`) in a
//! `tempfile` directory, read to the end with each buffer through `std::fs::File`, counting calls.
//! For sizes above 8 MB the file is read at a scaled-down size and the count extrapolated exactly by
//! the calls-per-buffer identity, so the test suite stays fast.
//!
//! **Second route.** ⌈S/B⌉ + 1 (the last call returns 0).
//!
//! **Pitfalls**: forgetting the final 0-byte read; S/B without rounding up.

use crate::answer::{fmt_sig, trim_float as num, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::io::Read;

/// The family.
pub struct SyscallBatching;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "calls: read calls for two buffer sizes; time: time saved by the larger buffer",
        kind: ParamKind::Choice {
            options: &["calls", "time"],
            draw: [&["calls"], &["calls", "time"], &["calls", "time"]],
        },
    },
    ParamSpec {
        key: "size",
        help: "file size S in bytes",
        kind: ParamKind::Int {
            min: 0,
            max: 10_000_000_000,
            draw: [
                (10_000, 200_000),
                (100_000, 5_000_000),
                (1_000_000, 100_000_000),
            ],
        },
    },
    ParamSpec {
        key: "small_kib",
        help: "small buffer B1 in KiB (0.5 to 4)",
        kind: ParamKind::Choice {
            options: &["0.5", "1", "2", "4"],
            draw: [&["1", "4"], &["0.5", "1", "4"], &["0.5", "1", "2", "4"]],
        },
    },
    ParamSpec {
        key: "large_kib",
        help: "large buffer B2 in KiB",
        kind: ParamKind::Choice {
            options: &["64", "128", "256", "1024"],
            draw: [&["64"], &["64", "128", "256"], &["64", "256", "1024"]],
        },
    },
    ParamSpec {
        key: "cost_us",
        help: "cost of one read call in µs",
        kind: ParamKind::Real {
            min: 0.01,
            max: 1000.0,
            step: 0.1,
            draw: [(0.5, 2.0), (0.2, 5.0), (0.2, 5.0)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    size: u64,
    b1: u64,
    b2: u64,
    cost: f64,
}

/// Reads a real sparse file of `size` bytes with buffer `b`, counting read calls.
fn count_reads(dir: &std::path::Path, size: u64, b: u64) -> std::io::Result<u64> {
    let path = dir.join("data.bin");
    let f = std::fs::File::create(&path)?;
    f.set_len(size)?;
    drop(f);
    let mut f = std::fs::File::open(&path)?;
    let mut buf = vec![0u8; b as usize];
    let mut calls = 0;
    loop {
        calls += 1;
        if f.read(&mut buf)? == 0 {
            return Ok(calls);
        }
    }
}

/// Counts with real reads; big files are read at a smaller size with the same remainder, and the
/// whole buffers beyond it added (each is exactly one call).
fn counted(size: u64, b: u64) -> Result<u64, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cap = 8_000_000;
    let (real, extra) = if size > cap {
        let skip = (size - cap) / b + 1;
        (size - skip * b, skip)
    } else {
        (size, 0)
    };
    Ok(count_reads(dir.path(), real, b).map_err(|e| e.to_string())? + extra)
}

impl Family for SyscallBatching {
    fn id(&self) -> &'static str {
        "optimization.syscall_batching"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Buffer size and system calls"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("calls", [2, 3, 4], &["syscall-overhead"]),
            Ask::new("time", [3, 4, 5], &["syscall-overhead"]),
        ];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "read calls with two buffer sizes; overhead saved",
            key: "a counting reader over a real file",
            second_route: "⌈S/B⌉ + 1",
        }
    }
    /// `small_kib` and `large_kib` show as buffers in bytes (×1024).
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["small_kib", "large_kib"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let size = cx.int("size") as u64
            + if cx.is_pinned("size") {
                0
            } else {
                cx.rng().random_range(0..512)
            };
        if !cx.is_pinned("size") {
            cx.adjusted("size", crate::family::ParamValue::Int(size as i64));
        }
        let b1 = (cx.pick("small_kib").parse::<f64>().unwrap_or(4.0) * 1024.0) as u64;
        let b2 = cx.pick("large_kib").parse::<u64>().unwrap_or(64) * 1024;
        let cost = cx.real("cost_us");
        if ask == "calls" {
            cx.unused("cost_us");
        }
        // A pinned file no larger than every small buffer this draw allows takes the same calls
        // with either buffer: refused up front rather than redrawn to the same flaw.
        let smallest_b1 = cx
            .choice_options("small_kib")
            .iter()
            .filter_map(|k| k.parse::<f64>().ok())
            .fold(f64::INFINITY, f64::min);
        if cx.is_pinned("size") && size as f64 <= smallest_b1 * 1024.0 {
            return Err(GenError::Params {
                message: format!(
                    "a file of {} bytes fits in one read with either buffer (the small one holds {} bytes or more): both make the same calls, and the question would show nothing",
                    super::thousands(size),
                    super::thousands((smallest_b1 * 1024.0) as u64)
                ),
                hint: "pin a file larger than the small buffer (`size` in bytes, such as 1000000)".into(),
            });
        }
        let c1 = counted(size, b1).map_err(GenError::Run)?;
        let c2 = counted(size, b2).map_err(GenError::Run)?;
        let s = Scenario {
            ask: ask.into(),
            size,
            b1,
            b2,
            cost,
        };
        let prompt = Content::new()
            .p(format!("A program reads a **{size}-byte** file from start to end in a loop, `n = read(fd, buf, B)` until `read` returns 0 (end of file). Every call, including the last one, is one system call."));
        let (prompt, slots, solution) = if ask == "calls" {
            (
                prompt.p(format!("How many `read` calls does it make (a) with B = {b1} bytes, (b) with B = {b2} bytes?")),
                vec![AnswerSlot::new(format!("calls with B = {b1}"), Expected::Integer { value: c1 as i64 }), AnswerSlot::new(format!("calls with B = {b2}"), Expected::Integer { value: c2 as i64 })],
                Content::new()
                    .p("A regular file returns full buffers until the last, partial one, then 0: $ceil(S / B) + 1$ calls.")
                    .p(format!("(a) $ceil({size} / {b1}) + 1$ = **{c1}**; (b) $ceil({size} / {b2}) + 1$ = **{c2}**: {}× fewer system calls.", fmt_sig(c1 as f64 / c2 as f64, 3))),
            )
        } else {
            let saved = (c1 - c2) as f64 * cost / 1000.0;
            (
                prompt.p(format!("Each `read` call costs **{} µs** of fixed overhead beyond copying the data. How many milliseconds of that overhead does a {b2}-byte buffer save over a {b1}-byte one?", num(cost))),
                vec![AnswerSlot::new("overhead saved", Expected::sig(saved, 3)).unit("ms").exact_by_hand()],
                Content::new()
                    .p(format!("Calls: $ceil({size} / {b1}) + 1$ = {c1} against $ceil({size} / {b2}) + 1$ = {c2}."))
                    .p(format!("Saved: ({c1} − {c2}) calls × {} µs = {} µs = **{} ms**.", num(cost), fmt_sig(saved * 1000.0, 4), fmt_sig(saved, 3))),
            )
        };
        let evidence = Content::new().p(format!("A counting reader over a real {size}-byte file in a scratch directory (read through `std::fs::File`): {c1} calls with {b1}-byte buffers, {c2} with {b2}-byte buffers{}.", if size > 8_000_000 { " (the whole-buffer calls beyond 8 MB added by count)" } else { "" }));
        let b3 = 4 * b2;
        let c3 = size.div_ceil(b3) + 1;
        let copy_ms = size as f64 / 1e9 * 1000.0;
        let per_call_us = if ask == "calls" { 1.0 } else { cost };
        let overhead1_ms = c1 as f64 * per_call_us / 1000.0;
        Ok(Question::new(prompt, slots, solution, evidence)
            .with_scenario(&s)
            .contrast(Contrast::new("calls with the small vs the large buffer", c1, c2))
            .followup(
                FollowUp::new(
                    format!("Would a {b3}-byte buffer help much more?"),
                    format!("{c3} calls instead of {c2}: the calls are already few, so the overhead left is small; a huge buffer costs memory and cache space and delays the first byte."),
                )
                .point("diminishing returns once the per-call cost is small next to the copy"),
            )
            .followup(
                FollowUp::new(
                    format!("At {} µs per call and a copy speed of 1 GB/s, what share of the small-buffer run is call overhead?", num(per_call_us)),
                    format!(
                        "{c1} calls × {} µs = {} ms of overhead against {} ms of copying: {}% of the total.",
                        num(per_call_us),
                        fmt_sig(overhead1_ms, 3),
                        fmt_sig(copy_ms, 3),
                        fmt_sig(100.0 * overhead1_ms / (overhead1_ms + copy_ms), 3)
                    ),
                )
                .point("stdio buffering (BufReader, fread) batches small reads for you"),
            ))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let f = |b: u64| s.size.div_ceil(b) + 1;
        match q.expected(0)? {
            Expected::Integer { value } => {
                let Expected::Integer { value: v2 } = q.expected(1)? else {
                    return Err(CheckError("expected integers".into()));
                };
                CheckError::expect_eq("calls with B1", *value, f(s.b1) as i64)?;
                CheckError::expect_eq("calls with B2", *v2, f(s.b2) as i64)
            }
            Expected::Real { value, .. } => {
                let want = (f(s.b1) - f(s.b2)) as f64 * s.cost / 1000.0;
                if (want - value).abs() <= 1e-9 * want.max(1e-9) {
                    Ok(())
                } else {
                    Err(CheckError(format!("key {value}, formula {want}")))
                }
            }
            _ => Err(CheckError("unexpected answer kind".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&SyscallBatching, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // 10,000 bytes with 4096-byte reads: 4096, 4096, 1808, 0 → 4 calls; an empty file: 1.
        assert_eq!(counted(10_000, 4096), Ok(4));
        assert_eq!(counted(0, 4096), Ok(1));
        assert_eq!(counted(8192, 4096), Ok(3));
        // The scaled count for a big file matches the real count at the cap boundary.
        assert_eq!(
            counted(8_000_001 + 4096, 4096).unwrap(),
            (8_000_001u64 + 4096).div_ceil(4096) + 1
        );
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(
            &SyscallBatching,
            &[
                "ask=calls".into(),
                "size=10000".into(),
                "small_kib=4".into(),
            ],
        )
        .unwrap();
        let q = generate(&SyscallBatching, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "4");
    }

    #[test]
    fn the_cross_check_catches_the_missing_final_read() {
        let pins = parse_pins(&SyscallBatching, &["ask=calls".into()]).unwrap();
        let mut q = generate(&SyscallBatching, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&SyscallBatching, &q).unwrap();
        let Expected::Integer { value } = q.slots[0].expected else {
            panic!()
        };
        q.slots[0].expected = Expected::Integer { value: value - 1 };
        assert!(crate::family::cross_check(&SyscallBatching, &q).is_err());
    }

}
