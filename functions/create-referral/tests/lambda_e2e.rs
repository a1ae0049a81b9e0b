//! End to end on a Lambda runtime: this package's real `bootstrap` (main.rs with
//! `lambda_http::run`) is deployed to the emulator's Lambda service as a `provided.al2023`
//! function with a function URL, backed by the emulator's DynamoDB, and called over HTTP.
//! The binary is the host's (x86-64) build: the emulator executes it directly.

use std::io::Write;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use base64::Engine;
use serde_json::{json, Value};

const KEY: &str = "e2e-storefront-key-0123456789";

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL is not set: run ./scripts/test.sh, which starts the emulator (ministack)")
    })
}

fn bootstrap_zip() -> Vec<u8> {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_create-referral")).expect("the function binary");
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
        zip.start_file("bootstrap", options).expect("zip entry");
        zip.write_all(&binary).expect("zip data");
        zip.finish().expect("zip finished");
    }
    buffer.into_inner()
}

async fn create_table(name: &str) {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let attribute = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute")
    };
    let key = |n: &str, k: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(k)
            .build()
            .expect("key")
    };
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("PK"))
        .attribute_definitions(attribute("SK"))
        .key_schema(key("PK", KeyType::Hash))
        .key_schema(key("SK", KeyType::Range))
        .send()
        .await
        .expect("table created");
}

#[tokio::test]
async fn the_deployed_bootstrap_serves_its_function_url() {
    let base = endpoint();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (table, function) = (format!("e2e-{suffix}"), format!("create-referral-{suffix}"));
    create_table(&table).await;

    let created = http
        .post(format!("{base}/2015-03-31/functions"))
        .json(&json!({
            "FunctionName": function,
            "Runtime": "provided.al2023",
            "Handler": "bootstrap",
            "Role": "arn:aws:iam::000000000000:role/create-referral",
            "Timeout": 30,
            "Code": {"ZipFile": base64::engine::general_purpose::STANDARD.encode(bootstrap_zip())},
            "Environment": {"Variables": {
                "API_KEYS": KEY, "SHOP_URL": "https://shop.example", "SHOP_NAME": "E2E Shop",
                "MAIL_FROM": "shop@example.com", "SUPPORT_EMAIL": "support@example.com",
                "TABLE_NAME": table, "AWS_ENDPOINT_URL": base,
                "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"
            }}
        }))
        .send()
        .await
        .expect("CreateFunction sent");
    assert!(
        created.status().is_success(),
        "CreateFunction: {} {}",
        created.status(),
        created.text().await.unwrap_or_default()
    );

    let url: Value = http
        .post(format!("{base}/2021-10-31/functions/{function}/url"))
        .json(&json!({"AuthType": "NONE"}))
        .send()
        .await
        .expect("CreateFunctionUrlConfig sent")
        .json()
        .await
        .expect("url config JSON");
    let function_url = url["FunctionUrl"].as_str().expect("FunctionUrl");
    let url_id = function_url
        .trim_start_matches("https://")
        .split('.')
        .next()
        .expect("url id");
    let through_url = |path: &str| format!("{base}/_aws/lambda-url/{url_id}{path}");

    // The first call also waits for the cold start.
    let mut response = None;
    for _ in 0..30 {
        match http
            .post(through_url("/referrals"))
            .bearer_auth(KEY)
            .json(&json!({"customer_id": "e2e-1", "email": "anna@example.com"}))
            .timeout(Duration::from_secs(30))
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => {
                response = Some(r);
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    let response = response.expect("the function answers through its URL");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("JSON");
    let code = body["code"].as_str().expect("code").to_owned();
    assert!(body["link"]
        .as_str()
        .is_some_and(|l| l.ends_with(&format!("/r/{code}"))));

    let again = http
        .post(through_url("/referrals"))
        .bearer_auth(KEY)
        .json(&json!({"customer_id": "e2e-1", "email": "anna@example.com"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        again.status(),
        200,
        "the code is in the emulator's DynamoDB"
    );
    let follow = http
        .get(through_url(&format!("/r/{code}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(follow.status(), 302);
    assert_eq!(
        follow.headers()["location"],
        format!("https://shop.example/?ref={code}").as_str()
    );
    let stats: Value = http
        .get(through_url("/referrals/e2e-1"))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(stats["clicks"], 1);
    let anonymous = http
        .post(through_url("/referrals"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
}
