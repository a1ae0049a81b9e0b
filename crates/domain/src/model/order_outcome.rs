//! What recording an order decided: the answer every replay of the order gets.

use chrono::{DateTime, Utc};

use super::{
    CarriedCode, CouponState, CouponStatus, Decision, Order, OrderId, Rejection, Reward,
    RewardStatus,
};

/// Recorded once with the order; a replay answers with it unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderOutcome {
    pub order_id: OrderId,
    /// `None` when the order carried no code.
    pub referral: Option<ReferralOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralOutcome {
    /// The code as the order carried it (a malformed one too, answered `unknown_code`).
    pub code: String,
    pub result: ReferralResult,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralResult {
    /// Both sides' rewards, with their coupons' status at the moment of the decision.
    Rewarded(Vec<RewardStatus>),
    Rejected(Rejection),
}

impl OrderOutcome {
    /// The outcome of `decision` for `order`, decided at `now`.
    pub fn new(order: &Order, decision: &Decision, rewards: &[Reward], now: DateTime<Utc>) -> Self {
        let code = order.referral_code.as_ref().map(CarriedCode::as_str);
        let referral = match (decision, code) {
            (Decision::NoCode, _) | (_, None) => None,
            (Decision::Rejected(reason), Some(code)) => Some(ReferralOutcome {
                code: code.to_owned(),
                result: ReferralResult::Rejected(*reason),
            }),
            (Decision::Rewarded, Some(code)) => Some(ReferralOutcome {
                code: code.to_owned(),
                result: ReferralResult::Rewarded(
                    rewards
                        .iter()
                        .map(|reward| RewardStatus {
                            reward: reward.clone(),
                            status: CouponStatus::at(
                                &CouponState::Issued,
                                reward.available_from,
                                now,
                            ),
                        })
                        .collect(),
                ),
            }),
        };
        Self {
            order_id: order.order_id.clone(),
            referral,
        }
    }
}
