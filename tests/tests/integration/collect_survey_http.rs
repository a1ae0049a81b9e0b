//! collect-survey over HTTP against the real local stack: mails in the outbox, pages, answers,
//! counters, alerts, promoter links, unsubscribe, escaping.

use chrono::NaiveDate;
use domain::model::Survey;
use domain::model::SurveyToken;
use domain::ports::{DayCounts, MetricsStore, SurveyStore};
use http_tests::stack::{TestStack, API_KEY};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use store_sqlite::EmbeddedStore;

const SURVEYS: &str = "collect-survey";

async fn request_survey(stack: &TestStack, body: Value) -> Response {
    stack
        .client
        .post(stack.url(SURVEYS, "/surveys"))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .expect("sent")
}

fn order(order_id: &str, customer_id: &str, email: &str, locale: &str) -> Value {
    json!({"order_id": order_id, "customer_id": customer_id, "email": email, "name": "Anna", "locale": locale})
}

/// The survey link for `score` from the mail sent to `to`.
async fn link_from_mail(stack: &TestStack, to: &str, score: u8) -> String {
    let mail = stack
        .mails()
        .await
        .into_iter()
        .find(|m| m.contains(&format!("To: {to}\r\n")))
        .expect("a mail to the customer");
    let needle = format!("?score={score}\r\n");
    let line = mail
        .lines()
        .find(|l| l.ends_with(&needle[..needle.len() - 2]))
        .expect("the score link");
    line.split_whitespace().last().expect("url").to_owned()
}

fn token_of(link: &str) -> String {
    link.rsplit("/s/")
        .next()
        .and_then(|rest| rest.split('?').next())
        .expect("token")
        .to_owned()
}

/// A second connection to the stack's database: what is really stored.
fn store(stack: &TestStack) -> EmbeddedStore {
    EmbeddedStore::open(&stack.data_dir().join("store.sqlite3")).expect("open the stack's store")
}

async fn stored_survey(stack: &TestStack, token: &str) -> Survey {
    store(stack)
        .survey(&SurveyToken::parse(token).expect("token"))
        .await
        .expect("read")
        .expect("exists")
}

async fn counters(stack: &TestStack) -> Vec<DayCounts> {
    stack.settled().await;
    let (from, to) = (
        NaiveDate::from_ymd_opt(2000, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2100, 1, 1).expect("date"),
    );
    store(stack).day_counts(from, to).await.expect("counters")
}

async fn send_and_link(stack: &TestStack, score: u8) -> String {
    let response = request_survey(stack, order("o-1", "anna", "anna@example.com", "en")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    link_from_mail(stack, "anna@example.com", score).await
}

async fn post_form(stack: &TestStack, link: &str, form: &str) -> Response {
    let path = link.split('?').next().expect("path");
    stack
        .client
        .post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .expect("sent")
}

/// French is a catalog like the others: a customer's `fr`, a shop's `DEFAULT_LOCALE=fr` and a
/// browser's `Accept-Language` each select it, for the mail (read back by an independent MIME
/// parser) and for the pages.
#[tokio::test]
async fn a_french_customer_gets_the_mail_and_the_pages_in_french() {
    let stack = TestStack::start_with(&[("DEFAULT_LOCALE", "fr")]).await;
    let sent = request_survey(&stack, order("o-fr", "chloe", "chloe@example.fr", "fr")).await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    // No locale: the shop's default, French.
    let sent = request_survey(
        &stack,
        json!({"order_id": "o-dflt", "customer_id": "remi", "email": "remi@example.fr"}),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let mails = stack.mails().await;
    for to in ["chloe@example.fr", "remi@example.fr"] {
        let mail = mails
            .iter()
            .find(|m| m.contains(&format!("To: {to}\r\n")))
            .expect("the French mail");
        assert!(
            mail.contains("Subject: Merci pour votre achat chez Test Shop\r\n"),
            "{mail}"
        );
        assert!(
            mail.contains(
                "Quelle est la probabilité que vous recommandiez Test Shop à un ami\u{a0}?"
            ),
            "{mail}"
        );
        assert!(
            !mail.contains("mail-survey") && !mail.contains("survey-scale"),
            "no message id left: {mail}"
        );
    }

    let link = link_from_mail(&stack, "chloe@example.fr", 9).await;
    let page = stack
        .client
        .get(&link)
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(
        page.contains("<html lang=\"fr\""),
        "the customer's locale wins: {page}"
    );
    assert!(page.contains("<h1>Votre avis sur Test Shop</h1>"), "{page}");
    assert!(page.contains("Envoyer mon avis"), "{page}");

    // A page that belongs to no customer follows the browser: German asked, German served;
    // French asked by the browser of a shop whose default is German, French served.
    let unknown = stack.url(SURVEYS, "/s/AAAAAAAAAAAAAAAAAAAAAA");
    let german = stack
        .client
        .get(&unknown)
        .header("accept-language", "de-DE,de;q=0.9,fr;q=0.5")
        .send()
        .await
        .expect("sent");
    assert_eq!(german.status(), StatusCode::NOT_FOUND);
    assert!(german.text().await.expect("page").contains("lang=\"de\""));
    let german_shop = TestStack::start().await;
    let french = german_shop
        .client
        .get(german_shop.url(SURVEYS, "/s/AAAAAAAAAAAAAAAAAAAAAA"))
        .header("accept-language", "fr-BE,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .expect("sent");
    assert!(french.text().await.expect("page").contains("lang=\"fr\""));
}

#[tokio::test]
async fn survey_mails_in_both_languages_carry_score_links_and_unsubscribe_headers() {
    let stack = TestStack::start().await;
    let en = request_survey(&stack, order("o-1", "anna", "anna@example.com", "en")).await;
    assert_eq!(en.status(), StatusCode::CREATED);
    let en: Value = en.json().await.expect("JSON");
    assert_eq!(en["status"], "sent");
    let survey_id = en["survey_id"].as_str().expect("survey_id").to_owned();
    let de = request_survey(
        &stack,
        json!({"order_id": "o-2", "customer_id": "jonas", "email": "jonas@example.de"}),
    )
    .await;
    assert_eq!(de.status(), StatusCode::CREATED);

    let mails = stack.mails().await;
    // The storefront gets the public id, the same `GET /responses` and the events use; the
    // link token (a capability) is in the customer's mail alone.
    let token = http_tests::mails::survey_token(&mails, "anna@example.com").expect("a link");
    assert_eq!(
        survey_id,
        SurveyToken::parse(&token)
            .expect("a token")
            .survey_id()
            .as_ref()
    );
    assert!(
        !en.to_string().contains(&token),
        "the token is never answered"
    );
    let english = mails
        .iter()
        .find(|m| m.contains("To: anna@example.com"))
        .expect("English mail");
    assert!(english.contains("Subject: Thank you for your purchase at Test Shop"));
    assert!(english.contains("How likely are you to recommend Test Shop to a friend?"));
    let unsubscribe = stack.url(SURVEYS, &format!("/u/{token}"));
    assert!(english.contains(&format!("List-Unsubscribe: <{unsubscribe}>\r\n")));
    assert!(english.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    for score in 0..=10 {
        assert!(
            english.contains(&stack.url(SURVEYS, &format!("/s/{token}?score={score}"))),
            "link for {score}"
        );
    }
    assert!(english.contains("Content-Type: text/html"));
    assert!(
        !english.contains("<img") && !english.contains("<link"),
        "no external resources"
    );
    let german = mails
        .iter()
        .find(|m| m.contains("To: jonas@example.de"))
        .expect("German mail (default locale)");
    assert!(german.contains("Subject: Vielen Dank für Ihren Einkauf bei Test Shop"));
    assert!(
        german.contains("Wie wahrscheinlich ist es, dass Sie Test Shop einem Freund empfehlen?")
    );
}

#[tokio::test]
async fn replays_send_nothing_and_throttled_customers_are_skipped() {
    let stack = TestStack::start().await;
    let first: Value = request_survey(&stack, order("o-1", "anna", "anna@example.com", "en"))
        .await
        .json()
        .await
        .expect("JSON");
    let replay = request_survey(&stack, order("o-1", "anna", "anna@example.com", "en")).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.json::<Value>().await.expect("JSON"), first);
    let next = request_survey(&stack, order("o-2", "anna", "anna@example.com", "en")).await;
    assert_eq!(next.status(), StatusCode::OK);
    assert_eq!(
        next.json::<Value>().await.expect("JSON"),
        json!({"status": "skipped", "reason": "throttled"})
    );
    assert_eq!(stack.mails().await.len(), 1);
    let conflict = request_survey(&stack, order("o-1", "anna", "other@example.com", "en")).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let invalid = request_survey(
        &stack,
        json!({"order_id": "o-9", "customer_id": "x", "email": "nope"}),
    )
    .await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        invalid.json::<Value>().await.expect("JSON")["error"]["field"],
        "email"
    );
}

#[tokio::test]
async fn opening_the_page_never_writes() {
    let stack = TestStack::start().await;
    let link = send_and_link(&stack, 3).await;
    for _ in 0..5 {
        let page = stack.client.get(&link).send().await.expect("sent");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(
            html.contains(r#"value="3" required checked"#),
            "score 3 preselected"
        );
        assert!(html.contains("lang=\"en\""));
    }
    stack.client.head(&link).send().await.expect("sent");
    assert_eq!(stored_survey(&stack, &token_of(&link)).await.answer, None);
    assert!(counters(&stack).await.is_empty());
}

#[tokio::test]
async fn pages_are_strict_about_what_they_load() {
    let stack = TestStack::start().await;
    let link = send_and_link(&stack, 9).await;
    let page = stack.client.get(&link).send().await.expect("sent");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("form-action 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.expect("html");
    // The one absolute URL is the link back to the shop, which loads nothing.
    let shop_link = r#"<a href="https://shop.example">Test Shop</a>"#;
    assert!(
        html.contains(shop_link),
        "the shop's name links back: {html}"
    );
    let rest = html.replace(shop_link, "");
    assert!(
        !rest.contains("<script")
            && !rest.contains("src=")
            && !rest.contains("http://")
            && !rest.contains("https://")
    );
    assert!(html.contains(r#"name="viewport""#), "mobile-friendly");
    assert!(
        html.contains("Your rating counts only once you press &#34;Send rating&#34;."),
        "the page says a click alone does not count: {html}"
    );
}

#[tokio::test]
async fn bad_links_get_404_400_and_410_pages() {
    let stack = TestStack::start_with(&[("SURVEY_TTL_DAYS", "0")]).await;
    let link = send_and_link(&stack, 9).await;
    let token = token_of(&link);
    let tampered = format!(
        "{}{}",
        &token[..21],
        if token.ends_with('A') { 'B' } else { 'A' }
    );
    for path in [
        format!("/s/{tampered}"),
        "/s/short".into(),
        format!("/s/{}", SurveyToken::generate()),
    ] {
        let response = stack
            .client
            .get(stack.url(SURVEYS, &path))
            .header("accept-language", "de-DE")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response
            .text()
            .await
            .expect("html")
            .contains("Link nicht gefunden"));
    }
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let expired = stack.client.get(&link).send().await.expect("sent");
    assert_eq!(expired.status(), StatusCode::GONE);
    assert!(expired
        .text()
        .await
        .expect("html")
        .contains("This survey has expired"));
    let late = post_form(&stack, &link, "score=9").await;
    assert_eq!(late.status(), StatusCode::GONE);
    assert!(counters(&stack).await.is_empty());

    let fresh = TestStack::start().await;
    let link = send_and_link(&fresh, 9).await;
    for bad in ["11", "-1", "x"] {
        let response = fresh
            .client
            .get(link.replace("score=9", &format!("score={bad}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(response
            .text()
            .await
            .expect("html")
            .contains("Please choose a rating from 0 to 10."));
    }
}

#[tokio::test]
async fn answers_are_stored_and_changes_move_the_counters() {
    let stack = TestStack::start().await;
    let link = send_and_link(&stack, 8).await;
    let page = post_form(&stack, &link, "score=8&comment=Alles+gut").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("Thank you for your rating!"));
    let stored = stored_survey(&stack, &token_of(&link))
        .await
        .answer
        .expect("answered");
    assert_eq!(
        (
            stored.score.value(),
            stored.comment.as_ref().map(AsRef::as_ref)
        ),
        (8, Some("Alles gut"))
    );
    let today = counters(&stack).await;
    assert_eq!(
        (today.len(), today[0].passives, today[0].promoters),
        (1, 1, 0)
    );

    let changed = stack
        .client
        .post(link.split('?').next().expect("path"))
        .header("accept", "application/json")
        .json(&json!({"score": 10}))
        .send()
        .await
        .expect("sent");
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.expect("JSON");
    assert_eq!(
        (changed["score"].as_u64(), changed["category"].as_str()),
        (Some(10), Some("promoter"))
    );
    assert_eq!(
        changed["survey_id"].as_str(),
        Some(
            SurveyToken::parse(&token_of(&link))
                .expect("a token")
                .survey_id()
                .as_ref()
        )
    );
    let today = counters(&stack).await;
    assert_eq!(
        (today[0].promoters, today[0].passives, today[0].detractors),
        (1, 0, 0)
    );

    // `curl -d` declares a form; a body that opens a JSON object is read as JSON all the same.
    let as_curl_sends_it = stack
        .client
        .post(link.split('?').next().expect("path"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"{"score": "10", "comment": "Schnell"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(as_curl_sends_it.status(), StatusCode::OK);
    assert_eq!(
        as_curl_sends_it.json::<Value>().await.expect("JSON")["score"],
        10
    );

    let bad = stack
        .client
        .post(link.split('?').next().expect("path"))
        .header("accept", "application/json")
        .json(&json!({"score": 12}))
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.json::<Value>().await.expect("JSON")["error"]["field"],
        "score"
    );
    let too_long = post_form(
        &stack,
        &link,
        &format!("score=5&comment={}", "x".repeat(2001)),
    )
    .await;
    assert_eq!(too_long.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        counters(&stack).await[0].promoters,
        1,
        "invalid posts change nothing"
    );
}

#[tokio::test]
async fn a_detractor_alerts_support_once_and_a_promoter_sees_their_link() {
    let stack = TestStack::start().await;
    let link = send_and_link(&stack, 2).await;
    post_form(
        &stack,
        &link,
        "score=2&comment=Paket+kam+besch%C3%A4digt+an",
    )
    .await;
    post_form(&stack, &link, "score=4&comment=immer+noch+%C3%A4rgerlich").await;
    let alerts: Vec<String> = stack
        .mails()
        .await
        .into_iter()
        .filter(|m| m.contains("To: support@example.com"))
        .collect();
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].contains("2/10")
            && alerts[0].contains("Paket kam beschädigt an")
            && alerts[0].contains("o-1")
    );

    let thanks = post_form(&stack, &link, "score=10")
        .await
        .text()
        .await
        .expect("html");
    let prefix = stack.url("create-referral", "/r/");
    let start = thanks
        .find(&prefix)
        .expect("the page shows the customer's referral link");
    let code: String = thanks[start + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert!(code.len() >= 8);
    let follow = stack
        .client
        .get(format!("{prefix}{code}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(follow.status(), StatusCode::FOUND, "the link works");
}

#[tokio::test]
async fn unsubscribing_needs_a_post_and_stops_future_surveys() {
    let stack = TestStack::start_with(&[("SURVEY_THROTTLE_DAYS", "0")]).await;
    let link = send_and_link(&stack, 9).await;
    let unsubscribe = stack.url(SURVEYS, &format!("/u/{}", token_of(&link)));
    let confirm = stack.client.get(&unsubscribe).send().await.expect("sent");
    assert_eq!(confirm.status(), StatusCode::OK);
    assert!(confirm
        .text()
        .await
        .expect("html")
        .contains("No more surveys from Test Shop?"));
    let still = request_survey(&stack, order("o-2", "anna", "anna@example.com", "en")).await;
    assert_eq!(
        still.status(),
        StatusCode::CREATED,
        "GET unsubscribes nobody"
    );

    let one_click = stack
        .client
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("sent");
    assert_eq!(one_click.status(), StatusCode::OK);
    assert!(one_click
        .text()
        .await
        .expect("html")
        .contains("You are unsubscribed"));
    let after = request_survey(
        &stack,
        order("o-3", "anna-again", "Anna+x@example.com", "en"),
    )
    .await;
    assert_eq!(
        after.json::<Value>().await.expect("JSON"),
        json!({"status": "skipped", "reason": "unsubscribed"})
    );
    let unknown = stack
        .client
        .post(stack.url(SURVEYS, "/u/AAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .expect("sent");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customer_text_is_escaped_everywhere() {
    let stack = TestStack::start().await;
    let mut body = order("o-1", "anna", "anna@example.com", "en");
    body["name"] = json!("<script>alert('name')</script>");
    assert_eq!(
        request_survey(&stack, body).await.status(),
        StatusCode::CREATED
    );
    let mail = stack.mails().await.remove(0);
    let html_part = &mail[mail.find("Content-Type: text/html").expect("html part")..];
    assert!(!html_part.contains("<script>") && html_part.contains("&#60;script&#62;"));

    let link = link_from_mail(&stack, "anna@example.com", 3).await;
    post_form(
        &stack,
        &link,
        "score=3&comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg",
    )
    .await;
    let page = stack
        .client
        .get(link.split('?').next().expect("path"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("html");
    assert!(
        !page.contains("<script>alert(1)"),
        "comment must not come back as markup"
    );
    // The template engine's character references: the text shows, the markup does not run.
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#62;&#60;img"));
    let alert = stack
        .mails()
        .await
        .into_iter()
        .find(|m| m.contains("To: support@example.com"))
        .expect("alert");
    let alert_html = &alert[alert.find("Content-Type: text/html").expect("html part")..];
    assert!(!alert_html.contains("<script>alert(1)"));
}

#[tokio::test]
async fn survey_request_needs_the_storefront_key() {
    let stack = TestStack::start().await;
    let response = stack
        .client
        .post(stack.url(SURVEYS, "/surveys"))
        .json(&order("o-1", "a", "a@example.com", "en"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(stack.mails().await.is_empty());
}
