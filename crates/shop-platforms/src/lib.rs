//! Shop platforms' order webhooks (Shopify, WooCommerce): their signatures, and their payloads
//! read into what the domain acts on. No HTTP server and no store here: the functions receive,
//! this crate understands.

mod facts;
mod ids;
pub mod shopify;
mod shopify_privacy;
mod signature;
pub mod woocommerce;

pub use facts::{DataRequest, Ignored, OrderFacts, PlatformRequest, ReferralSources};
pub use signature::{SigningSecret, SigningSecretError};

/// The platforms we take webhooks from, with the headers each one uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Shopify,
    WooCommerce,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shopify => "shopify",
            Self::WooCommerce => "woocommerce",
        }
    }

    /// Base64 of the HMAC-SHA256 of the raw body, keyed with the shared secret.
    pub fn signature_header(self) -> &'static str {
        match self {
            Self::Shopify => "x-shopify-hmac-sha256",
            Self::WooCommerce => "x-wc-webhook-signature",
        }
    }

    pub fn topic_header(self) -> &'static str {
        match self {
            Self::Shopify => "x-shopify-topic",
            Self::WooCommerce => "x-wc-webhook-topic",
        }
    }

    /// The id of this delivery, the same on the platform's retries of it.
    pub fn delivery_headers(self) -> &'static [&'static str] {
        match self {
            Self::Shopify => &["x-shopify-event-id", "x-shopify-webhook-id"],
            Self::WooCommerce => &["x-wc-webhook-delivery-id"],
        }
    }
}

/// Which of our functions received the delivery: each acts on its own part of the topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// reward-referral: orders, refunds and coupon redemptions.
    Rewards,
    /// collect-survey: fulfilled or completed orders ask for a survey.
    Surveys,
    /// customer-data: Shopify's mandatory privacy topics (a customer's erasure or data request,
    /// a shop's redaction).
    Privacy,
}

/// The body is not the platform's JSON for its topic: the one case a signed delivery is refused
/// (400), since sending it again cannot help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {platform} {topic} payload: {reason}")]
pub struct PayloadError {
    pub platform: &'static str,
    pub topic: String,
    pub reason: String,
}

/// Options the shop sets for how the referral code reaches its orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The cart attribute (Shopify `note_attributes`), order meta key (WooCommerce
    /// `meta_data`) and landing-page query parameter carrying the referral code.
    pub referral_attribute: String,
}

/// `ref`, the parameter create-referral's default landing URL carries.
impl Default for Reading {
    fn default() -> Self {
        Self {
            referral_attribute: "ref".to_owned(),
        }
    }
}

impl Reading {
    /// The attribute's name: 1–64 printable ASCII characters without spaces.
    pub fn parse(referral_attribute: &str) -> Result<Self, String> {
        let name = referral_attribute.trim();
        if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be 1–64 printable ASCII characters without spaces".into());
        }
        Ok(Self {
            referral_attribute: name.to_owned(),
        })
    }
}
