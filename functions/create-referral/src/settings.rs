//! What create-referral reads from its environment, once, at start-up.

use ::settings::{
    DynamoTable, Fingerprints, PublicBaseUrl, RetentionPeriod, ShopUrl, Storefront, WebhookEndpoint,
};
use clap::Parser;

use crate::LandingUrl;

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub storefront: Storefront,
    #[command(flatten)]
    pub fingerprints: Fingerprints,
    #[command(flatten)]
    pub shop: ShopUrl,
    #[command(flatten)]
    pub links: PublicBaseUrl,
    #[command(flatten)]
    pub webhooks: WebhookEndpoint,
    /// Where a referral link lands; must contain `{code}`. Unset: `<SHOP_URL>/?ref={code}`.
    #[arg(long, env = "REFERRAL_LANDING_URL", value_parser = LandingUrl::parse)]
    pub referral_landing_url: Option<LandingUrl>,
}

impl Settings {
    pub fn landing(&self) -> LandingUrl {
        self.referral_landing_url
            .clone()
            .unwrap_or_else(|| LandingUrl::shop_default(&self.shop.shop_url))
    }
}

/// The Lambda binary's settings: the function's, plus where its state lives on AWS.
#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct LambdaSettings {
    #[command(flatten)]
    pub function: Settings,
    #[command(flatten)]
    pub table: DynamoTable,
    #[command(flatten)]
    pub retention: RetentionPeriod,
}
