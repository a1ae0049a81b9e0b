//! What recording an order decided: the answer every replay of the order gets.

use chrono::{DateTime, Utc};

use super::{
    CarriedCode, CouponState, CouponStatus, Decision, Order, OrderId, Rejection, ReviewRule,
    Reward, RewardStatus,
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
    /// Rewarded, and held for review by `rules`: the coupons are `review`.
    Held {
        rewards: Vec<RewardStatus>,
        rules: Vec<ReviewRule>,
    },
    Rejected(Rejection),
}

impl OrderOutcome {
    /// The outcome of `decision` for `order`, decided at `now`; `held` names the rules that hold
    /// its rewards for review.
    pub fn new(
        order: &Order,
        decision: &Decision,
        rewards: &[Reward],
        held: &[ReviewRule],
        now: DateTime<Utc>,
    ) -> Self {
        let code = order.referral_code.as_ref().map(CarriedCode::as_str);
        let referral = match (decision, code) {
            (Decision::NoCode, _) | (_, None) => None,
            (Decision::Rejected(reason), Some(code)) => Some(ReferralOutcome {
                code: code.to_owned(),
                result: ReferralResult::Rejected(*reason),
            }),
            (Decision::Rewarded, Some(code)) => {
                let state = if held.is_empty() {
                    CouponState::Issued
                } else {
                    CouponState::Review
                };
                let rewards = rewards
                    .iter()
                    .map(|reward| RewardStatus {
                        reward: reward.clone(),
                        status: CouponStatus::at(&state, reward.available_from, now),
                    })
                    .collect();
                Some(ReferralOutcome {
                    code: code.to_owned(),
                    result: if held.is_empty() {
                        ReferralResult::Rewarded(rewards)
                    } else {
                        ReferralResult::Held {
                            rewards,
                            rules: held.to_vec(),
                        }
                    },
                })
            }
        };
        Self {
            order_id: order.order_id.clone(),
            referral,
        }
    }
}
