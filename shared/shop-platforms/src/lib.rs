//! Shop platforms' order webhooks (Shopify, WooCommerce): their signatures, and their payloads
//! read into what the domain acts on. No HTTP server and no store here: the functions receive,
//! this crate understands.

mod facts;
mod ids;
pub mod shopify;
mod shopify_privacy;
mod signature;
pub mod woocommerce;

use domain::model::{FingerprintKey, SurveyRequest};

pub use facts::{
    DataRequest, Delivery, Ignored, ListedRefund, OrderEvent, OrderFacts, PrivacyRequest,
    ReferralSources,
};
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

    /// The shop that sent the delivery (Shopify only); not signed, so checked against the
    /// configured shop as a second line, never alone.
    pub fn shop_header(self) -> Option<&'static str> {
        match self {
            Self::Shopify => Some("x-shopify-shop-domain"),
            Self::WooCommerce => None,
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

/// A function's reading of the platforms' deliveries: each function names the type of request
/// it acts on, and only the topics that make one are read; every other topic is ignored.
pub trait Topics: Sized {
    fn read(
        platform: Platform,
        topic: &str,
        body: &[u8],
        reading: &Reading,
        guests: &FingerprintKey,
    ) -> Result<Delivery<Self>, PayloadError>;

    /// The shop the signed body names, when the topic's payload names one (privacy requests):
    /// checked against the configured shop, the stronger of the two checks.
    fn shop_domain(&self) -> Option<&str> {
        None
    }
}

/// reward-referral: orders, refunds and coupon redemptions.
impl Topics for OrderEvent {
    fn read(
        platform: Platform,
        topic: &str,
        body: &[u8],
        reading: &Reading,
        guests: &FingerprintKey,
    ) -> Result<Delivery<Self>, PayloadError> {
        match platform {
            Platform::Shopify => shopify::read_orders(topic, body, reading, guests),
            Platform::WooCommerce => woocommerce::read_orders(topic, body, reading, guests),
        }
    }
}

/// collect-survey: fulfilled (Shopify) or completed (WooCommerce) orders ask for a survey.
impl Topics for SurveyRequest {
    fn read(
        platform: Platform,
        topic: &str,
        body: &[u8],
        _: &Reading,
        guests: &FingerprintKey,
    ) -> Result<Delivery<Self>, PayloadError> {
        match platform {
            Platform::Shopify => shopify::read_surveys(topic, body, guests),
            Platform::WooCommerce => woocommerce::read_surveys(topic, body, guests),
        }
    }
}

/// customer-data: Shopify's mandatory privacy topics; WooCommerce has none.
impl Topics for PrivacyRequest {
    fn read(
        platform: Platform,
        topic: &str,
        body: &[u8],
        _: &Reading,
        _: &FingerprintKey,
    ) -> Result<Delivery<Self>, PayloadError> {
        match platform {
            Platform::Shopify => shopify_privacy::read(topic, body),
            Platform::WooCommerce => Ok(Ignored::new("unhandled_topic", topic).into()),
        }
    }

    fn shop_domain(&self) -> Option<&str> {
        Some(PrivacyRequest::shop_domain(self))
    }
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

/// The Shopify shop this stack belongs to, from `SHOPIFY_SHOP_URL`: its admin origin,
/// `https://<name>.myshopify.com` (`http://` only for a loopback address, as a test's fake
/// shop). An app's webhooks from every shop that installed it carry the same signature key, so
/// a delivery must also name this shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyShop {
    /// Host (and port, if any) as Shopify names the shop: `name.myshopify.com`.
    domain: String,
    /// `https://`, except for a loopback address.
    secure: bool,
}

impl ShopifyShop {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim().trim_end_matches('/');
        let (secure, authority) = if let Some(rest) = raw.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = raw.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err("must be the shop's admin origin, https://<name>.myshopify.com".into());
        };
        let domain = authority.to_ascii_lowercase();
        let host = domain
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(domain.as_str(), |(host, _)| host);
        let well_formed = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !well_formed {
            return Err("must be an origin without path, https://<name>.myshopify.com".into());
        }
        let loopback = matches!(host, "localhost" | "127.0.0.1");
        match (secure, host.ends_with(".myshopify.com"), loopback) {
            (true, true, _) | (false, _, true) => Ok(Self { domain, secure }),
            (false, _, false) => {
                Err("must use https:// (http:// only for a loopback address)".into())
            }
            (true, false, _) => Err("must be the shop's myshopify.com origin".into()),
        }
    }

    /// The admin origin, `https://name.myshopify.com`, that the Admin API is called on.
    pub fn origin(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.domain)
    }

    /// Whether a delivery's shop (header or payload) is this one; domains are compared
    /// case-insensitively. A loopback origin is a test's fake admin API, which no real shop's
    /// deliveries can name (theirs say `name.myshopify.com`): it refuses none.
    pub fn is(&self, named: &str) -> bool {
        !self.secure || named.trim().eq_ignore_ascii_case(&self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::ShopifyShop;

    #[test]
    fn a_shop_is_its_myshopify_origin() {
        let shop = ShopifyShop::parse("https://Demo-Shop.myshopify.com/").expect("valid");
        assert!(shop.is("demo-shop.myshopify.com"));
        assert!(shop.is("DEMO-shop.myshopify.com"));
        assert!(!shop.is("other.myshopify.com"));
        let fake = ShopifyShop::parse("http://127.0.0.1:8443").expect("a test's fake shop");
        assert!(fake.is("demo-shop.myshopify.com") && fake.is("127.0.0.1:8443"));
        assert_eq!(fake.origin(), "http://127.0.0.1:8443");
        assert_eq!(shop.origin(), "https://demo-shop.myshopify.com");
        for bad in [
            "demo.myshopify.com",
            "http://demo.myshopify.com",
            "https://shop.example",
            "https://demo.myshopify.com/admin",
        ] {
            assert!(ShopifyShop::parse(bad).is_err(), "{bad}");
        }
    }
}
