//! Tallies: the item a request writes instead of adding to shared counters, and the aggregator
//! that adds them to the counters (`domain::ports::tally` says why).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::NaiveDate;

use super::attributes::{self, Item};
use super::counters::{add_update, counter_updates};
use super::errors::{self, conflict_backoff, Transact, CONFLICT_ATTEMPTS};
use super::{keys, DynamoStore};
use domain::ports::stored::{dimension_key, CounterMove};
use domain::ports::tally::{tally_from_json, tally_to_json};
use domain::ports::{StoreError, Tally, TallyId, TallyStore};

/// The attribute holding a tally's contributions (`domain::ports::tally`'s JSON).
const MOVES: &str = "moves";

/// A transaction holds at most 100 items: the counters a chunk of tallies writes plus one delete
/// per tally.
const MAX_TRANSACTION_ITEMS: usize = 100;

fn tally_item(id: &TallyId, tally: &Tally) -> Item {
    let mut item = keys::tally(id);
    item.insert(MOVES.to_owned(), AttributeValue::S(tally_to_json(tally)));
    item
}

/// A transaction's put of a request's tally; `None` when the request moves no counter.
pub(super) fn tally_put(
    table: &str,
    tally: &Tally,
) -> Result<Option<TransactWriteItem>, StoreError> {
    if tally.is_empty() {
        return Ok(None);
    }
    Put::builder()
        .table_name(table)
        .set_item(Some(tally_item(&TallyId::random(), tally)))
        .build()
        .map(|put| Some(TransactWriteItem::builder().put(put).build()))
        .map_err(|e| StoreError::backend("building a tally put", e))
}

/// One `ADD` update per counter item, since a transaction may touch an item only once.
fn counter_writes(table: &str, tally: &Tally) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut writes = counter_updates(table, &tally.days)?;
    writes.extend(nps_updates(table, &tally.nps)?);
    for (day, customer, orders) in &tally.order_days {
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(keys::order_day(*day, customer)))
            .update_expression("ADD orders :orders SET customer_id = :customer")
            .expression_attribute_values(":orders", AttributeValue::N(orders.to_string()))
            .expression_attribute_values(":customer", AttributeValue::S(customer.to_string()))
            .build()
            .map_err(|e| StoreError::backend("building an order-day update", e))?;
        writes.push(TransactWriteItem::builder().update(update).build());
    }
    for (code, counts) in &tally.codes {
        writes.push(add_update(
            table,
            keys::code_stats(code),
            &[("clicks", counts.clicks), ("claims", counts.claims)],
        )?);
    }
    Ok(writes)
}

/// A day's NPS counter item: its day, and its segment or locale if not shop-wide.
type NpsItem = (NaiveDate, Option<String>);

fn nps_updates(table: &str, moves: &[CounterMove]) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut by_item: BTreeMap<NpsItem, Vec<(&'static str, i64)>> = BTreeMap::new();
    for m in moves {
        by_item
            .entry((m.day, m.dimension.as_ref().map(dimension_key)))
            .or_default()
            .push((m.column, m.delta));
    }
    by_item
        .into_iter()
        .map(|((day, dimension), changes)| {
            let key = match &dimension {
                None => keys::nps_day(day),
                Some(dimension) => keys::nps_dimension_day(day, dimension),
            };
            add_update(table, key, &changes)
        })
        .collect()
}

fn tally_delete(table: &str, id: &TallyId) -> Result<TransactWriteItem, StoreError> {
    Delete::builder()
        .table_name(table)
        .set_key(Some(keys::tally(id)))
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", keys::PK)
        .build()
        .map(|delete| TransactWriteItem::builder().delete(delete).build())
        .map_err(|e| StoreError::backend("building a tally delete", e))
}

impl DynamoStore {
    /// A click's tally, put on its own: the only write a click makes (1 WRU).
    pub(super) async fn put_tally(&self, tally: &Tally) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(tally_item(&TallyId::random(), tally)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::classify("writing a tally", e))
    }

    /// Adds a chunk's tallies to the counters and deletes them in one transaction. A tally
    /// whose delete fails its condition was applied before (or never written): it is left out
    /// and the rest tried again. Returns how many this call applied.
    async fn apply_chunk(&self, mut chunk: Vec<(TallyId, Tally)>) -> Result<usize, StoreError> {
        let mut conflicts = 0;
        loop {
            if chunk.is_empty() {
                return Ok(0);
            }
            let merged = Tally::merge(chunk.iter().map(|(_, tally)| tally));
            let mut items = counter_writes(&self.table, &merged)?;
            let first_delete = items.len();
            for (id, _) in &chunk {
                items.push(tally_delete(&self.table, id)?);
            }
            match self.transact("applying tallies", items).await? {
                Transact::Committed => return Ok(chunk.len()),
                Transact::Cancelled(reasons) => {
                    let applied_before: Vec<usize> = (0..chunk.len())
                        .filter(|i| errors::failed_condition(&reasons, first_delete + i))
                        .collect();
                    if !applied_before.is_empty() {
                        let mut index = 0;
                        chunk.retain(|_| {
                            let keep = !applied_before.contains(&index);
                            index += 1;
                            keep
                        });
                        continue;
                    }
                    if errors::is_conflict(&reasons) || errors::is_throttled(&reasons) {
                        conflicts += 1;
                        if conflicts >= CONFLICT_ATTEMPTS {
                            return Err(StoreError::Contention {
                                operation: "apply tallies",
                                attempts: conflicts,
                            });
                        }
                        tokio::time::sleep(conflict_backoff(conflicts)).await;
                        continue;
                    }
                    return Err(StoreError::Contention {
                        operation: "apply tallies",
                        attempts: conflicts + 1,
                    });
                }
            }
        }
    }
}

#[async_trait]
impl TallyStore for DynamoStore {
    /// Reads the tallies (one consistent `BatchGetItem` per 100; an applied one is gone), then
    /// applies them in transactions of at most 100 items, each writing the merged counters of
    /// its tallies once and deleting those tallies.
    async fn apply_tallies(&self, ids: &[TallyId]) -> Result<usize, StoreError> {
        // An id named twice is still one tally (and BatchGetItem refuses duplicate keys).
        let ids: std::collections::BTreeSet<&TallyId> = ids.iter().collect();
        let items = self
            .batch_get(ids.into_iter().map(keys::tally).collect())
            .await?;
        let mut tallies = Vec::with_capacity(items.len());
        for item in &items {
            let id = keys::tally_id(item)?;
            match attributes::string(item, MOVES).and_then(tally_from_json) {
                Ok(tally) => tallies.push((id, tally)),
                // A bug's mark, not a passing fault: kept in the table for a person to read,
                // and not retried, so one bad item cannot stop the stream's shard.
                Err(error) => {
                    tracing::error!(tally_id = id.as_str(), error = %error, "a tally cannot be read; it stays unapplied");
                }
            }
        }
        let mut applied = 0;
        let mut chunk: Vec<(TallyId, Tally)> = Vec::new();
        // The chunk's counters merged so far, grown one tally at a time.
        let mut merged = Tally::default();
        for (id, tally) in tallies {
            let grown = Tally::merge([&merged, &tally]);
            if !chunk.is_empty() && grown.items() + chunk.len() + 1 > MAX_TRANSACTION_ITEMS {
                applied += self.apply_chunk(std::mem::take(&mut chunk)).await?;
                merged = tally.clone();
            } else {
                merged = grown;
            }
            chunk.push((id, tally));
        }
        applied += self.apply_chunk(chunk).await?;
        Ok(applied)
    }
}
