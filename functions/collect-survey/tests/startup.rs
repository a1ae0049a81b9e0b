//! The Lambda binary refuses to start on bad survey configuration, naming the variable.

use std::process::Command;

#[test]
fn invalid_survey_settings_stop_start_up_naming_them() {
    let complete = [
        ("API_KEYS", "startup-test-key-0123456789"),
        ("STAFF_API_KEYS", "startup-staff-key-0123456789"),
        ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
        ("SHOP_URL", "https://shop.example"),
        ("SHOP_NAME", "Test Shop"),
        ("SUPPORT_EMAIL", "support@example.com"),
        ("TABLE_NAME", "referrals"),
    ];
    for (name, value) in [
        ("SURVEY_THROTTLE_DAYS", "ninety"),
        ("SURVEY_TTL_DAYS", "-1"),
        ("REFERRAL_BASE_URL", "ref.example"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_collect-survey"))
            .env_clear()
            .envs(complete)
            .env(name, value)
            .output()
            .expect("binary runs");
        assert!(
            !output.status.success(),
            "{name}={value} must stop start-up"
        );
        let printed = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(printed.contains(name), "{name}: {printed}");
    }
}
