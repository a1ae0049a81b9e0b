//! No hot item on a request path: a viral code, a sale and a day of survey answers driven through
//! the functions' routers over the DynamoDB emulator, every write recorded on the wire and grouped
//! by item; then the aggregator applies the burst's tallies and the figures are compared with the
//! test's own count.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use http_tests::aggregate::Aggregate;
use http_tests::dynamo::{fresh_intercepted_store, WriteRecorder};
use http_tests::platforms::{PlatformStack, STAFF_KEY};
use serde_json::{json, Value};

/// Requests in flight at once: enough to interleave transactions, few enough for the emulator.
const IN_FLIGHT: usize = 16;

const CREATE: &str = "/lambda-url/create-referral";
const REWARD: &str = "/lambda-url/reward-referral";
const SURVEYS: &str = "/lambda-url/collect-survey";
const SCORES: &str = "/lambda-url/score-nps";

/// How many of `writes` (each a request's written items) wrote each item, hottest first.
fn writes_per_item(writes: &[Vec<String>]) -> Vec<(String, usize)> {
    let mut per_item: BTreeMap<&str, usize> = BTreeMap::new();
    for request in writes {
        for item in request {
            *per_item.entry(item.as_str()).or_default() += 1;
        }
    }
    let mut hottest: Vec<(String, usize)> = per_item
        .into_iter()
        .map(|(item, n)| (item.to_owned(), n))
        .collect();
    hottest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hottest
}

fn print_hottest(burst: &str, writes: &[Vec<String>]) -> Vec<(String, usize)> {
    let hottest = writes_per_item(writes);
    eprintln!("{burst}: {} write requests", writes.len());
    for (item, n) in hottest.iter().take(5) {
        eprintln!("  {n:>5}  {item}");
    }
    hottest
}

/// Only a referrer's cap counter (their code's item) may be written by several requests.
fn assert_no_shared_item(burst: &str, writes: &[Vec<String>]) {
    let hottest = print_hottest(burst, writes);
    let shared: Vec<&(String, usize)> = hottest
        .iter()
        .filter(|(item, n)| *n > 1 && !(item.starts_with("CODE#") && item.ends_with("|CODE")))
        .collect();
    assert!(
        shared.is_empty(),
        "{burst}: items written by more than one request: {shared:?}"
    );
}

async fn code_of(stack: &PlatformStack<store_dynamodb::DynamoStore>, customer: &str) -> String {
    let answer = stack
        .storefront(
            "POST",
            &format!("{CREATE}/referrals"),
            Some(json!({"customer_id": customer, "email": format!("{customer}@example.com"), "locale": "de"})),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body["code"].as_str().expect("code").to_owned()
}

async fn clicks(stack: &PlatformStack<store_dynamodb::DynamoStore>, codes: Vec<String>) {
    stream::iter(codes)
        .for_each_concurrent(IN_FLIGHT, |code| async move {
            let answer = stack
                .call("GET", &format!("{CREATE}/r/{code}"), &[], Vec::new())
                .await;
            assert!(
                (300..400).contains(&answer.status),
                "a click redirects: {}",
                answer.status
            );
        })
        .await;
}

async fn staff_get(stack: &PlatformStack<store_dynamodb::DynamoStore>, path: &str) -> Value {
    let answer = stack.with_key(STAFF_KEY, "GET", path, None).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_viral_code_a_sale_and_a_day_of_answers_write_no_shared_item() {
    let recorder = WriteRecorder::default();
    let store = Arc::new(fresh_intercepted_store(recorder.clone()).await);
    let stack = PlatformStack::new(store.clone(), &[("REFERRER_CAP", "100")]);
    let stack = &stack;

    // Setup, not measured: 100 codes (the first 50 are the sale's referrers), 500 surveys sent.
    let codes: Vec<String> = stream::iter(0..100)
        .map(|n| async move { code_of(stack, &format!("referrer-{n}")).await })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let tokens: Vec<String> = stream::iter(0..500)
        .map(|n| async move {
            let answer = stack
                .storefront(
                    "POST",
                    &format!("{SURVEYS}/surveys"),
                    Some(json!({"order_id": format!("s-{n}"), "customer_id": format!("buyer-{n}"),
                                "email": format!("buyer-{n}@example.com"), "locale": if n % 2 == 0 { "de" } else { "en" }})),
                )
                .await;
            assert_eq!(answer.status, 201, "{}", answer.text);
            answer.body["survey_id"].as_str().expect("token").to_owned()
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    store.aggregate().await;
    recorder.take();

    // 1 000 clicks on one code.
    clicks(stack, vec![codes[0].clone(); 1000]).await;
    assert_no_shared_item("1 000 clicks on one code", &recorder.take());

    // 1 000 clicks over 100 codes.
    clicks(stack, (0..1000).map(|n| codes[n % 100].clone()).collect()).await;
    assert_no_shared_item("1 000 clicks over 100 codes", &recorder.take());

    // 500 rewarded orders of distinct friends of 50 referrers.
    stream::iter(0..500)
        .for_each_concurrent(IN_FLIGHT, |n| {
            let code = codes[n % 50].clone();
            async move {
                let answer = stack
                    .storefront(
                        "POST",
                        &format!("{REWARD}/orders"),
                        Some(json!({"order_id": format!("o-{n}"), "customer_id": format!("friend-{n}"),
                                    "email": format!("friend-{n}@example.com"), "total_cents": 5990,
                                    "currency": "EUR", "referral_code": code})),
                    )
                    .await;
                assert_eq!(answer.status, 200, "{}", answer.text);
                assert_eq!(answer.body["referral"]["status"], "rewarded", "{}", answer.text);
            }
        })
        .await;
    let orders = recorder.take();
    assert_no_shared_item("500 rewarded orders of 50 referrers", &orders);
    let cap_counter = writes_per_item(&orders)
        .into_iter()
        .find(|(item, _)| item.ends_with("|CODE"))
        .expect("a referrer's code was written");
    assert_eq!(
        cap_counter.1, 10,
        "each referrer's cap counter: once per rewarded order"
    );

    // 500 survey answers in one day: 250 promoters (9), 150 passives (7), 100 detractors (3).
    let score = |n: usize| match n % 10 {
        0..=4 => 9,
        5..=7 => 7,
        _ => 3,
    };
    stream::iter(tokens.iter().enumerate())
        .for_each_concurrent(IN_FLIGHT, |(n, token)| async move {
            let answer = stack
                .call(
                    "POST",
                    &format!("{SURVEYS}/s/{token}"),
                    &[(
                        "content-type",
                        "application/x-www-form-urlencoded".to_owned(),
                    )],
                    format!("score={}", score(n)).into_bytes(),
                )
                .await;
            assert_eq!(answer.status, 200, "{}", answer.text);
        })
        .await;
    assert_no_shared_item("500 survey answers in one day", &recorder.take());

    // The aggregator: its writes, and the figures against the test's own count.
    store.aggregate().await;
    let aggregation = recorder.take();
    print_hottest("the aggregator applying the burst's tallies", &aggregation);
    let funnel = staff_get(stack, &format!("{SCORES}/referrals/stats")).await;
    assert_eq!(funnel["clicks"], 2000, "{funnel}");
    assert_eq!(funnel["rewarded"], 500, "{funnel}");
    // 100 referrers, and each surveyed buyer gets a code for the mail's share line.
    assert_eq!(funnel["codes_created"], 600, "{funnel}");
    let nps = staff_get(stack, &format!("{SCORES}/nps")).await;
    assert_eq!(nps["promoters"], 250, "{nps}");
    assert_eq!(nps["passives"], 150, "{nps}");
    assert_eq!(nps["detractors"], 100, "{nps}");
    assert_eq!(nps["open_detractors"], 100, "{nps}");
    let viral = stack
        .storefront("GET", &format!("{CREATE}/referrals/referrer-0"), None)
        .await;
    assert_eq!(viral.body["clicks"], 1010, "{}", viral.text);
    assert_eq!(viral.body["conversions"], 10, "{}", viral.text);
}
