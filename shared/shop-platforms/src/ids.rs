//! Platform ids arrive as JSON numbers (Shopify's exceed 2^53, so never through `f64`) or, in
//! some API versions and plugins, as strings.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawId {
    Number(u64),
    Text(String),
}

impl RawId {
    pub(crate) fn text(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(s) => s.trim().to_owned(),
        }
    }

    /// WooCommerce's "no customer account" is customer id 0.
    pub(crate) fn is_zero(&self) -> bool {
        match self {
            Self::Number(n) => *n == 0,
            Self::Text(s) => s.trim() == "0" || s.trim().is_empty(),
        }
    }
}
