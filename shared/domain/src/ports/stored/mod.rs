//! Stored forms both store adapters write the same way, so the two stores cannot drift: the
//! parsing every stored value shares (here), orders, coupons and their outcomes (`orders`),
//! survey decisions, follow-ups and listed responses (`surveys`), the NPS counters' keys and
//! moves (`counters`), outbox payloads (`payload`) and held rewards (`review`).

use chrono::{DateTime, Utc};

use crate::model::MessageId;
use crate::ports::{MessageKind, MessageStatus, StoreError};

mod counters;
mod orders;
mod payload;
mod review;
mod surveys;
pub use counters::{
    bucket, day_key, dimension_from, dimension_key, merge_moves, CounterMove, OPEN_FOLLOW_UPS,
};
pub use orders::{
    coupon_discount, coupon_state, existing_order, outcome_from_json, outcome_to_json, reward,
    AWAITING_PAYMENT, ISSUED, REDEEMED, REVIEW, REVOKED,
};
pub use payload::{payload_from_json, payload_to_json};
pub use review::{held_from_json, held_to_json, verdict};
pub use surveys::{decision_from, decision_label, follow_up, response, StoredResponse};

pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp"))
}

pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what}"))
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

/// An optional stored text in its domain type; one that does not parse is corrupt.
pub fn optional<T, E>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    raw.map(parse).transpose().map_err(|_| corrupt(what))
}
