//! DynamoDB's transaction-conflict rule, enforced by a proxy in front of the emulator
//! (tests/src/conflict_proxy.rs): a viral code's clicks and a sale's orders, all at once, lose
//! nothing and answer no 503.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use http_tests::aggregate::Aggregate;
use http_tests::conflict_proxy::ConflictProxy;
use http_tests::platforms::PlatformStack;
use serde_json::json;
use std::sync::atomic::Ordering;

const CREATE: &str = "/lambda-url/create-referral";
const REWARD: &str = "/lambda-url/reward-referral";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clicks_and_orders_under_the_conflict_rule_lose_nothing() {
    let proxy = ConflictProxy::start(
        &http_tests::dynamo::emulator_endpoint(),
        Duration::from_millis(5),
    )
    .await;
    let table = http_tests::dynamo::fresh_store().await;
    let config = table
        .client()
        .config()
        .to_builder()
        .endpoint_url(&proxy.url)
        .build();
    let store = Arc::new(store_dynamodb::DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table.table(),
    ));
    let stack = PlatformStack::new(store.clone(), &[("REFERRER_CAP", "100")]);
    let stack = &stack;
    let mut codes = Vec::new();
    for n in 0..20 {
        let answer = stack
            .storefront(
                "POST",
                &format!("{CREATE}/referrals"),
                Some(json!({"customer_id": format!("referrer-{n}"), "email": format!("referrer-{n}@example.com")})),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        codes.push(answer.body["code"].as_str().expect("code").to_owned());
    }
    let codes = &codes;

    let clicks = stream::iter(0..200).for_each_concurrent(200, |n| async move {
        let person = [("user-agent", http_tests::browser(n))];
        let answer = stack
            .call(
                "GET",
                &format!("{CREATE}/r/{}", codes[0]),
                &person,
                Vec::new(),
            )
            .await;
        assert!((300..400).contains(&answer.status), "{}", answer.status);
    });
    let orders =
        stream::iter(0..100)
            .map(|n| async move {
                let answer = stack
                .storefront(
                    "POST",
                    &format!("{REWARD}/orders"),
                    Some(json!({"order_id": format!("o-{n}"), "customer_id": format!("friend-{n}"),
                                "email": format!("friend-{n}@example.com"), "total_cents": 5990,
                                "currency": "EUR", "referral_code": codes[n % 20]})),
                )
                .await;
                (answer.status, answer.body["referral"]["status"].clone())
            })
            .buffer_unordered(100)
            .collect::<Vec<_>>();
    let ((), orders) = tokio::join!(clicks, orders);

    store.aggregate().await;
    let viral = stack
        .storefront("GET", &format!("{CREATE}/referrals/referrer-0"), None)
        .await;
    let rewarded = orders
        .iter()
        .filter(|(status, outcome)| *status == 200 && outcome == "rewarded")
        .count();
    eprintln!(
        "conflict rule: {} transactions forwarded, {} cancelled with TransactionConflict, {} single \
         writes refused; {rewarded} of 100 orders rewarded, {} answered 503; {} of 200 clicks counted",
        proxy.counts.transactions.load(Ordering::Relaxed),
        proxy.counts.cancelled.load(Ordering::Relaxed),
        proxy.counts.refused_writes.load(Ordering::Relaxed),
        orders.iter().filter(|(status, _)| *status == 503).count(),
        viral.body["clicks"],
    );
    assert_eq!(rewarded, 100, "every order committed: {orders:?}");
    assert_eq!(
        viral.body["clicks"], 200,
        "every click counted once: {}",
        viral.text
    );
    let funnel = stack
        .staff("GET", "/lambda-url/score-nps/referrals/stats", None)
        .await;
    assert_eq!(funnel.body["clicks"], 200, "{}", funnel.text);
    assert_eq!(funnel.body["rewarded"], 100, "{}", funnel.text);
}
