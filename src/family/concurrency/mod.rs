//! Topic `concurrency` (threads sharing memory: interleavings, locks, memory ordering). One line
//! per family below, in the order packs and the registry list them: a family is one file in this
//! folder plus one line here. The order feeds the registry fingerprint in pack codes, so a new
//! family goes at the end.

// Helpers only this topic uses: the shared-memory language with its renderer, exhaustive
// explorer (SC and x86-TSO) and deadlock detector; and the second routes that share no code
// with it: a tree-walking random scheduler and an axiomatic memory model.
pub mod axiomatic;
pub mod des;
pub mod model;
pub mod quiz;
pub mod sample;

crate::family::registry::families! {
    interleavings => Interleavings,
    lost_update => LostUpdate,
    atomics_counter => AtomicsCounter,
    lock_order => LockOrder,
    litmus => Litmus,
    check_then_act => CheckThenAct,
    condvar => Condvar,
    peterson => Peterson,
    semaphores => Semaphores,
    dining => Dining,
    pool_sizing => PoolSizing,
    amdahl_locks => AmdahlLocks,
}
