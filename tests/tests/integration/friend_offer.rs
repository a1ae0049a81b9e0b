//! The friend's offer before the first order, on both stores: the share link's claim page and
//! the storefront's claim route, every refusal, one claim per person under concurrency, the
//! friend's code as a platform discount (fake Shopify validated against its published schema,
//! fake WooCommerce), and the friend's order using the code rewarding the referrer exactly once.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::ports::MessageStatus;
use http_tests::contract_suite;
use http_tests::fakes::{ShopifyFake, WooCommerceFake};
use http_tests::platforms::{shopify_order, Answer, PlatformStack, PlatformStore as Store};
use serde_json::{json, Value};

const CLAIM_PAGE: &str = "/lambda-url/create-referral/r";
const ORDERS: &str = "/lambda-url/reward-referral/orders";

/// The stack with the offer as shipped (`FRIEND_REWARD=first_order`) unless `vars` say else.
fn stack<S: Store>(store: Arc<S>, vars: &[(&str, String)]) -> PlatformStack<S> {
    let mut all: Vec<(&str, &str)> = vec![("FRIEND_REWARD", "first_order")];
    all.extend(vars.iter().map(|(k, v)| (*k, v.as_str())));
    PlatformStack::new(store, &all)
}

/// The share link's page as a German browser opens it.
async fn open_page<S: Store>(stack: &PlatformStack<S>, method: &str, code: &str) -> Answer {
    let headers = [
        ("accept-language", "de-DE,de;q=0.9,en;q=0.5".to_owned()),
        ("user-agent", http_tests::BROWSER.to_owned()),
    ];
    stack
        .call(
            method,
            &format!("{CLAIM_PAGE}/{code}"),
            &headers,
            Vec::new(),
        )
        .await
}

/// The claim form submitted as a browser submits it.
async fn submit_form<S: Store>(stack: &PlatformStack<S>, code: &str, email: &str) -> Answer {
    let headers = [
        (
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("accept-language", "en-GB,en;q=0.8".to_owned()),
    ];
    let body = format!("email={}", urlencode(email)).into_bytes();
    stack
        .call("POST", &format!("{CLAIM_PAGE}/{code}"), &headers, body)
        .await
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The storefront's claim for `email` on `code`.
async fn claim_api<S: Store>(stack: &PlatformStack<S>, code: &str, body: Value) -> Answer {
    stack
        .storefront(
            "POST",
            &format!("/lambda-url/create-referral/referrals/{code}/claims"),
            Some(body),
        )
        .await
}

/// The coupon a code page shows.
fn coupon_on_page(page: &Answer) -> String {
    let start = page
        .text
        .find(r#"<p class="code" id="code">"#)
        .unwrap_or_else(|| panic!("a code page: {}", page.text));
    let rest = &page.text[start + r#"<p class="code" id="code">"#.len()..];
    rest[..rest.find('<').expect("end of code")].to_owned()
}

fn order(n: u64, email: &str, coupons: &[&str]) -> Value {
    json!({
        "order_id": format!("o-{n}"),
        "customer_id": format!("c-{n}"),
        "email": email,
        "total_cents": 5000,
        "currency": "EUR",
        "coupons": coupons,
    })
}

async fn funnel<S: Store>(stack: &PlatformStack<S>) -> Value {
    stack.counted().await;
    let answer = stack
        .staff("GET", "/lambda-url/score-nps/referrals/stats", None)
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body
}

async fn outbox_kinds<S: Store>(stack: &PlatformStack<S>) -> Vec<String> {
    stack
        .store
        .messages(MessageStatus::Pending, 100, None)
        .await
        .expect("listing")
        .messages
        .iter()
        .map(|m| m.kind.as_str().to_owned())
        .collect()
}

fn instant(raw: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

async fn the_share_link_gives_the_friend_a_code_for_their_first_order<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let code = stack.referral_code("ref-1", "max@example.com").await;

    // The page in the visitor's language; HEAD answers the same and counts nothing.
    let page = open_page(&stack, "GET", &code).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(r#"<html lang="de">"#), "{}", page.text);
    assert!(page
        .text
        .contains("10,00 € Rabatt auf Ihre erste Bestellung"));
    assert!(page.text.contains("ab 20,00 €") && page.text.contains("30 Tage"));
    assert!(page.text.contains(r#"name="email" type="email""#));
    assert_eq!(open_page(&stack, "HEAD", &code).await.status, 200);
    stack.counted().await;
    let stats = stack
        .storefront("GET", "/lambda-url/create-referral/referrals/ref-1", None)
        .await;
    assert_eq!(stats.body["clicks"], 1, "HEAD counts nothing: {stats:?}");

    // The form: the friend's code, its validity and the button that applies it.
    let claimed = submit_form(&stack, &code, "Anna.Schmidt@example.com").await;
    assert_eq!(claimed.status, 200, "{}", claimed.text);
    let coupon = coupon_on_page(&claimed);
    assert!(
        claimed.text.contains("Your €10.00 code"),
        "{}",
        claimed.text
    );
    assert!(claimed.text.contains(&format!(
        r#"href="https://shop.example/?ref={code}&#38;coupon={coupon}""#
    )));

    // The same person again, by page (an alias) and by the storefront's route: the same code.
    let again = submit_form(&stack, &code, "anna.schmidt+deals@example.com").await;
    assert_eq!(coupon_on_page(&again), coupon);
    let api = claim_api(&stack, &code, json!({"email": "anna.schmidt@example.com"})).await;
    assert_eq!(api.status, 200, "a repeat: {api:?}");
    assert_eq!(api.body["coupon"], coupon.as_str());
    assert_eq!(api.body["amount_cents"], 1000);
    assert_eq!(api.body["currency"], "EUR");
    assert_eq!(api.body["min_order_cents"], 2000);
    let expires = instant(&api.body["expires_at"]);
    assert!(expires > Utc::now() + Duration::days(29) && expires < Utc::now() + Duration::days(31));
    assert_eq!(
        api.body["apply_url"],
        format!("https://shop.example/?ref={code}&coupon={coupon}")
    );

    // The coupon is usable at once, and it was mailed to the friend in the page's language.
    assert_eq!(stack.coupon_status(&coupon).await, "available");
    let mails = stack.mails().await;
    let offer_mails: Vec<&String> = mails.iter().filter(|m| m.contains(&coupon)).collect();
    assert_eq!(offer_mails.len(), 1, "one mail: {mails:#?}");
    assert!(
        offer_mails[0].contains("To: Anna.Schmidt@example.com"),
        "{}",
        offer_mails[0]
    );
    assert!(offer_mails[0].contains("Your €10.00 code for your first order at Test Shop"));

    // The friend's order with the code and no referral code is the referral: rewarded once,
    // the referrer's coupon only (FRIEND_REWARD=first_order), the friend's code redeemed.
    let body = order(1, "anna.schmidt@example.com", &[&coupon, "SUMMER10"]);
    let answers = futures::future::join_all((0..100).map(|_| {
        let body = body.clone();
        let stack = &stack;
        async move { stack.storefront("POST", ORDERS, Some(body)).await }
    }))
    .await;
    let first = &answers[0];
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["referral"]["code"], code.as_str());
    assert_eq!(first.body["referral"]["status"], "rewarded");
    let rewards = first.body["referral"]["rewards"]
        .as_array()
        .expect("rewards");
    assert_eq!(rewards.len(), 1, "{rewards:?}");
    assert_eq!(rewards[0]["beneficiary"], "referrer");
    assert_eq!(
        first.body["coupons"],
        json!([{"code": coupon, "status": "redeemed"}])
    );
    for answer in &answers {
        assert_eq!(answer.text, first.text, "every replay the same bytes");
    }
    let stats = stack
        .storefront("GET", "/lambda-url/create-referral/referrals/ref-1", None)
        .await;
    assert_eq!(stats.body["conversions"], 1);
    assert_eq!(stack.coupon_status(&coupon).await, "redeemed");

    let funnel = funnel(&stack).await;
    assert_eq!(
        (&funnel["clicks"], &funnel["claims"], &funnel["rewarded"]),
        (&json!(1), &json!(1), &json!(1)),
        "{funnel}"
    );
}

async fn refusals_create_nothing<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let code = stack.referral_code("ref-2", "Max.Muster@gmail.com").await;

    // The referrer's own address under an alias, by page and by route.
    let own = submit_form(&stack, &code, "m.a.x.muster+friend@googlemail.com").await;
    assert_eq!(own.status, 422);
    assert!(own.text.contains("This is your own link"), "{}", own.text);
    let own = claim_api(&stack, &code, json!({"email": "maxmuster@gmail.com"})).await;
    assert_eq!(
        (own.status, &own.body["error"]["code"]),
        (422, &json!("self_referral"))
    );
    let own = claim_api(
        &stack,
        &code,
        json!({"email": "other@example.com", "customer_id": "ref-2"}),
    )
    .await;
    assert_eq!(own.body["error"]["code"], "self_referral");

    // Not an address.
    let invalid = submit_form(&stack, &code, "not-an-address").await;
    assert_eq!(invalid.status, 422);
    assert!(invalid.text.contains("Please enter a valid email address"));
    assert!(invalid.text.contains(r#"name="email""#), "the form again");
    let invalid = claim_api(&stack, &code, json!({"email": "nope"})).await;
    assert_eq!(invalid.body["error"]["code"], "invalid_email");
    let missing = claim_api(&stack, &code, json!({})).await;
    assert_eq!(
        (missing.status, &missing.body["error"]["code"]),
        (422, &json!("invalid_email"))
    );

    // A customer with a recorded order (as a guest, by address only).
    let ordered = stack
        .storefront(
            "POST",
            ORDERS,
            Some(
                json!({"order_id": "o-old", "customer_id": "c-old", "email": "old@example.com",
                        "total_cents": 3000, "currency": "EUR"}),
            ),
        )
        .await;
    assert_eq!(ordered.status, 200, "{ordered:?}");
    let existing = submit_form(&stack, &code, "Old+x@example.com").await;
    assert_eq!(existing.status, 422);
    assert!(existing.text.contains("You have ordered with us before"));
    let existing = claim_api(
        &stack,
        &code,
        json!({"email": "someone@example.com", "customer_id": "c-old"}),
    )
    .await;
    assert_eq!(existing.body["error"]["code"], "existing_customer");

    // A friend rewarded before through a referral link (`ref`), on another referrer's code.
    let other = stack.referral_code("ref-3", "eva@example.com").await;
    let referred = stack
        .storefront(
            "POST",
            ORDERS,
            Some(
                json!({"order_id": "o-ref", "customer_id": "c-ref", "email": "ref@example.com",
                        "total_cents": 3000, "currency": "EUR", "referral_code": other}),
            ),
        )
        .await;
    assert_eq!(
        referred.body["referral"]["status"], "rewarded",
        "{referred:?}"
    );
    let again = claim_api(&stack, &code, json!({"email": "ref@example.com"})).await;
    assert_eq!(again.body["error"]["code"], "already_referred");
    let page = submit_form(&stack, &code, "ref@example.com").await;
    assert!(page.text.contains("You were referred before"));

    // A throwaway address, or one below a listed domain, by page and by route; and a referred
    // order from one is rejected with the same reason.
    let throwaway = submit_form(&stack, &code, "deal@mailinator.com").await;
    assert_eq!(throwaway.status, 422);
    assert!(throwaway
        .text
        .contains("This offer does not take throwaway addresses"));
    let throwaway = claim_api(&stack, &code, json!({"email": "deal@eu.mailinator.com"})).await;
    assert_eq!(
        (throwaway.status, &throwaway.body["error"]["code"]),
        (422, &json!("disposable_email"))
    );
    let order = stack
        .storefront(
            "POST",
            ORDERS,
            Some(
                json!({"order_id": "o-throwaway", "customer_id": "c-throwaway",
                        "email": "deal@guerrillamail.com", "total_cents": 3000,
                        "currency": "EUR", "referral_code": code}),
            ),
        )
        .await;
    assert_eq!(
        (
            &order.body["referral"]["status"],
            &order.body["referral"]["reason"]
        ),
        (&json!("rejected"), &json!("disposable_email")),
        "{order:?}"
    );
    assert_eq!(
        funnel(&stack).await["rejected"]["disposable_email"],
        1,
        "counted as its own reason"
    );

    // Unknown codes: 404 on the route, the shop on the page.
    let unknown = claim_api(&stack, "ZZZZ9999", json!({"email": "x@example.com"})).await;
    assert_eq!(unknown.status, 404);
    let unknown = submit_form(&stack, "ZZZZ9999", "x@example.com").await;
    assert_eq!(unknown.status, 302);

    // Nothing was created by any refusal.
    assert_eq!(funnel(&stack).await["claims"], 0);
    assert!(
        !outbox_kinds(&stack).await.iter().any(|k| k == "offer_mail"),
        "no offer mail"
    );
}

async fn one_claim_per_person_under_concurrency<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let code = stack.referral_code("ref-4", "ida@example.com").await;
    let other = stack.referral_code("ref-5", "jon@example.com").await;

    let answers = futures::future::join_all((0..20).map(|i| {
        let stack = &stack;
        let code = code.clone();
        // The same person under aliases: one fingerprint.
        let email = format!("lena+{i}@example.com");
        async move { claim_api(stack, &code, json!({"email": email})).await }
    }))
    .await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(created, 1, "{answers:#?}");
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 201));
    let coupon = answers[0].body["coupon"].clone();
    assert!(answers.iter().all(|a| a.body["coupon"] == coupon));

    // One address on two codes at once: one claim, and the first referrer keeps the friend.
    let (a, b) = tokio::join!(
        claim_api(&stack, &code, json!({"email": "tom@example.com"})),
        claim_api(&stack, &other, json!({"email": "tom@example.com"})),
    );
    assert_eq!(a.body["coupon"], b.body["coupon"], "{a:?} {b:?}");
    assert_eq!(
        [a.status, b.status].iter().filter(|s| **s == 201).count(),
        1
    );
    assert_eq!(funnel(&stack).await["claims"], 2);
    let offer_mails = outbox_kinds(&stack)
        .await
        .iter()
        .filter(|k| *k == "offer_mail")
        .count();
    assert_eq!(offer_mails, 2);
}

async fn a_shopify_friend_uses_the_discount_on_the_first_order<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&[]).await;
    let mut vars = fake.settings();
    vars.push(("WEBHOOK_URL", "http://127.0.0.1:9/events".into()));
    vars.push((
        "WEBHOOK_SECRET",
        "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3".into(),
    ));
    let stack = stack(store, &vars);
    let code = stack.referral_code("ref-6", "kim@example.com").await;
    let claim = claim_api(
        &stack,
        &code,
        json!({"email": "lea@example.com", "locale": "en"}),
    )
    .await;
    assert_eq!(claim.status, 201, "{claim:?}");
    let coupon = claim.body["coupon"].as_str().expect("coupon").to_owned();
    assert_eq!(
        claim.body["apply_url"],
        format!("https://shop.example/discount/{coupon}?redirect=/")
    );
    // The event names the code and coupon, never the address.
    let events: Vec<_> = stack
        .store
        .messages(MessageStatus::Pending, 100, None)
        .await
        .expect("listing")
        .messages
        .into_iter()
        .filter(|m| m.kind.as_str() == "friend_offer.claimed")
        .collect();
    assert_eq!(events.len(), 1);
    for _ in 0..5 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }

    // The discount exists before the first order: once, valid as the offer, from 20.00.
    let discounts = fake.discounts().await;
    assert_eq!(discounts.len(), 1, "{discounts:#?}");
    let input = &discounts[0]["input"];
    assert_eq!(input["code"], coupon.as_str());
    assert_eq!(input["usageLimit"], 1);
    assert_eq!(input["appliesOncePerCustomer"], true);
    assert_eq!(
        instant(&input["endsAt"]),
        instant(&claim.body["expires_at"])
    );
    assert_eq!(
        input["minimumRequirement"],
        json!({"subtotal": {"greaterThanOrEqualToSubtotal": "20.00"}})
    );
    assert_eq!(input["context"], json!({"all": "ALL"}));
    assert_eq!(fake.invalid().await, Vec::<Value>::new());

    // Shopify reports the friend's paid order with the code and no referral attribute.
    let mut paid = shopify_order(9601, Some(9602), "lea@example.com");
    paid["discount_codes"] =
        json!([{"code": coupon.to_lowercase(), "amount": "10.00", "type": "fixed_amount"}]);
    let first = stack
        .shopify("reward-referral", "orders/paid", "e-9601", &paid)
        .await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["referral"]["status"], "rewarded", "{first:?}");
    assert_eq!(first.body["referral"]["code"], code.as_str());
    assert_eq!(first.body["coupons"][0]["status"], "redeemed");
    let again = stack
        .shopify("reward-referral", "orders/paid", "e-9601-b", &paid)
        .await;
    assert_eq!(again.body["referral"], first.body["referral"]);
    for _ in 0..5 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }
    // The referrer's reward is a discount too; the friend got no second one (first_order).
    assert_eq!(fake.discounts().await.len(), 2);
}

async fn a_woocommerce_friend_code_is_bound_to_the_address<S: Store>(store: Arc<S>) {
    let fake = WooCommerceFake::start().await;
    let stack = stack(store, &fake.settings());
    let code = stack.referral_code("ref-7", "uwe@example.com").await;
    let page = submit_form(&stack, &code, "bernd.meier@example.com").await;
    let coupon = coupon_on_page(&page);
    assert!(page
        .text
        .contains(&format!(r#"href="https://shop.example/?coupon={coupon}""#)));
    for _ in 0..5 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }
    let coupons = fake.coupons().await;
    assert_eq!(coupons.len(), 1, "{coupons:#?}");
    let created = &coupons[0];
    assert_eq!(
        created["code"].as_str().map(str::to_uppercase),
        Some(coupon.clone())
    );
    assert_eq!(
        created["email_restrictions"],
        json!(["bernd.meier@example.com"])
    );
    assert_eq!(created["minimum_amount"], "20.00");
    assert_eq!(created["usage_limit"], 1);

    let mut paid = http_tests::platforms::fixture("woocommerce/order.json");
    paid["coupon_lines"] = json!([{"id": 1, "code": coupon.to_lowercase(), "discount": "10.00"}]);
    let answer = stack
        .woocommerce("reward-referral", "order.created", "d-1", &paid)
        .await;
    assert_eq!(answer.body["referral"]["status"], "rewarded", "{answer:?}");
    assert_eq!(answer.body["referral"]["code"], code.as_str());
    assert_eq!(answer.body["coupons"][0]["status"], "redeemed");
}

async fn the_setting_decides_what_the_friend_gets<S: Store>(store: Arc<S>) {
    // both: the offer, and a next-order coupon once the first order is rewarded.
    let both = stack(store.clone(), &[("FRIEND_REWARD", "both".into())]);
    let code = both.referral_code("ref-8", "ole@example.com").await;
    assert_eq!(open_page(&both, "GET", &code).await.status, 200);
    let claim = claim_api(&both, &code, json!({"email": "pia@example.com"})).await;
    let coupon = claim.body["coupon"].as_str().expect("coupon").to_owned();
    let answer = both
        .storefront(
            "POST",
            ORDERS,
            Some(order(8, "pia@example.com", &[&coupon])),
        )
        .await;
    let rewards = answer.body["referral"]["rewards"]
        .as_array()
        .expect("rewards");
    assert_eq!(rewards.len(), 2, "{answer:?}");

    // next_order: today's redirect, no claims.
    let next = stack(store, &[("FRIEND_REWARD", "next_order".into())]);
    let code = next.referral_code("ref-9", "ute@example.com").await;
    let page = open_page(&next, "GET", &code).await;
    assert_eq!(page.status, 302);
    let refused = claim_api(&next, &code, json!({"email": "rio@example.com"})).await;
    assert_eq!(refused.status, 404);
    assert_eq!(
        submit_form(&next, &code, "rio@example.com").await.status,
        302
    );
}

async fn a_claim_is_exported_and_erased_with_its_person<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let code = stack.referral_code("ref-10", "vic@example.com").await;
    let export_by_address = |email: &'static str| {
        let stack = &stack;
        async move {
            stack
                .privacy(
                    "POST",
                    "/lambda-url/customer-data/customers/export",
                    Some(json!({"email": email})),
                )
                .await
        }
    };

    // Claimed on the page: by address only.
    let claim = claim_api(&stack, &code, json!({"email": "Wim@example.com"})).await;
    let coupon = claim.body["coupon"].clone();
    let export = export_by_address("wim@example.com").await;
    assert_eq!(export.status, 200, "{export:?}");
    let claims = export.body["claims"].as_array().expect("claims");
    assert_eq!(claims.len(), 1, "{export:?}");
    assert_eq!(claims[0]["coupon"], coupon);
    assert_eq!(claims[0]["code"], code.as_str());
    assert!(
        !export.body["claims"].to_string().contains('@'),
        "no address in a claim"
    );

    // The friend then orders under a customer id: a request by that id finds the claim too.
    let ordered = stack
        .storefront(
            "POST",
            ORDERS,
            Some(
                json!({"order_id": "o-wim", "customer_id": "c-wim", "email": "wim@example.com",
                        "total_cents": 5000, "currency": "EUR", "coupons": [coupon]}),
            ),
        )
        .await;
    assert_eq!(
        ordered.body["referral"]["status"], "rewarded",
        "{ordered:?}"
    );
    let by_id = stack
        .privacy(
            "GET",
            "/lambda-url/customer-data/customers/c-wim/export",
            None,
        )
        .await;
    assert_eq!(by_id.body["claims"][0]["coupon"], coupon, "{by_id:?}");

    let erased = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/c-wim", None)
        .await;
    assert_eq!(erased.body["erased"]["claims"], 1, "{erased:?}");
    // The mail with the friend's address went under the claim's guest id: erased with it.
    let mails = &erased.body["erased"];
    assert_eq!(
        mails["messages_cancelled"].as_u64().unwrap_or(0)
            + mails["messages_cleared"].as_u64().unwrap_or(0),
        1,
        "{erased:?}"
    );
    let again = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/c-wim", None)
        .await;
    assert_eq!(again.body["erased"]["claims"], 0, "{again:?}");
    let after = export_by_address("wim@example.com").await;
    assert_eq!(after.body["claims"], json!([]), "{after:?}");
}

contract_suite!(
    the_share_link_gives_the_friend_a_code_for_their_first_order,
    refusals_create_nothing,
    one_claim_per_person_under_concurrency,
    a_shopify_friend_uses_the_discount_on_the_first_order,
    a_woocommerce_friend_code_is_bound_to_the_address,
    the_setting_decides_what_the_friend_gets,
    a_claim_is_exported_and_erased_with_its_person,
);
