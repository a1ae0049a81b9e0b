use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::StoreError;
use crate::model::{
    CounterSeries, CustomerId, Locale, Response, ResponseCursor, ResponseFilter, Segment,
};

/// One day's counters of one series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDay {
    pub day: NaiveDate,
    pub values: BTreeMap<String, i64>,
}

/// Answers per NPS bucket on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCounts {
    pub day: NaiveDate,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Detractors' follow-ups opened on this day and still open.
    pub open_follow_ups: u64,
}

/// What answers can be grouped by besides the day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Segment(Segment),
    Locale(Locale),
}

/// Answers per NPS bucket on one UTC day within one segment or locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionDay {
    pub dimension: Dimension,
    pub counts: DayCounts,
}

/// One page of responses, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsePage {
    pub responses: Vec<Response>,
    pub next: Option<ResponseCursor>,
}

impl ResponsePage {
    /// A page of `limit` from up to `limit + 1` responses read: the extra one only tells that
    /// another page follows, which starts after this page's last.
    pub fn from_one_more(mut responses: Vec<Response>, limit: usize) -> Self {
        let more = responses.len() > limit;
        responses.truncate(limit);
        let next = more
            .then(|| responses.last().map(ResponseCursor::after))
            .flatten();
        Self { responses, next }
    }
}

/// How many orders a customer placed on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDay {
    pub day: NaiveDate,
    pub customer_id: CustomerId,
    pub orders: u64,
}

/// Reads for score-nps; what they cost is in docs/api.md. Read-only on purpose: score-nps holds
/// only this port, so its binary contains no write path and its role grants only Query.
#[async_trait]
pub trait MetricsStore: Send + Sync {
    /// NPS day counters for every day in `[from, to]` that has any; days without answers are
    /// absent.
    async fn day_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCounts>, StoreError>;

    /// Days of `series` in `[from, to]` (from the first day ever when `from` is `None`) that have
    /// counters; one range query.
    async fn counter_days(
        &self,
        series: CounterSeries,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> Result<Vec<CounterDay>, StoreError>;

    /// NPS day counters per segment and per locale for every day in `[from, to]`: one range
    /// query, proportional to days × segments, never to answers.
    async fn dimension_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DimensionDay>, StoreError>;

    /// Answered surveys matching `filter`, newest first, strictly older than `after`, at most
    /// `limit`: key-ordered reads in proportion to the responses examined, never a scan.
    async fn responses(
        &self,
        filter: &ResponseFilter,
        after: Option<&ResponseCursor>,
        limit: usize,
    ) -> Result<ResponsePage, StoreError>;

    /// Orders per customer and day in `[from, to]`: proportional to the orders in the range.
    async fn order_days(&self, from: NaiveDate, to: NaiveDate)
        -> Result<Vec<OrderDay>, StoreError>;
}
