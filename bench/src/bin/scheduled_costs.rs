//! What survey reminders and win-backs add, in DynamoDB requests and write units, counted on
//! the wire over the DynamoDB adapter against the emulator: a survey request and a customer's
//! orders with each flow off and on, and each step's delivery when it is due (the stack's clock
//! moved ahead, as `POST /_local/clock` moves it).
//!
//! Usage: scheduled-costs   (AWS_ENDPOINT_URL: the emulator; run by bench/run.sh)

use std::sync::Arc;

use bench::capacity::{by_operation as counted, CapacityRecorder};
use http_tests::platforms::{PlatformStack, PlatformStore};
use serde_json::json;

const DAY: i64 = 24 * 3600;

fn stack<S: PlatformStore>(store: Arc<S>, vars: &[(&str, &str)]) -> PlatformStack<S> {
    PlatformStack::new(store, vars)
}

async fn deliver_all<S: PlatformStore>(stack: &PlatformStack<S>) {
    while stack.app.deliverer.sweep().await.expect("sweep").picked > 0 {}
}

async fn survey<S: PlatformStore>(stack: &PlatformStack<S>, n: usize) {
    let answer = stack
        .storefront(
            "POST",
            "/lambda-url/collect-survey/surveys",
            Some(
                json!({"order_id": format!("s-{n}"), "customer_id": format!("buyer-{n}"),
                        "email": format!("buyer-{n}@example.com"), "locale": "en"}),
            ),
        )
        .await;
    assert_eq!(answer.status, 201, "{answer:?}");
}

async fn order<S: PlatformStore>(stack: &PlatformStack<S>, order_id: &str, customer: &str) {
    let answer = stack
        .storefront(
            "POST",
            "/lambda-url/reward-referral/orders",
            Some(json!({"order_id": order_id, "customer_id": customer,
                        "email": format!("{customer}@example.com"), "total_cents": 3000,
                        "currency": "EUR"})),
        )
        .await;
    assert!([200, 201].contains(&answer.status), "{answer:?}");
}

#[tokio::main]
async fn main() {
    println!("| what | requests and units with the flow off | with it on | WRU added |");
    println!("|---|---|---|---:|");
    let mut rows: Vec<(String, String, String, f64)> = Vec::new();

    // A survey request, then its due reminder: the step's delivery and the mail's.
    let mut requests = Vec::new();
    let mut reminder_delivery = None;
    for days in ["0", "4"] {
        let recorder = CapacityRecorder::default();
        let store = Arc::new(http_tests::dynamo::fresh_intercepted_store(recorder.clone()).await);
        let stack = stack(store, &[("SURVEY_REMINDER_DAYS", days)]);
        survey(&stack, 0).await;
        deliver_all(&stack).await;
        recorder.take();
        survey(&stack, 1).await;
        requests.push(counted(recorder.take()));
        deliver_all(&stack).await;
        recorder.take();
        if days != "0" {
            stack.app.clock.advance(4 * DAY + 60).expect("clock");
            deliver_all(&stack).await;
            reminder_delivery = Some(counted(recorder.take()));
        }
    }
    rows.push((
        "`POST /surveys` (sent), `SURVEY_REMINDER_DAYS` 0 → 4".into(),
        requests[0].0.clone(),
        requests[1].0.clone(),
        requests[1].1 - requests[0].1,
    ));
    let (due, due_wru) = reminder_delivery.expect("measured");
    rows.push((
        "two reminders due: each step and its mail delivered".into(),
        "–".into(),
        due,
        due_wru / 2.0,
    ));

    // A customer's first and second order, then the win-back when due.
    let mut first = Vec::new();
    let mut later = Vec::new();
    let mut winback_delivery = None;
    for days in ["0", "90"] {
        let recorder = CapacityRecorder::default();
        let store = Arc::new(http_tests::dynamo::fresh_intercepted_store(recorder.clone()).await);
        let stack = stack(store, &[("WINBACK_DAYS", days)]);
        order(&stack, "warm-up", "someone").await;
        deliver_all(&stack).await;
        recorder.take();
        order(&stack, "o-1", "wilma").await;
        first.push(counted(recorder.take()));
        order(&stack, "o-2", "wilma").await;
        later.push(counted(recorder.take()));
        deliver_all(&stack).await;
        recorder.take();
        if days != "0" {
            stack.app.clock.advance(90 * DAY + 60).expect("clock");
            deliver_all(&stack).await;
            winback_delivery = Some(counted(recorder.take()));
        }
    }
    rows.push((
        "a customer's first order, `WINBACK_DAYS` 0 → 90".into(),
        first[0].0.clone(),
        first[1].0.clone(),
        first[1].1 - first[0].1,
    ));
    rows.push((
        "their next order (moves the step)".into(),
        later[0].0.clone(),
        later[1].0.clone(),
        later[1].1 - later[0].1,
    ));
    let (due, due_wru) = winback_delivery.expect("measured");
    rows.push((
        "two win-backs due (the warm-up customer's and Wilma's): each step, its coupon, mail and event".into(),
        "–".into(),
        due,
        due_wru / 2.0,
    ));
    for (what, off, on, added) in rows {
        println!("| {what} | {off} | {on} | {added:.1} |");
    }
}
