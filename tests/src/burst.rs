//! A shop's busy day, driven through the functions' routers (`PlatformStack`) with many requests
//! in flight: a viral code's clicks, a sale's rewarded orders, a day of survey answers. Shared by
//! the hot-item test and the peak-load benchmark.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::stream::{self, StreamExt};
use serde_json::json;

use crate::platforms::{PlatformStack, PlatformStore};

/// Requests in flight at once: enough to interleave transactions, few enough for the emulator.
pub const IN_FLIGHT: usize = 16;

const CREATE: &str = "/lambda-url/create-referral";
const REWARD: &str = "/lambda-url/reward-referral";
const SURVEYS: &str = "/lambda-url/collect-survey";

/// Codes of `referrer-0` … `referrer-{n-1}`.
pub async fn codes<S: PlatformStore>(stack: &PlatformStack<S>, n: usize) -> Vec<String> {
    stream::iter(0..n)
        .map(|i| async move {
            let answer = stack
                .storefront(
                    "POST",
                    &format!("{CREATE}/referrals"),
                    Some(json!({"customer_id": format!("referrer-{i}"),
                                "email": format!("referrer-{i}@example.com"), "locale": "de"})),
                )
                .await;
            assert_eq!(answer.status, 201, "{}", answer.text);
            answer.body["code"].as_str().expect("code").to_owned()
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await
}

/// `n` surveys sent (half German, half English), their mails pending in the outbox.
pub async fn surveys<S: PlatformStore>(stack: &PlatformStack<S>, n: usize) {
    stream::iter(0..n)
        .for_each_concurrent(IN_FLIGHT, |i| async move {
            let answer = stack
                .storefront(
                    "POST",
                    &format!("{SURVEYS}/surveys"),
                    Some(
                        json!({"order_id": format!("s-{i}"), "customer_id": format!("buyer-{i}"),
                                "email": format!("buyer-{i}@example.com"),
                                "locale": if i % 2 == 0 { "de" } else { "en" }}),
                    ),
                )
                .await;
            assert_eq!(answer.status, 201, "{}", answer.text);
        })
        .await;
}

/// `n` surveys sent and their mails delivered; the links' tokens, read from the mails as the
/// customers get them (`POST /surveys` answers only the public `srv_…` id).
pub async fn survey_tokens<S: PlatformStore>(stack: &PlatformStack<S>, n: usize) -> Vec<String> {
    surveys(stack, n).await;
    let mails = stack.mails().await;
    (0..n)
        .map(|i| {
            crate::mails::survey_token(&mails, &format!("buyer-{i}@example.com"))
                .expect("each buyer's survey mail")
        })
        .collect()
}

/// Every click of a burst is another person's, across bursts too.
static PEOPLE: AtomicUsize = AtomicUsize::new(0);

/// One click on each code of `codes` (a code may repeat), each by another person, each
/// redirected or shown the offer.
pub async fn clicks<S: PlatformStore>(stack: &PlatformStack<S>, codes: Vec<String>) {
    stream::iter(codes)
        .for_each_concurrent(IN_FLIGHT, |code| async move {
            let n = PEOPLE.fetch_add(1, Ordering::Relaxed);
            let person = [("user-agent", crate::browser(n))];
            let answer = stack
                .call("GET", &format!("{CREATE}/r/{code}"), &person, Vec::new())
                .await;
            assert!(
                (200..400).contains(&answer.status),
                "a click answers: {}",
                answer.status
            );
        })
        .await;
}

/// `n` first orders of distinct friends, the i-th carrying `referrers[i % len]`, all rewarded.
pub async fn rewarded_orders<S: PlatformStore>(
    stack: &PlatformStack<S>,
    referrers: &[String],
    n: usize,
) {
    stream::iter(0..n)
        .for_each_concurrent(IN_FLIGHT, |i| {
            let code = referrers[i % referrers.len()].clone();
            async move {
                let answer = stack
                    .storefront(
                        "POST",
                        &format!("{REWARD}/orders"),
                        Some(json!({"order_id": format!("o-{i}"), "customer_id": format!("friend-{i}"),
                                    "email": format!("friend-{i}@example.com"), "total_cents": 5990,
                                    "currency": "EUR", "referral_code": code})),
                    )
                    .await;
                assert_eq!(answer.status, 200, "{}", answer.text);
                assert_eq!(answer.body["referral"]["status"], "rewarded", "{}", answer.text);
            }
        })
        .await;
}

/// The score the i-th answer gives: half promoters, 3 in 10 passives, 2 in 10 detractors.
pub fn score(i: usize) -> u8 {
    match i % 10 {
        0..=4 => 9,
        5..=7 => 7,
        _ => 3,
    }
}

/// Each survey of `tokens` answered by its form's POST, the i-th with `score(i)`.
pub async fn answers<S: PlatformStore>(stack: &PlatformStack<S>, tokens: &[String]) {
    stream::iter(tokens.iter().enumerate())
        .for_each_concurrent(IN_FLIGHT, |(i, token)| async move {
            let answer = stack
                .call(
                    "POST",
                    &format!("{SURVEYS}/s/{token}"),
                    &[(
                        "content-type",
                        "application/x-www-form-urlencoded".to_owned(),
                    )],
                    format!("score={}", score(i)).into_bytes(),
                )
                .await;
            assert_eq!(answer.status, 200, "{}", answer.text);
        })
        .await;
}

/// How many of `writes` (each a request's written items) wrote each item, hottest first.
pub fn writes_per_item(writes: &[Vec<String>]) -> Vec<(String, usize)> {
    let mut per_item: BTreeMap<&str, usize> = BTreeMap::new();
    for request in writes {
        for item in request {
            *per_item.entry(item.as_str()).or_default() += 1;
        }
    }
    let mut hottest: Vec<(String, usize)> = per_item
        .into_iter()
        .map(|(item, n)| (item.to_owned(), n))
        .collect();
    hottest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hottest
}
