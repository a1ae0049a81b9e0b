//! Every listing reads `limit` and `cursor` one way: absent or empty is the default page size and
//! the first page; out of range, not a number, or a cursor the route did not hand out is 400
//! `invalid_field` naming the parameter; a parameter given twice is 400 `bad_request`.

use http_tests::stack::{TestStack, API_KEY, STAFF_KEY};
use reqwest::StatusCode;
use serde_json::Value;

/// (function, path, key, the listing's field) of every JSON listing.
const LISTINGS: [(&str, &str, &str, &str); 3] = [
    ("reward-referral", "/outbox/messages", STAFF_KEY, "messages"),
    ("reward-referral", "/reviews", API_KEY, "reviews"),
    ("score-nps", "/responses", STAFF_KEY, "responses"),
];

async fn get(stack: &TestStack, function: &str, path: &str, key: &str) -> (StatusCode, Value) {
    let response = stack
        .client
        .get(stack.url(function, path))
        .bearer_auth(key)
        .send()
        .await
        .expect("sent");
    (response.status(), response.json().await.expect("JSON"))
}

#[tokio::test]
async fn every_listing_reads_limit_and_cursor_the_same_way() {
    let stack = TestStack::start().await;
    for (function, path, key, field) in LISTINGS {
        for query in [
            "",
            "?limit=",
            "?cursor=",
            "?limit=&cursor=",
            "?limit=100",
            "?limit=%201%20",
        ] {
            let (status, body) = get(&stack, function, &format!("{path}{query}"), key).await;
            assert_eq!(status, StatusCode::OK, "{path}{query}: {body}");
            assert!(body[field].is_array(), "{path}{query}: {body}");
        }
        for (query, named) in [
            ("?limit=0", "limit"),
            ("?limit=101", "limit"),
            ("?limit=ten", "limit"),
            ("?limit=%20", "limit"),
            ("?cursor=bm9wZQ", "cursor"),
            ("?cursor=%21%21", "cursor"),
        ] {
            let (status, body) = get(&stack, function, &format!("{path}{query}"), key).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}{query}: {body}");
            assert_eq!(body["error"]["code"], "invalid_field", "{path}{query}");
            assert_eq!(body["error"]["field"], named, "{path}{query}");
        }
        let (status, body) = get(&stack, function, &format!("{path}?limit=1&limit=2"), key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{path}");
    }
}

/// A cursor from one listing is not a cursor of another: each listing checks the id in it.
#[tokio::test]
async fn a_cursor_names_its_own_listings_kind_of_item() {
    let stack = TestStack::start().await;
    // A well-formed cursor (base64url of `<time>|<id>`, encoded here independently) whose id is
    // a survey's: not an outbox message's.
    use base64::Engine;
    let survey_cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("2026-12-01T10:00:00.000Z|srv_0123456789abcdef0123456789abcdef");
    let (status, _) = get(
        &stack,
        "score-nps",
        &format!("/responses?cursor={survey_cursor}"),
        STAFF_KEY,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a survey id is a /responses position"
    );
    let (status, body) = get(
        &stack,
        "reward-referral",
        &format!("/outbox/messages?cursor={survey_cursor}"),
        STAFF_KEY,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "cursor");
}
