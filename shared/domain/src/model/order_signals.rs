//! What an order tells about who placed it beyond their address: the IP the checkout came from,
//! where it ships and the buyer's full name. Only the review rules read them, and only as keyed
//! fingerprints: no IP, street or name from here is stored or logged.

use std::fmt;
use std::net::IpAddr;

use super::{CustomerName, FingerprintKey};

/// An order's signals as the platform or storefront reported them; each may be missing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OrderSignals {
    pub ip: Option<IpAddr>,
    pub ships_to: Option<ShippingAddress>,
    /// The buyer's full name (the shipping or billing name), for the same-name rule; the order's
    /// `name` is the one mails greet with, often the first name alone.
    pub full_name: Option<CustomerName>,
}

/// Never printed: the signals are personal data.
impl fmt::Debug for OrderSignals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OrderSignals(…)")
    }
}

/// A shipping address reduced to what tells one place from another: street lines, postcode and
/// country, normalised (case, accents, punctuation, whitespace, common street abbreviations),
/// so `Hauptstraße 12` and `hauptstr. 12` are one address. The city is left out: the postcode
/// says it, and cities are spelled many ways.
#[derive(Clone, PartialEq, Eq)]
pub struct ShippingAddress(String);

impl ShippingAddress {
    /// `None` without a first street line, a postcode or a country: too little to match on.
    pub fn new(
        line1: Option<&str>,
        line2: Option<&str>,
        postcode: Option<&str>,
        country: Option<&str>,
    ) -> Option<Self> {
        let street = words(line1?);
        if street.is_empty() {
            return None;
        }
        let extra = line2.map(words).unwrap_or_default();
        let postcode: String = postcode?
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect();
        let country = country?.trim().to_ascii_uppercase();
        if postcode.is_empty()
            || country.len() != 2
            || !country.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return None;
        }
        let lines = [street, extra].concat().join(" ");
        Some(Self(format!("{lines}|{postcode}|{country}")))
    }

    /// The normalised form, for tests and the fingerprint.
    pub fn normalised(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ShippingAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShippingAddress(…)")
    }
}

/// Street words folded and abbreviated the way people write them; a German street's
/// `-straße` and `-str.` are one ending.
fn words(line: &str) -> Vec<String> {
    super::review::fold(line)
        .split_whitespace()
        .map(|word| {
            if let Some(short) = abbreviation(word) {
                return short.to_owned();
            }
            ["strasse", "str"]
                .iter()
                .find_map(|ending| word.strip_suffix(ending).filter(|stem| !stem.is_empty()))
                .map_or_else(|| word.to_owned(), |stem| format!("{stem}st"))
        })
        .collect()
}

/// The one spelling of a street word that is written several ways (German and English).
fn abbreviation(word: &str) -> Option<&'static str> {
    Some(match word {
        "strasse" | "str" | "strae" | "street" | "st" => "st",
        "avenue" | "ave" | "av" => "ave",
        "road" | "rd" => "rd",
        "boulevard" | "blvd" => "blvd",
        "drive" | "dr" => "dr",
        "lane" | "ln" => "ln",
        "place" | "pl" | "platz" => "pl",
        "court" | "ct" => "ct",
        "square" | "sq" => "sq",
        "apartment" | "apt" | "wohnung" | "whg" => "apt",
        "suite" | "ste" => "ste",
        "north" | "n" => "n",
        "south" | "s" => "s",
        "east" | "e" => "e",
        "west" | "w" => "w",
        "weg" => "weg",
        "allee" => "allee",
        "gasse" => "gasse",
        _ => return None,
    })
}

/// A keyed fingerprint for the review rules (a place shipped to, a full name): 128 bits of an
/// HMAC whose purpose separates the kinds, kept on the buyer's profile so a later referral by
/// them can be compared without any address or name kept in clear.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReviewMark(String);

impl ReviewMark {
    pub fn from_stored(raw: &str) -> Option<Self> {
        (raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(raw.to_owned()))
    }
}

impl AsRef<str> for ReviewMark {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The fingerprint of the network an order came from, for counting referred orders per IP.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NetworkFingerprint(String);

impl AsRef<str> for NetworkFingerprint {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NetworkFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FingerprintKey {
    /// The mark of a place shipped to.
    pub fn ships_to(&self, address: &ShippingAddress) -> ReviewMark {
        ReviewMark(self.short("ships-to", address.normalised()))
    }

    /// The mark of a full name, `None` for a name of one part (`Anna`), which many people share.
    pub fn full_name(&self, name: &CustomerName) -> Option<ReviewMark> {
        let parts = super::review::name_parts(name.as_ref());
        (parts.len() >= 2).then(|| ReviewMark(self.short("full-name", &parts.join(" "))))
    }

    /// The network an IP belongs to (IPv6 by its /64), fingerprinted.
    pub fn network(&self, ip: IpAddr) -> NetworkFingerprint {
        NetworkFingerprint(self.short("network", &super::visit::network(ip)))
    }

    fn short(&self, purpose: &str, value: &str) -> String {
        super::hex(&self.mac(purpose, value)[..16])
    }
}

impl OrderSignals {
    /// The marks the order leaves on its buyer's profile: where it ships, the full name.
    pub fn marks(&self, key: &FingerprintKey) -> Vec<ReviewMark> {
        let mut marks: Vec<ReviewMark> = self.ships_to.iter().map(|a| key.ships_to(a)).collect();
        marks.extend(self.full_name.as_ref().and_then(|name| key.full_name(name)));
        marks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(line1: &str, line2: Option<&str>, postcode: &str, country: &str) -> ShippingAddress {
        ShippingAddress::new(Some(line1), line2, Some(postcode), Some(country)).expect("address")
    }

    #[test]
    fn one_place_however_it_is_written() {
        let one = address("Hauptstraße 12", None, "10115", "DE");
        for other in [
            address("hauptstrasse 12", None, "10115", "de"),
            address("  HAUPTSTR. 12 ", Some(""), " 10115 ", "DE"),
            address("Hauptstr 12", None, "10115", "DE"),
        ] {
            assert_eq!(one, other, "{}", other.normalised());
        }
        assert_eq!(
            address("221B Baker Street", Some("Apartment 2"), "NW1 6XE", "GB").normalised(),
            "221b baker st apt 2|NW16XE|GB"
        );
        assert_eq!(
            address("221b Baker St.", Some("apt. 2"), "nw1 6xe", "gb"),
            address("221B Baker Street", Some("Apartment 2"), "NW1 6XE", "GB")
        );
        assert_ne!(one, address("Hauptstraße 14", None, "10115", "DE"));
        assert_ne!(one, address("Hauptstraße 12", None, "10117", "DE"));
        assert_ne!(one, address("Hauptstraße 12", None, "10115", "AT"));
    }

    #[test]
    fn too_little_is_no_address() {
        assert_eq!(
            ShippingAddress::new(None, None, Some("10115"), Some("DE")),
            None
        );
        assert_eq!(
            ShippingAddress::new(Some(" "), None, Some("10115"), Some("DE")),
            None
        );
        assert_eq!(
            ShippingAddress::new(Some("Weg 1"), None, None, Some("DE")),
            None
        );
        assert_eq!(
            ShippingAddress::new(Some("Weg 1"), None, Some("1"), Some("Germany")),
            None
        );
    }

    #[test]
    fn marks_are_keyed_and_one_part_names_leave_none() {
        let key = FingerprintKey::parse(&"k".repeat(32)).expect("key");
        let other = FingerprintKey::parse(&"j".repeat(32)).expect("key");
        let name = |raw: &str| CustomerName::parse(raw).expect("name");
        assert_eq!(
            key.full_name(&name("Anna Müller")),
            key.full_name(&name("müller, anna"))
        );
        assert_ne!(
            key.full_name(&name("Anna Müller")),
            other.full_name(&name("Anna Müller"))
        );
        assert_eq!(key.full_name(&name("Anna")), None);
        let place = address("Hauptstraße 12", None, "10115", "DE");
        assert_ne!(
            Some(key.ships_to(&place)),
            key.full_name(&name("Anna Müller"))
        );
        assert_eq!(key.ships_to(&place).as_ref().len(), 32);
        assert_eq!(
            key.network("2001:db8:1:2::1".parse().expect("ip")),
            key.network("2001:db8:1:2::ffff".parse().expect("ip"))
        );
        let signals = OrderSignals {
            ip: None,
            ships_to: Some(place),
            full_name: Some(name("Anna Müller")),
        };
        assert_eq!(signals.marks(&key).len(), 2);
        assert_eq!(format!("{signals:?}"), "OrderSignals(…)");
    }
}
