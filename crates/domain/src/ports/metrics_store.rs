use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::StoreError;
use crate::model::{CounterSeries, CustomerId};

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
}

/// How many orders a customer placed on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDay {
    pub day: NaiveDate,
    pub customer_id: CustomerId,
    pub orders: u64,
}

/// Reads for score-nps; what they cost is in the README. Read-only on purpose: score-nps holds
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

    /// Orders per customer and day in `[from, to]`: proportional to the orders in the range.
    async fn order_days(&self, from: NaiveDate, to: NaiveDate)
        -> Result<Vec<OrderDay>, StoreError>;
}
