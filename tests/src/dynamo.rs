//! A fresh table in the DynamoDB emulator per test, so tests never see each other's data.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use store_dynamodb::{
    DynamoStore, CUSTOMERS_INDEX, CUSTOMER_ID, OUTBOX_AT, OUTBOX_INDEX, OUTBOX_INDEX_ATTRIBUTES,
    OUTBOX_STATUS, PARTITION_KEY, PEOPLE_INDEX, PERSON, RESPONSES_INDEX,
    RESPONSES_INDEX_ATTRIBUTES, RESPONSE_AT, RESPONSE_MONTH, SORT_KEY,
};

/// The emulator's address, set by `scripts/test.sh`. Missing means the tests were started the
/// wrong way; failing loudly beats silently skipping the DynamoDB half of the contract.
pub fn emulator_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!(
            "AWS_ENDPOINT_URL is not set: the DynamoDB tests need the emulator. \
             Run ./scripts/test.sh, which installs and starts ministack and sets it."
        )
    })
}

pub async fn client() -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(emulator_endpoint())
        .load()
        .await;
    Client::new(&config)
}

/// Creates an empty single table with the production key schema, the outbox and the responses
/// index (as infra/template.yaml declares them) and returns a store on it.
pub async fn fresh_store() -> DynamoStore {
    let client = client().await;
    let table = format!("test-{}", uuid::Uuid::new_v4());
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute definition is complete")
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key schema element is complete")
    };
    let index = |name: &str, hash: &str, range: &str, attributes: &[&str]| {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash))
            .key_schema(key(range, KeyType::Range))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::Include)
                    .set_non_key_attributes(Some(
                        attributes.iter().map(|a| (*a).to_owned()).collect(),
                    ))
                    .build(),
            )
            .build()
            .expect("index is complete")
    };
    let keys_only = |name: &str, hash: &str| {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::KeysOnly)
                    .build(),
            )
            .build()
            .expect("index is complete")
    };
    client
        .create_table()
        .table_name(&table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PARTITION_KEY))
        .attribute_definitions(attribute(SORT_KEY))
        .key_schema(key(PARTITION_KEY, KeyType::Hash))
        .key_schema(key(SORT_KEY, KeyType::Range))
        .attribute_definitions(attribute(OUTBOX_STATUS))
        .attribute_definitions(attribute(OUTBOX_AT))
        .attribute_definitions(attribute(RESPONSE_MONTH))
        .attribute_definitions(attribute(RESPONSE_AT))
        .global_secondary_indexes(index(
            OUTBOX_INDEX,
            OUTBOX_STATUS,
            OUTBOX_AT,
            &OUTBOX_INDEX_ATTRIBUTES,
        ))
        .global_secondary_indexes(index(
            RESPONSES_INDEX,
            RESPONSE_MONTH,
            RESPONSE_AT,
            &RESPONSES_INDEX_ATTRIBUTES,
        ))
        .attribute_definitions(attribute(CUSTOMER_ID))
        .attribute_definitions(attribute(PERSON))
        .global_secondary_indexes(keys_only(CUSTOMERS_INDEX, CUSTOMER_ID))
        .global_secondary_indexes(keys_only(PEOPLE_INDEX, PERSON))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "creating table {table} in the emulator at {} failed: {e:?}",
                emulator_endpoint()
            )
        });
    DynamoStore::new(client, table)
}

/// The DynamoDB operation an HTTP request calls (`GetItem`, …), from its `X-Amz-Target`.
fn operation_of(request: &aws_sdk_dynamodb::config::http::HttpRequest) -> String {
    request
        .headers()
        .get("x-amz-target")
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or("unknown")
        .to_owned()
}

/// Counts every HTTP request (each attempt, so retries count) the DynamoDB client sends, by
/// operation name, so tests can pin how many round trips an operation costs.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl RequestCounter {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("counter lock"))
    }
}

impl aws_sdk_dynamodb::config::Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let operation = operation_of(context.request());
        self.0.lock().expect("counter lock").push(operation);
        Ok(())
    }
}

/// A fresh table, and a store on it whose client counts its requests.
pub async fn fresh_counting_store() -> (DynamoStore, RequestCounter) {
    let counter = RequestCounter::default();
    (fresh_intercepted_store(counter.clone()).await, counter)
}

/// A fresh table, and a store on it whose client runs `interceptor` on every request.
pub async fn fresh_intercepted_store(
    interceptor: impl aws_sdk_dynamodb::config::Intercept + 'static,
) -> DynamoStore {
    let plain = fresh_store().await;
    let config = plain
        .client()
        .config()
        .to_builder()
        .interceptor(interceptor)
        .build();
    DynamoStore::new(Client::from_conf(config), plain.table())
}

/// Every item of a test's table, or those `filter` (an expression over `:value`) keeps,
/// read consistently page by page.
pub async fn scan_items(
    client: &Client,
    table: &str,
    filter: Option<(&str, aws_sdk_dynamodb::types::AttributeValue)>,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let mut scan = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start.take());
        if let Some((expression, value)) = &filter {
            scan = scan
                .filter_expression(*expression)
                .expression_attribute_values(":value", value.clone());
        }
        let page = scan.send().await.expect("scanning the table");
        items.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return items,
        }
    }
}

/// What the table's TTL does, some time after `now`: deletes every item whose `expires_at`
/// (epoch seconds) has passed. Returns how many went. The emulator does not run TTL itself.
pub async fn expire_items(
    client: &Client,
    table: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> usize {
    use aws_sdk_dynamodb::types::AttributeValue;
    let due = AttributeValue::N(now.timestamp().to_string());
    let expired = scan_items(client, table, Some(("expires_at <= :value", due))).await;
    for item in &expired {
        let key = [PARTITION_KEY, SORT_KEY]
            .iter()
            .filter_map(|name| item.get(*name).map(|v| ((*name).to_owned(), v.clone())))
            .collect();
        client
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .send()
            .await
            .expect("deleting an expired item");
    }
    expired.len()
}

/// Records the partition key of every item each DynamoDB request touches, with the IAM action
/// that authorises it (a transaction's items each as their own action), so a test can hold the
/// code's keys against a role's `dynamodb:LeadingKeys` condition.
#[derive(Debug, Clone, Default)]
pub struct KeyRecorder(std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>);

impl KeyRecorder {
    /// `(action, partition key)` pairs since the last call; a Query or Scan is `(action, "")`.
    pub fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.0.lock().expect("recorder lock"))
    }
}

/// A request's JSON body (every DynamoDB request has one); `Null` if it cannot be read.
fn request_json(request: &aws_sdk_dynamodb::config::http::HttpRequest) -> serde_json::Value {
    request
        .body()
        .bytes()
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .unwrap_or_default()
}

/// One item of a `TransactWriteItems` body.
pub struct TransactionPart<'a> {
    /// The IAM action that authorises it: `PutItem`, `UpdateItem`, `DeleteItem` or
    /// `ConditionCheckItem`.
    pub action: &'static str,
    pub table: &'a str,
    /// Its key; for a put, the whole item (which holds the key).
    pub key: &'a serde_json::Value,
}

/// The items of a `TransactWriteItems` body, in its order.
pub fn transaction_parts(body: &serde_json::Value) -> Vec<TransactionPart<'_>> {
    body["TransactItems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            [
                ("Put", "PutItem", "Item"),
                ("Update", "UpdateItem", "Key"),
                ("Delete", "DeleteItem", "Key"),
                ("ConditionCheck", "ConditionCheckItem", "Key"),
            ]
            .into_iter()
            .find(|(kind, _, _)| !item[*kind].is_null())
            .map(|(kind, action, key)| TransactionPart {
                action,
                table: item[kind]["TableName"].as_str().unwrap_or_default(),
                key: &item[kind][key],
            })
        })
        .collect()
}

fn partition_key(key: &serde_json::Value) -> String {
    key["PK"]["S"].as_str().unwrap_or_default().to_owned()
}

impl aws_sdk_dynamodb::config::Intercept for KeyRecorder {
    fn name(&self) -> &'static str {
        "KeyRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request();
        let operation = operation_of(request);
        let body = request_json(request);
        let mut touched = Vec::new();
        match operation.as_str() {
            "GetItem" | "UpdateItem" | "DeleteItem" => {
                touched.push((operation.clone(), partition_key(&body["Key"])))
            }
            "PutItem" => touched.push((operation.clone(), partition_key(&body["Item"]))),
            "BatchGetItem" => {
                for table in body["RequestItems"].as_object().into_iter().flatten() {
                    for key in table.1["Keys"].as_array().into_iter().flatten() {
                        touched.push((operation.clone(), partition_key(key)));
                    }
                }
            }
            "TransactWriteItems" => {
                for part in transaction_parts(&body) {
                    touched.push((part.action.to_owned(), partition_key(part.key)));
                }
            }
            _ => touched.push((operation.clone(), String::new())),
        }
        self.0.lock().expect("recorder lock").extend(touched);
        Ok(())
    }
}

/// Records, for every write request the DynamoDB client sends (`PutItem`, `UpdateItem`,
/// `DeleteItem`, `TransactWriteItems`; each attempt), the items it writes as `PK|SK`, so a test
/// can group a burst's writes by item and find the hot ones.
#[derive(Debug, Clone, Default)]
pub struct WriteRecorder(std::sync::Arc<std::sync::Mutex<Vec<Vec<String>>>>);

impl WriteRecorder {
    /// The write requests since the last call, each as the items it writes.
    pub fn take(&self) -> Vec<Vec<String>> {
        std::mem::take(&mut *self.0.lock().expect("recorder lock"))
    }
}

fn item_key(key: &serde_json::Value) -> String {
    format!(
        "{}|{}",
        key["PK"]["S"].as_str().unwrap_or_default(),
        key["SK"]["S"].as_str().unwrap_or_default()
    )
}

impl aws_sdk_dynamodb::config::Intercept for WriteRecorder {
    fn name(&self) -> &'static str {
        "WriteRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request();
        let body = request_json(request);
        let written = match operation_of(request).as_str() {
            "UpdateItem" | "DeleteItem" => vec![item_key(&body["Key"])],
            "PutItem" => vec![item_key(&body["Item"])],
            "TransactWriteItems" => transaction_parts(&body)
                .into_iter()
                // A ConditionCheck writes nothing, though DynamoDB counts it in a conflict.
                .filter(|part| part.action != "ConditionCheckItem")
                .map(|part| item_key(part.key))
                .collect(),
            _ => return Ok(()),
        };
        self.0.lock().expect("recorder lock").push(written);
        Ok(())
    }
}

/// Counts the `TransactWriteItems` the client got an answer to and wakes a waiter after each: a
/// test stops an operation between two of its transactions, as a killed process would.
#[derive(Debug, Clone, Default)]
pub struct TransactionWatch {
    sending: std::sync::Arc<std::sync::atomic::AtomicBool>,
    answered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    wake: std::sync::Arc<tokio::sync::Notify>,
}

impl TransactionWatch {
    /// How many transactions were answered so far.
    pub fn answered(&self) -> usize {
        self.answered.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Returns once more than `seen` transactions were answered.
    pub async fn answered_after(&self, seen: usize) {
        loop {
            let woken = self.wake.notified();
            if self.answered() > seen {
                return;
            }
            woken.await;
        }
    }
}

impl aws_sdk_dynamodb::config::Intercept for TransactionWatch {
    fn name(&self) -> &'static str {
        "TransactionWatch"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let transaction = operation_of(context.request()) == "TransactWriteItems";
        self.sending
            .store(transaction, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if self
            .sending
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            self.answered
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.wake.notify_one();
        }
        Ok(())
    }
}
