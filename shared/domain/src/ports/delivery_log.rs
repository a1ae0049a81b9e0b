use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// One delivery of a shop platform's webhook to one of our receivers: the platform's delivery
/// id, namespaced so two platforms (or two of our functions subscribed to the same event) never
/// share a key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey(String);

impl DeliveryKey {
    /// `None` when the platform sent no usable delivery id (the id rule of orders and
    /// customers: 1–128 printable ASCII characters).
    pub fn new(platform: &str, receiver: &str, delivery_id: &str) -> Option<Self> {
        let id = delivery_id.trim();
        crate::model::check_id(id)
            .ok()
            .map(|()| Self(format!("{platform}#{receiver}#{id}")))
    }
}

impl AsRef<str> for DeliveryKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The answers given to webhook deliveries, kept for a while so a redelivery is answered the same
/// without doing the work again. Only a delivery that was handled is remembered, so a crash
/// between the work and the answer makes the platform retry rather than lose it.
#[async_trait]
pub trait DeliveryLog: Send + Sync {
    /// The answer given to this delivery, unless none was or it expired before `now`.
    async fn answered(
        &self,
        key: &DeliveryKey,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError>;

    /// Keeps `answer` until `expires_at`; `now` lets a store drop what expired before it.
    async fn remember(
        &self,
        key: &DeliveryKey,
        answer: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
