//! Disposable email addresses: the community's list of throwaway-mail domains
//! (`data/disposable-email-domains.txt`, embedded at build time and refreshed by
//! `scripts/refresh-disposable-domains.sh`). A friend's claim of the offer from such an address is
//! refused and a referred order from one is rejected (`disposable_email`): a fresh throwaway
//! address per order is the cheapest way to farm rewards.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::Email;

const LIST: &str = include_str!("../../data/disposable-email-domains.txt");

/// Built once per process, on first use.
static DOMAINS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    LIST.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether the address's domain, or a domain it is under, is a disposable-mail domain
/// (`x.mailinator.com` is `mailinator.com`'s).
pub fn is_disposable(email: &Email) -> bool {
    let address = email.as_ref();
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    let mut rest = domain.as_str();
    loop {
        if DOMAINS.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            // A bare top-level domain is never on the list; stop before it.
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disposable(raw: &str) -> bool {
        is_disposable(&Email::parse(raw).expect("address"))
    }

    #[test]
    fn listed_domains_and_their_subdomains_are_disposable_others_are_not() {
        assert!(disposable("x@mailinator.com"));
        assert!(disposable("x@MAILINATOR.com"));
        assert!(disposable("x@eu.mailinator.com"));
        assert!(disposable("x@guerrillamail.com"));
        assert!(!disposable("x@gmail.com"));
        assert!(!disposable("x@example.com"));
        assert!(!disposable("x@posteo.de") && !disposable("x@outlook.com"));
        assert!(DOMAINS.len() > 10_000, "the whole list is read");
    }
}
