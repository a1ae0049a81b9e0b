//! The Lambda binary refuses to start on bad configuration, naming the variable, before it
//! contacts AWS or the Lambda runtime. (Which variables each function requires is pinned, for
//! all four, by the tests crate's settings tests.)

use startup_test::Binary;

const CREATE_REFERRAL: Binary = Binary::new(
    env!("CARGO_BIN_EXE_create-referral"),
    &[
        ("API_KEYS", "startup-test-key-0123456789"),
        ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
        ("SHOP_URL", "https://shop.example"),
        ("SHOP_NAME", "Startup Shop"),
        ("TABLE_NAME", "referrals"),
    ],
);

#[test]
fn each_missing_required_variable_stops_start_up_with_its_name() {
    CREATE_REFERRAL.needs_each_variable();
}

#[test]
fn invalid_settings_stop_start_up_naming_them() {
    CREATE_REFERRAL.refuses_each_value(&[
        (
            "REFERRAL_LANDING_URL",
            "https://shop.example/no-placeholder",
        ),
        ("FRIEND_REWARD", "first"),
        ("FRIEND_OFFER_DAYS", "0"),
        ("FRIEND_OFFER_DAYS", "3651"),
        ("DISCOUNT_PLATFORM", "magento"),
        ("RETENTION_DAYS", "29"),
        ("RETENTION_DAYS", "3651"),
        ("DEFAULT_LOCALE", "nl"),
    ]);
}

#[test]
fn a_short_fingerprint_key_stops_start_up_unprinted() {
    let key = "thirty-one-bytes-is-not-enough";
    CREATE_REFERRAL.refuses_saying(
        &[("FINGERPRINT_KEY", Some(key))],
        "environment variable FINGERPRINT_KEY is invalid",
        &[key],
    );
}
