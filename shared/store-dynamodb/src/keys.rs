//! The single-table key layout, in one place: every partition and sort key the adapter writes or
//! queries is built here (docs/architecture.md lists them).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::NaiveDate;
use domain::model::{
    CounterSeries, CouponCode, CustomerId, MessageId, NetworkFingerprint, OrderId,
    PersonFingerprint, ReferralCode, ReviewStatus, SurveyId, SurveyToken, VisitorFingerprint,
};
use domain::ports::{DeliveryKey, StoreError, TallyId};

pub(super) const PK: &str = "PK";
pub(super) const SK: &str = "SK";

pub(super) type Key = HashMap<String, AttributeValue>;

fn key(pk: String, sk: &str) -> Key {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

/// A transaction's put of `item` that fails its condition when an item with its key exists.
pub(super) fn put_if_new(
    table: &str,
    item: Key,
    context: &'static str,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
    aws_sdk_dynamodb::types::Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .map(|put| {
            aws_sdk_dynamodb::types::TransactWriteItem::builder()
                .put(put)
                .build()
        })
        .map_err(|e| StoreError::backend(context, e))
}

/// The partition key of a key or an item (both are attribute maps); "" if it has none.
pub(super) fn partition(key_or_item: &Key) -> &str {
    match key_or_item.get(PK) {
        Some(AttributeValue::S(value)) => value,
        _ => "",
    }
}

/// The customer's profile: contact data, locale and the code they own.
pub(super) fn customer_profile(customer_id: &CustomerId) -> Key {
    key(format!("CUSTOMER#{customer_id}"), "PROFILE")
}

/// A referral code: its owner and the referrer's cap counter; its existence makes the code taken.
pub(super) fn referral_code(code: &ReferralCode) -> Key {
    key(format!("CODE#{code}"), "CODE")
}

/// A code's clicks and claims, beside the code in its partition: only the aggregator writes it,
/// so a viral code's clicks never meet the referrer's orders on one item.
pub(super) fn code_stats(code: &ReferralCode) -> Key {
    key(format!("CODE#{code}"), CODE_STATS)
}

pub(super) const CODE_STATS: &str = "STATS";

/// The key of the item with sort key `sort_key` in the partition of `key_or_item`.
pub(super) fn sibling(key_or_item: &Key, sort_key: &str) -> Key {
    key(partition(key_or_item).to_owned(), sort_key)
}

/// An order: the idempotency record with the stored answer and mail state.
pub(super) fn order(order_id: &OrderId) -> Key {
    key(format!("ORDER#{order_id}"), "ORDER")
}

/// The once-only referral guards of a friend: by person (the keyed fingerprint of the canonical
/// email) and by customer id. Either existing means the friend was rewarded before.
pub(super) fn referral_guards(person: &PersonFingerprint, customer_id: &CustomerId) -> [Key; 2] {
    [person_guard(person), customer_guard(customer_id)]
}

pub(super) fn person_guard(person: &PersonFingerprint) -> Key {
    key(format!("REFERRED#PERSON#{person}"), "REFERRED")
}

pub(super) fn customer_guard(customer_id: &CustomerId) -> Key {
    key(format!("REFERRED#CUSTOMER#{customer_id}"), "REFERRED")
}

/// A person's claim of the friend's offer, by the keyed fingerprint of their canonical email:
/// its existence means the person has claimed (on whichever code).
pub(super) fn offer_claim(person: &PersonFingerprint) -> Key {
    key(format!("{OFFER_CLAIM_PREFIX}{person}"), "CLAIM")
}

pub(super) const OFFER_CLAIM_PREFIX: &str = "CLAIM#PERSON#";

/// The answer given to one delivery of a shop platform's webhook, kept until its TTL.
pub(super) fn webhook_delivery(delivery: &DeliveryKey) -> Key {
    key(format!("DELIVERY#{}", delivery.as_ref()), "DELIVERY")
}

/// A visitor's mark on a share link: one click counted per visitor and code per window, the
/// mark deleted by TTL after it.
pub(super) fn visitor(visitor: &VisitorFingerprint) -> Key {
    key(format!("VISIT#{visitor}"), "VISIT")
}

/// Referred orders per day from one network (the review rule `orders_per_ip`), deleted by TTL
/// a week after the last.
pub(super) fn network_counts(network: &NetworkFingerprint) -> Key {
    key(format!("NETWORK#{network}"), "COUNTS")
}

/// A held reward's review: its status, the rules that fired and the order's facts.
pub(super) fn review(order_id: &OrderId) -> Key {
    key(format!("REVIEW#{order_id}"), "REVIEW")
}

/// The review's entry in its status's listing, newest first by sort key.
pub(super) fn review_listing(status: ReviewStatus, flagged_at: &str, order_id: &OrderId) -> Key {
    key(
        format!("{REVIEWS_PREFIX}{}", status.as_str()),
        &format!("{flagged_at}#{order_id}"),
    )
}

/// The partition key of a status's listing of reviews.
pub(super) fn review_listing_partition(status: ReviewStatus) -> String {
    format!("{REVIEWS_PREFIX}{}", status.as_str())
}

const REVIEWS_PREFIX: &str = "REVIEWS#";

/// The attribute of a day's count on a code item or a network's counts: `on_<yyyy-mm-dd>`.
pub(super) fn day_count(day: NaiveDate) -> String {
    format!("on_{}", day.format("%Y-%m-%d"))
}

/// The day of a day-count attribute, `None` for any other attribute.
pub(super) fn counted_day(attribute: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(attribute.strip_prefix("on_")?, "%Y-%m-%d").ok()
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

/// A survey's public id pointing at its token: follow-ups name surveys by id.
pub(super) fn survey_id(survey_id: &SurveyId) -> Key {
    key(format!("SURVEYID#{survey_id}"), "SURVEYID")
}

/// The sparse index of answered surveys: only answered surveys carry its keys,
/// `response_month` (`yyyy-mm` of the answer) and `response_at` (the answer's time and survey
/// id, so the order is total), so responses list newest first by key, month by month.
pub const RESPONSES_INDEX: &str = "responses";
pub const RESPONSE_MONTH: &str = "response_month";
pub const RESPONSE_AT: &str = "response_at";

/// The index partition of the answers of one month.
pub(super) fn response_month(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// When a customer id and a person (the canonical email's keyed fingerprint) were last surveyed:
/// the throttle applies to either.
pub(super) fn surveyed(customer_id: &CustomerId, person: &PersonFingerprint) -> [Key; 2] {
    [
        key(format!("SURVEYED#CUSTOMER#{customer_id}"), "SURVEYED"),
        key(format!("SURVEYED#PERSON#{person}"), "SURVEYED"),
    ]
}

/// An address that opted out of surveys, by the person's fingerprint.
pub(super) fn opt_out(person: &PersonFingerprint) -> Key {
    key(format!("OPTOUT#PERSON#{person}"), "OPTOUT")
}

/// The index of every item about a customer, by its `customer_id` attribute (profile, code,
/// orders, coupons, surveys, order days, outbox messages): a data request reads them by key.
pub const CUSTOMERS_INDEX: &str = "customers";
pub const CUSTOMER_ID: &str = "customer_id";
/// The index of the items that carry a person's fingerprint (profiles and surveys, attribute
/// `person`): a data request by address finds the customer ids behind it.
pub const PEOPLE_INDEX: &str = "people";
pub const PERSON: &str = "person";
/// DynamoDB's TTL attribute: epoch seconds after which the item is deleted (within days).
pub const EXPIRES_AT: &str = "expires_at";

/// An outbox message: a mail or webhook event with its delivery state.
pub(super) fn outbox_message(id: &MessageId) -> Key {
    key(format!("{OUTBOX_PREFIX}{id}"), OUTBOX_SORT_KEY)
}

/// An outbox message's payload when it is too large to ride on the message item (a detractor
/// alert with a long comment), beside the message in its partition: written once with it, read
/// once per attempt, so claims and results still write a small message item (1 WRU each).
pub(super) fn outbox_body(id: &MessageId) -> Key {
    key(format!("{OUTBOX_PREFIX}{id}"), OUTBOX_BODY)
}

pub(super) const OUTBOX_BODY: &str = "BODY";

/// An outbox message's sort key; its payload's is [`OUTBOX_BODY`]. The stream's filter passes
/// inserts of message items only.
pub const OUTBOX_SORT_KEY: &str = "OUTBOX";

/// Every outbox message's partition key starts with this; the stream's filter passes only these.
pub const OUTBOX_PREFIX: &str = "OUTBOX#";

/// A request's tally of counter contributions, until the aggregator applies and deletes it.
pub(super) fn tally(id: &TallyId) -> Key {
    key(format!("{TALLY_PREFIX}{}", id.as_str()), "TALLY")
}

/// Every tally's partition key starts with this; the stream's second filter passes only these.
pub const TALLY_PREFIX: &str = "TALLY#";

/// The tally id in a tally's partition key.
pub(super) fn tally_id(key_or_item: &Key) -> Result<TallyId, StoreError> {
    partition(key_or_item)
        .strip_prefix(TALLY_PREFIX)
        .ok_or_else(|| StoreError::Corrupt("bad tally key".into()))
        .and_then(TallyId::parse)
}

/// The sparse index of undelivered messages: only pending and failed messages carry its keys,
/// `outbox_status` (pending, failed) and `outbox_at` (next attempt, or when it failed), so the
/// deliverer finds due messages and operators list them by key, never by scanning the table.
pub const OUTBOX_INDEX: &str = "outbox";
pub const OUTBOX_STATUS: &str = "outbox_status";
pub const OUTBOX_AT: &str = "outbox_at";

/// The message id in an outbox message's partition key.
pub(super) fn outbox_message_id(key_or_item: &Key) -> Result<MessageId, StoreError> {
    partition(key_or_item)
        .strip_prefix(OUTBOX_PREFIX)
        .and_then(|id| MessageId::parse(id).ok())
        .ok_or_else(|| StoreError::Corrupt("bad outbox message key".into()))
}

/// The partition holding every NPS day counter; days sort by their sort key.
pub(super) const NPS_PARTITION: &str = "NPS";

/// The partition of NPS day counters per segment and per locale: sort keys
/// `DAY#<day>#<dimension>`, so one range query reads every segment of a range of days.
pub(super) const NPS_DIMENSIONS_PARTITION: &str = "NPSBY";

/// The partition of per-customer order counts per day, sorted by day for range queries.
pub(super) const ORDER_DAYS_PARTITION: &str = "ORDERDAYS";

const DAY_PREFIX: &str = "DAY#";
const DAY_FORMAT: &str = "%Y-%m-%d";

fn day_sort_key(day: NaiveDate) -> String {
    format!("{DAY_PREFIX}{}", day.format(DAY_FORMAT))
}

/// One UTC day's NPS counters.
pub(super) fn nps_day(day: NaiveDate) -> Key {
    key(NPS_PARTITION.to_owned(), &day_sort_key(day))
}

/// One day's counters of a series (`FUNNEL`, `RETENTION`): one partition per series, days sort.
pub(super) fn counter_day(series: CounterSeries, day: NaiveDate) -> Key {
    key(series.as_str().to_owned(), &day_sort_key(day))
}

/// One UTC day's NPS counters within a segment or locale (`stored::dimension_key`).
pub(super) fn nps_dimension_day(day: NaiveDate, dimension: &str) -> Key {
    key(
        NPS_DIMENSIONS_PARTITION.to_owned(),
        &format!("{}#{dimension}", day_sort_key(day)),
    )
}

/// The dimension a dimension-day sort key stands for.
pub(super) fn dimension_of(sort_key: &str) -> Result<&str, StoreError> {
    sort_key
        .get(DAY_PREFIX.len() + 11..)
        .ok_or_else(|| StoreError::Corrupt(format!("bad dimension key {sort_key:?}")))
}

/// How many orders a customer placed on a day.
pub(super) fn order_day(day: NaiveDate, customer_id: &CustomerId) -> Key {
    key(
        ORDER_DAYS_PARTITION.to_owned(),
        &format!("{}#CUSTOMER#{customer_id}", day_sort_key(day)),
    )
}

/// Sort-key bounds of the days `[from, to]` in a day-counter partition; from the first day ever
/// when `from` is `None`.
pub(super) fn days(from: Option<NaiveDate>, to: NaiveDate) -> (String, String) {
    let from = from.map_or_else(|| DAY_PREFIX.to_owned(), day_sort_key);
    (from, day_sort_key(to))
}

/// Sort-key bounds of `[from, to]` in the order-days and dimension-days partitions: "~" sorts
/// after "#", so the upper bound takes every customer (or segment) of the last day.
pub(super) fn order_days(from: NaiveDate, to: NaiveDate) -> (String, String) {
    (day_sort_key(from), format!("{}~", day_sort_key(to)))
}

/// The day a day-counter or order-day sort key stands for.
pub(super) fn day_of(sort_key: &str) -> Result<NaiveDate, StoreError> {
    sort_key
        .strip_prefix(DAY_PREFIX)
        .and_then(|rest| rest.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, DAY_FORMAT).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("bad day key {sort_key:?}")))
}
