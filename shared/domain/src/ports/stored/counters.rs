//! The NPS counters as stored: day keys, bucket names, dimensions, and the moves an answer or a
//! follow-up makes.

use chrono::{DateTime, NaiveDate, Utc};

use super::corrupt;
use crate::model::{Category, Locale, Segment};
use crate::ports::{Dimension, StoreError};

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
