//! Bringing customers back, on both stores, with the stack's clock moved ahead as
//! `POST /_local/clock` moves it: a survey's one reminder (sent once, not after an answer, an
//! unsubscribe, an erasure or the link's end) and the win-back (moved by every order, sent once
//! after the lapse with a coupon made in the fake Shopify, never to the unsubscribed or erased,
//! the won-back order counted with its revenue).

use std::sync::Arc;

use chrono::{Duration, Utc};
use domain::ports::{Clock, MessageStatus};
use http_tests::contract_suite;
use http_tests::fakes::{ShopifyFake, WooCommerceFake};
use http_tests::platforms::{PlatformStack, PlatformStore as Store};
use serde_json::{json, Value};

const SURVEYS: &str = "/lambda-url/collect-survey";
const ORDERS: &str = "/lambda-url/reward-referral/orders";
const DAY: i64 = 24 * 3600;

fn stack<S: Store>(store: Arc<S>, vars: &[(&str, String)]) -> PlatformStack<S> {
    let mut all: Vec<(&str, &str)> = vec![
        ("WEBHOOK_URL", "http://127.0.0.1:9/events"),
        ("WEBHOOK_SECRET", "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"),
    ];
    all.extend(vars.iter().map(|(k, v)| (*k, v.as_str())));
    PlatformStack::new(store, &all)
}

/// Moves the stack's clock ahead, as `POST /_local/clock` does, and delivers what is due: a due
/// step, then what it wrote.
async fn advance<S: Store>(stack: &PlatformStack<S>, seconds: i64) -> Vec<String> {
    stack
        .app
        .clock
        .advance(seconds)
        .expect("the offset is kept");
    for _ in 0..3 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }
    stack.mails().await
}

fn subjects(mails: &[String]) -> Vec<String> {
    mails
        .iter()
        .filter_map(|mail| {
            mail.lines()
                .find_map(|line| line.strip_prefix("Subject: "))
                .map(str::to_owned)
        })
        .collect()
}

/// The survey token in a survey mail's links.
fn token(mail: &str) -> String {
    let start = mail.find("/s/").expect("a survey link") + 3;
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn survey<S: Store>(stack: &PlatformStack<S>, order: &str, email: &str) -> String {
    let answer = stack
        .storefront(
            "POST",
            &format!("{SURVEYS}/surveys"),
            Some(
                json!({"order_id": order, "customer_id": format!("c-{order}"),
                        "email": email, "locale": "de"}),
            ),
        )
        .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    let mails = stack.mails().await;
    let mail = mails
        .iter()
        .find(|m| m.contains(&format!("To: {email}")))
        .expect("the survey mail");
    token(mail)
}

async fn form<S: Store>(stack: &PlatformStack<S>, path: &str, body: &str) -> u16 {
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded".to_owned(),
    )];
    stack
        .call(
            "POST",
            &format!("{SURVEYS}{path}"),
            &headers,
            body.as_bytes().to_vec(),
        )
        .await
        .status
}

/// `GET /retention` over the days from yesterday to a year ahead of the system's time.
async fn retention<S: Store>(stack: &PlatformStack<S>) -> Value {
    stack.counted().await;
    let from = (Utc::now() - Duration::days(1)).date_naive();
    let to = (Utc::now() + Duration::days(365)).date_naive();
    let answer = stack
        .staff(
            "GET",
            &format!("/lambda-url/score-nps/retention?from={from}&to={to}"),
            None,
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body
}

async fn pending_kinds<S: Store>(stack: &PlatformStack<S>) -> Vec<String> {
    stack
        .store
        .messages(MessageStatus::Pending, 100, None)
        .await
        .expect("listing")
        .messages
        .into_iter()
        .map(|m| m.kind.as_str().to_owned())
        .collect()
}

async fn a_reminder_goes_once_to_a_customer_who_has_not_answered<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("SURVEY_REMINDER_DAYS", "4".into())]);
    let token = survey(&stack, "o-1", "anna@example.com").await;
    assert!(pending_kinds(&stack)
        .await
        .contains(&"survey_reminder".to_owned()));

    let before = advance(&stack, 4 * DAY - 60).await;
    assert_eq!(before.len(), 1, "not due yet: {:?}", subjects(&before));
    let after = advance(&stack, 120).await;
    assert_eq!(after.len(), 2, "{:?}", subjects(&after));
    let reminder = after
        .iter()
        .find(|m| m.contains("Subject: Ihre Meinung zu Test Shop"))
        .expect("the German reminder");
    assert!(
        reminder.contains(&format!("/s/{token}?score=10")),
        "{reminder}"
    );
    assert!(reminder.contains("List-Unsubscribe: <http"), "{reminder}");
    assert!(reminder.contains("To: anna@example.com"));

    // Once: later sweeps find nothing more.
    assert_eq!(advance(&stack, 10 * DAY).await.len(), 2);
    assert!(pending_kinds(&stack)
        .await
        .contains(&"survey.reminded".to_owned()));
    let figures = retention(&stack).await;
    assert_eq!(figures["reminders_sent"], 1, "{figures}");
    assert_eq!(figures["reminded_answers"], 0);

    // The answer after it counts as the reminder's, once, even when changed.
    assert_eq!(form(&stack, &format!("/s/{token}"), "score=9").await, 200);
    assert_eq!(form(&stack, &format!("/s/{token}"), "score=10").await, 200);
    let figures = retention(&stack).await;
    assert_eq!(figures["reminded_answers"], 1, "{figures}");
}

async fn no_reminder_after_an_answer_an_unsubscribe_an_erasure_or_the_link_s_end<S: Store>(
    store: Arc<S>,
) {
    let stack = stack(
        store.clone(),
        &[
            ("SURVEY_REMINDER_DAYS", "4".into()),
            ("SURVEY_TTL_DAYS", "30".into()),
        ],
    );
    let answered = survey(&stack, "o-answered", "a@example.com").await;
    let unsubscribed = survey(&stack, "o-unsub", "u@example.com").await;
    survey(&stack, "o-erased", "e@example.com").await;
    assert_eq!(
        form(&stack, &format!("/s/{answered}"), "score=3").await,
        200
    );
    assert_eq!(form(&stack, &format!("/u/{unsubscribed}"), "").await, 200);
    let erased = stack
        .privacy(
            "POST",
            "/lambda-url/customer-data/customers/erase",
            Some(json!({"email": "e@example.com"})),
        )
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");

    let mails = advance(&stack, 5 * DAY).await;
    let reminders: Vec<_> = subjects(&mails)
        .into_iter()
        .filter(|s| s.starts_with("Ihre Meinung"))
        .collect();
    assert_eq!(reminders, Vec::<String>::new());
    assert!(!pending_kinds(&stack)
        .await
        .contains(&"survey_reminder".to_owned()));
    assert_eq!(retention(&stack).await["reminders_sent"], 0);

    // A link that ends before the reminder would be due gets none written at all.
    let short = self::stack(
        store,
        &[
            ("SURVEY_REMINDER_DAYS", "4".into()),
            ("SURVEY_TTL_DAYS", "4".into()),
        ],
    );
    survey(&short, "o-short", "s@example.com").await;
    assert!(!pending_kinds(&short)
        .await
        .contains(&"survey_reminder".to_owned()));
}

async fn order<S: Store>(stack: &PlatformStack<S>, order_id: &str, customer: &str, cents: u64) {
    let answer = stack
        .storefront(
            "POST",
            ORDERS,
            Some(json!({"order_id": order_id, "customer_id": customer,
                        "email": format!("{customer}@example.com"), "locale": "en",
                        "total_cents": cents, "currency": "EUR"})),
        )
        .await;
    assert!([200, 201].contains(&answer.status), "{answer:?}");
}

/// The coupon an English win-back mail gives.
fn coupon_in(mail: &str) -> String {
    mail.lines()
        .find_map(|line| line.strip_prefix("Your coupon code: "))
        .expect("the coupon line")
        .trim()
        .to_owned()
}

/// The sweeps that bring a new coupon's `discount_create` to the platform.
async fn deliver_discounts<S: Store>(stack: &PlatformStack<S>) {
    for _ in 0..3 {
        stack.app.deliverer.sweep().await.expect("sweep");
    }
}

fn winbacks(mails: &[String]) -> Vec<&String> {
    mails
        .iter()
        .filter(|m| m.contains("Subject: We miss you"))
        .collect()
}

async fn a_winback_is_moved_by_every_order_and_sent_once_after_the_lapse<S: Store>(store: Arc<S>) {
    let fake = ShopifyFake::start(&[]).await;
    let mut vars = fake.settings();
    vars.extend([
        ("WINBACK_DAYS", "30".to_owned()),
        ("WINBACK_REWARD_CENTS", "500".to_owned()),
        ("WINBACK_VALID_DAYS", "10".to_owned()),
    ]);
    let stack = stack(store, &vars);
    order(&stack, "w-1", "wanda", 3000).await;
    advance(&stack, 20 * DAY).await;
    order(&stack, "w-2", "wanda", 3000).await;
    let quiet = advance(&stack, 20 * DAY).await;
    assert!(
        winbacks(&quiet).is_empty(),
        "the second order moved it: {:?}",
        subjects(&quiet)
    );

    let mails = advance(&stack, 11 * DAY).await;
    let sent = winbacks(&mails);
    assert_eq!(sent.len(), 1, "{:?}", subjects(&mails));
    let mail = sent[0];
    assert!(mail.contains("To: wanda@example.com"));
    assert!(mail.contains("€5.00"), "{mail}");
    let coupon = coupon_in(mail);
    deliver_discounts(&stack).await;
    let discounts = fake.discounts().await;
    assert_eq!(discounts.len(), 1, "{discounts:#?}");
    assert_eq!(discounts[0]["input"]["code"], coupon.as_str());
    assert_eq!(fake.invalid().await, Vec::<Value>::new());
    assert_eq!(stack.coupon_status(&coupon).await, "available");

    // Once per lapse: nothing more while no order comes.
    assert!(winbacks(&advance(&stack, 5 * DAY).await).len() == 1);
    let figures = retention(&stack).await;
    assert_eq!(figures["winback"]["sent"], 1, "{figures}");
    assert_eq!(figures["winback"]["won_back"], 0);

    // An order within the coupon's validity wins her back, once, with its revenue.
    order(&stack, "w-3", "wanda", 4200).await;
    advance(&stack, DAY).await;
    order(&stack, "w-4", "wanda", 1000).await;
    let figures = retention(&stack).await;
    assert_eq!(
        figures["winback"],
        json!({"sent": 1, "won_back": 1, "rate": 100.0, "margin_of_error": null,
               "revenue": {"EUR": 4200}}),
        "{figures}"
    );
    assert!(pending_kinds(&stack)
        .await
        .contains(&"winback.sent".to_owned()));
    // Her next win-back waits a lapse after her latest order.
    let later = advance(&stack, 29 * DAY).await;
    assert_eq!(winbacks(&later).len(), 1);
    let again = advance(&stack, 2 * DAY).await;
    assert_eq!(winbacks(&again).len(), 2, "{:?}", subjects(&again));

    // Her own unsubscribe link, in the mail and its one-click header: a look changes nothing,
    // the button stops every further survey and win-back; a key of another customer opens nothing.
    let latest = winbacks(&again)[1];
    let link = latest
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .expect("the one-click header")
        .to_owned();
    assert!(latest.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(latest.contains(&link), "the link is in the text too");
    let path = link
        .strip_prefix("http://127.0.0.1:9000")
        .expect("a link to this stack")
        .to_owned();
    assert!(path.starts_with(&format!("{SURVEYS}/u/c/wanda/")), "{path}");
    let look = stack.call("GET", &path, &[], Vec::new()).await;
    assert_eq!(look.status, 200);
    assert!(look.text.contains("<form method=\"post\">"));
    let forged = path.replace("/wanda/", "/vera/");
    assert_eq!(
        stack.call("POST", &forged, &[], Vec::new()).await.status,
        404
    );
    let one_click = stack
        .call(
            "POST",
            &path,
            &[(
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            )],
            b"List-Unsubscribe=One-Click".to_vec(),
        )
        .await;
    assert_eq!(one_click.status, 200, "{one_click:?}");
    assert!(one_click.text.contains("You are unsubscribed"));
    order(&stack, "w-5", "wanda", 1000).await;
    let after = advance(&stack, 31 * DAY).await;
    assert_eq!(winbacks(&after).len(), 2, "none after the opt-out");
    let skipped = stack
        .storefront(
            "POST",
            &format!("{SURVEYS}/surveys"),
            Some(json!({"order_id": "w-5", "customer_id": "wanda",
                        "email": "wanda@example.com"})),
        )
        .await;
    assert_eq!(
        skipped.body,
        json!({"status": "skipped", "reason": "unsubscribed"})
    );
}

async fn no_winback_for_the_unsubscribed_or_erased<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("WINBACK_DAYS", "30".into())]);
    order(&stack, "x-1", "ulla", 3000).await;
    order(&stack, "x-2", "erik", 3000).await;
    order(&stack, "x-3", "vera", 3000).await;
    // Ulla unsubscribes from the survey of her order; Erik's data is erased.
    let answer = stack
        .storefront(
            "POST",
            &format!("{SURVEYS}/surveys"),
            Some(json!({"order_id": "x-1", "customer_id": "ulla",
                        "email": "ulla@example.com", "locale": "en"})),
        )
        .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    let mails = stack.mails().await;
    let to_ulla = mails
        .iter()
        .find(|m| m.contains("To: ulla@example.com"))
        .expect("her survey");
    assert_eq!(
        form(&stack, &format!("/u/{}", token(to_ulla)), "").await,
        200
    );
    let erased = stack
        .privacy("DELETE", "/lambda-url/customer-data/customers/erik", None)
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");

    let mails = advance(&stack, 31 * DAY).await;
    let sent: Vec<_> = winbacks(&mails)
        .into_iter()
        .map(|m| {
            m.lines()
                .find(|l| l.starts_with("To: "))
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(sent, vec!["To: vera@example.com".to_owned()]);
    assert!(!pending_kinds(&stack).await.contains(&"winback".to_owned()));
    assert_eq!(retention(&stack).await["winback"]["sent"], 1);
}

async fn a_flow_switched_off_sends_none_of_the_steps_it_scheduled<S: Store>(store: Arc<S>) {
    let on = stack(
        store.clone(),
        &[
            ("SURVEY_REMINDER_DAYS", "4".into()),
            ("WINBACK_DAYS", "30".into()),
        ],
    );
    survey(&on, "o-off", "otto@example.com").await;
    order(&on, "o-off", "otto", 3000).await;
    let kinds = pending_kinds(&on).await;
    assert!(kinds.contains(&"survey_reminder".to_owned()) && kinds.contains(&"winback".to_owned()));

    // The shop turns both off (deliver-outbox reads the same variables) before they are due.
    let off = stack(
        store,
        &[
            ("SURVEY_REMINDER_DAYS", "0".into()),
            ("WINBACK_DAYS", "0".into()),
        ],
    );
    let mails = advance(&off, 31 * DAY).await;
    assert_eq!(mails.len(), 0, "{:?}", subjects(&mails));
    let kinds = pending_kinds(&off).await;
    assert!(
        !kinds.contains(&"survey_reminder".to_owned()) && !kinds.contains(&"winback".to_owned()),
        "{kinds:?}"
    );
}

/// WooCommerce has no start dates and restricts a coupon by address: the win-back coupon is
/// created at once, for the customer's address only, ending when the mail says.
async fn a_woocommerce_shop_gets_the_winback_coupon_bound_to_the_address<S: Store>(store: Arc<S>) {
    let fake = WooCommerceFake::start().await;
    let mut vars = fake.settings();
    vars.extend([
        ("WINBACK_DAYS", "60".to_owned()),
        ("WINBACK_REWARD_CENTS", "750".to_owned()),
        ("WINBACK_VALID_DAYS", "14".to_owned()),
    ]);
    let stack = stack(store, &vars);
    order(&stack, "wc-1", "greta", 3000).await;
    let mails = advance(&stack, 61 * DAY).await;
    let sent = winbacks(&mails);
    assert_eq!(sent.len(), 1, "{:?}", subjects(&mails));
    let coupon = coupon_in(sent[0]);
    deliver_discounts(&stack).await;
    let coupons = fake.coupons().await;
    assert_eq!(coupons.len(), 1, "{coupons:#?}");
    let created = &coupons[0];
    assert_eq!(
        created["code"].as_str().map(str::to_uppercase),
        Some(coupon)
    );
    assert_eq!(created["amount"], "7.50");
    assert_eq!(created["email_restrictions"], json!(["greta@example.com"]));
    assert_eq!(created["usage_limit"], 1);
    let ends = created["date_expires"].as_str().expect("an end");
    let mailed_until = stack.app.clock.now() + Duration::days(14);
    assert!(
        ends.starts_with(&mailed_until.format("%Y-%m-%d").to_string()),
        "{ends} against {mailed_until}"
    );
}

/// Orders arriving together after a win-back mail: every one is recorded, the customer is won
/// back once, with one order's revenue.
async fn concurrent_orders_after_a_winback_win_the_customer_back_once<S: Store>(store: Arc<S>) {
    let stack = stack(store, &[("WINBACK_DAYS", "30".into())]);
    order(&stack, "c-0", "carla", 3000).await;
    let mails = advance(&stack, 31 * DAY).await;
    assert_eq!(winbacks(&mails).len(), 1, "{:?}", subjects(&mails));
    // An order from before the mail, reported late, on the mail's day: it wins nothing, and the
    // racing orders then bring no new day, so only the win-back's own condition keeps them apart.
    let mail_day = stack.app.clock.now().date_naive();
    let late = stack
        .storefront(
            "POST",
            ORDERS,
            Some(json!({"order_id": "c-late", "customer_id": "carla",
                        "email": "carla@example.com", "total_cents": 500, "currency": "EUR",
                        "placed_at": format!("{mail_day}T00:00:00Z")})),
        )
        .await;
    assert_eq!(late.status, 200, "{late:?}");
    let answers = futures::future::join_all((1..=8).map(|n| {
        let stack = &stack;
        async move { order(stack, &format!("c-{n}"), "carla", 1000).await }
    }))
    .await;
    assert_eq!(answers.len(), 8);
    let figures = retention(&stack).await;
    assert_eq!(
        (
            &figures["winback"]["won_back"],
            &figures["winback"]["revenue"]
        ),
        (&json!(1), &json!({"EUR": 1000})),
        "{figures}"
    );
}

contract_suite!(
    concurrent_orders_after_a_winback_win_the_customer_back_once,
    a_woocommerce_shop_gets_the_winback_coupon_bound_to_the_address,
    a_flow_switched_off_sends_none_of_the_steps_it_scheduled,
    a_reminder_goes_once_to_a_customer_who_has_not_answered,
    no_reminder_after_an_answer_an_unsubscribe_an_erasure_or_the_link_s_end,
    a_winback_is_moved_by_every_order_and_sent_once_after_the_lapse,
    no_winback_for_the_unsubscribed_or_erased,
);
