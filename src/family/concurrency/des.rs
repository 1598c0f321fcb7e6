//! A discrete-event simulation of a closed loop, the second route of the queueing families
//! (`pool_sizing`, `amdahl_locks`): `jobs` threads each cycle forever through a station of
//! `servers` identical servers (CPU cores, or a lock: one server) taking `service` time units,
//! queueing first-come first-served when all are busy, and then a private delay of `delay`
//! units (blocking I/O, or work outside the lock) that overlaps with everything else.
//!
//! It shares no code with the closed forms (Little's law and the asymptotic bounds of
//! operational analysis, X = min(N / (S + Z), c / S)); it just runs the loop. Times are integers,
//! so the run is exact and deterministic; the throughput is measured over the second half of the
//! run, after the start-up transient.

use crate::family::CheckError;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Service completions per time unit in steady state. Job j first arrives at j·(S + Z)/jobs
/// (spread over one cycle, so the start is not one burst); the rate is measured over a window
/// of at least max(5,000, 20·jobs) completions after as many again of warm-up, with each window
/// edge placed after every event of its instant, so simultaneous completions (at most
/// `servers`) bias it by at most servers/5,000 ≤ 0.32% for 16 servers.
pub fn throughput(jobs: usize, servers: usize, service: u64, delay: u64) -> f64 {
    let cycle = service + delay;
    // Events: (time, kind, job); kind 0 = service done, 1 = arrival at the station.
    let mut events: BinaryHeap<Reverse<(u64, u8, usize)>> = (0..jobs)
        .map(|j| Reverse((j as u64 * cycle / jobs.max(1) as u64, 1u8, j)))
        .collect();
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut busy = 0usize;
    let window = (20 * jobs).max(5000);
    let mut done = 0usize;
    let mut mark: Option<(u64, usize)> = None;
    while let Some(Reverse((now, kind, j))) = events.pop() {
        if kind == 0 {
            busy -= 1;
            done += 1;
            events.push(Reverse((now + delay, 1, j)));
        } else {
            queue.push_back(j);
        }
        while busy < servers {
            let Some(next) = queue.pop_front() else { break };
            busy += 1;
            events.push(Reverse((now + service, 0, next)));
        }
        let instant_over = events.peek().is_none_or(|Reverse((t, _, _))| *t > now);
        if !instant_over {
            continue;
        }
        match mark {
            None if done >= window => mark = Some((now, done)),
            Some((t0, n0)) if done >= n0 + window && now > t0 => {
                return (done - n0) as f64 / (now - t0) as f64;
            }
            _ => {}
        }
    }
    0.0
}

/// The second route's check of a "knee" answer: `k` threads reach `bound` (the `what`, say "the
/// core bound") in the simulation, within 1%, and `k − 1` threads stay below 99.5% of it.
pub fn check_knee(
    sim: impl Fn(u64) -> f64,
    k: u64,
    bound: f64,
    what: &str,
) -> Result<(), CheckError> {
    let at = sim(k);
    if (at - bound).abs() > 0.01 * bound {
        return Err(CheckError(format!(
            "{k} threads simulate to {at:.3}, not {what} {bound:.3}"
        )));
    }
    if k > 1 && sim(k - 1) > 0.995 * bound {
        return Err(CheckError(format!(
            "{} threads already reach {what} in simulation",
            k - 1
        )));
    }
    Ok(())
}

/// The second route's check of a throughput or speedup: the simulation within 1% of the key.
pub fn check_close(simulated: f64, key: f64) -> Result<(), CheckError> {
    if (simulated - key).abs() > 0.01 * key {
        return Err(CheckError(format!(
            "the simulation gives {simulated:.3}, the key {key:.3}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_loops() {
        // One thread: one completion per S + Z. Two threads on one server with S = 1, Z = 3:
        // 2 per 4 units (thread-bound). Ten threads, S = 2, Z = 2, one server: 1 per 2 units
        // (server-bound). Worked by hand on a timeline.
        assert!((throughput(1, 1, 5, 15) - 1.0 / 20.0).abs() < 1e-3);
        assert!((throughput(2, 1, 1, 3) - 0.5).abs() < 1e-2);
        assert!((throughput(10, 1, 2, 2) - 0.5).abs() < 1e-2);
        assert!((throughput(10, 4, 3, 9) - 10.0 / 12.0).abs() < 1e-2);
    }
}
