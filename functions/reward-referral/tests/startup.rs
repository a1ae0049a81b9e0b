//! The Lambda binary refuses to start on bad configuration, naming the variable.

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("API_KEYS", "startup-test-key-0123456789"),
    ("STAFF_API_KEYS", "startup-staff-key-0123456789"),
    ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
    ("SHOP_URL", "https://shop.example"),
    ("SHOP_NAME", "Test Shop"),
    ("TABLE_NAME", "referrals"),
];

fn start(overrides: &[(&str, Option<&str>)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reward-referral"));
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
fn missing_table_name_stops_start_up_naming_it() {
    let printed = start(&[("TABLE_NAME", None)]);
    assert!(
        printed.contains("missing required environment variable TABLE_NAME"),
        "{printed}"
    );
}

#[test]
fn invalid_reward_rules_stop_start_up_naming_them() {
    let cases = [
        ("REFERRER_REWARD_CENTS", "ten"),
        ("FRIEND_REWARD_CENTS", "-5"),
        ("MIN_ORDER_CENTS", "20.00"),
        ("REFERRER_CAP", "many"),
        ("REWARD_HOLD_DAYS", "99999999999"),
        ("REWARD_CURRENCY", "EURO"),
    ];
    for (name, value) in cases {
        let printed = start(&[(name, Some(value))]);
        assert!(printed.contains(name), "{name}: {printed}");
    }
}
