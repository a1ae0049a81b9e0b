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

/// An item's size as DynamoDB bills it: each attribute's name and value, in bytes
/// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
pub(super) fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// A value's size; a number is counted at its widest (one byte per digit and one more), so an
/// estimate never falls short of what DynamoDB bills.
pub(super) fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(digits) => digits.len() + 1,
        AttributeValue::B(bytes) => bytes.as_ref().len(),
        AttributeValue::Ss(texts) => texts.iter().map(String::len).sum(),
        AttributeValue::Ns(numbers) => numbers.iter().map(|n| n.len() + 1).sum(),
        AttributeValue::Bs(blobs) => blobs.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(values) => 3 + values.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, v)| 1 + name.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}
