//! Every route of the five request functions, run in-process over the DynamoDB adapter against the
//! emulator: the DynamoDB requests each one sends (counted on the wire), the capacity units
//! they consume (`ReturnConsumedCapacity`), then the deliverer's requests for the outbox messages
//! the route wrote and the mails it sent (counted in the mail folder), the handler time, and the
//! dollars per million operations all of it adds up to on AWS.
//!
//! Usage: route-costs [repetitions]   (AWS_ENDPOINT_URL: the emulator; run by bench/run.sh)

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use bench::capacity::{CapacityRecorder, Units};
use bench::pricing::{self, cost_per_million};
use bench::stats::{median, millis};
use domain::ports::TallyStore;
use http_tests::platforms::{fixture, sign, SHOPIFY_SECRET};
use serde_json::{json, Value};
use tower::ServiceExt;

const API_KEY: &str = "bench-storefront-key-0123456789";
const STAFF_KEY: &str = "bench-staff-key-0123456789";
const PRIVACY_KEY: &str = "bench-privacy-key-0123456789";

/// The key of the role a route belongs to (docs/api.md, *HTTP API*).
fn key_for(path: &str) -> &'static str {
    if path.starts_with(SN) || path.contains("/follow-up") || path.contains("/outbox/") {
        STAFF_KEY
    } else if path.starts_with(CD) {
        PRIVACY_KEY
    } else {
        API_KEY
    }
}

/// One route in one situation, with the fewest requests it could do with, and why ours differs.
struct Case {
    label: &'static str,
    minimum: usize,
    why: &'static str,
}

impl Case {
    const fn new(label: &'static str, minimum: usize) -> Self {
        Self {
            label,
            minimum,
            why: "",
        }
    }

    const fn above_because(self, why: &'static str) -> Self {
        Self { why, ..self }
    }
}

struct Call {
    method: Method,
    path: String,
    body: Option<Value>,
    /// A form as a browser posts it, instead of a JSON body.
    form: Option<String>,
    /// A platform's own headers (webhooks are signed, not keyed).
    headers: Vec<(&'static str, String)>,
}

#[derive(Default)]
struct Observed {
    durations: Vec<Duration>,
    sequences: HashMap<Vec<String>, usize>,
    units: Units,
    delivery_sequences: HashMap<Vec<String>, usize>,
    delivery_units: Units,
    /// What the aggregator spends on this request's tally applied alone: an upper bound, since
    /// in a stream batch the counter writes are shared by every tally of the batch.
    aggregation_units: Units,
    mails: usize,
    runs: usize,
    /// The answer's bytes, for pages.
    bytes: usize,
}

struct Bench {
    app: Router,
    deliverer: domain::services::Deliverer,
    store: Arc<store_dynamodb::DynamoStore>,
    recorder: CapacityRecorder,
    outbox: std::path::PathBuf,
    observed: Vec<(Case, Observed)>,
}

struct Answer {
    status: StatusCode,
    body: Value,
}

impl Bench {
    fn mails(&self) -> usize {
        std::fs::read_dir(&self.outbox).map_or(0, |entries| entries.count())
    }

    /// Sends one request, checks its status, and files what it cost under `case`.
    async fn call(&mut self, case: Case, call: Call, expected: StatusCode) -> Value {
        let Call {
            method,
            path,
            body,
            form,
            headers,
        } = call;
        let mut request = Request::builder()
            .method(method)
            .uri(&path)
            .header("host", "127.0.0.1:9000")
            .header("accept", "application/json");
        // The route's role's key, unless the call authenticates otherwise (the dashboard's Basic).
        if !headers.iter().any(|(name, _)| *name == "authorization") {
            request = request.header("authorization", format!("Bearer {}", key_for(&path)));
        }
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let body = match (body, form) {
            (Some(body), _) => {
                request = request.header("content-type", "application/json");
                Body::from(body.to_string())
            }
            (None, Some(form)) => {
                request = request.header("content-type", "application/x-www-form-urlencoded");
                Body::from(form)
            }
            (None, None) => Body::empty(),
        };
        let request = request.body(body).expect("request is well-formed");
        self.recorder.take();
        let mails_before = self.mails();
        let started = Instant::now();
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let elapsed = started.elapsed();
        let sent = self.recorder.take();
        // What deliver-outbox then does for the messages this request wrote.
        self.deliverer.sweep().await.expect("delivery sweep");
        let delivery = self.recorder.take();
        // And what the aggregator then does for the request's tally (found by a scan the
        // stream makes unnecessary, so not counted).
        let tallies = http_tests::aggregate::pending_tallies(&self.store).await;
        self.recorder.take();
        self.store
            .apply_tallies(&tallies)
            .await
            .expect("applying the tally");
        let aggregation = self.recorder.take();
        let answer = Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        };
        assert_eq!(
            answer.status, expected,
            "{}: {path} answered {}",
            case.label, answer.body
        );
        let mails = self.mails() - mails_before;
        let slot = match self
            .observed
            .iter()
            .position(|(c, _)| c.label == case.label)
        {
            Some(slot) => slot,
            None => {
                self.observed.push((case, Observed::default()));
                self.observed.len() - 1
            }
        };
        let observed = &mut self.observed[slot].1;
        observed.durations.push(elapsed);
        observed.runs += 1;
        observed.mails += mails;
        observed.bytes = bytes.len();
        for request in &sent {
            observed.units += request.units;
        }
        *observed
            .sequences
            .entry(sent.into_iter().map(|r| r.operation).collect())
            .or_default() += 1;
        for request in &delivery {
            observed.delivery_units += request.units;
        }
        for request in &aggregation {
            observed.aggregation_units += request.units;
        }
        *observed
            .delivery_sequences
            .entry(delivery.into_iter().map(|r| r.operation).collect())
            .or_default() += 1;
        answer.body
    }
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} missing in {value}"))
}

const CR: &str = "/lambda-url/create-referral";
const RR: &str = "/lambda-url/reward-referral";
const CS: &str = "/lambda-url/collect-survey";
const SN: &str = "/lambda-url/score-nps";
const CD: &str = "/lambda-url/customer-data";

impl Call {
    fn with(self, headers: Vec<(&'static str, String)>) -> Self {
        Self { headers, ..self }
    }
}

fn get(path: String) -> Call {
    Call {
        method: Method::GET,
        path,
        body: None,
        form: None,
        headers: Vec::new(),
    }
}

fn post(path: String, body: Value) -> Call {
    Call {
        method: Method::POST,
        path,
        body: Some(body),
        form: None,
        headers: Vec::new(),
    }
}

/// A browser's form post.
fn form(path: String, fields: &str) -> Call {
    Call {
        method: Method::POST,
        path,
        body: None,
        form: Some(fields.to_owned()),
        headers: Vec::new(),
    }
}

fn post_empty(path: String) -> Call {
    Call {
        method: Method::POST,
        path,
        body: None,
        form: None,
        headers: Vec::new(),
    }
}

/// Shopify's delivery of `body` on `topic`, signed as Shopify signs it.
fn shopify(topic: &str, event_id: String, body: Value) -> Call {
    let signature = sign(SHOPIFY_SECRET, body.to_string().as_bytes());
    Call {
        method: Method::POST,
        path: format!("{RR}/webhooks/shopify"),
        body: Some(body),
        form: None,
        headers: vec![
            ("x-shopify-topic", topic.to_owned()),
            ("x-shopify-hmac-sha256", signature),
            ("x-shopify-event-id", event_id),
        ],
    }
}

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;
const FOUND: StatusCode = StatusCode::FOUND;

async fn one_round(bench: &mut Bench, round: usize) {
    let referrer = format!("ref-{round}");
    let profile = json!({"customer_id": referrer, "email": format!("{referrer}@example.com"), "locale": "en"});
    let created = bench
        .call(
            Case::new("POST /referrals (new customer)", 1).above_because(
                "a GetItem first, because most calls are repeats (1 read instead of a failed \
                 conditional write plus a read); a blind conditional write would save it only on \
                 the first call",
            ),
            post(format!("{CR}/referrals"), profile.clone()),
            CREATED,
        )
        .await;
    let code = str_at(&created, "/code").to_owned();
    let repeat = Case::new("POST /referrals (existing customer)", 1);
    bench
        .call(repeat, post(format!("{CR}/referrals"), profile), OK)
        .await;
    let stats = Case::new("GET /referrals/{customer_id}", 2);
    bench
        .call(stats, get(format!("{CR}/referrals/{referrer}")), OK)
        .await;
    // A person in a browser, then the same person again within the hour.
    let person = || vec![("user-agent", http_tests::browser(round))];
    let click = Case::new("GET /r/{code} (a person's click: the offer's page)", 2).above_because(
        "a read of the code, then the visitor's mark (the hourly dedupe) before the click's tally",
    );
    bench
        .call(click, get(format!("{CR}/r/{code}")).with(person()), OK)
        .await;
    let repeat_click = Case::new("GET /r/{code} (the same visitor within the hour)", 1)
        .above_because("the read of the code, then the mark's refused condition");
    bench
        .call(
            repeat_click,
            get(format!("{CR}/r/{code}")).with(person()),
            OK,
        )
        .await;
    let preview = Case::new("GET /r/{code} (a link preview bot)", 1);
    let unfurler = vec![("user-agent", "WhatsApp/2.24.6.77 A".to_owned())];
    bench
        .call(preview, get(format!("{CR}/r/{code}")).with(unfurler), OK)
        .await;
    let claimant = format!("email=claim-{round}%40example.com");
    let claim = Case::new("POST /r/{code} (a claim)", 2).above_because(
        "a BatchGetItem of the code, the claim and the guard, then the `people` index for past \
         orders before the claim's TransactWriteItems",
    );
    bench
        .call(claim, form(format!("{CR}/r/{code}"), &claimant), OK)
        .await;
    let repeat_claim = Case::new("POST /r/{code} (the same person again)", 1);
    bench
        .call(repeat_claim, form(format!("{CR}/r/{code}"), &claimant), OK)
        .await;
    let api_claim = Case::new("POST /referrals/{code}/claims (a claim)", 2)
        .above_because("as the form: the `people` index tells whether the address has ordered");
    bench
        .call(
            api_claim,
            post(
                format!("{CR}/referrals/{code}/claims"),
                json!({"email": format!("api-claim-{round}@example.com")}),
            ),
            CREATED,
        )
        .await;
    let stray = Case::new("GET /r/{code} (unknown code)", 1);
    bench
        .call(stray, get(format!("{CR}/r/ZZZZ2222")), FOUND)
        .await;

    let friend = format!("friend-{round}");
    let order = json!({"order_id": format!("o-{round}"), "customer_id": friend,
        "email": format!("{friend}@example.com"), "locale": "en", "total_cents": 5000,
        "currency": "EUR", "referral_code": code});
    let rewarded = bench
        .call(
            Case::new("POST /orders (rewarded)", 2),
            post(format!("{RR}/orders"), order.clone()),
            OK,
        )
        .await;
    assert_eq!(
        str_at(&rewarded, "/referral/status"),
        "rewarded",
        "{rewarded}"
    );
    let coupon = str_at(&rewarded, "/referral/rewards/1/coupon").to_owned();
    // The review rules' facts: an IP and a shipping address of the friend's own.
    let street =
        |n: &str| json!({"line1": format!("Weg {n}"), "postcode": "10115", "country": "DE"});
    let second = format!("friend2-{round}");
    let with_facts = json!({"order_id": format!("o2-{round}"), "customer_id": second,
        "email": format!("{second}@example.com"), "total_cents": 5000, "currency": "EUR",
        "referral_code": code, "ip": format!("203.0.113.{}", round % 250),
        "shipping_address": street(&second)});
    let checked = Case::new("POST /orders (rewarded, with ip and shipping_address)", 2)
        .above_because(
            "the referrer's review marks (GetItem), read when the order has a mark to compare",
        );
    let checked = bench
        .call(checked, post(format!("{RR}/orders"), with_facts), OK)
        .await;
    assert_eq!(
        str_at(&checked, "/referral/status"),
        "rewarded",
        "{checked}"
    );
    // The referrer ships home; a friend shipping there too is held.
    let home = json!({"order_id": format!("home-{round}"), "customer_id": referrer,
        "email": format!("{referrer}@example.com"), "total_cents": 3000, "currency": "EUR",
        "shipping_address": street(&referrer)});
    bench
        .call(
            Case::new("POST /orders (no code, with shipping_address)", 2),
            post(format!("{RR}/orders"), home),
            OK,
        )
        .await;
    let third = format!("friend3-{round}");
    let held_order = json!({"order_id": format!("o3-{round}"), "customer_id": third,
        "email": format!("{third}@example.com"), "total_cents": 5000, "currency": "EUR",
        "referral_code": code, "shipping_address": street(&referrer)});
    let held = Case::new("POST /orders (held for review: the referrer's address)", 2)
        .above_because("the referrer's review marks (GetItem)");
    let held = bench
        .call(held, post(format!("{RR}/orders"), held_order), OK)
        .await;
    assert_eq!(str_at(&held, "/referral/status"), "review", "{held}");
    bench
        .call(
            Case::new("GET /reviews (open)", 1),
            get(format!("{RR}/reviews?limit=10")),
            OK,
        )
        .await;
    let approve = Case::new("POST /reviews/{order_id} (approve)", 2).above_because(
        "the review (GetItem), its coupons and both profiles (BatchGetItem), then one \
         TransactWriteItems; read again for the answer",
    );
    bench
        .call(
            approve,
            post(
                format!("{RR}/reviews/o3-{round}"),
                json!({"decision": "approve"}),
            ),
            OK,
        )
        .await;
    let own_page = Case::new("GET /me/{code}/{key} (the referrer's page)", 3).above_because(
        "the code item (owner, counters), the owner's coupon keys on the keys-only `customers` \
         index, then the coupons in one BatchGetItem: nothing of any friend is read",
    );
    let page_url = str_at(&created, "/page_url");
    let page_path = page_url
        .strip_prefix("http://127.0.0.1:9000")
        .unwrap_or(page_url)
        .to_owned();
    bench.call(own_page, get(page_path), OK).await;
    let replay = Case::new("POST /orders (replay)", 1);
    bench
        .call(replay, post(format!("{RR}/orders"), order), OK)
        .await;
    let plain = format!("plain-{round}");
    let plain_order = json!({"order_id": format!("p-{round}"), "customer_id": plain,
        "email": format!("{plain}@example.com"), "total_cents": 5000, "currency": "EUR"});
    let uncoded = Case::new("POST /orders (no code)", 2);
    bench
        .call(uncoded, post(format!("{RR}/orders"), plain_order), OK)
        .await;
    let own_code = json!({"order_id": format!("s-{round}"), "customer_id": referrer,
        "email": format!("{referrer}@example.com"), "total_cents": 5000, "currency": "EUR",
        "referral_code": code});
    let self_referral = Case::new("POST /orders (rejected: self-referral)", 2);
    let rejected = bench
        .call(self_referral, post(format!("{RR}/orders"), own_code), OK)
        .await;
    assert_eq!(
        str_at(&rejected, "/referral/status"),
        "rejected",
        "{rejected}"
    );
    let lookup = Case::new("GET /coupons/{code}", 1);
    bench
        .call(lookup, get(format!("{RR}/coupons/{coupon}")), OK)
        .await;
    let redeem = Case::new("POST /coupons/{code}/redeem", 1);
    let next_order = json!({"order_id": format!("next-{round}")});
    bench
        .call(
            redeem,
            post(format!("{RR}/coupons/{coupon}/redeem"), next_order),
            OK,
        )
        .await;
    let refund = Case::new(
        "POST /orders/{order_id}/refund (one coupon redeemed, one revoked)",
        3,
    )
    .above_because(
        "coupons are read again after revoking so the answer shows their final state even \
             if one was redeemed meanwhile; each issued coupon is revoked in its own transaction \
             (one more per coupon) so a concurrent redemption cannot cancel the other's \
             revocation. Refunds are rare",
    );
    bench
        .call(
            refund,
            post_empty(format!("{RR}/orders/o-{round}/refund")),
            OK,
        )
        .await;

    let mut platform_order = fixture("shopify/order.json");
    platform_order["id"] = json!(900_000 + round);
    platform_order["email"] = json!(format!("shopper-{round}@example.com"));
    platform_order["customer"]["id"] = json!(800_000 + round);
    platform_order["note_attributes"] = json!([{"name": "ref", "value": code}]);
    // Each round's buyer from a network of their own: the fixture's one IP would be held by
    // `orders_per_ip` from the fourth round on.
    let ip = format!("198.51.100.{}", round % 250);
    platform_order["browser_ip"] = json!(ip);
    platform_order["client_details"]["browser_ip"] = json!(ip);
    let webhook_order = Case::new("POST /webhooks/shopify orders/create (rewarded)", 2)
        .above_because(
        "the delivery id is looked up first (GetItem) and the answer kept after (PutItem), so a \
             redelivery costs one read and does no work",
    );
    let answered = bench
        .call(
            webhook_order,
            shopify(
                "orders/create",
                format!("evt-{round}"),
                platform_order.clone(),
            ),
            OK,
        )
        .await;
    assert_eq!(str_at(&answered, "/referral/status"), "rewarded");
    let redelivery = Case::new("POST /webhooks/shopify (redelivery)", 1);
    bench
        .call(
            redelivery,
            shopify("orders/create", format!("evt-{round}"), platform_order),
            OK,
        )
        .await;
    let mut partial = fixture("shopify/refund.json");
    partial["order_id"] = json!(900_000 + round);
    let webhook_refund = Case::new("POST /webhooks/shopify refunds/create (partial, kept)", 1)
        .above_because("the delivery id's GetItem and PutItem, as above");
    bench
        .call(
            webhook_refund,
            shopify("refunds/create", format!("ref-evt-{round}"), partial),
            OK,
        )
        .await;

    let mut tokens = Vec::new();
    for kind in ["passive", "detractor", "promoter"] {
        let customer = format!("{kind}-{round}");
        // With a segment and a locale, as a shop that reads NPS by segment sends them: each
        // answer then also moves its segment's and its locale's day counters.
        let request = json!({"order_id": format!("{kind}-order-{round}"), "customer_id": customer,
            "email": format!("{customer}@example.com"), "locale": "en", "segment": "shoes"});
        let sent = Case::new("POST /surveys (sent)", 2);
        let answer = bench
            .call(
                sent,
                post(format!("{CS}/surveys"), request.clone()),
                CREATED,
            )
            .await;
        assert!(str_at(&answer, "/survey_id").starts_with("srv_"));
        // The link token is in the customer's mail alone, as the customer gets it.
        let mails = http_tests::mails::in_folder(&bench.outbox);
        tokens.push(
            http_tests::mails::survey_token(&mails, &format!("{customer}@example.com"))
                .expect("the survey mail was sent by the call"),
        );
        if kind == "passive" {
            // A replay answers as the first request did, 201 included.
            let replay = Case::new("POST /surveys (replay)", 1);
            bench
                .call(replay, post(format!("{CS}/surveys"), request), CREATED)
                .await;
        }
    }
    let [passive, detractor, promoter] = [&tokens[0], &tokens[1], &tokens[2]];
    let page = Case::new("GET /s/{token}?score=N", 1);
    bench
        .call(page, get(format!("{CS}/s/{passive}?score=7")), OK)
        .await;
    let first = Case::new("POST /s/{token} (first answer, passive)", 2);
    bench
        .call(
            first,
            post(format!("{CS}/s/{passive}"), json!({"score": "7"})),
            OK,
        )
        .await;
    let changed = Case::new("POST /s/{token} (changed answer)", 2);
    let change = json!({"score": "8", "comment": "ok"});
    bench
        .call(changed, post(format!("{CS}/s/{passive}"), change), OK)
        .await;
    let alert = Case::new("POST /s/{token} (detractor, alert mailed)", 2);
    let low = json!({"score": "3", "comment": "late"});
    bench
        .call(alert, post(format!("{CS}/s/{detractor}"), low), OK)
        .await;
    let promoter_case = Case::new("POST /s/{token} (promoter, link created)", 3).above_because(
        "the promoter's code comes from the same read-then-create path as `POST /referrals` \
         (GetItem + TransactWriteItems); a promoter who already has a code costs 3",
    );
    let high = json!({"score": "10"});
    bench
        .call(promoter_case, post(format!("{CS}/s/{promoter}"), high), OK)
        .await;
    let detractor_id = domain::model::SurveyToken::parse(detractor)
        .expect("a link token")
        .survey_id();
    let follow_up = Case::new("POST /responses/{survey_id}/follow-up", 2).above_because(
        "the public id is resolved to the survey's key first (GetItem on `SURVEYID#`), then the \
         survey read, then the conditional update with its counter in one transaction",
    );
    bench
        .call(
            follow_up,
            post(
                format!("{CS}/responses/{detractor_id}/follow-up"),
                json!({"status": "contacted", "note": "called"}),
            ),
            OK,
        )
        .await;
    let confirm = Case::new("GET /u/{token}", 1);
    bench
        .call(confirm, get(format!("{CS}/u/{passive}")), OK)
        .await;
    let unsubscribe = Case::new("POST /u/{token}", 2).above_because(
        "the survey item is read twice, by the service (for the page's locale) and by the \
         adapter (for the person key); a port taking the person key would save one 0.5 RRU \
         read. Unsubscribes are rare",
    );
    bench
        .call(unsubscribe, post_empty(format!("{CS}/u/{passive}")), OK)
        .await;

    // Retention needs two partitions: the activity-span deltas and the range's order days.
    for (label, minimum, path) in [
        (
            "GET /nps (one year, monthly series)",
            1,
            "/nps?from=2026-01-01&to=2026-12-31&interval=month",
        ),
        (
            "GET /retention (one year)",
            2,
            "/retention?from=2026-01-01&to=2026-12-31",
        ),
        (
            "GET /referrals/stats (one year)",
            1,
            "/referrals/stats?from=2026-01-01&to=2026-12-31",
        ),
        (
            "GET /nps/segments (one year)",
            1,
            "/nps/segments?from=2026-01-01&to=2026-12-31",
        ),
        (
            "GET /responses (a page of detractors, this month)",
            1,
            "/responses?category=detractor&limit=100",
        ),
        (
            "GET /responses as CSV (this month)",
            1,
            "/responses?format=csv",
        ),
    ] {
        bench
            .call(Case::new(label, minimum), get(format!("{SN}{path}")), OK)
            .await;
    }
    let page = Case::new("GET /dashboard (90 days)", 5).above_because(
        "a range of 90 days touches up to 4 months of the responses index: one Query per month \
         for the open detractors and one for the contacted ones, besides the NPS, funnel and \
         retention reads",
    );
    bench.call(page, dashboard(), OK).await;
    let marked = Case::new("POST /dashboard (a follow-up from its form)", 2).above_because(
        "as the follow-up route: the public id resolved (GetItem), the survey read, the \
         conditional update with its counter in one transaction",
    );
    let mut form_post = dashboard();
    form_post.method = Method::POST;
    form_post.form = Some(format!(
        "survey_id={detractor_id}&status=resolved&note=refunded"
    ));
    form_post
        .headers
        .push(("origin", "http://127.0.0.1:9000".to_owned()));
    bench.call(marked, form_post, StatusCode::SEE_OTHER).await;

    // The rewarded friend asks for their data, then to be forgotten.
    let export = Case::new("GET /customers/{id}/export (a rewarded friend)", 2).above_because(
        "the customers index gives the item keys, one BatchGetItem reads them; the opt-outs of \
         the fingerprints found on them are a second batch, since they are known only then",
    );
    bench
        .call(export, get(format!("{CD}/customers/{friend}/export")), OK)
        .await;
    let by_address = Case::new("POST /customers/export (by address)", 3)
        .above_because("the people index and its items name the customer ids, then as by id");
    bench
        .call(
            by_address,
            post(
                format!("{CD}/customers/export"),
                json!({"email": format!("{friend}@example.com")}),
            ),
            OK,
        )
        .await;
    let erase = Case::new("DELETE /customers/{id} (a rewarded friend)", 2).above_because(
        "after the two reads, one write per item that holds personal data (the profile, the \
         reward mail): item by item and idempotent, not one transaction, which a customer's \
         items could outgrow",
    );
    bench
        .call(erase, delete(format!("{CD}/customers/{friend}")), OK)
        .await;
}

fn delete(path: String) -> Call {
    Call {
        method: Method::DELETE,
        path,
        body: None,
        form: None,
        headers: Vec::new(),
    }
}

/// The staff's dashboard over the last 90 days, with a staff key as its Basic password.
fn dashboard() -> Call {
    use base64::Engine;
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("staff:{STAFF_KEY}"));
    Call {
        method: Method::GET,
        path: format!("{SN}/dashboard"),
        body: None,
        form: None,
        headers: vec![("authorization", format!("Basic {credentials}"))],
    }
}

fn operations(sequence: &[String]) -> String {
    if sequence.is_empty() {
        return "–".into();
    }
    let mut counted: Vec<(String, usize)> = Vec::new();
    for operation in sequence {
        match counted.iter_mut().find(|(name, _)| name == operation) {
            Some((_, n)) => *n += 1,
            None => counted.push((operation.clone(), 1)),
        }
    }
    counted
        .into_iter()
        .map(|(name, n)| {
            if n == 1 {
                name
            } else {
                format!("{n}× {name}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn report(bench: &Bench, rounds: usize) {
    println!("### Requests per route\n");
    println!("| route | DynamoDB requests | operations | minimum | why above the minimum | then deliver-outbox |");
    println!("|---|---:|---|---:|---|---|");
    for (case, observed) in &bench.observed {
        let mut sequences: Vec<_> = observed.sequences.iter().collect();
        sequences.sort_by(|a, b| b.1.cmp(a.1));
        let (typical, _) = sequences[0];
        let varies = if sequences.len() > 1 {
            format!(
                " (varied: {})",
                sequences
                    .iter()
                    .map(|(s, n)| format!("{}×{n}", s.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        let delivery = observed
            .delivery_sequences
            .iter()
            .max_by_key(|(_, n)| **n)
            .map_or_else(|| "–".to_owned(), |(s, _)| operations(s));
        println!(
            "| `{}` | {}{varies} | {} | {} | {} | {delivery} |",
            case.label,
            typical.len(),
            operations(typical),
            case.minimum,
            if typical.len() > case.minimum {
                case.why
            } else {
                ""
            }
        );
    }
    println!("\n### Page sizes\n");
    println!("| page | bytes (HTML with its inline stylesheet; nothing else is loaded) |");
    println!("|---|---:|");
    for (case, observed) in &bench.observed {
        let page = ["/r/{code}", "GET /me/", "GET /dashboard"]
            .iter()
            .any(|route| case.label.contains(route));
        if page && observed.bytes > 0 {
            println!("| `{}` | {} |", case.label, observed.bytes);
        }
    }
    println!("\n### Cost per million operations\n");
    println!("Prices: {}. Lambda arm64 ${}/GB-s at {} MB and ${} per million requests, DynamoDB on-demand ${} per million WRU and ${} per million RRU, SES ${} per million mails.\n",
        pricing::PRICES_DATED, pricing::LAMBDA_ARM_PER_GB_SECOND, pricing::LAMBDA_MEMORY_MB,
        pricing::LAMBDA_REQUEST_PER_MILLION, pricing::DYNAMODB_WRITE_UNIT_PER_MILLION,
        pricing::DYNAMODB_READ_UNIT_PER_MILLION, pricing::SES_MAIL_PER_MILLION);
    println!("RRU and WRU: the request, then deliver-outbox sending its messages, then the aggregator applying its tally alone (in WRU: request + delivery + aggregation; a stream batch shares the aggregator's counter writes among its tallies, so its share is an upper bound).\n");
    println!("| route | handler, median of {rounds} (ms) | billed (ms) | RRU | WRU | WRU: request + delivery + aggregation | mails | Lambda ($) | DynamoDB ($) | SES ($) | total ($ per million) |");
    println!("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    for (case, observed) in &bench.observed {
        let runs = observed.runs as f64;
        let handler = millis(median(&observed.durations));
        let read =
            (observed.units.read + observed.delivery_units.read + observed.aggregation_units.read)
                / runs;
        let write = (observed.units.write
            + observed.delivery_units.write
            + observed.aggregation_units.write)
            / runs;
        let split = format!(
            "{:.1} + {:.1} + {:.1}",
            observed.units.write / runs,
            observed.delivery_units.write / runs,
            observed.aggregation_units.write / runs
        );
        let mails = observed.mails as f64 / runs;
        let cost = cost_per_million(handler, read, write, mails);
        println!(
            "| `{}` | {handler:.2} | {:.0} | {read:.2}{} | {write:.2}{} | {split} | {mails:.2} | {:.2} | {:.2} | {:.2} | **{:.2}** |",
            case.label,
            pricing::billed_millis(handler),
            if observed.units.read_computed { "†" } else { "" },
            if observed.units.write_computed { "†" } else { "" },
            cost.lambda_requests + cost.lambda_duration,
            cost.dynamodb,
            cost.ses,
            cost.total()
        );
    }
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let recorder = CapacityRecorder::default();
    let store = Arc::new(http_tests::dynamo::fresh_intercepted_store(recorder.clone()).await);

    let data = tempfile::tempdir().expect("temporary folder");
    let data_dir = data.path().to_owned();
    let vars: HashMap<&str, String> = [
        ("API_KEYS", API_KEY.to_owned()),
        ("STAFF_API_KEYS", STAFF_KEY.to_owned()),
        ("PRIVACY_API_KEYS", PRIVACY_KEY.to_owned()),
        ("SHOP_URL", "https://shop.example".to_owned()),
        ("SHOP_NAME", "Bench Shop".to_owned()),
        ("REWARD_HOLD_DAYS", "0".to_owned()),
        // The friend's offer on the share link, and both sides' coupons after the order.
        ("FRIEND_REWARD", "both".to_owned()),
        ("SHOPIFY_WEBHOOK_SECRET", SHOPIFY_SECRET.to_owned()),
        ("DATA_DIR", data_dir.display().to_string()),
    ]
    .into_iter()
    .collect();
    let options =
        local::Options::from_lookup(move |name| vars.get(name).cloned()).expect("options");
    let app = local::build_app_over(
        &options,
        "127.0.0.1:9000".parse().expect("address"),
        store.clone(),
    )
    .expect("routers");
    let mut bench = Bench {
        app: app.router,
        deliverer: app.deliverer,
        store,
        recorder,
        outbox: Path::new(&data_dir).join(local::OUTBOX_FOLDER),
        observed: Vec::new(),
    };
    for round in 0..rounds {
        one_round(&mut bench, round).await;
        eprint!("\rround {}/{rounds}", round + 1);
    }
    eprintln!();
    report(&bench, rounds);
}
