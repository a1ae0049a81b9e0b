//! deliver-outbox: the only function that sends. It delivers outbox messages (mails, webhook
//! events) when the table's stream reports new ones and, every minute, whatever is due for a
//! retry (docs/architecture.md#the-outbox).

mod invocation;
mod metrics;
mod settings;

use std::sync::Arc;

use domain::ports::{Clock, Mailer, OutboxStore, WebhookSender};
use domain::services::Deliverer;

pub use invocation::{handle, Invocation, Response};
pub use metrics::emf_line;
pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "deliver-outbox";

/// What delivery needs from the outside world; the host decides which adapters stand behind them.
pub struct Ports {
    pub outbox: Arc<dyn OutboxStore>,
    pub mailer: Arc<dyn Mailer>,
    /// `None` without `WEBHOOK_URL`.
    pub webhooks: Option<Arc<dyn WebhookSender>>,
    pub clock: Arc<dyn Clock>,
}

/// The composition root, used by the Lambda binary and the local stack's delivery task.
pub fn build(settings: &Settings, ports: Ports) -> Deliverer {
    Deliverer::new(
        ports.outbox,
        ports.mailer,
        ports.webhooks,
        ports.clock,
        settings.delivery.outbox_retry_seconds.clone(),
    )
}
