//! Answers given before a handler runs are in the contract too: a path segment that is not
//! UTF-8, a malformed `Host`, requests the HTTP parser rejects, clients that stop sending, and
//! bodies over the limit. Each answer is checked against the document the stack serves
//! (`docs/openapi.json`): its status is documented for the operation, in the documented content
//! type, with the request id.

use std::time::{Duration, Instant};

use http_tests::stack::{TestStack, API_KEY, PRIVACY_KEY, STAFF_KEY};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The content types `docs/openapi.json` documents for `status` on `method path_template`.
fn documented(path_template: &str, method: &str, status: u16) -> Vec<String> {
    let document = local::openapi::merged_document().expect("document");
    let responses = &document["paths"][path_template][method]["responses"];
    let mut answer = responses[status.to_string()].clone();
    if let Some(reference) = answer["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        answer = document["components"]["responses"][name].clone();
    }
    answer["content"]
        .as_object()
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default()
}

fn media_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn assert_in_contract(
    response: reqwest::Response,
    path_template: &str,
    method: &str,
    status: u16,
) -> String {
    assert_eq!(
        response.status().as_u16(),
        status,
        "{method} {path_template}"
    );
    assert!(
        response.headers().contains_key("x-request-id"),
        "{method} {path_template}: request id"
    );
    let media = media_type(&response);
    let allowed = documented(path_template, method, status);
    // An answer documented without content (a redirect) has no content type.
    assert!(
        allowed.contains(&media) || (allowed.is_empty() && media.is_empty()),
        "{method} {path_template} {status}: {media:?} not among {allowed:?}"
    );
    response.text().await.expect("body")
}

/// Writes `request` on a fresh connection and reads until the server closes it.
async fn raw(stack: &TestStack, request: &[u8]) -> (String, Duration) {
    let started = Instant::now();
    let mut connection = TcpStream::connect(stack.address()).await.expect("connect");
    connection.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        local::HEADER_READ_TIMEOUT + Duration::from_secs(10),
        connection.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn error_code(answer: &str) -> Option<String> {
    let body = answer.split("\r\n\r\n").nth(1)?;
    let value: Value = serde_json::from_str(body).ok()?;
    value["error"]["code"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_gets_each_routes_own_answer() {
    let stack = TestStack::start().await;
    for (path, template) in [
        ("/s/%ff", "/lambda-url/collect-survey/s/{token}"),
        ("/u/%ff%fe", "/lambda-url/collect-survey/u/{token}"),
    ] {
        let response = stack
            .client
            .get(stack.url("collect-survey", path))
            .send()
            .await
            .expect("sent");
        let csp = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        assert_eq!(
            response
                .headers()
                .get("x-frame-options")
                .map(|v| v.as_bytes()),
            Some(&b"DENY"[..])
        );
        let page = assert_in_contract(response, template, "get", 404).await;
        assert!(page.starts_with("<!DOCTYPE html>"), "{path}: the 404 page");
    }
    let response = stack
        .client
        .post(stack.url("collect-survey", "/s/%ff"))
        .header("accept", "application/json")
        .form(&[("score", "9")])
        .send()
        .await
        .expect("sent");
    let body = assert_in_contract(
        response,
        "/lambda-url/collect-survey/s/{token}",
        "post",
        404,
    )
    .await;
    assert!(body.contains("not_found"), "{body}");

    let cases = [
        (
            "collect-survey",
            "post",
            "/responses/%ff/follow-up",
            "/lambda-url/collect-survey/responses/{survey_id}/follow-up",
            404,
        ),
        (
            "create-referral",
            "get",
            "/referrals/%ff",
            "/lambda-url/create-referral/referrals/{customer_id}",
            400,
        ),
        (
            "reward-referral",
            "get",
            "/coupons/%ff",
            "/lambda-url/reward-referral/coupons/{code}",
            404,
        ),
        (
            "reward-referral",
            "post",
            "/orders/%ff/refund",
            "/lambda-url/reward-referral/orders/{order_id}/refund",
            400,
        ),
        (
            "customer-data",
            "delete",
            "/customers/%ff",
            "/lambda-url/customer-data/customers/{customer_id}",
            400,
        ),
    ];
    for (function, method, path, template, status) in cases {
        let request = match method {
            "get" => stack.client.get(stack.url(function, path)),
            "delete" => stack.client.delete(stack.url(function, path)),
            _ => stack
                .client
                .post(stack.url(function, path))
                .json(&serde_json::json!({"status": "resolved"})),
        };
        let key = match function {
            "collect-survey" => STAFF_KEY,
            "customer-data" => PRIVACY_KEY,
            _ => API_KEY,
        };
        let response = request.bearer_auth(key).send().await.expect("sent");
        let body = assert_in_contract(response, template, method, status).await;
        assert!(body.contains("\"error\""), "{path}: {body}");
    }
    // A share link with such a segment still takes the customer to the shop.
    let response = stack
        .client
        .get(stack.url("create-referral", "/r/%ff"))
        .send()
        .await
        .expect("sent");
    assert_in_contract(response, "/lambda-url/create-referral/r/{code}", "get", 302).await;
}

/// A web page could reach the local stack through DNS rebinding and read the console's keys:
/// only loopback names with the stack's port are answered, anything else is 421, logged and
/// in the error envelope.
#[tokio::test]
async fn a_foreign_or_malformed_host_is_misdirected() {
    let stack = TestStack::start().await;
    let port = stack.address().port();
    for host in [
        "bad host".to_owned(),
        format!("attacker.example:{port}"),
        "localhost".to_owned(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        for path in ["/", "/lambda-url/score-nps/nps"] {
            let request = format!(
                "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {API_KEY}\r\nConnection: close\r\n\r\n"
            );
            let (answer, _) = raw(&stack, request.as_bytes()).await;
            assert!(
                answer.starts_with("HTTP/1.1 421"),
                "{host} {path}: {answer}"
            );
            assert!(
                answer.to_ascii_lowercase().contains("x-request-id:"),
                "{answer}"
            );
            assert_eq!(
                error_code(&answer).as_deref(),
                Some("misdirected_request"),
                "{answer}"
            );
            assert!(!answer.contains(API_KEY), "{answer}");
        }
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let (answer, _) = raw(&stack, request.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
}

#[tokio::test]
async fn requests_the_parser_rejects_get_the_error_envelope_and_a_request_id() {
    let stack = TestStack::start().await;
    let long_path = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let cases: [(&[u8], &str); 4] = [
        (b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400"),
        (b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", "HTTP/1.1 400"),
        (b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400"),
        (long_path.as_bytes(), "HTTP/1.1 414"),
    ];
    for (request, status_line) in cases {
        let (answer, _) = raw(&stack, request).await;
        assert!(answer.starts_with(status_line), "{answer}");
        let lower = answer.to_ascii_lowercase();
        assert!(lower.contains("x-request-id:"), "{answer}");
        assert!(lower.contains("content-type: application/json"), "{answer}");
        assert_eq!(
            error_code(&answer).as_deref(),
            Some("bad_request"),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn clients_that_stop_sending_are_cut_off() {
    let stack = TestStack::start().await;
    let half_headers = raw(
        &stack,
        b"GET /lambda-url/score-nps/nps HTTP/1.1\r\nHost: x\r\n",
    );
    let half_body_request = format!(
        "POST /lambda-url/customer-data/customers/export HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {PRIVACY_KEY}\r\nContent-Length: 100\r\n\r\n{{\"em",
        stack.address()
    );
    let half_body = raw(&stack, half_body_request.as_bytes());
    let ((headers_answer, headers_after), (body_answer, body_after)) =
        tokio::join!(half_headers, half_body);
    assert!(headers_answer.is_empty(), "{headers_answer}");
    assert!(
        headers_after >= local::HEADER_READ_TIMEOUT
            && headers_after < local::HEADER_READ_TIMEOUT + Duration::from_secs(5),
        "closed after {headers_after:?}"
    );
    assert!(body_answer.starts_with("HTTP/1.1 400"), "{body_answer}");
    assert_eq!(error_code(&body_answer).as_deref(), Some("bad_request"));
    assert!(body_after < local::BODY_READ_TIMEOUT + Duration::from_secs(5));
}

#[tokio::test]
async fn a_webhook_body_over_its_limit_is_413_in_the_envelope() {
    let stack = TestStack::start().await;
    // One byte over the platform webhooks' 2 MiB.
    let body = vec![b' '; 2 * 1024 * 1024 + 1];
    let response = stack
        .client
        .post(stack.url("reward-referral", "/webhooks/shopify"))
        .header("x-shopify-topic", "orders/paid")
        .body(body)
        .send()
        .await
        .expect("sent");
    let answer = assert_in_contract(
        response,
        "/lambda-url/reward-referral/webhooks/shopify",
        "post",
        413,
    )
    .await;
    assert!(answer.contains("payload_too_large"), "{answer}");
}
