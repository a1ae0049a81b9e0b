//! How fast one deliverer sends: up to `OUTBOX_CONCURRENCY` messages at once, mails never faster
//! than `SES_MAX_SEND_RATE`, and SES's own "too fast" a wait rather than a failed attempt. The
//! messages are real ones (thank-you mails of `POST /surveys`) in the embedded store.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use domain::model::{Concurrency, RetrySchedule, SendRate};
use domain::ports::{MailError, Mailer, MessageStatus, OutboxAdmin, OutgoingMail, SystemClock};
use domain::services::Deliverer;
use http_tests::clock::SettableClock;
use http_tests::platforms::PlatformStack;

/// Takes `pause` per mail, and records how many were in its hands at once and when each began.
#[derive(Default)]
struct SlowMailer {
    pause: Duration,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    started: Mutex<Vec<tokio::time::Instant>>,
    /// Answer the first send as SES does when the account's rate is exceeded.
    throttle_first: AtomicBool,
}

#[async_trait]
impl Mailer for SlowMailer {
    async fn send(&self, _mail: &OutgoingMail) -> Result<(), MailError> {
        if self.throttle_first.swap(false, Ordering::SeqCst) {
            return Err(MailError::throttled(
                "sending through SES (rate limited)",
                "TooManyRequestsException: Maximum sending rate exceeded.",
            ));
        }
        self.started
            .lock()
            .expect("lock")
            .push(tokio::time::Instant::now());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.pause).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

/// `n` thank-you mails waiting in a fresh embedded store.
async fn pending_mails(n: usize) -> Arc<store_sqlite::EmbeddedStore> {
    let store = Arc::new(http_tests::contract::embedded_store());
    http_tests::burst::surveys(&PlatformStack::new(store.clone(), &[]), n).await;
    store
}

async fn pending(store: &store_sqlite::EmbeddedStore) -> usize {
    store
        .messages(MessageStatus::Pending, 100, None)
        .await
        .expect("listed")
        .messages
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deliverer_sends_up_to_its_concurrency_at_once() {
    let store = pending_mails(20).await;
    let mailer = Arc::new(SlowMailer {
        pause: Duration::from_millis(250),
        ..SlowMailer::default()
    });
    let deliverer = Deliverer::new(
        store.clone(),
        mailer.clone(),
        None,
        Arc::new(SystemClock),
        RetrySchedule::default(),
    )
    .with_concurrency("8".parse::<Concurrency>().expect("concurrency"));
    let report = deliverer.sweep().await.expect("swept");
    assert_eq!(report.delivered, 20);
    assert_eq!(mailer.most_in_flight.load(Ordering::SeqCst), 8);
    assert_eq!(pending(&store).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mails_never_leave_faster_than_the_send_rate() {
    let store = pending_mails(6).await;
    let mailer = Arc::new(SlowMailer::default());
    let deliverer = Deliverer::new(
        store,
        mailer.clone(),
        None,
        Arc::new(SystemClock),
        RetrySchedule::default(),
    )
    .with_concurrency("8".parse::<Concurrency>().expect("concurrency"))
    .with_mail_rate("20".parse::<SendRate>().expect("rate"));
    assert_eq!(deliverer.sweep().await.expect("swept").delivered, 6);
    let mut started = mailer.started.lock().expect("lock").clone();
    started.sort();
    // Slots are fixed 1/20 s apart from the first; a send may start late (the timer's wake-up),
    // never early, so the i-th starts at least i/20 s after the first, less the first's lateness.
    for (i, at) in started.iter().enumerate() {
        let since_first = *at - started[0];
        assert!(
            since_first + Duration::from_millis(10) >= Duration::from_millis(50) * i as u32,
            "send {i} began {since_first:?} after the first, all 8 slots free"
        );
    }
}

#[tokio::test]
async fn ses_refusing_a_send_as_too_fast_costs_no_attempt() {
    let store = pending_mails(1).await;
    let clock = Arc::new(SettableClock::at(Utc::now()));
    let mailer = Arc::new(SlowMailer {
        throttle_first: AtomicBool::new(true),
        ..SlowMailer::default()
    });
    // One attempt in all: a throttled send that counted as one would fail the message.
    let deliverer = Deliverer::new(
        store.clone(),
        mailer.clone(),
        None,
        clock.clone(),
        "5".parse::<RetrySchedule>().expect("schedule"),
    );
    let first = deliverer.sweep().await.expect("swept");
    assert_eq!((first.delivered, first.retried, first.failed), (0, 0, 0));
    let listed = store
        .messages(MessageStatus::Pending, 10, None)
        .await
        .expect("listed")
        .messages;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].attempts, 0, "the attempt is given back");
    assert!(listed[0]
        .last_error
        .as_deref()
        .is_some_and(|e| e.contains("TooManyRequestsException")));
    clock.advance(chrono::Duration::seconds(2));
    assert_eq!(deliverer.sweep().await.expect("swept").delivered, 1);
}
