//! What serving `GET /openapi.json` adds to a cold start: each function builds its OpenAPI
//! document from the annotations and serializes it once, when its router is built. Measured in
//! the process's first build (cold caches) and as the median of later ones, with the size.
//!
//! Usage: api-document [rounds]   (run with --release: the functions ship optimized)

use std::time::Instant;

use bench::stats::{millis, quantile};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    println!("| function | first build (ms) | median build (ms) | document (bytes) |");
    println!("|---|---:|---:|---:|");
    for (name, build) in [
        (
            "create-referral",
            create_referral::openapi as fn() -> serde_json::Value,
        ),
        ("reward-referral", reward_referral::openapi),
        ("collect-survey", collect_survey::openapi),
        ("score-nps", score_nps::openapi),
        ("customer-data", customer_data::openapi),
    ] {
        let started = Instant::now();
        let document = build();
        let bytes = serde_json::to_vec(&document).expect("JSON").len();
        let first = started.elapsed();
        let mut times: Vec<_> = (0..rounds)
            .map(|_| {
                let started = Instant::now();
                let document = build();
                let _bytes = serde_json::to_vec(&document).expect("JSON");
                started.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "| {name} | {:.3} | {:.3} | {bytes} |",
            millis(first),
            millis(quantile(&times, 0.5))
        );
    }
}
