//! customer-data over HTTP on both stores: export and erasure by customer id and by address,
//! their errors, the key, and Shopify's signed privacy webhooks (a guest's checkout erased by
//! the address Shopify names).

use std::sync::Arc;

use http_tests::contract_suite;
use http_tests::platforms::{fixture, PlatformStack, PlatformStore as Store};
use serde_json::{json, Value};

const DATA: &str = "/lambda-url/customer-data";

fn order(order_id: &str, customer: &str, email: &str, code: &str) -> Value {
    json!({
        "order_id": order_id,
        "customer_id": customer,
        "email": email,
        "name": "Greta",
        "total_cents": 5000,
        "currency": "EUR",
        "referral_code": code,
    })
}

async fn export_and_erase_by_id_and_address<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let code = stack.referral_code("rita", "rita@example.com").await;
    let recorded = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders",
            Some(order("o-1", "greta", "Greta.Gans+shop@gmail.com", &code)),
        )
        .await;
    assert_eq!(recorded.status, 200, "{recorded:?}");

    let by_id = stack
        .privacy("GET", &format!("{DATA}/customers/greta/export"), None)
        .await;
    assert_eq!(by_id.status, 200, "{by_id:?}");
    assert_eq!(
        by_id.body["profiles"][0]["email"],
        "Greta.Gans+shop@gmail.com"
    );
    assert_eq!(by_id.body["profiles"][0]["name"], "Greta");
    assert_eq!(by_id.body["profiles"][0]["order_count"], 1);
    assert_eq!(by_id.body["orders"][0]["order_id"], "o-1");
    assert_eq!(by_id.body["orders"][0]["total_minor"], 5000);
    assert_eq!(by_id.body["coupons"][0]["beneficiary"], "friend");
    assert!(by_id.body["exported_at"].is_string());
    assert!(
        by_id.body["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["kind"] == "reward_mail")),
        "the reward mail is listed: {}",
        by_id.body["messages"]
    );
    // Another spelling of the same address finds the same person.
    let by_address = stack
        .privacy(
            "POST",
            &format!("{DATA}/customers/export"),
            Some(json!({"email": "gretagans@googlemail.com"})),
        )
        .await;
    assert_eq!(by_address.status, 200, "{by_address:?}");
    assert_eq!(by_address.body["profiles"], by_id.body["profiles"]);

    let erased = stack
        .privacy(
            "POST",
            &format!("{DATA}/customers/erase"),
            Some(json!({"email": "Greta.Gans@gmail.com"})),
        )
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");
    assert_eq!(erased.body["erased"]["profiles"], 1);
    // Nothing delivers in this in-process stack: her reward mail was still pending.
    assert_eq!(erased.body["erased"]["messages_cancelled"], 1, "{erased:?}");
    let after = stack
        .privacy("GET", &format!("{DATA}/customers/greta/export"), None)
        .await;
    assert_eq!(after.body["profiles"][0]["email"], Value::Null);
    assert_eq!(after.body["profiles"][0]["name"], Value::Null);
    assert!(after.body["profiles"][0]["erased_at"].is_string());
    assert_eq!(
        after.body["coupons"], by_id.body["coupons"],
        "money owed is kept"
    );

    // The referrer's turn, by id: their code goes with their address.
    let rita = stack
        .privacy("DELETE", &format!("{DATA}/customers/rita"), None)
        .await;
    assert_eq!(rita.status, 200, "{rita:?}");
    assert_eq!(rita.body["erased"]["referral_codes"], 1);
    let again = stack
        .privacy("DELETE", &format!("{DATA}/customers/rita"), None)
        .await;
    assert_eq!(
        again.body,
        json!({"erased": {"profiles": 0, "referral_codes": 0, "claims": 0, "surveys": 0, "messages_cancelled": 0, "messages_cleared": 0}})
    );
    let unknown_code = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders",
            Some(order("o-2", "hugo", "hugo@example.com", &code)),
        )
        .await;
    assert_eq!(unknown_code.body["referral"]["reason"], "unknown_code");
}

async fn requests_are_checked<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    let unknown = stack
        .privacy("GET", &format!("{DATA}/customers/nobody/export"), None)
        .await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert_eq!(unknown.body["error"]["code"], "not_found");
    let stranger = stack
        .privacy(
            "POST",
            &format!("{DATA}/customers/export"),
            Some(json!({"email": "nobody@example.com"})),
        )
        .await;
    assert_eq!(stranger.status, 404);
    let malformed = stack
        .privacy(
            "POST",
            &format!("{DATA}/customers/erase"),
            Some(json!({"email": "not an address"})),
        )
        .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["error"]["field"], "email");
    let long_id = "x".repeat(129);
    let too_long = stack
        .privacy("DELETE", &format!("{DATA}/customers/{long_id}"), None)
        .await;
    assert_eq!(too_long.status, 400);
    assert_eq!(too_long.body["error"]["field"], "customer_id");
    let keyless = stack
        .call(
            "GET",
            &format!("{DATA}/customers/greta/export"),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(keyless.status, 401);
    let wrong_method = stack
        .privacy("PUT", &format!("{DATA}/customers/greta"), None)
        .await;
    assert_eq!(wrong_method.status, 405);
}

async fn shopify_privacy_webhooks<S: Store>(store: Arc<S>) {
    let stack = PlatformStack::new(store, &[]);
    // A guest checkout: Shopify names no customer id on the order, so the guest's id is the
    // keyed fingerprint's; the redaction names the address, which finds it.
    let mut guest_order = fixture("shopify/order.json");
    guest_order["id"] = json!(5987654321098765999_u64);
    guest_order["email"] = json!("ida.guest@example.com");
    guest_order["contact_email"] = json!("ida.guest@example.com");
    guest_order["customer"] = Value::Null;
    let recorded = stack
        .shopify(
            "reward-referral",
            "orders/create",
            "evt-guest",
            &guest_order,
        )
        .await;
    assert_eq!(recorded.status, 200, "{recorded:?}");
    let exported = stack
        .privacy(
            "POST",
            &format!("{DATA}/customers/export"),
            Some(json!({"email": "ida.guest@example.com"})),
        )
        .await;
    assert_eq!(exported.status, 200, "{exported:?}");
    let guest_id = exported.body["profiles"][0]["customer_id"]
        .as_str()
        .expect("a guest id")
        .to_owned();
    assert!(guest_id.starts_with("guest-"));

    let redact = json!({
        "shop_id": 954889,
        "shop_domain": "demo-shop.myshopify.com",
        "customer": {"id": 191167, "email": "ida.guest@example.com", "phone": null},
        "orders_to_redact": [5987654321098765999_u64],
    });
    let erased = stack
        .shopify("customer-data", "customers/redact", "evt-redact", &redact)
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");
    assert_eq!(erased.body["handled"], "customers/redact");
    assert_eq!(erased.body["erased"]["profiles"], 1);
    let redelivered = stack
        .shopify("customer-data", "customers/redact", "evt-redact", &redact)
        .await;
    assert_eq!(
        redelivered.text, erased.text,
        "a redelivery gets the first answer"
    );
    let after = stack
        .privacy("GET", &format!("{DATA}/customers/{guest_id}/export"), None)
        .await;
    assert_eq!(after.body["profiles"][0]["email"], Value::Null);

    for (topic, handled, body) in [
        (
            "customers/data_request",
            "customers/data_request",
            json!({"shop_id": 954889, "shop_domain": "demo-shop.myshopify.com", "orders_requested": [], "customer": {"id": 191167, "email": "ida.guest@example.com"}, "data_request": {"id": 9999}}),
        ),
        (
            "shop/redact",
            "shop/redact",
            json!({"shop_id": 954889, "shop_domain": "demo-shop.myshopify.com"}),
        ),
    ] {
        let answer = stack
            .shopify("customer-data", topic, &format!("evt-{topic}"), &body)
            .await;
        assert_eq!(
            (answer.status, answer.body["handled"].as_str()),
            (200, Some(handled)),
            "{answer:?}"
        );
    }
    let unsigned = stack
        .call(
            "POST",
            &format!("{DATA}/webhooks/shopify"),
            &[
                ("content-type", "application/json".to_owned()),
                ("x-shopify-topic", "customers/redact".to_owned()),
                ("x-shopify-hmac-sha256", "AAAA".to_owned()),
            ],
            redact.to_string().into_bytes(),
        )
        .await;
    assert_eq!(unsigned.status, 401);
}

contract_suite!(
    export_and_erase_by_id_and_address,
    requests_are_checked,
    shopify_privacy_webhooks,
);
