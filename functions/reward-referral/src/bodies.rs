//! The JSON answers of reward-referral, built from the domain's values at the edge.

use domain::model::{rfc3339, OrderOutcome, ReferralResult, RewardStatus};
use serde::Serialize;

/// `POST /orders`: the same bytes on every replay, since the outcome is recorded with the order.
#[derive(Serialize)]
pub(crate) struct OrderBody {
    order_id: String,
    referral: Option<ReferralBody>,
}

#[derive(Serialize)]
struct ReferralBody {
    code: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    rewards: Vec<RewardBody>,
}

/// A reward as the storefront sees it; `status` is pending, available, redeemed or revoked.
#[derive(Serialize)]
pub(crate) struct RewardBody {
    beneficiary: &'static str,
    customer_id: String,
    coupon: String,
    amount_cents: u64,
    currency: String,
    status: &'static str,
    available_from: String,
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
                    rewards: rewards.iter().map(RewardBody::from).collect(),
                },
                ReferralResult::Rejected(reason) => ReferralBody {
                    code: referral.code.clone(),
                    status: "rejected",
                    reason: Some(reason.as_str()),
                    rewards: Vec::new(),
                },
            });
        Self {
            order_id: outcome.order_id.to_string(),
            referral,
        }
    }
}

/// `POST /orders/{order_id}/refund`: the order's rewards as they stand after the refund.
#[derive(Serialize)]
pub(crate) struct RefundBody {
    pub(crate) order_id: String,
    pub(crate) rewards: Vec<RewardBody>,
}

/// `GET /coupons/{code}`: what a checkout needs to show and validate a coupon.
#[derive(Serialize)]
pub(crate) struct CouponBody {
    code: String,
    customer_id: String,
    amount_cents: u64,
    currency: String,
    status: &'static str,
    available_from: String,
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
        }
    }
}

/// `POST /coupons/{code}/redeem`.
#[derive(Serialize)]
pub(crate) struct RedeemedBody {
    pub(crate) code: String,
    pub(crate) status: &'static str,
    pub(crate) order_id: String,
}
