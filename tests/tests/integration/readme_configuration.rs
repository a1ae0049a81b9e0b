//! The configuration tables of docs/configuration.md are what the settings structs say. Run with
//! `UPDATE_DOCS=1` to rewrite them after changing a setting.

use std::path::PathBuf;

use http_tests::configuration::{configuration_table, local_table, splice};

#[test]
fn the_configuration_tables_match_the_settings_structs() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/configuration.md");
    let document = std::fs::read_to_string(&path).expect("docs/configuration.md");
    let runtime = settings::variables::<lambda_host::Runtime>();
    let expected = splice(&document, "configuration", &configuration_table(&runtime))
        .and_then(|r| {
            splice(
                &r,
                "local configuration",
                &local_table(
                    &settings::variables::<local::Settings>(),
                    local::DEV_DEFAULTS,
                ),
            )
        })
        .expect("docs/configuration.md has both generated tables between their markers");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("docs/configuration.md written");
        return;
    }
    assert!(
        document == expected,
        "docs/configuration.md's tables differ from the settings structs; \
         run `UPDATE_DOCS=1 cargo test -p http-tests --test integration readme_configuration`"
    );
}

/// Each function requires only what it uses: the sender only where mail is sent (deliver-outbox),
/// the shop's name where mails and pages show it, nothing but its key and table for score-nps.
#[test]
fn each_function_requires_only_what_it_uses() {
    let required = |function: &str| -> Vec<String> {
        http_tests::configuration::lambda_settings()
            .into_iter()
            .find(|(name, _)| *name == function)
            .map(|(_, variables)| {
                let mut names: Vec<String> = variables
                    .into_iter()
                    .filter(|v| v.required)
                    .map(|v| v.name)
                    .collect();
                names.sort();
                names
            })
            .expect("a deployed function")
    };
    assert_eq!(
        required("create-referral"),
        [
            "API_KEYS",
            "FINGERPRINT_KEY",
            "SHOP_NAME",
            "SHOP_URL",
            "TABLE_NAME"
        ]
    );
    assert_eq!(
        required("reward-referral"),
        [
            "API_KEYS",
            "FINGERPRINT_KEY",
            "SHOP_NAME",
            "SHOP_URL",
            "STAFF_API_KEYS",
            "TABLE_NAME"
        ]
    );
    assert_eq!(
        required("collect-survey"),
        [
            "API_KEYS",
            "FINGERPRINT_KEY",
            "SHOP_NAME",
            "SHOP_URL",
            "STAFF_API_KEYS",
            "SUPPORT_EMAIL",
            "TABLE_NAME"
        ]
    );
    assert_eq!(required("score-nps"), ["STAFF_API_KEYS", "TABLE_NAME"]);
    assert_eq!(
        required("customer-data"),
        ["FINGERPRINT_KEY", "PRIVACY_API_KEYS", "TABLE_NAME"]
    );
    assert_eq!(
        required("deliver-outbox"),
        ["MAIL_FROM", "SHOP_NAME", "TABLE_NAME"]
    );
}

/// The documented Lambda build command (docs/building-and-deploying.md) and the test command
/// build every function package (each folder under `functions/`), so a function added later
/// cannot be left out of either.
#[test]
fn every_function_is_built_for_lambda_as_documented() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut functions: Vec<String> = std::fs::read_dir(root.join("functions"))
        .expect("functions/")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    functions.sort();
    assert_eq!(functions.len(), 6, "{functions:?}");
    let guide = std::fs::read_to_string(root.join("docs/building-and-deploying.md"))
        .expect("docs/building-and-deploying.md");
    let build = guide
        .lines()
        .find(|line| line.starts_with("cargo lambda build "))
        .expect("docs/building-and-deploying.md's Lambda build command");
    let test_script = std::fs::read_to_string(root.join("scripts/test.sh")).expect("test.sh");
    let listed = test_script
        .lines()
        .find_map(|line| line.strip_prefix("FUNCTIONS=("))
        .and_then(|rest| rest.strip_suffix(')'))
        .expect("scripts/test.sh's FUNCTIONS");
    for function in &functions {
        assert!(
            build.split_whitespace().any(|word| word == function),
            "docs/building-and-deploying.md's `cargo lambda build` leaves out {function}: {build}"
        );
        assert!(
            listed.split_whitespace().any(|word| word == function),
            "scripts/test.sh's FUNCTIONS leaves out {function}"
        );
    }
}
