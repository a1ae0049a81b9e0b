//! The Lambda binary refuses to start on bad configuration, naming the variable, before it
//! contacts AWS or the Lambda runtime.

use startup_test::Binary;

const CUSTOMER_DATA: Binary = Binary::new(
    env!("CARGO_BIN_EXE_customer-data"),
    &[
        ("PRIVACY_API_KEYS", "startup-test-key-0123456789"),
        ("FINGERPRINT_KEY", "startup-test-fingerprint-key-0123456789"),
        ("TABLE_NAME", "referrals"),
    ],
);

#[test]
fn each_missing_required_variable_stops_start_up_with_its_name() {
    CUSTOMER_DATA.needs_each_variable();
}

#[test]
fn a_short_fingerprint_key_stops_start_up_unprinted() {
    let key = "only-twenty-nine-bytes-long!!";
    CUSTOMER_DATA.refuses_saying(
        &[("FINGERPRINT_KEY", Some(key))],
        "environment variable FINGERPRINT_KEY is invalid",
        &[key],
    );
}
