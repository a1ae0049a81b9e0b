//! Reading typed values out of DynamoDB items, reporting shape errors as corruption.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use domain::model::rfc3339;
use domain::ports::StoreError;

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(StoreError::Corrupt(format!(
            "attribute {name} is not a string"
        ))),
    }
}

pub(super) fn optional_string<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

pub(super) fn string_set<'a>(item: &'a Item, name: &str) -> &'a [String] {
    match item.get(name) {
        Some(AttributeValue::Ss(values)) => values,
        _ => &[],
    }
}

pub(super) fn number(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn counter(item: &Item, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(value)) => value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not a counter"))),
        Some(_) => Err(StoreError::Corrupt(format!(
            "attribute {name} is not a number"
        ))),
    }
}

pub(super) fn timestamp(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::S(rfc3339(at))
}

pub(super) fn parse_timestamp(item: &Item, name: &str) -> Result<DateTime<Utc>, StoreError> {
    let raw = string(item, name)?;
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not a timestamp")))
}

/// Seconds since the epoch: the form of DynamoDB's TTL attribute.
pub(super) fn epoch_seconds(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

/// A TTL attribute's value: the item is deleted some time after `at`.
pub(super) fn expiry(at: DateTime<Utc>) -> AttributeValue {
    number(epoch_seconds(at))
}
