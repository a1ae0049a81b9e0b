//! What a platform delivery costs at its worst, and what a customer's own orders at once do:
//! a signed Shopify order with 70 000 discount codes and a WooCommerce order listing 40 000
//! refunds (each under the 2 MiB body limit), handled through reward-referral's router; and 8
//! tasks posting different orders of one customer for 4 seconds, counted by answer.
//!
//! Usage: platform-orders [runs]   (both stores: a temporary embedded file, and a fresh table in
//! the emulator at AWS_ENDPOINT_URL)

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::stats::{millis, quantile};
use http_tests::platforms::{fixture, shopify_order, PlatformStack, PlatformStore};
use serde_json::{json, Value};

const REWARDS: &str = "reward-referral";

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(9);
    println!("| store | delivery | body (KiB) | answer, median of {runs} (ms) | slowest (ms) | examined |");
    println!("|---|---|---:|---:|---:|---|");
    let folder = tempfile::tempdir().expect("temporary folder");
    let embedded = Arc::new(
        store_sqlite::EmbeddedStore::open(&folder.path().join("store.sqlite3")).expect("store"),
    );
    let dynamodb = Arc::new(http_tests::dynamo::fresh_store().await);
    let mut concurrency = Vec::new();
    concurrency.push((
        "embedded",
        oversized(embedded.clone(), "embedded", runs).await,
    ));
    concurrency.push((
        "DynamoDB (emulator)",
        oversized(dynamodb.clone(), "DynamoDB (emulator)", runs).await,
    ));
    println!();
    println!(
        "| store | 8 tasks × 4 s, one customer's different orders | orders per second | answers |"
    );
    println!("|---|---:|---:|---|");
    for (name, (total, per_second, answers)) in concurrency {
        println!("| {name} | {total} | {per_second:.0} | {answers} |");
    }
}

/// A delivery to time: which platform, its topic and body for run `n`.
struct Delivery {
    label: &'static str,
    shopify: bool,
    topic: &'static str,
    body: Box<dyn Fn(usize) -> Value>,
}

/// The two oversized deliveries, timed, then the concurrency run on the same store.
async fn oversized<S: PlatformStore>(
    store: Arc<S>,
    name: &str,
    runs: usize,
) -> (usize, f64, String) {
    let stack = Arc::new(PlatformStack::new(store, &[]));
    let codes: Vec<Value> = (0..70_000)
        .map(|n| json!({"code": format!("X{n}")}))
        .collect();
    let refunds: Vec<Value> = (0..40_000)
        .map(|n| json!({"id": n + 1, "reason": "", "total": "-0.01"}))
        .collect();
    let deliveries = [
        Delivery {
            label: "Shopify `orders/create`, 70 000 discount codes",
            shopify: true,
            topic: "orders/create",
            body: Box::new(move |run| {
                let mut order =
                    shopify_order(9_000_000 + run as u64, Some(77), "bench@example.com");
                order["discount_codes"] = json!(codes);
                order
            }),
        },
        Delivery {
            label: "WooCommerce `order.updated`, 40 000 refunds",
            shopify: false,
            topic: "order.updated",
            body: Box::new(move |run| {
                let mut order = fixture("woocommerce/order.json");
                order["id"] = json!(8_000_000 + run);
                order["refunds"] = json!(refunds);
                order
            }),
        },
    ];
    for delivery in &deliveries {
        let mut times = Vec::new();
        let mut body_size = 0;
        let mut examined = String::new();
        for run in 0..runs {
            let body = (delivery.body)(run);
            body_size = body.to_string().len();
            let event = format!("{}-{run}", delivery.topic);
            let started = Instant::now();
            let answer = if delivery.shopify {
                stack.shopify(REWARDS, delivery.topic, &event, &body).await
            } else {
                stack
                    .woocommerce(REWARDS, delivery.topic, &event, &body)
                    .await
            };
            times.push(started.elapsed());
            assert_eq!(
                answer.status,
                200,
                "{}",
                &answer.text[..answer.text.len().min(300)]
            );
            examined = match &answer.body["codes_not_examined"]["count"] {
                Value::Null => format!(
                    "100 refunds in one write, {} counted",
                    answer.body["refunds_not_examined"]["count"]
                ),
                count => format!("100 codes in one read, {count} counted"),
            };
        }
        row(name, delivery.label, body_size, &mut times, &examined);
    }
    one_customer_at_once(stack).await
}

fn row(store: &str, delivery: &str, body: usize, times: &mut [Duration], examined: &str) {
    times.sort();
    println!(
        "| {store} | {delivery} | {} | {:.1} | {:.1} | {examined} |",
        body / 1024,
        millis(quantile(times, 0.5)),
        millis(times[times.len() - 1]),
    );
}

/// 8 tasks post different orders of one customer, without a code, for 4 seconds.
async fn one_customer_at_once<S: PlatformStore>(
    stack: Arc<PlatformStack<S>>,
) -> (usize, f64, String) {
    let deadline = Instant::now() + Duration::from_secs(4);
    let started = Instant::now();
    let tasks = (0..8).map(|task| {
        let stack = stack.clone();
        tokio::spawn(async move {
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            let mut n = 0;
            while Instant::now() < deadline {
                let order = json!({"order_id": format!("busy-{task}-{n}"), "customer_id": "busy",
                                   "email": "busy@example.com", "total_cents": 1999, "currency": "EUR"});
                let answer = stack
                    .storefront("POST", "/lambda-url/reward-referral/orders", Some(order))
                    .await;
                *statuses.entry(answer.status).or_default() += 1;
                n += 1;
            }
            statuses
        })
    });
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for task in tasks {
        for (status, count) in task.await.expect("task") {
            *statuses.entry(status).or_default() += count;
        }
    }
    let total: usize = statuses.values().sum();
    let answers = statuses
        .iter()
        .map(|(status, count)| format!("{count} × {status}"))
        .collect::<Vec<_>>()
        .join(", ");
    (
        total,
        total as f64 / started.elapsed().as_secs_f64(),
        answers,
    )
}
