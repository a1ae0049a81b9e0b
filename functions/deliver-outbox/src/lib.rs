//! deliver-outbox: the only function that sends. It delivers outbox messages (mails, webhook
//! events, discount codes in the shop's platform) when the table's stream reports new ones and,
//! every minute, whatever is due for a retry (docs/architecture.md#the-outbox).

mod invocation;
mod metrics;
mod settings;

use std::sync::Arc;

use domain::ports::{
    Clock, DiscountLedger, Mailer, OutboxStore, PlatformDiscounts, ReviewStore, ScheduledStore,
    WebhookSender,
};
use domain::services::{Deliverer, DiscountDelivery, Events, ReviewService, ScheduledDelivery};
use platform_discounts::{ShopifyAdmin, WooCommerceAdmin};

pub use invocation::{handle, Invocation, Response};
pub use metrics::emf_line;
pub use settings::{DiscountTarget, LambdaSettings, PlatformAdmin, Settings};

pub const FUNCTION_NAME: &str = "deliver-outbox";

/// What delivery needs from the outside world; the host decides which adapters stand behind them.
pub struct Ports {
    pub outbox: Arc<dyn OutboxStore>,
    pub mailer: Arc<dyn Mailer>,
    /// `None` without `WEBHOOK_URL`.
    pub webhooks: Option<Arc<dyn WebhookSender>>,
    /// `None` with `DISCOUNT_PLATFORM=none`.
    pub discounts: Option<Arc<dyn PlatformDiscounts>>,
    /// Where a coupon's discount is read and recorded.
    pub ledger: Arc<dyn DiscountLedger>,
    /// Where survey reminders and win-backs read their facts and write what they cause.
    pub scheduled: Arc<dyn ScheduledStore>,
    /// Where held rewards' automatic decisions are read and written.
    pub reviews: Arc<dyn ReviewStore>,
    pub clock: Arc<dyn Clock>,
}

/// Why the platform's admin API cannot be used; start-up fails with it.
#[derive(Debug, thiserror::Error)]
pub enum PlatformSetupError {
    #[error(transparent)]
    Settings(#[from] ::settings::SettingsError),
    #[error(transparent)]
    Client(#[from] platform_discounts::SetupError),
}

/// The platform's admin API as `settings` configure it; `None` with `DISCOUNT_PLATFORM=none`.
pub fn platform_discounts(
    settings: &PlatformAdmin,
) -> Result<Option<Arc<dyn PlatformDiscounts>>, PlatformSetupError> {
    Ok(match settings.target()? {
        DiscountTarget::None => None,
        DiscountTarget::Shopify {
            shop,
            credentials,
            combines_with,
        } => Some(Arc::new(ShopifyAdmin::new(
            &shop,
            credentials,
            combines_with,
        )?)),
        DiscountTarget::WooCommerce {
            site,
            key,
            secret,
            combines_with,
        } => Some(Arc::new(WooCommerceAdmin::new(
            &site,
            key,
            secret,
            combines_with,
        )?)),
    })
}

/// The composition root, used by the Lambda binary and the local stack's delivery task.
pub fn build(settings: &Settings, ports: Ports) -> Deliverer {
    // A step's effects include an event only where events go somewhere, and a platform discount
    // only where discounts are made: the same choices the request functions make.
    let events = Events::new(ports.webhooks.is_some());
    let discounts = settings.platform.choice.discounts();
    let scheduled = ScheduledDelivery {
        store: ports.scheduled,
        events,
        discounts,
        reminders_on: settings.reminders.survey_reminder_days > 0,
        winbacks_on: settings.winback.winback_days > 0,
        reviews: Some(ReviewService::new(
            ports.reviews,
            ports.clock.clone(),
            events,
            discounts,
        )),
    };
    let deliverer = Deliverer::new(
        ports.outbox,
        ports.mailer,
        ports.webhooks,
        ports.clock,
        settings.delivery.outbox_retry_seconds.clone(),
    )
    .with_concurrency(settings.delivery.outbox_concurrency)
    .with_scheduled(scheduled);
    match ports.discounts {
        Some(platform) => deliverer.with_discounts(DiscountDelivery {
            platform,
            ledger: ports.ledger,
        }),
        None => deliverer,
    }
}
