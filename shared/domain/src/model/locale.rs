use std::fmt;

/// A language the shop writes mails and pages in: one catalog under `shared/domain/locales/`
/// each (see [`crate::texts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    De,
    En,
    Fr,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be \"de\", \"en\" or \"fr\" (a region such as \"fr-BE\" is accepted)")]
pub struct LocaleError;

impl Locale {
    /// Every locale with a catalog; adding one is adding its variant, its tag and its catalog.
    pub const ALL: [Locale; 3] = [Locale::De, Locale::En, Locale::Fr];

    /// Accepts a BCP 47 tag whose language is supported, so `en-GB` from a browser works.
    pub fn parse(raw: &str) -> Result<Self, LocaleError> {
        let language = raw.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL
            .into_iter()
            .find(|locale| locale.as_str().eq_ignore_ascii_case(language))
            .ok_or(LocaleError)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
            Self::Fr => "fr",
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
        assert_eq!(Locale::parse("fr-BE"), Ok(Locale::Fr));
    }

    #[test]
    fn rejects_unsupported_languages() {
        assert_eq!(Locale::parse("nl"), Err(LocaleError));
        assert_eq!(Locale::parse(""), Err(LocaleError));
        assert_eq!(Locale::parse("-"), Err(LocaleError));
    }
}
