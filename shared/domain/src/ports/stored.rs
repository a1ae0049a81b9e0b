//! Stored forms both store adapters write the same way: reward and survey mails as JSON, coupon
//! and decision labels, timestamps, day keys. One definition, so the two stores cannot drift.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    rfc3339, Beneficiary, Category, CouponCode, CouponState, CouponStatus, Currency, CustomerId,
    OrderId, OrderOutcome, ReferralOutcome, ReferralResult, Rejection, ReviewRule, Reward,
    RewardStatus, SkipReason, SurveyDecision, SurveyToken,
};
use crate::model::{
    Comment, FollowUp, FollowUpNote, FollowUpStatus, Locale, MessageId, Response, Score, Segment,
    SurveyId,
};
use crate::ports::{Dimension, MessageKind, MessageStatus, StoreError};

mod payload;
mod review;
pub use payload::{payload_from_json, payload_to_json};
pub use review::{held_from_json, held_to_json, verdict};

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
) -> Result<super::ExistingOrder, StoreError> {
    use super::ExistingOrder;
    match (state, response_body) {
        (Some(AWAITING_PAYMENT), _) if refunded => Ok(ExistingOrder::Closed),
        (Some(AWAITING_PAYMENT), _) => Ok(ExistingOrder::AwaitingPayment),
        (None, Some(body)) => Ok(ExistingOrder::Decided(super::StoredOrder {
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
) -> Result<super::CouponDiscount, StoreError> {
    Ok(super::CouponDiscount {
        revoked: status == REVOKED,
        discount_id: discount_id
            .map(crate::model::PlatformDiscountId::parse)
            .transpose()
            .map_err(|_| corrupt("platform discount id"))?,
    })
}

pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp"))
}

pub(super) fn corrupt(what: &str) -> StoreError {
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

pub fn message_kind(raw: &str) -> Result<MessageKind, StoreError> {
    MessageKind::parse(raw).ok_or_else(|| corrupt("outbox message kind"))
}

pub fn message_status(raw: &str) -> Result<MessageStatus, StoreError> {
    MessageStatus::parse(raw).ok_or_else(|| corrupt("outbox message status"))
}

pub fn message_id(raw: &str) -> Result<MessageId, StoreError> {
    MessageId::parse(raw).map_err(|_| corrupt("outbox message id"))
}

/// The counter column of open detractors' follow-ups, beside the NPS buckets of a day.
pub const OPEN_FOLLOW_UPS: &str = "open_follow_ups";

/// One counter change an answer or follow-up causes: on a day, shop-wide (`dimension` none) or
/// within a segment or locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterMove {
    pub day: NaiveDate,
    pub dimension: Option<Dimension>,
    pub column: &'static str,
    pub delta: i64,
}

/// Adds up moves per counter and drops zeros.
pub fn merge_moves(moves: Vec<CounterMove>) -> Vec<CounterMove> {
    let mut merged: Vec<CounterMove> = Vec::new();
    for m in moves {
        match merged
            .iter_mut()
            .find(|x| x.day == m.day && x.dimension == m.dimension && x.column == m.column)
        {
            Some(existing) => existing.delta += m.delta,
            None => merged.push(m),
        }
    }
    merged.retain(|m| m.delta != 0);
    merged
}

const SEGMENT_PREFIX: &str = "segment:";
const LOCALE_PREFIX: &str = "locale:";

/// A dimension as stored in keys: `segment:<name>` or `locale:<tag>`.
pub fn dimension_key(dimension: &Dimension) -> String {
    match dimension {
        Dimension::Segment(segment) => format!("{SEGMENT_PREFIX}{segment}"),
        Dimension::Locale(locale) => format!("{LOCALE_PREFIX}{locale}"),
    }
}

pub fn dimension_from(key: &str) -> Result<Dimension, StoreError> {
    if let Some(segment) = key.strip_prefix(SEGMENT_PREFIX) {
        return Segment::parse(segment)
            .map(Dimension::Segment)
            .map_err(|_| corrupt("segment"));
    }
    key.strip_prefix(LOCALE_PREFIX)
        .and_then(|l| Locale::parse(l).ok())
        .map(Dimension::Locale)
        .ok_or_else(|| corrupt("dimension"))
}

/// A follow-up from its stored columns/attributes; none stored means none opened.
pub fn follow_up(
    status: Option<&str>,
    note: Option<&str>,
    updated_at: Option<&str>,
    opened_on: Option<&str>,
    version: Option<u64>,
) -> Result<Option<FollowUp>, StoreError> {
    let Some(status) = status else {
        return Ok(None);
    };
    let (Some(updated_at), Some(opened_on), Some(version)) = (updated_at, opened_on, version)
    else {
        return Err(corrupt("follow-up"));
    };
    Ok(Some(FollowUp {
        status: FollowUpStatus::parse(status).map_err(|_| corrupt("follow-up status"))?,
        note: note
            .map(FollowUpNote::parse)
            .transpose()
            .map_err(|_| corrupt("follow-up note"))?
            .flatten(),
        updated_at: parse_timestamp(updated_at)?,
        opened_on: NaiveDate::parse_from_str(opened_on, "%Y-%m-%d")
            .map_err(|_| corrupt("follow-up day"))?,
        version,
    }))
}

/// An optional stored text in its domain type; one that does not parse is corrupt.
pub fn optional<T, E>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    raw.map(parse).transpose().map_err(|_| corrupt(what))
}

/// A listed response's stored fields, as both stores keep them (SQLite columns, the responses
/// index's attributes).
pub struct StoredResponse<'a> {
    pub survey_id: &'a str,
    pub order_id: &'a str,
    pub customer_id: &'a str,
    pub score: u64,
    pub comment: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub segment: Option<&'a str>,
    pub answered_at: &'a str,
    pub previous_score: Option<u64>,
    pub follow_up: Option<FollowUp>,
}

pub fn response(stored: StoredResponse<'_>) -> Result<Response, StoreError> {
    let score = |n: u64| {
        u8::try_from(n)
            .ok()
            .and_then(|n| Score::new(n).ok())
            .ok_or_else(|| corrupt("response score"))
    };
    Ok(Response {
        survey_id: SurveyId::parse(stored.survey_id).map_err(|_| corrupt("survey id"))?,
        order_id: OrderId::parse(stored.order_id).map_err(|_| corrupt("response order"))?,
        customer_id: CustomerId::parse(stored.customer_id)
            .map_err(|_| corrupt("response customer"))?,
        score: score(stored.score)?,
        comment: optional(stored.comment, Comment::parse, "comment")?.flatten(),
        locale: optional(stored.locale, Locale::parse, "locale")?,
        segment: optional(stored.segment, Segment::parse, "segment")?,
        answered_at: parse_timestamp(stored.answered_at)?,
        previous_score: stored.previous_score.map(score).transpose()?,
        follow_up: stored.follow_up,
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
