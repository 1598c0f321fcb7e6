//! Machinery shared by families: Monte Carlo estimation with standard errors, and (in later files)
//! the syscall sandbox and misconception-based distractors.

pub mod fsops;
pub mod fsquiz;
pub mod lru;
pub mod mc;
pub mod zipf;
