//! What collect-survey reads from its environment, once, at start-up.

use ::settings::{
    DynamoTable, Fingerprints, PublicBaseUrl, RetentionPeriod, ShopPlatforms, ShopPresentation,
    Staff, Storefront, WebhookEndpoint,
};
use clap::Parser;
use domain::model::{Email, HttpUrl};
use domain::services::{ReferralLinks, SurveyRules};

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub storefront: Storefront,
    #[command(flatten)]
    pub staff: Staff,
    #[command(flatten)]
    pub fingerprints: Fingerprints,
    #[command(flatten)]
    pub shop: ShopPresentation,
    #[command(flatten)]
    pub links: PublicBaseUrl,
    #[command(flatten)]
    pub webhooks: WebhookEndpoint,
    #[command(flatten)]
    pub platforms: ShopPlatforms,
    /// Where alerts go (detractor feedback).
    #[arg(long, env = "SUPPORT_EMAIL", value_parser = Email::parse)]
    pub support_email: Email,
    /// No second survey to a customer or address within this many days.
    #[arg(long, env = "SURVEY_THROTTLE_DAYS", default_value_t = 90)]
    pub survey_throttle_days: u32,
    /// A survey takes answers for this many days after sending.
    #[arg(long, env = "SURVEY_TTL_DAYS", default_value_t = 30)]
    pub survey_ttl_days: u32,
    /// create-referral's public URL, so promoters' share links count clicks. Unset: links to
    /// `<SHOP_URL>/?ref=<code>`.
    #[arg(long, env = "REFERRAL_BASE_URL", value_parser = HttpUrl::parse)]
    pub referral_base_url: Option<HttpUrl>,
}

impl Settings {
    pub fn rules(&self) -> SurveyRules {
        SurveyRules {
            throttle_days: self.survey_throttle_days,
            ttl_days: self.survey_ttl_days,
        }
    }

    /// Promoters' share links go through create-referral when its URL is known, so clicks are
    /// counted; otherwise straight to the shop with `?ref=`.
    pub fn referral_links(&self) -> ReferralLinks {
        match &self.referral_base_url {
            Some(base) => ReferralLinks::Function(base.clone()),
            None => ReferralLinks::ShopLanding(self.shop.url.shop_url.clone()),
        }
    }
}

/// The Lambda binary's settings: the function's, plus where its state lives.
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
