//! Exactly-once rewards, every rejection reason, mails and events through the outbox, and the
//! coupon lifecycle, run unchanged against the embedded store and against DynamoDB (the emulator).

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::model::{
    CarriedCode, CouponCode, Currency, CustomerId, Email, Locale, Order, OrderId, ReferralCode,
    ReferralRequest, RewardRules,
};
use domain::ports::{MessageStatus, OrderStore, OutboxAdmin, OutboxStore, ReferralStore};
use domain::services::{
    CouponError, CouponService, Events, OrderError, OrderService, ReferralService, ShopIdentity,
};
use futures::future::join_all;
use http_tests::clock::SettableClock;
use http_tests::delivery::TestDelivery;
use serde_json::Value;

/// Every store the suite runs against.
pub trait Store: OrderStore + ReferralStore + OutboxStore + OutboxAdmin + 'static {}
impl<S: OrderStore + ReferralStore + OutboxStore + OutboxAdmin + 'static> Store for S {}

/// The outcome as the storefront's JSON answer shows it: the stored form has exactly that shape
/// (pinned byte for byte in `domain::ports::stored`), and the HTTP tests pin the wire itself.
fn answer(outcome: &domain::model::OrderOutcome) -> Value {
    serde_json::from_str(&domain::ports::stored::outcome_to_json(outcome)).expect("JSON answer")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 12, 0, 0)
        .single()
        .expect("valid instant")
}

fn rules() -> RewardRules {
    RewardRules {
        referrer_cents: 1000,
        friend_cents: 1500,
        currency: Currency::parse("EUR").expect("currency"),
        min_order_cents: 2000,
        referrer_cap: 25,
        hold_days: 14,
        valid_days: 365,
        friend_reward: domain::model::FriendReward::Both,
    }
}

/// The services over one store, with events on, and the deliverer over the same store.
struct Shop<S> {
    store: Arc<S>,
    orders: OrderService,
    coupons: CouponService,
    referrals: ReferralService,
    clock: Arc<SettableClock>,
    delivery: TestDelivery,
}

impl<S: Store> Shop<S> {
    fn new(store: Arc<S>, rules: RewardRules, clock_at: DateTime<Utc>) -> Self {
        let clock = Arc::new(SettableClock::at(clock_at));
        let shop = ShopIdentity {
            name: "Test Shop".into(),
            url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: Locale::De,
        };
        let events = Events::new(true);
        Self {
            orders: OrderService::new(
                store.clone(),
                clock.clone(),
                rules,
                shop,
                events,
                http_tests::fingerprint_key(),
            ),
            coupons: CouponService::new(store.clone(), clock.clone(), events),
            referrals: ReferralService::new(
                store.clone(),
                clock.clone(),
                http_tests::fingerprint_key(),
            )
            .with_events(events),
            delivery: TestDelivery::new(store.clone(), clock.clone()),
            store,
            clock,
        }
    }

    async fn referrer(&self, customer_id: &str, email: &str) -> ReferralCode {
        let request = ReferralRequest {
            customer_id: CustomerId::parse(customer_id).expect("id"),
            email: Email::parse(email).expect("email"),
            name: None,
            locale: Some(Locale::De),
        };
        self.referrals
            .get_or_create(request, &http_tests::test_link)
            .await
            .expect("code")
            .0
            .code
    }

    async fn record(&self, order: Order) -> Value {
        answer(&self.orders.record(order).await.expect("order recorded"))
    }

    async fn rejection(&self, order: Order) -> String {
        reason(&self.record(order).await).to_owned()
    }

    async fn conversions(&self, customer_id: &str) -> u64 {
        self.store
            .referral_stats(&CustomerId::parse(customer_id).expect("id"))
            .await
            .expect("read")
            .expect("referrer has a code")
            .conversions
    }

    /// The mails sent once the deliverer has done what is due.
    async fn mails(&self) -> Vec<String> {
        self.delivery.deliver().await;
        self.delivery.mails()
    }
}

fn order(
    order_id: &str,
    customer_id: &str,
    email: &str,
    total_cents: u64,
    code: Option<&ReferralCode>,
) -> Order {
    Order {
        order_id: OrderId::parse(order_id).expect("id"),
        customer_id: CustomerId::parse(customer_id).expect("id"),
        email: Email::parse(email).expect("email"),
        name: None,
        locale: Some(Locale::En),
        total_cents: domain::model::MinorUnits::new(total_cents).expect("bounded"),
        currency: Currency::parse("EUR").expect("currency"),
        referral_code: code.map(|c| CarriedCode::Wellformed(c.clone())),
        placed_at: now() - Duration::days(1),
        placed_at_given: true,
        signals: Default::default(),
    }
}

fn reason(answer: &Value) -> &str {
    answer["referral"]["reason"].as_str().unwrap_or("")
}

fn coupons(answer: &Value) -> Vec<String> {
    answer["referral"]["rewards"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| x["coupon"].as_str().expect("coupon").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub async fn qualifying_first_order_rewards_both_sides<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    let code = shop.referrer("max", "max@example.com").await;

    let answer = shop
        .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
        .await;

    assert_eq!(answer["order_id"], "o-1");
    assert_eq!(answer["referral"]["status"], "rewarded");
    assert_eq!(answer["referral"]["code"], code.as_ref());
    let rewards = answer["referral"]["rewards"].as_array().expect("rewards");
    assert_eq!(rewards.len(), 2);
    assert_eq!(
        (
            rewards[0]["beneficiary"].as_str(),
            rewards[0]["customer_id"].as_str(),
            rewards[0]["amount_cents"].as_u64()
        ),
        (Some("referrer"), Some("max"), Some(1000))
    );
    assert_eq!(
        (
            rewards[1]["beneficiary"].as_str(),
            rewards[1]["customer_id"].as_str(),
            rewards[1]["amount_cents"].as_u64()
        ),
        (Some("friend"), Some("anna"), Some(1500))
    );
    for reward in rewards {
        assert_eq!(reward["status"], "pending", "placed a day ago, 14-day hold");
        assert_eq!(reward["currency"], "EUR");
        assert_eq!(reward["available_from"], "2026-11-23T12:00:00.000Z");
    }
    assert_eq!(shop.conversions("max").await, 1);
    let mails = shop.mails().await;
    assert_eq!(mails.len(), 2);
    assert!(mails
        .iter()
        .any(|m| m.contains("To: max@example.com") && m.contains("Danke für Ihre Empfehlung")));
    assert!(mails
        .iter()
        .any(|m| m.contains("To: anna@example.com") && m.contains("Thank you for your purchase")));
}

pub async fn replay_returns_the_same_answer_and_changes_nothing<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    let code = shop.referrer("max", "max@example.com").await;
    let first = shop
        .orders
        .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
        .await
        .expect("first");
    let again = shop
        .orders
        .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
        .await
        .expect("replay");
    assert_eq!(first, again, "byte-identical answer");
    assert_eq!(shop.conversions("max").await, 1);
    assert_eq!(shop.mails().await.len(), 2, "a replay sends nothing more");
}

pub async fn same_order_id_with_another_body_is_a_conflict<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    shop.record(order("o-1", "anna", "anna@example.com", 5990, None))
        .await;
    let result = shop
        .orders
        .record(order("o-1", "anna", "anna@example.com", 6000, None))
        .await;
    assert!(
        matches!(result, Err(OrderError::IdempotencyConflict { .. })),
        "{result:?}"
    );
}

pub async fn every_rejection_has_its_reason<S: Store>(store: Arc<S>) {
    let capped = RewardRules {
        referrer_cap: 1,
        ..rules()
    };
    let shop = Shop::new(store, capped, now());
    let code = shop.referrer("max", "Max.Power@gmail.com").await;
    let with_code = |id: &str, customer: &str, email: &str, total| {
        order(id, customer, email, total, Some(&code))
    };

    let mut unknown = order("o-unknown", "u1", "u1@example.com", 5000, None);
    unknown.referral_code = Some(CarriedCode::Wellformed(
        ReferralCode::parse("ZZZZ9999").expect("code"),
    ));
    assert_eq!(shop.rejection(unknown).await, "unknown_code");
    let mut garbage = order("o-garbage", "u2", "u2@example.com", 5000, None);
    garbage.referral_code = Some(CarriedCode::Malformed("not a code!".into()));
    let answer = shop.record(garbage).await;
    assert_eq!(
        (reason(&answer), answer["referral"]["code"].as_str()),
        ("unknown_code", Some("not a code!"))
    );

    let same_customer = with_code("o-self", "max", "other@example.com", 5000);
    assert_eq!(shop.rejection(same_customer).await, "self_referral");
    let gmail_alias = with_code("o-alias", "max-2", "m.a.x.power+deal@googlemail.com", 5000);
    assert_eq!(shop.rejection(gmail_alias).await, "self_referral");

    assert_eq!(
        shop.rejection(with_code("o-small", "bea", "bea@example.com", 1999))
            .await,
        "below_minimum"
    );
    let mut dollars = with_code("o-usd", "carl", "carl@example.com", 5000);
    dollars.currency = Currency::parse("USD").expect("currency");
    assert_eq!(shop.rejection(dollars).await, "currency_mismatch");

    shop.record(order("o-first", "dora", "dora@example.com", 5000, None))
        .await;
    assert_eq!(
        shop.rejection(with_code("o-second", "dora", "dora@example.com", 5000))
            .await,
        "not_first_order"
    );

    let rewarded = shop
        .record(with_code("o-win", "emil", "emil@example.com", 5000))
        .await;
    assert_eq!(rewarded["referral"]["status"], "rewarded");
    let same_person = with_code("o-again", "emil-new-account", "Emil+2@example.com", 5000);
    assert_eq!(shop.rejection(same_person).await, "already_referred");
    assert_eq!(
        shop.rejection(with_code("o-cap", "finn", "finn@example.com", 5000))
            .await,
        "referrer_cap_reached"
    );
    assert_eq!(shop.conversions("max").await, 1);
}

pub async fn hundred_identical_orders_at_once_reward_one_pair<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    let code = shop.referrer("max", "max@example.com").await;
    let calls = (0..100).map(|_| {
        shop.orders
            .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
    });
    let answers: Vec<Value> = join_all(calls)
        .await
        .into_iter()
        .map(|a| answer(&a.expect("every call answers")))
        .collect();
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "all 100 get the same answer"
    );
    assert_eq!(coupons(&answers[0]).len(), 2);
    assert_eq!(shop.conversions("max").await, 1);
    assert_eq!(shop.mails().await.len(), 2);
}

pub async fn two_first_orders_of_one_friend_at_once_reward_one<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    let code = shop.referrer("max", "max@example.com").await;
    let (a, b) = tokio::join!(
        shop.record(order("o-a", "anna", "anna@example.com", 5990, Some(&code))),
        shop.record(order("o-b", "anna", "anna@example.com", 4990, Some(&code))),
    );
    let statuses: Vec<&str> = [&a, &b]
        .iter()
        .map(|x| x["referral"]["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "rewarded").count(),
        1,
        "{a} {b}"
    );
    let loser = if statuses[0] == "rewarded" { &b } else { &a };
    assert!(
        ["not_first_order", "already_referred"].contains(&reason(loser)),
        "{loser}"
    );
    assert_eq!(shop.conversions("max").await, 1);
}

pub async fn five_friends_at_once_get_the_last_slot_under_the_cap_once<S: Store>(store: Arc<S>) {
    let shop = Shop::new(
        store,
        RewardRules {
            referrer_cap: 3,
            ..rules()
        },
        now(),
    );
    let code = shop.referrer("max", "max@example.com").await;
    for n in 0..2 {
        let answer = shop
            .record(order(
                &format!("early-{n}"),
                &format!("early-{n}"),
                &format!("early{n}@example.com"),
                5000,
                Some(&code),
            ))
            .await;
        assert_eq!(answer["referral"]["status"], "rewarded");
    }
    let calls = (0..5).map(|n| {
        shop.record(order(
            &format!("o-{n}"),
            &format!("friend-{n}"),
            &format!("friend{n}@example.com"),
            5000,
            Some(&code),
        ))
    });
    let answers = join_all(calls).await;
    let rewarded = answers
        .iter()
        .filter(|a| a["referral"]["status"] == "rewarded")
        .count();
    assert_eq!(rewarded, 1);
    assert_eq!(
        answers
            .iter()
            .filter(|a| reason(a) == "referrer_cap_reached")
            .count(),
        4
    );
    assert_eq!(shop.conversions("max").await, 3);
}

pub async fn a_mail_outage_is_retried_without_a_replay<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    let code = shop.referrer("max", "max@example.com").await;
    shop.delivery.deliver().await;
    shop.delivery.fail_next_mails(3);
    shop.orders
        .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
        .await
        .expect("recorded; the request never waits for mail");

    let report = shop.delivery.deliver().await;
    assert_eq!(
        (report.delivered, report.retried),
        (2, 2),
        "two events went, two mails wait"
    );
    assert!(shop.delivery.mails().is_empty());
    let waiting = shop.delivery.listed(MessageStatus::Pending).await;
    assert_eq!(waiting.len(), 2);
    for message in &waiting {
        assert_eq!(message.attempts, 1);
        let error = message.last_error.as_deref().expect("the reason is kept");
        assert!(
            error.contains("Throttling: Maximum sending rate exceeded"),
            "{error}"
        );
        assert!(
            !error.contains('@'),
            "no address in the stored reason: {error}"
        );
    }

    shop.clock.advance(Duration::seconds(5));
    shop.delivery.deliver().await;
    assert_eq!(
        shop.delivery.mails().len(),
        1,
        "one more failure: one mail of two went"
    );
    shop.clock.advance(Duration::seconds(30));
    assert_eq!(
        shop.mails().await.len(),
        2,
        "both went out once the outage ended"
    );
    shop.clock.advance(Duration::days(3));
    assert_eq!(shop.mails().await.len(), 2, "and nothing went twice");
    assert!(shop
        .delivery
        .listed(MessageStatus::Pending)
        .await
        .is_empty());
}

pub async fn a_message_is_given_up_after_its_schedule_and_requeued<S: Store>(store: Arc<S>) {
    let clock = Arc::new(SettableClock::at(now()));
    let delivery = TestDelivery::with_schedule(
        store.clone(),
        clock.clone(),
        "10,20".parse().expect("schedule"),
    );
    let shop = Shop::new(store.clone(), rules(), now());
    let code = shop.referrer("max", "max@example.com").await;
    delivery.deliver().await;
    // Both reward.issued events are refused at each of the first two attempts; at the third,
    // whichever comes first is refused a fifth time and given up, the other goes through.
    delivery.receiver.refuse_next(5);
    shop.orders
        .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
        .await
        .expect("recorded");
    delivery.deliver().await;
    clock.advance(Duration::seconds(10));
    delivery.deliver().await;
    clock.advance(Duration::seconds(20));
    let report = delivery.deliver().await;
    assert_eq!(
        report.failed, 1,
        "the third attempt's refusal used up the schedule"
    );
    let failed = delivery.listed(MessageStatus::Failed).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 3);
    assert_eq!(failed[0].kind.as_str(), "reward.issued");
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("the receiver answered 500")
    );
    clock.advance(Duration::days(30));
    assert_eq!(
        delivery.deliver().await.failed,
        0,
        "a failed message stays failed"
    );

    assert_eq!(
        store
            .requeue(&failed[0].id, domain::ports::Clock::now(&*clock))
            .await
            .expect("requeue"),
        domain::ports::RequeueOutcome::Requeued
    );
    assert_eq!(
        store
            .requeue(&failed[0].id, domain::ports::Clock::now(&*clock))
            .await
            .expect("requeue"),
        domain::ports::RequeueOutcome::NotFailed
    );
    assert_eq!(delivery.deliver().await.delivered, 1);
    let ids: Vec<_> = delivery
        .receiver
        .accepted()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids.iter().filter(|id| **id == failed[0].id).count(), 1);
    let refused = delivery.receiver.refused();
    assert_eq!(
        refused.iter().filter(|id| **id == failed[0].id).count(),
        3,
        "every attempt carried the same webhook-id: {refused:?}"
    );
}

pub async fn orders_without_code_build_the_customers_history<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store, rules(), now());
    let answer = shop
        .record(order("o-1", "anna", "anna@example.com", 1000, None))
        .await;
    assert_eq!(
        answer,
        serde_json::json!({"order_id": "o-1", "referral": null})
    );
    let mut earlier = order("o-0", "anna", "anna@example.com", 2500, None);
    earlier.placed_at = now() - Duration::days(30);
    shop.record(earlier.clone()).await;
    let context = shop
        .store
        .order_context(
            &order("o-2", "anna", "anna@example.com", 1, None),
            &http_tests::fingerprint_key()
                .person(&Email::parse("anna@example.com").expect("email")),
            &Default::default(),
        )
        .await
        .expect("context");
    let history = context.friend.history;
    assert_eq!(history.order_count, 2);
    assert_eq!(history.first_order_at, Some(earlier.placed_at));
    assert_eq!(history.last_order_at, Some(now() - Duration::days(1)));
    assert_eq!(history.totals.get("EUR"), Some(&3500));
    assert!(shop.mails().await.is_empty());
}

/// Orders without a code decide nothing from the customer's history, so distinct orders of one
/// customer recorded at once all land: 8 at a time, over three days, none refused, and the
/// history counts every one.
pub async fn distinct_orders_of_one_customer_at_once_all_land<S: Store>(store: Arc<S>) {
    let shop = Arc::new(Shop::new(store, rules(), now()));
    let tasks = (0..8).map(|task| {
        let shop = shop.clone();
        tokio::spawn(async move {
            for n in 0..12 {
                let mut one = order(
                    &format!("o-{task}-{n}"),
                    "busy",
                    "busy@example.com",
                    1234,
                    None,
                );
                one.placed_at = now() - Duration::days(i64::from(n % 3));
                shop.orders.record(one).await.expect("every order lands");
            }
        })
    });
    for finished in join_all(tasks).await {
        finished.expect("task");
    }
    let context = shop
        .store
        .order_context(
            &order("o-next", "busy", "busy@example.com", 1, None),
            &http_tests::fingerprint_key()
                .person(&Email::parse("busy@example.com").expect("email")),
            &Default::default(),
        )
        .await
        .expect("context");
    let history = context.friend.history;
    assert_eq!(history.order_count, 96);
    assert_eq!(history.totals.get("EUR"), Some(&(96 * 1234)));
    assert_eq!(history.order_days.len(), 3);
}

/// A coupon expires `COUPON_VALID_DAYS` after its hold, at one instant for our API and the
/// platform's discount; a coupon used before then keeps saying so.
pub async fn coupons_expire_valid_days_after_their_hold<S: Store>(store: Arc<S>) {
    let rules = RewardRules {
        valid_days: 30,
        ..rules()
    };
    let shop = Shop::new(store.clone(), rules.clone(), now());
    let code = shop.referrer("vera", "vera@example.com").await;
    let answer = shop
        .record(order(
            "o-exp",
            "walt",
            "walt@example.com",
            5990,
            Some(&code),
        ))
        .await;
    let [used, unused] = <[String; 2]>::try_from(coupons(&answer)).expect("two coupons");
    let (used, unused) = (
        CouponCode::parse(&used).expect("coupon"),
        CouponCode::parse(&unused).expect("coupon"),
    );
    let reward = &answer["referral"]["rewards"][0];
    let until = DateTime::parse_from_rfc3339(reward["valid_until"].as_str().expect("valid_until"))
        .expect("RFC 3339")
        .with_timezone(&Utc);
    assert_eq!(
        until,
        rules.valid_until(rules.available_from(now() - Duration::days(1)))
    );

    let checkout = OrderId::parse("checkout-exp").expect("id");
    let before = Shop::new(
        store.clone(),
        rules.clone(),
        until - Duration::milliseconds(1),
    );
    assert_eq!(
        before
            .coupons
            .coupon(&unused)
            .await
            .expect("usable")
            .status
            .as_str(),
        "available"
    );
    before
        .coupons
        .redeem(&used, &checkout)
        .await
        .expect("redeemed in time");

    let at = Shop::new(store, rules, until);
    assert!(matches!(
        at.coupons.coupon(&unused).await,
        Err(CouponError::Expired)
    ));
    assert!(matches!(
        at.coupons.redeem(&unused, &checkout).await,
        Err(CouponError::Expired)
    ));
    assert_eq!(
        at.coupons
            .coupon(&used)
            .await
            .expect("kept")
            .status
            .as_str(),
        "redeemed"
    );
    at.coupons
        .redeem(&used, &checkout)
        .await
        .expect("the redeeming order may still retry");
}

pub async fn coupon_lifecycle_from_pending_to_refund<S: Store>(store: Arc<S>) {
    let shop = Shop::new(store.clone(), rules(), now());
    let code = shop.referrer("max", "max@example.com").await;
    let answer = shop
        .record(order("o-1", "anna", "anna@example.com", 5990, Some(&code)))
        .await;
    let [referrer_coupon, friend_coupon] =
        <[String; 2]>::try_from(coupons(&answer)).expect("two coupons");
    let referrer_coupon = CouponCode::parse(&referrer_coupon).expect("coupon");
    let friend_coupon = CouponCode::parse(&friend_coupon).expect("coupon");
    let checkout = OrderId::parse("checkout-1").expect("id");

    let status = shop
        .coupons
        .coupon(&referrer_coupon)
        .await
        .expect("known")
        .status;
    assert_eq!(status.as_str(), "pending");
    assert!(matches!(
        shop.coupons.redeem(&referrer_coupon, &checkout).await,
        Err(CouponError::Pending)
    ));

    // Three weeks later the hold has passed.
    let later = Shop::new(store, rules(), now() + Duration::days(21));
    assert_eq!(
        later
            .coupons
            .coupon(&referrer_coupon)
            .await
            .expect("known")
            .status
            .as_str(),
        "available"
    );
    later
        .coupons
        .redeem(&referrer_coupon, &checkout)
        .await
        .expect("redeemed");
    later
        .coupons
        .redeem(&referrer_coupon, &checkout)
        .await
        .expect("same order may retry");
    let other = OrderId::parse("checkout-2").expect("id");
    assert!(matches!(
        later.coupons.redeem(&referrer_coupon, &other).await,
        Err(CouponError::AlreadyRedeemed)
    ));

    let refunded = later
        .coupons
        .refund(&OrderId::parse("o-1").expect("id"))
        .await
        .expect("refund");
    let statuses: Vec<(String, &str)> = refunded
        .iter()
        .map(|r| (r.reward.coupon.to_string(), r.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (referrer_coupon.to_string(), "redeemed"),
            (friend_coupon.to_string(), "revoked")
        ]
    );
    let again = later
        .coupons
        .refund(&OrderId::parse("o-1").expect("id"))
        .await
        .expect("refund is idempotent");
    assert_eq!(
        again.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        vec!["redeemed", "revoked"]
    );
    assert!(matches!(
        later.coupons.redeem(&friend_coupon, &other).await,
        Err(CouponError::Revoked)
    ));
    assert!(matches!(
        later
            .coupons
            .refund(&OrderId::parse("nope").expect("id"))
            .await,
        Err(CouponError::UnknownOrder)
    ));
    let unknown = CouponCode::parse("ZZZZZZZZZZZZ").expect("coupon");
    assert!(matches!(
        later.coupons.coupon(&unknown).await,
        Err(CouponError::NotFound)
    ));
    assert!(matches!(
        later.coupons.redeem(&unknown, &other).await,
        Err(CouponError::NotFound)
    ));
    let refund_without_rewards = {
        later
            .record(order("plain", "zoe", "zoe@example.com", 100, None))
            .await;
        later
            .coupons
            .refund(&OrderId::parse("plain").expect("id"))
            .await
            .expect("refund")
    };
    assert!(refund_without_rewards.is_empty());
    let unique: HashSet<_> = [referrer_coupon, friend_coupon].into_iter().collect();
    assert_eq!(unique.len(), 2);
}

http_tests::contract_suite!(
    qualifying_first_order_rewards_both_sides,
    replay_returns_the_same_answer_and_changes_nothing,
    same_order_id_with_another_body_is_a_conflict,
    every_rejection_has_its_reason,
    hundred_identical_orders_at_once_reward_one_pair,
    two_first_orders_of_one_friend_at_once_reward_one,
    five_friends_at_once_get_the_last_slot_under_the_cap_once,
    a_mail_outage_is_retried_without_a_replay,
    a_message_is_given_up_after_its_schedule_and_requeued,
    orders_without_code_build_the_customers_history,
    distinct_orders_of_one_customer_at_once_all_land,
    coupon_lifecycle_from_pending_to_refund,
    coupons_expire_valid_days_after_their_hold,
);
