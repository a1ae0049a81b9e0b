//! The Lambda binary refuses to start on bad delivery configuration, naming the variable.

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("TABLE_NAME", "referrals"),
    ("MAIL_FROM", "shop@example.com"),
    ("SHOP_NAME", "Test Shop"),
];

/// Variables set (`Some`) or removed (`None`) on top of [`COMPLETE`].
type Overrides<'a> = &'a [(&'a str, Option<&'a str>)];

fn start(overrides: Overrides<'_>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deliver-outbox"));
    command.env_clear().envs(COMPLETE.iter().copied());
    for (name, value) in overrides {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output = command.output().expect("binary runs");
    assert!(
        !output.status.success(),
        "must not start with {overrides:?}"
    );
    String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn missing_or_invalid_settings_stop_start_up_naming_them() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let shop = Some("https://demo.myshopify.com");
    let client_secret = "shpss_never_printed_0123456789";
    let woo_secret = "cs_never_printed_0123456789";
    let cases: [(Overrides<'_>, &str); 13] = [
        (
            &[("MAIL_FROM", None)],
            "missing required environment variable MAIL_FROM",
        ),
        (
            &[("TABLE_NAME", None)],
            "missing required environment variable TABLE_NAME",
        ),
        (
            &[("WEBHOOK_URL", Some("https://shop.example/hooks"))],
            "missing required environment variable WEBHOOK_SECRET",
        ),
        (
            &[
                ("WEBHOOK_URL", Some("http://shop.example/hooks")),
                ("WEBHOOK_SECRET", Some(secret)),
            ],
            "environment variable WEBHOOK_URL is invalid",
        ),
        (
            &[
                ("WEBHOOK_URL", Some("https://shop.example/hooks")),
                ("WEBHOOK_SECRET", Some("whsec_c2hvcnQ=")),
            ],
            "environment variable WEBHOOK_SECRET is invalid",
        ),
        (
            &[("OUTBOX_RETRY_SECONDS", Some("5,,30"))],
            "environment variable OUTBOX_RETRY_SECONDS is invalid",
        ),
        (
            &[("DISCOUNT_PLATFORM", Some("magento"))],
            "environment variable DISCOUNT_PLATFORM is invalid",
        ),
        (
            &[
                ("DISCOUNT_PLATFORM", Some("shopify")),
                ("SHOPIFY_CLIENT_ID", Some("id")),
                ("SHOPIFY_CLIENT_SECRET", Some(client_secret)),
            ],
            "missing required environment variable SHOPIFY_SHOP_URL",
        ),
        (
            &[
                ("DISCOUNT_PLATFORM", Some("shopify")),
                ("SHOPIFY_SHOP_URL", shop),
                ("SHOPIFY_CLIENT_ID", Some("id")),
                ("SHOPIFY_CLIENT_SECRET", Some("")),
            ],
            "missing required environment variable SHOPIFY_CLIENT_SECRET",
        ),
        (
            &[
                ("DISCOUNT_PLATFORM", Some("shopify")),
                ("SHOPIFY_SHOP_URL", shop),
                ("SHOPIFY_CLIENT_SECRET", Some(client_secret)),
            ],
            "missing required environment variable SHOPIFY_CLIENT_ID",
        ),
        (
            &[
                ("DISCOUNT_PLATFORM", Some("shopify")),
                ("SHOPIFY_SHOP_URL", shop),
            ],
            "missing required environment variable SHOPIFY_CLIENT_ID (with SHOPIFY_CLIENT_SECRET) or SHOPIFY_ADMIN_ACCESS_TOKEN",
        ),
        (
            &[
                ("DISCOUNT_PLATFORM", Some("woocommerce")),
                ("WOOCOMMERCE_URL", Some("https://shop.example")),
                ("WOOCOMMERCE_CONSUMER_KEY", Some("ck_key")),
                ("WOOCOMMERCE_CONSUMER_SECRET", Some("  ")),
            ],
            "missing required environment variable WOOCOMMERCE_CONSUMER_SECRET",
        ),
        (
            &[
                ("DISCOUNT_PLATFORM", Some("woocommerce")),
                ("WOOCOMMERCE_URL", Some("http://shop.example")),
                ("WOOCOMMERCE_CONSUMER_KEY", Some("ck_key")),
                ("WOOCOMMERCE_CONSUMER_SECRET", Some(woo_secret)),
            ],
            "environment variable WOOCOMMERCE_URL is invalid",
        ),
    ];
    for (overrides, expected) in cases {
        let printed = start(overrides);
        assert!(printed.contains(expected), "{overrides:?}: {printed}");
        for secret in [secret, client_secret, woo_secret] {
            assert!(
                !printed.contains(secret),
                "a secret must never be printed: {printed}"
            );
        }
    }
}
