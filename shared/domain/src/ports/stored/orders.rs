//! Orders as stored: a reward's columns, an order record's state, coupon statuses, and the
//! outcome replayed to a webhook retry.

use serde::{Deserialize, Serialize};

use super::{corrupt, parse_timestamp};
use crate::model::{
    rfc3339, Beneficiary, CouponCode, CouponState, CouponStatus, Currency, CustomerId, OrderId,
    OrderOutcome, ReferralOutcome, ReferralResult, Rejection, ReviewRule, Reward, RewardStatus,
};
use crate::ports::StoreError;

/// A reward from its stored columns/attributes.
pub fn reward(
    beneficiary: &str,
    customer_id: &str,
    coupon: &str,
    amount_cents: u64,
    currency: &str,
    available_from: &str,
    valid_until: Option<&str>,
) -> Result<Reward, StoreError> {
    Ok(Reward {
        beneficiary: Beneficiary::parse(beneficiary).ok_or_else(|| corrupt("beneficiary"))?,
        customer_id: CustomerId::parse(customer_id).map_err(|_| corrupt("reward customer"))?,
        coupon: CouponCode::parse(coupon).map_err(|_| corrupt("coupon code"))?,
        amount_cents,
        currency: Currency::parse(currency).map_err(|_| corrupt("currency"))?,
        available_from: parse_timestamp(available_from)?,
        valid_until: valid_until.map(parse_timestamp).transpose()?,
    })
}

/// An order record's `state` when a platform reported it before its payment; a decided order
/// has none. Closed once its `refunded_at` is set.
pub const AWAITING_PAYMENT: &str = "awaiting_payment";

/// What an order record holds, from its stored state, refund time and answer.
pub fn existing_order(
    state: Option<&str>,
    refunded: bool,
    request_hash: &str,
    response_body: Option<&str>,
) -> Result<crate::ports::ExistingOrder, StoreError> {
    use crate::ports::ExistingOrder;
    match (state, response_body) {
        (Some(AWAITING_PAYMENT), _) if refunded => Ok(ExistingOrder::Closed),
        (Some(AWAITING_PAYMENT), _) => Ok(ExistingOrder::AwaitingPayment),
        (None, Some(body)) => Ok(ExistingOrder::Decided(crate::ports::StoredOrder {
            request_hash: request_hash.to_owned(),
            outcome: outcome_from_json(body)?,
        })),
        _ => Err(corrupt("order state")),
    }
}

pub const ISSUED: &str = "issued";
pub const REDEEMED: &str = "redeemed";
pub const REVOKED: &str = "revoked";
/// A coupon held by a review rule.
pub const REVIEW: &str = "review";

pub fn coupon_state(status: &str, redeemed_order: Option<&str>) -> Result<CouponState, StoreError> {
    match (status, redeemed_order) {
        (ISSUED, _) => Ok(CouponState::Issued),
        (REVOKED, _) => Ok(CouponState::Revoked),
        (REVIEW, _) => Ok(CouponState::Review),
        (REDEEMED, Some(order)) => Ok(CouponState::Redeemed {
            order_id: OrderId::parse(order).map_err(|_| corrupt("redeeming order id"))?,
        }),
        _ => Err(corrupt("coupon status")),
    }
}

/// A coupon's discount from its stored status and platform id.
pub fn coupon_discount(
    status: &str,
    discount_id: Option<&str>,
) -> Result<crate::ports::CouponDiscount, StoreError> {
    Ok(crate::ports::CouponDiscount {
        revoked: status == REVOKED,
        discount_id: discount_id
            .map(crate::model::PlatformDiscountId::parse)
            .transpose()
            .map_err(|_| corrupt("platform discount id"))?,
    })
}

/// An order's outcome as stored with the order. It has the shape of the answer's JSON, so an
/// order recorded by an earlier version, which stored that answer, still replays.
#[derive(Serialize, Deserialize)]
struct OutcomeRecord {
    order_id: String,
    referral: Option<ReferralRecord>,
}

#[derive(Serialize, Deserialize)]
struct ReferralRecord {
    code: String,
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    rewards: Vec<RewardRecord>,
    /// The rules that held the rewards for review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rules: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct RewardRecord {
    beneficiary: String,
    customer_id: String,
    coupon: String,
    amount_cents: u64,
    currency: String,
    status: String,
    available_from: String,
    /// Absent in orders recorded before coupons expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_until: Option<String>,
}

pub fn outcome_to_json(outcome: &OrderOutcome) -> String {
    let referral = outcome.referral.as_ref().map(|referral| {
        let (status, reason, rewards, rules) = match &referral.result {
            ReferralResult::Rewarded(rewards) => ("rewarded", None, rewards.as_slice(), &[][..]),
            ReferralResult::Held { rewards, rules } => {
                ("review", None, rewards.as_slice(), rules.as_slice())
            }
            ReferralResult::Rejected(reason) => (
                "rejected",
                Some(reason.as_str().to_owned()),
                &[][..],
                &[][..],
            ),
        };
        ReferralRecord {
            code: referral.code.clone(),
            status: status.to_owned(),
            reason,
            rewards: rewards
                .iter()
                .map(|r| RewardRecord {
                    beneficiary: r.reward.beneficiary.as_str().to_owned(),
                    customer_id: r.reward.customer_id.to_string(),
                    coupon: r.reward.coupon.to_string(),
                    amount_cents: r.reward.amount_cents,
                    currency: r.reward.currency.to_string(),
                    status: r.status.as_str().to_owned(),
                    available_from: rfc3339(r.reward.available_from),
                    valid_until: r.reward.valid_until.map(rfc3339),
                })
                .collect(),
            rules: rules.iter().map(|rule| rule.as_str().to_owned()).collect(),
        }
    });
    let record = OutcomeRecord {
        order_id: outcome.order_id.to_string(),
        referral,
    };
    serde_json::to_string(&record).unwrap_or_else(|_| "{}".into())
}

pub fn outcome_from_json(json: &str) -> Result<OrderOutcome, StoreError> {
    let record: OutcomeRecord =
        serde_json::from_str(json).map_err(|_| corrupt("stored order outcome"))?;
    let referral = record
        .referral
        .map(|referral| {
            let rewards = || {
                referral
                    .rewards
                    .iter()
                    .map(|r| {
                        Ok(RewardStatus {
                            reward: reward(
                                &r.beneficiary,
                                &r.customer_id,
                                &r.coupon,
                                r.amount_cents,
                                &r.currency,
                                &r.available_from,
                                r.valid_until.as_deref(),
                            )?,
                            status: CouponStatus::parse(&r.status)
                                .ok_or_else(|| corrupt("reward status"))?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            };
            let result = match (referral.status.as_str(), referral.reason.as_deref()) {
                ("rewarded", _) => ReferralResult::Rewarded(rewards()?),
                ("review", _) => ReferralResult::Held {
                    rewards: rewards()?,
                    rules: referral
                        .rules
                        .iter()
                        .map(|raw| ReviewRule::parse(raw).ok_or_else(|| corrupt("review rule")))
                        .collect::<Result<_, StoreError>>()?,
                },
                ("rejected", Some(reason)) => ReferralResult::Rejected(
                    Rejection::parse(reason).ok_or_else(|| corrupt("rejection"))?,
                ),
                _ => return Err(corrupt("referral outcome")),
            };
            Ok(ReferralOutcome {
                code: referral.code,
                result,
            })
        })
        .transpose()?;
    Ok(OrderOutcome {
        order_id: OrderId::parse(&record.order_id).map_err(|_| corrupt("order id"))?,
        referral,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn reward(beneficiary: Beneficiary, coupon: &str) -> Reward {
        Reward {
            beneficiary,
            customer_id: CustomerId::parse("c-1").expect("id"),
            coupon: CouponCode::parse(coupon).expect("coupon"),
            amount_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            available_from: Utc.with_ymd_and_hms(2026, 3, 15, 10, 0, 0).unwrap()
                + chrono::Duration::milliseconds(488),
            valid_until: None,
        }
    }

    /// The exact bytes the answer of an earlier version had: such a record must replay.
    const REWARDED: &str = r#"{"order_id":"o-1","referral":{"code":"ABCD2345","status":"rewarded","rewards":[{"beneficiary":"referrer","customer_id":"c-1","coupon":"Z5BBJTWTBCQQ","amount_cents":1000,"currency":"EUR","status":"pending","available_from":"2026-03-15T10:00:00.488Z"},{"beneficiary":"friend","customer_id":"c-1","coupon":"TJ7CP4H8BMAC","amount_cents":1000,"currency":"EUR","status":"available","available_from":"2026-03-15T10:00:00.488Z"}]}}"#;
    const REJECTED: &str = r#"{"order_id":"o-2","referral":{"code":"nope","status":"rejected","reason":"unknown_code","rewards":[]}}"#;
    const NO_CODE: &str = r#"{"order_id":"o-3","referral":null}"#;

    #[test]
    fn an_order_record_is_decided_awaiting_its_payment_or_closed() {
        use crate::ports::ExistingOrder;
        assert!(matches!(
            existing_order(None, false, "hash", Some(NO_CODE)),
            Ok(ExistingOrder::Decided(stored)) if stored.request_hash == "hash"
        ));
        // A decided order refunded later is still decided: its answer replays.
        assert!(matches!(
            existing_order(None, true, "hash", Some(NO_CODE)),
            Ok(ExistingOrder::Decided(_))
        ));
        assert!(matches!(
            existing_order(Some(AWAITING_PAYMENT), false, "", None),
            Ok(ExistingOrder::AwaitingPayment)
        ));
        assert!(matches!(
            existing_order(Some(AWAITING_PAYMENT), true, "", Some("")),
            Ok(ExistingOrder::Closed)
        ));
        assert!(existing_order(None, false, "", None).is_err());
        assert!(existing_order(Some("shipped"), false, "", None).is_err());
    }

    #[test]
    fn outcomes_round_trip_byte_for_byte() {
        for stored in [REWARDED, REJECTED, NO_CODE] {
            let outcome = outcome_from_json(stored).expect(stored);
            assert_eq!(outcome_to_json(&outcome), stored);
        }
    }

    #[test]
    fn a_rewarded_outcome_decodes_into_its_rewards() {
        let outcome = outcome_from_json(REWARDED).expect("decodes");
        let expected = ReferralResult::Rewarded(vec![
            RewardStatus {
                reward: reward(Beneficiary::Referrer, "Z5BBJTWTBCQQ"),
                status: CouponStatus::Pending,
            },
            RewardStatus {
                reward: reward(Beneficiary::Friend, "TJ7CP4H8BMAC"),
                status: CouponStatus::Available,
            },
        ]);
        assert_eq!(outcome.referral.expect("referral").result, expected);
    }

    #[test]
    fn garbage_is_corrupt_not_a_panic() {
        for stored in [
            "",
            "{}",
            r#"{"order_id":"o","referral":{"code":"x","status":"maybe","rewards":[]}}"#,
        ] {
            assert!(
                matches!(outcome_from_json(stored), Err(StoreError::Corrupt(_))),
                "{stored}"
            );
        }
    }
}
