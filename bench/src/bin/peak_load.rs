//! Peak load on one table: a viral code (1 000 clicks on one code), clicks over 100 codes, a sale
//! (500 rewarded orders of distinct friends of 50 referrers) and a day of survey answers (500),
//! driven through the functions' routers over the DynamoDB adapter against the emulator, as the
//! hot-item test drives them (tests/src/burst.rs). For each burst: write units per request on
//! the request path, the hottest item's writes per 1 000 requests and the request rate at which
//! that item would reach DynamoDB's 1 000 writes/s; then the same for the aggregator applying the
//! burst's tallies in stream-sized batches (1 000). Prints Markdown for BENCHMARKS.md.

use std::sync::Arc;

use bench::capacity::CapacityRecorder;
use domain::ports::TallyStore;
use http_tests::burst::{self, writes_per_item};
use http_tests::dynamo::{fresh_intercepted_store, WriteRecorder};
use http_tests::platforms::PlatformStack;
use store_dynamodb::DynamoStore;

/// What the event source mapping hands deliver-outbox at most at once.
const STREAM_BATCH: usize = 1000;

struct Recorders {
    capacity: CapacityRecorder,
    writes: WriteRecorder,
}

impl Recorders {
    fn clear(&self) {
        self.capacity.take();
        self.writes.take();
    }
}

/// One table row: write units per request and the hottest item, from what was recorded since
/// the last `clear`.
fn row(recorders: &Recorders, what: &str, requests: usize) {
    let write_units: f64 = recorders
        .capacity
        .take()
        .iter()
        .map(|request| request.units.write)
        .sum();
    let writes = recorders.writes.take();
    let hottest = writes_per_item(&writes);
    let (item, n) = hottest.first().cloned().unwrap_or_default();
    let per_thousand = n as f64 * 1000.0 / requests as f64;
    let ceiling = if n <= 1 {
        "none (no item written twice)".to_owned()
    } else {
        format!("{:.0} /s", 1000.0 * requests as f64 / n as f64)
    };
    println!(
        "| {what} | {requests} | {:.2} | `{item}` | {per_thousand:.1} | {ceiling} |",
        write_units / requests as f64
    );
}

async fn aggregate(store: &DynamoStore, recorders: &Recorders, what: &str, requests: usize) {
    let ids = http_tests::aggregate::pending_tallies(store).await;
    recorders.clear();
    for batch in ids.chunks(STREAM_BATCH) {
        store.apply_tallies(batch).await.expect("tallies applied");
    }
    row(recorders, &format!("↳ the aggregator: {what}"), requests);
}

#[tokio::main]
async fn main() {
    let recorders = Recorders {
        capacity: CapacityRecorder::default(),
        writes: WriteRecorder::default(),
    };
    let plain = fresh_intercepted_store(recorders.capacity.clone()).await;
    let config = plain
        .client()
        .config()
        .to_builder()
        .interceptor(recorders.writes.clone())
        .build();
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        plain.table(),
    ));
    let stack = PlatformStack::new(store.clone(), &[("REFERRER_CAP", "100")]);

    eprintln!("setup: 100 codes, 500 surveys");
    let codes = burst::codes(&stack, 100).await;
    let tokens = burst::survey_tokens(&stack, 500).await;
    let setup = http_tests::aggregate::pending_tallies(&store).await;
    store.apply_tallies(&setup).await.expect("setup counted");

    println!("| burst | requests | WRU per request | hottest item | its writes per 1 000 requests | request rate at which it takes 1 000 writes/s |");
    println!("|---|---:|---:|---|---:|---|");
    eprintln!("1 000 clicks on one code");
    recorders.clear();
    burst::clicks(&stack, vec![codes[0].clone(); 1000]).await;
    row(&recorders, "1 000 clicks on one code", 1000);
    aggregate(&store, &recorders, "their 1 000 tallies", 1000).await;

    eprintln!("1 000 clicks over 100 codes");
    recorders.clear();
    burst::clicks(&stack, (0..1000).map(|n| codes[n % 100].clone()).collect()).await;
    row(&recorders, "1 000 clicks over 100 codes", 1000);
    aggregate(&store, &recorders, "their 1 000 tallies", 1000).await;

    eprintln!("500 rewarded orders");
    recorders.clear();
    burst::rewarded_orders(&stack, &codes[..50], 500).await;
    row(
        &recorders,
        "500 rewarded orders of distinct friends of 50 referrers",
        500,
    );
    aggregate(&store, &recorders, "their 500 tallies", 500).await;

    eprintln!("500 answers");
    recorders.clear();
    burst::answers(&stack, &tokens).await;
    row(&recorders, "500 survey answers in one day", 500);
    aggregate(&store, &recorders, "their 500 tallies", 500).await;
}
