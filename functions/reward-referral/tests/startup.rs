//! The Lambda binary refuses to start on bad configuration, naming the variable.

use startup_test::Binary;

const REWARD_REFERRAL: Binary = Binary::new(
    env!("CARGO_BIN_EXE_reward-referral"),
    &[
        ("API_KEYS", "startup-test-key-0123456789"),
        ("STAFF_API_KEYS", "startup-staff-key-0123456789"),
        ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
        ("SHOP_URL", "https://shop.example"),
        ("SHOP_NAME", "Test Shop"),
        ("TABLE_NAME", "referrals"),
    ],
);

#[test]
fn each_missing_required_variable_stops_start_up_with_its_name() {
    REWARD_REFERRAL.needs_each_variable();
}

#[test]
fn invalid_reward_rules_stop_start_up_naming_them() {
    REWARD_REFERRAL.refuses_each_value(&[
        ("REFERRER_REWARD_CENTS", "ten"),
        ("FRIEND_REWARD_CENTS", "-5"),
        ("MIN_ORDER_CENTS", "20.00"),
        ("REFERRER_CAP", "many"),
        ("REWARD_HOLD_DAYS", "99999999999"),
        ("REWARD_CURRENCY", "EURO"),
        ("REVIEW_AUTO", "maybe"),
    ]);
}
