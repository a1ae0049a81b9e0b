//! A proxy in front of the DynamoDB emulator that enforces DynamoDB's transaction-conflict rule,
//! which the emulator (one lock, one request at a time) never shows.
//!
//! As DynamoDB documents it: a `TransactWriteItems` that touches an item another transaction in
//! flight is writing is cancelled with `TransactionCanceledException`, the conflicting items'
//! reasons `TransactionConflict`; a `PutItem`, `UpdateItem` or `DeleteItem` of such an item gets
//! `TransactionConflictException`. Each transaction is held for `hold` before it is forwarded, so
//! concurrent ones overlap as they would on a real table, where a transaction takes milliseconds.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// What the proxy refused.
#[derive(Debug, Default)]
pub struct ConflictCounts {
    /// Transactions cancelled with `TransactionConflict`.
    pub cancelled: AtomicUsize,
    /// Single-item writes answered `TransactionConflictException`.
    pub refused_writes: AtomicUsize,
    /// Transactions forwarded.
    pub transactions: AtomicUsize,
}

struct Proxy {
    upstream: String,
    hold: Duration,
    client: reqwest::Client,
    in_flight: Mutex<HashSet<String>>,
    counts: Arc<ConflictCounts>,
}

/// A running proxy: point a DynamoDB client at `url`.
pub struct ConflictProxy {
    pub url: String,
    pub counts: Arc<ConflictCounts>,
}

impl ConflictProxy {
    pub async fn start(upstream: &str, hold: Duration) -> Self {
        let counts = Arc::new(ConflictCounts::default());
        let proxy = Arc::new(Proxy {
            upstream: upstream.trim_end_matches('/').to_owned(),
            hold,
            client: webhook_http::client_builder()
                .expect("TLS configuration")
                .build()
                .expect("http client"),
            in_flight: Mutex::new(HashSet::new()),
            counts: counts.clone(),
        });
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let proxy = proxy.clone();
            async move { proxy.handle(headers, body).await }
        });
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("binding the conflict proxy");
        let address = listener.local_addr().expect("proxy address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("conflict proxy");
        });
        Self {
            url: format!("http://{address}"),
            counts,
        }
    }
}

fn item_key(table: &str, key: &Value) -> String {
    format!(
        "{table}|{}|{}",
        key["PK"]["S"].as_str().unwrap_or_default(),
        key["SK"]["S"].as_str().unwrap_or_default()
    )
}

/// The items a transaction touches, in its order (condition checks included: DynamoDB counts
/// them in a conflict too).
fn transaction_items(body: &Value) -> Vec<String> {
    crate::dynamo::transaction_parts(body)
        .into_iter()
        .map(|part| item_key(part.table, part.key))
        .collect()
}

fn dynamodb_error(kind: &str, body: Value) -> Response {
    let mut body = body;
    body["__type"] = json!(format!("com.amazonaws.dynamodb.v20120810#{kind}"));
    (
        StatusCode::BAD_REQUEST,
        [("content-type", "application/x-amz-json-1.0")],
        body.to_string(),
    )
        .into_response()
}

/// Takes the items out of the in-flight set when the transaction's forward ends, however it ends.
struct InFlight<'a> {
    proxy: &'a Proxy,
    items: Vec<String>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut in_flight) = self.proxy.in_flight.lock() {
            for item in &self.items {
                in_flight.remove(item);
            }
        }
    }
}

impl Proxy {
    async fn handle(&self, headers: HeaderMap, body: Bytes) -> Response {
        let target = headers
            .get("x-amz-target")
            .and_then(|t| t.to_str().ok())
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default()
            .to_owned();
        let request: Value = serde_json::from_slice(&body).unwrap_or_default();
        let table = request["TableName"].as_str().unwrap_or_default().to_owned();
        let _held = match target.as_str() {
            "TransactWriteItems" => {
                let items = transaction_items(&request);
                {
                    let mut in_flight = self.in_flight.lock().expect("in-flight lock");
                    let conflicting: Vec<bool> =
                        items.iter().map(|item| in_flight.contains(item)).collect();
                    if conflicting.iter().any(|c| *c) {
                        self.counts.cancelled.fetch_add(1, Ordering::Relaxed);
                        let reasons: Vec<Value> = conflicting
                            .iter()
                            .map(|c| {
                                if *c {
                                    json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"})
                                } else {
                                    json!({"Code": "None"})
                                }
                            })
                            .collect();
                        return dynamodb_error(
                            "TransactionCanceledException",
                            json!({"message": "Transaction cancelled, please refer cancellation reasons for specific reasons", "CancellationReasons": reasons}),
                        );
                    }
                    for item in &items {
                        in_flight.insert(item.clone());
                    }
                }
                self.counts.transactions.fetch_add(1, Ordering::Relaxed);
                let held = InFlight { proxy: self, items };
                tokio::time::sleep(self.hold).await;
                Some(held)
            }
            "PutItem" | "UpdateItem" | "DeleteItem" => {
                let key = if target == "PutItem" {
                    &request["Item"]
                } else {
                    &request["Key"]
                };
                let item = item_key(&table, key);
                if self
                    .in_flight
                    .lock()
                    .expect("in-flight lock")
                    .contains(&item)
                {
                    self.counts.refused_writes.fetch_add(1, Ordering::Relaxed);
                    return dynamodb_error(
                        "TransactionConflictException",
                        json!({"message": "Transaction is ongoing for the item"}),
                    );
                }
                None
            }
            _ => None,
        };
        self.forward(&headers, body).await
    }

    async fn forward(&self, headers: &HeaderMap, body: Bytes) -> Response {
        let mut request = self.client.post(format!("{}/", self.upstream)).body(body);
        for (name, value) in headers {
            if name != "host" && name != "content-length" {
                request = request.header(name, value);
            }
        }
        match request.send().await {
            Ok(answer) => {
                let status = StatusCode::from_u16(answer.status().as_u16())
                    .unwrap_or(StatusCode::BAD_GATEWAY);
                let mut out = HeaderMap::new();
                for (name, value) in answer.headers() {
                    if name == "content-type" || name.as_str().starts_with("x-amz") {
                        out.insert(name.clone(), value.clone());
                    }
                }
                let bytes = answer.bytes().await.unwrap_or_default();
                (status, out, bytes).into_response()
            }
            Err(error) => (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
        }
    }
}
