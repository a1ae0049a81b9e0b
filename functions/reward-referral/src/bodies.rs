//! The JSON answers of reward-referral, built from the domain's values at the edge.

use domain::model::{rfc3339, OrderOutcome, ReferralResult, RewardStatus};
use serde::Serialize;
use utoipa::ToSchema;

/// `POST /orders`: the same bytes on every replay, since the outcome is recorded with the order.
#[derive(Serialize, ToSchema)]
pub(crate) struct OrderBody {
    order_id: String,
    /// `null` when the order carried no code.
    referral: Option<ReferralBody>,
    /// Only when the request named `coupons`: each of them that is ours, redeemed by this order
    /// or refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) coupons: Option<Vec<CouponUse>>,
}

/// One of our coupons used with an order.
#[derive(Serialize, ToSchema)]
pub(crate) struct CouponUse {
    pub(crate) code: String,
    /// `redeemed` (by this order, now or before), or why not: `already_redeemed`,
    /// `reward_pending`, `reward_in_review`, `revoked`, `expired`.
    pub(crate) status: &'static str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ReferralDecision)]
struct ReferralBody {
    code: String,
    /// `rewarded`, `review` (rewarded, and held for review: the coupons are `review` until
    /// approved) or `rejected`.
    status: &'static str,
    /// Why a rejected order was not rewarded: the first rule that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    /// The rules that held a `review` order's rewards: `orders_per_ip`, `rewards_per_week`,
    /// `shipping_address`, `same_name`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<&'static str>,
    rewards: Vec<RewardBody>,
}

/// A reward as the storefront sees it; `status` is pending, available, redeemed or revoked.
#[derive(Serialize, ToSchema)]
pub(crate) struct RewardBody {
    /// `referrer` or `friend`.
    beneficiary: &'static str,
    customer_id: String,
    coupon: String,
    amount_cents: u64,
    currency: String,
    /// `review` (held until approved), `pending`, `available`, `redeemed` or `revoked`.
    status: &'static str,
    available_from: String,
    /// When the coupon expires (its platform discount ends then too); `null` for coupons
    /// issued before coupons expired.
    valid_until: Option<String>,
}

impl From<&RewardStatus> for RewardBody {
    fn from(reward: &RewardStatus) -> Self {
        let RewardStatus { reward, status } = reward;
        Self {
            beneficiary: reward.beneficiary.as_str(),
            customer_id: reward.customer_id.to_string(),
            coupon: reward.coupon.to_string(),
            amount_cents: reward.amount_cents,
            currency: reward.currency.to_string(),
            status: status.as_str(),
            available_from: rfc3339(reward.available_from),
            valid_until: reward.valid_until.map(rfc3339),
        }
    }
}

impl From<&OrderOutcome> for OrderBody {
    fn from(outcome: &OrderOutcome) -> Self {
        let referral = outcome
            .referral
            .as_ref()
            .map(|referral| match &referral.result {
                ReferralResult::Rewarded(rewards) => ReferralBody {
                    code: referral.code.clone(),
                    status: "rewarded",
                    reason: None,
                    rules: Vec::new(),
                    rewards: rewards.iter().map(RewardBody::from).collect(),
                },
                ReferralResult::Held { rewards, rules } => ReferralBody {
                    code: referral.code.clone(),
                    status: "review",
                    reason: None,
                    rules: rules.iter().map(|rule| rule.as_str()).collect(),
                    rewards: rewards.iter().map(RewardBody::from).collect(),
                },
                ReferralResult::Rejected(reason) => ReferralBody {
                    code: referral.code.clone(),
                    status: "rejected",
                    reason: Some(reason.as_str()),
                    rules: Vec::new(),
                    rewards: Vec::new(),
                },
            });
        Self {
            order_id: outcome.order_id.to_string(),
            referral,
            coupons: None,
        }
    }
}

/// `POST /orders/{order_id}/refund`: the order's rewards as they stand after the refund.
#[derive(Serialize, ToSchema)]
pub(crate) struct RefundBody {
    pub(crate) order_id: String,
    pub(crate) rewards: Vec<RewardBody>,
}

/// `GET /coupons/{code}`: what a checkout needs to show and validate a coupon.
#[derive(Serialize, ToSchema)]
pub(crate) struct CouponBody {
    code: String,
    customer_id: String,
    amount_cents: u64,
    currency: String,
    status: &'static str,
    available_from: String,
    /// When the coupon expires (its platform discount ends then too); `null` for coupons
    /// issued before coupons expired.
    valid_until: Option<String>,
}

impl From<&RewardStatus> for CouponBody {
    fn from(coupon: &RewardStatus) -> Self {
        let RewardStatus { reward, status } = coupon;
        Self {
            code: reward.coupon.to_string(),
            customer_id: reward.customer_id.to_string(),
            amount_cents: reward.amount_cents,
            currency: reward.currency.to_string(),
            status: status.as_str(),
            available_from: rfc3339(reward.available_from),
            valid_until: reward.valid_until.map(rfc3339),
        }
    }
}

/// `POST /coupons/{code}/redeem`.
#[derive(Serialize, ToSchema)]
pub(crate) struct RedeemedBody {
    pub(crate) code: String,
    pub(crate) status: &'static str,
    pub(crate) order_id: String,
}

/// `POST /orders`'s body, read field by field by `JsonFields` so each error names its field.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct RecordOrder {
    #[schema(schema_with = web::field_schemas::order_id)]
    order_id: String,
    /// The customer who ordered.
    #[serde(flatten)]
    customer: web::openapi::CustomerFields,
    #[schema(schema_with = web::field_schemas::minor_units)]
    total_cents: u64,
    /// ISO 4217.
    #[schema(pattern = "^[A-Za-z]{3}$", example = "EUR")]
    currency: String,
    /// The code the friend came with; blank means none, an unknown one is `rejected`.
    referral_code: Option<String>,
    #[schema(schema_with = coupon_codes)]
    coupons: Option<Vec<String>>,
    /// RFC 3339; default now.
    #[schema(format = DateTime)]
    placed_at: Option<String>,
    /// The IP the order was placed from (the checkout's client), for the review rule on referred
    /// orders per IP; kept only as a keyed fingerprint, for a week.
    #[schema(example = "203.0.113.7")]
    ip: Option<String>,
    /// Where the order ships, for the review rule that compares it with the referrer's orders;
    /// kept only as a keyed fingerprint.
    shipping_address: Option<ShippingAddressFields>,
}

/// How many discount codes `POST /orders` takes.
pub(crate) const MAX_COUPONS: usize = 20;

fn coupon_codes() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String))
        .max_items(Some(MAX_COUPONS))
        .description(Some(format!(
            "Discount codes used at checkout (at most {MAX_COUPONS}; a shop's own codes are \
             ignored). Our coupons among them are redeemed by this order, and a friend's \
             first-order code makes the order the referral of the code it was claimed on, with \
             or without `referral_code`."
        )))
        .build()
}

/// `POST /orders`'s `shipping_address`: street lines, postcode and country suffice to tell one
/// place from another.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct ShippingAddressFields {
    #[schema(example = "Hauptstraße 12")]
    line1: String,
    line2: Option<String>,
    #[schema(example = "10115")]
    postcode: String,
    /// ISO 3166-1 alpha-2.
    #[schema(pattern = "^[A-Za-z]{2}$", example = "DE")]
    country: String,
}

/// `POST /coupons/{code}/redeem`'s body.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct RedeemCoupon {
    /// The order the coupon is used with; the same order may retry.
    #[schema(schema_with = web::field_schemas::order_id)]
    order_id: String,
}
