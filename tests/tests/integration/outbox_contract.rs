//! The outbox port's contract, run unchanged against the embedded store and against DynamoDB:
//! exclusive claims under concurrency, the due-message query, claims that run out, results of a
//! stale claim refused, and listing in pages. Messages are written the only way the product
//! writes them: with their cause (here, a referral code and its `referral.created` event).

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::model::{CustomerId, Email, MessageId, ReferralCode};
use domain::ports::{
    CodeClaim, MessageStatus, OutboxAdmin, OutboxStore, ReferralStore, RequeueOutcome, Settlement,
};
use domain::services::Events;
use futures::future::join_all;

pub trait Store: ReferralStore + OutboxStore + OutboxAdmin + 'static {}
impl<S: ReferralStore + OutboxStore + OutboxAdmin + 'static> Store for S {}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .single()
        .expect("valid instant")
        + Duration::seconds(seconds)
}

/// Gives customer `n` a code at `written`, which writes its `referral.created` message.
async fn message_written_at<S: Store>(store: &S, n: usize, written: DateTime<Utc>) -> MessageId {
    let customer = CustomerId::parse(&format!("c-{n}")).expect("id");
    // Only letters of the code alphabet (no O, I, L, 0, 1).
    let letter = |k: usize| char::from(b"ABCDEFGHJKMNPQRSTUVWXYZ"[k % 23]);
    let code =
        ReferralCode::parse(&format!("REFWXY{}{}", letter(n / 23), letter(n))).expect("code");
    let message = Events::new(true)
        .referral_created(&customer, &code, "https://ref.example/r/x", written)
        .expect("events are on");
    let id = message.id.clone();
    store
        .claim_code(CodeClaim {
            customer_id: customer,
            person: http_tests::fingerprint_key()
                .person(&Email::parse(&format!("c-{n}@example.com")).expect("email")),
            email: Email::parse(&format!("c-{n}@example.com")).expect("email"),
            name: None,
            locale: None,
            code,
            at: written,
            message: Some(message),
        })
        .await
        .expect("claimed");
    id
}

pub async fn twenty_concurrent_claimers_one_wins<S: Store>(store: Arc<S>) {
    let id = message_written_at(&*store, 1, at(0)).await;
    let claims = (0..20).map(|_| store.claim(&id, at(1), at(61)));
    let won: Vec<_> = join_all(claims)
        .await
        .into_iter()
        .filter_map(|claim| claim.expect("no store error"))
        .collect();
    assert_eq!(won.len(), 1, "exactly one of 20 claimers may send");
    assert_eq!((won[0].attempt, won[0].fence), (1, 1));
    assert_eq!(won[0].message.id, id);
}

pub async fn due_messages_come_out_oldest_first_and_only_when_due<S: Store>(store: Arc<S>) {
    let late = message_written_at(&*store, 1, at(30)).await;
    let early = message_written_at(&*store, 2, at(10)).await;
    let middle = message_written_at(&*store, 3, at(20)).await;
    let due = store.due(at(25), 10).await.expect("due");
    assert_eq!(
        due.ids,
        [early.clone(), middle.clone()],
        "not `late` before its time"
    );
    assert_eq!(due.oldest_pending_since, Some(at(10)));
    assert_eq!(
        store.due(at(40), 2).await.expect("due").ids,
        [early.clone(), middle]
    );
    assert!(
        store
            .claim(&late, at(25), at(85))
            .await
            .expect("claim")
            .is_none(),
        "not due yet"
    );

    let claim = store
        .claim(&early, at(40), at(100))
        .await
        .expect("claim")
        .expect("due");
    assert!(
        !store
            .due(at(50), 10)
            .await
            .expect("due")
            .ids
            .contains(&early),
        "claimed"
    );
    assert!(store
        .settle(&claim, &Settlement::Delivered, at(41))
        .await
        .expect("settle"));
    let due = store.due(at(200), 10).await.expect("due");
    assert!(
        !due.ids.contains(&early),
        "delivered messages are never due again"
    );
    assert_eq!(due.oldest_pending_since, Some(at(20)));
    assert!(store
        .claim(&early, at(200), at(260))
        .await
        .expect("claim")
        .is_none());
}

pub async fn a_claim_that_runs_out_frees_the_message_and_its_late_result_is_refused<S: Store>(
    store: Arc<S>,
) {
    let id = message_written_at(&*store, 1, at(0)).await;
    let first = store
        .claim(&id, at(1), at(61))
        .await
        .expect("claim")
        .expect("due");
    assert!(
        store
            .claim(&id, at(60), at(120))
            .await
            .expect("claim")
            .is_none(),
        "still held"
    );
    let second = store
        .claim(&id, at(61), at(121))
        .await
        .expect("claim")
        .expect("the first claim ran out");
    assert_eq!((second.attempt, second.fence), (2, 2));
    assert!(
        !store
            .settle(&first, &Settlement::Delivered, at(62))
            .await
            .expect("settle"),
        "a dead deliverer's late result must not overwrite the live attempt"
    );
    let retry = Settlement::Retry {
        at: at(200),
        error: "the receiver answered 503".into(),
    };
    assert!(store.settle(&second, &retry, at(63)).await.expect("settle"));
    let pending = store
        .messages(MessageStatus::Pending, 10, None)
        .await
        .expect("listing");
    assert_eq!(pending.messages.len(), 1);
    let listed = &pending.messages[0];
    assert_eq!(
        (
            listed.attempts,
            listed.next_attempt_at,
            listed.last_error.as_deref()
        ),
        (2, Some(at(200)), Some("the receiver answered 503"))
    );
    assert!(store
        .claim(&id, at(199), at(259))
        .await
        .expect("claim")
        .is_none());
    let third = store
        .claim(&id, at(200), at(260))
        .await
        .expect("claim")
        .expect("due");
    let failed = Settlement::Failed {
        error: "gave up".into(),
    };
    assert!(store
        .settle(&third, &failed, at(201))
        .await
        .expect("settle"));
    assert!(store.due(at(10_000), 10).await.expect("due").ids.is_empty());
    assert_eq!(
        store.requeue(&id, at(300)).await.expect("requeue"),
        RequeueOutcome::Requeued
    );
    let fresh = store
        .claim(&id, at(300), at(360))
        .await
        .expect("claim")
        .expect("due");
    assert_eq!(
        fresh.attempt, 1,
        "a requeued message starts its schedule again"
    );
    assert!(fresh.fence > third.fence, "but its fence keeps growing");
    assert!(!store
        .settle(&third, &Settlement::Delivered, at(301))
        .await
        .expect("settle"));
    let unknown = MessageId::derive(&["nothing"]);
    assert_eq!(
        store.requeue(&unknown, at(300)).await.expect("requeue"),
        RequeueOutcome::NotFound
    );
    assert!(store
        .claim(&unknown, at(300), at(360))
        .await
        .expect("claim")
        .is_none());
}

pub async fn listings_page_through_every_message_latest_first<S: Store>(store: Arc<S>) {
    let mut written = Vec::new();
    for n in 0..11 {
        written.push(message_written_at(&*store, n, at(n as i64)).await);
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .messages(MessageStatus::Pending, 4, after.as_ref())
            .await
            .expect("listing");
        assert!(page.messages.len() <= 4);
        seen.extend(page.messages.into_iter().map(|m| m.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    written.reverse();
    assert_eq!(seen, written, "every message once, latest first");
    assert!(store
        .messages(MessageStatus::Failed, 4, None)
        .await
        .expect("listing")
        .messages
        .is_empty());
}

http_tests::contract_suite!(
    twenty_concurrent_claimers_one_wins,
    due_messages_come_out_oldest_first_and_only_when_due,
    a_claim_that_runs_out_frees_the_message_and_its_late_result_is_refused,
    listings_page_through_every_message_latest_first,
);
