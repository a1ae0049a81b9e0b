//! Consistent reads by key: one item, or many in one request (retrying only what DynamoDB left
//! unprocessed).

use aws_sdk_dynamodb::types::KeysAndAttributes;

use super::attributes::Item;
use super::errors::{classify, conflict_backoff};
use super::keys::Key;
use super::DynamoStore;
use domain::ports::StoreError;

const UNPROCESSED_RETRIES: u32 = 5;

/// The most keys one `BatchGetItem` takes.
const MAX_KEYS_PER_REQUEST: usize = 100;

impl DynamoStore {
    /// One item by key, read strongly consistently, so a write that just committed is seen.
    pub(super) async fn get_consistent(
        &self,
        key: Key,
        context: &'static str,
    ) -> Result<Option<Item>, StoreError> {
        Ok(self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| classify(context, e))?
            .item)
    }

    /// Reads items strongly consistently, 100 keys per request; absent items are simply
    /// missing.
    pub(super) async fn batch_get(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_KEYS_PER_REQUEST) {
            items.extend(self.batch_get_request(chunk.to_vec()).await?);
        }
        Ok(items)
    }

    /// One `BatchGetItem` of at most 100 keys, retrying only what DynamoDB left unprocessed.
    async fn batch_get_request(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::with_capacity(keys.len());
        let mut pending = keys;
        for attempt in 0..=UNPROCESSED_RETRIES {
            if pending.is_empty() {
                return Ok(items);
            }
            if attempt > 0 {
                tokio::time::sleep(conflict_backoff(attempt)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::backend("building a batch read", e))?;
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(|e| classify("reading items in a batch", e))?;
            if let Some(found) = output.responses.and_then(|mut r| r.remove(&self.table)) {
                items.extend(found);
            }
            if let Some(left) = output
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
            {
                pending = left.keys;
            }
        }
        if pending.is_empty() {
            Ok(items)
        } else {
            Err(StoreError::Throttled)
        }
    }
}
