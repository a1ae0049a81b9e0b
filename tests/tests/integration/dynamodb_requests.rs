//! How many DynamoDB requests each operation costs, counted on the wire against the emulator.

use std::sync::Arc;

use chrono::Utc;
use domain::model::{
    CarriedCode, Currency, CustomerId, Email, Locale, Order, OrderId, ReferralRequest, RewardRules,
};
use domain::ports::{ReferralStore, SystemClock};
use domain::services::{OrderService, ReferralService, ShopIdentity};
use http_tests::dynamo::fresh_counting_store;

fn rules() -> RewardRules {
    RewardRules {
        referrer_cents: 1000,
        friend_cents: 1000,
        currency: Currency::parse("EUR").expect("currency"),
        min_order_cents: 2000,
        referrer_cap: 25,
        hold_days: 14,
    }
}

fn request(customer_id: &str) -> ReferralRequest {
    ReferralRequest {
        customer_id: CustomerId::parse(customer_id).expect("id"),
        email: Email::parse(&format!("{customer_id}@example.com")).expect("email"),
        name: None,
        locale: Some(Locale::De),
    }
}

#[tokio::test]
async fn a_rewarded_order_costs_at_most_three_requests() {
    let (store, counter) = fresh_counting_store().await;
    let store = Arc::new(store);
    let folder = tempfile::tempdir().expect("temporary folder");
    let mailer = Arc::new(local::MailFolder::new(
        folder.path(),
        Email::parse("shop@example.com").expect("email"),
        "Shop",
    ));
    let shop = ShopIdentity {
        name: "Shop".into(),
        url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
        default_locale: Locale::De,
    };
    let referrals = ReferralService::new(store.clone(), Arc::new(SystemClock));
    let orders = OrderService::new(store.clone(), mailer, Arc::new(SystemClock), rules(), shop);
    let code = referrals
        .get_or_create(request("max"))
        .await
        .expect("code")
        .0
        .code;
    counter.take();

    let order = Order {
        order_id: OrderId::parse("o-1").expect("id"),
        customer_id: CustomerId::parse("anna").expect("id"),
        email: Email::parse("anna@example.com").expect("email"),
        name: None,
        locale: None,
        total_cents: 5000,
        currency: Currency::parse("EUR").expect("currency"),
        referral_code: Some(CarriedCode::Wellformed(code)),
        placed_at: Utc::now(),
        placed_at_given: false,
    };
    let answer = orders.record(order.clone()).await.expect("recorded");
    assert!(
        matches!(
            answer.referral.as_ref().map(|r| &r.result),
            Some(domain::model::ReferralResult::Rewarded(_))
        ),
        "{answer:?}"
    );
    let requests = counter.take();
    println!("rewarded order: {} requests {requests:?}", requests.len());
    assert!(requests.len() <= 3, "{requests:?}");
    assert_eq!(
        requests,
        ["BatchGetItem", "TransactWriteItems", "UpdateItem"]
    );

    orders.record(order).await.expect("replayed");
    assert_eq!(counter.take(), ["BatchGetItem"], "a replay is one read");
}

#[tokio::test]
async fn referral_codes_cost_one_or_two_requests() {
    let (store, counter) = fresh_counting_store().await;
    let store = Arc::new(store);
    let referrals = ReferralService::new(store.clone(), Arc::new(SystemClock));

    let code = referrals
        .get_or_create(request("max"))
        .await
        .expect("created")
        .0
        .code;
    assert_eq!(
        counter.take(),
        ["GetItem", "TransactWriteItems"],
        "first call"
    );
    referrals
        .get_or_create(request("max"))
        .await
        .expect("existing");
    assert_eq!(counter.take(), ["GetItem"], "repeat call");
    store.count_click(&code, Utc::now()).await.expect("click");
    assert_eq!(
        counter.take(),
        ["TransactWriteItems"],
        "click (with its funnel counter)"
    );
    store
        .referral_stats(&CustomerId::parse("max").expect("id"))
        .await
        .expect("stats");
    assert_eq!(counter.take(), ["GetItem", "GetItem"], "stats");
}
