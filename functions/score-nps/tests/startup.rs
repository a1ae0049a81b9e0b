//! The Lambda binary refuses to start on bad configuration, naming the variable.

use startup_test::Binary;

const SCORE_NPS: Binary = Binary::new(
    env!("CARGO_BIN_EXE_score-nps"),
    &[
        ("STAFF_API_KEYS", "startup-test-key-0123456789"),
        ("TABLE_NAME", "referrals"),
    ],
);

#[test]
fn missing_or_invalid_settings_stop_start_up_naming_them() {
    SCORE_NPS.needs_each_variable();
    SCORE_NPS.refuses_each_value(&[("STAFF_API_KEYS", "short")]);
}
