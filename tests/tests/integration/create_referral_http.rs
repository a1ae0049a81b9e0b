//! create-referral over HTTP against the real local stack (embedded store), as a storefront
//! and a customer's browser would call it.

use domain::model::CODE_ALPHABET;
use futures::future::join_all;
use http_tests::stack::{TestStack, API_KEY, SHOP_URL};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

const FUNCTION: &str = "create-referral";

async fn create(stack: &TestStack, body: Value) -> Response {
    stack
        .client
        .post(stack.url(FUNCTION, "/referrals"))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

async fn create_code(stack: &TestStack, customer_id: &str) -> Value {
    let response = create(
        stack,
        json!({"customer_id": customer_id, "email": "anna@example.com"}),
    )
    .await;
    assert!(
        response.status().is_success(),
        "create failed: {}",
        response.status()
    );
    response.json().await.expect("JSON body")
}

async fn stats(stack: &TestStack, customer_id: &str) -> Response {
    // Clicks are counted a moment after the redirect: wait for the stack's counting.
    stack.settled().await;
    stack
        .client
        .get(stack.url(FUNCTION, &format!("/referrals/{customer_id}")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("request sent")
}

/// A share link followed in a browser.
async fn follow(stack: &TestStack, code: &str) -> Response {
    stack
        .client
        .get(stack.url(FUNCTION, &format!("/r/{code}")))
        .header("user-agent", http_tests::BROWSER)
        .send()
        .await
        .expect("request sent")
}

async fn error_of(response: Response) -> Value {
    let body: Value = response.json().await.expect("JSON error body");
    body["error"].clone()
}

fn location(response: &Response) -> &str {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
}

#[tokio::test]
async fn first_call_creates_the_code_and_later_calls_return_it() {
    let stack = TestStack::start().await;

    let first = create(&stack, json!({"customer_id": "cust-1", "email": "Anna@Example.com", "name": "Anna", "locale": "de"})).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("JSON");
    let again = create(
        &stack,
        json!({"customer_id": "cust-1", "email": "anna@example.com"}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.expect("JSON");

    assert_eq!(
        first, again,
        "same customer, same code, link and created_at"
    );
    assert_eq!(first["customer_id"], "cust-1");
    let created_at = first["created_at"].as_str().expect("created_at string");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
        "{created_at}"
    );
}

#[tokio::test]
async fn codes_are_long_upper_case_and_unambiguous() {
    let stack = TestStack::start().await;
    for n in 0..20 {
        let body = create_code(&stack, &format!("cust-{n}")).await;
        let code = body["code"].as_str().expect("code string");
        assert!(code.len() >= 8, "{code}");
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
    }
}

#[tokio::test]
async fn link_is_this_functions_redirect_route() {
    let stack = TestStack::start().await;
    let body = create_code(&stack, "cust-1").await;
    let code = body["code"].as_str().expect("code");
    assert_eq!(body["link"], stack.url(FUNCTION, &format!("/r/{code}")));
}

#[tokio::test]
async fn configured_public_base_url_is_used_for_links() {
    let stack = TestStack::start_with(&[("PUBLIC_BASE_URL", "https://ref.shop.example/")]).await;
    let body = create_code(&stack, "cust-1").await;
    let code = body["code"].as_str().expect("code");
    assert_eq!(body["link"], format!("https://ref.shop.example/r/{code}"));
}

#[tokio::test]
async fn fifty_parallel_first_calls_yield_one_code() {
    let stack = TestStack::start().await;
    let calls = (0..50).map(|_| {
        create(
            &stack,
            json!({"customer_id": "popular", "email": "p@example.com"}),
        )
    });
    let responses = join_all(calls).await;
    let statuses: Vec<StatusCode> = responses.iter().map(Response::status).collect();
    let bodies: Vec<Value> = join_all(responses.into_iter().map(|r| r.json::<Value>()))
        .await
        .into_iter()
        .map(|b| b.expect("JSON"))
        .collect();

    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        49
    );
    assert!(
        bodies.iter().all(|b| b["code"] == bodies[0]["code"]),
        "one code for all"
    );
}

/// The visitor is their address and browser, the address as the connection has it: the same
/// browser on two machines is two clicks, and a forwarded-for header changes nothing.
#[tokio::test]
async fn visitors_are_told_apart_by_the_address_they_connect_from() {
    let stack = TestStack::start().await;
    let created = create(
        &stack,
        json!({"customer_id": "cust-1", "email": "anna@example.com"}),
    )
    .await;
    let code = created.json::<Value>().await.expect("JSON")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    // Loopback is all of 127/8: a second machine is a client bound to 127.0.0.2.
    let from = |address: [u8; 4]| {
        webhook_http::client_builder()
            .expect("TLS configuration")
            .local_address(std::net::IpAddr::from(address))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    };
    let link = stack.url(FUNCTION, &format!("/r/{code}"));
    for (client, forwarded_for) in [
        (from([127, 0, 0, 1]), "198.51.100.1"),
        (from([127, 0, 0, 1]), "198.51.100.2"),
        (from([127, 0, 0, 2]), "198.51.100.1"),
        (from([127, 0, 0, 2]), "198.51.100.3"),
    ] {
        let answer = client
            .get(&link)
            .header("user-agent", http_tests::BROWSER)
            .header("x-forwarded-for", forwarded_for)
            .send()
            .await
            .expect("click");
        assert_eq!(answer.status(), StatusCode::FOUND);
    }
    let body: Value = stats(&stack, "cust-1").await.json().await.expect("JSON");
    assert_eq!(body["clicks"], 2, "two addresses, one browser: {body}");
}

#[tokio::test]
async fn following_a_link_redirects_to_the_landing_page_and_counts_the_click() {
    let stack = TestStack::start().await;
    let code = create_code(&stack, "cust-1").await["code"]
        .as_str()
        .expect("code")
        .to_owned();

    let response = follow(&stack, &code).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), format!("{SHOP_URL}/?ref={code}"));
    assert_eq!(response.headers()["cache-control"], "no-store");

    let response = follow(&stack, &code.to_ascii_lowercase()).await;
    assert_eq!(
        location(&response),
        format!("{SHOP_URL}/?ref={code}"),
        "codes are case-insensitive"
    );

    let body: Value = stats(&stack, "cust-1").await.json().await.expect("JSON");
    assert_eq!(
        body["clicks"], 1,
        "one visitor within the hour is one click"
    );
    assert_eq!(body["conversions"], 0);
    assert_eq!(body["code"], code);
    assert_eq!(body["link"], stack.url(FUNCTION, &format!("/r/{code}")));
}

#[tokio::test]
async fn configured_landing_url_template_gets_the_code() {
    let stack = TestStack::start_with(&[(
        "REFERRAL_LANDING_URL",
        "https://shop.example/welcome?code={code}&utm_source=referral",
    )])
    .await;
    let code = create_code(&stack, "cust-1").await["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let response = follow(&stack, &code).await;
    assert_eq!(
        location(&response),
        format!("https://shop.example/welcome?code={code}&utm_source=referral")
    );
}

#[tokio::test]
async fn head_request_redirects_but_counts_nothing() {
    let stack = TestStack::start().await;
    let code = create_code(&stack, "cust-1").await["code"]
        .as_str()
        .expect("code")
        .to_owned();

    let response = stack
        .client
        .head(stack.url(FUNCTION, &format!("/r/{code}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), format!("{SHOP_URL}/?ref={code}"));

    let body: Value = stats(&stack, "cust-1").await.json().await.expect("JSON");
    assert_eq!(body["clicks"], 0);
}

#[tokio::test]
async fn unknown_or_malformed_codes_go_to_the_shop_and_count_nothing() {
    let stack = TestStack::start().await;
    let code = create_code(&stack, "cust-1").await["code"]
        .as_str()
        .expect("code")
        .to_owned();

    for path in [
        "/r/ZZZZ9999",
        "/r/not-a-code",
        "/r/OOOO0000",
        "/r/%F0%9F%98%80",
        "/r/",
    ] {
        let response = stack
            .client
            .get(stack.url(FUNCTION, path))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(location(&response), SHOP_URL, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let body: Value = stats(&stack, "cust-1").await.json().await.expect("JSON");
    assert_eq!(body["clicks"], 0);
    assert_ne!(code, "ZZZZ9999");
}

#[tokio::test]
async fn stats_of_an_unknown_customer_are_404() {
    let stack = TestStack::start().await;
    let response = stats(&stack, "nobody").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(response).await["code"], "not_found");
}

#[tokio::test]
async fn storefront_routes_need_a_configured_key() {
    let stack = TestStack::start().await;
    let url = stack.url(FUNCTION, "/referrals");
    let body = json!({"customer_id": "cust-1", "email": "anna@example.com"});
    let attempts = [
        stack.client.post(&url).json(&body),
        stack
            .client
            .post(&url)
            .bearer_auth("wrong-key-0123456789")
            .json(&body),
        stack
            .client
            .post(&url)
            .header("authorization", API_KEY)
            .json(&body),
        stack
            .client
            .post(&url)
            .basic_auth(API_KEY, Some("x"))
            .json(&body),
        stack.client.get(stack.url(FUNCTION, "/referrals/cust-1")),
    ];
    for attempt in attempts {
        let response = attempt.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(error_of(response).await["code"], "unauthorized");
    }
    assert_eq!(
        stats(&stack, "cust-1").await.status(),
        StatusCode::NOT_FOUND,
        "nothing was created"
    );
}

#[tokio::test]
async fn malformed_json_is_400_invalid_json() {
    let stack = TestStack::start().await;
    for raw in ["{bad", "", "[1, 2]", "\"text\"", "null"] {
        let response = stack
            .client
            .post(stack.url(FUNCTION, "/referrals"))
            .bearer_auth(API_KEY)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{raw:?}");
        assert_eq!(error_of(response).await["code"], "invalid_json", "{raw:?}");
    }
}

#[tokio::test]
async fn bad_fields_are_400_naming_the_field() {
    let stack = TestStack::start().await;
    let cases = [
        (json!({"email": "anna@example.com"}), "customer_id"),
        (
            json!({"customer_id": "", "email": "anna@example.com"}),
            "customer_id",
        ),
        (
            json!({"customer_id": "has space", "email": "anna@example.com"}),
            "customer_id",
        ),
        (
            json!({"customer_id": "x".repeat(129), "email": "anna@example.com"}),
            "customer_id",
        ),
        (
            json!({"customer_id": 42, "email": "anna@example.com"}),
            "customer_id",
        ),
        (json!({"customer_id": "cust-1"}), "email"),
        (
            json!({"customer_id": "cust-1", "email": "not-an-address"}),
            "email",
        ),
        (
            json!({"customer_id": "cust-1", "email": "anna@example.com", "locale": "nl"}),
            "locale",
        ),
        (
            json!({"customer_id": "cust-1", "email": "anna@example.com", "name": ["x"]}),
            "name",
        ),
        (
            json!({"customer_id": "cust-1", "email": "anna@example.com", "name": "  "}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let response = create(&stack, body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error = error_of(response).await;
        assert_eq!(error["code"], "invalid_field", "{body}");
        assert_eq!(error["field"], field, "{body}");
        assert!(
            error["message"].as_str().is_some_and(|m| m.contains(field)),
            "{error}"
        );
    }
    let response = stack
        .client
        .get(stack.url(FUNCTION, "/referrals/has%20space"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await["field"], "customer_id");
}

#[tokio::test]
async fn body_over_64_kib_is_413() {
    let stack = TestStack::start().await;
    let padding = "x".repeat(64 * 1024);
    let response = create(
        &stack,
        json!({"customer_id": "cust-1", "email": "anna@example.com", "name": padding}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(response).await["code"], "payload_too_large");

    // Without a Content-Length the limit still holds while streaming.
    let chunks = futures::stream::iter((0..80).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
    let response = stack
        .client
        .post(stack.url(FUNCTION, "/referrals"))
        .bearer_auth(API_KEY)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn wrong_method_is_405_and_unknown_route_404() {
    let stack = TestStack::start().await;
    let wrong_methods = [
        stack.client.delete(stack.url(FUNCTION, "/referrals")),
        stack.client.get(stack.url(FUNCTION, "/referrals")),
        stack.client.put(stack.url(FUNCTION, "/referrals/cust-1")),
        stack.client.put(stack.url(FUNCTION, "/r/ABCD2345")),
    ];
    for request in wrong_methods {
        let response = request.bearer_auth(API_KEY).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(error_of(response).await["code"], "method_not_allowed");
    }
    for url in [
        stack.url(FUNCTION, "/nothing-here"),
        stack.root_url("/elsewhere"),
    ] {
        let response = stack.client.get(url).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(error_of(response).await["code"], "not_found");
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let stack = TestStack::start().await;
    let responses = [
        create(
            &stack,
            json!({"customer_id": "cust-1", "email": "anna@example.com"}),
        )
        .await,
        follow(&stack, "ZZZZ9999").await,
        stack
            .client
            .get(stack.root_url("/nope"))
            .send()
            .await
            .expect("sent"),
        stack
            .client
            .post(stack.url(FUNCTION, "/referrals"))
            .send()
            .await
            .expect("sent"),
    ];
    for response in responses {
        let id = response
            .headers()
            .get("x-request-id")
            .expect("x-request-id header");
        assert!(!id.is_empty());
    }
}

#[tokio::test]
async fn restart_keeps_codes_and_counters() {
    let stack = TestStack::start().await;
    let before = create_code(&stack, "cust-1").await;
    let code = before["code"].as_str().expect("code").to_owned();
    follow(&stack, &code).await;

    let stack = stack.restart().await;
    assert!(stack.data_dir().join("store.sqlite3").exists());

    let after = create(
        &stack,
        json!({"customer_id": "cust-1", "email": "anna@example.com"}),
    )
    .await;
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "the customer already has a code"
    );
    let after: Value = after.json().await.expect("JSON");
    assert_eq!(after["code"], before["code"]);
    assert_eq!(after["created_at"], before["created_at"]);
    let body: Value = stats(&stack, "cust-1").await.json().await.expect("JSON");
    assert_eq!(body["clicks"], 1);
}
