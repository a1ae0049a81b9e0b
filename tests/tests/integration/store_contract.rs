//! One contract for the referral store, run unchanged against the embedded store and against
//! DynamoDB (the emulator started by scripts/test.sh).

use http_tests::aggregate::Aggregate;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::model::{Creation, CustomerId, Email, ReferralCode, ReferralRequest};
use domain::ports::{ClaimOutcome, CodeClaim, ReferralStore};
use domain::services::{CodeSource, ReferralService};
use futures::future::join_all;
use http_tests::clock::SettableClock;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0)
        .single()
        .expect("valid instant")
        + Duration::milliseconds(123)
}

fn customer(id: &str) -> CustomerId {
    CustomerId::parse(id).expect("valid customer id")
}

fn code(raw: &str) -> ReferralCode {
    ReferralCode::parse(raw).expect("valid code")
}

fn claim(customer_id: &str, candidate: &str) -> CodeClaim {
    CodeClaim {
        customer_id: customer(customer_id),
        person: http_tests::fingerprint_key()
            .person(&Email::parse(&format!("{customer_id}@example.com")).expect("valid email")),
        email: Email::parse(&format!("{customer_id}@example.com")).expect("valid email"),
        name: None,
        locale: None,
        code: code(candidate),
        at: at(),
        message: None,
    }
}

fn request(customer_id: &str) -> ReferralRequest {
    ReferralRequest {
        customer_id: customer(customer_id),
        email: Email::parse("friend@example.com").expect("valid email"),
        name: None,
        locale: None,
    }
}

pub async fn first_claim_gives_the_customer_the_candidate_code(store: Arc<dyn ReferralStore>) {
    let outcome = store
        .claim_code(claim("c-1", "AAAA2222"))
        .await
        .expect("claim");
    let ClaimOutcome::Claimed(issued) = outcome else {
        panic!("expected Claimed, got {outcome:?}");
    };
    assert_eq!(issued.code, code("AAAA2222"));
    assert_eq!(issued.created_at, at());
}

pub async fn later_claim_returns_the_owned_code_unchanged(store: Arc<dyn ReferralStore>) {
    store
        .claim_code(claim("c-1", "AAAA2222"))
        .await
        .expect("first claim");
    let mut second = claim("c-1", "BBBB3333");
    second.at = at() + Duration::days(3);
    let outcome = store.claim_code(second).await.expect("second claim");
    let ClaimOutcome::AlreadyOwned(issued) = outcome else {
        panic!("expected AlreadyOwned, got {outcome:?}");
    };
    assert_eq!(issued.code, code("AAAA2222"));
    assert_eq!(
        issued.created_at,
        at(),
        "created_at round-trips to the millisecond"
    );
    assert_eq!(
        store.code_owner(&code("BBBB3333")).await.expect("read"),
        None
    );
}

pub async fn claiming_a_taken_code_writes_nothing(store: Arc<dyn ReferralStore>) {
    store
        .claim_code(claim("owner", "AAAA2222"))
        .await
        .expect("first claim");
    let outcome = store
        .claim_code(claim("other", "AAAA2222"))
        .await
        .expect("second claim");
    assert_eq!(outcome, ClaimOutcome::CodeTaken);
    assert_eq!(
        store
            .referral_stats(&customer("other"))
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store.code_owner(&code("AAAA2222")).await.expect("read"),
        Some(customer("owner"))
    );
}

pub async fn fifty_concurrent_first_calls_agree_on_one_code(store: Arc<dyn ReferralStore>) {
    let service = ReferralService::new(
        store,
        Arc::new(SettableClock::at(at())),
        http_tests::fingerprint_key(),
    );
    let calls = (0..50).map(|_| service.get_or_create(request("racer"), &http_tests::test_link));
    let results: Vec<_> = join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("every concurrent call succeeds"))
        .collect();
    let created = results
        .iter()
        .filter(|(_, c)| *c == Creation::Created)
        .count();
    assert_eq!(created, 1, "exactly one call creates the code");
    let first = &results[0].0.code;
    assert!(
        results.iter().all(|(issued, _)| &issued.code == first),
        "all calls see one code"
    );
}

pub async fn service_draws_a_new_code_when_the_candidate_is_taken(store: Arc<dyn ReferralStore>) {
    store
        .claim_code(claim("owner", "AAAA2222"))
        .await
        .expect("owner's claim");
    let candidates = std::sync::Mutex::new(vec![code("CCCC4444"), code("AAAA2222")]);
    let source: CodeSource = Arc::new(move || {
        candidates
            .lock()
            .expect("candidate list")
            .pop()
            .expect("the test supplies enough candidates")
    });
    let service = ReferralService::with_code_source(
        store,
        Arc::new(SettableClock::at(at())),
        http_tests::fingerprint_key(),
        source,
    );
    let (issued, creation) = service
        .get_or_create(request("newcomer"), &http_tests::test_link)
        .await
        .expect("created");
    assert_eq!(
        (issued.code, creation),
        (code("CCCC4444"), Creation::Created)
    );
}

pub async fn stats_of_a_customer_without_code_are_absent(store: Arc<dyn ReferralStore>) {
    assert_eq!(
        store
            .referral_stats(&customer("nobody"))
            .await
            .expect("read"),
        None
    );
}

pub async fn concurrent_clicks_are_all_counted<S: ReferralStore + Aggregate + 'static>(
    store: Arc<S>,
) {
    store
        .claim_code(claim("c-1", "AAAA2222"))
        .await
        .expect("claim");
    let clicked = code("AAAA2222");
    let clicks = (0..25).map(|_| store.count_click(&clicked, at()));
    assert!(join_all(clicks)
        .await
        .into_iter()
        .all(|r| r.expect("click")));
    store.aggregate().await;
    let stats = store
        .referral_stats(&customer("c-1"))
        .await
        .expect("read")
        .expect("customer has a code");
    assert_eq!((stats.clicks, stats.conversions), (25, 0));
    assert_eq!(stats.issued.code, code("AAAA2222"));
}

pub async fn click_on_an_unknown_code_counts_nothing(store: Arc<dyn ReferralStore>) {
    assert!(!store
        .count_click(&code("ZZZZ9999"), at())
        .await
        .expect("click"));
    assert_eq!(
        store.code_owner(&code("ZZZZ9999")).await.expect("read"),
        None
    );
}

http_tests::contract_suite!(
    first_claim_gives_the_customer_the_candidate_code,
    later_claim_returns_the_owned_code_unchanged,
    claiming_a_taken_code_writes_nothing,
    fifty_concurrent_first_calls_agree_on_one_code,
    service_draws_a_new_code_when_the_candidate_is_taken,
    stats_of_a_customer_without_code_are_absent,
    concurrent_clicks_are_all_counted,
    click_on_an_unknown_code_counts_nothing,
);

#[tokio::test]
async fn embedded_store_keeps_data_across_reopen() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("store.sqlite3");
    {
        let store = store_sqlite::EmbeddedStore::open(&path).expect("open");
        store
            .claim_code(claim("c-1", "AAAA2222"))
            .await
            .expect("claim");
        assert!(store
            .count_click(&code("AAAA2222"), at())
            .await
            .expect("click"));
    }
    let reopened = store_sqlite::EmbeddedStore::open(&path).expect("reopen");
    // The click's tally survived too: counted after the restart.
    reopened.aggregate().await;
    let stats = reopened
        .referral_stats(&customer("c-1"))
        .await
        .expect("read")
        .expect("code survived");
    assert_eq!((stats.issued.code, stats.clicks), (code("AAAA2222"), 1));
}
