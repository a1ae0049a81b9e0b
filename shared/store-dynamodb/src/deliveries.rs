use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::attributes::{counter, epoch_seconds, string};
use super::errors::classify;
use super::keys::EXPIRES_AT;
use super::{keys, DynamoStore};
use domain::ports::{DeliveryKey, DeliveryLog, StoreError};

/// The table's TTL attribute: epoch seconds, as DynamoDB's time to live requires.

#[async_trait]
impl DeliveryLog for DynamoStore {
    /// TTL deletes expired items within days, not at once: the expiry is checked here too.
    async fn answered(
        &self,
        key: &DeliveryKey,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let item = self
            .get_consistent(keys::webhook_delivery(key), "reading a webhook delivery")
            .await?;
        let Some(item) = item else {
            return Ok(None);
        };
        if counter(&item, EXPIRES_AT)? <= epoch_seconds(now) {
            return Ok(None);
        }
        Ok(Some(string(&item, "answer")?.to_owned()))
    }

    async fn remember(
        &self,
        key: &DeliveryKey,
        answer: &str,
        _now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut item = keys::webhook_delivery(key);
        item.insert("answer".into(), AttributeValue::S(answer.to_owned()));
        item.insert(EXPIRES_AT.into(), super::attributes::expiry(expires_at));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| classify("remembering a webhook delivery", e))?;
        Ok(())
    }
}
