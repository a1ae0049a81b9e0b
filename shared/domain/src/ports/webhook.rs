use async_trait::async_trait;

use crate::model::MessageId;

/// Why a webhook delivery did not count: the receiver's own answer or the transport's reason,
/// never the body (it may name customers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The receiver answered 410 Gone: it wants no more of this event; retrying is pointless.
    #[error("the receiver answered 410 Gone")]
    Gone,
    #[error("{0}")]
    Failed(String),
}

/// Posts a signed event to the shop's webhook endpoint; `id` is the `webhook-id`, the same on
/// every retry, so the receiver can deduplicate.
#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn post(&self, id: &MessageId, body: &str) -> Result<(), WebhookError>;
}
