//! What collect-survey reads from its environment, once, at start-up.

use ::settings::{
    DynamoTable, Fingerprints, PublicBaseUrl, ReferralBaseUrl, RetentionPeriod, ShopPlatforms,
    ShopPresentation, Staff, Storefront, SurveyReminders, WebhookEndpoint,
};
use clap::Parser;
use domain::model::Email;
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
    #[command(flatten)]
    pub reminders: SurveyReminders,
    #[command(flatten)]
    pub referral_base: ReferralBaseUrl,
}

impl Settings {
    pub fn rules(&self) -> SurveyRules {
        SurveyRules {
            throttle_days: self.survey_throttle_days,
            ttl_days: self.survey_ttl_days,
            reminder_days: self.reminders.survey_reminder_days,
        }
    }

    pub fn referral_links(&self) -> ReferralLinks {
        self.referral_base.links(&self.shop.url.shop_url)
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
