use std::fmt;

/// A language the shop writes mails and pages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    De,
    En,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be \"de\" or \"en\" (a region such as \"de-AT\" is accepted)")]
pub struct LocaleError;

impl Locale {
    /// Accepts a BCP 47 tag whose language is supported, so `en-GB` from a browser works.
    pub fn parse(raw: &str) -> Result<Self, LocaleError> {
        let language = raw.trim().split(['-', '_']).next().unwrap_or_default();
        match language.to_ascii_lowercase().as_str() {
            "de" => Ok(Self::De),
            "en" => Ok(Self::En),
            _ => Err(LocaleError),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_languages_with_or_without_region() {
        assert_eq!(Locale::parse("de"), Ok(Locale::De));
        assert_eq!(Locale::parse("EN"), Ok(Locale::En));
        assert_eq!(Locale::parse("de-AT"), Ok(Locale::De));
        assert_eq!(Locale::parse("en_GB"), Ok(Locale::En));
    }

    #[test]
    fn rejects_unsupported_languages() {
        assert_eq!(Locale::parse("fr"), Err(LocaleError));
        assert_eq!(Locale::parse(""), Err(LocaleError));
    }
}
