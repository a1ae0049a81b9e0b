//! The ways deliver-outbox is invoked: a batch of the table's stream records (one event source
//! mapping passes only inserts of outbox messages, the other only inserts of tallies), or the
//! every-minute schedule.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use domain::model::MessageId;
use domain::ports::{TallyId, TallyStore};
use domain::services::{Deliverer, DeliveryReport, SWEEP_LIMIT};
use serde::Deserialize;
use store_dynamodb::{OUTBOX_PREFIX, OUTBOX_SORT_KEY, TALLY_PREFIX};

/// A schedule run stops starting sweeps after this long, well inside the function's timeout.
const SWEEP_BUDGET: Duration = Duration::from_secs(40);

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Invocation {
    Stream {
        #[serde(rename = "Records")]
        records: Vec<StreamRecord>,
    },
    /// EventBridge's scheduled event (or any other payload): sweep what is due.
    Schedule(serde_json::Value),
}

#[derive(Debug, Deserialize)]
pub struct StreamRecord {
    #[serde(rename = "eventName", default)]
    event_name: String,
    dynamodb: StreamChange,
}

#[derive(Debug, Deserialize)]
struct StreamChange {
    #[serde(rename = "Keys", default)]
    keys: HashMap<String, StringValue>,
    #[serde(rename = "SequenceNumber")]
    sequence_number: String,
}

#[derive(Debug, Deserialize)]
struct StringValue {
    #[serde(rename = "S")]
    s: Option<String>,
}

/// Lambda's partial batch response: the records to retry, by sequence number.
pub type Response = DynamoDbEventResponse;

/// The record with this sequence number failed: Lambda retries the batch from it.
fn failure(sequence_number: &str) -> DynamoDbBatchItemFailure {
    // The type is non-exhaustive: built from its default, not a literal.
    let mut failure = DynamoDbBatchItemFailure::default();
    failure.item_identifier = Some(sequence_number.to_owned());
    failure
}

/// Delivers what the invocation names (or what is due) and applies the tallies it names, and
/// what delivery came to.
pub async fn handle(
    deliverer: &Deliverer,
    tallies: &dyn TallyStore,
    invocation: Invocation,
) -> (Response, DeliveryReport) {
    match invocation {
        Invocation::Stream { records } => {
            let (tally_records, message_records): (Vec<StreamRecord>, Vec<StreamRecord>) =
                records.into_iter().partition(|record| {
                    record
                        .partition_key()
                        .is_some_and(|pk| pk.starts_with(TALLY_PREFIX))
                });
            let (mut response, report) = deliver_records(deliverer, message_records).await;
            response
                .batch_item_failures
                .extend(apply_tallies(tallies, tally_records).await);
            (response, report)
        }
        Invocation::Schedule(_) => (Response::default(), sweep(deliverer).await),
    }
}

impl StreamRecord {
    fn partition_key(&self) -> Option<&str> {
        self.dynamodb.keys.get("PK").and_then(|pk| pk.s.as_deref())
    }

    fn sort_key(&self) -> Option<&str> {
        self.dynamodb.keys.get("SK").and_then(|sk| sk.s.as_deref())
    }
}

/// Applies the batch's tallies in one go. Applying is idempotent (each tally is deleted with
/// its counters), so on a store failure the whole batch is handed back from its first tally
/// record and Lambda retries it.
async fn apply_tallies(
    tallies: &dyn TallyStore,
    records: Vec<StreamRecord>,
) -> Vec<DynamoDbBatchItemFailure> {
    let inserted: Vec<&StreamRecord> = records
        .iter()
        .filter(|record| record.event_name == "INSERT")
        .collect();
    let ids: Vec<TallyId> = inserted
        .iter()
        .filter_map(|record| record.partition_key()?.strip_prefix(TALLY_PREFIX))
        .filter_map(|id| TallyId::parse(id).ok())
        .collect();
    if ids.is_empty() {
        return Vec::new();
    }
    match tallies.apply_tallies(&ids).await {
        Ok(applied) => {
            tracing::info!(
                records = ids.len(),
                applied,
                "tallies applied (the rest were applied before)"
            );
            Vec::new()
        }
        Err(error) => {
            tracing::error!(error = %error, records = ids.len(), "applying tallies failed; the batch will be retried");
            inserted
                .first()
                .map(|record| failure(&record.dynamodb.sequence_number))
                .into_iter()
                .collect()
        }
    }
}

/// A message that cannot be sent now is the outbox's business (it is rescheduled); only a
/// store failure makes a record fail, so Lambda retries it and, in the end, dead-letters it.
async fn deliver_records(
    deliverer: &Deliverer,
    records: Vec<StreamRecord>,
) -> (Response, DeliveryReport) {
    let mut response = Response::default();
    let mut report = DeliveryReport::default();
    // The filter lets only outbox inserts through; anything else is not ours to retry.
    let messages: Vec<(MessageId, String)> = records
        .into_iter()
        .filter(|record| {
            record.event_name == "INSERT" && record.sort_key() == Some(OUTBOX_SORT_KEY)
        })
        .filter_map(|record| {
            let id = record
                .partition_key()?
                .strip_prefix(OUTBOX_PREFIX)
                .and_then(|id| MessageId::parse(id).ok())?;
            Some((id, record.dynamodb.sequence_number))
        })
        .collect();
    let ids: Vec<MessageId> = messages.iter().map(|(id, _)| id.clone()).collect();
    for (id, attempt) in deliverer.deliver_all(&ids).await {
        match attempt {
            Ok(attempt) => report.count(attempt),
            Err(error) => {
                tracing::error!(message_id = %id, error = %error, "outbox store failed; the record will be retried");
                if let Some((_, sequence)) = messages.iter().find(|(m, _)| *m == id) {
                    response.batch_item_failures.push(failure(sequence));
                }
            }
        }
    }
    (response, report)
}

/// Sweeps until nothing more is due or the budget is spent, so a backlog after an outage drains
/// in one run rather than a hundred messages a minute.
async fn sweep(deliverer: &Deliverer) -> DeliveryReport {
    let started = Instant::now();
    let mut total = DeliveryReport::default();
    loop {
        match deliverer.sweep().await {
            Ok(report) => {
                total.delivered += report.delivered;
                total.retried += report.retried;
                total.failed += report.failed;
                total.picked += report.picked;
                total.swept |= report.swept;
                if total.oldest_pending_age_seconds.is_none() {
                    total.oldest_pending_age_seconds = report.oldest_pending_age_seconds;
                }
                if report.picked < SWEEP_LIMIT || started.elapsed() > SWEEP_BUDGET {
                    return total;
                }
            }
            Err(error) => {
                tracing::error!(error = %error, "outbox sweep failed; the next run retries");
                return total;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_batches_and_schedules_are_told_apart() {
        let stream = serde_json::json!({"Records": [{
            "eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"PK": {"S": "OUTBOX#msg_0123456789abcdef0123456789abcdef"},
                                  "SK": {"S": "OUTBOX"}},
                         "SequenceNumber": "111", "StreamViewType": "KEYS_ONLY"}}]});
        match serde_json::from_value::<Invocation>(stream).expect("stream") {
            Invocation::Stream { records } => {
                assert_eq!(records[0].dynamodb.sequence_number, "111")
            }
            Invocation::Schedule(_) => panic!("a stream batch is not a schedule"),
        }
        let schedule =
            serde_json::json!({"source": "aws.events", "detail-type": "Scheduled Event"});
        assert!(matches!(
            serde_json::from_value::<Invocation>(schedule).expect("schedule"),
            Invocation::Schedule(_)
        ));
    }

    #[test]
    fn partial_batch_responses_have_lambdas_shape() {
        let mut response = Response::default();
        response.batch_item_failures.push(failure("111"));
        assert_eq!(
            serde_json::to_value(&response).expect("json"),
            serde_json::json!({"batchItemFailures": [{"itemIdentifier": "111"}]})
        );
    }

    /// Records the ids it is asked to apply; fails when told to.
    struct Tallies {
        seen: std::sync::Mutex<Vec<String>>,
        fail: bool,
    }

    #[async_trait::async_trait]
    impl TallyStore for Tallies {
        async fn apply_tallies(&self, ids: &[TallyId]) -> Result<usize, domain::ports::StoreError> {
            self.seen
                .lock()
                .expect("lock")
                .extend(ids.iter().map(|id| id.as_str().to_owned()));
            if self.fail {
                Err(domain::ports::StoreError::Throttled)
            } else {
                Ok(ids.len())
            }
        }
    }

    fn tally_record(event: &str, id: &str, sequence: &str) -> StreamRecord {
        serde_json::from_value(serde_json::json!({
            "eventName": event,
            "dynamodb": {"Keys": {"PK": {"S": format!("TALLY#{id}")}, "SK": {"S": "TALLY"}},
                         "SequenceNumber": sequence}
        }))
        .expect("record")
    }

    #[tokio::test]
    async fn a_batchs_tallies_are_applied_in_one_call_and_a_failure_hands_back_the_batch() {
        let a = "0123456789abcdef0123456789abcdef";
        let b = "fedcba9876543210fedcba9876543210";
        let records = || {
            vec![
                tally_record("INSERT", a, "111"),
                // A tally's deletion by the aggregator: not a new tally.
                tally_record("REMOVE", b, "112"),
                tally_record("INSERT", b, "113"),
            ]
        };
        let store = Tallies {
            seen: Default::default(),
            fail: false,
        };
        assert!(apply_tallies(&store, records()).await.is_empty());
        assert_eq!(*store.seen.lock().expect("lock"), [a, b]);

        let failing = Tallies {
            seen: Default::default(),
            fail: true,
        };
        let failures = apply_tallies(&failing, records()).await;
        assert_eq!(
            failures,
            [failure("111")],
            "retried from the batch's first tally: applying again is harmless"
        );
    }
}
