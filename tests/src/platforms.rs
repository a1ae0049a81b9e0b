//! The platforms' side of a webhook: their fixture payloads, signed as they sign them, sent to
//! the stack's routers over any store.

use std::path::PathBuf;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const SHOPIFY_SECRET: &str = "shpss_test_0123456789abcdef0123456789";
pub const WOOCOMMERCE_SECRET: &str = "wc-test-secret-0123456789abcdefghij";

/// A payload from tests/fixtures, as JSON to adjust before sending.
pub fn fixture(path: &str) -> Value {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Base64 of HMAC-SHA256 (RFC 2104), written out here over SHA-256 so the tests do not check
/// the `hmac` crate the receiver uses against itself.
pub fn sign(secret: &str, body: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut key = secret.as_bytes().to_vec();
    if key.len() > BLOCK {
        key = Sha256::digest(&key).to_vec();
    }
    key.resize(BLOCK, 0);
    let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    STANDARD.encode(outer)
}

/// An answer: status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

/// The local stack's routers over `store`, called in-process, with both platforms' secrets.
pub struct PlatformStack<S> {
    pub app: local::App,
    pub store: Arc<S>,
    data: tempfile::TempDir,
}

pub const API_KEY: &str = "platform-test-key-0123456789";
pub const STAFF_KEY: &str = "platform-staff-key-0123456789";
pub const PRIVACY_KEY: &str = "platform-privacy-key-0123456789";

/// Every port the stack's wiring needs, as one bound.
pub trait PlatformStore:
    domain::ports::ReferralStore
    + domain::ports::ReferrerProgressStore
    + domain::ports::OfferStore
    + domain::ports::OrderStore
    + domain::ports::SurveyStore
    + domain::ports::MetricsStore
    + domain::ports::OutboxStore
    + domain::ports::OutboxAdmin
    + domain::ports::DiscountLedger
    + domain::ports::DeliveryLog
    + domain::ports::PersonalDataStore
    + domain::ports::ScheduledStore
    + domain::ports::ReviewStore
    + domain::ports::ReviewListing
    + crate::aggregate::Aggregate
    + 'static
{
}

impl<S> PlatformStore for S where
    S: domain::ports::ReferralStore
        + domain::ports::ReferrerProgressStore
        + domain::ports::OfferStore
        + domain::ports::OrderStore
        + domain::ports::SurveyStore
        + domain::ports::MetricsStore
        + domain::ports::OutboxStore
        + domain::ports::OutboxAdmin
        + domain::ports::DiscountLedger
        + domain::ports::DeliveryLog
        + domain::ports::PersonalDataStore
        + domain::ports::ScheduledStore
        + domain::ports::ReviewStore
        + domain::ports::ReviewListing
        + crate::aggregate::Aggregate
        + 'static
{
}

impl<S: PlatformStore> PlatformStack<S> {
    /// `extra` overrides the defaults (no reward hold, so coupons are usable at once).
    pub fn new(store: Arc<S>, extra: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("data folder");
        let mut vars: Vec<(String, String)> = [
            ("PORT", "0"),
            ("API_KEYS", API_KEY),
            ("STAFF_API_KEYS", STAFF_KEY),
            ("PRIVACY_API_KEYS", PRIVACY_KEY),
            ("SHOP_URL", "https://shop.example"),
            ("SHOP_NAME", "Test Shop"),
            ("SHOPIFY_WEBHOOK_SECRET", SHOPIFY_SECRET),
            ("WOOCOMMERCE_WEBHOOK_SECRET", WOOCOMMERCE_SECRET),
            ("REWARD_HOLD_DAYS", "0"),
            ("MIN_ORDER_CENTS", "2000"),
            // The suites that predate the friend's first-order offer test the coupons both
            // sides get after the order; friend_offer.rs sets the offer on.
            ("FRIEND_REWARD", "next_order"),
            // Likewise the suites that predate survey reminders count a survey's messages
            // without one; retention_flows.rs turns them on.
            ("SURVEY_REMINDER_DAYS", "0"),
            // And the suites that predate the review rules reward many orders of one referrer
            // in a week; review_queue.rs sets the rules on.
            ("REVIEW_MAX_ORDERS_PER_IP", "0"),
            ("REVIEW_MAX_REWARDS_PER_WEEK", "0"),
            ("REVIEW_SHIPPING_ADDRESS", "0"),
            ("REVIEW_SAME_NAME", "0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (name, value) in extra {
            vars.retain(|(k, _)| k != name);
            vars.push(((*name).to_owned(), (*value).to_owned()));
        }
        vars.push(("DATA_DIR".into(), data.path().display().to_string()));
        let options = local::Options::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .expect("options");
        let address = "127.0.0.1:9000".parse().expect("address");
        let app = local::build_app_over(&options, address, store.clone()).expect("app");
        Self { app, store, data }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Answer {
        use tower::ServiceExt;
        let mut request = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1:9000");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request.body(axum::body::Body::from(body)).expect("request");
        let response = self
            .app
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        let text = String::from_utf8(bytes.to_vec()).expect("UTF-8 answer");
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// Applies every tally so far, as deliver-outbox would a moment after the requests: the
    /// figures read next count every request.
    pub async fn counted(&self) {
        self.store.aggregate().await;
    }

    /// A storefront call with the storefront key.
    pub async fn storefront(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.with_key(API_KEY, method, path, body).await
    }

    /// A staff read (figures, answers, the outbox) with the staff key.
    pub async fn staff(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.with_key(STAFF_KEY, method, path, body).await
    }

    /// A data request with the privacy key.
    pub async fn privacy(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.with_key(PRIVACY_KEY, method, path, body).await
    }

    /// A call presenting `key` as its bearer key.
    pub async fn with_key(
        &self,
        key: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let headers = [
            ("authorization", format!("Bearer {key}")),
            ("content-type", "application/json".to_owned()),
        ];
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.call(method, path, &headers, body).await
    }

    /// A coupon's status as `GET /coupons/{code}` reports it.
    pub async fn coupon_status(&self, coupon: &str) -> String {
        let answer = self
            .storefront(
                "GET",
                &format!("/lambda-url/reward-referral/coupons/{coupon}"),
                None,
            )
            .await;
        answer.body["status"]
            .as_str()
            .unwrap_or_else(|| panic!("a coupon: {answer:?}"))
            .to_owned()
    }

    /// A referral code for a new referrer.
    pub async fn referral_code(&self, customer_id: &str, email: &str) -> String {
        let answer = self
            .storefront(
                "POST",
                "/lambda-url/create-referral/referrals",
                Some(serde_json::json!({"customer_id": customer_id, "email": email})),
            )
            .await;
        answer.body["code"]
            .as_str()
            .unwrap_or_else(|| panic!("a code: {answer:?}"))
            .to_owned()
    }

    /// A new referrer's code (`ref-<id>`) and their friend's paid Shopify order `order_id`
    /// carrying it (customer `order_id + 1`, `f<id>@example.com`).
    pub async fn referred_shopify_order(&self, order_id: u64) -> Value {
        let code = self
            .referral_code(
                &format!("ref-{order_id}"),
                &format!("r{order_id}@example.com"),
            )
            .await;
        with_ref_attribute(
            shopify_order(
                order_id,
                Some(order_id + 1),
                &format!("f{order_id}@example.com"),
            ),
            &code,
        )
    }

    /// Shopify's delivery of `body` on `topic` to `function`, signed, with its event id.
    pub async fn shopify(
        &self,
        function: &str,
        topic: &str,
        event_id: &str,
        body: &Value,
    ) -> Answer {
        let bytes = body.to_string().into_bytes();
        let headers = [
            ("content-type", "application/json".to_owned()),
            ("x-shopify-topic", topic.to_owned()),
            ("x-shopify-hmac-sha256", sign(SHOPIFY_SECRET, &bytes)),
            (
                "x-shopify-shop-domain",
                "demo-shop.myshopify.com".to_owned(),
            ),
            ("x-shopify-api-version", "2025-10".to_owned()),
            ("x-shopify-webhook-id", format!("wh-{event_id}")),
            ("x-shopify-event-id", event_id.to_owned()),
        ];
        self.call(
            "POST",
            &format!("/lambda-url/{function}/webhooks/shopify"),
            &headers,
            bytes,
        )
        .await
    }

    /// WooCommerce's delivery of `body` on `topic` to `function`, signed, with its delivery id.
    pub async fn woocommerce(
        &self,
        function: &str,
        topic: &str,
        delivery_id: &str,
        body: &Value,
    ) -> Answer {
        let bytes = body.to_string().into_bytes();
        let (resource, event) = topic.split_once('.').expect("resource.event");
        let headers = [
            ("content-type", "application/json".to_owned()),
            (
                "x-wc-webhook-source",
                "https://demo-shop.example/".to_owned(),
            ),
            ("x-wc-webhook-topic", topic.to_owned()),
            ("x-wc-webhook-resource", resource.to_owned()),
            ("x-wc-webhook-event", event.to_owned()),
            ("x-wc-webhook-signature", sign(WOOCOMMERCE_SECRET, &bytes)),
            ("x-wc-webhook-id", "4".to_owned()),
            ("x-wc-webhook-delivery-id", delivery_id.to_owned()),
        ];
        self.call(
            "POST",
            &format!("/lambda-url/{function}/webhooks/woocommerce"),
            &headers,
            bytes,
        )
        .await
    }

    /// Delivers what the outbox holds (sweep after sweep, as the schedule drains a backlog) and
    /// returns every mail written so far.
    pub async fn mails(&self) -> Vec<String> {
        while self.app.deliverer.sweep().await.expect("sweep").picked
            >= domain::services::SWEEP_LIMIT
        {}
        crate::mails::in_folder(&self.data.path().join(local::OUTBOX_FOLDER))
    }
}

/// Shopify's order fixture as another order: its id, customer and email changed, no referral.
pub fn shopify_order(order_id: u64, customer_id: Option<u64>, email: &str) -> Value {
    let mut order = fixture("shopify/order.json");
    order["id"] = json!(order_id);
    order["email"] = json!(email);
    order["contact_email"] = json!(email);
    order["landing_site"] = json!("/collections/all");
    match customer_id {
        Some(id) => {
            order["customer"]["id"] = json!(id);
            order["customer"]["email"] = json!(email);
        }
        None => order["customer"] = Value::Null,
    }
    order
}

/// The order with the referral code in the cart attribute the theme snippet sets.
pub fn with_ref_attribute(mut order: Value, code: &str) -> Value {
    order["note_attributes"] =
        json!([{"name": "gift_wrap", "value": "no"}, {"name": "ref", "value": code}]);
    order
}

/// An order answer's referral decision: `(status, reason)`, `("none", "")` without one.
pub fn referral(answer: &Value) -> (&str, &str) {
    (
        answer["referral"]["status"].as_str().unwrap_or("none"),
        answer["referral"]["reason"].as_str().unwrap_or(""),
    )
}
