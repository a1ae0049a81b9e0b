//! How many DynamoDB requests each operation costs, counted on the wire against the emulator.

use std::sync::Arc;

use chrono::Utc;
use domain::model::{
    CarriedCode, Currency, CustomerId, Email, Locale, Order, OrderId, ReferralRequest, RewardRules,
};
use domain::ports::{ReferralStore, SystemClock, Tally};
use domain::services::{Events, OrderService, ReferralService, ShopIdentity};
use http_tests::delivery::TestDelivery;
use http_tests::dynamo::fresh_counting_store;

fn rules() -> RewardRules {
    RewardRules {
        referrer_cents: 1000,
        friend_cents: 1000,
        currency: Currency::parse("EUR").expect("currency"),
        min_order_cents: 2000,
        referrer_cap: 25,
        hold_days: 14,
        valid_days: 365,
        friend_reward: domain::model::FriendReward::Both,
    }
}

fn request(customer_id: &str) -> ReferralRequest {
    ReferralRequest {
        customer_id: CustomerId::parse(customer_id).expect("id"),
        email: Email::parse(&format!("{customer_id}@example.com")).expect("email"),
        name: None,
        locale: Some(Locale::De),
    }
}

/// The request writes the order, the rewards, both mails and both `reward.issued` events in one
/// transaction after one read; delivery then costs one query and, per message, a claim and a
/// result (1 WRU each, on the message item that carries its payload).
#[tokio::test]
async fn a_rewarded_order_costs_two_requests_and_its_delivery_two_writes_per_message() {
    let (store, counter) = fresh_counting_store().await;
    let store = Arc::new(store);
    let delivery = TestDelivery::new(store.clone(), Arc::new(SystemClock));
    let shop = ShopIdentity {
        name: "Shop".into(),
        url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
        default_locale: Locale::De,
    };
    let events = Events::new(true);
    let referrals = ReferralService::new(
        store.clone(),
        Arc::new(SystemClock),
        http_tests::fingerprint_key(),
    )
    .with_events(events);
    let orders = OrderService::new(
        store.clone(),
        Arc::new(SystemClock),
        rules(),
        shop,
        events,
        http_tests::fingerprint_key(),
    );
    let code = referrals
        .get_or_create(request("max"), &http_tests::test_link)
        .await
        .expect("code")
        .0
        .code;
    delivery.deliver().await;
    counter.take();

    let order = Order {
        order_id: OrderId::parse("o-1").expect("id"),
        customer_id: CustomerId::parse("anna").expect("id"),
        email: Email::parse("anna@example.com").expect("email"),
        name: None,
        locale: None,
        total_cents: domain::model::MinorUnits::new(5000).expect("bounded"),
        currency: Currency::parse("EUR").expect("currency"),
        referral_code: Some(CarriedCode::Wellformed(code)),
        placed_at: Utc::now(),
        placed_at_given: false,
        signals: Default::default(),
    };
    let answer = orders.record(order.clone()).await.expect("recorded");
    assert!(
        matches!(
            answer.referral.as_ref().map(|r| &r.result),
            Some(domain::model::ReferralResult::Rewarded(_))
        ),
        "{answer:?}"
    );
    let requests = counter.take();
    println!("rewarded order: {} requests {requests:?}", requests.len());
    assert_eq!(requests, ["BatchGetItem", "TransactWriteItems"]);

    let report = delivery.deliver().await;
    assert_eq!(report.delivered, 4, "two mails, two reward.issued events");
    assert_eq!(delivery.mails().len(), 2);
    let mut delivering = counter.take();
    println!("its delivery: {delivering:?}");
    delivering.sort();
    let mut expected = vec!["Query", "Query"];
    // Per message: the claim, which returns the payload riding on the message item, and the
    // result; no read of a payload item.
    expected.extend(["UpdateItem"; 8]);
    expected.sort();
    assert_eq!(delivering, expected, "the second query finds nothing left");

    orders.record(order).await.expect("replayed");
    assert_eq!(counter.take(), ["BatchGetItem"], "a replay is one read");
    assert_eq!(
        delivery.deliver().await.delivered,
        0,
        "and writes nothing to send"
    );
}

#[tokio::test]
async fn referral_codes_cost_one_or_two_requests() {
    let (store, counter) = fresh_counting_store().await;
    let store = Arc::new(store);
    let referrals = ReferralService::new(
        store.clone(),
        Arc::new(SystemClock),
        http_tests::fingerprint_key(),
    );

    let code = referrals
        .get_or_create(request("max"), &http_tests::test_link)
        .await
        .expect("created")
        .0
        .code;
    assert_eq!(
        counter.take(),
        ["GetItem", "TransactWriteItems"],
        "first call"
    );
    referrals
        .get_or_create(request("max"), &http_tests::test_link)
        .await
        .expect("existing");
    assert_eq!(counter.take(), ["GetItem"], "repeat call");
    let anna = http_tests::visitor(&code, 1);
    store
        .count_click(&code, &anna, Utc::now())
        .await
        .expect("click");
    assert_eq!(
        counter.take(),
        ["GetItem", "PutItem", "PutItem"],
        "click: is the code known, the visitor's mark, then the click's own tally (1 WRU each)"
    );
    store
        .count_click(&code, &anna, Utc::now())
        .await
        .expect("click");
    assert_eq!(
        counter.take(),
        ["GetItem", "PutItem"],
        "the same visitor within the hour: the mark's condition fails, no tally"
    );
    store
        .referral_stats(&CustomerId::parse("max").expect("id"))
        .await
        .expect("stats");
    assert_eq!(
        counter.take(),
        ["GetItem", "BatchGetItem"],
        "stats: the profile, then the code and its counts"
    );
}

/// Listing responses reads the sparse `responses` index with one Query per page within a
/// month (each page asks for one answer more than it shows, to know whether another follows),
/// never a Scan, however many answers the table holds.
#[tokio::test]
async fn a_page_of_responses_costs_one_query() {
    use chrono::{Duration, NaiveDate, TimeZone};
    use domain::model::{
        Answer, Category, ResponseCursor, ResponseFilter, Score, SurveyDecision, SurveyRequest,
        SurveyToken,
    };
    use domain::ports::{MetricsStore, SurveyRequestCommit, SurveyStore};

    let (store, counter) = fresh_counting_store().await;
    let start = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("instant");
    for n in 0..250 {
        let at = start + Duration::minutes(n * 97);
        let token = SurveyToken::generate();
        let commit = SurveyRequestCommit {
            request: SurveyRequest {
                order_id: OrderId::parse(&format!("o-{n}")).expect("id"),
                customer_id: CustomerId::parse(&format!("c-{n}")).expect("id"),
                email: Email::parse(&format!("c{n}@example.com")).expect("email"),
                name: None,
                locale: None,
                segment: None,
            },
            request_hash: n.to_string(),
            person: http_tests::fingerprint_key()
                .person(&Email::parse(&format!("c{n}@example.com")).expect("email")),
            decision: SurveyDecision::Sent(token.clone()),
            sent_at: at,
            throttle_cutoff: at,
            messages: Vec::new(),
        };
        store.commit_survey_request(&commit).await.expect("sent");
        let survey = store.survey(&token).await.expect("read").expect("stored");
        let answer = Answer {
            score: Score::new((n % 11) as u8).expect("score"),
            comment: None,
            answered_at: at,
            revision: 1,
        };
        assert!(store
            .record_answer(
                &survey,
                &answer,
                None,
                &[],
                &Tally::answer(&survey, &answer, None)
            )
            .await
            .expect("answered"));
    }
    counter.take();

    let november = |category| ResponseFilter {
        from: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        to: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
        category,
        has_comment: None,
        follow_up: None,
        segment: None,
    };
    let mut cursor: Option<ResponseCursor> = None;
    let mut per_page = Vec::new();
    let mut listed = 0;
    loop {
        let page = store
            .responses(&november(None), cursor.as_ref(), 100)
            .await
            .expect("page");
        listed += page.responses.len();
        per_page.push(counter.take());
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, 250);
    assert_eq!(
        per_page,
        vec![vec!["Query".to_owned()]; 3],
        "three pages of 100, 100 and 50: one Query each"
    );

    // Filtered, a page examines answers until it is full: requests grow with the answers
    // examined (here all 250, in pages of 101), still only Query.
    let detractors = store
        .responses(&november(Some(Category::Detractor)), None, 100)
        .await
        .expect("page");
    assert_eq!(detractors.responses.len(), 100);
    let requests = counter.take();
    assert!(
        requests.iter().all(|r| r == "Query") && requests.len() <= 3,
        "{requests:?}"
    );
}

/// The keys a `dynamodb:LeadingKeys` condition of the template allows, by the statement's `Sid`.
fn leading_keys(sid: &str) -> Vec<String> {
    let template = include_str!("../../../infra/template.yaml");
    let statement = &template[template
        .find(&format!("Sid: {sid}"))
        .unwrap_or_else(|| panic!("the template has statement {sid}"))..];
    let line = statement
        .lines()
        .find(|line| line.trim_start().starts_with("dynamodb:LeadingKeys:"))
        .expect("a LeadingKeys condition");
    let list = line
        .split_once(':')
        .expect("key")
        .1
        .split_once(':')
        .expect("list")
        .1;
    serde_json::from_str(list.trim()).expect("a list of patterns")
}

/// IAM's `StringLike`: `*` matches any run of characters.
fn like(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((head, tail)) => {
            value.starts_with(head) && value.len() >= head.len() + tail.len() && {
                let rest = &value[head.len()..];
                (0..=rest.len()).any(|i| rest.is_char_boundary(i) && like(tail, &rest[i..]))
            }
        }
    }
}

/// The emulator does not evaluate `dynamodb:LeadingKeys` conditions, so the keys score-nps's
/// role is confined to (infra/template.yaml) are held here against the keys the dashboard's
/// follow-up actually reads and writes, on the wire.
#[tokio::test]
async fn the_dashboards_follow_up_touches_only_the_keys_score_nps_may() {
    use domain::model::{FollowUpNote, FollowUpStatus, Score, SurveyDecision, SurveyRequest};
    use domain::services::{FollowUpService, ReferralLinks, SurveyRules, SurveyService};

    let recorder = http_tests::dynamo::KeyRecorder::default();
    let store = Arc::new(http_tests::dynamo::fresh_intercepted_store(recorder.clone()).await);
    let clock = Arc::new(SystemClock);
    let shop = ShopIdentity {
        name: "Shop".into(),
        url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
        default_locale: Locale::De,
    };
    let surveys = SurveyService::new(
        store.clone(),
        clock.clone(),
        shop.clone(),
        Email::parse("support@example.com").expect("email"),
        SurveyRules {
            throttle_days: 0,
            ttl_days: 30,
            reminder_days: 0,
        },
        ReferralService::new(store.clone(), clock.clone(), http_tests::fingerprint_key()),
        ReferralLinks::ShopLanding(shop.url.clone()),
        Events::new(false),
        http_tests::fingerprint_key(),
    );
    let request = SurveyRequest {
        order_id: OrderId::parse("o-1").expect("id"),
        customer_id: CustomerId::parse("c-1").expect("id"),
        email: Email::parse("c-1@example.com").expect("email"),
        name: None,
        locale: Some(Locale::De),
        segment: None,
    };
    let SurveyDecision::Sent(token) = surveys
        .request(request, "https://survey.example")
        .await
        .expect("sent")
    else {
        panic!("a sent survey");
    };
    surveys
        .answer(&token, Score::parse("2").expect("score"), None)
        .await
        .expect("a detractor's answer");
    recorder.take();

    let follow_ups = FollowUpService::new(store.clone(), clock);
    follow_ups
        .record(
            &token.survey_id(),
            FollowUpStatus::Contacted,
            FollowUpNote::parse("called").expect("note"),
        )
        .await
        .expect("recorded");
    let touched = recorder.take();
    assert!(
        touched.iter().any(|(action, _)| action == "UpdateItem"),
        "the follow-up writes: {touched:?}"
    );
    let reads = leading_keys("ReadASurveyToFollowUp");
    let writes = leading_keys("WriteOnlyFollowUps");
    let tallies = leading_keys("WriteOnlyTheFollowUpsTally");
    for (action, key) in &touched {
        let allowed = match action.as_str() {
            "GetItem" => &reads,
            "UpdateItem" => &writes,
            "PutItem" => &tallies,
            other => panic!("score-nps's role grants no {other} (key {key})"),
        };
        assert!(
            allowed.iter().any(|pattern| like(pattern, key)),
            "{action} on {key}: outside {allowed:?}"
        );
    }
}

/// A payload that fits one 1 KB write with its message rides on the message item; a larger one
/// (a detractor alert with a 2 000-character comment) gets an item of its own. Both are
/// delivered whole.
#[tokio::test]
async fn a_payload_rides_with_its_message_unless_it_is_too_large() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let store = Arc::new(http_tests::dynamo::fresh_store().await);
    let stack = http_tests::platforms::PlatformStack::new(store.clone(), &[]);
    let sent = stack
        .storefront(
            "POST",
            "/lambda-url/collect-survey/surveys",
            Some(serde_json::json!({"order_id": "o-1", "customer_id": "c-1",
                                    "email": "anna@example.com", "locale": "de"})),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    let token = http_tests::mails::survey_token(&stack.mails().await, "anna@example.com")
        .expect("the survey mail");
    let comment = "Das Paket kam kaputt an. ".repeat(80);
    let comment = comment.trim();
    let answered = stack
        .call(
            "POST",
            &format!("/lambda-url/collect-survey/s/{token}"),
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            format!("score=2&comment={}", comment.replace(' ', "+")).into_bytes(),
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.text);

    let items = http_tests::dynamo::scan_items(
        store.client(),
        store.table(),
        Some((
            "begins_with(PK, :value)",
            AttributeValue::S("OUTBOX#".into()),
        )),
    )
    .await;
    let sort_key = |item: &std::collections::HashMap<String, AttributeValue>| {
        item.get("SK").and_then(|v| v.as_s().ok()).cloned()
    };
    let kind = |item: &std::collections::HashMap<String, AttributeValue>| {
        item.get("kind").and_then(|v| v.as_s().ok()).cloned()
    };
    let messages: Vec<_> = items
        .iter()
        .filter(|i| sort_key(i).as_deref() == Some("OUTBOX"))
        .collect();
    let bodies: Vec<_> = items
        .iter()
        .filter(|i| sort_key(i).as_deref() == Some("BODY"))
        .collect();
    assert_eq!(messages.len(), 2, "the survey mail and the detractor alert");
    assert_eq!(bodies.len(), 1, "only the alert's payload has its own item");
    for message in &messages {
        let inline = message.contains_key("payload");
        let alert = kind(message).as_deref() == Some("detractor_alert");
        assert_eq!(inline, !alert, "{:?}", kind(message));
        let json = serde_json::to_string(&message.keys().collect::<Vec<_>>()).expect("json");
        let size: usize = message
            .iter()
            .map(|(name, value)| name.len() + value.as_s().map_or(12, String::len))
            .sum();
        assert!(size < 1024, "{size} bytes: {json}");
    }
    assert_eq!(
        bodies[0].get("PK"),
        messages
            .iter()
            .find(|m| kind(m).as_deref() == Some("detractor_alert"))
            .and_then(|m| m.get("PK"))
    );

    let mails = stack.mails().await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    let alert = mails
        .iter()
        .find(|m| m.contains("To: support@example.com"))
        .expect("the alert");
    assert!(alert.contains(comment), "the whole comment: {alert}");

    // Erasing the customer takes the content either way: the attribute, and the payload's item.
    let erased = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/c-1", None)
        .await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    let left = http_tests::dynamo::scan_items(
        store.client(),
        store.table(),
        Some((
            "begins_with(PK, :value)",
            AttributeValue::S("OUTBOX#".into()),
        )),
    )
    .await;
    assert!(
        left.iter().all(
            |item| sort_key(item).as_deref() == Some("OUTBOX") && !item.contains_key("payload")
        ),
        "no content left: {left:?}"
    );
}
