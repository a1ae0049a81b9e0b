//! Shared pieces of the benchmarks behind BENCHMARKS.md; the binaries in `src/bin` run them.

pub mod capacity;
pub mod pricing;
pub mod stats;
