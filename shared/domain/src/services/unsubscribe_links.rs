//! A customer's own unsubscribe link, for mails that belong to no survey (the win-back mail):
//! `<collect-survey>/u/c/<customer_id>/<key>`, the key derived from the customer id
//! ([`UnsubscribeKey`]), so nothing is stored to issue it.

use crate::model::{CustomerId, FingerprintKey, HttpUrl, UnsubscribeKey};

/// Where collect-survey serves the links (`SURVEY_BASE_URL`), and the key that signs them.
#[derive(Debug, Clone)]
pub struct UnsubscribeLinks {
    base: HttpUrl,
    key: FingerprintKey,
}

impl UnsubscribeLinks {
    pub fn new(base: HttpUrl, key: FingerprintKey) -> Self {
        Self { base, key }
    }

    pub fn link(&self, customer: &CustomerId) -> String {
        format!(
            "{}{}",
            self.base,
            unsubscribe_path(customer, &UnsubscribeKey::issue(&self.key, customer))
        )
    }
}

/// The link's path below collect-survey's base; the customer id is percent-encoded (ids may hold
/// `/`, `?` or `%`).
pub fn unsubscribe_path(customer: &CustomerId, key: &UnsubscribeKey) -> String {
    let segment: String = customer
        .as_ref()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("/u/c/{segment}/{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_id_is_one_path_segment_whatever_it_holds() {
        let key = FingerprintKey::parse(&"ab".repeat(32)).expect("key");
        let links = UnsubscribeLinks::new(
            HttpUrl::parse("https://s.example/").expect("url"),
            key.clone(),
        );
        let customer = CustomerId::parse("gid/7?x=1%").expect("id");
        let link = links.link(&customer);
        let issued = UnsubscribeKey::issue(&key, &customer);
        assert_eq!(
            link,
            format!("https://s.example/u/c/gid%2F7%3Fx%3D1%25/{issued}")
        );
    }
}
