//! The Lambda binary refuses to start on bad delivery configuration, naming the variable.

use std::process::Command;

const COMPLETE: &[(&str, &str)] = &[
    ("TABLE_NAME", "referrals"),
    ("MAIL_FROM", "shop@example.com"),
    ("SHOP_NAME", "Test Shop"),
];

/// Variables set (`Some`) or removed (`None`) on top of [`COMPLETE`].
type Overrides<'a> = &'a [(&'a str, Option<&'a str>)];

fn start(overrides: Overrides<'_>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deliver-outbox"));
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
fn missing_or_invalid_settings_stop_start_up_naming_them() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let cases: [(Overrides<'_>, &str); 6] = [
        (
            &[("MAIL_FROM", None)],
            "missing required environment variable MAIL_FROM",
        ),
        (
            &[("TABLE_NAME", None)],
            "missing required environment variable TABLE_NAME",
        ),
        (
            &[("WEBHOOK_URL", Some("https://shop.example/hooks"))],
            "missing required environment variable WEBHOOK_SECRET",
        ),
        (
            &[
                ("WEBHOOK_URL", Some("http://shop.example/hooks")),
                ("WEBHOOK_SECRET", Some(secret)),
            ],
            "environment variable WEBHOOK_URL is invalid",
        ),
        (
            &[
                ("WEBHOOK_URL", Some("https://shop.example/hooks")),
                ("WEBHOOK_SECRET", Some("whsec_c2hvcnQ=")),
            ],
            "environment variable WEBHOOK_SECRET is invalid",
        ),
        (
            &[("OUTBOX_RETRY_SECONDS", Some("5,,30"))],
            "environment variable OUTBOX_RETRY_SECONDS is invalid",
        ),
    ];
    for (overrides, expected) in cases {
        let printed = start(overrides);
        assert!(printed.contains(expected), "{overrides:?}: {printed}");
        assert!(
            !printed.contains(secret),
            "a secret must never be printed: {printed}"
        );
    }
}
