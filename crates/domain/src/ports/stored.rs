//! Stored forms both store adapters write the same way: reward and survey mails as JSON, coupon
//! and decision labels, timestamps, day keys. One definition, so the two stores cannot drift.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::MessageId;
use crate::model::{
    rfc3339, Beneficiary, Category, CouponCode, CouponState, CouponStatus, Currency, CustomerId,
    Email, OrderId, OrderOutcome, ReferralOutcome, ReferralResult, Rejection, Reward, RewardStatus,
    SkipReason, SurveyDecision, SurveyToken,
};
use crate::ports::{MessageKind, MessageStatus, OutgoingMail, Payload, StoreError};

/// A reward from its stored columns/attributes.
pub fn reward(
    beneficiary: &str,
    customer_id: &str,
    coupon: &str,
    amount_cents: u64,
    currency: &str,
    available_from: &str,
) -> Result<Reward, StoreError> {
    Ok(Reward {
        beneficiary: Beneficiary::parse(beneficiary).ok_or_else(|| corrupt("beneficiary"))?,
        customer_id: CustomerId::parse(customer_id).map_err(|_| corrupt("reward customer"))?,
        coupon: CouponCode::parse(coupon).map_err(|_| corrupt("coupon code"))?,
        amount_cents,
        currency: Currency::parse(currency).map_err(|_| corrupt("currency"))?,
        available_from: parse_timestamp(available_from)?,
    })
}

pub const ISSUED: &str = "issued";
pub const REDEEMED: &str = "redeemed";
pub const REVOKED: &str = "revoked";

pub fn coupon_state(status: &str, redeemed_order: Option<&str>) -> Result<CouponState, StoreError> {
    match (status, redeemed_order) {
        (ISSUED, _) => Ok(CouponState::Issued),
        (REVOKED, _) => Ok(CouponState::Revoked),
        (REDEEMED, Some(order)) => Ok(CouponState::Redeemed {
            order_id: OrderId::parse(order).map_err(|_| corrupt("redeeming order id"))?,
        }),
        _ => Err(corrupt("coupon status")),
    }
}

pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp"))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what}"))
}

/// "sent" or the skip reason, as stored.
pub fn decision_label(decision: &SurveyDecision) -> &'static str {
    match decision {
        SurveyDecision::Sent(_) => "sent",
        SurveyDecision::Skipped(reason) => reason.as_str(),
    }
}

pub fn decision_from(label: &str, token: Option<&str>) -> Result<SurveyDecision, StoreError> {
    match (label, token) {
        ("sent", Some(token)) => Ok(SurveyDecision::Sent(
            SurveyToken::parse(token).map_err(|_| corrupt("survey token"))?,
        )),
        (other, _) => SkipReason::parse(other)
            .map(SurveyDecision::Skipped)
            .ok_or_else(|| corrupt("survey decision")),
    }
}

/// The UTC day an answer counts for, as stored in keys: `yyyy-mm-dd`.
pub fn day_key(at: DateTime<Utc>) -> String {
    at.date_naive().format("%Y-%m-%d").to_string()
}

/// The counter column/attribute of an NPS bucket.
pub fn bucket(category: Category) -> &'static str {
    match category {
        Category::Promoter => "promoters",
        Category::Passive => "passives",
        Category::Detractor => "detractors",
    }
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
}

pub fn outcome_to_json(outcome: &OrderOutcome) -> String {
    let referral = outcome.referral.as_ref().map(|referral| {
        let (status, reason, rewards) = match &referral.result {
            ReferralResult::Rewarded(rewards) => ("rewarded", None, rewards.as_slice()),
            ReferralResult::Rejected(reason) => {
                ("rejected", Some(reason.as_str().to_owned()), &[][..])
            }
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
                })
                .collect(),
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
            let result = match (referral.status.as_str(), referral.reason.as_deref()) {
                ("rewarded", _) => ReferralResult::Rewarded(
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
                                )?,
                                status: CouponStatus::parse(&r.status)
                                    .ok_or_else(|| corrupt("reward status"))?,
                            })
                        })
                        .collect::<Result<_, StoreError>>()?,
                ),
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
    use chrono::TimeZone;

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
        }
    }

    /// The exact bytes the answer of an earlier version had: such a record must replay.
    const REWARDED: &str = r#"{"order_id":"o-1","referral":{"code":"ABCD2345","status":"rewarded","rewards":[{"beneficiary":"referrer","customer_id":"c-1","coupon":"Z5BBJTWTBCQQ","amount_cents":1000,"currency":"EUR","status":"pending","available_from":"2026-03-15T10:00:00.488Z"},{"beneficiary":"friend","customer_id":"c-1","coupon":"TJ7CP4H8BMAC","amount_cents":1000,"currency":"EUR","status":"available","available_from":"2026-03-15T10:00:00.488Z"}]}}"#;
    const REJECTED: &str = r#"{"order_id":"o-2","referral":{"code":"nope","status":"rejected","reason":"unknown_code","rewards":[]}}"#;
    const NO_CODE: &str = r#"{"order_id":"o-3","referral":null}"#;

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

/// An outbox message's payload as stored: the rendered mail, or the event's body.
#[derive(Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
enum PayloadRecord {
    Mail {
        to: String,
        subject: String,
        text: String,
        html: String,
        headers: Vec<(String, String)>,
    },
    Event {
        body: String,
    },
}

pub fn payload_to_json(payload: &Payload) -> String {
    let record = match payload {
        Payload::Mail(mail) => PayloadRecord::Mail {
            to: mail.to.to_string(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            html: mail.html.clone(),
            headers: mail.headers.clone(),
        },
        Payload::Event { body } => PayloadRecord::Event { body: body.clone() },
    };
    serde_json::to_string(&record).unwrap_or_else(|_| "{}".into())
}

pub fn payload_from_json(json: &str) -> Result<Payload, StoreError> {
    let record: PayloadRecord =
        serde_json::from_str(json).map_err(|_| corrupt("outbox payload"))?;
    Ok(match record {
        PayloadRecord::Mail {
            to,
            subject,
            text,
            html,
            headers,
        } => Payload::Mail(OutgoingMail {
            to: Email::parse(&to).map_err(|_| corrupt("outbox mail recipient"))?,
            subject,
            text,
            html,
            headers,
        }),
        PayloadRecord::Event { body } => Payload::Event { body },
    })
}

pub fn message_kind(raw: &str) -> Result<MessageKind, StoreError> {
    MessageKind::parse(raw).ok_or_else(|| corrupt("outbox message kind"))
}

pub fn message_status(raw: &str) -> Result<MessageStatus, StoreError> {
    MessageStatus::parse(raw).ok_or_else(|| corrupt("outbox message status"))
}

pub fn message_id(raw: &str) -> Result<MessageId, StoreError> {
    MessageId::parse(raw).map_err(|_| corrupt("outbox message id"))
}
