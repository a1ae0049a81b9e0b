//! NPS read time for 1 000 vs 100 000 recorded answers: the score comes from per-day counters,
//! so the time should not grow with the number of answers (goal: ratio ≤ 1.2).
//!
//! Answers are recorded through the store port exactly as collect-survey records them (a survey
//! per order, then an answer moving the day counters), spread over the 365 days of 2026.

use std::sync::Arc;
use std::time::Instant;

use bench::stats::{median, quantile};

use chrono::{NaiveDate, TimeZone, Utc};
use domain::model::{Answer, SurveyDecision, SurveyRequest};
use domain::model::{CustomerId, Email, Interval, OrderId, Score, SurveyToken};
use domain::ports::{SurveyRequestCommit, SurveyStore, Tally};
use domain::services::ScoreService;
use store_sqlite::EmbeddedStore;

const SIZES: [usize; 2] = [1_000, 100_000];
const READS: usize = 300;

async fn populate(answers: usize) -> Arc<EmbeddedStore> {
    let store = Arc::new(EmbeddedStore::in_memory().expect("in-memory store"));
    let year_start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("instant");
    for n in 0..answers {
        let at = year_start + chrono::Duration::seconds((n as i64 * 31_536_000) / answers as i64);
        let token = SurveyToken::generate();
        let request = SurveyRequest {
            order_id: OrderId::parse(&format!("o-{n}")).expect("id"),
            customer_id: CustomerId::parse(&format!("c-{n}")).expect("id"),
            email: Email::parse(&format!("c{n}@example.com")).expect("email"),
            name: None,
            locale: None,
            segment: None,
        };
        let commit = SurveyRequestCommit {
            person: http_tests::fingerprint_key().person(&request.email),
            request,
            request_hash: format!("{n}"),
            decision: SurveyDecision::Sent(token.clone()),
            sent_at: at,
            throttle_cutoff: at - chrono::Duration::days(90),
            messages: Vec::new(),
        };
        store
            .commit_survey_request(&commit)
            .await
            .expect("survey recorded");
        let answer = Answer {
            score: Score::new((n % 11) as u8).expect("score"),
            comment: None,
            answered_at: at,
            revision: 1,
        };
        let survey = store
            .survey(&token)
            .await
            .expect("survey read")
            .expect("survey stored");
        assert!(store
            .record_answer(
                &survey,
                &answer,
                None,
                &[],
                &Tally::answer(&survey, &answer, None)
            )
            .await
            .expect("answer recorded"));
    }
    store
}

#[tokio::main]
async fn main() {
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
    let mut medians = Vec::new();
    println!("| answers | populate (s) | NPS 2026 with monthly series: median of {READS} reads (µs) | p90 (µs) | responses read |");
    println!("|---:|---:|---:|---:|---:|");
    for answers in SIZES {
        let started = Instant::now();
        let store = populate(answers).await;
        let populate_secs = started.elapsed().as_secs_f64();
        let scores = ScoreService::new(store.clone());
        let mut samples = Vec::with_capacity(READS);
        let mut responses = 0;
        for _ in 0..READS {
            let started = Instant::now();
            let report = scores
                .nps(from, to, Some(Interval::Month), None)
                .await
                .expect("nps");
            samples.push(started.elapsed());
            responses = report.total.responses;
        }
        assert_eq!(responses as usize, answers, "every answer is counted");
        let p90 = quantile(&samples, 0.9);
        let median = median(&samples);
        medians.push(median);
        println!(
            "| {answers} | {populate_secs:.1} | {:.1} | {:.1} | {responses} |",
            median.as_secs_f64() * 1e6,
            p90.as_secs_f64() * 1e6
        );
    }
    let ratio = medians[1].as_secs_f64() / medians[0].as_secs_f64();
    println!();
    println!("ratio 100 000 / 1 000 answers: {ratio:.2} (goal ≤ 1.2)");
}
