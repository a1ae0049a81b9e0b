//! The outbox on DynamoDB: an item per message, put in the transaction of its cause, that holds
//! its payload when both fit in one 1 KB write and leaves a larger payload to an item of its own;
//! claims and results are conditional `UpdateItem`s of the message item (1 WRU each); due and
//! listed messages come from the sparse index.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};

use super::attributes::{
    counter, expiry, item_size, number, optional_string, parse_timestamp, string, timestamp,
    value_size, Item,
};
use super::errors::{classify, conditional_update};
use super::keys::{self, CUSTOMER_ID, EXPIRES_AT, OUTBOX_AT, OUTBOX_INDEX, OUTBOX_STATUS};
use super::DynamoStore;
use domain::model::{CustomerId, MessageId, Retention};
use domain::ports::stored;
use domain::ports::{
    Claim, DueMessages, MessagePage, MessageStatus, MessageSummary, OutboxAdmin, OutboxMessage,
    OutboxStore, PageCursor, RequeueOutcome, Settlement, StoreError,
};

/// What the outbox index carries besides its keys: enough to list messages and to know the
/// oldest pending one without reading payloads.
pub const OUTBOX_INDEX_ATTRIBUTES: [&str; 6] = [
    "created_at",
    "kind",
    "reference",
    "attempts",
    "next_attempt_at",
    "last_error",
];

/// How many pending messages a sweep reads at most; normally there are none or a few.
const DUE_READ_LIMIT: usize = 1000;

const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const FAILED: &str = "failed";
const CANCELLED: &str = "cancelled";

/// How large a message item with its payload may be written: its claim and result rewrite it,
/// and a write is billed per started KB of the larger of the item before and after; a result
/// adds `delivered_at` (36 bytes) and removes the index keys.
const INLINE_LIMIT: usize = 1024 - 64;

/// The puts that write `messages` beside their cause: each message's item (status, schedule,
/// index keys, and its payload when the two fit in `INLINE_LIMIT`), else also its payload's own
/// item. The condition keeps an existing message as it is: a delivered message never becomes
/// pending again.
pub(super) fn message_puts(
    table: &str,
    retention: Retention,
    messages: &[OutboxMessage],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut puts = Vec::with_capacity(messages.len() * 2);
    for message in messages {
        let created = timestamp(message.created_at);
        let due = timestamp(message.due_at);
        let expires = expiry(retention.expires_at(message.created_at));
        let mut item = keys::outbox_message(&message.id);
        item.extend([
            (
                "kind".to_owned(),
                AttributeValue::S(message.kind.as_str().into()),
            ),
            (
                "reference".to_owned(),
                AttributeValue::S(message.reference.clone()),
            ),
            ("status".to_owned(), AttributeValue::S(PENDING.into())),
            ("attempts".to_owned(), number(0)),
            ("claims".to_owned(), number(0)),
            ("next_attempt_at".to_owned(), due.clone()),
            ("created_at".to_owned(), created.clone()),
            ("updated_at".to_owned(), created),
            (OUTBOX_STATUS.to_owned(), AttributeValue::S(PENDING.into())),
            (OUTBOX_AT.to_owned(), due),
            (EXPIRES_AT.to_owned(), expires.clone()),
        ]);
        if let Some(customer_id) = &message.customer_id {
            item.insert(
                CUSTOMER_ID.to_owned(),
                AttributeValue::S(customer_id.to_string()),
            );
        }
        let payload = AttributeValue::S(stored::payload_to_json(&message.payload));
        if item_size(&item) + PAYLOAD.len() + value_size(&payload) <= INLINE_LIMIT {
            item.insert(PAYLOAD.to_owned(), payload);
        } else {
            let mut body = keys::outbox_body(&message.id);
            body.extend([
                (PAYLOAD.to_owned(), payload),
                (EXPIRES_AT.to_owned(), expires),
            ]);
            puts.push(keys::put_if_new(table, body, "building an outbox message")?);
        }
        puts.push(keys::put_if_new(table, item, "building an outbox message")?);
    }
    Ok(puts)
}

/// Writes a scheduled step that its cause moves rather than adds (a customer's win-back): new, or
/// pending again whatever it was, due at its new time, with a fresh retry schedule, back in the
/// outbox index; its claims counter moves on, so the result of a claim taken before cannot be
/// recorded. Its payload (a plan of a few hundred bytes, no personal data) is always inline.
pub(super) fn reschedule_step(
    table: &str,
    retention: Retention,
    message: &OutboxMessage,
) -> Result<TransactWriteItem, StoreError> {
    let due = timestamp(message.due_at);
    let mut values = HashMap::from([
        (
            ":kind".to_owned(),
            AttributeValue::S(message.kind.as_str().into()),
        ),
        (
            ":reference".to_owned(),
            AttributeValue::S(message.reference.clone()),
        ),
        (
            ":payload".to_owned(),
            AttributeValue::S(stored::payload_to_json(&message.payload)),
        ),
        (":pending".to_owned(), AttributeValue::S(PENDING.into())),
        (":zero".to_owned(), number(0)),
        (":one".to_owned(), number(1)),
        (":due".to_owned(), due),
        (":created".to_owned(), timestamp(message.created_at)),
        (
            ":expires".to_owned(),
            expiry(retention.expires_at(message.created_at)),
        ),
    ]);
    // Every attribute by placeholder: some names (`kind`, `reference`) may be reserved words.
    let mut names: Vec<(&str, &str)> = vec![
        ("#kind", "kind"),
        ("#reference", "reference"),
        ("#payload", PAYLOAD),
        ("#status", "status"),
        ("#attempts", "attempts"),
        ("#claims", "claims"),
        ("#next", "next_attempt_at"),
        ("#created", "created_at"),
        ("#updated", "updated_at"),
        ("#outbox_status", OUTBOX_STATUS),
        ("#outbox_at", OUTBOX_AT),
        ("#expires", EXPIRES_AT),
        ("#error", "last_error"),
        ("#delivered", "delivered_at"),
        ("#erased", "erased_at"),
    ];
    let mut sets = vec![
        "#kind = :kind",
        "#reference = :reference",
        "#payload = :payload",
        "#status = :pending",
        "#attempts = :zero",
        "#claims = if_not_exists(#claims, :zero) + :one",
        "#next = :due",
        "#created = :created",
        "#updated = :created",
        "#outbox_status = :pending",
        "#outbox_at = :due",
        "#expires = :expires",
    ];
    if let Some(customer_id) = &message.customer_id {
        sets.push("#customer = :customer");
        names.push(("#customer", CUSTOMER_ID));
        values.insert(
            ":customer".to_owned(),
            AttributeValue::S(customer_id.to_string()),
        );
    }
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .set_key(Some(keys::outbox_message(&message.id)))
        .update_expression(format!(
            "SET {} REMOVE #error, #delivered, #erased",
            sets.join(", ")
        ))
        .set_expression_attribute_names(Some(
            names
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(|e| StoreError::backend("building a step's reschedule", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The payload's attribute: on the message item, or on its body item when it is too large.
pub(super) const PAYLOAD: &str = "payload";

fn count(item: &Item, name: &str) -> Result<u32, StoreError> {
    u32::try_from(counter(item, name)?)
        .map_err(|_| StoreError::Corrupt(format!("attribute {name} is out of range")))
}

fn claim_from(item: &Item, payload: &str) -> Result<Claim, StoreError> {
    Ok(Claim {
        message: OutboxMessage {
            id: keys::outbox_message_id(item)?,
            kind: stored::message_kind(string(item, "kind")?)?,
            reference: string(item, "reference")?.to_owned(),
            customer_id: optional_string(item, CUSTOMER_ID)
                .map(CustomerId::parse)
                .transpose()
                .map_err(|_| StoreError::Corrupt("bad outbox customer id".into()))?,
            payload: stored::payload_from_json(payload)?,
            created_at: parse_timestamp(item, "created_at")?,
            // Once claimed, the message is past its first due time, which is not kept.
            due_at: parse_timestamp(item, "created_at")?,
        },
        attempt: count(item, "attempts")?,
        fence: counter(item, "claims")?,
    })
}

fn summary(item: &Item, status: MessageStatus) -> Result<MessageSummary, StoreError> {
    Ok(MessageSummary {
        id: keys::outbox_message_id(item)?,
        kind: stored::message_kind(string(item, "kind")?)?,
        reference: string(item, "reference")?.to_owned(),
        status,
        attempts: count(item, "attempts")?,
        next_attempt_at: optional_string(item, "next_attempt_at")
            .map(stored::parse_timestamp)
            .transpose()?,
        last_error: optional_string(item, "last_error").map(str::to_owned),
        created_at: parse_timestamp(item, "created_at")?,
        listed_at: parse_timestamp(item, OUTBOX_AT)?,
    })
}

/// A message of any status, as a data export lists it: undelivered ones by their place in the
/// index, the others by their last change.
pub(super) fn any_summary(item: &Item) -> Result<MessageSummary, StoreError> {
    let status = stored::message_status(string(item, "status")?)?;
    let listed_at = match optional_string(item, OUTBOX_AT) {
        Some(at) => stored::parse_timestamp(at)?,
        None => parse_timestamp(item, "updated_at")?,
    };
    let mut listed = item.clone();
    listed.insert(OUTBOX_AT.to_owned(), timestamp(listed_at));
    summary(&listed, status)
}

fn index_key(status: MessageStatus, cursor: &PageCursor) -> Item {
    let mut key = keys::outbox_message(&cursor.id);
    key.insert(
        OUTBOX_STATUS.to_owned(),
        AttributeValue::S(status.as_str().into()),
    );
    key.insert(OUTBOX_AT.to_owned(), timestamp(cursor.listed_at));
    key
}

impl DynamoStore {
    /// One page of the index partition `status`, in `outbox_at` order.
    async fn index_page(
        &self,
        status: MessageStatus,
        ascending: bool,
        limit: usize,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(OUTBOX_INDEX)
            .key_condition_expression("#status = :status")
            .expression_attribute_names("#status", OUTBOX_STATUS)
            .expression_attribute_values(":status", AttributeValue::S(status.as_str().into()))
            .scan_index_forward(ascending)
            .limit(limit.clamp(1, 1000) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| classify("querying the outbox index", e))?;
        Ok((output.items.unwrap_or_default(), output.last_evaluated_key))
    }
}

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<DueMessages, StoreError> {
        let mut due = DueMessages::default();
        let mut start = None;
        let mut read = 0;
        loop {
            let (items, next) = self
                .index_page(MessageStatus::Pending, true, DUE_READ_LIMIT - read, start)
                .await?;
            read += items.len();
            for item in &items {
                let created = parse_timestamp(item, "created_at")?;
                // A scheduled step waits for nothing before it is due (its created_at).
                if created <= now {
                    due.oldest_pending_since = Some(
                        due.oldest_pending_since
                            .map_or(created, |oldest| oldest.min(created)),
                    );
                }
                if due.ids.len() < limit && parse_timestamp(item, OUTBOX_AT)? <= now {
                    due.ids.push(keys::outbox_message_id(item)?);
                }
            }
            match next {
                Some(key) if read < DUE_READ_LIMIT => start = Some(key),
                _ => break,
            }
        }
        Ok(due)
    }

    async fn claim(
        &self,
        id: &MessageId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::outbox_message(id)))
            .update_expression(
                "SET attempts = attempts + :one, claims = claims + :one, \
                 next_attempt_at = :until, #at = :until, updated_at = :now",
            )
            .condition_expression("#status = :pending AND next_attempt_at <= :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", OUTBOX_AT)
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":until", timestamp(until))
            .expression_attribute_values(":now", timestamp(now))
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.into()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let Some(output) = conditional_update("claiming an outbox message", result)? else {
            return Ok(None);
        };
        let item = output
            .attributes
            .ok_or_else(|| StoreError::Corrupt("claimed message returned no attributes".into()))?;
        if let Some(payload) = optional_string(&item, PAYLOAD) {
            return claim_from(&item, payload).map(Some);
        }
        // Written in the same transaction as the message, so a consistent read finds it, unless
        // the customer's data was erased in the meantime: then there is nothing to send, and the
        // erasure cancels the message.
        match self
            .get_consistent(keys::outbox_body(id), "reading an outbox message's payload")
            .await?
        {
            Some(body) => claim_from(&item, string(&body, PAYLOAD)?).map(Some),
            None => Ok(None),
        }
    }

    async fn settle(
        &self,
        claim: &Claim,
        settlement: &Settlement,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut values: HashMap<String, AttributeValue> = HashMap::from([
            (":fence".to_owned(), number(claim.fence)),
            (":pending".to_owned(), AttributeValue::S(PENDING.into())),
            (":now".to_owned(), timestamp(now)),
        ]);
        let update = match settlement {
            Settlement::Delivered => {
                values.insert(":delivered".into(), AttributeValue::S(DELIVERED.into()));
                "SET #status = :delivered, updated_at = :now, delivered_at = :now \
                 REMOVE #index_status, #at, next_attempt_at"
            }
            Settlement::Retry { at, error } => {
                values.insert(":next".into(), timestamp(*at));
                values.insert(":error".into(), AttributeValue::S(error.clone()));
                "SET next_attempt_at = :next, #at = :next, last_error = :error, updated_at = :now"
            }
            Settlement::Failed { error } => {
                values.insert(":failed".into(), AttributeValue::S(FAILED.into()));
                values.insert(":error".into(), AttributeValue::S(error.clone()));
                "SET #status = :failed, #index_status = :failed, #at = :now, \
                 last_error = :error, updated_at = :now REMOVE next_attempt_at"
            }
            Settlement::Deferred { at, reason } => {
                // The attempt the claim counted is given back: a rate limit is no failure.
                values.insert(":next".into(), timestamp(*at));
                values.insert(":error".into(), AttributeValue::S(reason.clone()));
                values.insert(":one".into(), number(1));
                "SET next_attempt_at = :next, #at = :next, last_error = :error, updated_at = :now, \
                 attempts = attempts - :one"
            }
            Settlement::Cancelled { reason } => {
                values.insert(":cancelled".into(), AttributeValue::S(CANCELLED.into()));
                values.insert(":error".into(), AttributeValue::S(reason.clone()));
                "SET #status = :cancelled, last_error = :error, updated_at = :now \
                 REMOVE #index_status, #at, next_attempt_at"
            }
        };
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::outbox_message(&claim.message.id)))
            .update_expression(update)
            .condition_expression("claims = :fence AND #status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", OUTBOX_AT)
            .set_expression_attribute_values(Some(values));
        // DynamoDB refuses names an expression does not use; only two settlements touch the
        // index's partition key.
        let request = if update.contains("#index_status") {
            request.expression_attribute_names("#index_status", OUTBOX_STATUS)
        } else {
            request
        };
        let result = request.send().await;
        Ok(conditional_update("recording an outbox attempt", result)?.is_some())
    }
}

#[async_trait]
impl OutboxAdmin for DynamoStore {
    async fn messages(
        &self,
        status: MessageStatus,
        limit: usize,
        after: Option<&PageCursor>,
    ) -> Result<MessagePage, StoreError> {
        let mut items = Vec::new();
        let mut start = after.map(|cursor| index_key(status, cursor));
        // One more than asked tells whether a next page exists without an empty last page.
        while items.len() <= limit {
            let (page, next) = self
                .index_page(status, false, limit + 1 - items.len(), start)
                .await?;
            items.extend(page);
            match next {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        let messages = items
            .iter()
            .map(|item| summary(item, status))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MessagePage::from_read(messages, limit))
    }

    async fn requeue(
        &self,
        id: &MessageId,
        now: DateTime<Utc>,
    ) -> Result<RequeueOutcome, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::outbox_message(id)))
            .update_expression(
                "SET #status = :pending, #index_status = :pending, attempts = :zero, \
                 claims = claims + :one, next_attempt_at = :now, #at = :now, updated_at = :now",
            )
            .condition_expression("#status = :failed")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#index_status", OUTBOX_STATUS)
            .expression_attribute_names("#at", OUTBOX_AT)
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.into()))
            .expression_attribute_values(":failed", AttributeValue::S(FAILED.into()))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", timestamp(now))
            .send()
            .await;
        if conditional_update("requeueing an outbox message", result)?.is_some() {
            return Ok(RequeueOutcome::Requeued);
        }
        let exists = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::outbox_message(id)))
            .projection_expression("#pk")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await
            .map_err(|e| classify("reading an outbox message", e))?
            .item
            .is_some();
        Ok(if exists {
            RequeueOutcome::NotFailed
        } else {
            RequeueOutcome::NotFound
        })
    }
}
