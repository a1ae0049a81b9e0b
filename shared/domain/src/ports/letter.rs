//! A mail as the outbox keeps it: its recipient and the facts it tells, decided when its cause
//! commits; the words and the layout (plain text and HTML) are written by the deliverer when it
//! sends it (services::letters). The facts take a few hundred bytes where the rendered mail takes
//! 2–3 KB, so a mail message fits one 1 KB item and its claim and result are 1 WRU each
//! (docs/architecture.md#the-outbox).

use chrono::{DateTime, Utc};

use super::OutgoingMail;
use crate::model::{
    Currency, CustomerId, CustomerName, Email, HttpUrl, Locale, OrderId, Reward, Score, SurveyToken,
};

/// How the shop presents itself in mails, as it was when the mail was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopIdentity {
    pub name: String,
    pub url: HttpUrl,
    pub default_locale: Locale,
}

/// One mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Letter {
    Reward(RewardMail),
    Offer(OfferMail),
    Survey(SurveyMailJob),
    /// The survey's one reminder: the same links, its own words.
    SurveyReminder(SurveyMailJob),
    DetractorAlert(DetractorAlert),
    Winback(WinbackMail),
    /// A mail an earlier version wrote rendered: sent as it is.
    Rendered(OutgoingMail),
}

/// A reward notification: who gets it and for which reward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardMail {
    pub to: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub reward: Reward,
    /// The referrer's own page: their friends' progress and every reward.
    pub page_url: Option<String>,
    pub shop: ShopIdentity,
}

/// The friend's first-order code, mailed when they claim the offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferMail {
    pub to: Email,
    pub locale: Locale,
    pub coupon: crate::model::CouponCode,
    pub amount_cents: u64,
    pub min_order_cents: u64,
    pub currency: Currency,
    pub expires_at: DateTime<Utc>,
    /// The shop's link that applies the code.
    pub apply_url: String,
    pub shop: ShopIdentity,
}

/// The thank-you mail with the one-click survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyMailJob {
    pub to: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub token: SurveyToken,
    /// Public base URL of collect-survey at the time of sending; links are `<base>/s/<token>`.
    pub links_base: String,
    /// The customer's own referral page, for the "share with friends" line.
    pub share_page: Option<String>,
    pub shop: ShopIdentity,
}

/// To the shop's support address, in the shop's language: who was unhappy about which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetractorAlert {
    /// The shop's support address.
    pub to: Email,
    pub score: Score,
    pub comment: Option<String>,
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    /// The customer's address: shown, and where support's answer goes.
    pub customer_email: Option<Email>,
    pub shop: ShopIdentity,
}

/// To a customer whose last order is a buying cycle old: a coupon to come back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinbackMail {
    pub to: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub coupon: crate::model::CouponCode,
    pub amount_cents: u64,
    pub currency: Currency,
    pub expires_at: DateTime<Utc>,
    /// The customer's own unsubscribe link (collect-survey's `/u/c/…`), in the mail and its
    /// `List-Unsubscribe` header.
    pub unsubscribe_url: String,
    pub shop: ShopIdentity,
}
