//! score-nps over HTTP against the real local stack, fed by the other functions' routes.

use http_tests::stack::{TestStack, API_KEY, STAFF_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SCORES: &str = "score-nps";

/// A staff read, once the stack has counted every request so far.
async fn get(stack: &TestStack, path: &str) -> (StatusCode, Value) {
    stack.settled().await;
    let response = stack
        .client
        .get(stack.url(SCORES, path))
        .bearer_auth(STAFF_KEY)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

async fn post(stack: &TestStack, function: &str, path: &str, body: Value) -> Value {
    let response = stack
        .client
        .post(stack.url(function, path))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn nps_is_computed_from_answers_with_margin_of_error_and_series() {
    let stack = TestStack::start_with(&[("SURVEY_THROTTLE_DAYS", "0")]).await;
    // 5 promoters, 3 passives, 2 detractors, all answered today.
    for (n, score) in [10, 10, 9, 9, 9, 8, 7, 7, 6, 0].into_iter().enumerate() {
        let body = json!({"order_id": format!("o-{n}"), "customer_id": format!("c-{n}"), "email": format!("c{n}@example.com")});
        let sent = post(&stack, "collect-survey", "/surveys", body).await;
        assert_eq!(sent["status"], "sent");
        let token =
            http_tests::mails::survey_token(&stack.mails().await, &format!("c{n}@example.com"))
                .expect("the survey mail");
        let answered = stack
            .client
            .post(stack.url("collect-survey", &format!("/s/{token}")))
            .header("accept", "application/json")
            .json(&json!({"score": score}))
            .send()
            .await
            .expect("sent");
        assert_eq!(answered.status(), StatusCode::OK);
    }
    let (status, body) = get(&stack, "/nps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            body["responses"].as_u64(),
            body["promoters"].as_u64(),
            body["passives"].as_u64(),
            body["detractors"].as_u64()
        ),
        (Some(10), Some(5), Some(3), Some(2))
    );
    // NPS = 100·(5 − 2)/10 = 30.0; MoE = 1.96·100·√((0.5 + 0.2 − 0.09)/10) = 196·√0.061 = 48.4
    assert_eq!(
        (body["nps"].as_f64(), body["margin_of_error"].as_f64()),
        (Some(30.0), Some(48.4))
    );
    assert_eq!(body["series"], json!([]), "no interval, no series");

    let today = body["to"].as_str().expect("to").to_owned();
    let (_, days) = get(&stack, &format!("/nps?to={today}&interval=day")).await;
    let series = days["series"].as_array().expect("series");
    assert_eq!(
        series.len(),
        30,
        "the default range is the last 30 UTC days, every day listed"
    );
    assert_eq!(series[29]["start"], today.as_str());
    assert_eq!(series[29]["responses"], 10);
    assert_eq!(
        (series[0]["responses"].as_u64(), series[0]["nps"].clone()),
        (Some(0), Value::Null)
    );
}

#[tokio::test]
async fn bad_parameters_are_400_naming_them() {
    let stack = TestStack::start().await;
    let cases = [
        ("/nps?from=2026-02-30", "from"),
        ("/nps?to=22.11.2026", "to"),
        ("/nps?from=2026-03-02&to=2026-03-01", "from"),
        ("/nps?from=2023-01-01&to=2026-01-01", "to"),
        ("/nps?interval=year", "interval"),
        ("/retention?from=yesterday", "from"),
        ("/referrals/stats?from=2026-05-01&to=2026-04-01", "from"),
    ];
    for (path, field) in cases {
        let (status, body) = get(&stack, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            (
                body["error"]["code"].as_str(),
                body["error"]["field"].as_str()
            ),
            (Some("invalid_field"), Some(field)),
            "{path}"
        );
    }
    let (status, empty) = get(&stack, "/nps?from=2026-01-01&to=2026-01-31&interval=week").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            empty["responses"].as_u64(),
            empty["nps"].clone(),
            empty["margin_of_error"].clone()
        ),
        (Some(0), Value::Null, Value::Null)
    );
    let weeks = empty["series"].as_array().expect("series");
    assert_eq!(
        (
            weeks.len(),
            weeks[0]["start"].as_str(),
            weeks[0]["end"].as_str()
        ),
        (5, Some("2026-01-01"), Some("2026-01-04"))
    );
    let anonymous = stack
        .client
        .get(stack.url(SCORES, "/nps"))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn retention_of_the_seed_example_over_http() {
    let stack = TestStack::start_with(&[("ACTIVE_WINDOW_DAYS", "30")]).await;
    let order = |id: String, customer: String, date: &str| {
        json!({"order_id": id, "customer_id": customer.clone(), "email": format!("{customer}@example.com"),
               "total_cents": 3000, "currency": "EUR", "placed_at": format!("{date}T10:00:00Z")})
    };
    let mut orders = Vec::new();
    for n in 0..20 {
        orders.push(order(
            format!("feb-{n}"),
            format!("regular-{n}"),
            "2026-02-10",
        ));
    }
    for n in 0..12 {
        orders.push(order(
            format!("mar-{n}"),
            format!("regular-{n}"),
            "2026-03-20",
        ));
    }
    for n in 0..9 {
        orders.push(order(
            format!("new-{n}"),
            format!("newcomer-{n}"),
            "2026-03-05",
        ));
    }
    orders.push(order("new-again".into(), "newcomer-0".into(), "2026-03-25"));
    for body in orders {
        post(&stack, "reward-referral", "/orders", body).await;
    }
    let (status, body) = get(&stack, "/retention?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"from": "2026-03-01", "to": "2026-03-31", "customers_at_start": 20, "new_customers": 9,
               "customers_at_end": 21, "retention_rate": 60.0, "repeat_purchase_rate": 4.8,
               "customers_with_orders": 21, "repeat_customers": 1,
               "reminders_sent": 0, "reminded_answers": 0,
               "winback": {"sent": 0, "won_back": 0, "rate": null, "margin_of_error": null,
                           "revenue": {}}})
    );
}

#[tokio::test]
async fn referral_funnel_over_http() {
    let stack = TestStack::start().await;
    let created = post(
        &stack,
        "create-referral",
        "/referrals",
        json!({"customer_id": "max", "email": "max@example.com"}),
    )
    .await;
    let code = created["code"].as_str().expect("code").to_owned();
    for n in 0..2 {
        stack
            .client
            .get(stack.url("create-referral", &format!("/r/{code}")))
            .header("user-agent", http_tests::browser(n))
            .send()
            .await
            .expect("click");
    }
    let order = |id: &str, customer: &str, code: &str| {
        json!({"order_id": id, "customer_id": customer, "email": format!("{customer}@example.com"),
               "total_cents": 5000, "currency": "EUR", "referral_code": code})
    };
    post(
        &stack,
        "reward-referral",
        "/orders",
        order("o-1", "anna", &code),
    )
    .await;
    post(
        &stack,
        "reward-referral",
        "/orders",
        order("o-2", "anna", &code),
    )
    .await;
    post(&stack, "reward-referral", "/orders/o-1/refund", json!({})).await;

    let (status, body) = get(&stack, "/referrals/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            body["codes_created"].as_i64(),
            body["clicks"].as_i64(),
            body["rewarded"].as_i64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(body["rejected"], json!({"already_referred": 1}));
    assert_eq!(
        (
            body["rewards_issued_cents"].as_i64(),
            body["rewards_revoked_cents"].as_i64()
        ),
        (Some(2000), Some(2000))
    );
}
