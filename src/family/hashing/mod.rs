//! Topic `hashing` (Hashing and hash functions). One line per family below, in the order packs and the registry list
//! them: a family is one file in this folder plus one line here. The order feeds the registry
//! fingerprint in pack codes, so a new family goes at the end.

crate::family::registry::families! {
    birthday => Birthday,
    consistent_ring => ConsistentRing,
    buckets => Buckets,
    bloom => Bloom,
    avalanche => Avalanche,
    merkle => Merkle,
    dedup => Dedup,
    rendezvous => Rendezvous,
    modulo_vs_ring => ModuloVsRing,
    truncation => Truncation,
    open_addressing => OpenAddressing,
    load_factor => LoadFactor,
    partition_skew => PartitionSkew,
    choose_hash => ChooseHash,
}
