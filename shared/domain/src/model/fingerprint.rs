//! Keyed fingerprints of a person's address: what keys guards, opt-outs and guest ids.
//!
//! A plain hash of an address can be recomputed by anyone holding an address list, so it tells
//! whether a person is in the table; an HMAC under the shop's secret cannot be recomputed
//! without that secret.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{CustomerId, Email};

/// The shop's secret for fingerprints (`FINGERPRINT_KEY`): at least 32 bytes, held as the
/// keyed hash state so no request can fail to key it.
#[derive(Clone)]
pub struct FingerprintKey(Hmac<Sha256>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be at least {MIN_KEY_BYTES} bytes (e.g. `openssl rand -hex 32`)")]
pub struct FingerprintKeyError;

/// HMAC-SHA256's block is 64 bytes; 32 bytes of secret is the hash's own strength.
pub const MIN_KEY_BYTES: usize = 32;

impl FingerprintKey {
    pub fn parse(raw: &str) -> Result<Self, FingerprintKeyError> {
        let raw = raw.trim();
        if raw.len() < MIN_KEY_BYTES {
            return Err(FingerprintKeyError);
        }
        Hmac::<Sha256>::new_from_slice(raw.as_bytes())
            .map(Self)
            .map_err(|_| FingerprintKeyError)
    }

    /// The fingerprint of the person behind `email`: their canonical address, keyed.
    pub fn person(&self, email: &Email) -> PersonFingerprint {
        PersonFingerprint(self.digest("person", &email.canonical()))
    }

    /// A stable id for a guest checkout (a platform order without a customer account): the same
    /// person ordering as a guest twice is one customer, so the once-only and first-order rules
    /// hold for guests too.
    pub fn guest_id(&self, email: &Email) -> CustomerId {
        let person = self.person(email);
        // 128 bits of the fingerprint: collisions between two shoppers are out of reach.
        CustomerId::guest(&person.0[..32])
    }

    fn digest(&self, purpose: &str, value: &str) -> String {
        super::hex(&self.mac(purpose, value))
    }

    /// The keyed digest of `value` for one `purpose`: the purpose separates uses, so a digest
    /// made for one (a page key) is never another's (a person's fingerprint).
    pub(super) fn mac(&self, purpose: &str, value: &str) -> Vec<u8> {
        self.keyed(purpose, value).finalize().into_bytes().to_vec()
    }

    /// Whether `prefix` is the start of [`Self::mac`]'s digest, compared in constant time.
    pub(super) fn verify_prefix(&self, purpose: &str, value: &str, prefix: &[u8]) -> bool {
        !prefix.is_empty()
            && self
                .keyed(purpose, value)
                .verify_truncated_left(prefix)
                .is_ok()
    }

    fn keyed(&self, purpose: &str, value: &str) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac
    }
}

/// Never printed: a key in a log line would be a key given away.
impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey(…)")
    }
}

/// The keyed fingerprint of a person's canonical address, 64 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonFingerprint(String);

impl PersonFingerprint {
    /// A fingerprint read back from the store.
    pub fn from_stored(raw: &str) -> Option<Self> {
        (raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(raw.to_owned()))
    }
}

impl AsRef<str> for PersonFingerprint {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> FingerprintKey {
        FingerprintKey::parse(raw).expect("a valid key")
    }

    fn email(raw: &str) -> Email {
        Email::parse(raw).expect("a valid address")
    }

    #[test]
    fn a_key_has_at_least_32_bytes() {
        assert_eq!(
            FingerprintKey::parse(&"k".repeat(31)).err(),
            Some(FingerprintKeyError)
        );
        assert!(FingerprintKey::parse(&"k".repeat(32)).is_ok());
    }

    #[test]
    fn one_person_one_fingerprint_whatever_the_alias() {
        let key = key(&"k".repeat(32));
        assert_eq!(
            key.person(&email("Jane.Doe+shop@googlemail.com")),
            key.person(&email("janedoe@gmail.com"))
        );
        assert_ne!(
            key.person(&email("jane@example.com")),
            key.person(&email("john@example.com"))
        );
    }

    #[test]
    fn without_the_key_the_fingerprint_cannot_be_recomputed() {
        let address = email("jane@example.com");
        let one = key(&"a".repeat(32)).person(&address);
        let other = key(&"b".repeat(32)).person(&address);
        assert_ne!(one, other);
        // printf '%s' 'person\0jane@example.com' | openssl dgst -sha256 -hmac aaaa…(32)
        assert_eq!(
            one.as_ref(),
            "9d4308acec27947c8e018b8fc5c9b8b4433dc6a0bb3c52796f397d2c98dbc3c9"
        );
    }

    #[test]
    fn guest_ids_are_keyed_too() {
        let address = email("guest@example.com");
        let id = key(&"a".repeat(32)).guest_id(&address);
        assert!(id.as_ref().starts_with("guest-"));
        assert_ne!(id, key(&"b".repeat(32)).guest_id(&address));
    }

    #[test]
    fn the_key_is_never_printed() {
        assert_eq!(format!("{:?}", key(&"s".repeat(40))), "FingerprintKey(…)");
    }
}
