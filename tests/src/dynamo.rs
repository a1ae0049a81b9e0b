//! A fresh table in the DynamoDB emulator per test, so tests never see each other's data.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use shared::adapters::dynamodb::{DynamoStore, PARTITION_KEY, SORT_KEY};

/// The emulator's address, set by `scripts/test.sh`. Missing means the tests were started the
/// wrong way; failing loudly beats silently skipping the DynamoDB half of the contract.
pub fn emulator_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!(
            "AWS_ENDPOINT_URL is not set: the DynamoDB tests need the emulator. \
             Run ./scripts/test.sh, which installs and starts ministack and sets it."
        )
    })
}

pub async fn client() -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(emulator_endpoint())
        .load()
        .await;
    Client::new(&config)
}

/// Creates an empty single table with the production key schema and returns a store on it.
pub async fn fresh_store() -> DynamoStore {
    let client = client().await;
    let table = format!("test-{}", uuid::Uuid::new_v4());
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute definition is complete")
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key schema element is complete")
    };
    client
        .create_table()
        .table_name(&table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PARTITION_KEY))
        .attribute_definitions(attribute(SORT_KEY))
        .key_schema(key(PARTITION_KEY, KeyType::Hash))
        .key_schema(key(SORT_KEY, KeyType::Range))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "creating table {table} in the emulator at {} failed: {e:?}",
                emulator_endpoint()
            )
        });
    DynamoStore::new(client, table)
}
