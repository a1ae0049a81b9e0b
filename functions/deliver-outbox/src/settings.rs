//! What deliver-outbox reads from its environment, once, at start-up.

use ::settings::{
    Delivery, DynamoTable, Sender, SesSending, SettingsError, ShopName, WebhookEndpoint,
};
use clap::Parser;
use domain::model::{WebhookSecrets, WebhookUrl};

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub sender: Sender,
    #[command(flatten)]
    pub shop: ShopName,
    #[command(flatten)]
    pub webhooks: WebhookEndpoint,
    #[command(flatten)]
    pub delivery: Delivery,
}

impl Settings {
    /// Where events go and what signs them; a URL without a secret would send unsigned events,
    /// which a receiver cannot trust, so start-up refuses it.
    pub fn webhook_target(&self) -> Result<Option<(WebhookUrl, WebhookSecrets)>, SettingsError> {
        match (&self.webhooks.webhook_url, &self.delivery.webhook_secret) {
            (None, _) => Ok(None),
            (Some(url), Some(secrets)) => Ok(Some((url.clone(), secrets.clone()))),
            (Some(_), None) => Err(SettingsError::Missing("WEBHOOK_SECRET".into())),
        }
    }
}

/// The Lambda binary's settings: the function's, plus where its state lives and how it mails on
/// AWS.
#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct LambdaSettings {
    #[command(flatten)]
    pub function: Settings,
    #[command(flatten)]
    pub table: DynamoTable,
    #[command(flatten)]
    pub ses: SesSending,
}
