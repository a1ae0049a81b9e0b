use std::fmt;

/// A customer's display name for mails: trimmed, 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerNameError {
    #[error("must not be blank")]
    Blank,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    ControlCharacter,
}

pub const MAX_NAME_CHARS: usize = 200;

impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, CustomerNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(CustomerNameError::Blank);
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(CustomerNameError::TooLong {
                max: MAX_NAME_CHARS,
            });
        }
        if trimmed.chars().any(char::is_control) {
            return Err(CustomerNameError::ControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }
}

impl AsRef<str> for CustomerName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_unicode_names_trimmed() {
        let name = CustomerName::parse("  Jörg Müller ").expect("valid");
        assert_eq!(name.as_ref(), "Jörg Müller");
    }

    #[test]
    fn rejects_blank_long_and_control_characters() {
        assert_eq!(CustomerName::parse("  "), Err(CustomerNameError::Blank));
        assert_eq!(
            CustomerName::parse(&"ä".repeat(201)),
            Err(CustomerNameError::TooLong { max: 200 })
        );
        assert_eq!(
            CustomerName::parse("Anna\nBcc: x"),
            Err(CustomerNameError::ControlCharacter)
        );
    }
}
