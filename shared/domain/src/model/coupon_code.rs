use std::fmt;

use rand::Rng;

use super::referral_code::CODE_ALPHABET;

/// A reward coupon: 12 characters of the unambiguous alphabet (31^12 ≈ 7.9 × 10^17), so
/// coupons cannot be guessed and survive being typed at checkout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CouponCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be {MIN_COUPON_LEN}–{MAX_COUPON_LEN} letters and digits A–Z, 2–9 without I, L, O")]
pub struct CouponCodeError;

pub const GENERATED_COUPON_LEN: usize = 12;
const MIN_COUPON_LEN: usize = 10;
const MAX_COUPON_LEN: usize = 32;

impl CouponCode {
    pub fn parse(raw: &str) -> Result<Self, CouponCodeError> {
        let upper = raw.trim().to_ascii_uppercase();
        let length_ok = (MIN_COUPON_LEN..=MAX_COUPON_LEN).contains(&upper.len());
        if length_ok && upper.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
            Ok(Self(upper))
        } else {
            Err(CouponCodeError)
        }
    }

    pub fn generate(rng: &mut impl Rng) -> Self {
        Self(
            (0..GENERATED_COUPON_LEN)
                .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
                .collect(),
        )
    }
}

impl AsRef<str> for CouponCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CouponCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_coupons_parse_back_and_lookup_ignores_case() {
        let coupon = CouponCode::generate(&mut rand::thread_rng());
        assert_eq!(coupon.as_ref().len(), 12);
        let lower = coupon.as_ref().to_ascii_lowercase();
        assert_eq!(CouponCode::parse(&lower), Ok(coupon));
    }

    #[test]
    fn short_or_ambiguous_coupons_are_refused() {
        assert!(CouponCode::parse("ABCDE2345").is_err());
        assert!(CouponCode::parse("ABCDE23450").is_err());
    }
}
