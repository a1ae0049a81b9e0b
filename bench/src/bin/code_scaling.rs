//! Referral-code creation time with 100 vs 100 000 codes already issued. A new code is checked
//! for uniqueness by key (DynamoDB: a conditional write on the code's item; SQLite: the primary
//! key), so the time should not grow with the number of codes.
//!
//! Usage: code-scaling [store…]   where store is `embedded` (in memory) or `dynamodb` (the
//! emulator at AWS_ENDPOINT_URL; populating 100 000 codes there takes minutes).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::stats::{median, millis, quantile};
use domain::model::{Creation, CustomerId, Email, ReferralRequest};
use domain::ports::{ReferralStore, SystemClock};
use domain::services::ReferralService;
use store_sqlite::EmbeddedStore;

const SIZES: [usize; 2] = [100, 100_000];
const TIMED: usize = 300;
/// Requests in flight while populating; the timed creations run one at a time.
const POPULATE_CONCURRENCY: usize = 32;

fn request(customer: &str) -> ReferralRequest {
    ReferralRequest {
        customer_id: CustomerId::parse(customer).expect("customer id"),
        email: Email::parse(&format!("{customer}@example.com")).expect("email"),
        name: None,
        locale: None,
    }
}

async fn create(service: &ReferralService, customer: &str) {
    let (_, creation) = service
        .get_or_create(request(customer), &|code| code.to_string())
        .await
        .expect("code created");
    assert!(
        matches!(creation, Creation::Created),
        "{customer} already had a code"
    );
}

async fn populate(service: &Arc<ReferralService>, from: usize, to: usize) {
    let mut next = from;
    while next < to {
        let batch_end = (next + POPULATE_CONCURRENCY).min(to);
        let mut tasks = Vec::new();
        for n in next..batch_end {
            let service = service.clone();
            tasks.push(tokio::spawn(async move {
                create(&service, &format!("existing-{n}")).await
            }));
        }
        for task in tasks {
            task.await.expect("populating task");
        }
        next = batch_end;
        if next.is_multiple_of(5_000) || next == to {
            eprint!("\r  {next} codes issued");
        }
    }
    eprintln!();
}

async fn run(store_name: &str, store: Arc<dyn ReferralStore>) -> Vec<Duration> {
    let service = Arc::new(ReferralService::new(
        store,
        Arc::new(SystemClock),
        http_tests::fingerprint_key(),
    ));
    let mut medians = Vec::new();
    let mut issued = 0;
    for size in SIZES {
        eprintln!("{store_name}: issuing codes up to {size}…");
        let started = Instant::now();
        populate(&service, issued, size).await;
        let populate_secs = started.elapsed().as_secs_f64();
        issued = size;
        let mut samples = Vec::with_capacity(TIMED);
        for n in 0..TIMED {
            let customer = format!("timed-{size}-{n}");
            let started = Instant::now();
            create(&service, &customer).await;
            samples.push(started.elapsed());
        }
        let median = median(&samples);
        medians.push(median);
        println!(
            "| {store_name} | {size} | {populate_secs:.1} | {:.3} | {:.3} |",
            millis(median),
            millis(quantile(&samples, 0.9)),
        );
    }
    medians
}

#[tokio::main]
async fn main() {
    let stores: Vec<String> = std::env::args().skip(1).collect();
    let stores = if stores.is_empty() {
        vec!["embedded".to_owned()]
    } else {
        stores
    };
    println!("| store | codes already issued | populate (s) | new code: median of {TIMED} (ms) | p90 (ms) |");
    println!("|---|---:|---:|---:|---:|");
    let mut ratios = Vec::new();
    for name in &stores {
        let store: Arc<dyn ReferralStore> = match name.as_str() {
            "embedded" => Arc::new(EmbeddedStore::in_memory().expect("in-memory store")),
            "dynamodb" => Arc::new(http_tests::dynamo::fresh_store().await),
            other => panic!("unknown store {other:?}: use embedded or dynamodb"),
        };
        let medians = run(name, store).await;
        ratios.push(format!(
            "{name}: {:.2}",
            medians[1].as_secs_f64() / medians[0].as_secs_f64()
        ));
    }
    println!();
    println!("ratio 100 000 / 100 codes: {}", ratios.join("; "));
}
