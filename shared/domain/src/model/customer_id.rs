use std::fmt;

/// A storefront's customer id: 1–128 printable ASCII characters, no whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(String);

/// Why a string is not an id; shared by every id newtype.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must contain only printable ASCII characters without whitespace")]
    BadCharacter,
}

pub const MAX_ID_LEN: usize = 128;
/// What `check_id` accepts (printable ASCII, no whitespace), as a regular expression for API
/// documents; the length is [`MAX_ID_LEN`].
pub const ID_PATTERN: &str = "^[!-~]+$";

/// The id rule (1–128 printable ASCII characters, no whitespace), in one place for customer and
/// order ids.
pub(crate) fn check_id(raw: &str) -> Result<(), IdError> {
    if raw.is_empty() {
        return Err(IdError::Empty);
    }
    if raw.len() > MAX_ID_LEN {
        return Err(IdError::TooLong { max: MAX_ID_LEN });
    }
    if !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IdError::BadCharacter);
    }
    Ok(())
}

impl CustomerId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        check_id(raw)?;
        Ok(Self(raw.to_owned()))
    }
}

impl CustomerId {
    /// A guest checkout's id from (a part of) the person's keyed fingerprint; see
    /// [`super::FingerprintKey::guest_id`].
    pub(crate) fn guest(fingerprint_hex: &str) -> Self {
        Self(format!("guest-{fingerprint_hex}"))
    }
}

impl AsRef<str> for CustomerId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_printable_ascii_up_to_128() {
        assert!(CustomerId::parse("cust_42").is_ok());
        assert!(CustomerId::parse("a#b|c~").is_ok());
        assert!(CustomerId::parse(&"x".repeat(128)).is_ok());
    }

    #[test]
    fn a_guest_is_the_same_customer_under_any_spelling_of_the_address() {
        let key = super::super::FingerprintKey::parse(&"k".repeat(32)).expect("key");
        let guest = |raw| key.guest_id(&super::super::Email::parse(raw).expect("email"));
        assert_eq!(
            guest("Anna.Schmidt+shop@gmail.com"),
            guest("annaschmidt@gmail.com")
        );
        assert_ne!(guest("anna@example.com"), guest("bernd@example.com"));
        let id = guest("anna@example.com");
        assert!(id.as_ref().starts_with("guest-") && id.as_ref().len() == 38);
        assert!(CustomerId::parse(id.as_ref()).is_ok());
    }

    #[test]
    fn rejects_empty_long_whitespace_and_non_ascii() {
        assert_eq!(CustomerId::parse(""), Err(IdError::Empty));
        assert_eq!(
            CustomerId::parse(&"x".repeat(129)),
            Err(IdError::TooLong { max: 128 })
        );
        assert_eq!(CustomerId::parse("a b"), Err(IdError::BadCharacter));
        assert_eq!(CustomerId::parse("a\tb"), Err(IdError::BadCharacter));
        assert_eq!(CustomerId::parse("kunde-ä"), Err(IdError::BadCharacter));
    }
}
