//! Shopify's and WooCommerce's order webhooks, in their documented shapes and signed as they
//! sign them, through the stack's routers on both stores: every mapping rule, guests, JPY and
//! KWD totals, partial then full refunds, coupons used at checkout, surveys on fulfilment,
//! redeliveries and tampering.

use std::sync::Arc;

use http_tests::contract_suite;
use http_tests::platforms::{
    fixture, referral, shopify_order, sign, with_ref_attribute, PlatformStack,
    PlatformStore as Store, SHOPIFY_SECRET,
};
use serde_json::{json, Value};

const REWARDS: &str = "reward-referral";
const SURVEYS: &str = "collect-survey";

async fn shopify_order_rewards_both_once_and_redeliveries_change_nothing<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let code = stack.referral_code("ref-1", "rita@example.com").await;
    let order = with_ref_attribute(
        shopify_order(
            5987654321098765432,
            Some(7012345678901234567),
            "anna.schmidt@example.com",
        ),
        &code,
    );

    let first = stack
        .shopify(REWARDS, "orders/create", "evt-1", &order)
        .await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["handled"], "order");
    // Shopify's ids exceed 2^53: kept exactly, never through a float.
    assert_eq!(first.body["order_id"], "5987654321098765432");
    assert_eq!(referral(&first.body), ("rewarded", ""));
    let rewards = first.body["referral"]["rewards"]
        .as_array()
        .expect("rewards");
    assert_eq!(rewards.len(), 2);
    assert_eq!(rewards[1]["customer_id"], "7012345678901234567");

    let redelivered = stack
        .shopify(REWARDS, "orders/create", "evt-1", &order)
        .await;
    assert_eq!(
        (redelivered.status, redelivered.text.as_str()),
        (200, first.text.as_str())
    );

    // orders/paid follows for the same order: a replay, not a conflict, and no second reward.
    let paid = stack.shopify(REWARDS, "orders/paid", "evt-2", &order).await;
    assert_eq!(paid.status, 200);
    assert_eq!(paid.body["referral"], first.body["referral"]);

    // The platform's copy changed since (an edit): the first decision stands and says so.
    let mut edited = order.clone();
    edited["current_total_price"] = json!("44.80");
    let changed = stack
        .shopify(REWARDS, "orders/paid", "evt-3", &edited)
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(changed.body["changed_since_recorded"], true);
    assert_eq!(changed.body["referral"], first.body["referral"]);

    let mails = stack.mails().await;
    assert_eq!(
        mails.len(),
        2,
        "one reward mail each to referrer and friend"
    );
}

async fn shopify_mapping_rules<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let code = stack.referral_code("ref-2", "rolf@example.com").await;

    // A referral code entered as a discount code counts; the shop's own codes do not.
    let mut by_discount = shopify_order(1001, Some(501), "d1@example.com");
    by_discount["discount_codes"] = json!([
        {"code": "SUMMER10", "amount": "5.00", "type": "fixed_amount"},
        {"code": code.to_lowercase(), "amount": "5.00", "type": "fixed_amount"}
    ]);
    let answer = stack
        .shopify(REWARDS, "orders/create", "m-1", &by_discount)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");
    assert_eq!(answer.body["referral"]["code"], code.as_str());

    let mut shop_code_only = shopify_order(1002, Some(502), "d2@example.com");
    shop_code_only["discount_codes"] =
        json!([{"code": "SUMMER10", "amount": "5.00", "type": "fixed_amount"}]);
    let answer = stack
        .shopify(REWARDS, "orders/create", "m-2", &shop_code_only)
        .await;
    assert_eq!(answer.body["referral"], Value::Null, "{answer:?}");

    // The landing page's ?ref= when nothing else carries a code.
    let mut by_landing = shopify_order(1003, Some(503), "d3@example.com");
    by_landing["landing_site"] = json!(format!("/products/kaffee?utm_source=x&ref={code}"));
    let answer = stack
        .shopify(REWARDS, "orders/create", "m-3", &by_landing)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");

    // The cart attribute wins over the landing page.
    let mut both = with_ref_attribute(shopify_order(1004, Some(504), "d4@example.com"), "NOPE2345");
    both["landing_site"] = json!(format!("/?ref={code}"));
    let answer = stack.shopify(REWARDS, "orders/create", "m-4", &both).await;
    assert_eq!(
        referral(&answer.body),
        ("rejected", "unknown_code"),
        "{answer:?}"
    );

    // Email from contact_email, then customer.email.
    let mut contact_only =
        with_ref_attribute(shopify_order(1005, Some(505), "d5@example.com"), &code);
    contact_only["email"] = Value::Null;
    let answer = stack
        .shopify(REWARDS, "orders/create", "m-5", &contact_only)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");
    let mut customer_only =
        with_ref_attribute(shopify_order(1006, Some(506), "d6@example.com"), &code);
    customer_only["email"] = json!("");
    customer_only["contact_email"] = Value::Null;
    let answer = stack
        .shopify(REWARDS, "orders/create", "m-6", &customer_only)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");

    // No address anywhere: understood, nothing to do, and not retried.
    let mut no_email = shopify_order(1007, None, "d7@example.com");
    no_email["email"] = Value::Null;
    no_email["contact_email"] = Value::Null;
    let answer = stack
        .shopify(REWARDS, "orders/create", "m-7", &no_email)
        .await;
    assert_eq!(
        (answer.status, &answer.body["ignored"]),
        (200, &json!("no_email"))
    );

    // Guests: one customer per canonical address, whichever way it is spelt.
    let guest = with_ref_attribute(shopify_order(1008, None, "Gina.Gast+shop@gmail.com"), &code);
    let answer = stack.shopify(REWARDS, "orders/create", "m-8", &guest).await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");
    let guest_id = answer.body["referral"]["rewards"][1]["customer_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(guest_id.starts_with("guest-"), "{guest_id}");
    let again = with_ref_attribute(shopify_order(1009, None, "ginagast@gmail.com"), &code);
    let answer = stack.shopify(REWARDS, "orders/create", "m-9", &again).await;
    assert_eq!(
        referral(&answer.body),
        ("rejected", "already_referred"),
        "{answer:?}"
    );

    // Unknown topics and amounts beyond the ceiling are answered 200 with the reason.
    let answer = stack
        .shopify(REWARDS, "orders/updated", "m-10", &shop_code_only)
        .await;
    assert_eq!(
        (answer.status, &answer.body["ignored"]),
        (200, &json!("unhandled_topic"))
    );
    let mut huge = shopify_order(1010, Some(510), "d10@example.com");
    huge["current_total_price"] = json!("184467440737095516.15");
    let answer = stack.shopify(REWARDS, "orders/create", "m-11", &huge).await;
    assert_eq!(
        (answer.status, &answer.body["ignored"]),
        (200, &json!("unusable_total"))
    );
}

async fn totals_use_the_currency_exponent<S: Store>(store: Arc<S>) {
    // JPY has no minor unit: "999" is 999 yen, below a 1000-yen minimum.
    let jpy = [
        (2001, "999", ("rejected", "below_minimum")),
        (2002, "1200", ("rewarded", "")),
    ];
    decisions_in(store.clone(), "JPY", "1000", &jpy).await;
    // KWD has three: "19.999" is 19 999 fils, below 20 000.
    let kwd = [
        (2101, "19.999", ("rejected", "below_minimum")),
        (2102, "20.000", ("rewarded", "")),
    ];
    decisions_in(store, "KWD", "20000", &kwd).await;
}

/// Orders of `(id, total)` in `currency`, on a program in that currency with that minimum,
/// each decided as expected.
async fn decisions_in<S: Store>(
    store: Arc<S>,
    currency: &str,
    minimum: &str,
    cases: &[(u64, &str, (&str, &str))],
) {
    let stack = PlatformStack::new(
        store,
        &[("REWARD_CURRENCY", currency), ("MIN_ORDER_CENTS", minimum)],
    );
    let code = stack
        .referral_code(
            &format!("ref-{currency}"),
            &format!("{currency}@example.com"),
        )
        .await;
    for &(id, total, expected) in cases {
        let mut order = with_ref_attribute(
            shopify_order(id, Some(id), &format!("c{id}@example.com")),
            &code,
        );
        order["currency"] = json!(currency);
        order["current_total_price"] = json!(total);
        let answer = stack
            .shopify(
                REWARDS,
                "orders/create",
                &format!("{currency}-{id}"),
                &order,
            )
            .await;
        assert_eq!(
            referral(&answer.body),
            expected,
            "{total} {currency}: {answer:?}"
        );
    }
}

/// A new referrer's code on a first Shopify order `order_id` (customer 600 + the order's last
/// digits, address `f<order_id>@example.com`); the coupon of reward `side` (0 referrer, 1 friend).
async fn referred_order<S: Store>(
    stack: &PlatformStack<S>,
    order_id: u64,
    event: &str,
    side: usize,
) -> String {
    let code = stack
        .referral_code(
            &format!("ref-{order_id}"),
            &format!("r{order_id}@example.com"),
        )
        .await;
    let order = with_ref_attribute(
        shopify_order(
            order_id,
            Some(600 + order_id % 100),
            &format!("f{order_id}@example.com"),
        ),
        &code,
    );
    let answer = stack.shopify(REWARDS, "orders/create", event, &order).await;
    answer.body["referral"]["rewards"][side]["coupon"]
        .as_str()
        .unwrap_or_else(|| panic!("a rewarded order: {answer:?}"))
        .to_owned()
}

async fn partial_refunds_revoke_only_below_the_minimum<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let coupon = referred_order(&stack, 3001, "r-0", 0).await;

    // 54.80 − 10.00 = 44.80 ≥ 20.00: recorded, rewards stand.
    let mut refund = fixture_refund(3001);
    let first_refund = stack
        .shopify(REWARDS, "refunds/create", "r-1", &refund)
        .await;
    let answer = &first_refund;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        (
            answer.body["rewards_revoked"].clone(),
            answer.body["net_total_minor"].clone()
        ),
        (json!(false), json!(4480))
    );
    // The same refund reported again under another event counts once.
    let answer = stack
        .shopify(REWARDS, "refunds/create", "r-2", &refund)
        .await;
    assert_eq!(answer.body["net_total_minor"], 4480, "{answer:?}");
    assert_eq!(stack.coupon_status(&coupon).await, "available");

    // A second refund of 30.00 leaves 14.80 < 20.00: the rewards go.
    refund["id"] = json!(929361463);
    refund["transactions"][0]["amount"] = json!("30.00");
    let answer = stack
        .shopify(REWARDS, "refunds/create", "r-3", &refund)
        .await;
    assert_eq!(answer.body["rewards_revoked"], true, "{answer:?}");
    assert_eq!(stack.coupon_status(&coupon).await, "revoked");
    // Shopify redelivering the first refund's event gets the first answer, not today's tally.
    let redelivered = stack
        .shopify(REWARDS, "refunds/create", "r-1", &fixture_refund(3001))
        .await;
    assert_eq!(redelivered.text, first_refund.text);

    refund["order_id"] = json!(3999);
    let answer = stack
        .shopify(REWARDS, "refunds/create", "r-4", &refund)
        .await;
    assert_eq!(
        (answer.status, &answer.body["ignored"]),
        (200, &json!("unknown_order"))
    );
}

fn fixture_refund(order_id: u64) -> Value {
    let mut refund = fixture("shopify/refund.json");
    refund["order_id"] = json!(order_id);
    refund
}

/// The answers kept for redeliveries expire: after that a redelivery is handled again (and the
/// order and refund ids keep it harmless).
async fn delivery_answers_are_kept_until_they_expire<S: Store>(store: Arc<S>) {
    use chrono::{Duration, TimeZone, Utc};
    use domain::ports::DeliveryKey;
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("time");
    let key = DeliveryKey::new("shopify", "reward-referral", "evt-9").expect("key");
    let other = DeliveryKey::new("shopify", "collect-survey", "evt-9").expect("key");
    assert_eq!(store.answered(&key, now).await.expect("read"), None);
    store
        .remember(&key, r#"{"handled":"order"}"#, now, now + Duration::days(7))
        .await
        .expect("remember");
    let answer = store
        .answered(&key, now + Duration::days(6))
        .await
        .expect("read");
    assert_eq!(answer.as_deref(), Some(r#"{"handled":"order"}"#));
    assert_eq!(store.answered(&other, now).await.expect("read"), None);
    assert_eq!(
        store
            .answered(&key, now + Duration::days(7))
            .await
            .expect("read"),
        None
    );
    assert!(DeliveryKey::new("shopify", "reward-referral", " ").is_none());
}

async fn a_coupon_used_at_checkout_is_redeemed<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let coupon = referred_order(&stack, 4001, "c-0", 1).await;

    let mut second = shopify_order(4002, Some(601), "f4001@example.com");
    second["discount_codes"] = json!([{"code": coupon, "amount": "15.00", "type": "fixed_amount"}]);
    let answer = stack
        .shopify(REWARDS, "orders/create", "c-1", &second)
        .await;
    assert_eq!(
        answer.body["coupons"],
        json!([{"code": coupon, "status": "redeemed"}]),
        "{answer:?}"
    );
    assert_eq!(stack.coupon_status(&coupon).await, "redeemed");

    // Used again on another order: reported and logged, not a failure the platform retries.
    let mut third = shopify_order(4003, Some(601), "f4001@example.com");
    third["discount_codes"] = second["discount_codes"].clone();
    let answer = stack.shopify(REWARDS, "orders/create", "c-2", &third).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body["coupons"],
        json!([{"code": coupon, "status": "already_redeemed"}])
    );
}

async fn tampered_unsigned_and_unconfigured_deliveries_record_nothing<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store.clone(), &[]);
    let order = shopify_order(5001, Some(801), "t@example.com");
    let signed = order.to_string().into_bytes();
    let mut tampered = order.clone();
    tampered["current_total_price"] = json!("5480.00");
    let headers = |signature: Option<String>| {
        let mut headers = vec![
            ("content-type", "application/json".to_owned()),
            ("x-shopify-topic", "orders/create".to_owned()),
            ("x-shopify-event-id", "t-1".to_owned()),
        ];
        if let Some(signature) = signature {
            headers.push(("x-shopify-hmac-sha256", signature));
        }
        headers
    };
    let path = "/lambda-url/reward-referral/webhooks/shopify";
    let answer = stack
        .call(
            "POST",
            path,
            &headers(Some(sign(SHOPIFY_SECRET, &signed))),
            tampered.to_string().into_bytes(),
        )
        .await;
    assert_eq!(
        (answer.status, &answer.body["error"]["code"]),
        (401, &json!("bad_signature"))
    );
    let answer = stack
        .call("POST", path, &headers(None), signed.clone())
        .await;
    assert_eq!(answer.status, 401);
    let answer = stack
        .call(
            "POST",
            path,
            &headers(Some(sign("another-secret-0123456789", &signed))),
            signed.clone(),
        )
        .await;
    assert_eq!(answer.status, 401);
    // Nothing was recorded: the order is unknown to a refund.
    let refund = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders/5001/refund",
            None,
        )
        .await;
    assert_eq!(refund.status, 404, "{refund:?}");

    // Signed, but not Shopify's JSON for the topic.
    let garbage = b"{\"id\": \"not an order\"".to_vec();
    let answer = stack
        .call(
            "POST",
            path,
            &headers(Some(sign(SHOPIFY_SECRET, &garbage))),
            garbage,
        )
        .await;
    assert_eq!(answer.status, 400, "{answer:?}");

    // A platform whose secret is not configured has no route.
    let without = PlatformStack::new(store, &[("WOOCOMMERCE_WEBHOOK_SECRET", "")]);
    let answer = without
        .woocommerce(
            REWARDS,
            "order.created",
            "w-0",
            &fixture("woocommerce/order.json"),
        )
        .await;
    assert_eq!(answer.status, 404, "{answer:?}");
}

async fn woocommerce_orders_refunds_and_ping<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    // The unsigned ping WooCommerce sends when the webhook is saved.
    let ping = stack
        .call(
            "POST",
            "/lambda-url/reward-referral/webhooks/woocommerce",
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            b"webhook_id=4".to_vec(),
        )
        .await;
    assert_eq!((ping.status, &ping.body["ignored"]), (200, &json!("ping")));

    let code = stack.referral_code("ref-5", "wanda@example.com").await;
    let mut order = fixture("woocommerce/order.json");
    order["meta_data"]
        .as_array_mut()
        .expect("meta")
        .push(json!({"id": 13108, "key": "ref", "value": code}));
    let answer = stack
        .woocommerce(REWARDS, "order.created", "w-1", &order)
        .await;
    assert_eq!(answer.body["order_id"], "727", "{answer:?}");
    assert_eq!(referral(&answer.body), ("rewarded", ""));
    assert_eq!(answer.body["referral"]["rewards"][1]["customer_id"], "31");

    // Pending payment and on-hold orders are recorded, and decided once paid.
    let mut pending = order.clone();
    pending["id"] = json!(728);
    pending["status"] = json!("on-hold");
    pending["date_paid"] = Value::Null;
    pending["date_paid_gmt"] = Value::Null;
    let answer = stack
        .woocommerce(REWARDS, "order.created", "w-2", &pending)
        .await;
    assert_eq!(
        (
            answer.status,
            &answer.body["handled"],
            &answer.body["status"]
        ),
        (200, &json!("undecided_order"), &json!("awaiting_payment")),
        "{answer:?}"
    );

    // A partial refund listed in the updated order: 54.80 − 40.00 = 14.80 < 20.00.
    let mut updated = order.clone();
    updated["refunds"] = json!([{"id": 730, "reason": "Bohnen zu dunkel", "total": "-40.00"}]);
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "w-3", &updated)
        .await;
    assert_eq!(
        answer.body["refunds"][0]["rewards_revoked"], true,
        "{answer:?}"
    );

    // A guest (customer_id 0) whose referral code came as a coupon line, then fully refunded.
    let mut guest = fixture("woocommerce/order.json");
    guest["id"] = json!(731);
    guest["customer_id"] = json!(0);
    guest["billing"]["email"] = json!("gustav@example.com");
    guest["coupon_lines"] = json!([{"id": 40, "code": code.to_lowercase(), "discount": "5.00", "discount_tax": "0.95", "meta_data": []}]);
    let answer = stack
        .woocommerce(REWARDS, "order.created", "w-4", &guest)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");
    assert!(answer.body["referral"]["rewards"][1]["customer_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("guest-")));
    guest["status"] = json!("refunded");
    let answer = stack
        .woocommerce(REWARDS, "order.updated", "w-5", &guest)
        .await;
    assert_eq!(
        (
            answer.body["handled"].clone(),
            answer.body["rewards_revoked"].clone()
        ),
        (json!("refund"), json!(true)),
        "{answer:?}"
    );
    assert!(answer.body["rewards"]
        .as_array()
        .is_some_and(|r| r.iter().all(|r| r["status"] == "revoked")));
}

async fn fulfilled_and_completed_orders_ask_for_a_survey<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let mut shipped = shopify_order(6001, Some(901), "sven@example.com");
    shipped["fulfillment_status"] = json!("fulfilled");
    let answer = stack
        .shopify(SURVEYS, "orders/fulfilled", "s-1", &shipped)
        .await;
    assert_eq!(
        (
            answer.body["handled"].clone(),
            answer.body["status"].clone()
        ),
        (json!("survey"), json!("sent")),
        "{answer:?}"
    );
    assert!(answer.body["survey_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("srv_")));
    let again = stack
        .shopify(SURVEYS, "orders/fulfilled", "s-1", &shipped)
        .await;
    assert_eq!(again.text, answer.text);

    // The order topics belong to reward-referral: here they are understood and ignored.
    let answer = stack
        .shopify(SURVEYS, "orders/create", "s-2", &shipped)
        .await;
    assert_eq!(answer.body["ignored"], "unhandled_topic");

    let mut completed = fixture("woocommerce/order.json");
    completed["id"] = json!(6002);
    completed["status"] = json!("completed");
    let answer = stack
        .woocommerce(SURVEYS, "order.updated", "s-3", &completed)
        .await;
    assert_eq!(answer.body["status"], "sent", "{answer:?}");
    let mut processing = completed.clone();
    processing["id"] = json!(6003);
    processing["status"] = json!("processing");
    let answer = stack
        .woocommerce(SURVEYS, "order.updated", "s-4", &processing)
        .await;
    assert_eq!(answer.body["ignored"], "order_status");

    let mails = stack.mails().await;
    assert_eq!(mails.len(), 2, "one survey mail per fulfilled order");
    assert!(mails.iter().any(|m| m.contains("sven@example.com")));
    assert!(mails.iter().any(|m| m.contains("bernd.meier@example.com")));
}

contract_suite!(
    delivery_answers_are_kept_until_they_expire,
    shopify_order_rewards_both_once_and_redeliveries_change_nothing,
    shopify_mapping_rules,
    totals_use_the_currency_exponent,
    partial_refunds_revoke_only_below_the_minimum,
    a_coupon_used_at_checkout_is_redeemed,
    tampered_unsigned_and_unconfigured_deliveries_record_nothing,
    woocommerce_orders_refunds_and_ping,
    fulfilled_and_completed_orders_ask_for_a_survey,
);

/// A function URL hands Lambda a body it deems binary base64-encoded; the signature is over the
/// original bytes, so the receiver must see them decoded. The event goes through lambda_http's
/// own conversion, as on Lambda.
#[tokio::test]
async fn a_base64_encoded_function_url_body_is_verified_over_its_decoded_bytes() {
    use base64::Engine;
    use tower::ServiceExt;
    let stack = PlatformStack::new(Arc::new(http_tests::contract::embedded_store()), &[]);
    let body = shopify_order(7001, Some(1001), "b64@example.com").to_string();
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/lambda-url/reward-referral/webhooks/shopify",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            // The local stack around the function answers only loopback hosts.
            "host": "127.0.0.1:9000",
            "x-shopify-topic": "orders/create",
            "x-shopify-event-id": "b64-1",
            "x-shopify-hmac-sha256": sign(SHOPIFY_SECRET, body.as_bytes()),
        },
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefghij",
            "domainName": "abcdefghij.lambda-url.eu-central-1.on.aws",
            "domainPrefix": "abcdefghij",
            "http": {"method": "POST", "path": "/lambda-url/reward-referral/webhooks/shopify",
                     "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9", "userAgent": "Shopify-Captain-Hook"},
            "requestId": "b64-request",
            "routeKey": "$default",
            "stage": "$default",
            "time": "20/Nov/2026:10:15:42 +0000",
            "timeEpoch": 1795169742000u64
        },
        "body": base64::engine::general_purpose::STANDARD.encode(body.as_bytes()),
        "isBase64Encoded": true
    });
    let event: lambda_http::request::LambdaRequest =
        serde_json::from_value(event).expect("a function URL event");
    let request: lambda_http::Request = event.into();
    let response = stack
        .app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let answer: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(answer["handled"], "order", "{answer}");
}
