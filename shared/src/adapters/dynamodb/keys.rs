//! The single-table key layout (DESIGN.md §3), in one place.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

use crate::domain::{CustomerId, ReferralCode};

pub(super) const PK: &str = "PK";
pub(super) const SK: &str = "SK";

pub(super) type Key = HashMap<String, AttributeValue>;

fn key(pk: String, sk: &str) -> Key {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

/// The customer's profile: contact data, locale and the code they own.
pub(super) fn customer_profile(customer_id: &CustomerId) -> Key {
    key(format!("CUSTOMER#{customer_id}"), "PROFILE")
}

/// A referral code: its owner and counters; its existence makes the code taken.
pub(super) fn referral_code(code: &ReferralCode) -> Key {
    key(format!("CODE#{code}"), "CODE")
}
