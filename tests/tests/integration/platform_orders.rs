//! Platform orders as the platforms mean them, on both stores: an order is decided only once
//! it is paid and not cancelled, a cancellation revokes like a full refund, refunds count only
//! in the order's currency and each one is accounted for, a delivery's work is bounded, a signed
//! body sent under a topic it does not fit changes nothing, and deliveries from another shop
//! are refused.

use std::future::Future;
use std::sync::Arc;

use http_tests::contract_suite;
use http_tests::platforms::{
    fixture, referral, shopify_order, sign, Answer, PlatformStack, PlatformStore as Store,
    SHOPIFY_SECRET,
};
use serde_json::{json, Value};

const REWARDS: &str = "reward-referral";
const SURVEYS: &str = "collect-survey";
const DATA: &str = "customer-data";

/// A referrer's code and the friend's Shopify order carrying it, in `financial_status`.
async fn referred<S: Store>(
    stack: &PlatformStack<S>,
    order_id: u64,
    financial_status: &str,
) -> Value {
    let mut order = stack.referred_shopify_order(order_id).await;
    order["financial_status"] = json!(financial_status);
    order
}

fn paid(mut order: Value) -> Value {
    order["financial_status"] = json!("paid");
    order
}

fn cancelled(mut order: Value) -> Value {
    order["cancelled_at"] = json!("2026-11-21T10:00:00+01:00");
    order["cancel_reason"] = json!("customer");
    order["financial_status"] = json!("voided");
    order
}

fn status(answer: &Answer) -> (&str, &str) {
    (
        answer.body["handled"].as_str().unwrap_or("-"),
        answer.body["status"].as_str().unwrap_or("-"),
    )
}

async fn shopify_orders_are_decided_once_paid_and_revoked_when_cancelled<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);

    // Bank transfer: created pending, paid later. Only the payment decides.
    let pending = referred(&stack, 8001, "pending").await;
    let created = stack
        .shopify(REWARDS, "orders/create", "p-1", &pending)
        .await;
    assert_eq!(
        status(&created),
        ("undecided_order", "awaiting_payment"),
        "{created:?}"
    );
    assert_eq!(created.body["reason"], "not_paid");
    let payment = stack
        .shopify(REWARDS, "orders/paid", "p-2", &paid(pending.clone()))
        .await;
    assert_eq!(referral(&payment.body), ("rewarded", ""), "{payment:?}");
    let coupon = payment.body["referral"]["rewards"][0]["coupon"]
        .as_str()
        .expect("a coupon")
        .to_owned();
    // orders/create's earlier snapshot delivered late keeps the decision.
    let late = stack
        .shopify(REWARDS, "orders/create", "p-3", &pending)
        .await;
    assert_eq!(referral(&late.body), ("rewarded", ""), "{late:?}");
    // orders/cancelled revokes like a full refund.
    let cancellation = stack
        .shopify(
            REWARDS,
            "orders/cancelled",
            "p-4",
            &cancelled(paid(pending)),
        )
        .await;
    assert_eq!(
        status(&cancellation),
        ("cancellation", "revoked"),
        "{cancellation:?}"
    );
    assert_eq!(stack.coupon_status(&coupon).await, "revoked");

    // Unpaid, then cancelled: a payment reported later decides nothing.
    let unpaid = referred(&stack, 8002, "pending").await;
    stack
        .shopify(REWARDS, "orders/create", "q-1", &unpaid)
        .await;
    let closed = stack
        .shopify(
            REWARDS,
            "orders/cancelled",
            "q-2",
            &cancelled(unpaid.clone()),
        )
        .await;
    assert_eq!(status(&closed), ("cancellation", "closed"), "{closed:?}");
    let too_late = stack
        .shopify(REWARDS, "orders/paid", "q-3", &paid(unpaid))
        .await;
    assert_eq!(
        status(&too_late),
        ("undecided_order", "closed"),
        "{too_late:?}"
    );
    let storefront = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders",
            Some(
                json!({"order_id": "8002", "customer_id": "8003", "email": "f8002@example.com",
                        "total_cents": 5480, "currency": "EUR"}),
            ),
        )
        .await;
    assert_eq!(
        (storefront.status, storefront.body["error"]["code"].as_str()),
        (409, Some("order_cancelled")),
        "{storefront:?}"
    );

    // Cancelled before anything else arrived, and voided authorizations: never decided.
    let unknown = referred(&stack, 8004, "paid").await;
    let first = stack
        .shopify(
            REWARDS,
            "orders/cancelled",
            "u-1",
            &cancelled(unknown.clone()),
        )
        .await;
    assert_eq!(status(&first), ("cancellation", "closed"), "{first:?}");
    let after = stack
        .shopify(REWARDS, "orders/create", "u-2", &unknown)
        .await;
    assert_eq!(status(&after), ("undecided_order", "closed"), "{after:?}");
    let voided = referred(&stack, 8006, "voided").await;
    let answer = stack
        .shopify(REWARDS, "orders/create", "v-1", &voided)
        .await;
    assert_eq!(status(&answer), ("undecided_order", "closed"), "{answer:?}");

    assert_eq!(
        stack.mails().await.len(),
        2,
        "the one paid order's two reward mails"
    );
}

async fn woocommerce_orders_are_decided_once_paid_and_revoked_when_cancelled<S: Store>(
    store: Arc<S>,
) {
    let stack = PlatformStack::new(store, &[]);
    let code = stack.referral_code("ref-woo", "wilma@example.com").await;
    let mut order = fixture("woocommerce/order.json");
    order["meta_data"]
        .as_array_mut()
        .expect("meta")
        .push(json!({"id": 13108, "key": "ref", "value": code}));
    // Cash on delivery: processing, but nobody has paid.
    let mut cash = order.clone();
    cash["date_paid"] = Value::Null;
    cash["date_paid_gmt"] = Value::Null;
    let answer = stack
        .woocommerce(REWARDS, "order.created", "w-1", &cash)
        .await;
    assert_eq!(
        status(&answer),
        ("undecided_order", "awaiting_payment"),
        "{answer:?}"
    );
    let mut completed = order.clone();
    completed["status"] = json!("completed");
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "w-2", &completed)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");
    let coupon = answer.body["referral"]["rewards"][1]["coupon"]
        .as_str()
        .expect("a coupon")
        .to_owned();
    let mut cancelled = completed.clone();
    cancelled["status"] = json!("cancelled");
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "w-3", &cancelled)
        .await;
    assert_eq!(status(&answer), ("cancellation", "revoked"), "{answer:?}");
    assert_eq!(stack.coupon_status(&coupon).await, "revoked");

    // Failed payment first, then a paid status: never decided.
    let mut failed = cash.clone();
    failed["id"] = json!(729);
    failed["status"] = json!("failed");
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "w-4", &failed)
        .await;
    assert_eq!(status(&answer), ("cancellation", "closed"), "{answer:?}");
    let mut revived = order.clone();
    revived["id"] = json!(729);
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "w-5", &revived)
        .await;
    assert_eq!(status(&answer), ("undecided_order", "closed"), "{answer:?}");
}

async fn refunds_count_only_in_the_orders_currency<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let order = paid(referred(&stack, 8101, "paid").await);
    let answer = stack.shopify(REWARDS, "orders/create", "m-1", &order).await;
    let coupon = answer.body["referral"]["rewards"][0]["coupon"]
        .as_str()
        .expect("a coupon")
        .to_owned();
    let mut refund = fixture("shopify/refund.json");
    refund["order_id"] = json!(8101);

    // 4000 yen against a 54.80 EUR order: not 40.00 EUR, and nothing revoked.
    let mut yen = refund.clone();
    yen["id"] = json!(1);
    yen["transactions"][0]["amount"] = json!("4000");
    yen["transactions"][0]["currency"] = json!("JPY");
    let answer = stack.shopify(REWARDS, "refunds/create", "m-2", &yen).await;
    assert_eq!(
        (answer.status, answer.body["ignored"].as_str()),
        (200, Some("unusable_total")),
        "{answer:?}"
    );
    assert_eq!(stack.coupon_status(&coupon).await, "available");

    // The shop-money amount of a multi-currency refund is the one compared.
    let mut presented = yen.clone();
    presented["id"] = json!(2);
    presented["transactions"][0]["amount_set"] = json!({
        "shop_money": {"amount": "10.00", "currency_code": "EUR"},
        "presentment_money": {"amount": "1600", "currency_code": "JPY"}
    });
    let answer = stack
        .shopify(REWARDS, "refunds/create", "m-3", &presented)
        .await;
    assert_eq!(
        (
            answer.body["net_total_minor"].clone(),
            answer.body["currency"].clone()
        ),
        (json!(4480), json!("EUR")),
        "{answer:?}"
    );

    // Transactions in two currencies are never added.
    let mut mixed = refund.clone();
    mixed["id"] = json!(3);
    let mut second = mixed["transactions"][0].clone();
    second["currency"] = json!("USD");
    mixed["transactions"]
        .as_array_mut()
        .expect("list")
        .push(second);
    let answer = stack
        .shopify(REWARDS, "refunds/create", "m-4", &mixed)
        .await;
    assert_eq!(answer.body["ignored"], "unusable_total", "{answer:?}");
    assert_eq!(stack.coupon_status(&coupon).await, "available");

    // The order's currency is kept with its total.
    let exported = stack
        .privacy(
            "GET",
            "/lambda-url/customer-data/customers/8102/export",
            None,
        )
        .await;
    assert_eq!(
        exported.body["orders"][0]["currency"], "EUR",
        "{exported:?}"
    );
}

async fn every_listed_refund_is_applied_or_named<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let mut order = fixture("woocommerce/order.json");
    order["id"] = json!(740);
    order["refunds"] = json!([
        {"id": 1, "reason": "", "total": "-1e2"},
        {"id": 2, "reason": "", "total": "-100000000000000.01"},
        {"id": 3, "reason": "", "total": "-10.00"},
        {"id": 3, "reason": "", "total": "-40.00"},
        {"id": 4, "reason": "", "total": -5},
    ]);
    let answer = stack
        .woocommerce(REWARDS, "order.created", "l-1", &order)
        .await;
    let refunds = answer.body["refunds"]
        .as_array()
        .expect("every refund answered");
    let summary: Vec<(&str, &str)> = refunds
        .iter()
        .map(|r| {
            (
                r["refund_id"].as_str().unwrap_or("-"),
                r["ignored"]
                    .as_str()
                    .or(r["handled"].as_str())
                    .unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("1", "unusable_total"),
            ("2", "unusable_total"),
            ("3", "refund"),
            ("3", "repeated_refund"),
            ("4", "unusable_total"),
        ],
        "{answer:?}"
    );
    assert_eq!(
        (
            refunds[2]["amount_minor"].clone(),
            refunds[2]["net_total_minor"].clone()
        ),
        (json!(1000), json!(4480)),
        "the first of the repeated ids counts"
    );
    assert_eq!(refunds[2]["recorded"], "now");
    let again = stack
        .woocommerce(REWARDS, "order.updated", "l-2", &order)
        .await;
    assert_eq!(again.body["refunds"][2]["recorded"], "before", "{again:?}");
    assert_eq!(again.body["refunds"][2]["net_total_minor"], 4480);
}

/// Tens of thousands of discount codes or refunds in one signed body: a hundred are looked at,
/// in one store read, and the rest are counted in the answer.
async fn a_deliverys_work_is_bounded<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let coupon_order = paid(referred(&stack, 8201, "paid").await);
    let answer = stack
        .shopify(REWARDS, "orders/create", "b-1", &coupon_order)
        .await;
    let coupon = answer.body["referral"]["rewards"][1]["coupon"]
        .as_str()
        .expect("a coupon")
        .to_owned();
    let mut crowded = shopify_order(8203, Some(8202), "f8201@example.com");
    // Codes of twelve characters from our alphabet read as referral codes and as coupons
    // alike: the hundred examined are two hundred keys, more than one BatchGetItem takes.
    let alphabet = domain::model::CODE_ALPHABET;
    let shop_code = |mut n: usize| {
        (0..12)
            .map(|_| {
                let letter = alphabet[n % alphabet.len()];
                n /= alphabet.len();
                char::from(letter)
            })
            .collect::<String>()
    };
    let mut codes: Vec<Value> = (0..70_000).map(|n| json!({"code": shop_code(n)})).collect();
    codes.insert(3, json!({"code": coupon}));
    crowded["discount_codes"] = json!(codes);
    let body_size = crowded.to_string().len();
    assert!(
        body_size < 2 << 20,
        "{body_size} bytes fit the 2 MiB webhook limit"
    );
    let answer = stack
        .shopify(REWARDS, "orders/create", "b-2", &crowded)
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        (
            answer.body["coupons"].clone(),
            answer.body["codes_not_examined"].clone()
        ),
        (
            json!([{"code": coupon, "status": "redeemed"}]),
            json!({"count": 69_901, "reason": "too_many_codes"})
        )
    );

    let mut refunded = fixture("woocommerce/order.json");
    refunded["id"] = json!(741);
    refunded["refunds"] = json!((0..40_000)
        .map(|n| json!({"id": n + 1, "total": "-0.01"}))
        .collect::<Vec<_>>());
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "b-3", &refunded)
        .await;
    assert_eq!(
        answer.body["refunds_not_examined"],
        json!({"count": 39_900, "reason": "too_many_refunds"}),
        "{}",
        answer.text.chars().take(300).collect::<String>()
    );
    assert_eq!(answer.body["refunds"].as_array().map(Vec::len), Some(100));
    assert_eq!(answer.body["refunds"][99]["net_total_minor"], 5480 - 100);
}

async fn deliveries_from_another_shop_are_refused<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(
        store,
        &[("SHOPIFY_SHOP_URL", "https://demo-shop.myshopify.com")],
    );
    let order = shopify_order(8301, Some(8302), "s8301@example.com");
    let bytes = order.to_string().into_bytes();
    let headers = |shop: &str| {
        vec![
            ("content-type", "application/json".to_owned()),
            ("x-shopify-topic", "orders/create".to_owned()),
            ("x-shopify-hmac-sha256", sign(SHOPIFY_SECRET, &bytes)),
            ("x-shopify-shop-domain", shop.to_owned()),
            ("x-shopify-event-id", format!("shop-{shop}")),
        ]
    };
    let path = "/lambda-url/reward-referral/webhooks/shopify";
    let other = stack
        .call(
            "POST",
            path,
            &headers("other-shop.myshopify.com"),
            bytes.clone(),
        )
        .await;
    assert_eq!(
        (other.status, other.body["error"]["code"].as_str()),
        (401, Some("wrong_shop")),
        "{other:?}"
    );
    let refund = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders/8301/refund",
            None,
        )
        .await;
    assert_eq!(refund.status, 404, "nothing was recorded");
    let ours = stack
        .call(
            "POST",
            path,
            &headers("Demo-Shop.myshopify.com"),
            bytes.clone(),
        )
        .await;
    assert_eq!(ours.body["handled"], "order", "{ours:?}");

    // A privacy payload names its shop in the signed body.
    let redact = json!({"shop_id": 1, "shop_domain": "other-shop.myshopify.com",
                        "customer": {"id": 8302, "email": "s8301@example.com", "phone": null},
                        "orders_to_redact": [8301]});
    let answer = stack
        .shopify(DATA, "customers/redact", "shop-r", &redact)
        .await;
    assert_eq!(answer.body["error"]["code"], "wrong_shop", "{answer:?}");
    let export = stack
        .privacy(
            "GET",
            "/lambda-url/customer-data/customers/8302/export",
            None,
        )
        .await;
    assert_eq!(export.status, 200, "the customer was not erased");
}

contract_suite!(
    shopify_orders_are_decided_once_paid_and_revoked_when_cancelled,
    woocommerce_orders_are_decided_once_paid_and_revoked_when_cancelled,
    refunds_count_only_in_the_orders_currency,
    every_listed_refund_is_applied_or_named,
    a_deliverys_work_is_bounded,
    deliveries_from_another_shop_are_refused,
);

/// The signed bodies a platform sends, each with the topics whose meaning it fits.
fn shopify_bodies() -> Vec<(&'static str, Value, &'static [&'static str])> {
    let order = fixture("shopify/order.json");
    let mut pending = order.clone();
    pending["financial_status"] = json!("pending");
    let mut fulfilled = order.clone();
    fulfilled["fulfillment_status"] = json!("fulfilled");
    let redact = json!({"shop_id": 954889, "shop_domain": "demo-shop.myshopify.com",
        "customer": {"id": 7012345678901234567_u64, "email": "anna.schmidt@example.com", "phone": null},
        "orders_to_redact": [5987654321098765432_u64]});
    let data_request = json!({"shop_id": 954889, "shop_domain": "demo-shop.myshopify.com",
        "orders_requested": [], "customer": {"id": 7012345678901234567_u64,
        "email": "anna.schmidt@example.com", "phone": null}, "data_request": {"id": 9999}});
    let shop_redact = json!({"shop_id": 954889, "shop_domain": "demo-shop.myshopify.com"});
    vec![
        ("paid order", order, &["orders/create", "orders/paid"]),
        ("pending order", pending, &["orders/create"]),
        (
            "cancelled order",
            cancelled(fixture("shopify/order.json")),
            &["orders/create", "orders/paid", "orders/cancelled"],
        ),
        (
            "fulfilled order",
            fulfilled,
            &["orders/create", "orders/paid", "orders/fulfilled"],
        ),
        (
            "refund",
            fixture("shopify/refund.json"),
            &["refunds/create"],
        ),
        ("redaction", redact, &["customers/redact"]),
        ("data request", data_request, &["customers/data_request"]),
        ("shop redaction", shop_redact, &["shop/redact"]),
    ]
}

const SHOPIFY_TOPICS: [&str; 8] = [
    "orders/create",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "refunds/create",
    "customers/redact",
    "customers/data_request",
    "shop/redact",
];

/// Every Shopify body sent under every topic it does not fit, to every function, after the
/// customer has an order, a survey and a code: the store is the same before and after each.
async fn swapped_topics_change_nothing<S, F, Fut>(store: Arc<S>, snapshot: F)
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = Vec<String>>,
{
    let stack = PlatformStack::new(store, &[]);
    let mut fulfilled = fixture("shopify/order.json");
    fulfilled["fulfillment_status"] = json!("fulfilled");
    stack
        .referral_code("7012345678901234567", "anna.schmidt@example.com")
        .await;
    assert_eq!(
        stack
            .shopify(REWARDS, "orders/create", "seed-1", &fulfilled)
            .await
            .status,
        200
    );
    assert_eq!(
        stack
            .shopify(SURVEYS, "orders/fulfilled", "seed-2", &fulfilled)
            .await
            .status,
        200
    );
    stack.mails().await;
    let mut tried = 0;
    for (name, body, fits) in shopify_bodies() {
        for topic in SHOPIFY_TOPICS.iter().filter(|t| !fits.contains(t)) {
            for function in [REWARDS, SURVEYS, DATA] {
                let before = snapshot().await;
                let event = format!("swap-{tried}");
                let answer = stack.shopify(function, topic, &event, &body).await;
                assert!(
                    answer.status == 400
                        || (answer.status == 200 && answer.body["ignored"].is_string()),
                    "{name} as {topic} to {function}: {answer:?}"
                );
                stack.mails().await;
                assert_eq!(
                    snapshot().await,
                    before,
                    "{name} as {topic} to {function} changed the store"
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "{tried} swapped deliveries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_swapped_topics_change_nothing() {
    let folder = tempfile::tempdir().expect("folder");
    let path = folder.path().join("store.sqlite3");
    let store = Arc::new(store_sqlite::EmbeddedStore::open(&path).expect("store"));
    swapped_topics_change_nothing(store, || {
        let path = path.clone();
        async move { http_tests::snapshot::embedded(&path) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_swapped_topics_change_nothing() {
    let store = Arc::new(http_tests::dynamo::fresh_store().await);
    let client = store.client().clone();
    let table = store.table().to_owned();
    swapped_topics_change_nothing(store, || {
        let client = client.clone();
        let table = table.clone();
        async move { http_tests::snapshot::dynamodb(&client, &table).await }
    })
    .await;
}
