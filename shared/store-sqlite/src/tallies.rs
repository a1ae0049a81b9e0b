//! Tallies on the embedded store: a request inserts its counter contributions as a row, and the
//! local stack's background task applies and deletes them in one transaction, as the
//! aggregator does over DynamoDB's stream (`domain::ports::tally` says why). SQLite has no hot
//! items, but one mechanism on both stores means the figures lag the same way in tests as in
//! production.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::metrics::apply_counters;
use super::EmbeddedStore;
use domain::ports::stored::{dimension_key, CounterMove};
use domain::ports::tally::{tally_from_json, tally_to_json};
use domain::ports::{StoreError, Tally, TallyId, TallyStore};

const DAY: &str = "%Y-%m-%d";

/// Records a request's tally inside the request's own transaction.
pub(super) fn record_tally(tx: &Transaction<'_>, tally: &Tally) -> rusqlite::Result<()> {
    if tally.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO tallies (id, moves) VALUES (?1, ?2)",
        params![TallyId::random().as_str(), tally_to_json(tally)],
    )?;
    Ok(())
}

/// Adds merged contributions to the counters inside the caller's transaction; the column names
/// come from the tally's checked names, never from input.
fn add_to_counters(tx: &Transaction<'_>, tally: &Tally) -> rusqlite::Result<()> {
    apply_counters(tx, &tally.days)?;
    for CounterMove {
        day,
        dimension,
        column,
        delta,
    } in &tally.nps
    {
        let day = day.format(DAY).to_string();
        match dimension {
            None => tx.execute(
                &format!("INSERT INTO nps_days (day, {column}) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET {column} = {column} + ?2"),
                params![day, delta],
            )?,
            Some(dimension) => tx.execute(
                &format!("INSERT INTO nps_dimension_days (day, dimension, {column}) VALUES (?1, ?2, ?3) ON CONFLICT (day, dimension) DO UPDATE SET {column} = {column} + ?3"),
                params![day, dimension_key(dimension), delta],
            )?,
        };
    }
    for (day, customer, orders) in &tally.order_days {
        tx.execute(
            "INSERT INTO order_days (day, customer_id, orders) VALUES (?1, ?2, ?3)
             ON CONFLICT (day, customer_id) DO UPDATE SET orders = orders + excluded.orders",
            params![day.format(DAY).to_string(), customer.as_ref(), orders],
        )?;
    }
    for (code, counts) in &tally.codes {
        // An erased code's late clicks have nowhere to go, and are dropped.
        tx.execute(
            "UPDATE referral_codes SET clicks = clicks + ?2, claims = claims + ?3 WHERE code = ?1",
            params![code.as_ref(), counts.clicks, counts.claims],
        )?;
    }
    Ok(())
}

impl EmbeddedStore {
    /// Ids of tallies not applied yet, oldest first: what the local stack's background task
    /// hands to `apply_tallies`, as the stream hands them to deliver-outbox.
    pub async fn pending_tallies(&self, limit: usize) -> Result<Vec<TallyId>, StoreError> {
        let ids: Vec<String> = self
            .with_connection("listing pending tallies", move |connection| {
                let mut statement =
                    connection.prepare("SELECT id FROM tallies ORDER BY rowid LIMIT ?1")?;
                let ids = statement
                    .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| row.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(ids)
            })
            .await?;
        ids.iter().map(|id| TallyId::parse(id)).collect()
    }

    /// Applies up to `limit` pending tallies, oldest first; how many were applied.
    pub async fn apply_pending_tallies(&self, limit: usize) -> Result<usize, StoreError> {
        let ids = self.pending_tallies(limit).await?;
        if ids.is_empty() {
            return Ok(0);
        }
        self.apply_tallies(&ids).await
    }
}

#[async_trait]
impl TallyStore for EmbeddedStore {
    /// One transaction: reads the tallies that still exist, deletes them and adds them, merged,
    /// to the counters; a tally already applied is simply not found.
    async fn apply_tallies(&self, ids: &[TallyId]) -> Result<usize, StoreError> {
        // An id named twice is still one tally.
        let ids: std::collections::BTreeSet<String> =
            ids.iter().map(|id| id.as_str().to_owned()).collect();
        self.with_connection("applying tallies", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut applied = Vec::new();
            for id in &ids {
                let moves: Option<String> = tx
                    .query_row("SELECT moves FROM tallies WHERE id = ?1", [id], |row| {
                        row.get(0)
                    })
                    .optional()?;
                match moves.as_deref().map(tally_from_json) {
                    Some(Ok(tally)) => applied.push((id, tally)),
                    // A bug's mark, not a passing fault: the row stays for a person to read.
                    Some(Err(error)) => {
                        tracing::error!(tally_id = %id, error = %error, "a tally cannot be read; it stays unapplied");
                    }
                    None => {}
                }
            }
            add_to_counters(&tx, &Tally::merge(applied.iter().map(|(_, tally)| tally)))?;
            for (id, _) in &applied {
                tx.execute("DELETE FROM tallies WHERE id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(applied.len())
        })
        .await
    }
}
