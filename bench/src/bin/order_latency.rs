//! How long a rewarded `POST /orders` takes while every mail send takes 100 ms: the request only
//! commits (the mails are outbox messages), while the deliverer sends in the background.
//!
//! Usage: order-latency [orders]   (embedded store in a temporary file, as the local stack)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bench::stats::{millis, quantile};
use chrono::Utc;
use domain::model::{
    CarriedCode, Currency, CustomerId, Email, HttpUrl, Locale, Order, OrderId, ReferralCode,
    ReferralRequest, RetrySchedule, RewardRules,
};
use domain::ports::{MailError, Mailer, OutgoingMail, SystemClock};
use domain::services::{Deliverer, Events, OrderService, ReferralService, ShopIdentity};
use store_sqlite::EmbeddedStore;

/// SES as seen from a Lambda in another region on a bad day: 100 ms per send.
struct SlowMailer {
    sent: AtomicUsize,
}

#[async_trait]
impl Mailer for SlowMailer {
    async fn send(&self, _mail: &OutgoingMail) -> Result<(), MailError> {
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.sent.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::main]
async fn main() {
    let orders: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = Arc::new(EmbeddedStore::open(&folder.path().join("store.sqlite3")).expect("store"));
    let clock = Arc::new(SystemClock);
    let mailer = Arc::new(SlowMailer {
        sent: AtomicUsize::new(0),
    });
    let rules = RewardRules {
        referrer_cents: 1000,
        friend_cents: 1000,
        currency: Currency::parse("EUR").expect("currency"),
        min_order_cents: 2000,
        referrer_cap: 25,
        hold_days: 14,
        valid_days: 365,
        friend_reward: domain::model::FriendReward::Both,
    };
    let shop = ShopIdentity {
        name: "Bench Shop".into(),
        url: HttpUrl::parse("https://shop.example").expect("url"),
        default_locale: Locale::De,
    };
    let referrals =
        ReferralService::new(store.clone(), clock.clone(), http_tests::fingerprint_key());
    let service = OrderService::new(
        store.clone(),
        clock.clone(),
        rules,
        shop,
        Events::default(),
        http_tests::fingerprint_key(),
    );
    let deliverer = Deliverer::new(
        store.clone(),
        mailer.clone(),
        None,
        clock,
        RetrySchedule::default(),
    );
    let delivery = tokio::spawn(async move {
        loop {
            deliverer.sweep().await.expect("sweep");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });

    let mut codes: Vec<ReferralCode> = Vec::new();
    for n in 0..orders.div_ceil(25) {
        let request = ReferralRequest {
            customer_id: CustomerId::parse(&format!("referrer-{n}")).expect("id"),
            email: Email::parse(&format!("referrer-{n}@example.com")).expect("email"),
            name: None,
            locale: None,
        };
        let (issued, _) = referrals
            .get_or_create(request, &|code| code.to_string())
            .await
            .expect("code");
        codes.push(issued.code);
    }
    let started = Instant::now();
    let mut durations = Vec::with_capacity(orders);
    for n in 0..orders {
        let order = Order {
            order_id: OrderId::parse(&format!("o-{n}")).expect("id"),
            customer_id: CustomerId::parse(&format!("friend-{n}")).expect("id"),
            email: Email::parse(&format!("friend-{n}@example.com")).expect("email"),
            name: None,
            locale: None,
            total_cents: domain::model::MinorUnits::new(5000).expect("bounded"),
            currency: Currency::parse("EUR").expect("currency"),
            referral_code: Some(CarriedCode::Wellformed(codes[n / 25].clone())),
            placed_at: Utc::now(),
            placed_at_given: false,
            signals: Default::default(),
        };
        let request = Instant::now();
        let outcome = service.record(order).await.expect("recorded");
        durations.push(request.elapsed());
        assert!(
            matches!(
                outcome.referral.map(|r| r.result),
                Some(domain::model::ReferralResult::Rewarded(_))
            ),
            "every order is rewarded"
        );
    }
    let requests_done = started.elapsed();
    while mailer.sent.load(Ordering::SeqCst) < 2 * orders {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all_mailed = started.elapsed();
    delivery.abort();
    durations.sort();
    println!("| orders | p50 (ms) | p99 (ms) | max (ms) | all requests answered (s) | all {} mails sent (s) |", 2 * orders);
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {orders} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} |",
        millis(quantile(&durations, 0.5)),
        millis(quantile(&durations, 0.99)),
        millis(*durations.last().expect("orders")),
        requests_done.as_secs_f64(),
        all_mailed.as_secs_f64()
    );
}
