//! What create-referral reads from its environment, once, at start-up.

use ::settings::{
    DiscountPlatformChoice, DynamoTable, Fingerprints, FriendOfferDays, FriendTerms, PublicBaseUrl,
    ReferrerTerms, RetentionPeriod, ShopPresentation, Storefront, WebhookEndpoint,
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
    pub shop: ShopPresentation,
    #[command(flatten)]
    pub links: PublicBaseUrl,
    #[command(flatten)]
    pub webhooks: WebhookEndpoint,
    #[command(flatten)]
    pub friend: FriendTerms,
    #[command(flatten)]
    pub offer_days: FriendOfferDays,
    #[command(flatten)]
    pub referrer: ReferrerTerms,
    #[command(flatten)]
    pub discount_platform: DiscountPlatformChoice,
    /// Where a referral link lands; must contain `{code}`. Unset: `<SHOP_URL>/?ref={code}`. With the friend's first-order offer, the claim page's "continue without a code" link.
    #[arg(long, env = "REFERRAL_LANDING_URL", value_parser = LandingUrl::parse)]
    pub referral_landing_url: Option<LandingUrl>,
}

impl Settings {
    pub fn landing(&self) -> LandingUrl {
        self.referral_landing_url
            .clone()
            .unwrap_or_else(|| LandingUrl::shop_default(&self.shop.url.shop_url))
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
