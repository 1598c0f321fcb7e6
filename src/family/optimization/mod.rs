//! Topic `optimization` (Optimization techniques, code- and system-level). One line per family below, in the order packs and the registry list
//! them: a family is one file in this folder plus one line here. The order feeds the registry
//! fingerprint in pack codes, so a new family goes at the end.

crate::family::registry::families! {
    cache_policy => CachePolicy,
    loop_count => LoopCount,
    knapsack => Knapsack,
    scheduling => Scheduling,
    intervals => Intervals,
    memoization => Memoization,
    binary_search => BinarySearch,
    amdahl => Amdahl,
    batching => Batching,
    latency_estimate => LatencyEstimate,
    syscall_batching => SyscallBatching,
    index_vs_scan => IndexVsScan,
    queueing => Queueing,
    zipf_cache => ZipfCache,
    cache_lines => CacheLines,
    complexity => Complexity,
}

/// `n` with thousands separators ("12,345"), for counts in worked solutions and follow-ups.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(6_347_657), "6,347,657");
    }
}
