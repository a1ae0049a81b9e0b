//! The referrer's own page: the capability in its link, and what it shows.
//!
//! The link's key is derived, not stored: an HMAC under the shop's `FINGERPRINT_KEY` of the code
//! and its owner. Nothing has to be migrated or looked up to issue one, nobody without the key can
//! make one, and erasing the customer deletes the code, which kills every link to the page (a code
//! given again later belongs to another customer id, so an old key does not open it).

use std::fmt;

use chrono::{DateTime, Utc};

use super::{capability, Coupon, CouponStatus, CustomerId, FingerprintKey, Locale, ReferralCode};

/// The capability in a referrer's page link: 128 bits of the keyed digest, base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a page key")]
pub struct PageKeyError;

const PURPOSE: &str = "referrer-page";

impl PageKey {
    /// The key of `owner`'s page for `code`.
    pub fn issue(key: &FingerprintKey, code: &ReferralCode, owner: &CustomerId) -> Self {
        Self(capability::issue(key, PURPOSE, &message(code, owner)))
    }

    pub fn parse(raw: &str) -> Result<Self, PageKeyError> {
        if capability::well_formed(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PageKeyError)
        }
    }

    /// Whether this key opens `owner`'s page for `code`.
    pub fn opens(&self, key: &FingerprintKey, code: &ReferralCode, owner: &CustomerId) -> bool {
        capability::opens(&self.0, key, PURPOSE, &message(code, owner))
    }
}

fn message(code: &ReferralCode, owner: &CustomerId) -> String {
    format!("{code}\0{owner}")
}

impl AsRef<str> for PageKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a referrer's code has done, without any friend's personal data: counts, and the
/// referrer's own reward coupons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerProgress {
    pub owner: CustomerId,
    pub code: ReferralCode,
    /// The language the referrer asked for when the code was made, if any.
    pub locale: Option<Locale>,
    pub clicks: u64,
    /// Friends who claimed the first-order offer on this code.
    pub claims: u64,
    /// Friends whose first order was rewarded: what the cap counts.
    pub conversions: u64,
    /// The referrer's reward coupons from this program, newest first.
    pub rewards: Vec<Coupon>,
}

impl ReferrerProgress {
    /// Rewards still to be earned under `cap` (REFERRER_CAP).
    pub fn remaining(&self, cap: u64) -> u64 {
        cap.saturating_sub(self.conversions)
    }

    /// Newest first, the order a referrer reads them in.
    pub fn sort_rewards(&mut self) {
        self.rewards
            .sort_by_key(|coupon| std::cmp::Reverse(coupon.reward.available_from));
    }
}

/// Where a reward stands for its owner at a moment: its coupon's status, or expired when an
/// issued coupon's end has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardState {
    Coupon(CouponStatus),
    Expired,
}

impl RewardState {
    pub fn of(coupon: &Coupon, now: DateTime<Utc>) -> Self {
        if coupon.expired_at(now) {
            Self::Expired
        } else {
            Self::Coupon(coupon.status_at(now).status)
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coupon(status) => status.as_str(),
            Self::Expired => "expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> FingerprintKey {
        FingerprintKey::parse(raw).expect("a valid key")
    }

    fn code(raw: &str) -> ReferralCode {
        ReferralCode::parse(raw).expect("a code")
    }

    fn customer(raw: &str) -> CustomerId {
        CustomerId::parse(raw).expect("an id")
    }

    #[test]
    fn a_page_key_opens_its_owners_page_for_its_code_only() {
        let shop = key(&"a".repeat(32));
        let issued = PageKey::issue(&shop, &code("ABCD2345"), &customer("c-1"));
        assert_eq!(issued.as_ref().len(), 22);
        assert_eq!(PageKey::parse(issued.as_ref()), Ok(issued.clone()));
        assert!(issued.opens(&shop, &code("ABCD2345"), &customer("c-1")));
        // The same code given to another customer after an erasure.
        assert!(!issued.opens(&shop, &code("ABCD2345"), &customer("c-2")));
        assert!(!issued.opens(&shop, &code("ABCD2346"), &customer("c-1")));
        // Another shop's key, or a key nobody holds.
        assert!(!issued.opens(&key(&"b".repeat(32)), &code("ABCD2345"), &customer("c-1")));
    }

    #[test]
    fn only_22_base64url_characters_are_a_page_key() {
        assert!(PageKey::parse("AAAAAAAAAAAAAAAAAAAAAA").is_ok());
        assert!(PageKey::parse("AAAAAAAAAAAAAAAAAAAAA").is_err());
        assert!(PageKey::parse("AAAAAAAAAAAAAAAAAAAAAA=").is_err());
        assert!(PageKey::parse("../../etc/passwd______").is_err());
    }

    #[test]
    fn the_key_is_the_documented_hmac() {
        // printf 'referrer-page\0ABCD2345\0c-1' | openssl dgst -sha256 -hmac aaaa…(32) -binary
        //   | head -c 16 | basenc --base64url | tr -d =
        let issued = PageKey::issue(&key(&"a".repeat(32)), &code("ABCD2345"), &customer("c-1"));
        assert_eq!(issued.as_ref(), "8JCQ6GyW_7Q60ZuRUExLLw");
    }
}
