//! No hot item on a request path: a viral code, a sale and a day of survey answers driven through
//! the functions' routers over the DynamoDB emulator (tests/src/burst.rs), every write recorded
//! on the wire and grouped by item; then the aggregator applies the burst's tallies and the
//! figures are compared with the test's own count.

use std::sync::Arc;

use http_tests::aggregate::Aggregate;
use http_tests::burst::{self, writes_per_item};
use http_tests::dynamo::{fresh_intercepted_store, WriteRecorder};
use http_tests::platforms::PlatformStack;
use serde_json::Value;

const SCORES: &str = "/lambda-url/score-nps";

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

async fn staff_get(stack: &PlatformStack<store_dynamodb::DynamoStore>, path: &str) -> Value {
    let answer = stack.staff("GET", path, None).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_viral_code_a_sale_and_a_day_of_answers_write_no_shared_item() {
    let recorder = WriteRecorder::default();
    let store = Arc::new(fresh_intercepted_store(recorder.clone()).await);
    let stack = PlatformStack::new(store.clone(), &[("REFERRER_CAP", "100")]);

    // Setup, not measured: 100 codes (the first 50 are the sale's referrers), 500 surveys sent.
    let codes = burst::codes(&stack, 100).await;
    let tokens = burst::survey_tokens(&stack, 500).await;
    store.aggregate().await;
    recorder.take();

    burst::clicks(&stack, vec![codes[0].clone(); 1000]).await;
    assert_no_shared_item("1 000 clicks on one code", &recorder.take());

    burst::clicks(&stack, (0..1000).map(|n| codes[n % 100].clone()).collect()).await;
    assert_no_shared_item("1 000 clicks over 100 codes", &recorder.take());

    burst::rewarded_orders(&stack, &codes[..50], 500).await;
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

    burst::answers(&stack, &tokens).await;
    assert_no_shared_item("500 survey answers in one day", &recorder.take());

    // The aggregator: its writes, and the figures against the test's own count.
    store.aggregate().await;
    print_hottest(
        "the aggregator applying the burst's tallies",
        &recorder.take(),
    );
    let funnel = staff_get(&stack, &format!("{SCORES}/referrals/stats")).await;
    assert_eq!(funnel["clicks"], 2000, "{funnel}");
    assert_eq!(funnel["rewarded"], 500, "{funnel}");
    // 100 referrers, and each surveyed buyer gets a code for the mail's share line.
    assert_eq!(funnel["codes_created"], 600, "{funnel}");
    let scores: Vec<u8> = (0..500).map(burst::score).collect();
    let count =
        |wanted: std::ops::RangeInclusive<u8>| scores.iter().filter(|s| wanted.contains(s)).count();
    let nps = staff_get(&stack, &format!("{SCORES}/nps")).await;
    assert_eq!(nps["promoters"], count(9..=10), "{nps}");
    assert_eq!(nps["passives"], count(7..=8), "{nps}");
    assert_eq!(nps["detractors"], count(0..=6), "{nps}");
    assert_eq!(nps["open_detractors"], count(0..=6), "{nps}");
    // The sale's 500 friends ordered once each, today; nobody else ordered.
    let retention = staff_get(&stack, &format!("{SCORES}/retention")).await;
    assert_eq!(retention["new_customers"], 500, "{retention}");
    assert_eq!(retention["customers_with_orders"], 500, "{retention}");
    assert_eq!(retention["repeat_customers"], 0, "{retention}");
    let viral = stack
        .storefront(
            "GET",
            "/lambda-url/create-referral/referrals/referrer-0",
            None,
        )
        .await;
    assert_eq!(viral.body["clicks"], 1010, "{}", viral.text);
    assert_eq!(viral.body["conversions"], 10, "{}", viral.text);
}
