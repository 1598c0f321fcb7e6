//! Topic `systems` (Systems concepts: networking, storage engines, the OS, capacity estimation).
//! One line per family below, in the order packs and the registry list them: a family is one
//! file in this folder plus one line here. The order feeds the registry fingerprint in pack
//! codes, so a new family goes at the end. Helpers only this topic uses live beside them:
//! [`constants`] (the handshake, initial-window and latency tables), [`bptree`] (a B+-tree) and
//! [`txn`] (in-memory isolation-level models).

pub mod bptree;
pub mod constants;
pub mod txn;

crate::family::registry::families! {
    handshake => Handshake,
    slow_start => SlowStart,
    bdp => Bdp,
    btree => BTree,
    isolation => Isolation,
    capacity => Capacity,
    quorum => Quorum,
    wal => Wal,
    page_table => PageTable,
    tlb => Tlb,
    lsm => Lsm,
    tail_latency => TailLatency,
}
