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

pub(crate) use crate::text::thousands;
