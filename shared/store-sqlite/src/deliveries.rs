use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::EmbeddedStore;
use domain::model::rfc3339;
use domain::ports::{DeliveryKey, DeliveryLog, StoreError};

#[async_trait]
impl DeliveryLog for EmbeddedStore {
    async fn answered(
        &self,
        key: &DeliveryKey,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let key = key.as_ref().to_owned();
        self.with_connection("reading a webhook delivery", move |connection| {
            connection
                .query_row(
                    "SELECT answer FROM webhook_deliveries WHERE key = ?1 AND expires_at > ?2",
                    params![key, rfc3339(now)],
                    |row| row.get(0),
                )
                .optional()
        })
        .await
    }

    /// Expired answers are dropped on the way, as DynamoDB's TTL drops them there.
    async fn remember(
        &self,
        key: &DeliveryKey,
        answer: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = key.as_ref().to_owned();
        let answer = answer.to_owned();
        self.with_connection("remembering a webhook delivery", move |connection| {
            let tx = connection.transaction()?;
            tx.execute(
                "DELETE FROM webhook_deliveries WHERE expires_at <= ?1",
                [rfc3339(now)],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO webhook_deliveries (key, answer, expires_at)
                 VALUES (?1, ?2, ?3)",
                params![key, answer, rfc3339(expires_at)],
            )?;
            tx.commit()
        })
        .await
    }
}
