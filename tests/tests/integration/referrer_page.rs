//! The referrer's own page on both stores: its link from the storefront's routes, the reward
//! mail, the thank-you mail and the promoter's thank-you page; what it shows as friends click,
//! claim and order (counts only, the referrer's own coupons, what is left under the cap); and the
//! capability: another key, another code or an erased customer opens nothing.

use std::sync::Arc;

use http_tests::contract_suite;
use http_tests::platforms::{Answer, PlatformStack, PlatformStore as Store};
use serde_json::{json, Value};

const BASE: &str = "http://127.0.0.1:9000/lambda-url/create-referral";
const ORDERS: &str = "/lambda-url/reward-referral/orders";

fn stack<S: Store>(store: Arc<S>) -> PlatformStack<S> {
    PlatformStack::new(
        store,
        &[
            ("FRIEND_REWARD", "both"),
            ("REFERRER_CAP", "3"),
            ("REFERRER_REWARD_CENTS", "1500"),
        ],
    )
}

/// The page as a browser asking for `language` opens it.
/// The page, once every request so far is counted.
async fn open<S: Store>(stack: &PlatformStack<S>, page_url: &str, language: &str) -> Answer {
    stack.counted().await;
    let path = page_url
        .strip_prefix("http://127.0.0.1:9000")
        .unwrap_or(page_url);
    stack
        .call(
            "GET",
            path,
            &[("accept-language", language.to_owned())],
            Vec::new(),
        )
        .await
}

async fn create<S: Store>(stack: &PlatformStack<S>, body: Value) -> Answer {
    let answer = stack
        .storefront("POST", "/lambda-url/create-referral/referrals", Some(body))
        .await;
    assert!(matches!(answer.status, 200 | 201), "{answer:?}");
    answer
}

/// The text of the element with `id`'s value (`<dd>` of a figure).
fn figure(page: &Answer, id: &str) -> String {
    let start = page
        .text
        .find(&format!(r#"<div id="{id}">"#))
        .unwrap_or_else(|| panic!("no figure {id}: {}", page.text));
    let rest = &page.text[start..];
    let value = &rest[rest.find("<dd>").expect("a value") + 4..];
    value[..value.find("</dd>").expect("end")].to_owned()
}

async fn the_page_shows_the_link_the_terms_and_what_friends_did<S: Store>(store: Arc<S>) {
    let stack = stack(store);
    let created = create(
        &stack,
        json!({"customer_id": "ref-1", "email": "rita@example.com", "locale": "en"}),
    )
    .await;
    let code = created.body["code"].as_str().expect("code").to_owned();
    let page_url = created.body["page_url"]
        .as_str()
        .expect("page_url")
        .to_owned();
    assert!(
        page_url.starts_with(&format!("{BASE}/me/{code}/")),
        "{page_url}"
    );
    let key = page_url.rsplit('/').next().expect("key");
    assert_eq!(key.len(), 22, "128 bits, base64url: {page_url}");
    let stats = stack
        .storefront("GET", "/lambda-url/create-referral/referrals/ref-1", None)
        .await;
    assert_eq!(stats.body["page_url"], page_url.as_str(), "{stats:?}");
    let again = create(
        &stack,
        json!({"customer_id": "ref-1", "email": "rita@example.com"}),
    )
    .await;
    assert_eq!(again.body["page_url"], page_url.as_str());

    // Before any friend: the link, the terms in words, zeros, the whole cap, no rewards.
    let page = open(&stack, &page_url, "de-DE,de;q=0.9").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains(r#"<html lang="en">"#),
        "the referrer's own language wins"
    );
    assert!(page.text.contains(&format!(
        r#"<p class="share" id="link">{BASE}/r/{code}</p>"#
    )));
    assert!(
        page.text.contains("Your friends get €10.00 off their first order of €20.00 or more and a €10.00 coupon for the next one, and you get €15.00 for each friend&#39;s first order."),
        "{}",
        page.text
    );
    assert_eq!(figure(&page, "clicks"), "0");
    assert_eq!(figure(&page, "claims"), "0");
    assert_eq!(figure(&page, "conversions"), "0");
    assert_eq!(figure(&page, "remaining"), "3 of 3");
    assert!(page.text.contains(r#"id="no-rewards""#));
    let share = format!("{BASE}/r/{code}")
        .replace(':', "%3A")
        .replace('/', "%2F");
    assert!(page.text.contains(&format!(
        "https://wa.me/?text=I%20like%20shopping%20at%20Test%20Shop.%20With%20my%20link%20you%20get%20%E2%82%AC10.00%20off%20your%20first%20order%3A%20{share}"
    )), "{}", page.text);
    assert!(page
        .text
        .contains("mailto:?subject=A%20recommendation%3A%20Test%20Shop&#38;body="));
    assert!(page.text.contains("sms:?&#38;body=I%20like%20shopping"));

    // Two clicks, one claim, the friend's order: counted; the referrer's coupon listed; no
    // trace of the friend.
    for n in 0..2 {
        let click = stack
            .call(
                "GET",
                &format!("/lambda-url/create-referral/r/{code}"),
                &[("user-agent", http_tests::browser(n))],
                Vec::new(),
            )
            .await;
        assert_eq!(click.status, 200);
    }
    let claim = stack
        .storefront(
            "POST",
            &format!("/lambda-url/create-referral/referrals/{code}/claims"),
            Some(json!({"email": "fiona.friend@example.com"})),
        )
        .await;
    assert_eq!(claim.status, 201, "{claim:?}");
    let friend_coupon = claim.body["coupon"].as_str().expect("coupon").to_owned();
    let order = stack
        .storefront(
            "POST",
            ORDERS,
            Some(json!({
                "order_id": "o-1", "customer_id": "c-fiona", "email": "fiona.friend@example.com",
                "name": "Fiona Friend", "total_cents": 5000, "currency": "EUR",
                "coupons": [friend_coupon],
            })),
        )
        .await;
    assert_eq!(order.body["referral"]["status"], "rewarded", "{order:?}");
    let referrer_coupon = order.body["referral"]["rewards"]
        .as_array()
        .expect("rewards")
        .iter()
        .find(|r| r["beneficiary"] == "referrer")
        .and_then(|r| r["coupon"].as_str())
        .expect("the referrer's coupon")
        .to_owned();

    let page = open(&stack, &page_url, "en").await;
    assert_eq!(figure(&page, "clicks"), "2");
    assert_eq!(figure(&page, "claims"), "1");
    assert_eq!(figure(&page, "conversions"), "1");
    assert_eq!(figure(&page, "remaining"), "2 of 3");
    assert!(
        page.text.contains(&format!(
            r#"<li data-status="available"><code>{referrer_coupon}</code> · <strong>€15.00</strong><br><span>ready to use</span> · <span class="muted">valid until "#
        )),
        "{}",
        page.text
    );
    for private in ["fiona", "Fiona", "c-fiona", friend_coupon.as_str()] {
        assert!(
            !page.text.contains(private),
            "{private} on the referrer's page"
        );
    }

    // The reward mail links the same page; so does a thank-you mail, and a promoter's answer.
    let mails = stack.mails().await;
    let reward_mail = mails
        .iter()
        .find(|m| m.contains(&referrer_coupon))
        .expect("the referrer's reward mail");
    assert!(
        reward_mail.contains(&format!("Open your referral page: {page_url}")),
        "{reward_mail}"
    );
    let survey = stack
        .storefront(
            "POST",
            "/lambda-url/collect-survey/surveys",
            Some(json!({
                "order_id": "o-9", "customer_id": "ref-1", "email": "rita@example.com",
                "locale": "en",
            })),
        )
        .await;
    assert_eq!(survey.status, 201, "{survey:?}");
    let mails = stack.mails().await;
    let thank_you = mails
        .iter()
        .find(|m| m.contains("How likely are you to recommend"))
        .expect("the thank-you mail");
    assert!(
        thank_you.contains(&format!("Open your referral page: {page_url}")),
        "{thank_you}"
    );
    let token =
        http_tests::mails::survey_token(&mails, "rita@example.com").expect("the survey link");
    let token = token.as_str();
    let answer = stack
        .call(
            "POST",
            &format!("/lambda-url/collect-survey/s/{token}"),
            &[
                ("content-type", "application/json".to_owned()),
                ("accept", "application/json".to_owned()),
            ],
            br#"{"score": 10}"#.to_vec(),
        )
        .await;
    assert_eq!(answer.body["page_url"], page_url.as_str(), "{answer:?}");
    let thanks = stack
        .call(
            "POST",
            &format!("/lambda-url/collect-survey/s/{token}"),
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            b"score=9".to_vec(),
        )
        .await;
    assert!(
        thanks.text.contains(&format!(
            r#"<a class="button" id="page" href="{page_url}">"#
        )),
        "{}",
        thanks.text
    );
}

async fn a_new_buyers_thank_you_mail_gives_them_a_page<S: Store>(store: Arc<S>) {
    let stack = stack(store);
    let survey = stack
        .storefront(
            "POST",
            "/lambda-url/collect-survey/surveys",
            Some(json!({
                "order_id": "o-1", "customer_id": "new-1", "email": "nina@example.com",
                "locale": "de",
            })),
        )
        .await;
    assert_eq!(survey.status, 201, "{survey:?}");
    let stats = stack
        .storefront("GET", "/lambda-url/create-referral/referrals/new-1", None)
        .await;
    assert_eq!(stats.status, 200, "the buyer has a code now: {stats:?}");
    let page_url = stats.body["page_url"].as_str().expect("page_url");
    let mails = stack.mails().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains(&format!("Zu Ihrer Empfehlungsseite: {page_url}"))),
        "{mails:#?}"
    );
    let page = open(&stack, page_url, "en").await;
    assert!(page.text.contains(r#"<html lang="de">"#));
    assert!(page.text.contains("Empfehlen Sie Test Shop weiter"));
    assert_eq!(figure(&page, "remaining"), "3 von 3");
}

async fn only_the_owners_key_opens_the_page_and_erasure_closes_it<S: Store>(store: Arc<S>) {
    let stack = stack(store);
    let rita = create(
        &stack,
        json!({"customer_id": "ref-1", "email": "rita@example.com"}),
    )
    .await;
    let max = create(
        &stack,
        json!({"customer_id": "ref-2", "email": "max@example.com"}),
    )
    .await;
    let rita_page = rita.body["page_url"].as_str().expect("page").to_owned();
    let max_page = max.body["page_url"].as_str().expect("page").to_owned();
    let rita_code = rita.body["code"].as_str().expect("code");
    let max_key = max_page.rsplit('/').next().expect("key");
    assert_eq!(open(&stack, &rita_page, "en").await.status, 200);

    let not_found = |answer: &Answer| {
        assert_eq!(answer.status, 404, "{}", answer.text);
        assert!(answer.text.contains("Page not found"), "{}", answer.text);
        assert!(!answer.text.contains("rita"), "nothing about the owner");
    };
    // Another referrer's key on this code, a made-up key, a malformed one, an unknown code.
    not_found(&open(&stack, &format!("{BASE}/me/{rita_code}/{max_key}"), "en").await);
    not_found(
        &open(
            &stack,
            &format!("{BASE}/me/{rita_code}/AAAAAAAAAAAAAAAAAAAAAA"),
            "en",
        )
        .await,
    );
    not_found(&open(&stack, &format!("{BASE}/me/{rita_code}/short"), "en").await);
    not_found(
        &open(
            &stack,
            &format!("{BASE}/me/ZZZZ2222/AAAAAAAAAAAAAAAAAAAAAA"),
            "en",
        )
        .await,
    );

    let erased = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/ref-1", None)
        .await;
    assert_eq!(erased.body["erased"]["referral_codes"], 1, "{erased:?}");
    not_found(&open(&stack, &rita_page, "en").await);
    assert_eq!(
        open(&stack, &max_page, "en").await.status,
        200,
        "others keep theirs"
    );
}

contract_suite!(
    the_page_shows_the_link_the_terms_and_what_friends_did,
    a_new_buyers_thank_you_mail_gives_them_a_page,
    only_the_owners_key_opens_the_page_and_erasure_closes_it,
);
