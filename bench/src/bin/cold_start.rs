//! Cold init of each function binary: the time from process start until its first poll of the
//! Lambda Runtime API `/next`, against a local stub of that API; median of N starts, side by
//! side with a hello-world `lambda_runtime` binary built with the same profile. The stub then
//! hands each function one real function-URL event, so init + first invocation is timed too
//! (DynamoDB calls go to the emulator at AWS_ENDPOINT_URL).
//!
//! Usage: cold-start <binaries folder> <starts>   (AWS_ENDPOINT_URL: the emulator; run by
//! bench/run.sh)

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bench::stats::{median, millis};
use serde_json::json;
use tokio::sync::{mpsc, Mutex};

const REQUEST_ID: &str = "bench-request-1";

#[derive(Debug)]
enum Event {
    Next(Instant),
    Responded(Instant, String),
    Failed(String),
}

struct Stub {
    events: mpsc::UnboundedSender<Event>,
    invocation: Mutex<Option<String>>,
}

async fn next(State(stub): State<Arc<Stub>>) -> Response {
    let _ = stub.events.send(Event::Next(Instant::now()));
    let Some(event) = stub.invocation.lock().await.take() else {
        // Only one invocation per start; later polls wait until the process is stopped.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return StatusCode::NO_CONTENT.into_response();
    };
    let mut headers = HeaderMap::new();
    let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    headers.insert(
        "lambda-runtime-aws-request-id",
        HeaderValue::from_static(REQUEST_ID),
    );
    headers.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from_str(&deadline.to_string()).expect("header"),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:000000000000:function:bench"),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        HeaderValue::from_static("Root=1-00000000-000000000000000000000000"),
    );
    (StatusCode::OK, headers, event).into_response()
}

async fn respond(
    State(stub): State<Arc<Stub>>,
    Path(_id): Path<String>,
    body: String,
) -> StatusCode {
    let _ = stub.events.send(Event::Responded(Instant::now(), body));
    StatusCode::ACCEPTED
}

async fn failed(State(stub): State<Arc<Stub>>, body: String) -> StatusCode {
    let _ = stub.events.send(Event::Failed(body));
    StatusCode::ACCEPTED
}

/// One key for every role: the bench measures start-up, not the roles' separation.
const BENCH_KEY: &str = "bench-key-0123456789";

/// A function-URL (API Gateway v2 payload) request.
fn url_event(method: &str, path: &str, authorized: bool) -> String {
    let mut headers =
        json!({"host": "bench.lambda-url.us-east-1.on.aws", "x-forwarded-proto": "https"});
    if authorized {
        headers["authorization"] = json!(format!("Bearer {BENCH_KEY}"));
    }
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "bench", "domainName": "bench.lambda-url.us-east-1.on.aws",
            "domainPrefix": "bench", "requestId": "bench", "routeKey": "$default", "stage": "$default",
            "time": "22/Nov/2026:10:00:00 +0000", "timeEpoch": 1_795_000_000_000u64,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"}
        },
        "isBase64Encoded": false
    })
    .to_string()
}

struct Case {
    name: &'static str,
    event: String,
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(args.next().unwrap_or_else(|| "target/release".into()));
    let starts: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(21);
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("AWS_ENDPOINT_URL: the emulator for first invocations");
    // A fresh table, so first invocations read real (empty) items rather than failing.
    let table = http_tests::dynamo::fresh_store().await.table().to_owned();

    let (events, mut received) = mpsc::unbounded_channel();
    let stub = Arc::new(Stub {
        events,
        invocation: Mutex::new(None),
    });
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(respond),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .route("/2018-06-01/runtime/init/error", post(failed))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("stub port");
    let runtime_api = listener.local_addr().expect("address").to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let cases = [
        Case {
            name: "hello-lambda",
            event: "{}".into(),
        },
        Case {
            name: "create-referral",
            event: url_event("GET", "/referrals/bench-customer", true),
        },
        Case {
            name: "reward-referral",
            event: url_event("GET", "/coupons/ZZZZZZZZZZZZ", true),
        },
        Case {
            name: "collect-survey",
            event: url_event("GET", "/s/AAAAAAAAAAAAAAAAAAAAAA", false),
        },
        Case {
            name: "score-nps",
            event: url_event("GET", "/nps", true),
        },
        Case {
            name: "customer-data",
            event: url_event("GET", "/customers/bench-customer/export", true),
        },
    ];
    let mut baseline = None;
    println!("| binary | init: start → first /next, median of {starts} (ms) | min (ms) | ratio to hello-world | init + first invocation, median (ms) | first answer |");
    println!("|---|---:|---:|---:|---:|---|");
    for case in &cases {
        let mut inits = Vec::new();
        let mut firsts = Vec::new();
        let mut answer = String::new();
        for _ in 0..starts {
            *stub.invocation.lock().await = Some(case.event.clone());
            while received.try_recv().is_ok() {}
            let started = Instant::now();
            let mut child = tokio::process::Command::new(folder.join(case.name))
                .env_clear()
                .env("AWS_LAMBDA_RUNTIME_API", &runtime_api)
                .env("AWS_LAMBDA_FUNCTION_NAME", case.name)
                .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
                .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
                .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_ENDPOINT_URL", &endpoint)
                .env("TABLE_NAME", &table)
                .env("API_KEYS", BENCH_KEY)
                .env("STAFF_API_KEYS", BENCH_KEY)
                .env("PRIVACY_API_KEYS", BENCH_KEY)
                .env("FINGERPRINT_KEY", "bench-fingerprint-key-0123456789abcdef")
                .env("SHOP_URL", "https://shop.example")
                .env("SHOP_NAME", "Bench Shop")
                .env("MAIL_FROM", "shop@example.com")
                .env("SUPPORT_EMAIL", "support@example.com")
                .env("RUST_LOG", "off")
                // For comparing trust-store set-ups (shared/lambda-host/src/sdk.rs); bench/run.sh unsets them.
                .envs(std::env::vars().filter(|(name, _)| name.starts_with("SSL_CERT_")))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", case.name));
            let mut init = None;
            let deadline = tokio::time::sleep(Duration::from_secs(30));
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    event = received.recv() => match event {
                        Some(Event::Next(at)) if init.is_none() => init = Some(at - started),
                        Some(Event::Responded(at, body)) => { firsts.push(at - started); answer = body; break; }
                        Some(Event::Failed(body)) => panic!("{} failed: {body}", case.name),
                        _ => {}
                    },
                    _ = &mut deadline => panic!("{} did not answer within 30 s", case.name),
                }
            }
            inits.push(init.expect("init measured"));
            let _ = child.kill().await;
        }
        let min = *inits.iter().min().expect("samples");
        let init = median(&inits);
        let ratio = baseline.map_or(1.0, |b: Duration| init.as_secs_f64() / b.as_secs_f64());
        baseline.get_or_insert(init);
        let status = serde_json::from_str::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v.get("statusCode").and_then(|s| s.as_u64()))
            .map_or_else(|| "–".to_owned(), |s| s.to_string());
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} | HTTP {status} |",
            case.name,
            millis(init),
            millis(min),
            ratio,
            millis(median(&firsts))
        );
    }
}
