//! Helpers of the one integration-test binary (tests/integration), shared with the benchmarks.

pub mod clock;
pub mod configuration;
pub mod contract;
pub mod delivery;
pub mod dynamo;
pub mod mails;
pub mod platforms;
pub mod stack;

/// A share link for services the tests call directly, where no request gives a base URL.
pub fn test_link(code: &domain::model::ReferralCode) -> String {
    format!("https://ref.example/r/{code}")
}
