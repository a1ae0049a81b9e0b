//! One contract for the referral store, run unchanged against the embedded store and against
//! DynamoDB (the emulator started by scripts/test.sh).

use http_tests::aggregate::Aggregate;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::model::{Creation, CustomerId, Email, ReferralCode, ReferralRequest};
use domain::ports::{ClaimOutcome, Click, CodeClaim, ReferralStore};
use domain::services::{CodeSource, ReferralService};
use futures::future::join_all;
use http_tests::clock::SettableClock;
use http_tests::visitor;

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
    let visitors: Vec<_> = (0..25).map(|n| visitor(&clicked, n)).collect();
    let clicks = visitors
        .iter()
        .map(|visitor| store.count_click(&clicked, visitor, at()));
    assert!(join_all(clicks)
        .await
        .into_iter()
        .all(|r| r.expect("click") == Click::Counted));
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
    let unknown = code("ZZZZ9999");
    assert_eq!(
        store
            .count_click(&unknown, &visitor(&unknown, 1), at())
            .await
            .expect("click"),
        Click::UnknownCode
    );
    assert_eq!(
        store.code_owner(&code("ZZZZ9999")).await.expect("read"),
        None
    );
}

/// One click per visitor and code within the hour from their counted click; concurrent clicks
/// of one visitor count once.
pub async fn a_visitor_counts_once_per_code_per_hour<S: ReferralStore + Aggregate + 'static>(
    store: Arc<S>,
) {
    store
        .claim_code(claim("c-1", "AAAA2222"))
        .await
        .expect("claim");
    store
        .claim_code(claim("c-2", "BBBB3333"))
        .await
        .expect("claim");
    let (one, other) = (code("AAAA2222"), code("BBBB3333"));
    let anna = visitor(&one, 1);
    let concurrent = join_all((0..10).map(|_| store.count_click(&one, &anna, at()))).await;
    let counted = concurrent
        .into_iter()
        .map(|click| click.expect("click"))
        .filter(|click| *click == Click::Counted)
        .count();
    assert_eq!(counted, 1, "ten concurrent clicks of one visitor");
    let click = |code, visitor, at| {
        let store = store.clone();
        async move { store.count_click(code, visitor, at).await.expect("click") }
    };
    let hour = Duration::hours(1);
    let second = Duration::seconds(1);
    assert_eq!(
        click(&one, &anna, at() + hour - second).await,
        Click::Repeat
    );
    let (ben, anna_on_other) = (visitor(&one, 2), visitor(&other, 1));
    assert_eq!(click(&one, &ben, at()).await, Click::Counted);
    assert_eq!(click(&other, &anna_on_other, at()).await, Click::Counted);
    assert_eq!(click(&one, &anna, at() + hour).await, Click::Counted);
    assert_eq!(
        click(&one, &anna, at() + hour + second).await,
        Click::Repeat
    );
    store.aggregate().await;
    let clicks = |customer_id| {
        let store = store.clone();
        async move {
            store
                .referral_stats(&customer(customer_id))
                .await
                .expect("read")
                .expect("a code")
                .clicks
        }
    };
    assert_eq!(clicks("c-1").await, 3);
    assert_eq!(clicks("c-2").await, 1);
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
    a_visitor_counts_once_per_code_per_hour,
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
        let clicked = code("AAAA2222");
        assert_eq!(
            store
                .count_click(&clicked, &visitor(&clicked, 1), at())
                .await
                .expect("click"),
            Click::Counted
        );
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
