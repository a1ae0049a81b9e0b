//! The single-table key layout (DESIGN.md §3), in one place.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

use domain::model::{CouponCode, CustomerId, OrderId, ReferralCode, SurveyToken};

pub(super) const PK: &str = "PK";
pub(super) const SK: &str = "SK";

pub(super) type Key = HashMap<String, AttributeValue>;

fn key(pk: String, sk: &str) -> Key {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

/// The customer's profile: contact data, locale and the code they own.
pub(super) fn customer_profile(customer_id: &CustomerId) -> Key {
    key(format!("CUSTOMER#{customer_id}"), "PROFILE")
}

/// A referral code: its owner and counters; its existence makes the code taken.
pub(super) fn referral_code(code: &ReferralCode) -> Key {
    key(format!("CODE#{code}"), "CODE")
}

/// An order: the idempotency record with the stored answer and mail state.
pub(super) fn order(order_id: &OrderId) -> Key {
    key(format!("ORDER#{order_id}"), "ORDER")
}

/// A once-only referral guard for a friend, by person (`PERSON#<hash>`) or `CUSTOMER#<id>`.
pub(super) fn referral_guard(guard: &str) -> Key {
    key(format!("REFERRED#{guard}"), "REFERRED")
}

/// A reward coupon and its lifecycle.
pub(super) fn coupon(code: &CouponCode) -> Key {
    key(format!("COUPON#{code}"), "COUPON")
}

/// A survey request for an order: the idempotency record of `POST /surveys`.
pub(super) fn survey_request(order_id: &OrderId) -> Key {
    key(format!("SURVEYREQ#{order_id}"), "SURVEYREQ")
}

/// A sent survey, keyed by its capability token.
pub(super) fn survey(token: &SurveyToken) -> Key {
    key(format!("SURVEY#{token}"), "SURVEY")
}

/// When a customer id (`CUSTOMER#<id>`) or person (`PERSON#<hash>`) was last surveyed.
pub(super) fn surveyed(who: &str) -> Key {
    key(format!("SURVEYED#{who}"), "SURVEYED")
}

/// An address that opted out of surveys, by person hash.
pub(super) fn opt_out(person: &str) -> Key {
    key(format!("OPTOUT#PERSON#{person}"), "OPTOUT")
}

/// The partition holding every NPS day counter; days sort by their sort key.
pub(super) const NPS_PARTITION: &str = "NPS";

/// One UTC day's NPS counters.
pub(super) fn nps_day(day: &str) -> Key {
    key(NPS_PARTITION.to_owned(), &format!("DAY#{day}"))
}

/// One day's counters of a series (`FUNNEL`, `RETENTION`): one partition per series, days sort.
pub(super) fn counter_day(series: domain::model::CounterSeries, day: &str) -> Key {
    key(series.as_str().to_owned(), &format!("DAY#{day}"))
}

/// The partition of per-customer order counts per day, sorted by day for range queries.
pub(super) const ORDER_DAYS_PARTITION: &str = "ORDERDAYS";

pub(super) fn order_day(day: &str, customer_id: &CustomerId) -> Key {
    key(
        ORDER_DAYS_PARTITION.to_owned(),
        &format!("DAY#{day}#CUSTOMER#{customer_id}"),
    )
}
