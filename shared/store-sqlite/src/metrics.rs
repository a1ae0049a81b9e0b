use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::{params, Transaction};

use super::{responses, EmbeddedStore};
use domain::model::{CounterDelta, CounterSeries, CustomerId, ResponseCursor, ResponseFilter};
use domain::ports::stored::dimension_from;
use domain::ports::{
    CounterDay, DayCounts, DimensionDay, MetricsStore, OrderDay, ResponsePage, StoreError,
};

const DAY: &str = "%Y-%m-%d";

/// Adds counter deltas inside the caller's transaction.
pub(super) fn apply_counters(
    tx: &Transaction<'_>,
    deltas: &[CounterDelta],
) -> rusqlite::Result<()> {
    for delta in deltas {
        tx.execute(
            "INSERT INTO counters (series, day, name, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (series, day, name) DO UPDATE SET value = value + excluded.value",
            params![
                delta.series.as_str(),
                delta.day.format(DAY).to_string(),
                delta.name,
                delta.delta
            ],
        )?;
    }
    Ok(())
}

/// promoters, passives, detractors, open follow-ups.
fn day_counts(day: &str, [p, pa, d, open]: [i64; 4]) -> Result<DayCounts, StoreError> {
    let count =
        |n: i64| u64::try_from(n).map_err(|_| StoreError::Corrupt("negative NPS counter".into()));
    Ok(DayCounts {
        day: parse_day(day)?,
        promoters: count(p)?,
        passives: count(pa)?,
        detractors: count(d)?,
        open_follow_ups: count(open)?,
    })
}

fn parse_day(raw: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(raw, DAY).map_err(|_| StoreError::Corrupt(format!("bad day {raw:?}")))
}

#[async_trait]
impl MetricsStore for EmbeddedStore {
    async fn day_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCounts>, StoreError> {
        let (from, to) = (
            from.format("%Y-%m-%d").to_string(),
            to.format("%Y-%m-%d").to_string(),
        );
        let rows = self
            .with_connection("reading NPS day counters", move |connection| {
                let mut statement = connection.prepare(
                    "SELECT day, promoters, passives, detractors, open_follow_ups FROM nps_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
                )?;
                let rows = statement
                    .query_map(params![from, to], |row| {
                        Ok((row.get::<_, String>(0)?, [row.get::<_, i64>(1)?, row.get::<_, i64>(2)?, row.get::<_, i64>(3)?, row.get::<_, i64>(4)?]))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(day, counts)| day_counts(&day, counts))
            .collect()
    }

    async fn dimension_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DimensionDay>, StoreError> {
        let (from, to) = (from.format(DAY).to_string(), to.format(DAY).to_string());
        let rows = self
            .with_connection("reading NPS counters per segment and locale", move |connection| {
                let mut statement = connection.prepare(
                    "SELECT day, dimension, promoters, passives, detractors FROM nps_dimension_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day, dimension",
                )?;
                let rows = statement
                    .query_map(params![from, to], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, [row.get::<_, i64>(2)?, row.get::<_, i64>(3)?, row.get::<_, i64>(4)?, 0]))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(day, dimension, counts)| {
                Ok(DimensionDay {
                    dimension: dimension_from(&dimension)?,
                    counts: day_counts(&day, counts)?,
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
        responses::page(self, filter, after, limit).await
    }

    async fn counter_days(
        &self,
        series: CounterSeries,
        from: Option<NaiveDate>,
        to: NaiveDate,
    ) -> Result<Vec<CounterDay>, StoreError> {
        let from = from.map_or_else(|| "0000-00-00".to_owned(), |d| d.format(DAY).to_string());
        let to = to.format(DAY).to_string();
        let rows = self
            .with_connection("reading day counters", move |connection| {
                let mut statement = connection.prepare(
                    "SELECT day, name, value FROM counters WHERE series = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
                )?;
                let rows = statement
                    .query_map(params![series.as_str(), from, to], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        let mut days: Vec<CounterDay> = Vec::new();
        for (day, name, value) in rows {
            let day = parse_day(&day)?;
            match days.last_mut() {
                Some(last) if last.day == day => {
                    last.values.insert(name, value);
                }
                _ => days.push(CounterDay {
                    day,
                    values: BTreeMap::from([(name, value)]),
                }),
            }
        }
        Ok(days)
    }

    async fn order_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<OrderDay>, StoreError> {
        let (from, to) = (from.format(DAY).to_string(), to.format(DAY).to_string());
        let rows = self
            .with_connection("reading order days", move |connection| {
                let mut statement = connection.prepare(
                    "SELECT day, customer_id, orders FROM order_days WHERE day BETWEEN ?1 AND ?2",
                )?;
                let rows = statement
                    .query_map(params![from, to], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(day, customer, orders)| {
                Ok(OrderDay {
                    day: parse_day(&day)?,
                    customer_id: CustomerId::parse(&customer)
                        .map_err(|_| StoreError::Corrupt("bad customer id".into()))?,
                    orders: u64::try_from(orders)
                        .map_err(|_| StoreError::Corrupt("negative order count".into()))?,
                })
            })
            .collect()
    }
}
