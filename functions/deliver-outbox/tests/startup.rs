//! The Lambda binary refuses to start on bad delivery configuration, naming the variable.

use startup_test::{Binary, Override};

const DELIVER_OUTBOX: Binary = Binary::new(
    env!("CARGO_BIN_EXE_deliver-outbox"),
    &[
        ("TABLE_NAME", "referrals"),
        ("MAIL_FROM", "shop@example.com"),
        ("SHOP_NAME", "Test Shop"),
    ],
);

type Overrides<'a> = &'a [Override<'a>];

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
        DELIVER_OUTBOX.refuses_saying(overrides, expected, &[secret, client_secret, woo_secret]);
    }
}
