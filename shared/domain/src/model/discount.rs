//! A coupon as a shop platform's discount code (docs/architecture.md#platform-discounts): which
//! platform checks our coupons at its checkout, what is created there for each, and the id the
//! platform gave it.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{Beneficiary, CouponCode, Currency, CustomerId, Email, OrderId, ReferralCode};

/// Where the shop's checkout looks coupons up (`DISCOUNT_PLATFORM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiscountPlatform {
    /// Nobody but our API knows the coupons: the shop's own code asks `GET /coupons/{code}`.
    #[default]
    None,
    Shopify,
    WooCommerce,
}

impl DiscountPlatform {
    pub const ALL: [Self; 3] = [Self::None, Self::Shopify, Self::WooCommerce];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Shopify => "shopify",
            Self::WooCommerce => "woocommerce",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw.trim())
    }

    /// WooCommerce has no start date: a coupon in its hold period is created when the hold ends.
    /// Shopify's `startsAt` enforces the hold at its checkout, so the code exists at once.
    pub fn creates_at(
        self,
        issued_at: DateTime<Utc>,
        available_from: DateTime<Utc>,
    ) -> DateTime<Utc> {
        match self {
            Self::WooCommerce => available_from.max(issued_at),
            Self::None | Self::Shopify => issued_at,
        }
    }

    /// Only WooCommerce restricts a coupon to an address; Shopify restricts by customer id.
    pub fn needs_address(self) -> bool {
        self == Self::WooCommerce
    }
}

/// Which other discounts a coupon may be combined with at checkout (`DISCOUNT_COMBINES_WITH`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CombinesWith {
    pub order_discounts: bool,
    pub product_discounts: bool,
    pub shipping_discounts: bool,
}

impl CombinesWith {
    /// A comma-separated subset of `order`, `product`, `shipping`; empty combines with nothing.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut combines = Self::default();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "order" => combines.order_discounts = true,
                "product" => combines.product_discounts = true,
                "shipping" => combines.shipping_discounts = true,
                other => {
                    return Err(format!(
                        "`{other}` is none of order, product, shipping (comma-separated)"
                    ))
                }
            }
        }
        Ok(combines)
    }

    /// Whether it combines with anything at all (WooCommerce knows only that: `individual_use`).
    pub fn any(self) -> bool {
        self.order_discounts || self.product_discounts || self.shipping_discounts
    }
}

/// What a platform is asked to create for one coupon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDiscount {
    pub coupon: CouponCode,
    pub beneficiary: Beneficiary,
    /// What gave it: platforms keep it as a note, for support.
    pub origin: DiscountOrigin,
    /// The beneficiary: a Shopify customer id limits the discount to that customer.
    pub customer_id: CustomerId,
    pub amount_cents: u64,
    pub currency: Currency,
    pub starts_at: DateTime<Utc>,
    /// `None` only for coupons issued before coupons expired.
    pub ends_at: Option<DateTime<Utc>>,
    /// The smallest order subtotal it applies to, in minor units; 0: any.
    pub min_order_cents: u64,
    /// WooCommerce's email restriction. Personal data: it travels in the outbox payload only,
    /// which an erasure removes.
    pub email: Option<Email>,
}

/// What a discount was given for: a rewarded order, a friend's claim of the offer on a
/// referral code, or a lapsed customer's win-back mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountOrigin {
    Order(OrderId),
    Claim(ReferralCode),
    Winback,
}

impl NewDiscount {
    /// The discount's title or description on the platform: the program and who gets it, no
    /// personal data.
    pub fn title(&self) -> String {
        let whose = match self.beneficiary {
            Beneficiary::Referrer => "referrer's",
            Beneficiary::Friend => "friend's",
            Beneficiary::Winback => "returning customer's",
        };
        match &self.origin {
            DiscountOrigin::Order(order_id) => {
                format!("Referral program: {whose} reward for order {order_id}")
            }
            DiscountOrigin::Claim(code) => {
                format!("Referral program: friend's first-order offer on code {code}")
            }
            DiscountOrigin::Winback => format!("Win-back: {whose} coupon"),
        }
    }
}

/// A platform's own id of a discount it created (Shopify's `gid://shopify/DiscountCodeNode/…`,
/// WooCommerce's numeric coupon id), kept on our coupon for deactivation and for support.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlatformDiscountId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a platform discount id is 1–200 printable ASCII characters")]
pub struct PlatformDiscountIdError;

impl PlatformDiscountId {
    pub fn parse(raw: &str) -> Result<Self, PlatformDiscountIdError> {
        let valid = (1..=200).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PlatformDiscountIdError)
        }
    }
}

impl AsRef<str> for PlatformDiscountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlatformDiscountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn only_woocommerce_waits_for_the_hold_to_end() {
        let issued = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let available = issued + Duration::days(14);
        assert_eq!(
            DiscountPlatform::Shopify.creates_at(issued, available),
            issued
        );
        assert_eq!(
            DiscountPlatform::WooCommerce.creates_at(issued, available),
            available
        );
        assert_eq!(
            DiscountPlatform::WooCommerce.creates_at(issued, issued - Duration::days(1)),
            issued
        );
    }

    #[test]
    fn platforms_round_trip_through_their_names() {
        for platform in DiscountPlatform::ALL {
            assert_eq!(DiscountPlatform::parse(platform.as_str()), Some(platform));
        }
        assert_eq!(DiscountPlatform::parse("magento"), None);
    }

    #[test]
    fn combinations_are_a_checked_subset() {
        assert_eq!(CombinesWith::parse(""), Ok(CombinesWith::default()));
        assert_eq!(
            CombinesWith::parse(" shipping, order "),
            Ok(CombinesWith {
                order_discounts: true,
                product_discounts: false,
                shipping_discounts: true
            })
        );
        assert!(CombinesWith::parse("orders").is_err());
    }

    #[test]
    fn ids_are_printable_and_bounded() {
        assert!(PlatformDiscountId::parse("gid://shopify/DiscountCodeNode/1").is_ok());
        assert!(PlatformDiscountId::parse("42").is_ok());
        for bad in ["", "a b", &"9".repeat(201), "\u{e9}"] {
            assert!(PlatformDiscountId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
