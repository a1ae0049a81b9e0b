//! The two ways deliver-outbox is invoked: a batch of the table's stream records (only inserts
//! of outbox items pass the event source mapping's filter), or the every-minute schedule.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use domain::model::MessageId;
use domain::services::{Deliverer, DeliveryReport, SWEEP_LIMIT};
use serde::{Deserialize, Serialize};
use store_dynamodb::OUTBOX_PREFIX;

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
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Response {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// Delivers what the invocation names (or what is due), and what it came to.
pub async fn handle(deliverer: &Deliverer, invocation: Invocation) -> (Response, DeliveryReport) {
    match invocation {
        Invocation::Stream { records } => deliver_records(deliverer, records).await,
        Invocation::Schedule(_) => (Response::default(), sweep(deliverer).await),
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
    for record in records {
        let id = record
            .dynamodb
            .keys
            .get("PK")
            .and_then(|pk| pk.s.as_deref())
            .and_then(|pk| pk.strip_prefix(OUTBOX_PREFIX))
            .and_then(|id| MessageId::parse(id).ok());
        let Some(id) = id.filter(|_| record.event_name == "INSERT") else {
            // The filter lets only outbox inserts through; anything else is not ours to retry.
            continue;
        };
        match deliverer.deliver(&id).await {
            Ok(attempt) => report.count(attempt),
            Err(error) => {
                tracing::error!(message_id = %id, error = %error, "outbox store failed; the record will be retried");
                response.batch_item_failures.push(ItemFailure {
                    item_identifier: record.dynamodb.sequence_number,
                });
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
        let response = Response {
            batch_item_failures: vec![ItemFailure {
                item_identifier: "111".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(&response).expect("json"),
            serde_json::json!({"batchItemFailures": [{"itemIdentifier": "111"}]})
        );
    }
}
