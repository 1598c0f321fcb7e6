//! Machinery shared across topics: Monte Carlo estimation with standard errors ([`mc`]), an LRU
//! cache ([`lru`]) and Zipf popularity ([`zipf`]). A helper only one topic uses lives in that
//! topic's folder instead (the filesystem's `fsops` and `fsquiz`).

pub mod lru;
pub mod mc;
pub mod zipf;
