//! Capability keys derived, not stored: the first 128 bits of an HMAC under the shop's
//! `FINGERPRINT_KEY` of what the link opens, for one purpose, base64url. Nothing has to be kept
//! to issue one, nobody without the key can make one, and each is checked in constant time.
//! A referrer's page link ([`PageKey`](super::PageKey)) and a customer's unsubscribe link
//! ([`UnsubscribeKey`]) are such keys.

use std::fmt;

use base64::Engine;

use super::{CustomerId, FingerprintKey};

const KEY_BYTES: usize = 16;
const KEY_CHARS: usize = 22;

pub(super) fn issue(key: &FingerprintKey, purpose: &str, message: &str) -> String {
    let digest = key.mac(purpose, message);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..KEY_BYTES])
}

pub(super) fn well_formed(raw: &str) -> bool {
    raw.len() == KEY_CHARS
        && base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .is_ok_and(|bytes| bytes.len() == KEY_BYTES)
}

/// Whether `raw` is the key for `message`, compared in constant time so the answer's timing
/// tells nothing about how much of a guess was right.
pub(super) fn opens(raw: &str, key: &FingerprintKey, purpose: &str, message: &str) -> bool {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .is_ok_and(|bytes| key.verify_prefix(purpose, message, &bytes))
}

/// The capability in a customer's unsubscribe link (`/u/c/<customer_id>/<key>` on
/// collect-survey), for mails that belong to no survey (the win-back mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an unsubscribe key")]
pub struct UnsubscribeKeyError;

const UNSUBSCRIBE: &str = "unsubscribe";

impl UnsubscribeKey {
    pub fn issue(key: &FingerprintKey, customer: &CustomerId) -> Self {
        Self(issue(key, UNSUBSCRIBE, customer.as_ref()))
    }

    pub fn parse(raw: &str) -> Result<Self, UnsubscribeKeyError> {
        if well_formed(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(UnsubscribeKeyError)
        }
    }

    pub fn opens(&self, key: &FingerprintKey, customer: &CustomerId) -> bool {
        opens(&self.0, key, UNSUBSCRIBE, customer.as_ref())
    }
}

impl fmt::Display for UnsubscribeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsubscribe_key_opens_its_customer_only() {
        let key = FingerprintKey::parse(&"ab".repeat(32)).expect("key");
        let anna = CustomerId::parse("anna").expect("id");
        let ben = CustomerId::parse("ben").expect("id");
        let issued = UnsubscribeKey::issue(&key, &anna);
        let parsed = UnsubscribeKey::parse(&issued.to_string()).expect("well-formed");
        assert!(parsed.opens(&key, &anna));
        assert!(!parsed.opens(&key, &ben));
        let other = FingerprintKey::parse(&"cd".repeat(32)).expect("key");
        assert!(!parsed.opens(&other, &anna));
        assert!(UnsubscribeKey::parse("short").is_err());
        assert!(UnsubscribeKey::parse(&"!".repeat(22)).is_err());
    }
}
