//! What the aggregator does in production, on demand: tests apply every tally recorded so far
//! before they read figures, where the local stack's background task or deliver-outbox (fed by
//! the table's stream) would do it a moment later.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::ports::{TallyId, TallyStore};
use store_dynamodb::{DynamoStore, PARTITION_KEY, TALLY_PREFIX};
use store_sqlite::EmbeddedStore;

#[async_trait]
pub trait Aggregate: Send + Sync {
    /// Applies every pending tally; the figures read afterwards count every request so far.
    async fn aggregate(&self);
}

#[async_trait]
impl Aggregate for EmbeddedStore {
    async fn aggregate(&self) {
        while self
            .apply_pending_tallies(1000)
            .await
            .expect("applying the embedded store's tallies")
            > 0
        {}
    }
}

#[async_trait]
impl Aggregate for DynamoStore {
    /// The stream hands deliver-outbox the new tallies' keys; a test finds them by scanning
    /// its own small table.
    async fn aggregate(&self) {
        let ids = pending_tallies(self).await;
        if !ids.is_empty() {
            self.apply_tallies(&ids)
                .await
                .expect("applying the table's tallies");
        }
    }
}

/// The ids of the tallies in a test's table, as the stream would name them.
pub async fn pending_tallies(store: &DynamoStore) -> Vec<TallyId> {
    super::dynamo::scan_items(
        store.client(),
        store.table(),
        Some((
            "begins_with(PK, :value)",
            AttributeValue::S(TALLY_PREFIX.to_owned()),
        )),
    )
    .await
    .iter()
    .filter_map(|item| match item.get(PARTITION_KEY) {
        Some(AttributeValue::S(pk)) => pk.strip_prefix(TALLY_PREFIX).map(str::to_owned),
        _ => None,
    })
    .map(|id| TallyId::parse(&id).expect("a tally id"))
    .collect()
}
