//! Helpers of the one integration-test binary (tests/integration), shared with the benchmarks.

pub mod aggregate;
pub mod burst;
pub mod clock;
pub mod configuration;
pub mod conflict_proxy;
pub mod contract;
pub mod delivery;
pub mod dynamo;
pub mod fakes;
pub mod mails;
pub mod platforms;
pub mod snapshot;
pub mod stack;

/// A share link for services the tests call directly, where no request gives a base URL.
pub fn test_link(code: &domain::model::ReferralCode) -> String {
    format!("https://ref.example/r/{code}")
}

/// The fingerprint key every test store and stack uses (32+ bytes, like a real one).
pub fn fingerprint_key() -> domain::model::FingerprintKey {
    domain::model::FingerprintKey::parse(TEST_FINGERPRINT_KEY).expect("a valid test key")
}

/// The test key as the `FINGERPRINT_KEY` setting spells it.
pub const TEST_FINGERPRINT_KEY: &str = "test-fingerprint-key-0123456789abcdef";
