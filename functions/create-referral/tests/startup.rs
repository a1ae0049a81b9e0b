//! The Lambda binary refuses to start on bad configuration, naming the variable, before it
//! contacts AWS or the Lambda runtime.

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("API_KEYS", "startup-test-key-0123456789"),
    ("SHOP_URL", "https://shop.example"),
    ("SHOP_NAME", "Test Shop"),
    ("MAIL_FROM", "shop@example.com"),
    ("SUPPORT_EMAIL", "support@example.com"),
    ("TABLE_NAME", "referrals"),
];

fn start_without(missing: &str) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_create-referral"));
    command.env_clear();
    for (name, value) in COMPLETE.iter().filter(|(name, _)| *name != missing) {
        command.env(name, value);
    }
    command.output().expect("binary runs")
}

#[test]
fn each_missing_required_variable_stops_start_up_with_its_name() {
    for (name, _) in COMPLETE {
        let output = start_without(name);
        assert!(!output.status.success(), "{name}: must not start");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            printed.contains(&format!("missing required environment variable {name}")),
            "{name}: {printed}"
        );
    }
}

#[test]
fn invalid_landing_template_stops_start_up() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_create-referral"));
    command.env_clear().envs(COMPLETE.iter().copied());
    command.env(
        "REFERRAL_LANDING_URL",
        "https://shop.example/no-placeholder",
    );
    let output = command.output().expect("binary runs");
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(printed.contains("REFERRAL_LANDING_URL"), "{printed}");
}
