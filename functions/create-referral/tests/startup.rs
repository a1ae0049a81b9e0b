//! The Lambda binary refuses to start on bad configuration, naming the variable, before it
//! contacts AWS or the Lambda runtime. (Which variables each function requires is pinned, for
//! all four, by the tests crate's settings tests.)

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("API_KEYS", "startup-test-key-0123456789"),
    ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
    ("SHOP_URL", "https://shop.example"),
    ("SHOP_NAME", "Startup Shop"),
    ("TABLE_NAME", "referrals"),
];

fn start(overrides: &[(&str, Option<&str>)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_create-referral"));
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
fn each_missing_required_variable_stops_start_up_with_its_name() {
    for (name, _) in COMPLETE {
        let printed = start(&[(name, None)]);
        assert!(
            printed.contains(&format!("missing required environment variable {name}")),
            "{name}: {printed}"
        );
    }
}

#[test]
fn invalid_landing_template_stops_start_up() {
    let printed = start(&[(
        "REFERRAL_LANDING_URL",
        Some("https://shop.example/no-placeholder"),
    )]);
    assert!(
        printed.contains("environment variable REFERRAL_LANDING_URL is invalid"),
        "{printed}"
    );
}

#[test]
fn an_unknown_friend_reward_or_offer_length_stops_start_up() {
    for (name, value) in [
        ("FRIEND_REWARD", "first"),
        ("FRIEND_OFFER_DAYS", "0"),
        ("FRIEND_OFFER_DAYS", "3651"),
        ("DISCOUNT_PLATFORM", "magento"),
    ] {
        let printed = start(&[(name, Some(value))]);
        assert!(
            printed.contains(&format!("environment variable {name} is invalid")),
            "{name}={value}: {printed}"
        );
    }
}

#[test]
fn a_short_fingerprint_key_or_a_retention_out_of_range_stops_start_up() {
    for (name, value) in [
        ("FINGERPRINT_KEY", "thirty-one-bytes-is-not-enough"),
        ("RETENTION_DAYS", "29"),
        ("RETENTION_DAYS", "3651"),
    ] {
        let printed = start(&[(name, Some(value))]);
        assert!(
            printed.contains(&format!("environment variable {name} is invalid")),
            "{name}={value}: {printed}"
        );
        assert!(
            !printed.contains(value) || name == "RETENTION_DAYS",
            "a rejected key is never printed: {printed}"
        );
    }
}
