//! A held reward as both stores keep it: the order's facts, rules and rewards as one JSON
//! record (ids, amounts and times; no address or name), and a decision from its columns.

use serde::{Deserialize, Serialize};

use super::payload::RewardRecord;
use super::{corrupt, parse_timestamp};
use crate::model::{
    rfc3339, Currency, CustomerId, MinorUnits, OrderId, ReferralCode, ReviewDecision, ReviewRule,
};
use crate::ports::{DecidedBy, HeldReward, StoreError, Verdict};

#[derive(Serialize, Deserialize)]
struct HeldRecord {
    order: String,
    code: String,
    referrer: String,
    friend: String,
    rules: Vec<String>,
    total: u64,
    currency: String,
    placed_at: String,
    flagged_at: String,
    rewards: Vec<RewardRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

pub fn held_to_json(held: &HeldReward) -> String {
    let record = HeldRecord {
        order: held.order_id.to_string(),
        code: held.referral_code.to_string(),
        referrer: held.referrer_id.to_string(),
        friend: held.friend_id.to_string(),
        rules: held.rules.iter().map(|r| r.as_str().to_owned()).collect(),
        total: held.total.get(),
        currency: held.currency.to_string(),
        placed_at: rfc3339(held.placed_at),
        flagged_at: rfc3339(held.flagged_at),
        rewards: held.rewards.iter().map(RewardRecord::from).collect(),
        page: held.page_url.clone(),
    };
    serde_json::to_string(&record).unwrap_or_else(|_| "{}".into())
}

pub fn held_from_json(json: &str) -> Result<HeldReward, StoreError> {
    let record: HeldRecord =
        serde_json::from_str(json).map_err(|_| corrupt("stored held reward"))?;
    Ok(HeldReward {
        order_id: OrderId::parse(&record.order).map_err(|_| corrupt("review's order"))?,
        referral_code: ReferralCode::parse(&record.code).map_err(|_| corrupt("review's code"))?,
        referrer_id: CustomerId::parse(&record.referrer)
            .map_err(|_| corrupt("review's referrer"))?,
        friend_id: CustomerId::parse(&record.friend).map_err(|_| corrupt("review's friend"))?,
        rules: record
            .rules
            .iter()
            .map(|raw| ReviewRule::parse(raw).ok_or_else(|| corrupt("review rule")))
            .collect::<Result<_, _>>()?,
        total: MinorUnits::new(record.total).map_err(|_| corrupt("review's total"))?,
        currency: Currency::parse(&record.currency).map_err(|_| corrupt("review's currency"))?,
        placed_at: parse_timestamp(&record.placed_at)?,
        flagged_at: parse_timestamp(&record.flagged_at)?,
        rewards: record
            .rewards
            .iter()
            .map(RewardRecord::reward)
            .collect::<Result<_, _>>()?,
        page_url: record.page,
    })
}

/// A decision from its stored parts; `None` while the review is open.
pub fn verdict(
    decision: Option<&str>,
    by: Option<&str>,
    at: Option<&str>,
    note: Option<&str>,
) -> Result<Option<Verdict>, StoreError> {
    let (Some(decision), Some(by), Some(at)) = (decision, by, at) else {
        return Ok(None);
    };
    Ok(Some(Verdict {
        decision: ReviewDecision::parse(decision).ok_or_else(|| corrupt("review decision"))?,
        by: DecidedBy::parse(by).ok_or_else(|| corrupt("review decided by"))?,
        at: parse_timestamp(at)?,
        note: note.map(str::to_owned),
    }))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{Beneficiary, CouponCode, Reward};

    #[test]
    fn a_held_reward_round_trips_and_holds_no_address() {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap();
        let reward = |beneficiary, customer: &str, coupon: &str| Reward {
            beneficiary,
            customer_id: CustomerId::parse(customer).expect("id"),
            coupon: CouponCode::parse(coupon).expect("coupon"),
            amount_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            available_from: at,
            valid_until: Some(at + chrono::Duration::days(365)),
        };
        let held = HeldReward {
            order_id: OrderId::parse("o-1").expect("id"),
            referral_code: ReferralCode::parse("ABCD2345").expect("code"),
            referrer_id: CustomerId::parse("anna").expect("id"),
            friend_id: CustomerId::parse("ben").expect("id"),
            rules: vec![ReviewRule::OrdersPerIp, ReviewRule::SameName],
            total: MinorUnits::new(5000).expect("total"),
            currency: Currency::parse("EUR").expect("currency"),
            placed_at: at,
            flagged_at: at,
            rewards: vec![
                reward(Beneficiary::Referrer, "anna", "AAAAAAAAAAAA"),
                reward(Beneficiary::Friend, "ben", "BBBBBBBBBBBB"),
            ],
            page_url: Some("https://r.example/me/ABCD2345/key".into()),
        };
        let json = held_to_json(&held);
        assert!(!json.contains('@'), "{json}");
        assert_eq!(held_from_json(&json).expect("parsed"), held);
        assert!(held_from_json("{}").is_err());
    }
}
