//! Counts each DynamoDB request and the capacity units it consumed, on the wire: an SDK
//! interceptor asks for `ReturnConsumedCapacity: TOTAL` on every request and reads the answer.
//! The adapters stay untouched, so what is measured is what the functions send.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use serde_json::Value;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One request as sent: its operation and what DynamoDB charged for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub operation: String,
    pub units: Units,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Units {
    pub read: f64,
    pub write: f64,
    /// The emulator did not report these units and they were computed from the request and
    /// response instead ([`batch_get_units`], [`failed_write_units`]).
    pub read_computed: bool,
    pub write_computed: bool,
}

impl std::ops::AddAssign for Units {
    fn add_assign(&mut self, other: Self) {
        self.read += other.read;
        self.write += other.write;
        self.read_computed |= other.read_computed;
        self.write_computed |= other.write_computed;
    }
}

#[derive(Debug, Clone, Default)]
pub struct CapacityRecorder {
    requests: Arc<Mutex<Vec<Request>>>,
}

/// The request body as sent, kept in the operation's own config bag (not in the recorder) so
/// concurrent requests cannot see each other's; BatchGetItem's charge is computed from it.
#[derive(Debug, Clone)]
struct SentBody {
    operation: String,
    body: Value,
}

impl Storable for SentBody {
    type Storer = StoreReplace<Self>;
}

impl CapacityRecorder {
    pub fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.requests.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn operation_of(target: Option<&str>) -> String {
    target
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or("unknown")
        .to_owned()
}

fn is_read(operation: &str) -> bool {
    matches!(
        operation,
        "GetItem" | "BatchGetItem" | "Query" | "Scan" | "TransactGetItems"
    )
}

/// `ConsumedCapacity` is an object for single-item operations and a list (one per table) for
/// batches and transactions.
fn reported_units(consumed: &Value) -> Option<f64> {
    match consumed {
        Value::Array(tables) => Some(tables.iter().filter_map(reported_units).sum()),
        Value::Object(table) => table.get("CapacityUnits").and_then(Value::as_f64),
        _ => None,
    }
}

/// DynamoDB's charge for a BatchGetItem, which the emulator does not report: each key is read as
/// a GetItem would be, 1 unit per started 4 KB strongly consistent (0.5 eventually consistent),
/// a missing item still 1 (0.5). Item size is taken as its JSON length, which overstates
/// DynamoDB's own size (names + values), so the figure errs high.
pub fn batch_get_units(request: &Value, response: &Value) -> f64 {
    let mut units = 0.0;
    let Some(tables) = request.get("RequestItems").and_then(Value::as_object) else {
        return units;
    };
    for (table, wanted) in tables {
        let per_unit = if wanted.get("ConsistentRead").and_then(Value::as_bool) == Some(true) {
            1.0
        } else {
            0.5
        };
        let keys = wanted
            .get("Keys")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let found: Vec<&Value> = response
            .pointer(&format!(
                "/Responses/{}",
                table.replace('~', "~0").replace('/', "~1")
            ))
            .and_then(Value::as_array)
            .map(|items| items.iter().collect())
            .unwrap_or_default();
        for item in &found {
            let bytes = item.to_string().len();
            units += per_unit * bytes.div_ceil(4096).max(1) as f64;
        }
        units += per_unit * keys.saturating_sub(found.len()) as f64;
    }
    units
}

/// The emulator's answer to a write whose condition did not hold carries no capacity, but
/// DynamoDB charges such a write as if it had happened.
fn failed_condition(answer: &Value) -> bool {
    answer
        .get("__type")
        .and_then(Value::as_str)
        .is_some_and(|kind| {
            kind.ends_with("ConditionalCheckFailedException")
                || kind.ends_with("TransactionCanceledException")
        })
}

/// A failed conditional write at the smallest charge: 1 unit per item (items up to 1 KB), 2 per
/// item inside a transaction.
pub fn failed_write_units(operation: &str, request: &Value) -> f64 {
    match operation {
        "TransactWriteItems" => {
            2.0 * request
                .get("TransactItems")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as f64
        }
        _ if is_read(operation) => 0.0,
        _ => 1.0,
    }
}

impl Intercept for CapacityRecorder {
    fn name(&self) -> &'static str {
        "CapacityRecorder"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let Some(bytes) = request.body().bytes() else {
            return Err("a DynamoDB request body was not in memory".into());
        };
        let mut body: Value = serde_json::from_slice(bytes)?;
        body["ReturnConsumedCapacity"] = Value::from("TOTAL");
        let rewritten = serde_json::to_vec(&body)?;
        request
            .headers_mut()
            .insert("content-length", rewritten.len().to_string());
        *request.body_mut() = SdkBody::from(rewritten);
        let operation = operation_of(request.headers().get("x-amz-target"));
        cfg.interceptor_state()
            .store_put(SentBody { operation, body });
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let sent = cfg.load::<SentBody>();
        let operation = sent.map_or("unknown", |sent| sent.operation.as_str());
        let request = sent.map_or(&Value::Null, |sent| &sent.body);
        let answer: Value = response
            .body()
            .bytes()
            .and_then(|bytes| serde_json::from_slice(bytes).ok())
            .unwrap_or(Value::Null);
        let (charged, estimated) = match answer.get("ConsumedCapacity").and_then(reported_units) {
            Some(units) => (units, false),
            None if operation == "BatchGetItem" => (batch_get_units(request, &answer), true),
            None if failed_condition(&answer) => (failed_write_units(operation, request), true),
            None => (0.0, false),
        };
        let units = if is_read(operation) {
            Units {
                read: charged,
                read_computed: estimated,
                ..Units::default()
            }
        } else {
            Units {
                write: charged,
                write_computed: estimated,
                ..Units::default()
            }
        };
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Request {
                operation: operation.to_owned(),
                units,
            });
        Ok(())
    }
}

/// `n: a Op, b Op (x RRU, y WRU)`: requests by operation and what DynamoDB charged, with the
/// write units alone for comparisons.
pub fn by_operation(requests: Vec<Request>) -> (String, f64) {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let (mut read, mut write) = (0.0, 0.0);
    for request in requests {
        read += request.units.read;
        write += request.units.write;
        *counts.entry(request.operation).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    let parts: Vec<String> = counts.iter().map(|(op, n)| format!("{n} {op}")).collect();
    (
        format!(
            "{total}: {} ({read:.1} RRU, {write:.1} WRU)",
            parts.join(", ")
        ),
        write,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn batch_reads_are_charged_per_key_found_or_not() {
        let request =
            json!({"RequestItems": {"t": {"ConsistentRead": true, "Keys": [{}, {}, {}]}}});
        let small = json!({"pk": {"S": "a"}});
        let large = json!({"pk": {"S": "x".repeat(5000)}});
        let response = json!({"Responses": {"t": [small, large]}});
        // small: 1, large (two 4 KB blocks): 2, missing: 1
        assert_eq!(batch_get_units(&request, &response), 4.0);
    }

    #[test]
    fn eventually_consistent_batch_reads_cost_half() {
        let request = json!({"RequestItems": {"t": {"Keys": [{}, {}]}}});
        let response = json!({"Responses": {"t": [{"pk": {"S": "a"}}]}});
        assert_eq!(batch_get_units(&request, &response), 1.0);
    }

    #[test]
    fn failed_conditional_writes_are_charged_as_writes() {
        let transaction = json!({"TransactItems": [{}, {}]});
        assert_eq!(failed_write_units("TransactWriteItems", &transaction), 4.0);
        assert_eq!(failed_write_units("UpdateItem", &json!({})), 1.0);
        assert!(failed_condition(
            &json!({"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"})
        ));
        assert!(!failed_condition(&json!({"__type": "ValidationException"})));
    }

    #[test]
    fn reported_capacity_is_summed_over_tables() {
        assert_eq!(reported_units(&json!({"CapacityUnits": 0.5})), Some(0.5));
        assert_eq!(
            reported_units(&json!([{"CapacityUnits": 8.0}, {"CapacityUnits": 2.0}])),
            Some(10.0)
        );
        assert_eq!(reported_units(&Value::Null), None);
    }
}
