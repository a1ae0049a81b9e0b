use std::fmt;

/// A syntactically valid mail address: surrounding whitespace trimmed, domain lower-cased.
///
/// The local part keeps its case because RFC 5321 lets servers treat it as significant;
/// comparisons for fraud rules use [`Email::canonical`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must be an address like name@example.com")]
    Malformed,
    #[error("must be at most 254 characters")]
    TooLong,
}

/// The longest address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const FORBIDDEN_IN_LOCAL: &[char] = &['<', '>', '(', ')', '[', ']', '\\', ',', ';', ':', '"', '@'];

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Malformed)?;
        if !is_valid_local(local) || !is_valid_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address with aliases folded away, so one person is one key for fraud rules:
    /// lower-case, `+tag` removed, and for Gmail dots removed and googlemail.com → gmail.com.
    pub fn canonical(&self) -> String {
        let lowered = self.0.to_ascii_lowercase();
        let (local, domain) = lowered.rsplit_once('@').unwrap_or((lowered.as_str(), ""));
        let untagged = local.split('+').next().unwrap_or(local);
        match domain {
            "gmail.com" | "googlemail.com" => format!("{}@gmail.com", untagged.replace('.', "")),
            _ => format!("{untagged}@{domain}"),
        }
    }
}

fn is_valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && local.bytes().all(|b| b.is_ascii_graphic())
        && !local.contains(FORBIDDEN_IN_LOCAL)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld_is_alphabetic = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    labels.len() >= 2
        && tld_is_alphabetic
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> String {
        Email::parse(raw)
            .expect("valid address in test")
            .canonical()
    }

    #[test]
    fn trims_and_lowercases_the_domain_only() {
        let email = Email::parse("  Anna.Schmidt@Example.DE ").expect("valid");
        assert_eq!(email.as_ref(), "Anna.Schmidt@example.de");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "anna",
            "@example.com",
            "anna@",
            "anna@localhost",
            "anna@example.c",
            "an na@example.com",
            "anna@exa_mple.com",
            "anna@-example.com",
            ".anna@example.com",
            "an..na@example.com",
            "anna@example..com",
            "<anna>@example.com",
            "änna@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(200));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn canonical_folds_gmail_aliases_into_one_person() {
        assert_eq!(canonical("A.N.Na+shop@GoogleMail.com"), "anna@gmail.com");
        assert_eq!(canonical("anna@gmail.com"), "anna@gmail.com");
    }

    #[test]
    fn canonical_keeps_dots_outside_gmail_but_drops_tags() {
        assert_eq!(canonical("Anna.Schmidt+x@Web.de"), "anna.schmidt@web.de");
    }
}
