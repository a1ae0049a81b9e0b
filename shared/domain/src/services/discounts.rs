//! Coupons as discount codes in the shop's platform (docs/architecture.md#platform-discounts):
//! the outbox messages written beside the coupon's issue and revocation. Ids derive from the
//! coupon and the action, so no replay or race can ask the platform twice.

use chrono::{DateTime, Utc};

use crate::model::{
    Coupon, DiscountOrigin, DiscountPlatform, Email, MessageId, NewDiscount, OfferClaim, OrderId,
    Reward,
};
use crate::ports::{DiscountAction, MessageKind, OutboxMessage, Payload};

/// Which platform, if any, gets a discount for every coupon (`DISCOUNT_PLATFORM`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Discounts {
    platform: DiscountPlatform,
}

impl Discounts {
    pub fn new(platform: DiscountPlatform) -> Self {
        Self { platform }
    }

    pub fn platform(self) -> DiscountPlatform {
        self.platform
    }

    /// The message that creates `reward`'s discount, due at once (Shopify) or when the hold
    /// ends (WooCommerce). `email` is the beneficiary's address, kept only where the platform
    /// restricts by it.
    pub fn create(
        self,
        order_id: &OrderId,
        reward: &Reward,
        email: &Email,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        self.create_for(
            DiscountOrigin::Order(order_id.clone()),
            reward,
            0,
            email,
            at,
        )
    }

    /// The message that creates a claimed offer's discount: usable at once, on an order of at
    /// least the offer's minimum, by the claimant's address only on WooCommerce.
    pub fn create_offer(
        self,
        claim: &OfferClaim,
        email: &Email,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        self.create_for(
            DiscountOrigin::Claim(claim.code.clone()),
            &claim.reward(),
            claim.min_order_cents,
            email,
            at,
        )
    }

    /// The message that creates a win-back coupon's discount: usable at once, by the customer's
    /// address only on WooCommerce.
    pub fn create_winback(
        self,
        coupon: &Reward,
        email: &Email,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        self.create_for(DiscountOrigin::Winback, coupon, 0, email, at)
    }

    fn create_for(
        self,
        origin: DiscountOrigin,
        reward: &Reward,
        min_order_cents: u64,
        email: &Email,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        if self.platform == DiscountPlatform::None {
            return None;
        }
        let discount = NewDiscount {
            coupon: reward.coupon.clone(),
            beneficiary: reward.beneficiary,
            origin,
            customer_id: reward.customer_id.clone(),
            amount_cents: reward.amount_cents,
            currency: reward.currency.clone(),
            starts_at: reward.available_from,
            ends_at: reward.valid_until,
            min_order_cents,
            email: self.platform.needs_address().then(|| email.clone()),
        };
        let due = self.platform.creates_at(at, reward.available_from);
        Some(OutboxMessage {
            id: MessageId::derive(&["discount", "create", reward.coupon.as_ref()]),
            kind: MessageKind::DiscountCreate,
            reference: format!("coupon:{}", reward.coupon),
            customer_id: Some(reward.customer_id.clone()),
            payload: Payload::Discount(DiscountAction::Create(discount)),
            // Waiting for its coupon's hold is not being late: it joins the queue when due.
            created_at: due,
            due_at: due,
        })
    }

    /// The message that ends a revoked coupon's discount. It names no customer: it holds no
    /// personal data, and an erasure must not stop a revoked coupon's discount from ending.
    pub fn deactivate(self, coupon: &Coupon, at: DateTime<Utc>) -> Option<OutboxMessage> {
        if self.platform == DiscountPlatform::None {
            return None;
        }
        let code = &coupon.reward.coupon;
        Some(OutboxMessage {
            id: MessageId::derive(&["discount", "deactivate", code.as_ref()]),
            kind: MessageKind::DiscountDeactivate,
            reference: format!("coupon:{code}"),
            customer_id: None,
            payload: Payload::Discount(DiscountAction::Deactivate {
                coupon: code.clone(),
            }),
            created_at: at,
            due_at: at,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::model::{Beneficiary, CouponCode, CouponState, Currency, CustomerId};

    fn reward() -> Reward {
        let available_from = Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap();
        Reward {
            beneficiary: Beneficiary::Friend,
            customer_id: CustomerId::parse("7001").expect("id"),
            coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
            amount_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            available_from,
            valid_until: Some(available_from + Duration::days(365)),
        }
    }

    #[test]
    fn each_platform_gets_what_it_needs_and_none_gets_nothing() {
        let order = OrderId::parse("1001").expect("order");
        let email = Email::parse("anna@example.com").expect("email");
        let issued = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let none = Discounts::default();
        assert_eq!(none.create(&order, &reward(), &email, issued), None);
        let coupon = Coupon {
            reward: reward(),
            state: CouponState::Revoked,
        };
        assert_eq!(none.deactivate(&coupon, issued), None);

        let shopify = Discounts::new(DiscountPlatform::Shopify)
            .create(&order, &reward(), &email, issued)
            .expect("a message");
        assert_eq!(shopify.due_at, issued);
        let Payload::Discount(DiscountAction::Create(discount)) = &shopify.payload else {
            panic!("a create");
        };
        assert_eq!(
            discount.email, None,
            "Shopify restricts by customer, not address"
        );
        assert_eq!(discount.ends_at, reward().valid_until);

        let woo = Discounts::new(DiscountPlatform::WooCommerce)
            .create(&order, &reward(), &email, issued)
            .expect("a message");
        assert_eq!(woo.due_at, reward().available_from);
        assert_eq!(woo.id, shopify.id, "one id per coupon and action");
        let Payload::Discount(DiscountAction::Create(discount)) = &woo.payload else {
            panic!("a create");
        };
        assert_eq!(discount.email.as_ref(), Some(&email));

        let deactivate = Discounts::new(DiscountPlatform::WooCommerce)
            .deactivate(&coupon, issued)
            .expect("a message");
        assert_ne!(deactivate.id, woo.id);
        assert_eq!(deactivate.customer_id, None);
    }
}
