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

/// A browser's user agent: a share link followed with it is a person's click.
pub const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// The `n`-th person's browser: each counts as a visitor of their own on one address.
pub fn browser(n: usize) -> String {
    format!("{BROWSER} person/{n}")
}

/// The `n`-th of many people following share links, each with a browser of their own.
pub fn person(n: usize) -> domain::model::Visit {
    domain::model::Visit {
        user_agent: Some(browser(n)),
        source_ip: Some(std::net::IpAddr::from([198, 51, 100, (n % 256) as u8])),
        prefetch: false,
    }
}

/// The `n`-th person's fingerprint on `code`, for tests of the stores.
pub fn visitor(code: &domain::model::ReferralCode, n: usize) -> domain::model::VisitorFingerprint {
    person(n)
        .person(&fingerprint_key(), code)
        .expect("a browser is a person")
}

/// The test key as the `FINGERPRINT_KEY` setting spells it.
pub const TEST_FINGERPRINT_KEY: &str = "test-fingerprint-key-0123456789abcdef";
