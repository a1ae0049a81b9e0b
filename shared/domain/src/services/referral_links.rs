//! The two links a referrer is given, built in one place: the share link (`/r/<code>`) for
//! friends, and their own page (`/me/<code>/<key>`), both served by create-referral.

use crate::model::{HttpUrl, PageKey, ReferralCode};

/// Where a referrer's links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralLinks {
    /// create-referral's public base: `<base>/r/<code>`, so clicks are counted, and the
    /// referrer's page at `<base>/me/<code>/<key>`.
    Function(HttpUrl),
    /// No create-referral URL configured: straight to the shop's landing `<shop>/?ref=<code>`,
    /// and no page to link.
    ShopLanding(HttpUrl),
}

impl ReferralLinks {
    pub fn share(&self, code: &ReferralCode) -> String {
        match self {
            Self::Function(base) => format!("{base}{}", share_path(code)),
            Self::ShopLanding(shop) => format!("{shop}/?ref={code}"),
        }
    }

    /// The referrer's own page, where create-referral serves it.
    pub fn page(&self, code: &ReferralCode, key: &PageKey) -> Option<String> {
        match self {
            Self::Function(base) => Some(format!("{base}{}", page_path(code, key))),
            Self::ShopLanding(_) => None,
        }
    }
}

/// The share link's path below create-referral's base.
pub fn share_path(code: &ReferralCode) -> String {
    format!("/r/{code}")
}

/// The referrer's page's path below create-referral's base.
pub fn page_path(code: &ReferralCode, key: &PageKey) -> String {
    format!("/me/{code}/{key}")
}
