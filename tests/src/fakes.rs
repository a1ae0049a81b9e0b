//! The shop platforms' admin APIs as the tests meet them: the Python fakes in tests/fakes
//! (Shopify's validates every request against Shopify's published schema), each started as a
//! process on a free loopback port and stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

pub const SHOPIFY_CLIENT_ID: &str = "test-client-id-0123";
pub const SHOPIFY_CLIENT_SECRET: &str = "shpss_test_client_secret_0123456789";
pub const WOOCOMMERCE_KEY: &str = "ck_0123456789abcdef0123456789abcdef01234567";
pub const WOOCOMMERCE_SECRET: &str = "cs_0123456789abcdef0123456789abcdef01234567";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// The venv scripts/test.sh installs (graphql-core among the emulator's packages).
fn python() -> PathBuf {
    std::env::var_os("FAKES_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"))
}

/// Shopify's Admin schema as scripts/fakes.sh fetches it.
pub fn shopify_schema() -> PathBuf {
    let path = std::env::var_os("SHOPIFY_ADMIN_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/fakes/admin_2026-10.json.gz"));
    assert!(
        path.exists(),
        "{} is missing: run scripts/test.sh, or `source scripts/fakes.sh && shopify_schema_install`",
        path.display()
    );
    path
}

/// A running fake; killed when dropped.
pub struct Fake {
    child: Child,
    pub url: String,
    client: reqwest::Client,
}

impl Fake {
    fn start(script: &str, args: &[String]) -> Self {
        let mut child = Command::new(python())
            .arg(root().join("tests/fakes").join(script))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {script} with {}: {e}", python().display()));
        let stdout = child.stdout.take().expect("the fake's stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the fake's first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{script} did not start: {line:?}"))
            .to_owned();
        Self {
            child,
            url,
            client: webhook_http::client_builder()
                .expect("TLS configuration")
                .build()
                .expect("http client"),
        }
    }

    async fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("the fake answers")
            .json()
            .await
            .expect("JSON")
    }

    async fn post(&self, path: &str, body: Value) {
        let status = self
            .client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("the fake answers")
            .status();
        assert!(status.is_success(), "{path}: {status}");
    }

    /// The next `count` API requests (-1: until told otherwise, 0: none) answer `status`.
    pub async fn outage(&self, status: u16, count: i64) {
        self.post("/_fake/outage", json!({"status": status, "count": count}))
            .await;
    }

    /// Every request the fake answered, as it logs them.
    pub async fn requests(&self) -> Vec<Value> {
        array(self.get("/_fake/requests").await)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

fn array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        other => panic!("expected a list, got {other}"),
    }
}

/// Shopify's Admin API (client credentials grant, GraphQL 2026-10, cost bucket).
pub struct ShopifyFake(pub Fake);

impl ShopifyFake {
    pub async fn start(extra: &[&str]) -> Self {
        let schema = shopify_schema().display().to_string();
        let mut args = owned(&[
            "--schema",
            &schema,
            "--port",
            "0",
            "--client-id",
            SHOPIFY_CLIENT_ID,
            "--client-secret",
            SHOPIFY_CLIENT_SECRET,
        ]);
        args.extend(owned(extra));
        Self(
            tokio::task::spawn_blocking(move || Fake::start("shopify_admin.py", &args))
                .await
                .expect("starting the Shopify fake"),
        )
    }

    /// The variables the local stack needs to create discounts here.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DISCOUNT_PLATFORM", "shopify".into()),
            ("SHOPIFY_SHOP_URL", self.0.url.clone()),
            ("SHOPIFY_CLIENT_ID", SHOPIFY_CLIENT_ID.into()),
            ("SHOPIFY_CLIENT_SECRET", SHOPIFY_CLIENT_SECRET.into()),
        ]
    }

    /// Every discount, as created (`input` is the mutation's argument after coercion).
    pub async fn discounts(&self) -> Vec<Value> {
        array(self.0.get("/_fake/discounts").await)
    }

    /// Every request refused as invalid against Shopify's schema.
    pub async fn invalid(&self) -> Vec<Value> {
        array(self.0.get("/_fake/invalid").await)
    }

    /// How many `discountCodeBasicCreate` requests Shopify executed (answered 200, not
    /// throttled): a create repeated after it succeeded shows here.
    pub async fn creates_executed(&self) -> usize {
        self.0
            .requests()
            .await
            .iter()
            .filter(|r| {
                r["operation"]
                    .to_string()
                    .contains("discountCodeBasicCreate")
                    && r["status"] == 200
                    && r["throttled"] == false
            })
            .count()
    }

    /// Sets the points the cost bucket holds now.
    pub async fn bucket(&self, available: f64) {
        self.0
            .post("/_fake/bucket", json!({"available": available}))
            .await;
    }

    pub async fn expire_tokens(&self) {
        self.0.post("/_fake/expire-tokens", json!({})).await;
    }
}

/// WooCommerce's coupons endpoint (REST `wc/v3`, Basic auth).
pub struct WooCommerceFake(pub Fake);

impl WooCommerceFake {
    pub async fn start() -> Self {
        let args = owned(&[
            "--port",
            "0",
            "--consumer-key",
            WOOCOMMERCE_KEY,
            "--consumer-secret",
            WOOCOMMERCE_SECRET,
        ]);
        Self(
            tokio::task::spawn_blocking(move || Fake::start("woocommerce.py", &args))
                .await
                .expect("starting the WooCommerce fake"),
        )
    }

    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DISCOUNT_PLATFORM", "woocommerce".into()),
            ("WOOCOMMERCE_URL", self.0.url.clone()),
            ("WOOCOMMERCE_CONSUMER_KEY", WOOCOMMERCE_KEY.into()),
            ("WOOCOMMERCE_CONSUMER_SECRET", WOOCOMMERCE_SECRET.into()),
        ]
    }

    /// Every coupon ever created, deleted ones flagged `deleted`.
    pub async fn coupons(&self) -> Vec<Value> {
        array(self.0.get("/_fake/coupons").await)
    }
}
