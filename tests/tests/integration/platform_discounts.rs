//! Every coupon becomes a discount code the shop's checkout honours, on both stores: against a
//! fake Shopify Admin API that validates each request against Shopify's published 2026-10
//! schema, and a fake WooCommerce coupons endpoint (tests/fakes). Exactly one discount per coupon
//! under replays, races and duplicate deliveries; the hold, expiry and refunds map onto the
//! platform; outages and throttling delay a discount but never lose or double it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::model::{CombinesWith, Email, MessageId, RetrySchedule};
use domain::ports::{MessageStatus, PlatformDiscounts};
use domain::services::{Deliverer, DiscountDelivery};
use http_tests::clock::SettableClock;
use http_tests::contract_suite;
use http_tests::fakes::{
    ShopifyFake, WooCommerceFake, SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET, WOOCOMMERCE_KEY,
    WOOCOMMERCE_SECRET,
};
use http_tests::platforms::{
    fixture, referral, shopify_order, with_ref_attribute, PlatformStack, PlatformStore as Store,
};
use platform_discounts::{ShopifyAdmin, ShopifyCredentials, WooCommerceAdmin};
use serde_json::{json, Value};

const REWARDS: &str = "reward-referral";

fn settings(
    platform: &[(&'static str, String)],
    extra: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    platform
        .iter()
        .cloned()
        .chain(extra.iter().map(|(k, v)| (*k, (*v).to_owned())))
        .collect()
}

fn stack<S: Store>(store: Arc<S>, vars: &[(&'static str, String)]) -> PlatformStack<S> {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    PlatformStack::new(store, &vars)
}

/// Delivers until nothing is due (what the stream and the schedule do).
async fn deliver<S: Store>(stack: &PlatformStack<S>) {
    for _ in 0..20 {
        let report = stack.app.deliverer.sweep().await.expect("sweep");
        if report.picked == 0 {
            return;
        }
    }
    panic!("the outbox kept having due messages");
}

/// A deliverer over the stack's store whose clock the test moves: for holds and retries.
fn timed_deliverer<S: Store>(
    stack: &PlatformStack<S>,
    platform: Arc<dyn PlatformDiscounts>,
    clock: Arc<SettableClock>,
) -> Deliverer {
    let folder = std::env::temp_dir().join(format!("discount-mails-{}", uuid::Uuid::new_v4()));
    let mailer = local::MailFolder::new(
        &folder,
        Email::parse("shop@example.com").expect("email"),
        "Test Shop",
    );
    Deliverer::new(
        stack.store.clone(),
        Arc::new(mailer),
        None,
        clock,
        RetrySchedule::default(),
    )
    .with_discounts(DiscountDelivery {
        platform,
        ledger: stack.store.clone(),
    })
    // One message at a time: the races staged here (a refund while the first create runs) are
    // about one create in flight; several at once is `delivery_pace.rs`.
    .with_concurrency("1".parse().expect("concurrency"))
}

async fn sweep_at(deliverer: &Deliverer, clock: &SettableClock, at: DateTime<Utc>) {
    clock.set(at);
    for _ in 0..20 {
        if deliverer.sweep().await.expect("sweep").picked == 0 {
            return;
        }
    }
    panic!("the outbox kept having due messages");
}

fn shopify_admin(fake: &ShopifyFake) -> Arc<dyn PlatformDiscounts> {
    Arc::new(
        ShopifyAdmin::new(
            &shop_platforms::ShopifyShop::parse(&fake.0.url).expect("loopback shop"),
            ShopifyCredentials::ClientCredentials {
                client_id: SHOPIFY_CLIENT_ID.into(),
                secret: SHOPIFY_CLIENT_SECRET.into(),
            },
            CombinesWith::default(),
        )
        .expect("client"),
    )
}

fn woocommerce_admin(fake: &WooCommerceFake) -> Arc<dyn PlatformDiscounts> {
    Arc::new(
        WooCommerceAdmin::new(
            &domain::model::WebhookUrl::parse(&fake.0.url).expect("loopback site"),
            WOOCOMMERCE_KEY.into(),
            WOOCOMMERCE_SECRET.into(),
            CombinesWith::default(),
        )
        .expect("client"),
    )
}

/// A referrer's code and a friend's paid Shopify order carrying it, decided through the webhook.
async fn rewarded_shopify_order<S: Store>(stack: &PlatformStack<S>, order_id: u64) -> Value {
    let code = stack
        .referral_code(
            &format!("ref-{order_id}"),
            &format!("r{order_id}@example.com"),
        )
        .await;
    let mut order = with_ref_attribute(
        shopify_order(
            order_id,
            Some(order_id + 1),
            &format!("f{order_id}@example.com"),
        ),
        &code,
    );
    // Placed now, so its hold lies ahead.
    let now = Utc::now().to_rfc3339();
    order["created_at"] = json!(now);
    order["processed_at"] = json!(now);
    let answer = stack
        .shopify(REWARDS, "orders/create", &format!("e-{order_id}"), &order)
        .await;
    assert_eq!(referral(&answer.body), ("rewarded", ""), "{answer:?}");
    answer.body
}

/// The same through `POST /orders`, as a storefront reports it.
async fn rewarded_order<S: Store>(stack: &PlatformStack<S>, n: u64) -> Value {
    let code = stack
        .referral_code(&format!("ref-{n}"), &format!("r{n}@example.com"))
        .await;
    let answer = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders",
            Some(order_body(n, &code)),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body
}

fn order_body(n: u64, code: &str) -> Value {
    json!({
        "order_id": format!("o-{n}"),
        "customer_id": format!("{}", 70_000 + n),
        "email": format!("f{n}@example.com"),
        "total_cents": 5000,
        "currency": "EUR",
        "referral_code": code,
    })
}

fn coupons(answer: &Value) -> Vec<(String, Value)> {
    answer["referral"]["rewards"]
        .as_array()
        .expect("rewards")
        .iter()
        .map(|r| (r["coupon"].as_str().expect("coupon").to_owned(), r.clone()))
        .collect()
}

fn by_code<'a>(discounts: &'a [Value], code: &str) -> &'a Value {
    discounts
        .iter()
        .find(|d| {
            d["code"]
                .as_str()
                .is_some_and(|c| c.eq_ignore_ascii_case(code))
        })
        .unwrap_or_else(|| panic!("no discount {code} in {discounts:?}"))
}

fn instant(raw: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// The messages with `status`, as the operators' listing shows them.
async fn listed<S: Store>(
    stack: &PlatformStack<S>,
    status: MessageStatus,
) -> Vec<domain::ports::MessageSummary> {
    stack
        .store
        .messages(status, 100, None)
        .await
        .expect("listing")
        .messages
}

async fn outbox<S: Store>(stack: &PlatformStack<S>, status: MessageStatus) -> Vec<String> {
    listed(stack, status)
        .await
        .iter()
        .map(|m| m.kind.as_str().to_owned())
        .collect()
}

async fn a_rewarded_order_becomes_two_shopify_discounts_once<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&[]).await;
    let stack = stack(
        store,
        &settings(&fake.settings(), &[("REWARD_HOLD_DAYS", "14")]),
    );
    let answer = rewarded_shopify_order(&stack, 9101).await;
    deliver(&stack).await;

    let discounts = fake.discounts().await;
    assert_eq!(discounts.len(), 2, "{discounts:#?}");
    for (coupon, reward) in coupons(&answer) {
        let input = &by_code(&discounts, &coupon)["input"];
        assert_eq!(input["code"], coupon.as_str());
        let title = input["title"].as_str().expect("title");
        assert!(title.starts_with("Referral program: "), "{title}");
        assert!(
            !title.contains('@') && !title.contains("example"),
            "no personal data: {title}"
        );
        // The hold is Shopify's too: the code exists now and works from `available_from`.
        let starts = instant(&input["startsAt"]);
        assert_eq!(starts, instant(&reward["available_from"]));
        assert!(starts > Utc::now() + Duration::days(13), "{starts}");
        assert_eq!(instant(&input["endsAt"]), instant(&reward["valid_until"]));
        assert_eq!(instant(&input["endsAt"]), starts + Duration::days(365));
        assert_eq!(
            input["customerGets"],
            json!({"value": {"discountAmount": {"amount": "10.00", "appliesOnEachItem": false}},
                   "items": {"all": true}})
        );
        assert_eq!(input["usageLimit"], 1);
        assert_eq!(input["appliesOncePerCustomer"], true);
        assert_eq!(
            input["combinesWith"],
            json!({"orderDiscounts": false, "productDiscounts": false, "shippingDiscounts": false})
        );
        let context = match reward["beneficiary"].as_str() {
            // The friend is a Shopify customer (digits); the referrer's id is the storefront's own.
            Some("friend") => json!({"customers": {"add": ["gid://shopify/Customer/9102"]}}),
            _ => json!({"all": "ALL"}),
        };
        assert_eq!(input["context"], context, "{coupon}");
    }

    // The platform's delivery again, then a copy under another event id, then every message
    // delivered again as duplicate stream records would: still two.
    let order = with_ref_attribute(
        shopify_order(9101, Some(9102), "f9101@example.com"),
        answer["referral"]["code"].as_str().expect("code"),
    );
    // A replay with another body changes nothing either (it is answered 409 or as recorded).
    stack
        .shopify(REWARDS, "orders/create", "e-9101", &order)
        .await;
    stack
        .shopify(REWARDS, "orders/paid", "e-9101-paid", &order)
        .await;
    for (coupon, _) in coupons(&answer) {
        let id = MessageId::derive(&["discount", "create", &coupon]);
        let (a, b) = tokio::join!(
            stack.app.deliverer.deliver(&id),
            stack.app.deliverer.deliver(&id)
        );
        a.expect("deliver");
        b.expect("deliver");
    }
    deliver(&stack).await;
    assert_eq!(fake.discounts().await.len(), 2);
    assert_eq!(
        fake.invalid().await,
        Vec::<Value>::new(),
        "every document is valid"
    );
    assert!(outbox(&stack, MessageStatus::Pending).await.is_empty());
}

async fn a_hundred_identical_concurrent_orders_make_two_discounts<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&[]).await;
    let stack = Arc::new(stack(store, &fake.settings()));
    let code = stack.referral_code("ref-9201", "r9201@example.com").await;
    let answers = futures::future::join_all((0..100).map(|_| {
        let stack = stack.clone();
        let body = order_body(9201, &code);
        async move {
            stack
                .storefront("POST", "/lambda-url/reward-referral/orders", Some(body))
                .await
        }
    }))
    .await;
    assert!(
        answers.iter().all(|a| a.status == 200),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let (a, b) = tokio::join!(deliver(&stack), deliver(&stack));
    let ((), ()) = (a, b);
    let discounts = fake.discounts().await;
    assert_eq!(discounts.len(), 2, "{discounts:#?}");
    assert_eq!(fake.creates_executed().await, 2, "no create is sent twice");
}

async fn an_outage_and_throttling_delay_discounts_but_lose_none<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&["--restore-rate", "0.1"]).await;
    let stack = stack(store, &fake.settings());
    let clock = Arc::new(SettableClock::at(Utc::now()));
    let deliverer = timed_deliverer(&stack, shopify_admin(&fake), clock.clone());

    // Down: every attempt fails and is retried on the schedule.
    fake.0.outage(503, -1).await;
    let answer = rewarded_order(&stack, 9301).await;
    sweep_at(&deliverer, &clock, Utc::now()).await;
    assert!(fake.discounts().await.is_empty());
    let pending = listed(&stack, MessageStatus::Pending).await;
    let creates: Vec<_> = pending
        .iter()
        .filter(|m| m.kind.as_str() == "discount_create")
        .collect();
    assert_eq!(creates.len(), 2);
    for message in &creates {
        let error = message.last_error.as_deref().unwrap_or_default();
        assert!(
            error.contains("Shopify") && error.contains("503"),
            "{error}"
        );
        assert!(
            !error.contains(SHOPIFY_CLIENT_SECRET),
            "no secret in {error}"
        );
        assert_eq!(message.attempts, 1);
    }

    // Up again, but the bucket is empty and refills at 0.1 points/s: too slow to wait for
    // within an attempt, so the message is deferred without using an attempt.
    fake.0.outage(503, 0).await;
    fake.bucket(0.0).await;
    sweep_at(&deliverer, &clock, Utc::now() + Duration::minutes(2)).await;
    assert!(fake.discounts().await.is_empty());
    let deferred = listed(&stack, MessageStatus::Pending).await;
    for message in deferred
        .iter()
        .filter(|m| m.kind.as_str() == "discount_create")
    {
        assert_eq!(message.attempts, 1, "a throttled attempt does not count");
        assert!(
            message
                .last_error
                .as_deref()
                .unwrap_or_default()
                .contains("THROTTLED"),
            "{message:?}"
        );
    }

    // Refilled: created, once each.
    fake.bucket(2000.0).await;
    sweep_at(&deliverer, &clock, Utc::now() + Duration::hours(1)).await;
    let discounts = fake.discounts().await;
    assert_eq!(discounts.len(), 2);
    for (coupon, _) in coupons(&answer) {
        by_code(&discounts, &coupon);
    }
    assert_eq!(
        fake.creates_executed().await,
        2,
        "no create replayed after it succeeded"
    );
}

async fn a_short_throttle_is_waited_out_within_the_attempt<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&["--restore-rate", "40"]).await;
    let stack = stack(store, &fake.settings());
    rewarded_order(&stack, 9401).await;
    fake.bucket(0.0).await;
    deliver(&stack).await;
    assert_eq!(fake.discounts().await.len(), 2);
    let throttled = fake
        .0
        .requests()
        .await
        .iter()
        .filter(|r| r["throttled"] == true)
        .count();
    assert!(
        throttled >= 1,
        "the bucket was empty, so Shopify throttled first"
    );
    assert!(outbox(&stack, MessageStatus::Pending).await.is_empty());
}

async fn a_refund_deactivates_and_a_lost_token_is_renewed<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&[]).await;
    let stack = stack(store, &fake.settings());
    let answer = rewarded_order(&stack, 9501).await;
    deliver(&stack).await;
    assert_eq!(fake.discounts().await.len(), 2);

    // Shopify stops honouring the cached token: the deliverer fetches a new one once.
    fake.expire_tokens().await;
    let refund = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders/o-9501/refund",
            None,
        )
        .await;
    assert_eq!(refund.status, 200, "{refund:?}");
    deliver(&stack).await;
    let discounts = fake.discounts().await;
    for (coupon, _) in coupons(&answer) {
        let discount = by_code(&discounts, &coupon);
        assert!(!discount["deactivated_at"].is_null(), "{discount}");
        assert_eq!(discount["status"], "EXPIRED");
    }
    assert!(outbox(&stack, MessageStatus::Pending).await.is_empty());
    assert!(outbox(&stack, MessageStatus::Failed).await.is_empty());
}

async fn woocommerce_coupons_follow_the_hold_refunds_and_erasure<S: Store>(store: Arc<S>) {
    let fake = WooCommerceFake::start().await;
    let stack = stack(
        store,
        &settings(&fake.settings(), &[("REWARD_HOLD_DAYS", "14")]),
    );
    let clock = Arc::new(SettableClock::at(Utc::now()));
    let deliverer = timed_deliverer(&stack, woocommerce_admin(&fake), clock.clone());

    let kept = rewarded_order(&stack, 9601).await;
    let refunded = rewarded_order(&stack, 9602).await;
    let erased = rewarded_order(&stack, 9603).await;
    // WooCommerce has no start date: nothing is created during the hold.
    sweep_at(&deliverer, &clock, Utc::now() + Duration::days(1)).await;
    assert!(fake.coupons().await.is_empty());

    // Refunded within the hold: its discounts are never created.
    let refund = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders/o-9602/refund",
            None,
        )
        .await;
    assert_eq!(refund.status, 200);
    // The friend of the third order asks to be forgotten: the address leaves the payload.
    let erasure = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/79603", None)
        .await;
    assert_eq!(erasure.status, 200, "{erasure:?}");

    let available = instant(&kept["referral"]["rewards"][0]["available_from"]);
    sweep_at(&deliverer, &clock, available + Duration::minutes(1)).await;
    let created = fake.coupons().await;
    let codes: Vec<String> = created
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_owned())
        .collect();
    for (coupon, reward) in coupons(&kept) {
        let woo = by_code(&created, &coupon);
        assert_eq!(
            woo["code"],
            coupon.to_ascii_lowercase(),
            "WooCommerce lower-cases codes"
        );
        assert_eq!(woo["amount"], "10.00");
        assert_eq!(woo["discount_type"], "fixed_cart");
        assert_eq!(woo["usage_limit"], 1);
        assert_eq!(woo["usage_limit_per_user"], 1);
        let email = match reward["beneficiary"].as_str() {
            Some("friend") => "f9601@example.com",
            _ => "r9601@example.com",
        };
        assert_eq!(woo["email_restrictions"], json!([email]));
        let expires = instant(&reward["valid_until"]);
        assert_eq!(
            woo["date_expires_gmt"],
            expires.format("%Y-%m-%dT%H:%M:%S").to_string()
        );
        let description = woo["description"].as_str().expect("description");
        assert!(!description.contains('@'), "{description}");
        assert!(woo["meta_data"].to_string().contains("o-9601"), "{woo}");
    }
    for (coupon, _) in coupons(&refunded) {
        assert!(
            !codes.contains(&coupon.to_ascii_lowercase()),
            "refunded in the hold: {coupon}"
        );
    }
    let (erased_referrer, erased_friend): (Vec<_>, Vec<_>) = coupons(&erased)
        .into_iter()
        .partition(|(_, r)| r["beneficiary"] == "referrer");
    assert!(codes.contains(&erased_referrer[0].0.to_ascii_lowercase()));
    assert!(
        !codes.contains(&erased_friend[0].0.to_ascii_lowercase()),
        "an erased customer's pending discount is cancelled with its address"
    );
    assert_eq!(created.len(), 3, "{created:#?}");
    assert!(outbox(&stack, MessageStatus::Pending).await.is_empty());
    assert!(outbox(&stack, MessageStatus::Failed).await.is_empty());

    // A refund after the creation deletes the coupons in WooCommerce.
    let refund = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders/o-9601/refund",
            None,
        )
        .await;
    assert_eq!(refund.status, 200);
    sweep_at(&deliverer, &clock, available + Duration::minutes(2)).await;
    let after = fake.coupons().await;
    for (coupon, _) in coupons(&kept) {
        assert_eq!(by_code(&after, &coupon)["deleted"], true);
    }
}

async fn platform_orders_redeem_our_coupons_in_any_case<S: Store>(store: Arc<S>) {
    let fake = WooCommerceFake::start().await;
    let stack = stack(store, &fake.settings());
    let answer = rewarded_order(&stack, 9701).await;
    deliver(&stack).await;
    let (coupon, _) = coupons(&answer)
        .into_iter()
        .find(|(_, r)| r["beneficiary"] == "friend")
        .expect("the friend's coupon");

    // The friend's next order, with the code as WooCommerce reports it: lower-cased.
    let mut order = fixture("woocommerce/order.json");
    order["id"] = json!(9801);
    order["customer_id"] = json!(79701);
    order["billing"]["email"] = json!("f9701@example.com");
    order["coupon_lines"] = json!([{"id": 1, "code": coupon.to_ascii_lowercase(), "discount": "10.00",
                                     "discount_tax": "0.00", "meta_data": []}]);
    let delivered = stack
        .woocommerce(REWARDS, "order.created", "d-9801", &order)
        .await;
    assert_eq!(delivered.status, 200, "{delivered:?}");
    assert_eq!(stack.coupon_status(&coupon).await, "redeemed");

    // And a Shopify order naming the referrer's coupon in its own case.
    let (referrer_coupon, _) = coupons(&answer)
        .into_iter()
        .find(|(_, r)| r["beneficiary"] == "referrer")
        .expect("the referrer's coupon");
    let mut order = shopify_order(9802, Some(9803), "r9701@example.com");
    order["discount_codes"] = json!([{"code": referrer_coupon.to_ascii_lowercase(),
                                      "amount": "10.00", "type": "fixed_amount"}]);
    let delivered = stack
        .shopify(REWARDS, "orders/create", "e-9802", &order)
        .await;
    assert_eq!(delivered.status, 200, "{delivered:?}");
    assert_eq!(stack.coupon_status(&referrer_coupon).await, "redeemed");
}

async fn a_shop_in_another_currency_gets_no_discount_and_staff_see_why<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&["--currency", "USD"]).await;
    let stack = stack(store, &fake.settings());
    rewarded_order(&stack, 9801).await;
    deliver(&stack).await;
    assert!(fake.discounts().await.is_empty(), "10 EUR is not 10 USD");
    let failed = listed(&stack, MessageStatus::Failed).await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    for message in failed {
        assert_eq!(message.kind.as_str(), "discount_create");
        assert_eq!(message.attempts, 1, "refused for good at once");
        let error = message.last_error.unwrap_or_default();
        assert!(error.contains("USD") && error.contains("EUR"), "{error}");
    }
}

/// A platform with something happening around a create: the answer lost on the way back (as if
/// the deliverer died after the platform created it), or the order refunded meanwhile.
struct AroundCreate<F> {
    platform: Arc<dyn PlatformDiscounts>,
    lose_first_answer: bool,
    during_first_create: F,
    creates: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl<F> PlatformDiscounts for AroundCreate<F>
where
    F: Fn() -> futures::future::BoxFuture<'static, ()> + Send + Sync,
{
    async fn create(
        &self,
        discount: &domain::model::NewDiscount,
    ) -> Result<domain::model::PlatformDiscountId, domain::ports::PlatformError> {
        let id = self.platform.create(discount).await?;
        if self
            .creates
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            == 0
        {
            (self.during_first_create)().await;
            if self.lose_first_answer {
                return Err(domain::ports::PlatformError::Transient(
                    "connection reset before the answer".into(),
                ));
            }
        }
        Ok(id)
    }

    async fn find(
        &self,
        code: &domain::model::CouponCode,
    ) -> Result<Option<domain::model::PlatformDiscountId>, domain::ports::PlatformError> {
        self.platform.find(code).await
    }

    async fn deactivate(
        &self,
        id: &domain::model::PlatformDiscountId,
    ) -> Result<(), domain::ports::PlatformError> {
        self.platform.deactivate(id).await
    }
}

/// `platform`, with order `o-<n>` refunded (if `refund`) while its first create runs, and that
/// create's answer lost (if `lose_first_answer`).
fn around_create<S: Store>(
    platform: Arc<dyn PlatformDiscounts>,
    stack: &Arc<PlatformStack<S>>,
    n: u64,
    refund: bool,
    lose_first_answer: bool,
) -> Arc<dyn PlatformDiscounts> {
    let stack = stack.clone();
    Arc::new(AroundCreate {
        platform,
        lose_first_answer,
        during_first_create: move || {
            let stack = stack.clone();
            Box::pin(async move {
                if refund {
                    let path = format!("/lambda-url/reward-referral/orders/o-{n}/refund");
                    let answer = stack.storefront("POST", &path, None).await;
                    assert_eq!(answer.status, 200, "{answer:?}");
                }
            }) as futures::future::BoxFuture<'static, ()>
        },
        creates: std::sync::atomic::AtomicU32::new(0),
    })
}

/// A revocation racing a create, and a create whose answer was lost before a revocation: the
/// discount that exists is ended, the other is never created.
async fn a_revocation_racing_a_create_still_ends_its_discount<S: Store>(store: Arc<S>) {
    for lose_first_answer in [false, true] {
        let fake = ShopifyFake::start(&[]).await;
        let stack = Arc::new(stack(store.clone(), &fake.settings()));
        let n = if lose_first_answer { 9902 } else { 9901 };
        let answer = rewarded_order(&stack, n).await;
        let platform = around_create(shopify_admin(&fake), &stack, n, true, lose_first_answer);
        let clock = Arc::new(SettableClock::at(Utc::now()));
        let deliverer = timed_deliverer(&stack, platform, clock.clone());
        sweep_at(&deliverer, &clock, Utc::now()).await;
        sweep_at(&deliverer, &clock, Utc::now() + Duration::hours(1)).await;

        let discounts = fake.discounts().await;
        assert_eq!(
            discounts.len(),
            1,
            "one create reached Shopify: {discounts:#?}"
        );
        assert!(
            !discounts[0]["deactivated_at"].is_null(),
            "{:#?}",
            discounts[0]
        );
        let created = discounts[0]["code"].as_str().expect("code");
        assert!(coupons(&answer).iter().any(|(c, _)| c == created));
        let pending = listed(&stack, MessageStatus::Pending).await;
        assert!(pending.is_empty(), "nothing left pending: {pending:?}");
        assert!(outbox(&stack, MessageStatus::Failed).await.is_empty());
    }
}

/// WooCommerce: a create whose answer was lost is found by its code on the next attempt (the
/// code exists already), and ended if the order was refunded meanwhile.
async fn a_lost_woocommerce_answer_is_found_by_its_code<S: Store>(store: Arc<S>) {
    for refund_meanwhile in [false, true] {
        let fake = WooCommerceFake::start().await;
        let stack = Arc::new(stack(store.clone(), &fake.settings()));
        let n = if refund_meanwhile { 9912 } else { 9911 };
        let answer = rewarded_order(&stack, n).await;
        let platform = around_create(woocommerce_admin(&fake), &stack, n, refund_meanwhile, true);
        let clock = Arc::new(SettableClock::at(Utc::now()));
        let deliverer = timed_deliverer(&stack, platform, clock.clone());
        sweep_at(&deliverer, &clock, Utc::now()).await;
        sweep_at(&deliverer, &clock, Utc::now() + Duration::hours(1)).await;

        let created = fake.coupons().await;
        if refund_meanwhile {
            assert_eq!(created.len(), 1, "{created:#?}");
            assert_eq!(created[0]["deleted"], true, "{:#?}", created[0]);
        } else {
            assert_eq!(
                created.len(),
                2,
                "one coupon each, the lost one found: {created:#?}"
            );
            for (coupon, _) in coupons(&answer) {
                assert_eq!(by_code(&created, &coupon)["deleted"], false);
            }
            let duplicates = fake
                .0
                .requests()
                .await
                .iter()
                .filter(|r| r["method"] == "POST" && r["status"] == 400)
                .count();
            assert_eq!(duplicates, 1, "the retry met the code it had created");
        }
        assert!(listed(&stack, MessageStatus::Pending).await.is_empty());
        assert!(outbox(&stack, MessageStatus::Failed).await.is_empty());
    }
}

contract_suite!(
    a_revocation_racing_a_create_still_ends_its_discount,
    a_lost_woocommerce_answer_is_found_by_its_code,
    a_shop_in_another_currency_gets_no_discount_and_staff_see_why,
    a_rewarded_order_becomes_two_shopify_discounts_once,
    a_hundred_identical_concurrent_orders_make_two_discounts,
    an_outage_and_throttling_delay_discounts_but_lose_none,
    a_short_throttle_is_waited_out_within_the_attempt,
    a_refund_deactivates_and_a_lost_token_is_renewed,
    woocommerce_coupons_follow_the_hold_refunds_and_erasure,
    platform_orders_redeem_our_coupons_in_any_case,
);
