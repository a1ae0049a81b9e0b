//! The outbox on SQLite: one table, written in the transaction of each message's cause.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::EmbeddedStore;
use domain::model::{rfc3339, CustomerId, MessageId};
use domain::ports::stored::{self, parse_timestamp};
use domain::ports::{
    Claim, DueMessages, MessagePage, MessageStatus, MessageSummary, OutboxAdmin, OutboxMessage,
    OutboxStore, PageCursor, RequeueOutcome, Settlement, StoreError,
};

const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const FAILED: &str = "failed";
const CANCELLED: &str = "cancelled";

/// Writes messages with their cause. A message that exists already (the cause replayed) is left
/// as it is, so a delivered message can never become pending again.
pub(super) fn insert_messages(
    tx: &Transaction<'_>,
    messages: &[OutboxMessage],
) -> rusqlite::Result<()> {
    for message in messages {
        insert(tx, message, "DO NOTHING")?;
    }
    Ok(())
}

/// Writes a scheduled step that its cause moves rather than adds (a customer's win-back): new, or
/// pending again whatever it was, due at its new time, with a fresh retry schedule; its claims
/// counter moves on, so the result of a claim taken before cannot be recorded.
pub(super) fn reschedule_step(
    tx: &Transaction<'_>,
    message: &OutboxMessage,
) -> rusqlite::Result<()> {
    insert(
        tx,
        message,
        "DO UPDATE SET
            kind = excluded.kind, reference = excluded.reference, payload = excluded.payload,
            status = 'pending', attempts = 0, claims = claims + 1,
            next_attempt_at = excluded.next_attempt_at, listed_at = excluded.listed_at,
            created_at = excluded.created_at, updated_at = excluded.updated_at,
            customer_id = excluded.customer_id, last_error = NULL, erased_at = NULL",
    )
}

/// `on_conflict` is one of the two constant clauses above, never input.
fn insert(
    tx: &Transaction<'_>,
    message: &OutboxMessage,
    on_conflict: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO outbox (id, kind, reference, payload, status, attempts, claims,
                                 next_attempt_at, listed_at, created_at, updated_at, customer_id)
             VALUES (?1, ?2, ?3, ?4, 'pending', 0, 0, ?5, ?5, ?6, ?6, ?7)
             ON CONFLICT (id) {on_conflict}"
        ),
        params![
            message.id.as_ref(),
            message.kind.as_str(),
            message.reference,
            stored::payload_to_json(&message.payload),
            rfc3339(message.due_at),
            rfc3339(message.created_at),
            message.customer_id.as_ref().map(AsRef::<str>::as_ref),
        ],
    )?;
    Ok(())
}

struct RawClaim {
    kind: String,
    reference: String,
    customer_id: Option<String>,
    payload: String,
    created_at: String,
    attempts: i64,
    claims: i64,
}

pub(super) struct RawSummary {
    id: String,
    kind: String,
    reference: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_error: Option<String>,
    created_at: String,
    listed_at: String,
}

pub(super) const SUMMARY_COLUMNS: &str =
    "id, kind, reference, status, attempts, next_attempt_at, last_error, created_at, listed_at";

pub(super) fn raw_summary(row: &Row<'_>) -> rusqlite::Result<RawSummary> {
    Ok(RawSummary {
        id: row.get(0)?,
        kind: row.get(1)?,
        reference: row.get(2)?,
        status: row.get(3)?,
        attempts: row.get(4)?,
        next_attempt_at: row.get(5)?,
        last_error: row.get(6)?,
        created_at: row.get(7)?,
        listed_at: row.get(8)?,
    })
}

pub(super) fn summary(raw: RawSummary) -> Result<MessageSummary, StoreError> {
    Ok(MessageSummary {
        id: stored::message_id(&raw.id)?,
        kind: stored::message_kind(&raw.kind)?,
        reference: raw.reference,
        status: stored::message_status(&raw.status)?,
        attempts: raw.attempts as u32,
        next_attempt_at: raw
            .next_attempt_at
            .as_deref()
            .map(parse_timestamp)
            .transpose()?,
        last_error: raw.last_error,
        created_at: parse_timestamp(&raw.created_at)?,
        listed_at: parse_timestamp(&raw.listed_at)?,
    })
}

#[async_trait]
impl OutboxStore for EmbeddedStore {
    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<DueMessages, StoreError> {
        let now = rfc3339(now);
        let (ids, oldest) = self
            .with_connection("finding due outbox messages", move |connection| {
                let ids = connection
                    .prepare(
                        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1
                         ORDER BY next_attempt_at, id LIMIT ?2",
                    )?
                    .query_map(params![now, limit as i64], |row| row.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                // A scheduled step waits for nothing before it is due (its created_at).
                let oldest: Option<String> = connection.query_row(
                    "SELECT MIN(created_at) FROM outbox WHERE status = 'pending' AND created_at <= ?1",
                    [&now],
                    |row| row.get(0),
                )?;
                Ok((ids, oldest))
            })
            .await?;
        Ok(DueMessages {
            ids: ids
                .iter()
                .map(|id| stored::message_id(id))
                .collect::<Result<_, _>>()?,
            oldest_pending_since: oldest.as_deref().map(parse_timestamp).transpose()?,
        })
    }

    async fn claim(
        &self,
        id: &MessageId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError> {
        let key = id.to_string();
        let (now, until) = (rfc3339(now), rfc3339(until));
        let raw = self
            .with_connection("claiming an outbox message", move |connection| {
                connection
                    .query_row(
                        "UPDATE outbox
                         SET attempts = attempts + 1, claims = claims + 1,
                             next_attempt_at = ?2, listed_at = ?2, updated_at = ?3
                         WHERE id = ?1 AND status = 'pending' AND next_attempt_at <= ?3
                         RETURNING kind, reference, payload, created_at, attempts, claims, customer_id",
                        params![key, until, now],
                        |row| {
                            Ok(RawClaim {
                                kind: row.get(0)?,
                                reference: row.get(1)?,
                                payload: row.get(2)?,
                                created_at: row.get(3)?,
                                attempts: row.get(4)?,
                                claims: row.get(5)?,
                                customer_id: row.get(6)?,
                            })
                        },
                    )
                    .optional()
            })
            .await?;
        raw.map(|raw| {
            Ok(Claim {
                message: OutboxMessage {
                    id: id.clone(),
                    kind: stored::message_kind(&raw.kind)?,
                    reference: raw.reference,
                    customer_id: raw
                        .customer_id
                        .as_deref()
                        .map(CustomerId::parse)
                        .transpose()
                        .map_err(|_| StoreError::Corrupt("bad outbox customer id".into()))?,
                    payload: stored::payload_from_json(&raw.payload)?,
                    created_at: parse_timestamp(&raw.created_at)?,
                    due_at: parse_timestamp(&raw.created_at)?,
                },
                attempt: raw.attempts as u32,
                fence: raw.claims as u64,
            })
        })
        .transpose()
    }

    async fn settle(
        &self,
        claim: &Claim,
        settlement: &Settlement,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = claim.message.id.to_string();
        let fence = claim.fence as i64;
        let now = rfc3339(now);
        // A deferred attempt gives back the attempt its claim counted.
        let (status, next, listed, error, uncounted) = match settlement {
            Settlement::Delivered => (DELIVERED, None, now.clone(), None, 0),
            Settlement::Retry { at, error } => (
                PENDING,
                Some(rfc3339(*at)),
                rfc3339(*at),
                Some(error.clone()),
                0,
            ),
            Settlement::Deferred { at, reason } => (
                PENDING,
                Some(rfc3339(*at)),
                rfc3339(*at),
                Some(reason.clone()),
                1,
            ),
            Settlement::Failed { error } => (FAILED, None, now.clone(), Some(error.clone()), 0),
            Settlement::Cancelled { reason } => {
                (CANCELLED, None, now.clone(), Some(reason.clone()), 0)
            }
        };
        self.with_connection("recording an outbox attempt", move |connection| {
            let changed = connection.execute(
                "UPDATE outbox
                 SET status = ?3, next_attempt_at = ?4, listed_at = ?5,
                     last_error = COALESCE(?6, last_error), updated_at = ?7,
                     attempts = attempts - ?8
                 WHERE id = ?1 AND claims = ?2 AND status = 'pending'",
                params![id, fence, status, next, listed, error, now, uncounted],
            )?;
            Ok(changed == 1)
        })
        .await
    }
}

#[async_trait]
impl OutboxAdmin for EmbeddedStore {
    async fn messages(
        &self,
        status: MessageStatus,
        limit: usize,
        after: Option<&PageCursor>,
    ) -> Result<MessagePage, StoreError> {
        let status = status.as_str();
        let after = after.map(|c| (rfc3339(c.listed_at), c.id.to_string()));
        let rows = self
            .with_connection("listing outbox messages", move |connection| {
                let (after_at, after_id) = after.unwrap_or_else(|| ("~".into(), "~".into()));
                connection
                    .prepare(&format!(
                        "SELECT {SUMMARY_COLUMNS} FROM outbox
                         WHERE status = ?1 AND (listed_at, id) < (?2, ?3)
                         ORDER BY listed_at DESC, id DESC LIMIT ?4"
                    ))?
                    .query_map(
                        params![status, after_at, after_id, limit as i64 + 1],
                        raw_summary,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let messages = rows
            .into_iter()
            .map(summary)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MessagePage::from_read(messages, limit))
    }

    async fn requeue(
        &self,
        id: &MessageId,
        now: DateTime<Utc>,
    ) -> Result<RequeueOutcome, StoreError> {
        let id = id.to_string();
        let now = rfc3339(now);
        self.with_connection("requeueing an outbox message", move |connection| {
            let changed = connection.execute(
                "UPDATE outbox
                 SET status = 'pending', attempts = 0, claims = claims + 1,
                     next_attempt_at = ?2, listed_at = ?2, updated_at = ?2
                 WHERE id = ?1 AND status = ?3",
                params![id, now, FAILED],
            )?;
            if changed == 1 {
                return Ok(RequeueOutcome::Requeued);
            }
            let exists: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ?1)",
                [&id],
                |row| row.get(0),
            )?;
            Ok(if exists {
                RequeueOutcome::NotFailed
            } else {
                RequeueOutcome::NotFound
            })
        })
        .await
    }
}
