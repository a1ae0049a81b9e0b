//! The Lambda binary refuses to start on bad configuration, naming the variable, before it
//! contacts AWS or the Lambda runtime.

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("PRIVACY_API_KEYS", "startup-test-key-0123456789"),
    ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
    ("TABLE_NAME", "referrals"),
];

fn start(overrides: &[(&str, Option<&str>)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_customer-data"));
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
fn a_short_fingerprint_key_stops_start_up_unprinted() {
    let key = "only-twenty-nine-bytes-long!!";
    let printed = start(&[("FINGERPRINT_KEY", Some(key))]);
    assert!(
        printed.contains("environment variable FINGERPRINT_KEY is invalid"),
        "{printed}"
    );
    assert!(!printed.contains(key), "the key is printed: {printed}");
}
