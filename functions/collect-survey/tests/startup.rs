//! The Lambda binary refuses to start on bad survey configuration, naming the variable.

use startup_test::Binary;

const COLLECT_SURVEY: Binary = Binary::new(
    env!("CARGO_BIN_EXE_collect-survey"),
    &[
        ("API_KEYS", "startup-test-key-0123456789"),
        ("STAFF_API_KEYS", "startup-staff-key-0123456789"),
        ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
        ("SHOP_URL", "https://shop.example"),
        ("SHOP_NAME", "Test Shop"),
        ("SUPPORT_EMAIL", "support@example.com"),
        ("TABLE_NAME", "referrals"),
    ],
);

#[test]
fn each_missing_required_variable_stops_start_up_with_its_name() {
    COLLECT_SURVEY.needs_each_variable();
}

#[test]
fn invalid_survey_settings_stop_start_up_naming_them() {
    COLLECT_SURVEY.refuses_each_value(&[
        ("SURVEY_THROTTLE_DAYS", "ninety"),
        ("SURVEY_TTL_DAYS", "-1"),
        ("REFERRAL_BASE_URL", "ref.example"),
        ("DEFAULT_LOCALE", "nl"),
    ]);
}
