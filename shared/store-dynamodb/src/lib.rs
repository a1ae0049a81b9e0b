//! The production store: one DynamoDB table, conditional writes and transactions.

mod attributes;
mod batch;
mod counters;
mod coupons;
mod deliveries;
mod discounts;
mod errors;
mod follow_ups;
mod keys;
mod offers;
mod order_commit;
mod orders;
mod outbox;
mod personal_data;
mod referrals;
mod responses;
mod reviews;
mod scheduled;
mod surveys;
mod tallies;
mod update_expression;

use aws_sdk_dynamodb::Client;
use domain::model::Retention;

/// The DynamoDB store; the client is built once per cold start and shared.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    retention: Retention,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            retention: Retention::default(),
        }
    }

    /// How long survey answers, order records and outbox messages are kept: their items carry
    /// `expires_at` for the table's TTL.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Key attribute names, for whoever creates the table (tests, tooling).
pub const PARTITION_KEY: &str = keys::PK;
pub const SORT_KEY: &str = keys::SK;

/// The outbox's sparse index and its key attributes, for whoever creates the table.
pub use keys::{
    CUSTOMERS_INDEX, CUSTOMER_ID, EXPIRES_AT, OUTBOX_AT, OUTBOX_INDEX, OUTBOX_PREFIX,
    OUTBOX_SORT_KEY, OUTBOX_STATUS, PEOPLE_INDEX, PERSON, RESPONSES_INDEX, RESPONSE_AT,
    RESPONSE_MONTH, TALLY_PREFIX,
};
/// The attributes the outbox index projects besides its keys.
pub use outbox::OUTBOX_INDEX_ATTRIBUTES;
pub use responses::RESPONSES_INDEX_ATTRIBUTES;
