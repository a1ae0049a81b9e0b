//! Counter items as transaction updates (the aggregator's), and the range reads score-nps needs.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::NaiveDate;

use super::attributes::{self, string, Item};
use super::errors::classify;
use super::{keys, DynamoStore};
use domain::model::{
    counters, CounterDelta, CounterSeries, CustomerId, ResponseCursor, ResponseFilter,
};
use domain::ports::stored::{dimension_from, OPEN_FOLLOW_UPS};
use domain::ports::{
    CounterDay, DayCounts, DimensionDay, MetricsStore, OrderDay, ResponsePage, StoreError,
};

/// A counter's name and what is added to it.
type Change = (Cow<'static, str>, i64);

/// One `ADD` update per (series, day) item, since a transaction may touch an item only once.
pub(super) fn counter_updates(
    table: &str,
    deltas: &[CounterDelta],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut by_item: BTreeMap<(CounterSeries, NaiveDate), Vec<Change>> = BTreeMap::new();
    for delta in counters::merge(deltas.to_vec()) {
        by_item
            .entry((delta.series, delta.day))
            .or_default()
            .push((delta.name, delta.delta));
    }
    by_item
        .into_iter()
        .map(|((series, day), changes)| add_update(table, keys::counter_day(series, day), &changes))
        .collect()
}

/// One transaction item adding each `(attribute, delta)` to the item at `key`.
pub(super) fn add_update<N: AsRef<str>>(
    table: &str,
    key: keys::Key,
    changes: &[(N, i64)],
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder().table_name(table).set_key(Some(key));
    let mut clauses = Vec::new();
    for (i, (name, delta)) in changes.iter().enumerate() {
        clauses.push(format!("#c{i} :c{i}"));
        update = update
            .expression_attribute_names(format!("#c{i}"), name.as_ref())
            .expression_attribute_values(format!(":c{i}"), AttributeValue::N(delta.to_string()));
    }
    update
        .update_expression(format!("ADD {}", clauses.join(", ")))
        .build()
        .map(|u| TransactWriteItem::builder().update(u).build())
        .map_err(|e| StoreError::backend("building a counter update", e))
}

impl DynamoStore {
    /// All items of a partition with sort keys in `[from, to]`, following pages.
    pub(super) async fn query_range(
        &self,
        partition: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":pk", AttributeValue::S(partition.to_owned()))
                .expression_attribute_values(":from", AttributeValue::S(from.to_owned()))
                .expression_attribute_values(":to", AttributeValue::S(to.to_owned()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| classify("querying a day range", e))?;
            items.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }
}

#[async_trait]
impl MetricsStore for DynamoStore {
    async fn day_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCounts>, StoreError> {
        let (first, last) = keys::days(Some(from), to);
        let items = self.query_range(keys::NPS_PARTITION, &first, &last).await?;
        items
            .iter()
            .map(|item| {
                Ok(DayCounts {
                    day: keys::day_of(string(item, keys::SK)?)?,
                    promoters: attributes::counter(item, "promoters")?,
                    passives: attributes::counter(item, "passives")?,
                    detractors: attributes::counter(item, "detractors")?,
                    open_follow_ups: attributes::counter(item, OPEN_FOLLOW_UPS)?,
                })
            })
            .collect()
    }

    async fn dimension_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DimensionDay>, StoreError> {
        let (first, last) = keys::order_days(from, to);
        let items = self
            .query_range(keys::NPS_DIMENSIONS_PARTITION, &first, &last)
            .await?;
        items
            .iter()
            .map(|item| {
                let sort_key = string(item, keys::SK)?;
                Ok(DimensionDay {
                    dimension: dimension_from(keys::dimension_of(sort_key)?)?,
                    counts: DayCounts {
                        day: keys::day_of(sort_key)?,
                        promoters: attributes::counter(item, "promoters")?,
                        passives: attributes::counter(item, "passives")?,
                        detractors: attributes::counter(item, "detractors")?,
                        open_follow_ups: 0,
                    },
                })
            })
            .collect()
    }

    async fn responses(
        &self,
        filter: &ResponseFilter,
        after: Option<&ResponseCursor>,
        limit: usize,
    ) -> Result<ResponsePage, StoreError> {
        self.response_page(filter, after, limit).await
    }

    async fn counter_days(
        &self,
        series: CounterSeries,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> Result<Vec<CounterDay>, StoreError> {
        let (first, last) = keys::days(from, to);
        let items = self.query_range(series.as_str(), &first, &last).await?;
        items
            .iter()
            .map(|item| {
                let mut values = BTreeMap::new();
                for (name, value) in item {
                    if !counters::is_known(name) {
                        continue;
                    }
                    let value = match value {
                        AttributeValue::N(n) => n
                            .parse::<i64>()
                            .map_err(|_| StoreError::Corrupt("bad counter".into()))?,
                        _ => return Err(StoreError::Corrupt("bad counter".into())),
                    };
                    values.insert(name.clone(), value);
                }
                Ok(CounterDay {
                    day: keys::day_of(string(item, keys::SK)?)?,
                    values,
                })
            })
            .collect()
    }

    async fn order_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<OrderDay>, StoreError> {
        let (first, last) = keys::order_days(from, to);
        let items = self
            .query_range(keys::ORDER_DAYS_PARTITION, &first, &last)
            .await?;
        items
            .iter()
            .map(|item| {
                Ok(OrderDay {
                    day: keys::day_of(string(item, keys::SK)?)?,
                    customer_id: CustomerId::parse(string(item, "customer_id")?)
                        .map_err(|_| StoreError::Corrupt("bad customer id".into()))?,
                    orders: attributes::counter(item, "orders")?,
                })
            })
            .collect()
    }
}
