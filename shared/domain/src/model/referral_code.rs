use std::fmt;

use rand::Rng;

/// A customer's shareable referral code: upper case, from an alphabet without the look-alikes
/// 0/O/1/I/L, so it survives being read aloud or typed from a screenshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferralCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralCodeError {
    #[error("must be {min}–{max} characters long")]
    BadLength { min: usize, max: usize },
    #[error("may only contain the letters and digits A–Z and 2–9 except I, L and O")]
    BadCharacter,
}

/// 31 symbols; 8 of them give 31^8 ≈ 8.5 × 10^11 codes, so random collisions are rare and
/// the store's uniqueness condition catches the rest.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const GENERATED_CODE_LEN: usize = 8;
const MAX_CODE_LEN: usize = 32;

impl ReferralCode {
    /// Accepts any case, because people retype codes; stores the canonical upper-case form.
    pub fn parse(raw: &str) -> Result<Self, ReferralCodeError> {
        let upper = raw.trim().to_ascii_uppercase();
        if !(GENERATED_CODE_LEN..=MAX_CODE_LEN).contains(&upper.len()) {
            return Err(ReferralCodeError::BadLength {
                min: GENERATED_CODE_LEN,
                max: MAX_CODE_LEN,
            });
        }
        if !upper.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
            return Err(ReferralCodeError::BadCharacter);
        }
        Ok(Self(upper))
    }

    pub fn generate(rng: &mut impl Rng) -> Self {
        let code = (0..GENERATED_CODE_LEN)
            .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
            .collect();
        Self(code)
    }
}

impl AsRef<str> for ReferralCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReferralCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_back_unchanged() {
        let mut rng = rand::thread_rng();
        for _ in 0..1_000 {
            let code = ReferralCode::generate(&mut rng);
            assert_eq!(code.as_ref().len(), GENERATED_CODE_LEN);
            assert_eq!(ReferralCode::parse(code.as_ref()), Ok(code));
        }
    }

    #[test]
    fn alphabet_has_no_look_alikes() {
        for confusable in b"0O1IL" {
            assert!(!CODE_ALPHABET.contains(confusable));
        }
        assert_eq!(CODE_ALPHABET.len(), 31);
    }

    #[test]
    fn lookup_is_case_insensitive() {
        let code = ReferralCode::parse("abcd2345").expect("valid");
        assert_eq!(code.as_ref(), "ABCD2345");
    }

    #[test]
    fn rejects_confusable_characters_and_bad_lengths() {
        assert_eq!(
            ReferralCode::parse("ABCD234O"),
            Err(ReferralCodeError::BadCharacter)
        );
        assert_eq!(
            ReferralCode::parse("abcd234l"),
            Err(ReferralCodeError::BadCharacter)
        );
        assert!(matches!(
            ReferralCode::parse("ABC234"),
            Err(ReferralCodeError::BadLength { .. })
        ));
        assert!(matches!(
            ReferralCode::parse(&"A".repeat(33)),
            Err(ReferralCodeError::BadLength { .. })
        ));
    }
}
