//! The JSON bodies of order, coupon and refund answers; built once and stored verbatim, so a
//! replay returns byte-identical JSON.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::{Beneficiary, Decision, Order, Reward};
use crate::ports::{CouponState, StoredCoupon};

#[derive(Debug, Serialize)]
pub struct OrderBody {
    pub order_id: String,
    pub referral: Option<ReferralBody>,
}

#[derive(Debug, Serialize)]
pub struct ReferralBody {
    pub code: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::model::Rejection>,
    pub rewards: Vec<RewardBody>,
}

/// A reward as the storefront sees it; `status` is pending, available, redeemed or revoked.
#[derive(Debug, Serialize)]
pub struct RewardBody {
    pub beneficiary: Beneficiary,
    pub customer_id: String,
    pub coupon: String,
    pub amount_cents: u64,
    pub currency: String,
    pub status: &'static str,
    pub available_from: String,
}

/// A coupon's status at `now`: issued coupons are pending until their hold has passed.
pub fn coupon_status(
    state: &CouponState,
    available_from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> &'static str {
    match state {
        CouponState::Redeemed { .. } => "redeemed",
        CouponState::Revoked => "revoked",
        CouponState::Issued if now < available_from => "pending",
        CouponState::Issued => "available",
    }
}

impl RewardBody {
    pub fn new(reward: &Reward, state: &CouponState, now: DateTime<Utc>) -> Self {
        Self {
            beneficiary: reward.beneficiary,
            customer_id: reward.customer_id.to_string(),
            coupon: reward.coupon.to_string(),
            amount_cents: reward.amount_cents,
            currency: reward.currency.to_string(),
            status: coupon_status(state, reward.available_from, now),
            available_from: timestamp(reward.available_from),
        }
    }

    pub fn of_coupon(coupon: &StoredCoupon, now: DateTime<Utc>) -> Self {
        Self::new(&coupon.reward, &coupon.state, now)
    }
}

impl OrderBody {
    pub fn new(order: &Order, decision: &Decision, rewards: &[Reward], now: DateTime<Utc>) -> Self {
        let code = order.referral_code.as_ref().map(|c| c.as_str().to_owned());
        let referral = match (decision, code) {
            (Decision::NoCode, _) | (_, None) => None,
            (Decision::Rejected(reason), Some(code)) => Some(ReferralBody {
                code,
                status: "rejected",
                reason: Some(*reason),
                rewards: Vec::new(),
            }),
            (Decision::Rewarded, Some(code)) => Some(ReferralBody {
                code,
                status: "rewarded",
                reason: None,
                rewards: rewards
                    .iter()
                    .map(|r| RewardBody::new(r, &CouponState::Issued, now))
                    .collect(),
            }),
        };
        Self {
            order_id: order.order_id.to_string(),
            referral,
        }
    }
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
