//! Stored forms both store adapters write the same way: reward and survey mails as JSON, coupon
//! and decision labels, timestamps, day keys. One definition, so the two stores cannot drift.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    Beneficiary, CouponCode, Currency, CustomerId, CustomerName, Email, Locale, OrderId, Reward,
};
use crate::ports::{CouponState, RewardMail, StoreError};

#[derive(Serialize, Deserialize)]
struct MailRecord {
    to: String,
    name: Option<String>,
    locale: Option<String>,
    beneficiary: String,
    customer_id: String,
    coupon: String,
    amount_cents: u64,
    currency: String,
    available_from: String,
}

pub fn mails_to_json(mails: &[RewardMail]) -> String {
    let records: Vec<MailRecord> = mails
        .iter()
        .map(|mail| MailRecord {
            to: mail.to.to_string(),
            name: mail.name.as_ref().map(ToString::to_string),
            locale: mail.locale.map(|l| l.as_str().to_owned()),
            beneficiary: mail.reward.beneficiary.as_str().to_owned(),
            customer_id: mail.reward.customer_id.to_string(),
            coupon: mail.reward.coupon.to_string(),
            amount_cents: mail.reward.amount_cents,
            currency: mail.reward.currency.to_string(),
            available_from: timestamp(mail.reward.available_from),
        })
        .collect();
    serde_json::to_string(&records).unwrap_or_else(|_| "[]".into())
}

/// The stored mails whose beneficiary is not in `sent`.
pub fn unsent_mails(json: &str, sent: &[String]) -> Result<Vec<RewardMail>, StoreError> {
    let records: Vec<MailRecord> =
        serde_json::from_str(json).map_err(|_| corrupt("stored reward mails"))?;
    records
        .into_iter()
        .filter(|r| !sent.contains(&r.beneficiary))
        .map(|r| {
            Ok(RewardMail {
                to: Email::parse(&r.to).map_err(|_| corrupt("mail recipient"))?,
                name: r
                    .name
                    .as_deref()
                    .map(CustomerName::parse)
                    .transpose()
                    .map_err(|_| corrupt("mail name"))?,
                locale: r
                    .locale
                    .as_deref()
                    .map(Locale::parse)
                    .transpose()
                    .map_err(|_| corrupt("mail locale"))?,
                reward: reward(
                    &r.beneficiary,
                    &r.customer_id,
                    &r.coupon,
                    r.amount_cents,
                    &r.currency,
                    &r.available_from,
                )?,
            })
        })
        .collect()
}

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

/// Millisecond RFC 3339 in UTC: sorts as text and round-trips exactly.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp"))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what}"))
}

#[derive(Serialize, Deserialize)]
struct SurveyMailRecord {
    to: String,
    name: Option<String>,
    locale: Option<String>,
    token: String,
    links_base: String,
}

pub fn survey_mail_to_json(job: &crate::ports::SurveyMailJob) -> String {
    let record = SurveyMailRecord {
        to: job.to.to_string(),
        name: job.name.as_ref().map(ToString::to_string),
        locale: job.locale.map(|l| l.as_str().to_owned()),
        token: job.token.to_string(),
        links_base: job.links_base.clone(),
    };
    serde_json::to_string(&record).unwrap_or_else(|_| "{}".into())
}

pub fn survey_mail_from_json(json: &str) -> Result<crate::ports::SurveyMailJob, StoreError> {
    let r: SurveyMailRecord =
        serde_json::from_str(json).map_err(|_| corrupt("stored survey mail"))?;
    Ok(crate::ports::SurveyMailJob {
        to: Email::parse(&r.to).map_err(|_| corrupt("survey recipient"))?,
        name: r
            .name
            .as_deref()
            .map(CustomerName::parse)
            .transpose()
            .map_err(|_| corrupt("survey name"))?,
        locale: r
            .locale
            .as_deref()
            .map(Locale::parse)
            .transpose()
            .map_err(|_| corrupt("survey locale"))?,
        token: crate::model::SurveyToken::parse(&r.token).map_err(|_| corrupt("survey token"))?,
        links_base: r.links_base,
    })
}

/// "sent" or the skip reason, as stored.
pub fn decision_label(decision: &crate::ports::SurveyDecision) -> &'static str {
    match decision {
        crate::ports::SurveyDecision::Sent(_) => "sent",
        crate::ports::SurveyDecision::Skipped(reason) => reason.as_str(),
    }
}

pub fn decision_from(
    label: &str,
    token: Option<&str>,
) -> Result<crate::ports::SurveyDecision, StoreError> {
    use crate::ports::{SkipReason, SurveyDecision};
    match (label, token) {
        ("sent", Some(token)) => Ok(SurveyDecision::Sent(
            crate::model::SurveyToken::parse(token).map_err(|_| corrupt("survey token"))?,
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
pub fn bucket(category: crate::model::Category) -> &'static str {
    match category {
        crate::model::Category::Promoter => "promoters",
        crate::model::Category::Passive => "passives",
        crate::model::Category::Detractor => "detractors",
    }
}
