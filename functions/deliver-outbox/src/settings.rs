//! What deliver-outbox reads from its environment, once, at start-up.

use ::settings::{
    Delivery, DiscountPlatformChoice, DynamoTable, Sender, SesSending, SettingsError, ShopName,
    ShopifyShopUrl, SurveyReminders, WebhookEndpoint, WinbackLapse,
};
use clap::{Args, Parser};
use domain::model::{CombinesWith, DiscountPlatform, WebhookSecrets, WebhookUrl};
use platform_discounts::ShopifyCredentials;
use shop_platforms::ShopifyShop;

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
    #[command(flatten)]
    pub platform: PlatformAdmin,
    #[command(flatten)]
    pub reminders: SurveyReminders,
    #[command(flatten)]
    pub winback: WinbackLapse,
}

/// The shop platform's admin API, where coupons become discount codes (only deliver-outbox
/// calls it, so only it reads these).
#[derive(Clone, Args)]
pub struct PlatformAdmin {
    #[command(flatten)]
    pub choice: DiscountPlatformChoice,
    #[command(flatten)]
    pub shopify_shop: ShopifyShopUrl,
    /// Client ID of the Shopify app from the Dev Dashboard (scopes `write_discounts`, `read_discounts`), with SHOPIFY_CLIENT_SECRET: access tokens come from the client credentials grant and are renewed before they expire.
    #[arg(long, env = "SHOPIFY_CLIENT_ID")]
    pub shopify_client_id: Option<String>,
    /// The Shopify app's client secret (with SHOPIFY_CLIENT_ID).
    #[arg(long, env = "SHOPIFY_CLIENT_SECRET", hide_env_values = true)]
    pub shopify_client_secret: Option<String>,
    /// Instead of a client ID and secret: an existing legacy custom app's Admin API access token (`shpat_…`).
    #[arg(long, env = "SHOPIFY_ADMIN_ACCESS_TOKEN", hide_env_values = true)]
    pub shopify_admin_access_token: Option<String>,
    /// The WordPress site's address (https, or http on loopback) with `DISCOUNT_PLATFORM=woocommerce`.
    #[arg(long, env = "WOOCOMMERCE_URL", value_parser = WebhookUrl::parse)]
    pub woocommerce_url: Option<WebhookUrl>,
    /// Consumer key of a WooCommerce REST API key with Read/Write permission.
    #[arg(long, env = "WOOCOMMERCE_CONSUMER_KEY", hide_env_values = true)]
    pub woocommerce_consumer_key: Option<String>,
    /// That key's consumer secret.
    #[arg(long, env = "WOOCOMMERCE_CONSUMER_SECRET", hide_env_values = true)]
    pub woocommerce_consumer_secret: Option<String>,
    /// Which other discounts a coupon combines with at checkout: comma-separated `order`, `product`, `shipping` (Shopify's `combinesWith`; WooCommerce knows only all or nothing, `individual_use`). Unset: with nothing.
    #[arg(long, env = "DISCOUNT_COMBINES_WITH", value_parser = CombinesWith::parse)]
    pub discount_combines_with: Option<CombinesWith>,
}

/// Never printed: it holds secrets.
impl std::fmt::Debug for PlatformAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformAdmin")
            .field("platform", &self.choice.discount_platform)
            .finish_non_exhaustive()
    }
}

/// The platform's admin API as configured, complete.
pub enum DiscountTarget {
    None,
    Shopify {
        shop: ShopifyShop,
        credentials: ShopifyCredentials,
        combines_with: CombinesWith,
    },
    WooCommerce {
        site: WebhookUrl,
        key: String,
        secret: String,
        combines_with: CombinesWith,
    },
}

impl PlatformAdmin {
    /// The chosen platform with every setting it needs, or the first variable missing.
    pub fn target(&self) -> Result<DiscountTarget, SettingsError> {
        let missing = |name: &str| SettingsError::Missing(name.into());
        let combines_with = self.discount_combines_with.unwrap_or_default();
        match self.choice.discount_platform {
            DiscountPlatform::None => Ok(DiscountTarget::None),
            DiscountPlatform::Shopify => {
                let shop = self
                    .shopify_shop
                    .shopify_shop_url
                    .clone()
                    .ok_or_else(|| missing("SHOPIFY_SHOP_URL"))?;
                let credentials = match (
                    &self.shopify_client_id,
                    &self.shopify_client_secret,
                    &self.shopify_admin_access_token,
                ) {
                    (Some(client_id), Some(secret), _) => ShopifyCredentials::ClientCredentials {
                        client_id: client_id.clone(),
                        secret: secret.clone(),
                    },
                    (Some(_), None, _) => return Err(missing("SHOPIFY_CLIENT_SECRET")),
                    (None, Some(_), _) => return Err(missing("SHOPIFY_CLIENT_ID")),
                    (None, None, Some(token)) => ShopifyCredentials::AccessToken(token.clone()),
                    (None, None, None) => {
                        return Err(missing(
                            "SHOPIFY_CLIENT_ID (with SHOPIFY_CLIENT_SECRET) or SHOPIFY_ADMIN_ACCESS_TOKEN",
                        ))
                    }
                };
                Ok(DiscountTarget::Shopify {
                    shop,
                    credentials,
                    combines_with,
                })
            }
            DiscountPlatform::WooCommerce => Ok(DiscountTarget::WooCommerce {
                site: self
                    .woocommerce_url
                    .clone()
                    .ok_or_else(|| missing("WOOCOMMERCE_URL"))?,
                key: self
                    .woocommerce_consumer_key
                    .clone()
                    .ok_or_else(|| missing("WOOCOMMERCE_CONSUMER_KEY"))?,
                secret: self
                    .woocommerce_consumer_secret
                    .clone()
                    .ok_or_else(|| missing("WOOCOMMERCE_CONSUMER_SECRET"))?,
                combines_with,
            }),
        }
    }
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
