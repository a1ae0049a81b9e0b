//! The production store: one DynamoDB table, conditional writes and transactions.

mod attributes;
mod batch;
mod counters;
mod deliveries;
mod errors;
mod keys;
mod orders;
mod outbox;
mod referrals;
mod responses;
mod surveys;

use aws_sdk_dynamodb::Client;

/// The DynamoDB store; the client is built once per cold start and shared.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
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
    OUTBOX_AT, OUTBOX_INDEX, OUTBOX_PREFIX, OUTBOX_STATUS, RESPONSES_INDEX, RESPONSE_AT,
    RESPONSE_MONTH,
};
/// The attributes the outbox index projects besides its keys.
pub use outbox::OUTBOX_INDEX_ATTRIBUTES;
pub use responses::RESPONSES_INDEX_ATTRIBUTES;
