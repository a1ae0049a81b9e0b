//! Coupons as platform discounts, end to end: what a rewarded order costs in DynamoDB requests
//! and platform requests with `DISCOUNT_PLATFORM=shopify` against `none`, and how long a burst of
//! rewards takes to reach a Shopify store whose cost bucket refills at the Standard plan's
//! 100 points/s (the fake in tests/fakes, checking every request against Shopify's schema).
//!
//! Usage: platform-discounts [rewards] [deliverers]   (default 1000 rewards, 4 concurrent
//! deliverers; DynamoDB in the emulator at AWS_ENDPOINT_URL for the request counts, an embedded
//! store for the burst, whose pace the platform sets)

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::capacity::{CapacityRecorder, Request};
use domain::ports::{MessageStatus, OutboxAdmin};
use http_tests::fakes::ShopifyFake;
use http_tests::platforms::{PlatformStack, PlatformStore};
use serde_json::{json, Value};

#[tokio::main]
async fn main() {
    let rewards: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let deliverers: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(4);

    println!("| `DISCOUNT_PLATFORM` | DynamoDB requests: the order | DynamoDB requests: its delivery | platform requests: first order of a container | platform requests: each later order |");
    println!("|---|---|---|---|---|");
    for platform in ["none", "shopify"] {
        per_order(platform).await;
    }

    println!();
    burst(rewards, deliverers).await;
}

fn vars(fake: &ShopifyFake, platform: &str) -> Vec<(&'static str, String)> {
    let mut vars = vec![("REWARD_HOLD_DAYS", "0".to_owned())];
    if platform == "shopify" {
        vars.extend(fake.settings());
    }
    vars
}

fn stack<S: PlatformStore>(store: Arc<S>, vars: &[(&'static str, String)]) -> PlatformStack<S> {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    PlatformStack::new(store, &vars)
}

async fn rewarded_order<S: PlatformStore>(stack: &PlatformStack<S>, n: usize) {
    let code = stack
        .referral_code(&format!("ref-{n}"), &format!("r{n}@example.com"))
        .await;
    order(stack, n, &code).await;
}

/// The friend's first order on `code`: rewarded.
async fn order<S: PlatformStore>(stack: &PlatformStack<S>, n: usize, code: &str) {
    let answer = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders",
            Some(json!({
                "order_id": format!("o-{n}"), "customer_id": format!("{}", 100_000 + n),
                "email": format!("f{n}@example.com"), "total_cents": 5000, "currency": "EUR",
                "referral_code": code,
            })),
        )
        .await;
    assert_eq!(answer.body["referral"]["status"], "rewarded", "{answer:?}");
}

async fn deliver_all<S: PlatformStore>(stack: &PlatformStack<S>) {
    while stack.app.deliverer.sweep().await.expect("sweep").picked > 0 {}
}

/// `n: a Op, b Op (x RRU, y WRU)`: the requests by operation and what DynamoDB charged.
fn by_operation(requests: Vec<Request>) -> String {
    bench::capacity::by_operation(requests).0
}

fn platform_requests(requests: &[Value]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for request in requests {
        let what = match request["operation"].as_array() {
            Some(fields) if !fields.is_empty() => fields
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("+"),
            _ => request["path"].as_str().unwrap_or("?").to_owned(),
        };
        *counts.entry(what).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    if total == 0 {
        return "none".into();
    }
    let parts: Vec<String> = counts.iter().map(|(op, n)| format!("{n} `{op}`")).collect();
    format!("{total}: {}", parts.join(", "))
}

/// One rewarded order and its delivery, counted on the wire, twice (the second is what every
/// later order of a warm container costs).
async fn per_order(platform: &str) {
    let fake = ShopifyFake::start(&[]).await;
    let counter = CapacityRecorder::default();
    let store = http_tests::dynamo::fresh_intercepted_store(counter.clone()).await;
    let stack = stack(Arc::new(store), &vars(&fake, platform));
    let mut counted = Vec::new();
    for n in 0..2 {
        let code = stack
            .referral_code(&format!("ref-{n}"), &format!("r{n}@example.com"))
            .await;
        counter.take(); // the referral code's own requests are not the order's
        order(&stack, n, &code).await;
        let order_requests = by_operation(counter.take());
        let before = fake.0.requests().await.len();
        deliver_all(&stack).await;
        let delivery_requests = by_operation(counter.take());
        let platform = platform_requests(&fake.0.requests().await[before..]);
        counted.push((order_requests, delivery_requests, platform));
    }
    let (order_requests, delivery_requests, first) = &counted[0];
    let (_, _, later) = &counted[1];
    println!("| `{platform}` | {order_requests} | {delivery_requests} | {first} | {later} |");
}

/// `rewards` rewarded orders at once, then delivered by `deliverers` concurrent sweepers against
/// a bucket of 2 000 points refilling at 100 points/s.
async fn burst(rewards: usize, deliverers: usize) {
    let fake = ShopifyFake::start(&["--bucket", "2000", "--restore-rate", "100"]).await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = Arc::new(
        store_sqlite::EmbeddedStore::open(&folder.path().join("store.sqlite3")).expect("store"),
    );
    let stack = Arc::new(stack(store.clone(), &vars(&fake, "shopify")));
    let started = Instant::now();
    for n in 0..rewards {
        rewarded_order(&stack, n).await;
    }
    let recorded = started.elapsed();
    let started = Instant::now();
    let workers: Vec<_> = (0..deliverers)
        .map(|_| {
            let stack = stack.clone();
            tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(900);
                while Instant::now() < deadline {
                    let report = stack.app.deliverer.sweep().await.expect("sweep");
                    if report.picked == 0 {
                        // Deferred messages come due again shortly; look once more.
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        let pending = stack
                            .store
                            .messages(MessageStatus::Pending, 1, None)
                            .await
                            .expect("listing");
                        if pending.messages.is_empty() {
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("deliverer");
    }
    let took = started.elapsed();
    let discounts = fake.discounts().await.len();
    let failed = store
        .messages(MessageStatus::Failed, 100, None)
        .await
        .expect("listing")
        .messages
        .len();
    let requests = fake.0.requests().await;
    let throttled = requests.iter().filter(|r| r["throttled"] == true).count();
    let executed = fake.creates_executed().await;
    let invalid = fake.invalid().await.len();
    println!("| rewards | discounts | recorded in (s) | delivered in (s) | discounts/s | Shopify answers `THROTTLED` | creates executed | failed messages | invalid documents |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {rewards} | {discounts} | {:.1} | {:.1} | {:.1} | {throttled} | {executed} | {failed} | {invalid} |",
        recorded.as_secs_f64(),
        took.as_secs_f64(),
        discounts as f64 / took.as_secs_f64(),
    );
    println!();
    println!("{deliverers} deliverers sweeping at once; the bucket holds 2 000 points and refills at 100/s.");
}
