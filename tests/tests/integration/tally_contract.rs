//! Counting exactly once although the aggregator may see a tally more than once: the same batch
//! applied twice, a batch retried after it failed part-way or after the aggregator was stopped
//! between two of its transactions, two aggregators racing for one batch. On both stores the figures read back equal the test's own count.

use std::sync::Arc;

use chrono::Utc;
use domain::model::{CounterSeries, CustomerId, Email, Locale, ReferralCode, ReferralRequest};
use domain::ports::{Click, MetricsStore, ReferralStore, SystemClock, TallyId, TallyStore};
use domain::services::ReferralService;
use http_tests::visitor;

/// The ids of the tallies recorded so far, as the stream (or the local stack's task) names them.
#[async_trait::async_trait]
trait Pending {
    async fn pending(&self) -> Vec<TallyId>;
}

#[async_trait::async_trait]
impl Pending for store_sqlite::EmbeddedStore {
    async fn pending(&self) -> Vec<TallyId> {
        self.pending_tallies(100_000)
            .await
            .expect("pending tallies")
    }
}

#[async_trait::async_trait]
impl Pending for store_dynamodb::DynamoStore {
    async fn pending(&self) -> Vec<TallyId> {
        http_tests::aggregate::pending_tallies(self).await
    }
}

async fn code<S>(store: &Arc<S>, customer: &str) -> ReferralCode
where
    S: ReferralStore + 'static,
{
    let referrals = ReferralService::new(
        store.clone(),
        Arc::new(SystemClock),
        http_tests::fingerprint_key(),
    );
    referrals
        .get_or_create(
            ReferralRequest {
                customer_id: CustomerId::parse(customer).expect("id"),
                email: Email::parse(&format!("{customer}@example.com")).expect("email"),
                name: None,
                locale: Some(Locale::De),
            },
            &http_tests::test_link,
        )
        .await
        .expect("code")
        .0
        .code
}

async fn funnel_clicks<S: MetricsStore>(store: &S) -> i64 {
    store
        .counter_days(CounterSeries::Funnel, None, Utc::now().date_naive())
        .await
        .expect("funnel")
        .iter()
        .map(|day| day.values.get("clicks").copied().unwrap_or(0))
        .sum()
}

async fn code_clicks<S: ReferralStore>(store: &S, customer: &str) -> u64 {
    store
        .referral_stats(&CustomerId::parse(customer).expect("id"))
        .await
        .expect("stats")
        .expect("a code")
        .clicks
}

async fn replays_failures_and_races_count_each_click_once<S>(store: Arc<S>)
where
    S: ReferralStore + MetricsStore + TallyStore + Pending + 'static,
{
    let codes = [code(&store, "anna").await, code(&store, "ben").await];
    // Codes made so far are counted: only clicks are pending below.
    let made = store.pending().await;
    assert_eq!(store.apply_tallies(&made).await.expect("applied"), 2);

    for n in 0..30 {
        let code = &codes[n % 2];
        assert_eq!(
            store
                .count_click(code, &visitor(code, n), Utc::now())
                .await
                .expect("click"),
            Click::Counted
        );
    }
    let unknown = ReferralCode::parse("ZZZZ9999").expect("code");
    assert_eq!(
        store
            .count_click(&unknown, &visitor(&unknown, 0), Utc::now())
            .await
            .expect("unknown code"),
        Click::UnknownCode
    );
    let batch = store.pending().await;
    assert_eq!(batch.len(), 30, "one tally per click on a known code");
    assert_eq!(
        funnel_clicks(store.as_ref()).await,
        0,
        "nothing counted before the aggregator"
    );

    // A batch that failed part-way: its first third was applied, then the whole is retried.
    assert_eq!(
        store.apply_tallies(&batch[..10]).await.expect("applied"),
        10
    );
    assert_eq!(store.apply_tallies(&batch).await.expect("applied"), 20);
    // The same batch delivered again.
    assert_eq!(store.apply_tallies(&batch).await.expect("applied"), 0);
    assert_eq!(funnel_clicks(store.as_ref()).await, 30);
    assert_eq!(code_clicks(store.as_ref(), "anna").await, 15);
    assert_eq!(code_clicks(store.as_ref(), "ben").await, 15);

    // A tally named twice in one batch.
    store
        .count_click(&codes[0], &visitor(&codes[0], 100), Utc::now())
        .await
        .expect("click");
    let one = store.pending().await;
    let twice = [one.clone(), one].concat();
    assert_eq!(store.apply_tallies(&twice).await.expect("applied"), 1);
    assert_eq!(funnel_clicks(store.as_ref()).await, 31);
    assert_eq!(code_clicks(store.as_ref(), "anna").await, 16);

    // Two aggregators racing for one batch (overlapping stream retries).
    for n in 0..40 {
        let code = &codes[n % 2];
        store
            .count_click(code, &visitor(code, 200 + n), Utc::now())
            .await
            .expect("click");
    }
    let batch = store.pending().await;
    let (first, second) = tokio::join!(store.apply_tallies(&batch), store.apply_tallies(&batch));
    assert_eq!(
        first.expect("first") + second.expect("second"),
        40,
        "each tally applied by exactly one of them"
    );
    assert_eq!(funnel_clicks(store.as_ref()).await, 71);
    assert_eq!(code_clicks(store.as_ref(), "anna").await, 36);
    assert!(store.pending().await.is_empty());
}

/// 60 codes made and counted, then clicked five times each: the 300 clicks' tallies, pending.
async fn sixty_codes_clicked_five_times<S>(store: &Arc<S>) -> Vec<TallyId>
where
    S: ReferralStore + TallyStore + Pending + 'static,
{
    let mut codes = Vec::new();
    for n in 0..60 {
        codes.push(code(store, &format!("c-{n}")).await);
    }
    let made = store.pending().await;
    assert_eq!(store.apply_tallies(&made).await.expect("applied"), 60);
    for n in 0..5 {
        for code in &codes {
            store
                .count_click(code, &visitor(code, n), Utc::now())
                .await
                .expect("click");
        }
    }
    let batch = store.pending().await;
    assert_eq!(batch.len(), 300);
    batch
}

/// A batch larger than one DynamoDB transaction (100 items) is applied in several, each a
/// consistent step: the figures are exact after all of them.
async fn a_large_batch_is_applied_in_steps_and_counted_exactly<S>(store: Arc<S>)
where
    S: ReferralStore + MetricsStore + TallyStore + Pending + 'static,
{
    let batch = sixty_codes_clicked_five_times(&store).await;
    assert_eq!(store.apply_tallies(&batch).await.expect("applied"), 300);
    assert_eq!(funnel_clicks(store.as_ref()).await, 300);
    for n in [0, 29, 59] {
        assert_eq!(code_clicks(store.as_ref(), &format!("c-{n}")).await, 5);
    }
}

/// The aggregator stopped between two of its transactions (a Lambda instance killed or timed out
/// mid-batch): what it committed stays, nothing is half-applied, and the stream's retry of the
/// whole batch applies exactly the rest.
#[tokio::test]
async fn an_aggregator_stopped_mid_batch_leaves_exact_figures_after_the_retry() {
    let watch = http_tests::dynamo::TransactionWatch::default();
    let store = Arc::new(http_tests::dynamo::fresh_intercepted_store(watch.clone()).await);
    let batch = sixty_codes_clicked_five_times(&store).await;

    let seen = watch.answered();
    let aggregator = tokio::spawn({
        let (store, batch) = (store.clone(), batch.clone());
        async move { store.apply_tallies(&batch).await }
    });
    watch.answered_after(seen).await;
    aggregator.abort();
    let _ = aggregator.await;
    // A request the stopped task had in flight may still land: let it, then look.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let left = store.pending().await.len();
    assert!(
        left > 0 && left < 300,
        "stopped between its transactions: {left} of 300 tallies left"
    );
    let counted = funnel_clicks(store.as_ref()).await;
    assert_eq!(
        counted,
        300 - left as i64,
        "what was applied is counted, nothing half"
    );

    assert_eq!(store.apply_tallies(&batch).await.expect("applied"), left);
    assert_eq!(funnel_clicks(store.as_ref()).await, 300);
    for n in [0, 29, 59] {
        assert_eq!(code_clicks(store.as_ref(), &format!("c-{n}")).await, 5);
    }
}

http_tests::contract_suite!(
    replays_failures_and_races_count_each_click_once,
    a_large_batch_is_applied_in_steps_and_counted_exactly,
);
