//! reward-referral over HTTP against the real local stack (embedded store, outbox mailer).

use futures::future::join_all;
use http_tests::stack::{TestStack, API_KEY, STAFF_KEY};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

const REWARDS: &str = "reward-referral";
const REFERRALS: &str = "create-referral";

async fn post(stack: &TestStack, function: &str, path: &str, body: &Value) -> Response {
    stack
        .client
        .post(stack.url(function, path))
        .bearer_auth(API_KEY)
        .json(body)
        .send()
        .await
        .expect("request sent")
}

async fn get(stack: &TestStack, function: &str, path: &str) -> Response {
    stack
        .client
        .get(stack.url(function, path))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("request sent")
}

/// The outbox's routes are the staff's.
async fn staff_get(stack: &TestStack, path: &str) -> Response {
    stack
        .client
        .get(stack.url(REWARDS, path))
        .bearer_auth(STAFF_KEY)
        .send()
        .await
        .expect("request sent")
}

async fn staff_post(stack: &TestStack, path: &str) -> Response {
    stack
        .client
        .post(stack.url(REWARDS, path))
        .bearer_auth(STAFF_KEY)
        .json(&json!({}))
        .send()
        .await
        .expect("request sent")
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("JSON body")
}

/// A referrer with a German profile; returns their code.
async fn referrer(stack: &TestStack) -> String {
    let body =
        json!({"customer_id": "max", "email": "max@example.com", "name": "Max", "locale": "de"});
    let created = json_of(post(stack, REFERRALS, "/referrals", &body).await).await;
    created["code"].as_str().expect("code").to_owned()
}

fn friend_order(order_id: &str, code: &str) -> Value {
    json!({
        "order_id": order_id, "customer_id": "anna", "email": "anna@example.com", "name": "Anna",
        "locale": "en", "total_cents": 5990, "currency": "EUR", "referral_code": code,
        "placed_at": "2026-11-01T10:00:00Z"
    })
}

#[tokio::test]
async fn referred_first_order_is_rewarded_and_both_sides_are_mailed_in_their_language() {
    let stack = TestStack::start().await;
    let code = referrer(&stack).await;

    let response = post(
        &stack,
        REWARDS,
        "/orders",
        &friend_order("o-1", &code.to_lowercase()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer = json_of(response).await;
    assert_eq!(answer["referral"]["status"], "rewarded");
    assert_eq!(
        answer["referral"]["code"], code,
        "the canonical upper-case code"
    );
    let rewards = answer["referral"]["rewards"].as_array().expect("rewards");
    assert_eq!(rewards[0]["beneficiary"], "referrer");
    assert_eq!(rewards[1]["beneficiary"], "friend");
    assert_eq!(rewards[0]["available_from"], "2026-11-15T10:00:00.000Z");
    for reward in rewards {
        assert!(reward["coupon"].as_str().is_some_and(|c| c.len() >= 10));
    }

    let mails = stack.mails().await;
    assert_eq!(mails.len(), 2);
    let to_referrer = mails
        .iter()
        .find(|m| m.contains("To: max@example.com"))
        .expect("referrer mail");
    assert!(to_referrer.contains("Hallo Max,"));
    assert!(to_referrer.contains(rewards[0]["coupon"].as_str().expect("coupon")));
    assert!(to_referrer.contains("einlösbar ab 15.11.2026"));
    assert!(to_referrer.contains("text/html"));
    let to_friend = mails
        .iter()
        .find(|m| m.contains("To: anna@example.com"))
        .expect("friend mail");
    assert!(to_friend.contains("Hello Anna,"));
    assert!(to_friend.contains("usable from 15 November 2026"));

    let stats = json_of(get(&stack, REFERRALS, "/referrals/max").await).await;
    assert_eq!(stats["conversions"], 1);
}

#[tokio::test]
async fn replay_is_byte_identical_and_a_changed_body_is_409() {
    let stack = TestStack::start().await;
    let code = referrer(&stack).await;
    let first = post(&stack, REWARDS, "/orders", &friend_order("o-1", &code))
        .await
        .text()
        .await
        .expect("body");
    let again = post(&stack, REWARDS, "/orders", &friend_order("o-1", &code))
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(first, again);
    assert_eq!(stack.mails().await.len(), 2);

    let mut changed = friend_order("o-1", &code);
    changed["total_cents"] = json!(6990);
    let response = post(&stack, REWARDS, "/orders", &changed).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        json_of(response).await["error"]["code"],
        "idempotency_conflict"
    );
}

#[tokio::test]
async fn hundred_identical_posts_at_once_reward_one_pair() {
    let stack = TestStack::start().await;
    let code = referrer(&stack).await;
    let body = friend_order("o-1", &code);
    let responses = join_all((0..100).map(|_| post(&stack, REWARDS, "/orders", &body))).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), StatusCode::OK);
        bodies.push(response.text().await.expect("body"));
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]));
    assert_eq!(
        json_of(get(&stack, REFERRALS, "/referrals/max").await).await["conversions"],
        1
    );
    assert_eq!(stack.mails().await.len(), 2);
}

#[tokio::test]
async fn orders_without_or_with_blank_code_are_recorded_without_referral() {
    let stack = TestStack::start().await;
    for (id, extra) in [("o-1", json!(null)), ("o-2", json!(""))] {
        let mut body = json!({"order_id": id, "customer_id": "c", "email": "c@example.com", "total_cents": 0, "currency": "eur"});
        body["referral_code"] = extra;
        let response = post(&stack, REWARDS, "/orders", &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            json_of(response).await,
            json!({"order_id": id, "referral": null})
        );
    }
}

#[tokio::test]
async fn unknown_or_garbage_codes_are_rejected_not_refused() {
    let stack = TestStack::start().await;
    for (id, code) in [("o-1", "ZZZZ9999"), ("o-2", "<script>")] {
        let mut body = friend_order(id, code);
        body["customer_id"] = json!(id);
        let answer = json_of(post(&stack, REWARDS, "/orders", &body).await).await;
        assert_eq!(answer["referral"]["status"], "rejected");
        assert_eq!(answer["referral"]["reason"], "unknown_code");
        assert_eq!(answer["referral"]["rewards"], json!([]));
    }
}

#[tokio::test]
async fn totals_up_to_the_ceiling_are_summed_without_wrapping() {
    let stack = TestStack::start().await;
    for id in ["big-1", "big-2"] {
        let body = json!({"order_id": id, "customer_id": "whale", "email": "whale@example.com",
                          "total_cents": 10_000_000_000_000u64, "currency": "EUR"});
        let response = post(&stack, REWARDS, "/orders", &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{id}");
    }
    let store = store_sqlite::EmbeddedStore::open(&stack.data_dir().join(local::DATABASE_FILE))
        .expect("the stack's store");
    let order = domain::model::Order {
        order_id: domain::model::OrderId::parse("probe").expect("id"),
        customer_id: domain::model::CustomerId::parse("whale").expect("id"),
        email: domain::model::Email::parse("whale@example.com").expect("email"),
        name: None,
        locale: None,
        total_cents: domain::model::MinorUnits::ZERO,
        currency: domain::model::Currency::parse("EUR").expect("currency"),
        referral_code: None,
        placed_at: chrono::Utc::now(),
        placed_at_given: true,
        signals: Default::default(),
    };
    let person = http_tests::fingerprint_key().person(&order.email);
    let context =
        domain::ports::OrderStore::order_context(&store, &order, &person, &Default::default())
            .await
            .expect("context");
    assert_eq!(
        context.friend.history.totals.get("EUR"),
        Some(&20_000_000_000_000)
    );
}

#[tokio::test]
async fn bad_order_fields_are_400_naming_the_field() {
    let stack = TestStack::start().await;
    let valid = json!({"order_id": "o-1", "customer_id": "c", "email": "c@example.com", "total_cents": 100, "currency": "EUR"});
    let cases = [
        ("order_id", json!(null)),
        ("order_id", json!("has space")),
        ("customer_id", json!("")),
        ("email", json!("nope")),
        ("total_cents", json!(-1)),
        ("total_cents", json!(10.5)),
        ("total_cents", json!("100")),
        ("total_cents", json!(null)),
        // Beyond the ceiling of 10^13 minor units; u64::MAX once wrapped a customer's total.
        ("total_cents", json!(10_000_000_000_001u64)),
        ("total_cents", json!(u64::MAX)),
        ("currency", json!("EURO")),
        ("currency", json!(null)),
        ("placed_at", json!("yesterday")),
        ("referral_code", json!("X".repeat(65))),
        ("referral_code", json!(12345678)),
        ("locale", json!("nl")),
    ];
    for (field, value) in cases {
        let mut body = valid.clone();
        body[field] = value.clone();
        let response = post(&stack, REWARDS, "/orders", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{field} = {value}"
        );
        let error = json_of(response).await["error"].clone();
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some("invalid_field"), Some(field)),
            "{value}"
        );
    }
    let response = stack
        .client
        .post(stack.url(REWARDS, "/orders"))
        .bearer_auth(API_KEY)
        .body("{\"order_id\": ")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(response).await["error"]["code"], "invalid_json");
}

#[tokio::test]
async fn coupon_lifecycle_over_http() {
    let stack = TestStack::start_with(&[("REWARD_HOLD_DAYS", "0")]).await;
    let code = referrer(&stack).await;
    let answer = json_of(post(&stack, REWARDS, "/orders", &friend_order("o-1", &code)).await).await;
    let referrer_coupon = answer["referral"]["rewards"][0]["coupon"]
        .as_str()
        .expect("coupon")
        .to_owned();
    let friend_coupon = answer["referral"]["rewards"][1]["coupon"]
        .as_str()
        .expect("coupon")
        .to_owned();

    let coupon = json_of(
        get(
            &stack,
            REWARDS,
            &format!("/coupons/{}", referrer_coupon.to_lowercase()),
        )
        .await,
    )
    .await;
    assert_eq!(
        coupon,
        json!({"code": referrer_coupon, "customer_id": "max", "amount_cents": 1000, "currency": "EUR",
               "status": "available", "available_from": "2026-11-01T10:00:00.000Z",
               "valid_until": "2027-11-01T10:00:00.000Z"})
    );

    let redeem = |order: &str| json!({"order_id": order});
    let path = format!("/coupons/{referrer_coupon}/redeem");
    let first = post(&stack, REWARDS, &path, &redeem("checkout-1")).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first = json_of(first).await;
    assert_eq!(
        first,
        json!({"code": referrer_coupon, "status": "redeemed", "order_id": "checkout-1"})
    );
    let retry = post(&stack, REWARDS, &path, &redeem("checkout-1")).await;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(json_of(retry).await, first);
    let other = post(&stack, REWARDS, &path, &redeem("checkout-2")).await;
    assert_eq!(other.status(), StatusCode::CONFLICT);
    assert_eq!(json_of(other).await["error"]["code"], "already_redeemed");

    let refund = post(&stack, REWARDS, "/orders/o-1/refund", &json!({})).await;
    assert_eq!(refund.status(), StatusCode::OK);
    let refund = json_of(refund).await;
    assert_eq!(refund["order_id"], "o-1");
    let statuses: Vec<&str> = refund["rewards"]
        .as_array()
        .expect("rewards")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["redeemed", "revoked"]);
    let again = json_of(post(&stack, REWARDS, "/orders/o-1/refund", &json!({})).await).await;
    assert_eq!(again, refund, "refund is idempotent");

    let revoked = post(
        &stack,
        REWARDS,
        &format!("/coupons/{friend_coupon}/redeem"),
        &redeem("checkout-3"),
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::GONE);
    assert_eq!(json_of(revoked).await["error"]["code"], "revoked");
    assert_eq!(
        json_of(get(&stack, REWARDS, &format!("/coupons/{friend_coupon}")).await).await["status"],
        "revoked"
    );
}

#[tokio::test]
async fn pending_coupons_cannot_be_redeemed_yet() {
    let stack = TestStack::start().await;
    let code = referrer(&stack).await;
    let mut order = friend_order("o-1", &code);
    order["placed_at"] = json!(null);
    let answer = json_of(post(&stack, REWARDS, "/orders", &order).await).await;
    let coupon = answer["referral"]["rewards"][1]["coupon"]
        .as_str()
        .expect("coupon")
        .to_owned();
    assert_eq!(answer["referral"]["rewards"][1]["status"], "pending");
    let response = post(
        &stack,
        REWARDS,
        &format!("/coupons/{coupon}/redeem"),
        &json!({"order_id": "next"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(json_of(response).await["error"]["code"], "reward_pending");
}

#[tokio::test]
async fn unknown_things_are_404_and_storefront_key_is_required() {
    let stack = TestStack::start().await;
    for path in ["/coupons/ZZZZZZZZZZZZ", "/coupons/short"] {
        let response = get(&stack, REWARDS, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(json_of(response).await["error"]["code"], "not_found");
    }
    let response = post(
        &stack,
        REWARDS,
        "/coupons/ZZZZZZZZZZZZ/redeem",
        &json!({"order_id": "x"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = post(&stack, REWARDS, "/orders/never-seen/refund", &json!({})).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let anonymous = stack
        .client
        .post(stack.url(REWARDS, "/orders"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let anonymous = stack
        .client
        .get(stack.url(REWARDS, "/coupons/ZZZZZZZZZZZZ"))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong_method = stack
        .client
        .get(stack.url(REWARDS, "/orders"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_outbox_listing_checks_its_key_and_every_parameter() {
    let stack = TestStack::start().await;
    let unauthenticated = stack
        .client
        .get(stack.url(REWARDS, "/outbox/messages"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

    let with_storefront_key = get(&stack, REWARDS, "/outbox/messages?status=pending").await;
    assert_eq!(with_storefront_key.status(), StatusCode::UNAUTHORIZED);

    let empty = staff_get(&stack, "/outbox/messages?status=pending").await;
    assert_eq!(empty.status(), StatusCode::OK);
    assert_eq!(json_of(empty).await, json!({"messages": []}));

    for (query, field) in [
        ("status=delivered", "status"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
    ] {
        let refused = staff_get(&stack, &format!("/outbox/messages?{query}")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        let body = json_of(refused).await;
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }

    for id in ["msg_0123456789abcdef0123456789abcdef", "not-an-id"] {
        let path = format!("/outbox/messages/{id}/requeue");
        let missing = staff_post(&stack, &path).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn delivered_messages_are_not_listed_and_cannot_be_requeued() {
    let stack = TestStack::start().await;
    let code = referrer(&stack).await;
    post(&stack, REWARDS, "/orders", &friend_order("o-1", &code)).await;
    assert_eq!(stack.mails().await.len(), 2);
    for status in ["pending", "failed"] {
        let listed =
            json_of(staff_get(&stack, &format!("/outbox/messages?status={status}")).await).await;
        assert_eq!(listed["messages"], json!([]), "{status}");
    }
    let delivered = domain::model::MessageId::derive(&["reward-mail", "o-1", "friend"]);
    let path = format!("/outbox/messages/{delivered}/requeue");
    let refused = staff_post(&stack, &path).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(json_of(refused).await["error"]["code"], "not_failed");
}
