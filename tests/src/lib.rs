//! Helpers of the one integration-test binary (tests/integration), shared with the benchmarks.

pub mod clock;
pub mod configuration;
pub mod contract;
pub mod dynamo;
pub mod mails;
pub mod stack;
