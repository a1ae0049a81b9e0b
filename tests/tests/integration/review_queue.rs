//! Rewards held for review, on both stores, through reward-referral's router: each rule at its
//! boundary (orders from one IP, a referrer's rewards in a week, the referrer's shipping address,
//! the referrer's name), the held coupons unusable and unmailed, and the queue's decisions:
//! approve issues once (concurrent decisions: one wins), reject revokes, `REVIEW_AUTO` decides
//! after `REVIEW_DAYS` when the clock is moved, a refund while held leaves only rejection.

use std::sync::Arc;

use http_tests::contract_suite;
use http_tests::platforms::{Answer, PlatformStack, PlatformStore as Store};
use serde_json::{json, Value};

const REWARD: &str = "/lambda-url/reward-referral";
const DAY: i64 = 24 * 3600;

fn stack<S: Store>(store: Arc<S>, vars: &[(&str, &str)]) -> PlatformStack<S> {
    let mut all = vec![
        ("REVIEW_MAX_ORDERS_PER_IP", "3"),
        ("REVIEW_MAX_REWARDS_PER_WEEK", "10"),
        ("REVIEW_SHIPPING_ADDRESS", "1"),
        ("REVIEW_SAME_NAME", "1"),
        ("REVIEW_DAYS", "7"),
    ];
    all.extend_from_slice(vars);
    PlatformStack::new(store, &all)
}

/// A referrer with a code (`name` for the same-name rule).
async fn referrer<S: Store>(stack: &PlatformStack<S>, id: &str, name: Option<&str>) -> String {
    let mut body = json!({"customer_id": id, "email": format!("{id}@example.com")});
    if let Some(name) = name {
        body["name"] = json!(name);
    }
    let answer = stack
        .storefront("POST", "/lambda-url/create-referral/referrals", Some(body))
        .await;
    answer.body["code"].as_str().expect("a code").to_owned()
}

/// A friend's first order carrying `code`, with `extra` fields (`ip`, `shipping_address`,
/// `name`).
async fn order<S: Store>(stack: &PlatformStack<S>, id: &str, code: &str, extra: Value) -> Answer {
    let mut body = json!({"order_id": id, "customer_id": format!("c-{id}"),
        "email": format!("{id}@example.com"), "total_cents": 5000, "currency": "EUR",
        "referral_code": code});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let answer = stack
        .storefront("POST", &format!("{REWARD}/orders"), Some(body))
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer
}

fn status(answer: &Answer) -> &str {
    answer.body["referral"]["status"].as_str().unwrap_or("")
}

fn rules(answer: &Answer) -> Vec<&str> {
    answer.body["referral"]["rules"]
        .as_array()
        .map(|rules| rules.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn coupons(answer: &Answer) -> Vec<String> {
    answer.body["referral"]["rewards"]
        .as_array()
        .expect("rewards")
        .iter()
        .map(|reward| reward["coupon"].as_str().expect("coupon").to_owned())
        .collect()
}

async fn decide<S: Store>(stack: &PlatformStack<S>, order_id: &str, decision: Value) -> Answer {
    stack
        .storefront(
            "POST",
            &format!("{REWARD}/reviews/{order_id}"),
            Some(decision),
        )
        .await
}

async fn listed<S: Store>(stack: &PlatformStack<S>, status: &str) -> Vec<Value> {
    let answer = stack
        .storefront("GET", &format!("{REWARD}/reviews?status={status}"), None)
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["reviews"].as_array().expect("reviews").clone()
}

/// Mails mentioning any of `coupons`.
async fn mails_with<S: Store>(stack: &PlatformStack<S>, coupons: &[String]) -> usize {
    stack.app.deliverer.sweep().await.expect("sweep");
    stack
        .mails()
        .await
        .iter()
        .filter(|mail| coupons.iter().any(|coupon| mail.contains(coupon.as_str())))
        .count()
}

async fn a_fourth_referred_order_from_one_ip_in_a_week_is_held<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let mut held = None;
    for n in 1..=4 {
        let code = referrer(&stack, &format!("r{n}"), None).await;
        // IPv6 addresses of one /64 are one network.
        let ip = format!("2001:db8:7:1::{n}");
        let answer = order(&stack, &format!("o{n}"), &code, json!({"ip": ip})).await;
        if n <= 3 {
            assert_eq!(status(&answer), "rewarded", "order {n}: {answer:?}");
        } else {
            assert_eq!(status(&answer), "review", "{answer:?}");
            assert_eq!(rules(&answer), ["orders_per_ip"]);
            held = Some(answer);
        }
    }
    let held = held.expect("the fourth order");
    let held_coupons = coupons(&held);
    for coupon in &held_coupons {
        assert_eq!(stack.coupon_status(coupon).await, "review");
        let redeem = stack
            .storefront(
                "POST",
                &format!("{REWARD}/coupons/{coupon}/redeem"),
                Some(json!({"order_id": "o-later"})),
            )
            .await;
        assert_eq!(redeem.status, 409, "{redeem:?}");
        assert_eq!(redeem.body["error"]["code"], "reward_in_review");
    }
    assert_eq!(
        mails_with(&stack, &held_coupons).await,
        0,
        "no reward mail while held"
    );

    // Another network is not held; a week after, the address starts afresh.
    let code = referrer(&stack, "r5", None).await;
    let other = order(&stack, "o5", &code, json!({"ip": "203.0.113.50"})).await;
    assert_eq!(status(&other), "rewarded");
    stack.app.clock.advance(7 * DAY).expect("clock");
    let code = referrer(&stack, "r6", None).await;
    let later = order(&stack, "o6", &code, json!({"ip": "2001:db8:7:1::99"})).await;
    assert_eq!(status(&later), "rewarded", "{later:?}");

    let open = listed(&stack, "open").await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["order_id"], "o4");
    assert_eq!(open[0]["rules"], json!(["orders_per_ip"]));
    assert_eq!(open[0]["friend_customer_id"], "c-o4");
    assert_eq!(open[0]["total_cents"], 5000);
    let text = open[0].to_string();
    assert!(
        !text.contains("2001:db8") && !text.contains("@example.com"),
        "no IP and no address in the listing: {text}"
    );
}

async fn a_referrers_rewards_beyond_the_weekly_limit_are_held<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("REVIEW_MAX_REWARDS_PER_WEEK", "2")]);
    let code = referrer(&stack, "anna", None).await;
    let first = order(&stack, "o1", &code, json!({})).await;
    let second = order(&stack, "o2", &code, json!({})).await;
    let third = order(&stack, "o3", &code, json!({})).await;
    assert_eq!(
        [status(&first), status(&second), status(&third)],
        ["rewarded", "rewarded", "review"]
    );
    assert_eq!(rules(&third), ["rewards_per_week"]);
    // Six days later the first day's three (the held one too) still count; seven days later
    // they are a week old, and only the sixth day's held one counts.
    stack.app.clock.advance(6 * DAY).expect("clock");
    assert_eq!(
        status(&order(&stack, "o4", &code, json!({})).await),
        "review"
    );
    // Two open reviews, a page each, newest first.
    let first = stack
        .storefront("GET", &format!("{REWARD}/reviews?limit=1"), None)
        .await;
    assert_eq!(first.body["reviews"][0]["order_id"], "o4", "{first:?}");
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = stack
        .storefront(
            "GET",
            &format!("{REWARD}/reviews?limit=1&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(second.body["reviews"][0]["order_id"], "o3", "{second:?}");
    assert!(second.body.get("next_cursor").is_none(), "{second:?}");
    stack.app.clock.advance(DAY).expect("clock");
    let later = order(&stack, "o5", &code, json!({})).await;
    assert_eq!(status(&later), "rewarded", "{later:?}");
}

async fn a_friend_shipping_where_the_referrer_ships_is_held<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let code = referrer(&stack, "anna", None).await;
    // The referrer's own order, shipped home.
    let own = stack
        .storefront(
            "POST",
            &format!("{REWARD}/orders"),
            Some(json!({"order_id": "own-1", "customer_id": "anna",
                "email": "anna@example.com", "total_cents": 3000, "currency": "EUR",
                "shipping_address": {"line1": "Hauptstraße 12", "postcode": "10115",
                                     "country": "DE"}})),
        )
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    let same = order(
        &stack,
        "o1",
        &code,
        json!({"shipping_address": {"line1": "hauptstr. 12", "postcode": "10 115",
                                    "country": "de"}}),
    )
    .await;
    assert_eq!(
        (status(&same), rules(&same)),
        ("review", vec!["shipping_address"])
    );
    let next_door = order(
        &stack,
        "o2",
        &code,
        json!({"shipping_address": {"line1": "Hauptstraße 14", "postcode": "10115",
                                    "country": "DE"}}),
    )
    .await;
    assert_eq!(status(&next_door), "rewarded");
    let bad = stack
        .storefront(
            "POST",
            &format!("{REWARD}/orders"),
            Some(
                json!({"order_id": "o3", "customer_id": "c-o3", "email": "o3@example.com",
                "total_cents": 5000, "currency": "EUR", "referral_code": code,
                "ip": "not-an-ip"}),
            ),
        )
        .await;
    assert_eq!(
        (bad.status, bad.body["error"]["field"].clone()),
        (400, json!("ip"))
    );
    let bad = stack
        .storefront(
            "POST",
            &format!("{REWARD}/orders"),
            Some(
                json!({"order_id": "o3", "customer_id": "c-o3", "email": "o3@example.com",
                "total_cents": 5000, "currency": "EUR",
                "shipping_address": {"line1": 12, "postcode": "1", "country": "DE"}}),
            ),
        )
        .await;
    assert_eq!(
        (bad.status, bad.body["error"]["field"].clone()),
        (400, json!("shipping_address.line1"))
    );

    // Erasing the referrer takes their marks: back with a new code, the address they shipped
    // to before no longer matches.
    let erased = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/anna", None)
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");
    let code = referrer(&stack, "anna", None).await;
    let after = order(
        &stack,
        "o4",
        &code,
        json!({"shipping_address": {"line1": "Hauptstraße 12", "postcode": "10115",
                                    "country": "DE"}}),
    )
    .await;
    assert_eq!(status(&after), "rewarded", "{after:?}");
}

async fn a_friend_with_the_referrers_name_is_held<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[]);
    let code = referrer(&stack, "anna", Some("Anna Müller")).await;
    let same = order(&stack, "o1", &code, json!({"name": "müller, anna"})).await;
    assert_eq!((status(&same), rules(&same)), ("review", vec!["same_name"]));
    let other = order(&stack, "o2", &code, json!({"name": "Anna Meyer"})).await;
    assert_eq!(status(&other), "rewarded");
    let first_name = order(&stack, "o3", &code, json!({"name": "Anna"})).await;
    assert_eq!(status(&first_name), "rewarded", "one part is not a person");

    let off = PlatformStack::new(stack.store.clone(), &[("REVIEW_SAME_NAME", "0")]);
    let code = referrer(&off, "eva", Some("Eva Braun")).await;
    let same = order(&off, "o4", &code, json!({"name": "Eva Braun"})).await;
    assert_eq!(status(&same), "rewarded", "the rule switched off");
}

async fn approval_issues_the_rewards_once_whoever_decides_at_the_same_time<S: Store>(
    store: Arc<S>,
) {
    let stack = stack(store, &[]);
    let code = referrer(&stack, "anna", Some("Anna Müller")).await;
    let held = order(&stack, "o1", &code, json!({"name": "Anna Müller"})).await;
    let held_coupons = coupons(&held);

    let bad = decide(&stack, "o1", json!({"decision": "maybe"})).await;
    assert_eq!(
        (bad.status, bad.body["error"]["field"].clone()),
        (400, json!("decision"))
    );
    let unknown = decide(&stack, "nope", json!({"decision": "approve"})).await;
    assert_eq!(unknown.status, 404);

    let (approve, reject) = tokio::join!(
        decide(
            &stack,
            "o1",
            json!({"decision": "approve", "note": "checked: siblings"})
        ),
        decide(&stack, "o1", json!({"decision": "reject"})),
    );
    let answers = [&approve, &reject];
    let won: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    let lost: Vec<_> = answers.iter().filter(|a| a.status == 409).collect();
    assert_eq!((won.len(), lost.len()), (1, 1), "{approve:?} {reject:?}");
    assert_eq!(lost[0].body["error"]["code"], "already_decided");
    let decided = &won[0].body;
    let approved = decided["status"] == "approved";
    let expected = if approved { "available" } else { "revoked" };
    for coupon in &held_coupons {
        assert_eq!(stack.coupon_status(coupon).await, expected);
    }
    let mails = mails_with(&stack, &held_coupons).await;
    assert_eq!(mails, if approved { 2 } else { 0 }, "{decided}");
    // Deciding again changes nothing.
    let again = decide(&stack, "o1", json!({"decision": "approve"})).await;
    assert_eq!(again.status, 409);
    assert_eq!(mails_with(&stack, &held_coupons).await, mails);

    assert!(listed(&stack, "open").await.is_empty());
    let status = if approved { "approved" } else { "rejected" };
    let done = listed(&stack, status).await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["decision"]["decided_by"], "staff");
}

async fn approve_issues_and_mails_reject_revokes<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("REVIEW_MAX_REWARDS_PER_WEEK", "1")]);
    let code = referrer(&stack, "anna", None).await;
    order(&stack, "o1", &code, json!({})).await;
    let to_approve = order(&stack, "o2", &code, json!({})).await;
    let to_reject = order(&stack, "o3", &code, json!({})).await;
    let approved = decide(&stack, "o2", json!({"decision": "approve", "note": "fine"})).await;
    assert_eq!(approved.status, 200, "{approved:?}");
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["decision"]["note"], "fine");
    assert_eq!(approved.body["rewards"][0]["status"], "available");
    assert_eq!(mails_with(&stack, &coupons(&to_approve)).await, 2);

    let rejected = decide(&stack, "o3", json!({"decision": "reject"})).await;
    assert_eq!(rejected.body["status"], "rejected", "{rejected:?}");
    for coupon in coupons(&to_reject) {
        assert_eq!(stack.coupon_status(&coupon).await, "revoked");
    }
    assert_eq!(mails_with(&stack, &coupons(&to_reject)).await, 0);
    stack.counted().await;
    let funnel = stack
        .staff("GET", "/lambda-url/score-nps/referrals/stats", None)
        .await;
    assert_eq!(funnel.body["rewards_revoked_cents"], 2000, "{funnel:?}");

    // Pages: newest first, one at a time.
    let first = stack
        .storefront(
            "GET",
            &format!("{REWARD}/reviews?status=approved&limit=1"),
            None,
        )
        .await;
    assert_eq!(first.body["reviews"][0]["order_id"], "o2");
    assert!(first.body.get("next_cursor").is_none());
    for bad in ["status=held", "limit=0", "limit=101", "cursor=!!"] {
        let answer = stack
            .storefront("GET", &format!("{REWARD}/reviews?{bad}"), None)
            .await;
        assert_eq!(answer.status, 400, "{bad}: {answer:?}");
    }
}

async fn review_auto_decides_after_review_days<S: Store>(store: Arc<S>) {
    for (auto, status, coupon_status, mails) in [
        ("approve", "approved", "available", 2),
        ("reject", "rejected", "revoked", 0),
    ] {
        let stack = stack(
            store.clone(),
            &[("REVIEW_MAX_REWARDS_PER_WEEK", "1"), ("REVIEW_AUTO", auto)],
        );
        let code = referrer(&stack, &format!("anna-{auto}"), None).await;
        order(&stack, &format!("{auto}-1"), &code, json!({})).await;
        let held = order(&stack, &format!("{auto}-2"), &code, json!({})).await;
        stack.app.clock.advance(7 * DAY - 60).expect("clock");
        stack.app.deliverer.sweep().await.expect("sweep");
        assert_eq!(
            stack.coupon_status(&coupons(&held)[0]).await,
            "review",
            "not yet"
        );
        stack.app.clock.advance(120).expect("clock");
        for _ in 0..2 {
            stack.app.deliverer.sweep().await.expect("sweep");
        }
        let done = listed(&stack, status).await;
        let mine: Vec<_> = done
            .iter()
            .filter(|r| r["order_id"] == format!("{auto}-2"))
            .collect();
        assert_eq!(mine.len(), 1, "{auto}: {done:?}");
        assert_eq!(mine[0]["decision"]["decided_by"], "automatic");
        assert_eq!(stack.coupon_status(&coupons(&held)[0]).await, coupon_status);
        assert_eq!(mails_with(&stack, &coupons(&held)).await, mails, "{auto}");
    }
}

async fn a_refund_while_held_leaves_only_rejection<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("REVIEW_MAX_REWARDS_PER_WEEK", "1")]);
    let code = referrer(&stack, "anna", None).await;
    order(&stack, "o1", &code, json!({})).await;
    let held = order(&stack, "o2", &code, json!({})).await;
    let refund = stack
        .storefront("POST", &format!("{REWARD}/orders/o2/refund"), None)
        .await;
    assert_eq!(refund.status, 200, "{refund:?}");
    for coupon in coupons(&held) {
        assert_eq!(stack.coupon_status(&coupon).await, "revoked");
    }
    let approve = decide(&stack, "o2", json!({"decision": "approve"})).await;
    assert_eq!(approve.status, 409);
    assert_eq!(approve.body["error"]["code"], "coupons_revoked");
    // Nobody decides: the automatic decision rejects it, whatever REVIEW_AUTO says.
    stack.app.clock.advance(7 * DAY + 60).expect("clock");
    for _ in 0..2 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }
    let rejected = listed(&stack, "rejected").await;
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["decision"]["decided_by"], "automatic");
    assert_eq!(mails_with(&stack, &coupons(&held)).await, 0);
}

async fn erasing_the_friend_while_held_leaves_the_automatic_decision<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("REVIEW_MAX_REWARDS_PER_WEEK", "1")]);
    let code = referrer(&stack, "anna", None).await;
    order(&stack, "o1", &code, json!({})).await;
    let held = order(&stack, "o2", &code, json!({})).await;
    let erased = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/c-o2", None)
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");
    stack.app.clock.advance(7 * DAY + 60).expect("clock");
    for _ in 0..2 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }
    let approved = listed(&stack, "approved").await;
    assert_eq!(
        approved.len(),
        1,
        "the step outlived the erasure: {approved:?}"
    );
    let coupons = coupons(&held);
    let mails = stack.mails().await;
    let sent: Vec<_> = mails
        .iter()
        .filter(|mail| coupons.iter().any(|c| mail.contains(c.as_str())))
        .collect();
    assert_eq!(sent.len(), 1, "the referrer's mail only");
    assert!(sent[0].contains("To: anna@example.com"), "{}", sent[0]);
}

contract_suite!(
    a_fourth_referred_order_from_one_ip_in_a_week_is_held,
    a_referrers_rewards_beyond_the_weekly_limit_are_held,
    a_friend_shipping_where_the_referrer_ships_is_held,
    a_friend_with_the_referrers_name_is_held,
    approval_issues_the_rewards_once_whoever_decides_at_the_same_time,
    approve_issues_and_mails_reject_revokes,
    review_auto_decides_after_review_days,
    a_refund_while_held_leaves_only_rejection,
    erasing_the_friend_while_held_leaves_the_automatic_decision,
);
