//! The Lambda binary refuses to start on bad configuration, naming the variable.

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("STAFF_API_KEYS", "startup-test-key-0123456789"),
    ("TABLE_NAME", "referrals"),
];

#[test]
fn missing_or_invalid_settings_stop_start_up_naming_them() {
    let cases: [(&str, Option<&str>, &str); 3] = [
        (
            "TABLE_NAME",
            None,
            "missing required environment variable TABLE_NAME",
        ),
        (
            "STAFF_API_KEYS",
            None,
            "missing required environment variable STAFF_API_KEYS",
        ),
        (
            "STAFF_API_KEYS",
            Some("short"),
            "environment variable STAFF_API_KEYS is invalid",
        ),
    ];
    for (name, value, expected) in cases {
        let mut command = Command::new(env!("CARGO_BIN_EXE_score-nps"));
        command.env_clear().envs(COMPLETE.iter().copied());
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
        let output = command.output().expect("binary runs");
        assert!(
            !output.status.success(),
            "{name}={value:?} must stop start-up"
        );
        let printed = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(printed.contains(expected), "{name}: {printed}");
    }
}
